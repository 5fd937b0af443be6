//! Criterion's on-disk format (criterion 0.8), read and copied without reinterpretation.
//!
//! For a benchmark with id `group/function[/value]`, criterion writes into its output directory
//! (`$CRITERION_HOME`, else `$CARGO_TARGET_DIR/criterion`, else `target/criterion`) the folder
//! `<directory_name>/<label>/`. `directory_name` is each part of the id made filename-safe
//! (`?"/\*<>:|^` become `_`, each part truncated to 64 bytes) joined with `/`, so the id
//! `coreml/ep_vs_cpu/tiny_b1/cpu` registered as group `coreml/ep_vs_cpu` and function `tiny_b1/cpu`
//! lives in `coreml_ep_vs_cpu/tiny_b1_cpu/`. `label` is `new` for the last run and the name given
//! to `--save-baseline` otherwise. Each label folder holds:
//!
//! - `benchmark.json`: the id (`group_id`, `function_id`, `value_str`, `throughput`, `full_id`,
//!   `directory_name`, `title`); written last, so its presence means the run completed;
//! - `sample.json`: `{"sampling_mode": "Linear"|"Flat", "iters": [..], "times": [..]}`, the raw
//!   measurements: sample `i` ran `iters[i]` iterations in `times[i]` nanoseconds;
//! - `estimates.json`: criterion's bootstrap estimates (`mean`, `median`, `median_abs_dev`,
//!   `slope` or null, `std_dev`, each with `point_estimate`, `standard_error` and a
//!   `confidence_interval`);
//! - `tukey.json`: the four Tukey fences used to classify outliers.
//!
//! `cargo bench -- --baseline NAME` reads `sample.json` and `estimates.json` from
//! `<directory_name>/NAME/`, so copying the four files there restores a baseline.

use std::fs;
use std::path::{Component, Path, PathBuf};
use std::time::SystemTime;

use super::BaselineError;

/// The files criterion keeps per benchmark and baseline; all four are saved and restored.
pub const FILES: [&str; 4] = [
    "benchmark.json",
    "estimates.json",
    "sample.json",
    "tukey.json",
];

/// The label criterion gives the last run's folders.
pub const LAST_RUN: &str = "new";

/// Criterion's id folders are at most `group/function/value`; with the label folder below them a
/// benchmark is never deeper than this, which keeps scans out of the HTML report tree.
const MAX_DEPTH: usize = 4;

/// The output directory criterion writes to, resolved the way criterion 0.8 does outside
/// `cargo bench` (where it would also ask `cargo metadata`): `$CRITERION_HOME`, else
/// `$CARGO_TARGET_DIR/criterion`, else `target/criterion`.
pub fn default_dir() -> PathBuf {
    if let Some(home) = std::env::var_os("CRITERION_HOME").filter(|v| !v.is_empty()) {
        return PathBuf::from(home);
    }
    match std::env::var_os("CARGO_TARGET_DIR").filter(|v| !v.is_empty()) {
        Some(target) => PathBuf::from(target).join("criterion"),
        None => PathBuf::from("target").join("criterion"),
    }
}

/// A benchmark's identity, from `benchmark.json`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct BenchmarkId {
    /// The group name, e.g. `coreml/ep_vs_cpu`.
    pub group_id: String,
    /// The function id within the group, e.g. `tiny-systems-bert_gelu_fp32_static_b1_s128/cpu`.
    pub function_id: Option<String>,
    /// The parameter, for benchmarks registered with `BenchmarkId::new(function, value)`.
    pub value_str: Option<String>,
    /// What one iteration processes, when the benchmark declared it.
    #[serde(default)]
    pub throughput: Option<Throughput>,
    /// The id users see and filter on: `group/function[/value]`.
    pub full_id: String,
    /// Where criterion keeps the benchmark, relative to its output directory.
    pub directory_name: String,
}

/// What one iteration of a benchmark processes (criterion's `Throughput`, as `benchmark.json`
/// writes it: `{"Elements": 8}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
pub enum Throughput {
    Bits(u64),
    Bytes(u64),
    BytesDecimal(u64),
    Elements(u64),
    ElementsAndBytes { elements: u64, bytes: u64 },
}

impl Throughput {
    /// Elements per iteration, when the benchmark counts elements.
    pub fn elements(self) -> Option<u64> {
        match self {
            Throughput::Elements(n) | Throughput::ElementsAndBytes { elements: n, .. } => Some(n),
            Throughput::Bits(_) | Throughput::Bytes(_) | Throughput::BytesDecimal(_) => None,
        }
    }

    /// Bytes per iteration, when the benchmark counts bytes.
    pub fn bytes(self) -> Option<u64> {
        match self {
            Throughput::Bytes(n)
            | Throughput::BytesDecimal(n)
            | Throughput::ElementsAndBytes { bytes: n, .. } => Some(n),
            Throughput::Bits(_) | Throughput::Elements(_) => None,
        }
    }
}

