//! The CoreML op builders of ORT 1.30 as code: each function is one builder's
//! `HasSupportedInputsImpl` followed by its `IsOpSupportedImpl`, read from
//! `onnxruntime/core/providers/coreml/builders/impl/<file>` at microsoft/onnxruntime commit
//! cc8e901ecc3feaf75fd05204c19c93068afba9d9 (main of 2026-08-23, VERSION_NUMBER 1.30.0). The
//! generic part of `BaseOpBuilder::IsOpSupported` (format, opset range, `IsInputSupported` on
//! every input) is [`super::eval`]'s; the host is taken to be a current Mac (CoreML 7 or later),
//! as on the Linux build, which reports CoreML 7.

use crate::onnx::proto::data_type::{BOOL, FLOAT, FLOAT16, INT32, INT64};
use crate::runtime::ModelFormat;

use super::eval::BuilderInput;
use super::{Check, Epoch, GenericRules, Level1, OpRule, PartitionFilter, RejectCategory, Support};
use crate::partitions::shapes::slice_len;

type Outcome = Result<(), (RejectCategory, String)>;

use RejectCategory::{
    Attribute, DimLimit, Dtype, DynamicShape, NoShape, NotConstant, Producer, Rank,
};

fn fail<T>(
    category: RejectCategory,
    detail: impl Into<String>,
) -> Result<T, (RejectCategory, String)> {
    Err((category, detail.into()))
}

impl BuilderInput<'_> {
    fn mlprogram(&self) -> bool {
        self.format == ModelFormat::MlProgram
    }

    fn input_name(&self, i: usize) -> Option<&str> {
        self.node.input(i)
    }

    /// `GetShape`: the dims (-1 for symbolic or unknown), `None` without a shape.
    fn shape(&self, i: usize) -> Option<Vec<i64>> {
        self.input_name(i)
            .and_then(|n| self.graph.value(n))
            .and_then(|v| v.ort_dims())
    }

    fn shape_or_fail(&self, i: usize, what: &str) -> Result<Vec<i64>, (RejectCategory, String)> {
        self.shape(i)
            .ok_or_else(|| (NoShape, format!("{what} has no shape")))
    }

    fn output_shape(&self, o: usize) -> Option<Vec<i64>> {
        self.node
            .outputs
            .get(o)
            .and_then(|n| self.graph.value(n))
            .and_then(|v| v.ort_dims())
    }

    /// `GetType`: the element type, `None` when unknown.
    fn dtype(&self, i: usize) -> Option<i32> {
        self.input_name(i)
            .and_then(|n| self.graph.value(n))
            .map(|v| v.elem_type)
            .filter(|&t| t != 0)
    }

    fn output_dtype(&self, o: usize) -> Option<i32> {
        self.node
            .outputs
            .get(o)
            .and_then(|n| self.graph.value(n))
            .map(|v| v.elem_type)
            .filter(|&t| t != 0)
    }

    /// `GetConstantInitializer`.
    fn constant(&self, i: usize) -> Option<&crate::partitions::graph::Initializer> {
        self.input_name(i)
            .and_then(|n| self.graph.constant_initializer(n))
    }

    /// `GetAllInitializedTensors` contains it (overridable initializers too).
    fn initializer(&self, i: usize) -> Option<&crate::partitions::graph::Initializer> {
        self.input_name(i).and_then(|n| self.graph.initializer(n))
    }

    fn ints(&self, i: usize) -> Option<Vec<i64>> {
        self.initializer(i).and_then(|t| t.int_values.clone())
    }

    fn floats(&self, i: usize) -> Option<Vec<f32>> {
        self.initializer(i).and_then(|t| t.float_values.clone())
    }

    /// `InputDefs().size()`: the node's input slots, omitted optional ones included.
    fn input_slots(&self) -> usize {
        self.node.inputs.len()
    }

    fn attr_int(&self, name: &str, default: i64) -> i64 {
        self.node.attr_int(name, default)
    }

    fn attr_float(&self, name: &str, default: f32) -> f32 {
        self.node.attr_float(name, default)
    }

    fn attr_str(&self, name: &str, default: &str) -> String {
        match self.node.attr(name) {
            Some(crate::partitions::graph::AttrValue::String(s)) => s.clone(),
            _ => default.to_string(),
        }
    }

    fn since(&self) -> i64 {
        self.node.since_version.unwrap_or(1)
    }
}

fn dtype_name(t: Option<i32>) -> String {
    match t {
        Some(FLOAT) => "float32".into(),
        Some(FLOAT16) => "float16".into(),
        Some(INT64) => "int64".into(),
        Some(INT32) => "int32".into(),
        Some(BOOL) => "bool".into(),
        Some(other) => format!("type {other}"),
        None => "of unknown type".into(),
    }
}

fn is_static(shape: &[i64]) -> bool {
    shape.iter().all(|&d| d >= 0)
}

fn normalise_axis(axis: i64, rank: usize) -> i64 {
    if axis < 0 { axis + rank as i64 } else { axis }
}

/// `BaseOpBuilder::IsInputDtypeSupport`: float always; float16 and int64 in ML Program.
fn default_dtype(b: &BuilderInput<'_>, i: usize) -> Outcome {
    let t = b.dtype(i);
    let ok = t == Some(FLOAT) || (b.mlprogram() && matches!(t, Some(FLOAT16) | Some(INT64)));
    if ok {
        Ok(())
    } else {
        fail(
            Dtype,
            format!(
                "input {i} is {}; {} takes {} (base_op_builder.cc IsInputDtypeSupport)",
                dtype_name(t),
                if b.mlprogram() {
                    "MLProgram"
                } else {
                    "NeuralNetwork"
                },
                if b.mlprogram() {
                    "float32/float16/int64"
                } else {
                    "float32"
                }
            ),
        )
    }
}

fn activation(b: &BuilderInput<'_>) -> Outcome {
    default_dtype(b, 0)?;
    let op = b.node.op_type.as_str();
    if !b.mlprogram() && matches!(op, "Gelu" | "Softplus" | "Elu") {
        return fail(RejectCategory::Format, "only the MLProgram lowering exists");
    }
    if op == "HardSigmoid" && !matches!(b.dtype(0), Some(FLOAT) | Some(FLOAT16)) {
        return fail(Dtype, "HardSigmoid takes float32 or float16 only");
    }
    if op == "PRelu" {
        let x = b.shape_or_fail(0, "X")?;
        if x.len() != 3 && x.len() != 4 {
            return fail(Rank, format!("X has rank {}; PRelu takes 3 or 4", x.len()));
        }
        if x[x.len() - 3] == -1 {
            return fail(DynamicShape, "the third-from-last dim of X is dynamic");
        }
        if b.constant(1).is_none() {
            return fail(NotConstant, "the slope is not a constant initializer");
        }
        let slope = b
            .shape(1)
            .filter(|s| is_static(s))
            .ok_or((DynamicShape, "the slope has no static shape".to_string()))?;
        let per_channel = slope.len() == 3 && slope[1..].iter().all(|&d| d == 1);
        let single = slope.iter().product::<i64>() == 1;
        if !per_channel && !single {
            return fail(Rank, "the slope must be [C, 1, 1] or a single value");
        }
    }
    Ok(())
}

