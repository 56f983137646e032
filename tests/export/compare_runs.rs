//! Segments over time: `custseg compare` on generated periods with planted
//! segments and a known set of customers moved between them, identical
//! runs, and hostile pairs (no shared ids, an empty side, Chinese ids and
//! labels, duplicates, mismatched id columns, folders without results).

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::process::{Command, Output};

fn custseg(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_custseg"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn ok(args: &[&str]) -> String {
    let out = custseg(args);
    assert!(
        out.status.success(),
        "custseg {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// One line of stderr, exit 1 or 2, no panic.
fn fails(args: &[&str]) -> String {
    let out = custseg(args);
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        matches!(out.status.code(), Some(1 | 2)),
        "custseg {args:?}: {:?} {err}",
        out.status
    );
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.starts_with("custseg: error: "), "{err}");
    err
}

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Planted segments: balance, transactions, products, age.
const PLANTED: [[f64; 4]; 4] = [
    [250_000.0, 60.0, 5.0, 55.0],
    [4_000.0, 4.0, 1.0, 28.0],
    [40_000.0, 25.0, 2.0, 40.0],
    [1_500.0, 90.0, 3.0, 24.0],
];

fn row(id: &str, seg: usize, rng: &mut Rng) -> String {
    let p = PLANTED[seg];
    let j = |x: f64, rng: &mut Rng| x * (0.85 + 0.3 * rng.next());
    format!(
        "{id},{:.2},{:.0},{:.0},{:.0}\n",
        j(p[0], rng),
        j(p[1], rng).max(1.0),
        p[2],
        j(p[3], rng)
    )
}

const HEADER: &str = "CustomerID,Balance,TxnCount,NumProducts,Age\n";

/// Period 1: `n` customers over the planted segments. Period 2: the same
/// customers, `moved_share` of them in another planted segment, a few left
/// and a few new. Returns the two files' text and the ids that moved.
fn periods(n: usize, moved_share: f64, seed: u64) -> (String, String, HashSet<String>) {
    let mut rng = Rng(seed);
    let (mut a, mut b) = (HEADER.to_string(), HEADER.to_string());
    let mut moved = HashSet::new();
    for i in 0..n {
        let id = format!("C{i:06}");
        let seg = i % 4;
        a.push_str(&row(&id, seg, &mut rng));
        let r = rng.next();
        if r < 0.03 {
            continue; // left
        }
        let to = if r < 0.03 + moved_share {
            moved.insert(id.clone());
            (seg + 1 + (rng.next() * 3.0) as usize) % 4
        } else {
            seg
        };
        b.push_str(&row(&id, to, &mut rng));
    }
    for i in 0..n / 20 {
        b.push_str(&row(&format!("N{i:06}"), i % 4, &mut rng));
    }
    (a, b, moved)
}

fn read_migration(dir: &Path) -> Vec<HashMap<String, String>> {
    let mut r = csv::Reader::from_path(dir.join("migration.csv")).unwrap();
    let h: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            h.iter()
                .cloned()
                .zip(rec.iter().map(String::from))
                .collect()
        })
        .collect()
}

fn precision_recall(rows: &[HashMap<String, String>], truth: &HashSet<String>) -> (f64, f64) {
    let found: HashSet<&str> = rows
        .iter()
        .filter(|r| r["status"] == "moved")
        .map(|r| r["customer_id"].as_str())
        .collect();
    let hits = found.iter().filter(|id| truth.contains(**id)).count();
    (
        hits as f64 / found.len().max(1) as f64,
        hits as f64 / truth.len().max(1) as f64,
    )
}

