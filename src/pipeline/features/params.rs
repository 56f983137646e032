//! How each feature is read and scaled: what a saved model stores to score
//! new customers the same way.

use super::options::{FeatureMode, Transform};
use super::template::Derive;
use crate::pipeline::calendar::IsoDate;
use serde::{Deserialize, Serialize};
use std::fmt;

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

    pub(super) fn needs_as_of(&self) -> bool {
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

    pub(super) fn from_derive(d: Derive, column: &str) -> FeatureSource {
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

impl fmt::Display for FeatureSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe(None))
    }
}
