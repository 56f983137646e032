//! The help overlay: what this screen is for, its keys, then the keys that
//! work everywhere. ↑↓ scroll, Esc / ? / F1 close.

use crate::tui::app::App;
use crate::tui::text;
use crate::tui::widgets::{centered, pane_block};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

const GLOBAL: &[(&str, &str)] = &[
    (
        "? / F1",
        "this help (Esc closes it; F1 also works in text fields)",
    ),
    ("↑↓←→ hjkl", "move; PgUp PgDn Home End jump"),
    ("q", "quit (asks first while work is running)"),
    ("Ctrl-C", "quit at once, from anywhere"),
];

/// ASCII replacements for the arrows and marks in help text (the marks
/// as ASCII mode draws them: ✓ +, ✗ x).
fn ascii_keys(s: &str) -> String {
    s.replace("↑↓←→", "arrows")
        .replace("↑↓", "Up/Dn")
        .replace("←→", "Lt/Rt")
        .replace('↑', "Up")
        .replace('↓', "Dn")
        .replace('←', "Lt")
        .replace('→', "Rt")
        .replace('✓', "+")
        .replace('✗', "x")
        .replace('▲', "^")
        .replace('▼', "v")
        .replace('◀', "<")
        .replace('▶', ">")
}

pub fn lines(app: &App) -> Vec<Line<'static>> {
    let t = &app.theme;
    let fix = |s: &str| {
        if t.ascii {
            ascii_keys(s)
        } else {
            s.to_string()
        }
    };
    let mut out = Vec::new();
    let key_w = 17;
    let section = |out: &mut Vec<Line<'static>>, rows: &[(&str, &str)]| {
        for (k, v) in rows {
            if k.is_empty() {
                out.push(Line::styled(fix(v), t.text()));
            } else if v.is_empty() {
                out.push(Line::styled(fix(k), t.title()));
            } else {
                out.push(Line::from(vec![
                    Span::styled(text::fit(&fix(k), key_w, ""), t.key()),
                    Span::styled(fix(v), t.text()),
                ]));
            }
        }
    };
    section(&mut out, app.screen(app.stage).help());
    out.push(Line::default());
    out.push(Line::styled("Everywhere", t.title()));
    section(&mut out, GLOBAL);
    out
}

pub fn draw(frame: &mut Frame, area: Rect, app: &App, scroll: u16) {
    let t = &app.theme;
    let lines = lines(app);
    // The whole body: a page of its own, nothing half-hidden around it.
    let height = (lines.len() as u16 + 2).min(area.height);
    let popup = centered(area, area.width, height);
    frame.render_widget(Clear, popup);
    let inner_h = height.saturating_sub(2);
    let max_scroll = (lines.len() as u16).saturating_sub(inner_h);
    let scroll = scroll.min(max_scroll);
    let mut block = pane_block(t, &format!(" Help: {} ", app.stage.title()), true)
        .title_bottom(Line::styled(" Esc close ", t.dim()).right_aligned());
    if max_scroll > 0 {
        block = block.title_bottom(
            Line::styled(
                format!(" {} more ", if t.ascii { "Up/Dn" } else { "↑↓" }),
                t.dim(),
            )
            .left_aligned(),
        );
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
