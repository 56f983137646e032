//! Stage 3, Clean: the cleaning report as a table (missing share, invalid
//! values, what is left missing, the imputation value, the action and why),
//! with the options that decide it: the missing-value threshold (←/→, the
//! effect shown as soon as the worker is done — under a second on a million
//! rows), the duplicate-id policy and constant columns.
//!
//! A transaction log is aggregated to one row per customer first (the
//! Prepare step, same function as `--no-tui`); that runs once per mapping,
//! and changing a Clean option re-runs Clean and Features only.

use crate::error::{Error, Result};
use crate::pipeline::clean::{Cleaned, ColumnAction, ColumnReport, DropCause, DuplicatePolicy};
use crate::pipeline::run::{self, Prepared};
use crate::remedy::Remedy;
use crate::tui::action::{Action, Move};
use crate::tui::app::{App, JobKind, RunningJob, Stage, StatusKind};
use crate::tui::remedy;
use crate::tui::text;
use crate::tui::widgets::{self, KeyHint, pane_block, progress};
use crate::tui::worker::Job;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use std::cell::Cell;
use std::sync::Arc;

#[derive(Debug, Default)]
pub struct CleanScreen {
    pub focus: Pane,
    pub option_row: usize,
    pub selected: usize,
    pub offset: Cell<usize>,
}

/// The panes, in Tab order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Pane {
    #[default]
    Columns,
    Options,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OptionRow {
    MaxMissing,
    Duplicates,
    Constant,
}

pub const OPTION_ROWS: [OptionRow; 3] = [
    OptionRow::MaxMissing,
    OptionRow::Duplicates,
    OptionRow::Constant,
];

/// The threshold moves in steps of this many percent.
pub const STEP_PERCENT: i64 = 5;

/// Clean needs a mapping with something numeric to segment on.
pub fn can_enter(app: &mut App) -> bool {
    let (Some(table), Some(_)) = (&app.data.table, &app.data.mapping) else {
        app.set_status(StatusKind::Warn, "Load a file and map its columns first.");
        return false;
    };
    if let Err(e) = run::stage_map(table, &app.config) {
        app.show_error(
            "Nothing to segment on",
            remedy::error_text(&e),
            "Load a file with numeric columns (balance, counts, amounts...) or dates.",
        );
        return false;
    }
    true
}

pub fn enter(app: &mut App) {
    if app.data.cleaned.is_none() && app.job(JobKind::Clean).is_none() {
        start(app);
    }
    let n = app
        .data
        .cleaned
        .as_ref()
        .map_or(0, |c| c.report.columns.len());
    app.clean.selected = app.clean.selected.min(n.saturating_sub(1));
}

/// Queues Clean (after Prepare, unless already prepared) with the options
/// of the RunConfig; Features follows when it is done.
pub fn start(app: &mut App) {
    let (Some(table), Some(mapping)) = (app.data.table.clone(), app.data.mapping.clone()) else {
        return;
    };
    app.cancel_job(JobKind::Clean);
    app.cancel_job(JobKind::Features);
    let prepared: Option<Arc<Prepared>> = app.data.prepared.clone();
    let config = Box::new(app.config.clone());
    let label = format!("Cleaning {}", table.source.file_name());
    let path = table.source.path.clone();
    app.start_job(JobKind::Clean, label, path, None, move |id, cancel| {
        Job::Clean {
            id,
            table,
            mapping,
            prepared,
            config,
            cancel: cancel.unwrap_or_default(),
        }
    });
}

