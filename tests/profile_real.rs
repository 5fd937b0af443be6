//! Profile summaries of real ORT profiles, written by ONNX Runtime itself on Linux x86_64 with
//! `tests/fixtures/profiles/make_real_profiles.py` (format: onnxruntime/core/common/profiler.cc;
//! node events: core/framework/sequential_executor.cc). The model has 7 nodes: MatMul, Add,
//! Relu, Hardmax, Add, MatMul, Sigmoid on a [1, 8] input; 3 runs, one intra-op thread.
//!
//! The expected numbers below are read off the fixture files by hand (`dur`, `ts` in µs).
//! Regenerating a fixture changes its timings: update the constants with it.

use std::path::PathBuf;

use epbench::measure::profile::{ProfileSummary, read_events};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/profiles")
        .join(name)
}

fn close(actual: f64, expected: f64) -> bool {
    (actual - expected).abs() < 1e-9
}

/// onnxruntime 1.31.1 (PyPI), CPU EP only. Level-1+ optimisation fused MatMul+Add+Relu into
/// one `FusedGemm` node named "fused fc1/MatMul/MatMulAddFusion", so 5 nodes run per run.
/// Kernel args include 1.31's `mem_*` fields; events are in the order they ended.
#[test]
fn cpu_only_profile_from_ort_1_31_1() {
    let s = ProfileSummary::from_file(fixture("cpu_ort-1.31.1_tiny.json")).unwrap();

    assert_eq!(s.total_events, 23); // 2 session + 3 runs x (5 kernels + Execute + model_run)
    assert_eq!(s.runs, 3);
    assert_eq!(s.kernel_events, 15);
    assert_eq!(s.fence_events, 0);
    assert_eq!(s.nodes, 5);
    assert!(close(s.session_init_ms, 55.636));
    assert!(close(s.model_loading_ms, 0.512));
    // model_run: 241 + 99 + 67 µs; Execute: 220 + 79 + 62 µs.
    assert!(close(s.model_run_ms, 0.407));
    assert!(close(s.sequential_executor_ms, 0.361));
    assert_eq!(s.sequential_executor_events, 3);
    // Kernels: (130+10+28+8+7) + (17+7+7+6+6) + (7+5+6+6+5) = 183 + 43 + 29 µs.
    assert!(close(s.node_execution_ms, 0.255));
    assert!(close(s.session_overhead_ms, 0.152));
    // First event starts at 13 µs; the last model_run ends at 57311 + 67.
    assert!(close(s.total_duration_ms, 57.365));

    // A CPU-only session: no accelerator, so nothing is a partition or a fallback.
    assert!(s.accelerators.is_empty());
    assert!(s.partitions.is_empty());
    assert_eq!(s.ep_nodes, 0);
    assert_eq!(s.fallback_nodes, None);
    assert!(s.fallback_ops.is_empty());
    assert_eq!(s.ep_executed_node_share, None);
    assert_eq!(s.transitions_per_run, Some(0.0));

    // The fused CPU node leads: 130 + 17 + 7 µs over 3 runs.
    let top = &s.top_nodes[0];
    assert_eq!(top.name, "fused fc1/MatMul/MatMulAddFusion");
    assert_eq!(top.op, "FusedGemm");
    assert_eq!(top.provider, "CPUExecutionProvider");
    assert_eq!(top.events, 3);
    assert!(close(top.time_ms, 0.154));
}

