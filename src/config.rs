//! RunConfig: every option of every stage, in one serde struct. The TUI edits
//! it; `--no-tui` builds it from flags and/or a TOML file; `run.toml` saved
//! next to the outputs replays a run bit for bit.

use crate::error::{Error, Result};
use crate::pipeline::aggregate::AggregateOptions;
use crate::pipeline::clean::CleanOptions;
use crate::pipeline::export::scoring::ExportOptions;
use crate::pipeline::features::FeatureOptions;
use crate::pipeline::load::LoadOptions;
use crate::pipeline::mapping::MappingOptions;
use crate::pipeline::profile::LabelOptions;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The seed used when none is given: results never depend on the clock.
pub const DEFAULT_SEED: u64 = 42;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RunConfig {
    /// The customer file (CSV/TSV or workbook). Saved absolute with the
    /// outputs; a relative path is taken from the current folder.
    pub input: Option<PathBuf>,
    /// SHA-256 of `input` when the run was saved: a replay warns when the
    /// file has changed since.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input_sha256: Option<String>,
    /// Every random choice (K-Means seeding, silhouette sampling) comes from this.
    pub seed: u64,
    pub load: LoadOptions,
    pub mapping: MappingOptions,
    /// Customer table or transaction log (aggregated to customers).
    pub aggregate: AggregateOptions,
    pub clean: CleanOptions,
    pub features: FeatureOptions,
    pub cluster: ClusterOptions,
    pub labels: LabelOptions,
    /// Extra files of the export (scoring SQL, PMML); read by no stage.
    pub export: ExportOptions,
}

/// The K-Means sweep and the choice of K (the seed is the run's `seed`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ClusterOptions {
    /// Smallest K of the sweep (K = 1 is always computed for the elbow curve).
    pub k_min: usize,
    pub k_max: usize,
    /// A fixed K instead of the automatic choice.
    pub k: Option<usize>,
    /// K-Means restarts per K; the lowest inertia wins.
    pub n_init: usize,
    pub max_iter: usize,
    /// Convergence tolerance, relative to the mean feature variance.
    pub tol: f64,
    /// Above this many rows the silhouette is computed on a seeded sample.
    pub silhouette_sample: usize,
    /// Above this many rows the restarts run on a seeded sample of this many
    /// rows and the best is refined on all rows; 0 = restarts on all rows.
    pub fit_sample: usize,
    /// Storage of K-Means' working copy: "f64" (default) or "f32" (half
    /// the memory; arithmetic stays in f64).
    pub storage: crate::pipeline::cluster::Storage,
    /// A previous run's model.json: segments continuing its segments keep
    /// their numbers, labels, actions and colours (see `pipeline::continuity`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous: Option<std::path::PathBuf>,
    /// Reference sets of the gap statistic, which the choice of K reads;
    /// 0 = off (K by the knee of the SSE curve).
    pub gap_references: usize,
    /// Bootstrap resamples of the chosen K's segments (their stability),
    /// at most; 0 = off.
    pub stability_resamples: usize,
    /// Stop the stability check once every segment's band is settled (at
    /// least 20 resamples; see `pipeline::trust::stability`). Default true.
    pub stability_stop_when_settled: bool,
}

impl Default for ClusterOptions {
    fn default() -> Self {
        let s = crate::pipeline::cluster::SweepConfig::default();
        ClusterOptions {
            k_min: s.k_min,
            k_max: s.k_max,
            k: None,
            n_init: s.n_init,
            max_iter: s.max_iter,
            tol: s.tol,
            silhouette_sample: s.silhouette_sample,
            fit_sample: s.fit_sample,
            storage: s.storage,
            previous: None,
            gap_references: s.gap_references,
            stability_resamples: crate::pipeline::trust::stability::DEFAULT_RESAMPLES,
            stability_stop_when_settled: true,
        }
    }
}

