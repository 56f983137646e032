//! The gap statistic (Tibshirani, Walther & Hastie, 2001): how much more
//! the customers' spread around their segment centres falls with K than it
//! would in data without any groups.
//!
//! For each K of the sweep, `log W_K` is the log of the K-Means SSE per
//! customer (from the sweep's own fits, over all rows). The references are
//! `B` sets of uniformly random points in the box the data fill, aligned
//! with the data's principal axes (the paper's reference "b"; above
//! [`crate::pipeline::export::pca::EXACT_MAX_D`] features the box is aligned
//! with the features instead, its reference "a"). Each reference set holds
//! [`GAP_SAMPLE`] rows (or every row of smaller data), is clustered for each
//! K with K-Means (k-means++, [`REFERENCE_RESTARTS`] restarts), and gives
//! `log W*_K` per row the same way. Then
//!
//! ```text
//! Gap(K) = mean_b log W*_Kb − log W_K      se(K) = sd_b(log W*_Kb) · √(1 + 1/B)
//! ```
//!
//! Dividing by the rows makes data and references of different sizes
//! comparable (the SSE per row settles as rows grow), so the data's curve
//! needs no extra fits. A rise of the gap from K − 1 to K ("gain") means the
//! K-th segment separates the customers better than an extra cut of
//! structureless data would; the K rule ([`crate::pipeline::k_choice`]) and
//! the structure verdict read the gains.
//!
//! Deterministic: the sample and each reference set come from their own
//! seeded random streams, each fit is thread-count independent, and the
//! reference sets are combined in order.

use super::sample::{self, GAP_REFERENCE_STREAM, GAP_SAMPLE_STREAM};
use crate::pipeline::cluster::{Init, KMeansConfig, KResult, Storage, kmeans};
use crate::pipeline::linalg::row_major;
use crate::pipeline::progress::{NoProgress, Progress};
use crate::{Error, Result};
use ndarray::ArrayView2;
use rand::RngExt;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::sync::Mutex;

/// Reference sets by default (Tibshirani et al. used 10 to 20).
pub const DEFAULT_REFERENCES: usize = 10;
/// Rows of each reference set (and of the sample whose box they fill).
pub const GAP_SAMPLE: usize = 10_000;
/// K-Means restarts per reference fit: structureless data have no bad
/// local optimum worth more restarts, and the references are averaged.
pub const REFERENCE_RESTARTS: usize = 2;

/// How the reference box is oriented.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReferenceBox {
    /// Along the data's principal axes (the paper's preferred reference).
    PrincipalAxes,
    /// Along the features (too many features for the principal axes).
    Features,
}

/// The gap at one K.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GapPoint {
    pub k: usize,
    /// log of the data's SSE per row.
    pub log_w: f64,
    /// Mean over the reference sets of the log of their SSE per row.
    pub reference_log_w: f64,
    /// `reference_log_w − log_w`.
    pub gap: f64,
    /// Standard error of the reference mean, `sd · √(1 + 1/B)`.
    pub se: f64,
}

/// The gap curve of a sweep.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GapCurve {
    /// One point per K of the sweep, ascending (K = 1 first).
    pub points: Vec<GapPoint>,
    /// Reference sets.
    pub references: usize,
    /// Rows of each reference set.
    pub rows: usize,
    pub reference_box: ReferenceBox,
}

impl GapCurve {
    pub fn get(&self, k: usize) -> Option<&GapPoint> {
        self.points.iter().find(|p| p.k == k)
    }

    /// `Gap(k) − Gap(k − 1)` when both K were computed.
    pub fn gain(&self, k: usize) -> Option<f64> {
        Some(self.get(k)?.gap - self.get(k.checked_sub(1)?)?.gap)
    }

    /// Standard error of [`GapCurve::gain`] (the two references' errors
    /// combined as if independent).
    pub fn gain_se(&self, k: usize) -> Option<f64> {
        let (a, b) = (self.get(k)?, self.get(k.checked_sub(1)?)?);
        Some(a.se.hypot(b.se))
    }
}

/// What the gap needs besides the data and the sweep's fits.
#[derive(Clone, Debug)]
pub struct GapOptions {
    /// Reference sets (≥ 1).
    pub references: usize,
    pub seed: u64,
    pub max_iter: usize,
    pub tol: f64,
}

/// The gap curve for the K of `results` (the sweep's fits of `x`).
pub fn gap_curve(
    x: ArrayView2<f64>,
    results: &[KResult],
    opts: &GapOptions,
    progress: &dyn Progress,
) -> Result<GapCurve> {
    let ks: Vec<usize> = results.iter().map(|r| r.k).collect();
    references(x, &ks, opts, progress)?.curve(results, x.nrows())
}

