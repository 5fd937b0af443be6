//! What a measurement runs on: a model (a zoo variant or any `.onnx` file) and its inputs.
//!
//! Commands accept either a zoo variant name (`tiny-systems-bert_gelu_fp32_static_b1_s128`,
//! built on demand) or a path. Zoo models get the zoo's real inputs (tokenised sentences, the
//! synthetic image); other models get inputs synthesised from the session's input metadata.

mod feeds;
mod model_ref;
mod sanity;

pub use feeds::{Feeds, synthesise_inputs};
pub use model_ref::{ModelRef, ResolvedModel};
pub use sanity::check_benchmarkable;

/// Why a model or its inputs could not be made ready.
#[derive(Debug, thiserror::Error)]
pub enum WorkloadError {
    #[error("`{input}` is neither an existing file nor a zoo model (see `epbench models list`)")]
    UnknownModel { input: String },
    #[error(transparent)]
    Zoo(#[from] crate::zoo::ZooError),
    #[error("inputs for {model}: {reason}")]
    Inputs { model: String, reason: String },
    #[error("{model} loads, but cannot be benchmarked: {reason}")]
    NotBenchmarkable { model: String, reason: String },
}
