//! The CoreML node-support rules on small graphs, one condition at a time, plus the shape
//! inference they rely on.

use epbench::onnx::proto::AttributeProto;
use epbench::onnx::{Dim, ElemType, FloatType, GraphBuilder};
use epbench::partitions::graph::{AnalysisGraph, Dim as GDim};
use epbench::partitions::rules::{self, RejectCategory, RuleFamily, Verdict, evaluate_node};
use epbench::partitions::{PredictOptions, predict};
use epbench::runtime::ModelFormat::{self, MlProgram, NeuralNetwork};

fn rules_2024() -> &'static RuleFamily {
    rules::rule_set("1.19.2").expect("the 2024 rules")
}

fn rules_1_27() -> &'static RuleFamily {
    rules::rule_set("1.27").expect("the 1.27 rules")
}

fn rules_1_30() -> &'static RuleFamily {
    rules::rule_set("1.30.0").expect("the 1.30 rules")
}

fn analyse(g: GraphBuilder, opset: i64) -> AnalysisGraph {
    AnalysisGraph::from_model(&g.finish(opset, vec![])).expect("valid graph")
}

/// The verdict on the (only) node of type `op`.
fn verdict(g: &AnalysisGraph, op: &str, family: &RuleFamily, format: ModelFormat) -> Verdict {
    let index = g
        .nodes()
        .iter()
        .position(|n| n.op_type == op)
        .unwrap_or_else(|| panic!("no {op} node"));
    evaluate_node(g, index, family, format, false)
}

fn rejected(v: &Verdict) -> (RejectCategory, String) {
    match v {
        Verdict::Rejected(r) => (r.category, r.reason.clone()),
        Verdict::Supported => panic!("expected a rejection"),
    }
}

fn dims(values: &[i64]) -> Vec<Dim> {
    values.iter().map(|&v| Dim::from(v)).collect()
}

/// `MatMul(x[shape], W[k, n])`.
fn matmul(shape: &[i64], k: i64, n: i64) -> AnalysisGraph {
    let mut g = GraphBuilder::new("mm", FloatType::F32);
    let x = g.input("x", ElemType::Float32, &dims(shape));
    let w = g.weight("w", &[k, n], &vec![0.0; (k * n) as usize]);
    let y = g.op("MatMul", &[&x, &w], vec![]);
    g.output(&y, "y", ElemType::Float32, &[]);
    analyse(g, 14)
}

#[test]
fn matmul_needs_2d_inputs_in_neural_network_only() {
    let g = matmul(&[1, 128, 64], 64, 32);
    let (category, reason) = rejected(&verdict(&g, "MatMul", rules_2024(), NeuralNetwork));
    assert_eq!(category, RejectCategory::Rank);
    assert_eq!(
        reason,
        "MatMul: input A has rank 3; NeuralNetwork needs 2-D inputs (gemm_op_builder.cc)"
    );
    assert!(verdict(&g, "MatMul", rules_2024(), MlProgram).is_supported());
    assert!(
        verdict(
            &matmul(&[128, 64], 64, 32),
            "MatMul",
            rules_2024(),
            NeuralNetwork
        )
        .is_supported()
    );
}

#[test]
fn matmul_with_a_computed_b_is_rejected_in_neural_network() {
    let mut g = GraphBuilder::new("mm", FloatType::F32);
    let a = g.input("a", ElemType::Float32, &dims(&[4, 8]));
    let b = g.input("b", ElemType::Float32, &dims(&[8, 4]));
    let y = g.op("MatMul", &[&a, &b], vec![]);
    g.output(&y, "y", ElemType::Float32, &dims(&[4, 4]));
    let g = analyse(g, 14);
    let (category, reason) = rejected(&verdict(&g, "MatMul", rules_1_27(), NeuralNetwork));
    assert_eq!(category, RejectCategory::NotConstant);
    assert!(reason.contains("input B"), "{reason}");
    assert!(verdict(&g, "MatMul", rules_1_27(), MlProgram).is_supported());
}

