//! Where the as-of date came from, and the hint to choose another: the
//! headless summary, the report, `--json`, the score summary and the TUI's
//! Features title all say it; the hint appears only when custseg took the
//! date from the data, never when the user gave it.
//!
//! The customer files are generated here (seeded), with the latest activity
//! date planted on a random row of one of two date columns, some of them
//! with a Chinese header; the test finds that row itself.

use custseg::config::RunConfig;
use custseg::tui::harness::Harness;
use custseg::tui::{Stage, UiOptions};
use ratatui::crossterm::event::KeyCode;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const HINT: &str = "set --as-of to choose another";

/// A small deterministic generator (xorshift), so every run sees the same files.
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

/// Days since 1970-01-01 as `YYYY-MM-DD`.
fn date(days: i64) -> String {
    let d = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap() + chrono::Days::new(days as u64);
    d.format("%Y-%m-%d").to_string()
}

/// A customer file with two activity date columns; returns the path, the
/// latest activity date, its column and its line (the header is line 1).
struct Generated {
    path: PathBuf,
    latest: String,
    column: String,
    line: usize,
}

fn customers(dir: &Path, seed: u64, chinese_last_date: bool) -> Generated {
    let mut rng = Rng(seed | 1);
    let rows = 150 + rng.below(200) as usize;
    let last_col = if chinese_last_date {
        "最近交易日期"
    } else {
        "LastTxnDate"
    };
    let mut lines = vec![format!(
        "CustomerID,Age,AccountBalance,TxnCount12M,{last_col},OpenDate"
    )];
    // 2023-01-01 .. 2024-06-30, open dates well before.
    let base = 19_358i64;
    let mut dates: Vec<(i64, i64)> = (0..rows)
        .map(|_| {
            let last = base + rng.below(540) as i64;
            (last, last - 400 - rng.below(4000) as i64)
        })
        .collect();
    // The latest date, planted once, sometimes in the open-date column (an
    // account opened after the last transaction anywhere).
    let planted = rng.below(rows as u64) as usize;
    let top = base + 560 + rng.below(30) as i64;
    let in_open = rng.below(3) == 0;
    if in_open {
        dates[planted].1 = top;
    } else {
        dates[planted].0 = top;
    }
    for (i, (last, open)) in dates.iter().enumerate() {
        lines.push(format!(
            "C{i:05},{},{}.{:02},{},{},{}",
            20 + rng.below(60),
            rng.below(90_000),
            rng.below(100),
            rng.below(40),
            date(*last),
            date(*open)
        ));
    }
    let path = dir.join(format!("customers_{seed}.csv"));
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    // Found independently: the largest date over both columns, first row.
    let (mut best, mut row, mut col) = (i64::MIN, 0, "");
    for (i, (last, open)) in dates.iter().enumerate() {
        for (d, c) in [(*last, last_col), (*open, "OpenDate")] {
            if d > best {
                (best, row, col) = (d, i, c);
            }
        }
    }
    Generated {
        path,
        latest: date(best),
        column: col.to_string(),
        line: row + 2,
    }
}

