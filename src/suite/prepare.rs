//! Everything a benchmark needs before its timed loop: the model file, the session, the inputs,
//! and a check that the session runs. None of it is timed.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use ort::session::{SessionInputValue, SessionOutputs};

use crate::correctness::{self, Comparison, Pairing, Side, Target};
use crate::onnx::FloatType;
use crate::runtime::{BuiltSession, Ep, SessionConfig};
use crate::workload::{Feeds, ModelFile, ResolvedModel};
use crate::zoo::Activation;

use super::Workload;
use super::plan::{BenchCase, Timing};

/// A benchmark ready to be timed.
pub struct Prepared {
    pub case: BenchCase<Workload>,
    pub model: PathBuf,
    /// The session for [`Timing::Run`]; session-creation benchmarks build their own.
    session: Option<BuiltSession>,
    /// Inputs in the session's input order, so a run passes a slice and allocates nothing.
    inputs: Vec<SessionInputValue<'static>>,
    /// The comparison with the CPU reference, for cases whose outputs can differ from it (another
    /// EP, an fp16 graph); `None` when the case is that reference.
    pub check: Option<Comparison>,
}

/// Why a benchmark could not be prepared: recorded as that benchmark's result.
#[derive(Debug, thiserror::Error)]
#[error("{id}: {reason}")]
pub struct PrepareError {
    pub id: String,
    /// The step that failed, so a report can say "the session could not be created" apart from
    /// "the outputs are wrong".
    pub stage: PrepareStage,
    pub reason: String,
}

impl PrepareError {
    /// `case` failed at `stage` because of `error`.
    fn at<W>(case: &BenchCase<W>, stage: PrepareStage, error: impl std::fmt::Display) -> Self {
        PrepareError {
            id: case.id(),
            stage,
            reason: error.to_string(),
        }
    }
}

/// The steps of preparing a benchmark, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PrepareStage {
    /// Building the model file.
    Model,
    /// Creating the session (ORT's optimisation, the EP's partitioning and compile).
    Session,
    /// Making the inputs.
    Inputs,
    /// Comparing outputs with the CPU reference: either the check could not run or the outputs
    /// differ.
    Correctness,
    /// The first, untimed run.
    Run,
}

impl PrepareStage {
    /// Every stage, in order.
    pub const ALL: [PrepareStage; 5] = [
        PrepareStage::Model,
        PrepareStage::Session,
        PrepareStage::Inputs,
        PrepareStage::Correctness,
        PrepareStage::Run,
    ];

    /// The stage's name in reports and JSON.
    pub fn name(self) -> &'static str {
        match self {
            PrepareStage::Model => "model",
            PrepareStage::Session => "session",
            PrepareStage::Inputs => "inputs",
            PrepareStage::Correctness => "correctness",
            PrepareStage::Run => "run",
        }
    }
}

impl std::fmt::Display for PrepareStage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Builds models and inputs for benchmarks, sharing tokenizers between them.
pub struct Preparer {
    models_dir: PathBuf,
    feeds: Feeds,
}

impl Preparer {
    /// Models are built into (or found in) `models_dir`.
    pub fn new(models_dir: impl Into<PathBuf>) -> Self {
        Self {
            models_dir: models_dir.into(),
            feeds: Feeds::default(),
        }
    }

    /// Builds the model of `case` and creates its session, logging at `log_level`, and nothing
    /// more: for an EP that partitions but cannot execute here, this is all there is to do (ORT
    /// accepts the options, partitions the model and the EP builds its own).
    pub fn session_only<W: Clone + Into<Workload>>(
        &mut self,
        case: &BenchCase<W>,
        log_level: crate::runtime::LogLevel,
    ) -> Result<BuiltSession, PrepareError> {
        let case = &case.clone().map_variant(Into::into);
        let model = self.model(case)?;
        case.session
            .clone()
            .log_level(log_level)
            .build(&model)
            .map_err(|e| PrepareError::at(case, PrepareStage::Session, e))
    }

    /// The model file of `case`: a zoo variant built into the models folder on first use, or
    /// the file itself.
    fn model(&self, case: &BenchCase<Workload>) -> Result<PathBuf, PrepareError> {
        case.variant
            .model_path(&self.models_dir)
            .map_err(|e| PrepareError::at(case, PrepareStage::Model, e))
    }

