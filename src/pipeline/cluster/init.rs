//! Greedy k-means++ seeding, as scikit-learn's `_kmeans_plusplus`:
//!
//! 1. the first centre is a row drawn uniformly;
//! 2. for each further centre, draw `2 + floor(ln k)` candidate rows with
//!    probability proportional to their squared distance to the closest
//!    centre so far (`u × potential` searched in the running sum of those
//!    distances, first index whose running sum is `>= u × potential`), and
//!    keep the candidate that gives the lowest potential (sum of the squared
//!    distances to the closest centre) once added; ties go to the earlier
//!    candidate.
//!
//! Every pass over the rows is parallel over fixed chunks of
//! [`CHUNK_ROWS`](super::CHUNK_ROWS) rows, and all sums are per chunk and then
//! added in chunk order; the running sum used for the draw is "chunk prefix +
//! running sum inside the chunk". Distances are computed in the direct form
//! `Σ (x_j − c_j)²`.
//!
//! The candidates' distances are kept (when they fit in [`KEEP_LIMIT`]
//! values), so adding the winner only takes minima instead of computing
//! every row's distance to it again: the same numbers, a third less work
//! per centre.

use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use super::kmeans::{Element, sq_dist};
use super::{CHUNK_ROWS, TASK_CHUNKS};
use crate::pipeline::simd::avx2_dispatch;

/// Most candidate distances kept (32 MB); above, the winner's distances are
/// computed again.
const KEEP_LIMIT: usize = 1 << 22;

/// Per-chunk buffers of the seeding, allocated once per fit.
pub(crate) struct InitBuffers {
    n_trials: usize,
    /// Lanes per candidate block (4 or 8) and number of blocks.
    w: usize,
    nb: usize,
    /// Per chunk: sum of the closest distances.
    chunk_pot: Vec<f64>,
    /// Per chunk: `nb × w` candidate potentials.
    pcand: Vec<f64>,
    /// Candidates, transposed in lane blocks: `(b * d + j) * w + l`.
    ct: Vec<f64>,
    ids: Vec<usize>,
    pots: Vec<f64>,
    /// Whether the candidates' distances are kept (within [`KEEP_LIMIT`]).
    keep: bool,
    /// Per row, its distances to the `nb × w` candidate lanes (row-major);
    /// allocated by the first seeding that keeps them (a fit started from
    /// given centres never does).
    kept: Vec<f64>,
}

impl InitBuffers {
    pub fn new(n: usize, d: usize, k: usize) -> InitBuffers {
        let n_chunks = n.div_ceil(CHUNK_ROWS);
        let n_trials = 2 + (k as f64).ln().floor() as usize;
        let w = if n_trials <= 4 { 4 } else { 8 };
        let nb = n_trials.div_ceil(w);
        InitBuffers {
            n_trials,
            w,
            nb,
            chunk_pot: vec![0.0; n_chunks],
            pcand: vec![0.0; n_chunks * nb * w],
            ct: vec![0.0; nb * d * w],
            ids: vec![0; n_trials],
            pots: vec![0.0; nb * w],
            keep: n * nb * w <= KEEP_LIMIT,
            kept: Vec::new(),
        }
    }
}

/// Writes `k` seeds (rows of `x`) into `centres` (row-major `k × d`).
/// `closest` is an `n`-long scratch buffer.
#[allow(clippy::too_many_arguments)]
pub(crate) fn kmeans_plus_plus<T: Element>(
    x: &[T],
    n: usize,
    d: usize,
    k: usize,
    rng: &mut ChaCha8Rng,
    buf: &mut InitBuffers,
    closest: &mut [f64],
    centres: &mut [f64],
) {
    let first = rng.random_range(0..n as u64) as usize;
    widen_into(&mut centres[..d], &x[first * d..(first + 1) * d]);
    closest.fill(f64::INFINITY);
    let mut pot = update_closest(x, d, &centres[..d], closest, &mut buf.chunk_pot);
    let (w, nb, t) = (buf.w, buf.nb, buf.n_trials);
    if buf.keep && buf.kept.len() != n * nb * w {
        buf.kept = vec![0.0; n * nb * w];
    }
    for c in 1..k {
        // Draw the candidates.
        for i in 0..t {
            let r = rng.random::<f64>() * pot;
            buf.ids[i] = search(&buf.chunk_pot, closest, r, n);
        }
        // Transpose them into lane blocks (padding lanes repeat candidate 0).
        for b in 0..nb {
            for l in 0..w {
                let id = buf.ids.get(b * w + l).copied().unwrap_or(buf.ids[0]);
                for j in 0..d {
                    buf.ct[(b * d + j) * w + l] = x[id * d + j].wide();
                }
            }
        }
        // Potential of each candidate, per chunk, then in chunk order.
        let (ct, closest_r) = (&buf.ct, &*closest);
        let keep = buf.keep;
        if keep {
            x.par_chunks(CHUNK_ROWS * d)
                .zip(closest_r.par_chunks(CHUNK_ROWS))
                .zip(buf.pcand.par_chunks_mut(nb * w))
                .zip(buf.kept.par_chunks_mut(CHUNK_ROWS * nb * w))
                .with_min_len(TASK_CHUNKS)
                .for_each(|(((xc, cl), pc), kept)| cand_chunk(w, xc, d, ct, cl, pc, kept));
        } else {
            x.par_chunks(CHUNK_ROWS * d)
                .zip(closest_r.par_chunks(CHUNK_ROWS))
                .zip(buf.pcand.par_chunks_mut(nb * w))
                .with_min_len(TASK_CHUNKS)
                .for_each(|((xc, cl), pc)| cand_chunk(w, xc, d, ct, cl, pc, &mut []));
        }
        buf.pots.fill(0.0);
        for pc in buf.pcand.chunks_exact(nb * w) {
            for (a, &v) in buf.pots.iter_mut().zip(pc) {
                *a += v;
            }
        }
        let mut best = 0;
        for i in 1..t {
            if buf.pots[i] < buf.pots[best] {
                best = i;
            }
        }
        let id = buf.ids[best];
        widen_into(&mut centres[c * d..(c + 1) * d], &x[id * d..(id + 1) * d]);
        pot = if keep {
            update_from_kept(&buf.kept, nb * w, best, closest, &mut buf.chunk_pot)
        } else {
            update_closest(
                x,
                d,
                &centres[c * d..(c + 1) * d],
                closest,
                &mut buf.chunk_pot,
            )
        };
    }
}

