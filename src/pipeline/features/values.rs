//! The raw values of a feature's source: a numeric column as it is, a
//! date measured against the as-of date, or a one-hot level.

use super::params::FeatureSource;
use crate::pipeline::calendar::{IsoDate, civil_from_days};
use crate::pipeline::table::{ColumnData, MISSING_DATE, Table};
use rayon::prelude::*;
use std::borrow::Cow;

/// Raw values of a source (NaN = missing), or why they cannot be read. A
/// numeric column is borrowed, not copied.
pub(super) fn source_values<'a>(
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
        FeatureSource::Column { .. } => match &*col.data {
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
        FeatureSource::OneHot { level, .. } => match &*col.data {
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
