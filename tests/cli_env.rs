//! `epbench env`, run as a user runs it: a separate process, JSON on stdout, exit codes.

use std::process::{Command, Output};

use epbench::provisioning::{self, Cache, OrtRequirement};

fn epbench(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_epbench"));
    command
        .args(args)
        .env_remove("EPBENCH_ORT")
        .env_remove("ORT_DYLIB_PATH");
    for (key, value) in env {
        command.env(key, value);
    }
    command.output().expect("run epbench")
}

fn json(output: &Output) -> serde_json::Value {
    assert!(
        output.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("JSON on stdout")
}

#[test]
fn env_reports_the_default_runtime_and_coreml_unavailable_here() {
    let report = json(&epbench(&["env", "--json"], &[]));
    assert_eq!(report["ort_version"], "1.31.1");
    assert_eq!(report["ort_requirement"], "onnxruntime==1.31.1");
    assert!(report["ort_library"].as_str().unwrap().contains("1.31.1"));
    assert!(
        report["providers"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p == "CPUExecutionProvider")
    );
    assert_eq!(report["eps"]["cpu"]["available"], true);
    if !cfg!(target_os = "macos") {
        assert_eq!(report["eps"]["coreml"]["available"], false);
        let reason = report["eps"]["coreml"]["reason"].as_str().unwrap();
        assert!(reason.contains("not supported in this build"), "{reason}");
    }
    assert!(report["machine"]["cores"].as_u64().unwrap() >= 1);
    assert_eq!(report["machine"]["arch"], std::env::consts::ARCH);
}

#[test]
fn ort_dylib_path_overrides_the_requirement_and_the_cache() {
    let library =
        provisioning::ensure_ort(&OrtRequirement::default(), &Cache::from_env().unwrap()).unwrap();
    let path = library.path.to_str().unwrap();
    // An unusable cache and requirement prove neither is consulted.
    let report = json(&epbench(
        &["env", "--json"],
        &[
            ("ORT_DYLIB_PATH", path),
            ("EPBENCH_CACHE", "/nonexistent/epbench-cache"),
            ("EPBENCH_ORT", "onnxruntime==1.30.0"),
        ],
    ));
    assert_eq!(report["ort_library"], path);
    assert_eq!(report["ort_requirement"], serde_json::Value::Null);
    assert_eq!(report["ort_version"], "1.31.1");
}

#[test]
fn bad_requirements_exit_2_with_a_specific_message() {
    let output = epbench(&["env"], &[("EPBENCH_ORT", "onnxruntime>=1.20")]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("exact pin"), "{stderr}");

    let output = epbench(&["--ort", "tensorflow==2.0", "env"], &[]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("unknown package `tensorflow`"), "{stderr}");
}

#[test]
fn missing_override_library_is_a_clear_error() {
    let output = epbench(
        &["env"],
        &[("ORT_DYLIB_PATH", "/no/such/libonnxruntime.so")],
    );
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("ORT_DYLIB_PATH names /no/such/libonnxruntime.so"),
        "{stderr}"
    );
}
