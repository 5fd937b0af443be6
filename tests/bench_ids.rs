//! Benchmark ids name saved baselines (`criterion-baselines/<name>/`) and criterion's own
//! history: renaming one silently orphans every baseline that has it. So the full list is pinned
//! in `tests/snapshots/bench_ids.txt`, and every id a committed baseline holds must still be
//! planned or be listed in `tests/snapshots/retired_bench_ids.txt`.

mod snapshot_support;

use std::collections::BTreeSet;
use std::path::Path;

use epbench::baseline::Store;
use epbench::runtime::EpKind;
use epbench::suite::{self, BenchCase, Settings};
use snapshot_support::{assert_snapshot, path};

/// Every id of every study planned with `intra_threads`, sorted.
fn planned(intra_threads: usize) -> BTreeSet<String> {
    let settings = Settings {
        quick: false,
        intra_threads,
    };
    EpKind::ALL
        .into_iter()
        .flat_map(|study| suite::plan(study, &settings))
        .map(|case| BenchCase::id(&case))
        .collect()
}

#[test]
fn the_benchmark_ids_are_the_reviewed_ones() {
    // Two intra-op threads: the CPU study's `threads` finding has one id per thread count up to
    // EPBENCH_THREADS (at least 2); everything else is the same on every machine.
    let ids: String = planned(2).into_iter().map(|id| id + "\n").collect();
    assert_snapshot(
        "bench_ids.txt",
        &ids,
        "benchmark ids name saved baselines; a renamed id orphans them, so list the old id in \
         tests/snapshots/retired_bench_ids.txt when a committed baseline has it",
    );
}

#[test]
fn every_committed_baseline_id_is_planned_or_retired() {
    let retired_file = path("retired_bench_ids.txt");
    let retired_text = std::fs::read_to_string(&retired_file)
        .unwrap_or_else(|e| panic!("{}: {e}", retired_file.display()));
    let retired: BTreeSet<&str> = retired_text
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .collect();
    // A machine with N cores saves `threads1` to `threadsN`: plan for more cores than any
    // committed baseline's machine has.
    let planned = planned(64);
    let store = Store::new(Path::new(env!("CARGO_MANIFEST_DIR")).join("criterion-baselines"));
    let names = store.names().expect("criterion-baselines/ lists");
    assert!(!names.is_empty(), "the repository commits baselines");
    let mut orphaned = Vec::new();
    for name in &names {
        let runs = store
            .load(name)
            .unwrap_or_else(|e| panic!("baseline {name}: {e}"));
        for id in runs.ids() {
            if !planned.contains(id) && !retired.contains(id) {
                orphaned.push(format!("{name}: {id}"));
            }
        }
    }
    assert!(
        orphaned.is_empty(),
        "committed baselines hold ids that no study plans any more:\n  {}\nRestore the old \
         names, or list each id in {} (one per line) so that the loss is on record.",
        orphaned.join("\n  "),
        retired_file.display()
    );
    for id in &retired {
        assert!(
            !planned.contains(*id),
            "{id} is listed as retired but still planned; remove it from {}",
            retired_file.display()
        );
    }
}

/// `cargo bench -- --list [FILTER]` prints what a run with that filter would select, every id
/// once as criterion prints it, and loads or builds nothing (the function takes no runtime).
#[test]
fn the_bench_list_is_every_selected_id_as_criterion_prints_it() {
    let settings = Settings {
        quick: false,
        intra_threads: 2,
    };
    let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let all = suite::list(
        &suite::Filter::from_args(args(&["--list"])).unwrap(),
        &settings,
    );
    let expected: BTreeSet<String> = planned(2)
        .into_iter()
        .map(|id| format!("{id}: benchmark"))
        .collect();
    assert_eq!(all.len(), expected.len(), "each id once");
    assert_eq!(all.iter().cloned().collect::<BTreeSet<_>>(), expected);
    let coreml = suite::list(
        &suite::Filter::from_args(args(&["--bench", "--list", "^coreml/vision"])).unwrap(),
        &settings,
    );
    assert!(!coreml.is_empty());
    assert!(
        coreml
            .iter()
            .all(|l| l.starts_with("coreml/vision/") && l.ends_with(": benchmark"))
    );
}
