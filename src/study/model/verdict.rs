//! The verdict for one of the user's models, from what the study measured: the fastest
//! configuration whose outputs match the CPU's and its speedup with the interval, which
//! interventions pay off, or that the model should stay on the CPU, with the numbers that say
//! so. When the EP cannot execute here, what was measured and what needs the EP's machine.
//!
//! Every ratio comes from the study's comparisons (medians with a bootstrap interval, judged by
//! the one [`Verdict`] rule at the practical threshold or the between-run floor); nothing here
//! computes a statistic of its own.

use crate::rewrite::RewriteKind;
use crate::runtime::EpKind;
use crate::stats::Verdict;
use crate::text::format::ms;

use crate::baseline::noise::NoiseModel;

use super::super::analysis::{self, Comparison};
use super::super::results::{PartitionNumbers, PartitionOutcome, PartitionSource, Row, Status};
use super::super::summary::first_line;
use super::results::{Decision, Fastest, InterventionVerdict, ModelVerdict};

/// One configuration the model (or one of its rewrites) was timed in.
#[derive(Debug, Clone)]
pub struct Candidate<'a> {
    /// `coreml:format=mlprogram on bert`, `the CPU on bert+fix-dims`.
    pub configuration: String,
    /// The rewrite the configuration runs, if any.
    pub rewrite: Option<RewriteKind>,
    pub row: &'a Row,
}

/// What the study found for one intervention.
#[derive(Debug, Clone)]
pub struct InterventionEvidence<'a> {
    pub rewrite: RewriteKind,
    /// Why the rewritten model could not be made, when it could not.
    pub not_made: Option<&'a str>,
    /// Its rows on the CPU and on the EP with default options.
    pub cpu: Option<&'a Row>,
    pub ep: Option<&'a Row>,
    /// Partitions on the EP with default options, of the original and of the rewrite.
    pub before: Option<&'a PartitionNumbers>,
    pub after: Option<&'a PartitionNumbers>,
}

/// Everything the verdict for one model is judged on.
#[derive(Debug, Clone)]
pub struct Evidence<'a> {
    pub ep: EpKind,
    /// The model as given on the CPU: the reference every configuration is compared with.
    pub cpu: &'a Row,
    /// The model as given on the EP with default options.
    pub ep_default: Option<&'a Row>,
    /// Every configuration timed on the model as given or on a rewrite, CPU ones included.
    pub candidates: Vec<Candidate<'a>>,
    pub interventions: Vec<InterventionEvidence<'a>>,
    /// The options matrix's partitions on the model as given: `(configuration, outcome)`.
    pub partitions: Vec<(String, &'a PartitionOutcome)>,
    /// The study's comparisons; each is found by the ids of its two rows.
    pub comparisons: &'a [Comparison],
    /// ORT's reason when the EP cannot execute here (it only partitions, or is absent).
    pub cannot_execute: Option<&'a str>,
    /// The between-run noise the study's comparisons were judged with, for the one comparison
    /// the verdict adds (the EP's best against the CPU's best).
    pub noise: Option<&'a NoiseModel>,
}

impl<'a> Evidence<'a> {
    fn comparison(&self, baseline: &Row, candidate: &Row) -> Option<&'a Comparison> {
        self.comparisons
            .iter()
            .find(|c| c.baseline == baseline.id && c.candidate == candidate.id)
    }

    fn needs_ep(&self) -> Vec<&'a Row> {
        self.candidates
            .iter()
            .map(|c| c.row)
            .filter(|r| matches!(r.status, Status::NeedsEp { .. }))
            .collect()
    }
}

/// Where the EP runs when it does not run here.
fn ep_machine(ep: EpKind) -> &'static str {
    match ep {
        EpKind::CoreMl => "a Mac with Apple silicon",
        EpKind::OpenVino | EpKind::Cpu => "a machine with the EP",
    }
}

/// The verdict for a model whose CPU row `--filter` left out: there is nothing to compare with.
pub fn unselected() -> ModelVerdict {
    ModelVerdict::new(
        Decision::NoReference,
        "No verdict: the model's CPU row is not in the selection (--filter), so no \
         configuration can be compared with the CPU."
            .into(),
        Vec::new(),
    )
}

