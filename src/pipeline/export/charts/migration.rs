//! `migration.png` (written by `custseg compare`): the migration matrix as
//! a heatmap. Rows are the earlier run's segments, columns the later run's,
//! the last column the customers who left and the last row those who
//! entered; each cell is coloured by the share of its row, with the share
//! and the count written in it. Same font and segment colours as the run's
//! charts.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::draw::{
    Area, DrawResult, INK, MUTED, PAD, bold, diverging, draw_label, fit_text, font, header,
    luminance, wrap_text,
};
use super::{CHART_SIZE, render_png, segment_color};
use crate::Result;
use std::path::{Path, PathBuf};

pub const MIGRATION_PNG: &str = "migration.png";

/// The matrix to draw, plain data.
#[derive(Debug, Clone)]
pub struct MigrationChart {
    pub subtitle: String,
    /// One per segment: its name and the id that picks its colour.
    pub segments: Vec<(String, u32)>,
    /// counts[from][to] over `segments`, customers in both runs.
    pub counts: Vec<Vec<usize>>,
    /// Per segment: earlier customers who left, later ones who entered.
    pub left: Vec<usize>,
    pub entered: Vec<usize>,
}

/// Draws `dir/migration.png` (dir: an output set's staging folder).
pub fn write_migration_png(dir: &Path, chart: &MigrationChart) -> Result<PathBuf> {
    super::super::fonts::register_fonts();
    let n = chart.segments.len() + 1;
    let side = (CHART_SIZE.0).max(300 + 70 * n as u32).min(4000);
    render_png(dir, MIGRATION_PNG, (side, side * 2 / 3), |root| {
        draw(root, chart)
    })
}

fn draw(area: &Area, c: &MigrationChart) -> DrawResult {
    let body = header(area, "Where each segment's customers went", &c.subtitle)?;
    let (w, h) = body.dim_in_pixel();
    let (w, h) = (w as i32, h as i32);
    let k = c.segments.len();
    let label_w = (w as f64 * 0.24) as i32;
    let (left, top) = (PAD + label_w + 16, 90);
    let cell_w = ((w - left - PAD) as f64 / (k + 1) as f64).max(8.0);
    let cell_h = ((h - top - 20) as f64 / (k + 1) as f64).clamp(8.0, 80.0);
    let size = (cell_h * 0.3).min(cell_w / 4.5).clamp(8.0, 18.0);
    let label_font = font(size.max(11.0));
    draw_label(
        &body,
        "to (later run) →",
        &font(14.0).color(&MUTED),
        (left, 8),
    )?;
    draw_label(
        &body,
        "from (earlier run) ↓",
        &font(14.0).color(&MUTED),
        (PAD, 8),
    )?;
    let heads: Vec<(String, Option<u32>)> = c
        .segments
        .iter()
        .map(|(s, id)| (s.clone(), Some(*id)))
        .chain([("left".to_string(), None)])
        .collect();
    for (j, (name, id)) in heads.iter().enumerate() {
        let x0 = left + (j as f64 * cell_w) as i32;
        let lines = wrap_text(&body, name, &label_font, cell_w as i32 - 6, 2)?;
        if let Some(id) = id {
            body.draw(&Rectangle::new(
                [(x0 + 2, top - 8), (x0 + cell_w as i32 - 2, top - 3)],
                segment_color(*id).filled(),
            ))?;
        }
        let line_h = (size.max(11.0) * 1.25) as i32;
        for (l, text) in lines.iter().rev().enumerate() {
            draw_label(
                &body,
                text,
                &label_font
                    .color(&INK)
                    .pos(Pos::new(HPos::Center, VPos::Bottom)),
                (x0 + (cell_w / 2.0) as i32, top - 12 - l as i32 * line_h),
            )?;
        }
    }
    let rows: Vec<(String, Option<u32>, Vec<usize>)> = c
        .segments
        .iter()
        .enumerate()
        .map(|(i, (s, id))| {
            let mut r = c.counts[i].clone();
            r.push(c.left[i]);
            (s.clone(), Some(*id), r)
        })
        .chain([("entered".to_string(), None, {
            let mut r = c.entered.clone();
            r.push(0);
            r
        })])
        .collect();
    for (i, (name, id, row)) in rows.iter().enumerate() {
        let y0 = top + (i as f64 * cell_h) as i32;
        let y1 = top + ((i + 1) as f64 * cell_h) as i32;
        if let Some(id) = id {
            body.draw(&Rectangle::new(
                [(left - 10, y0 + 2), (left - 4, y1 - 2)],
                segment_color(*id).filled(),
            ))?;
        }
        let text = fit_text(&body, name, &label_font, label_w)?;
        draw_label(
            &body,
            &text,
            &label_font
                .color(&INK)
                .pos(Pos::new(HPos::Right, VPos::Center)),
            (left - 16, (y0 + y1) / 2),
        )?;
        let total: usize = row.iter().sum();
        for (j, &count) in row.iter().enumerate() {
            let x0 = left + (j as f64 * cell_w) as i32;
            let x1 = left + ((j + 1) as f64 * cell_w) as i32;
            let share = if total > 0 {
                count as f64 / total as f64
            } else {
                0.0
            };
            let fill = diverging(-share);
            body.draw(&Rectangle::new([(x0, y0), (x1, y1)], fill.filled()))?;
            let edge = if i == j && i < k {
                INK.stroke_width(3)
            } else {
                WHITE.stroke_width(1)
            };
            body.draw(&Rectangle::new([(x0, y0), (x1, y1)], edge))?;
            if count == 0 {
                continue;
            }
            let ink = if luminance(fill) < 0.5 { WHITE } else { INK };
            let f = if i == j && i < k {
                bold(size)
            } else {
                font(size)
            };
            let words = format!("{:.0}%", share * 100.0);
            draw_label(
                &body,
                &fit_text(&body, &words, &f, cell_w as i32 - 4)?,
                &f.color(&ink).pos(Pos::new(HPos::Center, VPos::Bottom)),
                ((x0 + x1) / 2, (y0 + y1) / 2),
            )?;
            draw_label(
                &body,
                &fit_text(
                    &body,
                    &count.to_string(),
                    &font(size * 0.85),
                    cell_w as i32 - 4,
                )?,
                &font(size * 0.85)
                    .color(&ink)
                    .pos(Pos::new(HPos::Center, VPos::Top)),
                ((x0 + x1) / 2, (y0 + y1) / 2 + 2),
            )?;
        }
    }
    Ok(())
}
