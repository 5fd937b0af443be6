//! The statistics behind `compare` and `check`: a bootstrap interval for the change between two
//! sets of runs, and the between-run spread that the noise floor is learned from.
//!
//! Everything happens on the log scale: a run's location is the logarithm of its median time per
//! iteration, a change is a difference of log locations, and `exp(d) - 1` turns it back into the
//! relative change users read (+0.30 = 30% slower). Log scale makes "2x slower" and "2x faster"
//! symmetric and lets the spread of one benchmark be compared with another's.

use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Confidence level of every interval epbench reports for a change.
pub const CONFIDENCE: f64 = 0.95;

/// Two-sided normal quantile for [`CONFIDENCE`].
const Z: f64 = 1.959_963_984_540_054;

/// Student's t quantiles for [`CONFIDENCE`] (two-sided, i.e. the 0.975 quantile) for 1 to 30
/// degrees of freedom.
const T_975: [f64; 30] = [
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
    2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
    2.052, 2.048, 2.045, 2.042,
];

/// Bootstrap resamples per comparison; the 2.5% and 97.5% percentiles of 5000 resamples move by
/// well under a percent of the change between seeds, and one benchmark takes milliseconds.
pub const RESAMPLES: usize = 5000;

/// A relative change of the new side against the reference side, with its confidence interval.
/// `+0.30` means 30% slower (more time per iteration), `-0.10` 10% faster.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Change {
    /// The point estimate: the ratio of the geometric means of the runs' medians, minus one.
    pub point: f64,
    /// Lower bound of the interval.
    pub lower: f64,
    /// Upper bound of the interval.
    pub upper: f64,
    /// Confidence level of the interval.
    pub confidence: f64,
}

/// The median of `values` (which it reorders); NaN when empty.
pub fn median(values: &mut [f64]) -> f64 {
    let n = values.len();
    if n == 0 {
        return f64::NAN;
    }
    let (_, upper, _) = values.select_nth_unstable_by(n / 2, f64::total_cmp);
    let upper = *upper;
    if n % 2 == 1 {
        return upper;
    }
    // The lower middle is the largest value left of the upper middle.
    let lower = values[..n / 2]
        .iter()
        .copied()
        .fold(f64::NEG_INFINITY, f64::max);
    (lower + upper) / 2.0
}

/// The location of a set of runs: the mean over runs of the log median time per iteration.
/// Runs are weighted equally whatever their sample counts, because between-run differences,
/// not samples, dominate the uncertainty.
pub fn log_location(runs: &[&[f64]]) -> f64 {
    let sum: f64 = runs.iter().map(|run| median(&mut run.to_vec()).ln()).sum();
    sum / runs.len() as f64
}

/// The change from `reference` runs to `new` runs, with a percentile-bootstrap interval of the
/// within-run uncertainty: each resample draws every run's samples with replacement (runs stay
/// fixed), takes medians, and compares the log locations. `seed` makes the interval reproducible.
///
/// Between-run noise is deliberately not in this interval; it is the noise floor's job
/// ([`super::noise`]), because with one or three runs per side a bootstrap over runs cannot
/// estimate it.
pub fn bootstrap_change(
    reference: &[&[f64]],
    new: &[&[f64]],
    resamples: usize,
    seed: u64,
) -> Change {
    let point = log_location(new) - log_location(reference);
    let reference = sorted_runs(reference);
    let new = sorted_runs(new);
    let (lower, upper) = bootstrap_interval(resamples, seed, |rng, counts| {
        resampled_location(&new, rng, counts) - resampled_location(&reference, rng, counts)
    });
    Change {
        point: point.exp_m1(),
        lower: lower.exp_m1(),
        upper: upper.exp_m1(),
        confidence: CONFIDENCE,
    }
}

/// A typical time per iteration with its confidence interval, in the unit of the samples.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Location {
    /// The geometric mean of the runs' medians (a single run's median).
    pub point: f64,
    /// Lower bound of the interval.
    pub lower: f64,
    /// Upper bound of the interval.
    pub upper: f64,
    /// Confidence level of the interval.
    pub confidence: f64,
}