/// One of criterion's bootstrap estimates in `estimates.json`, in nanoseconds.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Estimate {
    pub confidence_interval: ConfidenceInterval,
    pub point_estimate: f64,
    pub standard_error: f64,
}

/// The interval of an [`Estimate`].
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ConfidenceInterval {
    pub confidence_level: f64,
    pub lower_bound: f64,
    pub upper_bound: f64,
}

/// Criterion's `estimates.json`: its statistics of one run of one benchmark.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Estimates {
    pub mean: Estimate,
    pub median: Estimate,
    pub median_abs_dev: Estimate,
    /// `null` for benchmarks sampled in flat mode, where no regression is fitted.
    pub slope: Option<Estimate>,
    pub std_dev: Estimate,
}

/// How criterion chose iteration counts for the samples.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
pub enum SamplingMode {
    /// Sample `i` runs `i * d` iterations (fast benchmarks).
    Linear,
    /// Every sample runs the same number of iterations (slow benchmarks).
    Flat,
}

/// The raw measurements of one run of one benchmark, from `sample.json`.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
pub struct Sample {
    /// How the iteration counts were chosen.
    pub sampling_mode: SamplingMode,
    /// Iterations per sample.
    pub iters: Vec<f64>,
    /// Total time per sample in nanoseconds.
    pub times: Vec<f64>,
}

impl Sample {
    /// Time per iteration of each sample, in nanoseconds (`times[i] / iters[i]`), the quantity
    /// criterion's own analysis and comparison are built on.
    pub fn per_iteration_ns(&self) -> Vec<f64> {
        self.times
            .iter()
            .zip(&self.iters)
            .map(|(time, iters)| time / iters)
            .collect()
    }

    fn validate(&self) -> Result<(), String> {
        if self.iters.len() != self.times.len() {
            return Err(format!(
                "`iters` has {} entries but `times` has {}",
                self.iters.len(),
                self.times.len()
            ));
        }
        if self.iters.is_empty() {
            return Err("no samples (`iters` and `times` are empty)".into());
        }
        if let Some(i) = self.iters.iter().position(|n| !(n.is_finite() && *n > 0.0)) {
            return Err(format!(
                "iters[{i}] is {}, expected a positive count",
                self.iters[i]
            ));
        }
        if let Some(i) = self.times.iter().position(|t| !(t.is_finite() && *t > 0.0)) {
            return Err(format!(
                "times[{i}] is {}, expected a positive duration in ns",
                self.times[i]
            ));
        }
        Ok(())
    }
}

/// One benchmark's folder for one label (or in a saved baseline), checked to hold all of
/// criterion's files in criterion's format.
#[derive(Debug, Clone)]
pub struct BenchmarkFolder {
    /// The folder holding the four files.
    pub path: PathBuf,
    /// The id from `benchmark.json`.
    pub id: BenchmarkId,
    /// The raw measurements from `sample.json`.
    pub sample: Sample,
    /// Criterion's own statistics of them, from `estimates.json`.
    pub estimates: Estimates,
    /// When `benchmark.json` was written, i.e. when the benchmark finished.
    pub finished: Option<SystemTime>,
}

/// Reads and validates the benchmark folder at `path`.
pub fn read_folder(path: &Path) -> Result<BenchmarkFolder, BaselineError> {
    let benchmark_path = path.join("benchmark.json");
    let id: BenchmarkId = parse(&benchmark_path, "criterion's benchmark.json")?;
    safe_relative(&id.directory_name).map_err(|reason| {
        BaselineError::malformed(
            &benchmark_path,
            format!("directory_name `{}` {reason}", id.directory_name),
        )
    })?;

    let sample_path = path.join("sample.json");
    let sample: Sample = parse(&sample_path, "criterion's sample.json")?;
    sample
        .validate()
        .map_err(|reason| BaselineError::malformed(&sample_path, reason))?;

    // Not used for statistics, but criterion's `--baseline` needs them after a restore (and
    // critcmp reads them), so a broken one must be caught when saving, not months later.
    let estimates: Estimates = parse(
        &path.join("estimates.json"),
        "criterion's estimates.json (`mean.point_estimate` and the other estimates, each with \
         its standard error and confidence interval)",
    )?;
    let tukey_path = path.join("tukey.json");
    let fences: Vec<f64> = parse(&tukey_path, "criterion's tukey.json (four numbers)")?;
    if fences.len() != 4 {
        return Err(BaselineError::malformed(
            &tukey_path,
            format!("expected four Tukey fences, found {}", fences.len()),
        ));
    }

    let finished = fs::metadata(&benchmark_path)
        .and_then(|m| m.modified())
        .ok();
    Ok(BenchmarkFolder {
        path: path.to_path_buf(),
        id,
        sample,
        estimates,
        finished,
    })
}

