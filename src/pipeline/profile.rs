//! Inspect: per-segment statistics in original units, the traits that set a
//! segment apart, categorical splits, and a label with a recommended action
//! (the labels are chosen in [`crate::pipeline::labels`]).
//!
//! # Honest traits
//!
//! Clustering works on transformed, standardised values, but people read
//! the raw numbers, so every "high" / "low" is decided in original units:
//!
//! - `effect`: the average percentile of the segment's customers among all
//!   customers, minus one half (in −0.5..0.5; +0.25 means its customers sit
//!   at the 75th percentile on average). It does not depend on a transform
//!   and one outlier cannot move it far.
//! - `signal`: the effect when the segment's mean *and* median lie on the
//!   same side of everyone's mean and median as the effect says, else 0.
//! - `direction`: high when the signal is at least +0.1, low at most −0.1,
//!   else typical. So a trait called high always has a mean above everyone's
//!   and a median at or above everyone's median (and the other way round),
//!   whatever the z-score of the transformed values says.
//!
//! The z-score of the centroid is kept (it is what K-Means saw); faces say
//! when it is on a log scale. Labels are scored from the signals.

use crate::pipeline::features::{FeatureKind, FeatureParams, Transform};
use crate::pipeline::labels;
use crate::pipeline::mapping::{ColumnUse, Mapping};
use crate::pipeline::table::TextColumn;
use crate::pipeline::table::{ColumnData, Table, format_number};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub use crate::pipeline::labels::{LabelOptions, LabelOverride, LabelScheme, names};

/// A segment below this share of the customers is flagged: a handful of
/// outliers, not a market segment.
pub const TINY_SEGMENT_SHARE: f64 = 0.005;

/// |signal| at which a feature counts as high or low.
pub const TRAIT_SIGNAL: f64 = 0.1;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    High,
    Low,
    #[default]
    Typical,
}

impl Direction {
    pub fn word(self) -> &'static str {
        match self {
            Direction::High => "high",
            Direction::Low => "low",
            Direction::Typical => "typical",
        }
    }
}

/// One feature's statistics within a segment, with everyone's beside it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FeatureStat {
    pub feature: String,
    pub mean: f64,
    pub median: f64,
    pub overall_mean: f64,
    pub overall_median: f64,
    /// Segment median / overall median, when both are positive.
    pub ratio: Option<f64>,
    /// Where the segment median falls among all customers (0..100).
    pub percentile: f64,
    /// Average percentile of the segment's customers − 0.5.
    pub effect: f64,
    /// `effect` when the raw mean and median agree with it, else 0.
    pub signal: f64,
    pub direction: Direction,
    /// Centroid position in standard deviations from the overall mean, on
    /// the scale K-Means used (see `z_scale`).
    pub z: f64,
    /// The transform the z-score is on.
    pub z_scale: Transform,
    /// A 0/1 feature (a one-hot level or a flag): the mean is a share.
    #[serde(default)]
    pub binary: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CategoryShare {
    pub value: String,
    pub count: usize,
    pub share: f64,
}

/// A profile-only number (not clustered) per segment: a flag's share of
/// ones, an outcome, a column kept out by a hygiene rule.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ColumnStat {
    pub column: String,
    /// 0/1 values: `mean` is the share of ones.
    pub flag: bool,
    pub mean: f64,
    pub median: f64,
    pub overall_mean: f64,
    pub overall_median: f64,
    /// Customers with a value.
    pub present: usize,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SegmentProfile {
    pub id: u32,
    pub label: String,
    pub action: String,
    /// Why this label: the fit of each label, or why none fits.
    pub label_reason: String,
    pub size: usize,
    pub share: f64,
    /// Under [`TINY_SEGMENT_SHARE`] of the customers.
    pub tiny: bool,
    pub features: Vec<FeatureStat>,
    /// Features that are high or low, strongest first.
    pub distinguishing: Vec<String>,
    /// Named categorical splits ("gender", "branch", "age band", outcome
    /// columns), largest first (age bands in band order).
    pub categories: BTreeMap<String, Vec<CategoryShare>>,
    /// Profile-only columns.
    pub columns: Vec<ColumnStat>,
}

