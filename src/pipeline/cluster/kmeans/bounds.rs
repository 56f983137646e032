//! Bounds that skip distance computations in the assignment step of Lloyd,
//! after Hamerly ("Making k-means even faster", SDM 2010): most rows keep
//! their centre from one iteration to the next, and one number per row
//! proves it without computing the row's `k` distances.
//!
//! Per row a `gap` ≤ (distance to the nearest other centre) − (distance to
//! its own centre `a`), both Hamerly's bounds folded into one. After the
//! centres move, the gap shrinks by the move of `a` plus the largest move of
//! the others (the triangle inequality). A row whose gap is still above
//! `√slack` keeps `a` without computing a distance: then every other
//! centre is farther in squared distance by more than `slack`
//! (`lower² − upper² ≥ gap²`). The other rows run the exact kernel of the
//! plain step (same formula, `‖c‖² − 2 x·c`, same tie rule), which gives
//! their label and a fresh gap from the two smallest distances. The labels
//! are therefore exactly the plain step's, and so are the sums, counts,
//! centres, iterations and inertia: every row still adds into its
//! cluster's sum in row order per chunk ([`super::sums`]), and a chunk
//! whose labels did not change keeps its sums and counts from the previous
//! iteration (they depend only on its rows and labels).
//!
//! One number instead of Hamerly's two: the two-bound version (upper and
//! lower bound, Hamerly's test against half the distance to the nearest
//! other centre, and the upper bound tightened to the exact distance to
//! `a` before the kernel, vectorised like this test) sent half as many rows
//! to the kernel, but the tightening (`d` flops and a square root for each
//! row failing the first test) cost more than it saved where the kernel is
//! 15–40 multiply-adds a row (K up to 10, about 7 features): the
//! 1M-customer job took 4.8 CPU-seconds against 4.3 with the gap.
//!
//! Why the skip is exact in floating point. The kernel picks the lowest
//! index among the smallest computed `‖c‖² − 2 x·c`; each computed value is
//! within `(d + 2) ε (‖x‖ + ‖c‖)²` of the real one (a `d + 1`-term sum of
//! products plus the rounded `‖c‖²`, Higham's bound with γ ≈ n ε / 2, here
//! doubled). So when the real squared distances differ by more than twice
//! that, the kernel's choice is the nearer centre, whatever the rounding.
//! `slack` is four times the sum: `8 (d + 2) ε (X + R)²` with `X` the
//! largest row norm and `R` the largest centre norm (about 1e-7 (X + R) as
//! a distance: no loss in practice). Equal distances (ties) never pass the
//! test, so they are always decided by the kernel.
//!
//! The gap is rounded downwards: the moves are enlarged by `(d + 4) ε` (the
//! error of a direct-form distance), the fresh distances widened by the
//! kernel's error bound, and every result stored as the `f32` one step
//! below the nearest (a step is at least 2^-24 of the value, far above the
//! 2^-53 of the operation before it). `f32` storage costs 4 bytes a row,
//! kept in the workspace's per-row distance buffer (used by the seeding
//! before Lloyd starts and by the relocation of empty clusters, after which
//! every gap is recomputed): no memory is added.
//!
//! Scale: with `X + R` outside `[1e-30, 1e30]` `f32` gaps would under- or
//! overflow and underflow in the kernel would no longer be negligible, so
//! such data run the plain step.

use rayon::prelude::*;

use super::chunks::{Exact, Found, chunk_inertia, exact_rows};
use super::sums::accumulate_by_cluster;
use super::{CHUNK_ROWS, Element, TASK_CHUNKS, Workspace};
use crate::pipeline::simd::avx2_dispatch;

const EPS: f64 = f64::EPSILON;

/// Data and centres whose norms add up to a value outside this range use the
/// plain step (see the module documentation).
const SCALE: std::ops::RangeInclusive<f64> = 1e-30..=1e30;

/// What the gaps need to know about the centres, per Lloyd iteration.
pub(super) struct Geometry {
    d: usize,
    /// Whether every row's gap holds for the current centres.
    pub valid: bool,
    /// How far each centre moved in the last update, as computed.
    pub drift: Vec<f64>,
    /// Per centre, how much the gap of its rows shrinks after the last
    /// update (rounded up; 0 when no centre moved). At least 16 long (zeros
    /// past `k`), for the vector lookup.
    shrink: Vec<f32>,
    /// Upper bounds of the largest row norm and of the largest centre norm.
    x_norm: f64,
    c_norm: f64,
    /// `8 (d + 2) ε`: four times the kernel's relative error.
    kappa: f64,
    /// Rows the gaps settled, over all passes (for the tests).
    #[cfg(test)]
    pub settled: std::sync::atomic::AtomicUsize,
}

