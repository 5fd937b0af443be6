//! Evaluating one node on constant inputs: the operators of shape arithmetic, with ONNX's
//! semantics (numpy broadcasting, negative axes and indices, `Slice`'s clamping, `Reshape`'s
//! `0` and `-1`, `Cast`'s truncation).
//!
//! An operator not listed, an input of a kind the operator does not take, or a result larger
//! than the caller's limit gives `None`: the node then stays in the graph, which is always
//! correct, only less folded.

use ndarray::{ArrayD, Axis, IxDyn, Zip};

use crate::onnx::proto::{AttributeProto, NodeProto, data_type};

use super::tensor::{Constant, Data};

/// Evaluates `node` (of the default domain, at opset `opset`) on `inputs` (`None` for an
/// omitted optional input). Results with more than `limit` elements are not computed.
pub fn evaluate(
    node: &NodeProto,
    opset: i64,
    inputs: &[Option<&Constant>],
    limit: usize,
) -> Option<Vec<Constant>> {
    let input = |i: usize| inputs.get(i).copied().flatten();
    let a = input(0);
    let one = |c: Option<Constant>| c.map(|c| vec![c]);
    let out = match node.op_type.as_str() {
        "Identity" => a.cloned(),
        "Cast" => a?.cast(attr_int(node, "to")? as i32),
        "CastLike" => a?.cast(input(1)?.elem_type),
        "Shape" => {
            let dims: Vec<i64> = a?.shape().iter().map(|&d| d as i64).collect();
            Some(Constant::ints(shape_slice(node, &dims)))
        }
        "Size" => Constant::scalar_int(a?.len() as i64),
        "Neg" => unary_numeric(a?, |v| -v, |v| v.checked_neg()),
        "Abs" => unary_numeric(a?, f64::abs, |v| v.checked_abs()),
        "Sqrt" => float_only(a?, f64::sqrt),
        "Reciprocal" => float_only(a?, f64::recip),
        "Floor" => float_only(a?, f64::floor),
        "Ceil" => float_only(a?, f64::ceil),
        "Not" => match &a?.data {
            Data::Bool(x) => Constant::new(data_type::BOOL, Data::Bool(x.mapv(|v| !v))),
            _ => None,
        },
        "Add" => arithmetic(a?, input(1)?, |x, y| x + y, i64::checked_add),
        "Sub" => arithmetic(a?, input(1)?, |x, y| x - y, i64::checked_sub),
        "Mul" => arithmetic(a?, input(1)?, |x, y| x * y, i64::checked_mul),
        // Integer division truncates toward zero, as C++ (and ORT's kernels) do.
        "Div" => arithmetic(a?, input(1)?, |x, y| x / y, i64::checked_div),
        "Pow" => pow(a?, input(1)?),
        "Max" => variadic(inputs, f64::max, |x, y| Some(x.max(y))),
        "Min" => variadic(inputs, f64::min, |x, y| Some(x.min(y))),
        "Equal" => compare(a?, input(1)?, |o| o == std::cmp::Ordering::Equal),
        "Less" => compare(a?, input(1)?, |o| o == std::cmp::Ordering::Less),
        "LessOrEqual" => compare(a?, input(1)?, |o| o != std::cmp::Ordering::Greater),
        "Greater" => compare(a?, input(1)?, |o| o == std::cmp::Ordering::Greater),
        "GreaterOrEqual" => compare(a?, input(1)?, |o| o != std::cmp::Ordering::Less),
        "And" => logical(a?, input(1)?, |x, y| x && y),
        "Or" => logical(a?, input(1)?, |x, y| x || y),
        "Xor" => logical(a?, input(1)?, |x, y| x != y),
        "Where" => where_(a?, input(1)?, input(2)?),
        "Gather" => gather(a?, input(1)?, attr_int(node, "axis").unwrap_or(0)),
        "Unsqueeze" => {
            let axes = axes_of(node, opset, 13, input(1))?;
            unsqueeze(a?, &axes)
        }
        "Squeeze" => {
            let axes = if opset >= 13 {
                input(1)
                    .map(Constant::as_ints)
                    .unwrap_or(Some(Vec::new()))?
            } else {
                attr_ints(node, "axes").unwrap_or_default()
            };
            squeeze(a?, &axes)
        }
        "Concat" => concat(inputs, attr_int(node, "axis")?),
        "Slice" => slice(node, opset, a?, inputs),
        "Reshape" => {
            let shape = input(1)?.as_ints()?;
            let allow_zero = attr_int(node, "allowzero").unwrap_or(0) != 0;
            reshape(a?, &shape, allow_zero)
        }
        "Flatten" => flatten(a?, attr_int(node, "axis").unwrap_or(1)),
        "Transpose" => transpose(a?, attr_ints(node, "perm")),
        "Expand" => expand(a?, &input(1)?.as_ints()?, limit),
        "ConstantOfShape" => constant_of_shape(node, &input(0)?.as_ints()?, limit),
        "Range" => range(a?, input(1)?, input(2)?, limit),
        _ => None,
    };
    let out = one(out)?;
    out.iter().all(|c| c.len() <= limit).then_some(out)
}