pub fn on_cleaned(app: &mut App, _job: RunningJob, result: Result<(Arc<Prepared>, Arc<Cleaned>)>) {
    match result {
        Ok((prepared, cleaned)) => {
            let r = &cleaned.report;
            let dropped = r.dropped().count();
            let imputed = r
                .columns
                .iter()
                .filter(|c| c.action == ColumnAction::Imputed)
                .count();
            let msg = format!(
                "Cleaned: {} rows in, {} out; {dropped} column{} dropped, {imputed} imputed.",
                text::thousands(r.rows_in),
                text::thousands(r.rows_out),
                if dropped == 1 { "" } else { "s" },
            );
            app.data.invalidate_after(Stage::Clean);
            app.data.prepared = Some(prepared);
            app.data.cleaned = Some(cleaned);
            app.data.clean_options = Some(app.config.clean.clone());
            app.data.stale.remove(&Stage::Clean);
            let n = app
                .data
                .cleaned
                .as_ref()
                .map_or(0, |c| c.report.columns.len());
            app.clean.selected = app.clean.selected.min(n.saturating_sub(1));
            let agg_warnings = app
                .data
                .prepared
                .as_ref()
                .and_then(|p| p.aggregated.as_ref())
                .map_or(0, |a| a.report.warnings.len());
            if app.stage == Stage::Clean {
                if agg_warnings > 0 {
                    app.set_status(
                        StatusKind::Warn,
                        format!(
                            "{msg} {agg_warnings} aggregation warning{}: see the id column.",
                            if agg_warnings == 1 { "" } else { "s" }
                        ),
                    );
                } else {
                    app.set_status(StatusKind::Success, format!("{msg} Enter: features."));
                }
            }
            super::features::start(app);
        }
        Err(Error::Cancelled) => {
            app.set_status(StatusKind::Warn, "Cleaning cancelled; Enter runs it again.");
        }
        Err(e) => {
            let restored = match app.data.clean_options.clone() {
                Some(previous) if previous != app.config.clean => {
                    app.config.clean = previous;
                    " The options were set back to those of the result shown."
                }
                _ => "",
            };
            let msg = crate::tui::remedy::error_text(&e);
            let hint = match e.remedy().or(e.setting()) {
                Some(Remedy::OneOf(all))
                    if all.iter().any(|r| matches!(r, Remedy::Duplicates { .. })) =>
                {
                    "Set Duplicates to keep-first or keep-last (Tab to Options, then ←/→), or fix the ids in the file.".into()
                }
                Some(Remedy::AsOf { .. }) => {
                    "Set the as-of date on Features (a), or leave it empty to use the latest activity date.".into()
                }
                _ => crate::tui::remedy::hint_for(
                    &e,
                    "Check the column roles on Map columns (Esc), or change the options here (Tab).",
                ),
            };
            app.set_status(
                StatusKind::Error,
                format!("Could not clean the data: {msg}"),
            );
            app.show_error("Could not clean the data", format!("{msg}{restored}"), hint);
        }
    }
}

fn change_option(app: &mut App, row: OptionRow, step: i64) {
    let c = &mut app.config.clean;
    let what = match row {
        OptionRow::MaxMissing => {
            let now = (c.max_missing * 100.0).round() as i64;
            let next = ((now + step * STEP_PERCENT) / STEP_PERCENT * STEP_PERCENT).clamp(0, 100);
            if next == now {
                return;
            }
            c.max_missing = next as f64 / 100.0;
            format!("Max missing {next}%")
        }
        OptionRow::Duplicates => {
            const ALL: [DuplicatePolicy; 3] = [
                DuplicatePolicy::KeepFirst,
                DuplicatePolicy::KeepLast,
                DuplicatePolicy::Fail,
            ];
            let i = ALL.iter().position(|p| *p == c.duplicates).unwrap_or(0) as i64;
            c.duplicates = ALL[(i + step).rem_euclid(3) as usize];
            format!("Duplicates {}", c.duplicates.name())
        }
        OptionRow::Constant => {
            c.drop_constant = !c.drop_constant;
            format!(
                "Constant columns {}",
                if c.drop_constant { "dropped" } else { "kept" }
            )
        }
    };
    app.set_status(StatusKind::Info, format!("{what}: cleaning again..."));
    start(app);
}

