//! The whole study for one EP on this machine: `epbench study --ep EP` measures every finding
//! (the same benchmark cases as `cargo bench -- <ep>`), measures or predicts partitions, judges
//! the numbers, and writes `report.md`, `results.json` and plots.
//!
//! One file per job:
//! - this file runs the phases: models, sessions and timed runs, partitions;
//! - [`model`] makes the user's models the study's cases (`study --model`) and concludes on them;
//! - [`results`] holds the types `results.json` is written from;
//! - [`analysis`] compares rows with intervals, fits the fragmentation slope, words conclusions;
//! - [`markdown`] writes `report.md`, [`plots`] the charts, [`summary`] the terminal table;
//! - [`progress`] shows the phases on stderr.

pub mod analysis;
pub mod markdown;
pub mod model;
pub mod plots;
pub mod progress;
pub mod results;
pub mod summary;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::{Instant, SystemTime};

use regex::Regex;

use crate::machine::Machine;
use crate::measure::latency::LatencyStats;
use crate::measure::partitions::{self, PartitionsError};
use crate::runtime::{Availability, CoreMlOptions, EpKind, LogLevel, Runtime};
use crate::suite::{self, BenchCase, Cost, Preparer, Settings, Timing, Workload};
use crate::workload::Feeds;
use crate::zoo::{self, Variant};

use model::ModelSet;

use analysis::BetweenRunNoise;
use progress::Progress;
use results::{
    Correctness, EpState, EpUnderStudy, FailureStage, Measured, OrtRun, PartitionRow, Row,
    RunSettings, Status, StudyResults, Subject,
};

