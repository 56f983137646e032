//! `radar.png`: one polygon per segment over the features' centroid
//! z-scores, rings at whole (or half) z values, and a legend.

use plotters::prelude::*;
use plotters::style::FontDesc;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::draw::{
    Area, DrawResult, GRID, INK, LegendMark, MUTED, draw_label, draw_legend, font, header,
    text_width, wrap_text,
};
use super::numbers::min_max;
use super::prep::{Prep, Shown};

/// Where a z value of a feature lands: the radial scale runs from `lo`
/// (centre) to `hi` (rim), clipped at ±3, over a circle of radius `r`.
struct Radar {
    d: usize,
    lo: f64,
    hi: f64,
    step: f64,
    r: f64,
    cx: f64,
    cy: f64,
}

impl Radar {
    fn angle(&self, j: usize) -> f64 {
        -std::f64::consts::FRAC_PI_2 + j as f64 * std::f64::consts::TAU / self.d as f64
    }
    fn radius(&self, z: f64) -> f64 {
        ((z.clamp(self.lo, self.hi) - self.lo) / (self.hi - self.lo)) * self.r
    }
    fn at(&self, j: usize, z: f64) -> (i32, i32) {
        let (t, a) = (self.radius(z), self.angle(j));
        (
            (self.cx + t * a.cos()).round() as i32,
            (self.cy + t * a.sin()).round() as i32,
        )
    }
    /// Rings at whole (or half) z values from `lo` to `hi`.
    fn rings(&self) -> Vec<f64> {
        (0..)
            .map(|i| (self.lo / self.step).ceil() * self.step + i as f64 * self.step)
            .take_while(|z| *z <= self.hi + 1e-9)
            .collect()
    }
}

/// The feature names around the rim, wrapped to one or two lines.
struct FeatureLabels {
    font: FontDesc<'static>,
    line_h: i32,
    lines: Vec<Vec<String>>,
    widest: i32,
}

impl Prep<'_, '_> {
    pub(super) fn draw_radar(&self, area: &Area) -> DrawResult {
        let shown = &self.radar;
        let (k, d) = (self.k(), shown.names.len());
        let body = header(
            area,
            "Segment profiles",
            &self.subtitle(&shown.note("centroid z-scores per feature (0 = average customer)")),
        )?;
        let (w, h) = body.dim_in_pixel();
        let (w, h) = (w as i32, h as i32);
        let legend_w = (w as f64 * 0.26).clamp(180.0, 310.0) as i32;
        let (plot, legend) = body.split_horizontally(w - legend_w);

        let (zmin, zmax) = min_max(shown.z.iter().flatten().copied());
        let step = if zmax.min(3.0) - zmin.max(-3.0) > 3.0 {
            1.0
        } else {
            0.5
        };
        let lo = ((zmin / step).floor() * step).clamp(-3.0, -1.0);
        let hi = ((zmax / step).ceil() * step).clamp(1.0, 3.0);
        let pw = w - legend_w;
        let crowded = d > 12;
        let labels = feature_labels(area, shown, pw, crowded)?;
        // Room for the feature names beside the rim.
        let side = labels.widest + 26;
        let r = ((h / 2 - 16 - 2 * labels.line_h).min(pw / 2 - side)).max(40) as f64;
        let (cx, cy) = (pw as f64 / 2.0, h as f64 / 2.0);
        let radar = Radar {
            d,
            lo,
            hi,
            step,
            r,
            cx,
            cy,
        };

        let rings = radar.rings();
        draw_grid(&plot, &radar, &rings)?;
        self.draw_polygons(&plot, &radar, k, crowded)?;
        draw_ring_values(&plot, area, &radar, &rings)?;
        draw_feature_names(&plot, &radar, &labels, crowded)?;

        let items: Vec<(String, RGBColor)> = self
            .names
            .iter()
            .cloned()
            .zip(self.colors.iter().copied())
            .collect();
        draw_legend(&legend, &items, LegendMark::Line)?;
        Ok(())
    }

    /// One polygon per segment: light fill, solid outline, vertex dots.
    /// Fills only while they stay readable; thinner lines when crowded.
    fn draw_polygons(&self, plot: &Area, radar: &Radar, k: usize, crowded: bool) -> DrawResult {
        let fill_alpha = match k {
            0..=4 => 0.12,
            5..=8 => 0.06,
            _ => 0.0,
        };
        let (line_w, dot) = if k > 8 || crowded { (2, 3) } else { (3, 4) };
        for (i, zs) in self.radar.z.iter().enumerate() {
            let c = self.colors[i];
            let pts: Vec<(i32, i32)> = zs
                .iter()
                .enumerate()
                .map(|(j, &z)| radar.at(j, z))
                .collect();
            if fill_alpha > 0.0 {
                plot.draw(&Polygon::new(pts.clone(), c.mix(fill_alpha).filled()))?;
            }
            let mut ring = pts.clone();
            ring.push(pts[0]);
            plot.draw(&PathElement::new(ring, c.stroke_width(line_w)))?;
            for p in pts {
                plot.draw(&Circle::new(p, dot, c.filled()))?;
            }
        }
        Ok(())
    }
}

