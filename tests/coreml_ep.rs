//! ONNX Runtime's own CoreML EP, built for Linux (`../shared/coreml-ep-linux/`): its state,
//! its options, and what it leaves on disk. The EP registers, partitions and builds CoreML
//! models here; only running them fails. Skipped, with one line, where the library is absent.

mod coreml_support;

use std::path::Path;
use std::process::Command;

use epbench::runtime::{
    Availability, ComputeUnits, CoreMlOptions, Ep, ModelFormat, RuntimeError, SessionConfig,
    SpecializationStrategy,
};
use epbench::zoo;

const TINY_STATIC: &str = "tiny-systems-bert_gelu_fp32_static_b1_s128";

fn tiny_static() -> std::path::PathBuf {
    zoo::build(
        TINY_STATIC.parse::<zoo::Variant>().expect("zoo variant"),
        zoo::DEFAULT_OUT_DIR,
    )
    .expect("build")
}

#[test]
fn the_linux_coreml_ep_partitions_but_cannot_execute() {
    let Some(runtime) = coreml_support::load("the_linux_coreml_ep_partitions_but_cannot_execute")
    else {
        return;
    };
    let coreml = Ep::CoreMl(CoreMlOptions::default());
    let availability = runtime.availability(&coreml);
    let Availability::PartitionsOnly { reason } = &availability else {
        panic!("expected partitions only, got {availability:?}");
    };
    assert!(
        reason.contains("Executing a CoreML model is not supported on this platform"),
        "{reason}"
    );
    assert!(runtime.require_partitioning(&coreml).is_ok());
    let error = runtime.require(&coreml).unwrap_err();
    assert!(
        matches!(error, RuntimeError::CannotExecute { .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains("cannot execute them"), "{error}");
    assert_eq!(runtime.availability(&Ep::Cpu), Availability::Available);
}

/// Every value of every option epbench exposes reaches the real EP and is accepted at session
/// creation (ORT's own parser, `coreml_options.cc`), one option at a time.
#[test]
fn every_coreml_option_is_accepted_by_the_real_ep() {
    let Some(_) = coreml_support::load("every_coreml_option_is_accepted_by_the_real_ep") else {
        return;
    };
    let model = tiny_static();
    let cache = tempfile::tempdir().unwrap();
    let base = CoreMlOptions::default();
    let mut variants: Vec<CoreMlOptions> = Vec::new();
    for format in [ModelFormat::NeuralNetwork, ModelFormat::MlProgram] {
        variants.push(CoreMlOptions {
            format,
            ..base.clone()
        });
    }
    for units in ComputeUnits::ALL {
        variants.push(CoreMlOptions {
            units,
            ..base.clone()
        });
    }
    for strategy in [
        SpecializationStrategy::Default,
        SpecializationStrategy::FastPrediction,
    ] {
        variants.push(CoreMlOptions {
            strategy,
            ..base.clone()
        });
    }
    variants.extend([
        CoreMlOptions {
            static_shapes: true,
            ..base.clone()
        },
        CoreMlOptions {
            subgraphs: true,
            ..base.clone()
        },
        CoreMlOptions {
            format: ModelFormat::MlProgram,
            profile_compute_plan: true,
            ..base.clone()
        },
        CoreMlOptions {
            low_precision_gpu: true,
            ..base.clone()
        },
        CoreMlOptions {
            cache_dir: Some(cache.path().to_path_buf()),
            ..base.clone()
        },
    ]);
    for options in variants {
        let ep = Ep::CoreMl(options);
        let built = SessionConfig::new(ep.clone())
            .build(&model)
            .unwrap_or_else(|e| panic!("{ep} was refused: {e}"));
        assert!(
            built.logs.iter().any(|l| l
                .message
                .contains("number of partitions supported by CoreML")),
            "{ep}: the CoreML EP did not partition"
        );
    }
}

/// What ORT's parser rejects comes back as ORT's words inside epbench's error, naming what ORT
/// was given.
#[test]
fn options_the_ep_rejects_fail_with_orts_message() {
    let Some(runtime) = coreml_support::load("options_the_ep_rejects_fail_with_orts_message")
    else {
        return;
    };
    let model = tiny_static();
    let ep: Ep = "coreml:format=mlprogram,ort.Frobnicate=1".parse().unwrap();
    let error = match SessionConfig::new(ep.clone()).build(&model) {
        Err(epbench::Error::Runtime(error)) => error,
        Err(other) => panic!("unexpected error {other}"),
        Ok(_) => panic!("ORT accepted an unknown CoreML option"),
    };
    let message = error.to_string();
    assert!(
        matches!(error, RuntimeError::OptionsRejected { .. }),
        "{error:?}"
    );
    assert!(message.contains("Unknown option: Frobnicate"), "{message}");
    assert!(message.contains("ModelFormat=MLProgram"), "{message}");
    // The same EP through `require` is the same error, not "unavailable".
    let error = runtime.require_partitioning(&ep).unwrap_err();
    assert!(
        error.to_string().contains("Unknown option: Frobnicate"),
        "{error}"
    );
}

/// Without `cache_dir`, the Linux CoreML EP writes `coreml_ep_test_run.N*` into the current
/// directory; epbench gives each session a temporary cache of its own instead. With `cache_dir`
/// the models stay where the user asked.
#[test]
fn no_coreml_model_files_are_left_in_the_working_directory() {
    let Some(library) =
        coreml_support::library("no_coreml_model_files_are_left_in_the_working_directory")
    else {
        return;
    };
    let model = std::path::absolute(tiny_static()).unwrap();
    let cwd = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    for ep in [
        "coreml".to_string(),
        "coreml:format=mlprogram".to_string(),
        format!("coreml:cache_dir={}", cache.path().display()),
    ] {
        let output = Command::new(env!("CARGO_BIN_EXE_epbench"))
            .current_dir(cwd.path())
            .env_remove("ORT_DYLIB_PATH")
            .env_remove("EPBENCH_ORT")
            .args(["--ort", &coreml_support::requirement(&library).to_string()])
            .args(["analyze", model.to_str().unwrap(), "--ep", &ep])
            .output()
            .expect("run epbench");
        assert!(
            output.status.success(),
            "{ep}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let left: Vec<_> = std::fs::read_dir(cwd.path()).unwrap().collect();
        assert!(
            left.is_empty(),
            "{ep} left {left:?} in the working directory"
        );
    }
    assert!(
        count_files(cache.path()) > 0,
        "cache_dir holds the EP's models"
    );
}

fn count_files(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| {
                    let path = e.path();
                    if path.is_dir() { count_files(&path) } else { 1 }
                })
                .sum()
        })
        .unwrap_or(0)
}

