//! Text tables for `list`, `compare` and `check`. JSON output is the types' serde form; this
//! file only decides how humans read them.

use std::fmt::Write;

use super::check::CheckReport;
use super::compare::{Cell, Column, Comparison};
use super::noise::{NoiseBasis, NoiseFloor};
use super::store::Listing;
use super::verdict::{Judged, Verdict};

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
                listing
                    .noise_floor
                    .map_or("unmeasured".into(), |f| format!("{:.1}%", f * 100.0)),
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
        "Checking {} against baseline {}; threshold {:.1}%, 95% confidence",
        describe_short(&report.current),
        describe_short(&report.baseline),
        report.threshold * 100.0
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

/// A duration in nanoseconds with four significant digits and a unit, as criterion prints them.
pub fn time(ns: f64) -> String {
    let (value, unit) = if ns < 1e3 {
        (ns, "ns")
    } else if ns < 1e6 {
        (ns / 1e3, "µs")
    } else if ns < 1e9 {
        (ns / 1e6, "ms")
    } else {
        (ns / 1e9, "s")
    };
    let decimals = if value < 10.0 {
        3
    } else if value < 100.0 {
        2
    } else {
        1
    };
    format!("{value:.decimals$} {unit}")
}

fn percent(fraction: f64) -> String {
    format!("{:+.1}%", fraction * 100.0)
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
                Verdict::Unchanged => " ",
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
        percent(change.point),
        percent(change.lower),
        percent(change.upper)
    )
}

fn floor_text(floor: &NoiseFloor) -> String {
    let value = format!("{:.1}%", floor.fraction * 100.0);
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
        format!("{:.1}% ({source})", low * 100.0)
    } else {
        format!("{:.1}% to {:.1}% ({source})", low * 100.0, high * 100.0)
    }
}

fn verdict_text(judged: &Judged) -> &'static str {
    match judged.verdict {
        Verdict::Slower => "REGRESSED",
        Verdict::Faster => "improved",
        Verdict::Unchanged => "ok",
    }
}

fn threshold_text(threshold: f64) -> String {
    if threshold > 0.0 {
        format!(", threshold {:.1}%", threshold * 100.0)
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

fn plural(count: usize, noun: &str) -> String {
    if count == 1 {
        format!("1 {noun}")
    } else {
        format!("{count} {noun}s")
    }
}

/// How a table column is aligned: text left, numbers right.
#[derive(Clone, Copy, PartialEq)]
enum Align {
    Left,
    Right,
}

/// A plain text table, columns two spaces apart (also used by `upgrade`'s report).
pub(crate) struct Table {
    align: Vec<Align>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// A table with these column headers; the first column is left-aligned, the others right.
    pub(crate) fn new(header: &[&str]) -> Self {
        let mut align = vec![Align::Right; header.len()];
        if let Some(first) = align.first_mut() {
            *first = Align::Left;
        }
        Table {
            align,
            rows: vec![header.iter().map(|h| h.to_string()).collect()],
        }
    }

    /// Left-aligns column `index`.
    pub(crate) fn left(mut self, index: usize) -> Self {
        if let Some(align) = self.align.get_mut(index) {
            *align = Align::Left;
        }
        self
    }

    pub(crate) fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    pub(crate) fn render(&self) -> String {
        let columns = self.rows.iter().map(Vec::len).max().unwrap_or(0);
        let widths: Vec<usize> = (0..columns)
            .map(|c| {
                self.rows
                    .iter()
                    .filter_map(|row| row.get(c))
                    .map(|cell| cell.chars().count())
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let mut out = String::new();
        for row in &self.rows {
            let mut line = String::new();
            for (c, cell) in row.iter().enumerate() {
                let pad = " ".repeat(widths[c].saturating_sub(cell.chars().count()));
                if c > 0 {
                    line.push_str("  ");
                }
                match self.align.get(c).copied().unwrap_or(Align::Right) {
                    Align::Left => {
                        line.push_str(cell);
                        line.push_str(&pad);
                    }
                    Align::Right => {
                        line.push_str(&pad);
                        line.push_str(cell);
                    }
                }
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_like_criterions() {
        assert_eq!(time(512.0), "512.0 ns");
        assert_eq!(time(118_732.0), "118.7 µs");
        assert_eq!(time(1_234_567.0), "1.235 ms");
        assert_eq!(time(2.1e9), "2.100 s");
    }

    #[test]
    fn tables_align() {
        let mut table = Table::new(&["id", "value", "note"]).left(2);
        table.row(vec!["long-id".into(), "1".into(), "x".into()]);
        assert_eq!(table.render(), "id       value  note\nlong-id      1  x\n");
    }
}
