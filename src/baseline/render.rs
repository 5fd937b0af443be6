//! Text tables for `list`, `compare` and `check`. JSON output is the types' serde form; this
//! file only decides how humans read them.

use std::fmt::Write;

use super::check::CheckReport;
use super::compare::{Cell, Column, Comparison, Judged};
use super::noise::{NoiseBasis, NoiseFloor};
use super::store::Listing;
use crate::stats::Verdict;
use crate::text::Table;
use crate::text::format::{duration_ns as time, percent, plural, signed_percent};

/// The baselines in a store, one line each.
pub fn listing(listings: &[Listing]) -> String {
    if listings.is_empty() {
        return "no baselines yet; save one with `epbench baseline save` after `cargo bench`\n"
            .into();
    }
    let mut table = Table::new(&[
        "name",
        "runs",
        "benchmarks",
        "saved",
        "noise floor",
        "setup",
    ])
    .left(3)
    .left(5);
    for listing in listings {
        match (&listing.metadata, &listing.error) {
            (Some(metadata), _) => table.row(vec![
                listing.name.clone(),
                metadata.runs.len().to_string(),
                listing.benchmarks.to_string(),
                metadata
                    .runs
                    .last()
                    .map_or("-", |run| run.saved_at.get(..10).unwrap_or(&run.saved_at))
                    .to_string(),
                listing.noise_floor.map_or("unmeasured".into(), percent),
                metadata.setup(),
            ]),
            (None, error) => table.row(vec![
                listing.name.clone(),
                "-".into(),
                "-".into(),
                "-".into(),
                "-".into(),
                format!(
                    "unreadable: {}",
                    error.as_deref().unwrap_or("unknown error")
                ),
            ]),
        }
    }
    let mut out = table.render();
    out.push_str(
        "noise floor: the change a single checked run must exceed to count as a regression of \
         this baseline, learned from its repeated runs\n",
    );
    out
}

/// The side-by-side comparison.
pub fn comparison(comparison: &Comparison) -> String {
    let mut out = String::new();
    let Some(first) = comparison.columns.first() else {
        return "nothing to compare\n".into();
    };
    let _ = writeln!(
        out,
        "{} side by side, ratios against {} with 95% confidence intervals{}",
        plural(comparison.columns.len(), "baseline"),
        first.label,
        threshold_text(comparison.threshold)
    );
    for column in &comparison.columns {
        let _ = writeln!(out, "  {}", describe(column));
    }
    out.push('\n');

    let mut header = vec!["benchmark".to_string()];
    header.extend(comparison.columns.iter().map(|c| c.label.clone()));
    let mut table = Table::new(&header.iter().map(String::as_str).collect::<Vec<_>>());
    for row in &comparison.rows {
        let mut cells = vec![row.id.clone()];
        cells.extend(row.cells.iter().map(|cell| match cell {
            None => "-".to_string(),
            Some(cell) => cell_text(cell),
        }));
        table.row(cells);
    }
    out.push_str(&table.render());

    for (index, column) in comparison.columns.iter().enumerate().skip(1) {
        let floors: Vec<&NoiseFloor> = comparison
            .rows
            .iter()
            .filter_map(|row| row.cells.get(index)?.as_ref()?.against_first.as_ref())
            .map(|judged| &judged.noise_floor)
            .collect();
        let _ = writeln!(
            out,
            "noise floor, {}: {}",
            column.label,
            floor_range(&floors)
        );
    }
    out.push_str(
        "▲ slower, ▼ faster: the whole interval lies beyond the noise floor (and threshold); \
         unmarked: no difference beyond noise; - not measured\n",
    );
    for difference in &comparison.id_differences {
        if !difference.missing.is_empty() {
            let _ = writeln!(
                out,
                "{} lacks {} of {}: {}",
                difference.label,
                plural(difference.missing.len(), "benchmark"),
                first.label,
                difference.missing.join(", ")
            );
        }
        if !difference.added.is_empty() {
            let _ = writeln!(
                out,
                "{} has {} that {} lacks: {}",
                difference.label,
                plural(difference.added.len(), "benchmark"),
                first.label,
                difference.added.join(", ")
            );
        }
    }
    for note in &comparison.notes {
        let _ = writeln!(out, "note: {note}");
    }
    out
}

