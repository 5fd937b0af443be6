//! `epbench fix`'s report as text.

use std::fmt::Write as _;

use crate::rewrite::Changes;
use crate::study::results::PartitionOutcome;
use crate::text::format::counted_ops;

use super::FixReport;

/// At most this many node names per change list in the text (JSON has them all).
const NAMES_SHOWN: usize = 3;

fn partitions_line(outcome: &PartitionOutcome) -> String {
    match outcome {
        PartitionOutcome::Known(n) => {
            let supported = n
                .supported_nodes
                .map_or(String::new(), |s| format!(", {s} on the EP"));
            let cpu = if n.cpu_ops.is_empty() {
                String::new()
            } else {
                let most = n.cpu_ops.iter().take(6);
                format!(
                    "; CPU: {}",
                    counted_ops(most.map(|(op, c)| (op.as_str(), *c)))
                )
            };
            format!(
                "{} partition(s), {} nodes{supported}{cpu} [{}]",
                n.partitions, n.nodes, n.source
            )
        }
        PartitionOutcome::Failed { reason } => format!("unknown: {reason}"),
    }
}

fn changes_line(changes: &Changes) -> String {
    let list = |label: &str, nodes: &[crate::rewrite::NodeRef]| {
        if nodes.is_empty() {
            return None;
        }
        let names: Vec<&str> = nodes
            .iter()
            .take(NAMES_SHOWN)
            .map(|n| n.name.as_str())
            .collect();
        let more = if nodes.len() > NAMES_SHOWN {
            ", ..."
        } else {
            ""
        };
        Some(format!(
            "{label} {} ({}; e.g. {}{more})",
            nodes.len(),
            Changes::by_op(nodes),
            names.join(", ")
        ))
    };
    let parts: Vec<String> = [
        list("removed", &changes.removed),
        list("added", &changes.added),
        list("modified", &changes.modified),
    ]
    .into_iter()
    .flatten()
    .collect();
    format!(
        "{}; initializers {} -> {}",
        parts.join("; "),
        changes.initializers.0,
        changes.initializers.1
    )
}

impl FixReport {
    /// The report for the terminal.
    pub fn render_text(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "{} ({})", self.model, self.runtime);
        let _ = writeln!(out, "Rewrites, chosen by {}:", self.plan.chosen_by);
        for r in &self.plan.recommendations {
            let _ = writeln!(
                out,
                "  recommended: {} -> {}",
                r.recommendation.title,
                match (&r.rewrite, &r.note) {
                    (Some(kind), _) => kind.to_string(),
                    (None, Some(note)) => note.clone(),
                    (None, None) => "not applied".into(),
                }
            );
        }
        for note in &self.plan.notes {
            let _ = writeln!(out, "  note: {note}");
        }
        if self.rewrites.is_empty() {
            let _ = writeln!(out, "  none");
        }
        for o in &self.rewrites {
            let _ = writeln!(out, "  {}: {}", o.rewrite, o.summary);
            if o.applied {
                let _ = writeln!(out, "    {}", changes_line(&o.changes));
            }
        }
        if let Some(p) = &self.partitions {
            let _ = writeln!(out, "Partitions on {}:", p.ep);
            let _ = writeln!(out, "  before: {}", partitions_line(&p.before));
            let _ = writeln!(out, "  after:  {}", partitions_line(&p.after));
            for outcome in [&p.before, &p.after] {
                if let PartitionOutcome::Known(n) = outcome {
                    let _ = writeln!(out, "    ({})", n.provenance);
                    break;
                }
            }
        }
        let _ = writeln!(
            out,
            "Outputs of the fixed model against the original (CPU EP; inputs {}):",
            self.outputs.inputs
        );
        for line in self.outputs.comparison.render_text().lines() {
            let _ = writeln!(out, "  {line}");
        }
        if let Some(change) = self.outputs.max_abs_change {
            let _ = writeln!(out, "  largest change of an output element: {change:.3e}");
        }
        if let Some(timing) = &self.timing {
            let load = timing
                .load_average
                .map_or(String::new(), |[one, five, fifteen]| {
                    format!(" (load average {one:.2} {five:.2} {fifteen:.2})")
                });
            let _ = writeln!(out, "Median latency (p50), before -> after{load}:");
            for t in &timing.rows {
                let ms = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.3} ms"));
                let ratio = t.ratio().map_or(String::new(), |r| format!(" (x{r:.2})"));
                let note = t.note.as_ref().map_or(String::new(), |n| format!("; {n}"));
                let _ = writeln!(
                    out,
                    "  {:<10} {} -> {}{ratio}  [{} warm-up + {} runs]{note}",
                    t.ep.to_string(),
                    ms(t.before_p50_ms),
                    ms(t.after_p50_ms),
                    t.runs.warmup,
                    t.runs.iterations
                );
            }
        }
        match (&self.written, self.outputs_match) {
            (Some(w), true) => {
                let _ = writeln!(out, "Wrote {} ({} bytes)", w.path.display(), w.bytes);
            }
            (Some(w), false) => {
                let _ = writeln!(
                    out,
                    "Outputs do NOT match; wrote {} anyway (--force)",
                    w.path.display()
                );
            }
            (None, _) => {
                let _ = writeln!(
                    out,
                    "Outputs do NOT match: nothing written (--force keeps the file)"
                );
            }
        }
        if let Some(w) = &self.written
            && let Some(data) = &w.data_file
        {
            let _ = writeln!(out, "  weights in {}", data.display());
        }
        out
    }
}
