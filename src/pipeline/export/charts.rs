//! PNG charts of a segmentation, drawn with plotters on a bitmap into the
//! staging folder of an output set (owner-only, 0600).
//!
//! The input is plain data ([`ChartInput`]), so this module depends on no
//! other pipeline stage. All text uses the embedded font (see [`super::fonts`]);
//! segment colours come from one colour-blind-friendly palette, chosen by
//! segment id, so a segment has the same colour in every chart.
//!
//! Charts whose optional input is missing are skipped and not listed:
//! `elbow.png` needs a sweep, `balance_distribution.png` a money feature,
//! `scatter.png` the scatter pair, `heatmap.png` the centroids, `radar.png`
//! the centroids and at least three features, `pca.png` at least two
//! features and three rows. `segment_sizes.png` and the combined
//! `segmentation_charts.png` are always written.

use std::collections::HashMap;
use std::error::Error as StdError;
use std::ops::Range;
use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::coord::ranged1d::{KeyPointHint, NoDefaultFormatting, Ranged, ValueFormatter};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{FontDesc, FontFamily, FontStyle, FontTransform};
use rayon::prelude::*;

use super::fonts::{FONT_FAMILY, register_fonts};
use super::pca::pca_2d;
use crate::{Error, Result};

/// One segment as the charts show it.
#[derive(Debug, Clone, PartialEq)]
pub struct SegmentInfo {
    /// The id used in [`ChartInput::labels`]; also picks the segment's colour.
    pub id: u32,
    /// Display label (may be Chinese, may be long; trimmed to fit).
    pub label: String,
    /// Number of customers in the segment.
    pub size: usize,
}

/// One point of the K sweep.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SweepPoint {
    pub k: usize,
    /// Within-cluster sum of squares.
    pub sse: f64,
    /// Mean silhouette, when it was computed.
    pub silhouette: Option<f64>,
}

/// A column by name: (display name, one value per row in original units).
pub type NamedColumn = (String, Vec<f64>);

/// Everything the charts need, as plain data.
#[derive(Debug, Clone)]
pub struct ChartInput<'a> {
    /// Shown in every subtitle, e.g. the input file name.
    pub title_suffix: String,
    /// One name per feature column (length `d`; may be Chinese).
    pub feature_names: Vec<String>,
    /// The segments, in display order.
    pub segments: Vec<SegmentInfo>,
    /// The K sweep; empty = no elbow chart.
    pub sweep: Vec<SweepPoint>,
    pub chosen_k: usize,
    /// Centroid z-scores, one row of `d` per entry of `segments` (same order);
    /// empty = no heatmap and no radar.
    pub centroid_z: Vec<Vec<f64>>,
    /// The standardised matrix, row-major `n × d`.
    pub scaled: &'a [f64],
    pub n: usize,
    pub d: usize,
    /// Segment id of each row (length `n`); ids not in `segments` are ignored.
    pub labels: &'a [u32],
    /// A money column in original units, one value per row (e.g. balance).
    pub money_feature: Option<NamedColumn>,
    /// (x, y) columns in original units, one value per row each
    /// (e.g. balance × transaction frequency).
    pub scatter: Option<(NamedColumn, NamedColumn)>,
}

pub const ELBOW_PNG: &str = "elbow.png";
pub const SEGMENT_SIZES_PNG: &str = "segment_sizes.png";
pub const BALANCE_PNG: &str = "balance_distribution.png";
pub const RADAR_PNG: &str = "radar.png";
pub const HEATMAP_PNG: &str = "heatmap.png";
pub const SCATTER_PNG: &str = "scatter.png";
pub const PCA_PNG: &str = "pca.png";
pub const COMBINED_PNG: &str = "segmentation_charts.png";

/// Pixel size of every single chart.
pub const CHART_SIZE: (u32, u32) = (1200, 800);
/// At most this many points are drawn in the scatter and PCA charts.
pub const MAX_POINTS: usize = 20_000;

/// Categorical palette: Tableau 10, then five lighter Tableau 20 tones for
/// K > 10. Indexed by segment id (cycling past 15).
pub const PALETTE: [RGBColor; 15] = [
    RGBColor(0x4E, 0x79, 0xA7),
    RGBColor(0xF2, 0x8E, 0x2B),
    RGBColor(0xE1, 0x57, 0x59),
    RGBColor(0x76, 0xB7, 0xB2),
    RGBColor(0x59, 0xA1, 0x4F),
    RGBColor(0xED, 0xC9, 0x48),
    RGBColor(0xB0, 0x7A, 0xA1),
    RGBColor(0xFF, 0x9D, 0xA7),
    RGBColor(0x9C, 0x75, 0x5F),
    RGBColor(0xBA, 0xB0, 0xAC),
    RGBColor(0xA0, 0xCB, 0xE8),
    RGBColor(0xFF, 0xBE, 0x7D),
    RGBColor(0x8C, 0xD1, 0x7D),
    RGBColor(0xD4, 0xA6, 0xC8),
    RGBColor(0x86, 0xBC, 0xB6),
];

/// The colour of segment `id` in every chart.
pub fn segment_color(id: u32) -> RGBColor {
    PALETTE[id as usize % PALETTE.len()]
}

const INK: RGBColor = RGBColor(0x22, 0x22, 0x22);
const MUTED: RGBColor = RGBColor(0x66, 0x66, 0x66);
const GRID: RGBColor = RGBColor(0xE3, 0xE3, 0xE3);
const AXIS: RGBColor = RGBColor(0x99, 0x99, 0x99);
const ACCENT: RGBColor = RGBColor(0xC0, 0x39, 0x2B);

const PAD: i32 = 28;
const HEADER_H: i32 = 92;

type DrawResult<T = ()> = std::result::Result<T, Box<dyn StdError>>;
type Area<'b> = DrawingArea<BitMapBackend<'b>, Shift>;

