//! How well the offline prediction agrees with the real CoreML EP, model by model and over a
//! corpus.
//!
//! For each model and each case (model format × `RequireStaticInputShapes`), the prediction
//! ([`super::predict()`] on ORT's level-1 graph) is set beside what the CoreML EP itself logged
//! while a session was created ([`super::measured_from_logs`], which needs an ORT build with the
//! CoreML EP: a Mac, or ORT's CoreML EP built for Linux). A case is *exact* when the node count,
//! the supported-node count, the partition count and every node's supported flag agree. Nodes are
//! matched by op type and name (ORT's node indices are not in the saved model); unnamed nodes of
//! one op type are matched as a count.
//!
//! Disagreements beyond an [`Allowance`] fail `epbench analyze --check`.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::runtime::{CoreMlOptions, ModelFormat};

use super::coreml_ep::NodeVerdict;
use super::measured::Measured;
use super::predict::PredictOptions;
use super::report::format_name;
use super::rules::RuleFamily;
use super::stand_in;

/// One CoreML option set a model is checked under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Case {
    pub format: ModelFormat,
    pub require_static_input_shapes: bool,
}

impl Case {
    /// Both formats, static shapes off and on.
    pub const ALL: [Case; 4] = [
        Case::new(ModelFormat::NeuralNetwork, false),
        Case::new(ModelFormat::NeuralNetwork, true),
        Case::new(ModelFormat::MlProgram, false),
        Case::new(ModelFormat::MlProgram, true),
    ];

    /// A case.
    pub const fn new(format: ModelFormat, require_static_input_shapes: bool) -> Self {
        Self {
            format,
            require_static_input_shapes,
        }
    }

    /// `NeuralNetwork` or `MLProgram, static shapes`, for tables.
    pub fn label(&self) -> String {
        if self.require_static_input_shapes {
            format!("{}, static shapes", format_name(self.format))
        } else {
            format_name(self.format).to_string()
        }
    }
}

/// Nodes / supported / partitions, as the EP's summary line gives them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub nodes: usize,
    pub supported_nodes: usize,
    pub partitions: usize,
}

/// One node whose supported flag differs between the EP and the rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeDisagreement {
    pub op: String,
    /// Empty for unnamed nodes (then `count` of them differ).
    pub name: String,
    pub count: usize,
    /// What the EP said (`true` = supported).
    pub measured_supported: bool,
    /// What the rules said, with their reason when they rejected the node.
    pub predicted: String,
    /// Set when the disagreement is allowed, with its stated cause.
    pub allowed: Option<String>,
}

/// The outcome of one case.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum CaseOutcome {
    /// Both sides produced a result.
    Compared {
        measured: Counts,
        predicted: Counts,
        /// Nodes the EP logged whose flag the rules matched.
        nodes_same: usize,
        disagreements: Vec<NodeDisagreement>,
    },
    /// The EP's session gave no partitioning (ORT could not load the model at all): nothing to
    /// compare, and not counted.
    NotMeasured { reason: String },
    /// The EP partitioned the model but the prediction failed.
    PredictionFailed { reason: String, measured: Counts },
    /// ONNX Runtime crashed the process checking this model (in the EP's or the level-1
    /// session); the check went on in a new process.
    Crashed { reason: String },
}

impl CaseOutcome {
    /// True for a compared case where everything agrees.
    pub fn is_exact(&self) -> bool {
        match self {
            CaseOutcome::Compared {
                measured,
                predicted,
                disagreements,
                ..
            } => measured == predicted && disagreements.is_empty(),
            _ => false,
        }
    }

    /// True when a disagreement (or a failed prediction) is not covered by an allowance.
    pub fn fails(&self) -> bool {
        match self {
            CaseOutcome::Compared {
                measured,
                predicted,
                disagreements,
                ..
            } => {
                let unallowed = disagreements.iter().any(|d| d.allowed.is_none());
                unallowed || (measured != predicted && disagreements.is_empty())
            }
            CaseOutcome::NotMeasured { .. } | CaseOutcome::Crashed { .. } => false,
            CaseOutcome::PredictionFailed { .. } => true,
        }
    }
}

/// One model checked under several cases.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ModelCheck {
    pub model: PathBuf,
    pub cases: Vec<(Case, CaseOutcome)>,
}

