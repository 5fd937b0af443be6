//! Partitions of a model on an EP, with where the numbers come from. One entry point,
//! [`on_ep`], serves every command that reports partitions (the study, `fix`, the study of a
//! user's model):
//!
//! - CoreML, wherever the loaded runtime partitions on it (a Mac, or ORT's CoreML EP built for
//!   Linux): the EP's own log line from a session with the asked options
//!   ([`crate::partitions::coreml_ep`]);
//! - CoreML elsewhere: predicted by the offline rules for the asked format and static-shape
//!   option;
//! - any other EP that executes here (OpenVINO): an ORT profile's fused EP nodes, one per
//!   partition, and the CPU nodes between them.

use std::fmt;
use std::path::{Path, PathBuf};

use ort::session::{Session, SessionInputValue};
use serde::{Deserialize, Serialize};

use super::profile::{ProfileError, ProfileSummary, read_events};
use super::run::{Runs, time_runs};
use crate::partitions::{self, AnalyzeOptions, PartitionError, PartitionReport, Provenance};
use crate::runtime::{BuiltSession, CoreMlOptions, Ep, SessionConfig};

/// Where partition numbers come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PartitionSource {
    /// From ORT: a profile's fused EP nodes, or the CoreML EP's log line.
    Measured,
    /// From the offline CoreML rules.
    Predicted,
}

impl fmt::Display for PartitionSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PartitionSource::Measured => "measured",
            PartitionSource::Predicted => "predicted",
        })
    }
}

/// Partition numbers with their provenance.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PartitionNumbers {
    pub source: PartitionSource,
    /// How: "ORT profile of a `<ep>` session (fused EP nodes)", "measured by the CoreML EP (ORT
    /// 1.30.0, …)", "predicted (rules CoreML EP ORT 1.31.1, NeuralNetwork) through ORT 1.31.1's
    /// partitioning".
    pub provenance: String,
    /// Partitions the EP took.
    pub partitions: usize,
    /// Nodes of the graph at partitioning time (predicted, or CoreML's log), or nodes as
    /// executed (a profile, where a fused partition counts once).
    pub nodes: usize,
    /// Graph nodes the EP took (predicted, CoreML's log); `None` from a profile, which hides
    /// what a fused partition holds.
    pub supported_nodes: Option<usize>,
    /// Nodes left to the CPU.
    pub cpu_nodes: usize,
    /// CPU ops by count (predicted, CoreML's log) or as profiled, most first: `(op, nodes)`.
    pub cpu_ops: Vec<(String, usize)>,
    /// EP↔CPU switches per run (measured from a profile only).
    pub transitions_per_run: Option<f64>,
}

/// Why the partitions of a model are not known; reports write it as the reason.
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
    /// The loaded runtime, whose version and EP a measured result names.
    #[error(transparent)]
    Runtime(crate::Error),
    #[error("the CoreML EP's partition summary was not found: {0}")]
    NoCoreMlSummary(#[source] PartitionError),
    /// Measuring on the CoreML EP, or predicting, failed.
    #[error(transparent)]
    Partitions(PartitionError),
    #[error("the analysis made no prediction")]
    NoPrediction,
    #[error(
        "not measured: the {ep} EP does not execute here ({reason}), and epbench predicts \
         partitions for coreml only"
    )]
    NotMeasurable { ep: String, reason: String },
}

/// Runs profiled to read an EP's partitions: enough for transitions per run, few enough to be
/// cheap next to the timing.
pub const PROFILED_RUNS: Runs = Runs {
    warmup: 1,
    iterations: 3,
};

/// The partitions of `model` on `ep` (see the module doc); `Ok(None)` for the CPU EP, which
/// takes every node. A profile, where one is needed, is written with `profile_prefix` and fed by
/// `inputs`.
pub fn on_ep<'v>(
    model: &Path,
    ep: &Ep,
    profile_prefix: &Path,
    inputs: impl FnOnce(&Session) -> crate::Result<Vec<SessionInputValue<'v>>>,
) -> Result<Option<PartitionNumbers>, PartitionsError> {
    let runtime = crate::runtime::global().map_err(PartitionsError::Runtime)?;
    match ep {
        Ep::Cpu => Ok(None),
        Ep::CoreMl(options) => coreml(model, options).map(Some),
        other => {
            let availability = runtime.availability(other);
            if !availability.can_execute() {
                return Err(PartitionsError::NotMeasurable {
                    ep: other.to_string(),
                    reason: availability.reason().unwrap_or_default().to_string(),
                });
            }
            from_profile(
                &SessionConfig::new(other.clone()),
                model,
                profile_prefix,
                inputs,
            )
            .map(Some)
        }
    }
}

