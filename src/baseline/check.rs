//! The CI gate: a run against a saved baseline, failing only on regressions that exceed both the
//! threshold and the noise floor with 95% confidence.

use std::path::PathBuf;

use regex::Regex;

use super::BaselineError;
use super::compare::{self, Column, CompareOptions, Judged};
use super::noise::NoiseBasis;
use super::run::RunSet;
use crate::stats::Verdict;
use crate::stats::runs::log_location;
use crate::text::format::percent;

/// The threshold `epbench baseline check` uses unless told otherwise: 10%.
pub const DEFAULT_THRESHOLD: f64 = 0.10;

/// One benchmark in a check.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CheckRow {
    /// The benchmark id.
    pub id: String,
    /// The baseline's typical time per iteration (geometric mean of its runs' medians), in ns.
    pub baseline_ns: f64,
    /// The checked run's, in ns.
    pub current_ns: f64,
    /// The change, the noise floor and gate used, and the verdict.
    #[serde(flatten)]
    pub judged: Judged,
}

/// The outcome of a check.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CheckReport {
    /// The saved baseline.
    pub baseline: Column,
    /// The run being checked.
    pub current: Column,
    /// The threshold used (a fraction).
    pub threshold: f64,
    /// Every benchmark both sides have, sorted by id.
    pub rows: Vec<CheckRow>,
    /// Benchmarks in the run but not in the baseline (not judged).
    pub added: Vec<String>,
    /// Benchmarks in the baseline but not in the run (not judged).
    pub removed: Vec<String>,
    /// Differing runtimes or machines, unmeasured noise.
    pub notes: Vec<String>,
    /// Whether the check passed: no benchmark regressed.
    pub passed: bool,
}

impl CheckReport {
    /// The benchmarks that regressed.
    pub fn regressions(&self) -> impl Iterator<Item = &CheckRow> {
        self.rows
            .iter()
            .filter(|row| row.judged.verdict == Verdict::Slower)
    }

    /// The process exit code for this outcome: 1 when a benchmark regressed, 0 otherwise.
    pub fn exit_code(&self) -> u8 {
        if self.passed { 0 } else { 1 }
    }
}

/// Checks `current` against `baseline`.
///
/// Benchmarks only one side has are listed, not judged. Fails when the sides share no benchmark
/// at all, because a gate that compared nothing must not pass.
pub fn check(
    baseline: &RunSet,
    current: &RunSet,
    options: &CompareOptions,
) -> Result<CheckReport, BaselineError> {
    let baseline_ids = baseline.ids();
    let current_ids = current.ids();
    let common: Vec<&str> = baseline_ids.intersection(&current_ids).copied().collect();
    if common.is_empty() {
        return Err(BaselineError::NothingInCommon {
            baseline: baseline.label.clone(),
            current: current.label.clone(),
            baseline_ids: baseline_ids.iter().take(3).map(|s| s.to_string()).collect(),
            current_ids: current_ids.iter().take(3).map(|s| s.to_string()).collect(),
        });
    }
    let noise = compare::noise_model(baseline, current, options);
    let rows: Vec<CheckRow> = common
        .iter()
        .filter_map(|&id| {
            let judged = compare::judge_pair(id, baseline, current, &noise, options)?;
            Some(CheckRow {
                id: id.to_string(),
                baseline_ns: log_location(&baseline.samples(id)).exp(),
                current_ns: log_location(&current.samples(id)).exp(),
                judged,
            })
        })
        .collect();
    let mut notes = compare::setup_notes(&[baseline, current]);
    notes.extend(compare::unmeasured_note(baseline, current, &noise));
    notes.extend(floor_above_threshold(&rows, options.threshold));
    let passed = !rows.iter().any(|r| r.judged.verdict == Verdict::Slower);
    Ok(CheckReport {
        baseline: Column::of(baseline),
        current: Column::of(current),
        threshold: options.threshold,
        rows,
        added: current_ids
            .difference(&baseline_ids)
            .map(|s| s.to_string())
            .collect(),
        removed: baseline_ids
            .difference(&current_ids)
            .map(|s| s.to_string())
            .collect(),
        notes,
        passed,
    })
}

/// Says so when learned noise, not the threshold, decides what counts: on a noisy machine a
/// small regression cannot be told from a bad afternoon, and the user should know the gate is
/// coarser than the threshold suggests.
fn floor_above_threshold(rows: &[CheckRow], threshold: f64) -> Option<String> {
    let highest = rows
        .iter()
        .filter(|row| matches!(row.judged.noise_floor.basis, NoiseBasis::Learned { .. }))
        .map(|row| row.judged.noise_floor.fraction)
        .fold(None, |max: Option<f64>, f| {
            Some(max.map_or(f, |m| m.max(f)))
        })?;
    (highest > threshold).then(|| {
        format!(
            "the learned noise floor reaches {}, above the {} threshold: smaller \
             regressions cannot be told from run-to-run noise on this machine; more runs on either \
             side lower it (several --from directories, `epbench baseline save NAME --append`)",
            percent(highest),
            percent(threshold)
        )
    })
}

/// Checks the last runs in `current` criterion output directories against those in `baseline`
/// directories, without saving anything: the A/A and A/B validation of the gate on real runs
/// (copy `target/criterion` after each `cargo bench`, then compare the copies).
pub fn check_criterion_dirs(
    baseline: &[PathBuf],
    current: &[PathBuf],
    options: &CompareOptions,
    filter: Option<&Regex>,
) -> Result<CheckReport, BaselineError> {
    let baseline = RunSet::from_criterion_dirs("baseline", baseline, None, filter)?;
    let current = RunSet::from_criterion_dirs("current", current, None, filter)?;
    check(&baseline, &current, options)
}
