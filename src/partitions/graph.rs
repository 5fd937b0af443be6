//! A graph as ONNX Runtime's partitioner sees it: nodes, constant and overridable initializers,
//! value types and shapes, and the producer→consumer edges.
//!
//! The CoreML EP's `GetCapability` runs after ORT's level-1 transformers (constant folding,
//! eliminations, `MatMulAddFusion`, ...; `core/session/inference_session.cc` `TransformGraph`),
//! so the graph to analyse is the one ORT hands an EP in that pass: [`super::stand_in`] reads it
//! from ORT and [`AnalysisGraph::from_model`] reads that.
//!
//! Where ORT knows no type for a value, the shapes the rules need — rank, static or symbolic
//! dims, element type — are inferred here (module `shapes`), as ORT's own shape inference does
//! when it resolves a graph.

use serde::Serialize;
use std::collections::{HashMap, HashSet};

use crate::onnx::proto::{
    AttributeProto, GraphProto, ModelProto, NodeProto, TensorProto, TypeProto, attribute_type,
    data_type, tensor_shape_proto::dimension, type_proto,
};

use super::PartitionError;
use super::{schema, shapes};

/// One axis of a value's shape.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub enum Dim {
    /// A fixed size (`dim_value`).
    Fixed(i64),
    /// A named symbolic size such as `batch_size` (`dim_param`).
    Symbolic(String),
    /// A size nobody knows (neither value nor name), e.g. after a runtime-shaped `Reshape`.
    Unknown,
}

impl Dim {
    /// The fixed size, if any.
    pub fn fixed(&self) -> Option<i64> {
        match self {
            Dim::Fixed(v) => Some(*v),
            _ => None,
        }
    }
}

/// A value's element type and shape. `shape: None` means ORT would not know the rank either,
/// which the CoreML EP treats as "no shape" and rejects.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct ValueType {
    /// `TensorProto.DataType` code; 0 when unknown.
    pub elem_type: i32,
    pub shape: Option<Vec<Dim>>,
}

impl ValueType {
    /// A value with a known element type and shape.
    pub fn new(elem_type: i32, shape: Vec<Dim>) -> Self {
        Self {
            elem_type,
            shape: Some(shape),
        }
    }

    /// The rank, when the shape is known.
    pub fn rank(&self) -> Option<usize> {
        self.shape.as_ref().map(Vec::len)
    }

    /// The dims as ORT's `GetShape` reports them: fixed sizes, and -1 for symbolic or unknown.
    pub fn ort_dims(&self) -> Option<Vec<i64>> {
        self.shape
            .as_ref()
            .map(|dims| dims.iter().map(|d| d.fixed().unwrap_or(-1)).collect())
    }

    /// True when the shape is known and every dim is fixed (ORT's `GetStaticShape` succeeds).
    pub fn is_static(&self) -> bool {
        self.shape
            .as_ref()
            .is_some_and(|dims| dims.iter().all(|d| d.fixed().is_some()))
    }
}

/// An attribute value, reduced to what the rules read.
#[derive(Debug, Clone, PartialEq)]
pub enum AttrValue {
    Int(i64),
    Float(f32),
    String(String),
    Ints(Vec<i64>),
    Floats(Vec<f32>),
    /// A tensor-valued attribute (only `Constant` nodes use one, and those become initializers).
    Tensor,
    /// Subgraphs and anything else the rules never look at.
    Other,
}

/// One node of the graph.
#[derive(Debug, Clone, PartialEq)]
pub struct GraphNode {
    /// Position in the analysed graph (ORT numbers nodes differently; names are the stable key).
    pub index: usize,
    pub name: String,
    pub op_type: String,
    /// `""` for the default ONNX domain.
    pub domain: String,
    /// Input value names; `""` marks an omitted optional input.
    pub inputs: Vec<String>,
    pub outputs: Vec<String>,
    pub attributes: Vec<(String, AttrValue)>,
    /// The opset version that defined this op's schema (ORT's `Node::SinceVersion`), when known.
    pub since_version: Option<i64>,
}