/// The verdict the evidence supports.
pub fn judge(evidence: &Evidence<'_>) -> ModelVerdict {
    let Some(cpu) = evidence.cpu.measured() else {
        return ModelVerdict::new(
            Decision::NoReference,
            format!(
                "No verdict: the model did not run on the CPU ({}).",
                reason_of(evidence.cpu)
            ),
            Vec::new(),
        );
    };
    let cpu_line = format!(
        "The CPU runs it in {} (p50 of {} runs).",
        ms(cpu.latency_ms.p50),
        cpu.latency_ms.iterations
    );
    let reference = Candidate {
        configuration: "the CPU on the model as given".into(),
        rewrite: None,
        row: evidence.cpu,
    };
    let best_cpu = fastest_of(&reference, &evidence.candidates, true).unwrap_or(&reference);
    let mut verdict = match fastest_of(&reference, &evidence.candidates, false) {
        None => without_ep_timings(evidence, cpu_line),
        Some(best_ep) => with_ep_timings(evidence, cpu_line, best_cpu, best_ep),
    };
    note_rows_without_time(evidence, &mut verdict);
    judge_interventions(evidence, &mut verdict);
    verdict
}

/// The fastest measured configuration on the CPU (`cpu`) or on the EP. The model as given
/// comes first: on a tie it is the simpler choice.
fn fastest_of<'c>(
    reference: &'c Candidate<'c>,
    candidates: &'c [Candidate<'c>],
    cpu: bool,
) -> Option<&'c Candidate<'c>> {
    cpu.then_some(reference)
        .into_iter()
        .chain(candidates)
        .filter(|c| (c.row.provider == EpKind::Cpu) == cpu)
        .filter_map(|c| Some((c, c.row.measured()?.latency_ms.p50)))
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(c, _)| c)
}

/// The verdict when an EP configuration was timed: use the EP when its fastest configuration
/// beats the fastest CPU configuration, not only the model as given; else stay on the CPU.
fn with_ep_timings(
    evidence: &Evidence<'_>,
    cpu_line: String,
    best_cpu: &Candidate<'_>,
    best_ep: &Candidate<'_>,
) -> ModelVerdict {
    let ep_pick = fastest(evidence, best_ep);
    let against_cpu = analysis::compare(
        best_ep.row.finding,
        best_cpu.row,
        best_ep.row,
        format!("{} vs {}", best_ep.configuration, best_cpu.configuration),
        evidence.noise,
    );
    let lines: Vec<String> = [Some(cpu_line)]
        .into_iter()
        .chain([
            ep_pick.as_ref().and_then(|_| {
                evidence
                    .comparison(evidence.cpu, best_ep.row)
                    .map(|c| format!("{}.", c.conclusion))
            }),
            against_cpu
                .as_ref()
                .filter(|_| best_cpu.row.id != evidence.cpu.id)
                .map(|c| format!("{}.", c.conclusion)),
        ])
        .flatten()
        .collect();
    match (&ep_pick, &against_cpu) {
        (Some(f), Some(c)) if c.verdict == Verdict::Faster => ModelVerdict {
            fastest: ep_pick.clone(),
            ..ModelVerdict::new(
                Decision::UseEp,
                format!(
                    "Use {}: {} than the CPU on the model as given, outputs matching.",
                    f.configuration,
                    speedup(f)
                ),
                lines,
            )
        },
        _ => stay_on_cpu(evidence, best_cpu, best_ep, against_cpu.as_ref(), lines),
    }
}

