//! The K sweep and the choice of K.
//!
//! For K = 1 (elbow curve only, one run: every restart gives the mean) and
//! each K in `k_min..=k_max` (plus a user-fixed K outside that range) the
//! sweep fits k-means with the same seed — so each per-K result equals a
//! `kmeans` call with that K — and records SSE, silhouette, Calinski–Harabasz
//! and Davies–Bouldin.
//!
//! Choice of K, in this order:
//! 1. `fixed_k` set: that K, reason "fixed by the user";
//! 2. the knee of the SSE curve over `k_min..=k_max` (Kneedle, S = 1, see
//!    [`find_knee`]). K = 1 is on the elbow chart but not in the search, as
//!    its drop would pull the knee early; only a range of fewer than five K
//!    is searched together with K = 1 (Kneedle needs a few points);
//! 3. otherwise (no clear knee) the K of the range with the best silhouette
//!    (ties: smaller K);
//! 4. otherwise (no silhouette defined) `k_min`.
//!
//! The lowest SSE is never a criterion: it always falls with K.
//!
//! Large data: above `fit_sample` rows (default 100,000) each K's `n_init`
//! k-means++ restarts run on one seeded uniform sample of that many rows, and
//! the centres of the best restart then start a single Lloyd run on all rows
//! (same `max_iter` and `tol`). That run's centres, labels and inertia are the
//! K's result, so every number reported is still over all rows. The restarts
//! only pick a good starting point, which a 100,000-row sample does as well
//! as the full data; the cost per K falls from `n_init` full fits to about
//! one. `fit_sample = 0` runs every restart on all rows (scikit-learn's way).

use serde::{Deserialize, Serialize};

use super::kmeans::{KMeansConfig, KMeansResult, Span, Storage, Working, check_config};
use super::knee::find_knee;
use super::metrics::{calinski_harabasz_and_davies_bouldin, column_means, silhouette_sampled};
use super::{check_matrix, count_distinct_rows, too_few_rows};
use crate::pipeline::k_choice::{self, KPick};
use crate::pipeline::linalg::row_major;
use crate::pipeline::progress::{KFitted, Progress, SideBySide};
use crate::pipeline::trust::gap;
use crate::{Error, Result};
use ndarray::{ArrayView2, Axis};

/// Options of the sweep (embedded in the run configuration).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SweepConfig {
    /// Smallest K considered for the choice (≥ 2). Default 2.
    pub k_min: usize,
    /// Largest K considered. Default 10.
    pub k_max: usize,
    /// Use this K instead of choosing one. Default none.
    pub fixed_k: Option<usize>,
    /// Restarts per K. Default 10.
    pub n_init: usize,
    /// Lloyd iterations per restart at most. Default 300.
    pub max_iter: usize,
    /// Relative tolerance (see [`KMeansConfig::tol`]). Default 1e-4.
    pub tol: f64,
    /// Seed of every random choice. Default 42.
    pub seed: u64,
    /// Silhouette is exact up to this many rows, and computed on a stratified
    /// sample of this many rows above. Default 20,000.
    pub silhouette_sample: usize,
    /// Above this many rows the restarts run on a seeded sample of this many
    /// rows and the best is refined on all rows (see the module
    /// documentation). 0 = never. Default 100,000.
    pub fit_sample: usize,
    /// Storage of k-means' working copy of the data (see [`Storage`]).
    /// Metrics are always computed on the `f64` data. Default `f64`.
    pub storage: Storage,
    /// Reference sets of the gap statistic, which the choice of K reads
    /// (see [`crate::pipeline::k_choice`]); 0 = no gap statistic (K by the
    /// knee of the SSE curve). Default 10.
    pub gap_references: usize,
}

/// Fewest K in the range for the knee to be looked for in the range alone.
const MIN_KNEE_POINTS: usize = 5;

/// Default of [`SweepConfig::fit_sample`].
pub const DEFAULT_FIT_SAMPLE: usize = 100_000;
/// Random stream of the restart sample (restarts use streams 0..n_init).
const FIT_SAMPLE_STREAM: u64 = 1 << 40;

