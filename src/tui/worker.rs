//! Runs pipeline jobs off the UI thread. A job is plain data (what to run,
//! with which inputs, and its cancel flag); [`run_job`] runs one to the end,
//! reporting through a callback, so tests can run jobs synchronously and the
//! UI runs them on threads ([`Worker::spawn`]).
//!
//! Every job that computes runs a step of the pipeline's analysis
//! (`pipeline::analysis::steps`, what `--no-tui` runs too).
//!
//! Adding a stage: a `Job` variant carrying its inputs (the `Arc`s of the
//! outputs before it, taken by `jobs::Request::job`), a `JobOutput` variant
//! for its result, and one match arm in `run_job` calling the analysis step
//! with a [`FnProgress`] built from `report`. The worker never sees the
//! App: its reports go to the callback it was made with.

use super::data::{self, FeatureData, HIST_BINS, Pca, SCATTER_POINTS};
use crate::config::RunConfig;
use crate::error::{Error, Result};
use crate::pipeline::analysis::{KPick, k_choice, steps};
use crate::pipeline::clean::Cleaned;
use crate::pipeline::cluster::SweepResult;
use crate::pipeline::compare::Comparison;
use crate::pipeline::export::{self, Output as OutputFile};
use crate::pipeline::features::Features;
use crate::pipeline::load::LoadOptions;
use crate::pipeline::mapping::Mapping;
use crate::pipeline::profile::Profiles;
use crate::pipeline::progress::{FnProgress, KFitted, Progress};
use crate::pipeline::run::{Prepared, RunOutput};
use crate::pipeline::table::Table;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The name of every worker thread (the panic hook knows them by it).
pub const WORKER_THREAD_NAME: &str = "custseg-worker";

pub type JobId = u64;

pub enum Job {
    /// Read a file into a typed table.
    Load {
        id: JobId,
        path: PathBuf,
        options: LoadOptions,
        /// The input's SHA-256 saved in a replayed run.toml: a warning
        /// when the file has changed since.
        expected_sha256: Option<String>,
        cancel: Arc<AtomicBool>,
    },
    /// List the sheets of a workbook (opening a large xlsx takes a while).
    Sheets { id: JobId, path: PathBuf },
    /// Prepare (aggregate a transaction log; skipped when `prepared` is
    /// given) and clean. `mapping` is the mapping of the loaded table.
    Clean {
        id: JobId,
        table: Arc<Table>,
        mapping: Arc<Mapping>,
        prepared: Option<Arc<Prepared>>,
        config: Box<RunConfig>,
        cancel: Arc<AtomicBool>,
    },
    /// Build the features. `mapping` is the customer-level mapping.
    Features {
        id: JobId,
        cleaned: Arc<Cleaned>,
        mapping: Mapping,
        config: Box<RunConfig>,
        cancel: Arc<AtomicBool>,
    },
    /// The K sweep.
    Cluster {
        id: JobId,
        features: Arc<Features>,
        config: Box<RunConfig>,
        cancel: Arc<AtomicBool>,
    },
    /// Profile and label the segments of one K (and the PCA sample).
    Profile {
        id: JobId,
        features: Arc<Features>,
        cleaned: Arc<Cleaned>,
        mapping: Mapping,
        sweep: Arc<SweepResult>,
        k: usize,
        config: Box<RunConfig>,
        with_pca: bool,
        cancel: Arc<AtomicBool>,
    },
    /// Write the chosen output files.
    Export {
        id: JobId,
        request: Box<ExportRequest>,
        cancel: Arc<AtomicBool>,
    },
    /// Compare the run `run` (made with `config`) with the earlier run in
    /// the folder `earlier`.
    Compare {
        id: JobId,
        earlier: PathBuf,
        run: Box<RunOutput>,
        config: Box<RunConfig>,
    },
}

