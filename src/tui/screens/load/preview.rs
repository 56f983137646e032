//! The Preview pane of Load: the first rows of the table with each
//! column's detected type, the notes worth reading before going on
//! (encoding doubts, loader warnings, cells not read), and where the view
//! is when the table is larger than the pane.

use super::{DrawCtx, LoadScreen, Pane, encoding_note};
use crate::pipeline::table::{ColumnData, Table};
use crate::remedy::Remedy;
use crate::tui::jobs::JobKind;
use crate::tui::text;
use crate::tui::theme::Theme;
use crate::tui::widgets::{self, pane_block};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use std::ops::Range;

/// One preview column: its cells, width and alignment.
struct PreviewColumn {
    name: String,
    kind: String,
    style: Style,
    cells: Vec<Option<String>>,
    width: usize,
    right: bool,
}

fn preview_columns(t: &Theme, table: &Table, rows: Range<usize>) -> Vec<PreviewColumn> {
    table
        .columns
        .iter()
        .map(|c| {
            let cells: Vec<Option<String>> = rows
                .clone()
                .map(|i| (!c.data.is_missing(i)).then(|| c.data.display(i)))
                .collect();
            let widest = cells
                .iter()
                .flatten()
                .map(|s| text::width(s))
                .max()
                .unwrap_or(0);
            let kind = c.ctype.name().to_string();
            let width = text::width(&c.name)
                .max(kind.len())
                .max(widest)
                .clamp(4, 20);
            PreviewColumn {
                name: c.name.clone(),
                kind,
                style: t.column_type(c.ctype),
                cells,
                width,
                right: matches!(*c.data, ColumnData::Number(_)),
            }
        })
        .collect()
}

/// The columns that fit in `width` from `first` (the last may be cut):
/// (column, width shown).
fn fitting(cols: &[PreviewColumn], first: usize, width: usize) -> Vec<(usize, usize)> {
    let mut shown = Vec::new();
    let mut used = 1;
    for (j, c) in cols.iter().enumerate().skip(first) {
        if used >= width {
            break;
        }
        let w = c.width.min(width - used);
        shown.push((j, w));
        used += w + 2;
    }
    shown
}

impl LoadScreen {
    pub(super) fn draw_preview(&self, frame: &mut Frame, area: Rect, v: &DrawCtx) {
        let t = v.theme;
        let focused = self.focus == Pane::Preview;
        if let Some(job) = v.job(JobKind::Load) {
            let block = pane_block(t, " Preview ", focused);
            let inner = block.inner(area);
            frame.render_widget(block, area);
            widgets::progress::draw_job(frame, inner, t, job);
            return;
        }
        let Some(table) = v.data.table() else {
            draw_nothing_loaded(frame, area, t, focused);
            return;
        };
        let stale = !self.is_current(v);
        let block = preview_block(t, table, stale, focused);
        let inner = block.inner(area);
        frame.render_widget(block, area);

        let (notes, doubt) = preview_notes(v, table);
        let note_lines = notes
            .len()
            .min(2)
            .min((inner.height as usize).saturating_sub(3)) as u16;
        let [grid_area, notes_area] =
            Layout::vertical([Constraint::Min(1), Constraint::Length(note_lines)]).areas(inner);
        if note_lines > 0 {
            let width = notes_area.width as usize;
            let lines = note_rows(&notes, doubt, note_lines as usize, width, t);
            frame.render_widget(Paragraph::new(lines), notes_area);
        }
        let position = self.draw_grid(frame, grid_area, t, table);
        if !position.is_empty() && !stale {
            draw_position(frame, area, t, &position);
        }
    }

    /// The header, type and data rows from the scroll position; returns
    /// where the view is ("col 2-6 of 9", "rows 1-20 of 3,000") when the
    /// table is larger than the pane.
    fn draw_grid(&self, frame: &mut Frame, area: Rect, t: &Theme, table: &Table) -> Vec<String> {
        let data_rows = (area.height as usize).saturating_sub(2);
        let first_row = self.preview_row.min(table.n_rows.saturating_sub(1));
        let rows = first_row..(first_row + data_rows).min(table.n_rows);
        let cols = preview_columns(t, table, rows.clone());
        let first_col = self.preview_col.min(cols.len().saturating_sub(1));
        let shown = fitting(&cols, first_col, area.width as usize);
        let cell = |s: &str, w: usize, right: bool| {
            if right {
                text::fit_right(s, w, t.glyphs.ellipsis)
            } else {
                text::fit(s, w, t.glyphs.ellipsis)
            }
        };
        let mut header = vec![Span::raw(" ")];
        let mut types = vec![Span::raw(" ")];
        for &(j, w) in &shown {
            let c = &cols[j];
            header.push(Span::styled(cell(&c.name, w, c.right), t.title()));
            header.push(Span::raw("  "));
            types.push(Span::styled(cell(&c.kind, w, c.right), c.style));
            types.push(Span::raw("  "));
        }
        let mut lines = vec![Line::from(header), Line::from(types)];
        for r in 0..rows.len() {
            let mut spans = vec![Span::raw(" ")];
            for &(j, w) in &shown {
                let c = &cols[j];
                spans.push(match &c.cells[r] {
                    Some(v) => Span::styled(cell(v, w, c.right), t.text()),
                    None => Span::styled(cell(t.glyphs.missing, w, c.right), t.dim()),
                });
                spans.push(Span::raw("  "));
            }
            lines.push(Line::from(spans));
        }
        frame.render_widget(Paragraph::new(lines), area);

        let hidden_right = cols.len() - first_col - shown.len()
            + usize::from(shown.last().is_some_and(|&(j, w)| w < cols[j].width));
        let mut pos = Vec::new();
        if first_col > 0 || hidden_right > 0 {
            let arrows = format!(
                "{}{}",
                if first_col > 0 { t.glyphs.left } else { "" },
                if hidden_right > 0 { t.glyphs.right } else { "" }
            );
            pos.push(format!(
                "{arrows} col {}-{} of {}",
                first_col + 1,
                first_col + shown.len(),
                cols.len()
            ));
        }
        if table.n_rows > rows.len() {
            pos.push(format!(
                "rows {}-{} of {}",
                text::thousands(rows.start + 1),
                text::thousands(rows.end),
                text::thousands(table.n_rows)
            ));
        }
        pos
    }
}