impl Default for SweepConfig {
    fn default() -> Self {
        SweepConfig {
            k_min: 2,
            k_max: 10,
            fixed_k: None,
            n_init: 10,
            max_iter: 300,
            tol: 1e-4,
            seed: 42,
            silhouette_sample: 20_000,
            fit_sample: DEFAULT_FIT_SAMPLE,
            storage: Storage::F64,
            gap_references: crate::pipeline::trust::gap::DEFAULT_REFERENCES,
        }
    }
}

/// Quality metrics of one K (`None` where undefined, e.g. K = 1).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    pub silhouette: Option<f64>,
    /// Whether the silhouette was computed on a sample, and on how many rows.
    pub silhouette_sampled: bool,
    pub silhouette_sample_size: usize,
    pub calinski_harabasz: Option<f64>,
    pub davies_bouldin: Option<f64>,
}

/// Fit and metrics of one K.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KResult {
    pub k: usize,
    pub fit: KMeansResult,
    pub metrics: Metrics,
    /// How this fit follows a previous model, when the run was given one.
    #[serde(default)]
    pub continuity: Option<crate::pipeline::continuity::Continuity>,
}

/// How the K was chosen.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Choice {
    Fixed,
    Knee,
    BestSilhouette,
    Smallest,
}

/// Everything the sweep found.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SweepResult {
    /// One entry per computed K, ascending; the first is K = 1.
    pub results: Vec<KResult>,
    pub chosen_k: usize,
    pub choice: Choice,
    /// Human-readable reason for the choice.
    pub reason: String,
    /// Knee of the SSE curve, if clear (also reported when K is fixed).
    pub knee: Option<usize>,
    /// Range actually swept (after capping at the number of distinct rows).
    pub k_min: usize,
    pub k_max: usize,
    /// Rows of the seeded sample the restarts ran on, when they did (see the
    /// module documentation); `None`: every restart ran on all rows.
    #[serde(default)]
    pub restarts_sample: Option<usize>,
    /// Storage of k-means' working copy in this sweep.
    #[serde(default)]
    pub storage: Storage,
    /// The gap statistic of every K (none when turned off).
    #[serde(default)]
    pub gap: Option<crate::pipeline::trust::gap::GapCurve>,
    /// The chosen K is the last of the range and segments still paid there.
    #[serde(default)]
    pub at_edge: bool,
    pub warnings: Vec<String>,
}

impl SweepResult {
    /// Result of the chosen K.
    pub fn chosen(&self) -> &KResult {
        self.get(self.chosen_k).unwrap_or(&self.results[0])
    }
    /// Result of K, if computed.
    pub fn get(&self, k: usize) -> Option<&KResult> {
        self.results.iter().find(|r| r.k == k)
    }
}

