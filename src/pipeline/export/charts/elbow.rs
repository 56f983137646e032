//! `elbow.png`: SSE over the K sweep (left axis), the mean silhouette where
//! it was computed (right axis, dashed), and the chosen K marked.

use plotters::chart::DualCoordChartContext;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::SweepPoint;
use super::axis::Axis;
use super::draw::{
    ACCENT, AXIS, Area, DrawResult, INK, MUTED, PAD, bold, draw_label, font, header, style_mesh,
    text_width,
};
use super::numbers::min_max;
use super::prep::Prep;

type ElbowChart<'c, 'b> =
    DualCoordChartContext<'c, BitMapBackend<'b>, Cartesian2d<Axis, Axis>, Cartesian2d<Axis, Axis>>;

const SSE_COLOR: RGBColor = RGBColor(0x4E, 0x79, 0xA7);
const SIL_COLOR: RGBColor = RGBColor(0xF2, 0x8E, 0x2B);

impl Prep<'_, '_> {
    pub(super) fn draw_elbow(&self, area: &Area) -> DrawResult {
        let mut pts: Vec<SweepPoint> = self
            .inp
            .sweep
            .iter()
            .copied()
            .filter(|p| p.sse.is_finite())
            .collect();
        pts.sort_by_key(|p| p.k);
        let chosen = self.inp.chosen_k;
        let (kmin, kmax) = (pts[0].k, pts[pts.len() - 1].k);
        let body = header(
            area,
            "Choosing the number of segments (K)",
            &self.subtitle(&format!(
                "K-Means sweep, K = {kmin}–{kmax}  ·  chosen K = {chosen}"
            )),
        )?;

        let sil: Vec<(usize, f64)> = pts
            .iter()
            .filter_map(|p| p.silhouette.filter(|s| s.is_finite()).map(|s| (p.k, s)))
            .collect();
        let (smin, smax) = min_max(pts.iter().map(|p| p.sse));
        let span = (smax - smin).max(smax.abs() * 0.05).max(1e-9);
        let x = Axis::integer(kmin as f64 - 0.5, kmax as f64 + 0.5);
        let y = Axis::linear(smin - span * 0.08, smax + span * 0.18);

        let sil_axis = {
            let (lo, hi) = min_max(sil.iter().map(|s| s.1));
            let pad = ((hi - lo) * 0.15).max(0.02);
            Axis::linear(lo - pad, hi + pad)
        };
        // The secondary coordinate is set before any axis is drawn: it takes
        // the right label area, so the SSE labels stay on the left only.
        let mut chart = ChartBuilder::on(&body)
            .margin_left(PAD)
            .margin_right(PAD)
            .margin_bottom(PAD / 2)
            .margin_top(8)
            .x_label_area_size(64)
            .y_label_area_size(96)
            .right_y_label_area_size(if sil.is_empty() { 0 } else { 96 })
            .build_cartesian_2d(x.clone(), y)?
            .set_secondary_coord(x, sil_axis);
        style_mesh(&mut chart.configure_mesh())
            .x_desc("Number of segments K")
            .y_desc("Within-cluster sum of squares (SSE)")
            .draw()?;

        chart.draw_series(LineSeries::new(
            pts.iter().map(|p| (p.k as f64, p.sse)),
            SSE_COLOR.stroke_width(3),
        ))?;
        chart.draw_series(
            pts.iter()
                .map(|p| Circle::new((p.k as f64, p.sse), 5, SSE_COLOR.filled())),
        )?;
        if (kmin..=kmax).contains(&chosen) {
            mark_chosen_k(&mut chart, area, &pts, chosen)?;
        }
        if !sil.is_empty() {
            draw_silhouette(&mut chart, &sil)?;
        }
        elbow_legend(area, !sil.is_empty())
    }
}

