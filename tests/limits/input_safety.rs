//! Issue #9, the input side: hostile workbooks, models, configs and cell
//! values, each generated here, run through the real binary in a child
//! process (memory limit, timeout, peak RSS measured), asserting the exit
//! code, the one-line error, bounded memory and untouched outputs.

use crate::{hostile, sandbox};

use hostile::*;
use sandbox::{Limits, Outcome, listing, run};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Peak RSS any refused input may cost (the binary alone takes ~30 MB).
const REFUSAL_RSS: u64 = 300 << 20;

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn csv_of(rows: &[Vec<String>]) -> String {
    rows.iter().map(|r| r.join(",") + "\n").collect()
}

/// A model (and its run.toml) trained once on a generated customer table.
fn trained() -> &'static (PathBuf, PathBuf) {
    static MODEL: OnceLock<(PathBuf, PathBuf)> = OnceLock::new();
    MODEL.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("custseg-input-safety-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        write(&dir, "train.csv", csv_of(&customer_rows(90)).as_bytes());
        let o = run(
            ["--no-tui", "train.csv", "--out", "model", "--k", "3"],
            &dir,
            Limits::default(),
        );
        assert_eq!(o.code, Some(0), "training run: {}", o.stderr);
        (dir.join("model/model.json"), dir.join("model/run.toml"))
    })
}

/// Runs `custseg --no-tui FILE --out out --force` and `custseg score` on
/// `bytes` saved as `name`, and checks both are refused: exit 1, one error
/// line naming the file and containing `phrase`, peak RSS bounded, the
/// output folder and the scored file untouched.
fn assert_refused(name: &str, bytes: &[u8], phrase: &str) -> Vec<Outcome> {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), name, bytes);
    std::fs::create_dir(dir.path().join("out")).unwrap();
    write(&dir.path().join("out"), "keep.txt", b"earlier results");
    write(dir.path(), "scored.csv", b"earlier scores");
    let (model, _) = trained();
    let runs = [
        run(
            ["--no-tui", name, "--out", "out", "--force"],
            dir.path(),
            Limits::default(),
        ),
        run(
            [
                "score",
                "--model",
                model.to_str().unwrap(),
                name,
                "--out",
                "scored.csv",
                "--force",
            ],
            dir.path(),
            Limits::default(),
        ),
    ];
    for o in &runs {
        assert_eq!(o.violation(REFUSAL_RSS), None, "{name}: {o:?}");
        assert_eq!(o.code, Some(1), "{name}: {}", o.stderr);
        let last = o.last_line();
        assert!(
            last.starts_with(&format!("custseg: error: {name}")) && last.contains(phrase),
            "{name}: expected '{phrase}' in: {last}"
        );
        assert!(o.peak_rss < REFUSAL_RSS, "{name}: {} MB", o.peak_rss >> 20);
    }
    assert_eq!(listing(&dir.path().join("out")), ["keep.txt"]);
    assert_eq!(
        std::fs::read(dir.path().join("scored.csv")).unwrap(),
        b"earlier scores"
    );
    runs.to_vec()
}

fn assert_loads(name: &str, bytes: &[u8]) -> Outcome {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), name, bytes);
    let (model, _) = trained();
    let o = run(
        [
            "score",
            "--model",
            model.to_str().unwrap(),
            name,
            "--out",
            "scored.csv",
        ],
        dir.path(),
        Limits::default(),
    );
    assert_eq!(o.code, Some(0), "{name}: {}", o.stderr);
    o
}

// ---------------------------------------------------------------------------
// 1. Compound files (.xls)
// ---------------------------------------------------------------------------

#[test]
fn a_generated_xls_loads_and_scores() {
    let bytes = xls_of(&customer_rows(40));
    let o = assert_loads("gen.xls", &bytes);
    assert!(o.stdout.contains("scored 40 customers"), "{}", o.stdout);
}

