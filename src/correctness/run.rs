//! Running one side of a comparison: the shared inputs mapped by name to the session's inputs
//! (cast between fp16 and fp32 where the model's float type differs), and the outputs copied out.

use half::f16;
use ort::session::{Session, SessionInputValue};
use ort::value::{DynValue, TensorElementType, ValueRef, ValueType};

use super::compare::{OutputTensor, Values};
use super::error::{CorrectnessError, Role};
use crate::workload::cast_float;

/// An input value and the name of the model input it feeds.
pub type NamedInput<'a> = (&'a str, &'a DynValue);

/// Runs `session` once on `inputs` and copies its outputs out, in the session's output order.
pub(crate) fn run_side(
    session: &mut Session,
    inputs: &[NamedInput<'_>],
    role: Role,
    model: &str,
) -> Result<Vec<OutputTensor>, CorrectnessError> {
    let feeds = adapt_inputs(session, inputs).map_err(|reason| CorrectnessError::Inputs {
        role,
        model: model.to_string(),
        reason,
    })?;
    let outputs = session
        .run(feeds.as_slice())
        .map_err(|e| CorrectnessError::Run {
            role,
            model: model.to_string(),
            reason: e.to_string(),
        })?;
    outputs
        .iter()
        .map(|(name, value)| {
            read_output(name, &value).map_err(|reason| CorrectnessError::Output {
                role,
                model: model.to_string(),
                name: name.to_string(),
                reason,
            })
        })
        .collect()
}

/// Copies every output of one run out of ONNX Runtime, in the session's output order.
pub(crate) fn copy_outputs(
    outputs: &ort::session::SessionOutputs<'_>,
) -> Result<Vec<OutputTensor>, String> {
    outputs
        .iter()
        .map(|(name, value)| {
            read_output(name, &value).map_err(|reason| format!("output `{name}`: {reason}"))
        })
        .collect()
}

fn element_type(value_type: &ValueType) -> Option<TensorElementType> {
    match value_type {
        ValueType::Tensor { ty, .. } => Some(*ty),
        _ => None,
    }
}

/// The session's inputs in its order, each found by name in `inputs`. A float input of the
/// other float type is cast (fp16 -> fp32 is exact, so when the shared inputs are made for the
/// fp16 side both sides see the same values); anything else must match the model's type.
pub(crate) fn adapt_inputs<'v>(
    session: &Session,
    inputs: &[NamedInput<'v>],
) -> Result<Vec<SessionInputValue<'v>>, String> {
    session
        .inputs()
        .iter()
        .map(|outlet| {
            let name = outlet.name();
            let value = inputs
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| *v)
                .ok_or_else(|| {
                    let given: Vec<&str> = inputs.iter().map(|(n, _)| *n).collect();
                    format!(
                        "no value for the model's input `{name}` (the shared inputs are {})",
                        given.join(", ")
                    )
                })?;
            match element_type(outlet.dtype()) {
                Some(wanted) => match cast_float(value, wanted)
                    .map_err(|reason| format!("input `{name}`: {reason}"))?
                {
                    Some(cast) => Ok(SessionInputValue::Owned(cast)),
                    None => Ok(value.view().into()),
                },
                None => Err(format!(
                    "the model's input `{name}` is not a tensor; epbench feeds tensors only"
                )),
            }
        })
        .collect()
}

/// Copies an output, widening floats to f64 and integers to i64.
fn read_output(name: &str, value: &ValueRef<'_>) -> Result<OutputTensor, String> {
    let Some(ty) = element_type(value.dtype()) else {
        return Err("not a tensor; epbench compares tensor outputs only".into());
    };
    let extract_error = |e: ort::Error| format!("cannot read {ty} values: {e}");
    macro_rules! widen {
        ($t:ty, $variant:ident, $convert:expr) => {{
            let (shape, data) = value.try_extract_tensor::<$t>().map_err(extract_error)?;
            let shape: Vec<usize> = shape.iter().map(|&d| d.max(0) as usize).collect();
            (shape, Values::$variant(data.iter().map($convert).collect()))
        }};
    }
    let (shape, values) = match ty {
        TensorElementType::Float32 => widen!(f32, Float, |&v| f64::from(v)),
        TensorElementType::Float16 => widen!(f16, Float, |&v| f64::from(v.to_f32())),
        TensorElementType::Float64 => widen!(f64, Float, |&v| v),
        TensorElementType::Int64 => widen!(i64, Int, |&v| v),
        TensorElementType::Int32 => widen!(i32, Int, |&v| i64::from(v)),
        TensorElementType::Int16 => widen!(i16, Int, |&v| i64::from(v)),
        TensorElementType::Int8 => widen!(i8, Int, |&v| i64::from(v)),
        TensorElementType::Uint32 => widen!(u32, Int, |&v| i64::from(v)),
        TensorElementType::Uint16 => widen!(u16, Int, |&v| i64::from(v)),
        TensorElementType::Uint8 => widen!(u8, Int, |&v| i64::from(v)),
        TensorElementType::Bool => widen!(bool, Int, |&v| i64::from(v)),
        other => return Err(format!("element type {other} is not supported")),
    };
    Ok(OutputTensor {
        name: name.to_string(),
        shape,
        element_type: ty.to_string(),
        values,
    })
}
