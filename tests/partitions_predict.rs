//! Predictions on small graphs: the report's JSON fields, cut-makers, recommendations.

use epbench::onnx::proto::AttributeProto;
use epbench::onnx::{Dim, ElemType, FloatType, GraphBuilder, ModelProto};
use epbench::partitions::rules::{self, RuleFamily};

fn rules_2024() -> &'static RuleFamily {
    rules::rule_set("1.19.2").expect("the 2024 rules")
}

fn rules_1_27() -> &'static RuleFamily {
    rules::rule_set("1.27").expect("the 1.27 rules")
}
use epbench::partitions::{
    AnalysisGraph, AnalyzeOptions, PredictOptions, RecommendationKind, analyze_model, predict,
    recommend,
};
use epbench::runtime::ModelFormat;

/// `Relu (Erf Relu) x erfs` on a static [2, 8] input.
fn erf_chain(erfs: usize) -> ModelProto {
    let mut g = GraphBuilder::new("chain", FloatType::F32);
    let d = [Dim::from(2), Dim::from(8)];
    let mut x = g.input("x", ElemType::Float32, &d);
    x = g.op("Relu", &[&x], vec![]);
    for _ in 0..erfs {
        x = g.op("Erf", &[&x], vec![]);
        x = g.op("Relu", &[&x], vec![]);
    }
    g.output(&x, "y", ElemType::Float32, &d);
    g.finish(14, vec![])
}

#[test]
fn report_serialises_with_the_fixed_field_names() {
    let graph = AnalysisGraph::from_model(&erf_chain(2)).expect("graph");
    let prediction = predict(&graph, PredictOptions::new(rules_2024()));
    let json = serde_json::to_value(&prediction.report).expect("json");
    assert_eq!(json["source"], "predicted");
    assert_eq!(json["nodes"], 5);
    assert_eq!(json["supported_nodes"], 3);
    assert_eq!(json["partitions"], 3);
    assert_eq!(json["partition_sizes"], serde_json::json!([1, 1, 1]));
    assert_eq!(json["format"], "NeuralNetwork");
    assert_eq!(json["rule_set"]["ort_versions"], "1.18-1.26 (asked: 1.19)");
    assert!(json["rule_set"]["name"].is_string());
    let unsupported = &json["unsupported"][0];
    assert_eq!(unsupported["op"], "Erf");
    assert_eq!(unsupported["count"], 2);
    assert!(unsupported["reason"].as_str().unwrap().starts_with("Erf: "));
    assert_eq!(json["cut_makers"][0]["op"], "Erf");
}

#[test]
fn cut_makers_count_the_partitions_their_support_would_remove() {
    let graph = AnalysisGraph::from_model(&erf_chain(3)).expect("graph");
    let nn = predict(&graph, PredictOptions::new(rules_2024()));
    assert_eq!(nn.report.partitions, 4);
    let erf = &nn.report.cut_makers[0];
    assert_eq!((erf.op.as_str(), erf.rejected_nodes), ("Erf", 3));
    assert_eq!(erf.partitions_removed, 3, "4 partitions become 1");
    assert_eq!(erf.supported_nodes_gained, 3);
    // MLProgram supports Erf: nothing to cut.
    let ml = predict(
        &graph,
        PredictOptions::new(rules_2024()).with_format(ModelFormat::MlProgram),
    );
    assert_eq!(ml.report.partitions, 1);
    assert!(ml.report.cut_makers.is_empty());
}

#[test]
fn an_op_whose_support_changes_nothing_is_not_a_cut_maker() {
    // Hardmax at the end of the chain rejects one node but cuts nothing.
    let mut g = GraphBuilder::new("tail", FloatType::F32);
    let d = [Dim::from(2), Dim::from(8)];
    let x = g.input("x", ElemType::Float32, &d);
    let a = g.op("Relu", &[&x], vec![]);
    let b = g.op("Hardmax", &[&a], vec![]);
    g.output(&b, "y", ElemType::Float32, &d);
    let graph = AnalysisGraph::from_model(&g.finish(14, vec![])).expect("graph");
    let p = predict(&graph, PredictOptions::new(rules_1_27()));
    assert_eq!((p.report.partitions, p.report.supported_nodes), (1, 1));
    assert_eq!(p.report.unsupported.len(), 1);
    assert!(p.report.cut_makers.is_empty());
}

#[test]
fn erf_cuts_lead_to_fastgelu_and_mlprogram_recommendations() {
    let analysis = analyze_model(
        &erf_chain(3),
        AnalyzeOptions {
            family: rules_2024(),
            ..AnalyzeOptions::default()
        },
    )
    .expect("analysis");
    let kinds: Vec<RecommendationKind> = analysis.recommendations.iter().map(|r| r.kind).collect();
    assert!(kinds.contains(&RecommendationKind::FastGelu), "{kinds:?}");
    assert!(kinds.contains(&RecommendationKind::MlProgram), "{kinds:?}");
    assert!(kinds.contains(&RecommendationKind::PreferCpu), "{kinds:?}");
    assert!(
        !kinds.contains(&RecommendationKind::StaticShapes),
        "{kinds:?}"
    );
    let fast = &analysis.recommendations[kinds
        .iter()
        .position(|k| *k == RecommendationKind::FastGelu)
        .unwrap()];
    assert!(fast.evidence.contains("3 Erf node(s)"), "{}", fast.evidence);
    assert_eq!(analysis.predictions.len(), 2);
    let text = analysis.render_text();
    assert!(text.contains("Recommendations:"), "{text}");
}

