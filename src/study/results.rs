//! What a study run found, as the types `results.json` is written from (and read back by tests
//! and other tools). Every number says where it came from: measured rows carry their samples,
//! partition results their provenance, comparisons their interval.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::correctness::ToleranceClass;
use crate::machine::Machine;
use crate::measure::latency::LatencyStats;
use crate::runtime::EpKind;
use crate::suite::{Finding, PrepareStage, Timing, Workload};
use crate::zoo::Variant;

/// The format version of `results.json`; bumped when a field changes meaning. Version 2: rows
/// carry their `variant`, comparisons say what their interval covers and carry the between-run
/// floor, verdicts mirror the gate on the log scale, and tolerance classes are written by their
/// own names (`fp16-storage`).
pub const SCHEMA: &str = "epbench-study/2";

/// Everything one `epbench study` run measured, predicted and concluded.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StudyResults {
    pub schema: String,
    pub epbench_version: String,
    /// When the run finished (UTC, RFC 3339).
    pub finished_at: String,
    /// Wall time of the whole run, model building included.
    pub wall_time_s: f64,
    pub machine: Machine,
    pub ort: OrtRun,
    /// The accelerator EP under study, its options as epbench writes them, and whether the
    /// loaded runtime has it.
    pub ep: EpUnderStudy,
    pub settings: RunSettings,
    /// One row per benchmark of the plan (the same cases as `cargo bench -- <ep>`), in the
    /// study's order.
    pub rows: Vec<Row>,
    /// How the EP partitions each model variant the study times on it.
    pub partitions: Vec<PartitionRow>,
    pub analysis: super::analysis::Analysis,
    /// For the study of the user's models (`study --model`): the models, their EP options
    /// matrix, interventions and verdicts. Absent for the zoo's study.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<super::model::ModelStudy>,
}

/// The ONNX Runtime the run used.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OrtRun {
    /// The version ORT reports, e.g. `1.24.1`.
    pub version: String,
    /// The pip requirement it came from; `None` under `ORT_DYLIB_PATH`.
    pub requirement: Option<String>,
    /// `onnxruntime-openvino==1.24.1 (ORT 1.24.1)`, for people.
    pub description: String,
}

/// The accelerator EP of the study.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EpUnderStudy {
    pub kind: EpKind,
    /// The EP with its options, e.g. `openvino:device=CPU` (`cpu` for the CPU study).
    pub options: String,
    /// What the EP can do in the loaded runtime.
    #[serde(default)]
    pub state: EpState,
    /// Whether sessions on the EP execute here.
    pub available: bool,
    /// ORT's reason when it does not execute here.
    pub unavailable_reason: Option<String>,
}

/// What the study's EP could do in the loaded runtime ([`crate::runtime::Availability`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EpState {
    #[default]
    Available,
    /// It registers, partitions and builds its models, but cannot execute them (ORT's CoreML EP
    /// built for Linux): partitions are measured, session creation is timed, runs are not.
    PartitionsOnly,
    Unavailable,
}

/// How the run was measured.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunSettings {
    pub quick: bool,
    pub intra_threads: usize,
    /// The `--filter` regex, when the run was restricted to some benchmarks.
    pub filter: Option<String>,
    /// Untimed runs before the timed ones, per benchmark.
    pub warmup: usize,
    /// Timed iterations per cost class (`tiny`, `light`, `heavy`, `cold_start`).
    pub iterations: Vec<(crate::suite::Cost, usize)>,
}

/// One benchmark: `<study>/<finding>/<label>/<provider>`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Row {
    pub id: String,
    pub finding: Finding,
    /// The variant part of the id (`+option` where the finding varies a setting).
    pub label: String,
    /// The model variant the benchmark runs.
    pub variant: Subject,
    /// `cpu` or the EP's short name.
    pub provider: EpKind,
    /// `run` (one `Session::run`) or `session_create`.
    pub timing: Timing,
    /// Samples per run, for throughput.
    pub batch: u32,
    #[serde(flatten)]
    pub status: Status,
}

/// The model variant a row runs: one of the zoo's, or one of the user's models (`study
/// --model`) by its name in the report. Written as the name either way.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Subject {
    Zoo(Variant),
    File(String),
}

