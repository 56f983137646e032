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

use super::{CHUNK_ROWS, check_matrix, count_distinct_rows, init, too_few_rows};
use crate::pipeline::linalg::row_major;
use crate::pipeline::progress::Progress;
use crate::pipeline::simd::avx2_dispatch;
use crate::{Error, Result};
use ndarray::ArrayView2;

/// How the initial centres of each restart are chosen.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Init {
    /// Greedy k-means++ (scikit-learn's default).
    KMeansPlusPlus,
    /// These centres (row-major `k × d`, in the data's units). One run only.
    Given(Vec<f64>),
}

/// How the centred working copy of the data is stored.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Storage {
    /// 8 bytes per value: exact.
    #[default]
    F64,
    /// 4 bytes per value (about 7 significant digits), accumulated in `f64`:
    /// half the memory and memory traffic, for very large tables.
    F32,
}

impl std::str::FromStr for Storage {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "f64" | "double" => Ok(Storage::F64),
            "f32" | "float" | "single" => Ok(Storage::F32),
            other => Err(format!("unknown storage '{other}' (expected f64 or f32)")),
        }
    }
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
    /// Cluster of each row, `0..k`; nearest centre of `centres`.
    pub labels: Vec<u32>,
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
pub(crate) struct Prepared<T: Element> {
    pub n: usize,
    pub d: usize,
    /// Centred copy, row-major `n × d`, stored as `T`.
    pub x: Vec<T>,
    /// Column means that were subtracted.
    pub mean: Vec<f64>,
    /// Mean of the column variances (population variance, as numpy's `var`).
    pub mean_var: f64,
}

impl<T: Element> Prepared<T> {
    pub fn new(x: ArrayView2<f64>) -> Prepared<T> {
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
            x,
            mean,
            mean_var,
        }
    }
}

/// A prepared copy in either storage, for callers that choose at run time.
pub(crate) enum Working {
    F64(Prepared<f64>),
    F32(Prepared<f32>),
}

