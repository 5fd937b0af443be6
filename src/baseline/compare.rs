//! Several baselines side by side: one row per benchmark id, one column per baseline, each
//! column's change against the first with its interval and verdict. The rule that judges one
//! pair of sides (`judge_pair`) is here too; `check` uses it.

use std::collections::BTreeSet;

use super::BaselineMetadata;
use super::noise::{NoiseFloor, NoiseModel};
use super::run::RunSet;
use crate::stats::bootstrap::{RESAMPLES, bootstrap_change, seed_for};
use crate::stats::runs::log_location;
use crate::stats::{Change, Verdict};

/// How changes are judged.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CompareOptions {
    /// Changes smaller than this (a fraction, 0.05 = 5%) never count, whatever the statistics.
    pub threshold: f64,
    /// A fixed noise floor (a fraction) instead of the one learned from repeated runs.
    pub noise_floor: Option<f64>,
    /// Bootstrap resamples per benchmark.
    pub resamples: usize,
}

impl Default for CompareOptions {
    /// No threshold: mark every change that the statistics and the noise floor support.
    fn default() -> Self {
        CompareOptions {
            threshold: 0.0,
            noise_floor: None,
            resamples: RESAMPLES,
        }
    }
}

/// One side of a comparison, as tables show it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Column {
    /// The baseline's name, or `last run`.
    pub label: String,
    /// How many runs the side has.
    pub runs: usize,
    /// Its setup, when known.
    pub metadata: Option<BaselineMetadata>,
}

impl Column {
    /// The column for `side`.
    pub fn of(side: &RunSet) -> Self {
        Column {
            label: side.label.clone(),
            runs: side.runs.len(),
            metadata: side.metadata.clone(),
        }
    }
}

/// One benchmark in one column.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Cell {
    /// The side's typical time per iteration: the geometric mean over runs of each run's median.
    pub median_ns: f64,
    /// Runs of the side that have this benchmark.
    pub runs: usize,
    /// The change against the first column, judged; `None` in the first column and where the
    /// first column lacks the benchmark.
    pub against_first: Option<Judged>,
}

/// One benchmark id across all columns; `None` where a column lacks it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Row {
    /// The benchmark id.
    pub id: String,
    /// One cell per column.
    pub cells: Vec<Option<Cell>>,
}

/// How a column's benchmark ids differ from the first column's.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct IdDifference {
    /// The column.
    pub label: String,
    /// Ids in the first column but not in this one.
    pub missing: Vec<String>,
    /// Ids in this column but not in the first.
    pub added: Vec<String>,
}

/// The side-by-side table.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Comparison {
    /// The sides, the first being the reference.
    pub columns: Vec<Column>,
    /// The threshold used (a fraction).
    pub threshold: f64,
    /// One row per benchmark id in any column, sorted.
    pub rows: Vec<Row>,
    /// Benchmarks added or removed relative to the first column (only columns that differ).
    pub id_differences: Vec<IdDifference>,
    /// What the reader must know to trust the table: differing runtimes, machines, noise.
    pub notes: Vec<String>,
}

/// Compares every side with the first.
pub fn compare(sides: &[RunSet], options: &CompareOptions) -> Comparison {
    let ids: BTreeSet<&str> = sides.iter().flat_map(RunSet::ids).collect();
    // The first column is the reference; every other column gets the noise model of its pair.
    let pairs: Vec<Option<(&RunSet, NoiseModel)>> = sides
        .iter()
        .enumerate()
        .map(|(column, side)| {
            let reference = sides.first().filter(|_| column > 0)?;
            Some((reference, noise_model(reference, side, options)))
        })
        .collect();
    let rows = ids
        .iter()
        .map(|&id| Row {
            id: id.to_string(),
            cells: sides
                .iter()
                .zip(&pairs)
                .map(|(side, pair)| cell(id, side, pair.as_ref(), options))
                .collect(),
        })
        .collect();
    let mut notes = setup_notes(&sides.iter().collect::<Vec<_>>());
    notes.extend(sides.iter().zip(&pairs).filter_map(|(side, pair)| {
        let (reference, noise) = pair.as_ref()?;
        unmeasured_note(reference, side, noise)
    }));
    Comparison {
        columns: sides.iter().map(Column::of).collect(),
        threshold: options.threshold,
        rows,
        id_differences: id_differences(sides),
        notes,
    }
}

fn cell(
    id: &str,
    side: &RunSet,
    pair: Option<&(&RunSet, NoiseModel)>,
    options: &CompareOptions,
) -> Option<Cell> {
    let samples = side.samples(id);
    if samples.is_empty() {
        return None;
    }
    Some(Cell {
        median_ns: log_location(&samples).exp(),
        runs: samples.len(),
        against_first: pair
            .and_then(|(reference, noise)| judge_pair(id, reference, side, noise, options)),
    })
}

/// The noise model for comparing `new` with `reference`: the given floor, or learned from both.
pub(super) fn noise_model(
    reference: &RunSet,
    new: &RunSet,
    options: &CompareOptions,
) -> NoiseModel {
    match options.noise_floor {
        Some(fraction) => NoiseModel::given(fraction),
        None => NoiseModel::learn(&[reference, new]),
    }
}

