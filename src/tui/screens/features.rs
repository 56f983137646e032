//! Stage 4, Features: each feature with a small distribution of its values,
//! its skewness, the transform (log or none, `t`), include / exclude
//! (Space), correlation warnings, and the as-of date (`a`) that recency,
//! tenure and age are measured against. Every change is written into the
//! RunConfig (`features.transform_overrides`, `features.drop_features`,
//! `clean.as_of`) and re-runs this stage (the as-of date: Clean too).

use super::words::{rule_short, use_label};
use super::{Ctx, DrawCtx, Screen};
use crate::error::{Error, Result};
use crate::pipeline::clean::IsoDate;
use crate::pipeline::features::{
    FeatureInfo, FeatureOptions, Features, RuledColumn, Transform, WinsorReason,
};
use crate::pipeline::mapping::ColumnUse;
use crate::remedy::Remedy;
use crate::tui::action::{Action, Command};
use crate::tui::data::{Change, FeatureData, FeatureView, HIST_BINS, Output};
use crate::tui::effect::Effect;
use crate::tui::jobs::{JobKind, Request, RunningJob};
use crate::tui::overlay::{InputBox, InputPurpose, Overlay, StatusKind};
use crate::tui::remedy;
use crate::tui::stage::Stage;
use crate::tui::text;
use crate::tui::theme::Theme;
use crate::tui::widgets::{self, KeyHint, charts, pane_block, progress};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use std::cell::Cell;

#[derive(Debug, Default)]
pub struct FeaturesScreen {
    pub selected: usize,
    pub offset: Cell<usize>,
    /// The rows' names in the order first shown: a row keeps its place
    /// when Space excludes or includes it (so a second Space toggles the
    /// same feature).
    order: Vec<String>,
}

/// A row of the list: a feature in use, one the user excluded, or one
/// left out by the stage itself (with the reason).
#[derive(Clone, Debug, PartialEq)]
pub enum Row<'a> {
    Used(usize, &'a FeatureInfo),
    Excluded(&'a str),
    LeftOut(&'a str, &'a str),
    /// A column a hygiene rule keeps out (Space clusters on it).
    Ruled(&'a RuledColumn),
}

impl Row<'_> {
    pub fn name(&self) -> &str {
        match self {
            Row::Used(_, f) => &f.name,
            Row::Excluded(n) | Row::LeftOut(n, _) => n,
            Row::Ruled(r) => &r.column,
        }
    }
}

/// The rows of the list for `features`, made with `options`.
pub fn rows<'a>(features: &'a Features, options: &'a FeatureOptions) -> Vec<Row<'a>> {
    let mut out: Vec<Row> = features
        .report
        .features
        .iter()
        .enumerate()
        .map(|(j, info)| Row::Used(j, info))
        .collect();
    for name in &options.drop_features {
        out.push(Row::Excluded(name));
    }
    for l in &features.report.left_out {
        if !options.drop_features.contains(&l.name) {
            out.push(Row::LeftOut(&l.name, &l.reason));
        }
    }
    for r in features.report.ruled.iter().filter(|r| r.applied) {
        out.push(Row::Ruled(r));
    }
    out
}

/// `rows` in the order remembered (rows not seen before last, as they come).
fn ordered<'a>(mut rows: Vec<Row<'a>>, order: &[String]) -> Vec<Row<'a>> {
    rows.sort_by_key(|r| {
        order
            .iter()
            .position(|n| n == r.name())
            .unwrap_or(usize::MAX)
    });
    rows
}

/// Remembers the order of `rows`: names gone are forgotten, new ones go last.
fn remember_order(order: &mut Vec<String>, rows: &[Row]) {
    order.retain(|n| rows.iter().any(|r| r.name() == n));
    for r in rows {
        if !order.iter().any(|n| n == r.name()) {
            order.push(r.name().to_string());
        }
    }
}

