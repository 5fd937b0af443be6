//! Where a model's weights come from: seeded random numbers, or a safetensors checkpoint.
//!
//! Builders ask for each tensor by its PyTorch name (`encoder.layer.0.attention.self.query.weight`)
//! in PyTorch layout (a `Linear` weight is `[out, in]`), saying how a freshly initialised model
//! would draw it. A seeded source draws it; a checkpoint looks it up.

use std::path::{Path, PathBuf};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;
use safetensors::{Dtype, SafeTensors};
use sha2::{Digest, Sha256};

use super::ZooError;

/// How a freshly initialised model draws a tensor (ignored when loading a checkpoint).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Init {
    /// Normal(0, std): Hugging Face BERT's `initializer_range` (0.02), or He/Kaiming scaling
    /// `sqrt(gain / fan_in)` for convolutions.
    Normal { std: f32 },
    /// Normal(0, std) with one row zeroed: an embedding with a padding index.
    NormalZeroRow { std: f32, row: usize },
    /// Every element equal (zeros for biases, ones for LayerNorm and BatchNorm scales).
    Constant(f32),
}

/// Identifies a weight source inside a recipe: what the weights are, not where they sit.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WeightsId {
    Seeded { seed: u64 },
    Checkpoint { sha256: String },
}

/// A source of named tensors.
pub trait Weights {
    /// The tensor `name` with PyTorch `shape`, as f32 in row-major order.
    fn tensor(&mut self, name: &str, shape: &[usize], init: Init) -> Result<Vec<f32>, ZooError>;

    /// What these weights are, for the recipe hash.
    fn id(&self) -> WeightsId;
}

/// Deterministic random weights. Each tensor has its own ChaCha8 stream, seeded from the
/// global seed, the model and the tensor name, so a tensor's values do not depend on the order
/// tensors are drawn in or on the variant (fp16 and fp32, static and dynamic, GELU and
/// FastGELU variants of a model share their weights).
#[derive(Debug, Clone)]
pub struct Seeded {
    seed: u64,
    model: String,
}

impl Seeded {
    /// Weights for `model` from `seed`.
    pub fn new(seed: u64, model: &str) -> Self {
        Self {
            seed,
            model: model.to_string(),
        }
    }

    fn rng(&self, name: &str) -> ChaCha8Rng {
        let mut hasher = Sha256::new();
        hasher.update(self.seed.to_le_bytes());
        hasher.update(self.model.as_bytes());
        hasher.update([0]);
        hasher.update(name.as_bytes());
        ChaCha8Rng::from_seed(hasher.finalize().into())
    }
}

impl Weights for Seeded {
    fn tensor(&mut self, name: &str, shape: &[usize], init: Init) -> Result<Vec<f32>, ZooError> {
        let count: usize = shape.iter().product();
        Ok(match init {
            Init::Constant(value) => vec![value; count],
            Init::Normal { std } => normal(&mut self.rng(name), count, std),
            Init::NormalZeroRow { std, row } => {
                let mut values = normal(&mut self.rng(name), count, std);
                let width = shape.last().copied().unwrap_or(1);
                if let Some(r) = values.get_mut(row * width..(row + 1) * width) {
                    r.fill(0.0);
                }
                values
            }
        })
    }

    fn id(&self) -> WeightsId {
        WeightsId::Seeded { seed: self.seed }
    }
}

/// `count` draws from Normal(0, std) (rand_distr's ziggurat: a few ns per draw when optimised).
fn normal(rng: &mut ChaCha8Rng, count: usize, std: f32) -> Vec<f32> {
    (0..count)
        .map(|_| rng.sample::<f32, _>(StandardNormal) * std)
        .collect()
}

/// A safetensors checkpoint with Hugging Face tensor names, held in memory.
///
/// Names are looked up as given and with the usual task-model prefixes (`bert.`,
/// `distilbert.`), so both a bare `BertModel` and e.g. a `BertForMaskedLM` checkpoint load.
/// Tensors may be stored as F32, F16 or BF16.
pub struct Checkpoint {
    path: PathBuf,
    bytes: Vec<u8>,
    sha256: String,
}

