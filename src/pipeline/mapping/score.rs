//! How well a column fits a role: by its header (the alias dictionary) and
//! by its values; and the checks that veto a partial header match.

use super::{Role, normalise};
use crate::pipeline::customer_key::{key_shape, names_other_entity};
use crate::pipeline::table::{Column, Table};
use crate::pipeline::txn_meaning::direction_share;

/// Strips a trailing unit/period qualifier: "txncount12m" -> "txncount".
fn without_qualifiers(n: &str) -> &str {
    let mut s = n;
    for suffix in [
        "inr", "cny", "rmb", "usd", "eur", "12m", "1y", "ytd", "total", "元", "个",
    ] {
        if let Some(r) = s.strip_suffix(suffix)
            && !r.is_empty()
        {
            s = r;
        }
    }
    s
}

fn is_cjk(s: &str) -> bool {
    s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

/// How well a header matches a role's aliases: 1.0 exact, less for partial.
pub(super) fn header_score(role: Role, header: &str) -> f64 {
    let n = normalise(header);
    if n.is_empty() {
        return 0.0;
    }
    let q = without_qualifiers(&n);
    let mut best: f64 = 0.0;
    for alias in role.aliases() {
        if n == *alias || q == *alias {
            return 1.0;
        }
        // Contained matches only for aliases long enough not to match by accident
        // ("age" is in "vintage", "bal" in "global"); never for the columns
        // of money in and out.
        let long_enough = if matches!(role, Role::TxnInflow | Role::TxnOutflow) {
            false
        } else if is_cjk(alias) {
            alias.chars().count() >= 2
        } else {
            alias.len() >= 6
        };
        if long_enough
            && n.contains(alias)
            && !rest_names_another_role(role, &n.replacen(alias, "", 1))
        {
            let coverage = alias.chars().count() as f64 / n.chars().count() as f64;
            best = best.max(0.6 + 0.3 * coverage);
        }
    }
    best
}

/// Whether what is left of a header around a contained alias is itself
/// another role's word: "BALANCE_FREQUENCY" is a ratio about the balance,
/// not a transaction count.
///
/// Identifier words do not count: an account's balance is a balance and an
/// invoice's amount an amount ("AccountAvgBalance", "InvoiceAmount").
fn rest_names_another_role(role: Role, rest: &str) -> bool {
    !rest.is_empty()
        && Role::ALL
            .iter()
            .filter(|r| {
                **r != role
                    && !matches!(
                        r,
                        Role::CustomerId | Role::TxnId | Role::TxnInflow | Role::TxnOutflow
                    )
            })
            .any(|r| {
                r.aliases()
                    .iter()
                    .any(|a| a.chars().count() >= 3 && rest.contains(a))
            })
}

/// Roles read from values when the header says nothing.
pub(super) fn value_score(role: Role, table: &Table, j: usize) -> f64 {
    let col = &table.columns[j];
    match role {
        Role::Gender => {
            let Some(text) = col.texts() else { return 0.0 };
            let mut seen = 0usize;
            let mut matched = 0usize;
            for v in text.iter().flatten().take(2000) {
                seen += 1;
                let l = v.to_lowercase();
                if ["m", "f", "male", "female", "男", "女", "man", "woman"].contains(&l.as_str())
                {
                    matched += 1;
                }
            }
            if seen > 0 && matched * 100 >= seen * 95 {
                0.7
            } else {
                0.0
            }
        }
        Role::Direction => {
            let (share, both) = direction_share(col);
            if share >= 0.95 && both { 0.8 } else { 0.0 }
        }
        _ => 0.0,
    }
}

/// Why a column's values cannot be what a partial header match says, if
/// they cannot: counts are whole numbers (a few stray fractions allowed), a
/// customer id holds key-like values and is not named after another entity.
/// Asked only of partial header matches; an exact header or `--map` is
/// trusted.
pub(super) fn implausible_values(role: Role, col: &Column) -> Option<String> {
    match role {
        Role::TxnCount | Role::ProductCount => {
            (!whole_numbers(col)).then(|| "its values are not whole numbers".to_string())
        }
        Role::CustomerId if names_other_entity(&col.name) => {
            Some("the rest of its name says it is not the customer".to_string())
        }
        Role::CustomerId if key_shape(col).is_none() => {
            Some("its values do not look like ids (whole numbers or codes)".to_string())
        }
        _ => None,
    }
}

fn whole_numbers(col: &Column) -> bool {
    let Some(values) = col.numbers() else {
        return true;
    };
    let (mut seen, mut fractional) = (0usize, 0usize);
    for &v in values.iter().filter(|v| v.is_finite()).take(5000) {
        seen += 1;
        fractional += (v.fract() != 0.0) as usize;
    }
    fractional * 10 <= seen
}

/// Names that mark a numeric column as a code, not a quantity to cluster on.
pub(super) fn looks_like_code(name: &str) -> bool {
    let n = normalise(name);
    [
        "id", "no", "code", "zip", "postcode", "phone", "mobile", "编号", "代码", "电话", "手机",
        "邮编", "序号",
    ]
    .iter()
    .any(|k| n == *k || n.ends_with(k) && (k.len() > 2 || is_cjk(k)))
        || n.ends_with("id")
        || n == "rownumber"
        || n == "index"
}
