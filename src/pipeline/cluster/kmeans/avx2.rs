//! AVX build of the hot loops with explicit 4-lane vectors. Per lane it does
//! exactly what the portable code does (`acc + x * m`, multiply then add, in
//! feature order; exact minimum; first lane equal to the minimum), so both
//! builds give bit-identical results (checked by a unit test).

use std::arch::x86_64::*;

use super::chunks::{Exact, Found, Nearest2, accumulate, chunk_inertia, sq_norm};
use super::{CHUNK_ROWS, Element};

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

/// The two smallest of the four lanes of `lo` and of `hi`, where lane by
/// lane `lo <= hi` are the smallest and second smallest of some values:
/// the smallest and second smallest of all of them, in lane 0.
#[inline(always)]
unsafe fn two_smallest(lo: __m256d, hi: __m256d) -> (f64, f64) {
    // SAFETY: register-only AVX operations; AVX2 is enabled by the caller.
    unsafe {
        let merge = |lo: __m256d, hi: __m256d, lo_s: __m256d, hi_s: __m256d| {
            let h = _mm256_min_pd(_mm256_min_pd(hi, hi_s), _mm256_max_pd(lo, lo_s));
            (_mm256_min_pd(lo, lo_s), h)
        };
        let (lo, hi) = merge(
            lo,
            hi,
            _mm256_permute2f128_pd(lo, lo, 1),
            _mm256_permute2f128_pd(hi, hi, 1),
        );
        let (lo, hi) = merge(
            lo,
            hi,
            _mm256_permute_pd(lo, 0b0101),
            _mm256_permute_pd(hi, 0b0101),
        );
        (_mm256_cvtsd_f64(lo), _mm256_cvtsd_f64(hi))
    }
}

/// [`Nearest2`] of `R` rows (any rows of the chunk), interleaved as in
/// [`nearest_rows`]: the label and its value are computed exactly as there.
#[inline(always)]
unsafe fn nearest2_rows_r<const NV: usize, const R: usize, T: Element>(
    rows: [&[T]; R],
    mt: &[f64],
    cn: &[f64],
) -> [Nearest2; R] {
    let w = 4 * NV;
    let d = rows[0].len();
    let mut best = [Nearest2 {
        label: 0,
        first: f64::INFINITY,
        second: f64::INFINITY,
    }; R];
    for (b, (cnb, mtb)) in cn.chunks_exact(w).zip(mt.chunks_exact(w * d)).enumerate() {
        // SAFETY: loads read 4 values at offsets 4 * v + 0..4 of `cnb`
        // (len w), j * w + 4 * v + 0..4 of `mtb` (len w * d) and j of each
        // row (len d), with v < NV, j < d.
        unsafe {
            let mut acc = [[_mm256_setzero_pd(); NV]; R];
            for a in acc.iter_mut() {
                for (v, av) in a.iter_mut().enumerate() {
                    *av = _mm256_loadu_pd(cnb.as_ptr().add(4 * v));
                }
            }
            let mut mp = mtb.as_ptr();
            for j in 0..d {
                let mut m = [_mm256_setzero_pd(); NV];
                for (v, mv) in m.iter_mut().enumerate() {
                    *mv = _mm256_loadu_pd(mp.add(4 * v));
                }
                for (a, row) in acc.iter_mut().zip(&rows) {
                    let xb = _mm256_set1_pd((*row.as_ptr().add(j)).wide());
                    for (av, &mv) in a.iter_mut().zip(&m) {
                        *av = _mm256_add_pd(*av, _mm256_mul_pd(xb, mv));
                    }
                }
                mp = mp.add(w);
            }
            for (a, o) in acc.iter().zip(best.iter_mut()) {
                let (mut lo, mut hi) = (a[0], _mm256_set1_pd(f64::INFINITY));
                for &av in a.iter().skip(1) {
                    hi = _mm256_min_pd(hi, _mm256_max_pd(lo, av));
                    lo = _mm256_min_pd(lo, av);
                }
                let (mv, second) = two_smallest(lo, hi);
                o.second = o.second.min(second).min(o.first.max(mv));
                if mv < o.first {
                    let bc = _mm256_set1_pd(mv);
                    let mut mask = 0u32;
                    for (v, av) in a.iter().enumerate() {
                        let eq = _mm256_movemask_pd(_mm256_cmp_pd(*av, bc, _CMP_EQ_OQ)) as u32;
                        mask |= eq << (4 * v);
                    }
                    o.label = (b * w) as u32 + mask.trailing_zeros();
                    o.first = mv;
                }
            }
        }
    }
    best
}