/// A disagreement the check tolerates, with the reason it cannot be predicted offline.
#[derive(Debug, Clone, Copy)]
pub struct Allowance {
    /// Matched against the file name of the model.
    pub model_contains: &'static str,
    pub cause: &'static str,
}

/// Models whose disagreements the check tolerates, each with its cause. Empty: the prediction
/// runs ORT's own partitioning ([`stand_in`]), and every disagreement the reconstruction of
/// ORT's graph had (nested function inlining, float16 casts, models without a CPU session) went
/// with it. A cause the rules cannot see offline would be listed here.
pub const ALLOWANCES: &[Allowance] = &[];

/// The allowance covering `model`'s disagreements, if any.
pub fn allowance(model: &Path) -> Option<&'static Allowance> {
    let name = model.file_name().map(|n| n.to_string_lossy().to_string());
    ALLOWANCES.iter().find(|a| {
        name.as_deref()
            .is_some_and(|n| n.contains(a.model_contains))
    })
}

/// The CoreML EP's own partitioning of `model` for `case` ([`super::coreml_ep::measure`]). A
/// session whose later steps fail (the model builder refusing a partition, a kernel the CPU
/// lacks) still logged its partitioning, and that is what is read.
pub fn measure(model: &Path, case: Case) -> Result<Measured, String> {
    let options = CoreMlOptions {
        format: case.format,
        static_shapes: case.require_static_input_shapes,
        ..CoreMlOptions::default()
    };
    super::coreml_ep::measure(model, &options, None)
        .map(|ep| ep.measured)
        .map_err(|e| e.to_string())
}

/// Checks `model` under each of `cases`: per case, the real EP and the prediction (ORT's own
/// partitioning passes with the rules standing in for the CoreML EP, [`stand_in`]).
pub fn check_model(model: &Path, family: &'static RuleFamily, cases: &[Case]) -> ModelCheck {
    let input = crate::onnx::read_model(model)
        .map(|proto| stand_in::weightless(&proto))
        .map_err(|e| e.to_string());
    let cases = cases
        .iter()
        .map(|&case| {
            let outcome = match measure(model, case) {
                Err(reason) => CaseOutcome::NotMeasured { reason },
                Ok(measured) => match &input {
                    Err(reason) => CaseOutcome::PredictionFailed {
                        reason: reason.clone(),
                        measured: counts_of(&measured),
                    },
                    Ok(input) => compare(model, input, family, case, &measured),
                },
            };
            (case, outcome)
        })
        .collect();
    ModelCheck {
        model: model.to_path_buf(),
        cases,
    }
}

fn counts_of(measured: &Measured) -> Counts {
    Counts {
        nodes: measured.capability.nodes,
        supported_nodes: measured.capability.supported_nodes,
        partitions: measured.capability.partitions,
    }
}

/// The rules' per-node verdicts beside the EP's per-node lines.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NodeTally {
    /// Nodes the EP logged whose flag the rules matched.
    pub nodes_same: usize,
    /// The (op, name) groups that differ, sorted; none allowed (the caller knows the model).
    pub disagreements: Vec<NodeDisagreement>,
}

