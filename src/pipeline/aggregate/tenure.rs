//! First and last dates of each customer, and who a log shows to be new
//! (a log's Tenure is censored by its window, so it is not built).

use super::accumulate::{Acc, Extra};
use super::attributes::AttrSpec;
use super::output::OutColumns;
use super::report::AggregateReport;
use crate::pipeline::log_tenure::{LogWindow, NEW_EVIDENCE, NEW_IN_LOG};
use crate::pipeline::mapping::{ColumnUse, Role};
use crate::pipeline::table::{Column, MISSING_DATE, format_date};
use crate::pipeline::txn_meaning::LogLayout;

/// The first and last dates and who the log shows to be new, with the
/// policy statement; without a date column, the warning that Recency
/// cannot be built.
pub(super) fn add_date_columns(
    out: &mut OutColumns,
    report: &mut AggregateReport,
    accs: &[&Acc],
    extras: &[&Extra],
    layout: LogLayout,
    date_col: Option<&Column>,
    specs: &[AttrSpec<'_>],
) {
    let Some(dc) = date_col else {
        report.warnings.push(
            "no transaction date column is mapped: no first/last dates (Recency cannot be built)"
                .into(),
        );
        return;
    };
    let carries_tenure = specs.iter().any(|s| {
        s.mapping
            .and_then(|m| m.role)
            .is_some_and(|r| matches!(r, Role::OpenDate | Role::Tenure))
    });
    let what = if matches!(layout, LogLayout::InvoiceLines { .. }) {
        "purchase"
    } else {
        "transaction"
    };
    if let Some(t) = date_columns(out, accs, extras, layout, &dc.name, carries_tenure) {
        report
            .policy
            .statements
            .push(tenure_statement(&t, what, &dc.name));
    }
}

/// Who a log shows to be new (see [`crate::pipeline::log_tenure`]).
struct NewInLog {
    window: LogWindow,
    /// Customers the log shows to be new.
    new: usize,
    /// Dated customers it cannot tell from established ones.
    established: usize,
}

/// First and last transaction dates, and, unless the log carries an open
/// date or a tenure of its own, `new_in_log`: 1 for a customer the log
/// shows to be new, a profile column that tells new customers from
/// established ones (a log's Tenure is censored by its window, so it is
/// not built). Invoice lines use purchase dates and invoices (a customer
/// with only cancellations: any line's).
fn date_columns(
    out: &mut OutColumns,
    accs: &[&Acc],
    extras: &[&Extra],
    layout: LogLayout,
    date: &str,
    carries_tenure: bool,
) -> Option<NewInLog> {
    let fix = |d: i32| if d == i32::MAX { MISSING_DATE } else { d };
    let invoice = matches!(layout, LogLayout::InvoiceLines { .. });
    // (first, last, dated transactions) per customer.
    let (first, (last, n)): (Vec<i32>, (Vec<i32>, Vec<u32>)) = accs
        .iter()
        .enumerate()
        .map(|(i, a)| match extras.get(i) {
            Some(e) if invoice && e.last_buy != MISSING_DATE => {
                (e.first_buy, (e.last_buy, e.purchases.max(1)))
            }
            _ => (fix(a.first_date), (a.last_date, a.count)),
        })
        .unzip();
    let (first_name, last_name, what) = if invoice {
        ("first_purchase_date", "last_purchase_date", "purchase")
    } else {
        ("first_txn_date", "last_txn_date", "transaction")
    };
    let window = if carries_tenure {
        None
    } else {
        LogWindow::of(&first, &last)
    };
    let flags: Option<Vec<f64>> = window.map(|w| {
        first
            .iter()
            .zip(&n)
            .map(|(&f, &k)| match f {
                MISSING_DATE => f64::NAN,
                _ => f64::from(u8::from(w.is_new(f, k))),
            })
            .collect()
    });
    let dated = first.iter().filter(|&&f| f != MISSING_DATE).count();
    out.add(
        Column::date(first_name, first),
        None,
        ColumnUse::Ignore,
        format!("earliest '{date}' of a {what}"),
    );
    out.add(
        Column::date(last_name, last),
        Some(Role::LastDate),
        ColumnUse::Feature,
        format!("latest '{date}' of a {what}"),
    );
    let (window, flags) = (window?, flags?);
    let new = flags.iter().filter(|&&x| x == 1.0).count();
    out.add(
        Column::number(NEW_IN_LOG, flags),
        None,
        ColumnUse::Profile,
        format!(
            "1 when the log shows the customer to be new: a first {what} so late is under {:.0}% likely for a customer there from the log's first day ({}) (profile only)",
            NEW_EVIDENCE * 100.0,
            format_date(window.start)
        ),
    );
    Some(NewInLog {
        window,
        new,
        established: dated - new,
    })
}

/// The policy statement of a log without an open date.
fn tenure_statement(t: &NewInLog, what: &str, date: &str) -> String {
    format!(
        "No Tenure: the log has no account open date, and a first {what} in '{date}' is not the day \
         a customer joined; the log ({} to {}) shows {} customer{} to be new (so late a first {what} \
         would be under {:.0}% likely had they been there from its start) and cannot tell the other {} \
         from long-standing ones; '{NEW_IN_LOG}' says which, per segment",
        format_date(t.window.start),
        format_date(t.window.end),
        crate::pipeline::export::report::human(t.new as f64),
        if t.new == 1 { "" } else { "s" },
        NEW_EVIDENCE * 100.0,
        crate::pipeline::export::report::human(t.established as f64),
    )
}
