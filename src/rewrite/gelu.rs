//! Exact GELU to its tanh approximation, in every form exporters write it:
//!
//! - `x * (1 + erf(x / sqrt(2))) * 0.5`: torch's `gelu` symbolic below opset 20
//!   (`Div, Erf, Add, Mul, Mul`), with the operands of `Add` and `Mul` in either order, the
//!   `0.5` applied first or last, and `x * (1/sqrt(2))` instead of `x / sqrt(2)`;
//! - `com.microsoft:Gelu` (ORT's fusion of the above);
//! - `Gelu` of opset 20 with `approximate="none"`.
//!
//! Each becomes `0.5 * x * (1 + tanh(sqrt(2/pi) * (x + 0.044715 * x^3)))`, written as torch's
//! `gelu(approximate="tanh")` symbolic writes it (`Mul, Mul, Mul, Add, Mul, Tanh, Add, Mul,
//! Mul`), or, where the model's opset has it and the target EP takes it, one `Gelu` node with
//! `approximate="tanh"`. The two functions differ by at most 4.7e-4 per activation
//! (`correctness::ACTIVATION_APPROXIMATION` says what that becomes at the outputs).

use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};

use serde::Serialize;

use crate::onnx::proto::{AttributeProto, GraphProto, ModelProto, NodeProto, data_type};
use crate::partitions::AnalysisGraph;

use super::RewriteError;
use super::graph::{Names, consumers, default_opset, infer, producers, small_constants};
use super::tensor::{Constant, Data};

/// How the tanh GELU is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GeluForm {
    /// The formula in elementary ops, which every EP and opset has.
    #[default]
    Formula,
    /// One `Gelu(approximate="tanh")` node where the opset is at least 20; the formula below.
    GeluOp,
}

/// One exact GELU that was replaced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GeluSite {
    /// `erf` (the decomposed form), `com.microsoft:Gelu` or `Gelu`.
    pub form: &'static str,
    /// The GELU's output value.
    pub output: String,
    /// The nodes that computed it.
    pub replaced: Vec<String>,
}

/// The constants of the formula, in the value's float type, shared by every site.
struct FormulaConstants {
    kappa: String,
    beta: String,
    one: String,
    half: String,
}

const SQRT_2: f64 = std::f64::consts::SQRT_2;

fn close(value: f64, expected: f64) -> bool {
    (value - expected).abs() <= 1e-3 * expected.abs()
}

/// A matched exact GELU: its form, input, output, and node indices.
struct Match {
    form: &'static str,
    x: String,
    y: String,
    nodes: Vec<usize>,
    float_type: i32,
}

/// Replaces every exact GELU of the main graph. Returns the sites, empty when there is none
/// (the model is then unchanged).
pub fn gelu_to_tanh(model: &mut ModelProto, form: GeluForm) -> Result<Vec<GeluSite>, RewriteError> {
    let matches = Patterns::of(model)?.matches();
    if matches.is_empty() {
        return Ok(Vec::new());
    }
    let use_op = form == GeluForm::GeluOp && default_opset(model) >= 20;
    let graph = model.graph.as_mut().ok_or(RewriteError::NoGraph)?;
    let sites = replace(graph, &matches, use_op)?;
    super::graph::remove_unused(graph);
    Ok(sites)
}

/// What matching the GELU patterns reads of the main graph.
struct Patterns<'g> {
    graph: &'g GraphProto,
    inferred: AnalysisGraph,
    constants: HashMap<String, Constant>,
    uses: HashMap<&'g str, Vec<usize>>,
    made_by: HashMap<&'g str, usize>,
}

impl<'g> Patterns<'g> {
    fn of(model: &'g ModelProto) -> Result<Self, RewriteError> {
        let inferred = infer(model)?;
        let graph = model.graph.as_ref().ok_or(RewriteError::NoGraph)?;
        Ok(Self {
            graph,
            inferred,
            constants: small_constants(model, graph, 1),
            uses: consumers(graph),
            made_by: producers(graph),
        })
    }

