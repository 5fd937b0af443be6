//! Producing the graph the CoreML EP partitions: ORT's level-1 optimised model.
//!
//! Level-1 transformers run before partitioning and level 2+ after
//! (`core/session/inference_session.cc` `TransformGraph`), so the model ORT saves with
//! `optimized_model_filepath` at level 1 is what `GetCapability` sees — up to what the CPU EP
//! did after partitioning, which [`super::lowering`] undoes.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::onnx::proto::ModelProto;
use crate::runtime::{Ep, OptLevel, SessionConfig};

use super::PartitionError;

/// ORT's level-1 optimised version of a model file, with how long ORT took to produce it.
#[derive(Debug, Clone)]
pub struct Level1Model {
    pub model: ModelProto,
    /// Session creation time, which includes ORT's optimisation and writing the model.
    pub session_time: Duration,
    /// Reading the saved model back.
    pub read_time: Duration,
    /// The ORT version that optimised it (level-1 transformers change between releases).
    pub ort_version: String,
    /// Level-1 transformers that were switched off to emulate an older release.
    pub disabled_optimizers: Vec<String>,
    /// The model as given, when `model` is ORT's level-1 graph of it (to restore the function
    /// nodes ORT inlined for the CPU, [`super::lowering::lower_back`]).
    pub original: Option<ModelProto>,
    /// True when the graph came from epbench's cache of level-1 graphs (no ORT session ran).
    pub cached: bool,
    /// Set when ORT could not create the CPU session (an op the CPU EP has no kernel for, which
    /// ORT reports before it saves the optimised model): the model is then analysed as given,
    /// and this says why.
    pub unoptimised_because: Option<String>,
}

/// Creates a CPU session at optimisation level 1 (basic) on `model_path` and returns the graph
/// ORT saved: the graph the CoreML EP's `GetCapability` would see. Needs the ORT library (it is
/// provisioned automatically) but no CoreML.
///
/// `disabled_optimizers` (ORT's `optimization.disable_specified_optimizers`) switches off
/// level-1 transformers that did not exist, or did less, in the release being emulated (see
/// [`super::rules::RuleFamily::level1_disabled_optimizers`]).
pub fn ort_level1_model(
    model_path: &Path,
    disabled_optimizers: &[&str],
) -> Result<Level1Model, PartitionError> {
    let cache_dir = super::level1_cache::entry_dir(model_path, disabled_optimizers);
    let started = Instant::now();
    if let Some(entry) = cache_dir.as_deref().and_then(super::level1_cache::load) {
        return Ok(Level1Model {
            model: entry.level1,
            session_time: Duration::ZERO,
            read_time: started.elapsed(),
            ort_version: entry.ort_version,
            disabled_optimizers: disabled_optimizers.iter().map(|s| s.to_string()).collect(),
            original: entry.original,
            cached: true,
            unoptimised_because: entry.unoptimised_because,
        });
    }
    // Read first: a corrupt file gets the ONNX reader's clear message instead of ORT's, and a
    // model ORT would accept but that cannot be benchmarked is named as such (a cached entry
    // was made from a model that passed).
    let original = crate::onnx::read_model(model_path)?;
    crate::workload::check_benchmarkable(&original, &model_path.display().to_string())?;
    let augmented = with_untyped_value_info(model_path, &original)?;
    let optimise_error = |source: crate::Error| PartitionError::Optimise {
        model: model_path.to_path_buf(),
        source: Box::new(source),
    };
    let dir = tempfile::tempdir().map_err(PartitionError::TempDir)?;
    let optimised = dir.path().join("level1.onnx");
    let config = SessionConfig::new(Ep::Cpu)
        .optimization(OptLevel::Basic)
        .intra_threads(1)
        .optimized_model_path(&optimised)
        .disabled_optimizers(disabled_optimizers);
    let built = match &augmented {
        Some(bytes) => config.build_from_memory(model_path, bytes),
        None => config.build(model_path),
    };
    // A model with an op the CPU EP has no kernel for fails before ORT saves it (CoreML may
    // well take that op): it is then analysed as given.
    let unoptimised_because = match built {
        Ok(built) => {
            drop(built);
            None
        }
        Err(_) if optimised.is_file() => None,
        Err(e) if fails_after_loading(&e) => Some(e.to_string()),
        Err(e) => return Err(optimise_error(e)),
    };
    let session_time = started.elapsed();
    let runtime = crate::runtime::global().map_err(optimise_error)?;
    let read_started = Instant::now();
    let (model, original) = match unoptimised_because {
        None => (crate::onnx::read_model(&optimised)?, Some(original)),
        Some(_) => (original, None),
    };
    let read_time = read_started.elapsed();
    let level1 = Level1Model {
        model,
        session_time,
        read_time,
        ort_version: runtime.version().to_string(),
        disabled_optimizers: disabled_optimizers.iter().map(|s| s.to_string()).collect(),
        original,
        cached: false,
        unoptimised_because,
    };
    if let Some(dir) = &cache_dir {
        super::level1_cache::store(
            dir,
            &super::level1_cache::Entry {
                level1: level1.model.clone(),
                original: level1.original.clone(),
                ort_version: level1.ort_version.clone(),
                unoptimised_because: level1.unoptimised_because.clone(),
            },
        );
    }
    Ok(level1)
}