impl Job {
    pub fn id(&self) -> JobId {
        match self {
            Job::Load { id, .. }
            | Job::Sheets { id, .. }
            | Job::Clean { id, .. }
            | Job::Features { id, .. }
            | Job::Cluster { id, .. }
            | Job::Profile { id, .. }
            | Job::Export { id, .. }
            | Job::Compare { id, .. } => *id,
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            Job::Load { .. } => "load",
            Job::Sheets { .. } => "sheets",
            Job::Clean { .. } => "clean",
            Job::Features { .. } => "features",
            Job::Cluster { .. } => "cluster",
            Job::Profile { .. } => "profile",
            Job::Export { .. } => "export",
            Job::Compare { .. } => "compare",
        }
    }
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Job::{}#{}", self.name(), self.id())
    }
}

/// The segments of one K, the K's pick, and the PCA sample when asked for.
pub struct Profiled {
    pub pick: KPick,
    pub profiles: Arc<Profiles>,
    pub pca: Option<Pca>,
}

// One output per job, moved once: its size does not matter.
#[allow(clippy::large_enum_variant)]
pub enum JobOutput {
    Loaded(Result<Table>),
    Sheets(Result<Vec<String>>),
    Cleaned(Result<(Arc<Prepared>, Arc<Cleaned>)>),
    Features(Result<FeatureData>),
    Swept(Result<SweepResult>),
    Profiled(Result<Profiled>),
    Exported(Result<Vec<PathBuf>>),
    Compared(Result<Comparison>),
}

impl JobOutput {
    /// The same kind of output as `job`'s, carrying an error (a panic in
    /// the job, or no thread to run it).
    fn failed(job: &Job) -> fn(Error) -> JobOutput {
        match job {
            Job::Load { .. } => |e| JobOutput::Loaded(Err(e)),
            Job::Sheets { .. } => |e| JobOutput::Sheets(Err(e)),
            Job::Clean { .. } => |e| JobOutput::Cleaned(Err(e)),
            Job::Features { .. } => |e| JobOutput::Features(Err(e)),
            Job::Cluster { .. } => |e| JobOutput::Swept(Err(e)),
            Job::Profile { .. } => |e| JobOutput::Profiled(Err(e)),
            Job::Export { .. } => |e| JobOutput::Exported(Err(e)),
            Job::Compare { .. } => |e| JobOutput::Compared(Err(e)),
        }
    }
}

impl std::fmt::Debug for JobOutput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        fn res<T>(r: &Result<T>) -> String {
            match r {
                Ok(_) => "Ok(..)".into(),
                Err(e) => format!("Err({e})"),
            }
        }
        match self {
            JobOutput::Loaded(r) => write!(f, "Loaded({})", res(r)),
            JobOutput::Sheets(r) => write!(f, "Sheets({})", res(r)),
            JobOutput::Cleaned(r) => write!(f, "Cleaned({})", res(r)),
            JobOutput::Features(r) => write!(f, "Features({})", res(r)),
            JobOutput::Swept(r) => write!(f, "Swept({})", res(r)),
            JobOutput::Profiled(r) => write!(f, "Profiled({})", res(r)),
            JobOutput::Exported(r) => write!(f, "Exported({})", res(r)),
            JobOutput::Compared(r) => write!(f, "Compared({})", res(r)),
        }
    }
}

// A job result is sent once per job, so its size does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum WorkerEvent {
    Progress {
        job: JobId,
        fraction: f64,
        message: String,
    },
    /// A K of a running sweep, fitted and measured (the sweep goes on).
    KFitted {
        job: JobId,
        k: KFitted,
    },
    Done {
        job: JobId,
        output: JobOutput,
    },
}

/// The progress of a sweep that also sends each K as it is fitted.
struct Streaming<'a> {
    inner: &'a dyn Progress,
    send: &'a (dyn Fn(WorkerEvent) + Sync),
    job: JobId,
}

impl Progress for Streaming<'_> {
    fn report(&self, fraction: f64, message: &str) {
        self.inner.report(fraction, message);
    }
    fn is_cancelled(&self) -> bool {
        self.inner.is_cancelled()
    }
    fn k_fitted(&self, k: &KFitted) {
        (self.send)(WorkerEvent::KFitted {
            job: self.job,
            k: k.clone(),
        });
    }
}

