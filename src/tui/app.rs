//! The application state and its state machine. `App::update` is the only
//! way the state changes; it never touches the terminal and never blocks on
//! heavy work (that is queued as a [`Job`] for the worker), so every screen
//! can be driven and checked in tests without a terminal.
//!
//! The App owns the config being edited, the stage outputs
//! ([`PipelineData`], which holds the pipeline's `Analysis`), the running
//! jobs, the overlay and the status line, and one state per screen. A
//! screen gets a [`Ctx`] for a key or a worker result, changes its own
//! state (and the config), and returns [`Effect`]s; [`App::apply`] carries
//! them out in order: a job becomes a worker `Job` built from the outputs
//! held, a data change goes to `PipelineData` (where the analysis decides
//! what it makes stale), a stage change runs the next screen's `enter`.
//!
//! Plugging in a new stage screen: its state struct (a field here) with
//! `impl Screen` (screens/), a `Stage` variant and an arm in
//! [`App::split`] and [`App::screen`]; heavy work as a `Request` (jobs.rs)
//! and a `Job` (worker.rs) whose result [`App::on_worker`] hands to the
//! screen.

use super::action::{Action, Move};
use super::data::{Change, PipelineData};
use super::effect::Effect;
use super::jobs::Request;
use super::keymap::KeyContext;
use super::screens::{
    Ctx, DrawCtx, Screen, Session, clean::CleanScreen, cluster::ClusterScreen,
    export::ExportScreen, features::FeaturesScreen, inspect::InspectScreen, load::LoadScreen,
    map::MapScreen,
};
use super::theme::{Theme, UiOptions};
use super::worker::{Job, JobId, JobOutput, WorkerEvent};
use crate::config::RunConfig;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

pub use super::jobs::{JobKind, RunningJob};
pub use super::overlay::{
    ErrorReport, InputBox, InputPurpose, Overlay, Question, RolePicker, Status, StatusKind,
};
pub use super::stage::{Stage, StageStatus};

/// Below this the UI shows "terminal too small" instead of a broken layout.
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 18;

pub struct App {
    /// The run being edited; what `--no-tui --config` would replay.
    pub config: RunConfig,
    pub ui: UiOptions,
    pub theme: Theme,
    pub stage: Stage,
    pub overlay: Option<Overlay>,
    pub status: Option<Status>,
    pub should_quit: bool,
    /// Ctrl-C ended the session: custseg exits with status 130.
    pub interrupted: bool,
    /// Where a digit (or an Enter typed while work ran) is going; see
    /// `navigate`.
    pub jump: Option<Stage>,
    /// The edits as last exported (or as the session began): `q` asks
    /// first when the config differs.
    pub saved_edits: RunConfig,
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

impl Session for App {
    fn config(&self) -> &RunConfig {
        &self.config
    }

