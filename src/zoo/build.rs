//! Building catalogue variants into `.onnx` files, with caching and progress reporting.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::onnx::{ModelProto, write_model};

use super::assets::{self, FetchedFile};
use super::cache::{BUILDER_VERSION, Recipe};
use super::catalogue::{Catalogue, catalogue};
use super::variant::Variant;
use super::weights::{Checkpoint, Seeded, Weights, WeightsId};
use super::{ZooError, bert, mobilenet, probe};

/// Where `epbench models build` writes models unless told otherwise (git-ignored).
pub const DEFAULT_OUT_DIR: &str = "models/generated";

/// Which weights to build with, overriding the catalogue's choice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WeightsOverride {
    /// Seeded random weights from this seed.
    Seeded(u64),
    /// A safetensors checkpoint with Hugging Face tensor names.
    Checkpoint(PathBuf),
}

/// What happens during a build, for progress displays.
#[derive(Debug, Clone, PartialEq)]
pub enum BuildEvent {
    /// The model is being built (its file did not exist yet).
    Started { variant: Variant },
    /// `done` of `total` layers or blocks have their weights and nodes.
    Progress { done: usize, total: usize },
    /// The model is being serialised and written.
    Writing { path: PathBuf },
}

/// Options of [`build_with`].
#[derive(Default)]
pub struct BuildOptions<'a> {
    /// Weights other than the catalogue's (which are seeded, or a packaged checkpoint).
    pub weights: Option<WeightsOverride>,
    /// Called as the build advances; wire it to an `indicatif` bar for large models.
    pub progress: Option<&'a dyn Fn(&BuildEvent)>,
}

/// A built (or found) model file.
#[derive(Debug, Clone, PartialEq)]
pub struct Built {
    pub variant: Variant,
    pub path: PathBuf,
    pub recipe: Recipe,
    /// True when the file already existed and nothing was built.
    pub cached: bool,
    /// Time spent, including weight generation and writing.
    pub elapsed: Duration,
}

/// Something that names a variant: a [`Variant`] or its name (file names accepted).
pub trait IntoVariant {
    fn into_variant(self) -> Result<Variant, ZooError>;
}

impl IntoVariant for Variant {
    fn into_variant(self) -> Result<Variant, ZooError> {
        Ok(self)
    }
}

impl IntoVariant for &Variant {
    fn into_variant(self) -> Result<Variant, ZooError> {
        Ok(*self)
    }
}

impl IntoVariant for &str {
    fn into_variant(self) -> Result<Variant, ZooError> {
        Variant::from_file_name(self)
    }
}

impl IntoVariant for &String {
    fn into_variant(self) -> Result<Variant, ZooError> {
        Variant::from_file_name(self)
    }
}

/// Builds a catalogue variant into `out_dir` with the catalogue's weights, unless a file with
/// its recipe hash is already there, and returns the file's path.
///
/// ```no_run
/// let path = epbench::zoo::build("tiny-systems-bert_gelu_fp32_static_b1_s128", "models/generated")?;
/// # Ok::<(), epbench::zoo::ZooError>(())
/// ```
pub fn build(variant: impl IntoVariant, out_dir: impl AsRef<Path>) -> Result<PathBuf, ZooError> {
    Ok(build_with(variant, out_dir.as_ref(), &BuildOptions::default())?.path)
}

/// [`build`] with options: other weights, progress reporting; returns what was done.
pub fn build_with(
    variant: impl IntoVariant,
    out_dir: &Path,
    options: &BuildOptions<'_>,
) -> Result<Built, ZooError> {
    let started = Instant::now();
    let variant = variant.into_variant()?;
    let catalogue = catalogue()?;
    if !catalogue.contains(&variant) {
        return Err(ZooError::NotInCatalogue {
            name: variant.to_string(),
        });
    }
    let plan = WeightPlan::new(catalogue, &variant, options.weights.as_ref())?;
    let recipe = Recipe {
        builder_version: BUILDER_VERSION,
        variant,
        config: config_json(catalogue, &variant)?,
        weights: plan.id(),
    };
    let path = recipe.path_in(out_dir);
    if path.is_file() {
        return Ok(Built {
            variant,
            path,
            recipe,
            cached: true,
            elapsed: started.elapsed(),
        });
    }
    let report = |event: BuildEvent| {
        if let Some(progress) = options.progress {
            progress(&event);
        }
    };
    report(BuildEvent::Started { variant });
    let mut on_progress = |done: usize, total: usize| report(BuildEvent::Progress { done, total });
    let mut model = build_model(catalogue, &variant, plan, &mut on_progress)?;
    model.metadata_props.extend(
        [
            ("epbench.variant", variant.to_string()),
            ("epbench.recipe", recipe.to_json()),
            ("epbench.recipe_hash", recipe.hash()),
        ]
        .into_iter()
        .map(|(key, value)| crate::onnx::proto::StringStringEntryProto {
            key: key.to_string(),
            value,
        }),
    );
    std::fs::create_dir_all(out_dir).map_err(|e| ZooError::io("create", out_dir, e))?;
    report(BuildEvent::Writing { path: path.clone() });
    write_model(&model, &path)?;
    Ok(Built {
        variant,
        path,
        recipe,
        cached: false,
        elapsed: started.elapsed(),
    })
}

