//! Measured partitions: what the CoreML EP itself logged while a session was created.
//!
//! `CoreMLExecutionProvider::GetCapability` (`onnxruntime/core/providers/coreml/
//! coreml_execution_provider.cc`) logs one summary line, at WARNING when there is more than one
//! partition and INFO otherwise:
//!
//! ```text
//! CoreMLExecutionProvider::GetCapability, number of partitions supported by CoreML: 16 number of nodes in the graph: 125 number of nodes supported by CoreML: 100
//! ```
//!
//! and, with VERBOSE logging, one line per node from `GetSupportedNodes` (`builders/helper.cc`):
//!
//! ```text
//! Operator type: [MatMul] index: [17] name: [/encoder/layer.0/attention/self/query/MatMul] supported: [0]
//! ```
//!
//! The lines are matched by their text, never by source line number (which changes between
//! releases). ORT may call `GetCapability` more than once per session; the last summary wins, with
//! the per-node lines logged since the previous summary.

use std::collections::{BTreeMap, HashMap};

use crate::runtime::LogLine;

use super::PartitionError;
use super::graph::AnalysisGraph;
use super::grouping::group_nodes;
use super::report::{PartitionReport, Provenance, UnsupportedOp};
use super::rules::RejectCategory;

const SUMMARY_MARKER: &str = "number of partitions supported by CoreML:";
const NODES_LABEL: &str = "number of nodes in the graph:";
const SUPPORTED_LABEL: &str = "number of nodes supported by CoreML:";
const NODE_PREFIX: &str = "Operator type: [";

/// The numbers of one `GetCapability` summary line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CapabilityLine {
    /// N: partitions taken by CoreML.
    pub partitions: usize,
    /// M: nodes in the graph at partitioning time.
    pub nodes: usize,
    /// K: nodes in the taken partitions.
    pub supported_nodes: usize,
}

/// One VERBOSE `Operator type: [...] supported: [...]` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeSupportLine {
    pub op: String,
    /// ORT's node index (not the position in the saved model).
    pub index: usize,
    pub name: String,
    pub supported: bool,
}

/// Everything the CoreML EP logged about partitioning.
#[derive(Debug, Clone, PartialEq)]
pub struct Measured {
    pub capability: CapabilityLine,
    /// Empty unless the session logged at VERBOSE.
    pub node_lines: Vec<NodeSupportLine>,
    pub report: PartitionReport,
}

/// Parses a `GetCapability` summary; `None` when `message` is not one.
pub fn parse_capability(message: &str) -> Option<Result<CapabilityLine, PartitionError>> {
    let start = message.find(SUMMARY_MARKER)?;
    let text = &message[start..];
    let bad = |reason: &str| PartitionError::BadLogLine {
        line: message.to_string(),
        reason: reason.to_string(),
    };
    let number_after = |label: &str| -> Result<usize, PartitionError> {
        let at = text
            .find(label)
            .ok_or_else(|| bad(&format!("no `{label}`")))?;
        let digits: String = text[at + label.len()..]
            .trim_start()
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        digits
            .parse()
            .map_err(|_| bad(&format!("no number after `{label}`")))
    };
    Some((|| {
        Ok(CapabilityLine {
            partitions: number_after(SUMMARY_MARKER)?,
            nodes: number_after(NODES_LABEL)?,
            supported_nodes: number_after(SUPPORTED_LABEL)?,
        })
    })())
}

/// Parses a VERBOSE per-node line; `None` when `message` is not one. Node names may contain
/// brackets, so the fields are split on the labels, with the name ending at the last
/// `] supported: [`.
pub fn parse_node_line(message: &str) -> Option<Result<NodeSupportLine, PartitionError>> {
    let start = message.find(NODE_PREFIX)?;
    let text = &message[start + NODE_PREFIX.len()..];
    let bad = |reason: &str| PartitionError::BadLogLine {
        line: message.to_string(),
        reason: reason.to_string(),
    };
    Some((|| {
        let (op, rest) = text
            .split_once("] index: [")
            .ok_or_else(|| bad("no `index:` field"))?;
        let (index, rest) = rest
            .split_once("] name: [")
            .ok_or_else(|| bad("no `name:` field"))?;
        let (name, flag) = rest
            .rsplit_once("] supported: [")
            .ok_or_else(|| bad("no `supported:` field"))?;
        let supported = match flag.trim_end().strip_suffix(']') {
            Some("1") => true,
            Some("0") => false,
            _ => return Err(bad("`supported:` is not [0] or [1]")),
        };
        Ok(NodeSupportLine {
            op: op.to_string(),
            index: index
                .trim()
                .parse()
                .map_err(|_| bad("the index is not a number"))?,
            name: name.to_string(),
            supported,
        })
    })())
}

