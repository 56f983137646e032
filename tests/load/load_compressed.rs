//! gzip and zstd compressed text (issue 17): files generated here, plain and
//! compressed, must load to the same table (encoding, delimiter, types, line
//! numbers, warnings) and give the same segments; the compression is told by
//! the first bytes, not the name; a cut-off or damaged file is refused in one
//! line naming it. (Decompression bombs: tests/limits/input_safety.rs.)

use custseg::pipeline::load::{LoadOptions, load};
use custseg::pipeline::progress::NoProgress;
use custseg::pipeline::table::Table;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_custseg"))
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

fn zstd(bytes: &[u8]) -> Vec<u8> {
    zstd::encode_all(bytes, 3).unwrap()
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

/// `custseg sample` with `args`, written to `dir/plain.csv`; its bytes.
fn sample(dir: &Path, args: &[&str]) -> Vec<u8> {
    let out = dir.join("plain.csv");
    let o = bin()
        .args(["sample", "--out", out.to_str().unwrap(), "--force"])
        .args(args)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    std::fs::read(out).unwrap()
}

/// Everything the loader found, except the file's name, size and format.
fn seen(t: &Table) -> String {
    let mut s = format!(
        "{:?} {:?} header={} skipped={} warnings={:?}\nrows {:?}\n",
        t.source.encoding,
        t.source.delimiter,
        t.source.has_header,
        t.source.skipped_rows,
        t.source.warnings,
        t.row_origin
    );
    for c in &t.columns {
        s += &format!("{} {:?} {:?}:", c.name, c.ctype, c.info);
        for i in 0..t.n_rows {
            s += &c.data.display(i);
            s.push('|');
        }
        s.push('\n');
    }
    s
}

fn load_ok(path: &Path, opts: &LoadOptions) -> Table {
    load(path, opts, &NoProgress).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn load_err(path: &Path) -> String {
    match load(path, &LoadOptions::default(), &NoProgress) {
        Ok(_) => panic!("{} loaded", path.display()),
        Err(e) => e.to_string(),
    }
}

#[test]
fn gzip_and_zstd_load_the_same_table_as_the_plain_file_whatever_their_names() {
    let dir = tempfile::tempdir().unwrap();
    // Messy values (unparsed cells with their lines), and GBK text with
    // semicolons: detection works on the decompressed text.
    for args in [
        &["--rows", "1500", "--messy"][..],
        &[
            "--rows",
            "800",
            "--chinese",
            "--encoding",
            "gbk",
            "--delimiter",
            ";",
        ],
    ] {
        let plain_bytes = sample(dir.path(), args);
        let plain = load_ok(&dir.path().join("plain.csv"), &LoadOptions::default());
        assert_eq!(plain.source.format, "CSV");
        let expected = seen(&plain);
        let mut gz_two_members = gzip(&plain_bytes[..plain_bytes.len() / 3]);
        gz_two_members.extend(gzip(&plain_bytes[plain_bytes.len() / 3..]));
        let cases = [
            ("c.csv.gz", gzip(&plain_bytes), "CSV, gzip"),
            ("c.csv.zst", zstd(&plain_bytes), "CSV, zstd"),
            // Detected by the first bytes: a gzip named .csv, a zstd named .gz.
            ("disguised.csv", gzip(&plain_bytes), "CSV, gzip"),
            ("other.tsv.gz", zstd(&plain_bytes), "CSV, zstd"),
            // `cat a.gz b.gz`, as pigz and log rotation make.
            ("members.csv.gz", gz_two_members, "CSV, gzip"),
        ];
        for (name, bytes, format) in cases {
            let path = write(dir.path(), name, &bytes);
            let t = load_ok(&path, &LoadOptions::default());
            assert_eq!(t.source.format, format, "{name}");
            assert_eq!(seen(&t), expected, "{name} ({args:?})");
        }
    }
    let gbk = load_ok(&dir.path().join("c.csv.gz"), &LoadOptions::default());
    assert_eq!(gbk.source.encoding.as_deref(), Some("GBK/GB18030"));
    assert_eq!(gbk.source.delimiter, Some(';'));
    assert!(
        gbk.columns
            .iter()
            .any(|c| c.name == "客户编号" || c.name.contains("客户"))
    );
}

#[test]
fn tab_separated_gzip_and_a_row_that_breaks_keep_their_line_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("id\tbalance\tcity\n");
    for i in 0..3000 {
        // Blank lines and a quoted line break move the lines off the rows.
        if i % 700 == 5 {
            text += "\n";
        }
        let city = if i == 40 { "\"Bei\njing\"" } else { "Shanghai" };
        text += &format!("C{i}\t{}\t{city}\n", 100 + i);
    }
    let plain = write(dir.path(), "t.tsv", text.as_bytes());
    let t = load_ok(
        &write(dir.path(), "t.tsv.gz", &gzip(text.as_bytes())),
        &LoadOptions::default(),
    );
    assert_eq!(t.source.delimiter, Some('\t'));
    assert_eq!(seen(&t), seen(&load_ok(&plain, &LoadOptions::default())));
    // A ragged row deep in the file: the same error, naming the same line.
    let mut broken = text.clone();
    broken += "C9999\t5\n";
    let line = broken.lines().count();
    let plain_err = load_err(&write(dir.path(), "b.tsv", broken.as_bytes()));
    assert!(
        plain_err.contains(&format!("line {line}: expected 3 fields")),
        "{plain_err}"
    );
    for (name, bytes) in [
        ("b.tsv.gz", gzip(broken.as_bytes())),
        ("b.tsv.zst", zstd(broken.as_bytes())),
    ] {
        let err = load_err(&write(dir.path(), name, &bytes));
        assert_eq!(err, plain_err.replace("b.tsv", name), "{name}");
    }
}

#[test]
fn a_cut_off_or_damaged_file_is_refused_in_one_line_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("id,balance\n");
    for i in 0..200_000 {
        text += &format!("C{i:06},{}\n", (i * 7919) % 100_000);
    }
    let gz = gzip(text.as_bytes());
    let zst = zstd(text.as_bytes());
    // Cut past the first megabyte of text: refused while reading, with the line.
    for (name, bytes, what) in [
        ("cut.csv.gz", &gz[..gz.len() * 3 / 4], "gzip"),
        ("cut.csv.zst", &zst[..zst.len() * 3 / 4], "zstd"),
    ] {
        let err = load_err(&write(dir.path(), name, bytes));
        assert!(
            err.starts_with(&format!("{name}: the {what} data ends early at line "))
                && err.contains("cut off"),
            "{err}"
        );
        let line: u64 = err
            .split("at line ")
            .nth(1)
            .unwrap()
            .split(':')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert!((50_000..200_000).contains(&line), "{err}");
    }
    // Cut within the first megabyte: refused before anything is read.
    let small = gzip(&text.as_bytes()[..20_000]);
    let err = load_err(&write(
        dir.path(),
        "small.csv.gz",
        &small[..small.len() - 9],
    ));
    assert!(
        err.starts_with("small.csv.gz: the gzip data ends early: "),
        "{err}"
    );
    // Damaged in the middle (bytes flipped): refused as damaged, even where
    // the damage decodes to text with a broken row before the checksum.
    let mut bad = gz.clone();
    let mid = bad.len() / 2;
    for b in &mut bad[mid..mid + 64] {
        *b ^= 0x5A;
    }
    let err = load_err(&write(dir.path(), "bad.csv.gz", &bad));
    assert!(
        err.starts_with("bad.csv.gz: the gzip data is damaged ("),
        "{err}"
    );
    // A gzip of a workbook: what it holds is named.
    let err = load_err(&write(
        dir.path(),
        "book.csv.gz",
        &gzip(b"PK\x03\x04 a workbook"),
    ));
    assert!(
        err.contains("ZIP container") && err.contains("decompressed from gzip"),
        "{err}"
    );
}

/// The headless run on plain, gzip and zstd copies of one generated table
/// writes the same segments.
#[test]
fn the_same_data_plain_gzip_or_zstd_gives_the_same_segments() {
    let dir = tempfile::tempdir().unwrap();
    let plain = sample(dir.path(), &["--rows", "2500", "--seed", "7"]);
    write(dir.path(), "c.csv.gz", &gzip(&plain));
    write(dir.path(), "c.csv.zst", &zstd(&plain));
    let mut results = Vec::new();
    for name in ["plain.csv", "c.csv.gz", "c.csv.zst"] {
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
        assert_eq!(table.lines().count(), 2501, "{name}");
        results.push(table);
    }
    assert_eq!(results[0], results[1]);
    assert_eq!(results[0], results[2]);
}
