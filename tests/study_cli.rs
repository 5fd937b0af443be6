//! `epbench study`, run as a user runs it: the real binary, real ORT, real zoo models, a small
//! filtered plan so that the test stays short. No timing assertions: only that the numbers the
//! run measured are the ones its files report.

mod cli_support;
mod snapshot_support;

use std::path::Path;
use std::process::Output;

use cli_support::{succeeded, written};

use epbench::text::format::ms as format_ms;
use snapshot_support::{assert_snapshot, json_shape};

const MODELS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/models/generated");
const BASELINES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/criterion-baselines");
/// The committed CPU study baseline: six runs of `cpu/...` on the project's CI machine.
const REPEATED: &str = "linux-x86_64-amd-epyc-ort1.31.1";

fn study(args: &[&str], out: &Path) -> Output {
    cli_support::epbench()
        .arg("study")
        .args(args)
        .arg("--out")
        .arg(out)
        .args(["--models", MODELS, "--threads", "2"])
        .env("EPBENCH_BASELINES", BASELINES)
        .output()
        .expect("run epbench")
}

/// A PNG's signature and IHDR size; panics when the file is not a PNG.
fn png_size(path: &Path) -> (u32, u32) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "{}", path.display());
    assert_eq!(&bytes[12..16], b"IHDR", "{}", path.display());
    let be = |at: usize| u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap());
    (be(16), be(20))
}

fn position(report: &str, needle: &str) -> usize {
    report
        .find(needle)
        .unwrap_or_else(|| panic!("report.md lacks `{needle}`:\n{report}"))
}

#[test]
fn coreml_study_off_a_mac_times_the_cpu_and_predicts_partitions() {
    let dir = tempfile::tempdir().unwrap();
    let output = study(
        &[
            "--ep",
            "coreml",
            "--quick",
            "--filter",
            "/(shapes|dtype|fragmentation/probe_erf_k[012]_)",
        ],
        dir.path(),
    );
    succeeded(&output);
    let (report, json) = written(dir.path());

    // Sections in the study's order.
    let order = [
        "## 4.2 Fragmentation",
        "## 4.3 Static vs dynamic shapes",
        "## 4.5 fp32 vs fp16 graphs",
        "## Partitions per variant",
        "## Not measured",
    ];
    let at: Vec<usize> = order.iter().map(|s| position(&report, s)).collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "{order:?} at {at:?}");
    assert!(report.contains("The coreml EP is not in this runtime"));
    assert!(report.contains("**Within-run intervals only.**"));
    assert_snapshot(
        "study_results_coreml_without_ep_shape.txt",
        &json_shape(&json),
        "other tools read results.json",
    );

    // Every CoreML timing needs a Mac; every CPU one was measured and appears in the report.
    assert_eq!(json["ep"]["available"], false);
    let rows = json["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 14, "7 variants on two providers");
    for row in rows {
        match row["provider"].as_str().unwrap() {
            "coreml" => {
                assert_eq!(row["status"], "needs_ep", "{row}");
                assert!(row["reason"].as_str().unwrap().starts_with("needs a Mac: "));
            }
            "cpu" => {
                // ORT 1.31.1's CPU EP loads the fp16 tiny BERT; every CPU row is measured.
                assert_eq!(row["status"], "measured", "{row}");
                let p50 = row["latency_ms"]["p50"].as_f64().unwrap();
                let line = format!(
                    "| {} | cpu | {} |",
                    row["label"].as_str().unwrap(),
                    format_ms(p50)
                );
                assert!(report.contains(&line), "report lacks `{line}`");
                // The fp16 graph is checked against the fp32 one on the CPU, at the fp16 class.
                if row["label"].as_str().unwrap().contains("fp16") {
                    assert_eq!(row["correctness"]["outcome"], "agree", "{row}");
                    assert_eq!(row["correctness"]["tolerance"], "fp16-storage", "{row}");
                }
                let samples = row["samples_ms"].as_array().unwrap();
                assert_eq!(
                    samples.len(),
                    row["latency_ms"]["iterations"].as_u64().unwrap() as usize
                );
            }
            other => panic!("unexpected provider {other}"),
        }
    }
    assert!(report.contains("needs a Mac"));

    // Partitions are predicted for every CoreML variant, and the report shows the same counts.
    let partitions = json["partitions"].as_array().unwrap();
    assert_eq!(partitions.len(), 6, "{partitions:?}");
    for p in partitions {
        assert_eq!(p["status"], "known", "{p}");
        assert_eq!(p["source"], "predicted");
        let line = format!(
            "| {} | {} | {} |",
            p["variant"].as_str().unwrap(),
            p["partitions"],
            p["nodes"]
        );
        assert!(report.contains(&line), "report lacks `{line}`");
    }
    assert!(report.contains("predicted (rules"));

    // The fragmentation slope of the CPU, with its interval, in both files.
    let fits = json["analysis"]["fragmentation"].as_array().unwrap();
    assert_eq!(fits.len(), 1, "only the CPU was timed: {fits:?}");
    let fit = &fits[0];
    assert_eq!(fit["provider"], "cpu");
    let (lower, slope, upper) = (
        fit["lower_us"].as_f64().unwrap(),
        fit["slope_us"].as_f64().unwrap(),
        fit["upper_us"].as_f64().unwrap(),
    );
    assert!(lower <= slope && slope <= upper, "{fit}");
    assert!(report.contains(fit["conclusion"].as_str().unwrap()));

    // Plots: PNGs decode to the chart size, SVGs carry their titles.
    for (name, title) in [
        ("fp32_vs_fp16", "fp32 vs fp16 graphs"),
        ("fragmentation", "Fragmentation: latency vs EP↔CPU cuts"),
        ("partitions", "CoreML EP partitions per model variant"),
    ] {
        assert_eq!(
            png_size(&dir.path().join(format!("{name}.png"))),
            (1200, 720)
        );
        let svg = std::fs::read_to_string(dir.path().join(format!("{name}.svg"))).unwrap();
        assert!(svg.contains(title), "{name}.svg lacks its title `{title}`");
        assert!(
            report.contains(&format!("({name}.png)")),
            "report does not embed {name}"
        );
    }
    // The charts say what they could not show.
    let svg = std::fs::read_to_string(dir.path().join("fp32_vs_fp16.svg")).unwrap();
    assert!(
        svg.contains("needs a Mac"),
        "the chart lists the CoreML rows it lacks"
    );
}