    /// Every exact GELU: the decomposed ones in node order, then the GELU ops in node order.
    fn matches(&self) -> Vec<Match> {
        let mut decomposed = Vec::new();
        let mut ops = Vec::new();
        for (index, node) in self.graph.node.iter().enumerate() {
            if let Some(form) = exact_gelu_op(node) {
                ops.extend(self.op_match(index, form));
            } else if self.is(index, "Erf") {
                decomposed.extend(self.decomposed(index));
            }
        }
        decomposed.extend(ops);
        decomposed
    }

    fn op_match(&self, index: usize, form: &'static str) -> Option<Match> {
        let node = &self.graph.node[index];
        let (x, y) = (node.input.first()?, node.output.first()?);
        Some(Match {
            form,
            float_type: self.float_of(x, data_type::FLOAT),
            x: x.clone(),
            y: y.clone(),
            nodes: vec![index],
        })
    }

    /// `x * (1 + erf(x / sqrt(2))) * 0.5` around the `Erf` at `erf_index`, in any of the
    /// orders the module's doc lists; every intermediate value read only by the next node.
    fn decomposed(&self, erf_index: usize) -> Option<Match> {
        let erf = &self.graph.node[erf_index];
        let scaled = erf.input.first()?;
        let scale_index = *self.made_by.get(scaled.as_str())?;
        let x = self.over_sqrt_2(scale_index)?;
        (self.only_consumer(scaled)? == erf_index).then_some(())?;
        let erf_out = erf.output.first()?;
        let add_index = self.only_consumer(erf_out)?;
        self.is(add_index, "Add").then_some(())?;
        let add = &self.graph.node[add_index];
        let (one, float_type) = self.scalar(&other(add, erf_out)?)?;
        close(one, 1.0).then_some(())?;
        let plus = add.output.first()?;
        let m1_index = self.only_consumer(plus)?;
        self.is(m1_index, "Mul").then_some(())?;
        let (last_index, y) = self.halved_product(&x, plus, m1_index)?;
        Some(Match {
            form: "erf",
            float_type: self.float_of(&x, float_type),
            x,
            y,
            nodes: vec![scale_index, erf_index, add_index, m1_index, last_index],
        })
    }

    /// The `x` of `x / sqrt(2)` or `x * (1/sqrt(2))` computed by the node at `index`.
    fn over_sqrt_2(&self, index: usize) -> Option<String> {
        let scale = &self.graph.node[index];
        if self.is(index, "Div") {
            let x = scale.input.first()?;
            close(self.scalar(scale.input.get(1)?)?.0, SQRT_2).then(|| x.clone())
        } else if self.is(index, "Mul") {
            let (x, c) = match scale.input.as_slice() {
                [a, b] if self.scalar(b).is_some() => (a, b),
                [a, b] if self.scalar(a).is_some() => (b, a),
                _ => return None,
            };
            close(self.scalar(c)?.0, 1.0 / SQRT_2).then(|| x.clone())
        } else {
            None
        }
    }

    /// The rest of the GELU after `1 + erf` (`plus`), read by the `Mul` at `m1_index`: its
    /// last node and the GELU's output.
    fn halved_product(&self, x: &str, plus: &str, m1_index: usize) -> Option<(usize, String)> {
        let m1 = &self.graph.node[m1_index];
        let factor = other(m1, plus)?;
        let m1_out = m1.output.first()?;
        if factor == x || self.is_half(&factor) {
            // (x * (1 + erf)) * 0.5, or (0.5 * (1 + erf)) * x.
            let m2_index = self.only_consumer(m1_out)?;
            self.is(m2_index, "Mul").then_some(())?;
            let m2 = &self.graph.node[m2_index];
            let rest = other(m2, m1_out)?;
            let ok = if factor == x {
                self.is_half(&rest)
            } else {
                rest == x
            };
            ok.then_some(())?;
            Some((m2_index, m2.output.first()?.clone()))
        } else {
            // (x * 0.5) * (1 + erf).
            let h_index = *self.made_by.get(factor.as_str())?;
            self.is(h_index, "Mul").then_some(())?;
            (self.only_consumer(&factor)? == m1_index).then_some(())?;
            let c = other(&self.graph.node[h_index], x)?;
            self.is_half(&c).then_some(())?;
            Some((h_index, m1_out.clone()))
        }
    }

