//! Which customer-level columns a transaction-log model's aggregation
//! builds, and from what: the same decisions
//! [`crate::pipeline::aggregate::aggregate_with_plan`] makes from the log's
//! mapping and the saved plan (the reader's layout, the measure columns,
//! first/last dates, the last balance, the carried attributes and their
//! `_agg` renaming), so the SQL can build each column the features read.
//! The names are checked against the model's own customer-level mapping.

use super::Unsupported;
use crate::pipeline::log_tenure::NEW_IN_LOG;
use crate::pipeline::mapping::{ColumnMapping, ColumnUse, Mapping, Role};
use crate::pipeline::model::Model;
use crate::pipeline::table::ColumnType;
use crate::pipeline::txn_meaning::{LogLayout, LogPlan, MonetaryBasis, ReturnsPolicy};

/// How a log row's value and kind are read (`txn_meaning::RowReader`).
#[derive(Clone, Debug, PartialEq)]
pub enum Reader {
    Amounts(Option<String>),
    Invoice {
        qty: String,
        price: String,
        /// The invoice-number column and whether it holds text.
        invoice: Option<(String, bool)>,
        cancel_prefix: bool,
    },
    SignedFlows(String),
    DirectedFlows {
        amount: String,
        direction: String,
    },
    SplitFlows {
        inflow: String,
        outflow: String,
    },
}

/// What one customer-level column is.
#[derive(Clone, Debug, PartialEq)]
pub enum Origin {
    Id,
    /// Rows of the customer (`txn_count`).
    Rows,
    /// Sum of the finite values, missing without any (`txn_amount_total`, `spend`).
    Total,
    /// Sum over rows with a finite value (`txn_amount_mean`).
    Mean,
    /// Distinct purchase invoices (or purchase lines).
    Purchases,
    Cancels,
    /// The total over the purchases counted (0 when nothing was summed).
    PerPurchase,
    /// Value of the cancelled lines as a positive amount.
    ReturnsValue,
    Flow(MonetaryBasis),
    FirstDate,
    LastDate,
    LastBalance,
    /// The most frequent value of a log column (ties: the later row).
    Attribute {
        source: String,
        ctype: ColumnType,
    },
    /// Not built by the SQL (e.g. `new_in_log`, which needs the whole log's window).
    Other,
}

/// The raw log columns the aggregation reads.
#[derive(Clone, Debug)]
pub struct LogShape {
    pub plan: LogPlan,
    pub reader: Reader,
    pub id: String,
    /// Whether the id column holds text.
    pub id_text: bool,
    pub date: Option<String>,
    pub balance: Option<String>,
    /// The mapped transaction (or invoice) number, which orders rows by default.
    pub txn_id: Option<String>,
    /// (customer-level name, origin), in the aggregation's order.
    pub columns: Vec<(String, Origin)>,
}

/// Roles that describe the customer rather than one transaction
/// (`aggregate::ATTRIBUTE_ROLES`).
const ATTRIBUTE_ROLES: [Role; 7] = [
    Role::Age,
    Role::BirthDate,
    Role::Gender,
    Role::Branch,
    Role::OpenDate,
    Role::ProductCount,
    Role::Tenure,
];

fn column(m: &Mapping, role: Role) -> Option<&ColumnMapping> {
    m.columns.iter().find(|c| c.role == Some(role))
}

/// A role's column unless it is marked "ignore" (the transaction date and
/// number are read even then).
fn usable(m: &Mapping, role: Role) -> Option<&ColumnMapping> {
    column(m, role)
        .filter(|c| c.usage != ColumnUse::Ignore || matches!(role, Role::TxnDate | Role::TxnId))
}

fn numeric(m: &Mapping, role: Role) -> Option<String> {
    usable(m, role)
        .filter(|c| c.ctype == ColumnType::Number)
        .map(|c| c.column.clone())
}

fn reader(m: &Mapping, plan: &LogPlan) -> Reader {
    let amount = numeric(m, Role::TxnAmount);
    match plan.layout {
        LogLayout::InvoiceLines { cancel_prefix } => {
            match (numeric(m, Role::Quantity), numeric(m, Role::UnitPrice)) {
                (Some(qty), Some(price)) => Reader::Invoice {
                    qty,
                    price,
                    invoice: column(m, Role::TxnId)
                        .map(|c| (c.column.clone(), c.ctype == ColumnType::Text)),
                    cancel_prefix,
                },
                _ => Reader::Amounts(amount),
            }
        }
        LogLayout::Flows { by_sign: true } => {
            amount.map_or(Reader::Amounts(None), Reader::SignedFlows)
        }
        LogLayout::Flows { by_sign: false } => {
            let direction = usable(m, Role::Direction).filter(|c| c.ctype == ColumnType::Text);
            match (amount, direction) {
                (Some(amount), Some(d)) => Reader::DirectedFlows {
                    amount,
                    direction: d.column.clone(),
                },
                (amount, _) => Reader::Amounts(amount),
            }
        }
        LogLayout::SplitFlows => {
            match (numeric(m, Role::TxnInflow), numeric(m, Role::TxnOutflow)) {
                (Some(inflow), Some(outflow)) => Reader::SplitFlows { inflow, outflow },
                _ => Reader::Amounts(amount),
            }
        }
        LogLayout::Amounts => Reader::Amounts(amount),
    }
}

