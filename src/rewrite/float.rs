//! Changing a graph's float type: fp16 to fp32 (what CoreML's NeuralNetwork format needs), and
//! fp32 to fp16 as `onnxconverter_common.float16.convert_float_to_float16` does it.
//!
//! Converted are the initializers, `Constant` tensors and tensor attributes (`ConstantOfShape`'s
//! value), `Cast` targets and the `dtype` of ops that make tensors, and the element type of every
//! declared value. With `keep_io_types` the graph's float inputs and outputs keep their type and
//! `Cast` nodes at the edges convert to and from the new one, as the converter's
//! `keep_io_types=True` does.

use std::collections::HashMap;

use serde::Serialize;

use crate::onnx::builder::to_f16_like_converter;
use crate::onnx::proto::{
    AttributeProto, GraphProto, ModelProto, NodeProto, TensorProto, ValueInfoProto, attribute_type,
    data_type, type_proto,
};

use super::RewriteError;
use super::graph::{Names, infer};

/// The float type to convert to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FloatTarget {
    Fp32,
    Fp16,
}

impl FloatTarget {
    fn codes(self) -> (i32, i32) {
        match self {
            FloatTarget::Fp32 => (data_type::FLOAT16, data_type::FLOAT),
            FloatTarget::Fp16 => (data_type::FLOAT, data_type::FLOAT16),
        }
    }
}

/// Ops whose kernels (in ORT and in the converter's experience) need fp32, kept in fp32 when
/// converting to fp16: onnxconverter-common's `DEFAULT_OP_BLOCK_LIST`.
pub const FP16_BLOCK_LIST: &[&str] = &[
    "ArrayFeatureExtractor",
    "Binarizer",
    "CastMap",
    "CategoryMapper",
    "DictVectorizer",
    "FeatureVectorizer",
    "Imputer",
    "LabelEncoder",
    "LinearClassifier",
    "LinearRegressor",
    "Normalizer",
    "OneHotEncoder",
    "RandomUniformLike",
    "SVMClassifier",
    "SVMRegressor",
    "Scaler",
    "TreeEnsembleClassifier",
    "TreeEnsembleRegressor",
    "ZipMap",
    "NonMaxSuppression",
    "TopK",
    "RoiAlign",
    "Resize",
    "Range",
    "CumSum",
    "Min",
    "Max",
    "Upsample",
];

/// What a conversion changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Converted {
    /// Initializers and constant tensors converted.
    pub tensors: usize,
    /// `Cast` targets and `dtype` attributes changed.
    pub casts: usize,
    /// Declared values (inputs, outputs, `value_info`) whose element type changed.
    pub values: usize,
    /// `Cast` nodes added at the graph's edges (`keep_io_types`) or around blocked ops.
    pub edge_casts: usize,
    /// Blocked nodes kept in fp32 (to fp16 only).
    pub blocked: usize,
}

impl Converted {
    /// Whether anything changed.
    pub fn is_empty(&self) -> bool {
        self.tensors + self.casts + self.values + self.edge_casts == 0
    }
}

/// Converts a tensor of `from` to `to`; other tensors are returned as they are.
fn convert_tensor(tensor: &TensorProto, from: i32, to: i32) -> Option<TensorProto> {
    if tensor.data_type != from {
        return None;
    }
    let values = super::tensor::Constant::from_tensor(tensor)?;
    let super::tensor::Data::Float(values) = values.data else {
        return None;
    };
    let raw: Vec<u8> = if to == data_type::FLOAT {
        values
            .iter()
            .flat_map(|&v| (v as f32).to_le_bytes())
            .collect()
    } else {
        values
            .iter()
            .flat_map(|&v| to_f16_like_converter(v as f32).to_le_bytes())
            .collect()
    };
    Some(TensorProto {
        data_type: to,
        raw_data: raw.into(),
        float_data: Vec::new(),
        int32_data: Vec::new(),
        ..tensor.clone()
    })
}

fn elem_type_mut(info: &mut ValueInfoProto) -> Option<&mut i32> {
    match info.r#type.as_mut()?.value.as_mut()? {
        type_proto::Value::TensorType(t) => Some(&mut t.elem_type),
        _ => None,
    }
}

/// Attributes that name an element type to produce.
fn is_dtype_attribute(node: &NodeProto, attribute: &AttributeProto) -> bool {
    attribute.r#type == attribute_type::INT
        && match node.op_type.as_str() {
            "Cast" => attribute.name == "to",
            "EyeLike" | "RandomNormal" | "RandomNormalLike" | "RandomUniform"
            | "RandomUniformLike" | "Multinomial" | "Bernoulli" => attribute.name == "dtype",
            _ => false,
        }
}

