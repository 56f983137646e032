//! What the TUI keeps of each stage after Map, and the work the worker does
//! to produce it. Every computation here goes through the same stage
//! functions as `--no-tui` (`pipeline::run`), so a RunConfig saved from the
//! TUI replays the same result; what is added is only for display
//! (histograms, a PCA sample) or for the export file choice.

use crate::config::RunConfig;
use crate::error::{Error, Result};
use crate::pipeline::clean::Cleaned;
use crate::pipeline::cluster::{Choice, SweepConfig, SweepResult};
use crate::pipeline::export;
use crate::pipeline::features::{FeatureOptions, Features};
use crate::pipeline::mapping::Mapping;
use crate::pipeline::profile::Profiles;
use crate::pipeline::progress::Progress;
use crate::pipeline::run::{self, Prepared, RunOutput};
use crate::pipeline::table::Table;
use crate::remedy::Remedy;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Bins of the small distributions on the Features screen.
pub const HIST_BINS: usize = 16;
/// At most this many customers are drawn in the PCA scatter.
pub const SCATTER_POINTS: usize = 4000;

/// The Features stage's output, with what the screen draws.
#[derive(Clone, Debug)]
pub struct FeatureData {
    pub features: Features,
    /// Per feature: counts of the original values in [`HIST_BINS`] equal bins.
    pub hist_raw: Vec<Vec<u32>>,
    /// Per feature: the same for the values as clustered (after the transform).
    pub hist_used: Vec<Vec<u32>>,
    /// The options that produced it (settings naming no feature removed).
    pub options: FeatureOptions,
    /// Settings that were removed because they name no feature, in words.
    pub dropped_settings: Vec<String>,
}

/// A finished sweep and the options it ran with.
#[derive(Clone, Debug)]
pub struct SweepData {
    pub sweep: SweepResult,
    pub config: SweepConfig,
}

impl SweepData {
    /// The K the sweep would choose by itself (the rule of
    /// `pipeline::cluster::sweep`: the knee inside the range, else the best
    /// silhouette, else the smallest K), with the reason.
    pub fn auto_choice(&self) -> (usize, Choice, String) {
        let s = &self.sweep;
        if s.choice != Choice::Fixed {
            return (s.chosen_k, s.choice, s.reason.clone());
        }
        let in_range = |k: usize| (s.k_min..=s.k_max).contains(&k);
        if let Some(kk) = s.knee.filter(|&kk| in_range(kk)) {
            return (
                kk,
                Choice::Knee,
                format!("knee of the SSE curve (Kneedle) at K={kk}"),
            );
        }
        let best = s
            .results
            .iter()
            .filter(|r| in_range(r.k))
            .filter_map(|r| r.metrics.silhouette.map(|v| (r.k, v)))
            .fold(None, |b: Option<(usize, f64)>, (k, v)| match b {
                Some((_, bv)) if bv >= v => b,
                _ => Some((k, v)),
            });
        match best {
            Some((k, v)) => (
                k,
                Choice::BestSilhouette,
                format!("no clear knee in the SSE curve; K={k} has the best silhouette ({v:.2})"),
            ),
            None => (
                s.k_min,
                Choice::Smallest,
                format!(
                    "no clear knee in the SSE curve and no silhouette defined; smallest K of the range (K={})",
                    s.k_min
                ),
            ),
        }
    }

    /// Whether the sweep computed K (K = 1 only draws the elbow).
    pub fn has(&self, k: usize) -> bool {
        k >= 2 && self.sweep.get(k).is_some()
    }

    /// The K values one can choose, ascending.
    pub fn choosable(&self) -> Vec<usize> {
        self.sweep
            .results
            .iter()
            .map(|r| r.k)
            .filter(|&k| k >= 2)
            .collect()
    }
}

/// Profiles of the segments for one K.
#[derive(Clone, Debug)]
pub struct ProfileData {
    pub k: usize,
    pub profiles: Profiles,
}

/// The first two principal components of a sample of customers.
#[derive(Clone, Debug)]
pub struct Pca {
    /// Row of each point in the feature matrix.
    pub rows: Vec<usize>,
    pub points: Vec<[f64; 2]>,
    /// Share of the variance each component explains.
    pub ratio: [f64; 2],
}