/// The references' half of the gap curve: `log W*` of each reference set
/// at each K. It needs the data and the K only, not the sweep's fits, so
/// the sweep computes it while it fits the data.
#[derive(Clone, Debug)]
pub struct References {
    ks: Vec<usize>,
    /// Per reference set, `log W*` per K of `ks`.
    per_reference: Vec<Vec<f64>>,
    rows: usize,
    reference_box: ReferenceBox,
}

/// The reference sets for `ks` (ascending, as the sweep fits them).
pub fn references(
    x: ArrayView2<f64>,
    ks: &[usize],
    opts: &GapOptions,
    progress: &dyn Progress,
) -> Result<References> {
    let (n, d) = x.dim();
    if n == 0 || d == 0 || ks.is_empty() || opts.references == 0 {
        return Err(Error::usage(
            "the gap statistic needs rows, features, fits and at least one reference set",
        ));
    }
    let data = &*row_major(&x);
    let rows = sample::rows_without_replacement(n, GAP_SAMPLE, opts.seed, GAP_SAMPLE_STREAM);
    let sampled = sample::gather(data, d, &rows);
    let frame = Frame::of(&sampled, rows.len(), d);
    let fits = opts.references * ks.iter().filter(|&&k| k >= 2).count();
    // Counted and reported under one lock, so the fractions never go back.
    let done = Mutex::new(0usize);
    let per_reference: Vec<Vec<f64>> = (0..opts.references)
        .into_par_iter()
        .map(|b| {
            let z = frame.reference(rows.len(), opts.seed, b as u64);
            reference_log_w(&z, rows.len(), d, ks, opts, &|| {
                let mut at = done.lock().unwrap_or_else(|e| e.into_inner());
                *at += 1;
                progress.report(
                    *at as f64 / fits.max(1) as f64,
                    &format!("gap statistic: {at} of {fits} reference fits"),
                );
                drop(at);
                if progress.is_cancelled() {
                    Err(Error::Cancelled)
                } else {
                    Ok(())
                }
            })
        })
        .collect::<Result<_>>()?;
    Ok(References {
        ks: ks.to_vec(),
        per_reference,
        rows: rows.len(),
        reference_box: frame.reference_box,
    })
}

impl References {
    /// The gap curve of `results`, the fits of the `n` rows the references
    /// were drawn for, at the same K.
    pub fn curve(&self, results: &[KResult], n: usize) -> Result<GapCurve> {
        if results.len() != self.ks.len() || results.iter().zip(&self.ks).any(|(r, &k)| r.k != k) {
            return Err(Error::usage(
                "the gap statistic's references were drawn for other K than the fits",
            ));
        }
        let total = results[0].fit.inertia.max(f64::MIN_POSITIVE);
        let floor = (total / n as f64 * 1e-12).ln();
        let b = self.per_reference.len() as f64;
        let points = results
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let logs: Vec<f64> = self.per_reference.iter().map(|v| v[i]).collect();
                let mean = logs.iter().sum::<f64>() / b;
                let var = logs.iter().map(|l| (l - mean).powi(2)).sum::<f64>() / b;
                let log_w = (r.fit.inertia / n as f64).ln().max(floor);
                GapPoint {
                    k: r.k,
                    log_w,
                    reference_log_w: mean,
                    gap: mean - log_w,
                    se: var.sqrt() * (1.0 + 1.0 / b).sqrt(),
                }
            })
            .collect();
        Ok(GapCurve {
            points,
            references: self.per_reference.len(),
            rows: self.rows,
            reference_box: self.reference_box,
        })
    }
}

/// The box the references fill: its centre, axes and extent along each.
struct Frame {
    mean: Vec<f64>,
    /// Row-major `d × d`; row `c` is axis `c`.
    axes: Vec<f64>,
    lo: Vec<f64>,
    hi: Vec<f64>,
    reference_box: ReferenceBox,
}

