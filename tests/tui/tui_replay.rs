//! A TUI session saved from Export and replayed headless gives the same
//! segments, bit for bit: the TUI is an editor of the RunConfig, and every
//! stage it runs is the pipeline's own stage function.

use custseg::config::RunConfig;
use custseg::pipeline::export;
use custseg::pipeline::progress::NoProgress;
use custseg::pipeline::run::run_all;
use custseg::tui::harness::Harness;
use custseg::tui::{Stage, UiOptions};
use ratatui::crossterm::event::KeyCode;
use std::time::Duration;

const SAMPLE: &str = "samples/customers_en.csv";

#[test]
fn a_tui_run_saved_and_replayed_headless_gives_the_same_segments() {
    let dir = tempfile::tempdir().unwrap();
    let tui_out = dir.path().join("tui");
    let ui = UiOptions {
        ascii: false,
        no_color: false,
    };
    let mut h = Harness::new(
        RunConfig {
            input: Some(SAMPLE.into()),
            ..RunConfig::default()
        },
        ui,
        80,
        24,
    );
    let settle = |h: &mut Harness| {
        h.settle_within(Duration::from_secs(120));
    };
    settle(&mut h);
    // Map, then Clean with a different threshold.
    h.key(KeyCode::Enter).key(KeyCode::Enter);
    assert_eq!(h.app.stage, Stage::Clean);
    settle(&mut h);
    h.key(KeyCode::Left);
    settle(&mut h);
    // Features: Age untransformed is the default; force log on Tenure.
    h.key(KeyCode::Enter);
    assert_eq!(h.app.stage, Stage::Features);
    let tenure = h
        .app
        .data
        .features()
        .unwrap()
        .names
        .iter()
        .position(|n| n == "Tenure")
        .unwrap();
    for _ in 0..tenure {
        h.key(KeyCode::Down);
    }
    h.key(KeyCode::Char('t'));
    settle(&mut h);
    // Cluster: the sweep, then one K more than it chose.
    h.key(KeyCode::Enter);
    assert_eq!(h.app.stage, Stage::Cluster);
    settle(&mut h);
    let auto_k = h.app.data.k().unwrap();
    h.key(KeyCode::Right);
    settle(&mut h);
    let k = h.app.data.k().unwrap();
    assert_eq!(k, auto_k + 1);
    // Inspect: rename segment 1.
    h.key(KeyCode::Enter);
    assert_eq!(h.app.stage, Stage::Inspect);
    settle(&mut h);
    h.key(KeyCode::Down).key(KeyCode::Char('e'));
    h.ctrl('u').type_str("Premier clients").key(KeyCode::Enter);
    settle(&mut h);
    // Export.
    h.key(KeyCode::Char('7'));
    assert_eq!(h.app.stage, Stage::Export);
    h.key(KeyCode::Char('e'));
    h.ctrl('u')
        .type_str(tui_out.to_str().unwrap())
        .key(KeyCode::Enter);
    settle(&mut h);
    assert!(h.app.data.exported().is_some(), "{:?}", h.app.status);

    // What the TUI shows.
    let tui_labels = h
        .app
        .data
        .sweep()
        .unwrap()
        .get(k)
        .unwrap()
        .fit
        .labels
        .clone();
    let tui_segments: Vec<(String, String, usize)> = h
        .app
        .data
        .profiles()
        .unwrap()
        .segments
        .iter()
        .map(|s| (s.label.clone(), s.action.clone(), s.size))
        .collect();

    // The saved config says what was done.
    let cfg = RunConfig::from_toml_file(&tui_out.join("run.toml")).unwrap();
    assert!(
        cfg.input.as_ref().unwrap().is_absolute(),
        "replays from anywhere"
    );
    assert_eq!(cfg.clean.max_missing, 0.25);
    assert!(cfg.features.transform_overrides.contains_key("Tenure"));
    assert_eq!(cfg.cluster.k, Some(k));
    assert_eq!(
        cfg.labels.overrides[&1].label.as_deref(),
        Some("Premier clients")
    );

    // The headless run of that config.
    let run = run_all(&cfg, &NoProgress, &|_| {}).unwrap();
    assert_eq!(run.chosen().k, k);
    assert_eq!(
        run.chosen().fit.labels,
        tui_labels,
        "same segment for every customer"
    );
    let headless_segments: Vec<(String, String, usize)> = run
        .profiles
        .segments
        .iter()
        .map(|s| (s.label.clone(), s.action.clone(), s.size))
        .collect();
    assert_eq!(headless_segments, tui_segments);
    assert_eq!(headless_segments[1].0, "Premier clients");

    // And the same files, byte for byte.
    let headless_out = dir.path().join("headless");
    export::write_all(&run, &cfg, &headless_out, false, &NoProgress).unwrap();
    for name in [
        "segmentation_results.csv",
        "cluster_summary.csv",
        "run.toml",
        "model.json",
        "segmentation_report.md",
    ] {
        let a = std::fs::read(tui_out.join(name)).unwrap();
        let b = std::fs::read(headless_out.join(name)).unwrap();
        assert!(a == b, "{name} differs between the TUI and the replay");
    }
}
