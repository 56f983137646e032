//! The real binary on generated files: what the encoding evidence, a file
//! cut off mid-record, and the as-of date of scoring and training do to a
//! run, and what each face says about them.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_custseg"))
        .args(args)
        .output()
        .expect("custseg runs")
}

fn ok(args: &[&str]) -> String {
    let out = run(args);
    assert!(
        out.status.success(),
        "custseg {args:?} failed ({:?}):\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn json(args: &[&str]) -> serde_json::Value {
    serde_json::from_str(&ok(args)).expect("one JSON object")
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Customers with Chinese headers and a 男/女 column, written in `encoding`:
/// the shape that used to be read as a Cyrillic code page.
fn chinese_customers(path: &Path, encoding: &'static encoding_rs::Encoding, rows: usize) {
    let mut text = String::from("客户号,性别,年龄,资产余额,交易笔数,最近交易日期,开户日期\n");
    for i in 0..rows {
        let segment = i % 3;
        text.push_str(&format!(
            "C{:05},{},{},{},{},2024-{:02}-{:02},20{:02}-03-01\n",
            i * 7 + 1,
            ["男", "女"][(i / 2) % 2],
            25 + (i * 7) % 40,
            [2_000, 80_000, 400_000][segment] + (i * 37) % 1_000,
            [2, 20, 60][segment] + i % 3,
            1 + (i % 6),
            1 + (i % 27),
            10 + (i % 12),
        ));
    }
    let (bytes, _, bad) = encoding.encode(&text);
    assert!(!bad);
    std::fs::write(path, bytes).unwrap();
}

#[test]
fn a_gbk_file_is_read_as_gbk_and_every_face_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("gbk.csv");
    chinese_customers(&input, encoding_rs::GB18030, 120);
    let out = dir.path().join("out");
    let v = json(&[
        "--no-tui",
        s(&input),
        "--out",
        s(&out),
        "--json",
        "--k",
        "3",
    ]);
    let enc = &v["encoding"];
    assert_eq!(enc["name"], "GBK/GB18030", "{enc}");
    assert_eq!(enc["label"], "gbk");
    assert!(enc["confidence"].as_f64().unwrap() >= 0.9, "{enc}");
    assert_eq!(enc["header_garbled"], false);
    // The consequence: roles map, the ids are the file's, dates are used.
    assert_eq!(v["mapping"]["customer_id"], "客户号");
    assert_eq!(v["mapping"]["gender"], "性别");
    assert_eq!(v["mapping"]["last_date"], "最近交易日期");
    assert_eq!(v["customers"], 120);
    let results = std::fs::read_to_string(out.join("segmentation_results.csv")).unwrap();
    assert!(
        results.contains("C00001") && results.contains("C00834"),
        "ids kept"
    );
    let report = std::fs::read_to_string(out.join("segmentation_report.md")).unwrap();
    assert!(
        report.contains("| Encoding | GBK/GB18030 (100% sure) |"),
        "{report}"
    );
    let text = ok(&[
        "--no-tui",
        s(&input),
        "--out",
        s(&dir.path().join("o2")),
        "--k",
        "3",
    ]);
    assert!(
        text.contains("  encoding: GBK/GB18030 (100% sure)"),
        "{text}"
    );
}

#[test]
fn a_wrong_forced_encoding_is_called_garbled_with_the_flag_that_fixes_it() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("gbk.csv");
    chinese_customers(&input, encoding_rs::GB18030, 120);
    let out = dir.path().join("out");
    let v = json(&[
        "--no-tui",
        s(&input),
        "--out",
        s(&out),
        "--json",
        "--k",
        "3",
        "--encoding",
        "windows-1251",
    ]);
    assert_eq!(v["encoding"]["header_garbled"], true);
    assert_eq!(v["encoding"]["likely"]["label"], "gbk");
    let warnings: Vec<String> = v["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap().to_string())
        .collect();
    assert!(
        warnings.iter().any(|w| w.contains("header looks garbled")
            && w.contains("windows-1251")
            && w.contains("--encoding gbk")),
        "{warnings:?}"
    );
    let report = std::fs::read_to_string(out.join("segmentation_report.md")).unwrap();
    assert!(report.contains("| Encoding warning |"), "{report}");
}

fn cut_log(path: &Path, tail: &str) {
    let mut text = String::from("customer_id,txn_date,amount,note\n");
    for i in 0..300 {
        text.push_str(&format!(
            "C{:03},2024-{:02}-{:02},{}.50,\"ok, fine\"\n",
            i % 40,
            1 + i % 12,
            1 + i % 28,
            10 + i * 3
        ));
    }
    text.push_str(tail);
    std::fs::write(path, text).unwrap();
}

#[test]
fn a_cut_off_log_names_the_skip_flag_and_loads_with_it() {
    let dir = tempfile::tempdir().unwrap();
    for (name, tail) in [
        (
            "quote.csv",
            "C007,2024-12-30,99.00,\"interrupted in the mid",
        ),
        ("short.csv", "C007,2024-12-3"),
    ] {
        let input = dir.path().join(name);
        cut_log(&input, tail);
        let out = dir.path().join(format!("out_{name}"));
        let args = ["--no-tui", s(&input), "--out", s(&out), "--k", "2"];
        let o = run(&args);
        assert_eq!(o.status.code(), Some(1), "{name}");
        let err = String::from_utf8_lossy(&o.stderr);
        let line = err.lines().last().unwrap();
        assert!(
            line.starts_with(&format!(
                "custseg: error: {name}: line 302: the file looks cut off"
            )) && line.ends_with("; use --skip-bad-rows"),
            "{line}"
        );
        assert!(
            !line.contains("encoding") && !line.contains("delimiter"),
            "{line}"
        );
        assert!(!out.exists(), "nothing written");
        let mut skip = args.to_vec();
        skip.extend(["--skip-bad-rows", "--json"]);
        let v = json(&skip);
        assert_eq!(v["rows"], 300, "{name}");
        assert_eq!(v["customers"], 40, "{name}");
        let warnings = v["warnings"].to_string();
        assert!(
            warnings.contains("line 302: the file ends"),
            "{name}: {warnings}"
        );
        assert!(
            warnings.contains("this last record was skipped"),
            "{warnings}"
        );
    }
}

#[allow(dead_code)]
fn unused(_: PathBuf) {}
