//! The CoreML rules as an execution provider: ONNX Runtime partitions the model with the rules
//! standing in for the CoreML EP, so the graph they judge is the graph `GetCapability` sees.
//!
//! ORT's partitioning (`PartitionOnnxFormatModel` in `core/framework/graph_partitioner.cc`)
//! asks each EP in turn for its capability, then the CPU EP, inlines the function nodes nobody
//! took and, when it inlined one, asks again. Which graph the CoreML EP sees in each pass
//! depends on ORT's level-1 transformers, on what CoreML claimed before, on which nodes the CPU
//! has kernels for and on ORT's function bodies; and it comes before the CPU EP's own float16
//! lowering (`InsertCastTransformer`, after partitioning). Rather than reconstruct it, epbench
//! registers a plugin EP (ORT's plugin EP API, `onnxruntime_ep_c_api.h`, since ORT 1.23) first in
//! a session at optimisation level 1: in every `GetCapability` pass it reads ORT's graph
//! ([`ort_graph`]), runs the rules on it and claims exactly the partitions the rules give the
//! CoreML EP, so ORT's next pass is the CoreML session's next pass. The last pass is the one the
//! CoreML EP's log reports and the one predicted. The session then stops: the stand-in's
//! partitions refuse to create kernels, so ORT never prepares the CPU kernels or the weights.
//!
//! ORT loads plugin EPs from a shared library only; `shim.rs` (built by `build.rs`, embedded,
//! written to epbench's cache) is that library, and it hands ORT the factory that lives here.

pub mod cache;
mod ffi;
mod ort_graph;
mod stub;

pub use stub::{Weightless, weightless};

use std::collections::HashMap;
use std::ffi::{CStr, CString, c_char, c_void};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use ort::sys::{
    OrtErrorCode, OrtGraph, OrtHardwareDevice, OrtHardwareDeviceType, OrtKeyValuePairs, OrtLogger,
    OrtNode, OrtSessionOptions, OrtStatus,
};

use crate::onnx::proto::ModelProto;

use super::PartitionError;
use super::graph::AnalysisGraph;
use super::predict::{PredictOptions, Prediction, partitions_of, predict_with};

/// The op type epbench gives a partition fused in an earlier pass (ORT names it after the
/// partition's metadef, `<key>_CoreML_<hash>_<n>` for the CoreML EP).
pub const FUSED_PARTITION: &str = "(CoreML partition)";

/// The stand-in EP's name (it must differ from every EP ORT has built in).
pub const EP_NAME: &str = "EpbenchCoreMLStandIn";

/// The first ONNX Runtime release with the plugin EP API (`onnxruntime_ep_c_api.h`).
const PLUGIN_EP_API: (u32, u32) = (1, 23);

/// The session config key carrying a run's id to the EP ORT creates for it.
const RUN_KEY: &str = "epbench.stand_in_run";

/// The graph of one `GetCapability` pass of the main graph, as ORT gave it, and what the rules
/// claimed in it.
#[derive(Debug, Clone)]
pub struct Pass {
    /// ORT's graph ([`ort_graph::read_model`]): no weights, ORT's types, per node its schema
    /// version and the EP it was assigned to before this pass.
    pub model: ModelProto,
    /// Nodes the rules put in kept partitions (what the stand-in claimed).
    pub claimed: usize,
}

/// A session's partitioning with the rules standing in for the CoreML EP.
#[derive(Debug, Clone)]
pub struct StandInRun {
    /// The last `GetCapability` pass on the main graph: the one the CoreML EP's log reports.
    pub last: Pass,
    /// How many passes ORT made: more than one when it inlined function nodes nobody took.
    pub passes: usize,
    /// Session creation until it stopped (level-1 optimisation and partitioning, mostly); zero
    /// for a run read from the cache.
    pub session_time: Duration,
    /// Why ORT ended session creation, when it was not the stand-in stopping it after
    /// partitioning (an op no EP has a kernel for, a CPU kernel refusing its attributes).
    pub stopped_because: Option<String>,
    /// True when the run came from epbench's cache ([`cache`]): no session this time.
    pub cached: bool,
}

impl StandInRun {
    /// The last pass: its graph, each node's eligibility and the rules' prediction on it.
    pub fn predict(&self, options: PredictOptions) -> Result<LastPass, PartitionError> {
        last_pass(&self.last.model, options)
    }
}

