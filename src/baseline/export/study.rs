//! A study's `results.json` (the types of [`crate::study::results`]) as measurements: every
//! measured row's latency (and throughput for `Session::run` rows), and every known partition
//! result as its own benchmark, `<study>/partitions/<variant>/<ep>`.

use std::path::Path;

use crate::study::results::{self, PartitionOutcome, PartitionSource, StudyResults};

use super::ExportError;
use super::measurement::{Measurement, Metric, timing_metrics};
use crate::stats::bootstrap::{RESAMPLES, bootstrap_location, seed_for};

/// Reads a study's `results.json`, refusing another schema version rather than misreading it.
pub fn read(path: &Path) -> Result<StudyResults, ExportError> {
    let problem = |reason: String| ExportError::StudyResults {
        path: path.to_path_buf(),
        reason,
    };
    let text = std::fs::read_to_string(path).map_err(|e| {
        problem(format!(
            "cannot read it ({e}); name a study's results.json or its output folder"
        ))
    })?;
    let schema: Option<String> = serde_json::from_str::<serde_json::Value>(&text)
        .map_err(|e| problem(format!("not JSON: {e}")))?
        .get("schema")
        .and_then(|s| s.as_str().map(str::to_string));
    if schema.as_deref() != Some(results::SCHEMA) {
        return Err(problem(format!(
            "schema {}, expected {} (a results.json `epbench study` writes)",
            schema.as_deref().unwrap_or("missing"),
            results::SCHEMA
        )));
    }
    serde_json::from_str(&text).map_err(|e| problem(format!("not a study's results: {e}")))
}

/// The study's measured rows and partition results, in the study's order.
pub fn measurements(results: &StudyResults) -> Vec<Measurement> {
    let source = format!(
        "epbench study, {} on ORT {}",
        results.machine.cpu, results.ort.description
    );
    let timings = results.rows.iter().filter_map(|row| {
        let measured = row.measured()?;
        let samples_ns: Vec<f64> = measured.samples_ms.iter().map(|ms| ms * 1e6).collect();
        if samples_ns.is_empty() {
            return None;
        }
        let location = bootstrap_location(&[&samples_ns], RESAMPLES, seed_for(&row.id));
        // Session-creation rows time a cold start, not a batch; only runs have a throughput.
        let elements = measured.throughput_per_s.map(|_| u64::from(row.batch));
        Some(Measurement {
            id: row.id.clone(),
            metrics: timing_metrics(location, elements),
            note: format!(
                "median of {} timed iterations, 95% bootstrap interval; {source}",
                samples_ns.len()
            ),
        })
    });
    let ep = results.ep.kind;
    let partitions = results.partitions.iter().filter_map(|row| {
        let PartitionOutcome::Known(numbers) = &row.outcome else {
            return None;
        };
        Some(Measurement {
            id: format!("{ep}/partitions/{}/{ep}", row.variant),
            metrics: vec![Metric::Partitions {
                partitions: numbers.partitions,
                cpu_nodes: numbers.cpu_nodes,
                predicted: numbers.source == PartitionSource::Predicted,
            }],
            note: format!("{}; {source}", numbers.provenance),
        })
    });
    timings.chain(partitions).collect()
}
