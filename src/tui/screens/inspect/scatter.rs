//! The Scatter view (`p`): the customers of a sample on the first two
//! principal components, one colour (or digit) per segment, the selected
//! segment on top.

use super::InspectScreen;
use crate::pipeline::profile::Profiles;
use crate::tui::data::Pca;
use crate::tui::screens::DrawCtx;
use crate::tui::text;
use crate::tui::theme::Theme;
use crate::tui::widgets::{charts, pane_block};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::symbols::Marker;
use ratatui::text::Line;
use ratatui::widgets::{Axis, Chart, Dataset, GraphType, LegendPosition, Paragraph};

/// The sampled points of each segment.
fn points_by_segment(pca: &Pca, labels: &[u8], k: usize) -> Vec<Vec<(f64, f64)>> {
    let mut per_segment: Vec<Vec<(f64, f64)>> = vec![Vec::new(); k];
    for (point, &row) in pca.points.iter().zip(&pca.rows) {
        if let Some(&l) = labels.get(row)
            && let Some(v) = per_segment.get_mut(l as usize)
        {
            v.push((point[0], point[1]));
        }
    }
    per_segment
}

/// The range of component `axis` over all points (one unit either side
/// when they all sit on one value).
fn bounds(pca: &Pca, axis: usize) -> [f64; 2] {
    let (lo, hi) = pca
        .points
        .iter()
        .map(|p| p[axis])
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    if lo < hi {
        [lo, hi]
    } else {
        [lo - 1.0, lo + 1.0]
    }
}

/// "PCA of the features · PC1 41%, PC2 22% of the variance · 3,000 customers".
fn title(t: &Theme, pca: &Pca, n: usize) -> String {
    // "3,000 customers" when every one is drawn, so the title fits 80 columns.
    let shown = if pca.rows.len() == n {
        format!("{} customers", text::thousands(n))
    } else {
        format!(
            "{} of {} customers",
            text::thousands(pca.rows.len()),
            text::thousands(n)
        )
    };
    format!(
        " PCA of the features {} PC1 {:.0}%, PC2 {:.0}% of the variance {} {shown} ",
        t.glyphs.sep,
        pca.ratio[0] * 100.0,
        pca.ratio[1] * 100.0,
        t.glyphs.sep,
    )
}

impl InspectScreen {
    pub(super) fn draw_scatter(&self, frame: &mut Frame, area: Rect, v: &DrawCtx, p: &Profiles) {
        let t = v.theme;
        let (Some(pca), Some(k)) = (v.data.pca(), v.data.k()) else {
            let block = pane_block(t, " PCA ", true);
            let inner = block.inner(area);
            frame.render_widget(block, area);
            frame.render_widget(
                Paragraph::new(Line::styled("The PCA is being computed...", t.dim())),
                inner,
            );
            return;
        };
        let Some(labels) = v.data.sweep().and_then(|s| s.get(k)).map(|r| &r.fit.labels) else {
            return;
        };
        let n = v.data.features().map_or(0, |f| f.n);
        let block = pane_block(
            t,
            &text::truncate(
                &title(t, pca, n),
                area.width as usize - 2,
                t.glyphs.ellipsis,
            ),
            true,
        );
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let per_segment = points_by_segment(pca, labels, p.segments.len());
        let chart = Chart::new(self.datasets(t, p, &per_segment))
            .x_axis(
                Axis::default()
                    .title(Line::styled("PC1", t.dim()))
                    .bounds(bounds(pca, 0))
                    .style(t.dim()),
            )
            .y_axis(
                Axis::default()
                    .title(Line::styled("PC2", t.dim()))
                    .bounds(bounds(pca, 1))
                    .style(t.dim()),
            )
            .legend_position(Some(LegendPosition::TopRight))
            .hidden_legend_constraints((Constraint::Percentage(45), Constraint::Percentage(60)));
        frame.render_widget(chart, inner);
        if t.ascii {
            charts::asciify(frame.buffer_mut(), inner);
        }
    }

    /// One dataset a segment, named for the legend; the selected segment
    /// last, so it is drawn on top.
    fn datasets<'a>(
        &self,
        t: &Theme,
        p: &Profiles,
        per_segment: &'a [Vec<(f64, f64)>],
    ) -> Vec<Dataset<'a>> {
        let segs = &p.segments;
        let plain = !t.color || t.ascii;
        let mut order: Vec<usize> = (0..segs.len()).filter(|&i| i != self.selected).collect();
        order.push(self.selected.min(segs.len().saturating_sub(1)));
        // The legend box does not clear what the chart drew under it: names
        // padded to one width cover its whole inside.
        let names: Vec<String> = segs
            .iter()
            .map(|s| text::truncate(&format!("{} {}", s.id, s.label), 26, t.glyphs.ellipsis))
            .collect();
        let name_width = names.iter().map(|n| text::width(n)).max().unwrap_or(0);
        order
            .iter()
            .filter_map(|&i| {
                let s = segs.get(i)?;
                let name = &names[i];
                let pad = " ".repeat(name_width - text::width(name));
                let marker = if plain {
                    Marker::Custom(char::from_digit(s.id % 10, 10).unwrap_or('*'))
                } else {
                    Marker::Braille
                };
                let style: Style = if i == self.selected {
                    t.segment(s.id).patch(t.title())
                } else {
                    t.segment(s.id)
                };
                Some(
                    Dataset::default()
                        .name(format!("{name}{pad}"))
                        .marker(marker)
                        .graph_type(GraphType::Scatter)
                        .style(style)
                        .data(&per_segment[i]),
                )
            })
            .collect()
    }
}