impl GraphNode {
    /// The attribute called `name`.
    pub fn attr(&self, name: &str) -> Option<&AttrValue> {
        self.attributes
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v)
    }

    /// An integer attribute, or `default` when absent.
    pub fn attr_int(&self, name: &str, default: i64) -> i64 {
        match self.attr(name) {
            Some(AttrValue::Int(v)) => *v,
            _ => default,
        }
    }

    /// A float attribute, or `default` when absent.
    pub fn attr_float(&self, name: &str, default: f32) -> f32 {
        match self.attr(name) {
            Some(AttrValue::Float(v)) => *v,
            _ => default,
        }
    }

    /// An integer-list attribute.
    pub fn attr_ints(&self, name: &str) -> Option<&[i64]> {
        match self.attr(name) {
            Some(AttrValue::Ints(v)) => Some(v),
            _ => None,
        }
    }

    /// The name of input `index` when it is present (not omitted).
    pub fn input(&self, index: usize) -> Option<&str> {
        self.inputs
            .get(index)
            .map(String::as_str)
            .filter(|s| !s.is_empty())
    }
}

/// A weight or constant of the graph.
#[derive(Debug, Clone, PartialEq)]
pub struct Initializer {
    pub dims: Vec<i64>,
    pub data_type: i32,
    /// False when the initializer is also a graph input, so a caller may override it at run
    /// time; ORT's `GetConstantInitializer` then returns null and the CoreML builders that need
    /// a constant reject the node.
    pub constant: bool,
    /// Stored outside the model file; the CoreML EP rejects nodes reading such initializers.
    pub external: bool,
    /// The values of a small integer initializer (shapes, axes, slice bounds), when readable.
    pub int_values: Option<Vec<i64>>,
    /// The values of a small float32/float16 initializer (Clip bounds, Resize scales).
    pub float_values: Option<Vec<f32>>,
    /// How many values the typed `int64_data` field holds (not `raw_data`): the reduction
    /// builders read `int64_data_size()` to tell empty axes.
    pub typed_int64_values: usize,
}

/// A producer→consumer connection, as ORT's `Node::EdgeEnd`: one per (producer output, consumer
/// input) pair, so a node reading the same value twice has two input edges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Edge {
    pub from: usize,
    pub from_output: usize,
    pub to: usize,
    pub to_input: usize,
}

/// The analysis view of a graph.
#[derive(Debug, Clone)]
pub struct AnalysisGraph {
    /// Model name for messages (the graph's name).
    pub name: String,
    nodes: Vec<GraphNode>,
    values: HashMap<String, ValueType>,
    initializers: HashMap<String, Initializer>,
    graph_inputs: Vec<String>,
    graph_outputs: Vec<String>,
    producers: HashMap<String, usize>,
    input_edges: Vec<Vec<Edge>>,
    output_edges: Vec<Vec<Edge>>,
    topological_order: Vec<usize>,
}

/// Keys of the `metadata_props` with which a graph read from ORT's `GetCapability` (the
/// stand-in EP, [`super::stand_in`]) carries what a plain ONNX model cannot say.
pub mod ort_keys {
    /// Model key: set to [`TYPES_COMPLETE`] when `value_info` holds ORT's type of every value
    /// (then nothing is inferred: a value ORT left untyped stays untyped, as `GetCapability`
    /// saw it).
    pub const TYPES: &str = "epbench.ort_types";
    /// The value of [`TYPES`].
    pub const TYPES_COMPLETE: &str = "complete";
    /// Node key: ORT's `Node::SinceVersion` of the node's schema.
    pub const SINCE_VERSION: &str = "epbench.ort_since_version";
    /// Node key: the EP ORT had already assigned the node to (absent: unassigned).
    pub const EP: &str = "epbench.ort_ep";
}

/// The largest initializer whose integer values are decoded: shapes, axes and slice bounds are
/// tiny, and decoding weights would waste time on large models.
const MAX_DECODED_INTS: u64 = 64;