impl SegmentProfile {
    pub fn feature(&self, name: &str) -> Option<&FeatureStat> {
        self.features.iter().find(|f| f.feature == name)
    }
}

/// How much one kind of feature separates the segments: its share of the
/// between-segment sum of squares of the scaled features.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Driver {
    /// "numeric", "indicators" (one-hot levels) or "flags".
    pub kind: String,
    pub features: usize,
    pub share: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Profiles {
    /// How the segments follow a previous model (`cluster.previous`).
    #[serde(default)]
    pub continuity: Option<crate::pipeline::continuity::Continuity>,
    /// How the saved label and action edits were applied (by identity or
    /// by number) and which were not.
    #[serde(default)]
    pub edits: crate::pipeline::labels::identity::EditsApplied,
    pub scheme: LabelScheme,
    pub segments: Vec<SegmentProfile>,
    /// Per kind of feature, how much it drives the segmentation.
    pub drivers: Vec<Driver>,
    /// Why this label scheme.
    pub scheme_reason: String,
    /// How far the segments can be trusted: structure verdict, stability
    /// and rules (`None` until assessed, see `pipeline::trust`).
    #[serde(default)]
    pub trust: Option<crate::pipeline::trust::Trust>,
}

impl Profiles {
    pub fn tiny_segments(&self) -> impl Iterator<Item = &SegmentProfile> {
        self.segments.iter().filter(|s| s.tiny)
    }
}

/// A profile-only column handed to [`profile`].
pub struct ExtraColumn {
    pub name: String,
    /// NaN = missing.
    pub values: Vec<f64>,
    pub flag: bool,
}

/// What profiling needs: the features in both units and the segment of each row.
pub struct ProfileInput<'a> {
    pub feature_names: &'a [String],
    /// One column per feature, original units (after imputation, before
    /// transforms).
    pub original: Vec<&'a [f64]>,
    /// n × d, standardised.
    pub scaled: &'a [f64],
    pub n: usize,
    pub d: usize,
    pub labels: &'a [u32],
    pub k: usize,
    /// Per feature (empty: none and numeric).
    pub transforms: &'a [Transform],
    pub kinds: &'a [FeatureKind],
    pub gender: Option<&'a TextColumn>,
    pub branch: Option<&'a TextColumn>,
    /// Ages in years (NaN when unknown), for age bands.
    pub age: Option<&'a [f64]>,
    /// Text columns split per segment besides gender and branch (outcomes).
    pub texts: Vec<(String, &'a TextColumn)>,
    pub extras: Vec<ExtraColumn>,
}

/// Most profile-only columns shown per segment.
pub const MAX_PROFILE_COLUMNS: usize = 30;

