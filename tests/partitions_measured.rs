//! Measured partitions from CoreML's log lines, in the exact formats of
//! `onnxruntime/core/providers/coreml/coreml_execution_provider.cc` (the GetCapability summary)
//! and `builders/helper.cc` (`GetSupportedNodes`, one VERBOSE line per node).

use epbench::onnx::{Dim, ElemType, FloatType, GraphBuilder};
use epbench::partitions::measured::{parse_capability, parse_node_line};
use epbench::partitions::{AnalysisGraph, PartitionError, Provenance, measured_from_logs};
use epbench::runtime::{Ep, LogLevel, LogLine};

/// What a measurement on a Mac records about itself: the EP with its options and the runtime.
fn on_a_mac() -> Provenance {
    Provenance::Measured {
        ep: "coreml".parse::<Ep>().expect("ep"),
        runtime: "onnxruntime==1.31.1 (ORT 1.31.1)".into(),
        ort_version: "1.31.1".into(),
        executes: true,
    }
}

fn line(level: LogLevel, message: &str) -> LogLine {
    LogLine {
        level,
        category: "onnxruntime".into(),
        id: "epbench-0".into(),
        location: "coreml_execution_provider.cc:137 GetCapability".into(),
        message: message.into(),
    }
}

const SUMMARY_16: &str = "CoreMLExecutionProvider::GetCapability, number of partitions supported by \
CoreML: 16 number of nodes in the graph: 125 number of nodes supported by CoreML: 100";

#[test]
fn parses_the_summary_line() {
    let c = parse_capability(SUMMARY_16)
        .expect("a summary")
        .expect("parsed");
    assert_eq!((c.partitions, c.nodes, c.supported_nodes), (16, 125, 100));
    // As printed by ORT's default logger, with its prefix.
    let printed = format!(
        "2026-09-11 23:44:44.274599 [W:onnxruntime:, coreml_execution_provider.cc:137 GetCapability] {SUMMARY_16}"
    );
    let c = parse_capability(&printed)
        .expect("a summary")
        .expect("parsed");
    assert_eq!(c.partitions, 16);
    assert!(
        parse_capability("Some nodes were not assigned to the preferred execution providers")
            .is_none()
    );
}

#[test]
fn parses_per_node_lines_with_brackets_in_names() {
    let l = parse_node_line(
        "Operator type: [MatMul] index: [17] name: [/encoder/layer.0/attention/self/query/MatMul] supported: [0]",
    )
    .expect("a node line")
    .expect("parsed");
    assert_eq!(l.op, "MatMul");
    assert_eq!(l.index, 17);
    assert_eq!(l.name, "/encoder/layer.0/attention/self/query/MatMul");
    assert!(!l.supported);
    let odd = parse_node_line("Operator type: [Add] index: [3] name: [a[0]] supported: [1]")
        .expect("a node line")
        .expect("parsed");
    assert_eq!(odd.name, "a[0]");
    assert!(odd.supported);
}

#[test]
fn measured_report_from_warning_and_verbose_lines() {
    let logs = vec![
        line(
            LogLevel::Verbose,
            "Operator type: [Relu] index: [0] name: [r0] supported: [1]",
        ),
        line(
            LogLevel::Verbose,
            "Operator type: [Erf] index: [1] name: [e0] supported: [0]",
        ),
        line(
            LogLevel::Verbose,
            "Operator type: [Relu] index: [2] name: [r1] supported: [1]",
        ),
        line(
            LogLevel::Warning,
            "CoreMLExecutionProvider::GetCapability, number of partitions supported by CoreML: 2 number of nodes in the graph: 3 number of nodes supported by CoreML: 2",
        ),
    ];
    let measured = measured_from_logs(&logs, on_a_mac()).expect("measured");
    let r = &measured.report;
    assert!(r.provenance.is_measured());
    assert_eq!((r.nodes, r.supported_nodes, r.partitions), (3, 2, 2));
    assert_eq!(r.unsupported.len(), 1);
    assert_eq!(
        (r.unsupported[0].op.as_str(), r.unsupported[0].count),
        ("Erf", 1)
    );
    let json = serde_json::to_value(r).expect("json");
    assert_eq!(json["source"], "measured");
    assert!(json["rule_set"].is_null());
}

