//! A headless run of a Parquet or Arrow file reads only the columns it uses.
//!
//! The loader runs before the mapping, so the columns are chosen from a
//! preview: every column of the first row group (at most
//! [`PREVIEW_ROWS`] rows) is mapped with the run's settings, and the file is
//! then read with only the columns that have a role or are not ignored (what
//! Clean, Features and the profiles read) and every column the settings name.
//! The whole projected table is mapped again: if any kept column's role or
//! use differs from the preview's, the rows after the preview changed the
//! decision and the file is read again with every column, with a warning.
//! `--all-columns` (`load.all_columns`) reads every column from the start.

use crate::config::RunConfig;
use crate::error::Result;
use crate::pipeline::load::columnar::{self, PREVIEW_ROWS, Selection};
use crate::pipeline::load::load;
use crate::pipeline::mapping::{ColumnUse, Mapping};
use crate::pipeline::progress::{NoProgress, Progress};
use crate::pipeline::run::stage_map;
use crate::pipeline::table::Table;
use std::collections::BTreeSet;
use std::path::Path;

/// Loads `path` for the run `cfg`: a columnar file with only the columns the
/// run uses (see the module docs), any other file whole.
pub fn load_for_run(path: &Path, cfg: &RunConfig, progress: &dyn Progress) -> Result<Table> {
    let format = match columnar::detect(path)? {
        Some(format) if !cfg.load.all_columns => format,
        _ => return load(path, &cfg.load, progress),
    };
    let opts = &cfg.load;
    progress.report(0.0, "reading a preview to choose the columns");
    let preview = columnar::load_selected(path, format, opts, &NoProgress, Selection::Preview)?;
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
    table.source.warnings.push(unread_warning(&table));
    Ok(table)
}

/// The columns the run reads: those with a role or a use other than
/// ignore, and every column the settings name.
fn used_columns(mapping: &Mapping, cfg: &RunConfig) -> BTreeSet<String> {
    let mut keep: BTreeSet<String> = mapping
        .columns
        .iter()
        .filter(|c| c.role.is_some() || c.usage != ColumnUse::Ignore)
        .map(|c| c.column.clone())
        .collect();
    let named = cfg
        .mapping
        .roles
        .values()
        .chain(used_by_setting(cfg))
        .chain(&cfg.mapping.hygiene.after_the_fact)
        .chain(&cfg.features.select)
        .chain(&cfg.features.drop_features)
        .chain(cfg.features.transform_overrides.keys());
    for name in named {
        if mapping.columns.iter().any(|c| &c.column == name) {
            keep.insert(name.clone());
        }
    }
    keep
}

/// The columns a use setting names, except those it ignores.
fn used_by_setting(cfg: &RunConfig) -> impl Iterator<Item = &String> {
    let usage = &cfg.mapping.usage;
    usage
        .iter()
        .filter(|(_, u)| **u != ColumnUse::Ignore)
        .map(|(c, _)| c)
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

/// What was left unread and how to read it.
fn unread_warning(table: &Table) -> String {
    let unread = &table.source.unread_columns;
    let quoted: Vec<String> = unread.iter().map(|c| format!("'{c}'")).collect();
    format!(
        "{} of {} columns of {} not read: this run ignores them (mapped on the first {} rows): {}; --all-columns reads every column",
        unread.len(),
        unread.len() + table.columns.len(),
        table.source.file_name(),
        PREVIEW_ROWS,
        crate::pipeline::excerpt::excerpt(&quoted.join(", "), 300)
    )
}