/// The rows of the features held (made with the options of the config
/// the outputs were made with), in the order remembered.
fn held_rows<'a>(
    data: &'a crate::tui::data::PipelineData,
    order: &[String],
) -> Option<Vec<Row<'a>>> {
    Some(ordered(
        rows(data.features()?, &data.config().features),
        order,
    ))
}

/// The selected feature: name, (transform, skewness) when built, included.
type SelectedRow = (String, Option<(Transform, f64)>, bool);

impl FeaturesScreen {
    pub fn on_features(&mut self, cx: &mut Ctx, job: RunningJob, result: Result<FeatureData>) {
        match result {
            Ok(f) => {
                if !f.dropped_settings.is_empty() {
                    cx.set_status(
                        StatusKind::Warn,
                        format!(
                            "Settings for features this data does not have were dropped: {}.",
                            f.dropped_settings.join(", ")
                        ),
                    );
                } else if cx.stage == Stage::Features {
                    cx.set_status(
                        StatusKind::Success,
                        format!(
                            "{} features for {} customers. Enter: cluster.",
                            f.features.d,
                            text::thousands(f.features.n)
                        ),
                    );
                }
                cx.config.features = f.options.clone();
                let made = rows(&f.features, &f.options);
                remember_order(&mut self.order, &made);
                let n = made.len();
                self.selected = self.selected.min(n.saturating_sub(1));
                cx.change(Change::Put {
                    config: job.config,
                    output: Output::Features(Box::new(f)),
                });
            }
            Err(Error::Cancelled) => {
                cx.set_status(
                    StatusKind::Warn,
                    "Features cancelled; Enter runs them again.",
                );
            }
            Err(e) => features_failed(cx, &e),
        }
    }

    /// The as-of date from the text box: empty = the latest activity date.
    pub fn set_as_of(&mut self, cx: &mut Ctx, text: &str) -> std::result::Result<(), String> {
        let date = if text.is_empty() {
            None
        } else {
            Some(text.parse::<IsoDate>()?)
        };
        cx.config.clean.as_of = date;
        cx.set_status(
            StatusKind::Info,
            match date {
                Some(d) => format!("As-of date {d}: cleaning and building the features again..."),
                None => "As-of date: the latest activity date. Cleaning again...".to_string(),
            },
        );
        cx.start(Request::Clean);
        Ok(())
    }

    fn selected_row(&self, cx: &Ctx) -> Option<SelectedRow> {
        let rows = held_rows(cx.data, &self.order)?;
        let row = rows.get(self.selected)?;
        Some(match row {
            Row::Used(_, info) => (info.name.clone(), Some((info.transform, info.min)), true),
            Row::Excluded(n) => (n.to_string(), None, false),
            Row::LeftOut(n, _) => (n.to_string(), None, false),
            Row::Ruled(r) => (r.column.clone(), None, false),
        })
    }

    fn toggle_include(&mut self, cx: &mut Ctx) {
        let data = cx.data;
        let (Some(f), Some(rows)) = (data.features(), held_rows(data, &self.order)) else {
            return;
        };
        let Some(row) = rows.get(self.selected) else {
            return;
        };
        let opts = &mut cx.config.features;
        match row {
            Row::Used(_, info) => {
                if f.d == 1 {
                    cx.set_status(
                        StatusKind::Warn,
                        "This is the last feature; include another one before excluding it.",
                    );
                    return;
                }
                opts.drop_features.push(info.name.clone());
                opts.transform_overrides.remove(&info.name);
                cx.set_status(StatusKind::Info, format!("{} excluded.", info.name));
            }
            Row::Excluded(name) => {
                opts.drop_features.retain(|n| n != name);
                cx.set_status(StatusKind::Info, format!("{name} included again."));
            }
            Row::LeftOut(name, reason) => {
                cx.set_status(
                    StatusKind::Warn,
                    format!("{name} cannot be included: {reason}."),
                );
                return;
            }
            Row::Ruled(r) => {
                // The column's use is the mapping's: set it there, then clean
                // and build the features again.
                let column = r.column.clone();
                cx.push(Effect::SetColumnUse {
                    column: column.clone(),
                    usage: ColumnUse::Feature,
                });
                cx.start(Request::Clean);
                cx.set_status(
                    StatusKind::Info,
                    format!("{column} is a feature now (set on Map columns); building again..."),
                );
                return;
            }
        }
        cx.start(Request::Features);
    }

