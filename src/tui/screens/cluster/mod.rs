//! Stage 5, Cluster: the K-Means sweep over a K range (K from / to, fixed K
//! or auto, restarts, seed), run on the worker with progress (Esc cancels);
//! the metrics of every K with the evidence the K rule reads (the gap
//! statistic and its steps; SSE, silhouette, Calinski–Harabasz,
//! Davies–Bouldin), the Structure pane (the verdict on the segments with
//! its reasons, and why K: `structure`), and the curve the K rule reads
//! (ratatui `Chart`) with the chosen K marked. `v` swaps the pane that does
//! not fit at the terminal's size.
//!
//! ←/→ moves the chosen K among the K the sweep computed: that writes
//! `cluster.k` (so a replay picks the same K; each K of a sweep is the same
//! fit as a sweep fixed to that K) and profiles the segments again, without
//! a new sweep. Changing a sweep option marks the sweep out of date; `r` (or
//! Enter) runs it again.

mod draw;
mod elbow;
pub mod streaming;
mod structure;

use super::{Ctx, DrawCtx, Screen, Session};
use crate::config::{RunConfig, Setting};
use crate::error::{Error, Result};
use crate::pipeline::analysis::{Step, k_choice};
use crate::pipeline::cluster::SweepResult;
use crate::tui::action::{Action, Command, Move};
use crate::tui::data::{Change, Output, PipelineData};
use crate::tui::effect::Effect;
use crate::tui::jobs::{JobKind, Request, RunningJob};
use crate::tui::overlay::{InputBox, InputPurpose, Overlay, StatusKind};
use crate::tui::stage::Stage;
use crate::tui::widgets::KeyHint;
use crate::tui::worker::Profiled;
use ratatui::Frame;
use ratatui::layout::Rect;
use std::cell::Cell;
use std::sync::Arc;

pub use crate::tui::overlay::SweepOption as OptionRow;

#[derive(Debug, Default)]
pub struct ClusterScreen {
    pub focus: Pane,
    pub option_row: usize,
    pub offset: Cell<usize>,
    /// `v`: show the pane that does not fit beside the others (the chart
    /// instead of the Structure pane; below 72 columns, the Structure pane
    /// instead of the options and K table).
    pub swap: bool,
    /// What `v` would show, as last drawn (`None`: everything fits).
    pub swap_label: Cell<Option<&'static str>>,
}

/// The panes, in Tab order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Pane {
    #[default]
    Results,
    Options,
}

pub const OPTION_ROWS: [OptionRow; 5] = [
    OptionRow::KMin,
    OptionRow::KMax,
    OptionRow::K,
    OptionRow::Restarts,
    OptionRow::Seed,
];

/// The values a row may take: the bounds `RunConfig::validate` checks for
/// the flags and run.toml too (`ClusterOptions::bounds`).
fn bounds(config: &RunConfig, row: OptionRow) -> (u64, u64) {
    let setting = match row {
        OptionRow::KMin => Setting::KMin,
        OptionRow::KMax => Setting::KMax,
        OptionRow::K => Setting::K,
        OptionRow::Restarts => Setting::NInit,
        OptionRow::Seed => return (0, u64::MAX),
    };
    let range = config.cluster.bounds(setting).unwrap_or(0..=usize::MAX);
    (*range.start() as u64, *range.end() as u64)
}

/// The sweep shown no longer matches the options: a different range,
/// restarts or seed, or a fixed K it did not compute.
pub fn pending(s: &impl Session) -> bool {
    s.data().sweep_pending(s.config())
}

/// Whether the sweep computed K (K = 1 only draws the elbow).
fn has(sweep: &SweepResult, k: usize) -> bool {
    k >= 2 && sweep.get(k).is_some()
}

/// The K values one can choose, ascending.
fn choosable(sweep: &SweepResult) -> Vec<usize> {
    sweep
        .results
        .iter()
        .map(|r| r.k)
        .filter(|&k| k >= 2)
        .collect()
}

