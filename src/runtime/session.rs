//! Building a session on an execution provider, with the settings a benchmark must fix.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use ort::session::Session;
use ort::session::builder::GraphOptimizationLevel;

use super::logs::{LogLevel, LogLine, LogSink};
use super::{Ep, RuntimeError};

/// ORT's graph optimisation levels.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum OptLevel {
    Disable,
    /// Level 1: constant folding and eliminations; runs before partitioning, so every EP sees it.
    Basic,
    /// Level 2: fusions, applied after partitioning to CPU (and a few other) EPs' nodes only.
    Extended,
    /// Every level, ORT's default.
    #[default]
    All,
}

impl FromStr for OptLevel {
    type Err = RuntimeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "disable" | "0" | "none" => Ok(OptLevel::Disable),
            "basic" | "1" => Ok(OptLevel::Basic),
            "extended" | "2" => Ok(OptLevel::Extended),
            "all" | "99" => Ok(OptLevel::All),
            _ => Err(RuntimeError::Ort(format!(
                "`{s}` is not an optimisation level (disable, basic, extended, all)"
            ))),
        }
    }
}

impl From<OptLevel> for GraphOptimizationLevel {
    fn from(level: OptLevel) -> Self {
        match level {
            OptLevel::Disable => GraphOptimizationLevel::Disable,
            OptLevel::Basic => GraphOptimizationLevel::Level1,
            OptLevel::Extended => GraphOptimizationLevel::Level2,
            OptLevel::All => GraphOptimizationLevel::All,
        }
    }
}

/// Everything that decides how a session runs. Benchmarks fix every field explicitly so that
/// their results say what they measured.
///
/// ```no_run
/// use epbench::runtime::{Ep, OptLevel, SessionConfig};
/// let built = SessionConfig::new(Ep::Cpu)
///     .intra_threads(1)
///     .optimization(OptLevel::Basic)
///     .build(std::path::Path::new("model.onnx"))?;
/// println!("created in {:?}, {} log lines", built.create_time, built.logs.len());
/// # Ok::<(), epbench::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SessionConfig {
    pub ep: Ep,
    /// Intra-op threads; `None` is ORT's default (one per physical core).
    pub intra_threads: Option<usize>,
    /// Whether idle intra-op threads spin before they sleep (session option
    /// `session.intra_op.allow_spinning`); `None` is ORT's default, which spins.
    pub intra_spinning: Option<bool>,
    pub optimization: OptLevel,
    /// Write ORT's JSON profile with this path prefix.
    pub profiling: Option<PathBuf>,
    /// Save the graph as optimised for this session.
    pub optimized_model_path: Option<PathBuf>,
    /// ORT graph transformers to switch off by name (e.g. `MatMulAddFusion`), to reproduce the
    /// graphs of releases that did not have them.
    pub disabled_optimizers: Vec<String>,
    /// Lowest severity recorded in [`BuiltSession::logs`].
    pub log_level: LogLevel,
}

/// A session and what ORT said while creating it.
pub struct BuiltSession {
    pub session: Session,
    pub config: SessionConfig,
    /// Wall time of session creation, including the EP's partitioning and compilation.
    pub create_time: Duration,
    /// ORT's log lines from creation, at or above [`SessionConfig::log_level`].
    pub logs: Vec<LogLine>,
    sink: LogSink,
    /// The temporary CoreML model cache of this session (see
    /// [`SessionConfig::build`]); declared after `session` so it is removed after the session
    /// is released.
    model_cache: Option<tempfile::TempDir>,
}

impl BuiltSession {
    /// Where the EP wrote the models it built: the user's `cache_dir`, or the session's own
    /// temporary directory (removed with the session). `None` for EPs without one.
    pub fn model_cache_dir(&self) -> Option<&Path> {
        match (&self.config.ep, &self.model_cache) {
            (_, Some(dir)) => Some(dir.path()),
            (Ep::CoreMl(options), None) => options.cache_dir.as_deref(),
            _ => None,
        }
    }

