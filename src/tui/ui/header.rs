//! The stage bar: Load → Map columns → Clean → ... with each stage shown as
//! done (✓, green), current (reverse) or not yet (dim). Falls back to short
//! names, then numbers, when the terminal is narrow.

use crate::tui::app::App;
use crate::tui::stage::{Stage, StageStatus};
use crate::tui::text;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

fn spans(app: &App, short: bool, tight: bool) -> Vec<Span<'static>> {
    let t = &app.theme;
    let g = &t.glyphs;
    let sep = if tight {
        g.arrow.to_string()
    } else {
        format!(" {} ", g.arrow)
    };
    let mut out = vec![Span::raw(" ")];
    for (i, stage) in Stage::ALL.into_iter().enumerate() {
        if i > 0 {
            out.push(Span::styled(sep.clone(), t.dim()));
        }
        let name = match (short, tight) {
            (_, true) => format!("{}", i + 1),
            (true, false) => stage.short_title().to_string(),
            (false, false) => stage.title().to_string(),
        };
        match app.stage_status(stage) {
            StageStatus::Current => out.push(Span::styled(format!(" {name} "), t.current_stage())),
            StageStatus::Done => out.push(Span::styled(format!("{} {name}", g.done), t.ok())),
            StageStatus::NotYet => out.push(Span::styled(name, t.dim())),
            StageStatus::Stale => out.push(Span::styled(format!("{} {name}", g.stale), t.stale())),
        }
    }
    out
}

pub fn draw(frame: &mut Frame, area: Rect, app: &App) {
    let width = area.width as usize;
    let fits = |s: &[Span]| s.iter().map(|s| text::width(&s.content)).sum::<usize>() <= width;
    let mut line = spans(app, false, false);
    if !fits(&line) {
        line = spans(app, true, false);
    }
    if !fits(&line) {
        line = spans(app, true, true);
    }
    let used: usize = line.iter().map(|s| text::width(&s.content)).sum();
    let name = "custseg ";
    if used + name.len() + 2 <= width {
        line.push(Span::raw(" ".repeat(width - used - name.len())));
        line.push(Span::styled(name, app.theme.dim()));
    }
    frame.render_widget(Paragraph::new(Line::from(line)), area);
}