/// Benchmark `id` of `new` against `reference`; `None` when either side lacks it.
pub(super) fn judge_pair(
    id: &str,
    reference: &RunSet,
    new: &RunSet,
    noise: &NoiseModel,
    options: &CompareOptions,
) -> Option<Judged> {
    let before = reference.samples(id);
    let after = new.samples(id);
    if before.is_empty() || after.is_empty() {
        return None;
    }
    let change = bootstrap_change(&before, &after, options.resamples, seed_for(id));
    let floor = noise.floor(id, before.len(), after.len());
    Some(Judged::new(change, options.threshold, floor))
}

/// One benchmark's change, judged.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Judged {
    /// The change and its within-run bootstrap interval.
    pub change: Change,
    /// The noise floor used.
    pub noise_floor: NoiseFloor,
    /// `max(threshold, noise floor)`: the size a change must exceed to count.
    pub gate: f64,
    /// The conclusion, at `gate`.
    pub verdict: Verdict,
}

impl Judged {
    /// Judges `change` at `max(threshold, noise floor)`: slower only when the interval's lower
    /// bound exceeds it, faster only when its upper bound is below its mirror image (see
    /// [`Verdict::judge`]).
    pub fn new(change: Change, threshold: f64, noise_floor: NoiseFloor) -> Self {
        let gate = threshold.max(noise_floor.fraction);
        Judged {
            verdict: Verdict::judge(&change, gate),
            change,
            noise_floor,
            gate,
        }
    }
}

fn id_differences(sides: &[RunSet]) -> Vec<IdDifference> {
    let Some((first, others)) = sides.split_first() else {
        return Vec::new();
    };
    let first_ids = first.ids();
    others
        .iter()
        .map(|side| {
            let ids = side.ids();
            IdDifference {
                label: side.label.clone(),
                missing: first_ids.difference(&ids).map(|s| s.to_string()).collect(),
                added: ids.difference(&first_ids).map(|s| s.to_string()).collect(),
            }
        })
        .filter(|d| !d.missing.is_empty() || !d.added.is_empty())
        .collect()
}

/// Notes on setups that differ between sides: the runtime (expected in an upgrade check, but
/// worth stating), the machine, the EP options.
pub(super) fn setup_notes(sides: &[&RunSet]) -> Vec<String> {
    let known: Vec<(&str, &BaselineMetadata)> = sides
        .iter()
        .filter_map(|s| Some((s.label.as_str(), s.metadata.as_ref()?)))
        .collect();
    let mut notes = Vec::new();
    let mut differs = |what: &str, describe: &dyn Fn(&BaselineMetadata) -> String| {
        let values: Vec<String> = known.iter().map(|(_, m)| describe(m)).collect();
        if values.iter().any(|v| v != &values[0]) {
            let listed: Vec<String> = known
                .iter()
                .zip(&values)
                .map(|((label, _), value)| format!("{label}: {value}"))
                .collect();
            notes.push(format!("{what} differ: {}", listed.join("; ")));
        }
    };
    differs("ONNX Runtime requirements", &|m| {
        format!("{} (ORT {})", m.ort.requirement_text(), m.ort.version)
    });
    differs("machines", &|m| {
        format!(
            "{}, {} cores, {} {}",
            m.machine.cpu, m.machine.cores, m.machine.os, m.machine.arch
        )
    });
    differs("execution providers", &|m| {
        let eps: Vec<String> = m.eps.iter().map(ToString::to_string).collect();
        eps.join(", ")
    });
    notes
}

/// A warning when a pair's verdicts rest on within-run noise only.
pub(super) fn unmeasured_note(
    reference: &RunSet,
    new: &RunSet,
    noise: &NoiseModel,
) -> Option<String> {
    noise.is_unmeasured().then(|| {
        format!(
            "noise floor unmeasured for {} vs {}: both have a single run, so verdicts only \
             account for within-run noise, and runs on a busy machine can differ far more; save \
             repeated runs with `epbench baseline save NAME --append`, or pass --noise-floor",
            new.label, reference.label
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::baseline::noise::NoiseBasis;

    fn floor(fraction: f64) -> NoiseFloor {
        NoiseFloor {
            fraction,
            basis: NoiseBasis::Given,
        }
    }

    #[test]
    fn the_gate_is_the_larger_of_threshold_and_noise() {
        let slow = Change::between(0.25, 0.35);
        let judged = |threshold, noise| Judged::new(slow, threshold, floor(noise));
        assert_eq!(judged(0.10, 0.0).verdict, Verdict::Slower);
        assert_eq!(judged(0.10, 0.30).verdict, Verdict::Inconclusive);
        assert_eq!(judged(0.30, 0.0).verdict, Verdict::Inconclusive);
        assert_eq!(judged(0.10, 0.30).gate, 0.30);
        assert_eq!(judged(0.40, 0.0).verdict, Verdict::Equivalent);
    }
}