/// Stay on the CPU, with the rewrite that speeds it up where the numbers support one, and how
/// the EP's fastest configuration compares.
fn stay_on_cpu(
    evidence: &Evidence<'_>,
    best_cpu: &Candidate<'_>,
    best_ep: &Candidate<'_>,
    against_cpu: Option<&Comparison>,
    lines: Vec<String>,
) -> ModelVerdict {
    // A rewrite that speeds up the CPU is worth naming only when the numbers support it.
    let cpu_pick = fastest(evidence, best_cpu).filter(|f| f.verdict == Verdict::Faster);
    let with = match (&cpu_pick, best_cpu.rewrite) {
        (Some(f), Some(rewrite)) => format!(
            " and apply {rewrite}: {} runs {} than the model as given",
            f.configuration,
            speedup(f)
        ),
        _ => String::new(),
    };
    let best = against_cpu.map_or_else(String::new, |c| {
        format!(
            " The fastest {} configuration whose outputs match, {}, takes {:.2}× \
             the time of {} (95% CI {:.3}–{:.3}): {}.",
            evidence.ep,
            best_ep.configuration,
            c.time_ratio,
            best_cpu.configuration,
            c.lower,
            c.upper,
            no_win(c.verdict)
        )
    });
    ModelVerdict {
        fastest: cpu_pick,
        ..ModelVerdict::new(
            Decision::StayOnCpu,
            format!("Stay on the CPU{with}.{best}"),
            lines,
        )
    }
}

/// Says which EP configurations were not run here and which failed: they have no time and take
/// no part in the verdict.
fn note_rows_without_time(evidence: &Evidence<'_>, verdict: &mut ModelVerdict) {
    let not_run = evidence.needs_ep();
    if !not_run.is_empty() && verdict.decision != Decision::NeedsEpMachine {
        verdict.needs_ep_machine.push(format!(
            "{} of the {} configurations were not run here: {}",
            not_run.len(),
            evidence.ep,
            full_reason(not_run[0])
        ));
    }
    let failed: Vec<&Row> = evidence
        .candidates
        .iter()
        .map(|c| c.row)
        .filter(|r| matches!(r.status, Status::Failed { .. }))
        .collect();
    if let Some(first) = failed.first() {
        verdict.evidence.push(format!(
            "{} configuration(s) have no time and take no part in the verdict, e.g. {}: {}.",
            failed.len(),
            first.label,
            reason_of(first)
        ));
    }
}

/// Judges each intervention where the verdict says to run, and names those that pay off in
/// the headline.
fn judge_interventions(evidence: &Evidence<'_>, verdict: &mut ModelVerdict) {
    verdict.interventions = evidence
        .interventions
        .iter()
        .map(|i| intervention(evidence, i, verdict.decision))
        .collect();
    if evidence.interventions.is_empty() {
        return;
    }
    let paying: Vec<String> = verdict
        .interventions
        .iter()
        .filter(|i| i.pays_off)
        .map(|i| i.rewrite.clone())
        .collect();
    // Without EP timings the evidence is the partitions, and the sentence says so.
    let (none, some) = match verdict.decision {
        Decision::NeedsEpMachine => (
            "No intervention reduces the EP's partitions or the nodes it leaves to the CPU.",
            "Interventions that reduce the EP's partitions or CPU nodes",
        ),
        _ => ("No intervention pays off.", "Interventions that pay off"),
    };
    verdict.headline.push_str(&if paying.is_empty() {
        format!(" {none}")
    } else {
        format!(" {some}: {}.", paying.join(", "))
    });
}

/// The verdict when no EP configuration was timed: the EP cannot execute here, or every
/// configuration failed.
fn without_ep_timings(evidence: &Evidence<'_>, cpu_line: String) -> ModelVerdict {
    let not_run = evidence.needs_ep();
    let best = best_partitioning(&evidence.partitions);
    let lines: Vec<String> = std::iter::once(cpu_line)
        .chain(best.map(|(configuration, n)| {
            format!(
                "Its best partitioning of {} configurations: {configuration}, {} ({}).",
                evidence.partitions.len(),
                describe_partitions(n),
                n.source
            )
        }))
        .collect();
    if not_run.is_empty() {
        let headline = format!(
            "Stay on the CPU: no {} configuration ran with outputs matching the CPU's.",
            evidence.ep
        );
        return ModelVerdict::new(Decision::StayOnCpu, headline, lines);
    }
    let machine = ep_machine(evidence.ep);
    let measured_partitions = evidence
        .partitions
        .iter()
        .filter(|(_, o)| matches!(o, PartitionOutcome::Known(n) if n.source == PartitionSource::Measured))
        .count();
    let what = if measured_partitions > 0 {
        format!(
            "the EP's partitions of {measured_partitions} configurations (measured by the EP itself)"
        )
    } else if best.is_some() {
        "the EP's partitions, predicted by the offline rules".to_string()
    } else {
        "no partitions".to_string()
    };
    let cpu = evidence.cpu.measured().map_or(0.0, |m| m.latency_ms.p50);
    let ort = evidence
        .cannot_execute
        .map_or_else(String::new, |reason| format!(" (ORT: \"{reason}\")"));
    let headline = format!(
        "The {ep} EP cannot execute here{ort}. Measured here: {what} and the CPU ({} p50). \
         Whether {ep} beats the CPU needs {machine}: run the same command there.",
        ms(cpu),
        ep = evidence.ep,
    );
    ModelVerdict {
        needs_ep_machine: vec![format!(
            "the {} configurations' latency, their speedup over the CPU, their outputs against \
             the CPU's, and cold start with the EP's compile: {} rows were not run ({})",
            evidence.ep,
            not_run.len(),
            full_reason(not_run[0])
        )],
        ..ModelVerdict::new(Decision::NeedsEpMachine, headline, lines)
    }
}