fn quick_gelu(b: &BuilderInput<'_>) -> Outcome {
    default_dtype(b, 0)?;
    if !b.mlprogram() {
        return fail(
            RejectCategory::Format,
            "QuickGelu is implemented for MLProgram only",
        );
    }
    b.shape_or_fail(0, "the input")?;
    Ok(())
}

fn unary(b: &BuilderInput<'_>) -> Outcome {
    default_dtype(b, 0)?;
    let op = b.node.op_type.as_str();
    if !b.mlprogram() && matches!(op, "Erf" | "Round" | "Exp" | "Sin" | "Cos" | "Ceil") {
        return fail(RejectCategory::Format, "only the MLProgram lowering exists");
    }
    Ok(())
}

fn binary(b: &BuilderInput<'_>) -> Outcome {
    if b.node.op_type == "Pow" {
        let (a, e) = (b.dtype(0), b.dtype(1));
        if a.is_none() || e != a {
            return fail(
                Dtype,
                format!(
                    "base is {} and exponent {}; they must match",
                    dtype_name(a),
                    dtype_name(e)
                ),
            );
        }
    }
    default_dtype(b, 0)?;
    if b.node.op_type == "Max" && !b.mlprogram() {
        return fail(RejectCategory::Format, "Max is MLProgram only");
    }
    Ok(())
}

fn pool(b: &BuilderInput<'_>) -> Outcome {
    default_dtype(b, 0)?;
    let x = b.shape_or_fail(0, "the input")?;
    if x.len() != 4 {
        return fail(
            Rank,
            format!("input has rank {}; only rank 4 is supported", x.len()),
        );
    }
    let op = b.node.op_type.as_str();
    if op == "AveragePool" || op == "MaxPool" {
        if b.attr_int("storage_order", 0) == 1 {
            return fail(Attribute, "storage_order=1 is not supported");
        }
        let kernel = b.node.attr_ints("kernel_shape").map_or(2, <[i64]>::len);
        if kernel != 2 {
            return fail(Attribute, "only 2-D pooling is supported");
        }
        if !b.mlprogram() && b.attr_int("ceil_mode", 0) == 1 {
            return fail(Attribute, "ceil_mode=1 is not supported in NeuralNetwork");
        }
        let dilations_default = b.node.attr_ints("dilations").is_none_or(|d| d == [1, 1]);
        if !dilations_default {
            return fail(Attribute, "dilations are not supported");
        }
        if b.node.outputs.len() != 1 {
            return fail(Attribute, "the Indices output of MaxPool is not supported");
        }
    }
    Ok(())
}

fn reduction(b: &BuilderInput<'_>) -> Outcome {
    default_dtype(b, 0)?;
    let op = b.node.op_type.as_str();
    if !b.mlprogram() && matches!(op, "ReduceMax" | "ReduceMin" | "ReduceProd") {
        return fail(RejectCategory::Format, "MLProgram only");
    }
    let noop = b.attr_int("noop_with_empty_axes", 0) != 0;
    let mut empty_axes = true;
    if b.input_name(1).is_some() {
        let Some(axes) = b.constant(1) else {
            return fail(NotConstant, "'axes' is not a constant initializer");
        };
        // ORT reads `int64_data_size()`: axes stored as raw bytes count as empty here.
        empty_axes = axes.typed_int64_values == 0;
    }
    if empty_axes && noop && !b.mlprogram() {
        return fail(
            Attribute,
            "noop_with_empty_axes with empty axes is not supported in NeuralNetwork",
        );
    }
    Ok(())
}

fn batch_norm(b: &BuilderInput<'_>) -> Outcome {
    default_dtype(b, 0)?;
    if b.node.outputs.len() != 1 {
        return fail(Attribute, "training-mode outputs are not supported");
    }
    let x = b.shape_or_fail(0, "the input")?;
    if x.len() != 4 {
        return fail(
            Rank,
            format!("input has rank {}; only 4-D is supported", x.len()),
        );
    }
    if b.attr_int("spatial", 1) != 1 {
        return fail(Attribute, "non-spatial BatchNormalization is not supported");
    }
    for (i, what) in [(1, "scale"), (2, "B"), (3, "mean"), (4, "var")] {
        if b.initializer(i).is_none() {
            return fail(NotConstant, format!("{what} is not an initializer"));
        }
    }
    Ok(())
}

fn normalization(b: &BuilderInput<'_>) -> Outcome {
    if !b.mlprogram() {
        return fail(
            RejectCategory::Format,
            "MLProgram only (HasSupportedInputsImpl)",
        );
    }
    let t0 = b.dtype(0);
    let t1 = b.dtype(1);
    let t2 = if b.input_slots() > 2 { b.dtype(2) } else { t0 };
    if t0.is_none() || t1.is_none() || t2.is_none() || t0 != t1 || t0 != t2 {
        return fail(Dtype, "X, scale and bias must have the same type");
    }
    if !matches!(t0, Some(FLOAT) | Some(FLOAT16)) {
        return fail(
            Dtype,
            format!("input is {}; float32/float16 only", dtype_name(t0)),
        );
    }
    if b.node.outputs.len() != 1 {
        return fail(Attribute, "training-mode outputs are not supported");
    }
    b.shape_or_fail(0, "the input")?;
    if b.node.op_type != "InstanceNormalization" && b.attr_int("stash_type", 1) != 1 {
        return fail(Attribute, "stash_type != 1 is not supported");
    }
    if b.constant(1).is_none() {
        return fail(NotConstant, "scale is not a constant initializer");
    }
    if b.input_slots() > 2 && b.constant(2).is_none() {
        return fail(NotConstant, "bias is not a constant initializer");
    }
    Ok(())
}

fn logical(b: &BuilderInput<'_>) -> Outcome {
    if b.dtype(0) != Some(BOOL) || b.dtype(1) != Some(BOOL) {
        return fail(Dtype, "both inputs must be bool");
    }
    if !b.mlprogram() {
        return fail(RejectCategory::Format, "MLProgram only");
    }
    Ok(())
}

fn argmax(b: &BuilderInput<'_>) -> Outcome {
    default_dtype(b, 0)?;
    if b.attr_int("select_last_index", 0) != 0 {
        return fail(Attribute, "select_last_index is not supported");
    }
    if b.mlprogram() {
        return Ok(());
    }
    let edges = b.graph.output_edges(b.node.index);
    if edges.len() > 1 {
        for e in edges {
            let next = b.graph.node(e.to);
            if next.op_type == "Cast" && next.attr_int("to", 0) == i64::from(INT32) {
                return fail(Producer, "ArgMax feeds a Cast to int32 and other nodes");
            }
        }
    }
    Ok(())
}