#[test]
fn cpu_study_compares_settings_on_the_cpu() {
    let dir = tempfile::tempdir().unwrap();
    let output = study(
        &[
            "--ep",
            "cpu",
            "--quick",
            "--filter",
            "opt_level",
            "--noise-from",
            REPEATED,
        ],
        dir.path(),
    );
    succeeded(&output);
    let (report, json) = written(dir.path());
    assert!(report.contains("## Graph optimisation level (`opt_level`)"));
    assert!(report.contains("Every benchmark was measured."));
    assert_eq!(json["ep"]["available"], true);
    assert_eq!(json["ort"]["version"], "1.31.1");
    assert_snapshot(
        "study_results_cpu_shape.txt",
        &json_shape(&json),
        "other tools read results.json",
    );
    assert!(json["machine"]["cores"].as_u64().unwrap() >= 1);
    // basic and all against disable, each with an interval around its point estimate.
    let comparisons = json["analysis"]["comparisons"].as_array().unwrap();
    assert_eq!(comparisons.len(), 2, "{comparisons:?}");
    for c in comparisons {
        let (lower, ratio, upper) = (
            c["lower"].as_f64().unwrap(),
            c["time_ratio"].as_f64().unwrap(),
            c["upper"].as_f64().unwrap(),
        );
        assert!(lower <= ratio && ratio <= upper, "{c}");
        assert!(report.contains(c["conclusion"].as_str().unwrap()));
        // The interval says what it covers, and the baseline's repeated runs give the floor.
        assert_eq!(c["interval"], "within_run_bootstrap");
        let floor = c["between_run_floor"].as_f64().unwrap();
        assert!(floor > 0.0, "{c}");
        assert!(
            c["conclusion"]
                .as_str()
                .unwrap()
                .contains("between-run noise floor"),
            "{c}"
        );
    }
    assert_eq!(json["analysis"]["between_run_noise"]["baseline"], REPEATED);
    assert_eq!(json["analysis"]["between_run_noise"]["runs"], 6);
    assert!(report.contains(&format!("learned from baseline `{REPEATED}`")));
    // The terminal summary lists every benchmark.
    let stdout = String::from_utf8_lossy(&output.stdout);
    for row in json["rows"].as_array().unwrap() {
        assert!(stdout.contains(row["id"].as_str().unwrap()), "{stdout}");
    }
}

#[test]
fn bad_filters_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let bad = study(&["--ep", "cpu", "--filter", "("], dir.path());
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--filter"));
    let none = study(
        &["--ep", "cpu", "--filter", "no-such-benchmark"],
        dir.path(),
    );
    assert_eq!(none.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&none.stderr).contains("matches the filter"));
    // A baseline of single runs has no between-run noise to learn.
    let single = study(
        &["--ep", "cpu", "--noise-from", "ort1.30.0-to-1.31.1-from"],
        dir.path(),
    );
    assert_eq!(single.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&single.stderr).contains("no benchmark with repeated runs"),
        "{}",
        String::from_utf8_lossy(&single.stderr)
    );
    assert!(!dir.path().join("report.md").exists());
}
