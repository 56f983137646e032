//! Progress of a running job: a bar drawn with blocks (or # and - in ASCII
//! mode), the percentage, the worker's message and how to cancel.

use crate::tui::jobs::RunningJob;
use crate::tui::text;
use crate::tui::theme::{Glyphs, Theme};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// (filled, empty) parts of a `width`-cell bar at `fraction`.
pub fn bar(fraction: f64, width: usize, g: &Glyphs) -> (String, String) {
    let filled = ((fraction.clamp(0.0, 1.0) * width as f64).round() as usize).min(width);
    (
        g.bar_full.repeat(filled),
        g.bar_empty.repeat(width - filled),
    )
}

/// The one-line form, for the status line.
pub fn status_line(t: &Theme, job: &RunningJob, width: usize) -> Line<'static> {
    let label = format!(" {} ", job.label);
    let pct = format!(" {:>3.0}% ", job.fraction * 100.0);
    let bar_w = 20.min(width.saturating_sub(text::width(&label) + pct.len() + 2));
    let (done, todo) = bar(job.fraction, bar_w, &t.glyphs);
    let rest = width.saturating_sub(text::width(&label) + bar_w + pct.len());
    Line::from(vec![
        Span::styled(label, t.title()),
        Span::styled(done, t.bar_done()),
        Span::styled(todo, t.dim()),
        Span::styled(pct, t.text()),
        Span::styled(
            text::truncate(&job.message, rest, t.glyphs.ellipsis),
            t.dim(),
        ),
    ])
}

/// The large form, centred in a pane.
pub fn draw_job(frame: &mut Frame, area: Rect, t: &Theme, job: &RunningJob) {
    let width = area.width.saturating_sub(4) as usize;
    let bar_w = width.min(50);
    let (done, todo) = bar(job.fraction, bar_w, &t.glyphs);
    let lines = vec![
        Line::styled(job.label.clone(), t.title()).centered(),
        Line::default(),
        Line::from(vec![
            Span::styled(done, t.bar_done()),
            Span::styled(todo, t.dim()),
        ])
        .centered(),
        Line::styled(
            text::truncate(
                &format!("{:.0}%  {}", job.fraction * 100.0, job.message),
                width,
                t.glyphs.ellipsis,
            ),
            t.text(),
        )
        .centered(),
        Line::default(),
        Line::from(vec![
            Span::styled("Esc", t.key()),
            Span::styled(
                if width >= 50 {
                    " cancels; the keys keep working while this runs."
                } else {
                    " cancels."
                },
                t.dim(),
            ),
        ])
        .centered(),
    ];
    let top = area.height.saturating_sub(lines.len() as u16) / 2;
    let inner = Rect::new(area.x, area.y + top, area.width, area.height - top);
    frame.render_widget(Paragraph::new(lines), inner);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::theme::{ASCII, UNICODE};

    #[test]
    fn bars_fill_in_proportion() {
        assert_eq!(bar(0.5, 10, &ASCII), ("#####".into(), "-----".into()));
        assert_eq!(bar(1.5, 4, &UNICODE), ("████".into(), String::new()));
        assert_eq!(bar(0.0, 3, &ASCII), (String::new(), "---".into()));
    }
}
