//! Features: the numbers each customer is clustered on, transformed and
//! scaled, with the parameters needed to score new customers the same way
//! ([`apply_features`]).
//!
//! # Template mode and generic mode
//!
//! The bank template is [`TemplateFeature`]: Recency, Frequency, Monetary,
//! Tenure, Product_Depth, Age and Balance, each built from whatever mapped
//! columns exist. Where a feature can come from a date measured against the
//! as-of date or from a ready-made column, the date wins (all features then
//! share one reference day): Recency from the last transaction date, else a
//! transaction date, else a Recency column; Tenure (completed months) from the
//! open date, else a Tenure column; Age (completed years) from the birth date,
//! else an Age column.
//!
//! **Rule** (`mode = "auto"`, the default): *template mode* when at least two
//! template features can be built, otherwise *generic mode*.
//!
//! - Template mode: the template features that can be built (under their
//!   template names, in template order), then every other numeric column the
//!   mapping marks as a feature (under its own name, in table order). Columns
//!   consumed by a template feature, or superseded by a better source for it,
//!   are not added twice.
//! - Generic mode (e.g. a credit-card usage table of many behavioural
//!   numbers): the numeric columns marked as features (`usage = feature`, the
//!   default for every non-id numeric column), under their own names. Nothing
//!   is derived from dates.
//!
//! `select` (non-empty) replaces "every numeric column marked as a feature":
//! the extras in template mode, the whole set in generic mode. `drop_features`
//! then removes features by name. `mode = "template" | "generic"` forces a mode
//! (`--features`, `--select`, `--drop-feature` on the command line).
//!
//! Categorical columns (gender, branch) stay in the cleaned table for
//! profiling; with `one_hot = true` (`--one-hot`) those with at most
//! `one_hot_max_levels` values also become 0/1 indicator features (`Gender=F`).
//!
//! # Per feature, in order
//!
//! 1. Values that are still missing or not finite (only when Clean did not
//!    run) are filled with the feature's median, counted and stored.
//! 2. Optional winsorising at the chosen percentiles (bounds stored).
//! 3. Transform: `auto` applies `log1p` to a non-negative feature whose
//!    skewness (Fisher-Pearson, population moments) is above the threshold;
//!    `log` applies it to every non-negative feature; `none` to none;
//!    per-feature overrides win.
//! 4. Z-score with the population standard deviation (like scikit-learn's
//!    `StandardScaler`). A zero-variance feature is dropped with a notice
//!    (or, with `zero_variance = "keep_unscaled"`, centred and divided by 1).
//!
//! Then the correlation matrix of the scaled features; pairs with |r| above
//! the threshold are flagged (drop one with `drop_features`).
//!
//! # Output
//!
//! [`Features`] holds `original` (after imputation, before winsorising and
//! transforms) and `scaled`, both `n x d` row-major `f64`, ready for the
//! K-Means kernel: never NaN, never infinite. Row `i` is row `i` of the
//! cleaned table, which keeps the customer ids and the profile columns.

use crate::error::{Error, Result};
use crate::pipeline::clean::{IsoDate, civil_from_days, median_in_place};
use crate::pipeline::hygiene::{Rule, Sentinel};
use crate::pipeline::mapping::{ColumnUse, Mapping, Role};
use crate::pipeline::table::{ColumnData, ColumnType, MISSING_DATE, Table};
use crate::remedy::{Notice, Remedy};
use ndarray::ArrayView2;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

// ---------------------------------------------------------------------------
// Options
// ---------------------------------------------------------------------------

#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    strum::EnumString,
    strum::IntoStaticStr,
)]
#[serde(rename_all = "snake_case")]
#[strum(
    ascii_case_insensitive,
    parse_err_ty = String,
    parse_err_fn = unknown_feature_mode
)]
pub enum FeatureMode {
    /// Template when at least two template features can be built.
    #[default]
    #[strum(to_string = "auto")]
    Auto,
    #[strum(to_string = "template", serialize = "bank", serialize = "rfm")]
    Template,
    #[strum(to_string = "generic")]
    Generic,
}

fn unknown_feature_mode(s: &str) -> String {
    format!("unknown feature mode '{s}' (use auto, template or generic)")
}

impl FeatureMode {
    pub fn name(self) -> &'static str {
        self.into()
    }
}

/// `--transform none|log|auto`.
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    strum::EnumString,
    strum::IntoStaticStr,
)]
#[serde(rename_all = "snake_case")]
#[strum(
    ascii_case_insensitive,
    parse_err_ty = String,
    parse_err_fn = unknown_transform_mode
)]
pub enum TransformMode {
    #[strum(to_string = "none", serialize = "off")]
    None,
    #[strum(to_string = "log", serialize = "log1p")]
    Log,
    /// log1p for non-negative features with skewness above the threshold.
    #[default]
    #[strum(to_string = "auto")]
    Auto,
}

fn unknown_transform_mode(s: &str) -> String {
    format!("unknown transform '{s}' (use none, log or auto)")
}

/// The transform applied to one feature; [`Transform::name`] is how
/// reports show it, parsing takes the config's spellings.
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    strum::EnumString,
    strum::IntoStaticStr,
)]
#[serde(rename_all = "snake_case")]
#[strum(
    ascii_case_insensitive,
    parse_err_ty = String,
    parse_err_fn = unknown_transform
)]
pub enum Transform {
    #[default]
    #[strum(to_string = "none", serialize = "off")]
    None,
    /// `ln(1 + x)`; values below 0 (possible only in new data) count as 0.
    #[serde(rename = "log", alias = "log1p")]
    #[strum(to_string = "log1p", serialize = "log")]
    Log1p,
    /// `sign(x) ln(1 + |x|)`: the log of a money column with a few
    /// negative values (refunds), which keeps their sign.
    #[serde(rename = "signed_log")]
    #[strum(
        to_string = "signed log1p",
        serialize = "signed_log",
        serialize = "signed-log",
        serialize = "slog"
    )]
    SignedLog1p,
}

fn unknown_transform(s: &str) -> String {
    format!("unknown transform '{s}' (use none, log or signed_log)")
}

impl Transform {
    pub fn name(self) -> &'static str {
        self.into()
    }
}

/// Clip each feature to these percentiles (0..=1) before transforming.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Winsorize {
    pub lower: f64,
    pub upper: f64,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ZeroVariance {
    /// Drop the feature with a notice.
    #[default]
    Drop,
    /// Keep it: centred, divided by 1 (all zeros after scaling).
    KeepUnscaled,
}

/// Every choice of the Features stage (embedded in the RunConfig).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FeatureOptions {
    pub mode: FeatureMode,
    /// Numeric columns to use instead of "every column marked as a feature"
    /// (the extras in template mode, the whole set in generic mode).
    pub select: Vec<String>,
    /// `--drop-feature`: features to leave out, by feature name.
    pub drop_features: Vec<String>,
    /// `--transform`.
    pub transform: TransformMode,
    /// Per-feature transform, by feature name; wins over `transform`.
    pub transform_overrides: BTreeMap<String, Transform>,
    /// `auto` transforms features whose skewness is above this.
    pub skew_threshold: f64,
    /// Winsorising percentiles for every numeric feature, e.g.
    /// `{ lower = 0.01, upper = 0.99 }`.
    pub winsorize: Option<Winsorize>,
    /// Without `winsorize`: skewed money features (amounts, balances,
    /// payments ...) are winsorised at P1/P99, so a handful of outliers
    /// cannot make a segment of their own.
    pub winsorize_skewed_money: bool,
    /// A 0/1 indicator (one-hot level, flag) is centred and scaled so that
    /// all indicators of one column together have this standard deviation
    /// (a numeric feature has 1): a category weighs at most a quarter of a
    /// numeric feature's variance at the default 0.5.
    pub indicator_weight: f64,
    /// One-hot encode categorical columns for clustering (off: profile only).
    pub one_hot: bool,
    /// Categorical columns with more values than this are not one-hot encoded.
    pub one_hot_max_levels: usize,
    pub zero_variance: ZeroVariance,
    /// Pairs of features with |r| above this are flagged.
    pub correlation_threshold: f64,
}

