//! Runs pipeline jobs off the UI thread. A job is plain data (what to run,
//! with which inputs, and its cancel flag); [`run_job`] runs one to the end,
//! reporting through a callback, so tests can run jobs synchronously and the
//! UI runs them on threads ([`Worker::spawn`]).
//!
//! Adding a stage: add a `Job` variant carrying its inputs (an `Arc` of the
//! previous stage's output), a `JobOutput` variant for its result, and one
//! match arm in `run_job` calling the pipeline function with a
//! [`FnProgress`] built from `report`.

use super::event::Event;
use super::terminal::WORKER_THREAD_NAME;
use crate::error::{Error, Result};
use crate::pipeline::load::{self, LoadOptions};
use crate::pipeline::progress::FnProgress;
use crate::pipeline::table::Table;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub type JobId = u64;

#[derive(Debug)]
pub enum Job {
    /// Read a file into a typed table.
    Load {
        id: JobId,
        path: PathBuf,
        options: LoadOptions,
        cancel: Arc<AtomicBool>,
    },
    /// List the sheets of a workbook (opening a large xlsx takes a while).
    Sheets { id: JobId, path: PathBuf },
}

impl Job {
    pub fn id(&self) -> JobId {
        match self {
            Job::Load { id, .. } | Job::Sheets { id, .. } => *id,
        }
    }
}

#[derive(Debug)]
pub enum JobOutput {
    Loaded(Result<Table>),
    Sheets(Result<Vec<String>>),
}

#[derive(Debug)]
pub enum WorkerEvent {
    Progress {
        job: JobId,
        fraction: f64,
        message: String,
    },
    Done {
        job: JobId,
        output: JobOutput,
    },
}

/// Progress reports closer together than this are dropped (except the last).
const MIN_REPORT_GAP: Duration = Duration::from_millis(40);

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
    };
    let output = catch_unwind(AssertUnwindSafe(|| match &job {
        Job::Load {
            path,
            options,
            cancel,
            ..
        } => {
            let progress = FnProgress {
                callback: report,
                cancel: Some(cancel.as_ref()),
            };
            JobOutput::Loaded(load::load(path, options, &progress))
        }
        Job::Sheets { path, .. } => JobOutput::Sheets(sheet_names(path)),
    }))
    .unwrap_or_else(|panic| {
        let what = panic
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| panic.downcast_ref::<&str>().copied())
            .unwrap_or("unknown cause");
        let err = Error::data(format!("internal error ({what}); please report this"));
        match job {
            Job::Load { .. } => JobOutput::Loaded(Err(err)),
            Job::Sheets { .. } => JobOutput::Sheets(Err(err)),
        }
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

/// Spawns one thread per job; results come back on the UI's event channel.
pub struct Worker {
    tx: Sender<Event>,
}

impl Worker {
    pub fn new(tx: Sender<Event>) -> Self {
        Worker { tx }
    }

    pub fn spawn(&self, job: Job) {
        let tx = self.tx.clone();
        let id = job.id();
        let spawned = std::thread::Builder::new()
            .name(WORKER_THREAD_NAME.into())
            .spawn(move || {
                run_job(job, &|ev| {
                    let _ = tx.send(Event::Worker(ev));
                })
            });
        if let Err(e) = spawned {
            let _ = self.tx.send(Event::Worker(WorkerEvent::Done {
                job: id,
                output: JobOutput::Loaded(Err(Error::io("starting a worker thread", e))),
            }));
        }
    }
}
