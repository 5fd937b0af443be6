//! The result of an upgrade check: per benchmark, each side's latency, the paired change with
//! its interval, the verdict, and whether the outputs agree.

use crate::machine::Machine;
use crate::provisioning::OrtRequirement;
use crate::runtime::EpKind;
use crate::stats::Verdict;
use crate::suite::BenchId;

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
    /// It has no paired change, and the failure says why.
    Failed(Failure),
}

/// Why a benchmark has no paired change; there is always a reason. Written as `from` and `to`
/// (each side's reason, or null), plus `reason` when neither side failed.
#[derive(Debug, Clone, PartialEq)]
pub enum Failure {
    /// It could not be prepared or run on one side (ORT's or the zoo's reason) ...
    On { side: Side, reason: String },
    /// ... or on both.
    Both { from: String, to: String },
    /// Both sides ran, but their bursts give no ratio (a burst median of zero: a timer too
    /// coarse for the benchmark).
    Unpaired { reason: String },
}

impl Failure {
    /// The failure of a benchmark whose sides failed with these reasons; `None` when neither did.
    pub fn of_sides(from: Option<String>, to: Option<String>) -> Option<Failure> {
        match (from, to) {
            (Some(from), Some(to)) => Some(Failure::Both { from, to }),
            (Some(reason), None) => Some(Failure::On {
                side: Side::From,
                reason,
            }),
            (None, Some(reason)) => Some(Failure::On {
                side: Side::To,
                reason,
            }),
            (None, None) => None,
        }
    }

    /// The reason `side` failed, if it did.
    pub fn on(&self, side: Side) -> Option<&str> {
        match self {
            Failure::On {
                side: failed,
                reason,
            } if *failed == side => Some(reason),
            Failure::Both { from, to } => Some(match side {
                Side::From => from,
                Side::To => to,
            }),
            Failure::On { .. } | Failure::Unpaired { .. } => None,
        }
    }
}

impl serde::Serialize for Failure {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut fields = serializer.serialize_struct("Failure", 3)?;
        fields.serialize_field("from", &self.on(Side::From))?;
        fields.serialize_field("to", &self.on(Side::To))?;
        if let Failure::Unpaired { reason } = self {
            fields.serialize_field("reason", reason)?;
        }
        fields.end()
    }
}

/// One benchmark's row.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Row {
    /// `<study>/<finding>/<variant>/<provider>`, as `cargo bench` names it.
    pub id: BenchId,
    #[serde(flatten)]
    pub outcome: Outcome,
}

impl Row {
    /// Whether this row fails the check: a regression, outputs that differ, or a benchmark that
    /// ran before the upgrade and fails after it.
    pub fn fails_check(&self) -> bool {
        match &self.outcome {
            Outcome::Measured(m) => m.verdict == Verdict::Slower || m.agreement.is_mismatch(),
            Outcome::Failed(failure) => matches!(failure, Failure::On { side: Side::To, .. }),
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
    pub fn measured(&self) -> impl Iterator<Item = (&BenchId, &Measured)> {
        self.rows.iter().filter_map(|row| match &row.outcome {
            Outcome::Measured(m) => Some((&row.id, m.as_ref())),
            Outcome::Failed(_) => None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failure_always_has_a_reason_and_only_a_broken_upgrade_fails_the_check() {
        assert_eq!(Failure::of_sides(None, None), None);
        let to = Failure::of_sides(None, Some("graph is not acyclic".into())).unwrap();
        assert_eq!(to.on(Side::To), Some("graph is not acyclic"));
        assert_eq!(to.on(Side::From), None);
        let row = |failure| Row {
            id: crate::suite::plan(
                EpKind::Cpu,
                &crate::suite::Settings {
                    quick: true,
                    intra_threads: 2,
                },
            )[0]
            .bench_id(),
            outcome: Outcome::Failed(failure),
        };
        assert!(row(to.clone()).fails_check());
        let from = Failure::of_sides(Some("x".into()), None).unwrap();
        assert!(!row(from).fails_check());
        let json = serde_json::to_value(row(to)).unwrap();
        assert_eq!(json["status"], "failed");
        assert_eq!(json["from"], serde_json::Value::Null);
        assert_eq!(json["to"], "graph is not acyclic");
        assert_eq!(json["id"], "cpu/overhead/add_64k/cpu");
        let unpaired = serde_json::to_value(row(Failure::Unpaired {
            reason: "zero".into(),
        }))
        .unwrap();
        assert_eq!(unpaired["reason"], "zero");
    }
}
