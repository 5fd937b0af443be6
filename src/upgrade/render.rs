//! The check as a terminal table (`--json` prints the [`UpgradeReport`] itself).

use std::fmt::Write as _;

use crate::stats::Verdict;
use crate::text::Table;
use crate::text::format::{duration_ns as time, percent as unsigned, signed_percent as percent};

use super::agreement::Agreement;
use super::measure::Measure;
use super::paired::{Interval, Resolution};
use super::report::{Failure, Outcome, SideInfo, UpgradeReport};
use super::stopping::Stopping;

/// The report as text: what ran, how, one row per benchmark, and the conclusion.
pub fn report(report: &UpgradeReport) -> String {
    let mut out = String::new();
    header(&mut out, report);
    out.push('\n');
    out.push_str(&table(report).render());
    mismatches(&mut out, report);
    conclusion(&mut out, report);
    out
}

/// What ran and how.
fn header(out: &mut String, report: &UpgradeReport) {
    let method = &report.method;
    let _ = writeln!(
        out,
        "Upgrade check on {} ({} cores), {} EP selection{}",
        report.machine.cpu,
        report.machine.cores,
        report.ep,
        report
            .filter
            .as_ref()
            .map_or_else(String::new, |f| format!(", filter `{f}`"))
    );
    let _ = writeln!(out, "  from  {}", side(&report.from));
    let _ = writeln!(out, "  to    {}", side(&report.to));
    let stopping = match method.stopping {
        Stopping::Fixed { rounds } => format!("{rounds} paired rounds per benchmark"),
        Stopping::Adaptive { budget } => format!(
            "paired rounds until every benchmark is decided or {:.0} s of rounds have passed",
            budget.as_secs_f64()
        ),
    };
    let interval = match method.interval {
        Interval::SignTest => "95% CI (sign test)",
        Interval::ConfidenceSequence => "95% confidence sequence (valid at every look)",
    };
    let _ = writeln!(
        out,
        "  measured: {stopping}, ~{:.0} ms bursts per side in ABBA order, intra-op threads {}; \
         change = median to/from ratio of the {} over rounds, {interval}; threshold ±{:.1}%; \
         resolution = the smallest change flagged with {:.0}% power; wall time {:.0} s \
         ({:.0} s of rounds)",
        method.burst_ms,
        method.intra_threads,
        clock(method.measure),
        method.threshold * 100.0,
        method.power * 100.0,
        report.wall_s,
        report.measuring_s
    );
    let noise = &method.noise;
    let measured = report.measured().count();
    let settled = report.measured().filter(|(_, m)| m.settled).count();
    let _ = writeln!(
        out,
        "  noise controls: {}; {}; sessions re-created after a pair of rounds once the rounds since \
         took {:.0}x their creation; {}; {}{}; warm-up until burst medians stop falling (by {}, at \
         most {} bursts per side): settled on {settled} of {measured}",
        if noise.cpu_time {
            format!(
                "CPU time of each burst recorded (every thread of the worker process); after its \
                 burst a worker waits until its threads stop spinning (at most {:.0} ms)",
                noise.idle_wait_max_ms
            )
        } else {
            "CPU time not available on this OS (wall time only, no wait for idle threads)".into()
        },
        if noise.intra_op_spinning {
            "ORT's idle intra-op threads spin between runs (--spinning)"
        } else {
            "ORT's idle intra-op threads sleep at once (allow_spinning=0)"
        },
        noise.session_refresh_after,
        generations(report),
        noise.pinning.reason,
        if noise.pin_errors.is_empty() {
            String::new()
        } else {
            format!(" (failed: {})", noise.pin_errors.join("; "))
        },
        unsigned(noise.warmup.tolerance),
        noise.warmup.max_bursts,
    );
}

fn clock(measure: Measure) -> &'static str {
    match measure {
        Measure::Wall => "median wall time per burst",
        Measure::Cpu => "process CPU time per run",
    }
}

/// One row per benchmark: each side's median, the change, the verdict, the outputs.
fn table(report: &UpgradeReport) -> Table {
    let mut table = Table::new(&[
        "benchmark",
        "from",
        "to",
        "change [95% CI]",
        "resolution",
        "verdict",
        "rounds",
        "decided",
        "outputs",
    ])
    .left(5)
    .left(8);
    for row in &report.rows {
        match &row.outcome {
            Outcome::Measured(m) => {
                let change = &m.judged.paired.change;
                table.row(vec![
                    row.id.to_string(),
                    time(m.from.median_ns),
                    time(m.to.median_ns),
                    format!(
                        "{} [{}, {}]",
                        percent(change.point),
                        bound(change.lower),
                        bound(change.upper)
                    ),
                    resolution_text(m.judged.resolution.as_ref()),
                    verdict_text(m.verdict()).to_string(),
                    m.judged.paired.rounds.to_string(),
                    m.decided
                        .map_or_else(String::new, |d| format!("{:.0} s", d.measuring_s)),
                    agreement_text(&m.agreement),
                ]);
            }
            Outcome::Failed(failure) => {
                let (verdict, reason) = match failure {
                    Failure::Both { from, to } => {
                        ("failed on both".into(), format!("from: {from}; to: {to}"))
                    }
                    Failure::On { side, reason } => (format!("failed on {side}"), reason.clone()),
                    Failure::Unpaired { reason } => ("not measured".into(), reason.clone()),
                };
                table.spanning_row(vec![
                    row.id.to_string(),
                    String::new(),
                    String::new(),
                    String::new(),
                    String::new(),
                    verdict,
                    reason,
                ]);
            }
        }
    }
    table
}

