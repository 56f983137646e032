//! The stages chained: each `stage_*` function takes the previous stage's
//! output and the RunConfig, so the TUI can re-run only what follows a change
//! and the headless mode can run them all. [`run_all`] is the straight line.

use crate::config::RunConfig;
use crate::error::{Error, Result};
use crate::pipeline::aggregate::{Aggregated, InputDecision, aggregate_if_needed};
use crate::pipeline::analysis::{Analysis, KPick, Step};
use crate::pipeline::clean::{Cleaned, clean};
use crate::pipeline::cluster::{KResult, SweepConfig, SweepResult, sweep};
use crate::pipeline::features::{Features, build_features};
use crate::pipeline::load::load;
use crate::pipeline::mapping::{Mapping, Role, map_columns};
use crate::pipeline::profile::{ProfileInput, Profiles, profile, profile_columns};
use crate::pipeline::progress::Progress;
use crate::pipeline::table::{ColumnType, Table};
use std::sync::Arc;

/// The customer-level table the later stages work on: the loaded table, or
/// the per-customer aggregation of a transaction log.
pub struct Prepared {
    pub decision: InputDecision,
    pub aggregated: Option<Aggregated>,
}

impl Prepared {
    pub fn table<'a>(&'a self, loaded: &'a Table) -> &'a Table {
        self.aggregated.as_ref().map_or(loaded, |a| &a.table)
    }
    pub fn mapping<'a>(&'a self, loaded: &'a Mapping) -> &'a Mapping {
        self.aggregated.as_ref().map_or(loaded, |a| &a.mapping)
    }
}

/// Everything one run produced, stage by stage, shared with the
/// [`Analysis`](crate::pipeline::analysis::Analysis) that made it (nothing
/// is copied to export or summarise it).
#[derive(Clone)]
pub struct RunOutput {
    pub table: Arc<Table>,
    pub mapping: Arc<Mapping>,
    pub prepared: Arc<Prepared>,
    pub cleaned: Arc<Cleaned>,
    pub features: Arc<Features>,
    pub sweep: Arc<SweepResult>,
    /// The K of `profiles` and why it was chosen.
    pub pick: KPick,
    pub profiles: Arc<Profiles>,
}

impl RunOutput {
    /// The mapping of the customer-level table (after any aggregation).
    pub fn customer_mapping(&self) -> &Mapping {
        self.prepared.mapping(&self.mapping)
    }
    /// The fit of the K whose segments these are.
    pub fn chosen(&self) -> &KResult {
        self.sweep
            .get(self.pick.k)
            .unwrap_or(&self.sweep.results[0])
    }
}

/// Loads the input; when the config recorded the input's SHA-256 (a
/// replayed run.toml) and the file differs now, a warning says so.
pub fn stage_load(cfg: &RunConfig, progress: &dyn Progress) -> Result<Table> {
    let input = cfg
        .input
        .as_ref()
        .ok_or_else(|| Error::usage("no input file given"))?;
    let mut table = crate::pipeline::projection::load_for_run(input, cfg, progress)?;
    if let Some(warning) = replay_check(input, cfg.input_sha256.as_deref())? {
        table.source.warnings.push(warning);
    }
    Ok(table)
}

/// Loads `path`; when `expected_sha256` (recorded in a replayed run.toml)
/// differs from the file now, a warning says so.
pub fn stage_load_file(
    path: &std::path::Path,
    options: &crate::pipeline::load::LoadOptions,
    expected_sha256: Option<&str>,
    progress: &dyn Progress,
) -> Result<Table> {
    let mut table = load(path, options, progress)?;
    if let Some(warning) = replay_check(path, expected_sha256)? {
        table.source.warnings.push(warning);
    }
    Ok(table)
}

/// The warning for a replay whose input changed since it was saved
/// (`expected` is the SHA-256 recorded in run.toml), or `None`.
pub fn replay_check(input: &std::path::Path, expected: Option<&str>) -> Result<Option<String>> {
    let Some(expected) = expected else {
        return Ok(None);
    };
    let (now, _) = crate::pipeline::export::write::file_digest(input)?;
    Ok((now != expected).then(|| {
        format!(
            "{} has changed since this configuration was saved (its SHA-256 differs), so the segments may differ from the saved run's",
            input.display()
        )
    }))
}