/// The graph of a `GetCapability` pass and the prediction on it.
#[derive(Debug, Clone)]
pub struct LastPass {
    pub graph: AnalysisGraph,
    /// Per node: unassigned before the pass (only such nodes can join a partition).
    pub eligible: Vec<bool>,
    pub prediction: Prediction,
}

/// Predicts on a pass's graph (nodes another EP holds are not eligible).
fn last_pass(model: &ModelProto, options: PredictOptions) -> Result<LastPass, PartitionError> {
    let graph = AnalysisGraph::from_model(model)?;
    let eligible = eligibility(model, &graph);
    let prediction = predict_with(&graph, options, Some(&eligible));
    Ok(LastPass {
        graph,
        eligible,
        prediction,
    })
}

/// Per analysis node: not assigned to an EP in `model` (the analysis keeps ORT's node order;
/// ORT's graph has no `Constant` nodes).
fn eligibility(model: &ModelProto, graph: &AnalysisGraph) -> Vec<bool> {
    let assigned: HashMap<&[String], bool> = model
        .graph
        .iter()
        .flat_map(|g| &g.node)
        .map(|n| {
            let ep = super::graph::node_metadata(n, super::graph::ort_keys::EP);
            (n.output.as_slice(), ep.is_some_and(|e| !e.is_empty()))
        })
        .collect();
    graph
        .nodes()
        .iter()
        .map(|n| !assigned.get(n.outputs.as_slice()).copied().unwrap_or(false))
        .collect()
}

/// Creates a session at optimisation level 1 on `input` (the model at `model`, its weights
/// stubbed: [`weightless`]) with the rules of `options` standing in for the CoreML EP and returns
/// every `GetCapability` pass. `disabled_optimizers` switches off level-1 transformers
/// (emulating an older release).
pub fn partition(
    model: &Path,
    input: &Weightless,
    options: PredictOptions,
    disabled_optimizers: &[&str],
) -> Result<StandInRun, PartitionError> {
    let failed = |reason: String| PartitionError::Partitioning {
        model: model.to_path_buf(),
        reason,
    };
    let runtime = crate::runtime::global().map_err(|e| PartitionError::Optimise {
        model: model.to_path_buf(),
        source: Box::new(e),
    })?;
    if super::rules::parse_version(runtime.version()).is_ok_and(|v| v < PLUGIN_EP_API) {
        return Err(failed(format!(
            "the offline prediction runs ONNX Runtime's own partitioning with the rules as a \
             plugin EP, which ONNX Runtime has since {}.{}; this runtime is {} (analyze with the \
             default runtime, or --ort 1.23.0 or newer, and --ort-version for older rules)",
            PLUGIN_EP_API.0,
            PLUGIN_EP_API.1,
            runtime.describe()
        )));
    }
    register(runtime.environment()).map_err(failed)?;
    let run = Arc::new(Run {
        options,
        stubbed: input.stubbed.clone(),
        passes: Mutex::new(Vec::new()),
        stopped: std::sync::atomic::AtomicBool::new(false),
        failure: Mutex::new(None),
    });
    let id = NEXT_RUN.fetch_add(1, Ordering::Relaxed);
    runs().insert(id, run.clone());
    let started = Instant::now();
    let outcome = commit(runtime, id, model, input, disabled_optimizers);
    let session_time = started.elapsed();
    runs().remove(id);
    let mut passes = std::mem::take(&mut *lock(&run.passes));
    if let Some(failure) = lock(&run.failure).take() {
        return Err(failed(failure));
    }
    let count = passes.len();
    let Some(last) = passes.pop() else {
        return Err(failed(outcome.err().unwrap_or_else(|| {
            "ONNX Runtime never asked the stand-in for its capability".into()
        })));
    };
    let stopped_because = match outcome {
        Err(e) if !run.stopped.load(Ordering::Relaxed) => Some(e),
        _ => None,
    };
    Ok(StandInRun {
        last,
        passes: count,
        session_time,
        stopped_because,
        cached: false,
    })
}