impl Working {
    pub fn new(storage: Storage, x: ArrayView2<f64>) -> Working {
        match storage {
            Storage::F64 => Working::F64(Prepared::new(x)),
            Storage::F32 => Working::F32(Prepared::new(x)),
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
    /// Per row distance buffer (k-means++ and empty-cluster relocation).
    dist: Vec<f64>,
    init: init::InitBuffers,
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
    prep: &Prepared<T>,
    cfg: &KMeansConfig,
    span: &Span,
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
        let (n_iter, converged, inertia) = lloyd(prep, &mut ws, cfg.max_iter, tol_abs, &|it| {
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
    let labels = std::mem::take(&mut ws.best_labels);
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
/// with inertia. Leaves the final centres in `ws.centres` and labels in
/// `ws.labels`. Returns (iterations, converged, inertia).
fn lloyd<T: Element>(
    prep: &Prepared<T>,
    ws: &mut Workspace,
    max_iter: usize,
    tol_abs: f64,
    between: &dyn Fn(usize) -> Result<()>,
) -> Result<(usize, bool, f64)> {
    let (d, k) = (prep.d, ws.k);
    ws.labels.fill(u32::MAX);
    let mut n_iter = 0;
    let mut converged = false;
    for it in 0..max_iter {
        if it > 0 {
            between(it)?;
        }
        ws.load_centres();
        let (w, mt, cn) = (ws.w, &ws.mt, &ws.cn);
        prep.x
            .par_chunks(CHUNK_ROWS * d)
            .zip(ws.labels.par_chunks_mut(CHUNK_ROWS))
            .zip(ws.psums.par_chunks_mut(k * d))
            .zip(ws.pcounts.par_chunks_mut(k))
            .zip(ws.pchanged.par_iter_mut())
            .for_each(|((((x, lab), sums), counts), changed)| {
                *changed = lloyd_chunk(w, x, d, mt, cn, lab, sums, counts);
            });
        // Reduce in chunk order.
        ws.new_centres.fill(0.0);
        ws.weights.fill(0.0);
        let mut changed = 0u64;
        for ((sums, counts), &ch) in ws
            .psums
            .chunks_exact(k * d)
            .zip(ws.pcounts.chunks_exact(k))
            .zip(&ws.pchanged)
        {
            for (a, &v) in ws.new_centres.iter_mut().zip(sums) {
                *a += v;
            }
            for (a, &c) in ws.weights.iter_mut().zip(counts) {
                *a += c as f64;
            }
            changed += ch as u64;
        }
        if ws.weights.contains(&0.0) {
            relocate_empty(prep, ws);
        }
        // Average, then the centre shift (sqrt then squared, as scikit-learn).
        let mut shift_tot = 0.0;
        for ((c_new, c_old), &wgt) in ws
            .new_centres
            .chunks_exact_mut(d)
            .zip(ws.centres.chunks_exact(d))
            .zip(&ws.weights)
        {
            if wgt > 0.0 {
                let alpha = 1.0 / wgt;
                for v in c_new.iter_mut() {
                    *v *= alpha;
                }
            }
            let s = sq_dist(c_new, c_old).sqrt();
            shift_tot += s * s;
        }
        std::mem::swap(&mut ws.centres, &mut ws.new_centres);
        n_iter = it + 1;
        if changed == 0 || shift_tot <= tol_abs {
            converged = true;
            break;
        }
    }
    // Final assignment pass with the final centres, inertia in direct form.
    ws.load_centres();
    let (w, mt, cn, centres) = (ws.w, &ws.mt, &ws.cn, &ws.centres);
    prep.x
        .par_chunks(CHUNK_ROWS * d)
        .zip(ws.labels.par_chunks_mut(CHUNK_ROWS))
        .zip(ws.pinertia.par_iter_mut())
        .for_each(|((x, lab), inertia)| {
            *inertia = assign_chunk(w, x, d, k, mt, cn, centres, lab);
        });
    let inertia = ws.pinertia.iter().fold(0.0, |a, &v| a + v);
    Ok((n_iter, converged, inertia))
}

/// scikit-learn's `_relocate_empty_clusters_dense`: each empty cluster takes
/// the point farthest from its (old) centre, in decreasing distance (ties:
/// lower row first); sums and weights are moved accordingly.
fn relocate_empty<T: Element>(prep: &Prepared<T>, ws: &mut Workspace) {
    let d = prep.d;
    let empty: Vec<usize> = (0..ws.k).filter(|&c| ws.weights[c] == 0.0).collect();
    let centres = &ws.centres;
    ws.dist
        .par_chunks_mut(CHUNK_ROWS)
        .zip(prep.x.par_chunks(CHUNK_ROWS * d))
        .zip(ws.labels.par_chunks(CHUNK_ROWS))
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

// ---------------------------------------------------------------------------
// Hot loops. `W` is the lane width (centres per block), a multiple of 4.

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
fn accumulate<T: Element>(x: &[T], d: usize, labels: &[u32], sums: &mut [f64], counts: &mut [u32]) {
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
fn chunk_inertia<T: Element>(x: &[T], d: usize, centres: &[f64], labels: &[u32]) -> f64 {
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

/// AVX build of the hot loops with explicit 4-lane vectors. Per lane it does
/// exactly what the portable code does (`acc + x * m`, multiply then add, in
/// feature order; exact minimum; first lane equal to the minimum), so both
/// builds give bit-identical results (checked by a unit test).
#[cfg(target_arch = "x86_64")]
mod avx2 {
    use std::arch::x86_64::*;

    use super::Element;

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
        super::accumulate(x, d, labels, sums, counts);
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
        super::chunk_inertia(x, d, centres, labels)
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
}

avx2_dispatch! {
    /// One chunk of a Lloyd iteration: labels, per-cluster sums and counts;
    /// returns how many labels changed.
    #[allow(clippy::too_many_arguments)]
    fn lloyd_chunk<T: Element>(
        w: usize,
        x: &[T],
        d: usize,
        mt: &[f64],
        cn: &[f64],
        labels: &mut [u32],
        sums: &mut [f64],
        counts: &mut [u32],
    ) -> u32 => avx2: avx2::lloyd_chunk, portable: lloyd_chunk_any;
}

avx2_dispatch! {
    /// One chunk of the final assignment: labels and the chunk's inertia.
    #[allow(clippy::too_many_arguments)]
    fn assign_chunk<T: Element>(
        w: usize,
        x: &[T],
        d: usize,
        k: usize,
        mt: &[f64],
        cn: &[f64],
        centres: &[f64],
        labels: &mut [u32],
    ) -> f64 => avx2: avx2::assign_chunk, portable: assign_chunk_any;
}

#[cfg(test)]
mod tests {
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
