//! Loading the user's models: each must be an ONNX file ONNX Runtime loads and runs on the CPU
//! EP with its inputs (synthesised with `--dims`, or an `.npz`); every problem is a clear error
//! before anything is measured.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use ort::session::Session;
use ort::value::ValueType;

use crate::onnx::{FloatType, external};
use crate::rewrite::{self, DimFixes, Survey};
use crate::runtime::{Ep, SessionConfig};
use crate::suite::Cost;
use crate::workload::{
    self, InputShapes, InputSource, ModelFile, Reference, check_benchmarkable, read_npz,
};

use super::ModelStudyError;
use super::variants::{self, Intervention};

/// What the user asked to study.
#[derive(Debug, Clone, Default)]
pub struct ModelRequest {
    /// The `.onnx` files.
    pub files: Vec<PathBuf>,
    /// Sizes of dynamic dims by `dim_param` name, for synthesised inputs (`--dims`).
    pub dims: DimFixes,
    /// Real inputs, one array per model input (`--inputs FILE.npz`).
    pub inputs: Option<PathBuf>,
}

/// One of the user's models, checked, with its variants written.
#[derive(Debug, Clone)]
pub struct LoadedModel {
    /// The name in benchmark ids: the file's stem, `+` and `/` replaced (they separate the
    /// parts of an id and a label).
    pub name: String,
    /// The model as given, fed its inputs, its own reference.
    pub original: Arc<ModelFile>,
    pub survey: Survey,
    /// The shapes of the inputs it is fed.
    pub shapes: InputShapes,
    /// The batch dim when every input's first axis is dynamic: its name, or `the first axis`.
    pub batch_dim: Option<String>,
    pub interventions: Vec<Intervention>,
    /// The model at each batch size, when the batch dim is dynamic.
    pub batches: Vec<Arc<ModelFile>>,
    /// How long one run takes, which decides how many are timed.
    pub cost: Cost,
}

/// Loads every model of `request`, writing its variants into `variants_dir`; `ep` is the EP
/// under study (the GELU rewrite takes the form it runs best).
pub fn load_all(
    request: &ModelRequest,
    ep: &Ep,
    variants_dir: &Path,
    intra_threads: usize,
) -> Result<Vec<LoadedModel>, ModelStudyError> {
    if request.files.is_empty() {
        return Err(ModelStudyError::Usage(
            "name at least one --model FILE".into(),
        ));
    }
    if request.inputs.is_some() && !request.dims.is_empty() {
        return Err(ModelStudyError::Usage(
            "--inputs fixes every size; drop --dims (it sizes synthesised inputs)".into(),
        ));
    }
    let mut protos = Vec::new();
    let mut known_dims: Vec<String> = Vec::new();
    for path in &request.files {
        let model = crate::onnx::read_model(path).map_err(|e| ModelStudyError::Model {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })?;
        let names = rewrite::dynamic_dim_names(&model).map_err(|e| ModelStudyError::Model {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })?;
        known_dims.extend(names);
        protos.push(model);
    }
    known_dims.sort();
    known_dims.dedup();
    // A size for a dim no model has is a typo: say so before anything runs.
    for (name, _) in &request.dims.by_name {
        if !known_dims.contains(name) {
            return Err(ModelStudyError::UnknownDim {
                name: name.clone(),
                known: if known_dims.is_empty() {
                    "none (its inputs have no named dynamic dims)".into()
                } else {
                    known_dims.join(", ")
                },
            });
        }
    }
    let mut names: Vec<String> = Vec::new();
    let mut models = Vec::new();
    for (path, model) in request.files.iter().zip(protos) {
        let name = unique_name(path, &names);
        names.push(name.clone());
        models.push(load_one(
            path,
            model,
            name,
            request,
            ep,
            variants_dir,
            intra_threads,
        )?);
    }
    Ok(models)
}

/// The file's stem, made safe for ids and unique among `taken` (`model`, `model-2`, ...).
fn unique_name(path: &Path, taken: &[String]) -> String {
    let stem = path
        .file_stem()
        .map_or_else(|| "model".into(), |s| s.to_string_lossy().into_owned())
        .replace(['+', '/', ' '], "-");
    let mut name = stem.clone();
    let mut n = 1;
    while taken.contains(&name) {
        n += 1;
        name = format!("{stem}-{n}");
    }
    name
}

fn load_one(
    path: &Path,
    mut model: crate::onnx::ModelProto,
    name: String,
    request: &ModelRequest,
    ep: &Ep,
    variants_dir: &Path,
    intra_threads: usize,
) -> Result<LoadedModel, ModelStudyError> {
    let bad = |reason: String| ModelStudyError::Model {
        path: path.to_path_buf(),
        reason,
    };
    check_benchmarkable(&model, &name)?;
    let mut session = SessionConfig::new(Ep::Cpu)
        .intra_threads(intra_threads)
        .build(path)
        .map_err(|e| bad(format!("ONNX Runtime cannot load it: {e}")))?
        .session;
    let declared = declared_dims(&declared_shapes(&session));
    let (inputs, shapes) = match &request.inputs {
        Some(npz) => {
            let given = read_npz(npz)?;
            workload::check_inputs(&session, &given, &name)?;
            (
                InputSource::Npz(npz.clone()),
                in_model_order(&session, &given),
            )
        }
        None => {
            let shapes = InputShapes::declared(&session, &request.dims.by_name)?;
            (InputSource::Synthesised(shapes.clone()), shapes)
        }
    };
    let dtype = FloatType::of_model(&model);
    let original = ModelFile {
        name: name.clone(),
        path: path.to_path_buf(),
        inputs,
        batch: shapes
            .batch()
            .and_then(|b| u32::try_from(b).ok())
            .unwrap_or(1),
        dtype,
        approximates_gelu: false,
        reference: Reference {
            name: name.clone(),
            path: path.to_path_buf(),
            dtype,
        },
    };
    let cost = run_once(&mut session, &original, request.inputs.is_none()).map_err(bad)?;

    let external = external::has_external_data(&model);
    if external {
        let dir = path.parent().unwrap_or(Path::new("."));
        external::load_external_data(&mut model, dir).map_err(|e| bad(e.to_string()))?;
    }
    let survey = rewrite::survey(&model).map_err(|e| bad(e.to_string()))?;
    let rewrites = variants::rewrites(&survey, declared.any_dynamic, &shapes, ep);
    let interventions =
        variants::interventions(&model, external, &original, &rewrites, variants_dir);
    let batches = match &declared.batch_dim {
        Some(_) => variants::batches(&original, &shapes),
        None => Vec::new(),
    };
    Ok(LoadedModel {
        name,
        original: Arc::new(original),
        survey,
        shapes,
        batch_dim: declared.batch_dim,
        interventions,
        batches,
        cost,
    })
}