/// The candidate as the fastest configuration, with its ratio to the CPU.
fn fastest(evidence: &Evidence<'_>, candidate: &Candidate<'_>) -> Option<Fastest> {
    let comparison = evidence.comparison(evidence.cpu, candidate.row)?;
    Some(Fastest {
        row: candidate.row.id.clone(),
        configuration: candidate.configuration.clone(),
        p50_ms: candidate.row.measured()?.latency_ms.p50,
        time_ratio: comparison.time_ratio,
        lower: comparison.lower,
        upper: comparison.upper,
        verdict: comparison.verdict,
    })
}

/// `1.53× faster (95% CI 1.41–1.64×)`.
fn speedup(f: &Fastest) -> String {
    format!(
        "{:.2}× faster (95% CI {:.2}–{:.2}×)",
        1.0 / f.time_ratio,
        1.0 / f.upper,
        1.0 / f.lower
    )
}

fn no_win(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Faster => "faster",
        Verdict::Slower => "slower",
        Verdict::Equivalent => "no faster within the practical threshold",
        Verdict::Inconclusive => "no speedup the interval supports",
    }
}

fn reason_of(row: &Row) -> String {
    match &row.status {
        Status::Failed { stage, reason } => format!("failed at {stage}: {}", first_line(reason)),
        Status::NeedsEp { reason, .. } => first_line(reason),
        Status::Measured(_) => "measured".into(),
    }
}

/// Why a row has no time, in full (ORT's message is at its end).
fn full_reason(row: &Row) -> String {
    match &row.status {
        Status::Failed { stage, reason } => format!("failed at {stage}: {reason}"),
        Status::NeedsEp { reason, .. } => reason.clone(),
        Status::Measured(_) => "measured".into(),
    }
}

/// The configuration that leaves the fewest nodes to the CPU, then has the fewest partitions.
fn best_partitioning<'p, 'a>(
    partitions: &'p [(String, &'a PartitionOutcome)],
) -> Option<(&'p str, &'a PartitionNumbers)> {
    partitions
        .iter()
        .filter_map(|(configuration, outcome)| match outcome {
            PartitionOutcome::Known(n) => Some((configuration.as_str(), n)),
            PartitionOutcome::Failed { .. } => None,
        })
        .min_by_key(|(_, n)| (n.cpu_nodes, n.partitions))
}

/// Whether `after` is better partitioned than `before`: the EP takes part of it, and it leaves
/// fewer nodes to the CPU without more partitions (more partitions are no loss when the EP took
/// nothing before), or has fewer partitions without more CPU nodes.
fn better_partitioned(before: &PartitionNumbers, after: &PartitionNumbers) -> bool {
    let (b, a) = (before, after);
    a.partitions > 0
        && ((a.cpu_nodes < b.cpu_nodes && (a.partitions <= b.partitions || b.partitions == 0))
            || (a.partitions < b.partitions && a.cpu_nodes <= b.cpu_nodes))
}