    fn toggle_transform(&mut self, cx: &mut Ctx) {
        let Some((name, Some((transform, min)), _)) = self.selected_row(cx) else {
            cx.set_status(
                StatusKind::Info,
                "Select a feature in use to change its transform.",
            );
            return;
        };
        // Negative values (refunds) take the signed log, which keeps their sign.
        let next = match transform {
            Transform::Log1p | Transform::SignedLog1p => Transform::None,
            Transform::None if min < 0.0 => Transform::SignedLog1p,
            Transform::None => Transform::Log1p,
        };
        cx.config
            .features
            .transform_overrides
            .insert(name.clone(), next);
        cx.set_status(
            StatusKind::Info,
            format!("{name}: {} (set by you).", next.name()),
        );
        cx.start(Request::Features);
    }

    fn draw_list(
        &self,
        frame: &mut Frame,
        area: Rect,
        v: &DrawCtx,
        f: &Features,
        view: &FeatureView,
    ) {
        let t = v.theme;
        let block = pane_block(t, &list_title(v, f, area), true);
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let name_w = (inner.width as usize)
            .saturating_sub(LIST_FIXED)
            .clamp(6, 22);
        let rows = ordered(rows(f, &v.data.config().features), &self.order);
        let height = (inner.height as usize).saturating_sub(1);
        let offset = widgets::scroll_offset(&self.offset, self.selected, height, rows.len());
        let mut lines = vec![list_header(t, name_w)];
        for (i, row) in rows.iter().enumerate().skip(offset).take(height) {
            let selected = i == self.selected;
            let pointer = Span::raw(if selected { t.glyphs.pointer } else { "  " });
            let line = match row {
                Row::Used(j, info) => {
                    let user = v
                        .config
                        .features
                        .transform_overrides
                        .contains_key(&info.name);
                    let warn = correlated(f, &info.name);
                    used_row(t, pointer, name_w, info, &view.hist_raw[*j], user, warn)
                }
                Row::Excluded(name) => {
                    let what = "excluded by you (Space includes it)";
                    out_row(
                        t,
                        pointer,
                        name_w,
                        name,
                        what,
                        Span::styled("out", t.warn()),
                    )
                }
                Row::Ruled(r) => {
                    let what = format!("{} (Space: cluster on it)", rule_short(&r.rule));
                    let usage = if r.usage == ColumnUse::Profile {
                        "prof"
                    } else {
                        "-"
                    };
                    out_row(
                        t,
                        pointer,
                        name_w,
                        &r.column,
                        &what,
                        Span::styled(usage, t.dim()),
                    )
                }
                Row::LeftOut(name, _) => {
                    let what = "left out (see below why)";
                    out_row(t, pointer, name_w, name, what, Span::styled("-", t.dim()))
                }
            };
            lines.push(if selected {
                widgets::highlight(line, t.selected())
            } else {
                line
            });
        }
        frame.render_widget(Paragraph::new(lines), inner);
    }

    fn draw_details(
        &self,
        frame: &mut Frame,
        area: Rect,
        v: &DrawCtx,
        f: &Features,
        view: &FeatureView,
    ) {
        let t = v.theme;
        let rows = ordered(rows(f, &v.data.config().features), &self.order);
        let Some(row) = rows.get(self.selected) else {
            return;
        };
        let block = pane_block(t, &format!(" {} ", row.name()), false);
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let padded = Rect::new(
            inner.x + 1,
            inner.y,
            inner.width.saturating_sub(2),
            inner.height,
        );
        let mut lines = match row {
            Row::Used(j, info) => used_lines(t, f, view, *j, info),
            Row::Excluded(name) => vec![Line::styled(
                format!(
                    "{name} is excluded from the clustering (features.drop_features). Space includes it again."
                ),
                t.text(),
            )],
            Row::LeftOut(_, reason) => vec![Line::styled(format!("Left out: {reason}."), t.text())],
            Row::Ruled(r) => vec![
                Line::styled(
                    format!(
                        "Not clustered ({}): {}.",
                        use_label(r.usage),
                        r.rule.finding()
                    ),
                    t.text(),
                ),
                Line::styled(
                    "Space clusters on it anyway (its use becomes 'feature' on Map columns).",
                    t.dim(),
                ),
            ],
        };
        lines.extend(warning_lines(t, v, f, row.name()));
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), padded);
    }
}

