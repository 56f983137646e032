//! `segment_sizes.png`: one horizontal bar per segment, with its count and share.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::axis::Axis;
use super::draw::{
    Area, DrawResult, INK, PAD, bar_half_height, font, header, label_size, style_mesh,
};
use super::numbers::thousands;
use super::prep::Prep;

impl Prep<'_, '_> {
    pub(super) fn draw_sizes(&self, area: &Area) -> DrawResult {
        let k = self.k();
        let total: usize = self.inp.segments.iter().map(|s| s.size).sum();
        let body = header(
            area,
            "Segment sizes",
            &self.subtitle(&format!(
                "{} customers in {k} segment{}",
                thousands(total),
                if k == 1 { "" } else { "s" }
            )),
        )?;
        let (w, h) = body.dim_in_pixel();
        let label_font = font(label_size(k, h));
        let label_w = self.max_label_width(area, &label_font, (w as f64 * 0.34) as i32)?;

        let max = self.inp.segments.iter().map(|s| s.size).max().unwrap_or(0) as f64;
        let x = Axis::linear(0.0, (max * 1.25).max(1.0));
        let y = Axis::category(k);
        let names = self.fitted_names(area, &label_font, label_w)?;
        let fmt = |v: &f64| names.get(v.round() as usize).cloned().unwrap_or_default();

        let mut chart = ChartBuilder::on(&body)
            .margin_left(PAD)
            .margin_right(PAD)
            .margin_bottom(PAD / 2)
            .margin_top(8)
            .x_label_area_size(64)
            .y_label_area_size(label_w + 24)
            .build_cartesian_2d(x, y)?;
        style_mesh(&mut chart.configure_mesh())
            .disable_y_mesh()
            .y_label_style(label_font.color(&INK))
            .y_label_formatter(&fmt)
            .x_desc("Customers")
            .draw()?;

        let half = bar_half_height(k);
        for (i, s) in self.inp.segments.iter().enumerate() {
            let c = self.colors[i];
            let yi = i as f64;
            chart.draw_series(std::iter::once(Rectangle::new(
                [(0.0, yi - half), (s.size as f64, yi + half)],
                c.filled(),
            )))?;
            let share = if total > 0 {
                100.0 * s.size as f64 / total as f64
            } else {
                0.0
            };
            let text = format!("{}  ({share:.1}%)", thousands(s.size));
            let style = font(label_size(k, h).min(19.0))
                .color(&INK)
                .pos(Pos::new(HPos::Left, VPos::Center));
            chart
                .plotting_area()
                .draw(&(EmptyElement::at((s.size as f64, yi)) + Text::new(text, (10, 0), style)))?;
        }
        Ok(())
    }
}
