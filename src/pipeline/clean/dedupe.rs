//! Phase 2, duplicate customer ids: found without a hash table in the usual
//! case (no repeats), removed by the policy.

use super::{DuplicatePolicy, DuplicateReport, EXAMPLES, IdKey, IdKeys};
use crate::error::{Error, Result};
use crate::pipeline::fxhash::FxBuild;
use crate::pipeline::table::{Column, ColumnData, Table, TextColumn};
use crate::remedy::Remedy;
use rayon::prelude::*;
use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::BuildHasher;

/// Removes duplicate-id rows by the policy; borrows the table when there are none.
pub(super) fn dedupe<'a>(
    table: &'a Table,
    id_column: Option<&str>,
    policy: DuplicatePolicy,
) -> Result<(Cow<'a, Table>, DuplicateReport)> {
    let mut rep = DuplicateReport {
        id_column: id_column.map(str::to_string),
        ..DuplicateReport::default()
    };
    let Some(id_col) = id_column.and_then(|c| table.column(c)) else {
        return Ok((Cow::Borrowed(table), rep));
    };
    rep.policy = Some(policy);
    let n = table.n_rows;
    let keys = IdKeys::new(&id_col.data);
    let (repeats, missing) = repeated_rows(&keys, n);
    rep.missing_ids = missing;
    if repeats.is_empty() {
        return Ok((Cow::Borrowed(table), rep));
    }
    let seen = duplicated_ids(&keys, &repeats, n);
    describe_duplicates(&mut rep, &seen, &keys, table, &id_col.data);
    if policy == DuplicatePolicy::Fail {
        return Err(Error::with_remedy(
            format!(
                "{} customer ids appear on more than one row of '{}' ({} extra rows), e.g. {}",
                rep.duplicated_ids,
                id_col.name,
                rep.rows_removed,
                rep.examples.join("; ")
            ),
            Remedy::OneOf(vec![
                Remedy::Duplicates { policy: None },
                Remedy::InputKind {
                    kind: "transactions".into(),
                },
            ]),
        ));
    }
    let keep: Vec<bool> = (0..n)
        .map(|i| match keys.key(i).and_then(|k| seen.get(&k)) {
            None => true,
            Some(&(first, last, _)) => match policy {
                DuplicatePolicy::KeepLast => last as usize == i,
                _ => first as usize == i,
            },
        })
        .collect();
    drop(seen);
    Ok((Cow::Owned(keep_rows(table, &keep)), rep))
}

/// Each duplicated id: (first row, last row, rows). Built only for the ids
/// that repeat, so the usual table (few or none) needs no map of all ids.
fn duplicated_ids<'a>(
    keys: &IdKeys<'a>,
    repeats: &[u32],
    n: usize,
) -> HashMap<IdKey<'a>, (u32, u32, u32), FxBuild> {
    let mut seen: HashMap<IdKey<'_>, (u32, u32, u32), FxBuild> = HashMap::default();
    for &r in repeats {
        if let Some(k) = keys.key(r as usize) {
            seen.insert(k, (u32::MAX, 0, 0));
        }
    }
    for i in 0..n {
        if let Some(k) = keys.key(i)
            && let Some(e) = seen.get_mut(&k)
        {
            e.0 = e.0.min(i as u32);
            e.1 = i as u32;
            e.2 += 1;
        }
    }
    seen
}

/// How many ids repeat, the rows the policy removes, and the first few
/// ids (in file order) with their rows.
fn describe_duplicates(
    rep: &mut DuplicateReport,
    seen: &HashMap<IdKey<'_>, (u32, u32, u32), FxBuild>,
    keys: &IdKeys<'_>,
    table: &Table,
    ids: &ColumnData,
) {
    let n = table.n_rows;
    let mut dup: Vec<(u32, u32, u32)> = seen.values().copied().collect();
    dup.sort_unstable();
    rep.duplicated_ids = dup.len();
    rep.rows_removed = dup.iter().map(|d| d.2 as usize - 1).sum();
    for &(first, _, _) in dup.iter().take(EXAMPLES) {
        let k = keys.key(first as usize);
        let rows: Vec<String> = (first as usize..n)
            .filter(|&i| keys.key(i) == k)
            .take(4)
            .map(|i| table.row_label(i))
            .collect();
        rep.examples.push(format!(
            "'{}' on {}",
            ids.display(first as usize),
            rows.join(", ")
        ));
    }
}

