//! What a tracker gets for one benchmark, whatever the format: its metrics and where they came
//! from.

use std::collections::BTreeMap;

use super::super::criterion_files::BenchmarkFolder;
use super::super::metadata::BaselineMetadata;
use crate::stats::bootstrap::{Location, RESAMPLES, bootstrap_location, seed_for};

/// A value with its 95% confidence interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Interval {
    pub value: f64,
    pub lower: f64,
    pub upper: f64,
}

/// One number a tracker follows over time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Metric {
    /// Time per iteration in nanoseconds.
    Latency(Interval),
    /// Elements (batch items) per second.
    Throughput(Interval),
    /// How the EP partitioned the variant.
    Partitions {
        /// Partitions the EP took.
        partitions: usize,
        /// Nodes left to the CPU.
        cpu_nodes: usize,
        /// Predicted offline by epbench's rules rather than measured from ORT.
        predicted: bool,
    },
}

/// One benchmark's metrics.
#[derive(Debug, Clone, PartialEq)]
pub struct Measurement {
    /// The benchmark id, `<study>/<finding>/<variant>/<provider>`.
    pub id: String,
    pub metrics: Vec<Metric>,
    /// Where the numbers come from, for formats that carry a note.
    pub note: String,
}

/// The measurements of a saved baseline: `runs` holds each run's criterion folders. A benchmark's
/// latency is located over the runs that have it, with [`bootstrap_location`]'s interval;
/// its throughput, when criterion counted elements, is elements divided by that latency.
pub fn from_baseline(
    name: &str,
    metadata: &BaselineMetadata,
    runs: &[Vec<BenchmarkFolder>],
) -> Vec<Measurement> {
    let mut by_id: BTreeMap<&str, (Vec<Vec<f64>>, Option<u64>)> = BTreeMap::new();
    for folder in runs.iter().flatten() {
        let entry = by_id.entry(folder.id.full_id.as_str()).or_default();
        entry.0.push(folder.sample.per_iteration_ns());
        entry.1 = entry.1.or(folder.id.throughput.and_then(|t| t.elements()));
    }
    by_id
        .into_iter()
        .map(|(id, (samples, elements))| {
            let samples: Vec<&[f64]> = samples.iter().map(Vec::as_slice).collect();
            let location = bootstrap_location(&samples, RESAMPLES, seed_for(id));
            Measurement {
                id: id.to_string(),
                metrics: timing_metrics(location, elements),
                note: format!(
                    "median time per iteration over {} run(s) of baseline {name}, 95% bootstrap \
                     interval; {}",
                    samples.len(),
                    metadata.setup()
                ),
            }
        })
        .collect()
}

/// Latency from `location` (ns), and throughput when `elements` per iteration are known.
pub(super) fn timing_metrics(location: Location, elements: Option<u64>) -> Vec<Metric> {
    let latency = Interval {
        value: location.point,
        lower: location.lower,
        upper: location.upper,
    };
    let mut metrics = vec![Metric::Latency(latency)];
    if let Some(elements) = elements {
        let per_second = |ns: f64| elements as f64 * 1e9 / ns;
        // A longer time is a lower rate, so the bounds swap.
        metrics.push(Metric::Throughput(Interval {
            value: per_second(latency.value),
            lower: per_second(latency.upper),
            upper: per_second(latency.lower),
        }));
    }
    metrics
}
