//! The bad-input corpus under tests/fixtures/bad: each file gets a clear,
//! one-line error that names the file (and line/column where it applies).

use custseg::pipeline::load::csv::{ReadTuning, load_csv_tuned};
use custseg::pipeline::load::{LoadOptions, load};
use custseg::pipeline::progress::NoProgress;
use custseg::pipeline::table::Table;
use custseg::{Error, Remedy};
use std::path::PathBuf;

fn bad(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/bad")
        .join(name)
}

fn error_for(name: &str, opts: &LoadOptions) -> Error {
    match load(&bad(name), opts, &NoProgress) {
        Ok(t) => panic!("{name} loaded ({} rows) but should fail", t.n_rows),
        Err(e) => e,
    }
}

fn message(name: &str) -> String {
    let e = error_for(name, &LoadOptions::default());
    let msg = e.to_string();
    assert!(!msg.contains('\n'), "one line: {msg}");
    assert!(
        matches!(
            e,
            Error::Data(_) | Error::DataWithRemedy { .. } | Error::Io { .. }
        ),
        "data error (exit 1) for {name}: {e:?}"
    );
    assert_eq!(e.exit_code(), 1);
    msg
}

#[test]
fn missing_file() {
    let msg = message("does_not_exist.csv");
    assert!(
        msg.contains("does_not_exist.csv") && msg.contains("no such file"),
        "{msg}"
    );
}

#[test]
fn directory() {
    let msg = message("a_directory.csv");
    assert!(
        msg.contains("a_directory.csv") && msg.contains("is a directory"),
        "{msg}"
    );
}

#[test]
fn empty_file() {
    let msg = message("empty.csv");
    assert!(msg.contains("empty.csv") && msg.contains("empty"), "{msg}");
    let msg = message("whitespace_only.csv");
    assert!(
        msg.contains("whitespace_only.csv: the file is empty"),
        "{msg}"
    );
}

#[test]
fn header_only_file() {
    let msg = message("header_only.csv");
    assert!(
        msg.contains("header_only.csv") && msg.contains("no data rows"),
        "{msg}"
    );
}

#[test]
fn binary_file_renamed_csv() {
    let msg = message("binary.csv");
    assert!(
        msg.contains("binary.csv") && msg.contains("not a delimited text file"),
        "{msg}"
    );
    let msg = message("xlsx_renamed.csv");
    assert!(msg.contains("xlsx"), "suggests a workbook: {msg}");
}

#[test]
fn ragged_rows_name_the_line_and_can_be_skipped() {
    let msg = message("ragged.csv");
    assert!(
        msg.contains("ragged.csv: line 4")
            && msg.contains("expected 3 fields")
            && msg.contains("found 4"),
        "{msg}"
    );
    let e = error_for("ragged.csv", &LoadOptions::default());
    assert_eq!(e.remedy(), Some(&Remedy::SkipBadRows));
    // The library names no command-line flag; the CLI words the remedy.
    assert!(!msg.contains("--"), "{msg}");
    let opts = LoadOptions {
        skip_bad_rows: true,
        ..LoadOptions::default()
    };
    let t = load(&bad("ragged.csv"), &opts, &NoProgress).unwrap();
    assert_eq!(t.n_rows, 3);
    assert_eq!(t.source.skipped_rows, 1);
    assert!(
        t.source
            .warnings
            .iter()
            .any(|w| w.contains("skipped 1 rows") && w.contains("lines 4"))
    );
    assert_eq!(t.row_origin, [2, 3, 5]);
}

#[test]
fn file_cut_off_inside_a_quoted_field() {
    let msg = message("cut_in_quote.csv");
    assert!(
        msg.contains("cut_in_quote.csv: line 3: the file looks cut off")
            && msg.contains("quoted field that starts on line 3"),
        "{msg}"
    );
    assert!(
        !msg.contains("encoding") && !msg.contains("delimiter"),
        "{msg}"
    );
    let e = error_for("cut_in_quote.csv", &LoadOptions::default());
    assert_eq!(e.remedy(), Some(&Remedy::SkipBadRows));
    // With skip: everything before the open quote loads, and the skipped
    // record is reported with the lines it swallowed.
    let opts = LoadOptions {
        skip_bad_rows: true,
        ..LoadOptions::default()
    };
    let t = load(&bad("cut_in_quote.csv"), &opts, &NoProgress).unwrap();
    assert_eq!(t.n_rows, 1);
    assert_eq!(t.row_origin, [2]);
    assert_eq!(t.source.skipped_rows, 1);
    let w = t.source.warnings.join("\n");
    assert!(
        w.contains("line 3: the file ends inside a quoted field; this last record was skipped")
            && w.contains("lines 3-4"),
        "{w}"
    );
}

