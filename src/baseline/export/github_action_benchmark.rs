//! github-action-benchmark's `customSmallerIsBetter` input
//! (benchmark-action/github-action-benchmark, README "Examples" and `src/extract.ts`,
//! `BenchmarkResult`): an array of `{"name", "unit", "value"}` with optional `"range"` and
//! `"extra"` strings. The action parses a range of the form `± <number>` in the entry's unit.
//!
//! Every entry is smaller-is-better: latencies in `ns` (range: half the 95% interval, the
//! interval itself and its provenance in `extra`), and partition counts (unit `partitions`, or
//! `partitions (predicted)` for offline predictions). Throughput is bigger-is-better and belongs
//! in a `customBiggerIsBetter` file, so it is left out.

use super::measurement::{Measurement, Metric};

/// One `customSmallerIsBetter` entry.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Entry {
    pub name: String,
    pub unit: &'static str,
    pub value: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub range: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extra: Option<String>,
}

/// The entries of `measurements`.
pub fn entries(measurements: &[Measurement]) -> Vec<Entry> {
    measurements
        .iter()
        .flat_map(|m| m.metrics.iter().filter_map(move |metric| entry(m, metric)))
        .collect()
}

fn entry(measurement: &Measurement, metric: &Metric) -> Option<Entry> {
    match *metric {
        Metric::Latency(interval) => Some(Entry {
            name: measurement.id.clone(),
            unit: "ns",
            value: interval.value,
            range: Some(format!("± {:.1}", (interval.upper - interval.lower) / 2.0)),
            extra: Some(format!(
                "95% CI [{:.1}, {:.1}] ns; {}",
                interval.lower, interval.upper, measurement.note
            )),
        }),
        Metric::Throughput(_) => None,
        Metric::Partitions {
            partitions,
            cpu_nodes,
            predicted,
        } => Some(Entry {
            name: measurement.id.clone(),
            unit: if predicted {
                "partitions (predicted)"
            } else {
                "partitions"
            },
            value: partitions as f64,
            range: None,
            extra: Some(format!(
                "{cpu_nodes} node(s) on the CPU; {}",
                measurement.note
            )),
        }),
    }
}
