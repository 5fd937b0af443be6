//! Every GitHub Actions workflow in `.github/workflows/` passes actionlint, so a broken workflow
//! fails `cargo test --all-targets` and with it `.ci/run`. The second test proves the lint can
//! fail: the project's own Apple-silicon workflow with two realistic mistakes is rejected.
//!
//! actionlint comes from its PyPI wheel through epbench's package cache (`tool_support`). Its
//! shellcheck and pyflakes integrations are turned off so that the verdict does not depend on
//! which of those happen to be installed on a machine.

mod tool_support;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const REPO: &str = env!("CARGO_MANIFEST_DIR");

/// The workflow files in `dir`, sorted.
fn workflows(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "yml" || x == "yaml"))
        .collect();
    files.sort();
    files
}

fn actionlint(files: &[PathBuf], dir: &Path) -> Output {
    let binary = tool_support::provision(&tool_support::ACTIONLINT);
    Command::new(&binary)
        .args(["-no-color", "-oneline", "-shellcheck=", "-pyflakes="])
        .args(files)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", binary.display()))
}

fn report(output: &Output) -> String {
    format!(
        "exit {:?}\n{}{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[test]
fn every_workflow_passes_actionlint() {
    let files = workflows(&Path::new(REPO).join(".github/workflows"));
    let names: Vec<String> = files
        .iter()
        .map(|f| f.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    for expected in ["apple-silicon.yml", "linux.yml"] {
        assert!(names.iter().any(|n| n == expected), "{names:?}");
    }
    let output = actionlint(&files, Path::new(REPO));
    assert!(
        output.status.success(),
        "actionlint rejects the workflows:\n{}",
        report(&output)
    );
}

#[test]
fn a_broken_workflow_is_flagged() {
    let original =
        fs::read_to_string(Path::new(REPO).join(".github/workflows/apple-silicon.yml")).unwrap();
    // Two mistakes a hand edit makes: a misspelt matrix key in an expression, and an input the
    // action does not have.
    let broken = original
        .replacen(
            "runs-on: ${{ matrix.runner }}",
            "runs-on: ${{ matrix.runnr }}",
            1,
        )
        .replacen(
            "pattern: baseline-*",
            "pattern: baseline-*\n          merge-mutliple: true",
            1,
        );
    assert_ne!(broken, original, "the workflow changed; update the edits");
    let dir = tempfile::tempdir().unwrap();
    let workflows_dir = dir.path().join(".github/workflows");
    fs::create_dir_all(&workflows_dir).unwrap();
    let file = workflows_dir.join("apple-silicon.yml");
    fs::write(&file, broken).unwrap();

    let output = actionlint(&[file], dir.path());
    let text = report(&output);
    // actionlint exits 1 when it found problems (other codes are its own failures).
    assert_eq!(output.status.code(), Some(1), "{text}");
    let problems: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("apple-silicon.yml:"))
        .collect();
    assert!(
        problems.iter().any(|l| l.contains("\"runnr\"")),
        "the misspelt matrix key is not reported:\n{text}"
    );
    assert!(
        problems.iter().any(|l| l.contains("\"merge-mutliple\"")),
        "the unknown input is not reported:\n{text}"
    );
}