/// Sets the rules' verdicts (`predicted`, [`NodeVerdict::of_prediction`]) against the EP's
/// per-node lines, matched by op type and name: nodes of one (op, name), such as unnamed ones,
/// are matched as a count, and a partition that ORT fused in an earlier pass (logged under its
/// metadef name) is matched to the rules' stand-in for it.
pub fn tally_nodes(predicted: &[NodeVerdict], measured: &Measured) -> NodeTally {
    let mut ours: BTreeMap<(String, String), Tally> = BTreeMap::new();
    for verdict in predicted {
        let t = ours
            .entry((verdict.op.clone(), verdict.name.clone()))
            .or_default();
        t.nodes += 1;
        if verdict.supported {
            t.supported += 1;
        } else {
            t.reason.clone_from(&verdict.reason);
        }
    }
    let mut theirs: HashMap<(String, String), Tally> = HashMap::new();
    for line in &measured.node_lines {
        // A partition fused in an earlier pass: ORT names it after its metadef.
        let key = if line.op.contains("_CoreML_") {
            (stand_in::FUSED_PARTITION.to_string(), String::new())
        } else {
            (line.op.clone(), line.name.clone())
        };
        let t = theirs.entry(key).or_default();
        t.nodes += 1;
        t.supported += usize::from(line.supported);
    }
    let mut nodes_same = 0;
    let mut disagreements = Vec::new();
    let mut keys: Vec<&(String, String)> = theirs.keys().collect();
    keys.sort();
    for key in keys {
        let m = &theirs[key];
        let empty = Tally::default();
        let p = ours.get(key).unwrap_or(&empty);
        let same = m.supported.min(p.supported)
            + (m.nodes - m.supported).min(p.nodes.saturating_sub(p.supported));
        nodes_same += same;
        if same == m.nodes && m.nodes == p.nodes {
            continue;
        }
        let measured_supported = m.supported > p.supported.min(m.supported);
        let predicted = if p.nodes == 0 {
            "not in the predicted graph".to_string()
        } else if measured_supported {
            p.reason
                .clone()
                .unwrap_or_else(|| "rejected by the rules".into())
        } else {
            "supported by the rules".to_string()
        };
        disagreements.push(NodeDisagreement {
            op: key.0.clone(),
            name: key.1.clone(),
            count: m.nodes.abs_diff(same).max(1),
            measured_supported,
            predicted,
            allowed: None,
        });
    }
    for (key, p) in &ours {
        if !theirs.contains_key(key) {
            disagreements.push(NodeDisagreement {
                op: key.0.clone(),
                name: key.1.clone(),
                count: p.nodes,
                measured_supported: false,
                predicted: "in the predicted graph only (the EP did not see this node)".into(),
                allowed: None,
            });
        }
    }
    NodeTally {
        nodes_same,
        disagreements,
    }
}

/// Per (op, name): nodes and supported nodes.
#[derive(Default)]
struct Tally {
    nodes: usize,
    supported: usize,
    /// A rejection reason of the rules, for messages.
    reason: Option<String>,
}

fn compare(
    model: &Path,
    input: &stand_in::Weightless,
    family: &'static RuleFamily,
    case: Case,
    measured: &Measured,
) -> CaseOutcome {
    let options = PredictOptions {
        family,
        format: case.format,
        require_static_input_shapes: case.require_static_input_shapes,
    };
    let last = stand_in::partition(model, input, options, family.level1_disabled_optimizers())
        .and_then(|run| run.predict(options));
    let last = match last {
        Ok(last) => last,
        Err(e) => {
            return CaseOutcome::PredictionFailed {
                reason: e.to_string(),
                measured: counts_of(measured),
            };
        }
    };
    let (graph, prediction) = (&last.graph, &last.prediction);
    let predicted = Counts {
        nodes: prediction.report.nodes,
        supported_nodes: prediction.report.supported_nodes,
        partitions: prediction.report.partitions,
    };
    let tally = tally_nodes(&NodeVerdict::of_prediction(graph, prediction), measured);
    let allowed = allowance(model).map(|a| a.cause.to_string());
    let disagreements = tally
        .disagreements
        .into_iter()
        .map(|d| NodeDisagreement {
            allowed: allowed.clone(),
            ..d
        })
        .collect();
    let nodes_same = tally.nodes_same;
    CaseOutcome::Compared {
        measured: counts_of(measured),
        predicted,
        nodes_same,
        disagreements,
    }
}

/// Agreement over many models, for one case.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CaseSummary {
    /// Models both sides produced a result for (predictions that failed count as misses).
    pub models: usize,
    pub models_exact: usize,
    /// Nodes the EP logged, and how many of them the rules flagged the same.
    pub nodes: usize,
    pub nodes_same: usize,
    /// Models the EP could not load (not counted above).
    pub not_measured: usize,
    /// Models on which ORT crashed the process (not counted above).
    pub crashed: usize,
    pub prediction_failed: usize,
}

impl CaseSummary {
    /// Share of models exact, in percent.
    pub fn models_exact_pct(&self) -> f64 {
        pct(self.models_exact, self.models)
    }

    /// Share of nodes assigned the same, in percent.
    pub fn nodes_same_pct(&self) -> f64 {
        pct(self.nodes_same, self.nodes)
    }
}

fn pct(a: usize, b: usize) -> f64 {
    if b == 0 {
        100.0
    } else {
        100.0 * a as f64 / b as f64
    }
}

/// A group of disagreeing nodes: one op, one direction, one predicted reason.
#[derive(Debug, Clone, Serialize)]
pub struct DisagreementGroup {
    pub op: String,
    pub measured_supported: bool,
    pub predicted: String,
    pub nodes: usize,
    /// Model × case occurrences.
    pub cases: usize,
    pub allowed: Option<String>,
    /// Up to three models where it happens.
    pub examples: Vec<String>,
}