impl Default for RunConfig {
    fn default() -> Self {
        RunConfig {
            input: None,
            input_sha256: None,
            seed: DEFAULT_SEED,
            load: LoadOptions::default(),
            mapping: MappingOptions::default(),
            aggregate: AggregateOptions::default(),
            clean: CleanOptions::default(),
            features: FeatureOptions::default(),
            cluster: ClusterOptions::default(),
            labels: LabelOptions::default(),
            export: ExportOptions::default(),
        }
    }
}

/// Sane bounds on the options that decide how much work a run does. A
/// value outside them is refused with the same words whether it came from
/// a flag, a TOML file or the TUI ([`RunConfig::validate`]).
pub mod limits {
    /// Smallest K (fixed, or the start of the sweep's range): one segment
    /// holding everyone is no segmentation (K = 1 is still on the elbow chart).
    pub const MIN_K: usize = 2;
    /// Largest K (fixed, or the end of the sweep's range): more segments
    /// than this are not something a bank can act on, and each K of the
    /// range is a full K-Means fit. K is also capped relative to the
    /// customers (see `pipeline::cluster::sweep`).
    pub const MAX_K: usize = 100;
    /// Most K-Means restarts per K.
    pub const MAX_N_INIT: usize = 100;
    /// Most Lloyd iterations per K-Means run.
    pub const MAX_ITER: usize = 10_000;
    /// Largest silhouette sample: its cost grows with the square of it.
    pub const MAX_SILHOUETTE_SAMPLE: usize = 200_000;
    /// Most reference sets of the gap statistic (each is a K-Means fit per K).
    pub const MAX_GAP_REFERENCES: usize = 100;
    /// Most bootstrap resamples of the stability check (each is a K-Means fit).
    pub const MAX_STABILITY_RESAMPLES: usize = 1_000;
}

/// A setting [`RunConfig::validate`] can refuse; each face names it its own
/// way (a flag, a TOML key, a TUI row).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Setting {
    KMin,
    KMax,
    K,
    NInit,
    MaxIter,
    Tol,
    SilhouetteSample,
    GapReferences,
    StabilityResamples,
    MaxMissing,
    SkewThreshold,
    IndicatorWeight,
    /// The table the exported scoring SQL reads.
    SqlTable,
    /// The formats of the results table.
    Formats,
    /// Another option of the Clean or Features stage.
    Stage,
}

impl Setting {
    /// The key in run.toml.
    pub fn toml_key(self) -> &'static str {
        match self {
            Setting::KMin => "cluster.k_min",
            Setting::KMax => "cluster.k_max",
            Setting::K => "cluster.k",
            Setting::NInit => "cluster.n_init",
            Setting::MaxIter => "cluster.max_iter",
            Setting::Tol => "cluster.tol",
            Setting::SilhouetteSample => "cluster.silhouette_sample",
            Setting::GapReferences => "cluster.gap_references",
            Setting::StabilityResamples => "cluster.stability_resamples",
            Setting::MaxMissing => "clean.max_missing",
            Setting::SkewThreshold => "features.skew_threshold",
            Setting::IndicatorWeight => "features.indicator_weight",
            Setting::SqlTable => "export.sql_table",
            Setting::Formats => "export.formats",
            Setting::Stage => "",
        }
    }
}

/// A setting out of its bounds: which, its value, and what is allowed.
#[derive(Clone, Debug, PartialEq)]
pub struct Invalid {
    pub setting: Setting,
    pub value: String,
    pub problem: String,
}

impl Invalid {
    fn new(setting: Setting, value: impl std::fmt::Display, problem: impl Into<String>) -> Self {
        Invalid {
            setting,
            value: value.to_string(),
            problem: problem.into(),
        }
    }

    /// Worded for a config file: `run.toml: cluster.k_max = 500: ...`.
    pub fn in_file(&self, origin: &str) -> Error {
        match self.setting {
            Setting::Stage => Error::usage(format!("{origin}: {}", self.problem)),
            s => Error::usage(format!(
                "{origin}: {} = {}: {}",
                s.toml_key(),
                self.value,
                self.problem
            )),
        }
    }
}