pub fn update(app: &mut App, action: Action) {
    let n = app
        .data
        .cleaned
        .as_ref()
        .map_or(0, |c| c.report.columns.len());
    let running = app.job_of(&[JobKind::Clean, JobKind::Features]).is_some();
    match action {
        Action::NextPane | Action::PrevPane => {
            app.clean.focus = match app.clean.focus {
                Pane::Columns => Pane::Options,
                Pane::Options => Pane::Columns,
            };
        }
        Action::Back if running => {
            app.cancel_job(JobKind::Clean);
            app.cancel_job(JobKind::Features);
            app.set_status(StatusKind::Warn, "Cancelled; the result shown is kept.");
        }
        Action::Back => app.go_to(Stage::Map),
        Action::Confirm => {
            if app.job(JobKind::Clean).is_some() {
                app.set_status(StatusKind::Info, "Still cleaning; Esc cancels.");
            } else if app.data.cleaned.is_none() {
                start(app);
            } else {
                app.go_to(Stage::Features);
            }
        }
        Action::Move(m) if app.clean.focus == Pane::Options => match m {
            Move::Left => change_option(app, OPTION_ROWS[app.clean.option_row], -1),
            Move::Right => change_option(app, OPTION_ROWS[app.clean.option_row], 1),
            Move::Up => app.clean.option_row = app.clean.option_row.saturating_sub(1),
            Move::Down => {
                app.clean.option_row = (app.clean.option_row + 1).min(OPTION_ROWS.len() - 1)
            }
            _ => {}
        },
        Action::Toggle if app.clean.focus == Pane::Options => {
            change_option(app, OPTION_ROWS[app.clean.option_row], 1)
        }
        Action::Move(Move::Left) => change_option(app, OptionRow::MaxMissing, -1),
        Action::Move(Move::Right) => change_option(app, OptionRow::MaxMissing, 1),
        Action::Move(m) => {
            app.clean.selected = widgets::move_in_list(app.clean.selected, n, m, 8);
        }
        _ => {}
    }
}

// ---------------------------------------------------------------- drawing

pub fn footer_keys(app: &App) -> Vec<KeyHint> {
    let g = &app.theme.glyphs;
    let mut keys = Vec::new();
    if app.job_of(&[JobKind::Clean, JobKind::Features]).is_some() {
        keys.push(KeyHint::new("Esc", "cancel"));
    }
    match app.clean.focus {
        Pane::Columns => {
            keys.push(KeyHint::new(g.left_right, "max missing"));
            keys.push(KeyHint::new(g.up_down, "column"));
        }
        Pane::Options => {
            keys.push(KeyHint::new(g.up_down, "option"));
            keys.push(KeyHint::new(g.left_right, "change"));
        }
    }
    keys.push(KeyHint::new("Tab", "pane"));
    keys.push(KeyHint::new("Enter", "features"));
    keys.push(KeyHint::new("Esc", "back"));
    keys
}

pub const HELP: &[(&str, &str)] = &[
    (
        "",
        "Clean makes every value usable: invalid values (negative counts, ages",
    ),
    (
        "",
        "over 120, dates after the as-of date...) become missing, then columns",
    ),
    (
        "",
        "with too much missing are dropped and the rest filled (median for",
    ),
    (
        "",
        "numbers and dates, the most frequent value for text). Duplicate ids",
    ),
    (
        "",
        "are removed first. Every change re-runs Clean and Features.",
    ),
    ("", ""),
    (
        "←→ h l",
        "max missing: drop columns above this share (5% steps)",
    ),
    (
        "↑↓ j k",
        "select a column; the box below says what happened",
    ),
    (
        "Tab",
        "options: max missing, duplicate ids, constant columns",
    ),
    ("Options: ←→ Spc", "change the selected option"),
    ("Enter", "go on to Features"),
    ("Esc", "cancel the running clean; else back to Map columns"),
];

pub fn draw(frame: &mut Frame, area: Rect, app: &App) {
    let t = &app.theme;
    let Some(cleaned) = app.data.cleaned.as_deref() else {
        let block = pane_block(t, " Clean ", true);
        let inner = block.inner(area);
        frame.render_widget(block, area);
        if let Some(job) = app.job(JobKind::Clean) {
            progress::draw_job(frame, inner, app, job);
        } else {
            frame.render_widget(
                Paragraph::new(vec![
                    Line::default(),
                    Line::styled(
                        "Not cleaned yet. Enter cleans with the options below; Esc goes back.",
                        t.text(),
                    )
                    .centered(),
                ]),
                inner,
            );
        }
        return;
    };
    let details_h = if area.height >= 18 { 6 } else { 4 };
    let [opts_area, cols_area, details_area] = Layout::vertical([
        Constraint::Length(5),
        Constraint::Min(4),
        Constraint::Length(details_h),
    ])
    .areas(area);
    draw_options(frame, opts_area, app, cleaned);
    draw_columns(frame, cols_area, app, cleaned);
    draw_details(frame, details_area, app, cleaned);
}

