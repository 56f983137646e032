//! The data every chart draws from, prepared once: display names and
//! colours of the segments, each row's segment, the stratified sample of
//! points, the PCA projection, the money column's box statistics and the
//! features the heatmap and the radar show.

use std::collections::HashMap;

use plotters::prelude::*;
use plotters::style::FontDesc;
use rayon::prelude::*;

use super::super::pca::Pca2;
use super::draw::{Area, DrawResult, fit_text, text_width};
use super::numbers::{BoxStats, box_stats, stratified_sample, thousands};
use super::{Chart, ChartInput, MAX_POINTS, SegmentInfo, segment_color};
use crate::{Error, Result};

pub(super) struct Prep<'a, 'b> {
    pub(super) inp: &'a ChartInput<'b>,
    pub(super) names: Vec<String>,
    pub(super) colors: Vec<RGBColor>,
    /// Segment position of each row (`u32::MAX` = unknown id).
    pub(super) row_seg: Vec<u32>,
    /// Rows to draw in point charts, in drawing order.
    pub(super) sample: Vec<usize>,
    pub(super) pca: Option<PcaPoints>,
    pub(super) boxes: Option<Vec<Option<BoxStats>>>,
    /// The features the heatmap and the radar show.
    pub(super) heat: Shown,
    pub(super) radar: Shown,
}

/// The PCA chart's points: the sampled rows projected, and each segment's
/// centre over all its rows (the projection of every row is not kept).
pub(super) struct PcaPoints {
    /// `[pc1, pc2]` of `sample[i]`.
    pub(super) points: Vec<[f64; 2]>,
    pub(super) ratio: [f64; 2],
    /// Each segment's mean position (x, y, segment), segments with rows only.
    pub(super) centres: Vec<(f64, f64, usize)>,
}

impl PcaPoints {
    fn new(x: ndarray::ArrayView2<f64>, sample: &[usize], row_seg: &[u32], k: usize) -> PcaPoints {
        let pca = Pca2::fit(x);
        // Contiguous rows (a copy only for another layout).
        let x = x.as_standard_layout();
        let d = x.ncols();
        let data = x.as_slice().unwrap_or_default();
        let row = |i: usize| &data[i * d..(i + 1) * d];
        let points = sample.iter().map(|&i| pca.project_row(row(i))).collect();
        let sums = (0..x.nrows())
            .into_par_iter()
            .fold(
                || vec![(0.0, 0.0, 0usize); k],
                |mut sums, i| {
                    let s = row_seg[i];
                    if s != u32::MAX {
                        let p = pca.project_row(row(i));
                        if p[0].is_finite() && p[1].is_finite() {
                            let e = &mut sums[s as usize];
                            e.0 += p[0];
                            e.1 += p[1];
                            e.2 += 1;
                        }
                    }
                    sums
                },
            )
            .reduce(
                || vec![(0.0, 0.0, 0usize); k],
                |mut a, b| {
                    for (x, y) in a.iter_mut().zip(b) {
                        x.0 += y.0;
                        x.1 += y.1;
                        x.2 += y.2;
                    }
                    a
                },
            );
        let centres = sums
            .iter()
            .enumerate()
            .filter(|(_, e)| e.2 > 0)
            .map(|(s, e)| (e.0 / e.2 as f64, e.1 / e.2 as f64, s))
            .collect();
        PcaPoints {
            points,
            ratio: pca.ratio,
            centres,
        }
    }
}

/// The features a profile chart shows: all of them, or the `max` that
/// differ most between segments (the largest |z| of any centroid), kept in
/// their order, so a table with a thousand columns still gives a readable
/// chart that says what it left out.
pub(super) struct Shown {
    pub(super) names: Vec<String>,
    /// One row per segment, one value per shown feature.
    pub(super) z: Vec<Vec<f64>>,
    /// Features in all.
    of: usize,
}

