//! Whether the two runtimes compute the same outputs: an upgrade that changes results matters as
//! much as one that is slower.
//!
//! The tolerance comes from the correctness module. Both sides run the same model on the same
//! EP; when they also load the same runtime with the same options (an A/A check) the graph and
//! kernels are the same and the CPU EP's class is `identical`. Two releases may pick different
//! kernels or fusions for the same graph, so across versions (or options) it is the class of
//! reordered fp32 arithmetic (or the model's fp16 class), the tightest that allows that.

use crate::correctness::compare::compare_outputs;
use crate::correctness::{OutputTensor, Pairing, Side as ToleranceSide, ToleranceClass};
use crate::onnx::FloatType;
use crate::runtime::Ep;
use crate::zoo::Variant;

/// The outcome of comparing one run's outputs of the two sides.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(tag = "outputs", rename_all = "snake_case")]
pub enum Agreement {
    /// Every output is within tolerance.
    Agree {
        /// Largest absolute difference over all outputs (0 when bit-identical).
        max_abs: f64,
        /// The tolerance class used, e.g. `fp32-reordered`.
        tolerance: ToleranceClass,
    },
    /// Some output differs beyond tolerance: a failed check.
    Mismatch {
        tolerance: ToleranceClass,
        /// One line per output that differs.
        details: Vec<String>,
    },
    /// The outputs could not be obtained from a side.
    Unchecked { reason: String },
}

impl Agreement {
    /// Compares the `to` side's outputs (candidate) with the `from` side's (reference).
    pub fn judge(
        variant: &Variant,
        ep: &Ep,
        same_setup: bool,
        from: &[OutputTensor],
        to: &[OutputTensor],
    ) -> Self {
        let dtype = variant.dtype().unwrap_or(FloatType::F32);
        let side = ToleranceSide::new(ep.clone(), dtype);
        let tolerance = Pairing {
            candidate: side.clone(),
            reference: side,
            same_graph: same_setup,
        }
        .tolerance();
        let comparisons = compare_outputs(to, from, &tolerance);
        let class = tolerance.class;
        let failures: Vec<String> = comparisons
            .iter()
            .filter(|c| !c.pass)
            .map(|c| {
                let what = c
                    .failure
                    .as_ref()
                    .map_or_else(|| "differs".to_string(), ToString::to_string);
                match &c.stats {
                    Some(stats) => {
                        format!("{}: {what} (max abs diff {:.3e})", c.name, stats.max_abs)
                    }
                    None => format!("{}: {what}", c.name),
                }
            })
            .collect();
        if comparisons.is_empty() {
            Agreement::Unchecked {
                reason: "the model has no outputs".into(),
            }
        } else if failures.is_empty() {
            let max_abs = comparisons
                .iter()
                .filter_map(|c| c.stats.as_ref().map(|s| s.max_abs))
                .fold(0.0, f64::max);
            Agreement::Agree {
                max_abs,
                tolerance: class,
            }
        } else {
            Agreement::Mismatch {
                tolerance: class,
                details: failures,
            }
        }
    }

    /// Whether this is a failed check.
    pub fn is_mismatch(&self) -> bool {
        matches!(self, Agreement::Mismatch { .. })
    }
}
