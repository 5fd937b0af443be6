//! `epbench baseline`, run as a user runs it: exit codes, tables, JSON, error messages.

mod baseline_support;
mod cli_support;
mod snapshot_support;

use std::path::Path;
use std::process::Output;

use baseline_support::{criterion_run, fixture};
use snapshot_support::{assert_snapshot, json_shape};

fn epbench(store: &Path, args: &[&str]) -> Output {
    cli_support::epbench()
        .arg("baseline")
        .args(args)
        .env("EPBENCH_BASELINES", store)
        .env_remove("CRITERION_HOME")
        .output()
        .expect("run epbench")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn save_list_check_compare_restore() {
    let scratch = tempfile::tempdir().unwrap();
    let store = scratch.path().join("criterion-baselines");
    let store = store.as_path();
    let fixture = fixture();
    let fixture = fixture.to_str().unwrap();

    let saved = epbench(store, &["save", "m2", "--from", fixture]);
    assert!(saved.status.success(), "{}", stderr(&saved));
    assert!(stdout(&saved).contains("saved run 1 of baseline m2 (3 benchmarks"));
    // Saving again without saying how is refused; --append adds a run.
    let again = epbench(store, &["save", "m2", "--from", fixture]);
    assert_eq!(again.status.code(), Some(2));
    assert!(
        stderr(&again).contains("already exists"),
        "{}",
        stderr(&again)
    );
    let appended = epbench(store, &["save", "m2", "--append", "--from", fixture]);
    assert!(appended.status.success(), "{}", stderr(&appended));

    let list = epbench(store, &["list", "--json"]);
    let list: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
    assert_eq!(list[0]["name"], "m2");
    assert_eq!(list[0]["metadata"]["runs"].as_array().unwrap().len(), 2);
    assert_eq!(
        list[0]["metadata"]["ort"]["requirement"],
        "onnxruntime==1.31.1"
    );

    let same = epbench(store, &["check", "m2", "--from", fixture]);
    assert_eq!(same.status.code(), Some(0), "{}", stderr(&same));
    assert!(stdout(&same).contains("PASS"), "{}", stdout(&same));
    assert!(stdout(&same).contains("noise floor"));

    let slow = criterion_run(&scratch.path().join("slow"), |_| 1.3);
    let slow = slow.to_str().unwrap();
    let regressed = epbench(store, &["check", "m2", "--from", slow, "--json"]);
    assert_eq!(regressed.status.code(), Some(1), "{}", stderr(&regressed));
    let report: serde_json::Value = serde_json::from_slice(&regressed.stdout).unwrap();
    assert_eq!(report["passed"], false);
    assert_eq!(report["rows"][0]["verdict"], "slower");
    assert!(report["rows"][0]["noise_floor"]["fraction"].is_number());
    assert_snapshot(
        "baseline_check_json_shape.txt",
        &json_shape(&report),
        "CI scripts read `baseline check --json`",
    );

    let slightly = criterion_run(&scratch.path().join("slightly"), |_| 1.03);
    let slightly = slightly.to_str().unwrap();
    let passed = epbench(
        store,
        &["check", "m2", "--from", slightly, "--threshold", "5"],
    );
    assert_eq!(passed.status.code(), Some(0), "{}", stdout(&passed));

    let saved = epbench(store, &["save", "m2-slow", "--from", slow]);
    assert!(saved.status.success(), "{}", stderr(&saved));
    let compared = epbench(store, &["compare", "m2", "m2-slow", "--filter", "cpu$"]);
    assert!(compared.status.success(), "{}", stderr(&compared));
    let table = stdout(&compared);
    assert!(table.contains("1.300× [") && table.contains('▲'), "{table}");
    assert_eq!(table.matches("coreml/").count(), 1, "{table}");

    let target = scratch.path().join("target/criterion");
    let restored = epbench(store, &["restore", "m2", "--to", target.to_str().unwrap()]);
    assert!(restored.status.success(), "{}", stderr(&restored));
    assert!(
        target
            .join("coreml_activation/tiny-systems-bert_fast-gelu_fp32_static_b1_s128_coreml/m2/sample.json")
            .is_file()
    );
}

#[test]
fn errors_exit_2_and_say_what_to_fix() {
    let scratch = tempfile::tempdir().unwrap();
    let store = scratch.path().join("baselines");
    let fixture = fixture();
    let fixture = fixture.to_str().unwrap();

    let unknown = epbench(&store, &["check", "nope", "--from", fixture]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(
        stderr(&unknown).contains("there are no baselines yet"),
        "{}",
        stderr(&unknown)
    );

    let bad_name = epbench(&store, &["save", "../escape", "--from", fixture]);
    assert_eq!(bad_name.status.code(), Some(2));
    assert!(
        stderr(&bad_name).contains("invalid baseline name"),
        "{}",
        stderr(&bad_name)
    );

    let broken = criterion_run(&scratch.path().join("broken"), |_| 1.0);
    let sample = broken
        .join("coreml_ep_vs_cpu/tiny-systems-bert_gelu_fp32_static_b1_s128_cpu/new/sample.json");
    std::fs::write(&sample, "not json").unwrap();
    let malformed = epbench(&store, &["save", "x", "--from", broken.to_str().unwrap()]);
    assert_eq!(malformed.status.code(), Some(2));
    let message = stderr(&malformed);
    assert!(
        message.contains(&sample.display().to_string()) && message.contains("not criterion's"),
        "{message}"
    );
    assert!(
        !store.join("x").exists(),
        "nothing is saved from a broken run"
    );

    let negative = epbench(&store, &["compare", "a", "b", "--threshold=-5"]);
    assert_eq!(negative.status.code(), Some(2));
}
