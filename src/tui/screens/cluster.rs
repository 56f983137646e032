//! Stage 5, Cluster: the K-Means sweep over a K range (K from / to, fixed K
//! or auto, restarts, seed), run on the worker with progress (Esc cancels);
//! the elbow curve (ratatui `Chart`) with the chosen K marked, and the
//! metrics of every K (SSE, silhouette, Calinski–Harabasz, Davies–Bouldin).
//!
//! ←/→ moves the chosen K among the K the sweep computed: that writes
//! `cluster.k` (so a replay picks the same K; each K of a sweep is the same
//! fit as a sweep fixed to that K) and profiles the segments again, without
//! a new sweep. Changing a sweep option marks the sweep out of date; `r` (or
//! Enter) runs it again.

use crate::config::Setting;
use crate::error::{Error, Result};
use crate::pipeline::analysis::stale;
use crate::pipeline::cluster::{Choice, SweepResult};
use crate::pipeline::run;
use crate::tui::action::{Action, Command, Move};
use crate::tui::app::{
    App, InputBox, InputPurpose, JobKind, Overlay, RunningJob, Stage, StatusKind,
};
use crate::tui::data::{Pca, ProfileData, SweepData};
use crate::tui::text;
use crate::tui::widgets::{self, KeyHint, charts, pane_block, progress};
use crate::tui::worker::Job;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Axis, Chart, Dataset, GraphType, Paragraph};
use std::cell::Cell;
use std::sync::Arc;

#[derive(Debug, Default)]
pub struct ClusterScreen {
    pub focus: Pane,
    pub option_row: usize,
    pub offset: Cell<usize>,
}

/// The panes, in Tab order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Pane {
    #[default]
    Results,
    Options,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OptionRow {
    KMin,
    KMax,
    K,
    Restarts,
    Seed,
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
fn bounds(app: &App, row: OptionRow) -> (u64, u64) {
    let setting = match row {
        OptionRow::KMin => Setting::KMin,
        OptionRow::KMax => Setting::KMax,
        OptionRow::K => Setting::K,
        OptionRow::Restarts => Setting::NInit,
        OptionRow::Seed => return (0, u64::MAX),
    };
    let range = app.config.cluster.bounds(setting).unwrap_or(0..=usize::MAX);
    (*range.start() as u64, *range.end() as u64)
}

/// The sweep shown no longer matches the options: a different range,
/// restarts or seed, or a fixed K it did not compute.
pub fn pending(app: &App) -> bool {
    let Some(s) = &app.data.sweep else {
        return false;
    };
    // The analysis's rule (`--no-tui` replays what the TUI shows).
    !stale::sweep_serves(&s.config, &s.sweep, &run::sweep_config(&app.config))
}

pub fn can_enter(app: &mut App) -> bool {
    if app.data.features.is_none() || app.job_of(&[JobKind::Clean, JobKind::Features]).is_some() {
        app.set_status(
            StatusKind::Warn,
            "The features are not ready yet; Cluster opens when they are.",
        );
        return false;
    }
    true
}

pub fn enter(app: &mut App) {
    if app.data.sweep.is_none() && app.job(JobKind::Cluster).is_none() {
        start_sweep(app);
    } else if pending(app) {
        app.set_status(
            StatusKind::Warn,
            "The options changed since the sweep: r runs it again.",
        );
    }
}

/// Queues the sweep with the options of the RunConfig.
pub fn start_sweep(app: &mut App) {
    let Some(features) = app.data.features.clone() else {
        return;
    };
    app.cancel_job(JobKind::Cluster);
    app.cancel_job(JobKind::Profile);
    let c = &app.config.cluster;
    let label = format!(
        "K sweep {}..{} on {} customers",
        c.k_min,
        c.k_max,
        text::thousands(features.features.n)
    );
    let config = Box::new(app.config.clone());
    let path = app.config.input.clone().unwrap_or_default();
    app.start_job(JobKind::Cluster, label, path, None, move |id, cancel| {
        Job::Cluster {
            id,
            features,
            config,
            cancel: cancel.unwrap_or_default(),
        }
    });
}

/// Queues the profiles of the chosen K (and the PCA sample the first time).
pub fn start_profile(app: &mut App) {
    let (Some(features), Some(cleaned), Some(mapping), Some(sweep), Some(k)) = (
        app.data.features.clone(),
        app.data.cleaned.clone(),
        app.data.customer_mapping().cloned(),
        app.data.sweep.clone(),
        app.data.k,
    ) else {
        return;
    };
    app.cancel_job(JobKind::Profile);
    let config = Box::new(app.config.clone());
    let with_pca = app.data.pca.is_none();
    let path = app.config.input.clone().unwrap_or_default();
    app.start_job(
        JobKind::Profile,
        format!("Profiling K={k}"),
        path,
        None,
        move |id, cancel| Job::Profile {
            id,
            features,
            cleaned,
            mapping,
            sweep,
            k,
            config,
            with_pca,
            cancel: cancel.unwrap_or_default(),
        },
    );
}

/// Label renames belong to the segments they were made on.
fn forget_renames(app: &mut App) -> &'static str {
    if app.config.labels.overrides.is_empty() {
        ""
    } else {
        app.config.labels.overrides.clear();
        " Your label edits were cleared: the segments changed."
    }
}

