//! The as-of date CTE (`custseg_as_of`, one row: the date [`AS_OF`], the
//! oldest valid birth date [`BORN_AFTER`] and, for a given date, a guard).
//!
//! By default it is what [`crate::pipeline::clean::resolve_as_of`] picks on
//! the scoring table: the latest activity date (last transaction, open
//! date) from 1900 on; with at least 100 such dates, dates more than 366
//! days after the 99.9th percentile (the pooled date at index
//! `(n - 1) * 999 / 1000`) look like typos and are ignored. A table with no
//! activity dates falls back to the model's as-of date.
//!
//! A given date earlier than every activity date is refused, as `custseg
//! score` refuses it: the guard column stops the statement with an error
//! naming the earliest date.

use super::dialect::Dialect;
use super::{AS_OF, AsOfSpec, BORN_AFTER, SqlRequest};
use crate::pipeline::clean::{ACTIVITY_ROLES, IsoDate};
use crate::pipeline::model::Model;

/// Mirrors `clean::AS_OF_TYPO_MIN_DATES` and `AS_OF_TYPO_GAP_DAYS`.
const TYPO_MIN_DATES: usize = 100;
const TYPO_GAP_DAYS: i32 = 366;

/// The CTE holding the bare as-of date (column [`AS_OF`]).
pub const BASE: &str = "custseg_as_of_base";
/// Name of the guard column.
pub const GUARD: &str = "cs_guard";

/// The base CTE of a given date (a literal or the user's expression).
pub fn given(req: &SqlRequest) -> Option<(String, String)> {
    let d = req.dialect;
    let expr = match &req.as_of {
        AsOfSpec::Date(date) => d.date(*date),
        AsOfSpec::Sql(expr) => d.date_of(expr),
        AsOfSpec::Latest => return None,
    };
    Some((BASE.into(), d.one_row(&format!("{expr} AS {AS_OF}"))))
}

/// 1900-01-01, the earliest date the as-of rules read.
fn floor(d: Dialect) -> String {
    IsoDate::from_ymd(1900, 1, 1).map_or_else(String::new, |f| d.date(f))
}

/// The activity dates (from 1900 on) of customer table `source`, as one
/// column `cs_date`.
fn pooled(model: &Model, d: Dialect, source: &str) -> Option<String> {
    let mut columns: Vec<&str> = ACTIVITY_ROLES
        .iter()
        .filter_map(|&r| model.customer_mapping.column_for(r))
        .collect();
    columns.dedup();
    if columns.is_empty() {
        return None;
    }
    let floor = floor(d);
    Some(
        columns
            .iter()
            .map(|c| {
                let c = d.as_date(&format!("t.{}", d.ident(c)));
                format!("SELECT {c} AS cs_date FROM {source} t WHERE {c} >= {floor}")
            })
            .collect::<Vec<_>>()
            .join("\n  UNION ALL\n  "),
    )
}

/// The latest activity date of `source` as the base CTE.
pub fn latest(model: &Model, d: Dialect, source: &str) -> Vec<(String, String)> {
    let fallback = model
        .clean
        .as_of
        .map_or_else(|| "NULL".to_string(), |a| d.date(a));
    let Some(pooled) = pooled(model, d, source) else {
        return vec![(
            BASE.into(),
            d.one_row(&format!("{} AS {AS_OF}", d.as_date(&fallback))),
        )];
    };
    let index = d.int_div("(cs_n - 1) * 999", "1000");
    vec![
        ("custseg_pooled".into(), pooled),
        (
            "custseg_ranked".into(),
            "SELECT cs_date, ROW_NUMBER() OVER (ORDER BY cs_date) - 1 AS cs_i, COUNT(*) OVER () AS cs_n\n  FROM custseg_pooled".into(),
        ),
        (
            "custseg_cut".into(),
            format!(
                "SELECT MAX(cs_n) AS cs_n, MAX(CASE WHEN cs_i = {index} THEN cs_date END) AS cs_q\n  FROM custseg_ranked"
            ),
        ),
        (
            BASE.into(),
            format!(
                "SELECT COALESCE(MAX(p.cs_date), {fallback}) AS {AS_OF}\n  FROM custseg_pooled p CROSS JOIN custseg_cut c\n  WHERE c.cs_n < {TYPO_MIN_DATES} OR p.cs_date <= {}",
                d.add_days("c.cs_q", TYPO_GAP_DAYS)
            ),
        ),
    ]
}

/// The earliest activity date of customer table `source` (`custseg_first`).
pub fn first(model: &Model, d: Dialect, source: &str) -> Option<(String, String)> {
    let pooled = pooled(model, d, source)?;
    Some((
        "custseg_first".into(),
        format!("SELECT MIN(cs_date) AS cs_first\n  FROM (\n  {pooled}\n  ) p"),
    ))
}

/// The error of a given as-of date before every date: `at` the as-of
/// date, `earliest` the earliest date (date expressions).
pub fn refusal(d: Dialect, what: &str, at: &str, earliest: &str) -> String {
    let text = [
        d.string("custseg: the as-of date "),
        d.date_text(at),
        d.string(&format!(" is earlier than every {what} (the earliest is ")),
        d.date_text(earliest),
        d.string("); give a later as-of date"),
    ];
    let joined = text[1..]
        .iter()
        .fold(text[0].clone(), |acc, t| d.concat(&acc, t));
    d.fail(&joined)
}

/// `custseg_as_of`: the base date, the oldest valid birth date and, when
/// `custseg_first` is there, the guard.
pub fn complete(model: &Model, d: Dialect, guarded: bool) -> (String, String) {
    let months = (model.config.clean.max_age * 12.0) as u32;
    let at = format!("b.{AS_OF}");
    let mut cols = vec![
        format!("{at} AS {AS_OF}"),
        format!("{} AS {BORN_AFTER}", d.sub_months(&at, months)),
    ];
    let mut from = format!("{BASE} b");
    if guarded {
        cols.push(format!(
            "CASE WHEN f.cs_first > {at} THEN {} ELSE 0 END AS {GUARD}",
            refusal(d, "activity date in the table", &at, "f.cs_first")
        ));
        from.push_str(" CROSS JOIN custseg_first f");
    }
    ("custseg_as_of".into(), super::select(&cols, &from))
}
