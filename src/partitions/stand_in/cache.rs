//! Reusing a stand-in run: ORT's partitioning of a model depends only on the file, the ORT
//! build, the level-1 transformers switched off, the rules (which decide what was claimed in
//! earlier passes) and the EP options they read.
//!
//! Entries live under `<epbench cache>/partitioning/<key>/` (`EPBENCH_CACHE`, else the user's
//! cache folder): the last pass's graph (`pass.onnx`, weightless already) and `meta.json`. The
//! key covers the model's canonical path, size and modification time, the ORT version and
//! library, the disabled transformers, the rule set, the model format, the static-shape option
//! and a digest of epbench's partition code (`build.rs`), so a changed rule never reads a stale
//! entry.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::super::predict::PredictOptions;
use super::{Pass, StandInRun};

/// What is stored besides the graph.
#[derive(serde::Serialize, serde::Deserialize)]
struct Meta {
    passes: usize,
    claimed: usize,
    stopped_because: Option<String>,
}

/// The entry's folder for `model` under the current runtime, or `None` when the file or the
/// cache folder cannot be named (then nothing is cached).
pub fn entry_dir(
    model: &Path,
    options: PredictOptions,
    disabled_optimizers: &[&str],
) -> Option<PathBuf> {
    let root = crate::provisioning::Cache::from_env()
        .ok()?
        .root()
        .join("partitioning");
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
        options.family.name,
        &format!("{:?}", options.family.epoch),
        options.format.ort_value(),
        &options.require_static_input_shapes.to_string(),
        env!("EPBENCH_PARTITIONS_DIGEST"),
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

/// The cached run in `dir`, if it is complete and readable.
pub fn load(dir: &Path) -> Option<StandInRun> {
    let meta: Meta = serde_json::from_slice(&std::fs::read(dir.join("meta.json")).ok()?).ok()?;
    let model = crate::onnx::read_model(&dir.join("pass.onnx")).ok()?;
    Some(StandInRun {
        last: Pass {
            model,
            claimed: meta.claimed,
        },
        passes: meta.passes,
        session_time: std::time::Duration::ZERO,
        stopped_because: meta.stopped_because,
        cached: true,
    })
}

/// Stores a run; a failure only means the next analysis runs ORT again.
pub fn store(dir: &Path, run: &StandInRun) {
    let write = || -> Option<()> {
        std::fs::create_dir_all(dir).ok()?;
        crate::onnx::write_model(&run.last.model, &dir.join("pass.onnx")).ok()?;
        let meta = Meta {
            passes: run.passes,
            claimed: run.last.claimed,
            stopped_because: run.stopped_because.clone(),
        };
        // meta.json last: its presence marks a complete entry.
        let tmp = dir.join("meta.json.tmp");
        std::fs::write(&tmp, serde_json::to_vec(&meta).ok()?).ok()?;
        std::fs::rename(&tmp, dir.join("meta.json")).ok()
    };
    let _ = write();
}
