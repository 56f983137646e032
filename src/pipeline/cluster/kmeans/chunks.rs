//! The hot loops of a Lloyd iteration and of the final assignment, over
//! one chunk of rows. `W` is the lane width (centres per block), a multiple
//! of 4. The portable build is below; [`super::avx2`] is the explicit AVX
//! build, chosen at run time.

use super::{CHUNK_ROWS, Element, sq_dist};
use crate::pipeline::simd::avx2_dispatch;

/// Nearest centre of `row` by `‖c‖² − 2 x·c`; first minimum wins.
#[inline(always)]
fn nearest<const W: usize, T: Element>(
    row: &[T],
    mt: &[[f64; W]],
    cn: &[[f64; W]],
    d: usize,
) -> usize {
    let mut best = 0usize;
    let mut best_v = f64::INFINITY;
    for (b, (cnb, mtb)) in cn.iter().zip(mt.chunks_exact(d)).enumerate() {
        let mut acc = *cnb;
        for (&xj, m) in row.iter().zip(mtb) {
            let xj = xj.wide();
            for l in 0..W {
                acc[l] += xj * m[l];
            }
        }
        // Minimum over lanes (exact, so the order of the comparisons is free).
        let mut m4 = [acc[0], acc[1], acc[2], acc[3]];
        for q in 1..W / 4 {
            for l in 0..4 {
                let v = acc[q * 4 + l];
                m4[l] = if v < m4[l] { v } else { m4[l] };
            }
        }
        let a = if m4[1] < m4[0] { m4[1] } else { m4[0] };
        let c = if m4[3] < m4[2] { m4[3] } else { m4[2] };
        let mv = if c < a { c } else { a };
        if mv < best_v {
            let mut mask = 0u32;
            for (l, &v) in acc.iter().enumerate() {
                mask |= ((v == mv) as u32) << l;
            }
            best = b * W + mask.trailing_zeros() as usize;
            best_v = mv;
        }
    }
    best
}

#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn lloyd_chunk_impl<const W: usize, T: Element>(
    x: &[T],
    d: usize,
    mt: &[f64],
    cn: &[f64],
    labels: &mut [u32],
    sums: &mut [f64],
    counts: &mut [u32],
) -> u32 {
    let (mt, _) = mt.as_chunks::<W>();
    let (cn, _) = cn.as_chunks::<W>();
    let k = counts.len();
    sums.fill(0.0);
    counts.fill(0);
    let mut changed = 0u32;
    for (row, lab) in x.chunks_exact(d).zip(labels.iter_mut()) {
        let best = nearest::<W, T>(row, mt, cn, d).min(k - 1);
        changed += (*lab != best as u32) as u32;
        *lab = best as u32;
    }
    accumulate(x, d, labels, sums, counts);
    changed
}

/// Adds each row of the chunk to its cluster's sum, in row order. Kept apart
/// from the assignment loop: the store to `sums[label]` then never waits for
/// the distance computation of the row (no memory-dependence stalls).
#[inline(always)]
pub(super) fn accumulate<T: Element>(
    x: &[T],
    d: usize,
    labels: &[u32],
    sums: &mut [f64],
    counts: &mut [u32],
) {
    for (row, &lab) in x.chunks_exact(d).zip(labels) {
        let l = lab as usize;
        counts[l] += 1;
        for (s, &v) in sums[l * d..(l + 1) * d].iter_mut().zip(row) {
            *s += v.wide();
        }
    }
}

#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn assign_chunk_impl<const W: usize, T: Element>(
    x: &[T],
    d: usize,
    k: usize,
    mt: &[f64],
    cn: &[f64],
    centres: &[f64],
    labels: &mut [u32],
) -> f64 {
    let (mt, _) = mt.as_chunks::<W>();
    let (cn, _) = cn.as_chunks::<W>();
    for (row, lab) in x.chunks_exact(d).zip(labels.iter_mut()) {
        *lab = nearest::<W, T>(row, mt, cn, d).min(k - 1) as u32;
    }
    chunk_inertia(x, d, centres, labels)
}

