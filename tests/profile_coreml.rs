//! Profile summaries of CoreML sessions. CoreML profiles can only be produced on a Mac, so these
//! fixtures are hand-written, byte for byte in the format ORT writes:
//! - the file layout (`[`, one event per line, `]` last; `args` values as strings unless they
//!   start with `{` or `[`; unordered arg keys) is `Profiler::EndProfiling` in
//!   onnxruntime/core/common/profiler.cc;
//! - the node events (`<node>_kernel_time` with `op_name`, `provider`, `node_index`, sizes,
//!   shapes, `thread_scheduling_stats`; before October 2024 also `<node>_fence_before` and
//!   `<node>_fence_after` with only `op_name`) come from core/framework/sequential_executor.cc
//!   (session_scope.cc in 2023–2024), `model_run` from core/session/inference_session.cc;
//! - fused partition names are `<provider>_<metadef name>_<n>` (core/framework/graph_partitioner.cc)
//!   with the metadef name from core/providers/coreml/coreml_execution_provider.cc:
//!   `CoreML_<hash>_<id>` in 2024, `<key>_CoreML_<hash>_<id>` since ~1.21.
//!
//! The sessions are modelled on the profile summaries the study published for tiny-systems-bert
//! on an M2: CoreML partitions interleaved with CPU Erf, Where, Cast,
//! Expand, Unsqueeze and Gather nodes. Durations are chosen by hand so every expected number
//! below can be recomputed from the file with a pencil.

use std::path::PathBuf;

use epbench::measure::latency::LatencyStats;
use epbench::measure::profile::{ProfileSummary, read_events};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/profiles")
        .join(name)
}

fn close(actual: f64, expected: f64) -> bool {
    (actual - expected).abs() < 1e-9
}

const OLD: &str = "coreml_ort-2024_neuralnetwork_fences.json";
const NEW: &str = "coreml_ort-1.31.1_mlprogram.json";