/// The exact kernel on `R` rows: labels, and what their gaps are made
/// from at positions `t..t + R` of `found`; how many labels changed.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
unsafe fn exact_group<const NV: usize, const R: usize, T: Element>(
    x: &[T],
    d: usize,
    e: &Exact,
    group: &[u16; R],
    t: usize,
    labels: &mut [u32],
    found: &mut Found,
) -> u32 {
    let rows: [&[T]; R] = std::array::from_fn(|r| &x[group[r] as usize * d..][..d]);
    // SAFETY: AVX2 is enabled by the caller; each row has d values.
    let near = unsafe { nearest2_rows_r::<NV, R, T>(rows, e.mt, e.cn) };
    let mut changed = 0;
    for (r, ((&i, n), row)) in group.iter().zip(&near).zip(&rows).enumerate() {
        let i = i as usize;
        let label = n.label.min(e.k as u32 - 1);
        changed += (labels[i] != label) as u32;
        labels[i] = label;
        found.set(t + r, sq_norm(row), n);
    }
    changed
}

/// The exact kernel on a list of rows, `R` at a time.
#[inline(always)]
unsafe fn exact_rows_list<const NV: usize, const R: usize, T: Element>(
    x: &[T],
    d: usize,
    e: &Exact,
    rows: &[u16],
    labels: &mut [u32],
    found: &mut Found,
) -> u32 {
    let (groups, rest) = rows.as_chunks::<R>();
    let mut changed = 0;
    for (g, group) in groups.iter().enumerate() {
        // SAFETY: AVX2 is enabled by the caller; the group's rows exist.
        changed += unsafe { exact_group::<NV, R, T>(x, d, e, group, g * R, labels, found) };
    }
    let t0 = groups.len() * R;
    for (t, &i) in rest.iter().enumerate() {
        // SAFETY: AVX2 is enabled by the caller; row i exists.
        changed += unsafe { exact_group::<NV, 1, T>(x, d, e, &[i], t0 + t, labels, found) };
    }
    changed
}

#[inline(always)]
unsafe fn exact_rows_nv<const NV: usize, T: Element>(
    x: &[T],
    d: usize,
    e: &Exact,
    rows: &[u16],
    labels: &mut [u32],
    found: &mut Found,
) -> u32 {
    // SAFETY: AVX2 is enabled by the caller.
    unsafe {
        if NV <= 2 {
            exact_rows_list::<NV, 4, T>(x, d, e, rows, labels, found)
        } else {
            exact_rows_list::<NV, 2, T>(x, d, e, rows, labels, found)
        }
    }
}

#[target_feature(enable = "avx2")]
pub(super) fn exact_rows<T: Element>(
    x: &[T],
    d: usize,
    e: &Exact,
    rows: &[u16],
    labels: &mut [u32],
    found: &mut Found,
) -> u32 {
    // SAFETY: AVX2 is enabled on this function.
    unsafe {
        match e.w {
            4 => exact_rows_nv::<1, T>(x, d, e, rows, labels, found),
            8 => exact_rows_nv::<2, T>(x, d, e, rows, labels, found),
            12 => exact_rows_nv::<3, T>(x, d, e, rows, labels, found),
            _ => exact_rows_nv::<4, T>(x, d, e, rows, labels, found),
        }
    }
}

/// For each 8-bit mask, the positions of its set bits, in order.
const COMPRESS: [[u8; 8]; 256] = {
    let mut table = [[0u8; 8]; 256];
    let mut mask = 0;
    while mask < 256 {
        let (mut bit, mut n) = (0, 0);
        while bit < 8 {
            if mask & (1 << bit) != 0 {
                table[mask][n] = bit as u8;
                n += 1;
            }
            bit += 1;
        }
        mask += 1;
    }
    table
};

