//! The file `critcmp --export NAME` writes and `critcmp FILE...` compares (BurntSushi/critcmp
//! 0.1.8, `src/data.rs`, `BaseBenchmarks`): a baseline's name and its benchmarks keyed by id,
//! each with the baseline name, `<baseline>/<id>` as its full name, criterion's `benchmark.json`
//! (`criterion_benchmark_v1`) and criterion's `estimates.json` (`criterion_estimates_v1`).
//!
//! critcmp compares criterion's own estimates (its mean, with the standard deviation), so the
//! file holds one run of the baseline exactly as criterion measured it.

use std::collections::BTreeMap;

use super::super::criterion_files::{BenchmarkFolder, Estimates};

/// A critcmp baseline file.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Baseline {
    pub name: String,
    pub benchmarks: BTreeMap<String, Benchmark>,
}

/// One benchmark of a [`Baseline`].
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Benchmark {
    pub baseline: String,
    pub fullname: String,
    pub criterion_benchmark_v1: BenchmarkInfo,
    pub criterion_estimates_v1: Estimates,
}

/// criterion's `benchmark.json`, the fields critcmp reads.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct BenchmarkInfo {
    pub group_id: String,
    pub function_id: Option<String>,
    pub value_str: Option<String>,
    pub throughput: Option<Throughput>,
    pub full_id: String,
    pub directory_name: String,
}

/// critcmp's view of criterion's throughput: bytes or elements per iteration.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Throughput {
    pub bytes: Option<u64>,
    pub elements: Option<u64>,
}

/// The critcmp file of one run of baseline `name` (its criterion folders).
pub fn baseline(name: &str, folders: &[BenchmarkFolder]) -> Baseline {
    let benchmarks = folders
        .iter()
        .map(|folder| {
            let id = &folder.id;
            let throughput = id.throughput.map(|t| Throughput {
                bytes: t.bytes(),
                elements: t.elements(),
            });
            let benchmark = Benchmark {
                baseline: name.to_string(),
                fullname: format!("{name}/{}", id.full_id),
                criterion_benchmark_v1: BenchmarkInfo {
                    group_id: id.group_id.clone(),
                    function_id: id.function_id.clone(),
                    value_str: id.value_str.clone(),
                    throughput,
                    full_id: id.full_id.clone(),
                    directory_name: id.directory_name.clone(),
                },
                criterion_estimates_v1: folder.estimates,
            };
            (id.full_id.clone(), benchmark)
        })
        .collect();
    Baseline {
        name: name.to_string(),
        benchmarks,
    }
}