#[test]
fn movers_are_found_after_scoring_and_after_a_refit() {
    let dir = tempfile::tempdir().unwrap();
    let d = |s: &str| dir.path().join(s).to_string_lossy().into_owned();
    let (p1, p2, truth) = periods(2000, 0.12, 41);
    std::fs::write(d("p1.csv"), p1).unwrap();
    std::fs::write(d("p2.csv"), p2).unwrap();
    ok(&["--no-tui", &d("p1.csv"), "--out", &d("A"), "--k", "4"]);
    // Workflow 1: score next month with the old model, compare.
    let model = d("A/model.json");
    ok(&[
        "score",
        "--model",
        &model,
        &d("p2.csv"),
        "--out",
        &d("s.csv"),
    ]);
    let text = ok(&["compare", &d("A"), &d("s.csv"), "--out", &d("C1"), "--json"]);
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["same_model"], true);
    let rows = read_migration(Path::new(&d("C1")));
    let (p, r) = precision_recall(&rows, &truth);
    assert!(p >= 0.85 && r >= 0.85, "precision {p}, recall {r}");
    assert_eq!(
        v["moved"].as_u64().unwrap() as usize,
        rows.iter().filter(|r| r["status"] == "moved").count()
    );
    // Customers who did not move keep their number.
    let still: Vec<&HashMap<String, String>> = rows
        .iter()
        .filter(|r| r["status"] != "left" && r["status"] != "entered")
        .filter(|r| !truth.contains(&r["customer_id"]))
        .collect();
    let kept = still.iter().filter(|r| r["from"] == r["to"]).count();
    assert!(
        kept as f64 >= 0.99 * still.len() as f64,
        "{kept} of {}",
        still.len()
    );
    let left = rows.iter().filter(|r| r["status"] == "left").count();
    assert_eq!(v["left"].as_u64().unwrap() as usize, left);
    assert!(left > 20);
    assert_eq!(v["entered"], 100);
    assert_eq!(v["matrix"]["counts"].as_array().unwrap().len(), 4);
    assert!(v["psi"]["value"].as_f64().unwrap() >= 0.0);

    // Workflow 2: refit next month with another seed, compare.
    ok(&[
        "--no-tui",
        &d("p2.csv"),
        "--out",
        &d("B"),
        "--k",
        "4",
        "--seed",
        "9",
    ]);
    let text = ok(&["compare", &d("A"), &d("B"), "--out", &d("C2"), "--json"]);
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["same_model"], false);
    assert!(
        v["segments"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["status"] == "matched")
    );
    let rows = read_migration(Path::new(&d("C2")));
    let (p, r) = precision_recall(&rows, &truth);
    assert!(p >= 0.85 && r >= 0.85, "refit: precision {p}, recall {r}");
    let md = std::fs::read_to_string(d("C2/migration.md")).unwrap();
    assert!(md.contains("## Biggest movements") && md.contains("Suggested action"));
    assert!(md.contains("## How each segment changed"));
    for f in [
        "migration.csv",
        "migration.md",
        "migration.png",
        "manifest.json",
    ] {
        let meta = std::fs::metadata(dir.path().join("C2").join(f)).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(meta.permissions().mode() & 0o777, 0o600, "{f}");
        }
        assert!(meta.len() > 0);
    }
    // One run per folder: a second comparison into C2 needs --force.
    let err = fails(&["compare", &d("A"), &d("B"), "--out", &d("C2")]);
    assert!(err.contains("not empty"), "{err}");
}

#[test]
fn identical_runs_have_no_movers_and_zero_psi() {
    let dir = tempfile::tempdir().unwrap();
    let d = |s: &str| dir.path().join(s).to_string_lossy().into_owned();
    let (p1, _, _) = periods(600, 0.0, 5);
    std::fs::write(d("p1.csv"), p1).unwrap();
    ok(&["--no-tui", &d("p1.csv"), "--out", &d("A"), "--k", "4"]);
    let text = ok(&["compare", &d("A"), &d("A"), "--out", &d("C"), "--json"]);
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["moved"], 0);
    assert_eq!(v["psi"]["value"].as_f64(), Some(0.0));
    assert_eq!(v["stayed"], 600);
    // The output folder may not be a run being compared.
    let err = fails(&["compare", &d("A"), &d("A"), "--out", &d("A"), "--force"]);
    assert!(err.contains("--out"), "{err}");
    assert!(Path::new(&d("A/segmentation_results.csv")).exists());
}

