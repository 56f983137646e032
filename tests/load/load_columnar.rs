//! Parquet and Arrow IPC input (issue 17): tables generated here are written
//! as CSV, Parquet (snappy, zstd, gzip, lz4, small row groups, dictionary
//! strings, nulls, dates, timestamps, decimals), Arrow IPC file and stream,
//! and gzip; every copy must give the same segments as the CSV. Hostile
//! Parquet (cut off, garbage footer, a footer length pointing outside the
//! file, a bomb of rows) is refused in one line naming the file.

use arrow_array::builder::StringDictionaryBuilder;
use arrow_array::types::Int32Type;
use arrow_array::{
    Array, ArrayRef, BooleanArray, Date32Array, Decimal128Array, Float64Array, Int32Array,
    Int64Array, RecordBatch, StringArray, TimestampMicrosecondArray,
};
use arrow_schema::{DataType, Field, Schema, TimeUnit};
use custseg::pipeline::load::{LoadOptions, load};
use custseg::pipeline::progress::NoProgress;
use custseg::pipeline::table::{ColumnType, Table, format_date};
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, GzipLevel, ZstdLevel};
use parquet::file::properties::WriterProperties;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_custseg"))
}

/// A small deterministic generator (the test's own, independent of custseg).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// One generated customer table, held as typed values.
struct Customers {
    ids: Vec<String>,
    age: Vec<Option<i32>>,
    branch: Vec<Option<&'static str>>,
    /// Cents: written as a decimal(14, 2) and as "1234.56" in the CSV.
    balance_cents: Vec<i64>,
    txn_count: Vec<i64>,
    txn_amount: Vec<f64>,
    /// Days since 1970-01-01.
    last_txn: Vec<Option<i32>>,
    open_date: Vec<i32>,
    products: Vec<Option<i32>>,
    online: Vec<Option<bool>>,
}

const BRANCHES: [&str; 5] = ["Shanghai", "Beijing", "Chengdu", "深圳", "Wuhan"];

fn customers(n: usize, seed: u64) -> Customers {
    let mut g = Lcg(seed);
    let mut c = Customers {
        ids: Vec::new(),
        age: Vec::new(),
        branch: Vec::new(),
        balance_cents: Vec::new(),
        txn_count: Vec::new(),
        txn_amount: Vec::new(),
        last_txn: Vec::new(),
        open_date: Vec::new(),
        products: Vec::new(),
        online: Vec::new(),
    };
    for i in 0..n {
        // Three kinds of customer, so the segments are clear.
        let kind = g.below(3);
        c.ids.push(format!("C{:07}", i + 1));
        c.age
            .push((g.below(40) != 0).then(|| 22 + g.below(50) as i32));
        c.branch
            .push((g.below(30) != 0).then(|| BRANCHES[g.below(5) as usize]));
        let base = [500_000, 8_000_000, 90_000_000][kind as usize];
        c.balance_cents.push(base + g.below(base as u64) as i64);
        c.txn_count
            .push([5, 60, 20][kind as usize] + g.below(20) as i64);
        c.txn_amount
            .push(([800.0, 15_000.0, 90_000.0][kind as usize]) + g.below(100_000) as f64 / 100.0);
        c.last_txn
            .push((g.below(25) != 0).then(|| 19_700 + g.below(200) as i32));
        c.open_date.push(13_000 + g.below(6_000) as i32);
        c.products
            .push((g.below(20) != 0).then(|| 1 + kind as i32 * 2 + g.below(2) as i32));
        c.online.push((g.below(15) != 0).then(|| g.below(2) == 1));
    }
    c
}

