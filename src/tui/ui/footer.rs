//! The footer (this screen's keys, with help and quit always at the right)
//! and the status line above it (messages, or the running job's progress).

use crate::tui::app::App;
use crate::tui::jobs::JobKind;
use crate::tui::overlay::StatusKind;
use crate::tui::text;
use crate::tui::widgets::{KeyHint, progress};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

fn hint_spans(app: &App, hints: &[KeyHint]) -> Vec<Span<'static>> {
    let t = &app.theme;
    let mut out = Vec::new();
    for h in hints {
        out.push(Span::styled(h.key.clone(), t.key()));
        out.push(Span::styled(format!(" {}  ", h.label), t.text()));
    }
    out
}

pub fn draw(frame: &mut Frame, area: Rect, app: &App, keys: &[KeyHint]) {
    let text_field = app.key_context().text_input;
    let global = if text_field {
        vec![KeyHint::new("F1", "help"), KeyHint::new("Ctrl-C", "quit")]
    } else {
        vec![KeyHint::new("?", "help"), KeyHint::new("q", "quit")]
    };
    let right = hint_spans(app, &global);
    let right_w: usize = right.iter().map(|s| text::width(&s.content)).sum();
    let width = area.width as usize;
    let mut left = vec![Span::raw(" ")];
    let mut used = 1;
    for h in keys {
        let w = text::width(&h.key) + text::width(&h.label) + 3;
        if used + w + right_w > width {
            break;
        }
        left.extend(hint_spans(app, std::slice::from_ref(h)));
        used += w;
    }
    if used + right_w <= width {
        left.push(Span::raw(" ".repeat(width - used - right_w)));
        left.extend(right);
    }
    frame.render_widget(Paragraph::new(Line::from(left)), area);
}

pub fn draw_status(frame: &mut Frame, area: Rect, app: &App) {
    let t = &app.theme;
    let width = area.width as usize;
    if let Some(job) = app.jobs.iter().find(|j| j.kind != JobKind::Sheets) {
        let line = progress::status_line(&app.theme, job, width);
        frame.render_widget(Paragraph::new(line), area);
        return;
    }
    let Some(status) = &app.status else {
        return;
    };
    let (prefix, style) = match status.kind {
        StatusKind::Info => ("", t.text()),
        StatusKind::Success => ("", t.ok()),
        StatusKind::Warn => ("", t.warn()),
        StatusKind::Error => ("Error: ", t.error()),
    };
    let msg = format!(" {prefix}{}", status.text.replace('\n', " "));
    frame.render_widget(
        Paragraph::new(Line::styled(
            text::truncate(&msg, width, t.glyphs.ellipsis),
            style,
        )),
        area,
    );
}