fn commit(
    runtime: &crate::runtime::Runtime,
    id: u64,
    model: &Path,
    input: &Weightless,
    disabled_optimizers: &[&str],
) -> Result<(), String> {
    let env = runtime.environment();
    let device = runtime
        .ep_device(EP_NAME)
        .ok_or_else(|| "ONNX Runtime lists no device for the stand-in EP".to_string())?;
    let text = |e: ort::Error<ort::session::builder::SessionBuilder>| e.to_string();
    let mut builder = ort::session::Session::builder(env)
        .map_err(|e| e.to_string())?
        .with_devices([device], None)
        .map_err(text)?
        .with_optimization_level(ort::session::builder::GraphOptimizationLevel::Level1)
        .map_err(text)?
        .with_intra_threads(1)
        .map_err(text)?
        // Stopping the session is how the stand-in ends; ORT would log it as an error.
        .with_log_level(ort::logging::LogLevel::Fatal)
        .map_err(text)?
        .with_config_entry(RUN_KEY, id.to_string())
        .map_err(text)?;
    if !input.weights.is_empty() {
        builder = builder
            .with_external_initializer_file_in_memory(stub::STUB_FILE, input.weights.clone())
            .map_err(text)?;
    }
    if input.keeps_external_files
        && let Some(folder) = model.parent()
    {
        builder = builder
            .with_config_entry(
                "session.model_external_initializers_file_folder_path",
                folder.to_string_lossy(),
            )
            .map_err(text)?;
    }
    if !disabled_optimizers.is_empty() {
        builder = builder
            .with_disabled_optimizers(disabled_optimizers.join(";"))
            .map_err(text)?;
    }
    builder
        .commit_from_memory(&input.bytes)
        .map(drop)
        .map_err(|e| e.to_string())
}

/// What one session's stand-in EP works for, and what it found.
struct Run {
    options: PredictOptions,
    /// Initializers given to ORT without data, and whether each was external data originally.
    stubbed: HashMap<String, bool>,
    passes: Mutex<Vec<Pass>>,
    /// Set when the stand-in ended the session after partitioning.
    stopped: std::sync::atomic::AtomicBool,
    /// A failure inside the EP (reading ORT's graph), which makes the run fail.
    failure: Mutex<Option<String>>,
}

static NEXT_RUN: AtomicU64 = AtomicU64::new(1);

#[derive(Default)]
struct Runs(Mutex<HashMap<u64, Arc<Run>>>);

impl Runs {
    fn insert(&self, id: u64, run: Arc<Run>) {
        lock(&self.0).insert(id, run);
    }
    fn remove(&self, id: u64) {
        lock(&self.0).remove(&id);
    }
    fn get(&self, id: u64) -> Option<Arc<Run>> {
        lock(&self.0).get(&id).cloned()
    }
}

fn runs() -> &'static Runs {
    static RUNS: OnceLock<Runs> = OnceLock::new();
    RUNS.get_or_init(Runs::default)
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// What the stand-in's partitions answer when ORT creates their kernels (ORT reports its own
/// message).
const STOP_MESSAGE: &str = "epbench stand-in: partitioning recorded";

/// The loader library, compiled by `build.rs`.
static SHIM: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/stand_in_shim"));

/// Registers the stand-in with ORT once per process.
fn register(env: &ort::environment::Environment) -> Result<(), String> {
    static REGISTERED: OnceLock<Result<(), String>> = OnceLock::new();
    REGISTERED
        .get_or_init(|| {
            let library = write_shim()?;
            let name = format!("epbench-stand-in@{:x}", factory() as usize);
            env.register_ep_library(name, &library)
                .map_err(|e| format!("ONNX Runtime did not load the stand-in EP: {e}"))
        })
        .clone()
}

/// Writes the loader library into epbench's cache (named by its content, so concurrent
/// processes agree) and returns its path.
fn write_shim() -> Result<PathBuf, String> {
    use sha2::{Digest, Sha256};
    let root = crate::provisioning::Cache::from_env()
        .map(|c| c.root().join("stand-in"))
        .unwrap_or_else(|_| std::env::temp_dir().join("epbench-stand-in"));
    let digest: String = Sha256::digest(SHIM)
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect();
    let file = format!(
        "{}epbench_stand_in_{digest}{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_SUFFIX
    );
    let path = root.join(file);
    if path.is_file() {
        return Ok(path);
    }
    let io = |e: std::io::Error| {
        format!(
            "cannot write the stand-in EP library to {}: {e}",
            root.display()
        )
    };
    std::fs::create_dir_all(&root).map_err(io)?;
    let tmp = tempfile::NamedTempFile::new_in(&root).map_err(io)?;
    std::fs::write(tmp.path(), SHIM).map_err(io)?;
    tmp.persist(&path).map_err(|e| io(e.error))?;
    Ok(path)
}

