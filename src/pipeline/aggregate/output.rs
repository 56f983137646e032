//! The customer table under construction, and the finished table with its
//! mapping.

use super::accumulate::Acc;
use crate::error::{Error, Result};
use crate::pipeline::mapping::{ColumnMapping, ColumnUse, Mapping, Role};
use crate::pipeline::table::{Column, ColumnData, ColumnInfo, Table, TextColumn};
use crate::remedy::Notice;

/// The customer table under construction: its columns, their mapping and
/// how each was built.
#[derive(Default)]
pub(super) struct OutColumns {
    pub(super) columns: Vec<Column>,
    pub(super) cmap: Vec<ColumnMapping>,
    pub(super) how: Vec<(String, String)>,
}

impl OutColumns {
    /// Adds `col`, renamed with `_agg` while its name is taken.
    pub(super) fn add(
        &mut self,
        mut col: Column,
        role: Option<Role>,
        usage: ColumnUse,
        how: String,
    ) {
        while self.columns.iter().any(|c| c.name == col.name) {
            col.name.push_str("_agg");
        }
        self.cmap.push(ColumnMapping {
            column: col.name.clone(),
            ctype: col.ctype,
            role,
            confidence: 1.0,
            reason: format!("aggregated from transactions: {how}"),
            usage,
            hygiene: Default::default(),
        });
        self.how.push((col.name.clone(), how));
        self.columns.push(col);
    }

    /// The customer id column: each customer's id as on their first row.
    pub(super) fn add_id(
        &mut self,
        id_col: &Column,
        accs: &[&Acc],
        mapping: &Mapping,
    ) -> Result<()> {
        let id_data = match &*id_col.data {
            ColumnData::Text(t) => {
                let mut out = TextColumn::with_capacity(accs.len(), 0);
                for a in accs {
                    if !out.push(t.raw(a.first_row as usize)) {
                        return Err(Error::data("customer ids exceed 4 GiB of text"));
                    }
                }
                ColumnData::Text(out)
            }
            ColumnData::Number(v) => {
                ColumnData::Number(accs.iter().map(|a| v[a.first_row as usize]).collect())
            }
            ColumnData::Date(v) => {
                ColumnData::Date(accs.iter().map(|a| v[a.first_row as usize]).collect())
            }
        };
        let mut id_out = Column {
            name: id_col.name.clone(),
            ctype: id_col.ctype,
            data: id_data.into(),
            info: ColumnInfo::default(),
        };
        id_out
            .info
            .notes
            .push("one row per customer, in order of first appearance".into());
        self.add(
            id_out,
            Some(Role::CustomerId),
            mapping.usage_of(&id_col.name),
            format!("customer id from '{}'", id_col.name),
        );
        Ok(())
    }

    /// The customer table and its mapping; a customer's line in the file is
    /// that of their first transaction.
    pub(super) fn finish(
        self,
        table: &Table,
        mapping: &Mapping,
        accs: Vec<&Acc>,
    ) -> (Table, Mapping) {
        let customers = accs.len();
        let row_origin = accs
            .iter()
            .map(|a| {
                table
                    .row_origin
                    .get(a.first_row as usize)
                    .copied()
                    .unwrap_or(a.first_row + 2)
            })
            .collect();
        drop(accs);
        let mut source = table.source.clone();
        source.warnings.push(format!(
            "aggregated {} transactions into {} customers; a customer's line is that of their first transaction",
            table.n_rows, customers
        ));
        let table_out = Table {
            columns: self.columns,
            n_rows: customers,
            row_origin,
            source,
        };
        let mut notes = mapping.notes.clone();
        notes.push(Notice::new(format!(
            "columns rebuilt by aggregating {} transactions",
            table.n_rows
        )));
        let mapping_out = Mapping {
            columns: self.cmap,
            notes,
            id: mapping.id.clone(),
        };
        (table_out, mapping_out)
    }
}