pub fn on_swept(app: &mut App, _job: RunningJob, result: Result<SweepResult>) {
    match result {
        Ok(sweep) => {
            let config = run::sweep_config(&app.config);
            let (k, choice, reason) = (sweep.chosen_k, sweep.choice, sweep.reason.clone());
            // Renames loaded with a config apply to its first sweep; after
            // another sweep they would name other segments.
            let had_segments = app.data.sweep.is_some() || app.data.stale.contains(&Stage::Cluster);
            app.data.invalidate_after(Stage::Cluster);
            app.data.sweep = Some(Arc::new(SweepData {
                sweep: Arc::new(sweep),
                config,
            }));
            app.data.k = Some(k);
            (app.data.k_reason, app.data.k_choice) = if app.config.cluster.k.is_some() {
                ("fixed by you".into(), Some(Choice::Fixed))
            } else {
                (reason.clone(), Some(choice))
            };
            app.data.stale.remove(&Stage::Cluster);
            let note = if had_segments {
                forget_renames(app)
            } else {
                ""
            };
            app.set_status(
                StatusKind::Success,
                format!(
                    "K={k}: {reason}. {} moves K; Enter: inspect.{note}",
                    app.theme.glyphs.left_right
                ),
            );
            start_profile(app);
        }
        Err(Error::Cancelled) => {
            app.set_status(
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
            app.set_status(StatusKind::Error, format!("The sweep failed: {msg}"));
            app.show_error("The K sweep failed", msg, hint);
        }
    }
}

pub fn on_profiled(app: &mut App, _job: RunningJob, result: Result<(ProfileData, Option<Pca>)>) {
    match result {
        Ok((profiles, pca)) => {
            if Some(profiles.k) != app.data.k {
                return;
            }
            if let Some(pca) = pca {
                app.data.pca = Some(Arc::new(pca));
            }
            let k = profiles.k;
            app.data.invalidate_after(Stage::Inspect);
            app.data.profiles = Some(Arc::new(profiles));
            app.data.stale.remove(&Stage::Inspect);
            app.inspect.selected = app.inspect.selected.min(k.saturating_sub(1));
            if app.stage == Stage::Cluster
                && app
                    .status
                    .as_ref()
                    .is_none_or(|s| s.kind != StatusKind::Success)
            {
                app.set_status(
                    StatusKind::Success,
                    format!("K={k}: {k} segments profiled. Enter: inspect them."),
                );
            }
        }
        Err(Error::Cancelled) => {}
        Err(e) => {
            let msg = crate::tui::remedy::error_text(&e);
            app.set_status(StatusKind::Error, format!("Profiling failed: {msg}"));
            app.show_error(
                "Could not profile the segments",
                msg,
                "Move K (←/→) or run the sweep again (r).",
            );
        }
    }
}

/// Chooses `k` (`None` = the sweep's own choice) and profiles again.
pub fn set_k(app: &mut App, k: Option<usize>) {
    let Some(s) = app.data.sweep.clone() else {
        return;
    };
    let (new_k, choice, reason) = match k {
        Some(k) if s.has(k) => (k, Choice::Fixed, "fixed by you".to_string()),
        Some(k) => {
            app.set_status(
                StatusKind::Warn,
                format!(
                    "K={k} is not in the sweep ({}..{}); widen the K range (Tab) and run it again (r).",
                    s.sweep.k_min, s.sweep.k_max
                ),
            );
            return;
        }
        None => {
            app.config.cluster.k = None;
            if pending(app) {
                app.set_status(
                    StatusKind::Info,
                    "K: auto. The sweep must run again to choose (r).",
                );
                return;
            }
            let pick = s.auto_choice();
            (pick.k, pick.choice, pick.reason)
        }
    };
    app.config.cluster.k = k;
    let changed = app.data.k != Some(new_k);
    app.data.k = Some(new_k);
    app.data.k_reason = reason.clone();
    app.data.k_choice = Some(choice);
    if changed {
        let note = forget_renames(app);
        app.data.invalidate_after(Stage::Cluster);
        start_profile(app);
        app.set_status(
            StatusKind::Info,
            format!("K={new_k} ({reason}): profiling the segments...{note}"),
        );
    } else {
        app.set_status(StatusKind::Info, format!("K={new_k} ({reason})."));
    }
}

fn move_k(app: &mut App, step: isize) {
    let Some(s) = app.data.sweep.clone() else {
        return;
    };
    let ks = s.choosable();
    let Some(now) = app.data.k else {
        return;
    };
    let i = ks.iter().position(|&k| k == now).unwrap_or(0) as isize;
    let j = (i + step).clamp(0, ks.len() as isize - 1) as usize;
    if ks.get(j) == Some(&now) {
        app.set_status(
            StatusKind::Info,
            format!(
                "K={now} is the {} K of the sweep; change the range (Tab) to go further.",
                if step < 0 { "smallest" } else { "largest" }
            ),
        );
        return;
    }
    set_k(app, ks.get(j).copied());
}

fn option_value(app: &App, row: OptionRow) -> String {
    let c = &app.config.cluster;
    match row {
        OptionRow::KMin => c.k_min.to_string(),
        OptionRow::KMax => c.k_max.to_string(),
        OptionRow::K => match (c.k, app.data.k) {
            (Some(k), _) => format!("{k} (fixed)"),
            (None, Some(k)) => format!("auto: {k}"),
            (None, None) => "auto".into(),
        },
        OptionRow::Restarts => c.n_init.to_string(),
        OptionRow::Seed => app.config.seed.to_string(),
    }
}

fn change_option(app: &mut App, row: OptionRow, step: i64) {
    let (lo, hi) = bounds(app, row);
    let moved = |v: usize| (v as i64 + step).clamp(lo as i64, hi as i64) as usize;
    let c = &mut app.config.cluster;
    match row {
        OptionRow::KMin => c.k_min = moved(c.k_min),
        OptionRow::KMax => c.k_max = moved(c.k_max),
        OptionRow::K => return move_k(app, step as isize),
        OptionRow::Restarts => c.n_init = moved(c.n_init),
        OptionRow::Seed => app.config.seed = app.config.seed.saturating_add_signed(step),
    }
    options_changed(app);
}

fn options_changed(app: &mut App) {
    if pending(app) {
        app.set_status(
            StatusKind::Warn,
            "Options changed: r runs the sweep again (what is shown is the last sweep).",
        );
    } else if app.data.sweep.is_some() {
        app.set_status(StatusKind::Info, "The options match the sweep shown.");
    }
}

/// A value typed for an option row.
pub fn set_value(app: &mut App, row: OptionRow, text: &str) -> std::result::Result<(), String> {
    let (lo, hi) = bounds(app, row);
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
    let c = app.config.cluster.clone();
    match row {
        OptionRow::KMin => app.config.cluster.k_min = number()? as usize,
        OptionRow::KMax => app.config.cluster.k_max = number()? as usize,
        OptionRow::K => {
            if text.eq_ignore_ascii_case("auto") || text.is_empty() {
                set_k(app, None);
            } else {
                let k = number()? as usize;
                if app.data.sweep.as_ref().is_some_and(|s| s.has(k)) {
                    set_k(app, Some(k));
                } else {
                    app.config.cluster.k = Some(k);
                    options_changed(app);
                }
            }
            return Ok(());
        }
        OptionRow::Restarts => app.config.cluster.n_init = number()? as usize,
        OptionRow::Seed => app.config.seed = number()?,
    }
    // The one check of the options that flags and run.toml go through too.
    if let Err(invalid) = app.config.validate() {
        app.config.cluster = c;
        return Err(invalid.problem);
    }
    options_changed(app);
    Ok(())
}

pub fn update(app: &mut App, action: Action) {
    let sweeping = app.job(JobKind::Cluster).is_some();
    match action {
        Action::NextPane | Action::PrevPane => {
            app.cluster.focus = match app.cluster.focus {
                Pane::Results => Pane::Options,
                Pane::Options => Pane::Results,
            };
        }
        Action::Back if sweeping || app.job(JobKind::Profile).is_some() => {
            let what = if sweeping { "Sweep" } else { "Profiling" };
            app.cancel_job(JobKind::Cluster);
            app.cancel_job(JobKind::Profile);
            app.set_status(
                StatusKind::Warn,
                format!("{what} cancelled; nothing was changed. r runs the sweep again."),
            );
        }
        Action::Back => app.go_to(Stage::Features),
        Action::Command(Command::RunSweep) => {
            if sweeping {
                app.set_status(StatusKind::Info, "The sweep is running; Esc cancels it.");
            } else {
                start_sweep(app);
            }
        }
        Action::Confirm => {
            if sweeping {
                app.set_status(StatusKind::Info, "The sweep is running; Esc cancels it.");
            } else if app.data.sweep.is_none() || pending(app) {
                start_sweep(app);
            } else {
                app.go_to(Stage::Inspect);
            }
        }
        Action::Command(Command::AutoK) => set_k(app, None),
        Action::Command(Command::EditValue) => {
            let row = if app.cluster.focus == Pane::Options {
                OPTION_ROWS[app.cluster.option_row]
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
                OptionRow::K => app
                    .config
                    .cluster
                    .k
                    .map_or("auto".to_string(), |k| k.to_string()),
                _ => option_value(app, row),
            };
            app.overlay = Some(Overlay::Input(InputBox::new(
                InputPurpose::Sweep(row),
                title,
                &now,
                hint,
            )));
        }
        Action::Move(m) if app.cluster.focus == Pane::Options => {
            let row = OPTION_ROWS[app.cluster.option_row];
            match m {
                Move::Left => change_option(app, row, -1),
                Move::Right => change_option(app, row, 1),
                Move::Up => app.cluster.option_row = app.cluster.option_row.saturating_sub(1),
                Move::Down => {
                    app.cluster.option_row = (app.cluster.option_row + 1).min(OPTION_ROWS.len() - 1)
                }
                _ => {}
            }
        }
        Action::Move(Move::Left | Move::Up) => move_k(app, -1),
        Action::Move(Move::Right | Move::Down) => move_k(app, 1),
        Action::Move(Move::Home) => {
            let first = app
                .data
                .sweep
                .as_ref()
                .and_then(|s| s.choosable().first().copied());
            set_k(app, first);
        }
        Action::Move(Move::End) => {
            let last = app
                .data
                .sweep
                .as_ref()
                .and_then(|s| s.choosable().last().copied());
            set_k(app, last);
        }
        _ => {}
    }
}

// ---------------------------------------------------------------- drawing

pub fn footer_keys(app: &App) -> Vec<KeyHint> {
    let g = &app.theme.glyphs;
    let mut keys = Vec::new();
    if app.job_of(&[JobKind::Cluster, JobKind::Profile]).is_some() {
        keys.push(KeyHint::new("Esc", "cancel"));
    }
    match app.cluster.focus {
        Pane::Results if app.data.sweep.is_some() => {
            keys.push(KeyHint::new(g.left_right, "move K"));
            keys.push(KeyHint::new("a", "auto K"));
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

pub const HELP: &[(&str, &str)] = &[
    (
        "",
        "Cluster runs K-Means for every K of the range (the sweep) and picks K",
    ),
    (
        "",
        "at the knee of the elbow curve (SSE falls fast, then slowly); if there",
    ),
    (
        "",
        "is no clear knee, the best silhouette. Silhouette (-1..1) and",
    ),
    (
        "",
        "Calinski-Harabasz: higher is better; Davies-Bouldin: lower is better.",
    ),
    ("", ""),
    (
        "←→ ↑↓",
        "choose another K of the sweep: segments follow at once",
    ),
    ("a", "let the sweep choose K again (auto)"),
    ("r", "run the sweep (again) with the options"),
    ("Tab", "options: K from / to, K, restarts, seed"),
    ("Options: ←→", "change the selected option; e types a value"),
    (
        "Enter",
        "go on to Inspect (runs the sweep first if out of date)",
    ),
    ("Esc", "cancel the running sweep; else back to Features"),
];

pub fn draw(frame: &mut Frame, area: Rect, app: &App) {
    let wide = area.width >= 72;
    let left_w = if wide { 40 } else { area.width };
    let [left, right] =
        Layout::horizontal([Constraint::Length(left_w), Constraint::Min(0)]).areas(area);
    let [opts_area, table_area] =
        Layout::vertical([Constraint::Length(7), Constraint::Min(3)]).areas(left);
    draw_options(frame, opts_area, app);
    draw_metrics(frame, table_area, app, wide);
    if wide {
        draw_chart(frame, right, app);
    }
}

fn draw_options(frame: &mut Frame, area: Rect, app: &App) {
    let t = &app.theme;
    let focused = app.cluster.focus == Pane::Options;
    let title = if pending(app) {
        format!(" Sweep {} changed: r runs it ", t.glyphs.sep)
    } else {
        " Sweep ".to_string()
    };
    let mut block = pane_block(t, &title, focused);
    if pending(app) {
        block = block.border_style(t.warn());
    }
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let width = inner.width as usize;
    let lines: Vec<Line> = OPTION_ROWS
        .iter()
        .enumerate()
        .map(|(i, &row)| {
            let label = match row {
                OptionRow::KMin => "K from",
                OptionRow::KMax => "K to",
                OptionRow::K => "K",
                OptionRow::Restarts => "Restarts",
                OptionRow::Seed => "Seed",
            };
            let selected = focused && i == app.cluster.option_row;
            let value_w = width.saturating_sub(16);
            let line = Line::from(vec![
                Span::styled(format!(" {}", text::fit(label, 10, "")), t.text()),
                Span::styled(if selected { "< " } else { "  " }, t.key()),
                Span::styled(
                    text::fit(&option_value(app, row), value_w, t.glyphs.ellipsis),
                    t.input(),
                ),
                Span::styled(if selected { " >" } else { "  " }, t.key()),
            ]);
            if selected {
                widgets::highlight(line, t.selected())
            } else {
                line
            }
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}

fn opt(x: Option<f64>, decimals: usize) -> String {
    x.map_or_else(|| "-".to_string(), |v| format!("{v:.decimals$}"))
}

fn draw_metrics(frame: &mut Frame, area: Rect, app: &App, wide: bool) {
    let t = &app.theme;
    let focused = app.cluster.focus == Pane::Results;
    let title = if wide {
        " K  (SSE, silhouette, CH, DB) ".to_string()
    } else {
        format!(
            " K  (SSE, silhouette, CH, DB) {} elbow chart from 72 columns ",
            t.glyphs.sep
        )
    };
    let mut block = pane_block(t, &title, focused);
    if let Some(note) = app
        .data
        .sweep
        .as_deref()
        .and_then(|s| sample_note(&s.sweep))
    {
        block = block.title_bottom(Line::styled(note, t.dim()).right_aligned());
    }
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let Some(s) = app.data.sweep.as_deref() else {
        let msg = if app.job(JobKind::Cluster).is_some() {
            "The sweep is running..."
        } else {
            "No sweep yet: r runs it."
        };
        frame.render_widget(Paragraph::new(Line::styled(msg, t.dim())), inner);
        return;
    };
    let stale = pending(app);
    let header = Line::from(vec![
        Span::raw("  "),
        Span::styled(text::fit_right("K", 3, ""), t.title()),
        Span::styled(text::fit_right("SSE", 10, ""), t.title()),
        Span::styled(text::fit_right("Silh.", 7, ""), t.title()),
        Span::styled(text::fit_right("CH", 8, ""), t.title()),
        Span::styled(text::fit_right("DB", 7, ""), t.title()),
    ]);
    let rows = &s.sweep.results;
    let height = (inner.height as usize).saturating_sub(1);
    let chosen_row = rows
        .iter()
        .position(|r| Some(r.k) == app.data.k)
        .unwrap_or(0);
    let offset = widgets::scroll_offset(&app.cluster.offset, chosen_row, height, rows.len());
    let mut lines = vec![header];
    for (i, r) in rows.iter().enumerate().skip(offset).take(height) {
        let chosen = i == chosen_row;
        let knee = s.sweep.knee == Some(r.k);
        let style = if stale || r.k == 1 { t.dim() } else { t.text() };
        let line = Line::from(vec![
            Span::raw(if chosen { t.glyphs.pointer } else { "  " }),
            Span::styled(text::fit_right(&r.k.to_string(), 3, ""), style),
            Span::styled(
                text::fit_right(&charts::number(r.fit.inertia, 9), 10, ""),
                style,
            ),
            Span::styled(text::fit_right(&opt(r.metrics.silhouette, 3), 7, ""), style),
            Span::styled(
                text::fit_right(
                    &r.metrics.calinski_harabasz.map_or("-".to_string(), |v| {
                        if v >= 100.0 {
                            charts::number(v.round(), 7)
                        } else {
                            format!("{v:.1}")
                        }
                    }),
                    8,
                    "",
                ),
                style,
            ),
            Span::styled(
                text::fit_right(&opt(r.metrics.davies_bouldin, 3), 7, ""),
                style,
            ),
            Span::styled(if knee { " knee" } else { "" }, t.dim()),
        ]);
        lines.push(if chosen {
            widgets::highlight(
                line,
                if focused {
                    t.selected()
                } else {
                    t.selected_unfocused()
                },
            )
        } else {
            line
        });
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

/// Which figures of the sweep came from samples, e.g. " sampled: silh. 20,000 · restarts 100,000 ".
fn sample_note(sweep: &SweepResult) -> Option<String> {
    let silhouette = sweep
        .results
        .iter()
        .find(|r| r.metrics.silhouette_sampled)
        .map(|r| {
            format!(
                "silh. {}",
                charts::number(r.metrics.silhouette_sample_size as f64, 7)
            )
        });
    let restarts = sweep
        .restarts_sample
        .map(|m| format!("restarts {}", charts::number(m as f64, 7)));
    let parts: Vec<String> = silhouette.into_iter().chain(restarts).collect();
    (!parts.is_empty()).then(|| format!(" sampled: {} ", parts.join(" · ")))
}

fn draw_chart(frame: &mut Frame, area: Rect, app: &App) {
    let t = &app.theme;
    let g = &t.glyphs;
    let running = app.job(JobKind::Cluster);
    let title = match (app.data.k, &app.data.sweep) {
        (Some(k), Some(_)) => format!(
            " Elbow: SSE by K {} K={k} ({}) ",
            g.sep,
            app.data.k_choice.map_or("", choice_name)
        ),
        _ => " Elbow: SSE by K ".to_string(),
    };
    let block = pane_block(t, &title, false);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if let Some(job) = running {
        progress::draw_job(frame, inner, app, job);
        return;
    }
    let Some(s) = app.data.sweep.as_deref() else {
        return;
    };
    let curve: Vec<(f64, f64)> = s
        .sweep
        .results
        .iter()
        .map(|r| (r.k as f64, r.fit.inertia))
        .collect();
    let (Some(first), Some(last)) = (curve.first(), curve.last()) else {
        return;
    };
    let y_max = curve.iter().map(|p| p.1).fold(0.0, f64::max) * 1.05;
    let chosen: Vec<(f64, f64)> = curve
        .iter()
        .copied()
        .filter(|p| Some(p.0 as usize) == app.data.k)
        .collect();
    let rule: Vec<(f64, f64)> = chosen
        .first()
        .map(|&(x, y)| vec![(x, 0.0), (x, y)])
        .unwrap_or_default();
    let colour = |style: Style| if t.color { style } else { Style::new() };
    let mut datasets = vec![
        Dataset::default()
            .marker(g.chart_line)
            .graph_type(GraphType::Line)
            .style(colour(t.bar_done()))
            .data(&curve),
        Dataset::default()
            .marker(g.chart_point)
            .graph_type(GraphType::Scatter)
            .style(t.text())
            .data(&curve),
    ];
    if !rule.is_empty() {
        datasets.push(
            Dataset::default()
                .marker(g.chart_line)
                .graph_type(GraphType::Line)
                .style(t.warn())
                .data(&rule),
        );
        datasets.push(
            Dataset::default()
                .marker(g.chart_chosen)
                .graph_type(GraphType::Scatter)
                .style(t.warn())
                .data(&chosen),
        );
    }
    // ratatui spreads axis labels evenly, not at their values: only the
    // ends are labelled, so no label sits under the wrong K.
    let x_labels: Vec<Line> = vec![
        Line::styled(format!("K={}", first.0), t.dim()),
        Line::styled(format!("K={}", last.0), t.dim()),
    ];
    let y_labels: Vec<Line> = vec![
        Line::styled("0", t.dim()),
        Line::styled(charts::number(y_max / 2.0, 7), t.dim()),
        Line::styled(charts::number(y_max, 7), t.dim()),
    ];
    let chart = Chart::new(datasets)
        .x_axis(
            Axis::default()
                .bounds([first.0, last.0])
                .labels(x_labels)
                .style(t.dim()),
        )
        .y_axis(
            Axis::default()
                .bounds([0.0, y_max.max(1e-9)])
                .labels(y_labels)
                .style(t.dim()),
        );
    let chart_area = Rect::new(
        inner.x,
        inner.y,
        inner.width,
        inner.height.saturating_sub(1),
    );
    frame.render_widget(chart, chart_area);
    if t.ascii {
        charts::asciify(frame.buffer_mut(), chart_area);
    }
    // What the marks mean, under the chart.
    let legend = Line::from(vec![
        Span::styled(marker_text(g.chart_chosen, t.ascii), t.warn()),
        Span::styled(" chosen K   ", t.dim()),
        Span::styled(marker_text(g.chart_point, t.ascii), t.text()),
        Span::styled(" K computed", t.dim()),
    ]);
    frame.render_widget(
        Paragraph::new(legend).centered(),
        Rect::new(inner.x, inner.bottom().saturating_sub(1), inner.width, 1),
    );
}

fn marker_text(m: ratatui::symbols::Marker, ascii: bool) -> String {
    use ratatui::symbols::Marker;
    match m {
        Marker::Custom(c) => c.to_string(),
        Marker::Block => "█".into(),
        Marker::Dot if !ascii => "•".into(),
        _ => "*".into(),
    }
}

/// How K was chosen, in a word or two for the chart title.
fn choice_name(choice: Choice) -> &'static str {
    match choice {
        Choice::Fixed => "fixed",
        Choice::Knee => "knee",
        Choice::BestSilhouette => "best silhouette",
        Choice::Smallest => "smallest K",
    }
}
