//! Lloyd's k-means kernel: configuration, result, restarts and the per-chunk
//! hot loops (assignment fused with centre accumulation).
//!
//! Layout of the hot loop: centres are kept transposed in lane blocks of `W`
//! centres (`W` = 4, 8, 12 or 16), pre-multiplied by −2, so the distance used
//! for the argmin, `‖c‖² − 2 x·c`, is `W` independent lanes that the compiler
//! vectorises. An AVX2 build of the same code is picked at run time when the
//! CPU has it; it performs the same IEEE operations in the same order per lane
//! (Rust never contracts `a * b + c` into an FMA), so results do not depend on
//! which path ran.
//!
//! Storage: the centred copy of the data is kept in `f64` by default, or in
//! `f32` ([`Storage::F32`]) to halve its memory and the bytes each iteration
//! reads. Every value is widened to `f64` as it is loaded and all arithmetic
//! (distances, sums, centres, inertia) stays in `f64`, so an `f32` fit is
//! exactly the `f64` fit of the data rounded to `f32` after centring.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

use super::{CHUNK_ROWS, TASK_CHUNKS, check_matrix, count_distinct_rows, init, too_few_rows};
use crate::pipeline::linalg::row_major;
use crate::pipeline::progress::Progress;
use crate::{Error, Result};
use ndarray::ArrayView2;

#[cfg(target_arch = "x86_64")]
mod avx2;
mod bounds;
#[cfg(test)]
mod bounds_tests;
mod chunks;
mod sums;

use chunks::{assign_chunk, lloyd_chunk};

/// How the initial centres of each restart are chosen.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Init {
    /// Greedy k-means++ (scikit-learn's default).
    KMeansPlusPlus,
    /// These centres (row-major `k × d`, in the data's units). One run only.
    Given(Vec<f64>),
}

/// How the centred working copy of the data is stored.
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    strum::EnumString,
    strum::IntoStaticStr,
)]
#[serde(rename_all = "lowercase")]
#[strum(
    ascii_case_insensitive,
    parse_err_ty = String,
    parse_err_fn = unknown_storage
)]
pub enum Storage {
    /// 8 bytes per value: exact.
    #[default]
    #[strum(to_string = "f64", serialize = "double")]
    F64,
    /// 4 bytes per value (about 7 significant digits), accumulated in `f64`:
    /// half the memory and memory traffic, for very large tables.
    #[strum(to_string = "f32", serialize = "float", serialize = "single")]
    F32,
}

fn unknown_storage(s: &str) -> String {
    format!("unknown storage '{s}' (expected f64 or f32)")
}

/// A stored value of the working copy; widened to `f64` for every use.
pub(crate) trait Element: Copy + Default + Send + Sync + 'static {
    fn narrow(v: f64) -> Self;
    fn wide(self) -> f64;
}

impl Element for f64 {
    #[inline(always)]
    fn narrow(v: f64) -> Self {
        v
    }
    #[inline(always)]
    fn wide(self) -> f64 {
        self
    }
}

impl Element for f32 {
    #[inline(always)]
    fn narrow(v: f64) -> Self {
        v as f32
    }
    #[inline(always)]
    fn wide(self) -> f64 {
        self as f64
    }
}

/// The most clusters one fit makes: a label is one byte.
pub const MAX_CLUSTERS: usize = u8::MAX as usize;

/// Options of one k-means fit.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KMeansConfig {
    /// Number of clusters (≥ 1).
    pub k: usize,
    /// Restarts; the lowest inertia wins. Default 10.
    pub n_init: usize,
    /// Maximum Lloyd iterations per restart. Default 300.
    pub max_iter: usize,
    /// Relative tolerance: stop when Σ‖Δc‖² ≤ tol × mean column variance.
    /// Default 1e-4. 0 means "until the labels stop changing".
    pub tol: f64,
    /// Seed of every random choice.
    pub seed: u64,
    /// Seeding method. Default k-means++.
    pub init: Init,
    /// Storage of the working copy. Default `f64`.
    #[serde(default)]
    pub storage: Storage,
}

impl KMeansConfig {
    /// scikit-learn's defaults for `k` clusters, seed 0.
    pub fn new(k: usize) -> Self {
        KMeansConfig {
            k,
            n_init: 10,
            max_iter: 300,
            tol: 1e-4,
            seed: 0,
            init: Init::KMeansPlusPlus,
            storage: Storage::F64,
        }
    }
}