// ---- the EP: ORT calls these through the tables in `ffi` ----

/// The factory ORT gets from the shim (static for the life of the process).
fn factory() -> *mut ffi::EpFactory {
    struct Leaked(*mut ffi::EpFactory);
    // Only ORT reads it, through the pointer, and nothing writes it after creation.
    unsafe impl Send for Leaked {}
    unsafe impl Sync for Leaked {}
    static FACTORY: OnceLock<Leaked> = OnceLock::new();
    FACTORY
        .get_or_init(|| {
            Leaked(Box::into_raw(Box::new(ffi::EpFactory {
                ort_version_supported: ffi::VERSION,
                get_name: factory_name,
                get_vendor: factory_vendor,
                get_supported_devices,
                create_ep,
                release_ep,
                get_vendor_id,
                get_version,
                validate_compiled_model_compatibility_info,
                create_allocator,
                release_allocator,
                create_data_transfer,
                is_stream_aware,
                create_sync_stream_for_device,
            })))
        })
        .0
}

static NAME: &CStr = c"EpbenchCoreMLStandIn";
static VENDOR: &CStr = c"epbench";

/// An `OrtStatus` carrying an error.
fn error(message: &str) -> *mut OrtStatus {
    let text = CString::new(message.replace('\0', " ")).unwrap_or_default();
    unsafe { (ort::api().CreateStatus)(OrtErrorCode::ORT_FAIL, text.as_ptr()) }.0
}

/// Runs `f`, turning a panic into an error status (a panic must not cross into ORT).
fn guarded(f: impl FnOnce() -> Result<(), String>) -> *mut OrtStatus {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(Ok(())) => std::ptr::null_mut(),
        Ok(Err(message)) => error(&message),
        Err(_) => error("the stand-in EP panicked"),
    }
}

unsafe extern "system" fn factory_name(_: *const ffi::EpFactory) -> *const c_char {
    NAME.as_ptr()
}

unsafe extern "system" fn factory_vendor(_: *const ffi::EpFactory) -> *const c_char {
    VENDOR.as_ptr()
}

unsafe extern "system" fn get_vendor_id(_: *const ffi::EpFactory) -> u32 {
    0
}

unsafe extern "system" fn get_version(_: *const ffi::EpFactory) -> *const c_char {
    static VERSION: &CStr = c"1.0.0";
    VERSION.as_ptr()
}

unsafe extern "system" fn get_supported_devices(
    this: *mut ffi::EpFactory,
    devices: *const *const OrtHardwareDevice,
    num_devices: usize,
    ep_devices: *mut *mut ffi::Opaque,
    max_ep_devices: usize,
    num_ep_devices: *mut usize,
) -> *mut OrtStatus {
    guarded(|| {
        unsafe { *num_ep_devices = 0 };
        let devices = unsafe { std::slice::from_raw_parts(devices, num_devices) };
        let cpu = devices.iter().copied().find(|&d| {
            let kind = unsafe { (ort::api().HardwareDevice_Type)(d) };
            kind == OrtHardwareDeviceType::OrtHardwareDeviceType_CPU
        });
        let (Some(cpu), true) = (cpu, max_ep_devices > 0) else {
            return Ok(());
        };
        let ep_api = ep_api()?;
        let mut device = std::ptr::null_mut();
        let status = unsafe {
            (ep_api.create_ep_device)(this, cpu, std::ptr::null(), std::ptr::null(), &mut device)
        };
        status_result(status)?;
        unsafe {
            *ep_devices = device;
            *num_ep_devices = 1;
        }
        Ok(())
    })
}

fn ep_api() -> Result<&'static ffi::EpApi, String> {
    let api = unsafe { (ort::api().GetEpApi)() };
    unsafe { api.cast::<ffi::EpApi>().as_ref() }.ok_or_else(|| "ORT has no EP API".to_string())
}

fn status_result(status: *mut OrtStatus) -> Result<(), String> {
    if status.is_null() {
        return Ok(());
    }
    let api = ort::api();
    let message = unsafe { CStr::from_ptr((api.GetErrorMessage)(status)) }
        .to_string_lossy()
        .into_owned();
    unsafe { (api.ReleaseStatus)(status) };
    Err(message)
}

