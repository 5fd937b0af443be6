//! `epbench baseline export`, checked against each tool's documented input format and, for
//! critcmp, against the tool itself:
//!
//! - Bencher Metric Format: <https://bencher.dev/docs/reference/bencher-metric-format/> (its JSON
//!   schema: an object of benchmarks, each an object of measures, each an object with a number
//!   `value` and optional numbers `lower_value`, `upper_value`; names at most 1024 characters,
//!   measure slugs at most 64). Latency in ns and throughput in operations per second are the
//!   units of Bencher's built-in `latency` and `throughput` measures.
//! - github-action-benchmark's `customSmallerIsBetter`: benchmark-action/github-action-benchmark
//!   v1.22.0 (commit c38cce98215cf75e178ecd5a0c1a1ab215e93006), README "Examples" and
//!   `src/extract.ts` (`BenchmarkResult`: `name`, `value`, `unit`, optional `range` and
//!   `extra`), with `range` in the form `src/extractRangeInfo.ts` parses.
//! - critcmp: BurntSushi/critcmp 0.1.8 (`src/data.rs`, `BaseBenchmarks`); the real critcmp reads
//!   the exported files, and the export equals what `critcmp --export` writes for the same run.
//!
//! The baselines are the committed ones in `criterion-baselines/` (real `cargo bench` runs); the
//! expected numbers are computed here from their raw `sample.json` files.

mod cli_support;
mod tool_support;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

const REPO: &str = env!("CARGO_MANIFEST_DIR");
/// Two runs of the CPU and OpenVINO studies, with criterion throughputs (elements per batch).
const TWO_RUNS: &str = "linux-x86_64-amd-epyc-ort1.24.1";
/// The two sides of an upgrade check: the same benchmarks on ORT 1.30.0 and 1.31.1.
const FROM: &str = "ort1.30.0-to-1.31.1-from";
const TO: &str = "ort1.30.0-to-1.31.1-to";

fn store() -> PathBuf {
    Path::new(REPO).join("criterion-baselines")
}

fn epbench(args: &[&str]) -> Output {
    cli_support::epbench()
        .args(args)
        .env("EPBENCH_BASELINES", store())
        .output()
        .expect("run epbench")
}

