//! Clean: invalid values, duplicate customers, missing values and useless
//! columns, with a per-column report and the parameters needed to treat new
//! customers exactly the same way ([`apply_clean`]).
//!
//! Order of work, and why:
//!
//! 1. **As-of date** ([`resolve_as_of`]): `--as-of`, or the latest date in the
//!    mapped activity columns (last transaction, transaction and open dates).
//!    Never the wall clock, so a rerun next month gives the same result.
//! 2. **Duplicate customer ids** are removed by the policy (keep first / keep
//!    last / fail) before anything is counted, so duplicates do not weigh twice
//!    in a median. Rows without an id are kept and reported.
//! 3. **Invalid values become missing**, counted per column, *before* medians
//!    are computed so they cannot poison them: non-finite numbers; ages below 0
//!    or above `max_age`; negative counts, product numbers, tenures and
//!    recencies; dates before `min_year`; mapped dates after the as-of date;
//!    birth dates implying an age above `max_age`.
//! 4. **Dropping**: a column whose missing share — measured *after* invalid
//!    values became missing — is above `max_missing` is dropped (exactly
//!    `max_missing` is kept). A column whose non-missing values are all equal is
//!    dropped as constant. Mapped columns are dropped too, and the report says
//!    which feature that costs and how to keep it.
//! 5. **Imputation**: numbers get the column median, dates the (lower) median
//!    date, text and yes/no columns the most frequent value (ties: the value
//!    seen first). Every kept column stores its value, even without missing
//!    cells, because new customers may have gaps.
//!
//! The customer-id column is never imputed or dropped; columns the mapping
//! marks as ignored are passed through untouched (and reported as such).

use crate::error::{Error, Result};
use crate::pipeline::aggregate::FxBuild;
use crate::pipeline::excerpt;
use crate::pipeline::mapping::{ColumnUse, Mapping, Role};
use crate::pipeline::table::{
    Column, ColumnData, ColumnType, MISSING_DATE, Table, TextColumn, date_to_days, days_to_date,
    format_date, format_number,
};
use crate::remedy::{Notice, Remedy};
use chrono::{Months, NaiveDate};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::hash::BuildHasher;
use std::str::FromStr;

/// Default for `--max-missing`.
pub const DEFAULT_MAX_MISSING: f64 = 0.3;
/// How many offending values a report quotes per column.
const EXAMPLES: usize = 3;
/// Shares are compared with this slack so that "exactly 30%" is kept despite
/// floating-point rounding.
const SHARE_EPS: f64 = 1e-9;

// ---------------------------------------------------------------------------
// Dates as options
// ---------------------------------------------------------------------------

/// A calendar date held as days since 1970-01-01, written `YYYY-MM-DD` in
/// config files, saved models and on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IsoDate(pub i32);

impl IsoDate {
    pub fn from_ymd(y: i32, m: u32, d: u32) -> Option<IsoDate> {
        NaiveDate::from_ymd_opt(y, m, d).map(|d| IsoDate(date_to_days(d)))
    }
    pub fn days(self) -> i32 {
        self.0
    }
    pub fn naive(self) -> Option<NaiveDate> {
        days_to_date(self.0)
    }
}

impl fmt::Display for IsoDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&format_date(self.0))
    }
}

impl FromStr for IsoDate {
    type Err = String;
    /// `2024-03-31`, `2024/03/31`, `2024.03.31` or `20240331`.
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        let t = s.trim();
        let parts: Vec<&str> = if t.len() == 8 && t.bytes().all(|b| b.is_ascii_digit()) {
            vec![&t[..4], &t[4..6], &t[6..]]
        } else {
            t.split(['-', '/', '.']).collect()
        };
        let bad = || format!("'{s}' is not a date; use YYYY-MM-DD, e.g. 2024-03-31");
        if parts.len() != 3 || parts[0].len() != 4 {
            return Err(bad());
        }
        let y: i32 = parts[0].parse().map_err(|_| bad())?;
        let m: u32 = parts[1].parse().map_err(|_| bad())?;
        let d: u32 = parts[2].parse().map_err(|_| bad())?;
        IsoDate::from_ymd(y, m, d).ok_or_else(bad)
    }
}

impl Serialize for IsoDate {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for IsoDate {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

// ---------------------------------------------------------------------------
// Options
// ---------------------------------------------------------------------------

/// What to do with a customer id that appears on more than one row of a
/// customer-level table.
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
    parse_err_fn = unknown_duplicate_policy
)]
pub enum DuplicatePolicy {
    /// Keep the first row of each id (file order).
    #[default]
    #[strum(
        to_string = "keep-first",
        serialize = "keep_first",
        serialize = "first"
    )]
    KeepFirst,
    /// Keep the last row of each id (file order): the latest snapshot in
    /// append-only exports.
    #[strum(to_string = "keep-last", serialize = "keep_last", serialize = "last")]
    KeepLast,
    /// Stop with an error listing the duplicated ids.
    #[strum(to_string = "fail", serialize = "error")]
    Fail,
}

fn unknown_duplicate_policy(s: &str) -> String {
    format!("unknown duplicate policy '{s}' (use keep-first, keep-last or fail)")
}

impl DuplicatePolicy {
    pub fn name(self) -> &'static str {
        self.into()
    }
}

/// Every choice of the Clean stage (embedded in the RunConfig).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CleanOptions {
    /// `--max-missing`: drop a column whose missing share (after invalid
    /// values became missing) is above this; exactly this share is kept.
    pub max_missing: f64,
    /// `--duplicates`: policy for repeated customer ids.
    pub duplicates: DuplicatePolicy,
    /// `--as-of`: the date "now" is measured against (recency, tenure, age,
    /// future dates). Default: the latest activity date in the data. It lives
    /// here because Clean is the first stage that needs it; Features uses the
    /// one Clean resolved ([`Cleaned::as_of`]).
    pub as_of: Option<IsoDate>,
    /// Drop columns whose non-missing values are all equal.
    pub drop_constant: bool,
    /// Ages above this are invalid (and birth dates implying them).
    pub max_age: f64,
    /// Dates before 1 January of this year are invalid.
    pub min_year: i32,
}

impl Default for CleanOptions {
    fn default() -> Self {
        CleanOptions {
            max_missing: DEFAULT_MAX_MISSING,
            duplicates: DuplicatePolicy::KeepFirst,
            as_of: None,
            drop_constant: true,
            max_age: 120.0,
            min_year: 1900,
        }
    }
}