/// Writes every chart the input allows into `dir` (created if missing) and
/// returns their paths, in a fixed order. Meant for the staging folder of
/// an output set ([`super::outset::OutputSet::stage_dir`]), which is what
/// makes the files appear whole.
pub fn write_charts(dir: &Path, input: &ChartInput) -> Result<Vec<PathBuf>> {
    register_fonts();
    let prep = Prep::new(input)?;
    std::fs::create_dir_all(dir).map_err(|e| Error::io_path("creating", dir, e))?;

    let mut out = Vec::new();
    for chart in Chart::ALL {
        if prep.has(chart) {
            out.push(render_png(dir, chart.file(), CHART_SIZE, |root| {
                prep.draw(chart, root)
            })?);
        }
    }

    let cells: Vec<Chart> = [
        Chart::Elbow,
        Chart::Sizes,
        Chart::Heatmap,
        Chart::Pca,
        Chart::Radar,
        Chart::Balance,
        Chart::Scatter,
    ]
    .into_iter()
    .filter(|&c| prep.has(c))
    .take(4)
    .collect();
    let (rows, cols) = match cells.len() {
        1 => (1, 1),
        2 => (1, 2),
        _ => (2, 2),
    };
    let size = (CHART_SIZE.0 * cols as u32, CHART_SIZE.1 * rows as u32);
    out.push(render_png(dir, COMBINED_PNG, size, |root| {
        for (cell, &chart) in root.split_evenly((rows, cols)).iter().zip(&cells) {
            prep.draw(chart, cell)?;
        }
        // Hairline separators between the cells.
        for c in 1..cols as i32 {
            let x = c * CHART_SIZE.0 as i32;
            root.draw(&PathElement::new(vec![(x, 0), (x, size.1 as i32)], GRID))?;
        }
        for r in 1..rows as i32 {
            let y = r * CHART_SIZE.1 as i32;
            root.draw(&PathElement::new(vec![(0, y), (size.0 as i32, y)], GRID))?;
        }
        Ok(())
    })?);
    Ok(out)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Chart {
    Elbow,
    Sizes,
    Balance,
    Radar,
    Heatmap,
    Scatter,
    Pca,
}

impl Chart {
    const ALL: [Chart; 7] = [
        Chart::Elbow,
        Chart::Sizes,
        Chart::Balance,
        Chart::Radar,
        Chart::Heatmap,
        Chart::Scatter,
        Chart::Pca,
    ];
    fn file(self) -> &'static str {
        match self {
            Chart::Elbow => ELBOW_PNG,
            Chart::Sizes => SEGMENT_SIZES_PNG,
            Chart::Balance => BALANCE_PNG,
            Chart::Radar => RADAR_PNG,
            Chart::Heatmap => HEATMAP_PNG,
            Chart::Scatter => SCATTER_PNG,
            Chart::Pca => PCA_PNG,
        }
    }
}

/// Draws `dir/name` (created owner-only first, so it is never readable by
/// others). `dir` is the private staging folder of an output set, which
/// makes the whole set appear at once; charts are not written elsewhere.
fn render_png(
    dir: &Path,
    name: &str,
    size: (u32, u32),
    draw: impl FnOnce(&Area) -> DrawResult,
) -> Result<PathBuf> {
    let target = dir.join(name);
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    opts.open(&target)
        .map_err(|e| Error::io_path("creating", &target, e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o600))
            .map_err(|e| Error::io_path("setting permissions of", &target, e))?;
    }
    let drawn = {
        let root = BitMapBackend::new(&target, size).into_drawing_area();
        root.fill(&WHITE)
            .map_err(Into::into)
            .and_then(|()| draw(&root))
            .and_then(|()| root.present().map_err(Into::into))
    };
    drawn.map_err(|e| {
        Error::io(
            format!("drawing {}", target.display()),
            std::io::Error::other(e.to_string()),
        )
    })?;
    Ok(target)
}

// ---------------------------------------------------------------------------
// Prepared data

struct BoxStats {
    p05: f64,
    p25: f64,
    p50: f64,
    p75: f64,
    p95: f64,
    mean: f64,
    count: usize,
}

struct Prep<'a> {
    inp: &'a ChartInput<'a>,
    names: Vec<String>,
    colors: Vec<RGBColor>,
    /// Segment position of each row (`u32::MAX` = unknown id).
    row_seg: Vec<u32>,
    /// Rows to draw in point charts, in drawing order.
    sample: Vec<usize>,
    pca: Option<(Vec<[f64; 2]>, [f64; 2])>,
    boxes: Option<Vec<Option<BoxStats>>>,
    /// The features the heatmap and the radar show.
    heat: Shown,
    radar: Shown,
}

/// The features a profile chart shows: all of them, or the `max` that
/// differ most between segments (the largest |z| of any centroid), kept in
/// their order, so a table with a thousand columns still gives a readable
/// chart that says what it left out.
struct Shown {
    names: Vec<String>,
    /// One row per segment, one value per shown feature.
    z: Vec<Vec<f64>>,
    /// Features in all.
    of: usize,
}

impl Shown {
    fn new(inp: &ChartInput, max: usize) -> Shown {
        let d = inp.feature_names.len();
        let mut cols: Vec<usize> = (0..d).collect();
        if d > max {
            let spread = |j: usize| {
                inp.centroid_z
                    .iter()
                    .map(|row| row[j])
                    .filter(|z| z.is_finite())
                    .fold(0.0f64, |m, z| m.max(z.abs()))
            };
            let score: Vec<f64> = (0..d).map(spread).collect();
            cols.sort_by(|&a, &b| score[b].total_cmp(&score[a]).then(a.cmp(&b)));
            cols.truncate(max);
            cols.sort_unstable();
        }
        Shown {
            names: cols.iter().map(|&j| inp.feature_names[j].clone()).collect(),
            z: inp
                .centroid_z
                .iter()
                .map(|row| cols.iter().map(|&j| row[j]).collect())
                .collect(),
            of: d,
        }
    }

    /// "…; the 30 features that differ most between segments, of 1,000".
    fn note(&self, text: &str) -> String {
        if self.names.len() < self.of {
            format!(
                "{text}; the {} features that differ most between segments, of {}",
                self.names.len(),
                thousands(self.of)
            )
        } else {
            text.to_string()
        }
    }
}

/// Most features in the heatmap and in the radar.
pub const HEATMAP_MAX_FEATURES: usize = 30;
pub const RADAR_MAX_FEATURES: usize = 16;

