//! Input values for a session, in the session's input order, reusable across runs.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use half::f16;
use ndarray::{ArrayD, IxDyn};
use ort::session::{Session, SessionInputValue};
use ort::value::{DynValue, Tensor, TensorElementType, ValueType};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::{InputShapes, WorkloadError};
use crate::zoo::{self, TextTokenizer, TransformerModel, Variant};

/// Makes inputs, keeping the tokenizers it loaded for later models.
#[derive(Default)]
pub struct Feeds {
    tokenizers: HashMap<TransformerModel, TextTokenizer>,
}

impl Feeds {
    /// Inputs for `session`, in its input order: the zoo's inputs for a zoo `variant`,
    /// otherwise values synthesised from the session's metadata.
    pub fn for_session(
        &mut self,
        session: &Session,
        variant: Option<&Variant>,
    ) -> Result<Vec<SessionInputValue<'static>>, WorkloadError> {
        let named = match variant {
            Some(variant) => self.zoo_inputs(variant)?,
            None => synthesise_inputs(session)?,
        };
        order(
            session,
            named,
            variant.map_or_else(|| "model".to_string(), |v| v.to_string()),
        )
    }

    fn zoo_inputs(&mut self, variant: &Variant) -> Result<Vec<(String, DynValue)>, WorkloadError> {
        let tokenizer = match variant {
            Variant::Transformer(t) => Some(match self.tokenizers.entry(t.model) {
                Entry::Occupied(entry) => entry.into_mut(),
                Entry::Vacant(entry) => entry.insert(zoo::tokenizer_for(t.model)?),
            }),
            _ => None,
        };
        zoo::default_inputs(variant, tokenizer.map(|t| &*t))?
            .to_ort()
            .map_err(|e| WorkloadError::Inputs {
                model: variant.to_string(),
                reason: e.to_string(),
            })
    }
}

/// `named` moved into `session`'s input order, floats cast to the session's float type.
pub(crate) fn order(
    session: &Session,
    mut named: Vec<(String, DynValue)>,
    model: String,
) -> Result<Vec<SessionInputValue<'static>>, WorkloadError> {
    session
        .inputs()
        .iter()
        .map(|outlet| {
            let fail = |reason: String| WorkloadError::Inputs {
                model: model.clone(),
                reason,
            };
            let position = named
                .iter()
                .position(|(name, _)| name == outlet.name())
                .ok_or_else(|| {
                    fail(format!(
                        "no value for the model's input `{}`",
                        outlet.name()
                    ))
                })?;
            let value = named.swap_remove(position).1;
            let value = match outlet.dtype() {
                ValueType::Tensor { ty, .. } => cast_float(&value, *ty)
                    .map_err(|reason| fail(format!("input `{}`: {reason}", outlet.name())))?
                    .unwrap_or(value),
                _ => value,
            };
            Ok(SessionInputValue::Owned(value))
        })
        .collect()
}

/// Inputs for any model, from its declared types: floats drawn from N(0, 1) with a fixed seed,
/// integer inputs 0 (a valid index for any embedding) except masks, which are 1, booleans true.
/// Dynamic dimensions are 1 for the first axis (batch) and 128 for the others (the study's
/// sequence length); [`synthesise_shaped`] takes other sizes.
pub fn synthesise_inputs(session: &Session) -> Result<Vec<(String, DynValue)>, WorkloadError> {
    synthesise_shaped(session, &InputShapes::declared(session, &[])?)
}

/// Inputs of the declared element types (valued as [`synthesise_inputs`] says) with the given
/// shapes; every input of `session` must have one.
pub fn synthesise_shaped(
    session: &Session,
    shapes: &InputShapes,
) -> Result<Vec<(String, DynValue)>, WorkloadError> {
    let mut rng = ChaCha8Rng::seed_from_u64(0x5eed);
    session
        .inputs()
        .iter()
        .map(|outlet| {
            let unsupported = |what: String| WorkloadError::Inputs {
                model: "model".into(),
                reason: format!(
                    "input `{}` is {what}; epbench can only synthesise tensors",
                    outlet.name()
                ),
            };
            let ValueType::Tensor { ty, .. } = outlet.dtype() else {
                return Err(unsupported("not a tensor".into()));
            };
            let dims = shapes
                .get(outlet.name())
                .ok_or_else(|| unsupported("given no shape".into()))?;
            let dims = IxDyn(dims);
            let is_mask = outlet.name().to_ascii_lowercase().contains("mask");
            let tensor_error = |e: ort::Error| unsupported(format!("not creatable ({e})"));
            let value = match ty {
                TensorElementType::Float32 => {
                    Tensor::from_array(ArrayD::from_shape_simple_fn(dims, || normal(&mut rng)))
                        .map_err(tensor_error)?
                        .into_dyn()
                }
                TensorElementType::Float16 => {
                    Tensor::from_array(ArrayD::from_shape_simple_fn(dims, || {
                        f16::from_f32(normal(&mut rng))
                    }))
                    .map_err(tensor_error)?
                    .into_dyn()
                }
                TensorElementType::Int64 => {
                    Tensor::from_array(ArrayD::from_elem(dims, i64::from(is_mask)))
                        .map_err(tensor_error)?
                        .into_dyn()
                }
                TensorElementType::Int32 => {
                    Tensor::from_array(ArrayD::from_elem(dims, i32::from(is_mask)))
                        .map_err(tensor_error)?
                        .into_dyn()
                }
                TensorElementType::Bool => Tensor::from_array(ArrayD::from_elem(dims, true))
                    .map_err(tensor_error)?
                    .into_dyn(),
                other => return Err(unsupported(format!("of type {other:?}"))),
            };
            Ok((outlet.name().to_string(), value))
        })
        .collect()
}

/// `value` as `wanted` when both are float types (fp16 → fp32 is exact; fp32 → fp16 rounds),
/// `None` when no cast is needed, an error for any other pair of types.
pub(crate) fn cast_float(
    value: &DynValue,
    wanted: TensorElementType,
) -> Result<Option<DynValue>, String> {
    let ValueType::Tensor { ty: given, .. } = value.dtype() else {
        return Err("not a tensor".into());
    };
    let error = |e: ort::Error| format!("cannot cast {given} to {wanted}: {e}");
    match (*given, wanted) {
        (given, wanted) if given == wanted => Ok(None),
        (TensorElementType::Float32, TensorElementType::Float16) => {
            let array = value.try_extract_array::<f32>().map_err(error)?;
            let cast = Tensor::from_array(array.mapv(f16::from_f32)).map_err(error)?;
            Ok(Some(cast.into_dyn()))
        }
        (TensorElementType::Float16, TensorElementType::Float32) => {
            let array = value.try_extract_array::<f16>().map_err(error)?;
            let cast = Tensor::from_array(array.mapv(f16::to_f32)).map_err(error)?;
            Ok(Some(cast.into_dyn()))
        }
        (given, wanted) => Err(format!("it is {given} but the model takes {wanted}")),
    }
}

/// A standard normal sample (Box-Muller), enough for benchmark inputs.
fn normal(rng: &mut ChaCha8Rng) -> f32 {
    let u1: f32 = rng.random_range(f32::EPSILON..1.0);
    let u2: f32 = rng.random();
    (-2.0 * u1.ln()).sqrt() * (std::f32::consts::TAU * u2).cos()
}
