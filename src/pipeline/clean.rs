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
//!
//! Where each phase lives: [`as_of`] (1), [`dedupe`] (2), [`column`]
//! (the validity rules, 3 and 4), [`impute`] (5), [`stage`] (the phases in
//! order, then the warnings), [`report`] (what Clean tells) and [`apply`]
//! (new customers, with a saved model's parameters).

mod apply;
mod as_of;
mod column;
mod dedupe;
mod impute;
mod report;
mod stage;
#[cfg(test)]
mod tests;

pub use crate::pipeline::calendar::{IsoDate, civil_from_days, months_between, years_between};
pub(crate) use crate::pipeline::id_key::{IdKey, IdKeys};
pub use crate::pipeline::stats::median_in_place;
pub use apply::{AppliedClean, apply_clean};
pub use as_of::{ACTIVITY_ROLES, AsOf, AsOfSource, resolve_as_of};
pub use column::validity_for;
pub use report::{CleanReport, ColumnAction, ColumnReport, DropCause, DuplicateReport};
pub use stage::clean;

use crate::error::{Error, Result};
use crate::pipeline::mapping::{ColumnUse, Role};
use crate::pipeline::table::{ColumnType, Table, format_number};
use crate::remedy::Remedy;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Default for `--max-missing`.
pub const DEFAULT_MAX_MISSING: f64 = 0.3;
/// How many offending values a report quotes per column.
const EXAMPLES: usize = 3;
/// Shares are compared with this slack so that "exactly 30%" is kept despite
/// floating-point rounding.
const SHARE_EPS: f64 = 1e-9;

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
