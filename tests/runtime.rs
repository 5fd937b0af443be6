//! Sessions on the default runtime (onnxruntime==1.31.1): EP availability, log capture, errors.

use std::path::{Path, PathBuf};

use epbench::onnx::{Dim, ElemType, FloatType, GraphBuilder, write_model};
use epbench::provisioning::OrtRequirement;
use epbench::runtime::{self, Ep, EpKind, LogLevel, Runtime, RuntimeError, SessionConfig};
use ndarray::Array2;

/// The default runtime, loaded explicitly so that an `EPBENCH_ORT` in the environment cannot
/// change what these tests are about.
fn default_runtime() -> &'static Runtime {
    runtime::load(&OrtRequirement::default()).expect("default runtime")
}

/// A one-node model computing `y = x + x` on a [2, 3] float tensor.
fn add_model(dir: &Path) -> PathBuf {
    default_runtime();
    let mut g = GraphBuilder::new("add", FloatType::F32);
    let dims = [Dim::from(2), Dim::from(3)];
    let x = g.input("x", ElemType::Float32, &dims);
    let y = g.op("Add", &[&x, &x], vec![]);
    g.output(&y, "y", ElemType::Float32, &dims);
    let path = dir.join("add.onnx");
    write_model(&g.finish(14, vec![]), &path).expect("write model");
    path
}

fn run_add(session: &mut ort::session::Session) -> Vec<f32> {
    let x = Array2::from_shape_vec((2, 3), vec![1.0f32, 2.0, 3.0, -1.0, 0.5, 0.0]).unwrap();
    let outputs = session
        .run(ort::inputs!["x" => ort::value::Tensor::from_array(x).unwrap()])
        .expect("run");
    let (_, values) = outputs["y"]
        .try_extract_tensor::<f32>()
        .expect("float output");
    values.to_vec()
}

#[test]
fn cpu_session_computes_and_reports_its_settings() {
    let dir = tempfile::tempdir().unwrap();
    let model = add_model(dir.path());
    let mut built = SessionConfig::new(Ep::Cpu)
        .intra_threads(1)
        .build(&model)
        .expect("session");
    assert_eq!(run_add(&mut built.session), [2.0, 4.0, 6.0, -2.0, 1.0, 0.0]);
    assert_eq!(built.config.intra_threads, Some(1));
    let runtime = default_runtime();
    assert_eq!(runtime.version(), "1.31.1");
    assert!(
        runtime
            .providers()
            .unwrap()
            .contains(&"CPUExecutionProvider".to_string())
    );
}

#[test]
fn each_session_captures_its_own_log_lines() {
    let dir = tempfile::tempdir().unwrap();
    let model = add_model(dir.path());
    let first = SessionConfig::new(Ep::Cpu)
        .log_level(LogLevel::Verbose)
        .build(&model)
        .unwrap();
    let second = SessionConfig::new(Ep::Cpu)
        .log_level(LogLevel::Verbose)
        .build(&model)
        .unwrap();
    for built in [&first, &second] {
        assert!(
            !built.logs.is_empty(),
            "ORT logs while creating a session at VERBOSE"
        );
        let id = &built.logs[0].id;
        assert!(id.starts_with("epbench-"), "{id}");
        assert!(
            built.logs.iter().all(|l| &l.id == id),
            "lines of one session share its id"
        );
    }
    assert_ne!(first.logs[0].id, second.logs[0].id);
    // Partitioning is logged while the session is created: the same place where the CoreML EP
    // prints its GetCapability summary on a Mac.
    assert!(
        first
            .logs
            .iter()
            .any(|l| l.message.contains("CPUExecutionProvider")),
        "{:#?}",
        first.logs.iter().map(|l| &l.message).collect::<Vec<_>>()
    );
    // At the default INFO level nothing below INFO is kept.
    let quiet = SessionConfig::new(Ep::Cpu).build(&model).unwrap();
    assert!(quiet.logs.iter().all(|l| l.level >= LogLevel::Info));
}

#[test]
fn coreml_is_unavailable_off_macos_with_orts_reason() {
    if cfg!(target_os = "macos") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let model = add_model(dir.path());
    let ep: Ep = "coreml:format=mlprogram,units=cpu_and_ne".parse().unwrap();
    let err = match SessionConfig::new(ep.clone()).build(&model) {
        Err(epbench::Error::Runtime(err)) => err,
        Err(other) => panic!("expected Unavailable, got {other:?}"),
        Ok(_) => panic!("CoreML must not be available on Linux"),
    };
    assert!(
        matches!(
            err,
            RuntimeError::Unavailable {
                ep: EpKind::CoreMl,
                ..
            }
        ),
        "{err:?}"
    );
    let message = err.to_string();
    assert!(
        message
            .contains("CoreMLExecutionProvider execution provider is not supported in this build"),
        "{message}"
    );
    assert!(message.contains("macOS"), "says how to get it: {message}");
    let availability = default_runtime().availability(&ep);
    assert!(!availability.can_partition(), "{availability:?}");
    assert!(
        availability
            .reason()
            .unwrap_or_default()
            .contains("not supported in this build")
    );
}

#[test]
fn openvino_is_unavailable_in_the_default_runtime_and_says_how_to_get_it() {
    let runtime = default_runtime();
    let err = runtime.require(&"openvino".parse().unwrap()).unwrap_err();
    assert!(
        err.to_string()
            .contains("EPBENCH_ORT=onnxruntime-openvino==1.24.1"),
        "{err}"
    );
}

#[test]
fn missing_and_corrupt_models_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope.onnx");
    let err = SessionConfig::new(Ep::Cpu).build(&missing).err().unwrap();
    assert!(err.to_string().contains("nope.onnx not found"), "{err}");

    let corrupt = dir.path().join("corrupt.onnx");
    std::fs::write(&corrupt, b"this is not a protobuf").unwrap();
    let err = SessionConfig::new(Ep::Cpu).build(&corrupt).err().unwrap();
    let message = err.to_string();
    assert!(
        message.contains("cannot create a cpu session for") && message.contains("corrupt.onnx"),
        "{message}"
    );
}

#[test]
fn a_second_different_runtime_in_one_process_is_refused() {
    default_runtime();
    let other = "onnxruntime==1.30.0".parse().unwrap();
    let err = runtime::load(&other).err().unwrap();
    assert!(
        err.to_string().contains("one ONNX Runtime per process"),
        "{err}"
    );
}
