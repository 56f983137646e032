//! The parallel chunked CSV reader gives exactly what the sequential one
//! gives: same values, types, notes, row lines, warnings and errors.

use custseg::pipeline::load::LoadOptions;
use custseg::pipeline::load::csv::{ReadTuning, load_csv_tuned};
use custseg::pipeline::progress::Progress;
use custseg::pipeline::table::{ColumnData, Table};
use std::fmt::Write as _;
use std::path::Path;
use std::sync::Mutex;

/// Remembers every progress message.
#[derive(Default)]
struct Messages(Mutex<Vec<String>>);

impl Progress for Messages {
    fn report(&self, _fraction: f64, message: &str) {
        self.0.lock().unwrap().push(message.to_string());
    }
}

impl Messages {
    fn any(&self, needle: &str) -> bool {
        self.0.lock().unwrap().iter().any(|m| m.contains(needle))
    }
}

/// Small xorshift generator: the files are the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

struct Shape {
    rows: usize,
    crlf: bool,
    bom: bool,
    /// A literal quote inside an unquoted field on these rows.
    stray_quotes: &'static [usize],
    /// A row with one field too many here.
    ragged: Option<usize>,
}

impl Default for Shape {
    fn default() -> Self {
        Shape {
            rows: 50_000,
            crlf: false,
            bom: false,
            stray_quotes: &[],
            ragged: None,
        }
    }
}

/// A multi-MB customer file with everything the chunk cutting must get
/// right: quoted fields with delimiters, doubled quotes and line breaks,
/// blank lines and blank rows, padded cells, non-ASCII text, and columns
/// whose fast lane only breaks in the second half of the file.
fn write_file(path: &Path, shape: &Shape) {
    let eol = if shape.crlf { "\r\n" } else { "\n" };
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut out = String::new();
    if shape.bom {
        out.push('\u{feff}');
    }
    out.push_str("CustomerID,Name,Balance,OpenDate,Note,Score,Code,LastTxn,City");
    out.push_str(eol);
    let names = [
        "Alice",
        "  Bob  ",
        "\"Li, Wei\"",
        "王芳",
        "\"O\"\"Neil\"",
        "Zoë",
    ];
    let cities = ["Beijing", "上海", "Hangzhou", "\"Guangzhou, GD\"", ""];
    let n = shape.rows;
    for i in 0..n {
        if rng.below(500) == 0 {
            out.push_str(eol); // a blank line: skipped by the parser
        }
        if rng.below(700) == 0 {
            out.push_str(",,,, ,,,,");
            out.push_str(eol); // a blank row: counted as ignored
        }
        let balance = match rng.below(50) {
            0 => String::new(),
            1 => "NA".into(),
            2 => "1e3".into(),
            3 => "-0.50".into(),
            4 => "12345678901234567890.5".into(),
            _ => format!("{}.{:02}", rng.below(1_000_000), rng.below(100)),
        };
        let date = |rng: &mut Rng| {
            format!(
                "{}-{:02}-{:02}",
                1990 + rng.below(35),
                1 + rng.below(12),
                1 + rng.below(28)
            )
        };
        let open = if rng.below(40) == 0 {
            String::new()
        } else {
            date(&mut rng)
        };
        let note = match rng.below(20) {
            0 => format!("\"line one{eol}line two, with \"\"quotes\"\"\""),
            1 => format!("\"{eol}\""),
            2 => "\"a, b\"".into(),
            _ if shape.stray_quotes.contains(&i) => "ab\"c".into(),
            _ => format!("note{}", rng.below(10)),
        };
        // Breaks its number lane rarely, in the second half: stays a number.
        let score = if i > n * 6 / 10 && rng.below(200) == 0 {
            "abc".to_string()
        } else {
            rng.below(1000).to_string()
        };
        // A number lane broken by a band of text from 40% to 55%: a text
        // column, whose cells after the band keep their raw spelling ("12.50",
        // not "12.5") although they would fit the lane again.
        let code = if (n * 4 / 10..n * 55 / 100).contains(&i) {
            format!("X{}", rng.below(100))
        } else {
            format!("{}.{}0", rng.below(100), rng.below(10))
        };
        // An ISO-date lane until 80%, then day-first dates.
        let last = if i < n * 8 / 10 {
            date(&mut rng)
        } else {
            format!(
                "{:02}/{:02}/{}",
                13 + rng.below(15),
                1 + rng.below(12),
                2000 + rng.below(24)
            )
        };
        let city = cities[rng.below(cities.len() as u64) as usize];
        let name = names[rng.below(names.len() as u64) as usize];
        write!(
            out,
            "C{i:07},{name},{balance},{open},{note},{score},{code},{last},{city}"
        )
        .unwrap();
        if shape.ragged == Some(i) {
            out.push_str(",extra");
        }
        out.push_str(eol);
    }
    std::fs::write(path, out).unwrap();
}

