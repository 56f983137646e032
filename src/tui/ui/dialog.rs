//! Boxes drawn over the screen: an error (cause + what to do) and the
//! "quit while work is running?" question.

use crate::tui::app::App;
use crate::tui::overlay::{ErrorReport, InputBox, Question};
use crate::tui::text;
use crate::tui::widgets::{centered, pane_block};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

/// Rows `text` takes when wrapped at `width` (a close estimate, by words).
fn wrapped_rows(text: &str, width: usize) -> u16 {
    let width = width.max(1);
    text.lines()
        .map(|l| {
            let mut rows = 1;
            let mut used = 0;
            for word in l.split(' ') {
                let w = crate::tui::text::width(word);
                if used > 0 && used + 1 + w > width {
                    rows += 1;
                    used = w;
                } else {
                    used += w + usize::from(used > 0);
                }
            }
            rows
        })
        .sum::<u16>()
        .max(1)
}

pub fn draw_error(frame: &mut Frame, area: Rect, app: &App, report: &ErrorReport) {
    let t = &app.theme;
    let width = 70.min(area.width.saturating_sub(4));
    let inner_w = width.saturating_sub(4) as usize;
    let what = format!("What to do: {}", report.hint);
    let height =
        (wrapped_rows(&report.cause, inner_w) + wrapped_rows(&what, inner_w) + 3).min(area.height);
    let popup = centered(area, width, height);
    frame.render_widget(Clear, popup);
    let block = pane_block(t, &format!(" {} ", report.title), true)
        .border_style(t.error())
        .title_style(t.error())
        .title_bottom(Line::styled(" Enter/Esc close ", t.dim()).right_aligned());
    let inner = block.inner(popup);
    frame.render_widget(block, popup);
    let padded = Rect::new(
        inner.x + 1,
        inner.y,
        inner.width.saturating_sub(2),
        inner.height,
    );
    let mut lines: Vec<Line> = report
        .cause
        .lines()
        .map(|l| Line::styled(l.to_string(), t.text()))
        .collect();
    lines.push(Line::default());
    lines.push(Line::from(vec![
        Span::styled("What to do: ", t.title()),
        Span::styled(report.hint.clone(), t.text()),
    ]));
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), padded);
}

/// What the Quit? box says: what would be lost.
fn quit_text(app: &App) -> String {
    let (work, edits) = app.quit_would_lose();
    let mut text = String::new();
    if let Some(what) = work {
        text.push_str(&format!("{what} is still running; it will be cancelled. "));
    }
    if edits {
        text.push_str(
            "Your changes (labels, actions, options) are not exported yet; Export (7) writes them with run.toml. ",
        );
    }
    text.push_str("Quit anyway?");
    text
}

/// The Quit? box. Its height comes from the text as wrapped at this width,
/// and the y / n line has a row of its own at the bottom, so it shows at
/// every size (the text is cut first when the screen is very short).
pub fn draw_confirm_quit(frame: &mut Frame, area: Rect, app: &App) {
    let t = &app.theme;
    let text = quit_text(app);
    let width = 56.min(area.width.saturating_sub(2)).max(area.width.min(12));
    let inner_w = width.saturating_sub(4) as usize;
    let keys_line = Line::from(vec![
        Span::styled("y", t.key()),
        Span::raw(" quit  "),
        Span::styled("n", t.key()),
        Span::raw("/"),
        Span::styled("Esc", t.key()),
        Span::raw(" stay"),
    ]);
    let keys_rows = wrapped_rows(&keys_line.to_string(), inner_w);
    let height = (wrapped_rows(&text, inner_w) + 1 + keys_rows + 2).min(area.height);
    let popup = centered(area, width, height);
    frame.render_widget(Clear, popup);
    let block = pane_block(t, " Quit? ", true).border_style(t.warn());
    let inner = block.inner(popup);
    frame.render_widget(block, popup);
    let padded = Rect::new(
        inner.x + 1,
        inner.y,
        inner.width.saturating_sub(2),
        inner.height,
    );
    let keys_h = keys_rows.min(padded.height);
    let body = Rect::new(padded.x, padded.y, padded.width, padded.height - keys_h);
    let keys = Rect::new(padded.x, body.bottom(), padded.width, keys_h);
    frame.render_widget(
        Paragraph::new(Line::styled(text, t.text())).wrap(Wrap { trim: true }),
        body,
    );
    frame.render_widget(Paragraph::new(keys_line).wrap(Wrap { trim: true }), keys);
}

