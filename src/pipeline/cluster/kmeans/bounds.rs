//! Hamerly's bounds for the assignment step of Lloyd (G. Hamerly, "Making
//! k-means even faster", SDM 2010): most rows keep their centre from one
//! iteration to the next, and two numbers per row prove it without
//! computing the row's `k` distances.
//!
//! Per row: `upper` ≥ the distance to its centre `a`, `lower` ≤ the distance
//! to every other centre. Per centre: `sep` ≤ the distance to the nearest
//! other centre, so every other centre is at least `sep − upper` away too.
//! After the centres move, `upper` grows by the move of `a` and `lower`
//! shrinks by the largest move of the others. A row is settled (keeps `a`,
//! no distances computed) when, with `lo = max(lower, sep − upper)`,
//!
//! ```text
//! (lo − upper) (lo + upper) = lo² − upper² > slack,
//! ```
//!
//! i.e. every other centre is farther in squared distance by more than
//! `slack`; when not, `upper` is tightened to the exact distance to `a`
//! (direct form, `d` flops) and the test is made again. The rows still
//! unsettled run the exact kernel of the plain step (same formula,
//! `‖c‖² − 2 x·c`, same tie rule), which gives their label and fresh bounds.
//! The labels are therefore exactly the plain step's, and so are the sums,
//! counts, centres, iterations and inertia (accumulated as before, every
//! row in row order per chunk).
//!
//! Why the skip is exact in floating point. The kernel picks the lowest
//! index among the smallest computed `‖c‖² − 2 x·c`; each computed value is
//! within `(d + 2) ε (‖x‖ + ‖c‖)²` of the real one (a `d + 1`-term sum of
//! products plus the rounded `‖c‖²`, Higham's bound with γ ≈ n ε / 2, here
//! doubled). So when the real squared distances differ by more than twice
//! that, the kernel's choice is the nearer centre, whatever the rounding.
//! `slack` is four times the sum: `8 (d + 2) ε (X + R)²` with `X` the
//! largest row norm and `R` the largest centre norm. Equal distances (ties)
//! never pass the test, so they are always decided by the kernel.
//!
//! The bounds themselves are rounded outwards: every quantity that feeds an
//! upper bound is enlarged (and every lower bound reduced) by a relative
//! margin well above its rounding error — the moves and centre separations
//! by `(d + 4) ε`, the distances from the kernel by the kernel's error
//! bound — and then stored as `f32` rounded up (upper) or down (lower).
//! `f32` halves their memory; they share the workspace's per-row distance
//! buffer (8 bytes a row, used by the seeding before Lloyd starts and by
//! the relocation of empty clusters, after which every bound is recomputed),
//! so they cost no memory at all.
//!
//! Scale: with `X + R` outside `[1e-30, 1e30]` the `f32` bounds would
//! under- or overflow and underflow in the kernel would no longer be
//! negligible, so such data run the plain step.

use rayon::prelude::*;

use super::chunks::{Nearest2, accumulate, chunk_inertia, nearest2_rows};
use super::{CHUNK_ROWS, Element, Workspace, sq_dist};
use crate::pipeline::simd::avx2_dispatch;

const EPS: f64 = f64::EPSILON;

/// Data and centres whose norms add up to a value outside this range use the
/// plain step (see the module documentation).
const SCALE: std::ops::RangeInclusive<f64> = 1e-30..=1e30;

/// What the bounds need to know about the centres, per Lloyd iteration.
pub(super) struct Geometry {
    d: usize,
    /// Whether every row's bounds hold for the current centres.
    pub valid: bool,
    /// How far each centre moved in the last update, as computed.
    pub drift: Vec<f64>,
    /// `drift` rounded up, and the largest of the other centres' moves.
    drift_up: Vec<f64>,
    other_up: Vec<f64>,
    /// Lower bound of each centre's distance to the nearest other centre.
    sep: Vec<f64>,
    /// Upper bounds of the largest row norm and of the largest centre norm.
    x_norm: f64,
    c_norm: f64,
    /// `8 (d + 2) ε`: four times the kernel's relative error.
    kappa: f64,
    /// Rows the bounds settled, over all passes (for the tests).
    #[cfg(test)]
    pub settled: std::sync::atomic::AtomicUsize,
}

