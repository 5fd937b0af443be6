//! The paired statistics: per round, the log ratio of the two sides' bursts, and per pair of
//! rounds (A B then B A) the mean of the two; the change is the median of those pair ratios,
//! with a distribution-free interval for a median, and the verdict judges that interval at the
//! threshold.
//!
//! Pairing is what makes the check work on a busy machine: drift that slows both sides within a
//! round cancels in their ratio, so the interval only has to cover what is left, the
//! round-to-round scatter of the ratio. Rounds are the independent units (not iterations, which
//! share a burst's conditions). What is left is not Gaussian: on a shared machine another
//! process now and then lands on one side's burst and not the other's, and that round's ratio is
//! off by 2x. A mean with Student's t lets one such round move the point and widen or shift the
//! interval, and produced false verdicts in A/A runs here; the median and its order-statistic
//! intervals ignore a few wild rounds whatever their size, and assume only that rounds are
//! independent. The verdict is [`Verdict::judge`] at the threshold, with no noise floor: pairing
//! already put the between-run drift into the interval.
//!
//! The unit is a pair of rounds, not a round, because the side that goes first alternates (see
//! `schedule`) and going first or second is not neutral: whatever the first side leaves behind
//! (warm caches, or threads still busy on a core) helps or hurts the second. Within a pair each
//! side goes first once, so the mean of the pair's two log ratios cancels such an order effect
//! exactly (and a linear drift across the pair with it), where per-round ratios would carry it
//! as scatter, half the rounds up and half down. A disturbed round moves its pair by half as
//! much, and the median still ignores a few such pairs.
//!
//! Two intervals, for two ways of stopping ([`Interval`]): the sign test's for a number of
//! rounds fixed in advance, the confidence sequence's for a check that stops when decided. Both
//! bound the median by the `k`-th smallest and largest ratio, so both have the same
//! [`Resolution`]: the smallest true change that a run with this many rounds and this scatter
//! flags with 95% power ([`crate::stats::power`]).

use crate::stats::power::detectable_margin;
use crate::stats::sequential::{median_sequence_interval, median_sequence_rank};
use crate::stats::sign_test::{MedianInterval, median_interval, median_interval_rank};
use crate::stats::{CONFIDENCE, Change, Verdict};

/// The power at which [`Resolution`] is stated.
pub const POWER: f64 = 0.95;

/// How the interval of the median ratio is built.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Interval {
    /// The sign test's order statistics: 95% for a number of rounds fixed in advance.
    SignTest,
    /// The confidence sequence ([`crate::stats::sequential`]): 95% at every look at once.
    ConfidenceSequence,
}

impl Interval {
    /// The rank of the order statistics that bound the median of `n` ratios (0: no bound).
    pub fn rank(self, n: usize) -> usize {
        match self {
            Interval::SignTest => median_interval_rank(n).0,
            Interval::ConfidenceSequence => median_sequence_rank(n, 1.0 - CONFIDENCE),
        }
    }

    fn of(self, ratios: &[f64]) -> Option<MedianInterval> {
        match self {
            Interval::SignTest => median_interval(ratios),
            Interval::ConfidenceSequence => median_sequence_interval(ratios, CONFIDENCE),
        }
    }
}

/// The change of the `to` side against the `from` side over paired rounds.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct PairedChange {
    /// `+0.10` = the `to` side takes 10% more time; with its interval (`confidence` is the
    /// interval's coverage: the sign test's exact one, at least 95% from six rounds on, or the
    /// confidence sequence's 95%). An unbounded side (a confidence sequence before its eighth
    /// round) is written as null.
    pub change: Change,
    /// Rounds the change is estimated from (twice the pairs).
    pub rounds: usize,
    /// Half the interval's width on the log scale.
    pub log_half_width: f64,
}

/// The smallest true change a run with this many rounds and this pair-to-pair scatter flags
/// with [`POWER`]: the threshold plus the margin the scatter needs (see
/// [`crate::stats::power`]), as a change on each side.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Resolution {
    /// The smallest slowdown flagged as a regression, e.g. `0.062`.
    pub slower: f64,
    /// The smallest speed-up flagged as an improvement, e.g. `-0.058`.
    pub faster: f64,
}

