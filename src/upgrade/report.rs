//! The result of an upgrade check: per benchmark, each side's latency, the paired change with
//! its interval, the verdict and the resolution by the deciding clock (and by the other one),
//! and whether the outputs agree; with the method, the noise controls in effect, and a summary.

use crate::machine::Machine;
use crate::provisioning::OrtRequirement;
use crate::runtime::EpKind;
use crate::stats::{Sorted, Verdict};
use crate::suite::BenchId;

use super::agreement::Agreement;
use super::measure::Measure;
use super::paired::{Interval, Judged};
use super::pinning::PinPlan;
use super::stopping::{Decision, Stopping};
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
    /// Fixed rounds or adaptive with a budget.
    pub stopping: Stopping,
    /// The interval the verdicts judge (it follows from the stopping).
    pub interval: Interval,
    /// The clock that decides.
    pub measure: Measure,
    /// Target duration of one burst on one side, in milliseconds.
    pub burst_ms: f64,
    /// A change counts only beyond this fraction (0.05 = 5%), with 95% confidence.
    pub threshold: f64,
    /// The power at which resolutions are stated.
    pub power: f64,
    /// Whether an inconclusive verdict fails the check (`--strict`).
    pub strict: bool,
    /// Intra-op threads of the sessions (unless a side's options override them).
    pub intra_threads: usize,
    pub noise: NoiseControls,
}

/// One start of both workers.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Generation {
    /// The side that was started, prepared (and, in the first generation, calibrated and
    /// warmed up) first.
    pub first: Side,
    /// The first round it measured (0-based); it measured every round until the next
    /// generation's first.
    pub first_round: usize,
    /// Seconds it took to start: both workers spawned, their runtimes loaded and every
    /// benchmark still being measured prepared on both sides.
    pub start_s: f64,
}

/// What the check did against noise at its source, and what it could not do here.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct NoiseControls {
    /// Whether each burst's process CPU time was recorded (all its threads' clocks), as well as
    /// wall time.
    pub cpu_time: bool,
    /// The longest a worker waits after its burst for its threads to stop spinning, so that the
    /// other side measures on idle cores (0 where CPU time is not available to tell).
    pub idle_wait_max_ms: f64,
    /// Whether ORT's idle intra-op threads were let spin between runs (ORT's default) rather
    /// than sleep at once.
    pub intra_op_spinning: bool,
    /// A benchmark's sessions are re-created on both sides after a pair of rounds once the
    /// rounds since took this many times what creating them took: each session is one draw of
    /// where its buffers landed, which a cache-bound model's speed can depend on for the
    /// session's life.
    pub session_refresh_after: f64,
    /// The rounds are split into this many equal parts (of the fixed rounds, or of the budget),
    /// each measured by a new pair of workers (a generation, see [`UpgradeReport::generations`]):
    /// whichever worker starts first stays slower for its life, so the side that starts first
    /// alternates from one generation to the next. A check decided early uses fewer.
    pub worker_generations: usize,
    /// Whether and where the workers were pinned, and why.
    pub pinning: PinPlan,
    /// Workers that could not be pinned as planned, with the reason.
    pub pin_errors: Vec<String>,
    /// How each benchmark was warmed up before its rounds.
    pub warmup: WarmupRule,
}

/// Warm-up bursts run on both sides, alternating, until neither side's latest burst median is
/// more than `tolerance` below its earlier minimum (the times stopped falling), at most
/// `max_bursts` per side.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct WarmupRule {
    pub max_bursts: u32,
    pub tolerance: f64,
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
    /// The process's CPU time over each burst, in ns; `None` where the OS does not report it.
    pub burst_cpu_ns: Option<Vec<u64>>,
}