    /// Builds the model, the session and the inputs of `case` (a zoo benchmark, or a study's
    /// case whose model is a zoo variant or a file), and runs it once.
    pub fn prepare<W: Clone + Into<Workload>>(
        &mut self,
        case: &BenchCase<W>,
    ) -> Result<Prepared, PrepareError> {
        let case = &case.clone().map_variant(Into::into);
        let model = self.model(case)?;
        let mut prepared = Prepared {
            case: case.clone(),
            model,
            session: None,
            inputs: Vec::new(),
            check: None,
        };
        if case.timing == Timing::Run {
            let mut built = case
                .session
                .build(&prepared.model)
                .map_err(|e| PrepareError::at(case, PrepareStage::Session, e))?;
            prepared.inputs = case
                .variant
                .inputs(&built.session, &mut self.feeds)
                .map_err(|e| PrepareError::at(case, PrepareStage::Inputs, e))?;
            if needs_reference_check(case) {
                let comparison = check_outputs(case, &prepared.model, &mut built, &prepared.inputs)
                    .map_err(|e| PrepareError::at(case, PrepareStage::Correctness, e))?;
                prepared.check = Some(comparison);
            }
            prepared.session = Some(built);
        } else {
            // A session-creation benchmark must still be able to create its session.
            case.session
                .build(&prepared.model)
                .map_err(|e| PrepareError::at(case, PrepareStage::Session, e))?;
        }
        prepared
            .run_once()
            .map(drop)
            .map_err(|e| PrepareError::at(case, PrepareStage::Run, e))?;
        Ok(prepared)
    }
}

/// Outputs are checked wherever they can differ from the plain CPU EP on the reference graph:
/// another EP, an fp16 graph, or a rewrite of the user's model.
fn needs_reference_check(case: &BenchCase<Workload>) -> bool {
    let other_graph = match &case.variant {
        Workload::Zoo(variant) => variant.dtype() == Some(FloatType::F16),
        Workload::File(file) => !file.is_reference() || file.dtype == FloatType::F16,
    };
    case.session.ep != Ep::Cpu || other_graph
}

