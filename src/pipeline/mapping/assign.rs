//! Map columns, the assignment: the user's roles first, then the best
//! header and value matches, each role and each column used once; then each
//! column's use, the customer id decision and the hygiene rules.

use super::score::{header_score, implausible_values, looks_like_code, value_score};
use super::{ColumnMapping, ColumnUse, Mapping, MappingOptions, Role};
use crate::error::{Error, Result};
use crate::pipeline::customer_key::Assigned;
use crate::pipeline::excerpt;
use crate::pipeline::hygiene::{self, ColumnHygiene};
use crate::pipeline::table::{Column, ColumnData, ColumnType, Table};
use crate::pipeline::txn_meaning::direction_share;
use crate::remedy::{Notice, Remedy};
use std::collections::BTreeMap;

/// The option that gives `role` to `column`.
fn role_remedy(role: Role, column: &str) -> Remedy {
    Remedy::SetRole {
        role: role.key().to_string(),
        column: Some(column.to_string()),
    }
}

/// Builds the mapping for `table`: the user's overrides first, then the best
/// remaining header/value matches, each role used at most once.
pub fn map_columns(table: &Table, opts: &MappingOptions) -> Result<Mapping> {
    let mut mapping = Mapping::default();
    let mut assigned = Assigned::new();
    let mut taken = vec![false; table.columns.len()];
    for (role, column) in &opts.roles {
        let j = user_role(table, *role, column)?;
        if taken[j] {
            return Err(Error::bad_setting(
                role_remedy(*role, column),
                format!("column '{column}' is given two roles"),
            ));
        }
        taken[j] = true;
        assigned.insert(*role, (j, 1.0, "set by the user".to_string()));
    }
    let (mut candidates, id_candidates) =
        find_candidates(table, &assigned, &taken, &mut mapping.notes);
    keep_flow_columns_in_pairs(&mut candidates, &assigned);
    assign_best(candidates, &mut assigned, &mut taken);
    mapping.id = crate::pipeline::customer_key::settle(
        table,
        &mut assigned,
        &id_candidates,
        opts.roles.contains_key(&Role::CustomerId),
    );
    mapping.columns = column_mappings(table, opts, assigned);
    note_unread_direction(table, &mut mapping);
    hygiene::apply(table, &mut mapping, opts);
    check_named_columns(table, opts)?;
    Ok(mapping)
}

/// A role for a column, how sure (0..=1), and why.
type Candidate = (f64, Role, usize, String);

/// The column the user gave `role` (`--map role=column`), which must exist
/// and hold values the role accepts.
fn user_role(table: &Table, role: Role, column: &str) -> Result<usize> {
    let Some(j) = table.column_index(column) else {
        return Err(Error::bad_setting(
            role_remedy(role, column),
            format!(
                "{} has no column '{column}'; its columns are: {}",
                table.source.file_name(),
                table.names().join(", ")
            ),
        ));
    };
    let col = &table.columns[j];
    let ctype = col.ctype;
    if role.accepts(ctype) {
        return Ok(j);
    }
    let wanted = if matches!(
        role,
        Role::BirthDate | Role::LastDate | Role::TxnDate | Role::OpenDate
    ) {
        "dates"
    } else {
        "numbers"
    };
    let found = if col.data.missing_count() == table.n_rows {
        format!("is empty, but {} needs {wanted}", role.label())
    } else {
        format!(
            "holds {} values{}, but {} needs {wanted}; fewer than 90% of its cells \
             read as {wanted}, so fix the values in the file",
            ctype.name(),
            sample_values(table, col),
            role.label()
        )
    };
    Err(Error::bad_setting(
        role_remedy(role, column),
        format!("column '{column}' {found}"),
    ))
}

