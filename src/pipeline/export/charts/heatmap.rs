//! `heatmap.png`: segments × features, each cell the centroid's z-score on
//! a diverging colour scale, with its value, and a colour bar.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{FontDesc, FontTransform};

use super::draw::{
    AXIS, Area, DrawResult, INK, MUTED, PAD, diverging, draw_label, fit_text, font, header,
    label_size, luminance, text_width, wrap_text,
};
use super::prep::{Prep, Shown};

/// The grid's place in the body: cells start at (`left`, `top`); the
/// colour bar sits right of `right`.
struct Grid {
    left: i32,
    right: i32,
    top: i32,
    cell_w: f64,
    cell_h: f64,
    grid_h: i32,
}

/// Column headers under the grid: horizontal (wrapped to up to three
/// lines) when every name fits that way, else vertical.
struct ColumnHeaders {
    font: FontDesc<'static>,
    line_h: i32,
    wrapped: Vec<Vec<String>>,
    horizontal: bool,
    /// Height of the header band.
    height: i32,
}

impl Prep<'_, '_> {
    pub(super) fn draw_heatmap(&self, area: &Area) -> DrawResult {
        let shown = &self.heat;
        let (k, d) = (self.k(), shown.names.len());
        let body = header(
            area,
            "Segment × feature profile",
            &self.subtitle(
                &shown.note("mean of each feature per segment, as z-scores (0 = average customer)"),
            ),
        )?;
        let (w, h) = body.dim_in_pixel();
        let row_font = font(label_size(k, h));
        let (w, h) = (w as i32, h as i32);
        let row_w = self.max_label_width(area, &row_font, (w as f64 * 0.28) as i32)?;
        let names = self.fitted_names(area, &row_font, row_w)?;

        let bar_w = 96; // colour bar + its ticks
        let left = PAD + row_w + 14;
        let right = w - PAD - bar_w;
        let cell_w = ((right - left) as f64 / d as f64).max(1.0);
        let cols = column_headers(area, shown, cell_w, h)?;
        let top = 10;
        let bottom = h - cols.height - 12;
        let cell_h = ((bottom - top) as f64 / k as f64).min(90.0);
        let grid = Grid {
            left,
            right,
            top,
            cell_w,
            cell_h,
            grid_h: (cell_h * k as f64).round() as i32,
        };

        let vmax = {
            let m = shown
                .z
                .iter()
                .flatten()
                .filter(|z| z.is_finite())
                .fold(0.0f64, |m, z| m.max(z.abs()));
            ((m * 2.0).ceil() / 2.0).clamp(0.5, 3.0)
        };
        for (i, zs) in shown.z.iter().enumerate() {
            let y0 = top + (i as f64 * cell_h).round() as i32;
            let y1 = top + ((i + 1) as f64 * cell_h).round() as i32;
            draw_cells(&body, &grid, zs, (y0, y1), vmax)?;
            // Row label with the segment's colour chip.
            let yc = (y0 + y1) / 2;
            body.draw(&Rectangle::new(
                [(left - 10, y0 + 2), (left - 4, y1 - 2)],
                self.colors[i].filled(),
            ))?;
            draw_label(
                &body,
                &names[i],
                &row_font
                    .color(&INK)
                    .pos(Pos::new(HPos::Right, VPos::Center)),
                (left - 16, yc),
            )?;
        }
        draw_column_headers(&body, area, &grid, shown, &cols)?;
        draw_colour_bar(&body, &grid, vmax)
    }
}

/// How the column headers fit under cells `cell_w` wide.
fn column_headers(area: &Area, shown: &Shown, cell_w: f64, h: i32) -> DrawResult<ColumnHeaders> {
    let d = shown.names.len();
    let size = if d > 20 {
        13.0
    } else if d > 10 {
        15.0
    } else {
        17.0
    };
    let font = font(size);
    let line_h = (size * 1.3).round() as i32;
    let mut wrapped = Vec::with_capacity(d);
    let mut widest = 0;
    for f in &shown.names {
        widest = widest.max(text_width(area, f, &font)?);
        wrapped.push(wrap_text(area, f, &font, cell_w as i32 - 10, 3)?);
    }
    let horizontal = cell_w >= 44.0
        && wrapped.iter().zip(&shown.names).all(|(l, f)| {
            !l.last()
                .is_some_and(|t| t.ends_with('…') && !f.ends_with('…'))
        });
    let height = if horizontal {
        wrapped.iter().map(Vec::len).max().unwrap_or(1) as i32 * line_h + 16
    } else {
        (widest + 20).clamp(60, (h as f64 * 0.32) as i32)
    };
    Ok(ColumnHeaders {
        font,
        line_h,
        wrapped,
        horizontal,
        height,
    })
}

