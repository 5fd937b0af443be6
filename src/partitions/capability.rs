//! ORT's partitioning loop around the CoreML EP's `GetCapability`
//! (`PartitionOnnxFormatModel` in `onnxruntime/core/framework/graph_partitioner.cc`).
//!
//! ORT asks every EP in turn (CoreML, then the CPU), then inlines each function node no EP took
//! (`InlineNodes`) and, when it inlined one, asks every EP again on the changed graph. On that
//! second pass the CoreML EP sees its first-pass partitions as single fused nodes (which it
//! does not support), the CPU's nodes (already assigned: unsupported for grouping, though the
//! per-node log still reports the rules' verdict) and the inlined bodies (unassigned). Its log
//! then ends with the second pass, and that is what a measurement reads.
//!
//! A function node ends up inlined when CoreML does not keep it in a partition and the CPU EP
//! has no kernel for it; the second condition is what the CPU-only level-1 session shows (it
//! inlined the node), see [`super::lowering::lower_back`].

use crate::onnx::proto::{ModelProto, NodeProto};

use super::PartitionError;
use super::graph::AnalysisGraph;
use super::lowering::Lowered;
use super::predict::{PredictOptions, Prediction, predict_with};

/// The op type epbench gives a fused CoreML partition in a second pass (ORT names it after the
/// partition's metadef, `<key>_CoreML_<hash>_<n>`).
pub const FUSED_PARTITION: &str = "(CoreML partition)";

/// The prediction of the last `GetCapability` pass and the graph it saw.
#[derive(Debug, Clone)]
pub struct Passes {
    pub graph: AnalysisGraph,
    pub prediction: Prediction,
    /// 1, or 2 when ORT inlined a function node CoreML did not take.
    pub passes: usize,
    /// Nodes in the first pass's kept partitions (run on CoreML as well when there is a
    /// second pass).
    pub first_pass_supported: usize,
}

/// Predicts ORT's partitioning passes on `lowered` (the level-1 graph with the CPU lowering
/// undone).
pub fn predict_passes(lowered: &Lowered, options: PredictOptions) -> Result<Passes, PartitionError> {
    let graph = AnalysisGraph::from_model(&lowered.model)?;
    let first = predict_with(&graph, options, None);
    let first_pass_supported = first.report.supported_nodes;
    let kept: std::collections::HashSet<usize> =
        first.grouping.kept.iter().flatten().copied().collect();
    let inline_now: Vec<usize> = lowered
        .inlined
        .iter()
        .filter_map(|f| {
            graph
                .nodes()
                .iter()
                .position(|n| n.outputs.first() == Some(&f.output))
        })
        .filter(|i| !kept.contains(i))
        .collect();
    if inline_now.is_empty() {
        return Ok(Passes {
            graph,
            prediction: first,
            passes: 1,
            first_pass_supported,
        });
    }
    let (model, eligible) = second_pass_graph(lowered, &graph, &first, &inline_now);
    let graph2 = AnalysisGraph::from_model(&model)?;
    let prediction = predict_with(&graph2, options, Some(&eligible));
    Ok(Passes {
        graph: graph2,
        prediction,
        passes: 2,
        first_pass_supported,
    })
}

/// The graph of the second pass and, per node, whether it is still unassigned (the only nodes
/// the CoreML EP can group then).
fn second_pass_graph(
    lowered: &Lowered,
    graph: &AnalysisGraph,
    first: &Prediction,
    inline_now: &[usize],
) -> (ModelProto, Vec<bool>) {
    let source_nodes = lowered
        .model
        .graph
        .as_ref()
        .map(|g| g.node.as_slice())
        .unwrap_or_default();
    // Analysis nodes are the model's nodes less its Constants (`AnalysisGraph::from_model`
    // makes those initializers), matched by their outputs.
    let by_outputs: std::collections::HashMap<&[String], &NodeProto> = source_nodes
        .iter()
        .map(|n| (n.output.as_slice(), n))
        .collect();
    let graph_outputs: std::collections::HashSet<&str> =
        graph.graph_outputs().iter().map(String::as_str).collect();
    let partition_of: std::collections::HashMap<usize, usize> = first
        .grouping
        .kept
        .iter()
        .enumerate()
        .flat_map(|(p, nodes)| nodes.iter().map(move |&n| (n, p)))
        .collect();
    let mut nodes: Vec<NodeProto> = Vec::new();
    let mut eligible: Vec<bool> = Vec::new();
    let mut emitted: std::collections::HashSet<usize> = std::collections::HashSet::new();
    for (i, node) in graph.nodes().iter().enumerate() {
        if let Some(&p) = partition_of.get(&i) {
            if emitted.insert(p) {
                nodes.push(fused_node(graph, &first.grouping.kept[p], &graph_outputs));
                eligible.push(false);
            }
            continue;
        }
        if inline_now.contains(&i) {
            let output = graph.node(i).outputs.first();
            if let Some(f) = lowered.inlined.iter().find(|f| Some(&f.output) == output) {
                for b in &f.body {
                    nodes.push(b.clone());
                    eligible.push(true);
                }
                continue;
            }
        }
        if let Some(proto) = by_outputs.get(node.outputs.as_slice()) {
            nodes.push((*proto).clone());
            eligible.push(false);
        }
    }
    let mut model = lowered.model.clone();
    if let Some(g) = model.graph.as_mut() {
        g.node = nodes;
    }
    (model, eligible)
}

/// A first-pass partition as one node: its inputs are the values it reads from outside (not
/// constant initializers, which ORT drops from the metadef), its outputs the values read
/// outside it or by the graph's outputs.
fn fused_node(
    graph: &AnalysisGraph,
    members: &[usize],
    graph_outputs: &std::collections::HashSet<&str>,
) -> NodeProto {
    let inside: std::collections::HashSet<usize> = members.iter().copied().collect();
    let produced: std::collections::HashSet<&str> = members
        .iter()
        .flat_map(|&m| graph.node(m).outputs.iter().map(String::as_str))
        .collect();
    let mut input = Vec::new();
    let mut output = Vec::new();
    for &m in members {
        let node = graph.node(m);
        for x in node.inputs.iter().filter(|x| !x.is_empty()) {
            let external = !produced.contains(x.as_str());
            let constant = graph.constant_initializer(x).is_some();
            if external && !constant && !input.contains(x) {
                input.push(x.clone());
            }
        }
        for o in &node.outputs {
            let read_outside = graph.output_edges(m).iter().any(|e| {
                !inside.contains(&e.to) && graph.node(m).outputs.get(e.from_output) == Some(o)
            });
            if (read_outside || graph_outputs.contains(o.as_str())) && !output.contains(o) {
                output.push(o.clone());
            }
        }
    }
    NodeProto {
        op_type: FUSED_PARTITION.to_string(),
        input,
        output,
        ..NodeProto::default()
    }
}