    /// A scalar constant's value and element type.
    fn scalar(&self, name: &str) -> Option<(f64, i32)> {
        let c = self.constants.get(name)?;
        Some((c.as_float_scalar()?, c.elem_type))
    }

    fn is_half(&self, name: &str) -> bool {
        self.scalar(name).is_some_and(|(v, _)| close(v, 0.5))
    }

    /// The one node reading `value`, if exactly one does.
    fn only_consumer(&self, value: &str) -> Option<usize> {
        match self.uses.get(value).map(Vec::as_slice) {
            Some([single]) => Some(*single),
            _ => None,
        }
    }

    /// Whether the node at `index` is `op` of the default domain.
    fn is(&self, index: usize, op: &str) -> bool {
        let n = &self.graph.node[index];
        n.op_type == op && is_default_domain(n)
    }

    /// The inferred element type of `name`, or `fallback` where inference has none.
    fn float_of(&self, name: &str, fallback: i32) -> i32 {
        self.inferred
            .value(name)
            .map(|v| v.elem_type)
            .filter(|&t| t != 0)
            .unwrap_or(fallback)
    }
}

fn is_default_domain(node: &NodeProto) -> bool {
    node.domain.is_empty() || node.domain == "ai.onnx"
}

/// The form of an exact GELU op (`com.microsoft:Gelu`, or `Gelu` with `approximate="none"`).
fn exact_gelu_op(node: &NodeProto) -> Option<&'static str> {
    if node.op_type != "Gelu" {
        None
    } else if node.domain == "com.microsoft" {
        Some("com.microsoft:Gelu")
    } else if is_default_domain(node) {
        let approximate = node
            .attribute
            .iter()
            .find(|a| a.name == "approximate")
            .and_then(|a| a.s.as_deref())
            .unwrap_or(b"none");
        (approximate == b"none").then_some("Gelu")
    } else {
        None
    }
}

/// The other operand of a two-input node one of whose inputs is `this`.
fn other(node: &NodeProto, this: &str) -> Option<String> {
    match node.input.as_slice() {
        [a, b] if a == this => Some(b.clone()),
        [a, b] if b == this => Some(a.clone()),
        _ => None,
    }
}

/// Replaces each match by the tanh GELU in `graph`, and returns the sites.
fn replace(
    graph: &mut GraphProto,
    matches: &[Match],
    use_op: bool,
) -> Result<Vec<GeluSite>, RewriteError> {
    let mut names = Names::of(graph);
    let mut shared: HashMap<i32, FormulaConstants> = HashMap::new();
    let mut replacements: HashMap<usize, Vec<NodeProto>> = HashMap::new();
    let mut removed: HashSet<usize> = HashSet::new();
    let mut sites = Vec::with_capacity(matches.len());
    for m in matches {
        let anchor = *m.nodes.iter().min().expect("a match has nodes");
        let scope = scope_of(&graph.node[m.nodes[0]].name);
        let new_nodes = if use_op {
            vec![gelu_op(m, &scope, &mut names)]
        } else {
            let constants = match shared.entry(m.float_type) {
                Entry::Occupied(e) => e.into_mut(),
                Entry::Vacant(e) => e.insert(formula_constants(graph, &mut names, m.float_type)?),
            };
            formula(&m.x, &m.y, &scope, constants, &mut names)
        };
        sites.push(GeluSite {
            form: m.form,
            output: m.y.clone(),
            replaced: m
                .nodes
                .iter()
                .map(|&i| graph.node[i].name.clone())
                .collect(),
        });
        replacements.insert(anchor, new_nodes);
        removed.extend(&m.nodes);
    }
    // The replacement goes where the first replaced node was: x is computed before it and y is
    // read only after the last, so the order stays topological.
    let old = std::mem::take(&mut graph.node);
    for (index, node) in old.into_iter().enumerate() {
        if let Some(new_nodes) = replacements.remove(&index) {
            graph.node.extend(new_nodes);
        }
        if !removed.contains(&index) {
            graph.node.push(node);
        }
    }
    Ok(sites)
}

