//! `custseg sql`: reads a model and writes its scoring statement
//! ([`crate::pipeline::score_sql`]) to standard output or a file.

use crate::cli::SqlArgs;
use crate::error::{Error, Result};
use crate::pipeline::export::write::{check_file_target, write_atomic};
use crate::pipeline::model::Model;
use crate::pipeline::progress::NoProgress;
use crate::pipeline::score_sql::{
    AsOfSpec, Dialect, SqlRequest, check_table, guessed_row_order, parse_schema, scoring_sql,
};
use std::io::Write;

pub fn run_sql(args: &SqlArgs) -> Result<()> {
    let dialect: Dialect = args
        .dialect
        .parse()
        .map_err(|e: String| Error::usage(format!("--dialect: {e}")))?;
    if args.table.trim().is_empty() {
        return Err(Error::usage("--table: give the name of the customer table"));
    }
    let as_of = match (&args.as_of, &args.as_of_sql) {
        (Some(d), _) => AsOfSpec::Date(*d),
        (None, Some(expr)) if expr.trim().is_empty() => {
            return Err(Error::usage("--as-of-sql: the expression is empty"));
        }
        (None, Some(expr)) => AsOfSpec::Sql(expr.clone()),
        (None, None) => AsOfSpec::Latest,
    };
    if let Some(out) = &args.out {
        check_file_target(out, args.force)?;
    }
    let model = Model::read(&args.model)?;
    let request = SqlRequest {
        dialect,
        table: args.table.clone(),
        as_of,
        row_order: match &args.row_order {
            Some(e) if e.trim().is_empty() => {
                return Err(Error::usage("--row-order: the expression is empty"));
            }
            other => other.clone(),
        },
    };
    if let Some(path) = &args.schema {
        let shown = crate::artefact::shown(path);
        let text = crate::artefact::read_text(path, crate::artefact::MODEL_CAP, "schema")?;
        let columns = parse_schema(&text, &shown).map_err(Error::usage)?;
        check_table(&model, &request, &columns).map_err(|problems| {
            Error::data(format!(
                "{shown}: table '{}' does not fit the model: {problems}",
                args.table
            ))
        })?;
    }
    let sql = scoring_sql(&model, &request)?;
    if let Some(note) = guessed_row_order(&model, &request) {
        eprintln!(
            "note: the log's {}; --row-order EXPR gives the file's order",
            crate::escape::terminal(&note)
        );
    }
    match &args.out {
        Some(out) => {
            write_atomic(out, &NoProgress, |w| {
                w.write_all(sql.as_bytes())
                    .map_err(|e| Error::io_path("writing", out, e))
            })?;
            eprintln!(
                "written: {}",
                crate::escape::terminal(&out.display().to_string())
            );
        }
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(sql.as_bytes())
                .and_then(|()| stdout.flush())
                .map_err(|e| Error::io("writing the statement", e))?;
        }
    }
    Ok(())
}
