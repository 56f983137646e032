//! The as-of date CTE (`custseg_as_of`, one row, column [`AS_OF`]).
//!
//! By default it is what [`crate::pipeline::clean::resolve_as_of`] picks on
//! the scoring table: the latest activity date (last transaction, open
//! date) from 1900 on; with at least 100 such dates, dates more than 366
//! days after the 99.9th percentile (the pooled date at index
//! `(n - 1) * 999 / 1000`) look like typos and are ignored. A table with no
//! activity dates falls back to the model's as-of date.

use super::{AS_OF, AsOfSpec, SqlRequest};
use crate::pipeline::clean::{ACTIVITY_ROLES, IsoDate};
use crate::pipeline::model::Model;

/// Mirrors `clean::AS_OF_TYPO_MIN_DATES` and `AS_OF_TYPO_GAP_DAYS`.
const TYPO_MIN_DATES: usize = 100;
const TYPO_GAP_DAYS: i32 = 366;

pub fn ctes(model: &Model, req: &SqlRequest) -> Vec<(String, String)> {
    let d = req.dialect;
    let one = |expr: String| {
        vec![(
            "custseg_as_of".to_string(),
            format!("SELECT {expr} AS {AS_OF}"),
        )]
    };
    match &req.as_of {
        AsOfSpec::Date(date) => one(d.date(*date)),
        AsOfSpec::Sql(expr) => one(d.date_of(expr)),
        AsOfSpec::Latest => latest(model, req),
    }
}

fn latest(model: &Model, req: &SqlRequest) -> Vec<(String, String)> {
    let d = req.dialect;
    let table = d.table(&req.table);
    let mut columns: Vec<&str> = ACTIVITY_ROLES
        .iter()
        .filter_map(|&r| model.customer_mapping.column_for(r))
        .collect();
    columns.dedup();
    let fallback = model
        .clean
        .as_of
        .map_or_else(|| "NULL".to_string(), |a| d.date(a));
    if columns.is_empty() {
        return vec![(
            "custseg_as_of".into(),
            format!("SELECT {fallback} AS {AS_OF}"),
        )];
    }
    let floor = IsoDate::from_ymd(1900, 1, 1).map_or_else(String::new, |f| d.date(f));
    let pooled = columns
        .iter()
        .map(|c| {
            let c = d.ident(c);
            format!("SELECT t.{c} AS cs_date FROM {table} t WHERE t.{c} >= {floor}")
        })
        .collect::<Vec<_>>()
        .join("\n  UNION ALL\n  ");
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
            "custseg_as_of".into(),
            format!(
                "SELECT COALESCE(MAX(p.cs_date), {fallback}) AS {AS_OF}\n  FROM custseg_pooled p CROSS JOIN custseg_cut c\n  WHERE c.cs_n < {TYPO_MIN_DATES} OR p.cs_date <= {}",
                d.add_days("c.cs_q", TYPO_GAP_DAYS)
            ),
        ),
    ]
}
