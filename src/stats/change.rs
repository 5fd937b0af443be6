//! A relative change with its confidence interval.

/// Confidence level of the intervals epbench computes (the sign-test interval reports its
/// exact coverage instead, which is at least this).
pub const CONFIDENCE: f64 = 0.95;

/// A relative change of a new side against a reference side, with its confidence interval.
/// `+0.30` means 30% slower (more time per iteration), `-0.10` 10% faster.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Change {
    /// The point estimate.
    pub point: f64,
    /// Lower bound of the interval.
    pub lower: f64,
    /// Upper bound of the interval.
    pub upper: f64,
    /// Confidence level of the interval.
    pub confidence: f64,
}

impl Change {
    /// A change from log-scale point and bounds (`ln(new / reference)`).
    pub fn from_log(point: f64, lower: f64, upper: f64, confidence: f64) -> Self {
        Change {
            point: point.exp_m1(),
            lower: lower.exp_m1(),
            upper: upper.exp_m1(),
            confidence,
        }
    }

    /// The change as a time ratio `new / reference`: `(point, lower, upper)`.
    pub fn ratios(&self) -> (f64, f64, f64) {
        (1.0 + self.point, 1.0 + self.lower, 1.0 + self.upper)
    }
}

#[cfg(test)]
impl Change {
    /// A 95% change with these bounds and its point midway, for tests of judging rules.
    pub(crate) fn between(lower: f64, upper: f64) -> Change {
        Change {
            point: (lower + upper) / 2.0,
            lower,
            upper,
            confidence: CONFIDENCE,
        }
    }
}