impl CleanOptions {
    pub fn validate(&self) -> Result<()> {
        if !(0.0..=1.0).contains(&self.max_missing) {
            return Err(Error::bad_setting(
                Remedy::MaxMissing {
                    value: Some(self.max_missing.to_string()),
                },
                "must be between 0 and 1 (a share, e.g. 0.3 for 30%)",
            ));
        }
        if !(self.max_age.is_finite() && self.max_age > 0.0) {
            return Err(Error::usage(format!(
                "max_age {} must be a positive number of years",
                self.max_age
            )));
        }
        if IsoDate::from_ymd(self.min_year, 1, 1).is_none() {
            return Err(Error::usage(format!(
                "min_year {} is not a year",
                self.min_year
            )));
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------
// Parameters (stored in the saved model)
// ---------------------------------------------------------------------------

/// Which values of a column are valid; everything else becomes missing.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Validity {
    /// Any text.
    Any,
    /// Finite numbers.
    Finite,
    /// Finite numbers >= 0 (counts, products held, tenure, recency).
    NonNegative,
    /// Finite numbers in `min..=max` (age).
    Range { min: f64, max: f64 },
    /// Dates in `min..=max` (`max` unset: no upper bound).
    Dates { min: IsoDate, max: Option<IsoDate> },
}

impl Validity {
    /// Short rule text for reports ("0..=120", "not negative", ...).
    pub fn describe(&self) -> String {
        match self {
            Validity::Any => "any text".into(),
            Validity::Finite => "a finite number".into(),
            Validity::NonNegative => "a finite number, not negative".into(),
            Validity::Range { min, max } => {
                format!(
                    "a number from {} to {}",
                    format_number(*min),
                    format_number(*max)
                )
            }
            Validity::Dates {
                min,
                max: Some(max),
            } => format!("a date from {min} to {max}"),
            Validity::Dates { min, max: None } => format!("a date from {min} on"),
        }
    }

    fn number_ok(&self, x: f64) -> bool {
        match self {
            Validity::Finite | Validity::Any | Validity::Dates { .. } => x.is_finite(),
            Validity::NonNegative => x.is_finite() && x >= 0.0,
            Validity::Range { min, max } => x.is_finite() && x >= *min && x <= *max,
        }
    }

    fn date_ok(&self, d: i32) -> bool {
        match self {
            Validity::Dates { min, max } => d >= min.0 && max.is_none_or(|m| d <= m.0),
            _ => true,
        }
    }
}

/// The value a column's missing cells are filled with.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum FillValue {
    Number(f64),
    Date(IsoDate),
    Text(String),
}

impl fmt::Display for FillValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FillValue::Number(x) => f.write_str(&format_number(*x)),
            FillValue::Date(d) => write!(f, "{d}"),
            FillValue::Text(s) => write!(f, "'{s}'"),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FillMethod {
    Median,
    Mode,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Imputation {
    pub method: FillMethod,
    pub value: FillValue,
}

impl fmt::Display for Imputation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let m = match self.method {
            FillMethod::Median => "median",
            FillMethod::Mode => "most frequent",
        };
        write!(f, "{m} {}", self.value)
    }
}

/// How one column is treated, stored so new customers get the same.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ColumnParams {
    pub name: String,
    pub ctype: ColumnType,
    pub role: Option<Role>,
    pub usage: ColumnUse,
    pub validity: Validity,
    /// `None` for the id column, ignored and dropped columns.
    pub imputation: Option<Imputation>,
    /// Why the column was dropped; `None` when kept.
    pub dropped: Option<String>,
}

/// Everything Clean decided, for the saved model.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CleanParams {
    pub as_of: Option<IsoDate>,
    pub id_column: Option<String>,
    pub columns: Vec<ColumnParams>,
}

// ---------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnAction {
    /// Kept; nothing was missing.
    Kept,
    /// Kept; missing cells were filled.
    Imputed,
    Dropped,
    /// The mapping says "ignore": passed through unchanged, not cleaned.
    Ignored,
    /// The customer-id column: checked for duplicates, never imputed or dropped.
    Identifier,
}

/// What Clean did to one column.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ColumnReport {
    pub name: String,
    pub ctype: ColumnType,
    pub role: Option<Role>,
    pub usage: ColumnUse,
    /// Missing cells as received (after duplicate rows were removed); includes
    /// `unparsed_at_load`.
    pub missing_in: usize,
    /// Cells present in the file that did not fit the column's type at load.
    pub unparsed_at_load: usize,
    /// "line 5: 'abc'".
    pub unparsed_examples: Vec<String>,
    /// Values that broke `validity` and became missing.
    pub invalid: usize,
    pub validity: String,
    /// "line 7: -3".
    pub invalid_examples: Vec<String>,
    /// Missing after invalid values became missing: what the drop rule and
    /// the imputation see.
    pub missing_before: usize,
    /// `missing_before / rows`.
    pub missing_share: f64,
    /// Missing cells left in the output (0 unless ignored or the id).
    pub missing_after: usize,
    pub imputation: Option<Imputation>,
    pub action: ColumnAction,
    /// Why dropped or ignored, or other notes; empty when there is nothing to say.
    pub reason: String,
    /// Which rule dropped it (`None` unless dropped).
    #[serde(skip)]
    pub drop_cause: Option<DropCause>,
    /// The option that would keep it, worded by each face.
    #[serde(skip)]
    pub remedy: Option<Remedy>,
}

impl ColumnReport {
    /// The reason as the command line (and the report) words it.
    pub fn cli_reason(&self) -> String {
        match &self.remedy {
            Some(r) => format!("{}; {}", self.reason, r.cli_phrase()),
            None => self.reason.clone(),
        }
    }
}

/// The rule that dropped a column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DropCause {
    /// Its missing share is above the limit.
    TooManyMissing,
    /// Every value is missing.
    AllMissing,
    /// Every present value is the same.
    Constant,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DuplicateReport {
    pub id_column: Option<String>,
    pub policy: Option<DuplicatePolicy>,
    /// Ids that appear on more than one row.
    pub duplicated_ids: usize,
    /// Rows removed by the policy.
    pub rows_removed: usize,
    /// "'C17' on lines 4, 9".
    pub examples: Vec<String>,
    /// Rows with an empty id (kept).
    pub missing_ids: usize,
}

/// Everything Clean did; nothing is silent.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CleanReport {
    pub rows_in: usize,
    pub rows_out: usize,
    pub as_of: Option<IsoDate>,
    /// Where the as-of date came from.
    pub as_of_source: String,
    pub max_missing: f64,
    pub duplicates: DuplicateReport,
    pub columns: Vec<ColumnReport>,
    /// Things the user must look at (dropped mapped columns, unparsed dates...).
    pub warnings: Vec<Notice>,
    /// How the numbers were counted.
    pub notes: Vec<String>,
}