/// Label edits saved with their segment's identity follow it into the new
/// fit (`pipeline::labels::identity`); ones saved by number alone (a
/// hand-written run.toml) belong to the numbering they were made on.
fn forget_renames(config: &mut RunConfig) -> &'static str {
    let saved = &mut config.labels.overrides;
    let before = saved.len();
    saved.retain(|_, o| o.centre.is_some());
    match (before, saved.len()) {
        (0, _) => "",
        (b, a) if a < b => {
            " Label edits saved by number only were cleared: the segments changed; the others follow their segments."
        }
        _ => " Your label edits follow their segments (Inspect says where).",
    }
}

fn option_value(config: &RunConfig, data: &PipelineData, row: OptionRow) -> String {
    let c = &config.cluster;
    match row {
        OptionRow::KMin => c.k_min.to_string(),
        OptionRow::KMax => c.k_max.to_string(),
        OptionRow::K => match (c.k, data.k()) {
            (Some(k), _) => format!("{k} (fixed)"),
            (None, Some(k)) => format!("auto: {k}"),
            (None, None) => "auto".into(),
        },
        OptionRow::Restarts => c.n_init.to_string(),
        OptionRow::Seed => config.seed.to_string(),
    }
}

impl ClusterScreen {
    pub fn on_swept(&mut self, cx: &mut Ctx, job: RunningJob, result: Result<SweepResult>) {
        match result {
            Ok(sweep) => {
                let (k, reason) = (sweep.chosen_k, sweep.reason.clone());
                // Renames loaded with a config apply to its first sweep;
                // after another sweep they would name other segments.
                let had_segments = cx.data.sweep().is_some() || cx.data.is_stale(Stage::Cluster);
                cx.change(Change::Put {
                    config: job.config,
                    output: Output::Sweep(Arc::new(sweep)),
                });
                let note = if had_segments {
                    forget_renames(cx.config)
                } else {
                    ""
                };
                cx.set_status(
                    StatusKind::Success,
                    format!(
                        "K={k}: {reason}. {} moves K; Enter: inspect.{note}",
                        cx.glyphs.left_right
                    ),
                );
                cx.start(Request::Profile);
            }
            Err(Error::Cancelled) => {
                cx.set_status(
                    StatusKind::Warn,
                    "Sweep cancelled; nothing was changed. r runs it again.",
                );
            }
            Err(e) => {
                let msg = crate::tui::remedy::error_text(&e);
                let hint = crate::tui::remedy::hint_for(
                    &e,
                    "Check the sweep options (Tab), then r to run it again.",
                );
                cx.set_status(StatusKind::Error, format!("The sweep failed: {msg}"));
                cx.show_error("The K sweep failed", msg, hint);
            }
        }
    }

    pub fn on_profiled(&mut self, cx: &mut Ctx, job: RunningJob, result: Result<Profiled>) {
        match result {
            Ok(p) => {
                let k = p.pick.k;
                if Some(k) != cx.data.k() {
                    return;
                }
                cx.change(Change::Put {
                    config: job.config,
                    output: Output::Profiles {
                        pick: p.pick,
                        profiles: p.profiles,
                        pca: p.pca,
                    },
                });
                let success = cx.status.is_some_and(|s| s.kind == StatusKind::Success);
                if cx.stage == Stage::Cluster && !success {
                    cx.set_status(
                        StatusKind::Success,
                        format!("K={k}: {k} segments profiled. Enter: inspect them."),
                    );
                }
            }
            Err(Error::Cancelled) => {}
            Err(e) => {
                let msg = crate::tui::remedy::error_text(&e);
                cx.set_status(StatusKind::Error, format!("Profiling failed: {msg}"));
                cx.show_error(
                    "Could not profile the segments",
                    msg,
                    "Move K (←/→) or run the sweep again (r).",
                );
            }
        }
    }

