//! Helpers shared by the tests that run custseg's SQL in SQLite: a CSV as
//! a warehouse holds it (custseg's reading of numbers and dates, text as
//! the file's raw cells) and a statement run over it.
#![allow(dead_code)]

use custseg::pipeline::load::{LoadOptions, load};
use custseg::pipeline::progress::NoProgress;
use custseg::pipeline::table::{ColumnData, ColumnType, MISSING_DATE, Table};
use std::path::Path;

/// One cell as the engine holds it.
#[derive(Clone, Debug)]
pub enum Cell {
    Num(Option<f64>),
    Date(Option<String>),
    Text(String),
}

/// A customer table as a warehouse holds it.
pub struct Typed {
    pub names: Vec<String>,
    pub types: Vec<ColumnType>,
    pub rows: Vec<Vec<Cell>>,
}

/// custseg's reading of numbers and dates; the raw cell of text columns.
pub fn typed(path: &Path, utf8: &str, delimiter: u8) -> Typed {
    let table: Table = load(path, &LoadOptions::default(), &NoProgress).unwrap();
    let mut raw = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .from_reader(utf8.as_bytes());
    let header: Vec<String> = raw
        .headers()
        .unwrap()
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    let records: Vec<csv::StringRecord> = raw.records().map(|r| r.unwrap()).collect();
    assert_eq!(records.len(), table.n_rows, "every record is a row");
    let names: Vec<String> = table.columns.iter().map(|c| c.name.clone()).collect();
    let rows = (0..table.n_rows)
        .map(|i| {
            table
                .columns
                .iter()
                .map(|c| match (&*c.data, c.ctype) {
                    (_, ColumnType::Text) => {
                        let j = header.iter().position(|h| *h == c.name).unwrap();
                        Cell::Text(records[i][j].to_string())
                    }
                    (ColumnData::Number(v), _) => Cell::Num((!v[i].is_nan()).then_some(v[i])),
                    (ColumnData::Date(v), _) => {
                        Cell::Date((v[i] != MISSING_DATE).then(|| c.data.display(i)))
                    }
                    (ColumnData::Text(_), _) => unreachable!("text columns are typed Text"),
                })
                .collect()
        })
        .collect();
    let types = table.columns.iter().map(|c| c.ctype).collect();
    Typed { names, types, rows }
}

/// Loads `t` into an in-memory SQLite table `table` and runs `sql`: per
/// row, the id, segment, label and distance.
pub fn run_sqlite(t: &Typed, table: &str, sql: &str) -> Vec<(String, i64, String, f64)> {
    let db = rusqlite::Connection::open_in_memory().unwrap();
    let q = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
    let cols: Vec<String> = t
        .names
        .iter()
        .zip(&t.types)
        .map(|(n, ty)| {
            let ty = match ty {
                ColumnType::Number | ColumnType::Flag => "REAL",
                ColumnType::Date | ColumnType::Text => "TEXT",
            };
            format!("{} {ty}", q(n))
        })
        .collect();
    db.execute(
        &format!("CREATE TABLE {} ({})", q(table), cols.join(", ")),
        [],
    )
    .unwrap();
    let marks = vec!["?"; t.names.len()].join(", ");
    {
        let mut ins = db
            .prepare(&format!("INSERT INTO {} VALUES ({marks})", q(table)))
            .unwrap();
        for row in &t.rows {
            let values: Vec<rusqlite::types::Value> = row
                .iter()
                .map(|c| match c {
                    Cell::Num(Some(x)) => rusqlite::types::Value::Real(*x),
                    Cell::Date(Some(d)) => rusqlite::types::Value::Text(d.clone()),
                    Cell::Text(s) => rusqlite::types::Value::Text(s.clone()),
                    _ => rusqlite::types::Value::Null,
                })
                .collect();
            ins.execute(rusqlite::params_from_iter(values)).unwrap();
        }
    }
    let mut stmt = db
        .prepare(sql)
        .unwrap_or_else(|e| panic!("sqlite rejects the statement: {e}\n{sql}"));
    stmt.query_map([], |r| {
        let id = match r.get::<_, rusqlite::types::Value>(0)? {
            rusqlite::types::Value::Real(x) => custseg::pipeline::table::format_number(x),
            rusqlite::types::Value::Integer(i) => i.to_string(),
            rusqlite::types::Value::Text(s) => s,
            other => format!("{other:?}"),
        };
        Ok((
            id,
            r.get::<_, i64>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, f64>(4)?,
        ))
    })
    .unwrap()
    .map(|r| r.unwrap())
    .collect()
}
