//! Inspect as an explorer and the streaming sweep (issue 18), driven by key
//! presses through the harness on generated customers with planted
//! groups whose sizes and means the test knows; and the main screens at
//! 80x24, 120x40 and 200x60 (insta snapshots).

use custseg::config::RunConfig;
use custseg::tui::harness::Harness;
use custseg::tui::worker::{WorkerEvent, run_job};
use custseg::tui::{Action, Stage, UiOptions};
use ratatui::crossterm::event::KeyCode;
use std::io::Write;
use std::sync::Mutex;
use std::time::{Duration, Instant};

const CUSTOMERS: &str = "tests/fixtures/tui/customers.csv";
const COLOR: UiOptions = UiOptions {
    ascii: false,
    no_color: false,
};

/// Planted groups: (id prefix, customers, balance, transactions a year,
/// days since the last one, age).
const GROUPS: [(&str, usize, f64, u32, u32, u32); 3] = [
    ("A", 240, 2_000.0, 4, 300, 62),
    ("B", 150, 60_000.0, 40, 20, 41),
    ("C", 60, 400_000.0, 150, 3, 28),
];

/// A CSV of the planted groups with a little seeded noise, in a temp dir.
fn planted() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("planted.csv");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    writeln!(
        f,
        "CustomerID,Age,AccountBalance,TxnCount12M,TxnAmount12M,LastTxnDate,OpenDate"
    )
    .unwrap();
    let mut seed = 12345u64;
    let mut noise = || {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((seed >> 33) as f64 / (1u64 << 31) as f64) - 0.5
    };
    for (prefix, n, balance, txns, days, age) in GROUPS {
        for i in 0..n {
            let b = balance * (1.0 + 0.1 * noise());
            let t = (txns as f64 * (1.0 + 0.1 * noise())).round().max(1.0);
            let d = (days as f64 * (1.0 + 0.1 * noise())).round() as u32;
            writeln!(
                f,
                "{prefix}-{i:04},{},{b:.2},{t},{:.2},{},2015-03-01",
                age + (i % 3) as u32,
                b * 0.3,
                chrono_like_date(d)
            )
            .unwrap();
        }
    }
    drop(f);
    (dir, path.to_string_lossy().into_owned())
}

/// 2024-12-31 minus `days` days, as YYYY-MM-DD (a simple civil calendar).
fn chrono_like_date(days: u32) -> String {
    let month_len = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    let (mut y, mut m, mut d) = (2024i32, 12usize, 31u32);
    for _ in 0..days {
        if d > 1 {
            d -= 1;
        } else {
            if m == 1 {
                y -= 1;
                m = 12;
            } else {
                m -= 1;
            }
            d = month_len[m - 1];
            if m == 2 && y % 4 != 0 {
                d = 28;
            }
        }
    }
    format!("{y}-{m:02}-{d:02}")
}

fn config(input: &str, k: Option<usize>) -> RunConfig {
    let mut c = RunConfig {
        input: Some(input.into()),
        ..RunConfig::default()
    };
    c.cluster.k = k;
    c
}

/// The app on `stage` for `cfg`, at `w` x `h`.
fn at(cfg: RunConfig, w: u16, h: u16, stage: Stage) -> Harness {
    let mut hs = Harness::new(cfg, COLOR, w, h);
    hs.settle();
    while hs.app.stage != stage {
        let before = hs.app.stage;
        hs.key(KeyCode::Enter).settle();
        assert_ne!(hs.app.stage, before, "stuck: {:?}", hs.app.status);
    }
    hs
}

/// The rows of the segment table as drawn: (segment id, size), top down.
fn table_rows(text: &str) -> Vec<(u32, usize)> {
    let mut rows = Vec::new();
    let mut in_table = false;
    for line in text.lines() {
        if line.contains("Label") && line.contains("Size") {
            in_table = true;
            continue;
        }
        if in_table {
            if !line.starts_with('│') {
                break;
            }
            let cells: Vec<&str> = line
                .trim_start_matches('│')
                .trim_start_matches("▶")
                .split_whitespace()
                .collect();
            let id: u32 = cells[0].parse().expect("segment id");
            let size = cells
                .iter()
                .find(|c| c.ends_with('%'))
                .and_then(|share| cells.iter().position(|c| c == share))
                .map(|i| cells[i - 1].replace(',', "").parse::<usize>().unwrap())
                .expect("size before share");
            rows.push((id, size));
        }
    }
    rows
}

