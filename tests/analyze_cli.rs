//! `epbench analyze` as a user runs it, on the default runtime (no CoreML EP on Linux): models ORT
//! accepts but that cannot be benchmarked, `--check` without an EP to check against, bad EPs.

mod cli_support;

use std::path::Path;
use std::process::Output;

use epbench::onnx::proto::{ModelProto, tensor_shape_proto::dimension, type_proto};
use epbench::onnx::{Dim, ElemType, FloatType, GraphBuilder, write_model};

fn epbench(args: &[&str]) -> Output {
    cli_support::epbench()
        .args(args)
        .output()
        .expect("run epbench")
}

fn add_model() -> ModelProto {
    let dims = [Dim::from(1), Dim::from(4)];
    let mut g = GraphBuilder::new("add", FloatType::F32);
    let x = g.input("x", ElemType::Float32, &dims);
    let y = g.op("Add", &[&x, &x], vec![]);
    g.output(&y, "y", ElemType::Float32, &dims);
    g.finish(14, vec![])
}

fn write(model: &ModelProto, dir: &Path, name: &str) -> String {
    let path = dir.join(name);
    write_model(model, &path).expect("write model");
    path.display().to_string()
}

fn exit_2_saying(args: &[&str], needle: &str) {
    let output = epbench(args);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
    assert!(stderr.contains(needle), "{args:?}: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn a_model_without_outputs_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let mut model = add_model();
    model.graph.as_mut().unwrap().output.clear();
    let path = write(&model, dir.path(), "no_outputs.onnx");
    exit_2_saying(&["analyze", &path], "declares no outputs");
}

#[test]
fn a_negative_input_dimension_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let mut model = add_model();
    let input = &mut model.graph.as_mut().unwrap().input[0];
    let Some(type_proto::Value::TensorType(tensor)) =
        input.r#type.as_mut().and_then(|t| t.value.as_mut())
    else {
        panic!("the input is a tensor");
    };
    tensor.shape.as_mut().unwrap().dim[0].value = Some(dimension::Value::DimValue(-3));
    let path = write(&model, dir.path(), "negative_dim.onnx");
    exit_2_saying(&["analyze", &path], "declares dimension 0 as -3");
}

#[test]
fn check_needs_an_ep_to_check_against() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(&add_model(), dir.path(), "add.onnx");
    if cfg!(target_os = "macos") {
        return; // the default runtime has the CoreML EP there
    }
    exit_2_saying(
        &["analyze", &path, "--check"],
        "--check compares the prediction with the CoreML EP itself, which this runtime lacks",
    );
    // Without --check the prediction alone is fine, and says why nothing was measured.
    let output = epbench(&["analyze", &path]);
    assert!(output.status.success());
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("Measured: not measured"), "{text}");
}

#[test]
fn bad_eps_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(&add_model(), dir.path(), "add.onnx");
    exit_2_saying(
        &["analyze", &path, "--ep", "coreml:units=tpu"],
        "`tpu` is not one of all, cpu_and_ne, cpu_and_gpu, cpu_only",
    );
    exit_2_saying(
        &["analyze", &path, "--ep", "openvino"],
        "offline partition rules exist for coreml only",
    );
}