/// The model's bytes with an untyped `value_info` entry for every node output the main graph
/// does not already declare, or `None` when that is not possible (external data, whose paths
/// resolve against the model's folder, needs the file itself).
///
/// ORT writes the type it inferred for every `value_info` entry when it saves the optimised
/// model, so the saved graph then carries ORT's own shapes for the values the rules look at —
/// the shapes `GetCapability` sees. The entries are appended as protobuf bytes (a repeated
/// `GraphProto.value_info` in a second `ModelProto.graph` field, which protobuf merges into
/// the first), so nothing of the original model is re-encoded.
fn with_untyped_value_info(
    path: &Path,
    model: &ModelProto,
) -> Result<Option<Vec<u8>>, PartitionError> {
    // `TensorProto.DataLocation.EXTERNAL`.
    const EXTERNAL: i32 = 1;
    let Some(graph) = model.graph.as_ref() else {
        return Ok(None);
    };
    let external = graph
        .initializer
        .iter()
        .any(|t| t.data_location == EXTERNAL);
    if external {
        return Ok(None);
    }
    let declared: std::collections::HashSet<&str> = graph
        .input
        .iter()
        .chain(&graph.output)
        .chain(&graph.value_info)
        .map(|v| v.name.as_str())
        .chain(graph.initializer.iter().map(|t| t.name.as_str()))
        .collect();
    let mut entries = Vec::new();
    for node in &graph.node {
        for output in node.output.iter().filter(|o| !o.is_empty()) {
            if !declared.contains(output.as_str()) {
                let value_info = length_delimited(1, output.as_bytes());
                entries.extend(length_delimited(13, &value_info));
            }
        }
    }
    let mut bytes = std::fs::read(path)
        .map_err(|source| PartitionError::Onnx(crate::onnx::OnnxError::io("read", path, source)))?;
    bytes.extend(length_delimited(7, &entries));
    Ok(Some(bytes))
}

/// A protobuf field of wire type 2: tag, length, payload.
fn length_delimited(field: u32, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(payload.len() + 10);
    varint(&mut out, u64::from(field << 3 | 2));
    varint(&mut out, payload.len() as u64);
    out.extend_from_slice(payload);
    out
}

fn varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// A CPU session failure after ORT loaded the graph: no CPU kernel for a node (ORT's
/// `VerifyEachNodeIsAssignedToAnEp`), or a CPU kernel refusing its attributes. The CoreML EP may
/// still take those nodes; a model ORT cannot load at all fails both ways.
fn fails_after_loading(error: &crate::Error) -> bool {
    let message = error.to_string();
    !(message.contains("Load model") || message.contains("No such file"))
}