/// ORT of 2024, NeuralNetwork, static b1 s128 GELU model, 2 runs, events sorted by start time.
/// Per run, 11 nodes, each bracketed by fences:
///
/// | # | node                | provider | run 1 µs | run 2 µs |
/// |---|---------------------|----------|---------:|---------:|
/// | 1 | /Unsqueeze          | CPU      |   8 |   6 |
/// | 2 | /Expand             | CPU      |  12 |  10 |
/// | 3 | /Cast               | CPU      |   9 |   7 |
/// | 4 | /Where_1            | CPU      |  30 |  26 |
/// | 5 | CoreML ..._0_0      | CoreML   | 420 | 400 |
/// | 6 | layer.0 Erf         | CPU      | 200 | 190 |
/// | 7 | CoreML ..._1_1      | CoreML   | 450 | 430 |
/// | 8 | layer.1 Erf         | CPU      | 195 | 185 |
/// | 9 | CoreML ..._2_2      | CoreML   | 310 | 300 |
/// | 10| /pooler/Gather      | CPU      |   6 |   5 |
/// | 11| CoreML ..._3_3      | CoreML   |  40 |  38 |
///
/// model_run 2000 and 1900 µs; SequentialExecutor::Execute 1980 and 1880 µs.
#[test]
fn coreml_2024_profile_with_fences() {
    let s = ProfileSummary::from_file(fixture(OLD)).unwrap();

    // 2 session events + 2 runs x (model_run + Execute + 11 nodes x 3 events).
    assert_eq!(s.total_events, 72);
    assert_eq!(s.fence_events, 44);
    assert_eq!(s.kernel_events, 22);
    assert_eq!(s.runs, 2);
    assert!(close(s.session_init_ms, 654.42));
    assert!(close(s.model_loading_ms, 13.215));
    assert!(close(s.sequential_executor_ms, 3.86));
    assert_eq!(s.sequential_executor_events, 2);
    // From ts 2 (model_loading_uri) to the end of run 2 (703000 + 1900).
    assert!(close(s.total_duration_ms, 704.898));

    // Kernels: 1680 + 1597 µs; fences (4 µs of them) are not node execution.
    assert!(close(s.model_run_ms, 3.9));
    assert!(close(s.node_execution_ms, 3.277));
    assert!(close(s.session_overhead_ms, 0.623));
    assert!(close(s.node_execution_share.unwrap(), 3277.0 / 3900.0));
    assert!(close(s.session_overhead_share.unwrap(), 623.0 / 3900.0));

    assert_eq!(s.nodes, 11);
    assert_eq!(s.ep_nodes, 4);
    assert_eq!(s.fallback_nodes, Some(7));
    assert_eq!(s.accelerators, ["CoreMLExecutionProvider"]);

    // C C C C M C M C M C M: 7 provider switches in each run.
    assert_eq!(s.transitions_per_run, Some(7.0));

    // Partitions by total time: _1_1 880, _0_0 820, _2_2 610, _3_3 78 µs.
    let names: Vec<&str> = s.partitions.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "CoreMLExecutionProvider_CoreML_16779592064083854546_1_1",
            "CoreMLExecutionProvider_CoreML_16779592064083854546_0_0",
            "CoreMLExecutionProvider_CoreML_16779592064083854546_2_2",
            "CoreMLExecutionProvider_CoreML_16779592064083854546_3_3",
        ]
    );
    let top = &s.partitions[0];
    assert_eq!(top.op, "CoreML_16779592064083854546_1");
    assert_eq!(top.events, 2);
    assert!(close(top.time_ms, 0.88));
    assert!(close(top.mean_ms, 0.44));

    // Fallback ops by time: Erf 770 (2 nodes x 2 runs), Where 56, Expand 22, Cast 16,
    // Unsqueeze 14, Gather 11 µs.
    let ops: Vec<(&str, usize, usize)> = s
        .fallback_ops
        .iter()
        .map(|o| (o.op.as_str(), o.events, o.nodes))
        .collect();
    assert_eq!(
        ops,
        [
            ("Erf", 4, 2),
            ("Where", 2, 1),
            ("Expand", 2, 1),
            ("Cast", 2, 1),
            ("Unsqueeze", 2, 1),
            ("Gather", 2, 1)
        ]
    );
    assert!(close(s.fallback_ops[0].time_ms, 0.77));
    assert!(close(s.fallback_ops[5].time_ms, 0.011));

    // CoreML ran 4 of the 11 executed nodes and 2388 of the 3277 kernel µs.
    assert!(close(s.ep_executed_node_share.unwrap(), 4.0 / 11.0));
    assert!(close(s.ep_time_share.unwrap(), 2388.0 / 3277.0));
    assert_eq!(
        s.top_nodes[0].name,
        "CoreMLExecutionProvider_CoreML_16779592064083854546_1_1"
    );
    assert_eq!(s.top_nodes.len(), 11);
}