impl CleanReport {
    pub fn dropped(&self) -> impl Iterator<Item = &ColumnReport> {
        self.columns
            .iter()
            .filter(|c| c.action == ColumnAction::Dropped)
    }

    pub fn column(&self, name: &str) -> Option<&ColumnReport> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// Plain-text rendering for headless output and the Markdown report.
    pub fn to_text(&self) -> String {
        use std::fmt::Write;
        let mut s = String::new();
        let _ = writeln!(
            s,
            "Clean: {} rows in, {} rows out; as-of {} ({})",
            self.rows_in,
            self.rows_out,
            self.as_of.map_or("none".to_string(), |d| d.to_string()),
            self.as_of_source
        );
        let d = &self.duplicates;
        if let Some(id) = &d.id_column {
            if d.duplicated_ids > 0 {
                let _ = writeln!(
                    s,
                    "  duplicate ids in '{id}': {} ids, {} rows removed ({}); e.g. {}",
                    d.duplicated_ids,
                    d.rows_removed,
                    d.policy.map_or("", |p| p.name()),
                    d.examples.join("; ")
                );
            } else {
                let _ = writeln!(s, "  no duplicate ids in '{id}'");
            }
            if d.missing_ids > 0 {
                let _ = writeln!(s, "  {} rows have no customer id (kept)", d.missing_ids);
            }
        }
        for c in &self.columns {
            let mut line = format!(
                "  {:<24} {:<6} missing {:>6.1}% ({} in",
                c.name,
                c.ctype.name(),
                c.missing_share * 100.0,
                c.missing_in
            );
            if c.unparsed_at_load > 0 {
                let _ = write!(line, ", {} unparsed at load", c.unparsed_at_load);
            }
            if c.invalid > 0 {
                let _ = write!(line, ", +{} invalid", c.invalid);
            }
            let _ = write!(line, ", {} after)", c.missing_after);
            let what = match c.action {
                ColumnAction::Kept => "kept".to_string(),
                ColumnAction::Imputed => format!(
                    "imputed with {}",
                    c.imputation
                        .as_ref()
                        .map_or(String::new(), |i| i.to_string())
                ),
                ColumnAction::Dropped => "DROPPED".to_string(),
                ColumnAction::Ignored => "ignored".to_string(),
                ColumnAction::Identifier => "customer id".to_string(),
            };
            let _ = write!(line, " -> {what}");
            if !c.reason.is_empty() {
                let _ = write!(line, ": {}", c.cli_reason());
            }
            let _ = writeln!(s, "{line}");
            if !c.invalid_examples.is_empty() {
                let _ = writeln!(
                    s,
                    "      invalid (must be {}): {}",
                    c.validity,
                    c.invalid_examples.join(", ")
                );
            }
            if !c.unparsed_examples.is_empty() {
                let _ = writeln!(s, "      unparsed: {}", c.unparsed_examples.join(", "));
            }
        }
        for w in &self.warnings {
            let _ = writeln!(s, "  warning: {}", w.cli_line());
        }
        for n in &self.notes {
            let _ = writeln!(s, "  note: {n}");
        }
        s
    }
}

/// The output of [`clean`]. Row `i` of `table` is customer `i` of the
/// Features stage; the id and the profile columns stay in this table.
#[derive(Clone, Debug)]
pub struct Cleaned {
    pub table: Table,
    pub report: CleanReport,
    pub params: CleanParams,
    /// The as-of date resolved for this run; pass it on to the Features stage.
    pub as_of: AsOf,
}

// ---------------------------------------------------------------------------
// As-of date
// ---------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------
// Clean
// ---------------------------------------------------------------------------

/// The validity rule for a column, from its type and role.
pub fn validity_for(
    ctype: ColumnType,
    role: Option<Role>,
    opts: &CleanOptions,
    as_of: Option<IsoDate>,
) -> Validity {
    let floor = IsoDate::from_ymd(opts.min_year, 1, 1).unwrap_or(IsoDate(i32::MIN + 1));
    match ctype {
        ColumnType::Text => Validity::Any,
        ColumnType::Flag => Validity::Finite,
        ColumnType::Number => match role {
            Some(Role::Age) => Validity::Range {
                min: 0.0,
                max: opts.max_age,
            },
            Some(Role::TxnCount | Role::ProductCount | Role::Tenure | Role::Recency) => {
                Validity::NonNegative
            }
            _ => Validity::Finite,
        },
        ColumnType::Date => match role {
            Some(Role::BirthDate) => {
                // Born after the as-of date, or so long before it that the age
                // would pass max_age: both impossible.
                let oldest = as_of
                    .and_then(|a| a.naive())
                    .and_then(|a| a.checked_sub_months(Months::new((opts.max_age * 12.0) as u32)))
                    .map(|d| IsoDate(date_to_days(d)));
                Validity::Dates {
                    min: oldest.map_or(floor, |o| o.max(floor)),
                    max: as_of,
                }
            }
            Some(Role::LastDate | Role::TxnDate | Role::OpenDate) => Validity::Dates {
                min: floor,
                max: as_of,
            },
            _ => Validity::Dates {
                min: floor,
                max: None,
            },
        },
    }
}

