//! The distribution-free confidence interval of a median: the sign test's order statistics.
//!
//! For `n` independent values the interval from the `k`-th smallest to the `k`-th largest
//! covers the true median with probability `1 - 2 P(Binomial(n, 1/2) <= k - 1)`, whatever the
//! distribution. It needs no normality, and a few wild values cannot move it however large
//! they are, which is why upgrade checks use it for their paired ratios.

use super::quantile::Sorted;

/// The order statistic that bounds a two-sided interval for a median of `n` independent values:
/// the largest `k` with `P(Binomial(n, 1/2) <= k - 1) <= 2.5%` (at least 1), and the interval's
/// exact coverage, `1 - 2 P(Binomial(n, 1/2) <= k - 1)`. From six values on the coverage is at
/// least 95%; below that the interval is the whole range, with the coverage it has (93.75% for
/// five).
pub fn median_interval_rank(n: usize) -> (usize, f64) {
    let mut k = 1;
    let mut term = 0.5f64.powi(n as i32); // P(X = k - 1)
    let mut below = term; // P(X <= k - 1)
    while k < n.div_ceil(2) {
        let next = term * (n - (k - 1)) as f64 / k as f64; // P(X = k)
        if below + next > 0.025 {
            break;
        }
        below += next;
        term = next;
        k += 1;
    }
    (k, 1.0 - 2.0 * below)
}

/// A median with its sign-test interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MedianInterval {
    /// The median.
    pub point: f64,
    /// The `k`-th smallest value.
    pub lower: f64,
    /// The `k`-th largest value.
    pub upper: f64,
    /// The interval's exact coverage.
    pub coverage: f64,
}

/// The median of `values` and its interval (see [`median_interval_rank`]); `None` when empty.
pub fn median_interval(values: &[f64]) -> Option<MedianInterval> {
    let sorted = Sorted::new(values.to_vec())?;
    let n = values.len();
    let (k, coverage) = median_interval_rank(n);
    Some(MedianInterval {
        point: sorted.median(),
        lower: sorted.values()[k - 1],
        upper: sorted.values()[n - k],
        coverage,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_and_bounds() {
        // P(Bin(10, 1/2) <= 1) = 11/1024 <= 2.5% < P(<= 2) = 56/1024.
        let (k, coverage) = median_interval_rank(10);
        assert_eq!(k, 2);
        assert!((coverage - (1.0 - 22.0 / 1024.0)).abs() < 1e-12);
        let values: Vec<f64> = (1..=10).rev().map(f64::from).collect();
        let interval = median_interval(&values).unwrap();
        assert_eq!(
            (interval.lower, interval.point, interval.upper),
            (2.0, 5.5, 9.0)
        );
        assert!(median_interval(&[]).is_none());
    }
}