    /// Log lines emitted since creation (e.g. during runs), taken from the session's buffer.
    pub fn take_new_logs(&self) -> Vec<LogLine> {
        self.sink.take()
    }
}

static SESSION_COUNTER: AtomicU64 = AtomicU64::new(0);

impl SessionConfig {
    /// ORT's defaults on `ep`, recording INFO and above: enough for the CoreML partition summary.
    pub fn new(ep: Ep) -> Self {
        Self {
            ep,
            intra_threads: None,
            intra_spinning: None,
            optimization: OptLevel::All,
            profiling: None,
            optimized_model_path: None,
            disabled_optimizers: Vec::new(),
            log_level: LogLevel::Info,
        }
    }

    pub fn intra_threads(mut self, threads: usize) -> Self {
        self.intra_threads = Some(threads);
        self
    }

    pub fn intra_spinning(mut self, spinning: bool) -> Self {
        self.intra_spinning = Some(spinning);
        self
    }

    pub fn optimization(mut self, level: OptLevel) -> Self {
        self.optimization = level;
        self
    }

    pub fn profiling(mut self, prefix: impl Into<PathBuf>) -> Self {
        self.profiling = Some(prefix.into());
        self
    }

    pub fn optimized_model_path(mut self, path: impl Into<PathBuf>) -> Self {
        self.optimized_model_path = Some(path.into());
        self
    }

    pub fn disabled_optimizers(mut self, names: &[&str]) -> Self {
        self.disabled_optimizers = names.iter().map(|n| n.to_string()).collect();
        self
    }

    pub fn log_level(mut self, level: LogLevel) -> Self {
        self.log_level = level;
        self
    }

    /// Creates the session on the loaded runtime (loading it first if needed).
    ///
    /// Fails with [`RuntimeError::Unavailable`] when ORT lacks the EP,
    /// [`RuntimeError::OptionsRejected`] when ORT refuses its options, and with
    /// [`RuntimeError::Session`] (ORT's message) when the model cannot be loaded.
    ///
    /// A CoreML EP without `cache_dir` is registered with a temporary `ModelCacheDirectory` of
    /// the session's own, removed when the session is dropped, so that no CoreML model files are
    /// left behind (see [`BuiltSession::model_cache_dir`]).
    pub fn build(&self, model: &Path) -> crate::Result<BuiltSession> {
        self.build_keeping_logs(model).map_err(|(e, _)| e)
    }

    /// [`Self::build`], but a failure keeps the lines ORT logged before it: an EP's partitioning
    /// is logged even when a later step of session creation fails.
    pub fn build_keeping_logs(
        &self,
        model: &Path,
    ) -> Result<BuiltSession, (crate::Error, Vec<LogLine>)> {
        let sink = LogSink::default();
        self.build_into(model, None, sink.clone())
            .map_err(|e| (e, sink.take()))
    }

    /// [`Self::build`] on model bytes held in memory; `model` names the file they came from (for
    /// messages, and it must exist). External data is not resolved for such a model.
    pub fn build_from_memory(&self, model: &Path, bytes: &[u8]) -> crate::Result<BuiltSession> {
        self.build_into(model, Some(bytes), LogSink::default())
    }