/// The rows of `table` marked in `keep`, every column filtered in parallel.
fn keep_rows(table: &Table, keep: &[bool]) -> Table {
    let columns: Vec<Column> = table
        .columns
        .par_iter()
        .map(|c| Column {
            name: c.name.clone(),
            ctype: c.ctype,
            data: filter_rows(&c.data, keep).into(),
            info: c.info.clone(),
        })
        .collect();
    let row_origin = table
        .row_origin
        .iter()
        .zip(keep)
        .filter(|(_, k)| **k)
        .map(|(r, _)| *r)
        .collect();
    let n_rows = keep.iter().filter(|k| **k).count();
    Table {
        columns,
        n_rows,
        row_origin,
        source: table.source.clone(),
    }
}

/// Rows whose id repeats an earlier row's id (ascending), and the number of
/// rows without an id.
///
/// Equal ids have equal hashes, so the ids are hashed (in parallel) and the
/// hashes sorted: when no hash repeats — the usual case — no id repeats, and
/// a million ids are checked without a hash table (random memory access is
/// what costs time at this size). Rows whose hash does repeat are then
/// checked exactly. Sorting gives the same result on any number of threads.
fn repeated_rows(keys: &IdKeys<'_>, n: usize) -> (Vec<u32>, usize) {
    const MISSING: u64 = u64::MAX;
    let build = FxBuild::default();
    let hashes: Vec<u64> = (0..n)
        .into_par_iter()
        .with_min_len(1 << 14)
        .map(|i| keys.key(i).map_or(MISSING, |k| build.hash_one(k)))
        .collect();
    let missing = (0..n).filter(|&i| keys.key(i).is_none()).count();
    let mut sorted = hashes.clone();
    sorted.par_sort_unstable();
    let mut repeated: Vec<u64> = sorted
        .windows(2)
        .filter(|w| w[0] == w[1])
        .map(|w| w[0])
        .collect();
    drop(sorted);
    repeated.dedup();
    // Rows without an id all share MISSING; they are skipped below, where
    // candidate rows are compared by id (so an id hashing to MISSING is fine).
    if repeated.is_empty() {
        return (Vec::new(), missing);
    }
    let candidates: std::collections::HashSet<u64, FxBuild> = repeated.into_iter().collect();
    let mut seen: std::collections::HashSet<IdKey<'_>, FxBuild> = Default::default();
    let mut repeats = Vec::new();
    for (i, h) in hashes.iter().enumerate() {
        if candidates.contains(h)
            && let Some(k) = keys.key(i)
            && !seen.insert(k)
        {
            repeats.push(i as u32);
        }
    }
    (repeats, missing)
}

fn filter_rows(data: &ColumnData, keep: &[bool]) -> ColumnData {
    match data {
        ColumnData::Number(v) => ColumnData::Number(
            v.iter()
                .zip(keep)
                .filter(|(_, k)| **k)
                .map(|(x, _)| *x)
                .collect(),
        ),
        ColumnData::Date(v) => ColumnData::Date(
            v.iter()
                .zip(keep)
                .filter(|(_, k)| **k)
                .map(|(x, _)| *x)
                .collect(),
        ),
        ColumnData::Text(t) => ColumnData::Text(TextColumn::from_values(
            (0..t.len()).filter(|&i| keep[i]).map(|i| t.get(i)),
        )),
    }
}