/// Reads the CoreML EP's partitioning from a session's log lines. `provenance` says which EP,
/// with which options, on which runtime logged them (the log does not say; see
/// [`Provenance::measured`]).
///
/// Fails with [`PartitionError::NoCapabilityLine`] when there is no summary line (the session
/// was not on CoreML, or logged above INFO) and [`PartitionError::BadLogLine`] when a line that
/// looks like one cannot be parsed.
pub fn measured_from_logs(
    logs: &[LogLine],
    provenance: Provenance,
) -> Result<Measured, PartitionError> {
    let mut summary = None;
    let mut block: Vec<NodeSupportLine> = Vec::new();
    let mut last_block: Vec<NodeSupportLine> = Vec::new();
    for line in logs {
        if let Some(capability) = parse_capability(&line.message) {
            summary = Some(capability?);
            last_block = std::mem::take(&mut block);
        } else if let Some(node) = parse_node_line(&line.message) {
            block.push(node?);
        }
    }
    let capability = summary.ok_or(PartitionError::NoCapabilityLine { lines: logs.len() })?;
    let report = PartitionReport {
        provenance,
        nodes: capability.nodes,
        supported_nodes: capability.supported_nodes,
        partitions: capability.partitions,
        partition_sizes: Vec::new(),
        unsupported: unsupported_from_lines(&last_block),
        cut_makers: Vec::new(),
    };
    Ok(Measured {
        capability,
        node_lines: last_block,
        report,
    })
}

fn unsupported_from_lines(lines: &[NodeSupportLine]) -> Vec<UnsupportedOp> {
    let mut by_op: BTreeMap<&str, UnsupportedOp> = BTreeMap::new();
    for line in lines.iter().filter(|l| !l.supported) {
        let entry = by_op
            .entry(line.op.as_str())
            .or_insert_with(|| UnsupportedOp {
                op: line.op.clone(),
                count: 0,
                reason: format!(
                    "{}: rejected by the CoreML EP (measured; ORT logs no per-node reason)",
                    line.op
                ),
                category: RejectCategory::Measured,
                nodes: Vec::new(),
            });
        entry.count += 1;
        entry.nodes.push(line.name.clone());
    }
    let mut list: Vec<UnsupportedOp> = by_op.into_values().collect();
    list.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.op.cmp(&b.op)));
    list
}

impl Measured {
    /// Adds the partition sizes by grouping `graph` (ORT's level-1 graph of the same model) with
    /// the measured per-node verdicts, matched by node name. The sizes are kept only when the
    /// grouping reproduces the logged partition and node counts; returns whether it did.
    /// Without VERBOSE lines, or when names do not match one to one, nothing changes.
    pub fn attach_partition_sizes(&mut self, graph: &AnalysisGraph) -> bool {
        if self.node_lines.len() != graph.len() {
            return false;
        }
        let flags: HashMap<&str, bool> = self
            .node_lines
            .iter()
            .map(|l| (l.name.as_str(), l.supported))
            .collect();
        if flags.len() != graph.len() {
            return false;
        }
        let supported: Option<Vec<bool>> = graph
            .nodes()
            .iter()
            .map(|n| flags.get(n.name.as_str()).copied())
            .collect();
        let Some(supported) = supported else {
            return false;
        };
        let grouping = group_nodes(graph, &supported, None);
        let matches = grouping.kept.len() == self.capability.partitions
            && grouping.supported_nodes() == self.capability.supported_nodes;
        if matches {
            self.report.partition_sizes = grouping.kept.iter().map(Vec::len).collect();
        }
        matches
    }
}