/// A benchmark measured on both sides.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Measured {
    /// Timed iterations per burst (the same on both sides).
    pub iterations_per_burst: u32,
    /// Warm-up bursts per side before the rounds, and whether the medians settled within them.
    pub warmup_bursts: u32,
    pub settled: bool,
    pub from: Latency,
    pub to: Latency,
    /// The change, verdict and resolution by the deciding clock ([`Method::measure`]).
    #[serde(flatten)]
    pub judged: Judged,
    /// When an adaptive check decided this benchmark; `None` for fixed rounds, or when the
    /// budget ran out first.
    pub decided: Option<Decision>,
    /// Sessions created per side: the first, and each re-creation between pairs of rounds
    /// (see [`NoiseControls::session_refresh_after`]).
    pub sessions: u32,
    /// The same rounds judged by the other clock, for comparison; `None` when it was not
    /// recorded.
    pub other_measure: Option<OtherMeasure>,
    #[serde(flatten)]
    pub agreement: Agreement,
}

impl Measured {
    /// The verdict by the deciding clock.
    pub fn verdict(&self) -> Verdict {
        self.judged.verdict
    }
}

/// A benchmark's rounds judged by the clock that did not decide.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct OtherMeasure {
    pub measure: Measure,
    #[serde(flatten)]
    pub judged: Judged,
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
    /// ran before the upgrade and fails after it; when `strict`, also an inconclusive verdict.
    pub fn fails_check(&self, strict: bool) -> bool {
        match &self.outcome {
            Outcome::Measured(m) => {
                m.verdict() == Verdict::Slower
                    || (strict && m.verdict() == Verdict::Inconclusive)
                    || m.agreement.is_mismatch()
            }
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
    /// Of that, the measured rounds, in seconds (what the budget limits), restarts included.
    pub measuring_s: f64,
    /// Each start of both workers, in order: the first before the rounds, then one per restart
    /// (see [`NoiseControls::worker_generations`]).
    pub generations: Vec<Generation>,
    pub rows: Vec<Row>,
    pub summary: Summary,
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
        count(&self.rows, verdicts)
    }

    /// The measured rows.
    pub fn measured(&self) -> impl Iterator<Item = (&BenchId, &Measured)> {
        measured(&self.rows)
    }
}

/// The verdicts counted, and the resolution over the measured rows.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Summary {
    pub slower: usize,
    pub faster: usize,
    pub equivalent: usize,
    pub inconclusive: usize,
    pub not_measured: usize,
    /// The median and the largest [`Resolution::plus_minus`](super::paired::Resolution::plus_minus)
    /// over the measured rows that have one.
    pub resolution_median: Option<f64>,
    pub resolution_max: Option<f64>,
    /// Whether an adaptive check stopped on its budget with benchmarks still undecided.
    pub budget_exhausted: bool,
}

impl Summary {
    /// The summary of `rows`.
    pub fn of(rows: &[Row], budget_exhausted: bool) -> Summary {
        let resolutions = Sorted::new(
            measured(rows)
                .filter_map(|(_, m)| m.judged.resolution.map(|r| r.plus_minus()))
                .collect(),
        );
        Summary {
            slower: count(rows, &[Verdict::Slower]),
            faster: count(rows, &[Verdict::Faster]),
            equivalent: count(rows, &[Verdict::Equivalent]),
            inconclusive: count(rows, &[Verdict::Inconclusive]),
            not_measured: rows.len() - measured(rows).count(),
            resolution_median: resolutions.as_ref().map(Sorted::median),
            resolution_max: resolutions.as_ref().map(Sorted::max),
            budget_exhausted,
        }
    }
}

fn measured(rows: &[Row]) -> impl Iterator<Item = (&BenchId, &Measured)> {
    rows.iter().filter_map(|row| match &row.outcome {
        Outcome::Measured(m) => Some((&row.id, m.as_ref())),
        Outcome::Failed(_) => None,
    })
}

fn count(rows: &[Row], verdicts: &[Verdict]) -> usize {
    measured(rows)
        .filter(|(_, m)| verdicts.contains(&m.verdict()))
        .count()
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
        assert!(row(to.clone()).fails_check(false));
        let from = Failure::of_sides(Some("x".into()), None).unwrap();
        assert!(!row(from).fails_check(true));
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