fn at_most(what: &str, limit: usize) -> String {
    format!("{what} can be at most {limit}")
}

impl ClusterOptions {
    /// The values `setting` may take with the other options as they are:
    /// the bounds [`RunConfig::validate`] checks, for a face that offers a
    /// choice (the TUI's option rows). `None` for a setting without whole
    /// number bounds.
    pub fn bounds(&self, setting: Setting) -> Option<std::ops::RangeInclusive<usize>> {
        use limits::*;
        match setting {
            Setting::KMin => Some(MIN_K..=self.k_max.max(MIN_K)),
            Setting::KMax => Some(self.k_min..=MAX_K),
            Setting::K => Some(MIN_K..=MAX_K),
            Setting::NInit => Some(1..=MAX_N_INIT),
            Setting::MaxIter => Some(1..=MAX_ITER),
            Setting::SilhouetteSample => Some(2..=MAX_SILHOUETTE_SAMPLE),
            Setting::GapReferences => Some(0..=MAX_GAP_REFERENCES),
            Setting::StabilityResamples => Some(0..=MAX_STABILITY_RESAMPLES),
            _ => None,
        }
    }

    fn validate(&self) -> std::result::Result<(), Invalid> {
        use limits::*;
        if self.k_min < MIN_K {
            return Err(Invalid::new(
                Setting::KMin,
                self.k_min,
                format!("the K range must start at {MIN_K} or more (e.g. 2..10)"),
            ));
        }
        if self.k_max < self.k_min {
            return Err(Invalid::new(
                Setting::KMax,
                self.k_max,
                format!(
                    "the K range ends before it starts ({}..{})",
                    self.k_min, self.k_max
                ),
            ));
        }
        if self.k_max > MAX_K {
            return Err(Invalid::new(
                Setting::KMax,
                self.k_max,
                format!(
                    "{} (each K of the range is a full K-Means fit; e.g. 2..12)",
                    at_most("the K range", MAX_K)
                ),
            ));
        }
        match self.k {
            Some(k) if k < MIN_K => {
                return Err(Invalid::new(
                    Setting::K,
                    k,
                    format!("K must be at least {MIN_K}: one segment is everyone"),
                ));
            }
            Some(k) if k > MAX_K => {
                return Err(Invalid::new(Setting::K, k, at_most("K", MAX_K)));
            }
            _ => {}
        }
        if self.n_init == 0 || self.n_init > MAX_N_INIT {
            return Err(Invalid::new(
                Setting::NInit,
                self.n_init,
                format!("restarts must be from 1 to {MAX_N_INIT} (e.g. 10)"),
            ));
        }
        if self.max_iter == 0 {
            return Err(Invalid::new(
                Setting::MaxIter,
                0,
                "K-Means needs at least 1 iteration (e.g. 300)",
            ));
        }
        if self.max_iter > MAX_ITER {
            return Err(Invalid::new(
                Setting::MaxIter,
                self.max_iter,
                format!("{} (e.g. 300)", at_most("iterations", MAX_ITER)),
            ));
        }
        if !(self.tol.is_finite() && self.tol >= 0.0) {
            return Err(Invalid::new(
                Setting::Tol,
                self.tol,
                "must be a finite number >= 0 (e.g. 0.0001)",
            ));
        }
        if self.silhouette_sample < 2 || self.silhouette_sample > MAX_SILHOUETTE_SAMPLE {
            return Err(Invalid::new(
                Setting::SilhouetteSample,
                self.silhouette_sample,
                format!(
                    "the sample needs at least 2 rows and at most {MAX_SILHOUETTE_SAMPLE} (e.g. 20000)"
                ),
            ));
        }
        if self.gap_references > MAX_GAP_REFERENCES {
            return Err(Invalid::new(
                Setting::GapReferences,
                self.gap_references,
                format!(
                    "{} (0 turns it off; e.g. 10)",
                    at_most("reference sets", MAX_GAP_REFERENCES)
                ),
            ));
        }
        if self.stability_resamples > MAX_STABILITY_RESAMPLES {
            return Err(Invalid::new(
                Setting::StabilityResamples,
                self.stability_resamples,
                format!(
                    "{} (0 turns it off; e.g. 50)",
                    at_most("resamples", MAX_STABILITY_RESAMPLES)
                ),
            ));
        }
        Ok(())
    }
}