/// Map columns; a table with no numeric column cannot be segmented at all.
pub fn stage_map(table: &Table, cfg: &RunConfig) -> Result<Mapping> {
    let mapping = map_columns(table, &cfg.mapping)?;
    let has_numbers = table.columns.iter().any(|c| c.ctype.is_numeric());
    let has_dates = table.columns.iter().any(|c| c.ctype == ColumnType::Date);
    // A log of dated transactions still gives frequency and recency.
    let dated_log = has_dates && mapping.column_for(Role::CustomerId).is_some();
    if !(has_numbers || dated_log) {
        let found: Vec<String> = table
            .columns
            .iter()
            .map(|c| format!("{} ({})", c.name, c.ctype.name()))
            .collect();
        return Err(Error::data(format!(
            "{}: no numeric column to segment on; found {}",
            table.source.file_name(),
            found.join(", ")
        )));
    }
    Ok(mapping)
}

pub fn stage_prepare(
    table: &Table,
    mapping: &Mapping,
    cfg: &RunConfig,
    progress: &dyn Progress,
) -> Result<Prepared> {
    let (decision, aggregated) =
        aggregate_if_needed(table, mapping, &cfg.aggregate, cfg.clean.as_of, progress)?;
    Ok(Prepared {
        decision,
        aggregated,
    })
}

pub fn stage_clean(table: &Table, mapping: &Mapping, cfg: &RunConfig) -> Result<Cleaned> {
    clean(table, mapping, &cfg.clean)
}

pub fn stage_features(cleaned: &Cleaned, mapping: &Mapping, cfg: &RunConfig) -> Result<Features> {
    let mut features = build_features(&cleaned.table, mapping, &cfg.features, cleaned.as_of.date)?;
    if let Some(w) = too_many_features(features.n, features.d) {
        features.report.warnings.push(crate::remedy::Notice::new(w));
    }
    Ok(features)
}

/// Above this many features K-Means segments are hard to trust and to
/// read, whatever the number of customers.
pub const SENSIBLE_FEATURES: usize = 50;
/// Customers per feature below which the segments are not trustworthy.
pub const CUSTOMERS_PER_FEATURE: usize = 10;

/// Whether `d` features are too many to cluster `n` customers sensibly:
/// distances in many dimensions become alike, so the segments mostly
/// follow noise. The warning in words (each face adds how to choose
/// columns), or `None`.
pub fn too_many_features(n: usize, d: usize) -> Option<String> {
    (d > SENSIBLE_FEATURES || d * CUSTOMERS_PER_FEATURE > n).then(|| {
        format!(
            "{d} features for {n} customers are too many to cluster sensibly \
             (at most {SENSIBLE_FEATURES}, and at least {CUSTOMERS_PER_FEATURE} customers per feature): \
             distances between customers become alike and the segments mostly follow noise; \
             cluster on the columns that matter"
        )
    })
}

/// K is at most this share of the customers: a segment of one or two
/// customers is not a segment.
pub const CUSTOMERS_PER_SEGMENT: usize = 2;

/// The largest K for `n` customers.
pub fn k_cap(n: usize) -> usize {
    (n / CUSTOMERS_PER_SEGMENT).max(2)
}

/// The sweep configuration of a run: the cluster options plus the run's seed.
pub fn sweep_config(cfg: &RunConfig) -> SweepConfig {
    let c = &cfg.cluster;
    SweepConfig {
        k_min: c.k_min,
        k_max: c.k_max,
        fixed_k: c.k,
        n_init: c.n_init,
        max_iter: c.max_iter,
        tol: c.tol,
        seed: cfg.seed,
        silhouette_sample: c.silhouette_sample,
        fit_sample: c.fit_sample,
        storage: c.storage,
        gap_references: c.gap_references,
    }
}

