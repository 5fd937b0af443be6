//! Partitions for the report, with provenance: measured from an ORT profile (any EP that runs
//! here), from the CoreML EP's own log line (on a Mac), or predicted by the offline CoreML rules.

use std::path::{Path, PathBuf};

use crate::measure::profile::{ProfileError, ProfileSummary, read_events};
use crate::measure::run::{Runs, time_runs};
use crate::partitions::{self, AnalyzeOptions, PartitionError, PartitionReport, Provenance};
use crate::suite::{BenchCase, Prepared};
use crate::workload::Feeds;

use super::results::{PartitionNumbers, PartitionOutcome, PartitionSource};

/// Runs profiled while measuring partitions: enough for transitions per run, few enough to be
/// cheap next to the timing.
const PROFILED_RUNS: Runs = Runs {
    warmup: 1,
    iterations: 3,
};

/// Why the partitions of a variant are not known; written into the report as its reason.
#[derive(Debug, thiserror::Error)]
pub enum PartitionsError {
    #[error("cannot create {}: {source}", dir.display())]
    ProfilesDir {
        dir: PathBuf,
        source: std::io::Error,
    },
    /// Building the profiled session, its inputs or its runs failed.
    #[error(transparent)]
    Session(crate::Error),
    #[error("ORT could not write its profile: {0}")]
    EndProfiling(#[source] ort::Error),
    #[error(transparent)]
    Profile(ProfileError),
    #[error("no session was prepared")]
    NoSession,
    /// The loaded runtime, whose version and EP a measured partition result names.
    #[error(transparent)]
    Runtime(crate::Error),
    #[error("CoreML ran but its partition summary was not found: {0}")]
    NoCoreMlSummary(#[source] PartitionError),
    #[error(transparent)]
    Prediction(PartitionError),
    #[error("the analysis made no prediction")]
    NoPrediction,
}

impl From<Result<PartitionNumbers, PartitionsError>> for PartitionOutcome {
    fn from(result: Result<PartitionNumbers, PartitionsError>) -> Self {
        match result {
            Ok(numbers) => PartitionOutcome::Known(numbers),
            Err(e) => PartitionOutcome::Failed {
                reason: e.to_string(),
            },
        }
    }
}

/// Partitions as ORT executed them: a profiled session with the case's settings, its fused EP
/// nodes counted (one per partition), the CPU nodes grouped by op.
pub fn from_profile(
    case: &BenchCase,
    model: &Path,
    feeds: &mut Feeds,
    profiles_dir: &Path,
) -> Result<PartitionNumbers, PartitionsError> {
    std::fs::create_dir_all(profiles_dir).map_err(|source| PartitionsError::ProfilesDir {
        dir: profiles_dir.to_path_buf(),
        source,
    })?;
    let config = case
        .session
        .clone()
        .profiling(profiles_dir.join(case.variant.to_string()));
    let mut built = config.build(model).map_err(PartitionsError::Session)?;
    let inputs = feeds
        .for_session(&built.session, Some(&case.variant))
        .map_err(|e| PartitionsError::Session(e.into()))?;
    time_runs(&mut built.session, &inputs, PROFILED_RUNS).map_err(PartitionsError::Session)?;
    let file = built
        .session
        .end_profiling()
        .map_err(PartitionsError::EndProfiling)?;
    let events = read_events(&file).map_err(PartitionsError::Profile)?;
    let ep = case.session.ep.kind();
    let summary = ProfileSummary::from_events(&events, Some(ep.ort_name()));
    Ok(PartitionNumbers {
        source: PartitionSource::Measured,
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
pub fn from_coreml_log(prepared: &mut Prepared) -> Result<PartitionNumbers, PartitionsError> {
    let built = prepared.session().ok_or(PartitionsError::NoSession)?;
    let runtime = crate::runtime::global().map_err(PartitionsError::Runtime)?;
    let provenance = Provenance::measured(&built.config.ep, runtime);
    let measured = partitions::measured_from_logs(&built.logs, provenance)
        .map_err(PartitionsError::NoCoreMlSummary)?;
    Ok(numbers(
        &measured.report,
        PartitionSource::Measured,
        "CoreML EP log line (GetCapability)".into(),
    ))
}

/// Partitions predicted by the offline CoreML rules (NeuralNetwork, ORT's default format) on
/// the graph ORT's level-1 optimiser makes of the model.
pub fn predicted(model: &Path) -> Result<PartitionNumbers, PartitionsError> {
    let analysis = partitions::analyze_file(model, AnalyzeOptions::default())
        .map_err(PartitionsError::Prediction)?;
    let report = analysis.primary().ok_or(PartitionsError::NoPrediction)?;
    let rules = match &report.provenance {
        Provenance::Predicted { rule_set, .. } => rule_set.name.as_str(),
        Provenance::Measured { .. } => "?",
    };
    Ok(numbers(
        report,
        PartitionSource::Predicted,
        format!(
            "predicted (rules {rules}, NeuralNetwork) on ORT {}'s level-1 graph",
            analysis.optimised_by
        ),
    ))
}

fn numbers(
    report: &PartitionReport,
    source: PartitionSource,
    provenance: String,
) -> PartitionNumbers {
    PartitionNumbers {
        source,
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
