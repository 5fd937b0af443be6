//! An upgrade check from start to end: plan the pinning, start the workers, prepare and warm up
//! the benchmarks on both sides, measure them in paired rounds until decided (or for a fixed
//! count), compare their outputs, and judge.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use indicatif::ProgressBar;
use regex::Regex;

use crate::correctness::OutputTensor;
use crate::machine::Machine;
use crate::measure::cpu_time;
use crate::provisioning::{self, Cache, OrtRequirement};
use crate::runtime::EpKind;
use crate::stats::{Sorted, Verdict};
use crate::suite::{BenchCase, Settings};
use crate::zoo;

use super::agreement::Agreement;
use super::client::WorkerProcess;
use super::measure::{Burst, Measure};
use super::paired::{Judged, POWER, judge};
use super::pinning::{self, PinPlan};
use super::protocol::{Request, Response};
use super::report::{
    Failure, Generation, Latency, Measured, Method, NoiseControls, OtherMeasure, Outcome, Row,
    SideInfo, Summary, UpgradeReport, WarmupRule,
};
use super::schedule::{
    burst_iterations, first_in_generation, generation_due, order, refresh_due, settled,
    starting_with, warmup_for,
};
use super::selection::select;
use super::stopping::{Decision, Stopping};
use super::worker::MAX_QUIESCE;
use super::{Side, SideOptions, UpgradeError};

/// Below six pairs of rounds the sign test's interval (the whole range) covers less than 95%.
pub const MIN_ROUNDS: usize = 12;
/// Target duration of one burst on one side.
pub const DEFAULT_BURST: Duration = Duration::from_millis(30);
/// The change that counts unless told otherwise: 5%.
pub const DEFAULT_THRESHOLD: f64 = 0.05;
/// Bounds on the timed iterations of a burst. A burst of a model slower than the target burst
/// is one run: the sides alternate run by run, which cancels more of the machine's drift than
/// bursts of several runs (see `schedule`).
const MIN_ITERATIONS: u32 = 1;
const MAX_ITERATIONS: u32 = 1000;
/// Iterations timed once per side to size the bursts.
const CALIBRATION_ITERATIONS: u32 = 5;
/// A benchmark's sessions are re-created on both sides, after a pair of rounds, once the rounds
/// since the last creation took this many times what creating them took (see
/// [`refresh_due`]).
const REFRESH_AFTER: f64 = 10.0;
/// The rounds are measured by this many generations of workers, the side started first
/// alternating (see [`generation_due`]).
const GENERATIONS: usize = 2;
/// The warm-up before the rounds (see [`WarmupRule`]).
const WARMUP: WarmupRule = WarmupRule {
    max_bursts: 8,
    tolerance: 0.02,
};

/// One side: the runtime to load and the overrides to apply.
#[derive(Debug, Clone, PartialEq)]
pub struct SideSpec {
    pub requirement: OrtRequirement,
    pub options: SideOptions,
}

/// What to check and how.
#[derive(Debug, Clone)]
pub struct UpgradeConfig {
    /// The `epbench` executable, started as `epbench upgrade-worker` once per side.
    pub worker_exe: PathBuf,
    pub from: SideSpec,
    pub to: SideSpec,
    /// Whose benchmarks to measure (see [`select`]).
    pub ep: EpKind,
    /// Only benchmarks whose id matches.
    pub filter: Option<Regex>,
    pub stopping: Stopping,
    pub burst: Duration,
    pub threshold: f64,
    /// The clock that decides.
    pub measure: Measure,
    /// Whether an inconclusive verdict fails the check.
    pub strict: bool,
    /// Whether ORT's intra-op threads may spin between runs (ORT's default); otherwise they
    /// sleep at once (`session.intra_op.allow_spinning=0`).
    pub spinning: bool,
    /// Intra-op threads of every session (the suite's `EPBENCH_THREADS`).
    pub intra_threads: usize,
    /// Where zoo models are built.
    pub models_dir: PathBuf,
}

impl UpgradeConfig {
    /// The runtime and options of `side`.
    fn side(&self, side: Side) -> &SideSpec {
        match side {
            Side::From => &self.from,
            Side::To => &self.to,
        }
    }