#[test]
fn env_reports_coreml_partitions_only() {
    let Some(library) = coreml_support::library("env_reports_coreml_partitions_only") else {
        return;
    };
    let requirement = coreml_support::requirement(&library).to_string();
    let output = Command::new(env!("CARGO_BIN_EXE_epbench"))
        .env_remove("ORT_DYLIB_PATH")
        .env("EPBENCH_ORT", &requirement)
        .args(["env", "--json"])
        .output()
        .expect("run epbench");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["ort_requirement"], requirement.as_str());
    assert_eq!(
        report["ort_origin"]["local"]["requirement"],
        requirement.as_str()
    );
    assert_eq!(report["eps"]["coreml"]["state"], "partitions_only");
    assert_eq!(report["eps"]["coreml"]["available"], false);
    assert_eq!(report["eps"]["cpu"]["state"], "available");
    assert!(
        report["eps"]["coreml"]["reason"]
            .as_str()
            .unwrap()
            .contains("not supported on this platform")
    );
    let text = Command::new(env!("CARGO_BIN_EXE_epbench"))
        .env_remove("ORT_DYLIB_PATH")
        .args(["--ort", &requirement, "env"])
        .output()
        .expect("run epbench");
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("coreml    partitions only"), "{text}");
    assert!(
        text.contains(&format!("local library, {requirement}")),
        "{text}"
    );
}

#[test]
fn a_missing_local_library_is_a_clear_error() {
    let output = Command::new(env!("CARGO_BIN_EXE_epbench"))
        .env_remove("ORT_DYLIB_PATH")
        .args(["--ort", "file:/no/such/libonnxruntime.so", "env"])
        .output()
        .expect("run epbench");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("file:/no/such/libonnxruntime.so names no file"),
        "{stderr}"
    );
}

