//! A small DSL for writing ONNX graphs the way `torch.onnx.export` writes them.
//!
//! The exporter names a node after the module that called the op (`/encoder/layer.0/attention/
//! self/query/MatMul`), numbers repeats within a scope (`MatMul_1`), names each output
//! `<node>_output_0`, and emits small constants as `Constant` nodes in the caller's scope. The
//! builder does the same, so that profiles, partition reports and ORT logs of the generated
//! models read like those of real exports (the study's profiles quote such names).
//!
//! ```
//! use epbench::onnx::{Dim, ElemType, FloatType, GraphBuilder};
//! let mut g = GraphBuilder::new("main_graph", FloatType::F32);
//! let x = g.input("x", ElemType::Float32, &[Dim::from(1), Dim::from(4)]);
//! let one = g.const_float_scalar(1.0);
//! let y = g.scoped("block", |g| g.op("Add", &[&x, &one], vec![]));
//! assert_eq!(y, "/block/Add_output_0");
//! g.output(&y, "y", ElemType::Float32, &[Dim::from(1), Dim::from(4)]);
//! let model = g.finish(14, vec![]);
//! assert_eq!(model.graph.unwrap().node.len(), 2);
//! ```

use std::collections::HashMap;

use bytes::Bytes;
use half::f16;

use super::proto::{
    AttributeProto, GraphProto, ModelProto, NodeProto, OperatorSetIdProto, StringStringEntryProto,
    TensorProto, TensorShapeProto, TypeProto, ValueInfoProto, data_type, tensor_shape_proto,
    type_proto,
};

/// The IR version `torch.onnx.export` (torch 2.x) writes for opset-14 models.
pub const IR_VERSION: i64 = 8;

/// Element type of a graph value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ElemType {
    Float32,
    Float16,
    Int64,
    Int32,
    Bool,
}

impl ElemType {
    /// The `TensorProto.DataType` code.
    pub fn onnx(self) -> i32 {
        match self {
            ElemType::Float32 => data_type::FLOAT,
            ElemType::Float16 => data_type::FLOAT16,
            ElemType::Int64 => data_type::INT64,
            ElemType::Int32 => data_type::INT32,
            ElemType::Bool => data_type::BOOL,
        }
    }
}

/// How a graph stores floating-point data: weights, constants, and float inputs and outputs.
///
/// `F16` mirrors what practitioners get from onnxconverter-common's
/// `convert_float_to_float16(model)` without `keep_io_types`: every float tensor, constant,
/// `Cast` target and graph input/output becomes float16, and values are clamped the way that
/// converter clamps them (magnitudes below 1e-7 become ±1e-7, above 1e4 become ±1e4), so for
/// instance a `finfo(float32).min` mask fill becomes -1e4.
///
/// This is also the zoo's model dtype: a variant's name says `fp32` or `fp16` ([`Self::name`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FloatType {
    F32,
    /// Weights, activations and float inputs/outputs in float16, as onnxconverter-common's
    /// float16 converter leaves a model (integer inputs such as token ids stay int64).
    F16,
}

impl FloatType {
    /// The name in model variant names and reports: `fp32`, `fp16`.
    pub fn name(self) -> &'static str {
        match self {
            FloatType::F32 => "fp32",
            FloatType::F16 => "fp16",
        }
    }

    /// The element type float values have in such a graph.
    pub fn elem(self) -> ElemType {
        match self {
            FloatType::F32 => ElemType::Float32,
            FloatType::F16 => ElemType::Float16,
        }
    }

    /// The float type of a model file: fp16 when any graph input or output is float16 (what
    /// the correctness module infers from a session's inputs and outputs), fp32 otherwise.
    pub fn of_model(model: &ModelProto) -> FloatType {
        let fp16 = model.graph.iter().any(|g| {
            g.input.iter().chain(&g.output).any(|v| {
                matches!(
                    v.r#type.as_ref().and_then(|t| t.value.as_ref()),
                    Some(type_proto::Value::TensorType(t)) if t.elem_type == data_type::FLOAT16
                )
            })
        });
        if fp16 { FloatType::F16 } else { FloatType::F32 }
    }
}

