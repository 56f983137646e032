//! Drawing the Cluster screen: the sweep options, the metrics and the K
//! rule's evidence for every K, the Structure pane (the verdict and why K)
//! and the curve the K rule reads (the gap statistic, else the elbow) with
//! the chosen K marked.

use super::{ClusterScreen, OPTION_ROWS, OptionRow, Pane, option_value, pending, structure};
use crate::pipeline::analysis::k_choice;
use crate::pipeline::cluster::{Choice, KResult, SweepResult};
use crate::tui::jobs::JobKind;
use crate::tui::screens::DrawCtx;
use crate::tui::text;
use crate::tui::theme::Theme;
use crate::tui::widgets::{self, charts, pane_block, progress};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Axis, Block, Chart, Dataset, GraphType, Paragraph};

/// From this width the K table shows every metric (CH and DB beside the
/// gap evidence) in a wider left column.
const FULL_TABLE_FROM: u16 = 120;
/// Rows the chart needs to be worth drawing beside the Structure pane.
const MIN_CHART_ROWS: u16 = 10;

impl ClusterScreen {
    /// Options and the K table on the left; on the right the Structure
    /// pane, with the chart under it when there is room (else `v` swaps
    /// them). Below 72 columns one column: options and table, or (`v`) the
    /// Structure pane alone.
    pub(super) fn draw_body(&self, frame: &mut Frame, area: Rect, v: &DrawCtx) {
        let wide = area.width >= 72;
        if !wide {
            self.swap_label
                .set(Some(if self.swap { "K table" } else { "why" }));
            if self.swap {
                structure::draw(frame, area, v);
                return;
            }
        }
        let left_w = match area.width {
            w if w >= FULL_TABLE_FROM => 56,
            w if w >= 72 => 40,
            w => w,
        };
        let [left, right] =
            Layout::horizontal([Constraint::Length(left_w), Constraint::Min(0)]).areas(area);
        let [opts_area, table_area] =
            Layout::vertical([Constraint::Length(7), Constraint::Min(3)]).areas(left);
        draw_options(self, frame, opts_area, v);
        draw_metrics(self, frame, table_area, v, wide);
        if wide {
            self.draw_right(frame, right, v);
        }
    }

    /// The Structure pane and the chart, or the one `v` chose when both
    /// do not fit; the sweep's progress while it runs.
    fn draw_right(&self, frame: &mut Frame, area: Rect, v: &DrawCtx) {
        if let Some(job) = v.job(JobKind::Cluster) {
            self.swap_label.set(None);
            let block = pane_block(v.theme, " Sweep ", false);
            let inner = block.inner(area);
            frame.render_widget(block, area);
            progress::draw_job(frame, inner, v.theme, job);
            return;
        }
        let needed = structure::height(v, area.width);
        if area.height >= needed + MIN_CHART_ROWS {
            self.swap_label.set(None);
            let [top, bottom] =
                Layout::vertical([Constraint::Length(needed), Constraint::Min(0)]).areas(area);
            structure::draw(frame, top, v);
            draw_chart(frame, bottom, v);
        } else if self.swap {
            self.swap_label.set(Some("structure"));
            draw_chart(frame, area, v);
        } else {
            self.swap_label.set(Some("chart"));
            structure::draw(frame, area, v);
        }
    }
}

