//! The shape of every input a model is fed: its declared dims with the dynamic ones sized (by
//! `dim_param` name, e.g. `--dims batch_size=1,sequence_length=16`), or the shapes of inputs
//! given in a file.

use ort::session::Session;
use ort::value::{DynValue, ValueType};

use super::WorkloadError;

/// The size of a dynamic dim no size was given for: 1 for the first axis (the batch), 128 for
/// the others (the study's sequence length).
pub fn default_size(axis: usize) -> usize {
    if axis == 0 { 1 } else { 128 }
}

/// One shape per model input, by name, in the model's input order.
///
/// ```
/// use epbench::workload::InputShapes;
/// let shapes = InputShapes::new(vec![("input_ids".into(), vec![1, 16])]);
/// assert_eq!(shapes.with_batch(4).describe(), "input_ids 4x16");
/// assert_eq!(shapes.batch(), Some(1));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct InputShapes(Vec<(String, Vec<usize>)>);

impl InputShapes {
    /// Shapes as given, `(input, dims)`.
    pub fn new(shapes: Vec<(String, Vec<usize>)>) -> Self {
        Self(shapes)
    }

    /// The declared shapes of `session`'s inputs, each dynamic dim sized by its `dim_param` name
    /// from `sizes`, or by [`default_size`]. Fails for an input that is not a tensor.
    pub fn declared(session: &Session, sizes: &[(String, i64)]) -> Result<Self, WorkloadError> {
        session
            .inputs()
            .iter()
            .map(|outlet| {
                let ValueType::Tensor {
                    shape,
                    dimension_symbols,
                    ..
                } = outlet.dtype()
                else {
                    return Err(WorkloadError::Inputs {
                        model: "model".into(),
                        reason: format!(
                            "input `{}` is not a tensor; epbench can only make tensors",
                            outlet.name()
                        ),
                    });
                };
                let dims = shape
                    .iter()
                    .enumerate()
                    .map(|(axis, &d)| {
                        if d >= 0 {
                            return d as usize;
                        }
                        let symbol = dimension_symbols.get(axis).map_or("", String::as_str);
                        sizes
                            .iter()
                            .find(|(name, _)| !symbol.is_empty() && name == symbol)
                            .map_or_else(|| default_size(axis), |&(_, size)| size as usize)
                    })
                    .collect();
                Ok((outlet.name().to_string(), dims))
            })
            .collect::<Result<_, _>>()
            .map(Self)
    }

    /// The shapes of `inputs` (tensors of any element type; other values are left out).
    pub fn of(inputs: &[(String, DynValue)]) -> Self {
        Self(
            inputs
                .iter()
                .filter_map(|(name, value)| match value.dtype() {
                    ValueType::Tensor { shape, .. } => Some((
                        name.clone(),
                        shape.iter().map(|&d| d.max(0) as usize).collect(),
                    )),
                    _ => None,
                })
                .collect(),
        )
    }

    /// The same shapes with the first axis of every input set to `batch`.
    pub fn with_batch(&self, batch: usize) -> Self {
        Self(
            self.0
                .iter()
                .map(|(name, dims)| {
                    let mut dims = dims.clone();
                    if let Some(first) = dims.first_mut() {
                        *first = batch;
                    }
                    (name.clone(), dims)
                })
                .collect(),
        )
    }

    /// The shape of input `name`.
    pub fn get(&self, name: &str) -> Option<&[usize]> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, dims)| dims.as_slice())
    }

    /// Every `(input, dims)`.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &[usize])> {
        self.0.iter().map(|(n, d)| (n.as_str(), d.as_slice()))
    }

    /// The first axis of the first input: the batch, for models whose inputs all start with it.
    pub fn batch(&self) -> Option<usize> {
        self.0.first().and_then(|(_, dims)| dims.first().copied())
    }

    /// `input_ids 1x16, attention_mask 1x16`.
    pub fn describe(&self) -> String {
        self.0
            .iter()
            .map(|(name, dims)| {
                let dims: Vec<String> = dims.iter().map(ToString::to_string).collect();
                format!("{name} {}", dims.join("x"))
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}
