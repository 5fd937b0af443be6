//! `epbench upgrade-check` run as users run it: two real worker processes on real ONNX Runtime
//! libraries and real zoo models. No timing is asserted (the machine may be busy); the structure
//! of the result, the output agreement, the saved baselines and the exit codes are.

mod snapshot_support;

use std::path::Path;
use std::process::{Command, Output};

use snapshot_support::{assert_snapshot, json_shape};

const REQ: &str = "onnxruntime==1.31.1";

fn epbench(args: &[&str], store: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_epbench"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("EPBENCH_BASELINES", store)
        .env_remove("EPBENCH_ORT")
        .env_remove("ORT_DYLIB_PATH")
        .output()
        .expect("run epbench")
}

/// `epbench upgrade-check --from REQ --to REQ` followed by `extra`.
fn upgrade_check(extra: &[&str], store: &Path) -> Output {
    let mut args = vec!["upgrade-check", "--from", REQ, "--to", REQ];
    args.extend_from_slice(extra);
    epbench(&args, store)
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn same_runtime_on_both_sides_is_measured_paired_and_saved() {
    let scratch = tempfile::tempdir().unwrap();
    let store = scratch.path();
    let output = upgrade_check(
        &[
            "--filter",
            "add_64k",
            "--rounds",
            "12",
            "--json",
            "--save",
            "aa",
            "--spinning",
        ],
        store,
    );
    let code = output.status.code();
    assert!(matches!(code, Some(0 | 1)), "{code:?}: {}", stderr(&output));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&output.stdout)));
    assert_eq!(report["from"]["ort_version"], "1.31.1");
    assert_eq!(report["to"]["requirement"], REQ);
    assert_eq!(report["method"]["stopping"]["kind"], "fixed");
    assert_eq!(report["method"]["stopping"]["rounds"], 12);
    assert_eq!(report["method"]["interval"], "sign_test");
    assert_eq!(
        report["method"]["measure"], "cpu",
        "CPU time decides where it exists"
    );
    assert_eq!(report["method"]["noise"]["intra_op_spinning"], true);
    let rows = report["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 1);
    let row = &rows[0];
    assert_eq!(row["id"], "cpu/overhead/add_64k/cpu");
    assert_eq!(row["status"], "measured", "{row}");
    for side in ["from", "to"] {
        assert_eq!(row[side]["burst_medians_ns"].as_array().unwrap().len(), 12);
        assert!(row[side]["median_ns"].as_f64().unwrap() > 0.0);
    }
    assert_eq!(row["rounds"], 12);
    // Sessions are created once, and re-created at most after each of the 6 pairs of rounds
    // but the last (add_64k's are cheap: usually after every pair).
    let sessions = row["sessions"].as_u64().unwrap();
    assert!((1..=6).contains(&sessions), "{row}");
    assert_eq!(
        row["decided"],
        serde_json::Value::Null,
        "fixed rounds decide nothing early"
    );
    assert_eq!(row["other_measure"]["measure"], "wall");
    assert_eq!(
        row["from"]["burst_cpu_ns"].as_array().unwrap().len(),
        12,
        "every round's CPU time"
    );
    let resolution = row["resolution"]["slower"].as_f64().unwrap();
    assert!(
        resolution >= 0.05 - 1e-12,
        "never finer than the threshold: {row}"
    );
    let (lower, upper) = (
        row["change"]["lower"].as_f64().unwrap(),
        row["change"]["upper"].as_f64().unwrap(),
    );
    assert!(lower <= row["change"]["point"].as_f64().unwrap() && upper >= lower);
    assert!(
        ["slower", "faster", "equivalent", "inconclusive"]
            .contains(&row["verdict"].as_str().unwrap())
    );
    // The same library and options on both sides: the outputs are bit-identical.
    assert_eq!(row["outputs"], "agree", "{row}");
    assert_eq!(row["tolerance"], "identical");
    assert_eq!(row["max_abs"], 0.0);
    assert_eq!(report["passed"], code == Some(0));
    assert_snapshot(
        "upgrade_check_json_shape.txt",
        &json_shape(&report),
        "scripts read `upgrade-check --json`",
    );

    // The pair is two ordinary baselines.
    let compared = epbench(
        &["baseline", "compare", "aa-from", "aa-to", "--json"],
        store,
    );
    assert!(compared.status.success(), "{}", stderr(&compared));
    let text = String::from_utf8_lossy(&compared.stdout);
    assert!(text.contains("cpu/overhead/add_64k/cpu"), "{text}");
    let compared: serde_json::Value = serde_json::from_slice(&compared.stdout).unwrap();
    assert_snapshot(
        "baseline_compare_json_shape.txt",
        &json_shape(&compared),
        "scripts read `baseline compare --json`",
    );
    let listed = epbench(&["baseline", "list", "--json"], store);
    let listed: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(listed[0]["name"], "aa-from");
    assert_eq!(listed[0]["metadata"]["ort"]["requirement"], REQ);
    assert_eq!(listed[0]["benchmarks"], 1);
    assert_snapshot(
        "baseline_list_json_shape.txt",
        &json_shape(&listed),
        "scripts read `baseline list --json`",
    );

    // Saving over an existing pair is refused before anything is measured.
    let again = upgrade_check(&["--filter", "add_64k", "--save", "aa"], store);
    assert_eq!(again.status.code(), Some(2));
    assert!(
        stderr(&again).contains("already exists"),
        "{}",
        stderr(&again)
    );
}