    /// The most intra-op threads a session of either side runs.
    fn threads(&self) -> usize {
        [&self.from, &self.to]
            .iter()
            .map(|side| side.options.threads.unwrap_or(self.intra_threads))
            .max()
            .unwrap_or(self.intra_threads)
    }
}

/// A benchmark on its way through the check.
struct Tracked {
    case: BenchCase,
    failed: [Option<String>; 2],
    iterations: u32,
    warmup_bursts: u32,
    settled: bool,
    bursts: [Vec<Burst>; 2],
    decided: Option<Decision>,
    outputs: [Option<Vec<OutputTensor>>; 2],
    /// Whether `outputs` were asked for (when the benchmark was decided, or at the end).
    outputs_taken: bool,
    /// Sessions created per side so far (each preparation is one).
    sessions: u32,
    /// What the last preparation of both sides took, and the rounds since.
    prepare_cost: Duration,
    measured_since: Duration,
}

impl Tracked {
    fn new(case: BenchCase) -> Self {
        Tracked {
            case,
            failed: [None, None],
            iterations: 0,
            warmup_bursts: 0,
            settled: false,
            bursts: [Vec::new(), Vec::new()],
            decided: None,
            outputs: [None, None],
            outputs_taken: false,
            sessions: 0,
            prepare_cost: Duration::ZERO,
            measured_since: Duration::ZERO,
        }
    }

    fn ready(&self) -> bool {
        self.failed.iter().all(Option::is_none)
    }

    /// Still being measured: ready on both sides and not yet decided.
    fn active(&self) -> bool {
        self.ready() && self.decided.is_none()
    }

    /// Each side's burst values by `measure`, in round order; `None` when a burst lacks one.
    fn values(&self, measure: Measure) -> Option<[Vec<f64>; 2]> {
        let side = |bursts: &[Burst]| -> Option<Vec<f64>> {
            bursts.iter().map(|b| b.value(measure)).collect()
        };
        Some([side(&self.bursts[0])?, side(&self.bursts[1])?])
    }

    /// The rounds so far judged by `measure`.
    fn judge(&self, measure: Measure, config: &UpgradeConfig) -> Option<Judged> {
        let [from, to] = self.values(measure)?;
        judge(&from, &to, config.stopping.interval(), config.threshold)
    }
}

/// The two workers, `from` first.
type Workers = [WorkerProcess; 2];

/// What starting the workers again needs.
struct Launch<'a> {
    config: &'a UpgradeConfig,
    pinning: &'a PinPlan,
    /// The ORT versions the first generation reported.
    versions: &'a [String; 2],
}

/// The generations of workers started so far.
struct Generations {
    all: Vec<Generation>,
}

impl Generations {
    fn new() -> Self {
        Generations { all: Vec::new() }
    }

    /// The side that starts first in the next generation.
    fn next_first(&self) -> Side {
        first_in_generation(self.all.len())
    }

    /// Records a generation that started first with `first`, took `cost` to start and measures
    /// from round `first_round` on.
    fn began(&mut self, first: Side, first_round: usize, cost: Duration) {
        self.all.push(Generation {
            first,
            first_round,
            start_s: cost.as_secs_f64(),
        });
    }

    /// Whether the next generation is due when the rounds are `progress` of the way.
    fn due(&self, progress: f64) -> bool {
        generation_due(progress, self.all.len(), GENERATIONS)
    }
}

fn slot(side: Side) -> usize {
    match side {
        Side::From => 0,
        Side::To => 1,
    }
}

