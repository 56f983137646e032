//! The run configuration of an invocation: the `--config` file, then the
//! flags given on top, then one check of every value.

use super::{ExportArgs, LoadArgs, RunArgs, StageArgs, WinsorizeArg};
use crate::config::{RunConfig, Setting};
use crate::error::{Error, Result};
use crate::pipeline::mapping::parse_map_arg;
use std::path::PathBuf;

impl LoadArgs {
    pub fn apply(&self, cfg: &mut crate::pipeline::load::LoadOptions) {
        if self.delimiter.is_some() {
            cfg.delimiter = self.delimiter;
        }
        if self.encoding.is_some() {
            cfg.encoding.clone_from(&self.encoding);
        }
        if self.no_header {
            cfg.header = Some(false);
        } else if self.header {
            cfg.header = Some(true);
        }
        if self.sheet.is_some() {
            cfg.sheet.clone_from(&self.sheet);
        }
        if let Some(order) = self.date_order {
            cfg.date_order = order;
        }
        if self.skip_bad_rows {
            cfg.skip_bad_rows = true;
        }
        if self.all_columns {
            cfg.all_columns = true;
        }
    }
}

impl RunArgs {
    /// The RunConfig for this invocation: `--config` file, then flags on
    /// top, then one check of every value ([`RunConfig::validate`]); a bad
    /// value is named by its flag when a flag set it, else by its key in
    /// the file.
    pub fn to_config(&self, file: Option<&PathBuf>) -> Result<RunConfig> {
        let mut cfg = match &self.config {
            Some(path) => RunConfig::read_toml_file(path)?,
            None => RunConfig::default(),
        };
        if let Some(f) = file {
            if cfg.input.as_ref() != Some(f) {
                // Another file than the saved run's: its fingerprint does not apply.
                cfg.input_sha256 = None;
            }
            cfg.input = Some(f.clone());
        }
        if let Some(seed) = self.seed {
            cfg.seed = seed;
        }
        self.load.apply(&mut cfg.load);
        for arg in &self.map {
            let (role, column) =
                parse_map_arg(arg).map_err(|e| Error::usage(format!("--map {e}")))?;
            cfg.mapping.roles.insert(role, column);
        }
        self.stages.apply(&mut cfg);
        self.export.apply(&mut cfg);
        let flag_for =
            |setting| (self.stages.flag_for(setting)).or_else(|| self.export.flag_for(setting));
        cfg.validate().map_err(|inv| match flag_for(inv.setting) {
            Some(flag) => Error::usage(format!("{flag}: {}", inv.problem)),
            None => inv.in_file(
                &self
                    .config
                    .as_ref()
                    .map_or_else(|| "options".to_string(), |p| p.display().to_string()),
            ),
        })?;
        Ok(cfg)
    }
}

impl StageArgs {
    /// Puts the stage flags that were given into `cfg` (checked afterwards
    /// by [`RunConfig::validate`]).
    fn apply(&self, cfg: &mut RunConfig) {
        let s = self;
        if let Some(kind) = s.input {
            cfg.aggregate.input = kind;
        }
        if let Some(r) = s.returns {
            cfg.aggregate.returns = r;
        }
        if let Some(m) = s.monetary {
            cfg.aggregate.monetary = m;
        }
        if let Some(a) = s.signed_amounts {
            cfg.aggregate.signed_amounts = a;
        }
        if !s.inflow_values.is_empty() {
            cfg.aggregate.direction_words.inflow = s.inflow_values.clone();
        }
        if !s.outflow_values.is_empty() {
            cfg.aggregate.direction_words.outflow = s.outflow_values.clone();
        }
        if let Some(m) = s.max_missing {
            cfg.clean.max_missing = m;
        }
        if let Some(p) = s.duplicates {
            cfg.clean.duplicates = p;
        }
        if s.as_of.is_some() {
            cfg.clean.as_of = s.as_of;
        }
        if let Some(m) = s.features {
            cfg.features.mode = m;
        }
        if let Some(t) = s.transform {
            cfg.features.transform = t;
        }
        for f in &s.drop_feature {
            if !cfg.features.drop_features.contains(f) {
                cfg.features.drop_features.push(f.clone());
            }
        }
        if !s.select.is_empty() {
            cfg.features.select.clear();
            for c in &s.select {
                if !cfg.features.select.contains(c) {
                    cfg.features.select.push(c.clone());
                }
            }
        }
        if s.one_hot {
            cfg.features.one_hot = true;
        }
        if let Some(WinsorizeArg(w)) = s.winsorize {
            cfg.features.winsorize = w;
            if w.is_none() {
                cfg.features.winsorize_skewed_money = false;
            }
        }
        if let Some(f) = s.flags {
            cfg.mapping.hygiene.flags = f;
        }
        for c in &s.after_the_fact {
            if !cfg.mapping.hygiene.after_the_fact.contains(c) {
                cfg.mapping.hygiene.after_the_fact.push(c.clone());
            }
        }
        if let Some(on) = s.column_rules {
            cfg.mapping.hygiene.enabled = on;
        }
        if let Some(w) = s.indicator_weight {
            cfg.features.indicator_weight = w;
        }
        if let Some(x) = s.skew_threshold {
            cfg.features.skew_threshold = x;
        }
        for (name, t) in &s.transform_feature {
            cfg.features.transform_overrides.insert(name.clone(), *t);
        }
        self.apply_cluster(cfg);
        if let Some(l) = s.labels {
            cfg.labels.scheme = l;
        }
    }

