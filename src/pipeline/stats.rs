//! Statistics of a column of numbers shared by the stages: moments that
//! cannot overflow, and percentiles as numpy computes them.

/// A power of two at or above `m` (1 for 0), so that dividing by it is exact
/// and keeps every value within [-1, 1].
pub fn pow2_above(m: f64) -> f64 {
    if !(m.is_finite() && m > 0.0) {
        return 1.0;
    }
    let e = m.log2().ceil().clamp(-1000.0, 1023.0) as i32;
    let p = 2f64.powi(e);
    if p < m { p * 2.0 } else { p }.min(2f64.powi(1023))
}

/// Mean, population standard deviation and skewness (Fisher-Pearson,
/// population moments as `scipy.stats.skew`), computed on values scaled by a
/// power of two so that huge values cannot overflow. All finite for finite input.
pub fn moments(v: &[f64]) -> (f64, f64, f64) {
    let n = v.len();
    if n == 0 {
        return (0.0, 0.0, 0.0);
    }
    let s = pow2_above(v.iter().fold(0.0f64, |m, x| m.max(x.abs())));
    let inv = 1.0 / s;
    let nf = n as f64;
    let mean = v.iter().map(|x| x * inv).sum::<f64>() / nf;
    let (mut m2, mut m3) = (0.0, 0.0);
    for x in v {
        let d = x * inv - mean;
        let d2 = d * d;
        m2 += d2;
        m3 += d2 * d;
    }
    m2 /= nf;
    m3 /= nf;
    let std = m2.sqrt();
    let skew = if m2 > 1e-24 { m3 / (m2 * std) } else { 0.0 };
    (mean * s, std * s, if skew.is_finite() { skew } else { 0.0 })
}

/// Percentile with linear interpolation between order statistics (numpy's
/// default); reorders `v`, which must be non-empty.
pub fn percentile(v: &mut [f64], p: f64) -> f64 {
    let pos = p * (v.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let frac = pos - lo as f64;
    let (_, a, upper) = v.select_nth_unstable_by(lo, f64::total_cmp);
    let a = *a;
    if frac == 0.0 || upper.is_empty() {
        return a;
    }
    let b = upper.iter().copied().fold(f64::INFINITY, f64::min);
    interpolate(a, b, frac)
}

/// `a + frac * (b - a)` for `a <= b`, written so that it cannot overflow
/// (`b - a` is infinite for `a = -1e308, b = 1e308`) and stays within
/// `[a, b]`.
fn interpolate(a: f64, b: f64, frac: f64) -> f64 {
    let x = a * (1.0 - frac) + b * frac;
    if x.is_finite() { x.clamp(a, b) } else { a }
}

/// Median of the values (average of the two middle ones for an even count),
/// found with `select_nth_unstable`; reorders `v`. `None` when empty.
pub fn median_in_place(v: &mut [f64]) -> Option<f64> {
    let m = v.len();
    if m == 0 {
        return None;
    }
    let k = m / 2;
    let (lower, upper, _) = v.select_nth_unstable_by(k, f64::total_cmp);
    let upper = *upper;
    if m % 2 == 1 {
        Some(upper)
    } else {
        let lower_max = lower.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        Some(lower_max / 2.0 + upper / 2.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moments_match_hand_values() {
        // 1, 2, 3, 10: mean 4, population variance (9+4+1+36)/4 = 12.5
        let (m, s, g) = moments(&[1.0, 2.0, 3.0, 10.0]);
        assert_eq!(m, 4.0);
        assert!((s - 12.5f64.sqrt()).abs() < 1e-12);
        // m3 = (-27 - 8 - 1 + 216)/4 = 45; g1 = 45 / 12.5^1.5
        assert!((g - 45.0 / 12.5f64.powf(1.5)).abs() < 1e-12);
        let (m, s, g) = moments(&[1e308, -1e308, 1e308, -1e308]);
        assert!(m.abs() < 1e300 && s.is_finite() && g.is_finite());
        assert!((s / 1e308 - 1.0).abs() < 1e-12);
    }

    #[test]
    fn percentiles_interpolate_like_numpy() {
        let mut v = vec![1.0, 2.0, 3.0, 4.0, 100.0];
        assert_eq!(percentile(&mut v, 0.5), 3.0);
        assert_eq!(percentile(&mut v, 0.0), 1.0);
        assert_eq!(percentile(&mut v, 1.0), 100.0);
        // pos = 0.9 * 4 = 3.6 -> 4 + 0.6 * 96
        assert!((percentile(&mut v, 0.9) - 61.6).abs() < 1e-9);
    }

    #[test]
    fn pow2_above_bounds() {
        assert_eq!(pow2_above(0.0), 1.0);
        assert_eq!(pow2_above(3.0), 4.0);
        assert_eq!(pow2_above(4.0), 4.0);
        assert!(pow2_above(f64::MAX).is_finite());
        assert!(f64::MAX / pow2_above(f64::MAX) <= 2.0);
    }
}
