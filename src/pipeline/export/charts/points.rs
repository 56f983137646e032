//! `scatter.png` and `pca.png`: one dot per sampled customer in its segment's
//! colour (the PCA chart with each segment's centre), and a legend.

use plotters::prelude::*;

use super::axis::{Axis, axis_desc, choose_axis};
use super::draw::{Area, DrawResult, INK, LegendMark, PAD, draw_legend, header, style_mesh};
use super::numbers::{min_max, robust_range, thousands};
use super::prep::Prep;

impl Prep<'_, '_> {
    pub(super) fn draw_scatter(&self, area: &Area) -> DrawResult {
        let Some(((xn, xv), (yn, yv))) = &self.inp.scatter else {
            return Ok(());
        };
        let keep = |i: usize| self.row_seg[i] != u32::MAX;
        let drawn: Vec<usize> = self
            .sample
            .iter()
            .copied()
            .filter(|&i| xv[i].is_finite() && yv[i].is_finite())
            .collect();
        let (x0, x1) = min_max(drawn.iter().map(|&i| xv[i]));
        let (y0, y1) = min_max(drawn.iter().map(|&i| yv[i]));
        let xa = choose_axis(xv, keep).fitted(x0, x1, 0.03);
        let ya = choose_axis(yv, keep).fitted(y0, y1, 0.03);
        let shown = drawn.len();
        let body = header(
            area,
            &format!("{yn} vs {xn}"),
            &self.subtitle(&self.sample_note(shown)),
        )?;
        let xd = axis_desc(xn, &xa);
        let yd = axis_desc(yn, &ya);
        self.point_chart(
            &body,
            (xa, &xd),
            (ya, &yd),
            drawn.iter().map(|&i| (xv[i], yv[i], i)),
            &[],
        )
    }

    pub(super) fn draw_pca(&self, area: &Area) -> DrawResult {
        let Some(pca) = &self.pca else {
            return Ok(());
        };
        let (proj, ratio) = (&pca.points, pca.ratio);
        let body = header(
            area,
            "Segments in principal-component space",
            &self.subtitle(&format!(
                "2-D PCA of the standardised features ({:.1}% of variance shown)  ·  {}",
                100.0 * (ratio[0] + ratio[1]),
                self.sample_note(self.sample.len())
            )),
        )?;
        let (x0, x1) = robust_range(proj.iter().map(|p| p[0]));
        let (y0, y1) = robust_range(proj.iter().map(|p| p[1]));
        // Segment centres in PC space (over all rows), drawn as large dots.
        let centres = &pca.centres;
        self.point_chart(
            &body,
            (
                Axis::linear(x0, x1),
                &format!("PC1 ({:.1}% of variance)", 100.0 * ratio[0]),
            ),
            (
                Axis::linear(y0, y1),
                &format!("PC2 ({:.1}% of variance)", 100.0 * ratio[1]),
            ),
            self.sample.iter().zip(proj).map(|(&i, p)| (p[0], p[1], i)),
            centres,
        )
    }

    fn sample_note(&self, shown: usize) -> String {
        let known = self.row_seg.iter().filter(|&&s| s != u32::MAX).count();
        if shown < known {
            format!(
                "{} of {} customers shown (stratified sample)",
                thousands(shown),
                thousands(known)
            )
        } else {
            format!("{} customers", thousands(shown))
        }
    }

    fn point_chart(
        &self,
        body: &Area,
        (x, x_desc): (Axis, &str),
        (y, y_desc): (Axis, &str),
        points: impl Iterator<Item = (f64, f64, usize)>,
        centres: &[(f64, f64, usize)],
    ) -> DrawResult {
        let (w, _) = body.dim_in_pixel();
        let legend_w = (w as f64 * 0.27).clamp(170.0, 320.0) as i32;
        let (plot, legend) = body.split_horizontally(w as i32 - legend_w);
        let mut chart = ChartBuilder::on(&plot)
            .margin_left(PAD)
            .margin_right(12)
            .margin_bottom(PAD / 2)
            .margin_top(8)
            .x_label_area_size(64)
            .y_label_area_size(96)
            .build_cartesian_2d(x.clone(), y.clone())?;
        style_mesh(&mut chart.configure_mesh())
            .x_desc(x_desc)
            .y_desc(y_desc)
            .draw()?;
        let radius = if self.sample.len() > 5000 { 2 } else { 3 };
        let alpha = if self.sample.len() > 5000 { 0.45 } else { 0.7 };
        let (xr, yr) = (
            x.lo.min(x.hi)..=x.lo.max(x.hi),
            y.lo.min(y.hi)..=y.lo.max(y.hi),
        );
        chart.draw_series(points.filter_map(|(px, py, i)| {
            let s = self.row_seg[i] as usize;
            (px.is_finite() && py.is_finite() && xr.contains(&px) && yr.contains(&py))
                .then(|| Circle::new((px, py), radius, self.colors[s].mix(alpha).filled()))
        }))?;
        // Centres: segment colour, white ring, dark outline.
        chart.draw_series(centres.iter().map(|&(cx, cy, s)| {
            EmptyElement::at((cx, cy))
                + Circle::new((0, 0), 11, WHITE.filled())
                + Circle::new((0, 0), 8, self.colors[s].filled())
                + Circle::new((0, 0), 11, INK.stroke_width(2))
        }))?;
        let items: Vec<(String, RGBColor)> = self
            .names
            .iter()
            .cloned()
            .zip(self.colors.iter().copied())
            .collect();
        draw_legend(&legend, &items, LegendMark::Dot)?;
        Ok(())
    }
}
