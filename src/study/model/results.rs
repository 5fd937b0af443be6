//! The part of `results.json` that only the study of the user's models has: what each model is,
//! how its inputs were made, its EP options matrix, its interventions and its verdict. Its rows,
//! partitions and comparisons are the study's own (`rows`, `partitions`, `analysis`).

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::runtime::Ep;
use crate::stats::Verdict;
use crate::workload::InputShapes;

use super::super::results::PartitionOutcome;

/// Everything the study of the user's models adds to `results.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ModelStudy {
    pub models: Vec<ModelSummary>,
    /// EP configurations of the matrix the loaded runtime does not have (OpenVINO devices that
    /// are not present), with ORT's reason.
    pub absent_configurations: Vec<AbsentConfiguration>,
}

/// A configuration left out of the options matrix.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AbsentConfiguration {
    pub ep: Ep,
    pub reason: String,
}

/// One of the user's models.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ModelSummary {
    /// Its name in benchmark ids (the file's stem).
    pub name: String,
    pub path: PathBuf,
    /// Where the inputs came from.
    pub inputs: String,
    pub input_shapes: InputShapes,
    /// Named dynamic dims of its inputs.
    pub dynamic_dims: Vec<String>,
    /// The batch dim (the first axis of every input) when it is dynamic: batch scaling runs.
    pub batch_dim: Option<String>,
    /// Exact GELUs the tanh rewrite would replace.
    pub exact_gelus: usize,
    /// Float16 tensors and values the fp32 rewrite would convert.
    pub float16_values: usize,
    pub interventions: Vec<InterventionSummary>,
    /// The EP's options matrix on the model as given.
    pub options: Vec<OptionsRow>,
    pub verdict: ModelVerdict,
}

/// One rewrite applied as a variant of the model.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct InterventionSummary {
    /// `fix-dims`, `gelu-tanh` or `to-fp32`.
    pub rewrite: String,
    /// The variant's name in benchmark ids, e.g. `bert+fix-dims`.
    pub name: String,
    /// What the rewrite did, or why it could not be made.
    pub summary: String,
    /// The rewritten model, when it was written.
    pub file: Option<PathBuf>,
}

/// One configuration of the EP's options matrix.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OptionsRow {
    pub ep: Ep,
    /// The configuration as the report names it (`default`, `format=mlprogram,units=cpu_only`).
    pub label: String,
    /// The id of its timed row (`None` when `--filter` left it out).
    pub run: Option<String>,
    /// The id of its cold-start row.
    pub cold_start: Option<String>,
    pub partitions: PartitionOutcome,
}

/// The study's answer for one model.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ModelVerdict {
    pub decision: Decision,
    /// The sentence at the top of the report.
    pub headline: String,
    /// The fastest configuration whose outputs match the CPU's, when any was timed.
    pub fastest: Option<Fastest>,
    pub interventions: Vec<InterventionVerdict>,
    /// The numbers behind the headline, one sentence each.
    pub evidence: Vec<String>,
    /// What could not be measured here and needs the EP's machine.
    pub needs_ep_machine: Vec<String>,
}

impl ModelVerdict {
    /// A verdict of `decision` with its headline and evidence; the fastest configuration, the
    /// interventions and what needs the EP's machine are filled in by whoever knows them.
    pub fn new(decision: Decision, headline: String, evidence: Vec<String>) -> Self {
        Self {
            decision,
            headline,
            fastest: None,
            interventions: Vec::new(),
            evidence,
            needs_ep_machine: Vec::new(),
        }
    }
}

/// What the verdict says to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// An EP configuration is faster than the CPU beyond the practical threshold, outputs
    /// matching.
    UseEp,
    /// No EP configuration beats the CPU by a margin the numbers support.
    StayOnCpu,
    /// The EP cannot execute here: only partitions (and the CPU) were measured.
    NeedsEpMachine,
    /// The CPU reference could not be measured, so nothing can be compared.
    NoReference,
}

/// The fastest configuration whose outputs match.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Fastest {
    /// The id of its row.
    pub row: String,
    /// `coreml:format=mlprogram on bert+fix-dims`, `the CPU on bert`.
    pub configuration: String,
    pub p50_ms: f64,
    /// Its time over the CPU's on the model as given (median ratio, below 1 is faster), with
    /// the 95% within-run bootstrap interval.
    pub time_ratio: f64,
    pub lower: f64,
    pub upper: f64,
    pub verdict: Verdict,
}

/// Whether one intervention pays off, and the numbers that say so.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct InterventionVerdict {
    pub rewrite: String,
    pub pays_off: bool,
    pub why: String,
}