/// The profile-only columns of a cleaned table: numbers the mapping marks
/// profile only (sentinels read as missing), an indicator per sentinel
/// ("pdays = -1", also for clustered columns), and text columns a hygiene
/// rule made profile only (outcomes), split per segment.
pub fn profile_columns<'t>(
    table: &'t Table,
    mapping: &Mapping,
    params: &FeatureParams,
) -> (Vec<ExtraColumn>, Vec<(String, &'t TextColumn)>) {
    let used: Vec<&str> = params.features.iter().map(|f| f.source.column()).collect();
    let mut extras = Vec::new();
    let mut texts = Vec::new();
    for cm in &mapping.columns {
        let Some(col) = table.column(&cm.column) else {
            continue;
        };
        let profiled = cm.usage == ColumnUse::Profile && !used.contains(&cm.column.as_str());
        let ruled = cm.hygiene.applied && cm.hygiene.rule.is_some();
        match &*col.data {
            ColumnData::Text(t) if profiled && ruled => texts.push((cm.column.clone(), t)),
            ColumnData::Number(v) => {
                let sentinel = cm.hygiene.sentinel.map(|s| s.value);
                if profiled {
                    let values: Vec<f64> = v
                        .iter()
                        .map(|&x| if Some(x) == sentinel { f64::NAN } else { x })
                        .collect();
                    let flag = values.iter().all(|x| x.is_nan() || *x == 0.0 || *x == 1.0);
                    extras.push(ExtraColumn {
                        name: cm.column.clone(),
                        values,
                        flag,
                    });
                }
                if let Some(s) = sentinel {
                    extras.push(ExtraColumn {
                        name: format!("{} = {}", cm.column, format_number(s)),
                        values: v
                            .iter()
                            .map(|&x| {
                                if x.is_nan() {
                                    x
                                } else {
                                    f64::from(u8::from(x == s))
                                }
                            })
                            .collect(),
                        flag: true,
                    });
                }
            }
            _ => {}
        }
    }
    extras.truncate(MAX_PROFILE_COLUMNS);
    (extras, texts)
}

/// Profiles and labels every segment.
pub fn profile(input: &ProfileInput, opts: &LabelOptions) -> Profiles {
    let (n, d, k) = (input.n, input.d, input.k);
    let members = members(input.labels, k);
    let sizes: Vec<usize> = members.iter().map(Vec::len).collect();
    let stats: Vec<Vec<FeatureStat>> = feature_stats(input, &members);
    let drivers = drivers(input, &members);
    let (scheme, scheme_reason) = labels::resolve_scheme(opts.scheme, input.feature_names);
    let columns: Vec<Vec<ColumnStat>> = members
        .iter()
        .map(|rows| input.extras.iter().map(|e| column_stat(e, rows)).collect())
        .collect();
    let labelled = labels::assign(scheme, &stats, &columns, &sizes);

    let segments = (0..k)
        .map(|c| {
            let features = stats[c].clone();
            let mut order: Vec<usize> = (0..d)
                .filter(|&j| features[j].direction != Direction::Typical)
                .collect();
            order.sort_by(|&a, &b| {
                features[b]
                    .signal
                    .abs()
                    .total_cmp(&features[a].signal.abs())
                    .then(a.cmp(&b))
            });
            let distinguishing = order.iter().map(|&j| features[j].feature.clone()).collect();
            let (label, action, reason) = labels::finish(&labelled[c], c as u32, &features, opts);
            SegmentProfile {
                id: c as u32,
                label,
                action,
                label_reason: reason,
                size: sizes[c],
                share: sizes[c] as f64 / n.max(1) as f64,
                tiny: (sizes[c] as f64) < TINY_SEGMENT_SHARE * n as f64,
                features,
                distinguishing,
                categories: category_splits(input, &members[c]),
                columns: columns[c].clone(),
            }
        })
        .collect();
    Profiles {
        continuity: None,
        edits: Default::default(),
        scheme,
        segments,
        drivers,
        scheme_reason,
        trust: None,
    }
}

/// Row indexes of each segment.
fn members(labels: &[u32], k: usize) -> Vec<Vec<u32>> {
    let mut out = vec![Vec::new(); k];
    for (i, &l) in labels.iter().enumerate() {
        if let Some(m) = out.get_mut(l as usize) {
            m.push(i as u32);
        }
    }
    out
}

/// Mean of finite values without overflow (values near ±1e308 stay finite).
fn safe_mean(values: impl Iterator<Item = f64> + Clone) -> f64 {
    let (count, max) = values
        .clone()
        .filter(|x| x.is_finite())
        .fold((0usize, 0.0f64), |(c, m), x| (c + 1, m.max(x.abs())));
    if count == 0 {
        return f64::NAN;
    }
    let scale = if max > 1e300 { max } else { 1.0 };
    let s: f64 = values.filter(|x| x.is_finite()).map(|x| x / scale).sum();
    let m = s / count as f64 * scale;
    if m.is_finite() { m } else { f64::NAN }
}

/// Rows used for percentiles: all up to this, else an even stride.
const PERCENTILE_SAMPLE: usize = 65_536;

/// Sorted finite values of a column (a stride sample of big ones).
fn sorted_sample(col: &[f64]) -> Vec<f64> {
    let step = col.len().div_ceil(PERCENTILE_SAMPLE).max(1);
    let mut v: Vec<f64> = col
        .iter()
        .step_by(step)
        .copied()
        .filter(|x| x.is_finite())
        .collect();
    v.sort_unstable_by(f64::total_cmp);
    v
}

/// Mid-rank percentile of `x` among `sorted` (0..1).
fn percentile_of(sorted: &[f64], x: f64) -> f64 {
    if sorted.is_empty() {
        return 0.5;
    }
    let below = sorted.partition_point(|v| *v < x);
    let upto = sorted.partition_point(|v| *v <= x);
    (below as f64 + 0.5 * (upto - below) as f64) / sorted.len() as f64
}

fn feature_stats(input: &ProfileInput, members: &[Vec<u32>]) -> Vec<Vec<FeatureStat>> {
    let (d, k) = (input.d, members.len());
    let per_feature: Vec<Vec<FeatureStat>> = (0..d)
        .into_par_iter()
        .map(|j| {
            let col: &[f64] = input.original[j];
            let sorted = sorted_sample(col);
            let overall_mean = safe_mean(col.iter().copied());
            // One working buffer per feature for every median: at 10M
            // customers each copy of a column is 80 MB.
            let mut values = col.to_vec();
            let overall_median = median_in_place(&mut values);
            (0..k)
                .map(|c| {
                    let rows = &members[c];
                    values.clear();
                    values.extend(rows.iter().map(|&i| col[i as usize]));
                    let mean = safe_mean(values.iter().copied());
                    let median = median_in_place(&mut values);
                    let effect = effect_of(col, &sorted, rows);
                    let z = if rows.is_empty() {
                        0.0
                    } else {
                        rows.iter()
                            .map(|&i| input.scaled[i as usize * d + j])
                            .sum::<f64>()
                            / rows.len() as f64
                    };
                    let agrees = (effect > 0.0 && mean > overall_mean && median >= overall_median)
                        || (effect < 0.0 && mean < overall_mean && median <= overall_median);
                    let signal = if agrees { effect } else { 0.0 };
                    FeatureStat {
                        feature: input.feature_names[j].clone(),
                        mean,
                        median,
                        overall_mean,
                        overall_median,
                        ratio: (median >= 0.0 && overall_median > 0.0)
                            .then(|| median / overall_median),
                        percentile: percentile_of(&sorted, median) * 100.0,
                        effect,
                        signal,
                        direction: direction_of(signal),
                        z,
                        z_scale: input.transforms.get(j).copied().unwrap_or_default(),
                        binary: matches!(
                            input.kinds.get(j),
                            Some(FeatureKind::Indicator { .. } | FeatureKind::Flag)
                        ),
                    }
                })
                .collect()
        })
        .collect();
    // Transpose to per segment.
    (0..k)
        .map(|c| per_feature.iter().map(|f| f[c].clone()).collect())
        .collect()
}

/// Members whose percentiles are averaged for a segment's effect: all of
/// them up to this, else an even stride (the effect is an average; the
/// decision still needs the exact raw mean and median to agree).
const EFFECT_SAMPLE: usize = 8192;

/// Average mid-rank percentile of the segment's customers, minus 0.5.
fn effect_of(col: &[f64], sorted: &[f64], rows: &[u32]) -> f64 {
    if rows.is_empty() {
        return 0.0;
    }
    let step = rows.len().div_ceil(EFFECT_SAMPLE).max(1);
    let (sum, count) = rows.iter().step_by(step).fold((0.0, 0usize), |(s, c), &i| {
        (s + percentile_of(sorted, col[i as usize]), c + 1)
    });
    sum / count as f64 - 0.5
}

pub fn direction_of(signal: f64) -> Direction {
    if signal >= TRAIT_SIGNAL {
        Direction::High
    } else if signal <= -TRAIT_SIGNAL {
        Direction::Low
    } else {
        Direction::Typical
    }
}

/// Shares of the between-segment sum of squares by kind of feature.
fn drivers(input: &ProfileInput, members: &[Vec<u32>]) -> Vec<Driver> {
    let d = input.d;
    let mut ssb = vec![0.0f64; d];
    for rows in members.iter().filter(|r| !r.is_empty()) {
        for (j, s) in ssb.iter_mut().enumerate() {
            let mean = rows
                .iter()
                .map(|&i| input.scaled[i as usize * d + j])
                .sum::<f64>()
                / rows.len() as f64;
            *s += rows.len() as f64 * mean * mean;
        }
    }
    let total: f64 = ssb.iter().sum();
    let kind_name = |j: usize| match input.kinds.get(j) {
        Some(FeatureKind::Indicator { .. }) => "indicators",
        Some(FeatureKind::Flag) => "flags",
        _ => "numeric",
    };
    let mut out: Vec<Driver> = Vec::new();
    for (j, s) in ssb.iter().enumerate() {
        let kind = kind_name(j);
        let share = if total > 0.0 { s / total } else { 0.0 };
        match out.iter_mut().find(|x| x.kind == kind) {
            Some(x) => {
                x.features += 1;
                x.share += share;
            }
            None => out.push(Driver {
                kind: kind.to_string(),
                features: 1,
                share,
            }),
        }
    }
    out
}

/// Median (mean of the two middle values for even counts) of the finite
/// values; NaN when there are none.
pub fn median_in_place(v: &mut [f64]) -> f64 {
    crate::pipeline::stats::median_in_place(v).unwrap_or(f64::NAN)
}

fn column_stat(e: &ExtraColumn, rows: &[u32]) -> ColumnStat {
    let mut all: Vec<f64> = e.values.iter().copied().filter(|x| x.is_finite()).collect();
    let mut mine: Vec<f64> = rows
        .iter()
        .map(|&i| e.values[i as usize])
        .filter(|x| x.is_finite())
        .collect();
    ColumnStat {
        column: e.name.clone(),
        flag: e.flag,
        mean: safe_mean(mine.iter().copied()),
        median: median_in_place(&mut mine),
        overall_mean: safe_mean(all.iter().copied()),
        overall_median: median_in_place(&mut all),
        present: rows
            .iter()
            .filter(|&&i| e.values[i as usize].is_finite())
            .count(),
    }
}

fn category_splits(input: &ProfileInput, rows: &[u32]) -> BTreeMap<String, Vec<CategoryShare>> {
    let mut out = BTreeMap::new();
    let mut columns: Vec<(String, &TextColumn, usize)> = Vec::new();
    if let Some(c) = input.gender {
        columns.push(("gender".into(), c, 5));
    }
    if let Some(c) = input.branch {
        columns.push(("branch".into(), c, 3));
    }
    for (name, c) in &input.texts {
        columns.push((name.clone(), c, 5));
    }
    for (name, col, top) in columns {
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for &i in rows {
            *counts
                .entry(col.get(i as usize).unwrap_or("(missing)"))
                .or_default() += 1;
        }
        out.insert(name, top_shares(counts, top));
    }
    if let Some(age) = input.age {
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for &i in rows {
            *counts.entry(age_band(age[i as usize])).or_default() += 1;
        }
        let mut shares = top_shares(counts, usize::MAX);
        shares.sort_by_key(|s| {
            AGE_BANDS
                .iter()
                .position(|b| *b == s.value)
                .unwrap_or(usize::MAX)
        });
        out.insert("age band".to_string(), shares);
    }
    out
}

/// The `top` largest groups of a split, largest first (ties by name).
pub fn largest(shares: &[CategoryShare], top: usize) -> Vec<&CategoryShare> {
    let mut v: Vec<&CategoryShare> = shares.iter().collect();
    v.sort_by(|a, b| b.count.cmp(&a.count).then(a.value.cmp(&b.value)));
    v.truncate(top);
    v
}

const AGE_BANDS: [&str; 7] = [
    "<25",
    "25-34",
    "35-44",
    "45-54",
    "55-64",
    "65+",
    "(missing)",
];

fn age_band(age: f64) -> &'static str {
    match age {
        a if a.is_nan() => AGE_BANDS[6],
        a if a < 25.0 => AGE_BANDS[0],
        a if a < 35.0 => AGE_BANDS[1],
        a if a < 45.0 => AGE_BANDS[2],
        a if a < 55.0 => AGE_BANDS[3],
        a if a < 65.0 => AGE_BANDS[4],
        _ => AGE_BANDS[5],
    }
}