/// An EP instance: ORT's table first, so ORT's `OrtEp*` is a pointer to this.
#[repr(C)]
struct Instance {
    ep: ffi::Ep,
    run: Arc<Run>,
}

unsafe extern "system" fn create_ep(
    _this: *mut ffi::EpFactory,
    _devices: *const *const OrtHardwareDevice,
    _ep_metadata_pairs: *const *const OrtKeyValuePairs,
    _num_devices: usize,
    session_options: *const OrtSessionOptions,
    _logger: *const OrtLogger,
    ep: *mut *mut ffi::Ep,
) -> *mut OrtStatus {
    guarded(|| {
        let id = config_entry(session_options, RUN_KEY)?
            .and_then(|v| v.parse::<u64>().ok())
            .ok_or("the stand-in EP is only created by epbench's stand-in sessions")?;
        let run = runs().get(id).ok_or("the stand-in EP's run is gone")?;
        let instance = Box::new(Instance {
            ep: ffi::Ep {
                ort_version_supported: ffi::VERSION,
                get_name: ep_name,
                get_capability,
                compile,
                release_node_compute_infos,
                optional: [None; 8],
            },
            run,
        });
        unsafe { *ep = Box::into_raw(instance).cast::<ffi::Ep>() };
        Ok(())
    })
}

fn config_entry(options: *const OrtSessionOptions, key: &str) -> Result<Option<String>, String> {
    let api = ort::api();
    let key = CString::new(key).map_err(|e| e.to_string())?;
    let mut has = 0;
    status_result(unsafe { (api.HasSessionConfigEntry)(options, key.as_ptr(), &mut has) }.0)?;
    if has == 0 {
        return Ok(None);
    }
    let mut size = 0;
    let _ = status_result(
        unsafe {
            (api.GetSessionConfigEntry)(options, key.as_ptr(), std::ptr::null_mut(), &mut size)
        }
        .0,
    );
    let mut buffer = vec![0u8; size.max(1)];
    status_result(
        unsafe {
            (api.GetSessionConfigEntry)(
                options,
                key.as_ptr(),
                buffer.as_mut_ptr().cast(),
                &mut size,
            )
        }
        .0,
    )?;
    let text = CStr::from_bytes_until_nul(&buffer).map_err(|e| e.to_string())?;
    Ok(Some(text.to_string_lossy().into_owned()))
}

unsafe extern "system" fn release_ep(_this: *mut ffi::EpFactory, ep: *mut ffi::Ep) {
    if !ep.is_null() {
        drop(unsafe { Box::from_raw(ep.cast::<Instance>()) });
    }
}

unsafe extern "system" fn validate_compiled_model_compatibility_info(
    _this: *mut ffi::EpFactory,
    _devices: *const *const OrtHardwareDevice,
    _num_devices: usize,
    _compatibility_info: *const c_char,
    model_compatibility: *mut i32,
) -> *mut OrtStatus {
    // OrtCompiledModelCompatibility_EP_NOT_APPLICABLE: the stand-in never compiles models.
    unsafe { *model_compatibility = 0 };
    std::ptr::null_mut()
}

unsafe extern "system" fn create_allocator(
    _this: *mut ffi::EpFactory,
    _memory_info: *const ffi::Opaque,
    _allocator_options: *const OrtKeyValuePairs,
    allocator: *mut *mut ffi::Opaque,
) -> *mut OrtStatus {
    // The default CPU allocator.
    unsafe { *allocator = std::ptr::null_mut() };
    std::ptr::null_mut()
}

unsafe extern "system" fn release_allocator(_this: *mut ffi::EpFactory, _: *mut ffi::Opaque) {}

unsafe extern "system" fn create_data_transfer(
    _this: *mut ffi::EpFactory,
    data_transfer: *mut *mut ffi::Opaque,
) -> *mut OrtStatus {
    unsafe { *data_transfer = std::ptr::null_mut() };
    std::ptr::null_mut()
}

unsafe extern "system" fn is_stream_aware(_: *const ffi::EpFactory) -> bool {
    false
}

unsafe extern "system" fn create_sync_stream_for_device(
    _this: *mut ffi::EpFactory,
    _memory_device: *const ffi::Opaque,
    _stream_options: *const OrtKeyValuePairs,
    stream: *mut *mut ffi::Opaque,
) -> *mut OrtStatus {
    unsafe { *stream = std::ptr::null_mut() };
    std::ptr::null_mut()
}