/// A time for wrong outputs is not a result: compare with the CPU reference first. A passing
/// comparison is returned so that reports can show how close the outputs were.
fn check_outputs(
    case: &BenchCase<Workload>,
    model: &Path,
    built: &mut BuiltSession,
    inputs: &[SessionInputValue<'static>],
) -> Result<Comparison, String> {
    let checked = match &case.variant {
        Workload::Zoo(variant) => {
            let resolved = ResolvedModel {
                path: model.to_path_buf(),
                variant: Some(*variant),
            };
            correctness::check_against_cpu(&resolved, &mut built.session, inputs, &case.session.ep)
        }
        Workload::File(file) => check_file(file, &case.session.ep, &mut built.session, inputs),
    };
    let comparison =
        checked.map_err(|e| format!("outputs could not be checked against the CPU: {e}"))?;
    if comparison.pass {
        return Ok(comparison);
    }
    let failed: Vec<String> = comparison
        .outputs
        .iter()
        .filter(|o| !o.pass)
        .map(|o| match (&o.stats, &o.failure) {
            (Some(stats), _) => format!(
                "{} (max abs error {:.3e}, cosine {:.6})",
                o.name, stats.max_abs, stats.cosine
            ),
            (None, failure) => format!("{} ({failure:?})", o.name),
        })
        .collect();
    Err(format!(
        "outputs do not match the CPU reference within {:?} tolerance: {}; not timed",
        comparison.tolerance.class,
        failed.join(", ")
    ))
}

/// A model file's outputs on `ep` against its reference (the user's model) on the CPU EP.
fn check_file(
    file: &ModelFile,
    ep: &Ep,
    session: &mut ort::session::Session,
    inputs: &[SessionInputValue<'static>],
) -> Result<Comparison, correctness::CorrectnessError> {
    let reference = Target {
        model: ResolvedModel {
            path: file.reference.path.clone(),
            variant: None,
        },
        label: file.reference.name.clone(),
        config: SessionConfig::new(Ep::Cpu),
    };
    // Naming the activations widens the tolerance by the tanh formula's error.
    let (candidate_activation, reference_activation) = if file.approximates_gelu {
        (Some(Activation::FastGelu), Some(Activation::Gelu))
    } else {
        (None, None)
    };
    let pairing = Pairing {
        candidate: Side {
            ep: ep.clone(),
            dtype: file.dtype,
            activation: candidate_activation,
        },
        reference: Side {
            ep: Ep::Cpu,
            dtype: file.reference.dtype,
            activation: reference_activation,
        },
        same_graph: false,
    };
    correctness::check_against((session, &file.name), inputs, &reference, &pairing)
}

/// Why a run of a prepared benchmark failed.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// ORT's `Session::run` failed.
    #[error("run failed: {0}")]
    Run(#[source] ort::Error),
    /// Creating the session failed (session-creation benchmarks).
    #[error(transparent)]
    SessionCreate(crate::Error),
    /// A run benchmark whose session was not prepared.
    #[error("no session was prepared")]
    NoSession,
    /// A session-creation benchmark has no outputs to return.
    #[error("a session-creation benchmark has no outputs")]
    NoOutputs,
    /// An output could not be copied out of ORT's memory.
    #[error("cannot read the outputs: {0}")]
    Outputs(String),
}

/// What one unit of work leaves behind: a run's outputs, or the session it created. Freeing it
/// is not part of the work, so timing loops drop it after they stop the clock.
#[must_use = "drop it after the clock stops"]
pub struct RunOutput<'s> {
    _left: Left<'s>,
}

/// Held only to be dropped.
enum Left<'s> {
    Outputs { _outputs: SessionOutputs<'s> },
    Session { _session: BuiltSession },
}

impl Prepared {
    /// One unit of work: a run, or creating a session. Drop the result outside any timed region.
    pub fn run_once(&mut self) -> Result<RunOutput<'_>, RunError> {
        match (&mut self.session, self.case.timing) {
            (Some(built), Timing::Run) => built
                .session
                .run(&self.inputs[..])
                .map(|outputs| RunOutput {
                    _left: Left::Outputs { _outputs: outputs },
                })
                .map_err(RunError::Run),
            (_, Timing::SessionCreate) => self
                .case
                .session
                .build(&self.model)
                .map(|built| RunOutput {
                    _left: Left::Session { _session: built },
                })
                .map_err(RunError::SessionCreate),
            (None, Timing::Run) => Err(RunError::NoSession),
        }
    }

    /// `warmup` untimed units of work, then `iterations` timed one by one: the time of each,
    /// in order. What a unit leaves behind is dropped after its clock stops. Stops at the first
    /// failure.
    pub fn time(&mut self, warmup: usize, iterations: usize) -> Result<Vec<Duration>, RunError> {
        self.time_with(warmup, iterations, |_| {})
    }

    /// [`time`](Self::time), calling `inside` after each timed unit with its time so far, before
    /// the clock stops: work that is to count as part of the unit (the upgrade check's injected
    /// slowdown).
    pub fn time_with(
        &mut self,
        warmup: usize,
        iterations: usize,
        mut inside: impl FnMut(Duration),
    ) -> Result<Vec<Duration>, RunError> {
        for _ in 0..warmup {
            drop(self.run_once()?);
        }
        let mut times = Vec::with_capacity(iterations);
        for _ in 0..iterations {
            let started = Instant::now();
            let left = self.run_once()?;
            inside(started.elapsed());
            times.push(started.elapsed());
            drop(left);
        }
        Ok(times)
    }

    /// The outputs of one run, copied out: what a run elsewhere (another ONNX Runtime version, in
    /// another process) is compared with.
    pub fn outputs(&mut self) -> Result<Vec<correctness::OutputTensor>, RunError> {
        let Some(built) = &mut self.session else {
            return Err(RunError::NoOutputs);
        };
        let outputs = built.session.run(&self.inputs[..]).map_err(RunError::Run)?;
        correctness::copy_outputs(&outputs).map_err(RunError::Outputs)
    }

    /// The session, for callers that need more than timing (outputs, profiles).
    pub fn session(&mut self) -> Option<&mut BuiltSession> {
        self.session.as_mut()
    }

    /// The model file.
    pub fn model_path(&self) -> &Path {
        &self.model
    }
}