fn cast(b: &BuilderInput<'_>) -> Outcome {
    let (Some(from), Some(to)) = (b.dtype(0), b.output_dtype(0)) else {
        return fail(Dtype, "input or output type unknown");
    };
    let castable = |t: i32| matches!(t, INT32 | INT64 | FLOAT | FLOAT16 | BOOL);
    if b.mlprogram() {
        if castable(from) && castable(to) {
            return Ok(());
        }
        return fail(
            Dtype,
            format!(
                "{} to {} is not supported",
                dtype_name(Some(from)),
                dtype_name(Some(to))
            ),
        );
    }
    if from != INT64 {
        return fail(
            Dtype,
            format!(
                "input is {}; NeuralNetwork casts int64 only",
                dtype_name(Some(from))
            ),
        );
    }
    let Some(edge) = b.graph.input_edges(b.node.index).first() else {
        return fail(
            Producer,
            "no preceding node; NeuralNetwork Cast follows an ArgMax only",
        );
    };
    let producer = b.graph.node(edge.from);
    if producer.op_type != "ArgMax" {
        return fail(
            Producer,
            format!(
                "produced by {}; NeuralNetwork Cast follows an ArgMax only",
                producer.op_type
            ),
        );
    }
    if !b.is_supported(edge.from) {
        return fail(Producer, "the producing ArgMax is not supported");
    }
    if b.attr_int("to", 0) != i64::from(INT32) {
        return fail(Attribute, "only a cast to int32 is supported");
    }
    Ok(())
}

fn clip(b: &BuilderInput<'_>) -> Outcome {
    default_dtype(b, 0)?;
    // GetClipMinMax (core/providers/shared/utils/utils.cc): attributes before opset 11, else
    // constant initializers whose first value is read as float32/float16 (the input's type).
    let (mut min, mut max) = (f32::MIN, f32::MAX);
    if b.since() < 11 {
        min = b.attr_float("min", min);
        max = b.attr_float("max", max);
    } else {
        for (i, slot) in [(1, &mut min), (2, &mut max)] {
            if b.input_name(i).is_none() {
                continue;
            }
            if b.constant(i).is_none() {
                return fail(
                    NotConstant,
                    format!("input {i} is not a constant initializer"),
                );
            }
            if !matches!(b.dtype(0), Some(FLOAT) | Some(FLOAT16)) {
                return fail(Dtype, "min/max are read for float32/float16 inputs only");
            }
            match b.floats(i).and_then(|v| v.first().copied()) {
                Some(v) => *slot = v,
                None => return fail(NotConstant, format!("input {i} is not readable")),
            }
        }
    }
    if min == max {
        return fail(Attribute, "min equals max");
    }
    Ok(())
}

fn concat(b: &BuilderInput<'_>) -> Outcome {
    default_dtype(b, 0)?;
    if b.input_slots() < 2 {
        return fail(Attribute, "Concat needs 2 or more inputs");
    }
    let x = b.shape_or_fail(0, "input 0")?;
    if !b.mlprogram() {
        if x.len() != 4 {
            return fail(
                Rank,
                format!("input has rank {}; NeuralNetwork Concat takes 4-D", x.len()),
            );
        }
        if normalise_axis(b.attr_int("axis", 1), 4) != 1 {
            return fail(
                Attribute,
                "NeuralNetwork Concat takes the channel axis only",
            );
        }
    }
    Ok(())
}

fn conv_memory_limit(shape: &[i64]) -> bool {
    shape.iter().all(|&d| d <= 16384)
}

fn conv(b: &BuilderInput<'_>) -> Outcome {
    default_dtype(b, 0)?;
    if b.node.op_type == "FusedConv" {
        if !b.mlprogram() {
            return fail(RejectCategory::Format, "FusedConv is MLProgram only");
        }
        if b.input_slots() > 3 {
            return fail(Attribute, "FusedConv with the Z input is not supported");
        }
        if !matches!(b.dtype(0), Some(FLOAT) | Some(FLOAT16)) {
            return fail(Dtype, "FusedConv takes float32/float16");
        }
        let activation = b.attr_str("activation", "");
        let params = match b.node.attr("activation_params") {
            Some(crate::partitions::graph::AttrValue::Floats(v)) => v.len(),
            _ => 0,
        };
        let expected = match activation.as_str() {
            "Relu" | "Sigmoid" | "Tanh" => Some(0),
            "LeakyRelu" => Some(1),
            "Clip" | "HardSigmoid" => Some(2),
            _ => None,
        };
        match expected {
            None => {
                return fail(
                    Attribute,
                    format!("activation {activation} is not supported"),
                );
            }
            Some(n) if n != params => return fail(Attribute, "wrong number of activation_params"),
            Some(_) => {}
        }
    }
    if !b.mlprogram() && b.constant(1).is_none() {
        return fail(NotConstant, "the weight is not a constant initializer");
    }
    let w = b.shape_or_fail(1, "W")?;
    let x = b.shape_or_fail(0, "X")?;
    let y = b
        .output_shape(0)
        .ok_or((NoShape, "the output has no shape".to_string()))?;
    if !conv_memory_limit(&w) || !conv_memory_limit(&x) || !conv_memory_limit(&y) {
        return fail(
            DimLimit,
            "a dim exceeds CoreML's convolution limit of 16384",
        );
    }
    if w.len() != 3 && w.len() != 4 {
        return fail(
            Rank,
            format!(
                "{}-D convolution; only 1-D and 2-D are supported",
                w.len() as i64 - 2
            ),
        );
    }
    if b.input_slots() > 2 && b.constant(2).is_none() {
        return fail(NotConstant, "the bias is not a constant initializer");
    }
    if let Some(kernel) = b.node.attr_ints("kernel_shape")
        && (kernel.len() != w.len() - 2 || kernel.iter().zip(&w[2..]).any(|(k, d)| k != d))
    {
        return fail(Attribute, "kernel_shape does not match the weight");
    }
    Ok(())
}