/// The shapes of `given`, in the model's input order.
fn in_model_order(session: &Session, given: &[(String, ort::value::DynValue)]) -> InputShapes {
    let shapes = InputShapes::of(given);
    InputShapes::new(
        session
            .inputs()
            .iter()
            .filter_map(|o| Some((o.name().to_string(), shapes.get(o.name())?.to_vec())))
            .collect(),
    )
}

/// Runs the model once on the CPU EP with its inputs: a model that cannot is an error now, not
/// a row of failures later. The run's time sets how many runs are timed.
fn run_once(session: &mut Session, model: &ModelFile, synthesised: bool) -> Result<Cost, String> {
    let inputs = model.inputs_for(session).map_err(|e| e.to_string())?;
    let started = Instant::now();
    let ran = session.run(&inputs[..]).map(drop);
    let took = started.elapsed();
    ran.map_err(|e| {
        let hint = if synthesised {
            format!(
                "; the inputs were {}: give the dynamic dims other sizes with --dims NAME=SIZE, \
                 or real inputs with --inputs FILE.npz",
                model.inputs.describe()
            )
        } else {
            String::new()
        };
        format!("it does not run on ONNX Runtime's CPU EP with its inputs: {e}{hint}")
    })?;
    // The first run pays for allocations the timed ones do not, so this errs towards fewer
    // iterations.
    Ok(match took.as_secs_f64() * 1e3 {
        ms if ms < 0.2 => Cost::Tiny,
        ms if ms < 20.0 => Cost::Light,
        _ => Cost::Heavy,
    })
}

/// The declared input shapes (`-1` for a dynamic dim) and dim names of `session`.
fn declared_shapes(session: &Session) -> Vec<(Vec<i64>, Vec<String>)> {
    session
        .inputs()
        .iter()
        .filter_map(|o| match o.dtype() {
            ValueType::Tensor {
                shape,
                dimension_symbols,
                ..
            } => Some((shape.to_vec(), dimension_symbols.to_vec())),
            _ => None,
        })
        .collect()
}

/// What the declared shapes say about dynamic dims.
struct DeclaredDims {
    /// Some input has a dynamic dim.
    any_dynamic: bool,
    /// Every input's first axis is dynamic: its common name, or `the first axis`.
    batch_dim: Option<String>,
}

fn declared_dims(inputs: &[(Vec<i64>, Vec<String>)]) -> DeclaredDims {
    let any_dynamic = inputs.iter().any(|(shape, _)| shape.iter().any(|&d| d < 0));
    let first_dynamic =
        !inputs.is_empty() && inputs.iter().all(|(shape, _)| shape.first() == Some(&-1));
    let batch_dim = first_dynamic.then(|| {
        let names: Vec<&str> = inputs
            .iter()
            .map(|(_, symbols)| symbols.first().map_or("", String::as_str))
            .collect();
        match names.first() {
            Some(first) if !first.is_empty() && names.iter().all(|n| n == first) => {
                first.to_string()
            }
            _ => "the first axis".to_string(),
        }
    });
    DeclaredDims {
        any_dynamic,
        batch_dim,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_batch_dim_is_the_first_axis_when_every_input_has_it_dynamic() {
        let input = |shape: &[i64], names: &[&str]| {
            (
                shape.to_vec(),
                names.iter().map(|n| n.to_string()).collect::<Vec<_>>(),
            )
        };
        let named = declared_dims(&[
            input(&[-1, -1], &["batch", "seq"]),
            input(&[-1, -1], &["batch", "seq"]),
        ]);
        assert!(named.any_dynamic);
        assert_eq!(named.batch_dim.as_deref(), Some("batch"));
        let unnamed = declared_dims(&[input(&[-1, 8], &["", ""])]);
        assert_eq!(unnamed.batch_dim.as_deref(), Some("the first axis"));
        let fixed_batch = declared_dims(&[input(&[1, -1], &["", "seq"])]);
        assert!(fixed_batch.any_dynamic && fixed_batch.batch_dim.is_none());
        let static_model = declared_dims(&[input(&[1, 8], &["", ""])]);
        assert!(!static_model.any_dynamic && static_model.batch_dim.is_none());
    }

    #[test]
    fn names_are_safe_for_ids_and_unique() {
        let taken = vec!["bert".to_string()];
        assert_eq!(unique_name(Path::new("a/bert.onnx"), &taken), "bert-2");
        assert_eq!(unique_name(Path::new("x+y z.onnx"), &[]), "x-y-z");
    }
}