/// Agreement of a whole corpus.
#[derive(Debug, Clone, Serialize)]
pub struct CorpusAgreement {
    pub per_case: Vec<(Case, CaseSummary)>,
    /// Most frequent first.
    pub disagreements: Vec<DisagreementGroup>,
    /// Model × case pairs failing the check (beyond the allowances).
    pub failing: usize,
}

/// Aggregates model checks by case and by disagreement.
pub fn aggregate(checks: &[ModelCheck]) -> CorpusAgreement {
    let mut per_case: BTreeMap<Case, CaseSummary> = BTreeMap::new();
    let mut groups: BTreeMap<(String, bool, String), DisagreementGroup> = BTreeMap::new();
    let mut failing = 0;
    for check in checks {
        let model = check.model.display().to_string();
        for (case, outcome) in &check.cases {
            let s = per_case.entry(*case).or_default();
            failing += usize::from(outcome.fails());
            match outcome {
                CaseOutcome::NotMeasured { .. } => s.not_measured += 1,
                CaseOutcome::Crashed { .. } => s.crashed += 1,
                CaseOutcome::PredictionFailed { reason, measured } => {
                    s.models += 1;
                    s.nodes += measured.nodes;
                    s.prediction_failed += 1;
                    let g = groups
                        .entry(("(prediction)".into(), false, short_reason(reason)))
                        .or_insert_with(|| DisagreementGroup {
                            op: "(prediction)".into(),
                            measured_supported: false,
                            predicted: short_reason(reason),
                            nodes: 0,
                            cases: 0,
                            allowed: None,
                            examples: Vec::new(),
                        });
                    g.cases += 1;
                    g.nodes += measured.nodes;
                    if g.examples.len() < 3 && !g.examples.contains(&model) {
                        g.examples.push(model.clone());
                    }
                }
                CaseOutcome::Compared {
                    measured,
                    nodes_same,
                    disagreements,
                    ..
                } => {
                    s.models += 1;
                    s.models_exact += usize::from(outcome.is_exact());
                    s.nodes += measured.nodes;
                    s.nodes_same += (*nodes_same).min(measured.nodes);
                    if disagreements.is_empty() && !outcome.is_exact() {
                        let g = groups
                            .entry(("(grouping)".into(), false, "partitions differ".into()))
                            .or_insert_with(|| DisagreementGroup {
                                op: "(grouping)".into(),
                                measured_supported: false,
                                predicted: "every node agrees, the partition counts do not".into(),
                                nodes: 0,
                                cases: 0,
                                allowed: None,
                                examples: Vec::new(),
                            });
                        g.cases += 1;
                        if g.examples.len() < 3 && !g.examples.contains(&model) {
                            g.examples.push(model.clone());
                        }
                    }
                    for d in disagreements {
                        let key = (d.op.clone(), d.measured_supported, d.predicted.clone());
                        let g = groups.entry(key).or_insert_with(|| DisagreementGroup {
                            op: d.op.clone(),
                            measured_supported: d.measured_supported,
                            predicted: d.predicted.clone(),
                            nodes: 0,
                            cases: 0,
                            allowed: d.allowed.clone(),
                            examples: Vec::new(),
                        });
                        g.nodes += d.count;
                        g.cases += 1;
                        if g.examples.len() < 3 && !g.examples.contains(&model) {
                            g.examples.push(model.clone());
                        }
                    }
                }
            }
        }
    }
    let mut disagreements: Vec<DisagreementGroup> = groups.into_values().collect();
    disagreements.sort_by(|a, b| b.cases.cmp(&a.cases).then_with(|| a.op.cmp(&b.op)));
    CorpusAgreement {
        per_case: per_case.into_iter().collect(),
        disagreements,
        failing,
    }
}

fn short_reason(reason: &str) -> String {
    reason.chars().take(160).collect()
}

/// Every `.onnx` file under `path` (or `path` itself), sorted.
pub fn collect_models(path: &Path) -> std::io::Result<Vec<PathBuf>> {
    if path.is_file() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut found = Vec::new();
    let mut stack = vec![path.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir)? {
            let path = entry?.path();
            let hidden = path
                .file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'));
            if hidden {
                continue;
            }
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "onnx") {
                found.push(path);
            }
        }
    }
    found.sort();
    Ok(found)
}
