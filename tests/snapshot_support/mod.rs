//! Snapshot files under `tests/snapshots/`: reviewed text that a test output must equal, such as
//! the list of benchmark ids or the shape of a JSON output. A change to one is a change to what
//! users see (saved baselines, scripts reading `--json`), so it is made on purpose and shows up
//! in the diff of the commit that makes it.

// Each test crate includes this module and uses a different part of it.
#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use serde_json::Value;

/// Set to `1` to write the snapshots a test run produces instead of comparing with them.
pub const UPDATE: &str = "EPBENCH_UPDATE_SNAPSHOTS";

/// The path of snapshot `name`.
pub fn path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots")
        .join(name)
}

/// Asserts that `actual` equals snapshot `name`, or writes it when [`UPDATE`] is `1`. `why`
/// says what depends on the snapshot, for the failure message.
pub fn assert_snapshot(name: &str, actual: &str, why: &str) {
    let path = path(name);
    if std::env::var(UPDATE).as_deref() == Ok("1") {
        std::fs::write(&path, actual).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    if expected == actual {
        return;
    }
    let old: BTreeSet<&str> = expected.lines().collect();
    let new: BTreeSet<&str> = actual.lines().collect();
    let removed: Vec<&str> = old.difference(&new).copied().collect();
    let added: Vec<&str> = new.difference(&old).copied().collect();
    panic!(
        "{} differs from this run ({why}).\nremoved:\n  {}\nadded:\n  {}\nIf the change is \
         intended, rewrite the snapshot with `{UPDATE}=1 cargo test --test <this test>`, review \
         the diff and commit it with the change that caused it.",
        path.display(),
        removed.join("\n  "),
        added.join("\n  "),
    );
}

/// The shape of a JSON value: one line per path (`$.rows[].latency_ms.p50`) with the types seen
/// there (`number`, `string`, `bool`, `object`, `array`, `null`), sorted. Array elements share
/// the path `[]`, so the shape of a list is the union of its elements' shapes; map keys that
/// are data rather than field names (per-benchmark maps) are not expected in these outputs.
pub fn json_shape(value: &Value) -> String {
    let mut paths: BTreeMap<String, BTreeSet<&'static str>> = BTreeMap::new();
    walk(value, "$".to_string(), &mut paths);
    paths
        .into_iter()
        .map(|(path, types)| {
            let types: Vec<&str> = types.into_iter().collect();
            format!("{path}: {}\n", types.join(" | "))
        })
        .collect()
}

fn walk(value: &Value, path: String, paths: &mut BTreeMap<String, BTreeSet<&'static str>>) {
    let kind = match value {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    };
    paths.entry(path.clone()).or_default().insert(kind);
    match value {
        Value::Array(items) => {
            for item in items {
                walk(item, format!("{path}[]"), paths);
            }
        }
        Value::Object(fields) => {
            for (key, field) in fields {
                walk(field, format!("{path}.{key}"), paths);
            }
        }
        _ => {}
    }
}
