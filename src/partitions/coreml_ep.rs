//! The real CoreML EP's partitioning of a model, and how it compares with the prediction.
//!
//! Wherever the loaded ONNX Runtime has the CoreML EP — a Mac, or ORT's CoreML EP built for Linux,
//! which partitions and builds CoreML models but cannot execute them — a session created at
//! VERBOSE logging gives the EP's own numbers ([`super::measured`]) and one supported flag per
//! node. [`measure`] does that for one set of options and also lists the CoreML models the EP
//! wrote when the user gave it a `cache_dir`; [`compare_nodes`] puts the EP's flags beside the
//! rules' verdicts, node by node.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Serialize;

use crate::runtime::{CoreMlOptions, Ep, LogLevel, ModelFormat, OptLevel, SessionConfig};

use super::agreement::{self, NodeDisagreement};
use super::measured::{Measured, measured_from_logs};
use super::report::{PartitionReport, Provenance};
use super::rules::Verdict;
use super::{AnalysisGraph, PartitionError};

/// What the CoreML EP did with a model when a session was created.
#[derive(Debug, Clone)]
pub struct EpPartitioning {
    /// The EP's summary line, per-node flags and the report made of them.
    pub measured: Measured,
    /// Session creation at optimisation level 1 (levels 2+ run after partitioning and do not
    /// change it): ORT's optimisation, the EP's partitioning and CoreML model building (and, on a
    /// Mac, CoreML's compile). Zero when the session failed.
    pub session_time: Duration,
    /// Why the session could not be created after the EP partitioned the model (e.g. ORT's
    /// CoreML model builder refusing a partition it had claimed): a finding, not a lost
    /// measurement.
    pub session_error: Option<String>,
    /// The CoreML models the EP wrote into the user's `cache_dir` (empty without one: epbench
    /// then gives the session a temporary cache that is removed with it).
    pub built_models: Vec<BuiltModel>,
}

/// One CoreML model the EP built for a partition, as found in `ModelCacheDirectory`.
///
/// ORT lays the cache out as `<dir>/<model key>/<partition id>_<static|dynamic>_<nn|mlprogram>/
/// model` (`builders/model_builder.cc` `GetModelOutputPath`): a NeuralNetwork `.mlmodel` file,
/// or an ML Program `.mlpackage` folder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BuiltModel {
    pub path: PathBuf,
    pub format: ModelFormat,
    /// The partition's id among the model's fused nodes (ORT's metadef id).
    pub partition_id: u32,
    /// Bytes on disk (a package's files summed).
    pub size_bytes: u64,
    /// Nodes of that partition, where the measured partition sizes are known.
    pub nodes: Option<usize>,
}

/// Creates a CoreML session with `options` on `model` and reads what the EP logged. With
/// `graph` (ORT's level-1 graph of the same model, as the prediction used), the partition sizes
/// are added where grouping the EP's per-node flags on it reproduces the logged counts.
///
/// Fails with [`PartitionError::Ep`] when the loaded runtime has no CoreML EP (or rejects the
/// options), with [`PartitionError::EpSession`] when the session fails before the EP logged its
/// partitioning, and with the log errors of [`measured_from_logs`]. A session that fails after
/// partitioning is a measurement with [`EpPartitioning::session_error`] set.
pub fn measure(
    model: &Path,
    options: &CoreMlOptions,
    graph: Option<&AnalysisGraph>,
) -> Result<EpPartitioning, PartitionError> {
    let runtime = crate::runtime::global().map_err(|e| PartitionError::EpSession {
        model: model.to_path_buf(),
        source: Box::new(e),
    })?;
    let ep = Ep::CoreMl(options.clone());
    runtime.require_partitioning(&ep)?;
    let built = SessionConfig::new(ep.clone())
        .optimization(OptLevel::Basic)
        .intra_threads(1)
        .log_level(LogLevel::Verbose)
        .build_keeping_logs(model);
    let (logs, session_time, session_error) = match built {
        Ok(built) => (built.logs, built.create_time, None),
        Err((source, logs)) => {
            let partitioned = logs
                .iter()
                .any(|l| super::measured::parse_capability(&l.message).is_some());
            if !partitioned {
                return Err(PartitionError::EpSession {
                    model: model.to_path_buf(),
                    source: Box::new(source),
                });
            }
            (logs, Duration::ZERO, Some(source.to_string()))
        }
    };
    let mut measured = measured_from_logs(&logs, Provenance::measured(&ep, runtime))?;
    if let Some(graph) = graph {
        measured.attach_partition_sizes(graph);
    }
    let built_models = match &options.cache_dir {
        Some(dir) => list_built_models(dir, options, &measured.report),
        None => Vec::new(),
    };
    Ok(EpPartitioning {
        measured,
        session_time,
        session_error,
        built_models,
    })
}