/// Outcome of one k-means fit (the best restart).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KMeansResult {
    pub k: usize,
    /// Number of features.
    pub d: usize,
    /// Row-major `k × d` centres, in the data's units.
    pub centres: Vec<f64>,
    /// Cluster of each row, `0..k`; nearest centre of `centres`. One byte
    /// each (K is at most [`MAX_CLUSTERS`]): a sweep keeps the labels of
    /// every K, 10 × 40 MB at 10M customers as `u32`.
    pub labels: Vec<u8>,
    /// Rows per cluster.
    pub sizes: Vec<usize>,
    /// Sum of squared distances of the rows to their centre (SSE).
    pub inertia: f64,
    /// Lloyd iterations of the best restart.
    pub n_iter: usize,
    /// Whether the best restart stopped before `max_iter`.
    pub converged: bool,
    /// Restarts actually run.
    pub n_init: usize,
    /// Index of the restart that was kept.
    pub best_restart: usize,
    /// Anything the user should know (ignored options, empty clusters).
    pub warnings: Vec<String>,
}

/// Fits k-means. See the module documentation for the exact semantics.
pub fn kmeans(
    x: ArrayView2<f64>,
    cfg: &KMeansConfig,
    progress: &dyn Progress,
) -> Result<KMeansResult> {
    let (n, d) = x.dim();
    check_config(cfg, d)?;
    check_matrix(x, &[])?;
    let distinct = count_distinct_rows(&row_major(&x), d, cfg.k);
    if n < cfg.k || distinct < cfg.k {
        return Err(too_few_rows(n, distinct, cfg.k));
    }
    let span = Span {
        progress,
        base: 0.0,
        width: 1.0,
        prefix: format!("k-means K={}", cfg.k),
    };
    Working::new(cfg.storage, x).fit(cfg, &span)
}

/// Label of the nearest centre for each row (direct `‖x − c‖²`; ties go to the
/// lower cluster index). For scoring new rows with saved centres.
pub fn assign_nearest(x: ArrayView2<f64>, centres: ArrayView2<f64>) -> Result<Vec<u32>> {
    let (n, d) = x.dim();
    let k = centres.nrows();
    if k == 0 {
        return Err(Error::usage("no centres to assign to (K = 0)"));
    }
    if centres.ncols() != d {
        return Err(Error::usage(format!(
            "centres have {} columns, expected {d} features",
            centres.ncols()
        )));
    }
    if centres.iter().any(|v| !v.is_finite()) {
        return Err(Error::usage("the centres contain NaN or infinite values"));
    }
    check_matrix(x, &[])?;
    let (data, centres) = (row_major(&x), row_major(&centres));
    let mut labels = vec![0u32; n];
    labels
        .par_chunks_mut(CHUNK_ROWS)
        .zip(data.par_chunks(CHUNK_ROWS * d))
        .for_each(|(lab, x)| {
            for (l, row) in lab.iter_mut().zip(x.chunks_exact(d)) {
                let mut best = 0;
                let mut best_v = f64::INFINITY;
                for (c, centre) in centres.chunks_exact(d).enumerate() {
                    let v = sq_dist(row, centre);
                    if v < best_v {
                        best_v = v;
                        best = c;
                    }
                }
                *l = best as u32;
            }
        });
    Ok(labels)
}

pub(crate) fn check_config(cfg: &KMeansConfig, d: usize) -> Result<()> {
    if cfg.k == 0 {
        return Err(Error::usage("K must be at least 1 (got K = 0)"));
    }
    if cfg.k > MAX_CLUSTERS {
        return Err(Error::usage(format!(
            "K must be at most {MAX_CLUSTERS} (got K = {})",
            cfg.k
        )));
    }
    if cfg.n_init == 0 {
        return Err(Error::usage("n_init must be at least 1"));
    }
    if cfg.max_iter == 0 {
        return Err(Error::usage("max_iter must be at least 1"));
    }
    if !(cfg.tol >= 0.0 && cfg.tol.is_finite()) {
        return Err(Error::usage(format!(
            "tol must be a finite number >= 0 (got {})",
            cfg.tol
        )));
    }
    if let Init::Given(c) = &cfg.init {
        if c.len() != cfg.k.saturating_mul(d) {
            return Err(Error::usage(format!(
                "given initial centres have {} values, expected K={} x {d} features",
                c.len(),
                cfg.k
            )));
        }
        if c.iter().any(|v| !v.is_finite()) {
            return Err(Error::usage(
                "given initial centres contain NaN or infinite values",
            ));
        }
    }
    Ok(())
}