fn epbench_on(library: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_epbench"))
        .env_remove("ORT_DYLIB_PATH")
        .env_remove("EPBENCH_ORT")
        .args(["--ort", &coreml_support::requirement(library).to_string()])
        .args(args)
        .output()
        .expect("run epbench")
}

/// `analyze` measures each format it predicts with the real EP and shows both.
#[test]
fn analyze_shows_the_eps_numbers_beside_the_prediction() {
    let Some(library) =
        coreml_support::library("analyze_shows_the_eps_numbers_beside_the_prediction")
    else {
        return;
    };
    let output = epbench_on(&library, &["analyze", TINY_STATIC]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = String::from_utf8_lossy(&output.stdout);
    for needle in [
        "CoreML partitions (predicted, rules",
        "CoreML partitions (measured by the CoreML EP (ORT 1.30.0, a build that partitions but cannot execute), coreml)",
        "measured by the CoreML EP (ORT 1.30.0, a build that partitions but cannot execute), coreml:format=mlprogram)",
        "session creation",
    ] {
        assert!(text.contains(needle), "missing `{needle}` in:\n{text}");
    }

    let output = epbench_on(
        &library,
        &["analyze", TINY_STATIC, "--format", "mlprogram", "--json"],
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let formats = report["formats"].as_array().unwrap();
    assert_eq!(formats.len(), 1, "--format restricts the output");
    let f = &formats[0];
    assert_eq!(f["format"], "MlProgram");
    assert_eq!(f["predicted"]["source"], "predicted");
    let measured = &f["measured"];
    assert_eq!(measured["source"], "measured");
    assert_eq!(measured["ort_version"], "1.30.0");
    assert_eq!(measured["executes"], false);
    assert_eq!(measured["ep"], "coreml:format=mlprogram");
    // The EP's own counts: nodes as the EP saw them, partition sizes adding up to the
    // supported nodes when the grouping reproduced the EP's counts.
    let sizes: u64 = measured["partition_sizes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_u64().unwrap())
        .sum();
    if !measured["partition_sizes"].as_array().unwrap().is_empty() {
        assert_eq!(sizes, measured["supported_nodes"].as_u64().unwrap());
    }
    assert!(measured["comparison"]["per_node"].as_bool().unwrap());
}

/// The 2024 rules (ORT ~1.19) against ORT 1.30.0's EP: the two releases differ, and `--check`
/// says where, node by node, with what the rules said and why, and exits 1.
#[test]
fn check_lists_every_node_where_rules_and_ep_disagree() {
    let Some(library) =
        coreml_support::library("check_lists_every_node_where_rules_and_ep_disagree")
    else {
        return;
    };
    let output = epbench_on(
        &library,
        &[
            "analyze",
            TINY_STATIC,
            "--ort-version",
            "2024",
            "--check",
            "--json",
        ],
    );
    assert_eq!(
        output.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let cases = report["checks"][0]["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 4, "both formats, static shapes off and on");
    let mut listed = 0;
    for case in cases {
        let outcome = &case[1];
        assert_eq!(outcome["status"], "compared", "{outcome}");
        for d in outcome["disagreements"].as_array().unwrap() {
            listed += 1;
            assert!(!d["name"].as_str().unwrap().is_empty(), "{d}");
            assert!(
                !d["predicted"].as_str().unwrap().is_empty(),
                "what the rules said: {d}"
            );
        }
    }
    assert!(
        listed > 0,
        "the 2024 rules and ORT 1.30.0 differ on this model"
    );
    // With the rules of the loaded runtime's release, the same model agrees node for node.
    let output = epbench_on(&library, &["analyze", TINY_STATIC, "--check"]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
    // Without --check, the per-node differences are shown beside the two reports.
    let text = epbench_on(&library, &["analyze", TINY_STATIC, "--ort-version", "2024"]);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("prediction vs EP:"), "{text}");
    assert!(
        text.contains("the EP took it") || text.contains("the EP rejected it"),
        "{text}"
    );
}

/// A local build against the official release of the same version, in one command: the
/// `file:` requirement works on either side of `upgrade-check`.
#[test]
fn upgrade_check_compares_a_local_build_with_a_release() {
    let Some(library) =
        coreml_support::library("upgrade_check_compares_a_local_build_with_a_release")
    else {
        return;
    };
    let local = coreml_support::requirement(&library).to_string();
    let store = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_epbench"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("EPBENCH_BASELINES", store.path())
        .env_remove("EPBENCH_ORT")
        .env_remove("ORT_DYLIB_PATH")
        .args([
            "upgrade-check",
            "--from",
            &local,
            "--to",
            "onnxruntime==1.30.0",
        ])
        .args(["--filter", "add_64k", "--rounds", "12", "--json"])
        .output()
        .expect("run epbench");
    let code = output.status.code();
    assert!(
        matches!(code, Some(0 | 1)),
        "{code:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["from"]["requirement"], local.as_str());
    assert_eq!(report["from"]["ort_version"], "1.30.0");
    assert_eq!(report["to"]["requirement"], "onnxruntime==1.30.0");
    let row = &report["rows"][0];
    assert_eq!(row["status"], "measured", "{row}");
    assert_eq!(row["outputs"], "agree", "{row}");
}

/// The CoreML study on the partitions-only runtime: partitions measured by the EP itself,
/// session creation timed, every run row "needs a Mac" (never a correctness failure), the
/// options of the `format` and `units` rows accepted by the real EP, exit 0.
#[test]
fn the_coreml_study_measures_partitions_and_times_session_creation() {
    let Some(library) =
        coreml_support::library("the_coreml_study_measures_partitions_and_times_session_creation")
    else {
        return;
    };
    let out = tempfile::tempdir().unwrap();
    let output = epbench_on(
        &library,
        &[
            "study",
            "--ep",
            "coreml",
            "--quick",
            "--threads",
            "2",
            "--models",
            zoo::DEFAULT_OUT_DIR,
            "--filter",
            "tiny-systems-bert_(gelu_fp32_dynamic|fast-gelu_fp32_static_b1_s128)|session_create/tiny|probe_erf_k[01]_|mobilenet_v2_fp32",
            "--out",
            out.path().to_str().unwrap(),
        ],
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let results: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.path().join("results.json")).unwrap()).unwrap();
    assert_eq!(results["ep"]["state"], "partitions_only");
    let rows = results["rows"].as_array().unwrap();
    let mut session_create = 0;
    let mut options_proven = Vec::new();
    for row in rows.iter().filter(|r| r["provider"] == "coreml") {
        assert_ne!(row["status"], "failed", "{row}");
        match row["timing"].as_str().unwrap() {
            "session_create" => {
                assert_eq!(row["status"], "measured", "{row}");
                assert!(
                    row["note"]
                        .as_str()
                        .unwrap()
                        .contains("without the compile"),
                    "{row}"
                );
                session_create += 1;
            }
            _ => {
                assert_eq!(row["status"], "needs_ep", "{row}");
                let reason = row["reason"].as_str().unwrap();
                assert!(
                    reason.starts_with("needs a Mac: this CoreML EP build cannot execute models"),
                    "{reason}"
                );
                assert!(
                    reason.contains("not supported on this platform"),
                    "{reason}"
                );
                if ["format", "units"].contains(&row["finding"].as_str().unwrap()) {
                    options_proven.push(row["label"].as_str().unwrap().to_string());
                }
            }
        }
    }
    assert!(
        session_create >= 2,
        "tiny and mobilenet cold starts are timed"
    );
    assert_eq!(
        options_proven.len(),
        6,
        "2 formats and 4 compute units: {options_proven:?}"
    );
    // CPU rows were timed.
    assert!(
        rows.iter()
            .any(|r| r["provider"] == "cpu" && r["status"] == "measured")
    );
    let partitions = results["partitions"].as_array().unwrap();
    assert!(!partitions.is_empty());
    for p in partitions {
        assert_eq!(p["status"], "known", "{p}");
        assert_eq!(p["source"], "measured", "{p}");
        assert!(
            p["provenance"]
                .as_str()
                .unwrap()
                .starts_with("measured by the CoreML EP (ORT 1.30.0"),
            "{p}"
        );
    }
    let report = std::fs::read_to_string(out.path().join("report.md")).unwrap();
    assert!(report.contains("partitions only"), "{report}");
    assert!(!report.contains("FAILED (correctness)"), "{report}");
}
