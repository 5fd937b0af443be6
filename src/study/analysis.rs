//! Judging the measurements: comparisons with intervals, the fragmentation slope, and the
//! conclusion each one supports. Conclusions are worded from the numbers and the thresholds
//! below, never copied from the study.
//!
//! A comparison's interval is a bootstrap over the iterations of this one run: it covers the
//! noise within the run, not how much another run on the same machine would differ. Where a
//! saved baseline has repeated runs of the same benchmarks, the between-run noise floor learned
//! from them stands beside the interval, and a difference counts only beyond it (the rule
//! `epbench baseline check` uses).

use serde::{Deserialize, Serialize};

use crate::baseline::noise::NoiseModel;
use crate::baseline::{BaselineName, Store};
use crate::machine::Machine;
use crate::runtime::EpKind;
use crate::stats::bootstrap::{RESAMPLES, bootstrap_change, seed_for};
use crate::stats::regression::ols;
use crate::stats::{Change, Verdict, median};
use crate::suite::Finding;
use crate::text::format::percent;
use crate::zoo::Variant;

use super::StudyError;
use super::results::{Row, Subject, of_findings, providers_of};

/// A difference smaller than this (5%) is not called a speed-up or a slow-down even when it is
/// statistically clear: it is within what a machine's state changes between runs.
pub const PRACTICAL: f64 = 0.05;

/// Everything concluded from one run.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Analysis {
    /// Where the between-run noise floors of the comparisons come from; `None` when no baseline
    /// with repeated runs was given, so the comparisons rest on within-run noise only.
    pub between_run_noise: Option<NoiseSource>,
    /// Paired comparisons: EP vs CPU per variant, and variant vs variant per provider.
    pub comparisons: Vec<Comparison>,
    /// The fragmentation experiment: latency added per EP↔CPU cut, per provider.
    pub fragmentation: Vec<SlopeFit>,
}

/// The saved baseline whose repeated runs the between-run noise was learned from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NoiseSource {
    /// The baseline's name.
    pub baseline: String,
    /// Its runs.
    pub runs: usize,
    /// Its setup (machine, ORT, EPs), to compare with this run's.
    pub setup: String,
    /// The machine it was measured on, when recorded.
    pub machine: Option<Machine>,
}

/// Between-run noise for a study: the model learned from a baseline, and where it came from.
#[derive(Debug, Clone)]
pub struct BetweenRunNoise {
    pub source: NoiseSource,
    pub model: NoiseModel,
}

impl BetweenRunNoise {
    /// The noise learned from the repeated runs of baseline `name` in `store`; an error when it
    /// has none.
    pub fn from_baseline(store: &Store, name: &BaselineName) -> Result<Self, StudyError> {
        let runs = store.load(name)?;
        let model = NoiseModel::learn(&[&runs]);
        if model.is_unmeasured() {
            return Err(StudyError::NoRepeatedRuns {
                name: name.to_string(),
            });
        }
        Ok(BetweenRunNoise {
            source: NoiseSource {
                baseline: name.to_string(),
                runs: runs.runs.len(),
                setup: runs
                    .metadata
                    .as_ref()
                    .map_or_else(|| "setup not recorded".into(), |m| m.setup()),
                machine: runs.metadata.as_ref().map(|m| m.machine.clone()),
            },
            model,
        })
    }
}

/// What a comparison's interval covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IntervalKind {
    /// A percentile bootstrap over this run's iterations (5000 resamples, seeded): the noise
    /// within the run only.
    WithinRunBootstrap,
}

/// Two measured rows compared by the time one iteration takes (per sample for batch scaling).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Comparison {
    pub finding: Finding,
    /// The row compared against (CPU, or the finding's first variant).
    pub baseline: String,
    /// The row being judged.
    pub candidate: String,
    /// What the comparison asks, e.g. `openvino vs cpu` or `fp16 vs fp32 on cpu`.
    pub question: String,
    /// Whether times were divided by the batch (per-sample comparison).
    pub per_sample: bool,
    /// Candidate time / baseline time (median), below 1 when the candidate is faster.
    pub time_ratio: f64,
    /// 95% interval of `time_ratio`, of the kind `interval` says.
    pub lower: f64,
    pub upper: f64,
    pub interval: IntervalKind,
    /// The change two runs of identical code show between these two benchmarks, learned from
    /// the baseline in [`Analysis::between_run_noise`] (a fraction, 0.2 = 20%); `None` without
    /// one.
    pub between_run_floor: Option<f64>,
    /// The verdict at `max(PRACTICAL, between_run_floor)`.
    pub verdict: Verdict,
    /// The sentence the report prints.
    pub conclusion: String,
}

