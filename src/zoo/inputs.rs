//! Inputs for every variant: tokenised text, a synthetic image, seeded tensors.
//!
//! Inputs are owned `ndarray` arrays in [`ModelInputs`]; [`ModelInputs::to_ort`] turns them into
//! `ort` values (`Tensor::from_array`) named as the model's inputs.

use half::f16;
use ndarray::{Array4, ArrayD, IxDyn};

use super::ZooError;
use super::tokenize::{SENTENCES, TextBatch, TextTokenizer};
use crate::onnx::FloatType;

use super::variant::{TokenShape, TransformerModel, Variant, VisionVariant};
use super::weights::{Init, Seeded, Weights};
use super::{assets, catalogue, probe};

/// One input tensor, in the element type the model declares.
#[derive(Debug, Clone, PartialEq)]
pub enum InputTensor {
    Int64(ArrayD<i64>),
    Float32(ArrayD<f32>),
    Float16(ArrayD<f16>),
}

impl InputTensor {
    /// The tensor's shape.
    pub fn shape(&self) -> &[usize] {
        match self {
            InputTensor::Int64(a) => a.shape(),
            InputTensor::Float32(a) => a.shape(),
            InputTensor::Float16(a) => a.shape(),
        }
    }
}

/// A model's inputs by name, in the model's input order.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelInputs {
    pub tensors: Vec<(String, InputTensor)>,
}

impl ModelInputs {
    /// The input called `name`.
    pub fn get(&self, name: &str) -> Option<&InputTensor> {
        self.tensors.iter().find(|(n, _)| n == name).map(|(_, t)| t)
    }

    /// The batch size (first axis of the first input).
    pub fn batch(&self) -> usize {
        self.tensors
            .first()
            .and_then(|(_, t)| t.shape().first().copied())
            .unwrap_or(0)
    }

    /// `ort` tensors, ready for `session.run(inputs.to_ort()?)`. The data is copied, so the
    /// values can be reused across runs and sessions.
    pub fn to_ort(&self) -> ort::Result<Vec<(String, ort::value::DynValue)>> {
        use ort::value::Tensor;
        self.tensors
            .iter()
            .map(|(name, tensor)| {
                let value = match tensor {
                    InputTensor::Int64(a) => Tensor::from_array(a.clone())?.into_dyn(),
                    InputTensor::Float32(a) => Tensor::from_array(a.clone())?.into_dyn(),
                    InputTensor::Float16(a) => Tensor::from_array(a.clone())?.into_dyn(),
                };
                Ok((name.clone(), value))
            })
            .collect()
    }
}

/// Inputs of a transformer variant from a tokenised batch. DistilBERT takes no
/// `token_type_ids`. A static variant must be given a batch of exactly its shape.
pub fn text_inputs(variant: &Variant, text: &TextBatch) -> Result<ModelInputs, ZooError> {
    let Variant::Transformer(t) = variant else {
        return Err(ZooError::Inputs {
            variant: variant.to_string(),
            reason: "not a text model".into(),
        });
    };
    let (batch, seq) = text.input_ids.dim();
    if let TokenShape::Static { batch: b, seq: s } = t.shape
        && (b as usize, s as usize) != (batch, seq)
    {
        return Err(ZooError::Inputs {
            variant: variant.to_string(),
            reason: format!("it takes batch {b} x {s} tokens, the text is {batch} x {seq}"),
        });
    }
    let mut tensors = vec![
        (
            "input_ids".to_string(),
            InputTensor::Int64(text.input_ids.clone().into_dyn()),
        ),
        (
            "attention_mask".to_string(),
            InputTensor::Int64(text.attention_mask.clone().into_dyn()),
        ),
    ];
    if t.model != TransformerModel::DistilbertBaseUncased {
        tensors.push((
            "token_type_ids".to_string(),
            InputTensor::Int64(text.token_type_ids.clone().into_dyn()),
        ));
    }
    Ok(ModelInputs { tensors })
}

/// ImageNet normalisation used by torchvision's pretrained models.
const MEAN: [f32; 3] = [0.485, 0.456, 0.406];
const STD: [f32; 3] = [0.229, 0.224, 0.225];

