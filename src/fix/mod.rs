//! `epbench fix`: the study's graph interventions applied to a model file, each proving itself.
//!
//! [`fix`] reads the model (with its external data), chooses the rewrites ([`plan`]: the flags,
//! or what an EP's partition analysis recommends), applies them ([`crate::rewrite`]), writes the
//! result into a staging folder beside `--out`, and measures:
//!
//! - the partitions of the original and the fixed model on the EP ([`partitions`]: measured
//!   where the EP partitions here, predicted otherwise, and saying which);
//! - the outputs of the fixed model against the original on the same inputs, on ORT's CPU EP,
//!   with the correctness module's report and tolerance (widened for GELU→tanh, which changes
//!   the function, and for fp16 sides);
//! - optionally the median latency before and after ([`timing`]).
//!
//! The staged files are moved to `--out` only when the outputs match, or with `force`. The
//! original is never written. Rendering is separate ([`FixReport::render_text`]).

mod error;
pub mod partitions;
pub mod plan;
mod render;
pub mod timing;

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::correctness::{Comparison, Pairing, Side, Target, compare_models_on};
use crate::onnx::FloatType;
use crate::onnx::external;
use crate::rewrite::{self, Outcome, RewriteKind};
use crate::runtime::{Ep, SessionConfig};
use crate::study::results::PartitionOutcome;
use crate::workload::{self, Feeds, NamedInputs, ResolvedModel};
use crate::zoo::Activation;

pub use error::FixError;
pub use plan::{Choice, Plan, RecommendationUse, gelu_form_for};
pub use timing::{Timing, Timings};

/// What to fix and how to prove it.
#[derive(Debug, Clone)]
pub struct FixRequest {
    pub model: ResolvedModel,
    /// The model's name in reports.
    pub label: String,
    pub out: PathBuf,
    pub choice: Choice,
    /// The EP to show partitions and times for.
    pub ep: Ep,
    /// Real inputs (`.npz`); otherwise the zoo's inputs for a zoo variant, or inputs synthesised
    /// from the fixed model's input types.
    pub inputs: Option<PathBuf>,
    pub time: bool,
    /// Keep the fixed model even when its outputs do not match.
    pub force: bool,
}

/// Partitions of the original and the fixed model on one EP.
#[derive(Debug, Clone, Serialize)]
pub struct PartitionsProof {
    pub ep: Ep,
    pub before: PartitionOutcome,
    pub after: PartitionOutcome,
}

/// The fixed model's outputs against the original's.
#[derive(Debug, Clone, Serialize)]
pub struct OutputsProof {
    /// Where the inputs came from.
    pub inputs: String,
    /// The largest absolute change of any output element.
    pub max_abs_change: Option<f64>,
    pub comparison: Comparison,
}

/// Where the fixed model went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Written {
    pub path: PathBuf,
    pub bytes: u64,
    /// The external data file beside it, when the weights are stored there.
    pub data_file: Option<PathBuf>,
}

/// Everything `fix` did and measured.
#[derive(Debug, Clone, Serialize)]
pub struct FixReport {
    pub model: String,
    pub runtime: String,
    pub plan: Plan,
    pub rewrites: Vec<Outcome>,
    pub partitions: Option<PartitionsProof>,
    pub outputs: OutputsProof,
    /// With `time`.
    pub timing: Option<Timings>,
    /// The fixed model computes what the original does, within the tolerance.
    pub outputs_match: bool,
    /// `None` when the outputs did not match and `force` was not given.
    pub written: Option<Written>,
}

