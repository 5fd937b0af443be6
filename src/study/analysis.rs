//! Judging the measurements: comparisons with intervals, the fragmentation slope, and the
//! conclusion each one supports. Conclusions are worded from the numbers and the thresholds
//! below, never copied from the study.

use serde::{Deserialize, Serialize};

use crate::baseline::stats::{self, RESAMPLES};
use crate::runtime::EpKind;
use crate::suite::Finding;
use crate::zoo::Variant;

use super::results::Row;

/// A difference smaller than this (5%) is not called a speed-up or a slow-down even when it is
/// statistically clear: it is within what a machine's state changes between runs.
pub const PRACTICAL: f64 = 0.05;

/// Everything concluded from one run.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Analysis {
    /// Paired comparisons: EP vs CPU per variant, and variant vs variant per provider.
    pub comparisons: Vec<Comparison>,
    /// The fragmentation experiment: latency added per EP↔CPU cut, per provider.
    pub fragmentation: Vec<SlopeFit>,
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
    /// 95% percentile-bootstrap interval of `time_ratio` over the per-iteration samples.
    pub lower: f64,
    pub upper: f64,
    pub verdict: Verdict,
    /// The sentence the report prints.
    pub conclusion: String,
}

/// What an interval of a time ratio supports, at the [`PRACTICAL`] threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The whole interval is below `1 - PRACTICAL`.
    Faster,
    /// The whole interval is above `1 + PRACTICAL`.
    Slower,
    /// The whole interval is within `1 ± PRACTICAL`.
    Equivalent,
    /// The interval straddles a threshold: the data cannot tell.
    Inconclusive,
}

impl Verdict {
    /// Judges an interval `[lower, upper]` of a time ratio (candidate / baseline).
    pub fn of_interval(lower: f64, upper: f64) -> Verdict {
        if upper < 1.0 - PRACTICAL {
            Verdict::Faster
        } else if lower > 1.0 + PRACTICAL {
            Verdict::Slower
        } else if lower >= 1.0 - PRACTICAL && upper <= 1.0 + PRACTICAL {
            Verdict::Equivalent
        } else {
            Verdict::Inconclusive
        }
    }
}

