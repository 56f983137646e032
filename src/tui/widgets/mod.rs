//! Drawing pieces the screens share: bordered panes, highlighted rows,
//! scrolling lists, small charts, the progress bar and the file browser.
//! Widgets know the theme and what they are given, never the App (the
//! App's own chrome — header, footer, help, dialogs — is in `ui`).

pub mod charts;
pub mod file_browser;
pub mod progress;

use super::theme::Theme;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders};
use std::cell::Cell;

/// A key and what it does, for the footer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyHint {
    pub key: String,
    pub label: String,
}

impl KeyHint {
    pub fn new(key: impl Into<String>, label: impl Into<String>) -> Self {
        KeyHint {
            key: key.into(),
            label: label.into(),
        }
    }
}

/// A bordered pane; the focused one has a bold, coloured border and title.
pub fn pane_block<'a>(theme: &Theme, title: &str, focused: bool) -> Block<'a> {
    let border = if focused {
        theme.focus_border()
    } else {
        theme.border()
    };
    let title_style = if focused {
        theme.focus_border()
    } else {
        theme.title()
    };
    Block::default()
        .borders(Borders::ALL)
        .border_set(theme.glyphs.border)
        .border_style(border)
        .title(Line::from(Span::styled(title.to_string(), title_style)))
}

/// A bordered pane whose title is made of styled parts (a mark that must
/// keep its own style); the border as [`pane_block`]'s.
pub fn pane_block_with<'a>(theme: &Theme, title: Line<'a>, focused: bool) -> Block<'a> {
    let border = if focused {
        theme.focus_border()
    } else {
        theme.border()
    };
    Block::default()
        .borders(Borders::ALL)
        .border_set(theme.glyphs.border)
        .border_style(border)
        .title(title)
}

/// A selected row: every span in `style`, so no part of the row keeps a
/// colour that is unreadable on the selection background.
pub fn highlight(mut line: Line<'_>, style: ratatui::style::Style) -> Line<'_> {
    for span in &mut line.spans {
        span.style = style;
    }
    line.style(style)
}

/// The first visible row of a list of `len` rows in `height` rows so that
/// `selected` stays visible, moving as little as possible from last time.
pub fn scroll_offset(last: &Cell<usize>, selected: usize, height: usize, len: usize) -> usize {
    if height == 0 {
        return 0;
    }
    let mut offset = last.get().min(len.saturating_sub(height));
    if selected < offset {
        offset = selected;
    } else if selected >= offset + height {
        offset = selected + 1 - height;
    }
    last.set(offset);
    offset
}

/// A `width` x `height` rectangle in the middle of `area` (clipped to it).
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

/// The selection in a list of `len` rows after `m` (`page` rows per page);
/// ←/→ leave it where it is.
pub fn move_in_list(
    selected: usize,
    len: usize,
    m: crate::tui::action::Move,
    page: usize,
) -> usize {
    use crate::tui::action::Move;
    if len == 0 {
        return 0;
    }
    match m {
        Move::Up => selected.saturating_sub(1),
        Move::Down => (selected + 1).min(len - 1),
        Move::PageUp => selected.saturating_sub(page),
        Move::PageDown => (selected + page).min(len - 1),
        Move::Home => 0,
        Move::End => len - 1,
        Move::Left | Move::Right => selected,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scrolling_keeps_the_selection_in_view() {
        let last = Cell::new(0);
        assert_eq!(scroll_offset(&last, 3, 5, 20), 0);
        assert_eq!(scroll_offset(&last, 7, 5, 20), 3);
        assert_eq!(scroll_offset(&last, 5, 5, 20), 3, "no jump while visible");
        assert_eq!(scroll_offset(&last, 1, 5, 20), 1);
        assert_eq!(scroll_offset(&last, 0, 0, 20), 0);
    }
}