/// CoreML partitions of `model` with `options`: measured by the EP where the loaded runtime
/// partitions on it, predicted by the rules otherwise.
pub fn coreml(model: &Path, options: &CoreMlOptions) -> Result<PartitionNumbers, PartitionsError> {
    let runtime = crate::runtime::global().map_err(PartitionsError::Runtime)?;
    let ep = Ep::CoreMl(options.clone());
    if runtime.availability(&ep).can_partition() {
        let measured = partitions::coreml_ep::measure(model, options, None)
            .map_err(PartitionsError::Partitions)?
            .measured;
        return Ok(numbers(
            &measured.report,
            PartitionSource::Measured,
            measured.report.provenance.describe(),
        ));
    }
    let analysis = coreml_analysis(model, options).map_err(PartitionsError::Partitions)?;
    let report = analysis.primary().ok_or(PartitionsError::NoPrediction)?;
    let rules = report
        .provenance
        .rule_set()
        .map_or("", |rules| rules.name.as_str());
    Ok(numbers(
        report,
        PartitionSource::Predicted,
        format!(
            "predicted (rules {rules}, {}) through ORT {}'s partitioning",
            options.format.ort_value(),
            analysis.optimised_by
        ),
    ))
}

/// The offline CoreML analysis of `model` for the format and shape option of `options` (the
/// current release's rules).
pub fn coreml_analysis(
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

/// Partitions as the CoreML EP logged them while `built` was created.
pub fn from_coreml_log(built: &BuiltSession) -> Result<PartitionNumbers, PartitionsError> {
    let runtime = crate::runtime::global().map_err(PartitionsError::Runtime)?;
    let provenance = Provenance::measured(&built.config.ep, runtime);
    let measured = partitions::measured_from_logs(&built.logs, provenance)
        .map_err(PartitionsError::NoCoreMlSummary)?;
    Ok(numbers(
        &measured.report,
        PartitionSource::Measured,
        measured.report.provenance.describe(),
    ))
}

/// Partitions as ORT executed them: a profiled session with `config`, its fused EP nodes counted
/// (one per partition), the CPU nodes grouped by op.
pub fn from_profile<'v>(
    config: &SessionConfig,
    model: &Path,
    profile_prefix: &Path,
    inputs: impl FnOnce(&Session) -> crate::Result<Vec<SessionInputValue<'v>>>,
) -> Result<PartitionNumbers, PartitionsError> {
    if let Some(dir) = profile_prefix
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
    {
        std::fs::create_dir_all(dir).map_err(|source| PartitionsError::ProfilesDir {
            dir: dir.to_path_buf(),
            source,
        })?;
    }
    let mut built = config
        .clone()
        .profiling(profile_prefix)
        .build(model)
        .map_err(PartitionsError::Session)?;
    let feeds = inputs(&built.session).map_err(PartitionsError::Session)?;
    time_runs(&mut built.session, &feeds, PROFILED_RUNS).map_err(PartitionsError::Session)?;
    let file = built
        .session
        .end_profiling()
        .map_err(PartitionsError::EndProfiling)?;
    let events = read_events(&file).map_err(PartitionsError::Profile)?;
    let summary = ProfileSummary::from_events(&events, Some(config.ep.kind().ort_name()));
    Ok(PartitionNumbers {
        source: PartitionSource::Measured,
        provenance: format!(
            "ORT profile of a {} session ({} runs): fused EP nodes",
            config.ep,
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

/// The numbers of a CoreML report; CPU nodes by op, most first (the report lists an op once per
/// reason).
fn numbers(
    report: &PartitionReport,
    source: PartitionSource,
    provenance: String,
) -> PartitionNumbers {
    let mut cpu_ops: Vec<(String, usize)> = Vec::new();
    for u in &report.unsupported {
        match cpu_ops.iter_mut().find(|(op, _)| *op == u.op) {
            Some((_, n)) => *n += u.count,
            None => cpu_ops.push((u.op.clone(), u.count)),
        }
    }
    cpu_ops.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    PartitionNumbers {
        source,
        provenance,
        partitions: report.partitions,
        nodes: report.nodes,
        supported_nodes: Some(report.supported_nodes),
        cpu_nodes: report.nodes.saturating_sub(report.supported_nodes),
        cpu_ops,
        transitions_per_run: None,
    }
}
