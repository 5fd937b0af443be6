//! `epbench fix` proven with measured CoreML partitions: this test binary loads ONNX Runtime
//! built with its CoreML EP for Linux (`EPBENCH_COREML_EP_LIB`, or the shared build beside the
//! repository), whose `GetCapability` is the real one. The fixed models must partition exactly
//! like the zoo's own variants: dims fixed like the static export, tanh GELU like FastGELU, fp32
//! like the fp32 export.

use std::path::{Path, PathBuf};

use epbench::fix::{self, Choice, FixRequest, partitions::partitions_on};
use epbench::rewrite::{DimFixes, FloatTarget, Rewrite};
use epbench::runtime::Ep;
use epbench::study::results::{PartitionOutcome, PartitionSource};
use epbench::workload::ResolvedModel;
use epbench::zoo;

fn coreml_library() -> Option<PathBuf> {
    let path = std::env::var_os("EPBENCH_COREML_EP_LIB").map_or_else(
        || {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../shared/coreml-ep-linux/libonnxruntime.so.1.30.0")
        },
        PathBuf::from,
    );
    path.is_file().then_some(path)
}

fn measured(outcome: &PartitionOutcome) -> (usize, usize, Option<usize>) {
    match outcome {
        PartitionOutcome::Known(n) => {
            assert_eq!(n.source, PartitionSource::Measured, "{}", n.provenance);
            (n.partitions, n.nodes, n.supported_nodes)
        }
        PartitionOutcome::Failed { reason } => panic!("no partitions: {reason}"),
    }
}

fn zoo_model(variant: &str) -> ResolvedModel {
    ResolvedModel {
        path: zoo::build(variant, zoo::DEFAULT_OUT_DIR).expect("zoo build"),
        variant: Some(variant.parse().expect("variant")),
    }
}

fn check(variant: &str, rewrite: Rewrite, like: &str, dir: &Path) {
    let ep: Ep = "coreml".parse().unwrap();
    let report = fix::fix(&FixRequest {
        model: zoo_model(variant),
        label: variant.into(),
        out: dir.join(format!("{variant}.fixed.onnx")),
        choice: Choice::Explicit(vec![rewrite]),
        ep: ep.clone(),
        inputs: None,
        time: false,
        force: false,
    })
    .expect("fix");
    assert!(report.outputs_match, "{}", report.render_text());
    let proof = report.partitions.as_ref().expect("partitions");
    let after = measured(&proof.after);
    let target = measured(&partitions_on(&zoo_model(like).path, &ep, &Vec::new()).expect("coreml"));
    println!(
        "{variant}: measured CoreML (partitions, nodes, supported) {:?} -> {after:?}; {like}: {target:?}",
        measured(&proof.before)
    );
    assert_eq!(after, target, "{variant} fixed vs {like}");
}

#[test]
fn fixed_models_partition_like_the_zoo_variants_on_the_coreml_ep() {
    let Some(library) = coreml_library() else {
        println!(
            "skipped: no CoreML EP library (set EPBENCH_COREML_EP_LIB or provide \
             ../shared/coreml-ep-linux/libonnxruntime.so.1.30.0)"
        );
        return;
    };
    // SAFETY: the only test of this binary, so no other thread reads the environment; it is set
    // before ONNX Runtime is first loaded, which reads it.
    unsafe { std::env::set_var("ORT_DYLIB_PATH", &library) };
    let dir = tempfile::tempdir().unwrap();
    let mut dims = DimFixes::default();
    dims.add_dims("batch_size=1,sequence_length=128").unwrap();
    check(
        "tiny-systems-bert_gelu_fp32_dynamic",
        Rewrite::FixDims(dims),
        "tiny-systems-bert_gelu_fp32_static_b1_s128",
        dir.path(),
    );
    check(
        "tiny-systems-bert_gelu_fp32_static_b1_s128",
        Rewrite::gelu_tanh(),
        "tiny-systems-bert_fast-gelu_fp32_static_b1_s128",
        dir.path(),
    );
    for (half, full) in [
        (
            "tiny-systems-bert_gelu_fp16_static_b1_s128",
            "tiny-systems-bert_gelu_fp32_static_b1_s128",
        ),
        ("mobilenet_v2_fp16_static_b1", "mobilenet_v2_fp32_static_b1"),
    ] {
        let to_fp32 = Rewrite::Float {
            to: FloatTarget::Fp32,
            keep_io_types: false,
        };
        check(half, to_fp32, full, dir.path());
    }
}