/// The measure columns of the layout (`aggregate::measure_columns`).
fn measures(reader: &Reader, plan: &LogPlan, out: &mut Vec<(String, Origin)>) {
    let mut add = |name: &str, origin: Origin| out.push((name.to_string(), origin));
    match reader {
        Reader::Amounts(amount) => {
            add("txn_count", Origin::Rows);
            if amount.is_some() {
                add("txn_amount_total", Origin::Total);
                add("txn_amount_mean", Origin::Mean);
            }
        }
        Reader::Invoice { invoice, .. } => {
            let numbered = invoice.is_some();
            add(
                if numbered {
                    "invoices"
                } else {
                    "purchase_lines"
                },
                Origin::Purchases,
            );
            add("spend", Origin::Total);
            add(
                if numbered {
                    "spend_per_invoice"
                } else {
                    "spend_per_line"
                },
                Origin::PerPurchase,
            );
            if plan.returns == ReturnsPolicy::Net {
                add(
                    if numbered {
                        "cancelled_invoices"
                    } else {
                        "cancelled_lines"
                    },
                    Origin::Cancels,
                );
                add("returns_value", Origin::ReturnsValue);
            }
        }
        _ => {
            add("txn_count", Origin::Rows);
            add("txn_inflow", Origin::Flow(MonetaryBasis::Inflow));
            add("txn_outflow", Origin::Flow(MonetaryBasis::Outflow));
            add("txn_net", Origin::Flow(MonetaryBasis::Net));
        }
    }
}

/// The log's columns carried as customer attributes, in table order.
fn attributes(m: &Mapping, used: &[&str]) -> Vec<(String, ColumnType)> {
    m.columns
        .iter()
        .filter(|c| !used.contains(&c.column.as_str()))
        .filter(|c| match c.role {
            Some(r) => ATTRIBUTE_ROLES.contains(&r),
            None => c.ctype == ColumnType::Text && c.usage != ColumnUse::Ignore,
        })
        .map(|c| (c.column.clone(), c.ctype))
        .collect()
}

/// Appends `name`, renamed with `_agg` while the name is taken.
fn push(out: &mut Vec<(String, Origin)>, name: &str, origin: Origin) {
    let mut name = name.to_string();
    while out.iter().any(|(n, _)| *n == name) {
        name.push_str("_agg");
    }
    out.push((name, origin));
}

pub fn shape(model: &Model) -> Result<LogShape, Unsupported> {
    let m = &model.mapping;
    let plan = model.log_plan.ok_or_else(|| {
        Unsupported("transaction-log models saved before custseg recorded how the log's rows are read (re-run the segmentation)".into())
    })?;
    let id = column(m, Role::CustomerId)
        .ok_or_else(|| Unsupported("transaction-log models without a customer id column".into()))?;
    let reader = reader(m, &plan);
    let invoice = matches!(reader, Reader::Invoice { .. });
    let role_col = |r| usable(m, r).map(|c: &ColumnMapping| c.column.clone());
    let amount = role_col(Role::TxnAmount).filter(|_| !invoice);
    let date_col = role_col(Role::TxnDate).or_else(|| role_col(Role::LastDate));
    let balance = role_col(Role::Balance);
    let used: Vec<&str> = [Some(&id.column), balance.as_ref(), date_col.as_ref()]
        .into_iter()
        .flatten()
        .chain(amount.as_ref())
        .map(String::as_str)
        .collect();
    let attrs = attributes(m, &used);
    let mut out = Vec::new();
    push(&mut out, &id.column, Origin::Id);
    let mut measured = Vec::new();
    measures(&reader, &plan, &mut measured);
    for (name, origin) in measured {
        push(&mut out, &name, origin);
    }
    let date = date_col.filter(|c| {
        m.columns
            .iter()
            .any(|x| x.column == *c && x.ctype == ColumnType::Date)
    });
    if date.is_some() {
        let (first, last) = if invoice {
            ("first_purchase_date", "last_purchase_date")
        } else {
            ("first_txn_date", "last_txn_date")
        };
        push(&mut out, first, Origin::FirstDate);
        push(&mut out, last, Origin::LastDate);
        push(&mut out, NEW_IN_LOG, Origin::Other);
    }
    let balance = balance.filter(|b| {
        m.columns
            .iter()
            .any(|x| x.column == *b && x.ctype == ColumnType::Number)
    });
    if balance.is_some() {
        push(&mut out, "last_balance", Origin::LastBalance);
    }
    for (source, ctype) in attrs {
        push(
            &mut out,
            &source.clone(),
            Origin::Attribute { source, ctype },
        );
    }
    Ok(LogShape {
        plan,
        reader,
        id: id.column.clone(),
        id_text: id.ctype == ColumnType::Text,
        date,
        balance,
        txn_id: column(m, Role::TxnId).map(|c| c.column.clone()),
        columns: out,
    })
}

impl LogShape {
    /// The origin of customer-level column `name`, checked against the
    /// model's customer-level mapping.
    pub fn origin(&self, model: &Model, name: &str) -> Result<&Origin, Unsupported> {
        let built = model
            .customer_mapping
            .columns
            .iter()
            .any(|c| c.column == name);
        match self.columns.iter().find(|(n, _)| n == name) {
            Some((_, o)) if built && *o != Origin::Other => Ok(o),
            _ => Err(Unsupported(format!(
                "features read from the aggregated column '{name}'"
            ))),
        }
    }
}
