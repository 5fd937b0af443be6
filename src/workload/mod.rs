//! What a measurement runs on: a model (a zoo variant or any `.onnx` file) and its inputs.
//!
//! Commands accept either a zoo variant name (`tiny-systems-bert_gelu_fp32_static_b1_s128`,
//! built on demand) or a path. Zoo models get the zoo's real inputs (tokenised sentences, the
//! synthetic image); other models get inputs synthesised from the session's input metadata, or
//! real ones from a numpy `.npz` file ([`read_npz`], checked against a session with
//! [`check_inputs`]). A user's model in the study ([`ModelFile`]) carries where its inputs come
//! from ([`InputSource`]: the `.npz`, or [`InputShapes`] to synthesise them with) and the model
//! its outputs must match.

mod feeds;
mod file;
mod model_ref;
mod npz;
mod sanity;
mod shapes;

pub(crate) use feeds::cast_float;
pub use feeds::{Feeds, synthesise_inputs, synthesise_shaped};
pub use file::{InputSource, ModelFile, Reference};
pub use model_ref::{ModelRef, ResolvedModel};
pub use npz::{NamedInputs, check_inputs, read_npz};
pub use sanity::check_benchmarkable;
pub use shapes::{InputShapes, default_size};

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
    #[error("inputs file {}: {reason}", path.display())]
    InputsFile {
        path: std::path::PathBuf,
        reason: String,
    },
}