/// The conclusion for "`candidate` vs `baseline`" from a change judged `verdict` at `gate`,
/// with the between-run floor when known.
pub fn conclude(
    candidate: &str,
    baseline: &str,
    change: &Change,
    verdict: Verdict,
    gate: f64,
    floor: Option<f64>,
) -> String {
    let (ratio, lower, upper) = change.ratios();
    let floor_text = floor.map_or_else(String::new, |f| {
        format!("; between-run noise floor {}", percent(f))
    });
    let interval =
        format!("95% within-run bootstrap CI of the time ratio {lower:.3}–{upper:.3}{floor_text}");
    // The practical threshold is a round number; a learned floor is printed as measured.
    let gate = if gate > PRACTICAL {
        format!("±{}", percent(gate))
    } else {
        format!("±{:.0}%", gate * 100.0)
    };
    match verdict {
        Verdict::Faster => format!(
            "{candidate} is {:.2}× faster than {baseline} ({interval})",
            1.0 / ratio
        ),
        Verdict::Slower => {
            format!("{candidate} is {ratio:.2}× slower than {baseline} ({interval})")
        }
        Verdict::Equivalent => {
            format!("{candidate} and {baseline} are equivalent within {gate} ({interval})")
        }
        Verdict::Inconclusive => format!(
            "{candidate} vs {baseline}: no difference beyond {gate} can be claimed \
             (ratio {ratio:.3}, {interval})"
        ),
    }
}

/// An ordinary-least-squares line through `(cuts, latency)` points with a t-interval on the slope.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SlopeFit {
    pub provider: EpKind,
    /// Latency added per cut, microseconds.
    pub slope_us: f64,
    /// 95% t-interval of the slope (df = points − 2), microseconds.
    pub lower_us: f64,
    pub upper_us: f64,
    /// Latency at zero cuts, microseconds.
    pub intercept_us: f64,
    /// Points the line was fitted to: one per measured cut count, its median latency. Each cut
    /// count is its own model and session measured at its own time, so the scatter between cut
    /// counts, not between iterations of one run, is the noise the interval must cover; a fit
    /// over per-iteration samples gave intervals a few microseconds wide around lines that
    /// missed half the points.
    pub points: usize,
    /// The cut counts that were measured, and those that failed.
    pub ks: Vec<u32>,
    pub missing_ks: Vec<u32>,
    pub conclusion: String,
}

/// The fragmentation slope of one provider from its probe-chain rows.
pub fn fragmentation_slope(provider: EpKind, rows: &[&Row]) -> Option<SlopeFit> {
    let mut points = Vec::new();
    let mut ks = Vec::new();
    let mut missing_ks = Vec::new();
    for row in rows {
        let Subject::Zoo(Variant::Probe(probe)) = row.variant else {
            continue;
        };
        match row.measured().and_then(|m| median(&m.samples_ms)) {
            Some(median_ms) => {
                ks.push(probe.k);
                points.push((f64::from(probe.k), median_ms * 1e3));
            }
            None => missing_ks.push(probe.k),
        }
    }
    let distinct = ks.len();
    let fit = ols(&points)?;
    let (slope, intercept) = (fit.slope, fit.intercept);
    let (lower, upper) = (slope - fit.slope_half_width, slope + fit.slope_half_width);
    let conclusion = if distinct < 3 {
        format!("only {distinct} cut counts were measured on {provider}: too few to trust a line")
    } else if lower > 0.0 {
        format!(
            "on {provider} each cut adds {slope:.1} µs (95% CI {lower:.1}–{upper:.1} µs) to a run"
        )
    } else if upper < 0.0 {
        format!(
            "on {provider} latency falls with more cuts ({slope:.1} µs per cut, 95% CI \
             {lower:.1}–{upper:.1} µs): the cuts cost nothing measurable"
        )
    } else {
        format!(
            "on {provider} a cut costs no measurable time: the slope {slope:.1} µs per cut has a \
             95% CI of {lower:.1}–{upper:.1} µs, which includes zero"
        )
    };
    Some(SlopeFit {
        provider,
        slope_us: slope,
        lower_us: lower,
        upper_us: upper,
        intercept_us: intercept,
        points: points.len(),
        ks,
        missing_ks,
        conclusion,
    })
}

/// Compares two measured rows; `None` unless both were measured.
pub(super) fn compare(
    finding: Finding,
    baseline: &Row,
    candidate: &Row,
    question: String,
    noise: Option<&NoiseModel>,
) -> Option<Comparison> {
    let (b, c) = (baseline.measured()?, candidate.measured()?);
    let per_sample = finding == Finding::Batch;
    let scale = |row: &Row, samples: &[f64]| -> Vec<f64> {
        let divisor = if per_sample {
            f64::from(row.batch)
        } else {
            1.0
        };
        samples.iter().map(|s| s / divisor).collect()
    };
    let (bs, cs) = (
        scale(baseline, &b.samples_ms),
        scale(candidate, &c.samples_ms),
    );
    let change = bootstrap_change(
        &[&bs],
        &[&cs],
        RESAMPLES,
        seed_for(&format!("{} {}", baseline.id, candidate.id)),
    );
    let floor = noise.and_then(|n| n.floor_between(&baseline.id, &candidate.id));
    let gate = PRACTICAL.max(floor.unwrap_or(0.0));
    let verdict = Verdict::judge(&change, gate);
    let (ratio, lower, upper) = change.ratios();
    let (cname, bname) = names(baseline, candidate, per_sample);
    Some(Comparison {
        finding,
        baseline: baseline.id.clone(),
        candidate: candidate.id.clone(),
        question,
        per_sample,
        time_ratio: ratio,
        lower,
        upper,
        interval: IntervalKind::WithinRunBootstrap,
        between_run_floor: floor,
        verdict,
        conclusion: conclude(&cname, &bname, &change, verdict, gate, floor),
    })
}