#[test]
fn an_adaptive_check_stops_on_its_budget_and_reports_its_resolution() {
    let scratch = tempfile::tempdir().unwrap();
    let output = upgrade_check(
        &[
            "--to-options",
            "slowdown=20%",
            "--filter",
            "add_64k",
            "--budget",
            "2s",
            "--threshold",
            "1",
            "--strict",
            "--json",
        ],
        scratch.path(),
    );
    let code = output.status.code();
    let report: serde_json::Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {code:?} {}", stderr(&output)));
    let method = &report["method"];
    assert_eq!(method["stopping"]["kind"], "adaptive");
    assert_eq!(method["stopping"]["budget_s"], 2.0);
    assert_eq!(method["interval"], "confidence_sequence");
    assert_eq!(method["strict"], true);
    assert_eq!(report["to"]["options"]["slowdown"], 0.2);
    assert_eq!(
        report["from"]["options"]["slowdown"],
        serde_json::Value::Null
    );
    let noise = &method["noise"];
    assert_eq!(
        noise["intra_op_spinning"], false,
        "idle intra-op threads sleep unless --spinning"
    );
    assert!(
        noise["pinning"]["reason"]
            .as_str()
            .unwrap()
            .contains("pinned")
    );
    assert!(noise["warmup"]["max_bursts"].as_u64().unwrap() >= 2);
    let row = &report["rows"][0];
    assert_eq!(row["status"], "measured", "{row}");
    let rounds = row["rounds"].as_u64().unwrap();
    assert_eq!(rounds % 2, 0, "rounds come in ABBA pairs: {row}");
    let warmups = row["warmup_bursts"].as_u64().unwrap();
    assert!((1..=noise["warmup"]["max_bursts"].as_u64().unwrap()).contains(&warmups));
    let verdict = row["verdict"].as_str().unwrap();
    // A decision is recorded exactly when the verdict is not inconclusive, and the budget ran
    // out exactly when it is.
    match &row["decided"] {
        serde_json::Value::Null => assert_eq!(verdict, "inconclusive", "{row}"),
        decided => {
            assert_ne!(verdict, "inconclusive", "{row}");
            assert_eq!(decided["rounds"].as_u64(), Some(rounds));
        }
    }
    assert_eq!(
        report["summary"]["budget_exhausted"],
        verdict == "inconclusive"
    );
    if rounds >= 16 {
        assert!(
            row["resolution"]["slower"].as_f64().unwrap() > 0.01,
            "{row}"
        );
    }
    if verdict != "inconclusive" {
        // Taken from the sessions it was decided on, before any restart could drop them.
        assert_eq!(row["outputs"], "agree", "{row}");
    }
    // --strict: an inconclusive verdict fails the check like a regression.
    let fails = verdict == "slower" || verdict == "inconclusive" || row["outputs"] == "mismatch";
    assert_eq!(code, Some(if fails { 1 } else { 0 }), "{row}");
    assert_eq!(report["passed"], !fails);
}

