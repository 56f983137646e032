//! One analysis, from file to exports: the layer between the pipeline's
//! stage functions and the two faces (headless and TUI).
//!
//! An [`Analysis`] owns one [`RunConfig`] and the output of every stage it
//! has run, each behind an `Arc`: a face shares them (draws them, hands
//! them to a worker thread, exports them) without copying. When the config
//! changes ([`Analysis::set_config`]) it drops the outputs from the first
//! stage the change affects ([`stale::first_affected`]); [`Analysis::run_to`]
//! runs what is missing up to a stage, with progress and cancel; the K of
//! the segments comes from the one rule in [`crate::pipeline::k_choice`];
//! [`Analysis::export`] writes the outputs by borrowing them.
//!
//! The step functions ([`steps`]) are what both faces run for each stage:
//! the headless mode through `run_to`, the TUI's worker one step per job.

pub mod stale;
pub mod steps;

use crate::config::RunConfig;
use crate::error::{Error, Result};
use crate::pipeline::clean::Cleaned;
use crate::pipeline::cluster::SweepResult;
use crate::pipeline::export::{self, Output};
use crate::pipeline::features::Features;
pub use crate::pipeline::k_choice::{self, KPick};
use crate::pipeline::mapping::Mapping;
use crate::pipeline::profile::Profiles;
use crate::pipeline::progress::Progress;
use crate::pipeline::run::{self, Prepared, RunOutput};
use crate::pipeline::table::Table;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The stages an analysis runs, in order (Export writes; it keeps nothing).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Step {
    Load,
    Map,
    /// A transaction log aggregated to customers (or the table as it is).
    Prepare,
    Clean,
    Features,
    /// The K sweep.
    Cluster,
    /// The chosen K's segments, profiled and labelled.
    Profile,
}

impl Step {
    pub const ALL: [Step; 7] = [
        Step::Load,
        Step::Map,
        Step::Prepare,
        Step::Clean,
        Step::Features,
        Step::Cluster,
        Step::Profile,
    ];

    /// The stage's name in progress lines ("[cluster] started").
    pub fn name(self) -> &'static str {
        match self {
            Step::Load => "load",
            Step::Map => "map",
            Step::Prepare => "prepare",
            Step::Clean => "clean",
            Step::Features => "features",
            Step::Cluster => "cluster",
            Step::Profile => "profile",
        }
    }
}

/// A stage output made away from the analysis, for [`Analysis::put`].
#[derive(Clone)]
pub enum Made {
    Table(Arc<Table>),
    Mapping(Arc<Mapping>),
    Prepared(Arc<Prepared>),
    Cleaned(Arc<Cleaned>),
    Features(Arc<Features>),
    Sweep(Arc<SweepResult>),
    /// The segments of the K picked (which must be among the sweep's).
    Profiles(KPick, Arc<Profiles>),
}

impl Made {
    pub fn step(&self) -> Step {
        match self {
            Made::Table(_) => Step::Load,
            Made::Mapping(_) => Step::Map,
            Made::Prepared(_) => Step::Prepare,
            Made::Cleaned(_) => Step::Clean,
            Made::Features(_) => Step::Features,
            Made::Sweep(_) => Step::Cluster,
            Made::Profiles(..) => Step::Profile,
        }
    }
}

/// One run's config and the stage outputs made from it so far.
#[derive(Clone, Default)]
pub struct Analysis {
    config: RunConfig,
    table: Option<Arc<Table>>,
    mapping: Option<Arc<Mapping>>,
    prepared: Option<Arc<Prepared>>,
    cleaned: Option<Arc<Cleaned>>,
    features: Option<Arc<Features>>,
    sweep: Option<Arc<SweepResult>>,
    /// The K of `profiles` and why it was chosen.
    pick: Option<KPick>,
    profiles: Option<Arc<Profiles>>,
}

impl Analysis {
    /// An analysis of `config` with nothing run yet.
    pub fn new(config: RunConfig) -> Self {
        Analysis {
            config,
            ..Analysis::default()
        }
    }

    pub fn config(&self) -> &RunConfig {
        &self.config
    }

    /// Takes a new config and drops the outputs it makes stale; returns the
    /// first stage that must run again (`None`: nothing changed that matters).
    pub fn set_config(&mut self, config: RunConfig) -> Option<Step> {
        let from = self.first_stale(&config);
        if from.is_none() && config.cluster.k != self.config.cluster.k {
            // The K already profiled, now named (or automatic again): the
            // same segments, only the reason for K changes.
            self.pick = self.pick_for(&config);
        }
        self.config = config;
        if let Some(step) = from {
            self.invalidate_from(step);
        }
        from
    }