impl Customers {
    fn csv(&self) -> String {
        let mut s = String::from(
            "CustomerID,Age,Branch,AccountBalance,TxnCount12M,TxnAmount12M,LastTxnDate,OpenDate,ProductCount,Online\n",
        );
        let opt = |v: Option<String>| v.unwrap_or_default();
        for i in 0..self.ids.len() {
            s += &format!(
                "{},{},{},{}.{:02},{},{},{},{},{},{}\n",
                self.ids[i],
                opt(self.age[i].map(|x| x.to_string())),
                self.branch[i].unwrap_or(""),
                self.balance_cents[i] / 100,
                self.balance_cents[i] % 100,
                self.txn_count[i],
                self.txn_amount[i],
                opt(self.last_txn[i].map(format_date)),
                format_date(self.open_date[i]),
                opt(self.products[i].map(|x| x.to_string())),
                opt(self.online[i].map(|b| if b { "true" } else { "false" }.to_string())),
            );
        }
        s
    }

    /// The same table as Arrow: the last transaction as a date or as a
    /// timestamp (microseconds, mid-day UTC, so its date is the same).
    fn batch(&self, timestamps: bool) -> RecordBatch {
        let mut branch = StringDictionaryBuilder::<Int32Type>::new();
        for b in &self.branch {
            match b {
                Some(v) => {
                    branch.append_value(v);
                }
                None => branch.append_null(),
            }
        }
        let last: ArrayRef = if timestamps {
            Arc::new(TimestampMicrosecondArray::from(
                self.last_txn
                    .iter()
                    .map(|d| d.map(|d| (i64::from(d) * 86_400 + 13 * 3600) * 1_000_000))
                    .collect::<Vec<_>>(),
            ))
        } else {
            Arc::new(Date32Array::from(self.last_txn.clone()))
        };
        let columns: Vec<ArrayRef> = vec![
            Arc::new(StringArray::from(self.ids.clone())),
            Arc::new(Int32Array::from(self.age.clone())),
            Arc::new(branch.finish()),
            Arc::new(
                Decimal128Array::from(
                    self.balance_cents
                        .iter()
                        .map(|&c| i128::from(c))
                        .collect::<Vec<_>>(),
                )
                .with_precision_and_scale(14, 2)
                .unwrap(),
            ),
            Arc::new(Int64Array::from(self.txn_count.clone())),
            Arc::new(Float64Array::from(self.txn_amount.clone())),
            last,
            Arc::new(Date32Array::from(self.open_date.clone())),
            Arc::new(Int32Array::from(self.products.clone())),
            Arc::new(BooleanArray::from(self.online.clone())),
        ];
        let schema = Schema::new(
            [
                ("CustomerID", columns[0].data_type().clone()),
                ("Age", DataType::Int32),
                ("Branch", columns[2].data_type().clone()),
                ("AccountBalance", DataType::Decimal128(14, 2)),
                ("TxnCount12M", DataType::Int64),
                ("TxnAmount12M", DataType::Float64),
                ("LastTxnDate", columns[6].data_type().clone()),
                ("OpenDate", DataType::Date32),
                ("ProductCount", DataType::Int32),
                ("Online", DataType::Boolean),
            ]
            .map(|(n, t)| Field::new(n, t, true))
            .to_vec(),
        );
        RecordBatch::try_new(Arc::new(schema), columns).unwrap()
    }
}

fn parquet_bytes(batch: &RecordBatch, compression: Compression, row_group_rows: usize) -> Vec<u8> {
    let props = WriterProperties::builder()
        .set_compression(compression)
        .set_max_row_group_row_count(Some(row_group_rows))
        .set_dictionary_enabled(true)
        .build();
    let mut out = Vec::new();
    let mut w = ArrowWriter::try_new(&mut out, batch.schema(), Some(props)).unwrap();
    // Several writes: row groups and pages that do not line up with them.
    let n = batch.num_rows();
    let mut at = 0;
    while at < n {
        let len = 333.min(n - at);
        w.write(&batch.slice(at, len)).unwrap();
        at += len;
    }
    w.close().unwrap();
    out
}

