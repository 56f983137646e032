//! Numbers for the charts: ranges, quantiles, box statistics, the
//! stratified sample of points and compact labels (12.5k, 3.2M).

use rayon::prelude::*;

/// One segment's box plot: percentiles, mean and count of a money column.
pub(super) struct BoxStats {
    pub(super) p05: f64,
    pub(super) p25: f64,
    pub(super) p50: f64,
    pub(super) p75: f64,
    pub(super) p95: f64,
    pub(super) mean: f64,
    pub(super) count: usize,
}

pub(super) fn min_max(it: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = it
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(v), b.max(v))
        });
    if lo > hi { (0.0, 1.0) } else { (lo, hi) }
}

pub(super) use crate::pipeline::excerpt::thousands;

/// 950, 12.5k, 3.2M, 1.1B; small values keep up to 3 significant digits.
pub(super) fn compact(v: f64) -> String {
    if !v.is_finite() {
        return "–".into();
    }
    let a = v.abs();
    let (x, unit) = if a >= 1e9 {
        (v / 1e9, "B")
    } else if a >= 1e6 {
        (v / 1e6, "M")
    } else if a >= 1e3 {
        (v / 1e3, "k")
    } else {
        (v, "")
    };
    let ax = x.abs();
    let s = if ax == 0.0 {
        "0".to_string()
    } else if ax >= 100.0 {
        format!("{x:.0}")
    } else if ax >= 10.0 {
        format!("{x:.1}")
    } else if ax >= 1.0 {
        format!("{x:.2}")
    } else {
        format!("{x:.3}")
    };
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    format!("{s}{unit}")
}

/// Linear-interpolated quantile of sorted values.
pub(super) fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let pos = q * (sorted.len() - 1) as f64;
    let i = pos.floor() as usize;
    let f = pos - i as f64;
    match sorted.get(i + 1) {
        Some(&next) => sorted[i] + (next - sorted[i]) * f,
        None => sorted[i],
    }
}

pub(super) fn box_stats(values: &[f64], row_seg: &[u32], k: usize) -> Vec<Option<BoxStats>> {
    let mut per: Vec<Vec<f64>> = vec![Vec::new(); k];
    for (&v, &s) in values.iter().zip(row_seg) {
        if s != u32::MAX && v.is_finite() {
            per[s as usize].push(v);
        }
    }
    per.into_par_iter()
        .map(|mut v| {
            if v.is_empty() {
                return None;
            }
            v.sort_unstable_by(f64::total_cmp);
            let mean = v.iter().sum::<f64>() / v.len() as f64;
            Some(BoxStats {
                p05: quantile(&v, 0.05),
                p25: quantile(&v, 0.25),
                p50: quantile(&v, 0.50),
                p75: quantile(&v, 0.75),
                p95: quantile(&v, 0.95),
                mean,
                count: v.len(),
            })
        })
        .collect()
}

/// 0.1th–99.9th percentile range of the values, padded 4%, so a handful of
/// outliers do not squash the cloud (the few points outside are not drawn).
pub(super) fn robust_range(it: impl Iterator<Item = f64>) -> (f64, f64) {
    let mut v: Vec<f64> = it.filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return (-1.0, 1.0);
    }
    v.sort_unstable_by(f64::total_cmp);
    let (lo, hi) = if v.len() >= 400 {
        (quantile(&v, 0.001), quantile(&v, 0.999))
    } else {
        (v[0], v[v.len() - 1])
    };
    let pad = ((hi - lo) * 0.04).max(1e-6);
    (lo - pad, hi + pad)
}

/// Splitmix64: a fixed, seedless hash for the drawing order of points.
fn mix64(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// At most about `max` rows with a known segment, evenly spread within each
/// segment; every segment keeps at least min(size, 300) rows so small ones stay
/// visible. Deterministic. Returned in a fixed pseudo-random order so no
/// segment is systematically drawn on top of the others.
pub(super) fn stratified_sample(row_seg: &[u32], k: usize, max: usize) -> Vec<usize> {
    let mut count = vec![0usize; k];
    for &s in row_seg {
        if s != u32::MAX {
            count[s as usize] += 1;
        }
    }
    let known: usize = count.iter().sum();
    let quota: Vec<usize> = if known <= max {
        count.clone()
    } else {
        count
            .iter()
            .map(|&c| ((c as f64 * max as f64 / known as f64).round() as usize).max(c.min(300)))
            .collect()
    };
    let mut seen = vec![0usize; k];
    let mut out = Vec::with_capacity(quota.iter().sum());
    for (i, &s) in row_seg.iter().enumerate() {
        if s == u32::MAX {
            continue;
        }
        let s = s as usize;
        let (j, q, c) = (seen[s], quota[s], count[s]);
        // Bresenham-style: picks exactly q of the c rows, evenly spaced.
        if (j * q) / c != ((j + 1) * q) / c {
            out.push(i);
        }
        seen[s] += 1;
    }
    out.sort_by_key(|&i| mix64(i as u64));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_and_compact() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(1234567), "1,234,567");
        assert_eq!(compact(1500.0), "1.5k");
        assert_eq!(compact(950.0), "950");
        assert_eq!(compact(12_500.0), "12.5k");
        assert_eq!(compact(3_200_000.0), "3.2M");
        assert_eq!(compact(0.25), "0.25");
        assert_eq!(compact(-20_000.0), "-20k");
    }

    #[test]
    fn stratified_sample_keeps_small_segments_and_caps_total() {
        let mut row_seg = vec![0u32; 100_000];
        for s in row_seg.iter_mut().take(500) {
            *s = 1;
        }
        let got = stratified_sample(&row_seg, 2, 1000);
        let small = got.iter().filter(|&&i| row_seg[i] == 1).count();
        assert_eq!(small, 300);
        assert!(got.len() <= 1300, "{}", got.len());
        assert_eq!(got, stratified_sample(&row_seg, 2, 1000));
    }
}
