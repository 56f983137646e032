//! The TUI keeps its stage outputs in the pipeline's `Analysis`, and its
//! screens return effects instead of changing the App: what a change makes
//! stale is decided by the same rule as `--no-tui` (`set_config`), so what
//! the TUI shows is what a replay of its config gives.

use custseg::config::RunConfig;
use custseg::pipeline::analysis::{Analysis, Step};
use custseg::pipeline::clean::IsoDate;
use custseg::pipeline::mapping::Role;
use custseg::pipeline::progress::NoProgress;
use custseg::tui::data::PipelineData;
use custseg::tui::effect::Effect;
use custseg::tui::harness::Harness;
use custseg::tui::jobs::Request;
use custseg::tui::overlay::StatusKind;
use custseg::tui::screens::clean::CleanScreen;
use custseg::tui::screens::{Ctx, Screen};
use custseg::tui::theme::Theme;
use custseg::tui::{Action, Move, Stage, UiOptions};
use ratatui::crossterm::event::KeyCode;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

const UI: UiOptions = UiOptions {
    ascii: false,
    no_color: false,
};

/// Days from 2024-01-01 as an ISO date (2024 is a leap year).
fn date(day: u32) -> String {
    let lengths = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    let (mut year, mut left) = (2024, day);
    loop {
        let in_year = if year == 2024 { 366 } else { 365 };
        if left < in_year {
            break;
        }
        left -= in_year;
        year += 1;
    }
    let mut month = 0;
    loop {
        let len = if month == 1 && year != 2024 {
            28
        } else {
            lengths[month]
        };
        if left < len {
            break;
        }
        left -= len;
        month += 1;
    }
    format!("{year}-{:02}-{:02}", month + 1, left + 1)
}

/// A transaction log of `customers` customers over 2024 and the first half
/// of 2025 (two spending groups), from a seeded generator; also each
/// customer's transaction dates.
fn log_csv(dir: &Path, customers: usize) -> (PathBuf, BTreeMap<String, Vec<String>>) {
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move |n: u64| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state % n
    };
    let mut text = String::from("customer_id,txn_date,amount\n");
    let mut dates = BTreeMap::new();
    for c in 0..customers {
        let id = format!("C{c:04}");
        let big = c % 2 == 0;
        for _ in 0..2 + next(9) {
            let d = date(next(547) as u32);
            let amount = if big { 400 + next(300) } else { 10 + next(60) };
            text.push_str(&format!("{id},{d},{amount}.{:02}\n", next(100)));
            dates.entry(id.clone()).or_insert_with(Vec::new).push(d);
        }
    }
    let path = dir.join("transactions.csv");
    std::fs::write(&path, text).unwrap();
    (path, dates)
}

#[test]
fn an_as_of_date_leaves_later_transactions_out_as_a_replay_does() {
    let dir = tempfile::tempdir().unwrap();
    let (path, dates) = log_csv(dir.path(), 120);
    let config = RunConfig {
        input: Some(path),
        ..RunConfig::default()
    };
    let mut h = Harness::new(config, UI, 100, 30);
    h.settle();
    for _ in 0..3 {
        h.key(KeyCode::Enter).settle();
    }
    assert_eq!(h.app.stage, Stage::Features, "{:?}", h.app.status);
    let before = h.app.data.prepared().cloned().unwrap();
    assert!(before.aggregated.is_some(), "the log is aggregated");

    h.key(KeyCode::Char('e'))
        .ctrl('u')
        .type_str("2024-12-31")
        .key(KeyCode::Enter)
        .settle();
    assert_eq!(h.app.config.clean.as_of, IsoDate::from_ymd(2024, 12, 31));
    let after = h.app.data.prepared().cloned().unwrap();
    assert!(!Arc::ptr_eq(&before, &after), "aggregated again");

    // Frequency counts the transactions up to the as-of date only.
    let f = h.app.data.features().unwrap();
    let freq = f.names.iter().position(|n| n == "Frequency").unwrap();
    let cleaned = h.app.data.cleaned().unwrap();
    let mapping = h.app.data.customer_mapping().unwrap();
    let ids = mapping
        .column_for(Role::CustomerId)
        .and_then(|c| cleaned.table.column(c))
        .and_then(|c| c.texts())
        .unwrap();
    let mut checked = 0;
    for (id, ds) in dates.iter().take(20) {
        let want = ds.iter().filter(|d| d.as_str() <= "2024-12-31").count();
        let Some(row) = (0..cleaned.table.n_rows).find(|&i| ids.get(i) == Some(id)) else {
            assert_eq!(want, 0, "{id} has transactions up to the as-of date");
            continue;
        };
        assert_eq!(f.original_row(row)[freq], want as f64, "{id}");
        checked += 1;
    }
    assert!(checked >= 10, "only {checked} customers checked");

    // The same features as --no-tui with the config the TUI would save.
    let mut headless = Analysis::new(h.app.data.config().clone());
    headless
        .run_to(Step::Features, &NoProgress, &|_| {})
        .unwrap();
    assert_eq!(headless.features().unwrap().original, f.original);
    assert_eq!(h.app.data.config().clean.as_of, h.app.config.clean.as_of);
}

#[test]
fn a_screen_changes_its_state_and_the_config_and_returns_the_rest() {
    let mut config = RunConfig::default();
    let data = PipelineData::default();
    let theme = Theme::new(UI);
    let mut clean = CleanScreen::default();
    let mut cx = Ctx::new(&mut config, &data, &[], &theme, Stage::Clean, None, false);
    clean.update(&mut cx, Action::Move(Move::Right));
    clean.update(&mut cx, Action::Move(Move::Down));
    let effects = cx.into_effects();
    let [
        Effect::Status(StatusKind::Info, msg),
        Effect::Start(Request::Clean),
    ] = &effects[..]
    else {
        panic!("{} effects", effects.len());
    };
    assert!(msg.contains("Max missing 35%"), "{msg}");
    assert_eq!(config.clean.max_missing, 0.35, "the config is edited");
    assert_eq!(clean.selected, 0, "no rows to move through yet");
    assert!(data.cleaned().is_none(), "outputs change only in the App");
}