fn ipc_file_bytes(batch: &RecordBatch) -> Vec<u8> {
    let mut out = Vec::new();
    let mut w = arrow_ipc::writer::FileWriter::try_new(&mut out, &batch.schema()).unwrap();
    w.write(&batch.slice(0, batch.num_rows() / 2)).unwrap();
    w.write(&batch.slice(
        batch.num_rows() / 2,
        batch.num_rows() - batch.num_rows() / 2,
    ))
    .unwrap();
    w.finish().unwrap();
    drop(w);
    out
}

fn ipc_stream_bytes(batch: &RecordBatch) -> Vec<u8> {
    let mut out = Vec::new();
    let mut w = arrow_ipc::writer::StreamWriter::try_new(&mut out, &batch.schema()).unwrap();
    for at in (0..batch.num_rows()).step_by(700) {
        w.write(&batch.slice(at, 700.min(batch.num_rows() - at)))
            .unwrap();
    }
    w.finish().unwrap();
    drop(w);
    out
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn load_ok(path: &Path) -> Table {
    load(path, &LoadOptions::default(), &NoProgress)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn load_err(path: &Path) -> String {
    match load(path, &LoadOptions::default(), &NoProgress) {
        Ok(t) => panic!("{} loaded {} rows", path.display(), t.n_rows),
        Err(e) => e.to_string(),
    }
}

/// Every cell of a table as text, with its column types.
fn cells(t: &Table) -> Vec<String> {
    let mut out = Vec::new();
    for c in &t.columns {
        out.push(format!("{} {:?}", c.name, c.ctype));
        for i in 0..t.n_rows {
            out.push(c.data.display(i));
        }
    }
    out
}

#[test]
fn parquet_and_arrow_load_the_same_values_as_the_csv() {
    let dir = tempfile::tempdir().unwrap();
    let data = customers(1500, 11);
    let csv = load_ok(&write(dir.path(), "c.csv", data.csv().as_bytes()));
    let batch = data.batch(false);
    let files = [
        (
            "snappy.parquet",
            parquet_bytes(&batch, Compression::SNAPPY, 400),
        ),
        (
            "zstd.parquet",
            parquet_bytes(
                &batch,
                Compression::ZSTD(ZstdLevel::try_new(3).unwrap()),
                1000,
            ),
        ),
        (
            "gzip.parquet",
            parquet_bytes(&batch, Compression::GZIP(GzipLevel::default()), 5000),
        ),
        (
            "lz4.parquet",
            parquet_bytes(&batch, Compression::LZ4_RAW, 256),
        ),
        // Told by its bytes, not its name.
        (
            "extract.dat",
            parquet_bytes(&batch, Compression::UNCOMPRESSED, 700),
        ),
        ("c.arrow", ipc_file_bytes(&batch)),
        ("c.feather", ipc_file_bytes(&data.batch(true))),
        ("c.arrows", ipc_stream_bytes(&batch)),
    ];
    let want = cells(&csv);
    assert_eq!(csv.column("Online").unwrap().ctype, ColumnType::Flag);
    assert_eq!(csv.column("LastTxnDate").unwrap().ctype, ColumnType::Date);
    for (name, bytes) in files {
        let t = load_ok(&write(dir.path(), name, &bytes));
        assert_eq!(t.n_rows, 1500, "{name}");
        assert_eq!(cells(&t), want, "{name}");
        // Missing cells stay missing (nulls), counted as the CSV counts them.
        for (a, b) in t.columns.iter().zip(&csv.columns) {
            assert_eq!(a.info.missing, b.info.missing, "{name} {}", a.name);
        }
        assert_eq!(t.row_label(0), "row 1", "{name}");
        assert!(t.source.format.starts_with("Parquet") || t.source.format.starts_with("Arrow"));
    }
    // The timestamps' time of day is dropped, and said.
    let t = load_ok(&dir.path().join("c.feather"));
    let notes = &t.column("LastTxnDate").unwrap().info.notes;
    assert!(notes.iter().any(|n| n.contains("time of day")), "{notes:?}");
}

#[test]
fn nested_columns_are_left_out_with_a_warning_and_big_integers_stay_exact() {
    use arrow_array::ListArray;
    use arrow_array::types::Int64Type;
    let dir = tempfile::tempdir().unwrap();
    let list = ListArray::from_iter_primitive::<Int64Type, _, _>(vec![
        Some(vec![Some(1), Some(2)]),
        None,
        Some(vec![]),
    ]);
    let card: Int64Array = vec![6_222_021_234_567_890_123, 1, 2].into();
    let schema = Schema::new(vec![
        Field::new("id", DataType::Utf8, false),
        Field::new("tags", list.data_type().clone(), true),
        Field::new("card", DataType::Int64, false),
        Field::new(
            "seen",
            DataType::Timestamp(TimeUnit::Second, Some("Asia/Shanghai".into())),
            true,
        ),
    ]);
    let batch = RecordBatch::try_new(
        Arc::new(schema),
        vec![
            Arc::new(StringArray::from(vec!["a", "b", "c"])),
            Arc::new(list),
            Arc::new(card),
            // 2024-01-31T20:00:00Z: 1 February in Shanghai.
            Arc::new(
                arrow_array::TimestampSecondArray::from(vec![Some(1_706_731_200), None, Some(0)])
                    .with_timezone("Asia/Shanghai"),
            ),
        ],
    )
    .unwrap();
    let p = write(
        dir.path(),
        "nested.parquet",
        &parquet_bytes(&batch, Compression::SNAPPY, 10),
    );
    let t = load_ok(&p);
    assert_eq!(t.names(), ["id", "card", "seen"]);
    assert!(
        t.source
            .warnings
            .iter()
            .any(|w| w.contains("'tags' (a list (nested))")),
        "{:?}",
        t.source.warnings
    );
    let card = t.column("card").unwrap();
    assert_eq!(card.ctype, ColumnType::Text);
    assert_eq!(card.data.display(0), "6222021234567890123");
    let seen = t.column("seen").unwrap();
    assert_eq!(seen.data.display(0), "2024-02-01");
    assert_eq!(seen.data.display(1), "");
    assert_eq!(seen.data.display(2), "1970-01-01");
}

#[test]
fn hostile_parquet_is_refused_in_one_line_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let data = customers(600, 5);
    let good = parquet_bytes(&data.batch(false), Compression::SNAPPY, 200);
    let n = good.len();
    let footer_len = u32::from_le_bytes(good[n - 8..n - 4].try_into().unwrap()) as usize;
    let mut cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("cut.parquet", good[..n / 2].to_vec(), "cut off"),
        ("tiny.parquet", b"PAR1PAR1".to_vec(), "cut off"),
        ("header-only.parquet", good[..4].to_vec(), "cut off"),
    ];
    // The footer's bytes overwritten with garbage.
    let mut garbage = good.clone();
    for (i, b) in garbage[n - 8 - footer_len..n - 8].iter_mut().enumerate() {
        *b = (i * 37 % 251) as u8;
    }
    cases.push(("garbage-footer.parquet", garbage, "footer is damaged"));
    // A footer length pointing before the start of the file.
    let mut outside = good.clone();
    outside[n - 8..n - 4].copy_from_slice(&(u32::MAX - 7).to_le_bytes());
    cases.push(("footer-outside.parquet", outside, "footer is damaged"));
    // The column data damaged: the error names the row group and column.
    let mut pages = good.clone();
    for b in &mut pages[4..n / 3] {
        *b = 0xA5;
    }
    cases.push(("pages.parquet", pages, "row group 1"));
    for (name, bytes, needle) in cases {
        let path = write(dir.path(), name, &bytes);
        let e = load_err(&path);
        eprintln!("{e}");
        assert!(e.contains(name), "{name}: {e}");
        assert!(e.contains(needle), "{name}: {e}");
        assert!(!e.contains('\n'), "{name}: {e}");
    }
    // Named .parquet but not one.
    let e = load_err(&write(dir.path(), "text.parquet", b"id,x\n1,2\n"));
    assert!(e.contains("does not start like one"), "{e}");
}

