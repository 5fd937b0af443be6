//! The check as a terminal table (`--json` prints the [`UpgradeReport`] itself).

use std::fmt::Write as _;

use crate::stats::Verdict;
use crate::text::Table;
use crate::text::format::{duration_ns as time, signed_percent as percent};

use super::agreement::Agreement;
use super::report::{Failure, Outcome, Row, SideInfo, UpgradeReport};

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
    let _ = writeln!(
        out,
        "  measured: {} paired rounds per benchmark, ~{:.0} ms bursts per side in ABBA order, \
         intra-op threads {}; change = median to/from ratio over rounds, 95% CI (sign test); \
         threshold ±{:.1}%; wall time {:.0} s",
        method.rounds,
        method.burst_ms,
        method.intra_threads,
        method.threshold * 100.0,
        report.wall_s
    );
}

/// One row per benchmark: each side's median, the change, the verdict, the outputs.
fn table(report: &UpgradeReport) -> Table {
    let mut table = Table::new(&[
        "benchmark",
        "from",
        "to",
        "change [95% CI]",
        "verdict",
        "outputs",
    ])
    .left(4)
    .left(5);
    for row in &report.rows {
        match &row.outcome {
            Outcome::Measured(m) => {
                let change = &m.paired.change;
                table.row(vec![
                    row.id.to_string(),
                    time(m.from.median_ns),
                    time(m.to.median_ns),
                    format!(
                        "{} [{}, {}]",
                        percent(change.point),
                        percent(change.lower),
                        percent(change.upper)
                    ),
                    verdict_text(m.verdict).to_string(),
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
                table.row(vec![
                    row.id.to_string(),
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

/// The counts of each verdict and whether the check passed.
fn conclusion(out: &mut String, report: &UpgradeReport) {
    let method = &report.method;
    let measured = report.measured().count();
    let mismatched = report
        .measured()
        .filter(|(_, m)| m.agreement.is_mismatch())
        .count();
    let broken: Vec<&Row> = report
        .rows
        .iter()
        .filter(|r| matches!(r.outcome, Outcome::Failed(_)) && r.fails_check())
        .collect();
    let failed = report.rows.len() - measured;
    let _ = writeln!(
        out,
        "\n{} measured: {} regressed, {} improved, {} no change (threshold ±{:.1}%); outputs \
         differ on {mismatched}; {failed} not measured{}",
        measured,
        report.count(&[Verdict::Slower]),
        report.count(&[Verdict::Faster]),
        report.count(&[Verdict::Equivalent, Verdict::Inconclusive]),
        method.threshold * 100.0,
        if broken.is_empty() {
            String::new()
        } else {
            format!(" ({} ran on from but fail on to)", broken.len())
        }
    );
    let _ = writeln!(
        out,
        "{}",
        if report.passed {
            "PASS: no regression beyond the threshold, outputs agree"
        } else {
            "FAIL: a regression beyond the threshold, differing outputs, or a benchmark the upgrade broke (exit code 1)"
        }
    );
}

fn side(info: &SideInfo) -> String {
    let options = if info.options.is_empty() {
        String::new()
    } else {
        format!(", session options {}", info.options)
    };
    format!("{} (ORT {}){options}", info.requirement, info.ort_version)
}

fn verdict_text(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Slower => "regressed",
        Verdict::Faster => "improved",
        Verdict::Equivalent | Verdict::Inconclusive => "no change",
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