impl<'a> Prep<'a> {
    fn new(inp: &'a ChartInput<'a>) -> Result<Self> {
        let (n, d) = (inp.n, inp.d);
        if inp.segments.is_empty() {
            return Err(Error::data("charts: there are no segments to draw"));
        }
        if inp.labels.len() != n {
            return Err(Error::data(format!(
                "charts: {} segment labels for {n} rows",
                inp.labels.len()
            )));
        }
        if inp.scaled.len() != n * d {
            return Err(Error::data(format!(
                "charts: the scaled matrix has {} values, expected {n} × {d}",
                inp.scaled.len()
            )));
        }
        if inp.feature_names.len() != d {
            return Err(Error::data(format!(
                "charts: {} feature names for {d} features",
                inp.feature_names.len()
            )));
        }
        if !inp.centroid_z.is_empty()
            && (inp.centroid_z.len() != inp.segments.len()
                || inp.centroid_z.iter().any(|r| r.len() != d))
        {
            return Err(Error::data(format!(
                "charts: centroid z-scores must be {} × {d}",
                inp.segments.len()
            )));
        }
        let mut columns: Vec<(&str, usize)> = Vec::new();
        if let Some((name, v)) = &inp.money_feature {
            columns.push((name, v.len()));
        }
        if let Some(((xn, xv), (yn, yv))) = &inp.scatter {
            columns.push((xn, xv.len()));
            columns.push((yn, yv.len()));
        }
        for (name, len) in columns {
            if len != n {
                return Err(Error::data(format!(
                    "charts: column '{name}' has {len} values for {n} rows"
                )));
            }
        }

        // Display names: label, or "Segment <id>"; duplicates get their id.
        let base: Vec<String> = inp
            .segments
            .iter()
            .map(|s| {
                let l = s.label.trim();
                if l.is_empty() {
                    format!("Segment {}", s.id)
                } else {
                    l.to_string()
                }
            })
            .collect();
        let names = base
            .iter()
            .zip(&inp.segments)
            .map(|(b, s)| {
                if base.iter().filter(|o| *o == b).count() > 1 {
                    format!("{b} (#{})", s.id)
                } else {
                    b.clone()
                }
            })
            .collect();
        let colors = inp.segments.iter().map(|s| segment_color(s.id)).collect();

        let pos: HashMap<u32, u32> = inp
            .segments
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id, i as u32))
            .collect();
        let row_seg: Vec<u32> = inp
            .labels
            .par_iter()
            .map(|l| pos.get(l).copied().unwrap_or(u32::MAX))
            .collect();

        let sample = stratified_sample(&row_seg, inp.segments.len(), MAX_POINTS);
        let pca = (d >= 2 && n >= 3).then(|| pca_2d(inp.scaled, n, d));
        let boxes = inp
            .money_feature
            .as_ref()
            .map(|(_, v)| box_stats(v, &row_seg, inp.segments.len()))
            .filter(|b| b.iter().any(Option::is_some));

        Ok(Prep {
            inp,
            names,
            colors,
            row_seg,
            sample,
            pca,
            boxes,
            heat: Shown::new(inp, HEATMAP_MAX_FEATURES),
            radar: Shown::new(inp, RADAR_MAX_FEATURES),
        })
    }

    fn has(&self, chart: Chart) -> bool {
        let inp = self.inp;
        match chart {
            Chart::Elbow => inp.sweep.iter().any(|p| p.sse.is_finite()),
            Chart::Sizes => true,
            Chart::Balance => self.boxes.is_some(),
            Chart::Radar => !inp.centroid_z.is_empty() && inp.d >= 3,
            Chart::Heatmap => !inp.centroid_z.is_empty() && inp.d >= 1,
            Chart::Scatter => inp.scatter.as_ref().is_some_and(|((_, x), (_, y))| {
                self.sample
                    .iter()
                    .any(|&i| x[i].is_finite() && y[i].is_finite())
            }),
            Chart::Pca => self.pca.is_some(),
        }
    }

    fn draw(&self, chart: Chart, area: &Area) -> DrawResult {
        match chart {
            Chart::Elbow => self.draw_elbow(area),
            Chart::Sizes => self.draw_sizes(area),
            Chart::Balance => self.draw_balance(area),
            Chart::Radar => self.draw_radar(area),
            Chart::Heatmap => self.draw_heatmap(area),
            Chart::Scatter => self.draw_scatter(area),
            Chart::Pca => self.draw_pca(area),
        }
    }

    fn k(&self) -> usize {
        self.inp.segments.len()
    }

    fn subtitle(&self, extra: &str) -> String {
        let s = self.inp.title_suffix.trim();
        match (s.is_empty(), extra.is_empty()) {
            (true, _) => extra.to_string(),
            (false, true) => s.to_string(),
            (false, false) => format!("{s}  ·  {extra}"),
        }
    }

    // -----------------------------------------------------------------------
    // elbow.png

    fn draw_elbow(&self, area: &Area) -> DrawResult {
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

        let sse_color = PALETTE[0];
        let sil_color = PALETTE[1];
        chart.draw_series(LineSeries::new(
            pts.iter().map(|p| (p.k as f64, p.sse)),
            sse_color.stroke_width(3),
        ))?;
        chart.draw_series(
            pts.iter()
                .map(|p| Circle::new((p.k as f64, p.sse), 5, sse_color.filled())),
        )?;

        // The chosen K: dashed guide, ring and annotation.
        if (kmin..=kmax).contains(&chosen) {
            let (top, bottom) = (chart.y_range().end, chart.y_range().start);
            let kx = chosen as f64;
            chart.draw_series(DashedLineSeries::new(
                [(kx, bottom), (kx, top)],
                8,
                6,
                ACCENT.mix(0.7).stroke_width(2),
            ))?;
            if let Some(p) = pts.iter().find(|p| p.k == chosen) {
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
            }
        }

        if !sil.is_empty() {
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
                sil_color.stroke_width(3),
            ))?;
            chart.draw_secondary_series(sil.iter().map(|&(k, s)| {
                EmptyElement::at((k as f64, s))
                    + Rectangle::new([(-5, -5), (5, 5)], sil_color.filled())
            }))?;
        }
        // Legend in the header's right corner, clear of the data.
        let lf = font(16.0);
        let sil_text = "Silhouette (right axis)";
        let sse_text = "SSE (left axis)";
        let (aw, _) = (area.dim_in_pixel().0 as i32, 0);
        let mut x = aw - PAD;
        let y = 70;
        let mut entries: Vec<(&str, RGBColor, bool)> = vec![(sse_text, sse_color, false)];
        if !sil.is_empty() {
            entries.push((sil_text, sil_color, true));
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

    // -----------------------------------------------------------------------
    // segment_sizes.png

    fn draw_sizes(&self, area: &Area) -> DrawResult {
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

    // -----------------------------------------------------------------------
    // balance_distribution.png

    fn draw_balance(&self, area: &Area) -> DrawResult {
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

    // -----------------------------------------------------------------------
    // radar.png

    fn draw_radar(&self, area: &Area) -> DrawResult {
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

        // Radial scale: z from lo (centre) to hi (rim), clipped at ±3.
        let (zmin, zmax) = min_max(shown.z.iter().flatten().copied());
        let step = if zmax.min(3.0) - zmin.max(-3.0) > 3.0 {
            1.0
        } else {
            0.5
        };
        let lo = ((zmin / step).floor() * step).clamp(-3.0, -1.0);
        let hi = ((zmax / step).ceil() * step).clamp(1.0, 3.0);
        let pw = w - legend_w;
        let feat_size = if d > 16 { 14.0 } else { 17.0 };
        let feat_font = font(feat_size);
        let feat_line = (feat_size * 1.25).round() as i32;
        // Room for the feature names (wrapped to two lines) beside the rim.
        let crowded = d > 12;
        let cap = (pw / 6).clamp(90, 170);
        let mut widest = 0;
        let mut feat_lines = Vec::with_capacity(d);
        for f in &shown.names {
            let lines = wrap_text(area, f, &feat_font, cap, if crowded { 1 } else { 2 })?;
            for l in &lines {
                widest = widest.max(text_width(area, l, &feat_font)?);
            }
            feat_lines.push(lines);
        }
        let side = widest + 26;
        let r = ((h / 2 - 16 - 2 * feat_line).min(pw / 2 - side)).max(40) as f64;
        let (cx, cy) = (pw as f64 / 2.0, h as f64 / 2.0);
        let angle =
            |j: usize| -std::f64::consts::FRAC_PI_2 + j as f64 * std::f64::consts::TAU / d as f64;
        let radius = |z: f64| ((z.clamp(lo, hi) - lo) / (hi - lo)) * r;
        let at = |j: usize, z: f64| {
            let (t, a) = (radius(z), angle(j));
            (
                (cx + t * a.cos()).round() as i32,
                (cy + t * a.sin()).round() as i32,
            )
        };

        // Rings at whole (or half) z values, the z = 0 ring emphasised.
        let rings: Vec<f64> = (0..)
            .map(|i| (lo / step).ceil() * step + i as f64 * step)
            .take_while(|z| *z <= hi + 1e-9)
            .collect();
        for &z in &rings {
            let ring: Vec<(i32, i32)> = (0..=d).map(|j| at(j % d, z)).collect();
            let style = if z.abs() < 1e-9 {
                MUTED.stroke_width(2)
            } else {
                GRID.stroke_width(1)
            };
            plot.draw(&PathElement::new(ring, style))?;
        }
        for j in 0..d {
            plot.draw(&PathElement::new(
                vec![at(j, lo), at(j, hi)],
                GRID.stroke_width(1),
            ))?;
        }

        // One polygon per segment: light fill, solid outline, vertex dots.
        // Fills only while they stay readable; thinner lines when crowded.
        let fill_alpha = match k {
            0..=4 => 0.12,
            5..=8 => 0.06,
            _ => 0.0,
        };
        let (line_w, dot) = if k > 8 || crowded { (2, 3) } else { (3, 4) };
        for (i, zs) in shown.z.iter().enumerate() {
            let c = self.colors[i];
            let pts: Vec<(i32, i32)> = zs.iter().enumerate().map(|(j, &z)| at(j, z)).collect();
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

        // Ring values, on a light halo, between the first two spokes.
        let tick = font(13.0).color(&MUTED);
        let a = -std::f64::consts::FRAC_PI_2 + std::f64::consts::PI / d as f64;
        for &z in &rings {
            let t = radius(z);
            let p = (
                (cx + t * a.cos()).round() as i32,
                (cy + t * a.sin()).round() as i32,
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
                &plot,
                &text,
                &tick.pos(Pos::new(HPos::Center, VPos::Center)),
                p,
            )?;
        }

        // Feature names just outside the rim, as blocks of one or two lines.
        for (j, lines) in feat_lines.iter().enumerate() {
            let a = angle(j);
            let (ca, sa) = (a.cos(), a.sin());
            let (px, py) = (
                (cx + (r + 16.0) * ca).round() as i32,
                (cy + (r + 16.0) * sa).round() as i32,
            );
            let side_limit = if crowded { 0.05 } else { 0.25 };
            let hpos = if ca > side_limit {
                HPos::Left
            } else if ca < -side_limit {
                HPos::Right
            } else {
                HPos::Center
            };
            let block = lines.len() as i32 * feat_line;
            let y0 = if sa > 0.6 {
                py // below the rim: block hangs down
            } else if sa < -0.6 {
                py - block // above the rim: block sits on it
            } else {
                py - block / 2
            };
            for (l, line) in lines.iter().enumerate() {
                draw_label(
                    &plot,
                    line,
                    &feat_font.color(&INK).pos(Pos::new(hpos, VPos::Center)),
                    (px, y0 + l as i32 * feat_line + feat_line / 2),
                )?;
            }
        }

        let items: Vec<(String, RGBColor)> = self
            .names
            .iter()
            .cloned()
            .zip(self.colors.iter().copied())
            .collect();
        draw_legend(&legend, &items, LegendMark::Line)?;
        Ok(())
    }

    // -----------------------------------------------------------------------
    // heatmap.png

    fn draw_heatmap(&self, area: &Area) -> DrawResult {
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

        // Column headers under the grid: horizontal (wrapped to up to three
        // lines) when every name fits that way, else vertical.
        let col_size = if d > 20 {
            13.0
        } else if d > 10 {
            15.0
        } else {
            17.0
        };
        let col_font = font(col_size);
        let line_h = (col_size * 1.3).round() as i32;
        let mut wrapped = Vec::with_capacity(d);
        let mut widest = 0;
        for f in &shown.names {
            widest = widest.max(text_width(area, f, &col_font)?);
            wrapped.push(wrap_text(area, f, &col_font, cell_w as i32 - 10, 3)?);
        }
        let horizontal = cell_w >= 44.0
            && wrapped.iter().zip(&shown.names).all(|(l, f)| {
                !l.last()
                    .is_some_and(|t| t.ends_with('…') && !f.ends_with('…'))
            });
        let col_h = if horizontal {
            wrapped.iter().map(Vec::len).max().unwrap_or(1) as i32 * line_h + 16
        } else {
            (widest + 20).clamp(60, (h as f64 * 0.32) as i32)
        };
        let top = 10;
        let bottom = h - col_h - 12;
        let cell_h = ((bottom - top) as f64 / k as f64).min(90.0);
        let grid_h = (cell_h * k as f64).round() as i32;

        let vmax = {
            let m = shown
                .z
                .iter()
                .flatten()
                .filter(|z| z.is_finite())
                .fold(0.0f64, |m, z| m.max(z.abs()));
            ((m * 2.0).ceil() / 2.0).clamp(0.5, 3.0)
        };

        let val_size = (cell_h * 0.34).min(cell_w / 3.6).clamp(9.0, 20.0);
        let decimals = if cell_w >= val_size * 3.8 { 2 } else { 1 };
        for (i, zs) in shown.z.iter().enumerate() {
            let y0 = top + (i as f64 * cell_h).round() as i32;
            let y1 = top + ((i + 1) as f64 * cell_h).round() as i32;
            for (j, &z) in zs.iter().enumerate() {
                let x0 = left + (j as f64 * cell_w).round() as i32;
                let x1 = left + ((j + 1) as f64 * cell_w).round() as i32;
                let fill = diverging(z / vmax);
                body.draw(&Rectangle::new([(x0, y0), (x1, y1)], fill.filled()))?;
                body.draw(&Rectangle::new([(x0, y0), (x1, y1)], WHITE.stroke_width(1)))?;
                if cell_w >= 18.0 && cell_h >= 14.0 {
                    let text = if z.is_finite() {
                        // No "-0.00": values that round to zero print as zero.
                        let t = format!("{z:.decimals$}");
                        if t.trim_start_matches('-')
                            .chars()
                            .all(|c| c == '0' || c == '.')
                        {
                            t.trim_start_matches('-').to_string()
                        } else {
                            t
                        }
                    } else {
                        "–".into()
                    };
                    let ink = if luminance(fill) < 0.45 { WHITE } else { INK };
                    draw_label(
                        &body,
                        &text,
                        &font(val_size)
                            .color(&ink)
                            .pos(Pos::new(HPos::Center, VPos::Center)),
                        ((x0 + x1) / 2, (y0 + y1) / 2),
                    )?;
                }
            }
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
        for (j, f) in shown.names.iter().enumerate() {
            let xc = left + ((j as f64 + 0.5) * cell_w).round() as i32;
            if horizontal {
                for (l, line) in wrapped[j].iter().enumerate() {
                    draw_label(
                        &body,
                        line,
                        &col_font
                            .color(&INK)
                            .pos(Pos::new(HPos::Center, VPos::Center)),
                        (xc, top + grid_h + 10 + l as i32 * line_h + line_h / 2),
                    )?;
                }
            } else {
                let text = fit_text(area, f, &col_font, col_h - 14)?;
                draw_label(
                    &body,
                    &text,
                    &col_font
                        .clone()
                        .transform(FontTransform::Rotate270)
                        .color(&INK)
                        .pos(Pos::new(HPos::Right, VPos::Center)),
                    (xc, top + grid_h + 8),
                )?;
            }
        }

        // Colour bar.
        let bx0 = right + 28;
        let bx1 = bx0 + 18;
        let (by0, by1) = (top, top + grid_h.max(120));
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
                &body,
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

    // -----------------------------------------------------------------------
    // scatter.png

    fn draw_scatter(&self, area: &Area) -> DrawResult {
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

    // -----------------------------------------------------------------------
    // pca.png

    fn draw_pca(&self, area: &Area) -> DrawResult {
        let Some((proj, ratio)) = &self.pca else {
            return Ok(());
        };
        let body = header(
            area,
            "Segments in principal-component space",
            &self.subtitle(&format!(
                "2-D PCA of the standardised features ({:.1}% of variance shown)  ·  {}",
                100.0 * (ratio[0] + ratio[1]),
                self.sample_note(self.sample.len())
            )),
        )?;
        let (x0, x1) = robust_range(self.sample.iter().map(|&i| proj[i][0]));
        let (y0, y1) = robust_range(self.sample.iter().map(|&i| proj[i][1]));
        // Segment centres in PC space (over all rows), drawn as large dots.
        let k = self.k();
        let mut sums = vec![(0.0, 0.0, 0usize); k];
        for (p, &s) in proj.iter().zip(&self.row_seg) {
            if s != u32::MAX && p[0].is_finite() && p[1].is_finite() {
                let e = &mut sums[s as usize];
                e.0 += p[0];
                e.1 += p[1];
                e.2 += 1;
            }
        }
        let centres: Vec<(f64, f64, usize)> = sums
            .iter()
            .enumerate()
            .filter(|(_, e)| e.2 > 0)
            .map(|(s, e)| (e.0 / e.2 as f64, e.1 / e.2 as f64, s))
            .collect();
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
            self.sample.iter().map(|&i| (proj[i][0], proj[i][1], i)),
            &centres,
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

    // -----------------------------------------------------------------------
    // label helpers

    /// Width of the widest segment name in `f`, capped at `cap`.
    fn max_label_width(&self, area: &Area, f: &FontDesc, cap: i32) -> DrawResult<i32> {
        let mut m = 0;
        for n in &self.names {
            m = m.max(text_width(area, n, f)?);
        }
        Ok(m.min(cap))
    }

    fn fitted_names(&self, area: &Area, f: &FontDesc, max_w: i32) -> DrawResult<Vec<String>> {
        self.names
            .iter()
            .map(|n| fit_text(area, n, f, max_w))
            .collect()
    }
}

// ---------------------------------------------------------------------------
// Drawing helpers

fn font(size: f64) -> FontDesc<'static> {
    FontDesc::new(FontFamily::Name(FONT_FAMILY), size, FontStyle::Normal)
}

fn bold(size: f64) -> FontDesc<'static> {
    FontDesc::new(FontFamily::Name(FONT_FAMILY), size, FontStyle::Bold)
}

/// Draws text at `pos` per the style's anchor. (The embedded font is tuned
/// so plotters' ab_glyph backend honours anchors; see `assets/fonts/make_subset.py`.)
fn draw_label(area: &Area, text: &str, style: &TextStyle, pos: (i32, i32)) -> DrawResult {
    area.draw_text(text, style, pos)?;
    Ok(())
}

fn text_width(area: &Area, text: &str, f: &FontDesc) -> DrawResult<i32> {
    Ok(area.estimate_text_size(text, &f.color(&INK))?.0 as i32)
}

/// `text` shortened with "…" so it is at most `max_w` pixels wide.
fn fit_text(area: &Area, text: &str, f: &FontDesc, max_w: i32) -> DrawResult<String> {
    if text_width(area, text, f)? <= max_w {
        return Ok(text.to_string());
    }
    let chars: Vec<char> = text.chars().collect();
    let (mut lo, mut hi) = (0usize, chars.len());
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        let cand: String = chars[..mid]
            .iter()
            .collect::<String>()
            .trim_end()
            .to_string()
            + "…";
        if text_width(area, &cand, f)? <= max_w {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    Ok(chars[..lo]
        .iter()
        .collect::<String>()
        .trim_end()
        .to_string()
        + "…")
}

/// True for characters a line may break before or after (CJK ideographs,
/// kana, full-width forms), as in Chinese typesetting.
fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x2E80..=0x9FFF | 0xF900..=0xFAFF | 0xFF00..=0xFFEF)
}

/// `text` broken into at most `max_lines` lines of at most `max_w` pixels:
/// at spaces, next to CJK characters, or anywhere in a word too long for a
/// line. The last line is trimmed with "…" if the text does not fit.
fn wrap_text(
    area: &Area,
    text: &str,
    f: &FontDesc,
    max_w: i32,
    max_lines: usize,
) -> DrawResult<Vec<String>> {
    let text = text.trim();
    let mut lines = Vec::new();
    let mut start = 0; // byte offset where the current line starts
    while start < text.len() && lines.len() + 1 < max_lines.max(1) {
        let rest = &text[start..];
        if text_width(area, rest, f)? <= max_w {
            break;
        }
        // Longest prefix that fits, then back off to the last break point.
        // A break at a space is preferred unless it leaves the line under
        // half full; a break next to a CJK character comes next.
        let mut fit_end = 0;
        let (mut space_break, mut cjk_break) = (None, None);
        for (i, c) in rest.char_indices() {
            let end = i + c.len_utf8();
            if i > 0 && c == ' ' {
                space_break = Some(i);
            } else if i > 0 && is_cjk(c) {
                cjk_break = Some(i);
            }
            if text_width(area, rest[..end].trim_end(), f)? > max_w {
                break;
            }
            fit_end = end;
            if is_cjk(c) {
                cjk_break = Some(end);
            }
        }
        if fit_end == 0 {
            break; // not even one character fits
        }
        let valid = |b: Option<usize>| b.filter(|&b| b > 0 && b <= fit_end);
        let cut = match (valid(space_break), valid(cjk_break)) {
            (Some(sb), _) if sb * 2 >= fit_end => sb,
            (_, Some(cb)) => cb,
            (Some(sb), None) => sb,
            (None, None) => fit_end,
        };
        lines.push(rest[..cut].trim_end().to_string());
        start += cut;
        start += text[start..].len() - text[start..].trim_start().len();
    }
    if start < text.len() {
        lines.push(fit_text(area, &text[start..], f, max_w)?);
    }
    Ok(lines)
}

/// Title (bold) and subtitle (grey) at the top left; returns the area below.
fn header<'b>(area: &Area<'b>, title: &str, subtitle: &str) -> DrawResult<Area<'b>> {
    let (w, _) = area.dim_in_pixel();
    let max_w = w as i32 - 2 * PAD;
    let t = bold(26.0);
    let s = font(16.0);
    let title = fit_text(area, title, &t, max_w)?;
    let subtitle = fit_text(area, subtitle, &s, max_w)?;
    draw_label(area, &title, &t.color(&INK), (PAD, 22))?;
    draw_label(area, &subtitle, &s.color(&MUTED), (PAD, 60))?;
    Ok(area.split_vertically(HEADER_H).1)
}

fn style_mesh<'m, 'a, 'b, X, Y, DB: DrawingBackend>(
    m: &'m mut plotters::chart::MeshStyle<'a, 'b, X, Y, DB>,
) -> &'m mut plotters::chart::MeshStyle<'a, 'b, X, Y, DB>
where
    X: Ranged<ValueType = f64> + ValueFormatter<f64>,
    Y: Ranged<ValueType = f64> + ValueFormatter<f64>,
{
    m.axis_style(AXIS)
        .bold_line_style(GRID)
        .light_line_style(RGBColor(0xF3, 0xF3, 0xF3))
        .label_style(font(16.0).color(&MUTED))
        .axis_desc_style(font(18.0).color(&INK))
        .x_labels(10)
        .y_labels(8)
}

#[derive(Clone, Copy)]
enum LegendMark {
    Line,
    Dot,
}

/// A vertical legend in its own panel: colour mark and name (wrapped to two
/// lines, or trimmed to one when space is short).
fn draw_legend(area: &Area, items: &[(String, RGBColor)], mark: LegendMark) -> DrawResult {
    let (w, h) = area.dim_in_pixel();
    let (w, h) = (w as i32, h as i32);
    let text_x = 40;
    let max_w = w - text_x - 12;
    let top = 22 + 30;
    let avail = h - top - 10;
    // Largest font, and wrapping if possible, that fits every item.
    let mut layout = None;
    'search: for size in [18.0, 17.0, 16.0, 15.0, 14.0, 13.0, 12.0] {
        for max_lines in [2, 1] {
            let f = font(size);
            let line_h = (size * 1.3).round() as i32;
            let gap = (size * 0.6).round() as i32;
            let mut wrapped = Vec::with_capacity(items.len());
            let mut total = 0;
            for (label, _) in items {
                let lines = wrap_text(area, label, &f, max_w, max_lines)?;
                total += lines.len() as i32 * line_h + gap;
                wrapped.push(lines);
            }
            if total <= avail || size <= 12.0 && max_lines == 1 {
                layout = Some((f, line_h, gap, wrapped));
                break 'search;
            }
        }
    }
    let Some((f, line_h, gap, wrapped)) = layout else {
        return Ok(());
    };
    draw_label(area, "Segments", &bold(18.0).color(&INK), (8, 14))?;
    let mut y = top;
    for ((_, c), lines) in items.iter().zip(wrapped) {
        let yc = y + line_h / 2;
        match mark {
            LegendMark::Line => {
                area.draw(&PathElement::new(
                    vec![(8, yc), (32, yc)],
                    c.stroke_width(3),
                ))?;
                area.draw(&Circle::new((20, yc), 4, c.filled()))?;
            }
            LegendMark::Dot => {
                area.draw(&Circle::new((20, yc), 7, c.filled()))?;
            }
        }
        for line in &lines {
            draw_label(
                area,
                line,
                &f.color(&INK).pos(Pos::new(HPos::Left, VPos::Center)),
                (text_x, y + line_h / 2),
            )?;
            y += line_h;
        }
        y += gap;
    }
    Ok(())
}