/// onnxconverter-common's defaults (`min_positive_val`, `max_finite_val`).
const FP16_MIN_POSITIVE: f32 = 1e-7;
const FP16_MAX_FINITE: f32 = 1e4;

/// Converts one value to float16 the way onnxconverter-common's float16 converter does.
pub fn to_f16_like_converter(value: f32) -> f16 {
    // The converter's bounds are strict on both sides, so 0 and ±inf pass through unchanged.
    let clamped = if value != 0.0 && value.abs() < FP16_MIN_POSITIVE {
        FP16_MIN_POSITIVE.copysign(value)
    } else if value.is_finite() {
        value.clamp(-FP16_MAX_FINITE, FP16_MAX_FINITE)
    } else {
        value
    };
    f16::from_f32(clamped)
}

/// Little-endian bytes of float data in the given storage type.
pub fn float_bytes(values: &[f32], float: FloatType) -> Bytes {
    match float {
        FloatType::F32 => le_bytes(values),
        FloatType::F16 => {
            let bits: Vec<u16> = values
                .iter()
                .map(|&v| to_f16_like_converter(v).to_bits())
                .collect();
            le_bytes(&bits)
        }
    }
}

/// The little-endian bytes of plain numbers (ONNX `raw_data` is little-endian).
fn le_bytes<T: bytemuck::Pod>(values: &[T]) -> Bytes {
    let mut bytes = bytemuck::cast_slice::<T, u8>(values).to_vec();
    if cfg!(target_endian = "big") {
        for chunk in bytes.chunks_exact_mut(std::mem::size_of::<T>()) {
            chunk.reverse();
        }
    }
    bytes.into()
}

/// One axis of a graph input or output: fixed, or a named symbol such as `batch_size`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Dim {
    Fixed(i64),
    Named(String),
}

impl From<i64> for Dim {
    fn from(value: i64) -> Self {
        Dim::Fixed(value)
    }
}

impl From<&str> for Dim {
    fn from(value: &str) -> Self {
        Dim::Named(value.to_string())
    }
}

/// A tensor-typed `ValueInfoProto`.
pub fn value_info(name: &str, elem: ElemType, dims: &[Dim]) -> ValueInfoProto {
    use tensor_shape_proto::{Dimension, dimension};
    let dim = dims
        .iter()
        .map(|d| Dimension {
            value: Some(match d {
                Dim::Fixed(v) => dimension::Value::DimValue(*v),
                Dim::Named(s) => dimension::Value::DimParam(s.clone()),
            }),
            denotation: String::new(),
        })
        .collect();
    ValueInfoProto {
        name: name.to_string(),
        r#type: Some(TypeProto {
            value: Some(type_proto::Value::TensorType(type_proto::Tensor {
                elem_type: elem.onnx(),
                shape: Some(TensorShapeProto { dim }),
            })),
            denotation: String::new(),
        }),
        ..ValueInfoProto::default()
    }
}

/// Builds one graph, node by node, in topological order.
pub struct GraphBuilder {
    name: String,
    float: FloatType,
    nodes: Vec<NodeProto>,
    initializers: Vec<TensorProto>,
    inputs: Vec<ValueInfoProto>,
    outputs: Vec<ValueInfoProto>,
    scope: Vec<String>,
    name_counts: HashMap<String, usize>,
    anonymous: usize,
}

impl GraphBuilder {
    /// An empty graph whose float data is stored as `float`.
    pub fn new(name: &str, float: FloatType) -> Self {
        Self {
            name: name.to_string(),
            float,
            nodes: Vec::new(),
            initializers: Vec::new(),
            inputs: Vec::new(),
            outputs: Vec::new(),
            scope: Vec::new(),
            name_counts: HashMap::new(),
            anonymous: 0,
        }
    }

