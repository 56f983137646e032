//! The aggregation of a transaction log in SQL: the log's rows read as
//! custseg reads them (value and kind per [`log_shape::Reader`]), rows
//! after a given as-of date and, under the `exclude` returns policy,
//! cancellations left out, then one row per customer (`GROUP BY` the id)
//! with the columns the model's features and as-of date read, named as the
//! aggregation names them. The later steps read that table as they read a
//! customer table.
//!
//! Row order: custseg breaks two ties by the file's row order (the last
//! balance among rows of the same latest date; the most frequent value of
//! an attribute). A table has no row order, so the statement orders rows by
//! `--row-order` (an expression), else by the log's transaction number.

use super::columns::{finite, text_value};
use super::dialect::Dialect;
use super::log_shape::{LogShape, Origin, Reader, shape};
use super::{SqlRequest, Unsupported, select};
use crate::pipeline::model::Model;
use crate::pipeline::table::ColumnType;
use crate::pipeline::txn_meaning::{DirectionWords, MonetaryBasis, ReturnsPolicy};

/// Name of the customer-level table the later steps read.
pub const CUSTOMERS: &str = "custseg_customers";

/// Kinds of row, as one-letter codes (`txn_meaning::RowKind`).
const PURCHASE: &str = "'B'";
const CANCEL: &str = "'C'";
const MONEY_IN: &str = "'I'";
const MONEY_OUT: &str = "'O'";

/// What the statement orders the log's rows by, and why (for its header).
pub struct RowOrder {
    pub expr: Option<String>,
    pub note: String,
    /// Whether the order is custseg's guess (the transaction number, or
    /// none), which the user may want to give.
    pub guessed: bool,
}

pub fn row_order(model: &Model, req: &SqlRequest) -> Result<RowOrder, Unsupported> {
    let shape = shape(model)?;
    Ok(match (&req.row_order, &shape.txn_id) {
        (Some(e), _) => RowOrder {
            expr: Some(e.clone()),
            note: format!("rows in the order of {e} (the given row order)"),
            guessed: false,
        },
        (None, Some(c)) => RowOrder {
            expr: Some(format!("t.{}", req.dialect.ident(c))),
            note: format!(
                "rows in the order of the transaction number '{c}' (give the file's row order if it differs)"
            ),
            guessed: true,
        },
        (None, None) => RowOrder {
            expr: None,
            note: "no row order (no transaction number and no row order given): ties of the last balance and of an attribute's most frequent value go to the larger value".into(),
            guessed: true,
        },
    })
}

/// The CTEs that build [`CUSTOMERS`] with the columns `needed`; `cut` is
/// the CTE and column of a given as-of date.
pub fn ctes(
    model: &Model,
    req: &SqlRequest,
    needed: &[String],
    cut: Option<(&str, &str)>,
) -> Result<Vec<(String, String)>, Unsupported> {
    let s = shape(model)?;
    let d = req.dialect;
    let order = row_order(model, req)?.expr;
    let mut origins = Vec::new();
    for name in needed {
        origins.push((name.clone(), s.origin(model, name)?.clone()));
    }
    let attrs: Vec<(String, ColumnType)> = origins
        .iter()
        .filter_map(|(_, o)| match o {
            Origin::Attribute { source, ctype } => Some((source.clone(), *ctype)),
            _ => None,
        })
        .collect();
    let words = &model.config.aggregate.direction_words;
    let mut read = row_columns(d, &s, words);
    if let Some(o) = &order {
        read.push(format!("{o} AS cs_ord"));
    }
    for (j, (source, ctype)) in attrs.iter().enumerate() {
        read.push(format!("{} AS cs_a{j}", typed(d, source, *ctype)));
    }
    let table = format!("{} t", d.table(&req.table));
    let mut ctes = Vec::new();
    let from = match (cut, &s.date) {
        (Some((cte, col)), Some(date)) => {
            ctes.push((
                "custseg_log_guard".into(),
                guard(d, &s, &table, date, (cte, col)),
            ));
            // The only condition, so every engine evaluates the guard.
            format!("{table} CROSS JOIN custseg_log_guard g\n  WHERE g.cs_guard = 0")
        }
        _ => table,
    };
    ctes.push(("custseg_log_read".to_string(), select(&read, &from)));
    ctes.push(("custseg_log".into(), kept_rows(&s, cut)));
    ctes.push(("custseg_agg".into(), aggregate(d, &s, &origins)));
    let balance = origins.iter().any(|(_, o)| *o == Origin::LastBalance);
    if balance {
        ctes.push(("custseg_balance".into(), last_balance(&s, order.is_some())));
    }
    for j in 0..attrs.len() {
        ctes.extend(attribute(j, order.is_some()));
    }
    ctes.push((CUSTOMERS.into(), customers(d, &origins, balance)));
    Ok(ctes)
}

