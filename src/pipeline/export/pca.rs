//! Two-dimensional PCA of the standardised feature matrix, for the PCA chart.
//!
//! Up to [`EXACT_MAX_D`] features the covariance matrix is accumulated and
//! decomposed by the cyclic Jacobi method: exact, no convergence traps, and
//! cheap at that size. Above it (a generic table with hundreds or thousands
//! of columns) Jacobi's d³ work per sweep would take minutes or hours, so
//! the top components come from block subspace iteration on the centred
//! data itself: a small block of [`BLOCK`] directions is multiplied by Xᵀ X
//! (as Xᵀ (X Q), never forming the d × d matrix) and re-orthonormalised
//! until the two leading Ritz values settle. The work is O(n · d · BLOCK)
//! per iteration and memory O((n + d) · BLOCK).
//!
//! Sums over rows are taken over fixed row chunks in parallel and added in
//! chunk order, so the result does not depend on the number of threads.

use crate::pipeline::linalg::{axpy, dot, row_major};
use ndarray::ArrayView2;
use rayon::prelude::*;

/// Rows per parallel chunk when accumulating. Fixed, so the floating-point
/// summation order is the same on every machine.
const CHUNK_ROWS: usize = 8192;

/// Above this many features the subspace iteration replaces Jacobi.
pub const EXACT_MAX_D: usize = 64;

/// Directions iterated together: the two wanted plus oversampling, which
/// makes convergence depend on λ₂ / λ₉ rather than λ₂ / λ₃.
pub const BLOCK: usize = 8;

/// Most subspace iterations; the leading Ritz values usually settle in a
/// few dozen.
pub const MAX_ITERATIONS: usize = 100;

/// The iteration stops when the two leading Ritz values change by less
/// than this share of the largest: far below what a chart can show, and
/// reached in a few iterations unless the second component sits in a bulk
/// of equal eigenvalues (noise), where its direction is arbitrary anyway.
pub const TOLERANCE: f64 = 1e-9;

/// How the projection was computed and how much work it took.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PcaStats {
    /// Subspace iteration (true) or Jacobi on the covariance (false).
    pub iterative: bool,
    pub iterations: usize,
    /// Multiply-adds spent on the data (the covariance, or the products
    /// X Q and Xᵀ W), counted from the sizes.
    pub multiply_adds: u64,
}

/// Projects the `n × d` matrix `x` (already standardised; the
/// columns are centred again here so small drifts do not matter) onto its
/// first two principal components.
///
/// Returns one `[pc1, pc2]` pair per row and the share of the total variance
/// each component explains. Each component's sign is chosen so that its
/// largest-magnitude loading is positive (ties go to the first such feature).
/// Non-finite values count as 0 (the mean of a standardised column).
/// With `d == 1` the second component is all zeros; with `n == 0` or `d == 0`
/// the projection is empty and the ratios are zero.
pub fn pca_2d(x: ArrayView2<f64>) -> (Vec<[f64; 2]>, [f64; 2]) {
    let (proj, ratio, _) = pca_2d_with_stats(x);
    (proj, ratio)
}

/// The two principal axes of a matrix, to project any of its rows: on 10M
/// customers the projection of every row is 160 MB, and the charts draw a
/// sample of them.
pub struct Pca2 {
    mean: Vec<f64>,
    axes: [Vec<f64>; 2],
    /// The share of the total variance each component explains.
    pub ratio: [f64; 2],
}

impl Pca2 {
    /// The axes of `x` (see [`pca_2d`] for the conventions).
    pub fn fit(x: ArrayView2<f64>) -> Pca2 {
        let d = x.ncols();
        if x.nrows() == 0 || d == 0 {
            return Pca2 {
                mean: vec![0.0; d],
                axes: [vec![0.0; d], vec![0.0; d]],
                ratio: [0.0; 2],
            };
        }
        let (mean, axes, ratio, _) = fit_axes(x);
        Pca2 { mean, axes, ratio }
    }