    /// The first stage `config` would make stale, if it were set.
    fn first_stale(&self, config: &RunConfig) -> Option<Step> {
        let mut from = stale::first_affected(&self.config, config);
        if let Some(s) = &self.sweep {
            let (used, now) = (run::sweep_config(&self.config), run::sweep_config(config));
            if !stale::sweep_serves(&used, s, &now) {
                from = Some(from.map_or(Step::Cluster, |f| f.min(Step::Cluster)));
            }
        }
        let same_k = from == Some(Step::Profile)
            && self.config.labels == config.labels
            && self.pick_for(config).is_some();
        if same_k { None } else { from }
    }

    /// The pick `config` gives when it is the K already profiled.
    fn pick_for(&self, config: &RunConfig) -> Option<KPick> {
        let (sweep, now) = self.sweep.as_ref().zip(self.pick.as_ref())?;
        let pick = k_choice::pick(sweep, config.cluster.k).ok()?;
        (pick.k == now.k).then_some(pick)
    }

    /// Takes an output made away from the analysis (the TUI's worker runs
    /// each step from the `Arc`s of the outputs before it) with `config`,
    /// the config it was made with: the config is set (what it makes stale
    /// is dropped), the output goes in and every later output is dropped.
    /// Refused (`false`, nothing changed) when the outputs it was made from
    /// are not held or `config` changes them. A mapping equal to the one
    /// held keeps the later outputs: they read the mapping, not its options.
    pub fn put(&mut self, config: RunConfig, made: Made) -> bool {
        let step = made.step();
        let from = self.first_stale(&config);
        let inputs_kept = from.is_none_or(|f| f >= step);
        let before = Step::ALL.into_iter().take_while(|&s| s < step).last();
        if !inputs_kept || before.is_some_and(|s| !self.has(s)) {
            return false;
        }
        if let Made::Mapping(m) = &made
            && self.mapping.as_deref() == Some(&**m)
        {
            self.config = config;
            return true;
        }
        self.config = config;
        self.invalidate_from(step);
        match made {
            Made::Table(t) => self.table = Some(t),
            Made::Mapping(m) => self.mapping = Some(m),
            Made::Prepared(p) => self.prepared = Some(p),
            Made::Cleaned(c) => self.cleaned = Some(c),
            Made::Features(f) => self.features = Some(f),
            Made::Sweep(s) => self.sweep = Some(s),
            Made::Profiles(pick, p) => (self.pick, self.profiles) = (Some(pick), Some(p)),
        }
        true
    }

    /// Drops the output of `step` and of every stage after it.
    pub fn invalidate_from(&mut self, step: Step) {
        let drop = |s: Step| step <= s;
        if drop(Step::Load) {
            self.table = None;
        }
        if drop(Step::Map) {
            self.mapping = None;
        }
        if drop(Step::Prepare) {
            self.prepared = None;
        }
        if drop(Step::Clean) {
            self.cleaned = None;
        }
        if drop(Step::Features) {
            self.features = None;
        }
        if drop(Step::Cluster) {
            self.sweep = None;
        }
        self.pick = None;
        self.profiles = None;
    }

    /// Whether `step` has its output.
    pub fn has(&self, step: Step) -> bool {
        match step {
            Step::Load => self.table.is_some(),
            Step::Map => self.mapping.is_some(),
            Step::Prepare => self.prepared.is_some(),
            Step::Clean => self.cleaned.is_some(),
            Step::Features => self.features.is_some(),
            Step::Cluster => self.sweep.is_some(),
            Step::Profile => self.profiles.is_some(),
        }
    }

    /// Runs every missing stage up to and including `last`; `on_step` is
    /// told each stage as it starts. Cancel is checked between stages (and
    /// inside the long ones).
    pub fn run_to(
        &mut self,
        last: Step,
        progress: &dyn Progress,
        on_step: &dyn Fn(Step),
    ) -> Result<()> {
        for step in Step::ALL.into_iter().filter(|&s| s <= last) {
            if self.has(step) {
                continue;
            }
            on_step(step);
            self.run_step(step, progress)?;
            let checked = !matches!(step, Step::Map | Step::Profile);
            if checked && progress.is_cancelled() {
                return Err(Error::Cancelled);
            }
        }
        Ok(())
    }

