//! What each stage runs, from the outputs before it and the config: the
//! code both faces run for every stage (the headless mode through
//! [`super::Analysis::run_to`], the TUI's worker one job per step).

use crate::config::RunConfig;
use crate::error::{Error, Result};
use crate::pipeline::clean::Cleaned;
use crate::pipeline::cluster::SweepResult;
use crate::pipeline::features::{FeatureOptions, Features};
use crate::pipeline::k_choice;
use crate::pipeline::mapping::Mapping;
use crate::pipeline::profile::Profiles;
use crate::pipeline::progress::{NoProgress, Progress};
use crate::pipeline::run::{self, Prepared};
use crate::pipeline::table::Table;
use crate::pipeline::trust::{self, Trust, TrustOptions};
use crate::remedy::Remedy;

pub fn load(cfg: &RunConfig, progress: &dyn Progress) -> Result<Table> {
    run::stage_load(cfg, progress)
}

/// Loads `path` with `options` (the TUI's Load screen: a path and options
/// being edited); `expected_sha256` is the input's fingerprint saved in a
/// replayed run.toml, and a changed file gets a warning.
pub fn load_file(
    path: &std::path::Path,
    options: &crate::pipeline::load::LoadOptions,
    expected_sha256: Option<&str>,
    progress: &dyn Progress,
) -> Result<Table> {
    run::stage_load_file(path, options, expected_sha256, progress)
}

pub fn map(table: &Table, cfg: &RunConfig) -> Result<Mapping> {
    run::stage_map(table, cfg)
}

pub fn prepare(
    table: &Table,
    mapping: &Mapping,
    cfg: &RunConfig,
    progress: &dyn Progress,
) -> Result<Prepared> {
    run::stage_prepare(table, mapping, cfg, progress)
}

/// `table` and `mapping` are the customer-level ones (after Prepare).
pub fn clean(table: &Table, mapping: &Mapping, cfg: &RunConfig) -> Result<Cleaned> {
    run::stage_clean(table, mapping, cfg)
}

pub fn features(cleaned: &Cleaned, mapping: &Mapping, cfg: &RunConfig) -> Result<Features> {
    run::stage_features(cleaned, mapping, cfg)
}

/// Features built with the settings that name a feature of this data; the
/// exclusions and transform settings naming none (left from another file
/// or mapping, as in the TUI after a new file) are removed and listed in
/// words instead of failing the stage.
pub struct LenientFeatures {
    pub features: Features,
    /// The options that produced them.
    pub options: FeatureOptions,
    /// The settings removed, e.g. "exclude Balance", "transform of Age".
    pub dropped_settings: Vec<String>,
}

/// [`features`], keeping going past settings that name no feature.
pub fn features_lenient(
    cleaned: &Cleaned,
    mapping: &Mapping,
    cfg: &RunConfig,
) -> Result<LenientFeatures> {
    let first = match features(cleaned, mapping, cfg) {
        Ok(features) => {
            return Ok(LenientFeatures {
                features,
                options: cfg.features.clone(),
                dropped_settings: Vec::new(),
            });
        }
        Err(e) => e,
    };
    let named = &cfg.features;
    let names_some = !named.drop_features.is_empty() || !named.transform_overrides.is_empty();
    // Only an option naming a feature this data lacks is forgiven.
    let names_missing = matches!(
        first.setting(),
        Some(Remedy::DropFeature { .. } | Remedy::TransformFeature { to: None, .. })
    );
    if !names_some || !names_missing {
        return Err(first);
    }
    // Which names exist: the features without any setting that names one.
    let mut bare = cfg.clone();
    bare.features.drop_features.clear();
    bare.features.transform_overrides.clear();
    let Ok(probe) = features(cleaned, mapping, &bare) else {
        return Err(first);
    };
    let known = |n: &String| probe.names.contains(n);
    let mut dropped_settings = Vec::new();
    for n in named.drop_features.iter().filter(|n| !known(n)) {
        dropped_settings.push(format!("exclude {n}"));
    }
    for n in named.transform_overrides.keys().filter(|n| !known(n)) {
        dropped_settings.push(format!("transform of {n}"));
    }
    if dropped_settings.is_empty() {
        // The settings were not the problem.
        return Err(first);
    }
    let mut cfg = cfg.clone();
    cfg.features.drop_features.retain(known);
    cfg.features.transform_overrides.retain(|n, _| known(n));
    Ok(LenientFeatures {
        features: features(cleaned, mapping, &cfg)?,
        options: cfg.features,
        dropped_settings,
    })
}

pub fn cluster(
    features: &Features,
    cfg: &RunConfig,
    progress: &dyn Progress,
) -> Result<SweepResult> {
    run::stage_cluster(features, cfg, progress)
}

/// Profiles and labels the segments of the sweep's fit for `k`, and
/// assesses them (structure verdict, stability, rules: `Profiles::trust`).
pub fn profile(
    features: &Features,
    cleaned: &Cleaned,
    mapping: &Mapping,
    sweep: &SweepResult,
    k: usize,
    cfg: &RunConfig,
) -> Result<Profiles> {
    profile_with_progress(features, cleaned, mapping, sweep, k, cfg, &NoProgress)
}

/// [`profile`], reporting the stability check's progress (and stopping
/// when asked).
pub fn profile_with_progress(
    features: &Features,
    cleaned: &Cleaned,
    mapping: &Mapping,
    sweep: &SweepResult,
    k: usize,
    cfg: &RunConfig,
    progress: &dyn Progress,
) -> Result<Profiles> {
    let result = sweep
        .get(k)
        .ok_or_else(|| Error::usage(format!("K={k} was not computed by the sweep")))?;
    // The profile reads the labels only; it runs beside the trust checks,
    // whose rules and verdict are partly serial.
    let (mut profiles, trust) = rayon::join(
        || run::stage_profile(features, cleaned, mapping, result, cfg),
        || assess(features, sweep, k, cfg, progress),
    );
    profiles.trust = Some(trust?);
    Ok(profiles)
}

/// The trust checks of the segments of `k` (see `pipeline::trust`).
pub fn assess(
    features: &Features,
    sweep: &SweepResult,
    k: usize,
    cfg: &RunConfig,
    progress: &dyn Progress,
) -> Result<Trust> {
    let auto = k_choice::auto_pick(sweep);
    let opts = TrustOptions {
        resamples: cfg.cluster.stability_resamples,
        stop_when_settled: cfg.cluster.stability_stop_when_settled,
        sample: cfg.cluster.fit_sample,
        seed: cfg.seed,
        max_iter: cfg.cluster.max_iter,
        tol: cfg.cluster.tol,
        storage: cfg.cluster.storage,
        at_edge: cfg.cluster.k.is_none() && auto.k == k && auto.at_edge,
    };
    trust::assess(features, sweep, k, &opts, progress)
}