/// The location of one side, [`log_location`] back on the linear scale, with the same
/// percentile-bootstrap interval as [`bootstrap_change`] (samples resampled within each run, the
/// runs fixed), so it covers noise within runs, not between them.
pub fn bootstrap_location(runs: &[&[f64]], resamples: usize, seed: u64) -> Location {
    let point = log_location(runs);
    let runs = sorted_runs(runs);
    let (lower, upper) = bootstrap_interval(resamples, seed, |rng, counts| {
        resampled_location(&runs, rng, counts)
    });
    Location {
        point: point.exp(),
        lower: lower.exp(),
        upper: upper.exp(),
        confidence: CONFIDENCE,
    }
}

/// The [`CONFIDENCE`] percentile interval of `resamples` bootstrap draws, each made by `draw`
/// with a generator seeded from `seed` (and a scratch buffer for resample counts).
fn bootstrap_interval(
    resamples: usize,
    seed: u64,
    mut draw: impl FnMut(&mut ChaCha8Rng, &mut Vec<u32>) -> f64,
) -> (f64, f64) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut counts = Vec::new();
    let mut draws: Vec<f64> = (0..resamples.max(1))
        .map(|_| draw(&mut rng, &mut counts))
        .collect();
    draws.sort_by(f64::total_cmp);
    let alpha = 1.0 - CONFIDENCE;
    (
        percentile(&draws, alpha / 2.0),
        percentile(&draws, 1.0 - alpha / 2.0),
    )
}

fn sorted_runs(runs: &[&[f64]]) -> Vec<Vec<f64>> {
    runs.iter()
        .map(|run| {
            let mut sorted = run.to_vec();
            sorted.sort_by(f64::total_cmp);
            sorted
        })
        .collect()
}

/// The mean log median of one resample of each (sorted) run. A resample only needs how often
/// each sample was drawn: walking those counts in sorted order finds the median without sorting
/// or selecting, which keeps thousands of resamples cheap.
fn resampled_location(runs: &[Vec<f64>], rng: &mut ChaCha8Rng, counts: &mut Vec<u32>) -> f64 {
    let mut sum = 0.0;
    for run in runs {
        let n = run.len();
        counts.clear();
        counts.resize(n, 0);
        for _ in 0..n {
            counts[random_index(rng, n)] += 1;
        }
        sum += counted_median(run, counts).ln();
    }
    sum / runs.len() as f64
}

/// A uniform index below `n` by Lemire's multiply-shift; its bias, below `n / 2^32`, is far
/// smaller than the bootstrap's own Monte Carlo error.
fn random_index(rng: &mut ChaCha8Rng, n: usize) -> usize {
    ((u64::from(rng.next_u32()) * n as u64) >> 32) as usize
}

/// The median of the multiset that holds `sorted[i]` `counts[i]` times.
fn counted_median(sorted: &[f64], counts: &[u32]) -> f64 {
    let total: usize = counts.iter().map(|&c| c as usize).sum();
    // The values at 0-based ranks (total - 1) / 2 and total / 2: equal for odd totals.
    let (low_rank, high_rank) = ((total - 1) / 2, total / 2);
    let mut seen = 0;
    let mut low = f64::NAN;
    for (value, &count) in sorted.iter().zip(counts) {
        seen += count as usize;
        if low.is_nan() && seen > low_rank {
            low = *value;
        }
        if seen > high_rank {
            return (low + value) / 2.0;
        }
    }
    low
}

