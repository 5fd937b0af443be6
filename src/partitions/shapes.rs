//! Shape and type inference for the values ORT's saved model leaves untyped.
//!
//! ORT infers every value's type and shape when it resolves a graph (ONNX shape inference), and
//! the CoreML rules read those: a value with no shape is rejected, a symbolic dim fails
//! `GetStaticShape`, ranks decide MatMul and Concat. The optimised model ORT writes keeps only
//! the `value_info` the input model declared, so this module recomputes what ONNX inference
//! would give for the operators found in practice — enough for rank, static vs symbolic dims
//! and element type. Shape arithmetic that needs runtime data (a `Reshape` to a computed shape)
//! yields [`Dim::Unknown`] with the rank ONNX can still derive, as ONNX does without data
//! propagation. An operator not handled here leaves its outputs untyped, which the rules report
//! as "no shape" (the reason says so).

use crate::onnx::proto::data_type;

use super::graph::{AnalysisGraph, AttrValue, Dim, GraphNode, ValueType};

/// Fills in the type of every node output the model did not declare, in topological order.
pub(super) fn infer(graph: &mut AnalysisGraph) {
    let order = graph.topological_order().to_vec();
    for index in order {
        let node = graph.node(index).clone();
        let inferred = infer_node(graph, &node);
        for (slot, output) in node.outputs.iter().enumerate() {
            if output.is_empty() {
                continue;
            }
            let declared = graph.value(output).cloned();
            let computed = inferred.get(slot).cloned().flatten();
            if let Some(value) = merge(declared, computed) {
                graph.set_value(output, value);
            }
        }
    }
}

/// The declared type wins: the graphs analysed are ORT's own graph of a `GetCapability` pass,
/// whose values carry ORT's inferred type for every value it knew (see
/// [`super::stand_in`]), and that — unknown dims and missing shapes included — is what
/// `GetCapability` saw. Inference covers the values ORT's transformers created, which have no
/// entry, and an element type a declaration leaves out.
fn merge(declared: Option<ValueType>, inferred: Option<ValueType>) -> Option<ValueType> {
    match (declared, inferred) {
        (Some(d), Some(i)) if d.elem_type == 0 => Some(ValueType {
            elem_type: i.elem_type,
            shape: d.shape.or(i.shape),
        }),
        (d, i) => d.or(i),
    }
}

/// Output types of one node; `None` entries are outputs nothing could be said about.
/// Ops whose output 0 has input 0's type and shape.
const SHAPE_PRESERVING: &[&str] = &[
    "Abs",
    "Acos",
    "Asin",
    "Atan",
    "Ceil",
    "Celu",
    "Clip",
    "Cos",
    "Cosh",
    "Elu",
    "Erf",
    "Exp",
    "Floor",
    "Gelu",
    "FastGelu",
    "QuickGelu",
    "HardSigmoid",
    "HardSwish",
    "Hardmax",
    "Identity",
    "LeakyRelu",
    "Log",
    "LogSoftmax",
    "LRN",
    "Mish",
    "Neg",
    "Reciprocal",
    "Relu",
    "Round",
    "Selu",
    "Sigmoid",
    "Sign",
    "Sin",
    "Sinh",
    "Softmax",
    "Softplus",
    "Softsign",
    "Sqrt",
    "Tan",
    "Tanh",
    "ThresholdedRelu",
    "Trilu",
    "CumSum",
    "BatchNormalization",
    "InstanceNormalization",
    "GroupNormalization",
    "LayerNormalization",
    "MeanVarianceNormalization",
    "Dropout",
    "PRelu",
    "Not",
];

