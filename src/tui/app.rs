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
//! 4. the `match self.stage` arms here (`go_to`, `update`), in `ui.rs` and
//!    in `widgets/help.rs` call it.
//!
//! Re-running: every stage's output lives in [`PipelineData`]. A change on a
//! screen writes the RunConfig and queues the job of that stage only; when
//! its result arrives, the outputs of the later stages are dropped
//! (`invalidate_after`, which marks them stale in the header) and the next
//! cheap stage is queued (Clean -> Features; Cluster -> profile). The sweep
//! is only run from the Cluster screen, and moving K there re-profiles from
//! the sweep already made.

use super::action::{Action, Move};
use super::data::{FeatureData, Pca, ProfileData, SweepData};
use super::keymap::{KeyContext, OverlayKind};
use super::screens::{
    clean::CleanScreen, cluster::ClusterScreen, export::ExportScreen, features::FeaturesScreen,
    inspect::InspectScreen, load::LoadScreen, map::MapScreen,
};
use super::text::TextInput;
use super::theme::Theme;
use super::worker::{Job, JobId, JobOutput, WorkerEvent};
use super::{UiOptions, screens};
use crate::config::RunConfig;
use crate::error::Error;
use crate::pipeline::clean::{CleanOptions, Cleaned};
use crate::pipeline::load::LoadOptions;
use crate::pipeline::mapping::{Mapping, Role};
use crate::pipeline::run::Prepared;
use crate::pipeline::table::Table;
use std::collections::BTreeSet;
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
    /// It had a result, but something before it changed: it runs again
    /// when you get there.
    Stale,
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

/// What a text box is for; Enter hands its text to that screen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputPurpose {
    /// Features: the as-of date.
    AsOf,
    /// Cluster: the value of an option row.
    Sweep(super::screens::cluster::OptionRow),
    /// Inspect: the label of a segment.
    Label(u32),
    /// Inspect: the recommended action of a segment.
    SegmentAction(u32),
    /// Inspect: a customer id to find.
    Search,
}

/// A one-line text field in a box over the screen.
#[derive(Clone, Debug, PartialEq)]
pub struct InputBox {
    pub purpose: InputPurpose,
    pub title: String,
    /// What to type, one line under the field.
    pub hint: String,
    pub input: TextInput,
    /// Why the last Enter was refused.
    pub error: Option<String>,
}

impl InputBox {
    pub fn new(purpose: InputPurpose, title: &str, text: &str, hint: &str) -> Self {
        InputBox {
            purpose,
            title: title.into(),
            hint: hint.into(),
            input: TextInput::new(text),
            error: None,
        }
    }
}

/// A yes/no question (other than quitting).
#[derive(Clone, Debug, PartialEq)]
pub enum Question {
    /// Export into a folder that already holds files.
    Overwrite { dir: PathBuf, files: usize },
}

#[derive(Clone, Debug, PartialEq)]
pub enum Overlay {
    Help { scroll: u16 },
    Error(ErrorReport),
    ConfirmQuit,
    RolePicker(RolePicker),
    Input(InputBox),
    Confirm(Question),
}