    /// `[pc1, pc2]` of one row of the fitted matrix's width.
    pub fn project_row(&self, row: &[f64]) -> [f64; 2] {
        project_one(row, &self.mean, &self.axes)
    }
}

/// [`pca_2d`] with what it cost.
pub fn pca_2d_with_stats(x: ArrayView2<f64>) -> (Vec<[f64; 2]>, [f64; 2], PcaStats) {
    let (n, d) = x.dim();
    if n == 0 || d == 0 {
        let stats = PcaStats {
            iterative: false,
            iterations: 0,
            multiply_adds: 0,
        };
        return (vec![[0.0, 0.0]; n], [0.0, 0.0], stats);
    }
    let (mean, axes, ratio, stats) = fit_axes(x);
    let x = x.as_standard_layout();
    let data = &*row_major(&x.view());
    (project(data, d, &mean, &axes), ratio, stats)
}

/// The column means, the two axes, their shares of the variance and the
/// cost, for a matrix with rows and columns.
fn fit_axes(x: ArrayView2<f64>) -> (Vec<f64>, [Vec<f64>; 2], [f64; 2], PcaStats) {
    let mut stats = PcaStats {
        iterative: false,
        iterations: 0,
        multiply_adds: 0,
    };
    let (n, d) = x.dim();
    // Contiguous rows for the kernels below (a copy only for another layout).
    let x = x.as_standard_layout();
    let x = x.view();
    let mean = column_means(x);
    let (axes, values, total) = if d <= EXACT_MAX_D {
        stats.multiply_adds = (n * d * (d + 1) / 2) as u64;
        exact_axes(x, &mean)
    } else {
        stats.iterative = true;
        subspace_axes(x, &mean, &mut stats)
    };
    let mut ratio = [0.0; 2];
    if total > 0.0 {
        for (r, v) in ratio.iter_mut().zip(values) {
            *r = v.max(0.0) / total;
        }
    }
    (mean, axes, ratio, stats)
}

/// The column means and every principal axis (row `c` of the returned
/// row-major `d × d` matrix is axis `c`, largest variance first), by Jacobi;
/// `None` above [`EXACT_MAX_D`] features, where that would be too slow.
/// For the gap statistic's reference box (`pipeline::trust::gap`).
pub(crate) fn all_axes(x: ArrayView2<f64>) -> Option<(Vec<f64>, Vec<f64>)> {
    let d = x.ncols();
    if d == 0 || d > EXACT_MAX_D || x.nrows() == 0 {
        return None;
    }
    let x = x.as_standard_layout();
    let mean = column_means(x.view());
    let (values, vectors) = jacobi_eigen(covariance(x.view(), &mean), d);
    let order = descending(&values);
    let mut axes = vec![0.0; d * d];
    for (c, &k) in order.iter().enumerate() {
        let axis = &mut axes[c * d..(c + 1) * d];
        for (i, a) in axis.iter_mut().enumerate() {
            *a = vectors[i * d + k];
        }
        orient(axis);
    }
    Some((mean, axes))
}

/// The two axes, their eigenvalues and the total variance, by Jacobi.
fn exact_axes(x: ArrayView2<f64>, mean: &[f64]) -> ([Vec<f64>; 2], [f64; 2], f64) {
    let d = x.ncols();
    let cov = covariance(x, mean);
    let (values, vectors) = jacobi_eigen(cov, d);
    // Order eigenpairs by eigenvalue, largest first (stable: ties keep index order).
    let mut order: Vec<usize> = (0..d).collect();
    order.sort_by(|&a, &b| values[b].total_cmp(&values[a]));
    let total: f64 = values.iter().map(|v| v.max(0.0)).sum();
    let mut axes = [vec![0.0; d], vec![0.0; d]];
    let mut top = [0.0; 2];
    for (c, axis) in axes.iter_mut().enumerate() {
        let Some(&k) = order.get(c) else { break };
        for (i, a) in axis.iter_mut().enumerate() {
            *a = vectors[i * d + k];
        }
        orient(axis);
        top[c] = values[k];
    }
    (axes, top, total)
}