/// Cleans `table` (see the module docs). Pure: the input is not modified.
pub fn clean(table: &Table, mapping: &Mapping, opts: &CleanOptions) -> Result<Cleaned> {
    opts.validate()?;
    if table.n_rows == 0 {
        return Err(Error::data(format!(
            "{}: the table has no data rows",
            table.source.file_name()
        )));
    }
    let as_of = resolve_as_of(table, mapping, opts.as_of)?;
    let id_column = mapping
        .column_for(Role::CustomerId)
        .filter(|c| table.column_index(c).is_some())
        .map(str::to_string);

    // 1. Duplicates.
    let (work, duplicates) = dedupe(table, id_column.as_deref(), opts.duplicates)?;
    let work: &Table = &work;
    let n = work.n_rows;

    // 2-5. Per column, in parallel.
    let results: Vec<(Option<Column>, ColumnReport, ColumnParams)> = work
        .columns
        .par_iter()
        .map(|col| {
            let role = mapping.role_of(&col.name);
            let usage = mapping.usage_of(&col.name);
            let is_id = id_column.as_deref() == Some(col.name.as_str());
            let validity = validity_for(col.ctype, role, opts, as_of.date);
            clean_column(col, work, table, role, usage, is_id, validity, opts, n)
        })
        .collect();

    let mut columns = Vec::with_capacity(results.len());
    let mut report = CleanReport {
        rows_in: table.n_rows,
        rows_out: n,
        as_of: as_of.date,
        as_of_source: as_of.source.clone(),
        max_missing: opts.max_missing,
        duplicates,
        ..CleanReport::default()
    };
    let mut params = CleanParams {
        as_of: as_of.date,
        id_column: id_column.clone(),
        columns: Vec::new(),
    };
    for (col, rep, par) in results {
        if let Some(c) = col {
            columns.push(c);
        }
        if rep.action == ColumnAction::Dropped
            && let Some(role) = rep.role.filter(|_| rep.usage != ColumnUse::Ignore)
        {
            let mut w = Notice::new(format!(
                "'{}' ({}) was dropped: {}",
                rep.name,
                role.label(),
                rep.reason
            ))
            .about(&rep.name);
            w.remedy.clone_from(&rep.remedy);
            report.warnings.push(w);
        }
        if rep.unparsed_at_load > 0 && rep.role.is_some() && rep.usage != ColumnUse::Ignore {
            report.warnings.push(Notice::new(format!(
                "'{}' ({}): {} value{} could not be read as {} at load and count as missing: {}",
                rep.name,
                rep.role.map_or("", |r| r.label()),
                rep.unparsed_at_load,
                if rep.unparsed_at_load == 1 { "" } else { "s" },
                match rep.ctype {
                    ColumnType::Date => "dates",
                    ColumnType::Text => "text",
                    _ => "numbers",
                },
                rep.unparsed_examples.join(", ")
            )).about(&rep.name));
        }
        report.columns.push(rep);
        params.columns.push(par);
    }
    if duplicates_warning(&report.duplicates) {
        let d = &report.duplicates;
        report.warnings.push(Notice::new(format!(
            "{} customer ids appear more than once; {} rows removed ({})",
            d.duplicated_ids,
            d.rows_removed,
            d.policy.map_or("", |p| p.name())
        )));
    }
    if report.duplicates.missing_ids > 0 {
        report.warnings.push(Notice::new(format!(
            "{} rows have no customer id; they are kept and exported with an empty id",
            report.duplicates.missing_ids
        )));
    }
    // Without dates in use nothing needs an as-of date: no warning.
    let dates_in_use = table
        .columns
        .iter()
        .any(|c| c.ctype == ColumnType::Date && mapping.usage_of(&c.name) != ColumnUse::Ignore);
    if as_of.date.is_none() && dates_in_use {
        report
            .warnings
            .push(Notice::new(as_of.source.clone()).remedy(Remedy::AsOf { date: None }));
    }
    if let Some(w) = &as_of.warning {
        report.warnings.push(w.clone());
    }
    if let Some(d) = as_of.date {
        for late in crate::pipeline::as_of::late_dates(table, mapping, d) {
            let dropped = report
                .column(&late.column)
                .is_some_and(|c| c.action == ColumnAction::Dropped);
            report.warnings.push(late.notice(d, Some(dropped)));
        }
    }
    report.notes.push(format!(
        "missing shares are measured after invalid values became missing; a column is \
         dropped when its share is above {:.0}% (exactly {:.0}% is kept: the max-missing limit)",
        opts.max_missing * 100.0,
        opts.max_missing * 100.0
    ));
    if report.duplicates.rows_removed > 0 {
        report
            .notes
            .push("per-column counts are taken after duplicate rows were removed".to_string());
    }

    let cleaned = Table {
        columns,
        n_rows: n,
        row_origin: work.row_origin.clone(),
        source: work.source.clone(),
    };
    Ok(Cleaned {
        table: cleaned,
        report,
        params,
        as_of,
    })
}

fn duplicates_warning(d: &DuplicateReport) -> bool {
    d.duplicated_ids > 0
}

/// Removes duplicate-id rows by the policy; borrows the table when there are none.
fn dedupe<'a>(
    table: &'a Table,
    id_column: Option<&str>,
    policy: DuplicatePolicy,
) -> Result<(Cow<'a, Table>, DuplicateReport)> {
    let mut rep = DuplicateReport {
        id_column: id_column.map(str::to_string),
        ..DuplicateReport::default()
    };
    let Some(id_col) = id_column.and_then(|c| table.column(c)) else {
        return Ok((Cow::Borrowed(table), rep));
    };
    rep.policy = Some(policy);
    let n = table.n_rows;
    let keys = IdKeys::new(&id_col.data);
    let (repeats, missing) = repeated_rows(&keys, n);
    rep.missing_ids = missing;
    if repeats.is_empty() {
        return Ok((Cow::Borrowed(table), rep));
    }
    // Only now, for the duplicated ids: id -> (first row, last row, count).
    let mut seen: HashMap<IdKey<'_>, (u32, u32, u32), FxBuild> = HashMap::default();
    for &r in &repeats {
        if let Some(k) = keys.key(r as usize) {
            seen.insert(k, (u32::MAX, 0, 0));
        }
    }
    for i in 0..n {
        if let Some(k) = keys.key(i)
            && let Some(e) = seen.get_mut(&k)
        {
            e.0 = e.0.min(i as u32);
            e.1 = i as u32;
            e.2 += 1;
        }
    }
    let mut dup: Vec<(u32, u32, u32)> = seen.values().copied().collect();
    dup.sort_unstable();
    rep.duplicated_ids = dup.len();
    rep.rows_removed = dup.iter().map(|d| d.2 as usize - 1).sum();
    for &(first, _, _) in dup.iter().take(EXAMPLES) {
        let k = keys.key(first as usize);
        let rows: Vec<String> = (first as usize..n)
            .filter(|&i| keys.key(i) == k)
            .take(4)
            .map(|i| table.row_label(i))
            .collect();
        rep.examples.push(format!(
            "'{}' on {}",
            id_col.data.display(first as usize),
            rows.join(", ")
        ));
    }
    if policy == DuplicatePolicy::Fail {
        return Err(Error::with_remedy(
            format!(
                "{} customer ids appear on more than one row of '{}' ({} extra rows), e.g. {}",
                rep.duplicated_ids,
                id_col.name,
                rep.rows_removed,
                rep.examples.join("; ")
            ),
            Remedy::OneOf(vec![
                Remedy::Duplicates { policy: None },
                Remedy::InputKind {
                    kind: "transactions".into(),
                },
            ]),
        ));
    }
    let keep: Vec<bool> = (0..n)
        .map(|i| match keys.key(i).and_then(|k| seen.get(&k)) {
            None => true,
            Some(&(first, last, _)) => match policy {
                DuplicatePolicy::KeepLast => last as usize == i,
                _ => first as usize == i,
            },
        })
        .collect();
    drop(seen);
    let columns: Vec<Column> = table
        .columns
        .par_iter()
        .map(|c| Column {
            name: c.name.clone(),
            ctype: c.ctype,
            data: filter_rows(&c.data, &keep),
            info: c.info.clone(),
        })
        .collect();
    let row_origin = table
        .row_origin
        .iter()
        .zip(&keep)
        .filter(|(_, k)| **k)
        .map(|(r, _)| *r)
        .collect();
    let n_rows = keep.iter().filter(|k| **k).count();
    Ok((
        Cow::Owned(Table {
            columns,
            n_rows,
            row_origin,
            source: table.source.clone(),
        }),
        rep,
    ))
}

