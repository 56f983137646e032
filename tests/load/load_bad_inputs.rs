//! The bad-input corpus under tests/fixtures/bad: each file gets a clear,
//! one-line error that names the file (and line/column where it applies).

use custseg::pipeline::load::{LoadOptions, load};
use custseg::pipeline::progress::NoProgress;
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