/// The sweep options of a run, compared without the fixed K (moving K does
/// not need a new sweep).
pub fn sweep_options(cfg: &RunConfig) -> SweepConfig {
    SweepConfig {
        fixed_k: None,
        ..run::sweep_config(cfg)
    }
}

/// Counts of `values` in `bins` equal bins over their range.
pub fn histogram(values: &[f64], bins: usize) -> Vec<u32> {
    let mut out = vec![0u32; bins];
    let (lo, hi) = values
        .iter()
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
            (lo.min(v), hi.max(v))
        });
    if bins == 0 || lo > hi {
        return out;
    }
    let span = hi - lo;
    for &v in values.iter().filter(|v| v.is_finite()) {
        let b = if span > 0.0 {
            (((v - lo) / span) * bins as f64) as usize
        } else {
            bins / 2
        };
        out[b.min(bins - 1)] += 1;
    }
    out
}

/// Prepare (aggregate a transaction log) unless `prepared` is given, then Clean.
pub fn compute_clean(
    table: &Table,
    mapping: &Mapping,
    prepared: Option<Arc<Prepared>>,
    cfg: &RunConfig,
    progress: &dyn Progress,
) -> Result<(Arc<Prepared>, Cleaned)> {
    let prepared = match prepared {
        Some(p) => p,
        None => Arc::new(run::stage_prepare(table, mapping, cfg, progress)?),
    };
    if progress.is_cancelled() {
        return Err(Error::Cancelled);
    }
    progress.report(0.5, "cleaning");
    let cleaned = run::stage_clean(prepared.table(table), prepared.mapping(mapping), cfg)?;
    progress.report(1.0, "cleaned");
    Ok((prepared, cleaned))
}

/// Features, with the display histograms. Exclusions and transform
/// settings that name no feature of this data (left from another file or
/// mapping) are removed and reported instead of failing.
pub fn compute_features(
    cleaned: &Cleaned,
    mapping: &Mapping,
    cfg: &RunConfig,
    progress: &dyn Progress,
) -> Result<FeatureData> {
    progress.report(0.1, "building features");
    let mut cfg = cfg.clone();
    let mut dropped_settings = Vec::new();
    let features = match run::stage_features(cleaned, mapping, &cfg) {
        // A saved drop or transform names a feature this data does not have.
        Err(e)
            if matches!(
                e.setting(),
                Some(Remedy::DropFeature { .. } | Remedy::TransformFeature { to: None, .. })
            ) =>
        {
            let mut bare = cfg.clone();
            bare.features.drop_features.clear();
            bare.features.transform_overrides.clear();
            let probe = run::stage_features(cleaned, mapping, &bare)?;
            let known = |n: &String| probe.names.contains(n);
            for n in &cfg.features.drop_features {
                if !known(n) {
                    dropped_settings.push(format!("exclude {n}"));
                }
            }
            for n in cfg.features.transform_overrides.keys() {
                if !known(n) {
                    dropped_settings.push(format!("transform of {n}"));
                }
            }
            cfg.features.drop_features.retain(known);
            cfg.features.transform_overrides.retain(|n, _| known(n));
            run::stage_features(cleaned, mapping, &cfg)?
        }
        other => other?,
    };
    if progress.is_cancelled() {
        return Err(Error::Cancelled);
    }
    progress.report(0.8, "distributions");
    let d = features.d;
    let column =
        |m: &[f64], j: usize| -> Vec<f64> { m.iter().skip(j).step_by(d).copied().collect() };
    let hist_raw = (0..d)
        .map(|j| histogram(&column(&features.original, j), HIST_BINS))
        .collect();
    let hist_used = (0..d)
        .map(|j| histogram(&column(&features.scaled, j), HIST_BINS))
        .collect();
    Ok(FeatureData {
        features,
        hist_raw,
        hist_used,
        options: cfg.features,
        dropped_settings,
    })
}

/// Profiles for `k`, and the PCA sample when asked for.
pub fn compute_profiles(
    features: &FeatureData,
    cleaned: &Cleaned,
    mapping: &Mapping,
    sweep: &SweepData,
    k: usize,
    cfg: &RunConfig,
    with_pca: bool,
) -> Result<(ProfileData, Option<Pca>)> {
    let result = sweep
        .sweep
        .get(k)
        .ok_or_else(|| Error::usage(format!("K={k} was not computed by the sweep")))?;
    let profiles = run::stage_profile(&features.features, cleaned, mapping, result, cfg);
    let pca = with_pca.then(|| pca_sample(&features.features));
    Ok((ProfileData { k, profiles }, pca))
}

