//! Work a screen asks for ([`Request`]) and how it runs: the App builds the
//! worker's [`Job`] from the outputs held and the config being edited
//! ([`Request::job`]: which analysis step, on which `Arc`s) and keeps a
//! [`RunningJob`] the screens see until the result comes back.

use super::data::PipelineData;
use super::text;
use super::worker::{ExportRequest, Job, JobId};
use crate::config::RunConfig;
use crate::pipeline::analysis::{Step, stale};
use crate::pipeline::export::Output as OutputFile;
use crate::pipeline::export::scoring::ExportOptions;
use crate::pipeline::progress::KFitted;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobKind {
    Load,
    Sheets,
    Clean,
    Features,
    Cluster,
    Profile,
    Export,
    Compare,
}

impl JobKind {
    pub fn of(job: &Job) -> JobKind {
        match job {
            Job::Load { .. } => JobKind::Load,
            Job::Sheets { .. } => JobKind::Sheets,
            Job::Clean { .. } => JobKind::Clean,
            Job::Features { .. } => JobKind::Features,
            Job::Cluster { .. } => JobKind::Cluster,
            Job::Profile { .. } => JobKind::Profile,
            Job::Export { .. } => JobKind::Export,
            Job::Compare { .. } => JobKind::Compare,
        }
    }
}

/// A job handed to the worker and not finished yet.
#[derive(Clone, Debug)]
pub struct RunningJob {
    pub id: JobId,
    pub kind: JobKind,
    /// "Loading customers.csv".
    pub label: String,
    pub fraction: f64,
    pub message: String,
    pub cancel: Option<Arc<AtomicBool>>,
    pub path: PathBuf,
    /// The config being edited when the job started: its output was made
    /// with these options.
    pub config: Box<RunConfig>,
    /// When it started: the elapsed time and the estimate of what is left.
    pub started: Instant,
    /// The K a running sweep has fitted so far, in the order they came.
    pub fitted: Vec<KFitted>,
}

impl RunningJob {
    /// Time since the job started, and an estimate of the time left from
    /// the share done so far (`None` until there is enough to go on).
    pub fn timing(&self, now: Instant) -> (Duration, Option<Duration>) {
        let elapsed = now.saturating_duration_since(self.started);
        let f = self.fraction;
        let left = ((0.02..1.0).contains(&f) && elapsed >= Duration::from_millis(500))
            .then(|| elapsed.mul_f64((1.0 - f) / f));
        (elapsed, left)
    }
}

/// The first running job of any of `kinds`.
pub fn find<'a>(jobs: &'a [RunningJob], kinds: &[JobKind]) -> Option<&'a RunningJob> {
    jobs.iter().find(|j| kinds.contains(&j.kind))
}

/// What a screen asks the worker to do.
#[derive(Clone, Debug, PartialEq)]
pub enum Request {
    /// Read the file at `path` with the load options being edited.
    Load {
        path: PathBuf,
    },
    /// List the sheets of a workbook.
    Sheets {
        path: PathBuf,
    },
    /// Prepare (again only when its options changed) and clean.
    Clean,
    Features,
    /// The K sweep.
    Sweep,
    /// The segments of the K shown.
    Profile,
    /// Write the checked files into `dir` (`force`: into a folder that is
    /// not empty), and the scoring files `export` asks for.
    Export {
        dir: PathBuf,
        force: bool,
        files: Vec<OutputFile>,
        export: ExportOptions,
    },
    /// Where this run's customers were in the earlier run at `earlier`
    /// (its output folder): read off the UI thread, as the earlier results
    /// can hold millions of customers.
    Compare {
        earlier: PathBuf,
    },
}

/// How a running job is shown: its label and the path it works on.
pub struct Shown {
    pub label: String,
    pub path: PathBuf,
}

impl Request {
    pub fn kind(&self) -> JobKind {
        match self {
            Request::Load { .. } => JobKind::Load,
            Request::Sheets { .. } => JobKind::Sheets,
            Request::Clean => JobKind::Clean,
            Request::Features => JobKind::Features,
            Request::Sweep => JobKind::Cluster,
            Request::Profile => JobKind::Profile,
            Request::Export { .. } => JobKind::Export,
            Request::Compare { .. } => JobKind::Compare,
        }
    }

