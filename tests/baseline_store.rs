//! Saving, listing, loading and restoring baselines, and the errors users see for broken input.

mod baseline_support;

use std::fs;
use std::path::Path;
use std::time::{Duration, SystemTime};

use baseline_support::{CPU, criterion_run, fixture, metadata, sample_files, save};
use epbench::baseline::criterion_files::FILES;
use epbench::baseline::{BaselineError, BaselineName, RunSet, SaveMode, Store, run};

const CPU_DIR: &str = "coreml_ep_vs_cpu/tiny-systems-bert_gelu_fp32_static_b1_s128_cpu";

fn name(text: &str) -> BaselineName {
    text.parse().unwrap()
}

#[test]
fn save_writes_criterions_files_and_machine_json_atomically() {
    let scratch = tempfile::tempdir().unwrap();
    let store = Store::new(scratch.path().join("criterion-baselines"));
    save(&store, "m2", &fixture(), "Apple M2", SaveMode::Create);

    let saved = store.root().join("m2");
    for file in FILES {
        let original = fixture().join(CPU_DIR).join("new").join(file);
        assert_eq!(
            fs::read(saved.join(CPU_DIR).join(file)).unwrap(),
            fs::read(original).unwrap(),
            "{file} is copied byte for byte"
        );
    }
    let machine: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(saved.join("machine.json")).unwrap()).unwrap();
    assert_eq!(machine["machine"]["cpu"], "Apple M2");
    assert_eq!(machine["ort"]["version"], "1.31.1");
    assert_eq!(machine["eps"], serde_json::json!(["cpu", "coreml"]));
    assert_eq!(machine["runs"].as_array().unwrap().len(), 1);
    assert_eq!(machine["runs"][0]["benchmarks"], 3);
    assert!(
        machine["runs"][0]["saved_at"]
            .as_str()
            .unwrap()
            .ends_with('Z')
    );
    // Nothing but the baseline is left in the store: the staging folder was renamed into place.
    let entries: Vec<_> = fs::read_dir(store.root()).unwrap().collect();
    assert_eq!(entries.len(), 1);

    let loaded = store.load(&name("m2")).unwrap();
    assert_eq!(loaded.runs.len(), 1);
    assert_eq!(loaded.ids().len(), 3);
}

#[test]
fn existing_baselines_need_append_or_force() {
    let scratch = tempfile::tempdir().unwrap();
    let store = Store::new(scratch.path().join("baselines"));
    save(&store, "m2", &fixture(), "Apple M2", SaveMode::Create);

    let folders = run::last_run(&fixture(), None).unwrap();
    let ids: Vec<&str> = folders.iter().map(|f| f.id.full_id.as_str()).collect();
    let again = store.save(
        &name("m2"),
        &folders,
        metadata("Apple M2", "1.31.1", &ids),
        SaveMode::Create,
    );
    let error = again.unwrap_err();
    assert!(matches!(error, BaselineError::AlreadyExists { .. }));
    assert!(error.to_string().contains("--append"), "{error}");

    let appended = store
        .save(
            &name("m2"),
            &folders,
            metadata("Apple M2", "1.31.1", &ids),
            SaveMode::Append,
        )
        .unwrap();
    assert_eq!(appended.run, 2);
    assert!(
        store
            .root()
            .join("m2/runs/2")
            .join(CPU_DIR)
            .join("sample.json")
            .is_file()
    );
    assert_eq!(store.load(&name("m2")).unwrap().runs.len(), 2);

    // Another machine's run must not become run 3: the noise floor would measure the machines.
    let error = store
        .save(
            &name("m2"),
            &folders,
            metadata("Apple M3", "1.31.1", &ids),
            SaveMode::Append,
        )
        .unwrap_err();
    assert!(
        matches!(error, BaselineError::DifferentSetup { .. }),
        "{error}"
    );
    assert!(error.to_string().contains("Apple M3"), "{error}");

    let replaced = store
        .save(
            &name("m2"),
            &folders[..1],
            metadata("Apple M3", "1.31.1", &ids[..1]),
            SaveMode::Replace,
        )
        .unwrap();
    assert_eq!(replaced.run, 1);
    let loaded = store.load(&name("m2")).unwrap();
    assert_eq!((loaded.runs.len(), loaded.ids().len()), (1, 1));
    assert!(!store.root().join("m2/runs").exists());
    assert_eq!(fs::read_dir(store.root()).unwrap().count(), 1);
}

