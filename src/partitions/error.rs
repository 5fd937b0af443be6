//! What can go wrong predicting or measuring partitions.

use std::path::PathBuf;

/// A partition analysis failed. Every variant says which model or input was at fault.
#[derive(Debug, thiserror::Error)]
pub enum PartitionError {
    /// The model file could not be read or is not ONNX.
    #[error(transparent)]
    Onnx(#[from] crate::onnx::OnnxError),
    /// ONNX Runtime could not produce the level-1 optimised graph.
    #[error("cannot optimise {} with ONNX Runtime (level 1): {source}", model.display())]
    Optimise {
        model: PathBuf,
        #[source]
        source: Box<crate::Error>,
    },
    /// ONNX Runtime could not partition the model with the rules standing in for the CoreML
    /// EP (it could not load the model, or the stand-in could not read ORT's graph).
    #[error("ONNX Runtime could not partition {} with the CoreML rules: {reason}", model.display())]
    Partitioning { model: PathBuf, reason: String },
    /// The model's graph is malformed in a way the analysis cannot work around.
    #[error("the graph of {model} is malformed: {reason}")]
    MalformedGraph { model: String, reason: String },
    /// The ORT logs contain no CoreML `GetCapability` summary line.
    #[error(
        "no CoreML GetCapability line in the {lines} log lines (was the session created on the \
         CoreML EP, with INFO logging or more verbose?)"
    )]
    NoCapabilityLine { lines: usize },
    /// The model loads but cannot be benchmarked (no outputs, a negative input dimension).
    #[error(transparent)]
    Workload(#[from] crate::workload::WorkloadError),
    /// The loaded runtime cannot partition on the CoreML EP (it lacks it, or rejects the options).
    #[error(transparent)]
    Ep(#[from] crate::runtime::RuntimeError),
    /// The CoreML EP failed while the session was created (e.g. its model builder refused a
    /// partition it had claimed).
    #[error("the CoreML EP could not create a session for {}: {source}", model.display())]
    EpSession {
        model: PathBuf,
        #[source]
        source: Box<crate::Error>,
    },
    /// A CoreML log line looked like the summary or a per-node line but could not be parsed.
    #[error("cannot parse CoreML log line `{line}`: {reason}")]
    BadLogLine { line: String, reason: String },
}