/// Why a study could not run or be written (single benchmarks failing are rows, not errors).
#[derive(Debug, thiserror::Error)]
pub enum StudyError {
    #[error("no benchmark of the {ep} study matches the filter `{filter}`")]
    NothingSelected { ep: EpKind, filter: String },
    #[error(transparent)]
    Io(#[from] crate::Error),
    #[error("cannot write results.json: {0}")]
    Json(#[from] serde_json::Error),
    #[error(transparent)]
    Baseline(#[from] crate::baseline::BaselineError),
    #[error(
        "baseline `{name}` has no benchmark with repeated runs, so there is no between-run noise \
         to learn from it; add runs with `epbench baseline save {name} --append`"
    )]
    NoRepeatedRuns { name: String },
}

/// What to run.
#[derive(Debug, Clone)]
pub struct StudyOptions {
    pub ep: EpKind,
    pub quick: bool,
    pub intra_threads: usize,
    /// Only benchmarks whose id matches.
    pub filter: Option<Regex>,
    /// Where zoo models are built (or found).
    pub models_dir: PathBuf,
    /// Where ORT profiles for measured partitions are written (kept beside the report).
    pub profiles_dir: PathBuf,
    /// Between-run noise from a saved baseline's repeated runs, set beside every comparison's
    /// within-run interval.
    pub noise: Option<BetweenRunNoise>,
    /// The user's models (`study --model`), studied instead of the zoo.
    pub models: Option<ModelSet>,
}

/// Untimed runs before the timed ones (the study used 5).
fn warmup(quick: bool) -> usize {
    if quick { 3 } else { 5 }
}

/// Timed iterations: enough for a p99 on light models, bounded for heavy ones and cold starts.
pub fn iterations(cost: Cost, quick: bool) -> usize {
    match (cost, quick) {
        (Cost::Tiny, false) => 1000,
        (Cost::Light, false) => 200,
        (Cost::Heavy, false) => 50,
        (Cost::ColdStart, false) => 10,
        (Cost::Tiny, true) => 200,
        (Cost::Light, true) => 50,
        (Cost::Heavy, true) => 10,
        (Cost::ColdStart, true) => 3,
    }
}

/// Runs the study on `runtime`. Failures of single benchmarks become rows; only a bad plan
/// (nothing selected) is an error.
pub fn run(runtime: &Runtime, options: &StudyOptions) -> Result<StudyResults, StudyError> {
    let started = Instant::now();
    let settings = Settings {
        quick: options.quick,
        intra_threads: options.intra_threads,
    };
    let planned: Vec<BenchCase<Workload>> = match &options.models {
        None => suite::plan(options.ep, &settings)
            .into_iter()
            .map(|case| case.map_variant(Workload::Zoo))
            .collect(),
        Some(models) => models.plan(&settings),
    };
    let cases: Vec<BenchCase<Workload>> = planned
        .into_iter()
        .filter(|c| options.filter.as_ref().is_none_or(|f| f.is_match(&c.id())))
        .collect();
    if cases.is_empty() {
        return Err(StudyError::NothingSelected {
            ep: options.ep,
            filter: options
                .filter
                .as_ref()
                .map_or_else(String::new, |f| f.as_str().to_string()),
        });
    }
    let study_ep = options.ep.default_ep();
    let availability = runtime.availability(&study_ep);
    let progress = Progress::default();

    build_models(&cases, &options.models_dir, &progress);
    let mut study = Run {
        options,
        availability: availability.clone(),
        preparer: Preparer::new(&options.models_dir),
        feeds: Feeds::default(),
        partitions: Vec::new(),
        seen: BTreeSet::new(),
    };
    let rows = study.time_all(&cases, &progress);
    if options.ep == EpKind::CoreMl && !availability.can_partition() {
        study.predict_all(&cases, &progress);
    }
    let analysis = match &options.models {
        None => analysis::analyse(&rows, options.noise.as_ref()),
        Some(models) => models.analyse(&rows, options.noise.as_ref()),
    };
    let model = options.models.as_ref().map(|models| {
        models.conclude(
            &rows,
            &study.partitions,
            (&analysis, options.noise.as_ref()),
            &options.profiles_dir,
            &progress,
        )
    });
    Ok(StudyResults {
        schema: results::SCHEMA.to_string(),
        epbench_version: env!("CARGO_PKG_VERSION").to_string(),
        finished_at: crate::baseline::metadata::utc(SystemTime::now()),
        wall_time_s: started.elapsed().as_secs_f64(),
        machine: Machine::detect(),
        ort: OrtRun {
            version: runtime.version().to_string(),
            requirement: runtime.requirement().map(ToString::to_string),
            description: runtime.describe(),
        },
        ep: EpUnderStudy {
            kind: options.ep,
            options: study_ep.to_string(),
            state: match availability {
                Availability::Available => EpState::Available,
                Availability::PartitionsOnly { .. } => EpState::PartitionsOnly,
                Availability::Unavailable { .. } => EpState::Unavailable,
            },
            available: availability.can_execute(),
            unavailable_reason: availability.reason().map(str::to_string),
        },
        settings: RunSettings {
            quick: options.quick,
            intra_threads: options.intra_threads,
            filter: options.filter.as_ref().map(|f| f.as_str().to_string()),
            warmup: warmup(options.quick),
            iterations: [Cost::Tiny, Cost::Light, Cost::Heavy, Cost::ColdStart]
                .into_iter()
                .map(|c| (c, iterations(c, options.quick)))
                .collect(),
        },
        rows,
        partitions: study.partitions,
        analysis,
        model,
    })
}

/// Builds every model the cases need up front, so the later phases only time. A model that
/// fails to build fails its benchmarks later, with the builder's reason.
fn build_models(cases: &[BenchCase<Workload>], dir: &Path, progress: &Progress) {
    let variants: BTreeSet<Variant> = cases.iter().filter_map(|c| c.variant.zoo()).collect();
    let phase = progress.phase("models", variants.len());
    for variant in variants {
        phase.working_on(&variant.to_string());
        // The error is reported by the benchmarks that need the model.
        let _ = zoo::build(variant, dir);
        phase.step();
    }
    phase.finish();
}

/// State of the timing and partition phases.
struct Run<'a> {
    options: &'a StudyOptions,
    /// What the study's EP can do in the loaded runtime.
    availability: Availability,
    preparer: Preparer,
    feeds: Feeds,
    partitions: Vec<PartitionRow>,
    /// Variants whose partitions were already measured.
    seen: BTreeSet<Subject>,
}

