//! Graph rewrites over epbench's own ONNX types: the study's interventions applied to any
//! model (`epbench fix`).
//!
//! - [`dims`]: fix dynamic input dims, then propagate shapes and fold the shape arithmetic that
//!   became constant ([`fold`], evaluated by [`eval`] on [`tensor`] values) — static shapes,
//!   study section 4.3;
//! - [`gelu`]: exact GELU (`Erf`) to its tanh approximation, section 4.4;
//! - [`float`]: fp16 to fp32 (and fp32 to fp16), section 4.5.
//!
//! A rewrite whose pattern is absent changes nothing and says so ([`Outcome::applied`]);
//! [`survey`] says beforehand which patterns a model has.
//! [`apply`] runs rewrites in the order given and reports, for each, the nodes it removed,
//! added and modified, found by comparing the graph before and after.
//!
//! ```no_run
//! use epbench::rewrite::{self, DimFixes, Rewrite};
//! let model = epbench::onnx::read_model("model.onnx".as_ref())?;
//! let mut dims = DimFixes::default();
//! dims.add_dims("batch_size=1,sequence_length=128")?;
//! let (fixed, outcomes) = rewrite::apply(&model, &[Rewrite::FixDims(dims), Rewrite::gelu_tanh()])?;
//! for outcome in &outcomes {
//!     println!("{}: {}", outcome.rewrite, outcome.summary);
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod dims;
mod error;
pub mod eval;
pub mod float;
pub mod fold;
pub mod gelu;
pub mod graph;
pub mod tensor;

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use serde::Serialize;

use crate::onnx::proto::{ModelProto, NodeProto};

pub use dims::{DimFixes, DimsFixed};
pub use error::RewriteError;
pub use float::{Converted, FloatTarget};
pub use gelu::{GeluForm, GeluSite};

/// One graph rewrite and its parameters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "rewrite", rename_all = "snake_case")]
pub enum Rewrite {
    /// Fix dynamic dims and fold the shape arithmetic.
    FixDims(DimFixes),
    /// Exact GELU to the tanh approximation.
    GeluTanh { form: GeluForm },
    /// Convert the float type; `keep_io_types` keeps the inputs' and outputs' type.
    Float {
        to: FloatTarget,
        keep_io_types: bool,
    },
}

impl Rewrite {
    /// GELU to the tanh formula in elementary ops.
    pub fn gelu_tanh() -> Self {
        Rewrite::GeluTanh {
            form: GeluForm::Formula,
        }
    }

    /// The rewrite's short name.
    pub fn kind(&self) -> RewriteKind {
        match self {
            Rewrite::FixDims(_) => RewriteKind::FixDims,
            Rewrite::GeluTanh { .. } => RewriteKind::GeluTanh,
            Rewrite::Float {
                to: FloatTarget::Fp32,
                ..
            } => RewriteKind::ToFp32,
            Rewrite::Float {
                to: FloatTarget::Fp16,
                ..
            } => RewriteKind::ToFp16,
        }
    }
}

/// Which rewrite, without parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RewriteKind {
    FixDims,
    GeluTanh,
    ToFp32,
    ToFp16,
}

impl fmt::Display for RewriteKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RewriteKind::FixDims => "fix-dims",
            RewriteKind::GeluTanh => "gelu-tanh",
            RewriteKind::ToFp32 => "to-fp32",
            RewriteKind::ToFp16 => "to-fp16",
        })
    }
}

/// A node named in a change list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NodeRef {
    pub name: String,
    pub op: String,
}

/// The nodes a rewrite changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Changes {
    pub removed: Vec<NodeRef>,
    pub added: Vec<NodeRef>,
    /// Same node, new inputs, outputs or attributes (a `Cast` target, a converted constant).
    pub modified: Vec<NodeRef>,
    /// Initializers before and after.
    pub initializers: (usize, usize),
}

impl Changes {
    /// Nothing changed.
    pub fn is_empty(&self) -> bool {
        self.removed.is_empty() && self.added.is_empty() && self.modified.is_empty()
    }

    /// `Shape x12, Gather x12` for a list.
    pub fn by_op(nodes: &[NodeRef]) -> String {
        crate::text::format::op_counts(nodes.iter().map(|n| n.op.as_str()))
    }
}