/// How a comparison's two sides are named in its sentence.
fn names(baseline: &Row, candidate: &Row, per_sample: bool) -> (String, String) {
    if baseline.provider != candidate.provider {
        return (
            format!("{} on {}", candidate.provider, candidate.label),
            format!("the CPU on {}", baseline.label),
        );
    }
    let unit = if per_sample { "per sample, " } else { "" };
    (
        format!("{} ({unit}{})", candidate.label, candidate.provider),
        format!("{} ({})", baseline.label, baseline.provider),
    )
}

/// Findings whose variants are steps along one axis (dynamic→static, GELU→FastGELU, ...): the
/// first variant is the baseline of the others on the same provider.
fn has_variant_axis(finding: Finding) -> bool {
    matches!(
        finding,
        Finding::Shapes
            | Finding::Activation
            | Finding::Dtype
            | Finding::Vision
            | Finding::Batch
            | Finding::Format
            | Finding::Units
            | Finding::Threads
            | Finding::OptLevel
    )
}

/// Every comparison and slope the rows support, with between-run floors from `noise` when
/// given.
pub fn analyse(rows: &[Row], noise: Option<&BetweenRunNoise>) -> Analysis {
    analyse_rows(&rows.iter().collect::<Vec<_>>(), noise)
}

/// [`analyse`] over some of a run's rows (one model's, in the study of the user's models).
pub(super) fn analyse_rows(rows: &[&Row], noise: Option<&BetweenRunNoise>) -> Analysis {
    let model = noise.map(|n| &n.model);
    let mut analysis = Analysis {
        between_run_noise: noise.map(|n| n.source.clone()),
        ..Analysis::default()
    };
    let mut findings: Vec<Finding> = Vec::new();
    for row in rows {
        if !findings.contains(&row.finding) {
            findings.push(row.finding);
        }
    }
    for finding in findings {
        let of_finding = of_findings(rows.iter().copied(), &[finding]);
        let providers = providers_of(&of_finding);
        // The EP against the CPU on the same variant.
        for cpu in of_finding.iter().filter(|r| r.provider == EpKind::Cpu) {
            for ep in of_finding
                .iter()
                .filter(|r| r.provider != EpKind::Cpu && r.label == cpu.label)
            {
                let question = format!("{} vs cpu", ep.provider);
                analysis
                    .comparisons
                    .extend(compare(finding, cpu, ep, question, model));
            }
        }
        if has_variant_axis(finding) {
            for &provider in &providers {
                let same: Vec<&&Row> = of_finding
                    .iter()
                    .filter(|r| r.provider == provider)
                    .collect();
                let Some((first, rest)) = same.split_first() else {
                    continue;
                };
                for other in rest {
                    let question = format!("{} vs {} on {provider}", other.label, first.label);
                    analysis
                        .comparisons
                        .extend(compare(finding, first, other, question, model));
                }
            }
        }
        if finding == Finding::Fragmentation {
            for &provider in &providers {
                let same: Vec<&Row> = of_finding
                    .iter()
                    .copied()
                    .filter(|r| r.provider == provider)
                    .collect();
                analysis
                    .fragmentation
                    .extend(fragmentation_slope(provider, &same));
            }
        }
    }
    analysis
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(ratio: f64, lower: f64, upper: f64) -> Change {
        Change {
            point: ratio - 1.0,
            lower: lower - 1.0,
            upper: upper - 1.0,
            confidence: 0.95,
        }
    }

    fn sentence(ratio: f64, lower: f64, upper: f64, floor: Option<f64>) -> String {
        let change = change(ratio, lower, upper);
        let gate = PRACTICAL.max(floor.unwrap_or(0.0));
        conclude(
            "a",
            "b",
            &change,
            Verdict::judge(&change, gate),
            gate,
            floor,
        )
    }

    #[test]
    fn conclusions_say_what_the_interval_supports_and_covers() {
        let faster = sentence(0.5, 0.45, 0.55, None);
        assert!(faster.contains("2.00× faster"), "{faster}");
        assert!(faster.contains("95% within-run bootstrap CI"), "{faster}");
        assert!(sentence(2.0, 1.9, 2.1, None).contains("2.00× slower"));
        assert!(sentence(1.0, 0.99, 1.01, None).contains("equivalent within ±5%"));
        assert!(sentence(0.97, 0.90, 1.02, None).contains("no difference beyond ±5%"));
        // A between-run floor above the practical threshold widens the gate and is printed.
        let noisy = sentence(1.2, 1.1, 1.3, Some(0.4));
        assert!(
            noisy.contains("equivalent within ±40.0%")
                && noisy.contains("between-run noise floor 40.0%"),
            "{noisy}"
        );
    }
}