impl std::fmt::Debug for Checkpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Checkpoint")
            .field("path", &self.path)
            .field("bytes", &self.bytes.len())
            .field("sha256", &self.sha256)
            .finish()
    }
}

impl Checkpoint {
    /// Reads and checks a checkpoint, hashing it (the hash identifies it in recipes).
    pub fn open(path: &Path) -> Result<Self, ZooError> {
        let bytes = std::fs::read(path).map_err(|e| ZooError::io("read checkpoint", path, e))?;
        let sha256 = hex(&Sha256::digest(&bytes));
        Self::from_bytes(path, bytes, sha256)
    }

    /// A checkpoint whose sha256 is already known (e.g. verified by the package cache).
    pub fn open_with_hash(path: &Path, sha256: &str) -> Result<Self, ZooError> {
        let bytes = std::fs::read(path).map_err(|e| ZooError::io("read checkpoint", path, e))?;
        Self::from_bytes(path, bytes, sha256.to_string())
    }

    fn from_bytes(path: &Path, bytes: Vec<u8>, sha256: String) -> Result<Self, ZooError> {
        SafeTensors::deserialize(&bytes).map_err(|e| ZooError::Checkpoint {
            path: path.to_path_buf(),
            reason: format!("not a safetensors file: {e}"),
        })?;
        Ok(Self {
            path: path.to_path_buf(),
            bytes,
            sha256,
        })
    }

    /// The checkpoint's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Lower-case hex sha256 of the file.
    pub fn sha256(&self) -> &str {
        &self.sha256
    }

    fn error(&self, reason: String) -> ZooError {
        ZooError::Checkpoint {
            path: self.path.clone(),
            reason,
        }
    }
}

const PREFIXES: [&str; 3] = ["", "bert.", "distilbert."];

impl Weights for Checkpoint {
    fn tensor(&mut self, name: &str, shape: &[usize], _init: Init) -> Result<Vec<f32>, ZooError> {
        let tensors = SafeTensors::deserialize(&self.bytes)
            .map_err(|e| self.error(format!("not a safetensors file: {e}")))?;
        let view = PREFIXES
            .iter()
            .find_map(|prefix| tensors.tensor(&format!("{prefix}{name}")).ok())
            .ok_or_else(|| self.error(format!("no tensor `{name}`")))?;
        if view.shape() != shape {
            return Err(self.error(format!(
                "tensor `{name}` has shape {:?}, the model needs {shape:?}",
                view.shape()
            )));
        }
        let data = view.data();
        let values = match view.dtype() {
            // Copies (safetensors data need not be aligned for f32) at memcpy speed.
            Dtype::F32 if cfg!(target_endian = "little") => {
                let mut values = vec![0f32; data.len() / 4];
                bytemuck::cast_slice_mut::<f32, u8>(&mut values).copy_from_slice(data);
                values
            }
            Dtype::F32 => data
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect(),
            Dtype::F16 => data
                .chunks_exact(2)
                .map(|b| half::f16::from_le_bytes([b[0], b[1]]).to_f32())
                .collect(),
            Dtype::BF16 => data
                .chunks_exact(2)
                .map(|b| half::bf16::from_le_bytes([b[0], b[1]]).to_f32())
                .collect(),
            other => {
                return Err(self.error(format!(
                    "tensor `{name}` is {other:?}; only F32, F16 and BF16 are supported"
                )));
            }
        };
        Ok(values)
    }

