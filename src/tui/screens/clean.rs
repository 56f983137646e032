//! Stage 3, Clean: the cleaning report as a table (missing share, invalid
//! values, what is left missing, the imputation value, the action and why),
//! with the options that decide it: the missing-value threshold (←/→, the
//! effect shown as soon as the worker is done — under a second on a million
//! rows), the duplicate-id policy and constant columns.
//!
//! A transaction log is aggregated to one row per customer first (the
//! Prepare step, same function as `--no-tui`); that runs once per mapping
//! and as-of date, and changing a Clean option re-runs Clean and Features
//! only.

use super::{Ctx, DrawCtx, Screen};
use crate::error::{Error, Result};
use crate::pipeline::clean::{
    CleanOptions, CleanReport, Cleaned, ColumnAction, ColumnReport, DropCause, DuplicatePolicy,
};
use crate::pipeline::run::{self, Prepared};
use crate::remedy::Remedy;
use crate::tui::action::{Action, Move};
use crate::tui::data::{Change, Output};
use crate::tui::effect::Effect;
use crate::tui::jobs::{JobKind, Request, RunningJob};
use crate::tui::overlay::StatusKind;
use crate::tui::remedy;
use crate::tui::stage::Stage;
use crate::tui::text;
use crate::tui::theme::Theme;
use crate::tui::widgets::{self, KeyHint, pane_block, progress};
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

impl CleanScreen {
    fn keep_selection_in(&mut self, cleaned: Option<&Cleaned>) {
        let n = cleaned.map_or(0, |c| c.report.columns.len());
        self.selected = self.selected.min(n.saturating_sub(1));
    }

    pub fn on_cleaned(
        &mut self,
        cx: &mut Ctx,
        job: RunningJob,
        result: Result<(Arc<Prepared>, Arc<Cleaned>)>,
    ) {
        match result {
            Ok((prepared, cleaned)) => {
                let msg = cleaned_message(&cleaned.report);
                self.keep_selection_in(Some(&cleaned));
                let agg_warnings = prepared
                    .aggregated
                    .as_ref()
                    .map_or(0, |a| a.report.warnings.len());
                cx.change(Change::Put {
                    config: job.config,
                    output: Output::Cleaned { prepared, cleaned },
                });
                if cx.stage == Stage::Clean {
                    if agg_warnings > 0 {
                        cx.set_status(
                            StatusKind::Warn,
                            format!(
                                "{msg} {agg_warnings} aggregation warning{}: see the id column.",
                                if agg_warnings == 1 { "" } else { "s" }
                            ),
                        );
                    } else {
                        cx.set_status(StatusKind::Success, format!("{msg} Enter: features."));
                    }
                }
                cx.start(Request::Features);
            }
            Err(Error::Cancelled) => {
                cx.set_status(StatusKind::Warn, "Cleaning cancelled; Enter runs it again.");
            }
            Err(e) => clean_failed(cx, &e),
        }
    }

    fn change_option(&mut self, cx: &mut Ctx, row: OptionRow, step: i64) {
        let Some(what) = change_option(&mut cx.config.clean, row, step) else {
            return;
        };
        cx.set_status(StatusKind::Info, format!("{what}: cleaning again..."));
        cx.start(Request::Clean);
    }

