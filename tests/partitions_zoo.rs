//! Predictions on the zoo's models, with ORT producing the level-1 graph, against the study's
//! measurements (tiny-systems-bert, CoreML NeuralNetwork, ORT of 2024):
//! dynamic 167 nodes / 105 supported / 20 partitions; static b1 s128 125 / 100 / 16;
//! FastGELU static 110 supported / 14 partitions; MobileNetV2 fp32 100% on CoreML, fp16 0%.

use std::path::{Path, PathBuf};

use epbench::partitions::rules::{self, RuleFamily};
use epbench::partitions::{
    Analysis, AnalyzeOptions, PartitionError, PartitionReport, RecommendationKind, analyze_file,
};
use epbench::runtime::ModelFormat;

fn rules_2024() -> &'static RuleFamily {
    rules::rule_set("1.19.2").expect("the 2024 rules")
}

fn rules_1_27() -> &'static RuleFamily {
    rules::rule_set("1.27").expect("the 1.27 rules")
}

fn model(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(epbench::zoo::DEFAULT_OUT_DIR);
    epbench::zoo::build(name, dir).expect("zoo model")
}

fn analyse(name: &str, family: &'static RuleFamily, format: ModelFormat) -> Analysis {
    let options = AnalyzeOptions {
        family,
        format,
        require_static_input_shapes: false,
    };
    analyze_file(&model(name), options).expect("analysis")
}

fn primary(a: &Analysis) -> &PartitionReport {
    a.primary().expect("a prediction")
}

#[test]
fn tiny_bert_2024_neural_network_matches_the_study() {
    // The study measured 167 nodes for the dynamic model; today's level-1 graph of the same
    // export has 164 (2024's ORT folded three fewer shape nodes), with the study's 105 supported
    // in its 20 partitions.
    let cases = [
        ("tiny-systems-bert_gelu_fp32_dynamic", 164, 105, 20),
        ("tiny-systems-bert_gelu_fp32_static_b1_s128", 125, 100, 16),
        (
            "tiny-systems-bert_fast-gelu_fp32_static_b1_s128",
            133,
            110,
            14,
        ),
    ];
    for (name, nodes, supported, partitions) in cases {
        let a = analyse(name, rules_2024(), ModelFormat::NeuralNetwork);
        let r = primary(&a);
        eprintln!(
            "{name}: {} / {} / {} {:?}",
            r.nodes, r.supported_nodes, r.partitions, r.partition_sizes
        );
        assert_eq!(a.disabled_optimizers, ["MatMulAddFusion"]);
        assert_eq!(
            (r.nodes, r.supported_nodes, r.partitions),
            (nodes, supported, partitions),
            "{name}"
        );
    }
}

#[test]
fn tiny_bert_static_2024_reasons_are_the_studys_cpu_nodes() {
    // The study's static profile lists 16 MatMul, 2 Erf, Unsqueeze x2, Expand, Cast x2,
    // Where_1 and the pooler Gather on the CPU.
    let a = analyse(
        "tiny-systems-bert_gelu_fp32_static_b1_s128",
        rules_2024(),
        ModelFormat::NeuralNetwork,
    );
    let r = primary(&a);
    let count = |op: &str| {
        r.unsupported
            .iter()
            .filter(|u| u.op == op)
            .map(|u| u.count)
            .sum::<usize>()
    };
    let expected = [
        ("MatMul", 16),
        ("Erf", 2),
        ("Unsqueeze", 2),
        ("Expand", 1),
        ("Cast", 2),
        ("Where", 1),
        ("Gather", 1),
    ];
    for (op, n) in expected {
        assert_eq!(count(op), n, "{op}");
    }
    assert_eq!(r.unsupported.iter().map(|u| u.count).sum::<usize>(), 25);
    let kinds: Vec<RecommendationKind> = a.recommendations.iter().map(|x| x.kind).collect();
    assert!(kinds.contains(&RecommendationKind::FastGelu), "{kinds:?}");
    assert!(kinds.contains(&RecommendationKind::MlProgram), "{kinds:?}");
    assert!(
        !kinds.contains(&RecommendationKind::StaticShapes),
        "{kinds:?}"
    );
}