/// Panics with the command's stderr unless it succeeded.
fn succeeded(output: &Output, what: &str) {
    assert!(
        output.status.success(),
        "{what}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

fn exported(args: &[&str]) -> Value {
    let output = epbench(args);
    succeeded(&output, &format!("{args:?}"));
    serde_json::from_slice(&output.stdout).expect("the export is JSON")
}

/// What the test knows of a benchmark from the baseline's own files.
#[derive(Default)]
struct Raw {
    /// Each run's median time per iteration, ns.
    medians: Vec<f64>,
    /// Elements per iteration, from `benchmark.json`.
    elements: Option<u64>,
}

impl Raw {
    fn location(&self) -> f64 {
        let logs: f64 = self.medians.iter().map(|m| m.ln()).sum();
        (logs / self.medians.len() as f64).exp()
    }
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}

/// Every benchmark of baseline `name`, read from the `sample.json` and `benchmark.json` files
/// of all its runs (run 1 in the baseline's folder, the others in `runs/<n>/`).
fn raw_baseline(name: &str) -> BTreeMap<String, Raw> {
    fn walk(dir: &Path, skip_runs: bool, found: &mut Vec<PathBuf>) {
        for entry in fs::read_dir(dir).unwrap().filter_map(Result::ok) {
            let path = entry.path();
            if !path.is_dir() || (skip_runs && entry.file_name() == "runs") {
                continue;
            }
            if path.join("sample.json").is_file() {
                found.push(path);
            } else {
                walk(&path, false, found);
            }
        }
    }
    let root = store().join(name);
    let mut run_dirs = vec![(root.clone(), true)];
    if let Ok(extra) = fs::read_dir(root.join("runs")) {
        run_dirs.extend(extra.filter_map(Result::ok).map(|e| (e.path(), false)));
    }
    let mut raw: BTreeMap<String, Raw> = BTreeMap::new();
    for (dir, skip_runs) in run_dirs {
        let mut folders = Vec::new();
        walk(&dir, skip_runs, &mut folders);
        for folder in folders {
            let read = |file: &str| -> Value {
                serde_json::from_slice(&fs::read(folder.join(file)).unwrap()).unwrap()
            };
            let benchmark = read("benchmark.json");
            let sample = read("sample.json");
            let per_iteration: Vec<f64> = sample["times"]
                .as_array()
                .unwrap()
                .iter()
                .zip(sample["iters"].as_array().unwrap())
                .map(|(t, i)| t.as_f64().unwrap() / i.as_f64().unwrap())
                .collect();
            let entry = raw
                .entry(benchmark["full_id"].as_str().unwrap().to_string())
                .or_default();
            entry.medians.push(median(per_iteration));
            entry.elements = benchmark["throughput"]["Elements"].as_u64();
        }
    }
    raw
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs())
}

/// A BMF document as Bencher's schema describes it; returns measure slugs per benchmark.
fn check_bmf_shape(document: &Value) -> BTreeMap<String, BTreeSet<String>> {
    let benchmarks = document
        .as_object()
        .expect("BMF is an object of benchmarks");
    assert!(!benchmarks.is_empty());
    let mut slugs = BTreeMap::new();
    for (name, measures) in benchmarks {
        assert!(!name.is_empty() && name.chars().count() <= 1024, "{name}");
        let measures = measures
            .as_object()
            .expect("a benchmark is an object of measures");
        assert!(!measures.is_empty(), "{name} has no measure");
        for (slug, metric) in measures {
            assert!(!slug.is_empty() && slug.len() <= 64, "{slug}");
            let metric = metric.as_object().expect("a measure is an object");
            assert!(metric["value"].is_number(), "{name} {slug}: {metric:?}");
            for (key, number) in metric {
                assert!(
                    ["value", "lower_value", "upper_value"].contains(&key.as_str()),
                    "{name} {slug}: unexpected `{key}`"
                );
                assert!(number.is_number(), "{name} {slug} {key}: {number}");
            }
            if let (Some(lower), Some(upper)) =
                (metric.get("lower_value"), metric.get("upper_value"))
            {
                let value = metric["value"].as_f64().unwrap();
                assert!(
                    lower.as_f64().unwrap() <= value && value <= upper.as_f64().unwrap(),
                    "{name} {slug}: {metric:?}"
                );
            }
        }
        slugs.insert(name.clone(), measures.keys().cloned().collect());
    }
    slugs
}

#[test]
fn bmf_of_a_baseline_has_latency_and_throughput_in_bencher_units() {
    let document = exported(&["baseline", "export", TWO_RUNS, "--format", "bmf"]);
    let slugs = check_bmf_shape(&document);
    let raw = raw_baseline(TWO_RUNS);
    assert_eq!(
        slugs.keys().collect::<BTreeSet<_>>(),
        raw.keys().collect::<BTreeSet<_>>()
    );
    for (id, raw) in &raw {
        assert_eq!(raw.medians.len(), 2, "{id}: both runs");
        let latency = &document[id]["latency"];
        let value = latency["value"].as_f64().unwrap();
        assert!(
            close(value, raw.location()),
            "{id}: {value} vs {}",
            raw.location()
        );
        match raw.elements {
            Some(elements) => {
                let throughput = document[id]["throughput"]["value"].as_f64().unwrap();
                assert!(close(throughput, elements as f64 * 1e9 / value), "{id}");
                // A longer time is a lower rate.
                let slowest = latency["upper_value"].as_f64().unwrap();
                let lowest_rate = document[id]["throughput"]["lower_value"].as_f64().unwrap();
                assert!(close(lowest_rate, elements as f64 * 1e9 / slowest), "{id}");
            }
            None => assert!(!slugs[id].contains("throughput"), "{id}"),
        }
    }
    assert!(
        raw.values().any(|r| r.elements.is_some()),
        "the baseline declares throughputs"
    );

    // One run of the two: its own medians.
    let run2 = exported(&[
        "baseline", "export", TWO_RUNS, "--format", "bmf", "--run", "2",
    ]);
    let (id, raw_one) = raw.iter().next().unwrap();
    let value = run2[id]["latency"]["value"].as_f64().unwrap();
    assert!(raw_one.medians.iter().any(|m| close(*m, value)), "{id}");
}

#[test]
fn github_action_benchmark_entries_follow_its_benchmark_result_schema() {
    let entries = exported(&[
        "baseline",
        "export",
        TWO_RUNS,
        "--format",
        "github-action-benchmark",
        "--filter",
        "^openvino/",
    ]);
    let bmf = exported(&[
        "baseline",
        "export",
        TWO_RUNS,
        "--format",
        "bmf",
        "--filter",
        "^openvino/",
    ]);
    let entries = entries.as_array().expect("an array of entries");
    assert_eq!(entries.len(), bmf.as_object().unwrap().len());
    // src/extractRangeInfo.ts: `(\+-|±)\s*` then a number.
    let range_pattern = regex::Regex::new(r"^(\+-|±)\s*(?<value>\d.*)$").unwrap();
    for entry in entries {
        let entry = entry.as_object().expect("an entry is an object");
        for key in entry.keys() {
            assert!(
                ["name", "unit", "value", "range", "extra"].contains(&key.as_str()),
                "unexpected `{key}`"
            );
        }
        let name = entry["name"].as_str().expect("name is a string");
        assert!(name.starts_with("openvino/"), "{name}");
        assert_eq!(entry["unit"], "ns");
        let value = entry["value"].as_f64().expect("value is a number");
        assert!(close(
            value,
            bmf[name]["latency"]["value"].as_f64().unwrap()
        ));
        let range = entry["range"].as_str().expect("range is a string");
        let half: f64 = range_pattern
            .captures(range)
            .unwrap_or_else(|| panic!("range `{range}` is not `± number`"))["value"]
            .parse()
            .unwrap();
        let width = bmf[name]["latency"]["upper_value"].as_f64().unwrap()
            - bmf[name]["latency"]["lower_value"].as_f64().unwrap();
        assert!((half - width / 2.0).abs() <= 0.05 + 1e-9 * width, "{range}");
        assert!(entry["extra"].as_str().unwrap().contains(TWO_RUNS));
    }
}

/// Compares two JSON values, numbers to 1e-12 relative (the same floats, parsed and printed by
/// two programs).
fn same_json(a: &Value, b: &Value, at: &str) {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
            assert!(
                (x - y).abs() <= 1e-12 * x.abs().max(y.abs()),
                "{at}: {x} vs {y}"
            );
        }
        (Value::Object(x), Value::Object(y)) => {
            assert_eq!(
                x.keys().collect::<Vec<_>>(),
                y.keys().collect::<Vec<_>>(),
                "{at}"
            );
            for (key, value) in x {
                same_json(value, &y[key], &format!("{at}.{key}"));
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            assert_eq!(x.len(), y.len(), "{at}");
            for (i, (x, y)) in x.iter().zip(y).enumerate() {
                same_json(x, y, &format!("{at}[{i}]"));
            }
        }
        _ => assert_eq!(a, b, "{at}"),
    }
}

