//! What a benchmark runs: a zoo variant, or a model file of the user's (`epbench study
//! --model`). The zoo's benchmarks (criterion, upgrade checks) are over [`Variant`]s; the study
//! runs either, so its cases are over [`Workload`].

use std::path::Path;
use std::sync::Arc;

use ort::session::{Session, SessionInputValue};

use crate::onnx::FloatType;
use crate::workload::{Feeds, ModelFile, WorkloadError};
use crate::zoo::{self, Variant};

/// A zoo variant or a model file.
#[derive(Debug, Clone, PartialEq)]
pub enum Workload {
    /// Built into the models folder on first use, fed the zoo's inputs.
    Zoo(Variant),
    /// The user's model or a rewrite of it, fed the inputs given for it.
    File(Arc<ModelFile>),
}

impl From<Variant> for Workload {
    fn from(variant: Variant) -> Self {
        Workload::Zoo(variant)
    }
}

impl Workload {
    /// The name in benchmark ids and reports: the variant's, or the file's.
    pub fn name(&self) -> String {
        match self {
            Workload::Zoo(variant) => variant.to_string(),
            Workload::File(file) => file.name.clone(),
        }
    }

    /// The zoo variant, if it is one.
    pub fn zoo(&self) -> Option<Variant> {
        match self {
            Workload::Zoo(variant) => Some(*variant),
            Workload::File(_) => None,
        }
    }

    /// Samples per run.
    pub fn batch(&self) -> u32 {
        match self {
            Workload::Zoo(variant) => variant.batch(),
            Workload::File(file) => file.batch,
        }
    }

    /// The graph's float type, where known.
    pub fn dtype(&self) -> Option<FloatType> {
        match self {
            Workload::Zoo(variant) => variant.dtype(),
            Workload::File(file) => Some(file.dtype),
        }
    }

    /// The model file: a zoo variant built into (or found in) `models_dir`, or the file itself.
    pub fn model_path(&self, models_dir: &Path) -> Result<std::path::PathBuf, zoo::ZooError> {
        match self {
            Workload::Zoo(variant) => zoo::build(*variant, models_dir),
            Workload::File(file) => Ok(file.path.clone()),
        }
    }

    /// Inputs for `session` in its input order: the zoo's for a variant (tokenizers kept in
    /// `feeds`), the file's own otherwise.
    pub fn inputs(
        &self,
        session: &Session,
        feeds: &mut Feeds,
    ) -> Result<Vec<SessionInputValue<'static>>, WorkloadError> {
        match self {
            Workload::Zoo(variant) => feeds.for_session(session, Some(variant)),
            Workload::File(file) => file.inputs_for(session),
        }
    }
}