    /// The storage type of float data in this graph.
    pub fn float_type(&self) -> FloatType {
        self.float
    }

    /// The element type of float values in this graph (the target of float `Cast`s).
    pub fn float_elem(&self) -> ElemType {
        self.float.elem()
    }

    /// Declares a graph input and returns its name.
    pub fn input(&mut self, name: &str, elem: ElemType, dims: &[Dim]) -> String {
        self.inputs.push(value_info(name, elem, dims));
        name.to_string()
    }

    /// Declares `value` as a graph output called `name`, renaming it everywhere (as the exporter
    /// does with `output_names`).
    pub fn output(&mut self, value: &str, name: &str, elem: ElemType, dims: &[Dim]) {
        for node in &mut self.nodes {
            for v in node.output.iter_mut().chain(node.input.iter_mut()) {
                if v == value {
                    *v = name.to_string();
                }
            }
        }
        self.outputs.push(value_info(name, elem, dims));
    }

    /// Runs `f` inside a module scope, like a submodule's `forward`. `component` is the scope
    /// name the exporter would use: the module's attribute name, with a numeric index kept
    /// (`layer.0`, `features.3`, `conv.0.0`).
    pub fn scoped<R>(&mut self, component: &str, f: impl FnOnce(&mut Self) -> R) -> R {
        self.enter(component);
        let result = f(self);
        self.leave();
        result
    }

    /// Enters a module scope; pair with [`GraphBuilder::leave`]. Prefer [`GraphBuilder::scoped`]
    /// unless the builder is wrapped in a larger struct that the scope's body needs.
    pub fn enter(&mut self, component: &str) {
        self.scope.push(component.to_string());
    }

    /// Leaves the innermost module scope.
    pub fn leave(&mut self) {
        self.scope.pop();
    }

    fn unique_name(&mut self, op_type: &str) -> String {
        let mut base = String::new();
        for component in &self.scope {
            base.push('/');
            base.push_str(component);
        }
        base.push('/');
        base.push_str(op_type);
        let count = self.name_counts.entry(base.clone()).or_insert(0);
        let name = if *count == 0 {
            base
        } else {
            format!("{base}_{count}")
        };
        *count += 1;
        name
    }

    /// Uses up the next name for `op_type` in the current scope without emitting a node: the
    /// exporter numbers ops before folding constants away, so the survivors keep their numbers
    /// (a static BERT export has `/Where_1` but no `/Where`).
    pub fn skip(&mut self, op_type: &str) {
        self.unique_name(op_type);
    }

    /// Emits a node with one output and returns the output's name.
    pub fn op(
        &mut self,
        op_type: &str,
        inputs: &[&str],
        attributes: Vec<AttributeProto>,
    ) -> String {
        let name = self.unique_name(op_type);
        let output = format!("{name}_output_0");
        self.nodes.push(NodeProto {
            input: inputs.iter().map(|s| s.to_string()).collect(),
            output: vec![output.clone()],
            name,
            op_type: op_type.to_string(),
            attribute: attributes,
            ..NodeProto::default()
        });
        output
    }

    fn constant(&mut self, tensor: TensorProto) -> String {
        self.op(
            "Constant",
            &[],
            vec![AttributeProto::tensor("value", tensor)],
        )
    }

    /// A `Constant` node holding int64 values with the given dims (`&[]` for a scalar).
    pub fn const_i64(&mut self, values: &[i64], dims: &[i64]) -> String {
        self.constant(TensorProto {
            dims: dims.to_vec(),
            data_type: data_type::INT64,
            raw_data: le_bytes(values),
            ..TensorProto::default()
        })
    }

    /// A 1-D int64 `Constant` (axes, shapes, slice bounds).
    pub fn const_i64_1d(&mut self, values: &[i64]) -> String {
        self.const_i64(values, &[values.len() as i64])
    }

    /// A scalar int64 `Constant` (a `Gather` index).
    pub fn const_i64_scalar(&mut self, value: i64) -> String {
        self.const_i64(&[value], &[])
    }