impl Default for FeatureOptions {
    fn default() -> Self {
        FeatureOptions {
            mode: FeatureMode::Auto,
            select: Vec::new(),
            drop_features: Vec::new(),
            transform: TransformMode::Auto,
            transform_overrides: BTreeMap::new(),
            skew_threshold: 1.0,
            winsorize: None,
            winsorize_skewed_money: true,
            indicator_weight: 0.5,
            one_hot: false,
            one_hot_max_levels: 12,
            zero_variance: ZeroVariance::Drop,
            correlation_threshold: 0.9,
        }
    }
}

impl FeatureOptions {
    pub fn validate(&self) -> Result<()> {
        if !(self.skew_threshold.is_finite() && self.skew_threshold >= 0.0) {
            return Err(Error::usage(format!(
                "skew threshold {} must be a number >= 0",
                self.skew_threshold
            )));
        }
        if let Some(w) = self.winsorize
            && !(0.0 <= w.lower && w.lower < w.upper && w.upper <= 1.0)
        {
            return Err(Error::usage(format!(
                "winsorize percentiles {} and {} must satisfy 0 <= lower < upper <= 1 (e.g. 0.01 and 0.99)",
                w.lower, w.upper
            )));
        }
        if !(self.indicator_weight.is_finite()
            && self.indicator_weight > 0.0
            && self.indicator_weight <= 10.0)
        {
            return Err(Error::usage(format!(
                "indicator weight {} must be a number in (0, 10] (e.g. 0.5)",
                self.indicator_weight
            )));
        }
        if !(self.correlation_threshold > 0.0 && self.correlation_threshold <= 1.0) {
            return Err(Error::usage(format!(
                "correlation threshold {} must be in (0, 1]",
                self.correlation_threshold
            )));
        }
        if self.one_hot && self.one_hot_max_levels < 2 {
            return Err(Error::usage("one_hot_max_levels must be at least 2"));
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------
// Parameters (stored in the saved model)
// ---------------------------------------------------------------------------

/// The bank template.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TemplateFeature {
    Recency,
    Frequency,
    Monetary,
    Tenure,
    ProductDepth,
    Age,
    Balance,
}

impl TemplateFeature {
    pub const ALL: [TemplateFeature; 7] = [
        TemplateFeature::Recency,
        TemplateFeature::Frequency,
        TemplateFeature::Monetary,
        TemplateFeature::Tenure,
        TemplateFeature::ProductDepth,
        TemplateFeature::Age,
        TemplateFeature::Balance,
    ];

    pub fn name(self) -> &'static str {
        match self {
            TemplateFeature::Recency => "Recency",
            TemplateFeature::Frequency => "Frequency",
            TemplateFeature::Monetary => "Monetary",
            TemplateFeature::Tenure => "Tenure",
            TemplateFeature::ProductDepth => "Product_Depth",
            TemplateFeature::Age => "Age",
            TemplateFeature::Balance => "Balance",
        }
    }

    /// The ways to build it, best first.
    fn sources(self) -> &'static [(Role, Derive)] {
        match self {
            TemplateFeature::Recency => &[
                (Role::LastDate, Derive::DaysSince),
                (Role::TxnDate, Derive::DaysSince),
                (Role::Recency, Derive::Column),
            ],
            TemplateFeature::Frequency => &[(Role::TxnCount, Derive::Column)],
            TemplateFeature::Monetary => &[(Role::TxnAmount, Derive::Column)],
            TemplateFeature::Tenure => &[
                (Role::OpenDate, Derive::MonthsSince),
                (Role::Tenure, Derive::Column),
            ],
            TemplateFeature::ProductDepth => &[(Role::ProductCount, Derive::Column)],
            TemplateFeature::Age => &[
                (Role::BirthDate, Derive::YearsSince),
                (Role::Age, Derive::Column),
            ],
            TemplateFeature::Balance => &[(Role::Balance, Derive::Column)],
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Derive {
    Column,
    DaysSince,
    MonthsSince,
    YearsSince,
}

/// Roles that template features read; such columns are never extras.
const TEMPLATE_ROLES: [Role; 11] = [
    Role::LastDate,
    Role::TxnDate,
    Role::Recency,
    Role::TxnCount,
    Role::TxnAmount,
    Role::OpenDate,
    Role::Tenure,
    Role::ProductCount,
    Role::BirthDate,
    Role::Age,
    Role::Balance,
];

/// How a feature's raw value is read from a (cleaned) table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FeatureSource {
    /// A numeric column as it is.
    Column { column: String },
    /// Days from a date column to the as-of date (Recency).
    DaysSince { column: String },
    /// Completed calendar months from a date column to the as-of date (Tenure).
    MonthsSince { column: String },
    /// Completed years from a date column to the as-of date (Age).
    YearsSince { column: String },
    /// 1 when a text column equals `level`, else 0.
    OneHot { column: String, level: String },
}

impl FeatureSource {
    pub fn column(&self) -> &str {
        match self {
            FeatureSource::Column { column }
            | FeatureSource::DaysSince { column }
            | FeatureSource::MonthsSince { column }
            | FeatureSource::YearsSince { column }
            | FeatureSource::OneHot { column, .. } => column,
        }
    }

    fn needs_as_of(&self) -> bool {
        matches!(
            self,
            FeatureSource::DaysSince { .. }
                | FeatureSource::MonthsSince { .. }
                | FeatureSource::YearsSince { .. }
        )
    }

    pub fn describe(&self, as_of: Option<IsoDate>) -> String {
        let at = as_of.map_or("the as-of date".to_string(), |d| d.to_string());
        match self {
            FeatureSource::Column { column } => format!("'{column}'"),
            FeatureSource::DaysSince { column } => format!("days from '{column}' to {at}"),
            FeatureSource::MonthsSince { column } => {
                format!("completed months from '{column}' to {at}")
            }
            FeatureSource::YearsSince { column } => {
                format!("completed years from '{column}' to {at}")
            }
            FeatureSource::OneHot { column, level } => format!("'{column}' is '{level}'"),
        }
    }

    fn from_derive(d: Derive, column: &str) -> FeatureSource {
        let column = column.to_string();
        match d {
            Derive::Column => FeatureSource::Column { column },
            Derive::DaysSince => FeatureSource::DaysSince { column },
            Derive::MonthsSince => FeatureSource::MonthsSince { column },
            Derive::YearsSince => FeatureSource::YearsSince { column },
        }
    }
}

/// One feature, fully specified for scoring.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FeatureSpec {
    pub name: String,
    pub source: FeatureSource,
    /// Value used where the input is missing or not finite (the training median).
    pub fill: f64,
    /// Winsorising bounds in original units.
    pub clip: Option<[f64; 2]>,
    /// A sentinel read as missing (filled with `fill`), e.g. -1 or 999.
    #[serde(default)]
    pub missing_value: Option<f64>,
    pub transform: Transform,
    /// Mean and population standard deviation after the transform.
    pub mean: f64,
    pub std: f64,
}

/// Everything Features decided, for the saved model.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FeatureParams {
    pub mode: FeatureMode,
    pub as_of: Option<IsoDate>,
    pub features: Vec<FeatureSpec>,
}

impl FeatureParams {
    pub fn names(&self) -> Vec<String> {
        self.features.iter().map(|f| f.name.clone()).collect()
    }
}

// ---------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------

/// What kind of number a feature is; indicators are weighted (see
/// [`FeatureOptions::indicator_weight`]).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FeatureKind {
    /// A quantity (money, counts, days ...).
    #[default]
    Numeric,
    /// A one-hot level of a text column.
    Indicator { column: String },
    /// A 0/1 (yes/no) column.
    Flag,
}

impl FeatureKind {
    pub fn is_indicator(&self) -> bool {
        !matches!(self, FeatureKind::Numeric)
    }
}

