//! One module per pipeline stage. Each screen owns its state (a field of
//! the App) and implements [`Screen`]: it handles keys with a [`Ctx`] (the
//! config being edited, which it may change; the stage outputs and running
//! jobs, read only) and returns [`Effect`]s for the rest — a status line,
//! a box, a job, a change of the outputs, another stage. It draws with a
//! [`DrawCtx`]. Screens never import the App or each other.

pub mod clean;
pub mod cluster;
pub mod export;
pub mod features;
pub mod inspect;
pub mod load;
pub mod map;
pub mod trust;
pub mod words;

use crate::config::RunConfig;
use crate::tui::action::Action;
use crate::tui::data::{Change, PipelineData};
use crate::tui::effect::Effect;
use crate::tui::jobs::{self, JobKind, Request, RunningJob};
use crate::tui::overlay::{ErrorReport, Overlay, Status, StatusKind};
use crate::tui::stage::Stage;
use crate::tui::theme::{Glyphs, Theme};
use crate::tui::widgets::KeyHint;
use ratatui::Frame;
use ratatui::layout::Rect;

/// A stage's screen, as the App drives it.
pub trait Screen {
    /// Whether the stage can be entered now; when not, the status line
    /// says what is missing.
    fn can_enter(&mut self, _cx: &mut Ctx) -> bool {
        true
    }

    /// Called on entering: starts the work the stage needs.
    fn enter(&mut self, _cx: &mut Ctx) {}

    /// A key (as an action) while no overlay is open.
    fn update(&mut self, cx: &mut Ctx, action: Action);

    fn draw(&self, frame: &mut Frame, area: Rect, v: &DrawCtx);

    /// This screen's keys, for the footer.
    fn footer_keys(&self, v: &DrawCtx) -> Vec<KeyHint>;

    /// The help text: (keys, meaning); empty keys = a sentence.
    fn help(&self) -> &'static [(&'static str, &'static str)];

    /// A text field of the screen has the keys (letters are text).
    fn text_input(&self, _jobs: &[RunningJob]) -> bool {
        false
    }
}

/// The run as screens read it: the config being edited and the outputs.
pub trait Session {
    fn config(&self) -> &RunConfig;
    fn data(&self) -> &PipelineData;
}

/// What a screen works with while it handles an action or a result.
pub struct Ctx<'a> {
    /// The config being edited (what run.toml saves); screens change it.
    pub config: &'a mut RunConfig,
    pub data: &'a PipelineData,
    pub jobs: &'a [RunningJob],
    pub glyphs: &'a Glyphs,
    pub ascii: bool,
    /// The stage shown.
    pub stage: Stage,
    /// The status line as it is.
    pub status: Option<&'a Status>,
    overlay_open: bool,
    effects: Vec<Effect>,
}

impl<'a> Ctx<'a> {
    pub fn new(
        config: &'a mut RunConfig,
        data: &'a PipelineData,
        jobs: &'a [RunningJob],
        theme: &'a Theme,
        stage: Stage,
        status: Option<&'a Status>,
        overlay_open: bool,
    ) -> Self {
        Ctx {
            config,
            data,
            jobs,
            glyphs: &theme.glyphs,
            ascii: theme.ascii,
            stage,
            status,
            overlay_open,
            effects: Vec::new(),
        }
    }

    /// The effects asked for, in order.
    pub fn into_effects(self) -> Vec<Effect> {
        self.effects
    }

    pub fn job(&self, kind: JobKind) -> Option<&'a RunningJob> {
        jobs::find(self.jobs, &[kind])
    }

    /// The first running job of any of `kinds`.
    pub fn job_of(&self, kinds: &[JobKind]) -> Option<&'a RunningJob> {
        jobs::find(self.jobs, kinds)
    }

    /// An overlay is open, or this update asked for one.
    pub fn overlay_open(&self) -> bool {
        self.overlay_open
            || self
                .effects
                .iter()
                .any(|e| matches!(e, Effect::Error(_) | Effect::Open(_)))
    }

    pub fn push(&mut self, effect: Effect) {
        self.effects.push(effect);
    }

    pub fn set_status(&mut self, kind: StatusKind, text: impl Into<String>) {
        self.push(Effect::Status(kind, text.into()));
    }

    pub fn clear_status(&mut self) {
        self.push(Effect::ClearStatus);
    }

    pub fn show_error(
        &mut self,
        title: impl Into<String>,
        cause: impl Into<String>,
        hint: impl Into<String>,
    ) {
        self.push(Effect::Error(ErrorReport {
            title: title.into(),
            cause: cause.into(),
            hint: hint.into(),
        }));
    }

    pub fn open(&mut self, overlay: Overlay) {
        self.push(Effect::Open(overlay));
    }

    pub fn go_to(&mut self, stage: Stage) {
        self.push(Effect::GoTo(stage));
    }

    pub fn start(&mut self, request: Request) {
        self.push(Effect::Start(request));
    }

    pub fn cancel(&mut self, kind: JobKind) {
        self.push(Effect::Cancel(kind));
    }

    pub fn change(&mut self, change: Change) {
        self.push(Effect::Data(change));
    }
}

impl Session for Ctx<'_> {
    fn config(&self) -> &RunConfig {
        self.config
    }

    fn data(&self) -> &PipelineData {
        self.data
    }
}

/// What a screen draws from.
pub struct DrawCtx<'a> {
    pub theme: &'a Theme,
    pub config: &'a RunConfig,
    pub data: &'a PipelineData,
    pub jobs: &'a [RunningJob],
    pub overlay: Option<&'a Overlay>,
}

impl<'a> DrawCtx<'a> {
    pub fn job(&self, kind: JobKind) -> Option<&'a RunningJob> {
        jobs::find(self.jobs, &[kind])
    }

    /// The first running job of any of `kinds`.
    pub fn job_of(&self, kinds: &[JobKind]) -> Option<&'a RunningJob> {
        jobs::find(self.jobs, kinds)
    }
}

impl Session for DrawCtx<'_> {
    fn config(&self) -> &RunConfig {
        self.config
    }

    fn data(&self) -> &PipelineData {
        self.data
    }
}