impl Run<'_> {
    fn time_all(&mut self, cases: &[BenchCase<Workload>], progress: &Progress) -> Vec<Row> {
        let sessions = progress.phase("sessions", cases.len());
        let runs = progress.phase("runs", cases.len());
        let rows = cases
            .iter()
            .map(|case| {
                let status = self.time_one(case, &sessions, &runs);
                Row {
                    id: case.id(),
                    finding: case.finding,
                    label: case.label.clone(),
                    variant: Subject::from(&case.variant),
                    provider: case.session.ep.kind(),
                    timing: case.timing,
                    batch: case.batch,
                    status,
                }
            })
            .collect();
        sessions.finish();
        runs.finish();
        rows
    }

    fn time_one(
        &mut self,
        case: &BenchCase<Workload>,
        sessions: &progress::Phase,
        runs: &progress::Phase,
    ) -> Status {
        sessions.working_on(&case.id());
        let kind = case.session.ep.kind();
        if kind != EpKind::Cpu {
            match self.availability.clone() {
                Availability::Available => {}
                Availability::Unavailable { reason } => {
                    sessions.step();
                    runs.step();
                    return Status::NeedsEp {
                        ep: kind,
                        reason: needs_ep_reason(kind, &reason),
                    };
                }
                Availability::PartitionsOnly { reason } if case.timing == Timing::Run => {
                    let status = self.partition_without_running(case, &reason);
                    sessions.step();
                    runs.step();
                    return status;
                }
                Availability::PartitionsOnly { .. } => {}
            }
        }
        let prepared = self.preparer.prepare(case);
        sessions.step();
        let mut prepared = match prepared {
            Ok(prepared) => prepared,
            Err(e) => {
                runs.step();
                if kind != EpKind::Cpu && case.timing == Timing::Run {
                    self.record_failed_partitions(case, &e.reason);
                }
                return Status::Failed {
                    stage: FailureStage::Prepare(e.stage),
                    reason: e.reason,
                };
            }
        };
        if kind != EpKind::Cpu
            && case.timing == Timing::Run
            && case.session.ep == self.options.ep.default_ep()
        {
            self.measure_partitions(case, &mut prepared);
        }
        runs.working_on(&case.id());
        let quick = self.options.quick;
        let warm = match case.timing {
            Timing::SessionCreate => 1,
            Timing::Run => warmup(quick),
        };
        let timed = prepared.time(warm, iterations(case.cost, quick));
        runs.step();
        let failed = |reason: String| Status::Failed {
            stage: FailureStage::TimedRun,
            reason,
        };
        let samples = match timed {
            Ok(samples) => samples,
            Err(e) => return failed(e.to_string()),
        };
        match LatencyStats::from_durations(&samples) {
            Ok(latency) => Status::Measured(Measured {
                throughput_per_s: match case.timing {
                    Timing::Run => latency.throughput_per_s(case.batch as usize),
                    Timing::SessionCreate => None,
                },
                latency_ms: latency,
                correctness: correctness(prepared.check.as_ref()),
                samples_ms: samples.iter().map(|d| d.as_secs_f64() * 1e3).collect(),
                note: self.session_create_note(case),
            }),
            Err(e) => failed(e.to_string()),
        }
    }

    /// A run on an EP that partitions but cannot execute here: its session is created (so ORT
    /// has accepted the options and partitioned the model, and the partitions of the study's
    /// default options are recorded), and the row says that timing it needs the EP's machine.
    fn partition_without_running(
        &mut self,
        case: &BenchCase<Workload>,
        ort_reason: &str,
    ) -> Status {
        let kind = case.session.ep.kind();
        // VERBOSE, so that the EP's per-node lines name the ops it leaves to the CPU.
        let built = match self.preparer.session_only(case, LogLevel::Verbose) {
            Ok(built) => built,
            Err(e) => {
                self.record_failed_partitions(case, &e.reason);
                return Status::Failed {
                    stage: FailureStage::Prepare(e.stage),
                    reason: e.reason,
                };
            }
        };
        if case.session.ep == self.options.ep.default_ep() {
            if self.seen.insert(Subject::from(&case.variant)) {
                self.partitions.push(PartitionRow {
                    variant: Subject::from(&case.variant),
                    findings: vec![case.finding],
                    outcome: partitions::from_coreml_log(&built).into(),
                });
            } else {
                self.add_finding(case);
            }
        }
        Status::NeedsEp {
            ep: kind,
            reason: needs_ep_reason(
                kind,
                &format!(
                    "this {} EP build cannot execute models; a session with `{}` was created, so \
                     ORT accepted the options and partitioned the model. ORT: {ort_reason}",
                    kind.label(),
                    case.session.ep
                ),
            ),
        }
    }

    /// What a session-creation time covers on an EP that cannot execute here.
    fn session_create_note(&self, case: &BenchCase<Workload>) -> Option<String> {
        let partitions_only = matches!(self.availability, Availability::PartitionsOnly { .. });
        (partitions_only
            && case.timing == Timing::SessionCreate
            && case.session.ep.kind() != EpKind::Cpu)
            .then(|| {
                format!(
                    "ORT's partitioning and the {} EP building its models; without the compile \
                     that only the EP's own machine does",
                    case.session.ep.kind().label()
                )
            })
    }

    /// Measured partitions of the case's variant on the EP, once per variant.
    fn measure_partitions(&mut self, case: &BenchCase<Workload>, prepared: &mut suite::Prepared) {
        if !self.seen.insert(Subject::from(&case.variant)) {
            self.add_finding(case);
            return;
        }
        let outcome = match (case.session.ep.kind(), prepared.session()) {
            (EpKind::CoreMl, Some(built)) => partitions::from_coreml_log(built),
            (EpKind::CoreMl, None) => Err(PartitionsError::Session(
                crate::runtime::RuntimeError::Ort("no session was prepared".into()).into(),
            )),
            _ => {
                let feeds = &mut self.feeds;
                let variant = &case.variant;
                partitions::from_profile(
                    &case.session,
                    prepared.model_path(),
                    &self.options.profiles_dir.join(variant.name()),
                    |session| Ok(variant.inputs(session, feeds)?),
                )
            }
        };
        self.partitions.push(PartitionRow {
            variant: Subject::from(&case.variant),
            findings: vec![case.finding],
            outcome: outcome.into(),
        });
    }

    /// A variant measured for an earlier finding is used by this one too.
    fn add_finding(&mut self, case: &BenchCase<Workload>) {
        let subject = Subject::from(&case.variant);
        if let Some(row) = self.partitions.iter_mut().find(|p| p.variant == subject)
            && !row.findings.contains(&case.finding)
        {
            row.findings.push(case.finding);
        }
    }

    fn record_failed_partitions(&mut self, case: &BenchCase<Workload>, reason: &str) {
        if case.session.ep != self.options.ep.default_ep() {
            return;
        }
        if !self.seen.insert(Subject::from(&case.variant)) {
            self.add_finding(case);
            return;
        }
        self.partitions.push(PartitionRow {
            variant: Subject::from(&case.variant),
            findings: vec![case.finding],
            outcome: results::PartitionOutcome::Failed {
                reason: format!("no session on the EP: {reason}"),
            },
        });
    }

    /// Predicted CoreML partitions of every variant the study runs on CoreML.
    fn predict_all(&mut self, cases: &[BenchCase<Workload>], progress: &Progress) {
        let mut variants: Vec<&Workload> = Vec::new();
        for case in cases {
            if case.session.ep.kind() == EpKind::CoreMl
                && case.timing == Timing::Run
                && !variants.contains(&&case.variant)
            {
                variants.push(&case.variant);
            }
        }
        let phase = progress.phase("partitions", variants.len());
        for variant in variants {
            phase.working_on(&variant.name());
            let outcome = match variant.model_path(&self.options.models_dir) {
                Ok(path) => partitions::coreml(&path, &CoreMlOptions::default()).into(),
                Err(e) => results::PartitionOutcome::Failed {
                    reason: e.to_string(),
                },
            };
            let findings = cases
                .iter()
                .filter(|c| c.variant == *variant && c.session.ep.kind() == EpKind::CoreMl)
                .map(|c| c.finding)
                .fold(Vec::new(), |mut all, f| {
                    if !all.contains(&f) {
                        all.push(f);
                    }
                    all
                });
            self.partitions.push(PartitionRow {
                variant: Subject::from(variant),
                findings,
                outcome,
            });
            phase.step();
        }
        phase.finish();
    }
}