/// Runs the sweep. `feature_names` (may be empty) name the columns in error
/// messages.
pub fn sweep(
    x: ArrayView2<f64>,
    feature_names: &[String],
    cfg: &SweepConfig,
    progress: &dyn Progress,
) -> Result<SweepResult> {
    check_sweep_config(cfg)?;
    let base = KMeansConfig {
        k: cfg.k_min,
        n_init: cfg.n_init,
        max_iter: cfg.max_iter,
        tol: cfg.tol,
        seed: cfg.seed,
        init: super::Init::KMeansPlusPlus,
        storage: cfg.storage,
    };
    let (_, d) = x.dim();
    check_config(&base, d)?;
    check_matrix(x, feature_names)?;
    let mut warnings = Vec::new();
    let (ks, k_max) = ks_to_fit(x, cfg, &mut warnings)?;
    // The gap statistic's reference fits take their share of the progress
    // after the sweep's own fits.
    let fits = fit_units(cfg, &ks);
    let gap_units = crate::pipeline::trust::gap::progress_units(cfg, x.nrows(), &ks);
    let fits_share = fits / (fits + gap_units);
    // The gap's reference sets need the K, not the fits: they are fitted
    // beside the data's fits, and fill the cores those leave idle.
    let side = SideBySide::new(progress, fits_share);
    let (fitted, references) = rayon::join(
        || {
            let fitted = fit_each_k(x, cfg, &base, &ks, &side.first());
            match &fitted {
                Ok(_) => side.first().report(1.0, "every K fitted"),
                Err(_) => side.abandon(),
            }
            fitted
        },
        || {
            let references = gap::references_of_sweep(x, &ks, cfg, &side.second());
            if references.is_err() {
                side.abandon();
            }
            references
        },
    );
    let (results, references) = first_real_error(fitted, references)?;
    for r in &results {
        let k = r.k;
        warnings.extend(r.fit.warnings.iter().map(|w| format!("K={k}: {w}")));
    }
    let knee = knee_of(&results, cfg.k_min, k_max);
    let gap = references
        .map(|r| r.curve(&results, x.nrows()))
        .transpose()?;
    let KPick {
        k: chosen_k,
        choice,
        reason,
        at_edge,
    } = match cfg.fixed_k {
        Some(fk) => KPick::fixed(fk),
        None => k_choice::auto(&results, knee, gap.as_ref(), cfg.k_min, k_max),
    };
    progress.report(1.0, &format!("K={chosen_k} chosen: {reason}"));
    Ok(SweepResult {
        results,
        chosen_k,
        choice,
        reason,
        knee,
        k_min: cfg.k_min,
        k_max,
        restarts_sample: restarts_sample_size(x.nrows(), cfg),
        storage: cfg.storage,
        gap,
        at_edge,
        warnings,
    })
}

/// Both results, or the error of the part that failed first: the other
/// part, stopped by it, only reports `Cancelled`.
fn first_real_error<A, B>(a: Result<A>, b: Result<B>) -> Result<(A, B)> {
    match (a, b) {
        (Ok(a), Ok(b)) => Ok((a, b)),
        (Err(Error::Cancelled), Err(e)) | (Err(e), _) | (_, Err(e)) => Err(e),
    }
}

/// The ranges the sweep itself needs (the rest is checked by
/// `RunConfig::validate` and `check_config`).
fn check_sweep_config(cfg: &SweepConfig) -> Result<()> {
    if cfg.k_min < 2 {
        return Err(Error::usage(format!(
            "the K range must start at 2 or more (got {}); K=1 is always computed for the elbow curve",
            cfg.k_min
        )));
    }
    if cfg.k_max < cfg.k_min {
        return Err(Error::usage(format!(
            "empty K range {}..={}",
            cfg.k_min, cfg.k_max
        )));
    }
    if cfg.fixed_k == Some(0) {
        return Err(Error::usage("K must be at least 1 (got K = 0)"));
    }
    if cfg.silhouette_sample < 2 {
        return Err(Error::usage(
            "the silhouette sample must have at least 2 rows",
        ));
    }
    Ok(())
}

/// The K to fit (1, the range, a fixed K outside it), ascending, and the
/// top of the range once capped at the number of distinct rows (a warning
/// says so).
fn ks_to_fit(
    x: ArrayView2<f64>,
    cfg: &SweepConfig,
    warnings: &mut Vec<String>,
) -> Result<(Vec<usize>, usize)> {
    let (n, d) = x.dim();
    let want = cfg.k_max.max(cfg.fixed_k.unwrap_or(0));
    let distinct = count_distinct_rows(&row_major(&x), d, want);
    if distinct <= 1 {
        return Err(too_few_rows(n, distinct, cfg.fixed_k.unwrap_or(cfg.k_min)));
    }
    if let Some(fk) = cfg.fixed_k
        && fk > distinct
    {
        return Err(too_few_rows(n, distinct, fk));
    }
    let k_max = cfg.k_max.min(distinct);
    if k_max < cfg.k_min {
        return Err(too_few_rows(n, distinct, cfg.k_min));
    }
    if k_max < cfg.k_max {
        let what = if distinct == n {
            "rows"
        } else {
            "distinct rows"
        };
        warnings.push(format!(
            "the data has only {distinct} {what}; K range capped at {}..={k_max}",
            cfg.k_min
        ));
    }
    let mut ks: Vec<usize> = std::iter::once(1).chain(cfg.k_min..=k_max).collect();
    if let Some(fk) = cfg.fixed_k
        && !ks.contains(&fk)
    {
        ks.push(fk);
        ks.sort_unstable();
    }
    Ok((ks, k_max))
}

