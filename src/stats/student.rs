//! Student's t distribution, for intervals whose standard deviation was estimated from a few
//! observations.

/// Two-sided normal quantile for 95% (the 0.975 quantile).
const Z: f64 = 1.959_963_984_540_054;

/// Student's t 0.975 quantiles for 1 to 30 degrees of freedom.
const T_975: [f64; 30] = [
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
    2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
    2.052, 2.048, 2.045, 2.042,
];

/// The 0.975 quantile of Student's t with `df` degrees of freedom: the multiplier of a 95%
/// interval whose standard deviation was estimated with `df` degrees of freedom (infinite for
/// none). Tabulated to 30, then the Cornish-Fisher expansion around the normal quantile (exact
/// to 1e-3 there).
pub fn t_quantile_975(df: usize) -> f64 {
    match df {
        0 => f64::INFINITY,
        1..=30 => T_975[df - 1],
        _ => {
            let n = df as f64;
            Z + (Z.powi(3) + Z) / (4.0 * n)
                + (5.0 * Z.powi(5) + 16.0 * Z.powi(3) + 3.0 * Z) / (96.0 * n * n)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn t_quantiles_approach_the_normal() {
        assert_eq!(t_quantile_975(2), 4.303);
        assert!((t_quantile_975(31) - 2.040).abs() < 1e-3);
        assert!((t_quantile_975(120) - 1.980).abs() < 1e-3);
        assert!(t_quantile_975(100_000) > Z && t_quantile_975(100_000) < Z + 1e-4);
        assert!(t_quantile_975(0).is_infinite());
    }
}