fn top_shares(counts: BTreeMap<&str, usize>, top: usize) -> Vec<CategoryShare> {
    let total: usize = counts.values().sum();
    let mut v: Vec<CategoryShare> = counts
        .into_iter()
        .map(|(value, count)| CategoryShare {
            value: value.to_string(),
            count,
            share: count as f64 / total.max(1) as f64,
        })
        .collect();
    v.sort_by(|a, b| b.count.cmp(&a.count).then(a.value.cmp(&b.value)));
    v.truncate(top);
    v
}

/// "Monetary low: median 1,200 vs 3,500 overall (×0.34, P22)" pieces for
/// the faces: the comparison in original units.
pub fn comparison(f: &FeatureStat) -> String {
    use crate::pipeline::export::report::human;
    let mut s = format!(
        "median {} vs {} overall",
        human(f.median),
        human(f.overall_median)
    );
    match f.ratio {
        Some(r) if r.is_finite() && f.median != f.overall_median => {
            s.push_str(&format!(" (×{}, P{:.0})", round_ratio(r), f.percentile))
        }
        _ => s.push_str(&format!(" (P{:.0})", f.percentile)),
    }
    s
}

/// 0.3412 -> "0.34", 12.5 -> "12.5", 123.4 -> "123".
pub fn round_ratio(r: f64) -> String {
    if r >= 100.0 {
        format!("{r:.0}")
    } else if r >= 10.0 {
        format!("{r:.1}")
    } else {
        format!("{r:.2}")
    }
}