/// Font size for one-line category labels given K and the available height.
fn label_size(k: usize, h: u32) -> f64 {
    (h as f64 / k.max(1) as f64 * 0.32).clamp(12.0, 19.0)
}

/// Half height of a bar/box in category units.
fn bar_half_height(k: usize) -> f64 {
    match k {
        1 => 0.16,
        2 => 0.26,
        _ => 0.36,
    }
}

/// Diverging blue–white–red (ColorBrewer RdBu), t in [-1, 1].
fn diverging(t: f64) -> RGBColor {
    const STOPS: [(u8, u8, u8); 11] = [
        (0x05, 0x30, 0x61),
        (0x21, 0x66, 0xAC),
        (0x43, 0x93, 0xC3),
        (0x92, 0xC5, 0xDE),
        (0xD1, 0xE5, 0xF0),
        (0xF7, 0xF7, 0xF7),
        (0xFD, 0xDB, 0xC7),
        (0xF4, 0xA5, 0x82),
        (0xD6, 0x60, 0x4D),
        (0xB2, 0x18, 0x2B),
        (0x67, 0x00, 0x1F),
    ];
    let t = if t.is_finite() {
        t.clamp(-1.0, 1.0)
    } else {
        0.0
    };
    let x = (t + 1.0) / 2.0 * 10.0;
    let i = (x.floor() as usize).min(9);
    let f = x - i as f64;
    let (a, b) = (STOPS[i], STOPS[i + 1]);
    let mix = |p: u8, q: u8| (p as f64 + (q as f64 - p as f64) * f).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

fn luminance(c: RGBColor) -> f64 {
    (0.2126 * c.0 as f64 + 0.7152 * c.1 as f64 + 0.0722 * c.2 as f64) / 255.0
}

// ---------------------------------------------------------------------------
// Numbers

fn min_max(it: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = it
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(v), b.max(v))
        });
    if lo > hi { (0.0, 1.0) } else { (lo, hi) }
}

