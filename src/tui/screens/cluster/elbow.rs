//! The curve the K rule reads (the gap statistic, else the elbow of the
//! SSE), by K, with the chosen K marked on the line.
//!
//! The y-axis fits the swept range: K = 1 (computed for the elbow only)
//! usually lies far above the rest of the SSE curve and would squash it
//! flat, so a point outside the range's bounds is drawn at the edge with
//! an arrow, its value in the legend. The line is drawn by ratatui's
//! `Chart`; the points and the chosen K are drawn over it into the very
//! cells the line passes through (ratatui places a Braille line and a
//! one-cell marker by different rounding, which put the marker beside the
//! line).

use crate::pipeline::cluster::SweepResult;
use crate::pipeline::progress::KFitted;
use crate::tui::text;
use crate::tui::theme::Theme;
use crate::tui::widgets::charts;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Axis, Chart, Dataset, GraphType, Paragraph};

/// The curve the K rule reads, by K: the gap statistic, or the SSE
/// (elbow) without it; its name and the bounds of the y-axis.
pub struct Curve {
    pub name: &'static str,
    /// The gap statistic (small values with decimals), not the SSE.
    pub gap: bool,
    /// (K, value) ascending by K, as computed.
    pub points: Vec<(f64, f64)>,
    pub y_min: f64,
    pub y_max: f64,
}

impl Curve {
    /// The curve of a finished sweep.
    pub fn of(sweep: &SweepResult) -> Curve {
        match &sweep.gap {
            Some(g) => {
                let points = g.points.iter().map(|p| (p.k as f64, p.gap)).collect();
                Curve::fitted("Gap by K", true, points, sweep.k_min)
            }
            None => {
                let points = sweep
                    .results
                    .iter()
                    .map(|r| (r.k as f64, r.fit.inertia))
                    .collect();
                Curve::fitted("Elbow: SSE by K", false, points, sweep.k_min)
            }
        }
    }

    /// The SSE of the K a running sweep has fitted so far.
    pub fn streaming(fitted: &[KFitted], k_min: usize) -> Curve {
        let mut points: Vec<(f64, f64)> = fitted.iter().map(|f| (f.k as f64, f.sse)).collect();
        points.sort_by(|a, b| a.0.total_cmp(&b.0));
        Curve::fitted("Elbow so far: SSE by K", false, points, k_min)
    }

    /// Bounds that fit the points of the range (K >= `k_min`), padded;
    /// all points when fewer than two are in the range.
    fn fitted(name: &'static str, gap: bool, points: Vec<(f64, f64)>, k_min: usize) -> Curve {
        let in_range: Vec<f64> = points
            .iter()
            .filter(|p| p.0 >= k_min as f64)
            .map(|p| p.1)
            .collect();
        let ys: Vec<f64> = if in_range.len() >= 2 {
            in_range
        } else {
            points.iter().map(|p| p.1).collect()
        };
        let lo = ys.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = ys.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let (lo, hi) = if lo.is_finite() { (lo, hi) } else { (0.0, 1.0) };
        let pad = ((hi - lo) * 0.08).max(hi.abs() * 1e-6).max(1e-9);
        Curve {
            name,
            gap,
            points,
            y_min: lo - pad,
            y_max: hi + pad,
        }
    }

    /// Where a value is drawn: itself, or the edge it lies beyond.
    fn clamp(&self, y: f64) -> f64 {
        y.clamp(self.y_min, self.y_max)
    }

    /// Points beyond the y-axis' bounds: (K, value, above the top).
    pub fn off_scale(&self) -> Vec<(f64, f64, bool)> {
        self.points
            .iter()
            .filter(|p| p.1 > self.y_max || p.1 < self.y_min)
            .map(|p| (p.0, p.1, p.1 > self.y_max))
            .collect()
    }

    fn value_text(&self, y: f64, width: usize) -> String {
        if self.gap {
            format!("{y:.2}")
        } else {
            charts::number(y, width)
        }
    }

