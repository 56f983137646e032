//! Issue 15 in the TUI: can the segments be trusted? The Cluster screen
//! shows the structure verdict with its reasons, the gap evidence of each
//! K and why K was chosen (at the top of the range, the keys that widen
//! it, which the test then follows); Inspect shows each segment's
//! stability (number and band mark) and rule, and the rules' fidelity —
//! at 80x24, at 60x18 and without colour or Unicode. Driven through key
//! presses on the bundled planted sample (five segments: clear) and on
//! generated structureless customers (one Gaussian: none or weak).
//! `SHOW_SCREENS=1` prints the screens.

use crate::cluster_util;

use cluster_util::normal;
use custseg::config::RunConfig;
use custseg::pipeline::k_choice;
use custseg::pipeline::trust::{Band, Trust, Verdict};
use custseg::tui::harness::Harness;
use custseg::tui::{Stage, UiOptions};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use ratatui::crossterm::event::KeyCode;
use ratatui::style::Color;
use std::path::{Path, PathBuf};
use std::time::Duration;

const PLANTED: &str = "samples/customers_en.csv";

const COLOR: UiOptions = UiOptions {
    ascii: false,
    no_color: false,
};
const NO_COLOR: UiOptions = UiOptions {
    ascii: false,
    no_color: true,
};
const ASCII: UiOptions = UiOptions {
    ascii: true,
    no_color: true,
};

fn repo(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(p)
}

fn settle(h: &mut Harness) {
    h.settle_within(Duration::from_secs(180));
}

/// The app at `stage` for `cfg`, `w` x `h`, reached by Enter as a user
/// would.
fn at_with(cfg: RunConfig, ui: UiOptions, stage: Stage, w: u16, h: u16) -> Harness {
    let mut hs = Harness::new(cfg, ui, w, h);
    settle(&mut hs);
    while hs.app.stage != stage {
        let before = hs.app.stage;
        hs.key(KeyCode::Enter);
        settle(&mut hs);
        assert_ne!(hs.app.stage, before, "stuck: {:?}", hs.app.status);
    }
    hs
}

fn at(input: &Path, ui: UiOptions, stage: Stage, w: u16, h: u16) -> Harness {
    let cfg = RunConfig {
        input: Some(input.to_path_buf()),
        ..RunConfig::default()
    };
    at_with(cfg, ui, stage, w, h)
}

fn screen(h: &mut Harness, name: &str) -> String {
    let text = h.text();
    if std::env::var_os("SHOW_SCREENS").is_some() {
        eprintln!("--- {name}\n{text}");
    }
    text
}

fn trust(h: &Harness) -> Trust {
    let p = h.app.data.profiles().expect("segments profiled");
    p.trust.clone().expect("segments checked")
}

/// The screen's row that starts (after the border and pointer) with `k`.
fn k_row(text: &str, k: usize) -> &str {
    text.lines()
        .find(|l| {
            let cells: Vec<&str> = l.split('│').collect();
            let first = cells.get(1).map(|c| c.trim_start_matches(['▶', '>', ' ']));
            first.and_then(|c| c.split_whitespace().next()) == Some(&k.to_string())
        })
        .unwrap_or_else(|| panic!("no row for K={k}:\n{text}"))
}

