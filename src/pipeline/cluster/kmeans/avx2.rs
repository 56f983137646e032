//! AVX build of the hot loops with explicit 4-lane vectors. Per lane it does
//! exactly what the portable code does (`acc + x * m`, multiply then add, in
//! feature order; exact minimum; first lane equal to the minimum), so both
//! builds give bit-identical results (checked by a unit test).

use std::arch::x86_64::*;

use super::Element;
use super::chunks::{accumulate, chunk_inertia};

/// Nearest centre of each of the `R` rows starting at `x` (row-major, `d`
/// columns); `mt`/`cn` in blocks of `4 * NV` lanes. The rows are
/// interleaved so that their independent add chains overlap.
#[inline(always)]
unsafe fn nearest_rows<const NV: usize, const R: usize, T: Element>(
    x: &[T],
    d: usize,
    mt: &[f64],
    cn: &[f64],
    out: &mut [usize; R],
) {
    let w = 4 * NV;
    debug_assert!(x.len() >= R * d);
    let mut best_v = [f64::INFINITY; R];
    *out = [0; R];
    for (b, (cnb, mtb)) in cn.chunks_exact(w).zip(mt.chunks_exact(w * d)).enumerate() {
        // SAFETY: loads read 4 values at offsets 4 * v + 0..4 of `cnb`
        // (len w), j * w + 4 * v + 0..4 of `mtb` (len w * d) and r * d + j
        // of `x` (len >= R * d), with v < NV, j < d, r < R.
        unsafe {
            let mut acc = [[_mm256_setzero_pd(); NV]; R];
            for a in acc.iter_mut() {
                for (v, av) in a.iter_mut().enumerate() {
                    *av = _mm256_loadu_pd(cnb.as_ptr().add(4 * v));
                }
            }
            let mut mp = mtb.as_ptr();
            let xp = x.as_ptr();
            for j in 0..d {
                let mut m = [_mm256_setzero_pd(); NV];
                for (v, mv) in m.iter_mut().enumerate() {
                    *mv = _mm256_loadu_pd(mp.add(4 * v));
                }
                for (r, a) in acc.iter_mut().enumerate() {
                    let xb = _mm256_set1_pd((*xp.add(r * d + j)).wide());
                    for (av, &mv) in a.iter_mut().zip(&m) {
                        *av = _mm256_add_pd(*av, _mm256_mul_pd(xb, mv));
                    }
                }
                mp = mp.add(w);
            }
            for (r, a) in acc.iter().enumerate() {
                let mut mn = a[0];
                for av in a.iter().skip(1) {
                    mn = _mm256_min_pd(*av, mn);
                }
                let m2 = _mm_min_pd(_mm256_castpd256_pd128(mn), _mm256_extractf128_pd(mn, 1));
                let m1 = _mm_min_sd(m2, _mm_unpackhi_pd(m2, m2));
                let mv = _mm_cvtsd_f64(m1);
                if mv < best_v[r] {
                    let bc = _mm256_set1_pd(mv);
                    let mut mask = 0u32;
                    for (v, av) in a.iter().enumerate() {
                        let eq = _mm256_movemask_pd(_mm256_cmp_pd(*av, bc, _CMP_EQ_OQ)) as u32;
                        mask |= eq << (4 * v);
                    }
                    out[r] = b * w + mask.trailing_zeros() as usize;
                    best_v[r] = mv;
                }
            }
        }
    }
}

/// Labels of all rows of a chunk, `R` rows at a time.
#[inline(always)]
unsafe fn label_rows<const NV: usize, const R: usize, T: Element>(
    x: &[T],
    d: usize,
    k: usize,
    mt: &[f64],
    cn: &[f64],
    mut f: impl FnMut(usize, usize),
) {
    let n = x.len() / d;
    let mut i = 0;
    let mut out = [0usize; R];
    while i + R <= n {
        // SAFETY: AVX2 is enabled by the caller; R rows from row i exist.
        unsafe { nearest_rows::<NV, R, T>(&x[i * d..], d, mt, cn, &mut out) };
        for (r, &b) in out.iter().enumerate() {
            f(i + r, b.min(k - 1));
        }
        i += R;
    }
    let mut one = [0usize; 1];
    while i < n {
        // SAFETY: AVX2 is enabled by the caller; row i exists.
        unsafe { nearest_rows::<NV, 1, T>(&x[i * d..], d, mt, cn, &mut one) };
        f(i, one[0].min(k - 1));
        i += 1;
    }
}

