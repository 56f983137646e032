//! Transaction logs -> one row per customer.
//!
//! Bank exports are often one row per transaction (customer id, date, amount,
//! maybe balance, birth date, gender, location, account type). This stage
//! folds them into a customer-level [`Table`] with a fresh [`Mapping`]:
//!
//! | output column       | role         | how                                         |
//! |---------------------|--------------|---------------------------------------------|
//! | (the id column)     | customer_id  | order of first appearance                   |
//! | `txn_count`         | txn_count    | rows with this id                           |
//! | `txn_amount_total`  | txn_amount   | sum of the finite amounts                   |
//! | `txn_amount_mean`   | —  (profile) | total / rows with a finite amount           |
//! | `first_txn_date`    | — (ignored)  | earliest transaction date                   |
//! | `last_txn_date`     | last_date    | latest transaction date                     |
//! | `last_balance`      | balance      | balance on the latest dated row (ties and undated rows: the later row in the file) |
//! | attributes          | as mapped    | most frequent value; ties: the value seen last |
//!
//! Attributes are the columns mapped as age, birth date, gender, branch, open
//! date, products held or tenure, plus unmapped text columns not marked
//! "ignore" (account type, ...). An unmapped text column with more distinct
//! values than there are customers cannot be a customer attribute: it is a
//! per-transaction column (a transaction id) and is not carried; the report
//! says so. (While streaming, such a column is abandoned as soon as its
//! distinct values outnumber the customers seen so far by
//! [`AggregateOptions::max_attribute_levels`], so it never costs memory
//! proportional to transactions.) Unmapped numeric and date columns are
//! per-transaction values and are not carried either.
//!
//! Transactions dated after an `--as-of` date given by the user are left
//! out (counted in the report): the customer table describes the customers
//! as of that date, so Frequency and Monetary cover the period up to it and
//! the last balance is the one known then. Without `--as-of` every
//! transaction counts and Clean takes the latest date as the as-of.
//!
//! Memory is proportional to customers, not transactions: one pass over the
//! rows with a hash map id -> customer index (keys borrow the loaded table),
//! a compact accumulator per customer, and interned categorical values. A
//! customer's attribute is held as one (value, count) pair until a second
//! value turns up; only then does it get a small list of counts.
//!
//! # Where each phase lives
//!
//! [`decide`] (customers or transactions?), [`log_columns`] (the columns
//! the aggregates read), [`pass`] (the sharded pass over the rows) into
//! [`accumulate`] (per-customer sums, dates, invoice lines and flows) and
//! [`attributes`] (interned values, the most frequent per customer), then
//! the output columns: [`measures`] (Frequency, Monetary), [`tenure`]
//! (first and last dates, who is new), [`output`] (the table and its
//! mapping), with [`policy`] and [`report`] saying how rows were read.

mod accumulate;
mod attributes;
mod decide;
mod log_columns;
mod measures;
mod options;
mod output;
mod pass;
mod policy;
mod report;
mod tenure;

pub use self::decide::{InputDecision, decide_input};
pub use self::options::{AggregateOptions, InputKind};
pub use self::report::{AggregateReport, Aggregated, Disagreement};
/// The hasher moved to [`crate::pipeline::fxhash`]; kept here for code that
/// still names it through this stage.
pub use crate::pipeline::fxhash::{FxBuild, FxHasher};

use self::accumulate::Acc;
use self::attributes::{attribute_columns, attribute_specs};
use self::log_columns::{LogColumns, id_column};
use self::measures::measure_columns;
use self::output::OutColumns;
use self::pass::{Grouped, group_rows};
use self::policy::policy_report;
use self::tenure::add_date_columns;
use crate::error::{Error, Result};
use crate::pipeline::calendar::IsoDate;
use crate::pipeline::mapping::{ColumnUse, Mapping, Role};
use crate::pipeline::progress::Progress;
use crate::pipeline::table::{Column, Table};
use crate::pipeline::txn_meaning::{self, LogPlan};
use crate::remedy::Remedy;

/// Decides with [`decide_input`] and aggregates when it says so; otherwise
/// returns `None` (use the table as it is).
pub fn aggregate_if_needed(
    table: &Table,
    mapping: &Mapping,
    opts: &AggregateOptions,
    as_of: Option<IsoDate>,
    progress: &dyn Progress,
) -> Result<(InputDecision, Option<Aggregated>)> {
    let decision = decide_input(table, mapping, opts.input)?;
    if !decision.aggregate {
        return Ok((decision, None));
    }
    let agg = aggregate_transactions(table, mapping, opts, as_of, progress)?;
    Ok((decision, Some(agg)))
}

/// Folds a transaction log into one row per customer (see the module docs).
/// `as_of` is the user's `--as-of`: later transactions are left out.
pub fn aggregate_transactions(
    table: &Table,
    mapping: &Mapping,
    opts: &AggregateOptions,
    as_of: Option<IsoDate>,
    progress: &dyn Progress,
) -> Result<Aggregated> {
    aggregate_with_plan(table, mapping, opts, as_of, None, progress)
}