/// A log column as custseg's loader types it.
fn typed(d: Dialect, column: &str, ctype: ColumnType) -> String {
    let c = format!("t.{}", d.ident(column));
    match ctype {
        ColumnType::Text => text_value(d, &c),
        ColumnType::Date => d.as_date(&c),
        ColumnType::Number | ColumnType::Flag => d.double(&c),
    }
}

/// The per-row columns: id, date, value, kind, invoice, balance.
fn row_columns(d: Dialect, s: &LogShape, words: &DirectionWords) -> Vec<String> {
    let id_type = if s.id_text {
        ColumnType::Text
    } else {
        ColumnType::Number
    };
    let mut cols = vec![format!("{} AS cs_id", typed(d, &s.id, id_type))];
    if let Some(date) = &s.date {
        cols.push(format!("{} AS cs_d", typed(d, date, ColumnType::Date)));
    }
    let num = |c: &str| typed(d, c, ColumnType::Number);
    let (value, kind, invoice) = match &s.reader {
        Reader::Amounts(None) => (None, None, None),
        Reader::Amounts(Some(a)) => (Some(finite(d, &num(a))), None, None),
        Reader::Invoice {
            qty,
            price,
            invoice,
            cancel_prefix,
        } => {
            let q = num(qty);
            let inv = invoice.as_ref().map(|(c, text)| {
                let t = if *text {
                    ColumnType::Text
                } else {
                    ColumnType::Number
                };
                (typed(d, c, t), *text)
            });
            let prefix = match &inv {
                Some((v, true)) if *cancel_prefix => {
                    let (first, second) = (d.substr(v, 1, 1), d.substr(v, 2, 1));
                    format!(" OR ({first} IN ('C', 'c') AND {second} >= '0' AND {second} <= '9')")
                }
                _ => String::new(),
            };
            (
                Some(finite(d, &format!("{q} * {}", num(price)))),
                Some(format!(
                    "CASE WHEN {q} < {}{prefix} THEN {CANCEL} ELSE {PURCHASE} END",
                    d.num(0.0)
                )),
                inv.map(|(v, _)| v),
            )
        }
        Reader::SignedFlows(a) => {
            let x = num(a);
            (
                Some(finite(d, &format!("ABS({x})"))),
                Some(format!(
                    "CASE WHEN {x} < {} THEN {MONEY_OUT} ELSE {MONEY_IN} END",
                    d.num(0.0)
                )),
                None,
            )
        }
        Reader::DirectedFlows { amount, direction } => (
            Some(finite(d, &format!("ABS({})", num(amount)))),
            Some(super::direction::kind(
                d,
                &typed(d, direction, ColumnType::Text),
                words,
            )),
            None,
        ),
        Reader::SplitFlows { inflow, outflow } => {
            let (i, o) = (num(inflow), num(outflow));
            let (vi, vo) = (finite(d, &i), finite(d, &o));
            let held = |v: &str| format!("({v} IS NOT NULL AND {v} <> {})", d.num(0.0));
            let (hi, ho) = (held(&vi), held(&vo));
            (
                Some(format!(
                    "CASE WHEN {hi} AND NOT {ho} THEN ABS({vi}) WHEN {ho} AND NOT {hi} THEN ABS({vo}) \
                     WHEN {hi} AND {ho} THEN NULL WHEN {i} = {z} OR {o} = {z} THEN {z} END",
                    z = d.num(0.0)
                )),
                Some(format!(
                    "CASE WHEN {hi} AND NOT {ho} THEN {MONEY_IN} WHEN {ho} AND NOT {hi} THEN {MONEY_OUT} ELSE 'U' END"
                )),
                None,
            )
        }
    };
    cols.extend(value.map(|v| format!("{v} AS cs_x")));
    cols.extend(kind.map(|k| format!("{k} AS cs_k")));
    cols.extend(invoice.map(|v| format!("{v} AS cs_inv")));
    if let Some(b) = &s.balance {
        cols.push(format!("{} AS cs_bal", finite(d, &num(b))));
    }
    cols
}

