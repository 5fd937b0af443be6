//! The rule that turns a change, a threshold and a noise floor into a verdict.

use super::noise::NoiseFloor;
use super::stats::Change;

/// What a comparison concludes about one benchmark.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Slower beyond the gate with 95% confidence: a regression.
    Slower,
    /// Faster beyond the gate with 95% confidence.
    Faster,
    /// The interval reaches inside the gate: no change that noise and the threshold cannot
    /// explain.
    Unchanged,
}

/// One benchmark's change, judged.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Judged {
    /// The change and its interval.
    pub change: Change,
    /// The noise floor used.
    pub noise_floor: NoiseFloor,
    /// `max(threshold, noise floor)`: the size a change must exceed to count.
    pub gate: f64,
    /// The conclusion.
    pub verdict: Verdict,
}

/// Judges `change`: slower only when the interval's lower bound exceeds
/// `max(threshold, noise floor)`, faster only when its upper bound is below the mirror image of
/// that gate on the log scale (`1 / (1 + gate) - 1`, so that 2x slower and 2x faster need the
/// same evidence).
pub fn judge(change: Change, threshold: f64, noise_floor: NoiseFloor) -> Judged {
    let gate = threshold.max(noise_floor.fraction);
    let verdict = if change.lower > gate {
        Verdict::Slower
    } else if change.upper < 1.0 / (1.0 + gate) - 1.0 {
        Verdict::Faster
    } else {
        Verdict::Unchanged
    };
    Judged {
        change,
        noise_floor,
        gate,
        verdict,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::baseline::noise::NoiseBasis;

    fn change(lower: f64, upper: f64) -> Change {
        Change {
            point: (lower + upper) / 2.0,
            lower,
            upper,
            confidence: 0.95,
        }
    }

    fn floor(fraction: f64) -> NoiseFloor {
        NoiseFloor {
            fraction,
            basis: NoiseBasis::Given,
        }
    }

    #[test]
    fn the_gate_is_the_larger_of_threshold_and_noise() {
        let slow = change(0.25, 0.35);
        assert_eq!(judge(slow, 0.10, floor(0.0)).verdict, Verdict::Slower);
        assert_eq!(judge(slow, 0.10, floor(0.30)).verdict, Verdict::Unchanged);
        assert_eq!(judge(slow, 0.30, floor(0.0)).verdict, Verdict::Unchanged);
        assert_eq!(judge(slow, 0.10, floor(0.30)).gate, 0.30);
        // A 25% gate on the slow side is a 20% gate on the fast side (1 / 1.25 = 0.8).
        let fast = change(-0.25, -0.21);
        assert_eq!(judge(fast, 0.25, floor(0.0)).verdict, Verdict::Faster);
        assert_eq!(judge(fast, 0.30, floor(0.0)).verdict, Verdict::Unchanged);
    }
}
