//! Runs as the statistics see them: per-iteration times per benchmark id, grouped into the runs
//! of one setup (a saved baseline, or the run being checked).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use regex::Regex;

use super::criterion_files::{self, BenchmarkFolder};
use super::{BaselineError, BaselineMetadata};

/// One `cargo bench` run: each benchmark's per-iteration times in nanoseconds.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Run {
    /// Per-iteration times by benchmark id.
    pub benchmarks: BTreeMap<String, Vec<f64>>,
}

impl Run {
    /// The run made of these criterion folders.
    pub fn from_folders(folders: &[BenchmarkFolder]) -> Self {
        Run {
            benchmarks: folders
                .iter()
                .map(|f| (f.id.full_id.clone(), f.sample.per_iteration_ns()))
                .collect(),
        }
    }
}

/// Repeated runs of the same benchmarks on one setup: one side of a comparison.
#[derive(Debug, Clone, PartialEq)]
pub struct RunSet {
    /// How tables name this side: the baseline's name, or `last run`.
    pub label: String,
    /// The setup, when known (saved baselines always have it).
    pub metadata: Option<BaselineMetadata>,
    /// The runs, at least one.
    pub runs: Vec<Run>,
}

impl RunSet {
    /// The last `cargo bench` runs in criterion output directories (their `new/` folders), one run
    /// per directory.
    pub fn from_criterion_dirs(
        label: impl Into<String>,
        dirs: &[PathBuf],
        metadata: Option<BaselineMetadata>,
        filter: Option<&Regex>,
    ) -> Result<Self, BaselineError> {
        if dirs.is_empty() {
            return Err(BaselineError::NoBenchmarks {
                path: PathBuf::new(),
                reason: "no criterion output directory given".into(),
            });
        }
        let runs = dirs
            .iter()
            .map(|dir| Ok(Run::from_folders(&last_run(dir, filter)?)))
            .collect::<Result<Vec<_>, BaselineError>>()?;
        Ok(RunSet {
            label: label.into(),
            metadata,
            runs,
        })
    }

    /// Every benchmark id in any run.
    pub fn ids(&self) -> BTreeSet<&str> {
        self.runs
            .iter()
            .flat_map(|run| run.benchmarks.keys().map(String::as_str))
            .collect()
    }

    /// The samples of `id` in each run that has it.
    pub fn samples(&self, id: &str) -> Vec<&[f64]> {
        self.runs
            .iter()
            .filter_map(|run| run.benchmarks.get(id).map(Vec::as_slice))
            .collect()
    }

    /// Keeps only the benchmarks whose id matches `filter`.
    pub fn retain(&mut self, filter: &Regex) {
        for run in &mut self.runs {
            run.benchmarks.retain(|id, _| filter.is_match(id));
        }
    }
}

/// Parses a `--filter` pattern: a regular expression matched anywhere in benchmark ids, as
/// criterion's own filter is.
pub fn parse_filter(pattern: &str) -> Result<Regex, BaselineError> {
    Regex::new(pattern).map_err(|source| BaselineError::BadFilter {
        pattern: pattern.to_string(),
        source: Box::new(source),
    })
}

/// The benchmark folders of the last `cargo bench` run in criterion output directory `dir`
/// (its `new/` folders) whose id matches `filter`; an error when there are none.
pub fn last_run(dir: &Path, filter: Option<&Regex>) -> Result<Vec<BenchmarkFolder>, BaselineError> {
    let folders = criterion_files::scan(dir, Some(criterion_files::LAST_RUN), &[])?;
    let folders: Vec<BenchmarkFolder> = match filter {
        Some(filter) => folders
            .into_iter()
            .filter(|f| filter.is_match(&f.id.full_id))
            .collect(),
        None => folders,
    };
    if folders.is_empty() {
        return Err(BaselineError::NoBenchmarks {
            path: dir.to_path_buf(),
            reason: match filter {
                Some(filter) => format!("no benchmark id matches the filter `{}`", filter.as_str()),
                None => "no `new/benchmark.json` below it; run `cargo bench` first".into(),
            },
        });
    }
    Ok(folders)
}