/// Why a feature was winsorised.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WinsorReason {
    /// The user asked for every feature.
    Asked,
    /// A skewed money feature, by default.
    SkewedMoney,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FeatureInfo {
    pub name: String,
    pub kind: FeatureKind,
    /// How it was built ("days from 'LastTxnDate' to 2024-03-31").
    pub source: String,
    /// Missing or non-finite inputs filled with the median here (0 after Clean,
    /// except for inputs Clean does not see such as a derived date).
    pub filled: usize,
    /// Original units (after filling, before winsorising and transforms).
    pub min: f64,
    pub max: f64,
    pub mean: f64,
    pub std: f64,
    pub clip: Option<[f64; 2]>,
    pub clip_reason: Option<WinsorReason>,
    /// Values moved to a winsorising bound.
    pub clipped: usize,
    /// Values below 0 (refunds in a money column).
    pub negatives: usize,
    /// A sentinel read as missing (its cells are counted in `filled`).
    pub sentinel: Option<crate::pipeline::hygiene::Sentinel>,
    /// Money, by role or name (winsorised by default when skewed).
    pub money: bool,
    /// Skewness of the values the transform decision saw (after winsorising).
    pub skewness: f64,
    pub transform: Transform,
    pub transform_reason: String,
    /// Skewness after the transform.
    pub skewness_after: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LeftOut {
    pub name: String,
    pub reason: String,
    /// The option that would bring it in, worded by each face.
    #[serde(skip)]
    pub remedy: Option<Remedy>,
}

impl LeftOut {
    /// The reason as the command line (and the report) words it.
    pub fn cli_reason(&self) -> String {
        match &self.remedy {
            Some(r) => format!("{} ({})", self.reason, r.cli_phrase()),
            None => self.reason.clone(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CorrelatedPair {
    pub a: String,
    pub b: String,
    pub r: f64,
}

/// A column a hygiene rule kept out of the features (or would have, had
/// the user not set its use).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RuledColumn {
    pub column: String,
    pub rule: crate::pipeline::hygiene::Rule,
    pub usage: ColumnUse,
    /// False when the user's use setting won over the rule.
    pub applied: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FeatureReport {
    /// Template or generic (never auto).
    pub mode: FeatureMode,
    pub mode_reason: String,
    pub as_of: Option<IsoDate>,
    pub rows: usize,
    pub features: Vec<FeatureInfo>,
    /// Template features that could not be built, columns not used, features
    /// dropped (zero variance, `drop_features`), each with the reason.
    pub left_out: Vec<LeftOut>,
    /// Columns kept in the cleaned table for segment profiles.
    pub profile_columns: Vec<String>,
    /// Pearson correlation of the scaled features, `d x d` row-major, in
    /// `features` order; empty above `correlation::FULL_MATRIX_MAX` features.
    pub correlation: Vec<f64>,
    pub correlation_threshold: f64,
    pub correlated_pairs: Vec<CorrelatedPair>,
    /// Columns the hygiene rules kept out, with the rule.
    pub ruled: Vec<RuledColumn>,
    /// The weight of indicator features (see [`FeatureOptions::indicator_weight`]).
    pub indicator_weight: f64,
    pub warnings: Vec<Notice>,
}

impl FeatureReport {
    pub fn feature(&self, name: &str) -> Option<&FeatureInfo> {
        self.features.iter().find(|f| f.name == name)
    }

    pub fn left_out(&self, name: &str) -> Option<&str> {
        self.left_out
            .iter()
            .find(|l| l.name == name)
            .map(|l| l.reason.as_str())
    }

    pub fn to_text(&self) -> String {
        use std::fmt::Write;
        let mut s = String::new();
        let _ = writeln!(
            s,
            "Features: {} mode ({}); {} features for {} customers; as-of {}",
            self.mode.name(),
            self.mode_reason,
            self.features.len(),
            self.rows,
            self.as_of.map_or("none".to_string(), |d| d.to_string())
        );
        for f in &self.features {
            let _ = write!(
                s,
                "  {:<16} {}; range {}..{}, skew {:.2} -> {} ({})",
                f.name,
                f.source,
                fmt_num(f.min),
                fmt_num(f.max),
                f.skewness,
                f.transform.name(),
                f.transform_reason
            );
            if let Some([lo, hi]) = f.clip {
                let _ = write!(
                    s,
                    "; winsorised to {}..{} ({} values)",
                    fmt_num(lo),
                    fmt_num(hi),
                    f.clipped
                );
            }
            if f.filled > 0 {
                let _ = write!(s, "; {} missing filled with the median", f.filled);
            }
            let _ = writeln!(s);
        }
        for l in &self.left_out {
            let _ = writeln!(s, "  left out {}: {}", l.name, l.cli_reason());
        }
        for p in &self.correlated_pairs {
            let _ = writeln!(
                s,
                "  correlated: {} and {} (r = {:.3} > {}); {}",
                p.a,
                p.b,
                p.r,
                self.correlation_threshold,
                Remedy::DropFeature { name: None }.cli_phrase()
            );
        }
        if !self.profile_columns.is_empty() {
            let _ = writeln!(s, "  profile only: {}", self.profile_columns.join(", "));
        }
        for w in &self.warnings {
            let _ = writeln!(s, "  warning: {}", w.cli_line());
        }
        s
    }
}

fn fmt_num(x: f64) -> String {
    if x.abs() >= 1e6 || (x != 0.0 && x.abs() < 1e-3) {
        format!("{x:.3e}")
    } else {
        let s = format!("{x:.3}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// The output of [`build_features`].
#[derive(Clone, Debug)]
pub struct Features {
    pub names: Vec<String>,
    /// Rows (customers); row `i` is row `i` of the table the features were built from.
    pub n: usize,
    /// Features per row.
    pub d: usize,
    /// `n x d` row-major, original units, after imputation, before transforms.
    pub original: Vec<f64>,
    /// `n x d` row-major, transformed and z-scored: what K-Means clusters.
    pub scaled: Vec<f64>,
    pub report: FeatureReport,
    pub params: FeatureParams,
}

impl Features {
    /// The scaled matrix (what K-Means clusters), `n × d`, in standard layout.
    ///
    /// # Panics
    /// If `scaled` does not hold `n × d` values, which [`build_features`]
    /// never allows.
    pub fn view(&self) -> ArrayView2<'_, f64> {
        ArrayView2::from_shape((self.n, self.d), &self.scaled)
            .expect("the scaled matrix holds n × d values")
    }
    pub fn original_row(&self, i: usize) -> &[f64] {
        &self.original[i * self.d..(i + 1) * self.d]
    }
    /// Column `j` of the scaled matrix.
    pub fn scaled_column(&self, j: usize) -> impl Iterator<Item = f64> + '_ {
        self.scaled.iter().skip(j).step_by(self.d.max(1)).copied()
    }
    pub fn original_column(&self, j: usize) -> impl Iterator<Item = f64> + '_ {
        self.original.iter().skip(j).step_by(self.d.max(1)).copied()
    }
}

// ---------------------------------------------------------------------------
// Numerics
// ---------------------------------------------------------------------------

/// A power of two at or above `m` (1 for 0), so that dividing by it is exact
/// and keeps every value within [-1, 1].
fn pow2_above(m: f64) -> f64 {
    if !(m.is_finite() && m > 0.0) {
        return 1.0;
    }
    let e = m.log2().ceil().clamp(-1000.0, 1023.0) as i32;
    let p = 2f64.powi(e);
    if p < m { p * 2.0 } else { p }.min(2f64.powi(1023))
}

/// Mean, population standard deviation and skewness (Fisher-Pearson,
/// population moments as `scipy.stats.skew`), computed on values scaled by a
/// power of two so that huge values cannot overflow. All finite for finite input.
pub fn moments(v: &[f64]) -> (f64, f64, f64) {
    let n = v.len();
    if n == 0 {
        return (0.0, 0.0, 0.0);
    }
    let s = pow2_above(v.iter().fold(0.0f64, |m, x| m.max(x.abs())));
    let inv = 1.0 / s;
    let nf = n as f64;
    let mean = v.iter().map(|x| x * inv).sum::<f64>() / nf;
    let (mut m2, mut m3) = (0.0, 0.0);
    for x in v {
        let d = x * inv - mean;
        let d2 = d * d;
        m2 += d2;
        m3 += d2 * d;
    }
    m2 /= nf;
    m3 /= nf;
    let std = m2.sqrt();
    let skew = if m2 > 1e-24 { m3 / (m2 * std) } else { 0.0 };
    (mean * s, std * s, if skew.is_finite() { skew } else { 0.0 })
}

/// Percentile with linear interpolation between order statistics (numpy's
/// default); reorders `v`, which must be non-empty.
fn percentile(v: &mut [f64], p: f64) -> f64 {
    let pos = p * (v.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let frac = pos - lo as f64;
    let (_, a, upper) = v.select_nth_unstable_by(lo, f64::total_cmp);
    let a = *a;
    if frac == 0.0 || upper.is_empty() {
        return a;
    }
    let b = upper.iter().copied().fold(f64::INFINITY, f64::min);
    interpolate(a, b, frac)
}

/// `a + frac * (b - a)` for `a <= b`, written so that it cannot overflow
/// (`b - a` is infinite for `a = -1e308, b = 1e308`) and stays within
/// `[a, b]`.
fn interpolate(a: f64, b: f64, frac: f64) -> f64 {
    let x = a * (1.0 - frac) + b * frac;
    if x.is_finite() { x.clamp(a, b) } else { a }
}

/// `work` = `original` clipped to the percentiles of `w` (when given):
/// the bounds and how many values moved.
fn winsorise(
    original: &[f64],
    w: Option<Winsorize>,
    work: &mut Vec<f64>,
) -> (Option<[f64; 2]>, usize) {
    let clip = w.map(|w| {
        work.clear();
        work.extend_from_slice(original);
        winsor_bounds(work, w)
    });
    work.clear();
    let mut clipped = 0usize;
    match clip {
        Some([lo, hi]) => work.extend(original.iter().map(|&x| {
            clipped += usize::from(x < lo || x > hi);
            clip_to(x, lo, hi)
        })),
        None => work.extend_from_slice(original),
    }
    (clip, clipped)
}

/// `x` moved into `[lo, hi]`; unlike `f64::clamp` it never panics (bounds
/// read from a damaged model may be inverted or NaN).
#[inline]
fn clip_to(x: f64, lo: f64, hi: f64) -> f64 {
    if x < lo {
        lo
    } else if x > hi {
        hi
    } else {
        x
    }
}

/// Winsorising bounds of finite values: ordered, finite, never NaN, so
/// that `clamp` cannot panic.
fn winsor_bounds(work: &mut [f64], w: Winsorize) -> [f64; 2] {
    let lo = percentile(work, w.lower.clamp(0.0, 1.0));
    let hi = percentile(work, w.upper.clamp(0.0, 1.0));
    let (lo, hi) = if lo <= hi { (lo, hi) } else { (hi, lo) };
    [lo, hi]
}

/// Largest |z| emitted; keeps squared distances finite for absurd new values.
const Z_LIMIT: f64 = 1e150;

/// `(x - mean) / std`, finite for any finite input. Training and scoring use
/// this same function, so the same input gives the same bits.
#[inline]
pub fn scale_value(x: f64, mean: f64, std: f64) -> f64 {
    let mut z = (x - mean) / std;
    if !z.is_finite() {
        // x - mean overflowed: redo in quarter units (exact scaling).
        z = (x * 0.25 - mean * 0.25) / (std * 0.25);
    }
    if z.is_nan() {
        0.0
    } else {
        z.clamp(-Z_LIMIT, Z_LIMIT)
    }
}

#[inline]
fn apply_transform(x: f64, t: Transform) -> f64 {
    match t {
        Transform::None => x,
        Transform::Log1p => x.max(0.0).ln_1p(),
        Transform::SignedLog1p => x.abs().ln_1p().copysign(x),
    }
}

/// Raw values of a source (NaN = missing), or why they cannot be read. A
/// numeric column is borrowed, not copied.
fn source_values<'a>(
    table: &'a Table,
    source: &FeatureSource,
    as_of: Option<IsoDate>,
) -> std::result::Result<Cow<'a, [f64]>, String> {
    let name = source.column();
    let col = table
        .column(name)
        .ok_or_else(|| format!("column '{name}' is missing"))?;
    let need_date = || -> std::result::Result<(&'a [i32], i32), String> {
        let dates = col
            .dates()
            .ok_or_else(|| format!("'{name}' holds {} values, not dates", col.ctype.name()))?;
        let at = as_of.ok_or_else(|| "there is no as-of date to measure it against".to_string())?;
        Ok((dates, at.0))
    };
    let derive = |f: &(dyn Fn(i32) -> f64 + Sync)| -> std::result::Result<Cow<'a, [f64]>, String> {
        let (dates, _) = need_date()?;
        Ok(Cow::Owned(
            dates
                .par_iter()
                .with_min_len(1 << 14)
                .map(|&d| if d == MISSING_DATE { f64::NAN } else { f(d) })
                .collect(),
        ))
    };
    let at = as_of.map_or(0, |a| a.0);
    // The as-of date's calendar fields, once rather than per row.
    let (ay, am, ad) = civil_from_days(at);
    match source {
        FeatureSource::Column { .. } => match &col.data {
            ColumnData::Number(v) => Ok(Cow::Borrowed(v.as_slice())),
            _ => Err(format!(
                "'{name}' holds {} values, not numbers",
                col.ctype.name()
            )),
        },
        FeatureSource::DaysSince { .. } => derive(&|d| f64::from(at) - f64::from(d)),
        FeatureSource::MonthsSince { .. } => derive(&|d| {
            let (y, m, dd) = civil_from_days(d);
            f64::from((ay - y) * 12 + (am as i32 - m as i32) - i32::from(ad < dd))
        }),
        FeatureSource::YearsSince { .. } => derive(&|d| {
            let (y, m, dd) = civil_from_days(d);
            f64::from(ay - y - i32::from((am, ad) < (m, dd)))
        }),
        FeatureSource::OneHot { level, .. } => match &col.data {
            ColumnData::Text(t) => Ok(Cow::Owned(
                (0..t.len())
                    .map(|i| f64::from(u8::from(t.get(i) == Some(level.as_str()))))
                    .collect(),
            )),
            _ => Err(format!(
                "'{name}' holds {} values, not text",
                col.ctype.name()
            )),
        },
    }
}

/// Fill, clip, transform and scale one feature in place, by its spec.
fn finish_column(values: &mut [f64], spec: &FeatureSpec) {
    for x in values.iter_mut() {
        let missing = !x.is_finite() || spec.missing_value == Some(*x);
        let mut v = if missing { spec.fill } else { *x };
        if let Some([lo, hi]) = spec.clip {
            v = clip_to(v, lo, hi);
        }
        *x = scale_value(apply_transform(v, spec.transform), spec.mean, spec.std);
    }
}

// ---------------------------------------------------------------------------
// Build
// ---------------------------------------------------------------------------

struct Planned<'a> {
    name: String,
    source: FeatureSource,
    values: Cow<'a, [f64]>,
    /// One-hot levels: the summed variance of the column's indicators.
    group_var: Option<f64>,
    /// Read as missing (set from the mapping's hygiene).
    sentinel: Option<Sentinel>,
    /// Money by role or name.
    money: bool,
}

impl<'a> Planned<'a> {
    fn new(name: String, source: FeatureSource, values: Cow<'a, [f64]>) -> Self {
        Planned {
            name,
            source,
            values,
            group_var: None,
            sentinel: None,
            money: false,
        }
    }
}

/// One processed feature before assembly.
struct Done<'a> {
    spec: FeatureSpec,
    info: FeatureInfo,
    original: Cow<'a, [f64]>,
    scaled: Vec<f64>,
    zero_variance: bool,
    /// The value (after winsorising) when it is the same for everyone.
    constant_value: f64,
}

fn mapped_reason(
    mapping: &Mapping,
    table: &Table,
    role: Role,
) -> std::result::Result<String, String> {
    let Some(col) = mapping.column_for(role) else {
        return Err(format!("no {} column is mapped", role.label()));
    };
    if table.column(col).is_none() {
        return Err(format!(
            "'{col}' ({}) is not in the cleaned table (dropped by Clean; see its report)",
            role.label()
        ));
    }
    if mapping.usage_of(col) == ColumnUse::Ignore {
        return Err(format!("'{col}' ({}) is marked 'ignore'", role.label()));
    }
    Ok(col.to_string())
}

/// Builds the features of a cleaned table (see the module docs). `as_of` is
/// the date Clean resolved ([`crate::pipeline::clean::Cleaned::as_of`]).
pub fn build_features(
    table: &Table,
    mapping: &Mapping,
    opts: &FeatureOptions,
    as_of: Option<IsoDate>,
) -> Result<Features> {
    opts.validate()?;
    let n = table.n_rows;
    let file = table.source.file_name();
    if n == 0 {
        return Err(Error::data(format!(
            "{file}: no customer rows to build features from"
        )));
    }
    if n == 1 {
        return Err(Error::data(format!(
            "{file}: only 1 customer row; segmentation needs at least 2 customers"
        )));
    }
    let mut report = FeatureReport {
        as_of,
        rows: n,
        correlation_threshold: opts.correlation_threshold,
        ..FeatureReport::default()
    };
    let id_col = mapping.column_for(Role::CustomerId);
    report.indicator_weight = opts.indicator_weight;
    report.ruled = ruled_columns(table, mapping);

    // 1. Template features that can be built.
    let mut template: Vec<Planned> = Vec::new();
    let mut template_missing: Vec<LeftOut> = Vec::new();
    let mut superseded: Vec<LeftOut> = Vec::new();
    for tf in TemplateFeature::ALL {
        let mut reasons = Vec::new();
        let mut needs_as_of = false;
        let mut built: Option<(String, FeatureSource, Cow<'_, [f64]>)> = None;
        for &(role, derive) in tf.sources() {
            let col = match mapped_reason(mapping, table, role) {
                Ok(c) => c,
                Err(why) => {
                    if mapping.column_for(role).is_some() {
                        reasons.push(why);
                    }
                    continue;
                }
            };
            if let Some((used, _, _)) = &built {
                superseded.push(LeftOut {
                    name: col.clone(),
                    reason: format!(
                        "{} is built from '{used}'; this {} column is not used",
                        tf.name(),
                        role.label()
                    ),
                    remedy: None,
                });
                continue;
            }
            let source = FeatureSource::from_derive(derive, &col);
            match source_values(table, &source, as_of) {
                Ok(v) if v.iter().any(|x| x.is_finite()) => built = Some((col, source, v)),
                Ok(_) => reasons.push(format!("every value of '{col}' is missing")),
                Err(why) => {
                    needs_as_of |= as_of.is_none() && source.needs_as_of();
                    reasons.push(format!("'{col}': {why}"))
                }
            }
        }
        match built {
            Some((_, source, values)) => {
                template.push(Planned::new(tf.name().to_string(), source, values))
            }
            None => {
                if reasons.is_empty() {
                    let roles: Vec<&str> = tf.sources().iter().map(|(r, _)| r.label()).collect();
                    reasons.push(format!("needs a mapped {}", roles.join(" or ")));
                }
                template_missing.push(LeftOut {
                    name: tf.name().to_string(),
                    reason: reasons.join("; "),
                    remedy: needs_as_of.then_some(Remedy::AsOf { date: None }),
                });
            }
        }
    }

    // 2. Mode.
    let k = template.len();
    let mode = match opts.mode {
        FeatureMode::Auto if k >= 2 => {
            report.mode_reason = format!("{k} template features can be built (2 or more)");
            FeatureMode::Template
        }
        FeatureMode::Auto => {
            report.mode_reason = format!(
                "only {k} template feature{} can be built (template needs 2)",
                if k == 1 { "" } else { "s" }
            );
            FeatureMode::Generic
        }
        m => {
            report.mode_reason = format!("set by the user ({k} template features can be built)");
            m
        }
    };
    report.mode = mode;

    // 3. Numeric columns chosen by usage or `select`.
    let numeric_feature_cols: Vec<&str> = if opts.select.is_empty() {
        table
            .columns
            .iter()
            .filter(|c| {
                c.ctype.is_numeric()
                    && Some(c.name.as_str()) != id_col
                    && mapping.usage_of(&c.name) == ColumnUse::Feature
            })
            .map(|c| c.name.as_str())
            .collect()
    } else {
        let mut out = Vec::new();
        for s in &opts.select {
            match table.column(s) {
                Some(c) if c.ctype.is_numeric() => out.push(c.name.as_str()),
                Some(c) => {
                    return Err(Error::bad_setting(
                        Remedy::Select {
                            column: Some(s.clone()),
                        },
                        format!(
                            "'{s}' holds {} values; only numeric columns can be selected",
                            c.ctype.name()
                        ),
                    ));
                }
                None if mapping.columns.iter().any(|m| &m.column == s) => {
                    return Err(Error::Setting {
                        setting: Remedy::Select {
                            column: Some(s.clone()),
                        },
                        message: format!("'{s}' was dropped by Clean (see its report)"),
                        remedy: Some(Box::new(Remedy::MaxMissing { value: None })),
                    });
                }
                None => {
                    return Err(Error::bad_setting(
                        Remedy::Select {
                            column: Some(s.clone()),
                        },
                        format!(
                            "no such column; numeric columns are: {}",
                            numeric_names(table).join(", ")
                        ),
                    ));
                }
            }
        }
        out
    };

    let mut planned: Vec<Planned> = Vec::new();
    // Kept for the "no usable feature" error in generic mode, where listing
    // seven unbuildable template features in the report would be noise.
    let template_reasons: Vec<LeftOut> = template_missing.clone();
    match mode {
        FeatureMode::Template => {
            report.left_out.extend(template_missing);
            report.left_out.extend(superseded);
            planned.extend(template);
            for name in numeric_feature_cols {
                let role = mapping.role_of(name);
                if role.is_some_and(|r| TEMPLATE_ROLES.contains(&r)) {
                    // Consumed by a template feature, superseded, or unusable;
                    // all three are reported above.
                    continue;
                }
                push_column(&mut planned, &mut report, table, name);
            }
        }
        _ => {
            for t in &template {
                if t.source.needs_as_of() {
                    report.left_out.push(LeftOut {
                        name: t.name.clone(),
                        reason: format!(
                            "generic mode uses numeric columns only; {} could be built from {}",
                            t.name,
                            t.source.describe(as_of)
                        ),
                        remedy: Some(Remedy::FeaturesTemplate),
                    });
                }
            }
            for name in numeric_feature_cols {
                push_column(&mut planned, &mut report, table, name);
            }
        }
    }

    // 4. Categorical columns: profile, or one-hot.
    for c in &table.columns {
        if c.ctype != ColumnType::Text || Some(c.name.as_str()) == id_col {
            continue;
        }
        let usage = mapping.usage_of(&c.name);
        if usage == ColumnUse::Ignore {
            continue;
        }
        if let Some(rule) = applied_rule(mapping, &c.name) {
            // An outcome or an after-the-fact column is never encoded.
            report.profile_columns.push(c.name.clone());
            if opts.one_hot {
                report.left_out.push(LeftOut {
                    name: c.name.clone(),
                    reason: format!("not one-hot encoded: {}", rule.finding()),
                    remedy: None,
                });
            }
            continue;
        }
        if !opts.one_hot {
            report.profile_columns.push(c.name.clone());
            if usage == ColumnUse::Feature {
                report.warnings.push(
                    Notice::new(format!(
                        "'{}' is text and marked as a feature, but one-hot encoding is off; it is kept for profiles only",
                        c.name
                    ))
                    .about(&c.name)
                    .remedy(Remedy::OneHot),
                );
            }
            continue;
        }
        let t = c.texts().expect("text column");
        let levels: BTreeSet<&str> = t.iter().flatten().collect();
        if levels.len() < 2 || levels.len() > opts.one_hot_max_levels {
            report.profile_columns.push(c.name.clone());
            report.left_out.push(LeftOut {
                name: c.name.clone(),
                reason: format!(
                    "not one-hot encoded: {} distinct values (encoded when 2 to {})",
                    levels.len(),
                    opts.one_hot_max_levels
                ),
                remedy: None,
            });
            continue;
        }
        report.profile_columns.push(c.name.clone());
        let mut group: Vec<Planned> = levels
            .into_iter()
            .map(|level| {
                let source = FeatureSource::OneHot {
                    column: c.name.clone(),
                    level: level.to_string(),
                };
                let values = source_values(table, &source, as_of).unwrap_or(Cow::Borrowed(&[]));
                Planned::new(format!("{}={level}", c.name), source, values)
            })
            .collect();
        let group_var: f64 = group
            .iter()
            .map(|p| {
                let share = p.values.iter().sum::<f64>() / n as f64;
                share * (1.0 - share)
            })
            .sum();
        for p in &mut group {
            p.group_var = Some(group_var);
        }
        planned.extend(group);
    }
    annotate(&mut planned, mapping);
    for c in &table.columns {
        if c.ctype.is_numeric()
            && mapping.usage_of(&c.name) == ColumnUse::Profile
            && !planned.iter().any(|p| p.source.column() == c.name)
        {
            report.profile_columns.push(c.name.clone());
        }
    }

    // 5. User drops.
    for name in &opts.drop_features {
        match planned.iter().position(|p| &p.name == name) {
            Some(i) => {
                planned.remove(i);
                report.left_out.push(LeftOut {
                    name: name.clone(),
                    reason: "dropped by the user".into(),
                    remedy: None,
                });
            }
            None => {
                return Err(Error::bad_setting(
                    Remedy::DropFeature {
                        name: Some(name.clone()),
                    },
                    format!("no such feature; the features are: {}", names_of(&planned)),
                ));
            }
        }
    }
    for name in opts.transform_overrides.keys() {
        if !planned.iter().any(|p| &p.name == name) {
            return Err(Error::bad_setting(
                Remedy::TransformFeature {
                    name: name.clone(),
                    to: None,
                },
                format!("no such feature; the features are: {}", names_of(&planned)),
            ));
        }
    }
    if planned.is_empty() {
        return Err(no_feature_error(
            table,
            mapping,
            &report,
            &template_reasons,
            mode,
        ));
    }

    // 6. Per feature: fill, winsorise, transform, scale.
    let done: Vec<Done> = planned
        .into_par_iter()
        .map(|p| process(p, opts, as_of))
        .collect::<Result<Vec<_>>>()?;

    let mut kept: Vec<Done> = Vec::with_capacity(done.len());
    for d in done {
        if d.zero_variance && opts.zero_variance == ZeroVariance::Drop {
            report.left_out.push(LeftOut {
                name: d.spec.name.clone(),
                reason: format!(
                    "zero variance: every value is {}{} (a constant cannot separate customers)",
                    fmt_num(d.constant_value),
                    if d.info.clip.is_some() {
                        " after winsorising"
                    } else {
                        ""
                    }
                ),
                remedy: None,
            });
            continue;
        }
        if d.zero_variance {
            report.warnings.push(
                Notice::new(format!(
                    "'{}' has zero variance; kept unscaled (all zeros after centring)",
                    d.spec.name
                ))
                .about(&d.spec.name),
            );
        }
        if d.info.filled > 0 {
            report.warnings.push(
                Notice::new(format!(
                    "{}: {} missing or non-finite values reached Features and were filled with the median {}",
                    d.spec.name,
                    d.info.filled,
                    fmt_num(d.spec.fill)
                ))
                .about(&d.spec.name),
            );
        }
        kept.push(d);
    }
    if kept.is_empty() {
        return Err(no_feature_error(
            table,
            mapping,
            &report,
            &template_reasons,
            mode,
        ));
    }

    // 7. Correlation of the scaled features (the strongest pairs only, and
    // the matrix only for a moderate number of features).
    let d = kept.len();
    let cols: Vec<&[f64]> = kept.iter().map(|k| k.scaled.as_slice()).collect();
    let corr = crate::pipeline::correlation::correlations(
        &cols,
        opts.correlation_threshold,
        crate::pipeline::correlation::MAX_PAIRS,
    );
    report.correlation = corr.matrix;
    for &(i, j, r) in &corr.pairs {
        report.correlated_pairs.push(CorrelatedPair {
            a: kept[i].spec.name.clone(),
            b: kept[j].spec.name.clone(),
            r,
        });
    }
    if corr.above > corr.pairs.len() {
        report.warnings.push(Notice::new(format!(
            "{} pairs of features are correlated above {}; the {} strongest are listed",
            corr.above,
            opts.correlation_threshold,
            corr.pairs.len()
        )));
    }

    // 8. Row-major matrices.
    let original = row_major(kept.iter().map(|k| &*k.original).collect(), n);
    let scaled = row_major(cols, n);
    let names: Vec<String> = kept.iter().map(|k| k.spec.name.clone()).collect();
    let mut specs = Vec::with_capacity(d);
    for k in kept {
        report.features.push(k.info);
        specs.push(k.spec);
    }
    Ok(Features {
        names,
        n,
        d,
        original,
        scaled,
        report,
        params: FeatureParams {
            mode,
            as_of,
            features: specs,
        },
    })
}

/// The rule that set a column's use, if one did.
fn applied_rule<'m>(mapping: &'m Mapping, column: &str) -> Option<&'m Rule> {
    mapping
        .columns
        .iter()
        .find(|c| c.column == column && c.hygiene.applied)
        .and_then(|c| c.hygiene.rule.as_ref())
}