impl Geometry {
    pub fn new(k: usize, d: usize) -> Geometry {
        Geometry {
            d,
            valid: false,
            drift: vec![0.0; k],
            shrink: vec![0.0; k.max(16)],
            x_norm: 0.0,
            c_norm: 0.0,
            kappa: 8.0 * (d as f64 + 2.0) * EPS,
            #[cfg(test)]
            settled: Default::default(),
        }
    }

    /// Starts a Lloyd run from `centres` on rows whose norms are at most
    /// `x_norm`; whether the bounds can be used on this data. Later centres
    /// are means of rows (or rows), so their norms stay within `x_norm` or
    /// the first centres'.
    pub fn start(&mut self, x_norm: f64, centres: &[f64]) -> bool {
        self.valid = false;
        self.x_norm = x_norm;
        self.c_norm = max_norm(centres, self.d);
        SCALE.contains(&(x_norm + self.c_norm))
    }

    /// After an update of the centres (with `drift` filled): how much each
    /// centre's rows lose of their gap.
    pub fn moved(&mut self, centres: &[f64]) {
        let up = 1.0 + (self.d as f64 + 4.0) * EPS;
        let mut top = [(0.0f64, usize::MAX); 2];
        for (c, &s) in self.drift.iter().enumerate() {
            if s > top[0].0 {
                top = [(s, c), top[0]];
            } else if s > top[1].0 {
                top[1] = (s, c);
            }
        }
        for (c, (t, &s)) in self.shrink.iter_mut().zip(&self.drift).enumerate() {
            let other = if c == top[0].1 { top[1].0 } else { top[0].0 };
            let total = (s + other) * up;
            *t = if total == 0.0 { 0.0 } else { up32(total) };
        }
        self.c_norm = max_norm(centres, self.d);
    }

    /// Margin of the skip test in squared distance (see the module docs).
    pub(super) fn slack(&self) -> f64 {
        let s = self.x_norm + self.c_norm;
        self.kappa * s * s
    }

    /// The smallest gap that settles a row: `√slack`, rounded up.
    pub(super) fn min_gap(&self) -> f32 {
        up32(self.slack().sqrt())
    }
}

/// Upper bound of the largest norm of the rows of `x` (`d` columns).
pub(super) fn max_norm<T: Element>(x: &[T], d: usize) -> f64 {
    let up = 1.0 + (d as f64 + 4.0) * EPS;
    let sq = x
        .par_chunks(CHUNK_ROWS * d)
        .map(|chunk| {
            chunk
                .chunks_exact(d)
                .map(|row| row.iter().fold(0.0, |s, &v| s + v.wide() * v.wide()))
                .fold(0.0, f64::max)
        })
        .reduce(|| 0.0, f64::max);
    sq.sqrt() * up
}

// Directed rounding to `f32`, without branches (their outcome would be a
// coin toss per row): the nearest `f32`, then one step outwards. A step is
// at least 2^-24 of the value, so this also covers one rounding of `v` in
// `f64` (2^-53) before it.

/// An `f32` at or above `v` (`|v|` for a negative `v`); infinity for NaN,
/// infinite or too large values.
#[inline(always)]
pub(super) fn up32(v: f64) -> f32 {
    let bits = (v as f32).to_bits() & 0x7FFF_FFFF;
    f32::from_bits(bits.saturating_add(1).min(f32::INFINITY.to_bits()))
}

/// An `f32` at or below `v`, and at least 0 (0 for NaN).
#[inline(always)]
pub(super) fn down32(v: f64) -> f32 {
    f32::from_bits((v as f32).to_bits().wrapping_sub(1)).max(0.0)
}

/// `gap − shrink`, rounded down, at least 0; `gap` itself when the shrink
/// is 0.
#[inline(always)]
pub(super) fn shrunk(gap: f32, shrink: f32) -> f32 {
    let step = (shrink != 0.0) as u32;
    f32::from_bits((gap - shrink).to_bits().wrapping_sub(step)).max(0.0)
}

/// The per-row gaps, in the first half of the workspace's distance buffer.
fn as_gaps(buf: &mut [f64]) -> &mut [f32] {
    let n = buf.len();
    // SAFETY: two `f32` fit in the bytes of each `f64`, `f32`'s alignment
    // is weaker, and every bit pattern is a valid value of both types.
    unsafe { std::slice::from_raw_parts_mut(buf.as_mut_ptr().cast::<f32>(), n) }
}