#[test]
fn a_parquet_bomb_of_rows_is_refused_by_the_memory_budget() {
    // A million rows of one repeated value compress to a few kilobytes;
    // with the floor of the budget (512 MiB) that is fine, so the bomb has
    // to claim more than the budget: 80 million nulls in eight columns.
    let dir = tempfile::tempdir().unwrap();
    let rows = 8_000_000usize;
    let cols: Vec<ArrayRef> = (0..9)
        .map(|_| Arc::new(Float64Array::from(vec![None::<f64>; rows])) as ArrayRef)
        .collect();
    let schema = Schema::new(
        (0..9)
            .map(|i| Field::new(format!("x{i}"), DataType::Float64, true))
            .collect::<Vec<_>>(),
    );
    let batch = RecordBatch::try_new(Arc::new(schema), cols).unwrap();
    let props = WriterProperties::builder()
        .set_compression(Compression::ZSTD(ZstdLevel::try_new(3).unwrap()))
        .set_max_row_group_row_count(Some(rows))
        .build();
    let mut out = Vec::new();
    let mut w = ArrowWriter::try_new(&mut out, batch.schema(), Some(props)).unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
    assert!(out.len() < 4 << 20, "{}", out.len());
    let p = write(dir.path(), "bomb.parquet", &out);
    let e = load_err(&p);
    eprintln!("{e}");
    assert!(e.contains("bomb.parquet") && e.contains("memory"), "{e}");
}

