//! Partitions for the report, with provenance: measured from an ORT profile (any EP that runs
//! here), from the CoreML EP's own log line (on a Mac), or predicted by the offline CoreML rules.

use std::path::Path;

use crate::measure::profile::{ProfileSummary, read_events};
use crate::measure::run::{Runs, time_runs};
use crate::partitions::{self, AnalyzeOptions, PartitionReport, Provenance};
use crate::suite::{BenchCase, Prepared};
use crate::workload::Feeds;

use super::results::{PartitionNumbers, PartitionOutcome};

/// Runs profiled while measuring partitions: enough for transitions per run, few enough to be
/// cheap next to the timing.
const PROFILED_RUNS: Runs = Runs {
    warmup: 1,
    iterations: 3,
};

/// Partitions as ORT executed them: a profiled session with the case's settings, its fused EP
/// nodes counted (one per partition), the CPU nodes grouped by op.
pub fn from_profile(
    case: &BenchCase,
    model: &Path,
    feeds: &mut Feeds,
    profiles_dir: &Path,
) -> PartitionOutcome {
    match profile(case, model, feeds, profiles_dir) {
        Ok(numbers) => PartitionOutcome::Known(numbers),
        Err(reason) => PartitionOutcome::Failed { reason },
    }
}

fn profile(
    case: &BenchCase,
    model: &Path,
    feeds: &mut Feeds,
    profiles_dir: &Path,
) -> Result<PartitionNumbers, String> {
    std::fs::create_dir_all(profiles_dir)
        .map_err(|e| format!("cannot create {}: {e}", profiles_dir.display()))?;
    let config = case
        .session
        .clone()
        .profiling(profiles_dir.join(case.variant.to_string()));
    let mut built = config.build(model).map_err(|e| e.to_string())?;
    let inputs = feeds
        .for_session(&built.session, Some(&case.variant))
        .map_err(|e| e.to_string())?;
    time_runs(&mut built.session, &inputs, PROFILED_RUNS).map_err(|e| e.to_string())?;
    let file = built
        .session
        .end_profiling()
        .map_err(|e| format!("ORT could not write its profile: {e}"))?;
    let events = read_events(&file).map_err(|e| e.to_string())?;
    let ep = case.session.ep.kind();
    let summary = ProfileSummary::from_events(&events, Some(ep.ort_name()));
    Ok(PartitionNumbers {
        source: "measured".into(),
        provenance: format!(
            "ORT profile of a {} session ({} runs): fused EP nodes",
            case.session.ep,
            PROFILED_RUNS.warmup + PROFILED_RUNS.iterations
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
    })
}

/// Partitions as the CoreML EP logged them while the prepared session was created.
pub fn from_coreml_log(prepared: &mut Prepared) -> PartitionOutcome {
    let Some(built) = prepared.session() else {
        return PartitionOutcome::Failed {
            reason: "no session was prepared".into(),
        };
    };
    let runtime = match crate::runtime::global() {
        Ok(runtime) => runtime,
        Err(e) => {
            return PartitionOutcome::Failed {
                reason: e.to_string(),
            };
        }
    };
    let provenance = Provenance::measured(&built.config.ep, runtime);
    match partitions::measured_from_logs(&built.logs, provenance) {
        Ok(measured) => PartitionOutcome::Known(numbers(
            &measured.report,
            "measured",
            "CoreML EP log line (GetCapability)".into(),
        )),
        Err(e) => PartitionOutcome::Failed {
            reason: format!("CoreML ran but its partition summary was not found: {e}"),
        },
    }
}

/// Partitions predicted by the offline CoreML rules (NeuralNetwork, ORT's default format) on
/// the graph ORT's level-1 optimiser makes of the model.
pub fn predicted(model: &Path) -> PartitionOutcome {
    match partitions::analyze_file(model, AnalyzeOptions::default()) {
        Ok(analysis) => match analysis.primary() {
            Some(report) => {
                let rules = match &report.provenance {
                    Provenance::Predicted { rule_set, .. } => rule_set.name.as_str(),
                    Provenance::Measured { .. } => "?",
                };
                PartitionOutcome::Known(numbers(
                    report,
                    "predicted",
                    format!(
                        "predicted (rules {rules}, NeuralNetwork) on ORT {}'s level-1 graph",
                        analysis.optimised_by
                    ),
                ))
            }
            None => PartitionOutcome::Failed {
                reason: "the analysis made no prediction".into(),
            },
        },
        Err(e) => PartitionOutcome::Failed {
            reason: e.to_string(),
        },
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
        cpu_ops: report
            .unsupported
            .iter()
            .map(|u| (u.op.clone(), u.count))
            .collect(),
        transitions_per_run: None,
    }
}
