//! Stage 4, Features: each feature with a small distribution of its values,
//! its skewness, the transform (log or none, `t`), include / exclude
//! (Space), correlation warnings, and the as-of date (`a`) that recency,
//! tenure and age are measured against. Every change is written into the
//! RunConfig (`features.transform_overrides`, `features.drop_features`,
//! `clean.as_of`) and re-runs this stage (the as-of date: Clean too).

use crate::error::{Error, Result};
use crate::pipeline::clean::IsoDate;
use crate::pipeline::features::{FeatureInfo, RuledColumn, Transform, WinsorReason};
use crate::pipeline::mapping::ColumnUse;
use crate::remedy::Remedy;
use crate::tui::action::{Action, Command};
use crate::tui::app::{
    App, InputBox, InputPurpose, JobKind, Overlay, RunningJob, Stage, StatusKind,
};
use crate::tui::data::FeatureData;
use crate::tui::remedy;
use crate::tui::text;
use crate::tui::widgets::{self, KeyHint, charts, pane_block, progress};
use crate::tui::worker::Job;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use std::cell::Cell;
use std::sync::Arc;

#[derive(Debug, Default)]
pub struct FeaturesScreen {
    pub selected: usize,
    pub offset: Cell<usize>,
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

pub fn rows(f: &FeatureData) -> Vec<Row<'_>> {
    let mut out: Vec<Row> = f
        .features
        .report
        .features
        .iter()
        .enumerate()
        .map(|(j, info)| Row::Used(j, info))
        .collect();
    for name in &f.options.drop_features {
        out.push(Row::Excluded(name));
    }
    for l in &f.features.report.left_out {
        if !f.options.drop_features.contains(&l.name) {
            out.push(Row::LeftOut(&l.name, &l.reason));
        }
    }
    for r in f.features.report.ruled.iter().filter(|r| r.applied) {
        out.push(Row::Ruled(r));
    }
    out
}

pub fn can_enter(app: &mut App) -> bool {
    if app.data.cleaned.is_none() {
        let msg = if app.job(JobKind::Clean).is_some() {
            "Still cleaning; Features opens when it is done."
        } else {
            "Clean the data first (Enter on Clean)."
        };
        app.set_status(StatusKind::Warn, msg);
        return false;
    }
    true
}

pub fn enter(app: &mut App) {
    if app.data.features.is_none() && app.job_of(&[JobKind::Clean, JobKind::Features]).is_none() {
        start(app);
    }
    if let Some(f) = &app.data.features {
        let n = rows(f).len();
        app.features.selected = app.features.selected.min(n.saturating_sub(1));
        if let Some(p) = f.features.report.correlated_pairs.first() {
            app.set_status(
                StatusKind::Warn,
                format!(
                    "{} and {} are correlated (r = {:.2}); consider excluding one (Space).",
                    p.a, p.b, p.r
                ),
            );
        }
    }
}

/// Queues Features with the options of the RunConfig.
pub fn start(app: &mut App) {
    let (Some(cleaned), Some(mapping)) = (
        app.data.cleaned.clone(),
        app.data.customer_mapping().cloned(),
    ) else {
        return;
    };
    app.cancel_job(JobKind::Features);
    let config = Box::new(app.config.clone());
    let path = app.config.input.clone().unwrap_or_default();
    app.start_job(
        JobKind::Features,
        "Building features".into(),
        path,
        None,
        move |id, cancel| Job::Features {
            id,
            cleaned,
            mapping,
            config,
            cancel: cancel.unwrap_or_default(),
        },
    );
}

