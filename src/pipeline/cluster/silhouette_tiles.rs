//! The silhouette's pairwise-distance tiles, in `f32`.
//!
//! A tile is a block of rows (`is`) against a block of columns (`js`) of one
//! other or the same cluster; it returns each row's sum of distances to the
//! block and, when asked, adds each column's sum over the rows. With a few
//! features the work was bound by `f64`'s square root; `f32` gives 8 lanes
//! per AVX2 register and a root (`vsqrtps`) that keeps up with the
//! subtract-square-add of 7 features. (An `rsqrt` estimate with a Newton
//! step was slower here, and its bits differ between CPU makers.)
//!
//! Accuracy: the caller expresses both sides of a tile relative to the mean
//! of the columns' cluster (rows `x − μ`, columns `y − μ`, taken in `f64`
//! and rounded once), so a far-away cluster or a large offset costs no
//! precision; the distances then carry a relative error of a few `f32` ulps
//! (about 1e-7). Each row's sums run in 8 lanes of at most `BLOCK / 8`
//! terms, the columns' in `f64` after a pairwise sum over [`ROWS`] rows.
//!
//! The portable build and the AVX2 one ([`avx2`], explicit vectors) do the
//! same IEEE operations per lane in the same order, with no FMA, so they give
//! the same bits (unit test below): the silhouette does not depend on the CPU.

use crate::pipeline::simd::avx2_dispatch;

/// Rows per block of the tiles (a block never spans two clusters, so each
/// tile adds to one cluster sum per row).
pub(super) const BLOCK: usize = 128;
/// Rows measured together against each group of 8 columns: each column value
/// loaded serves all of them.
const ROWS: usize = 4;
/// Columns per step: one AVX2 register of `f32`.
const LANES: usize = 8;

/// Distances between the rows of `rows` (row-major, `d` values each) and the
/// rows `j0..j1` of the column-major `cols` (`m` rows per feature):
/// `row[i] = Σ_j ‖x_i − y_j‖` and, when given, `col[j] += Σ_i ‖x_i − y_j‖`.
/// Rows go [`ROWS`] at a time, the last ones one by one.
#[inline(always)]
fn each_row_group(
    rows: &[f32],
    d: usize,
    row: &mut [f64],
    mut col: Option<&mut [f64]>,
    mut group: impl FnMut(&[f32], &mut [f64], Option<&mut [f64]>),
) {
    let mut groups = rows.chunks_exact(ROWS * d);
    let mut out = row.chunks_exact_mut(ROWS);
    for (x, o) in (&mut groups).zip(&mut out) {
        group(x, o, col.as_deref_mut());
    }
    for (x, o) in groups.remainder().chunks_exact(d).zip(out.into_remainder()) {
        group(x, std::slice::from_mut(o), col.as_deref_mut());
    }
}

/// The portable build of [`tile_sums`].
fn tile_sums_portable(
    cols: &[f32],
    m: usize,
    d: usize,
    rows: &[f32],
    js: (usize, usize),
    row: &mut [f64],
    col: Option<&mut [f64]>,
) {
    each_row_group(rows, d, row, col, |x, out, col| match out.try_into() {
        Ok(o) => rows_against::<ROWS>(cols, m, d, x, js, o, col),
        Err(_) => rows_against::<1>(cols, m, d, x, js, one(out), col),
    });
}

/// A one-element slice as an array.
#[inline(always)]
fn one(out: &mut [f64]) -> &mut [f64; 1] {
    out.try_into().expect("one row")
}

/// Sums of the distances from the `R` rows `x` (row-major) to the rows
/// `j0..j1` of `cols`, into `out`; each column's sum over the `R` rows also
/// added to `col`, when given. Per lane: squares added in feature order from
/// 0, root, then the row's lane sum; the `R` roots summed as a balanced tree.
#[inline(always)]
fn rows_against<const R: usize>(
    cols: &[f32],
    m: usize,
    d: usize,
    x: &[f32],
    (j0, j1): (usize, usize),
    out: &mut [f64; R],
    mut col: Option<&mut [f64]>,
) {
    let mut lanes = [[0.0f32; LANES]; R];
    let mut q = j0;
    while q + LANES <= j1 {
        let mut acc = [[0.0f32; LANES]; R];
        for f in 0..d {
            let c: &[f32; LANES] = cols[f * m + q..f * m + q + LANES].try_into().unwrap();
            for r in 0..R {
                for l in 0..LANES {
                    let t = x[r * d + f] - c[l];
                    acc[r][l] += t * t;
                }
            }
        }
        for r in 0..R {
            for l in 0..LANES {
                acc[r][l] = acc[r][l].sqrt();
                lanes[r][l] += acc[r][l];
            }
        }
        if let Some(col) = col.as_deref_mut() {
            for l in 0..LANES {
                col[q - j0 + l] += f64::from(tree_sum(
                    std::array::from_fn::<_, R, _>(|r| acc[r][l]),
                    |a, b| a + b,
                ));
            }
        }
        q += LANES;
    }
    finish(cols, m, d, x, (q, j1), j0, &lanes, out, col);
}

