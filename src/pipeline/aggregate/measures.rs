//! Frequency and Monetary (and their companion profile columns) for each
//! layout of a log: one amount per row, invoice lines with cancellations,
//! or money in and out.

use super::accumulate::{Acc, Extra};
use super::output::OutColumns;
use crate::pipeline::mapping::{ColumnUse, Role};
use crate::pipeline::table::Column;
use crate::pipeline::txn_meaning::{LogLayout, LogPlan, MonetaryBasis, ReturnsPolicy};

/// The input columns the measures come from, by name.
pub(super) struct MeasureSources<'a> {
    pub(super) amount: Option<&'a str>,
    pub(super) quantity: Option<&'a str>,
    pub(super) price: Option<&'a str>,
    /// The invoice-number column, when invoices are counted.
    pub(super) invoice: Option<&'a str>,
    pub(super) direction: Option<&'a str>,
    /// The columns of money in and out, when the log has one each.
    pub(super) split: Option<(&'a str, &'a str)>,
}

/// `num / den`, missing when `den` is 0.
fn ratio(num: f64, den: u32) -> f64 {
    if den > 0 {
        num / f64::from(den)
    } else {
        f64::NAN
    }
}

/// Frequency and Monetary columns (and their companions) of the layout.
pub(super) fn measure_columns(
    out: &mut OutColumns,
    accs: &[&Acc],
    extras: &[&Extra],
    plan: &LogPlan,
    layout: LogLayout,
    src: &MeasureSources<'_>,
) {
    let total = |a: &&Acc| if a.n_amount > 0 { a.sum } else { f64::NAN };
    match layout {
        LogLayout::Amounts => {
            out.add(
                Column::number(
                    "txn_count",
                    accs.iter().map(|a| f64::from(a.count)).collect(),
                ),
                Some(Role::TxnCount),
                ColumnUse::Feature,
                "number of transactions".into(),
            );
            if let Some(a) = src.amount {
                out.add(
                    Column::number("txn_amount_total", accs.iter().map(total).collect()),
                    Some(Role::TxnAmount),
                    ColumnUse::Feature,
                    format!("sum of '{a}'"),
                );
                out.add(
                    Column::number(
                        "txn_amount_mean",
                        accs.iter().map(|a| ratio(a.sum, a.n_amount)).collect(),
                    ),
                    None,
                    ColumnUse::Profile,
                    format!("mean of '{a}' (profile only; set it to feature to cluster on it)"),
                );
            }
        }
        LogLayout::InvoiceLines { .. } => invoice_columns(out, accs, extras, plan, src),
        LogLayout::Flows { .. } | LogLayout::SplitFlows => {
            flow_columns(out, accs, extras, plan, src)
        }
    }
}

/// Invoice lines: Frequency counts purchase invoices (or lines), Monetary
/// is quantity × price, net of cancellations or over purchases only.
fn invoice_columns(
    out: &mut OutColumns,
    accs: &[&Acc],
    extras: &[&Extra],
    plan: &LogPlan,
    src: &MeasureSources<'_>,
) {
    let (q, p) = (src.quantity.unwrap_or("?"), src.price.unwrap_or("?"));
    let (count_name, counted) = match src.invoice {
        Some(inv) => (
            "invoices",
            format!("distinct purchase invoices in '{inv}' (not lines)"),
        ),
        None => (
            "purchase_lines",
            "purchase lines (no invoice number is mapped)".to_string(),
        ),
    };
    out.add(
        Column::number(
            count_name,
            extras.iter().map(|e| f64::from(e.purchases)).collect(),
        ),
        Some(Role::TxnCount),
        ColumnUse::Feature,
        counted,
    );
    let net = plan.returns == ReturnsPolicy::Net;
    out.add(
        Column::number(
            "spend",
            accs.iter()
                .map(|a| if a.n_amount > 0 { a.sum } else { f64::NAN })
                .collect(),
        ),
        Some(Role::TxnAmount),
        ColumnUse::Feature,
        if net {
            format!("sum of '{q}' × '{p}', net of cancellations")
        } else {
            format!("sum of '{q}' × '{p}' over purchases (cancellations left out)")
        },
    );
    out.add(
        Column::number(
            if src.invoice.is_some() {
                "spend_per_invoice"
            } else {
                "spend_per_line"
            },
            accs.iter()
                .zip(extras)
                .map(|(a, e)| ratio(a.sum, e.purchases))
                .collect(),
        ),
        None,
        ColumnUse::Profile,
        "spend divided by the purchases counted (profile only)".into(),
    );
    if net {
        cancellation_columns(out, extras, src);
    }
}

