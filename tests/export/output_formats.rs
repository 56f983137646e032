//! The results as CSV, Excel and Parquet (issue 17): `--formats` writes each
//! in the one output set (0600, in the manifest); the Parquet and workbook
//! read back (parquet crate, calamine) hold the CSV's values, cell by cell;
//! CSV gets a UTF-8 BOM when it holds non-ASCII text (`--csv-bom`); the
//! action is in the summary, on every row only with `--results-actions`;
//! `custseg compare` reads what the run wrote; a CSV-only command refuses
//! an `--out` name of another format.

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int32Type};
use arrow_array::{Array, RecordBatch};
use calamine::{Data, Reader, Xlsx, open_workbook};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use std::path::{Path, PathBuf};
use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_custseg"))
}

fn run_ok(args: &[&str], dir: &Path) -> String {
    let o = bin().args(args).current_dir(dir).output().unwrap();
    assert!(
        o.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn sample(dir: &Path, name: &str, extra: &[&str]) -> PathBuf {
    let mut args = vec!["sample", "--rows", "1200", "--seed", "5", "--out", name];
    args.extend_from_slice(extra);
    run_ok(&args, dir);
    dir.join(name)
}

/// The CSV results as rows of cells (BOM stripped).
fn csv_rows(path: &Path) -> Vec<Vec<String>> {
    let bytes = std::fs::read(path).unwrap();
    let text = String::from_utf8(bytes).unwrap();
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes());
    r.records()
        .map(|x| x.unwrap().iter().map(str::to_string).collect())
        .collect()
}

fn parquet_batches(path: &Path) -> Vec<RecordBatch> {
    let f = std::fs::File::open(path).unwrap();
    ParquetRecordBatchReaderBuilder::try_new(f)
        .unwrap()
        .build()
        .unwrap()
        .map(|b| b.unwrap())
        .collect()
}

/// The CSV's number, as written (6 decimals at most), against the full value.
fn close(csv: &str, x: f64) -> bool {
    let v: f64 = csv.parse().unwrap();
    (v - x).abs() <= 1e-6 * x.abs().max(1.0)
}

#[test]
fn parquet_and_xlsx_results_hold_the_csv_values() {
    let dir = tempfile::tempdir().unwrap();
    sample(dir.path(), "c.csv", &[]);
    run_ok(
        &[
            "--no-tui",
            "c.csv",
            "--out",
            "out",
            "--formats",
            "csv,xlsx,parquet",
        ],
        dir.path(),
    );
    let out = dir.path().join("out");
    let csv = csv_rows(&out.join("segmentation_results.csv"));
    let header = &csv[0];
    assert_eq!(&header[..3], ["customer_id", "segment", "label"]);
    assert!(!header.contains(&"action".to_string()), "{header:?}");
    let d = header.len() - 3;
    assert!(d >= 3, "{header:?}");
    let rows = &csv[1..];
    assert_eq!(rows.len(), 1200);

    // Parquet: typed columns, the same values.
    let batches = parquet_batches(&out.join("segmentation_results.parquet"));
    let schema = batches[0].schema();
    let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    assert_eq!(names, header.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(schema.field(1).data_type(), &arrow_schema::DataType::Int32);
    let mut i = 0;
    for b in &batches {
        for r in 0..b.num_rows() {
            let row = &rows[i];
            assert_eq!(b.column(0).as_string::<i32>().value(r), row[0]);
            assert_eq!(
                b.column(1).as_primitive::<Int32Type>().value(r).to_string(),
                row[1]
            );
            assert_eq!(b.column(2).as_string::<i32>().value(r), row[2]);
            for j in 0..d {
                let col = b.column(3 + j).as_primitive::<Float64Type>();
                if row[3 + j].is_empty() {
                    assert!(col.is_null(r));
                } else {
                    assert!(close(&row[3 + j], col.value(r)), "row {i} col {j}");
                }
            }
            i += 1;
        }
    }
    assert_eq!(i, 1200);

    // The workbook: three sheets, the results cell by cell.
    let mut book: Xlsx<_> = open_workbook(out.join("segmentation_results.xlsx")).unwrap();
    assert_eq!(
        book.sheet_names(),
        ["results", "segment summary", "K table"]
    );
    let sheet = book.worksheet_range("results").unwrap();
    assert_eq!(sheet.height(), 1201);
    for (i, row) in csv.iter().enumerate() {
        for (j, cell) in row.iter().enumerate() {
            let got = sheet.get((i, j)).unwrap_or(&Data::Empty);
            match got {
                Data::Float(x) if i > 0 && j != 1 => assert!(close(cell, *x), "({i},{j})"),
                Data::Float(x) => assert_eq!(&format!("{x}"), cell, "({i},{j})"),
                Data::String(s) => assert_eq!(s, cell, "({i},{j})"),
                Data::Empty => assert!(cell.is_empty(), "({i},{j})"),
                other => panic!("({i},{j}): {other:?}"),
            }
        }
    }
    let summary = csv_rows(&out.join("cluster_summary.csv"));
    let s = book.worksheet_range("segment summary").unwrap();
    assert_eq!(s.height(), summary.len());
    assert_eq!(s.get((0, 2)), Some(&Data::String("action".into())));
    assert_eq!(s.get((1, 2)), Some(&Data::String(summary[1][2].clone())));
    let k = book.worksheet_range("K table").unwrap();
    let chosen: Vec<usize> = (1..k.height())
        .filter(|&r| k.get((r, k.width() - 1)) == Some(&Data::String("yes".into())))
        .collect();
    assert_eq!(chosen.len(), 1);

    // One set: all in the manifest, owner-only.
    let manifest = std::fs::read_to_string(out.join("manifest.json")).unwrap();
    for name in ["segmentation_results.parquet", "segmentation_results.xlsx"] {
        assert!(manifest.contains(name), "{name}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(out.join(name))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "{name}");
        }
    }
    // Replayed from run.toml: the same formats.
    let toml = std::fs::read_to_string(out.join("run.toml")).unwrap();
    let cfg: toml::Value = toml::from_str(&toml).unwrap();
    assert_eq!(
        cfg["export"]["formats"].as_array().unwrap(),
        &["csv", "xlsx", "parquet"].map(|f| toml::Value::String(f.into()))
    );
    run_ok(
        &["--no-tui", "--config", "out/run.toml", "--out", "again"],
        dir.path(),
    );
    assert!(
        dir.path()
            .join("again/segmentation_results.parquet")
            .is_file()
    );
    assert_eq!(
        std::fs::read(out.join("segmentation_results.csv")).unwrap(),
        std::fs::read(dir.path().join("again/segmentation_results.csv")).unwrap()
    );
}

#[test]
fn csv_gets_a_bom_when_it_holds_chinese_and_actions_only_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    sample(dir.path(), "cn.csv", &["--chinese"]);
    sample(dir.path(), "en.csv", &[]);
    run_ok(&["--no-tui", "cn.csv", "--out", "cn"], dir.path());
    run_ok(&["--no-tui", "en.csv", "--out", "en"], dir.path());
    let starts_with_bom = |p: &str| {
        std::fs::read(dir.path().join(p))
            .unwrap()
            .starts_with(b"\xEF\xBB\xBF")
    };
    let summary_cn = std::fs::read_to_string(dir.path().join("cn/cluster_summary.csv")).unwrap();
    assert!(!summary_cn.is_ascii());
    assert!(starts_with_bom("cn/cluster_summary.csv"));
    // The English summary may hold a rule's "≥": a BOM exactly when it has
    // non-ASCII text.
    let summary_en = std::fs::read(dir.path().join("en/cluster_summary.csv")).unwrap();
    assert_eq!(
        starts_with_bom("en/cluster_summary.csv"),
        !summary_en.is_ascii()
    );
    assert!(!starts_with_bom("en/segmentation_results.csv"));
    let cn_results = std::fs::read(dir.path().join("cn/segmentation_results.csv")).unwrap();
    assert_eq!(
        cn_results.starts_with(b"\xEF\xBB\xBF"),
        !cn_results.is_ascii()
    );
    run_ok(
        &[
            "--no-tui",
            "en.csv",
            "--out",
            "always",
            "--csv-bom",
            "always",
            "--results-actions",
        ],
        dir.path(),
    );
    run_ok(
        &["--no-tui", "cn.csv", "--out", "never", "--csv-bom", "never"],
        dir.path(),
    );
    assert!(starts_with_bom("always/segmentation_results.csv"));
    assert!(!starts_with_bom("never/cluster_summary.csv"));
    // The action on every row only when asked, the same text as the summary's.
    let rows = csv_rows(&dir.path().join("always/segmentation_results.csv"));
    assert_eq!(&rows[0][..4], ["customer_id", "segment", "label", "action"]);
    let summary = csv_rows(&dir.path().join("always/cluster_summary.csv"));
    for r in &rows[1..] {
        let seg = summary.iter().find(|s| s[0] == r[1]).unwrap();
        assert_eq!(r[3], seg[2]);
    }
    // The results with and without the action, with and without a BOM,
    // compare as the same run.
    let o = run_ok(&["compare", "en", "always", "--out", "cmp"], dir.path());
    assert!(!o.is_empty());
    run_ok(&["compare", "cn", "never", "--out", "cmp2"], dir.path());
}

#[test]
fn a_csv_only_command_refuses_another_format_and_bad_formats_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    sample(dir.path(), "c.csv", &[]);
    run_ok(&["--no-tui", "c.csv", "--out", "run"], dir.path());
    for out in ["scored.parquet", "scored.xlsx", "scored.csv.gz"] {
        let o = bin()
            .args(["score", "--model", "run/model.json", "c.csv", "--out", out])
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2), "{out}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains("writes CSV") && err.contains(out), "{err}");
        assert!(!dir.path().join(out).exists());
    }
    let o = bin()
        .args(["sample", "--rows", "10", "--out", "s.parquet"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let o = bin()
        .args(["--no-tui", "c.csv", "--out", "x", "--formats", "json"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("csv, xlsx or parquet"));
    // An empty list in run.toml is refused by the one validation.
    let toml = std::fs::read_to_string(dir.path().join("run/run.toml")).unwrap();
    let toml = toml.replace("formats = [\"csv\"]", "formats = []");
    assert!(toml.contains("formats = []"), "{toml}");
    std::fs::write(dir.path().join("bad.toml"), toml).unwrap();
    let o = bin()
        .args(["--no-tui", "--config", "bad.toml", "--out", "y"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("export.formats"));
}

#[test]
fn a_results_table_over_excels_row_limit_is_refused_with_its_size() {
    use custseg::pipeline::export::results_xlsx::check_fits;
    assert!(check_fits(1_048_575).is_ok());
    let e = check_fits(1_048_576).unwrap_err().to_string();
    assert!(
        e.contains("1048576 customers") && e.contains("CSV or Parquet"),
        "{e}"
    );
}
