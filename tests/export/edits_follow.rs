//! Label and action edits follow their segment, not its number: a renamed
//! label and an edited action, replayed on a second period where the
//! segments' numbers swap, land on the same customers (by id), in both
//! faces (headless replay of run.toml, and the TUI harness); a segment that
//! vanished takes its edit with it and says so; a hand-written edit keyed
//! by number only still applies by number, and the summary says so.

use custseg::config::RunConfig;
use custseg::tui::action::{Action, Command};
use custseg::tui::harness::Harness;
use custseg::tui::{Stage, UiOptions};
use ratatui::crossterm::event::KeyCode;
use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::process::Command as Process;
use std::time::Duration;

fn ok(args: &[&str]) -> String {
    let out = Process::new(env!("CARGO_BIN_EXE_custseg"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "custseg {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
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

/// Planted segments: balance, transactions, age. Segments 0 and 1 have
/// nearly the same transaction count (the first feature, Frequency, which
/// orders the canonical numbers) and differ on the rest; the periods swap
/// which of the two transacts more, so their numbers swap.
fn planted(period: usize) -> [[f64; 3]; 4] {
    let (a, b) = if period == 1 {
        (30.0, 33.0)
    } else {
        (36.0, 27.0)
    };
    [
        [50_000.0, a, 62.0],
        [3_000.0, b, 29.0],
        [20_000.0, 80.0, 42.0],
        [220_000.0, 8.0, 50.0],
    ]
}

/// `n` customers, customer i in planted segment i % 4 (minus `without`).
fn period(n: usize, period: usize, without: Option<usize>, seed: u64) -> String {
    let mut rng = Rng(seed);
    let p = planted(period);
    let mut s = String::from("CustomerID,Balance,TxnCount,Age\n");
    for i in (0..n).filter(|i| Some(i % 4) != without) {
        let c = p[i % 4];
        let mut j = |x: f64| x * (0.96 + 0.08 * rng.next());
        s.push_str(&format!(
            "C{i:05},{:.2},{:.0},{:.0}\n",
            j(c[0]),
            j(c[1]),
            j(c[2])
        ));
    }
    s
}

/// id -> (segment, label, action); the action from cluster_summary.csv
/// (the per-customer results carry it only when asked).
fn results(dir: &Path) -> HashMap<String, (String, String, String)> {
    let mut summary = csv::Reader::from_path(dir.join("cluster_summary.csv")).unwrap();
    let h = summary.headers().unwrap().clone();
    let col = |h: &csv::StringRecord, name: &str| h.iter().position(|c| c == name).unwrap();
    let (seg, act) = (col(&h, "segment"), col(&h, "action"));
    let actions: HashMap<String, String> = summary
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[seg].to_string(), r[act].to_string())
        })
        .collect();
    let mut r = csv::Reader::from_path(dir.join("segmentation_results.csv")).unwrap();
    let h = r.headers().unwrap().clone();
    let (id, seg, label) = (col(&h, "customer_id"), col(&h, "segment"), col(&h, "label"));
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            let s = rec[seg].to_string();
            let a = actions[&s].clone();
            (rec[id].to_string(), (s, rec[label].to_string(), a))
        })
        .collect()
}

/// Customers whose label is `label`.
fn labelled(r: &HashMap<String, (String, String, String)>, label: &str) -> BTreeSet<String> {
    r.iter()
        .filter(|(_, v)| v.1 == label)
        .map(|(id, _)| id.clone())
        .collect()
}

const LABEL: &str = "金卡客户 Gold";
const ACTION: &str = "客户经理本周致电";