/// The sweep, with K capped relative to the customers ([`k_cap`]): a fixed
/// K above the cap is refused, a range reaching above it is cut (and a
/// warning says so).
pub fn stage_cluster(
    features: &Features,
    cfg: &RunConfig,
    progress: &dyn Progress,
) -> Result<SweepResult> {
    let mut sc = sweep_config(cfg);
    let n = features.n;
    let cap = k_cap(n);
    if let Some(k) = sc.fixed_k
        && k > cap
    {
        return Err(Error::usage(format!(
            "K={k} is too many segments for {n} customers: at most {cap} \
             (at least {CUSTOMERS_PER_SEGMENT} customers per segment on average)"
        )));
    }
    let mut capped = None;
    if sc.k_max > cap {
        if sc.k_min > cap {
            return Err(Error::usage(format!(
                "the K range {}..{} starts above {cap}, the most segments for {n} customers",
                sc.k_min, sc.k_max
            )));
        }
        capped = Some(format!(
            "K range capped at {}..={cap}: {n} customers make at most {cap} segments \
             (at least {CUSTOMERS_PER_SEGMENT} customers per segment on average)",
            sc.k_min
        ));
        sc.k_max = cap;
    }
    let mut result = sweep(features.view(), &features.names, &sc, progress)?;
    result.warnings.extend(capped);
    if let Some(path) = &cfg.cluster.previous {
        follow_previous(&mut result, features, path)?;
    }
    Ok(result)
}

/// Renumbers every K's fit to follow the previous model at `path`.
fn follow_previous(
    result: &mut SweepResult,
    features: &Features,
    path: &std::path::Path,
) -> Result<()> {
    let previous = crate::pipeline::continuity::read_previous(path)?;
    let shown = crate::artefact::shown(path);
    for r in &mut result.results {
        let c = crate::pipeline::continuity::follow(
            &mut r.fit,
            &features.params.features,
            &previous,
            &shown,
        )?;
        r.continuity = Some(c);
    }
    Ok(())
}

/// Profiles and labels the segments of the result for `k`.
pub fn stage_profile(
    features: &Features,
    cleaned: &Cleaned,
    mapping: &Mapping,
    result: &KResult,
    cfg: &RunConfig,
) -> Profiles {
    let table = &cleaned.table;
    let text = |role: Role| {
        mapping
            .column_for(role)
            .and_then(|c| table.column(c))
            .and_then(|c| c.texts())
    };
    let age = features
        .names
        .iter()
        .position(|n| n == crate::pipeline::profile::names::AGE)
        .map(|j| features.original_column(j));
    let transforms: Vec<_> = features
        .report
        .features
        .iter()
        .map(|f| f.transform)
        .collect();
    let kinds: Vec<_> = features
        .report
        .features
        .iter()
        .map(|f| f.kind.clone())
        .collect();
    let (extras, texts) = profile_columns(table, mapping, &features.params);
    let input = ProfileInput {
        feature_names: &features.names,
        original: features.original.iter().map(|c| &**c).collect(),
        scaled: &features.scaled,
        n: features.n,
        d: features.d,
        labels: &result.fit.labels,
        k: result.k,
        transforms: &transforms,
        kinds: &kinds,
        gender: text(Role::Gender),
        branch: text(Role::Branch),
        age,
        texts,
        extras,
    };
    let mut labels = cfg.labels.clone();
    let (edits, applied) = crate::pipeline::labels::identity::resolve(
        &cfg.labels.overrides,
        &features.params.features,
        &result.fit.centres,
        result.k,
    );
    labels.overrides = edits;
    if let Some(c) = &result.continuity {
        // The previous labels and actions, under the user's own edits.
        for seg in &c.continued {
            labels.overrides.entry(seg.segment).or_insert_with(|| {
                crate::pipeline::labels::LabelOverride {
                    label: Some(seg.label.clone()),
                    action: Some(seg.action.clone()),
                    ..Default::default()
                }
            });
        }
    }
    let mut profiles = profile(&input, &labels);
    profiles.continuity = result.continuity.clone();
    profiles.edits = applied;
    profiles
}

/// Runs Load -> Inspect (an [`Analysis`] run to its last stage); `stage`
/// is told the name of each stage as it starts.
pub fn run_all(
    cfg: &RunConfig,
    progress: &dyn Progress,
    stage: &dyn Fn(&str),
) -> Result<RunOutput> {
    let mut analysis = Analysis::new(cfg.clone());
    analysis.run_to(Step::Profile, progress, &|s| stage(s.name()))?;
    analysis
        .output()
        .ok_or_else(|| Error::data("the run stopped before profiling the segments"))
}