/// What every chunk of one step reads.
pub(super) struct Step<'a> {
    d: usize,
    pub(super) exact: Exact<'a>,
    centres: &'a [f64],
    geo: &'a Geometry,
}

impl Workspace {
    /// What every chunk of a step reads (centres loaded).
    pub(super) fn step(&self) -> Step<'_> {
        Step {
            d: self.d,
            exact: Exact {
                w: self.w,
                k: self.k,
                mt: &self.mt,
                cn: &self.cn,
            },
            centres: &self.centres,
            geo: &self.geo,
        }
    }
}

/// Per-task buffers of a step.
pub(super) struct Scratch {
    todo: [u16; CHUNK_ROWS],
    found: Box<Found>,
    gaps: [f32; CHUNK_ROWS],
}

impl Scratch {
    fn new() -> Box<Scratch> {
        Box::new(Scratch {
            todo: [0; CHUNK_ROWS],
            found: Found::new(),
            gaps: [0.0; CHUNK_ROWS],
        })
    }
}

/// The rows of a chunk the gaps do not settle (indices into `todo`, how
/// many returned): each row's gap shrinks by `shrink[label]`, and is
/// compared with `min_gap`.
#[inline(always)]
pub(super) fn unsettled_any(
    labels: &[u32],
    gaps: &mut [f32],
    shrink: &[f32],
    min_gap: f32,
    todo: &mut [u16; CHUNK_ROWS],
) -> usize {
    let mut m = 0;
    for (i, (&a, g)) in labels.iter().zip(gaps.iter_mut()).enumerate() {
        *g = shrunk(*g, shrink[a as usize]);
        todo[m] = i as u16;
        m += (*g <= min_gap) as usize;
    }
    m
}

avx2_dispatch! {
    /// [`unsettled_any`], eight rows at a time where the CPU has AVX2.
    fn unsettled(
        labels: &[u32],
        gaps: &mut [f32],
        shrink: &[f32],
        min_gap: f32,
        todo: &mut [u16; CHUNK_ROWS],
    ) -> usize => avx2: super::avx2::unsettled, portable: unsettled_any;
}

/// Fresh gaps of the rows the exact kernel ran on, from what it found:
/// each squared distance `nx + value` widened by the kernel's error bound
/// `κ (‖x‖ + R)² ≤ 2 κ (nx + R²)`, each square root by two rounding steps,
/// the difference rounded down.
#[inline(always)]
fn fresh_gaps(geo: &Geometry, m: usize, found: &Found, out: &mut [f32; CHUNK_ROWS]) {
    let (e1, e0) = (2.0 * geo.kappa, 2.0 * geo.kappa * geo.c_norm * geo.c_norm);
    let (lo, hi) = (1.0 - 2.0 * EPS, 1.0 + 2.0 * EPS);
    let rows = found.nx[..m]
        .iter()
        .zip(&found.first[..m])
        .zip(&found.second[..m]);
    for (((&nx, &first), &second), o) in rows.zip(out.iter_mut()) {
        let err = e1 * nx + e0;
        let upper = (nx + first + err).max(0.0).sqrt();
        let lower = (nx + second - err).max(0.0).sqrt();
        *o = down32(lower * lo - upper * hi);
    }
}

/// Labels of one chunk: the gaps settle what they can, the exact kernel
/// the rest. Returns how many labels changed.
#[inline(always)]
fn assign_rows<T: Element>(
    x: &[T],
    step: &Step,
    labels: &mut [u32],
    gaps: &mut [f32],
    scratch: &mut Scratch,
) -> u32 {
    let todo = &mut scratch.todo;
    let m = if step.geo.valid {
        let geo = step.geo;
        unsettled(labels, gaps, &geo.shrink, geo.min_gap(), todo)
    } else {
        for (i, t) in todo.iter_mut().enumerate().take(labels.len()) {
            *t = i as u16;
        }
        labels.len()
    };
    #[cfg(test)]
    step.geo
        .settled
        .fetch_add(labels.len() - m, std::sync::atomic::Ordering::Relaxed);
    let (todo, found) = (&todo[..m], &mut scratch.found);
    let changed = exact_rows(x, step.d, &step.exact, todo, labels, found);
    fresh_gaps(step.geo, m, found, &mut scratch.gaps);
    for (&i, &g) in todo.iter().zip(&scratch.gaps) {
        gaps[i as usize] = g;
    }
    changed
}