    /// A float `Constant` in the graph's float type.
    pub fn const_float(&mut self, values: &[f32], dims: &[i64]) -> String {
        self.constant(TensorProto {
            dims: dims.to_vec(),
            data_type: self.float.elem().onnx(),
            raw_data: float_bytes(values, self.float),
            ..TensorProto::default()
        })
    }

    /// A scalar float `Constant` in the graph's float type.
    pub fn const_float_scalar(&mut self, value: f32) -> String {
        self.const_float(&[value], &[])
    }

    /// A float initializer (a weight) stored in the graph's float type.
    pub fn weight(&mut self, name: &str, dims: &[i64], values: &[f32]) -> String {
        self.push_initializer(TensorProto {
            name: name.to_string(),
            dims: dims.to_vec(),
            data_type: self.float.elem().onnx(),
            raw_data: float_bytes(values, self.float),
            ..TensorProto::default()
        })
    }

    /// An int64 initializer.
    pub fn initializer_i64(&mut self, name: &str, dims: &[i64], values: &[i64]) -> String {
        self.push_initializer(TensorProto {
            name: name.to_string(),
            dims: dims.to_vec(),
            data_type: data_type::INT64,
            raw_data: le_bytes(values),
            ..TensorProto::default()
        })
    }

    fn push_initializer(&mut self, tensor: TensorProto) -> String {
        let name = tensor.name.clone();
        self.initializers.push(tensor);
        name
    }

    /// A fresh name for an initializer the exporter creates by constant folding, such as the
    /// transposed weight of a `MatMul` (`onnx::MatMul_1001`).
    pub fn folded_name(&mut self, consumer_op: &str) -> String {
        self.anonymous += 1;
        format!("onnx::{consumer_op}_{}", 1000 + self.anonymous)
    }

    /// The finished model at the given default-domain opset, with `metadata` as
    /// `metadata_props`.
    pub fn finish(self, opset: i64, metadata: Vec<(String, String)>) -> ModelProto {
        ModelProto {
            ir_version: IR_VERSION,
            opset_import: vec![OperatorSetIdProto {
                domain: String::new(),
                version: opset,
            }],
            producer_name: "epbench".into(),
            producer_version: env!("CARGO_PKG_VERSION").into(),
            graph: Some(GraphProto {
                node: self.nodes,
                name: self.name,
                initializer: self.initializers,
                input: self.inputs,
                output: self.outputs,
                ..GraphProto::default()
            }),
            metadata_props: metadata
                .into_iter()
                .map(|(key, value)| StringStringEntryProto { key, value })
                .collect(),
            ..ModelProto::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_exporter() {
        let mut g = GraphBuilder::new("g", FloatType::F32);
        let x = g.input("x", ElemType::Float32, &[Dim::from(2)]);
        let a = g.scoped("encoder", |g| {
            g.scoped("layer.0", |g| {
                let a = g.op("Relu", &[&x], vec![]);
                g.skip("Relu");
                g.op("Relu", &[&a], vec![])
            })
        });
        assert_eq!(a, "/encoder/layer.0/Relu_2_output_0");
        let top = g.op("Relu", &[&a], vec![]);
        assert_eq!(top, "/Relu_output_0");
    }

    #[test]
    fn fp16_clamps_like_onnxconverter_common() {
        assert_eq!(
            to_f16_like_converter(f32::MIN).to_f32(),
            -1e4_f32.max(-10000.0)
        );
        assert_eq!(
            to_f16_like_converter(1e-12).to_f32(),
            f16::from_f32(1e-7).to_f32()
        );
        assert_eq!(to_f16_like_converter(0.0).to_f32(), 0.0);
        assert_eq!(to_f16_like_converter(0.5).to_f32(), 0.5);
        assert_eq!(to_f16_like_converter(-2e5).to_f32(), -10000.0);
        assert!(to_f16_like_converter(f32::INFINITY).to_f32().is_infinite());
    }
}