/// The hygiene rules' findings on the columns of this table.
fn ruled_columns(table: &Table, mapping: &Mapping) -> Vec<RuledColumn> {
    mapping
        .columns
        .iter()
        .filter(|c| table.column(&c.column).is_some())
        .filter_map(|c| {
            Some(RuledColumn {
                column: c.column.clone(),
                rule: c.hygiene.rule.clone()?,
                usage: c.usage,
                applied: c.hygiene.applied,
            })
        })
        .collect()
}

/// Money names outside the template roles (credit-card and generic
/// tables): winsorised by default when skewed.
fn is_money(p: &Planned, mapping: &Mapping) -> bool {
    const WORDS: [&str; 22] = [
        "amount",
        "amt",
        "balance",
        "bal",
        "spend",
        "spent",
        "purchase",
        "purchases",
        "payment",
        "payments",
        "revenue",
        "sales",
        "income",
        "salary",
        "monetary",
        "price",
        "cost",
        "limit",
        "cash",
        "deposit",
        "loan",
        "value",
    ];
    const CJK: [&str; 7] = ["金额", "余额", "收入", "消费", "资产", "存款", "贷款"];
    if p.source.needs_as_of() || matches!(p.source, FeatureSource::OneHot { .. }) {
        return false;
    }
    let col = p.source.column();
    let by_role = matches!(mapping.role_of(col), Some(Role::Balance | Role::TxnAmount));
    let tokens = crate::pipeline::hygiene::tokens(col);
    by_role
        || tokens.iter().any(|t| WORDS.contains(&t.as_str()))
        || CJK.iter().any(|w| col.contains(w))
}