fn parallel(chunk_bytes: u64, threads: usize) -> ReadTuning {
    ReadTuning {
        parallel_min_bytes: 0,
        chunk_bytes,
        threads,
    }
}

const TUNINGS: [(u64, usize); 4] = [(4096, 2), (65_536, 3), (300_000, 2), (1 << 20, 4)];

/// Field-by-field equality (NaN equals NaN).
fn assert_same(a: &Table, b: &Table, what: &str) {
    assert_eq!(a.n_rows, b.n_rows, "{what}: rows");
    assert_eq!(a.row_origin, b.row_origin, "{what}: row lines");
    assert_eq!(a.source, b.source, "{what}: source");
    assert_eq!(a.columns.len(), b.columns.len(), "{what}: columns");
    for (x, y) in a.columns.iter().zip(&b.columns) {
        let w = format!("{what}: column {}", x.name);
        assert_eq!(x.name, y.name, "{w}");
        assert_eq!(x.ctype, y.ctype, "{w}");
        assert_eq!(x.info, y.info, "{w}");
        match (&*x.data, &*y.data) {
            (ColumnData::Number(p), ColumnData::Number(q)) => {
                let p: Vec<u64> = p.iter().map(|v| v.to_bits()).collect();
                let q: Vec<u64> = q.iter().map(|v| v.to_bits()).collect();
                assert!(p == q, "{w}: numbers differ");
            }
            (p, q) => assert!(p == q, "{w}: cells differ"),
        }
    }
}

/// How the parallel loads went.
#[derive(Debug, PartialEq)]
enum Outcome {
    /// Every load was read in chunks to the end.
    Chunked,
    /// Every load cut the file into chunks, at least one then read it in one pass.
    FellBack,
    /// Some load never cut the file (it saw an odd number of quotes).
    NotCut,
}

/// Loads `path` sequentially and with several chunkings, and checks that
/// the results (or errors) are the same.
fn compare_all(path: &Path, opts: &LoadOptions) -> Outcome {
    let reference = load_csv_tuned(path, opts, &Messages::default(), &ReadTuning::sequential());
    let mut outcome = Outcome::Chunked;
    for (chunk_bytes, threads) in TUNINGS {
        let what = format!("{} in {chunk_bytes}-byte chunks", path.display());
        let messages = Messages::default();
        let got = load_csv_tuned(path, opts, &messages, &parallel(chunk_bytes, threads));
        if !messages.any(" chunks") {
            outcome = Outcome::NotCut;
        } else if messages.any("again, in one pass") && outcome == Outcome::Chunked {
            outcome = Outcome::FellBack;
        }
        match (&reference, &got) {
            (Ok(a), Ok(b)) => assert_same(a, b, &what),
            (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "{what}"),
            (a, b) => panic!(
                "{what}: sequential {:?} vs parallel {:?}",
                a.as_ref().err(),
                b.as_ref().err()
            ),
        }
    }
    outcome
}

