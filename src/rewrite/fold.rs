//! Shape propagation and constant folding: once the inputs are static, the shape arithmetic a
//! dynamic export computes at run time (`Shape -> Gather -> Unsqueeze -> Concat -> Reshape`,
//! the `Equal/Where` guard of the attention mask's `Expand`, `Range` masks) is constant.
//! Folding it writes the graph a static export would have written.
//!
//! A pass infers every value's shape, turns each `Shape` (and `Size`) of a static value into a
//! constant, evaluates every node whose inputs are all constant ([`super::eval`]), and keeps
//! the results as initializers; shapes inferred in one pass can make more `Shape` nodes static
//! in the next (a `Reshape` whose target just became constant), so passes repeat until nothing
//! folds. Nodes and constants that nothing reads any more are then removed.

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::onnx::proto::{ModelProto, NodeProto, TypeProto, tensor_shape_proto, type_proto};
use crate::partitions::AnalysisGraph;
use crate::partitions::graph::Dim;

use super::RewriteError;
use super::eval::{evaluate, shape_slice};
use super::graph::{default_opset, infer, is_constant_node, remove_unused, small_constants};
use super::tensor::Constant;

/// Folded values stay small: shapes, masks, a few scales. Larger constant computations (an
/// embedding `Gather` with constant indices) are left to ORT's own constant folding, so the
/// saved model does not grow.
const FOLD_LIMIT: usize = 1 << 16;

/// At most this many passes; shape chains in practice need two or three.
const MAX_PASSES: usize = 32;

/// What folding did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Folded {
    /// Nodes replaced by constants, by op type.
    pub by_op: BTreeMap<String, usize>,
    pub passes: usize,
}

impl Folded {
    /// Nodes folded in total.
    pub fn total(&self) -> usize {
        self.by_op.values().sum()
    }
}

/// Folds what became constant and removes what nothing reads, then writes the now-static shapes
/// into the graph's outputs and `value_info`.
pub fn fold_constants(model: &mut ModelProto) -> Result<Folded, RewriteError> {
    let mut folded = Folded::default();
    let opset = default_opset(model);
    loop {
        let inferred = infer(model)?;
        let pass = fold_pass(model, &inferred, opset)?;
        if pass.is_empty() || folded.passes == MAX_PASSES {
            break;
        }
        folded.passes += 1;
        for op in pass {
            *folded.by_op.entry(op).or_default() += 1;
        }
    }
    let graph = model.graph.as_mut().ok_or(RewriteError::NoGraph)?;
    remove_unused(graph);
    let inferred = infer(model)?;
    write_static_shapes(model, &inferred);
    Ok(folded)
}

/// One pass; returns the op types of the nodes it folded.
fn fold_pass(
    model: &mut ModelProto,
    inferred: &AnalysisGraph,
    opset: i64,
) -> Result<Vec<String>, RewriteError> {
    let graph = model.graph.as_ref().ok_or(RewriteError::NoGraph)?;
    let mut constants = small_constants(model, graph, FOLD_LIMIT as u64);
    let outputs: HashSet<&str> = graph.output.iter().map(|o| o.name.as_str()).collect();
    let mut folded: Vec<(usize, Constant)> = Vec::new();
    for (index, node) in graph.node.iter().enumerate() {
        let default_domain = node.domain.is_empty() || node.domain == "ai.onnx";
        if !default_domain || is_constant_node(node) || node.output.len() != 1 {
            continue;
        }
        let output = &node.output[0];
        if output.is_empty() || outputs.contains(output.as_str()) {
            continue;
        }
        let Some(value) = fold_node(node, inferred, &constants, opset) else {
            continue;
        };
        constants.insert(output.clone(), value.clone());
        folded.push((index, value));
    }
    let graph = model.graph.as_mut().ok_or(RewriteError::NoGraph)?;
    let mut ops = Vec::with_capacity(folded.len());
    let removed: HashSet<usize> = folded.iter().map(|(i, _)| *i).collect();
    for (index, value) in &folded {
        let node = &graph.node[*index];
        ops.push(node.op_type.clone());
        graph.initializer.push(value.to_tensor(&node.output[0]));
    }
    let mut position = 0;
    graph.node.retain(|_| {
        position += 1;
        !removed.contains(&(position - 1))
    });
    Ok(ops)
}

/// The constant `node` computes, if it can be known now.
fn fold_node(
    node: &NodeProto,
    inferred: &AnalysisGraph,
    constants: &HashMap<String, Constant>,
    opset: i64,
) -> Option<Constant> {
    let static_dims = |name: &str| -> Option<Vec<i64>> {
        let value = inferred.value(name)?;
        value.is_static().then(|| value.ort_dims()).flatten()
    };
    match node.op_type.as_str() {
        // The shape of a value is known once its shape is static, whatever its contents.
        "Shape" => {
            let dims = static_dims(node.input.first()?)?;
            return Some(Constant::ints(shape_slice(node, &dims)));
        }
        "Size" => {
            let dims = static_dims(node.input.first()?)?;
            return Constant::scalar_int(dims.iter().product());
        }
        _ => {}
    }
    let inputs: Vec<Option<&Constant>> = node
        .input
        .iter()
        .map(|name| {
            if name.is_empty() {
                Some(None)
            } else {
                constants.get(name).map(Some)
            }
        })
        .collect::<Option<_>>()?;
    if inputs.iter().all(Option::is_none) {
        return None;
    }
    evaluate(node, opset, &inputs, FOLD_LIMIT)?.pop()
}

/// Gives graph outputs and `value_info` entries the static shapes inference now knows.
fn write_static_shapes(model: &mut ModelProto, inferred: &AnalysisGraph) {
    let Some(graph) = model.graph.as_mut() else {
        return;
    };
    for info in graph.output.iter_mut().chain(graph.value_info.iter_mut()) {
        let Some(value) = inferred.value(&info.name) else {
            continue;
        };
        if !value.is_static() {
            continue;
        }
        let Some(TypeProto {
            value: Some(type_proto::Value::TensorType(tensor)),
            ..
        }) = info.r#type.as_mut()
        else {
            continue;
        };
        let dims = value.shape.iter().flatten();
        let shape = tensor.shape.get_or_insert_with(Default::default);
        if shape.dim.len() != value.rank().unwrap_or(0) && !shape.dim.is_empty() {
            continue;
        }
        shape.dim = dims
            .map(|d| tensor_shape_proto::Dimension {
                value: match d {
                    Dim::Fixed(v) => Some(tensor_shape_proto::dimension::Value::DimValue(*v)),
                    _ => None,
                },
                denotation: String::new(),
            })
            .collect();
    }
}
