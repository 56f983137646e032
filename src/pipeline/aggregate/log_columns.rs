//! The columns of a log the aggregation reads, found from the mapping and
//! the plan of how its rows are read.

use super::accumulate::Inputs;
use super::decide::id_remedy;
use super::measures::MeasureSources;
use crate::error::{Error, Result};
use crate::pipeline::calendar::IsoDate;
use crate::pipeline::mapping::{ColumnUse, Mapping, Role};
use crate::pipeline::table::{Column, Table};
use crate::pipeline::txn_meaning::{DirectionWords, LogLayout, LogPlan, ReturnsPolicy, RowReader};
use crate::remedy::Remedy;

/// The customer id column, or the error that there is none (or that the
/// log has more rows than the row numbers of the aggregation hold).
pub(super) fn id_column<'a>(table: &'a Table, mapping: &Mapping) -> Result<&'a Column> {
    let file = table.source.file_name();
    let Some(id_col) = mapping
        .column_for(Role::CustomerId)
        .and_then(|c| table.column(c))
    else {
        return Err(Error::Setting {
            setting: Remedy::InputKind {
                kind: "transactions".into(),
            },
            message: format!("{file}: aggregating transactions needs a customer id column"),
            remedy: Some(Box::new(id_remedy())),
        });
    };
    if table.n_rows > u32::MAX as usize - 2 {
        return Err(Error::data(format!(
            "{file}: {} rows is more than this version can aggregate (4 billion)",
            table.n_rows
        )));
    }
    Ok(id_col)
}

/// The column mapped to `role`, unless it is marked "ignore" (a
/// transaction date is read even then: it places the rows in time).
fn role_column<'a>(table: &'a Table, mapping: &Mapping, role: Role) -> Option<&'a Column> {
    mapping
        .column_for(role)
        .and_then(|c| table.column(c))
        .filter(|c| mapping.usage_of(&c.name) != ColumnUse::Ignore || role == Role::TxnDate)
}

/// The columns the aggregates are built from.
pub(super) struct LogColumns<'a> {
    pub(super) id: &'a Column,
    /// Each row's value and kind (amount, invoice line, money in or out).
    pub(super) reader: RowReader<'a>,
    pub(super) layout: LogLayout,
    /// The amount summed per row (not for invoice lines, whose value is
    /// quantity × price).
    pub(super) amount: Option<&'a Column>,
    /// The transaction date, else the last date.
    pub(super) date: Option<&'a Column>,
    pub(super) balance: Option<&'a Column>,
}

impl<'a> LogColumns<'a> {
    pub(super) fn find(
        table: &'a Table,
        mapping: &'a Mapping,
        id: &'a Column,
        plan: &LogPlan,
        words: &'a DirectionWords,
    ) -> LogColumns<'a> {
        let role_col = |role| role_column(table, mapping, role);
        let reader = RowReader::new(table, mapping, plan, words);
        let layout = reader.layout();
        LogColumns {
            id,
            reader,
            layout,
            amount: role_col(Role::TxnAmount)
                .filter(|_| !matches!(layout, LogLayout::InvoiceLines { .. })),
            date: role_col(Role::TxnDate).or_else(|| role_col(Role::LastDate)),
            balance: role_col(Role::Balance),
        }
    }

    /// The dates of the transactions, when the date column holds dates.
    pub(super) fn dates(&self) -> Option<&'a [i32]> {
        self.date.and_then(|c| c.dates())
    }

    /// The names of the columns the aggregates read (never attributes).
    pub(super) fn used(&self) -> Vec<&'a str> {
        [Some(self.id), self.balance, self.date, self.amount]
            .into_iter()
            .flatten()
            .map(|c| c.name.as_str())
            .collect()
    }

    /// The columns of per-transaction values, whose unreadable cells the
    /// report names.
    pub(super) fn value_columns(&self) -> impl Iterator<Item = &'a Column> + use<'a> {
        [self.date, self.balance, self.amount].into_iter().flatten()
    }

    /// What the pass over the rows reads; rows dated after `as_of` are
    /// left out.
    pub(super) fn inputs(&self, plan: &LogPlan, as_of: Option<IsoDate>) -> Inputs<'a> {
        Inputs {
            reader: self.reader,
            dates: self.dates(),
            balance: self.balance.and_then(|c| c.numbers()),
            as_of: as_of.map_or(i32::MAX, |d| d.0),
            invoices: self.reader.invoices(),
            exclude_cancels: plan.returns == ReturnsPolicy::Exclude,
            extra: self.layout != LogLayout::Amounts,
        }
    }

    /// The names of the columns Frequency and Monetary come from.
    pub(super) fn measure_sources(
        &self,
        table: &'a Table,
        mapping: &'a Mapping,
    ) -> MeasureSources<'a> {
        let name = |role| role_column(table, mapping, role).map(|c| c.name.as_str());
        MeasureSources {
            amount: self.amount.map(|c| c.name.as_str()),
            quantity: name(Role::Quantity),
            price: name(Role::UnitPrice),
            invoice: self.reader.invoices().and(mapping.column_for(Role::TxnId)),
            direction: name(Role::Direction),
            split: (self.layout == LogLayout::SplitFlows)
                .then(|| name(Role::TxnInflow).zip(name(Role::TxnOutflow)))
                .flatten(),
        }
    }
}