#[test]
fn overridable_initializers_are_not_constants() {
    // The Reshape target is an initializer that is also a graph input: a caller may override
    // it, so ORT's GetConstantInitializer does not return it.
    let build = |overridable: bool| {
        let mut g = GraphBuilder::new("reshape", FloatType::F32);
        let x = g.input("x", ElemType::Float32, &dims(&[2, 6]));
        let shape = g.initializer_i64("shape", &[2], &[3, 4]);
        if overridable {
            g.input("shape", ElemType::Int64, &dims(&[2]));
        }
        let y = g.op("Reshape", &[&x, &shape], vec![]);
        g.output(&y, "y", ElemType::Float32, &dims(&[3, 4]));
        analyse(g, 14)
    };
    assert!(verdict(&build(false), "Reshape", rules_2024(), NeuralNetwork).is_supported());
    let g = build(true);
    assert!(g.initializer("shape").is_some());
    assert!(g.constant_initializer("shape").is_none());
    let (category, reason) = rejected(&verdict(&g, "Reshape", rules_2024(), NeuralNetwork));
    assert_eq!(category, RejectCategory::NotConstant);
    assert!(reason.contains("overridable"), "{reason}");
}

#[test]
fn reshape_needs_static_data_and_a_constant_shape() {
    let mut g = GraphBuilder::new("reshape", FloatType::F32);
    let x = g.input("x", ElemType::Float32, &[Dim::from("batch"), Dim::from(6)]);
    let shape = g.const_i64_1d(&[0, 2, 3]);
    let y = g.op("Reshape", &[&x, &shape], vec![]);
    // A declared type wins over inference (in a saved level-1 graph it is ORT's own).
    let out_dims = [Dim::from("batch"), Dim::from(2), Dim::from(3)];
    g.output(&y, "y", ElemType::Float32, &out_dims);
    let g = analyse(g, 14);
    // The Constant node became an initializer, as ORT does at load.
    assert!(g.nodes().iter().all(|n| n.op_type != "Constant"));
    let out = g.value(&g.nodes()[0].outputs[0]).expect("typed");
    assert_eq!(
        out.shape,
        Some(vec![
            GDim::Symbolic("batch".into()),
            GDim::Fixed(2),
            GDim::Fixed(3)
        ])
    );
    let (category, _) = rejected(&verdict(&g, "Reshape", rules_2024(), NeuralNetwork));
    assert_eq!(category, RejectCategory::DynamicShape);
    // 1.31.1 MLProgram accepts dynamic data, but not a 0 that copies a symbolic dim.
    let (_, reason) = rejected(&verdict(&g, "Reshape", rules_1_27(), MlProgram));
    assert!(reason.contains("symbolic"), "{reason}");
}

/// `Gather(data[data_dims], index)` with a scalar index, the `x[:, 0]` of BERT's pooler.
fn scalar_gather(data_dims: &[Dim]) -> AnalysisGraph {
    let mut g = GraphBuilder::new("gather", FloatType::F32);
    let x = g.input("x", ElemType::Float32, data_dims);
    let index = g.const_i64_scalar(0);
    let y = g.op(
        "Gather",
        &[&x, &index],
        vec![AttributeProto::int("axis", 1)],
    );
    g.output(&y, "y", ElemType::Float32, &[]);
    analyse(g, 14)
}

#[test]
fn scalar_gather_indices() {
    let g = scalar_gather(&dims(&[1, 128, 64]));
    let (_, reason) = rejected(&verdict(&g, "Gather", rules_2024(), NeuralNetwork));
    assert!(reason.contains("scalar"), "{reason}");
    rejected(&verdict(&g, "Gather", rules_2024(), MlProgram));
    rejected(&verdict(&g, "Gather", rules_1_27(), NeuralNetwork));
    assert!(verdict(&g, "Gather", rules_1_27(), MlProgram).is_supported());
    let dynamic = scalar_gather(&[Dim::from("b"), Dim::from(128), Dim::from(64)]);
    rejected(&verdict(&dynamic, "Gather", rules_1_27(), MlProgram));
}