    fn build_into(
        &self,
        model: &Path,
        bytes: Option<&[u8]>,
        sink: LogSink,
    ) -> crate::Result<BuiltSession> {
        if !model.is_file() {
            return Err(RuntimeError::ModelNotFound {
                path: model.to_path_buf(),
            }
            .into());
        }
        let runtime = super::global()?;
        let session_error = |reason: String| RuntimeError::Session {
            ep: self.ep.to_string(),
            path: model.to_path_buf(),
            reason,
        };
        let ort_error =
            |e: ort::Error<ort::session::builder::SessionBuilder>| session_error(e.to_string());

        let mut builder =
            Session::builder(runtime.environment()).map_err(|e| session_error(e.to_string()))?;
        let (registered_ep, model_cache) = self.ep_with_private_cache()?;
        if let Some(dispatch) = registered_ep.to_ort() {
            runtime.register(&self.ep, &dispatch, &mut builder)?;
        } else {
            builder = on_ort_cpu_ep(builder, runtime).map_err(session_error)?;
        }
        let id = format!(
            "epbench-{}",
            SESSION_COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        builder = builder
            .with_logger(sink.logger())
            .map_err(ort_error)?
            .with_log_id(&id)
            .map_err(ort_error)?
            .with_log_level(self.log_level.into())
            .map_err(ort_error)?
            .with_optimization_level(self.optimization.into())
            .map_err(ort_error)?;
        if let Some(threads) = self.intra_threads {
            builder = builder.with_intra_threads(threads).map_err(ort_error)?;
        }
        if let Some(spinning) = self.intra_spinning {
            builder = builder
                .with_intra_op_spinning(spinning)
                .map_err(ort_error)?;
        }
        if let Some(prefix) = &self.profiling {
            builder = builder.with_profiling(prefix).map_err(ort_error)?;
        }
        if let Some(path) = &self.optimized_model_path {
            builder = builder.with_optimized_model_path(path).map_err(ort_error)?;
        }
        if !self.disabled_optimizers.is_empty() {
            // ORT splits this list on ';' (session option `optimization.disable_specified_optimizers`);
            // a comma-separated list would be read as one unknown name and disable nothing.
            builder = builder
                .with_disabled_optimizers(self.disabled_optimizers.join(";"))
                .map_err(ort_error)?;
        }

        let started = Instant::now();
        let session = match bytes {
            Some(bytes) => builder.commit_from_memory(bytes),
            None => builder.commit_from_file(model),
        }
        .map_err(|e| session_error(e.to_string()))?;
        let create_time = started.elapsed();
        Ok(BuiltSession {
            session,
            config: self.clone(),
            create_time,
            logs: sink.take(),
            sink,
            model_cache,
        })
    }

    /// The EP as registered: a CoreML EP without `cache_dir` gets a fresh temporary
    /// `ModelCacheDirectory` of its own, removed with the session. Without one, ORT's CoreML EP
    /// writes its models to a temporary path, which on a non-Apple host is
    /// `coreml_ep_test_run.N` in the process's current directory (`model/host_utils_stub.cc`):
    /// epbench must not leave those wherever the user stands. An empty directory per session
    /// keeps every session creation cold, as ORT's own temporary path does on a Mac.
    fn ep_with_private_cache(&self) -> Result<(Ep, Option<tempfile::TempDir>), RuntimeError> {
        match &self.ep {
            Ep::CoreMl(options) if options.cache_dir.is_none() => {
                let dir = tempfile::Builder::new()
                    .prefix("epbench-coreml-")
                    .tempdir()
                    .map_err(|e| {
                        RuntimeError::Ort(format!(
                            "cannot create a temporary CoreML model cache: {e}"
                        ))
                    })?;
                let mut options = options.clone();
                options.cache_dir = Some(dir.path().to_path_buf());
                Ok((Ep::CoreMl(options), Some(dir)))
            }
            ep => Ok((ep.clone(), None)),
        }
    }
}

/// Names ORT's own CPU EP as the session's device. The `ort` crate turns on ORT's automatic EP
/// selection for every session that names no EP (`SessionBuilder::new` sets the MAX_EFFICIENCY
/// policy), and that selection prefers any plugin EP registered in the process over ORT's CPU
/// EP (`OrderDevices` in `core/session/provider_policy_context.cc`: "default CPU EP last") —
/// epbench's stand-in CoreML EP ([`crate::partitions::stand_in`]) included. A session that
/// names its devices skips the selection. A runtime that lists no EP devices (before ORT 1.22)
/// has no automatic selection either and is left as it is.
fn on_ort_cpu_ep(
    builder: ort::session::builder::SessionBuilder,
    runtime: &super::Runtime,
) -> Result<ort::session::builder::SessionBuilder, String> {
    match runtime.ep_device("CPUExecutionProvider") {
        Some(device) => builder
            .with_devices([device], None)
            .map_err(|e| e.to_string()),
        None => Ok(builder),
    }
}