/// Runs the check. Progress goes to `progress` (a hidden bar shows nothing). Fails only when the
/// check cannot run at all (a runtime that does not load, a worker that dies); a benchmark that
/// fails on a side is a row.
pub fn upgrade_check(
    config: &UpgradeConfig,
    progress: &ProgressBar,
) -> Result<UpgradeReport, UpgradeError> {
    let started = Instant::now();
    let cases = selected_cases(config)?;
    let pinning = pinning::plan(pinning::available_cores().as_deref(), config.threads());
    let mut generations = Generations::new();
    let first = generations.next_first();
    provision(config, progress)?;
    build_models(&cases, &config.models_dir, progress);
    let starting = Instant::now();
    let (mut workers, versions, pin_errors) = start_workers(config, &pinning, first, progress)?;
    let spawned = starting.elapsed();
    let mut tracked: Vec<Tracked> = cases.into_iter().map(Tracked::new).collect();
    prepare_all(&mut workers, &mut tracked, config.burst, first, progress)?;
    // What a restart repeats: the start and the preparations, not the calibration and warm-up.
    let prepared: Duration = tracked.iter().map(|t| t.prepare_cost).sum();
    generations.began(first, 0, spawned + prepared);
    let measuring = Instant::now();
    let launch = Launch {
        config,
        pinning: &pinning,
        versions: &versions,
    };
    let budget_exhausted = measure_rounds(
        &mut workers,
        &mut tracked,
        &launch,
        &mut generations,
        progress,
    )?;
    let measuring = measuring.elapsed();
    collect_outputs(&mut workers, &mut tracked, progress)?;
    for worker in workers {
        worker.quit();
    }
    let cpu_time = cpu_time::available();
    let noise = NoiseControls {
        cpu_time,
        idle_wait_max_ms: if cpu_time {
            MAX_QUIESCE.as_secs_f64() * 1e3
        } else {
            0.0
        },
        intra_op_spinning: config.spinning,
        session_refresh_after: REFRESH_AFTER,
        worker_generations: GENERATIONS,
        pinning,
        pin_errors,
        warmup: WARMUP,
    };
    let times = [started.elapsed(), measuring];
    Ok(report(
        config,
        versions,
        noise,
        &tracked,
        generations.all,
        times,
        budget_exhausted,
    ))
}

/// The benchmarks to check; an error for too few rounds or an empty selection.
fn selected_cases(config: &UpgradeConfig) -> Result<Vec<BenchCase>, UpgradeError> {
    if let Stopping::Fixed { rounds } = config.stopping
        && (rounds < MIN_ROUNDS || !rounds.is_multiple_of(2))
    {
        return Err(UpgradeError::TooFewRounds {
            rounds,
            min: MIN_ROUNDS,
        });
    }
    let settings = Settings {
        quick: false,
        intra_threads: config.intra_threads,
    };
    let cases = select(config.ep, &settings, config.filter.as_ref());
    if cases.is_empty() {
        return Err(UpgradeError::NoBenchmarks {
            ep: config.ep.to_string(),
            filter: config
                .filter
                .as_ref()
                .map_or_else(String::new, |f| f.as_str().to_string()),
        });
    }
    Ok(cases)
}

/// Makes sure both runtimes are on disk before any worker starts: a first use's download is its
/// own step, not part of a generation's start time, and the two workers never fetch at once.
fn provision(config: &UpgradeConfig, progress: &ProgressBar) -> Result<(), UpgradeError> {
    progress.set_message("finding both runtimes (the first use of a version downloads it)");
    let failed = |side: Side, reason: String| UpgradeError::Worker {
        side,
        requirement: config.side(side).requirement.to_string(),
        reason,
        stderr: String::new(),
    };
    let cache = Cache::from_env().map_err(UpgradeError::Cache)?;
    // Each distinct runtime once: a cached one is verified by hashing its files.
    let same = config.from.requirement == config.to.requirement;
    for side in [Side::From, Side::To] {
        if side == Side::To && same {
            continue;
        }
        provisioning::ensure_ort(&config.side(side).requirement, &cache)
            .map_err(|e| failed(side, e.to_string()))?;
    }
    Ok(())
}

/// Builds the model files of `cases` that are not built yet, before any worker starts: so that
/// neither side builds while the other waits, and building is not part of a generation's start
/// time. A model that fails to build is left to the workers, whose preparation then fails on
/// both sides with the zoo's reason, in that benchmark's row.
fn build_models(cases: &[BenchCase], models_dir: &Path, progress: &ProgressBar) {
    for (i, case) in cases.iter().enumerate() {
        progress.set_message(format!(
            "building model {}/{}: {}",
            i + 1,
            cases.len(),
            case.id()
        ));
        let _ = zoo::build(case.variant, models_dir);
    }
}