fn project(data: &[f64], d: usize, mean: &[f64], axes: &[Vec<f64>; 2]) -> Vec<[f64; 2]> {
    data.par_chunks(d)
        .map(|row| project_one(row, mean, axes))
        .collect()
}

fn project_one(row: &[f64], mean: &[f64], axes: &[Vec<f64>; 2]) -> [f64; 2] {
    let mut p = [0.0; 2];
    for (c, axis) in axes.iter().enumerate() {
        p[c] = row
            .iter()
            .zip(mean)
            .zip(axis)
            .map(|((&x, m), a)| (finite(x) - m) * a)
            .sum();
    }
    p
}

// ---------------------------------------------------------------------------
// Subspace iteration

/// The two axes, their eigenvalues (of the covariance) and the total
/// variance, by block subspace iteration with Rayleigh–Ritz.
fn subspace_axes(
    x: ArrayView2<f64>,
    mean: &[f64],
    stats: &mut PcaStats,
) -> ([Vec<f64>; 2], [f64; 2], f64) {
    let ((n, d), data) = (x.dim(), &*row_major(&x));
    let p = BLOCK.min(d);
    let denom = (n.max(2) - 1) as f64;
    let total = total_variance(data, d, mean) / denom;
    // Column-major d × p basis, seeded deterministically.
    let mut q: Vec<f64> = (0..d * p).map(|i| seeded_unit(i as u64)).collect();
    orthonormalise(&mut q, d, p);
    let mut previous = [f64::NAN; 2];
    let mut ritz = (vec![0.0; p], vec![0.0; p * p]);
    for it in 0..MAX_ITERATIONS {
        stats.iterations = it + 1;
        // W = Xc Q (n × p), T = Wᵀ W = Qᵀ (Xcᵀ Xc) Q (p × p).
        let w = times_basis(x, mean, &q, p);
        stats.multiply_adds += (2 * n * d * p) as u64;
        let t = gram(&w, n, p);
        let (values, vectors) = jacobi_eigen(t, p);
        let order = descending(&values);
        let top = [values[order[0]], values[order[1]]];
        let settled =
            (0..2).all(|c| (top[c] - previous[c]).abs() <= TOLERANCE * top[0].max(1e-300));
        previous = top;
        ritz = (values, vectors);
        // The Ritz vectors U = Q V; the next basis spans Xcᵀ Xc U = Xcᵀ (W V).
        let u = rotate_columns(&q, d, p, &ritz.1, &order);
        if settled || it + 1 == MAX_ITERATIONS {
            q = u;
            break;
        }
        let wv = rotate_rows(&w, p, &ritz.1, &order);
        q = transpose_times(data, d, mean, &wv, p);
        orthonormalise(&mut q, d, p);
    }
    let order = descending(&ritz.0);
    let mut axes = [vec![0.0; d], vec![0.0; d]];
    let mut top = [0.0; 2];
    for c in 0..2.min(p) {
        axes[c].copy_from_slice(&q[c * d..(c + 1) * d]);
        orient(&mut axes[c]);
        top[c] = ritz.0[order[c]] / denom;
    }
    (axes, top, total)
}

/// Indices of `values`, largest first (ties keep index order).
fn descending(values: &[f64]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[b].total_cmp(&values[a]));
    order
}

/// A deterministic pseudo-random number in [-1, 1) (SplitMix64).
fn seeded_unit(i: u64) -> f64 {
    let mut z = i
        .wrapping_add(0x9E37_79B9_7F4A_7C15)
        .wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 30)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 52) as f64 - 1.0
}

