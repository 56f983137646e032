//! The options of the Features stage (embedded in the RunConfig).

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// `--features`: how the feature set is chosen (see the module docs).
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

#[cfg(test)]
mod tests {
    use super::*;

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