/// Rows of the seeded sample the restarts run on, when they do.
fn restarts_sample_size(n: usize, cfg: &SweepConfig) -> Option<usize> {
    (cfg.fit_sample > 0 && n > cfg.fit_sample).then_some(cfg.fit_sample)
}

/// Restarts of one K's fit (K = 1 has one answer).
fn n_init_of(cfg: &SweepConfig, k: usize) -> usize {
    if k == 1 { 1 } else { cfg.n_init }
}

/// Progress units of fitting `ks`: one per restart, two for the metrics of
/// K >= 2.
fn fit_units(cfg: &SweepConfig, ks: &[usize]) -> f64 {
    ks.iter()
        .map(|&k| n_init_of(cfg, k) as f64 + if k >= 2 { 2.0 } else { 0.0 })
        .sum()
}

/// Fits each K of `ks` and measures it, reporting progress in units: one
/// per restart, two for the metrics of K >= 2.
fn fit_each_k(
    x: ArrayView2<f64>,
    cfg: &SweepConfig,
    base: &KMeansConfig,
    ks: &[usize],
    progress: &dyn Progress,
) -> Result<Vec<KResult>> {
    let (n, d) = x.dim();
    // Big data (fitted on a sample first) is used in place; small data keeps
    // scikit-learn's centred copy, and with it its exact figures.
    let prep = if restarts_sample_size(n, cfg).is_some() {
        Working::borrowing(cfg.storage, x)
    } else {
        Working::new(cfg.storage, x)
    };
    // The sample's rows in f64 (to count its distinct rows) and prepared.
    let sample_prep = restarts_sample_size(n, cfg).map(|m| {
        let rows = crate::pipeline::trust::sample::rows_without_replacement(
            n,
            m,
            cfg.seed,
            FIT_SAMPLE_STREAM,
        );
        let sample = x.select(Axis(0), &rows);
        let prepared = Working::new(cfg.storage, sample.view());
        (sample, prepared)
    });
    let n_init_of = |k: usize| n_init_of(cfg, k);
    // The same for every K (the Calinski–Harabasz index reads them).
    let overall = column_means(&row_major(&x), d);
    let total = fit_units(cfg, ks);
    let mut done = 0.0;
    let mut results = Vec::with_capacity(ks.len());
    for &k in ks {
        let kcfg = KMeansConfig {
            k,
            n_init: n_init_of(k),
            ..base.clone()
        };
        let span = Span {
            progress,
            base: done / total,
            width: n_init_of(k) as f64 / total,
            prefix: format!("K={k}"),
        };
        let fit = match &sample_prep {
            Some((sx, sp)) if k >= 2 && count_distinct_rows(&row_major(&sx.view()), d, k) >= k => {
                fit_on_sample_then_all(&prep, sp, &kcfg, &span)?
            }
            _ => prep.fit(&kcfg, &span)?,
        };
        // Same data, same numbers, whatever the seed or restart.
        let mut fit = fit;
        super::canonical::renumber(&mut fit);
        done += n_init_of(k) as f64;
        let metrics = if k >= 2 {
            if progress.is_cancelled() {
                return Err(Error::Cancelled);
            }
            progress.report(done / total, &format!("K={k}: quality metrics"));
            done += 2.0;
            metrics_of(x, &overall, &fit, k, cfg)?
        } else {
            Metrics {
                silhouette: None,
                silhouette_sampled: false,
                silhouette_sample_size: 0,
                calinski_harabasz: None,
                davies_bouldin: None,
            }
        };
        progress.k_fitted(&KFitted {
            k,
            sse: fit.inertia,
            metrics: metrics.clone(),
            done: results.len() + 1,
            total: ks.len(),
        });
        results.push(KResult {
            k,
            fit,
            metrics,
            continuity: None,
        });
    }
    Ok(results)
}

