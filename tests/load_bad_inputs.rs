//! The bad-input corpus under tests/fixtures/bad: each file gets a clear,
//! one-line error that names the file (and line/column where it applies).

use custseg::Error;
use custseg::pipeline::load::{LoadOptions, load};
use custseg::pipeline::progress::NoProgress;
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
        matches!(e, Error::Data(_)),
        "data error (exit 1) for {name}: {e:?}"
    );
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
    assert!(msg.contains("--skip-bad-rows"), "{msg}");
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
        msg.contains("cut_in_quote.csv") && msg.contains("quoted field that starts on line 3"),
        "{msg}"
    );
}

#[test]
fn undecodable_bytes_under_the_chosen_encoding() {
    let opts = LoadOptions {
        encoding: Some("gbk".into()),
        ..LoadOptions::default()
    };
    let msg = error_for("bad_gbk.csv", &opts).to_string();
    assert!(
        msg.contains("bad_gbk.csv: line 3") && msg.contains("not valid GBK"),
        "{msg}"
    );
    let opts = LoadOptions {
        encoding: Some("utf-8".into()),
        ..LoadOptions::default()
    };
    let msg = error_for("bad_gbk.csv", &opts).to_string();
    assert!(
        msg.contains("bad_gbk.csv: line 1") && msg.contains("not valid UTF-8"),
        "{msg}"
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