impl Frame {
    fn of(data: &[f64], m: usize, d: usize) -> Frame {
        let view = ArrayView2::from_shape((m, d), data).expect("m × d rows");
        let (mean, axes, reference_box) = match crate::pipeline::export::pca::all_axes(view) {
            Some((mean, axes)) => (mean, axes, ReferenceBox::PrincipalAxes),
            None => {
                let mut identity = vec![0.0; d * d];
                (0..d).for_each(|i| identity[i * d + i] = 1.0);
                (vec![0.0; d], identity, ReferenceBox::Features)
            }
        };
        let (mut lo, mut hi) = (vec![f64::INFINITY; d], vec![f64::NEG_INFINITY; d]);
        let mut centred = vec![0.0; d];
        for row in data.chunks_exact(d) {
            for ((c, &x), m) in centred.iter_mut().zip(row).zip(&mean) {
                *c = x - m;
            }
            for (c, axis) in axes.chunks_exact(d).enumerate() {
                let p: f64 = axis.iter().zip(&centred).map(|(a, x)| a * x).sum();
                lo[c] = lo[c].min(p);
                hi[c] = hi[c].max(p);
            }
        }
        Frame {
            mean,
            axes,
            lo,
            hi,
            reference_box,
        }
    }

    /// Reference set `b`: `m` uniform points in the box, row-major.
    fn reference(&self, m: usize, seed: u64, b: u64) -> Vec<f64> {
        let d = self.mean.len();
        let mut rng = sample::rng(seed, GAP_REFERENCE_STREAM + b);
        let mut out = Vec::with_capacity(m * d);
        let mut u = vec![0.0; d];
        for _ in 0..m {
            for (c, v) in u.iter_mut().enumerate() {
                *v = self.lo[c] + (self.hi[c] - self.lo[c]) * rng.random::<f64>();
            }
            out.extend((0..d).map(|j| {
                self.mean[j]
                    + u.iter()
                        .enumerate()
                        .map(|(c, uc)| uc * self.axes[c * d + j])
                        .sum::<f64>()
            }));
        }
        out
    }
}

/// log of the SSE per row of the reference `z` for each K of `ks`; `tick`
/// runs after each fit and can stop the work.
fn reference_log_w(
    z: &[f64],
    m: usize,
    d: usize,
    ks: &[usize],
    opts: &GapOptions,
    tick: &(dyn Fn() -> Result<()> + Sync),
) -> Result<Vec<f64>> {
    let view = ArrayView2::from_shape((m, d), z).expect("m × d rows");
    ks.iter()
        .map(|&k| {
            let w = if k == 1 {
                total_sse(z, d)
            } else {
                let cfg = KMeansConfig {
                    k: k.min(m),
                    n_init: REFERENCE_RESTARTS,
                    max_iter: opts.max_iter,
                    tol: opts.tol,
                    seed: opts.seed,
                    init: Init::KMeansPlusPlus,
                    storage: Storage::F64,
                };
                let w = kmeans(view, &cfg, &NoProgress)?.inertia;
                tick()?;
                w
            };
            Ok((w.max(f64::MIN_POSITIVE) / m as f64).ln())
        })
        .collect()
}

/// Σ ‖x − mean‖² over the rows (the SSE of K = 1).
fn total_sse(z: &[f64], d: usize) -> f64 {
    let m = (z.len() / d).max(1) as f64;
    let mut mean = vec![0.0; d];
    for row in z.chunks_exact(d) {
        mean.iter_mut().zip(row).for_each(|(a, x)| *a += x);
    }
    mean.iter_mut().for_each(|a| *a /= m);
    z.chunks_exact(d)
        .map(|row| {
            row.iter()
                .zip(&mean)
                .map(|(x, c)| (x - c).powi(2))
                .sum::<f64>()
        })
        .sum()
}

/// The gap statistic's share of a sweep's progress, in the sweep's units
/// (one K-Means restart on the rows the restarts run on).
pub fn progress_units(cfg: &crate::pipeline::cluster::SweepConfig, n: usize, ks: &[usize]) -> f64 {
    let restarts_on = if cfg.fit_sample > 0 {
        n.min(cfg.fit_sample)
    } else {
        n
    };
    let fits = cfg.gap_references * REFERENCE_RESTARTS * ks.iter().filter(|&&k| k >= 2).count();
    fits as f64 * n.min(GAP_SAMPLE) as f64 / restarts_on.max(1) as f64
}

/// The reference sets of a sweep of `ks` with the sweep's options, or
/// `None` when the options turn the gap statistic off (`gap_references = 0`).
pub fn references_of_sweep(
    x: ArrayView2<f64>,
    ks: &[usize],
    cfg: &crate::pipeline::cluster::SweepConfig,
    progress: &dyn Progress,
) -> Result<Option<References>> {
    if cfg.gap_references == 0 {
        return Ok(None);
    }
    let opts = GapOptions {
        references: cfg.gap_references,
        seed: cfg.seed,
        max_iter: cfg.max_iter,
        tol: cfg.tol,
    };
    references(x, ks, &opts, progress).map(Some)
}
