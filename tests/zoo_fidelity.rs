//! Are the generated graphs what `torch.onnx.export` of the study's models produces? Measured
//! with ONNX Runtime itself: the graph each model becomes after ORT's basic (level 1)
//! optimisation — what an execution provider is offered — against the study's node counts.

use std::collections::BTreeMap;
use std::error::Error;
use std::path::{Path, PathBuf};

use epbench::onnx::proto::{ModelProto, data_type, type_proto};
use epbench::onnx::read_model;
use epbench::runtime::{Ep, OptLevel, SessionConfig};
use epbench::zoo;

type TestResult = Result<(), Box<dyn Error>>;

/// The study's counts (CoreML EP's GetCapability line, after level-1 optimisation).
const STUDY_STATIC_NODES: f64 = 125.0;
const STUDY_DYNAMIC_NODES: f64 = 167.0;
const TOLERANCE: f64 = 0.04;

/// The graph ONNX Runtime's CPU EP ends up with at level 1, as saved by ORT.
fn optimised(variant: &str, dir: &Path) -> Result<ModelProto, Box<dyn Error>> {
    let model = zoo::build(variant, dir)?;
    let saved: PathBuf = dir.join(format!("{variant}.basic.onnx"));
    SessionConfig::new(Ep::Cpu)
        .intra_threads(1)
        .optimization(OptLevel::Basic)
        .optimized_model_path(&saved)
        .build(&model)?;
    Ok(read_model(&saved)?)
}

fn op_counts(model: &ModelProto) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for node in model.graph.iter().flat_map(|g| &g.node) {
        *counts.entry(node.op_type.clone()).or_insert(0) += 1;
    }
    counts
}

fn node_count(model: &ModelProto) -> usize {
    model.graph.as_ref().map_or(0, |g| g.node.len())
}

fn assert_near_study(variant: &str, nodes: usize, study: f64) {
    let deviation = (nodes as f64 - study).abs() / study;
    println!("{variant}: {nodes} nodes after ORT level 1 (study: {study})");
    assert!(
        deviation <= TOLERANCE,
        "{variant}: {nodes} nodes after level-1 optimisation, the study's export has {study} \
         ({:.1}% off, tolerance {:.0}%)",
        deviation * 100.0,
        TOLERANCE * 100.0
    );
}

#[test]
fn tiny_bert_node_counts_match_the_study() -> TestResult {
    let dir = tempfile::tempdir()?;
    let fixed = "tiny-systems-bert_gelu_fp32_static_b1_s128";
    let static_graph = optimised(fixed, dir.path())?;
    assert_near_study(fixed, node_count(&static_graph), STUDY_STATIC_NODES);
    let dynamic = "tiny-systems-bert_gelu_fp32_dynamic";
    let dynamic_graph = optimised(dynamic, dir.path())?;
    assert_near_study(dynamic, node_count(&dynamic_graph), STUDY_DYNAMIC_NODES);

    // The study's CPU-fallback ops are there in both; shape plumbing only in the dynamic one.
    let fixed_ops = op_counts(&static_graph);
    let dynamic_ops = op_counts(&dynamic_graph);
    for op in ["Erf", "Where", "Cast", "Expand", "Unsqueeze"] {
        assert!(
            fixed_ops.contains_key(op),
            "static graph has no {op}: {fixed_ops:?}"
        );
        assert!(
            dynamic_ops.contains_key(op),
            "dynamic graph has no {op}: {dynamic_ops:?}"
        );
    }
    assert_eq!(fixed_ops.get("Erf"), Some(&2), "one Erf per layer");
    assert!(!fixed_ops.contains_key("Shape"), "{fixed_ops:?}");
    for op in ["Shape", "Gather", "Concat"] {
        assert!(
            dynamic_ops.contains_key(op),
            "dynamic graph has no {op}: {dynamic_ops:?}"
        );
    }
    Ok(())
}

#[test]
fn fast_gelu_replaces_erf_with_nine_supported_ops_per_layer() -> TestResult {
    let dir = tempfile::tempdir()?;
    let gelu = optimised("tiny-systems-bert_gelu_fp32_static_b1_s128", dir.path())?;
    let fast = optimised(
        "tiny-systems-bert_fast-gelu_fp32_static_b1_s128",
        dir.path(),
    )?;
    let ops = op_counts(&fast);
    assert!(!ops.contains_key("Erf"), "{ops:?}");
    // Two layers; the pooler's Tanh is the third.
    assert_eq!(ops.get("Tanh"), Some(&3), "{ops:?}");
    // The study: FastGELU raised CoreML's supported nodes from 100 to 110 with the same other
    // nodes, i.e. 9 activation nodes per layer instead of GELU's 4 supported + Erf.
    assert_eq!(node_count(&fast), node_count(&gelu) + 2 * (9 - 5));
    Ok(())
}

#[test]
fn fp16_variants_are_float16_except_token_ids() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = zoo::build("tiny-systems-bert_gelu_fp16_static_b1_s128", dir.path())?;
    let model = read_model(&path)?;
    let graph = model.graph.as_ref().ok_or("no graph")?;
    let elem = |v: &epbench::onnx::proto::ValueInfoProto| match v
        .r#type
        .as_ref()
        .and_then(|t| t.value.as_ref())
    {
        Some(type_proto::Value::TensorType(t)) => t.elem_type,
        _ => -1,
    };
    assert!(graph.input.iter().all(|i| elem(i) == data_type::INT64));
    assert!(graph.output.iter().all(|o| elem(o) == data_type::FLOAT16));
    assert!(
        graph
            .initializer
            .iter()
            .all(|t| t.data_type == data_type::FLOAT16 || t.data_type == data_type::INT64)
    );
    // And ONNX Runtime accepts it.
    SessionConfig::new(Ep::Cpu)
        .intra_threads(1)
        .optimization(OptLevel::Basic)
        .build(&path)?;
    Ok(())
}

#[test]
fn mobilenet_v2_is_one_conv_graph_without_batchnorm() -> TestResult {
    let dir = tempfile::tempdir()?;
    let graph = optimised("mobilenet_v2_fp32_static_b1", dir.path())?;
    let ops = op_counts(&graph);
    // torchvision's MobileNetV2: 52 convolutions, 35 ReLU6, 10 residual adds, the head.
    assert_eq!(ops.get("Conv"), Some(&52), "{ops:?}");
    assert_eq!(ops.get("Clip"), Some(&35), "{ops:?}");
    assert_eq!(ops.get("Add"), Some(&10), "{ops:?}");
    assert_eq!(ops.get("GlobalAveragePool"), Some(&1));
    assert_eq!(ops.get("Gemm"), Some(&1));
    assert!(!ops.contains_key("BatchNormalization"));
    Ok(())
}

#[test]
fn probe_chains_have_k_cuts_and_constant_work() -> TestResult {
    let dir = tempfile::tempdir()?;
    for (variant, cut, k) in [
        ("probe_erf_k0_h256", "Erf", 0),
        ("probe_erf_k4_h256", "Erf", 4),
        ("probe_hardmax_k16_h256", "Hardmax", 16),
    ] {
        let graph = optimised(variant, dir.path())?;
        let ops = op_counts(&graph);
        assert_eq!(ops.get(cut).copied().unwrap_or(0), k, "{variant}: {ops:?}");
        // The blocks survive optimisation whatever k is (as MatMul+Add or a fused Gemm).
        let blocks =
            ops.get("MatMul").copied().unwrap_or(0) + ops.get("Gemm").copied().unwrap_or(0);
        assert_eq!(blocks, 17, "{variant}: {ops:?}");
    }
    Ok(())
}