#[test]
fn an_xls_whose_chains_loop_is_refused_as_xls_renamed_and_in_score() {
    let (valid, layout) = cfb(&biff_workbook(&biff_table(&customer_rows(40)), &[]));
    // The directory chain points to itself (the four bytes of issue #9).
    let mut looped = valid.clone();
    let at = fat_entry_offset(layout, layout.dir_sector);
    looped[at..at + 4].copy_from_slice(&layout.dir_sector.to_le_bytes());
    for name in ["loop.xls", "loop.xlsx"] {
        assert_refused(name, &looped, "directory chain loops back");
    }
    // The workbook stream loops back to its own start half way.
    let mut stream_loop = valid.clone();
    let mid = layout.stream_start + layout.stream_sectors / 2;
    let at = fat_entry_offset(layout, mid);
    stream_loop[at..at + 4].copy_from_slice(&layout.stream_start.to_le_bytes());
    assert_refused(
        "stream_loop.xls",
        &stream_loop,
        "'Workbook' stream chain loops back",
    );
    // A chain into a sector far beyond the end of the file.
    let mut beyond = valid.clone();
    beyond[at..at + 4].copy_from_slice(&0x00FF_FFFFu32.to_le_bytes());
    assert_refused("beyond.xls", &beyond, "beyond the end of the file");
    // A FAT sector listed twice in the DIFAT.
    let mut twice = valid;
    twice[80..84].copy_from_slice(&0u32.to_le_bytes());
    assert_refused("twice.xls", &twice, "lists FAT sector 0 twice");
}

#[test]
fn xls_records_that_would_make_calamine_allocate_gigabytes_are_refused() {
    let table = biff_table(&customer_rows(10));
    // A DIMENSIONS record of four billion rows.
    let mut dims = vec![biff_dimensions((0, 4_000_000_000), (0, 200))];
    dims.extend(table.iter().cloned());
    let bytes = cfb(&biff_workbook(&dims, &[])).0;
    assert_refused("dims.xls", &bytes, "too large to read safely");
    // Two cells far apart: a 65,536 x 256 dense grid (plus its copy).
    let mut far = table.clone();
    far.push(biff_number(65_535, 255, 1.0));
    let bytes = cfb(&biff_workbook(&far, &[])).0;
    let o = assert_refused("far.xls", &bytes, "65536 rows x 256 columns");
    assert!(
        o[0].last_line().contains("delete stray cells")
            || o[0].last_line().contains("save the sheet as CSV")
    );
    // One 8,000-character shared string used by 4,000 cells.
    let mut sst = 1u32.to_le_bytes().to_vec();
    sst.extend(1u32.to_le_bytes());
    sst.extend(8000u16.to_le_bytes());
    sst.push(0);
    sst.extend(vec![b'x'; 8000]);
    let mut cells = table;
    for row in 11..4011u16 {
        let mut d = row.to_le_bytes().to_vec();
        d.extend(0u16.to_le_bytes());
        d.extend(0u16.to_le_bytes());
        d.extend(0u32.to_le_bytes());
        cells.push(record(0x00FD, &d));
    }
    // (4,000 x 8,000 characters is 96 MB for a 60 KB file: within the
    // budget's floor, so this one loads; the same at 1,000x the scale
    // would not.)
    let bytes = cfb(&biff_workbook(&cells, &[record(0x00FC, &sst)])).0;
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "sst.xls", &bytes);
    let o = run(
        ["--no-tui", "sst.xls", "--out", "out"],
        dir.path(),
        Limits::default(),
    );
    assert_eq!(o.violation(1 << 30), None, "{o:?}");
}

// ---------------------------------------------------------------------------
// 2. Decompression bombs (.xlsx, .ods, compressed text)
// ---------------------------------------------------------------------------

#[test]
fn a_generated_xlsx_and_ods_load_and_score() {
    let rows = customer_rows(30);
    let o = assert_loads("gen.xlsx", &xlsx_of(&rows));
    assert!(o.stdout.contains("scored 30 customers"), "{}", o.stdout);
    let body: String = rows
        .iter()
        .map(|r| ods_row(&r.iter().map(String::as_str).collect::<Vec<_>>(), 1))
        .collect();
    let o = assert_loads("gen.ods", &ods(&body));
    assert!(o.stdout.contains("scored 30 customers"), "{}", o.stdout);
}