fn infer_node(g: &AnalysisGraph, node: &GraphNode) -> Vec<Option<ValueType>> {
    let input = |i: usize| node.input(i).and_then(|name| g.value(name)).cloned();
    let elem = |i: usize| input(i).map_or(0, |v| v.elem_type);
    let shape = |i: usize| input(i).and_then(|v| v.shape);
    let ints = |i: usize| {
        node.input(i)
            .and_then(|name| g.initializer(name))
            .and_then(|init| init.int_values.clone())
    };
    let same_as = |i: usize| vec![input(i)];
    let with = |elem_type: i32, dims: Option<Vec<Dim>>| {
        vec![Some(ValueType {
            elem_type,
            shape: dims,
        })]
    };

    if !node.domain.is_empty() && node.domain != "com.microsoft" {
        return Vec::new();
    }
    if SHAPE_PRESERVING.contains(&node.op_type.as_str()) {
        return same_as(0);
    }
    match node.op_type.as_str() {
        "IsNaN" | "IsInf" => with(data_type::BOOL, shape(0)),
        "Add" | "Sub" | "Mul" | "Div" | "Pow" | "Mod" | "Max" | "Min" | "Sum" | "Mean" => with(
            elem(0),
            broadcast_all(&(0..node.inputs.len()).map(shape).collect::<Vec<_>>()),
        ),
        "Equal" | "Less" | "Greater" | "LessOrEqual" | "GreaterOrEqual" | "And" | "Or" | "Xor" => {
            with(data_type::BOOL, broadcast_all(&[shape(0), shape(1)]))
        }
        "Where" => with(elem(1), broadcast_all(&[shape(0), shape(1), shape(2)])),
        "Cast" => with(node.attr_int("to", 0) as i32, shape(0)),
        "CastLike" => with(elem(1), shape(0)),
        "Shape" => with(data_type::INT64, shape(0).map(|s| shape_op(node, s.len()))),
        "Size" => with(data_type::INT64, Some(Vec::new())),
        "Gather" => with(elem(0), gather(node, shape(0), shape(1))),
        "GatherElements" => with(elem(0), shape(1)),
        "Unsqueeze" => with(elem(0), unsqueeze(node, shape(0), ints(1))),
        "Squeeze" => with(elem(0), squeeze(node, shape(0), ints(1))),
        "Concat" => with(
            elem(0),
            concat(node, &(0..node.inputs.len()).map(shape).collect::<Vec<_>>()),
        ),
        "Reshape" => with(elem(0), reshape(node, shape(0), ints(1), shape(1))),
        "Flatten" => with(elem(0), flatten(node, shape(0))),
        "Transpose" => with(elem(0), transpose(node, shape(0))),
        "MatMul" => with(elem(0), matmul(shape(0), shape(1))),
        "Gemm" => with(elem(0), gemm(node, shape(0), shape(1))),
        "Slice" => with(elem(0), slice(shape(0), ints(1), ints(2), ints(3), ints(4))),
        "Expand" => with(elem(0), expand(shape(0), ints(1), shape(1))),
        "Tile" => with(elem(0), tile(shape(0), ints(1))),
        "ConstantOfShape" => with(
            data_type::FLOAT,
            match ints(0) {
                Some(dims) => Some(dims.into_iter().map(Dim::Fixed).collect()),
                None => shape(0).and_then(|s| unknown_dims_of_length(&s)),
            },
        ),
        "Range" => with(elem(0), Some(vec![Dim::Unknown])),
        "ReduceMean" | "ReduceSum" | "ReduceMax" | "ReduceMin" | "ReduceProd" | "ReduceL1"
        | "ReduceL2" | "ReduceLogSum" | "ReduceLogSumExp" | "ReduceSumSquare" => {
            with(elem(0), reduce(node, shape(0), ints(1)))
        }
        "ArgMax" | "ArgMin" => with(data_type::INT64, arg_reduce(node, shape(0))),
        "Conv" | "FusedConv" | "MaxPool" | "AveragePool" | "LpPool" => {
            with(elem(0), conv_like(node, shape(0), shape(1)))
        }
        "GlobalAveragePool" | "GlobalMaxPool" | "GlobalLpPool" => with(
            elem(0),
            shape(0).map(|s| {
                s.iter()
                    .enumerate()
                    .map(|(i, d)| if i < 2 { d.clone() } else { Dim::Fixed(1) })
                    .collect()
            }),
        ),
        "Split" => split(node, input(0), ints(1)),
        _ => Vec::new(),
    }
}

fn axis(axis: i64, rank: usize) -> Option<usize> {
    let rank = rank as i64;
    let a = if axis < 0 { axis + rank } else { axis };
    (0..rank).contains(&a).then_some(a as usize)
}

/// Numpy broadcasting of known shapes; unknown when any input shape is unknown.
fn broadcast_all(shapes: &[Option<Vec<Dim>>]) -> Option<Vec<Dim>> {
    let mut out: Vec<Dim> = Vec::new();
    for s in shapes {
        out = broadcast(&out, s.as_ref()?);
    }
    Some(out)
}