/// Rows whose id repeats an earlier row's id (ascending), and the number of
/// rows without an id.
///
/// Equal ids have equal hashes, so the ids are hashed (in parallel) and the
/// hashes sorted: when no hash repeats — the usual case — no id repeats, and
/// a million ids are checked without a hash table (random memory access is
/// what costs time at this size). Rows whose hash does repeat are then
/// checked exactly. Sorting gives the same result on any number of threads.
fn repeated_rows(keys: &IdKeys<'_>, n: usize) -> (Vec<u32>, usize) {
    const MISSING: u64 = u64::MAX;
    let build = FxBuild::default();
    let hashes: Vec<u64> = (0..n)
        .into_par_iter()
        .with_min_len(1 << 14)
        .map(|i| keys.key(i).map_or(MISSING, |k| build.hash_one(k)))
        .collect();
    let missing = (0..n).filter(|&i| keys.key(i).is_none()).count();
    let mut sorted = hashes.clone();
    sorted.par_sort_unstable();
    let mut repeated: Vec<u64> = sorted
        .windows(2)
        .filter(|w| w[0] == w[1])
        .map(|w| w[0])
        .collect();
    drop(sorted);
    repeated.dedup();
    // Rows without an id all share MISSING; they are skipped below, where
    // candidate rows are compared by id (so an id hashing to MISSING is fine).
    if repeated.is_empty() {
        return (Vec::new(), missing);
    }
    let candidates: std::collections::HashSet<u64, FxBuild> = repeated.into_iter().collect();
    let mut seen: std::collections::HashSet<IdKey<'_>, FxBuild> = Default::default();
    let mut repeats = Vec::new();
    for (i, h) in hashes.iter().enumerate() {
        if candidates.contains(h)
            && let Some(k) = keys.key(i)
            && !seen.insert(k)
        {
            repeats.push(i as u32);
        }
    }
    (repeats, missing)
}

pub(crate) fn filter_rows(data: &ColumnData, keep: &[bool]) -> ColumnData {
    match data {
        ColumnData::Number(v) => ColumnData::Number(
            v.iter()
                .zip(keep)
                .filter(|(_, k)| **k)
                .map(|(x, _)| *x)
                .collect(),
        ),
        ColumnData::Date(v) => ColumnData::Date(
            v.iter()
                .zip(keep)
                .filter(|(_, k)| **k)
                .map(|(x, _)| *x)
                .collect(),
        ),
        ColumnData::Text(t) => ColumnData::Text(TextColumn::from_values(
            (0..t.len()).filter(|&i| keep[i]).map(|i| t.get(i)),
        )),
    }
}

/// A hashable customer id of any column type. Ids of up to 22 bytes (nearly
/// all of them) are held inline, so a hash-map lookup compares them without
/// chasing a pointer into the table's text arena (a cache miss per row on
/// millions of rows).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub(crate) enum IdKey<'a> {
    Short(u8, [u8; 22]),
    Long(&'a str),
    Bits(u64),
}

impl<'a> IdKey<'a> {
    #[inline]
    pub(crate) fn text(s: &'a str) -> IdKey<'a> {
        let b = s.as_bytes();
        if b.len() <= 22 {
            let mut buf = [0u8; 22];
            buf[..b.len()].copy_from_slice(b);
            IdKey::Short(b.len() as u8, buf)
        } else {
            IdKey::Long(s)
        }
    }
}

pub(crate) struct IdKeys<'a>(&'a ColumnData);

impl<'a> IdKeys<'a> {
    pub(crate) fn new(data: &'a ColumnData) -> Self {
        IdKeys(data)
    }
    /// The id of row `i`, `None` when missing. Numbers compare by value
    /// (-0 equals 0).
    #[inline]
    pub(crate) fn key(&self, i: usize) -> Option<IdKey<'a>> {
        match self.0 {
            ColumnData::Text(t) => t.get(i).map(IdKey::text),
            ColumnData::Number(v) => {
                let x = v[i];
                (!x.is_nan()).then(|| IdKey::Bits(if x == 0.0 { 0 } else { x.to_bits() }))
            }
            ColumnData::Date(v) => {
                (v[i] != MISSING_DATE).then_some(IdKey::Bits(v[i] as u32 as u64))
            }
        }
    }
}

fn quote(data: &ColumnData, i: usize, raw_number: Option<f64>) -> String {
    match (data, raw_number) {
        (_, Some(x)) if !x.is_finite() => format!("{x}"),
        (ColumnData::Text(_), _) => format!("'{}'", excerpt::cell(&data.display(i))),
        _ => data.display(i),
    }
}