/// The models in `dir` for this session's format and static-shape setting, partition ids in
/// order. Several ONNX models may share one cache folder; each keeps its own key folder, and
/// `model.txt` beside the partitions names the ONNX file, so only folders written in this
/// session's key are listed: the newest key folder holding this configuration's suffix.
fn list_built_models(
    dir: &Path,
    options: &CoreMlOptions,
    report: &PartitionReport,
) -> Vec<BuiltModel> {
    let suffix = format!(
        "_{}_{}",
        if options.static_shapes {
            "static"
        } else {
            "dynamic"
        },
        match options.format {
            ModelFormat::NeuralNetwork => "nn",
            ModelFormat::MlProgram => "mlprogram",
        }
    );
    let Some(key_dir) = newest_subdir(dir, |path| has_child_with_suffix(path, &suffix)) else {
        return Vec::new();
    };
    let mut models: Vec<BuiltModel> = std::fs::read_dir(&key_dir)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            let id: u32 = name.strip_suffix(&suffix)?.parse().ok()?;
            let path = entry.path().join("model");
            path.exists().then(|| BuiltModel {
                size_bytes: size_on_disk(&path),
                path,
                format: options.format,
                partition_id: id,
                nodes: None,
            })
        })
        .collect();
    models.sort_by_key(|m| m.partition_id);
    if models.len() == report.partition_sizes.len() {
        for (model, &size) in models.iter_mut().zip(&report.partition_sizes) {
            model.nodes = Some(size);
        }
    }
    models
}

fn newest_subdir(dir: &Path, keep: impl Fn(&Path) -> bool) -> Option<PathBuf> {
    std::fs::read_dir(dir)
        .ok()?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_dir() && keep(p))
        .max_by_key(|p| p.metadata().and_then(|m| m.modified()).ok())
}

fn has_child_with_suffix(dir: &Path, suffix: &str) -> bool {
    std::fs::read_dir(dir).is_ok_and(|entries| {
        entries
            .filter_map(Result::ok)
            .any(|e| e.file_name().to_string_lossy().ends_with(suffix))
    })
}

fn size_on_disk(path: &Path) -> u64 {
    if path.is_dir() {
        std::fs::read_dir(path)
            .into_iter()
            .flatten()
            .filter_map(Result::ok)
            .map(|e| size_on_disk(&e.path()))
            .sum()
    } else {
        path.metadata().map_or(0, |m| m.len())
    }
}

/// The rules' verdict on one node, before partitions are formed (what the EP's per-node
/// `supported` flag reports: `builders/helper.cc` logs it before grouping and before the
/// trivial-partition drop); [`super::agreement::tally_nodes`] sets these against the EP's lines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NodeVerdict {
    pub name: String,
    pub op: String,
    pub supported: bool,
    /// Why the rules reject it.
    pub reason: Option<String>,
}

impl NodeVerdict {
    /// The rules' per-node verdicts of a prediction, before the partition filter, by node index
    /// of `graph`: a node whose partition was dropped as trivial counts as supported here.
    pub fn of_prediction(
        graph: &AnalysisGraph,
        prediction: &super::Prediction,
    ) -> Vec<NodeVerdict> {
        graph
            .nodes()
            .iter()
            .zip(&prediction.rule_verdicts)
            .map(|(node, verdict)| {
                let reason = match verdict {
                    Verdict::Rejected(r) => Some(r.reason.clone()),
                    Verdict::Supported => None,
                };
                NodeVerdict {
                    name: node.name.clone(),
                    op: node.op_type.clone(),
                    supported: reason.is_none(),
                    reason,
                }
            })
            .collect()
    }
}

/// The prediction beside the EP's measurement, for one set of options.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NodeComparison {
    /// Nodes, supported nodes and partitions are equal.
    pub counts_agree: bool,
    /// Nodes the EP logged whose flag the rules matched.
    pub nodes_same: usize,
    /// The (op, name) groups whose flags differ, or that only one side has (see
    /// [`agreement::tally_nodes`]).
    pub disagreements: Vec<NodeDisagreement>,
    /// False when the EP logged no per-node lines (a session above VERBOSE): only the counts
    /// are compared.
    pub per_node: bool,
}

impl NodeComparison {
    /// True when the prediction equals the measurement in counts and node by node.
    pub fn agrees(&self) -> bool {
        self.counts_agree && self.disagreements.is_empty()
    }
}

/// Compares the rules' verdicts (`predicted`, with its report) with what the EP measured.
pub fn compare_nodes(
    predicted: &[NodeVerdict],
    predicted_report: &PartitionReport,
    measured: &Measured,
) -> NodeComparison {
    let m = &measured.report;
    let counts_agree = (m.nodes, m.supported_nodes, m.partitions)
        == (
            predicted_report.nodes,
            predicted_report.supported_nodes,
            predicted_report.partitions,
        );
    let per_node = !measured.node_lines.is_empty();
    let tally = if per_node {
        agreement::tally_nodes(predicted, measured)
    } else {
        agreement::NodeTally::default()
    };
    NodeComparison {
        counts_agree,
        nodes_same: tally.nodes_same,
        disagreements: tally.disagreements,
        per_node,
    }
}
