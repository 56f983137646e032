//! Two-dimensional PCA of the standardised feature matrix, for the PCA chart.
//!
//! The covariance matrix is accumulated over fixed row chunks in parallel and
//! the partial sums are added in chunk order, so the result does not depend on
//! the number of threads. Its eigenvectors come from the cyclic Jacobi method,
//! which is exact enough for d ≤ a few dozen and has no convergence traps.

use rayon::prelude::*;

/// Rows per parallel chunk when accumulating the covariance. Fixed, so the
/// floating-point summation order is the same on every machine.
const CHUNK_ROWS: usize = 8192;

/// Projects the row-major `n × d` matrix `data` (already standardised; the
/// columns are centred again here so small drifts do not matter) onto its
/// first two principal components.
///
/// Returns one `[pc1, pc2]` pair per row and the share of the total variance
/// each component explains. Each component's sign is chosen so that its
/// largest-magnitude loading is positive (ties go to the first such feature).
/// Non-finite values count as 0 (the mean of a standardised column).
/// With `d == 1` the second component is all zeros; with `n == 0` or `d == 0`
/// the projection is empty and the ratios are zero.
pub fn pca_2d(data: &[f64], n: usize, d: usize) -> (Vec<[f64; 2]>, [f64; 2]) {
    assert_eq!(data.len(), n * d, "pca_2d: data is not n × d");
    if n == 0 || d == 0 {
        return (vec![[0.0, 0.0]; n], [0.0, 0.0]);
    }

    let mean = column_means(data, n, d);
    let cov = covariance(data, n, d, &mean);
    let (values, vectors) = jacobi_eigen(cov, d);

    // Order eigenpairs by eigenvalue, largest first (stable: ties keep index order).
    let mut order: Vec<usize> = (0..d).collect();
    order.sort_by(|&a, &b| values[b].total_cmp(&values[a]));
    let total: f64 = values.iter().map(|v| v.max(0.0)).sum();

    let mut axes = [vec![0.0; d], vec![0.0; d]];
    let mut ratio = [0.0; 2];
    for (c, axis) in axes.iter_mut().enumerate() {
        let Some(&k) = order.get(c) else { break };
        for (i, a) in axis.iter_mut().enumerate() {
            *a = vectors[i * d + k];
        }
        orient(axis);
        if total > 0.0 {
            ratio[c] = values[k].max(0.0) / total;
        }
    }

    let proj = data
        .par_chunks(d)
        .map(|row| {
            let mut p = [0.0; 2];
            for (c, axis) in axes.iter().enumerate() {
                p[c] = row
                    .iter()
                    .zip(&mean)
                    .zip(axis)
                    .map(|((&x, m), a)| (finite(x) - m) * a)
                    .sum();
            }
            p
        })
        .collect();
    (proj, ratio)
}

#[inline]
fn finite(x: f64) -> f64 {
    if x.is_finite() { x } else { 0.0 }
}

fn column_means(data: &[f64], n: usize, d: usize) -> Vec<f64> {
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
fn covariance(data: &[f64], n: usize, d: usize, mean: &[f64]) -> Vec<f64> {
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

    #[test]
    fn orient_makes_largest_positive() {
        let mut a = [0.1, -0.9, 0.3];
        orient(&mut a);
        assert_eq!(a, [-0.1, 0.9, -0.3]);
    }
}
