//! The one place the TUI keeps the stage outputs: [`PipelineData`] holds the
//! pipeline's [`Analysis`] (each output in an `Arc`, never copied) and what
//! the screens draw besides (histograms, a PCA sample, what Export wrote,
//! which stages the header marks out of date).
//!
//! Screens read it; only the App changes it, by applying a [`Change`] a
//! screen returned. An output made by the worker comes back with the config
//! its job ran with; the analysis takes the options of that step from it
//! (`stale::take_options`) and [`Analysis::put`] decides, through
//! `set_config`, what the change makes stale — the same rule `--no-tui`
//! runs by. The K of the segments is the analysis's rule
//! ([`k_choice::pick`]).

use crate::config::RunConfig;
use crate::pipeline::analysis::{Analysis, KPick, Made, Step, k_choice, stale};
use crate::pipeline::clean::Cleaned;
use crate::pipeline::cluster::SweepResult;
use crate::pipeline::features::{FeatureOptions, Features};
use crate::pipeline::mapping::Mapping;
use crate::pipeline::profile::Profiles;
use crate::pipeline::run::{self, Prepared, RunOutput};
use crate::pipeline::table::Table;
use crate::tui::stage::Stage;
use std::collections::BTreeSet;
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

/// What the Features screen draws besides the features themselves.
#[derive(Clone, Debug)]
pub struct FeatureView {
    pub hist_raw: Vec<Vec<u32>>,
    pub hist_used: Vec<Vec<u32>>,
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

/// What Export wrote last.
#[derive(Clone, Debug, PartialEq)]
pub struct Exported {
    pub dir: PathBuf,
    /// Each file with its size in bytes.
    pub files: Vec<(PathBuf, u64)>,
}

/// A stage output made on the worker (or by Map, at once).
pub enum Output {
    Table(Arc<Table>),
    Mapping(Arc<Mapping>),
    /// Prepare (the same `Arc` when it did not run again) and Clean.
    Cleaned {
        prepared: Arc<Prepared>,
        cleaned: Arc<Cleaned>,
    },
    Features(Box<FeatureData>),
    Sweep(Arc<SweepResult>),
    Profiles {
        pick: KPick,
        profiles: Arc<Profiles>,
        /// Made with the first profiles of these features.
        pca: Option<Pca>,
    },
}

impl Output {
    /// The steps whose options the output was made with.
    fn steps(&self) -> &'static [Step] {
        match self {
            Output::Table(_) => &[Step::Load],
            Output::Mapping(_) => &[Step::Map],
            Output::Cleaned { .. } => &[Step::Prepare, Step::Clean],
            Output::Features(_) => &[Step::Features],
            // The sweep is made with the K asked for (a fixed K outside
            // the range is computed too); the segments follow it.
            Output::Sweep(_) => &[Step::Cluster, Step::Profile],
            Output::Profiles { .. } => &[Step::Profile],
        }
    }
}

/// A change a screen asks for; the App applies it ([`PipelineData::apply`]).
pub enum Change {
    /// An output, with the config being edited when its job started.
    Put {
        config: Box<RunConfig>,
        output: Output,
    },
    /// The options of `step` in `config` hold from now (K moved on
    /// Cluster): what they make stale is dropped.
    Apply {
        step: Step,
        config: Box<RunConfig>,
    },
    /// The export no longer matches the run (a label was edited).
    ExportOutdated,
    Exported(Exported),
}

/// Each stage's output, and what goes with it on screen.
#[derive(Clone, Default)]
pub struct PipelineData {
    analysis: Analysis,
    features_view: Option<Arc<FeatureView>>,
    pca: Option<Arc<Pca>>,
    exported: Option<Exported>,
    /// Stages whose result was dropped because an earlier stage changed.
    stale: BTreeSet<Stage>,
}

impl PipelineData {
    /// The config the outputs were made with (the screens edit another,
    /// the App's; a job's options join this one when its output comes).
    pub fn config(&self) -> &RunConfig {
        self.analysis.config()
    }

    pub fn table(&self) -> Option<&Arc<Table>> {
        self.analysis.table()
    }

    /// The mapping of the loaded table.
    pub fn mapping(&self) -> Option<&Arc<Mapping>> {
        self.analysis.mapping()
    }

    /// The customer-level table (a transaction log aggregated) and its mapping.
    pub fn prepared(&self) -> Option<&Arc<Prepared>> {
        self.analysis.prepared()
    }

    /// The mapping of the customer-level table (after any aggregation).
    pub fn customer_mapping(&self) -> Option<&Mapping> {
        self.analysis.customer_mapping()
    }

    pub fn cleaned(&self) -> Option<&Arc<Cleaned>> {
        self.analysis.cleaned()
    }

    pub fn features(&self) -> Option<&Arc<Features>> {
        self.analysis.features()
    }

    /// The distributions the Features screen draws, with the features.
    pub fn features_view(&self) -> Option<&FeatureView> {
        self.features_view.as_deref()
    }

    /// The PCA sample of the features, made with the first profile.
    pub fn pca(&self) -> Option<&Arc<Pca>> {
        self.pca.as_ref()
    }

    pub fn sweep(&self) -> Option<&Arc<SweepResult>> {
        self.analysis.sweep()
    }

