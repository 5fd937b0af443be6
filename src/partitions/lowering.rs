//! Undoing what the CPU EP did to a graph after partitioning, so that the graph ORT saved is the
//! graph the CoreML EP's `GetCapability` saw.
//!
//! The level-1 graph epbench saves comes from a CPU-only session, and two things happen there
//! only because the CPU EP took every node (`core/session/inference_session.cc` after
//! `GraphPartitioner::Partition`; COREML_EP_NOTES.md "Careful with fp16 graphs"):
//!
//! - `InsertCastTransformer` wraps ops the CPU has no float16 kernel for in `Cast`s to float32
//!   and back; the casts are named `InsertedPrecisionFreeCast_<value>`, and the values between
//!   them get the same prefix;
//! - function ops no EP claimed (float16 `Softmax` on the CPU) are inlined into their bodies,
//!   whose nodes have no name and outputs named `_inlfunc_<Op>[_token_<n>]_<...>`.
//!
//! Both are reversed here: the casts are removed and each inlined body is folded back into one
//! node of its op type. The folded node gets no attributes (the originals are gone), which for
//! `Softmax` means the default axis, the one exporters write. A CoreML session on a float16
//! graph may still log a larger node count: ORT re-runs `GetCapability` after inlining a
//! function op that CoreML rejected (4 extra nodes per inlined `Softmax`).

use std::collections::{HashMap, HashSet};

use crate::onnx::proto::{ModelProto, NodeProto};

const INSERTED_CAST: &str = "InsertedPrecisionFreeCast_";
const INLINED: &str = "_inlfunc_";

/// A level-1 graph with the CPU EP's lowering undone, and the bodies of the function nodes ORT
/// had inlined (which the CoreML EP sees instead of the node when it rejects it).
#[derive(Debug, Clone)]
pub struct Lowered {
    /// The graph the CoreML EP's first `GetCapability` saw.
    pub model: ModelProto,
    /// Function nodes restored in `model`, with the nodes ORT inlined for them.
    pub inlined: Vec<InlinedFunction>,
}

/// One function node of the original model that the CPU session inlined.
#[derive(Debug, Clone)]
pub struct InlinedFunction {
    /// The restored node's first output (the key to find it in the graph).
    pub output: String,
    /// The body nodes ORT put in its place, in graph order.
    pub body: Vec<NodeProto>,
}

/// ONNX ops whose schema has a function body at these versions (onnx 1.23.2, `has_function or
/// has_context_dependent_function`): the ones ORT inlines when no EP has a kernel for them
/// (`InlineNodes` in `core/framework/graph_partitioner.cc`).
#[rustfmt::skip]
const FUNCTION_OPS: &[(&str, &[i64])] = &[
    ("AffineGrid", &[20]), ("Attention", &[23, 24, 25]), ("Bernoulli", &[15, 22]),
    ("BlackmanWindow", &[17]), ("CastLike", &[15, 19, 21, 23, 24, 25]), ("Celu", &[12, 28]),
    ("CenterCropPad", &[18]), ("Clip", &[13]), ("DynamicQuantizeLinear", &[11]), ("Elu", &[6, 22]),
    ("Gelu", &[20]), ("GreaterOrEqual", &[12, 16]), ("GroupNormalization", &[18, 21]),
    ("HammingWindow", &[17]), ("HannWindow", &[17]), ("HardSigmoid", &[6, 22]),
    ("HardSwish", &[14, 22]), ("LayerNormalization", &[17]), ("LeakyRelu", &[16]),
    ("LessOrEqual", &[12, 16]), ("LogSoftmax", &[13]), ("MeanVarianceNormalization", &[9, 13]),
    ("Mish", &[18, 22]), ("NegativeLogLikelihoodLoss", &[12, 13, 22]), ("PRelu", &[16]),
    ("RMSNormalization", &[23]), ("Range", &[11]), ("ReduceL1", &[18]), ("ReduceL2", &[18]),
    ("ReduceLogSum", &[18]), ("ReduceLogSumExp", &[18]), ("ReduceSumSquare", &[18]),
    ("Relu", &[14]), ("RotaryEmbedding", &[23]), ("Selu", &[6, 22]), ("SequenceMap", &[17]),
    ("Shrink", &[9]), ("Softmax", &[13]), ("SoftmaxCrossEntropyLoss", &[12, 13]),
    ("Softplus", &[1, 22]), ("Softsign", &[1, 22]), ("Swish", &[24]), ("ThresholdedRelu", &[10, 22]),
];

fn is_function_op(op: &str, domain: &str, opset: i64) -> bool {
    if !(domain.is_empty() || domain == "ai.onnx") {
        return false;
    }
    let since = crate::partitions::schema::since_version("", op, opset);
    FUNCTION_OPS
        .iter()
        .any(|(name, versions)| *name == op && since.is_some_and(|v| versions.contains(&v)))
}

