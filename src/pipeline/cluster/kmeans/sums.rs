//! A chunk's sums and counts per cluster for the bounded step, with the
//! same bits as the plain accumulation ([`accumulate`]).

use super::chunks::accumulate;
use super::{CHUNK_ROWS, Element};
use crate::pipeline::simd::avx2_dispatch;

/// The sums and counts of a chunk's rows per cluster, with the same bits as
/// [`accumulate`] (each cluster's rows added in row order, from 0), but,
/// where the CPU and K allow, without its chain through memory (a row
/// waits for the previous row of its cluster to be stored): the rows are
/// listed by cluster first (`order`), then each cluster is summed in
/// registers.
#[inline(always)]
pub(super) fn accumulate_by_cluster<T: Element>(
    x: &[T],
    d: usize,
    labels: &[u32],
    sums: &mut [f64],
    counts: &mut [u32],
    order: &mut [u16; CHUNK_ROWS],
) {
    if !order_by_cluster(labels, counts, order) {
        sums.fill(0.0);
        counts.fill(0);
        accumulate(x, d, labels, sums, counts);
        return;
    }
    let mut from = 0;
    for (sum, &c) in sums.chunks_exact_mut(d).zip(counts.iter()) {
        let rows = &order[from..from + c as usize];
        from += c as usize;
        let mut j = 0;
        while j < d {
            let width = (d - j).min(8);
            match width {
                1 => sum_columns::<1, T>(x, d, j, rows, sum),
                2 => sum_columns::<2, T>(x, d, j, rows, sum),
                3 => sum_columns::<3, T>(x, d, j, rows, sum),
                4 => sum_columns::<4, T>(x, d, j, rows, sum),
                5 => sum_columns::<5, T>(x, d, j, rows, sum),
                6 => sum_columns::<6, T>(x, d, j, rows, sum),
                7 => sum_columns::<7, T>(x, d, j, rows, sum),
                _ => sum_columns::<8, T>(x, d, j, rows, sum),
            }
            j += width;
        }
    }
}

/// No ordering by cluster without AVX2: [`accumulate`] does the work.
fn order_by_cluster_any(_: &[u32], _: &mut [u32], _: &mut [u16; CHUNK_ROWS]) -> bool {
    false
}

avx2_dispatch! {
    /// Lists a chunk's rows by cluster, in row order within each, and
    /// counts them; false (nothing done) where the CPU or K do not allow.
    fn order_by_cluster(
        labels: &[u32],
        counts: &mut [u32],
        order: &mut [u16; CHUNK_ROWS],
    ) -> bool => avx2: super::avx2::order_by_cluster, portable: order_by_cluster_any;
}

/// Columns `j..j + B` of the rows `rows`, added in order from 0.
#[inline(always)]
fn sum_columns<const B: usize, T: Element>(
    x: &[T],
    d: usize,
    j: usize,
    rows: &[u16],
    sum: &mut [f64],
) {
    let mut acc = [0.0f64; B];
    for &i in rows {
        let row = &x[i as usize * d + j..][..B];
        for (a, &v) in acc.iter_mut().zip(row) {
            *a += v.wide();
        }
    }
    sum[j..j + B].copy_from_slice(&acc);
}