/// Starts both workers, pinned as planned, `first` first, and loads their runtimes: the
/// workers, the ORT versions they report, and any pinning that failed.
fn start_workers(
    config: &UpgradeConfig,
    pinning: &PinPlan,
    first: Side,
    progress: &ProgressBar,
) -> Result<(Workers, [String; 2], Vec<String>), UpgradeError> {
    let spawn =
        |side| WorkerProcess::spawn(&config.worker_exe, side, &config.side(side).requirement);
    let mut workers = match first {
        Side::From => {
            let from = spawn(Side::From)?;
            [from, spawn(Side::To)?]
        }
        Side::To => {
            let to = spawn(Side::To)?;
            [spawn(Side::From)?, to]
        }
    };
    progress.set_message("loading both runtimes");
    for side in starting_with(first) {
        let spec = config.side(side);
        workers[slot(side)].send(&Request::Load {
            requirement: spec.requirement.clone(),
            ep: config.ep,
            intra_threads: config.intra_threads,
            options: spec.options,
            models_dir: config.models_dir.clone(),
            pin: pinning.cores.clone(),
            spinning: config.spinning,
            decided_by: config.measure,
        })?;
    }
    let mut versions = [String::new(), String::new()];
    let mut pin_errors = Vec::new();
    for side in starting_with(first) {
        let worker = &mut workers[slot(side)];
        match worker.receive()? {
            Response::Loaded {
                ort_version,
                pin_error,
                ..
            } => {
                versions[slot(side)] = ort_version;
                pin_errors.extend(pin_error.map(|e| format!("{side} side: {e}")));
            }
            Response::Failed { reason } => return Err(worker.failure(reason)),
            other => return Err(unexpected(worker, "load", &other)),
        }
    }
    Ok((workers, versions, pin_errors))
}

/// Prepares every benchmark on both sides, sizes its bursts to `burst` on the slower side and
/// warms it up until its burst medians settle, `first` first at every step.
fn prepare_all(
    workers: &mut Workers,
    tracked: &mut [Tracked],
    burst: Duration,
    first: Side,
    progress: &ProgressBar,
) -> Result<(), UpgradeError> {
    let total = tracked.len();
    for (i, item) in tracked.iter_mut().enumerate() {
        let id = item.case.id();
        progress.set_message(format!("preparing {}/{total}: {id}", i + 1));
        prepare(workers, item, first, "")?;
        if !item.ready() {
            continue;
        }
        let mut per_iteration = [0.0; 2];
        for side in starting_with(first).map(slot) {
            match measure(&mut workers[side], &id, 2, CALIBRATION_ITERATIONS)? {
                Ok(burst) => {
                    per_iteration[side] = burst.value(Measure::Wall).unwrap_or(f64::NAN);
                }
                Err(reason) => item.failed[side] = Some(reason),
            }
        }
        let size = |per_iteration| {
            burst_iterations(
                per_iteration,
                burst.as_nanos() as f64,
                MIN_ITERATIONS,
                MAX_ITERATIONS,
            )
        };
        item.iterations = size(per_iteration);
        if item.ready() {
            progress.set_message(format!("warming up {}/{total}: {id}", i + 1));
            // Resized from the settled times: the calibration ran cold.
            item.iterations = size(warm_up(workers, item, first)?);
        }
    }
    Ok(())
}

/// Creates the benchmark's session (model, inputs and one checked run) on both sides, one side
/// at a time, `first` first, replacing any session it had; a failure on a side is recorded with
/// `context` before the reason.
fn prepare(
    workers: &mut Workers,
    item: &mut Tracked,
    first: Side,
    context: &str,
) -> Result<(), UpgradeError> {
    let started = Instant::now();
    let id = item.case.id();
    for side in starting_with(first) {
        let worker = &mut workers[slot(side)];
        match worker.request(&Request::Prepare { id: id.clone() })? {
            Response::Prepared { .. } => {}
            Response::Failed { reason } => {
                item.failed[slot(side)] = Some(format!("{context}{reason}"));
            }
            other => return Err(unexpected(worker, "prepare", &other)),
        }
    }
    item.sessions += 1;
    item.prepare_cost = started.elapsed();
    item.measured_since = Duration::ZERO;
    Ok(())
}