#[test]
fn dims_above_16384_are_rejected_even_in_initializers() {
    let mut g = GraphBuilder::new("emb", FloatType::F32);
    let ids = g.input("ids", ElemType::Int64, &dims(&[1, 8]));
    let table = g.weight("table", &[30522, 2], &vec![0.0; 30522 * 2]);
    let y = g.op("Gather", &[&table, &ids], vec![]);
    g.output(&y, "y", ElemType::Float32, &dims(&[1, 8, 2]));
    let g = analyse(g, 14);
    let (category, reason) = rejected(&verdict(&g, "Gather", rules_2024(), NeuralNetwork));
    assert_eq!(category, RejectCategory::DimLimit);
    assert!(reason.contains("30522 > 16384"), "{reason}");
}

#[test]
fn softmax_needs_a_static_shape() {
    let build = |d: Vec<Dim>| {
        let mut g = GraphBuilder::new("softmax", FloatType::F32);
        let x = g.input("x", ElemType::Float32, &d);
        let y = g.op("Softmax", &[&x], vec![AttributeProto::int("axis", -1)]);
        g.output(&y, "y", ElemType::Float32, &d);
        analyse(g, 14)
    };
    let dynamic = build(vec![Dim::from("b"), Dim::from(4)]);
    for family in [rules_2024(), rules_1_27()] {
        let (category, _) = rejected(&verdict(&dynamic, "Softmax", family, NeuralNetwork));
        assert_eq!(category, RejectCategory::DynamicShape);
    }
    // From 1.30 the builder needs a static shape only before opset 13 (softmax_op_builder.cc).
    assert!(verdict(&dynamic, "Softmax", rules_1_30(), NeuralNetwork).is_supported());
    assert!(
        verdict(
            &build(dims(&[2, 4])),
            "Softmax",
            rules_2024(),
            NeuralNetwork
        )
        .is_supported()
    );
}

#[test]
fn neural_network_cast_only_follows_argmax() {
    let mut g = GraphBuilder::new("cast", FloatType::F32);
    let x = g.input("x", ElemType::Float32, &dims(&[2, 5]));
    let arg = g.op(
        "ArgMax",
        &[&x],
        vec![
            AttributeProto::int("axis", 1),
            AttributeProto::int("keepdims", 0),
        ],
    );
    let y = g.op("Cast", &[&arg], vec![AttributeProto::int("to", 6)]);
    let z = g.op("Cast", &[&x], vec![AttributeProto::int("to", 10)]);
    g.output(&y, "y", ElemType::Int32, &dims(&[2]));
    g.output(&z, "z", ElemType::Float16, &dims(&[2, 5]));
    let g = analyse(g, 14);
    assert!(evaluate_node(&g, 1, rules_2024(), NeuralNetwork, false).is_supported());
    let (category, reason) = rejected(&evaluate_node(&g, 2, rules_2024(), NeuralNetwork, false));
    assert_eq!(category, RejectCategory::Dtype, "{reason}");
    // In MLProgram a Cast fed straight by a graph input is rejected in 2024 and allowed in 1.31.1.
    rejected(&evaluate_node(&g, 2, rules_2024(), MlProgram, false));
    assert!(evaluate_node(&g, 2, rules_1_27(), MlProgram, false).is_supported());
}