/// The headless run on CSV, gzip, Parquet and Arrow copies of one generated
/// table writes the same segments.
#[test]
fn the_same_data_as_csv_parquet_arrow_or_gzip_gives_the_same_segments() {
    let dir = tempfile::tempdir().unwrap();
    let data = customers(2000, 3);
    let csv = data.csv();
    write(dir.path(), "c.csv", csv.as_bytes());
    write(dir.path(), "c.csv.gz", &gzip(csv.as_bytes()));
    let batch = data.batch(false);
    write(
        dir.path(),
        "c.parquet",
        &parquet_bytes(
            &batch,
            Compression::ZSTD(ZstdLevel::try_new(1).unwrap()),
            512,
        ),
    );
    write(dir.path(), "c.arrow", &ipc_file_bytes(&batch));
    let mut results = Vec::new();
    for name in ["c.csv", "c.csv.gz", "c.parquet", "c.arrow"] {
        let out = dir.path().join(format!("out-{name}"));
        let o = bin()
            .args(["--no-tui", name, "--out", out.to_str().unwrap()])
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let table = std::fs::read_to_string(out.join("segmentation_results.csv")).unwrap();
        assert_eq!(table.lines().count(), 2001, "{name}");
        results.push((name, table));
    }
    for (name, r) in &results[1..] {
        assert_eq!(r, &results[0].1, "{name} differs from the CSV");
    }
}