fn attribute<'a>(node: &'a NodeProto, name: &str) -> Option<&'a AttributeProto> {
    node.attribute.iter().find(|a| a.name == name)
}

pub(super) fn attr_int(node: &NodeProto, name: &str) -> Option<i64> {
    attribute(node, name).and_then(|a| a.i)
}

fn attr_ints(node: &NodeProto, name: &str) -> Option<Vec<i64>> {
    attribute(node, name).map(|a| a.ints.clone())
}

/// `Shape`'s optional `start` and `end` (opset 15), clamped as the spec says.
pub(super) fn shape_slice(node: &NodeProto, dims: &[i64]) -> Vec<i64> {
    let rank = dims.len() as i64;
    let clamp = |v: i64| if v < 0 { v + rank } else { v }.clamp(0, rank) as usize;
    let start = clamp(attr_int(node, "start").unwrap_or(0));
    let end = clamp(attr_int(node, "end").unwrap_or(rank));
    dims.get(start..end.max(start)).unwrap_or_default().to_vec()
}

/// Axes from the attribute before `input_since`, from input 1 after.
fn axes_of(
    node: &NodeProto,
    opset: i64,
    input_since: i64,
    input: Option<&Constant>,
) -> Option<Vec<i64>> {
    if opset >= input_since {
        input?.as_ints()
    } else {
        attr_ints(node, "axes")
    }
}

fn normalise_axis(axis: i64, rank: usize) -> Option<usize> {
    let rank = rank as i64;
    let axis = if axis < 0 { axis + rank } else { axis };
    (0..rank).contains(&axis).then_some(axis as usize)
}

fn unary_numeric(
    a: &Constant,
    float: impl Fn(f64) -> f64,
    int: impl Fn(i64) -> Option<i64>,
) -> Option<Constant> {
    let data = match &a.data {
        Data::Float(x) => Data::Float(x.mapv(float)),
        Data::Int(x) => Data::Int(try_map(x, int)?),
        Data::Bool(_) => return None,
    };
    Constant::new(a.elem_type, data)
}

fn float_only(a: &Constant, f: impl Fn(f64) -> f64) -> Option<Constant> {
    match &a.data {
        Data::Float(x) => Constant::new(a.elem_type, Data::Float(x.mapv(f))),
        _ => None,
    }
}

fn try_map(x: &ArrayD<i64>, f: impl Fn(i64) -> Option<i64>) -> Option<ArrayD<i64>> {
    let values: Option<Vec<i64>> = x.iter().map(|&v| f(v)).collect();
    ArrayD::from_shape_vec(x.raw_dim(), values?).ok()
}

/// numpy's broadcast of two shapes.
fn broadcast_shape(a: &[usize], b: &[usize]) -> Option<Vec<usize>> {
    let rank = a.len().max(b.len());
    (0..rank)
        .map(|i| {
            let da = (i + a.len()).checked_sub(rank).map_or(1, |j| a[j]);
            let db = (i + b.len()).checked_sub(rank).map_or(1, |j| b[j]);
            match (da, db) {
                (x, y) if x == y => Some(x),
                (1, y) => Some(y),
                (x, 1) => Some(x),
                _ => None,
            }
        })
        .collect()
}