/// Squared Euclidean distance, direct form, features in order.
#[inline(always)]
pub(crate) fn sq_dist<T: Element>(a: &[T], b: &[f64]) -> f64 {
    let mut s = 0.0;
    for (&x, &y) in a.iter().zip(b) {
        let t = x.wide() - y;
        s += t * t;
    }
    s
}

/// The data centred on its column means, plus what the fits need from it.
pub(crate) struct Prepared<'a, T: Element> {
    pub n: usize,
    pub d: usize,
    /// Centred copy, row-major `n × d`, stored as `T`; or the caller's rows
    /// themselves, not centred (`mean` is then zero), see [`Working::borrowing`].
    pub x: Cow<'a, [T]>,
    /// Column means that were subtracted.
    pub mean: Vec<f64>,
    /// Mean of the column variances (population variance, as numpy's `var`).
    pub mean_var: f64,
}

impl<T: Element> Prepared<'static, T> {
    pub fn new(x: ArrayView2<f64>) -> Prepared<'static, T> {
        let (n, d) = x.dim();
        let data = &*row_major(&x);
        let mean = column_sums(data, d)
            .into_iter()
            .map(|s| s / n as f64)
            .collect::<Vec<_>>();
        let mut x = vec![T::default(); data.len()];
        x.par_chunks_mut(CHUNK_ROWS * d)
            .zip(data.par_chunks(CHUNK_ROWS * d))
            .for_each(|(dst, src)| {
                for (drow, srow) in dst.chunks_exact_mut(d).zip(src.chunks_exact(d)) {
                    for ((o, &v), &m) in drow.iter_mut().zip(srow).zip(&mean) {
                        *o = T::narrow(v - m);
                    }
                }
            });
        let var = column_sums_of(&x, d, |v| v * v);
        let mean_var = var.iter().map(|v| v / n as f64).sum::<f64>() / d as f64;
        Prepared {
            n,
            d,
            x: Cow::Owned(x),
            mean,
            mean_var,
        }
    }
}

