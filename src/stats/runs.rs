//! Samples grouped in runs (one `cargo bench` each): where a set of runs is located, and how
//! much the runs differ from each other.
//!
//! A run's location is the logarithm of its median; a set of runs is located at the mean of
//! those, i.e. at the geometric mean of the runs' medians. Runs are weighted equally whatever
//! their sample counts, because between-run differences, not samples, dominate the uncertainty.

use super::moments::mean;
use super::quantile::median;

/// The mean over runs of the log median. NaN when a run is empty or there are no runs.
pub fn log_location(runs: &[&[f64]]) -> f64 {
    let sum: f64 = runs
        .iter()
        .map(|run| median(run).map_or(f64::NAN, f64::ln))
        .sum();
    sum / runs.len() as f64
}

/// The spread of the runs' log locations around their mean: the sum of squared deviations and
/// its degrees of freedom (runs - 1). `None` for fewer than two runs.
pub fn between_run_spread(runs: &[&[f64]]) -> Option<(f64, usize)> {
    if runs.len() < 2 {
        return None;
    }
    let locations: Vec<f64> = runs.iter().map(|run| log_location(&[run])).collect();
    let mean = mean(&locations)?;
    let squares = locations.iter().map(|l| (l - mean).powi(2)).sum();
    Some((squares, runs.len() - 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spread_is_on_the_log_scale() {
        let a = [100.0, 100.0, 100.0];
        let b = [200.0, 200.0, 200.0];
        assert!((log_location(&[&a, &b]) - 20_000f64.sqrt().ln()).abs() < 1e-12);
        let (squares, df) = between_run_spread(&[&a, &b]).unwrap();
        assert_eq!(df, 1);
        assert!((squares - 2.0f64.ln().powi(2) / 2.0).abs() < 1e-12);
        assert!(between_run_spread(&[&a]).is_none());
    }
}
