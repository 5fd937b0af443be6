//! Baselines: criterion results saved with the setup they were measured on, compared side by
//! side, and checked against a new run with an exit code for CI.
//!
//! The pipeline, one file per step:
//!
//! - [`criterion_files`] reads criterion's on-disk format (`target/criterion/<id>/new/*.json`);
//! - [`store`] saves runs into `criterion-baselines/<name>/` atomically, lists, loads and
//!   restores them; [`metadata`] is the `machine.json` each baseline carries;
//! - [`run`] turns files into per-iteration times grouped in runs, [`noise`] learns the
//!   between-run noise floor; the statistics themselves (the bootstrap, the [`Verdict`]) are
//!   [`crate::stats`];
//! - [`compare`](mod@compare) judges a pair of sides and assembles the side-by-side table,
//!   [`check`](mod@check) the CI gate; [`render`] prints them;
//! - [`export`] writes baselines (and study results) for Bencher, github-action-benchmark and
//!   critcmp.
//!
//! [`Verdict`]: crate::stats::Verdict
//!
//! # How a change is judged
//!
//! epbench works from criterion's raw samples (`sample.json`), not its summaries: each sample's
//! time per iteration is `times[i] / iters[i]` nanoseconds. A run's location is the median of
//! those; a side with several runs (a baseline saved with `--append`, or several `--from`
//! folders) is located at the geometric mean of its runs' medians. The change between two sides
//! is the ratio of their locations, and its 95% confidence interval comes from a percentile
//! bootstrap (5000 resamples, seeded from the benchmark id, so the same files always give the
//! same interval) that resamples the samples within each run. That interval only covers noise
//! *within* runs. On a laptop or a shared CI machine the runs themselves differ much more: six
//! back-to-back runs of one model gave medians between 0.93 and 2.10 ms, each with a spread of
//! only about 15%. So epbench also learns a noise floor from repeated runs: each benchmark's
//! between-run standard deviation σ of the log location (pooled over both sides, and never
//! below the median σ over all benchmarks, because two or three runs can make one benchmark look
//! quieter than it is). For `m` runs against `n` the floor is
//! `exp(t · σ · √(1/m + 1/n)) − 1`, the upper end of a 95% prediction interval for the change
//! between two sets of runs of identical code, with Student's `t` for σ's degrees of freedom
//! (4.30 with three runs, 2.26 with ten), so a floor learned from few runs is wide rather than
//! falsely precise. A benchmark counts as regressed only when the interval's lower bound exceeds
//! `max(threshold, noise floor)`; every verdict is printed with the floor it used, and `check`
//! says when the floor, not the threshold, limits what can be detected. With a single run per
//! side there is nothing to learn from: the floor is reported as unmeasured (zero), and
//! `--noise-floor PCT` sets one by hand.

pub mod check;
pub mod compare;
pub mod criterion_files;
mod error;
pub mod export;
pub mod metadata;
mod name;
pub mod noise;
pub mod render;
pub mod run;
pub mod store;

pub use check::{CheckReport, check, check_criterion_dirs};
pub use compare::{CompareOptions, Comparison, Judged, compare};
pub use error::BaselineError;
pub use metadata::{BaselineMetadata, OrtInfo};
pub use name::BaselineName;
pub use run::{Run, RunSet, parse_filter};
pub use store::{SaveMode, Store};

/// Converts a percentage given by a user (`--threshold 5`) to a fraction (0.05).
pub fn fraction_from_percent(what: &'static str, percent: f64) -> Result<f64, BaselineError> {
    if percent.is_finite() && percent >= 0.0 {
        Ok(percent / 100.0)
    } else {
        Err(BaselineError::BadPercentage {
            what,
            value: percent,
        })
    }
}
