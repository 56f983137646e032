//! A run's results written as Parquet only (`--formats parquet`), read as a
//! side of a comparison with the same checks as the CSV (see [`SideRows`]):
//! its typed cells (text id and label, integer segment, float features,
//! null for a missing value) are taken as the CSV writes them.

use super::side::{Side, SideRows};
use crate::error::{Error, Result};
use crate::pipeline::load::columnar::{self, Columnar};
use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int32Type, Int64Type};
use arrow_array::{Array, ArrayRef};
use arrow_schema::DataType;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use std::path::Path;

/// Rows decoded at a time.
const BATCH_ROWS: usize = 64 * 1024;

/// Whether `file` is a Parquet file (by its first bytes).
pub(super) fn is_parquet(file: &Path) -> Result<bool> {
    Ok(columnar::detect(file)? == Some(Columnar::Parquet))
}

/// Reads the results in `file` into `side`.
pub(super) fn read(file: &Path, side: Side) -> Result<Side> {
    let shown = side.file.clone();
    let damaged = |e: &dyn std::fmt::Display| {
        Error::data(format!(
            "{shown}: the Parquet file cannot be read ({}); is it a copy cut off or written by another tool?",
            crate::pipeline::excerpt::excerpt(&e.to_string(), 200)
        ))
    };
    let input = std::fs::File::open(file).map_err(|e| Error::io_path("opening", file, e))?;
    let builder = ParquetRecordBatchReaderBuilder::try_new(input).map_err(|e| damaged(&e))?;
    let header: Vec<String> = builder
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    let reader = builder
        .with_batch_size(BATCH_ROWS)
        .build()
        .map_err(|e| damaged(&e))?;
    // The Parquet holds the labels as they are (no spreadsheet neutralising).
    let mut rows = SideRows::new(side, &header, str::to_string)?;
    let mut row = 0usize;
    let mut texts: Vec<String> = Vec::new();
    for batch in reader {
        let batch = batch.map_err(|e| damaged(&e))?;
        for (column, name) in batch.columns().iter().zip(&header) {
            check_type(column, name, &shown)?;
        }
        for i in 0..batch.num_rows() {
            row += 1;
            texts.clear();
            texts.extend(batch.columns().iter().map(|c| cell(c, i)));
            let cells: Vec<&str> = texts.iter().map(String::as_str).collect();
            rows.push(
                super::side::Position {
                    unit: "row",
                    n: row as u64,
                },
                &cells,
            )?;
        }
    }
    rows.finish()
}

/// The types custseg writes: text, integers, floats.
fn check_type(column: &ArrayRef, name: &str, file: &str) -> Result<()> {
    match column.data_type() {
        DataType::Utf8 | DataType::Int32 | DataType::Int64 | DataType::Float64 => Ok(()),
        other => Err(Error::data(format!(
            "{file}: column '{}' holds {other}, which custseg does not write (text, integers or numbers); give a folder written by a custseg run",
            crate::escape::excerpt(name, 40)
        ))),
    }
}

/// Cell `i` of `column` as the CSV writes it; null is empty.
fn cell(column: &ArrayRef, i: usize) -> String {
    if column.is_null(i) {
        return String::new();
    }
    match column.data_type() {
        DataType::Utf8 => column.as_string::<i32>().value(i).to_string(),
        DataType::Int32 => column.as_primitive::<Int32Type>().value(i).to_string(),
        DataType::Int64 => column.as_primitive::<Int64Type>().value(i).to_string(),
        // Shortest text that reads back as the same number.
        _ => column.as_primitive::<Float64Type>().value(i).to_string(),
    }
}