/// Undoes the CPU EP's lowering of `level1` (ORT's saved level-1 graph). With the `original`
/// model, function nodes ORT inlined are put back as they were (attributes included) and their
/// bodies are returned; without it, inlined bodies are folded by their value names
/// ([`undo_cpu_lowering`]).
pub fn lower_back(level1: &ModelProto, original: Option<&ModelProto>) -> Lowered {
    let Some(original) = original else {
        return Lowered {
            model: undo_cpu_lowering(level1),
            inlined: Vec::new(),
        };
    };
    let mut model = level1.clone();
    let mut inlined = Vec::new();
    if let (Some(graph), Some(orig)) = (model.graph.as_mut(), original.graph.as_ref()) {
        let outputs: HashSet<String> = graph.output.iter().map(|o| o.name.clone()).collect();
        let nodes = remove_inserted_casts(std::mem::take(&mut graph.node), &outputs);
        let opset = original
            .opset_import
            .iter()
            .find(|o| o.domain.is_empty() || o.domain == "ai.onnx")
            .map_or(0, |o| o.version);
        let (nodes, found) = restore_functions(nodes, &orig.node, opset);
        graph.node = nodes;
        inlined = found;
    }
    Lowered { model, inlined }
}

/// Puts back each function node of `original` whose outputs the level-1 graph produces with
/// other, new nodes (its inlined body).
fn restore_functions(
    nodes: Vec<NodeProto>,
    original: &[NodeProto],
    opset: i64,
) -> (Vec<NodeProto>, Vec<InlinedFunction>) {
    let key = |n: &NodeProto| (n.op_type.clone(), n.name.clone(), n.output.clone());
    let known: HashSet<(String, String, Vec<String>)> = original.iter().map(key).collect();
    let producer: HashMap<&str, usize> = nodes
        .iter()
        .enumerate()
        .flat_map(|(i, n)| n.output.iter().map(move |o| (o.as_str(), i)))
        .collect();
    let mut taken: HashSet<usize> = HashSet::new();
    let mut replace: HashMap<usize, (NodeProto, Vec<usize>)> = HashMap::new();
    for f in original {
        if !is_function_op(&f.op_type, &f.domain, opset) {
            continue;
        }
        let still_there = f
            .output
            .first()
            .and_then(|o| producer.get(o.as_str()))
            .is_some_and(|&i| nodes[i].op_type == f.op_type);
        if still_there {
            continue;
        }
        let inputs: HashSet<&str> = f.input.iter().map(String::as_str).collect();
        let mut body: Vec<usize> = Vec::new();
        let mut stack: Vec<usize> = f
            .output
            .iter()
            .filter_map(|o| producer.get(o.as_str()).copied())
            .collect();
        while let Some(i) = stack.pop() {
            if body.contains(&i) || taken.contains(&i) || known.contains(&key(&nodes[i])) {
                continue;
            }
            body.push(i);
            for x in &nodes[i].input {
                if inputs.contains(x.as_str()) {
                    continue;
                }
                if let Some(&p) = producer.get(x.as_str()) {
                    stack.push(p);
                }
            }
        }
        if body.is_empty() {
            continue;
        }
        body.sort_unstable();
        taken.extend(body.iter().copied());
        replace.insert(body[0], (f.clone(), body));
    }
    let mut inlined = Vec::new();
    let mut out = Vec::with_capacity(nodes.len());
    for (i, n) in nodes.iter().enumerate() {
        if let Some((f, body)) = replace.get(&i) {
            // Function nodes inside the body (SoftmaxCrossEntropyLoss holds a
            // NegativeLogLikelihoodLoss, which ORT inlines in a further pass) stay expanded:
            // the CPU session shows only the full expansion.
            let body: Vec<NodeProto> = body.iter().map(|&b| nodes[b].clone()).collect();
            inlined.push(InlinedFunction {
                output: f.output.first().cloned().unwrap_or_default(),
                body,
            });
            out.push(f.clone());
        } else if !taken.contains(&i) {
            out.push(n.clone());
        }
    }
    (out, inlined)
}

/// True when `model` shows the CPU EP's float16 lowering.
pub fn has_cpu_lowering(model: &ModelProto) -> bool {
    model.graph.as_ref().is_some_and(|g| {
        g.node.iter().any(|n| {
            is_inserted_cast(n)
                || n.output
                    .iter()
                    .any(|o| strip_cast_prefix(o).starts_with(INLINED))
        })
    })
}

/// `model` without the casts `InsertCastTransformer` added and with inlined functions folded
/// back into single nodes. A model without either is returned unchanged.
pub fn undo_cpu_lowering(model: &ModelProto) -> ModelProto {
    let mut model = model.clone();
    if !has_cpu_lowering(&model) {
        return model;
    }
    if let Some(graph) = model.graph.as_mut() {
        let outputs: HashSet<String> = graph.output.iter().map(|o| o.name.clone()).collect();
        let nodes = std::mem::take(&mut graph.node);
        let nodes = remove_inserted_casts(nodes, &outputs);
        graph.node = fold_inlined_functions(nodes, &outputs);
    }
    model
}

fn is_inserted_cast(node: &NodeProto) -> bool {
    node.op_type == "Cast" && node.name.starts_with(INSERTED_CAST)
}

