//! The mean and the sample standard deviation.

/// The arithmetic mean; `None` when there are no values.
pub fn mean(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

/// The sample standard deviation (divisor `n - 1`, as criterion reports it); 0 for a single
/// value, `None` when there are none.
pub fn sample_std_dev(values: &[f64]) -> Option<f64> {
    let mean = mean(values)?;
    if values.len() == 1 {
        return Some(0.0);
    }
    let squares: f64 = values.iter().map(|v| (v - mean).powi(2)).sum();
    Some((squares / (values.len() - 1) as f64).sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn by_hand() {
        // 1..=10: mean 5.5, squared deviations sum to 82.5, / 9.
        let values: Vec<f64> = (1..=10).map(f64::from).collect();
        assert_eq!(mean(&values), Some(5.5));
        let sd = sample_std_dev(&values).unwrap();
        assert!((sd - (82.5f64 / 9.0).sqrt()).abs() < 1e-12);
        assert_eq!(sample_std_dev(&[3.0]), Some(0.0));
        assert_eq!(mean(&[]), None);
        assert_eq!(sample_std_dev(&[]), None);
    }
}
