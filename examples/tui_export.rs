//! Runs the TUI's whole path on FILE without a terminal, keys through the
//! real keymap and jobs through the real worker (`tui::harness`): Load,
//! Map, Clean, Features, Cluster (the automatic K), Inspect, then Export
//! of every file into OUT_DIR. Used by `bench/memory/run.sh` to measure the
//! TUI export's peak memory against `--no-tui`.
//!
//!     cargo run --release --example tui_export -- FILE OUT_DIR

use custseg::config::RunConfig;
use custseg::tui::harness::Harness;
use custseg::tui::{Stage, UiOptions};
use ratatui::crossterm::event::KeyCode;
use std::time::Duration;

/// Long enough for the K sweep of a few million customers.
const STAGE_TIMEOUT: Duration = Duration::from_secs(3600);

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [file, out] = args.as_slice() else {
        eprintln!("usage: tui_export FILE OUT_DIR");
        std::process::exit(2);
    };
    let config = RunConfig {
        input: Some(file.into()),
        ..RunConfig::default()
    };
    let ui = UiOptions {
        ascii: true,
        no_color: true,
    };
    let mut h = Harness::new(config, ui, 100, 30);
    h.settle_within(STAGE_TIMEOUT);
    for stage in [
        Stage::Map,
        Stage::Clean,
        Stage::Features,
        Stage::Cluster,
        Stage::Inspect,
    ] {
        h.key(KeyCode::Enter);
        h.settle_within(STAGE_TIMEOUT);
        expect_stage(&h, stage);
    }
    h.key(KeyCode::Char('7'));
    expect_stage(&h, Stage::Export);
    h.key(KeyCode::Char('e'));
    h.ctrl('u').type_str(out).key(KeyCode::Enter);
    h.settle_within(STAGE_TIMEOUT);
    match h.app.data.exported() {
        Some(done) => eprintln!("tui_export: {} files in {}", done.files.len(), out),
        None => {
            eprintln!("tui_export: nothing written: {:?}", h.app.status);
            std::process::exit(1);
        }
    }
}

fn expect_stage(h: &Harness, stage: Stage) {
    if h.app.stage != stage {
        eprintln!(
            "tui_export: expected {:?}, on {:?}: {:?} {:?}",
            stage, h.app.stage, h.app.status, h.app.overlay
        );
        std::process::exit(1);
    }
}
