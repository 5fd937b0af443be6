//! Fixing dynamic input dims, by name (`--dims batch_size=1,sequence_length=128`) or per input
//! (`--shape input_ids=1x128`), as ORT's `python -m onnxruntime.tools.make_dynamic_shape_fixed`
//! does (`--dim_param`/`--dim_value`, `--input_name`/`--input_shape`), then folding the shape
//! arithmetic that became constant ([`super::fold`]) so that the graph itself is static.

use std::collections::{BTreeMap, HashSet};

use serde::Serialize;

use crate::onnx::proto::tensor_shape_proto::{Dimension, dimension};
use crate::onnx::proto::{GraphProto, ValueInfoProto, type_proto};

use super::RewriteError;

/// The dims to fix, as given.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DimFixes {
    /// `dim_param` name → size, for every input that uses the name.
    pub by_name: Vec<(String, i64)>,
    /// Input → its whole shape.
    pub by_input: Vec<(String, Vec<i64>)>,
}

impl DimFixes {
    /// Nothing asked.
    pub fn is_empty(&self) -> bool {
        self.by_name.is_empty() && self.by_input.is_empty()
    }

    /// Parses `batch_size=1,sequence_length=128` and adds it.
    ///
    /// ```
    /// let mut fixes = epbench::rewrite::DimFixes::default();
    /// fixes.add_dims("batch_size=1, sequence_length=128").unwrap();
    /// fixes.add_shape("input_ids=1x128").unwrap();
    /// assert_eq!(fixes.by_name[1], ("sequence_length".to_string(), 128));
    /// assert!(fixes.add_dims("batch=0").is_err());
    /// ```
    pub fn add_dims(&mut self, text: &str) -> Result<(), RewriteError> {
        let bad = |reason: &str| RewriteError::BadSpec {
            flag: "--dims",
            text: text.to_string(),
            reason: reason.to_string(),
        };
        for pair in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (name, value) = pair
                .split_once('=')
                .ok_or_else(|| bad("write NAME=SIZE[,NAME=SIZE...]"))?;
            let name = name.trim();
            if name.is_empty() {
                return Err(bad("a dim name is empty"));
            }
            self.by_name
                .push((name.to_string(), parse_size(value).map_err(|r| bad(&r))?));
        }
        if self.by_name.is_empty() {
            return Err(bad("no NAME=SIZE given"));
        }
        Ok(())
    }

    /// Parses `input_ids=1x128` and adds it.
    pub fn add_shape(&mut self, text: &str) -> Result<(), RewriteError> {
        let bad = |reason: &str| RewriteError::BadSpec {
            flag: "--shape",
            text: text.to_string(),
            reason: reason.to_string(),
        };
        let (name, dims) = text
            .split_once('=')
            .ok_or_else(|| bad("write INPUT=D1xD2x... (e.g. input_ids=1x128)"))?;
        let name = name.trim();
        if name.is_empty() {
            return Err(bad("the input name is empty"));
        }
        let dims: Vec<i64> = dims
            .split(['x', 'X', ','])
            .map(|d| parse_size(d).map_err(|r| bad(&r)))
            .collect::<Result<_, _>>()?;
        self.by_input.push((name.to_string(), dims));
        Ok(())
    }
}

fn parse_size(text: &str) -> Result<i64, String> {
    match text.trim().parse::<i64>() {
        Ok(v) if v > 0 => Ok(v),
        Ok(v) => Err(format!("size {v} is not positive")),
        Err(_) => Err(format!("`{}` is not a whole number", text.trim())),
    }
}

/// What fixing the dims did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DimsFixed {
    /// Every `dim_param` name that got a size.
    pub names: BTreeMap<String, i64>,
    /// The inputs whose shape changed.
    pub inputs: Vec<String>,
    /// Inputs that still have a dynamic dim.
    pub still_dynamic: Vec<String>,
}

type Dims = Vec<Option<dimension::Value>>;

fn dims_of(info: &ValueInfoProto) -> Option<Dims> {
    match info.r#type.as_ref()?.value.as_ref()? {
        type_proto::Value::TensorType(t) => Some(
            t.shape
                .as_ref()?
                .dim
                .iter()
                .map(|d| d.value.clone())
                .collect(),
        ),
        _ => None,
    }
}

fn describe(dims: &Dims) -> String {
    let parts: Vec<String> = dims
        .iter()
        .map(|d| match d {
            Some(dimension::Value::DimValue(v)) => v.to_string(),
            Some(dimension::Value::DimParam(p)) if !p.is_empty() => p.clone(),
            _ => "?".into(),
        })
        .collect();
    format!("[{}]", parts.join(", "))
}

fn is_dynamic(d: &Option<dimension::Value>) -> bool {
    !matches!(d, Some(dimension::Value::DimValue(v)) if *v > 0)
}

