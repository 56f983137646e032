//! Stage 6, Inspect: the segments of the chosen K. A table (label, size,
//! share, key averages in original units), bar charts of the sizes and of
//! one feature's mean per segment (←/→ picks the feature), and the selected
//! segment's action. Enter drills into a segment (profile, distinguishing
//! features, label, action); `r` renames its label and `a` changes its
//! action (both written to `labels.overrides`, so a replay shows them);
//! `/` finds a customer by id; `p` shows a 2-D PCA scatter of the segments.

use crate::pipeline::features::Transform;
use crate::pipeline::mapping::Role;
use crate::pipeline::profile::{Direction, LabelOverride, SegmentProfile, trait_text};
use crate::tui::action::{Action, Command, Move};
use crate::tui::app::{App, InputBox, InputPurpose, JobKind, Overlay, Stage, StatusKind};
use crate::tui::data::ProfileData;
use crate::tui::text;
use crate::tui::widgets::{self, KeyHint, charts, pane_block, progress};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Axis, Chart, Dataset, GraphType, LegendPosition, Paragraph, Wrap};
use std::cell::Cell;

#[derive(Debug, Default)]
pub struct InspectScreen {
    pub view: View,
    /// The selected segment (its index in the profiles).
    pub selected: usize,
    pub offset: Cell<usize>,
    /// The feature whose mean the second bar chart shows.
    pub chart_feature: usize,
    /// The customer found with `/`.
    pub customer: Option<Found>,
    pub scroll: u16,
    /// How far the drill-down can scroll, as last drawn.
    pub max_scroll: Cell<u16>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum View {
    #[default]
    Segments,
    /// One segment in full (Enter).
    Segment,
    /// The customer found with `/`.
    Customer,
    /// The PCA scatter (`p`).
    Scatter,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Found {
    pub row: usize,
    pub id: String,
}

pub fn can_enter(app: &mut App) -> bool {
    let ok = app.data.sweep.is_some()
        && !super::cluster::pending(app)
        && (app.data.profiles.is_some() || app.job(JobKind::Profile).is_some());
    if !ok {
        app.set_status(
            StatusKind::Warn,
            "Run the sweep first (Enter or r on Cluster).",
        );
    }
    ok
}

pub fn enter(app: &mut App) {
    if app.data.profiles.is_none() && app.job(JobKind::Profile).is_none() {
        super::cluster::start_profile(app);
    }
    if let Some(p) = &app.data.profiles {
        let k = p.profiles.segments.len();
        app.inspect.selected = app.inspect.selected.min(k.saturating_sub(1));
        let tiny: Vec<String> = p
            .profiles
            .tiny_segments()
            .map(|s| s.id.to_string())
            .collect();
        if tiny.is_empty() {
            app.set_status(
                StatusKind::Info,
                format!("{k} segments. Enter opens one; / finds a customer; e: export."),
            );
        } else {
            app.set_status(
                StatusKind::Warn,
                format!(
                    "Segment {} holds under 0.5% of the customers: outliers, not a segment. Try a smaller K on Cluster.",
                    tiny.join(", ")
                ),
            );
        }
    }
}

fn profiles(app: &App) -> Option<&ProfileData> {
    app.data.profiles.as_deref()
}

fn segment(app: &App) -> Option<&SegmentProfile> {
    profiles(app)?.profiles.segments.get(app.inspect.selected)
}

/// Writes a label (or action) edit of segment `id` and profiles again, so
/// what is shown is what a replay of the config gives.
fn write_override(app: &mut App, id: u32, edit: impl FnOnce(&mut LabelOverride)) {
    let o = app.config.labels.overrides.entry(id).or_default();
    edit(o);
    if o.label.is_none() && o.action.is_none() {
        app.config.labels.overrides.remove(&id);
    }
    app.data.invalidate_after(Stage::Inspect);
    super::cluster::start_profile(app);
}

pub fn rename(app: &mut App, id: u32, text: &str) -> Result<(), String> {
    if text.chars().count() > 60 {
        return Err("at most 60 characters".into());
    }
    let label = (!text.is_empty()).then(|| text.to_string());
    let msg = match &label {
        Some(l) => format!("Segment {id} is now '{l}'."),
        None => format!("Segment {id} has its automatic label again."),
    };
    write_override(app, id, |o| o.label = label);
    app.set_status(StatusKind::Success, msg);
    Ok(())
}

pub fn set_action(app: &mut App, id: u32, text: &str) -> Result<(), String> {
    let action = (!text.is_empty()).then(|| text.to_string());
    let msg = match &action {
        Some(_) => format!("Action of segment {id} changed."),
        None => format!("Segment {id} has its recommended action again."),
    };
    write_override(app, id, |o| o.action = action);
    app.set_status(StatusKind::Success, msg);
    Ok(())
}

/// Finds a customer by id: exact, then ignoring case. Without an id
/// column, the row number in the file is the id.
pub fn search(app: &mut App, wanted: &str) -> Result<(), String> {
    let (Some(cleaned), Some(mapping)) = (app.data.cleaned.as_ref(), app.data.customer_mapping())
    else {
        return Err("no data yet".into());
    };
    if wanted.is_empty() {
        return Err("type a customer id".into());
    }
    let table = &cleaned.table;
    let id_col = mapping
        .column_for(Role::CustomerId)
        .and_then(|c| table.column(c))
        .and_then(|c| c.texts());
    let found = match id_col {
        Some(ids) => {
            let exact = (0..table.n_rows).find(|&i| ids.get(i) == Some(wanted));
            exact.or_else(|| {
                (0..table.n_rows)
                    .find(|&i| ids.get(i).is_some_and(|v| v.eq_ignore_ascii_case(wanted)))
            })
        }
        None => (0..table.n_rows).find(|&i| table.row_label(i) == wanted),
    };
    let Some(row) = found else {
        let example = match id_col {
            Some(ids) => ids.get(0).map(|s| format!(" Ids look like {s}.")),
            None => Some(format!(
                " This file has no id column: type a row label such as {}.",
                table.row_label(0)
            )),
        }
        .unwrap_or_default();
        return Err(format!("no customer '{wanted}'.{example}"));
    };
    let id = id_col
        .and_then(|ids| ids.get(row))
        .map_or_else(|| table.row_label(row), str::to_string);
    app.inspect.customer = Some(Found { row, id });
    app.inspect.view = View::Customer;
    app.inspect.scroll = 0;
    app.status = None;
    Ok(())
}

fn n_features(app: &App) -> usize {
    app.data.features.as_ref().map_or(0, |f| f.features.d)
}

pub fn update(app: &mut App, action: Action) {
    let k = profiles(app).map_or(0, |p| p.profiles.segments.len());
    let view = app.inspect.view;
    match action {
        Action::Back if app.job(JobKind::Profile).is_some() && view == View::Segments => {
            app.cancel_job(JobKind::Profile);
            app.set_status(StatusKind::Warn, "Profiling cancelled.");
        }
        Action::Back if view != View::Segments => {
            app.inspect.view = View::Segments;
            app.status = None;
        }
        Action::Back => app.go_to(Stage::Cluster),
        Action::Command(Command::Next) => app.go_to(Stage::Export),
        Action::Command(Command::Search) => {
            app.overlay = Some(Overlay::Input(InputBox::new(
                InputPurpose::Search,
                "Find a customer",
                "",
                "The customer id, as in the file (case does not matter).",
            )));
        }
        Action::Command(Command::Scatter) => {
            app.inspect.view = if view == View::Scatter {
                View::Segments
            } else {
                View::Scatter
            };
        }
        Action::Command(Command::Rename) if k > 0 => {
            let seg = app.inspect.selected as u32;
            let now = segment(app).map(|s| s.label.clone()).unwrap_or_default();
            app.overlay = Some(Overlay::Input(InputBox::new(
                InputPurpose::Label(seg),
                &format!("Label of segment {seg}"),
                &now,
                "The new name (saved in run.toml as labels.overrides). Empty: the automatic label.",
            )));
        }
        Action::Command(Command::EditAction) if k > 0 => {
            let seg = app.inspect.selected as u32;
            let now = segment(app).map(|s| s.action.clone()).unwrap_or_default();
            app.overlay = Some(Overlay::Input(InputBox::new(
                InputPurpose::SegmentAction(seg),
                &format!("Action for segment {seg}"),
                &now,
                "What the bank should do with these customers. Empty: the recommendation.",
            )));
        }
        Action::Confirm if view == View::Segments && k > 0 => {
            app.inspect.view = View::Segment;
            app.inspect.scroll = 0;
        }
        Action::Confirm if view == View::Customer => {
            // Enter on a customer opens their segment.
            if let Some(c) = &app.inspect.customer
                && let Some(label) = customer_segment(app, c.row)
            {
                app.inspect.selected = label as usize;
                app.inspect.view = View::Segment;
                app.inspect.scroll = 0;
            }
        }
        Action::Move(m) => match view {
            View::Segments | View::Scatter => match m {
                Move::Left | Move::Right => {
                    let d = n_features(app);
                    if d > 0 {
                        let step = if m == Move::Right { 1 } else { d - 1 };
                        app.inspect.chart_feature = (app.inspect.chart_feature + step) % d;
                    }
                }
                _ => {
                    let s = app.inspect.selected;
                    let last = k.saturating_sub(1);
                    app.inspect.selected = match m {
                        Move::Up => s.saturating_sub(1),
                        Move::Down => (s + 1).min(last),
                        Move::Home | Move::PageUp => 0,
                        Move::End | Move::PageDown => last,
                        _ => s,
                    };
                }
            },
            View::Segment => match m {
                Move::Left => {
                    app.inspect.selected = app.inspect.selected.saturating_sub(1);
                    app.inspect.scroll = 0;
                }
                Move::Right => {
                    app.inspect.selected = (app.inspect.selected + 1).min(k.saturating_sub(1));
                    app.inspect.scroll = 0;
                }
                Move::Up | Move::PageUp => {
                    app.inspect.scroll = app.inspect.scroll.saturating_sub(1)
                }
                Move::Down | Move::PageDown => {
                    app.inspect.scroll = app.inspect.scroll.saturating_add(1)
                }
                Move::Home => app.inspect.scroll = 0,
                _ => {}
            },
            View::Customer => {}
        },
        _ => {}
    }
}

/// The segment of customer `row` for the K shown.
fn customer_segment(app: &App, row: usize) -> Option<u32> {
    let k = app.data.k?;
    app.data
        .sweep
        .as_ref()?
        .sweep
        .get(k)?
        .fit
        .labels
        .get(row)
        .copied()
}

// ---------------------------------------------------------------- drawing

pub fn footer_keys(app: &App) -> Vec<KeyHint> {
    let g = &app.theme.glyphs;
    match app.inspect.view {
        View::Segments => vec![
            KeyHint::new(g.up_down, "segment"),
            KeyHint::new("Enter", "open"),
            KeyHint::new("e", "export"),
            KeyHint::new("/", "find"),
            KeyHint::new("r", "rename"),
            KeyHint::new("p", "PCA"),
            KeyHint::new(g.left_right, "feature"),
        ],
        View::Segment => vec![
            KeyHint::new(g.left_right, "segment"),
            KeyHint::new(g.up_down, "scroll"),
            KeyHint::new("r", "rename"),
            KeyHint::new("a", "action"),
            KeyHint::new("Esc", "back"),
        ],
        View::Customer => vec![
            KeyHint::new("Enter", "their segment"),
            KeyHint::new("/", "find another"),
            KeyHint::new("Esc", "back"),
        ],
        View::Scatter => vec![
            KeyHint::new(g.up_down, "segment"),
            KeyHint::new("p", "table"),
            KeyHint::new("Esc", "back"),
        ],
    }
}

pub const HELP: &[(&str, &str)] = &[
    (
        "",
        "Inspect shows the segments of the chosen K: their size, the average",
    ),
    (
        "",
        "customer in each (original units: money, days, months, years), the label",
    ),
    (
        "",
        "the rules gave it and the recommended action. Labels and actions you",
    ),
    (
        "",
        "change are saved in run.toml, so a replay shows them too.",
    ),
    ("", ""),
    ("↑↓ j k", "select a segment"),
    (
        "Enter",
        "open the segment: profile, distinguishing features",
    ),
    ("←→ h l", "the feature of the 'mean per segment' bars"),
    ("r / a", "rename the segment's label / change its action"),
    ("/", "find a customer by id: their segment and values"),
    (
        "p",
        "2-D PCA scatter of the segments (a sample of customers)",
    ),
    ("e", "go on to Export"),
    ("Esc", "close the view; else back to Cluster"),
];

/// Features shown as key averages, most telling first.
fn key_features(names: &[String]) -> Vec<usize> {
    use crate::pipeline::profile::names as n;
    let preferred = [
        n::BALANCE,
        n::MONETARY,
        n::FREQUENCY,
        n::RECENCY,
        n::TENURE,
        n::AGE,
        n::PRODUCT_DEPTH,
    ];
    let mut out: Vec<usize> = preferred
        .iter()
        .filter_map(|p| names.iter().position(|x| x == p))
        .collect();
    for j in 0..names.len() {
        if !out.contains(&j) {
            out.push(j);
        }
    }
    out
}

pub fn draw(frame: &mut Frame, area: Rect, app: &App) {
    let t = &app.theme;
    let Some(p) = profiles(app) else {
        let block = pane_block(t, " Segments ", true);
        let inner = block.inner(area);
        frame.render_widget(block, area);
        if let Some(job) = app.job(JobKind::Profile) {
            progress::draw_job(frame, inner, app, job);
        }
        return;
    };
    match app.inspect.view {
        View::Segments => draw_segments(frame, area, app, p),
        View::Segment => draw_segment(frame, area, app, p),
        View::Customer => draw_customer(frame, area, app, p),
        View::Scatter => draw_scatter(frame, area, app, p),
    }
}

fn draw_segments(frame: &mut Frame, area: Rect, app: &App, p: &ProfileData) {
    let t = &app.theme;
    let segs = &p.profiles.segments;
    let k = segs.len() as u16;
    let table_h = (k + 3).min(area.height.saturating_sub(6)).max(4);
    let bars_h = (k + 2).min(area.height.saturating_sub(table_h + 3)).max(3);
    let [table_area, bars_area, detail_area] = Layout::vertical([
        Constraint::Length(table_h),
        Constraint::Length(bars_h),
        Constraint::Min(0),
    ])
    .areas(area);

    // The table.
    let n = app.data.cleaned.as_ref().map_or(0, |c| c.table.n_rows);
    let title = format!(
        " K={} segments of {} customers {} {} ",
        p.k,
        text::thousands(n),
        t.glyphs.sep,
        app.data.k_reason
    );
    let block = pane_block(
        t,
        &text::truncate(&title, area.width as usize - 2, t.glyphs.ellipsis),
        true,
    );
    let inner = block.inner(table_area);
    frame.render_widget(block, table_area);
    let width = inner.width as usize;
    let names: Vec<String> = segs
        .first()
        .map(|s| s.features.iter().map(|f| f.feature.clone()).collect())
        .unwrap_or_default();
    let (id_w, size_w, share_w, feat_w) = (3, 8, 6, 10);
    let label_min = 28;
    let fixed = 2 + id_w + size_w + share_w + 3;
    let n_feat = (width.saturating_sub(fixed + label_min) / (feat_w + 1)).min(names.len());
    let shown: Vec<usize> = key_features(&names).into_iter().take(n_feat).collect();
    let label_w = width.saturating_sub(fixed + n_feat * (feat_w + 1));
    let mut header = vec![
        Span::raw("  "),
        Span::styled(text::fit("#", id_w, ""), t.title()),
        Span::styled(text::fit("Label", label_w, ""), t.title()),
        Span::styled(text::fit_right("Size", size_w, ""), t.title()),
        Span::styled(text::fit_right("Share", share_w + 1, ""), t.title()),
    ];
    for &j in &shown {
        header.push(Span::raw(" "));
        header.push(Span::styled(
            text::fit_right(&names[j], feat_w, t.glyphs.ellipsis),
            t.title(),
        ));
    }
    let height = (inner.height as usize).saturating_sub(1);
    let offset = widgets::scroll_offset(
        &app.inspect.offset,
        app.inspect.selected,
        height,
        segs.len(),
    );
    let mut lines = vec![Line::from(header)];
    for (i, s) in segs.iter().enumerate().skip(offset).take(height) {
        let selected = i == app.inspect.selected;
        let renamed = app
            .config
            .labels
            .overrides
            .get(&s.id)
            .is_some_and(|o| o.label.is_some());
        let mut spans = vec![
            Span::raw(if selected { t.glyphs.pointer } else { "  " }),
            Span::styled(text::fit(&s.id.to_string(), id_w, ""), t.segment(s.id)),
            Span::styled(
                text::fit(
                    &if s.tiny {
                        format!("{} {}", t.glyphs.warn, s.label)
                    } else {
                        s.label.clone()
                    },
                    label_w,
                    t.glyphs.ellipsis,
                ),
                if s.tiny {
                    t.warn()
                } else if renamed {
                    t.input()
                } else {
                    t.text()
                },
            ),
            Span::styled(
                text::fit_right(&text::thousands(s.size), size_w, ""),
                t.text(),
            ),
            Span::styled(
                text::fit_right(&format!("{:.1}%", s.share * 100.0), share_w + 1, ""),
                t.text(),
            ),
        ];
        for &j in &shown {
            spans.push(Span::raw(" "));
            let f = &s.features[j];
            // Coloured by the comparison in original units, as the traits.
            let style = match f.direction {
                Direction::High => t.ok(),
                Direction::Low => t.warn(),
                Direction::Typical => t.text(),
            };
            spans.push(Span::styled(
                text::fit_right(&charts::number(f.mean, feat_w), feat_w, ""),
                style,
            ));
        }
        let line = Line::from(spans);
        lines.push(if selected {
            widgets::highlight(line, t.selected())
        } else {
            line
        });
    }
    frame.render_widget(Paragraph::new(lines), inner);

    // The two bar charts.
    let [sizes_area, means_area] =
        Layout::horizontal([Constraint::Percentage(45), Constraint::Percentage(55)])
            .areas(bars_area);
    let max_size = segs.iter().map(|s| s.size).max().unwrap_or(1).max(1);
    draw_bars(
        frame,
        sizes_area,
        app,
        " Segment sizes ",
        segs.iter()
            .map(|s| {
                (
                    s.id,
                    s.size as f64 / max_size as f64,
                    text::thousands(s.size),
                )
            })
            .collect(),
        offset,
    );
    let j = app.inspect.chart_feature.min(names.len().saturating_sub(1));
    if let Some(name) = names.get(j) {
        let values: Vec<f64> = segs.iter().map(|s| s.features[j].mean).collect();
        let max = values
            .iter()
            .copied()
            .fold(0.0f64, |a, v| a.max(v.abs()))
            .max(1e-12);
        draw_bars(
            frame,
            means_area,
            app,
            &format!(" Mean {name} {} ", t.glyphs.left_right),
            segs.iter()
                .zip(&values)
                .map(|(s, &v)| (s.id, v / max, charts::number(v, 9)))
                .collect(),
            offset,
        );
    }

    // The selected segment in a few lines.
    if detail_area.height >= 3
        && let Some(s) = segs.get(app.inspect.selected)
    {
        let block = pane_block(t, &format!(" {} ", s.label), false);
        let inner = block.inner(detail_area);
        frame.render_widget(block, detail_area);
        let lines = vec![
            Line::from(vec![
                Span::styled("Action: ", t.dim()),
                Span::styled(s.action.clone(), t.text()),
            ]),
            Line::from(vec![
                Span::styled("Stands out by: ", t.dim()),
                Span::styled(distinguishing(s, 3), t.text()),
            ]),
        ];
        frame.render_widget(
            Paragraph::new(lines).wrap(Wrap { trim: false }),
            Rect::new(
                inner.x + 1,
                inner.y,
                inner.width.saturating_sub(2),
                inner.height,
            ),
        );
    }
}

/// "Tenure high (median at P85), Balance high (median at P78)": the
/// direction decided in original units, where the segment's median sits
/// among all customers.
fn distinguishing(s: &SegmentProfile, n: usize) -> String {
    let t: Vec<String> = s
        .distinguishing
        .iter()
        .take(n)
        .filter_map(|name| s.feature(name))
        .map(trait_text)
        .collect();
    if t.is_empty() {
        "nothing: close to the average customer on every feature".into()
    } else {
        t.join(", ")
    }
}

fn draw_bars(
    frame: &mut Frame,
    area: Rect,
    app: &App,
    title: &str,
    rows: Vec<(u32, f64, String)>,
    offset: usize,
) {
    let t = &app.theme;
    let block = pane_block(t, title, false);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let width = inner.width as usize;
    let value_w = rows.iter().map(|r| text::width(&r.2)).max().unwrap_or(1);
    let bar_w = width.saturating_sub(3 + value_w + 2);
    // Negative values draw to the left of a rule, positive to the right.
    let signed = rows.iter().any(|r| r.1 < 0.0);
    let lines: Vec<Line> = rows
        .iter()
        .skip(offset.min(rows.len().saturating_sub(inner.height as usize)))
        .take(inner.height as usize)
        .map(|(id, frac, value)| {
            let selected = *id as usize == app.inspect.selected;
            let mut spans = vec![Span::styled(
                format!("{}{id:<2}", if selected { ">" } else { " " }),
                if selected { t.title() } else { t.dim() },
            )];
            if signed {
                let (pad, left, rule, right) = charts::zbar(*frac, bar_w, 1.0, &t.glyphs);
                let used = text::width(&pad)
                    + text::width(&left)
                    + text::width(&rule)
                    + text::width(&right);
                spans.extend([
                    Span::raw(pad),
                    Span::styled(left, t.segment(*id)),
                    Span::styled(rule, t.dim()),
                    Span::styled(right, t.segment(*id)),
                    Span::raw(" ".repeat(bar_w.saturating_sub(used) + 1)),
                ]);
            } else {
                let bar = charts::hbar(*frac, bar_w, &t.glyphs);
                let pad = bar_w.saturating_sub(text::width(&bar));
                spans.extend([
                    Span::styled(bar, t.segment(*id)),
                    Span::raw(" ".repeat(pad + 1)),
                ]);
            }
            spans.push(Span::styled(text::fit_right(value, value_w, ""), t.text()));
            Line::from(spans)
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}

/// `label` then `value` wrapped to `width`, the wrapped lines indented
/// under the value.
fn labelled(
    label: &str,
    value: &str,
    width: usize,
    label_style: Style,
    value_style: Style,
) -> Vec<Line<'static>> {
    const LABEL_W: usize = 9;
    text::wrap(value, width.saturating_sub(LABEL_W))
        .into_iter()
        .enumerate()
        .map(|(i, l)| {
            Line::from(vec![
                Span::styled(
                    text::fit(if i == 0 { label } else { "" }, LABEL_W, ""),
                    label_style,
                ),
                Span::styled(l, value_style),
            ])
        })
        .collect()
}

fn draw_segment(frame: &mut Frame, area: Rect, app: &App, p: &ProfileData) {
    let t = &app.theme;
    let Some(s) = p.profiles.segments.get(app.inspect.selected) else {
        return;
    };
    let title = format!(
        " Segment {} of {} {} {} customers ({:.1}%) ",
        s.id,
        p.profiles.segments.len(),
        t.glyphs.sep,
        text::thousands(s.size),
        s.share * 100.0
    );
    let inner_area = Rect::new(area.x, area.y, area.width, area.height);
    let width = inner_area.width.saturating_sub(4) as usize;
    let o = app.config.labels.overrides.get(&s.id);
    let mut lines = vec![Line::from(vec![
        Span::styled(text::fit("Label", 9, ""), t.dim()),
        Span::styled(s.label.clone(), t.title().patch(t.segment(s.id))),
        Span::styled(
            if o.is_some_and(|o| o.label.is_some()) {
                "  (yours; r renames)"
            } else {
                "  (r renames)"
            },
            t.dim(),
        ),
    ])];
    lines.extend(labelled("Action", &s.action, width, t.dim(), t.text()));
    lines.extend(labelled("Why", &s.label_reason, width, t.dim(), t.dim()));
    let (name_w, num_w) = (15, 10);
    let bar_w = width.saturating_sub(name_w + 3 * (num_w + 1) + 2).min(31);
    lines.push(Line::from(vec![
        Span::styled(text::fit("Feature", name_w, ""), t.title()),
        Span::styled(text::fit_right("Mean", num_w + 1, ""), t.title()),
        Span::styled(text::fit_right("Median", num_w + 1, ""), t.title()),
        Span::styled(text::fit_right("All med.", num_w + 1, ""), t.title()),
        Span::raw("  "),
        Span::styled(text::fit("vs all customers", bar_w, ""), t.title()),
    ]));
    for f in s.features.iter() {
        // The bar is the percentile effect in original units (0 when the
        // raw mean and median disagree), so it agrees with the numbers.
        let (pad, left, rule, right) =
            charts::zbar(4.0 * f.signal, bar_w.saturating_sub(6), 2.0, &t.glyphs);
        lines.push(Line::from(vec![
            Span::styled(text::fit(&f.feature, name_w, t.glyphs.ellipsis), t.text()),
            Span::styled(
                text::fit_right(&charts::number(f.mean, num_w), num_w + 1, ""),
                t.text(),
            ),
            Span::styled(
                text::fit_right(&charts::number(f.median, num_w), num_w + 1, ""),
                t.dim(),
            ),
            Span::styled(
                text::fit_right(&charts::number(f.overall_median, num_w), num_w + 1, ""),
                t.dim(),
            ),
            Span::raw("  "),
            Span::raw(pad),
            Span::styled(left, t.warn()),
            Span::styled(rule, t.dim()),
            Span::styled(right, t.ok()),
            Span::styled(
                match f.direction {
                    Direction::Typical => String::new(),
                    d => format!(" {}", d.word()),
                },
                t.dim(),
            ),
        ]));
    }
    lines.extend(z_and_profile_lines(s, width, app));
    lines.extend(labelled(
        "Traits",
        &distinguishing(s, 4),
        width,
        t.dim(),
        t.text(),
    ));
    for (name, shares) in &s.categories {
        let parts: Vec<String> = shares
            .iter()
            .map(|c| format!("{} {:.0}%", c.value, c.share * 100.0))
            .collect();
        lines.extend(labelled(
            &capitalise(name),
            &parts.join(&format!(" {} ", t.glyphs.sep)),
            width,
            t.dim(),
            t.text(),
        ));
    }
    let visible = inner_area.height.saturating_sub(2);
    let max_scroll = (lines.len() as u16).saturating_sub(visible);
    app.inspect.max_scroll.set(max_scroll);
    let scroll = app.inspect.scroll.min(max_scroll);
    let mut block = pane_block(t, &title, true);
    if max_scroll > 0 {
        let more = match (scroll > 0, scroll < max_scroll) {
            (true, true) => format!(" {} more ", t.glyphs.up_down),
            (false, _) => format!(" {} more ", t.glyphs.down),
            (true, false) => format!(" {} more ", t.glyphs.up),
        };
        block = block.title_bottom(Line::styled(more, t.dim()).right_aligned());
    }
    let inner = block.inner(inner_area);
    frame.render_widget(block, inner_area);
    let padded = Rect::new(
        inner.x + 1,
        inner.y,
        inner.width.saturating_sub(2),
        inner.height,
    );
    frame.render_widget(Paragraph::new(lines).scroll((scroll, 0)), padded);
}

/// The z-scores (saying which are on a log scale) and the profile-only
/// columns of a segment, for its drill-down.
fn z_and_profile_lines(s: &SegmentProfile, width: usize, app: &App) -> Vec<Line<'static>> {
    let t = &app.theme;
    let mut lines = Vec::new();
    let logged: Vec<&str> = s
        .features
        .iter()
        .filter(|f| f.z_scale != Transform::None)
        .map(|f| f.feature.as_str())
        .collect();
    let z_line: Vec<String> = s
        .features
        .iter()
        .map(|f| format!("{} {:+.1}", f.feature, f.z))
        .collect();
    lines.extend(labelled(
        "z",
        &format!(
            "{}{}",
            z_line.join(", "),
            if logged.is_empty() {
                String::new()
            } else {
                format!(" (on the log scale K-Means used for {})", logged.join(", "))
            }
        ),
        width,
        t.dim(),
        t.dim(),
    ));
    if !s.columns.is_empty() {
        let parts: Vec<String> = s
            .columns
            .iter()
            .map(|c| {
                if c.flag {
                    format!(
                        "{} {:.0}% (all {:.0}%)",
                        c.column,
                        c.mean * 100.0,
                        c.overall_mean * 100.0
                    )
                } else {
                    format!(
                        "{} {} (all {})",
                        c.column,
                        charts::number(c.median, 9),
                        charts::number(c.overall_median, 9)
                    )
                }
            })
            .collect();
        lines.extend(labelled(
            "Profile",
            &parts.join(&format!(" {} ", t.glyphs.sep)),
            width,
            t.dim(),
            t.text(),
        ));
    }
    lines
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

fn draw_customer(frame: &mut Frame, area: Rect, app: &App, p: &ProfileData) {
    let t = &app.theme;
    let (Some(c), Some(f), Some(cleaned)) = (
        &app.inspect.customer,
        app.data.features.as_deref(),
        app.data.cleaned.as_deref(),
    ) else {
        return;
    };
    let seg = customer_segment(app, c.row);
    let profile = seg.and_then(|s| p.profiles.segments.get(s as usize));
    let title = format!(
        " Customer {} {} segment {} ",
        c.id,
        t.glyphs.sep,
        profile.map_or("?".to_string(), |s| format!("{} {}", s.id, s.label))
    );
    let block = pane_block(
        t,
        &text::truncate(&title, area.width as usize - 2, t.glyphs.ellipsis),
        true,
    );
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let padded = Rect::new(
        inner.x + 1,
        inner.y,
        inner.width.saturating_sub(2),
        inner.height,
    );
    let table = &cleaned.table;
    let mut lines = vec![
        Line::from(vec![
            Span::styled("In the file: ", t.dim()),
            Span::styled(table.row_label(c.row), t.text()),
        ]),
        Line::default(),
    ];
    let (name_w, num_w) = (16, 12);
    lines.push(Line::from(vec![
        Span::styled(text::fit("Feature", name_w, ""), t.title()),
        Span::styled(text::fit_right("This customer", num_w + 2, ""), t.title()),
        Span::styled(text::fit_right("Segment mean", num_w + 2, ""), t.title()),
        Span::styled(text::fit_right("All customers", num_w + 2, ""), t.title()),
    ]));
    let row = f.features.original_row(c.row);
    for (j, name) in f.features.names.iter().enumerate() {
        let seg_mean = profile.and_then(|s| s.features.get(j)).map(|x| x.mean);
        lines.push(Line::from(vec![
            Span::styled(text::fit(name, name_w, t.glyphs.ellipsis), t.text()),
            Span::styled(
                text::fit_right(&charts::number(row[j], num_w), num_w + 2, ""),
                t.title(),
            ),
            Span::styled(
                text::fit_right(
                    &seg_mean.map_or("-".into(), |m| charts::number(m, num_w)),
                    num_w + 2,
                    "",
                ),
                t.text(),
            ),
            Span::styled(
                text::fit_right(
                    &charts::number(f.features.report.features[j].mean, num_w),
                    num_w + 2,
                    "",
                ),
                t.dim(),
            ),
        ]));
    }
    let others: Vec<String> = table
        .columns
        .iter()
        .filter(|col| {
            !col.ctype.is_numeric() && col.ctype != crate::pipeline::table::ColumnType::Date
        })
        .map(|col| format!("{} {}", col.name, col.data.display(c.row)))
        .collect();
    if !others.is_empty() {
        lines.push(Line::default());
        lines.push(Line::from(vec![
            Span::styled("Also: ", t.dim()),
            Span::styled(others.join(&format!(" {} ", t.glyphs.sep)), t.text()),
        ]));
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), padded);
}

fn draw_scatter(frame: &mut Frame, area: Rect, app: &App, p: &ProfileData) {
    let t = &app.theme;
    let (Some(pca), Some(k)) = (app.data.pca.as_deref(), app.data.k) else {
        let block = pane_block(t, " PCA ", true);
        let inner = block.inner(area);
        frame.render_widget(block, area);
        frame.render_widget(
            Paragraph::new(Line::styled("The PCA is being computed...", t.dim())),
            inner,
        );
        return;
    };
    let Some(labels) = app
        .data
        .sweep
        .as_ref()
        .and_then(|s| s.sweep.get(k))
        .map(|r| &r.fit.labels)
    else {
        return;
    };
    let n = app.data.features.as_ref().map_or(0, |f| f.features.n);
    // "3,000 customers" when every one is drawn, so the title fits 80 columns.
    let shown = if pca.rows.len() == n {
        format!("{} customers", text::thousands(n))
    } else {
        format!(
            "{} of {} customers",
            text::thousands(pca.rows.len()),
            text::thousands(n)
        )
    };
    let title = format!(
        " PCA of the features {} PC1 {:.0}%, PC2 {:.0}% of the variance {} {shown} ",
        t.glyphs.sep,
        pca.ratio[0] * 100.0,
        pca.ratio[1] * 100.0,
        t.glyphs.sep,
    );
    let block = pane_block(
        t,
        &text::truncate(&title, area.width as usize - 2, t.glyphs.ellipsis),
        true,
    );
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let segs = &p.profiles.segments;
    let mut per_segment: Vec<Vec<(f64, f64)>> = vec![Vec::new(); segs.len()];
    for (point, &row) in pca.points.iter().zip(&pca.rows) {
        if let Some(&l) = labels.get(row)
            && let Some(v) = per_segment.get_mut(l as usize)
        {
            v.push((point[0], point[1]));
        }
    }
    let bounds = |axis: usize| {
        let (lo, hi) = pca
            .points
            .iter()
            .map(|p| p[axis])
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
                (lo.min(v), hi.max(v))
            });
        if lo < hi {
            [lo, hi]
        } else {
            [lo - 1.0, lo + 1.0]
        }
    };
    let plain = !t.color || t.ascii;
    // The selected segment is drawn last, so it is on top.
    let mut order: Vec<usize> = (0..segs.len())
        .filter(|&i| i != app.inspect.selected)
        .collect();
    order.push(app.inspect.selected.min(segs.len().saturating_sub(1)));
    // The legend box does not clear what the chart drew under it: names
    // padded to one width cover its whole inside.
    let names: Vec<String> = segs
        .iter()
        .map(|s| text::truncate(&format!("{} {}", s.id, s.label), 26, t.glyphs.ellipsis))
        .collect();
    let name_width = names.iter().map(|n| text::width(n)).max().unwrap_or(0);
    let datasets: Vec<Dataset> = order
        .iter()
        .filter_map(|&i| {
            let s = segs.get(i)?;
            let name = &names[i];
            let pad = " ".repeat(name_width - text::width(name));
            let marker = if plain {
                Marker::Custom(char::from_digit(s.id % 10, 10).unwrap_or('*'))
            } else {
                Marker::Braille
            };
            let style: Style = if i == app.inspect.selected {
                t.segment(s.id).patch(t.title())
            } else {
                t.segment(s.id)
            };
            Some(
                Dataset::default()
                    .name(format!("{name}{pad}"))
                    .marker(marker)
                    .graph_type(GraphType::Scatter)
                    .style(style)
                    .data(&per_segment[i]),
            )
        })
        .collect();
    let [xb, yb] = [bounds(0), bounds(1)];
    let chart = Chart::new(datasets)
        .x_axis(
            Axis::default()
                .title(Line::styled("PC1", t.dim()))
                .bounds(xb)
                .style(t.dim()),
        )
        .y_axis(
            Axis::default()
                .title(Line::styled("PC2", t.dim()))
                .bounds(yb)
                .style(t.dim()),
        )
        .legend_position(Some(LegendPosition::TopRight))
        .hidden_legend_constraints((Constraint::Percentage(45), Constraint::Percentage(60)));
    frame.render_widget(chart, inner);
    if t.ascii {
        charts::asciify(frame.buffer_mut(), inner);
    }
}
