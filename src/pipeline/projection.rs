//! A headless run of a Parquet or Arrow file reads only the columns it uses.
//!
//! The loader runs before the mapping, so the columns are chosen from a
//! preview: every column of the first row group (at most
//! [`columnar::PREVIEW_ROWS`] rows) is mapped with the run's settings. The columns the settings set to
//! ignore (`[mapping.usage]`, the Map screen's `i` saved in run.toml) that
//! get no role there are not read; every other column is. The projected
//! table is mapped again: if any kept column's role or use differs from the
//! preview's, the file is read again with every column, with a warning.
//! `--all-columns` (`load.all_columns`) reads every column from the start.

use crate::config::RunConfig;
use crate::error::Result;
use crate::pipeline::load::columnar::{self, Selection};
use crate::pipeline::load::load;
use crate::pipeline::mapping::{ColumnUse, Mapping};
use crate::pipeline::progress::Progress;
use crate::pipeline::run::stage_map;
use crate::pipeline::table::Table;
use std::collections::BTreeSet;
use std::path::Path;

/// Loads `path` for the run `cfg`: a columnar file with only the columns the
/// run uses (see the module docs), any other file whole.
pub fn load_for_run(path: &Path, cfg: &RunConfig, progress: &dyn Progress) -> Result<Table> {
    // Any other file, or one that cannot be opened (the loader words that).
    let format = match columnar::detect(path) {
        Ok(Some(format)) if !cfg.load.all_columns => format,
        _ => return load(path, &cfg.load, progress),
    };
    let opts = &cfg.load;
    progress.report(0.0, "reading a preview to choose the columns");
    // With the run's progress, so that a cancel stops the preview too.
    let preview = columnar::load_selected(path, format, opts, progress, Selection::Preview)?;
    // A preview the mapping refuses: the whole file gets the same verdict.
    let Ok(mapping) = stage_map(&preview, cfg) else {
        return columnar::load_columnar(path, format, opts, progress);
    };
    let keep = used_columns(&mapping, cfg);
    if keep.len() == preview.columns.len() {
        return columnar::load_columnar(path, format, opts, progress);
    }
    let selection = Selection::Columns(keep.iter().cloned().collect());
    let mut table = columnar::load_selected(path, format, opts, progress, selection)?;
    if !same_decisions(&mapping, &stage_map(&table, cfg).ok(), &keep) {
        let mut whole = columnar::load_columnar(path, format, opts, progress)?;
        whole.source.warnings.push(format!(
            "every column of {} was read: the columns this run uses could not be told from its first {} rows",
            whole.source.file_name(),
            preview.n_rows
        ));
        return Ok(whole);
    }
    table
        .source
        .warnings
        .push(unread_warning(&table, preview.n_rows));
    Ok(table)
}

/// The columns the run reads: all but those the settings set to ignore
/// that have no role on the preview. A column ignored by a column rule or
/// its type is read: those decisions rest on values, and the rows after the
/// preview could change them.
fn used_columns(mapping: &Mapping, cfg: &RunConfig) -> BTreeSet<String> {
    let set_to_ignore = |name: &String| cfg.mapping.usage.get(name) == Some(&ColumnUse::Ignore);
    mapping
        .columns
        .iter()
        .filter(|c| c.role.is_some() || c.usage != ColumnUse::Ignore || !set_to_ignore(&c.column))
        .map(|c| c.column.clone())
        .collect()
}

/// Whether the projected table's mapping gives every kept column the role
/// and use the preview's did.
fn same_decisions(preview: &Mapping, projected: &Option<Mapping>, keep: &BTreeSet<String>) -> bool {
    let Some(projected) = projected else {
        return false;
    };
    keep.iter().all(|name| {
        let decision = |m: &Mapping| {
            m.columns
                .iter()
                .find(|c| &c.column == name)
                .map(|c| (c.role, c.usage))
        };
        decision(preview).is_some() && decision(preview) == decision(projected)
    })
}

/// What was left unread (the headless face adds how to read it).
fn unread_warning(table: &Table, preview_rows: usize) -> String {
    let unread = &table.source.unread_columns;
    let quoted: Vec<String> = unread.iter().map(|c| format!("'{c}'")).collect();
    format!(
        "{} of {} columns of {} not read: the settings ignore them (and gave them no role on the first {} rows): {}",
        unread.len(),
        unread.len() + table.columns.len(),
        table.source.file_name(),
        preview_rows,
        crate::pipeline::excerpt::excerpt(&quoted.join(", "), 300)
    )
}