/// 1,234,567
fn thousands(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// 950, 12.5k, 3.2M, 1.1B; small values keep up to 3 significant digits.
fn compact(v: f64) -> String {
    if !v.is_finite() {
        return "–".into();
    }
    let a = v.abs();
    let (x, unit) = if a >= 1e9 {
        (v / 1e9, "B")
    } else if a >= 1e6 {
        (v / 1e6, "M")
    } else if a >= 1e3 {
        (v / 1e3, "k")
    } else {
        (v, "")
    };
    let ax = x.abs();
    let s = if ax == 0.0 {
        "0".to_string()
    } else if ax >= 100.0 {
        format!("{x:.0}")
    } else if ax >= 10.0 {
        format!("{x:.1}")
    } else if ax >= 1.0 {
        format!("{x:.2}")
    } else {
        format!("{x:.3}")
    };
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    format!("{s}{unit}")
}

/// Linear-interpolated quantile of sorted values.
fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let pos = q * (sorted.len() - 1) as f64;
    let i = pos.floor() as usize;
    let f = pos - i as f64;
    match sorted.get(i + 1) {
        Some(&next) => sorted[i] + (next - sorted[i]) * f,
        None => sorted[i],
    }
}

fn box_stats(values: &[f64], row_seg: &[u32], k: usize) -> Vec<Option<BoxStats>> {
    let mut per: Vec<Vec<f64>> = vec![Vec::new(); k];
    for (&v, &s) in values.iter().zip(row_seg) {
        if s != u32::MAX && v.is_finite() {
            per[s as usize].push(v);
        }
    }
    per.into_par_iter()
        .map(|mut v| {
            if v.is_empty() {
                return None;
            }
            v.sort_unstable_by(f64::total_cmp);
            let mean = v.iter().sum::<f64>() / v.len() as f64;
            Some(BoxStats {
                p05: quantile(&v, 0.05),
                p25: quantile(&v, 0.25),
                p50: quantile(&v, 0.50),
                p75: quantile(&v, 0.75),
                p95: quantile(&v, 0.95),
                mean,
                count: v.len(),
            })
        })
        .collect()
}

