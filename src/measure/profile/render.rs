//! The summary as the study's plain-text block.

use std::fmt::{self, Write as _};

use super::summary::ProfileSummary;
use crate::measure::latency::LatencyStats;
use crate::text::format::{count, ms_grouped as millis, percent, plural};

/// How many top nodes the text block lists; the JSON keeps all of `top_nodes`.
const TOP_NODES_SHOWN: usize = 10;

/// A first run slower than this multiple of the median gets a warning: it is warm-up (CoreML
/// and OpenVINO compile or load on first use) and it is inside every total of the profile.
const SLOW_FIRST_RUN: f64 = 3.0;

impl ProfileSummary {
    /// The study-like text block: profile statistics, session vs run time, overhead vs node
    /// execution, providers, partitions, fallback ops, transitions per run and the top nodes.
    ///
    /// Latency percentiles are not in a profile: pass the separately measured
    /// [`LatencyStats`] and the batch size per run to print the study's "Performance Metrics"
    /// block first.
    pub fn render_text(&self, latency: Option<(&LatencyStats, usize)>) -> String {
        let mut out = String::new();
        if let Some((stats, batch)) = latency {
            out.push_str(&stats.render_text(batch));
            out.push('\n');
        }
        // Writing to a String cannot fail.
        let _ = self.write_profile(&mut out);
        out
    }

    /// The sections of the text block, a blank line apart.
    fn write_profile(&self, out: &mut String) -> fmt::Result {
        self.write_totals(out)?;
        writeln!(out)?;
        self.write_breakdown(out)?;
        writeln!(out)?;
        self.write_providers(out)?;
        writeln!(out)?;
        self.write_partitions(out)?;
        writeln!(out)?;
        self.write_fallback(out)?;
        writeln!(out)?;
        self.write_transitions(out)?;
        self.write_top_nodes(out)
    }

    fn write_totals(&self, out: &mut String) -> fmt::Result {
        writeln!(out, "Total Profile Statistics:")?;
        writeln!(out, "  - Total events: {}", count(self.total_events))?;
        writeln!(
            out,
            "  - Total duration: {}",
            millis(self.total_duration_ms)
        )?;
        writeln!(
            out,
            "  - Session initialization: {}",
            millis(self.session_init_ms)
        )?;
        writeln!(out, "  - Model loading: {}", millis(self.model_loading_ms))?;
        writeln!(out, "  - Runs (model_run): {}", count(self.runs))?;
        writeln!(
            out,
            "  - SequentialExecutor::Execute: {} ({} events)",
            millis(self.sequential_executor_ms),
            count(self.sequential_executor_events)
        )?;
        if let (Some(first), Some(median)) = (self.first_run_ms, self.median_run_ms)
            && self.runs > 1
            && first > SLOW_FIRST_RUN * median
        {
            writeln!(
                out,
                "  - Warning: the first run took {}, {:.0}x the median run ({}); warm-up runs are \
                 in every total below",
                millis(first),
                first / median,
                millis(median)
            )?;
        }
        if self.fence_events > 0 {
            writeln!(
                out,
                "  - Fence events: {} (ORT before October 2024)",
                count(self.fence_events)
            )?;
        }
        Ok(())
    }

    fn write_breakdown(&self, out: &mut String) -> fmt::Result {
        writeln!(
            out,
            "Execution Time Breakdown (inside model_run, {} in total):",
            millis(self.model_run_ms)
        )?;
        writeln!(
            out,
            "  - Session overhead: {}{}",
            millis(self.session_overhead_ms),
            percent_suffix(self.session_overhead_share)
        )?;
        writeln!(
            out,
            "  - Node execution: {}{}",
            millis(self.node_execution_ms),
            percent_suffix(self.node_execution_share)
        )
    }

    fn write_providers(&self, out: &mut String) -> fmt::Result {
        writeln!(out, "Execution Providers (kernel time):")?;
        if self.providers.is_empty() {
            writeln!(out, "  - none: the profile has no node events")?;
        }
        for p in &self.providers {
            let provider = if p.provider.is_empty() {
                "(not recorded)"
            } else {
                &p.provider
            };
            writeln!(
                out,
                "  - {provider}: {}, {} ({})",
                plural(p.nodes, "node"),
                millis(p.time_ms),
                plural(p.events, "event")
            )?;
        }
        if let Some(share) = self.ep_executed_node_share {
            writeln!(
                out,
                "  - Executed nodes on the accelerator: {} of {} ({}), {} of node time",
                count(self.ep_nodes),
                count(self.nodes),
                percent(share),
                self.ep_time_share.map_or("n/a".to_string(), percent)
            )?;
        }
        Ok(())
    }

    fn write_partitions(&self, out: &mut String) -> fmt::Result {
        if self.accelerators.is_empty() {
            return writeln!(out, "Partitions: none (no accelerator EP executed a node)");
        }
        writeln!(
            out,
            "{} Partitions: {}",
            self.accelerators.join(", "),
            self.partitions.len()
        )?;
        for (i, p) in self.partitions.iter().enumerate() {
            writeln!(
                out,
                "  {}. {}: {} ({}, mean {})",
                i + 1,
                p.name,
                millis(p.time_ms),
                plural(p.events, "event"),
                millis(p.mean_ms)
            )?;
        }
        Ok(())
    }

    fn write_fallback(&self, out: &mut String) -> fmt::Result {
        let Some(nodes) = self.fallback_nodes else {
            return writeln!(
                out,
                "CPU Fallback Operations: not applicable (no accelerator EP in the session)"
            );
        };
        writeln!(out, "CPU Fallback Operations ({}):", plural(nodes, "node"))?;
        for (i, op) in self.fallback_ops.iter().enumerate() {
            writeln!(
                out,
                "  {}. {}: {} ({}, {})",
                i + 1,
                op.op,
                millis(op.time_ms),
                plural(op.events, "event"),
                plural(op.nodes, "node")
            )?;
        }
        Ok(())
    }

    fn write_transitions(&self, out: &mut String) -> fmt::Result {
        match self.transitions_per_run {
            Some(t) => writeln!(
                out,
                "Provider transitions per run: {t:.2} (consecutive nodes on different providers)"
            ),
            None => writeln!(
                out,
                "Provider transitions per run: n/a (no model_run events)"
            ),
        }
    }

    fn write_top_nodes(&self, out: &mut String) -> fmt::Result {
        if self.top_nodes.is_empty() {
            return Ok(());
        }
        writeln!(out)?;
        writeln!(out, "Top Nodes by Time:")?;
        for (i, n) in self.top_nodes.iter().take(TOP_NODES_SHOWN).enumerate() {
            writeln!(
                out,
                "  {}. {} [{}, {}]: {} ({})",
                i + 1,
                n.name,
                n.op,
                n.provider,
                millis(n.time_ms),
                plural(n.events, "event")
            )?;
        }
        Ok(())
    }
}

impl fmt::Display for ProfileSummary {
    /// [`ProfileSummary::render_text`] without latency.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render_text(None))
    }
}

fn percent_suffix(fraction: Option<f64>) -> String {
    fraction.map_or(String::new(), |f| format!(" ({})", percent(f)))
}
