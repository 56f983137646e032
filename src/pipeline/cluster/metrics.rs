//! Cluster quality metrics, with scikit-learn's definitions and conventions:
//!
//! * silhouette: mean over rows of `(b − a) / max(a, b)`, `a` the mean
//!   distance to the other rows of its cluster, `b` the lowest mean distance
//!   to the rows of another cluster; a row alone in its cluster scores 0.
//!   Defined for 2 ≤ (non-empty clusters) ≤ rows − 1. Higher is better.
//! * Calinski–Harabasz: `[B / (L − 1)] / [W / (n − L)]` with `B` the
//!   between-cluster and `W` the within-cluster sum of squares, `L` the number
//!   of non-empty clusters. Defined for 2 ≤ L ≤ n − 1 and `W > 0` (scikit-learn
//!   returns 1.0 when `W = 0`; here it is `None`). Higher is better.
//! * Davies–Bouldin: mean over clusters of `max_{j≠i} (s_i + s_j) / ‖μ_i − μ_j‖`,
//!   `s_i` the mean distance of cluster `i`'s rows to its mean; coincident
//!   means are ignored (their ratio counts as 0), and 0 when all `s_i` or all
//!   mean distances are 0. Defined for L ≥ 2. Lower is better.
//!
//! Cluster means are recomputed from the labels. All sums are per chunk of
//! rows then in chunk order, so the values do not depend on the thread count.
//! Metric functions return `Ok(None)` where the metric is undefined and
//! `Err(Error::Usage)` when the labels do not fit the matrix.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::CHUNK_ROWS;
use super::kmeans::{has_avx2, sq_dist};
use crate::{Error, Result};

/// Stream of the silhouette sample's generator is `SILHOUETTE_STREAM + K`
/// (restarts of the fit use streams `0..n_init`).
pub const SILHOUETTE_STREAM: u64 = 1 << 32;

/// A silhouette value and whether it was computed on a sample.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SilhouetteScore {
    pub value: Option<f64>,
    /// True when computed on a stratified sample rather than on every row.
    pub sampled: bool,
    /// Rows the value was computed on.
    pub sample_size: usize,
}

fn check_labels(data: &[f64], n: usize, d: usize, labels: &[u32], k: usize) -> Result<()> {
    if d == 0 || n.checked_mul(d) != Some(data.len()) {
        return Err(Error::usage(format!(
            "matrix shape mismatch: {n} rows x {d} columns but {} values",
            data.len()
        )));
    }
    if labels.len() != n {
        return Err(Error::usage(format!(
            "{} labels for {n} rows",
            labels.len()
        )));
    }
    if let Some(&l) = labels.iter().find(|&&l| l as usize >= k) {
        return Err(Error::usage(format!("label {l} out of range for K={k}")));
    }
    Ok(())
}

/// Exact silhouette over every row (O(n² d), parallel over rows).
pub fn silhouette(
    data: &[f64],
    n: usize,
    d: usize,
    labels: &[u32],
    k: usize,
) -> Result<Option<f64>> {
    check_labels(data, n, d, labels, k)?;
    let groups = groups(labels, k);
    Ok(silhouette_groups(data, d, &groups))
}