impl Resolution {
    /// Both sides as one number on the log scale, written as a slowdown: the `3.1` of
    /// "resolution ±3.1%" (the speed-up side is its mirror image, `1 / 1.031 - 1`).
    pub fn plus_minus(&self) -> f64 {
        self.slower.max(1.0 / (1.0 + self.faster) - 1.0)
    }
}

/// A paired change judged at a threshold.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Judged {
    #[serde(flatten)]
    pub paired: PairedChange,
    pub verdict: Verdict,
    /// `None` while the interval has no finite bound.
    pub resolution: Option<Resolution>,
}

/// The pair ratios of per-round values (`from[r]`, `to[r]` measured in round `r`): for each
/// pair of rounds `2j, 2j + 1`, the mean of their log ratios `ln(to / from)`; a last round
/// without its partner is left out. `None` with fewer than two pairs or a value that is not
/// positive.
pub fn pair_ratios(from: &[f64], to: &[f64]) -> Option<Vec<f64>> {
    let n = from.len().min(to.len()) / 2 * 2;
    let (from, to) = (&from[..n], &to[..n]);
    if n < 4 || from.iter().chain(to).any(|m| !(m.is_finite() && *m > 0.0)) {
        return None;
    }
    let rounds: Vec<f64> = from.iter().zip(to).map(|(f, t)| (t / f).ln()).collect();
    Some(
        rounds
            .chunks_exact(2)
            .map(|p| (p[0] + p[1]) / 2.0)
            .collect(),
    )
}

/// The paired change from per-round values with the sign-test interval (for a number of rounds
/// fixed in advance); see [`judge`] for either interval with its verdict.
pub fn paired_change(from: &[f64], to: &[f64]) -> Option<PairedChange> {
    change_of(&pair_ratios(from, to)?, Interval::SignTest)
}

fn change_of(pairs: &[f64], interval: Interval) -> Option<PairedChange> {
    let bounds = interval.of(pairs)?;
    Some(PairedChange {
        change: Change::from_log(bounds.point, bounds.lower, bounds.upper, bounds.coverage),
        rounds: 2 * pairs.len(),
        log_half_width: (bounds.upper - bounds.lower) / 2.0,
    })
}

