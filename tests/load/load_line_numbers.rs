//! Line numbers reported for rows, unparsed values and bad rows are file
//! lines as an editor shows them (the header is line 1), whatever the line
//! ends (`\n`, `\r\n`, a lone `\r`), with blank lines, line breaks inside
//! quoted fields and a byte-order mark, in the sequential and in the
//! parallel chunked reader.

use custseg::pipeline::load::csv::{ReadTuning, load_csv_tuned};
use custseg::pipeline::load::{LoadOptions, load};
use custseg::pipeline::progress::Progress;
use custseg::pipeline::table::Table;
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

/// The same text with other line ends and encodings.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Variant {
    Lf,
    Crlf,
    CrlfBom,
    /// Lone `\r` line ends, which the parser also ends records at.
    Cr,
    /// UTF-16LE with a byte-order mark and CRLF: read through the decoder.
    Utf16Crlf,
}

const VARIANTS: [Variant; 5] = [
    Variant::Lf,
    Variant::Crlf,
    Variant::CrlfBom,
    Variant::Cr,
    Variant::Utf16Crlf,
];

impl Variant {
    fn eol(self) -> &'static str {
        match self {
            Variant::Lf => "\n",
            Variant::Cr => "\r",
            _ => "\r\n",
        }
    }

    /// The file's bytes for `text`, written with `\n` line ends; `{LF}`
    /// stands for a `\n` that stays one whatever the variant.
    fn bytes(self, text: &str) -> Vec<u8> {
        let text = text.replace('\n', self.eol()).replace("{LF}", "\n");
        match self {
            Variant::CrlfBom => format!("\u{feff}{text}").into_bytes(),
            Variant::Utf16Crlf => [0xFF, 0xFE]
                .into_iter()
                .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
                .collect(),
            _ => text.into_bytes(),
        }
    }

    /// Whether the parallel reader can cut the file (UTF-8 with `\n` bytes).
    fn chunkable(self) -> bool {
        !matches!(self, Variant::Cr | Variant::Utf16Crlf)
    }
}

/// Sequential, and chunked with chunks of a few lines.
fn tunings(variant: Variant) -> Vec<(&'static str, ReadTuning)> {
    let mut t = vec![("sequential", ReadTuning::sequential())];
    for (name, chunk_bytes) in [("chunks of 16 bytes", 16), ("chunks of 64 bytes", 64)] {
        t.push((
            name,
            ReadTuning {
                parallel_min_bytes: 0,
                chunk_bytes,
                threads: 2,
            },
        ));
    }
    if !variant.chunkable() {
        t.truncate(1);
    }
    t
}

fn write(dir: &Path, variant: Variant, text: &str) -> std::path::PathBuf {
    let path = dir.join(format!("{variant:?}.csv"));
    std::fs::write(&path, variant.bytes(text)).unwrap();
    path
}

/// Every unparsed value as the Clean stage quotes it: "line 8: '2024-13-45'".
fn unparsed(t: &Table) -> Vec<String> {
    t.columns
        .iter()
        .flat_map(|c| {
            c.info
                .unparsed_examples
                .iter()
                .map(|(row, raw)| format!("{}: '{raw}'", t.row_label(*row)))
        })
        .collect()
}

/// Rows on known lines: a blank line, quoted fields holding the file's line
/// end and a bare `\n`, and two dates that do not parse.
const ROWS: &str = "id,opened,note
1,2024-01-01,plain

2,2024-01-02,\"two
lines\"
3,2024-01-03,\"a bare{LF}line feed\"
4,2024-13-45,bad date
5,2024-01-05,\"a, b\"
6,not a date,x
7,2024-01-07,\"\"
8,2024-01-08,y
9,2024-01-09,\"\"\"quoted\"\"\"

10,2024-01-10,z
11,2024-01-11,
12,2024-01-12,last
";

#[test]
fn unparsed_values_and_rows_have_the_same_lines_whatever_the_line_ends() {
    let dir = tempfile::tempdir().unwrap();
    for variant in VARIANTS {
        let path = write(dir.path(), variant, ROWS);
        for (how, tuning) in tunings(variant) {
            let what = format!("{variant:?}, {how}");
            let messages = Messages::default();
            let t = load_csv_tuned(&path, &LoadOptions::default(), &messages, &tuning)
                .unwrap_or_else(|e| panic!("{what}: {e}"));
            if how != "sequential" {
                assert!(messages.any(" chunks"), "{what}: not cut");
                assert!(!messages.any("again, in one pass"), "{what}: fell back");
            }
            assert_eq!(
                t.row_origin,
                [2, 4, 6, 8, 9, 10, 11, 12, 13, 15, 16, 17],
                "{what}"
            );
            assert_eq!(t.column("opened").unwrap().ctype.name(), "date", "{what}");
            assert_eq!(
                unparsed(&t),
                ["line 8: '2024-13-45'", "line 10: 'not a date'"],
                "{what}"
            );
            let notes = t.column("note").unwrap().texts().unwrap();
            let eol = variant.eol();
            let two = format!("two{eol}lines");
            assert_eq!(notes.get(1), Some(two.as_str()), "{what}");
            assert_eq!(notes.get(2), Some("a bare\nline feed"), "{what}");
        }
    }
}

