//! Why `epbench fix` could not do what was asked (as opposed to a fix whose outputs no longer
//! match, which is a report with `outputs_match == false`).

use std::path::PathBuf;

/// A fix that could not be made. Every variant is a usage or load error (exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum FixError {
    #[error(transparent)]
    Model(#[from] crate::onnx::OnnxError),
    #[error(
        "--out {} is the model itself (or its external data); epbench never overwrites the input",
        path.display()
    )]
    SameFile { path: PathBuf },
    #[error("{0}")]
    Usage(String),
    /// ORT rejects the rewritten graph (e.g. a size the model's shape arithmetic cannot take).
    #[error("the fixed model does not load in ONNX Runtime, so nothing was written: {0}")]
    FixedModelRejected(Box<crate::Error>),
    #[error(transparent)]
    Rewrite(#[from] crate::rewrite::RewriteError),
    #[error(transparent)]
    Workload(#[from] crate::workload::WorkloadError),
    #[error("analysing the model for --for: {0}")]
    Analysis(#[from] crate::partitions::PartitionError),
    #[error(transparent)]
    Correctness(#[from] crate::correctness::CorrectnessError),
    /// Loading ONNX Runtime, building a session, or a file that cannot be written.
    #[error(transparent)]
    Runtime(#[from] Box<crate::Error>),
}

impl From<crate::Error> for FixError {
    fn from(e: crate::Error) -> Self {
        FixError::Runtime(Box::new(e))
    }
}