impl Geometry {
    pub fn new(k: usize, d: usize) -> Geometry {
        Geometry {
            d,
            valid: false,
            drift: vec![0.0; k],
            drift_up: vec![0.0; k],
            other_up: vec![0.0; k],
            sep: vec![0.0; k],
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

    /// After an update of the centres (with `drift` filled): the rounded-up
    /// moves and the separations of the new centres.
    pub fn moved(&mut self, centres: &[f64]) {
        let d = self.d;
        let up = 1.0 + (d as f64 + 4.0) * EPS;
        let mut top = [(0.0f64, usize::MAX); 2];
        for (c, (u, &s)) in self.drift_up.iter_mut().zip(&self.drift).enumerate() {
            *u = s * up;
            if *u > top[0].0 {
                top = [(*u, c), top[0]];
            } else if *u > top[1].0 {
                top[1] = (*u, c);
            }
        }
        for (c, o) in self.other_up.iter_mut().enumerate() {
            *o = if c == top[0].1 { top[1].0 } else { top[0].0 };
        }
        self.sep.fill(f64::INFINITY);
        let down = 1.0 - (d as f64 + 4.0) * EPS;
        for (a, ca) in centres.chunks_exact(d).enumerate() {
            for (b, cb) in centres.chunks_exact(d).enumerate().skip(a + 1) {
                let s = sq_dist(ca, cb).sqrt() * down;
                self.sep[a] = self.sep[a].min(s);
                self.sep[b] = self.sep[b].min(s);
            }
        }
        self.c_norm = max_norm(centres, d);
    }

    /// Margin of the skip test in squared distance (see the module docs).
    pub(super) fn slack(&self) -> f64 {
        let s = self.x_norm + self.c_norm;
        self.kappa * s * s
    }

    /// Fresh bounds of a row from the kernel's two smallest values.
    #[inline(always)]
    fn fresh<T: Element>(&self, row: &[T], near: &Nearest2) -> [f32; 2] {
        let nx = row.iter().fold(0.0, |s, &v| s + v.wide() * v.wide());
        let s = nx.sqrt() + self.c_norm;
        let err = self.kappa * s * s;
        [
            up32((nx + near.first + err).max(0.0).sqrt()),
            down32((nx + near.second - err).max(0.0).sqrt()),
        ]
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

/// `v` rounded up to an `f32` after a relative margin that covers one
/// rounding of `v` in `f64`; NaN becomes infinity.
#[inline(always)]
pub(super) fn up32(v: f64) -> f32 {
    let v = v * (1.0 + 4.0 * EPS);
    let f = v as f32;
    if f as f64 >= v {
        f
    } else if v.is_nan() {
        f32::INFINITY
    } else {
        f.next_up()
    }
}

/// `v` rounded down to an `f32` (as [`up32`]); negative and NaN become 0.
#[inline(always)]
pub(super) fn down32(v: f64) -> f32 {
    let v = v * (1.0 - 4.0 * EPS);
    let f = v as f32;
    let f = if f as f64 <= v { f } else { f.next_down() };
    if f > 0.0 { f } else { 0.0 }
}

/// Whether the bounds prove that the row's centre is the kernel's choice.
#[inline(always)]
pub(super) fn settles(upper: f32, lower: f32, sep: f64, slack: f64) -> bool {
    let (u, l) = (upper as f64, lower as f64);
    let lo = l.max((sep - u) * (1.0 - 4.0 * EPS));
    (lo - u) * (lo + u) > slack
}

/// The per-row bounds, two `f32` in each 8-byte slot of the workspace's
/// distance buffer.
fn as_bounds(buf: &mut [f64]) -> &mut [[f32; 2]] {
    // SAFETY: `[f32; 2]` has the size of `f64` and a weaker alignment, and
    // every bit pattern is a valid value of both types.
    unsafe { std::slice::from_raw_parts_mut(buf.as_mut_ptr().cast::<[f32; 2]>(), buf.len()) }
}

/// What every chunk of one step reads.
pub(super) struct Step<'a> {
    w: usize,
    k: usize,
    d: usize,
    mt: &'a [f64],
    cn: &'a [f64],
    centres: &'a [f64],
    geo: &'a Geometry,
}

/// The rows of a chunk the bounds do not settle (indices into `todo`, how
/// many returned); updates the bounds of the others.
#[inline(always)]
fn unsettled<T: Element>(
    x: &[T],
    step: &Step,
    labels: &[u32],
    bounds: &mut [[f32; 2]],
    todo: &mut [u16; CHUNK_ROWS],
) -> usize {
    let (d, geo) = (step.d, step.geo);
    let slack = geo.slack();
    let up = 1.0 + (d as f64 + 4.0) * EPS;
    let mut m = 0;
    let rows = x.chunks_exact(d).zip(labels).zip(bounds.iter_mut());
    for (i, ((row, &a), b)) in rows.enumerate() {
        let a = a as usize;
        let (du, dl) = (geo.drift_up[a], geo.other_up[a]);
        let u = if du == 0.0 {
            b[0]
        } else {
            up32(b[0] as f64 + du)
        };
        let l = if dl == 0.0 {
            b[1]
        } else {
            down32(b[1] as f64 - dl)
        };
        let sep = geo.sep[a];
        if settles(u, l, sep, slack) {
            *b = [u, l];
            continue;
        }
        let u = up32(sq_dist(row, &step.centres[a * d..][..d]).sqrt() * up);
        *b = [u, l];
        if !settles(u, l, sep, slack) {
            todo[m] = i as u16;
            m += 1;
        }
    }
    m
}

/// Labels of one chunk: the bounds settle what they can, the exact kernel
/// the rest. Returns how many labels changed.
#[inline(always)]
fn assign_rows<T: Element>(
    x: &[T],
    step: &Step,
    labels: &mut [u32],
    bounds: &mut [[f32; 2]],
) -> u32 {
    let mut todo = [0u16; CHUNK_ROWS];
    let m = if step.geo.valid {
        unsettled(x, step, labels, bounds, &mut todo)
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
    let mut near = [Nearest2::default(); CHUNK_ROWS];
    let (todo, near) = (&todo[..m], &mut near[..m]);
    nearest2_rows(step.w, x, step.d, step.mt, step.cn, todo, near);
    let mut changed = 0;
    let last = step.k as u32 - 1;
    for (&i, nr) in todo.iter().zip(near.iter()) {
        let i = i as usize;
        let label = nr.label.min(last);
        changed += (labels[i] != label) as u32;
        labels[i] = label;
        bounds[i] = step.geo.fresh(&x[i * step.d..][..step.d], nr);
    }
    changed
}

#[inline(always)]
fn lloyd_chunk_impl<T: Element>(
    x: &[T],
    step: &Step,
    labels: &mut [u32],
    bounds: &mut [[f32; 2]],
    sums: &mut [f64],
    counts: &mut [u32],
) -> u32 {
    let changed = assign_rows(x, step, labels, bounds);
    sums.fill(0.0);
    counts.fill(0);
    accumulate(x, step.d, labels, sums, counts);
    changed
}

#[inline(always)]
fn assign_chunk_impl<T: Element>(
    x: &[T],
    step: &Step,
    labels: &mut [u32],
    bounds: &mut [[f32; 2]],
) -> f64 {
    assign_rows(x, step, labels, bounds);
    chunk_inertia(x, step.d, step.centres, labels)
}

avx2_dispatch! {
    /// One chunk of a Lloyd iteration with bounds: labels, per-cluster sums
    /// and counts as the plain step's; returns how many labels changed.
    fn lloyd_chunk<T: Element>(
        x: &[T],
        step: &Step,
        labels: &mut [u32],
        bounds: &mut [[f32; 2]],
        sums: &mut [f64],
        counts: &mut [u32],
    ) -> u32 = lloyd_chunk_impl;
}

avx2_dispatch! {
    /// One chunk of the final assignment with bounds: labels and inertia.
    fn assign_chunk<T: Element>(
        x: &[T],
        step: &Step,
        labels: &mut [u32],
        bounds: &mut [[f32; 2]],
    ) -> f64 = assign_chunk_impl;
}

/// The assignment step of a Lloyd iteration with bounds (centres loaded):
/// labels, and per chunk the sums, counts and number of changed labels.
pub(super) fn lloyd_pass<T: Element>(x: &[T], ws: &mut Workspace) {
    let (k, d) = (ws.k, ws.d);
    let step = Step {
        w: ws.w,
        k,
        d,
        mt: &ws.mt,
        cn: &ws.cn,
        centres: &ws.centres,
        geo: &ws.geo,
    };
    x.par_chunks(CHUNK_ROWS * d)
        .zip(ws.labels.par_chunks_mut(CHUNK_ROWS))
        .zip(as_bounds(&mut ws.dist).par_chunks_mut(CHUNK_ROWS))
        .zip(ws.psums.par_chunks_mut(k * d))
        .zip(ws.pcounts.par_chunks_mut(k))
        .zip(ws.pchanged.par_iter_mut())
        .for_each(|(((((x, lab), bnd), sums), counts), changed)| {
            *changed = lloyd_chunk(x, &step, lab, bnd, sums, counts);
        });
    ws.geo.valid = true;
}

/// The final assignment with bounds (centres loaded): labels, and the
/// inertia of each chunk.
pub(super) fn assign_pass<T: Element>(x: &[T], ws: &mut Workspace) {
    let d = ws.d;
    let step = Step {
        w: ws.w,
        k: ws.k,
        d,
        mt: &ws.mt,
        cn: &ws.cn,
        centres: &ws.centres,
        geo: &ws.geo,
    };
    x.par_chunks(CHUNK_ROWS * d)
        .zip(ws.labels.par_chunks_mut(CHUNK_ROWS))
        .zip(as_bounds(&mut ws.dist).par_chunks_mut(CHUNK_ROWS))
        .zip(ws.pinertia.par_iter_mut())
        .for_each(|(((x, lab), bnd), inertia)| {
            *inertia = assign_chunk(x, &step, lab, bnd);
        });
    ws.geo.valid = true;
}