/// [`update_closest`] for the candidate in lane `best` of the kept
/// distances (`lanes` per row): the same minima and sums, computed in
/// the same order.
fn update_from_kept(
    kept: &[f64],
    lanes: usize,
    best: usize,
    closest: &mut [f64],
    chunk_pot: &mut [f64],
) -> f64 {
    kept.par_chunks(CHUNK_ROWS * lanes)
        .zip(closest.par_chunks_mut(CHUNK_ROWS))
        .zip(chunk_pot.par_iter_mut())
        .with_min_len(TASK_CHUNKS)
        .for_each(|((kc, cl), cp)| {
            let mut s = 0.0;
            for (c, row) in cl.iter_mut().zip(kc.chunks_exact(lanes)) {
                let v = row[best];
                *c = if v < *c { v } else { *c };
                s += *c;
            }
            *cp = s;
        });
    chunk_pot.iter().fold(0.0, |a, &v| a + v)
}

fn widen_into<T: Element>(dst: &mut [f64], src: &[T]) {
    for (o, &v) in dst.iter_mut().zip(src) {
        *o = v.wide();
    }
}

/// `closest = min(closest, ‖x − c‖²)`; per-chunk sums into `chunk_pot`;
/// returns their sum in chunk order.
fn update_closest<T: Element>(
    x: &[T],
    d: usize,
    centre: &[f64],
    closest: &mut [f64],
    chunk_pot: &mut [f64],
) -> f64 {
    x.par_chunks(CHUNK_ROWS * d)
        .zip(closest.par_chunks_mut(CHUNK_ROWS))
        .zip(chunk_pot.par_iter_mut())
        .with_min_len(TASK_CHUNKS)
        .for_each(|((xc, cl), cp)| *cp = update_chunk(xc, d, centre, cl));
    chunk_pot.iter().fold(0.0, |a, &v| a + v)
}

/// One chunk of [`update_closest`]: distances first (independent rows, no
/// branches), then the minimum and the chunk's sum in row order.
#[inline(always)]
fn update_chunk_impl<T: Element>(x: &[T], d: usize, centre: &[f64], closest: &mut [f64]) -> f64 {
    let mut dist = [0.0f64; CHUNK_ROWS];
    for (o, row) in dist.iter_mut().zip(x.chunks_exact(d)) {
        *o = sq_dist(row, centre);
    }
    let mut s = 0.0;
    for (c, &v) in closest.iter_mut().zip(&dist) {
        *c = if v < *c { v } else { *c };
        s += *c;
    }
    s
}

avx2_dispatch! {
    fn update_chunk<T: Element>(x: &[T], d: usize, centre: &[f64], closest: &mut [f64]) -> f64
        = update_chunk_impl;
}

/// First row whose running sum of `closest` is `>= r` (scikit-learn's
/// `searchsorted(cumsum, r)` clipped to the last row).
fn search(chunk_pot: &[f64], closest: &[f64], r: f64, n: usize) -> usize {
    let mut run = 0.0;
    for (c, &cp) in chunk_pot.iter().enumerate() {
        let next = run + cp;
        if next >= r {
            let start = c * CHUNK_ROWS;
            let end = (start + CHUNK_ROWS).min(n);
            let mut acc = run;
            for (i, &v) in closest[start..end].iter().enumerate() {
                acc += v;
                if acc >= r {
                    return start + i;
                }
            }
            return end - 1;
        }
        run = next;
    }
    n - 1
}

