//! Every CSV shape the loader promises to read, from committed fixtures.

use custseg::pipeline::load::{DateOrder, LoadOptions, load};
use custseg::pipeline::progress::NoProgress;
use custseg::pipeline::table::{ColumnType, Table, format_date};
use std::path::PathBuf;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/csv")
        .join(name)
}

fn load_ok(name: &str) -> Table {
    load_with(name, &LoadOptions::default())
}

fn load_with(name: &str, opts: &LoadOptions) -> Table {
    load(&fixture(name), opts, &NoProgress).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn types(t: &Table) -> Vec<ColumnType> {
    t.columns.iter().map(|c| c.ctype).collect()
}

fn assert_english_customers(t: &Table) {
    assert_eq!(t.n_rows, 4);
    assert_eq!(
        t.names(),
        [
            "CustomerID",
            "Age",
            "Gender",
            "AccountBalance",
            "TxnCount12M",
            "LastTxnDate"
        ]
    );
    use ColumnType::*;
    assert_eq!(types(t), [Text, Number, Text, Number, Number, Date]);
    let bal = t.column("AccountBalance").unwrap().numbers().unwrap();
    assert_eq!(bal[0], 12500.0);
    assert_eq!(bal[1], 880000.5);
    assert!(bal[3].is_nan(), "NA is missing");
    let age = t.column("Age").unwrap().numbers().unwrap();
    assert!(age[2].is_nan());
    let last = t.column("LastTxnDate").unwrap().dates().unwrap();
    assert_eq!(format_date(last[0]), "2024-05-01");
}

#[test]
fn comma_utf8() {
    let t = load_ok("comma_utf8.csv");
    assert_english_customers(&t);
    assert_eq!(t.source.delimiter, Some(','));
    assert_eq!(t.source.encoding.as_deref(), Some("UTF-8"));
    assert!(t.source.has_header);
    assert_eq!(t.row_origin, [2, 3, 4, 5]);
}

#[test]
fn utf8_with_bom() {
    let t = load_ok("bom_utf8.csv");
    assert_english_customers(&t);
    assert_eq!(t.source.encoding.as_deref(), Some("UTF-8 (BOM)"));
    assert_eq!(t.row_origin, [2, 3, 4, 5]);
}

#[test]
fn crlf_line_endings() {
    let t = load_ok("crlf.csv");
    assert_english_customers(&t);
    // The header is line 1 with CRLF line ends too.
    assert_eq!(t.row_origin, [2, 3, 4, 5]);
}

#[test]
fn utf16_with_bom_and_tabs() {
    let t = load_ok("utf16le_bom.csv");
    assert_english_customers(&t);
    assert_eq!(t.source.delimiter, Some('\t'));
    assert_eq!(t.source.encoding.as_deref(), Some("UTF-16LE (BOM)"));
}

#[test]
fn tab_separated() {
    let t = load_ok("tab.tsv");
    assert_english_customers(&t);
    assert_eq!(t.source.delimiter, Some('\t'));
}

#[test]
fn gbk_semicolon_with_chinese_headers_and_dates() {
    let t = load_ok("semicolon_gbk.csv");
    assert_eq!(t.source.encoding.as_deref(), Some("GBK/GB18030"));
    assert_eq!(t.source.delimiter, Some(';'));
    assert_eq!(t.names()[0], "客户ID");
    assert_eq!(
        t.column("网点").unwrap().texts().unwrap().get(1),
        Some("上海分行")
    );
    let d = t.column("最近交易日期").unwrap();
    assert_eq!(d.ctype, ColumnType::Date);
    assert_eq!(format_date(d.dates().unwrap()[2]), "2024-06-20");
    assert_eq!(
        t.column("资产余额").unwrap().numbers().unwrap()[1],
        880000.5
    );
}

#[test]
fn gbk_can_be_forced() {
    let opts = LoadOptions {
        encoding: Some("gbk".into()),
        delimiter: Some(';'),
        ..LoadOptions::default()
    };
    let t = load_with("semicolon_gbk.csv", &opts);
    assert_eq!(t.names()[1], "年龄");
}

#[test]
fn latin1_with_decimal_commas() {
    let t = load_ok("latin1.csv");
    assert_eq!(t.source.encoding.as_deref(), Some("windows-1252"));
    assert_eq!(
        t.column("city").unwrap().texts().unwrap().get(0),
        Some("São Paulo")
    );
    assert_eq!(
        t.column("balance").unwrap().numbers().unwrap(),
        &[1234.56, 99.5, 10.0]
    );
}

#[test]
fn pipe_delimited() {
    let t = load_ok("pipe.csv");
    assert_eq!(t.source.delimiter, Some('|'));
    assert_eq!(
        t.column("balance").unwrap().numbers().unwrap(),
        &[10.5, 20.0, 30.0]
    );
}

#[test]
fn quoted_fields_with_delimiters_quotes_and_newlines() {
    let t = load_ok("quoted.csv");
    assert_eq!(t.n_rows, 3);
    let notes = t.column("note").unwrap().texts().unwrap();
    assert_eq!(notes.get(0), Some("Li, Wei says \"hi\""));
    assert_eq!(notes.get(1), Some("line one\nline two"));
    assert_eq!(
        t.column("amount").unwrap().numbers().unwrap(),
        &[100.0, 200.0, 300.0]
    );
    // Row 3 starts on line 5 because row 2 spans two lines.
    assert_eq!(t.row_origin, [2, 3, 5]);
}

#[test]
fn headerless_file_gets_generated_names_and_a_warning() {
    let t = load_ok("no_header.csv");
    assert_eq!(t.n_rows, 3);
    assert_eq!(t.names(), ["column_1", "column_2", "column_3"]);
    assert!(!t.source.has_header);
    assert!(
        t.source
            .warnings
            .iter()
            .any(|w| w.contains("no header row"))
    );
}

#[test]
fn no_header_option_keeps_the_first_row_as_data() {
    let opts = LoadOptions {
        header: Some(false),
        ..LoadOptions::default()
    };
    let t = load_with("comma_utf8.csv", &opts);
    assert_eq!(t.n_rows, 5);
    assert_eq!(t.columns[0].texts().unwrap().get(0), Some("CustomerID"));
}

#[test]
fn explicit_delimiter_overrides_sniffing() {
    let opts = LoadOptions {
        delimiter: Some(';'),
        ..LoadOptions::default()
    };
    let t = load_with("comma_utf8.csv", &opts);
    assert_eq!(
        t.columns.len(),
        1,
        "one column when split on a delimiter that is not there"
    );
}

#[test]
fn trailing_delimiter_is_harmless() {
    let t = load_ok("trailing_delimiter.csv");
    assert_eq!(t.n_rows, 2);
    assert_eq!(
        t.column("amount").unwrap().numbers().unwrap(),
        &[10.0, 20.0]
    );
}

#[test]
fn month_first_dates_are_recognised_from_the_column() {
    let t = load_ok("dates_mdy.csv");
    let d = t.column("opened").unwrap().dates().unwrap();
    assert_eq!(format_date(d[0]), "2024-03-04");
    assert_eq!(format_date(d[1]), "2023-12-25");
}

#[test]
fn ambiguous_dates_use_the_date_order_option() {
    let t = load_ok("dates_ambiguous.csv");
    let c = t.column("opened").unwrap();
    assert_eq!(format_date(c.dates().unwrap()[0]), "2024-04-03");
    assert!(c.info.notes.iter().any(|n| n.contains("ambiguous")));
    let opts = LoadOptions {
        date_order: DateOrder::Mdy,
        ..LoadOptions::default()
    };
    let t = load_with("dates_ambiguous.csv", &opts);
    assert_eq!(
        format_date(t.column("opened").unwrap().dates().unwrap()[0]),
        "2024-03-04"
    );
}

#[test]
fn late_non_utf8_bytes_are_a_missing_cell_not_another_encoding() {
    // Past the 1 MiB sample everything looked like UTF-8; then a Latin-1
    // name. The file stays UTF-8: that one cell is missing, with its line.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("late.csv");
    let mut bytes = b"id,name,balance\n".to_vec();
    for i in 1..80_000 {
        bytes.extend_from_slice(format!("{i},name{i},{i}.5\n").as_bytes());
    }
    bytes.extend_from_slice(b"80000,Jos\xe9,1\n");
    std::fs::write(&path, &bytes).unwrap();
    let t = load(&path, &LoadOptions::default(), &NoProgress).unwrap();
    assert_eq!(t.n_rows, 80_000);
    assert_eq!(t.source.encoding.as_deref(), Some("UTF-8"));
    let names = t.column("name").unwrap();
    assert_eq!(names.texts().unwrap().get(79_999), None);
    assert_eq!(names.texts().unwrap().get(79_998), Some("name79999"));
    assert_eq!(names.info.unparsed, 1);
    assert_eq!(t.column("balance").unwrap().numbers().unwrap()[79_999], 1.0);
    assert!(
        t.source.warnings.iter().any(|w| w
            == "line 80001, column 'name': bytes that are not valid UTF-8; the cell is read as missing"),
        "{:?}",
        t.source.warnings
    );

    // Hundreds of such cells: the file is not UTF-8 after all; the error
    // names the encoding they read as.
    for i in 0..300 {
        bytes.extend_from_slice(format!("{},Jos", 80_001 + i).as_bytes());
        bytes.extend_from_slice(b"\xe9 M\xfcller,1\n");
    }
    std::fs::write(&path, &bytes).unwrap();
    let e = load(&path, &LoadOptions::default(), &NoProgress).unwrap_err();
    assert!(
        e.to_string().contains(
            "301 cells hold bytes that are not valid UTF-8 (the first on line 80001, column 'name')"
        ),
        "{e}"
    );
    assert_eq!(
        e.remedy(),
        Some(&custseg::Remedy::Encoding {
            suggested: Some("windows-1252".into())
        })
    );
}

/// A date column with many bad cells still loads as dates when its name
/// says so: the bad cells are counted and shown, not hidden in a text
/// column. Without the name, the same values stay text; and the mapping
/// says why an empty date column cannot be used.
#[test]
fn a_messy_date_column_named_as_dates_loads_as_dates_with_its_bad_cells_counted() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("messy.csv");
    let mut csv = String::from("CustomerID,LastTxnDate,Remark,OpenDate,Balance\n");
    for i in 0..100 {
        // 70 dates, 30 junk: under the 90% rule, over the 50% for named dates.
        let d = if i % 10 < 7 {
            format!("2024-02-{:02}", i % 28 + 1)
        } else {
            format!("bad{i}")
        };
        csv.push_str(&format!("C{i},{d},{d},,{}.5\n", i * 10));
    }
    std::fs::write(&path, csv).unwrap();
    let t = load(&path, &LoadOptions::default(), &NoProgress).unwrap();
    let last = t.column("LastTxnDate").unwrap();
    assert_eq!(last.ctype, ColumnType::Date);
    assert_eq!(last.info.unparsed, 30);
    assert_eq!(last.info.unparsed_examples[0], (7, "bad7".to_string()));
    assert_eq!(t.column("Remark").unwrap().ctype, ColumnType::Text);

    let m = custseg::pipeline::mapping::map_columns(&t, &Default::default()).unwrap();
    assert_eq!(
        m.column_for(custseg::pipeline::mapping::Role::LastDate),
        Some("LastTxnDate")
    );
    assert!(
        m.notes
            .iter()
            .any(|n| n.text == "'OpenDate' looks like account open date but every cell is empty; not used as account open date"),
        "{:?}",
        m.notes
    );
    // Mapping the text column as a date anyway says what it holds.
    let opts = custseg::pipeline::mapping::MappingOptions {
        roles: [(
            custseg::pipeline::mapping::Role::LastDate,
            "Remark".to_string(),
        )]
        .into(),
        ..Default::default()
    };
    let e = custseg::pipeline::mapping::map_columns(&t, &opts).unwrap_err();
    assert_eq!(
        custseg::cli::error_line(&e),
        "--map last_date=Remark: column 'Remark' holds text values (e.g. line 9: 'bad7', \
         line 10: 'bad8', line 11: 'bad9'), but last transaction date needs dates; \
         fewer than 90% of its cells read as dates, so fix the values in the file"
    );
}