#[test]
fn a_single_partition_is_logged_at_info_and_the_last_summary_wins() {
    let logs = vec![
        line(
            LogLevel::Warning,
            "CoreMLExecutionProvider::GetCapability, number of partitions supported by CoreML: 3 number of nodes in the graph: 9 number of nodes supported by CoreML: 5",
        ),
        line(
            LogLevel::Info,
            "CoreMLExecutionProvider::GetCapability, number of partitions supported by CoreML: 1 number of nodes in the graph: 100 number of nodes supported by CoreML: 100",
        ),
    ];
    let measured = measured_from_logs(&logs, on_a_mac()).expect("measured");
    assert_eq!(measured.capability.partitions, 1);
    assert_eq!(measured.report.nodes, 100);
    assert!(measured.node_lines.is_empty());
}

#[test]
fn missing_or_broken_lines_are_clear_errors() {
    let logs = vec![line(LogLevel::Info, "Session created")];
    let err = measured_from_logs(&logs, on_a_mac()).unwrap_err();
    assert!(
        matches!(err, PartitionError::NoCapabilityLine { lines: 1 }),
        "{err}"
    );
    assert!(err.to_string().contains("GetCapability"), "{err}");
    let broken = vec![line(
        LogLevel::Warning,
        "CoreMLExecutionProvider::GetCapability, number of partitions supported by CoreML: many",
    )];
    let err = measured_from_logs(&broken, on_a_mac()).unwrap_err();
    assert!(matches!(err, PartitionError::BadLogLine { .. }), "{err}");
}

#[test]
fn per_node_lines_plus_the_graph_give_partition_sizes() {
    let mut g = GraphBuilder::new("chain", FloatType::F32);
    let d = [Dim::from(4)];
    let x = g.input("x", ElemType::Float32, &d);
    let a = g.op("Relu", &[&x], vec![]);
    let b = g.op("Erf", &[&a], vec![]);
    let c = g.op("Relu", &[&b], vec![]);
    let e = g.op("Relu", &[&c], vec![]);
    g.output(&e, "y", ElemType::Float32, &d);
    let graph = AnalysisGraph::from_model(&g.finish(14, vec![])).expect("graph");
    let node_line = |i: usize, supported: bool| {
        let n = &graph.nodes()[i];
        line(
            LogLevel::Verbose,
            &format!(
                "Operator type: [{}] index: [{}] name: [{}] supported: [{}]",
                n.op_type,
                i + 40,
                n.name,
                u8::from(supported)
            ),
        )
    };
    let summary = |n: usize, k: usize| {
        line(
            LogLevel::Warning,
            &format!(
                "CoreMLExecutionProvider::GetCapability, number of partitions supported by CoreML: {n} number of nodes in the graph: 4 number of nodes supported by CoreML: {k}"
            ),
        )
    };
    let verbose = vec![
        node_line(0, true),
        node_line(1, false),
        node_line(2, true),
        node_line(3, true),
    ];
    let mut logs = verbose.clone();
    logs.push(summary(2, 3));
    let mut measured = measured_from_logs(&logs, on_a_mac()).expect("measured");
    assert!(measured.attach_partition_sizes(&graph));
    assert_eq!(measured.report.partition_sizes, [1, 2]);

    // A log that grouping cannot reproduce (e.g. a filter dropped a partition) keeps no sizes.
    let mut logs = verbose;
    logs.push(summary(1, 2));
    let mut measured = measured_from_logs(&logs, on_a_mac()).expect("measured");
    assert!(!measured.attach_partition_sizes(&graph));
    assert!(measured.report.partition_sizes.is_empty());
}
