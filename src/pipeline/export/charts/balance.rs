//! `balance_distribution.png`: the money column per segment as box plots
//! (percentiles, median, mean), on a log scale when it is skewed.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::axis::{Axis, choose_axis};
use super::draw::{
    Area, DrawResult, INK, MUTED, PAD, bar_half_height, font, header, label_size, style_mesh,
};
use super::numbers::{compact, min_max, thousands};
use super::prep::Prep;

impl Prep<'_, '_> {
    pub(super) fn draw_balance(&self, area: &Area) -> DrawResult {
        let (Some((name, values)), Some(boxes)) = (&self.inp.money_feature, &self.boxes) else {
            return Ok(());
        };
        let k = self.k();
        let scale = choose_axis(values, |i| self.row_seg[i] != u32::MAX);
        let (lo, hi) = min_max(boxes.iter().flatten().flat_map(|b| [b.p05, b.p95, b.mean]));
        let axis = scale.fitted(lo, hi, 0.04);
        let log = axis.is_log();
        let body = header(
            area,
            &format!("{name} by segment"),
            &self.subtitle(
                "box: 25th–75th percentile  ·  bar: median  ·  whiskers: 5th–95th percentile  ·  ◆ mean",
            ),
        )?;
        let (w, h) = body.dim_in_pixel();
        let label_font = font(label_size(k, h));
        let label_w = self.max_label_width(area, &label_font, (w as f64 * 0.30) as i32)?;
        let names = self.fitted_names(area, &label_font, label_w)?;
        let fmt = |v: &f64| names.get(v.round() as usize).cloned().unwrap_or_default();

        let mut chart = ChartBuilder::on(&body)
            .margin_left(PAD)
            .margin_right(PAD)
            .margin_bottom(PAD / 2)
            .margin_top(8)
            .x_label_area_size(64)
            .y_label_area_size(label_w + 24)
            .build_cartesian_2d(axis, Axis::category(k))?;
        let desc = if log {
            format!("{name} (log scale)")
        } else {
            name.clone()
        };
        style_mesh(&mut chart.configure_mesh())
            .disable_y_mesh()
            .y_label_style(label_font.color(&INK))
            .y_label_formatter(&fmt)
            .x_desc(desc)
            .draw()?;

        let half = bar_half_height(k).min(0.32);
        let small = font(label_size(k, h).min(16.0)).color(&MUTED);
        for (i, b) in boxes.iter().enumerate() {
            let Some(b) = b else { continue };
            let c = self.colors[i];
            let yi = i as f64;
            chart.draw_series([
                PathElement::new(vec![(b.p05, yi), (b.p25, yi)], INK.stroke_width(2)),
                PathElement::new(vec![(b.p75, yi), (b.p95, yi)], INK.stroke_width(2)),
                PathElement::new(
                    vec![(b.p05, yi - half * 0.5), (b.p05, yi + half * 0.5)],
                    INK.stroke_width(2),
                ),
                PathElement::new(
                    vec![(b.p95, yi - half * 0.5), (b.p95, yi + half * 0.5)],
                    INK.stroke_width(2),
                ),
            ])?;
            chart.draw_series([
                Rectangle::new(
                    [(b.p25, yi - half), (b.p75, yi + half)],
                    c.mix(0.85).filled(),
                ),
                Rectangle::new(
                    [(b.p25, yi - half), (b.p75, yi + half)],
                    INK.stroke_width(1),
                ),
            ])?;
            chart.draw_series([PathElement::new(
                vec![(b.p50, yi - half), (b.p50, yi + half)],
                INK.stroke_width(3),
            )])?;
            chart.draw_series(std::iter::once(
                EmptyElement::at((b.mean, yi))
                    + Polygon::new(vec![(0, -7), (7, 0), (0, 7), (-7, 0)], WHITE.filled())
                    + PathElement::new(
                        vec![(0, -7), (7, 0), (0, 7), (-7, 0), (0, -7)],
                        INK.stroke_width(2),
                    ),
            ))?;
            // Annotation right of the upper whisker if it fits, else left of the lower.
            let text = format!("median {}  ·  n = {}", compact(b.p50), thousands(b.count));
            let (tw, _) = area.estimate_text_size(&text, &small)?;
            let plot = chart.plotting_area().get_pixel_range().0;
            let (right_px, _) = chart.backend_coord(&(b.p95, yi));
            let (left_px, _) = chart.backend_coord(&(b.p05, yi));
            let (at, anchor, dx) = if right_px + 10 + tw as i32 <= plot.end {
                (b.p95, HPos::Left, 10)
            } else if left_px - 10 - tw as i32 >= plot.start {
                (b.p05, HPos::Right, -10)
            } else {
                (b.p95, HPos::Right, 0)
            };
            chart.plotting_area().draw(
                &(EmptyElement::at((at, yi))
                    + Text::new(text, (dx, 0), small.pos(Pos::new(anchor, VPos::Center)))),
            )?;
        }
        Ok(())
    }
}
