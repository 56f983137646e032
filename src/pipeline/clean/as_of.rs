//! Phase 1, the as-of date: the date "now" is measured against.

use super::IsoDate;
use crate::error::{Error, Result};
use crate::pipeline::mapping::{Mapping, Role};
use crate::pipeline::table::{MISSING_DATE, Table, format_date};
use crate::remedy::{Notice, Remedy};
use serde::{Deserialize, Serialize};

/// Roles whose dates say when something happened at the bank; their latest
/// value is the default as-of date.
pub const ACTIVITY_ROLES: [Role; 3] = [Role::LastDate, Role::TxnDate, Role::OpenDate];

/// The date "now" is measured against, and where it came from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AsOf {
    /// `None` when not given and the data holds no activity dates.
    pub date: Option<IsoDate>,
    pub source: String,
    /// Something the user must know about the choice (typo-like late dates).
    #[serde(default)]
    pub warning: Option<Notice>,
}

/// Fewest activity dates for the typo check of the default as-of date.
const AS_OF_TYPO_MIN_DATES: usize = 100;
/// A date more than this many days after 99.9% of the activity dates looks
/// like a typo (2099-12-31) rather than the latest activity.
const AS_OF_TYPO_GAP_DAYS: i32 = 366;

/// `requested` (from `--as-of`), or the latest date in the mapped activity
/// columns (dates before 1900 ignored). A requested date earlier than every
/// activity date is an error: every such date would be "in the future".
///
/// One mistyped date must not become "today" for every customer, so with at
/// least [`AS_OF_TYPO_MIN_DATES`] dates the default ignores dates more than
/// [`AS_OF_TYPO_GAP_DAYS`] after the 99.9th percentile, and warns. Those
/// dates then lie in the future and Clean treats them as invalid.
pub fn resolve_as_of(table: &Table, mapping: &Mapping, requested: Option<IsoDate>) -> Result<AsOf> {
    let floor = IsoDate::from_ymd(1900, 1, 1).map_or(i32::MIN, |d| d.0);
    // (min, max, row of max, column) over the activity columns.
    let mut found: Vec<(i32, i32, usize, &str)> = Vec::new();
    // Every activity date, for the typo check of the default as-of date.
    let mut pooled: Vec<i32> = Vec::new();
    for role in ACTIVITY_ROLES {
        let Some(name) = mapping.column_for(role) else {
            continue;
        };
        let Some(dates) = table.column(name).and_then(|c| c.dates()) else {
            continue;
        };
        let mut lo = i32::MAX;
        let mut hi = i32::MIN;
        let mut hi_row = 0;
        for (i, &d) in dates.iter().enumerate() {
            if d == MISSING_DATE || d < floor {
                continue;
            }
            lo = lo.min(d);
            if d > hi {
                hi = d;
                hi_row = i;
            }
            if requested.is_none() {
                pooled.push(d);
            }
        }
        if hi != i32::MIN {
            found.push((lo, hi, hi_row, name));
        }
    }
    if let Some(req) = requested {
        if !found.is_empty() && found.iter().all(|f| f.0 > req.0) {
            let (lo, _, _, col) = found
                .iter()
                .min_by_key(|f| f.0)
                .copied()
                .unwrap_or_default();
            return Err(Error::bad_setting(
                Remedy::AsOf {
                    date: Some(req.to_string()),
                },
                format!(
                    "earlier than every date in the data (the earliest is {} in '{col}'); \
                     every activity date would lie in the future. Use a date on or after {}",
                    format_date(lo),
                    format_date(lo)
                ),
            ));
        }
        return Ok(AsOf {
            date: Some(req),
            source: "given by the user".into(),
            warning: None,
        });
    }
    let mut warning = None;
    if let Some(&(_, hi, hi_row, hi_col)) = found.iter().max_by_key(|f| f.1)
        && pooled.len() >= AS_OF_TYPO_MIN_DATES
    {
        let at = (pooled.len() - 1) * 999 / 1000;
        let q = *pooled.select_nth_unstable(at).1;
        let cutoff = q.saturating_add(AS_OF_TYPO_GAP_DAYS);
        if hi > cutoff {
            let late = pooled.iter().filter(|&&d| d > cutoff).count();
            // The latest date at or before the cutoff, per column.
            found = found
                .iter()
                .filter_map(|&(lo, _, _, col)| {
                    let dates = table.column(col)?.dates()?;
                    let (row, d) = dates
                        .iter()
                        .enumerate()
                        .filter(|&(_, &d)| d != MISSING_DATE && d >= floor && d <= cutoff)
                        .max_by_key(|&(i, &d)| (d, std::cmp::Reverse(i)))?;
                    Some((lo, *d, row, col))
                })
                .collect();
            warning = Some(Notice::new(format!(
                "{late} date{} more than a year after 99.9% of the activity dates \
                 (the latest is {} in '{hi_col}', {}); they look like typos, so the as-of date ignores \
                 them and Clean treats them as dates in the future; choose the as-of date if they are real",
                if late == 1 { " lies" } else { "s lie" },
                format_date(hi),
                table.row_label(hi_row)
            ))
            .about(hi_col)
            .remedy(Remedy::AsOf { date: None }));
        }
    }
    match found.iter().max_by_key(|f| (f.1, std::cmp::Reverse(f.3))) {
        Some(&(_, hi, row, col)) => Ok(AsOf {
            date: Some(IsoDate(hi)),
            source: format!("latest date in the data: '{col}', {}", table.row_label(row)),
            warning,
        }),
        None => Ok(AsOf {
            date: None,
            source: "no as-of date given and no transaction or open dates in the data; \
                     features measured from dates (age from birth date) cannot be built"
                .into(),
            warning: None,
        }),
    }
}