fn broadcast(a: &[Dim], b: &[Dim]) -> Vec<Dim> {
    let rank = a.len().max(b.len());
    (0..rank)
        .map(|i| {
            let da = (i + a.len()).checked_sub(rank).map(|j| &a[j]);
            let db = (i + b.len()).checked_sub(rank).map(|j| &b[j]);
            match (da, db) {
                (Some(x), None) | (None, Some(x)) => x.clone(),
                (Some(x), Some(y)) => broadcast_dim(x, y),
                (None, None) => Dim::Unknown,
            }
        })
        .collect()
}

fn broadcast_dim(x: &Dim, y: &Dim) -> Dim {
    match (x, y) {
        (Dim::Fixed(1), other) | (other, Dim::Fixed(1)) => other.clone(),
        (Dim::Fixed(a), Dim::Fixed(b)) => Dim::Fixed((*a).max(*b)),
        (Dim::Fixed(a), _) | (_, Dim::Fixed(a)) => Dim::Fixed(*a),
        (a, b) if a == b => a.clone(),
        _ => Dim::Unknown,
    }
}

fn unknown_dims_of_length(shape_of_shape: &[Dim]) -> Option<Vec<Dim>> {
    match shape_of_shape {
        [Dim::Fixed(n)] if *n >= 0 => Some(vec![Dim::Unknown; *n as usize]),
        _ => None,
    }
}

fn shape_op(node: &GraphNode, rank: usize) -> Vec<Dim> {
    let clamp = |v: i64| {
        let v = if v < 0 { v + rank as i64 } else { v };
        v.clamp(0, rank as i64)
    };
    let start = clamp(node.attr_int("start", 0));
    let end = clamp(node.attr_int("end", rank as i64));
    vec![Dim::Fixed((end - start).max(0))]
}

fn gather(node: &GraphNode, data: Option<Vec<Dim>>, indices: Option<Vec<Dim>>) -> Option<Vec<Dim>> {
    let (data, indices) = (data?, indices?);
    let a = axis(node.attr_int("axis", 0), data.len())?;
    let mut out = data[..a].to_vec();
    out.extend(indices);
    out.extend_from_slice(&data[a + 1..]);
    Some(out)
}

/// Axes from the input (opset ≥ 13) or the attribute (earlier).
fn axes(node: &GraphNode, from_input: Option<Vec<i64>>) -> Option<Vec<i64>> {
    if node.input(1).is_some() {
        from_input
    } else {
        node.attr_ints("axes").map(<[i64]>::to_vec)
    }
}

fn unsqueeze(
    node: &GraphNode,
    data: Option<Vec<Dim>>,
    input_axes: Option<Vec<i64>>,
) -> Option<Vec<Dim>> {
    let data = data?;
    let axes = axes(node, input_axes)?;
    let rank = data.len() + axes.len();
    let mut positions: Vec<usize> = axes.iter().map(|&a| axis(a, rank)).collect::<Option<_>>()?;
    positions.sort_unstable();
    let mut rest = data.into_iter();
    (0..rank)
        .map(|i| {
            if positions.contains(&i) {
                Some(Dim::Fixed(1))
            } else {
                rest.next()
            }
        })
        .collect()
}

fn squeeze(
    node: &GraphNode,
    data: Option<Vec<Dim>>,
    input_axes: Option<Vec<i64>>,
) -> Option<Vec<Dim>> {
    let data = data?;
    match axes(node, input_axes) {
        Some(axes) => {
            let positions: Vec<usize> = axes
                .iter()
                .map(|&a| axis(a, data.len()))
                .collect::<Option<_>>()?;
            Some(
                data.into_iter()
                    .enumerate()
                    .filter(|(i, _)| !positions.contains(i))
                    .map(|(_, d)| d)
                    .collect(),
            )
        }
        // Without axes every 1 goes, which needs every dim known.
        None if node.input(1).is_none() && node.attr("axes").is_none() => {
            if data.iter().all(|d| d.fixed().is_some()) {
                Some(data.into_iter().filter(|d| *d != Dim::Fixed(1)).collect())
            } else {
                None
            }
        }
        None => None,
    }
}