/// A bound of an interval; a confidence sequence's first rounds have none.
fn bound(change: f64) -> String {
    if change.is_finite() && change > -1.0 {
        percent(change)
    } else if change > 0.0 {
        "+∞".into()
    } else {
        "-100%".into()
    }
}

fn resolution_text(resolution: Option<&Resolution>) -> String {
    resolution.map_or_else(
        || "none".into(),
        |r| format!("±{}", unsigned(r.plus_minus())),
    )
}

/// The outputs that differ, with the tolerance they exceeded.
fn mismatches(out: &mut String, report: &UpgradeReport) {
    for row in &report.rows {
        if let Outcome::Measured(m) = &row.outcome
            && let Agreement::Mismatch { tolerance, details } = &m.agreement
        {
            let _ = writeln!(
                out,
                "outputs differ on {} ({tolerance} tolerance): {}",
                row.id,
                details.join("; ")
            );
        }
    }
}

/// The counts of each verdict, the resolution, and whether the check passed.
fn conclusion(out: &mut String, report: &UpgradeReport) {
    let method = &report.method;
    let summary = &report.summary;
    let measured = report.measured().count();
    let mismatched = report
        .measured()
        .filter(|(_, m)| m.agreement.is_mismatch())
        .count();
    let broken = report
        .rows
        .iter()
        .filter(|r| matches!(r.outcome, Outcome::Failed(_)) && r.fails_check(false))
        .count();
    let _ = writeln!(
        out,
        "\n{measured} measured: {} regressed, {} improved, {} no change, {} inconclusive at this \
         resolution (threshold ±{:.1}%); outputs differ on {mismatched}; {} not measured{}",
        summary.slower,
        summary.faster,
        summary.equivalent,
        summary.inconclusive,
        method.threshold * 100.0,
        summary.not_measured,
        if broken == 0 {
            String::new()
        } else {
            format!(" ({broken} ran on from but fail on to)")
        }
    );
    if let (Some(median), Some(max)) = (summary.resolution_median, summary.resolution_max) {
        let _ = writeln!(
            out,
            "resolution ±{} (median over benchmarks; worst ±{}): the smallest change this run \
             would have flagged with {:.0}% power, threshold included",
            unsigned(median),
            unsigned(max),
            method.power * 100.0
        );
    }
    if summary.budget_exhausted {
        let _ = writeln!(
            out,
            "the budget ran out before {} benchmark(s) were decided: they are inconclusive at \
             this resolution (a longer --budget, a quieter machine or a narrower --filter \
             narrows it)",
            summary.inconclusive
        );
    }
    other_clock(out, report);
    let _ = writeln!(
        out,
        "{}",
        match (report.passed, method.strict) {
            (true, _) => "PASS: no regression beyond the threshold, outputs agree",
            (false, false) => {
                "FAIL: a regression beyond the threshold, differing outputs, or a benchmark the \
                 upgrade broke (exit code 1)"
            }
            (false, true) => {
                "FAIL: a regression beyond the threshold, an inconclusive verdict (--strict), \
                 differing outputs, or a benchmark the upgrade broke (exit code 1)"
            }
        }
    );
}

/// The verdicts by the clock that did not decide, for comparison.
fn other_clock(out: &mut String, report: &UpgradeReport) {
    let others: Vec<Verdict> = report
        .measured()
        .filter_map(|(_, m)| m.other_measure.as_ref().map(|o| o.judged.verdict))
        .collect();
    if others.is_empty() {
        return;
    }
    let count = |v: Verdict| others.iter().filter(|&&o| o == v).count();
    let _ = writeln!(
        out,
        "by the other clock ({}), for comparison: {} regressed, {} improved, {} no change, {} \
         inconclusive",
        clock(report.method.measure.other()),
        count(Verdict::Slower),
        count(Verdict::Faster),
        count(Verdict::Equivalent),
        count(Verdict::Inconclusive)
    );
}

fn side(info: &SideInfo) -> String {
    let options = if info.options.is_empty() {
        String::new()
    } else {
        format!(", options {}", info.options)
    };
    format!("{} (ORT {}){options}", info.requirement, info.ort_version)
}

fn verdict_text(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Slower => "regressed",
        Verdict::Faster => "improved",
        Verdict::Equivalent => "no change",
        Verdict::Inconclusive => "inconclusive at this resolution",
    }
}

fn agreement_text(agreement: &Agreement) -> String {
    match agreement {
        Agreement::Agree { max_abs, .. } if *max_abs == 0.0 => "identical".into(),
        Agreement::Agree { max_abs, tolerance } => {
            format!("agree ({tolerance}, max {max_abs:.1e})")
        }
        Agreement::Mismatch { .. } => "DIFFER".into(),
        Agreement::Unchecked { reason } => format!("unchecked: {reason}"),
    }
}

/// The worker generations: how many were planned and started, and what starting them took.
fn generations(report: &UpgradeReport) -> String {
    let all = &report.generations;
    let starts: Vec<String> = all.iter().map(|g| format!("{:.1}", g.start_s)).collect();
    format!(
        "rounds split into {} equal parts, each by new workers, the side started first \
         alternating: {} generation{} (started in {} s)",
        report.method.noise.worker_generations,
        all.len(),
        if all.len() == 1 { "" } else { "s" },
        starts.join(", ")
    )
}
