//! CoreML partitions, predicted offline and measured from ORT's logs.
//!
//! The pipeline of a prediction:
//!
//! - [`stand_in`]: ONNX Runtime itself optimises the model at level 1 and runs its partitioning
//!   passes with the rules standing in for the CoreML EP (a plugin EP), so the graph the rules
//!   judge is the graph `GetCapability` sees, pass after pass;
//! - [`graph`]: that graph as an [`AnalysisGraph`] — nodes, constant vs overridable
//!   initializers, ORT's shapes, edges;
//! - [`rules`]: the CoreML EP's node-support rules by epoch ([`rules::rule_set`] resolves the
//!   rules of one ORT version), each rule citing the ORT source it was read from;
//! - [`grouping`]: ORT's `CreateSupportedPartitionNodeGroups`;
//! - [`predict()`]: rules + grouping + the family's partition filter → [`PartitionReport`],
//!   with cut-makers found by counterfactual;
//! - [`recommend()`]: what to change, with the evidence;
//! - [`measured`]: the same report read from a CoreML session's log lines, and [`coreml_ep`]:
//!   such a session created wherever the CoreML EP partitions (a Mac, or ORT's CoreML EP built
//!   for Linux), compared node by node with the prediction;
//! - [`agreement`]: the prediction against the real EP, per model and over a corpus
//!   (`epbench analyze --check`).
//!
//! ```no_run
//! use epbench::partitions::{self, AnalyzeOptions};
//! let analysis = partitions::analyze_file(
//!     "models/generated/tiny-systems-bert_gelu_fp32_static_b1_s128.onnx".as_ref(),
//!     AnalyzeOptions::default(),
//! )?;
//! print!("{}", analysis.render_text());
//! # Ok::<(), epbench::partitions::PartitionError>(())
//! ```

pub mod agreement;
pub mod coreml_ep;
mod error;
pub mod graph;
pub mod grouping;
pub mod measured;
pub mod predict;
pub mod recommend;
pub mod report;
pub mod rules;
pub(crate) mod schema;
mod shapes;
pub mod stand_in;

use std::path::Path;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::onnx::ModelProto;
use crate::runtime::ModelFormat;

pub use error::PartitionError;
pub use graph::AnalysisGraph;
pub use measured::{Measured, measured_from_logs};
pub use predict::{PredictOptions, Prediction, predict, predict_with};
pub use recommend::{Recommendation, RecommendationKind, recommend};
pub use report::{CutMaker, PartitionReport, Provenance, UnsupportedOp};
pub use rules::RuleFamily;

/// What `epbench analyze` predicts for.
#[derive(Debug, Clone, Copy)]
pub struct AnalyzeOptions {
    /// The rules (default: those of [`rules::LATEST`]; the CLI follows the loaded runtime).
    pub family: &'static RuleFamily,
    /// The format the user asked for; the other format is predicted too, for comparison.
    pub format: ModelFormat,
    pub require_static_input_shapes: bool,
}

impl Default for AnalyzeOptions {
    fn default() -> Self {
        Self {
            family: rules::latest(),
            format: ModelFormat::NeuralNetwork,
            require_static_input_shapes: false,
        }
    }
}

/// Time spent, so that a user can tell ORT's share from the analysis's (milliseconds in JSON).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Timings {
    /// The ORT sessions that partitioned the model with the rules standing in for the CoreML EP
    /// (zero when both runs came from the cache).
    #[serde(rename = "ort_session_ms", serialize_with = "milliseconds")]
    pub ort_session: Duration,
    /// Reading the model and making its weightless copy, or reading the cached runs.
    #[serde(rename = "read_ms", serialize_with = "milliseconds")]
    pub read: Duration,
    /// Building the analysis graphs, both predictions and the recommendations.
    #[serde(rename = "analysis_ms", serialize_with = "milliseconds")]
    pub analysis: Duration,
}

fn milliseconds<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(d.as_secs_f64() * 1e3)
}

/// A full offline analysis: the prediction for the requested format, the other format for
/// comparison, and recommendations.
#[derive(Debug, Clone, Serialize)]
pub struct Analysis {
    /// The graph's name.
    pub graph: String,
    /// The ORT version whose level-1 optimiser and partitioner produced the graph.
    pub optimised_by: String,
    /// Level-1 transformers disabled to emulate the rule family's releases.
    pub disabled_optimizers: Vec<String>,
    /// True when ORT's partitioning came from epbench's cache (no ORT session ran this time).
    pub partitioning_cached: bool,
    /// ORT's `GetCapability` passes per prediction: more than one when ORT inlined function
    /// nodes no EP took and asked again (the prediction is of the last).
    pub ort_passes: Vec<usize>,
    /// Why ORT could not have finished creating a session on this model after partitioning
    /// (e.g. a node neither the CoreML rules nor the CPU EP take); `None` normally.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_note: Option<String>,
    /// The requested format first, then the other one.
    pub predictions: Vec<PartitionReport>,
    /// The rules' verdict on every node, one list per prediction (for comparing with the EP's
    /// per-node lines; not part of the JSON output).
    #[serde(skip)]
    pub node_verdicts: Vec<Vec<coreml_ep::NodeVerdict>>,
    /// The graph each prediction was made on, in the same order (for grouping measured per-node
    /// flags the way ORT groups them; not part of the JSON output).
    #[serde(skip)]
    pub analysis_graphs: Vec<AnalysisGraph>,
    pub recommendations: Vec<Recommendation>,
    pub timings: Timings,
}

impl Analysis {
    /// The prediction for the requested format.
    pub fn primary(&self) -> Option<&PartitionReport> {
        self.predictions.first()
    }

