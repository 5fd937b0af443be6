//! The table printed on stdout when a study finishes: one line per benchmark, then the slopes.

use std::fmt::Write as _;

use crate::measure::latency::format_ms;

use super::results::{Status, StudyResults};

/// One line per row (p50, p90, p99, throughput, or what failed), then the fragmentation slopes.
pub fn render(results: &StudyResults) -> String {
    let width = results.rows.iter().map(|r| r.id.len()).max().unwrap_or(0);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:width$}  {:>11} {:>11} {:>11} {:>12}",
        "benchmark", "p50", "p90", "p99", "per second"
    );
    for row in &results.rows {
        let _ = match &row.status {
            Status::Measured(m) => writeln!(
                out,
                "{:width$}  {:>11} {:>11} {:>11} {:>12}",
                row.id,
                format_ms(m.latency_ms.p50),
                format_ms(m.latency_ms.p90),
                format_ms(m.latency_ms.p99),
                m.throughput_per_s
                    .map_or_else(|| "-".into(), |t| format!("{t:.1}"))
            ),
            Status::Failed { stage, reason } => {
                writeln!(
                    out,
                    "{:width$}  FAILED ({stage}): {}",
                    row.id,
                    first_line(reason)
                )
            }
            Status::NeedsEp { reason, .. } => {
                writeln!(out, "{:width$}  not run: {}", row.id, first_line(reason))
            }
        };
    }
    for fit in &results.analysis.fragmentation {
        let _ = writeln!(out, "fragmentation: {}", fit.conclusion);
    }
    out
}

/// The first line of a message, cut to a terminal's width.
pub fn first_line(text: &str) -> String {
    let line = text.lines().next().unwrap_or("");
    if line.chars().count() > 100 {
        format!("{}…", line.chars().take(99).collect::<String>())
    } else {
        line.to_string()
    }
}