/// Silhouette, exact when `n <= sample_size`, otherwise exact on a sample of
/// `sample_size` rows stratified by cluster (each cluster gets its
/// proportional share, largest remainders rounded up; rows drawn without
/// replacement from `ChaCha8Rng::seed_from_u64(seed)`, stream
/// `SILHOUETTE_STREAM + k`).
pub fn silhouette_sampled(
    data: &[f64],
    n: usize,
    d: usize,
    labels: &[u32],
    k: usize,
    sample_size: usize,
    seed: u64,
) -> Result<SilhouetteScore> {
    check_labels(data, n, d, labels, k)?;
    let mut groups = groups(labels, k);
    if n <= sample_size {
        return Ok(SilhouetteScore {
            value: silhouette_groups(data, d, &groups),
            sampled: false,
            sample_size: n,
        });
    }
    let m = sample_size;
    // Proportional quotas with exact integer arithmetic.
    let mut quota: Vec<usize> = groups.iter().map(|g| g.len() * m / n).collect();
    let mut short = m - quota.iter().sum::<usize>();
    let mut order: Vec<usize> = (0..k).collect();
    order.sort_by_key(|&c| (std::cmp::Reverse((groups[c].len() * m) % n), c));
    for &c in order.iter().cycle().take(k * 2) {
        if short == 0 {
            break;
        }
        if quota[c] < groups[c].len() {
            quota[c] += 1;
            short -= 1;
        }
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(SILHOUETTE_STREAM + k as u64);
    for (g, &q) in groups.iter_mut().zip(&quota) {
        for i in 0..q {
            let j = rng.random_range(i as u64..g.len() as u64) as usize;
            g.swap(i, j);
        }
        g.truncate(q);
        g.sort_unstable();
    }
    Ok(SilhouetteScore {
        value: silhouette_groups(data, d, &groups),
        sampled: true,
        sample_size: m,
    })
}

/// Row indices of each cluster, ascending.
fn groups(labels: &[u32], k: usize) -> Vec<Vec<usize>> {
    let mut g = vec![Vec::new(); k];
    for (i, &l) in labels.iter().enumerate() {
        g[l as usize].push(i);
    }
    g
}

/// Exact silhouette of the rows listed in `groups` (one list per cluster).
fn silhouette_groups(data: &[f64], d: usize, groups: &[Vec<usize>]) -> Option<f64> {
    let groups: Vec<&Vec<usize>> = groups.iter().filter(|g| !g.is_empty()).collect();
    let m: usize = groups.iter().map(|g| g.len()).sum();
    let l = groups.len();
    if l < 2 || l + 1 > m {
        return None;
    }
    // Column-major copy, rows grouped by cluster.
    let mut cols = vec![0.0; m * d];
    let mut ranges = Vec::with_capacity(l);
    let mut pos = 0;
    for g in &groups {
        let start = pos;
        for &i in g.iter() {
            for j in 0..d {
                cols[j * m + pos] = data[i * d + j];
            }
            pos += 1;
        }
        ranges.push((start, pos));
    }
    let mut s = vec![0.0; m];
    s.par_chunks_mut(64).enumerate().for_each(|(c, out)| {
        let mut xp = vec![0.0; d];
        let mut sums = vec![0.0; l];
        for (o, p) in out.iter_mut().zip(c * 64..) {
            for (j, v) in xp.iter_mut().enumerate() {
                *v = cols[j * m + p];
            }
            dist_sums(&cols, m, &xp, &ranges, &mut sums);
            let own = ranges
                .iter()
                .position(|&(a, b)| a <= p && p < b)
                .unwrap_or(0);
            let n_own = ranges[own].1 - ranges[own].0;
            *o = if n_own <= 1 {
                0.0
            } else {
                let a = sums[own] / (n_own - 1) as f64;
                let mut b = f64::INFINITY;
                for (c2, (&sum, &(s0, s1))) in sums.iter().zip(&ranges).enumerate() {
                    if c2 != own {
                        let v = sum / (s1 - s0) as f64;
                        if v < b {
                            b = v;
                        }
                    }
                }
                let den = if a > b { a } else { b };
                if den > 0.0 { (b - a) / den } else { 0.0 }
            };
        }
    });
    Some(s.iter().fold(0.0, |a, &v| a + v) / m as f64)
}

/// For each range of columns, the sum of Euclidean distances to `xp`.
#[inline(always)]
fn dist_sums_impl(cols: &[f64], m: usize, xp: &[f64], ranges: &[(usize, usize)], sums: &mut [f64]) {
    const L: usize = 8;
    for (sum, &(start, end)) in sums.iter_mut().zip(ranges) {
        let mut lanes = [0.0; L];
        let mut q = start;
        while q + L <= end {
            let mut acc = [0.0; L];
            for (j, &xf) in xp.iter().enumerate() {
                let col: &[f64; L] = cols[j * m + q..j * m + q + L].try_into().unwrap();
                for l in 0..L {
                    let t = xf - col[l];
                    acc[l] += t * t;
                }
            }
            for l in 0..L {
                lanes[l] += acc[l].sqrt();
            }
            q += L;
        }
        let mut tail = 0.0;
        for q in q..end {
            let mut a = 0.0;
            for (j, &xf) in xp.iter().enumerate() {
                let t = xf - cols[j * m + q];
                a += t * t;
            }
            tail += a.sqrt();
        }
        *sum = ((lanes[0] + lanes[4]) + (lanes[1] + lanes[5]))
            + ((lanes[2] + lanes[6]) + (lanes[3] + lanes[7]))
            + tail;
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn dist_sums_avx2(cols: &[f64], m: usize, xp: &[f64], ranges: &[(usize, usize)], sums: &mut [f64]) {
    dist_sums_impl(cols, m, xp, ranges, sums)
}

fn dist_sums(cols: &[f64], m: usize, xp: &[f64], ranges: &[(usize, usize)], sums: &mut [f64]) {
    #[cfg(target_arch = "x86_64")]
    if has_avx2() {
        // SAFETY: the CPU supports AVX2 (checked at run time just above).
        return unsafe { dist_sums_avx2(cols, m, xp, ranges, sums) };
    }
    dist_sums_impl(cols, m, xp, ranges, sums)
}

/// Per-cluster sums (`k × d`) and counts from the labels, in chunk order.
fn cluster_sums(data: &[f64], d: usize, labels: &[u32], k: usize) -> (Vec<f64>, Vec<usize>) {
    let parts = data
        .par_chunks(CHUNK_ROWS * d)
        .zip(labels.par_chunks(CHUNK_ROWS))
        .map(|(x, lab)| {
            let mut s = vec![0.0; k * d];
            let mut c = vec![0usize; k];
            for (row, &l) in x.chunks_exact(d).zip(lab) {
                let l = l as usize;
                c[l] += 1;
                for (a, &v) in s[l * d..(l + 1) * d].iter_mut().zip(row) {
                    *a += v;
                }
            }
            (s, c)
        })
        .collect::<Vec<_>>();
    let mut sums = vec![0.0; k * d];
    let mut counts = vec![0usize; k];
    for (s, c) in &parts {
        for (a, &v) in sums.iter_mut().zip(s) {
            *a += v;
        }
        for (a, &v) in counts.iter_mut().zip(c) {
            *a += v;
        }
    }
    (sums, counts)
}

/// Cluster means (zero for empty clusters) and counts.
fn cluster_means(data: &[f64], d: usize, labels: &[u32], k: usize) -> (Vec<f64>, Vec<usize>) {
    let (mut sums, counts) = cluster_sums(data, d, labels, k);
    for (row, &c) in sums.chunks_exact_mut(d).zip(&counts) {
        if c > 0 {
            for v in row.iter_mut() {
                *v /= c as f64;
            }
        }
    }
    (sums, counts)
}

/// Sum over rows of `f(row, label)`, per chunk then in chunk order.
fn sum_rows(
    data: &[f64],
    d: usize,
    labels: &[u32],
    f: impl Fn(&[f64], usize) -> f64 + Sync,
) -> f64 {
    data.par_chunks(CHUNK_ROWS * d)
        .zip(labels.par_chunks(CHUNK_ROWS))
        .map(|(x, lab)| {
            x.chunks_exact(d)
                .zip(lab)
                .fold(0.0, |a, (row, &l)| a + f(row, l as usize))
        })
        .collect::<Vec<f64>>()
        .iter()
        .fold(0.0, |a, &v| a + v)
}

/// Calinski–Harabasz index (variance ratio criterion).
pub fn calinski_harabasz(
    data: &[f64],
    n: usize,
    d: usize,
    labels: &[u32],
    k: usize,
) -> Result<Option<f64>> {
    check_labels(data, n, d, labels, k)?;
    let (means, counts) = cluster_means(data, d, labels, k);
    let l = counts.iter().filter(|&&c| c > 0).count();
    if l < 2 || l >= n {
        return Ok(None);
    }
    let overall: Vec<f64> = super::kmeans::column_sums(data, d)
        .into_iter()
        .map(|s| s / n as f64)
        .collect();
    let mut between = 0.0;
    for (mu, &c) in means.chunks_exact(d).zip(&counts) {
        if c > 0 {
            between += c as f64 * sq_dist(mu, &overall);
        }
    }
    let within = sum_rows(data, d, labels, |row, l| {
        sq_dist(row, &means[l * d..(l + 1) * d])
    });
    if within <= 0.0 {
        return Ok(None);
    }
    Ok(Some(between * (n - l) as f64 / (within * (l - 1) as f64)))
}

/// Davies–Bouldin index.
pub fn davies_bouldin(
    data: &[f64],
    n: usize,
    d: usize,
    labels: &[u32],
    k: usize,
) -> Result<Option<f64>> {
    check_labels(data, n, d, labels, k)?;
    let (means, counts) = cluster_means(data, d, labels, k);
    let live: Vec<usize> = (0..k).filter(|&c| counts[c] > 0).collect();
    if live.len() < 2 {
        return Ok(None);
    }
    // Mean distance of each cluster's rows to its mean, per chunk in order.
    let parts = data
        .par_chunks(CHUNK_ROWS * d)
        .zip(labels.par_chunks(CHUNK_ROWS))
        .map(|(x, lab)| {
            let mut s = vec![0.0; k];
            for (row, &l) in x.chunks_exact(d).zip(lab) {
                let l = l as usize;
                s[l] += sq_dist(row, &means[l * d..(l + 1) * d]).sqrt();
            }
            s
        })
        .collect::<Vec<_>>();
    let mut scatter = vec![0.0; k];
    for s in &parts {
        for (a, &v) in scatter.iter_mut().zip(s) {
            *a += v;
        }
    }
    for (s, &c) in scatter.iter_mut().zip(&counts) {
        if c > 0 {
            *s /= c as f64;
        }
    }
    let centroid_dist =
        |a: usize, b: usize| sq_dist(&means[a * d..(a + 1) * d], &means[b * d..(b + 1) * d]).sqrt();
    let all_scatter_zero = live.iter().all(|&c| scatter[c] == 0.0);
    let all_dist_zero = live
        .iter()
        .all(|&a| live.iter().all(|&b| centroid_dist(a, b) == 0.0));
    if all_scatter_zero || all_dist_zero {
        return Ok(Some(0.0));
    }
    let mut total = 0.0;
    for &a in &live {
        let mut worst: f64 = 0.0;
        for &b in &live {
            let dist = centroid_dist(a, b);
            if b != a && dist > 0.0 {
                worst = worst.max((scatter[a] + scatter[b]) / dist);
            }
        }
        total += worst;
    }
    Ok(Some(total / live.len() as f64))
}
