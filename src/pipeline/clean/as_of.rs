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
    pub source: AsOfSource,
    /// Something the user must know about the choice (typo-like late dates).
    #[serde(default)]
    pub warning: Option<Notice>,
}

/// Where the as-of date came from. Each face words it (and, when custseg
/// chose the date, the option that chooses another: [`AsOfSource::remedy`]).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AsOfSource {
    /// Given by the user (the run's `clean.as_of`).
    Given,
    /// The latest activity date in the data: the column and the row (as a
    /// row label, "line 12") it was found on.
    LatestInData { column: String, row: String },
    /// Not given, and the data holds no activity dates.
    #[default]
    NoActivityDates,
    /// Scoring: the model's as-of date, the scored file having no activity
    /// dates of its own.
    Model,
}

impl AsOfSource {
    /// Where the date came from, in words that name no option.
    pub fn describe(&self) -> String {
        match self {
            AsOfSource::Given => "given by the user".into(),
            AsOfSource::LatestInData { column, row } => {
                format!("latest date in the data: '{column}', {row}")
            }
            AsOfSource::NoActivityDates => {
                "no as-of date given and no transaction or open dates in the data; \
                 features measured from dates (age from birth date) cannot be built"
                    .into()
            }
            AsOfSource::Model => "the model's as-of date: this file has no activity dates".into(),
        }
    }

    /// The option that chooses another date, when custseg took this one
    /// from the data (a given date needs no hint; a missing one is a
    /// warning with its own remedy).
    pub fn remedy(&self) -> Option<Remedy> {
        match self {
            AsOfSource::LatestInData { .. } => Some(Remedy::OtherAsOf),
            _ => None,
        }
    }

    /// Where the date came from and, if custseg chose it, the flag that
    /// chooses another: as the command line and the report word it.
    pub fn cli_text(&self) -> String {
        match self.remedy() {
            Some(r) => format!("{}; {}", self.describe(), r.cli_phrase()),
            None => self.describe(),
        }
    }
}

/// Fewest activity dates for the typo check of the default as-of date.
const AS_OF_TYPO_MIN_DATES: usize = 100;
/// A date more than this many days after 99.9% of the activity dates looks
/// like a typo (2099-12-31) rather than the latest activity.
const AS_OF_TYPO_GAP_DAYS: i32 = 366;

/// The earliest and latest activity date of one column (dates before 1900
/// ignored), the row of the latest (the first such row) and the column.
type DateRange<'a> = (i32, i32, usize, &'a str);

/// `requested` (from `--as-of`), or the latest date in the mapped activity
/// columns (dates before 1900 ignored). A requested date earlier than every
/// activity date is an error: every such date would be "in the future".
///
/// One mistyped date must not become "today" for every customer, so with at
/// least [`AS_OF_TYPO_MIN_DATES`] dates the default ignores dates more than
/// [`AS_OF_TYPO_GAP_DAYS`] after the 99.9th percentile, and warns. Those
/// dates then lie in the future and Clean treats them as invalid.
pub fn resolve_as_of(table: &Table, mapping: &Mapping, requested: Option<IsoDate>) -> Result<AsOf> {
    // Every activity date is pooled only for the typo check of the default.
    let (mut found, mut pooled) = activity_ranges(table, mapping, requested.is_none());
    if let Some(req) = requested {
        check_requested(req, &found)?;
        return Ok(AsOf {
            date: Some(req),
            source: AsOfSource::Given,
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
            found = ranges_up_to(table, &found, cutoff);
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
            source: AsOfSource::LatestInData {
                column: col.to_string(),
                row: table.row_label(row),
            },
            warning,
        }),
        None => Ok(AsOf {
            date: None,
            source: AsOfSource::NoActivityDates,
            warning: None,
        }),
    }
}

/// The date range of each mapped activity column that holds dates, and
/// (when `pool`) every activity date.
fn activity_ranges<'a>(
    table: &Table,
    mapping: &'a Mapping,
    pool: bool,
) -> (Vec<DateRange<'a>>, Vec<i32>) {
    let floor = date_floor();
    let mut found: Vec<DateRange<'a>> = Vec::new();
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
            if pool {
                pooled.push(d);
            }
        }
        if hi != i32::MIN {
            found.push((lo, hi, hi_row, name));
        }
    }
    (found, pooled)
}

/// Activity dates before this day (1 January 1900) are ignored.
fn date_floor() -> i32 {
    IsoDate::from_ymd(1900, 1, 1).map_or(i32::MIN, |d| d.0)
}

/// A requested date earlier than every activity date would put every one
/// of them in the future.
fn check_requested(req: IsoDate, found: &[DateRange<'_>]) -> Result<()> {
    if found.is_empty() || !found.iter().all(|f| f.0 > req.0) {
        return Ok(());
    }
    let (lo, _, _, col) = found
        .iter()
        .min_by_key(|f| f.0)
        .copied()
        .unwrap_or_default();
    Err(Error::bad_setting(
        Remedy::AsOf {
            date: Some(req.to_string()),
        },
        format!(
            "earlier than every date in the data (the earliest is {} in '{col}'); \
             every activity date would lie in the future. Use a date on or after {}",
            format_date(lo),
            format_date(lo)
        ),
    ))
}

/// Each column's range with its latest date taken at or before `cutoff`
/// (the first row of it); columns with no such date drop out.
fn ranges_up_to<'a>(table: &Table, found: &[DateRange<'a>], cutoff: i32) -> Vec<DateRange<'a>> {
    let floor = date_floor();
    found
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
        .collect()
}
