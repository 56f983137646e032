//! Workbooks: every format, sheet choice, offsets, error cells, stray cells,
//! and the workbook-shaped files that are not workbooks. Fixtures are made by
//! tests/fixtures/excel/make_fixtures.py and committed.

use custseg::Error;
use custseg::pipeline::load::{LoadOptions, load};
use custseg::pipeline::progress::{NoProgress, Progress};
use custseg::pipeline::table::{ColumnType, Table, format_date};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/excel")
        .join(name)
}

fn bad(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/bad")
        .join(name)
}

fn load_with(path: &Path, opts: &LoadOptions) -> Table {
    load(path, opts, &NoProgress).unwrap_or_else(|e| panic!("{} should load: {e}", path.display()))
}

fn load_ok(name: &str) -> Table {
    load_with(&fixture(name), &LoadOptions::default())
}

fn sheet(name: &str) -> LoadOptions {
    LoadOptions {
        sheet: Some(name.to_string()),
        ..LoadOptions::default()
    }
}

/// The one-line message users see for a file that must not load.
fn message_for(path: &Path, opts: &LoadOptions) -> String {
    match load(path, opts, &NoProgress) {
        Ok(t) => panic!(
            "{} loaded ({} rows) but should fail",
            path.display(),
            t.n_rows
        ),
        Err(e) => {
            assert!(
                matches!(e, Error::Data(_)),
                "data error (exit 1) for {}: {e:?}",
                path.display()
            );
            let msg = e.to_string();
            assert!(!msg.contains('\n'), "one line: {msg}");
            msg
        }
    }
}

fn number(t: &Table, col: &str, row: usize) -> f64 {
    t.column(col)
        .unwrap_or_else(|| panic!("column {col} in {:?}", t.names()))
        .numbers()
        .unwrap_or_else(|| panic!("{col} is numeric"))[row]
}

fn date(t: &Table, col: &str, row: usize) -> String {
    format_date(t.column(col).unwrap().dates().unwrap()[row])
}

fn ctype(t: &Table, col: &str) -> ColumnType {
    t.column(col)
        .unwrap_or_else(|| panic!("column {col} in {:?}", t.names()))
        .ctype
}

const CUSTOMER_COLUMNS: [&str; 9] = [
    "CustomerID",
    "Name",
    "BirthDate",
    "OpenDate",
    "Balance",
    "Products",
    "Active",
    "City",
    "LastLogin",
];

