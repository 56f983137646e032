//! The application state and its state machine. `App::update` is the only
//! way the state changes; it never touches the terminal and never blocks on
//! heavy work (that is queued as a [`Job`] for the worker), so every screen
//! can be driven and checked in tests without a terminal.
//!
//! Plugging in a new stage screen (e.g. Clean):
//! 1. `screens/clean.rs` with its state struct (a field here), and
//!    `update(app, action)`, `draw(frame, area, app)`, `footer_keys(app)`,
//!    `HELP`, like `screens/map.rs`;
//! 2. its output in [`PipelineData`], cleared by `invalidate_after`;
//! 3. a `Job` variant in `worker.rs` if it is heavy, and a match arm in
//!    [`App::on_worker`];
//! 4. `Stage::is_available` returns true for it, and the `match self.stage`
//!    arms here and in `ui.rs` call it.

use super::action::{Action, Move};
use super::keymap::{KeyContext, OverlayKind};
use super::screens::{load::LoadScreen, map::MapScreen};
use super::theme::Theme;
use super::worker::{Job, JobId, JobOutput, WorkerEvent};
use super::{UiOptions, screens};
use crate::config::RunConfig;
use crate::error::Error;
use crate::pipeline::load::LoadOptions;
use crate::pipeline::mapping::{Mapping, Role};
use crate::pipeline::table::Table;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Below this the UI shows "terminal too small" instead of a broken layout.
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 18;

/// The seven pipeline stages, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Stage {
    Load,
    Map,
    Clean,
    Features,
    Cluster,
    Inspect,
    Export,
}

impl Stage {
    pub const ALL: [Stage; 7] = [
        Stage::Load,
        Stage::Map,
        Stage::Clean,
        Stage::Features,
        Stage::Cluster,
        Stage::Inspect,
        Stage::Export,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Stage::Load => "Load",
            Stage::Map => "Map columns",
            Stage::Clean => "Clean",
            Stage::Features => "Features",
            Stage::Cluster => "Cluster",
            Stage::Inspect => "Inspect",
            Stage::Export => "Export",
        }
    }

    /// For narrow terminals.
    pub fn short_title(self) -> &'static str {
        match self {
            Stage::Load => "Load",
            Stage::Map => "Map",
            Stage::Clean => "Clean",
            Stage::Features => "Feat",
            Stage::Cluster => "Clust",
            Stage::Inspect => "Insp",
            Stage::Export => "Exp",
        }
    }

    /// Whether this build has a screen for the stage.
    pub fn is_available(self) -> bool {
        matches!(self, Stage::Load | Stage::Map)
    }

    pub fn index(self) -> usize {
        self as usize
    }

    pub fn next(self) -> Option<Stage> {
        Stage::ALL.get(self.index() + 1).copied()
    }

    pub fn prev(self) -> Option<Stage> {
        self.index().checked_sub(1).map(|i| Stage::ALL[i])
    }
}

/// How the header shows a stage.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StageStatus {
    Done,
    Current,
    NotYet,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatusKind {
    Info,
    Success,
    Warn,
    Error,
}

/// The one-line message above the footer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Status {
    pub kind: StatusKind,
    pub text: String,
}

/// An error shown in a box: what went wrong and what to do about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ErrorReport {
    pub title: String,
    pub cause: String,
    pub hint: String,
}