    /// Chooses `k` (`None` = the sweep's own choice) and profiles again.
    pub fn set_k(&mut self, cx: &mut Ctx, k: Option<usize>) {
        let Some(s) = cx.data.sweep().cloned() else {
            return;
        };
        let (new_k, reason) = match k {
            Some(k) if has(&s, k) => (k, "fixed by you".to_string()),
            Some(k) => {
                cx.set_status(
                    StatusKind::Warn,
                    format!(
                        "K={k} is not in the sweep ({}..{}); widen the K range (Tab) and run it again (r).",
                        s.k_min, s.k_max
                    ),
                );
                return;
            }
            None => {
                cx.config.cluster.k = None;
                if pending(cx) {
                    cx.set_status(
                        StatusKind::Info,
                        "K: auto. The sweep must run again to choose (r).",
                    );
                    return;
                }
                let pick = k_choice::auto_pick(&s);
                (pick.k, pick.reason)
            }
        };
        cx.config.cluster.k = k;
        let changed = cx.data.k() != Some(new_k);
        let note = if changed {
            forget_renames(cx.config)
        } else {
            ""
        };
        // The K options hold at once: the segments of another K go.
        cx.change(Change::Apply {
            step: Step::Profile,
            config: Box::new(cx.config.clone()),
        });
        if changed {
            cx.start(Request::Profile);
            cx.set_status(
                StatusKind::Info,
                format!("K={new_k} ({reason}): profiling the segments...{note}"),
            );
        } else {
            cx.set_status(StatusKind::Info, format!("K={new_k} ({reason})."));
        }
    }

    fn move_k(&mut self, cx: &mut Ctx, step: isize) {
        let Some(s) = cx.data.sweep() else {
            return;
        };
        let ks = choosable(s);
        let Some(now) = cx.data.k() else {
            return;
        };
        let i = ks.iter().position(|&k| k == now).unwrap_or(0) as isize;
        let j = (i + step).clamp(0, ks.len() as isize - 1) as usize;
        if ks.get(j) == Some(&now) {
            cx.set_status(
                StatusKind::Info,
                format!(
                    "K={now} is the {} K of the sweep; change the range (Tab) to go further.",
                    if step < 0 { "smallest" } else { "largest" }
                ),
            );
            return;
        }
        self.set_k(cx, ks.get(j).copied());
    }

    fn change_option(&mut self, cx: &mut Ctx, row: OptionRow, step: i64) {
        let (lo, hi) = bounds(cx.config, row);
        let moved = |v: usize| (v as i64 + step).clamp(lo as i64, hi as i64) as usize;
        let c = &mut cx.config.cluster;
        match row {
            OptionRow::KMin => c.k_min = moved(c.k_min),
            OptionRow::KMax => c.k_max = moved(c.k_max),
            OptionRow::K => return self.move_k(cx, step as isize),
            OptionRow::Restarts => c.n_init = moved(c.n_init),
            OptionRow::Seed => cx.config.seed = cx.config.seed.saturating_add_signed(step),
        }
        options_changed(cx);
    }

    /// A value typed for an option row.
    pub fn set_value(
        &mut self,
        cx: &mut Ctx,
        row: OptionRow,
        text: &str,
    ) -> std::result::Result<(), String> {
        let (lo, hi) = bounds(cx.config, row);
        let number = || -> std::result::Result<u64, String> {
            let v: u64 = text
                .replace(['_', ','], "")
                .parse()
                .map_err(|_| format!("'{text}' is not a whole number"))?;
            if v < lo || v > hi {
                return Err(format!("must be from {lo} to {hi}"));
            }
            Ok(v)
        };
        let c = cx.config.cluster.clone();
        match row {
            OptionRow::KMin => cx.config.cluster.k_min = number()? as usize,
            OptionRow::KMax => cx.config.cluster.k_max = number()? as usize,
            OptionRow::K => {
                if text.eq_ignore_ascii_case("auto") || text.is_empty() {
                    self.set_k(cx, None);
                } else {
                    let k = number()? as usize;
                    if cx.data.sweep().is_some_and(|s| has(s, k)) {
                        self.set_k(cx, Some(k));
                    } else {
                        cx.config.cluster.k = Some(k);
                        options_changed(cx);
                    }
                }
                return Ok(());
            }
            OptionRow::Restarts => cx.config.cluster.n_init = number()? as usize,
            OptionRow::Seed => cx.config.seed = number()?,
        }
        // The one check of the options that flags and run.toml go through too.
        if let Err(invalid) = cx.config.validate() {
            cx.config.cluster = c;
            return Err(invalid.problem);
        }
        options_changed(cx);
        Ok(())
    }

