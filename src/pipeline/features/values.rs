//! The raw values of a feature's source: a numeric column as it is, a
//! date measured against the as-of date, or a one-hot level.

use super::params::FeatureSource;
use crate::pipeline::calendar::{IsoDate, civil_from_days};
use crate::pipeline::table::{ColumnData, MISSING_DATE, SharedData, Table};
use rayon::prelude::*;
use std::sync::Arc;

/// A feature's values in original units (NaN = missing until filled). A
/// numeric column used as it is shares the table's cells instead of a copy:
/// at 10M customers each copy is 80 MB held for the whole run.
#[derive(Clone, Debug)]
pub struct FeatureValues(Cells);

#[derive(Clone, Debug)]
enum Cells {
    /// A table column; always [`ColumnData::Number`] (see [`FeatureValues::shared`]).
    Table(SharedData),
    Own(Arc<Vec<f64>>),
}

impl FeatureValues {
    pub fn owned(values: Vec<f64>) -> Self {
        FeatureValues(Cells::Own(Arc::new(values)))
    }
    /// The cells of a numeric column, shared; `None` for other columns.
    pub fn shared(data: &SharedData) -> Option<Self> {
        matches!(**data, ColumnData::Number(_)).then(|| FeatureValues(Cells::Table(data.clone())))
    }
    /// Whether these are a table column's own cells (not a copy).
    pub fn is_shared(&self) -> bool {
        matches!(self.0, Cells::Table(_))
    }
}

/// Equal values, wherever they are kept.
impl PartialEq for FeatureValues {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl std::ops::Deref for FeatureValues {
    type Target = [f64];
    fn deref(&self) -> &[f64] {
        match &self.0 {
            Cells::Table(data) => match &**data {
                ColumnData::Number(v) => v,
                // `shared` admits only numeric columns.
                _ => &[],
            },
            Cells::Own(v) => v,
        }
    }
}

/// Raw values of a source (NaN = missing), or why they cannot be read. A
/// numeric column is shared, not copied.
pub(super) fn source_values(
    table: &Table,
    source: &FeatureSource,
    as_of: Option<IsoDate>,
) -> std::result::Result<FeatureValues, String> {
    let name = source.column();
    let col = table
        .column(name)
        .ok_or_else(|| format!("column '{name}' is missing"))?;
    let need_date = || -> std::result::Result<(&[i32], i32), String> {
        let dates = col
            .dates()
            .ok_or_else(|| format!("'{name}' holds {} values, not dates", col.ctype.name()))?;
        let at = as_of.ok_or_else(|| "there is no as-of date to measure it against".to_string())?;
        Ok((dates, at.0))
    };
    let derive = |f: &(dyn Fn(i32) -> f64 + Sync)| -> std::result::Result<FeatureValues, String> {
        let (dates, _) = need_date()?;
        Ok(FeatureValues::owned(
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
        FeatureSource::Column { .. } => FeatureValues::shared(&col.data)
            .ok_or_else(|| format!("'{name}' holds {} values, not numbers", col.ctype.name())),
        FeatureSource::DaysSince { .. } => derive(&|d| f64::from(at) - f64::from(d)),
        FeatureSource::MonthsSince { .. } => derive(&|d| {
            let (y, m, dd) = civil_from_days(d);
            f64::from((ay - y) * 12 + (am as i32 - m as i32) - i32::from(ad < dd))
        }),
        FeatureSource::YearsSince { .. } => derive(&|d| {
            let (y, m, dd) = civil_from_days(d);
            f64::from(ay - y - i32::from((am, ad) < (m, dd)))
        }),
        FeatureSource::OneHot { level, .. } => match &*col.data {
            ColumnData::Text(t) => Ok(FeatureValues::owned(
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
