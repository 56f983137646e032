//! What the Aggregate stage tells the user: its report and its output.

use crate::pipeline::calendar::IsoDate;
use crate::pipeline::excerpt;
use crate::pipeline::mapping::Mapping;
use crate::pipeline::table::{Column, ColumnType, Table};
use crate::pipeline::txn_meaning::LogPolicyReport;
use serde::{Deserialize, Serialize};

/// Customers whose rows disagree on an attribute, and how it was resolved.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Disagreement {
    pub column: String,
    pub customers: usize,
    /// "C12: 'Delhi' x3, 'Mumbai' x2 -> 'Delhi'".
    pub example: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AggregateReport {
    pub transactions_in: usize,
    pub customers_out: usize,
    pub rows_without_id: usize,
    /// Rows whose amount was missing or not finite (counted, not summed).
    pub rows_without_amount: usize,
    pub rows_without_date: usize,
    /// The `--as-of` date transactions were cut at, and the rows after it.
    #[serde(default)]
    pub as_of: Option<IsoDate>,
    #[serde(default)]
    pub rows_after_as_of: usize,
    pub disagreements: Vec<Disagreement>,
    /// (output column, how it was built).
    pub columns: Vec<(String, String)>,
    /// (input column, why it was not carried).
    pub not_carried: Vec<(String, String)>,
    pub warnings: Vec<String>,
    /// How rows were read (amounts, invoice lines, money in and out), the
    /// policies applied and their counts.
    #[serde(default)]
    pub policy: LogPolicyReport,
}

impl AggregateReport {
    pub fn to_text(&self) -> String {
        use std::fmt::Write;
        let mut s = String::new();
        let _ = writeln!(
            s,
            "Aggregate: {} transactions in, {} customers out; {} rows without a customer id skipped",
            self.transactions_in, self.customers_out, self.rows_without_id
        );
        if self.rows_without_amount > 0 {
            let _ = writeln!(
                s,
                "  {} rows without a usable amount (counted, not summed)",
                self.rows_without_amount
            );
        }
        if self.rows_without_date > 0 {
            let _ = writeln!(s, "  {} rows without a date", self.rows_without_date);
        }
        if let Some(d) = self.as_of {
            let _ = writeln!(
                s,
                "  {} rows dated after the as-of date {d} left out",
                self.rows_after_as_of
            );
        }
        for p in &self.policy.statements {
            let _ = writeln!(s, "  policy: {p}");
        }
        for (c, how) in &self.columns {
            let _ = writeln!(s, "  {c:<24} {how}");
        }
        for d in &self.disagreements {
            let _ = writeln!(
                s,
                "  '{}': {} customers had differing values; most frequent kept (e.g. {})",
                d.column, d.customers, d.example
            );
        }
        for (c, why) in &self.not_carried {
            let _ = writeln!(s, "  not carried: '{c}': {why}");
        }
        for w in &self.warnings {
            let _ = writeln!(s, "  warning: {w}");
        }
        s
    }

    /// Warnings about the rows left out: without a customer id (the first
    /// on `first_without_id`) and dated after the as-of date.
    pub(super) fn warn_rows_left_out(
        &mut self,
        table: &Table,
        id_col: &Column,
        first_without_id: Option<usize>,
    ) {
        if let Some(row) = first_without_id {
            self.warnings.push(format!(
                "{} transaction{} without a customer id in '{}' left out (the first on {})",
                self.rows_without_id,
                if self.rows_without_id == 1 { "" } else { "s" },
                id_col.name,
                table.row_label(row)
            ));
        }
        if let Some(d) = self.as_of
            && self.rows_after_as_of > 0
        {
            self.warnings.push(format!(
                "{} transaction{} dated after the as-of date {d} left out",
                self.rows_after_as_of,
                if self.rows_after_as_of == 1 { "" } else { "s" },
            ));
        }
    }

    /// A warning per column whose values the loader could not read (they
    /// are missing here), with a few examples.
    pub(super) fn warn_unparsed<'a>(
        &mut self,
        table: &Table,
        columns: impl Iterator<Item = &'a Column>,
    ) {
        for col in columns {
            if col.info.unparsed == 0 {
                continue;
            }
            let examples: Vec<String> = col
                .info
                .unparsed_examples
                .iter()
                .take(3)
                .map(|(row, raw)| format!("{}: '{}'", table.row_label(*row), excerpt::cell(raw)))
                .collect();
            self.warnings.push(format!(
                "'{}': {} value{} could not be read as {} and count as missing: {}",
                col.name,
                col.info.unparsed,
                if col.info.unparsed == 1 { "" } else { "s" },
                match col.ctype {
                    ColumnType::Date => "dates",
                    _ => "numbers",
                },
                examples.join(", ")
            ));
        }
    }
}

/// A customer-level table built from a transaction log.
#[derive(Clone, Debug)]
pub struct Aggregated {
    pub table: Table,
    pub mapping: Mapping,
    pub report: AggregateReport,
}
