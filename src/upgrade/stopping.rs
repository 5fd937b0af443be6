//! When a check stops measuring: after a fixed number of rounds (`--rounds N`), or adaptively,
//! as soon as every benchmark is decided or the time budget (`--budget`, default 3 minutes) has
//! run out.
//!
//! Adaptive stopping looks at each benchmark after every pair of rounds (AB then BA, so that
//! both orders are always equally often in its data) and retires it once its verdict is not
//! inconclusive: the lower bound above the threshold (regressed), the upper bound below its
//! mirror image (improved), or the whole interval within both (no change). That many looks would
//! inflate the false-alarm rate of the fixed-sample sign test, so the adaptive check judges the
//! confidence sequence of [`crate::stats::sequential`] instead, which covers the true median at
//! every look at once, so stopping on the first verdict keeps the stated 95%.

use std::time::Duration;

use super::paired::Interval;

/// How long a check measures.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Stopping {
    /// Exactly this many rounds per benchmark, judged by the fixed-sample sign test.
    Fixed { rounds: usize },
    /// Rounds until every benchmark is decided or `budget` of measuring has passed (checked
    /// before each pair of rounds), judged by the confidence sequence.
    Adaptive { budget: Duration },
}

impl Stopping {
    /// The interval that is valid for this way of stopping.
    pub fn interval(&self) -> Interval {
        match self {
            Stopping::Fixed { .. } => Interval::SignTest,
            Stopping::Adaptive { .. } => Interval::ConfidenceSequence,
        }
    }

    /// Whether the benchmarks are looked at after `rounds` rounds.
    pub fn looks_after(&self, rounds: usize) -> bool {
        matches!(self, Stopping::Adaptive { .. }) && rounds.is_multiple_of(2)
    }

    /// How far the rounds have come before round `round` (0-based), after `measured` of
    /// measuring: the fraction of the fixed rounds, or of the budget, done.
    pub fn progress(&self, round: usize, measured: Duration) -> f64 {
        match *self {
            Stopping::Fixed { rounds } => round as f64 / rounds.max(1) as f64,
            Stopping::Adaptive { budget } => {
                measured.as_secs_f64() / budget.as_secs_f64().max(f64::MIN_POSITIVE)
            }
        }
    }

    /// Whether round `round` (0-based) may start after `measured` of measuring.
    pub fn may_start(&self, round: usize, measured: Duration) -> bool {
        match *self {
            Stopping::Fixed { rounds } => round < rounds,
            // A pair of rounds, once begun, is finished.
            Stopping::Adaptive { budget } => !round.is_multiple_of(2) || measured < budget,
        }
    }
}

impl serde::Serialize for Stopping {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut fields = serializer.serialize_struct("Stopping", 2)?;
        match self {
            Stopping::Fixed { rounds } => {
                fields.serialize_field("kind", "fixed")?;
                fields.serialize_field("rounds", rounds)?;
            }
            Stopping::Adaptive { budget } => {
                fields.serialize_field("kind", "adaptive")?;
                fields.serialize_field("budget_s", &budget.as_secs_f64())?;
            }
        }
        fields.end()
    }
}

/// When a benchmark was decided, in an adaptive check.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Decision {
    /// Rounds it took.
    pub rounds: usize,
    /// Seconds of measuring (from the first round of the check) until then.
    pub measuring_s: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budgets_are_checked_before_pairs_of_rounds() {
        let adaptive = Stopping::Adaptive {
            budget: Duration::from_secs(10),
        };
        assert!(adaptive.may_start(0, Duration::from_secs(9)));
        assert!(!adaptive.may_start(2, Duration::from_secs(10)));
        assert!(adaptive.may_start(3, Duration::from_secs(11)));
        assert!(adaptive.looks_after(2) && !adaptive.looks_after(3));
        let fixed = Stopping::Fixed { rounds: 6 };
        assert!(fixed.may_start(5, Duration::MAX) && !fixed.may_start(6, Duration::ZERO));
        assert!(!fixed.looks_after(2));
        assert_eq!(fixed.progress(3, Duration::MAX), 0.5);
        assert_eq!(adaptive.progress(9, Duration::from_secs(5)), 0.5);
        assert_eq!(fixed.interval(), Interval::SignTest);
        assert_eq!(
            serde_json::to_value(adaptive).unwrap(),
            serde_json::json!({"kind": "adaptive", "budget_s": 10.0})
        );
    }
}