/// A features run that failed: the last change is undone (the options go
/// back to those of the features shown), and the box says what to do.
fn features_failed(cx: &mut Ctx, e: &Error) {
    let shown = cx
        .data
        .features()
        .map(|_| cx.data.config().features.clone());
    let restored = match shown {
        Some(options) if options != cx.config.features => {
            cx.config.features = options;
            " Your last change was undone."
        }
        _ => "",
    };
    let msg = crate::tui::remedy::error_text(e);
    let hint = match (e.setting(), e.remedy()) {
        (Some(Remedy::TransformFeature { .. }), _) => {
            "Keep this feature untransformed (t), or winsorise it in a config file.".into()
        }
        (_, Some(Remedy::Select { column: None })) => {
            "Include at least one feature (Space on an excluded one), or mark columns as features on Map columns.".into()
        }
        _ => crate::tui::remedy::hint_for(
            e,
            "Change the setting back, or check the roles on Map columns.",
        ),
    };
    cx.set_status(StatusKind::Error, format!("Features failed: {msg}"));
    cx.show_error(
        "Could not build the features",
        format!("{msg}{restored}"),
        hint,
    );
}

/// What Features did to a feature beyond the transform: sentinels,
/// default winsorising, indicator weight.
fn feature_notes(info: &FeatureInfo, weight: f64) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(s) = info.sentinel {
        out.push(format!(
            "{} in {} rows means 'not applicable': read as missing, filled with the median.",
            charts::number(s.value, 12),
            text::thousands(s.count)
        ));
    }
    if let (Some(WinsorReason::SkewedMoney), Some([lo, hi])) = (info.clip_reason, info.clip) {
        out.push(format!(
            "Skewed money: winsorised to P1..P99 ({} .. {}), {} values moved.",
            charts::number(lo, 10),
            charts::number(hi, 10),
            text::thousands(info.clipped)
        ));
    }
    if info.kind.is_indicator() {
        out.push(format!(
            "0/1 indicator: weighted so its column counts {weight} of a numeric feature's spread."
        ));
    }
    out
}

fn correlated(f: &Features, name: &str) -> bool {
    f.report
        .correlated_pairs
        .iter()
        .any(|p| p.a == name || p.b == name)
}

/// The list's columns after the name: Distribution, Skew, Transform,
/// After, Use.
const DIST_W: usize = HIST_BINS;
const SKEW_W: usize = 6;
const TR_W: usize = 10;
const AFTER_W: usize = 6;
const USE_W: usize = 8;
const LIST_FIXED: usize = 2 + DIST_W + SKEW_W + TR_W + AFTER_W + USE_W + 6;
/// Where a row not in use says why, across the number columns.
const WHY_W: usize = DIST_W + SKEW_W + TR_W + AFTER_W + 5;