/// ORT 1.31.1, MLProgram, 3 runs, no fences, `mem_*` args, JSON-valued
/// `thread_scheduling_stats`, events in the order they ended (`model_run` after its nodes).
///
/// | node            | provider | run 1 | run 2 | run 3 µs |
/// |-----------------|----------|------:|------:|------:|
/// | /Cast           | CPU      |   12 |   5 |   4 |
/// | /Equal          | CPU      |    9 |   4 |   4 |
/// | /Expand         | CPU      |   15 |   8 |   7 |
/// | CoreML ..._0_0  | CoreML   | 2400 | 600 | 590 |
/// | /pooler/Gather  | CPU      |    6 |   3 |   3 |
/// | CoreML ..._1_1  | CoreML   |  180 |  60 |  58 |
///
/// model_run 2700, 720, 700 µs; Execute 2680, 705, 690 µs.
#[test]
fn coreml_1_31_profile_with_cache_key_names() {
    let s = ProfileSummary::from_file(fixture(NEW)).unwrap();

    assert_eq!(s.total_events, 26);
    assert_eq!(s.fence_events, 0);
    assert_eq!(s.runs, 3);
    assert_eq!(s.nodes, 6);
    assert_eq!(s.ep_nodes, 2);
    assert_eq!(s.fallback_nodes, Some(4));
    // C C C M C M: 3 switches per run.
    assert_eq!(s.transitions_per_run, Some(3.0));
    assert!(close(s.model_run_ms, 4.12));
    assert!(close(s.sequential_executor_ms, 4.075));
    assert!(close(s.node_execution_ms, 3.968));
    assert!(close(s.session_overhead_ms, 0.152));
    assert!(close(s.total_duration_ms, 124.697));

    let key = "3406257713423542316";
    assert_eq!(s.partitions.len(), 2);
    assert_eq!(
        s.partitions[0].name,
        format!("CoreMLExecutionProvider_{key}_CoreML_{key}_0_0")
    );
    assert_eq!(s.partitions[0].op, format!("{key}_CoreML_{key}_0"));
    assert!(close(s.partitions[0].time_ms, 3.59));
    assert!(close(s.partitions[1].time_ms, 0.298));
    assert!(close(s.partitions[1].mean_ms, 0.298 / 3.0));

    // Expand 30, Cast 21, Equal 17, Gather 12 µs.
    let ops: Vec<&str> = s.fallback_ops.iter().map(|o| o.op.as_str()).collect();
    assert_eq!(ops, ["Expand", "Cast", "Equal", "Gather"]);
    assert!(close(s.fallback_ops[0].time_ms, 0.03));
    assert_eq!(s.fallback_ops[0].events, 3);
}

/// Kernel args survive parsing as ORT wrote them: strings stay strings, `[`/`{` values are JSON.
#[test]
fn kernel_args_keep_their_json_types() {
    let events = read_events(fixture(NEW)).unwrap();
    let partition = events
        .iter()
        .find(|e| e.name.starts_with("CoreMLExecutionProvider_"))
        .unwrap();
    assert_eq!(partition.arg("node_index"), Some("131"));
    assert_eq!(partition.args["input_type_shape"][1]["bool"][3], 128);
    assert_eq!(
        partition.args["thread_scheduling_stats"]["main_thread"]["thread_pool_name"],
        "session-1-intra-op"
    );
}

/// The study's text block, with the Performance Metrics that the CLI measures separately.
#[test]
fn text_block_reads_like_the_study() {
    let s = ProfileSummary::from_file(fixture(OLD)).unwrap();
    let latency =
        LatencyStats::from_durations(&[2000, 1900].map(std::time::Duration::from_micros)).unwrap();
    let text = s.render_text(Some((&latency, 1)));
    let expected_lines = [
        "Performance Metrics:",
        "  - Mean latency: 1.95 ms",
        "  - Throughput: 512.82 inferences/sec (batch 1)",
        "Total Profile Statistics:",
        "  - Total events: 72",
        "  - Total duration: 704.90 ms",
        "  - Session initialization: 654.42 ms",
        "  - Model loading: 13.21 ms",
        "  - Runs (model_run): 2",
        "  - SequentialExecutor::Execute: 3.86 ms (2 events)",
        "  - Session overhead: 0.623 ms (16.0%)",
        "  - Node execution: 3.28 ms (84.0%)",
        "CoreMLExecutionProvider Partitions: 4",
        "  1. CoreMLExecutionProvider_CoreML_16779592064083854546_1_1: 0.880 ms (2 events, mean 0.440 ms)",
        "CPU Fallback Operations (7 nodes):",
        "  1. Erf: 0.770 ms (4 events, 2 nodes)",
        "  6. Gather: 0.011 ms (2 events, 1 node)",
        "Provider transitions per run: 7.00 (consecutive nodes on different providers)",
    ];
    for line in expected_lines {
        assert!(
            text.lines().any(|l| l == line),
            "missing line {line:?} in\n{text}"
        );
    }
    // Runs of 2000 and 1900 µs: no warm-up warning.
    assert!(!text.contains("Warning"));
    // Display is the same block without latency.
    assert!(!s.to_string().contains("Performance Metrics"));
    assert!(s.to_string().contains("Provider transitions per run: 7.00"));
}