    fn data(&self) -> &PipelineData {
        &self.data
    }
}

/// Runs `$body` with the state of screen `$field` (as `$s`) and a context
/// (as `$cx`), then applies the effects the screen returned.
macro_rules! with_screen {
    ($app:expr, $field:ident, |$s:ident, $cx:ident| $body:expr) => {{
        let app: &mut App = $app;
        let mut $cx = Ctx::new(
            &mut app.config,
            &app.data,
            &app.jobs,
            &app.theme,
            app.stage,
            app.status.as_ref(),
            app.overlay.is_some(),
        );
        let $s = &mut app.$field;
        let out = $body;
        let effects = $cx.into_effects();
        app.apply(effects);
        out
    }};
}

impl App {
    /// A new session on the Load screen. With `config.input` set the file is
    /// filled in and its loading queued.
    pub fn new(config: RunConfig, ui: UiOptions) -> Self {
        let input = config.input.clone();
        let saved_edits = super::navigate::edits(&config);
        let mut app = App {
            config,
            ui,
            theme: Theme::new(ui),
            stage: Stage::Load,
            overlay: None,
            status: None,
            should_quit: false,
            interrupted: false,
            jump: None,
            saved_edits,
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
        with_screen!(&mut app, load, |s, cx| s.after_path_change(&mut cx));
        if input.is_some() {
            with_screen!(&mut app, load, |s, cx| s.start_load(&mut cx));
        }
        app
    }

    /// Fills in the bundled sample and loads it, so a newcomer sees the flow at once.
    pub fn offer_sample(&mut self, path: &std::path::Path) {
        self.load.path.set(&path.display().to_string());
        with_screen!(self, load, |s, cx| {
            s.after_path_change(&mut cx);
            s.start_load(&mut cx)
        });
        self.set_status(
            StatusKind::Info,
            "This is the bundled sample. Enter continues with it; or type the path of your own file.",
        );
    }

    /// No input and no sample file on disk (an installed binary): say what
    /// to do, the built-in sample (F2) included.
    pub fn no_sample_found(&mut self) {
        self.set_status(
            StatusKind::Info,
            "No file given: type its path, pick it in Files, or F2 for the bundled sample.",
        );
    }

    /// The screen of `stage`.
    pub fn screen(&self, stage: Stage) -> &dyn Screen {
        match stage {
            Stage::Load => &self.load,
            Stage::Map => &self.map,
            Stage::Clean => &self.clean,
            Stage::Features => &self.features,
            Stage::Cluster => &self.cluster,
            Stage::Inspect => &self.inspect,
            Stage::Export => &self.export,
        }
    }

    /// The screen of `stage` and a context to drive it with.
    fn split(&mut self, stage: Stage) -> (&mut dyn Screen, Ctx<'_>) {
        let screen: &mut dyn Screen = match stage {
            Stage::Load => &mut self.load,
            Stage::Map => &mut self.map,
            Stage::Clean => &mut self.clean,
            Stage::Features => &mut self.features,
            Stage::Cluster => &mut self.cluster,
            Stage::Inspect => &mut self.inspect,
            Stage::Export => &mut self.export,
        };
        let cx = Ctx::new(
            &mut self.config,
            &self.data,
            &self.jobs,
            &self.theme,
            self.stage,
            self.status.as_ref(),
            self.overlay.is_some(),
        );
        (screen, cx)
    }

    /// What screens draw from.
    pub fn draw_ctx(&self) -> DrawCtx<'_> {
        DrawCtx {
            theme: &self.theme,
            config: &self.config,
            data: &self.data,
            jobs: &self.jobs,
            overlay: self.overlay.as_ref(),
        }
    }