fn conv_transpose(b: &BuilderInput<'_>) -> Outcome {
    default_dtype(b, 0)?;
    if !b.mlprogram() {
        return fail(RejectCategory::Format, "ML Program required");
    }
    let x = b.shape_or_fail(0, "the input")?;
    if b.constant(1).is_none() {
        return fail(NotConstant, "the weight is not a constant initializer");
    }
    if b.input_slots() > 2 && b.constant(2).is_none() {
        return fail(NotConstant, "the bias is not a constant initializer");
    }
    let w = b.shape_or_fail(1, "the weight")?;
    if !conv_memory_limit(&w) || !conv_memory_limit(&x) {
        return fail(
            DimLimit,
            "a dim exceeds CoreML's convolution limit of 16384",
        );
    }
    match b.attr_str("auto_pad", "NOTSET").as_str() {
        "SAME_UPPER" | "SAME_LOWER" => {
            return fail(
                Attribute,
                "SAME_UPPER/SAME_LOWER padding is not implemented",
            );
        }
        "NOTSET" => {
            let pads = b.node.attr_ints("pads").unwrap_or(&[]);
            if let Some(first) = pads.first()
                && pads.iter().any(|p| p != first)
            {
                return fail(Attribute, "all pads must be equal");
            }
        }
        _ => {}
    }
    if let Some(kernel) = b.node.attr_ints("kernel_shape")
        && (kernel.len() + 2 != w.len() || kernel.iter().zip(&w[2..]).any(|(k, d)| k != d))
    {
        return fail(Attribute, "kernel_shape does not match the weight");
    }
    if b.node.attr_ints("output_shape").is_some() {
        return fail(Attribute, "output_shape is not supported");
    }
    if b.node
        .attr_ints("output_padding")
        .is_some_and(|p| p.iter().any(|&v| v != 0))
    {
        return fail(Attribute, "output_padding is not supported");
    }
    Ok(())
}

fn depth_to_space(b: &BuilderInput<'_>) -> Outcome {
    default_dtype(b, 0)?;
    let x = b.shape_or_fail(0, "the input")?;
    let mode = b.attr_str("mode", "DCR");
    if b.mlprogram() {
        if mode == "CRD" && !is_static(&x) {
            return fail(DynamicShape, "CRD mode needs a static shape");
        }
    } else if mode != "DCR" {
        return fail(Attribute, format!("{mode} mode is not supported"));
    }
    Ok(())
}

fn flatten(b: &BuilderInput<'_>) -> Outcome {
    default_dtype(b, 0)?;
    if b.shape_or_fail(0, "the input")?.is_empty() {
        return fail(Rank, "an empty input shape is not supported");
    }
    Ok(())
}

fn gather_nd(b: &BuilderInput<'_>) -> Outcome {
    let (data, indices) = (b.dtype(0), b.dtype(1));
    if !matches!(
        data,
        Some(FLOAT) | Some(FLOAT16) | Some(INT32) | Some(INT64) | Some(BOOL)
    ) {
        return fail(Dtype, format!("data is {}", dtype_name(data)));
    }
    if !matches!(indices, Some(INT32) | Some(INT64)) {
        return fail(Dtype, "indices must be int32 or int64");
    }
    if !b.mlprogram() {
        return fail(RejectCategory::Format, "MLProgram only");
    }
    if b.attr_int("batch_dims", 0) != 0 {
        return fail(Attribute, "batch_dims must be 0");
    }
    if b.constant(1).is_none() {
        return fail(NotConstant, "indices are not a constant initializer");
    }
    let (Some(data), Some(indices)) = (b.shape(0), b.shape(1)) else {
        return fail(NoShape, "data or indices shape unknown");
    };
    let Some(&depth) = indices.last() else {
        return fail(NoShape, "indices are a scalar");
    };
    if depth < 0 || depth as usize > data.len() {
        return fail(Rank, "the index depth exceeds the data rank");
    }
    if data[..depth as usize].iter().any(|&d| d < 0) {
        return fail(DynamicShape, "indexed data dims must be static");
    }
    Ok(())
}

fn gather(b: &BuilderInput<'_>) -> Outcome {
    let t = b.dtype(0);
    let ok = matches!(t, Some(FLOAT) | Some(INT64)) || (t == Some(FLOAT16) && b.mlprogram());
    if !ok {
        return fail(Dtype, format!("data is {}", dtype_name(t)));
    }
    let data = b.shape_or_fail(0, "data")?;
    let indices = b.shape_or_fail(1, "indices")?;
    if !matches!(b.dtype(1), Some(INT32) | Some(INT64)) {
        return fail(Dtype, "indices must be int32 or int64");
    }
    if indices.is_empty() {
        if !is_static(&data) {
            return fail(DynamicShape, "scalar indices need a static data shape");
        }
        if data.len() > 4 {
            return fail(Rank, "scalar indices take data of rank 4 at most");
        }
    }
    if data.len() + indices.len() > 6 {
        return fail(Rank, "the output rank would exceed 5");
    }
    Ok(())
}

fn gemm(b: &BuilderInput<'_>) -> Outcome {
    default_dtype(b, 0)?;
    let matmul = b.node.op_type == "MatMul";
    let a = b.shape_or_fail(0, "A")?;
    let bs = b.shape_or_fail(1, "B")?;
    if b.constant(1).is_none() && !(b.mlprogram() && matmul) {
        return fail(NotConstant, "B is not a constant initializer");
    }
    if matmul {
        if b.mlprogram() {
            if (a.len() == 1) != (bs.len() == 1) {
                return fail(Rank, "one input is 1-D (a CoreML ML Program bug)");
            }
        } else {
            if a.len() != 2 || bs.len() != 2 {
                return fail(Rank, "NeuralNetwork MatMul takes 2-D inputs");
            }
            if b.input_slots() > 2 {
                return fail(Attribute, "MatMul with a C input is not supported");
            }
        }
        return Ok(());
    }
    let trans_a = b.attr_int("transA", 0);
    let trans_b = b.attr_int("transB", 0);
    if trans_a != 0 || b.attr_float("alpha", 1.0) != 1.0 || b.attr_float("beta", 1.0) != 1.0 {
        return fail(
            Attribute,
            "only transA=0, alpha=1 and beta=1 are implemented",
        );
    }
    if b.input_slots() == 3 {
        if b.constant(2).is_none() {
            return fail(NotConstant, "C is not a constant initializer");
        }
        let c = b.shape_or_fail(2, "C")?;
        let n = if trans_b != 0 { bs.first() } else { bs.get(1) }
            .copied()
            .unwrap_or(-1);
        let valid = match c.as_slice() {
            [] => true,
            [d] => *d == 1 || *d == n,
            [1, d] => *d == n,
            _ => false,
        };
        if !valid {
            return fail(Rank, "C must be {}, {1}, {N} or {1, N}");
        }
    }
    Ok(())
}

fn grid_sample(b: &BuilderInput<'_>) -> Outcome {
    default_dtype(b, 0)?;
    if !b.mlprogram() {
        return fail(RejectCategory::Format, "MLProgram only");
    }
    let x = b.shape_or_fail(0, "the input")?;
    if x.len() != 4 {
        return fail(Rank, "GridSample takes 4-D input");
    }
    // GetMode: opset 16 names the modes bilinear/nearest/bicubic, opset 20 linear/nearest/cubic.
    let default_mode = if b.since() >= 20 {
        "linear"
    } else {
        "bilinear"
    };
    let mode = b.attr_str("mode", default_mode);
    let mode = match mode.as_str() {
        "linear" => "bilinear".to_string(),
        "cubic" => "bicubic".to_string(),
        _ => mode,
    };
    if mode != "bilinear" && mode != "zeros" {
        return fail(Attribute, format!("mode {mode} is not supported"));
    }
    if mode == "bilinear"
        && b.attr_str("padding_mode", "zeros") == "reflection"
        && b.attr_int("align_corners", 0) == 0
    {
        return fail(
            Attribute,
            "bilinear with reflection padding and align_corners=0 is disabled",
        );
    }
    Ok(())
}

