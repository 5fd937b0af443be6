//! Partitions of a model on an EP, with where the numbers come from: measured where the EP
//! partitions in this process (CoreML's log line from a CoreML session — on a Mac or with the
//! Linux build of the CoreML EP —, OpenVINO's fused nodes in an ORT profile), predicted by the
//! offline CoreML rules otherwise.

use std::path::Path;

use crate::measure::profile::{ProfileSummary, read_events};
use crate::measure::run::{Runs, time_runs};
use crate::partitions::{self, AnalyzeOptions, PartitionReport};
use crate::runtime::{CoreMlOptions, Ep, SessionConfig};
use crate::study::results::{PartitionNumbers, PartitionOutcome};
use crate::workload::NamedInputs;

/// Profiled runs for OpenVINO's fused nodes: few, the count is what matters.
const PROFILED_RUNS: Runs = Runs {
    warmup: 1,
    iterations: 2,
};

/// The partitions of `model` on `ep`; `None` for the CPU EP, which takes every node.
/// `inputs` feed the profiled runs that OpenVINO's partitions are read from.
pub fn partitions_on(model: &Path, ep: &Ep, inputs: &NamedInputs) -> Option<PartitionOutcome> {
    if *ep == Ep::Cpu {
        return None;
    }
    Some(
        measured_or_predicted(model, ep, inputs)
            .unwrap_or_else(|reason| PartitionOutcome::Failed { reason }),
    )
}

/// Until the library has one entry point for "partitions of model M on EP E with this runtime,
/// measured if the EP partitions here, else predicted", this is it.
fn measured_or_predicted(
    model: &Path,
    ep: &Ep,
    inputs: &NamedInputs,
) -> Result<PartitionOutcome, String> {
    let runtime = crate::runtime::global().map_err(|e| e.to_string())?;
    let available = runtime.availability(ep);
    match ep {
        Ep::CoreMl(options) if available.can_partition() => {
            let measured = partitions::coreml_ep::measure(model, options, None)
                .map_err(|e| e.to_string())?
                .measured;
            Ok(PartitionOutcome::Known(numbers(
                &measured.report,
                "measured",
                format!(
                    "CoreML EP log line (GetCapability), ORT {}",
                    runtime.version()
                ),
            )))
        }
        Ep::CoreMl(options) => {
            let analysis = analyze_for(model, options).map_err(|e| e.to_string())?;
            let report = analysis
                .primary()
                .ok_or("the analysis made no prediction")?;
            Ok(PartitionOutcome::Known(numbers(
                report,
                "predicted",
                format!(
                    "{} on ORT {}'s level-1 graph; CoreML is not in this runtime: {}",
                    report.provenance.describe(),
                    analysis.optimised_by,
                    available.reason().unwrap_or_default()
                ),
            )))
        }
        Ep::OpenVino(_) if available.can_execute() => {
            let dir = tempfile::tempdir().map_err(|e| format!("cannot make a profile dir: {e}"))?;
            let mut built = SessionConfig::new(ep.clone())
                .profiling(dir.path().join("profile"))
                .build(model)
                .map_err(|e| e.to_string())?;
            let named: Vec<(&str, &ort::value::DynValue)> =
                inputs.iter().map(|(n, v)| (n.as_str(), v)).collect();
            let feeds = crate::correctness::adapt_inputs(&built.session, &named)?;
            time_runs(&mut built.session, &feeds, PROFILED_RUNS).map_err(|e| e.to_string())?;
            let file = built
                .session
                .end_profiling()
                .map_err(|e| format!("ORT could not write its profile: {e}"))?;
            let events = read_events(&file).map_err(|e| e.to_string())?;
            let summary = ProfileSummary::from_events(&events, Some(ep.kind().ort_name()));
            Ok(PartitionOutcome::Known(PartitionNumbers {
                source: "measured".into(),
                provenance: format!(
                    "ORT {} profile of a {ep} session: fused EP nodes",
                    runtime.version()
                ),
                partitions: summary.partitions.len(),
                nodes: summary.nodes,
                supported_nodes: None,
                cpu_nodes: summary.fallback_nodes.unwrap_or(0),
                cpu_ops: summary
                    .fallback_ops
                    .iter()
                    .map(|op| (op.op.clone(), op.nodes))
                    .collect(),
                transitions_per_run: summary.transitions_per_run,
            }))
        }
        _ => Err(format!(
            "not measured: {} is not in this runtime ({}), and epbench predicts partitions for \
             coreml only",
            ep.kind(),
            available.reason().unwrap_or_default()
        )),
    }
}

/// The offline CoreML analysis of `model` for the format and shape option of `options` (the
/// current release's rules).
pub(super) fn analyze_for(
    model: &Path,
    options: &CoreMlOptions,
) -> Result<partitions::Analysis, partitions::PartitionError> {
    partitions::analyze_file(
        model,
        AnalyzeOptions {
            format: options.format,
            require_static_input_shapes: options.static_shapes,
            ..AnalyzeOptions::default()
        },
    )
}

/// `ep` with a cache directory where it has none: the Linux CoreML EP writes its compiled
/// models into the current directory otherwise (`model/host_utils_stub.cc`).
pub(super) fn with_cache_dir(ep: &Ep, dir: &Path) -> Ep {
    match ep {
        Ep::CoreMl(options) if options.cache_dir.is_none() => Ep::CoreMl(CoreMlOptions {
            cache_dir: Some(dir.to_path_buf()),
            ..options.clone()
        }),
        other => other.clone(),
    }
}

fn numbers(report: &PartitionReport, source: &str, provenance: String) -> PartitionNumbers {
    PartitionNumbers {
        source: source.into(),
        provenance,
        partitions: report.partitions,
        nodes: report.nodes,
        supported_nodes: Some(report.supported_nodes),
        cpu_nodes: report.nodes.saturating_sub(report.supported_nodes),
        cpu_ops: cpu_ops_by_count(report),
        transitions_per_run: None,
    }
}

/// CPU nodes by op, most first: the report lists an op once per reason.
fn cpu_ops_by_count(report: &PartitionReport) -> Vec<(String, usize)> {
    let mut counts: Vec<(String, usize)> = Vec::new();
    for u in &report.unsupported {
        match counts.iter_mut().find(|(op, _)| *op == u.op) {
            Some((_, n)) => *n += u.count,
            None => counts.push((u.op.clone(), u.count)),
        }
    }
    counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    counts
}