/// Warm-up bursts on both sides, alternating, `first` first, until both settle ([`WARMUP`]);
/// each side's last burst median.
fn warm_up(
    workers: &mut Workers,
    item: &mut Tracked,
    first: Side,
) -> Result<[f64; 2], UpgradeError> {
    let id = item.case.id();
    let mut medians: [Vec<f64>; 2] = [Vec::new(), Vec::new()];
    while item.warmup_bursts < WARMUP.max_bursts && !item.settled {
        for side in starting_with(first).map(slot) {
            let worker = &mut workers[side];
            match measure(worker, &id, warmup_for(item.iterations), item.iterations)? {
                Ok(burst) => medians[side].push(burst.value(Measure::Wall).unwrap_or(f64::NAN)),
                Err(reason) => {
                    item.failed[side] = Some(format!("while warming up: {reason}"));
                    return Ok([f64::NAN; 2]);
                }
            }
        }
        item.warmup_bursts += 1;
        item.settled = medians.iter().all(|m| settled(m, WARMUP.tolerance));
    }
    let last = |m: &[f64]| m.last().copied().unwrap_or(f64::NAN);
    Ok([last(&medians[0]), last(&medians[1])])
}

/// Paired rounds over the ready benchmarks, the side that goes first alternating, until the
/// stopping rule ends them, with new sessions or new workers between pairs of rounds when they
/// are due; whether an adaptive budget ran out with benchmarks undecided.
fn measure_rounds(
    workers: &mut Workers,
    tracked: &mut [Tracked],
    launch: &Launch,
    generations: &mut Generations,
    progress: &ProgressBar,
) -> Result<bool, UpgradeError> {
    let config = launch.config;
    let started = Instant::now();
    let ready = tracked.iter().filter(|t| t.ready()).count();
    match config.stopping {
        Stopping::Fixed { rounds } => {
            progress.set_length((rounds * ready) as u64);
            progress.set_message(format!(
                "measuring {ready} benchmark(s), {rounds} paired rounds"
            ));
        }
        Stopping::Adaptive { budget } => progress.set_length(budget.as_secs().max(1)),
    }
    progress.set_position(0);
    progress.reset_eta();
    let mut round = 0;
    loop {
        let undecided = tracked.iter().filter(|t| t.active()).count();
        if undecided == 0 {
            return Ok(false);
        }
        if !config.stopping.may_start(round, started.elapsed()) {
            return Ok(matches!(config.stopping, Stopping::Adaptive { .. }));
        }
        if round > 0 && round.is_multiple_of(2) {
            if generations.due(config.stopping.progress(round, started.elapsed())) {
                restart(workers, tracked, launch, generations, round, progress)?;
            } else {
                refresh_sessions(workers, tracked, round)?;
            }
        }
        if let Stopping::Adaptive { budget } = config.stopping {
            progress.set_message(format!(
                "round {}: {} of {ready} benchmark(s) decided, budget {:.0} s",
                round + 1,
                ready - undecided,
                budget.as_secs_f64()
            ));
        }
        for item in tracked.iter_mut().filter(|t| t.active()) {
            let id = item.case.id();
            let started_round = Instant::now();
            for side in order(round) {
                let worker = &mut workers[slot(side)];
                let warmup = warmup_for(item.iterations);
                match measure(worker, &id, warmup, item.iterations)? {
                    Ok(burst) => item.bursts[slot(side)].push(burst),
                    Err(reason) => {
                        item.failed[slot(side)] = Some(format!("in round {}: {reason}", round + 1));
                        break;
                    }
                }
            }
            item.measured_since += started_round.elapsed();
            match config.stopping {
                Stopping::Fixed { .. } => progress.inc(1),
                Stopping::Adaptive { .. } => progress.set_position(started.elapsed().as_secs()),
            }
        }
        round += 1;
        if config.stopping.looks_after(round) {
            for item in tracked.iter_mut().filter(|t| t.active()) {
                let verdict = item.judge(config.measure, config).map(|j| j.verdict);
                if verdict.is_some_and(|v| v != Verdict::Inconclusive) {
                    item.decided = Some(Decision {
                        rounds: round,
                        measuring_s: started.elapsed().as_secs_f64(),
                    });
                    // From the sessions it was measured on: a restart prepares only the rest.
                    take_outputs(workers, std::iter::once(item))?;
                }
            }
        }
    }
}