fn concat(node: &GraphNode, shapes: &[Option<Vec<Dim>>]) -> Option<Vec<Dim>> {
    let shapes: Vec<&Vec<Dim>> = shapes.iter().map(Option::as_ref).collect::<Option<_>>()?;
    let first = shapes.first()?;
    let a = axis(node.attr_int("axis", 0), first.len())?;
    let mut out = (*first).clone();
    let mut total = Some(0i64);
    for s in &shapes {
        total = match (total, s.get(a).and_then(Dim::fixed)) {
            (Some(t), Some(d)) => Some(t + d),
            _ => None,
        };
    }
    out[a] = total.map_or(Dim::Unknown, Dim::Fixed);
    Some(out)
}

fn reshape(
    node: &GraphNode,
    data: Option<Vec<Dim>>,
    target: Option<Vec<i64>>,
    target_shape: Option<Vec<Dim>>,
) -> Option<Vec<Dim>> {
    let Some(target) = target else {
        // A runtime shape: ONNX knows the rank from the shape input's length, nothing more.
        return unknown_dims_of_length(&target_shape?);
    };
    let allow_zero = node.attr_int("allowzero", 0) == 1;
    let mut out: Vec<Dim> = target
        .iter()
        .enumerate()
        .map(|(i, &t)| match t {
            0 if !allow_zero => data
                .as_ref()
                .and_then(|d| d.get(i).cloned())
                .unwrap_or(Dim::Unknown),
            -1 => Dim::Unknown,
            v => Dim::Fixed(v),
        })
        .collect();
    if let Some(infer_at) = target.iter().position(|&t| t == -1) {
        let total: Option<i64> = data
            .as_ref()
            .and_then(|d| d.iter().map(Dim::fixed).product::<Option<i64>>());
        let known: Option<i64> = out
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != infer_at)
            .map(|(_, d)| d.fixed())
            .product();
        if let (Some(total), Some(known)) = (total, known)
            && known > 0
        {
            out[infer_at] = Dim::Fixed(total / known);
        }
    }
    Some(out)
}

fn flatten(node: &GraphNode, data: Option<Vec<Dim>>) -> Option<Vec<Dim>> {
    let data = data?;
    let a = node.attr_int("axis", 1);
    let a = if a < 0 { a + data.len() as i64 } else { a };
    let a = usize::try_from(a).ok()?.min(data.len());
    let product = |dims: &[Dim]| {
        dims.iter()
            .map(Dim::fixed)
            .product::<Option<i64>>()
            .map_or(Dim::Unknown, Dim::Fixed)
    };
    Some(vec![product(&data[..a]), product(&data[a..])])
}

fn transpose(node: &GraphNode, data: Option<Vec<Dim>>) -> Option<Vec<Dim>> {
    let data = data?;
    match node.attr_ints("perm") {
        Some(perm) => perm
            .iter()
            .map(|&p| usize::try_from(p).ok().and_then(|p| data.get(p).cloned()))
            .collect(),
        None => Some(data.into_iter().rev().collect()),
    }
}

fn matmul(a: Option<Vec<Dim>>, b: Option<Vec<Dim>>) -> Option<Vec<Dim>> {
    let (mut a, mut b) = (a?, b?);
    let (a_vector, b_vector) = (a.len() == 1, b.len() == 1);
    if a_vector {
        a.insert(0, Dim::Fixed(1));
    }
    if b_vector {
        b.push(Dim::Fixed(1));
    }
    if a.len() < 2 || b.len() < 2 {
        return None;
    }
    let batch = broadcast(&a[..a.len() - 2], &b[..b.len() - 2]);
    let mut out = batch;
    if !a_vector {
        out.push(a[a.len() - 2].clone());
    }
    if !b_vector {
        out.push(b[b.len() - 1].clone());
    }
    Some(out)
}

fn gemm(node: &GraphNode, a: Option<Vec<Dim>>, b: Option<Vec<Dim>>) -> Option<Vec<Dim>> {
    let (a, b) = (a?, b?);
    if a.len() != 2 || b.len() != 2 {
        return None;
    }
    let m = if node.attr_int("transA", 0) != 0 {
        &a[1]
    } else {
        &a[0]
    };
    let n = if node.attr_int("transB", 0) != 0 {
        &b[0]
    } else {
        &b[1]
    };
    Some(vec![m.clone(), n.clone()])
}