pub fn on_features(app: &mut App, _job: RunningJob, result: Result<FeatureData>) {
    match result {
        Ok(f) => {
            if !f.dropped_settings.is_empty() {
                app.set_status(
                    StatusKind::Warn,
                    format!(
                        "Settings for features this data does not have were dropped: {}.",
                        f.dropped_settings.join(", ")
                    ),
                );
            } else if app.stage == Stage::Features {
                app.set_status(
                    StatusKind::Success,
                    format!(
                        "{} features for {} customers. Enter: cluster.",
                        f.features.d,
                        text::thousands(f.features.n)
                    ),
                );
            }
            app.config.features = f.options.clone();
            app.data.invalidate_after(Stage::Features);
            let n = rows(&f).len();
            app.data.features = Some(Arc::new(f));
            app.data.stale.remove(&Stage::Features);
            app.features.selected = app.features.selected.min(n.saturating_sub(1));
        }
        Err(Error::Cancelled) => {
            app.set_status(
                StatusKind::Warn,
                "Features cancelled; Enter runs them again.",
            );
        }
        Err(e) => {
            let restored = match &app.data.features {
                Some(f) if f.options != app.config.features => {
                    app.config.features = f.options.clone();
                    " Your last change was undone."
                }
                _ => "",
            };
            let msg = crate::tui::remedy::error_text(&e);
            let hint = match (e.setting(), e.remedy()) {
                (Some(Remedy::TransformFeature { .. }), _) => {
                    "Keep this feature untransformed (t), or winsorise it in a config file.".into()
                }
                (_, Some(Remedy::Select { column: None })) => {
                    "Include at least one feature (Space on an excluded one), or mark columns as features on Map columns.".into()
                }
                _ => crate::tui::remedy::hint_for(
                    &e,
                    "Change the setting back, or check the roles on Map columns.",
                ),
            };
            app.set_status(StatusKind::Error, format!("Features failed: {msg}"));
            app.show_error(
                "Could not build the features",
                format!("{msg}{restored}"),
                hint,
            );
        }
    }
}

/// The as-of date from the text box: empty = the latest activity date.
pub fn set_as_of(app: &mut App, text: &str) -> std::result::Result<(), String> {
    let date = if text.is_empty() {
        None
    } else {
        Some(text.parse::<IsoDate>()?)
    };
    app.config.clean.as_of = date;
    app.set_status(
        StatusKind::Info,
        match date {
            Some(d) => format!("As-of date {d}: cleaning and building the features again..."),
            None => "As-of date: the latest activity date. Cleaning again...".to_string(),
        },
    );
    super::clean::start(app);
    Ok(())
}

/// The selected feature: name, (transform, skewness) when built, included.
type SelectedRow = (String, Option<(Transform, f64)>, bool);

fn selected_row(app: &App) -> Option<SelectedRow> {
    let f = app.data.features.as_ref()?;
    let rows = rows(f);
    let row = rows.get(app.features.selected)?;
    Some(match row {
        Row::Used(_, info) => (info.name.clone(), Some((info.transform, info.min)), true),
        Row::Excluded(n) => (n.to_string(), None, false),
        Row::LeftOut(n, _) => (n.to_string(), None, false),
        Row::Ruled(r) => (r.column.clone(), None, false),
    })
}

fn toggle_include(app: &mut App) {
    let Some(f) = app.data.features.clone() else {
        return;
    };
    let rows = rows(&f);
    let Some(row) = rows.get(app.features.selected) else {
        return;
    };
    let opts = &mut app.config.features;
    match row {
        Row::Used(_, info) => {
            if f.features.d == 1 {
                app.set_status(
                    StatusKind::Warn,
                    "This is the last feature; include another one before excluding it.",
                );
                return;
            }
            opts.drop_features.push(info.name.clone());
            opts.transform_overrides.remove(&info.name);
            app.set_status(StatusKind::Info, format!("{} excluded.", info.name));
        }
        Row::Excluded(name) => {
            opts.drop_features.retain(|n| n != name);
            app.set_status(StatusKind::Info, format!("{name} included again."));
        }
        Row::LeftOut(name, reason) => {
            app.set_status(
                StatusKind::Warn,
                format!("{name} cannot be included: {reason}."),
            );
            return;
        }
        Row::Ruled(r) => {
            // The column's use is the mapping's: set it there, then clean
            // and build the features again.
            let column = r.column.clone();
            super::map::set_use(app, &column, ColumnUse::Feature);
            super::clean::start(app);
            app.set_status(
                StatusKind::Info,
                format!("{column} is a feature now (set on Map columns); building again..."),
            );
            return;
        }
    }
    start(app);
}

