//! `epbench fix` on the OpenVINO EP, which partitions and runs here: this test binary is its own
//! process and loads `onnxruntime-openvino==1.24.1`. Partitions are measured from the fused
//! OpenVINO nodes of an ORT profile, and `--time` gives medians on OpenVINO and the CPU.

use epbench::fix::{self, Choice, FixRequest, partitions::partitions_on};
use epbench::rewrite::{DimFixes, Rewrite};
use epbench::runtime::{self, Ep};
use epbench::study::results::{PartitionOutcome, PartitionSource};
use epbench::workload::ResolvedModel;
use epbench::zoo;

fn zoo_model(variant: &str) -> ResolvedModel {
    ResolvedModel {
        path: zoo::build(variant, zoo::DEFAULT_OUT_DIR).expect("zoo build"),
        variant: Some(variant.parse().expect("variant")),
    }
}

fn numbers(outcome: &PartitionOutcome) -> (usize, usize) {
    match outcome {
        PartitionOutcome::Known(n) => {
            assert_eq!(n.source, PartitionSource::Measured, "{}", n.provenance);
            (n.partitions, n.cpu_nodes)
        }
        PartitionOutcome::Failed { reason } => panic!("no partitions: {reason}"),
    }
}

#[test]
fn fixing_dims_on_openvino_is_measured_and_timed() {
    if !cfg!(all(target_os = "linux", target_arch = "x86_64")) {
        return; // onnxruntime-openvino publishes Linux x86_64 (and Windows) wheels only.
    }
    runtime::load(&"onnxruntime-openvino==1.24.1".parse().unwrap()).expect("OpenVINO runtime");
    let ep: Ep = "openvino".parse().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut dims = DimFixes::default();
    dims.add_dims("batch_size=1,sequence_length=128").unwrap();
    let variant = "tiny-systems-bert_gelu_fp32_dynamic";
    let report = fix::fix(&FixRequest {
        model: zoo_model(variant),
        label: variant.into(),
        out: dir.path().join("fixed.onnx"),
        choice: Choice::Explicit(vec![Rewrite::FixDims(dims), Rewrite::gelu_tanh()]),
        ep: ep.clone(),
        inputs: None,
        time: true,
        force: false,
    })
    .expect("fix");
    print!("{}", report.render_text());
    assert!(report.outputs_match);
    let proof = report.partitions.as_ref().expect("partitions");
    let (before, after) = (numbers(&proof.before), numbers(&proof.after));
    let target = partitions_on(
        &zoo_model("tiny-systems-bert_fast-gelu_fp32_static_b1_s128").path,
        &ep,
        &report_inputs(),
    )
    .expect("openvino");
    println!(
        "OpenVINO (partitions, CPU nodes): {before:?} -> {after:?}; FastGELU static: {:?}",
        numbers(&target)
    );
    assert_eq!(after, numbers(&target));
    // Both sides ran on both EPs.
    let timing = report.timing.as_ref().expect("timing");
    assert_eq!(timing.rows.len(), 2);
    for row in &timing.rows {
        assert!(
            row.before_p50_ms.is_some() && row.after_p50_ms.is_some(),
            "{row:?}"
        );
    }
}

/// The static model's inputs, for the profiled runs OpenVINO's partitions are read from.
fn report_inputs() -> epbench::workload::NamedInputs {
    let model = zoo_model("tiny-systems-bert_fast-gelu_fp32_static_b1_s128");
    let session = epbench::runtime::SessionConfig::new(Ep::Cpu)
        .build(&model.path)
        .expect("session")
        .session;
    epbench::workload::synthesise_inputs(&session).expect("inputs")
}