/// The ids of the bars in the "Segment sizes" pane, top down.
fn bar_ids(text: &str) -> Vec<u32> {
    let mut ids = Vec::new();
    let mut inside = false;
    for line in text.lines() {
        if line.contains("Segment sizes") {
            inside = true;
            continue;
        }
        if inside {
            let Some(rest) = line.strip_prefix('│') else {
                break;
            };
            let id = rest.trim_start_matches('>').split_whitespace().next();
            match id.and_then(|s| s.parse().ok()) {
                Some(id) => ids.push(id),
                None => break,
            }
        }
    }
    ids
}

#[test]
fn s_sorts_the_segments_by_the_next_column_and_shift_s_reverses() {
    let (_dir, path) = planted();
    let mut h = at(config(&path, Some(3)), 120, 40, Stage::Inspect);
    let text = h.text();
    let first = table_rows(&text);
    assert_eq!(
        first.iter().map(|r| r.0).collect::<Vec<_>>(),
        vec![0, 1, 2],
        "by segment number at first:\n{text}"
    );
    let mut sizes: Vec<usize> = first.iter().map(|r| r.1).collect();
    sizes.sort_unstable();
    assert_eq!(sizes, vec![60, 150, 240], "the planted groups:\n{text}");
    let selected = h.app.inspect.selected;
    // s: label; s: size, largest first (marked in the header).
    h.key(KeyCode::Char('s')).key(KeyCode::Char('s'));
    let text = h.text();
    assert!(text.contains("Size▼"), "{text}");
    assert!(text.contains("Sorted by size, largest first"), "{text}");
    let rows = table_rows(&text);
    assert_eq!(
        rows.iter().map(|r| r.1).collect::<Vec<_>>(),
        vec![240, 150, 60],
        "{text}"
    );
    // The bars follow the table's order; the selection stays on its segment.
    assert_eq!(
        bar_ids(&text),
        rows.iter().map(|r| r.0).collect::<Vec<_>>(),
        "{text}"
    );
    assert_eq!(h.app.inspect.selected, selected);
    h.key(KeyCode::Char('S'));
    let text = h.text();
    assert!(text.contains("Size▲"), "{text}");
    assert_eq!(
        table_rows(&text).iter().map(|r| r.1).collect::<Vec<_>>(),
        vec![60, 150, 240],
        "{text}"
    );
    // ↓ walks the table's order, not the segment numbers.
    h.key(KeyCode::Home);
    let top = table_rows(&h.text())[0].0;
    assert_eq!(h.app.inspect.selected as u32, top);
    h.key(KeyCode::Down);
    assert_eq!(h.app.inspect.selected as u32, table_rows(&h.text())[1].0);
    // Sorting by a key average puts it in focus: the mean bars show it.
    let mut pressed = 0;
    while !h.text().contains("Balance▼") {
        h.key(KeyCode::Char('s'));
        pressed += 1;
        assert!(pressed < 20, "never sorted by Balance:\n{}", h.text());
    }
    let text = h.text();
    assert!(text.contains("Mean Balance"), "{text}");
    // Largest balance first: the planted group C (60 customers) on top.
    assert_eq!(table_rows(&text)[0].1, 60, "{text}");
    insta::assert_snapshot!("inspect_sorted_by_balance_120x40", text);
}

#[test]
fn columns_that_do_not_fit_scroll_sideways_with_markers() {
    let mut h = at(config(CUSTOMERS, None), 80, 24, Stage::Inspect);
    let text = h.text();
    assert!(text.contains('▶'), "a marker of hidden columns:\n{text}");
    let names = {
        let p = h.app.data.profiles().unwrap();
        p.segments[0]
            .features
            .iter()
            .map(|f| f.feature.clone())
            .collect::<Vec<_>>()
    };
    // Every feature comes into the header as → moves the focus.
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..names.len() {
        let text = h.text();
        let header = text.lines().find(|l| l.contains("Label")).unwrap();
        for n in &names {
            if header.contains(n.as_str()) {
                seen.insert(n.clone());
            }
        }
        h.key(KeyCode::Right);
    }
    let short: Vec<&String> = names.iter().filter(|n| n.len() <= 8).collect();
    for n in short {
        assert!(seen.contains(n), "{n} never shown: {seen:?}");
    }
    // Moving on from the first columns marks those left behind.
    let mut presses = 0;
    while !h.text().contains('◀') {
        h.key(KeyCode::Right);
        presses += 1;
        assert!(presses <= names.len(), "no ◀ marker:\n{}", h.text());
    }
    let text = h.text();
    assert!(text.contains('◀'), "hidden to the left marked:\n{text}");
}

