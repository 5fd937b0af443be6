//! Damaged and foreign files: each is a clear error naming the file, never a panic or a
//! silently partial summary.

use std::fs;
use std::path::{Path, PathBuf};

use epbench::measure::profile::{ParseError, ProfileError, ProfileSummary};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/profiles")
        .join(name)
}

fn parse_error(path: &Path) -> ParseError {
    match ProfileSummary::from_file(path) {
        Err(ProfileError::Parse {
            path: reported,
            source,
        }) => {
            assert_eq!(reported, path);
            source
        }
        other => panic!(
            "expected a parse error for {}, got {other:?}",
            path.display()
        ),
    }
}

/// ORT writes the closing `]` last, so a profile copied while ORT was still writing it, or a
/// disk that filled up, leaves a prefix of the file. Every cut point is reported as truncation.
#[test]
fn truncated_profiles_say_so() {
    let dir = tempfile::tempdir().unwrap();
    let full = fs::read(fixture("openvino_ort-1.24.1_hardmax.json")).unwrap();
    let closing = full.iter().rposition(|&b| b == b']').unwrap();
    let cuts = [
        2,              // just "[\n"
        full.len() / 3, // inside an event
        full.len() / 2, // somewhere else inside an event
        closing - 1,    // after the last event's `}`, before `]`
    ];
    for cut in cuts {
        let path = dir.path().join(format!("cut_{cut}.json"));
        fs::write(&path, &full[..cut]).unwrap();
        let error = parse_error(&path);
        assert!(
            matches!(error, ParseError::Truncated { .. }),
            "cut at {cut}: {error:?}"
        );
        let message = ProfileSummary::from_file(&path).unwrap_err().to_string();
        assert!(message.contains(&path.display().to_string()), "{message}");
        assert!(message.contains("truncated"), "{message}");
    }
}

#[test]
fn a_file_that_is_not_json_is_rejected_with_its_path() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("profile.json");
    fs::write(&path, "onnxruntime profiling is disabled\n").unwrap();
    assert!(matches!(parse_error(&path), ParseError::NotJson(_)));
    let message = ProfileSummary::from_file(&path).unwrap_err().to_string();
    assert!(
        message.starts_with(&path.display().to_string()),
        "{message}"
    );
    assert!(message.contains("not JSON"), "{message}");
}

#[test]
fn json_that_is_not_an_event_array_is_rejected() {
    let dir = tempfile::tempdir().unwrap();

    // A Chrome trace object wrapping the events is not what ORT writes.
    let object = dir.path().join("object.json");
    fs::write(&object, r#"{"traceEvents": []}"#).unwrap();
    assert!(matches!(
        parse_error(&object),
        ParseError::NotAnArray { found: "an object" }
    ));

    // An array of something else: the message names the missing field.
    let numbers = dir.path().join("numbers.json");
    fs::write(&numbers, "[1, 2, 3]").unwrap();
    assert!(matches!(parse_error(&numbers), ParseError::NotEvents(_)));

    let no_name = dir.path().join("no_name.json");
    fs::write(
        &no_name,
        r#"[{"cat" : "Session","dur" :1,"ts" :2,"ph" : "X"}]"#,
    )
    .unwrap();
    let error = parse_error(&no_name);
    assert!(error.to_string().contains("`name`"), "{error}");

    let empty = dir.path().join("empty.json");
    fs::write(&empty, "").unwrap();
    assert!(matches!(parse_error(&empty), ParseError::Empty));
}

#[test]
fn a_missing_file_is_a_read_error_with_its_path() {
    let path = fixture("does_not_exist.json");
    match ProfileSummary::from_file(&path) {
        Err(ProfileError::Read { path: reported, .. }) => assert_eq!(reported, path),
        other => panic!("expected a read error, got {other:?}"),
    }
}

/// An empty array is a complete, if useless, profile: a summary of nothing, not an error.
#[test]
fn an_empty_event_array_is_an_empty_summary() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("empty_array.json");
    fs::write(&path, "[\n]\n").unwrap();
    let s = ProfileSummary::from_file(&path).unwrap();
    assert_eq!(s.total_events, 0);
    assert_eq!(s.runs, 0);
    assert_eq!(s.transitions_per_run, None);
}