/// "RFM mode · 7 used · 3,000 customers · as-of 2024-12-31 (latest; a: another)".
fn list_title(v: &DrawCtx, f: &Features, area: Rect) -> String {
    let t = v.theme;
    let r = &f.report;
    let as_of = r.as_of.map_or("none".to_string(), |d| d.to_string());
    // Where the date came from, with the key that chooses another when
    // there is room (see tui::remedy::as_of_origin).
    let source = v.data.cleaned().map(|c| &c.report.as_of_from);
    let (with_key, set) = source.map_or((String::new(), ""), crate::tui::remedy::as_of_origin);
    let title_with = |set: &str| {
        format!(
            " {} mode {} {} used {} {} customers {} as-of {as_of} ({set}) ",
            r.mode.name(),
            t.glyphs.sep,
            f.d,
            t.glyphs.sep,
            text::thousands(f.n),
            t.glyphs.sep,
        )
    };
    let fits = |title: &String| text::width(title) + 2 <= area.width as usize;
    let title = title_with(&with_key);
    if fits(&title) {
        return title;
    }
    let title = title_with(set);
    if fits(&title) {
        title
    } else {
        format!(" {} features {} as-of {as_of} ", f.d, t.glyphs.sep)
    }
}

fn list_header(t: &Theme, name_w: usize) -> Line<'static> {
    Line::from(vec![
        Span::raw("  "),
        Span::styled(text::fit("Feature", name_w, ""), t.title()),
        Span::raw(" "),
        Span::styled(text::fit("Distribution", DIST_W, ""), t.title()),
        Span::raw(" "),
        Span::styled(text::fit_right("Skew", SKEW_W, ""), t.title()),
        Span::raw("  "),
        Span::styled(text::fit("Transform", TR_W, ""), t.title()),
        Span::styled(text::fit_right("After", AFTER_W, ""), t.title()),
        Span::raw("  "),
        Span::styled(text::fit("Use", USE_W, ""), t.title()),
    ])
}

/// A feature in use: its distribution, skewness, transform (yours or
/// automatic), skewness after, and ! when it is strongly correlated.
fn used_row(
    t: &Theme,
    pointer: Span<'static>,
    name_w: usize,
    info: &FeatureInfo,
    hist: &[u32],
    user: bool,
    warn: bool,
) -> Line<'static> {
    let tr = format!(
        "{} {}",
        info.transform.name(),
        if user { "set" } else { "auto" }
    );
    let skew_style = if info.skewness.abs() > 1.0 {
        t.warn()
    } else {
        t.text()
    };
    Line::from(vec![
        pointer,
        Span::styled(text::fit(&info.name, name_w, t.glyphs.ellipsis), t.text()),
        Span::raw(" "),
        Span::styled(charts::spark(hist, &t.glyphs), t.bar_done()),
        Span::raw(" "),
        Span::styled(
            text::fit_right(&format!("{:.2}", info.skewness), SKEW_W, ""),
            skew_style,
        ),
        Span::raw("  "),
        Span::styled(
            text::fit(&tr, TR_W, ""),
            if user { t.input() } else { t.text() },
        ),
        Span::styled(
            text::fit_right(&format!("{:.2}", info.skewness_after), AFTER_W, ""),
            t.dim(),
        ),
        Span::raw("  "),
        Span::styled(text::fit("in", 3, ""), t.ok()),
        Span::styled(if warn { t.glyphs.warn } else { " " }, t.warn()),
    ])
}

/// A row not clustered on: its name, why, and its use.
fn out_row(
    t: &Theme,
    pointer: Span<'static>,
    name_w: usize,
    name: &str,
    why: &str,
    usage: Span<'static>,
) -> Line<'static> {
    Line::from(vec![
        pointer,
        Span::styled(text::fit(name, name_w, t.glyphs.ellipsis), t.dim()),
        Span::raw(" "),
        Span::styled(text::fit(why, WHY_W, t.glyphs.ellipsis), t.dim()),
        Span::raw("  "),
        usage,
    ])
}