fn draw_options(s: &ClusterScreen, frame: &mut Frame, area: Rect, v: &DrawCtx) {
    let t = v.theme;
    let focused = s.focus == Pane::Options;
    let pending = pending(v);
    let title = if pending {
        format!(" Sweep {} changed: r runs it ", t.glyphs.sep)
    } else {
        " Sweep ".to_string()
    };
    let mut block = pane_block(t, &title, focused);
    if pending {
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
            let selected = focused && i == s.option_row;
            let value_w = width.saturating_sub(16);
            let line = Line::from(vec![
                Span::styled(format!(" {}", text::fit(label, 10, "")), t.text()),
                Span::styled(if selected { "< " } else { "  " }, t.key()),
                Span::styled(
                    text::fit(
                        &option_value(v.config, v.data, row),
                        value_w,
                        t.glyphs.ellipsis,
                    ),
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

/// `x` with up to `decimals` decimals in a cell `width` wide (a space
/// kept before it), "-" when there is none.
fn opt(x: Option<f64>, decimals: usize, width: usize) -> String {
    x.map_or_else(
        || "-".to_string(),
        |v| charts::fixed(v, decimals, width.saturating_sub(1)),
    )
}

/// A column of the K table.
#[derive(Clone, Copy, PartialEq)]
enum Col {
    K,
    Sse,
    Silhouette,
    /// Gap(K), the gap statistic.
    Gap,
    /// Gap(K) − Gap(K−1), marked when the K rule counts it a clear step.
    Step,
    Ch,
    Db,
}

impl Col {
    fn width(self) -> usize {
        match self {
            Col::K => 3,
            Col::Sse => 10,
            Col::Silhouette | Col::Gap | Col::Db => 7,
            Col::Step => 9,
            Col::Ch => 8,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Col::K => "K",
            Col::Sse => "SSE",
            Col::Silhouette => "Silh.",
            Col::Gap => "Gap",
            Col::Step => "Step  ",
            Col::Ch => "CH",
            Col::Db => "DB",
        }
    }
}

/// The columns that fit in `width`: the evidence the K rule reads first
/// (the gap and its steps, or without the gap statistic CH and DB beside
/// the knee), then the other metrics when there is room.
fn columns(has_gap: bool, width: usize) -> Vec<Col> {
    let mut cols = vec![Col::K, Col::Sse, Col::Silhouette];
    if has_gap {
        cols.extend([Col::Gap, Col::Step]);
        let used: usize = 2 + cols.iter().map(|c| c.width()).sum::<usize>();
        if used + Col::Ch.width() + Col::Db.width() <= width {
            cols.extend([Col::Ch, Col::Db]);
        }
    } else {
        cols.extend([Col::Ch, Col::Db]);
    }
    cols
}

/// The cell of `col` for the sweep's K `r`, and whether it is a clear step.
fn cell(col: Col, r: &KResult, sweep: &SweepResult, clear: bool, t: &Theme) -> String {
    let gap = sweep.gap.as_ref();
    let w = col.width();
    match col {
        Col::K => r.k.to_string(),
        Col::Sse => charts::number(r.fit.inertia, 9),
        Col::Silhouette => opt(r.metrics.silhouette, 3, w),
        Col::Gap => opt(gap.and_then(|g| g.get(r.k)).map(|p| p.gap), 3, w),
        Col::Step => {
            let mark = if clear { t.glyphs.done } else { " " };
            let gain = gap.and_then(|g| g.gain(r.k));
            let gain = gain.map_or_else(|| "-".to_string(), |x| signed(x, w - 3));
            format!("{gain} {mark}")
        }
        Col::Ch => r.metrics.calinski_harabasz.map_or("-".to_string(), |v| {
            if v >= 100.0 {
                charts::number(v.round(), 7)
            } else {
                format!("{v:.1}")
            }
        }),
        Col::Db => opt(r.metrics.davies_bouldin, 3, w),
    }
}

/// `x` with its sign and up to three decimals, fewer to fit in `width`.
fn signed(x: f64, width: usize) -> String {
    (0..=3)
        .rev()
        .map(|d| format!("{x:+.d$}"))
        .find(|s| s.chars().count() <= width)
        .unwrap_or_else(|| charts::number(x, width))
}

/// The K the rule counts as clear steps of the gap curve.
fn clear_steps(sweep: &SweepResult) -> Vec<usize> {
    sweep.gap.as_ref().map_or_else(Vec::new, |g| {
        k_choice::strong_steps(g, sweep.k_min, sweep.k_max)
            .into_iter()
            .filter(|s| s.1)
            .map(|s| s.0)
            .collect()
    })
}

/// The K table's block: what the columns are, the legend of the marks,
/// what came from samples, and (one column) the verdict in a few words.
fn metrics_block<'a>(v: &DrawCtx, focused: bool, wide: bool) -> Block<'a> {
    let t = v.theme;
    let sweep = v.data.sweep();
    let has_gap = sweep.is_some_and(|s| s.gap.is_some());
    let title = if has_gap {
        " K  (SSE, silhouette, gap, step) "
    } else {
        " K  (SSE, silhouette, CH, DB) "
    };
    let mut block = pane_block(t, title, focused);
    let brief = (!wide).then(|| structure::brief(v)).flatten();
    if let Some(brief) = brief {
        block = block.title_bottom(brief.left_aligned());
    } else if has_gap {
        let legend = format!(" {} clear step ", t.glyphs.done);
        block = block.title_bottom(Line::styled(legend, t.dim()).left_aligned());
    }
    if wide && let Some(note) = sweep.and_then(|s| sample_note(s)) {
        block = block.title_bottom(Line::styled(note, t.dim()).right_aligned());
    }
    block
}

fn draw_metrics(s: &ClusterScreen, frame: &mut Frame, area: Rect, v: &DrawCtx, wide: bool) {
    let t = v.theme;
    let focused = s.focus == Pane::Results;
    let block = metrics_block(v, focused, wide);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let Some(sweep) = v.data.sweep() else {
        let msg = if v.job(JobKind::Cluster).is_some() {
            "The sweep is running..."
        } else {
            "No sweep yet: r runs it."
        };
        frame.render_widget(Paragraph::new(Line::styled(msg, t.dim())), inner);
        return;
    };
    let stale = pending(v);
    let cols = columns(sweep.gap.is_some(), inner.width as usize);
    let mut header = vec![Span::raw("  ")];
    header.extend(
        cols.iter()
            .map(|c| Span::styled(text::fit_right(c.name(), c.width(), ""), t.title())),
    );
    let rows = &sweep.results;
    let height = (inner.height as usize).saturating_sub(1);
    let chosen_row = rows
        .iter()
        .position(|r| Some(r.k) == v.data.k())
        .unwrap_or(0);
    let offset = widgets::scroll_offset(&s.offset, chosen_row, height, rows.len());
    let clear = clear_steps(sweep);
    let mut lines = vec![Line::from(header)];
    for (i, r) in rows.iter().enumerate().skip(offset).take(height) {
        let chosen = i == chosen_row;
        let style = if stale || r.k == 1 { t.dim() } else { t.text() };
        let is_clear = clear.contains(&r.k);
        let mut spans = vec![Span::raw(if chosen { t.glyphs.pointer } else { "  " })];
        for &c in &cols {
            let text = text::fit_right(&cell(c, r, sweep, is_clear, t), c.width(), "");
            let cell_style = if c == Col::Step && is_clear && !stale {
                t.ok()
            } else {
                style
            };
            spans.push(Span::styled(text, cell_style));
        }
        if sweep.gap.is_none() && sweep.knee == Some(r.k) {
            spans.push(Span::styled(" knee", t.dim()));
        }
        let line = Line::from(spans);
        lines.push(if chosen {
            let selected = if focused {
                t.selected()
            } else {
                t.selected_unfocused()
            };
            widgets::highlight(line, selected)
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

/// The curve the K rule reads, by K: the gap statistic, or the SSE
/// (elbow) without it; its name and value bounds.
struct Curve {
    name: &'static str,
    /// The gap statistic (small values with decimals), not the SSE.
    gap: bool,
    points: Vec<(f64, f64)>,
    y_min: f64,
    y_max: f64,
}

impl Curve {
    fn of(sweep: &SweepResult) -> Curve {
        match &sweep.gap {
            Some(g) => {
                let points: Vec<(f64, f64)> =
                    g.points.iter().map(|p| (p.k as f64, p.gap)).collect();
                let lo = points.iter().map(|p| p.1).fold(f64::INFINITY, f64::min);
                let hi = points.iter().map(|p| p.1).fold(f64::NEG_INFINITY, f64::max);
                let pad = ((hi - lo) * 0.05).max(1e-9);
                Curve {
                    name: "Gap by K",
                    gap: true,
                    points,
                    y_min: lo - pad,
                    y_max: hi + pad,
                }
            }
            None => {
                let points: Vec<(f64, f64)> = sweep
                    .results
                    .iter()
                    .map(|r| (r.k as f64, r.fit.inertia))
                    .collect();
                let hi = points.iter().map(|p| p.1).fold(0.0, f64::max) * 1.05;
                Curve {
                    name: "Elbow: SSE by K",
                    gap: false,
                    points,
                    y_min: 0.0,
                    y_max: hi.max(1e-9),
                }
            }
        }
    }

    /// Axis labels: the bottom, the middle and the top.
    fn y_labels(&self, t: &Theme) -> Vec<Line<'static>> {
        let mid = (self.y_min + self.y_max) / 2.0;
        [self.y_min, mid, self.y_max]
            .into_iter()
            .map(|y| {
                let s = if self.gap {
                    format!("{y:.2}")
                } else {
                    charts::number(y, 7)
                };
                Line::styled(s, t.dim())
            })
            .collect()
    }
}

fn draw_chart(frame: &mut Frame, area: Rect, v: &DrawCtx) {
    let t = v.theme;
    let g = &t.glyphs;
    let Some(sweep) = v.data.sweep() else {
        frame.render_widget(pane_block(t, " Chart ", false), area);
        return;
    };
    let curve = Curve::of(sweep);
    let title = match v.data.k_pick() {
        Some(pick) => format!(
            " {} {} K={} ({}) ",
            curve.name,
            g.sep,
            pick.k,
            choice_name(pick.choice, sweep.gap.is_some())
        ),
        None => format!(" {} ", curve.name),
    };
    let block = pane_block(t, &title, false);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let (Some(first), Some(last)) = (curve.points.first(), curve.points.last()) else {
        return;
    };
    let chosen: Vec<(f64, f64)> = curve
        .points
        .iter()
        .copied()
        .filter(|p| Some(p.0 as usize) == v.data.k())
        .collect();
    let rule: Vec<(f64, f64)> = chosen
        .first()
        .map(|&(x, y)| vec![(x, curve.y_min), (x, y)])
        .unwrap_or_default();
    let datasets = datasets(t, &curve.points, &chosen, &rule);
    // ratatui spreads axis labels evenly, not at their values: only the
    // ends are labelled, so no label sits under the wrong K.
    let x_labels: Vec<Line> = vec![
        Line::styled(format!("K={}", first.0), t.dim()),
        Line::styled(format!("K={}", last.0), t.dim()),
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
                .bounds([curve.y_min, curve.y_max])
                .labels(curve.y_labels(t))
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

/// The curve with its points, and the chosen K marked by a rule down to
/// the axis and its own marker.
fn datasets<'a>(
    t: &Theme,
    curve: &'a [(f64, f64)],
    chosen: &'a [(f64, f64)],
    rule: &'a [(f64, f64)],
) -> Vec<Dataset<'a>> {
    let g = &t.glyphs;
    let colour = |style: Style| if t.color { style } else { Style::new() };
    let mut datasets = vec![
        Dataset::default()
            .marker(g.chart_line)
            .graph_type(GraphType::Line)
            .style(colour(t.bar_done()))
            .data(curve),
        Dataset::default()
            .marker(g.chart_point)
            .graph_type(GraphType::Scatter)
            .style(t.text())
            .data(curve),
    ];
    if !rule.is_empty() {
        datasets.push(
            Dataset::default()
                .marker(g.chart_line)
                .graph_type(GraphType::Line)
                .style(t.warn())
                .data(rule),
        );
        datasets.push(
            Dataset::default()
                .marker(g.chart_chosen)
                .graph_type(GraphType::Scatter)
                .style(t.warn())
                .data(chosen),
        );
    }
    datasets
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

/// How K was chosen, in a word or two for the chart title (the gap rule
/// reports its choice as `Knee`: the last clear step).
fn choice_name(choice: Choice, gap: bool) -> &'static str {
    match (choice, gap) {
        (Choice::Fixed, _) => "fixed",
        (Choice::Knee, true) => "last clear step",
        (Choice::Knee, false) => "knee",
        (Choice::BestSilhouette, _) => "best silhouette",
        (Choice::Smallest, true) => "no clear step",
        (Choice::Smallest, false) => "smallest K",
    }
}
