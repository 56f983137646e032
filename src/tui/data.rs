//! What the TUI keeps of each stage after Map, and the work the worker does
//! to produce it. Every computation here is a step of the pipeline's
//! `Analysis` (`pipeline::analysis::steps`, what `--no-tui` runs too), and
//! the K rule is the analysis's (`pipeline::k_choice`), so a RunConfig
//! saved from the TUI replays the same result; what is added is only for
//! display (histograms, a PCA sample) or for the export file choice.

use crate::config::RunConfig;
use crate::error::{Error, Result};
use crate::pipeline::analysis::{KPick, k_choice, steps};
use crate::pipeline::clean::Cleaned;
use crate::pipeline::cluster::{SweepConfig, SweepResult};
use crate::pipeline::export;
use crate::pipeline::features::{FeatureOptions, Features};
use crate::pipeline::mapping::Mapping;
use crate::pipeline::profile::Profiles;
use crate::pipeline::progress::Progress;
use crate::pipeline::run::{Prepared, RunOutput};
use crate::pipeline::table::Table;
use std::path::PathBuf;
use std::sync::Arc;

/// Bins of the small distributions on the Features screen.
pub const HIST_BINS: usize = 16;
/// At most this many customers are drawn in the PCA scatter.
pub const SCATTER_POINTS: usize = 4000;

/// The Features stage's output, with what the screen draws.
#[derive(Clone, Debug)]
pub struct FeatureData {
    pub features: Arc<Features>,
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
    pub sweep: Arc<SweepResult>,
    pub config: SweepConfig,
}

impl SweepData {
    /// The K the sweep would choose by itself (the analysis's one rule,
    /// [`k_choice::auto_pick`]), with the reason.
    pub fn auto_choice(&self) -> KPick {
        k_choice::auto_pick(&self.sweep)
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
    pub profiles: Arc<Profiles>,
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
) -> Result<(Arc<Prepared>, Arc<Cleaned>)> {
    let prepared = match prepared {
        Some(p) => p,
        None => Arc::new(steps::prepare(table, mapping, cfg, progress)?),
    };
    if progress.is_cancelled() {
        return Err(Error::Cancelled);
    }
    progress.report(0.5, "cleaning");
    let cleaned = steps::clean(prepared.table(table), prepared.mapping(mapping), cfg)?;
    progress.report(1.0, "cleaned");
    Ok((prepared, Arc::new(cleaned)))
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
    let steps::LenientFeatures {
        features,
        options,
        dropped_settings,
    } = steps::features_lenient(cleaned, mapping, cfg)?;
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
        features: Arc::new(features),
        hist_raw,
        hist_used,
        options,
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
    let profiles = steps::profile(&features.features, cleaned, mapping, &sweep.sweep, k, cfg)?;
    let pca = with_pca.then(|| pca_sample(&features.features));
    let profiles = Arc::new(profiles);
    Ok((ProfileData { k, profiles }, pca))
}

/// The PCA of all customers, kept for an evenly spaced sample of them.
pub fn pca_sample(f: &Features) -> Pca {
    let (points, ratio) = export::pca::pca_2d(f.view());
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

/// Everything Export needs: the run's outputs shared with the UI (`Arc`s,
/// nothing copied) and where to write which files.
#[derive(Clone)]
pub struct ExportRequest {
    pub run: RunOutput,
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
            .field("k", &self.run.pick.k)
            .finish_non_exhaustive()
    }
}

/// The stage outputs the TUI holds, put together as the run to export.
pub struct ExportParts {
    pub table: Arc<Table>,
    pub mapping: Arc<Mapping>,
    pub prepared: Arc<Prepared>,
    pub cleaned: Arc<Cleaned>,
    pub features: Arc<FeatureData>,
    pub sweep: Arc<SweepData>,
    pub k: usize,
    pub profiles: Arc<ProfileData>,
}

impl ExportParts {
    /// The run as `--no-tui` would have made it with this config (the
    /// chosen K as shown): the outputs are shared, not copied.
    pub fn run_output(self, cfg: &RunConfig) -> RunOutput {
        let k = self.k;
        let pick = match k_choice::pick(&self.sweep.sweep, cfg.cluster.k) {
            Ok(p) if p.k == k => p,
            _ => KPick::fixed(k),
        };
        RunOutput {
            table: self.table,
            mapping: self.mapping,
            prepared: self.prepared,
            cleaned: self.cleaned,
            features: Arc::clone(&self.features.features),
            sweep: Arc::clone(&self.sweep.sweep),
            pick,
            profiles: Arc::clone(&self.profiles.profiles),
        }
    }
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