/// The details of a feature in use: source and range, the distribution
/// before and after the transform, why that transform, what else was done
/// to it, and whom it is correlated with.
fn used_lines(
    t: &Theme,
    f: &Features,
    view: &FeatureView,
    j: usize,
    info: &FeatureInfo,
) -> Vec<Line<'static>> {
    let mut lines = vec![
        Line::from(vec![
            Span::styled("Source: ", t.dim()),
            Span::styled(info.source.clone(), t.text()),
            Span::styled(
                format!(
                    "  {} range {} .. {}, mean {}",
                    t.glyphs.sep,
                    charts::number(info.min, 10),
                    charts::number(info.max, 10),
                    charts::number(info.mean, 10)
                ),
                t.dim(),
            ),
        ]),
        Line::from(vec![
            Span::styled(text::fit("values  ", 9, ""), t.dim()),
            Span::styled(charts::spark(&view.hist_raw[j], &t.glyphs), t.bar_done()),
            Span::styled(format!("  skewness {:.2}", info.skewness), t.text()),
        ]),
        Line::from(vec![
            Span::styled(text::fit("as used ", 9, ""), t.dim()),
            Span::styled(charts::spark(&view.hist_used[j], &t.glyphs), t.ok()),
            Span::styled(
                format!(
                    "  {}: skewness {:.2}",
                    info.transform.name(),
                    info.skewness_after
                ),
                t.text(),
            ),
        ]),
        Line::styled(format!("Transform: {}.", info.transform_reason), t.dim()),
    ];
    for note in feature_notes(info, f.report.indicator_weight) {
        lines.push(Line::styled(format!("{} {note}", t.glyphs.warn), t.warn()));
    }
    if info.filled > 0 {
        lines.push(Line::styled(
            format!(
                "{} values filled with the median here.",
                text::thousands(info.filled)
            ),
            t.dim(),
        ));
    }
    for p in f
        .report
        .correlated_pairs
        .iter()
        .filter(|p| p.a == info.name || p.b == info.name)
    {
        let other = if p.a == info.name { &p.b } else { &p.a };
        lines.push(Line::styled(
            format!(
                "{} Correlated with {other} (r = {:.2} > {}): they count twice; Space excludes one.",
                t.glyphs.warn, p.r, f.report.correlation_threshold
            ),
            t.warn(),
        ));
    }
    lines
}

/// The warnings about `name`: the stage's, and an as-of date (`a`) before
/// much of a date column, which costs this feature.
fn warning_lines(t: &Theme, v: &DrawCtx, f: &Features, name: &str) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    for w in &f.report.warnings {
        if w.is_about(name) {
            lines.push(Line::styled(
                format!("{} {}", t.glyphs.warn, remedy::notice_text(w)),
                t.warn(),
            ));
        }
    }
    let as_of_warnings = v.data.cleaned().map(|c| &c.report.warnings);
    for w in as_of_warnings.into_iter().flatten() {
        if matches!(w.remedy, Some(Remedy::AsOf { .. })) && w.is_about(name) {
            lines.push(Line::styled(
                format!("{} {}", t.glyphs.warn, remedy::notice_text(w)),
                t.warn(),
            ));
        }
    }
    lines
}

impl Screen for FeaturesScreen {
    fn can_enter(&mut self, cx: &mut Ctx) -> bool {
        if cx.data.cleaned().is_none() {
            let msg = if cx.job(JobKind::Clean).is_some() {
                "Still cleaning; Features opens when it is done."
            } else {
                "Clean the data first (Enter on Clean)."
            };
            cx.set_status(StatusKind::Warn, msg);
            return false;
        }
        true
    }

    fn enter(&mut self, cx: &mut Ctx) {
        let running = cx.job_of(&[JobKind::Clean, JobKind::Features]).is_some();
        if cx.data.features().is_none() && !running {
            cx.start(Request::Features);
        }
        let (Some(f), Some(rows)) = (cx.data.features(), held_rows(cx.data, &self.order)) else {
            return;
        };
        self.selected = self.selected.min(rows.len().saturating_sub(1));
        if let Some(p) = f.report.correlated_pairs.first() {
            let sampled = f
                .report
                .correlation_sample_note()
                .map_or_else(String::new, |n| format!(", {n}"));
            cx.set_status(
                StatusKind::Warn,
                format!(
                    "{} and {} are correlated (r = {:.2}{sampled}); consider excluding one (Space).",
                    p.a, p.b, p.r
                ),
            );
        }
    }