fn run(args: &[&str]) -> Output {
    let o = Command::new(env!("CARGO_BIN_EXE_custseg"))
        .args(args)
        .output()
        .expect("custseg runs");
    assert!(
        o.status.success(),
        "custseg {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    o
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn the_summary_and_report_give_the_hint_only_when_the_date_came_from_the_data() {
    let dir = tempfile::tempdir().unwrap();
    for seed in [7u64, 1234, 99_991] {
        let g = customers(dir.path(), seed, seed % 2 == 0);
        let out = dir.path().join(format!("out_{seed}"));
        let o = run(&["--no-tui", s(&g.path), "--out", s(&out)]);
        let summary = stdout(&o);
        let expected = format!(
            "  as-of: {} (latest date in the data: '{}', line {}; {HINT})",
            g.latest, g.column, g.line
        );
        assert!(
            summary.lines().any(|l| l == expected),
            "seed {seed}: no line {expected:?} in\n{summary}"
        );
        let report = std::fs::read_to_string(out.join("segmentation_report.md")).unwrap();
        assert!(
            report.contains(&format!(
                "As-of date: {} (latest date in the data: '{}', line {}; {HINT}).",
                g.latest, g.column, g.line
            )),
            "seed {seed}: {report}"
        );

        // The same file with a given date: said so, and no hint anywhere.
        let given = "2025-01-31";
        let out = dir.path().join(format!("given_{seed}"));
        let o = run(&["--no-tui", s(&g.path), "--out", s(&out), "--as-of", given]);
        let summary = stdout(&o);
        assert!(
            summary
                .lines()
                .any(|l| l == format!("  as-of: {given} (given by the user)")),
            "seed {seed}: {summary}"
        );
        assert!(!summary.contains("choose another"), "{summary}");
        let report = std::fs::read_to_string(out.join("segmentation_report.md")).unwrap();
        assert!(
            report.contains(&format!("As-of date: {given} (given by the user).")),
            "{report}"
        );
        assert!(!report.contains("choose another"), "{report}");
    }
}

#[test]
fn json_carries_the_typed_source() {
    let dir = tempfile::tempdir().unwrap();
    let g = customers(dir.path(), 4242, false);
    let out = dir.path().join("out");
    let o = run(&["--no-tui", s(&g.path), "--out", s(&out), "--json"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["as_of"], g.latest.as_str());
    assert_eq!(v["as_of_source"]["kind"], "latest_in_data");
    assert_eq!(v["as_of_source"]["column"], g.column.as_str());
    assert_eq!(
        v["as_of_source"]["row"],
        format!("line {}", g.line).as_str()
    );

    let out = dir.path().join("given");
    let o = run(&[
        "--no-tui",
        s(&g.path),
        "--out",
        s(&out),
        "--json",
        "--as-of",
        "2025-02-28",
    ]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["as_of"], "2025-02-28");
    assert_eq!(v["as_of_source"]["kind"], "given");
}

#[test]
fn scoring_says_where_its_as_of_date_came_from() {
    let dir = tempfile::tempdir().unwrap();
    let train = customers(dir.path(), 31, false);
    let out = dir.path().join("out");
    run(&["--no-tui", s(&train.path), "--out", s(&out)]);
    let model = out.join("model.json");
    let new = customers(dir.path(), 57, false);
    let scored = dir.path().join("scored.csv");
    let o = run(&[
        "score",
        "--model",
        s(&model),
        s(&new.path),
        "--out",
        s(&scored),
    ]);
    let summary = stdout(&o);
    let expected = format!(
        "  as-of {} (latest date in the data: '{}', line {}; {HINT})",
        new.latest, new.column, new.line
    );
    assert!(summary.lines().any(|l| l == expected), "{summary}");

    let o = run(&[
        "score",
        "--model",
        s(&model),
        s(&new.path),
        "--out",
        s(&scored),
        "--force",
        "--as-of",
        "2025-03-31",
    ]);
    let summary = stdout(&o);
    assert!(
        summary
            .lines()
            .any(|l| l == "  as-of 2025-03-31 (given by the user)"),
        "{summary}"
    );
    assert!(!summary.contains("choose another"), "{summary}");
}

/// The title line of the Features list pane.
fn features_title(h: &mut Harness) -> String {
    h.text()
        .lines()
        .find(|l| l.contains(" as-of "))
        .unwrap_or_default()
        .to_string()
}

#[test]
fn the_tui_names_its_key_when_the_date_came_from_the_data() {
    let dir = tempfile::tempdir().unwrap();
    let g = customers(dir.path(), 2024, false);
    let config = RunConfig {
        input: Some(g.path.clone()),
        ..RunConfig::default()
    };
    let ui = UiOptions {
        ascii: false,
        no_color: true,
    };
    let mut h = Harness::new(config, ui, 120, 30);
    h.settle();
    while h.app.stage != Stage::Features {
        let before = h.app.stage;
        h.key(KeyCode::Enter).settle();
        assert_ne!(h.app.stage, before, "stuck: {:?}", h.app.status);
    }
    let title = features_title(&mut h);
    assert!(
        title.contains(&format!("as-of {} (latest; e: another)", g.latest)),
        "{title}"
    );
    // Too narrow for the key: the short form.
    h.resize(80, 24);
    let title = features_title(&mut h);
    assert!(
        title.contains(&format!("as-of {} (latest)", g.latest)),
        "{title}"
    );

    // Given on the screen (e): said so, without the key.
    h.resize(120, 30);
    h.key(KeyCode::Char('e'));
    h.type_str("2025-01-31").key(KeyCode::Enter).settle();
    let title = features_title(&mut h);
    assert!(title.contains("as-of 2025-01-31 (set)"), "{title}");
    assert!(!title.contains("e: another"), "{title}");

    // Emptied again: the latest date in the data, and the key.
    h.key(KeyCode::Char('e'));
    h.ctrl('u').key(KeyCode::Enter).settle();
    let title = features_title(&mut h);
    assert!(
        title.contains(&format!("as-of {} (latest; e: another)", g.latest)),
        "{title}"
    );
}