#[test]
fn restore_makes_a_criterion_baseline() {
    let scratch = tempfile::tempdir().unwrap();
    let store = Store::new(scratch.path().join("baselines"));
    let slow = criterion_run(&scratch.path().join("slow"), |_| 2.0);
    save(&store, "m2", &fixture(), "Apple M2", SaveMode::Create);
    save(&store, "m2", &slow, "Apple M2", SaveMode::Append);

    let target = scratch.path().join("target/criterion");
    let summary = store.restore(&name("m2"), 1, &target).unwrap();
    assert_eq!(summary.benchmarks, 3);
    for file in FILES {
        assert_eq!(
            fs::read(target.join(CPU_DIR).join("m2").join(file)).unwrap(),
            fs::read(fixture().join(CPU_DIR).join("new").join(file)).unwrap()
        );
    }
    // The restored folders are what criterion reads for `--baseline m2`, and what epbench reads
    // as a criterion label too.
    let restored = epbench::baseline::criterion_files::scan(&target, Some("m2"), &[]).unwrap();
    assert_eq!(restored.len(), 3);

    store.restore(&name("m2"), 2, &target).unwrap();
    assert_eq!(
        fs::read(target.join(CPU_DIR).join("m2/sample.json")).unwrap(),
        fs::read(slow.join(CPU_DIR).join("new/sample.json")).unwrap()
    );
    let error = store.restore(&name("m2"), 3, &target).unwrap_err();
    assert_eq!(
        error.to_string(),
        "baseline `m2` has 2 run(s); there is no run 3"
    );
}

#[test]
fn unknown_baselines_list_the_available_ones() {
    let scratch = tempfile::tempdir().unwrap();
    let store = Store::new(scratch.path().join("baselines"));
    let error = store.load(&name("m1")).unwrap_err();
    assert!(
        error.to_string().contains("there are no baselines yet"),
        "{error}"
    );
    save(&store, "m2", &fixture(), "Apple M2", SaveMode::Create);
    save(&store, "m3", &fixture(), "Apple M3", SaveMode::Create);
    let error = store.load(&name("m1")).unwrap_err();
    assert!(error.to_string().ends_with("available: m2, m3"), "{error}");
}

#[test]
fn list_shows_metadata_noise_and_broken_baselines() {
    let scratch = tempfile::tempdir().unwrap();
    let store = Store::new(scratch.path().join("baselines"));
    baseline_support::save_runs(&store, scratch.path(), "m2", "Apple M2", &[0.9, 1.0, 1.1]);
    save(&store, "single", &fixture(), "Apple M2", SaveMode::Create);
    save(&store, "broken", &fixture(), "Apple M2", SaveMode::Create);
    fs::write(store.root().join("broken/machine.json"), "{").unwrap();

    let listings = store.list().unwrap();
    let names: Vec<&str> = listings.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(names, ["broken", "m2", "single"]);
    assert!(
        listings[0]
            .error
            .as_ref()
            .unwrap()
            .contains("broken/machine.json")
    );
    assert_eq!(listings[1].metadata.as_ref().unwrap().runs.len(), 3);
    assert!(listings[1].noise_floor.unwrap() > 0.1);
    assert_eq!(listings[2].noise_floor, None);
    let text = epbench::baseline::render::listing(&listings);
    assert!(
        text.contains("unreadable:") && text.contains("unmeasured"),
        "{text}"
    );
}

#[test]
fn malformed_criterion_files_name_the_file() {
    let scratch = tempfile::tempdir().unwrap();
    let dir = criterion_run(&scratch.path().join("run"), |_| 1.0);
    let sample = dir.join(CPU_DIR).join("new/sample.json");

    fs::write(
        &sample,
        "{\"sampling_mode\":\"Linear\",\"iters\":[1.0,2.0],",
    )
    .unwrap();
    let error = run::last_run(&dir, None).unwrap_err();
    let message = error.to_string();
    assert!(
        message.starts_with(&sample.display().to_string()),
        "{message}"
    );
    assert!(message.contains("not criterion's sample.json"), "{message}");

    fs::write(
        &sample,
        r#"{"sampling_mode":"Linear","iters":[1.0,2.0],"times":[5.0]}"#,
    )
    .unwrap();
    let message = run::last_run(&dir, None).unwrap_err().to_string();
    assert!(
        message.contains("`iters` has 2 entries but `times` has 1"),
        "{message}"
    );

    fs::write(
        &sample,
        r#"{"sampling_mode":"Linear","iters":[0.0],"times":[5.0]}"#,
    )
    .unwrap();
    let message = run::last_run(&dir, None).unwrap_err().to_string();
    assert!(message.contains("iters[0] is 0"), "{message}");

    let benchmark = dir.join(CPU_DIR).join("new/benchmark.json");
    let text = fs::read_to_string(&benchmark).unwrap().replace(
        "\"directory_name\":\"coreml_ep_vs_cpu",
        "\"directory_name\":\"../../coreml_ep_vs_cpu",
    );
    fs::write(&benchmark, text).unwrap();
    let message = run::last_run(&dir, None).unwrap_err().to_string();
    assert!(
        message.contains("benchmark.json") && message.contains("without `..`"),
        "{message}"
    );

    fs::remove_file(dir.join(CPU_DIR).join("new/tukey.json")).unwrap();
    fs::write(
        &benchmark,
        fs::read(fixture().join(CPU_DIR).join("new/benchmark.json")).unwrap(),
    )
    .unwrap();
    fs::write(
        &sample,
        fs::read(fixture().join(CPU_DIR).join("new/sample.json")).unwrap(),
    )
    .unwrap();
    let message = run::last_run(&dir, None).unwrap_err().to_string();
    assert!(message.contains("tukey.json"), "{message}");
}