/// A deterministic synthetic RGB image batch `[batch, 3, size, size]`, ImageNet-normalised:
/// smooth colour gradients and a checkerboard (so convolutions see edges), shifted per image.
pub fn synthetic_images(batch: usize, size: usize) -> Array4<f32> {
    Array4::from_shape_fn((batch, 3, size, size), |(n, c, y, x)| {
        let (xf, yf, shift) = (x as f32, y as f32, n as f32 * 17.0);
        let value = match c {
            0 => 0.5 + 0.5 * ((xf + shift) * 0.31 + yf * 0.13).sin(),
            1 => 0.5 + 0.5 * (yf * 0.23 - (xf + shift) * 0.11).cos(),
            _ => {
                if ((x + n * 8) / 16 + y / 16) % 2 == 0 {
                    0.8
                } else {
                    0.2
                }
            }
        };
        (value - MEAN[c]) / STD[c]
    })
}

/// The synthetic image input of a vision variant (float16 for fp16 variants).
pub fn image_inputs(variant: &VisionVariant, image_size: usize) -> ModelInputs {
    let images = synthetic_images(variant.batch as usize, image_size).into_dyn();
    let tensor = match variant.dtype {
        FloatType::F32 => InputTensor::Float32(images),
        FloatType::F16 => InputTensor::Float16(images.mapv(f16::from_f32)),
    };
    ModelInputs {
        tensors: vec![("input".to_string(), tensor)],
    }
}

/// Seeded standard-normal input of the helper models (`add_64k`, probe chains).
fn helper_inputs(variant: &Variant) -> Result<ModelInputs, ZooError> {
    let shape: Vec<usize> = match variant {
        Variant::Add64k => vec![1, 128, 128],
        Variant::Probe(p) => vec![probe::ROWS as usize, p.hidden as usize],
        _ => {
            return Err(ZooError::Inputs {
                variant: variant.to_string(),
                reason: "not a helper model".into(),
            });
        }
    };
    let values = Seeded::new(probe::PROBE_SEED, "inputs").tensor(
        &variant.to_string(),
        &shape,
        Init::Normal { std: 1.0 },
    )?;
    let array = ArrayD::from_shape_vec(IxDyn(&shape), values).map_err(|e| ZooError::Inputs {
        variant: variant.to_string(),
        reason: e.to_string(),
    })?;
    Ok(ModelInputs {
        tensors: vec![("input".to_string(), InputTensor::Float32(array))],
    })
}

/// The catalogue's tokenizer for `model` (fetched through the package cache), limited to the
/// model's vocabulary.
pub fn tokenizer_for(model: TransformerModel) -> Result<TextTokenizer, ZooError> {
    let catalogue = catalogue::catalogue()?;
    let vocab = catalogue.transformer(model)?.config.vocab;
    let file = assets::fetch(&catalogue.tokenizer)?;
    TextTokenizer::from_file(&file.path, vocab)
}

/// Default inputs of `variant`: the built-in sentences for text models (batch 1 and 128
/// tokens for dynamic variants, `tokenizer` required), the synthetic image for vision models,
/// seeded values for helpers.
pub fn default_inputs(
    variant: &Variant,
    tokenizer: Option<&TextTokenizer>,
) -> Result<ModelInputs, ZooError> {
    match variant {
        Variant::Transformer(t) => {
            let tokenizer = tokenizer.ok_or_else(|| ZooError::Inputs {
                variant: variant.to_string(),
                reason: "a tokenizer is needed (see zoo::tokenizer_for)".into(),
            })?;
            let (batch, seq) = match t.shape {
                TokenShape::Static { batch, seq } => (batch as usize, seq as usize),
                TokenShape::Dynamic => (1, 128),
            };
            text_inputs(variant, &tokenizer.encode(&SENTENCES, batch, seq)?)
        }
        Variant::Vision(v) => {
            let size = catalogue::catalogue()?.vision(v.model)?.config.image_size;
            Ok(image_inputs(v, size))
        }
        Variant::Add64k | Variant::Probe(_) => helper_inputs(variant),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synthetic_images_are_normalised_and_vary() {
        let images = synthetic_images(2, 64);
        let mean = images.mean().unwrap_or(f32::NAN);
        assert!(mean.abs() < 0.5, "{mean}");
        assert!(images.iter().all(|v| v.is_finite() && v.abs() < 3.0));
        let first = images.index_axis(ndarray::Axis(0), 0);
        let second = images.index_axis(ndarray::Axis(0), 1);
        assert_ne!(first, second);
    }

    #[test]
    fn helper_inputs_match_the_model() {
        let inputs = default_inputs(&"probe_erf_k1_h64".parse().unwrap(), None).unwrap();
        assert_eq!(inputs.get("input").unwrap().shape(), &[128, 64]);
        let add = default_inputs(&Variant::Add64k, None).unwrap();
        assert_eq!(add.get("input").unwrap().shape(), &[1, 128, 128]);
    }
}
