//! A confidence sequence for a median: an interval that may be looked at after every new value,
//! and stopped on whenever it is narrow enough, and still covers the true median with the stated
//! probability, at every look at once.
//!
//! The fixed-sample sign-test interval ([`super::sign_test`]) covers 95% only at a number of
//! values chosen in advance; looking after every value and stopping at the first verdict makes
//! its false-alarm rate grow without bound (the law of the iterated logarithm). The confidence
//! sequence here replaces the binomial quantile of the sign test by a boundary that holds
//! uniformly over time, following Howard and Ramdas, "Sequential estimation of quantiles with
//! applications to A/B-testing and best-arm identification", Bernoulli 28(3), 2022,
//! doi:10.3150/21-BEJ1388: a confidence sequence for the count of values below the median is
//! one for the median, through order statistics.
//!
//! Derivation. Let `m` be the median of independent values `X_1, X_2, ...` and
//! `S_t = #{i <= t : X_i < m}`; for a continuous distribution `S_t` is a sum of Bernoulli(1/2)
//! (with ties it is squeezed between the two counts of one Bernoulli(1/2) process, which only
//! makes what follows conservative). Mixing the likelihood ratio of Bernoulli(p) against
//! Bernoulli(1/2) over a uniform prior on `p` gives
//!
//! ```text
//! M_t = ∫ (2p)^S_t (2(1 - p))^(t - S_t) dp = 2^t / ((t + 1) C(t, S_t)),
//! ```
//!
//! a nonnegative martingale with `M_0 = 1` under the null (Robbins, "Statistical methods
//! related to the law of the iterated logarithm", Ann. Math. Statist. 41(5), 1970,
//! doi:10.1214/aoms/1177696786; the mixture boundaries of Howard, Ramdas, McAuliffe and
//! Sekhon, Ann. Statist. 49(2), 2021, doi:10.1214/20-AOS1991). Ville's inequality gives
//! `P(exists t: M_t >= 1/alpha) <= alpha`, i.e. with probability at least `1 - alpha`, at every
//! `t` at once, `C(t, S_t) / 2^t > alpha / (t + 1)`: the binomial(t, 1/2) probability of the
//! observed count is not tiny. The counts that pass form a symmetric range `[k, t - k]`, where
//! `k` is the smallest count whose probability exceeds `alpha / (t + 1)`; and `S_t >= k` with
//! `t - S_t >= k` means that the `k`-th smallest value is below `m` and the `k`-th largest above
//! it. So `[X_(k), X_(t+1-k)]` is the confidence sequence: the sign test's interval with
//! `alpha / (t + 1)` on a single count in place of `alpha / 2` on a tail. It is two-sided by
//! construction (the mixture is large when `S_t` is far from `t/2` either way), needs nothing but
//! independence, and like the sign test ignores how wild a few values are.
//!
//! The price of looking at every `t`: at 30 values the bounds are the 7th and 24th smallest
//! instead of the 10th and 21st; at 100 about 3.2 instead of 2 standard deviations of the
//! count from the middle. Fewer than 8 values give no finite bound at 95%.

use super::quantile::Sorted;
use super::sign_test::MedianInterval;

/// The rank `k` of the bounds after `t` values at miscoverage `alpha`: the smallest count whose
/// binomial(t, 1/2) probability exceeds `alpha / (t + 1)`. 0 when even a count of zero is
/// likely enough, i.e. no finite bound exists yet.
///
/// ```
/// use epbench::stats::sequential::median_sequence_rank;
///
/// assert_eq!(median_sequence_rank(7, 0.05), 0); // 2^-7 > 0.05 / 8: no bound yet
/// assert_eq!(median_sequence_rank(8, 0.05), 1); // the range
/// assert_eq!(median_sequence_rank(30, 0.05), 7);
/// ```
pub fn median_sequence_rank(t: usize, alpha: f64) -> usize {
    if t == 0 {
        return 0;
    }
    let threshold = alpha.ln() - ((t + 1) as f64).ln();
    // ln P(Bin(t, 1/2) = k), walked up from k = 0; it rises until the middle.
    let mut log_pmf = -(t as f64) * std::f64::consts::LN_2;
    let mut k = 0;
    while log_pmf <= threshold && k < t.div_ceil(2) {
        log_pmf += ((t - k) as f64).ln() - ((k + 1) as f64).ln();
        k += 1;
    }
    k
}

