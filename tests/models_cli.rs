//! `epbench models build --out DIR`, run as a user runs it: the models land as
//! `DIR/<variant>.onnx` (the names the study and the README use), byte for byte the cached
//! recipe-hash files, each a readable ONNX model that says which variant it is.

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use epbench::onnx::read_model;

const MODELS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/models/generated");

fn build(args: &[&str], out: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_epbench"))
        .args(["models", "build"])
        .args(args)
        .arg("--out")
        .arg(out)
        .args(["--models", MODELS])
        .output()
        .expect("run epbench")
}

/// `variant -> printed path` from the command's tab-separated lines.
fn printed(output: &Output) -> Vec<(String, String)> {
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| {
            let mut fields = line.split('\t');
            let variant = fields.next().unwrap_or_default().to_string();
            let path = fields.next().unwrap_or_default().to_string();
            (variant, path)
        })
        .collect()
}

fn file_names(dir: &Path) -> BTreeSet<String> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

fn variant_of(model: &Path) -> String {
    read_model(model)
        .unwrap_or_else(|e| panic!("{}: {e}", model.display()))
        .metadata_props
        .iter()
        .find(|p| p.key == "epbench.variant")
        .map(|p| p.value.clone())
        .unwrap_or_default()
}

/// The cached file of `variant` (`<variant>.<recipe hash>.onnx`), as the command prints it
/// without `--out`.
fn cached(variant: &str) -> Vec<u8> {
    let output = Command::new(env!("CARGO_BIN_EXE_epbench"))
        .args(["models", "build", variant, "--models", MODELS])
        .output()
        .expect("run epbench");
    let lines = printed(&output);
    let [(name, path)] = lines.as_slice() else {
        panic!("{lines:?}");
    };
    assert_eq!(name, variant);
    assert!(Path::new(path).starts_with(MODELS), "{path}");
    fs::read(path).unwrap()
}

#[test]
fn out_gets_each_variant_under_its_plain_name() {
    let scratch = tempfile::tempdir().unwrap();
    let out = scratch.path().join("models");
    // A model name selects all its variants; a variant name selects one.
    let output = build(&["mobilenet_v2", "add_64k"], &out);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let expected = [
        "add_64k",
        "mobilenet_v2_fp16_static_b1",
        "mobilenet_v2_fp32_static_b1",
    ];
    assert_eq!(
        file_names(&out),
        expected.iter().map(|v| format!("{v}.onnx")).collect(),
        "nothing else (no recipe-hash names, no temporary files) in --out"
    );
    let lines = printed(&output);
    assert_eq!(lines.len(), expected.len(), "{lines:?}");
    for (variant, path) in &lines {
        assert_eq!(Path::new(path), out.join(format!("{variant}.onnx")));
        assert_eq!(&variant_of(Path::new(path)), variant);
        assert!(
            fs::read(path).unwrap() == cached(variant),
            "{path} differs from the cache"
        );
    }

    // Building again replaces a damaged or older copy.
    let add = out.join("add_64k.onnx");
    fs::write(&add, b"not a model").unwrap();
    let again = build(&["add_64k"], &out);
    assert!(
        again.status.success(),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    assert!(fs::read(&add).unwrap() == cached("add_64k"));
}

#[test]
fn bad_names_and_folders_are_usage_errors() {
    let scratch = tempfile::tempdir().unwrap();
    let unknown = build(&["tiny-bert_gelu"], scratch.path());
    assert_eq!(unknown.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&unknown.stderr).contains("tiny-bert_gelu"),
        "{}",
        String::from_utf8_lossy(&unknown.stderr)
    );

    let file = scratch.path().join("a-file");
    fs::write(&file, b"").unwrap();
    let not_a_folder = build(&["add_64k"], &file);
    let stderr = String::from_utf8_lossy(&not_a_folder.stderr);
    assert_eq!(not_a_folder.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("a-file"), "{stderr}");
}