/// How a row's outputs compared with the CPU reference before it was timed.
fn correctness(check: Option<&crate::correctness::Comparison>) -> Correctness {
    match check {
        None => Correctness::Reference,
        Some(check) => Correctness::Agree {
            max_abs_error: check
                .outputs
                .iter()
                .filter_map(|o| o.stats.as_ref().map(|s| s.max_abs))
                .fold(0.0, f64::max),
            min_cosine: check
                .outputs
                .iter()
                .filter_map(|o| o.stats.as_ref().map(|s| s.cosine))
                .fold(1.0, f64::min),
            tolerance: check.tolerance.class,
        },
    }
}

/// Why an EP row has no time: for CoreML off a Mac, say so first.
fn needs_ep_reason(kind: EpKind, ort_reason: &str) -> String {
    match kind {
        EpKind::CoreMl => format!("needs a Mac: {ort_reason}"),
        _ => format!("needs the {kind} EP: {ort_reason}; {}", kind.how_to_get()),
    }
}

/// Writes `report.md`, `results.json` and the plots (PNG and SVG) into `dir`, returning the
/// files written.
pub fn write(results: &StudyResults, dir: &Path) -> Result<Vec<PathBuf>, StudyError> {
    let io = |path: &Path, e: std::io::Error| crate::Error::io("cannot write", path, e);
    std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
    let mut written = Vec::new();
    let charts = plots::write_all(results, dir);
    let json_path = dir.join("results.json");
    std::fs::write(&json_path, serde_json::to_string_pretty(results)?)
        .map_err(|e| io(&json_path, e))?;
    written.push(json_path);
    let report_path = dir.join("report.md");
    std::fs::write(&report_path, markdown::render(results, &charts))
        .map_err(|e| io(&report_path, e))?;
    written.push(report_path);
    written.extend(charts.iter().flat_map(|c| c.files()));
    Ok(written)
}