/// Candidate potentials of one chunk: `pc[b*w + l] = Σ_rows min(closest, ‖x − cand‖²)`.
/// Distances of a row to the `W` candidates of a block are `W` independent
/// lanes (`acc += (x_j − c_j)²` in feature order, as [`sq_dist`]); rows
/// are taken two at a time so their add chains overlap. The potentials are
/// added in row order. With `KEEP`, each row's distances go to `kept` (`nb
/// × W` per row).
#[inline(always)]
fn cand_chunk_impl<const W: usize, const KEEP: bool, T: Element>(
    x: &[T],
    d: usize,
    ct: &[f64],
    closest: &[f64],
    pc: &mut [f64],
    kept: &mut [f64],
) {
    let (ct, _) = ct.as_chunks::<W>();
    let (pc, _) = pc.as_chunks_mut::<W>();
    let nb = pc.len();
    let (kept, _) = kept.as_chunks_mut::<W>();
    for p in pc.iter_mut() {
        *p = [0.0; W];
    }
    let dist = |row: &[T], cb: &[[f64; W]]| {
        let mut acc = [0.0; W];
        for (&xj, c) in row.iter().zip(cb) {
            let xj = xj.wide();
            for l in 0..W {
                let t = xj - c[l];
                acc[l] += t * t;
            }
        }
        acc
    };
    let mut rows = x.chunks_exact(2 * d);
    let mut cls = closest.chunks_exact(2);
    for (i, (pair, cl)) in (&mut rows).zip(&mut cls).enumerate() {
        let (r0, r1) = pair.split_at(d);
        for (b, (cb, pb)) in ct.chunks_exact(d).zip(pc.iter_mut()).enumerate() {
            let a0 = dist(r0, cb);
            let a1 = dist(r1, cb);
            if KEEP {
                kept[2 * i * nb + b] = a0;
                kept[(2 * i + 1) * nb + b] = a1;
            }
            for l in 0..W {
                pb[l] += if a0[l] < cl[0] { a0[l] } else { cl[0] };
                pb[l] += if a1[l] < cl[1] { a1[l] } else { cl[1] };
            }
        }
    }
    let last = closest.len() - cls.remainder().len();
    if let (Some(&c0), row) = (cls.remainder().first(), rows.remainder()) {
        for (b, (cb, pb)) in ct.chunks_exact(d).zip(pc.iter_mut()).enumerate() {
            let a0 = dist(row, cb);
            if KEEP {
                kept[last * nb + b] = a0;
            }
            for l in 0..W {
                pb[l] += if a0[l] < c0 { a0[l] } else { c0 };
            }
        }
    }
}

#[inline(always)]
fn cand_chunk_any<T: Element>(
    w: usize,
    x: &[T],
    d: usize,
    ct: &[f64],
    closest: &[f64],
    pc: &mut [f64],
    kept: &mut [f64],
) {
    match (w == 4, kept.is_empty()) {
        (true, true) => cand_chunk_impl::<4, false, T>(x, d, ct, closest, pc, kept),
        (true, false) => cand_chunk_impl::<4, true, T>(x, d, ct, closest, pc, kept),
        (false, true) => cand_chunk_impl::<8, false, T>(x, d, ct, closest, pc, kept),
        (false, false) => cand_chunk_impl::<8, true, T>(x, d, ct, closest, pc, kept),
    }
}

avx2_dispatch! {
    fn cand_chunk<T: Element>(
        w: usize,
        x: &[T],
        d: usize,
        ct: &[f64],
        closest: &[f64],
        pc: &mut [f64],
        kept: &mut [f64],
    ) = cand_chunk_any;
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    /// Seeds with the candidates' distances kept and recomputed.
    fn seeds(x: &[f64], n: usize, d: usize, k: usize, keep: bool) -> (Vec<f64>, Vec<f64>) {
        let mut buf = InitBuffers::new(n, d, k);
        buf.keep = keep;
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let (mut closest, mut centres) = (vec![0.0; n], vec![0.0; k * d]);
        kmeans_plus_plus(x, n, d, k, &mut rng, &mut buf, &mut closest, &mut centres);
        (centres, closest)
    }

    #[test]
    fn kept_distances_give_the_same_seeds_bit_for_bit() {
        // An odd row count (a chunk's last row alone), 4- and 8-lane
        // candidate blocks (K = 3: 3 candidates; K = 25: 5).
        let (n, d) = (1001, 7);
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let x: Vec<f64> = (0..n * d)
            .map(|i| rng.random::<f64>() * (1 + i % 5) as f64)
            .collect();
        for k in [3, 25] {
            assert!(InitBuffers::new(n, d, k).keep);
            let (kept, recomputed) = (seeds(&x, n, d, k, true), seeds(&x, n, d, k, false));
            let bits = |v: &[f64]| v.iter().map(|f| f.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&kept.0), bits(&recomputed.0), "centres, K={k}");
            assert_eq!(bits(&kept.1), bits(&recomputed.1), "distances, K={k}");
        }
    }
}
