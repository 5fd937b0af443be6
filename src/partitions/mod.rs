//! CoreML partitions, predicted offline and measured from ORT's logs.
//!
//! The pipeline of a prediction:
//!
//! - [`level1`]: ORT's level-1 optimised graph, the one partitioning sees, and [`lowering`]:
//!   what the CPU EP did to it afterwards, undone;
//! - [`graph`]: that graph as an [`AnalysisGraph`] — nodes, constant vs overridable
//!   initializers, inferred shapes, edges;
//! - [`rules`]: the CoreML EP's node-support rules by epoch ([`rules::rule_set`] resolves the
//!   rules of one ORT version), each rule citing the ORT source it was read from;
//! - [`grouping`]: ORT's `CreateSupportedPartitionNodeGroups`;
//! - [`capability`]: ORT's partitioning loop, which runs `GetCapability` again after inlining
//!   function nodes CoreML did not take;
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
pub mod capability;
pub mod coreml_ep;
mod error;
pub mod graph;
pub mod grouping;
pub mod level1;
mod level1_cache;
pub mod lowering;
pub mod measured;
pub mod predict;
pub mod recommend;
pub mod report;
pub mod rules;
pub(crate) mod schema;
mod shapes;

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
    /// Creating the ORT session that writes the level-1 graph (zero for [`analyze_model`]).
    #[serde(rename = "ort_session_ms", serialize_with = "milliseconds")]
    pub ort_session: Duration,
    /// Reading the optimised model back.
    #[serde(rename = "read_ms", serialize_with = "milliseconds")]
    pub read: Duration,
    /// Building the analysis graph, both predictions and the recommendations.
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
    /// The ORT version whose level-1 optimiser produced the graph (empty when the graph was
    /// given as is).
    pub optimised_by: String,
    /// Level-1 transformers disabled to emulate the rule family's releases.
    pub disabled_optimizers: Vec<String>,
    /// True when the level-1 graph came from epbench's cache (no ORT session ran this time).
    pub level1_cached: bool,
    /// Why the graph is the model as given rather than ORT's level-1 graph (ORT could not create
    /// a CPU session for it); `None` normally.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unoptimised_because: Option<String>,
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
        if let Some(why) = &self.unoptimised_because {
            out.push_str(&format!(
                "note: predicted on the model as given, not ORT's level-1 graph: {why}\n"
            ));
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

/// Analyses a model file: ORT optimises it at level 1 (the graph partitioning sees), then both
/// formats are predicted under `options.family`, through ORT's `GetCapability` passes
/// ([`capability`]).
pub fn analyze_file(path: &Path, options: AnalyzeOptions) -> Result<Analysis, PartitionError> {
    let level1 = level1::ort_level1_model(path, options.family.level1_disabled_optimizers())?;
    let lowered = lowering::lower_back(&level1.model, level1.original.as_ref());
    let mut analysis = analyze_lowered(&lowered, options)?;
    analysis.optimised_by = level1.ort_version;
    analysis.unoptimised_because = level1.unoptimised_because;
    analysis.level1_cached = level1.cached;
    analysis.disabled_optimizers = level1.disabled_optimizers;
    analysis.timings.ort_session = level1.session_time;
    analysis.timings.read = level1.read_time;
    Ok(analysis)
}

/// Analyses a model as given. Pass ORT's level-1 graph for a faithful prediction: an unoptimised
/// export still has the `Constant`-fed shape arithmetic that ORT folds before partitioning. What
/// the CPU EP did to the graph after partitioning (float16 casts, inlined functions) is undone
/// first ([`lowering`]).
pub fn analyze_model(
    model: &ModelProto,
    options: AnalyzeOptions,
) -> Result<Analysis, PartitionError> {
    analyze_lowered(&lowering::lower_back(model, None), options)
}

fn analyze_lowered(
    lowered: &lowering::Lowered,
    options: AnalyzeOptions,
) -> Result<Analysis, PartitionError> {
    let started = Instant::now();
    let primary_options = PredictOptions {
        family: options.family,
        format: options.format,
        require_static_input_shapes: options.require_static_input_shapes,
    };
    let other_format = match options.format {
        ModelFormat::NeuralNetwork => ModelFormat::MlProgram,
        ModelFormat::MlProgram => ModelFormat::NeuralNetwork,
    };
    let primary = capability::predict_passes(lowered, primary_options)?;
    let other = capability::predict_passes(lowered, primary_options.with_format(other_format))?;
    let (graph, other_graph) = (primary.graph, other.graph);
    let (primary, other) = (primary.prediction, other.prediction);
    let recommendations = recommend(&graph, &primary, &[&other]);
    let node_verdicts = vec![
        coreml_ep::NodeVerdict::of_prediction(&graph, &primary),
        coreml_ep::NodeVerdict::of_prediction(&other_graph, &other),
    ];
    Ok(Analysis {
        graph: graph.name.clone(),
        optimised_by: String::new(),
        disabled_optimizers: Vec::new(),
        level1_cached: false,
        unoptimised_because: None,
        predictions: vec![primary.report, other.report],
        node_verdicts,
        analysis_graphs: vec![graph, other_graph],
        recommendations,
        timings: Timings {
            analysis: started.elapsed(),
            ..Timings::default()
        },
    })
}
