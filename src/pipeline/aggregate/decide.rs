//! Is the input one row per customer or one row per transaction?

use super::InputKind;
use crate::error::{Error, Result};
use crate::pipeline::id_key::IdKeys;
use crate::pipeline::id_repeats::{FirstRepeat, IdCount, count_ids, first_repeat};
use crate::pipeline::mapping::{Mapping, Role};
use crate::pipeline::table::{Column, Table};
use crate::remedy::Remedy;
use serde::{Deserialize, Serialize};

/// Whether the table is aggregated, and why.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InputDecision {
    pub aggregate: bool,
    pub reason: String,
    /// The input kind that would override an automatic decision.
    #[serde(skip)]
    pub remedy: Option<Remedy>,
    pub rows: usize,
    /// Distinct customer ids, when `auto` mode read the whole id column (it
    /// stops at the first repeated id when a transaction date is mapped).
    pub distinct_ids: Option<usize>,
}

impl InputDecision {
    /// The reason as the command line (and the report) words it.
    pub fn cli_reason(&self) -> String {
        match &self.remedy {
            Some(r) => format!("{} ({})", self.reason, r.cli_phrase()),
            None => self.reason.clone(),
        }
    }

    /// A decision without a remedy or a count of ids.
    fn plain(aggregate: bool, reason: impl Into<String>, rows: usize) -> InputDecision {
        InputDecision {
            aggregate,
            reason: reason.into(),
            remedy: None,
            rows,
            distinct_ids: None,
        }
    }
}

/// The input kind `kind` ("customers" or "transactions") as a remedy.
fn input_remedy(kind: &str) -> Remedy {
    Remedy::InputKind { kind: kind.into() }
}

/// The option that names the customer id column.
pub(super) fn id_remedy() -> Remedy {
    Remedy::SetRole {
        role: Role::CustomerId.key().to_string(),
        column: None,
    }
}

/// Whether to aggregate the table: as the user set `kind`, or by the `auto`
/// rule: a table is a transaction log when its customer ids repeat and
/// either a transaction-date column is mapped or at least 20% of the rows
/// repeat an id seen before. Fewer repeats without a transaction date are
/// duplicates in a customer table, which Clean handles with its policy.
pub fn decide_input(table: &Table, mapping: &Mapping, kind: InputKind) -> Result<InputDecision> {
    let id = mapping
        .column_for(Role::CustomerId)
        .and_then(|c| table.column(c));
    let rows = table.n_rows;
    match (kind, id) {
        (InputKind::Customers, _) => Ok(InputDecision::plain(
            false,
            "one row per customer, as set by the user",
            rows,
        )),
        (InputKind::Transactions, None) => Err(Error::Setting {
            setting: input_remedy("transactions"),
            message: "a transaction log needs a customer id column to group by; \
                      none was found"
                .into(),
            remedy: Some(Box::new(id_remedy())),
        }),
        (InputKind::Transactions, Some(_)) => Ok(InputDecision::plain(
            true,
            "one row per transaction, as set by the user",
            rows,
        )),
        (InputKind::Auto, None) => decide_without_id(table, mapping),
        (InputKind::Auto, Some(id)) if mapping.column_for(Role::TxnDate).is_some() => {
            Ok(decide_by_first_repeat(table, id))
        }
        (InputKind::Auto, Some(id)) => Ok(decide_by_repeat_share(table, id)),
    }
}

/// No customer id: the rows are customers, unless the mapping saw
/// transactions, which cannot be grouped.
fn decide_without_id(table: &Table, mapping: &Mapping) -> Result<InputDecision> {
    if mapping.id.rows_look_like_transactions {
        return Err(Error::with_remedy(
            format!(
                "{}: the rows look like transactions ({}), but no customer id column was found, \
                 so there are no customers to segment",
                table.source.file_name(),
                mapping.id.reason
            ),
            Remedy::OneOf(vec![id_remedy(), input_remedy("customers")]),
        ));
    }
    Ok(InputDecision::plain(
        false,
        "no customer id column, so rows are taken as customers",
        table.n_rows,
    ))
}

/// With a transaction date one repeated id decides it: the first.
fn decide_by_first_repeat(table: &Table, id: &Column) -> InputDecision {
    let rows = table.n_rows;
    match first_repeat(&IdKeys::new(&id.data), rows) {
        FirstRepeat::Found { earlier, row } => InputDecision {
            aggregate: true,
            reason: format!(
                "customer ids repeat ('{}' on {} and {}) and there is a transaction date: \
                 a transaction log",
                id.data.display(row),
                table.row_label(earlier),
                table.row_label(row)
            ),
            remedy: Some(input_remedy("customers")),
            rows,
            distinct_ids: None,
        },
        FirstRepeat::None { distinct } => InputDecision {
            aggregate: false,
            reason: format!(
                "every customer id in '{}' is unique: one row per customer",
                id.name
            ),
            rows,
            distinct_ids: Some(distinct),
            remedy: None,
        },
    }
}

/// Without a transaction date: a log when at least 20% of the rows repeat
/// an id seen before.
fn decide_by_repeat_share(table: &Table, id: &Column) -> InputDecision {
    let rows = table.n_rows;
    let IdCount { with_id, distinct } = count_ids(&IdKeys::new(&id.data), rows);
    let repeats = with_id - distinct;
    let (aggregate, reason) = if repeats == 0 {
        (
            false,
            format!(
                "every customer id in '{}' is unique: one row per customer",
                id.name
            ),
        )
    } else if repeats * 5 >= with_id {
        (
            true,
            format!(
                "customer ids repeat on {:.0}% of the rows ({rows} rows, {distinct} ids): \
                 a transaction log",
                100.0 * repeats as f64 / with_id.max(1) as f64
            ),
        )
    } else {
        (
            false,
            format!(
                "{repeats} rows repeat a customer id, too few for a transaction log: \
                 duplicates in a customer table, which Clean handles"
            ),
        )
    };
    // Repeated ids were read one way: the other input kind overrides it.
    let remedy = (repeats > 0).then(|| {
        input_remedy(if aggregate {
            "customers"
        } else {
            "transactions"
        })
    });
    InputDecision {
        aggregate,
        reason,
        remedy,
        rows,
        distinct_ids: Some(distinct),
    }
}