    /// `e`: a text box for the selected option (K on the results pane).
    fn edit_value(&mut self, cx: &mut Ctx) {
        let row = if self.focus == Pane::Options {
            OPTION_ROWS[self.option_row]
        } else {
            OptionRow::K
        };
        let (title, hint) = match row {
            OptionRow::KMin => ("Smallest K", "A whole number, 2 or more."),
            OptionRow::KMax => ("Largest K", "A whole number, at least the smallest K."),
            OptionRow::K => ("K", "A K of the sweep, or 'auto' to let the sweep choose."),
            OptionRow::Restarts => (
                "Restarts per K",
                "K-Means runs per K; the best is kept (1 to 1000).",
            ),
            OptionRow::Seed => (
                "Seed",
                "Any whole number: the same seed gives the same segments.",
            ),
        };
        let now = match row {
            OptionRow::K => cx
                .config
                .cluster
                .k
                .map_or("auto".to_string(), |k| k.to_string()),
            _ => option_value(cx.config, cx.data, row),
        };
        cx.open(Overlay::Input(InputBox::new(
            InputPurpose::Sweep(row),
            title,
            &now,
            hint,
        )));
    }
}

/// `w`: the K range to the wider top the K rule suggests at its edge,
/// and the sweep run again.
fn widen_range(cx: &mut Ctx) {
    let (lo, hi) = (cx.config.cluster.k_min, cx.config.cluster.k_max);
    let top = k_choice::wider_top(hi);
    if top <= hi {
        cx.set_status(
            StatusKind::Info,
            format!("K to is {hi}, the most custseg sweeps."),
        );
        return;
    }
    cx.config.cluster.k_max = top;
    cx.set_status(
        StatusKind::Info,
        format!("K range {lo}..{top}: running the sweep..."),
    );
    cx.start(Request::Sweep);
}

fn options_changed(cx: &mut Ctx) {
    if pending(cx) {
        cx.set_status(
            StatusKind::Warn,
            "Options changed: r runs the sweep again (what is shown is the last sweep).",
        );
    } else if cx.data.sweep().is_some() {
        cx.set_status(StatusKind::Info, "The options match the sweep shown.");
    }
}

impl Screen for ClusterScreen {
    fn can_enter(&mut self, cx: &mut Ctx) -> bool {
        let busy = cx.job_of(&[JobKind::Clean, JobKind::Features]).is_some();
        if cx.data.features().is_none() || busy {
            cx.set_status(
                StatusKind::Warn,
                "The features are not ready yet; Cluster opens when they are.",
            );
            return false;
        }
        true
    }

    fn enter(&mut self, cx: &mut Ctx) {
        if cx.data.sweep().is_none() && cx.job(JobKind::Cluster).is_none() {
            cx.start(Request::Sweep);
        } else if pending(cx) {
            cx.set_status(
                StatusKind::Warn,
                "The options changed since the sweep: r runs it again.",
            );
        }
    }