fn slice(
    data: Option<Vec<Dim>>,
    starts: Option<Vec<i64>>,
    ends: Option<Vec<i64>>,
    axes: Option<Vec<i64>>,
    steps: Option<Vec<i64>>,
) -> Option<Vec<Dim>> {
    let mut out = data?;
    let (Some(starts), Some(ends)) = (starts, ends) else {
        // Runtime bounds: every axis may change.
        return Some(vec![Dim::Unknown; out.len()]);
    };
    let axes = axes.unwrap_or_else(|| (0..starts.len() as i64).collect());
    let steps = steps.unwrap_or_else(|| vec![1; starts.len()]);
    for (i, &a) in axes.iter().enumerate() {
        let a = axis(a, out.len())?;
        let (start, end, step) = (*starts.get(i)?, *ends.get(i)?, *steps.get(i)?);
        out[a] = match out[a].fixed() {
            Some(len) if step != 0 => Dim::Fixed(slice_len(len, start, end, step)),
            _ => Dim::Unknown,
        };
    }
    Some(out)
}

/// Number of elements ONNX `Slice` selects along an axis of length `len`.
pub(super) fn slice_len(len: i64, start: i64, end: i64, step: i64) -> i64 {
    let clamp = |v: i64, lo: i64, hi: i64| {
        let v = if v < 0 { v.saturating_add(len) } else { v };
        v.clamp(lo, hi)
    };
    if step > 0 {
        let (s, e) = (clamp(start, 0, len), clamp(end, 0, len));
        if e > s { (e - s + step - 1) / step } else { 0 }
    } else {
        let (s, e) = (clamp(start, 0, len - 1), clamp(end, -1, len - 1));
        if s > e {
            (s - e + (-step) - 1) / (-step)
        } else {
            0
        }
    }
}

fn expand(
    data: Option<Vec<Dim>>,
    target: Option<Vec<i64>>,
    target_shape: Option<Vec<Dim>>,
) -> Option<Vec<Dim>> {
    let data = data?;
    match target {
        Some(t) => Some(broadcast(
            &data,
            &t.into_iter().map(Dim::Fixed).collect::<Vec<_>>(),
        )),
        None => {
            let n = unknown_dims_of_length(&target_shape?)?.len();
            Some(vec![Dim::Unknown; n.max(data.len())])
        }
    }
}

fn tile(data: Option<Vec<Dim>>, repeats: Option<Vec<i64>>) -> Option<Vec<Dim>> {
    let data = data?;
    match repeats {
        Some(r) if r.len() == data.len() => Some(
            data.iter()
                .zip(r)
                .map(|(d, r)| d.fixed().map_or(Dim::Unknown, |v| Dim::Fixed(v * r)))
                .collect(),
        ),
        _ => Some(vec![Dim::Unknown; data.len()]),
    }
}

fn reduce(
    node: &GraphNode,
    data: Option<Vec<Dim>>,
    input_axes: Option<Vec<i64>>,
) -> Option<Vec<Dim>> {
    let data = data?;
    let keep = node.attr_int("keepdims", 1) != 0;
    let axes = match axes(node, input_axes) {
        Some(a) if !a.is_empty() => a,
        _ if node.input(1).is_some() => return None,
        _ if node.attr_int("noop_with_empty_axes", 0) != 0 => return Some(data),
        _ => (0..data.len() as i64).collect(),
    };
    let positions: Vec<usize> = axes
        .iter()
        .map(|&a| axis(a, data.len()))
        .collect::<Option<_>>()?;
    Some(
        data.into_iter()
            .enumerate()
            .filter_map(|(i, d)| match (positions.contains(&i), keep) {
                (false, _) => Some(d),
                (true, true) => Some(Dim::Fixed(1)),
                (true, false) => None,
            })
            .collect(),
    )
}

fn arg_reduce(node: &GraphNode, data: Option<Vec<Dim>>) -> Option<Vec<Dim>> {
    let mut data = data?;
    let a = axis(node.attr_int("axis", 0), data.len())?;
    if node.attr_int("keepdims", 1) != 0 {
        data[a] = Dim::Fixed(1);
    } else {
        data.remove(a);
    }
    Some(data)
}