/// Every (score, role, column) the headers and values suggest for the
/// roles and columns still free, and the customer-id candidates among
/// them; notes say why a column that looks like a role is not used as it.
fn find_candidates(
    table: &Table,
    assigned: &Assigned,
    taken: &[bool],
    notes: &mut Vec<Notice>,
) -> (Vec<Candidate>, Vec<(f64, usize)>) {
    let mut candidates: Vec<Candidate> = Vec::new();
    let mut id_candidates: Vec<(f64, usize)> = Vec::new();
    for role in Role::ALL {
        if assigned.contains_key(&role) {
            continue;
        }
        for j in (0..table.columns.len()).filter(|&j| !taken[j]) {
            if let Some((score, why)) = candidate(table, role, j, notes) {
                if role == Role::CustomerId {
                    id_candidates.push((score, j));
                }
                candidates.push((score, role, j, why));
            }
        }
    }
    (candidates, id_candidates)
}

/// How well column `j` fits `role` by its header or its values, and why;
/// `None` when it does not (with a note when it looks like the role but
/// cannot be it).
fn candidate(
    table: &Table,
    role: Role,
    j: usize,
    notes: &mut Vec<Notice>,
) -> Option<(f64, String)> {
    let col = &table.columns[j];
    let h = header_score(role, &col.name);
    let v = value_score(role, table, j);
    let (score, why) = if h >= v {
        (h, format!("header '{}' matches {}", col.name, role.label()))
    } else {
        (v, format!("values look like {}", role.label()))
    };
    if score <= 0.0 {
        return None;
    }
    if !role.accepts(col.ctype) {
        if h >= 0.9 {
            let what = if col.data.missing_count() == table.n_rows {
                "every cell is empty".to_string()
            } else {
                format!(
                    "holds {} values{}",
                    col.ctype.name(),
                    sample_values(table, col)
                )
            };
            notes.push(
                Notice::new(format!(
                    "'{}' looks like {} but {what}; not used as {}",
                    col.name,
                    role.label(),
                    role.label()
                ))
                .about(&col.name),
            );
        }
        return None;
    }
    if h < 1.0
        && h >= v
        && let Some(why_not) = implausible_values(role, col)
    {
        // "PURCHASES_FREQUENCY" holds ratios in 0..1, not a count.
        notes.push(
            Notice::new(format!(
                "'{}' is named like {} but {why_not}; not used as {}",
                col.name,
                role.label(),
                role.label()
            ))
            .about(&col.name),
        );
        return None;
    }
    if role == Role::Direction && h >= v {
        // "Type" is a direction only when its values say in or out.
        let (share, _) = direction_share(col);
        if share < crate::pipeline::txn_meaning::DIRECTION_SHARE {
            // Said once, by `note_unread_direction`, in a log.
            return None;
        }
    }
    Some((score, why))
}

/// Best candidates first (ties keep column order), each role and each
/// column used once.
fn assign_best(mut candidates: Vec<Candidate>, assigned: &mut Assigned, taken: &mut [bool]) {
    candidates.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.2.cmp(&b.2)).then(a.1.cmp(&b.1)));
    for (score, role, j, why) in candidates {
        if assigned.contains_key(&role) || taken[j] {
            continue;
        }
        taken[j] = true;
        assigned.insert(role, (j, score, why));
    }
}

/// Each column's place: its role (if any), how sure, why, and its use (the
/// user's, else the role's or the column type's default).
fn column_mappings(table: &Table, opts: &MappingOptions, assigned: Assigned) -> Vec<ColumnMapping> {
    let role_of: BTreeMap<usize, (Role, f64, String)> = assigned
        .into_iter()
        .map(|(r, (j, s, why))| (j, (r, s, why)))
        .collect();
    let mut out = Vec::with_capacity(table.columns.len());
    for (j, col) in table.columns.iter().enumerate() {
        let (role, confidence, reason) = match role_of.get(&j) {
            Some((r, s, why)) => (Some(*r), *s, why.clone()),
            None => (None, 0.0, String::new()),
        };
        let default_use = match role {
            Some(Role::CustomerId | Role::TxnId) => ColumnUse::Ignore,
            Some(Role::Gender | Role::Branch | Role::Direction) => ColumnUse::Profile,
            Some(_) => ColumnUse::Feature,
            None if col.ctype.is_numeric() && !looks_like_code(&col.name) => ColumnUse::Feature,
            None if col.ctype == ColumnType::Text => ColumnUse::Profile,
            None => ColumnUse::Ignore,
        };
        let usage = opts.usage.get(&col.name).copied().unwrap_or(default_use);
        out.push(ColumnMapping {
            column: col.name.clone(),
            ctype: col.ctype,
            role,
            confidence,
            reason,
            usage,
            hygiene: ColumnHygiene::default(),
        });
    }
    out
}