/// Progress reports closer together than this are dropped (except the last).
const MIN_REPORT_GAP: Duration = Duration::from_millis(40);

/// Milliseconds to pause after each progress report; never set by the app.
static PAUSE_AFTER_REPORT_MS: AtomicU64 = AtomicU64::new(0);

/// Test hook: pause every job after each progress report it sends, so an
/// end-to-end test can keep a job running while it presses keys, however
/// fast the machine loads.
#[doc(hidden)]
pub fn pause_after_each_report(pause: Duration) {
    let ms = u64::try_from(pause.as_millis()).unwrap_or(u64::MAX);
    PAUSE_AFTER_REPORT_MS.store(ms, Ordering::Relaxed);
}

/// Runs `job` on the calling thread, sending progress and then exactly one
/// `Done` through `send`. A panic inside the pipeline becomes an error result.
pub fn run_job(job: Job, send: &(dyn Fn(WorkerEvent) + Sync)) {
    let id = job.id();
    let last = Mutex::new(None::<Instant>);
    let report = |fraction: f64, message: &str| {
        let mut last = last.lock().unwrap_or_else(|e| e.into_inner());
        if fraction < 1.0 && last.is_some_and(|t| t.elapsed() < MIN_REPORT_GAP) {
            return;
        }
        *last = Some(Instant::now());
        send(WorkerEvent::Progress {
            job: id,
            fraction,
            message: message.to_string(),
        });
        let pause = PAUSE_AFTER_REPORT_MS.load(Ordering::Relaxed);
        if pause > 0 && fraction < 1.0 {
            drop(last);
            std::thread::sleep(Duration::from_millis(pause));
        }
    };
    fn with_cancel<F: Fn(f64, &str) + Sync>(callback: F, cancel: &AtomicBool) -> FnProgress<'_, F> {
        FnProgress {
            callback,
            cancel: Some(cancel),
        }
    }
    let output = catch_unwind(AssertUnwindSafe(|| match &job {
        Job::Load {
            path,
            options,
            expected_sha256,
            cancel,
            ..
        } => JobOutput::Loaded(steps::load_file(
            path,
            options,
            expected_sha256.as_deref(),
            &with_cancel(report, cancel),
        )),
        Job::Sheets { path, .. } => JobOutput::Sheets(sheet_names(path)),
        Job::Clean {
            table,
            mapping,
            prepared,
            config,
            cancel,
            ..
        } => JobOutput::Cleaned(compute_clean(
            table,
            mapping,
            prepared.clone(),
            config,
            &with_cancel(report, cancel),
        )),
        Job::Features {
            cleaned,
            mapping,
            config,
            cancel,
            ..
        } => JobOutput::Features(compute_features(
            cleaned,
            mapping,
            config,
            &with_cancel(report, cancel),
        )),
        Job::Cluster {
            features,
            config,
            cancel,
            ..
        } => {
            let streaming = Streaming {
                inner: &with_cancel(report, cancel),
                send,
                job: id,
            };
            JobOutput::Swept(steps::cluster(features, config, &streaming))
        }
        Job::Profile {
            features,
            cleaned,
            mapping,
            sweep,
            k,
            config,
            with_pca,
            cancel,
            ..
        } => {
            let p = with_cancel(report, cancel);
            let profiled = compute_profiles(features, cleaned, mapping, sweep, *k, config, &p);
            JobOutput::Profiled(profiled.map(|out| out.with_pca(*with_pca, features)))
        }
        Job::Export {
            request, cancel, ..
        } => {
            let p = with_cancel(report, cancel);
            JobOutput::Exported(export::write_outputs(
                &request.run,
                &request.config,
                &request.dir,
                request.force,
                &request.files,
                &p,
            ))
        }
        Job::Compare {
            earlier,
            run,
            config,
            ..
        } => JobOutput::Compared(crate::pipeline::compare::compare_with_run(
            earlier, run, config,
        )),
    }))
    .unwrap_or_else(|panic| {
        let what = panic
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| panic.downcast_ref::<&str>().copied())
            .unwrap_or("unknown cause");
        let err = Error::data(format!("internal error ({what}); please report this"));
        JobOutput::failed(&job)(err)
    });
    send(WorkerEvent::Done { job: id, output });
}