/// Sum over the chunk's rows of `‖x − c_label‖²`, in row order.
#[inline(always)]
pub(super) fn chunk_inertia<T: Element>(x: &[T], d: usize, centres: &[f64], labels: &[u32]) -> f64 {
    let mut inertia = 0.0;
    for (row, &l) in x.chunks_exact(d).zip(labels) {
        let l = l as usize;
        inertia += sq_dist(row, &centres[l * d..(l + 1) * d]);
    }
    inertia
}

macro_rules! dispatch_w {
    ($w:expr, $f:ident, $($arg:expr),*) => {
        match $w {
            4 => $f::<4, T>($($arg),*),
            8 => $f::<8, T>($($arg),*),
            12 => $f::<12, T>($($arg),*),
            _ => $f::<16, T>($($arg),*),
        }
    };
}

/// The nearest centre of one row (as [`nearest`]: same value, same label),
/// with the two smallest values of `‖c‖² − 2 x·c` over the centres: at the
/// nearest centre and at the second nearest (equal to the first on a tie).
#[inline(always)]
fn nearest2<const W: usize, T: Element>(
    row: &[T],
    mt: &[[f64; W]],
    cn: &[[f64; W]],
    d: usize,
) -> Nearest2 {
    let mut best = 0usize;
    let mut best_v = f64::INFINITY;
    let mut second = f64::INFINITY;
    for (b, (cnb, mtb)) in cn.iter().zip(mt.chunks_exact(d)).enumerate() {
        let mut acc = *cnb;
        for (&xj, m) in row.iter().zip(mtb) {
            let xj = xj.wide();
            for l in 0..W {
                acc[l] += xj * m[l];
            }
        }
        // The two smallest lanes (a minimum is exact in any order).
        let (mut lo, mut hi) = (acc[0], f64::INFINITY);
        for &v in &acc[1..] {
            hi = hi.min(lo.max(v));
            lo = lo.min(v);
        }
        second = second.min(hi).min(best_v.max(lo));
        if lo < best_v {
            let mut mask = 0u32;
            for (l, &v) in acc.iter().enumerate() {
                mask |= ((v == lo) as u32) << l;
            }
            best = b * W + mask.trailing_zeros() as usize;
            best_v = lo;
        }
    }
    Nearest2 {
        label: best as u32,
        first: best_v,
        second,
    }
}

/// The two smallest values of `‖c‖² − 2 x·c` for one row.
#[derive(Clone, Copy, Debug)]
pub(super) struct Nearest2 {
    /// Nearest centre (lowest index on ties), before clamping to `k - 1`.
    pub label: u32,
    /// The value at the nearest centre and at the second nearest.
    pub first: f64,
    pub second: f64,
}

/// The centres as the exact kernel reads them (see [`super::Workspace`]).
pub(super) struct Exact<'a> {
    pub w: usize,
    pub k: usize,
    pub mt: &'a [f64],
    pub cn: &'a [f64],
}

/// What the exact kernel found for the rows a chunk's gaps did not settle,
/// by position in the list of those rows: squared norm and the two
/// smallest values of `‖c‖² − 2 x·c`.
pub(super) struct Found {
    pub nx: [f64; CHUNK_ROWS],
    pub first: [f64; CHUNK_ROWS],
    pub second: [f64; CHUNK_ROWS],
}

impl Found {
    pub fn new() -> Box<Found> {
        Box::new(Found {
            nx: [0.0; CHUNK_ROWS],
            first: [0.0; CHUNK_ROWS],
            second: [0.0; CHUNK_ROWS],
        })
    }

    #[inline(always)]
    pub fn set(&mut self, t: usize, nx: f64, near: &Nearest2) {
        (self.nx[t], self.first[t], self.second[t]) = (nx, near.first, near.second);
    }
}

/// Squared norm of a row, features in order.
#[inline(always)]
pub(super) fn sq_norm<T: Element>(row: &[T]) -> f64 {
    row.iter().fold(0.0, |s, &v| s + v.wide() * v.wide())
}

#[inline(always)]
fn exact_rows_impl<const W: usize, T: Element>(
    x: &[T],
    d: usize,
    e: &Exact,
    rows: &[u16],
    labels: &mut [u32],
    found: &mut Found,
) -> u32 {
    let (mt, _) = e.mt.as_chunks::<W>();
    let (cn, _) = e.cn.as_chunks::<W>();
    let mut changed = 0;
    for (t, &i) in rows.iter().enumerate() {
        let i = i as usize;
        let row = &x[i * d..][..d];
        let near = nearest2::<W, T>(row, mt, cn, d);
        let label = near.label.min(e.k as u32 - 1);
        changed += (labels[i] != label) as u32;
        labels[i] = label;
        found.set(t, sq_norm(row), &near);
    }
    changed
}