#[test]
fn parallel_read_matches_sequential_lf() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("customers.csv");
    write_file(&path, &Shape::default());
    assert!(std::fs::metadata(&path).unwrap().len() > 3_000_000);
    assert_eq!(
        compare_all(&path, &LoadOptions::default()),
        Outcome::Chunked
    );
    // The file exercises what it should.
    let t = load_csv_tuned(
        &path,
        &LoadOptions::default(),
        &Messages::default(),
        &parallel(65_536, 2),
    )
    .unwrap();
    let ty = |n: &str| t.column(n).unwrap().ctype.name();
    assert_eq!(
        ["Balance", "Score", "Code", "LastTxn", "OpenDate"].map(ty),
        ["number", "number", "text", "date", "date"]
    );
    let code = t.column("Code").unwrap().texts().unwrap();
    let raw_spelling = |i: usize| {
        code.get(i)
            .is_some_and(|c| c.contains('.') && c.ends_with('0'))
    };
    assert!(
        !raw_spelling(0),
        "read in the lane, then written back as text"
    );
    assert!(raw_spelling(t.n_rows - 1), "raw text after the lane broke");
    assert!(t.source.warnings.iter().any(|w| w.starts_with("ignored ")));
}

#[test]
fn parallel_read_matches_sequential_crlf_with_bom() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("customers_crlf.csv");
    write_file(
        &path,
        &Shape {
            crlf: true,
            bom: true,
            ..Shape::default()
        },
    );
    assert_eq!(
        compare_all(&path, &LoadOptions::default()),
        Outcome::Chunked
    );
}

#[test]
fn literal_quotes_in_unquoted_fields_are_caught_and_read_in_one_pass() {
    // Two stray quotes far apart: the quote count is even overall but wrong in
    // between, where some cut points land inside quoted line breaks.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("stray.csv");
    write_file(
        &path,
        &Shape {
            stray_quotes: &[1_000, 35_000],
            ..Shape::default()
        },
    );
    assert_eq!(
        compare_all(&path, &LoadOptions::default()),
        Outcome::FellBack
    );
}

#[test]
fn ragged_rows_give_the_sequential_error_or_skip_warning() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ragged.csv");
    write_file(
        &path,
        &Shape {
            ragged: Some(30_000),
            ..Shape::default()
        },
    );
    assert_eq!(
        compare_all(&path, &LoadOptions::default()),
        Outcome::FellBack
    );
    let skip = LoadOptions {
        skip_bad_rows: true,
        ..LoadOptions::default()
    };
    assert_eq!(compare_all(&path, &skip), Outcome::FellBack);
    let t = load_csv_tuned(&path, &skip, &Messages::default(), &parallel(65_536, 2)).unwrap();
    assert_eq!(t.source.skipped_rows, 1);
}

#[test]
fn a_file_cut_off_is_read_in_chunks_like_the_sequential_reader() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cut.csv");
    write_file(&path, &Shape::default());
    let whole = std::fs::read(&path).unwrap();
    let rows = Shape::default().rows;
    let lines_before = whole.iter().filter(|&&b| b == b'\n').count() as u64;
    let skip = LoadOptions {
        skip_bad_rows: true,
        ..LoadOptions::default()
    };
    // Cut inside a quoted field (its quote never closes, and a line break
    // follows), and cut in the middle of a last line without quotes.
    for (tail, warning) in [
        (
            &b"C9999999,\"never closed,1,2024-01-01\n"[..],
            "the file ends inside a quoted field; this last record was skipped",
        ),
        (
            &b"C9999999,12"[..],
            "the file ends in the middle of this record",
        ),
    ] {
        let mut bytes = whole.clone();
        bytes.extend_from_slice(tail);
        std::fs::write(&path, &bytes).unwrap();
        let what = String::from_utf8_lossy(tail).into_owned();
        // Without skip: the same error from every reader, and no fallback.
        assert_eq!(
            compare_all(&path, &LoadOptions::default()),
            Outcome::Chunked,
            "{what}"
        );
        let err = load_csv_tuned(
            &path,
            &LoadOptions::default(),
            &Messages::default(),
            &parallel(65_536, 2),
        )
        .unwrap_err();
        let line = lines_before + 1;
        assert!(
            err.to_string()
                .contains(&format!("line {line}: the file looks cut off")),
            "{what}: {err}"
        );
        assert_eq!(err.remedy(), Some(&custseg::Remedy::SkipBadRows));
        // With skip: everything before it, read in chunks.
        assert_eq!(compare_all(&path, &skip), Outcome::Chunked, "{what}");
        let t = load_csv_tuned(&path, &skip, &Messages::default(), &parallel(65_536, 2)).unwrap();
        assert_eq!(t.n_rows, rows, "{what}");
        assert_eq!(t.source.skipped_rows, 1, "{what}");
        let expected = format!("line {line}: {warning}");
        assert!(
            t.source.warnings.iter().any(|w| w.starts_with(&expected)),
            "{what}: {:?}",
            t.source.warnings
        );
    }
}

