//! The real binary on generated files: what the encoding evidence, a file
//! cut off mid-record, and the as-of date of scoring and training do to a
//! run, and what each face says about them.

use std::path::Path;
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

fn day(base: &str, plus: i64) -> String {
    let d = chrono::NaiveDate::parse_from_str(base, "%Y-%m-%d").unwrap();
    (d + chrono::Duration::days(plus))
        .format("%Y-%m-%d")
        .to_string()
}

/// Three planted kinds of bank customers, every date `shift` days later.
fn customers(path: &Path, shift: i64) {
    let mut text = String::from("CustomerID,Age,Balance,TxnCount,LastTxnDate,OpenDate\n");
    for i in 0..150 {
        let k = i % 3;
        let last_days_ago = [400, 60, 3][k] + (i * 7) % 20;
        let open_days_ago = [3000, 1500, 200][k] + (i * 13) % 90;
        text.push_str(&format!(
            "C{i:04},{},{},{},{},{}\n",
            30 + (i * 11) % 30,
            [5_000, 60_000, 600_000][k] + (i * 97) % 3_000,
            [1, 12, 50][k] + i % 4,
            day("2024-06-30", shift - last_days_ago as i64),
            day("2024-06-30", shift - open_days_ago as i64),
        ));
    }
    // The latest activity date, so the as-of date is 2024-06-30 (+ shift).
    text.push_str(&format!(
        "C9999,45,20000,12,{},{}\n",
        day("2024-06-30", shift),
        day("2024-06-30", shift - 1000)
    ));
    std::fs::write(path, text).unwrap();
}

/// Transactions of three planted kinds of customers, every date `shift` days later.
fn transactions(path: &Path, shift: i64) {
    let mut text = String::from("customer_id,txn_date,amount\n");
    for c in 0..60 {
        let k = c % 3;
        let n = [3, 15, 40][k];
        let last_days_ago = [300, 40, 2][k];
        for t in 0..n {
            text.push_str(&format!(
                "K{c:03},{},{}.00\n",
                day("2024-06-30", shift - last_days_ago - (t as i64) * 9),
                [20, 200, 2000][k] + (c * 7 + t * 3) % 50,
            ));
        }
    }
    std::fs::write(path, text).unwrap();
}

fn segments_of(csv_path: &Path) -> std::collections::BTreeMap<String, String> {
    let mut r = csv::Reader::from_path(csv_path).unwrap();
    let headers = r.headers().unwrap().clone();
    let id = headers.iter().position(|h| h == "customer_id").unwrap();
    let seg = headers.iter().position(|h| h == "segment").unwrap();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            (rec[id].to_string(), rec[seg].to_string())
        })
        .collect()
}

/// Trains on `make(0)`, scores `make(30)` (the same customers a month
/// later, every date 30 days later): the same segments, nothing invalid.
fn next_period_keeps_segments(make: fn(&Path, i64), k: &str, later_as_of: &str, early: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let now = dir.path().join("now.csv");
    let later = dir.path().join("later.csv");
    make(&now, 0);
    make(&later, 30);
    let out = dir.path().join("out");
    ok(&["--no-tui", s(&now), "--out", s(&out), "--k", k]);
    let trained = segments_of(&out.join("segmentation_results.csv"));
    let scored_csv = dir.path().join("scored.csv");
    let model = out.join("model.json");
    let o = run(&[
        "score",
        "--model",
        s(&model),
        s(&later),
        "--out",
        s(&scored_csv),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains(&format!("as-of {later_as_of}")), "{stdout}");
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        !stderr.contains("invalid"),
        "no date is 'in the future': {stderr}"
    );
    assert_eq!(segments_of(&scored_csv), trained);

    // Measured against the training date instead, the new dates lie in the
    // future: say so, and which feature suffers.
    let o = run(&[
        "score",
        "--model",
        s(&model),
        s(&later),
        "--out",
        s(&scored_csv),
        "--force",
        "--as-of",
        &day(later_as_of, -30),
    ]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{stderr}");
    for words in early {
        assert!(stderr.contains(words), "{words}: {stderr}");
    }
}

#[test]
fn scoring_a_customer_table_a_month_later_keeps_the_segments() {
    next_period_keeps_segments(
        customers,
        "3",
        "2024-07-30",
        &[
            "the as-of date 2024-06-30 lies before",
            "'LastTxnDate'",
            "Recency",
        ],
    );
}

#[test]
fn scoring_a_transaction_log_a_month_later_keeps_the_segments() {
    // A log measured at the earlier date leaves the later transactions out.
    next_period_keeps_segments(
        transactions,
        "3",
        "2024-07-28",
        &["transactions dated after the as-of date 2024-06-28 left out"],
    );
}

#[test]
fn an_as_of_before_the_data_warns_and_names_the_lost_feature() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("c.csv");
    customers(&input, 0);
    // Before the last transaction of a third of the customers (and their
    // latest activity): that column goes, and Recency with it.
    let v = json(&[
        "--no-tui",
        s(&input),
        "--out",
        s(&dir.path().join("a")),
        "--json",
        "--k",
        "2",
        "--as-of",
        "2024-06-01",
    ]);
    let warnings = v["warnings"].to_string();
    assert!(
        warnings.contains(
            "the as-of date 2024-06-01 lies before 34% of the dates in 'LastTxnDate' (51 of 151)"
        ) && warnings.contains("Recency disappears"),
        "{warnings}"
    );
    let features = v["features"].to_string();
    assert!(!features.contains("Recency"), "{features}");
    // Before a few more than 5%: filled, and said.
    let v = json(&[
        "--no-tui",
        s(&input),
        "--out",
        s(&dir.path().join("b")),
        "--json",
        "--k",
        "2",
        "--as-of",
        "2024-06-20",
    ]);
    let warnings = v["warnings"].to_string();
    assert!(
        warnings.contains("lies before")
            && warnings.contains("Recency is not measured for those customers"),
        "{warnings}"
    );
    // The default as-of date: no such warning.
    let v = json(&[
        "--no-tui",
        s(&input),
        "--out",
        s(&dir.path().join("c")),
        "--json",
        "--k",
        "2",
    ]);
    assert!(
        !v["warnings"].to_string().contains("lies before"),
        "{}",
        v["warnings"]
    );
}