/// `f` applied elementwise to `x` and `y` broadcast against each other.
fn zip_with<A: Clone, B: Clone, C>(
    x: &ArrayD<A>,
    y: &ArrayD<B>,
    f: impl Fn(A, B) -> Option<C>,
) -> Option<ArrayD<C>> {
    let shape = broadcast_shape(x.shape(), y.shape())?;
    let xv = x.broadcast(IxDyn(&shape))?;
    let yv = y.broadcast(IxDyn(&shape))?;
    let values: Option<Vec<C>> = xv
        .iter()
        .zip(yv.iter())
        .map(|(p, q)| f(p.clone(), q.clone()))
        .collect();
    ArrayD::from_shape_vec(IxDyn(&shape), values?).ok()
}

fn arithmetic(
    a: &Constant,
    b: &Constant,
    float: impl Fn(f64, f64) -> f64,
    int: impl Fn(i64, i64) -> Option<i64>,
) -> Option<Constant> {
    if a.elem_type != b.elem_type {
        return None;
    }
    let data = match (&a.data, &b.data) {
        (Data::Float(x), Data::Float(y)) => Data::Float(zip_with(x, y, |p, q| Some(float(p, q)))?),
        (Data::Int(x), Data::Int(y)) => Data::Int(zip_with(x, y, int)?),
        _ => return None,
    };
    Constant::new(a.elem_type, data)
}

fn pow(a: &Constant, b: &Constant) -> Option<Constant> {
    let data = match (&a.data, &b.data) {
        (Data::Float(x), Data::Float(y)) => Data::Float(zip_with(x, y, |p, q| Some(p.powf(q)))?),
        (Data::Float(x), Data::Int(y)) => {
            Data::Float(zip_with(x, y, |p, q| Some(p.powi(i32::try_from(q).ok()?)))?)
        }
        (Data::Int(x), Data::Int(y)) => Data::Int(zip_with(x, y, |p, q| {
            p.checked_pow(u32::try_from(q).ok()?)
        })?),
        _ => return None,
    };
    Constant::new(a.elem_type, data)
}

fn variadic(
    inputs: &[Option<&Constant>],
    float: impl Fn(f64, f64) -> f64,
    int: impl Fn(i64, i64) -> Option<i64>,
) -> Option<Constant> {
    let mut values = inputs.iter().copied();
    let mut acc = values.next()??.clone();
    for next in values {
        acc = arithmetic(&acc, next?, &float, &int)?;
    }
    Some(acc)
}

fn compare(
    a: &Constant,
    b: &Constant,
    test: impl Fn(std::cmp::Ordering) -> bool,
) -> Option<Constant> {
    let data = match (&a.data, &b.data) {
        (Data::Float(x), Data::Float(y)) => zip_with(x, y, |p, q| Some(test(p.partial_cmp(&q)?)))?,
        (Data::Int(x), Data::Int(y)) => zip_with(x, y, |p, q| Some(test(p.cmp(&q))))?,
        (Data::Bool(x), Data::Bool(y)) => zip_with(x, y, |p, q| Some(test(p.cmp(&q))))?,
        _ => return None,
    };
    Constant::new(data_type::BOOL, Data::Bool(data))
}

fn logical(a: &Constant, b: &Constant, f: impl Fn(bool, bool) -> bool) -> Option<Constant> {
    match (&a.data, &b.data) {
        (Data::Bool(x), Data::Bool(y)) => Constant::new(
            data_type::BOOL,
            Data::Bool(zip_with(x, y, |p, q| Some(f(p, q)))?),
        ),
        _ => None,
    }
}

