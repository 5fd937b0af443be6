//! The change between two sets of runs with a percentile-bootstrap interval of the noise
//! *within* the runs.
//!
//! Each resample draws every run's samples with replacement (the runs themselves stay fixed),
//! takes medians, and compares the sides' [log locations](super::runs::log_location). The
//! interval covers how much the medians could move if the same runs had drawn other samples; it
//! says nothing about how much another run would differ. That between-run noise needs repeated
//! runs (see `baseline::noise`), because a bootstrap over one to three runs per side cannot
//! estimate it.

use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::change::{CONFIDENCE, Change};
use super::quantile::Sorted;
use super::runs::log_location;

/// Bootstrap resamples per comparison; the 2.5% and 97.5% percentiles of 5000 resamples move by
/// well under a percent of the change between seeds, and one benchmark takes milliseconds.
pub const RESAMPLES: usize = 5000;

/// The change from `reference` runs to `new` runs (ratio of their locations, minus one) with a
/// [`CONFIDENCE`] percentile-bootstrap interval of the within-run noise. `seed` makes the
/// interval reproducible (see [`seed_for`]).
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
    Change::from_log(point, lower, upper, CONFIDENCE)
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
    let draws: Vec<f64> = (0..resamples.max(1))
        .map(|_| draw(&mut rng, &mut counts))
        .collect();
    let alpha = 1.0 - CONFIDENCE;
    match Sorted::new(draws) {
        Some(d) => (d.quantile(alpha / 2.0), d.quantile(1.0 - alpha / 2.0)),
        None => (f64::NAN, f64::NAN),
    }
}

/// A seed derived from a benchmark id (FNV-1a), so that each benchmark's interval is the same
/// whatever else is compared or filtered.
pub fn seed_for(id: &str) -> u64 {
    id.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
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

/// The median (as [`Sorted::median`] defines it) of the multiset that holds `sorted[i]`
/// `counts[i]` times.
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::median;
    use rand::Rng;

    fn noisy(center: f64, n: usize, seed: u64) -> Vec<f64> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        (0..n)
            .map(|_| center * (1.0 + 0.2 * (rng.random::<f64>() - 0.5)))
            .collect()
    }

    #[test]
    fn counted_medians_are_the_medians_of_the_multisets() {
        // 1, 2, 2, 4; 1, 2, 4, 4, 4; 1, 2.
        for (counts, multiset) in [
            ([1, 2, 1], vec![1.0, 2.0, 2.0, 4.0]),
            ([1, 1, 3], vec![1.0, 2.0, 4.0, 4.0, 4.0]),
            ([1, 1, 0], vec![1.0, 2.0]),
        ] {
            assert_eq!(
                Some(counted_median(&[1.0, 2.0, 4.0], &counts)),
                median(&multiset)
            );
        }
    }

    #[test]
    fn location_interval_brackets_the_median_of_medians() {
        let a = noisy(100.0, 200, 3);
        let b = noisy(120.0, 200, 4);
        let one = bootstrap_location(&[&a], 2000, 9);
        let median_a = median(&a).unwrap();
        assert!((one.point - median_a).abs() < 1e-9 * median_a, "{one:?}");
        assert!(one.lower < one.point && one.point < one.upper, "{one:?}");
        assert!(one.lower > 95.0 && one.upper < 105.0, "{one:?}");
        let two = bootstrap_location(&[&a, &b], 2000, 9);
        let expected = (median_a * median(&b).unwrap()).sqrt();
        assert!((two.point - expected).abs() < 1e-9 * expected, "{two:?}");
        assert!(two.lower < two.point && two.point < two.upper, "{two:?}");
        assert_eq!(two, bootstrap_location(&[&a, &b], 2000, 9));
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
}