/// Copies a built model to `dir/<variant>.onnx`, the name the study and the README use (the
/// cache keeps its recipe-hash name), and returns that path. The copy is written beside its
/// target and renamed into place, so nobody reads half a model, and replaces an older one.
pub fn copy_named(built: &Built, dir: &Path) -> Result<PathBuf, ZooError> {
    std::fs::create_dir_all(dir).map_err(|e| ZooError::io("create", dir, e))?;
    let target = dir.join(built.variant.file_name());
    let mut staged = tempfile::NamedTempFile::new_in(dir)
        .map_err(|e| ZooError::io("create a file in", dir, e))?;
    let mut source =
        std::fs::File::open(&built.path).map_err(|e| ZooError::io("open", &built.path, e))?;
    std::io::copy(&mut source, staged.as_file_mut())
        .map_err(|e| ZooError::io("copy", &built.path, e))?;
    staged
        .persist(&target)
        .map_err(|e| ZooError::io("write", &target, e.error))?;
    Ok(target)
}

/// Builds the model of a catalogue variant in memory, with the catalogue's weights.
pub fn build_in_memory(variant: &Variant) -> Result<ModelProto, ZooError> {
    let catalogue = catalogue()?;
    let plan = WeightPlan::new(catalogue, variant, None)?;
    build_model(catalogue, variant, plan, &mut |_, _| {})
}

/// The catalogue configuration that shapes `variant`, as JSON for the recipe.
fn config_json(catalogue: &Catalogue, variant: &Variant) -> Result<serde_json::Value, ZooError> {
    let value = match variant {
        Variant::Transformer(t) => serde_json::to_value(&catalogue.transformer(t.model)?.config),
        Variant::Vision(v) => serde_json::to_value(&catalogue.vision(v.model)?.config),
        Variant::Add64k | Variant::Probe(_) => Ok(serde_json::Value::Null),
    };
    value.map_err(|e| ZooError::Catalogue(e.to_string()))
}

/// Where a build's weights will come from, known before any weight is loaded so that a cached
/// model costs nothing.
enum WeightPlan {
    None,
    Seeded(Seeded),
    /// A packaged checkpoint, its hash known from the package cache; read only if needed.
    Packaged(FetchedFile),
    /// A user's checkpoint, already read (hashing it needed its bytes anyway).
    Opened(Checkpoint),
}

impl WeightPlan {
    fn new(
        catalogue: &Catalogue,
        variant: &Variant,
        choice: Option<&WeightsOverride>,
    ) -> Result<Self, ZooError> {
        let model = variant.model_name();
        Ok(match (variant, choice) {
            (Variant::Add64k, _) => WeightPlan::None,
            (_, Some(WeightsOverride::Seeded(seed))) => {
                WeightPlan::Seeded(Seeded::new(*seed, model))
            }
            (_, Some(WeightsOverride::Checkpoint(path))) => {
                WeightPlan::Opened(Checkpoint::open(path)?)
            }
            (Variant::Probe(_), None) => WeightPlan::Seeded(Seeded::new(probe::PROBE_SEED, model)),
            (Variant::Transformer(t), None) => match &catalogue.transformer(t.model)?.checkpoint {
                Some(file) => WeightPlan::Packaged(assets::fetch(file)?),
                None => WeightPlan::Seeded(Seeded::new(catalogue.seed, model)),
            },
            (Variant::Vision(_), None) => WeightPlan::Seeded(Seeded::new(catalogue.seed, model)),
        })
    }

    fn id(&self) -> Option<WeightsId> {
        match self {
            WeightPlan::None => None,
            WeightPlan::Seeded(s) => Some(s.id()),
            WeightPlan::Packaged(file) => Some(WeightsId::Checkpoint {
                sha256: file.sha256.clone(),
            }),
            WeightPlan::Opened(checkpoint) => Some(checkpoint.id()),
        }
    }

    fn load(self) -> Result<Option<Box<dyn Weights>>, ZooError> {
        Ok(match self {
            WeightPlan::None => None,
            WeightPlan::Seeded(s) => Some(Box::new(s)),
            WeightPlan::Packaged(file) => Some(Box::new(Checkpoint::open_with_hash(
                &file.path,
                &file.sha256,
            )?)),
            WeightPlan::Opened(checkpoint) => Some(Box::new(checkpoint)),
        })
    }
}

fn build_model(
    catalogue: &Catalogue,
    variant: &Variant,
    plan: WeightPlan,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<ModelProto, ZooError> {
    let weights = plan.load()?;
    match (variant, weights) {
        (Variant::Add64k, _) => Ok(probe::add_64k()),
        (Variant::Transformer(t), Some(mut w)) => {
            let config = &catalogue.transformer(t.model)?.config;
            bert::build(config, t, w.as_mut(), progress)
        }
        (Variant::Vision(v), Some(mut w)) => {
            let config = &catalogue.vision(v.model)?.config;
            mobilenet::build(config, v, w.as_mut(), progress)
        }
        (Variant::Probe(p), Some(mut w)) => {
            probe::probe_chain_with(p.k, p.cut, p.hidden, w.as_mut())
        }
        (_, None) => Err(ZooError::Catalogue(format!("{variant} needs weights"))),
    }
}