fn where_(condition: &Constant, x: &Constant, y: &Constant) -> Option<Constant> {
    let Data::Bool(c) = &condition.data else {
        return None;
    };
    if x.elem_type != y.elem_type {
        return None;
    }
    fn pick<T: Clone>(c: &ArrayD<bool>, x: &ArrayD<T>, y: &ArrayD<T>) -> Option<ArrayD<T>> {
        let shape = broadcast_shape(&broadcast_shape(c.shape(), x.shape())?, y.shape())?;
        let dim = IxDyn(&shape);
        let mut out = x.broadcast(dim.clone())?.to_owned();
        Zip::from(&mut out)
            .and(c.broadcast(dim.clone())?)
            .and(y.broadcast(dim)?)
            .for_each(|o, &keep, other| {
                if !keep {
                    *o = other.clone();
                }
            });
        Some(out)
    }
    let data = match (&x.data, &y.data) {
        (Data::Float(p), Data::Float(q)) => Data::Float(pick(c, p, q)?),
        (Data::Int(p), Data::Int(q)) => Data::Int(pick(c, p, q)?),
        (Data::Bool(p), Data::Bool(q)) => Data::Bool(pick(c, p, q)?),
        _ => return None,
    };
    Constant::new(x.elem_type, data)
}

/// Applies `f` to the array of any kind, keeping the kind.
macro_rules! each_kind {
    ($data:expr, $x:ident => $body:expr) => {
        match $data {
            Data::Float($x) => Data::Float($body),
            Data::Int($x) => Data::Int($body),
            Data::Bool($x) => Data::Bool($body),
        }
    };
}

fn gather(data: &Constant, indices: &Constant, axis: i64) -> Option<Constant> {
    let axis = normalise_axis(axis, data.shape().len())?;
    let len = data.shape()[axis] as i64;
    let positions: Option<Vec<usize>> = indices
        .as_ints()?
        .into_iter()
        .map(|i| {
            let i = if i < 0 { i + len } else { i };
            (0..len).contains(&i).then_some(i as usize)
        })
        .collect();
    let positions = positions?;
    let mut shape: Vec<usize> = data.shape()[..axis].to_vec();
    shape.extend_from_slice(indices.shape());
    shape.extend_from_slice(&data.shape()[axis + 1..]);
    fn pick<T: Clone>(
        x: &ArrayD<T>,
        axis: usize,
        at: &[usize],
        shape: &[usize],
    ) -> Option<ArrayD<T>> {
        let picked = x.select(Axis(axis), at);
        picked
            .as_standard_layout()
            .into_owned()
            .into_shape_with_order(IxDyn(shape))
            .ok()
    }
    let out = each_kind!(&data.data, x => pick(x, axis, &positions, &shape)?);
    Constant::new(data.elem_type, out)
}

fn reshaped(data: &Constant, shape: &[usize]) -> Option<Constant> {
    if shape.iter().product::<usize>() != data.len() {
        return None;
    }
    let out = each_kind!(&data.data, x => x
        .as_standard_layout()
        .into_owned()
        .into_shape_with_order(IxDyn(shape))
        .ok()?);
    Constant::new(data.elem_type, out)
}

fn unsqueeze(data: &Constant, axes: &[i64]) -> Option<Constant> {
    let rank = data.shape().len() + axes.len();
    let mut inserted: Vec<usize> = axes
        .iter()
        .map(|&a| normalise_axis(a, rank))
        .collect::<Option<_>>()?;
    inserted.sort_unstable();
    inserted.dedup();
    if inserted.len() != axes.len() {
        return None;
    }
    let mut dims = data.shape().iter();
    let shape: Vec<usize> = (0..rank)
        .map(|i| {
            if inserted.contains(&i) {
                Some(1)
            } else {
                dims.next().copied()
            }
        })
        .collect::<Option<_>>()?;
    reshaped(data, &shape)
}

fn squeeze(data: &Constant, axes: &[i64]) -> Option<Constant> {
    let rank = data.shape().len();
    let removed: Vec<usize> = if axes.is_empty() {
        (0..rank).filter(|&i| data.shape()[i] == 1).collect()
    } else {
        axes.iter()
            .map(|&a| normalise_axis(a, rank).filter(|&i| data.shape()[i] == 1))
            .collect::<Option<_>>()?
    };
    let shape: Vec<usize> = (0..rank)
        .filter(|i| !removed.contains(i))
        .map(|i| data.shape()[i])
        .collect();
    reshaped(data, &shape)
}