/// What one rewrite did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outcome {
    pub rewrite: RewriteKind,
    /// False when the pattern was absent: the model is unchanged.
    pub applied: bool,
    /// One line for people.
    pub summary: String,
    pub changes: Changes,
    /// Rewrite-specific detail.
    pub detail: Detail,
}

/// What each rewrite reports beyond the node changes.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Detail {
    Dims {
        dims: DimsFixed,
        /// Nodes folded into constants, by op.
        folded: BTreeMap<String, usize>,
        fold_passes: usize,
    },
    Gelu {
        sites: Vec<GeluSite>,
    },
    Float(Converted),
}

/// Which rewrites a model offers work for: what `epbench study --model` turns into variants.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Survey {
    /// Named dynamic dims of the graph inputs (what `--dims` can fix).
    pub dynamic_dims: Vec<String>,
    /// Exact GELUs the GELU rewrite would replace.
    pub exact_gelus: usize,
    /// Float16 initializers and declared values (what `--to fp32` would convert).
    pub float16_values: usize,
}

/// Looks for the patterns of every rewrite without changing `model`.
pub fn survey(model: &ModelProto) -> Result<Survey, RewriteError> {
    let dynamic_dims = dynamic_dim_names(model)?;
    let exact_gelus = gelu::gelu_to_tanh(&mut model.clone(), GeluForm::Formula)?.len();
    let float16_values = float::convert_float(&mut model.clone(), FloatTarget::Fp32, false)
        .map(|c| c.tensors + c.values)?;
    Ok(Survey {
        dynamic_dims,
        exact_gelus,
        float16_values,
    })
}

/// The named dynamic dims (`dim_param`) of `model`'s graph inputs, sorted, each once: the names
/// [`Rewrite::FixDims`] accepts.
pub fn dynamic_dim_names(model: &ModelProto) -> Result<Vec<String>, RewriteError> {
    let graph = model.graph.as_ref().ok_or(RewriteError::NoGraph)?;
    Ok(dims::input_dim_names(graph))
}

/// A node's identity across a rewrite: its name, or its first output for unnamed nodes.
fn key(node: &NodeProto) -> String {
    if node.name.is_empty() {
        format!("output:{}", node.output.first().map_or("", String::as_str))
    } else {
        node.name.clone()
    }
}

/// The node changes from `before` to `after`.
pub fn diff(before: &ModelProto, after: &ModelProto) -> Changes {
    let nodes = |m: &ModelProto| -> Vec<NodeProto> {
        m.graph.as_ref().map(|g| g.node.clone()).unwrap_or_default()
    };
    let (old, new) = (nodes(before), nodes(after));
    let old_by_key: HashMap<String, &NodeProto> = old.iter().map(|n| (key(n), n)).collect();
    let new_by_key: HashMap<String, &NodeProto> = new.iter().map(|n| (key(n), n)).collect();
    let r = |n: &NodeProto| NodeRef {
        name: n.name.clone(),
        op: n.op_type.clone(),
    };
    let initializers = |m: &ModelProto| m.graph.as_ref().map_or(0, |g| g.initializer.len());
    Changes {
        removed: old
            .iter()
            .filter(|n| !new_by_key.contains_key(&key(n)))
            .map(r)
            .collect(),
        added: new
            .iter()
            .filter(|n| !old_by_key.contains_key(&key(n)))
            .map(r)
            .collect(),
        modified: new
            .iter()
            .filter(|n| old_by_key.get(&key(n)).is_some_and(|o| *o != *n))
            .map(r)
            .collect(),
        initializers: (initializers(before), initializers(after)),
    }
}

/// Applies `rewrites` in order to a copy of `model`. Tensors must hold their data (load
/// external data first). Errors are the caller's (a dim name that does not exist, a shape of
/// the wrong rank); an absent pattern is an [`Outcome`] with `applied == false`.
pub fn apply(
    model: &ModelProto,
    rewrites: &[Rewrite],
) -> Result<(ModelProto, Vec<Outcome>), RewriteError> {
    let mut current = model.clone();
    let mut outcomes = Vec::with_capacity(rewrites.len());
    for rewrite in rewrites {
        let mut next = current.clone();
        let (summary, detail, applied) = apply_one(&mut next, rewrite)?;
        let changes = diff(&current, &next);
        if applied {
            current = next;
        }
        outcomes.push(Outcome {
            rewrite: rewrite.kind(),
            applied,
            summary,
            changes: if applied { changes } else { Changes::default() },
            detail,
        });
    }
    Ok((current, outcomes))
}

