//! ORT's partition grouping (`CreateSupportedPartitionNodeGroups`) on small hand-built graphs
//! whose groups can be derived by hand. Support is given explicitly, so these tests exercise the
//! grouping alone.

use epbench::onnx::{Dim, ElemType, FloatType, GraphBuilder, ModelProto};
use epbench::partitions::graph::AnalysisGraph;
use epbench::partitions::grouping::group_nodes;

/// A graph of `Relu`s on a [4] float input: `nodes` are `(name, inputs)` in file order, where an
/// input is a node name or `x` (the graph input). Every node's output is a graph output, so no
/// node is dead.
fn graph(nodes: &[(&str, &[&str])]) -> AnalysisGraph {
    let mut g = GraphBuilder::new("hand", FloatType::F32);
    let dims = [Dim::from(4)];
    let x = g.input("x", ElemType::Float32, &dims);
    let mut outputs: Vec<(String, String)> = Vec::new();
    for (name, inputs) in nodes {
        let ins: Vec<String> = inputs
            .iter()
            .map(|i| {
                if *i == "x" {
                    x.clone()
                } else {
                    outputs
                        .iter()
                        .find(|(n, _)| n == i)
                        .map(|(_, o)| o.clone())
                        .unwrap_or_else(|| panic!("{i} used before it is defined"))
                }
            })
            .collect();
        let refs: Vec<&str> = ins.iter().map(String::as_str).collect();
        // Sum accepts any number of inputs, so one op type serves every shape of node.
        let out = g.op("Sum", &refs, vec![]);
        outputs.push((name.to_string(), out));
    }
    for (name, out) in &outputs {
        g.output(out, &format!("{name}_out"), ElemType::Float32, &dims);
    }
    model_graph(g.finish(14, vec![]))
}

fn model_graph(model: ModelProto) -> AnalysisGraph {
    AnalysisGraph::from_model(&model).expect("valid graph")
}

fn supported(pattern: &str) -> Vec<bool> {
    pattern.chars().map(|c| c == 'S').collect()
}

#[test]
fn chain_supported_unsupported_supported_makes_two_groups() {
    let g = graph(&[("s1", &["x"]), ("u", &["s1"]), ("s2", &["u"])]);
    let grouping = group_nodes(&g, &supported("SUS"), None);
    assert_eq!(grouping.kept, vec![vec![0], vec![2]]);
    assert_eq!(grouping.supported_nodes(), 2);
}

#[test]
fn independent_supported_node_joins_the_first_group() {
    // s1 -> u, and s2 independent: s2 is ready in the first wave and joins s1's group, while u
    // (a consumer of the group) waits for the next wave.
    let g = graph(&[("s1", &["x"]), ("u", &["s1"]), ("s2", &["x"])]);
    let grouping = group_nodes(&g, &supported("SUS"), None);
    assert_eq!(grouping.kept, vec![vec![0, 2]]);
}

#[test]
fn groups_need_not_be_connected() {
    // Chain A: a1 -> ua -> a2. Chain B: ub -> b1. ub is not on the border of the first group, so
    // it is processed at once and b1 joins a1's group although they share no edge.
    let g = graph(&[
        ("a1", &["x"]),
        ("ua", &["a1"]),
        ("a2", &["ua"]),
        ("ub", &["x"]),
        ("b1", &["ub"]),
    ]);
    let grouping = group_nodes(&g, &supported("SUSUS"), None);
    assert_eq!(grouping.kept, vec![vec![0, 4], vec![2]]);
}

#[test]
fn diamond_with_an_unsupported_arm_splits_at_the_join() {
    // s0 -> u1 -> s3 and s0 -> s2 -> s3: s3 needs u1, which must wait for the next wave, so
    // s3 cannot join s0 and s2 (that would route the group's output through the CPU and back).
    let g = graph(&[
        ("s0", &["x"]),
        ("u1", &["s0"]),
        ("s2", &["s0"]),
        ("s3", &["u1", "s2"]),
    ]);
    let grouping = group_nodes(&g, &supported("SUSS"), None);
    assert_eq!(grouping.kept, vec![vec![0, 2], vec![3]]);
}

#[test]
fn diamond_behind_an_unsupported_root_is_one_group() {
    let g = graph(&[
        ("u0", &["x"]),
        ("s1", &["u0"]),
        ("s2", &["u0"]),
        ("s3", &["s1", "s2"]),
    ]);
    let grouping = group_nodes(&g, &supported("USSS"), None);
    assert_eq!(grouping.kept, vec![vec![1, 2, 3]]);
}

#[test]
fn in_degree_counts_edges_not_producers() {
    // s1 reads s0's output twice (two edges); it must become ready only after both are counted
    // down, and the graph must still be processed completely.
    let g = graph(&[
        ("s0", &["x"]),
        ("s1", &["s0", "s0"]),
        ("u", &["s1"]),
        ("s2", &["u", "s0"]),
    ]);
    assert_eq!(g.input_edges(1).len(), 2);
    let grouping = group_nodes(&g, &supported("SSUS"), None);
    assert_eq!(grouping.kept, vec![vec![0, 1], vec![3]]);
}

#[test]
fn all_unsupported_gives_no_partition() {
    let g = graph(&[("u0", &["x"]), ("u1", &["u0"])]);
    let grouping = group_nodes(&g, &supported("UU"), None);
    assert!(grouping.kept.is_empty());
    assert!(grouping.dropped.is_empty());
}