#[test]
fn neural_network_concat_takes_only_4d_channel_concats() {
    let build = |rank4: bool| {
        let mut g = GraphBuilder::new("concat", FloatType::F32);
        let d = if rank4 {
            dims(&[1, 2, 3, 3])
        } else {
            dims(&[2, 3])
        };
        let a = g.input("a", ElemType::Float32, &d);
        let b = g.input("b", ElemType::Float32, &d);
        let y = g.op("Concat", &[&a, &b], vec![AttributeProto::int("axis", 1)]);
        g.output(&y, "y", ElemType::Float32, &[]);
        analyse(g, 14)
    };
    assert!(verdict(&build(true), "Concat", rules_2024(), NeuralNetwork).is_supported());
    let (category, _) = rejected(&verdict(
        &build(false),
        "Concat",
        rules_2024(),
        NeuralNetwork,
    ));
    assert_eq!(category, RejectCategory::Rank);
    assert!(verdict(&build(false), "Concat", rules_2024(), MlProgram).is_supported());
}

#[test]
fn float16_inputs_need_mlprogram_of_the_newer_family() {
    let mut g = GraphBuilder::new("relu", FloatType::F16);
    let x = g.input("x", ElemType::Float16, &dims(&[4]));
    let y = g.op("Relu", &[&x], vec![]);
    g.output(&y, "y", ElemType::Float16, &dims(&[4]));
    let g = analyse(g, 14);
    let (category, reason) = rejected(&verdict(&g, "Relu", rules_1_27(), NeuralNetwork));
    assert_eq!(category, RejectCategory::Dtype);
    assert!(reason.contains("float16"), "{reason}");
    assert!(verdict(&g, "Relu", rules_1_27(), MlProgram).is_supported());
    rejected(&verdict(&g, "Relu", rules_2024(), MlProgram));
}

#[test]
fn ops_without_builders_and_format_only_ops() {
    let mut g = GraphBuilder::new("ops", FloatType::F32);
    let x = g.input("x", ElemType::Float32, &dims(&[4]));
    let c = g.op("Hardmax", &[&x], vec![]);
    let e = g.op("Erf", &[&c], vec![]);
    g.output(&e, "y", ElemType::Float32, &dims(&[4]));
    let g = analyse(g, 14);
    let (category, reason) = rejected(&verdict(&g, "Hardmax", rules_2024(), NeuralNetwork));
    assert_eq!(category, RejectCategory::NoBuilder);
    assert!(reason.starts_with("Hardmax: no CoreML builder"), "{reason}");
    let (category, _) = rejected(&verdict(&g, "Erf", rules_2024(), NeuralNetwork));
    assert_eq!(category, RejectCategory::Format);
    assert!(verdict(&g, "Erf", rules_2024(), MlProgram).is_supported());
}

#[test]
fn where_is_mlprogram_only_in_1_31() {
    let mut g = GraphBuilder::new("where", FloatType::F32);
    let c = g.input("c", ElemType::Bool, &dims(&[4]));
    let a = g.input("a", ElemType::Float32, &dims(&[4]));
    let b = g.input("b", ElemType::Float32, &dims(&[4]));
    let y = g.op("Where", &[&c, &a, &b], vec![]);
    g.output(&y, "y", ElemType::Float32, &dims(&[4]));
    let g = analyse(g, 14);
    assert!(verdict(&g, "Where", rules_1_27(), MlProgram).is_supported());
    rejected(&verdict(&g, "Where", rules_1_27(), NeuralNetwork));
    let (category, _) = rejected(&verdict(&g, "Where", rules_2024(), MlProgram));
    assert_eq!(category, RejectCategory::NoBuilder);
}

#[test]
fn op_versions_above_the_builders_range_are_rejected() {
    // Reshape-21 is newer than the builders' default maximum opset (20).
    let build = |opset: i64| {
        let mut g = GraphBuilder::new("reshape", FloatType::F32);
        let x = g.input("x", ElemType::Float32, &dims(&[2, 6]));
        let shape = g.initializer_i64("shape", &[2], &[3, 4]);
        let y = g.op("Reshape", &[&x, &shape], vec![]);
        g.output(&y, "y", ElemType::Float32, &dims(&[3, 4]));
        analyse(g, opset)
    };
    assert_eq!(build(21).nodes()[0].since_version, Some(21));
    let (category, _) = rejected(&verdict(&build(21), "Reshape", rules_2024(), NeuralNetwork));
    assert_eq!(category, RejectCategory::Opset);
    assert!(verdict(&build(14), "Reshape", rules_2024(), NeuralNetwork).is_supported());
}