/// Customers with a generic numeric column `score` (no role: clustered as a
/// generic feature) whose cells are written by `score_cell(i)`.
fn customers_with_score(path: &Path, rows: usize, score_cell: impl Fn(usize) -> String) {
    let mut text = String::from("customer_id,balance,age,score\n");
    for i in 0..rows {
        text.push_str(&format!(
            "{},{}.{:02},{},{}\n",
            1000 + i,
            [1_500, 60_000, 900_000][i % 3] + (i * 131) % 997,
            i % 100,
            20 + (i * 17) % 60,
            score_cell(i)
        ));
    }
    std::fs::write(path, text).unwrap();
}

#[test]
fn unreadable_cells_of_a_generic_feature_are_reported_with_their_lines() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("scores.csv");
    // Every 11th score is a word: read as missing and filled, so it must be said.
    customers_with_score(&input, 330, |i| {
        if i % 11 == 4 {
            "n.a.x".to_string()
        } else {
            format!("{}.{}", 300 + (i * 7) % 500, i % 10)
        }
    });
    let out = ok(&[
        "--no-tui",
        s(&input),
        "--out",
        s(&dir.path().join("o")),
        "--k",
        "3",
    ]);
    let warning = out
        .lines()
        .find(|l| l.contains("warning: 'score'"))
        .unwrap_or_else(|| panic!("no warning about score:\n{out}"));
    assert!(
        warning.contains("30 values could not be read as numbers"),
        "{warning}"
    );
    // The first unreadable score is customer 4's, on line 6 (header is line 1).
    assert!(warning.contains("line 6: 'n.a.x'"), "{warning}");
}

#[test]
fn a_column_of_numbers_too_large_to_compute_with_is_dropped_and_said_not_kept_as_text() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("huge.csv");
    // Written as numbers, every one beyond ±1e100: no amount is that large,
    // and typing the column as text used to leave it out without a word.
    customers_with_score(&input, 240, |i| {
        format!("{}.{}e{}", 1 + i % 9, i % 10, 101 + i % 150)
    });
    let out_dir = dir.path().join("o");
    let out = ok(&["--no-tui", s(&input), "--out", s(&out_dir), "--k", "3"]);
    assert!(
        out.contains("warning: 'score': 240 values could not be read as numbers"),
        "{out}"
    );
    let dropped = out
        .lines()
        .find(|l| l.contains("dropped columns:"))
        .unwrap_or_else(|| panic!("score not dropped:\n{out}"));
    assert!(dropped.contains("score (100.0% missing"), "{dropped}");
    let report = std::fs::read_to_string(out_dir.join("segmentation_report.md")).unwrap();
    assert!(
        report
            .lines()
            .any(|l| l.starts_with("| score | number") && l.contains("**dropped**")),
        "score is not a dropped number column in the report"
    );
}