/// Sum of `R` values (a power of two) as a balanced tree, `(a + b) + (c + d)`
/// for 4: fewer roundings in a row than one after another.
#[inline(always)]
fn tree_sum<T: Copy, const R: usize>(mut v: [T; R], add: impl Fn(T, T) -> T) -> T {
    let mut w = R;
    while w > 1 {
        w /= 2;
        for i in 0..w {
            v[i] = add(v[2 * i], v[2 * i + 1]);
        }
    }
    v[0]
}

/// The columns `q0..j1` left after the full groups of 8, one at a time, and
/// each row's total: its 8 lane sums in `f64` as a tree, plus those columns.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn finish<const R: usize>(
    cols: &[f32],
    m: usize,
    d: usize,
    x: &[f32],
    (q0, j1): (usize, usize),
    j0: usize,
    lanes: &[[f32; LANES]; R],
    out: &mut [f64; R],
    mut col: Option<&mut [f64]>,
) {
    let mut tail = [0.0f64; R];
    for q in q0..j1 {
        let dist: [f32; R] = std::array::from_fn(|r| {
            let mut a = 0.0f32;
            for f in 0..d {
                let t = x[r * d + f] - cols[f * m + q];
                a += t * t;
            }
            a.sqrt()
        });
        for r in 0..R {
            tail[r] += f64::from(dist[r]);
        }
        if let Some(col) = col.as_deref_mut() {
            col[q - j0] += f64::from(tree_sum(dist, |a, b| a + b));
        }
    }
    for r in 0..R {
        let v = lanes[r].map(f64::from);
        out[r] = ((v[0] + v[4]) + (v[1] + v[5])) + ((v[2] + v[6]) + (v[3] + v[7])) + tail[r];
    }
}

/// The AVX2 build of the tiles, with explicit 8-lane vectors doing per lane
/// exactly what the portable code does (no FMA), so both give the same bits.
#[cfg(target_arch = "x86_64")]
mod avx2 {
    use std::arch::x86_64::*;

    use super::{LANES, ROWS, each_row_group, finish, one, tree_sum};

    #[target_feature(enable = "avx2")]
    pub(super) fn tile_sums(
        cols: &[f32],
        m: usize,
        d: usize,
        rows: &[f32],
        js: (usize, usize),
        row: &mut [f64],
        col: Option<&mut [f64]>,
    ) {
        each_row_group(rows, d, row, col, |x, out, col| match out.try_into() {
            Ok(o) => rows_against::<ROWS>(cols, m, d, x, js, o, col),
            Err(_) => rows_against::<1>(cols, m, d, x, js, one(out), col),
        });
    }

    #[target_feature(enable = "avx2")]
    #[inline]
    fn rows_against<const R: usize>(
        cols: &[f32],
        m: usize,
        d: usize,
        x: &[f32],
        (j0, j1): (usize, usize),
        out: &mut [f64; R],
        mut col: Option<&mut [f64]>,
    ) {
        assert!(x.len() >= R * d && j1 <= m && cols.len() >= m * d);
        let mut lanes = [_mm256_setzero_ps(); R];
        let mut q = j0;
        while q + LANES <= j1 {
            let mut acc = [_mm256_setzero_ps(); R];
            for f in 0..d {
                // SAFETY: f * m + q + 8 <= (d - 1) * m + j1 <= cols.len(),
                // and r * d + f < R * d <= x.len() (asserted above).
                unsafe {
                    let c = _mm256_loadu_ps(cols.as_ptr().add(f * m + q));
                    for (r, a) in acc.iter_mut().enumerate() {
                        let xb = _mm256_broadcast_ss(&*x.as_ptr().add(r * d + f));
                        let t = _mm256_sub_ps(xb, c);
                        *a = _mm256_add_ps(*a, _mm256_mul_ps(t, t));
                    }
                }
            }
            for (a, s) in acc.iter_mut().zip(lanes.iter_mut()) {
                *a = _mm256_sqrt_ps(*a);
                *s = _mm256_add_ps(*s, *a);
            }
            if let Some(col) = col.as_deref_mut() {
                let s = tree_sum(acc, |a, b| _mm256_add_ps(a, b));
                let lo = _mm256_cvtps_pd(_mm256_castps256_ps128(s));
                let hi = _mm256_cvtps_pd(_mm256_extractf128_ps::<1>(s));
                let c = &mut col[q - j0..q - j0 + LANES];
                // SAFETY: `c` holds 8 values: 4 at offset 0 and 4 at offset 4.
                unsafe {
                    let p = c.as_mut_ptr();
                    _mm256_storeu_pd(p, _mm256_add_pd(_mm256_loadu_pd(p), lo));
                    _mm256_storeu_pd(p.add(4), _mm256_add_pd(_mm256_loadu_pd(p.add(4)), hi));
                }
            }
            q += LANES;
        }
        let mut sums = [[0.0f32; LANES]; R];
        for (s, v) in sums.iter_mut().zip(&lanes) {
            // SAFETY: `s` holds 8 values.
            unsafe { _mm256_storeu_ps(s.as_mut_ptr(), *v) };
        }
        finish(cols, m, d, x, (q, j1), j0, &sums, out, col);
    }
}