/// The text of the columns `from..` of the body rows as one paragraph:
/// borders dropped, wrapped lines joined, runs of spaces made one.
fn pane_text(text: &str, from: usize) -> String {
    let rows: Vec<String> = text
        .lines()
        .skip(1)
        .map(|l| l.chars().skip(from).collect::<String>())
        .map(|l| l.trim_matches(['│', '|', ' ']).to_string())
        .collect();
    rows.join(" ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn assert_plain(h: &mut Harness) {
    for cell in h.buffer().content() {
        assert_eq!(cell.fg, Color::Reset, "a colour with NO_COLOR: {cell:?}");
        assert_eq!(cell.bg, Color::Reset, "a colour with NO_COLOR: {cell:?}");
    }
}

#[test]
fn cluster_shows_the_verdict_its_reasons_the_gap_evidence_and_why_k() {
    let mut h = at(&repo(PLANTED), NO_COLOR, Stage::Cluster, 80, 24);
    let text = screen(&mut h, "cluster 80x24 no colour");
    let t = trust(&h);
    assert_eq!((t.k, t.structure.verdict), (5, Verdict::Clear));
    // The verdict by mark and word (no colour needed), and the evidence.
    let pane = pane_text(&text, 40);
    assert!(pane.contains("✓ CLEAR: natural groups"), "{pane}");
    assert!(pane.contains("The 5 segments are natural groups"), "{pane}");
    assert!(
        pane.contains("Why K=5: the last step that separates"),
        "{pane}"
    );
    for reason in &t.structure.reasons {
        assert!(pane.contains(reason.as_str()), "{reason}: {pane}");
    }
    assert!(pane.contains("silhouette 0.45 at K=5"), "{pane}");
    assert!(pane.contains("5 highly stable"), "{pane}");
    assert_plain(&mut h);
    // Each K's gap and step, the rule's clear steps marked, recomputed
    // from the sweep.
    let sweep = h.app.data.sweep().unwrap().clone();
    let gap = sweep.gap.as_ref().expect("gap statistic on by default");
    let clear = k_choice::strong_steps(gap, sweep.k_min, sweep.k_max);
    assert!(clear.iter().filter(|s| s.1).count() >= 2, "{clear:?}");
    for (k, is_clear) in clear {
        let row = k_row(&text, k);
        let g = gap.get(k).unwrap().gap;
        let step = g - gap.get(k - 1).unwrap().gap;
        assert!(row.contains(&format!("{g:.3}")), "K={k} gap {g}: {row}");
        let cell = format!("{step:+.3} {}", if is_clear { "✓" } else { "" });
        assert!(row.contains(cell.trim_end()), "K={k} step {cell}: {row}");
        assert_eq!(row.contains('✓'), is_clear, "K={k}: {row}");
    }
    assert!(
        k_row(&text, 5).contains("▶"),
        "K=5 is the chosen row:\n{text}"
    );
    assert!(text.contains("✓ clear step"), "the mark's legend:\n{text}");
}

#[test]
fn inspect_shows_each_segments_stability_band_and_rule() {
    let mut h = at(&repo(PLANTED), NO_COLOR, Stage::Inspect, 80, 24);
    let text = screen(&mut h, "inspect 80x24 no colour");
    let t = trust(&h);
    let rules = t.rules.as_ref().unwrap();
    assert!(text.contains("✓ structure clear: natural groups"), "{text}");
    assert!(
        text.contains(&format!(
            "rules agree {:.1}% · cost {:.2}x",
            rules.agreement * 100.0,
            rules.cost_ratio
        )),
        "{text}"
    );
    assert!(text.contains("✓✓ ≥0.85 ✓ ≥0.75 ? ≥0.6 ✗ <0.6"), "{text}");
    let p = h.app.data.profiles().unwrap().clone();
    for s in &p.segments {
        let st = t.stability_of(s.id as usize).unwrap();
        assert!(st.jaccard >= 0.85, "the planted segments are highly stable");
        let row = text
            .lines()
            .find(|l| l.contains(&s.label[..s.label.len().min(20)]))
            .unwrap_or_else(|| panic!("{}:\n{text}", s.label));
        assert!(row.contains(&format!("{:.2} ✓✓", st.jaccard)), "{row}");
    }
    // The selected segment: its stability in words and its rule.
    let first = t.stability_of(0).unwrap();
    assert!(
        text.contains(&format!("stability {:.2} ✓✓ highly stable", first.jaccard)),
        "{text}"
    );
    let rule = &t.rule_of(0).unwrap().text;
    assert!(text.contains(&format!("Rule: {rule}")), "{text}");
    assert_plain(&mut h);
    // Every segment's drill-down: stability, dissolutions and rule.
    h.key(KeyCode::Enter);
    for s in &p.segments {
        let text = screen(&mut h, &format!("segment {}", s.id));
        let st = t.stability_of(s.id as usize).unwrap();
        assert!(
            text.contains(&format!(
                "Stable?  {:.2} ±{:.2} ✓✓ highly stable",
                st.jaccard, st.margin
            )),
            "{text}"
        );
        let rule = &t.rule_of(s.id as usize).unwrap().text;
        assert!(text.contains(&rule[..rule.len().min(40)]), "{text}");
        h.key(KeyCode::Right);
    }
}

#[test]
fn at_the_top_of_the_range_k_says_so_and_the_keys_it_names_widen_it() {
    let mut cfg = RunConfig {
        input: Some(repo(PLANTED)),
        ..RunConfig::default()
    };
    cfg.cluster.k_max = 3;
    let mut h = at_with(cfg, COLOR, Stage::Cluster, 80, 24);
    let pane = pane_text(&screen(&mut h, "cluster 2..3"), 40);
    assert_eq!(h.app.data.k(), Some(3));
    assert!(trust(&h).k_at_edge);
    assert!(
        pane.contains("Why K=3: segments still separate clearly at K=3, the top of the range 2..3"),
        "{pane}"
    );
    assert!(
        pane.contains("w widens it to 2..7 and runs the sweep (or Tab: K to)."),
        "{pane}"
    );
    assert!(text_has_key(&mut h, "w widen range"));
    // Follow the words: w. The wider range finds the five planted
    // segments and K is no longer at its top.
    h.key(KeyCode::Char('w'));
    settle(&mut h);
    assert_eq!(h.app.config.cluster.k_max, 7);
    let text = screen(&mut h, "cluster after w");
    let pane = pane_text(&text, 40);
    assert_eq!(h.app.data.k(), Some(5));
    assert!(!trust(&h).k_at_edge);
    assert!(!pane.contains("w widens it"), "{pane}");
    assert!(!text.contains("w widen range"), "{text}");
    assert!(
        pane.contains("Why K=5: the last step that separates"),
        "{pane}"
    );
    // Tab, ↓ to K to, → also widens it; r runs the sweep: 2..8 keeps K=5.
    h.key(KeyCode::Tab).key(KeyCode::Down).key(KeyCode::Right);
    h.key(KeyCode::Tab).key(KeyCode::Char('r'));
    settle(&mut h);
    assert_eq!(h.app.config.cluster.k_max, 8);
    assert_eq!(h.app.data.k(), Some(5));
}

fn text_has_key(h: &mut Harness, key: &str) -> bool {
    let text = h.text();
    text.lines()
        .last()
        .is_some_and(|footer| footer.contains(key))
}

/// `n` customers drawn from one 6-D Gaussian (no segments at all), as a
/// CSV of positive amounts with an id column.
fn structureless_csv(dir: &Path, n: usize) -> PathBuf {
    let mut rng = ChaCha8Rng::seed_from_u64(15);
    let mut text = String::from("CustomerID,x1,x2,x3,x4,x5,x6\n");
    for i in 0..n {
        let cells: Vec<String> = (0..6)
            .map(|_| format!("{:.4}", 100.0 + 10.0 * normal(&mut rng)))
            .collect();
        text.push_str(&format!("C{i:05},{}\n", cells.join(",")));
    }
    let path = dir.join("one_gaussian.csv");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn structureless_customers_are_called_a_convenient_partition_in_both_screens() {
    let dir = tempfile::tempdir().unwrap();
    let path = structureless_csv(dir.path(), 1500);
    let mut h = at(&path, ASCII, Stage::Cluster, 80, 24);
    let text = screen(&mut h, "cluster one gaussian ascii");
    let t = trust(&h);
    assert_ne!(t.structure.verdict, Verdict::Clear);
    let word = t.structure.verdict.name();
    let mark = if t.structure.verdict == Verdict::None {
        "x"
    } else {
        "~"
    };
    let pane = pane_text(&text, 40);
    assert!(
        pane.contains(&format!("{mark} {}: ", word.to_uppercase())),
        "{pane}"
    );
    assert!(
        pane.contains(&format!(
            "The {} segments are a convenient partition, not natural groups",
            t.k
        )),
        "{pane}"
    );
    assert!(text.is_ascii(), "ASCII mode:\n{text}");
    h.key(KeyCode::Enter);
    settle(&mut h);
    let text = screen(&mut h, "inspect one gaussian ascii");
    assert!(
        text.contains(&format!("{mark} structure {word}: a convenient")),
        "{text}"
    );
    assert!(text.is_ascii(), "ASCII mode:\n{text}");
    // Each segment's band by its ASCII mark.
    for st in &t.stability.as_ref().unwrap().segments {
        let mark = match st.band {
            Band::HighlyStable => "++",
            Band::Stable => "+",
            Band::Pattern => "?",
            Band::DoNotTrust => "x",
        };
        assert!(
            text.contains(&format!("{:.2} {mark}", st.jaccard)),
            "segment {}: {text}",
            st.segment
        );
    }
}

#[test]
fn at_60x18_the_verdict_stays_and_v_shows_why() {
    let mut h = at(&repo(PLANTED), NO_COLOR, Stage::Cluster, 60, 18);
    let text = screen(&mut h, "cluster 60x18");
    assert!(text.contains("✓ structure clear: natural groups"), "{text}");
    assert!(text.contains("v why"), "{text}");
    h.key(KeyCode::Char('v'));
    let pane = pane_text(&screen(&mut h, "cluster 60x18 v"), 0);
    assert!(pane.contains("✓ CLEAR: natural groups"), "{pane}");
    assert!(pane.contains("Why K=5"), "{pane}");
    h.key(KeyCode::Char('v'));
    // At 80x24 the chart gives way to the Structure pane, v brings it;
    // from 40 rows both show.
    h.resize(80, 24);
    let text = screen(&mut h, "cluster 80x24");
    assert!(
        text.contains("CLEAR") && !text.contains("Gap by K"),
        "{text}"
    );
    h.key(KeyCode::Char('v'));
    let text = screen(&mut h, "cluster 80x24 v");
    assert!(text.contains("Gap by K · K=5 (last clear step)"), "{text}");
    h.key(KeyCode::Char('v'));
    h.resize(120, 40);
    let text = screen(&mut h, "cluster 120x40");
    assert!(
        text.contains("CLEAR") && text.contains("Gap by K"),
        "{text}"
    );
    assert!(!text.contains("v chart"), "{text}");
    h.key(KeyCode::Enter);
    settle(&mut h);
    screen(&mut h, "inspect 120x40");
    h.resize(60, 18);
    let text = screen(&mut h, "inspect 60x18");
    assert!(
        text.contains("stability 1.00 ✓✓") || text.contains("✓✓"),
        "{text}"
    );
}

/// A CSV of `rows` with an id column.
fn csv(dir: &Path, name: &str, rows: &[Vec<f64>]) -> PathBuf {
    let d = rows[0].len();
    let head: Vec<String> = (1..=d).map(|j| format!("x{j}")).collect();
    let mut text = format!("CustomerID,{}\n", head.join(","));
    for (i, r) in rows.iter().enumerate() {
        let cells: Vec<String> = r.iter().map(|v| format!("{v:e}")).collect();
        text.push_str(&format!("C{i},{}\n", cells.join(",")));
    }
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn hostile_shapes_draw_at_every_size_and_say_what_could_not_be_measured() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let two = csv(dir.path(), "two.csv", &[vec![1.0, 2.0], vec![5.0, 9.0]]);
    let tiny: Vec<Vec<f64>> = (0..200)
        .map(|i| vec![((i % 2) as f64 * 8.0 + normal(&mut rng)) * 1e-90])
        .collect();
    let tiny = csv(dir.path(), "tiny.csv", &tiny);
    let mut h = at(&two, NO_COLOR, Stage::Cluster, 80, 24);
    let pane = pane_text(&screen(&mut h, "cluster two customers"), 40);
    assert!(pane.contains("NONE"), "{pane}");
    assert!(
        pane.contains("2 customers are too few to resample"),
        "{pane}"
    );
    h.key(KeyCode::Enter);
    settle(&mut h);
    let text = screen(&mut h, "inspect two customers");
    assert!(
        !text.contains("Stab."),
        "no stability column without stability:\n{text}"
    );
    assert!(text.contains("Rule: x"), "{text}");
    let mut h = at(&tiny, NO_COLOR, Stage::Inspect, 80, 24);
    let text = screen(&mut h, "inspect 1e-90");
    let rule = trust(&h).rule_of(0).unwrap().text.clone();
    assert!(
        rule.contains("e-9"),
        "a threshold near 1e-90 keeps its digits: {rule}"
    );
    assert!(text.contains(&format!("Rule: {rule}")), "{text}");
    for (w, hh) in [(60, 18), (61, 19), (79, 23), (119, 39), (200, 60)] {
        h.resize(w, hh);
        h.key(KeyCode::Esc);
        screen(&mut h, &format!("cluster 1e-90 {w}x{hh}"));
        h.key(KeyCode::Char('v'));
        screen(&mut h, &format!("cluster 1e-90 {w}x{hh} v"));
        h.key(KeyCode::Char('v')).key(KeyCode::Enter);
        settle(&mut h);
        h.key(KeyCode::Enter);
        screen(&mut h, &format!("segment 1e-90 {w}x{hh}"));
        h.key(KeyCode::Esc);
    }
}
