//! Outputs on the OpenVINO EP against ORT's CPU EP, for the zoo's models. This test binary is
//! its own process so that it can load `onnxruntime-openvino==1.24.1` (one ORT per process);
//! every test loads it first. OpenVINO's CPU plugin computes in fp32 on x86 CPUs without native
//! bf16 (fp32 models held to `fp32-reordered`, 1e-3 × RMS) and in bf16 on CPUs with it
//! (`bf16-compute`, 5e-2): this project's machines have been of both kinds, so the expected class
//! is read from the kernel's CPU flags here, independently of the tolerance module's own
//! detection. fp16 models are compared with their fp32 variant on the CPU, as the suite's check
//! does, and held to at least `fp16-storage` (2e-2); ORT 1.24.1's CPU EP cannot load the fp16
//! BERTs at its default optimisation level anyway (its SimplifiedLayerNormFusion looks up a Cast
//! it inserted under another name). Run with `--nocapture` to see the measured errors.

mod correctness_support;

use correctness_support::{TestResult, assert_pass, compare, print_rows};
use epbench::correctness::{ToleranceClass, check_against_cpu};
use epbench::onnx::FloatType;
use epbench::runtime::{self, Ep, Runtime, SessionConfig};
use epbench::workload::{Feeds, ModelRef};
use epbench::zoo::{self, TransformerModel, Variant};

/// The OpenVINO runtime and EP, or `None` where onnxruntime-openvino has no wheel.
fn openvino() -> Result<Option<(&'static Runtime, Ep)>, Box<dyn std::error::Error>> {
    if !cfg!(all(target_os = "linux", target_arch = "x86_64")) {
        println!("skipped: onnxruntime-openvino publishes Linux x86_64 (and Windows) wheels only");
        return Ok(None);
    }
    let runtime = runtime::load(&"onnxruntime-openvino==1.24.1".parse()?)?;
    let ep: Ep = "openvino:device=CPU".parse()?;
    runtime.require(&ep)?;
    Ok(Some((runtime, ep)))
}

/// Variants the OpenVINO EP of ORT 1.24.1 refuses to load, and ORT's reason. The test checks
/// that they still fail this way, so a fixed release gets noticed.
const OPENVINO_CANNOT_LOAD: &[(&str, &str)] = &[
    ("probe_hardmax_k8_h256", "the graph is not acyclic"),
    ("probe_hardmax_k16_h256", "the graph is not acyclic"),
];

/// The class OpenVINO's CPU plugin calls for on this machine: bf16 compute where the kernel lists
/// `avx512_bf16` among the CPU flags (OpenVINO's default inference precision is then bf16), fp32
/// otherwise.
fn openvino_cpu_class() -> ToleranceClass {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let bf16 = cpuinfo
        .lines()
        .filter(|l| l.starts_with("flags"))
        .any(|l| l.split_whitespace().any(|flag| flag == "avx512_bf16"));
    if bf16 {
        ToleranceClass::Bf16Compute
    } else {
        ToleranceClass::Fp32Reordered
    }
}

/// The CPU reference of a variant: its fp32 variant for fp16 models, itself otherwise.
fn reference_of(variant: &Variant) -> (String, ToleranceClass) {
    let fp16 = match variant {
        Variant::Transformer(t) => t.dtype == FloatType::F16,
        Variant::Vision(v) => v.dtype == FloatType::F16,
        _ => false,
    };
    let name = variant.to_string();
    if fp16 {
        (
            name.replace("_fp16_", "_fp32_"),
            openvino_cpu_class().max(ToleranceClass::Fp16Storage),
        )
    } else {
        (name, openvino_cpu_class())
    }
}

/// Every catalogue variant of the given models on OpenVINO vs the CPU.
fn every_variant_of(models: &[&str]) -> TestResult {
    let Some((_, ep)) = openvino()? else {
        return Ok(());
    };
    let variants: Vec<Variant> = zoo::catalogue()?
        .variants()
        .filter(|v| models.contains(&v.model_name()))
        .collect();
    assert!(!variants.is_empty(), "no variants of {models:?}");
    for variant in variants {
        let name = variant.to_string();
        let (reference, class) = reference_of(&variant);
        let result = compare(&name, &ep, &reference, &Ep::Cpu, class);
        match OPENVINO_CANNOT_LOAD.iter().find(|(v, _)| *v == name) {
            Some((_, reason)) => {
                let error = result
                    .err()
                    .ok_or(format!("{name} now loads on OpenVINO"))?;
                assert!(error.to_string().contains(reason), "{name}: {error}");
                println!("skipped {name}: OpenVINO cannot load it ({reason})");
            }
            None => assert_pass(&result?),
        }
    }
    Ok(())
}

/// tiny-systems-bert: all twelve variants (activations, dtypes, shapes, batches).
#[test]
fn tiny_systems_bert_matches_on_openvino() -> TestResult {
    every_variant_of(&["tiny-systems-bert"])
}

/// MobileNetV2 (fp32, fp16), the per-run-overhead model and every fragmentation probe.
#[test]
fn vision_and_helper_models_match_on_openvino() -> TestResult {
    every_variant_of(&["mobilenet_v2", "add_64k", "probe"])
}

/// DistilBERT (static and dynamic) and bert-base-uncased (static only: each bert-base variant
/// adds about 10 s to this suite in a debug build; the dynamic one is checked by hand with
/// `epbench compare bert-base-uncased_gelu_fp32_dynamic --ep openvino`).
#[test]
fn distilbert_and_bert_base_match_on_openvino() -> TestResult {
    every_variant_of(&[TransformerModel::DistilbertBaseUncased.name()])?;
    let Some((_, ep)) = openvino()? else {
        return Ok(());
    };
    let bert = "bert-base-uncased_gelu_fp32_static_b1_s128";
    let comparison = compare(bert, &ep, bert, &Ep::Cpu, openvino_cpu_class())?;
    assert_pass(&comparison);
    Ok(())
}

/// Real weights: sentence-transformers' all-MiniLM-L6-v2 gives the same embeddings on OpenVINO
/// as on the CPU, in each of its variants.
#[test]
fn all_minilm_l6_v2_matches_itself_across_eps() -> TestResult {
    every_variant_of(&[TransformerModel::AllMiniLmL6V2.name()])
}

/// The suite's pre-timing check with OpenVINO as the candidate: an fp16 model on OpenVINO is
/// checked against the fp32 variant on the CPU (`fp16-storage`).
#[test]
fn the_suite_check_passes_on_openvino() -> TestResult {
    let Some((_, ep)) = openvino()? else {
        return Ok(());
    };
    let dir = std::path::Path::new(zoo::DEFAULT_OUT_DIR);
    for variant in [
        "tiny-systems-bert_fast-gelu_fp16_static_b1_s128",
        "mobilenet_v2_fp32_static_b1",
    ] {
        let model = ModelRef::parse(variant)?.resolve(dir)?;
        let mut built = SessionConfig::new(ep.clone()).build(&model.path)?;
        let inputs = Feeds::default().for_session(&built.session, model.variant.as_ref())?;
        let comparison = check_against_cpu(&model, &mut built.session, &inputs, &ep)?;
        print_rows(&comparison);
        assert_pass(&comparison);
        assert_eq!(comparison.reference.model, variant.replace("fp16", "fp32"));
    }
    Ok(())
}