    /// Runs one stage from the outputs before it (which must be there).
    fn run_step(&mut self, step: Step, progress: &dyn Progress) -> Result<()> {
        let cfg = &self.config;
        let missing = || Error::data(format!("the {} stage ran out of order", step.name()));
        match step {
            Step::Load => self.table = Some(Arc::new(steps::load(cfg, progress)?)),
            Step::Map => {
                let table = self.table.as_ref().ok_or_else(missing)?;
                self.mapping = Some(Arc::new(steps::map(table, cfg)?));
            }
            Step::Prepare => {
                let (t, m) = (self.table.as_ref(), self.mapping.as_ref());
                let (t, m) = t.zip(m).ok_or_else(missing)?;
                self.prepared = Some(Arc::new(steps::prepare(t, m, cfg, progress)?));
            }
            Step::Clean => {
                let tm = self.customer_table().zip(self.customer_mapping());
                let (t, m) = tm.ok_or_else(missing)?;
                let cleaned = steps::clean(t, m, cfg)?;
                self.cleaned = Some(Arc::new(cleaned));
            }
            Step::Features => {
                let cm = self.cleaned.as_ref().zip(self.customer_mapping());
                let (c, m) = cm.ok_or_else(missing)?;
                let features = steps::features(c, m, cfg)?;
                self.features = Some(Arc::new(features));
            }
            Step::Cluster => {
                let f = self.features.as_ref().ok_or_else(missing)?;
                self.sweep = Some(Arc::new(steps::cluster(f, cfg, progress)?));
            }
            Step::Profile => self.profile(progress)?,
        }
        Ok(())
    }

    /// Profiles (and assesses) the segments of the K the rule picks for
    /// this sweep and config.
    fn profile(&mut self, progress: &dyn Progress) -> Result<()> {
        let missing = || Error::data("the profile stage ran out of order");
        let (f, c) = self
            .features
            .as_ref()
            .zip(self.cleaned.as_ref())
            .ok_or_else(missing)?;
        let (s, m) = self
            .sweep
            .as_ref()
            .zip(self.customer_mapping())
            .ok_or_else(missing)?;
        let pick = k_choice::pick(s, self.config.cluster.k)?;
        let profiles = steps::profile_with_progress(f, c, m, s, pick.k, &self.config, progress)?;
        self.profiles = Some(Arc::new(profiles));
        self.pick = Some(pick);
        Ok(())
    }

    pub fn table(&self) -> Option<&Arc<Table>> {
        self.table.as_ref()
    }

    /// The mapping of the loaded table.
    pub fn mapping(&self) -> Option<&Arc<Mapping>> {
        self.mapping.as_ref()
    }

    pub fn prepared(&self) -> Option<&Arc<Prepared>> {
        self.prepared.as_ref()
    }

    /// The customer-level table (after any aggregation), once prepared.
    pub fn customer_table(&self) -> Option<&Table> {
        Some(self.prepared.as_ref()?.table(self.table.as_ref()?))
    }

    /// The mapping of the customer-level table, once prepared.
    pub fn customer_mapping(&self) -> Option<&Mapping> {
        Some(self.prepared.as_ref()?.mapping(self.mapping.as_ref()?))
    }

    pub fn cleaned(&self) -> Option<&Arc<Cleaned>> {
        self.cleaned.as_ref()
    }

    pub fn features(&self) -> Option<&Arc<Features>> {
        self.features.as_ref()
    }

    pub fn sweep(&self) -> Option<&Arc<SweepResult>> {
        self.sweep.as_ref()
    }

    /// The K of the profiled segments and why.
    pub fn pick(&self) -> Option<&KPick> {
        self.pick.as_ref()
    }

    pub fn profiles(&self) -> Option<&Arc<Profiles>> {
        self.profiles.as_ref()
    }

    /// How far the profiled segments can be trusted: the structure
    /// verdict, each segment's stability and rule (with the profiles).
    pub fn trust(&self) -> Option<&crate::pipeline::trust::Trust> {
        self.profiles.as_ref()?.trust.as_ref()
    }

    /// Every stage's output, shared (nothing is copied), once profiled.
    pub fn output(&self) -> Option<RunOutput> {
        Some(RunOutput {
            table: self.table.clone()?,
            mapping: self.mapping.clone()?,
            prepared: self.prepared.clone()?,
            cleaned: self.cleaned.clone()?,
            features: self.features.clone()?,
            sweep: self.sweep.clone()?,
            pick: self.pick.clone()?,
            profiles: self.profiles.clone()?,
        })
    }

    /// Writes the chosen parts into `dir` as one set (the one writer of
    /// both faces), borrowing the outputs.
    pub fn export(
        &self,
        dir: &Path,
        force: bool,
        parts: &[Output],
        progress: &dyn Progress,
    ) -> Result<Vec<PathBuf>> {
        let run = self
            .output()
            .ok_or_else(|| Error::usage("nothing to export yet: the segments are not profiled"))?;
        export::write_outputs(&run, &self.config, dir, force, parts, progress)
    }
}

#[cfg(test)]
mod tests;