impl<'a> Prepared<'a, f64> {
    /// The rows as they are, without a centred copy: `mean` is zero and the
    /// variance is taken about the column means.
    fn borrowing(data: &'a [f64], n: usize, d: usize) -> Prepared<'a, f64> {
        let mean = column_sums(data, d)
            .into_iter()
            .map(|s| s / n as f64)
            .collect::<Vec<_>>();
        let partial = data
            .par_chunks(CHUNK_ROWS * d)
            .map(|chunk| {
                let mut s = 0.0;
                for row in chunk.chunks_exact(d) {
                    for (&v, &m) in row.iter().zip(&mean) {
                        s += (v - m) * (v - m);
                    }
                }
                s
            })
            .collect::<Vec<_>>();
        let mean_var = partial.iter().sum::<f64>() / n as f64 / d as f64;
        Prepared {
            n,
            d,
            x: Cow::Borrowed(data),
            mean: vec![0.0; d],
            mean_var,
        }
    }
}

/// A prepared copy in either storage, for callers that choose at run time.
pub(crate) enum Working<'a> {
    F64(Prepared<'a, f64>),
    F32(Prepared<'a, f32>),
}

impl<'a> Working<'a> {
    pub fn new(storage: Storage, x: ArrayView2<f64>) -> Working<'static> {
        match storage {
            Storage::F64 => Working::F64(Prepared::new(x)),
            Storage::F32 => Working::F32(Prepared::new(x)),
        }
    }

    /// Like [`Working::new`], but in f64 the rows are used where they are,
    /// not copied and centred: on 10M customers the copy is 0.56 GB at the
    /// run's peak. The results differ from a centred copy's only in
    /// rounding (centring is what scikit-learn does, for its exactness on
    /// data far from the origin; these are z-scores, centred already).
    pub fn borrowing(storage: Storage, x: ArrayView2<'a, f64>) -> Working<'a> {
        let (n, d) = x.dim();
        match (storage, x.to_slice()) {
            (Storage::F64, Some(data)) if n > 0 && d > 0 => {
                Working::F64(Prepared::borrowing(data, n, d))
            }
            _ => Working::new(storage, x),
        }
    }
    /// Number of rows.
    pub fn n(&self) -> usize {
        match self {
            Working::F64(p) => p.n,
            Working::F32(p) => p.n,
        }
    }
    pub fn fit(&self, cfg: &KMeansConfig, span: &Span) -> Result<KMeansResult> {
        match self {
            Working::F64(p) => fit_prepared(p, cfg, span),
            Working::F32(p) => fit_prepared(p, cfg, span),
        }
    }
}

/// Column sums, per chunk then in chunk order.
pub(crate) fn column_sums(data: &[f64], d: usize) -> Vec<f64> {
    column_sums_of(data, d, |v| v)
}

/// Column sums of `f(value)`, per chunk then in chunk order (so the same for
/// any thread count).
fn column_sums_of<T: Element>(data: &[T], d: usize, f: impl Fn(f64) -> f64 + Sync) -> Vec<f64> {
    let partial = data
        .par_chunks(CHUNK_ROWS * d)
        .map(|chunk| {
            let mut s = vec![0.0; d];
            for row in chunk.chunks_exact(d) {
                for (a, &v) in s.iter_mut().zip(row) {
                    *a += f(v.wide());
                }
            }
            s
        })
        .collect::<Vec<_>>();
    let mut sums = vec![0.0; d];
    for s in &partial {
        for (a, &v) in sums.iter_mut().zip(s) {
            *a += v;
        }
    }
    sums
}

/// A slice `[base, base + width]` of the caller's progress bar.
pub(crate) struct Span<'a> {
    pub progress: &'a dyn Progress,
    pub base: f64,
    pub width: f64,
    pub prefix: String,
}

impl Span<'_> {
    fn report(&self, fraction: f64, message: &str) {
        self.progress.report(
            self.base + self.width * fraction.clamp(0.0, 1.0),
            &format!("{}: {message}", self.prefix),
        );
    }
    fn check(&self) -> Result<()> {
        if self.progress.is_cancelled() {
            Err(Error::Cancelled)
        } else {
            Ok(())
        }
    }
}

/// Lane width (centres per block) for `k` centres.
pub(crate) fn lane_width(k: usize) -> usize {
    match k {
        0..=4 => 4,
        5..=8 => 8,
        9..=12 => 12,
        _ => 16,
    }
}

/// Buffers of one fit, allocated once and reused by every restart and
/// iteration.
struct Workspace {
    k: usize,
    d: usize,
    w: usize,
    labels: Vec<u32>,
    best_labels: Vec<u32>,
    /// Per chunk: `k × d` sums, `k` counts, number of changed labels, inertia.
    psums: Vec<f64>,
    pcounts: Vec<u32>,
    pchanged: Vec<u32>,
    pinertia: Vec<f64>,
    centres: Vec<f64>,
    new_centres: Vec<f64>,
    best_centres: Vec<f64>,
    weights: Vec<f64>,
    /// Transposed, −2-scaled centres in lane blocks, and their squared norms.
    mt: Vec<f64>,
    cn: Vec<f64>,
    /// Per row distance buffer (k-means++ and empty-cluster relocation);
    /// holds the rows' bounds during Lloyd (see [`bounds`]).
    dist: Vec<f64>,
    init: init::InitBuffers,
    /// Per-centre moves and separations for the bounds.
    geo: bounds::Geometry,
}

impl Workspace {
    fn new(n: usize, d: usize, k: usize) -> Workspace {
        let n_chunks = n.div_ceil(CHUNK_ROWS);
        let w = lane_width(k);
        let nb = k.div_ceil(w);
        Workspace {
            k,
            d,
            w,
            labels: vec![u32::MAX; n],
            best_labels: vec![0; n],
            psums: vec![0.0; n_chunks * k * d],
            pcounts: vec![0; n_chunks * k],
            pchanged: vec![0; n_chunks],
            pinertia: vec![0.0; n_chunks],
            centres: vec![0.0; k * d],
            new_centres: vec![0.0; k * d],
            best_centres: vec![0.0; k * d],
            weights: vec![0.0; k],
            mt: vec![0.0; nb * w * d],
            cn: vec![0.0; nb * w],
            dist: vec![0.0; n],
            init: init::InitBuffers::new(n, d, k),
            geo: bounds::Geometry::new(k, d),
        }
    }

