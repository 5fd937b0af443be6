//! Partitions of a model before and after a fix, through the library's one entry point
//! ([`crate::measure::partitions::on_ep`]): measured where the EP partitions here, predicted by
//! the offline CoreML rules otherwise, and always saying which.

use std::path::Path;

use crate::measure::partitions;
use crate::runtime::Ep;
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
