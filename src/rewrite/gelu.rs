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

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use crate::onnx::proto::{AttributeProto, ModelProto, NodeProto, data_type};

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

/// A matched decomposed GELU: its input, output, and node indices.
struct Match {
    x: String,
    y: String,
    nodes: Vec<usize>,
    float_type: i32,
}

/// Replaces every exact GELU of the main graph. Returns the sites, empty when there is none
/// (the model is then unchanged).
pub fn gelu_to_tanh(model: &mut ModelProto, form: GeluForm) -> Result<Vec<GeluSite>, RewriteError> {
    let opset = default_opset(model);
    let inferred = infer(model)?;
    let graph = model.graph.as_ref().ok_or(RewriteError::NoGraph)?;
    let constants = small_constants(model, graph, 1);
    let uses = consumers(graph);
    let made_by = producers(graph);
    let scalar = |name: &str| -> Option<(f64, i32)> {
        let c = constants.get(name)?;
        Some((c.as_float_scalar()?, c.elem_type))
    };
    let only_consumer = |value: &str| -> Option<usize> {
        match uses.get(value).map(Vec::as_slice) {
            Some([single]) => Some(*single),
            _ => None,
        }
    };
    let other = |node: &NodeProto, this: &str| -> Option<String> {
        match node.input.as_slice() {
            [a, b] if a == this => Some(b.clone()),
            [a, b] if b == this => Some(a.clone()),
            _ => None,
        }
    };
    let is = |index: usize, op: &str| {
        let n = &graph.node[index];
        n.op_type == op && (n.domain.is_empty() || n.domain == "ai.onnx")
    };
    let float_of = |name: &str, fallback: i32| {
        inferred
            .value(name)
            .map(|v| v.elem_type)
            .filter(|&t| t != 0)
            .unwrap_or(fallback)
    };

    let mut matches: Vec<Match> = Vec::new();
    let mut ops: Vec<(usize, &'static str)> = Vec::new();
    for (index, node) in graph.node.iter().enumerate() {
        if node.op_type == "Gelu" && node.domain == "com.microsoft" {
            ops.push((index, "com.microsoft:Gelu"));
            continue;
        }
        if is(index, "Gelu") {
            let approximate = node
                .attribute
                .iter()
                .find(|a| a.name == "approximate")
                .and_then(|a| a.s.as_deref())
                .unwrap_or(b"none");
            if approximate == b"none" {
                ops.push((index, "Gelu"));
            }
            continue;
        }
        if !is(index, "Erf") {
            continue;
        }
        let found = (|| -> Option<Match> {
            let erf = node;
            let scaled = erf.input.first()?;
            let scale_index = *made_by.get(scaled.as_str())?;
            let scale = &graph.node[scale_index];
            let x = if is(scale_index, "Div") {
                let x = scale.input.first()?.clone();
                close(scalar(scale.input.get(1)?)?.0, SQRT_2).then_some(x)?
            } else if is(scale_index, "Mul") {
                let (x, c) = match scale.input.as_slice() {
                    [a, b] if scalar(b).is_some() => (a.clone(), b),
                    [a, b] if scalar(a).is_some() => (b.clone(), a),
                    _ => return None,
                };
                close(scalar(c)?.0, 1.0 / SQRT_2).then_some(x)?
            } else {
                return None;
            };
            (only_consumer(scaled)? == index).then_some(())?;
            let erf_out = erf.output.first()?;
            let add_index = only_consumer(erf_out)?;
            is(add_index, "Add").then_some(())?;
            let add = &graph.node[add_index];
            let (one, float_type) = scalar(&other(add, erf_out)?)?;
            close(one, 1.0).then_some(())?;
            let plus = add.output.first()?;
            let m1_index = only_consumer(plus)?;
            is(m1_index, "Mul").then_some(())?;
            let m1 = &graph.node[m1_index];
            let factor = other(m1, plus)?;
            let m1_out = m1.output.first()?.clone();
            let half = |name: &str| scalar(name).is_some_and(|(v, _)| close(v, 0.5));
            let mut nodes = vec![scale_index, index, add_index, m1_index];
            let y = if factor == x || half(&factor) {
                // (x * (1 + erf)) * 0.5, or (0.5 * (1 + erf)) * x.
                let m2_index = only_consumer(&m1_out)?;
                is(m2_index, "Mul").then_some(())?;
                let rest = other(&graph.node[m2_index], &m1_out)?;
                let ok = if factor == x { half(&rest) } else { rest == x };
                ok.then_some(())?;
                nodes.push(m2_index);
                graph.node[m2_index].output.first()?.clone()
            } else {
                // (x * 0.5) * (1 + erf).
                let h_index = *made_by.get(factor.as_str())?;
                is(h_index, "Mul").then_some(())?;
                (only_consumer(&factor)? == m1_index).then_some(())?;
                let h = &graph.node[h_index];
                let c = other(h, &x)?;
                half(&c).then_some(())?;
                nodes.push(h_index);
                m1_out
            };
            Some(Match {
                float_type: float_of(&x, float_type),
                x,
                y,
                nodes,
            })
        })();
        matches.extend(found);
    }
    for (index, _) in &ops {
        let node = &graph.node[*index];
        let (Some(x), Some(y)) = (node.input.first(), node.output.first()) else {
            continue;
        };
        matches.push(Match {
            float_type: float_of(x, data_type::FLOAT),
            x: x.clone(),
            y: y.clone(),
            nodes: vec![*index],
        });
    }
    if matches.is_empty() {
        return Ok(Vec::new());
    }
    let forms: HashMap<usize, &'static str> = ops.into_iter().collect();

    let use_op = form == GeluForm::GeluOp && opset >= 20;
    let graph = model.graph.as_mut().ok_or(RewriteError::NoGraph)?;
    let mut names = Names::of(graph);
    let mut shared: HashMap<i32, FormulaConstants> = HashMap::new();
    let mut replacements: HashMap<usize, Vec<NodeProto>> = HashMap::new();
    let mut removed: HashSet<usize> = HashSet::new();
    let mut sites = Vec::with_capacity(matches.len());
    for m in &matches {
        let anchor = *m.nodes.iter().min().expect("a match has nodes");
        let scope = scope_of(&graph.node[m.nodes[0]].name);
        let new_nodes = if use_op {
            vec![NodeProto {
                name: names.fresh(&format!("{scope}/Gelu")),
                op_type: "Gelu".into(),
                input: vec![m.x.clone()],
                output: vec![m.y.clone()],
                attribute: vec![AttributeProto::string("approximate", "tanh")],
                ..NodeProto::default()
            }]
        } else {
            let constants = match shared.entry(m.float_type) {
                std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
                std::collections::hash_map::Entry::Vacant(e) => {
                    e.insert(formula_constants(graph, &mut names, m.float_type)?)
                }
            };
            formula(&m.x, &m.y, &scope, constants, &mut names)
        };
        sites.push(GeluSite {
            form: forms.get(&m.nodes[0]).copied().unwrap_or("erf"),
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
    super::graph::remove_unused(graph);
    Ok(sites)
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
    graph: &mut crate::onnx::proto::GraphProto,
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
