//! Ordinary least squares through points, with a t-interval on the slope.

use super::student::t_quantile_975;

/// A fitted line `y = intercept + slope x`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LineFit {
    pub slope: f64,
    pub intercept: f64,
    /// Half the width of the slope's 95% t-interval (`points - 2` degrees of freedom).
    pub slope_half_width: f64,
}

/// The OLS line through `(x, y)` points. `None` with fewer than three points or fewer than two
/// distinct x, where no interval exists.
pub fn ols(points: &[(f64, f64)]) -> Option<LineFit> {
    let n = points.len();
    if n < 3 {
        return None;
    }
    let nf = n as f64;
    let mean_x = points.iter().map(|p| p.0).sum::<f64>() / nf;
    let mean_y = points.iter().map(|p| p.1).sum::<f64>() / nf;
    let sxx: f64 = points.iter().map(|p| (p.0 - mean_x).powi(2)).sum();
    if sxx == 0.0 {
        return None;
    }
    let sxy: f64 = points.iter().map(|p| (p.0 - mean_x) * (p.1 - mean_y)).sum();
    let slope = sxy / sxx;
    let intercept = mean_y - slope * mean_x;
    let residuals: f64 = points
        .iter()
        .map(|p| (p.1 - intercept - slope * p.0).powi(2))
        .sum();
    let standard_error = (residuals / (nf - 2.0) / sxx).sqrt();
    Some(LineFit {
        slope,
        intercept,
        slope_half_width: t_quantile_975(n - 2) * standard_error,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovers_a_known_line_and_its_interval() {
        // y = 10 + 2x with residuals +1, -1, -1, +1 at x = 0, 1, 2, 3, which are orthogonal to
        // 1 and to x - 1.5: (1, -1, -1, 1) · (-1.5, -0.5, 0.5, 1.5) = 0.
        let points = [(0.0, 11.0), (1.0, 11.0), (2.0, 13.0), (3.0, 17.0)];
        let fit = ols(&points).unwrap();
        assert!((fit.slope - 2.0).abs() < 1e-12, "{fit:?}");
        assert!((fit.intercept - 10.0).abs() < 1e-12, "{fit:?}");
        // SSE = 4, s² = 4 / 2 = 2, Sxx = 5, SE = sqrt(2/5), t(2) = 4.303.
        let expected = 4.303 * (2.0f64 / 5.0).sqrt();
        assert!((fit.slope_half_width - expected).abs() < 1e-9, "{fit:?}");
    }

    #[test]
    fn needs_spread_in_x() {
        assert!(ols(&[(1.0, 1.0), (1.0, 2.0), (1.0, 3.0)]).is_none());
        assert!(ols(&[(0.0, 1.0), (1.0, 2.0)]).is_none());
    }
}
