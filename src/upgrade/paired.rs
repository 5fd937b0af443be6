//! The paired statistics: per round, the log ratio of the two sides' burst medians; the change
//! is `exp(mean) - 1` and its 95% interval is Student's t over rounds.
//!
//! Pairing is what makes the check work on a busy machine: drift that slows both sides within a
//! round cancels in their ratio, so the interval only has to cover what is left, the
//! round-to-round scatter of the ratio. Rounds are the independent units (not iterations, which
//! share a burst's conditions), hence t with rounds − 1 degrees of freedom. The side that goes
//! first alternates (see `schedule`), so an order effect cancels in the mean over an even number
//! of rounds and only widens the interval.

use crate::baseline::noise::{NoiseBasis, NoiseFloor};
use crate::baseline::stats::{CONFIDENCE, Change, t_quantile_975};
use crate::baseline::verdict::{self, Verdict};

/// The change of the `to` side against the `from` side over paired rounds.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct PairedChange {
    /// `+0.10` = the `to` side takes 10% more time; with its 95% interval.
    pub change: Change,
    /// Rounds the change is estimated from.
    pub rounds: usize,
    /// Standard deviation of the per-round log ratios.
    pub log_sd: f64,
    /// Half-width of the interval on the log scale (`t · sd / √rounds`): the resolution of this
    /// measurement, the same for slower and faster.
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
    let mean = ratios.iter().sum::<f64>() / n as f64;
    let variance = ratios.iter().map(|r| (r - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    let log_sd = variance.sqrt();
    let log_half_width = t_quantile_975(n - 1) * log_sd / (n as f64).sqrt();
    Some(PairedChange {
        change: Change {
            point: mean.exp_m1(),
            lower: (mean - log_half_width).exp_m1(),
            upper: (mean + log_half_width).exp_m1(),
            confidence: CONFIDENCE,
        },
        rounds: n,
        log_sd,
        log_half_width,
    })
}

/// Judges a paired change with the baseline module's rule: regressed only when the interval's
/// lower bound exceeds `threshold`, improved only when its upper bound is below the mirror image
/// `1 / (1 + threshold) - 1`. No noise floor: pairing already put the between-run drift into
/// the interval.
pub fn judge(change: Change, threshold: f64) -> Verdict {
    let no_floor = NoiseFloor {
        fraction: 0.0,
        basis: NoiseBasis::Given,
    };
    verdict::judge(change, threshold, no_floor).verdict
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
        assert_eq!(judge(paired.change, 0.05), Verdict::Slower);
        assert!(paired_change(&[1.0], &[1.0]).is_none());
        assert!(paired_change(&[1.0, 0.0], &[1.0, 1.0]).is_none());
    }
}