/// Sentinels (read as missing) and money, per planned feature.
fn annotate(planned: &mut [Planned], mapping: &Mapping) {
    for p in planned.iter_mut() {
        p.money = is_money(p, mapping);
        let FeatureSource::Column { column } = &p.source else {
            continue;
        };
        let sentinel = mapping
            .columns
            .iter()
            .find(|c| &c.column == column)
            .and_then(|c| c.hygiene.sentinel);
        if let Some(s) = sentinel {
            let values: Vec<f64> = p
                .values
                .iter()
                .map(|&x| if x == s.value { f64::NAN } else { x })
                .collect();
            let count = values.iter().filter(|x| x.is_nan()).count()
                - p.values.iter().filter(|x| x.is_nan()).count();
            if count > 0 {
                p.values = Cow::Owned(values);
                p.sentinel = Some(Sentinel { count, ..s });
            }
        }
    }
}

/// The planned features' names, for an error that lists them.
fn names_of(planned: &[Planned]) -> String {
    planned
        .iter()
        .map(|p| p.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn numeric_names(table: &Table) -> Vec<String> {
    table
        .columns
        .iter()
        .filter(|c| c.ctype.is_numeric())
        .map(|c| c.name.clone())
        .collect()
}

fn push_column<'a>(
    planned: &mut Vec<Planned<'a>>,
    report: &mut FeatureReport,
    table: &'a Table,
    name: &str,
) {
    if planned.iter().any(|p| p.name == name) {
        return;
    }
    let source = FeatureSource::Column {
        column: name.to_string(),
    };
    match source_values(table, &source, None) {
        Ok(v) if v.iter().any(|x| x.is_finite()) => {
            planned.push(Planned::new(name.to_string(), source, v))
        }
        Ok(_) => report.left_out.push(LeftOut {
            name: name.to_string(),
            reason: "every value is missing".into(),
            remedy: None,
        }),
        Err(why) => report.left_out.push(LeftOut {
            name: name.to_string(),
            reason: why,
            remedy: None,
        }),
    }
}

fn no_feature_error(
    table: &Table,
    mapping: &Mapping,
    report: &FeatureReport,
    template: &[LeftOut],
    mode: FeatureMode,
) -> Error {
    let found: Vec<String> = table
        .columns
        .iter()
        .map(|c| {
            let role = mapping
                .role_of(&c.name)
                .map_or(String::new(), |r| format!(", {}", r.label()));
            let usage = match mapping.usage_of(&c.name) {
                ColumnUse::Feature => "feature",
                ColumnUse::Profile => "profile",
                ColumnUse::Ignore => "ignored",
            };
            format!("'{}' ({}{role}, {usage})", c.name, c.ctype.name())
        })
        .collect();
    let mut why: Vec<String> = Vec::new();
    for l in template.iter().chain(&report.left_out) {
        let line = format!("{}: {}", l.name, l.reason);
        if !why.contains(&line) {
            why.push(line);
        }
    }
    let message = format!(
        "no usable feature to cluster on ({} mode). {}Columns found: {}. \
         Give template columns their roles (e.g. balance), mark numeric columns as features, or select them",
        mode.name(),
        if why.is_empty() {
            String::new()
        } else {
            format!("Left out: {}. ", why.join("; "))
        },
        if found.is_empty() {
            "none".to_string()
        } else {
            found.join(", ")
        }
    );
    Error::with_remedy(message, Remedy::Select { column: None })
}

/// Largest share of negative values a skewed money feature may have and
/// still be log-transformed (with the signed log1p).
pub const MAX_NEGATIVE_SHARE_FOR_LOG: f64 = 0.05;

/// Default winsorising percentiles of skewed money features.
pub const MONEY_WINSOR: Winsorize = Winsorize {
    lower: 0.01,
    upper: 0.99,
};

fn process<'a>(p: Planned<'a>, opts: &FeatureOptions, as_of: Option<IsoDate>) -> Result<Done<'a>> {
    // One buffer per feature: the median, the percentiles, then the
    // transformed and scaled values are all worked out in it.
    let mut work: Vec<f64> = Vec::with_capacity(p.values.len());
    let (original, fill, filled) = fill_missing(p.values, &mut work);
    let (mean0, std0, skew0) = moments(&original);
    let (min, max) = original
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &x| {
            (lo.min(x), hi.max(x))
        });
    let negatives = original.iter().filter(|x| **x < 0.0).count();
    let kind = match (&p.source, p.group_var) {
        (FeatureSource::OneHot { column, .. }, _) => FeatureKind::Indicator {
            column: column.clone(),
        },
        _ if is_binary(&original) => FeatureKind::Flag,
        _ => FeatureKind::Numeric,
    };

    // Winsorise (quantities only).
    let clip_reason = match (&kind, opts.winsorize) {
        (FeatureKind::Numeric, Some(w)) => Some((w, WinsorReason::Asked)),
        (FeatureKind::Numeric, None)
            if opts.winsorize_skewed_money && p.money && skew0 > opts.skew_threshold =>
        {
            Some((MONEY_WINSOR, WinsorReason::SkewedMoney))
        }
        _ => None,
    };
    let (clip, clipped) = winsorise(&original, clip_reason.map(|(w, _)| w), &mut work);
    let (skewness, wmin) = match clip {
        Some([lo, _]) => (moments(&work).2, lo.max(min)),
        None => (skew0, min),
    };
    let shape = Shape {
        skewness,
        min: wmin,
        negative_share: negatives as f64 / original.len().max(1) as f64,
    };
    let (transform, mut transform_reason) = if kind.is_indicator() {
        (Transform::None, "0/1 indicator".to_string())
    } else {
        choose_transform(&p.name, shape, opts)?
    };
    if let (Some([lo, _]), true) = (clip, negatives > 0 && lo_at_least_zero(clip)) {
        // Winsorising raised the few negatives (refunds) to the lower bound.
        transform_reason.push_str(&format!(
            "; its {negatives} negative values (e.g. refunds) were raised to the lower winsorising bound {}",
            fmt_num(lo)
        ));
    }
    if transform != Transform::None {
        for x in work.iter_mut() {
            *x = apply_transform(*x, transform);
        }
    }
    let (mean, std, skewness_after) = if transform == Transform::None && clip.is_none() {
        (mean0, std0, skew0)
    } else {
        moments(&work)
    };
    let std = indicator_std(&kind, p.group_var, std, opts.indicator_weight);

    let constant_value = work[0];
    let (std, zero_variance) = scale_in_place(&mut work, mean, std);
    let spec = FeatureSpec {
        name: p.name.clone(),
        source: p.source.clone(),
        fill,
        clip,
        missing_value: p.sentinel.map(|s| s.value),
        transform,
        mean,
        std,
    };
    let info = FeatureInfo {
        name: p.name,
        kind,
        source: p.source.describe(as_of),
        filled,
        min,
        max,
        mean: mean0,
        std: std0,
        clip,
        clip_reason: clip_reason.map(|(_, r)| r),
        clipped,
        negatives,
        sentinel: p.sentinel,
        money: p.money,
        skewness,
        transform,
        transform_reason,
        skewness_after,
    };
    Ok(Done {
        spec,
        info,
        original,
        scaled: work,
        zero_variance,
        constant_value,
    })
}