impl RunConfig {
    /// The one check of every option against its bounds, used by the flags,
    /// the TOML loader and the TUI alike.
    pub fn validate(&self) -> std::result::Result<(), Invalid> {
        self.cluster.validate()?;
        let m = self.clean.max_missing;
        if !(0.0..=1.0).contains(&m) {
            return Err(Invalid::new(
                Setting::MaxMissing,
                m,
                "must be between 0 and 1 (e.g. 0.3)",
            ));
        }
        let x = self.features.skew_threshold;
        if !(x.is_finite() && x >= 0.0) {
            return Err(Invalid::new(
                Setting::SkewThreshold,
                x,
                "must be a number >= 0 (e.g. 1)",
            ));
        }
        let w = self.features.indicator_weight;
        if !(w.is_finite() && w > 0.0 && w <= 10.0) {
            return Err(Invalid::new(
                Setting::IndicatorWeight,
                w,
                "must be a number above 0 and at most 10 (e.g. 0.5)",
            ));
        }
        if let Some(problem) = self.export.formats_problem() {
            return Err(Invalid::new(Setting::Formats, "[]", problem));
        }
        if let Some(problem) = self.export.table_problem() {
            let table = self.export.sql_table.as_deref().unwrap_or_default();
            return Err(Invalid::new(
                Setting::SqlTable,
                format!("{table:?}"),
                problem,
            ));
        }
        let stage = |e: Error| Invalid::new(Setting::Stage, "", e.to_string());
        self.clean.validate().map_err(stage)?;
        self.features.validate().map_err(stage)?;
        Ok(())
    }

    /// Parses a RunConfig; an error is one line naming `origin`, the line
    /// and the column.
    pub fn from_toml_str(text: &str, origin: &str) -> Result<Self> {
        toml::from_str(text).map_err(|e| Error::usage(toml_error_line(&e, text, origin)))
    }

    /// Reads a config file and checks its values ([`RunConfig::validate`]).
    pub fn from_toml_file(path: &Path) -> Result<Self> {
        let cfg = Self::read_toml_file(path)?;
        cfg.validate()
            .map_err(|inv| inv.in_file(&path.display().to_string()))?;
        Ok(cfg)
    }

    /// Reads a config file without checking its values (flags may still
    /// replace them; the caller validates the result).
    pub fn read_toml_file(path: &Path) -> Result<Self> {
        let text =
            crate::artefact::read_text(path, crate::artefact::CONFIG_CAP, "run configuration")?;
        Self::from_toml_str(&text, &path.display().to_string())
    }

    pub fn to_toml_string(&self) -> Result<String> {
        toml::to_string_pretty(self)
            .map_err(|e| Error::data(format!("writing the run configuration: {e}")))
    }
}

