//! Partitions of a model before and after a fix, through the library's one entry point
//! ([`crate::measure::partitions::on_ep`]): measured where the EP partitions here, predicted by
//! the offline CoreML rules otherwise, and always saying which.

use std::path::Path;

use crate::measure::partitions;
use crate::partitions::{self as rules_analysis, AnalyzeOptions};
use crate::runtime::{CoreMlOptions, Ep};
use crate::study::results::PartitionOutcome;
use crate::workload::NamedInputs;

/// The partitions of `model` on `ep`; `None` for the CPU EP, which takes every node.
/// `inputs` feed the profiled runs that OpenVINO's partitions are read from.
pub fn partitions_on(model: &Path, ep: &Ep, inputs: &NamedInputs) -> Option<PartitionOutcome> {
    let profiles = match tempfile::tempdir() {
        Ok(dir) => dir,
        Err(e) => {
            return Some(PartitionOutcome::Failed {
                reason: format!("cannot make a profile dir: {e}"),
            });
        }
    };
    let feed = |session: &ort::session::Session| {
        let named: Vec<(&str, &ort::value::DynValue)> =
            inputs.iter().map(|(n, v)| (n.as_str(), v)).collect();
        crate::correctness::adapt_inputs(session, &named)
            .map_err(|reason| crate::runtime::RuntimeError::Ort(reason).into())
    };
    partitions::on_ep(model, ep, &profiles.path().join("profile"), feed)
        .transpose()
        .map(PartitionOutcome::from)
}

/// The offline CoreML analysis of `model` for the format and shape option of `options` (the
/// current release's rules).
pub(super) fn analyze_for(
    model: &Path,
    options: &CoreMlOptions,
) -> Result<rules_analysis::Analysis, rules_analysis::PartitionError> {
    rules_analysis::analyze_file(
        model,
        AnalyzeOptions {
            format: options.format,
            require_static_input_shapes: options.static_shapes,
            ..AnalyzeOptions::default()
        },
    )
}
