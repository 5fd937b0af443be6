//! `epbench fix` run as a user runs it, on the zoo and on BERTs exported by torch and converted
//! by onnxconverter-common (tests/fixtures/fix, made by scripts/make-fix-fixtures.py): exit code
//! 0 when the fixed model's outputs match the original's, 1 when they do not (and nothing is
//! written without --force), 2 for usage and load errors; the original is never touched.

mod cli_support;
mod npz_support;

use std::path::{Path, PathBuf};
use std::process::Output;

use cli_support::text;
use npz_support::write_npz;

use epbench::onnx::external::write_model_with_external_data;
use epbench::onnx::{Dim, ElemType, FloatType, GraphBuilder, read_model, write_model};
use epbench::zoo;

type TestResult = Result<(), Box<dyn std::error::Error>>;

const DYNAMIC: &str = "tiny-systems-bert_gelu_fp32_dynamic";
const FAST_STATIC: &str = "tiny-systems-bert_fast-gelu_fp32_static_b1_s128";

fn fixture(name: &str) -> String {
    format!("{}/tests/fixtures/fix/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// `epbench fix` on the default runtime (CPU EP), whatever the developer's shell selects.
fn epbench(args: &[&str]) -> Output {
    cli_support::epbench()
        .arg("fix")
        .args(args)
        .args(["--models", zoo::DEFAULT_OUT_DIR])
        .output()
        .expect("run epbench")
}

fn json(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(output)))
}

fn out(dir: &Path, name: &str) -> String {
    dir.join(name).to_string_lossy().into_owned()
}

fn op_count(path: &Path, op: &str) -> usize {
    read_model(path)
        .unwrap()
        .graph
        .unwrap()
        .node
        .iter()
        .filter(|n| n.op_type == op)
        .count()
}

/// Predicted (partitions, nodes on the EP) before and after, from the JSON report.
fn partitions(report: &serde_json::Value) -> ((u64, u64), (u64, u64)) {
    let p = &report["partitions"];
    assert_eq!(p["before"]["source"], "predicted", "{p}");
    let numbers = |side: &serde_json::Value| {
        (
            side["partitions"].as_u64().unwrap(),
            side["supported_nodes"].as_u64().unwrap(),
        )
    };
    (numbers(&p["before"]), numbers(&p["after"]))
}

/// Each fix on a model epbench did not build: the torch export's shape plumbing (Range masks,
/// ConstantOfShape, Flatten) folds away, its GELU (Div/Erf/Add/Mul/Mul at opset 14, `Gelu` at
/// opset 20) is found, and the onnxconverter-common fp16 file converts back; outputs match.
#[test]
fn the_three_fixes_on_models_from_other_tools() -> TestResult {
    let dir = tempfile::tempdir()?;
    let cases: [(&str, &[&str], &str); 4] = [
        (
            "hf-tiny-bert_opset14_dynamic.onnx",
            &["--dims", "batch_size=1,sequence_length=16"],
            "fix_dims",
        ),
        (
            "hf-tiny-bert_opset14_dynamic.onnx",
            &["--gelu-tanh"],
            "gelu_tanh",
        ),
        (
            "hf-tiny-bert_opset20_dynamic.onnx",
            &["--gelu-tanh"],
            "gelu_tanh",
        ),
        (
            "hf-tiny-bert_opset14_dynamic_fp16.onnx",
            &["--to", "fp32", "--shape", "input_ids=2x16"],
            "to_fp32",
        ),
    ];
    for (file, flags, rewrite) in cases {
        let model = fixture(file);
        let fixed = out(dir.path(), &format!("{rewrite}.{file}"));
        let mut args = vec![model.as_str(), "--out", &fixed, "--json"];
        args.extend_from_slice(flags);
        if rewrite == "gelu_tanh" {
            // Synthesised inputs for a dynamic model default to sequence 128, past this tiny
            // model's 32 positions: give its sizes.
            args.extend(["--dims", "sequence_length=16"]);
        }
        let before = std::fs::read(&model)?;
        let output = epbench(&args);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{file} {flags:?}: {}",
            text(&output)
        );
        assert_eq!(std::fs::read(&model)?, before, "the original is untouched");
        let report = json(&output);
        let outcome = report["rewrites"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["rewrite"] == rewrite)
            .unwrap();
        assert_eq!(outcome["applied"], true, "{outcome}");
        let (before, after) = partitions(&report);
        println!(
            "{file} {flags:?}: {} | CoreML (partitions, nodes) {before:?} -> {after:?} | max \
             change {}",
            outcome["summary"], report["outputs"]["max_abs_change"]
        );
        // More nodes on CoreML each time. Fewer partitions for static shapes; the GELU sits
        // between 3-D MatMuls NeuralNetwork rejects anyway, and the fp16 graph had almost
        // nothing on CoreML, so there the partition count need not fall.
        assert!(after.1 > before.1, "{file}: {before:?} -> {after:?}");
        if rewrite == "fix_dims" {
            assert!(after.0 < before.0, "{file}: {before:?} -> {after:?}");
        }
        let fixed = Path::new(&fixed);
        match rewrite {
            "fix_dims" => assert_eq!(op_count(fixed, "Shape"), 0),
            "gelu_tanh" => {
                assert_eq!(op_count(fixed, "Erf") + op_count(fixed, "Gelu"), 0);
                assert_eq!(op_count(fixed, "Tanh"), 3, "two GELUs and the pooler");
            }
            _ => {}
        }
    }
    // At opset 20 and for ML Program, which takes `Gelu`, one Gelu(approximate="tanh") per site.
    let fixed = out(dir.path(), "gelu-op.onnx");
    let model = fixture("hf-tiny-bert_opset20_dynamic.onnx");
    let args = [
        model.as_str(),
        "--out",
        &fixed,
        "--gelu-tanh",
        "--ep",
        "coreml:format=mlprogram",
        "--dims",
        "sequence_length=16",
    ];
    let output = epbench(&args);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let gelu = read_model(Path::new(&fixed))?;
    let approximations: Vec<Vec<u8>> = gelu
        .graph
        .iter()
        .flat_map(|g| &g.node)
        .filter(|n| n.op_type == "Gelu")
        .flat_map(|n| n.attribute.iter().filter_map(|a| a.s.clone()))
        .collect();
    assert_eq!(approximations, [b"tanh".to_vec(), b"tanh".to_vec()]);
    Ok(())
}