    /// Fills `mt`/`cn` from `centres`.
    fn load_centres(&mut self) {
        let (k, d, w) = (self.k, self.d, self.w);
        self.mt.fill(0.0);
        self.cn.fill(f64::INFINITY);
        for (c, centre) in self.centres.chunks_exact(d).enumerate().take(k) {
            let (b, l) = (c / w, c % w);
            let mut s = 0.0;
            for (j, &v) in centre.iter().enumerate() {
                self.mt[(b * d + j) * w + l] = -2.0 * v;
                s += v * v;
            }
            self.cn[b * w + l] = s;
        }
    }
}

/// Runs all restarts of one fit on prepared data.
pub(crate) fn fit_prepared<T: Element>(
    prep: &Prepared<'_, T>,
    cfg: &KMeansConfig,
    span: &Span,
) -> Result<KMeansResult> {
    fit_prepared_with(prep, cfg, span, true)
}

/// [`fit_prepared`], with Hamerly's bounds ([`bounds`]) in the assignment
/// step or without them (every row against every centre, the reference
/// the bounded step must equal bit for bit).
fn fit_prepared_with<T: Element>(
    prep: &Prepared<'_, T>,
    cfg: &KMeansConfig,
    span: &Span,
    with_bounds: bool,
) -> Result<KMeansResult> {
    // The caller has checked that the data have at least K distinct rows.
    let (n, d, k) = (prep.n, prep.d, cfg.k);
    let tol_abs = if cfg.tol == 0.0 {
        0.0
    } else {
        prep.mean_var * cfg.tol
    };
    let mut warnings = Vec::new();
    let n_init = match cfg.init {
        Init::KMeansPlusPlus => cfg.n_init,
        Init::Given(_) => {
            if cfg.n_init > 1 {
                warnings.push(format!(
                    "initial centres were given, so one run was made instead of n_init={}",
                    cfg.n_init
                ));
            }
            1
        }
    };
    let mut ws = Workspace::new(n, d, k);
    // Largest row norm, for the bounds' margin (`None`: plain step).
    let x_norm = with_bounds.then(|| bounds::max_norm(&prep.x, d));
    let mut best: Option<(f64, usize, bool, usize)> = None; // inertia, n_iter, converged, restart
    for r in 0..n_init {
        span.check()?;
        match &cfg.init {
            Init::KMeansPlusPlus => {
                let mut rng = ChaCha8Rng::seed_from_u64(cfg.seed);
                rng.set_stream(r as u64);
                init::kmeans_plus_plus(
                    &prep.x,
                    n,
                    d,
                    k,
                    &mut rng,
                    &mut ws.init,
                    &mut ws.dist,
                    &mut ws.centres,
                );
            }
            Init::Given(c) => {
                for (dst, row) in ws.centres.chunks_exact_mut(d).zip(c.chunks_exact(d)) {
                    for ((o, &v), &m) in dst.iter_mut().zip(row).zip(&prep.mean) {
                        *o = v - m;
                    }
                }
            }
        }
        let frac0 = r as f64 / n_init as f64;
        let limits = (cfg.max_iter, tol_abs, x_norm);
        let (n_iter, converged, inertia) = lloyd(prep, &mut ws, limits, &|it| {
            span.check()?;
            let within = 1.0 - 1.0 / (1.0 + it as f64 / 10.0);
            span.report(
                frac0 + within / n_init as f64,
                &format!("restart {}/{n_init}, iteration {it}", r + 1),
            );
            Ok(())
        })?;
        let better = match best {
            None => true,
            Some((bi, ..)) => inertia < bi && !same_clustering(&ws.labels, &ws.best_labels, k),
        };
        if better {
            best = Some((inertia, n_iter, converged, r));
            std::mem::swap(&mut ws.labels, &mut ws.best_labels);
            ws.best_centres.copy_from_slice(&ws.centres);
        }
        span.report(
            (r + 1) as f64 / n_init as f64,
            &format!("restart {}/{n_init} done, inertia {inertia:.6e}", r + 1),
        );
    }
    let (inertia, n_iter, converged, best_restart) = best.expect("n_init >= 1");
    // check_config holds K to MAX_CLUSTERS, so every label fits a byte.
    let labels: Vec<u8> = ws.best_labels.iter().map(|&l| l as u8).collect();
    ws.best_labels = Vec::new();
    let mut sizes = vec![0usize; k];
    for &l in &labels {
        sizes[l as usize] += 1;
    }
    let empty: Vec<usize> = (0..k).filter(|&c| sizes[c] == 0).collect();
    if !empty.is_empty() {
        warnings.push(format!(
            "{} cluster(s) ended empty ({:?}); the data may have fewer natural groups than K={k}",
            empty.len(),
            empty
        ));
    }
    let mut centres = std::mem::take(&mut ws.best_centres);
    for row in centres.chunks_exact_mut(d) {
        for (v, &m) in row.iter_mut().zip(&prep.mean) {
            *v += m;
        }
    }
    Ok(KMeansResult {
        k,
        d,
        centres,
        labels,
        sizes,
        inertia,
        n_iter,
        converged,
        n_init,
        best_restart,
        warnings,
    })
}