/// The PCA of all customers, kept for an evenly spaced sample of them.
pub fn pca_sample(f: &Features) -> Pca {
    let (points, ratio) = export::pca::pca_2d(&f.scaled, f.n, f.d);
    let step = f.n.div_ceil(SCATTER_POINTS).max(1);
    let rows: Vec<usize> = (0..f.n).step_by(step).collect();
    Pca {
        points: rows.iter().map(|&i| points[i]).collect(),
        rows,
        ratio,
    }
}

/// The files the Export screen offers, in the order they are written.
pub use crate::pipeline::export::Output as OutputFile;
pub const OUTPUT_FILES: [OutputFile; 6] = OutputFile::ALL;

/// How the Export screen names and explains each part.
pub trait OutputText {
    fn name(self) -> &'static str;
    fn what(self) -> &'static str;
}

impl OutputText for OutputFile {
    fn name(self) -> &'static str {
        self.file_name()
    }

    fn what(self) -> &'static str {
        match self {
            OutputFile::Results => "each customer's segment and label",
            OutputFile::Summary => "per segment: size, share, means",
            OutputFile::Charts => "elbow, sizes, radar, heatmap, PCA",
            OutputFile::Report => "the whole run explained, for people",
            OutputFile::Model => "scores new customers the same way",
            OutputFile::RunConfig => "replays this run: --no-tui --config",
        }
    }
}

/// Everything Export needs, shared with the UI (nothing is copied until the
/// worker builds the [`RunOutput`]).
#[derive(Clone)]
pub struct ExportRequest {
    pub table: Arc<Table>,
    pub mapping: Mapping,
    pub prepared: Arc<Prepared>,
    pub cleaned: Arc<Cleaned>,
    pub features: Arc<FeatureData>,
    pub sweep: Arc<SweepData>,
    pub k: usize,
    pub profiles: Arc<ProfileData>,
    pub config: RunConfig,
    pub dir: PathBuf,
    pub force: bool,
    pub files: Vec<OutputFile>,
}

impl std::fmt::Debug for ExportRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExportRequest")
            .field("dir", &self.dir)
            .field("force", &self.force)
            .field("files", &self.files)
            .field("k", &self.k)
            .finish_non_exhaustive()
    }
}

impl ExportRequest {
    /// The run as `run_all` would have returned it (the chosen K as shown).
    pub fn run_output(&self) -> RunOutput {
        let mut sweep = self.sweep.sweep.clone();
        sweep.chosen_k = self.k;
        if self.config.cluster.k.is_some() {
            // What a replay of the saved config says.
            sweep.choice = Choice::Fixed;
            sweep.reason = "fixed by the user".into();
        }
        RunOutput {
            table: (*self.table).clone(),
            mapping: self.mapping.clone(),
            prepared: Prepared {
                decision: self.prepared.decision.clone(),
                aggregated: self.prepared.aggregated.clone(),
            },
            cleaned: (*self.cleaned).clone(),
            features: self.features.features.clone(),
            sweep,
            profiles: self.profiles.profiles.clone(),
        }
    }
}

/// Writes the chosen files of `run` into `dir` as one set, through the
/// same writer as `--no-tui` (`pipeline::export::write_outputs`), which
/// checks for cancel between files.
pub fn write_outputs(
    run: &RunOutput,
    cfg: &RunConfig,
    dir: &Path,
    force: bool,
    files: &[OutputFile],
    progress: &dyn Progress,
) -> Result<Vec<PathBuf>> {
    export::write_outputs(run, cfg, dir, force, files, progress)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histograms_cover_the_range() {
        assert_eq!(histogram(&[0.0, 1.0, 2.0, 3.0], 4), [1, 1, 1, 1]);
        assert_eq!(histogram(&[5.0, 5.0], 4), [0, 0, 2, 0]);
        assert_eq!(histogram(&[], 3), [0, 0, 0]);
        assert_eq!(histogram(&[0.0, 10.0, f64::NAN], 2), [1, 1]);
    }
}
