//! `epbench study --model`, run as a user runs it, on the default runtime: every bad input is a
//! clear error with exit code 2 before anything is measured — a file that is not ONNX, a model
//! ONNX Runtime cannot load, a dim name no input has, sizes the model cannot run with, an
//! inputs file whose names, shapes or types do not fit, flags that do not go together.

mod cli_support;
mod npz_support;

use std::path::Path;
use std::process::Output;

use cli_support::epbench;
use epbench::onnx::{Dim, ElemType, FloatType, GraphBuilder, write_model};
use npz_support::{bert_inputs, write_npz};

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/fix/hf-tiny-bert_opset14_dynamic.onnx"
);

fn study(args: &[&str], out: &Path) -> Output {
    epbench()
        .arg("study")
        .args(args)
        .arg("--out")
        .arg(out)
        .args(["--threads", "2"])
        .output()
        .expect("run epbench")
}

/// A model that decodes but that ONNX Runtime refuses: an op no opset has.
fn unloadable(path: &Path) {
    let dims = [Dim::from(1), Dim::from(4)];
    let mut g = GraphBuilder::new("unloadable", FloatType::F32);
    let x = g.input("x", ElemType::Float32, &dims);
    let y = g.op("NoSuchOp", &[&x], vec![]);
    g.output(&y, "y", ElemType::Float32, &dims);
    write_model(&g.finish(14, vec![]), path).unwrap();
}

#[test]
fn bad_input_is_exit_2_with_what_is_wrong_and_nothing_measured() {
    let dir = tempfile::tempdir().unwrap();
    let at = |name: &str| dir.path().join(name).to_string_lossy().into_owned();
    std::fs::write(at("notes.onnx"), "not a model").unwrap();
    unloadable(&dir.path().join("unloadable.onnx"));
    let mut long = bert_inputs(&[1, 64]);
    write_npz(&dir.path().join("long.npz"), &long);
    long.truncate(2);
    write_npz(&dir.path().join("two.npz"), &long);
    let flat = bert_inputs(&[16]);
    write_npz(&dir.path().join("flat.npz"), &flat);
    let mut floats = ndarray_npy::NpzWriter::new(std::fs::File::create(at("floats.npz")).unwrap());
    for (name, array) in bert_inputs(&[1, 16]) {
        floats.add_array(name, &array.mapv(|v| v as f32)).unwrap();
    }
    floats.finish().unwrap();

    let (notes, unloadable, missing) = (at("notes.onnx"), at("unloadable.onnx"), at("none.onnx"));
    let (long, two, flat, floats) = (
        at("long.npz"),
        at("two.npz"),
        at("flat.npz"),
        at("floats.npz"),
    );
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["--model", &notes], "notes.onnx is not an ONNX model"),
        (vec!["--model", &missing], "cannot read ONNX model"),
        (
            vec!["--model", &unloadable],
            "unloadable.onnx: ONNX Runtime cannot load it",
        ),
        (
            vec!["--model", FIXTURE, "--dims", "seq=16"],
            "--dims names `seq`, but no input has a dim of that name; the named dims are \
             batch_size, sequence_length",
        ),
        // The default 128 for the sequence is more than the model's 32 positions.
        (
            vec!["--model", FIXTURE],
            "it does not run on ONNX Runtime's CPU EP with its inputs",
        ),
        (
            vec!["--model", FIXTURE],
            "give the dynamic dims other sizes with --dims",
        ),
        (
            vec!["--model", FIXTURE, "--inputs", &long],
            "it does not run on ONNX Runtime's CPU EP with its inputs",
        ),
        (
            vec!["--model", FIXTURE, "--inputs", &two],
            "no value for the model's input `token_type_ids`",
        ),
        (
            vec!["--model", FIXTURE, "--inputs", &flat],
            "input `input_ids` has shape [16] in the inputs, but the model takes [?, ?]",
        ),
        (
            vec!["--model", FIXTURE, "--inputs", &floats],
            "input `input_ids` is f32 in the inputs, but the model takes i64",
        ),
        (
            vec!["--model", FIXTURE, "--inputs", &notes],
            "not an .npz file",
        ),
        (
            vec![
                "--model",
                FIXTURE,
                "--inputs",
                &long,
                "--dims",
                "sequence_length=16",
            ],
            "drop --dims",
        ),
        (vec!["--dims", "sequence_length=16"], "--model <FILE>"),
    ];
    for (args, expected) in cases {
        let out = dir.path().join("out");
        let mut full = vec!["--ep", "openvino"];
        full.extend(&args);
        let output = study(&full, &out);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains(expected),
            "{args:?}: expected `{expected}` in\n{stderr}"
        );
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(
            !out.join("results.json").exists(),
            "{args:?} measured something"
        );
    }

    // The CPU is the reference, not an EP to study a model on.
    let output = study(
        &["--ep", "cpu", "--model", FIXTURE],
        &dir.path().join("out"),
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("give --ep coreml or --ep openvino"));
}
