//! Real inputs from numpy's `.npz` format (`numpy.savez(path, input_ids=..., attention_mask=...)`),
//! one array per model input, named after it, and the check that they fit a model.

use std::fs::File;
use std::path::Path;

use ndarray::ArrayD;
use ndarray_npy::{NpzReader, ReadNpyError, ReadNpzError};
use ort::session::Session;
use ort::value::{DynValue, Tensor, TensorElementType, ValueType};

use super::WorkloadError;

/// Named input values, in the order the file lists them.
pub type NamedInputs = Vec<(String, DynValue)>;

/// Reads every array of an `.npz` file as an input value named after it.
///
/// Element types: float32, float64, int64, int32, int16, int8, uint8, uint16 and bool. numpy's
/// float16 is not read (the reader has no half type): save float32 instead, which epbench casts
/// to a float16 model's inputs exactly.
pub fn read_npz(path: &Path) -> Result<NamedInputs, WorkloadError> {
    let bad = |reason: String| WorkloadError::InputsFile {
        path: path.to_path_buf(),
        reason,
    };
    let file = File::open(path).map_err(|e| bad(format!("cannot open it: {e}")))?;
    let mut npz = NpzReader::new(file).map_err(|e| bad(format!("not an .npz file: {e}")))?;
    let names = npz
        .names()
        .map_err(|e| bad(format!("cannot list its arrays: {e}")))?;
    if names.is_empty() {
        return Err(bad("it holds no arrays".into()));
    }
    names
        .into_iter()
        .map(|name| {
            let value = read_array(&mut npz, &name)
                .map_err(|reason| bad(format!("array `{name}`: {reason}")))?;
            Ok((name, value))
        })
        .collect()
}

/// Reads `name` as the first element type its header matches.
fn read_array(npz: &mut NpzReader<File>, name: &str) -> Result<DynValue, String> {
    macro_rules! try_type {
        ($t:ty) => {
            match npz.by_name::<ndarray::OwnedRepr<$t>, ndarray::IxDyn>(name) {
                Ok(array) => {
                    return value(array).map_err(|e| format!("cannot make a tensor: {e}"));
                }
                Err(ReadNpzError::Npy(ReadNpyError::WrongDescriptor(_))) => {}
                Err(e) => return Err(e.to_string()),
            }
        };
    }
    try_type!(f32);
    try_type!(i64);
    try_type!(i32);
    try_type!(f64);
    try_type!(bool);
    try_type!(u8);
    try_type!(i8);
    try_type!(i16);
    try_type!(u16);
    Err(
        "its element type is not one epbench reads (float32, float64, int64, int32, int16, \
         int8, uint8, uint16, bool; save float16 arrays as float32)"
            .into(),
    )
}

fn value<T: ort::value::PrimitiveTensorElementType + std::fmt::Debug + Clone + 'static>(
    array: ArrayD<T>,
) -> ort::Result<DynValue> {
    Ok(Tensor::from_array(array)?.into_dyn())
}

fn shape_text(dims: &[i64]) -> String {
    let parts: Vec<String> = dims
        .iter()
        .map(|&d| if d < 0 { "?".into() } else { d.to_string() })
        .collect();
    format!("[{}]", parts.join(", "))
}

/// Checks that `inputs` fit `session`: one value per model input, by name, none extra, of the
/// model's element type (float16 and float32 stand for each other: the correctness module
/// casts between them exactly) and of its rank, with every fixed dim equal. `model` names the
/// model in the error.
pub fn check_inputs(
    session: &Session,
    inputs: &[(String, DynValue)],
    model: &str,
) -> Result<(), WorkloadError> {
    let bad = |reason: String| WorkloadError::Inputs {
        model: model.to_string(),
        reason,
    };
    let wanted: Vec<&str> = session.inputs().iter().map(|o| o.name()).collect();
    for (name, _) in inputs {
        if !wanted.contains(&name.as_str()) {
            return Err(bad(format!(
                "the inputs have `{name}`, which the model does not take (it takes {})",
                wanted.join(", ")
            )));
        }
    }
    for outlet in session.inputs() {
        let name = outlet.name();
        let Some((_, value)) = inputs.iter().find(|(n, _)| n == name) else {
            let given: Vec<&str> = inputs.iter().map(|(n, _)| n.as_str()).collect();
            return Err(bad(format!(
                "no value for the model's input `{name}` (the inputs have {})",
                given.join(", ")
            )));
        };
        let (
            ValueType::Tensor {
                ty: want_type,
                shape: want_shape,
                ..
            },
            ValueType::Tensor {
                ty: got_type,
                shape: got_shape,
                ..
            },
        ) = (outlet.dtype(), value.dtype())
        else {
            return Err(bad(format!("input `{name}` is not a tensor")));
        };
        let floats = [TensorElementType::Float32, TensorElementType::Float16];
        let types_fit =
            want_type == got_type || (floats.contains(want_type) && floats.contains(got_type));
        if !types_fit {
            return Err(bad(format!(
                "input `{name}` is {got_type} in the inputs, but the model takes {want_type}"
            )));
        }
        let fits = want_shape.len() == got_shape.len()
            && want_shape
                .iter()
                .zip(got_shape.iter())
                .all(|(&w, &g)| w < 0 || w == g);
        if !fits {
            return Err(bad(format!(
                "input `{name}` has shape {} in the inputs, but the model takes {}",
                shape_text(got_shape),
                shape_text(want_shape)
            )));
        }
    }
    Ok(())
}