/// Refuses a given as-of date before every dated row with an id (the
/// aggregation refuses it when no customer is left).
fn guard(d: Dialect, s: &LogShape, table: &str, date: &str, (cte, col): (&str, &str)) -> String {
    let id_type = if s.id_text {
        ColumnType::Text
    } else {
        ColumnType::Number
    };
    let id = typed(d, &s.id, id_type);
    let day = typed(d, date, ColumnType::Date);
    let fail = super::as_of::refusal(
        d,
        "transaction date in the log",
        &format!("MAX(c.{col})"),
        &format!("MIN({day})"),
    );
    format!(
        "SELECT CASE WHEN SUM(CASE WHEN {day} IS NULL OR {day} <= c.{col} THEN 1 ELSE 0 END) = 0 AND MIN({day}) IS NOT NULL THEN {fail} ELSE 0 END AS cs_guard\n  FROM {table} CROSS JOIN {cte} c\n  WHERE {id} IS NOT NULL"
    )
}

/// Rows with a customer id, dated on or before a given as-of date (undated
/// rows stay), and no cancellations under the `exclude` policy.
fn kept_rows(s: &LogShape, cut: Option<(&str, &str)>) -> String {
    let mut filter = vec!["r.cs_id IS NOT NULL".to_string()];
    let mut from = "custseg_log_read r".to_string();
    if let (Some((cte, col)), Some(_)) = (cut, &s.date) {
        from.push_str(&format!(" CROSS JOIN {cte} c"));
        filter.push(format!("(r.cs_d IS NULL OR r.cs_d <= c.{col})"));
    }
    let invoice = matches!(s.reader, Reader::Invoice { .. });
    if invoice && s.plan.returns == ReturnsPolicy::Exclude {
        filter.push(format!("r.cs_k <> {CANCEL}"));
    }
    format!(
        "SELECT r.*\n  FROM {from}\n  WHERE {}",
        filter.join(" AND ")
    )
}

/// Distinct invoices of `kind`, plus lines of that kind without a number.
fn counted(s: &LogShape, kind: &str) -> String {
    match &s.reader {
        Reader::Invoice {
            invoice: Some(_), ..
        } => format!(
            "(COUNT(DISTINCT CASE WHEN cs_k = {kind} THEN cs_inv END) + SUM(CASE WHEN cs_k = {kind} AND cs_inv IS NULL THEN 1 ELSE 0 END))"
        ),
        _ => format!("SUM(CASE WHEN cs_k = {kind} THEN 1 ELSE 0 END)"),
    }
}

/// One customer-level measure over the customer's kept rows.
fn measure(d: Dialect, s: &LogShape, origin: &Origin) -> Option<String> {
    let zero = d.num(0.0);
    let any = "COUNT(cs_x) > 0";
    let flow = |k: &str| format!("COALESCE(SUM(CASE WHEN cs_k = {k} THEN cs_x END), {zero})");
    let invoice = matches!(s.reader, Reader::Invoice { .. });
    let purchases = counted(s, PURCHASE);
    let bought = |f: &str| format!("{f}(CASE WHEN cs_k = {PURCHASE} THEN cs_d END)");
    Some(match origin {
        Origin::Rows => "COUNT(*)".into(),
        Origin::Total => format!("CASE WHEN {any} THEN SUM(cs_x) END"),
        Origin::Mean => format!("CASE WHEN {any} THEN SUM(cs_x) / COUNT(cs_x) END"),
        Origin::Purchases => purchases,
        Origin::Cancels => counted(s, CANCEL),
        Origin::PerPurchase => {
            format!("CASE WHEN {purchases} > 0 THEN COALESCE(SUM(cs_x), {zero}) / {purchases} END")
        }
        Origin::ReturnsValue => format!("-{}", flow(CANCEL)),
        Origin::Flow(basis) => {
            let v = match basis {
                MonetaryBasis::Inflow => flow(MONEY_IN),
                MonetaryBasis::Outflow => flow(MONEY_OUT),
                MonetaryBasis::Net => format!("{} - {}", flow(MONEY_IN), flow(MONEY_OUT)),
            };
            format!("CASE WHEN {any} THEN {v} END")
        }
        // Invoice lines: the purchases' dates, else any line's.
        Origin::FirstDate if invoice => format!(
            "CASE WHEN {} IS NOT NULL THEN {} ELSE MIN(cs_d) END",
            bought("MAX"),
            bought("MIN")
        ),
        Origin::LastDate if invoice => format!(
            "CASE WHEN {} IS NOT NULL THEN {} ELSE MAX(cs_d) END",
            bought("MAX"),
            bought("MAX")
        ),
        Origin::FirstDate => "MIN(cs_d)".into(),
        Origin::LastDate => "MAX(cs_d)".into(),
        Origin::Id | Origin::LastBalance | Origin::Attribute { .. } | Origin::Other => {
            return None;
        }
    })
}