#[test]
fn an_xlsx_of_whitespace_is_refused_before_it_inflates() {
    let rows = sheet_rows(&customer_rows(5));
    let head = format!("{}{rows}", sheet_head());
    // 160 MB of spaces between two elements: ~160 KB on disk.
    let bytes = xlsx(
        filler(
            "xl/worksheets/sheet1.xml",
            &head,
            b' ',
            160 << 20,
            SHEET_TAIL,
        ),
        None,
    );
    assert!(bytes.len() < 1 << 20, "{} bytes", bytes.len());
    assert_refused("spaces.xlsx", &bytes, "inflates to 160 MB");
    // The same part claiming to be small: the zip reader stops at the claim.
    let mut lying = bytes;
    lie_about_size(&mut lying, "xl/worksheets/sheet1.xml", 4096);
    assert_refused("lying.xlsx", &lying, "damaged");
    // Under the part limit but one single 40 MB text: refused when the
    // part inflates far more than XML does.
    let bytes = xlsx(
        filler(
            "xl/worksheets/sheet1.xml",
            &head,
            b' ',
            40 << 20,
            SHEET_TAIL,
        ),
        None,
    );
    assert_refused("token.xlsx", &bytes, "single text or tag of more than 1 MB");
}

#[test]
fn shared_string_bombs_are_refused() {
    let sheet = format!(
        "{}<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c></row>{SHEET_TAIL}",
        sheet_head()
    );
    let sst_head = r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>"#;
    // One 100 MB string (issue #9: one 2 GB string in 2.1 MB).
    let bytes = xlsx(
        part("xl/worksheets/sheet1.xml", sheet.clone()),
        Some(filler(
            "xl/sharedStrings.xml",
            sst_head,
            b'a',
            100 << 20,
            "</t></si></sst>",
        )),
    );
    assert_refused(
        "sst_bomb.xlsx",
        &bytes,
        "'xl/sharedStrings.xml' inflates to 100 MB",
    );
    // A count calamine would reserve four billion strings for.
    let lying_count = sst_head.replace("uniqueCount=\"1\"", "uniqueCount=\"4000000000\"");
    let bytes = xlsx(
        part("xl/worksheets/sheet1.xml", sheet.clone()),
        Some(part(
            "xl/sharedStrings.xml",
            format!("{lying_count}x</t></si></sst>"),
        )),
    );
    assert_refused(
        "sst_count.xlsx",
        &bytes,
        "declares 4000000000 shared strings",
    );
    // A cell longer than Excel allows.
    let bytes = xlsx(
        part("xl/worksheets/sheet1.xml", sheet),
        Some(filler(
            "xl/sharedStrings.xml",
            sst_head,
            b'a',
            40_000,
            "</t></si></sst>",
        )),
    );
    assert_refused(
        "long_cell.xlsx",
        &bytes,
        "cell A1: the cell holds 40000 characters, more than the 32767",
    );
}

