//! The loaded ONNX Runtime, its execution providers, and sessions built on them.
//!
//! One process loads one ONNX Runtime library (a limitation of ORT's C API and of `ort`'s
//! `load-dynamic`): [`load`] does it once, and every later call returns the same [`Runtime`].

mod availability;
mod ep;
mod logs;
mod session;

use std::collections::HashMap;
use std::ffi::{CStr, c_char, c_int};
use std::path::Path;
use std::sync::{Mutex, OnceLock};

pub use availability::Availability;
pub use ep::{
    ComputeUnits, CoreMlOptions, Ep, EpKind, ModelFormat, OpenVinoOptions, SpecializationStrategy,
};
pub use logs::{LogLevel, LogLine};
pub use session::{BuiltSession, OptLevel, SessionConfig};

use crate::provisioning::{self, Cache, LibraryOrigin, OrtLibrary, OrtRequirement};

/// The ONNX Runtime this process has loaded.
pub struct Runtime {
    library: OrtLibrary,
    version: String,
    environment: ort::environment::Environment,
    /// What ORT logs through the environment rather than a session: chiefly why an EP's
    /// registration failed, which ORT's exception leaves out (OpenVINO's "Device NPU is not
    /// available" comes with "Failed to load provider"). Kept for the error, not printed raw.
    env_log: logs::LogSink,
    /// What each EP (with its options) was found able to do; probing costs a session.
    availability: Mutex<HashMap<Ep, Result<Availability, RuntimeError>>>,
}

static RUNTIME: OnceLock<Runtime> = OnceLock::new();
static LOADING: Mutex<()> = Mutex::new(());

/// Loads the runtime named by `EPBENCH_ORT` (or the default), provisioning it on first use.
pub fn global() -> crate::Result<&'static Runtime> {
    if let Some(runtime) = RUNTIME.get() {
        return Ok(runtime);
    }
    load(&OrtRequirement::from_env()?)
}

/// Loads `requirement` (or `ORT_DYLIB_PATH`) into this process, provisioning it on first use.
///
/// Asking for a different requirement after one is loaded is an error, because a process cannot
/// unload ONNX Runtime; run another process instead.
pub fn load(requirement: &OrtRequirement) -> crate::Result<&'static Runtime> {
    let _guard = LOADING
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(runtime) = RUNTIME.get() {
        return match runtime.requirement() {
            Some(loaded) if loaded != requirement => Err(RuntimeError::AlreadyLoaded {
                loaded: loaded.to_string(),
                wanted: requirement.to_string(),
            }
            .into()),
            _ => Ok(runtime),
        };
    }
    let library = provisioning::locate_ort(requirement, &Cache::from_env()?)?;
    let runtime = Runtime::open(library)?;
    Ok(RUNTIME.get_or_init(|| runtime))
}

impl Runtime {
    fn open(library: OrtLibrary) -> Result<Self, RuntimeError> {
        let load_error = |reason: String| RuntimeError::Load {
            path: library.path.clone(),
            reason,
        };
        let version = read_version(&library.path).map_err(load_error)?;
        let env_log = logs::LogSink::default();
        let environment = ort::init_from(&library.path)
            .map_err(|e| load_error(e.to_string()))?
            .with_name("epbench")
            .with_telemetry(false)
            .with_logger(env_log.logger())
            .build()
            .map_err(|e| load_error(e.to_string()))?;
        Ok(Runtime {
            library,
            version,
            environment,
            env_log,
            availability: Mutex::new(HashMap::new()),
        })
    }

    /// The version ONNX Runtime reports, e.g. `1.31.1`.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The shared library that was loaded.
    pub fn library_path(&self) -> &Path {
        &self.library.path
    }

    /// Where the library came from.
    pub fn origin(&self) -> &LibraryOrigin {
        &self.library.origin
    }

    /// The requirement the library was provisioned from: a pip requirement or a `file:` library
    /// (`None` under `ORT_DYLIB_PATH`).
    pub fn requirement(&self) -> Option<&OrtRequirement> {
        self.library.origin.requirement()
    }

    /// The `ort` environment sessions are created in.
    pub fn environment(&self) -> &ort::environment::Environment {
        &self.environment
    }

