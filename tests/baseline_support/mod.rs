//! Shared by the `baseline_*` tests: criterion output directories made from the fixture (a real
//! criterion 0.8.2 run, see `tests/fixtures/criterion/README.md`) with samples scaled to simulate
//! slower, faster or noisy runs.

// Each test crate includes this module and uses a different part of it.
#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};

use epbench::baseline::{BaselineMetadata, BaselineName, OrtInfo, SaveMode, Store, run};
use epbench::machine::Machine;

/// The fixture's criterion output directory.
pub fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/criterion")
}

/// The fixture's benchmark ids.
pub const CPU: &str = "coreml/ep_vs_cpu/tiny-systems-bert_gelu_fp32_static_b1_s128/cpu";
pub const COREML: &str = "coreml/ep_vs_cpu/tiny-systems-bert_gelu_fp32_static_b1_s128/coreml";
pub const FAST_GELU: &str =
    "coreml/activation/tiny-systems-bert_fast-gelu_fp32_static_b1_s128/coreml";

/// A copy of the fixture in `dir`, with each benchmark's sample times multiplied by
/// `scale(id)`, written exactly as criterion writes `sample.json`.
pub fn criterion_run(dir: &Path, scale: impl Fn(&str) -> f64) -> PathBuf {
    copy_tree(&fixture(), dir);
    for benchmark in sample_files(dir) {
        let id: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(benchmark.join("benchmark.json")).unwrap())
                .unwrap();
        let factor = scale(id["full_id"].as_str().unwrap());
        let path = benchmark.join("sample.json");
        let mut sample: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
        let times: Vec<f64> = sample["times"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t.as_f64().unwrap() * factor)
            .collect();
        sample["times"] = serde_json::json!(times);
        fs::write(&path, serde_json::to_string(&sample).unwrap()).unwrap();
    }
    dir.to_path_buf()
}

/// Every `new/` folder below a criterion output directory.
pub fn sample_files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for group in fs::read_dir(dir).unwrap() {
        let group = group.unwrap().path();
        if !group.is_dir() {
            continue;
        }
        for function in fs::read_dir(group).unwrap() {
            let new = function.unwrap().path().join("new");
            if new.is_dir() {
                found.push(new);
            }
        }
    }
    found.sort();
    found
}

/// The machine every test baseline claims, so that appends match.
pub fn machine(cpu: &str) -> Machine {
    Machine {
        cpu: cpu.into(),
        cores: 8,
        memory_bytes: 16 << 30,
        os: "macOS 15.1".into(),
        arch: "aarch64".into(),
    }
}

/// Metadata for a run on `cpu` with ORT `version` from PyPI.
pub fn metadata(cpu: &str, version: &str, ids: &[&str]) -> BaselineMetadata {
    BaselineMetadata::new(
        machine(cpu),
        OrtInfo {
            version: version.into(),
            requirement: Some(format!("onnxruntime=={version}").parse().unwrap()),
        },
        &[],
        ids.iter().copied(),
    )
}

/// Saves the last run in criterion directory `from` as (another run of) baseline `name`.
pub fn save(store: &Store, name: &str, from: &Path, cpu: &str, mode: SaveMode) {
    let folders = run::last_run(from, None).unwrap();
    let ids: Vec<&str> = folders.iter().map(|f| f.id.full_id.as_str()).collect();
    store
        .save(
            &name.parse::<BaselineName>().unwrap(),
            &folders,
            metadata(cpu, "1.31.1", &ids),
            mode,
        )
        .unwrap();
}

/// Saves one run per scale factor as baseline `name` on `cpu` (scales apply to all benchmarks).
pub fn save_runs(store: &Store, scratch: &Path, name: &str, cpu: &str, scales: &[f64]) {
    for (i, &scale) in scales.iter().enumerate() {
        let dir = criterion_run(&scratch.join(format!("{name}-run{i}")), |_| scale);
        save(store, name, &dir, cpu, SaveMode::Append);
    }
}

pub fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).unwrap();
        }
    }
}