#[test]
fn float16_rejections_lead_to_an_fp32_recommendation() {
    let mut g = GraphBuilder::new("half", FloatType::F16);
    let d = [Dim::from(1), Dim::from(8)];
    let x = g.input("x", ElemType::Float16, &d);
    let a = g.op("Relu", &[&x], vec![]);
    let b = g.op("Sigmoid", &[&a], vec![]);
    g.output(&b, "y", ElemType::Float16, &d);
    let graph = AnalysisGraph::from_model(&g.finish(14, vec![])).expect("graph");
    let nn = predict(&graph, PredictOptions::new(rules_1_27()));
    let ml = predict(
        &graph,
        PredictOptions::new(rules_1_27()).with_format(ModelFormat::MlProgram),
    );
    assert_eq!(nn.report.supported_nodes, 0);
    assert_eq!(ml.report.supported_nodes, 2);
    let kinds: Vec<RecommendationKind> = recommend(&graph, &nn, &[&ml])
        .iter()
        .map(|r| r.kind)
        .collect();
    assert!(kinds.contains(&RecommendationKind::Fp32Graph), "{kinds:?}");
    assert!(kinds.contains(&RecommendationKind::MlProgram), "{kinds:?}");
}

#[test]
fn dynamic_shape_rejections_lead_to_a_static_shapes_recommendation() {
    // Softmax on a dynamic input, and a reshape target computed from Shape at run time.
    let mut g = GraphBuilder::new("dyn", FloatType::F32);
    let d = [Dim::from("batch"), Dim::from(8)];
    let x = g.input("x", ElemType::Float32, &d);
    let s = g.op("Softmax", &[&x], vec![AttributeProto::int("axis", -1)]);
    let shape = g.op("Shape", &[&x], vec![]);
    let r = g.op("Reshape", &[&s, &shape], vec![]);
    g.output(&r, "y", ElemType::Float32, &d);
    let graph = AnalysisGraph::from_model(&g.finish(14, vec![])).expect("graph");
    let p = predict(&graph, PredictOptions::new(rules_2024()));
    let recs = recommend(&graph, &p, &[]);
    let static_shapes = recs
        .iter()
        .find(|r| r.kind == RecommendationKind::StaticShapes)
        .expect("static shapes recommended");
    assert!(
        static_shapes.evidence.contains("x"),
        "{}",
        static_shapes.evidence
    );
    assert!(
        static_shapes.evidence.contains("Softmax"),
        "{}",
        static_shapes.evidence
    );
}

#[test]
fn one_big_partition_needs_no_recommendation() {
    let graph = AnalysisGraph::from_model(&erf_chain(0)).expect("graph");
    let p = predict(&graph, PredictOptions::new(rules_2024()));
    assert!(recommend(&graph, &p, &[]).is_empty());
}

/// `erf_chain(1)` plus a second output read from a sequence input (`SequenceAt`).
fn with_sequence_input() -> ModelProto {
    use epbench::onnx::proto::{NodeProto, TypeProto, ValueInfoProto, type_proto};
    use prost::Message as _;
    let mut model = erf_chain(1);
    let graph = model.graph.as_mut().expect("graph");
    let tensor = graph.input[0].r#type.clone().expect("typed input");
    // `TypeProto.Sequence { elem_type = 1 }`, as the ONNX schema encodes it.
    let element = tensor.encode_to_vec();
    let mut sequence = vec![0x0a, u8::try_from(element.len()).expect("short")];
    sequence.extend(element);
    let index = "seq_index".to_string();
    graph.initializer.push(epbench::onnx::proto::TensorProto {
        name: index.clone(),
        data_type: epbench::onnx::proto::data_type::INT64,
        int64_data: vec![0],
        ..Default::default()
    });
    graph.input.push(ValueInfoProto {
        name: "seq".into(),
        r#type: Some(TypeProto {
            value: Some(type_proto::Value::SequenceType(sequence)),
            ..Default::default()
        }),
        ..Default::default()
    });
    graph.node.push(NodeProto {
        input: vec!["seq".into(), index],
        output: vec!["picked".into()],
        name: "pick".into(),
        op_type: "SequenceAt".into(),
        ..Default::default()
    });
    graph.output.push(ValueInfoProto {
        name: "picked".into(),
        r#type: Some(tensor),
        ..Default::default()
    });
    model
}

/// A sequence-typed input survives the ONNX reader (every kind of `TypeProto` is decoded), so
/// ORT, which partitions the reader's copy of the model, still knows its type.
#[test]
fn sequence_inputs_keep_their_type_through_the_reader_and_ort() {
    use prost::Message as _;
    let model = with_sequence_input();
    let decoded = ModelProto::decode(model.encode_to_vec().as_slice()).expect("decodes");
    assert_eq!(decoded, model);
    let analysis = analyze_model(&model, AnalyzeOptions::default()).expect("analysis");
    let report = analysis.primary().expect("a prediction");
    assert_eq!(report.nodes, 4, "{report:?}");
}
