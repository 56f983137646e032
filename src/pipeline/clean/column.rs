//! Phases 3 and 4 for one column: the validity rule, invalid values made
//! missing, the drop rules; then the imputation (phase 5, [`super::impute`]).

use super::impute::{fill, fill_value};
use super::{
    CleanOptions, ColumnAction, ColumnParams, ColumnReport, DropCause, EXAMPLES, Imputation,
    IsoDate, SHARE_EPS, Validity,
};
use crate::pipeline::excerpt;
use crate::pipeline::mapping::{ColumnUse, Role};
use crate::pipeline::table::{
    Column, ColumnData, ColumnType, MISSING_DATE, SharedData, Table, date_to_days,
};
use crate::remedy::Remedy;
use chrono::Months;

/// The validity rule for a column, from its type and role.
pub fn validity_for(
    ctype: ColumnType,
    role: Option<Role>,
    opts: &CleanOptions,
    as_of: Option<IsoDate>,
) -> Validity {
    let floor = IsoDate::from_ymd(opts.min_year, 1, 1).unwrap_or(IsoDate(i32::MIN + 1));
    match ctype {
        ColumnType::Text => Validity::Any,
        ColumnType::Flag => Validity::Finite,
        ColumnType::Number => match role {
            Some(Role::Age) => Validity::Range {
                min: 0.0,
                max: opts.max_age,
            },
            Some(Role::TxnCount | Role::ProductCount | Role::Tenure | Role::Recency) => {
                Validity::NonNegative
            }
            _ => Validity::Finite,
        },
        ColumnType::Date => match role {
            Some(Role::BirthDate) => {
                // Born after the as-of date, or so long before it that the age
                // would pass max_age: both impossible.
                let oldest = as_of
                    .and_then(|a| a.naive())
                    .and_then(|a| a.checked_sub_months(Months::new((opts.max_age * 12.0) as u32)))
                    .map(|d| IsoDate(date_to_days(d)));
                Validity::Dates {
                    min: oldest.map_or(floor, |o| o.max(floor)),
                    max: as_of,
                }
            }
            Some(Role::LastDate | Role::TxnDate | Role::OpenDate) => Validity::Dates {
                min: floor,
                max: as_of,
            },
            _ => Validity::Dates {
                min: floor,
                max: None,
            },
        },
    }
}

fn quote(data: &ColumnData, i: usize, raw_number: Option<f64>) -> String {
    match (data, raw_number) {
        (_, Some(x)) if !x.is_finite() => format!("{x}"),
        (ColumnData::Text(_), _) => format!("'{}'", excerpt::cell(&data.display(i))),
        _ => data.display(i),
    }
}

/// One column to clean, with what the stage knows about it.
pub(super) struct ColumnJob<'a> {
    pub col: &'a Column,
    /// The table after duplicate rows were removed: the rows of `col`.
    pub work: &'a Table,
    /// The table as loaded: where load-time examples point.
    pub original: &'a Table,
    pub role: Option<Role>,
    pub usage: ColumnUse,
    pub is_id: bool,
    pub validity: Validity,
}

/// Phases 3 to 5 for one column: the cleaned column (`None` when dropped),
/// its report and its parameters for the saved model. `n` is the number of
/// rows after duplicates were removed.
pub(super) fn clean_column(
    job: ColumnJob<'_>,
    opts: &CleanOptions,
    n: usize,
) -> (Option<Column>, ColumnReport, ColumnParams) {
    let col = job.col;
    let (mut rep, mut par) = as_received(&job, n);
    if job.is_id {
        rep.action = ColumnAction::Identifier;
        rep.validity = "any".into();
        par.validity = Validity::Any;
        return (Some(col.clone()), rep, par);
    }
    if job.usage == ColumnUse::Ignore {
        rep.action = ColumnAction::Ignored;
        rep.reason = "marked 'ignore' in the mapping; passed through unchanged".into();
        return (Some(col.clone()), rep, par);
    }

    let mut data = col.data.clone();
    let (invalid, examples) = invalid_to_missing(&mut data, &job);
    rep.invalid = invalid;
    rep.invalid_examples = examples;
    let missing = rep.missing_in + invalid;
    rep.missing_before = missing;
    rep.missing_share = missing as f64 / n as f64;
    rep.missing_after = missing;

    let Some(imputation) = keep_or_drop(&data, &job, opts, &mut rep, &mut par) else {
        return (None, rep, par);
    };
    if missing > 0 {
        fill(&mut data, &imputation.value);
        rep.action = ColumnAction::Imputed;
        rep.missing_after = 0;
    }
    rep.imputation = Some(imputation.clone());
    par.imputation = Some(imputation);
    let out = Column {
        name: col.name.clone(),
        ctype: col.ctype,
        data,
        info: col.info.clone(),
    };
    (Some(out), rep, par)
}