/// Converts the main graph of `model` to `target`. Tensors must hold their data (see
/// [`crate::onnx::external::load_external_data`]).
pub fn convert_float(
    model: &mut ModelProto,
    target: FloatTarget,
    keep_io_types: bool,
) -> Result<Converted, RewriteError> {
    let (from, to) = target.codes();
    let blocked_types = if target == FloatTarget::Fp16 {
        value_types(model)?
    } else {
        HashMap::new()
    };
    let graph = model.graph.as_mut().ok_or(RewriteError::NoGraph)?;
    let mut done = Converted::default();
    let blocked = |node: &NodeProto| {
        target == FloatTarget::Fp16
            && (node.domain.is_empty() || node.domain == "ai.onnx")
            && FP16_BLOCK_LIST.contains(&node.op_type.as_str())
    };

    // Initializers read only by blocked nodes stay fp32, as in the converter.
    let mut read_by_converted: std::collections::HashSet<String> = Default::default();
    for node in graph.node.iter().filter(|n| !blocked(n)) {
        read_by_converted.extend(node.input.iter().cloned());
    }
    for tensor in graph.initializer.iter_mut() {
        if target == FloatTarget::Fp16 && !read_by_converted.contains(&tensor.name) {
            continue;
        }
        if let Some(converted) = convert_tensor(tensor, from, to) {
            *tensor = converted;
            done.tensors += 1;
        }
    }
    for node in graph.node.iter_mut() {
        if blocked(node) {
            continue;
        }
        for i in 0..node.attribute.len() {
            if is_dtype_attribute(node, &node.attribute[i])
                && node.attribute[i].i == Some(i64::from(from))
            {
                node.attribute[i].i = Some(i64::from(to));
                done.casts += 1;
            }
            let attribute = &mut node.attribute[i];
            if let Some(converted) = attribute
                .t
                .as_ref()
                .and_then(|t| convert_tensor(t, from, to))
            {
                attribute.t = Some(converted);
                done.tensors += 1;
            }
        }
    }

    let edges: Vec<String> = if keep_io_types {
        graph
            .input
            .iter()
            .chain(&graph.output)
            .filter(|v| elem_type_of(v) == Some(from))
            .map(|v| v.name.clone())
            .collect()
    } else {
        Vec::new()
    };
    for info in graph.value_info.iter_mut() {
        if let Some(t) = elem_type_mut(info).filter(|t| **t == from) {
            *t = to;
            done.values += 1;
        }
    }
    for info in graph.input.iter_mut().chain(graph.output.iter_mut()) {
        if edges.contains(&info.name) {
            continue;
        }
        if let Some(t) = elem_type_mut(info).filter(|t| **t == from) {
            *t = to;
            done.values += 1;
        }
    }
    done.edge_casts += keep_edges(graph, &edges, from, to);
    if target == FloatTarget::Fp16 {
        let (casts, nodes) = wrap_blocked(graph, &blocked_types, &blocked);
        done.edge_casts += casts;
        done.blocked = nodes;
        // Values computed by blocked nodes are declared fp32 again.
        for info in graph.value_info.iter_mut().chain(graph.output.iter_mut()) {
            if blocked_types.get(&info.name) == Some(&BlockedValue::Fp32Output)
                && let Some(t) = elem_type_mut(info)
            {
                *t = from;
            }
        }
    }
    Ok(done)
}

fn elem_type_of(info: &ValueInfoProto) -> Option<i32> {
    match info.r#type.as_ref()?.value.as_ref()? {
        type_proto::Value::TensorType(t) => Some(t.elem_type),
        _ => None,
    }
}

/// Inputs and outputs named in `edges` keep type `from`: an input gets a `Cast` to `to` that
/// its readers read instead, an output is computed under a new name and cast back.
fn keep_edges(graph: &mut GraphProto, edges: &[String], from: i32, to: i32) -> usize {
    let mut names = Names::of(graph);
    let inputs: Vec<String> = graph
        .input
        .iter()
        .filter(|i| edges.contains(&i.name))
        .map(|i| i.name.clone())
        .collect();
    let outputs: Vec<String> = graph
        .output
        .iter()
        .filter(|o| edges.contains(&o.name))
        .map(|o| o.name.clone())
        .collect();
    let cast = |names: &mut Names, input: &str, output: &str, to: i32| NodeProto {
        name: names.fresh(&format!("{output}/Cast")),
        op_type: "Cast".into(),
        input: vec![input.to_string()],
        output: vec![output.to_string()],
        attribute: vec![AttributeProto::int("to", i64::from(to))],
        ..NodeProto::default()
    };
    let mut front = Vec::new();
    for input in &inputs {
        let inner = names.fresh(&format!("{input}_{}", type_label(to)));
        for node in graph.node.iter_mut() {
            for i in node.input.iter_mut().filter(|i| *i == input) {
                *i = inner.clone();
            }
        }
        front.push(cast(&mut names, input, &inner, to));
    }
    let mut back = Vec::new();
    for output in &outputs {
        let inner = names.fresh(&format!("{output}_{}", type_label(to)));
        for node in graph.node.iter_mut() {
            for v in node.output.iter_mut().chain(node.input.iter_mut()) {
                if v == output {
                    *v = inner.clone();
                }
            }
        }
        back.push(cast(&mut names, &inner, output, from));
    }
    let added = front.len() + back.len();
    front.append(&mut graph.node);
    front.extend(back);
    graph.node = front;
    added
}