fn draw_nothing_loaded(frame: &mut Frame, area: Rect, t: &Theme, focused: bool) {
    let block = pane_block(t, " Preview ", focused);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let mut lines: Vec<Line> = super::empty_start_lines()
        .into_iter()
        .map(|(l, stands_out)| {
            Line::styled(l, if stands_out { t.text() } else { t.dim() }).centered()
        })
        .collect();
    // A blank line first when it leaves room for the rest.
    if inner.height > 7 {
        lines.insert(0, Line::default());
    }
    frame.render_widget(
        Paragraph::new(lines).wrap(ratatui::widgets::Wrap { trim: true }),
        inner,
    );
}

/// "customers.csv · 3,000 rows × 12 cols", and a warning at the bottom
/// when the path or options no longer describe what is shown.
fn preview_block<'a>(
    t: &Theme,
    table: &Table,
    stale: bool,
    focused: bool,
) -> ratatui::widgets::Block<'a> {
    let s = &table.source;
    let times = if t.ascii { "x" } else { "×" };
    let mut title = format!(
        " {} {} {} rows {times} {} cols ",
        s.file_name(),
        t.glyphs.sep,
        text::thousands(table.n_rows),
        table.columns.len()
    );
    if let Some(sheet) = &s.sheet {
        title = format!("{title}{} sheet {sheet} ", t.glyphs.sep);
    }
    let block = pane_block(t, &title, focused);
    if stale {
        block.title_bottom(
            Line::styled(" path or options changed: Enter reloads ", t.warn()).right_aligned(),
        )
    } else {
        block
    }
}

/// Notes worth seeing before going on: doubts about the encoding (first;
/// `true` when there is one), loader warnings, how to say there is a
/// header, unparsed cells.
fn preview_notes(v: &DrawCtx, table: &Table) -> (Vec<String>, bool) {
    let s = &table.source;
    let mut notes: Vec<String> = encoding_note(s).into_iter().collect();
    let doubt = !notes.is_empty();
    notes.extend(s.warnings.iter().cloned());
    // A header the loader decided against: how to say there is one.
    if !s.has_header && v.config.load.header.is_none() {
        notes.push(crate::tui::remedy::key_sentence(&Remedy::Header));
    }
    for c in &table.columns {
        if c.info.unparsed > 0 {
            let example = c
                .info
                .unparsed_examples
                .first()
                .map(|(_, v)| format!(", e.g. '{v}'"))
                .unwrap_or_default();
            notes.push(format!(
                "{}: {} value{} not read as {}{example}",
                c.name,
                c.info.unparsed,
                if c.info.unparsed == 1 { "" } else { "s" },
                c.ctype.name()
            ));
        }
        notes.extend(c.info.notes.iter().map(|n| format!("{}: {n}", c.name)));
    }
    (notes, doubt)
}

/// Where the view is, on the pane's bottom border.
fn draw_position(frame: &mut Frame, area: Rect, t: &Theme, pos: &[String]) {
    let label = format!(" {} ", pos.join(&format!(" {} ", t.glyphs.sep)));
    let w = text::width(&label) as u16;
    if w + 2 < area.width {
        let at = Rect::new(area.x + area.width - w - 1, area.y + area.height - 1, w, 1);
        frame.render_widget(Paragraph::new(Line::styled(label, t.dim())), at);
    }
}

/// The preview's note lines: one note a line, cut to the width, the last
/// saying how many more there are; a doubt about the encoding (`doubt`:
/// the first note) wraps onto every line, since what it names, the
/// runner-up and the cell the two read apart, comes last.
fn note_rows(
    notes: &[String],
    doubt: bool,
    rows: usize,
    width: usize,
    t: &Theme,
) -> Vec<Line<'static>> {
    let mut shown: Vec<String> = Vec::new();
    let mut used = 0;
    for (i, n) in notes.iter().enumerate() {
        if shown.len() == rows {
            break;
        }
        let n = format!("{} {n}", t.glyphs.warn);
        if i == 0 && doubt && text::width(&n) > width {
            let wrapped = text::wrap(&n, width);
            shown.extend(wrapped.into_iter().take(rows));
        } else {
            shown.push(n);
        }
        used = i + 1;
    }
    let more = notes.len() - used;
    let last = shown.len().saturating_sub(1);
    shown
        .into_iter()
        .enumerate()
        .map(|(i, n)| {
            let suffix = if more > 0 && i == last {
                format!(" (+{more} more)")
            } else {
                String::new()
            };
            let room = width.saturating_sub(text::width(&suffix));
            let n = text::truncate(&n, room, t.glyphs.ellipsis) + &suffix;
            Line::styled(n, t.warn())
        })
        .collect()
}