#[test]
fn search_takes_part_of_an_id_and_lists_the_matches() {
    let (_dir, path) = planted();
    let mut h = at(config(&path, Some(3)), 100, 30, Stage::Inspect);
    h.key(KeyCode::Char('/'))
        .type_str("b-01")
        .key(KeyCode::Enter);
    // B-0100 .. B-0149: 50 ids contain "b-01" (case aside).
    let text = h.text();
    assert!(text.contains("50 customers match 'b-01'"), "{text}");
    assert!(text.contains("B-0100"), "{text}");
    assert_eq!(h.app.inspect.matches.len(), 50);
    h.key(KeyCode::Down).key(KeyCode::Enter);
    let text = h.text();
    assert!(text.contains("Customer B-0101"), "{text}");
    // Esc goes back to the list, then to the table.
    h.key(KeyCode::Esc);
    assert!(h.text().contains("50 customers match"));
    h.key(KeyCode::Esc);
    assert!(h.text().contains("Segment sizes"));
    // An exact id opens the customer at once, whatever its case.
    h.key(KeyCode::Char('/'))
        .type_str("c-0007")
        .key(KeyCode::Enter);
    assert!(h.text().contains("Customer C-0007"), "{}", h.text());
    h.key(KeyCode::Esc);
    // Nothing matches: the box stays open and says what ids look like.
    h.key(KeyCode::Char('/'))
        .type_str("zz9")
        .key(KeyCode::Enter);
    let text = h.text();
    assert!(text.contains("no customer id contains 'zz9'"), "{text}");
    assert!(text.contains("Ids look like A-0000"), "{text}");
}

/// Numbers of a compared row: (A mean, B mean, B − A, words).
fn compared_row(text: &str, feature: &str) -> (f64, f64, f64, String) {
    let line = text
        .lines()
        .find(|l| l.trim_start_matches('│').trim_start().starts_with(feature))
        .unwrap_or_else(|| panic!("no {feature} row:\n{text}"));
    let cells: Vec<&str> = line.trim_matches('│').split_whitespace().collect();
    let num = |s: &str| s.replace([',', '+'], "").parse::<f64>().unwrap();
    let words = if line.contains("B higher") {
        "B higher"
    } else if line.contains("B lower") {
        "B lower"
    } else {
        "alike"
    };
    (
        num(cells[1]),
        num(cells[2]),
        num(cells[3]),
        words.to_string(),
    )
}

#[test]
fn c_compares_two_segments_side_by_side() {
    let (_dir, path) = planted();
    let mut h = at(config(&path, Some(3)), 120, 40, Stage::Inspect);
    // Sizes tell which segment is which planted group.
    let p = h.app.data.profiles().unwrap().clone();
    let of_size = |n: usize| p.segments.iter().position(|s| s.size == n).unwrap();
    let (a, b) = (of_size(240), of_size(60));
    h.app.inspect.selected = a;
    h.key(KeyCode::Char('c'));
    assert!(h.text().contains(&format!("Compare segment {a} with")));
    // Comparing a segment with itself is refused.
    h.key(KeyCode::Enter);
    assert!(h.text().contains("Choose a segment other than"));
    h.key(KeyCode::Home);
    while h.app.inspect.selected != b {
        h.key(KeyCode::Down);
    }
    h.key(KeyCode::Enter);
    let text = h.text();
    assert!(
        text.contains(&format!("Compare A: segment {a} with B: segment {b}")),
        "{text}"
    );
    // Planted balances: about 2,000 and 400,000.
    let (ma, mb, diff, words) = compared_row(&text, "Balance");
    assert!((ma / 2_000.0 - 1.0).abs() < 0.05, "{ma}\n{text}");
    assert!((mb / 400_000.0 - 1.0).abs() < 0.05, "{mb}\n{text}");
    assert!(
        (diff - (mb - ma)).abs() <= 1.0 + 0.001 * mb,
        "{diff}\n{text}"
    );
    assert_eq!(words, "B higher");
    let (_, _, diff, words) = compared_row(&text, "Recency");
    assert!(diff < 0.0 && words == "B lower", "{text}");
    insta::assert_snapshot!("inspect_compare_120x40", text);
    // ←/→ pick another B; Esc goes back to the table.
    h.key(KeyCode::Right);
    assert_ne!(h.app.inspect.compared.unwrap().1, b);
    assert_ne!(h.app.inspect.compared.unwrap().1, a);
    h.key(KeyCode::Esc);
    assert!(h.text().contains("Segment sizes"));
}