#[test]
fn workers_are_restarted_the_other_side_first() {
    let scratch = tempfile::tempdir().unwrap();
    let output = upgrade_check(
        &["--filter", "add_64k", "--rounds", "40", "--json"],
        scratch.path(),
    );
    let code = output.status.code();
    assert!(matches!(code, Some(0 | 1)), "{code:?}: {}", stderr(&output));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", stderr(&output)));
    assert_eq!(report["method"]["noise"]["worker_generations"], 2);
    // Fixed rounds are split exactly: the second generation, `to` first, from round 20 on.
    let generations = report["generations"].as_array().unwrap();
    let starts: Vec<(&str, u64)> = generations
        .iter()
        .map(|g| {
            (
                g["first"].as_str().unwrap(),
                g["first_round"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(starts, [("from", 0), ("to", 20)], "{generations:?}");
    for generation in generations {
        assert!(
            generation["start_s"].as_f64().unwrap() > 0.0,
            "{generation}"
        );
    }
    let row = &report["rows"][0];
    assert_eq!(row["status"], "measured", "{row}");
    assert_eq!(row["rounds"], 40);
    // Every generation prepares its own sessions.
    assert!(
        row["sessions"].as_u64().unwrap() >= generations.len() as u64,
        "{row}"
    );
    // The outputs come from the last generation's workers.
    assert_eq!(row["outputs"], "agree", "{row}");
}

#[test]
fn a_runtime_that_does_not_exist_names_its_side() {
    let scratch = tempfile::tempdir().unwrap();
    let output = epbench(
        &[
            "upgrade-check",
            "--from",
            REQ,
            "--to",
            "onnxruntime==0.0.1",
            "--filter",
            "add_64k",
            "--rounds",
            "12",
        ],
        scratch.path(),
    );
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let message = stderr(&output);
    assert!(
        message.contains("the to side (onnxruntime==0.0.1) failed"),
        "{message}"
    );
}

/// Runs `upgrade-check` with `extra` arguments after both sides and expects a usage error
/// (exit 2) whose message contains every one of `needles`.
fn assert_usage_error(dir: &Path, extra: &[&str], needles: &[&str]) {
    let output = upgrade_check(extra, dir);
    let message = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{extra:?}: {message}");
    for needle in needles {
        assert!(message.contains(needle), "{extra:?}: {message}");
    }
}

#[test]
fn bad_arguments_are_usage_errors() {
    let scratch = tempfile::tempdir().unwrap();
    let dir = scratch.path();
    assert_usage_error(
        dir,
        &["--to-options", "speed=max"],
        &["unknown key `speed`", "threads=N"],
    );
    assert_usage_error(dir, &["--filter", "no-such-benchmark"], &["no benchmark"]);
    assert_usage_error(
        dir,
        &["--rounds", "1"],
        &["--rounds must be even", "at least 12"],
    );
    assert_usage_error(dir, &["--rounds", "13"], &["--rounds must be even"]);
    assert_usage_error(dir, &["--budget", "soon"], &["expected a time such as 3m"]);
    assert_usage_error(
        dir,
        &["--rounds", "10", "--budget", "1m"],
        &["cannot be used with"],
    );
    assert_usage_error(dir, &["--measure", "gpu"], &["expected wall or cpu"]);
    assert_usage_error(
        dir,
        &["--to-options", "slowdown=-5%"],
        &["expected a percentage above 0"],
    );
}
