//! What every rewrite needs from a graph: who consumes a value, the constant a value holds,
//! fresh node names, removing what nothing uses any more, and types from shape inference.

use std::collections::{HashMap, HashSet};

use crate::onnx::proto::{GraphProto, ModelProto, NodeProto, TensorProto};
use crate::partitions::AnalysisGraph;

use super::RewriteError;
use super::tensor::Constant;

/// The version of the default ONNX domain the model imports.
pub fn default_opset(model: &ModelProto) -> i64 {
    model
        .opset_import
        .iter()
        .find(|o| o.domain.is_empty() || o.domain == "ai.onnx")
        .map_or(0, |o| o.version)
}

/// Types and shapes of every value, as ONNX shape inference would give them (the analysis
/// graph's inference, the one the partition predictions use).
pub fn infer(model: &ModelProto) -> Result<AnalysisGraph, RewriteError> {
    AnalysisGraph::from_model(model).map_err(|e| RewriteError::Graph(e.to_string()))
}

/// Nodes by the values they read: `consumers[value]` lists node indices, once per use.
pub fn consumers(graph: &GraphProto) -> HashMap<&str, Vec<usize>> {
    let mut map: HashMap<&str, Vec<usize>> = HashMap::new();
    for (index, node) in graph.node.iter().enumerate() {
        for input in node.input.iter().filter(|i| !i.is_empty()) {
            map.entry(input.as_str()).or_default().push(index);
        }
    }
    map
}

/// The node producing each value.
pub fn producers(graph: &GraphProto) -> HashMap<&str, usize> {
    graph
        .node
        .iter()
        .enumerate()
        .flat_map(|(index, node)| node.output.iter().map(move |o| (o.as_str(), index)))
        .collect()
}

/// Whether `node` is a `Constant` of the default domain.
pub fn is_constant_node(node: &NodeProto) -> bool {
    node.op_type == "Constant" && (node.domain.is_empty() || node.domain == "ai.onnx")
}

/// The tensor a `Constant` node holds, in any of its attribute forms.
pub fn constant_node_value(node: &NodeProto) -> Option<Constant> {
    let a = node.attribute.first()?;
    match a.name.as_str() {
        "value" => Constant::from_tensor(a.t.as_ref()?),
        "value_float" => Constant::from_tensor(&TensorProto {
            data_type: crate::onnx::proto::data_type::FLOAT,
            float_data: vec![a.f?],
            ..TensorProto::default()
        }),
        "value_floats" => Constant::from_tensor(&TensorProto {
            data_type: crate::onnx::proto::data_type::FLOAT,
            dims: vec![a.floats.len() as i64],
            float_data: a.floats.clone(),
            ..TensorProto::default()
        }),
        "value_int" => Constant::from_tensor(&TensorProto {
            data_type: crate::onnx::proto::data_type::INT64,
            int64_data: vec![a.i?],
            ..TensorProto::default()
        }),
        "value_ints" => Some(Constant::ints(a.ints.clone())),
        _ => None,
    }
}

/// Initializers a run cannot override: not listed as graph inputs (from IR version 4 on, an
/// initializer that is also an input is a default the caller may replace).
pub fn fixed_initializers(model: &ModelProto, graph: &GraphProto) -> HashSet<String> {
    let inputs: HashSet<&str> = graph.input.iter().map(|i| i.name.as_str()).collect();
    graph
        .initializer
        .iter()
        .filter(|t| model.ir_version < 4 || !inputs.contains(t.name.as_str()))
        .map(|t| t.name.clone())
        .collect()
}

/// Constants of at most `limit` elements, by value name: fixed initializers and `Constant`
/// node outputs.
pub fn small_constants(
    model: &ModelProto,
    graph: &GraphProto,
    limit: u64,
) -> HashMap<String, Constant> {
    let fixed = fixed_initializers(model, graph);
    let mut map = HashMap::new();
    for t in &graph.initializer {
        if t.element_count() <= limit
            && fixed.contains(&t.name)
            && let Some(c) = Constant::from_tensor(t)
        {
            map.insert(t.name.clone(), c);
        }
    }
    for node in graph.node.iter().filter(|n| is_constant_node(n)) {
        if let (Some(output), Some(c)) = (node.output.first(), constant_node_value(node))
            && c.len() as u64 <= limit
        {
            map.insert(output.clone(), c);
        }
    }
    map
}

/// Names of nodes and values already in the graph, to make new ones unique.
pub struct Names {
    taken: HashSet<String>,
}

impl Names {
    pub fn of(graph: &GraphProto) -> Self {
        let mut taken: HashSet<String> = graph.node.iter().map(|n| n.name.clone()).collect();
        taken.extend(graph.node.iter().flat_map(|n| n.output.iter().cloned()));
        taken.extend(graph.initializer.iter().map(|t| t.name.clone()));
        taken.extend(graph.input.iter().map(|v| v.name.clone()));
        taken.extend(graph.output.iter().map(|v| v.name.clone()));
        Self { taken }
    }

    /// `base`, or `base_1`, `base_2`, ... if taken; the result is taken from then on.
    pub fn fresh(&mut self, base: &str) -> String {
        let mut name = base.to_string();
        let mut n = 0;
        while self.taken.contains(&name) {
            n += 1;
            name = format!("{base}_{n}");
        }
        self.taken.insert(name.clone());
        name
    }
}

/// Removes nodes none of whose outputs is read (by a node or as a graph output), then
/// initializers nothing reads any more; repeats until nothing changes. Initializers listed as
/// graph inputs stay: they are part of the model's interface.
pub fn remove_unused(graph: &mut GraphProto) {
    loop {
        let mut used: HashSet<String> = graph.output.iter().map(|o| o.name.clone()).collect();
        read_by(&graph.node, &mut used);
        let before = graph.node.len();
        graph
            .node
            .retain(|n| n.output.iter().any(|o| !o.is_empty() && used.contains(o)));
        if graph.node.len() == before {
            let inputs: HashSet<&str> = graph.input.iter().map(|i| i.name.as_str()).collect();
            graph
                .initializer
                .retain(|t| used.contains(&t.name) || inputs.contains(t.name.as_str()));
            return;
        }
    }
}

/// Adds the values `nodes` read to `used`, including what their subgraphs (If, Loop, Scan
/// bodies) read from outer scopes by name.
fn read_by(nodes: &[NodeProto], used: &mut HashSet<String>) {
    for node in nodes {
        used.extend(node.input.iter().filter(|i| !i.is_empty()).cloned());
        for sub in node
            .attribute
            .iter()
            .flat_map(|a| a.g.iter().chain(&a.graphs))
        {
            read_by(&sub.node, used);
            used.extend(sub.output.iter().map(|o| o.name.clone()));
        }
    }
}

/// Whether any node holds a subgraph (If, Loop, Scan): rewrites work on the main graph only.
pub fn has_subgraphs(graph: &GraphProto) -> bool {
    graph
        .node
        .iter()
        .flat_map(|n| &n.attribute)
        .any(|a| a.g.is_some() || !a.graphs.is_empty())
}