fn concat(inputs: &[Option<&Constant>], axis: i64) -> Option<Constant> {
    let parts: Vec<&Constant> = inputs.iter().copied().collect::<Option<_>>()?;
    let first = *parts.first()?;
    let axis = normalise_axis(axis, first.shape().len())?;
    if parts.iter().any(|p| p.elem_type != first.elem_type) {
        return None;
    }
    macro_rules! join {
        ($variant:ident) => {{
            let views: Vec<_> = parts
                .iter()
                .map(|p| match &p.data {
                    Data::$variant(x) => Some(x.view()),
                    _ => None,
                })
                .collect::<Option<_>>()?;
            Data::$variant(ndarray::concatenate(Axis(axis), &views).ok()?)
        }};
    }
    let data = match first.data {
        Data::Float(_) => join!(Float),
        Data::Int(_) => join!(Int),
        Data::Bool(_) => join!(Bool),
    };
    Constant::new(first.elem_type, data)
}

/// The indices `Slice` keeps along one axis of length `len`, with ONNX's clamping.
fn slice_indices(len: usize, start: i64, end: i64, step: i64) -> Option<Vec<usize>> {
    if step == 0 {
        return None;
    }
    let n = len as i64;
    let adjust = |v: i64| if v < 0 { v.saturating_add(n) } else { v };
    let (start, end) = if step > 0 {
        (adjust(start).clamp(0, n), adjust(end).clamp(0, n))
    } else {
        (adjust(start).clamp(0, n - 1), adjust(end).clamp(-1, n - 1))
    };
    let mut out = Vec::new();
    let mut i = start;
    while (step > 0 && i < end) || (step < 0 && i > end) {
        out.push(i as usize);
        i += step;
    }
    Some(out)
}

fn slice(
    node: &NodeProto,
    opset: i64,
    data: &Constant,
    inputs: &[Option<&Constant>],
) -> Option<Constant> {
    let rank = data.shape().len();
    let ints = |i: usize| inputs.get(i).copied().flatten().map(Constant::as_ints);
    // An absent optional input is `Some(None)`; one that is not integers is `None`.
    let optional = |v: Option<Option<Vec<i64>>>| match v {
        None => Some(None),
        Some(values) => values.map(Some),
    };
    let (starts, ends, axes, steps) = if opset >= 10 {
        (ints(1)??, ints(2)??, optional(ints(3))?, optional(ints(4))?)
    } else {
        (
            attr_ints(node, "starts")?,
            attr_ints(node, "ends")?,
            attr_ints(node, "axes"),
            None,
        )
    };
    let axes = axes.unwrap_or_else(|| (0..starts.len() as i64).collect());
    let steps = steps.unwrap_or_else(|| vec![1; starts.len()]);
    if ends.len() != starts.len() || axes.len() != starts.len() || steps.len() != starts.len() {
        return None;
    }
    let mut out = data.clone();
    for k in 0..starts.len() {
        let axis = normalise_axis(axes[k], rank)?;
        let keep = slice_indices(out.shape()[axis], starts[k], ends[k], steps[k])?;
        out.data = each_kind!(&out.data, x => x.select(Axis(axis), &keep));
    }
    Some(out)
}

fn reshape(data: &Constant, target: &[i64], allow_zero: bool) -> Option<Constant> {
    let mut unknown = None;
    let mut shape = Vec::with_capacity(target.len());
    for (i, &d) in target.iter().enumerate() {
        match d {
            -1 if unknown.is_none() => {
                unknown = Some(i);
                shape.push(1);
            }
            0 if !allow_zero => shape.push(*data.shape().get(i)?),
            d if d >= 0 => shape.push(d as usize),
            _ => return None,
        }
    }
    if let Some(i) = unknown {
        let known: usize = shape.iter().product();
        if known == 0 || !data.len().is_multiple_of(known) {
            return None;
        }
        shape[i] = data.len() / known;
    }
    reshaped(data, &shape)
}

fn flatten(data: &Constant, axis: i64) -> Option<Constant> {
    let rank = data.shape().len();
    let axis = if axis < 0 { axis + rank as i64 } else { axis };
    if !(0..=rank as i64).contains(&axis) {
        return None;
    }
    let (outer, inner) = data.shape().split_at(axis as usize);
    reshaped(data, &[outer.iter().product(), inner.iter().product()])
}