/// A text box: title, the field (cursor shown reversed), what to type, and
/// why the last Enter was refused.
pub fn draw_input(frame: &mut Frame, area: Rect, app: &App, b: &InputBox) {
    let t = &app.theme;
    let width = 64.min(area.width.saturating_sub(4));
    let inner_w = width.saturating_sub(4) as usize;
    let hint_rows = wrapped_rows(&b.hint, inner_w);
    let err_rows = b
        .error
        .as_ref()
        .map_or(0, |e| wrapped_rows(&format!("! {e}"), inner_w) + 1);
    let height = (hint_rows + err_rows + 4).min(area.height);
    let popup = centered(area, width, height);
    frame.render_widget(Clear, popup);
    let block = pane_block(t, &format!(" {} ", b.title), true)
        .title_bottom(Line::styled(" Enter OK  Esc cancel ", t.dim()).right_aligned());
    let inner = block.inner(popup);
    frame.render_widget(block, popup);
    let padded = Rect::new(
        inner.x + 1,
        inner.y,
        inner.width.saturating_sub(2),
        inner.height,
    );
    let (before, at, after) = b.input.split();
    // Keep the cursor in view: cut the text from the left when it is long.
    let room = inner_w.saturating_sub(2);
    let before = text::truncate_left(
        before,
        room.saturating_sub(text::width(after).min(room / 2)),
        t.glyphs.ellipsis,
    );
    let mut lines = vec![
        Line::from(vec![
            Span::styled("> ", t.key()),
            Span::styled(before, t.input()),
            Span::styled(
                if at.is_empty() {
                    " ".to_string()
                } else {
                    at.to_string()
                },
                t.cursor(),
            ),
            Span::styled(after.to_string(), t.input()),
        ]),
        Line::default(),
        Line::styled(b.hint.clone(), t.dim()),
    ];
    if let Some(e) = &b.error {
        lines.push(Line::default());
        lines.push(Line::styled(format!("{} {e}", t.glyphs.warn), t.error()));
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), padded);
}

/// A yes/no question about something other than quitting.
pub fn draw_question(frame: &mut Frame, area: Rect, app: &App, q: &Question) {
    let t = &app.theme;
    let (title, text) = match q {
        Question::Overwrite { dir, files } => (
            " Overwrite? ",
            format!(
                "{} already holds {files} file{}. custseg's earlier outputs are replaced; other files stay.",
                dir.display(),
                if *files == 1 { "" } else { "s" }
            ),
        ),
    };
    let width = 60.min(area.width.saturating_sub(4));
    let inner_w = width.saturating_sub(4) as usize;
    let height = (wrapped_rows(&text, inner_w) + 4).min(area.height);
    let popup = centered(area, width, height);
    frame.render_widget(Clear, popup);
    let block = pane_block(t, title, true).border_style(t.warn());
    let inner = block.inner(popup);
    frame.render_widget(block, popup);
    let padded = Rect::new(
        inner.x + 1,
        inner.y,
        inner.width.saturating_sub(2),
        inner.height,
    );
    let lines = vec![
        Line::styled(text, t.text()),
        Line::default(),
        Line::from(vec![
            Span::styled("y", t.key()),
            Span::raw(" overwrite    "),
            Span::styled("n", t.key()),
            Span::raw(" / "),
            Span::styled("Esc", t.key()),
            Span::raw(" keep them"),
        ]),
    ];
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), padded);
}