#[test]
fn undecodable_bytes_under_the_chosen_encoding() {
    let opts = LoadOptions {
        encoding: Some("gbk".into()),
        ..LoadOptions::default()
    };
    // One stray sequence in a GBK file: that cell is missing and reported.
    let t = load(&bad("bad_gbk.csv"), &opts, &NoProgress).unwrap();
    assert_eq!(t.n_rows, 2);
    assert_eq!(t.column("城市").unwrap().texts().unwrap().get(1), None);
    let w = t.source.warnings.join("\n");
    assert!(
        w.contains("line 3, column '城市': bytes that are not valid GBK/GB18030; the cell is read as missing"),
        "{w}"
    );
    let opts = LoadOptions {
        encoding: Some("utf-8".into()),
        ..LoadOptions::default()
    };
    // A header the chosen encoding cannot read: the encoding is wrong.
    let e = error_for("bad_gbk.csv", &opts);
    let msg = e.to_string();
    assert!(
        msg.contains("bad_gbk.csv: line 1") && msg.contains("not valid UTF-8"),
        "{msg}"
    );
    assert_eq!(
        e.remedy(),
        Some(&Remedy::Encoding {
            suggested: Some("gbk".into())
        })
    );
}

#[test]
fn unknown_encoding_is_a_usage_error() {
    let opts = LoadOptions {
        encoding: Some("klingon".into()),
        ..LoadOptions::default()
    };
    let e = error_for("ragged.csv", &opts);
    assert!(matches!(e, Error::Usage(_)));
    assert!(e.to_string().contains("unknown encoding 'klingon'"));
}

// ---------------------------------------------------------------------------
// Long runs of blank lines (issue 17): they are skipped, whatever their
// length; only a record's own bytes count toward the 4 MB record limit.
// ---------------------------------------------------------------------------

/// More than the 4 MB record limit.
const BLANK_RUN: usize = 5 << 20;

/// `rows` customer rows from row `from`: id, age, balance.
fn customer_lines(from: usize, rows: usize, eol: &str) -> String {
    (from..from + rows)
        .map(|i| format!("C{i},{},{}.25{eol}", 20 + i % 50, 100 + i * 3))
        .collect()
}

/// How a file with a long blank run is laid out: the header, `before` rows,
/// the run (`unit` repeated to at least [`BLANK_RUN`] bytes), `after` rows.
struct BlankRun {
    name: &'static str,
    eol: &'static str,
    unit: &'static str,
    before: usize,
    after: usize,
}

impl BlankRun {
    fn units(&self) -> usize {
        BLANK_RUN.div_ceil(self.unit.len())
    }
    fn text(&self) -> String {
        let mut text = format!("customer_id,age,balance{}", self.eol);
        text += &customer_lines(0, self.before, self.eol);
        text += &self.unit.repeat(self.units());
        text += &customer_lines(self.before, self.after, self.eol);
        text
    }
    /// The file line of the first row after the run: the header, the rows
    /// before, one line per unit of the run (each holds one line end).
    fn line_after_run(&self) -> u32 {
        (1 + self.before + self.units() + 1) as u32
    }
}

fn blank_runs() -> Vec<BlankRun> {
    let run = |name, eol, unit, before, after| BlankRun {
        name,
        eol,
        unit,
        before,
        after,
    };
    vec![
        run("lf_between_rows.csv", "\n", "\n", 300, 300),
        run("crlf_between_rows.csv", "\r\n", "\r\n", 300, 300),
        run("right_after_header.csv", "\n", "\n", 0, 400),
        run("crlf_after_header.csv", "\r\n", "\r\n", 0, 400),
        run("at_the_end.csv", "\n", "\n", 400, 0),
        run("crlf_at_the_end.csv", "\r\n", "\r\n", 400, 0),
        run("spaces_and_tabs.csv", "\n", " \t \n", 250, 250),
        run("crlf_spaces.csv", "\r\n", "  \r\n", 250, 250),
    ]
}