#[test]
fn malformed_saved_files_name_the_file() {
    let scratch = tempfile::tempdir().unwrap();
    let store = Store::new(scratch.path().join("baselines"));
    save(&store, "m2", &fixture(), "Apple M2", SaveMode::Create);

    let estimates = store.root().join("m2").join(CPU_DIR).join("estimates.json");
    fs::write(&estimates, "[]").unwrap();
    let message = store.load(&name("m2")).unwrap_err().to_string();
    assert!(
        message.starts_with(&estimates.display().to_string()),
        "{message}"
    );
    assert!(message.contains("mean.point_estimate"), "{message}");

    fs::remove_file(store.root().join("m2/machine.json")).unwrap();
    let message = store.load(&name("m2")).unwrap_err().to_string();
    assert!(message.contains("machine.json: missing"), "{message}");
}

#[test]
fn no_criterion_output_is_a_clear_error() {
    let scratch = tempfile::tempdir().unwrap();
    let missing = scratch.path().join("target/criterion");
    let message = run::last_run(&missing, None).unwrap_err().to_string();
    assert!(
        message.contains("does not exist; run `cargo bench` first"),
        "{message}"
    );

    let filter = run::parse_filter("openvino").unwrap();
    let message = run::last_run(&fixture(), Some(&filter))
        .unwrap_err()
        .to_string();
    assert!(
        message.contains("no benchmark id matches the filter `openvino`"),
        "{message}"
    );

    let error = RunSet::from_criterion_dirs("x", &[missing], None, None).unwrap_err();
    assert!(matches!(error, BaselineError::NoBenchmarks { .. }));
}

#[test]
fn other_criterion_labels_are_ignored() {
    let scratch = tempfile::tempdir().unwrap();
    let dir = criterion_run(&scratch.path().join("run"), |_| 1.0);
    // A named criterion baseline next to `new/` (from `--save-baseline old`) is not the last run.
    for new in sample_files(&dir) {
        baseline_support::copy_tree(&new, &new.with_file_name("old"));
    }
    let folders = run::last_run(&dir, None).unwrap();
    assert_eq!(folders.len(), 3);
    assert!(folders.iter().all(|f| f.path.ends_with("new")));
}

#[test]
fn stale_benchmarks_are_warned_about() {
    let scratch = tempfile::tempdir().unwrap();
    let dir = criterion_run(&scratch.path().join("run"), |_| 1.0);
    let old = SystemTime::now() - Duration::from_secs(3 * 24 * 3600);
    let benchmark = dir.join(CPU_DIR).join("new/benchmark.json");
    fs::File::options()
        .write(true)
        .open(&benchmark)
        .unwrap()
        .set_modified(old)
        .unwrap();
    let store = Store::new(scratch.path().join("baselines"));
    let folders = run::last_run(&dir, None).unwrap();
    let summary = store
        .save(
            &name("m2"),
            &folders,
            metadata("Apple M2", "1.31.1", &[CPU]),
            SaveMode::Create,
        )
        .unwrap();
    assert_eq!(summary.warnings.len(), 1, "{:?}", summary.warnings);
    assert!(summary.warnings[0].contains("--filter"));
}

#[test]
fn names_are_single_safe_folder_names() {
    for bad in ["", "..", "../x", "a/b", "new", ".hidden"] {
        let error = bad.parse::<BaselineName>().unwrap_err();
        assert!(
            error.to_string().starts_with("invalid baseline name"),
            "{error}"
        );
    }
    assert_eq!(
        BaselineName::sanitized("macos-aarch64-apple-m2-ort1.31.1")
            .unwrap()
            .as_str(),
        "macos-aarch64-apple-m2-ort1.31.1"
    );
    assert!(
        Path::new("criterion-baselines")
            .join(name("m2").as_str())
            .ends_with("m2")
    );
}