fn lrn(b: &BuilderInput<'_>) -> Outcome {
    default_dtype(b, 0)?;
    let x = b.shape_or_fail(0, "the input")?;
    if x.len() != 3 && x.len() != 4 {
        return fail(
            Rank,
            format!("input has rank {}; LRN takes 3 or 4", x.len()),
        );
    }
    Ok(())
}

fn pad(b: &BuilderInput<'_>) -> Outcome {
    let t = b.dtype(0);
    if !(t == Some(FLOAT) || (b.mlprogram() && t == Some(FLOAT16))) {
        return fail(Dtype, format!("input is {}", dtype_name(t)));
    }
    let x = b.shape_or_fail(0, "the input")?;
    if x.is_empty() {
        return fail(Rank, "Pad needs an input with a shape");
    }
    if !b.mlprogram() && x.len() < 2 {
        return fail(Rank, "NeuralNetwork Pad needs 2-D input or more");
    }
    if x.contains(&0) {
        return fail(DimLimit, "empty input");
    }
    let mode = b.attr_str("mode", "constant");
    if b.mlprogram() {
        if mode != "constant" && mode != "reflect" {
            return fail(
                Attribute,
                format!("mode {mode}; MLProgram takes constant and reflect"),
            );
        }
    } else if mode != "constant" {
        return fail(
            Attribute,
            format!("mode {mode}; NeuralNetwork takes constant only"),
        );
    }
    if mode == "constant" {
        let has_value = b.input_name(2).is_some();
        if !has_value {
            if !b.mlprogram() {
                return fail(
                    NotConstant,
                    "NeuralNetwork needs an explicit constant_value",
                );
            }
        } else if b.initializer(2).is_none() {
            return fail(NotConstant, "constant_value is not an initializer");
        }
        if !b.mlprogram() && b.dtype(2) != Some(FLOAT) {
            return fail(Dtype, "NeuralNetwork takes a float constant_value only");
        }
    }
    let Some(pads) = b.ints(1) else {
        return fail(NotConstant, "pads is not an initializer");
    };
    if pads.iter().any(|&p| p < 0) {
        return fail(Attribute, "negative pads are not supported");
    }
    if b.input_name(3).is_some() && b.initializer(3).is_none() {
        return fail(NotConstant, "axes is not an initializer");
    }
    let rank = x.len() as i64;
    let axes: Vec<i64> = match b.input_name(3) {
        Some(_) => b
            .ints(3)
            .unwrap_or_default()
            .into_iter()
            .map(|a| normalise_axis(a, x.len()))
            .collect(),
        None => (0..rank).collect(),
    };
    let n = axes.len();
    if pads.len() < 2 * n {
        return fail(Attribute, "pads do not cover the axes");
    }
    if !b.mlprogram() || mode != "constant" {
        for (i, &axis) in axes.iter().enumerate() {
            if axis < rank - 2 && (pads[i] != 0 || pads[i + n] != 0) {
                return fail(Attribute, "only the last two dimensions may be padded");
            }
        }
    }
    if mode == "reflect" {
        for (i, &axis) in axes.iter().enumerate() {
            let dim = x.get(axis as usize).copied().unwrap_or(-1);
            if pads[i] >= dim || pads[i + n] >= dim {
                return fail(Attribute, "a reflect pad must be smaller than its dim");
            }
        }
    }
    Ok(())
}

fn reshape(b: &BuilderInput<'_>) -> Outcome {
    default_dtype(b, 0)?;
    let Some(new_shape) = b.constant(1).and_then(|t| t.int_values.clone()) else {
        return fail(NotConstant, "the new shape is not a constant initializer");
    };
    if new_shape.is_empty() {
        return fail(Attribute, "the new shape is empty");
    }
    let x = b.shape_or_fail(0, "the data")?;
    if !is_static(&x) {
        return fail(
            DynamicShape,
            "the data shape is not static (GetStaticShape)",
        );
    }
    if x.is_empty() {
        return fail(Rank, "an empty input shape is not supported");
    }
    if new_shape.len() > 5 {
        return fail(Rank, "the new shape has rank > 5");
    }
    if b.attr_int("allowzero", 0) == 1 && new_shape.contains(&0) {
        return fail(Attribute, "a 0 in the new shape with allowzero=1");
    }
    Ok(())
}