fn apply_one(
    model: &mut ModelProto,
    rewrite: &Rewrite,
) -> Result<(String, Detail, bool), RewriteError> {
    match rewrite {
        Rewrite::FixDims(fixes) => apply_fix_dims(model, fixes),
        Rewrite::GeluTanh { form } => apply_gelu_tanh(model, *form),
        Rewrite::Float { to, keep_io_types } => apply_float(model, *to, *keep_io_types),
    }
}

/// What a rewrite of the main graph did not enter, for its summary.
fn subgraph_note(model: &ModelProto) -> &'static str {
    match (
        model.graph.as_ref().is_some_and(graph::has_subgraphs),
        !model.functions.is_empty(),
    ) {
        (true, true) => {
            " (subgraphs of If/Loop/Scan nodes and model-local functions are left as they are)"
        }
        (true, false) => " (subgraphs of If/Loop/Scan nodes are left as they are)",
        (false, true) => " (model-local functions are left as they are)",
        (false, false) => "",
    }
}

fn apply_fix_dims(
    model: &mut ModelProto,
    fixes: &DimFixes,
) -> Result<(String, Detail, bool), RewriteError> {
    let graph = model.graph.as_mut().ok_or(RewriteError::NoGraph)?;
    let dims = dims::fix_dims(graph, fixes)?;
    if dims.inputs.is_empty() {
        let summary = "no input had a dynamic dim to fix; nothing changed".to_string();
        let detail = Detail::Dims {
            dims,
            folded: BTreeMap::new(),
            fold_passes: 0,
        };
        return Ok((summary, detail, false));
    }
    let folded = fold::fold_constants(model)?;
    let sizes: Vec<String> = dims.names.iter().map(|(n, v)| format!("{n}={v}")).collect();
    let mut summary = format!(
        "fixed {} on {} input(s); folded {} node(s) of shape arithmetic into constants",
        if sizes.is_empty() {
            "the given shapes".into()
        } else {
            sizes.join(", ")
        },
        dims.inputs.len(),
        folded.total()
    );
    if !dims.still_dynamic.is_empty() {
        summary.push_str(&format!(
            "; still dynamic: {}",
            dims.still_dynamic.join(", ")
        ));
    }
    summary.push_str(subgraph_note(model));
    let detail = Detail::Dims {
        dims,
        folded: folded.by_op,
        fold_passes: folded.passes,
    };
    Ok((summary, detail, true))
}

fn apply_gelu_tanh(
    model: &mut ModelProto,
    form: GeluForm,
) -> Result<(String, Detail, bool), RewriteError> {
    let sites = gelu::gelu_to_tanh(model, form)?;
    let applied = !sites.is_empty();
    let summary = if applied {
        let mut forms: BTreeMap<&str, usize> = BTreeMap::new();
        for s in &sites {
            *forms.entry(s.form).or_default() += 1;
        }
        let list: Vec<String> = forms.iter().map(|(f, n)| format!("{n} x {f}")).collect();
        format!(
            "replaced {} exact GELU(s) ({}) with the tanh approximation{}",
            sites.len(),
            list.join(", "),
            subgraph_note(model)
        )
    } else {
        format!(
            "no exact GELU found (Div/Erf/Add/Mul/Mul, com.microsoft:Gelu, Gelu); nothing changed{}",
            subgraph_note(model)
        )
    };
    Ok((summary, Detail::Gelu { sites }, applied))
}

fn apply_float(
    model: &mut ModelProto,
    to: FloatTarget,
    keep_io_types: bool,
) -> Result<(String, Detail, bool), RewriteError> {
    let converted = float::convert_float(model, to, keep_io_types)?;
    let applied = !converted.is_empty();
    let (from, into) = match to {
        FloatTarget::Fp32 => ("float16", "float32"),
        FloatTarget::Fp16 => ("float32", "float16"),
    };
    let summary = if applied {
        format!(
            "converted {} tensor(s), {} cast target(s) and {} declared value(s) from {from} to {into}{}{}",
            converted.tensors,
            converted.casts,
            converted.values,
            if converted.edge_casts > 0 {
                format!("; {} Cast(s) added at the edges", converted.edge_casts)
            } else {
                String::new()
            },
            subgraph_note(model)
        )
    } else {
        format!("the graph has no {from} tensors or values; nothing changed")
    };
    Ok((summary, Detail::Float(converted), applied))
}
