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

use std::collections::{HashMap, HashSet};

use crate::onnx::proto::{ModelProto, NodeProto};

use super::PartitionError;
use super::graph::AnalysisGraph;
use super::lowering::{InlinedFunction, Lowered};
use super::predict::{PredictOptions, Prediction, predict_with};

/// The op type epbench gives a fused CoreML partition in a second pass (ORT names it after the
/// partition's metadef, `<key>_CoreML_<hash>_<n>`).
pub const FUSED_PARTITION: &str = "(CoreML partition)";

/// The prediction of the last `GetCapability` pass and the graph it saw.
#[derive(Debug, Clone)]
pub struct Passes {
    pub graph: AnalysisGraph,
    pub prediction: Prediction,
    /// How many `GetCapability` passes ORT makes: 1, more when it inlines function nodes that
    /// CoreML did not take.
    pub passes: usize,
    /// Nodes in the first pass's kept partitions (run on CoreML as well when there is a
    /// second pass).
    pub first_pass_supported: usize,
}

/// Predicts ORT's partitioning passes on `lowered` (the level-1 graph with the CPU lowering
/// undone): a pass, then the function nodes no partition kept are inlined and the next pass
/// runs, until no function node is left to inline.
pub fn predict_passes(
    lowered: &Lowered,
    options: PredictOptions,
) -> Result<Passes, PartitionError> {
    let mut model = lowered.model.clone();
    let pending: &[InlinedFunction] = &lowered.inlined;
    let mut eligible: Option<Vec<bool>> = None;
    let mut first_pass_supported = None;
    let mut pass = 0;
    loop {
        pass += 1;
        let graph = AnalysisGraph::from_model(&model)?;
        let prediction = predict_with(&graph, options, eligible.as_deref());
        first_pass_supported.get_or_insert(prediction.report.supported_nodes);
        let kept: HashSet<usize> = prediction.grouping.kept.iter().flatten().copied().collect();
        let can_inline = |i: usize| {
            !kept.contains(&i)
                && eligible
                    .as_ref()
                    .is_none_or(|e| e.get(i).copied().unwrap_or(false))
        };
        let inline_now: Vec<(usize, InlinedFunction)> = graph
            .nodes()
            .iter()
            .enumerate()
            .filter(|&(i, _)| can_inline(i))
            .filter_map(|(i, n)| {
                let f = pending
                    .iter()
                    .find(|f| n.outputs.first() == Some(&f.output))?;
                Some((i, f.clone()))
            })
            .collect();
        // Passes beyond a few would mean a cycle in the bodies; ORT's own nesting is shallow.
        if inline_now.is_empty() || pass >= 8 {
            return Ok(Passes {
                graph,
                prediction,
                passes: pass,
                first_pass_supported: first_pass_supported.unwrap_or_default(),
            });
        }
        let (next, next_eligible) = next_pass_graph(&model, &graph, &prediction, &inline_now);
        model = next;
        eligible = Some(next_eligible);
    }
}

/// The graph of the next pass and, per node, whether it is still unassigned (the only nodes
/// the CoreML EP can group then): this pass's partitions become fused nodes, the inlined
/// function nodes their bodies, everything else stays (assigned to the CPU).
fn next_pass_graph(
    model: &ModelProto,
    graph: &AnalysisGraph,
    this: &Prediction,
    inline_now: &[(usize, InlinedFunction)],
) -> (ModelProto, Vec<bool>) {
    let source_nodes = model
        .graph
        .as_ref()
        .map(|g| g.node.as_slice())
        .unwrap_or_default();
    // Analysis nodes are the model's nodes less its Constants (`AnalysisGraph::from_model`
    // makes those initializers), matched by their outputs.
    let by_outputs: HashMap<&[String], &NodeProto> = source_nodes
        .iter()
        .map(|n| (n.output.as_slice(), n))
        .collect();
    let graph_outputs: HashSet<&str> = graph.graph_outputs().iter().map(String::as_str).collect();
    let partition_of: HashMap<usize, usize> = this
        .grouping
        .kept
        .iter()
        .enumerate()
        .flat_map(|(p, nodes)| nodes.iter().map(move |&n| (n, p)))
        .collect();
    let mut nodes: Vec<NodeProto> = Vec::new();
    let mut eligible: Vec<bool> = Vec::new();
    let mut emitted: HashSet<usize> = HashSet::new();
    // A value is written once: a body node that also survives elsewhere is emitted once.
    let mut written: HashSet<String> = HashSet::new();
    let mut push = |node: NodeProto, is_eligible: bool, nodes: &mut Vec<NodeProto>| {
        if node
            .output
            .iter()
            .any(|o| !o.is_empty() && written.contains(o))
        {
            return;
        }
        written.extend(node.output.iter().filter(|o| !o.is_empty()).cloned());
        nodes.push(node);
        eligible.push(is_eligible);
    };
    for (i, node) in graph.nodes().iter().enumerate() {
        if let Some(&p) = partition_of.get(&i) {
            if emitted.insert(p) {
                push(
                    fused_node(graph, &this.grouping.kept[p], &graph_outputs),
                    false,
                    &mut nodes,
                );
            }
            continue;
        }
        if let Some((_, f)) = inline_now.iter().find(|(j, _)| *j == i) {
            for b in &f.body {
                push(b.clone(), true, &mut nodes);
            }
            continue;
        }
        if let Some(proto) = by_outputs.get(node.outputs.as_slice()) {
            push((*proto).clone(), false, &mut nodes);
        }
    }
    let mut next = model.clone();
    if let Some(g) = next.graph.as_mut() {
        g.node = nodes;
    }
    (next, eligible)
}

/// A first-pass partition as one node: its inputs are the values it reads from outside (not
/// constant initializers, which ORT drops from the metadef), its outputs the values read
/// outside it or by the graph's outputs.
fn fused_node(
    graph: &AnalysisGraph,
    members: &[usize],
    graph_outputs: &HashSet<&str>,
) -> NodeProto {
    let inside: HashSet<usize> = members.iter().copied().collect();
    let produced: HashSet<&str> = members
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