impl AnalysisGraph {
    /// Builds the view of `model`'s main graph.
    ///
    /// `Constant` nodes are turned into initializers, as ORT does when it loads a model
    /// (`core/graph/graph.cc`), so they never reach `GetCapability`. Fails when the graph has
    /// no nodes' worth of structure to analyse: a missing graph, a value produced twice, or a
    /// cycle.
    pub fn from_model(model: &ModelProto) -> Result<Self, PartitionError> {
        let graph = model
            .graph
            .as_ref()
            .ok_or_else(|| malformed("<unnamed>", "the model has no graph"))?;
        let name = if graph.name.is_empty() {
            "<unnamed graph>".to_string()
        } else {
            graph.name.clone()
        };
        let opsets: HashMap<String, i64> = model
            .opset_import
            .iter()
            .map(|o| (normalise_domain(&o.domain).to_string(), o.version))
            .collect();
        // Before IR version 4 every initializer had to be listed as an input and none could be
        // overridden (ORT's `Graph::CanOverrideInitializer`).
        let can_override = model.ir_version >= 4;
        let graph_inputs: Vec<String> = graph.input.iter().map(|v| v.name.clone()).collect();
        let input_set: HashSet<&str> = graph_inputs.iter().map(String::as_str).collect();

        let mut initializers = HashMap::new();
        for tensor in &graph.initializer {
            let constant = !(can_override && input_set.contains(tensor.name.as_str()));
            initializers.insert(tensor.name.clone(), initializer(tensor, constant));
        }

        let mut nodes = Vec::with_capacity(graph.node.len());
        for node in &graph.node {
            if node.op_type == "Constant"
                && normalise_domain(&node.domain).is_empty()
                && let (Some(output), Some(tensor)) = (node.output.first(), constant_value(node))
            {
                initializers.insert(output.clone(), initializer(&tensor, true));
                continue;
            }
            let domain = normalise_domain(&node.domain).to_string();
            let since_version = node_metadata(node, ort_keys::SINCE_VERSION)
                .and_then(|v| v.parse().ok())
                .or_else(|| {
                    opsets
                        .get(&domain)
                        .and_then(|&opset| schema::since_version(&domain, &node.op_type, opset))
                });
            nodes.push(GraphNode {
                index: nodes.len(),
                name: node.name.clone(),
                op_type: node.op_type.clone(),
                domain,
                inputs: node.input.clone(),
                outputs: node.output.clone(),
                attributes: node.attribute.iter().map(attribute).collect(),
                since_version,
            });
        }

        let mut values = declared_types(graph);
        for (name, init) in &initializers {
            let dims = init.dims.iter().map(|&d| Dim::Fixed(d)).collect();
            values.insert(name.clone(), ValueType::new(init.data_type, dims));
        }

        let mut analysis = AnalysisGraph {
            name,
            nodes,
            values,
            initializers,
            graph_inputs,
            graph_outputs: graph.output.iter().map(|v| v.name.clone()).collect(),
            producers: HashMap::new(),
            input_edges: Vec::new(),
            output_edges: Vec::new(),
            topological_order: Vec::new(),
        };
        analysis.connect()?;
        let types_complete = model
            .metadata_props
            .iter()
            .any(|p| p.key == ort_keys::TYPES && p.value == ort_keys::TYPES_COMPLETE);
        if !types_complete {
            shapes::infer(&mut analysis);
        }
        Ok(analysis)
    }

    /// Builds the producer map and the edges, and checks the graph is acyclic.
    fn connect(&mut self) -> Result<(), PartitionError> {
        let mut producer: HashMap<String, (usize, usize)> = HashMap::new();
        for node in &self.nodes {
            for (slot, output) in node.outputs.iter().enumerate() {
                if output.is_empty() {
                    continue;
                }
                if producer
                    .insert(output.clone(), (node.index, slot))
                    .is_some()
                {
                    return Err(malformed(
                        &self.name,
                        &format!("value `{output}` is produced by more than one node"),
                    ));
                }
            }
        }
        let mut input_edges = vec![Vec::new(); self.nodes.len()];
        let mut output_edges = vec![Vec::new(); self.nodes.len()];
        for node in &self.nodes {
            for (slot, input) in node.inputs.iter().enumerate() {
                if let Some(&(from, from_output)) = producer.get(input.as_str()) {
                    let edge = Edge {
                        from,
                        from_output,
                        to: node.index,
                        to_input: slot,
                    };
                    input_edges[node.index].push(edge);
                    output_edges[from].push(edge);
                }
            }
        }
        self.input_edges = input_edges;
        self.output_edges = output_edges;
        self.producers = producer
            .into_iter()
            .map(|(name, (node, _))| (name, node))
            .collect();
        self.topological_order = self
            .kahn_order()
            .ok_or_else(|| malformed(&self.name, "the graph has a cycle (it is not a DAG)"))?;
        Ok(())
    }

