//! The sweep while it runs: each K's SSE and metrics in the table as soon
//! as it is fitted (the pipeline reports them through its progress), the
//! elbow of the K fitted so far, the progress with the time spent and an
//! estimate of the time left. The gap statistic comes after the last fit,
//! so its columns wait for the end.

use super::draw::{Col, ch_text, opt};
use super::elbow::{self, Curve};
use crate::pipeline::progress::KFitted;
use crate::tui::jobs::RunningJob;
use crate::tui::screens::DrawCtx;
use crate::tui::text;
use crate::tui::theme::Theme;
use crate::tui::widgets::{charts, pane_block, progress};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use std::time::{Duration, Instant};

/// "0:07", "1:02:03".
pub fn clock(d: Duration) -> String {
    let s = d.as_secs();
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    } else {
        format!("{}:{:02}", s / 60, s % 60)
    }
}

/// "K 4 of 10 fitted · 0:12 spent · about 0:18 left".
pub fn timing_text(job: &RunningJob, now: Instant, sep: &str) -> String {
    let (spent, left) = job.timing(now);
    let mut parts = Vec::new();
    if let Some(last) = job.fitted.last() {
        parts.push(format!("K {} of {} fitted", last.done, last.total));
    }
    parts.push(format!("{} spent", clock(spent)));
    parts.push(match left {
        Some(left) => format!("about {} left", clock(left)),
        None => "time left: estimating".to_string(),
    });
    parts.join(&format!(" {sep} "))
}

/// The cell of `col` for a K just fitted ("…" for the gap columns, which
/// come at the end).
fn cell(col: Col, f: &KFitted, ellipsis: &str) -> String {
    let w = col.width();
    match col {
        Col::K => f.k.to_string(),
        Col::Sse => charts::number(f.sse, 9),
        Col::Silhouette => opt(f.metrics.silhouette, 3, w),
        Col::Ch => ch_text(f.metrics.calinski_harabasz),
        Col::Db => opt(f.metrics.davies_bouldin, 3, w),
        Col::Gap | Col::Step => ellipsis.to_string(),
    }
}

/// The K table of a running sweep: one row per K fitted so far, then the
/// K being fitted.
pub(super) fn draw_rows(
    frame: &mut Frame,
    area: Rect,
    v: &DrawCtx,
    job: &RunningJob,
    cols: &[Col],
) {
    let t = v.theme;
    let mut header = vec![Span::raw("  ")];
    header.extend(
        cols.iter()
            .map(|c| Span::styled(text::fit_right(c.name(), c.width(), ""), t.title())),
    );
    let mut lines = vec![Line::from(header)];
    let mut fitted: Vec<&KFitted> = job.fitted.iter().collect();
    fitted.sort_by_key(|f| f.k);
    let height = (area.height as usize).saturating_sub(2);
    // The newest rows stay in sight.
    let skip = fitted.len().saturating_sub(height);
    for f in fitted.iter().skip(skip) {
        let style = if f.k == 1 { t.dim() } else { t.text() };
        let mut spans = vec![Span::raw("  ")];
        for &c in cols {
            let text = text::fit_right(&cell(c, f, t.glyphs.ellipsis), c.width(), "");
            spans.push(Span::styled(text, style));
        }
        lines.push(Line::from(spans));
    }
    let width = (area.width as usize).saturating_sub(2);
    lines.push(Line::styled(
        format!(
            "  {}",
            text::truncate(&job.message, width, t.glyphs.ellipsis)
        ),
        t.dim(),
    ));
    frame.render_widget(Paragraph::new(lines), area);
}

/// The progress (bar, what is being done, time spent and left) above the
/// elbow of the K fitted so far.
pub(super) fn draw_progress_and_curve(
    frame: &mut Frame,
    area: Rect,
    v: &DrawCtx,
    job: &RunningJob,
) {
    let t = v.theme;
    let block = pane_block(t, " Sweep ", false);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let timing = timing_text(job, Instant::now(), t.glyphs.sep);
    let enough_points = job.fitted.len() >= 2;
    if !enough_points || inner.height < 12 {
        progress::draw_job(frame, inner, t, job);
        let y = inner.bottom().saturating_sub(1);
        frame.render_widget(
            Paragraph::new(Line::styled(timing, t.dim())).centered(),
            Rect::new(inner.x, y, inner.width, 1),
        );
        return;
    }
    let [top, chart] = Layout::vertical([Constraint::Length(4), Constraint::Min(0)]).areas(inner);
    draw_compact_progress(frame, top, t, job, &timing);
    let k_min = job.config.cluster.k_min;
    let curve = Curve::streaming(&job.fitted, k_min);
    elbow::draw_curve(frame, chart, t, &curve, None);
}

/// Four lines: what runs, the bar with its share, what it is doing now,
/// the time spent and left.
fn draw_compact_progress(frame: &mut Frame, area: Rect, t: &Theme, job: &RunningJob, timing: &str) {
    let width = area.width.saturating_sub(2) as usize;
    let pct = format!(" {:>3.0}%", job.fraction * 100.0);
    let (done, todo) = progress::bar(
        job.fraction,
        width.saturating_sub(pct.len()).min(50),
        &t.glyphs,
    );
    let lines = vec![
        Line::styled(
            text::truncate(&job.label, width, t.glyphs.ellipsis),
            t.title(),
        ),
        Line::from(vec![
            Span::styled(done, t.bar_done()),
            Span::styled(todo, t.dim()),
            Span::styled(pct, t.text()),
        ]),
        Line::styled(
            text::truncate(&job.message, width, t.glyphs.ellipsis),
            t.text(),
        ),
        Line::styled(text::truncate(timing, width, t.glyphs.ellipsis), t.dim()),
    ];
    let padded = Rect::new(
        area.x + 1,
        area.y,
        area.width.saturating_sub(2),
        area.height,
    );
    frame.render_widget(Paragraph::new(lines), padded);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clocks() {
        assert_eq!(clock(Duration::from_secs(7)), "0:07");
        assert_eq!(clock(Duration::from_secs(62)), "1:02");
        assert_eq!(clock(Duration::from_secs(3723)), "1:02:03");
    }
}
