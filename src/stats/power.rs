//! How large a shift an order-statistic bound detects: the power of the sign test's interval
//! and of the confidence sequence ([`super::sequential`]), both of which bound a median by the
//! `k`-th smallest and `k`-th largest of `n` values.
//!
//! The lower bound `X_(k)` exceeds a level `c` exactly when fewer than `k` values are at most
//! `c`, so `P(X_(k) > c) = P(Binomial(n, F(c)) <= k - 1)` for the values' distribution `F`.
//! Shifting the distribution by `d` turns `F(c)` into `F0(c - d)`, where `F0` is the
//! distribution without the shift. The bound clears `c` with probability at least `power` once
//! `F0(c - d) <= p*`, `p*` being the largest `p` with `P(Binomial(n, p) <= k - 1) >= power`:
//! once `d >= c + (m0 - Q0(p*))`, with `m0` the median of `F0` (taken as the origin) and `Q0` its
//! quantile function. So the smallest detectable shift is the level plus the distance from the
//! median down to the `p*` quantile of the noise; the upper bound mirrors it with the distance
//! up to the `1 - p*` quantile. The noise is estimated by the observed values around their own
//! median, which removes whatever shift they have: the answer describes the scatter, not the
//! change.

use super::quantile::Sorted;

/// `P(Binomial(n, p) <= j)`, summed in log space so that large `n` cannot underflow.
pub fn binomial_cdf(n: usize, p: f64, j: usize) -> f64 {
    if p <= 0.0 {
        return 1.0;
    }
    if p >= 1.0 {
        return if j >= n { 1.0 } else { 0.0 };
    }
    let odds = (p / (1.0 - p)).ln();
    let mut log_pmf = n as f64 * (-p).ln_1p(); // P(X = 0)
    let mut sum = 0.0;
    for i in 0..=j.min(n) {
        if i > 0 {
            log_pmf += ((n - i + 1) as f64).ln() - (i as f64).ln() + odds;
        }
        sum += log_pmf.exp();
    }
    sum.min(1.0)
}

/// The largest `p` at which the `k`-th smallest of `n` values still exceeds the `p` quantile
/// with probability `power`: `P(Binomial(n, p) <= k - 1) >= power`. `None` for `k == 0` (no
/// bound) or `k > n`.
pub fn quantile_with_power(n: usize, k: usize, power: f64) -> Option<f64> {
    if k == 0 || k > n {
        return None;
    }
    // The probability falls as p grows; bisect on (0, 1).
    let (mut low, mut high) = (0.0f64, 1.0f64);
    for _ in 0..60 {
        let mid = (low + high) / 2.0;
        if binomial_cdf(n, mid, k - 1) >= power {
            low = mid;
        } else {
            high = mid;
        }
    }
    Some(low)
}

/// How far a shift must carry a median past a level before bounds of rank `k` over these values'
/// count clear it with probability `power` (see the module), on the values' own scale.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct DetectableMargin {
    /// For the lower bound to clear a level above: median minus the `p*` quantile.
    pub up: f64,
    /// For the upper bound to clear a level below: the `1 - p*` quantile minus the median.
    pub down: f64,
}

/// The margins by which a shift must pass a level for the bounds of rank `k` (the `k`-th
/// smallest and largest of as many values as `values` holds) to clear it with probability
/// `power`, with the noise estimated by `values` around their median. `None` when `k` gives no
/// bound or there are no values.
///
/// ```
/// use epbench::stats::power::detectable_margin;
///
/// // Thirty values spread evenly over [-1, 1]; the sign test's k is 10.
/// let values: Vec<f64> = (0..30).map(|i| -1.0 + 2.0 * i as f64 / 29.0).collect();
/// let margin = detectable_margin(&values, 10, 0.95).unwrap();
/// assert!(margin.up > 0.5 && margin.up < 0.7, "{margin:?}");
/// assert!((margin.up - margin.down).abs() < 1e-9);
/// ```
pub fn detectable_margin(values: &[f64], k: usize, power: f64) -> Option<DetectableMargin> {
    let p = quantile_with_power(values.len(), k, power)?;
    let sorted = Sorted::new(values.to_vec())?;
    let median = sorted.median();
    Some(DetectableMargin {
        up: median - sorted.quantile(p),
        down: sorted.quantile(1.0 - p) - median,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;
    use rand_distr::{Distribution, Normal};

    #[test]
    fn binomial_cdf_by_hand() {
        // Bin(4, 1/2): 1, 4, 6, 4, 1 sixteenths.
        assert!((binomial_cdf(4, 0.5, 1) - 5.0 / 16.0).abs() < 1e-12);
        assert!((binomial_cdf(4, 0.5, 4) - 1.0).abs() < 1e-12);
        // Bin(3, 0.2): P(0) = 0.512, P(1) = 0.384.
        assert!((binomial_cdf(3, 0.2, 1) - 0.896).abs() < 1e-12);
        assert_eq!(binomial_cdf(3, 0.0, 0), 1.0);
        assert!(binomial_cdf(5000, 0.5, 2400) < 0.01);
        assert!(quantile_with_power(30, 0, 0.95).is_none());
        let p = quantile_with_power(30, 10, 0.95).unwrap();
        assert!(binomial_cdf(30, p, 9) >= 0.95 && binomial_cdf(30, p + 1e-6, 9) < 0.95);
    }

    /// Runs of `n` normal values shifted by `shift`: the share whose `k`-th smallest exceeds
    /// `level`.
    fn flagged(n: usize, k: usize, shift: f64, level: f64, runs: usize, seed: u64) -> f64 {
        let noise = Normal::new(0.0, 1.0).unwrap();
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let hits = (0..runs)
            .filter(|_| {
                let values: Vec<f64> = (0..n).map(|_| shift + noise.sample(&mut rng)).collect();
                Sorted::new(values).unwrap().values()[k - 1] > level
            })
            .count();
        hits as f64 / runs as f64
    }

    #[test]
    fn the_margin_is_the_shift_detected_with_that_power() {
        // The true noise quantiles, from a large sample: the margin for n = 30, k = 10 (the sign
        // test) and n = 60, k = 19 (the confidence sequence's rank there).
        let noise = Normal::new(0.0, 1.0).unwrap();
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let reference: Vec<f64> = (0..200_000).map(|_| noise.sample(&mut rng)).collect();
        let sorted = Sorted::new(reference).unwrap();
        let level = 0.5;
        for (n, k) in [(30, 10), (60, 19)] {
            let p = quantile_with_power(n, k, 0.95).unwrap();
            let margin = sorted.median() - sorted.quantile(p);
            let runs = 4000;
            let at = flagged(n, k, level + margin, level, runs, 12);
            let se = (0.95f64 * 0.05 / runs as f64).sqrt();
            assert!((at - 0.95).abs() < 3.0 * se + 0.005, "n {n}: {at}");
            // Half the margin is clearly not enough.
            assert!(flagged(n, k, level + margin / 2.0, level, runs, 13) < 0.85);
        }
    }

    #[test]
    fn the_margin_describes_the_scatter_not_the_shift() {
        let values: Vec<f64> = (0..40).map(|i| (i as f64 * 0.37).sin()).collect();
        let shifted: Vec<f64> = values.iter().map(|v| v + 3.0).collect();
        let (a, b) = (
            detectable_margin(&values, 13, 0.95).unwrap(),
            detectable_margin(&shifted, 13, 0.95).unwrap(),
        );
        assert!((a.up - b.up).abs() < 1e-9 && (a.down - b.down).abs() < 1e-9);
        assert!(detectable_margin(&values, 0, 0.95).is_none());
    }
}
