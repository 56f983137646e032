//! The Clean step in SQL: a column's invalid values become missing and
//! missing values get the model's fill value, as
//! [`crate::pipeline::clean::apply_clean`] does with the saved parameters.

use super::dialect::Dialect;
use super::{AS_OF, BORN_AFTER, Unsupported};
use crate::pipeline::clean::{
    CleanOptions, CleanParams, FillValue, IsoDate, Validity, validity_for,
};
use crate::pipeline::mapping::{ColumnUse, Role};
use crate::pipeline::table::ColumnType;

/// Cells custseg's loader reads as missing (`load::values::is_missing_token`),
/// compared exactly after trimming.
const MISSING_EXACT: [&str; 11] = [
    "", "-", "--", "?", ".", "无", "空", "缺失", "不详", "#N/A", "(blank)",
];
/// The same, compared without ASCII case.
const MISSING_ANY_CASE: [&str; 11] = [
    "na", "n/a", "nan", "null", "none", "nil", "missing", "#n/a", "#null!", "#value!", "#div/0!",
];

/// The largest finite double: `x BETWEEN -MAX AND MAX` is false for NaN and
/// the infinities that PostgreSQL and DuckDB can hold.
const MAX: f64 = f64::MAX;

/// What kind of values a source column is read as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Number,
    Date,
    Text,
}

/// The customer id as custseg shows it: trimmed when it is text.
pub fn id(d: Dialect, params: &CleanParams, column: &str) -> String {
    let raw = format!("t.{}", d.ident(column));
    let text = params
        .columns
        .iter()
        .find(|p| p.name == column)
        .is_some_and(|p| p.ctype == ColumnType::Text);
    if text { d.trim(&raw) } else { raw }
}

/// The cleaned value of `column` of the raw table (aliased `t`), as an SQL
/// expression of that row and the as-of date (aliased `a`).
pub fn cleaned(
    d: Dialect,
    params: &CleanParams,
    opts: &CleanOptions,
    column: &str,
    kind: Kind,
) -> Result<String, Unsupported> {
    let raw = read(d, &format!("t.{}", d.ident(column)), kind);
    let Some(p) = params.columns.iter().find(|p| p.name == column) else {
        return Ok(raw);
    };
    if p.dropped.is_some() {
        return Err(Unsupported(format!(
            "the model's features read '{column}', which its Clean step dropped"
        )));
    }
    if p.usage == ColumnUse::Ignore || params.id_column.as_deref() == Some(column) {
        return Ok(raw);
    }
    let valid = match (kind, &p.validity) {
        (Kind::Text, _) => raw,
        (Kind::Number, v) => number_valid(d, &raw, v),
        (Kind::Date, _) => date_valid(d, &raw, p.ctype, p.role, opts),
    };
    Ok(match &p.imputation {
        None => valid,
        Some(imp) => format!("COALESCE({valid}, {})", fill(d, &imp.value)),
    })
}

/// A column read as custseg's loader types it: numbers as doubles, dates
/// as dates, text trimmed with custseg's missing markers as NULL.
fn read(d: Dialect, raw: &str, kind: Kind) -> String {
    match kind {
        Kind::Text => text_value(d, raw),
        Kind::Number => d.double(raw),
        Kind::Date => d.as_date(raw),
    }
}

/// `x` when it is a finite number, else NULL.
pub fn finite(d: Dialect, x: &str) -> String {
    format!(
        "CASE WHEN {x} >= {} AND {x} <= {} THEN {x} END",
        d.num(-MAX),
        d.num(MAX)
    )
}

fn fill(d: Dialect, value: &FillValue) -> String {
    match value {
        FillValue::Number(x) => d.num(*x),
        FillValue::Date(x) => d.date(*x),
        FillValue::Text(s) => d.string(s),
    }
}

/// The trimmed text, NULL for custseg's missing markers.
pub fn text_value(d: Dialect, raw: &str) -> String {
    let list = |words: &[&str]| {
        words
            .iter()
            .map(|w| d.string(w))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let t = d.trim(raw);
    format!(
        "CASE WHEN {t} IN ({}) OR LOWER({t}) IN ({}) THEN NULL ELSE {t} END",
        list(&MISSING_EXACT),
        list(&MISSING_ANY_CASE)
    )
}

/// The number when it passes the column's rule, else NULL.
fn number_valid(d: Dialect, raw: &str, validity: &Validity) -> String {
    let (lo, hi) = match validity {
        Validity::NonNegative => (0.0, MAX),
        Validity::Range { min, max } => (*min, *max),
        _ => (-MAX, MAX),
    };
    format!(
        "CASE WHEN {raw} >= {} AND {raw} <= {} THEN {raw} END",
        d.num(lo),
        d.num(hi)
    )
}

/// The date when it passes the column's rule, else NULL. Activity dates may
/// not lie after the as-of date, birth dates neither, nor so long before it
/// that the age would pass the maximum age (the rules are re-based on the
/// as-of date, as scoring does; without one there is no upper bound).
fn date_valid(
    d: Dialect,
    raw: &str,
    ctype: ColumnType,
    role: Option<Role>,
    opts: &CleanOptions,
) -> String {
    // The rule with a marker as-of date: a `max` equal to it is the as-of.
    let marker = IsoDate(i32::MIN / 2);
    let Validity::Dates { min, max } = validity_for(ctype, role, opts, Some(marker)) else {
        return raw.to_string();
    };
    let at = format!("a.{AS_OF}");
    let upper = match max {
        Some(m) if m == marker && role == Some(Role::BirthDate) => {
            format!(" AND ({at} IS NULL OR ({raw} <= {at} AND {raw} >= a.{BORN_AFTER}))")
        }
        Some(m) if m == marker => format!(" AND ({at} IS NULL OR {raw} <= {at})"),
        Some(m) => format!(" AND {raw} <= {}", d.date(m)),
        None => String::new(),
    };
    format!("CASE WHEN {raw} >= {}{upper} THEN {raw} END", d.date(min))
}