/// Runs the whole fix. Errors are usage and load problems; outputs that do not match are a
/// report with `outputs_match == false` (and nothing written unless `force`).
pub fn fix(request: &FixRequest) -> Result<FixReport, FixError> {
    let source = &request.model.path;
    let mut model = crate::onnx::read_model(source)?;
    let model_dir = folder_of(source);
    refuse_overwrite(source, &model, &request.out)?;
    let had_external = external::has_external_data(&model);
    if had_external {
        external::load_external_data(&mut model, &model_dir)?;
    }

    let plan = plan::plan(&request.choice, source)?;
    let (fixed, outcomes) = rewrite::apply(&model, &plan.rewrites)?;

    let out_dir = folder_of(&request.out);
    let file_name = request
        .out
        .file_name()
        .ok_or_else(|| FixError::Usage(format!("--out {} names no file", request.out.display())))?;
    let staging = tempfile::Builder::new()
        .prefix(".epbench-fix-")
        .tempdir_in(&out_dir)
        .map_err(|e| crate::Error::io("cannot create a staging folder in", &out_dir, e))?;
    let staged = staging.path().join(file_name);
    let staged_data = external::write_rewritten(&fixed, &staged, had_external)?;

    let fixed_model = ResolvedModel {
        path: staged.clone(),
        variant: None,
    };
    let (inputs, inputs_from) = choose_inputs(request, &fixed_model)?;
    let dtypes = (FloatType::of_model(&model), FloatType::of_model(&fixed));
    let outputs = compare(
        request,
        &fixed_model,
        &outcomes,
        dtypes,
        &inputs,
        inputs_from,
    )?;
    let partitions =
        partitions::partitions_on(source, &request.ep, &inputs).map(|before| PartitionsProof {
            ep: request.ep.clone(),
            before,
            after: partitions::partitions_on(&staged, &request.ep, &inputs).unwrap_or(
                PartitionOutcome::Failed {
                    reason: "not measured".into(),
                },
            ),
        });
    let timing = request
        .time
        .then(|| timing::time_models(source, &staged, &request.ep, &inputs));

    let outputs_match = outputs.comparison.pass;
    let written = if outputs_match || request.force {
        Some(publish(&staged, staged_data.as_deref(), &request.out)?)
    } else {
        None
    };
    let runtime = crate::runtime::global()?.describe();
    Ok(FixReport {
        model: request.label.clone(),
        runtime,
        plan,
        rewrites: outcomes,
        partitions,
        outputs,
        timing,
        outputs_match,
        written,
    })
}

fn folder_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// The same file, whether named by a relative or an absolute path (the file may not exist).
fn same_path(a: &Path, b: &Path) -> bool {
    let canonical = |p: &Path| {
        let dir = folder_of(p).canonicalize().ok()?;
        Some(dir.join(p.file_name()?))
    };
    match (canonical(a), canonical(b)) {
        (Some(a), Some(b)) => a == b,
        _ => a == b,
    }
}

/// `out` must be neither the model nor one of its external data files, nor write its own data
/// file over one of them.
fn refuse_overwrite(
    source: &Path,
    model: &crate::onnx::ModelProto,
    out: &Path,
) -> Result<(), FixError> {
    let mut protected = vec![source.to_path_buf()];
    let dir = folder_of(source);
    for tensor in model.graph.iter().flat_map(|g| &g.initializer) {
        if let Some(location) = tensor.external_data.iter().find(|e| e.key == "location") {
            protected.push(dir.join(&location.value));
        }
    }
    let mut written = vec![out.to_path_buf()];
    if let Some(name) = out.file_name() {
        written.push(out.with_file_name(format!("{}.data", name.to_string_lossy())));
    }
    for w in &written {
        if protected.iter().any(|p| same_path(p, w)) {
            return Err(FixError::SameFile { path: w.clone() });
        }
    }
    Ok(())
}