    /// Axis labels: the bottom, the middle and the top.
    fn y_labels(&self, t: &Theme) -> Vec<Line<'static>> {
        let mid = (self.y_min + self.y_max) / 2.0;
        [self.y_min, mid, self.y_max]
            .into_iter()
            .map(|y| Line::styled(self.value_text(y, 7), t.dim()))
            .collect()
    }
}

/// Draws `curve` in `area` (no border) with `chosen` K marked on the line
/// and a legend on the last row.
pub fn draw_curve(frame: &mut Frame, area: Rect, t: &Theme, curve: &Curve, chosen: Option<usize>) {
    let g = &t.glyphs;
    let (Some(first), Some(last)) = (curve.points.first(), curve.points.last()) else {
        return;
    };
    let x_max = if last.0 > first.0 {
        last.0
    } else {
        first.0 + 1.0
    };
    let line: Vec<(f64, f64)> = curve
        .points
        .iter()
        .map(|&(k, y)| (k, curve.clamp(y)))
        .collect();
    let chosen_point = line.iter().copied().find(|p| Some(p.0 as usize) == chosen);
    let rule: Vec<(f64, f64)> = chosen_point
        .map(|(x, y)| vec![(x, curve.y_min), (x, y)])
        .unwrap_or_default();
    let colour = |style: Style| if t.color { style } else { Style::new() };
    let mut datasets = vec![
        Dataset::default()
            .marker(g.chart_line)
            .graph_type(GraphType::Line)
            .style(colour(t.bar_done()))
            .data(&line),
    ];
    if !rule.is_empty() {
        datasets.push(
            Dataset::default()
                .marker(g.chart_line)
                .graph_type(GraphType::Line)
                .style(t.warn())
                .data(&rule),
        );
    }
    // ratatui spreads axis labels evenly, not at their values: only the
    // ends are labelled, so no label sits under the wrong K.
    let x_labels = vec![
        Line::styled(format!("K={}", first.0), t.dim()),
        Line::styled(format!("K={x_max}"), t.dim()),
    ];
    let y_labels = curve.y_labels(t);
    let label_w = y_labels.iter().map(Line::width).max().unwrap_or(0);
    let first_x_w = x_labels.first().map_or(0, Line::width);
    let chart = Chart::new(datasets)
        .x_axis(
            Axis::default()
                .bounds([first.0, x_max])
                .labels(x_labels)
                .style(t.dim()),
        )
        .y_axis(
            Axis::default()
                .bounds([curve.y_min, curve.y_max])
                .labels(y_labels)
                .style(t.dim()),
        );
    let chart_area = Rect::new(area.x, area.y, area.width, area.height.saturating_sub(1));
    frame.render_widget(chart, chart_area);
    if t.ascii {
        charts::asciify(frame.buffer_mut(), chart_area);
    }
    let plot = Plot {
        graph: graph_area(chart_area, label_w, first_x_w),
        x: [first.0, x_max],
        y: [curve.y_min, curve.y_max],
        dots: dots_per_cell(g.chart_line),
    };
    let off = curve.off_scale();
    for &(k, y) in &line {
        let is_off = off.iter().find(|o| o.0 == k);
        let (symbol, style) = match is_off {
            Some(&(_, _, above)) => (off_mark(t, above), t.warn()),
            None if Some(k) == chosen_point.map(|p| p.0) => {
                (marker_text(g.chart_chosen, t.ascii), t.warn())
            }
            None => (marker_text(g.chart_point, t.ascii), t.text()),
        };
        if let Some((cx, cy)) = plot.cell(k, y) {
            frame.buffer_mut()[(cx, cy)]
                .set_symbol(&symbol)
                .set_style(style);
        }
    }
    draw_legend(frame, area, t, curve, &off, chosen_point.is_some());
}

