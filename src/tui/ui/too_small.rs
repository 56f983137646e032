//! Shown instead of the UI when the terminal is smaller than the minimum.

use crate::tui::app::{App, MIN_HEIGHT, MIN_WIDTH};
use ratatui::Frame;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};

pub fn draw(frame: &mut Frame, app: &App) {
    let t = &app.theme;
    let area = frame.area();
    let lines = vec![
        Line::styled("Terminal too small", t.error()).centered(),
        Line::default(),
        Line::from(format!(
            "It is {}x{}; custseg needs {MIN_WIDTH}x{MIN_HEIGHT}.",
            area.width, area.height
        ))
        .centered(),
        Line::from("Enlarge the window or use a smaller font.").centered(),
        // In a text field q is a letter: only Ctrl-C quits there.
        Line::from(if app.key_context().text_input {
            "Ctrl-C quits."
        } else {
            "q quits."
        })
        .centered(),
    ];
    let top = area.height.saturating_sub(lines.len() as u16) / 2;
    let inner = ratatui::layout::Rect::new(area.x, area.y + top, area.width, area.height - top);
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), inner);
}
