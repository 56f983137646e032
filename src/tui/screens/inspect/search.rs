//! `/`: finding customers by part of their id. An exact id (case aside)
//! opens the customer; otherwise every id containing the text (case
//! aside) is a match, and several matches are listed (the first
//! [`MAX_LISTED`], with the total) with their segments, to open one.
//! Without an id column the row labels are the ids.

use super::{InspectScreen, customer_segment};
use crate::pipeline::profile::Profiles;
use crate::tui::screens::DrawCtx;
use crate::tui::text;
use crate::tui::widgets::{self, pane_block};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// Matches kept for the list; the count goes on.
pub const MAX_LISTED: usize = 500;

/// What a search found.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Hits {
    /// The row whose id is the text itself (exactly, else ignoring case).
    pub exact: Option<usize>,
    /// Rows whose id contains the text, ignoring case (at most
    /// [`MAX_LISTED`]), in file order.
    pub rows: Vec<usize>,
    /// How many ids contain it.
    pub total: usize,
}

/// Whether `hay` contains `needle_lower` (already lower case), ignoring
/// case; without allocating for ASCII ids.
fn contains_ignoring_case(hay: &str, needle_lower: &str) -> bool {
    if hay.is_ascii() && needle_lower.is_ascii() {
        let n = needle_lower.as_bytes();
        n.is_empty()
            || hay
                .as_bytes()
                .windows(n.len())
                .any(|w| w.eq_ignore_ascii_case(n))
    } else {
        hay.to_lowercase().contains(needle_lower)
    }
}

/// Searches the ids `id_of(0..n)` for `wanted`.
pub fn find<'a>(
    n: usize,
    id_of: impl Fn(usize) -> Option<std::borrow::Cow<'a, str>>,
    wanted: &str,
) -> Hits {
    let lower = wanted.to_lowercase();
    let mut hits = Hits::default();
    let mut folded = None;
    for i in 0..n {
        let Some(id) = id_of(i) else { continue };
        if id == wanted {
            hits.exact = Some(i);
        } else if folded.is_none() && id.to_lowercase() == lower {
            folded = Some(i);
        }
        if contains_ignoring_case(&id, &lower) {
            hits.total += 1;
            if hits.rows.len() < MAX_LISTED {
                hits.rows.push(i);
            }
        }
    }
    hits.exact = hits.exact.or(folded);
    hits
}

impl InspectScreen {
    pub(super) fn draw_matches(&self, frame: &mut Frame, area: Rect, v: &DrawCtx, p: &Profiles) {
        let t = v.theme;
        let shown = self.matches.len();
        let title = if self.match_total > shown {
            format!(
                " {} customers match '{}' {} the first {} ",
                text::thousands(self.match_total),
                self.match_query,
                t.glyphs.sep,
                text::thousands(shown)
            )
        } else {
            format!(
                " {} customers match '{}' ",
                text::thousands(self.match_total),
                self.match_query
            )
        };
        let block = pane_block(
            t,
            &text::truncate(
                &title,
                area.width.saturating_sub(2) as usize,
                t.glyphs.ellipsis,
            ),
            true,
        );
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let height = (inner.height as usize).saturating_sub(1);
        let offset = widgets::scroll_offset(&self.match_offset, self.match_selected, height, shown);
        let id_w = self
            .matches
            .iter()
            .map(|m| text::width(&m.id))
            .max()
            .unwrap_or(2)
            .clamp(11, 30);
        let mut lines = vec![Line::from(vec![
            Span::raw("  "),
            Span::styled(text::fit("Customer", id_w + 2, ""), t.title()),
            Span::styled("Segment", t.title()),
        ])];
        for (i, m) in self.matches.iter().enumerate().skip(offset).take(height) {
            let seg = customer_segment(v.data, m.row)
                .and_then(|s| p.segments.get(s as usize))
                .map_or("?".to_string(), |s| format!("{} {}", s.id, s.label));
            let line = Line::from(vec![
                Span::raw(if i == self.match_selected {
                    t.glyphs.pointer
                } else {
                    "  "
                }),
                Span::styled(text::fit(&m.id, id_w + 2, t.glyphs.ellipsis), t.text()),
                Span::styled(seg, t.dim()),
            ]);
            lines.push(if i == self.match_selected {
                widgets::highlight(line, t.selected())
            } else {
                line
            });
        }
        frame.render_widget(Paragraph::new(lines), inner);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::borrow::Cow;

    fn search(ids: &[&str], wanted: &str) -> Hits {
        find(ids.len(), |i| Some(Cow::Borrowed(ids[i])), wanted)
    }

    #[test]
    fn exact_then_case_then_parts() {
        let ids = ["C-1001", "c-1002", "C-2001", "客户1001", "X"];
        let h = search(&ids, "C-1002");
        assert_eq!(h.exact, Some(1));
        let h = search(&ids, "1001");
        assert_eq!((h.exact, h.rows.clone(), h.total), (None, vec![0, 3], 2));
        let h = search(&ids, "c-");
        assert_eq!(h.rows, vec![0, 1, 2]);
        assert_eq!(search(&ids, "客户").rows, vec![3]);
        assert_eq!(search(&ids, "nothing").total, 0);
    }

    #[test]
    fn the_list_is_bounded_but_the_count_is_not() {
        let ids: Vec<String> = (0..MAX_LISTED * 3).map(|i| format!("ID{i:06}")).collect();
        let h = find(ids.len(), |i| Some(Cow::Borrowed(ids[i].as_str())), "id");
        assert_eq!(h.rows.len(), MAX_LISTED);
        assert_eq!(h.total, MAX_LISTED * 3);
        assert_eq!(h.rows[0], 0);
    }
}