    /// The environment's device of the EP named `ep` (ORT's name, e.g. `CPUExecutionProvider`),
    /// for a session that names its devices; `None` when the runtime lists none for it.
    pub(crate) fn ep_device(&self, ep: &str) -> Option<ort::device::Device<'_>> {
        self.environment
            .devices()
            .find(|d| d.ep().is_ok_and(|name| name == ep))
    }

    /// Registers `dispatch`, the registration of `ep`, on `builder`. A refusal becomes
    /// [`registration_error`], with what ORT logged through the environment while registering
    /// (what was logged before is forgotten first).
    pub(crate) fn register(
        &self,
        ep: &Ep,
        dispatch: &ort::ep::ExecutionProviderDispatch,
        builder: &mut ort::session::builder::SessionBuilder,
    ) -> Result<(), RuntimeError> {
        drop(self.env_log.take());
        dispatch
            .register(builder)
            .map_err(|e| registration_error(ep, self, &e.to_string()))
    }

    /// The errors ORT logged through the environment since [`Runtime::register`] began, each
    /// without its source location (`… [ERROR] [OpenVINO] Device NPU is not available` gives
    /// `[OpenVINO] Device NPU is not available`).
    fn env_errors(&self) -> Vec<String> {
        self.env_log
            .take()
            .into_iter()
            .filter(|line| line.level >= LogLevel::Error)
            .map(|line| {
                let message = line.message.trim();
                let message = message
                    .rsplit_once("[ERROR] ")
                    .map_or(message, |(_, rest)| rest);
                clean_reason(message)
            })
            .collect()
    }

    /// The execution providers this build of ONNX Runtime was compiled with, as ORT names them.
    pub fn providers(&self) -> Result<Vec<String>, RuntimeError> {
        available_providers()
    }

    /// What `ep` can do here: execute, only partition, or nothing (with ORT's reason). ORT must
    /// accept its registration, and a one-node probe session decides between the first two
    /// (see [`Availability`]). Options ORT rejects make the EP unavailable here, with ORT's
    /// message; [`Runtime::require`] reports them as what they are.
    pub fn availability(&self, ep: &Ep) -> Availability {
        match self.check(ep) {
            Ok(availability) => availability,
            Err(error) => Availability::Unavailable {
                reason: error.to_string(),
            },
        }
    }

    fn check(&self, ep: &Ep) -> Result<Availability, RuntimeError> {
        if ep.to_ort().is_none() {
            return Ok(Availability::Available);
        }
        let mut cache = self
            .availability
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(known) = cache.get(ep) {
            return known.clone();
        }
        let result = self
            .register_only(ep)
            .and_then(|registered| match registered {
                Some(unavailable) => Ok(unavailable),
                None => availability::probe(ep),
            });
        cache.insert(ep.clone(), result.clone());
        result
    }

    /// Registers `ep` on a throw-away session builder: `Some(Unavailable)` when ORT lacks the EP,
    /// an error when it rejects the options, `None` when it accepts.
    fn register_only(&self, ep: &Ep) -> Result<Option<Availability>, RuntimeError> {
        let Some(dispatch) = ep.to_ort() else {
            return Ok(None);
        };
        let mut builder = ort::session::Session::builder(&self.environment)
            .map_err(|e| RuntimeError::Ort(e.to_string()))?;
        match self.register(ep, &dispatch, &mut builder) {
            Ok(()) => Ok(None),
            Err(RuntimeError::Unavailable { reason, .. }) => {
                Ok(Some(Availability::Unavailable { reason }))
            }
            Err(other) => Err(other),
        }
    }

    /// Fails unless sessions on `ep` can run here: [`RuntimeError::Unavailable`] (ORT's reason
    /// and how to get the EP), [`RuntimeError::CannotExecute`] for an EP that only partitions,
    /// or [`RuntimeError::OptionsRejected`] when ORT refuses the options.
    pub fn require(&self, ep: &Ep) -> Result<(), RuntimeError> {
        match self.require_partitioning(ep)? {
            Availability::PartitionsOnly { reason } => Err(RuntimeError::CannotExecute {
                ep: ep.kind(),
                runtime: self.describe(),
                reason,
            }),
            _ => Ok(()),
        }
    }

    /// Fails unless `ep` at least partitions models here; returns what it can do.
    pub fn require_partitioning(&self, ep: &Ep) -> Result<Availability, RuntimeError> {
        match self.check(ep)? {
            Availability::Unavailable { reason } => Err(RuntimeError::Unavailable {
                ep: ep.kind(),
                runtime: self.describe(),
                reason,
            }),
            other => Ok(other),
        }
    }

    /// `onnxruntime==1.31.1 (ORT 1.31.1)` or the override path, for messages.
    pub fn describe(&self) -> String {
        match self.requirement() {
            Some(requirement) => format!("{requirement} (ORT {})", self.version),
            None => format!(
                "ORT {} from ORT_DYLIB_PATH={}",
                self.version,
                self.library.path.display()
            ),
        }
    }
}

/// ORT's message when the loaded library was built without an EP.
const NOT_IN_BUILD_MARKER: &str = "is not supported in this build";

