//! The Customer view: the customer found with `/`, their values next to
//! their segment's means and all customers', and their text columns.

use super::{InspectScreen, customer_segment};
use crate::pipeline::profile::Profiles;
use crate::pipeline::table::ColumnType;
use crate::tui::screens::DrawCtx;
use crate::tui::text;
use crate::tui::widgets::{charts, pane_block};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

impl InspectScreen {
    pub(super) fn draw_customer(&self, frame: &mut Frame, area: Rect, v: &DrawCtx, p: &Profiles) {
        let t = v.theme;
        let (Some(c), Some(f), Some(cleaned)) =
            (&self.customer, v.data.features(), v.data.cleaned())
        else {
            return;
        };
        let seg = customer_segment(v.data, c.row);
        let profile = seg.and_then(|s| p.segments.get(s as usize));
        let title = format!(
            " Customer {} {} segment {} ",
            c.id,
            t.glyphs.sep,
            profile.map_or("?".to_string(), |s| format!("{} {}", s.id, s.label))
        );
        let block = pane_block(
            t,
            &text::truncate(&title, area.width as usize - 2, t.glyphs.ellipsis),
            true,
        );
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let padded = Rect::new(
            inner.x + 1,
            inner.y,
            inner.width.saturating_sub(2),
            inner.height,
        );
        let table = &cleaned.table;
        let mut lines = vec![
            Line::from(vec![
                Span::styled("In the file: ", t.dim()),
                Span::styled(table.row_label(c.row), t.text()),
            ]),
            Line::default(),
        ];
        let (name_w, num_w) = (16, 12);
        lines.push(Line::from(vec![
            Span::styled(text::fit("Feature", name_w, ""), t.title()),
            Span::styled(text::fit_right("This customer", num_w + 2, ""), t.title()),
            Span::styled(text::fit_right("Segment mean", num_w + 2, ""), t.title()),
            Span::styled(text::fit_right("All customers", num_w + 2, ""), t.title()),
        ]));
        let row = f.original_row(c.row);
        for (j, name) in f.names.iter().enumerate() {
            let seg_mean = profile.and_then(|s| s.features.get(j)).map(|x| x.mean);
            lines.push(Line::from(vec![
                Span::styled(text::fit(name, name_w, t.glyphs.ellipsis), t.text()),
                Span::styled(
                    text::fit_right(&charts::number(row[j], num_w), num_w + 2, ""),
                    t.title(),
                ),
                Span::styled(
                    text::fit_right(
                        &seg_mean.map_or("-".into(), |m| charts::number(m, num_w)),
                        num_w + 2,
                        "",
                    ),
                    t.text(),
                ),
                Span::styled(
                    text::fit_right(
                        &charts::number(f.report.features[j].mean, num_w),
                        num_w + 2,
                        "",
                    ),
                    t.dim(),
                ),
            ]));
        }
        let others: Vec<String> = table
            .columns
            .iter()
            .filter(|col| !col.ctype.is_numeric() && col.ctype != ColumnType::Date)
            .map(|col| format!("{} {}", col.name, col.data.display(c.row)))
            .collect();
        if !others.is_empty() {
            lines.push(Line::default());
            lines.push(Line::from(vec![
                Span::styled("Also: ", t.dim()),
                Span::styled(others.join(&format!(" {} ", t.glyphs.sep)), t.text()),
            ]));
        }
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), padded);
    }
}