/// scikit-learn's `_is_same_clustering`: whether `a` maps onto `b` by a
/// relabelling.
fn same_clustering(a: &[u32], b: &[u32], k: usize) -> bool {
    let mut map = vec![u32::MAX; k];
    for (&x, &y) in a.iter().zip(b) {
        let m = &mut map[x as usize];
        if *m == u32::MAX {
            *m = y;
        } else if *m != y {
            return false;
        }
    }
    true
}

/// One restart from `ws.centres`: Lloyd iterations, then the final assignment
/// with inertia. `limits`: maximum iterations, absolute tolerance, and the
/// largest row norm when the bounds may be used. Leaves the final centres in
/// `ws.centres` and labels in `ws.labels`. Returns (iterations, converged,
/// inertia).
fn lloyd<T: Element>(
    prep: &Prepared<'_, T>,
    ws: &mut Workspace,
    (max_iter, tol_abs, x_norm): (usize, f64, Option<f64>),
    between: &dyn Fn(usize) -> Result<()>,
) -> Result<(usize, bool, f64)> {
    ws.labels.fill(u32::MAX);
    let bounded = x_norm.is_some_and(|x| ws.geo.start(x, &ws.centres));
    let mut n_iter = 0;
    let mut converged = false;
    for it in 0..max_iter {
        if it > 0 {
            between(it)?;
        }
        ws.load_centres();
        if bounded {
            bounds::lloyd_pass(&prep.x, ws);
        } else {
            plain_lloyd_pass(prep, ws);
        }
        let changed = ws.reduce_chunks();
        if ws.weights.contains(&0.0) {
            relocate_empty(prep, ws);
            // The relocation used the buffer that holds the bounds.
            ws.geo.valid = false;
        }
        let shift_tot = ws.update_centres();
        if bounded {
            ws.geo.moved(&ws.centres);
        }
        n_iter = it + 1;
        if changed == 0 || shift_tot <= tol_abs {
            converged = true;
            break;
        }
    }
    // Final assignment pass with the final centres, inertia in direct form.
    ws.load_centres();
    if bounded {
        bounds::assign_pass(&prep.x, ws);
    } else {
        plain_assign_pass(prep, ws);
    }
    let inertia = ws.pinertia.iter().fold(0.0, |a, &v| a + v);
    Ok((n_iter, converged, inertia))
}

/// The assignment step of a Lloyd iteration, every row against every centre
/// (centres loaded): labels, and per chunk the sums, counts and changes.
fn plain_lloyd_pass<T: Element>(prep: &Prepared<'_, T>, ws: &mut Workspace) {
    let (d, k) = (prep.d, ws.k);
    let (w, mt, cn) = (ws.w, &ws.mt, &ws.cn);
    prep.x
        .par_chunks(CHUNK_ROWS * d)
        .zip(ws.labels.par_chunks_mut(CHUNK_ROWS))
        .zip(ws.psums.par_chunks_mut(k * d))
        .zip(ws.pcounts.par_chunks_mut(k))
        .zip(ws.pchanged.par_iter_mut())
        .with_min_len(TASK_CHUNKS)
        .for_each(|((((x, lab), sums), counts), changed)| {
            *changed = lloyd_chunk(w, x, d, mt, cn, lab, sums, counts);
        });
}