/// Missing and non-finite values replaced by the median of the rest:
/// (values, the median, how many were filled). `work` is scratch space.
fn fill_missing<'a>(values: Cow<'a, [f64]>, work: &mut Vec<f64>) -> (Cow<'a, [f64]>, f64, usize) {
    work.clear();
    work.extend(values.iter().copied().filter(|x| x.is_finite()));
    let filled = values.len() - work.len();
    let fill = median_in_place(work).unwrap_or(0.0);
    if filled == 0 {
        return (values, fill, 0);
    }
    let owned = values
        .iter()
        .map(|&x| if x.is_finite() { x } else { fill })
        .collect();
    (Cow::Owned(owned), fill, filled)
}

/// Z-scores `work` in place: the deviation used (1 when the values do not
/// vary, which is reported as zero variance) and whether they do not.
fn scale_in_place(work: &mut [f64], mean: f64, std: f64) -> (f64, bool) {
    let constant = work.iter().all(|x| *x == work[0]);
    let scale_of = pow2_above(work.iter().fold(0.0f64, |m, x| m.max(x.abs())));
    let zero_variance = constant || std / scale_of < 1e-12;
    let std = if zero_variance { 1.0 } else { std };
    for x in work.iter_mut() {
        *x = scale_value(*x, mean, std);
    }
    (std, zero_variance)
}

