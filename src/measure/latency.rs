//! Latency statistics over the per-iteration durations of a timed loop.
//!
//! Criterion reports means with confidence intervals; the study reports percentiles (p50, p90,
//! p95, p99) and throughput, which is what [`LatencyStats`] computes from the raw samples the
//! study runner and `epbench profile` collect.
//!
//! ```
//! use std::time::Duration;
//! use epbench::measure::latency::LatencyStats;
//!
//! let samples: Vec<Duration> = [4, 1, 3, 2].map(Duration::from_millis).to_vec();
//! let stats = LatencyStats::from_durations(&samples)?;
//! assert_eq!(stats.p50, 2.5);
//! assert_eq!(stats.throughput_per_s(1), Some(400.0));
//! # Ok::<(), epbench::measure::latency::LatencyError>(())
//! ```

use std::fmt::Write as _;
use std::time::Duration;

use crate::stats::Sorted;
use crate::text::format::ms as format_ms;

/// Why latency statistics could not be computed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LatencyError {
    /// No iteration was timed, so there is nothing to summarise.
    #[error("no latency samples: at least one timed iteration is needed")]
    Empty,
}

/// Summary of per-iteration latencies, all in milliseconds.
///
/// Percentiles are epbench's one quantile definition (linear interpolation between the closest
/// ranks, see [`crate::stats::quantile`]): p50 of an even sample is the mean of its two middle
/// values. `std_dev` is the sample standard deviation (divisor `n - 1`, as criterion reports
/// it); it is 0 for a single sample.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LatencyStats {
    /// Number of timed iterations the statistics are computed from.
    pub iterations: usize,
    pub mean: f64,
    pub p50: f64,
    pub p90: f64,
    pub p95: f64,
    pub p99: f64,
    pub min: f64,
    pub max: f64,
    pub std_dev: f64,
}

impl LatencyStats {
    /// Statistics of per-iteration durations; an empty slice is an error.
    pub fn from_durations(samples: &[Duration]) -> Result<Self, LatencyError> {
        let ms = samples.iter().map(|d| d.as_secs_f64() * 1e3).collect();
        let sorted = Sorted::new(ms).ok_or(LatencyError::Empty)?;
        Ok(LatencyStats {
            iterations: sorted.values().len(),
            mean: sorted.mean(),
            p50: sorted.quantile(0.50),
            p90: sorted.quantile(0.90),
            p95: sorted.quantile(0.95),
            p99: sorted.quantile(0.99),
            min: sorted.min(),
            max: sorted.max(),
            std_dev: sorted.std_dev(),
        })
    }

    /// Inferences per second at the mean latency when each iteration processes `batch` inputs:
    /// `batch * 1000 / mean`. `None` when the mean is zero (a timer too coarse for the
    /// workload), where no finite throughput exists.
    pub fn throughput_per_s(&self, batch: usize) -> Option<f64> {
        (self.mean > 0.0).then(|| batch as f64 * 1e3 / self.mean)
    }

    /// The study's "Performance Metrics" block: mean, p50, p90 and p99 latency and the
    /// throughput for `batch` inputs per iteration.
    pub fn render_text(&self, batch: usize) -> String {
        let mut out = String::from("Performance Metrics:\n");
        // Writing to a String cannot fail; the results are ignored for that reason.
        let _ = writeln!(out, "  - Mean latency: {}", format_ms(self.mean));
        let _ = writeln!(out, "  - p50 latency: {}", format_ms(self.p50));
        let _ = writeln!(out, "  - p90 latency: {}", format_ms(self.p90));
        let _ = writeln!(out, "  - p99 latency: {}", format_ms(self.p99));
        match self.throughput_per_s(batch) {
            Some(t) => {
                let _ = writeln!(out, "  - Throughput: {t:.2} inferences/sec (batch {batch})");
            }
            None => out.push_str("  - Throughput: not measurable (mean latency is 0)\n"),
        }
        let _ = writeln!(
            out,
            "  - Iterations: {} (min {}, max {}, std dev {})",
            self.iterations,
            format_ms(self.min),
            format_ms(self.max),
            format_ms(self.std_dev)
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(values: &[u64]) -> Vec<Duration> {
        values.iter().map(|&v| Duration::from_millis(v)).collect()
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn empty_sample_is_an_error() {
        assert_eq!(LatencyStats::from_durations(&[]), Err(LatencyError::Empty));
    }

    #[test]
    fn single_sample_is_every_statistic() {
        let s = LatencyStats::from_durations(&ms(&[7])).unwrap();
        assert_eq!(s.iterations, 1);
        for v in [s.mean, s.p50, s.p90, s.p95, s.p99, s.min, s.max] {
            assert_eq!(v, 7.0);
        }
        assert_eq!(s.std_dev, 0.0);
    }

    #[test]
    fn one_to_ten_ms_by_hand() {
        // Unsorted on purpose. Sorted: 1..=10, n = 9 intervals.
        // p50: h = 4.5 -> 5 + 0.5 * 1 = 5.5; p90: h = 8.1 -> 9.1; p95: h = 8.55 -> 9.55;
        // p99: h = 8.91 -> 9.91. Mean 5.5; sum of squared deviations 82.5, / 9 -> sqrt(9.1667).
        let s = LatencyStats::from_durations(&ms(&[10, 3, 1, 7, 2, 9, 4, 8, 6, 5])).unwrap();
        assert_eq!(s.iterations, 10);
        assert!(close(s.mean, 5.5));
        assert!(close(s.p50, 5.5));
        assert!(close(s.p90, 9.1));
        assert!(close(s.p95, 9.55));
        assert!(close(s.p99, 9.91));
        assert!(close(s.min, 1.0));
        assert!(close(s.max, 10.0));
        assert!(close(s.std_dev, (82.5f64 / 9.0).sqrt()));
    }

    #[test]
    fn sub_millisecond_samples_keep_their_precision() {
        // 250 µs and 750 µs: mean 0.5 ms, p50 0.5 ms, std dev sqrt(2 * 0.25^2 / 1).
        let samples = [Duration::from_micros(250), Duration::from_micros(750)];
        let s = LatencyStats::from_durations(&samples).unwrap();
        assert!(close(s.mean, 0.5));
        assert!(close(s.p50, 0.5));
        assert!(close(s.p99, 0.745));
        assert!(close(s.std_dev, (0.125f64).sqrt()));
    }

    #[test]
    fn throughput_scales_with_batch() {
        let s = LatencyStats::from_durations(&ms(&[4, 4])).unwrap();
        assert_eq!(s.throughput_per_s(1), Some(250.0));
        assert_eq!(s.throughput_per_s(8), Some(2000.0));
        let zero = LatencyStats::from_durations(&[Duration::ZERO]).unwrap();
        assert_eq!(zero.throughput_per_s(1), None);
    }

    #[test]
    fn render_prints_the_study_lines() {
        let s = LatencyStats::from_durations(&ms(&[5, 10])).unwrap();
        let text = s.render_text(2);
        assert!(text.starts_with("Performance Metrics:\n"));
        assert!(text.contains("  - Mean latency: 7.50 ms\n"));
        assert!(text.contains("  - p50 latency: 7.50 ms\n"));
        assert!(text.contains("  - p99 latency: 9.95 ms\n"));
        assert!(text.contains("  - Throughput: 266.67 inferences/sec (batch 2)\n"));
    }
}