/// Classifies ORT's refusal to register `ep`: a build without the EP is
/// [`RuntimeError::Unavailable`]; anything else is ORT rejecting the options (its own parser,
/// e.g. `coreml_options.cc`: "Unknown option: …", "Invalid value for option …").
fn registration_error(ep: &Ep, runtime: &Runtime, message: &str) -> RuntimeError {
    let mut reason = clean_reason(message);
    let logged: Vec<String> = runtime
        .env_errors()
        .into_iter()
        .filter(|m| !reason.contains(m.as_str()))
        .collect();
    if !logged.is_empty() {
        reason = format!("{reason} (ORT logged: {})", logged.join("; "));
    }
    if reason.contains(NOT_IN_BUILD_MARKER) {
        RuntimeError::Unavailable {
            ep: ep.kind(),
            runtime: runtime.describe(),
            reason,
        }
    } else {
        let options: Vec<String> = ep
            .ort_options()
            .into_iter()
            .map(|(key, value)| format!("{key}={value}"))
            .collect();
        RuntimeError::OptionsRejected {
            ep: ep.to_string(),
            options: if options.is_empty() {
                "none".to_string()
            } else {
                options.join(", ")
            },
            runtime: runtime.describe(),
            reason,
        }
    }
}

/// ORT's messages end with ". " or "."; ours continue the sentence, so the end is trimmed.
pub(crate) fn clean_reason(reason: &str) -> String {
    reason.trim().trim_end_matches('.').to_string()
}

fn read_version(path: &Path) -> Result<String, String> {
    // SAFETY: loading ONNX Runtime runs its static initialisers, which is what `ort` is about to
    // do with the same file; the handle stays open for the life of the process either way.
    let library = unsafe { libloading::Library::new(path) }.map_err(|e| e.to_string())?;
    // SAFETY: `OrtGetApiBase` is ORT's stable C entry point with this signature, and
    // `GetVersionString` returns a static NUL-terminated string.
    unsafe {
        let get_base = library
            .get::<unsafe extern "C" fn() -> *const ort::sys::OrtApiBase>(b"OrtGetApiBase")
            .map_err(|_| {
                format!(
                    "{} is not an ONNX Runtime library (no OrtGetApiBase)",
                    path.display()
                )
            })?;
        let base = get_base();
        if base.is_null() {
            return Err("OrtGetApiBase returned null".into());
        }
        let version = ((*base).GetVersionString)();
        let version = CStr::from_ptr(version).to_string_lossy().into_owned();
        // Keep the library mapped: `ort` loads it again and ORT must not be unloaded under it.
        std::mem::forget(library);
        Ok(version)
    }
}

fn available_providers() -> Result<Vec<String>, RuntimeError> {
    let api = ort::api();
    let mut list: *mut *mut c_char = std::ptr::null_mut();
    let mut count: c_int = 0;
    // SAFETY: the C API fills `list` with `count` NUL-terminated strings that we copy and then
    // release with the matching call.
    unsafe {
        let status = (api.GetAvailableProviders)(&mut list, &mut count);
        if !status.0.is_null() {
            (api.ReleaseStatus)(status.0);
            return Err(RuntimeError::Ort("GetAvailableProviders failed".into()));
        }
        let names = (0..count as usize)
            .map(|i| CStr::from_ptr(*list.add(i)).to_string_lossy().into_owned())
            .collect();
        let _ = (api.ReleaseAvailableProviders)(list, count);
        Ok(names)
    }
}

/// Why a runtime could not be loaded, an EP used, or a session built.
#[derive(Debug, Clone, thiserror::Error)]
pub enum RuntimeError {
    #[error("unknown execution provider `{input}`; epbench knows cpu, coreml and openvino")]
    UnknownEp { input: String },
    #[error("bad {ep} option `{option}`: {reason}")]
    BadEpOption {
        ep: &'static str,
        option: String,
        reason: String,
    },
    #[error("cannot load ONNX Runtime from {}: {reason}", path.display())]
    Load {
        path: std::path::PathBuf,
        reason: String,
    },
    #[error(
        "this process already loaded {loaded}; it cannot also load {wanted} (one ONNX Runtime per \
         process: run a separate process)"
    )]
    AlreadyLoaded { loaded: String, wanted: String },
    #[error("the {ep} execution provider is unavailable in {runtime}: {reason}. To get it, {}", ep.how_to_get())]
    Unavailable {
        ep: EpKind,
        runtime: String,
        reason: String,
    },
    #[error(
        "the {ep} execution provider in {runtime} partitions models and builds its own, but cannot \
         execute them: {reason}. To run them, {}", ep.how_to_get()
    )]
    CannotExecute {
        ep: EpKind,
        runtime: String,
        reason: String,
    },
    #[error("{runtime} rejected the options of `{ep}` (ORT received: {options}): {reason}")]
    OptionsRejected {
        ep: String,
        options: String,
        runtime: String,
        reason: String,
    },
    #[error("model {} not found", path.display())]
    ModelNotFound { path: std::path::PathBuf },
    #[error("cannot create a {ep} session for {}: {reason}", path.display())]
    Session {
        ep: String,
        path: std::path::PathBuf,
        reason: String,
    },
    #[error("ONNX Runtime: {0}")]
    Ort(String),
}