    /// A topological order that keeps the file's order where the file is already sorted.
    fn kahn_order(&self) -> Option<Vec<usize>> {
        let mut in_degree: Vec<usize> = self.input_edges.iter().map(Vec::len).collect();
        let mut ready: std::collections::BTreeSet<usize> = (0..self.nodes.len())
            .filter(|&i| in_degree[i] == 0)
            .collect();
        let mut order = Vec::with_capacity(self.nodes.len());
        while let Some(next) = ready.pop_first() {
            order.push(next);
            for edge in &self.output_edges[next] {
                in_degree[edge.to] -= 1;
                if in_degree[edge.to] == 0 {
                    ready.insert(edge.to);
                }
            }
        }
        (order.len() == self.nodes.len()).then_some(order)
    }

    /// All nodes, in the order of the model file.
    pub fn nodes(&self) -> &[GraphNode] {
        &self.nodes
    }

    /// Node `index`.
    pub fn node(&self, index: usize) -> &GraphNode {
        &self.nodes[index]
    }

    /// Number of nodes (the M of the CoreML log line, when the graph is ORT's level-1 graph).
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// True for a graph without nodes.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// Node indices in a topological order (the file's order when it is already sorted).
    pub fn topological_order(&self) -> &[usize] {
        &self.topological_order
    }

    /// The edges into node `index` (ORT's `InputEdgesBegin..End`).
    pub fn input_edges(&self, index: usize) -> &[Edge] {
        &self.input_edges[index]
    }

    /// The edges out of node `index` (ORT's `OutputEdgesBegin..End`).
    pub fn output_edges(&self, index: usize) -> &[Edge] {
        &self.output_edges[index]
    }

    /// The type and shape of a value, when known.
    pub fn value(&self, name: &str) -> Option<&ValueType> {
        self.values.get(name)
    }

    pub(super) fn set_value(&mut self, name: &str, value: ValueType) {
        self.values.insert(name.to_string(), value);
    }

    /// The initializer called `name`, constant or overridable.
    pub fn initializer(&self, name: &str) -> Option<&Initializer> {
        self.initializers.get(name)
    }

    /// The initializer called `name` if it is constant (ORT's `GetConstantInitializer`).
    pub fn constant_initializer(&self, name: &str) -> Option<&Initializer> {
        self.initializers.get(name).filter(|i| i.constant)
    }

    /// Names of the graph inputs (including overridable initializers listed as inputs).
    pub fn graph_inputs(&self) -> &[String] {
        &self.graph_inputs
    }

    /// Names of the graph outputs.
    pub fn graph_outputs(&self) -> &[String] {
        &self.graph_outputs
    }

    /// The node producing value `name`, if a node does (graph inputs and initializers have none).
    pub fn producer(&self, name: &str) -> Option<&GraphNode> {
        self.producers.get(name).map(|&i| &self.nodes[i])
    }

    /// True when a graph input has a symbolic or unknown dim.
    pub fn has_dynamic_inputs(&self) -> bool {
        self.graph_inputs.iter().any(|name| {
            self.value(name)
                .is_some_and(|v| v.shape.is_some() && !v.is_static())
        })
    }
}

/// A node's `metadata_props` entry `key`.
pub(crate) fn node_metadata<'a>(node: &'a NodeProto, key: &str) -> Option<&'a str> {
    node.metadata_props
        .iter()
        .find(|p| p.key == key)
        .map(|p| p.value.as_str())
}

fn malformed(model: &str, reason: &str) -> PartitionError {
    PartitionError::MalformedGraph {
        model: model.to_string(),
        reason: reason.to_string(),
    }
}

/// ONNX spells the default domain `""` or `ai.onnx`.
fn normalise_domain(domain: &str) -> &str {
    if domain == "ai.onnx" { "" } else { domain }
}

fn attribute(a: &AttributeProto) -> (String, AttrValue) {
    let value = match a.r#type {
        attribute_type::INT => AttrValue::Int(a.i.unwrap_or_default()),
        attribute_type::FLOAT => AttrValue::Float(a.f.unwrap_or_default()),
        attribute_type::STRING => {
            AttrValue::String(String::from_utf8_lossy(a.s.as_deref().unwrap_or_default()).into())
        }
        attribute_type::INTS => AttrValue::Ints(a.ints.clone()),
        attribute_type::FLOATS => AttrValue::Floats(a.floats.clone()),
        attribute_type::TENSOR => AttrValue::Tensor,
        _ => AttrValue::Other,
    };
    (a.name.clone(), value)
}