/// Indicators are centred and scaled so that one column's indicators
/// together have `weight` as standard deviation; quantities keep `std`.
fn indicator_std(kind: &FeatureKind, group_var: Option<f64>, std: f64, weight: f64) -> f64 {
    match (kind, group_var) {
        (FeatureKind::Indicator { .. }, Some(gv)) if gv > 0.0 => gv.sqrt() / weight,
        (FeatureKind::Flag, _) if std > 0.0 => std / weight,
        _ => std,
    }
}

fn lo_at_least_zero(clip: Option<[f64; 2]>) -> bool {
    clip.is_some_and(|[lo, _]| lo >= 0.0)
}

/// Only 0s and 1s, both present.
fn is_binary(v: &[f64]) -> bool {
    let (mut zero, mut one) = (false, false);
    for &x in v {
        if x == 0.0 {
            zero = true;
        } else if x == 1.0 {
            one = true;
        } else {
            return false;
        }
    }
    zero && one
}

/// What the transform decision looks at (after winsorising).
#[derive(Clone, Copy)]
struct Shape {
    skewness: f64,
    min: f64,
    negative_share: f64,
}

/// The transform of a quantity and why, from the options and its shape.
fn choose_transform(name: &str, s: Shape, opts: &FeatureOptions) -> Result<(Transform, String)> {
    if let Some(t) = opts.transform_overrides.get(name).copied() {
        if t == Transform::Log1p && s.min < 0.0 {
            return Err(Error::bad_setting(
                Remedy::TransformFeature {
                    name: name.to_string(),
                    to: Some("log".into()),
                },
                format!(
                    "'{name}' has negative values (min {}); log1p needs values >= 0 (signed_log keeps their sign)",
                    fmt_num(s.min)
                ),
            ));
        }
        return Ok((t, "set for this feature".to_string()));
    }
    let few_negatives = s.negative_share <= MAX_NEGATIVE_SHARE_FOR_LOG;
    let signed = || {
        format!(
            "{:.1}% negative values (e.g. refunds): signed log1p, sign(x) * ln(1 + |x|), keeps them below 0",
            s.negative_share * 100.0
        )
    };
    Ok(match opts.transform {
        TransformMode::None => (
            Transform::None,
            "no transform, as set for every feature".to_string(),
        ),
        TransformMode::Log if s.min >= 0.0 => (
            Transform::Log1p,
            "log, as set for every feature".to_string(),
        ),
        TransformMode::Log if few_negatives => (Transform::SignedLog1p, signed()),
        TransformMode::Log => (
            Transform::None,
            format!(
                "{:.0}% negative values (min {}), so no log",
                s.negative_share * 100.0,
                fmt_num(s.min)
            ),
        ),
        TransformMode::Auto => {
            let skewed = s.skewness > opts.skew_threshold;
            let why = format!("skewness {:.2} > {}", s.skewness, opts.skew_threshold);
            if !skewed {
                (
                    Transform::None,
                    format!("skewness {:.2} <= {}", s.skewness, opts.skew_threshold),
                )
            } else if s.min >= 0.0 {
                (Transform::Log1p, format!("{why} and no negative values"))
            } else if few_negatives {
                (Transform::SignedLog1p, format!("{why}; {}", signed()))
            } else {
                (
                    Transform::None,
                    format!(
                        "{why} but {:.0}% of the values are negative (min {}): not a log scale",
                        s.negative_share * 100.0,
                        fmt_num(s.min)
                    ),
                )
            }
        }
    })
}