#[test]
fn every_format_loads_the_same_customers_with_the_right_types() {
    for (file, format) in [
        ("customers.xlsx", "XLSX"),
        ("customers.xlsm", "XLSM"),
        ("customers.xlsb", "XLSB"),
        ("customers.xls", "XLS"),
        ("customers.ods", "ODS"),
    ] {
        let t = load_ok(file);
        let ctx = format!("{file}: {:?}", t.source);
        assert_eq!(t.source.format, format, "{ctx}");
        assert_eq!(t.source.sheet.as_deref(), Some("Customers"), "{ctx}");
        assert!(t.source.has_header, "{ctx}");
        assert_eq!(t.source.encoding, None, "{ctx}");
        assert_eq!(t.source.error_cells, 0, "{ctx}");
        assert_eq!(
            t.source.file_bytes,
            std::fs::metadata(fixture(file)).unwrap().len()
        );
        assert!(t.source.warnings.is_empty(), "{ctx}");
        assert_eq!(t.names(), CUSTOMER_COLUMNS, "{ctx}");
        assert_eq!(t.n_rows, 12, "{ctx}");
        assert_eq!(t.row_origin, (2..=13).collect::<Vec<u32>>(), "{ctx}");
        assert_eq!(t.row_label(3), "row 5");

        assert_eq!(ctype(&t, "CustomerID"), ColumnType::Text, "{file}");
        assert_eq!(ctype(&t, "Name"), ColumnType::Text, "{file}");
        assert_eq!(ctype(&t, "City"), ColumnType::Text, "{file}");
        assert_eq!(ctype(&t, "BirthDate"), ColumnType::Date, "{file}");
        assert_eq!(ctype(&t, "OpenDate"), ColumnType::Date, "{file}");
        assert_eq!(ctype(&t, "LastLogin"), ColumnType::Date, "{file}");
        assert_eq!(ctype(&t, "Balance"), ColumnType::Number, "{file}");
        assert_eq!(ctype(&t, "Products"), ColumnType::Number, "{file}");
        // Excel booleans become a yes/no flag; LibreOffice stores them in
        // ODS as numbers formatted TRUE/FALSE, which stay 1/0 numbers.
        assert!(ctype(&t, "Active").is_numeric(), "{file}");

        let texts = t.column("CustomerID").unwrap().texts().unwrap();
        assert_eq!(texts.get(0), Some("C001"));
        assert_eq!(
            t.column("Name").unwrap().texts().unwrap().get(10),
            Some("Kai Müller")
        );
        assert_eq!(number(&t, "Balance", 0), 12500.5, "{file}");
        assert_eq!(number(&t, "Balance", 1), 880000.25, "{file}");
        assert!(
            number(&t, "Balance", 3).is_nan(),
            "'n/a' is missing: {file}"
        );
        assert_eq!(number(&t, "Balance", 4), 0.1, "{file}");
        assert_eq!(number(&t, "Balance", 6), 1234567.89, "{file}");
        assert_eq!(number(&t, "Balance", 7), -250.0, "{file}");
        assert_eq!(number(&t, "Products", 6), 6.0, "{file}");
        assert_eq!(number(&t, "Active", 0), 1.0, "{file}");
        assert_eq!(number(&t, "Active", 1), 0.0, "{file}");
        assert_eq!(date(&t, "BirthDate", 0), "1985-03-14", "{file}");
        assert_eq!(date(&t, "BirthDate", 7), "1988-02-29", "{file}");
        assert_eq!(date(&t, "BirthDate", 11), "", "empty cell: {file}");
        assert_eq!(date(&t, "OpenDate", 4), "1999-12-31", "{file}");
        // A date-time cell keeps its date.
        assert_eq!(date(&t, "LastLogin", 6), "2024-02-29", "{file}");
        assert_eq!(date(&t, "LastLogin", 7), "", "{file}");
    }
}

#[test]
fn chinese_headers_and_sheet_names() {
    let t = load_ok("chinese.xlsx");
    assert_eq!(t.source.sheet.as_deref(), Some("客户"));
    assert_eq!(
        t.names(),
        [
            "客户编号",
            "姓名",
            "出生日期",
            "开户日期",
            "存款余额",
            "产品数",
            "城市"
        ]
    );
    assert_eq!(ctype(&t, "出生日期"), ColumnType::Date);
    assert_eq!(ctype(&t, "存款余额"), ColumnType::Number);
    assert_eq!(ctype(&t, "城市"), ColumnType::Text);
    assert_eq!(date(&t, "开户日期", 1), "2003-01-20");
    assert_eq!(number(&t, "存款余额", 1), 880000.0);
    let t = load_with(&fixture("chinese.xlsx"), &sheet("客户"));
    assert_eq!(t.n_rows, 5);
}

#[test]
fn sheet_by_name_and_by_index() {
    let path = fixture("customers.xlsx");
    let notes = load_with(&path, &sheet("Notes"));
    assert_eq!(notes.source.sheet.as_deref(), Some("Notes"));
    assert_eq!(notes.columns.len(), 1);

    let by_index = load_with(&path, &sheet("1"));
    assert_eq!(by_index.source.sheet.as_deref(), Some("Notes"));
    let first = load_with(&path, &sheet("0"));
    assert_eq!(first.source.sheet.as_deref(), Some("Customers"));
    assert_eq!(first.n_rows, 12);
    // Case and surrounding spaces are forgiven when only one sheet matches.
    let loose = load_with(&path, &sheet(" customers "));
    assert_eq!(loose.source.sheet.as_deref(), Some("Customers"));
    // The binary formats choose sheets the same way.
    for file in ["customers.xlsb", "customers.xls", "customers.ods"] {
        let t = load_with(&fixture(file), &sheet("1"));
        assert_eq!(t.source.sheet.as_deref(), Some("Notes"), "{file}");
    }
}