/// onnxruntime-openvino 1.24.1 (PyPI), OpenVINO EP with device_type CPU. OpenVINO does not take
/// Hardmax, so the graph becomes two fused subgraphs with the Hardmax between them on the CPU:
/// per run, OpenVINO -> CPU -> OpenVINO.
#[test]
fn openvino_profile_with_cpu_fallback_from_ort_1_24_1() {
    let path = fixture("openvino_ort-1.24.1_hardmax.json");
    let s = ProfileSummary::from_file(&path).unwrap();

    assert_eq!(s.total_events, 17); // 2 session + 3 runs x (3 kernels + Execute + model_run)
    assert_eq!(s.runs, 3);
    assert_eq!(s.nodes, 3);
    assert_eq!(s.ep_nodes, 2);
    assert_eq!(s.fallback_nodes, Some(1));
    assert_eq!(s.accelerators, ["OpenVINOExecutionProvider"]);
    assert_eq!(s.transitions_per_run, Some(2.0));
    assert!(close(s.session_init_ms, 706.127));
    assert!(close(s.model_loading_ms, 16.784));

    // Partitions, largest first: subgraph_2 (7748 + 34 + 15 µs), subgraph_1 (2673 + 87 + 18).
    assert_eq!(s.partitions.len(), 2);
    let (p0, p1) = (&s.partitions[0], &s.partitions[1]);
    assert_eq!(
        p0.name,
        "OpenVINOExecutionProvider_OpenVINO-EP-subgraph_2_1"
    );
    assert_eq!(p0.op, "OpenVINO-EP-subgraph_2");
    assert_eq!(p0.provider, "OpenVINOExecutionProvider");
    assert_eq!(p0.events, 3);
    assert!(close(p0.time_ms, 7.797));
    assert!(close(p0.mean_ms, 2.599));
    assert_eq!(
        p1.name,
        "OpenVINOExecutionProvider_OpenVINO-EP-subgraph_1_0"
    );
    assert!(close(p1.time_ms, 2.778));

    // Fallback: Hardmax, 59 + 5 + 2 µs.
    assert_eq!(s.fallback_ops.len(), 1);
    assert_eq!(s.fallback_ops[0].op, "Hardmax");
    assert_eq!(s.fallback_ops[0].events, 3);
    assert_eq!(s.fallback_ops[0].nodes, 1);
    assert!(close(s.fallback_ops[0].time_ms, 0.066));

    // model_run: 10786 + 169 + 51 µs; kernels 10575 (EP) + 66 (CPU) µs.
    assert!(close(s.model_run_ms, 11.006));
    assert!(close(s.node_execution_ms, 10.641));
    assert!(close(s.session_overhead_ms, 0.365));
    assert!(close(s.node_execution_share.unwrap(), 10641.0 / 11006.0));
    assert!(close(s.ep_time_share.unwrap(), 10575.0 / 10641.0));
    assert!(close(s.ep_executed_node_share.unwrap(), 2.0 / 3.0));
    // The first run compiles: 10786 µs against a median of 169 µs, and the text says so.
    assert!(close(s.first_run_ms.unwrap(), 10.786));
    assert!(close(s.median_run_ms.unwrap(), 0.169));
    assert!(
        s.to_string()
            .contains("  - Warning: the first run took 10.79 ms, 64x the median run (0.169 ms)")
    );
    // Execute: 10610 + 150 + 47 µs. Span: 16 µs to 1123786 + 51.
    assert!(close(s.sequential_executor_ms, 10.807));
    assert!(close(s.total_duration_ms, 1123.821));
}

/// The CLI knows which EP it registered; saying so changes nothing when that EP shows up in the
/// profile anyway.
#[test]
fn naming_the_session_ep_agrees_with_inference_when_the_ep_ran_nodes() {
    let events = read_events(fixture("openvino_ort-1.24.1_hardmax.json")).unwrap();
    assert_eq!(
        ProfileSummary::from_events(&events, Some("OpenVINOExecutionProvider")),
        ProfileSummary::from_events(&events, None)
    );
}

#[test]
fn summary_serialises_with_the_documented_field_names() {
    let s = ProfileSummary::from_file(fixture("openvino_ort-1.24.1_hardmax.json")).unwrap();
    let json = serde_json::to_value(&s).unwrap();
    for field in [
        "total_events",
        "total_duration_ms",
        "session_init_ms",
        "model_loading_ms",
        "runs",
        "sequential_executor_ms",
        "sequential_executor_events",
        "node_execution_ms",
        "session_overhead_ms",
        "node_execution_share",
        "session_overhead_share",
        "partitions",
        "nodes",
        "ep_nodes",
        "fallback_nodes",
        "fallback_ops",
        "top_nodes",
        "transitions_per_run",
    ] {
        assert!(json.get(field).is_some(), "missing field {field}");
    }
    assert_eq!(json["fallback_ops"][0]["op"], "Hardmax");
    assert_eq!(json["partitions"][0]["events"], 3);
}
