//! The policy statements of the report: how the rows were read (amounts,
//! invoice lines and cancellations, money in and out) and their counts.

use super::accumulate::KindCounts;
use super::measures::MeasureSources;
use crate::pipeline::table::Table;
use crate::pipeline::txn_meaning::{
    self, LogLayout, LogPlan, LogPolicyReport, MonetaryBasis, ReturnsPolicy,
};

/// The policy statements and counts of the report.
pub(super) fn policy_report(
    plan: &LogPlan,
    layout: LogLayout,
    c: &KindCounts,
    src: &MeasureSources<'_>,
    table: &Table,
) -> LogPolicyReport {
    let mut r = LogPolicyReport {
        plan: Some(LogPlan { layout, ..*plan }),
        purchase_lines: c.purchase_lines,
        cancel_lines: c.cancel_lines + c.excluded_cancel_lines,
        cancelled_value: c.cancelled_value,
        inflow_rows: c.inflow_rows,
        outflow_rows: c.outflow_rows,
        unknown_direction_rows: c.unknown_rows,
        purchase_invoices: c.purchase_invoices,
        cancelled_invoices: c.cancelled_invoices,
        ..LogPolicyReport::default()
    };
    let amount = src.amount.unwrap_or("?");
    match layout {
        LogLayout::Amounts => {
            r.negative_amounts = c.negative_amounts;
            if src.amount.is_some() {
                r.statements.push(format!(
                    "one amount per row: Monetary is the sum of '{amount}', Frequency the number of rows"
                ));
            }
            if c.negative_amounts > 0 {
                r.statements.push(format!(
                    "{} negative amounts (refunds or reversals) are netted into the total; \
                     under {:.0}% of the amounts are negative, so they are not read as money out \
                     (signed amounts policy '{}')",
                    c.negative_amounts,
                    txn_meaning::SIGNED_SHARE * 100.0,
                    if plan.layout == LogLayout::Amounts {
                        "auto or plain"
                    } else {
                        "plain"
                    }
                ));
            }
        }
        LogLayout::InvoiceLines { cancel_prefix } => {
            invoice_statements(&mut r, plan, c, src, cancel_prefix)
        }
        LogLayout::Flows { by_sign } => {
            flow_statements(&mut r, plan, c, src, by_sign, table);
        }
        LogLayout::SplitFlows => flow_statements(&mut r, plan, c, src, false, table),
    }
    r
}

/// How invoice lines were read: what Monetary and Frequency are, and the
/// cancellations with the returns policy applied.
fn invoice_statements(
    r: &mut LogPolicyReport,
    plan: &LogPlan,
    c: &KindCounts,
    src: &MeasureSources<'_>,
    cancel_prefix: bool,
) {
    let (q, p) = (src.quantity.unwrap_or("?"), src.price.unwrap_or("?"));
    r.statements.push(format!(
        "invoice lines: Monetary is the sum of '{q}' × '{p}'{}; Frequency counts {}; \
         Recency and Tenure come from the last and first purchase",
        if plan.returns == ReturnsPolicy::Net {
            ", net of cancellations"
        } else {
            ""
        },
        match src.invoice {
            Some(inv) => format!("distinct invoices in '{inv}', not lines"),
            None => "purchase lines, as no invoice number is mapped".into(),
        }
    ));
    let marks = if cancel_prefix {
        "invoice numbers starting with C, or negative quantities"
    } else {
        "negative quantities"
    };
    let lines = c.cancel_lines + c.excluded_cancel_lines;
    let invoices = if src.invoice.is_some() {
        format!(
            " on {} invoices ({} purchase invoices counted)",
            c.cancelled_invoices, c.purchase_invoices
        )
    } else {
        String::new()
    };
    r.statements.push(match plan.returns {
        ReturnsPolicy::Net => format!(
            "cancellations ({marks}): {lines} lines{invoices} worth {:.2}, netted against spend; \
             cancelled invoices are not counted as purchases (returns policy 'net')",
            c.cancelled_value
        ),
        ReturnsPolicy::Exclude => format!(
            "cancellations ({marks}): {lines} lines left out entirely (returns policy 'exclude'){}",
            if src.invoice.is_some() {
                format!("; {} purchase invoices counted", c.purchase_invoices)
            } else {
                String::new()
            }
        ),
    });
    if let Some(a) = src.amount {
        r.statements
            .push(format!("'{a}' is not summed: Monetary is '{q}' × '{p}'"));
    }
}

/// How money in and out was told apart, which sum is Monetary, and the rows
/// whose direction could not be read.
fn flow_statements(
    r: &mut LogPolicyReport,
    plan: &LogPlan,
    c: &KindCounts,
    src: &MeasureSources<'_>,
    by_sign: bool,
    table: &Table,
) {
    let amount = src.amount.unwrap_or("?");
    let by = match (by_sign, src.direction, src.split) {
        (_, _, Some((i, o))) => format!("their own columns, '{i}' (in) and '{o}' (out)"),
        (false, Some(d), _) => format!("the direction in '{d}'"),
        _ => format!(
            "the sign of '{amount}' (positive: in, negative: out; signed amounts policy '{}')",
            if plan.layout == (LogLayout::Flows { by_sign: true }) {
                "auto or flows"
            } else {
                "flows"
            }
        ),
    };
    r.statements.push(format!(
        "money in and out by {by}: {} rows in, {} rows out; Monetary is {} (monetary policy '{}'), \
         never in plus out; the other sums are profile columns",
        c.inflow_rows,
        c.outflow_rows,
        match plan.monetary {
            MonetaryBasis::Inflow => "money in",
            MonetaryBasis::Outflow => "money out",
            MonetaryBasis::Net => "money in minus money out",
        },
        plan.monetary.name()
    ));
    if c.unknown_rows > 0 {
        let example = c.first_unknown.and_then(|i| {
            let col = table.column(src.direction?)?;
            Some((i, col.data.display(i)))
        });
        let what = if src.split.is_some() {
            "with an amount in both columns or in neither"
        } else {
            "whose direction reads neither in nor out"
        };
        let example = example.or_else(|| {
            let i = c.first_unknown.filter(|_| src.split.is_some())?;
            Some((i, String::new()))
        });
        r.statements.push(format!(
            "{} rows {what}{} count as transactions but in neither sum",
            c.unknown_rows,
            example
                .as_ref()
                .map_or(String::new(), |(i, v)| if v.is_empty() {
                    format!(" (e.g. {})", table.row_label(*i))
                } else {
                    format!(" (e.g. {}: '{v}')", table.row_label(*i))
                })
        ));
        r.unknown_direction_examples
            .extend(example.filter(|(_, v)| !v.is_empty()));
    }
}