/// The paired change of per-round values with `interval`, its verdict at `threshold` and the
/// run's resolution. `None` as for [`pair_ratios`].
pub fn judge(from: &[f64], to: &[f64], interval: Interval, threshold: f64) -> Option<Judged> {
    let ratios = pair_ratios(from, to)?;
    let paired = change_of(&ratios, interval)?;
    let level = threshold.ln_1p();
    let resolution =
        detectable_margin(&ratios, interval.rank(ratios.len()), POWER).map(|m| Resolution {
            slower: (level + m.up).exp_m1(),
            faster: (-(level + m.down)).exp_m1(),
        });
    Some(Judged {
        verdict: Verdict::judge(&paired.change, threshold),
        paired,
        resolution,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;
    use rand_distr::{Distribution, Normal};
    use std::f64::consts::LN_2;

    #[test]
    fn a_constant_ratio_is_exact() {
        let from = [1.0, 2.0, 0.5, 4.0, 3.0];
        let to: Vec<f64> = from.iter().map(|f| f * 1.2).collect();
        let paired = paired_change(&from, &to).unwrap();
        assert!((paired.change.point - 0.2).abs() < 1e-12);
        assert!((paired.change.lower - 0.2).abs() < 1e-12);
        assert!((paired.change.upper - 0.2).abs() < 1e-12);
        assert_eq!(Verdict::judge(&paired.change, 0.05), Verdict::Slower);
        assert_eq!(paired.rounds, 4, "the unpaired fifth round is left out");
        assert!(paired_change(&[1.0; 3], &[1.0; 3]).is_none());
        assert!(paired_change(&[1.0, 0.0, 1.0, 1.0], &[1.0; 4]).is_none());
    }

    #[test]
    fn pairs_cancel_an_order_effect() {
        // Whoever goes second is 50% slower; the `to` side is 10% slower besides. Rounds
        // alternate A B, B A: per-round log ratios swing by ln 1.5 either way, pair means not.
        let from: Vec<f64> = (0..12)
            .map(|r| if r % 2 == 0 { 1.0 } else { 1.5 })
            .collect();
        let to: Vec<f64> = (0..12)
            .map(|r| 1.1 * if r % 2 == 0 { 1.5 } else { 1.0 })
            .collect();
        let paired = paired_change(&from, &to).unwrap();
        assert!((paired.change.point - 0.1).abs() < 1e-12, "{paired:?}");
        assert!(paired.log_half_width < 1e-12);
    }

    #[test]
    fn a_confidence_sequence_has_no_bound_before_eight_pairs() {
        let from = [1.0; 15];
        let judged = judge(&from, &from, Interval::ConfidenceSequence, 0.05).unwrap();
        assert!(judged.paired.change.upper.is_infinite());
        assert_eq!(judged.verdict, Verdict::Inconclusive);
        assert_eq!(judged.resolution, None);
        let judged = judge(&[1.0; 16], &[1.0; 16], Interval::ConfidenceSequence, 0.05).unwrap();
        assert_eq!(judged.verdict, Verdict::Equivalent);
        // No scatter: the resolution is the threshold itself.
        let resolution = judged.resolution.unwrap();
        assert!((resolution.slower - 0.05).abs() < 1e-12, "{resolution:?}");
        assert!((resolution.plus_minus() - 0.05).abs() < 1e-12);
    }

    /// An adaptive check of one benchmark as `check` runs it, on simulated log ratios: looks
    /// after every pair of rounds up to `max_rounds`, stops at the first verdict that is not
    /// inconclusive. The verdict it stopped with (or the last one) and the rounds it took.
    fn adaptive(
        rng: &mut ChaCha8Rng,
        shift: f64,
        threshold: f64,
        max_rounds: usize,
    ) -> (Verdict, usize) {
        let noise = Normal::new(0.0, 0.03).unwrap();
        let mut pairs = Vec::new();
        let mut verdict = Verdict::Inconclusive;
        while 2 * pairs.len() < max_rounds {
            let mut pair = 0.0;
            for _ in 0..2 {
                // One round in ten is disturbed on one side by 2x.
                let disturbed = if rng.random_range(0..10) == 0 {
                    LN_2
                } else {
                    0.0
                };
                pair += (shift + noise.sample(rng) + disturbed) / 2.0;
            }
            pairs.push(pair);
            let change = change_of(&pairs, Interval::ConfidenceSequence)
                .unwrap()
                .change;
            verdict = Verdict::judge(&change, threshold);
            if verdict != Verdict::Inconclusive {
                break;
            }
        }
        (verdict, 2 * pairs.len())
    }

    #[test]
    fn stopping_at_the_first_verdict_keeps_false_alarms_rare_and_finds_real_changes() {
        let mut rng = ChaCha8Rng::seed_from_u64(21);
        let runs = 300;
        // A/A at a 1% threshold: flagged in at most 5% of runs (here: none expected).
        let alarms = (0..runs)
            .filter(|_| adaptive(&mut rng, 0.0, 0.01, 300).0.is_difference())
            .count();
        assert!(alarms <= runs / 20, "{alarms} of {runs}");
        // A true +5% change (log 0.049) with 3% scatter, threshold 1%: found every time, as a
        // regression, well within 300 rounds.
        let mut rounds = Vec::new();
        for _ in 0..runs {
            let (verdict, n) = adaptive(&mut rng, 0.05f64.ln_1p(), 0.01, 300);
            assert_eq!(verdict, Verdict::Slower);
            rounds.push(n);
        }
        rounds.sort_unstable();
        assert!(rounds[runs / 2] < 100, "median rounds {}", rounds[runs / 2]);
    }
}