/// Σ over rows of the squared centred values: the trace of Xcᵀ Xc.
fn total_variance(data: &[f64], d: usize, mean: &[f64]) -> f64 {
    let partial: Vec<f64> = data
        .par_chunks(CHUNK_ROWS * d)
        .map(|chunk| {
            chunk
                .chunks_exact(d)
                .map(|row| {
                    row.iter()
                        .zip(mean)
                        .map(|(&x, m)| (finite(x) - m) * (finite(x) - m))
                        .sum::<f64>()
                })
                .sum()
        })
        .collect();
    partial.iter().sum()
}

/// Row `row` minus the means, non-finite values as 0, into `out`.
fn centre_into(out: &mut [f64], row: &[f64], mean: &[f64]) {
    for ((o, &x), m) in out.iter_mut().zip(row).zip(mean) {
        *o = finite(x) - m;
    }
}

/// Xc Q for a column-major d × p basis: row-major n × p.
fn times_basis(x: ArrayView2<f64>, mean: &[f64], q: &[f64], p: usize) -> Vec<f64> {
    let ((n, d), data) = (x.dim(), &*row_major(&x));
    let mut w = vec![0.0; n * p];
    w.par_chunks_mut(CHUNK_ROWS * p)
        .zip(data.par_chunks(CHUNK_ROWS * d))
        .for_each(|(out, rows)| {
            let mut centred = vec![0.0; d];
            for (o, row) in out.chunks_exact_mut(p).zip(rows.chunks_exact(d)) {
                centre_into(&mut centred, row, mean);
                for (c, v) in o.iter_mut().enumerate() {
                    *v = dot(&centred, &q[c * d..(c + 1) * d]);
                }
            }
        });
    w
}

/// Xcᵀ W for a row-major n × p matrix W: a column-major d × p basis,
/// summed over row chunks in chunk order.
fn transpose_times(data: &[f64], d: usize, mean: &[f64], w: &[f64], p: usize) -> Vec<f64> {
    let partial: Vec<Vec<f64>> = data
        .par_chunks(CHUNK_ROWS * d)
        .zip(w.par_chunks(CHUNK_ROWS * p))
        .map(|(chunk, wc)| {
            let mut acc = vec![0.0; d * p];
            let mut centred = vec![0.0; d];
            for (row, wr) in chunk.chunks_exact(d).zip(wc.chunks_exact(p)) {
                centre_into(&mut centred, row, mean);
                for (c, &wv) in wr.iter().enumerate() {
                    axpy(&mut acc[c * d..(c + 1) * d], wv, &centred);
                }
            }
            acc
        })
        .collect();
    let mut out = vec![0.0; d * p];
    for acc in &partial {
        for (o, a) in out.iter_mut().zip(acc) {
            *o += a;
        }
    }
    out
}

/// Wᵀ W for a row-major n × p matrix: p × p row-major.
fn gram(w: &[f64], n: usize, p: usize) -> Vec<f64> {
    let mut t = vec![0.0; p * p];
    for row in w.chunks_exact(p).take(n) {
        for i in 0..p {
            for j in i..p {
                t[i * p + j] += row[i] * row[j];
            }
        }
    }
    for i in 0..p {
        for j in 0..i {
            t[i * p + j] = t[j * p + i];
        }
    }
    t
}

/// A column-major `rows × p` basis times the eigenvectors taken in `order`
/// (column c of the result is Σₖ m[:, k] · v[k, order[c]]).
fn rotate_columns(m: &[f64], rows: usize, p: usize, vectors: &[f64], order: &[usize]) -> Vec<f64> {
    let mut out = vec![0.0; rows * p];
    for (c, &oc) in order.iter().enumerate() {
        let dst = &mut out[c * rows..(c + 1) * rows];
        for k in 0..p {
            let v = vectors[k * p + oc];
            for (o, x) in dst.iter_mut().zip(&m[k * rows..(k + 1) * rows]) {
                *o += x * v;
            }
        }
    }
    out
}

