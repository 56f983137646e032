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

mod axis;
mod balance;
mod draw;
mod elbow;
mod heatmap;
mod migration;
mod numbers;
mod points;
mod prep;
mod radar;
mod sizes;
mod stability;

use std::path::{Path, PathBuf};

use ndarray::ArrayView2;
use plotters::prelude::*;
use rayon::prelude::*;

use super::fonts::register_fonts;
use crate::{Error, Result};
use draw::{Area, DrawResult, GRID};
use prep::Prep;

pub use migration::{MIGRATION_PNG, MigrationChart, write_migration_png};
pub use prep::{HEATMAP_MAX_FEATURES, RADAR_MAX_FEATURES};

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

/// A column by name: (display name, one value per row in original units),
/// borrowed from the run (a copy is 80 MB at 10M customers).
pub type NamedColumn<'a> = (String, &'a [f64]);

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
    /// The standardised matrix, `n × d`.
    pub scaled: ArrayView2<'a, f64>,
    /// Segment id of each row (length `n`); ids not in `segments` are ignored.
    pub labels: &'a [u8],
    /// A money column in original units, one value per row (e.g. balance).
    pub money_feature: Option<NamedColumn<'a>>,
    /// (x, y) columns in original units, one value per row each
    /// (e.g. balance × transaction frequency).
    pub scatter: Option<(NamedColumn<'a>, NamedColumn<'a>)>,
    /// Bootstrap stability (mean Jaccard) of each entry of `segments` (same
    /// order); empty = no stability chart.
    pub stability: Vec<f64>,
}

pub const ELBOW_PNG: &str = "elbow.png";
pub const SEGMENT_SIZES_PNG: &str = "segment_sizes.png";
pub const BALANCE_PNG: &str = "balance_distribution.png";
pub const RADAR_PNG: &str = "radar.png";
pub const HEATMAP_PNG: &str = "heatmap.png";
pub const SCATTER_PNG: &str = "scatter.png";
pub const PCA_PNG: &str = "pca.png";
pub const STABILITY_PNG: &str = "stability.png";
pub const COMBINED_PNG: &str = "segmentation_charts.png";

/// Pixel size of every single chart.
pub const CHART_SIZE: (u32, u32) = (1200, 800);
/// At most this many points are drawn in the scatter and PCA charts.
pub const MAX_POINTS: usize = 20_000;

/// The colour of segment `id` in every chart: the RGB of its entry in
/// the one segment palette ([`crate::pipeline::palette`]), which the TUI
/// shows as that entry's ANSI colour.
pub fn segment_color(id: u32) -> RGBColor {
    let [r, g, b] = crate::pipeline::palette::segment_colour(id).rgb;
    RGBColor(r, g, b)
}

/// Writes every chart the input allows into `dir` (created if missing) and
/// returns their paths, in a fixed order. Meant for the staging folder of
/// an output set ([`super::outset::OutputSet::stage_dir`]), which is what
/// makes the files appear whole.
pub fn write_charts(dir: &Path, input: &ChartInput) -> Result<Vec<PathBuf>> {
    register_fonts();
    let prep = Prep::new(input)?;
    std::fs::create_dir_all(dir).map_err(|e| Error::io_path("creating", dir, e))?;

    // Each chart is its own file: drawn in parallel, listed in order.
    let singles: Vec<Chart> = Chart::ALL.into_iter().filter(|&c| prep.has(c)).collect();
    let (singles, combined) = rayon::join(
        || {
            singles
                .par_iter()
                .map(|&chart| {
                    render_png(dir, chart.file(), CHART_SIZE, |root| prep.draw(chart, root))
                })
                .collect::<Result<Vec<PathBuf>>>()
        },
        || render_combined(dir, &prep),
    );
    let mut out = singles?;
    out.push(combined?);
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
    Stability,
}

impl Chart {
    const ALL: [Chart; 8] = [
        Chart::Elbow,
        Chart::Sizes,
        Chart::Balance,
        Chart::Radar,
        Chart::Heatmap,
        Chart::Scatter,
        Chart::Pca,
        Chart::Stability,
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
            Chart::Stability => STABILITY_PNG,
        }
    }
}

/// Draws `dir/name` (created owner-only first, so it is never readable by
/// others). `dir` is the private staging folder of an output set, which
/// makes the whole set appear at once; charts are not written elsewhere.
/// The first four charts on one page ([`COMBINED_PNG`]).
fn render_combined(dir: &Path, prep: &Prep) -> Result<PathBuf> {
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
    render_png(dir, COMBINED_PNG, size, |root| {
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
    })
}

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