    fn update(&mut self, cx: &mut Ctx, action: Action) {
        let n = held_rows(cx.data, &self.order).map_or(0, |r| r.len());
        let running = cx.job_of(&[JobKind::Clean, JobKind::Features]).is_some();
        match action {
            Action::Back if running => {
                cx.cancel(JobKind::Clean);
                cx.cancel(JobKind::Features);
                cx.set_status(StatusKind::Warn, "Cancelled; the features shown are kept.");
            }
            Action::Back => cx.go_to(Stage::Clean),
            Action::Confirm => {
                if running {
                    cx.push(Effect::JumpTo(Stage::Cluster));
                    cx.set_status(
                        StatusKind::Info,
                        "Still building the features; Cluster opens when they are done (Esc cancels).",
                    );
                } else if cx.data.features().is_none() {
                    cx.start(Request::Features);
                } else {
                    cx.go_to(Stage::Cluster);
                }
            }
            Action::Toggle => self.toggle_include(cx),
            Action::Command(Command::ToggleTransform) => self.toggle_transform(cx),
            Action::Command(Command::EditValue) => {
                let now = cx
                    .config
                    .clean
                    .as_of
                    .map(|d| d.to_string())
                    .unwrap_or_default();
                cx.open(Overlay::Input(InputBox::new(
                    InputPurpose::AsOf,
                    "As-of date",
                    &now,
                    "YYYY-MM-DD: the day recency, tenure and age are measured to. Empty: the latest activity date in the data.",
                )));
            }
            Action::Move(m) => {
                self.selected = widgets::move_in_list(self.selected, n, m, 8);
            }
            _ => {}
        }
    }

    fn draw(&self, frame: &mut Frame, area: Rect, v: &DrawCtx) {
        let t = v.theme;
        let (Some(f), Some(view)) = (v.data.features(), v.data.features_view()) else {
            let block = pane_block(t, " Features ", true);
            let inner = block.inner(area);
            frame.render_widget(block, area);
            if let Some(job) = v.job_of(&[JobKind::Clean, JobKind::Features]) {
                progress::draw_job(frame, inner, t, job);
            } else {
                frame.render_widget(
                    Paragraph::new(Line::styled(
                        "No features yet. Enter builds them; Esc goes back to Clean.",
                        t.text(),
                    )),
                    inner,
                );
            }
            return;
        };
        let details_h = if area.height >= 18 { 7 } else { 5 };
        let [list_area, details_area] =
            Layout::vertical([Constraint::Min(4), Constraint::Length(details_h)]).areas(area);
        self.draw_list(frame, list_area, v, f, view);
        self.draw_details(frame, details_area, v, f, view);
    }

    fn footer_keys(&self, v: &DrawCtx) -> Vec<KeyHint> {
        let g = &v.theme.glyphs;
        let mut keys = Vec::new();
        if v.job_of(&[JobKind::Clean, JobKind::Features]).is_some() {
            keys.push(KeyHint::new("Esc", "cancel"));
        }
        keys.extend([
            KeyHint::new(g.up_down, "feature"),
            KeyHint::new("Spc", "in/out"),
            KeyHint::new("t", "log/none"),
            KeyHint::new("e", "as-of"),
            KeyHint::new("Enter", "cluster"),
            KeyHint::new("Esc", "back"),
        ]);
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
        "Features are the numbers customers are clustered on: recency, frequency,",
    ),
    (
        "",
        "monetary, tenure, products, age, balance (from the mapped columns), then",
    ),
    (
        "",
        "other numeric columns. Skewed money and counts are log-transformed (auto:",
    ),
    (
        "",
        "skewness above 1); all are then standardised. The bars show how the",
    ),
    (
        "",
        "values are spread, lowest on the left (skewed money is winsorised).",
    ),
    (
        "",
        "Columns a rule keeps out are listed last: Space clusters on one.",
    ),
    ("", ""),
    (
        "",
        "! marks a feature strongly correlated with another: it counts twice.",
    ),
];