/// The chosen K: dashed guide, ring and annotation.
fn mark_chosen_k(
    chart: &mut ElbowChart,
    area: &Area,
    pts: &[SweepPoint],
    chosen: usize,
) -> DrawResult {
    let (top, bottom) = (chart.y_range().end, chart.y_range().start);
    let kx = chosen as f64;
    chart.draw_series(DashedLineSeries::new(
        [(kx, bottom), (kx, top)],
        8,
        6,
        ACCENT.mix(0.7).stroke_width(2),
    ))?;
    let Some(p) = pts.iter().find(|p| p.k == chosen) else {
        return Ok(());
    };
    chart.draw_series(std::iter::once(Circle::new(
        (kx, p.sse),
        11,
        ACCENT.stroke_width(3),
    )))?;
    // Right of the point if it fits in the plot, else left of it.
    let (px, _) = chart.backend_coord(&(kx, p.sse));
    let text = format!("chosen K = {chosen}");
    let st = bold(20.0).color(&ACCENT);
    let (tw, _) = area.estimate_text_size(&text, &st)?;
    let plot_right = chart.plotting_area().get_pixel_range().0.end;
    let right_side = px + 18 + tw as i32 <= plot_right - 4;
    let (anchor, dx) = if right_side {
        (HPos::Left, 18)
    } else {
        (HPos::Right, -18)
    };
    chart.plotting_area().draw(
        &(EmptyElement::at((kx, p.sse))
            + Text::new(text, (dx, -16), st.pos(Pos::new(anchor, VPos::Bottom)))),
    )?;
    Ok(())
}

/// The silhouette on the right axis: dashed line and square markers.
fn draw_silhouette(chart: &mut ElbowChart, sil: &[(usize, f64)]) -> DrawResult {
    chart
        .configure_secondary_axes()
        .axis_style(AXIS)
        .label_style(font(16.0).color(&MUTED))
        .axis_desc_style(font(18.0).color(&INK))
        .y_desc("Mean silhouette")
        .draw()?;
    chart.draw_secondary_series(DashedLineSeries::new(
        sil.iter().map(|&(k, s)| (k as f64, s)),
        10,
        6,
        SIL_COLOR.stroke_width(3),
    ))?;
    chart.draw_secondary_series(sil.iter().map(|&(k, s)| {
        EmptyElement::at((k as f64, s)) + Rectangle::new([(-5, -5), (5, 5)], SIL_COLOR.filled())
    }))?;
    Ok(())
}

/// Legend in the header's right corner, clear of the data.
fn elbow_legend(area: &Area, with_silhouette: bool) -> DrawResult {
    let lf = font(16.0);
    let sil_text = "Silhouette (right axis)";
    let sse_text = "SSE (left axis)";
    let aw = area.dim_in_pixel().0 as i32;
    let mut x = aw - PAD;
    let y = 70;
    let mut entries: Vec<(&str, RGBColor, bool)> = vec![(sse_text, SSE_COLOR, false)];
    if with_silhouette {
        entries.push((sil_text, SIL_COLOR, true));
    }
    for (text, c, dashed) in entries.into_iter().rev() {
        let tw = text_width(area, text, &lf)?;
        x -= tw;
        draw_label(
            area,
            text,
            &lf.color(&INK).pos(Pos::new(HPos::Left, VPos::Center)),
            (x, y),
        )?;
        let x0 = x - 42;
        if dashed {
            area.draw(&PathElement::new(
                vec![(x0, y), (x0 + 11, y)],
                c.stroke_width(3),
            ))?;
            area.draw(&PathElement::new(
                vec![(x0 + 21, y), (x0 + 32, y)],
                c.stroke_width(3),
            ))?;
            area.draw(&Rectangle::new(
                [(x0 + 11, y - 5), (x0 + 21, y + 5)],
                c.filled(),
            ))?;
        } else {
            area.draw(&PathElement::new(
                vec![(x0, y), (x0 + 32, y)],
                c.stroke_width(3),
            ))?;
            area.draw(&Circle::new((x0 + 16, y), 5, c.filled()))?;
        }
        x = x0 - 28;
    }
    Ok(())
}