/// A list to choose from, drawn over the screen (Map: the role of a column).
#[derive(Clone, Debug, PartialEq)]
pub struct RolePicker {
    /// Index of the column in the mapping.
    pub column: usize,
    /// `None` = "automatic" (drop the user's choice for this column).
    pub choices: Vec<Option<Role>>,
    pub selected: usize,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Overlay {
    Help { scroll: u16 },
    Error(ErrorReport),
    ConfirmQuit,
    RolePicker(RolePicker),
}

impl Overlay {
    pub fn kind(&self) -> OverlayKind {
        match self {
            Overlay::Help { .. } => OverlayKind::Help,
            Overlay::Error(_) => OverlayKind::Error,
            Overlay::ConfirmQuit => OverlayKind::ConfirmQuit,
            Overlay::RolePicker(_) => OverlayKind::Picker,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobKind {
    Load,
    Sheets,
}

/// What was loaded: a new path or new options make the table stale.
#[derive(Clone, Debug, PartialEq)]
pub struct LoadKey {
    pub path: PathBuf,
    pub options: LoadOptions,
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
    pub load_key: Option<LoadKey>,
    pub path: PathBuf,
}

/// Each stage's output. Changing a stage clears everything after it.
#[derive(Clone, Debug, Default)]
pub struct PipelineData {
    pub table: Option<Arc<Table>>,
    pub loaded: Option<LoadKey>,
    pub mapping: Option<Mapping>,
}

impl PipelineData {
    /// Forgets the outputs of every stage after `stage`.
    pub fn invalidate_after(&mut self, stage: Stage) {
        if stage < Stage::Map {
            self.mapping = None;
        }
    }
}

pub struct App {
    /// The run being edited; what `--no-tui --config` would replay.
    pub config: RunConfig,
    pub ui: UiOptions,
    pub theme: Theme,
    pub stage: Stage,
    pub overlay: Option<Overlay>,
    pub status: Option<Status>,
    pub should_quit: bool,
    pub size: (u16, u16),
    pub data: PipelineData,
    pub jobs: Vec<RunningJob>,
    pub load: LoadScreen,
    pub map: MapScreen,
    outbox: Vec<Job>,
    next_job: JobId,
}

impl App {
    /// A new session on the Load screen. With `config.input` set the file is
    /// filled in and its loading queued.
    pub fn new(config: RunConfig, ui: UiOptions) -> Self {
        let input = config.input.clone();
        let mut app = App {
            config,
            ui,
            theme: Theme::new(ui),
            stage: Stage::Load,
            overlay: None,
            status: None,
            should_quit: false,
            size: (80, 24),
            data: PipelineData::default(),
            jobs: Vec::new(),
            load: LoadScreen::new(input.as_deref()),
            map: MapScreen::default(),
            outbox: Vec::new(),
            next_job: 1,
        };
        screens::load::after_path_change(&mut app);
        if input.is_some() {
            screens::load::start_load(&mut app);
        }
        app
    }

    /// Fills in the bundled sample and loads it, so a newcomer sees the flow at once.
    pub fn offer_sample(&mut self, path: &std::path::Path) {
        self.load.path.set(&path.display().to_string());
        screens::load::after_path_change(self);
        screens::load::start_load(self);
        self.set_status(
            StatusKind::Info,
            "This is the bundled sample. Enter continues with it; or type the path of your own file.",
        );
    }

    /// No input and no bundled sample: say what to do.
    pub fn no_sample_found(&mut self) {
        self.set_status(
            StatusKind::Info,
            "Type a file path (CSV, TSV, XLSX, XLS, ODS), or Tab to pick one in Files.",
        );
    }

    pub fn key_context(&self) -> KeyContext {
        KeyContext {
            stage: self.stage,
            overlay: self.overlay.as_ref().map(Overlay::kind),
            text_input: self.overlay.is_none()
                && self.stage == Stage::Load
                && self.load.focus == screens::load::Pane::Path,
        }
    }

    pub fn too_small(&self) -> bool {
        self.size.0 < MIN_WIDTH || self.size.1 < MIN_HEIGHT
    }

    /// Work that must not be dropped silently is running (loading, later clustering).
    pub fn is_busy(&self) -> bool {
        self.jobs.iter().any(|j| j.kind != JobKind::Sheets)
    }

    pub fn job(&self, kind: JobKind) -> Option<&RunningJob> {
        self.jobs.iter().find(|j| j.kind == kind)
    }

    pub fn stage_status(&self, stage: Stage) -> StageStatus {
        if stage == self.stage {
            return StageStatus::Current;
        }
        let done = match stage {
            Stage::Load => self.data.table.is_some(),
            Stage::Map => self.data.mapping.is_some(),
            _ => false,
        };
        if done {
            StageStatus::Done
        } else {
            StageStatus::NotYet
        }
    }

    pub fn set_status(&mut self, kind: StatusKind, text: impl Into<String>) {
        self.status = Some(Status {
            kind,
            text: text.into(),
        });
    }

    pub fn show_error(
        &mut self,
        title: impl Into<String>,
        cause: impl Into<String>,
        hint: impl Into<String>,
    ) {
        self.overlay = Some(Overlay::Error(ErrorReport {
            title: title.into(),
            cause: cause.into(),
            hint: hint.into(),
        }));
    }

    /// Jobs queued by `update` since the last call, for the worker to run.
    pub fn take_jobs(&mut self) -> Vec<Job> {
        std::mem::take(&mut self.outbox)
    }

    /// Queues `job` (built from a fresh id) and records it as running.
    pub(crate) fn start_job(
        &mut self,
        kind: JobKind,
        label: String,
        path: PathBuf,
        load_key: Option<LoadKey>,
        make: impl FnOnce(JobId, Option<Arc<AtomicBool>>) -> Job,
    ) -> JobId {
        let id = self.next_job;
        self.next_job += 1;
        let cancel = (kind != JobKind::Sheets).then(|| Arc::new(AtomicBool::new(false)));
        self.outbox.push(make(id, cancel.clone()));
        self.jobs.push(RunningJob {
            id,
            kind,
            label,
            fraction: 0.0,
            message: String::new(),
            cancel,
            load_key,
            path,
        });
        id
    }

    /// Asks the job to stop and forgets it; its late result is ignored.
    pub fn cancel_job(&mut self, kind: JobKind) -> bool {
        let before = self.jobs.len();
        self.jobs.retain(|j| {
            if j.kind == kind {
                if let Some(c) = &j.cancel {
                    c.store(true, Ordering::Relaxed);
                }
                false
            } else {
                true
            }
        });
        self.outbox.retain(|j| {
            !matches!(
                (j, kind),
                (Job::Load { .. }, JobKind::Load) | (Job::Sheets { .. }, JobKind::Sheets)
            )
        });
        self.jobs.len() != before
    }

    pub fn cancel_all_jobs(&mut self) {
        for j in self.jobs.drain(..) {
            if let Some(c) = &j.cancel {
                c.store(true, Ordering::Relaxed);
            }
        }
        self.outbox.clear();
    }

    /// Moves to `stage` if this build has it; otherwise explains, and stays.
    pub fn go_to(&mut self, stage: Stage) {
        if !stage.is_available() {
            self.set_status(
                StatusKind::Warn,
                format!(
                    "{} is not available in this build yet; your work so far is kept.",
                    stage.title()
                ),
            );
            return;
        }
        self.stage = stage;
        self.status = None;
        if stage == Stage::Map {
            screens::map::enter(self);
        }
    }

    /// The state machine: every key, resize, tick and worker report goes through here.
    pub fn update(&mut self, action: Action) {
        match action {
            Action::ForceQuit => {
                self.cancel_all_jobs();
                self.should_quit = true;
                return;
            }
            Action::Resize(w, h) => {
                self.size = (w, h);
                return;
            }
            Action::Worker(ev) => {
                self.on_worker(ev);
                return;
            }
            Action::Tick => return,
            _ => {}
        }
        if self.too_small() && !matches!(action, Action::Quit | Action::Answer(_)) {
            // Nothing else can be seen, so nothing else acts.
            return;
        }
        if let Some(overlay) = self.overlay.take() {
            self.update_overlay(overlay, action);
            return;
        }
        match action {
            Action::Quit => {
                if self.is_busy() {
                    self.overlay = Some(Overlay::ConfirmQuit);
                } else {
                    self.should_quit = true;
                }
            }
            Action::Help => self.overlay = Some(Overlay::Help { scroll: 0 }),
            action => match self.stage {
                Stage::Load => screens::load::update(self, action),
                Stage::Map => screens::map::update(self, action),
                _ => {}
            },
        }
    }

    /// Keys while an overlay is open (it was taken out of `self.overlay`;
    /// put it back to keep it open).
    fn update_overlay(&mut self, overlay: Overlay, action: Action) {
        match (overlay, action) {
            (Overlay::ConfirmQuit, Action::Answer(true)) => {
                self.cancel_all_jobs();
                self.should_quit = true;
            }
            (Overlay::ConfirmQuit, Action::Answer(false)) => {}
            (Overlay::Help { .. }, Action::Back | Action::Help) => {}
            (Overlay::Help { scroll }, Action::Move(m)) => {
                let scroll = match m {
                    Move::Up => scroll.saturating_sub(1),
                    Move::Down => scroll.saturating_add(1),
                    Move::PageUp => scroll.saturating_sub(10),
                    Move::PageDown => scroll.saturating_add(10),
                    Move::Home => 0,
                    _ => scroll,
                };
                self.overlay = Some(Overlay::Help { scroll });
            }
            (Overlay::Error(_), Action::Back) => {}
            (_, Action::Quit) => {
                if self.is_busy() {
                    self.overlay = Some(Overlay::ConfirmQuit);
                } else {
                    self.should_quit = true;
                }
            }
            (Overlay::RolePicker(picker), action) => {
                screens::map::update_picker(self, picker, action)
            }
            (overlay, _) => self.overlay = Some(overlay),
        }
    }

    /// A report from the worker. Results of jobs that were cancelled or
    /// replaced are dropped.
    pub fn on_worker(&mut self, ev: WorkerEvent) {
        match ev {
            WorkerEvent::Progress {
                job,
                fraction,
                message,
            } => {
                if let Some(j) = self.jobs.iter_mut().find(|j| j.id == job) {
                    j.fraction = fraction;
                    j.message = message;
                }
            }
            WorkerEvent::Done { job, output } => {
                let Some(pos) = self.jobs.iter().position(|j| j.id == job) else {
                    return;
                };
                let running = self.jobs.remove(pos);
                match output {
                    JobOutput::Loaded(result) => screens::load::on_loaded(self, running, result),
                    JobOutput::Sheets(result) => screens::load::on_sheets(self, running, result),
                }
            }
        }
    }

    /// What to tell the user to do about a loading error, in this UI's terms.
    pub fn load_hint(err: &Error) -> String {
        let msg = err.to_string();
        if msg.contains("no such file") {
            "Check the path, or Tab to Files and pick the file from the list.".into()
        } else if msg.contains("permission denied") {
            "Ask for read access to the file, or copy it somewhere you can read.".into()
        } else if msg.contains("is a directory") {
            "Pick a file inside it: Tab to Files, then Enter on a folder opens it.".into()
        } else if msg.contains("encoding") || msg.contains("UTF-8") {
            "Set Encoding in Options (Tab, then ←/→ to change it), then Enter to load again.".into()
        } else if msg.contains("delimiter") || msg.contains("fields") {
            "Set Delimiter in Options, or Bad rows = skip, then Enter to load again.".into()
        } else if msg.contains("workbook") || msg.contains("sheet") {
            "Pick another Sheet in Options, or save the sheet as CSV and load that.".into()
        } else if matches!(err, Error::Usage(_)) {
            "Fix the setting in Options, then Enter to load again.".into()
        } else {
            "Check the file and the Options (encoding, delimiter, header), then Enter to load again."
                .into()
        }
    }
}