/// The cancellations netted against spend, as profile columns: how many,
/// and their value as a positive amount.
fn cancellation_columns(out: &mut OutColumns, extras: &[&Extra], src: &MeasureSources<'_>) {
    let (q, p) = (src.quantity.unwrap_or("?"), src.price.unwrap_or("?"));
    out.add(
        Column::number(
            if src.invoice.is_some() {
                "cancelled_invoices"
            } else {
                "cancelled_lines"
            },
            extras.iter().map(|e| f64::from(e.cancels)).collect(),
        ),
        None,
        ColumnUse::Profile,
        "cancellations (not counted as purchases; profile only)".into(),
    );
    out.add(
        Column::number(
            "returns_value",
            extras.iter().map(|e| -e.cancel_value).collect(),
        ),
        None,
        ColumnUse::Profile,
        format!(
            "value of the cancelled lines, as a positive amount of '{q}' × '{p}' (profile only)"
        ),
    );
}

/// Money in and out: Frequency counts every row; the sum the monetary
/// policy names is Monetary, the other two are profile columns.
fn flow_columns(
    out: &mut OutColumns,
    accs: &[&Acc],
    extras: &[&Extra],
    plan: &LogPlan,
    src: &MeasureSources<'_>,
) {
    out.add(
        Column::number(
            "txn_count",
            accs.iter().map(|a| f64::from(a.count)).collect(),
        ),
        Some(Role::TxnCount),
        ColumnUse::Feature,
        "number of transactions, in and out".into(),
    );
    let amount = src.amount.unwrap_or("?");
    let by = match src.direction {
        Some(d) => format!("rows '{d}' marks as"),
        None => "rows whose amount is".to_string(),
    };
    let (in_how, out_how) = match src.split {
        Some((i, o)) => (format!("sum of '{i}'"), format!("sum of '{o}'")),
        None => (
            format!("sum of '{amount}' on {by} money in"),
            format!("sum of '{amount}' on {by} money out"),
        ),
    };
    let present = |a: &&Acc, v: f64| if a.n_amount > 0 { v } else { f64::NAN };
    let sums = [
        (
            MonetaryBasis::Inflow,
            "txn_inflow",
            in_how,
            accs.iter()
                .zip(extras)
                .map(|(a, e)| present(a, e.inflow))
                .collect::<Vec<_>>(),
        ),
        (
            MonetaryBasis::Outflow,
            "txn_outflow",
            out_how,
            accs.iter()
                .zip(extras)
                .map(|(a, e)| present(a, e.outflow))
                .collect(),
        ),
        (
            MonetaryBasis::Net,
            "txn_net",
            "money in minus money out".to_string(),
            accs.iter()
                .zip(extras)
                .map(|(a, e)| present(a, e.inflow - e.outflow))
                .collect(),
        ),
    ];
    for (basis, name, how, values) in sums {
        let monetary = basis == plan.monetary;
        out.add(
            Column::number(name, values),
            monetary.then_some(Role::TxnAmount),
            if monetary {
                ColumnUse::Feature
            } else {
                ColumnUse::Profile
            },
            if monetary {
                format!("{how} (Monetary)")
            } else {
                format!("{how} (profile only)")
            },
        );
    }
}
