//! What can go wrong reading or writing an ONNX file.

use std::path::PathBuf;

/// An ONNX file could not be read or written. Every variant names the file.
#[derive(Debug, thiserror::Error)]
pub enum OnnxError {
    /// The file is missing, unreadable or unwritable.
    #[error("cannot {action} ONNX model {}: {source}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The bytes are not an ONNX `ModelProto`.
    #[error("{} is not an ONNX model: {reason}", path.display())]
    NotOnnx { path: PathBuf, reason: String },
    /// A tensor's external data cannot be found or does not fit its file.
    #[error("external data of tensor `{tensor}`: {reason}")]
    ExternalData { tensor: String, reason: String },
}

impl OnnxError {
    pub(crate) fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
        source: std::io::Error,
    ) -> Self {
        OnnxError::Io {
            action,
            path: path.into(),
            source,
        }
    }
}
