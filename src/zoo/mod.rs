//! The model zoo: the study's models, built in Rust in every variant, with their inputs.
//!
//! - [`catalogue()`] lists every model and variant (from `models/catalogue.toml`);
//! - [`build`] writes a variant to an `.onnx` file named by its recipe hash, reusing a file
//!   that already exists ([`build_with`] adds progress reporting and other weights;
//!   [`copy_named`] puts a copy under the plain `<variant>.onnx` name);
//! - [`bert`], [`mobilenet`] and [`probe`] are the graph builders; [`weights`] provides seeded
//!   or checkpoint weights;
//! - [`inputs`] and [`tokenize`] make the inputs (tokenised text, a synthetic image).
//!
//! ```no_run
//! use epbench::zoo;
//! for variant in zoo::catalogue()?.variants() {
//!     let path = zoo::build(variant, zoo::DEFAULT_OUT_DIR)?;
//!     println!("{variant}: {}", path.display());
//! }
//! # Ok::<(), epbench::zoo::ZooError>(())
//! ```

pub mod assets;
pub mod bert;
mod build;
pub mod cache;
pub mod catalogue;
mod error;
pub mod inputs;
pub mod mobilenet;
pub mod probe;
pub mod tokenize;
pub mod variant;
pub mod weights;

pub use build::{
    BuildEvent, BuildOptions, Built, DEFAULT_OUT_DIR, IntoVariant, WeightsOverride, build,
    build_in_memory, build_with, copy_named,
};
pub use catalogue::{Catalogue, catalogue};
pub use error::ZooError;
pub use inputs::{InputTensor, ModelInputs, default_inputs, text_inputs, tokenizer_for};
pub use probe::probe_chain;
pub use tokenize::{SENTENCES, TextBatch, TextTokenizer};
pub use variant::{
    Activation, CutOp, ProbeVariant, TokenShape, TransformerModel, TransformerVariant, Variant,
    VisionModel, VisionVariant,
};