/// The quality metrics of one fit with K >= 2 (`overall`: the column
/// means of `x`).
fn metrics_of(
    x: ArrayView2<f64>,
    overall: &[f64],
    fit: &KMeansResult,
    k: usize,
    cfg: &SweepConfig,
) -> Result<Metrics> {
    let sil = silhouette_sampled(x, &fit.labels, k, cfg.silhouette_sample, cfg.seed)?;
    let (calinski_harabasz, davies_bouldin) =
        calinski_harabasz_and_davies_bouldin(x, &fit.labels, k, overall)?;
    Ok(Metrics {
        silhouette: sil.value,
        silhouette_sampled: sil.sampled,
        silhouette_sample_size: sil.sample_size,
        calinski_harabasz,
        davies_bouldin,
    })
}

/// The knee of the SSE curve, looked for over the swept range: the drop
/// from K = 1 dwarfs every later one and pulls the knee to K = 2 or 3
/// however many groups the data has. Kneedle needs a few points, though: a
/// range of fewer than [`MIN_KNEE_POINTS`] K is searched with every
/// computed K.
fn knee_of(results: &[KResult], k_min: usize, k_max: usize) -> Option<usize> {
    let in_range = |k: usize| (k_min..=k_max).contains(&k);
    let curve: Vec<&KResult> = if (k_min..=k_max).count() >= MIN_KNEE_POINTS {
        results.iter().filter(|r| in_range(r.k)).collect()
    } else {
        results.iter().collect()
    };
    let (curve_ks, curve_sse): (Vec<usize>, Vec<f64>) =
        curve.iter().map(|r| (r.k, r.fit.inertia)).unzip();
    find_knee(&curve_ks, &curve_sse)
}

/// The restarts of `cfg` on the sample, then one Lloyd run on all rows from
/// the best restart's centres. Reports the restarts that ran on the sample.
fn fit_on_sample_then_all(
    all: &Working,
    sample: &Working,
    cfg: &KMeansConfig,
    span: &Span,
) -> Result<KMeansResult> {
    let restarts = Span {
        progress: span.progress,
        base: span.base,
        width: span.width * 0.5,
        prefix: format!("{} (sample of {} rows)", span.prefix, sample.n()),
    };
    let on_sample = sample.fit(cfg, &restarts)?;
    let refine = Span {
        progress: span.progress,
        base: span.base + span.width * 0.5,
        width: span.width * 0.5,
        prefix: format!("{} (all rows)", span.prefix),
    };
    let refine_cfg = KMeansConfig {
        n_init: 1,
        init: super::Init::Given(on_sample.centres),
        ..cfg.clone()
    };
    let mut fit = all.fit(&refine_cfg, &refine)?;
    fit.n_init = on_sample.n_init;
    fit.best_restart = on_sample.best_restart;
    fit.warnings.extend(on_sample.warnings);
    Ok(fit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_part_that_failed_is_reported_not_the_one_it_stopped() {
        let real = || Error::usage("bad");
        let is_real = |r: Result<((), ())>| matches!(r, Err(Error::Usage(m)) if m == "bad");
        assert!(is_real(first_real_error::<(), ()>(
            Err(Error::Cancelled),
            Err(real())
        )));
        assert!(is_real(first_real_error::<(), ()>(
            Err(real()),
            Err(Error::Cancelled)
        )));
        assert!(is_real(first_real_error::<(), ()>(Ok(()), Err(real()))));
        assert!(matches!(
            first_real_error::<(), ()>(Err(Error::Cancelled), Ok(())),
            Err(Error::Cancelled)
        ));
        assert!(first_real_error::<(), ()>(Ok(()), Ok(())).is_ok());
    }
}