unsafe extern "system" fn ep_name(_: *const ffi::Ep) -> *const c_char {
    NAME.as_ptr()
}

unsafe extern "system" fn get_capability(
    this: *mut ffi::Ep,
    graph: *const OrtGraph,
    graph_support_info: *mut ffi::Opaque,
) -> *mut OrtStatus {
    let run = unsafe { &(*this.cast::<Instance>()).run };
    guarded(|| {
        let outcome = capability(run, graph, graph_support_info);
        if let Err(e) = &outcome {
            lock(&run.failure).get_or_insert_with(|| e.clone());
        }
        outcome
    })
}

/// One pass: ORT's graph read, the rules' partitions claimed, the pass recorded.
fn capability(
    run: &Run,
    graph: *const OrtGraph,
    graph_support_info: *mut ffi::Opaque,
) -> Result<(), String> {
    // The CoreML EP takes nothing in control-flow subgraphs by default
    // (`EnableOnSubgraphs`, coreml_execution_provider.cc).
    if ort_graph::is_subgraph(graph)? {
        return Ok(());
    }
    let model = ort_graph::read_model(graph, EP_NAME, FUSED_PARTITION, &run.stubbed)?;
    let analysis = AnalysisGraph::from_model(&model).map_err(|e| e.to_string())?;
    let eligible = eligibility(&model, &analysis);
    let (_, _, grouping) = partitions_of(&analysis, run.options, Some(&eligible));
    let nodes = ort_graph::nodes(graph)?;
    let ep_api = ep_api()?;
    let options = ffi::NodeFusionOptions {
        ort_version_supported: ffi::VERSION,
        drop_constant_initializers: true,
    };
    let mut claimed = 0;
    for partition in &grouping.kept {
        let members: Vec<*const OrtNode> = partition
            .iter()
            .filter_map(|&i| nodes.get(i).copied())
            .collect();
        claimed += members.len();
        status_result(unsafe {
            (ep_api.add_nodes_to_fuse)(
                graph_support_info,
                members.as_ptr(),
                members.len(),
                &options,
            )
        })?;
    }
    lock(&run.passes).push(Pass { model, claimed });
    Ok(())
}

/// The compute info of the stand-in's partitions, with the run it ends: ORT creates the
/// partitions' kernels after partitioning, and the first one stops the session.
#[repr(C)]
struct ComputeInfo {
    info: ffi::NodeComputeInfo,
    run: Arc<Run>,
}

unsafe extern "system" fn compile(
    this: *mut ffi::Ep,
    _graphs: *const *const OrtGraph,
    _fused_nodes: *const *const OrtNode,
    count: usize,
    node_compute_infos: *mut *mut ffi::NodeComputeInfo,
    _ep_context_nodes: *mut *mut OrtNode,
) -> *mut OrtStatus {
    let run = unsafe { &(*this.cast::<Instance>()).run };
    for i in 0..count {
        let info = Box::new(ComputeInfo {
            info: ffi::NodeComputeInfo {
                ort_version_supported: ffi::VERSION,
                create_state,
                compute,
                release_state,
            },
            run: run.clone(),
        });
        unsafe { *node_compute_infos.add(i) = Box::into_raw(info).cast() };
    }
    std::ptr::null_mut()
}

unsafe extern "system" fn release_node_compute_infos(
    _this: *mut ffi::Ep,
    infos: *mut *mut ffi::NodeComputeInfo,
    count: usize,
) {
    for i in 0..count {
        let info = unsafe { *infos.add(i) };
        if !info.is_null() {
            drop(unsafe { Box::from_raw(info.cast::<ComputeInfo>()) });
        }
    }
}

unsafe extern "system" fn create_state(
    this: *mut ffi::NodeComputeInfo,
    _compute_context: *mut ffi::Opaque,
    _compute_state: *mut *mut c_void,
) -> *mut OrtStatus {
    let run = unsafe { &(*this.cast::<ComputeInfo>()).run };
    run.stopped.store(true, Ordering::Relaxed);
    error(STOP_MESSAGE)
}

unsafe extern "system" fn compute(
    _this: *mut ffi::NodeComputeInfo,
    _compute_state: *mut c_void,
    _kernel_context: *mut ffi::Opaque,
) -> *mut OrtStatus {
    error(STOP_MESSAGE)
}

unsafe extern "system" fn release_state(_this: *mut ffi::NodeComputeInfo, _state: *mut c_void) {}