fn transpose(data: &Constant, perm: Option<Vec<i64>>) -> Option<Constant> {
    let rank = data.shape().len();
    let perm: Vec<usize> = match perm {
        Some(p) => p
            .iter()
            .map(|&a| normalise_axis(a, rank))
            .collect::<Option<_>>()?,
        None => (0..rank).rev().collect(),
    };
    let mut seen = perm.clone();
    seen.sort_unstable();
    if seen != (0..rank).collect::<Vec<_>>() {
        return None;
    }
    let out = each_kind!(&data.data, x => x
        .view()
        .permuted_axes(IxDyn(&perm))
        .as_standard_layout()
        .into_owned());
    Constant::new(data.elem_type, out)
}

fn dims_within(shape: &[i64], limit: usize) -> Option<Vec<usize>> {
    let dims: Vec<usize> = shape
        .iter()
        .map(|&d| usize::try_from(d).ok())
        .collect::<Option<_>>()?;
    let count = dims.iter().try_fold(1usize, |acc, &d| acc.checked_mul(d))?;
    (count <= limit).then_some(dims)
}

fn expand(data: &Constant, shape: &[i64], limit: usize) -> Option<Constant> {
    let target = dims_within(shape, usize::MAX)?;
    let shape = broadcast_shape(data.shape(), &target)?;
    dims_within(&shape.iter().map(|&d| d as i64).collect::<Vec<_>>(), limit)?;
    let dim = IxDyn(&shape);
    let out = each_kind!(&data.data, x => x.broadcast(dim.clone())?.to_owned());
    Constant::new(data.elem_type, out)
}

fn constant_of_shape(node: &NodeProto, shape: &[i64], limit: usize) -> Option<Constant> {
    let dims = dims_within(shape, limit)?;
    let value = match attribute(node, "value").and_then(|a| a.t.as_ref()) {
        Some(t) => Constant::from_tensor(t)?,
        None => Constant::new(
            data_type::FLOAT,
            Data::Float(ArrayD::from_elem(IxDyn(&[1]), 0.0)),
        )?,
    };
    if value.len() != 1 {
        return None;
    }
    let dim = IxDyn(&dims);
    let out = each_kind!(&value.data, x => ArrayD::from_elem(dim.clone(), *x.iter().next()?));
    Constant::new(value.elem_type, out)
}

