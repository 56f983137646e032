//! Issue 15's checks (gap statistic, bootstrap stability, verdict, rules)
//! on hostile shapes, through the real binary with `--json`: one row, two
//! rows, identical rows, fewer distinct rows than K, a constant column, a
//! single feature, huge and tiny magnitudes, K = n. Each either gives a
//! valid JSON summary whose checks say what they could and could not tell,
//! or fails with one clear line (exit 1 or 2, never a panic's 70) and
//! nothing on stdout. Every file is generated here.

use crate::cluster_util;

use cluster_util::normal;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A CSV with an id column and columns x1..xd from `rows`.
fn write(dir: &Path, name: &str, rows: &[Vec<f64>]) -> PathBuf {
    let d = rows.first().map_or(0, Vec::len);
    let mut text = String::from("CustomerID");
    for j in 1..=d {
        text.push_str(&format!(",x{j}"));
    }
    text.push('\n');
    for (i, r) in rows.iter().enumerate() {
        let cells: Vec<String> = r.iter().map(|v| format!("{v:e}")).collect();
        text.push_str(&format!("C{i:05},{}\n", cells.join(",")));
    }
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

enum Outcome {
    Json(Value),
    Error { code: i32, line: String },
}

fn run(file: &Path, extra: &[&str]) -> Outcome {
    let out = file.with_extension("out");
    let o = Command::new(env!("CARGO_BIN_EXE_custseg"))
        .arg("--no-tui")
        .arg(file)
        .args(["--out", out.to_str().unwrap(), "--force", "--json"])
        .args(extra)
        .output()
        .unwrap();
    let code = o.status.code().unwrap_or(-1);
    let stderr = String::from_utf8_lossy(&o.stderr).to_string();
    if o.status.success() {
        let json = serde_json::from_slice(&o.stdout)
            .unwrap_or_else(|e| panic!("{}: --json is not JSON ({e})", file.display()));
        return Outcome::Json(json);
    }
    assert!(
        code == 1 || code == 2,
        "{}: exit {code} (70 is a panic): {stderr}",
        file.display()
    );
    assert!(o.stdout.is_empty(), "half a summary on stdout");
    let errors: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("custseg: error"))
        .collect();
    assert_eq!(errors.len(), 1, "one error line: {stderr}");
    Outcome::Error {
        code,
        line: errors[0].to_string(),
    }
}

fn json(file: &Path, extra: &[&str]) -> Value {
    match run(file, extra) {
        Outcome::Json(v) => v,
        Outcome::Error { line, .. } => panic!("{}: {line}", file.display()),
    }
}

fn error(file: &Path, extra: &[&str]) -> String {
    match run(file, extra) {
        Outcome::Json(v) => panic!("{}: expected an error, got {v}", file.display()),
        Outcome::Error { code, line } => {
            assert!(code == 1 || code == 2);
            line
        }
    }
}

/// `n` rows around `k` centres `gap` apart on every feature, unit spread,
/// each value times `scale`.
fn groups(n: usize, d: usize, k: usize, gap: f64, scale: f64, seed: u64) -> Vec<Vec<f64>> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..n)
        .map(|i| {
            let c = (i % k) as f64 * gap;
            (0..d)
                .map(|_| (c + normal(&mut rng)) * scale + 3.0 * scale * gap * k as f64)
                .collect()
        })
        .collect()
}

fn verdict(v: &Value) -> &str {
    v["structure"]["verdict"].as_str().unwrap()
}

/// The numbers written in a rule's condition text, read back.
fn written_numbers(text: &str) -> Vec<f64> {
    text.split_whitespace()
        .filter_map(|t| t.replace(',', "").parse().ok())
        .collect()
}

/// The one number of a one-sided condition ("x1 ≥ 26").
fn written_threshold(text: &str) -> f64 {
    let n = written_numbers(text);
    assert_eq!(n.len(), 1, "{text}");
    n[0]
}

#[test]
fn one_row_two_rows_and_k_equal_to_n() {
    let dir = tempfile::tempdir().unwrap();
    let one = write(dir.path(), "one.csv", &groups(1, 3, 1, 0.0, 1.0, 1));
    assert!(error(&one, &[]).contains("only 1 customer row"));
    // Two customers: two segments of one, no structure, and no stability
    // pretended: resampling two customers says nothing.
    let two = write(dir.path(), "two.csv", &groups(2, 3, 2, 5.0, 1.0, 2));
    let v = json(&two, &[]);
    assert_eq!((v["k"].as_u64(), verdict(&v)), (Some(2), "none"));
    assert!(v["stability"].is_null());
    assert_eq!(
        v["stability_not_measured"],
        serde_json::json!({"why": "too_few_customers", "customers": 2, "needed": 20})
    );
    let reasons = v["structure"]["reasons"].to_string();
    assert!(
        reasons.contains("2 customers are too few to resample"),
        "{reasons}"
    );
    for s in v["segments"].as_array().unwrap() {
        assert!(s["stability"].is_null() && s["rule"].is_string(), "{s}");
    }
    // K = n: refused in words from three customers on (two customers may
    // be two segments of one, as above).
    for n in [3usize, 6, 9] {
        let f = write(
            dir.path(),
            &format!("n{n}.csv"),
            &groups(n, 2, 2, 4.0, 1.0, 3),
        );
        let line = error(&f, &["--k", &n.to_string()]);
        assert!(line.contains("too many segments"), "{line}");
        assert!(line.contains(&format!("{n} customers")), "{line}");
    }
}