/// Before a pair of rounds (`round` rounds done), re-creates the sessions of every benchmark
/// still being measured whose rounds since its last creation are due ([`refresh_due`]).
///
/// A worker's session is one draw of where its buffers landed, and that can decide a
/// cache-bound model's speed for the session's whole life: A/A checks of `add_64k` here ran at
/// about 4 us in some workers and 6.4 us in others, so a check whose two sides drew differently
/// reported -15% or +11% with narrow intervals. Rounds paired within one pair of sessions cannot
/// average that away; new sessions draw again, and a benchmark that is cheap to create gets new
/// ones after every pair of rounds.
fn refresh_sessions(
    workers: &mut Workers,
    tracked: &mut [Tracked],
    round: usize,
) -> Result<(), UpgradeError> {
    for item in tracked.iter_mut().filter(|t| t.active()) {
        if refresh_due(item.measured_since, item.prepare_cost, REFRESH_AFTER) {
            // The side that prepares first alternates from one preparation to the next.
            let first = order(item.sessions as usize)[0];
            prepare(
                workers,
                item,
                first,
                &format!("re-creating its session after round {round}: "),
            )?;
        }
    }
    Ok(())
}

/// Before a pair of rounds (`round` rounds done), stops both workers and starts a new
/// generation, the other side first this time, with every benchmark still being measured
/// prepared again (the decided gave their outputs when they were decided); the calibration and
/// warm-up are kept. A benchmark that now fails to prepare is a failed row; a runtime that no
/// longer loads, or loads another version, ends the check.
fn restart(
    workers: &mut Workers,
    tracked: &mut [Tracked],
    launch: &Launch,
    generations: &mut Generations,
    round: usize,
    progress: &ProgressBar,
) -> Result<(), UpgradeError> {
    let first = generations.next_first();
    let started = Instant::now();
    // The old workers exit first: never two generations' sessions in memory at once.
    for worker in workers.iter_mut() {
        worker.stop();
    }
    let (new, versions, _) = start_workers(launch.config, launch.pinning, first, progress)?;
    *workers = new;
    for side in [Side::From, Side::To] {
        let (now, before) = (&versions[slot(side)], &launch.versions[slot(side)]);
        if now != before {
            return Err(workers[slot(side)].failure(format!(
                "restarted after round {round}, the worker loaded ONNX Runtime {now}, not {before}"
            )));
        }
    }
    let context = format!("preparing it again in restarted workers after round {round}: ");
    for item in tracked.iter_mut().filter(|t| t.active()) {
        prepare(workers, item, first, &context)?;
    }
    generations.began(first, round, started.elapsed());
    Ok(())
}

/// One run's outputs of every measured benchmark on both sides, for the agreement check.
fn collect_outputs(
    workers: &mut Workers,
    tracked: &mut [Tracked],
    progress: &ProgressBar,
) -> Result<(), UpgradeError> {
    progress.set_message("comparing outputs");
    take_outputs(workers, tracked.iter_mut().filter(|t| t.ready()))
}

/// Asks both sides for one run's outputs of each benchmark in `items` not asked before.
fn take_outputs<'a>(
    workers: &mut Workers,
    items: impl Iterator<Item = &'a mut Tracked>,
) -> Result<(), UpgradeError> {
    for item in items.filter(|t| !t.outputs_taken) {
        item.outputs_taken = true;
        for worker in workers.iter_mut() {
            let side = slot(worker.side());
            item.outputs[side] = match worker.request(&Request::Outputs { id: item.case.id() })? {
                Response::Outputs { outputs } => outputs
                    .iter()
                    .map(OutputTensor::try_from)
                    .collect::<Result<Vec<_>, _>>()
                    .ok(),
                Response::Failed { .. } => None,
                other => return Err(unexpected(worker, "outputs", &other)),
            };
        }
    }
    Ok(())
}

