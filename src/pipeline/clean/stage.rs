//! The Clean stage: the phases in order, then what the user must know.

use super::column::{ColumnJob, clean_column};
use super::dedupe::dedupe;
use super::{
    AsOf, CleanOptions, CleanParams, CleanReport, Cleaned, ColumnAction, ColumnParams,
    ColumnReport, resolve_as_of, validity_for,
};
use crate::error::{Error, Result};
use crate::pipeline::mapping::{ColumnUse, Mapping, Role};
use crate::pipeline::table::{Column, ColumnType, Table};
use crate::remedy::{Notice, Remedy};
use rayon::prelude::*;

/// Cleans `table` (see the module docs). Pure: the input is not modified.
pub fn clean(table: &Table, mapping: &Mapping, opts: &CleanOptions) -> Result<Cleaned> {
    opts.validate()?;
    if table.n_rows == 0 {
        return Err(Error::data(format!(
            "{}: the table has no data rows",
            table.source.file_name()
        )));
    }
    let as_of = resolve_as_of(table, mapping, opts.as_of)?;
    let id_column = mapping
        .column_for(Role::CustomerId)
        .filter(|c| table.column_index(c).is_some())
        .map(str::to_string);

    let (work, duplicates) = dedupe(table, id_column.as_deref(), opts.duplicates)?;
    let work: &Table = &work;
    let results = clean_columns(table, work, mapping, opts, id_column.as_deref(), &as_of);

    let mut columns = Vec::with_capacity(results.len());
    let mut report = CleanReport {
        rows_in: table.n_rows,
        rows_out: work.n_rows,
        as_of: as_of.date,
        as_of_source: as_of.source.describe(),
        as_of_from: as_of.source.clone(),
        max_missing: opts.max_missing,
        duplicates,
        ..CleanReport::default()
    };
    let mut params = CleanParams {
        as_of: as_of.date,
        id_column,
        columns: Vec::new(),
    };
    for (col, rep, par) in results {
        columns.extend(col);
        report.warnings.extend(column_warnings(&rep));
        report.columns.push(rep);
        params.columns.push(par);
    }
    add_table_warnings(&mut report, table, mapping, &as_of);
    add_notes(&mut report, opts);

    let cleaned = Table {
        columns,
        n_rows: work.n_rows,
        row_origin: work.row_origin.clone(),
        source: work.source.clone(),
    };
    Ok(Cleaned {
        table: cleaned,
        report,
        params,
        as_of,
    })
}

/// Phases 3 to 5 on every column of `work`, in parallel, in column order.
fn clean_columns(
    original: &Table,
    work: &Table,
    mapping: &Mapping,
    opts: &CleanOptions,
    id_column: Option<&str>,
    as_of: &AsOf,
) -> Vec<(Option<Column>, ColumnReport, ColumnParams)> {
    work.columns
        .par_iter()
        .map(|col| {
            let role = mapping.role_of(&col.name);
            let job = ColumnJob {
                col,
                work,
                original,
                role,
                usage: mapping.usage_of(&col.name),
                is_id: id_column == Some(col.name.as_str()),
                validity: validity_for(col.ctype, role, opts, as_of.date),
            };
            clean_column(job, opts, work.n_rows)
        })
        .collect()
}

/// What a mapped column's cleaning costs: it was dropped, or some of its
/// cells could not be read at load.
fn column_warnings(rep: &ColumnReport) -> Vec<Notice> {
    let mut out = Vec::new();
    if rep.action == ColumnAction::Dropped
        && let Some(role) = rep.role.filter(|_| rep.usage != ColumnUse::Ignore)
    {
        let mut w = Notice::new(format!(
            "'{}' ({}) was dropped: {}",
            rep.name,
            role.label(),
            rep.reason
        ))
        .about(&rep.name);
        w.remedy.clone_from(&rep.remedy);
        out.push(w);
    }
    // A column clustered without a role (a generic feature) matters as much
    // as a mapped one: its unreadable cells are filled like missing ones.
    let used = match rep.usage {
        ColumnUse::Ignore => false,
        ColumnUse::Feature => true,
        ColumnUse::Profile => rep.role.is_some(),
    };
    if rep.unparsed_at_load > 0 && used {
        out.push(
            Notice::new(format!(
                "'{}'{}: {} value{} could not be read as {} at load and count as missing: {}",
                rep.name,
                rep.role
                    .map_or(String::new(), |r| format!(" ({})", r.label())),
                rep.unparsed_at_load,
                if rep.unparsed_at_load == 1 { "" } else { "s" },
                match rep.ctype {
                    ColumnType::Date => "dates",
                    ColumnType::Text => "text",
                    _ => "numbers",
                },
                rep.unparsed_examples.join(", ")
            ))
            .about(&rep.name),
        );
    }
    out
}

/// Warnings about the whole table: duplicate and missing ids, the as-of
/// date (none, typo-like late dates, dates after it).
fn add_table_warnings(report: &mut CleanReport, table: &Table, mapping: &Mapping, as_of: &AsOf) {
    let d = &report.duplicates;
    if d.duplicated_ids > 0 {
        let w = Notice::new(format!(
            "{} customer ids appear more than once; {} rows removed ({})",
            d.duplicated_ids,
            d.rows_removed,
            d.policy.map_or("", |p| p.name())
        ));
        report.warnings.push(w);
    }
    if report.duplicates.missing_ids > 0 {
        report.warnings.push(Notice::new(format!(
            "{} rows have no customer id; they are kept and exported with an empty id",
            report.duplicates.missing_ids
        )));
    }
    // Without dates in use nothing needs an as-of date: no warning.
    let dates_in_use = table
        .columns
        .iter()
        .any(|c| c.ctype == ColumnType::Date && mapping.usage_of(&c.name) != ColumnUse::Ignore);
    if as_of.date.is_none() && dates_in_use {
        report
            .warnings
            .push(Notice::new(as_of.source.describe()).remedy(Remedy::AsOf { date: None }));
    }
    if let Some(w) = &as_of.warning {
        report.warnings.push(w.clone());
    }
    if let Some(d) = as_of.date {
        for late in crate::pipeline::as_of::late_dates(table, mapping, d) {
            let dropped = report
                .column(&late.column)
                .is_some_and(|c| c.action == ColumnAction::Dropped);
            report.warnings.push(late.notice(d, Some(dropped)));
        }
    }
}

/// How the numbers were counted.
fn add_notes(report: &mut CleanReport, opts: &CleanOptions) {
    report.notes.push(format!(
        "missing shares are measured after invalid values became missing; a column is \
         dropped when its share is above {:.0}% (exactly {:.0}% is kept: the max-missing limit)",
        opts.max_missing * 100.0,
        opts.max_missing * 100.0
    ));
    if report.duplicates.rows_removed > 0 {
        report
            .notes
            .push("per-column counts are taken after duplicate rows were removed".to_string());
    }
}