/// A row-major `rows × p` matrix times the eigenvectors taken in `order`.
fn rotate_rows(m: &[f64], p: usize, vectors: &[f64], order: &[usize]) -> Vec<f64> {
    let mut out = vec![0.0; m.len()];
    for (src, dst) in m.chunks_exact(p).zip(out.chunks_exact_mut(p)) {
        for (c, &oc) in order.iter().enumerate() {
            dst[c] = (0..p).map(|k| src[k] * vectors[k * p + oc]).sum();
        }
    }
    out
}

/// Modified Gram–Schmidt, twice, on a column-major `d × p` basis. A column
/// that vanishes (the data has fewer than p directions) is replaced by a
/// fresh seeded direction, so the basis always stays orthonormal.
fn orthonormalise(q: &mut [f64], d: usize, p: usize) {
    for c in 0..p {
        for attempt in 0..4u64 {
            let before = norm(&q[c * d..(c + 1) * d]);
            for _ in 0..2 {
                for k in 0..c {
                    let (done, rest) = q.split_at_mut(c * d);
                    let prev = &done[k * d..(k + 1) * d];
                    let col = &mut rest[..d];
                    let dot: f64 = prev.iter().zip(col.iter()).map(|(a, b)| a * b).sum();
                    for (x, a) in col.iter_mut().zip(prev) {
                        *x -= dot * a;
                    }
                }
            }
            let col = &mut q[c * d..(c + 1) * d];
            let len = norm(col);
            if len > 1e-10 * before.max(f64::MIN_POSITIVE) && len > 0.0 {
                col.iter_mut().for_each(|x| *x /= len);
                break;
            }
            let seed = ((c as u64) << 32) ^ (attempt + 1) << 48;
            for (i, x) in col.iter_mut().enumerate() {
                *x = seeded_unit(seed + i as u64);
            }
        }
    }
}

fn norm(v: &[f64]) -> f64 {
    v.iter().map(|x| x * x).sum::<f64>().sqrt()
}

#[inline]
fn finite(x: f64) -> f64 {
    if x.is_finite() { x } else { 0.0 }
}

fn column_means(x: ArrayView2<f64>) -> Vec<f64> {
    let ((n, d), data) = (x.dim(), &*row_major(&x));
    let partial: Vec<Vec<f64>> = data
        .par_chunks(CHUNK_ROWS * d)
        .map(|chunk| {
            let mut s = vec![0.0; d];
            for row in chunk.chunks_exact(d) {
                for (acc, &x) in s.iter_mut().zip(row) {
                    *acc += finite(x);
                }
            }
            s
        })
        .collect();
    let mut mean = vec![0.0; d];
    for s in &partial {
        for (m, x) in mean.iter_mut().zip(s) {
            *m += x;
        }
    }
    mean.iter_mut().for_each(|m| *m /= n as f64);
    mean
}

/// Sample covariance (divided by n − 1, or 1 when n == 1), row-major d × d.
fn covariance(x: ArrayView2<f64>, mean: &[f64]) -> Vec<f64> {
    let ((n, d), data) = (x.dim(), &*row_major(&x));
    let partial: Vec<Vec<f64>> = data
        .par_chunks(CHUNK_ROWS * d)
        .map(|chunk| {
            let mut s = vec![0.0; d * d];
            let mut centred = vec![0.0; d];
            for row in chunk.chunks_exact(d) {
                for ((c, &x), m) in centred.iter_mut().zip(row).zip(mean) {
                    *c = finite(x) - m;
                }
                for i in 0..d {
                    let ci = centred[i];
                    let out = &mut s[i * d..i * d + d];
                    // Upper triangle only; mirrored below.
                    for j in i..d {
                        out[j] += ci * centred[j];
                    }
                }
            }
            s
        })
        .collect();
    let mut cov = vec![0.0; d * d];
    for s in &partial {
        for (c, x) in cov.iter_mut().zip(s) {
            *c += x;
        }
    }
    let denom = (n.max(2) - 1) as f64;
    for i in 0..d {
        for j in i..d {
            let v = cov[i * d + j] / denom;
            cov[i * d + j] = v;
            cov[j * d + i] = v;
        }
    }
    cov
}