#[test]
fn critcmp_reads_the_exports_and_writes_the_same_file_itself() {
    let critcmp = tool_support::provision(&tool_support::CRITCMP);
    let scratch = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for name in [FROM, TO] {
        let document = exported(&["baseline", "export", name, "--format", "critcmp"]);
        assert_eq!(document["name"], name);
        let file = scratch.path().join(format!("{name}.json"));
        fs::write(&file, serde_json::to_vec(&document).unwrap()).unwrap();
        files.push(file);

        // critcmp's own export of the same run, from a criterion folder the baseline is
        // restored into.
        let target = scratch.path().join(format!("target-{name}"));
        let criterion = target.join("criterion");
        let restored = epbench(&[
            "baseline",
            "restore",
            name,
            "--to",
            criterion.to_str().unwrap(),
        ]);
        succeeded(&restored, "baseline restore");
        let own = Command::new(&critcmp)
            .args(["--color", "never", "--export", name, "--target-dir"])
            .arg(&target)
            .output()
            .unwrap();
        succeeded(&own, "critcmp --export");
        let own: Value = serde_json::from_slice(&own.stdout).unwrap();
        same_json(&document, &own, name);
    }

    let compared = Command::new(&critcmp)
        .args(["--color", "never"])
        .args(&files)
        .output()
        .unwrap();
    succeeded(&compared, "critcmp");
    let table = String::from_utf8_lossy(&compared.stdout);
    let header = table.lines().next().unwrap_or_default();
    assert!(header.contains(FROM) && header.contains(TO), "{table}");
    for id in raw_baseline(FROM).keys() {
        assert!(
            table.lines().any(|l| l.starts_with(&format!("{id} "))),
            "critcmp does not show {id}:\n{table}"
        );
    }
}