#[test]
fn identical_rows_fewer_distinct_rows_than_k_and_a_constant_column() {
    let dir = tempfile::tempdir().unwrap();
    let same = write(dir.path(), "same.csv", &vec![vec![1.5, 2.0, 7.0]; 40]);
    assert!(error(&same, &[]).contains("no usable feature"));
    // Three distinct customers, repeated: the sweep stops at 3 and says
    // the data hold no more; K = 5 is refused naming the 3.
    let three: Vec<Vec<f64>> = (0..60)
        .map(|i| vec![(i % 3) as f64 * 10.0, (i % 3) as f64 * 100.0 + 1.0])
        .collect();
    let f = write(dir.path(), "three.csv", &three);
    let v = json(&f, &[]);
    assert_eq!(v["k"].as_u64(), Some(3));
    assert_eq!(v["k_at_edge"], false);
    assert!(
        v["k_reason"]
            .as_str()
            .unwrap()
            .contains("identical customers")
    );
    let line = error(&f, &["--k", "5"]);
    assert!(line.contains("only 3 distinct"), "{line}");
    // A constant column is dropped before any check and said so.
    let mut rows = groups(300, 2, 3, 6.0, 1.0, 4);
    for r in &mut rows {
        r.push(42.0);
    }
    let f = write(dir.path(), "constant.csv", &rows);
    let v = json(&f, &[]);
    let dropped = v["dropped_columns"].to_string();
    assert!(dropped.contains("x3"), "{dropped}");
    assert_eq!((v["k"].as_u64(), verdict(&v)), (Some(3), "clear"));
    for s in v["segments"].as_array().unwrap() {
        assert!(!s["rule"].as_str().unwrap().contains("x3"), "{s}");
    }
}

#[test]
fn a_single_feature_gets_a_verdict_stability_and_rules_on_it() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "one.csv", &groups(400, 1, 2, 8.0, 1.0, 5));
    let v = json(&f, &[]);
    assert_eq!((v["k"].as_u64(), verdict(&v)), (Some(2), "clear"));
    let rules = v["segments"].as_array().unwrap();
    for s in rules {
        assert!(s["stability"].as_f64().unwrap() >= 0.85, "{s}");
        assert!(s["rule"].as_str().unwrap().starts_with("x1 "), "{s}");
    }
    // The two rules cut at one threshold, between the groups' means.
    let t: Vec<f64> = rules
        .iter()
        .map(|s| written_threshold(s["rule"].as_str().unwrap()))
        .collect();
    assert_eq!(t[0], t[1]);
    let centre = 3.0 * 8.0 * 2.0;
    assert!(t[0] > centre + 1.0 && t[0] < centre + 7.0, "{t:?}");
    assert!(v["rules"]["agreement"].as_f64().unwrap() > 0.99);
}

#[test]
fn huge_and_tiny_magnitudes_give_the_same_checks_and_rules_that_keep_their_digits() {
    let dir = tempfile::tempdir().unwrap();
    let mut seen = Vec::new();
    for exp in [-90, -30, 0, 30, 90] {
        let scale = 10f64.powi(exp);
        let rows = groups(600, 3, 3, 6.0, scale, 6);
        let f = write(dir.path(), &format!("e{exp}.csv"), &rows);
        let v = json(&f, &[]);
        assert_eq!(
            (v["k"].as_u64(), verdict(&v)),
            (Some(3), "clear"),
            "1e{exp}"
        );
        // Each condition's written number is its threshold, exactly, and
        // sits among the data (not 0 for 1e-90, not a run of digits).
        for s in v["segments"].as_array().unwrap() {
            for c in s["rule_conditions"].as_array().unwrap() {
                let text = c["text"].as_str().unwrap();
                let bounds: Vec<f64> = [&c["at_least"], &c["below"]]
                    .iter()
                    .filter_map(|b| b.as_f64())
                    .collect();
                assert_eq!(written_numbers(text), bounds, "1e{exp}: {text}");
                for t in bounds {
                    assert!(
                        t.abs() > scale && t.abs() < 100.0 * scale,
                        "1e{exp}: {text}"
                    );
                }
                assert!(text.len() < 60, "{text}");
            }
        }
        let stabilities: Vec<f64> = v["segments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["stability"].as_f64().unwrap())
            .collect();
        seen.push((v["rules"]["agreement"].as_f64().unwrap(), stabilities));
    }
    // Features are z-scored, so the scale changes nothing the checks say.
    for s in &seen[1..] {
        assert!((s.0 - seen[0].0).abs() < 1e-9, "{seen:?}");
        for (a, b) in s.1.iter().zip(&seen[0].1) {
            assert!((a - b).abs() < 1e-9, "{seen:?}");
        }
    }
}