/// The inputs both models run on, and where they came from.
fn choose_inputs(
    request: &FixRequest,
    fixed: &ResolvedModel,
) -> Result<(NamedInputs, String), FixError> {
    let session = SessionConfig::new(Ep::Cpu)
        .build(&fixed.path)
        .map_err(|e| FixError::FixedModelRejected(Box::new(e)))?
        .session;
    let original = SessionConfig::new(Ep::Cpu)
        .build(&request.model.path)?
        .session;
    if let Some(path) = &request.inputs {
        let inputs = workload::read_npz(path)?;
        workload::check_inputs(&original, &inputs, &request.label)?;
        workload::check_inputs(&session, &inputs, "the fixed model")?;
        return Ok((inputs, format!("{} (numpy .npz)", path.display())));
    }
    if let Some(variant) = &request.model.variant {
        let values = Feeds::default().for_session(&original, Some(variant))?;
        let named: NamedInputs = original
            .inputs()
            .iter()
            .map(|o| o.name().to_string())
            .zip(values.into_iter().map(|v| match v {
                ort::session::SessionInputValue::Owned(v) => Some(v),
                _ => None,
            }))
            .filter_map(|(n, v)| Some((n, v?)))
            .collect();
        // The zoo's inputs have the zoo's shapes; a model fixed to other sizes gets synthesised
        // ones instead.
        if workload::check_inputs(&session, &named, "the fixed model").is_ok() {
            return Ok((named, format!("the zoo's inputs for {variant}")));
        }
    }
    let inputs = workload::synthesise_inputs(&session)?;
    workload::check_inputs(&original, &inputs, &request.label)?;
    Ok((
        inputs,
        "synthesised from the fixed model's input types (seeded normal floats, zero ids, masks of ones)"
            .into(),
    ))
}

/// The fixed model against the original on the CPU EP.
fn compare(
    request: &FixRequest,
    fixed: &ResolvedModel,
    outcomes: &[Outcome],
    (original_dtype, fixed_dtype): (FloatType, FloatType),
    inputs: &NamedInputs,
    inputs_from: String,
) -> Result<OutputsProof, FixError> {
    let applied = |kind: RewriteKind| outcomes.iter().any(|o| o.rewrite == kind && o.applied);
    let gelu = applied(RewriteKind::GeluTanh);
    let side = |dtype: FloatType, activation: Activation| Side {
        ep: Ep::Cpu,
        dtype,
        activation: gelu.then_some(activation),
    };
    let pairing = Pairing {
        candidate: side(fixed_dtype, Activation::FastGelu),
        reference: side(original_dtype, Activation::Gelu),
        same_graph: false,
    };
    let config = SessionConfig::new(Ep::Cpu);
    let candidate = Target {
        model: fixed.clone(),
        label: format!("{} (fixed)", request.label),
        config: config.clone(),
    };
    let reference = Target {
        model: request.model.clone(),
        label: request.label.clone(),
        config,
    };
    let comparison =
        compare_models_on(&candidate, &reference, inputs, &pairing).map_err(|e| match e {
            // A model that fails on synthesised inputs usually needs other sizes than the
            // defaults (1 for the first dynamic axis, 128 for the others).
            crate::correctness::CorrectnessError::Run { .. } if request.inputs.is_none() => {
                FixError::Usage(format!(
                    "{e}\n(the inputs were {inputs_from}; dynamic dims get 1 for the first axis \
                     and 128 for the others: give --dims, or real inputs with --inputs FILE.npz)"
                ))
            }
            other => other.into(),
        })?;
    let max_abs_change = comparison
        .outputs
        .iter()
        .filter_map(|o| o.stats.as_ref().map(|s| s.max_abs))
        .reduce(f64::max);
    Ok(OutputsProof {
        inputs: inputs_from,
        max_abs_change,
        comparison,
    })
}

/// Moves the staged model (and its data file) to `out`: the data first, so the model never
/// points at data that is not there. Renames within one folder are atomic.
fn publish(staged: &Path, staged_data: Option<&Path>, out: &Path) -> Result<Written, FixError> {
    let io = |action: &'static str, path: &Path| {
        let path = path.to_path_buf();
        move |source| FixError::from(crate::Error::io(action, path, source))
    };
    let data_file = match staged_data {
        Some(data) => {
            let target = out.with_file_name(data.file_name().unwrap_or_default());
            std::fs::rename(data, &target).map_err(io("cannot move the data file to", &target))?;
            Some(target)
        }
        None => None,
    };
    std::fs::rename(staged, out).map_err(io("cannot write", out))?;
    let bytes = std::fs::metadata(out)
        .map_err(io("cannot read", out))?
        .len();
    Ok(Written {
        path: out.to_path_buf(),
        bytes,
        data_file,
    })
}
