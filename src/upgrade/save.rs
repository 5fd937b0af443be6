//! `--save NAME`: the check as two baselines, `NAME-from` and `NAME-to`, in criterion's on-disk
//! format with each side's `machine.json`, so that `epbench baseline compare NAME-from NAME-to`
//! (and `cargo bench -- --baseline` after a restore) read them like any saved run.
//!
//! Each burst is one criterion sample (`iters` = the burst's iterations, `times` = its total
//! nanoseconds, sampling mode `Flat`). `estimates.json` holds point estimates over those samples
//! with zero-width intervals (criterion's own comparison recomputes what it needs from
//! `sample.json`), and `tukey.json` the usual fences.

use std::fs;
use std::path::Path;

use crate::baseline::criterion_files;
use crate::baseline::{BaselineError, BaselineMetadata, BaselineName, OrtInfo, SaveMode, Store};
use crate::stats::{Sorted, mean, median, sample_std_dev};
use crate::suite::BenchId;

use super::report::{Latency, Outcome, SideInfo, UpgradeReport};
use super::{Side, UpgradeError};

/// The names `--save NAME` writes: `NAME-from` and `NAME-to`.
pub fn pair_names(name: &str) -> Result<[BaselineName; 2], UpgradeError> {
    Ok([
        format!("{name}-from").parse()?,
        format!("{name}-to").parse()?,
    ])
}

/// Fails when either baseline exists, so that a long check is not run only to be refused.
pub fn ensure_free(store: &Store, names: &[BaselineName; 2]) -> Result<(), UpgradeError> {
    for name in names {
        if store.root().join(name.as_str()).exists() {
            return Err(crate::baseline::BaselineError::AlreadyExists {
                name: name.to_string(),
                store: store.root().to_path_buf(),
            }
            .into());
        }
    }
    Ok(())
}

/// Writes the measured rows of `report` as the two baselines `names` (from, to) in `store`.
pub fn save_pair(
    store: &Store,
    names: &[BaselineName; 2],
    report: &UpgradeReport,
) -> Result<(), UpgradeError> {
    for (name, side) in names.iter().zip([Side::From, Side::To]) {
        let staging = tempfile::tempdir().map_err(|source| {
            BaselineError::io("creating a temporary folder for", store.root(), source)
        })?;
        let mut ids = Vec::new();
        for (id, measured) in report.measured() {
            let latency = match side {
                Side::From => &measured.from,
                Side::To => &measured.to,
            };
            write_benchmark(staging.path(), id, measured.iterations_per_burst, latency)?;
            ids.push(id.to_string());
        }
        let folders = criterion_files::scan(staging.path(), None, &[])?;
        let info: &SideInfo = match side {
            Side::From => &report.from,
            Side::To => &report.to,
        };
        let metadata = BaselineMetadata::new(
            report.machine.clone(),
            OrtInfo {
                version: info.ort_version.clone(),
                requirement: Some(info.requirement.clone()),
            },
            &[],
            ids.iter().map(String::as_str),
        );
        store.save(name, &folders, metadata, SaveMode::Create)?;
    }
    Ok(())
}

/// Criterion's folder name for an id part: `?"/\*<>:|^` become `_`, at most 64 bytes.
fn filename_safe(part: &str) -> String {
    let mut safe = part.replace(['?', '"', '/', '\\', '*', '<', '>', ':', '|', '^'], "_");
    let mut end = safe.len().min(64);
    while !safe.is_char_boundary(end) {
        end -= 1;
    }
    safe.truncate(end);
    safe
}

fn write_benchmark(
    root: &Path,
    id: &BenchId,
    iterations: u32,
    latency: &Latency,
) -> Result<(), UpgradeError> {
    let (group, function) = (id.group(), id.function());
    let directory_name = format!("{}/{}", filename_safe(group), filename_safe(function));
    let dir = root.join(&directory_name);
    let io = |action, path: &Path, source| BaselineError::io(action, path, source);
    fs::create_dir_all(&dir).map_err(|e| io("creating", &dir, e))?;

    let iters = vec![f64::from(iterations); latency.burst_totals_ns.len()];
    let times: Vec<f64> = latency.burst_totals_ns.iter().map(|&t| t as f64).collect();
    let per_iteration: Vec<f64> = times.iter().map(|t| t / f64::from(iterations)).collect();
    let files = [
        (
            "benchmark.json",
            serde_json::json!({
                "group_id": group,
                "function_id": function,
                "value_str": null,
                "throughput": null,
                "full_id": id.to_string(),
                "directory_name": directory_name,
                "title": id.to_string(),
            }),
        ),
        (
            "sample.json",
            serde_json::json!({ "sampling_mode": "Flat", "iters": iters, "times": times }),
        ),
        ("estimates.json", estimates(&per_iteration)),
        ("tukey.json", serde_json::json!(tukey(&per_iteration))),
    ];
    for (file, value) in files {
        let path = dir.join(file);
        fs::write(&path, value.to_string()).map_err(|e| io("writing", &path, e))?;
    }
    Ok(())
}

fn estimate(point: f64) -> serde_json::Value {
    serde_json::json!({
        "confidence_interval": {
            "confidence_level": 0.95,
            "lower_bound": point,
            "upper_bound": point,
        },
        "point_estimate": point,
        "standard_error": 0.0,
    })
}

/// Criterion's `estimates.json` for per-iteration times (at least one, as every measured row
/// has).
fn estimates(values: &[f64]) -> serde_json::Value {
    let nan = f64::NAN;
    let med = median(values).unwrap_or(nan);
    let deviations: Vec<f64> = values.iter().map(|v| (v - med).abs()).collect();
    // Criterion scales the MAD by 1.4826 to estimate a normal standard deviation.
    let mad = median(&deviations).unwrap_or(nan) * 1.4826;
    serde_json::json!({
        "mean": estimate(mean(values).unwrap_or(nan)),
        "median": estimate(med),
        "median_abs_dev": estimate(mad),
        "slope": null,
        "std_dev": estimate(sample_std_dev(values).unwrap_or(nan)),
    })
}

/// Tukey's fences: low severe, low mild, high mild, high severe.
fn tukey(values: &[f64]) -> [f64; 4] {
    let (q1, q3) = Sorted::new(values.to_vec()).map_or((f64::NAN, f64::NAN), |s| {
        (s.quantile(0.25), s.quantile(0.75))
    });
    let iqr = q3 - q1;
    [
        q1 - 3.0 * iqr,
        q1 - 1.5 * iqr,
        q3 + 1.5 * iqr,
        q3 + 3.0 * iqr,
    ]
}

/// Whether `report` has anything to save.
pub fn has_measurements(report: &UpgradeReport) -> bool {
    report
        .rows
        .iter()
        .any(|row| matches!(row.outcome, Outcome::Measured(_)))
}
