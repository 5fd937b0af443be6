//! Running `epbench` as a user does, for the tests of its commands: the real binary with the
//! runtime the test names (never the developer's `EPBENCH_ORT` or `ORT_DYLIB_PATH`), what it
//! printed, and what a study wrote.

// Each test crate includes this module and uses a different part of it.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

/// `epbench` with the runtime chosen by the arguments alone.
pub fn epbench() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_epbench"));
    command
        .env_remove("EPBENCH_ORT")
        .env_remove("ORT_DYLIB_PATH");
    command
}

/// The stdout of a run that must have succeeded; panics with both streams otherwise.
pub fn succeeded(output: &Output) -> String {
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "status {:?}\n{stdout}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

/// The exit code and both streams, for assertion messages.
pub fn text(output: &Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// `report.md` and `results.json` of a study written into `dir`.
pub fn written(dir: &Path) -> (String, Value) {
    let report = std::fs::read_to_string(dir.join("report.md")).expect("report.md");
    let json = serde_json::from_slice(&std::fs::read(dir.join("results.json")).expect("json"))
        .expect("results.json parses");
    (report, json)
}