/// Sets the dims of `graph`'s inputs and writes the same sizes wherever the names appear
/// (outputs, `value_info`). Errors for a name no input uses, an input that does not exist, a
/// shape of the wrong rank, or a size that contradicts a fixed dim or another size given.
pub fn fix_dims(graph: &mut GraphProto, fixes: &DimFixes) -> Result<DimsFixed, RewriteError> {
    let inputs = graph_inputs(graph);
    let mut sizes = Sizes::default();
    sizes.by_name(&fixes.by_name, &inputs)?;
    let per_input = sizes.by_input(&fixes.by_input, &inputs)?;
    Ok(write_sizes(graph, &inputs, &sizes.0, &per_input))
}

/// The graph's inputs that are not initializers, with their dims.
fn graph_inputs(graph: &GraphProto) -> Vec<(String, Dims)> {
    let initializers: HashSet<&str> = graph.initializer.iter().map(|t| t.name.as_str()).collect();
    graph
        .input
        .iter()
        .filter(|i| !initializers.contains(i.name.as_str()))
        .filter_map(|i| Some((i.name.clone(), dims_of(i)?)))
        .collect()
}

/// The `dim_param` names `graph`'s inputs use (initializers aside), sorted, each once: the
/// names `--dims` accepts.
pub fn input_dim_names(graph: &GraphProto) -> Vec<String> {
    dim_names(&graph_inputs(graph))
}

/// The `dim_param` names the inputs use, sorted, each once.
fn dim_names(inputs: &[(String, Dims)]) -> Vec<String> {
    let mut names: Vec<String> = inputs
        .iter()
        .flat_map(|(_, dims)| dims.iter())
        .filter_map(|d| match d {
            Some(dimension::Value::DimParam(p)) if !p.is_empty() => Some(p.clone()),
            _ => None,
        })
        .collect();
    names.sort();
    names.dedup();
    names
}

/// The size of each `dim_param` name, from `--dims` and from the named dims of `--shape`s.
#[derive(Default)]
struct Sizes(BTreeMap<String, i64>);

impl Sizes {
    /// Records `name = value`; an error if `name` already has another size.
    fn assign(&mut self, name: &str, value: i64, source: &str) -> Result<(), RewriteError> {
        match self.0.insert(name.to_string(), value) {
            Some(previous) if previous != value => Err(RewriteError::Conflict(format!(
                "dim `{name}` is given as {previous} and as {value} ({source})"
            ))),
            _ => Ok(()),
        }
    }

    /// `--dims`: every name must be one the inputs use.
    fn by_name(
        &mut self,
        fixes: &[(String, i64)],
        inputs: &[(String, Dims)],
    ) -> Result<(), RewriteError> {
        let known_names = dim_names(inputs);
        for (name, value) in fixes {
            if !known_names.contains(name) {
                return Err(RewriteError::UnknownDim {
                    name: name.clone(),
                    known: if known_names.is_empty() {
                        "none (every input dim is fixed or unnamed; use --shape INPUT=D1xD2)".into()
                    } else {
                        known_names.join(", ")
                    },
                });
            }
            self.assign(name, *value, "--dims")?;
        }
        Ok(())
    }

    /// `--shape`: the whole shape of an existing input, of its rank, agreeing with its fixed
    /// dims; its named dims get their sizes for every other use of the name. Returns the
    /// shapes by input, for the unnamed dynamic dims.
    fn by_input(
        &mut self,
        fixes: &[(String, Vec<i64>)],
        inputs: &[(String, Dims)],
    ) -> Result<BTreeMap<String, Vec<i64>>, RewriteError> {
        let mut per_input: BTreeMap<String, Vec<i64>> = BTreeMap::new();
        for (input, shape) in fixes {
            let Some((_, dims)) = inputs.iter().find(|(n, _)| n == input) else {
                let names: Vec<&str> = inputs.iter().map(|(n, _)| n.as_str()).collect();
                return Err(RewriteError::UnknownInput {
                    name: input.clone(),
                    known: names.join(", "),
                });
            };
            if dims.len() != shape.len() {
                return Err(RewriteError::WrongRank {
                    input: input.clone(),
                    rank: dims.len(),
                    declared: describe(dims),
                    given: shape.len(),
                });
            }
            for (axis, (dim, &size)) in dims.iter().zip(shape).enumerate() {
                match dim {
                    Some(dimension::Value::DimValue(v)) if *v > 0 && *v != size => {
                        return Err(RewriteError::Conflict(format!(
                            "input `{input}` has dim {axis} fixed at {v}, but --shape gives {size}"
                        )));
                    }
                    Some(dimension::Value::DimParam(p)) if !p.is_empty() => {
                        self.assign(p, size, &format!("--shape {input}"))?;
                    }
                    _ => {}
                }
            }
            per_input.insert(input.clone(), shape.clone());
        }
        Ok(per_input)
    }
}