/// The sweep's reports, each K's row in the table before the sweep ends.
#[test]
fn the_sweep_streams_each_k_into_the_table_and_the_elbow() {
    let mut h = at(config(CUSTOMERS, None), 120, 40, Stage::Features);
    h.hold_jobs(true);
    h.key(KeyCode::Enter);
    assert_eq!(h.app.stage, Stage::Cluster);
    let job = h.held.pop().expect("the sweep job");
    assert!(h.held.is_empty());
    let events = Mutex::new(Vec::new());
    run_job(job, &|ev| events.lock().unwrap().push(ev));
    let events = events.into_inner().unwrap();
    let fitted = events
        .iter()
        .filter(|e| matches!(e, WorkerEvent::KFitted { .. }))
        .count();
    assert_eq!(fitted, 10, "K = 1 and 2..10");
    let mut rows_seen = 0;
    let mut before_the_end = Vec::new();
    for ev in events {
        // Which progress reports arrive depends on timing; the K do not.
        if matches!(ev, WorkerEvent::Progress { .. }) {
            continue;
        }
        let done = matches!(ev, WorkerEvent::Done { .. });
        let k = match &ev {
            WorkerEvent::KFitted { k, .. } => Some((k.k, k.sse)),
            _ => None,
        };
        h.act(Action::Worker(ev));
        if let Some((k, sse)) = k {
            rows_seen += 1;
            let text = h.text();
            assert!(text.contains("each K as it is fitted"), "{text}");
            assert!(text.contains("spent"), "{text}");
            assert_eq!(h.app.jobs.len(), 1, "the sweep still runs");
            assert_eq!(h.app.jobs[0].fitted.len(), rows_seen);
            before_the_end.push((k, sse));
            if rows_seen == 4 {
                let id = h.app.jobs[0].id;
                h.act(Action::Worker(WorkerEvent::Progress {
                    job: id,
                    fraction: 0.4,
                    message: "K=5: restart 3 of 10".into(),
                }));
                h.app.jobs[0].started = Instant::now() - Duration::from_millis(12_300);
                let text = h.text();
                assert!(text.contains("0:12 spent"), "{text}");
                assert!(text.contains("about 0:18 left"), "{text}");
                insta::assert_snapshot!("cluster_streaming_after_4_k", text);
            }
        }
        if done {
            break;
        }
    }
    h.hold_jobs(false).settle();
    // What streamed is what the sweep kept.
    let sweep = h.app.data.sweep().unwrap().clone();
    for (k, sse) in before_the_end {
        assert_eq!(sweep.get(k).unwrap().fit.inertia, sse, "K={k}");
    }
    assert!(h.text().contains("K  (SSE, silhouette"));
}

#[test]
fn the_estimate_of_time_left_follows_the_share_done() {
    let mut h = at(config(CUSTOMERS, None), 120, 40, Stage::Features);
    h.hold_jobs(true);
    h.key(KeyCode::Enter);
    let id = h.app.jobs[0].id;
    h.act(Action::Worker(WorkerEvent::Progress {
        job: id,
        fraction: 0.5,
        message: "K=4: restart 3 of 10".into(),
    }));
    h.app.jobs[0].started = Instant::now() - Duration::from_millis(12_300);
    let text = h.text();
    assert!(text.contains("0:12 spent"), "{text}");
    assert!(text.contains("about 0:12 left"), "{text}");
}

