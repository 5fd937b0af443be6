//! `check`: the CI gate's verdicts and exit codes on baselines built from real criterion samples.

mod baseline_support;

use baseline_support::{COREML, CPU, FAST_GELU, criterion_run, save, save_runs};
use epbench::baseline::noise::NoiseBasis;
use epbench::baseline::{
    BaselineError, CheckReport, CompareOptions, RunSet, SaveMode, Store, check,
    check_criterion_dirs, render,
};
use epbench::stats::Verdict;

/// Fewer resamples than the default keep the unoptimised test build fast; the intervals move by
/// a fraction of a percent.
const RESAMPLES: usize = 2000;

fn options(threshold_pct: f64) -> CompareOptions {
    CompareOptions {
        threshold: threshold_pct / 100.0,
        resamples: RESAMPLES,
        ..CompareOptions::default()
    }
}

/// Checks the fixture scaled by `scale` (one run) against `baseline` in `store`.
fn check_scaled(
    store: &Store,
    scratch: &std::path::Path,
    baseline: &str,
    scale: impl Fn(&str) -> f64,
    options: &CompareOptions,
) -> CheckReport {
    let current = criterion_run(&scratch.join("current"), scale);
    let current = RunSet::from_criterion_dirs("last run", &[current], None, None).unwrap();
    check(
        &store.load(&baseline.parse().unwrap()).unwrap(),
        &current,
        options,
    )
    .unwrap()
}

fn single_run_baseline(scratch: &std::path::Path) -> Store {
    let store = Store::new(scratch.join("baselines"));
    let dir = criterion_run(&scratch.join("saved"), |_| 1.0);
    save(&store, "m2", &dir, "Apple M2", SaveMode::Create);
    store
}

#[test]
fn identical_samples_pass() {
    let scratch = tempfile::tempdir().unwrap();
    let store = single_run_baseline(scratch.path());
    let report = check_scaled(&store, scratch.path(), "m2", |_| 1.0, &options(10.0));
    assert!(report.passed);
    assert_eq!(report.exit_code(), 0);
    assert_eq!(report.rows.len(), 3);
    for row in &report.rows {
        assert!(!row.judged.verdict.is_difference(), "{}", row.id);
        assert_eq!(row.judged.change.point, 0.0);
        assert!(row.judged.change.lower < 0.0 && row.judged.change.upper > 0.0);
    }
    let text = render::check(&report);
    assert!(text.contains("PASS"), "{text}");
}

#[test]
fn thirty_percent_slower_fails_with_exit_1() {
    let scratch = tempfile::tempdir().unwrap();
    let store = single_run_baseline(scratch.path());
    let report = check_scaled(&store, scratch.path(), "m2", |_| 1.30, &options(10.0));
    assert!(!report.passed);
    assert_eq!(report.exit_code(), 1);
    for row in &report.rows {
        assert_eq!(row.judged.verdict, Verdict::Slower, "{}", row.id);
        assert!((row.judged.change.point - 0.30).abs() < 1e-9);
        assert!(row.judged.change.lower > 0.10, "{:?}", row.judged.change);
    }
    let text = render::check(&report);
    assert!(
        text.contains("REGRESSED") && text.contains("FAIL: 3 of 3"),
        "{text}"
    );
}

#[test]
fn three_percent_slower_passes_a_five_percent_threshold() {
    let scratch = tempfile::tempdir().unwrap();
    let store = single_run_baseline(scratch.path());
    let report = check_scaled(&store, scratch.path(), "m2", |_| 1.03, &options(5.0));
    assert!(report.passed, "{}", render::check(&report));
    assert_eq!(report.exit_code(), 0);
    assert!(
        report
            .rows
            .iter()
            .all(|r| !r.judged.verdict.is_difference() && r.judged.gate == 0.05)
    );
}

#[test]
fn only_the_slowed_benchmark_regresses_and_faster_ones_improve() {
    let scratch = tempfile::tempdir().unwrap();
    let store = single_run_baseline(scratch.path());
    let report = check_scaled(
        &store,
        scratch.path(),
        "m2",
        |id| match id {
            CPU => 1.5,
            COREML => 0.6,
            _ => 1.0,
        },
        &options(10.0),
    );
    let verdict = |id: &str| {
        report
            .rows
            .iter()
            .find(|r| r.id == id)
            .unwrap()
            .judged
            .verdict
    };
    assert_eq!(verdict(CPU), Verdict::Slower);
    assert_eq!(verdict(COREML), Verdict::Faster);
    assert!(!verdict(FAST_GELU).is_difference());
    assert_eq!(
        report
            .regressions()
            .map(|r| r.id.as_str())
            .collect::<Vec<_>>(),
        [CPU]
    );
    assert_eq!(report.exit_code(), 1);
}