#[test]
fn a_missing_sheet_lists_the_sheets_there_are() {
    let msg = message_for(&fixture("customers.xlsx"), &sheet("Q4"));
    assert_eq!(
        msg,
        "customers.xlsx: no sheet named 'Q4'; the workbook has: Customers, Notes"
    );
    let msg = message_for(&fixture("customers.xls"), &sheet("7"));
    assert!(
        msg.starts_with("customers.xls: no sheet number 7")
            && msg.contains("numbered from 0")
            && msg.ends_with("2 sheets: Customers, Notes"),
        "{msg}"
    );
}

#[test]
fn the_default_sheet_is_the_first_non_empty_one() {
    let t = load_ok("empty_first_sheet.xlsx");
    assert_eq!(t.source.sheet.as_deref(), Some("Data"));
    assert_eq!(t.n_rows, 4);
    assert_eq!(
        t.names(),
        ["CustomerID", "Name", "BirthDate", "OpenDate", "Balance"]
    );
    assert!(
        t.source
            .warnings
            .iter()
            .any(|w| w == "sheets 'Cover', 'Blank' are empty; read sheet 'Data'"),
        "{:?}",
        t.source.warnings
    );
    // Asking for an empty sheet by name is an error that points elsewhere.
    let msg = message_for(&fixture("empty_first_sheet.xlsx"), &sheet("Cover"));
    assert!(
        msg.starts_with("empty_first_sheet.xlsx: sheet 'Cover' is empty") && msg.contains("Data"),
        "{msg}"
    );
}

#[test]
fn error_cells_are_missing_and_counted() {
    let t = load_ok("errors.xlsx");
    // #DIV/0!, #N/A, #VALUE! and a #SPILL! (an error kind calamine does not
    // know, read past rather than failing the whole sheet).
    assert_eq!(t.source.error_cells, 4, "{:?}", t.source.warnings);
    let w = t
        .source
        .warnings
        .iter()
        .find(|w| w.contains("error cells"))
        .expect("a warning about error cells");
    assert!(
        w.starts_with("4 error cells (")
            && ["#DIV/0!", "#N/A", "#SPILL!", "#VALUE!"]
                .iter()
                .all(|k| w.contains(k))
            && w.contains("read as missing")
            && w.contains("the first at B3"),
        "{w}"
    );
    assert_eq!(ctype(&t, "Balance"), ColumnType::Number);
    assert_eq!(ctype(&t, "Ratio"), ColumnType::Number);
    assert!(number(&t, "Balance", 1).is_nan());
    assert_eq!(number(&t, "Balance", 2), 300.0);
    assert!(number(&t, "Ratio", 1).is_nan());
    assert!(number(&t, "Ratio", 2).is_nan());
    assert_eq!(number(&t, "Ratio", 3), 0.25);
    assert_eq!(t.column("Segment").unwrap().texts().unwrap().get(3), None);
    // The error cells are missing values, not unparsed text.
    assert_eq!(t.column("Ratio").unwrap().info.unparsed, 0);

    // Formula results computed as errors, in the binary formats.
    for file in ["formula_errors.xlsb", "formula_errors.xls"] {
        let t = load_ok(file);
        assert_eq!(t.source.error_cells, 2, "{file}: {:?}", t.source.warnings);
        assert!(
            t.source
                .warnings
                .iter()
                .any(|w| w.starts_with("2 error cells (#DIV/0!, #N/A) read as missing")),
            "{file}: {:?}",
            t.source.warnings
        );
        assert_eq!(number(&t, "Ratio", 0), 25.0, "{file}");
        assert!(number(&t, "Ratio", 1).is_nan(), "{file}");
        assert!(number(&t, "Ratio", 2).is_nan(), "{file}");
        assert_eq!(number(&t, "Ratio", 3), 50.0, "{file}");
    }
    // ODS marks them calcext:value-type="error" with the error's text: missing
    // and counted like the others.
    let t = load_ok("formula_errors.ods");
    assert!(number(&t, "Ratio", 1).is_nan() && number(&t, "Ratio", 2).is_nan());
    assert_eq!(number(&t, "Ratio", 3), 50.0);
    assert_eq!(t.source.error_cells, 2, "{:?}", t.source.warnings);
    assert!(
        t.source
            .warnings
            .iter()
            .any(|w| w.starts_with("2 error cells (#DIV/0!, #N/A) read as missing")),
        "{:?}",
        t.source.warnings
    );
}