/// The feature names, wrapped to two lines (one when crowded) of at most a
/// sixth of the plot's width.
fn feature_labels(area: &Area, shown: &Shown, pw: i32, crowded: bool) -> DrawResult<FeatureLabels> {
    let size = if shown.names.len() > 16 { 14.0 } else { 17.0 };
    let font = font(size);
    let cap = (pw / 6).clamp(90, 170);
    let mut widest = 0;
    let mut lines = Vec::with_capacity(shown.names.len());
    for f in &shown.names {
        let wrapped = wrap_text(area, f, &font, cap, if crowded { 1 } else { 2 })?;
        for l in &wrapped {
            widest = widest.max(text_width(area, l, &font)?);
        }
        lines.push(wrapped);
    }
    Ok(FeatureLabels {
        font,
        line_h: (size * 1.25).round() as i32,
        lines,
        widest,
    })
}

/// Rings (the z = 0 ring emphasised) and one spoke per feature.
fn draw_grid(plot: &Area, radar: &Radar, rings: &[f64]) -> DrawResult {
    let d = radar.d;
    for &z in rings {
        let ring: Vec<(i32, i32)> = (0..=d).map(|j| radar.at(j % d, z)).collect();
        let style = if z.abs() < 1e-9 {
            MUTED.stroke_width(2)
        } else {
            GRID.stroke_width(1)
        };
        plot.draw(&PathElement::new(ring, style))?;
    }
    for j in 0..d {
        plot.draw(&PathElement::new(
            vec![radar.at(j, radar.lo), radar.at(j, radar.hi)],
            GRID.stroke_width(1),
        ))?;
    }
    Ok(())
}

/// Ring values, on a light halo, between the first two spokes.
fn draw_ring_values(plot: &Area, area: &Area, radar: &Radar, rings: &[f64]) -> DrawResult {
    let tick = font(13.0).color(&MUTED);
    let a = -std::f64::consts::FRAC_PI_2 + std::f64::consts::PI / radar.d as f64;
    for &z in rings {
        let t = radar.radius(z);
        let p = (
            (radar.cx + t * a.cos()).round() as i32,
            (radar.cy + t * a.sin()).round() as i32,
        );
        let text = if z.abs() < 1e-9 {
            "0 = avg".to_string()
        } else {
            format!("{z:+}")
        };
        let (tw, th) = area.estimate_text_size(&text, &tick)?;
        let (tw, th) = (tw as i32, th as i32);
        plot.draw(&Rectangle::new(
            [
                (p.0 - tw / 2 - 3, p.1 - th / 2 - 2),
                (p.0 + tw / 2 + 3, p.1 + th / 2 + 2),
            ],
            WHITE.mix(0.85).filled(),
        ))?;
        draw_label(
            plot,
            &text,
            &tick.pos(Pos::new(HPos::Center, VPos::Center)),
            p,
        )?;
    }
    Ok(())
}

/// Feature names just outside the rim, as blocks of one or two lines.
fn draw_feature_names(
    plot: &Area,
    radar: &Radar,
    labels: &FeatureLabels,
    crowded: bool,
) -> DrawResult {
    let line_h = labels.line_h;
    for (j, lines) in labels.lines.iter().enumerate() {
        let a = radar.angle(j);
        let (ca, sa) = (a.cos(), a.sin());
        let (px, py) = (
            (radar.cx + (radar.r + 16.0) * ca).round() as i32,
            (radar.cy + (radar.r + 16.0) * sa).round() as i32,
        );
        let side_limit = if crowded { 0.05 } else { 0.25 };
        let hpos = if ca > side_limit {
            HPos::Left
        } else if ca < -side_limit {
            HPos::Right
        } else {
            HPos::Center
        };
        let block = lines.len() as i32 * line_h;
        let y0 = if sa > 0.6 {
            py // below the rim: block hangs down
        } else if sa < -0.6 {
            py - block // above the rim: block sits on it
        } else {
            py - block / 2
        };
        for (l, line) in lines.iter().enumerate() {
            draw_label(
                plot,
                line,
                &labels.font.color(&INK).pos(Pos::new(hpos, VPos::Center)),
                (px, y0 + l as i32 * line_h + line_h / 2),
            )?;
        }
    }
    Ok(())
}