#[test]
fn a_renamed_label_follows_its_customers_to_another_number_headless() {
    let dir = tempfile::tempdir().unwrap();
    let d = |s: &str| dir.path().join(s);
    let s = |p: &Path| p.to_string_lossy().into_owned();
    std::fs::write(d("p1.csv"), period(2000, 1, None, 3)).unwrap();
    std::fs::write(d("p2.csv"), period(2000, 2, None, 5)).unwrap();
    ok(&[
        "--no-tui",
        &s(&d("p1.csv")),
        "--out",
        &s(&d("A0")),
        "--k",
        "4",
    ]);
    ok(&[
        "--no-tui",
        &s(&d("p2.csv")),
        "--out",
        &s(&d("B0")),
        "--k",
        "4",
    ]);
    // Customer C00001 is in planted segment 1; its number changes between
    // the periods (else this test would test nothing).
    let n1 = results(&d("A0"))["C00001"].0.clone();
    let n2 = results(&d("B0"))["C00001"].0.clone();
    assert_ne!(
        n1, n2,
        "the periods were meant to renumber planted segment 1"
    );

    // A hand-written edit, by number, on period 1.
    let toml = format!(
        "input = {:?}\n[cluster]\nk = 4\n[labels.overrides.{n1}]\nlabel = {LABEL:?}\naction = {ACTION:?}\n",
        s(&d("p1.csv"))
    );
    std::fs::write(d("hand.toml"), toml).unwrap();
    ok(&[
        "--no-tui",
        "--config",
        &s(&d("hand.toml")),
        "--out",
        &s(&d("A")),
    ]);
    let a = results(&d("A"));
    let gold = labelled(&a, LABEL);
    assert_eq!(gold.len(), 500);
    assert!(gold.contains("C00001"));
    // The run.toml the run wrote carries the segment's identity.
    let saved = std::fs::read_to_string(d("A/run.toml")).unwrap();
    assert!(saved.contains("centre"), "{saved}");

    // Replayed on period 2: the same customers, under the new number.
    let text = ok(&[
        "--no-tui",
        "--config",
        &s(&d("A/run.toml")),
        &s(&d("p2.csv")),
        "--out",
        &s(&d("B")),
        "--json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let b = results(&d("B"));
    assert_eq!(labelled(&b, LABEL), gold);
    assert!(b.values().filter(|r| r.1 == LABEL).all(|r| r.2 == ACTION));
    assert_eq!(b["C00001"].0, n2);
    let followed = &v["label_edits"]["followed"][0];
    assert_eq!(followed["saved_as"].as_u64(), Some(n1.parse().unwrap()));
    assert_eq!(followed["segment"].as_u64(), Some(n2.parse().unwrap()));

    // The hand-written file replayed on period 2 applies by number, and
    // says so: it lands on other customers.
    let text = ok(&[
        "--no-tui",
        "--config",
        &s(&d("hand.toml")),
        &s(&d("p2.csv")),
        "--out",
        &s(&d("H")),
    ]);
    assert!(text.contains("applied by number"), "{text}");
    assert_ne!(labelled(&results(&d("H")), LABEL), gold);

    // Period 3 without planted segment 1, three segments: the edit is
    // applied to nobody, and the summary and --json say so.
    std::fs::write(d("p3.csv"), period(2000, 2, Some(1), 7)).unwrap();
    let out = Process::new(env!("CARGO_BIN_EXE_custseg"))
        .args([
            "--no-tui",
            "--config",
            &s(&d("A/run.toml")),
            &s(&d("p3.csv")),
            "--k",
            "3",
            "--out",
            &s(&d("C")),
            "--json",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let unused = &v["label_edits"]["unused"][0];
    assert_eq!(unused["label"], LABEL);
    assert!(unused["why"].as_str().unwrap().contains("vanished"));
    assert!(labelled(&results(&d("C")), LABEL).is_empty());
    let warned = v["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|w| w.as_str().unwrap().contains("was not applied"));
    assert!(warned, "{v}");
}

fn settle(h: &mut Harness) {
    h.settle_within(Duration::from_secs(120));
}

/// Runs the TUI on `input` with K = 4 to Inspect.
fn inspect(cfg: RunConfig) -> Harness {
    let ui = UiOptions {
        ascii: false,
        no_color: true,
    };
    let mut h = Harness::new(cfg, ui, 100, 30);
    settle(&mut h);
    for stage in [
        Stage::Map,
        Stage::Clean,
        Stage::Features,
        Stage::Cluster,
        Stage::Inspect,
    ] {
        h.key(KeyCode::Enter);
        settle(&mut h);
        assert_eq!(h.app.stage, stage, "{:?}", h.app.status);
    }
    h
}

/// Customer ids of each row, from the TUI's own data.
fn labels_by_id(h: &Harness) -> Vec<(String, String)> {
    let data = &h.app.data;
    let k = data.k().unwrap();
    let fit = &data.sweep().unwrap().get(k).unwrap().fit;
    let p = data.profiles().unwrap();
    fit.labels
        .iter()
        .enumerate()
        .map(|(row, &s)| (format!("C{row:05}"), p.segments[s as usize].label.clone()))
        .collect()
}

#[test]
fn a_label_renamed_in_the_tui_follows_its_customers_to_another_number() {
    let dir = tempfile::tempdir().unwrap();
    let d = |s: &str| dir.path().join(s);
    std::fs::write(d("p1.csv"), period(1200, 1, None, 3)).unwrap();
    std::fs::write(d("p2.csv"), period(1200, 2, None, 5)).unwrap();
    let mut cfg = RunConfig {
        input: Some(d("p1.csv")),
        ..RunConfig::default()
    };
    cfg.cluster.k = Some(4);
    let mut h = inspect(cfg);
    // Select the segment of customer C00001 (row 1) and rename it.
    let k = h.app.data.k().unwrap();
    let seg = h.app.data.sweep().unwrap().get(k).unwrap().fit.labels[1];
    for _ in 0..seg {
        h.key(KeyCode::Down);
    }
    h.act(Action::Command(Command::EditValue));
    h.ctrl('u').type_str(LABEL).key(KeyCode::Enter);
    settle(&mut h);
    h.act(Action::Command(Command::EditAction));
    h.ctrl('u').type_str(ACTION).key(KeyCode::Enter);
    settle(&mut h);
    let before: BTreeSet<String> = labels_by_id(&h)
        .into_iter()
        .filter(|(_, l)| l == LABEL)
        .map(|(id, _)| id)
        .collect();
    assert_eq!(before.len(), 300);
    assert!(before.contains("C00001"));
    let saved = h.app.config.labels.overrides.clone();
    assert!(saved[&u32::from(seg)].centre.is_some(), "{saved:?}");

    // The same config on period 2 (what Load does with another file).
    let mut cfg = h.app.config.clone();
    cfg.input = Some(d("p2.csv"));
    let h2 = inspect(cfg);
    let k = h2.app.data.k().unwrap();
    let seg2 = h2.app.data.sweep().unwrap().get(k).unwrap().fit.labels[1];
    assert_ne!(seg, seg2, "the periods were meant to renumber the segment");
    let after: BTreeSet<String> = labels_by_id(&h2)
        .into_iter()
        .filter(|(_, l)| l == LABEL)
        .map(|(id, _)| id)
        .collect();
    assert_eq!(after, before);
    let p = h2.app.data.profiles().unwrap();
    assert_eq!(p.segments[seg2 as usize].action, ACTION);
    assert_eq!(p.edits.followed.len(), 1);
}

#[test]
fn the_tui_follows_a_previous_run_chosen_on_load_and_shows_where_customers_came_from() {
    let dir = tempfile::tempdir().unwrap();
    let d = |s: &str| dir.path().join(s);
    let s = |p: &Path| p.to_string_lossy().into_owned();
    std::fs::write(d("p1.csv"), period(1200, 1, None, 3)).unwrap();
    std::fs::write(d("p2.csv"), period(1200, 2, None, 5)).unwrap();
    ok(&[
        "--no-tui",
        &s(&d("p1.csv")),
        "--out",
        &s(&d("A")),
        "--k",
        "4",
    ]);
    let a = results(&d("A"));

    // Load: the path field shows folder A; Files lists its model.json.
    let mut cfg = RunConfig::default();
    cfg.cluster.k = Some(4);
    let ui = UiOptions {
        ascii: false,
        no_color: true,
    };
    let mut h = Harness::new(cfg, ui, 100, 30);
    settle(&mut h);
    h.type_str(&format!("{}/", s(&d("A"))));
    settle(&mut h);
    h.key(KeyCode::Down);
    let b = &h.app.load.browser;
    let at = b
        .shown
        .iter()
        .position(|&i| b.entries[i].name == "model.json")
        .expect("model.json is listed");
    for _ in 0..at {
        h.key(KeyCode::Down);
    }
    h.key(KeyCode::Enter);
    settle(&mut h);
    let model = std::path::absolute(d("A/model.json")).unwrap();
    assert_eq!(
        h.app.config.cluster.previous.as_deref(),
        Some(model.as_path())
    );
    assert!(h.text().contains("follows"), "{}", h.text());
    // Back to the path field, and load period 2.
    for _ in 0..=at {
        h.key(KeyCode::Up);
    }
    h.ctrl('u').type_str(&s(&d("p2.csv"))).key(KeyCode::Enter);
    settle(&mut h);
    for stage in [Stage::Map, Stage::Clean, Stage::Features, Stage::Cluster] {
        h.key(KeyCode::Enter);
        settle(&mut h);
        assert_eq!(h.app.stage, stage, "{:?}", h.app.status);
    }
    // Cluster says which run the numbers follow.
    let screen = h.text();
    assert!(screen.contains("follows"), "{screen}");
    h.key(KeyCode::Enter);
    settle(&mut h);
    assert_eq!(h.app.stage, Stage::Inspect);
    // The numbers follow period 1's: every customer keeps theirs.
    let k = h.app.data.k().unwrap();
    let fit = &h.app.data.sweep().unwrap().get(k).unwrap().fit;
    for (row, &seg) in fit.labels.iter().enumerate() {
        assert_eq!(a[&format!("C{row:05}")].0, seg.to_string(), "row {row}");
    }

    // o with a folder that is no run: said in the box, which stays open,
    // and nothing is started.
    h.act(Action::Command(Command::Origin));
    h.ctrl('u').type_str(&s(&d("p2.csv"))).key(KeyCode::Enter);
    assert!(
        matches!(
            h.app.overlay,
            Some(custseg::tui::overlay::Overlay::Input(_))
        ),
        "{:?}",
        h.app.overlay
    );
    assert!(h.app.jobs.is_empty(), "{:?}", h.app.jobs);
    assert!(h.text().contains("earlier run"), "{}", h.text());
    h.key(KeyCode::Esc);
    // o: the followed run's folder is suggested; Enter compares, in the
    // worker: the view opens when the answer comes.
    h.act(Action::Command(Command::Origin));
    h.key(KeyCode::Enter);
    settle(&mut h);
    let origins = h.app.inspect.origins.as_ref().expect("compared");
    for (seg, o) in origins.provenance.segments.iter().enumerate() {
        assert_eq!(o.continues.as_ref().map(|c| c.0), Some(seg as u32));
        // Nobody moved, nobody entered.
        assert_eq!(o.from.len(), 1, "{o:?}");
        assert_eq!((o.from[0].from.0, o.from[0].count), (seg as u32, 300));
        assert_eq!(o.entered, 0);
    }
    let screen = h.text();
    assert!(screen.contains("came from"), "{screen}");
    assert!(screen.contains("Continues earlier segment 0"), "{screen}");
    assert!(screen.contains("100.0%"), "{screen}");
    // → the next segment.
    h.key(KeyCode::Right);
    assert!(h.text().contains("Continues earlier segment 1"));
}