#[test]
fn a_table_starting_at_c4_keeps_sheet_row_numbers() {
    let t = load_ok("offset.xlsx");
    // The fully empty column E is dropped; the empty row 7 is skipped.
    assert_eq!(t.names(), ["CustomerID", "Balance", "OpenDate"]);
    assert_eq!(t.n_rows, 4);
    assert_eq!(t.row_origin, [5, 6, 8, 9]);
    assert_eq!(t.row_label(2), "row 8");
    assert_eq!(ctype(&t, "Balance"), ColumnType::Number);
    assert_eq!(ctype(&t, "OpenDate"), ColumnType::Date);
    assert_eq!(number(&t, "Balance", 2), 300.25);
    assert_eq!(date(&t, "OpenDate", 3), "2023-04-30");
    let warnings = &t.source.warnings;
    assert!(
        warnings.iter().any(|w| w == "ignored 1 empty column (E)"),
        "{warnings:?}"
    );
    assert!(
        warnings.iter().any(|w| w == "ignored 1 empty row"),
        "{warnings:?}"
    );

    // Without a header the columns are named after the sheet's letters.
    let t = load_with(
        &fixture("offset.xlsx"),
        &LoadOptions {
            header: Some(false),
            ..LoadOptions::default()
        },
    );
    assert!(!t.source.has_header);
    assert_eq!(t.names(), ["column_C", "column_D", "column_F"]);
    assert_eq!(t.row_origin, [4, 5, 6, 8, 9]);
}

#[test]
fn a_title_above_the_table_is_skipped() {
    let t = load_ok("title_row.xlsx");
    assert_eq!(t.names(), ["CustomerID", "Balance", "OpenDate"]);
    assert_eq!(t.row_origin, [4, 5, 6, 7]);
    assert!(
        t.source
            .warnings
            .iter()
            .any(|w| w == "skipped 1 title row above the table (row 1)"),
        "{:?}",
        t.source.warnings
    );
}

#[test]
fn a_stray_far_away_cell_loads_fast_and_small() {
    for file in ["stray_cell.xlsx", "stray_cell.xlsb"] {
        // (A dense grid up to XFD1048576 would need ~270 GB: the load would
        // fail or never finish, so no clock is needed here.)
        let t = load_ok(file);
        // Six table columns plus the stray value's column; the table's
        // twelve rows plus the stray value's row. Nothing in between.
        assert_eq!(t.columns.len(), 7, "{file}: {:?}", t.names());
        assert_eq!(t.names()[..6], CUSTOMER_COLUMNS[..6], "{file}");
        assert_eq!(t.names()[6], "column_XFD", "{file}");
        assert_eq!(t.n_rows, 13, "{file}");
        assert_eq!(*t.row_origin.last().unwrap(), 1_048_576, "{file}");
        assert!(t.heap_bytes() < 1 << 20, "{file}: {} bytes", t.heap_bytes());
        let warnings = t.source.warnings.join(" | ");
        assert!(
            warnings.contains(
                "column XFD is 16377 columns right of the rest of the table; a stray cell?"
            ),
            "{file}: {warnings}"
        );
        assert!(
            warnings
                .contains("row 1048576 is 1048562 rows below the rest of the data; a stray cell?"),
            "{file}: {warnings}"
        );
    }
    // A stray value a million rows down in a column the table uses.
    for file in ["stray_row.xlsx", "stray_row.ods"] {
        let t = load_ok(file);
        assert_eq!(t.columns.len(), 6, "{file}");
        assert_eq!(t.n_rows, 13, "{file}");
        assert_eq!(*t.row_origin.last().unwrap(), 1_000_000, "{file}");
        assert_eq!(
            t.column("CustomerID").unwrap().texts().unwrap().get(12),
            Some("stray")
        );
    }
}