#[test]
fn single_runs_say_the_noise_floor_is_unmeasured() {
    let scratch = tempfile::tempdir().unwrap();
    let store = single_run_baseline(scratch.path());
    let report = check_scaled(&store, scratch.path(), "m2", |_| 1.0, &options(10.0));
    assert!(
        report
            .rows
            .iter()
            .all(|r| r.judged.noise_floor.basis == NoiseBasis::Unmeasured)
    );
    assert!(
        report
            .notes
            .iter()
            .any(|n| n.contains("noise floor unmeasured")),
        "{:?}",
        report.notes
    );
    assert!(render::check(&report).contains("unmeasured"));
}

#[test]
fn a_noisy_baseline_raises_the_floor_above_a_30_percent_change() {
    let scratch = tempfile::tempdir().unwrap();
    let store = Store::new(scratch.path().join("baselines"));
    // Three runs of identical code on a busy machine: run locations 0.8x, 1x, 1.25x.
    save_runs(
        &store,
        scratch.path(),
        "busy",
        "Apple M2",
        &[0.8, 1.0, 1.25],
    );
    let report = check_scaled(&store, scratch.path(), "busy", |_| 1.30, &options(10.0));
    assert!(report.passed, "{}", render::check(&report));
    for row in &report.rows {
        let floor = &row.judged.noise_floor;
        let NoiseBasis::Learned {
            sigma,
            degrees_of_freedom,
            reference_runs,
            new_runs,
        } = floor.basis
        else {
            panic!("{floor:?}")
        };
        assert_eq!((degrees_of_freedom, reference_runs, new_runs), (2, 3, 1));
        assert!((sigma - 1.25f64.ln()).abs() < 1e-9, "{sigma}");
        assert!(floor.fraction > 0.6, "{floor:?}");
        assert_eq!(row.judged.gate, floor.fraction);
        assert!(!row.judged.verdict.is_difference());
    }
    let text = render::check(&report);
    assert!(text.contains("(learned, 3+1 runs)"), "{text}");
    assert!(
        report
            .notes
            .iter()
            .any(|n| n.contains("above the 10.0% threshold")),
        "{:?}",
        report.notes
    );
}

#[test]
fn a_quiet_baseline_keeps_the_floor_low_and_catches_30_percent() {
    let scratch = tempfile::tempdir().unwrap();
    let store = Store::new(scratch.path().join("baselines"));
    save_runs(
        &store,
        scratch.path(),
        "quiet",
        "Apple M2",
        &[0.99, 1.0, 1.01],
    );
    let report = check_scaled(&store, scratch.path(), "quiet", |_| 1.30, &options(10.0));
    assert_eq!(report.exit_code(), 1);
    for row in &report.rows {
        // sigma = ln 1.01, two degrees of freedom: exp(4.303 * 0.00995 * sqrt(4/3)) - 1 = 5.1%.
        assert!(
            (row.judged.noise_floor.fraction - 0.051).abs() < 0.001,
            "{row:?}"
        );
        assert_eq!(row.judged.gate, 0.10, "the threshold is the larger");
        assert_eq!(row.judged.verdict, Verdict::Slower);
    }
}

#[test]
fn a_given_noise_floor_overrides_the_learned_one() {
    let scratch = tempfile::tempdir().unwrap();
    let store = single_run_baseline(scratch.path());
    let options = CompareOptions {
        threshold: 0.10,
        noise_floor: Some(0.50),
        resamples: RESAMPLES,
    };
    let report = check_scaled(&store, scratch.path(), "m2", |_| 1.30, &options);
    assert!(report.passed);
    for row in &report.rows {
        assert_eq!(row.judged.noise_floor.basis, NoiseBasis::Given);
        assert_eq!(row.judged.gate, 0.50);
    }
    assert!(render::check(&report).contains("50.0% (given)"));
}