/// Writes the sizes into the inputs, outputs and `value_info` of `graph`.
fn write_sizes(
    graph: &mut GraphProto,
    inputs: &[(String, Dims)],
    sizes: &BTreeMap<String, i64>,
    per_input: &BTreeMap<String, Vec<i64>>,
) -> DimsFixed {
    let mut fixed = DimsFixed {
        names: sizes.clone(),
        ..DimsFixed::default()
    };
    for info in graph
        .input
        .iter_mut()
        .chain(graph.output.iter_mut())
        .chain(graph.value_info.iter_mut())
    {
        let is_input = inputs.iter().any(|(n, _)| *n == info.name);
        let whole = if is_input {
            per_input.get(&info.name)
        } else {
            None
        };
        let Some(type_proto::Value::TensorType(tensor)) =
            info.r#type.as_mut().and_then(|t| t.value.as_mut())
        else {
            continue;
        };
        let Some(shape) = tensor.shape.as_mut() else {
            continue;
        };
        if set_dims(&mut shape.dim, whole, sizes) && is_input {
            fixed.inputs.push(info.name.clone());
        }
        if is_input && shape.dim.iter().any(|d| is_dynamic(&d.value)) {
            fixed.still_dynamic.push(info.name.clone());
        }
    }
    fixed
}

/// Sets each dynamic dim from `whole` (an input's `--shape`), each named one from `sizes`.
/// Returns whether any dim changed.
fn set_dims(
    dims: &mut [Dimension],
    whole: Option<&Vec<i64>>,
    sizes: &BTreeMap<String, i64>,
) -> bool {
    let mut changed = false;
    for (axis, d) in dims.iter_mut().enumerate() {
        let size = match (&d.value, whole) {
            // A value declared again under an input's name (an output or value_info entry)
            // may have another rank: only the dims the shape has are set.
            (_, Some(shape)) if is_dynamic(&d.value) => shape.get(axis).copied(),
            (Some(dimension::Value::DimParam(p)), _) => sizes.get(p).copied(),
            _ => None,
        };
        if let Some(size) = size {
            d.value = Some(dimension::Value::DimValue(size));
            changed = true;
        }
    }
    changed
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::onnx::builder::{Dim, ElemType, value_info};

    fn graph() -> GraphProto {
        GraphProto {
            input: vec![
                value_info(
                    "ids",
                    ElemType::Int64,
                    &[Dim::from("batch"), Dim::from("seq")],
                ),
                value_info(
                    "mask",
                    ElemType::Int64,
                    &[Dim::from("batch"), Dim::from("seq")],
                ),
            ],
            output: vec![value_info(
                "out",
                ElemType::Float32,
                &[Dim::from("batch"), Dim::from("seq"), Dim::from(8)],
            )],
            ..GraphProto::default()
        }
    }

    fn fixes(dims: &str, shapes: &[&str]) -> DimFixes {
        let mut f = DimFixes::default();
        if !dims.is_empty() {
            f.add_dims(dims).unwrap();
        }
        for s in shapes {
            f.add_shape(s).unwrap();
        }
        f
    }

    #[test]
    fn names_fix_every_input_and_output_that_uses_them() {
        let mut g = graph();
        let fixed = fix_dims(&mut g, &fixes("batch=1,seq=128", &[])).unwrap();
        assert_eq!(fixed.inputs, ["ids", "mask"]);
        assert!(fixed.still_dynamic.is_empty());
        assert_eq!(describe(&dims_of(&g.output[0]).unwrap()), "[1, 128, 8]");
        // Only the batch: the sequence stays dynamic, and the report says where.
        let mut g = graph();
        let fixed = fix_dims(&mut g, &fixes("batch=2", &[])).unwrap();
        assert_eq!(fixed.still_dynamic, ["ids", "mask"]);
        assert_eq!(describe(&dims_of(&g.input[0]).unwrap()), "[2, seq]");
    }

    #[test]
    fn a_shape_names_its_dims_for_the_other_inputs() {
        let mut g = graph();
        fix_dims(&mut g, &fixes("", &["ids=1x64"])).unwrap();
        assert_eq!(describe(&dims_of(&g.input[1]).unwrap()), "[1, 64]");
    }

    #[test]
    fn a_value_declared_again_with_another_rank_gets_the_dims_the_shape_has() {
        let mut g = graph();
        g.value_info.push(value_info(
            "ids",
            ElemType::Int64,
            &[Dim::from("batch"), Dim::from("seq"), Dim::from("extra")],
        ));
        fix_dims(&mut g, &fixes("", &["ids=1x64"])).unwrap();
        assert_eq!(
            describe(&dims_of(&g.value_info[0]).unwrap()),
            "[1, 64, extra]"
        );
    }

    #[test]
    fn bad_requests_are_clear_errors() {
        let error = |dims: &str, shapes: &[&str]| {
            fix_dims(&mut graph(), &fixes(dims, shapes))
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            error("batch_size=1", &[]),
            "no input dim is named `batch_size`; the model's named dims are batch, seq"
        );
        assert!(error("", &["ids=1x2x3"]).contains("rank 2 ([batch, seq])"));
        assert!(error("", &["tokens=1x2"]).contains("its inputs are ids, mask"));
        assert!(error("seq=128", &["ids=1x64"]).contains("given as 128 and as 64"));
        let mut f = DimFixes::default();
        assert!(
            f.add_shape("ids=1xabc")
                .unwrap_err()
                .to_string()
                .contains("`abc`")
        );
        assert!(f.add_dims("batch").is_err());
    }
}