    /// The running jobs this one replaces (they are cancelled first): the
    /// same kind, and what follows from it.
    pub fn replaces(&self) -> &'static [JobKind] {
        match self {
            Request::Load { .. } => &[JobKind::Load],
            Request::Sheets { .. } => &[JobKind::Sheets],
            Request::Clean => &[JobKind::Clean, JobKind::Features],
            Request::Features => &[JobKind::Features],
            Request::Sweep => &[JobKind::Cluster, JobKind::Profile],
            Request::Profile => &[JobKind::Profile],
            Request::Export { .. } => &[JobKind::Export],
            Request::Compare { .. } => &[JobKind::Compare],
        }
    }

    /// The job (the analysis step and the `Arc`s it runs on) and how it is
    /// shown, from the outputs held and the config being edited; `None`
    /// when what it needs is not there.
    pub fn job(
        self,
        id: JobId,
        cancel: Arc<AtomicBool>,
        data: &PipelineData,
        config: &RunConfig,
    ) -> Option<(Job, Shown)> {
        let input = || config.input.clone().unwrap_or_default();
        Some(match self {
            Request::Load { path } => {
                let label = format!("Loading {}", file_name(&path));
                let job = Job::Load {
                    id,
                    path: path.clone(),
                    options: config.load.clone(),
                    expected_sha256: config.input_sha256.clone(),
                    cancel,
                };
                (job, Shown { label, path })
            }
            Request::Sheets { path } => {
                let label = format!("Reading the sheet names of {}", file_name(&path));
                let job = Job::Sheets {
                    id,
                    path: path.clone(),
                };
                (job, Shown { label, path })
            }
            Request::Clean => clean_job(id, cancel, data, config)?,
            Request::Features => {
                let job = Job::Features {
                    id,
                    cleaned: data.cleaned()?.clone(),
                    mapping: data.customer_mapping()?.clone(),
                    config: Box::new(config.clone()),
                    cancel,
                };
                let label = "Building features".to_string();
                (
                    job,
                    Shown {
                        label,
                        path: input(),
                    },
                )
            }
            Request::Sweep => sweep_job(id, cancel, data, config, input())?,
            Request::Profile => profile_job(id, cancel, data, config, input())?,
            Request::Export {
                dir,
                force,
                files,
                export,
            } => {
                // The config the outputs were made with, saved in run.toml
                // with the files chosen here, so a replay writes them too.
                let config = RunConfig {
                    export,
                    ..data.config().clone()
                };
                let request = Box::new(ExportRequest {
                    run: data.output()?,
                    config,
                    dir: dir.clone(),
                    force,
                    files,
                });
                let label = format!("Writing to {}", dir.display());
                let job = Job::Export {
                    id,
                    request,
                    cancel,
                };
                (job, Shown { label, path: dir })
            }
            Request::Compare { earlier } => {
                let label = format!("Comparing with {}", earlier.display());
                let job = Job::Compare {
                    id,
                    earlier: earlier.clone(),
                    run: Box::new(data.output()?),
                    config: Box::new(data.config().clone()),
                };
                (
                    job,
                    Shown {
                        label,
                        path: earlier,
                    },
                )
            }
        })
    }
}

/// The K sweep on the features held, with the options being edited.
fn sweep_job(
    id: JobId,
    cancel: Arc<AtomicBool>,
    data: &PipelineData,
    config: &RunConfig,
    path: PathBuf,
) -> Option<(Job, Shown)> {
    let features = data.features()?.clone();
    let c = &config.cluster;
    let label = format!(
        "K sweep {}..{} on {} customers",
        c.k_min,
        c.k_max,
        text::thousands(features.n)
    );
    let job = Job::Cluster {
        id,
        features,
        config: Box::new(config.clone()),
        cancel,
    };
    Some((job, Shown { label, path }))
}

/// The segments of the K shown (and the PCA sample, the first time for
/// these features).
fn profile_job(
    id: JobId,
    cancel: Arc<AtomicBool>,
    data: &PipelineData,
    config: &RunConfig,
    path: PathBuf,
) -> Option<(Job, Shown)> {
    let k = data.k()?;
    let job = Job::Profile {
        id,
        features: data.features()?.clone(),
        cleaned: data.cleaned()?.clone(),
        mapping: data.customer_mapping()?.clone(),
        sweep: data.sweep()?.clone(),
        k,
        config: Box::new(config.clone()),
        with_pca: data.pca().is_none(),
        cancel,
    };
    let label = format!("Profiling K={k}");
    Some((job, Shown { label, path }))
}

/// Clean, after Prepare unless the prepared table still serves (its
/// options, the aggregation's and the as-of date, unchanged).
fn clean_job(
    id: JobId,
    cancel: Arc<AtomicBool>,
    data: &PipelineData,
    config: &RunConfig,
) -> Option<(Job, Shown)> {
    let (table, mapping) = (data.table()?.clone(), data.mapping()?.clone());
    let mut prepare = data.config().clone();
    stale::take_options(Step::Prepare, &mut prepare, config);
    let same = stale::first_affected(data.config(), &prepare).is_none();
    let prepared = data.prepared().filter(|_| same).cloned();
    let shown = Shown {
        label: format!("Cleaning {}", table.source.file_name()),
        path: table.source.path.clone(),
    };
    let job = Job::Clean {
        id,
        table,
        mapping,
        prepared,
        config: Box::new(config.clone()),
        cancel,
    };
    Some((job, shown))
}

/// The file name of `path`, or the whole path when it has none.
pub fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}