#[test]
fn password_protected_workbooks_say_so() {
    let expected = "encrypted.xlsx: the workbook is password-protected; save an unprotected copy and load that";
    assert_eq!(
        message_for(&bad("encrypted.xlsx"), &LoadOptions::default()),
        expected
    );
    // The encrypted container is OLE whatever the name says.
    let dir = tempfile::tempdir().unwrap();
    for ext in ["xls", "xlsb", "xlsm"] {
        let copy = dir.path().join(format!("encrypted.{ext}"));
        std::fs::copy(bad("encrypted.xlsx"), &copy).unwrap();
        assert_eq!(
            message_for(&copy, &LoadOptions::default()),
            expected.replace(".xlsx", &format!(".{ext}"))
        );
    }
}

#[test]
fn files_that_are_not_workbooks_get_a_clear_error() {
    let cases = [
        (
            "not_a_workbook.xlsx",
            "is not an Excel or OpenDocument workbook but a text file",
        ),
        ("garbage.xlsx", "is not an Excel or OpenDocument workbook"),
        (
            "truncated.xlsx",
            "the XLSX workbook is damaged or incomplete",
        ),
        (
            "docx_renamed.xlsx",
            "is not an Excel or OpenDocument workbook",
        ),
        ("html_export.xls", "is a web page (HTML), not a workbook"),
    ];
    for (file, phrase) in cases {
        let msg = message_for(&bad(file), &LoadOptions::default());
        assert!(msg.starts_with(&format!("{file}: ")), "{msg}");
        assert!(msg.contains(phrase), "{file}: {msg}");
        assert!(
            !msg.contains("Error {") && !msg.contains("[0x"),
            "no debug dump: {msg}"
        );
    }
}

#[test]
fn a_workbook_with_the_wrong_extension_is_read_as_what_it_is() {
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("customers.xls");
    std::fs::copy(fixture("customers.xlsx"), &copy).unwrap();
    let t = load_with(&copy, &LoadOptions::default());
    assert_eq!(t.source.format, "XLSX");
    assert_eq!(t.n_rows, 12);
    assert!(
        t.source
            .warnings
            .iter()
            .any(|w| w.contains("really XLSX despite its .xls name")),
        "{:?}",
        t.source.warnings
    );
    let copy = dir.path().join("customers.xlsx");
    std::fs::copy(fixture("customers.ods"), &copy).unwrap();
    assert_eq!(
        load_with(&copy, &LoadOptions::default()).source.format,
        "ODS"
    );
}

#[test]
fn tab_separated_text_named_xls_is_read_as_text() {
    let t = load_ok("tsv_export.xls");
    assert_eq!(t.source.format, "CSV");
    assert_eq!(t.source.delimiter, Some('\t'));
    assert_eq!(t.names(), ["CustomerID", "Balance", "OpenDate"]);
    assert_eq!(ctype(&t, "OpenDate"), ColumnType::Date);
    assert!(
        t.source.warnings[0].contains("delimited text despite its .xls name"),
        "{:?}",
        t.source.warnings
    );
}

#[test]
fn dates_in_1904_workbooks() {
    let t = load_ok("mac_1904.xlsx");
    assert_eq!(date(&t, "OpenDate", 0), "2024-01-31");
    assert_eq!(date(&t, "OpenDate", 1), "1999-12-31");
}