    fn update(&mut self, cx: &mut Ctx, action: Action) {
        let sweeping = cx.job(JobKind::Cluster).is_some();
        match action {
            Action::NextPane | Action::PrevPane => {
                self.focus = match self.focus {
                    Pane::Results => Pane::Options,
                    Pane::Options => Pane::Results,
                };
            }
            Action::Back if sweeping || cx.job(JobKind::Profile).is_some() => {
                let what = if sweeping { "Sweep" } else { "Profiling" };
                cx.cancel(JobKind::Cluster);
                cx.cancel(JobKind::Profile);
                cx.set_status(
                    StatusKind::Warn,
                    format!("{what} cancelled; nothing was changed. r runs the sweep again."),
                );
            }
            Action::Back => cx.go_to(Stage::Features),
            Action::Command(Command::RunSweep) if sweeping => {
                cx.set_status(StatusKind::Info, "The sweep is running; Esc cancels it.");
            }
            Action::Confirm if sweeping => {
                cx.push(Effect::JumpTo(Stage::Inspect));
                cx.set_status(
                    StatusKind::Info,
                    "The sweep is running; Inspect opens when it is done (Esc cancels).",
                );
            }
            Action::Command(Command::RunSweep) => cx.start(Request::Sweep),
            Action::Confirm => {
                if cx.data.sweep().is_none() || pending(cx) {
                    // Run the sweep, then go on to Inspect, as the help says.
                    cx.start(Request::Sweep);
                    cx.push(Effect::JumpTo(Stage::Inspect));
                } else {
                    cx.go_to(Stage::Inspect);
                }
            }
            Action::Command(Command::AutoK) => self.set_k(cx, None),
            Action::Command(Command::SwapView) => self.swap = !self.swap,
            Action::Command(Command::WidenRange) if sweeping => {
                cx.set_status(StatusKind::Info, "The sweep is running; Esc cancels it.");
            }
            Action::Command(Command::WidenRange) => widen_range(cx),
            Action::Command(Command::EditValue) => self.edit_value(cx),
            Action::Move(m) if self.focus == Pane::Options => {
                let row = OPTION_ROWS[self.option_row];
                match m {
                    Move::Left => self.change_option(cx, row, -1),
                    Move::Right => self.change_option(cx, row, 1),
                    Move::Up => self.option_row = self.option_row.saturating_sub(1),
                    Move::Down => {
                        self.option_row = (self.option_row + 1).min(OPTION_ROWS.len() - 1)
                    }
                    _ => {}
                }
            }
            Action::Move(Move::Left | Move::Up) => self.move_k(cx, -1),
            Action::Move(Move::Right | Move::Down) => self.move_k(cx, 1),
            Action::Move(Move::Home) => {
                let first = cx.data.sweep().and_then(|s| choosable(s).first().copied());
                self.set_k(cx, first);
            }
            Action::Move(Move::End) => {
                let last = cx.data.sweep().and_then(|s| choosable(s).last().copied());
                self.set_k(cx, last);
            }
            _ => {}
        }
    }

    fn draw(&self, frame: &mut Frame, area: Rect, v: &DrawCtx) {
        self.draw_body(frame, area, v);
    }

    fn footer_keys(&self, v: &DrawCtx) -> Vec<KeyHint> {
        let g = &v.theme.glyphs;
        let mut keys = Vec::new();
        if v.job_of(&[JobKind::Cluster, JobKind::Profile]).is_some() {
            keys.push(KeyHint::new("Esc", "cancel"));
        }
        match self.focus {
            Pane::Results if v.data.sweep().is_some() => {
                keys.push(KeyHint::new(g.left_right, "move K"));
                keys.push(KeyHint::new("e", "type K"));
                keys.push(KeyHint::new("Del", "auto K"));
                if v.data.k_pick().is_some_and(|p| p.at_edge) {
                    keys.push(KeyHint::new("w", "widen range"));
                }
                if let Some(other) = self.swap_label.get() {
                    keys.push(KeyHint::new("v", other));
                }
            }
            Pane::Results => {}
            Pane::Options => {
                keys.push(KeyHint::new(g.up_down, "option"));
                keys.push(KeyHint::new(g.left_right, "change"));
                keys.push(KeyHint::new("e", "type"));
            }
        }
        keys.push(KeyHint::new("r", "run"));
        keys.push(KeyHint::new("Tab", "pane"));
        keys.push(KeyHint::new("Enter", "inspect"));
        keys
    }

    fn help(&self) -> &'static [(&'static str, &'static str)] {
        HELP
    }
}

/// What the screen is for (its keys: `keymap::BINDINGS`).
pub const HELP: &[(&str, &str)] = &[
    (
        "",
        "Cluster runs K-Means for every K of the range (the sweep). K rule: the",
    ),
    (
        "",
        "gap statistic asks how much more K segments separate the customers than",
    ),
    (
        "",
        "structureless data would; K is the last clear step (marked, at least a",
    ),
    (
        "",
        "third of the best step) before two weak ones, so every range that holds",
    ),
    (
        "",
        "it gives the same K. At the top of the range it says so: w widens it.",
    ),
    (
        "",
        "Structure: clear = natural groups (gap, silhouette >= 0.35, every segment",
    ),
    (
        "",
        "stable); weak or none = a convenient partition, not natural groups.",
    ),
    (
        "",
        "Silhouette (-1..1) and CH: higher is better; DB: lower is better.",
    ),
];