/// Finds every benchmark folder under `root`, sorted by id.
///
/// With `label` (`new`, or a criterion baseline name) this reads criterion's output directory,
/// where the files live in `<directory_name>/<label>/`; without, a saved baseline's run, where
/// they live in `<directory_name>/`. Top-level folders named in `skip` are not entered.
pub fn scan(
    root: &Path,
    label: Option<&str>,
    skip: &[&str],
) -> Result<Vec<BenchmarkFolder>, BaselineError> {
    if !root.is_dir() {
        return Err(BaselineError::NoBenchmarks {
            path: root.to_path_buf(),
            reason: "the folder does not exist; run `cargo bench` first or name the folder".into(),
        });
    }
    let mut found = Vec::new();
    walk(root, label, skip, 0, &mut found)?;
    let mut folders = found
        .iter()
        .map(|path| read_folder(path))
        .collect::<Result<Vec<_>, _>>()?;
    folders.sort_by(|a, b| a.id.full_id.cmp(&b.id.full_id));
    if let Some(pair) = folders
        .windows(2)
        .find(|w| w[0].id.full_id == w[1].id.full_id)
    {
        return Err(BaselineError::malformed(
            pair[1].path.join("benchmark.json"),
            format!(
                "benchmark `{}` is also in {}",
                pair[1].id.full_id,
                pair[0].path.display()
            ),
        ));
    }
    Ok(folders)
}

fn walk(
    dir: &Path,
    label: Option<&str>,
    skip: &[&str],
    depth: usize,
    found: &mut Vec<PathBuf>,
) -> Result<(), BaselineError> {
    if depth > MAX_DEPTH {
        return Ok(());
    }
    let entries = fs::read_dir(dir).map_err(|e| BaselineError::io("reading folder", dir, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| BaselineError::io("reading folder", dir, e))?;
        let file_type = entry
            .file_type()
            .map_err(|e| BaselineError::io("reading", entry.path(), e))?;
        if !file_type.is_dir() {
            continue;
        }
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if depth == 0 && skip.contains(&name.as_ref()) {
            continue;
        }
        let path = entry.path();
        let is_benchmark = match label {
            Some(label) => name == label && path.join("benchmark.json").is_file(),
            None => path.join("benchmark.json").is_file(),
        };
        if is_benchmark {
            found.push(path);
        } else {
            walk(&path, label, skip, depth + 1, found)?;
        }
    }
    Ok(())
}

/// Copies criterion's four files from one benchmark folder to another, creating it.
pub fn copy_files(from: &Path, to: &Path) -> Result<(), BaselineError> {
    fs::create_dir_all(to).map_err(|e| BaselineError::io("creating folder", to, e))?;
    for file in FILES {
        let source = from.join(file);
        fs::copy(&source, to.join(file)).map_err(|e| BaselineError::io("copying", &source, e))?;
    }
    Ok(())
}

/// `directory_name` comes from a file and becomes a path we write to: it must stay inside the
/// folder it is joined to.
fn safe_relative(directory_name: &str) -> Result<(), &'static str> {
    let path = Path::new(directory_name);
    if directory_name.is_empty() {
        return Err("is empty");
    }
    if path
        .components()
        .all(|component| matches!(component, Component::Normal(_)))
    {
        Ok(())
    } else {
        Err("must be a relative path without `..`")
    }
}

/// Reads and parses a JSON file, naming the file and what was expected when it is not that.
pub(super) fn parse<T: serde::de::DeserializeOwned>(
    path: &Path,
    expected: &str,
) -> Result<T, BaselineError> {
    let text = fs::read_to_string(path).map_err(|e| BaselineError::io("reading", path, e))?;
    serde_json::from_str(&text)
        .map_err(|e| BaselineError::malformed(path, format!("not {expected}: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directory_names_stay_inside() {
        assert!(safe_relative("coreml_ep_vs_cpu/tiny_cpu").is_ok());
        for bad in ["", "../x", "/etc", "a/../../b"] {
            assert!(safe_relative(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn samples_are_checked() {
        let sample = |iters: Vec<f64>, times: Vec<f64>| Sample {
            sampling_mode: SamplingMode::Flat,
            iters,
            times,
        };
        assert!(sample(vec![1.0, 2.0], vec![10.0, 20.0]).validate().is_ok());
        assert_eq!(
            sample(vec![1.0, 2.0], vec![10.0, 20.0]).per_iteration_ns(),
            [10.0, 10.0]
        );
        assert!(sample(vec![], vec![]).validate().is_err());
        assert!(sample(vec![1.0], vec![1.0, 2.0]).validate().is_err());
        assert!(sample(vec![0.0], vec![1.0]).validate().is_err());
        assert!(sample(vec![1.0], vec![f64::NAN]).validate().is_err());
    }
}