fn resize(b: &BuilderInput<'_>) -> Outcome {
    default_dtype(b, 0)?;
    let x = b.shape_or_fail(0, "the input")?;
    if x.contains(&0) {
        return fail(DimLimit, "the input has a 0 dim");
    }
    let rank = x.len();
    if b.mlprogram() {
        if !(3..=5).contains(&rank) {
            return fail(
                Rank,
                format!("input has rank {rank}; MLProgram takes 3-D to 5-D"),
            );
        }
    } else if rank != 4 {
        return fail(
            Rank,
            format!("input has rank {rank}; NeuralNetwork takes 4-D"),
        );
    }
    if b.attr_int("antialias", 0) != 0 {
        return fail(Attribute, "antialias is not supported");
    }
    let mode = b.attr_str("mode", "nearest");
    if mode != "linear" && mode != "nearest" {
        return fail(Attribute, format!("mode {mode} is not supported"));
    }
    let nearest = mode == "nearest";
    if nearest && b.attr_str("nearest_mode", "round_prefer_floor") != "floor" {
        return fail(Attribute, "only the 'floor' nearest_mode is supported");
    }
    if b.attr_int("exclude_outside", 0) != 0 {
        return fail(Attribute, "exclude_outside is not supported");
    }
    if b.attr_str("keep_aspect_ratio_policy", "stretch") != "stretch" {
        return fail(
            Attribute,
            "only keep_aspect_ratio_policy 'stretch' is supported",
        );
    }
    let using_sizes = b.input_name(3).is_some();
    let using_scales = !using_sizes && b.input_name(2).is_some();
    if !using_scales && !using_sizes {
        return fail(Attribute, "needs 'scales' or 'sizes'");
    }
    let axes: Vec<usize> = match b.node.attr_ints("axes") {
        Some(a) => a
            .iter()
            .map(|&v| normalise_axis(v, rank) as usize)
            .collect(),
        None => (0..rank).collect(),
    };
    // GetValidatedResizeScales / Sizes (builders/impl/builder_utils.cc): a constant initializer
    // that changes only the last two axes.
    let (h_out, w_out);
    if using_scales {
        if b.constant(2).is_none() {
            return fail(NotConstant, "scales is not a constant initializer");
        }
        let Some(scales) = b.floats(2) else {
            return fail(NotConstant, "scales are not readable");
        };
        if scales.len() != axes.len() || scales.len() < 2 {
            return fail(Attribute, "scales do not match the axes");
        }
        for (s, &a) in scales.iter().zip(&axes) {
            if a + 2 < rank && *s != 1.0 {
                return fail(Attribute, "only the last two dims may be resized");
            }
        }
        let (sh, sw) = (scales[scales.len() - 2], scales[scales.len() - 1]);
        if sh >= 1.0 && sw >= 1.0 {
            if sh.round() != sh || sw.round() != sw {
                return fail(Attribute, "upsampling scales must be whole numbers");
            }
        } else if sh <= 1.0 && sw <= 1.0 {
            if !b.mlprogram() {
                return fail(Attribute, "downsampling is not supported in NeuralNetwork");
            }
            let factor = |n: i64, s: f32| {
                let r = 1.0 / s;
                n > 0 && r.round() == r && (n % r as i64) == 0
            };
            if !factor(x[rank - 2], sh) || !factor(x[rank - 1], sw) {
                return fail(
                    Attribute,
                    "a downsampling scale is not a factor of the input size",
                );
            }
        } else {
            return fail(Attribute, "scales must both be >= 1 or <= 1");
        }
        h_out = (x[rank - 2] as f32 * sh).round() as i64;
        w_out = (x[rank - 1] as f32 * sw).round() as i64;
    } else {
        if b.constant(3).is_none() {
            return fail(NotConstant, "sizes is not a constant initializer");
        }
        let Some(sizes) = b.ints(3) else {
            return fail(NotConstant, "sizes are not readable");
        };
        if sizes.len() != axes.len() || sizes.len() < 2 {
            return fail(Attribute, "sizes do not match the axes");
        }
        for (s, &a) in sizes.iter().zip(&axes) {
            if a + 2 < rank && *s != x[a] {
                return fail(Attribute, "only the last two dims may be resized");
            }
        }
        h_out = sizes[sizes.len() - 2];
        w_out = sizes[sizes.len() - 1];
        if !b.mlprogram() {
            if !is_static(&x) {
                return fail(DynamicShape, "NeuralNetwork needs a static input shape");
            }
            if h_out % x[rank - 2] != 0 || w_out % x[rank - 1] != 0 {
                return fail(
                    Attribute,
                    "output sizes must be multiples of the input sizes",
                );
            }
        }
    }
    let mut coord = b.attr_str("coordinate_transformation_mode", "half_pixel");
    if b.mlprogram() {
        if nearest {
            if coord != "asymmetric" {
                return fail(
                    Attribute,
                    "nearest needs coordinate_transformation_mode asymmetric",
                );
            }
        } else {
            if coord == "pytorch_half_pixel" && h_out > 1 && w_out > 1 {
                coord = "half_pixel".into();
            }
            let ok = coord == "half_pixel"
                || coord == "align_corners"
                || (using_sizes && coord == "asymmetric");
            if !ok {
                return fail(
                    Attribute,
                    format!("linear with coordinate_transformation_mode {coord}"),
                );
            }
        }
    } else if coord != "asymmetric" {
        return fail(
            Attribute,
            "NeuralNetwork needs coordinate_transformation_mode asymmetric",
        );
    }
    Ok(())
}

fn shape_op(b: &BuilderInput<'_>) -> Outcome {
    let t = b.dtype(0);
    if b.mlprogram() {
        if !matches!(t, Some(INT32) | Some(FLOAT) | Some(FLOAT16) | Some(INT64)) {
            return fail(Dtype, format!("input is {}", dtype_name(t)));
        }
        let has_end = b.node.attr("end").is_some();
        let start = b.attr_int("start", 0);
        if has_end || start != 0 {
            let Some(x) = b.shape(0) else {
                return fail(NoShape, "slicing needs the input shape");
            };
            let rank = x.len() as i64;
            let clamp = |v: i64| normalise_axis(v, x.len()).clamp(0, rank);
            let end = if has_end {
                clamp(b.attr_int("end", -1))
            } else {
                rank
            };
            if end - clamp(start) == 0 {
                return fail(Attribute, "an empty slice of the shape");
            }
        }
        return Ok(());
    }
    if t != Some(FLOAT) {
        return fail(
            Dtype,
            format!("input is {}; NeuralNetwork takes float32", dtype_name(t)),
        );
    }
    if b.node.attr("end").is_some() {
        return fail(Attribute, "'end' is not supported");
    }
    if b.attr_int("start", 0) != 0 {
        return fail(Attribute, "only start=0 is supported");
    }
    Ok(())
}

fn slice(b: &BuilderInput<'_>) -> Outcome {
    let t = b.dtype(0);
    let ok = (b.mlprogram() && t == Some(FLOAT16)) || matches!(t, Some(FLOAT) | Some(INT64));
    if !ok {
        return fail(Dtype, format!("input is {}", dtype_name(t)));
    }
    let x = b.shape_or_fail(0, "the data")?;
    if !is_static(&x) {
        return fail(
            DynamicShape,
            "the data shape is not static (GetStaticShape)",
        );
    }
    for (i, what) in [
        (1, "'starts'"),
        (2, "'ends'"),
        (3, "'axes'"),
        (4, "'steps'"),
    ] {
        if (i < 3 || b.input_name(i).is_some()) && b.constant(i).is_none() {
            return fail(NotConstant, format!("{what} is not a constant initializer"));
        }
    }
    let (Some(starts), Some(ends)) = (b.ints(1), b.ints(2)) else {
        return fail(NotConstant, "starts/ends are not readable");
    };
    let axes = match b.input_name(3) {
        Some(_) => b.ints(3).unwrap_or_default(),
        None => (0..starts.len() as i64).collect(),
    };
    let steps = match b.input_name(4) {
        Some(_) => b.ints(4).unwrap_or_default(),
        None => vec![1; starts.len()],
    };
    // PrepareSliceComputeMetadata (core/providers/cpu/tensor/slice_helper.h), then
    // ValidateSliceComputeMetadataForCoreML: every axis of the data, unsliced ones included.
    if axes.len() != starts.len() || ends.len() != starts.len() || steps.len() != starts.len() {
        return fail(Attribute, "starts, ends, axes and steps differ in length");
    }
    let rank = x.len();
    let mut seen = vec![false; rank];
    for i in 0..starts.len() {
        let axis = normalise_axis(axes[i], rank);
        if axis < 0 || axis as usize >= rank || seen[axis as usize] {
            return fail(Attribute, "invalid or repeated axis");
        }
        seen[axis as usize] = true;
        if steps[i] == 0 {
            return fail(Attribute, "a step of 0");
        }
        if slice_len(x[axis as usize], starts[i], ends[i], steps[i]) == 0 {
            return fail(Attribute, "an empty slice range is not supported");
        }
    }
    Ok(())
}