#[test]
fn hostile_pairs_error_or_report_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let d = |s: &str| dir.path().join(s).to_string_lossy().into_owned();
    let (p1, _, _) = periods(400, 0.0, 7);
    std::fs::write(d("p1.csv"), &p1).unwrap();
    ok(&["--no-tui", &d("p1.csv"), "--out", &d("A"), "--k", "4"]);
    let model = d("A/model.json");
    // No shared id: everyone left and entered, said so.
    let other: String = p1.replace("\nC", "\nX");
    std::fs::write(d("x.csv"), other).unwrap();
    ok(&[
        "score",
        "--model",
        &model,
        &d("x.csv"),
        "--out",
        &d("x_scored.csv"),
    ]);
    let text = ok(&["compare", &d("A"), &d("x_scored.csv"), "--out", &d("C1")]);
    assert!(text.contains("no customer is in both runs"), "{text}");
    // An empty side: reported, PSI undefined, no panic.
    std::fs::write(d("empty.csv"), "customer_id,segment,label,action\n").unwrap();
    let text = ok(&[
        "compare",
        &d("A"),
        &d("empty.csv"),
        "--out",
        &d("C2"),
        "--json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["left"], 400);
    assert!(v["psi"].is_null());
    // Duplicate ids: one line naming the file and line.
    let scored = std::fs::read_to_string(d("x_scored.csv")).unwrap();
    let second = scored.lines().nth(1).unwrap();
    std::fs::write(d("dup.csv"), format!("{scored}{second}\n")).unwrap();
    let err = fails(&["compare", &d("A"), &d("dup.csv"), "--out", &d("C3")]);
    assert!(
        err.contains("dup.csv: line 402") && err.contains("appears twice"),
        "{err}"
    );
    // A folder without results.
    std::fs::create_dir(d("nothing")).unwrap();
    let err = fails(&["compare", &d("nothing"), &d("A"), "--out", &d("C4")]);
    assert!(err.contains("segmentation_results.csv: missing"), "{err}");
    // Mismatched id columns.
    std::fs::write(d("p1b.csv"), p1.replacen("CustomerID", "client_id", 1)).unwrap();
    ok(&["--no-tui", &d("p1b.csv"), "--out", &d("B"), "--k", "4"]);
    let err = fails(&["compare", &d("A"), &d("B"), "--out", &d("C5")]);
    assert!(
        err.contains("'CustomerID'") && err.contains("'client_id'"),
        "{err}"
    );
    // A scored file from another model.
    std::fs::write(
        d("wrong.csv"),
        "customer_id,segment,label,action\nC000001,0,VIP?,x\n",
    )
    .unwrap();
    let err = fails(&["compare", &d("A"), &d("wrong.csv"), "--out", &d("C6")]);
    assert!(
        err.contains("wrong.csv: line 2") && err.contains("another model"),
        "{err}"
    );
    // Nothing half-written for the failures.
    for c in ["C3", "C4", "C5", "C6"] {
        assert!(!Path::new(&d(c)).exists(), "{c}");
    }
}

#[test]
fn chinese_ids_and_labels_are_compared() {
    let dir = tempfile::tempdir().unwrap();
    let d = |s: &str| dir.path().join(s).to_string_lossy().into_owned();
    let (p1, p2, truth) = periods(800, 0.1, 13);
    let cn = |t: &str| {
        t.replace(
            "CustomerID,Balance,TxnCount,NumProducts,Age",
            "客户号,资产余额,交易笔数,产品数,年龄",
        )
        .replace("\nC", "\n客户")
    };
    std::fs::write(d("p1.csv"), cn(&p1)).unwrap();
    std::fs::write(d("p2.csv"), cn(&p2)).unwrap();
    ok(&["--no-tui", &d("p1.csv"), "--out", &d("A"), "--k", "4"]);
    ok(&[
        "--no-tui",
        &d("p2.csv"),
        "--out",
        &d("B"),
        "--k",
        "4",
        "--seed",
        "3",
    ]);
    let text = ok(&["compare", &d("A"), &d("B"), "--out", &d("C"), "--json"]);
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["id_column"], "客户号");
    let rows = read_migration(Path::new(&d("C")));
    let truth: HashSet<String> = truth.iter().map(|t| t.replacen('C', "客户", 1)).collect();
    let (p, r) = precision_recall(&rows, &truth);
    assert!(p >= 0.85 && r >= 0.85, "precision {p}, recall {r}");
    assert!(rows.iter().any(|r| r["customer_id"].starts_with("客户")));
}

fn results(dir: &str) -> HashMap<String, (String, String)> {
    let mut r = csv::Reader::from_path(Path::new(dir).join("segmentation_results.csv")).unwrap();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            (rec[0].to_string(), (rec[1].to_string(), rec[2].to_string()))
        })
        .collect()
}