/// One row of cells (rows `y0..y1`): colour, white border, value.
fn draw_cells(body: &Area, grid: &Grid, zs: &[f64], (y0, y1): (i32, i32), vmax: f64) -> DrawResult {
    let (cell_w, cell_h) = (grid.cell_w, grid.cell_h);
    let val_size = (cell_h * 0.34).min(cell_w / 3.6).clamp(9.0, 20.0);
    let decimals = if cell_w >= val_size * 3.8 { 2 } else { 1 };
    for (j, &z) in zs.iter().enumerate() {
        let x0 = grid.left + (j as f64 * cell_w).round() as i32;
        let x1 = grid.left + ((j + 1) as f64 * cell_w).round() as i32;
        let fill = diverging(z / vmax);
        body.draw(&Rectangle::new([(x0, y0), (x1, y1)], fill.filled()))?;
        body.draw(&Rectangle::new([(x0, y0), (x1, y1)], WHITE.stroke_width(1)))?;
        if cell_w >= 18.0 && cell_h >= 14.0 {
            let ink = if luminance(fill) < 0.45 { WHITE } else { INK };
            draw_label(
                body,
                &cell_value(z, decimals),
                &font(val_size)
                    .color(&ink)
                    .pos(Pos::new(HPos::Center, VPos::Center)),
                ((x0 + x1) / 2, (y0 + y1) / 2),
            )?;
        }
    }
    Ok(())
}

/// A cell's z-score; no "-0.00": values that round to zero print as zero.
fn cell_value(z: f64, decimals: usize) -> String {
    if !z.is_finite() {
        return "–".into();
    }
    let t = format!("{z:.decimals$}");
    if t.trim_start_matches('-')
        .chars()
        .all(|c| c == '0' || c == '.')
    {
        t.trim_start_matches('-').to_string()
    } else {
        t
    }
}

/// The feature names under the grid, one per column.
fn draw_column_headers(
    body: &Area,
    area: &Area,
    grid: &Grid,
    shown: &Shown,
    cols: &ColumnHeaders,
) -> DrawResult {
    let line_h = cols.line_h;
    let below = grid.top + grid.grid_h;
    for (j, f) in shown.names.iter().enumerate() {
        let xc = grid.left + ((j as f64 + 0.5) * grid.cell_w).round() as i32;
        if cols.horizontal {
            for (l, line) in cols.wrapped[j].iter().enumerate() {
                draw_label(
                    body,
                    line,
                    &cols
                        .font
                        .color(&INK)
                        .pos(Pos::new(HPos::Center, VPos::Center)),
                    (xc, below + 10 + l as i32 * line_h + line_h / 2),
                )?;
            }
        } else {
            let text = fit_text(area, f, &cols.font, cols.height - 14)?;
            draw_label(
                body,
                &text,
                &cols
                    .font
                    .clone()
                    .transform(FontTransform::Rotate270)
                    .color(&INK)
                    .pos(Pos::new(HPos::Right, VPos::Center)),
                (xc, below + 8),
            )?;
        }
    }
    Ok(())
}

/// The colour bar right of the grid, from -vmax (bottom) to +vmax (top).
fn draw_colour_bar(body: &Area, grid: &Grid, vmax: f64) -> DrawResult {
    let bx0 = grid.right + 28;
    let bx1 = bx0 + 18;
    let (by0, by1) = (grid.top, grid.top + grid.grid_h.max(120));
    let steps = (by1 - by0).max(1);
    for s in 0..steps {
        let t = 1.0 - 2.0 * (s as f64 + 0.5) / steps as f64;
        body.draw(&Rectangle::new(
            [(bx0, by0 + s), (bx1, by0 + s + 1)],
            diverging(t).filled(),
        ))?;
    }
    body.draw(&Rectangle::new(
        [(bx0, by0), (bx1, by1)],
        AXIS.stroke_width(1),
    ))?;
    let tick = font(14.0).color(&MUTED);
    let tick_step = if vmax >= 2.0 { 1.0 } else { 0.5 };
    let n_ticks = (vmax / tick_step).floor() as i32;
    for v in (-n_ticks..=n_ticks).map(|i| i as f64 * tick_step) {
        let y = by0 + ((vmax - v) / (2.0 * vmax) * (by1 - by0) as f64).round() as i32;
        body.draw(&PathElement::new(vec![(bx1, y), (bx1 + 5, y)], AXIS))?;
        draw_label(
            body,
            &if v == 0.0 {
                "0".to_string()
            } else {
                format!("{v:+}")
            },
            &tick.pos(Pos::new(HPos::Left, VPos::Center)),
            (bx1 + 8, y),
        )?;
    }
    Ok(())
}