#[inline(always)]
fn exact_rows_any<T: Element>(
    x: &[T],
    d: usize,
    e: &Exact,
    rows: &[u16],
    labels: &mut [u32],
    found: &mut Found,
) -> u32 {
    dispatch_w!(e.w, exact_rows_impl, x, d, e, rows, labels, found)
}

avx2_dispatch! {
    /// The exact kernel on the rows `rows` of a chunk: their labels (as the
    /// plain step's) and what their gaps are made from; returns how many
    /// labels changed.
    pub(super) fn exact_rows<T: Element>(
        x: &[T],
        d: usize,
        e: &Exact,
        rows: &[u16],
        labels: &mut [u32],
        found: &mut Found,
    ) -> u32 => avx2: super::avx2::exact_rows, portable: exact_rows_any;
}

#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn lloyd_chunk_any<T: Element>(
    w: usize,
    x: &[T],
    d: usize,
    mt: &[f64],
    cn: &[f64],
    labels: &mut [u32],
    sums: &mut [f64],
    counts: &mut [u32],
) -> u32 {
    dispatch_w!(w, lloyd_chunk_impl, x, d, mt, cn, labels, sums, counts)
}

#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn assign_chunk_any<T: Element>(
    w: usize,
    x: &[T],
    d: usize,
    k: usize,
    mt: &[f64],
    cn: &[f64],
    centres: &[f64],
    labels: &mut [u32],
) -> f64 {
    dispatch_w!(w, assign_chunk_impl, x, d, k, mt, cn, centres, labels)
}

avx2_dispatch! {
    /// One chunk of a Lloyd iteration: labels, per-cluster sums and counts;
    /// returns how many labels changed.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn lloyd_chunk<T: Element>(
        w: usize,
        x: &[T],
        d: usize,
        mt: &[f64],
        cn: &[f64],
        labels: &mut [u32],
        sums: &mut [f64],
        counts: &mut [u32],
    ) -> u32 => avx2: super::avx2::lloyd_chunk, portable: lloyd_chunk_any;
}

avx2_dispatch! {
    /// One chunk of the final assignment: labels and the chunk's inertia.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn assign_chunk<T: Element>(
        w: usize,
        x: &[T],
        d: usize,
        k: usize,
        mt: &[f64],
        cn: &[f64],
        centres: &[f64],
        labels: &mut [u32],
    ) -> f64 => avx2: super::avx2::assign_chunk, portable: assign_chunk_any;
}

#[cfg(test)]
mod tests {
    use super::super::{Workspace, avx2};
    use super::*;