#[inline(always)]
unsafe fn label_rows_nv<const NV: usize, T: Element>(
    x: &[T],
    d: usize,
    k: usize,
    mt: &[f64],
    cn: &[f64],
    f: impl FnMut(usize, usize),
) {
    // SAFETY: AVX2 is enabled by the caller.
    unsafe {
        if NV <= 2 {
            label_rows::<NV, 4, T>(x, d, k, mt, cn, f)
        } else {
            label_rows::<NV, 2, T>(x, d, k, mt, cn, f)
        }
    }
}

#[inline(always)]
#[allow(clippy::too_many_arguments)]
unsafe fn lloyd_chunk_nv<const NV: usize, T: Element>(
    x: &[T],
    d: usize,
    mt: &[f64],
    cn: &[f64],
    labels: &mut [u32],
    sums: &mut [f64],
    counts: &mut [u32],
) -> u32 {
    let k = counts.len();
    sums.fill(0.0);
    counts.fill(0);
    let mut changed = 0u32;
    // SAFETY: AVX2 is enabled by the caller.
    unsafe {
        label_rows_nv::<NV, T>(x, d, k, mt, cn, |i, best| {
            changed += (labels[i] != best as u32) as u32;
            labels[i] = best as u32;
        })
    };
    accumulate(x, d, labels, sums, counts);
    changed
}

#[inline(always)]
#[allow(clippy::too_many_arguments)]
unsafe fn assign_chunk_nv<const NV: usize, T: Element>(
    x: &[T],
    d: usize,
    k: usize,
    mt: &[f64],
    cn: &[f64],
    centres: &[f64],
    labels: &mut [u32],
) -> f64 {
    // SAFETY: AVX2 is enabled by the caller.
    unsafe {
        label_rows_nv::<NV, T>(x, d, k, mt, cn, |i, best| labels[i] = best as u32);
    }
    chunk_inertia(x, d, centres, labels)
}

#[allow(clippy::too_many_arguments)]
#[target_feature(enable = "avx2")]
pub(super) fn lloyd_chunk<T: Element>(
    w: usize,
    x: &[T],
    d: usize,
    mt: &[f64],
    cn: &[f64],
    labels: &mut [u32],
    sums: &mut [f64],
    counts: &mut [u32],
) -> u32 {
    // SAFETY: AVX2 is enabled on this function.
    unsafe {
        match w {
            4 => lloyd_chunk_nv::<1, T>(x, d, mt, cn, labels, sums, counts),
            8 => lloyd_chunk_nv::<2, T>(x, d, mt, cn, labels, sums, counts),
            12 => lloyd_chunk_nv::<3, T>(x, d, mt, cn, labels, sums, counts),
            _ => lloyd_chunk_nv::<4, T>(x, d, mt, cn, labels, sums, counts),
        }
    }
}

#[allow(clippy::too_many_arguments)]
#[target_feature(enable = "avx2")]
pub(super) fn assign_chunk<T: Element>(
    w: usize,
    x: &[T],
    d: usize,
    k: usize,
    mt: &[f64],
    cn: &[f64],
    centres: &[f64],
    labels: &mut [u32],
) -> f64 {
    // SAFETY: AVX2 is enabled on this function.
    unsafe {
        match w {
            4 => assign_chunk_nv::<1, T>(x, d, k, mt, cn, centres, labels),
            8 => assign_chunk_nv::<2, T>(x, d, k, mt, cn, centres, labels),
            12 => assign_chunk_nv::<3, T>(x, d, k, mt, cn, centres, labels),
            _ => assign_chunk_nv::<4, T>(x, d, k, mt, cn, centres, labels),
        }
    }
}