/// Lines of every shape the record splitter must agree with the CSV parser
/// on: `\n`, `\r\n` and lone `\r` line ends, blank lines of each kind, empty
/// and padded fields, trailing delimiters, quoted fields holding delimiters,
/// line ends and doubled quotes, quotes after a closing quote (`"ab"c`) or
/// inside an unquoted field in pairs (`a"b"`), and no line end at the end.
fn write_messy(path: &Path, seed: u64, rows: usize, delimiter: char) {
    let mut rng = Rng(seed);
    let eols = ["\n", "\r\n", "\r"];
    let mut out = String::new();
    let d = delimiter;
    out.push_str(&format!("\"id\"{d}amount{d} note {d}when{d}tag\n"));
    for i in 0..rows {
        let eol = eols[rng.below(3) as usize];
        if rng.below(25) == 0 {
            out.push_str(eols[rng.below(3) as usize]); // blank line
        }
        let amount = match rng.below(12) {
            0 => String::new(),
            1 => " 12.5 ".into(),
            2 => "\"1,5\"".into(),
            _ => format!("{}.{}", rng.below(10_000), rng.below(100)),
        };
        let note = match rng.below(14) {
            0 => format!("\"multi{eol}line{d} with \"\"quotes\"\"\""),
            1 => "\"\"".into(),
            2 => "\"ab\"c".into(),
            3 => "a\"b\"".into(),
            4 => format!("\"{d}\r\n\""),
            5 => "  padded  ".into(),
            6 => "中文".into(),
            _ => format!("n{}", rng.below(100)),
        };
        let when = if rng.below(30) == 0 {
            "NA".to_string()
        } else {
            format!("2024-{:02}-{:02}", 1 + rng.below(12), 1 + rng.below(28))
        };
        let tag = if rng.below(9) == 0 { "" } else { "t" };
        out.push_str(&format!("{i}{d}{amount}{d}{note}{d}{when}{d}{tag}"));
        if rng.below(10) == 0 {
            out.push(d); // trailing delimiter
        }
        if i + 1 < rows || seed.is_multiple_of(2) {
            out.push_str(eol);
        }
    }
    std::fs::write(path, out).unwrap();
}

#[test]
fn parallel_read_matches_sequential_on_messy_lines() {
    let dir = tempfile::tempdir().unwrap();
    for seed in 1..=8u64 {
        let delimiter = [',', ';', '\t', '|'][seed as usize % 4];
        let path = dir.path().join(format!("messy{seed}.csv"));
        write_messy(&path, seed * 0x1234_5678_9ABC_DEF1, 3_000, delimiter);
        let opts = LoadOptions::default();
        let reference = load_csv_tuned(
            &path,
            &opts,
            &Messages::default(),
            &ReadTuning::sequential(),
        )
        .unwrap();
        assert_eq!(reference.source.delimiter, Some(delimiter));
        for (chunk_bytes, threads) in [(64, 2), (300, 3), (4096, 2)] {
            let what = format!("seed {seed}, {chunk_bytes}-byte chunks");
            let messages = Messages::default();
            let got = load_csv_tuned(&path, &opts, &messages, &parallel(chunk_bytes, threads))
                .unwrap_or_else(|e| panic!("{what}: {e}"));
            assert!(messages.any(" chunks"), "{what}: not cut");
            assert!(!messages.any("again, in one pass"), "{what}: fell back");
            assert_same(&reference, &got, &what);
        }
    }
}