#[allow(clippy::too_many_arguments)]
fn clean_column(
    col: &Column,
    work: &Table,
    original: &Table,
    role: Option<Role>,
    usage: ColumnUse,
    is_id: bool,
    validity: Validity,
    opts: &CleanOptions,
    n: usize,
) -> (Option<Column>, ColumnReport, ColumnParams) {
    let missing_in = col.data.missing_count();
    let unparsed_examples = col
        .info
        .unparsed_examples
        .iter()
        .take(EXAMPLES)
        .map(|(row, raw)| format!("{}: '{}'", original.row_label(*row), excerpt::cell(raw)))
        .collect();
    let mut rep = ColumnReport {
        name: col.name.clone(),
        ctype: col.ctype,
        role,
        usage,
        missing_in,
        unparsed_at_load: col.info.unparsed,
        unparsed_examples,
        invalid: 0,
        validity: validity.describe(),
        invalid_examples: Vec::new(),
        missing_before: missing_in,
        missing_share: missing_in as f64 / n as f64,
        missing_after: missing_in,
        imputation: None,
        action: ColumnAction::Kept,
        reason: String::new(),
        drop_cause: None,
        remedy: None,
    };
    let mut par = ColumnParams {
        name: col.name.clone(),
        ctype: col.ctype,
        role,
        usage,
        validity: validity.clone(),
        imputation: None,
        dropped: None,
    };
    if is_id {
        rep.action = ColumnAction::Identifier;
        rep.validity = "any".into();
        par.validity = Validity::Any;
        return (Some(col.clone()), rep, par);
    }
    if usage == ColumnUse::Ignore {
        rep.action = ColumnAction::Ignored;
        rep.reason = "marked 'ignore' in the mapping; passed through unchanged".into();
        return (Some(col.clone()), rep, par);
    }

    // Invalid values become missing.
    let mut data = col.data.clone();
    let mut invalid = 0usize;
    let mut examples = Vec::new();
    match &mut data {
        ColumnData::Number(v) => {
            for (i, x) in v.iter_mut().enumerate() {
                if !x.is_nan() && !validity.number_ok(*x) {
                    invalid += 1;
                    if examples.len() < EXAMPLES {
                        examples.push(format!(
                            "{}: {}",
                            work.row_label(i),
                            quote(&col.data, i, Some(*x))
                        ));
                    }
                    *x = f64::NAN;
                }
            }
        }
        ColumnData::Date(v) => {
            for (i, d) in v.iter_mut().enumerate() {
                if *d != MISSING_DATE && !validity.date_ok(*d) {
                    invalid += 1;
                    if examples.len() < EXAMPLES {
                        examples.push(format!("{}: {}", work.row_label(i), format_date(*d)));
                    }
                    *d = MISSING_DATE;
                }
            }
        }
        ColumnData::Text(_) => {}
    }
    rep.invalid = invalid;
    rep.invalid_examples = examples;
    let missing = missing_in + invalid;
    rep.missing_before = missing;
    rep.missing_share = missing as f64 / n as f64;
    rep.missing_after = missing;

    let costs = match role {
        Some(r) => format!(
            "; it is mapped as {}, so what is built from it is left out",
            r.label()
        ),
        None => String::new(),
    };
    let drop = |rep: &mut ColumnReport, par: &mut ColumnParams, cause: DropCause, why: String| {
        rep.action = ColumnAction::Dropped;
        rep.drop_cause = Some(cause);
        rep.reason = why.clone();
        par.dropped = Some(why);
    };

    if rep.missing_share > opts.max_missing + SHARE_EPS {
        let why = format!(
            "{:.1}% missing{} is above the max-missing limit of {:.0}%{costs}",
            rep.missing_share * 100.0,
            if invalid > 0 {
                format!(" (including {invalid} invalid values)")
            } else {
                String::new()
            },
            opts.max_missing * 100.0,
        );
        // A mapped column is worth keeping: say how far to raise the limit.
        rep.remedy = Some(Remedy::MaxMissing {
            value: role.map(|_| format!("{:.2}", (rep.missing_share * 100.0).ceil() / 100.0)),
        });
        drop(&mut rep, &mut par, DropCause::TooManyMissing, why);
        return (None, rep, par);
    }

    let Some((imputation, constant)) = fill_value(&data, col.ctype) else {
        drop(
            &mut rep,
            &mut par,
            DropCause::AllMissing,
            format!("every value is missing{costs}"),
        );
        return (None, rep, par);
    };
    if constant && opts.drop_constant {
        let why = format!(
            "constant: every present value is {}{costs}",
            imputation.value
        );
        drop(&mut rep, &mut par, DropCause::Constant, why);
        return (None, rep, par);
    }
    if missing > 0 {
        fill(&mut data, &imputation.value);
        rep.action = ColumnAction::Imputed;
        rep.missing_after = 0;
    }
    rep.imputation = Some(imputation.clone());
    par.imputation = Some(imputation);
    let out = Column {
        name: col.name.clone(),
        ctype: col.ctype,
        data,
        info: col.info.clone(),
    };
    (Some(out), rep, par)
}

/// The imputation value for a column and whether its present values are all
/// equal; `None` when every value is missing.
fn fill_value(data: &ColumnData, ctype: ColumnType) -> Option<(Imputation, bool)> {
    match data {
        ColumnData::Number(v) if ctype == ColumnType::Flag => {
            let (value, constant) = mode_f64(v)?;
            Some((
                Imputation {
                    method: FillMethod::Mode,
                    value: FillValue::Number(value),
                },
                constant,
            ))
        }
        ColumnData::Number(v) => {
            let mut present: Vec<f64> = v.iter().copied().filter(|x| !x.is_nan()).collect();
            let m = median_in_place(&mut present)?;
            let constant = present.iter().all(|x| *x == present[0]);
            Some((
                Imputation {
                    method: FillMethod::Median,
                    value: FillValue::Number(m),
                },
                constant,
            ))
        }
        ColumnData::Date(v) => {
            let mut present: Vec<i32> = v.iter().copied().filter(|d| *d != MISSING_DATE).collect();
            if present.is_empty() {
                return None;
            }
            // The lower median: a day that occurs in the data.
            let k = (present.len() - 1) / 2;
            let (_, m, _) = present.select_nth_unstable(k);
            let m = *m;
            let constant = present.iter().all(|d| *d == m);
            Some((
                Imputation {
                    method: FillMethod::Median,
                    value: FillValue::Date(IsoDate(m)),
                },
                constant,
            ))
        }
        ColumnData::Text(t) => {
            let (value, constant) = mode_text(t)?;
            Some((
                Imputation {
                    method: FillMethod::Mode,
                    value: FillValue::Text(value),
                },
                constant,
            ))
        }
    }
}

/// Median of the values (average of the two middle ones for an even count),
/// found with `select_nth_unstable`; reorders `v`. `None` when empty.
pub fn median_in_place(v: &mut [f64]) -> Option<f64> {
    let m = v.len();
    if m == 0 {
        return None;
    }
    let k = m / 2;
    let (lower, upper, _) = v.select_nth_unstable_by(k, f64::total_cmp);
    let upper = *upper;
    if m % 2 == 1 {
        Some(upper)
    } else {
        let lower_max = lower.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        Some(lower_max / 2.0 + upper / 2.0)
    }
}

/// Most frequent non-missing number (ties: seen first) and whether it is the only one.
fn mode_f64(v: &[f64]) -> Option<(f64, bool)> {
    let mut counts: HashMap<u64, (usize, usize), FxBuild> = HashMap::default();
    for (i, x) in v.iter().enumerate() {
        if x.is_nan() {
            continue;
        }
        let key = if *x == 0.0 { 0 } else { x.to_bits() };
        counts.entry(key).or_insert((0, i)).0 += 1;
    }
    let distinct = counts.len();
    let (bits, _) = counts
        .into_iter()
        .max_by(|a, b| a.1.0.cmp(&b.1.0).then(b.1.1.cmp(&a.1.1)))?;
    Some((f64::from_bits(bits), distinct == 1))
}

