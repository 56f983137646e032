//! `segmentation_results.parquet`: the results table typed — customer id
//! as text, segment as a 32-bit integer, label (and action when asked) as
//! text, each feature as a 64-bit float in original units (null where the
//! value is missing). Snappy-compressed, which every Parquet reader reads.

use super::formats::RESULTS_PARQUET;
use super::outset::OutputSet;
use super::tables::ResultsInput;
use crate::error::{Error, Result};
use arrow_array::{ArrayRef, Float64Array, Int32Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use std::sync::Arc;

/// Rows per batch handed to the writer (and per row group at most 1M).
const BATCH_ROWS: usize = 64 * 1024;

fn schema(input: &ResultsInput) -> Schema {
    let mut fields = vec![
        Field::new("customer_id", DataType::Utf8, false),
        Field::new("segment", DataType::Int32, false),
        Field::new("label", DataType::Utf8, false),
    ];
    if input.actions {
        fields.push(Field::new("action", DataType::Utf8, false));
    }
    fields.extend(
        input
            .feature_names
            .iter()
            .map(|f| Field::new(f, DataType::Float64, true)),
    );
    Schema::new(fields)
}

/// The batch of rows `rows`.
fn batch(
    input: &ResultsInput,
    schema: &Arc<Schema>,
    rows: std::ops::Range<usize>,
) -> Result<RecordBatch> {
    let d = input.feature_names.len();
    let segment_of = |i: usize| &input.profiles.segments[input.labels[i] as usize];
    let mut columns: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from_iter_values(
            rows.clone().map(|i| input.ids.get(i)),
        )),
        Arc::new(Int32Array::from_iter_values(
            rows.clone().map(|i| segment_of(i).id as i32),
        )),
        Arc::new(StringArray::from_iter_values(
            rows.clone().map(|i| segment_of(i).label.as_str()),
        )),
    ];
    if input.actions {
        columns.push(Arc::new(StringArray::from_iter_values(
            rows.clone().map(|i| segment_of(i).action.as_str()),
        )));
    }
    for j in 0..d {
        columns.push(Arc::new(Float64Array::from_iter(rows.clone().map(|i| {
            let x = input.original[j][i];
            x.is_finite().then_some(x)
        }))));
    }
    RecordBatch::try_new(schema.clone(), columns).map_err(|e| write_error(&e))
}

fn write_error(e: &dyn std::fmt::Display) -> Error {
    Error::io(
        format!("writing {RESULTS_PARQUET}"),
        std::io::Error::other(e.to_string()),
    )
}

/// Stages `segmentation_results.parquet` in `out`.
pub fn write_results_parquet(out: &mut OutputSet, input: &ResultsInput) -> Result<()> {
    let schema = Arc::new(schema(input));
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_created_by(format!("custseg {}", env!("CARGO_PKG_VERSION")))
        .build();
    out.write_file_with(RESULTS_PARQUET, |file| {
        let mut writer =
            ArrowWriter::try_new(file, schema.clone(), Some(props)).map_err(|e| write_error(&e))?;
        let n = input.ids.len();
        for start in (0..n).step_by(BATCH_ROWS) {
            let b = batch(input, &schema, start..(start + BATCH_ROWS).min(n))?;
            writer.write(&b).map_err(|e| write_error(&e))?;
        }
        // into_inner writes the footer.
        let file = writer.into_inner().map_err(|e| write_error(&e))?;
        file.sync_all()
            .map_err(|e| Error::io(format!("writing {RESULTS_PARQUET}"), e))
    })
}