fn draw_options(frame: &mut Frame, area: Rect, app: &App, cleaned: &Cleaned) {
    let t = &app.theme;
    let r = &cleaned.report;
    let focused = app.clean.focus == Pane::Options;
    let source = app
        .data
        .table
        .as_ref()
        .map(|t| t.source.file_name())
        .unwrap_or_default();
    let aggregated = app
        .data
        .prepared
        .as_ref()
        .is_some_and(|p| p.aggregated.is_some());
    let mut title = format!(
        " {source} {} {} {} {} rows{} ",
        t.glyphs.sep,
        text::thousands(r.rows_in),
        t.glyphs.arrow,
        text::thousands(r.rows_out),
        if aggregated { " (customers)" } else { "" }
    );
    if text::width(&title) + 2 > area.width as usize {
        title = format!(" Clean {} ", t.glyphs.sep);
    }
    let block = pane_block(t, &title, focused);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let c = &app.config.clean;
    let over = r
        .columns
        .iter()
        .filter(|col| col.action != ColumnAction::Ignored && col.action != ColumnAction::Identifier)
        .filter(|col| col.missing_share > c.max_missing + 1e-9)
        .count();
    let d = &r.duplicates;
    let dup_note = match &d.id_column {
        None => "no customer id column: not checked".to_string(),
        Some(_) if d.duplicated_ids == 0 => "no id appears twice".to_string(),
        Some(_) => format!(
            "{} id{} repeated, {} row{} removed",
            text::thousands(d.duplicated_ids),
            if d.duplicated_ids == 1 { "" } else { "s" },
            text::thousands(d.rows_removed),
            if d.rows_removed == 1 { "" } else { "s" }
        ),
    };
    let constant = r
        .columns
        .iter()
        .filter(|col| col.drop_cause == Some(DropCause::Constant))
        .count();
    let rows = [
        (
            "Max missing",
            format!("{:.0}%", c.max_missing * 100.0),
            format!(
                "{over} column{} above it{}",
                if over == 1 { "" } else { "s" },
                if over > 0 && app.clean.focus == Pane::Columns {
                    " (dropped)"
                } else {
                    ""
                }
            ),
        ),
        ("Duplicates", c.duplicates.name().to_string(), dup_note),
        (
            "Constant",
            if c.drop_constant { "drop" } else { "keep" }.to_string(),
            if c.drop_constant {
                format!(
                    "{constant} column{} dropped as constant",
                    if constant == 1 { "" } else { "s" }
                )
            } else {
                "columns with one value are kept".to_string()
            },
        ),
    ];
    let width = inner.width as usize;
    let lines: Vec<Line> = rows
        .iter()
        .enumerate()
        .map(|(i, (label, value, note))| {
            let selected = focused && i == app.clean.option_row;
            let value_w = 12;
            let note_w = width.saturating_sub(14 + value_w + 5);
            let line = Line::from(vec![
                Span::styled(format!(" {}", text::fit(label, 13, "")), t.text()),
                Span::styled(if selected { "< " } else { "  " }, t.key()),
                Span::styled(text::fit(value, value_w, ""), t.input()),
                Span::styled(if selected { " >" } else { "  " }, t.key()),
                Span::raw(" "),
                Span::styled(text::fit(note, note_w, t.glyphs.ellipsis), t.dim()),
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

fn action_text(c: &ColumnReport) -> &'static str {
    match c.action {
        ColumnAction::Kept => "kept",
        ColumnAction::Imputed => "imputed",
        ColumnAction::Dropped => "DROPPED",
        ColumnAction::Ignored => "ignored",
        ColumnAction::Identifier => "customer id",
    }
}

fn fill_text(c: &ColumnReport) -> String {
    use crate::pipeline::clean::FillValue;
    match &c.imputation {
        Some(i) if c.action == ColumnAction::Imputed || c.action == ColumnAction::Kept => {
            match &i.value {
                FillValue::Number(x) => widgets::charts::number(*x, 12),
                FillValue::Date(d) => d.to_string(),
                FillValue::Text(s) => s.clone(),
            }
        }
        _ => "-".into(),
    }
}

fn draw_columns(frame: &mut Frame, area: Rect, app: &App, cleaned: &Cleaned) {
    let t = &app.theme;
    let r = &cleaned.report;
    let focused = app.clean.focus == Pane::Columns;
    let title = format!(
        " Columns {} missing above {:.0}% is dropped ",
        t.glyphs.sep,
        app.config.clean.max_missing * 100.0
    );
    let block = pane_block(t, &title, focused);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let width = inner.width as usize;
    let (type_w, miss_w, inv_w, after_w, act_w) = (6, 7, 7, 6, 11);
    let fill_w = if width >= 70 { 13 } else { 0 };
    let fixed =
        2 + type_w + miss_w + inv_w + after_w + act_w + 6 + fill_w + usize::from(fill_w > 0);
    let name_w = width.saturating_sub(fixed).max(6);
    let mut header = vec![
        Span::raw("  "),
        Span::styled(text::fit("Column", name_w, ""), t.title()),
        Span::raw(" "),
        Span::styled(text::fit("Type", type_w, ""), t.title()),
        Span::raw(" "),
        Span::styled(text::fit_right("Missing", miss_w, ""), t.title()),
        Span::raw(" "),
        Span::styled(text::fit_right("Invalid", inv_w, ""), t.title()),
        Span::raw(" "),
        Span::styled(text::fit_right("After", after_w, ""), t.title()),
        Span::raw("  "),
    ];
    if fill_w > 0 {
        header.push(Span::styled(
            text::fit("Filled with", fill_w, ""),
            t.title(),
        ));
        header.push(Span::raw(" "));
    }
    header.push(Span::styled(text::fit("Action", act_w, ""), t.title()));
    let height = (inner.height as usize).saturating_sub(1);
    let offset = widgets::scroll_offset(
        &app.clean.offset,
        app.clean.selected,
        height,
        r.columns.len(),
    );
    let threshold = app.config.clean.max_missing;
    let mut lines = vec![Line::from(header)];
    for (i, c) in r.columns.iter().enumerate().skip(offset).take(height) {
        let selected = i == app.clean.selected;
        let over = c.missing_share > threshold + 1e-9
            && !matches!(c.action, ColumnAction::Ignored | ColumnAction::Identifier);
        let miss_style = if over {
            t.error()
        } else if c.missing_before > 0 {
            t.warn()
        } else {
            t.dim()
        };
        let act_style = match c.action {
            ColumnAction::Dropped => t.error(),
            ColumnAction::Imputed => t.warn(),
            ColumnAction::Kept => t.ok(),
            _ => t.dim(),
        };
        let invalid = c.invalid + c.unparsed_at_load;
        let mut spans = vec![
            Span::raw(if selected { t.glyphs.pointer } else { "  " }),
            Span::styled(text::fit(&c.name, name_w, t.glyphs.ellipsis), t.text()),
            Span::raw(" "),
            Span::styled(
                text::fit(c.ctype.name(), type_w, ""),
                t.column_type(c.ctype),
            ),
            Span::raw(" "),
            Span::styled(
                text::fit_right(&format!("{:.1}%", c.missing_share * 100.0), miss_w, ""),
                miss_style,
            ),
            Span::raw(" "),
            Span::styled(
                text::fit_right(&text::thousands(invalid), inv_w, ""),
                if invalid > 0 { t.warn() } else { t.dim() },
            ),
            Span::raw(" "),
            Span::styled(
                text::fit_right(&text::thousands(c.missing_after), after_w, ""),
                if c.missing_after > 0 {
                    t.warn()
                } else {
                    t.dim()
                },
            ),
            Span::raw("  "),
        ];
        if fill_w > 0 {
            spans.push(Span::styled(
                text::fit(&fill_text(c), fill_w, t.glyphs.ellipsis),
                t.text(),
            ));
            spans.push(Span::raw(" "));
        }
        spans.push(Span::styled(
            text::fit(action_text(c), act_w, ""),
            act_style,
        ));
        let line = Line::from(spans);
        lines.push(if selected {
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

fn draw_details(frame: &mut Frame, area: Rect, app: &App, cleaned: &Cleaned) {
    let t = &app.theme;
    let r = &cleaned.report;
    let Some(c) = r.columns.get(app.clean.selected) else {
        return;
    };
    let block = pane_block(t, &format!(" {} ", c.name), false);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let mut lines = Vec::new();
    let what = match c.action {
        ColumnAction::Dropped => match &c.remedy {
            Some(r) => format!("Dropped: {}; {}.", c.reason, remedy::key_hint(r)),
            None => format!("Dropped: {}.", c.reason),
        },
        ColumnAction::Imputed => format!(
            "{} missing cell{} filled with the {}.",
            text::thousands(c.missing_before),
            if c.missing_before == 1 { "" } else { "s" },
            c.imputation
                .as_ref()
                .map_or("median".to_string(), |i| i.to_string())
        ),
        ColumnAction::Kept => format!(
            "Kept, nothing missing.{}",
            c.imputation.as_ref().map_or(String::new(), |i| format!(
                " New customers' gaps get the {i}."
            ))
        ),
        ColumnAction::Ignored => format!("Ignored: {}.", c.reason),
        ColumnAction::Identifier => {
            "The customer id: checked for duplicates, never filled or dropped.".to_string()
        }
    };
    lines.push(Line::styled(what, t.text()));
    lines.push(Line::styled(
        format!(
            "Missing {} of {} ({:.1}%) after invalid values; {} left missing.",
            text::thousands(c.missing_before),
            text::thousands(r.rows_out),
            c.missing_share * 100.0,
            text::thousands(c.missing_after)
        ),
        t.dim(),
    ));
    if c.invalid > 0 {
        lines.push(Line::styled(
            format!(
                "{} {} invalid (must be {}): {}",
                t.glyphs.warn,
                text::thousands(c.invalid),
                c.validity,
                c.invalid_examples.join(", ")
            ),
            t.warn(),
        ));
    }
    if c.unparsed_at_load > 0 {
        lines.push(Line::styled(
            format!(
                "{} {} not readable as {} at load: {}",
                t.glyphs.warn,
                text::thousands(c.unparsed_at_load),
                c.ctype.name(),
                c.unparsed_examples.join(", ")
            ),
            t.warn(),
        ));
    }
    if !c.reason.is_empty() && !matches!(c.action, ColumnAction::Dropped | ColumnAction::Ignored) {
        lines.push(Line::styled(c.reason.clone(), t.dim()));
    }
    for w in r.warnings.iter().filter(|w| w.is_about(&c.name)) {
        lines.push(Line::styled(
            format!("{} {}", t.glyphs.warn, remedy::notice_text(w)),
            t.warn(),
        ));
    }
    // A column built from a transaction log: how; the id column also shows
    // what the aggregation left out (the status line points there).
    if let Some(agg) = app
        .data
        .prepared
        .as_ref()
        .and_then(|p| p.aggregated.as_ref())
    {
        let ar = &agg.report;
        if let Some((_, how)) = ar.columns.iter().find(|(name, _)| *name == c.name) {
            lines.push(Line::styled(format!("Aggregated: {how}."), t.dim()));
        }
        if c.action == ColumnAction::Identifier {
            for p in &ar.policy.statements {
                lines.push(Line::styled(format!("Policy: {p}."), t.dim()));
            }
            for w in &ar.warnings {
                lines.push(Line::styled(format!("{} {w}", t.glyphs.warn), t.warn()));
            }
        }
    }
    if c.action == ColumnAction::Identifier {
        let d = &r.duplicates;
        if d.duplicated_ids > 0 {
            lines.push(Line::styled(
                format!(
                    "{} {} repeated id{} ({}): {}",
                    t.glyphs.warn,
                    d.duplicated_ids,
                    if d.duplicated_ids == 1 { "" } else { "s" },
                    d.policy.map_or("", |p| p.name()),
                    d.examples.join("; ")
                ),
                t.warn(),
            ));
        }
        if d.missing_ids > 0 {
            lines.push(Line::styled(
                format!("{} rows have no id (kept).", text::thousands(d.missing_ids)),
                t.dim(),
            ));
        }
    }
    let padded = Rect::new(
        inner.x + 1,
        inner.y,
        inner.width.saturating_sub(2),
        inner.height,
    );
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), padded);
}
