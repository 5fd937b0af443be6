//! Correctness: do two runs of a model agree, within a tolerance that means something?
//!
//! A faster execution provider that computes the wrong answer is not faster. This module runs
//! the same inputs through two sessions (two EPs, two variants of a model, two ORT optimisation
//! levels) and judges every output:
//!
//! - [`tolerance`] chooses how far outputs may differ from what each side computes with (EP, EP
//!   options, model dtype, activation) and documents where each number comes from;
//! - [`compare`] computes per-output error statistics (max absolute and relative error, mean
//!   absolute error, cosine similarity, the worst element) and the verdict; NaN or infinity on
//!   either side always fails;
//! - [`check`] runs the sessions: [`compare_models`] for `epbench compare`,
//!   [`check_against_cpu`] for the benchmark suite ([`check_against`] with a given reference),
//!   [`compare_models_on`] for given inputs and a
//!   given pairing (`epbench fix`: a rewritten model against its original);
//! - `report` renders a [`Comparison`] as text ([`Comparison::render_text`]).

pub mod check;
pub mod compare;
mod error;
mod report;
mod run;
pub mod tolerance;

pub use check::{
    Comparison, SideReport, Target, check_against, check_against_cpu, compare_models,
    compare_models_on,
};
pub use compare::{Failure, OutputComparison, OutputTensor, Stats, Values, Worst};
pub use error::{CorrectnessError, Role};
pub(crate) use run::{adapt_inputs, copy_outputs};
pub use tolerance::{ACTIVATION_APPROXIMATION, Pairing, Side, Tolerance, ToleranceClass};
