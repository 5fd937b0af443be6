//! `scripts/build-ort-coreml-linux.sh`: its argument checks, and the one-line change it makes,
//! on a stand-in source tree whose `build.sh` records its arguments instead of building.

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

const SCRIPT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/scripts/build-ort-coreml-linux.sh"
);
const BUILDER: &str = "onnxruntime/core/providers/coreml/builders/impl/base_op_builder.cc";

/// Runs the script with a stand-in `cmake` first on PATH: the script only checks that the
/// tools ORT's build needs exist, and this machine may have no cmake.
fn run(args: &[&str]) -> Output {
    let tools = tempfile::tempdir().unwrap();
    let cmake = tools.path().join("cmake");
    fs::write(
        &cmake,
        "#!/bin/sh
echo cmake version 3.28
",
    )
    .unwrap();
    Command::new("chmod")
        .arg("+x")
        .arg(&cmake)
        .status()
        .unwrap();
    let path = format!(
        "{}:{}",
        tools.path().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    Command::new("bash")
        .arg(SCRIPT)
        .args(args)
        .env("PATH", path)
        .output()
        .expect("run bash")
}

/// A checkout with ORT's layout: the guarded line as upstream has it, and a build.sh that
/// writes its arguments and a library where ORT's build puts it.
fn fake_checkout(dir: &Path) {
    let builder = dir.join(BUILDER);
    fs::create_dir_all(builder.parent().unwrap()).unwrap();
    fs::write(
        &builder,
        "  if (input_type == FLOAT) {\n    return true;\n  }\n\n#if CAN_BUILD_COREML6_OR_LATER\n  // fp16\n#endif\n#if CAN_BUILD_COREML6_OR_LATER\n#endif\n",
    )
    .unwrap();
    fs::write(dir.join("VERSION_NUMBER"), "1.30.0\n").unwrap();
    let build = dir.join("build.sh");
    fs::write(
        &build,
        "#!/usr/bin/env bash\necho \"$@\" > build-args.txt\nmkdir -p build/Linux/Release\ntouch build/Linux/Release/libonnxruntime.so.1.30.0\n",
    )
    .unwrap();
    Command::new("chmod")
        .arg("+x")
        .arg(&build)
        .status()
        .unwrap();
}

#[test]
fn bad_arguments_exit_2_with_a_reason() {
    let output = run(&[]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("usage:"));
    let output = run(&["/no/such/dir"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("is not a directory"));
    let empty = tempfile::tempdir().unwrap();
    let output = run(&[empty.path().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("is not an ONNX Runtime source checkout")
    );
}

#[test]
fn builds_with_the_shared_flags_and_the_mac_equivalent_line() {
    let dir = tempfile::tempdir().unwrap();
    fake_checkout(dir.path());
    let output = run(&[dir.path().to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let args = fs::read_to_string(dir.path().join("build-args.txt")).unwrap();
    for flag in [
        "--config Release",
        "--build_shared_lib",
        "--use_coreml",
        "--skip_tests",
    ] {
        assert!(args.contains(flag), "{flag} missing from {args}");
    }
    assert!(args.contains("onnxruntime_ENABLE_PYTHON=OFF"), "{args}");
    let source = fs::read_to_string(dir.path().join(BUILDER)).unwrap();
    assert_eq!(
        source.matches("#if CAN_BUILD_COREML6_OR_LATER").count(),
        1,
        "{source}"
    );
    assert!(source.contains("#if 1  // Linux build"), "{source}");
    assert!(stdout.contains("libonnxruntime.so.1.30.0"), "{stdout}");

    let upstream = tempfile::tempdir().unwrap();
    fake_checkout(upstream.path());
    let output = run(&[upstream.path().to_str().unwrap(), "--as-upstream"]);
    assert!(output.status.success());
    let source = fs::read_to_string(upstream.path().join(BUILDER)).unwrap();
    assert_eq!(source.matches("#if CAN_BUILD_COREML6_OR_LATER").count(), 2);
}