/// The final assignment, every row against every centre (centres loaded):
/// labels, and the inertia of each chunk.
fn plain_assign_pass<T: Element>(prep: &Prepared<'_, T>, ws: &mut Workspace) {
    let (d, k) = (prep.d, ws.k);
    let (w, mt, cn, centres) = (ws.w, &ws.mt, &ws.cn, &ws.centres);
    prep.x
        .par_chunks(CHUNK_ROWS * d)
        .zip(ws.labels.par_chunks_mut(CHUNK_ROWS))
        .zip(ws.pinertia.par_iter_mut())
        .with_min_len(TASK_CHUNKS)
        .for_each(|((x, lab), inertia)| {
            *inertia = assign_chunk(w, x, d, k, mt, cn, centres, lab);
        });
}

impl Workspace {
    /// Adds the chunks' sums and counts in chunk order into `new_centres`
    /// and `weights`; returns how many labels changed.
    fn reduce_chunks(&mut self) -> u64 {
        let (k, d) = (self.k, self.d);
        self.new_centres.fill(0.0);
        self.weights.fill(0.0);
        let mut changed = 0u64;
        for ((sums, counts), &ch) in self
            .psums
            .chunks_exact(k * d)
            .zip(self.pcounts.chunks_exact(k))
            .zip(&self.pchanged)
        {
            for (a, &v) in self.new_centres.iter_mut().zip(sums) {
                *a += v;
            }
            for (a, &c) in self.weights.iter_mut().zip(counts) {
                *a += c as f64;
            }
            changed += ch as u64;
        }
        changed
    }

    /// Averages the sums into the new centres and makes them current;
    /// records each centre's move. Returns the centre shift (each move
    /// squared after its square root, as scikit-learn).
    fn update_centres(&mut self) -> f64 {
        let d = self.d;
        let mut shift_tot = 0.0;
        for (((c_new, c_old), &wgt), drift) in self
            .new_centres
            .chunks_exact_mut(d)
            .zip(self.centres.chunks_exact(d))
            .zip(&self.weights)
            .zip(self.geo.drift.iter_mut())
        {
            if wgt > 0.0 {
                let alpha = 1.0 / wgt;
                for v in c_new.iter_mut() {
                    *v *= alpha;
                }
            }
            let s = sq_dist(c_new, c_old).sqrt();
            *drift = s;
            shift_tot += s * s;
        }
        std::mem::swap(&mut self.centres, &mut self.new_centres);
        shift_tot
    }
}

/// scikit-learn's `_relocate_empty_clusters_dense`: each empty cluster takes
/// the point farthest from its (old) centre, in decreasing distance (ties:
/// lower row first); sums and weights are moved accordingly.
fn relocate_empty<T: Element>(prep: &Prepared<'_, T>, ws: &mut Workspace) {
    let d = prep.d;
    let empty: Vec<usize> = (0..ws.k).filter(|&c| ws.weights[c] == 0.0).collect();
    let centres = &ws.centres;
    ws.dist
        .par_chunks_mut(CHUNK_ROWS)
        .zip(prep.x.par_chunks(CHUNK_ROWS * d))
        .zip(ws.labels.par_chunks(CHUNK_ROWS))
        .with_min_len(TASK_CHUNKS)
        .for_each(|((dist, x), lab)| {
            for ((o, row), &l) in dist.iter_mut().zip(x.chunks_exact(d)).zip(lab) {
                *o = sq_dist(row, &centres[l as usize * d..][..d]);
            }
        });
    // Top-m rows by (distance desc, index asc), m = number of empty clusters.
    let m = empty.len().min(prep.n);
    let mut top: Vec<(f64, usize)> = Vec::with_capacity(m + 1);
    for (i, &v) in ws.dist.iter().enumerate() {
        if top.len() < m || v > top[top.len() - 1].0 {
            let pos = top.partition_point(|&(tv, _)| tv >= v);
            top.insert(pos, (v, i));
            top.truncate(m);
        }
    }
    for (&new_c, &(_, far)) in empty.iter().zip(&top) {
        let old_c = ws.labels[far] as usize;
        let row = &prep.x[far * d..][..d];
        for (j, &v) in row.iter().enumerate() {
            ws.new_centres[old_c * d + j] -= v.wide();
            ws.new_centres[new_c * d + j] = v.wide();
        }
        ws.weights[new_c] = 1.0;
        ws.weights[old_c] -= 1.0;
    }
}