avx2_dispatch! {
    /// Distances between the rows of `rows` (row-major, `d` values each)
    /// and the rows `j0..j1` of the column-major `cols` (`m` rows per
    /// feature): `row[i] = Σ_j ‖x_i − y_j‖` and, when given,
    /// `col[j] += Σ_i ‖x_i − y_j‖`.
    pub(super) fn tile_sums(
        cols: &[f32],
        m: usize,
        d: usize,
        rows: &[f32],
        js: (usize, usize),
        row: &mut [f64],
        col: Option<&mut [f64]>,
    ) => avx2: avx2::tile_sums, portable: tile_sums_portable;
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reproducible values in [-3, 3), some repeated so distances of 0 occur.
    fn values(n: usize, seed: u64) -> Vec<f32> {
        let mut state = seed;
        (0..n)
            .map(|i| {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let v = ((state >> 40) as f32 / (1u64 << 24) as f32) * 6.0 - 3.0;
                if i % 11 == 3 { 0.5 } else { v }
            })
            .collect()
    }

    /// Row and column sums of a tile, from the plain definition in `f64`.
    fn plain(
        cols: &[f32],
        m: usize,
        d: usize,
        rows: &[f32],
        js: (usize, usize),
    ) -> (Vec<f64>, Vec<f64>) {
        let n = rows.len() / d;
        let (mut row, mut col) = (vec![0.0; n], vec![0.0; js.1 - js.0]);
        for i in 0..n {
            for j in js.0..js.1 {
                let sq: f64 = (0..d)
                    .map(|f| (f64::from(rows[i * d + f]) - f64::from(cols[f * m + j])).powi(2))
                    .sum();
                row[i] += sq.sqrt();
                col[j - js.0] += sq.sqrt();
            }
        }
        (row, col)
    }

    /// The AVX2 build (when the CPU has it) and the portable one give the
    /// same bits, and both the sums of the definition to `f32` accuracy;
    /// shapes with partial groups of rows and columns, one feature and many.
    #[test]
    fn tile_sums_agree_across_builds_and_with_the_definition() {
        for (d, n_rows, m, js) in [
            (7, 128, 300, (40, 168)),
            (1, 5, 20, (0, 20)),
            (3, 127, 129, (0, 129)),
            (30, 9, 64, (3, 60)),
            (2, 1, 8, (0, 8)),
        ] {
            let cols = values(m * d, d as u64);
            let rows = values(n_rows * d, 100 + m as u64);
            let width = js.1 - js.0;
            let (want_row, want_col) = plain(&cols, m, d, &rows, js);
            let (mut row1, mut col1) = (vec![0.0; n_rows], vec![0.0; width]);
            tile_sums_portable(&cols, m, d, &rows, js, &mut row1, Some(&mut col1));
            let (mut row2, mut col2) = (vec![0.0; n_rows], vec![0.0; width]);
            tile_sums(&cols, m, d, &rows, js, &mut row2, Some(&mut col2));
            let bits = |v: &[f64]| v.iter().map(|a| a.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&row1), bits(&row2), "rows, d={d}");
            assert_eq!(bits(&col1), bits(&col2), "columns, d={d}");
            // Without the column side, the row sums are the same.
            let mut row3 = vec![0.0; n_rows];
            tile_sums(&cols, m, d, &rows, js, &mut row3, None);
            assert_eq!(bits(&row1), bits(&row3), "rows without columns, d={d}");
            for (got, want) in row1.iter().zip(&want_row).chain(col1.iter().zip(&want_col)) {
                assert!((got - want).abs() <= 1e-6 * want, "d={d}: {got} vs {want}");
            }
        }
    }
}
