//! The paired statistics: per round, the log ratio of the two sides' burst medians; the change
//! is the median of those ratios and its interval is the distribution-free one for a median
//! (the sign test's order statistics, [`crate::stats::sign_test`]).
//!
//! Pairing is what makes the check work on a busy machine: drift that slows both sides within a
//! round cancels in their ratio, so the interval only has to cover what is left, the
//! round-to-round scatter of the ratio. Rounds are the independent units (not iterations, which
//! share a burst's conditions). What is left is not Gaussian: on a shared machine another
//! process now and then lands on one side's burst and not the other's, and that round's ratio is
//! off by 2x. A mean with Student's t lets one such round move the point and widen or shift the
//! interval, and produced false verdicts in A/A runs here; the median and its order-statistic
//! interval ignore a few wild rounds whatever their size, and assume only that rounds are
//! independent. The verdict is [`crate::stats::Verdict::judge`] at the threshold, with no noise
//! floor: pairing already put the between-run drift into the interval. The side that goes first alternates (see `schedule`), so an order effect is
//! balanced between the ratios above and below the median.

use crate::stats::Change;
use crate::stats::sign_test::median_interval;

/// The change of the `to` side against the `from` side over paired rounds.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct PairedChange {
    /// `+0.10` = the `to` side takes 10% more time; with its interval (`confidence` is the
    /// interval's exact coverage, at least 95% from six rounds on).
    pub change: Change,
    /// Rounds the change is estimated from.
    pub rounds: usize,
    /// Half the interval's width on the log scale: the resolution of this measurement.
    pub log_half_width: f64,
}

/// The paired change from per-round burst medians (`from[r]`, `to[r]` measured in round `r`).
/// `None` with fewer than two rounds or a non-positive median.
pub fn paired_change(from: &[f64], to: &[f64]) -> Option<PairedChange> {
    let n = from.len().min(to.len());
    if n < 2 || from.iter().chain(to).any(|m| !(m.is_finite() && *m > 0.0)) {
        return None;
    }
    let ratios: Vec<f64> = from.iter().zip(to).map(|(f, t)| (t / f).ln()).collect();
    let interval = median_interval(&ratios)?;
    Some(PairedChange {
        change: Change::from_log(
            interval.point,
            interval.lower,
            interval.upper,
            interval.coverage,
        ),
        rounds: n,
        log_half_width: (interval.upper - interval.lower) / 2.0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_constant_ratio_is_exact() {
        let from = [1.0, 2.0, 0.5, 4.0];
        let to: Vec<f64> = from.iter().map(|f| f * 1.2).collect();
        let paired = paired_change(&from, &to).unwrap();
        assert!((paired.change.point - 0.2).abs() < 1e-12);
        assert!((paired.change.lower - 0.2).abs() < 1e-12);
        assert!((paired.change.upper - 0.2).abs() < 1e-12);
        assert_eq!(
            crate::stats::Verdict::judge(&paired.change, 0.05),
            crate::stats::Verdict::Slower
        );
        assert!(paired_change(&[1.0], &[1.0]).is_none());
        assert!(paired_change(&[1.0, 0.0], &[1.0, 1.0]).is_none());
    }
}