    fn id(&self) -> WeightsId {
        WeightsId::Checkpoint {
            sha256: self.sha256.clone(),
        }
    }
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Transposes a row-major `[rows, cols]` matrix: PyTorch's `Linear` weight is `[out, in]`,
/// an ONNX `MatMul` right-hand side is `[in, out]`.
pub fn transpose(values: &[f32], rows: usize, cols: usize) -> Vec<f32> {
    let mut out = vec![0.0; values.len()];
    for (r, row) in values.chunks_exact(cols).enumerate().take(rows) {
        for (c, &v) in row.iter().enumerate() {
            out[c * rows + r] = v;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_tensors_are_reproducible_and_independent_of_order() {
        let mut a = Seeded::new(7, "m");
        let mut b = Seeded::new(7, "m");
        let x1 = a.tensor("x", &[4, 8], Init::Normal { std: 0.02 }).unwrap();
        let _ = b.tensor("y", &[3], Init::Normal { std: 1.0 }).unwrap();
        let x2 = b.tensor("x", &[4, 8], Init::Normal { std: 0.02 }).unwrap();
        assert_eq!(x1, x2);
        let other = Seeded::new(8, "m")
            .tensor("x", &[4, 8], Init::Normal { std: 0.02 })
            .unwrap();
        assert_ne!(x1, other);
    }

    #[test]
    fn seeded_normal_has_the_requested_scale() {
        let v = Seeded::new(1, "m")
            .tensor("w", &[200, 100], Init::Normal { std: 0.02 })
            .unwrap();
        let mean = v.iter().sum::<f32>() / v.len() as f32;
        let std = (v.iter().map(|x| (x - mean).powi(2)).sum::<f32>() / v.len() as f32).sqrt();
        assert!(mean.abs() < 0.001, "{mean}");
        assert!((std - 0.02).abs() < 0.001, "{std}");
    }

    #[test]
    fn padding_row_is_zero() {
        let v = Seeded::new(1, "m")
            .tensor("e", &[3, 4], Init::NormalZeroRow { std: 1.0, row: 1 })
            .unwrap();
        assert!(v[4..8].iter().all(|&x| x == 0.0));
        assert!(v[0..4].iter().any(|&x| x != 0.0));
    }

    #[test]
    fn checkpoints_are_checked_tensor_by_tensor() {
        let dir = tempfile::tempdir().unwrap();
        let values: Vec<u8> = [1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        let halves: Vec<u8> = [0.5f32, -1.0]
            .iter()
            .flat_map(|&v| half::f16::from_f32(v).to_le_bytes())
            .collect();
        let bytes = safetensors::serialize(
            [
                (
                    "bert.pooler.dense.weight",
                    safetensors::tensor::TensorView::new(Dtype::F32, vec![2, 3], &values).unwrap(),
                ),
                (
                    "pooler.dense.bias",
                    safetensors::tensor::TensorView::new(Dtype::F16, vec![2], &halves).unwrap(),
                ),
            ],
            None,
        )
        .unwrap();
        let path = dir.path().join("model.safetensors");
        std::fs::write(&path, bytes).unwrap();
        let mut checkpoint = Checkpoint::open(&path).unwrap();
        let unused = Init::Constant(0.0);
        // Found with the `bert.` prefix, converted from f16.
        assert_eq!(
            checkpoint
                .tensor("pooler.dense.weight", &[2, 3], unused)
                .unwrap(),
            [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
        );
        assert_eq!(
            checkpoint
                .tensor("pooler.dense.bias", &[2], unused)
                .unwrap(),
            [0.5, -1.0]
        );
        let wrong = checkpoint
            .tensor("pooler.dense.weight", &[3, 2], unused)
            .unwrap_err()
            .to_string();
        assert!(
            wrong.contains("pooler.dense.weight") && wrong.contains("[2, 3]"),
            "{wrong}"
        );
        let missing = checkpoint.tensor("embeddings.x", &[1], unused).unwrap_err();
        assert!(
            missing.to_string().contains("no tensor `embeddings.x`"),
            "{missing}"
        );

        let not_safetensors = dir.path().join("notes.txt");
        std::fs::write(&not_safetensors, "hello").unwrap();
        let err = Checkpoint::open(&not_safetensors).unwrap_err().to_string();
        assert!(
            err.contains("notes.txt") && err.contains("not a safetensors file"),
            "{err}"
        );
    }

    #[test]
    fn transpose_swaps_axes() {
        assert_eq!(
            transpose(&[1., 2., 3., 4., 5., 6.], 2, 3),
            [1., 4., 2., 5., 3., 6.]
        );
    }
}