impl From<&Workload> for Subject {
    fn from(workload: &Workload) -> Self {
        match workload {
            Workload::Zoo(variant) => Subject::Zoo(*variant),
            Workload::File(file) => Subject::File(file.name.clone()),
        }
    }
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Subject::Zoo(variant) => variant.fmt(f),
            Subject::File(name) => f.write_str(name),
        }
    }
}

/// The rows of any of `findings`, in their order.
pub fn of_findings<'r>(
    rows: impl IntoIterator<Item = &'r Row>,
    findings: &[Finding],
) -> Vec<&'r Row> {
    rows.into_iter()
        .filter(|r| findings.contains(&r.finding))
        .collect()
}

/// The providers of `rows`, in order of first appearance.
pub fn providers_of(rows: &[&Row]) -> Vec<EpKind> {
    let mut providers: Vec<EpKind> = Vec::new();
    for row in rows {
        if !providers.contains(&row.provider) {
            providers.push(row.provider);
        }
    }
    providers
}

impl Row {
    /// The latency statistics, when the row was measured.
    pub fn measured(&self) -> Option<&Measured> {
        match &self.status {
            Status::Measured(m) => Some(m),
            _ => None,
        }
    }
}

/// What became of one benchmark.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Status {
    Measured(Measured),
    /// Preparing or timing failed; the rest of the study went on.
    Failed {
        stage: FailureStage,
        reason: String,
    },
    /// The EP cannot execute in the loaded runtime (e.g. CoreML off a Mac, or ORT's CoreML EP
    /// built for Linux, which only partitions).
    NeedsEp {
        ep: EpKind,
        reason: String,
    },
}

/// Where a benchmark failed: a step of its preparation, or the timed runs themselves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureStage {
    Prepare(PrepareStage),
    /// A run failed while it was being timed.
    TimedRun,
}

impl FailureStage {
    /// The stage's name in reports and `results.json`: the preparation step's (`model`,
    /// `session`, ...) or `timed run`.
    pub fn name(self) -> &'static str {
        match self {
            FailureStage::Prepare(stage) => stage.name(),
            FailureStage::TimedRun => "timed run",
        }
    }
}

impl fmt::Display for FailureStage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for FailureStage {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for FailureStage {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        PrepareStage::ALL
            .into_iter()
            .map(FailureStage::Prepare)
            .chain([FailureStage::TimedRun])
            .find(|stage| stage.name() == name)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown failure stage `{name}`")))
    }
}

/// A measured benchmark.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Measured {
    /// Per-iteration latency statistics, milliseconds.
    pub latency_ms: LatencyStats,
    /// `batch * 1000 / mean latency`; `None` for session creation.
    pub throughput_per_s: Option<f64>,
    pub correctness: Correctness,
    /// Every timed iteration, milliseconds, in the order they ran.
    pub samples_ms: Vec<f64>,
    /// What the time covers when that is less than usual (session creation on an EP that
    /// cannot execute here: ORT's partitioning and the EP's model building, not its compile).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// How the row's outputs compared with the CPU EP on the fp32 graph before timing.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Correctness {
    /// The row is the reference itself (CPU EP, fp32 graph), or it times session creation.
    Reference,
    /// Every output within the tolerance.
    Agree {
        /// Largest absolute error over all outputs.
        max_abs_error: f64,
        /// Smallest cosine similarity over all outputs.
        min_cosine: f64,
        /// The tolerance class used (e.g. `fp16-storage`), as `epbench compare` explains it.
        tolerance: ToleranceClass,
    },
}

/// How the study's EP partitions one model variant.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PartitionRow {
    /// The model variant, e.g. `tiny-systems-bert_gelu_fp32_dynamic`.
    pub variant: Subject,
    /// The findings whose benchmarks use this variant on the EP.
    pub findings: Vec<Finding>,
    #[serde(flatten)]
    pub outcome: PartitionOutcome,
}

/// A partition result or why there is none.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum PartitionOutcome {
    Known(PartitionNumbers),
    Failed { reason: String },
}

pub use crate::measure::partitions::{PartitionNumbers, PartitionSource};

impl From<Result<PartitionNumbers, crate::measure::partitions::PartitionsError>>
    for PartitionOutcome
{
    fn from(result: Result<PartitionNumbers, crate::measure::partitions::PartitionsError>) -> Self {
        match result {
            Ok(numbers) => PartitionOutcome::Known(numbers),
            Err(e) => PartitionOutcome::Failed {
                reason: e.to_string(),
            },
        }
    }
}
