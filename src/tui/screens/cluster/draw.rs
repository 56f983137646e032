//! Drawing the Cluster screen: the sweep options, the metrics of every K
//! and the elbow curve with the chosen K marked.

use super::{ClusterScreen, OPTION_ROWS, OptionRow, Pane, option_value, pending};
use crate::pipeline::cluster::{Choice, SweepResult};
use crate::tui::jobs::JobKind;
use crate::tui::screens::DrawCtx;
use crate::tui::text;
use crate::tui::widgets::{self, charts, pane_block, progress};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Axis, Chart, Dataset, GraphType, Paragraph};

impl ClusterScreen {
    /// Options and metrics on the left, the elbow chart on the right (from
    /// 72 columns).
    pub(super) fn draw_body(&self, frame: &mut Frame, area: Rect, v: &DrawCtx) {
        let wide = area.width >= 72;
        let left_w = if wide { 40 } else { area.width };
        let [left, right] =
            Layout::horizontal([Constraint::Length(left_w), Constraint::Min(0)]).areas(area);
        let [opts_area, table_area] =
            Layout::vertical([Constraint::Length(7), Constraint::Min(3)]).areas(left);
        draw_options(self, frame, opts_area, v);
        draw_metrics(self, frame, table_area, v, wide);
        if wide {
            draw_chart(frame, right, v);
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

fn opt(x: Option<f64>, decimals: usize) -> String {
    x.map_or_else(|| "-".to_string(), |v| format!("{v:.decimals$}"))
}

fn draw_metrics(s: &ClusterScreen, frame: &mut Frame, area: Rect, v: &DrawCtx, wide: bool) {
    let t = v.theme;
    let focused = s.focus == Pane::Results;
    let title = if wide {
        " K  (SSE, silhouette, CH, DB) ".to_string()
    } else {
        format!(
            " K  (SSE, silhouette, CH, DB) {} elbow chart from 72 columns ",
            t.glyphs.sep
        )
    };
    let mut block = pane_block(t, &title, focused);
    if let Some(note) = v.data.sweep().and_then(|s| sample_note(s)) {
        block = block.title_bottom(Line::styled(note, t.dim()).right_aligned());
    }
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
    let header = Line::from(vec![
        Span::raw("  "),
        Span::styled(text::fit_right("K", 3, ""), t.title()),
        Span::styled(text::fit_right("SSE", 10, ""), t.title()),
        Span::styled(text::fit_right("Silh.", 7, ""), t.title()),
        Span::styled(text::fit_right("CH", 8, ""), t.title()),
        Span::styled(text::fit_right("DB", 7, ""), t.title()),
    ]);
    let rows = &sweep.results;
    let height = (inner.height as usize).saturating_sub(1);
    let chosen_row = rows
        .iter()
        .position(|r| Some(r.k) == v.data.k())
        .unwrap_or(0);
    let offset = widgets::scroll_offset(&s.offset, chosen_row, height, rows.len());
    let mut lines = vec![header];
    for (i, r) in rows.iter().enumerate().skip(offset).take(height) {
        let chosen = i == chosen_row;
        let knee = sweep.knee == Some(r.k);
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

fn draw_chart(frame: &mut Frame, area: Rect, v: &DrawCtx) {
    let t = v.theme;
    let g = &t.glyphs;
    let running = v.job(JobKind::Cluster);
    let title = match (v.data.k_pick(), v.data.sweep()) {
        (Some(pick), Some(_)) => format!(
            " Elbow: SSE by K {} K={} ({}) ",
            g.sep,
            pick.k,
            choice_name(pick.choice)
        ),
        _ => " Elbow: SSE by K ".to_string(),
    };
    let block = pane_block(t, &title, false);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if let Some(job) = running {
        progress::draw_job(frame, inner, t, job);
        return;
    }
    let Some(sweep) = v.data.sweep() else {
        return;
    };
    let k = v.data.k();
    let curve: Vec<(f64, f64)> = sweep
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
        .filter(|p| Some(p.0 as usize) == k)
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
