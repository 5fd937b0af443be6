//! The user's model in the variants the study times: each of `epbench fix`'s rewrites the model
//! has work for (static dims when it has dynamic ones, tanh GELU when it has exact GELU, fp32
//! when it is fp16), written as a file, and the model at batch 1, 2, 4 and 8 when its batch dim
//! is dynamic.

use std::path::Path;
use std::sync::Arc;

use crate::fix::gelu_form_for;
use crate::onnx::external::write_rewritten;
use crate::onnx::{FloatType, ModelProto};
use crate::rewrite::{self, DimFixes, FloatTarget, Rewrite, RewriteKind, Survey};
use crate::runtime::Ep;
use crate::workload::{InputShapes, InputSource, ModelFile};

/// Batch sizes of the batch-scaling rows, as the study's plot has them.
pub const BATCHES: [u32; 4] = [1, 2, 4, 8];

/// One rewrite of the model, as a variant.
#[derive(Debug, Clone)]
pub struct Intervention {
    pub kind: RewriteKind,
    /// The variant's name, `<model>+<rewrite>`.
    pub name: String,
    /// What the rewrite did (its outcome's summary), or why it could not be made.
    pub summary: String,
    /// The rewritten model; a rewrite that fails is reported, and the study goes on.
    pub file: Result<Arc<ModelFile>, String>,
}

/// The rewrites a model with this `survey` has work for, in the order `epbench fix --for`
/// applies them (fp32, dims, GELU): static dims when `dynamic` (fixed to the `shapes` the model is fed), tanh GELU
/// (in the form `ep` takes) when the survey found exact GELU, fp32 when it found fp16 values.
pub fn rewrites(survey: &Survey, dynamic: bool, shapes: &InputShapes, ep: &Ep) -> Vec<Rewrite> {
    let mut rewrites = Vec::new();
    if survey.float16_values > 0 {
        // Inputs become fp32 too: CoreML's NeuralNetwork format takes no fp16 inputs, and the
        // study feeds either type (floats are cast to the model's).
        rewrites.push(Rewrite::Float {
            to: FloatTarget::Fp32,
            keep_io_types: false,
        });
    }
    if dynamic {
        let by_input = shapes
            .iter()
            .map(|(name, dims)| (name.to_string(), dims.iter().map(|&d| d as i64).collect()))
            .collect();
        rewrites.push(Rewrite::FixDims(DimFixes {
            by_name: Vec::new(),
            by_input,
        }));
    }
    if survey.exact_gelus > 0 {
        rewrites.push(Rewrite::GeluTanh {
            form: gelu_form_for(ep),
        });
    }
    rewrites
}

/// Applies each of `rewrites` on its own to `model` (whose tensors hold their data; `external`
/// when the original kept them outside) and writes the results into `dir` as
/// `<name>+<rewrite>.onnx`, fed like `original` and checked against it.
pub fn interventions(
    model: &ModelProto,
    external: bool,
    original: &ModelFile,
    rewrites: &[Rewrite],
    dir: &Path,
) -> Vec<Intervention> {
    rewrites
        .iter()
        .map(|rewrite| {
            let kind = rewrite.kind();
            let name = format!("{}+{kind}", original.name);
            let made = make(model, external, original, rewrite, &name, dir);
            let (summary, file) = match made {
                Ok((summary, file)) => (summary, Ok(Arc::new(file))),
                Err(reason) => (format!("not made: {reason}"), Err(reason)),
            };
            Intervention {
                kind,
                name,
                summary,
                file,
            }
        })
        .collect()
}

fn make(
    model: &ModelProto,
    external: bool,
    original: &ModelFile,
    rewrite: &Rewrite,
    name: &str,
    dir: &Path,
) -> Result<(String, ModelFile), String> {
    let (rewritten, outcomes) =
        rewrite::apply(model, std::slice::from_ref(rewrite)).map_err(|e| e.to_string())?;
    let outcome = outcomes
        .into_iter()
        .next()
        .ok_or("the rewrite reported nothing")?;
    if !outcome.applied {
        return Err(outcome.summary);
    }
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let path = dir.join(format!("{name}.onnx"));
    write_rewritten(&rewritten, &path, external).map_err(|e| e.to_string())?;
    let file = ModelFile {
        name: name.to_string(),
        path,
        inputs: original.inputs.clone(),
        batch: original.batch,
        dtype: FloatType::of_model(&rewritten),
        approximates_gelu: outcome.rewrite == RewriteKind::GeluTanh,
        reference: original.reference.clone(),
    };
    Ok((outcome.summary, file))
}

/// The model at each of [`BATCHES`], fed inputs synthesised with `shapes` at that batch (the
/// same file; only the inputs differ).
pub fn batches(original: &ModelFile, shapes: &InputShapes) -> Vec<Arc<ModelFile>> {
    BATCHES
        .iter()
        .map(|&batch| {
            Arc::new(ModelFile {
                name: format!("{}+batch{batch}", original.name),
                inputs: InputSource::Synthesised(shapes.with_batch(batch as usize)),
                batch,
                ..original.clone()
            })
        })
        .collect()
}