fn load_with(path: &std::path::Path, tuning: &ReadTuning) -> custseg::Result<Table> {
    load_csv_tuned(path, &LoadOptions::default(), &NoProgress, tuning)
}

/// Checks a loaded blank-run file against what the generator wrote.
fn check_blank_run(t: &Table, case: &BlankRun, how: &str) {
    let rows = case.before + case.after;
    assert_eq!(t.n_rows, rows, "{} ({how})", case.name);
    let balance = t.column("balance").unwrap().numbers().unwrap();
    let expected: f64 = (0..rows).map(|i| 100.0 + 3.0 * i as f64 + 0.25).sum();
    assert!(
        (balance.iter().sum::<f64>() - expected).abs() < 1e-6,
        "{} ({how})",
        case.name
    );
    // Rows keep the lines an editor shows, before and after the run.
    if case.before > 0 {
        assert_eq!(t.row_origin[case.before - 1], case.before as u32 + 1);
    }
    if case.after > 0 {
        assert_eq!(
            t.row_origin[case.before],
            case.line_after_run(),
            "{} ({how})",
            case.name
        );
        assert_eq!(
            t.row_origin[rows - 1],
            case.line_after_run() + case.after as u32 - 1
        );
    }
}

#[test]
fn more_than_4_mb_of_blank_lines_are_skipped_with_right_line_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let chunked = ReadTuning {
        parallel_min_bytes: 0,
        chunk_bytes: 1 << 20,
        threads: 2,
    };
    for case in blank_runs() {
        let path = dir.path().join(case.name);
        std::fs::write(&path, case.text()).unwrap();
        for (how, tuning) in [
            ("sequential", ReadTuning::sequential()),
            ("chunked", chunked.clone()),
        ] {
            let t = load_with(&path, &tuning)
                .unwrap_or_else(|e| panic!("{} ({how}) refused: {e}", case.name));
            check_blank_run(&t, &case, how);
        }
        // The same text gzipped: read through the decompressor.
        let gz = dir.path().join(format!("{}.gz", case.name));
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut e, case.text().as_bytes()).unwrap();
        std::fs::write(&gz, e.finish().unwrap()).unwrap();
        let t = load(&gz, &LoadOptions::default(), &NoProgress)
            .unwrap_or_else(|e| panic!("{}.gz refused: {e}", case.name));
        check_blank_run(&t, &case, "gzip");
        std::fs::remove_file(&path).unwrap();
        std::fs::remove_file(&gz).unwrap();
    }
}

/// After a long blank run, a bad row and an over-long record are still
/// named by their own lines; the 4 MB limit still holds for a real record.
#[test]
fn after_a_long_blank_run_errors_name_the_right_line() {
    let dir = tempfile::tempdir().unwrap();
    for eol in ["\n", "\r\n"] {
        let case = BlankRun {
            name: "run.csv",
            eol,
            unit: eol,
            before: 120,
            after: 30,
        };
        let bad_line = case.line_after_run() + 30;
        for (name, tail, phrase) in [
            ("ragged.csv", format!("C999,1{eol}"), "expected 3 fields"),
            (
                "huge_field.csv",
                format!("C999,1,{}{eol}", "7".repeat(5 << 20)),
                "a record runs on for more than 4 MB",
            ),
            (
                "huge_quoted.csv",
                format!("C999,1,\"{}\"{eol}", "7".repeat(5 << 20)),
                "a record runs on for more than 4 MB",
            ),
        ] {
            let path = dir.path().join(name);
            std::fs::write(&path, case.text() + &tail + &customer_lines(500, 5, eol)).unwrap();
            for tuning in [ReadTuning::sequential(), ReadTuning::default()] {
                let msg = match load_with(&path, &tuning) {
                    Ok(t) => panic!("{name} {eol:?} {tuning:?}: loaded {} rows", t.n_rows),
                    Err(e) => e.to_string(),
                };
                assert!(
                    msg.contains(&format!("{name}: line {bad_line}: {phrase}")),
                    "{eol:?} {tuning:?}: {msg}"
                );
            }
        }
    }
}
