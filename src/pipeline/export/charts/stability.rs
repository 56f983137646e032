//! `stability.png`: one horizontal bar per segment with its bootstrap
//! stability (mean Jaccard, 0–1), and Hennig's bands marked: below 0.6 do
//! not trust, 0.6–0.75 a pattern, from 0.75 stable, from 0.85 highly stable.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::axis::Axis;
use super::draw::{
    ACCENT, Area, DrawResult, INK, MUTED, PAD, bar_half_height, font, header, label_size,
    style_mesh,
};
use super::prep::Prep;

/// The band edges and the reading from each on.
const BANDS: [(f64, &str); 3] = [(0.6, "pattern"), (0.75, "stable"), (0.85, "highly stable")];

impl Prep<'_, '_> {
    pub(super) fn draw_stability(&self, area: &Area) -> DrawResult {
        let k = self.k();
        let values = &self.inp.stability;
        let lowest = values.iter().copied().fold(f64::INFINITY, f64::min);
        let body = header(
            area,
            "Segment stability",
            &self.subtitle(&format!(
                "mean Jaccard over bootstrap resamples; lowest {}",
                crate::pipeline::trust::Band::shown(lowest)
            )),
        )?;
        let (w, h) = body.dim_in_pixel();
        let label_font = font(label_size(k, h));
        let label_w = self.max_label_width(area, &label_font, (w as f64 * 0.34) as i32)?;
        let names = self.fitted_names(area, &label_font, label_w)?;
        let fmt = |v: &f64| names.get(v.round() as usize).cloned().unwrap_or_default();
        let mut chart = ChartBuilder::on(&body)
            .margin_left(PAD)
            .margin_right(PAD * 3)
            .margin_bottom(PAD / 2)
            .margin_top(30)
            .x_label_area_size(64)
            .y_label_area_size(label_w + 24)
            .build_cartesian_2d(Axis::linear(0.0, 1.0), Axis::category(k))?;
        style_mesh(&mut chart.configure_mesh())
            .disable_y_mesh()
            .y_label_style(label_font.color(&INK))
            .y_label_formatter(&fmt)
            .x_desc("Stability (mean Jaccard)")
            .draw()?;
        let top = -0.5;
        let style = font(15.0)
            .color(&MUTED)
            .pos(Pos::new(HPos::Left, VPos::Bottom));
        chart
            .plotting_area()
            .draw(&(EmptyElement::at((0.0, top)) + Text::new("do not trust", (4, -4), style)))?;
        for (edge, name) in BANDS {
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(edge, top), (edge, k as f64 - 0.5)],
                ACCENT.mix(0.6).stroke_width(2),
            )))?;
            let style = font(15.0)
                .color(&MUTED)
                .pos(Pos::new(HPos::Left, VPos::Bottom));
            chart
                .plotting_area()
                .draw(&(EmptyElement::at((edge, top)) + Text::new(name, (4, -4), style)))?;
        }
        let half = bar_half_height(k);
        for (i, &v) in values.iter().enumerate() {
            let yi = i as f64;
            chart.draw_series(std::iter::once(Rectangle::new(
                [(0.0, yi - half), (v.clamp(0.0, 1.0), yi + half)],
                self.colors[i].filled(),
            )))?;
            let style = font(label_size(k, h).min(19.0))
                .color(&INK)
                .pos(Pos::new(HPos::Left, VPos::Center));
            chart.plotting_area().draw(
                &(EmptyElement::at((v.clamp(0.0, 1.0), yi))
                    + Text::new(crate::pipeline::trust::Band::shown(v), (8, 0), style)),
            )?;
        }
        Ok(())
    }
}