fn strip_cast_prefix(name: &str) -> &str {
    name.strip_prefix(INSERTED_CAST).unwrap_or(name)
}

fn remove_inserted_casts(nodes: Vec<NodeProto>, graph_outputs: &HashSet<String>) -> Vec<NodeProto> {
    // Each removed cast makes its output an alias of its input. A graph output must keep its
    // name, so there the alias runs the other way: the cast's input takes the output's name.
    let mut alias: HashMap<String, String> = HashMap::new();
    for node in nodes.iter().filter(|n| is_inserted_cast(n)) {
        let (Some(input), Some(output)) = (node.input.first(), node.output.first()) else {
            continue;
        };
        if graph_outputs.contains(output) {
            alias.insert(input.clone(), output.clone());
        } else {
            alias.insert(output.clone(), input.clone());
        }
    }
    let resolve = |name: &str| {
        let mut current = name.to_string();
        let mut seen = HashSet::new();
        while let Some(next) = alias.get(&current) {
            if !seen.insert(current.clone()) {
                break;
            }
            current = next.clone();
        }
        current
    };
    nodes
        .into_iter()
        .filter(|n| !is_inserted_cast(n))
        .map(|mut n| {
            for v in n.input.iter_mut().chain(n.output.iter_mut()) {
                if !v.is_empty() {
                    *v = resolve(v);
                }
            }
            n
        })
        .collect()
}

/// `_inlfunc_Softmax_token_3_X_Exp` → (`_inlfunc_Softmax_token_3_`, `Softmax`).
fn inlined_instance(value: &str) -> Option<(String, String)> {
    let rest = strip_cast_prefix(value).strip_prefix(INLINED)?;
    let (op, rest) = rest.split_once('_')?;
    let mut prefix = format!("{INLINED}{op}_");
    if let Some(after) = rest.strip_prefix("token_") {
        let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
        if !digits.is_empty() {
            prefix.push_str(&format!("token_{digits}_"));
        }
    }
    Some((prefix, op.to_string()))
}

fn fold_inlined_functions(
    nodes: Vec<NodeProto>,
    graph_outputs: &HashSet<String>,
) -> Vec<NodeProto> {
    // Group the unnamed nodes whose outputs all belong to one inlined instance.
    let instance_of = |n: &NodeProto| -> Option<(String, String)> {
        if !n.name.is_empty() {
            return None;
        }
        let first = inlined_instance(n.output.first()?)?;
        n.output
            .iter()
            .all(|o| inlined_instance(o).as_ref() == Some(&first))
            .then_some(first)
    };
    let mut members: HashMap<String, Vec<usize>> = HashMap::new();
    let mut op_of: HashMap<String, String> = HashMap::new();
    for (i, n) in nodes.iter().enumerate() {
        if let Some((prefix, op)) = instance_of(n) {
            members.entry(prefix.clone()).or_default().push(i);
            op_of.insert(prefix, op);
        }
    }
    // The body's last node writes the function's original output name, but it reads the body's
    // internal values, which nothing outside the body can see.
    for (i, n) in nodes.iter().enumerate() {
        let reads = n
            .input
            .iter()
            .find_map(|x| inlined_instance(x).filter(|(prefix, _)| members.contains_key(prefix)));
        if let Some((prefix, _)) = reads
            && let Some(list) = members.get_mut(&prefix)
            && !list.contains(&i)
        {
            list.push(i);
        }
    }
    if members.is_empty() {
        return nodes;
    }
    let consumed_outside = |prefix: &str, value: &str| {
        graph_outputs.contains(value)
            || nodes
                .iter()
                .enumerate()
                .any(|(i, n)| !members[prefix].contains(&i) && n.input.iter().any(|x| x == value))
    };
    let mut folded: HashMap<usize, NodeProto> = HashMap::new();
    let mut skip: HashSet<usize> = HashSet::new();
    for (prefix, indices) in &members {
        let produced: HashSet<&str> = indices
            .iter()
            .flat_map(|&i| nodes[i].output.iter().map(String::as_str))
            .collect();
        let mut inputs: Vec<String> = Vec::new();
        let mut outputs: Vec<String> = Vec::new();
        for &i in indices {
            for x in &nodes[i].input {
                let internal = produced.contains(x.as_str()) || x.starts_with(INLINED);
                if !x.is_empty() && !internal && !inputs.contains(x) {
                    inputs.push(x.clone());
                }
            }
            for o in &nodes[i].output {
                if consumed_outside(prefix, o) && !outputs.contains(o) {
                    outputs.push(o.clone());
                }
            }
        }
        let first = indices.iter().copied().min().unwrap_or_default();
        // Inlined function nodes are unnamed in ORT's graph, and so is the node put back.
        folded.insert(
            first,
            NodeProto {
                op_type: op_of[prefix].clone(),
                input: inputs,
                output: outputs,
                ..NodeProto::default()
            },
        );
        skip.extend(indices.iter().copied().filter(|&i| i != first));
    }
    nodes
        .into_iter()
        .enumerate()
        .filter(|(i, _)| !skip.contains(i))
        .map(|(i, n)| folded.remove(&i).unwrap_or(n))
        .collect()
}