    /// Every prediction and the recommendations, for the terminal.
    pub fn render_text(&self) -> String {
        let mut out = String::new();
        if let Some(why) = &self.session_note {
            out.push_str(&format!("note: {why}\n"));
        }
        for p in &self.predictions {
            out.push_str(&p.render_text());
        }
        if !self.recommendations.is_empty() {
            out.push_str("Recommendations:\n");
            for r in &self.recommendations {
                out.push_str(&format!("  - {}\n    because {}\n", r.title, r.evidence));
            }
        }
        out
    }
}

/// Analyses a model file: ORT partitions it (level-1 optimisation, then its `GetCapability`
/// passes) with the rules of `options.family` standing in for the CoreML EP ([`stand_in`]),
/// once per format; runs are reused from epbench's cache when the file is unchanged.
pub fn analyze_file(path: &Path, options: AnalyzeOptions) -> Result<Analysis, PartitionError> {
    let started = Instant::now();
    let disabled = options.family.level1_disabled_optimizers();
    let cases = predict_options(options);
    // Read only when a run is not in the cache, and then once for both.
    let mut input: Option<stand_in::Weightless> = None;
    let mut session = Duration::ZERO;
    let mut run = |case: PredictOptions| -> Result<stand_in::StandInRun, PartitionError> {
        let key = stand_in::cache::entry_dir(path, case, disabled);
        if let Some(cached) = key.as_deref().and_then(stand_in::cache::load) {
            return Ok(cached);
        }
        let input = match &mut input {
            Some(input) => &*input,
            empty => {
                // A corrupt file gets the ONNX reader's clear message instead of ORT's, and a
                // model that cannot be benchmarked is named as such.
                let original = crate::onnx::read_model(path)?;
                crate::workload::check_benchmarkable(&original, &path.display().to_string())?;
                empty.insert(stand_in::weightless(&original))
            }
        };
        let fresh = stand_in::partition(path, input, case, disabled)?;
        session += fresh.session_time;
        if let Some(dir) = &key {
            stand_in::cache::store(dir, &fresh);
        }
        Ok(fresh)
    };
    let runs = [run(cases[0])?, run(cases[1])?];
    let read = started.elapsed().saturating_sub(session);
    let mut analysis = analysis_of(runs, cases)?;
    analysis.timings.ort_session = session;
    analysis.timings.read = read;
    Ok(analysis)
}

/// Analyses a model held in memory, as [`analyze_file`] does a file (without the cache).
pub fn analyze_model(
    model: &ModelProto,
    options: AnalyzeOptions,
) -> Result<Analysis, PartitionError> {
    let started = Instant::now();
    let path = Path::new("<model in memory>");
    crate::workload::check_benchmarkable(model, &model_name(model))?;
    let input = stand_in::weightless(model);
    let read = started.elapsed();
    let disabled = options.family.level1_disabled_optimizers();
    let cases = predict_options(options);
    let primary = stand_in::partition(path, &input, cases[0], disabled)?;
    let other = stand_in::partition(path, &input, cases[1], disabled)?;
    let session = primary.session_time + other.session_time;
    let mut analysis = analysis_of([primary, other], cases)?;
    analysis.timings.ort_session = session;
    analysis.timings.read = read;
    Ok(analysis)
}

fn model_name(model: &ModelProto) -> String {
    model
        .graph
        .as_ref()
        .map(|g| g.name.clone())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "the model".into())
}

/// The requested format's options, then the other format's.
fn predict_options(options: AnalyzeOptions) -> [PredictOptions; 2] {
    let primary = PredictOptions {
        family: options.family,
        format: options.format,
        require_static_input_shapes: options.require_static_input_shapes,
    };
    let other = match options.format {
        ModelFormat::NeuralNetwork => ModelFormat::MlProgram,
        ModelFormat::MlProgram => ModelFormat::NeuralNetwork,
    };
    [primary, primary.with_format(other)]
}

/// Both predictions on the last passes of their runs, and the recommendations.
fn analysis_of(
    runs: [stand_in::StandInRun; 2],
    cases: [PredictOptions; 2],
) -> Result<Analysis, PartitionError> {
    let started = Instant::now();
    let [primary_run, other_run] = runs;
    let primary = primary_run.predict(cases[0])?;
    let other = other_run.predict(cases[1])?;
    let recommendations = recommend(&primary.graph, &primary.prediction, &[&other.prediction]);
    let node_verdicts = vec![
        coreml_ep::NodeVerdict::of_prediction(&primary.graph, &primary.prediction),
        coreml_ep::NodeVerdict::of_prediction(&other.graph, &other.prediction),
    ];
    let runtime = crate::runtime::global().map(|r| r.version().to_string());
    Ok(Analysis {
        graph: primary.graph.name.clone(),
        optimised_by: runtime.unwrap_or_default(),
        disabled_optimizers: cases[0]
            .family
            .level1_disabled_optimizers()
            .iter()
            .map(|s| s.to_string())
            .collect(),
        partitioning_cached: primary_run.cached && other_run.cached,
        ort_passes: vec![primary_run.passes, other_run.passes],
        session_note: primary_run
            .stopped_because
            .or(other_run.stopped_because)
            .map(|why| format!("ONNX Runtime would not finish a session on it: {why}")),
        predictions: vec![primary.prediction.report, other.prediction.report],
        node_verdicts,
        analysis_graphs: vec![primary.graph, other.graph],
        recommendations,
        timings: Timings {
            analysis: started.elapsed(),
            ..Timings::default()
        },
    })
}
