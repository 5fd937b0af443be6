//! epbench: a benchmark suite and diagnosis toolkit for ONNX Runtime execution providers.
//!
//! The crate follows the pipeline its README describes, one module per stage:
//!
//! - [`provisioning`] obtains an ONNX Runtime shared library from the official PyPI wheels and
//!   caches it;
//! - [`runtime`] loads it once per process and builds sessions on an execution provider ([`Ep`]);
//! - [`onnx`] and [`zoo`] write the study's models, [`rewrite`] changes any model's graph
//!   (`epbench fix`);
//! - the measurement, baseline and report modules build on those, with every statistic from
//!   [`stats`];
//! - [`upgrade`] measures two ONNX Runtime versions in paired, interleaved rounds.

pub mod baseline;
pub mod correctness;
pub mod error;
pub mod fix;
pub mod machine;
pub mod measure;
pub mod onnx;
pub mod partitions;
pub mod provisioning;
pub mod rewrite;
pub mod runtime;
pub mod stats;
pub mod study;
pub mod suite;
pub mod text;
pub mod upgrade;
pub mod workload;
pub mod zoo;

pub use error::{Error, Result};
pub use runtime::Ep;