fn aggregate(d: Dialect, s: &LogShape, origins: &[(String, Origin)]) -> String {
    let mut cols = vec!["cs_id".to_string()];
    for (j, (_, o)) in origins.iter().enumerate() {
        if let Some(m) = measure(d, s, o) {
            cols.push(format!("{m} AS cs_m{j}"));
        }
    }
    format!("{}\n  GROUP BY cs_id", select(&cols, "custseg_log"))
}

/// Finite balances ranked: the latest dated row first, then the later row.
fn last_balance(s: &LogShape, ordered: bool) -> String {
    let mut by = Vec::new();
    if s.date.is_some() {
        by.push("CASE WHEN cs_d IS NULL THEN 0 ELSE 1 END DESC, cs_d DESC".to_string());
    }
    if ordered {
        by.push("CASE WHEN cs_ord IS NULL THEN 0 ELSE 1 END DESC, cs_ord DESC".into());
    }
    by.push("cs_bal DESC".into());
    format!(
        "SELECT cs_id, cs_bal, ROW_NUMBER() OVER (PARTITION BY cs_id ORDER BY {}) AS cs_rank\n  FROM custseg_log\n  WHERE cs_bal IS NOT NULL",
        by.join(", ")
    )
}

/// An attribute's values per customer ranked: the most frequent first,
/// ties to the value seen last.
fn attribute(j: usize, ordered: bool) -> Vec<(String, String)> {
    let last = if ordered {
        ", MAX(cs_ord) AS cs_last"
    } else {
        ""
    };
    let tie = if ordered {
        "CASE WHEN cs_last IS NULL THEN 0 ELSE 1 END DESC, cs_last DESC, "
    } else {
        ""
    };
    vec![
        (
            format!("custseg_attr{j}_n"),
            format!(
                "SELECT cs_id, cs_a{j} AS cs_v, COUNT(*) AS cs_n{last}\n  FROM custseg_log\n  WHERE cs_a{j} IS NOT NULL\n  GROUP BY cs_id, cs_a{j}"
            ),
        ),
        (
            format!("custseg_attr{j}"),
            format!(
                "SELECT cs_id, cs_v, ROW_NUMBER() OVER (PARTITION BY cs_id ORDER BY cs_n DESC, {tie}cs_v DESC) AS cs_rank\n  FROM custseg_attr{j}_n"
            ),
        ),
    ]
}

/// One row per customer, its columns named as the aggregation names them.
fn customers(d: Dialect, origins: &[(String, Origin)], balance: bool) -> String {
    let mut cols = Vec::new();
    let mut joins = String::new();
    let mut attr = 0;
    for (j, (name, o)) in origins.iter().enumerate() {
        let e = match o {
            Origin::Id => "g.cs_id".to_string(),
            Origin::LastBalance => "b.cs_bal".into(),
            Origin::Attribute { .. } => {
                joins.push_str(&format!(
                    "\n  LEFT JOIN custseg_attr{attr} a{attr} ON a{attr}.cs_id = g.cs_id AND a{attr}.cs_rank = 1"
                ));
                attr += 1;
                format!("a{}.cs_v", attr - 1)
            }
            _ => format!("g.cs_m{j}"),
        };
        cols.push(format!("{e} AS {}", d.ident(name)));
    }
    if balance {
        joins.insert_str(
            0,
            "\n  LEFT JOIN custseg_balance b ON b.cs_id = g.cs_id AND b.cs_rank = 1",
        );
    }
    select(&cols, &format!("custseg_agg g{joins}"))
}
