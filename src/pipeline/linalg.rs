//! The two kernels of the wide-table statistics (correlation, PCA): a dot
//! product and `y += a·x`, with a fixed summation order (eight independent
//! sums, then a fixed tree), so results do not depend on the machine's
//! vector width or on the number of threads. An AVX2 build of the same
//! code runs where the CPU has it (no FMA: the same bits either way).

use std::borrow::Cow;

use ndarray::ArrayView2;

use super::simd::avx2_dispatch;

/// The rows of `x` as one row-major slice, for kernels that walk contiguous
/// rows: borrowed when `x` is in standard layout (as every feature matrix
/// and centre matrix here is), copied otherwise.
pub fn row_major<'a>(x: &ArrayView2<'a, f64>) -> Cow<'a, [f64]> {
    match x.to_slice() {
        Some(rows) => Cow::Borrowed(rows),
        None => Cow::Owned(x.iter().copied().collect()),
    }
}

avx2_dispatch! {
    /// Σ aᵢ·bᵢ over the common length.
    #[inline]
    pub fn dot(a: &[f64], b: &[f64]) -> f64 = dot_impl;
}

avx2_dispatch! {
    /// y += a · x over the common length.
    #[inline]
    pub fn axpy(y: &mut [f64], a: f64, x: &[f64]) = axpy_impl;
}

#[inline(always)]
fn dot_impl(a: &[f64], b: &[f64]) -> f64 {
    let len = a.len().min(b.len());
    let (a, b) = (&a[..len], &b[..len]);
    let mut acc = [0.0f64; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let tail: f64 = ca
        .remainder()
        .iter()
        .zip(cb.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (x, y) in ca.zip(cb) {
        for l in 0..8 {
            acc[l] += x[l] * y[l];
        }
    }
    let pairs = [
        acc[0] + acc[4],
        acc[1] + acc[5],
        acc[2] + acc[6],
        acc[3] + acc[7],
    ];
    (pairs[0] + pairs[2]) + (pairs[1] + pairs[3]) + tail
}

#[inline(always)]
fn axpy_impl(y: &mut [f64], a: f64, x: &[f64]) {
    for (yi, xi) in y.iter_mut().zip(x) {
        *yi += a * xi;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_and_axpy_match_the_plain_loops() {
        let a: Vec<f64> = (0..37).map(|i| (i as f64 * 0.37).sin()).collect();
        let b: Vec<f64> = (0..37).map(|i| (i as f64 * 0.11).cos()).collect();
        let plain: f64 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
        assert!((dot(&a, &b) - plain).abs() < 1e-12);
        assert_eq!(dot(&a, &b).to_bits(), dot_impl(&a, &b).to_bits());
        let mut y = b.clone();
        axpy(&mut y, 2.0, &a);
        for i in 0..37 {
            assert_eq!(y[i], b[i] + 2.0 * a[i]);
        }
    }
}
