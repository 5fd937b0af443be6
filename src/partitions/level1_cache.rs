//! Reusing ORT's level-1 graph of a model file: the CPU session that writes it dominates an
//! analysis (about 2 s for bert-base, which writes and re-reads 440 MB), and the graph depends
//! only on the file, the ORT build and the transformers switched off.
//!
//! Entries live under `<epbench cache>/level1/<key>/` (`EPBENCH_CACHE`, else the user's cache
//! folder), keyed by the model's canonical path, size and modification time, the ORT version and
//! library path, and the disabled transformers. Weights are dropped before storing: the analysis
//! reads the values of small tensors only (shapes, axes, bounds), and dims and types of the rest.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::onnx::proto::ModelProto;

/// Tensors with more elements than this keep their dims and type but not their values.
const KEPT_VALUES: u64 = 64;

/// What is stored besides the two models.
#[derive(serde::Serialize, serde::Deserialize)]
struct Meta {
    ort_version: String,
    unoptimised_because: Option<String>,
}

/// A cached level-1 graph.
pub(super) struct Entry {
    pub level1: ModelProto,
    pub original: Option<ModelProto>,
    pub ort_version: String,
    pub unoptimised_because: Option<String>,
}

/// The entry's folder for `model` under the current runtime, or `None` when the file or the
/// cache folder cannot be named (then nothing is cached).
pub(super) fn entry_dir(model: &Path, disabled_optimizers: &[&str]) -> Option<PathBuf> {
    let root = crate::provisioning::Cache::from_env()
        .ok()?
        .root()
        .join("level1");
    let canonical = model.canonicalize().ok()?;
    let meta = std::fs::metadata(&canonical).ok()?;
    let modified = meta
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?;
    let runtime = crate::runtime::global().ok()?;
    let mut hash = Sha256::new();
    for part in [
        canonical.to_string_lossy().as_ref(),
        &meta.len().to_string(),
        &modified.as_nanos().to_string(),
        runtime.version(),
        &runtime.describe(),
        &disabled_optimizers.join(";"),
    ] {
        hash.update(part.as_bytes());
        hash.update([0]);
    }
    let key: String = hash
        .finalize()
        .iter()
        .take(16)
        .map(|b| format!("{b:02x}"))
        .collect();
    Some(root.join(key))
}

/// The cached entry in `dir`, if it is complete and readable.
pub(super) fn load(dir: &Path) -> Option<Entry> {
    let meta: Meta = serde_json::from_slice(&std::fs::read(dir.join("meta.json")).ok()?).ok()?;
    let level1 = crate::onnx::read_model(&dir.join("level1.onnx")).ok()?;
    let original_path = dir.join("original.onnx");
    let original = if original_path.is_file() {
        Some(crate::onnx::read_model(&original_path).ok()?)
    } else {
        None
    };
    Some(Entry {
        level1,
        original,
        ort_version: meta.ort_version,
        unoptimised_because: meta.unoptimised_because,
    })
}

/// Stores an entry; a failure only means the next analysis runs ORT again.
pub(super) fn store(dir: &Path, entry: &Entry) {
    let write = || -> Option<()> {
        std::fs::create_dir_all(dir).ok()?;
        crate::onnx::write_model(&without_weights(&entry.level1), &dir.join("level1.onnx")).ok()?;
        if let Some(original) = &entry.original {
            crate::onnx::write_model(&without_weights(original), &dir.join("original.onnx"))
                .ok()?;
        }
        let meta = Meta {
            ort_version: entry.ort_version.clone(),
            unoptimised_because: entry.unoptimised_because.clone(),
        };
        // meta.json last: its presence marks a complete entry.
        let tmp = dir.join("meta.json.tmp");
        std::fs::write(&tmp, serde_json::to_vec(&meta).ok()?).ok()?;
        std::fs::rename(&tmp, dir.join("meta.json")).ok()
    };
    let _ = write();
}

fn without_weights(model: &ModelProto) -> ModelProto {
    let mut model = model.clone();
    if let Some(graph) = model.graph.as_mut() {
        for t in graph
            .initializer
            .iter_mut()
            .filter(|t| t.element_count() > KEPT_VALUES)
        {
            t.raw_data = bytes::Bytes::new();
            t.float_data.clear();
            t.int32_data.clear();
            t.int64_data.clear();
            t.double_data.clear();
            t.uint64_data.clear();
            t.string_data.clear();
        }
    }
    model
}