#[test]
fn study_results_export_latencies_and_partition_counts() {
    let scratch = tempfile::tempdir().unwrap();
    let out = scratch.path().join("study");
    let study = cli_support::epbench()
        .args(["study", "--ep", "coreml", "--quick", "--threads", "2"])
        .args(["--filter", "fragmentation/probe_erf_k[01]_", "--out"])
        .arg(&out)
        .arg("--models")
        .arg(Path::new(REPO).join("models/generated"))
        .output()
        .unwrap();
    succeeded(&study, "epbench study");
    let results: Value =
        serde_json::from_slice(&fs::read(out.join("results.json")).unwrap()).unwrap();

    let out_text = out.to_str().unwrap();
    let document = exported(&["baseline", "export", "--study", out_text, "--format", "bmf"]);
    let slugs = check_bmf_shape(&document);

    let mut expected_ids = BTreeSet::new();
    for row in results["rows"].as_array().unwrap() {
        let id = row["id"].as_str().unwrap();
        let Some(samples) = row["samples_ms"].as_array() else {
            // Not measured (the EP is missing here, or the row failed): nothing to track.
            assert!(document.get(id).is_none(), "{id}");
            continue;
        };
        expected_ids.insert(id.to_string());
        let ns: Vec<f64> = samples.iter().map(|s| s.as_f64().unwrap() * 1e6).collect();
        let value = document[id]["latency"]["value"].as_f64().unwrap();
        assert!(close(value, median(ns)), "{id}");
        let batch = row["batch"].as_f64().unwrap();
        let throughput = document[id]["throughput"]["value"].as_f64().unwrap();
        assert!(close(throughput, batch * 1e9 / value), "{id}");
    }
    for partition in results["partitions"].as_array().unwrap() {
        if partition["status"] != "known" {
            continue;
        }
        let id = format!(
            "coreml/partitions/{}/coreml",
            partition["variant"].as_str().unwrap()
        );
        let suffix = if partition["source"] == "predicted" {
            "-predicted"
        } else {
            ""
        };
        assert_eq!(
            document[&id][format!("partitions{suffix}")]["value"].as_f64(),
            partition["partitions"].as_f64(),
            "{id}"
        );
        assert_eq!(
            document[&id][format!("cpu-nodes{suffix}")]["value"].as_f64(),
            partition["cpu_nodes"].as_f64(),
            "{id}"
        );
        expected_ids.insert(id);
    }
    assert!(expected_ids.iter().any(|id| id.contains("/partitions/")));
    assert_eq!(slugs.keys().cloned().collect::<BTreeSet<_>>(), expected_ids);

    // critcmp compares criterion's estimates, which a study does not have.
    let critcmp = epbench(&[
        "baseline", "export", "--study", out_text, "--format", "critcmp",
    ]);
    assert_eq!(critcmp.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&critcmp.stderr).contains("criterion estimates"));
}

#[test]
fn bad_exports_are_usage_errors() {
    let cases: [(&[&str], &str); 5] = [
        (
            &["baseline", "export", TWO_RUNS, "--format", "csv"],
            "bmf, github-action-benchmark, critcmp",
        ),
        (
            &["baseline", "export", "no-such-baseline", "--format", "bmf"],
            "no baseline `no-such-baseline`",
        ),
        (
            &[
                "baseline", "export", TWO_RUNS, "--format", "bmf", "--filter", "^nothing",
            ],
            "no benchmark id matches",
        ),
        (
            &[
                "baseline", "export", TWO_RUNS, "--format", "bmf", "--run", "3",
            ],
            "there is no run 3",
        ),
        (
            &[
                "baseline",
                "export",
                "--study",
                "Cargo.toml",
                "--format",
                "bmf",
            ],
            "Cargo.toml: not JSON",
        ),
    ];
    for (args, message) in cases {
        let output = Command::new(env!("CARGO_BIN_EXE_epbench"))
            .args(args)
            .current_dir(REPO)
            .env("EPBENCH_BASELINES", store())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(message), "{args:?}: {stderr}");
    }
}