#[test]
fn require_static_input_shapes_rejects_every_dynamic_input() {
    let mut g = GraphBuilder::new("relu", FloatType::F32);
    let x = g.input("x", ElemType::Float32, &[Dim::from("n")]);
    let y = g.op("Relu", &[&x], vec![]);
    g.output(&y, "y", ElemType::Float32, &[Dim::from("n")]);
    let g = analyse(g, 14);
    assert!(evaluate_node(&g, 0, rules_2024(), NeuralNetwork, false).is_supported());
    let (category, _) = rejected(&evaluate_node(&g, 0, rules_2024(), NeuralNetwork, true));
    assert_eq!(category, RejectCategory::DynamicShape);
}

#[test]
fn the_1_31_filter_drops_trivial_only_partitions() {
    // Relu -> Erf -> Transpose: in 1.31.1 NeuralNetwork the lone Transpose partition is
    // dropped (PR #28293), in 2024 it is kept.
    let mut g = GraphBuilder::new("trivial", FloatType::F32);
    let x = g.input("x", ElemType::Float32, &dims(&[2, 3]));
    let a = g.op("Relu", &[&x], vec![]);
    let b = g.op("Erf", &[&a], vec![]);
    let c = g.op("Transpose", &[&b], vec![]);
    g.output(&c, "y", ElemType::Float32, &dims(&[3, 2]));
    let g = analyse(g, 14);
    let old = predict(&g, PredictOptions::new(rules_2024()));
    assert_eq!((old.report.partitions, old.report.supported_nodes), (2, 2));
    let new = predict(&g, PredictOptions::new(rules_1_27()));
    assert_eq!((new.report.partitions, new.report.supported_nodes), (1, 1));
    let dropped = new
        .report
        .unsupported
        .iter()
        .find(|u| u.op == "Transpose")
        .expect("the dropped Transpose is listed");
    assert_eq!(dropped.category, RejectCategory::TrivialPartition);
}

#[test]
fn every_rule_row_cites_its_source() {
    for family in [rules_2024(), rules_1_27(), rules_1_30()] {
        assert!(!family.generic.source.is_empty());
        for rule in &family.ops {
            assert!(rule.file.ends_with(".cc"), "{}: {}", family.id, rule.op);
            assert!(!rule.citation.is_empty(), "{}: {}", family.id, rule.op);
        }
        let mut ops: Vec<&str> = family.ops.iter().map(|r| r.op).collect();
        ops.sort_unstable();
        let before = ops.len();
        ops.dedup();
        assert_eq!(before, ops.len(), "{} has duplicate rows", family.id);
    }
}

#[test]
fn a_version_gets_the_last_epoch_of_every_rule() {
    assert_eq!(rules_2024().epoch, (1, 18));
    assert_eq!(rules::rule_set("2024").map(|f| f.epoch).ok(), Some((1, 18)));
    assert_eq!(
        rules::rule_set("1.26.0").map(|f| f.epoch).ok(),
        Some((1, 18))
    );
    assert_eq!(
        rules::rule_set("1.29.1").map(|f| f.epoch).ok(),
        Some((1, 27))
    );
    assert_eq!(
        rules::rule_set("1.31.1").map(|f| f.epoch).ok(),
        Some((1, 30))
    );
    assert_eq!(rules_1_30().generic.default_max_opset, 27);
    assert_eq!(rules_2024().generic.default_max_opset, 20);
    // Where has a builder from the 1.27 epoch on, none in 2024.
    assert!(rules_2024().op("Where").is_none());
    assert!(rules_1_30().op("Where").is_some());
    let before = rules::rule_set("1.17.3").expect_err("before the first epoch");
    assert!(before.to_string().contains("1.18"), "{before}");
    assert!(rules::rule_set("latest").is_err());
}
