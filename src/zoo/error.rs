//! What can go wrong building a model or its inputs.

use std::path::PathBuf;

use crate::onnx::OnnxError;
use crate::provisioning::ProvisioningError;

/// A model, its weights, its tokenizer or its inputs could not be produced.
#[derive(Debug, thiserror::Error)]
pub enum ZooError {
    /// A variant name does not follow the zoo's naming scheme.
    #[error("`{name}` is not a model variant: {reason}")]
    BadVariantName { name: String, reason: String },
    /// A well-formed variant that the catalogue does not list.
    #[error(
        "`{name}` is not in the model catalogue (models/catalogue.toml); `epbench models list` shows what is"
    )]
    NotInCatalogue { name: String },
    /// The catalogue file is inconsistent.
    #[error("the model catalogue is invalid: {0}")]
    Catalogue(String),
    /// A safetensors checkpoint is unreadable or does not fit the model.
    #[error("checkpoint {}: {reason}", path.display())]
    Checkpoint { path: PathBuf, reason: String },
    /// A tokenizer file is unreadable or unusable.
    #[error("tokenizer {}: {reason}", path.display())]
    Tokenizer { path: PathBuf, reason: String },
    /// Inputs cannot be made for the variant as asked.
    #[error("cannot make inputs for {variant}: {reason}")]
    Inputs { variant: String, reason: String },
    /// Reading or writing a model file failed.
    #[error(transparent)]
    Onnx(#[from] OnnxError),
    /// Fetching a checkpoint or tokenizer package failed.
    #[error(transparent)]
    Provisioning(#[from] ProvisioningError),
    /// Any other file operation failed.
    #[error("cannot {action} {}: {source}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl ZooError {
    pub(crate) fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
        source: std::io::Error,
    ) -> Self {
        ZooError::Io {
            action,
            path: path.into(),
            source,
        }
    }
}