/// Cyclic Jacobi eigen-decomposition of a symmetric d × d matrix.
/// Returns (eigenvalues, eigenvectors as the columns of a row-major matrix).
fn jacobi_eigen(mut a: Vec<f64>, d: usize) -> (Vec<f64>, Vec<f64>) {
    let mut v = vec![0.0; d * d];
    for i in 0..d {
        v[i * d + i] = 1.0;
    }
    let scale: f64 = a.iter().map(|x| x * x).sum::<f64>().sqrt();
    if scale == 0.0 {
        return ((0..d).map(|_| 0.0).collect(), v);
    }
    for _sweep in 0..100 {
        let off: f64 = (0..d)
            .flat_map(|i| (0..d).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| a[i * d + j] * a[i * d + j])
            .sum::<f64>()
            .sqrt();
        if off <= 1e-14 * scale {
            break;
        }
        for p in 0..d {
            for q in p + 1..d {
                let apq = a[p * d + q];
                if apq.abs() <= 1e-300 {
                    continue;
                }
                let app = a[p * d + p];
                let aqq = a[q * d + q];
                let theta = (aqq - app) / (2.0 * apq);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                // A' = Jᵀ A J, rotating rows/columns p and q.
                for k in 0..d {
                    let akp = a[k * d + p];
                    let akq = a[k * d + q];
                    a[k * d + p] = c * akp - s * akq;
                    a[k * d + q] = s * akp + c * akq;
                }
                for k in 0..d {
                    let apk = a[p * d + k];
                    let aqk = a[q * d + k];
                    a[p * d + k] = c * apk - s * aqk;
                    a[q * d + k] = s * apk + c * aqk;
                }
                for k in 0..d {
                    let vkp = v[k * d + p];
                    let vkq = v[k * d + q];
                    v[k * d + p] = c * vkp - s * vkq;
                    v[k * d + q] = s * vkp + c * vkq;
                }
            }
        }
    }
    ((0..d).map(|i| a[i * d + i]).collect(), v)
}