/// A row with one field too many on line 6, after a blank line and a quoted
/// line break.
const RAGGED: &str = "id,opened,note
1,2024-01-01,a

2,\"x
y\",b
3,2024-01-03,b,extra
4,2024-01-04,c
";

#[test]
fn ragged_rows_are_reported_on_their_line_whatever_the_line_ends() {
    let dir = tempfile::tempdir().unwrap();
    let skip = LoadOptions {
        skip_bad_rows: true,
        ..LoadOptions::default()
    };
    for variant in VARIANTS {
        let path = write(dir.path(), variant, RAGGED);
        // The chunked reader hands a ragged row to the sequential one.
        for (how, tuning) in tunings(variant) {
            let what = format!("{variant:?}, {how}");
            let err = load_csv_tuned(
                &path,
                &LoadOptions::default(),
                &Messages::default(),
                &tuning,
            )
            .unwrap_err()
            .to_string();
            assert!(
                err.contains("line 6: expected 3 fields (as in the first row), found 4"),
                "{what}: {err}"
            );
            let t = load_csv_tuned(&path, &skip, &Messages::default(), &tuning)
                .unwrap_or_else(|e| panic!("{what}: {e}"));
            assert_eq!(t.row_origin, [2, 4, 7], "{what}");
            assert!(
                t.source
                    .warnings
                    .iter()
                    .any(|w| w == "skipped 1 rows with the wrong number of fields (lines 6)"),
                "{what}: {:?}",
                t.source.warnings
            );
        }
    }
}

#[test]
fn a_quote_left_open_is_reported_on_the_line_it_starts_whatever_the_line_ends() {
    let text = "id,opened,note
1,2024-01-01,a

2,\"x
y\",b
3,\"2024-01-03,b
4,2024-01-04,c
";
    let dir = tempfile::tempdir().unwrap();
    for variant in VARIANTS {
        let path = write(dir.path(), variant, text);
        for (how, tuning) in tunings(variant) {
            let err = load_csv_tuned(
                &path,
                &LoadOptions::default(),
                &Messages::default(),
                &tuning,
            )
            .unwrap_err()
            .to_string();
            assert!(
                err.contains("line 6: the file looks cut off: it ends inside a quoted field that starts on line 6"),
                "{variant:?}, {how}: {err}"
            );
            // Skipped, the record is reported on the line it starts, and the
            // rows before it load with their lines.
            let skip = LoadOptions {
                skip_bad_rows: true,
                ..LoadOptions::default()
            };
            let t = load_csv_tuned(&path, &skip, &Messages::default(), &tuning).unwrap();
            assert_eq!(t.row_origin, [2, 4], "{variant:?}, {how}");
            assert!(
                t.source.warnings.iter().any(|w| w.starts_with(
                    "line 6: the file ends inside a quoted field; this last record was skipped"
                )),
                "{variant:?}, {how}: {:?}",
                t.source.warnings
            );
        }
    }
}

#[test]
fn undecodable_bytes_are_reported_on_their_line_whatever_the_line_ends() {
    let text = "id;city\n1;\"Hang\nzhou\"\n\n2;Bei\u{1}jing\n";
    let gbk = LoadOptions {
        encoding: Some("gbk".into()),
        ..LoadOptions::default()
    };
    let dir = tempfile::tempdir().unwrap();
    for variant in [Variant::Lf, Variant::Crlf, Variant::Cr] {
        // 0xFF is not a GBK byte.
        let bytes: Vec<u8> = variant
            .bytes(text)
            .into_iter()
            .map(|b| if b == 1 { 0xFF } else { b })
            .collect();
        let path = dir.path().join(format!("{variant:?}.csv"));
        std::fs::write(&path, bytes).unwrap();
        // The cell is read as missing and reported on its line.
        let t = load(&path, &gbk, &Messages::default()).unwrap();
        assert_eq!(t.row_origin, [2, 5], "{variant:?}");
        assert_eq!(t.column("city").unwrap().texts().unwrap().get(1), None);
        assert!(
            t.source
                .warnings
                .iter()
                .any(|w| w.starts_with("line 5, column 'city': bytes that are not valid GBK")),
            "{variant:?}: {:?}",
            t.source.warnings
        );
    }
}