/// The sheet names of a workbook, in workbook order.
pub fn sheet_names(path: &std::path::Path) -> Result<Vec<String>> {
    use calamine::Reader;
    let workbook = calamine::open_workbook_auto(path)
        .map_err(|e| Error::data(format!("{}: cannot open the workbook: {e}", path.display())))?;
    Ok(workbook.sheet_names().to_vec())
}

/// Everything Export needs: the run's outputs shared with the UI (`Arc`s,
/// nothing copied), the config they were made with, and where to write
/// which files.
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
        .map(|j| data::histogram(features.original_column(j), HIST_BINS))
        .collect();
    let hist_used = (0..d)
        .map(|j| data::histogram(&column(&features.scaled, j), HIST_BINS))
        .collect();
    Ok(FeatureData {
        features: Arc::new(features),
        hist_raw,
        hist_used,
        options,
        dropped_settings,
    })
}

/// Profiles for `k` (the pick the analysis's rule makes for this config,
/// or `k` fixed) with their trust checks, reporting the checks' progress
/// (and stopping when cancelled); no PCA sample (the job adds it when asked).
pub fn compute_profiles(
    features: &Features,
    cleaned: &Cleaned,
    mapping: &Mapping,
    sweep: &SweepResult,
    k: usize,
    cfg: &RunConfig,
    progress: &dyn Progress,
) -> Result<Profiled> {
    progress.report(0.05, &format!("profiling the {k} segments"));
    // The stability check's resamples take most of the time.
    let checks = crate::pipeline::trust::Scaled::new(progress, 0.05, 0.95);
    let profiles =
        steps::profile_with_progress(features, cleaned, mapping, sweep, k, cfg, &checks)?;
    let pick = match k_choice::pick(sweep, cfg.cluster.k) {
        Ok(p) if p.k == k => p,
        _ => KPick::fixed(k),
    };
    Ok(Profiled {
        pick,
        profiles: Arc::new(profiles),
        pca: None,
    })
}

impl Profiled {
    /// With the PCA sample of `features` when `wanted`.
    fn with_pca(mut self, wanted: bool, features: &Features) -> Self {
        self.pca = wanted.then(|| pca_sample(features));
        self
    }
}

/// The PCA of all customers, projected for an evenly spaced sample of them.
pub fn pca_sample(f: &Features) -> Pca {
    let pca = export::pca::Pca2::fit(f.view());
    let step = f.n.div_ceil(SCATTER_POINTS).max(1);
    let rows: Vec<usize> = (0..f.n).step_by(step).collect();
    Pca {
        points: rows
            .iter()
            .map(|&i| pca.project_row(&f.scaled[i * f.d..(i + 1) * f.d]))
            .collect(),
        rows,
        ratio: pca.ratio,
    }
}

/// Spawns one thread per job; its reports go to `send` (the UI's event
/// channel).
pub struct Worker {
    send: Arc<dyn Fn(WorkerEvent) + Send + Sync>,
}

impl Worker {
    pub fn new(send: impl Fn(WorkerEvent) + Send + Sync + 'static) -> Self {
        Worker {
            send: Arc::new(send),
        }
    }

    pub fn spawn(&self, job: Job) {
        let send = Arc::clone(&self.send);
        let id = job.id();
        let failed = JobOutput::failed(&job);
        let spawned = std::thread::Builder::new()
            .name(WORKER_THREAD_NAME.into())
            .spawn(move || run_job(job, &|ev| send(ev)));
        if let Err(e) = spawned {
            (self.send)(WorkerEvent::Done {
                job: id,
                output: failed(Error::io("starting a worker thread", e)),
            });
        }
    }
}