/// The conclusion for "`candidate` vs `baseline`" from a time ratio and its interval.
pub fn conclude(candidate: &str, baseline: &str, ratio: f64, lower: f64, upper: f64) -> String {
    let interval = format!("95% CI of the time ratio {lower:.3}–{upper:.3}");
    match Verdict::of_interval(lower, upper) {
        Verdict::Faster => format!(
            "{candidate} is {:.2}× faster than {baseline} ({interval})",
            1.0 / ratio
        ),
        Verdict::Slower => {
            format!("{candidate} is {ratio:.2}× slower than {baseline} ({interval})")
        }
        Verdict::Equivalent => format!(
            "{candidate} and {baseline} are equivalent within ±{:.0}% ({interval})",
            PRACTICAL * 100.0
        ),
        Verdict::Inconclusive => format!(
            "{candidate} vs {baseline}: no difference beyond ±{:.0}% can be claimed \
             (ratio {ratio:.3}, {interval})",
            PRACTICAL * 100.0
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

/// The OLS slope, intercept and the 95% t-interval half-width of the slope for `(x, y)` points.
/// `None` with fewer than three points or fewer than two distinct x.
pub fn ols(points: &[(f64, f64)]) -> Option<(f64, f64, f64)> {
    let n = points.len();
    if n < 3 {
        return None;
    }
    let nf = n as f64;
    let mean_x = points.iter().map(|p| p.0).sum::<f64>() / nf;
    let mean_y = points.iter().map(|p| p.1).sum::<f64>() / nf;
    let sxx: f64 = points.iter().map(|p| (p.0 - mean_x).powi(2)).sum();
    if sxx == 0.0 {
        return None;
    }
    let sxy: f64 = points.iter().map(|p| (p.0 - mean_x) * (p.1 - mean_y)).sum();
    let slope = sxy / sxx;
    let intercept = mean_y - slope * mean_x;
    let residuals: f64 = points
        .iter()
        .map(|p| (p.1 - intercept - slope * p.0).powi(2))
        .sum();
    let standard_error = (residuals / (nf - 2.0) / sxx).sqrt();
    Some((
        slope,
        intercept,
        stats::t_quantile_975(n - 2) * standard_error,
    ))
}

/// The fragmentation slope of one provider from its probe-chain rows.
pub fn fragmentation_slope(provider: EpKind, rows: &[&Row]) -> Option<SlopeFit> {
    let mut points = Vec::new();
    let mut ks = Vec::new();
    let mut missing_ks = Vec::new();
    for row in rows {
        let Ok(Variant::Probe(probe)) = row.label.parse::<Variant>() else {
            continue;
        };
        match row.measured() {
            Some(m) => {
                ks.push(probe.k);
                let mut samples = m.samples_ms.clone();
                points.push((f64::from(probe.k), stats::median(&mut samples) * 1e3));
            }
            None => missing_ks.push(probe.k),
        }
    }
    let distinct = ks.len();
    let (slope, intercept, half) = ols(&points)?;
    let (lower, upper) = (slope - half, slope + half);
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
fn compare(
    finding: Finding,
    baseline: &Row,
    candidate: &Row,
    question: String,
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
    let change = stats::bootstrap_change(
        &[&bs],
        &[&cs],
        RESAMPLES,
        stats::seed_for(&format!("{} {}", baseline.id, candidate.id)),
    );
    let (ratio, lower, upper) = (1.0 + change.point, 1.0 + change.lower, 1.0 + change.upper);
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
        verdict: Verdict::of_interval(lower, upper),
        conclusion: conclude(&cname, &bname, ratio, lower, upper),
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

/// Every comparison and slope the rows support.
pub fn analyse(rows: &[Row]) -> Analysis {
    let mut analysis = Analysis::default();
    let mut findings: Vec<Finding> = Vec::new();
    for row in rows {
        if !findings.contains(&row.finding) {
            findings.push(row.finding);
        }
    }
    for finding in findings {
        let of_finding: Vec<&Row> = rows.iter().filter(|r| r.finding == finding).collect();
        let mut providers: Vec<EpKind> = Vec::new();
        for row in &of_finding {
            if !providers.contains(&row.provider) {
                providers.push(row.provider);
            }
        }
        // The EP against the CPU on the same variant.
        for cpu in of_finding.iter().filter(|r| r.provider == EpKind::Cpu) {
            for ep in of_finding
                .iter()
                .filter(|r| r.provider != EpKind::Cpu && r.label == cpu.label)
            {
                let question = format!("{} vs cpu", ep.provider);
                analysis
                    .comparisons
                    .extend(compare(finding, cpu, ep, question));
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
                        .extend(compare(finding, first, other, question));
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

    #[test]
    fn ols_recovers_a_known_line_and_its_interval() {
        // y = 10 + 2x with residuals +1, -1, -1, +1 at x = 0, 1, 2, 3:
        // the residuals are orthogonal to 1 and to x - 1.5? (1,-1,-1,1)·(-1.5,-0.5,0.5,1.5) = 0.
        let points = [(0.0, 11.0), (1.0, 11.0), (2.0, 13.0), (3.0, 17.0)];
        let (slope, intercept, half) = ols(&points).unwrap();
        assert!((slope - 2.0).abs() < 1e-12, "{slope}");
        assert!((intercept - 10.0).abs() < 1e-12, "{intercept}");
        // SSE = 4, s² = 4 / 2 = 2, Sxx = 5, SE = sqrt(2/5), t(2) = 4.303.
        let expected = 4.303 * (2.0f64 / 5.0).sqrt();
        assert!((half - expected).abs() < 1e-9, "{half} vs {expected}");
    }

    #[test]
    fn ols_needs_spread_in_x() {
        assert!(ols(&[(1.0, 1.0), (1.0, 2.0), (1.0, 3.0)]).is_none());
        assert!(ols(&[(0.0, 1.0), (1.0, 2.0)]).is_none());
    }

    #[test]
    fn verdicts_follow_the_practical_threshold() {
        assert_eq!(Verdict::of_interval(0.40, 0.50), Verdict::Faster);
        assert_eq!(Verdict::of_interval(1.06, 1.30), Verdict::Slower);
        assert_eq!(Verdict::of_interval(0.97, 1.04), Verdict::Equivalent);
        assert_eq!(Verdict::of_interval(0.90, 1.02), Verdict::Inconclusive);
        assert_eq!(Verdict::of_interval(1.02, 1.10), Verdict::Inconclusive);
        let faster = conclude("openvino on x", "the CPU on x", 0.5, 0.45, 0.55);
        assert!(faster.contains("2.00× faster"), "{faster}");
        let slower = conclude("a", "b", 2.0, 1.9, 2.1);
        assert!(slower.contains("2.00× slower"), "{slower}");
        assert!(conclude("a", "b", 1.0, 0.99, 1.01).contains("equivalent within ±5%"));
        assert!(conclude("a", "b", 0.97, 0.90, 1.02).contains("no difference beyond ±5%"));
    }
}
