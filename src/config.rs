//! RunConfig: every option of every stage, in one serde struct. The TUI edits
//! it; `--no-tui` builds it from flags and/or a TOML file; `run.toml` saved
//! next to the outputs replays a run bit for bit.

use crate::error::{Error, Result};
use crate::pipeline::aggregate::AggregateOptions;
use crate::pipeline::clean::CleanOptions;
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
    /// The customer file (CSV/TSV or workbook).
    pub input: Option<PathBuf>,
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
        }
    }
}

impl Default for RunConfig {
    fn default() -> Self {
        RunConfig {
            input: None,
            seed: DEFAULT_SEED,
            load: LoadOptions::default(),
            mapping: MappingOptions::default(),
            aggregate: AggregateOptions::default(),
            clean: CleanOptions::default(),
            features: FeatureOptions::default(),
            cluster: ClusterOptions::default(),
            labels: LabelOptions::default(),
        }
    }
}

impl RunConfig {
    pub fn from_toml_str(text: &str, origin: &str) -> Result<Self> {
        toml::from_str(text)
            .map_err(|e| Error::usage(format!("{origin}: {}", e.to_string().trim_end())))
    }

    pub fn from_toml_file(path: &Path) -> Result<Self> {
        let text =
            crate::artefact::read_text(path, crate::artefact::CONFIG_CAP, "run configuration")?;
        Self::from_toml_str(&text, &path.display().to_string())
    }

    pub fn to_toml_string(&self) -> Result<String> {
        toml::to_string_pretty(self)
            .map_err(|e| Error::data(format!("writing the run configuration: {e}")))
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
}
