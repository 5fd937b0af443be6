//! What a change with an interval supports: the one rule baselines, the study and upgrade
//! checks judge by.

use super::change::Change;

/// What a comparison concludes about one benchmark, at a gate: the smallest change that counts
/// (a threshold, or a noise floor where that is larger).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The whole interval is above `+gate`: slower, a regression.
    Slower,
    /// The whole interval is below the mirror image of the gate, `1 / (1 + gate) - 1`: faster.
    Faster,
    /// The whole interval lies between those bounds: the same within the gate.
    Equivalent,
    /// The interval reaches across a bound: the data cannot tell.
    Inconclusive,
}

impl Verdict {
    /// Judges `change` at `gate` (a fraction, 0.05 = 5%). The fast side's bound is the gate's
    /// mirror image on the log scale, so that 2x slower and 2x faster need the same evidence.
    ///
    /// ```
    /// use epbench::stats::{Change, Verdict};
    ///
    /// let change = |lower, upper| Change { point: (lower + upper) / 2.0, lower, upper, confidence: 0.95 };
    /// assert_eq!(Verdict::judge(&change(0.06, 0.2), 0.05), Verdict::Slower);
    /// assert_eq!(Verdict::judge(&change(-0.2, -0.05), 0.05), Verdict::Faster);
    /// assert_eq!(Verdict::judge(&change(-0.03, 0.04), 0.05), Verdict::Equivalent);
    /// assert_eq!(Verdict::judge(&change(-0.03, 0.08), 0.05), Verdict::Inconclusive);
    /// ```
    pub fn judge(change: &Change, gate: f64) -> Verdict {
        let faster_bound = 1.0 / (1.0 + gate) - 1.0;
        if change.lower > gate {
            Verdict::Slower
        } else if change.upper < faster_bound {
            Verdict::Faster
        } else if change.lower >= faster_bound && change.upper <= gate {
            Verdict::Equivalent
        } else {
            Verdict::Inconclusive
        }
    }

    /// Whether the verdict claims a difference (slower or faster).
    pub fn is_difference(self) -> bool {
        matches!(self, Verdict::Slower | Verdict::Faster)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fast_bound_mirrors_the_slow_one() {
        // A 25% gate on the slow side is a 20% gate on the fast side (1 / 1.25 = 0.8).
        let fast = Change::between(-0.25, -0.21);
        assert_eq!(Verdict::judge(&fast, 0.25), Verdict::Faster);
        assert_eq!(Verdict::judge(&fast, 0.30), Verdict::Inconclusive);
        assert_eq!(
            Verdict::judge(&Change::between(0.25, 0.35), 0.30),
            Verdict::Inconclusive
        );
        assert_eq!(
            Verdict::judge(&Change::between(-0.19, 0.24), 0.25),
            Verdict::Equivalent
        );
        // With no gate only an interval at exactly zero is equivalent.
        assert_eq!(
            Verdict::judge(&Change::between(0.0, 0.0), 0.0),
            Verdict::Equivalent
        );
        assert_eq!(
            Verdict::judge(&Change::between(-0.01, 0.01), 0.0),
            Verdict::Inconclusive
        );
        assert!(Verdict::Slower.is_difference() && !Verdict::Equivalent.is_difference());
    }
}
