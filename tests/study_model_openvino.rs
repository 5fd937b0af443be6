//! `epbench study --ep openvino --model ...` end to end on `onnxruntime-openvino==1.24.1`, a real
//! accelerator EP that runs here, on two BERTs the project did not build (torch's exports at
//! opsets 14 and 20, tests/fixtures/fix) fed real inputs from an `.npz`. (ORT 1.24.1's CPU EP
//! cannot load onnxconverter-common's fp16 fixture, so the fp16 model is studied with the
//! CoreML EP's newer build, in `tests/study_model_coreml.rs`.)
//! No timing assertions: that every number the verdict and the report state is one the run
//! measured, and that every variant ran with outputs checked against the original.

mod cli_support;
mod npz_support;

use cli_support::{epbench, succeeded, written};
use epbench::text::format::ms as format_ms;
use npz_support::{bert_inputs, write_npz};
use serde_json::Value;

fn fixture(name: &str) -> String {
    format!("{}/tests/fixtures/fix/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn rows_of<'a>(json: &'a Value, label: &str) -> Vec<&'a Value> {
    json["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["label"] == label)
        .collect()
}

#[test]
fn two_foreign_models_on_openvino_get_a_verdict_from_measured_numbers() {
    if !cfg!(all(target_os = "linux", target_arch = "x86_64")) {
        println!("skipped: onnxruntime-openvino publishes Linux x86_64 (and Windows) wheels only");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let npz = dir.path().join("inputs.npz");
    write_npz(&npz, &bert_inputs(&[1, 16]));
    let out = dir.path().join("study");
    let (opset14, opset20) = (
        fixture("hf-tiny-bert_opset14_dynamic.onnx"),
        fixture("hf-tiny-bert_opset20_dynamic.onnx"),
    );
    let output = epbench()
        .args([
            "--ort",
            "onnxruntime-openvino==1.24.1",
            "study",
            "--ep",
            "openvino",
        ])
        .args(["--model", &opset14, "--model", &opset20, "--inputs"])
        .arg(&npz)
        .args(["--quick", "--threads", "2", "--out"])
        .arg(&out)
        .output()
        .expect("run epbench");
    let stdout = succeeded(&output);
    print!("{stdout}");
    let (report, json) = written(&out);

    // The verdict comes first, one per model, as results.json has it.
    let first_section = report.find("\n## ").map(|at| &report[at + 4..]).unwrap();
    assert!(first_section.starts_with("Verdict"), "{report}");
    let models = json["model"]["models"].as_array().unwrap();
    assert_eq!(models.len(), 2);
    let rows = json["rows"].as_array().unwrap();
    for model in models {
        let name = model["name"].as_str().unwrap();
        let verdict = &model["verdict"];
        let headline = verdict["headline"].as_str().unwrap();
        assert!(
            report.contains(&format!("### {name}\n\n**{headline}**")),
            "{name}"
        );
        assert!(stdout.contains(&format!("verdict for {name}: {headline}")));
        assert!(
            model["inputs"]
                .as_str()
                .unwrap()
                .contains("inputs.npz (numpy .npz)")
        );
        // OpenVINO runs here: the verdict is a decision, not a request for another machine.
        let decision = verdict["decision"].as_str().unwrap();
        assert!(["use_ep", "stay_on_cpu"].contains(&decision), "{verdict}");
        if let Some(fastest) = verdict["fastest"].as_object() {
            let row = rows.iter().find(|r| r["id"] == fastest["row"]).unwrap();
            assert_eq!(row["status"], "measured", "{row}");
            assert_eq!(row["latency_ms"]["p50"], fastest["p50_ms"]);
            let (ratio, lower, upper) = (
                fastest["time_ratio"].as_f64().unwrap(),
                fastest["lower"].as_f64().unwrap(),
                fastest["upper"].as_f64().unwrap(),
            );
            assert!(lower <= ratio && ratio <= upper, "{fastest:?}");
        }

        // The model as given on both providers, its outputs on OpenVINO checked against the CPU.
        let given = rows_of(&json, name);
        let ep_row = given
            .iter()
            .find(|r| r["finding"] == "ep_vs_cpu" && r["provider"] == "openvino")
            .unwrap();
        assert_eq!(ep_row["correctness"]["outcome"], "agree", "{ep_row}");
        let line = format!(
            "| {name} | openvino | {} |",
            format_ms(ep_row["latency_ms"]["p50"].as_f64().unwrap())
        );
        assert!(report.contains(&line), "report lacks `{line}`");

        // Every rewrite the model has work for (both have dynamic dims and exact GELU, as
        // Div/Erf/Add/Mul/Mul or the `Gelu` op) ran on both providers, checked against the
        // original.
        let rewrites: Vec<&str> = model["interventions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["rewrite"].as_str().unwrap())
            .collect();
        assert_eq!(rewrites, ["fix-dims", "gelu-tanh"], "{name}");
        for intervention in model["interventions"].as_array().unwrap() {
            let file = intervention["file"].as_str().unwrap();
            assert!(std::path::Path::new(file).is_file(), "{file}");
            let variant = intervention["name"].as_str().unwrap();
            let variant_rows = rows_of(&json, variant);
            assert_eq!(variant_rows.len(), 2, "{variant}");
            for row in variant_rows {
                assert_eq!(row["status"], "measured", "{row}");
                assert_eq!(row["correctness"]["outcome"], "agree", "{row}");
            }
        }

        // The options matrix: OpenVINO's CPU device at least, its partitions measured from a
        // profile, and its timed row compared with the CPU in the report.
        let options = model["options"].as_array().unwrap();
        assert_eq!(options[0]["label"], "default");
        for option in options {
            assert_eq!(option["partitions"]["status"], "known", "{option}");
            assert_eq!(option["partitions"]["source"], "measured", "{option}");
            let run = option["run"].as_str().unwrap();
            let compared = json["analysis"]["comparisons"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c["candidate"] == run && c["question"].as_str().is_some());
            assert!(compared, "{run} is not compared with the CPU");
            assert!(option["cold_start"].is_string());
        }

        // Batch scaling: the batch dim is dynamic, so batch 1, 2, 4, 8 on both providers.
        let batches: Vec<u64> = rows
            .iter()
            .filter(|r| r["finding"] == "batch" && r["provider"] == "cpu")
            .filter(|r| {
                r["label"]
                    .as_str()
                    .unwrap()
                    .starts_with(&format!("{name}+"))
            })
            .map(|r| r["batch"].as_u64().unwrap())
            .collect();
        assert_eq!(batches, [1, 2, 4, 8], "{name}");
    }
    for chart in [
        "latency_per_model",
        "interventions",
        "options_partitions",
        "batch_scaling",
    ] {
        assert!(out.join(format!("{chart}.png")).is_file(), "{chart}");
        assert!(report.contains(&format!("({chart}.png)")), "{chart}");
    }
}