#[test]
fn on_group_closed_can_drop_a_group() {
    let g = graph(&[
        ("s1", &["x"]),
        ("u", &["s1"]),
        ("s2", &["u"]),
        ("s3", &["s2"]),
    ]);
    let keep_multi_node = |group: &[usize]| group.len() > 1;
    let grouping = group_nodes(&g, &supported("SUSS"), Some(&keep_multi_node));
    assert_eq!(grouping.kept, vec![vec![2, 3]]);
    assert_eq!(grouping.dropped, vec![vec![0]]);
    assert_eq!(grouping.supported_nodes(), 2);
}

/// A hand-built post-level-1 tiny BERT (static b1 s128, 125 nodes) with the 2024 NeuralNetwork
/// verdicts: grouped as ORT groups supported nodes, it gives the study's 100 supported nodes in
/// 16 partitions. The partition sizes were worked out independently of this crate and are
/// pinned so that any change to the grouping shows.
#[test]
fn reproduces_the_research_simulation_of_static_tiny_bert() {
    let mut nodes: Vec<(String, Vec<String>, bool)> = Vec::new();
    let mut add = |name: &str, sup: bool, ins: &[&str]| {
        nodes.push((
            name.into(),
            ins.iter().map(|s| s.to_string()).collect(),
            sup,
        ));
    };
    fn layer_norm(add: &mut impl FnMut(&str, bool, &[&str]), p: &str, x: &str) -> String {
        let n = |s: &str| format!("{p}{s}");
        add(&n("rm1"), true, &[x]);
        add(&n("sub"), true, &[x, &n("rm1")]);
        add(&n("pow"), true, &[&n("sub")]);
        add(&n("rm2"), true, &[&n("pow")]);
        add(&n("eps"), true, &[&n("rm2")]);
        add(&n("sqrt"), true, &[&n("eps")]);
        add(&n("div"), true, &[&n("sub"), &n("sqrt")]);
        add(&n("mul"), true, &[&n("div")]);
        add(&n("add"), true, &[&n("mul")]);
        n("add")
    }
    add("gw", true, &["x"]);
    add("gt", true, &["x"]);
    add("e3", true, &["gw", "gt"]);
    add("e4", true, &["e3"]);
    let mut h = layer_norm(&mut add, "ln0", "e4");
    add("u1", false, &["x"]);
    add("u2", false, &["u1"]);
    add("ex", false, &["u2"]);
    add("c1", false, &["ex"]);
    add("sb", true, &["c1"]);
    add("c2", false, &["sb"]);
    add("w", false, &["c2", "sb"]);
    for l in 0..2 {
        let p = format!("L{l}");
        let n = |s: &str| format!("{p}{s}");
        for t in ["Q", "K", "V"] {
            add(&n(&format!("{t}m")), false, &[&h]);
            add(&n(&format!("{t}a")), true, &[&n(&format!("{t}m"))]);
            add(&n(&format!("{t}r")), true, &[&n(&format!("{t}a"))]);
            add(&n(&format!("{t}t")), true, &[&n(&format!("{t}r"))]);
        }
        add(&n("KT"), true, &[&n("Kt")]);
        add(&n("QK"), false, &[&n("Qt"), &n("KT")]);
        add(&n("dv"), true, &[&n("QK")]);
        add(&n("am"), true, &[&n("dv"), "w"]);
        add(&n("sm"), true, &[&n("am")]);
        add(&n("AV"), false, &[&n("sm"), &n("Vt")]);
        add(&n("ct"), true, &[&n("AV")]);
        add(&n("cr"), true, &[&n("ct")]);
        add(&n("om"), false, &[&n("cr")]);
        add(&n("oa"), true, &[&n("om")]);
        add(&n("res"), true, &[&n("oa"), &h]);
        let h1 = layer_norm(&mut add, &n("ln1"), &n("res"));
        add(&n("im"), false, &[&h1]);
        add(&n("ia"), true, &[&n("im")]);
        add(&n("g1"), true, &[&n("ia")]);
        add(&n("g2"), false, &[&n("g1")]);
        add(&n("g3"), true, &[&n("g2")]);
        add(&n("g4"), true, &[&n("ia"), &n("g3")]);
        add(&n("g5"), true, &[&n("g4")]);
        add(&n("fm"), false, &[&n("g5")]);
        add(&n("fa"), true, &[&n("fm")]);
        add(&n("res2"), true, &[&n("fa"), &h1]);
        h = layer_norm(&mut add, &n("ln2"), &n("res2"));
    }
    add("pg", false, &[&h]);
    add("gm", true, &["pg"]);
    add("th", true, &["gm"]);

    let spec: Vec<(&str, Vec<&str>)> = nodes
        .iter()
        .map(|(n, ins, _)| (n.as_str(), ins.iter().map(String::as_str).collect()))
        .collect();
    let spec_refs: Vec<(&str, &[&str])> = spec.iter().map(|(n, i)| (*n, i.as_slice())).collect();
    let g = graph(&spec_refs);
    let flags: Vec<bool> = nodes.iter().map(|(_, _, s)| *s).collect();
    let grouping = group_nodes(&g, &flags, None);
    assert_eq!(g.len(), 125);
    assert_eq!(grouping.supported_nodes(), 100);
    let sizes: Vec<usize> = grouping.kept.iter().map(Vec::len).collect();
    assert_eq!(
        sizes,
        [14, 10, 3, 2, 11, 2, 3, 11, 10, 3, 2, 11, 2, 3, 11, 2]
    );
}
