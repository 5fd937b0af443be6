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
    // Read first: a corrupt file gets the ONNX reader's clear message instead of ORT's, and a
    // model ORT would accept but that cannot be benchmarked is named as such.
    let original = crate::onnx::read_model(model_path)?;
    crate::workload::check_benchmarkable(&original, &model_path.display().to_string())?;
    let optimise_error = |source: crate::Error| PartitionError::Optimise {
        model: model_path.to_path_buf(),
        source: Box::new(source),
    };
    let dir = tempfile::tempdir().map_err(PartitionError::TempDir)?;
    let optimised = dir.path().join("level1.onnx");
    let built = SessionConfig::new(Ep::Cpu)
        .optimization(OptLevel::Basic)
        .intra_threads(1)
        .optimized_model_path(&optimised)
        .disabled_optimizers(disabled_optimizers)
        .build(model_path)
        .map_err(optimise_error)?;
    let session_time = built.create_time;
    drop(built);
    let runtime = crate::runtime::global().map_err(optimise_error)?;
    let read_started = Instant::now();
    let model = crate::onnx::read_model(&optimised)?;
    let read_time = read_started.elapsed();
    Ok(Level1Model {
        model,
        session_time,
        read_time,
        ort_version: runtime.version().to_string(),
        disabled_optimizers: disabled_optimizers.iter().map(|s| s.to_string()).collect(),
    })
}