    /// The AVX2 and the portable hot loops must give bit-identical labels,
    /// sums, counts and inertia (the results must not depend on the CPU).
    #[test]
    fn avx2_and_portable_kernels_agree_bit_for_bit() {
        if !crate::pipeline::simd::has_avx2() {
            return;
        }
        let mut state = 12345u64;
        let mut next = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((state >> 11) as f64 / (1u64 << 53) as f64) * 4.0 - 2.0
        };
        for &(k, d, rows) in &[
            (1, 1, 7),
            (3, 2, 256),
            (8, 8, 255),
            (11, 5, 100),
            (16, 3, 33),
            (23, 7, 256),
        ] {
            let x: Vec<f64> = (0..rows * d).map(|_| next()).collect();
            let mut ws = Workspace::new(rows, d, k);
            for v in ws.centres.iter_mut() {
                *v = next();
            }
            // Duplicate a centre so that ties (first minimum wins) are exercised.
            if k > 2 {
                let c0 = ws.centres[..d].to_vec();
                ws.centres[2 * d..3 * d].copy_from_slice(&c0);
            }
            ws.load_centres();
            agree(&x, &ws, k, d, rows);
            // f32 storage: the same kernels on values widened as they load.
            let x32: Vec<f32> = x.iter().map(|&v| v as f32).collect();
            agree(&x32, &ws, k, d, rows);
        }
    }

    /// Portable and AVX2 kernels on one chunk: same bits, nearest labels.
    fn agree<T: Element>(x: &[T], ws: &Workspace, k: usize, d: usize, rows: usize) {
        let (mut l1, mut l2) = (vec![7u32; rows], vec![7u32; rows]);
        let (mut s1, mut s2) = (vec![0.0; k * d], vec![0.0; k * d]);
        let (mut c1, mut c2) = (vec![0u32; k], vec![0u32; k]);
        let ch1 = lloyd_chunk_any(ws.w, x, d, &ws.mt, &ws.cn, &mut l1, &mut s1, &mut c1);
        // SAFETY: the caller checked AVX2.
        let ch2 =
            unsafe { avx2::lloyd_chunk(ws.w, x, d, &ws.mt, &ws.cn, &mut l2, &mut s2, &mut c2) };
        assert_eq!((ch1, &l1, &c1), (ch2, &l2, &c2), "k={k} d={d}");
        let bits = |v: &[f64]| v.iter().map(|a| a.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&s1), bits(&s2), "k={k} d={d}");
        let i1 = assign_chunk_any(ws.w, x, d, k, &ws.mt, &ws.cn, &ws.centres, &mut l1);
        // SAFETY: the caller checked AVX2.
        let i2 = unsafe { avx2::assign_chunk(ws.w, x, d, k, &ws.mt, &ws.cn, &ws.centres, &mut l2) };
        assert_eq!(i1.to_bits(), i2.to_bits());
        assert_eq!(l1, l2);
        // The exact kernel of the bounded step, on every other row: the same
        // labels as the plain kernel, and the same values from both builds.
        let e = Exact {
            w: ws.w,
            k,
            mt: &ws.mt,
            cn: &ws.cn,
        };
        let rows: Vec<u16> = (0..rows as u16).step_by(2).collect();
        let (mut e1, mut e2) = (vec![7u32; l1.len()], vec![7u32; l1.len()]);
        let (mut f1, mut f2) = (Found::new(), Found::new());
        let ch1 = exact_rows_any(x, d, &e, &rows, &mut e1, &mut f1);
        // SAFETY: the caller checked AVX2.
        let ch2 = unsafe { avx2::exact_rows(x, d, &e, &rows, &mut e2, &mut f2) };
        assert_eq!((ch1, &e1), (ch2, &e2), "k={k} d={d}");
        for f in [|f: &Found| f.nx, |f: &Found| f.first, |f: &Found| f.second] {
            assert_eq!(bits(&f(&f1)[..rows.len()]), bits(&f(&f2)[..rows.len()]));
        }
        for (t, &i) in rows.iter().enumerate() {
            assert_eq!(e1[i as usize], l1[i as usize], "k={k} d={d}");
            // The two smallest values, the first at the label's centre.
            let row = &x[i as usize * d..][..d];
            let mut v: Vec<f64> = (0..k).map(|c| ws.cn[c / ws.w * ws.w + c % ws.w]).collect();
            for (c, vc) in v.iter_mut().enumerate() {
                let (b, l) = (c / ws.w, c % ws.w);
                for (j, &xj) in row.iter().enumerate() {
                    *vc += xj.wide() * ws.mt[(b * d + j) * ws.w + l];
                }
            }
            assert_eq!(f1.first[t], v[e1[i as usize] as usize], "k={k} d={d}");
            v.sort_by(f64::total_cmp);
            assert_eq!(
                (f1.first[t], f1.second[t]),
                (v[0], *v.get(1).unwrap_or(&f64::INFINITY))
            );
        }
        // And the labels are the nearest centres (first one on ties).
        for (row, &l) in x.chunks_exact(d).zip(&l1) {
            let dists: Vec<f64> = ws
                .centres
                .chunks_exact(d)
                .map(|c| sq_dist(row, c))
                .collect();
            let best = dists.iter().cloned().fold(f64::INFINITY, f64::min);
            assert!(dists[l as usize] <= best + 1e-9, "k={k} d={d}");
            let first = dists.iter().position(|&v| v <= best + 1e-9).unwrap();
            if k > 2 && first == 0 {
                assert_ne!(l, 2, "tie must go to the first centre");
            }
        }
    }
}