#[test]
fn ods_repeats_expand_only_within_a_budget() {
    let header = ods_row(&["CustomerID", "Balance", "Products", "City"], 1);
    // Issue #9's 865-byte file: one row of content repeated 990,000 times.
    let body = format!(
        "{header}{}",
        ods_row(&["C1", "100", "2", "Beijing"], 990_000)
    );
    let bytes = ods(&body);
    assert!(bytes.len() < 2048, "{}", bytes.len());
    assert_refused(
        "repeat.ods",
        &bytes,
        "into more copies than a file of this size can hold",
    );
    // A content cell repeated past the last column.
    let wide = format!(
        "{header}<table:table-row><table:table-cell table:number-columns-repeated=\"1000000\" office:value-type=\"float\" office:value=\"1\"/></table:table-row>"
    );
    assert_refused("wide.ods", &ods(&wide), "beyond the last column");
    // A billion spaces in one cell.
    let spaces = format!(
        "{header}<table:table-row><table:table-cell office:value-type=\"string\"><text:p>a<text:s text:c=\"1000000000\"/></text:p></table:table-cell></table:table-row>"
    );
    assert_refused("spaces.ods", &ods(&spaces), "more than 32767 characters");
    // What LibreOffice writes: trailing empty cells and rows repeated to the
    // sheet's edge, and identical rows repeated a few times. Loads, exactly.
    let mut body = header;
    for r in 0..20 {
        let id = format!("C{r:03}");
        let bal = format!("{}", 100 + r * 37);
        body.push_str(&ods_row(&[&id, &bal, "2", "Beijing"], 1).replace(
            "</table:table-row>",
            "<table:table-cell table:number-columns-repeated=\"16380\"/></table:table-row>",
        ));
    }
    body.push_str(&ods_row(&["C999", "5", "1", "Shanghai"], 3));
    body.push_str("<table:table-row table:number-rows-repeated=\"1048552\"><table:table-cell table:number-columns-repeated=\"16384\"/></table:table-row>");
    let o = assert_loads("libreoffice.ods", &ods(&body));
    assert!(o.stdout.contains("scored 23 customers"), "{}", o.stdout);
    assert!(o.peak_rss < REFUSAL_RSS, "{} MB", o.peak_rss >> 20);
}

/// `head` then `fill` repeated to `total` bytes, compressed by `compress`
/// as it is written (the text is never held whole).
fn compressed_filler<W: std::io::Write>(mut w: W, head: &str, fill: &[u8], total: usize) -> W {
    w.write_all(head.as_bytes()).unwrap();
    let chunk = fill.repeat((1 << 20) / fill.len());
    let mut left = total;
    while left > 0 {
        let k = left.min(chunk.len());
        w.write_all(&chunk[..k]).unwrap();
        left -= k;
    }
    w
}

fn gzip_filler(head: &str, fill: &[u8], total: usize) -> Vec<u8> {
    let e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    compressed_filler(e, head, fill, total).finish().unwrap()
}

/// Compressed text may decompress to at most 100 times the file (64 MB
/// whatever its size): a gzip of 200 MB of blank rows, and gzip and zstd of
/// one customer row repeated (which the loader would keep, cell by cell),
/// are refused at the bound with bounded memory. A real compressed table
/// still loads and scores.
#[test]
fn compressed_text_bombs_are_refused_at_the_bound() {
    let table = csv_of(&customer_rows(60));
    let o = assert_loads("real.csv.gz", &gzip_filler(&table, b"\n", 10));
    assert!(o.stdout.contains("scored 60 customers"), "{}", o.stdout);
    let head = csv_of(&customer_rows(2));
    let bomb = gzip_filler(&head, b",,,\n", 200 << 20);
    assert!(bomb.len() < 1 << 20, "{} bytes", bomb.len());
    assert_refused(
        "blank_rows.csv.gz",
        &bomb,
        "gzip data decompresses to more than 97 MB (100 times the file's 993 KB",
    );
    let phrase = "gzip data decompresses to more than 64 MB";
    let row = b"C0001,41000,3,Shanghai\n";
    assert_refused("rows.csv.gz", &gzip_filler(&head, row, 100 << 20), phrase);
    let e = zstd::stream::write::Encoder::new(Vec::new(), 3).unwrap();
    let bomb = compressed_filler(e, &head, row, 100 << 20)
        .finish()
        .unwrap();
    let phrase = "zstd data decompresses to more than 64 MB";
    assert_refused("rows.csv.zst", &bomb, phrase);
}

// ---------------------------------------------------------------------------
// 3 and 8. Models and configs: special files, sizes, every field
// ---------------------------------------------------------------------------

