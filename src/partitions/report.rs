//! The partition result, predicted or measured, and its text rendering.
//!
//! The JSON field names (`source`, then `rule_set`, `format`, `require_static_input_shapes` for a
//! prediction or `ep`, `runtime`, `ort_version`, `executes` for a measurement, then `nodes`,
//! `supported_nodes`, `partitions`, `partition_sizes`, `unsupported`, `cut_makers`) are part of
//! epbench's output format: the CLI prints this struct as JSON.

use std::fmt::Write as _;

use serde::Serialize;

use crate::runtime::{Availability, Ep, ModelFormat, Runtime};

use super::rules::{RejectCategory, RuleSetId};

/// Where a partition result came from, and what it therefore depends on.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "source", rename_all = "lowercase")]
pub enum Provenance {
    /// Computed offline from the rules, for one format and static-shape setting.
    Predicted {
        rule_set: RuleSetId,
        format: ModelFormat,
        require_static_input_shapes: bool,
    },
    /// Read from the CoreML EP's own log lines while a session was created.
    Measured {
        /// The EP as the session registered it, with its options.
        ep: Ep,
        /// The runtime that partitioned, e.g. `file:/path/libonnxruntime.so (ORT 1.30.0)`.
        runtime: String,
        ort_version: String,
        /// Whether that runtime also executes on the EP; `false` for a build that only
        /// partitions (ORT's CoreML EP built for Linux).
        executes: bool,
    },
}

impl Provenance {
    /// A measurement by `ep` on `runtime`.
    pub fn measured(ep: &Ep, runtime: &Runtime) -> Self {
        Provenance::Measured {
            ep: ep.clone(),
            runtime: runtime.describe(),
            ort_version: runtime.version().to_string(),
            executes: matches!(runtime.availability(ep), Availability::Available),
        }
    }

    /// The CoreML model format the result is for, where it says.
    pub fn format(&self) -> Option<ModelFormat> {
        match self {
            Provenance::Predicted { format, .. } => Some(*format),
            Provenance::Measured {
                ep: Ep::CoreMl(o), ..
            } => Some(o.format),
            Provenance::Measured { .. } => None,
        }
    }

    /// The rules of a prediction.
    pub fn rule_set(&self) -> Option<&RuleSetId> {
        match self {
            Provenance::Predicted { rule_set, .. } => Some(rule_set),
            Provenance::Measured { .. } => None,
        }
    }

    /// Whether this is a measurement.
    pub fn is_measured(&self) -> bool {
        matches!(self, Provenance::Measured { .. })
    }

    /// One line for people: `measured by the CoreML EP (ORT 1.30.0, a build that partitions
    /// but cannot execute), coreml:format=mlprogram` or `predicted, rules CoreML EP ORT 1.31.1,
    /// NeuralNetwork`.
    pub fn describe(&self) -> String {
        match self {
            Provenance::Predicted {
                rule_set,
                format,
                require_static_input_shapes,
            } => {
                let mut text = format!(
                    "predicted, rules {}, {}",
                    rule_set.name,
                    format_name(*format)
                );
                if *require_static_input_shapes {
                    text.push_str(", RequireStaticInputShapes");
                }
                text
            }
            Provenance::Measured {
                ep,
                ort_version,
                executes,
                ..
            } => format!(
                "measured by the {} EP (ORT {ort_version}{}), {ep}",
                ep.kind().label(),
                if *executes {
                    ""
                } else {
                    ", a build that partitions but cannot execute"
                }
            ),
        }
    }
}

/// How the CoreML EP partitions (or partitioned) a model.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PartitionReport {
    #[serde(flatten)]
    pub provenance: Provenance,
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
    /// CoreML partitions (predicted, rules CoreML EP 2024 (ORT 1.18-1.19), NeuralNetwork)
    ///   125 nodes, 100 supported (80%), 16 partitions: 14 11 2 2 11 2 3 11 11 2 2 11 2 3 11 2
    ///   on the CPU:
    ///       16 x MatMul         MatMul: input A has rank 3; NeuralNetwork needs 2-D inputs (gemm_op_builder.cc)
    ///   cut-makers (partitions removed if the op were supported):
    ///     MatMul         -11 partitions, +16 nodes (16 rejected)
    /// ```
    pub fn render_text(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "CoreML partitions ({})", self.provenance.describe());
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
    format.ort_value()
}
