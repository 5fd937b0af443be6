//! The benchmark suite: the study's findings as benchmark cases, prepared outside the timed loop.
//! `benches/study.rs` is a thin criterion front end over this module.

mod filter;
mod finding;
mod plan;
mod prepare;
mod settings;
mod workload;

pub use filter::{Filter, list};
pub use finding::Finding;
pub use plan::{BenchCase, BenchId, FRAGMENTATION_KS, PROBE_HIDDEN, Timing, cut_op_for, plan};
pub use prepare::{PrepareError, PrepareStage, Prepared, Preparer, RunError, RunOutput};
pub use settings::{Cost, Measurement, Settings};
pub use workload::Workload;
