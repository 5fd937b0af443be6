//! An upgrade check from start to end: start the workers, prepare the benchmarks on both sides,
//! measure them in paired rounds, compare their outputs, and judge.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use indicatif::ProgressBar;
use regex::Regex;

use crate::correctness::OutputTensor;
use crate::machine::Machine;
use crate::provisioning::OrtRequirement;
use crate::runtime::EpKind;
use crate::stats::{Sorted, Verdict};
use crate::suite::{BenchCase, Settings};

use super::agreement::Agreement;
use super::client::WorkerProcess;
use super::paired::paired_change;
use super::protocol::{Request, Response};
use super::report::{Failure, Latency, Measured, Method, Outcome, Row, SideInfo, UpgradeReport};
use super::schedule::{burst_iterations, order, warmup_for};
use super::selection::select;
use super::{Side, SideOptions, UpgradeError};

/// Paired rounds per benchmark unless told otherwise: the median's interval then spans the 10th
/// to 21st smallest ratio (95.7%), and a third of the rounds may be disturbed before it moves.
pub const DEFAULT_ROUNDS: usize = 30;
/// Below six rounds the median's interval (the whole range) covers less than 95%.
pub const MIN_ROUNDS: usize = 6;
/// Target duration of one burst on one side.
pub const DEFAULT_BURST: Duration = Duration::from_millis(30);
/// The change that counts unless told otherwise: 5%.
pub const DEFAULT_THRESHOLD: f64 = 0.05;
/// Bounds on the timed iterations of a burst.
const MIN_ITERATIONS: u32 = 3;
const MAX_ITERATIONS: u32 = 1000;
/// Iterations timed once per side to size the bursts.
const CALIBRATION_ITERATIONS: u32 = 5;

/// One side: the runtime to load and the session overrides to apply.
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
    pub rounds: usize,
    pub burst: Duration,
    pub threshold: f64,
    /// Intra-op threads of every session (the suite's `EPBENCH_THREADS`).
    pub intra_threads: usize,
    /// Where zoo models are built.
    pub models_dir: PathBuf,
}

/// A benchmark on its way through the check.
struct Tracked {
    case: BenchCase,
    failed: [Option<String>; 2],
    iterations: u32,
    bursts: [Vec<Vec<u64>>; 2],
    outputs: [Option<Vec<OutputTensor>>; 2],
}

impl Tracked {
    fn new(case: BenchCase) -> Self {
        Tracked {
            case,
            failed: [None, None],
            iterations: 0,
            bursts: [Vec::new(), Vec::new()],
            outputs: [None, None],
        }
    }

    fn ready(&self) -> bool {
        self.failed.iter().all(Option::is_none)
    }
}

/// The two workers, `from` first.
type Workers = [WorkerProcess; 2];

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
    let (mut workers, versions) = start_workers(config, progress)?;
    let mut tracked: Vec<Tracked> = cases.into_iter().map(Tracked::new).collect();
    prepare_all(&mut workers, &mut tracked, config.burst, progress)?;
    measure_rounds(&mut workers, &mut tracked, config.rounds, progress)?;
    collect_outputs(&mut workers, &mut tracked, progress)?;
    for worker in workers {
        worker.quit();
    }
    Ok(report(config, versions, &tracked, started.elapsed()))
}