/// The tensor a `Constant` node holds, in any of its attribute forms.
fn constant_value(node: &NodeProto) -> Option<TensorProto> {
    let a = node.attribute.first()?;
    let scalar = |data_type: i32, dims: Vec<i64>| TensorProto {
        data_type,
        dims,
        ..TensorProto::default()
    };
    match a.name.as_str() {
        "value" => a.t.clone(),
        "value_float" => Some(TensorProto {
            float_data: vec![a.f.unwrap_or_default()],
            ..scalar(data_type::FLOAT, vec![])
        }),
        "value_floats" => Some(TensorProto {
            float_data: a.floats.clone(),
            ..scalar(data_type::FLOAT, vec![a.floats.len() as i64])
        }),
        "value_int" => Some(TensorProto {
            int64_data: vec![a.i.unwrap_or_default()],
            ..scalar(data_type::INT64, vec![])
        }),
        "value_ints" => Some(TensorProto {
            int64_data: a.ints.clone(),
            ..scalar(data_type::INT64, vec![a.ints.len() as i64])
        }),
        _ => None,
    }
}

/// `TensorProto.DataLocation.EXTERNAL`.
const EXTERNAL: i32 = 1;

fn initializer(tensor: &TensorProto, constant: bool) -> Initializer {
    let small = tensor.element_count() <= MAX_DECODED_INTS;
    let int_values = if small { int_values(tensor) } else { None };
    let float_values = if small { float_values(tensor) } else { None };
    Initializer {
        dims: tensor.dims.clone(),
        data_type: tensor.data_type,
        constant,
        external: tensor.data_location == EXTERNAL,
        int_values,
        float_values,
        typed_int64_values: tensor.int64_data.len(),
    }
}

/// The values of a float32/float16 tensor, from `raw_data` or the typed fields.
fn float_values(tensor: &TensorProto) -> Option<Vec<f32>> {
    let count = tensor.element_count() as usize;
    let values: Vec<f32> = match tensor.data_type {
        data_type::FLOAT if !tensor.raw_data.is_empty() => tensor
            .raw_data
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect(),
        data_type::FLOAT => tensor.float_data.clone(),
        data_type::FLOAT16 if !tensor.raw_data.is_empty() => tensor
            .raw_data
            .chunks_exact(2)
            .map(|c| half::f16::from_le_bytes([c[0], c[1]]).to_f32())
            .collect(),
        // float16 values in int32_data hold the bits (ONNX's TensorProto rule).
        data_type::FLOAT16 => tensor
            .int32_data
            .iter()
            .map(|&bits| half::f16::from_bits(bits as u16).to_f32())
            .collect(),
        _ => return None,
    };
    (values.len() == count).then_some(values)
}

/// The values of an int32/int64 tensor, from `raw_data` or the typed fields.
fn int_values(tensor: &TensorProto) -> Option<Vec<i64>> {
    let count = tensor.element_count() as usize;
    let values: Vec<i64> = match tensor.data_type {
        data_type::INT64 if !tensor.raw_data.is_empty() => tensor
            .raw_data
            .chunks_exact(8)
            .map(|c| i64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]))
            .collect(),
        data_type::INT64 => tensor.int64_data.clone(),
        data_type::INT32 if !tensor.raw_data.is_empty() => tensor
            .raw_data
            .chunks_exact(4)
            .map(|c| i64::from(i32::from_le_bytes([c[0], c[1], c[2], c[3]])))
            .collect(),
        data_type::INT32 => tensor.int32_data.iter().map(|&v| i64::from(v)).collect(),
        _ => return None,
    };
    (values.len() == count).then_some(values)
}

/// Types declared in the model: graph inputs, outputs and `value_info`.
fn declared_types(graph: &GraphProto) -> HashMap<String, ValueType> {
    graph
        .input
        .iter()
        .chain(&graph.output)
        .chain(&graph.value_info)
        .filter_map(|v| Some((v.name.clone(), value_type(v.r#type.as_ref()?)?)))
        .collect()
}

fn value_type(t: &TypeProto) -> Option<ValueType> {
    let Some(type_proto::Value::TensorType(tensor)) = &t.value else {
        return None;
    };
    let shape = tensor.shape.as_ref().map(|s| {
        s.dim
            .iter()
            .map(|d| match &d.value {
                Some(dimension::Value::DimValue(v)) => Dim::Fixed(*v),
                Some(dimension::Value::DimParam(p)) if !p.is_empty() => Dim::Symbolic(p.clone()),
                _ => Dim::Unknown,
            })
            .collect()
    });
    Some(ValueType {
        elem_type: tensor.elem_type,
        shape,
    })
}
