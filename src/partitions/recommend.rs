//! What to change, drawn from a diagnosis the way the study draws its conclusions, each tied to
//! the evidence that triggered it.

use std::collections::HashSet;

use serde::Serialize;

use crate::onnx::proto::data_type;
use crate::runtime::ModelFormat;

use super::graph::AnalysisGraph;
use super::predict::Prediction;
use super::report::format_name;
use super::rules::{RejectCategory, Support, Verdict};

/// Which change a recommendation proposes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RecommendationKind {
    StaticShapes,
    FastGelu,
    Fp32Graph,
    MlProgram,
    PreferCpu,
}

/// A proposed change and the evidence for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Recommendation {
    pub kind: RecommendationKind,
    pub title: String,
    pub evidence: String,
}

/// Recommendations for `primary`; `alternatives` are predictions of the same graph with other
/// options (the other model format) to compare against.
pub fn recommend(
    graph: &AnalysisGraph,
    primary: &Prediction,
    alternatives: &[&Prediction],
) -> Vec<Recommendation> {
    [
        static_shapes(graph, primary),
        fast_gelu(primary),
        fp32_graph(graph, primary),
        ml_program(primary, alternatives),
        prefer_cpu(primary),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// Values computed from `Shape` outputs through shape-sized tensors (rank ≤ 1): the run-time
/// shape arithmetic a dynamic export adds and a static one folds away.
fn shape_plumbing(graph: &AnalysisGraph) -> HashSet<usize> {
    let mut derived: HashSet<&str> = HashSet::new();
    let mut nodes = HashSet::new();
    for &index in graph.topological_order() {
        let node = graph.node(index);
        let reads_derived = node.inputs.iter().any(|i| derived.contains(i.as_str()));
        if node.op_type != "Shape" && !reads_derived {
            continue;
        }
        nodes.insert(index);
        for output in &node.outputs {
            let small = graph
                .value(output)
                .and_then(|v| v.rank())
                .is_some_and(|r| r <= 1);
            if small {
                derived.insert(output);
            }
        }
    }
    nodes
}

fn rejected(prediction: &Prediction) -> impl Iterator<Item = (usize, &super::rules::Rejection)> {
    prediction
        .verdicts
        .iter()
        .enumerate()
        .filter_map(|(i, v)| match v {
            Verdict::Rejected(r) => Some((i, r)),
            Verdict::Supported => None,
        })
}

/// "Shape ×4, Gather ×8" for the op types of `nodes`.
fn op_counts(graph: &AnalysisGraph, nodes: impl Iterator<Item = usize>) -> String {
    crate::text::format::op_counts(nodes.map(|n| graph.node(n).op_type.as_str()))
}

fn static_shapes(graph: &AnalysisGraph, p: &Prediction) -> Option<Recommendation> {
    if !graph.has_dynamic_inputs() {
        return None;
    }
    let plumbing = shape_plumbing(graph);
    let dynamic: Vec<usize> = rejected(p)
        .filter(|(_, r)| r.category == RejectCategory::DynamicShape)
        .map(|(i, _)| i)
        .collect();
    let plumbed: Vec<usize> = rejected(p)
        .map(|(i, _)| i)
        .filter(|i| plumbing.contains(i) && !dynamic.contains(i))
        .collect();
    if dynamic.is_empty() && plumbed.is_empty() {
        return None;
    }
    let inputs: Vec<String> = graph
        .graph_inputs()
        .iter()
        .filter(|name| {
            graph
                .value(name)
                .is_some_and(|v| v.shape.is_some() && !v.is_static())
        })
        .cloned()
        .collect();
    let mut evidence = format!("graph inputs with dynamic dims: {}.", inputs.join(", "));
    if !dynamic.is_empty() {
        evidence.push_str(&format!(
            " {} node(s) rejected for dynamic shapes ({}).",
            dynamic.len(),
            op_counts(graph, dynamic.iter().copied())
        ));
    }
    if !plumbed.is_empty() {
        evidence.push_str(&format!(
            " {} rejected node(s) compute shapes at run time ({}); with fixed input dims ORT's \
             constant folding removes them.",
            plumbed.len(),
            op_counts(graph, plumbed.iter().copied())
        ));
    }
    Some(Recommendation {
        kind: RecommendationKind::StaticShapes,
        title: "Export with static input shapes (e.g. batch 1, sequence 128) for CoreML".into(),
        evidence,
    })
}

fn fast_gelu(p: &Prediction) -> Option<Recommendation> {
    let erf = p.report.cut_makers.iter().find(|c| c.op == "Erf")?;
    let tanh_ok = p
        .options
        .family
        .op("Tanh")
        .is_some_and(|r| matches!(r.support(p.options.format), Support::When(_)));
    if !tanh_ok {
        return None;
    }
    let reason = p
        .report
        .unsupported
        .iter()
        .find(|u| u.op == "Erf")
        .map_or(String::new(), |u| format!(" ({})", u.reason));
    Some(Recommendation {
        kind: RecommendationKind::FastGelu,
        title: "Use FastGELU (the tanh approximation) instead of exact GELU".into(),
        evidence: format!(
            "{} Erf node(s) run on the CPU{reason}; supporting them would remove {} partition(s). \
             FastGELU is Mul, Add and Tanh, which these rules accept.",
            erf.rejected_nodes, erf.partitions_removed
        ),
    })
}

fn fp32_graph(graph: &AnalysisGraph, p: &Prediction) -> Option<Recommendation> {
    if p.options.format != ModelFormat::NeuralNetwork {
        return None;
    }
    let fp16: Vec<usize> = rejected(p)
        .filter(|(i, r)| {
            r.category == RejectCategory::Dtype
                && graph
                    .node(*i)
                    .input(0)
                    .and_then(|name| graph.value(name))
                    .is_some_and(|v| v.elem_type == data_type::FLOAT16)
        })
        .map(|(i, _)| i)
        .collect();
    if fp16.is_empty() {
        return None;
    }
    Some(Recommendation {
        kind: RecommendationKind::Fp32Graph,
        title: "Give CoreML an fp32 graph (NeuralNetwork rejects float16 inputs)".into(),
        evidence: format!(
            "{} node(s) rejected because their input is float16 and NeuralNetwork takes float32 \
             only ({}). CoreML computes in reduced precision on the GPU and Neural Engine anyway; \
             or use MLProgram, which takes float16.",
            fp16.len(),
            op_counts(graph, fp16.iter().copied())
        ),
    })
}

fn ml_program(p: &Prediction, alternatives: &[&Prediction]) -> Option<Recommendation> {
    if p.options.format != ModelFormat::NeuralNetwork {
        return None;
    }
    let alt = alternatives.iter().find(|a| {
        a.options.format == ModelFormat::MlProgram
            && std::ptr::eq(a.options.family, p.options.family)
    })?;
    let (base, other) = (&p.report, &alt.report);
    let better = other.supported_nodes > base.supported_nodes
        || (other.supported_nodes == base.supported_nodes && other.partitions < base.partitions);
    if !better || other.partitions == 0 {
        return None;
    }
    Some(Recommendation {
        kind: RecommendationKind::MlProgram,
        title: format!(
            "Use ModelFormat={} (CoreML's newer format)",
            format_name(ModelFormat::MlProgram)
        ),
        evidence: format!(
            "predicted MLProgram: {} of {} nodes in {} partition(s); NeuralNetwork: {} in {}.",
            other.supported_nodes,
            other.nodes,
            other.partitions,
            base.supported_nodes,
            base.partitions
        ),
    })
}

/// ORT's own verdict heuristic (`usability_checker.py` in the wheel's mobile_helpers): one
/// partition with > 75% of the nodes is a good fit, one with 50–75% or two with > 75% maybe,
/// anything else not.
fn prefer_cpu(p: &Prediction) -> Option<Recommendation> {
    let r = &p.report;
    let coverage = r.coverage();
    let good = r.partitions == 1 && coverage > 0.75;
    let maybe = (r.partitions == 1 && coverage > 0.5) || (r.partitions == 2 && coverage > 0.75);
    if good || maybe {
        return None;
    }
    Some(Recommendation {
        kind: RecommendationKind::PreferCpu,
        title: "The CPU EP may be the right choice for this model".into(),
        evidence: format!(
            "{} of {} nodes ({:.0}%) in {} CoreML partition(s); every partition boundary is an \
             EP-CPU copy per run. ORT's usability_checker heuristic wants 1 partition with > 75% \
             of the nodes (2 partitions or 50-75% is a maybe). Measure both before choosing.",
            r.supported_nodes,
            r.nodes,
            100.0 * coverage,
            r.partitions
        ),
    })
}