/// Runs `custseg score` with the model at `model` (any path) on a small
/// valid file, expecting a refusal whose line contains `phrase`, with the
/// earlier scored file untouched.
fn assert_model_refused(model: &Path, phrase: &str) {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "new.csv", csv_of(&customer_rows(20)).as_bytes());
    write(dir.path(), "scored.csv", b"earlier scores");
    let limits = Limits {
        timeout: std::time::Duration::from_secs(20),
        ..Limits::default()
    };
    let o = run(
        [
            "score",
            "--model",
            model.to_str().unwrap(),
            "new.csv",
            "--out",
            "scored.csv",
            "--force",
        ],
        dir.path(),
        limits,
    );
    assert_eq!(o.violation(REFUSAL_RSS), None, "{}: {o:?}", model.display());
    assert_eq!(o.code, Some(1), "{}: {}", model.display(), o.stderr);
    assert!(
        o.last_line().contains(phrase),
        "expected '{phrase}' in: {}",
        o.last_line()
    );
    assert_eq!(
        std::fs::read(dir.path().join("scored.csv")).unwrap(),
        b"earlier scores"
    );
}

type Edit = Box<dyn FnOnce(&mut serde_json::Value)>;

/// The trained model with `edit` applied, saved in a temp folder.
fn tampered(edit: impl FnOnce(&mut serde_json::Value)) -> (tempfile::TempDir, PathBuf) {
    let (model, _) = trained();
    let mut v: serde_json::Value = serde_json::from_slice(&std::fs::read(model).unwrap()).unwrap();
    edit(&mut v);
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "model.json", &serde_json::to_vec(&v).unwrap());
    (dir, p)
}

#[test]
fn the_trained_model_scores_its_own_kind_of_file() {
    let (model, _) = trained();
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "new.csv", csv_of(&customer_rows(20)).as_bytes());
    let o = run(
        [
            "score",
            "--model",
            model.to_str().unwrap(),
            "new.csv",
            "--out",
            "scored.csv",
        ],
        dir.path(),
        Limits::default(),
    );
    assert_eq!(o.code, Some(0), "{}", o.stderr);
}

#[test]
fn every_model_field_is_validated() {
    let cases: Vec<(Edit, &str)> = vec![
        (
            Box::new(|v| v["features"]["features"][0]["clip"] = serde_json::json!([5.0, 1.0])),
            "features[0].clip: the lower bound 5 is above the upper bound 1",
        ),
        (
            Box::new(|v| v["features"]["features"][0]["clip"] = serde_json::json!([null, 1.0])),
            "the model is damaged or was edited",
        ),
        (
            Box::new(|v| v["segments"][0]["label"] = serde_json::json!("x".repeat(1 << 20))),
            "a text of 1048576 characters (at most 65536)",
        ),
        (
            Box::new(|v| v["segments"][1]["label"] = serde_json::json!("y".repeat(300))),
            "segments[1].label: 300 characters (at most 200)",
        ),
        (
            Box::new(|v| v["centres"][0] = serde_json::json!(1e200)),
            "centres[0]: 1e200 is not a centre coordinate",
        ),
        (Box::new(|v| v["k"] = serde_json::json!(7)), "k = 7 and"),
        (Box::new(|v| v["k"] = serde_json::json!(0)), "k: 0 segments"),
        (
            Box::new(|v| v["segments"][0]["id"] = serde_json::json!(2)),
            "segments[0].id: 2 (expected 0)",
        ),
        (
            Box::new(|v| v["features"]["features"][0]["std"] = serde_json::json!(-1.0)),
            "features[0].std: -1 is negative",
        ),
        (
            Box::new(|v| v["features"]["features"][0]["name"] = serde_json::json!("Other")),
            "features[0].name: 'Other' but feature_names[0]",
        ),
        (
            Box::new(|v| v["feature_names"] = serde_json::json!([])),
            "feature_names: 0 features",
        ),
        (
            Box::new(|v| {
                v["segments"][0]["label"] = serde_json::json!("\u{1b}[2J\u{1b}]0;owned\u{7}")
            }),
            "",
        ),
    ];
    let n = cases.len();
    for (i, (edit, phrase)) in cases.into_iter().enumerate() {
        let (_dir, p) = tampered(edit);
        if i + 1 == n {
            // Escape sequences in a label are allowed in the model but never
            // reach the terminal raw (see the injection tests).
            continue;
        }
        assert_model_refused(&p, phrase);
    }
}