    fn draw_options(&self, frame: &mut Frame, area: Rect, v: &DrawCtx, cleaned: &Cleaned) {
        let t = v.theme;
        let r = &cleaned.report;
        let focused = self.focus == Pane::Options;
        let block = pane_block(t, &options_title(v, r, area), focused);
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let c = &v.config.clean;
        let width = inner.width as usize;
        let lines: Vec<Line> = option_rows(c, r, self.focus)
            .iter()
            .enumerate()
            .map(|(i, (label, value, note))| {
                let selected = focused && i == self.option_row;
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

    fn draw_columns(&self, frame: &mut Frame, area: Rect, v: &DrawCtx, cleaned: &Cleaned) {
        let t = v.theme;
        let r = &cleaned.report;
        let focused = self.focus == Pane::Columns;
        let threshold = v.config.clean.max_missing;
        let title = format!(
            " Columns {} missing above {:.0}% is dropped ",
            t.glyphs.sep,
            threshold * 100.0
        );
        let block = pane_block(t, &title, focused);
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let widths = ColumnWidths::for_width(inner.width as usize);
        let height = (inner.height as usize).saturating_sub(1);
        let offset = widgets::scroll_offset(&self.offset, self.selected, height, r.columns.len());
        let mut lines = vec![widths.header(t)];
        for (i, c) in r.columns.iter().enumerate().skip(offset).take(height) {
            let selected = i == self.selected;
            let line = widths.row(t, c, threshold, selected);
            lines.push(match (selected, focused) {
                (false, _) => line,
                (true, true) => widgets::highlight(line, t.selected()),
                (true, false) => widgets::highlight(line, t.selected_unfocused()),
            });
        }
        frame.render_widget(Paragraph::new(lines), inner);
    }

    fn draw_details(&self, frame: &mut Frame, area: Rect, v: &DrawCtx, cleaned: &Cleaned) {
        let t = v.theme;
        let r = &cleaned.report;
        let Some(c) = r.columns.get(self.selected) else {
            return;
        };
        let block = pane_block(t, &format!(" {} ", c.name), false);
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let mut lines = what_happened(t, r, c);
        // A column built from a transaction log: how; the id column also
        // shows what the aggregation left out (the status line points there).
        if let Some(agg) = v.data.prepared().and_then(|p| p.aggregated.as_ref()) {
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
            lines.extend(duplicate_lines(t, r));
        }
        let padded = Rect::new(
            inner.x + 1,
            inner.y,
            inner.width.saturating_sub(2),
            inner.height,
        );
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), padded);
    }
}

/// "Cleaned: 3,000 rows in, 2,990 out; 1 column dropped, 2 imputed."
fn cleaned_message(r: &CleanReport) -> String {
    let dropped = r.dropped().count();
    let imputed = r
        .columns
        .iter()
        .filter(|c| c.action == ColumnAction::Imputed)
        .count();
    format!(
        "Cleaned: {} rows in, {} out; {dropped} column{} dropped, {imputed} imputed.",
        text::thousands(r.rows_in),
        text::thousands(r.rows_out),
        if dropped == 1 { "" } else { "s" },
    )
}

/// A clean that failed: the options go back to those of the result shown,
/// and the box says what to change.
fn clean_failed(cx: &mut Ctx, e: &Error) {
    let shown = cx.data.cleaned().map(|_| cx.data.config().clean.clone());
    let restored = match shown {
        Some(previous) if previous != cx.config.clean => {
            cx.config.clean = previous;
            " The options were set back to those of the result shown."
        }
        _ => "",
    };
    let msg = crate::tui::remedy::error_text(e);
    let hint = match e.remedy().or(e.setting()) {
        Some(Remedy::OneOf(all)) if all.iter().any(|r| matches!(r, Remedy::Duplicates { .. })) => {
            "Set Duplicates to keep-first or keep-last (Tab to Options, then ←/→), or fix the ids in the file.".into()
        }
        Some(Remedy::AsOf { .. }) => {
            "Set the as-of date on Features (e), or leave it empty to use the latest activity date.".into()
        }
        _ => crate::tui::remedy::hint_for(
            e,
            "Check the column roles on Map columns (Esc), or change the options here (Tab).",
        ),
    };
    cx.set_status(
        StatusKind::Error,
        format!("Could not clean the data: {msg}"),
    );
    cx.show_error("Could not clean the data", format!("{msg}{restored}"), hint);
}

/// Moves an option one step; what it is now, in words (`None`: it did not
/// move).
fn change_option(c: &mut CleanOptions, row: OptionRow, step: i64) -> Option<String> {
    Some(match row {
        OptionRow::MaxMissing => {
            let now = (c.max_missing * 100.0).round() as i64;
            let next = ((now + step * STEP_PERCENT) / STEP_PERCENT * STEP_PERCENT).clamp(0, 100);
            if next == now {
                return None;
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
    })
}

/// "customers.csv · 3,000 → 2,990 rows" (shorter when the pane is narrow).
fn options_title(v: &DrawCtx, r: &CleanReport, area: Rect) -> String {
    let t = v.theme;
    let source = v
        .data
        .table()
        .map(|t| t.source.file_name())
        .unwrap_or_default();
    let aggregated = v.data.prepared().is_some_and(|p| p.aggregated.is_some());
    let title = format!(
        " {source} {} {} {} {} rows{} ",
        t.glyphs.sep,
        text::thousands(r.rows_in),
        t.glyphs.arrow,
        text::thousands(r.rows_out),
        if aggregated { " (customers)" } else { "" }
    );
    if text::width(&title) + 2 > area.width as usize {
        format!(" Clean {} ", t.glyphs.sep)
    } else {
        title
    }
}

/// The three option rows: label, value, what it does to this data.
fn option_rows(
    c: &CleanOptions,
    r: &CleanReport,
    focus: Pane,
) -> [(&'static str, String, String); 3] {
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
    [
        (
            "Max missing",
            format!("{:.0}%", c.max_missing * 100.0),
            format!(
                "{over} column{} above it{}",
                if over == 1 { "" } else { "s" },
                if over > 0 && focus == Pane::Columns {
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
    ]
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

/// The widths of the columns table; "Filled with" only from 70 columns.
struct ColumnWidths {
    name: usize,
    fill: usize,
}

const TYPE_W: usize = 6;
const MISS_W: usize = 7;
const INV_W: usize = 7;
const AFTER_W: usize = 6;
const ACT_W: usize = 11;

impl ColumnWidths {
    fn for_width(width: usize) -> Self {
        let fill = if width >= 70 { 13 } else { 0 };
        let fixed =
            2 + TYPE_W + MISS_W + INV_W + AFTER_W + ACT_W + 6 + fill + usize::from(fill > 0);
        ColumnWidths {
            name: width.saturating_sub(fixed).max(6),
            fill,
        }
    }

    fn header(&self, t: &Theme) -> Line<'static> {
        let mut header = vec![
            Span::raw("  "),
            Span::styled(text::fit("Column", self.name, ""), t.title()),
            Span::raw(" "),
            Span::styled(text::fit("Type", TYPE_W, ""), t.title()),
            Span::raw(" "),
            Span::styled(text::fit_right("Missing", MISS_W, ""), t.title()),
            Span::raw(" "),
            Span::styled(text::fit_right("Invalid", INV_W, ""), t.title()),
            Span::raw(" "),
            Span::styled(text::fit_right("After", AFTER_W, ""), t.title()),
            Span::raw("  "),
        ];
        if self.fill > 0 {
            header.push(Span::styled(
                text::fit("Filled with", self.fill, ""),
                t.title(),
            ));
            header.push(Span::raw(" "));
        }
        header.push(Span::styled(text::fit("Action", ACT_W, ""), t.title()));
        Line::from(header)
    }

    /// One column of the report: missing share (red above the threshold),
    /// invalid values, what is left missing, the fill value, the action.
    fn row(&self, t: &Theme, c: &ColumnReport, threshold: f64, selected: bool) -> Line<'static> {
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
        let after_style = if c.missing_after > 0 {
            t.warn()
        } else {
            t.dim()
        };
        let mut spans = vec![
            Span::raw(if selected { t.glyphs.pointer } else { "  " }),
            Span::styled(text::fit(&c.name, self.name, t.glyphs.ellipsis), t.text()),
            Span::raw(" "),
            Span::styled(
                text::fit(c.ctype.name(), TYPE_W, ""),
                t.column_type(c.ctype),
            ),
            Span::raw(" "),
            Span::styled(
                text::fit_right(&format!("{:.1}%", c.missing_share * 100.0), MISS_W, ""),
                miss_style,
            ),
            Span::raw(" "),
            Span::styled(
                text::fit_right(&text::thousands(invalid), INV_W, ""),
                if invalid > 0 { t.warn() } else { t.dim() },
            ),
            Span::raw(" "),
            Span::styled(
                text::fit_right(&text::thousands(c.missing_after), AFTER_W, ""),
                after_style,
            ),
            Span::raw("  "),
        ];
        if self.fill > 0 {
            spans.push(Span::styled(
                text::fit(&fill_text(c), self.fill, t.glyphs.ellipsis),
                t.text(),
            ));
            spans.push(Span::raw(" "));
        }
        spans.push(Span::styled(
            text::fit(action_text(c), ACT_W, ""),
            act_style,
        ));
        Line::from(spans)
    }
}

/// What happened to a column and why: the action, what was missing,
/// invalid and unreadable values, the warnings about it.
fn what_happened(t: &Theme, r: &CleanReport, c: &ColumnReport) -> Vec<Line<'static>> {
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
    let mut lines = vec![
        Line::styled(what, t.text()),
        Line::styled(
            format!(
                "Missing {} of {} ({:.1}%) after invalid values; {} left missing.",
                text::thousands(c.missing_before),
                text::thousands(r.rows_out),
                c.missing_share * 100.0,
                text::thousands(c.missing_after)
            ),
            t.dim(),
        ),
    ];
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
    lines
}

/// The id column: repeated ids and rows without one.
fn duplicate_lines(t: &Theme, r: &CleanReport) -> Vec<Line<'static>> {
    let d = &r.duplicates;
    let mut lines = Vec::new();
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
    lines
}

impl Screen for CleanScreen {
    /// Clean needs a mapping with something numeric to segment on.
    fn can_enter(&mut self, cx: &mut Ctx) -> bool {
        let (Some(table), Some(_)) = (cx.data.table(), cx.data.mapping()) else {
            cx.set_status(StatusKind::Warn, "Load a file and map its columns first.");
            return false;
        };
        if let Err(e) = run::stage_map(table, cx.config) {
            cx.show_error(
                "Nothing to segment on",
                remedy::error_text(&e),
                "Load a file with numeric columns (balance, counts, amounts...) or dates.",
            );
            return false;
        }
        true
    }

    fn enter(&mut self, cx: &mut Ctx) {
        if cx.data.cleaned().is_none() && cx.job(JobKind::Clean).is_none() {
            cx.start(Request::Clean);
        }
        self.keep_selection_in(cx.data.cleaned().map(|c| &**c));
    }

    fn update(&mut self, cx: &mut Ctx, action: Action) {
        let n = cx.data.cleaned().map_or(0, |c| c.report.columns.len());
        let running = cx.job_of(&[JobKind::Clean, JobKind::Features]).is_some();
        match action {
            Action::NextPane | Action::PrevPane => {
                self.focus = match self.focus {
                    Pane::Columns => Pane::Options,
                    Pane::Options => Pane::Columns,
                };
            }
            Action::Back if running => {
                cx.cancel(JobKind::Clean);
                cx.cancel(JobKind::Features);
                cx.set_status(StatusKind::Warn, "Cancelled; the result shown is kept.");
            }
            Action::Back => cx.go_to(Stage::Map),
            Action::Confirm => {
                if cx.job(JobKind::Clean).is_some() {
                    // Kept, not dropped: Features opens when the clean is done.
                    cx.push(Effect::JumpTo(Stage::Features));
                    cx.set_status(
                        StatusKind::Info,
                        "Still cleaning; Features opens when it is done (Esc cancels).",
                    );
                } else if cx.data.cleaned().is_none() {
                    cx.start(Request::Clean);
                } else {
                    cx.go_to(Stage::Features);
                }
            }
            Action::Move(m) if self.focus == Pane::Options => match m {
                Move::Left => self.change_option(cx, OPTION_ROWS[self.option_row], -1),
                Move::Right => self.change_option(cx, OPTION_ROWS[self.option_row], 1),
                Move::Up => self.option_row = self.option_row.saturating_sub(1),
                Move::Down => self.option_row = (self.option_row + 1).min(OPTION_ROWS.len() - 1),
                _ => {}
            },
            Action::Toggle if self.focus == Pane::Options => {
                self.change_option(cx, OPTION_ROWS[self.option_row], 1)
            }
            Action::Move(Move::Left) => self.change_option(cx, OptionRow::MaxMissing, -1),
            Action::Move(Move::Right) => self.change_option(cx, OptionRow::MaxMissing, 1),
            Action::Move(m) => {
                self.selected = widgets::move_in_list(self.selected, n, m, 8);
            }
            _ => {}
        }
    }

    fn draw(&self, frame: &mut Frame, area: Rect, v: &DrawCtx) {
        let t = v.theme;
        let Some(cleaned) = v.data.cleaned() else {
            let block = pane_block(t, " Clean ", true);
            let inner = block.inner(area);
            frame.render_widget(block, area);
            if let Some(job) = v.job(JobKind::Clean) {
                progress::draw_job(frame, inner, t, job);
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
        self.draw_options(frame, opts_area, v, cleaned);
        self.draw_columns(frame, cols_area, v, cleaned);
        self.draw_details(frame, details_area, v, cleaned);
    }

    fn footer_keys(&self, v: &DrawCtx) -> Vec<KeyHint> {
        let g = &v.theme.glyphs;
        let mut keys = Vec::new();
        if v.job_of(&[JobKind::Clean, JobKind::Features]).is_some() {
            keys.push(KeyHint::new("Esc", "cancel"));
        }
        match self.focus {
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

    fn help(&self) -> &'static [(&'static str, &'static str)] {
        HELP
    }
}

/// What the screen is for (its keys: `keymap::BINDINGS`).
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
];
