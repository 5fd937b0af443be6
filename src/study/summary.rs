//! The table printed on stdout when a study finishes: one line per benchmark, then the slopes.

use std::fmt::Write as _;

use crate::text::Table;
use crate::text::format::ms;

use super::results::{Status, StudyResults};

/// One line per row (p50, p90, p99, throughput, or what failed), then the fragmentation slopes.
pub fn render(results: &StudyResults) -> String {
    let mut table = Table::new(&["benchmark", "p50", "p90", "p99", "per second"]);
    for row in &results.rows {
        match &row.status {
            Status::Measured(m) => table.row(vec![
                row.id.clone(),
                ms(m.latency_ms.p50),
                ms(m.latency_ms.p90),
                ms(m.latency_ms.p99),
                m.throughput_per_s
                    .map_or_else(|| "-".into(), |t| format!("{t:.1}")),
            ]),
            Status::Failed { stage, reason } => table.spanning_row(vec![
                row.id.clone(),
                format!("FAILED ({stage}): {}", first_line(reason)),
            ]),
            Status::NeedsEp { reason, .. } => table.spanning_row(vec![
                row.id.clone(),
                format!("not run: {}", first_line(reason)),
            ]),
        }
    }
    let mut out = table.render();
    for fit in &results.analysis.fragmentation {
        let _ = writeln!(out, "fragmentation: {}", fit.conclusion);
    }
    out
}

/// The first line of a message, short enough for a table cell or a chart footer. The model's
/// path (named elsewhere in the row) is dropped, and a long line loses its middle rather than
/// its end, because ORT puts the cause last ("... Error: the graph is not acyclic.").
pub fn first_line(text: &str) -> String {
    const MAX: usize = 100;
    const HEAD: usize = 40;
    let line = text.lines().next().unwrap_or("");
    let line = match (line.find(" for "), line.find(".onnx: ")) {
        (Some(start), Some(end)) if start < end => {
            format!("{}: {}", &line[..start], &line[end + ".onnx: ".len()..])
        }
        _ => line.to_string(),
    };
    let chars: Vec<char> = line.chars().collect();
    if chars.len() <= MAX {
        return line;
    }
    let head: String = chars[..HEAD].iter().collect();
    let tail: String = chars[chars.len() - (MAX - HEAD - 3)..].iter().collect();
    format!("{} … {}", head.trim_end(), tail.trim_start())
}

#[cfg(test)]
mod tests {
    use super::first_line;

    #[test]
    fn reasons_keep_their_cause() {
        let ort = "cannot create a openvino session for models/generated/probe_hardmax_k8_h256.380463fc13cd2071.onnx: This is an invalid model. Error: the graph is not acyclic.";
        assert_eq!(
            first_line(ort),
            "cannot create a openvino session: This is an invalid model. Error: the graph is not acyclic."
        );
        let long = format!("start {} the cause\nsecond line", "x".repeat(200));
        let short = first_line(&long);
        assert!(
            short.starts_with("start x") && short.ends_with("the cause"),
            "{short}"
        );
        assert!(short.chars().count() <= 100, "{short}");
    }
}