/// Conv and pooling: `[N, C_out, spatial...]` from kernel, strides, pads and dilations.
fn conv_like(node: &GraphNode, x: Option<Vec<Dim>>, w: Option<Vec<Dim>>) -> Option<Vec<Dim>> {
    let x = x?;
    if x.len() < 3 {
        return None;
    }
    let spatial = x.len() - 2;
    let is_conv = matches!(node.op_type.as_str(), "Conv" | "FusedConv");
    let kernel: Vec<Option<i64>> = match node.attr_ints("kernel_shape") {
        Some(k) => k.iter().map(|&v| Some(v)).collect(),
        None if is_conv => w.as_ref()?.iter().skip(2).map(Dim::fixed).collect(),
        None => return None,
    };
    let channels = if is_conv {
        w.as_ref()?.first()?.clone()
    } else {
        x[1].clone()
    };
    let strides = node
        .attr_ints("strides")
        .map_or(vec![1; spatial], <[i64]>::to_vec);
    let dilations = node
        .attr_ints("dilations")
        .map_or(vec![1; spatial], <[i64]>::to_vec);
    let pads = node
        .attr_ints("pads")
        .map_or(vec![0; 2 * spatial], <[i64]>::to_vec);
    let auto_pad = match node.attr("auto_pad") {
        Some(AttrValue::String(s)) => s.as_str(),
        _ => "NOTSET",
    };
    let ceil = node.attr_int("ceil_mode", 0) != 0;
    let mut out = vec![x[0].clone(), channels];
    for i in 0..spatial {
        let size = x[2 + i].fixed();
        let (k, s, d) = (*kernel.get(i)?, *strides.get(i)?, *dilations.get(i)?);
        let dim = match (size, k) {
            (Some(size), Some(k)) if s > 0 => {
                let effective = (k - 1) * d + 1;
                let value = match auto_pad {
                    "SAME_UPPER" | "SAME_LOWER" => (size + s - 1) / s,
                    "VALID" => (size - effective) / s + 1,
                    _ => {
                        let padded = size + pads.get(i)? + pads.get(i + spatial)? - effective;
                        if ceil {
                            (padded + s - 1) / s + 1
                        } else {
                            padded / s + 1
                        }
                    }
                };
                Dim::Fixed(value)
            }
            _ => Dim::Unknown,
        };
        out.push(dim);
    }
    Some(out)
}

fn split(
    node: &GraphNode,
    data: Option<ValueType>,
    sizes: Option<Vec<i64>>,
) -> Vec<Option<ValueType>> {
    let Some(data) = data else {
        return Vec::new();
    };
    let Some(dims) = data.shape.clone() else {
        return vec![Some(data); node.outputs.len()];
    };
    let Some(a) = axis(node.attr_int("axis", 0), dims.len()) else {
        return Vec::new();
    };
    let sizes = sizes.or_else(|| node.attr_ints("split").map(<[i64]>::to_vec));
    let count = node.outputs.len() as i64;
    (0..node.outputs.len())
        .map(|i| {
            let mut out = dims.clone();
            out[a] = match (&sizes, dims[a].fixed()) {
                (Some(s), _) => s.get(i).map_or(Dim::Unknown, |&v| Dim::Fixed(v)),
                (None, Some(len)) if count > 0 && len % count == 0 => Dim::Fixed(len / count),
                _ => Dim::Unknown,
            };
            Some(ValueType::new(data.elem_type, out))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slice_lengths_follow_onnx() {
        assert_eq!(slice_len(10, 0, i64::MAX, 1), 10);
        assert_eq!(slice_len(10, -1, i64::MAX, 1), 1);
        assert_eq!(slice_len(10, 2, 2, 1), 0);
        assert_eq!(slice_len(10, -1, i64::MIN, -1), 10);
        assert_eq!(slice_len(512, 0, 128, 1), 128);
    }

    #[test]
    fn broadcasting_prefers_fixed_sizes() {
        let s = |n: &str| Dim::Symbolic(n.into());
        let a = vec![s("b"), Dim::Fixed(1), s("s"), Dim::Fixed(4)];
        let b = vec![Dim::Fixed(4)];
        assert_eq!(broadcast(&a, &b), a);
        assert_eq!(
            broadcast(&[s("b")], &[s("c")]),
            vec![Dim::Unknown],
            "two different symbols cannot be unified"
        );
    }
}
