//! The partition result, predicted or measured, and its text rendering.
//!
//! The JSON field names (`nodes`, `supported_nodes`, `partitions`, `partition_sizes`,
//! `unsupported`, `cut_makers`, `rule_set`, `format`, `source`) are part of epbench's output
//! format: the CLI prints this struct as JSON.

use std::fmt::Write as _;

use serde::Serialize;

use crate::runtime::ModelFormat;

use super::rules::{RejectCategory, RuleSetId};

/// Where a partition result came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// Computed offline from the rules.
    Predicted,
    /// Read from ORT's logs on a machine with the CoreML EP.
    Measured,
}

/// How the CoreML EP partitions (or partitioned) a model.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PartitionReport {
    pub source: Source,
    /// The rules used (predicted); `None` when measured.
    pub rule_set: Option<RuleSetId>,
    /// The CoreML model format; `None` when a measurement does not say.
    pub format: Option<ModelFormat>,
    /// The `RequireStaticInputShapes` option the prediction assumed.
    pub require_static_input_shapes: bool,
    /// Nodes in the graph at partitioning time (the M of ORT's log line).
    pub nodes: usize,
    /// Nodes in kept partitions (the K of ORT's log line).
    pub supported_nodes: usize,
    /// Kept partitions (the N of ORT's log line).
    pub partitions: usize,
    /// Node count of each partition, in the order ORT forms them; empty when not known.
    pub partition_sizes: Vec<usize>,
    /// Nodes left to the CPU, by op type and reason, most frequent first.
    pub unsupported: Vec<UnsupportedOp>,
    /// Op types ranked by how many partitions would disappear if they were supported.
    pub cut_makers: Vec<CutMaker>,
}

/// Nodes of one op type left to the CPU for one reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnsupportedOp {
    pub op: String,
    pub count: usize,
    pub reason: String,
    pub category: RejectCategory,
    /// The nodes' names.
    pub nodes: Vec<String>,
}

/// An op type that cuts the graph into partitions.
///
/// `partitions_removed` is a counterfactual: the kept partitions minus the partitions ORT would
/// form if every rejected node of this op type were supported, all else equal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CutMaker {
    pub op: String,
    /// Nodes of this op type the rules reject.
    pub rejected_nodes: usize,
    pub partitions_removed: i64,
    pub supported_nodes_gained: i64,
}

impl PartitionReport {
    /// Supported nodes as a share of all nodes, 0 for an empty graph.
    pub fn coverage(&self) -> f64 {
        if self.nodes == 0 {
            0.0
        } else {
            self.supported_nodes as f64 / self.nodes as f64
        }
    }

    /// A short multi-line summary for the terminal.
    ///
    /// ```text
    /// CoreML partitions (predicted, CoreML EP 2024 (ORT 1.18-1.19), NeuralNetwork)
    ///   125 nodes, 100 supported (80%), 16 partitions: 14 11 2 2 11 2 3 11 11 2 2 11 2 3 11 2
    ///   on the CPU:
    ///       16 x MatMul         MatMul: input A has rank 3; NeuralNetwork needs 2-D inputs (gemm_op_builder.cc)
    ///   cut-makers (partitions removed if the op were supported):
    ///     MatMul         -11 partitions, +16 nodes (16 rejected)
    /// ```
    pub fn render_text(&self) -> String {
        let mut out = String::new();
        let mut origin = vec![match self.source {
            Source::Predicted => "predicted".to_string(),
            Source::Measured => "measured".to_string(),
        }];
        if let Some(rules) = &self.rule_set {
            origin.push(rules.name.clone());
        }
        if let Some(format) = self.format {
            origin.push(format_name(format).to_string());
        }
        if self.require_static_input_shapes {
            origin.push("RequireStaticInputShapes".into());
        }
        let _ = writeln!(out, "CoreML partitions ({})", origin.join(", "));
        let sizes = if self.partition_sizes.is_empty() {
            String::new()
        } else {
            let list: Vec<String> = self.partition_sizes.iter().map(usize::to_string).collect();
            format!(": {}", list.join(" "))
        };
        let _ = writeln!(
            out,
            "  {} nodes, {} supported ({:.0}%), {} partition{}{sizes}",
            self.nodes,
            self.supported_nodes,
            100.0 * self.coverage(),
            self.partitions,
            if self.partitions == 1 { "" } else { "s" },
        );
        if !self.unsupported.is_empty() {
            let _ = writeln!(out, "  on the CPU:");
            for u in &self.unsupported {
                let _ = writeln!(out, "    {:>4} x {:<14} {}", u.count, u.op, u.reason);
            }
        }
        if !self.cut_makers.is_empty() {
            let _ = writeln!(
                out,
                "  cut-makers (partitions removed if the op were supported):"
            );
            for c in &self.cut_makers {
                let _ = writeln!(
                    out,
                    "    {:<14} -{} partitions, +{} nodes ({} rejected)",
                    c.op, c.partitions_removed, c.supported_nodes_gained, c.rejected_nodes
                );
            }
        }
        out
    }
}

/// ORT's spelling of the format option value.
pub fn format_name(format: ModelFormat) -> &'static str {
    match format {
        ModelFormat::NeuralNetwork => "NeuralNetwork",
        ModelFormat::MlProgram => "MLProgram",
    }
}