fn range(
    start: &Constant,
    limit_value: &Constant,
    delta: &Constant,
    limit: usize,
) -> Option<Constant> {
    if start.len() != 1 || limit_value.len() != 1 || delta.len() != 1 {
        return None;
    }
    let data = match (&start.data, &limit_value.data, &delta.data) {
        (Data::Int(s), Data::Int(l), Data::Int(d)) => {
            let (s, l, d) = (*s.iter().next()?, *l.iter().next()?, *d.iter().next()?);
            if d == 0 {
                return None;
            }
            let n = ((l - s) as f64 / d as f64).ceil().max(0.0) as usize;
            if n > limit {
                return None;
            }
            Data::Int(
                ArrayD::from_shape_vec(IxDyn(&[n]), (0..n as i64).map(|k| s + k * d).collect())
                    .ok()?,
            )
        }
        (Data::Float(s), Data::Float(l), Data::Float(d)) => {
            let (s, l, d) = (*s.iter().next()?, *l.iter().next()?, *d.iter().next()?);
            if d == 0.0 {
                return None;
            }
            let n = ((l - s) / d).ceil().max(0.0) as usize;
            if n > limit {
                return None;
            }
            Data::Float(
                ArrayD::from_shape_vec(IxDyn(&[n]), (0..n).map(|k| s + k as f64 * d).collect())
                    .ok()?,
            )
        }
        _ => return None,
    };
    Constant::new(start.elem_type, data)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(op: &str, attributes: Vec<AttributeProto>) -> NodeProto {
        NodeProto {
            op_type: op.into(),
            attribute: attributes,
            ..NodeProto::default()
        }
    }

    fn ints(values: &[i64]) -> Constant {
        Constant::ints(values.to_vec())
    }

    fn eval(op: &NodeProto, inputs: &[&Constant]) -> Option<Vec<i64>> {
        let inputs: Vec<Option<&Constant>> = inputs.iter().map(|c| Some(*c)).collect();
        evaluate(op, 14, &inputs, 1 << 16)?.remove(0).as_ints()
    }

    #[test]
    fn shape_arithmetic_follows_onnx() {
        let shape = ints(&[2, 128, 768]);
        let gather = node("Gather", vec![AttributeProto::int("axis", 0)]);
        let scalar = Constant::new(
            data_type::INT64,
            Data::Int(ArrayD::from_elem(IxDyn(&[]), -1)),
        )
        .unwrap();
        assert_eq!(eval(&gather, &[&shape, &scalar]), Some(vec![768]));
        let unsqueeze = node("Unsqueeze", vec![]);
        let got = evaluate(&unsqueeze, 14, &[Some(&scalar), Some(&ints(&[0]))], 10).unwrap();
        assert_eq!(got[0].shape(), [1]);
        let concat = node("Concat", vec![AttributeProto::int("axis", 0)]);
        assert_eq!(
            eval(&concat, &[&ints(&[2]), &ints(&[128]), &ints(&[12, 64])]),
            Some(vec![2, 128, 12, 64])
        );
        // Slice with a negative start, an end past the end, and a negative step.
        let slice = node("Slice", vec![]);
        assert_eq!(
            eval(&slice, &[&shape, &ints(&[-1]), &ints(&[i64::MAX])]),
            Some(vec![768])
        );
        assert_eq!(
            eval(
                &slice,
                &[
                    &shape,
                    &ints(&[-1]),
                    &ints(&[i64::MIN]),
                    &ints(&[0]),
                    &ints(&[-1])
                ]
            ),
            Some(vec![768, 128, 2])
        );
        // Reshape's 0 copies the input dim, -1 is inferred.
        let reshape = node("Reshape", vec![]);
        let got = evaluate(
            &reshape,
            14,
            &[Some(&ints(&[1, 2, 3, 4, 5, 6])), Some(&ints(&[-1, 2]))],
            100,
        )
        .unwrap();
        assert_eq!(got[0].shape(), [3, 2]);
        // The attention-mask plumbing: Equal, Where over shapes.
        let equal = node("Equal", vec![]);
        let cond = evaluate(
            &equal,
            14,
            &[Some(&ints(&[1, -1])), Some(&ints(&[-1, -1]))],
            10,
        )
        .unwrap()
        .remove(0);
        let where_ = node("Where", vec![]);
        assert_eq!(
            eval(&where_, &[&cond, &ints(&[1, 1]), &ints(&[1, 128])]),
            Some(vec![1, 1])
        );
        // Integer division truncates toward zero; division by zero is not folded.
        let div = node("Div", vec![]);
        assert_eq!(eval(&div, &[&ints(&[-7]), &ints(&[2])]), Some(vec![-3]));
        assert_eq!(eval(&div, &[&ints(&[1]), &ints(&[0])]), None);
        let range = node("Range", vec![]);
        let s = |v| {
            Constant::new(
                data_type::INT64,
                Data::Int(ArrayD::from_elem(IxDyn(&[]), v)),
            )
            .unwrap()
        };
        assert_eq!(eval(&range, &[&s(0), &s(5), &s(2)]), Some(vec![0, 2, 4]));
        // Results above the limit are left to ORT.
        let expand = node("Expand", vec![]);
        assert!(evaluate(&expand, 14, &[Some(&ints(&[1])), Some(&ints(&[1000]))], 999).is_none());
    }

    #[test]
    fn float_results_are_rounded_to_their_type() {
        let four = Constant::new(
            data_type::FLOAT,
            Data::Float(ArrayD::from_elem(IxDyn(&[1]), 32.0)),
        )
        .unwrap();
        let sqrt = evaluate(&node("Sqrt", vec![]), 14, &[Some(&four)], 10).unwrap();
        assert_eq!(sqrt[0].as_float_scalar(), Some(f64::from(32.0f32.sqrt())));
        let cast = node(
            "Cast",
            vec![AttributeProto::int("to", i64::from(data_type::INT64))],
        );
        assert_eq!(
            evaluate(&cast, 14, &[Some(&sqrt[0])], 10).unwrap()[0].as_ints(),
            Some(vec![5])
        );
    }
}