#[test]
fn an_absent_pattern_changes_nothing_and_says_so() -> TestResult {
    let dir = tempfile::tempdir()?;
    let fixed = out(dir.path(), "same.onnx");
    let output = epbench(&[FAST_STATIC, "--out", &fixed, "--gelu-tanh", "--to", "fp32"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("no exact GELU found"), "{stdout}");
    assert!(
        stdout.contains("no float16 tensors or values; nothing changed"),
        "{stdout}"
    );
    let original = read_model(&zoo::build(FAST_STATIC, zoo::DEFAULT_OUT_DIR)?)?;
    assert_eq!(read_model(Path::new(&fixed))?.graph, original.graph);
    Ok(())
}

/// A model whose fp16 version cannot hold its constant: onnxconverter-common clamps to ±1e4,
/// so `x * 3e4` becomes `x * 1e4` and the outputs no longer match.
fn overflowing_model(dir: &Path) -> PathBuf {
    let mut g = GraphBuilder::new("scale", FloatType::F32);
    let dims = [Dim::from(1), Dim::from(4)];
    let x = g.input("x", ElemType::Float32, &dims);
    let big = g.const_float_scalar(3e4);
    let y = g.op("Mul", &[&x, &big], vec![]);
    g.output(&y, "y", ElemType::Float32, &dims);
    let path = dir.join("scale.onnx");
    write_model(&g.finish(14, vec![]), &path).unwrap();
    path
}

#[test]
fn outputs_that_no_longer_match_are_exit_1_and_kept_only_with_force() -> TestResult {
    let dir = tempfile::tempdir()?;
    let model = overflowing_model(dir.path());
    let model = model.to_str().ok_or("path")?;
    let fixed = out(dir.path(), "scale.fp16.onnx");
    let output = epbench(&[model, "--out", &fixed, "--to", "fp16", "--ep", "cpu"]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    assert!(String::from_utf8_lossy(&output.stdout).contains("nothing written"));
    assert!(!Path::new(&fixed).exists());
    // Nothing of the staging folder is left behind either.
    let left: Vec<_> = std::fs::read_dir(dir.path())?.collect();
    assert_eq!(left.len(), 1, "{left:?}");

    let output = epbench(&[
        model, "--out", &fixed, "--to", "fp16", "--ep", "cpu", "--force",
    ]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    assert!(Path::new(&fixed).exists());
    Ok(())
}

#[test]
fn external_data_is_read_and_written_beside_the_output() -> TestResult {
    let source = tempfile::tempdir()?;
    let target = tempfile::tempdir()?;
    let zoo_model = read_model(&zoo::build(DYNAMIC, zoo::DEFAULT_OUT_DIR)?)?;
    // Not named like a zoo variant, so the inputs are synthesised (batch 1, sequence 128).
    let model = source.path().join("external.onnx");
    write_model_with_external_data(&zoo_model, &model)?;
    let data = source.path().join("external.onnx.data");
    let data_before = std::fs::read(&data)?;
    let fixed = out(target.path(), "fixed.onnx");
    let output = epbench(&[
        model.to_str().ok_or("path")?,
        "--out",
        &fixed,
        "--dims",
        "batch_size=1,sequence_length=128",
        "--ep",
        "cpu",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert!(target.path().join("fixed.onnx.data").is_file());
    assert!(
        std::fs::metadata(&fixed)?.len() < 100_000,
        "weights went to the data file"
    );
    assert_eq!(std::fs::read(&data)?, data_before);

    // Writing over the model, or its data file, is refused.
    for name in ["external.onnx", "external.onnx.data"] {
        let path = out(source.path(), name);
        let output = epbench(&[model.to_str().ok_or("path")?, "--out", &path, "--gelu-tanh"]);
        assert_eq!(output.status.code(), Some(2), "{}", text(&output));
        assert!(String::from_utf8_lossy(&output.stderr).contains("never overwrites"));
    }
    assert_eq!(std::fs::read(&data)?, data_before);
    Ok(())
}

#[test]
fn real_inputs_from_npz_and_bad_files_are_clear_errors() -> TestResult {
    let dir = tempfile::tempdir()?;
    let shape = ndarray::IxDyn(&[1, 16]);
    let ids = ndarray::ArrayD::from_shape_fn(shape.clone(), |i| (i[1] * 3 % 60) as i64);
    let ones = ndarray::ArrayD::from_elem(shape.clone(), 1i64);
    let zeros = ndarray::ArrayD::from_elem(shape, 0i64);
    let good = dir.path().join("good.npz");
    write_npz(
        &good,
        &[
            ("input_ids", ids.clone()),
            ("attention_mask", ones.clone()),
            ("token_type_ids", zeros.clone()),
        ],
    );
    let model = fixture("hf-tiny-bert_opset14_dynamic.onnx");
    let fixed = out(dir.path(), "fixed.onnx");
    let run = |inputs: &Path, dims: &str| {
        epbench(&[
            &model,
            "--out",
            &fixed,
            "--dims",
            dims,
            "--inputs",
            inputs.to_str().unwrap(),
            "--ep",
            "cpu",
        ])
    };
    let output = run(&good, "batch_size=1,sequence_length=16");
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert!(String::from_utf8_lossy(&output.stdout).contains("good.npz (numpy .npz)"));

    // Inputs of another sequence length than the fixed model's.
    let output = run(&good, "batch_size=1,sequence_length=8");
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(
            "input `input_ids` has shape [1, 16] in the inputs, but the model takes [1, 8]"
        ),
        "{stderr}"
    );

    let missing = dir.path().join("missing.npz");
    write_npz(
        &missing,
        &[("input_ids", ids.clone()), ("attention_mask", ones.clone())],
    );
    let extra = dir.path().join("extra.npz");
    write_npz(
        &extra,
        &[
            ("input_ids", ids.clone()),
            ("attention_mask", ones.clone()),
            ("token_type_ids", zeros.clone()),
            ("labels", zeros),
        ],
    );
    let floats = dir.path().join("floats.npz");
    let mut npz = ndarray_npy::NpzWriter::new(std::fs::File::create(&floats)?);
    npz.add_array("input_ids", &ids.mapv(|v| v as f32))?;
    npz.finish()?;
    let not_npz = dir.path().join("not.npz");
    std::fs::write(&not_npz, b"hello")?;
    for (file, expected) in [
        (&missing, "no value for the model's input `token_type_ids`"),
        (
            &extra,
            "the inputs have `labels`, which the model does not take",
        ),
        (
            &floats,
            "input `input_ids` is f32 in the inputs, but the model takes i64",
        ),
        (&not_npz, "not an .npz file"),
    ] {
        let output = run(file, "batch_size=1,sequence_length=16");
        assert_eq!(output.status.code(), Some(2), "{}", text(&output));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(expected), "{file:?}: {stderr}");
    }
    Ok(())
}

#[test]
fn usage_and_load_errors_are_exit_2_with_the_reason() -> TestResult {
    let dir = tempfile::tempdir()?;
    let fixed = out(dir.path(), "fixed.onnx");
    let not_onnx = dir.path().join("notes.onnx");
    std::fs::write(&not_onnx, "not a model")?;
    let not_onnx = not_onnx.to_str().ok_or("path")?;
    let cases: [(&[&str], &str); 8] = [
        (
            &[DYNAMIC, "--dims", "batch=1"],
            "no input dim is named `batch`; the model's named dims are batch_size, sequence_length",
        ),
        (
            &[DYNAMIC, "--shape", "input_ids=1x128x4"],
            "input `input_ids` has rank 2 ([batch_size, sequence_length]), but the shape given has 3 dims",
        ),
        (
            &[DYNAMIC, "--dims", "batch_size=0"],
            "size 0 is not positive",
        ),
        (&[not_onnx, "--gelu-tanh"], "is not an ONNX model"),
        (&[DYNAMIC], "name a rewrite"),
        (&[DYNAMIC, "--for", "openvino"], "exists for coreml only"),
        (&[DYNAMIC, "--for", "coreml"], "recommends static shapes"),
        (
            &[DYNAMIC, "--for", "coreml", "--gelu-tanh"],
            "drop --gelu-tanh",
        ),
    ];
    for (args, expected) in cases {
        let mut all = args.to_vec();
        all.extend(["--out", &fixed]);
        let output = epbench(&all);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {}", text(&output));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
        assert!(!Path::new(&fixed).exists());
    }
    Ok(())
}

/// `--for coreml` applies what the analysis recommends for the dynamic GELU model — static
/// shapes and FastGELU, in that order — and nothing else.
#[test]
fn for_coreml_applies_the_recommended_rewrites() -> TestResult {
    let dir = tempfile::tempdir()?;
    let fixed = out(dir.path(), "fixed.onnx");
    let output = epbench(&[
        DYNAMIC,
        "--out",
        &fixed,
        "--for",
        "coreml",
        "--dims",
        "batch_size=1,sequence_length=128",
        "--json",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let report = json(&output);
    let applied: Vec<&str> = report["rewrites"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["rewrite"].as_str().unwrap())
        .collect();
    assert_eq!(applied, ["fix_dims", "gelu_tanh"]);
    let recommended: Vec<&str> = report["plan"]["recommendations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["kind"].as_str().unwrap())
        .collect();
    assert!(recommended.contains(&"static_shapes") && recommended.contains(&"fast_gelu"));
    assert!(
        report["plan"]["chosen_by"]
            .as_str()
            .unwrap()
            .contains("coreml analysis")
    );
    let (before, after) = partitions(&report);
    assert!(
        after.0 < before.0 && after.1 > before.1,
        "{before:?} -> {after:?}"
    );
    assert_eq!(report["outputs_match"], true);
    Ok(())
}

/// epbench's ONNX types keep what they do not model (here a model-local function) as encoded
/// bytes, so a rewritten model still has it; rewrites do not look inside functions.
#[test]
fn model_local_functions_survive_a_rewrite() -> TestResult {
    let dir = tempfile::tempdir()?;
    let model = fixture("local-function_opset18.onnx");
    let fixed = out(dir.path(), "fixed.onnx");
    let output = epbench(&[
        &model,
        "--out",
        &fixed,
        "--dims",
        "batch=2",
        "--gelu-tanh",
        "--ep",
        "cpu",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert!(String::from_utf8_lossy(&output.stdout).contains("no exact GELU found"));
    let (original, fixed) = (
        read_model(Path::new(&model))?,
        read_model(Path::new(&fixed))?,
    );
    assert_eq!(fixed.functions.len(), 1);
    assert_eq!(fixed.functions, original.functions);
    Ok(())
}

/// A size the model's own shape arithmetic cannot take: the torch export has 32 position
/// embeddings, so with a sequence of 128 ORT rejects the fixed graph. That is named as such, with ORT's
/// reason, and nothing is written (no model, no staging folder).
#[test]
fn a_fixed_model_ort_rejects_is_an_error_and_nothing_is_written() -> TestResult {
    let dir = tempfile::tempdir()?;
    let fixed = out(dir.path(), "fixed.onnx");
    let output = epbench(&[
        &fixture("hf-tiny-bert_opset14_dynamic.onnx"),
        "--out",
        &fixed,
        "--dims",
        "batch_size=1,sequence_length=128",
        "--ep",
        "cpu",
    ]);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("the fixed model does not load in ONNX Runtime, so nothing was written"),
        "{stderr}"
    );
    assert!(stderr.contains("Incompatible dimensions"), "{stderr}");
    assert_eq!(std::fs::read_dir(dir.path())?.count(), 0);
    Ok(())
}