#[test]
fn the_bundled_samples_refit_with_another_seed_keep_numbers_and_labels() {
    // Both bundled customer samples: English UTF-8, and Chinese GBK.
    for (name, rows) in [("customers_en.csv", 3000), ("customers_cn_gbk.csv", 2000)] {
        let dir = tempfile::tempdir().unwrap();
        let d = |s: &str| dir.path().join(s).to_string_lossy().into_owned();
        let sample = format!("{}/samples/{name}", env!("CARGO_MANIFEST_DIR"));
        ok(&["--no-tui", &sample, "--out", &d("A")]);
        ok(&["--no-tui", &sample, "--out", &d("B"), "--seed", "7"]);
        let model = d("A/model.json");
        ok(&[
            "--no-tui",
            &sample,
            "--out",
            &d("P"),
            "--seed",
            "11",
            "--previous",
            &model,
        ]);
        let a = results(&d("A"));
        // Every customer (the messy Chinese sample repeats a few ids).
        assert!(a.len() * 100 >= rows * 95, "{name}: {} customers", a.len());
        assert_eq!(
            a,
            results(&d("B")),
            "{name}: seed 7 renumbered the segments"
        );
        assert_eq!(
            a,
            results(&d("P")),
            "{name}: --previous changed numbers or labels"
        );
    }
}

