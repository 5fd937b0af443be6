//! The result of an upgrade check: per benchmark, each side's latency, the paired change with
//! its interval, the verdict, and whether the outputs agree.

use crate::machine::Machine;
use crate::provisioning::OrtRequirement;
use crate::runtime::EpKind;
use crate::stats::Verdict;

use super::agreement::Agreement;
use super::paired::PairedChange;
use super::{Side, SideOptions};

/// One side as it ran.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SideInfo {
    pub requirement: OrtRequirement,
    /// The version ORT reports.
    pub ort_version: String,
    /// Session overrides applied on this side (`threads=1`, `opt=disable`).
    pub options: SideOptions,
}

/// How a check was measured, printed with its results.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Method {
    /// Paired rounds per benchmark.
    pub rounds: usize,
    /// Target duration of one burst on one side, in milliseconds.
    pub burst_ms: f64,
    /// A change counts only beyond this fraction (0.05 = 5%), with 95% confidence.
    pub threshold: f64,
    /// Intra-op threads of the sessions (unless a side's options override them).
    pub intra_threads: usize,
}

/// One side's times for one benchmark: every timed iteration of every burst.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Latency {
    /// Median time per iteration over all bursts, in ns.
    pub median_ns: f64,
    /// 25th and 75th percentiles, in ns: the spread of single iterations.
    pub p25_ns: f64,
    pub p75_ns: f64,
    /// Median of each burst, in round order (the numbers the paired change is computed from).
    pub burst_medians_ns: Vec<f64>,
    /// Total time of each burst, in ns (saved as criterion samples by `--save`).
    pub burst_totals_ns: Vec<u64>,
}

/// A benchmark measured on both sides.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Measured {
    /// Timed iterations per burst (the same on both sides).
    pub iterations_per_burst: u32,
    pub from: Latency,
    pub to: Latency,
    #[serde(flatten)]
    pub paired: PairedChange,
    pub verdict: Verdict,
    #[serde(flatten)]
    pub agreement: Agreement,
}

/// What happened to one benchmark.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Outcome {
    Measured(Box<Measured>),
    /// It could not be prepared or run on one or both sides; the reasons are ORT's or the zoo's.
    Failed {
        from: Option<String>,
        to: Option<String>,
    },
}

/// One benchmark's row.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Row {
    /// `<study>/<finding>/<variant>/<provider>`, as `cargo bench` names it.
    pub id: String,
    #[serde(flatten)]
    pub outcome: Outcome,
}

impl Row {
    /// Whether this row fails the check: a regression, outputs that differ, or a benchmark that
    /// ran before the upgrade and fails after it.
    pub fn fails_check(&self) -> bool {
        match &self.outcome {
            Outcome::Measured(m) => m.verdict == Verdict::Slower || m.agreement.is_mismatch(),
            Outcome::Failed { from, to } => from.is_none() && to.is_some(),
        }
    }

    /// The failure reason of `side`, if it failed there.
    pub fn failure(&self, side: Side) -> Option<&str> {
        match (&self.outcome, side) {
            (Outcome::Failed { from, .. }, Side::From) => from.as_deref(),
            (Outcome::Failed { to, .. }, Side::To) => to.as_deref(),
            (Outcome::Measured(_), _) => None,
        }
    }
}

/// The whole check.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct UpgradeReport {
    pub from: SideInfo,
    pub to: SideInfo,
    /// The EP whose selection was measured.
    pub ep: EpKind,
    pub filter: Option<String>,
    pub method: Method,
    pub machine: Machine,
    /// Wall time of the whole check, in seconds.
    pub wall_s: f64,
    pub rows: Vec<Row>,
    /// No row fails the check (exit code 0; otherwise 1).
    pub passed: bool,
}

impl UpgradeReport {
    /// 0 when the check passed, 1 otherwise.
    pub fn exit_code(&self) -> u8 {
        u8::from(!self.passed)
    }

    /// Measured rows whose verdict is one of `verdicts`.
    pub fn count(&self, verdicts: &[Verdict]) -> usize {
        self.measured()
            .filter(|(_, m)| verdicts.contains(&m.verdict))
            .count()
    }

    /// The measured rows.
    pub fn measured(&self) -> impl Iterator<Item = (&str, &Measured)> {
        self.rows.iter().filter_map(|row| match &row.outcome {
            Outcome::Measured(m) => Some((row.id.as_str(), m.as_ref())),
            Outcome::Failed { .. } => None,
        })
    }
}
