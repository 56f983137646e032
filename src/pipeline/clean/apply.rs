//! New customers, cleaned with a saved model's parameters (scoring).

use super::column::{invalid_rows, set_missing};
use super::impute::fill;
use super::{CleanParams, ColumnParams};
use crate::error::{Error, Result};
use crate::pipeline::mapping::{ColumnUse, Mapping};
use crate::pipeline::table::{Column, ColumnData, ColumnType, SharedData, Table};
use rayon::prelude::*;
use std::collections::HashMap;

/// Cleans new customers with a saved model's parameters: the same validity
/// rules (the same as-of date), the same imputation values, the same dropped
/// columns. Every row is kept (one score per input row; duplicates are not
/// removed). Columns the model clusters on must be present with the same
/// type; the error names every one that is not. The notes say, per column,
/// what was replaced (invalid values, unreadable cells, gaps) and with what.
pub fn apply_clean(table: &Table, mapping: &Mapping, params: &CleanParams) -> Result<AppliedClean> {
    check_model_columns(table, params)?;
    let _ = mapping; // roles come from the saved parameters, not a new mapping
    let by_name: HashMap<&str, &ColumnParams> = params
        .columns
        .iter()
        .map(|p| (p.name.as_str(), p))
        .collect();
    let results: Vec<(Option<Column>, Option<String>)> = table
        .columns
        .par_iter()
        .map(|col| match by_name.get(col.name.as_str()) {
            None => (Some(col.clone()), None),
            Some(p) => apply_column(col, p, params, table),
        })
        .collect();
    let mut columns = Vec::with_capacity(results.len());
    let mut notes = Vec::new();
    for (c, n) in results {
        columns.extend(c);
        notes.extend(n);
    }
    Ok(AppliedClean {
        table: Table {
            columns,
            n_rows: table.n_rows,
            row_origin: table.row_origin.clone(),
            source: table.source.clone(),
        },
        notes,
    })
}

/// Every column the model clusters on is present with a type it can use;
/// the error names each one that is not.
fn check_model_columns(table: &Table, params: &CleanParams) -> Result<()> {
    let mut problems = Vec::new();
    for p in &params.columns {
        let needed = p.dropped.is_none()
            && p.usage == ColumnUse::Feature
            && params.id_column.as_deref() != Some(p.name.as_str());
        match table.column(&p.name) {
            None if needed => problems.push(format!(
                "'{}' ({}) is missing",
                p.name,
                p.role.map_or("feature", |r| r.label())
            )),
            Some(c) if needed && !compatible(c.ctype, p.ctype) => problems.push(format!(
                "'{}' holds {} values, the model expects {}",
                p.name,
                c.ctype.name(),
                p.ctype.name()
            )),
            _ => {}
        }
    }
    if problems.is_empty() {
        return Ok(());
    }
    Err(Error::data(format!(
        "{} cannot be scored with this model: {}",
        table.source.file_name(),
        problems.join("; ")
    )))
}

/// One column of the new file treated as training treated it (`p`): the
/// column (`None` when the model dropped it) and a note of what was filled.
fn apply_column(
    col: &Column,
    p: &ColumnParams,
    params: &CleanParams,
    table: &Table,
) -> (Option<Column>, Option<String>) {
    if p.dropped.is_some() {
        return (None, None);
    }
    // As in training: the id and ignored columns pass through untouched.
    if p.usage == ColumnUse::Ignore || params.id_column.as_deref() == Some(p.name.as_str()) {
        return (Some(col.clone()), None);
    }
    if !compatible(col.ctype, p.ctype) {
        // An optional (profile) column of the wrong type: pass it through.
        return (Some(col.clone()), None);
    }
    let mut data = col.data.clone();
    let (invalid, first_invalid) = invalid_to_missing(&mut data, p);
    let missing = data.missing_count();
    let mut note = None;
    if let Some(imp) = &p.imputation
        && missing > 0
    {
        fill(&mut data, &imp.value);
        let mut parts = vec![format!(
            "{missing} of {} value{} filled with the model's {imp}",
            table.n_rows,
            if table.n_rows == 1 { "" } else { "s" },
        )];
        if let Some((row, shown)) = &first_invalid {
            parts.push(format!(
                "{invalid} of them invalid (must be {}; first: {} '{shown}')",
                p.validity.describe(),
                table.row_label(*row)
            ));
        }
        if col.info.unparsed > 0 {
            parts.push(format!("{} unreadable at load", col.info.unparsed));
        }
        note = Some(format!("'{}': {}", col.name, parts.join("; ")));
    }
    let column = Column {
        name: col.name.clone(),
        ctype: col.ctype,
        data,
        info: col.info.clone(),
    };
    (Some(column), note)
}

fn invalid_to_missing(data: &mut SharedData, p: &ColumnParams) -> (usize, Option<(usize, String)>) {
    let rows = invalid_rows(data, &p.validity);
    let first_invalid = rows.first().map(|&i| {
        let shown = match &**data {
            ColumnData::Number(v) => v[i].to_string(),
            _ => data.display(i),
        };
        (i, shown)
    });
    set_missing(data, &rows);
    (rows.len(), first_invalid)
}

/// New customers cleaned with a model's parameters ([`apply_clean`]).
#[derive(Debug)]
pub struct AppliedClean {
    pub table: Table,
    /// Per column: what was replaced and with what.
    pub notes: Vec<String>,
}

/// Numbers and yes/no flags are interchangeable in new files (a 0/1 column may
/// load as either).
fn compatible(found: ColumnType, expected: ColumnType) -> bool {
    found == expected || (found.is_numeric() && expected.is_numeric())
}