impl Overlay {
    pub fn kind(&self) -> OverlayKind {
        match self {
            Overlay::Help { .. } => OverlayKind::Help,
            Overlay::Error(_) => OverlayKind::Error,
            Overlay::ConfirmQuit => OverlayKind::ConfirmQuit,
            Overlay::RolePicker(_) => OverlayKind::Picker,
            Overlay::Input(_) => OverlayKind::Input,
            Overlay::Confirm(_) => OverlayKind::Confirm,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobKind {
    Load,
    Sheets,
    Clean,
    Features,
    Cluster,
    Profile,
    Export,
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
        }
    }
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

/// What Export wrote last.
#[derive(Clone, Debug, PartialEq)]
pub struct Exported {
    pub dir: PathBuf,
    /// Each file with its size in bytes.
    pub files: Vec<(PathBuf, u64)>,
}

/// Each stage's output. Changing a stage clears everything after it.
#[derive(Clone, Default)]
pub struct PipelineData {
    pub table: Option<Arc<Table>>,
    pub loaded: Option<LoadKey>,
    /// The mapping of the loaded table.
    pub mapping: Option<Arc<Mapping>>,
    /// The customer-level table (a transaction log aggregated) and its mapping.
    pub prepared: Option<Arc<Prepared>>,
    pub cleaned: Option<Arc<Cleaned>>,
    /// The options `cleaned` was made with (put back if a change fails).
    pub clean_options: Option<CleanOptions>,
    pub features: Option<Arc<FeatureData>>,
    /// The PCA sample of the features, made with the first profile.
    pub pca: Option<Arc<Pca>>,
    pub sweep: Option<Arc<SweepData>>,
    /// The K whose segments are shown and exported, and why that K.
    pub k: Option<usize>,
    pub k_reason: String,
    /// How that K was chosen (what the chart title shows).
    pub k_choice: Option<crate::pipeline::cluster::Choice>,
    pub profiles: Option<Arc<ProfileData>>,
    pub exported: Option<Exported>,
    /// Stages whose result was dropped because an earlier stage changed.
    pub stale: BTreeSet<Stage>,
}

impl PipelineData {
    /// Forgets the outputs of every stage after `stage`; those that had one
    /// are marked stale.
    pub fn invalidate_after(&mut self, stage: Stage) {
        let mut cleared = Vec::new();
        if stage < Stage::Map {
            self.mapping = None;
        }
        if stage < Stage::Clean {
            if self.cleaned.take().is_some() {
                cleared.push(Stage::Clean);
            }
            self.prepared = None;
            self.clean_options = None;
        }
        if stage < Stage::Features {
            if self.features.take().is_some() {
                cleared.push(Stage::Features);
            }
            self.pca = None;
        }
        if stage < Stage::Cluster {
            if self.sweep.take().is_some() {
                cleared.push(Stage::Cluster);
            }
            self.k = None;
            self.k_reason.clear();
            self.k_choice = None;
        }
        if stage < Stage::Inspect && self.profiles.take().is_some() {
            cleared.push(Stage::Inspect);
        }
        if stage < Stage::Export && self.exported.take().is_some() {
            cleared.push(Stage::Export);
        }
        self.stale.extend(cleared);
    }

    /// The mapping of the customer-level table (after any aggregation).
    pub fn customer_mapping(&self) -> Option<&Mapping> {
        let m = self.mapping.as_ref()?;
        Some(match &self.prepared {
            Some(p) => p.mapping(m),
            None => m,
        })
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
    pub clean: CleanScreen,
    pub features: FeaturesScreen,
    pub cluster: ClusterScreen,
    pub inspect: InspectScreen,
    pub export: ExportScreen,
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
            clean: CleanScreen::default(),
            features: FeaturesScreen::default(),
            cluster: ClusterScreen::default(),
            inspect: InspectScreen::default(),
            export: ExportScreen::default(),
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
            text_input: match &self.overlay {
                Some(Overlay::Input(_)) => true,
                Some(_) => false,
                None => {
                    (self.stage == Stage::Load && self.load.focus == screens::load::Pane::Path)
                        || (self.stage == Stage::Export && screens::export::editing_folder(self))
                }
            },
        }
    }

    pub fn too_small(&self) -> bool {
        self.size.0 < MIN_WIDTH || self.size.1 < MIN_HEIGHT
    }

    /// Work that must not be dropped silently is running: any job but
    /// listing a workbook's sheets (loading, cleaning, clustering, exporting ...).
    pub fn is_busy(&self) -> bool {
        self.jobs.iter().any(|j| j.kind != JobKind::Sheets)
    }

    pub fn job(&self, kind: JobKind) -> Option<&RunningJob> {
        self.jobs.iter().find(|j| j.kind == kind)
    }

    /// The first running job of any of `kinds`.
    pub fn job_of(&self, kinds: &[JobKind]) -> Option<&RunningJob> {
        self.jobs.iter().find(|j| kinds.contains(&j.kind))
    }

    pub fn stage_status(&self, stage: Stage) -> StageStatus {
        if stage == self.stage {
            return StageStatus::Current;
        }
        let d = &self.data;
        let done = match stage {
            Stage::Load => d.table.is_some(),
            Stage::Map => d.mapping.is_some(),
            Stage::Clean => d.cleaned.is_some(),
            Stage::Features => d.features.is_some(),
            Stage::Cluster => d.sweep.is_some() && !screens::cluster::pending(self),
            Stage::Inspect => d.profiles.is_some(),
            Stage::Export => d.exported.is_some(),
        };
        let stale = d.stale.contains(&stage)
            || (stage == Stage::Cluster && d.sweep.is_some() && screens::cluster::pending(self));
        if done {
            StageStatus::Done
        } else if stale {
            StageStatus::Stale
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
        self.outbox.retain(|j| JobKind::of(j) != kind);
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

    /// Moves to `stage` when what it needs is there (otherwise the screen
    /// that would be entered says why, and you stay), then lets the screen
    /// start the work it needs.
    pub fn go_to(&mut self, stage: Stage) {
        let ok = match stage {
            Stage::Load | Stage::Map => true,
            Stage::Clean => screens::clean::can_enter(self),
            Stage::Features => screens::features::can_enter(self),
            Stage::Cluster => screens::cluster::can_enter(self),
            Stage::Inspect => screens::inspect::can_enter(self),
            Stage::Export => screens::export::can_enter(self),
        };
        if !ok {
            return;
        }
        self.stage = stage;
        self.status = None;
        match stage {
            Stage::Load => {}
            Stage::Map => screens::map::enter(self),
            Stage::Clean => screens::clean::enter(self),
            Stage::Features => screens::features::enter(self),
            Stage::Cluster => screens::cluster::enter(self),
            Stage::Inspect => screens::inspect::enter(self),
            Stage::Export => screens::export::enter(self),
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
                Stage::Clean => screens::clean::update(self, action),
                Stage::Features => screens::features::update(self, action),
                Stage::Cluster => screens::cluster::update(self, action),
                Stage::Inspect => screens::inspect::update(self, action),
                Stage::Export => screens::export::update(self, action),
            },
        }
    }

    /// Keys while an overlay is open (it was taken out of `self.overlay`;
    /// put it back to keep it open).
    fn update_overlay(&mut self, overlay: Overlay, action: Action) {
        match (overlay, action) {
            (Overlay::Input(b), Action::Help) => self.overlay = Some(Overlay::Input(b)),
            (Overlay::Input(b), action) => self.update_input(b, action),
            (Overlay::Confirm(q), Action::Answer(yes)) => self.answer(q, yes),
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

    /// Keys in a text box: editing, Esc closes, Enter hands the text to the
    /// screen (which may refuse it: the box stays open with the reason).
    fn update_input(&mut self, mut b: InputBox, action: Action) {
        match action {
            Action::Back => return,
            Action::Confirm => {
                let text = b.input.text().trim().to_string();
                let result = match b.purpose {
                    InputPurpose::AsOf => screens::features::set_as_of(self, &text),
                    InputPurpose::Sweep(row) => screens::cluster::set_value(self, row, &text),
                    InputPurpose::Label(id) => screens::inspect::rename(self, id, &text),
                    InputPurpose::SegmentAction(id) => {
                        screens::inspect::set_action(self, id, &text)
                    }
                    InputPurpose::Search => screens::inspect::search(self, &text),
                };
                if let Err(why) = result {
                    b.error = Some(why);
                    self.overlay = Some(Overlay::Input(b));
                }
                return;
            }
            Action::Input(c) => b.input.insert(c),
            Action::Paste(s) => b.input.insert_str(s.trim()),
            Action::Backspace => {
                b.input.backspace();
            }
            Action::Delete => {
                b.input.delete();
            }
            Action::ClearInput => b.input.set(""),
            Action::Move(Move::Left) => b.input.left(),
            Action::Move(Move::Right) => b.input.right(),
            Action::Move(Move::Home) => b.input.home(),
            Action::Move(Move::End) => b.input.end(),
            _ => {}
        }
        b.error = None;
        self.overlay = Some(Overlay::Input(b));
    }

    fn answer(&mut self, question: Question, yes: bool) {
        match question {
            Question::Overwrite { .. } if yes => screens::export::start(self, true),
            Question::Overwrite { dir, .. } => self.set_status(
                StatusKind::Info,
                format!(
                    "Nothing written; {} is untouched. Change the folder, or Enter and y to overwrite.",
                    dir.display()
                ),
            ),
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
                    JobOutput::Cleaned(result) => screens::clean::on_cleaned(self, running, result),
                    JobOutput::Features(result) => {
                        screens::features::on_features(self, running, result)
                    }
                    JobOutput::Swept(result) => screens::cluster::on_swept(self, running, result),
                    JobOutput::Profiled(result) => {
                        screens::cluster::on_profiled(self, running, result)
                    }
                    JobOutput::Exported(result) => {
                        screens::export::on_exported(self, running, result)
                    }
                }
            }
        }
    }

    /// What to tell the user to do about a loading error, in this UI's
    /// terms: from the error's remedy, its I/O kind, or the kind of file.
    pub fn load_hint(err: &Error, path: &std::path::Path) -> String {
        use std::io::ErrorKind;
        if let Some(r) = err.remedy() {
            return format!(
                "{} Then Enter to load again.",
                super::remedy::key_sentence(r)
            );
        }
        use crate::pipeline::load::{FileKind, file_kind};
        let workbook = file_kind(path) == FileKind::Workbook;
        match err.io_kind() {
            Some(ErrorKind::NotFound) => {
                "Check the path, or Tab to Files and pick the file from the list.".into()
            }
            Some(ErrorKind::PermissionDenied) => {
                "Ask for read access to the file, or copy it somewhere you can read.".into()
            }
            Some(ErrorKind::IsADirectory) => {
                "Pick a file inside it: Tab to Files, then Enter on a folder opens it.".into()
            }
            _ if workbook => {
                "Pick another Sheet in Options, or save the sheet as CSV and load that.".into()
            }
            _ if err.exit_code() == 2 => "Fix the setting in Options, then Enter to load again.".into(),
            _ => "Check the file and the Options (encoding, delimiter, header), then Enter to load again."
                .into(),
        }
    }
}