#[test]
fn json_that_is_not_a_model_is_refused_in_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let deep = write(dir.path(), "deep.json", "[".repeat(200_000).as_bytes());
    assert_model_refused(&deep, "invalid JSON");
    let huge_number = write(
        dir.path(),
        "num.json",
        br#"{"format":"custseg-model","version":1,"k":1e999}"#,
    );
    assert_model_refused(&huge_number, "invalid JSON");
    let binary = write(dir.path(), "bin.json", &[0xff, 0xfe, 0, 1, 2]);
    assert_model_refused(&binary, "not UTF-8");
}

#[test]
fn models_and_configs_are_read_only_from_regular_files_of_bounded_size() {
    let dir = tempfile::tempdir().unwrap();
    assert_model_refused(
        Path::new("/dev/zero"),
        "/dev/zero: is a device, not a model file",
    );
    assert_model_refused(dir.path(), "is a folder, not a model file");
    let big = write(dir.path(), "big.json", &vec![b' '; 20 << 20]);
    assert_model_refused(&big, "too large for a model");
    let fifo = dir.path().join("fifo.json");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if made.is_ok_and(|s| s.success()) {
        assert_model_refused(&fifo, "is a FIFO (named pipe), not a model file");
    }
    // --config the same way, before anything runs.
    for (config, phrase) in [
        (
            "/dev/zero".to_string(),
            "is a device, not a run configuration file",
        ),
        (fifo.display().to_string(), "is a FIFO (named pipe)"),
        (
            big.display().to_string(),
            "too large for a run configuration",
        ),
    ] {
        if config.ends_with("fifo.json") && !fifo.exists() {
            continue;
        }
        let o = run(
            ["--no-tui", "--config", &config, "--out", "out"],
            dir.path(),
            Limits {
                timeout: std::time::Duration::from_secs(20),
                ..Limits::default()
            },
        );
        assert_eq!(o.violation(REFUSAL_RSS), None, "{config}: {o:?}");
        assert_eq!(o.code, Some(1), "{config}: {}", o.stderr);
        assert!(
            o.last_line().contains(phrase),
            "{config}: {}",
            o.last_line()
        );
        assert!(!dir.path().join("out").exists());
    }
}

// ---------------------------------------------------------------------------
// 10. Values beyond any amount (±1e308)
// ---------------------------------------------------------------------------

/// A record the CSV parser would hold whole, at 8 bytes a field: a line of
/// 100 MB of commas took 3.2 GB before it was counted as too wide. Each
/// shape is refused once the record passes 4 MB: as the header, as a data
/// row, and as one record whose quoted line breaks hide it from a line count.
#[test]
fn a_record_of_millions_of_fields_is_refused_within_bounded_memory() {
    let rows = customer_rows(200);
    let table = csv_of(&rows);
    let (header, body) = table.split_once('\n').unwrap();
    let commas = ",".repeat(10 << 20);
    let cases = [
        ("wide_header.csv", format!("{commas}\n{body}"), 1),
        (
            "wide_row.csv",
            format!("{header}\n{body}C9{commas}\n{body}"),
            202,
        ),
        (
            "wide_quoted.csv",
            format!("{header}\n{body}C9{}\n", ",\"\n\"".repeat(2 << 20)),
            202,
        ),
    ];
    for (name, text, line) in cases {
        let phrase = format!("line {line}: a record runs on for more than 4 MB");
        assert_refused(name, text.as_bytes(), &phrase);
    }
}