/// What the marks mean, under the chart (and the value of a point drawn
/// at the edge).
fn draw_legend(
    frame: &mut Frame,
    area: Rect,
    t: &Theme,
    curve: &Curve,
    off: &[(f64, f64, bool)],
    with_chosen: bool,
) {
    let g = &t.glyphs;
    let mut spans = Vec::new();
    if with_chosen {
        spans.push(Span::styled(marker_text(g.chart_chosen, t.ascii), t.warn()));
        spans.push(Span::styled(" chosen K  ", t.dim()));
    }
    spans.push(Span::styled(marker_text(g.chart_point, t.ascii), t.text()));
    spans.push(Span::styled(" K computed", t.dim()));
    for &(k, y, above) in off {
        spans.push(Span::styled(format!("  {}", off_mark(t, above)), t.warn()));
        spans.push(Span::styled(
            format!(" K={k}: {} (off the scale)", curve.value_text(y, 9)),
            t.dim(),
        ));
    }
    let width = area.width as usize;
    let legend: Vec<Span> = fit_line(spans, width, t.glyphs.ellipsis);
    frame.render_widget(
        Paragraph::new(Line::from(legend)).centered(),
        Rect::new(area.x, area.bottom().saturating_sub(1), area.width, 1),
    );
}

fn fit_line(spans: Vec<Span<'static>>, width: usize, ellipsis: &str) -> Vec<Span<'static>> {
    let mut left = width;
    let mut out = Vec::new();
    for s in spans {
        let w = text::width(&s.content);
        if w <= left {
            left -= w;
            out.push(s);
        } else {
            out.push(Span::styled(
                text::truncate(&s.content, left, ellipsis),
                s.style,
            ));
            break;
        }
    }
    out
}

/// A point beyond the top (or bottom) of the y-axis.
fn off_mark(t: &Theme, above: bool) -> String {
    match (above, t.ascii) {
        (true, false) => "▲",
        (false, false) => "▼",
        (true, true) => "^",
        (false, true) => "v",
    }
    .to_string()
}

pub fn marker_text(m: Marker, ascii: bool) -> String {
    match m {
        Marker::Custom(c) => c.to_string(),
        Marker::Block => "█".into(),
        Marker::Dot if !ascii => "•".into(),
        _ => "*".into(),
    }
}

/// Dots per cell (across, down) of the grid a marker draws on.
fn dots_per_cell(m: Marker) -> (f64, f64) {
    match m {
        Marker::Braille => (2.0, 4.0),
        Marker::HalfBlock => (1.0, 2.0),
        _ => (1.0, 1.0),
    }
}

/// The plotting area of a `Chart` drawn into `area` with both axes
/// labelled: what ratatui's chart layout leaves after the labels left of
/// the y-axis (at most a third of the width), the axis line, and the x
/// labels and x-axis line at the bottom.
fn graph_area(area: Rect, y_label_w: usize, first_x_label_w: usize) -> Rect {
    let left = (y_label_w.max(first_x_label_w.saturating_sub(1)) as u16).min(area.width / 3);
    let x = area.x + left + 1;
    Rect::new(
        x,
        area.y,
        area.right().saturating_sub(x),
        area.height.saturating_sub(2),
    )
}

/// How a chart maps values to cells.
struct Plot {
    graph: Rect,
    x: [f64; 2],
    y: [f64; 2],
    dots: (f64, f64),
}

impl Plot {
    /// The cell of the point (x, y): ratatui's canvas rounding on the
    /// line's grid, then the cell holding that dot.
    fn cell(&self, x: f64, y: f64) -> Option<(u16, u16)> {
        let g = self.graph;
        if g.width == 0 || g.height == 0 {
            return None;
        }
        let (w, h) = (self.x[1] - self.x[0], self.y[1] - self.y[0]);
        if w <= 0.0 || h <= 0.0 || !x.is_finite() || !y.is_finite() {
            return None;
        }
        let res_x = g.width as f64 * self.dots.0;
        let res_y = g.height as f64 * self.dots.1;
        let dx = ((x - self.x[0]) * (res_x - 1.0) / w).round().max(0.0);
        let dy = ((self.y[1] - y) * (res_y - 1.0) / h).round().max(0.0);
        let cx = (dx / self.dots.0).floor() as u16;
        let cy = (dy / self.dots.1).floor() as u16;
        (cx < g.width && cy < g.height).then_some((g.x + cx, g.y + cy))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn curve(points: &[(f64, f64)]) -> Curve {
        Curve::fitted("t", false, points.to_vec(), 2)
    }

    #[test]
    fn the_axis_fits_the_range_and_k1_is_off_the_scale() {
        let c = curve(&[
            (1.0, 21_000.0),
            (2.0, 11_000.0),
            (3.0, 6_000.0),
            (4.0, 5_000.0),
        ]);
        assert!(c.y_max < 12_000.0 && c.y_max > 11_000.0, "{}", c.y_max);
        assert!(c.y_min < 5_000.0 && c.y_min > 4_000.0, "{}", c.y_min);
        assert_eq!(c.off_scale(), vec![(1.0, 21_000.0, true)]);
    }

    #[test]
    fn with_one_k_in_the_range_every_point_counts() {
        let c = curve(&[(1.0, 10.0), (2.0, 4.0)]);
        assert!(c.y_max > 10.0 && c.y_min < 4.0);
        assert!(c.off_scale().is_empty());
    }

    #[test]
    fn cells_follow_the_lines_grid() {
        let plot = Plot {
            graph: Rect::new(10, 0, 20, 10),
            x: [0.0, 1.0],
            y: [0.0, 1.0],
            dots: (2.0, 4.0),
        };
        assert_eq!(plot.cell(0.0, 1.0), Some((10, 0)));
        assert_eq!(plot.cell(1.0, 0.0), Some((29, 9)));
        // 0.9 down the Braille grid: dot round(0.9 * 39) = 35, row 8.
        assert_eq!(plot.cell(0.0, 0.1).map(|c| c.1), Some(8));
        assert_eq!(plot.cell(2.0, 0.5), None);
    }

    /// Whatever the values, the cell of each point is one the drawn line
    /// passes through (ratatui's own one-cell markers miss it by a row).
    #[test]
    fn every_point_lands_on_the_drawn_line() {
        use ratatui::buffer::Buffer;
        use ratatui::widgets::Widget;
        let mut seed = 7u64;
        let mut next = || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as f64 / (1u64 << 31) as f64
        };
        for (w, h) in [(40u16, 12u16), (57, 19), (23, 7), (90, 30)] {
            let points: Vec<(f64, f64)> = (1..=10).map(|k| (k as f64, 100.0 * next())).collect();
            let c = curve(&points);
            let line: Vec<(f64, f64)> = points.iter().map(|&(k, y)| (k, c.clamp(y))).collect();
            let area = Rect::new(0, 0, w, h);
            let mut buf = Buffer::empty(area);
            let y_labels = c.y_labels(&Theme::new(Default::default()));
            let label_w = y_labels.iter().map(Line::width).max().unwrap_or(0);
            Chart::new(vec![
                Dataset::default()
                    .marker(Marker::Braille)
                    .graph_type(GraphType::Line)
                    .data(&line),
            ])
            .x_axis(
                Axis::default()
                    .bounds([1.0, 10.0])
                    .labels(vec![Line::from("K=1"), Line::from("K=10")]),
            )
            .y_axis(Axis::default().bounds([c.y_min, c.y_max]).labels(y_labels))
            .render(area, &mut buf);
            let plot = Plot {
                graph: graph_area(area, label_w, 3),
                x: [1.0, 10.0],
                y: [c.y_min, c.y_max],
                dots: (2.0, 4.0),
            };
            for &(k, y) in &line {
                let (cx, cy) = plot.cell(k, y).expect("inside");
                let sym = buf[(cx, cy)].symbol().chars().next().unwrap_or(' ');
                assert!(
                    ('\u{2801}'..='\u{28FF}').contains(&sym),
                    "{w}x{h}: K={k} at ({cx},{cy}) is {sym:?}"
                );
            }
        }
    }
}