/// The report of a finished check; `[wall, measuring]` are its times.
fn report(
    config: &UpgradeConfig,
    [from_version, to_version]: [String; 2],
    noise: NoiseControls,
    tracked: &[Tracked],
    generations: Vec<Generation>,
    [wall, measuring]: [Duration; 2],
    budget_exhausted: bool,
) -> UpgradeReport {
    let same_setup = config.from == config.to;
    let rows: Vec<Row> = tracked
        .iter()
        .map(|item| row(item, config, same_setup))
        .collect();
    let side = |spec: &SideSpec, ort_version| SideInfo {
        requirement: spec.requirement.clone(),
        ort_version,
        options: spec.options,
    };
    UpgradeReport {
        from: side(&config.from, from_version),
        to: side(&config.to, to_version),
        ep: config.ep,
        filter: config.filter.as_ref().map(|f| f.as_str().to_string()),
        method: Method {
            stopping: config.stopping,
            interval: config.stopping.interval(),
            measure: config.measure,
            burst_ms: config.burst.as_secs_f64() * 1e3,
            threshold: config.threshold,
            power: POWER,
            strict: config.strict,
            intra_threads: config.intra_threads,
            noise,
        },
        machine: Machine::detect(),
        wall_s: wall.as_secs_f64(),
        measuring_s: measuring.as_secs_f64(),
        generations,
        passed: !rows.iter().any(|r| r.fails_check(config.strict)),
        summary: Summary::of(&rows, budget_exhausted),
        rows,
    }
}

/// One burst: `Ok(burst)`, or `Err(reason)` when the benchmark failed on that side.
fn measure(
    worker: &mut WorkerProcess,
    id: &str,
    warmup: u32,
    iterations: u32,
) -> Result<Result<Burst, String>, UpgradeError> {
    let request = Request::Measure {
        id: id.to_string(),
        warmup,
        iterations,
    };
    match worker.request(&request)? {
        Response::Measured { ns, cpu_ns } if ns.len() == iterations as usize => {
            Ok(Ok(Burst { ns, cpu_ns }))
        }
        Response::Failed { reason } => Ok(Err(reason)),
        other => Err(unexpected(worker, "measure", &other)),
    }
}

fn unexpected(worker: &mut WorkerProcess, request: &str, response: &Response) -> UpgradeError {
    let mut shown = format!("{response:?}");
    shown.truncate(200);
    worker.failure(format!("unexpected answer to `{request}`: {shown}"))
}

/// Nanosecond times, sorted; `None` for none (a burst with no iterations, which `measure`
/// rules out).
fn sorted_ns<'a>(ns: impl IntoIterator<Item = &'a u64>) -> Option<Sorted> {
    Sorted::new(ns.into_iter().map(|&n| n as f64).collect())
}

fn latency(bursts: &[Burst]) -> Latency {
    let all = sorted_ns(bursts.iter().flat_map(|b| &b.ns));
    let at = |q: f64| all.as_ref().map_or(f64::NAN, |s| s.quantile(q));
    Latency {
        median_ns: at(0.5),
        p25_ns: at(0.25),
        p75_ns: at(0.75),
        burst_medians_ns: bursts
            .iter()
            .map(|b| b.value(Measure::Wall).unwrap_or(f64::NAN))
            .collect(),
        burst_totals_ns: bursts.iter().map(|b| b.ns.iter().sum()).collect(),
        burst_cpu_ns: bursts.iter().map(|b| b.cpu_ns).collect(),
    }
}

fn row(item: &Tracked, config: &UpgradeConfig, same_setup: bool) -> Row {
    let id = item.case.bench_id();
    let [from_failed, to_failed] = item.failed.clone();
    if let Some(failure) = Failure::of_sides(from_failed, to_failed) {
        return Row {
            id,
            outcome: Outcome::Failed(failure),
        };
    }
    let Some(judged) = item.judge(config.measure, config) else {
        return Row {
            id,
            outcome: Outcome::Failed(Failure::Unpaired {
                reason: format!(
                    "a burst's {} time was zero, missing or not finite: the clock is too \
                     coarse for this benchmark",
                    config.measure
                ),
            }),
        };
    };
    let other = config.measure.other();
    let other_measure = item.judge(other, config).map(|judged| OtherMeasure {
        measure: other,
        judged,
    });
    let agreement = match &item.outputs {
        [Some(from), Some(to)] => Agreement::judge(
            &item.case.variant,
            &item.case.session.ep,
            same_setup,
            from,
            to,
        ),
        _ => Agreement::Unchecked {
            reason: "a side could not return its outputs".into(),
        },
    };
    Row {
        id,
        outcome: Outcome::Measured(Box::new(Measured {
            iterations_per_burst: item.iterations,
            warmup_bursts: item.warmup_bursts,
            settled: item.settled,
            from: latency(&item.bursts[0]),
            to: latency(&item.bursts[1]),
            judged,
            decided: item.decided,
            sessions: item.sessions,
            other_measure,
            agreement,
        })),
    }
}