#[test]
fn tiny_bert_dynamic_recommends_static_shapes() {
    let a = analyse(
        "tiny-systems-bert_gelu_fp32_dynamic",
        rules_2024(),
        ModelFormat::NeuralNetwork,
    );
    let static_shapes = a
        .recommendations
        .iter()
        .find(|r| r.kind == RecommendationKind::StaticShapes)
        .expect("static shapes recommended");
    assert!(
        static_shapes.evidence.contains("input_ids"),
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
fn release_1_31_predictions_for_tiny_bert() {
    // ORT 1.31.1 optimises static 3-D MatMul+Add into Reshape+Gemm+Reshape at level 1, which
    // NeuralNetwork takes; MLProgram takes the attention MatMuls and Erf too.
    for name in [
        "tiny-systems-bert_gelu_fp32_dynamic",
        "tiny-systems-bert_gelu_fp32_static_b1_s128",
        "tiny-systems-bert_fast-gelu_fp32_static_b1_s128",
    ] {
        let a = analyse(name, rules_1_27(), ModelFormat::NeuralNetwork);
        assert!(a.disabled_optimizers.is_empty());
        let (nn, ml) = (&a.predictions[0], &a.predictions[1]);
        eprintln!(
            "{name}: NN {}/{}/{} MLProgram {}/{}/{}",
            nn.nodes,
            nn.supported_nodes,
            nn.partitions,
            ml.nodes,
            ml.supported_nodes,
            ml.partitions
        );
        assert_eq!(ml.provenance.format(), Some(ModelFormat::MlProgram));
        assert!(ml.supported_nodes > nn.supported_nodes, "{name}");
        assert!(ml.partitions < nn.partitions, "{name}");
        if name.contains("static") {
            assert_eq!(ml.partitions, 1, "{name}");
        }
    }
}

#[test]
fn mobilenet_fp32_is_one_partition_covering_the_graph() {
    for family in [rules_2024(), rules_1_27()] {
        let a = analyse(
            "mobilenet_v2_fp32_static_b1",
            family,
            ModelFormat::NeuralNetwork,
        );
        let r = primary(&a);
        assert_eq!(r.partitions, 1, "{}", family.id);
        assert_eq!(r.supported_nodes, r.nodes, "{}", family.id);
        assert!(r.unsupported.is_empty());
        assert!(a.recommendations.is_empty(), "{:?}", a.recommendations);
    }
}

#[test]
fn mobilenet_fp16_runs_entirely_on_the_cpu_in_neural_network() {
    // The CPU session inserts float16 casts; undone, the graph is the fp32 one with float16
    // types, and NeuralNetwork rejects every node (the study: 0% on CoreML).
    let a = analyse(
        "mobilenet_v2_fp16_static_b1",
        rules_1_27(),
        ModelFormat::NeuralNetwork,
    );
    let (nn, ml) = (&a.predictions[0], &a.predictions[1]);
    assert_eq!(nn.nodes, 100);
    assert_eq!((nn.supported_nodes, nn.partitions), (0, 0));
    assert!(ml.supported_nodes >= 99, "{ml:?}");
    let kinds: Vec<RecommendationKind> = a.recommendations.iter().map(|x| x.kind).collect();
    assert!(kinds.contains(&RecommendationKind::Fp32Graph), "{kinds:?}");
    assert!(kinds.contains(&RecommendationKind::MlProgram), "{kinds:?}");
}

#[test]
fn corrupt_and_missing_files_are_clear_errors() {
    let dir = tempfile::tempdir().expect("temp dir");
    let corrupt = dir.path().join("corrupt.onnx");
    std::fs::write(&corrupt, b"this is not a protobuf \xff\xfe\x00 at all").expect("write");
    let err = analyze_file(&corrupt, AnalyzeOptions::default()).unwrap_err();
    assert!(matches!(err, PartitionError::Onnx(_)), "{err:?}");
    assert!(err.to_string().contains("is not an ONNX model"), "{err}");
    let empty = dir.path().join("empty.onnx");
    std::fs::write(&empty, b"").expect("write");
    let err = analyze_file(&empty, AnalyzeOptions::default()).unwrap_err();
    assert!(err.to_string().contains("empty"), "{err}");
    let missing = dir.path().join("missing.onnx");
    let err = analyze_file(&missing, AnalyzeOptions::default()).unwrap_err();
    assert!(err.to_string().contains("missing.onnx"), "{err}");
}