/// A customer file of `rows` rows with the lines of its rows and of its
/// unparsed dates as they are written: blank lines, quoted line breaks
/// (the file's own and bare `\n`), a bad date in five places after the
/// first fifth of the file.
fn big_file(rows: usize, eol: &str, bom: bool) -> (Vec<u8>, Vec<u32>, Vec<String>) {
    let mut out = String::new();
    if bom {
        out.push('\u{feff}');
    }
    let mut line = 1u32;
    let mut row_lines = Vec::with_capacity(rows);
    let mut bad = Vec::new();
    write!(out, "CustomerID,Opened,Note,Balance,Branch{eol}").unwrap();
    for i in 0..rows {
        line += 1;
        if i % 89 == 7 {
            out.push_str(eol); // a blank line
            line += 1;
        }
        row_lines.push(line);
        let opened = if i % (rows / 6) == rows / 12 && i > rows / 5 {
            bad.push(format!("line {line}: '2024-02-30x'"));
            "2024-02-30x".to_string()
        } else {
            format!("20{:02}-{:02}-{:02}", 10 + i % 15, 1 + i % 12, 1 + i % 28)
        };
        let note = match i % 97 {
            3 => {
                line += 1;
                format!("\"first line{eol}second line, with \"\"quotes\"\"\"")
            }
            50 => {
                line += 2;
                "\"bare\nline\nfeeds\"".to_string()
            }
            _ => format!("note number {}", i % 1000),
        };
        write!(
            out,
            "C{i:08},{opened},{note},{}.{:02},Branch office {}{eol}",
            i * 37 % 100_000,
            i % 100,
            i % 17
        )
        .unwrap();
    }
    (out.into_bytes(), row_lines, bad)
}

#[test]
fn big_files_above_the_parallel_threshold_have_the_same_lines_as_small_ones() {
    // The default tuning reads UTF-8 files of 4 MiB and more in chunks of
    // about 4 MiB, so a file needs 8 MiB to be cut at all.
    let defaults = ReadTuning::default();
    let rows = 160_000;
    let dir = tempfile::tempdir().unwrap();
    for (eol, bom) in [("\n", false), ("\r\n", false), ("\r\n", true)] {
        let what = format!("{eol:?}, BOM {bom}");
        let (bytes, row_lines, bad) = big_file(rows, eol, bom);
        assert!(bytes.len() as u64 > 2 * defaults.chunk_bytes, "{what}");
        assert_eq!(bad.len(), 5, "{what}");
        let path = dir.path().join("big.csv");
        std::fs::write(&path, bytes).unwrap();
        let two_threads = ReadTuning {
            threads: 2,
            ..ReadTuning::default()
        };
        for (how, tuning) in [
            ("default tuning", two_threads),
            ("sequential", ReadTuning::sequential()),
        ] {
            let what = format!("{what}, {how}");
            let messages = Messages::default();
            let t = load_csv_tuned(&path, &LoadOptions::default(), &messages, &tuning)
                .unwrap_or_else(|e| panic!("{what}: {e}"));
            if how == "default tuning" {
                assert!(messages.any(" chunks"), "{what}: not cut");
                assert!(!messages.any("again, in one pass"), "{what}: fell back");
            }
            assert_eq!(t.n_rows, rows, "{what}");
            assert_eq!(t.row_origin.len(), rows, "{what}");
            if let Some(i) = (0..rows).find(|&i| t.row_origin[i] != row_lines[i]) {
                panic!(
                    "{what}: row {i} is on line {}, read as line {}",
                    row_lines[i], t.row_origin[i]
                );
            }
            assert_eq!(unparsed(&t), bad, "{what}");
        }
    }
}

#[test]
fn late_non_utf8_bytes_are_reported_on_their_line_whatever_the_line_ends() {
    // Past the 1 MiB sample everything looked like UTF-8; then a Latin-1
    // name, after blank lines and quoted line breaks.
    let dir = tempfile::tempdir().unwrap();
    for eol in ["\n", "\r\n"] {
        let path = dir.path().join("late.csv");
        let mut bytes = format!("id,name,balance{eol}").into_bytes();
        let mut line = 1;
        for i in 1..60_000 {
            line += 1;
            let name = if i % 1000 == 0 {
                line += 2;
                format!("\"name{eol}{eol}{i}\"")
            } else {
                format!("name{i}")
            };
            bytes.extend_from_slice(format!("{i},{name},{i}.5{eol}").as_bytes());
            if i % 1500 == 0 {
                bytes.extend_from_slice(eol.as_bytes());
                line += 1;
            }
        }
        bytes.extend_from_slice(b"60000,Jos\xe9,1");
        bytes.extend_from_slice(eol.as_bytes());
        line += 1;
        std::fs::write(&path, bytes).unwrap();
        let t = load(&path, &LoadOptions::default(), &Messages::default()).unwrap();
        let expected = format!(
            "line {line}, column 'name': bytes that are not valid UTF-8; the cell is read as missing"
        );
        assert!(
            t.source.warnings.iter().any(|w| w.starts_with(&expected)),
            "{eol:?}: {:?}, wanted {expected}",
            t.source.warnings
        );
    }
}
