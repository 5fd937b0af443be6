//! Quantiles, defined once for all of epbench.
//!
//! For `n` sorted values `x[0..n]` and a fraction `q` in `[0, 1]`, the `q` quantile interpolates
//! linearly between the closest ranks: with `h = (n - 1) q`, it is
//! `x[⌊h⌋] + (h - ⌊h⌋) (x[⌊h⌋ + 1] - x[⌊h⌋])`. This is Hyndman and Fan's type 7, the default of
//! numpy's `percentile`, R's `quantile` and Excel's `PERCENTILE.INC`, and what criterion uses
//! for its own percentiles. The 0 quantile is the minimum, the 1 quantile the maximum, and the
//! median (0.5) of an even count is the mean of its two middle values.
//!
//! ```
//! use epbench::stats::Sorted;
//!
//! let sorted = Sorted::new(vec![4.0, 1.0, 3.0, 2.0]).unwrap();
//! assert_eq!(sorted.median(), 2.5);
//! assert_eq!(sorted.quantile(0.25), 1.75);
//! assert_eq!((sorted.min(), sorted.max()), (1.0, 4.0));
//! ```

/// A sample of at least one value, kept in ascending order: what quantiles are taken of.
#[derive(Debug, Clone, PartialEq)]
pub struct Sorted(Vec<f64>);

impl Sorted {
    /// Sorts `values` (NaN last, by `f64::total_cmp`); `None` when there are none.
    pub fn new(mut values: Vec<f64>) -> Option<Self> {
        if values.is_empty() {
            return None;
        }
        values.sort_by(f64::total_cmp);
        Some(Sorted(values))
    }

    /// The `q` quantile (`q` clamped to `[0, 1]`), as the module defines it.
    pub fn quantile(&self, q: f64) -> f64 {
        let values = &self.0;
        let rank = (values.len() - 1) as f64 * q.clamp(0.0, 1.0);
        let lower = rank.floor() as usize;
        let upper = (lower + 1).min(values.len() - 1);
        let weight = rank - lower as f64;
        values[lower] + weight * (values[upper] - values[lower])
    }

    /// The 0.5 quantile.
    pub fn median(&self) -> f64 {
        self.quantile(0.5)
    }

    /// The smallest value.
    pub fn min(&self) -> f64 {
        self.0[0]
    }

    /// The largest value.
    pub fn max(&self) -> f64 {
        self.0[self.0.len() - 1]
    }

    /// The mean.
    pub fn mean(&self) -> f64 {
        super::mean(&self.0).unwrap_or(f64::NAN)
    }

    /// The sample standard deviation (see [`super::sample_std_dev`]).
    pub fn std_dev(&self) -> f64 {
        super::sample_std_dev(&self.0).unwrap_or(f64::NAN)
    }

    /// The values, ascending.
    pub fn values(&self) -> &[f64] {
        &self.0
    }
}

/// The median of `values`; `None` when there are none.
pub fn median(values: &[f64]) -> Option<f64> {
    Sorted::new(values.to_vec()).map(|sorted| sorted.median())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn one_to_ten_by_hand() {
        // Unsorted on purpose; n - 1 = 9 intervals. p50: h = 4.5 -> 5.5; p90: h = 8.1 -> 9.1;
        // p95: h = 8.55 -> 9.55; p99: h = 8.91 -> 9.91; p25: h = 2.25 -> 3.25.
        let s = Sorted::new(vec![10.0, 3.0, 1.0, 7.0, 2.0, 9.0, 4.0, 8.0, 6.0, 5.0]).unwrap();
        for (q, expected) in [
            (0.0, 1.0),
            (0.25, 3.25),
            (0.5, 5.5),
            (0.9, 9.1),
            (0.95, 9.55),
            (0.99, 9.91),
            (1.0, 10.0),
        ] {
            assert!(close(s.quantile(q), expected), "q {q}: {}", s.quantile(q));
        }
    }

    #[test]
    fn medians() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), Some(2.5));
        assert_eq!(median(&[7.0]), Some(7.0));
        assert_eq!(median(&[]), None);
        assert!(Sorted::new(Vec::new()).is_none());
    }
}
