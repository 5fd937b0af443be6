//! Recipes and the on-disk cache of generated models.
//!
//! A model file is named after its variant and the hash of its recipe —
//! `<out_dir>/<variant>.<hash>.onnx` — where the recipe is everything that determines its
//! bytes: the builder version, the variant, the model's configuration from the catalogue, and
//! the weights (a seed, or a checkpoint's sha256). A file with the right name is therefore the
//! right model and is never rebuilt; changing any ingredient changes the name.

use std::path::{Path, PathBuf};

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::variant::Variant;
use super::weights::{WeightsId, hex};

/// Bump whenever a builder emits different bytes for the same recipe, so that stale cached
/// models are not reused.
pub const BUILDER_VERSION: u32 = 2;

/// Hex digits of the recipe hash in file names (64 bits: collisions are not a concern for a
/// cache folder).
const HASH_DIGITS: usize = 16;

/// Everything that determines a generated model's bytes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Recipe {
    pub builder_version: u32,
    pub variant: Variant,
    /// The model's configuration from the catalogue (JSON), `null` for helper models.
    pub config: serde_json::Value,
    /// `None` for models without weights (`add_64k`).
    pub weights: Option<WeightsId>,
}

impl Recipe {
    /// The recipe as canonical JSON (field order fixed by the struct, no whitespace).
    pub fn to_json(&self) -> String {
        // Serialising plain data with string keys cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The first 16 hex digits of the sha256 of [`Recipe::to_json`].
    pub fn hash(&self) -> String {
        let mut digest = hex(&Sha256::digest(self.to_json().as_bytes()));
        digest.truncate(HASH_DIGITS);
        digest
    }

    /// Where this recipe's model lives in `out_dir`.
    pub fn path_in(&self, out_dir: &Path) -> PathBuf {
        out_dir.join(format!("{}.{}.onnx", self.variant, self.hash()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_ingredient_changes_the_hash() {
        let base = Recipe {
            builder_version: BUILDER_VERSION,
            variant: "tiny-systems-bert_gelu_fp32_dynamic".parse().unwrap(),
            config: serde_json::json!({"layers": 2}),
            weights: Some(WeightsId::Seeded { seed: 1 }),
        };
        let hash = base.hash();
        assert_eq!(hash.len(), HASH_DIGITS);
        assert_eq!(hash, base.clone().hash());
        let changes = [
            Recipe {
                builder_version: BUILDER_VERSION + 1,
                ..base.clone()
            },
            Recipe {
                variant: "tiny-systems-bert_gelu_fp16_dynamic".parse().unwrap(),
                ..base.clone()
            },
            Recipe {
                config: serde_json::json!({"layers": 3}),
                ..base.clone()
            },
            Recipe {
                weights: Some(WeightsId::Seeded { seed: 2 }),
                ..base.clone()
            },
        ];
        for changed in changes {
            assert_ne!(changed.hash(), hash, "{}", changed.to_json());
        }
        let path = base.path_in(Path::new("out"));
        assert_eq!(
            Variant::from_file_name(&path.file_name().unwrap().to_string_lossy()).unwrap(),
            base.variant
        );
    }
}
