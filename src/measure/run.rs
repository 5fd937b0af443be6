//! Running a model the way the study does: warm-up runs, timed runs, and a profiled session.

use std::path::{Path, PathBuf};
use std::time::Instant;

use ort::session::SessionInputValue;

use super::latency::LatencyStats;
use super::profile::{ProfileSummary, read_events};
use crate::runtime::{Ep, LogLine, SessionConfig};
use crate::workload::{Feeds, ResolvedModel};

/// How many runs to make.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Runs {
    pub warmup: usize,
    pub iterations: usize,
}

impl Default for Runs {
    /// The study's setting: 5 warm-up and 50 timed runs.
    fn default() -> Self {
        Self {
            warmup: 5,
            iterations: 50,
        }
    }
}

/// A model measured on one EP: latency from an unprofiled session, and the profile of a
/// separate, profiled session (profiling itself costs time, so it never touches the latency).
#[derive(Debug, Clone, serde::Serialize)]
pub struct ProfiledRun {
    pub model: String,
    pub ep: Ep,
    pub runs: Runs,
    pub latency: LatencyStats,
    /// Samples per run, for throughput.
    pub batch: usize,
    pub throughput_per_s: Option<f64>,
    /// Creation time of the timed session, the EP's partitioning and compile included.
    pub session_create_ms: f64,
    pub profile: ProfileSummary,
    pub profile_file: PathBuf,
    /// ORT's log lines from creating the profiled session (the CoreML EP's partition summary
    /// is among them on a Mac).
    #[serde(skip)]
    pub logs: Vec<LogLine>,
}

/// Times `runs` of `model` on `config`, then profiles a fresh session with the same settings,
/// writing ORT's profile into `profile_dir`.
pub fn profile_model(
    model: &ResolvedModel,
    config: &SessionConfig,
    runs: Runs,
    feeds: &mut Feeds,
    profile_dir: &Path,
) -> crate::Result<ProfiledRun> {
    let name = model
        .variant
        .map_or_else(|| model.path.display().to_string(), |v| v.to_string());
    let mut timed = config.build(&model.path)?;
    let inputs = feeds.for_session(&timed.session, model.variant.as_ref())?;
    let durations = time_runs(&mut timed.session, &inputs, runs)?;
    let latency =
        LatencyStats::from_durations(&durations).map_err(|e| run_error(&name, e.to_string()))?;
    let batch = model.variant.map_or(1, |v| v.batch() as usize);

    let profiled_config = config.clone().profiling(profile_dir.join("profile"));
    let mut profiled = profiled_config.build(&model.path)?;
    time_runs(&mut profiled.session, &inputs, runs)?;
    let profile_file = PathBuf::from(
        profiled
            .session
            .end_profiling()
            .map_err(|e| run_error(&name, format!("ORT could not write its profile: {e}")))?,
    );
    let events = read_events(&profile_file).map_err(|e| run_error(&name, e.to_string()))?;
    let session_ep = (config.ep != Ep::Cpu).then(|| config.ep.kind().ort_name());
    Ok(ProfiledRun {
        model: name,
        ep: config.ep.clone(),
        runs,
        throughput_per_s: latency.throughput_per_s(batch),
        latency,
        batch,
        session_create_ms: timed.create_time.as_secs_f64() * 1e3,
        profile: ProfileSummary::from_events(&events, session_ep),
        profile_file,
        logs: profiled.logs,
    })
}

/// `runs.warmup` untimed runs, then `runs.iterations` runs timed one by one.
pub fn time_runs(
    session: &mut ort::session::Session,
    inputs: &[SessionInputValue<'_>],
    runs: Runs,
) -> crate::Result<Vec<std::time::Duration>> {
    let fail = |e: ort::Error| run_error("model", format!("run failed: {e}"));
    for _ in 0..runs.warmup {
        session.run(inputs).map_err(fail)?;
    }
    let mut durations = Vec::with_capacity(runs.iterations);
    for _ in 0..runs.iterations {
        let started = Instant::now();
        let outputs = session.run(inputs).map_err(fail)?;
        durations.push(started.elapsed());
        drop(outputs);
    }
    Ok(durations)
}

fn run_error(model: &str, reason: String) -> crate::Error {
    crate::runtime::RuntimeError::Ort(format!("{model}: {reason}")).into()
}
