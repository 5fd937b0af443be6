//! Predicting how the CoreML EP partitions a graph: the rules decide node by node, the grouping
//! forms partitions, the family's filter drops some, and the cut-makers are found by asking how
//! many partitions would disappear if each rejected op type were supported.

use std::collections::BTreeMap;

use crate::runtime::ModelFormat;

use super::graph::AnalysisGraph;
use super::grouping::{Grouping, group_nodes};
use super::report::{CutMaker, PartitionReport, Provenance, UnsupportedOp};
use super::rules::{RejectCategory, Rejection, RuleFamily, Verdict, evaluate_node};

/// What to predict for: a rule family and the CoreML EP options that change node support.
#[derive(Debug, Clone, Copy)]
pub struct PredictOptions {
    pub family: &'static RuleFamily,
    /// `ModelFormat`: NeuralNetwork (ORT's default) or MLProgram. MLProgram needs CoreML 6
    /// (macOS 13 / iOS 16); on older systems ORT logs a warning and silently uses the
    /// NeuralNetwork rules (coreml_execution_provider.cc).
    pub format: ModelFormat,
    /// `RequireStaticInputShapes`.
    pub require_static_input_shapes: bool,
}

impl PredictOptions {
    /// ORT's default options (NeuralNetwork, dynamic shapes allowed) under `family`.
    pub fn new(family: &'static RuleFamily) -> Self {
        Self {
            family,
            format: ModelFormat::NeuralNetwork,
            require_static_input_shapes: false,
        }
    }

    /// The same options with another model format.
    pub fn with_format(self, format: ModelFormat) -> Self {
        Self { format, ..self }
    }
}

/// A prediction: the report plus the per-node detail it was computed from.
#[derive(Debug, Clone)]
pub struct Prediction {
    pub options: PredictOptions,
    pub report: PartitionReport,
    /// One verdict per node, by node index; nodes in dropped partitions are
    /// [`RejectCategory::TrivialPartition`].
    pub verdicts: Vec<Verdict>,
    /// The rules' verdicts before the partition filter: what the EP's per-node log line says.
    pub rule_verdicts: Vec<Verdict>,
    pub grouping: Grouping,
}

/// Predicts the CoreML EP's partitions of `graph` (which should be ORT's level-1 graph).
pub fn predict(graph: &AnalysisGraph, options: PredictOptions) -> Prediction {
    predict_with(graph, options, None)
}

/// [`predict`] where only the nodes with `eligible[i]` may join a partition (the others are
/// assigned to another EP already: ORT's `CreateSupportedPartitionNodeGroups` treats them as
/// unsupported). `None`: every node is eligible.
pub fn predict_with(
    graph: &AnalysisGraph,
    options: PredictOptions,
    eligible: Option<&[bool]>,
) -> Prediction {
    let (rule_verdicts, supported, grouping) = partitions_of(graph, options, eligible);

    let mut verdicts = rule_verdicts.clone();
    for &node in grouping.dropped.iter().flatten() {
        verdicts[node] = Verdict::Rejected(Rejection {
            category: RejectCategory::TrivialPartition,
            reason: format!(
                "{}: supported, but its partition held only trivial ops and was dropped ({})",
                graph.node(node).op_type,
                "coreml_execution_provider.cc, PR #28293"
            ),
        });
    }

    let cut_makers = cut_makers(graph, &supported, &grouping, options.family);
    let report = PartitionReport {
        provenance: Provenance::Predicted {
            rule_set: options.family.id_card(),
            format: options.format,
            require_static_input_shapes: options.require_static_input_shapes,
        },
        nodes: graph.len(),
        supported_nodes: grouping.supported_nodes(),
        partitions: grouping.kept.len(),
        partition_sizes: grouping.kept.iter().map(Vec::len).collect(),
        unsupported: unsupported(graph, &verdicts),
        cut_makers,
    };
    Prediction {
        options,
        report,
        verdicts,
        rule_verdicts,
        grouping,
    }
}