#[test]
fn added_and_removed_benchmarks_are_reported_not_failed() {
    let scratch = tempfile::tempdir().unwrap();
    let store = single_run_baseline(scratch.path());
    let current = criterion_run(&scratch.path().join("current"), |_| 1.0);
    // This run lacks the CPU benchmark and has one the baseline lacks.
    let cpu_dir = current.join("coreml_ep_vs_cpu/tiny-systems-bert_gelu_fp32_static_b1_s128_cpu");
    let renamed = current.join("coreml_batch/tiny_b8_cpu");
    std::fs::create_dir_all(renamed.parent().unwrap()).unwrap();
    std::fs::rename(&cpu_dir, &renamed).unwrap();
    let benchmark = renamed.join("new/benchmark.json");
    let text = std::fs::read_to_string(&benchmark)
        .unwrap()
        .replace(CPU, "coreml/batch/tiny_b8/cpu");
    std::fs::write(&benchmark, text).unwrap();

    let current = RunSet::from_criterion_dirs("last run", &[current], None, None).unwrap();
    let report = check(
        &store.load(&"m2".parse().unwrap()).unwrap(),
        &current,
        &options(10.0),
    )
    .unwrap();
    assert!(report.passed);
    assert_eq!(report.rows.len(), 2);
    assert_eq!(report.added, ["coreml/batch/tiny_b8/cpu"]);
    assert_eq!(report.removed, [CPU]);
    let text = render::check(&report);
    assert!(text.contains("not in the baseline (not checked): coreml/batch/tiny_b8/cpu"));
    assert!(text.contains(&format!(
        "in the baseline but not in this run (not checked): {CPU}"
    )));
}

#[test]
fn nothing_in_common_is_an_error_not_a_pass() {
    let scratch = tempfile::tempdir().unwrap();
    let store = single_run_baseline(scratch.path());
    let current = criterion_run(&scratch.path().join("current"), |_| 1.0);
    let filter = epbench::baseline::parse_filter("activation").unwrap();
    let mut baseline = store.load(&"m2".parse().unwrap()).unwrap();
    baseline.retain(&epbench::baseline::parse_filter("ep_vs_cpu").unwrap());
    let current = RunSet::from_criterion_dirs("last run", &[current], None, Some(&filter)).unwrap();
    let error = check(&baseline, &current, &options(10.0)).unwrap_err();
    assert!(matches!(error, BaselineError::NothingInCommon { .. }));
    assert!(
        error.to_string().contains("no benchmark in common"),
        "{error}"
    );
}

#[test]
fn a_different_runtime_is_noted() {
    let scratch = tempfile::tempdir().unwrap();
    let store = single_run_baseline(scratch.path());
    let current = criterion_run(&scratch.path().join("current"), |_| 1.0);
    let mut current = RunSet::from_criterion_dirs("last run", &[current], None, None).unwrap();
    current.metadata = Some(baseline_support::metadata(
        "Apple M2",
        "1.32.0",
        &[CPU, COREML, FAST_GELU],
    ));
    let report = check(
        &store.load(&"m2".parse().unwrap()).unwrap(),
        &current,
        &options(10.0),
    )
    .unwrap();
    let note = report
        .notes
        .iter()
        .find(|n| n.contains("ONNX Runtime requirements differ"))
        .expect("a note on the runtime");
    assert!(
        note.contains("onnxruntime==1.31.1") && note.contains("onnxruntime==1.32.0"),
        "{note}"
    );
}

#[test]
fn criterion_directories_compare_without_saving() {
    let scratch = tempfile::tempdir().unwrap();
    let a1 = criterion_run(&scratch.path().join("a1"), |_| 1.0);
    let a2 = criterion_run(&scratch.path().join("a2"), |_| 1.02);
    let b = criterion_run(&scratch.path().join("b"), |_| 1.6);
    let aa = check_criterion_dirs(
        std::slice::from_ref(&a1),
        std::slice::from_ref(&a2),
        &options(10.0),
        None,
    )
    .unwrap();
    assert!(aa.passed);
    let ab = check_criterion_dirs(&[a1, a2], &[b], &options(10.0), None).unwrap();
    assert_eq!(ab.exit_code(), 1);
    // Two runs on the baseline side: the floor is learned from them.
    assert!(matches!(
        ab.rows[0].judged.noise_floor.basis,
        NoiseBasis::Learned {
            reference_runs: 2,
            new_runs: 1,
            ..
        }
    ));
}

#[test]
fn results_are_reproducible() {
    let scratch = tempfile::tempdir().unwrap();
    let store = single_run_baseline(scratch.path());
    let first = check_scaled(&store, scratch.path(), "m2", |_| 1.1, &options(5.0));
    std::fs::remove_dir_all(scratch.path().join("current")).unwrap();
    let second = check_scaled(&store, scratch.path(), "m2", |_| 1.1, &options(5.0));
    assert_eq!(first, second);
}