/// Most frequent non-missing text (ties: seen first) and whether it is the
/// only value. Few distinct values (gender, yes/no) are counted in a short
/// list; past eight distinct values the counts move to a hash map.
fn mode_text(t: &TextColumn) -> Option<(String, bool)> {
    const SMALL_SET: usize = 8;
    // (value, count, first row)
    let mut small: Vec<(&str, usize, usize)> = Vec::with_capacity(SMALL_SET);
    let mut map: Option<HashMap<IdKey<'_>, (usize, usize), FxBuild>> = None;
    for i in 0..t.len() {
        let Some(s) = t.get(i) else { continue };
        if let Some(m) = map.as_mut() {
            m.entry(IdKey::text(s)).or_insert((0, i)).0 += 1;
        } else if let Some(e) = small.iter_mut().find(|e| e.0 == s) {
            e.1 += 1;
        } else if small.len() < SMALL_SET {
            small.push((s, 1, i));
        } else {
            let mut m: HashMap<IdKey<'_>, (usize, usize), FxBuild> = small
                .iter()
                .map(|e| (IdKey::text(e.0), (e.1, e.2)))
                .collect();
            m.insert(IdKey::text(s), (1, i));
            map = Some(m);
        }
    }
    let counts: Vec<(usize, usize)> = match map {
        Some(m) => m.into_values().collect(),
        None => small.iter().map(|e| (e.1, e.2)).collect(),
    };
    let distinct = counts.len();
    let (_, first) = counts
        .into_iter()
        .max_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)))?;
    Some((t.raw(first).to_string(), distinct == 1))
}

fn fill(data: &mut ColumnData, value: &FillValue) {
    match (data, value) {
        (ColumnData::Number(v), FillValue::Number(f)) => {
            for x in v.iter_mut().filter(|x| x.is_nan()) {
                *x = *f;
            }
        }
        (ColumnData::Date(v), FillValue::Date(f)) => {
            for d in v.iter_mut().filter(|d| **d == MISSING_DATE) {
                *d = f.0;
            }
        }
        (ColumnData::Text(t), FillValue::Text(f)) if (0..t.len()).any(|i| t.get(i).is_none()) => {
            *t =
                TextColumn::from_values((0..t.len()).map(|i| Some(t.get(i).unwrap_or(f.as_str()))));
        }
        _ => {}
    }
}

// ---------------------------------------------------------------------------
// Scoring new customers
// ---------------------------------------------------------------------------

/// Cleans new customers with a saved model's parameters: the same validity
/// rules (the same as-of date), the same imputation values, the same dropped
/// columns. Every row is kept (one score per input row; duplicates are not
/// removed). Columns the model clusters on must be present with the same
/// type; the error names every one that is not. The notes say, per column,
/// what was replaced (invalid values, unreadable cells, gaps) and with what.
pub fn apply_clean(table: &Table, mapping: &Mapping, params: &CleanParams) -> Result<AppliedClean> {
    let file = table.source.file_name();
    let mut problems = Vec::new();
    for p in &params.columns {
        let needed = p.dropped.is_none()
            && p.usage == ColumnUse::Feature
            && params.id_column.as_deref() != Some(p.name.as_str());
        match table.column(&p.name) {
            None if needed => problems.push(format!(
                "'{}' ({}) is missing",
                p.name,
                p.role.map_or("feature", |r| r.label())
            )),
            Some(c) if needed && !compatible(c.ctype, p.ctype) => problems.push(format!(
                "'{}' holds {} values, the model expects {}",
                p.name,
                c.ctype.name(),
                p.ctype.name()
            )),
            _ => {}
        }
    }
    if !problems.is_empty() {
        return Err(Error::data(format!(
            "{file} cannot be scored with this model: {}",
            problems.join("; ")
        )));
    }
    let _ = mapping; // roles come from the saved parameters, not a new mapping
    let by_name: HashMap<&str, &ColumnParams> = params
        .columns
        .iter()
        .map(|p| (p.name.as_str(), p))
        .collect();
    let results: Vec<(Option<Column>, Option<String>)> = table
        .columns
        .par_iter()
        .map(|col| {
            let Some(p) = by_name.get(col.name.as_str()) else {
                return (Some(col.clone()), None);
            };
            if p.dropped.is_some() {
                return (None, None);
            }
            // As in training: the id and ignored columns pass through untouched.
            if p.usage == ColumnUse::Ignore || params.id_column.as_deref() == Some(p.name.as_str())
            {
                return (Some(col.clone()), None);
            }
            let mut data = col.data.clone();
            if !compatible(col.ctype, p.ctype) {
                // An optional (profile) column of the wrong type: pass it through.
                return (Some(col.clone()), None);
            }
            let mut invalid = 0usize;
            let mut first_invalid: Option<(usize, String)> = None;
            let mut note_invalid = |i: usize, shown: String| {
                invalid += 1;
                first_invalid.get_or_insert((i, shown));
            };
            match &mut data {
                ColumnData::Number(v) => {
                    for (i, x) in v.iter_mut().enumerate() {
                        if !x.is_nan() && !p.validity.number_ok(*x) {
                            note_invalid(i, x.to_string());
                            *x = f64::NAN;
                        }
                    }
                }
                ColumnData::Date(v) => {
                    for (i, d) in v.iter_mut().enumerate() {
                        if *d != MISSING_DATE && !p.validity.date_ok(*d) {
                            note_invalid(i, format_date(*d));
                            *d = MISSING_DATE;
                        }
                    }
                }
                ColumnData::Text(_) => {}
            }
            let missing = data.missing_count();
            let mut note = None;
            if let Some(imp) = &p.imputation {
                fill(&mut data, &imp.value);
                if missing > 0 {
                    let mut parts = vec![format!(
                        "{missing} of {} value{} filled with the model's {imp}",
                        table.n_rows,
                        if table.n_rows == 1 { "" } else { "s" },
                    )];
                    if let Some((row, shown)) = &first_invalid {
                        parts.push(format!(
                            "{invalid} of them invalid (must be {}; first: {} '{shown}')",
                            p.validity.describe(),
                            table.row_label(*row)
                        ));
                    }
                    if col.info.unparsed > 0 {
                        parts.push(format!("{} unreadable at load", col.info.unparsed));
                    }
                    note = Some(format!("'{}': {}", col.name, parts.join("; ")));
                }
            }
            let column = Column {
                name: col.name.clone(),
                ctype: col.ctype,
                data,
                info: col.info.clone(),
            };
            (Some(column), note)
        })
        .collect();
    let mut columns = Vec::with_capacity(results.len());
    let mut notes = Vec::new();
    for (c, n) in results {
        columns.extend(c);
        notes.extend(n);
    }
    Ok(AppliedClean {
        table: Table {
            columns,
            n_rows: table.n_rows,
            row_origin: table.row_origin.clone(),
            source: table.source.clone(),
        },
        notes,
    })
}

