//! ORT's grouping of supported nodes into partitions: `CreateSupportedPartitionNodeGroups` in
//! `onnxruntime/core/providers/partitioning_utils.cc` (the same algorithm from 2021 to 2026;
//! read as of microsoft/onnxruntime@978c40d85310, 2024-03).
//!
//! A Kahn topological sort that forms groups wave by wave. In-degrees count edges (one per
//! producer output → consumer input), so graph inputs and initializers do not count. Each wave
//! takes every ready node: a supported node joins the current group and puts its consumers on the
//! group's border; an unsupported node on the border is deferred to the next wave (taking it now
//! would let the group's outputs flow through the CPU and back, a cycle); any other unsupported
//! node is processed at once, so that supported nodes behind it still join the group — which is
//! why a group need not be connected. When nothing is ready the group closes and the deferred
//! nodes start the next wave. A closed group is kept unless `on_group_closed` says otherwise.

use std::collections::{HashSet, VecDeque};

use super::graph::AnalysisGraph;

/// ORT's `OnGroupClosedFn`: whether to keep a closed group (node indices).
pub type OnGroupClosed<'a> = &'a dyn Fn(&[usize]) -> bool;

/// The groups of one run: kept partitions and the ones the filter dropped, each a list of node
/// indices in the order they joined.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Grouping {
    pub kept: Vec<Vec<usize>>,
    pub dropped: Vec<Vec<usize>>,
}

impl Grouping {
    /// Number of nodes in kept partitions (the K of the CoreML log line).
    pub fn supported_nodes(&self) -> usize {
        self.kept.iter().map(Vec::len).sum()
    }
}

/// Groups the nodes of `graph` for which `supported[index]` is true, as ORT does.
/// `on_group_closed` decides whether a closed group is kept (ORT's `on_group_closed_fn`); `None`
/// keeps every group.
///
/// ```
/// use epbench::onnx::{Dim, ElemType, FloatType, GraphBuilder};
/// use epbench::partitions::graph::AnalysisGraph;
/// use epbench::partitions::grouping::group_nodes;
///
/// // Relu -> Erf -> Relu, with Erf unsupported: two groups.
/// let mut g = GraphBuilder::new("chain", FloatType::F32);
/// let x = g.input("x", ElemType::Float32, &[Dim::from(4)]);
/// let a = g.op("Relu", &[&x], vec![]);
/// let b = g.op("Erf", &[&a], vec![]);
/// let c = g.op("Relu", &[&b], vec![]);
/// g.output(&c, "y", ElemType::Float32, &[Dim::from(4)]);
/// let graph = AnalysisGraph::from_model(&g.finish(14, vec![]))?;
/// let grouping = group_nodes(&graph, &[true, false, true], None);
/// assert_eq!(grouping.kept, vec![vec![0], vec![2]]);
/// # Ok::<(), epbench::partitions::PartitionError>(())
/// ```
pub fn group_nodes(
    graph: &AnalysisGraph,
    supported: &[bool],
    on_group_closed: Option<OnGroupClosed<'_>>,
) -> Grouping {
    let is_supported = |i: usize| supported.get(i).copied().unwrap_or(false);
    let mut in_degree: Vec<usize> = (0..graph.len())
        .map(|i| graph.input_edges(i).len())
        .collect();
    let mut to_process: VecDeque<usize> = graph
        .topological_order()
        .iter()
        .copied()
        .filter(|&i| in_degree[i] == 0)
        .collect();
    let mut with_next_group: VecDeque<usize> = VecDeque::new();
    let mut group: Vec<usize> = Vec::new();
    let mut border: HashSet<usize> = HashSet::new();
    let mut result = Grouping::default();

    let mut close = |group: &mut Vec<usize>, border: &mut HashSet<usize>| {
        if group.is_empty() {
            return;
        }
        let finished = std::mem::take(group);
        if on_group_closed.is_none_or(|keep| keep(&finished)) {
            result.kept.push(finished);
        } else {
            result.dropped.push(finished);
        }
        border.clear();
    };

    while !to_process.is_empty() || !with_next_group.is_empty() {
        let Some(node) = to_process.pop_front() else {
            close(&mut group, &mut border);
            std::mem::swap(&mut to_process, &mut with_next_group);
            continue;
        };
        let node_supported = is_supported(node);
        if !node_supported && border.contains(&node) {
            with_next_group.push_back(node);
            continue;
        }
        if node_supported {
            group.push(node);
            border.remove(&node);
        }
        let mut edges = graph.output_edges(node).to_vec();
        // ORT walks a node's output edges in `EdgeEnd` order: by consumer, then argument slots.
        edges.sort_by_key(|e| (e.to, e.from_output, e.to_input));
        for edge in edges {
            if node_supported {
                border.insert(edge.to);
            }
            in_degree[edge.to] -= 1;
            if in_degree[edge.to] == 0 {
                to_process.push_back(edge.to);
            }
        }
    }
    close(&mut group, &mut border);
    result
}
