//! Upgrade checks: is the new ONNX Runtime slower (or different) on this machine?
//!
//! Comparing two runs made at different times works on a quiet machine; on a laptop or a shared
//! CI runner the drift between runs is as large as the regressions worth catching. So
//! `epbench upgrade-check --from REQ --to REQ` measures both runtimes over the same minutes, in
//! alternation, and judges the paired differences:
//!
//! - [`client`] starts one worker process per runtime (a process can load only one ONNX Runtime)
//!   and talks to it over [`protocol`]; [`worker`] is the worker's side, which prepares the
//!   benchmarks with the suite's [`Preparer`](crate::suite::Preparer);
//! - [`selection`] decides which benchmarks run, [`options`] the overrides of one side
//!   (`threads=1`, `opt=disabled`, and the synthetic [`slowdown`]) for A/B experiments;
//! - [`pinning`] binds the workers to spare cores, [`measure`] says what a burst measured (wall
//!   and CPU time) and which clock decides;
//! - [`schedule`] orders the bursts (warm-up, rounds, ABBA), [`stopping`] ends the rounds (a
//!   fixed count, or when every benchmark is decided or the budget is spent), [`paired`] turns
//!   them into a change with a confidence interval, a verdict and a resolution, [`agreement`]
//!   compares the outputs;
//! - [`check`](mod@check) runs it all into an [`UpgradeReport`]; [`render`] prints it and
//!   [`save`] writes it as a pair of baselines.

pub mod agreement;
pub mod check;
pub mod client;
mod error;
pub mod measure;
pub mod options;
pub mod paired;
pub mod pinning;
pub mod protocol;
pub mod render;
pub mod report;
pub mod save;
pub mod schedule;
pub mod selection;
pub mod slowdown;
pub mod stopping;
pub mod worker;

use std::fmt;

pub use check::{UpgradeConfig, upgrade_check};
pub use error::UpgradeError;
pub use options::SideOptions;
pub use report::UpgradeReport;

/// The two sides of a check: the runtime upgraded from, and the one upgraded to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    From,
    To,
}

impl Side {
    /// The other side.
    pub fn other(self) -> Side {
        match self {
            Side::From => Side::To,
            Side::To => Side::From,
        }
    }
}

impl fmt::Display for Side {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Side::From => "from",
            Side::To => "to",
        })
    }
}