/// `112 of 164 nodes on the EP in 19 partitions`, or from a profile `19 partitions, 52 nodes
/// on the CPU`.
fn describe_partitions(n: &PartitionNumbers) -> String {
    match n.supported_nodes {
        Some(supported) => format!(
            "{supported} of {} nodes on the EP in {} partition(s)",
            n.nodes, n.partitions
        ),
        None => format!(
            "{} partition(s), {} node(s) on the CPU",
            n.partitions, n.cpu_nodes
        ),
    }
}

/// Whether `i` pays off where the verdict says to run: a speedup beyond the threshold on the EP
/// (use the EP) or the CPU (stay on it); without EP timings, fewer partitions or fewer nodes
/// left to the CPU, which is what can be measured here.
fn intervention(
    evidence: &Evidence<'_>,
    i: &InterventionEvidence<'_>,
    decision: Decision,
) -> InterventionVerdict {
    let rewrite = i.rewrite.to_string();
    let verdict = |pays_off: bool, why: String| InterventionVerdict {
        rewrite: rewrite.clone(),
        pays_off,
        why,
    };
    if let Some(reason) = i.not_made {
        return verdict(false, format!("the rewrite could not be made: {reason}"));
    }
    let partitions = match (i.before, i.after) {
        (Some(before), Some(after)) => Some((before, after)),
        _ => None,
    };
    let partitions_text = partitions.map(|(b, a)| {
        format!(
            "{} → {} partition(s), {} → {} node(s) on the CPU ({})",
            b.partitions, a.partitions, b.cpu_nodes, a.cpu_nodes, a.source
        )
    });
    let on = |original: Option<&Row>, row: Option<&Row>| -> Option<&Comparison> {
        evidence.comparison(original?, row?)
    };
    let on_cpu = on(Some(evidence.cpu), i.cpu);
    let on_ep = on(evidence.ep_default, i.ep);
    let failed = [i.cpu, i.ep]
        .into_iter()
        .flatten()
        .find(|r| matches!(r.status, Status::Failed { .. }));
    let mut parts: Vec<String> = Vec::new();
    parts.extend(partitions_text);
    parts.extend(on_ep.map(|c| c.conclusion.clone()));
    parts.extend(on_cpu.map(|c| c.conclusion.clone()));
    if let Some(row) = failed {
        parts.push(format!(
            "{} on {}: {}",
            row.label,
            row.provider,
            reason_of(row)
        ));
    }
    let faster = |c: Option<&Comparison>| c.is_some_and(|c| c.verdict == Verdict::Faster);
    let pays_off = match decision {
        Decision::UseEp => faster(on_ep),
        Decision::StayOnCpu => faster(on_cpu),
        Decision::NeedsEpMachine => partitions.is_some_and(|(b, a)| better_partitioned(b, a)),
        Decision::NoReference => false,
    };
    if parts.is_empty() {
        parts.push("nothing was measured".into());
    }
    verdict(pays_off, parts.join("; "))
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::measure::latency::LatencyStats;
    use crate::study::results::{Correctness, Measured, Subject};
    use crate::suite::{Finding, Timing};

    const MODEL: &str = "bert";

    /// A measured row whose 60 samples scatter ±1% around `p50_ms`.
    fn timed(finding: Finding, label: &str, provider: EpKind, p50_ms: f64) -> Row {
        let samples: Vec<Duration> = (0..60)
            .map(|i| {
                let jitter = 1.0 + 0.01 * (f64::from(i % 7) - 3.0) / 3.0;
                Duration::from_secs_f64(p50_ms * jitter / 1e3)
            })
            .collect();
        let latency = LatencyStats::from_durations(&samples).unwrap();
        let status = Status::Measured(Measured {
            throughput_per_s: latency.throughput_per_s(1),
            latency_ms: latency,
            correctness: Correctness::Reference,
            samples_ms: samples.iter().map(|d| d.as_secs_f64() * 1e3).collect(),
            note: None,
        });
        row(finding, label, provider, status)
    }

    fn row(finding: Finding, label: &str, provider: EpKind, status: Status) -> Row {
        Row {
            id: format!("{}/{finding}/{label}/{provider}", EpKind::CoreMl),
            finding,
            label: label.into(),
            variant: Subject::File(label.split('+').next().unwrap().into()),
            provider,
            timing: Timing::Run,
            batch: 1,
            status,
        }
    }

    const CANNOT: &str = "Executing a CoreML model is not supported on this platform";

    fn needs_mac(finding: Finding, label: &str) -> Row {
        let status = Status::NeedsEp {
            ep: EpKind::CoreMl,
            reason: format!("needs a Mac: the coreml execution provider cannot execute: {CANNOT}"),
        };
        row(finding, label, EpKind::CoreMl, status)
    }

    fn partitions(partitions: usize, nodes: usize, supported: usize) -> PartitionNumbers {
        PartitionNumbers {
            source: PartitionSource::Measured,
            provenance: "measured by the CoreML EP".into(),
            partitions,
            nodes,
            supported_nodes: Some(supported),
            cpu_nodes: nodes - supported,
            cpu_ops: Vec::new(),
            transitions_per_run: None,
        }
    }

    /// Every pair the study's analysis would compare, judged by its one rule.
    fn compare_all(pairs: &[(&Row, &Row)]) -> Vec<Comparison> {
        pairs
            .iter()
            .filter_map(|(b, c)| analysis::compare(c.finding, b, c, String::new(), None))
            .collect()
    }

    /// The rows of one model: as given on the CPU and CoreML, and static dims on both.
    struct Rows {
        cpu: Row,
        ep: Row,
        dims_cpu: Row,
        dims_ep: Row,
    }

    fn judge_rows(
        rows: &Rows,
        before: &PartitionNumbers,
        after: &PartitionNumbers,
    ) -> ModelVerdict {
        let dims = format!("{MODEL}+fix-dims");
        let comparisons = compare_all(&[
            (&rows.cpu, &rows.ep),
            (&rows.cpu, &rows.dims_cpu),
            (&rows.cpu, &rows.dims_ep),
            (&rows.ep, &rows.dims_ep),
        ]);
        let outcome = PartitionOutcome::Known(before.clone());
        let evidence = Evidence {
            ep: EpKind::CoreMl,
            cpu: &rows.cpu,
            ep_default: Some(&rows.ep),
            candidates: vec![
                Candidate {
                    configuration: "coreml (default options)".into(),
                    rewrite: None,
                    row: &rows.ep,
                },
                Candidate {
                    configuration: format!("coreml (default options) on {dims}"),
                    rewrite: Some(RewriteKind::FixDims),
                    row: &rows.dims_ep,
                },
                Candidate {
                    configuration: format!("the CPU on {dims}"),
                    rewrite: Some(RewriteKind::FixDims),
                    row: &rows.dims_cpu,
                },
            ],
            interventions: vec![InterventionEvidence {
                rewrite: RewriteKind::FixDims,
                not_made: None,
                cpu: Some(&rows.dims_cpu),
                ep: Some(&rows.dims_ep),
                before: Some(before),
                after: Some(after),
            }],
            partitions: vec![("coreml".into(), &outcome)],
            comparisons: &comparisons,
            cannot_execute: None,
            noise: None,
        };
        judge(&evidence)
    }

    fn rows(cpu: f64, ep: f64, dims_cpu: f64, dims_ep: f64) -> Rows {
        let dims = format!("{MODEL}+fix-dims");
        Rows {
            cpu: timed(Finding::EpVsCpu, MODEL, EpKind::Cpu, cpu),
            ep: timed(Finding::EpVsCpu, MODEL, EpKind::CoreMl, ep),
            dims_cpu: timed(Finding::Shapes, &dims, EpKind::Cpu, dims_cpu),
            dims_ep: timed(Finding::Shapes, &dims, EpKind::CoreMl, dims_ep),
        }
    }

    #[test]
    fn the_fastest_ep_configuration_that_beats_every_cpu_one_is_the_verdict() {
        let (before, after) = (partitions(19, 164, 112), partitions(5, 137, 127));
        let v = judge_rows(&rows(10.0, 4.0, 9.0, 2.0), &before, &after);
        assert_eq!(v.decision, Decision::UseEp, "{}", v.headline);
        let fastest = v.fastest.as_ref().unwrap();
        assert_eq!(fastest.row, "coreml/shapes/bert+fix-dims/coreml");
        // 2 ms against the CPU's 10 ms: a time ratio of 0.2, a 5× speedup, interval around it.
        assert!((fastest.time_ratio - 0.2).abs() < 0.01, "{fastest:?}");
        assert!(fastest.lower <= fastest.time_ratio && fastest.time_ratio <= fastest.upper);
        assert!(
            v.headline
                .starts_with("Use coreml (default options) on bert+fix-dims: 5.0")
        );
        assert!(v.headline.contains("95% CI"), "{}", v.headline);
        // Static dims halve CoreML's time: it pays off, and the headline says so.
        assert!(v.interventions[0].pays_off, "{:?}", v.interventions);
        assert!(
            v.headline
                .ends_with("Interventions that pay off: fix-dims.")
        );
        assert!(v.interventions[0].why.contains("19 → 5 partition(s)"));
    }

    #[test]
    fn an_ep_that_only_beats_the_model_as_given_does_not_beat_the_cpu() {
        // CoreML on the static model is faster than the CPU on the dynamic one, but not than
        // the CPU on the static one: stay on the CPU, with the rewrite.
        let (before, after) = (partitions(19, 164, 112), partitions(5, 137, 127));
        let v = judge_rows(&rows(10.0, 12.0, 5.0, 5.1), &before, &after);
        assert_eq!(v.decision, Decision::StayOnCpu, "{}", v.headline);
        assert!(
            v.headline.starts_with(
                "Stay on the CPU and apply fix-dims: the CPU on bert+fix-dims runs 2.00× faster"
            ),
            "{}",
            v.headline
        );
        assert!(
            v.headline
                .contains("no faster within the practical threshold"),
            "{}",
            v.headline
        );
        assert_eq!(
            v.fastest.as_ref().unwrap().row,
            "coreml/shapes/bert+fix-dims/cpu"
        );
        // Judged where the verdict says to run: on the CPU it halves the time.
        assert!(v.interventions[0].pays_off);
    }

    #[test]
    fn a_slower_ep_and_no_helpful_rewrite_is_stay_on_the_cpu_with_the_numbers() {
        let (before, after) = (partitions(4, 100, 90), partitions(4, 100, 90));
        let v = judge_rows(&rows(10.0, 15.0, 10.0, 15.0), &before, &after);
        assert_eq!(v.decision, Decision::StayOnCpu);
        assert!(v.fastest.is_none(), "the model as given is the fastest");
        assert!(
            v.headline
                .starts_with("Stay on the CPU. The fastest coreml configuration")
        );
        assert!(
            v.headline
                .contains("takes 1.50× the time of the CPU on the model as given")
        );
        assert!(v.headline.contains(": slower."), "{}", v.headline);
        assert!(!v.interventions[0].pays_off);
        assert!(v.headline.ends_with("No intervention pays off."));
    }

    #[test]
    fn without_ep_timings_the_verdict_says_what_was_measured_and_what_needs_a_mac() {
        let dims = format!("{MODEL}+fix-dims");
        let cpu = timed(Finding::EpVsCpu, MODEL, EpKind::Cpu, 10.0);
        let dims_cpu = timed(Finding::Shapes, &dims, EpKind::Cpu, 8.0);
        let ep = needs_mac(Finding::EpVsCpu, MODEL);
        let dims_ep = needs_mac(Finding::Shapes, &dims);
        let comparisons = compare_all(&[(&cpu, &dims_cpu)]);
        let (before, after) = (partitions(19, 164, 112), partitions(5, 137, 127));
        let default = PartitionOutcome::Known(before.clone());
        let mlprogram = PartitionOutcome::Known(partitions(3, 164, 150));
        let evidence = Evidence {
            ep: EpKind::CoreMl,
            cpu: &cpu,
            ep_default: Some(&ep),
            candidates: vec![
                Candidate {
                    configuration: "coreml (default options)".into(),
                    rewrite: None,
                    row: &ep,
                },
                Candidate {
                    configuration: format!("coreml (default options) on {dims}"),
                    rewrite: Some(RewriteKind::FixDims),
                    row: &dims_ep,
                },
                Candidate {
                    configuration: format!("the CPU on {dims}"),
                    rewrite: Some(RewriteKind::FixDims),
                    row: &dims_cpu,
                },
            ],
            interventions: vec![InterventionEvidence {
                rewrite: RewriteKind::FixDims,
                not_made: None,
                cpu: Some(&dims_cpu),
                ep: Some(&dims_ep),
                before: Some(&before),
                after: Some(&after),
            }],
            partitions: vec![
                ("coreml".into(), &default),
                ("coreml:format=mlprogram".into(), &mlprogram),
            ],
            comparisons: &comparisons,
            cannot_execute: Some(CANNOT),
            noise: None,
        };
        let v = judge(&evidence);
        assert_eq!(v.decision, Decision::NeedsEpMachine);
        assert!(v.fastest.is_none());
        assert!(v.headline.contains(CANNOT), "{}", v.headline);
        assert!(
            v.headline
                .contains("partitions of 2 configurations (measured")
        );
        assert!(v.headline.contains("needs a Mac with Apple silicon"));
        // The best partitioning is ML Program's: the fewest nodes left to the CPU.
        assert!(
            v.evidence
                .iter()
                .any(|e| e.contains("coreml:format=mlprogram, 150 of 164 nodes on the EP in 3")),
            "{:?}",
            v.evidence
        );
        // Static dims: fewer partitions and CPU nodes, which is what can be measured here.
        assert!(v.interventions[0].pays_off, "{:?}", v.interventions);
        assert!(
            v.headline
                .contains("reduce the EP's partitions or CPU nodes: fix-dims")
        );
        assert!(v.needs_ep_machine[0].contains("2 rows were not run"));
        assert!(v.needs_ep_machine[0].contains(CANNOT));
    }

    #[test]
    fn no_cpu_reference_no_verdict_and_failed_eps_are_not_a_speedup() {
        let failed = |finding, label: &str, provider| {
            row(
                finding,
                label,
                provider,
                Status::Failed {
                    stage: super::super::super::results::FailureStage::Prepare(
                        crate::suite::PrepareStage::Correctness,
                    ),
                    reason: "outputs do not match the CPU reference".into(),
                },
            )
        };
        let cpu = failed(Finding::EpVsCpu, MODEL, EpKind::Cpu);
        let empty = Evidence {
            ep: EpKind::OpenVino,
            cpu: &cpu,
            ep_default: None,
            candidates: Vec::new(),
            interventions: Vec::new(),
            partitions: Vec::new(),
            comparisons: &[],
            cannot_execute: None,
            noise: None,
        };
        let v = judge(&empty);
        assert_eq!(v.decision, Decision::NoReference);
        assert!(
            v.headline
                .contains("did not run on the CPU (failed at correctness")
        );

        let cpu = timed(Finding::EpVsCpu, MODEL, EpKind::Cpu, 10.0);
        let ep = failed(Finding::EpVsCpu, MODEL, EpKind::OpenVino);
        let evidence = Evidence {
            cpu: &cpu,
            ep_default: Some(&ep),
            candidates: vec![Candidate {
                configuration: "openvino (default options)".into(),
                rewrite: None,
                row: &ep,
            }],
            ..empty
        };
        let v = judge(&evidence);
        assert_eq!(v.decision, Decision::StayOnCpu);
        assert!(
            v.headline
                .contains("no openvino configuration ran with outputs matching")
        );
        assert!(
            v.evidence
                .iter()
                .any(|e| e.contains("outputs do not match")),
            "{:?}",
            v.evidence
        );
    }

    #[test]
    fn better_partitioned_means_the_ep_takes_more_without_more_cuts() {
        let p = |parts, nodes, supported| partitions(parts, nodes, supported);
        assert!(better_partitioned(&p(19, 164, 112), &p(5, 137, 127)));
        assert!(better_partitioned(&p(15, 100, 50), &p(13, 100, 50)));
        // From nothing on the EP to something, more partitions are no loss.
        assert!(better_partitioned(&p(0, 173, 0), &p(15, 169, 91)));
        // Folding nodes the EP never took changes nothing for the EP.
        assert!(!better_partitioned(&p(0, 173, 0), &p(0, 134, 0)));
        // More nodes on the EP, but in more pieces: not clearly better.
        assert!(!better_partitioned(&p(4, 100, 60), &p(9, 100, 80)));
    }
}