/// The rows of a chunk the gaps do not settle, as
/// [`super::bounds::unsettled_any`] (the same operations, eight rows per
/// vector): each gap shrinks by its centre's entry of `shrink`, rounded
/// down, and is compared with `min_gap`. The entries are looked up in two
/// registers, so up to 16 centres (`shrink` is 16 long then); more take
/// the portable loop.
#[target_feature(enable = "avx2")]
pub(super) fn unsettled(
    labels: &[u32],
    gaps: &mut [f32],
    shrink: &[f32],
    min_gap: f32,
    todo: &mut [u16; CHUNK_ROWS],
) -> usize {
    let n = labels.len().min(gaps.len());
    // The stores of eight indices at `m <= i` stay inside `todo`.
    assert!(n <= CHUNK_ROWS);
    if shrink.len() != 16 {
        return super::bounds::unsettled_any(labels, gaps, shrink, min_gap, todo);
    }
    let mut m = 0;
    let mut i = 0;
    // SAFETY: AVX2 is enabled on this function; loads and stores of 8 lanes
    // at i..i + 8 <= n of `labels` and `gaps`, of 16 values of `shrink`, and
    // of 8 indices at m..m + 8 <= i + 8 <= CHUNK_ROWS of `todo`. The lookups
    // use the low 4 bits of each label only.
    unsafe {
        let (lo, hi) = (
            _mm256_loadu_ps(shrink.as_ptr()),
            _mm256_loadu_ps(shrink.as_ptr().add(8)),
        );
        let (zero, one) = (_mm256_setzero_ps(), _mm256_set1_epi32(1));
        let (seven, limit) = (_mm256_set1_epi32(7), _mm256_set1_ps(min_gap));
        while i + 8 <= n {
            let lab = _mm256_loadu_si256(labels.as_ptr().add(i).cast());
            let s = _mm256_blendv_ps(
                _mm256_permutevar8x32_ps(lo, lab),
                _mm256_permutevar8x32_ps(hi, lab),
                _mm256_castsi256_ps(_mm256_cmpgt_epi32(lab, seven)),
            );
            let g = _mm256_sub_ps(_mm256_loadu_ps(gaps.as_ptr().add(i)), s);
            let moved = _mm256_castps_si256(_mm256_cmp_ps::<_CMP_NEQ_UQ>(s, zero));
            let step = _mm256_and_si256(moved, one);
            let g = _mm256_castsi256_ps(_mm256_sub_epi32(_mm256_castps_si256(g), step));
            let g = _mm256_max_ps(g, zero);
            _mm256_storeu_ps(gaps.as_mut_ptr().add(i), g);
            // Append the unsettled rows' indices without a branch: eight
            // positions from the table, of which the first `count` count.
            let low = _mm256_movemask_ps(_mm256_cmp_ps::<_CMP_LE_OQ>(g, limit)) as usize;
            let pos = _mm_loadl_epi64(COMPRESS[low].as_ptr().cast());
            let pos = _mm_add_epi16(_mm_cvtepu8_epi16(pos), _mm_set1_epi16(i as i16));
            _mm_storeu_si128(todo.as_mut_ptr().add(m).cast(), pos);
            m += low.count_ones() as usize;
            i += 8;
        }
    }
    if i < n {
        let (labels, gaps) = (&labels[i..n], &mut gaps[i..n]);
        let mut rest = [0u16; CHUNK_ROWS];
        let r = super::bounds::unsettled_any(labels, gaps, shrink, min_gap, &mut rest);
        for &t in &rest[..r] {
            todo[m] = i as u16 + t;
            m += 1;
        }
    }
    m
}

/// Lists a chunk's rows by cluster (`counts.len()` clusters, at most 16),
/// in row order within each, into `order`, and counts them. Each row's
/// place is its cluster's start plus the rows of its cluster before it,
/// all clusters counted at once in the 16 lanes of one register, so no row
/// waits for a count in memory. False, with nothing done, above 16.
#[target_feature(enable = "avx2")]
pub(super) fn order_by_cluster(
    labels: &[u32],
    counts: &mut [u32],
    order: &mut [u16; CHUNK_ROWS],
) -> bool {
    if counts.len() > 16 || labels.len() > CHUNK_ROWS {
        return false;
    }
    let iota = _mm256_setr_epi16(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    let one_hot = |l: u32| _mm256_cmpeq_epi16(_mm256_set1_epi16(l as i16), iota);
    let mut count = _mm256_setzero_si256();
    for &l in labels {
        count = _mm256_sub_epi16(count, one_hot(l));
    }
    let mut lanes = [0u16; 16];
    // SAFETY: a 32-byte store into an array of 16 u16.
    unsafe { _mm256_storeu_si256(lanes.as_mut_ptr().cast(), count) };
    let mut start = 0u16;
    for (n, lane) in counts.iter_mut().zip(lanes.iter_mut()) {
        *n = *lane as u32;
        (*lane, start) = (start, start + *lane);
    }
    // SAFETY: a 32-byte load from an array of 16 u16.
    let mut next = unsafe { _mm256_loadu_si256(lanes.as_ptr().cast()) };
    for (i, &l) in labels.iter().enumerate() {
        let mut at = [0u16; 16];
        // SAFETY: as above.
        unsafe { _mm256_storeu_si256(at.as_mut_ptr().cast(), next) };
        order[at[l as usize & 15] as usize & (CHUNK_ROWS - 1)] = i as u16;
        next = _mm256_sub_epi16(next, one_hot(l));
    }
    true
}