/// A TOML error as one line: `origin: line L, column C: message`.
fn toml_error_line(e: &toml::de::Error, text: &str, origin: &str) -> String {
    let message = e.message().split_whitespace().collect::<Vec<_>>().join(" ");
    let message = crate::pipeline::excerpt::excerpt(&message, 300);
    match e.span() {
        Some(span) => {
            let before = text.get(..span.start).unwrap_or(text);
            let line = before.matches('\n').count() + 1;
            let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            format!("{origin}: line {line}, column {column}: {message}")
        }
        None => format!("{origin}: {message}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::mapping::Role;

    #[test]
    fn round_trips_through_toml() {
        let mut c = RunConfig {
            input: Some("samples/customers_en.csv".into()),
            ..RunConfig::default()
        };
        c.load.delimiter = Some(';');
        c.mapping.roles.insert(Role::Balance, "资产余额".into());
        let text = c.to_toml_string().unwrap();
        assert_eq!(RunConfig::from_toml_str(&text, "run.toml").unwrap(), c);
    }

    #[test]
    fn unknown_keys_are_rejected_with_the_file_name() {
        let e = RunConfig::from_toml_str("sed = 3\n", "run.toml")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("run.toml:") && e.contains("sed"), "{e}");
    }

    #[test]
    fn toml_errors_are_one_line_with_line_and_column() {
        for (text, needle) in [
            ("seed = 1\n[cluster]\nk_max = \"ten\"\n", "line 3, column 9"),
            ("seed = 1\nseed = 2\n", "line 2"),
            ("[cluster\n", "line 1"),
            ("[cluster]\nn_init = -3\n", "line 2"),
        ] {
            let e = RunConfig::from_toml_str(text, "run.toml").unwrap_err();
            let msg = e.to_string();
            assert_eq!(e.exit_code(), 2);
            assert!(!msg.contains('\n'), "{msg:?}");
            assert!(
                msg.starts_with("run.toml: ") && msg.contains(needle),
                "{msg}"
            );
        }
    }

    #[test]
    fn out_of_range_values_are_refused_naming_the_key() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("run.toml");
        for (text, needle) in [
            (
                "[cluster]\nk_max = 100000\n",
                "cluster.k_max = 100000: the K range can be at most 100",
            ),
            (
                "[cluster]\nk = 5000\n",
                "cluster.k = 5000: K can be at most 100",
            ),
            (
                "[cluster]\nn_init = 1000000\n",
                "cluster.n_init = 1000000: restarts must be from 1 to 100",
            ),
            ("[cluster]\nk_min = 1\n", "cluster.k_min = 1"),
            ("[cluster]\nk = 1\n", "cluster.k = 1: K must be at least 2"),
            ("[cluster]\ntol = -1.0\n", "cluster.tol = -1"),
            ("[clean]\nmax_missing = 3.0\n", "clean.max_missing = 3"),
        ] {
            std::fs::write(&path, text).unwrap();
            let e = RunConfig::from_toml_file(&path).unwrap_err();
            assert_eq!(e.exit_code(), 2);
            let msg = e.to_string();
            assert!(msg.contains(needle), "{msg}");
        }
    }

    #[test]
    fn the_bounds_a_face_offers_are_the_bounds_validate_checks() {
        type Set = fn(&mut RunConfig, usize);
        let cases: [(Setting, Set); 6] = [
            (Setting::KMin, |c, v| c.cluster.k_min = v),
            (Setting::KMax, |c, v| c.cluster.k_max = v),
            (Setting::K, |c, v| c.cluster.k = Some(v)),
            (Setting::NInit, |c, v| c.cluster.n_init = v),
            (Setting::MaxIter, |c, v| c.cluster.max_iter = v),
            (Setting::SilhouetteSample, |c, v| {
                c.cluster.silhouette_sample = v
            }),
        ];
        let base = RunConfig::default();
        for (setting, set) in cases {
            let range = base.cluster.bounds(setting).unwrap();
            let with = |v: usize| {
                let mut c = base.clone();
                set(&mut c, v);
                c.validate()
            };
            for v in [*range.start(), *range.end()] {
                assert_eq!(with(v), Ok(()), "{setting:?} = {v}");
            }
            for v in [range.start() - 1, range.end() + 1] {
                assert!(with(v).is_err(), "{setting:?} = {v} is refused");
            }
        }
        assert_eq!(base.cluster.bounds(Setting::Tol), None);
    }
}