/// New customers cleaned with a model's parameters ([`apply_clean`]).
#[derive(Debug)]
pub struct AppliedClean {
    pub table: Table,
    /// Per column: what was replaced and with what.
    pub notes: Vec<String>,
}

/// Numbers and yes/no flags are interchangeable in new files (a 0/1 column may
/// load as either).
fn compatible(found: ColumnType, expected: ColumnType) -> bool {
    found == expected || (found.is_numeric() && expected.is_numeric())
}

/// Completed years between two dates given as days (e.g. age at the as-of date).
pub fn years_between(from: i32, to: i32) -> i32 {
    let (y1, m1, d1) = civil_from_days(from);
    let (y2, m2, d2) = civil_from_days(to);
    y2 - y1 - i32::from((m2, d2) < (m1, d1))
}

/// Completed calendar months between two dates given as days.
pub fn months_between(from: i32, to: i32) -> i32 {
    let (y1, m1, d1) = civil_from_days(from);
    let (y2, m2, d2) = civil_from_days(to);
    (y2 - y1) * 12 + (m2 as i32 - m1 as i32) - i32::from(d2 < d1)
}

/// (year, month, day) for days since 1970-01-01 (proleptic Gregorian;
/// H. Hinnant's algorithm, no allocation, no failure).
pub fn civil_from_days(days: i32) -> (i32, u32, u32) {
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    ((y + i64::from(m <= 2)) as i32, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::mapping::{MappingOptions, map_columns};
    use crate::pipeline::table::SourceInfo;
    use chrono::Datelike;

    fn table(cols: Vec<Column>) -> Table {
        Table::new(cols, SourceInfo::default())
    }

    #[test]
    fn iso_dates_parse_and_print() {
        let d: IsoDate = "2024-03-31".parse().unwrap();
        assert_eq!(d.to_string(), "2024-03-31");
        assert_eq!("20240331".parse::<IsoDate>().unwrap(), d);
        assert_eq!("2024/3/31".parse::<IsoDate>().unwrap(), d);
        assert!("2024-02-30".parse::<IsoDate>().is_err());
        assert!("31/03/2024".parse::<IsoDate>().is_err());
        let json = serde_json::to_string(&d).unwrap();
        assert_eq!(json, "\"2024-03-31\"");
        assert_eq!(serde_json::from_str::<IsoDate>(&json).unwrap(), d);
    }

    #[test]
    fn civil_dates_match_chrono() {
        for days in (-800_000..800_000).step_by(997) {
            let d = days_to_date(days).unwrap();
            assert_eq!(
                civil_from_days(days),
                (d.year(), d.month(), d.day()),
                "{days}"
            );
        }
    }

    #[test]
    fn completed_years_and_months() {
        let d = |s: &str| s.parse::<IsoDate>().unwrap().0;
        assert_eq!(years_between(d("1980-06-15"), d("2024-06-14")), 43);
        assert_eq!(years_between(d("1980-06-15"), d("2024-06-15")), 44);
        assert_eq!(years_between(d("2000-02-29"), d("2024-02-28")), 23);
        assert_eq!(months_between(d("2020-01-15"), d("2024-03-31")), 50);
        assert_eq!(months_between(d("2020-01-31"), d("2020-02-29")), 0);
        assert_eq!(months_between(d("2020-01-31"), d("2020-03-01")), 1);
    }

    #[test]
    fn median_handles_odd_even_and_empty() {
        assert_eq!(median_in_place(&mut [3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median_in_place(&mut [4.0, 1.0, 3.0, 2.0]), Some(2.5));
        assert_eq!(median_in_place(&mut []), None);
        assert_eq!(median_in_place(&mut [f64::MAX, f64::MAX]), Some(f64::MAX));
    }

    #[test]
    fn duplicate_policies() {
        let t = table(vec![
            Column::text(
                "customer_id",
                TextColumn::from_values([Some("A"), Some("B"), Some("A"), None]),
            ),
            Column::number("balance", vec![1.0, 2.0, 3.0, 4.0]),
        ]);
        let m = map_columns(&t, &MappingOptions::default()).unwrap();
        let first = clean(&t, &m, &CleanOptions::default()).unwrap();
        assert_eq!(first.table.n_rows, 3);
        assert_eq!(
            first.table.column("balance").unwrap().numbers().unwrap(),
            &[1.0, 2.0, 4.0]
        );
        assert_eq!(first.table.row_origin, vec![2, 3, 5]);
        assert_eq!(first.report.duplicates.duplicated_ids, 1);
        assert_eq!(first.report.duplicates.missing_ids, 1);
        assert_eq!(
            first.report.duplicates.examples,
            vec!["'A' on line 2, line 4"]
        );

        let opts = CleanOptions {
            duplicates: DuplicatePolicy::KeepLast,
            ..CleanOptions::default()
        };
        let last = clean(&t, &m, &opts).unwrap();
        assert_eq!(
            last.table.column("balance").unwrap().numbers().unwrap(),
            &[2.0, 3.0, 4.0]
        );

        let opts = CleanOptions {
            duplicates: DuplicatePolicy::Fail,
            ..CleanOptions::default()
        };
        let e = clean(&t, &m, &opts).unwrap_err();
        assert!(matches!(e, Error::DataWithRemedy { .. }));
        assert!(e.to_string().contains("'A' on line 2, line 4"), "{e}");
    }

    #[test]
    fn text_mode_ties_go_to_the_first_seen_with_many_values() {
        // 12 distinct values (past the short list): 'k' and 'b' both twice, 'k' first.
        let vals = [
            "k", "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "b", "k",
        ];
        let t = TextColumn::from_values(vals.iter().map(|v| Some(*v)));
        assert_eq!(mode_text(&t), Some(("k".to_string(), false)));
        let t = TextColumn::from_values([Some("x"), None, Some("x")]);
        assert_eq!(mode_text(&t), Some(("x".to_string(), true)));
        assert_eq!(mode_text(&TextColumn::from_values([None, None])), None);
    }

    #[test]
    fn options_are_validated_and_default_from_empty_toml() {
        let o: CleanOptions = toml::from_str("").unwrap();
        assert_eq!(o, CleanOptions::default());
        let o: CleanOptions =
            toml::from_str("max_missing = 0.5\nas_of = \"2024-01-31\"\nduplicates = \"keep_last\"")
                .unwrap();
        assert_eq!(o.as_of, IsoDate::from_ymd(2024, 1, 31));
        assert_eq!(o.duplicates, DuplicatePolicy::KeepLast);
        let bad = CleanOptions {
            max_missing: 30.0,
            ..CleanOptions::default()
        };
        let e = bad.validate().unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert_eq!(
            e.setting(),
            Some(&Remedy::MaxMissing {
                value: Some("30".into())
            })
        );
    }
}