/// Columns beside the customer table: a row index (which the column rules
/// ignore, judging its values: read) and text and numbers the config sets to
/// ignore (not read).
fn with_ignored_columns(csv: &str, batch: &RecordBatch, seed: u64) -> (String, RecordBatch) {
    let n = batch.num_rows();
    let mut g = Lcg(seed);
    let notes: Vec<Vec<String>> = (0..3)
        .map(|_| {
            (0..n)
                .map(|_| format!("note {}", g.below(1_000_000)))
                .collect()
        })
        .collect();
    let scores: Vec<Vec<f64>> = (0..3)
        .map(|_| (0..n).map(|_| g.below(10_000) as f64 / 7.0).collect())
        .collect();
    let mut lines = csv.lines();
    let mut text = format!(
        "{},index,Note1,Note2,Note3,Score1,Score2,Score3\n",
        lines.next().unwrap()
    );
    for (i, line) in lines.enumerate() {
        text += &format!(
            "{line},{i},{},{},{},{},{},{}\n",
            notes[0][i], notes[1][i], notes[2][i], scores[0][i], scores[1][i], scores[2][i]
        );
    }
    let mut fields: Vec<Field> = batch
        .schema()
        .fields()
        .iter()
        .map(|f| f.as_ref().clone())
        .collect();
    let mut columns: Vec<ArrayRef> = batch.columns().to_vec();
    fields.push(Field::new("index", DataType::Int64, false));
    columns.push(Arc::new(Int64Array::from(
        (0..n as i64).collect::<Vec<_>>(),
    )));
    for (k, v) in notes.iter().enumerate() {
        fields.push(Field::new(format!("Note{}", k + 1), DataType::Utf8, false));
        columns.push(Arc::new(StringArray::from(v.clone())));
    }
    for (k, v) in scores.iter().enumerate() {
        fields.push(Field::new(
            format!("Score{}", k + 1),
            DataType::Float64,
            false,
        ));
        columns.push(Arc::new(Float64Array::from(v.clone())));
    }
    let batch = RecordBatch::try_new(Arc::new(Schema::new(fields)), columns).unwrap();
    (text, batch)
}

/// A headless run of a Parquet or Arrow file does not read the columns its
/// settings ignore (listed in --json) and gives the CSV's segments;
/// --all-columns reads them all, with the same segments.
#[test]
fn a_headless_run_reads_only_the_columns_it_uses() {
    let dir = tempfile::tempdir().unwrap();
    let data = customers(3000, 11);
    let (csv, batch) = with_ignored_columns(&data.csv(), &data.batch(false), 5);
    write(dir.path(), "w.csv", csv.as_bytes());
    write(
        dir.path(),
        "w.parquet",
        &parquet_bytes(&batch, Compression::SNAPPY, 700),
    );
    write(dir.path(), "w.arrow", &ipc_file_bytes(&batch));
    let ignore: String = ["Note1", "Note2", "Note3", "Score1", "Score2", "Score3"]
        .iter()
        .map(|c| format!("{c} = \"ignore\"\n"))
        .collect();
    write(
        dir.path(),
        "run.toml",
        format!("[mapping.usage]\n{ignore}").as_bytes(),
    );
    let unread: Vec<&str> = vec!["Note1", "Note2", "Note3", "Score1", "Score2", "Score3"];
    let runs: [(&str, &[&str], usize); 4] = [
        ("w.csv", &[], 0),
        ("w.parquet", &[], unread.len()),
        ("w.arrow", &[], unread.len()),
        ("w.parquet", &["--all-columns"], 0),
    ];
    let mut results = Vec::new();
    for (i, (name, extra, n_unread)) in runs.into_iter().enumerate() {
        let out = dir.path().join(format!("out{i}"));
        let mut args = vec!["--no-tui", name, "--config", "run.toml", "--json", "--out"];
        args.push(out.to_str().unwrap());
        args.extend(extra);
        let o = bin().args(&args).current_dir(dir.path()).output().unwrap();
        assert!(
            o.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        let mut got: Vec<String> = v["unread_columns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap().to_string())
            .collect();
        got.sort();
        let mut want: Vec<String> = unread.iter().map(|c| c.to_string()).collect();
        want.sort();
        want.truncate(n_unread);
        assert_eq!(
            got,
            if n_unread == 0 { vec![] } else { want },
            "{name} {extra:?}"
        );
        if n_unread > 0 {
            let said = |needle: &str| {
                v["warnings"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|w| w.as_str().is_some_and(|w| w.contains(needle)))
            };
            assert!(
                said("6 of 17 columns of") && said("--all-columns"),
                "{name}: {}",
                v["warnings"]
            );
        }
        let table = std::fs::read_to_string(out.join("segmentation_results.csv")).unwrap();
        assert_eq!(table.lines().count(), 3001, "{name}");
        results.push((name, table));
    }
    for (name, r) in &results[1..] {
        assert_eq!(r, &results[0].1, "{name} differs from the CSV");
    }
}
