//! `compare`: several machines side by side, with intervals, marks, and differing benchmark sets.

mod baseline_support;

use baseline_support::{COREML, CPU, FAST_GELU, criterion_run, save};
use epbench::baseline::{CompareOptions, SaveMode, Store, compare, parse_filter, render};
use epbench::stats::Verdict;

/// Fewer resamples than the default keep the unoptimised test build fast.
fn options() -> CompareOptions {
    CompareOptions {
        resamples: 2000,
        ..CompareOptions::default()
    }
}

/// Baselines `m1` (reference), `m2` (everything 20% faster) and `m3` (30% slower, without the
/// FastGELU benchmark) on three machines.
fn three_machines(scratch: &std::path::Path) -> Store {
    let store = Store::new(scratch.join("baselines"));
    for (name, cpu, scale) in [
        ("m1", "Apple M1", 1.0),
        ("m2", "Apple M2", 0.8),
        ("m3", "Apple M3", 1.3),
    ] {
        let dir = criterion_run(&scratch.join(name), |_| scale);
        if name == "m3" {
            std::fs::remove_dir_all(
                dir.join(
                    "coreml_activation/tiny-systems-bert_fast-gelu_fp32_static_b1_s128_coreml",
                ),
            )
            .unwrap();
        }
        save(&store, name, &dir, cpu, SaveMode::Create);
    }
    store
}

fn load(store: &Store, names: &[&str]) -> Vec<epbench::baseline::RunSet> {
    names
        .iter()
        .map(|n| store.load(&n.parse().unwrap()).unwrap())
        .collect()
}

#[test]
fn three_machines_side_by_side() {
    let scratch = tempfile::tempdir().unwrap();
    let store = three_machines(scratch.path());
    let comparison = compare(&load(&store, &["m1", "m2", "m3"]), &options());

    assert_eq!(comparison.columns.len(), 3);
    let ids: Vec<&str> = comparison.rows.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, [FAST_GELU, COREML, CPU]);
    for row in &comparison.rows {
        let reference = row.cells[0].as_ref().unwrap();
        assert!(reference.against_first.is_none());
        let m2 = row.cells[1]
            .as_ref()
            .unwrap()
            .against_first
            .as_ref()
            .unwrap();
        assert!((m2.change.point + 0.2).abs() < 1e-9);
        assert!(m2.change.lower < -0.2 && -0.2 < m2.change.upper);
        assert_eq!(m2.verdict, Verdict::Faster, "{}", row.id);
        match &row.cells[2] {
            None => assert_eq!(row.id, FAST_GELU),
            Some(cell) => {
                let m3 = cell.against_first.as_ref().unwrap();
                assert_eq!(m3.verdict, Verdict::Slower, "{}", row.id);
                assert!((cell.median_ns / reference.median_ns - 1.3).abs() < 1e-9);
            }
        }
    }

    assert_eq!(comparison.id_differences.len(), 1);
    assert_eq!(comparison.id_differences[0].label, "m3");
    assert_eq!(comparison.id_differences[0].missing, [FAST_GELU]);
    assert!(comparison.id_differences[0].added.is_empty());
    assert!(
        comparison
            .notes
            .iter()
            .any(|n| n.starts_with("machines differ") && n.contains("m3: Apple M3")),
        "{:?}",
        comparison.notes
    );

    let text = render::comparison(&comparison);
    assert!(text.contains("0.800× ["), "{text}");
    assert!(text.contains("1.300× [") && text.contains('▲') && text.contains('▼'));
    assert!(text.contains(&format!("m3 lacks 1 benchmark of m1: {FAST_GELU}")));
    assert!(text.contains("noise floor, m2: unmeasured"), "{text}");
}

#[test]
fn identical_baselines_show_no_marks() {
    let scratch = tempfile::tempdir().unwrap();
    let store = three_machines(scratch.path());
    let comparison = compare(&load(&store, &["m1", "m1"]), &options());
    for row in &comparison.rows {
        let judged = row.cells[1]
            .as_ref()
            .unwrap()
            .against_first
            .as_ref()
            .unwrap();
        assert!(!judged.verdict.is_difference());
        assert_eq!(judged.change.point, 0.0);
    }
    assert!(comparison.id_differences.is_empty());
    assert!(!comparison.notes.iter().any(|n| n.contains(" differ: ")));
}

#[test]
fn filter_keeps_matching_ids() {
    let scratch = tempfile::tempdir().unwrap();
    let store = three_machines(scratch.path());
    let mut sides = load(&store, &["m1", "m2"]);
    let filter = parse_filter("ep_vs_cpu/.*/cpu$").unwrap();
    for side in &mut sides {
        side.retain(&filter);
    }
    let comparison = compare(&sides, &options());
    let ids: Vec<&str> = comparison.rows.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, [CPU]);
    assert!(
        parse_filter("(")
            .unwrap_err()
            .to_string()
            .contains("invalid filter `(`")
    );
}

#[test]
fn json_names_verdicts_and_noise() {
    let scratch = tempfile::tempdir().unwrap();
    let store = three_machines(scratch.path());
    let comparison = compare(&load(&store, &["m1", "m3"]), &options());
    let json = serde_json::to_value(&comparison).unwrap();
    let cell = &json["rows"][1]["cells"][1];
    assert_eq!(cell["against_first"]["verdict"], "slower");
    assert_eq!(
        cell["against_first"]["noise_floor"]["basis"]["kind"],
        "unmeasured"
    );
    assert!(cell["against_first"]["change"]["lower"].as_f64().unwrap() > 0.0);
    assert_eq!(json["columns"][0]["metadata"]["machine"]["cpu"], "Apple M1");
    assert_eq!(
        json["columns"][0]["metadata"]["ort"]["requirement"],
        "onnxruntime==1.31.1"
    );
    assert_eq!(json["rows"][0]["cells"][1], serde_json::Value::Null);
}