fn softmax(b: &BuilderInput<'_>) -> Outcome {
    default_dtype(b, 0)?;
    let x = b.shape_or_fail(0, "the input")?;
    if !is_static(&x) && b.since() < 13 {
        return fail(DynamicShape, "a dynamic shape needs opset 13 or later");
    }
    Ok(())
}

fn split(b: &BuilderInput<'_>) -> Outcome {
    default_dtype(b, 0)?;
    let x = b.shape_or_fail(0, "the input")?;
    let axis = normalise_axis(b.attr_int("axis", 0), x.len());
    let Some(&dim) = usize::try_from(axis).ok().and_then(|a| x.get(a)) else {
        return fail(Attribute, "axis out of range");
    };
    let outputs = b.node.outputs.len() as i64;
    let check_sizes = |sizes: &[i64], what: &str| -> Outcome {
        if dim == -1 {
            return fail(DynamicShape, "the dim at the split axis is dynamic");
        }
        if sizes.iter().sum::<i64>() != dim {
            return fail(Attribute, format!("the {what} do not add up to the dim"));
        }
        if sizes.iter().any(|&s| s <= 0) {
            return fail(Attribute, format!("a zero or negative value in the {what}"));
        }
        Ok(())
    };
    if b.input_name(1).is_some() {
        if b.constant(1).is_none() {
            return fail(NotConstant, "'split' is not a constant initializer");
        }
        let count = b.shape(1).and_then(|s| s.first().copied()).unwrap_or(0);
        if count < 2 {
            return fail(Attribute, "Split must produce at least 2 outputs");
        }
        let sizes = b.ints(1).unwrap_or_default();
        if dim == -1 {
            return fail(DynamicShape, "the dim at the split axis is dynamic");
        }
        if sizes.iter().sum::<i64>() != dim {
            return fail(Attribute, "the split sizes do not add up to the dim");
        }
        if sizes.contains(&0) {
            return fail(Attribute, "a 0 in 'split'");
        }
    } else if let Some(sizes) = b.node.attr_ints("split") {
        if sizes.len() < 2 {
            return fail(Attribute, "Split must produce at least 2 outputs");
        }
        check_sizes(sizes, "split sizes")?;
    } else if b.since() >= 18 {
        let Some(crate::partitions::graph::AttrValue::Int(n)) = b.node.attr("num_outputs").cloned()
        else {
            return fail(Attribute, "num_outputs is required from opset 18");
        };
        if n < 2 {
            return fail(Attribute, "num_outputs < 2");
        }
        if n != outputs || n > dim {
            return fail(Attribute, "num_outputs does not fit the outputs or the dim");
        }
    } else if outputs < 2 {
        return fail(Attribute, "Split must produce at least 2 outputs");
    } else if dim == -1 {
        return fail(DynamicShape, "the dim at the split axis is dynamic");
    } else if dim % outputs != 0 {
        return fail(Attribute, "the dim does not split evenly");
    }
    Ok(())
}

fn squeeze(b: &BuilderInput<'_>) -> Outcome {
    default_dtype(b, 0)?;
    if b.since() > 12 && b.input_slots() > 1 && b.constant(1).is_none() {
        return fail(NotConstant, "axes are not a constant initializer");
    }
    if b.node.op_type == "Unsqueeze" {
        if !b.mlprogram() {
            return fail(RejectCategory::Format, "Unsqueeze is MLProgram only");
        }
        let new_dims = if b.since() > 12 {
            b.shape(1)
                .and_then(|s| s.first().copied())
                .unwrap_or(0)
                .max(0) as usize
        } else {
            b.node.attr_ints("axes").map_or(0, <[i64]>::len)
        };
        let x = b.shape(0);
        if x.is_none_or(|x| x.len() + new_dims > 5) {
            return fail(Rank, "the output would have rank > 5");
        }
    }
    Ok(())
}

fn tile(b: &BuilderInput<'_>) -> Outcome {
    let t = b.dtype(0);
    let ok = matches!(t, Some(FLOAT) | Some(INT32) | Some(INT64) | Some(BOOL))
        || (t == Some(FLOAT16) && b.mlprogram());
    if !ok {
        return fail(Dtype, format!("input is {}", dtype_name(t)));
    }
    let repeats = b.constant(1);
    if !b.mlprogram() && repeats.is_none() {
        return fail(NotConstant, "NeuralNetwork needs constant repeats");
    }
    let x = b.shape_or_fail(0, "the input")?;
    if x.len() > 5 {
        return fail(Rank, "rank > 5");
    }
    if repeats.is_some() {
        let r = b.ints(1).unwrap_or_default();
        if r.len() != x.len() {
            return fail(Attribute, "repeats do not match the rank");
        }
        if r.iter().any(|&v| v < 1) {
            return fail(Attribute, "repeats must be positive");
        }
    }
    Ok(())
}

fn where_op(b: &BuilderInput<'_>) -> Outcome {
    if b.dtype(0) != Some(BOOL) {
        return fail(Dtype, "the condition must be bool");
    }
    let (x, y) = (b.dtype(1), b.dtype(2));
    if !matches!(x, Some(FLOAT) | Some(FLOAT16)) || x != y {
        return fail(Dtype, "X and Y must both be float32 or float16");
    }
    if !b.mlprogram() {
        return fail(RejectCategory::Format, "Where is MLProgram only");
    }
    Ok(())
}

fn default_only(b: &BuilderInput<'_>) -> Outcome {
    default_dtype(b, 0)
}

const fn rule(
    op: &'static str,
    ml_program: bool,
    min_opset: i64,
    builder: &'static [Check],
    file: &'static str,
) -> OpRule {
    OpRule {
        op,
        neural_network: Support::When(builder),
        ml_program: if ml_program {
            Support::When(builder)
        } else {
            Support::No("the builder does not support MLProgram")
        },
        min_opset,
        max_opset: None,
        file,
        citation: "builders/impl at cc8e901ecc3f (ORT 1.30.0)",
    }
}

macro_rules! b {
    ($f:ident) => {
        &[Check::Builder($f)]
    };
}