/// The `p` quantile of sorted `values` (nearest rank).
fn percentile(sorted: &[f64], p: f64) -> f64 {
    let index = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

/// The spread of the runs' log locations around their mean: the sum of squared deviations and
/// its degrees of freedom (runs - 1). `None` for fewer than two runs.
pub fn between_run_spread(runs: &[&[f64]]) -> Option<(f64, usize)> {
    if runs.len() < 2 {
        return None;
    }
    let locations: Vec<f64> = runs.iter().map(|run| log_location(&[run])).collect();
    let mean = locations.iter().sum::<f64>() / locations.len() as f64;
    let squares = locations.iter().map(|l| (l - mean).powi(2)).sum();
    Some((squares, runs.len() - 1))
}

/// The 0.975 quantile of Student's t with `df` degrees of freedom (`df` >= 1): the multiplier
/// of a 95% interval whose standard deviation was estimated from `df + 1` observations. Tabulated
/// to 30, then the Cornish-Fisher expansion around the normal quantile (exact to 1e-3 there).
pub fn t_quantile_975(df: usize) -> f64 {
    match df {
        0 => f64::INFINITY,
        1..=30 => T_975[df - 1],
        _ => {
            let n = df as f64;
            Z + (Z.powi(3) + Z) / (4.0 * n)
                + (5.0 * Z.powi(5) + 16.0 * Z.powi(3) + 3.0 * Z) / (96.0 * n * n)
        }
    }
}

/// A seed derived from a benchmark id (FNV-1a), so that each benchmark's interval is the same
/// whatever else is compared or filtered.
pub fn seed_for(id: &str) -> u64 {
    id.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    fn noisy(center: f64, n: usize, seed: u64) -> Vec<f64> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        (0..n)
            .map(|_| center * (1.0 + 0.2 * (rng.random::<f64>() - 0.5)))
            .collect()
    }

    #[test]
    fn medians() {
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&mut [4.0, 1.0, 3.0, 2.0]), 2.5);
        assert!(median(&mut []).is_nan());
        // 1, 2, 2, 4 and 1, 2, 4, 4, 4.
        assert_eq!(counted_median(&[1.0, 2.0, 4.0], &[1, 2, 1]), 2.0);
        assert_eq!(counted_median(&[1.0, 2.0, 4.0], &[1, 1, 3]), 4.0);
        assert_eq!(counted_median(&[1.0, 2.0, 4.0], &[1, 1, 0]), 1.5);
    }

    #[test]
    fn interval_covers_the_true_change_and_is_reproducible() {
        let reference = noisy(100.0, 100, 1);
        let new = noisy(130.0, 100, 2);
        let change = bootstrap_change(&[&reference], &[&new], 2000, 7);
        assert!(change.lower < 0.30 && 0.30 < change.upper, "{change:?}");
        assert!(change.lower > 0.2 && change.upper < 0.4, "{change:?}");
        assert_eq!(
            change,
            bootstrap_change(&[&reference], &[&new], 2000, 7),
            "same seed, same interval"
        );
        let same = bootstrap_change(&[&reference], &[&reference], 2000, 7);
        assert_eq!(same.point, 0.0);
        assert!(same.lower < 0.0 && same.upper > 0.0, "{same:?}");
    }

    #[test]
    fn location_interval_brackets_the_median_of_medians() {
        let a = noisy(100.0, 200, 3);
        let b = noisy(120.0, 200, 4);
        let one = bootstrap_location(&[&a], 2000, 9);
        let median_a = median(&mut a.clone());
        assert!((one.point - median_a).abs() < 1e-9 * median_a, "{one:?}");
        assert!(one.lower < one.point && one.point < one.upper, "{one:?}");
        assert!(one.lower > 95.0 && one.upper < 105.0, "{one:?}");
        let two = bootstrap_location(&[&a, &b], 2000, 9);
        let expected = (median(&mut a.clone()) * median(&mut b.clone())).sqrt();
        assert!((two.point - expected).abs() < 1e-9 * expected, "{two:?}");
        assert!(two.lower < two.point && two.point < two.upper, "{two:?}");
        assert_eq!(two, bootstrap_location(&[&a, &b], 2000, 9));
    }

    #[test]
    fn t_quantiles_approach_the_normal() {
        assert_eq!(t_quantile_975(2), 4.303);
        assert!((t_quantile_975(31) - 2.040).abs() < 1e-3);
        assert!((t_quantile_975(120) - 1.980).abs() < 1e-3);
        assert!(t_quantile_975(100_000) > Z && t_quantile_975(100_000) < Z + 1e-4);
        assert!(t_quantile_975(0).is_infinite());
    }

    #[test]
    fn spread_is_on_the_log_scale() {
        let a = [100.0, 100.0, 100.0];
        let b = [200.0, 200.0, 200.0];
        let (squares, df) = between_run_spread(&[&a, &b]).unwrap();
        assert_eq!(df, 1);
        assert!((squares - 2.0f64.ln().powi(2) / 2.0).abs() < 1e-12);
        assert!(between_run_spread(&[&a]).is_none());
    }
}