#[test]
fn huge_values_are_invalid_cells_reported_with_their_lines_not_infinite_means() {
    let dir = tempfile::tempdir().unwrap();
    let mut rows = customer_rows(80);
    rows[5][1] = "1e308".into();
    rows[9][1] = "-1.7e308".into();
    rows[12][1] = "1.5e200".into();
    write(dir.path(), "huge.csv", csv_of(&rows).as_bytes());
    for (out, extra) in [("plain", None), ("winsorised", Some("1,99"))] {
        let mut args = vec!["--no-tui", "huge.csv", "--out", out, "--k", "3"];
        if let Some(w) = extra {
            args.extend(["--winsorize", w]);
        }
        let o = run(&args, dir.path(), Limits::default());
        assert_eq!(o.violation(1 << 30), None, "{o:?}");
        assert_eq!(o.code, Some(0), "{}", o.stderr);
        // Reported with their lines (the header is line 1).
        assert!(
            o.stdout.contains("3 values could not be read as numbers")
                && o.stdout.contains("line 6: '1e308'")
                && o.stdout.contains("line 10: '-1.7e308'"),
            "{}",
            o.stdout
        );
        let summary =
            std::fs::read_to_string(dir.path().join(out).join("cluster_summary.csv")).unwrap();
        assert!(
            !summary.contains("inf") && !summary.contains("NaN"),
            "{summary}"
        );
        // The run's own model scores its own file.
        let model = dir.path().join(out).join("model.json");
        let scored = format!("{out}.scored.csv");
        let o = run(
            [
                "score",
                "--model",
                model.to_str().unwrap(),
                "huge.csv",
                "--out",
                &scored,
            ],
            dir.path(),
            Limits::default(),
        );
        assert_eq!(o.code, Some(0), "{out}: {}", o.stderr);
        assert!(o.stdout.contains("scored 80 customers"), "{}", o.stdout);
    }
}

// ---------------------------------------------------------------------------
// 7. Injection: escape sequences, HTML and Markdown from the data
// ---------------------------------------------------------------------------

/// Bytes that act on a terminal: ESC, BEL, CSI (C1), backspace, bidi override.
fn raw_controls(s: &str) -> Vec<char> {
    s.chars()
        .filter(|&c| matches!(c, '\u{1b}' | '\u{7}' | '\u{9b}' | '\u{8}' | '\u{202e}'))
        .collect()
}

