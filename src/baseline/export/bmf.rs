//! Bencher Metric Format (<https://bencher.dev/docs/reference/bencher-metric-format/>): one
//! object per benchmark, keyed by its name, holding one object per measure, keyed by the
//! measure's slug, each a metric `{"value", "lower_value", "upper_value"}` (the bounds optional).
//!
//! Measures: `latency` in nanoseconds and `throughput` in elements per second (Bencher's two
//! built-in measures and their units), each with its 95% interval; `partitions` and `cpu-nodes`
//! for partition results, named `partitions-predicted` and `cpu-nodes-predicted` when epbench
//! predicted them offline, so measured and predicted counts never share a series.

use std::collections::BTreeMap;

use super::measurement::{Interval, Measurement, Metric};

/// A BMF metric.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct BmfMetric {
    pub value: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lower_value: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upper_value: Option<f64>,
}

/// A BMF document: benchmark name → measure slug → metric.
pub type Document = BTreeMap<String, BTreeMap<&'static str, BmfMetric>>;

/// The BMF document of `measurements`.
pub fn document(measurements: &[Measurement]) -> Document {
    measurements
        .iter()
        .map(|m| (m.id.clone(), m.metrics.iter().flat_map(measures).collect()))
        .collect()
}

fn measures(metric: &Metric) -> Vec<(&'static str, BmfMetric)> {
    let count = |n: usize| BmfMetric {
        value: n as f64,
        lower_value: None,
        upper_value: None,
    };
    match *metric {
        Metric::Latency(interval) => vec![("latency", with_bounds(interval))],
        Metric::Throughput(interval) => vec![("throughput", with_bounds(interval))],
        Metric::Partitions {
            partitions,
            cpu_nodes,
            predicted,
        } => {
            let (partitions_slug, cpu_slug) = if predicted {
                ("partitions-predicted", "cpu-nodes-predicted")
            } else {
                ("partitions", "cpu-nodes")
            };
            vec![
                (partitions_slug, count(partitions)),
                (cpu_slug, count(cpu_nodes)),
            ]
        }
    }
}

fn with_bounds(interval: Interval) -> BmfMetric {
    BmfMetric {
        value: interval.value,
        lower_value: Some(interval.lower),
        upper_value: Some(interval.upper),
    }
}
