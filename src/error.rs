//! The crate-wide error type. Each stage has its own error enum; this one wraps them so that
//! callers (the CLI, the benches) can use `?` across stages and still print what failed and why.

use std::path::PathBuf;

/// Result with the crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in epbench, by stage.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Obtaining or loading the ONNX Runtime library failed.
    #[error(transparent)]
    Provisioning(#[from] crate::provisioning::ProvisioningError),
    /// Parsing an execution provider or building a session failed.
    #[error(transparent)]
    Runtime(#[from] crate::runtime::RuntimeError),
    /// A model or its inputs could not be made ready.
    #[error(transparent)]
    Workload(#[from] crate::workload::WorkloadError),
    /// A model could not be built.
    #[error(transparent)]
    Zoo(#[from] crate::zoo::ZooError),
    /// A file could not be read or written.
    #[error("{action} {path}: {source}")]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl Error {
    /// An I/O error with the path and the action that failed.
    pub fn io(action: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            action,
            path: path.into(),
            source,
        }
    }
}