/// The benchmarks to check; an error for too few rounds or an empty selection.
fn selected_cases(config: &UpgradeConfig) -> Result<Vec<BenchCase>, UpgradeError> {
    if config.rounds < MIN_ROUNDS {
        return Err(UpgradeError::TooFewRounds {
            rounds: config.rounds,
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

/// Starts both workers and loads their runtimes: the workers and the ORT versions they report.
fn start_workers(
    config: &UpgradeConfig,
    progress: &ProgressBar,
) -> Result<(Workers, [String; 2]), UpgradeError> {
    let specs = [&config.from, &config.to];
    let mut workers = [
        WorkerProcess::spawn(&config.worker_exe, Side::From, &config.from.requirement)?,
        WorkerProcess::spawn(&config.worker_exe, Side::To, &config.to.requirement)?,
    ];
    progress.set_message("loading both runtimes (the first use of a version downloads it)");
    for (worker, spec) in workers.iter_mut().zip(specs) {
        worker.send(&Request::Load {
            requirement: spec.requirement.clone(),
            ep: config.ep,
            intra_threads: config.intra_threads,
            options: spec.options,
            models_dir: config.models_dir.clone(),
        })?;
    }
    let mut versions = [String::new(), String::new()];
    for (worker, version) in workers.iter_mut().zip(&mut versions) {
        match worker.receive()? {
            Response::Loaded { ort_version, .. } => *version = ort_version,
            Response::Failed { reason } => return Err(worker.failure(reason)),
            other => return Err(unexpected(worker, "load", &other)),
        }
    }
    Ok((workers, versions))
}

/// Prepares every benchmark on both sides and sizes its bursts to `burst` on the slower side.
fn prepare_all(
    workers: &mut Workers,
    tracked: &mut [Tracked],
    burst: Duration,
    progress: &ProgressBar,
) -> Result<(), UpgradeError> {
    let total = tracked.len();
    for (i, item) in tracked.iter_mut().enumerate() {
        let id = item.case.id();
        progress.set_message(format!("preparing {}/{total}: {id}", i + 1));
        // One side at a time: the first builds the model file, the second finds it.
        for worker in workers.iter_mut() {
            match worker.request(&Request::Prepare { id: id.clone() })? {
                Response::Prepared { .. } => {}
                Response::Failed { reason } => item.failed[slot(worker.side())] = Some(reason),
                other => return Err(unexpected(worker, "prepare", &other)),
            }
        }
        if !item.ready() {
            continue;
        }
        let mut per_iteration = [0.0; 2];
        for worker in workers.iter_mut() {
            let side = slot(worker.side());
            match measure(worker, &id, 2, CALIBRATION_ITERATIONS)? {
                Ok(ns) => per_iteration[side] = sorted_ns(&ns).map_or(f64::NAN, |s| s.median()),
                Err(reason) => item.failed[side] = Some(reason),
            }
        }
        item.iterations = burst_iterations(
            per_iteration,
            burst.as_nanos() as f64,
            MIN_ITERATIONS,
            MAX_ITERATIONS,
        );
    }
    Ok(())
}

/// `rounds` paired rounds over the ready benchmarks, the side that goes first alternating.
fn measure_rounds(
    workers: &mut Workers,
    tracked: &mut [Tracked],
    rounds: usize,
    progress: &ProgressBar,
) -> Result<(), UpgradeError> {
    let ready = tracked.iter().filter(|t| t.ready()).count();
    progress.set_length((rounds * ready) as u64);
    progress.set_position(0);
    progress.set_message(format!(
        "measuring {ready} benchmark(s), {rounds} paired rounds"
    ));
    progress.reset_eta();
    for round in 0..rounds {
        for item in tracked.iter_mut().filter(|t| t.ready()) {
            let id = item.case.id();
            for side in order(round) {
                let worker = &mut workers[slot(side)];
                let warmup = warmup_for(item.iterations);
                match measure(worker, &id, warmup, item.iterations)? {
                    Ok(ns) => item.bursts[slot(side)].push(ns),
                    Err(reason) => {
                        item.failed[slot(side)] = Some(format!("in round {}: {reason}", round + 1));
                        break;
                    }
                }
            }
            progress.inc(1);
        }
    }
    Ok(())
}

/// One run's outputs of every measured benchmark on both sides, for the agreement check.
fn collect_outputs(
    workers: &mut Workers,
    tracked: &mut [Tracked],
    progress: &ProgressBar,
) -> Result<(), UpgradeError> {
    progress.set_message("comparing outputs");
    for item in tracked.iter_mut().filter(|t| t.ready()) {
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

/// The report of a finished check.
fn report(
    config: &UpgradeConfig,
    [from_version, to_version]: [String; 2],
    tracked: &[Tracked],
    wall: Duration,
) -> UpgradeReport {
    let same_setup = config.from == config.to;
    let rows: Vec<Row> = tracked
        .iter()
        .map(|item| row(item, config.threshold, same_setup))
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
            rounds: config.rounds,
            burst_ms: config.burst.as_secs_f64() * 1e3,
            threshold: config.threshold,
            intra_threads: config.intra_threads,
        },
        machine: Machine::detect(),
        wall_s: wall.as_secs_f64(),
        passed: !rows.iter().any(Row::fails_check),
        rows,
    }
}

/// One burst: `Ok(ns)`, or `Err(reason)` when the benchmark failed on that side.
fn measure(
    worker: &mut WorkerProcess,
    id: &str,
    warmup: u32,
    iterations: u32,
) -> Result<Result<Vec<u64>, String>, UpgradeError> {
    let request = Request::Measure {
        id: id.to_string(),
        warmup,
        iterations,
    };
    match worker.request(&request)? {
        Response::Measured { ns } if ns.len() == iterations as usize => Ok(Ok(ns)),
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

fn latency(bursts: &[Vec<u64>]) -> Latency {
    let all = sorted_ns(bursts.iter().flatten());
    let at = |q: f64| all.as_ref().map_or(f64::NAN, |s| s.quantile(q));
    Latency {
        median_ns: at(0.5),
        p25_ns: at(0.25),
        p75_ns: at(0.75),
        burst_medians_ns: bursts
            .iter()
            .map(|b| sorted_ns(b).map_or(f64::NAN, |s| s.median()))
            .collect(),
        burst_totals_ns: bursts.iter().map(|b| b.iter().sum()).collect(),
    }
}

fn row(item: &Tracked, threshold: f64, same_setup: bool) -> Row {
    let id = item.case.bench_id();
    let [from_failed, to_failed] = item.failed.clone();
    if let Some(failure) = Failure::of_sides(from_failed, to_failed) {
        return Row {
            id,
            outcome: Outcome::Failed(failure),
        };
    }
    let (from, to) = (latency(&item.bursts[0]), latency(&item.bursts[1]));
    let Some(paired) = paired_change(&from.burst_medians_ns, &to.burst_medians_ns) else {
        return Row {
            id,
            outcome: Outcome::Failed(Failure::Unpaired {
                reason: "a burst median was zero or not finite: the timer is too coarse for \
                         this benchmark"
                    .into(),
            }),
        };
    };
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
            from,
            to,
            verdict: Verdict::judge(&paired.change, threshold),
            paired,
            agreement,
        })),
    }
}
