//! Why an upgrade check could not run (exit code 2); a benchmark that fails on one side is a
//! result row instead.

use std::path::PathBuf;

use super::Side;

/// What stopped an upgrade check.
#[derive(Debug, thiserror::Error)]
pub enum UpgradeError {
    #[error("bad side options `{input}`: {reason}")]
    BadOption { input: String, reason: String },
    #[error("--rounds must be even (pairs of rounds, AB then BA) and at least {min}, got {rounds}")]
    TooFewRounds { rounds: usize, min: usize },
    #[error("no benchmark of the {ep} selection matches the filter `{filter}`")]
    NoBenchmarks { ep: String, filter: String },
    #[error("cannot start the {side} worker ({}): {source}", exe.display())]
    Spawn {
        side: Side,
        exe: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The worker answered with an error while loading, or died; `stderr` is the end of what it
    /// printed.
    #[error(
        "the {side} side ({requirement}) failed: {reason}{}",
        stderr_block(stderr)
    )]
    Worker {
        side: Side,
        requirement: String,
        reason: String,
        stderr: String,
    },
    #[error("cannot find where runtimes are cached: {0}")]
    Cache(#[source] crate::provisioning::ProvisioningError),
    #[error("cannot save the result as baselines: {0}")]
    Save(#[from] crate::baseline::BaselineError),
}

fn stderr_block(stderr: &str) -> String {
    if stderr.trim().is_empty() {
        String::new()
    } else {
        format!(
            "\n  its stderr ended with:\n    {}",
            stderr.trim_end().replace('\n', "\n    ")
        )
    }
}