#[test]
fn escape_sequences_html_and_links_from_the_data_reach_neither_terminal_nor_files() {
    let dir = tempfile::tempdir().unwrap();
    let evil_city = [
        "\u{1b}[2J\u{1b}[31mRed",
        "<script>alert(1)</script>",
        "![x](http://evil.example/p.png)",
    ];
    let mut rows = customer_rows(90);
    rows[0][3] = "City\u{1b}]0;owned\u{7}".into();
    rows[0].push("Note <img src=http://evil.example/i.png> \u{9b}31m\u{202e}".into());
    for (i, r) in rows.iter_mut().enumerate().skip(1) {
        r[3] = evil_city[i % 3].into();
        r.push(format!("[click](http://evil.example/{i}) \u{8}\u{8}"));
    }
    let file = "evil\u{1b}[2J.csv";
    let csv: String = rows
        .iter()
        .map(|r| {
            r.iter()
                .map(|c| format!("\"{c}\""))
                .collect::<Vec<_>>()
                .join(",")
                + "\n"
        })
        .collect();
    write(dir.path(), file, csv.as_bytes());
    write(
        dir.path(),
        "labels.toml",
        "[labels.overrides.0]\nlabel = \"VIP \\u001b[5m<b>x</b>\"\naction = \"![t](http://evil.example/t.png) \\u001b]2;t\\u0007\"\n".as_bytes(),
    );
    for json in [false, true] {
        let mut args = vec![
            "--no-tui",
            file,
            "--config",
            "labels.toml",
            "--out",
            "out",
            "--force",
            "--k",
            "3",
            "--one-hot",
        ];
        if json {
            args.push("--json");
        }
        let o = run(&args, dir.path(), Limits::default());
        assert_eq!(o.code, Some(0), "{}", o.stderr);
        assert_eq!(
            raw_controls(&o.stdout),
            Vec::<char>::new(),
            "stdout: {}",
            o.stdout
        );
        assert_eq!(
            raw_controls(&o.stderr),
            Vec::<char>::new(),
            "stderr: {}",
            o.stderr
        );
        if json {
            let v: serde_json::Value = serde_json::from_str(&o.stdout).expect("--json stays JSON");
            assert!(
                v["segments"][0]["label"]
                    .as_str()
                    .unwrap()
                    .contains('\u{1b}')
            );
        } else {
            assert!(
                o.stdout.contains("\\u{1b}"),
                "escapes are visible: {}",
                o.stdout
            );
        }
    }
    let out = dir.path().join("out");
    let report = std::fs::read_to_string(out.join("segmentation_report.md")).unwrap();
    assert_eq!(raw_controls(&report), Vec::<char>::new());
    for bad in ["<script", "<img", "<b>"] {
        assert!(!report.contains(bad), "report contains {bad:?}");
    }
    // Every "](" of a link or image from the data is escaped ("\](").
    for (at, _) in report.match_indices("](http") {
        assert_eq!(
            &report[at - 1..at],
            "\\",
            "an unescaped link at {at}: {}",
            &report[at.saturating_sub(40)..at + 20]
        );
    }
    assert!(
        report.contains("&lt;script&gt;") || report.contains("\\[click\\]"),
        "the text is still there, escaped"
    );
    for csv in ["cluster_summary.csv", "segmentation_results.csv"] {
        let text = std::fs::read_to_string(out.join(csv)).unwrap();
        assert_eq!(raw_controls(&text), Vec::<char>::new(), "{csv}");
    }
    // Score: the labels in its terminal output and CSV, and an error naming the file.
    let model = out.join("model.json");
    let o = run(
        [
            "score",
            "--model",
            model.to_str().unwrap(),
            file,
            "--out",
            "scored.csv",
        ],
        dir.path(),
        Limits::default(),
    );
    assert_eq!(o.code, Some(0), "{}", o.stderr);
    assert_eq!(
        raw_controls(&(o.stdout.clone() + &o.stderr)),
        Vec::<char>::new(),
        "{o:?}"
    );
    let scored = std::fs::read_to_string(dir.path().join("scored.csv")).unwrap();
    assert_eq!(raw_controls(&scored), Vec::<char>::new());
    let bad = "bad\u{1b}]0;x\u{7}\n.xlsx";
    write(dir.path(), bad, b"PK\x03\x04 not really");
    let o = run(
        ["--no-tui", bad, "--out", "out2"],
        dir.path(),
        Limits::default(),
    );
    assert_eq!(o.code, Some(1));
    assert_eq!(o.violation(REFUSAL_RSS), None, "{o:?}");
    assert_eq!(raw_controls(&o.stderr), Vec::<char>::new(), "{}", o.stderr);
    assert!(
        o.last_line().contains("bad\\u{1b}]0;x\\u{7}\\n.xlsx"),
        "{}",
        o.last_line()
    );
}

#[test]
fn the_tui_shows_escape_sequences_from_the_data_as_visible_escapes() {
    use custseg::config::RunConfig;
    use custseg::tui::UiOptions;
    use custseg::tui::harness::Harness;
    let dir = tempfile::tempdir().unwrap();
    let mut rows = customer_rows(30);
    rows[0][3] = "City\u{1b}]0;owned\u{7}".into();
    rows[1][0] = "C\u{1b}[2J0000".into();
    let path = write(dir.path(), "tui.csv", csv_of(&rows).as_bytes());
    let config = RunConfig {
        input: Some(path),
        ..RunConfig::default()
    };
    let ui = UiOptions {
        ascii: false,
        no_color: false,
    };
    let mut h = Harness::new(config, ui, 120, 40);
    h.settle();
    let screen = h.text();
    assert!(
        screen.contains("City\\u{1b}]") && screen.contains("C\\u{1b}["),
        "{screen}"
    );
    assert!(raw_controls(&screen).is_empty(), "{screen}");
}