fn toggle_transform(app: &mut App) {
    let Some((name, Some((transform, min)), _)) = selected_row(app) else {
        app.set_status(
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
    app.config
        .features
        .transform_overrides
        .insert(name.clone(), next);
    app.set_status(
        StatusKind::Info,
        format!("{name}: {} (set by you).", next.name()),
    );
    start(app);
}

pub fn update(app: &mut App, action: Action) {
    let n = app.data.features.as_ref().map_or(0, |f| rows(f).len());
    let running = app.job_of(&[JobKind::Clean, JobKind::Features]).is_some();
    match action {
        Action::Back if running => {
            app.cancel_job(JobKind::Clean);
            app.cancel_job(JobKind::Features);
            app.set_status(StatusKind::Warn, "Cancelled; the features shown are kept.");
        }
        Action::Back => app.go_to(Stage::Clean),
        Action::Confirm => {
            if running {
                app.set_status(
                    StatusKind::Info,
                    "Still building the features; Esc cancels.",
                );
            } else if app.data.features.is_none() {
                start(app);
            } else {
                app.go_to(Stage::Cluster);
            }
        }
        Action::Toggle => toggle_include(app),
        Action::Command(Command::ToggleTransform) => toggle_transform(app),
        Action::Command(Command::EditAsOf) => {
            let now = app
                .config
                .clean
                .as_of
                .map(|d| d.to_string())
                .unwrap_or_default();
            app.overlay = Some(Overlay::Input(InputBox::new(
                InputPurpose::AsOf,
                "As-of date",
                &now,
                "YYYY-MM-DD: the day recency, tenure and age are measured to. Empty: the latest activity date in the data.",
            )));
        }
        Action::Move(m) => {
            app.features.selected = widgets::move_in_list(app.features.selected, n, m, 8);
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
    keys.extend([
        KeyHint::new(g.up_down, "feature"),
        KeyHint::new("Spc", "in/out"),
        KeyHint::new("t", "log/none"),
        KeyHint::new("a", "as-of"),
        KeyHint::new("Enter", "cluster"),
        KeyHint::new("Esc", "back"),
    ]);
    keys
}

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
    ("↑↓ j k", "select a feature"),
    (
        "Space x",
        "exclude it from the clustering / include it again",
    ),
    ("t", "transform: log <-> none (written as your setting)"),
    ("a", "as-of date (recency, tenure and age count to it)"),
    ("Enter", "go on to Cluster"),
    ("Esc", "cancel the running work; else back to Clean"),
    ("", ""),
    (
        "",
        "! marks a feature strongly correlated with another: it counts twice.",
    ),
];

pub fn draw(frame: &mut Frame, area: Rect, app: &App) {
    let t = &app.theme;
    let Some(f) = app.data.features.as_deref() else {
        let block = pane_block(t, " Features ", true);
        let inner = block.inner(area);
        frame.render_widget(block, area);
        if let Some(job) = app.job_of(&[JobKind::Clean, JobKind::Features]) {
            progress::draw_job(frame, inner, app, job);
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
    draw_list(frame, list_area, app, f);
    draw_details(frame, details_area, app, f);
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

fn correlated(f: &FeatureData, name: &str) -> bool {
    f.features
        .report
        .correlated_pairs
        .iter()
        .any(|p| p.a == name || p.b == name)
}

fn draw_list(frame: &mut Frame, area: Rect, app: &App, f: &FeatureData) {
    let t = &app.theme;
    let r = &f.features.report;
    let as_of = r.as_of.map_or("none".to_string(), |d| d.to_string());
    let source = app.data.cleaned.as_ref().map(|c| &c.report.as_of_from);
    let (with_key, set) = source.map_or((String::new(), ""), crate::tui::remedy::as_of_origin);
    let title_with = |set: &str| {
        format!(
            " {} mode {} {} used {} {} customers {} as-of {as_of} ({set}) ",
            r.mode.name(),
            t.glyphs.sep,
            f.features.d,
            t.glyphs.sep,
            text::thousands(f.features.n),
            t.glyphs.sep,
        )
    };
    let mut title = title_with(&with_key);
    if text::width(&title) + 2 > area.width as usize {
        title = title_with(set);
    }
    if text::width(&title) + 2 > area.width as usize {
        title = format!(" {} features {} as-of {as_of} ", f.features.d, t.glyphs.sep);
    }
    let block = pane_block(t, &title, true);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let width = inner.width as usize;
    let (dist_w, skew_w, tr_w, after_w, use_w) = (crate::tui::data::HIST_BINS, 6, 10, 6, 8);
    let fixed = 2 + dist_w + skew_w + tr_w + after_w + use_w + 6;
    let name_w = width.saturating_sub(fixed).clamp(6, 22);
    let header = Line::from(vec![
        Span::raw("  "),
        Span::styled(text::fit("Feature", name_w, ""), t.title()),
        Span::raw(" "),
        Span::styled(text::fit("Distribution", dist_w, ""), t.title()),
        Span::raw(" "),
        Span::styled(text::fit_right("Skew", skew_w, ""), t.title()),
        Span::raw("  "),
        Span::styled(text::fit("Transform", tr_w, ""), t.title()),
        Span::styled(text::fit_right("After", after_w, ""), t.title()),
        Span::raw("  "),
        Span::styled(text::fit("Use", use_w, ""), t.title()),
    ]);
    let rows = rows(f);
    let height = (inner.height as usize).saturating_sub(1);
    let offset = widgets::scroll_offset(
        &app.features.offset,
        app.features.selected,
        height,
        rows.len(),
    );
    let mut lines = vec![header];
    for (i, row) in rows.iter().enumerate().skip(offset).take(height) {
        let selected = i == app.features.selected;
        let pointer = Span::raw(if selected { t.glyphs.pointer } else { "  " });
        let line = match row {
            Row::Used(j, info) => {
                let user = app
                    .config
                    .features
                    .transform_overrides
                    .contains_key(&info.name);
                let tr = format!(
                    "{} {}",
                    info.transform.name(),
                    if user { "set" } else { "auto" }
                );
                let warn = correlated(f, &info.name);
                Line::from(vec![
                    pointer,
                    Span::styled(text::fit(&info.name, name_w, t.glyphs.ellipsis), t.text()),
                    Span::raw(" "),
                    Span::styled(charts::spark(&f.hist_raw[*j], &t.glyphs), t.bar_done()),
                    Span::raw(" "),
                    Span::styled(
                        text::fit_right(&format!("{:.2}", info.skewness), skew_w, ""),
                        if info.skewness.abs() > 1.0 {
                            t.warn()
                        } else {
                            t.text()
                        },
                    ),
                    Span::raw("  "),
                    Span::styled(
                        text::fit(&tr, tr_w, ""),
                        if user { t.input() } else { t.text() },
                    ),
                    Span::styled(
                        text::fit_right(&format!("{:.2}", info.skewness_after), after_w, ""),
                        t.dim(),
                    ),
                    Span::raw("  "),
                    Span::styled(text::fit("in", 3, ""), t.ok()),
                    Span::styled(if warn { t.glyphs.warn } else { " " }, t.warn()),
                ])
            }
            Row::Excluded(name) => Line::from(vec![
                pointer,
                Span::styled(text::fit(name, name_w, t.glyphs.ellipsis), t.dim()),
                Span::raw(" "),
                Span::styled(
                    text::fit(
                        "excluded by you (Space includes it)",
                        dist_w + skew_w + tr_w + after_w + 5,
                        t.glyphs.ellipsis,
                    ),
                    t.dim(),
                ),
                Span::raw("  "),
                Span::styled("out", t.warn()),
            ]),
            Row::Ruled(r) => Line::from(vec![
                pointer,
                Span::styled(text::fit(&r.column, name_w, t.glyphs.ellipsis), t.dim()),
                Span::raw(" "),
                Span::styled(
                    text::fit(
                        &format!("{} (Space: cluster on it)", super::map::rule_short(&r.rule)),
                        dist_w + skew_w + tr_w + after_w + 5,
                        t.glyphs.ellipsis,
                    ),
                    t.dim(),
                ),
                Span::raw("  "),
                Span::styled(
                    if r.usage == ColumnUse::Profile {
                        "prof"
                    } else {
                        "-"
                    },
                    t.dim(),
                ),
            ]),
            Row::LeftOut(name, _) => Line::from(vec![
                pointer,
                Span::styled(text::fit(name, name_w, t.glyphs.ellipsis), t.dim()),
                Span::raw(" "),
                Span::styled(
                    text::fit(
                        "left out (see below why)",
                        dist_w + skew_w + tr_w + after_w + 5,
                        t.glyphs.ellipsis,
                    ),
                    t.dim(),
                ),
                Span::raw("  "),
                Span::styled("-", t.dim()),
            ]),
        };
        lines.push(if selected {
            widgets::highlight(line, t.selected())
        } else {
            line
        });
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

fn draw_details(frame: &mut Frame, area: Rect, app: &App, f: &FeatureData) {
    let t = &app.theme;
    let rows = rows(f);
    let Some(row) = rows.get(app.features.selected) else {
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
    let mut lines = Vec::new();
    match row {
        Row::Used(j, info) => {
            lines.push(Line::from(vec![
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
            ]));
            lines.push(Line::from(vec![
                Span::styled(text::fit("values  ", 9, ""), t.dim()),
                Span::styled(charts::spark(&f.hist_raw[*j], &t.glyphs), t.bar_done()),
                Span::styled(format!("  skewness {:.2}", info.skewness), t.text()),
            ]));
            lines.push(Line::from(vec![
                Span::styled(text::fit("as used ", 9, ""), t.dim()),
                Span::styled(charts::spark(&f.hist_used[*j], &t.glyphs), t.ok()),
                Span::styled(
                    format!(
                        "  {}: skewness {:.2}",
                        info.transform.name(),
                        info.skewness_after
                    ),
                    t.text(),
                ),
            ]));
            lines.push(Line::styled(
                format!("Transform: {}.", info.transform_reason),
                t.dim(),
            ));
            for note in feature_notes(info, f.features.report.indicator_weight) {
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
                .features
                .report
                .correlated_pairs
                .iter()
                .filter(|p| p.a == info.name || p.b == info.name)
            {
                let other = if p.a == info.name { &p.b } else { &p.a };
                lines.push(Line::styled(
                    format!(
                        "{} Correlated with {other} (r = {:.2} > {}): they count twice; Space excludes one.",
                        t.glyphs.warn, p.r, f.features.report.correlation_threshold
                    ),
                    t.warn(),
                ));
            }
        }
        Row::Excluded(name) => {
            lines.push(Line::styled(
                format!("{name} is excluded from the clustering (features.drop_features). Space includes it again."),
                t.text(),
            ));
        }
        Row::LeftOut(_, reason) => {
            lines.push(Line::styled(format!("Left out: {reason}."), t.text()));
        }
        Row::Ruled(r) => {
            lines.push(Line::styled(
                format!(
                    "Not clustered ({}): {}.",
                    super::map::use_label(r.usage),
                    r.rule.finding()
                ),
                t.text(),
            ));
            lines.push(Line::styled(
                "Space clusters on it anyway (its use becomes 'feature' on Map columns).",
                t.dim(),
            ));
        }
    }
    for w in &f.features.report.warnings {
        if w.is_about(row.name()) {
            lines.push(Line::styled(
                format!("{} {}", t.glyphs.warn, remedy::notice_text(w)),
                t.warn(),
            ));
        }
    }
    // An as-of date (`a`) before much of a date column costs this feature.
    let as_of_warnings = app.data.cleaned.as_ref().map(|c| &c.report.warnings);
    for w in as_of_warnings.into_iter().flatten() {
        if matches!(w.remedy, Some(Remedy::AsOf { .. })) && w.is_about(row.name()) {
            lines.push(Line::styled(
                format!("{} {}", t.glyphs.warn, remedy::notice_text(w)),
                t.warn(),
            ));
        }
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), padded);
}