    fn apply_cluster(&self, cfg: &mut RunConfig) {
        let (s, c) = (self, &mut cfg.cluster);
        if s.k.is_some() {
            c.k = s.k;
        }
        if let Some((a, b)) = s.k_range {
            c.k_min = a;
            c.k_max = b;
        }
        if let Some(n) = s.n_init {
            c.n_init = n;
        }
        if let Some(m) = s.fit_sample {
            c.fit_sample = m;
        }
        if let Some(m) = s.silhouette_sample {
            c.silhouette_sample = m;
        }
        if let Some(m) = s.max_iter {
            c.max_iter = m;
        }
        if let Some(t) = s.tol {
            c.tol = t;
        }
        if let Some(st) = s.storage {
            c.storage = st;
        }
        if let Some(p) = &s.previous {
            c.previous = Some(std::path::absolute(p).unwrap_or_else(|_| p.clone()));
        }
        if let Some(b) = s.gap_references {
            c.gap_references = b;
        }
        if let Some(b) = s.stability_resamples {
            c.stability_resamples = b;
        }
        if s.stability_every_resample {
            c.stability_stop_when_settled = false;
        }
    }

    /// The flag and value as typed, when a flag set `setting`.
    fn flag_for(&self, setting: Setting) -> Option<String> {
        let s = self;
        match setting {
            Setting::KMin | Setting::KMax => s.k_range.map(|(a, b)| format!("--k-range {a}..{b}")),
            Setting::K => s.k.map(|k| format!("--k {k}")),
            Setting::NInit => s.n_init.map(|n| format!("--n-init {n}")),
            Setting::MaxIter => s.max_iter.map(|n| format!("--max-iter {n}")),
            Setting::Tol => s.tol.map(|t| format!("--tol {t}")),
            Setting::SilhouetteSample => s
                .silhouette_sample
                .map(|n| format!("--silhouette-sample {n}")),
            Setting::GapReferences => s.gap_references.map(|n| format!("--gap-references {n}")),
            Setting::StabilityResamples => s
                .stability_resamples
                .map(|n| format!("--stability-resamples {n}")),
            Setting::MaxMissing => s.max_missing.map(|m| format!("--max-missing {m}")),
            Setting::SkewThreshold => s.skew_threshold.map(|x| format!("--skew-threshold {x}")),
            Setting::IndicatorWeight => s
                .indicator_weight
                .map(|x| format!("--indicator-weight {x}")),
            Setting::Stage | Setting::SqlTable | Setting::Formats => None,
        }
    }
}

impl ExportArgs {
    /// Puts the export flags that were given into `cfg`: `--sql-dialect`
    /// replaces the config file's engines.
    fn apply(&self, cfg: &mut RunConfig) {
        let e = &mut cfg.export;
        if !self.sql_dialect.is_empty() {
            e.sql_dialects.clear();
            for d in &self.sql_dialect {
                if !e.sql_dialects.contains(d) {
                    e.sql_dialects.push(*d);
                }
            }
        }
        if self.sql_table.is_some() {
            e.sql_table.clone_from(&self.sql_table);
        }
        if self.pmml {
            e.pmml = true;
        }
        if !self.formats.is_empty() {
            e.formats.clone_from(&self.formats);
        }
        if let Some(bom) = self.csv_bom {
            e.csv_bom = bom;
        }
        if self.results_actions {
            e.results_actions = true;
        }
    }

    fn flag_for(&self, setting: Setting) -> Option<String> {
        match setting {
            Setting::SqlTable => self
                .sql_table
                .as_ref()
                .map(|t| format!("--sql-table {}", crate::commands::shell_word(t))),
            _ => None,
        }
    }
}