#[test]
fn the_header_option_overrides_detection() {
    let t = load_with(
        &fixture("customers.xlsx"),
        &LoadOptions {
            header: Some(false),
            ..LoadOptions::default()
        },
    );
    assert_eq!(t.n_rows, 13);
    assert_eq!(t.row_origin[0], 1);
    assert_eq!(t.names()[0], "column_A");
    assert_eq!(t.names()[8], "column_I");
    assert!(
        t.source
            .warnings
            .iter()
            .any(|w| w.contains("no header row")),
        "{:?}",
        t.source.warnings
    );
}

struct Recorder {
    reports: Mutex<Vec<(f64, String)>>,
    cancel: bool,
}

impl Progress for Recorder {
    fn report(&self, fraction: f64, message: &str) {
        self.reports
            .lock()
            .unwrap()
            .push((fraction, message.to_string()));
    }
    fn is_cancelled(&self) -> bool {
        self.cancel
    }
}

#[test]
fn progress_is_reported_and_cancellation_honoured() {
    let rec = Recorder {
        reports: Mutex::new(Vec::new()),
        cancel: false,
    };
    load(&fixture("customers.xlsb"), &LoadOptions::default(), &rec).unwrap();
    let reports = rec.reports.into_inner().unwrap();
    assert!(reports.len() >= 2, "{reports:?}");
    assert!(reports.windows(2).all(|w| w[0].0 <= w[1].0), "{reports:?}");
    assert_eq!(reports.last().unwrap().0, 1.0);
    assert_eq!(reports.last().unwrap().1, "loaded 12 rows");

    for file in ["customers.xlsx", "customers.xls", "customers.ods"] {
        let cancelled = Recorder {
            reports: Mutex::new(Vec::new()),
            cancel: true,
        };
        match load(&fixture(file), &LoadOptions::default(), &cancelled) {
            Err(Error::Cancelled) => {}
            other => panic!("{file}: expected Cancelled, got {other:?}"),
        }
    }
}

/// Damaged copies of every fixture format: each must load or fail with a
/// one-line data error naming the file, never panic or hang.
#[test]
fn damaged_workbooks_never_panic() {
    let dir = tempfile::tempdir().unwrap();
    for file in [
        "customers.xlsx",
        "customers.xlsb",
        "customers.xls",
        "customers.ods",
    ] {
        let original = std::fs::read(fixture(file)).unwrap();
        for k in 0..24usize {
            let mut bytes = original.clone();
            // Deterministic damage: overwrite a run of bytes, or cut the file.
            let at = (k * 7919 + 131) % bytes.len();
            if k % 4 == 3 {
                bytes.truncate(at.max(1));
            } else {
                for (i, b) in bytes.iter_mut().skip(at).take(16).enumerate() {
                    *b = b.wrapping_mul(31).wrapping_add(i as u8 + k as u8);
                }
            }
            let path = dir.path().join(format!("damaged_{k}_{file}"));
            std::fs::write(&path, &bytes).unwrap();
            if let Err(e) = load(&path, &LoadOptions::default(), &NoProgress) {
                let msg = e.to_string();
                assert!(!msg.contains('\n'), "one line: {msg}");
                assert!(
                    msg.contains(&format!("damaged_{k}_{file}")),
                    "names the file: {msg}"
                );
            }
        }
    }
}

#[test]
fn hidden_sheets_and_chart_sheets_are_passed_over() {
    let path = fixture("hidden_and_chart.xlsx");
    let t = load_with(&path, &LoadOptions::default());
    assert_eq!(t.source.sheet.as_deref(), Some("Customers"));
    assert_eq!(t.n_rows, 3);
    assert!(t.source.warnings.is_empty(), "{:?}", t.source.warnings);
    // A hidden sheet can still be asked for.
    let lookup = load_with(&path, &sheet("Lookup"));
    assert_eq!(lookup.names(), ["Code", "Meaning"]);
    let msg = message_for(&path, &sheet("Chart"));
    assert_eq!(
        msg,
        "hidden_and_chart.xlsx: sheet 'Chart' is a chart sheet, not a table of cells; choose another sheet"
    );
}