/// The rules' verdict on every node, which nodes may join a partition, and ORT's grouping of
/// them: what a `GetCapability` pass claims.
pub fn partitions_of(
    graph: &AnalysisGraph,
    options: PredictOptions,
    eligible: Option<&[bool]>,
) -> (Vec<Verdict>, Vec<bool>, Grouping) {
    let rule_verdicts: Vec<Verdict> = (0..graph.len())
        .map(|i| {
            evaluate_node(
                graph,
                i,
                options.family,
                options.format,
                options.require_static_input_shapes,
            )
        })
        .collect();
    let supported: Vec<bool> = rule_verdicts
        .iter()
        .enumerate()
        .map(|(i, v)| {
            v.is_supported() && eligible.is_none_or(|e| e.get(i).copied().unwrap_or(false))
        })
        .collect();
    let grouping = run_grouping(graph, &supported, options.family);
    (rule_verdicts, supported, grouping)
}

fn run_grouping(graph: &AnalysisGraph, supported: &[bool], family: &RuleFamily) -> Grouping {
    match &family.partition_filter {
        Some(filter) => {
            let keep = |group: &[usize]| {
                filter.keeps(group.iter().map(|&i| graph.node(i).op_type.as_str()))
            };
            group_nodes(graph, supported, Some(&keep))
        }
        None => group_nodes(graph, supported, None),
    }
}

/// Nodes outside kept partitions, grouped by op type and reason, most frequent first.
fn unsupported(graph: &AnalysisGraph, verdicts: &[Verdict]) -> Vec<UnsupportedOp> {
    let mut by_reason: BTreeMap<(&str, &str), UnsupportedOp> = BTreeMap::new();
    for (index, verdict) in verdicts.iter().enumerate() {
        let Verdict::Rejected(rejection) = verdict else {
            continue;
        };
        let node = graph.node(index);
        let entry = by_reason
            .entry((node.op_type.as_str(), rejection.reason.as_str()))
            .or_insert_with(|| UnsupportedOp {
                op: node.op_type.clone(),
                count: 0,
                reason: rejection.reason.clone(),
                category: rejection.category,
                nodes: Vec::new(),
            });
        entry.count += 1;
        entry.nodes.push(node.name.clone());
    }
    let mut list: Vec<UnsupportedOp> = by_reason.into_values().collect();
    list.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.op.cmp(&b.op)));
    list
}

/// Cut-makers by counterfactual: for each op type with rule-rejected nodes, the partitions that
/// disappear (and supported nodes gained) if those nodes were supported, everything else equal.
/// Only op types whose support would remove at least one partition are listed, most removed
/// first. "Causes" is therefore measured, not attributed: an op whose every occurrence sits next
/// to another cut-maker removes nothing on its own, and the numbers of two ops need not add up.
fn cut_makers(
    graph: &AnalysisGraph,
    base_supported: &[bool],
    base: &Grouping,
    family: &RuleFamily,
) -> Vec<CutMaker> {
    let mut rejected_by_op: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (index, &supported) in base_supported.iter().enumerate() {
        if !supported {
            rejected_by_op
                .entry(graph.node(index).op_type.as_str())
                .or_default()
                .push(index);
        }
    }
    let base_partitions = base.kept.len() as i64;
    let base_nodes = base.supported_nodes() as i64;
    let mut makers: Vec<CutMaker> = rejected_by_op
        .into_iter()
        .filter_map(|(op, nodes)| {
            let mut flipped = base_supported.to_vec();
            for &n in &nodes {
                flipped[n] = true;
            }
            let grouping = run_grouping(graph, &flipped, family);
            let removed = base_partitions - grouping.kept.len() as i64;
            (removed > 0).then(|| CutMaker {
                op: op.to_string(),
                rejected_nodes: nodes.len(),
                partitions_removed: removed,
                supported_nodes_gained: grouping.supported_nodes() as i64 - base_nodes,
            })
        })
        .collect();
    makers.sort_by(|a, b| {
        b.partitions_removed
            .cmp(&a.partitions_removed)
            .then(b.rejected_nodes.cmp(&a.rejected_nodes))
            .then_with(|| a.op.cmp(&b.op))
    });
    makers
}