/// The columns named in the after-the-fact list and the column-use
/// settings exist.
fn check_named_columns(table: &Table, opts: &MappingOptions) -> Result<()> {
    let file = table.source.file_name();
    for name in &opts.hygiene.after_the_fact {
        if table.column_index(name).is_none() {
            return Err(Error::usage(format!(
                "{file} has no column '{name}' (in the after-the-fact columns); its columns are: {}",
                table.names().join(", ")
            )));
        }
    }
    // A column of the file the run did not read (ignored) is still named right.
    let unread = |name: &String| table.source.unread_columns.contains(name);
    for name in opts.usage.keys() {
        if table.column_index(name).is_none() && !unread(name) {
            return Err(Error::usage(format!(
                "{file} has no column '{name}' (in the column-use settings)"
            )));
        }
    }
    Ok(())
}

/// Columns of money in and of money out come in pairs: a lone `Deposits`
/// or `Debit` column is left to the other roles (a deposit-only log's
/// amount, say), unless the user named its partner.
fn keep_flow_columns_in_pairs(candidates: &mut Vec<Candidate>, assigned: &Assigned) {
    let has = |role: Role, c: &[Candidate]| {
        assigned.contains_key(&role) || c.iter().any(|(_, r, ..)| *r == role)
    };
    if !(has(Role::TxnInflow, candidates) && has(Role::TxnOutflow, candidates)) {
        candidates.retain(|(_, r, ..)| !matches!(r, Role::TxnInflow | Role::TxnOutflow));
    }
}

/// In a log (an amount and a transaction date or id) without a direction:
/// a column named like one whose few values are not read as in or out.
fn note_unread_direction(table: &Table, mapping: &mut Mapping) {
    let log = mapping.column_for(Role::TxnAmount).is_some()
        && (mapping.column_for(Role::TxnDate).is_some()
            || mapping.column_for(Role::TxnId).is_some());
    // Columns of money in and out say the direction themselves.
    let split = mapping.column_for(Role::TxnInflow).is_some();
    if !log || split || mapping.column_for(Role::Direction).is_some() {
        return;
    }
    for col in &table.columns {
        if header_score(Role::Direction, &col.name) >= 0.9 && mapping.role_of(&col.name).is_none() {
            mapping
                .notes
                .extend(crate::pipeline::txn_meaning::unread_direction_note(col));
        }
    }
}

/// " (e.g. line 9: 'abc', line 12: 'n/a')": the first values of a column
/// that read neither as a number nor as a date (the first values when all
/// do), for notes about a column that cannot take a role.
fn sample_values(table: &Table, col: &Column) -> String {
    use crate::pipeline::load::values::{NumberStyle, parse_date_token, parse_number};
    let odd = |v: &str| {
        parse_date_token(v).is_none() && parse_number(v, NumberStyle::DotDecimal).is_none()
    };
    let shown: Vec<String> = match &*col.data {
        ColumnData::Text(t) => {
            let present = || (0..t.len()).filter_map(|i| t.get(i).map(|v| (i, v)));
            let first_odd: Vec<(usize, &str)> = present().filter(|(_, v)| odd(v)).take(3).collect();
            let chosen = if first_odd.is_empty() {
                present().take(3).collect()
            } else {
                first_odd
            };
            chosen
                .into_iter()
                .map(|(i, v)| format!("{}: '{}'", table.row_label(i), excerpt::cell(v)))
                .collect()
        }
        _ => col
            .info
            .unparsed_examples
            .iter()
            .take(3)
            .map(|(i, v)| format!("{}: '{}'", table.row_label(*i), excerpt::cell(v)))
            .collect(),
    };
    if shown.is_empty() {
        String::new()
    } else {
        format!(" (e.g. {})", shown.join(", "))
    }
}
