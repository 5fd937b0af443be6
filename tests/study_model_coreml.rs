//! `epbench study --ep coreml --model ...` end to end with ONNX Runtime's CoreML EP built for
//! Linux (`EPBENCH_COREML_EP_LIB`, or the shared build beside the repository), which partitions
//! for real but cannot execute: the options matrix gets measured partitions for all 16
//! configurations, every CoreML timing says it needs a Mac with ORT's message (never a
//! correctness failure), the CPU side is timed, and the verdict says what needs the Mac. The
//! model is onnxconverter-common's fp16 BERT (tests/fixtures/fix), which the project did not
//! build.

mod cli_support;
mod coreml_support;

use cli_support::{epbench, succeeded, written};
use serde_json::Value;

const CANNOT_EXECUTE: &str = "Executing a CoreML model is not supported on this platform";

#[test]
fn the_options_matrix_is_measured_and_the_timings_need_a_mac() {
    let test = "the_options_matrix_is_measured_and_the_timings_need_a_mac";
    let Some(library) = coreml_support::library(test) else {
        return;
    };
    let requirement = coreml_support::requirement(&library).to_string();
    let model = format!(
        "{}/tests/fixtures/fix/hf-tiny-bert_opset14_dynamic_fp16.onnx",
        env!("CARGO_MANIFEST_DIR")
    );
    // Run from an empty folder: the Linux build writes its CoreML models into the current
    // directory unless it is given a cache folder.
    let cwd = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let output = epbench()
        .current_dir(cwd.path())
        .args([
            "--ort",
            &requirement,
            "study",
            "--ep",
            "coreml",
            "--model",
            &model,
        ])
        .args([
            "--dims",
            "batch_size=1,sequence_length=16",
            "--quick",
            "--threads",
            "2",
        ])
        .arg("--out")
        .arg(out.path())
        .output()
        .expect("run epbench");
    succeeded(&output);
    let (report, json): (String, Value) = written(out.path());
    let leftovers: Vec<_> = std::fs::read_dir(cwd.path()).unwrap().collect();
    assert!(
        leftovers.is_empty(),
        "files in the working directory: {leftovers:?}"
    );

    // Every CoreML row that must execute needs a Mac, with ORT's own message; none is reported
    // as a failure. Every CPU row was measured.
    for row in json["rows"].as_array().unwrap() {
        match (
            row["provider"].as_str().unwrap(),
            row["timing"].as_str().unwrap(),
        ) {
            ("coreml", "run") => {
                assert_eq!(row["status"], "needs_ep", "{row}");
                let reason = row["reason"].as_str().unwrap();
                assert!(reason.starts_with("needs a Mac: "), "{reason}");
                assert!(reason.contains(CANNOT_EXECUTE), "{reason}");
            }
            ("coreml", _) => assert_ne!(row["status"], "failed", "{row}"),
            _ => assert_eq!(row["status"], "measured", "{row}"),
        }
    }
    assert!(report.contains("needs a Mac"));

    let model = &json["model"]["models"][0];
    let verdict = &model["verdict"];
    assert_eq!(verdict["decision"], "needs_ep_machine", "{verdict}");
    let headline = verdict["headline"].as_str().unwrap();
    assert!(headline.contains(CANNOT_EXECUTE), "{headline}");
    assert!(headline.contains("measured by the EP itself"), "{headline}");
    assert!(headline.contains("a Mac with Apple silicon"), "{headline}");
    assert!(report.contains(&format!("**{headline}**")));

    // The options matrix: 2 formats × 4 compute units × static shapes on/off, each partitioned
    // by the EP itself.
    let options = model["options"].as_array().unwrap();
    assert_eq!(options.len(), 16);
    let numbers = |label: &str| -> (u64, u64) {
        let o = options.iter().find(|o| o["label"] == label).unwrap();
        let p = &o["partitions"];
        assert_eq!(p["status"], "known", "{o}");
        assert_eq!(p["source"], "measured", "{o}");
        (
            p["partitions"].as_u64().unwrap(),
            p["supported_nodes"].as_u64().unwrap(),
        )
    };
    for format in ["", "format=mlprogram"] {
        for static_shapes in ["", "static_shapes=1"] {
            let label = |units: &str| {
                let parts: Vec<&str> = [format, units, static_shapes]
                    .into_iter()
                    .filter(|p| !p.is_empty())
                    .collect();
                if parts.is_empty() {
                    "default".to_string()
                } else {
                    parts.join(",")
                }
            };
            // The compute units are a run-time choice: GetCapability partitions alike.
            let all = numbers(&label(""));
            for units in ["units=cpu_and_ne", "units=cpu_and_gpu", "units=cpu_only"] {
                assert_eq!(numbers(&label(units)), all, "{}", label(units));
            }
        }
    }
    // Requiring static input shapes refuses every node with a dynamic input.
    assert!(
        numbers("format=mlprogram,static_shapes=1").1 < numbers("format=mlprogram").1,
        "{options:?}"
    );
    // NeuralNetwork takes no fp16 input; ML Program does.
    assert_eq!(numbers("default").1, 0);
    assert!(numbers("format=mlprogram").1 > 0);

    // The fp32 rewrite gives NeuralNetwork something to take, measured the same way.
    let interventions = &verdict["interventions"];
    let fp32 = interventions
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["rewrite"] == "to-fp32")
        .unwrap();
    assert_eq!(fp32["pays_off"], true, "{fp32}");
    let partition_row = json["partitions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["variant"] == "hf-tiny-bert_opset14_dynamic_fp16+to-fp32")
        .unwrap();
    assert_eq!(partition_row["source"], "measured", "{partition_row}");
    assert!(partition_row["supported_nodes"].as_u64().unwrap() > 0);
    println!("{headline}");
    for i in interventions.as_array().unwrap() {
        println!("  {}: {}", i["rewrite"], i["why"]);
    }
}