impl Shown {
    pub(super) fn new(inp: &ChartInput, max: usize) -> Shown {
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
    pub(super) fn note(&self, text: &str) -> String {
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

impl<'a, 'b> Prep<'a, 'b> {
    pub(super) fn new(inp: &'a ChartInput<'b>) -> Result<Self> {
        check_input(inp)?;
        let (n, d) = inp.scaled.dim();
        let names = display_names(&inp.segments);
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
            .map(|&l| pos.get(&u32::from(l)).copied().unwrap_or(u32::MAX))
            .collect();

        let sample = stratified_sample(&row_seg, inp.segments.len(), MAX_POINTS);
        let pca =
            (d >= 2 && n >= 3).then(|| PcaPoints::new(inp.scaled, &sample, &row_seg, names.len()));
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

    pub(super) fn has(&self, chart: Chart) -> bool {
        let inp = self.inp;
        match chart {
            Chart::Elbow => inp.sweep.iter().any(|p| p.sse.is_finite()),
            Chart::Sizes => true,
            Chart::Balance => self.boxes.is_some(),
            Chart::Radar => !inp.centroid_z.is_empty() && inp.scaled.ncols() >= 3,
            Chart::Heatmap => !inp.centroid_z.is_empty() && inp.scaled.ncols() >= 1,
            Chart::Scatter => inp.scatter.as_ref().is_some_and(|((_, x), (_, y))| {
                self.sample
                    .iter()
                    .any(|&i| x[i].is_finite() && y[i].is_finite())
            }),
            Chart::Pca => self.pca.is_some(),
            Chart::Stability => !inp.stability.is_empty(),
        }
    }

    pub(super) fn draw(&self, chart: Chart, area: &Area) -> DrawResult {
        match chart {
            Chart::Elbow => self.draw_elbow(area),
            Chart::Sizes => self.draw_sizes(area),
            Chart::Balance => self.draw_balance(area),
            Chart::Radar => self.draw_radar(area),
            Chart::Heatmap => self.draw_heatmap(area),
            Chart::Scatter => self.draw_scatter(area),
            Chart::Pca => self.draw_pca(area),
            Chart::Stability => self.draw_stability(area),
        }
    }

    pub(super) fn k(&self) -> usize {
        self.inp.segments.len()
    }

    pub(super) fn subtitle(&self, extra: &str) -> String {
        let s = self.inp.title_suffix.trim();
        match (s.is_empty(), extra.is_empty()) {
            (true, _) => extra.to_string(),
            (false, true) => s.to_string(),
            (false, false) => format!("{s}  ·  {extra}"),
        }
    }

    /// Width of the widest segment name in `f`, capped at `cap`.
    pub(super) fn max_label_width(&self, area: &Area, f: &FontDesc, cap: i32) -> DrawResult<i32> {
        let mut m = 0;
        for n in &self.names {
            m = m.max(text_width(area, n, f)?);
        }
        Ok(m.min(cap))
    }

    pub(super) fn fitted_names(
        &self,
        area: &Area,
        f: &FontDesc,
        max_w: i32,
    ) -> DrawResult<Vec<String>> {
        self.names
            .iter()
            .map(|n| fit_text(area, n, f, max_w))
            .collect()
    }
}

/// The input's shapes agree: labels and columns have one value per row of
/// the matrix, feature names and centroids one value per column.
fn check_input(inp: &ChartInput) -> Result<()> {
    let (n, d) = inp.scaled.dim();
    if inp.segments.is_empty() {
        return Err(Error::data("charts: there are no segments to draw"));
    }
    if inp.labels.len() != n {
        return Err(Error::data(format!(
            "charts: {} segment labels for {n} rows",
            inp.labels.len()
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
    if !inp.stability.is_empty() && inp.stability.len() != inp.segments.len() {
        return Err(Error::data(format!(
            "charts: {} stability values for {} segments",
            inp.stability.len(),
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
    Ok(())
}

/// Display names: label, or "Segment <id>"; duplicates get their id.
fn display_names(segments: &[SegmentInfo]) -> Vec<String> {
    let base: Vec<String> = segments
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
    base.iter()
        .zip(segments)
        .map(|(b, s)| {
            if base.iter().filter(|o| *o == b).count() > 1 {
                format!("{b} (#{})", s.id)
            } else {
                b.clone()
            }
        })
        .collect()
}
