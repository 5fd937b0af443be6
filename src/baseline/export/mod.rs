//! Baselines and study results in the formats that continuous-benchmarking tools read, one
//! file per format:
//!
//! - [`bmf`]: Bencher Metric Format, the JSON `bencher run --adapter json` takes;
//! - [`github_action_benchmark`]: the `customSmallerIsBetter` array of github-action-benchmark;
//! - [`critcmp`]: the file `critcmp --export` writes and `critcmp FILE...` compares.
//!
//! BMF and github-action-benchmark are written from [`Measurement`]s, which come from a saved
//! baseline's runs ([`from_baseline`]) or from a study's `results.json` ([`study`]). Their
//! latency is located the way `baseline compare` locates it (the median time per iteration, the
//! geometric mean of the medians for several runs) with the same 95% bootstrap interval, so a
//! tracker shows the numbers epbench's own comparison judges. critcmp compares criterion's own
//! estimates and is written from the baseline's criterion files, one run at a time.

pub mod bmf;
pub mod critcmp;
pub mod github_action_benchmark;
mod measurement;
pub mod study;

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use regex::Regex;

use super::{BaselineError, BaselineName, Store};

pub use measurement::{Interval, Measurement, Metric, from_baseline};

/// An export format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Bencher Metric Format.
    Bmf,
    /// github-action-benchmark's `customSmallerIsBetter` tool.
    GithubActionBenchmark,
    /// critcmp's export file.
    Critcmp,
}

impl Format {
    /// Every format, in the order `--help` lists them.
    pub const ALL: [Format; 3] = [Format::Bmf, Format::GithubActionBenchmark, Format::Critcmp];

    /// The name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Format::Bmf => "bmf",
            Format::GithubActionBenchmark => "github-action-benchmark",
            Format::Critcmp => "critcmp",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Format {
    type Err = ExportError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Format::ALL
            .into_iter()
            .find(|format| format.name() == text)
            .ok_or_else(|| ExportError::UnknownFormat {
                given: text.to_string(),
            })
    }
}

/// Why an export could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The baseline could not be read.
    #[error(transparent)]
    Baseline(#[from] BaselineError),
    /// A format name epbench does not write.
    #[error(
        "unknown export format `{given}`; expected one of: bmf, github-action-benchmark, critcmp"
    )]
    UnknownFormat { given: String },
    /// A study's `results.json` that cannot be read.
    #[error("{}: {reason}", path.display())]
    StudyResults { path: PathBuf, reason: String },
    /// critcmp needs criterion's estimates, which a study's results do not have.
    #[error(
        "a study's results.json has no criterion estimates, which critcmp compares; export a \
         baseline saved after `cargo bench` to critcmp, or the study to bmf or \
         github-action-benchmark"
    )]
    CritcmpNeedsBaseline,
    /// Nothing was left to export.
    #[error("nothing to export from {source_name}: {reason}")]
    Empty { source_name: String, reason: String },
}

/// Exports baseline `name` of `store` as `format`: all its runs combined, or only `run`
/// (critcmp, whose file holds one run, takes run 1 unless told). `filter` keeps the benchmarks
/// whose id it matches.
pub fn export_baseline(
    store: &Store,
    name: &BaselineName,
    format: Format,
    run: Option<usize>,
    filter: Option<&Regex>,
) -> Result<serde_json::Value, ExportError> {
    let runs: Vec<usize> = match (run, format) {
        (Some(run), _) => vec![run],
        (None, Format::Critcmp) => vec![1],
        (None, _) => (1..=store.metadata(name)?.runs.len()).collect(),
    };
    let keep = |id: &str| filter.is_none_or(|f| f.is_match(id));
    let mut folders = Vec::with_capacity(runs.len());
    for run in runs {
        let mut run_folders = store.folders(name, run)?;
        run_folders.retain(|f| keep(&f.id.full_id));
        if run_folders.is_empty() {
            return Err(nothing_matches(name.as_str(), filter));
        }
        folders.push(run_folders);
    }
    let value = match format {
        Format::Critcmp => json(&critcmp::baseline(name.as_str(), &folders[0])),
        Format::Bmf | Format::GithubActionBenchmark => {
            let metadata = store.metadata(name)?;
            let measurements = from_baseline(name.as_str(), &metadata, &folders);
            measurements_as(format, &measurements)?
        }
    };
    Ok(value)
}

/// Exports a study's `results.json` (`path` names the file or the study's output folder) as
/// BMF or github-action-benchmark; `filter` keeps the benchmarks whose id it matches.
pub fn export_study(
    path: &std::path::Path,
    format: Format,
    filter: Option<&Regex>,
) -> Result<serde_json::Value, ExportError> {
    let file = if path.is_dir() {
        path.join("results.json")
    } else {
        path.to_path_buf()
    };
    let results = study::read(&file)?;
    let mut measurements = study::measurements(&results);
    measurements.retain(|m| filter.is_none_or(|f| f.is_match(&m.id)));
    if measurements.is_empty() {
        return Err(nothing_matches(&file.display().to_string(), filter));
    }
    measurements_as(format, &measurements)
}

/// Measurements in a format that takes them; critcmp takes criterion's estimates instead.
fn measurements_as(
    format: Format,
    measurements: &[Measurement],
) -> Result<serde_json::Value, ExportError> {
    match format {
        Format::Bmf => Ok(json(&bmf::document(measurements))),
        Format::GithubActionBenchmark => Ok(json(&github_action_benchmark::entries(measurements))),
        Format::Critcmp => Err(ExportError::CritcmpNeedsBaseline),
    }
}

fn nothing_matches(source_name: &str, filter: Option<&Regex>) -> ExportError {
    ExportError::Empty {
        source_name: source_name.to_string(),
        reason: match filter {
            Some(filter) => format!("no benchmark id matches the filter `{}`", filter.as_str()),
            None => "it holds no measured benchmark".into(),
        },
    }
}

/// Plain data with string keys and finite numbers always serialises.
fn json(value: &impl serde::Serialize) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or(serde_json::Value::Null)
}