/// 0.1th–99.9th percentile range of the values, padded 4%, so a handful of
/// outliers do not squash the cloud (the few points outside are not drawn).
fn robust_range(it: impl Iterator<Item = f64>) -> (f64, f64) {
    let mut v: Vec<f64> = it.filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return (-1.0, 1.0);
    }
    v.sort_unstable_by(f64::total_cmp);
    let (lo, hi) = if v.len() >= 400 {
        (quantile(&v, 0.001), quantile(&v, 0.999))
    } else {
        (v[0], v[v.len() - 1])
    };
    let pad = ((hi - lo) * 0.04).max(1e-6);
    (lo - pad, hi + pad)
}

/// Splitmix64: a fixed, seedless hash for the drawing order of points.
fn mix64(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// At most about `max` rows with a known segment, evenly spread within each
/// segment; every segment keeps at least min(size, 300) rows so small ones stay
/// visible. Deterministic. Returned in a fixed pseudo-random order so no
/// segment is systematically drawn on top of the others.
fn stratified_sample(row_seg: &[u32], k: usize, max: usize) -> Vec<usize> {
    let mut count = vec![0usize; k];
    for &s in row_seg {
        if s != u32::MAX {
            count[s as usize] += 1;
        }
    }
    let known: usize = count.iter().sum();
    let quota: Vec<usize> = if known <= max {
        count.clone()
    } else {
        count
            .iter()
            .map(|&c| ((c as f64 * max as f64 / known as f64).round() as usize).max(c.min(300)))
            .collect()
    };
    let mut seen = vec![0usize; k];
    let mut out = Vec::with_capacity(quota.iter().sum());
    for (i, &s) in row_seg.iter().enumerate() {
        if s == u32::MAX {
            continue;
        }
        let s = s as usize;
        let (j, q, c) = (seen[s], quota[s], count[s]);
        // Bresenham-style: picks exactly q of the c rows, evenly spaced.
        if (j * q) / c != ((j + 1) * q) / c {
            out.push(i);
        }
        seen[s] += 1;
    }
    out.sort_by_key(|&i| mix64(i as u64));
    out
}

// ---------------------------------------------------------------------------
// Axes

#[derive(Clone, Copy, Debug, PartialEq)]
enum Scale {
    Linear,
    /// sign(v)·log10(1 + |v|/c): logarithmic for large values, linear near 0,
    /// so zeros and negative balances still have a place.
    SymLog {
        c: f64,
    },
    /// Integer ticks only (K on the elbow chart, categories).
    Integer,
}

/// A numeric axis with our own ticks and compact labels. `lo > hi` reverses it.
#[derive(Clone, Debug)]
struct Axis {
    lo: f64,
    hi: f64,
    scale: Scale,
    /// Category axis: labels come from a formatter; all integers are ticks.
    category: bool,
}

impl Axis {
    fn linear(lo: f64, hi: f64) -> Self {
        let hi = if hi > lo { hi } else { lo + 1.0 };
        Axis {
            lo,
            hi,
            scale: Scale::Linear,
            category: false,
        }
    }
    fn integer(lo: f64, hi: f64) -> Self {
        Axis {
            lo,
            hi,
            scale: Scale::Integer,
            category: false,
        }
    }
    /// Categories 0..k, 0 at the top.
    fn category(k: usize) -> Self {
        Axis {
            lo: k as f64 - 0.5,
            hi: -0.5,
            scale: Scale::Integer,
            category: true,
        }
    }
    fn symlog(lo: f64, hi: f64, c: f64) -> Self {
        Axis {
            lo,
            hi,
            scale: Scale::SymLog { c },
            category: false,
        }
    }
    /// The same scale over [lo, hi], padded by `pad` of its span (in the
    /// transformed space); a non-negative range never pads below zero.
    fn fitted(&self, lo: f64, hi: f64, pad: f64) -> Axis {
        let (tl, th) = (self.t(lo), self.t(hi));
        let span = (th - tl).abs().max(1e-9);
        let mut a = self.clone();
        a.lo = self.inv(tl - span * pad);
        a.hi = self.inv(th + span * pad);
        if lo >= 0.0 && a.lo < 0.0 {
            a.lo = 0.0;
        }
        if a.hi <= a.lo {
            a.hi = a.lo + 1.0;
        }
        a
    }
    fn is_log(&self) -> bool {
        matches!(self.scale, Scale::SymLog { .. })
    }
    fn t(&self, v: f64) -> f64 {
        match self.scale {
            Scale::SymLog { c } => v.signum() * (1.0 + v.abs() / c).log10(),
            _ => v,
        }
    }
    fn inv(&self, t: f64) -> f64 {
        match self.scale {
            Scale::SymLog { c } => t.signum() * (10f64.powf(t.abs()) - 1.0) * c,
            _ => t,
        }
    }
}

impl Ranged for Axis {
    type FormatOption = NoDefaultFormatting;
    type ValueType = f64;

    fn map(&self, v: &f64, limit: (i32, i32)) -> i32 {
        let (a, b) = (self.t(self.lo), self.t(self.hi));
        let f = (self.t(*v) - a) / (b - a);
        (limit.0 as f64 + f * (limit.1 - limit.0) as f64).round() as i32
    }

    fn key_points<H: KeyPointHint>(&self, hint: H) -> Vec<f64> {
        if hint.weight().allow_light_points() && !self.category {
            // Light grid lines only on log axes: 2× and 5× each decade.
            return match self.scale {
                Scale::SymLog { c } => {
                    let (lo, hi) = (self.lo.min(self.hi), self.lo.max(self.hi));
                    let mut out = Vec::new();
                    let mut base = c;
                    while base <= hi.abs().max(lo.abs()) {
                        for m in [2.0, 5.0] {
                            for v in [m * base, -m * base] {
                                if v >= lo && v <= hi {
                                    out.push(v);
                                }
                            }
                        }
                        base *= 10.0;
                    }
                    out
                }
                _ => Vec::new(),
            };
        }
        let max = hint.max_num_points().max(2);
        let (lo, hi) = (self.lo.min(self.hi), self.lo.max(self.hi));
        match self.scale {
            Scale::Integer => {
                let (a, b) = (lo.ceil() as i64, hi.floor() as i64);
                if self.category {
                    return (a..=b).map(|i| i as f64).collect();
                }
                let span = (b - a).max(1) as usize;
                let step = span.div_ceil(max).max(1) as i64;
                (a..=b)
                    .filter(|i| (i - a) % step == 0)
                    .map(|i| i as f64)
                    .collect()
            }
            Scale::Linear => {
                let raw = (hi - lo) / max as f64;
                let mag = 10f64.powf(raw.log10().floor());
                let step = [1.0, 2.0, 2.5, 5.0, 10.0]
                    .iter()
                    .map(|m| m * mag)
                    .find(|s| *s >= raw)
                    .unwrap_or(10.0 * mag);
                let mut v = (lo / step).ceil() * step;
                let mut out = Vec::new();
                while v <= hi + step * 1e-9 {
                    out.push(if v.abs() < step * 1e-9 { 0.0 } else { v });
                    v += step;
                }
                out
            }
            Scale::SymLog { c } => {
                // Decades c·10^e on each side of zero, and zero itself.
                let mut out = Vec::new();
                let mut push_side = |sign: f64, end: f64| {
                    let mut e = 0;
                    while c * 10f64.powi(e) <= end * (1.0 + 1e-9) {
                        out.push(sign * c * 10f64.powi(e));
                        e += 1;
                    }
                };
                if hi > 0.0 {
                    push_side(1.0, hi);
                }
                if lo < 0.0 {
                    push_side(-1.0, -lo);
                }
                if lo <= 0.0 && hi >= 0.0 {
                    out.push(0.0);
                }
                out.sort_by(f64::total_cmp);
                out.retain(|v| *v >= lo && *v <= hi);
                // Thin to every 2nd/3rd decade if there are too many.
                let stride = out.len().div_ceil(max).max(1);
                if stride > 1 {
                    let zero = out.iter().position(|v| *v == 0.0).unwrap_or(0);
                    let mut kept: Vec<f64> = out
                        .iter()
                        .enumerate()
                        .filter(|(i, _)| (*i as i64 - zero as i64).rem_euclid(stride as i64) == 0)
                        .map(|(_, v)| *v)
                        .collect();
                    kept.dedup();
                    return kept;
                }
                out
            }
        }
    }

    fn range(&self) -> Range<f64> {
        self.lo..self.hi
    }
}

impl ValueFormatter<f64> for Axis {
    fn format_ext(&self, v: &f64) -> String {
        match self.scale {
            Scale::Integer => format!("{}", v.round() as i64),
            _ => compact(*v),
        }
    }
}

/// Linear axis, or a symmetric-log one when the values are heavily skewed
/// (their 1st–99th percentile span is over 8× their interquartile range).
/// Only rows where `keep(i)` holds are looked at.
fn choose_axis(values: &[f64], keep: impl Fn(usize) -> bool) -> Axis {
    // A strided look at up to ~50k values is plenty to choose a scale.
    let stride = (values.len() / 50_000).max(1);
    let mut v: Vec<f64> = (0..values.len())
        .step_by(stride)
        .filter(|&i| keep(i) && values[i].is_finite())
        .map(|i| values[i])
        .collect();
    if v.is_empty() {
        return Axis::linear(0.0, 1.0);
    }
    v.sort_unstable_by(f64::total_cmp);
    let (p01, p25, p75, p99) = (
        quantile(&v, 0.01),
        quantile(&v, 0.25),
        quantile(&v, 0.75),
        quantile(&v, 0.99),
    );
    let (lo, hi) = min_max(
        values
            .iter()
            .enumerate()
            .filter(|(i, _)| keep(*i))
            .map(|(_, v)| *v),
    );
    let iqr = p75 - p25;
    let skewed = hi > 0.0
        && (p99 - p01) > 8.0 * iqr.max(f64::MIN_POSITIVE)
        && hi > 10.0 * p75.abs().max(1e-12);
    if !skewed {
        let pad = ((hi - lo) * 0.04).max(1e-9);
        let lo = if lo >= 0.0 && lo - pad < 0.0 {
            0.0
        } else {
            lo - pad
        };
        return Axis::linear(lo, hi + pad);
    }
    // c: the decade at or below the 5th percentile of the positive values,
    // at most 1, so small values are not all squashed into the linear part.
    let pos: Vec<f64> = v.iter().copied().filter(|x| *x > 0.0).collect();
    let p05 = quantile(&pos, 0.05);
    let c = if p05.is_finite() && p05 > 0.0 {
        10f64.powf(p05.log10().floor()).clamp(1e-6, 1.0)
    } else {
        1.0
    };
    let a = Axis::symlog(0.0, 1.0, c);
    let (tl, th) = (a.t(lo.min(0.0)), a.t(hi));
    let pad = (th - tl) * 0.03;
    let lo = if lo >= 0.0 { 0.0 } else { a.inv(tl - pad) };
    Axis::symlog(lo, a.inv(th + pad), c)
}

fn axis_desc(name: &str, a: &Axis) -> String {
    if a.is_log() {
        format!("{name} (log scale)")
    } else {
        name.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use plotters::coord::ranged1d::BoldPoints;

    #[test]
    fn thousands_and_compact() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(1234567), "1,234,567");
        assert_eq!(compact(1500.0), "1.5k");
        assert_eq!(compact(950.0), "950");
        assert_eq!(compact(12_500.0), "12.5k");
        assert_eq!(compact(3_200_000.0), "3.2M");
        assert_eq!(compact(0.25), "0.25");
        assert_eq!(compact(-20_000.0), "-20k");
    }

    #[test]
    fn stratified_sample_keeps_small_segments_and_caps_total() {
        let mut row_seg = vec![0u32; 100_000];
        for s in row_seg.iter_mut().take(500) {
            *s = 1;
        }
        let got = stratified_sample(&row_seg, 2, 1000);
        let small = got.iter().filter(|&&i| row_seg[i] == 1).count();
        assert_eq!(small, 300);
        assert!(got.len() <= 1300, "{}", got.len());
        assert_eq!(got, stratified_sample(&row_seg, 2, 1000));
    }

    #[test]
    fn symlog_ticks_are_decades() {
        let a = Axis::symlog(0.0, 2_000_000.0, 1.0);
        let t = a.key_points(BoldPoints(10));
        assert_eq!(t[0], 0.0);
        assert!(t.contains(&1000.0) && t.contains(&1_000_000.0));
    }
}