/// Flip `axis` so its largest-magnitude component is positive.
fn orient(axis: &mut [f64]) {
    let mut best = 0;
    for (i, x) in axis.iter().enumerate() {
        if x.abs() > axis[best].abs() + 1e-12 {
            best = i;
        }
    }
    if axis.get(best).is_some_and(|&x| x < 0.0) {
        axis.iter_mut().for_each(|x| *x = -*x);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jacobi_recovers_known_eigenpairs() {
        // [[2,1],[1,2]] has eigenvalues 3 and 1, vectors (1,1)/√2 and (1,-1)/√2.
        let (vals, vecs) = jacobi_eigen(vec![2.0, 1.0, 1.0, 2.0], 2);
        let mut vals = vals;
        vals.sort_by(f64::total_cmp);
        assert!((vals[0] - 1.0).abs() < 1e-12 && (vals[1] - 3.0).abs() < 1e-12);
        for v in &vecs {
            assert!((v.abs() - std::f64::consts::FRAC_1_SQRT_2).abs() < 1e-12);
        }
    }

    /// n × d rows: two planted directions with variances 9 and 4 plus
    /// small noise, in a basis that mixes every column.
    fn planted(n: usize, d: usize) -> (Vec<f64>, [Vec<f64>; 2]) {
        let unit = |seed: u64| {
            let v: Vec<f64> = (0..d as u64)
                .map(|i| seeded_unit(seed * 1_000_003 + i))
                .collect();
            let l = norm(&v);
            v.into_iter().map(|x| x / l).collect::<Vec<f64>>()
        };
        let a = unit(1);
        let mut b = unit(2);
        let dot: f64 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
        b.iter_mut().zip(&a).for_each(|(y, x)| *y -= dot * x);
        let l = norm(&b);
        b.iter_mut().for_each(|y| *y /= l);
        let mut data = Vec::with_capacity(n * d);
        for i in 0..n as u64 {
            let (s, t) = (
                3.0 * seeded_unit(7 * i) * 1.7,
                2.0 * seeded_unit(7 * i + 3) * 1.7,
            );
            for j in 0..d {
                data.push(s * a[j] + t * b[j] + 0.01 * seeded_unit(i * 7919 + j as u64 + 99));
            }
        }
        (data, [a, b])
    }

    #[test]
    fn subspace_iteration_agrees_with_jacobi() {
        let (n, d) = (300, 90);
        let (data, _) = planted(n, d);
        let x = ArrayView2::from_shape((n, d), &data).unwrap();
        let mean = column_means(x);
        let (exact, exact_values, exact_total) = exact_axes(x, &mean);
        let mut stats = PcaStats {
            iterative: true,
            iterations: 0,
            multiply_adds: 0,
        };
        let (axes, values, total) = subspace_axes(x, &mean, &mut stats);
        assert!((total - exact_total).abs() < 1e-9 * exact_total);
        for c in 0..2 {
            assert!(
                (values[c] - exact_values[c]).abs() < 1e-8 * exact_values[0],
                "{values:?} vs {exact_values:?}"
            );
            let cos: f64 = axes[c].iter().zip(&exact[c]).map(|(x, y)| x * y).sum();
            assert!(cos > 1.0 - 1e-9, "axis {c}: cos {cos}");
        }
        assert!(stats.iterations < MAX_ITERATIONS, "{stats:?}");
    }

    #[test]
    fn wide_tables_cost_linear_work_not_cubic() {
        // 200 customers × 1,000 features: Jacobi would spend ~30 d³ = 3·10¹⁰
        // multiply-adds; the subspace iteration is bounded by
        // 2 · n · d · BLOCK per iteration.
        let (n, d) = (200, 1000);
        let (data, planted_axes) = planted(n, d);
        let x = ArrayView2::from_shape((n, d), &data).unwrap();
        let (proj, ratio, stats) = pca_2d_with_stats(x);
        assert!(stats.iterative);
        let per_iteration = (2 * n * d * BLOCK) as u64;
        assert_eq!(stats.multiply_adds, per_iteration * stats.iterations as u64);
        assert!(stats.iterations <= 30, "{stats:?}");
        assert!(stats.multiply_adds < (d as u64).pow(3) / 10, "{stats:?}");
        assert_eq!(proj.len(), n);
        // The planted directions carry almost all of the variance, 9 : 4.
        assert!(ratio[0] + ratio[1] > 0.99, "{ratio:?}");
        assert!((ratio[0] / ratio[1] - 9.0 / 4.0).abs() < 0.5, "{ratio:?}");
        let _ = planted_axes;
    }

    #[test]
    fn rank_deficient_wide_data_stays_finite() {
        // Three rows, 200 columns: rank 2 after centring, fewer than BLOCK.
        let (n, d) = (3, 200);
        let data: Vec<f64> = (0..n * d).map(|i| ((i * 37) % 11) as f64).collect();
        let x = ArrayView2::from_shape((n, d), &data).unwrap();
        let (proj, ratio, stats) = pca_2d_with_stats(x);
        assert!(stats.iterative);
        assert!(proj.iter().flatten().all(|x| x.is_finite()));
        assert!((ratio[0] + ratio[1] - 1.0).abs() < 1e-9, "{ratio:?}");
    }

    #[test]
    fn orient_makes_largest_positive() {
        let mut a = [0.1, -0.9, 0.3];
        orient(&mut a);
        assert_eq!(a, [-0.1, 0.9, -0.3]);
    }
}
