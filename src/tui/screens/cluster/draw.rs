//! Drawing the Cluster screen: the sweep options, the metrics and the K
//! rule's evidence for every K, the Structure pane (the verdict and why K)
//! and the curve the K rule reads (the gap statistic, else the elbow) with
//! the chosen K marked.

use super::elbow::{self, Curve};
use super::{
    ClusterScreen, OPTION_ROWS, OptionRow, Pane, option_value, pending, streaming, structure,
};
use crate::pipeline::analysis::k_choice;
use crate::pipeline::cluster::{Choice, KResult, SweepResult};
use crate::tui::jobs::JobKind;
use crate::tui::screens::DrawCtx;
use crate::tui::text;
use crate::tui::theme::Theme;
use crate::tui::widgets::{self, charts, pane_block};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

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
            streaming::draw_progress_and_curve(frame, area, v, job);
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
pub(super) fn opt(x: Option<f64>, decimals: usize, width: usize) -> String {
    x.map_or_else(
        || "-".to_string(),
        |v| charts::fixed(v, decimals, width.saturating_sub(1)),
    )
}

/// A column of the K table.
#[derive(Clone, Copy, PartialEq)]
pub(super) enum Col {
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
    pub(super) fn width(self) -> usize {
        match self {
            Col::K => 3,
            Col::Sse => 10,
            Col::Silhouette | Col::Gap | Col::Db => 7,
            Col::Step => 9,
            Col::Ch => 8,
        }
    }

    pub(super) fn name(self) -> &'static str {
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
pub(super) fn columns(has_gap: bool, width: usize) -> Vec<Col> {
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
        Col::Ch => ch_text(r.metrics.calinski_harabasz),
        Col::Db => opt(r.metrics.davies_bouldin, 3, w),
    }
}

/// Calinski–Harabasz: whole above 100, one decimal below.
pub(super) fn ch_text(ch: Option<f64>) -> String {
    ch.map_or("-".to_string(), |v| {
        if v >= 100.0 {
            charts::number(v.round(), 7)
        } else {
            format!("{v:.1}")
        }
    })
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
    if v.job(JobKind::Cluster).is_some() {
        return pane_block(t, " K  (each K as it is fitted) ", focused);
    }
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
    if let Some(job) = v.job(JobKind::Cluster) {
        streaming::draw_rows(frame, inner, v, job, &columns(false, inner.width as usize));
        return;
    }
    let Some(sweep) = v.data.sweep() else {
        let msg = "No sweep yet: r runs it.";
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

fn draw_chart(frame: &mut Frame, area: Rect, v: &DrawCtx) {
    let t = v.theme;
    let Some(sweep) = v.data.sweep() else {
        frame.render_widget(pane_block(t, " Chart ", false), area);
        return;
    };
    let curve = Curve::of(sweep);
    let title = match v.data.k_pick() {
        Some(pick) => format!(
            " {} {} K={} ({}) ",
            curve.name,
            t.glyphs.sep,
            pick.k,
            choice_name(pick.choice, sweep.gap.is_some())
        ),
        None => format!(" {} ", curve.name),
    };
    let block = pane_block(t, &title, false);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    elbow::draw_curve(frame, inner, t, &curve, v.data.k());
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
