//! ORT profiles: ONNX Runtime's JSON profile (the file `Session::end_profiling()` returns),
//! parsed into events and summarised the way the study summarises it.
//!
//! - [`events`] reads the file: a JSON array of trace events, exactly as
//!   `onnxruntime/core/common/profiler.cc` writes it;
//! - [`summary`] aggregates them: session and run times, node execution vs overhead, fused EP
//!   partitions, CPU fallback, EP↔CPU transitions;
//! - `render` prints the summary as the study's text block.
//!
//! ```no_run
//! use epbench::measure::profile::ProfileSummary;
//!
//! let summary = ProfileSummary::from_file("onnxruntime_profile.json")?;
//! println!("{} partitions, {:?} transitions per run", summary.partitions.len(),
//!          summary.transitions_per_run);
//! print!("{summary}");
//! # Ok::<(), epbench::measure::profile::ProfileError>(())
//! ```

pub mod events;
mod render;
pub mod summary;

use std::path::{Path, PathBuf};

pub use events::{Category, NodeEvent, NodePhase, ParseError, ProfileEvent, parse_events};
pub use summary::{
    CategoryTotal, FallbackOp, NodeTime, Partition, ProfileSummary, ProviderTotal, TOP_NODES,
};

/// The provider name ORT gives its own CPU kernels; every other provider is an accelerator.
pub const CPU_PROVIDER: &str = "CPUExecutionProvider";

/// A profile file that could not be read or is not an ORT profile.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    /// The file could not be read at all.
    #[error("cannot read ORT profile {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The file was read but is not a complete ORT profile.
    #[error("{path} is not a usable ORT profile: {source}")]
    Parse {
        path: PathBuf,
        #[source]
        source: ParseError,
    },
}

/// Reads and parses an ORT JSON profile file.
pub fn read_events(path: impl AsRef<Path>) -> Result<Vec<ProfileEvent>, ProfileError> {
    let path = path.as_ref();
    let bytes = std::fs::read(path).map_err(|source| ProfileError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    parse_events(&bytes).map_err(|source| ProfileError::Parse {
        path: path.to_path_buf(),
        source,
    })
}

impl ProfileSummary {
    /// Reads an ORT JSON profile and summarises it, inferring the accelerator EP from the
    /// providers that executed nodes (see [`ProfileSummary::from_events`]). A caller that knows
    /// which EP the session was created with should use [`read_events`] and pass it to
    /// `from_events`, so that an EP that took no node at all still counts as present.
    pub fn from_file(path: impl AsRef<Path>) -> Result<ProfileSummary, ProfileError> {
        Ok(ProfileSummary::from_events(&read_events(path)?, None))
    }
}
