//! The help overlay: what this screen is for, its keys, then the keys that
//! work everywhere (laid out by `help_text` from the key table). ↑↓ scroll,
//! Esc / ? / F1 close; "more" marks show only where there is more.

use crate::tui::app::App;
use crate::tui::help_text::{self, HelpLine, HelpStyle};
use crate::tui::widgets::{centered, pane_block};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

/// The help of the current screen, laid out for a body `width` wide.
pub fn layout(app: &App, width: u16) -> Vec<HelpLine> {
    let prose = app.screen(app.stage).help();
    help_text::layout(
        prose,
        app.stage,
        app.theme.ascii,
        help_text::text_width(width),
    )
}

pub fn draw(frame: &mut Frame, area: Rect, app: &App, scroll: u16) {
    let t = &app.theme;
    let help = layout(app, area.width);
    let lines: Vec<Line> = help
        .iter()
        .map(|l| match l.style {
            HelpStyle::Title => Line::styled(l.text.clone(), t.title()),
            HelpStyle::Text => Line::styled(l.text.clone(), t.text()),
            HelpStyle::Key => Line::from(vec![
                Span::styled(l.key.clone(), t.key()),
                Span::styled(l.text.clone(), t.text()),
            ]),
        })
        .collect();
    let n = lines.len();
    // The whole body: a page of its own, nothing half-hidden around it.
    let height = (n as u16 + 2).min(area.height);
    let popup = centered(area, area.width, height);
    frame.render_widget(Clear, popup);
    let max_scroll = help_text::max_scroll(n, area.height) as u16;
    let scroll = scroll.min(max_scroll);
    let mut block = pane_block(t, &format!(" Help: {} ", app.stage.title()), true)
        .title_bottom(Line::styled(" Esc close ", t.dim()).right_aligned());
    let (up, down) = if t.ascii {
        ("Up", "Dn")
    } else {
        ("↑", "↓")
    };
    let more = match (scroll > 0, scroll < max_scroll) {
        (true, true) => Some(format!(" {up}{down} more ")),
        (true, false) => Some(format!(" {up} more ")),
        (false, true) => Some(format!(" {down} more ")),
        (false, false) => None,
    };
    if let Some(more) = more {
        block = block.title_bottom(Line::styled(more, t.dim()).left_aligned());
    }
    let inner = block.inner(popup);
    frame.render_widget(block, popup);
    let padded = Rect::new(
        inner.x + 1,
        inner.y,
        inner.width.saturating_sub(1),
        inner.height,
    );
    frame.render_widget(Paragraph::new(lines).scroll((scroll, 0)), padded);
}