/// "Balance high (P78)" for a trait: the direction and where the segment's
/// median sits among all customers.
pub fn trait_text(f: &FeatureStat) -> String {
    format!(
        "{} {} (median at P{:.0})",
        f.feature,
        f.direction.word(),
        f.percentile
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn median_of_odd_and_even() {
        assert_eq!(median_in_place(&mut [3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median_in_place(&mut [4.0, 1.0, 3.0, 2.0]), 2.5);
        assert!(median_in_place(&mut []).is_nan());
    }

    #[test]
    fn means_of_huge_values_stay_finite() {
        let m = safe_mean([1e308, 1e308, -1e308].into_iter());
        assert!(m.is_finite() && (m - 1e308 / 3.0).abs() < 1e295, "{m}");
    }

    #[test]
    fn percentiles_are_mid_ranks() {
        let s = [1.0, 2.0, 2.0, 3.0];
        assert_eq!(percentile_of(&s, 2.0), 0.5);
        assert_eq!(percentile_of(&s, 0.0), 0.0);
        assert_eq!(percentile_of(&s, 3.0), 0.875);
    }

    /// Column `j` of a row-major `n × d` test matrix.
    fn columns(m: &[f64], d: usize) -> Vec<Vec<f64>> {
        (0..d)
            .map(|j| m.iter().skip(j).step_by(d).copied().collect())
            .collect()
    }

    fn input<'a>(
        f: &'a [String],
        original: &'a [Vec<f64>],
        scaled: &'a [f64],
        labels: &'a [u32],
        gender: Option<&'a TextColumn>,
        ages: Option<&'a [f64]>,
    ) -> ProfileInput<'a> {
        ProfileInput {
            feature_names: f,
            original: original.iter().map(Vec::as_slice).collect(),
            scaled,
            n: labels.len(),
            d: f.len(),
            labels,
            k: labels.iter().max().map_or(0, |m| *m as usize + 1),
            transforms: &[],
            kinds: &[],
            gender,
            branch: None,
            age: ages,
            texts: Vec::new(),
            extras: Vec::new(),
        }
    }

    #[test]
    fn profile_reports_original_units_shares_and_overrides() {
        let f = names(&["Balance", "Frequency"]);
        let original = [100.0, 1.0, 300.0, 3.0, 1000.0, 20.0, 1200.0, 30.0];
        let scaled = [-1.0, -1.0, -0.8, -0.9, 0.9, 0.9, 1.0, 1.0];
        let labels = [0, 0, 1, 1];
        let gender = TextColumn::from_values([Some("M"), Some("F"), Some("F"), None]);
        let ages = [22.0, 30.0, 50.0, f64::NAN];
        let cols = columns(&original, f.len());
        let input = input(&f, &cols, &scaled, &labels, Some(&gender), Some(&ages));
        let mut opts = LabelOptions::default();
        opts.overrides.insert(
            1,
            LabelOverride {
                label: Some("Top tier".into()),
                action: None,
                ..Default::default()
            },
        );
        let p = profile(&input, &opts);
        let s0 = &p.segments[0];
        assert_eq!((s0.size, s0.share), (2, 0.5));
        assert_eq!(s0.features[0].mean, 200.0);
        assert_eq!(s0.features[0].median, 200.0);
        assert_eq!(s0.features[0].overall_median, 650.0);
        assert_eq!(s0.features[0].direction, Direction::Low);
        assert!((s0.features[1].z - (-0.95)).abs() < 1e-12);
        assert_eq!(s0.categories["gender"].len(), 2);
        assert_eq!(s0.categories["age band"][0].value, "<25");
        assert_eq!(p.segments[1].label, "Top tier");
        assert_eq!(p.segments[1].features[0].direction, Direction::High);
        assert_eq!(p.segments[1].categories["gender"][0].value, "(missing)");
    }

    #[test]
    fn a_high_z_on_a_log_scale_is_not_called_high_when_the_raw_numbers_are_low() {
        // Segment 0: most customers slightly above the typical value, so
        // the log z is positive, but segment 1 holds a few huge values and
        // the mean of segment 0 is below everyone's.
        let f = names(&["Monetary"]);
        let mut original = Vec::new();
        let mut labels = Vec::new();
        for i in 0..90 {
            original.push(100.0 + f64::from(i % 10));
            labels.push(0);
        }
        for i in 0..10 {
            original.push(if i < 2 { 100_000.0 } else { 10.0 });
            labels.push(1);
        }
        let logs: Vec<f64> = original.iter().map(|x: &f64| x.ln_1p()).collect();
        let m = logs.iter().sum::<f64>() / 100.0;
        let sd = (logs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / 100.0).sqrt();
        let scaled: Vec<f64> = logs.iter().map(|x| (x - m) / sd).collect();
        let cols = columns(&original, f.len());
        let input = input(&f, &cols, &scaled, &labels, None, None);
        let p = profile(&input, &LabelOptions::default());
        let s0 = &p.segments[0].features[0];
        assert!(s0.z > 0.0, "log z {}", s0.z);
        assert!(s0.mean < s0.overall_mean);
        assert_ne!(s0.direction, Direction::High);
        assert_eq!(s0.signal, 0.0);
    }

    #[test]
    fn tiny_segments_are_flagged_and_drivers_sum_to_one() {
        let f = names(&["Balance", "Gender=F"]);
        let mut original = Vec::new();
        let mut scaled = Vec::new();
        let mut labels = Vec::new();
        for i in 0..1000u32 {
            let big = i < 3;
            let b = if big { 1e7 } else { f64::from(i % 50) };
            original.extend([b, f64::from(i % 2)]);
            scaled.extend([if big { 10.0 } else { -0.03 }, f64::from(i % 2) - 0.5]);
            labels.push(u32::from(big));
        }
        let cols = columns(&original, f.len());
        let mut inp = input(&f, &cols, &scaled, &labels, None, None);
        let kinds = [
            FeatureKind::Numeric,
            FeatureKind::Indicator {
                column: "Gender".into(),
            },
        ];
        inp.kinds = &kinds;
        let p = profile(&inp, &LabelOptions::default());
        assert!(p.segments[1].tiny && !p.segments[0].tiny);
        assert_eq!(p.tiny_segments().count(), 1);
        let total: f64 = p.drivers.iter().map(|d| d.share).sum();
        assert!((total - 1.0).abs() < 1e-9);
        let numeric = p.drivers.iter().find(|d| d.kind == "numeric").unwrap();
        assert!(numeric.share > 0.9, "{:?}", p.drivers);
    }

    #[test]
    fn largest_groups_first() {
        let shares = vec![
            CategoryShare {
                value: "<25".into(),
                count: 3,
                share: 0.1,
            },
            CategoryShare {
                value: "45-54".into(),
                count: 20,
                share: 0.6,
            },
            CategoryShare {
                value: "25-34".into(),
                count: 10,
                share: 0.3,
            },
        ];
        let top: Vec<&str> = largest(&shares, 2)
            .iter()
            .map(|s| s.value.as_str())
            .collect();
        assert_eq!(top, ["45-54", "25-34"]);
    }
}