    pub fn key_context(&self) -> KeyContext {
        KeyContext {
            stage: self.stage,
            overlay: self.overlay.as_ref().map(Overlay::kind),
            text_input: match &self.overlay {
                Some(Overlay::Input(_)) => true,
                Some(_) => false,
                None => self.screen(self.stage).text_input(&self.jobs),
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

    pub fn stage_status(&self, stage: Stage) -> StageStatus {
        if stage == self.stage {
            return StageStatus::Current;
        }
        let d = &self.data;
        let pending = d.sweep_pending(&self.config);
        let done = match stage {
            Stage::Load => d.table().is_some(),
            Stage::Map => d.mapping().is_some(),
            Stage::Clean => d.cleaned().is_some(),
            Stage::Features => d.features().is_some(),
            Stage::Cluster => d.sweep().is_some() && !pending,
            Stage::Inspect => d.profiles().is_some(),
            Stage::Export => d.exported().is_some(),
        };
        let stale = d.is_stale(stage) || (stage == Stage::Cluster && pending);
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

    /// Carries out what a screen asked for, in order.
    pub fn apply(&mut self, effects: Vec<Effect>) {
        for effect in effects {
            match effect {
                Effect::Status(kind, text) => self.set_status(kind, text),
                Effect::ClearStatus => self.status = None,
                Effect::Error(report) => self.overlay = Some(Overlay::Error(report)),
                Effect::Open(overlay) => self.overlay = Some(overlay),
                Effect::GoTo(stage) => self.go_to(stage),
                // Taken up when the running work is done (`advance_jump`).
                Effect::JumpTo(stage) => self.jump = Some(stage),
                Effect::Start(request) => self.start(request),
                Effect::Cancel(kind) => {
                    self.cancel_job(kind);
                }
                Effect::Data(change) => self.change(change),
                Effect::SetColumnUse { column, usage } => {
                    with_screen!(self, map, |s, cx| s.set_use(&mut cx, &column, usage));
                }
            }
        }
    }

    /// A change of the stage outputs; the segments shown keep a selection
    /// among them.
    fn change(&mut self, change: Change) {
        self.data.apply(change);
        if let Some(p) = self.data.profiles() {
            self.inspect.keep_selection_in(p.segments.len());
        }
    }

    pub(super) fn start_request(&mut self, request: Request) {
        self.start(request);
    }

    /// Starts the job a screen asked for (replacing the jobs it replaces),
    /// when what it needs is there.
    fn start(&mut self, request: Request) {
        let kind = request.kind();
        let replaces = request.replaces();
        let cancel = Arc::new(AtomicBool::new(false));
        let Some((job, shown)) =
            request.job(self.next_job, cancel.clone(), &self.data, &self.config)
        else {
            return;
        };
        for &k in replaces {
            self.cancel_job(k);
        }
        let id = self.next_job;
        self.next_job += 1;
        self.outbox.push(job);
        self.jobs.push(RunningJob {
            id,
            kind,
            label: shown.label,
            fraction: 0.0,
            message: String::new(),
            cancel: (kind != JobKind::Sheets).then_some(cancel),
            path: shown.path,
            config: Box::new(self.config.clone()),
            started: std::time::Instant::now(),
            fitted: Vec::new(),
        });
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
        let (screen, mut cx) = self.split(stage);
        let ok = screen.can_enter(&mut cx);
        let effects = cx.into_effects();
        self.apply(effects);
        if !ok {
            return;
        }
        self.stage = stage;
        self.status = None;
        let (screen, mut cx) = self.split(stage);
        screen.enter(&mut cx);
        let effects = cx.into_effects();
        self.apply(effects);
    }

    /// The state machine: every key, resize, tick and worker report goes through here.
    pub fn update(&mut self, action: Action) {
        match action {
            Action::ForceQuit => {
                self.cancel_all_jobs();
                self.should_quit = true;
                self.interrupted = true;
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
        } else {
            self.update_screen(action);
        }
        if self.jump.is_some() {
            self.advance_jump();
        }
    }

    /// A key while no overlay is open. A new key makes the last message
    /// stale: the status line is cleared first (the screen may set another).
    fn update_screen(&mut self, action: Action) {
        if !matches!(action, Action::Help) {
            self.status = None;
        }
        match action {
            Action::Quit => self.quit(),
            Action::Help => self.overlay = Some(Overlay::Help { scroll: 0 }),
            Action::JumpTo(stage) => self.jump_to(stage),
            action => {
                if matches!(action, Action::Back) {
                    self.cancel_jump();
                }
                let (screen, mut cx) = self.split(self.stage);
                screen.update(&mut cx, action);
                let effects = cx.into_effects();
                self.apply(effects);
            }
        }
    }

    /// `q`: quit, after asking when work is running or edits were not
    /// exported.
    fn quit(&mut self) {
        let (work, edits) = self.quit_would_lose();
        if work.is_some() || edits {
            self.overlay = Some(Overlay::ConfirmQuit);
        } else {
            self.should_quit = true;
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
                // Kept in range, so ↑ after paging past the end moves at once.
                let (max, page) = self.help_scroll_range();
                let scroll = match m {
                    Move::Up => scroll.saturating_sub(1),
                    Move::Down => scroll.saturating_add(1),
                    Move::PageUp => scroll.saturating_sub(page),
                    Move::PageDown => scroll.saturating_add(page),
                    Move::Home => 0,
                    Move::End => max,
                    _ => scroll,
                };
                self.overlay = Some(Overlay::Help {
                    scroll: scroll.min(max),
                });
            }
            (Overlay::Error(_), Action::Back) => {}
            (_, Action::Quit) => self.quit(),
            (Overlay::RolePicker(picker), action) => {
                with_screen!(self, map, |s, cx| s.update_picker(&mut cx, picker, action));
            }
            (overlay, _) => self.overlay = Some(overlay),
        }
    }

    /// The help's largest scroll offset and its page at this size (the
    /// body: the screen less the header, status and footer rows).
    fn help_scroll_range(&self) -> (u16, u16) {
        let (w, h) = self.size;
        let body_h = h.saturating_sub(3);
        let prose = self.screen(self.stage).help();
        let lines = super::help_text::layout(
            prose,
            self.stage,
            self.theme.ascii,
            super::help_text::text_width(w),
        )
        .len();
        let page = super::help_text::visible_rows(lines, body_h).max(1);
        (
            super::help_text::max_scroll(lines, body_h) as u16,
            page as u16,
        )
    }

    /// Keys in a text box: editing, Esc closes, Enter hands the text to the
    /// screen (which may refuse it: the box stays open with the reason).
    fn update_input(&mut self, mut b: InputBox, action: Action) {
        match action {
            Action::Back => return,
            Action::Confirm => {
                let text = b.input.text().trim().to_string();
                if let Err(why) = self.submit(b.purpose, &text) {
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

    /// The text of a box, to the screen it is for.
    fn submit(&mut self, purpose: InputPurpose, text: &str) -> Result<(), String> {
        match purpose {
            InputPurpose::AsOf => with_screen!(self, features, |s, cx| s.set_as_of(&mut cx, text)),
            InputPurpose::Sweep(row) => {
                with_screen!(self, cluster, |s, cx| s.set_value(&mut cx, row, text))
            }
            InputPurpose::Label(id) => {
                with_screen!(self, inspect, |s, cx| s.rename(&mut cx, id, text))
            }
            InputPurpose::SegmentAction(id) => {
                with_screen!(self, inspect, |s, cx| s.set_action(&mut cx, id, text))
            }
            InputPurpose::Search => with_screen!(self, inspect, |s, cx| s.search(&mut cx, text)),
            InputPurpose::Origin => {
                with_screen!(self, inspect, |s, cx| s.load_origin(&mut cx, text))
            }
        }
    }

    fn answer(&mut self, question: Question, yes: bool) {
        match question {
            Question::Overwrite { .. } if yes => {
                with_screen!(self, export, |s, cx| s.start(&mut cx, true));
            }
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
    /// replaced are dropped; a result goes to the screen of its stage.
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
            WorkerEvent::KFitted { job, k } => {
                if let Some(j) = self.jobs.iter_mut().find(|j| j.id == job) {
                    j.fitted.push(k);
                }
            }
            WorkerEvent::Done { job, output } => {
                let Some(pos) = self.jobs.iter().position(|j| j.id == job) else {
                    return;
                };
                let running = self.jobs.remove(pos);
                // Edits count only when made with keys: what a result fills
                // in (a chosen K, a detected option) is not one to lose.
                let unsaved = self.has_unsaved_edits();
                let exported = matches!(&output, JobOutput::Exported(Ok(_)));
                let sent = super::navigate::edits(&running.config);
                self.on_result(running, output);
                if exported {
                    self.saved_edits = sent;
                } else if !unsaved {
                    self.saved_edits = super::navigate::edits(&self.config);
                }
                self.advance_jump();
            }
        }
    }

    fn on_result(&mut self, job: RunningJob, output: JobOutput) {
        match output {
            JobOutput::Loaded(r) => with_screen!(self, load, |s, cx| s.on_loaded(&mut cx, job, r)),
            JobOutput::Sheets(r) => with_screen!(self, load, |s, cx| s.on_sheets(&mut cx, job, r)),
            JobOutput::Cleaned(r) => {
                with_screen!(self, clean, |s, cx| s.on_cleaned(&mut cx, job, r))
            }
            JobOutput::Features(r) => {
                with_screen!(self, features, |s, cx| s.on_features(&mut cx, job, r))
            }
            JobOutput::Swept(r) => with_screen!(self, cluster, |s, cx| s.on_swept(&mut cx, job, r)),
            JobOutput::Profiled(r) => {
                with_screen!(self, cluster, |s, cx| s.on_profiled(&mut cx, job, r))
            }
            JobOutput::Exported(r) => {
                with_screen!(self, export, |s, cx| s.on_exported(&mut cx, job, r))
            }
            JobOutput::Compared(r) => {
                with_screen!(self, inspect, |s, cx| s.on_compared(&mut cx, r))
            }
        }
    }
}