/// The report and parameters of a column as received: its missing and
/// unparsed cells, its rule; kept until a later phase says otherwise.
fn as_received(job: &ColumnJob<'_>, n: usize) -> (ColumnReport, ColumnParams) {
    let col = job.col;
    let missing_in = col.data.missing_count();
    let unparsed_examples = col
        .info
        .unparsed_examples
        .iter()
        .take(EXAMPLES)
        .map(|(row, raw)| format!("{}: '{}'", job.original.row_label(*row), excerpt::cell(raw)))
        .collect();
    let rep = ColumnReport {
        name: col.name.clone(),
        ctype: col.ctype,
        role: job.role,
        usage: job.usage,
        missing_in,
        unparsed_at_load: col.info.unparsed,
        unparsed_examples,
        invalid: 0,
        validity: job.validity.describe(),
        invalid_examples: Vec::new(),
        missing_before: missing_in,
        missing_share: missing_in as f64 / n as f64,
        missing_after: missing_in,
        imputation: None,
        action: ColumnAction::Kept,
        reason: String::new(),
        drop_cause: None,
        remedy: None,
    };
    let par = ColumnParams {
        name: col.name.clone(),
        ctype: col.ctype,
        role: job.role,
        usage: job.usage,
        validity: job.validity.clone(),
        imputation: None,
        dropped: None,
    };
    (rep, par)
}

/// Phase 3: values that break the column's rule become missing. Returns
/// how many did and the first few, quoted with their rows.
fn invalid_to_missing(data: &mut SharedData, job: &ColumnJob<'_>) -> (usize, Vec<String>) {
    let rows = invalid_rows(data, &job.validity);
    let examples = rows
        .iter()
        .take(EXAMPLES)
        .map(|&i| {
            let raw_number = match &**data {
                ColumnData::Number(v) => Some(v[i]),
                _ => None,
            };
            format!("{}: {}", job.work.row_label(i), quote(data, i, raw_number))
        })
        .collect();
    set_missing(data, &rows);
    (rows.len(), examples)
}

/// The rows whose value breaks `validity` (a missing cell breaks nothing).
pub(super) fn invalid_rows(data: &ColumnData, validity: &Validity) -> Vec<usize> {
    match data {
        ColumnData::Number(v) => (0..v.len())
            .filter(|&i| !v[i].is_nan() && !validity.number_ok(v[i]))
            .collect(),
        ColumnData::Date(v) => (0..v.len())
            .filter(|&i| v[i] != MISSING_DATE && !validity.date_ok(v[i]))
            .collect(),
        ColumnData::Text(_) => Vec::new(),
    }
}

/// Makes `rows` missing. Writes (and so copies cells the loaded table
/// shares) only when there is a row to change.
pub(super) fn set_missing(data: &mut SharedData, rows: &[usize]) {
    if rows.is_empty() {
        return;
    }
    match &mut **data {
        ColumnData::Number(v) => rows.iter().for_each(|&i| v[i] = f64::NAN),
        ColumnData::Date(v) => rows.iter().for_each(|&i| v[i] = MISSING_DATE),
        ColumnData::Text(_) => {}
    }
}

/// Phase 4, the drop rules in order (too many missing, every value
/// missing, constant): the imputation of a column that stays, or `None`
/// with the column marked dropped in `rep` and `par`.
fn keep_or_drop(
    data: &ColumnData,
    job: &ColumnJob<'_>,
    opts: &CleanOptions,
    rep: &mut ColumnReport,
    par: &mut ColumnParams,
) -> Option<Imputation> {
    let costs = match job.role {
        Some(r) => format!(
            "; it is mapped as {}, so what is built from it is left out",
            r.label()
        ),
        None => String::new(),
    };
    if rep.missing_share > opts.max_missing + SHARE_EPS {
        let invalid = rep.invalid;
        let why = format!(
            "{:.1}% missing{} is above the max-missing limit of {:.0}%{costs}",
            rep.missing_share * 100.0,
            if invalid > 0 {
                format!(" (including {invalid} invalid values)")
            } else {
                String::new()
            },
            opts.max_missing * 100.0,
        );
        // A mapped column is worth keeping: say how far to raise the limit.
        rep.remedy = Some(Remedy::MaxMissing {
            value: job
                .role
                .map(|_| format!("{:.2}", (rep.missing_share * 100.0).ceil() / 100.0)),
        });
        mark_dropped(rep, par, DropCause::TooManyMissing, why);
        return None;
    }
    let Some((imputation, constant)) = fill_value(data, job.col.ctype) else {
        let why = format!("every value is missing{costs}");
        mark_dropped(rep, par, DropCause::AllMissing, why);
        return None;
    };
    if constant && opts.drop_constant {
        let why = format!(
            "constant: every present value is {}{costs}",
            imputation.value
        );
        mark_dropped(rep, par, DropCause::Constant, why);
        return None;
    }
    Some(imputation)
}

fn mark_dropped(rep: &mut ColumnReport, par: &mut ColumnParams, cause: DropCause, why: String) {
    rep.action = ColumnAction::Dropped;
    rep.drop_cause = Some(cause);
    rep.reason = why.clone();
    par.dropped = Some(why);
}