/// One rule for Enter on Cluster (the App's jump, as for the digits): on a
/// stale sweep it runs the sweep and then opens Inspect; typed while a
/// sweep runs, Inspect opens when it is done; Esc drops it with the sweep.
#[test]
fn enter_on_a_stale_or_running_sweep_opens_inspect_when_it_is_done() {
    let mut h = at(config(CUSTOMERS, None), 80, 24, Stage::Cluster);
    // K to 9: the sweep shown is out of date.
    h.key(KeyCode::Tab).key(KeyCode::Down).key(KeyCode::Left);
    h.key(KeyCode::Tab);
    assert!(h.app.data.sweep_pending(&h.app.config));
    h.key(KeyCode::Enter);
    assert_eq!(h.app.stage, Stage::Cluster, "the sweep runs first");
    assert_eq!(h.app.jump, Some(Stage::Inspect), "{:?}", h.app.status);
    h.settle();
    assert_eq!(h.app.stage, Stage::Inspect, "{:?}", h.app.status);
    assert!(!h.app.data.sweep_pending(&h.app.config));
    assert_eq!(h.app.data.sweep().unwrap().k_max, 9);

    // r runs it again; an Enter typed meanwhile is kept.
    h.key(KeyCode::Char('5'));
    assert_eq!(h.app.stage, Stage::Cluster);
    h.hold_jobs(true);
    h.key(KeyCode::Char('r')).key(KeyCode::Enter);
    let status = h.app.status.as_ref().map(|s| s.text.clone());
    assert!(
        status
            .as_deref()
            .unwrap_or("")
            .contains("Inspect opens when it is done"),
        "{status:?}"
    );
    assert_eq!(h.app.jump, Some(Stage::Inspect));
    assert_eq!(h.app.stage, Stage::Cluster);
    h.hold_jobs(false).settle();
    assert_eq!(h.app.stage, Stage::Inspect, "{:?}", h.app.status);

    // Esc cancels the sweep and the Enter typed before it.
    h.key(KeyCode::Char('5'));
    h.hold_jobs(true);
    h.key(KeyCode::Char('r'))
        .key(KeyCode::Enter)
        .key(KeyCode::Esc);
    assert_eq!(h.app.jump, None);
    h.hold_jobs(false).settle();
    assert_eq!(h.app.stage, Stage::Cluster, "{:?}", h.app.status);
}

#[test]
fn the_elbow_fits_the_range_and_shows_k1_off_the_scale() {
    let mut cfg = config(CUSTOMERS, None);
    cfg.cluster.gap_references = 0;
    let mut h = at(cfg, 120, 40, Stage::Cluster);
    let text = h.text();
    assert!(text.contains("Elbow: SSE by K"), "{text}");
    assert!(text.contains("(off the scale)"), "{text}");
    // The top label is the range's largest SSE (K=2), padded, not K=1's.
    let sweep = h.app.data.sweep().unwrap();
    let k1 = sweep.get(1).unwrap().fit.inertia;
    let k2 = sweep.get(2).unwrap().fit.inertia;
    assert!(k1 > k2 * 1.2, "the fixture's K=1 stands above: {k1} {k2}");
}

/// The main screens at the three sizes the issue names.
#[test]
fn main_screens_at_80x24_120x40_and_200x60() {
    for (w, hgt) in [(80u16, 24u16), (120, 40), (200, 60)] {
        for stage in [Stage::Map, Stage::Features, Stage::Cluster, Stage::Inspect] {
            let mut h = at(config(CUSTOMERS, None), w, hgt, stage);
            let text = h.text();
            if w >= 200 && stage == Stage::Inspect {
                let header = text.lines().find(|l| l.contains("Label")).unwrap();
                let hidden = header
                    .split(['▶', '◀'])
                    .skip(1)
                    .any(|rest| rest.starts_with(|c: char| c.is_ascii_digit()));
                assert!(!hidden, "every column fits at 200 wide:\n{text}");
            }
            insta::assert_snapshot!(format!("{stage:?}_{w}x{hgt}").to_lowercase(), text);
        }
    }
}