/// Every builder `op_builder_factory.cc` registers at cc8e901ecc3f.
#[rustfmt::skip]
pub const OPS: &[OpRule] = &[
    rule("Sigmoid", true, 6, b!(activation), "activation_op_builder.cc"),
    rule("Tanh", true, 6, b!(activation), "activation_op_builder.cc"),
    rule("Relu", true, 6, b!(activation), "activation_op_builder.cc"),
    rule("PRelu", true, 6, b!(activation), "activation_op_builder.cc"),
    rule("LeakyRelu", true, 6, b!(activation), "activation_op_builder.cc"),
    rule("Gelu", true, 6, b!(activation), "activation_op_builder.cc"),
    rule("Softplus", true, 1, b!(activation), "activation_op_builder.cc"),
    rule("Elu", true, 6, b!(activation), "activation_op_builder.cc"),
    rule("HardSigmoid", true, 6, b!(activation), "activation_op_builder.cc"),
    rule("QuickGelu", true, 1, b!(quick_gelu), "quick_gelu_op_builder.cc"),
    rule("FusedConv", true, 1, b!(conv), "conv_op_builder.cc"),
    rule("Erf", true, 1, b!(unary), "unary_op_builder.cc"),
    rule("Reciprocal", true, 1, b!(unary), "unary_op_builder.cc"),
    rule("Round", true, 1, b!(unary), "unary_op_builder.cc"),
    rule("Sqrt", true, 1, b!(unary), "unary_op_builder.cc"),
    rule("Exp", true, 1, b!(unary), "unary_op_builder.cc"),
    rule("Sin", true, 1, b!(unary), "unary_op_builder.cc"),
    rule("Cos", true, 1, b!(unary), "unary_op_builder.cc"),
    rule("Ceil", true, 1, b!(unary), "unary_op_builder.cc"),
    rule("Add", true, 7, b!(binary), "binary_op_builder.cc"),
    rule("Div", true, 7, b!(binary), "binary_op_builder.cc"),
    rule("Mul", true, 7, b!(binary), "binary_op_builder.cc"),
    rule("Max", true, 7, b!(binary), "binary_op_builder.cc"),
    rule("Pow", true, 7, b!(binary), "binary_op_builder.cc"),
    rule("Sub", true, 7, b!(binary), "binary_op_builder.cc"),
    rule("AveragePool", true, 1, b!(pool), "pool_op_builder.cc"),
    rule("GlobalAveragePool", true, 1, b!(pool), "pool_op_builder.cc"),
    rule("GlobalMaxPool", true, 1, b!(pool), "pool_op_builder.cc"),
    rule("MaxPool", true, 1, b!(pool), "pool_op_builder.cc"),
    rule("ReduceMean", true, 1, b!(reduction), "reduction_op_builder.cc"),
    rule("ReduceMin", true, 1, b!(reduction), "reduction_op_builder.cc"),
    rule("ReduceMax", true, 1, b!(reduction), "reduction_op_builder.cc"),
    rule("ReduceProd", true, 1, b!(reduction), "reduction_op_builder.cc"),
    rule("ReduceSum", true, 1, b!(reduction), "reduction_op_builder.cc"),
    rule("BatchNormalization", true, 7, b!(batch_norm), "batch_norm_op_builder.cc"),
    rule("GroupNormalization", true, 1, b!(normalization), "normalization_op_builder.cc"),
    rule("InstanceNormalization", true, 1, b!(normalization), "normalization_op_builder.cc"),
    rule("LayerNormalization", true, 1, b!(normalization), "normalization_op_builder.cc"),
    rule("And", true, 1, b!(logical), "logical_op_builder.cc"),
    rule("ArgMax", true, 1, b!(argmax), "argmax_op_builder.cc"),
    rule("Cast", true, 1, b!(cast), "cast_op_builder.cc"),
    rule("Clip", true, 1, b!(clip), "clip_op_builder.cc"),
    rule("Concat", true, 1, b!(concat), "concat_op_builder.cc"),
    rule("Conv", true, 1, b!(conv), "conv_op_builder.cc"),
    rule("ConvTranspose", true, 1, b!(conv_transpose), "convtranspose_op_builder.cc"),
    rule("DepthToSpace", true, 1, b!(depth_to_space), "depthtospace_op_builder.cc"),
    rule("Flatten", false, 1, b!(flatten), "flatten_op_builder.cc"),
    rule("Gather", true, 1, b!(gather), "gather_op_builder.cc"),
    rule("GatherND", true, 1, b!(gather_nd), "gather_nd_op_builder.cc"),
    rule("Gemm", true, 1, b!(gemm), "gemm_op_builder.cc"),
    rule("GridSample", true, 1, b!(grid_sample), "gridsample_op_builder.cc"),
    rule("Identity", true, 1, b!(default_only), "identity_op_builder.cc"),
    rule("LRN", false, 1, b!(lrn), "LRN_op_builder.cc"),
    rule("MatMul", true, 1, b!(gemm), "gemm_op_builder.cc"),
    rule("Pad", true, 11, b!(pad), "pad_op_builder.cc"),
    rule("Reshape", true, 5, b!(reshape), "reshape_op_builder.cc"),
    rule("Resize", true, 11, b!(resize), "resize_op_builder.cc"),
    rule("Shape", true, 1, b!(shape_op), "shape_op_builder.cc"),
    rule("Slice", true, 10, b!(slice), "slice_op_builder.cc"),
    rule("Split", true, 1, b!(split), "split_op_builder.cc"),
    rule("Softmax", true, 1, b!(softmax), "softmax_op_builder.cc"),
    rule("Squeeze", true, 1, b!(squeeze), "squeeze_op_builder.cc"),
    rule("Tile", true, 1, b!(tile), "tile_op_builder.cc"),
    rule("Transpose", true, 1, b!(default_only), "transpose_op_builder.cc"),
    rule("Unsqueeze", true, 1, b!(squeeze), "squeeze_op_builder.cc"),
    rule("Where", true, 1, b!(where_op), "where_op_builder.cc"),
];

/// ORT 1.30.0: every builder re-read from the source at cc8e901ecc3f.
pub const EPOCH: Epoch = Epoch {
    since: (1, 30),
    name: "CoreML EP ORT 1.30",
    citation: "onnxruntime/core/providers/coreml at cc8e901ecc3feaf75fd05204c19c93068afba9d9",
    generic: Some(GenericRules {
        max_rank: 5,
        // IsInputSupported no longer limits dims; the 16384 limit moved into the conv builders
        // (CheckShapeForConvMemoryLimit).
        max_dim: i64::MAX,
        reject_zero_dims: true,
        reject_external_initializers: false,
        default_max_opset: 27,
        neural_network_dtypes: &[FLOAT],
        ml_program_dtypes: &[FLOAT, FLOAT16, INT64],
        source: "builders/helper.cc IsInputSupported, base_op_builder.{h,cc} (max opset 27, \
                 IsInputDtypeSupport) at cc8e901ecc3f",
    }),
    ops: OPS,
    replaces_registry: true,
    // Each builder's IsTrivial override: Cast, Flatten, Identity, Reshape, Squeeze (and
    // Unsqueeze, the same builder), Tile, Transpose, and Ceil of the unary builder.
    partition_filter: Some(Some(PartitionFilter {
        trivial_ops: &[
            "Cast",
            "Flatten",
            "Identity",
            "Reshape",
            "Squeeze",
            "Unsqueeze",
            "Tile",
            "Transpose",
            "Ceil",
        ],
        citation: "coreml_execution_provider.cc on_group_closed and IOpBuilder::IsTrivial at cc8e901ecc3f",
    })),
    registry_source: Some("builders/op_builder_factory.cc at cc8e901ecc3f"),
    level1: Some(Level1 {
        disabled_optimizers: &[],
        note: "the graph is the loaded runtime's own level-1 graph",
    }),
};
