//! The OpenVINO EP, the real accelerator EP that runs on x86 Linux: this test binary is its own
//! process, so it loads `onnxruntime-openvino==1.24.1` (fetched from PyPI on first use).

use epbench::onnx::{Dim, ElemType, FloatType, GraphBuilder, write_model};
use epbench::runtime::{self, Ep, EpKind, SessionConfig};
use ndarray::Array2;

#[test]
fn a_session_really_runs_on_openvino() {
    if !cfg!(all(target_os = "linux", target_arch = "x86_64")) {
        return; // onnxruntime-openvino publishes Linux x86_64 (and Windows) wheels only.
    }
    let runtime =
        runtime::load(&"onnxruntime-openvino==1.24.1".parse().unwrap()).expect("OpenVINO runtime");
    assert_eq!(runtime.version(), "1.24.1");
    assert!(
        runtime
            .providers()
            .unwrap()
            .contains(&EpKind::OpenVino.ort_name().to_string())
    );
    let ep: Ep = "openvino:device=CPU".parse().unwrap();
    runtime.require(&ep).expect("OpenVINO available");

    let dir = tempfile::tempdir().unwrap();
    let mut g = GraphBuilder::new("mul_add", FloatType::F32);
    let dims = [Dim::from(4), Dim::from(8)];
    let x = g.input("x", ElemType::Float32, &dims);
    let two = g.const_float_scalar(2.0);
    let doubled = g.op("Mul", &[&x, &two], vec![]);
    let y = g.op("Add", &[&doubled, &x], vec![]);
    g.output(&y, "y", ElemType::Float32, &dims);
    let model = dir.path().join("mul_add.onnx");
    write_model(&g.finish(14, vec![]), &model).unwrap();

    let mut built = SessionConfig::new(ep)
        .profiling(dir.path().join("profile"))
        .build(&model)
        .expect("session");
    let x = Array2::from_shape_fn((4, 8), |(i, j)| (i * 8 + j) as f32 / 10.0);
    let outputs = built
        .session
        .run(ort::inputs!["x" => ort::value::Tensor::from_array(x.clone()).unwrap()])
        .unwrap();
    let (_, y) = outputs["y"].try_extract_tensor::<f32>().unwrap();
    for (got, input) in y.iter().zip(x.iter()) {
        assert!((got - 3.0 * input).abs() < 1e-5, "{got} vs 3 * {input}");
    }
    drop(outputs);

    // The profile says who ran the nodes: one fused OpenVINO node, nothing on the CPU.
    let profile_path = built.session.end_profiling().unwrap();
    let events: Vec<serde_json::Value> =
        serde_json::from_str(&std::fs::read_to_string(&profile_path).unwrap()).unwrap();
    let providers: Vec<&str> = events
        .iter()
        .filter(|e| e["cat"] == "Node")
        .filter_map(|e| e["args"]["provider"].as_str())
        .collect();
    assert!(!providers.is_empty(), "node events in the profile");
    assert!(
        providers.iter().all(|p| *p == "OpenVINOExecutionProvider"),
        "{providers:?}"
    );
}

/// OpenVINO's reason for refusing a device reaches only ORT's environment log ("Device NPU is
/// not available"; ORT's exception says "Failed to load provider"): the error carries it, and
/// nothing is printed raw.
#[test]
fn a_device_openvino_lacks_is_refused_with_openvinos_reason() {
    if !cfg!(all(target_os = "linux", target_arch = "x86_64")) {
        return; // onnxruntime-openvino publishes Linux x86_64 (and Windows) wheels only.
    }
    let runtime =
        runtime::load(&"onnxruntime-openvino==1.24.1".parse().unwrap()).expect("OpenVINO runtime");
    let ep: Ep = "openvino:device=NPU".parse().unwrap();
    match runtime.require(&ep) {
        // A machine with an NPU (Intel Core Ultra) has nothing to refuse.
        Ok(()) => println!("this machine has an NPU: nothing refused"),
        Err(e) => {
            let message = e.to_string();
            assert!(message.contains("Device NPU is not available"), "{message}");
        }
    }
}