#[test]
fn previous_keeps_numbers_renamed_labels_and_reports_vanished_segments() {
    let dir = tempfile::tempdir().unwrap();
    let d = |s: &str| dir.path().join(s).to_string_lossy().into_owned();
    let (p1, p2, truth) = periods(2000, 0.1, 77);
    std::fs::write(d("p1.csv"), &p1).unwrap();
    std::fs::write(d("p2.csv"), &p2).unwrap();
    ok(&["--no-tui", &d("p1.csv"), "--out", &d("A0"), "--k", "4"]);
    // Rename the segment of customer C000000 and edit its action.
    let seg0 = results(&d("A0"))["C000000"].0.clone();
    let toml = format!(
        "input = {:?}\n[cluster]\nk = 4\n[labels.overrides.{seg0}]\nlabel = \"金卡客户\"\naction = \"客户经理本周致电\"\n",
        d("p1.csv")
    );
    std::fs::write(d("run.toml"), toml).unwrap();
    ok(&["--no-tui", "--config", &d("run.toml"), "--out", &d("A")]);
    assert_eq!(results(&d("A"))["C000000"].1, "金卡客户");
    let model = d("A/model.json");
    let text = ok(&[
        "--no-tui",
        &d("p2.csv"),
        "--out",
        &d("B"),
        "--k",
        "4",
        "--seed",
        "9",
        "--previous",
        &model,
        "--json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["previous"]["continued"].as_array().unwrap().len(), 4);
    assert!(v["previous"]["vanished"].as_array().unwrap().is_empty());
    let (a, b) = (results(&d("A")), results(&d("B")));
    let b0 = &b["C000000"];
    assert_eq!((&b0.0, b0.1.as_str()), (&seg0, "金卡客户"));
    let stayers: Vec<&String> = a
        .keys()
        .filter(|id| b.contains_key(*id) && !truth.contains(*id))
        .collect();
    let kept = stayers.iter().filter(|id| a[**id] == b[**id]).count();
    assert!(
        kept as f64 >= 0.99 * stayers.len() as f64,
        "{kept} of {}",
        stayers.len()
    );
    let md = std::fs::read_to_string(d("B/segmentation_report.md")).unwrap();
    assert!(md.contains("keep their number, label and action"), "{md}");
    // Compared, the renamed label shows on both sides.
    ok(&["compare", &d("A"), &d("B"), "--out", &d("C")]);
    let mig = std::fs::read_to_string(d("C/migration.csv")).unwrap();
    assert!(mig.contains("金卡客户,金卡客户,stayed"), "{}", &mig[..300]);

    // Next period without planted segment 3: three segments, one vanished.
    let p3: String = p2
        .lines()
        // Planted segment 3 is the only one with more than 72 transactions.
        .filter(|l| {
            l.split(',')
                .nth(2)
                .and_then(|t| t.parse::<f64>().ok())
                .is_none_or(|t| t <= 72.0)
        })
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(d("p3.csv"), p3).unwrap();
    let text = ok(&[
        "--no-tui",
        &d("p3.csv"),
        "--out",
        &d("D"),
        "--k",
        "3",
        "--previous",
        &d("B/model.json"),
    ]);
    assert!(
        text.contains("vanished: no segment of this run continues it"),
        "{text}"
    );
    let gone = &a.iter().find(|(id, _)| id.as_str() == "C000003").unwrap().1;
    assert!(
        text.contains(&format!(
            "previous segment {} '{}' vanished",
            gone.0, gone.1
        )),
        "{text}"
    );
}

/// A run that wrote its results as Parquet only (`--formats parquet`) is
/// compared as its CSV twin is: the same movers, counts and matrix; and its
/// rows get the CSV's checks (a label the model does not know is refused,
/// naming the file and the row).
#[test]
fn a_parquet_only_run_compares_like_its_csv_twin() {
    let dir = tempfile::tempdir().unwrap();
    let d = |s: &str| dir.path().join(s).to_string_lossy().into_owned();
    let (p1, p2, truth) = periods(1500, 0.15, 77);
    std::fs::write(d("p1.csv"), p1).unwrap();
    std::fs::write(d("p2.csv"), p2).unwrap();
    ok(&["--no-tui", &d("p1.csv"), "--out", &d("A"), "--k", "4"]);
    let refit = |out: &str, formats: &str| {
        let args = [
            "--no-tui",
            &d("p2.csv"),
            "--out",
            &d(out),
            "--k",
            "4",
            "--seed",
            "9",
        ];
        ok(&[&args[..], &["--formats", formats]].concat());
    };
    refit("Bcsv", "csv");
    refit("Bpq", "parquet");
    assert!(!Path::new(&d("Bpq/segmentation_results.csv")).exists());
    let csv_json = ok(&[
        "compare",
        &d("A"),
        &d("Bcsv"),
        "--out",
        &d("Ccsv"),
        "--json",
    ]);
    let pq_json = ok(&["compare", &d("A"), &d("Bpq"), "--out", &d("Cpq"), "--json"]);
    let (vc, vp): (serde_json::Value, serde_json::Value) = (
        serde_json::from_str(&csv_json).unwrap(),
        serde_json::from_str(&pq_json).unwrap(),
    );
    for key in ["moved", "left", "entered", "matrix", "same_model"] {
        assert_eq!(vc[key], vp[key], "{key}");
    }
    let by_id = |rows: Vec<HashMap<String, String>>| {
        let mut v: Vec<(String, String, String, String)> = rows
            .into_iter()
            .map(|r| {
                (
                    r["customer_id"].clone(),
                    r["status"].clone(),
                    r["from"].clone(),
                    r["to"].clone(),
                )
            })
            .collect();
        v.sort();
        v
    };
    let (rc, rp) = (
        read_migration(Path::new(&d("Ccsv"))),
        read_migration(Path::new(&d("Cpq"))),
    );
    let (p, r) = precision_recall(&rp, &truth);
    assert!(p >= 0.85 && r >= 0.85, "precision {p}, recall {r}");
    assert_eq!(by_id(rc), by_id(rp));
    // Parquet on both sides too (the old side written as Parquet only).
    ok(&[
        "--no-tui",
        &d("p1.csv"),
        "--out",
        &d("Apq"),
        "--k",
        "4",
        "--formats",
        "parquet",
    ]);
    let both = ok(&[
        "compare",
        &d("Apq"),
        &d("Bpq"),
        "--out",
        &d("Cboth"),
        "--json",
    ]);
    let vb: serde_json::Value = serde_json::from_str(&both).unwrap();
    assert_eq!(vb["moved"], vc["moved"]);
    // A Parquet results file whose labels are not the model's is refused.
    std::fs::copy(d("A/segmentation_results.csv"), d("p1_results.csv")).unwrap();
    let model: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d("Bpq/model.json")).unwrap()).unwrap();
    let label = model["segments"][0]["label"].as_str().unwrap().to_string();
    let mut text = std::fs::read(d("Bpq/segmentation_results.parquet")).unwrap();
    let at = text
        .windows(label.len())
        .position(|w| w == label.as_bytes())
        .expect("the label is stored as plain text");
    text[at] = if text[at] == b'X' { b'Y' } else { b'X' };
    std::fs::write(d("Bpq/segmentation_results.parquet"), &text).unwrap();
    let err = fails(&["compare", &d("A"), &d("Bpq"), "--out", &d("Cbad")]);
    assert!(err.contains("segmentation_results.parquet"), "{err}");
}