/// One `Gelu(approximate="tanh")` node in place of the match.
fn gelu_op(m: &Match, scope: &str, names: &mut Names) -> NodeProto {
    NodeProto {
        name: names.fresh(&format!("{scope}/Gelu")),
        op_type: "Gelu".into(),
        input: vec![m.x.clone()],
        output: vec![m.y.clone()],
        attribute: vec![AttributeProto::string("approximate", "tanh")],
        ..NodeProto::default()
    }
}

/// `/encoder/layer.0/intermediate/intermediate_act_fn` for
/// `/encoder/layer.0/intermediate/intermediate_act_fn/Div`.
fn scope_of(name: &str) -> String {
    match name.rsplit_once('/') {
        Some((scope, _)) => format!("{scope}/tanh_gelu"),
        None if name.is_empty() => "/tanh_gelu".into(),
        None => format!("/{name}/tanh_gelu"),
    }
}

fn formula_constants(
    graph: &mut GraphProto,
    names: &mut Names,
    float_type: i32,
) -> Result<FormulaConstants, RewriteError> {
    let mut make = |label: &str, value: f64| -> Result<String, RewriteError> {
        let name = names.fresh(&format!("tanh_gelu.{label}"));
        let constant = Constant::new(
            float_type,
            Data::Float(ndarray::ArrayD::from_elem(ndarray::IxDyn(&[]), value)),
        )
        .ok_or_else(|| {
            RewriteError::Conflict(format!(
                "GELU input has element type {float_type}, which is not a float type"
            ))
        })?;
        graph.initializer.push(constant.to_tensor(&name));
        Ok(name)
    };
    Ok(FormulaConstants {
        kappa: make("kappa", 0.044715)?,
        beta: make("sqrt_2_over_pi", (2.0 / std::f64::consts::PI).sqrt())?,
        one: make("one", 1.0)?,
        half: make("half", 0.5)?,
    })
}

/// torch's `gelu(approximate="tanh")` symbolic: the node order and operand order of
/// `torch/onnx/symbolic_opset9.py`, so that the result looks like a tanh export.
fn formula(
    x: &str,
    y: &str,
    scope: &str,
    c: &FormulaConstants,
    names: &mut Names,
) -> Vec<NodeProto> {
    let mut nodes = Vec::with_capacity(9);
    let mut op = |op: &str, inputs: [&str; 2], output: Option<&str>| -> String {
        let name = names.fresh(&format!("{scope}/{op}"));
        let out = output.map_or_else(|| names.fresh(&format!("{name}_output_0")), str::to_string);
        nodes.push(NodeProto {
            name,
            op_type: op.to_string(),
            input: inputs
                .iter()
                .filter(|i| !i.is_empty())
                .map(|i| i.to_string())
                .collect(),
            output: vec![out.clone()],
            ..NodeProto::default()
        });
        out
    };
    let square = op("Mul", [x, x], None);
    let cube = op("Mul", [x, &square], None);
    let scaled_cube = op("Mul", [&c.kappa, &cube], None);
    let inner = op("Add", [x, &scaled_cube], None);
    let scaled = op("Mul", [&c.beta, &inner], None);
    let tanh = op("Tanh", [&scaled, ""], None);
    let plus_one = op("Add", [&c.one, &tanh], None);
    let product = op("Mul", [x, &plus_one], None);
    op("Mul", [&c.half, &product], Some(y));
    nodes
}