fn type_label(t: i32) -> &'static str {
    if t == data_type::FLOAT16 {
        "fp16"
    } else {
        "fp32"
    }
}

/// How a value relates to the nodes kept in fp32 when converting to fp16.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BlockedValue {
    /// A float value computed by a blocked node: it stays fp32.
    Fp32Output,
    /// Any other float value (fp32 before the conversion, fp16 after).
    Float,
}

/// The float values of the graph before conversion, and which of them blocked nodes compute.
fn value_types(model: &ModelProto) -> Result<HashMap<String, BlockedValue>, RewriteError> {
    let inferred = infer(model)?;
    let graph = model.graph.as_ref().ok_or(RewriteError::NoGraph)?;
    let mut types = HashMap::new();
    let names = graph
        .node
        .iter()
        .flat_map(|n| n.input.iter().chain(&n.output))
        .chain(graph.input.iter().map(|i| &i.name));
    for name in names {
        if inferred
            .value(name)
            .is_some_and(|v| v.elem_type == data_type::FLOAT)
        {
            types.insert(name.clone(), BlockedValue::Float);
        }
    }
    for node in &graph.node {
        if FP16_BLOCK_LIST.contains(&node.op_type.as_str()) {
            for output in &node.output {
                if types.contains_key(output) {
                    types.insert(output.clone(), BlockedValue::Fp32Output);
                }
            }
        }
    }
    Ok(types)
}

/// Puts `Cast`s between the fp16 graph and the fp32 nodes: before every float input a blocked
/// node reads from the converted graph, and after every float output a converted node reads.
/// Returns the casts added and the blocked nodes.
fn wrap_blocked(
    graph: &mut GraphProto,
    types: &HashMap<String, BlockedValue>,
    blocked: &impl Fn(&NodeProto) -> bool,
) -> (usize, usize) {
    let mut names = Names::of(graph);
    let initializers: std::collections::HashSet<String> =
        graph.initializer.iter().map(|t| t.name.clone()).collect();
    let mut casts_to_fp32: HashMap<String, String> = HashMap::new();
    let mut casts_to_fp16: HashMap<String, String> = HashMap::new();
    let mut blocked_nodes = 0;
    let old = std::mem::take(&mut graph.node);
    let mut nodes: Vec<NodeProto> = Vec::with_capacity(old.len());
    let cast = |names: &mut Names, input: &str, to: i32| {
        let output = names.fresh(&format!("{input}_{}", type_label(to)));
        let node = NodeProto {
            name: names.fresh(&format!("{output}/Cast")),
            op_type: "Cast".into(),
            input: vec![input.to_string()],
            output: vec![output.clone()],
            attribute: vec![AttributeProto::int("to", i64::from(to))],
            ..NodeProto::default()
        };
        (output, node)
    };
    for mut node in old {
        let is_blocked = blocked(&node);
        blocked_nodes += usize::from(is_blocked);
        for input in node.input.iter_mut() {
            let kind = types.get(input.as_str()).copied();
            let wanted_fp32 =
                is_blocked && kind == Some(BlockedValue::Float) && !initializers.contains(input);
            let wanted_fp16 = !is_blocked && kind == Some(BlockedValue::Fp32Output);
            let cache = if wanted_fp32 {
                &mut casts_to_fp32
            } else if wanted_fp16 {
                &mut casts_to_fp16
            } else {
                continue;
            };
            let to = if wanted_fp32 {
                data_type::FLOAT
            } else {
                data_type::FLOAT16
            };
            let name = match cache.get(input.as_str()) {
                Some(name) => name.clone(),
                None => {
                    let (name, cast_node) = cast(&mut names, input, to);
                    nodes.push(cast_node);
                    cache.insert(input.clone(), name.clone());
                    name
                }
            };
            *input = name;
        }
        nodes.push(node);
    }
    graph.node = nodes;
    (casts_to_fp32.len() + casts_to_fp16.len(), blocked_nodes)
}