/// The median of `values` (all values so far, in any order) with its confidence-sequence
/// interval at `confidence` (see the module). The bounds are infinite while no finite bound
/// exists; `coverage` is `confidence`, which the sequence keeps at every look at once. `None`
/// when there are no values.
pub fn median_sequence_interval(values: &[f64], confidence: f64) -> Option<MedianInterval> {
    let sorted = Sorted::new(values.to_vec())?;
    let t = values.len();
    let k = median_sequence_rank(t, 1.0 - confidence);
    let (lower, upper) = if k == 0 {
        (f64::NEG_INFINITY, f64::INFINITY)
    } else {
        (sorted.values()[k - 1], sorted.values()[t - k])
    };
    Some(MedianInterval {
        point: sorted.median(),
        lower,
        upper,
        coverage: confidence,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::sign_test::median_interval_rank;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;
    use rand_distr::{Cauchy, Distribution, Normal};

    /// The binomial(t, 1/2) probability of exactly `k`, directly (small t only).
    fn pmf(t: u32, k: u32) -> f64 {
        let mut c = 1.0;
        for i in 0..k {
            c = c * f64::from(t - i) / f64::from(i + 1);
        }
        c / 2f64.powi(t as i32)
    }

    #[test]
    fn ranks_follow_the_definition() {
        for t in 1..=60u32 {
            let k = median_sequence_rank(t as usize, 0.05);
            let limit = 0.05 / f64::from(t + 1);
            if k > 0 {
                assert!(pmf(t, k as u32 - 1) <= limit, "t {t}: k {k}");
            }
            assert!(pmf(t, k as u32) > limit, "t {t}: k {k}");
            // Never narrower than the fixed-sample sign test at the same count.
            assert!(k <= median_interval_rank(t as usize).0, "t {t}");
        }
        // Large counts stay finite (no 2^t overflow) and the bounds widen in rank.
        let k = median_sequence_rank(10_000, 0.05);
        assert!((4_800..4_900).contains(&k), "{k}");
        assert_eq!(median_sequence_rank(0, 0.05), 0);
    }

    #[test]
    fn intervals_are_order_statistics() {
        let values: Vec<f64> = (1..=30).rev().map(f64::from).collect();
        let interval = median_sequence_interval(&values, 0.95).unwrap();
        assert_eq!((interval.lower, interval.upper), (7.0, 24.0));
        assert_eq!(interval.point, 15.5);
        let few = median_sequence_interval(&values[..7], 0.95).unwrap();
        assert!(few.lower.is_infinite() && few.upper.is_infinite());
        assert!(median_sequence_interval(&[], 0.95).is_none());
    }

    /// Draws rounds from `draw` and looks after every one of them up to `horizon`; the share of
    /// `runs` in which some look's interval (from `rank`) excluded the true median, 0.
    fn ever_missed(
        runs: usize,
        horizon: usize,
        seed: u64,
        rank: impl Fn(usize) -> usize,
        mut draw: impl FnMut(&mut ChaCha8Rng) -> f64,
    ) -> f64 {
        let ranks: Vec<usize> = (0..=horizon).map(rank).collect();
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut missed = 0;
        for _ in 0..runs {
            let (mut at_most, mut at_least) = (0, 0);
            for &k in ranks.iter().skip(1) {
                let x = draw(&mut rng);
                at_most += usize::from(x <= 0.0);
                at_least += usize::from(x >= 0.0);
                // The k-th smallest is above the median exactly when fewer than k values are at
                // most the median, and the k-th largest below it when fewer than k are at least.
                if k > 0 && (at_most < k || at_least < k) {
                    missed += 1;
                    break;
                }
            }
        }
        missed as f64 / runs as f64
    }

    #[test]
    fn coverage_holds_although_every_round_is_looked_at() {
        // Log ratios as a shared machine produces them: Gaussian scatter, heavy tails, and a
        // tenth of the rounds disturbed by 2x on one side; all with median 0.
        let runs = 4000;
        let horizon = 500;
        let normal = Normal::new(0.0, 0.03).unwrap();
        let cauchy = Cauchy::new(0.0, 0.02).unwrap();
        let sequence = |t| median_sequence_rank(t, 0.05);
        // Three binomial standard errors of a 5% rate over 4000 runs: 1%.
        let limit = 0.05 + 3.0 * (0.05f64 * 0.95 / runs as f64).sqrt();
        let shares = [
            ever_missed(runs, horizon, 1, sequence, |rng| normal.sample(rng)),
            ever_missed(runs, horizon, 2, sequence, |rng| cauchy.sample(rng)),
            ever_missed(runs, horizon, 3, sequence, |rng| {
                let base: f64 = normal.sample(rng);
                match rng.random_range(0..20) {
                    0 => base + std::f64::consts::LN_2,
                    1 => base - std::f64::consts::LN_2,
                    _ => base,
                }
            }),
            // Ties: a coarse timer makes many ratios exactly equal to the median.
            ever_missed(runs, horizon, 4, sequence, |rng| {
                f64::from(rng.random_range(-2..=2))
            }),
        ];
        for share in shares {
            assert!(share <= limit, "{shares:?}");
        }
        // The fixed-sample interval, looked at after every round, misses far more often: the
        // very failure the confidence sequence exists to prevent (so this test can fail).
        let peeking = ever_missed(
            runs,
            horizon,
            1,
            |t| if t < 6 { 0 } else { median_interval_rank(t).0 },
            |rng| normal.sample(rng),
        );
        assert!(peeking > 0.2, "{peeking}");
    }

    #[test]
    fn the_interval_function_matches_the_counts() {
        // The same misses counted through `median_sequence_interval` on every prefix.
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        let normal = Normal::new(0.0, 1.0).unwrap();
        let mut missed = 0;
        let runs = 300;
        for _ in 0..runs {
            let mut values = Vec::new();
            for _ in 0..120 {
                values.push(normal.sample(&mut rng));
                let interval = median_sequence_interval(&values, 0.95).unwrap();
                if interval.lower > 0.0 || interval.upper < 0.0 {
                    missed += 1;
                    break;
                }
            }
        }
        assert!(missed as f64 / (runs as f64) <= 0.05 + 0.04, "{missed}");
    }
}