#[inline(always)]
fn lloyd_chunk_impl<T: Element>(
    x: &[T],
    step: &Step,
    labels: &mut [u32],
    gaps: &mut [f32],
    sums: &mut [f64],
    counts: &mut [u32],
    scratch: &mut Scratch,
) -> u32 {
    let changed = assign_rows(x, step, labels, gaps, scratch);
    // The chunk's sums depend only on its rows and their labels: when no
    // label changed they are still the ones of the previous iteration.
    if changed > 0 || !step.geo.valid {
        accumulate_by_cluster(x, step.d, labels, sums, counts, &mut scratch.todo);
    }
    changed
}

#[inline(always)]
fn assign_chunk_impl<T: Element>(
    x: &[T],
    step: &Step,
    labels: &mut [u32],
    gaps: &mut [f32],
    scratch: &mut Scratch,
) -> f64 {
    assign_rows(x, step, labels, gaps, scratch);
    chunk_inertia(x, step.d, step.centres, labels)
}

avx2_dispatch! {
    /// One chunk of a Lloyd iteration with gaps: labels, per-cluster sums
    /// and counts as the plain step's; returns how many labels changed.
    fn lloyd_chunk<T: Element>(
        x: &[T],
        step: &Step,
        labels: &mut [u32],
        gaps: &mut [f32],
        sums: &mut [f64],
        counts: &mut [u32],
        scratch: &mut Scratch,
    ) -> u32 = lloyd_chunk_impl;
}

avx2_dispatch! {
    /// One chunk of the final assignment with gaps: labels and inertia.
    fn assign_chunk<T: Element>(
        x: &[T],
        step: &Step,
        labels: &mut [u32],
        gaps: &mut [f32],
        scratch: &mut Scratch,
    ) -> f64 = assign_chunk_impl;
}

/// The assignment step of a Lloyd iteration with gaps (centres loaded):
/// labels, and per chunk the sums, counts and number of changed labels.
pub(super) fn lloyd_pass<T: Element>(x: &[T], ws: &mut Workspace) {
    let (k, d) = (ws.k, ws.d);
    let mut gaps = std::mem::take(&mut ws.dist);
    let mut labels = std::mem::take(&mut ws.labels);
    let mut psums = std::mem::take(&mut ws.psums);
    let mut pcounts = std::mem::take(&mut ws.pcounts);
    let mut pchanged = std::mem::take(&mut ws.pchanged);
    let step = ws.step();
    x.par_chunks(CHUNK_ROWS * d)
        .zip(labels.par_chunks_mut(CHUNK_ROWS))
        .zip(as_gaps(&mut gaps).par_chunks_mut(CHUNK_ROWS))
        .zip(psums.par_chunks_mut(k * d))
        .zip(pcounts.par_chunks_mut(k))
        .zip(pchanged.par_iter_mut())
        .with_min_len(TASK_CHUNKS)
        .for_each_init(
            Scratch::new,
            |scratch, (((((x, lab), gap), sums), counts), ch)| {
                *ch = lloyd_chunk(x, &step, lab, gap, sums, counts, scratch);
            },
        );
    (ws.dist, ws.labels, ws.psums, ws.pcounts) = (gaps, labels, psums, pcounts);
    ws.pchanged = pchanged;
    ws.geo.valid = true;
}

/// The final assignment with gaps (centres loaded): labels, and the inertia
/// of each chunk.
pub(super) fn assign_pass<T: Element>(x: &[T], ws: &mut Workspace) {
    let d = ws.d;
    let mut gaps = std::mem::take(&mut ws.dist);
    let mut labels = std::mem::take(&mut ws.labels);
    let mut pinertia = std::mem::take(&mut ws.pinertia);
    let step = ws.step();
    x.par_chunks(CHUNK_ROWS * d)
        .zip(labels.par_chunks_mut(CHUNK_ROWS))
        .zip(as_gaps(&mut gaps).par_chunks_mut(CHUNK_ROWS))
        .zip(pinertia.par_iter_mut())
        .with_min_len(TASK_CHUNKS)
        .for_each_init(Scratch::new, |scratch, (((x, lab), gap), inertia)| {
            *inertia = assign_chunk(x, &step, lab, gap, scratch);
        });
    (ws.dist, ws.labels, ws.pinertia) = (gaps, labels, pinertia);
    ws.geo.valid = true;
}
