//! A model file that is not a zoo variant (`epbench study --model`): the user's model, or a
//! rewrite of it, with the inputs it runs on and the model its outputs must match.

use std::path::PathBuf;

use ort::session::{Session, SessionInputValue};

use super::feeds::order;
use super::{InputShapes, NamedInputs, WorkloadError, read_npz, synthesise_shaped};
use crate::onnx::FloatType;

/// Where a model file's inputs come from. Inputs are made afresh for every session, so each
/// session owns its values.
#[derive(Debug, Clone, PartialEq)]
pub enum InputSource {
    /// A numpy `.npz` file, already checked against the model.
    Npz(PathBuf),
    /// Synthesised from the declared element types (see
    /// [`synthesise_inputs`](super::synthesise_inputs)) with these shapes.
    Synthesised(InputShapes),
}

impl InputSource {
    /// The inputs, by name, for `session`.
    pub fn named(&self, session: &Session) -> Result<NamedInputs, WorkloadError> {
        match self {
            InputSource::Npz(path) => read_npz(path),
            InputSource::Synthesised(shapes) => synthesise_shaped(session, shapes),
        }
    }

    /// Where the inputs come from, for reports.
    pub fn describe(&self) -> String {
        match self {
            InputSource::Npz(path) => format!("{} (numpy .npz)", path.display()),
            InputSource::Synthesised(shapes) => format!(
                "synthesised ({}; seeded normal floats, zero ids, masks of ones)",
                shapes.describe()
            ),
        }
    }
}

/// What a model file's outputs are checked against: the user's own model on ORT's CPU EP.
#[derive(Debug, Clone, PartialEq)]
pub struct Reference {
    /// Its name in reports.
    pub name: String,
    pub path: PathBuf,
    /// Its float type.
    pub dtype: FloatType,
}

/// A model file with its inputs and its reference.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelFile {
    /// The name in benchmark ids and reports: the user's model (`bert`), or a variant of it
    /// (`bert+fix-dims`, `bert+batch4`).
    pub name: String,
    pub path: PathBuf,
    pub inputs: InputSource,
    /// Samples per run, for throughput.
    pub batch: u32,
    /// The graph's float type.
    pub dtype: FloatType,
    /// The file computes GELU with the tanh formula where the reference computes exact GELU,
    /// so their outputs may differ by the approximation.
    pub approximates_gelu: bool,
    pub reference: Reference,
}

impl ModelFile {
    /// Inputs in `session`'s input order, owned, floats cast to the session's float type.
    pub fn inputs_for(
        &self,
        session: &Session,
    ) -> Result<Vec<SessionInputValue<'static>>, WorkloadError> {
        order(session, self.inputs.named(session)?, self.name.clone())
    }

    /// Whether the file is the reference itself (same file, same float type).
    pub fn is_reference(&self) -> bool {
        self.path == self.reference.path
    }
}