    /// The K whose segments are shown and exported, and why that K: the
    /// K profiled, or the one the rule picks from the sweep while the
    /// segments are being made.
    pub fn k_pick(&self) -> Option<KPick> {
        if let Some(p) = self.analysis.pick() {
            return Some(p.clone());
        }
        let sweep = self.analysis.sweep()?;
        k_choice::pick(sweep, self.config().cluster.k).ok()
    }

    pub fn k(&self) -> Option<usize> {
        self.k_pick().map(|p| p.k)
    }

    pub fn profiles(&self) -> Option<&Arc<Profiles>> {
        self.analysis.profiles()
    }

    pub fn exported(&self) -> Option<&Exported> {
        self.exported.as_ref()
    }

    /// Whether `stage` had a result that an earlier change dropped.
    pub fn is_stale(&self, stage: Stage) -> bool {
        self.stale.contains(&stage)
    }

    /// The sweep shown no longer matches the options being edited: a
    /// different range, restarts or seed, or a fixed K it did not compute
    /// (the analysis's rule, so `--no-tui` replays what the TUI shows).
    pub fn sweep_pending(&self, edited: &RunConfig) -> bool {
        let Some(sweep) = self.sweep() else {
            return false;
        };
        let (used, now) = (run::sweep_config(self.config()), run::sweep_config(edited));
        // Another previous run renumbers the fits: a new sweep.
        self.config().cluster.previous != edited.cluster.previous
            || !stale::sweep_serves(&used, sweep, &now)
    }

    /// Every stage's output to export, shared (nothing is copied).
    pub fn output(&self) -> Option<RunOutput> {
        self.analysis.output()
    }

    /// `config`'s options for `steps`, on top of the config the outputs
    /// were made with.
    fn options_of(&self, steps: &[Step], config: &RunConfig) -> RunConfig {
        let mut c = self.config().clone();
        for &step in steps {
            stale::take_options(step, &mut c, config);
        }
        c
    }

    /// Applies a change; `false` when an output came for inputs no longer
    /// held (it is dropped).
    pub fn apply(&mut self, change: Change) -> bool {
        match change {
            Change::Put { config, output } => self.put(&config, output),
            Change::Apply { step, config } => {
                let config = self.options_of(&[step], &config);
                self.change(|a| a.set_config(config).is_some());
                true
            }
            Change::ExportOutdated => {
                self.drop_export();
                true
            }
            Change::Exported(e) => {
                self.exported = Some(e);
                self.stale.remove(&Stage::Export);
                true
            }
        }
    }

    fn put(&mut self, edited: &RunConfig, output: Output) -> bool {
        let mut config = self.options_of(output.steps(), edited);
        let (made, stage) = match output {
            Output::Table(t) => (vec![Made::Table(t)], Stage::Load),
            Output::Mapping(m) => (vec![Made::Mapping(m)], Stage::Map),
            Output::Cleaned { prepared, cleaned } => (
                vec![Made::Prepared(prepared), Made::Cleaned(cleaned)],
                Stage::Clean,
            ),
            Output::Features(f) => {
                let FeatureData {
                    features,
                    hist_raw,
                    hist_used,
                    options,
                    ..
                } = *f;
                config.features = options;
                let view = FeatureView {
                    hist_raw,
                    hist_used,
                };
                let put = self.change(|a| a.put(config, Made::Features(features)));
                if put {
                    // The PCA sample is of the features: made again with the next profiles.
                    self.pca = None;
                    self.features_view = Some(Arc::new(view));
                    self.stale.remove(&Stage::Features);
                }
                return put;
            }
            Output::Sweep(s) => (vec![Made::Sweep(s)], Stage::Cluster),
            Output::Profiles {
                pick,
                profiles,
                pca,
            } => {
                let put = self.change(|a| a.put(config, Made::Profiles(pick, profiles)));
                if put {
                    if let Some(pca) = pca {
                        self.pca = Some(Arc::new(pca));
                    }
                    self.stale.remove(&Stage::Inspect);
                }
                return put;
            }
        };
        let put = self.change(|a| made.into_iter().all(|m| a.put(config.clone(), m)));
        if put {
            self.stale.remove(&stage);
        }
        put
    }

    /// Runs `f` on the analysis; when it changed something, the export is
    /// out of date, and every stage that lost its output is marked stale
    /// (Load and Map are never shown so: they are made again at once).
    fn change(&mut self, f: impl FnOnce(&mut Analysis) -> bool) -> bool {
        let before = self.shown();
        let changed = f(&mut self.analysis);
        if self.analysis.features().is_none() {
            self.features_view = None;
            self.pca = None;
        }
        if changed {
            self.drop_export();
        }
        let after = self.shown();
        for (stage, (had, has)) in Stage::ALL.into_iter().zip(before.into_iter().zip(after)) {
            if had && !has && stage > Stage::Map {
                self.stale.insert(stage);
            }
        }
        changed
    }

    fn drop_export(&mut self) {
        if self.exported.take().is_some() {
            self.stale.insert(Stage::Export);
        }
    }

    /// Which stages have their output, in [`Stage::ALL`] order.
    fn shown(&self) -> [bool; 7] {
        let a = &self.analysis;
        [
            a.table().is_some(),
            a.mapping().is_some(),
            a.cleaned().is_some(),
            a.features().is_some(),
            a.sweep().is_some(),
            a.profiles().is_some(),
            self.exported.is_some(),
        ]
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
