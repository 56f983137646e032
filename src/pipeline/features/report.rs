//! What the Features stage tells the user: a feature's kind, source,
//! range and transform, and what was left out and why.

use super::options::{FeatureMode, Transform};
use crate::pipeline::calendar::IsoDate;
use crate::pipeline::hygiene::{Rule, Sentinel};
use crate::pipeline::mapping::ColumnUse;
use crate::remedy::{Notice, Remedy};
use serde::{Deserialize, Serialize};

/// What kind of number a feature is; indicators are weighted (see
/// [`FeatureOptions::indicator_weight`](super::FeatureOptions::indicator_weight)).
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
    pub sentinel: Option<Sentinel>,
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
    pub rule: Rule,
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
    /// Customers the correlations were measured on: all of them up to
    /// [`CORRELATION_ROWS`](super::CORRELATION_ROWS), else an even sample.
    #[serde(default)]
    pub correlation_rows: usize,
    pub correlated_pairs: Vec<CorrelatedPair>,
    /// Columns the hygiene rules kept out, with the rule.
    pub ruled: Vec<RuledColumn>,
    /// The weight of indicator features (see [`FeatureOptions::indicator_weight`](super::FeatureOptions::indicator_weight)).
    pub indicator_weight: f64,
    pub warnings: Vec<Notice>,
}

impl FeatureReport {
    /// Said next to correlations measured on a sample of the customers.
    pub fn correlation_sample_note(&self) -> Option<String> {
        use crate::pipeline::export::report::human;
        (self.correlation_rows > 0 && self.correlation_rows < self.rows).then(|| {
            format!(
                "measured on an even sample of {} of the {} customers",
                human(self.correlation_rows as f64),
                human(self.rows as f64)
            )
        })
    }

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
        let sampled = self
            .correlation_sample_note()
            .map_or_else(String::new, |n| format!(", {n}"));
        for p in &self.correlated_pairs {
            let _ = writeln!(
                s,
                "  correlated: {} and {} (r = {:.3} > {}{sampled}); {}",
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

/// A number in a report line: three decimals without trailing zeros, or
/// three significant digits in scientific notation when very large or small.
pub(super) fn fmt_num(x: f64) -> String {
    if x.abs() >= 1e6 || (x != 0.0 && x.abs() < 1e-3) {
        format!("{x:.3e}")
    } else {
        let s = format!("{x:.3}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}
