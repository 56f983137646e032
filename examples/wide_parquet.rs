//! Writes the wide Parquet extract of the projection benchmark (README,
//! "Parquet"): ROWS customers x 200 columns, of which a run uses 8 (id, age,
//! branch, balance, transactions, amount, products, open date); the other
//! 192 (96 numbers, 96 texts) are set to ignore in the run.toml written
//! beside it. `cargo run --release --example wide_parquet -- OUT.parquet [ROWS]`

use arrow_array::{
    ArrayRef, Date32Array, Float64Array, Int32Array, Int64Array, RecordBatch, StringArray,
};
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use std::sync::Arc;

const EXTRA: usize = 96;
const BATCH: usize = 65_536;

struct Lcg(u64);
impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

fn schema() -> Schema {
    let mut fields = vec![
        Field::new("customer_id", DataType::Utf8, false),
        Field::new("age", DataType::Int32, false),
        Field::new("branch", DataType::Utf8, false),
        Field::new("balance", DataType::Float64, false),
        Field::new("txn_count", DataType::Int64, false),
        Field::new("txn_amount", DataType::Float64, false),
        Field::new("product_count", DataType::Int32, false),
        Field::new("open_date", DataType::Date32, false),
    ];
    for k in 0..EXTRA {
        fields.push(Field::new(format!("m_{k:03}"), DataType::Float64, false));
        fields.push(Field::new(format!("t_{k:03}"), DataType::Utf8, false));
    }
    Schema::new(fields)
}

fn batch(schema: &Arc<Schema>, from: usize, rows: usize, g: &mut Lcg) -> RecordBatch {
    let kinds: Vec<u64> = (0..rows).map(|_| g.below(3)).collect();
    let pick = |k: u64, v: [f64; 3]| v[k as usize];
    let mut columns: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from_iter_values(
            (from..from + rows).map(|i| format!("C{i:08}")),
        )),
        Arc::new(Int32Array::from_iter_values(
            kinds.iter().map(|_| 22 + g.below(50) as i32),
        )),
        Arc::new(StringArray::from_iter_values(kinds.iter().map(|_| {
            ["North", "South", "East", "West"][g.below(4) as usize]
        }))),
        Arc::new(Float64Array::from_iter_values(kinds.iter().map(|&k| {
            pick(k, [5e3, 8e4, 9e5]) * (1.0 + g.below(1000) as f64 / 1000.0)
        }))),
        Arc::new(Int64Array::from_iter_values(
            kinds
                .iter()
                .map(|&k| [5, 60, 20][k as usize] + g.below(20) as i64),
        )),
        Arc::new(Float64Array::from_iter_values(kinds.iter().map(|&k| {
            pick(k, [800.0, 15e3, 9e4]) + g.below(10_000) as f64 / 100.0
        }))),
        Arc::new(Int32Array::from_iter_values(
            kinds.iter().map(|&k| 1 + 2 * k as i32 + g.below(2) as i32),
        )),
        Arc::new(Date32Array::from_iter_values(
            kinds.iter().map(|_| 13_000 + g.below(6_000) as i32),
        )),
    ];
    for _ in 0..EXTRA {
        columns.push(Arc::new(Float64Array::from_iter_values(
            (0..rows).map(|_| g.below(1000) as f64 / 10.0),
        )));
        columns.push(Arc::new(StringArray::from_iter_values(
            (0..rows).map(|_| format!("v{}", g.below(500))),
        )));
    }
    RecordBatch::try_new(schema.clone(), columns).unwrap()
}

fn main() {
    let mut args = std::env::args().skip(1);
    let out = args.next().expect("usage: wide_parquet OUT.parquet [ROWS]");
    let rows: usize = args.next().map_or(1_000_000, |r| r.parse().expect("ROWS"));
    let schema = Arc::new(schema());
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .build();
    let file = std::fs::File::create(&out).unwrap();
    let mut w = ArrowWriter::try_new(file, schema.clone(), Some(props)).unwrap();
    let mut g = Lcg(7);
    let mut at = 0;
    while at < rows {
        let n = BATCH.min(rows - at);
        w.write(&batch(&schema, at, n, &mut g)).unwrap();
        at += n;
    }
    w.close().unwrap();
    let ignore: String = (0..EXTRA)
        .map(|k| format!("m_{k:03} = \"ignore\"\nt_{k:03} = \"ignore\"\n"))
        .collect();
    let toml = std::path::Path::new(&out).with_file_name("wide_run.toml");
    std::fs::write(&toml, format!("[mapping.usage]\n{ignore}")).unwrap();
    println!(
        "{out}: {rows} rows x {} columns; {}",
        schema.fields().len(),
        toml.display()
    );
}