/// Interleaves columns into an `n x d` row-major matrix, in parallel over
/// row blocks.
fn row_major(cols: Vec<&[f64]>, n: usize) -> Vec<f64> {
    let d = cols.len();
    let mut out = vec![0.0; n * d];
    if d == 0 {
        return out;
    }
    const BLOCK: usize = 4096;
    out.par_chunks_mut(BLOCK * d)
        .enumerate()
        .for_each(|(b, chunk)| {
            let start = b * BLOCK;
            let rows = chunk.len() / d;
            for (j, col) in cols.iter().enumerate() {
                for (r, x) in col[start..start + rows].iter().enumerate() {
                    chunk[r * d + j] = *x;
                }
            }
        });
    out
}

// ---------------------------------------------------------------------------
// Scoring new customers
// ---------------------------------------------------------------------------

/// The scaled `n x d` matrix of new customers (usually the output of
/// [`crate::pipeline::clean::apply_clean`]) with a saved model's parameters:
/// the same sources and as-of date, fill values, clipping bounds, transforms,
/// means and deviations. A column the model needs that is missing (or of the
/// wrong type) is an error naming every such column.
pub fn apply_features(
    table: &Table,
    mapping: &Mapping,
    params: &FeatureParams,
) -> Result<Vec<f64>> {
    let _ = mapping; // sources name their columns; the saved params are the truth
    let file = table.source.file_name();
    if params.features.is_empty() {
        return Err(Error::data("the model has no features"));
    }
    let mut problems: Vec<String> = Vec::new();
    let cols: Vec<Option<Vec<f64>>> = params
        .features
        .iter()
        .map(
            |spec| match source_values(table, &spec.source, params.as_of) {
                Ok(v) => Some(v.into_owned()),
                Err(why) => {
                    let msg = format!("{} needs {why}", spec.name);
                    if !problems.contains(&msg) {
                        problems.push(msg);
                    }
                    None
                }
            },
        )
        .collect();
    if !problems.is_empty() {
        return Err(Error::data(format!(
            "{file} cannot be scored with this model: {}",
            problems.join("; ")
        )));
    }
    let mut cols: Vec<Vec<f64>> = cols.into_iter().flatten().collect();
    cols.par_iter_mut()
        .zip(params.features.par_iter())
        .for_each(|(v, spec)| finish_column(v, spec));
    let refs: Vec<&[f64]> = cols.iter().map(|c| c.as_slice()).collect();
    Ok(row_major(refs, table.n_rows))
}

impl fmt::Display for FeatureSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe(None))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moments_match_hand_values() {
        // 1, 2, 3, 10: mean 4, population variance (9+4+1+36)/4 = 12.5
        let (m, s, g) = moments(&[1.0, 2.0, 3.0, 10.0]);
        assert_eq!(m, 4.0);
        assert!((s - 12.5f64.sqrt()).abs() < 1e-12);
        // m3 = (-27 - 8 - 1 + 216)/4 = 45; g1 = 45 / 12.5^1.5
        assert!((g - 45.0 / 12.5f64.powf(1.5)).abs() < 1e-12);
        let (m, s, g) = moments(&[1e308, -1e308, 1e308, -1e308]);
        assert!(m.abs() < 1e300 && s.is_finite() && g.is_finite());
        assert!((s / 1e308 - 1.0).abs() < 1e-12);
    }

    #[test]
    fn percentiles_interpolate_like_numpy() {
        let mut v = vec![1.0, 2.0, 3.0, 4.0, 100.0];
        assert_eq!(percentile(&mut v, 0.5), 3.0);
        assert_eq!(percentile(&mut v, 0.0), 1.0);
        assert_eq!(percentile(&mut v, 1.0), 100.0);
        // pos = 0.9 * 4 = 3.6 -> 4 + 0.6 * 96
        assert!((percentile(&mut v, 0.9) - 61.6).abs() < 1e-9);
    }

    #[test]
    fn scale_value_never_overflows() {
        assert_eq!(scale_value(3.0, 1.0, 2.0), 1.0);
        let z = scale_value(f64::MAX, -f64::MAX, 1.0);
        assert!(z.is_finite() && z > 0.0);
        assert_eq!(scale_value(f64::NAN, 0.0, 1.0), 0.0);
    }

    #[test]
    fn pow2_above_bounds() {
        assert_eq!(pow2_above(0.0), 1.0);
        assert_eq!(pow2_above(3.0), 4.0);
        assert_eq!(pow2_above(4.0), 4.0);
        assert!(pow2_above(f64::MAX).is_finite());
        assert!(f64::MAX / pow2_above(f64::MAX) <= 2.0);
    }

    #[test]
    fn row_major_interleaves() {
        let a = [1.0, 2.0, 3.0];
        let b = [4.0, 5.0, 6.0];
        assert_eq!(
            row_major(vec![&a, &b], 3),
            vec![1.0, 4.0, 2.0, 5.0, 3.0, 6.0]
        );
    }

    #[test]
    fn options_default_from_empty_toml_and_parse_overrides() {
        let o: FeatureOptions = toml::from_str("").unwrap();
        assert_eq!(o, FeatureOptions::default());
        let o: FeatureOptions = toml::from_str(
            "transform = \"none\"\nwinsorize = { lower = 0.01, upper = 0.99 }\n[transform_overrides]\nBalance = \"log\"\n",
        )
        .unwrap();
        assert_eq!(o.transform, TransformMode::None);
        assert_eq!(o.transform_overrides["Balance"], Transform::Log1p);
        assert!(o.validate().is_ok());
        let bad = FeatureOptions {
            winsorize: Some(Winsorize {
                lower: 0.9,
                upper: 0.1,
            }),
            ..FeatureOptions::default()
        };
        assert!(matches!(bad.validate(), Err(Error::Usage(_))));
    }
}