/// The check's table and verdict.
pub fn check(report: &CheckReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Checking {} against baseline {}; threshold {}, 95% confidence",
        describe_short(&report.current),
        describe_short(&report.baseline),
        percent(report.threshold)
    );
    let _ = writeln!(out, "  baseline  {}", describe(&report.baseline));
    let _ = writeln!(out, "  current   {}", describe(&report.current));
    out.push('\n');

    let mut table = Table::new(&[
        "benchmark",
        "baseline",
        "current",
        "change [95% CI]",
        "noise floor",
        "verdict",
    ])
    .left(4)
    .left(5);
    for row in &report.rows {
        table.row(vec![
            row.id.clone(),
            time(row.baseline_ns),
            time(row.current_ns),
            change_text(&row.judged),
            floor_text(&row.judged.noise_floor),
            verdict_text(&row.judged).to_string(),
        ]);
    }
    out.push_str(&table.render());

    if !report.added.is_empty() {
        let _ = writeln!(
            out,
            "not in the baseline (not checked): {}",
            report.added.join(", ")
        );
    }
    if !report.removed.is_empty() {
        let _ = writeln!(
            out,
            "in the baseline but not in this run (not checked): {}",
            report.removed.join(", ")
        );
    }
    for note in &report.notes {
        let _ = writeln!(out, "note: {note}");
    }
    let regressed: Vec<&str> = report.regressions().map(|r| r.id.as_str()).collect();
    if regressed.is_empty() {
        let _ = writeln!(
            out,
            "PASS: no benchmark regressed beyond max(threshold, noise floor) ({} checked)",
            report.rows.len()
        );
    } else {
        let _ = writeln!(
            out,
            "FAIL: {} of {} regressed beyond max(threshold, noise floor): {}",
            regressed.len(),
            plural(report.rows.len(), "benchmark"),
            regressed.join(", ")
        );
    }
    out
}

fn cell_text(cell: &Cell) -> String {
    let absolute = time(cell.median_ns);
    match &cell.against_first {
        None => absolute,
        Some(judged) => {
            let change = &judged.change;
            let mark = match judged.verdict {
                Verdict::Slower => "▲",
                Verdict::Faster => "▼",
                Verdict::Equivalent | Verdict::Inconclusive => " ",
            };
            format!(
                "{absolute} {:.3}× [{:.3}, {:.3}] {mark}",
                1.0 + change.point,
                1.0 + change.lower,
                1.0 + change.upper
            )
        }
    }
}

fn change_text(judged: &Judged) -> String {
    let change = &judged.change;
    format!(
        "{} [{}, {}]",
        signed_percent(change.point),
        signed_percent(change.lower),
        signed_percent(change.upper)
    )
}

fn floor_text(floor: &NoiseFloor) -> String {
    let value = percent(floor.fraction);
    match &floor.basis {
        NoiseBasis::Given => format!("{value} (given)"),
        NoiseBasis::Learned {
            reference_runs,
            new_runs,
            ..
        } => format!("{value} (learned, {reference_runs}+{new_runs} runs)"),
        NoiseBasis::Unmeasured => "unmeasured".into(),
    }
}

fn floor_range(floors: &[&NoiseFloor]) -> String {
    let Some(first) = floors.first() else {
        return "no benchmark compared".into();
    };
    if first.basis == NoiseBasis::Unmeasured {
        return "unmeasured (single runs)".into();
    }
    let low = floors
        .iter()
        .map(|f| f.fraction)
        .fold(f64::INFINITY, f64::min);
    let high = floors.iter().map(|f| f.fraction).fold(0.0, f64::max);
    let source = match first.basis {
        NoiseBasis::Given => "given",
        _ => "learned from repeated runs",
    };
    if (high - low).abs() < 0.0005 {
        format!("{} ({source})", percent(low))
    } else {
        format!("{} to {} ({source})", percent(low), percent(high))
    }
}

fn verdict_text(judged: &Judged) -> &'static str {
    match judged.verdict {
        Verdict::Slower => "REGRESSED",
        Verdict::Faster => "improved",
        Verdict::Equivalent | Verdict::Inconclusive => "ok",
    }
}

fn threshold_text(threshold: f64) -> String {
    if threshold > 0.0 {
        format!(", threshold {}", percent(threshold))
    } else {
        String::new()
    }
}

fn describe(column: &Column) -> String {
    let setup = column
        .metadata
        .as_ref()
        .map_or_else(|| "setup not recorded".to_string(), |m| m.setup());
    format!(
        "{}: {} ({})",
        column.label,
        setup,
        plural(column.runs, "run")
    )
}

fn describe_short(column: &Column) -> String {
    format!("{} ({})", column.label, plural(column.runs, "run"))
}
