//! What can go wrong with baselines, phrased so that the user knows which file or name to fix.

use std::path::PathBuf;

/// Errors from reading criterion output, saving, loading and comparing baselines.
#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    /// A baseline name that cannot be used as a folder name.
    #[error("invalid baseline name `{name}`: {reason}")]
    InvalidName { name: String, reason: String },

    /// The store has no baseline of that name.
    #[error("no baseline `{name}` in {}; {}", store.display(), available_text(available))]
    UnknownBaseline {
        name: String,
        store: PathBuf,
        available: Vec<String>,
    },

    /// Saving would overwrite a baseline the user did not ask to replace.
    #[error(
        "baseline `{name}` already exists in {}; pass --append to add this run to it or --force \
         to replace it",
        store.display()
    )]
    AlreadyExists { name: String, store: PathBuf },

    /// Appending a run measured on a different machine or runtime would mix two setups, and the
    /// noise floor learned from the runs would then measure the difference, not the noise.
    #[error(
        "cannot append to baseline `{name}`: it was measured with {saved}, this run with \
         {current}; save this run under another name"
    )]
    DifferentSetup {
        name: String,
        saved: String,
        current: String,
    },

    /// Reading or writing a file or folder failed.
    #[error("{action} {}: {source}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// A file exists but its content is not what criterion (or epbench) writes.
    #[error("{}: {reason}", path.display())]
    Malformed { path: PathBuf, reason: String },

    /// No criterion output where it was looked for.
    #[error("no criterion output in {}: {reason}", path.display())]
    NoBenchmarks { path: PathBuf, reason: String },

    /// A `--filter` pattern that is not a regular expression.
    #[error("invalid filter `{pattern}`: {source}")]
    BadFilter {
        pattern: String,
        #[source]
        source: Box<regex::Error>,
    },

    /// A check whose two sides share no benchmark: most likely the wrong baseline or filter.
    #[error(
        "`{current}` and `{baseline}` have no benchmark in common ({current} has {}; {baseline} \
         has {}); nothing to check",
        examples(current_ids),
        examples(baseline_ids)
    )]
    NothingInCommon {
        baseline: String,
        current: String,
        baseline_ids: Vec<String>,
        current_ids: Vec<String>,
    },

    /// A run number that the baseline does not have.
    #[error("baseline `{name}` has {runs} run(s); there is no run {run}")]
    NoSuchRun {
        name: String,
        runs: usize,
        run: usize,
    },

    /// A threshold or noise floor that is not a finite, non-negative percentage.
    #[error("{what} must be a non-negative percentage, got {value}")]
    BadPercentage { what: &'static str, value: f64 },
}

impl BaselineError {
    /// An I/O error with the path and what was being done to it.
    pub fn io(action: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        BaselineError::Io {
            action,
            path: path.into(),
            source,
        }
    }

    /// A file whose content is wrong, with what is wrong about it.
    pub fn malformed(path: impl Into<PathBuf>, reason: impl Into<String>) -> Self {
        BaselineError::Malformed {
            path: path.into(),
            reason: reason.into(),
        }
    }
}

fn examples(ids: &[String]) -> String {
    if ids.is_empty() {
        "none".into()
    } else {
        format!("e.g. {}", ids.join(", "))
    }
}

fn available_text(available: &[String]) -> String {
    if available.is_empty() {
        "there are no baselines yet (save one with `epbench baseline save`)".into()
    } else {
        format!("available: {}", available.join(", "))
    }
}
