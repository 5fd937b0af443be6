//! `epbench compare`, run as a user runs it: exit code 0 on a match, 1 on a mismatch (a model
//! with one weight scaled by 1.5), 2 on usage errors; the JSON keys scripts rely on.

mod cli_support;
mod correctness_support;

use std::process::Output;

use cli_support::text;
use correctness_support::{TestResult, corrupt};
use epbench::zoo;

const TINY: &str = "tiny-systems-bert_gelu_fp32_static_b1_s128";

/// `epbench compare` on the default runtime (CPU EP), whatever the developer's shell selects.
fn epbench(args: &[&str]) -> Output {
    cli_support::epbench()
        .arg("compare")
        .args(args)
        .output()
        .expect("run epbench")
}

/// Tolerance `fp32-reordered` (a different file than the reference, so not `identical`). One
/// MatMul weight × 1.5 (the exporter names them `onnx::MatMul_<n>`; the largest is a
/// feed-forward projection) moves the hidden states by a few percent, far beyond 1e-3 × RMS.
#[test]
fn a_corrupted_weight_is_a_mismatch_with_exit_code_1() -> TestResult {
    let original = zoo::build(TINY, zoo::DEFAULT_OUT_DIR)?;
    let dir = tempfile::tempdir()?;
    let (corrupted, weight) = corrupt(&original, "MatMul", 1.5, dir.path())?;
    let corrupted = corrupted.to_str().ok_or("non-UTF-8 temp path")?;

    let output = epbench(&[
        corrupted,
        "--ep",
        "cpu",
        "--reference",
        TINY,
        "--threads",
        "1",
    ]);
    let report = text(&output);
    println!("{weight} × 1.5:\n{report}");
    assert_eq!(
        output.status.code(),
        Some(1),
        "{weight} × 1.5 must be caught:\n{report}"
    );
    assert!(report.contains("MISMATCH"), "{report}");
    assert!(report.contains("outside tolerance"), "{report}");

    let output = epbench(&[corrupted, "--ep", "cpu", "--reference", TINY, "--json"]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout)?;
    assert_eq!(json["pass"], false);
    let hidden = json["outputs"]
        .as_array()
        .and_then(|outputs| outputs.iter().find(|o| o["name"] == "last_hidden_state"))
        .ok_or("no last_hidden_state in the JSON")?;
    assert_eq!(hidden["pass"], false);
    assert_eq!(hidden["failure"]["kind"], "out_of_tolerance");
    Ok(())
}

/// The same model on the same EP matches; JSON carries the documented keys.
#[test]
fn a_match_exits_0_with_the_documented_json() -> TestResult {
    let output = epbench(&[TINY, "--ep", "cpu", "--opt-level", "disable", "--json"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout)?;
    assert_eq!(json["pass"], true);
    assert_eq!(json["tolerance"]["class"], "fp32-reordered");
    assert!(
        json["tolerance"]["why"]
            .as_str()
            .is_some_and(|w| !w.is_empty())
    );
    let outputs = json["outputs"].as_array().ok_or("no outputs")?;
    assert_eq!(outputs.len(), 2, "{json}");
    for output in outputs {
        for key in ["name", "max_abs", "max_rel", "mean_abs", "cosine", "pass"] {
            assert!(!output[key].is_null(), "`{key}` missing in {output}");
        }
        assert!(output["worst"]["index"].is_array(), "{output}");
    }
    assert_eq!(json["candidate"]["opt_level"], "disable");
    assert_eq!(json["reference"]["opt_level"], "all");
    Ok(())
}

/// Usage and load errors exit with 2 and say what is wrong.
#[test]
fn usage_errors_exit_with_2() {
    let three_eps = epbench(&[TINY, "--ep", "cpu", "--ep", "cpu", "--ep", "cpu"]);
    assert_eq!(three_eps.status.code(), Some(2), "{}", text(&three_eps));
    assert!(
        text(&three_eps).contains("give --ep once"),
        "{}",
        text(&three_eps)
    );

    let unknown_model = epbench(&["no-such-model", "--ep", "cpu"]);
    assert_eq!(
        unknown_model.status.code(),
        Some(2),
        "{}",
        text(&unknown_model)
    );
    assert!(text(&unknown_model).contains("neither an existing file nor a zoo model"));

    let bad_ep = epbench(&[TINY, "--ep", "tpu"]);
    assert_eq!(bad_ep.status.code(), Some(2), "{}", text(&bad_ep));
}