/// [`aggregate_transactions`] reading the rows as `plan` says (a saved
/// model's), or as [`txn_meaning::plan_log`] decides from the data when
/// `plan` is `None`.
pub fn aggregate_with_plan(
    table: &Table,
    mapping: &Mapping,
    opts: &AggregateOptions,
    as_of: Option<IsoDate>,
    plan: Option<LogPlan>,
    progress: &dyn Progress,
) -> Result<Aggregated> {
    let id_col = id_column(table, mapping)?;
    let plan = plan.unwrap_or_else(|| txn_meaning::plan_log(table, mapping, opts.plan_options()));
    let log = LogColumns::find(table, mapping, id_col, &plan, &opts.direction_words);
    let mut report = start_report(table, &log, as_of);
    let specs = attribute_specs(
        table,
        mapping,
        &log.used(),
        opts.max_attribute_levels,
        &mut report.not_carried,
    );
    let inputs = log.inputs(&plan, report.as_of);
    let grouped = group_rows(id_col, table.n_rows, &inputs, &specs, progress)?;
    let mut counts = grouped.totals(&mut report);
    report.warn_rows_left_out(table, id_col, grouped.first_without_id);
    report.warn_unparsed(
        table,
        log.value_columns().chain(specs.iter().map(|s| s.source)),
    );
    let accs = customers(&grouped, &mut report, table, id_col)?;
    progress.report(1.0, "building the customer table");

    let mut out = OutColumns::default();
    out.add_id(id_col, &accs, mapping)?;
    let extras = if inputs.extra {
        grouped.in_order(|sh| &sh.extra)
    } else {
        Vec::new()
    };
    let sources = log.measure_sources(table, mapping);
    measure_columns(&mut out, &accs, &extras, &plan, log.layout, &sources);
    if sources.invoice.is_some() {
        counts.purchase_invoices = extras.iter().map(|e| e.purchases as usize).sum();
        counts.cancelled_invoices = extras.iter().map(|e| e.cancels as usize).sum();
    }
    report.policy = policy_report(&plan, log.layout, &counts, &sources, table);
    if !log.reader.has_amount() {
        report.warnings.push(
            "no transaction amount column is mapped: no total or mean amount (Monetary cannot be built)"
                .into(),
        );
    }
    add_date_columns(
        &mut out,
        &mut report,
        &accs,
        &extras,
        log.layout,
        log.date,
        &specs,
    );
    if let Some(bc) = log.balance {
        out.add(
            Column::number("last_balance", accs.iter().map(|a| a.balance).collect()),
            Some(Role::Balance),
            ColumnUse::Feature,
            format!("'{}' on the customer's latest transaction", bc.name),
        );
    }
    attribute_columns(&mut out, &mut report, &grouped, &specs, &accs, id_col);
    report.columns = std::mem::take(&mut out.how);
    let (table, mapping) = out.finish(table, mapping, accs);
    Ok(Aggregated {
        table,
        mapping,
        report,
    })
}

/// The report before the pass: the rows in, and the as-of date when there
/// are dates to cut at (else a warning that there are none).
fn start_report(table: &Table, log: &LogColumns<'_>, as_of: Option<IsoDate>) -> AggregateReport {
    let mut report = AggregateReport {
        transactions_in: table.n_rows,
        as_of: as_of.filter(|_| log.dates().is_some()),
        ..AggregateReport::default()
    };
    if as_of.is_some() && log.dates().is_none() {
        report.warnings.push(
            "no transaction date column is mapped, so transactions cannot be cut at the as-of date"
                .into(),
        );
    }
    report
}

/// Every customer's accumulator in order of first appearance, or the error
/// that no row made a customer.
fn customers<'g>(
    grouped: &'g Grouped<'_>,
    report: &mut AggregateReport,
    table: &Table,
    id_col: &Column,
) -> Result<Vec<&'g Acc>> {
    let file = table.source.file_name();
    let accs = grouped.in_order(|sh| &sh.accs);
    report.customers_out = accs.len();
    if accs.is_empty()
        && let Some(d) = report.as_of
        && report.rows_after_as_of > 0
    {
        return Err(Error::Setting {
            setting: Remedy::AsOf {
                date: Some(d.to_string()),
            },
            message: format!("{file}: every dated transaction is after the as-of date {d}"),
            remedy: Some(Box::new(Remedy::AsOf { date: None })),
        });
    }
    if accs.is_empty() {
        return Err(Error::data(format!(
            "{file}: no row has a customer id in '{}', so there is nothing to aggregate",
            id_col.name
        )));
    }
    Ok(accs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::mapping::{MappingOptions, map_columns};
    use crate::pipeline::progress::NoProgress;
    use crate::pipeline::table::{SourceInfo, TextColumn};

    #[test]
    fn input_kind_parses() {
        assert_eq!(
            "Transactions".parse::<InputKind>(),
            Ok(InputKind::Transactions)
        );
        assert!("rows".parse::<InputKind>().is_err());
    }

    #[test]
    fn numeric_ids_and_no_amount() {
        let t = Table::new(
            vec![
                Column::number("CustomerID", vec![7.0, 8.0, 7.0, -0.0, 0.0]),
                Column::text(
                    "Gender",
                    TextColumn::from_values([Some("M"), Some("F"), Some("M"), None, Some("F")]),
                ),
            ],
            SourceInfo::default(),
        );
        let m = map_columns(&t, &MappingOptions::default()).unwrap();
        let a = aggregate_transactions(&t, &m, &AggregateOptions::default(), None, &NoProgress)
            .unwrap();
        assert_eq!(a.table.n_rows, 3);
        assert_eq!(
            a.table.column("CustomerID").unwrap().numbers().unwrap(),
            &[7.0, 8.0, -0.0]
        );
        assert_eq!(
            a.table.column("txn_count").unwrap().numbers().unwrap(),
            &[2.0, 1.0, 2.0]
        );
        assert_eq!(a.table.row_origin, vec![2, 3, 5]);
        assert!(
            a.report
                .warnings
                .iter()
                .any(|w| w.contains("no transaction amount"))
        );
        let g = a.table.column("Gender").unwrap().texts().unwrap();
        assert_eq!(g.get(2), Some("F"));
    }
}
