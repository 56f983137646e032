//! State transitions of the TUI, driven by key presses through the real
//! keymap and by worker results (real worker threads, waited for).

use custseg::config::RunConfig;
use custseg::error::Error;
use custseg::pipeline::load::LoadOptions;
use custseg::pipeline::mapping::{ColumnUse, Role};
use custseg::tui::app::{Overlay, StageStatus, StatusKind};
use custseg::tui::harness::Harness;
use custseg::tui::screens::load::Pane;
use custseg::tui::worker::{Job, JobOutput, WorkerEvent, run_job};
use custseg::tui::{Action, Stage, UiOptions};
use ratatui::crossterm::event::KeyCode;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

const CUSTOMERS: &str = "tests/fixtures/tui/customers.csv";
const UI: UiOptions = UiOptions {
    ascii: false,
    no_color: false,
};

fn config(input: Option<&str>) -> RunConfig {
    RunConfig {
        input: input.map(Into::into),
        ..RunConfig::default()
    }
}

fn loaded() -> Harness {
    let mut h = Harness::new(config(Some(CUSTOMERS)), UI, 80, 24);
    h.settle();
    assert!(h.app.data.table.is_some(), "{:?}", h.app.status);
    h
}

fn on_map() -> Harness {
    let mut h = loaded();
    h.key(KeyCode::Enter);
    assert_eq!(h.app.stage, Stage::Map);
    h
}

fn select_column(h: &mut Harness, name: &str) {
    let i = h
        .app
        .data
        .mapping
        .as_ref()
        .unwrap()
        .columns
        .iter()
        .position(|c| c.column == name)
        .unwrap();
    h.key(KeyCode::Home);
    for _ in 0..i {
        h.key(KeyCode::Down);
    }
}

#[test]
fn a_given_file_is_filled_in_and_loaded() {
    let h = loaded();
    assert_eq!(h.app.load.path.text(), CUSTOMERS);
    assert_eq!(h.app.data.table.as_ref().unwrap().n_rows, 30);
    assert_eq!(h.app.stage_status(Stage::Load), StageStatus::Current);
    assert_eq!(h.app.stage_status(Stage::Map), StageStatus::NotYet);
    assert_eq!(h.app.status.as_ref().unwrap().kind, StatusKind::Success);
}

#[test]
fn esc_closes_help_before_going_back() {
    let mut h = on_map();
    h.key(KeyCode::Char('?'));
    assert!(matches!(h.app.overlay, Some(Overlay::Help { .. })));
    h.key(KeyCode::Esc);
    assert!(h.app.overlay.is_none());
    assert_eq!(h.app.stage, Stage::Map, "the first Esc only closes help");
    h.key(KeyCode::Esc);
    assert_eq!(h.app.stage, Stage::Load);
    assert_eq!(h.app.stage_status(Stage::Map), StageStatus::Done);
}

#[test]
fn f1_toggles_help_even_in_the_path_field() {
    let mut h = Harness::new(config(None), UI, 80, 24);
    assert_eq!(h.app.load.focus, Pane::Path);
    h.type_str("q?");
    assert_eq!(
        h.app.load.path.text(),
        "q?",
        "q and ? are text in the path field"
    );
    assert!(!h.app.should_quit);
    h.key(KeyCode::F(1));
    assert!(matches!(h.app.overlay, Some(Overlay::Help { .. })));
    h.key(KeyCode::F(1));
    assert!(h.app.overlay.is_none());
}

#[test]
fn q_quits_at_once_when_idle() {
    let mut h = loaded();
    h.key(KeyCode::Char('q'));
    assert!(h.app.should_quit);
}

#[test]
fn q_while_loading_asks_and_n_keeps_working() {
    let mut h = Harness::new_held(config(Some(CUSTOMERS)), UI, 80, 24);
    assert!(h.app.is_busy());
    h.key(KeyCode::Char('q'));
    assert_eq!(h.app.overlay, Some(Overlay::ConfirmQuit));
    assert!(!h.app.should_quit);
    assert!(h.text().contains("Quit anyway?"));
    h.key(KeyCode::Char('n'));
    assert!(h.app.overlay.is_none());
    assert!(h.app.is_busy(), "the load goes on");
    // Now run the load: it finishes normally.
    h.hold_jobs(false).settle();
    assert!(h.app.data.table.is_some());
}

#[test]
fn q_then_y_while_loading_cancels_and_quits() {
    let mut h = Harness::new_held(config(Some(CUSTOMERS)), UI, 80, 24);
    let cancel = h.app.jobs[0].cancel.clone().unwrap();
    h.key(KeyCode::Char('q')).key(KeyCode::Char('y'));
    assert!(h.app.should_quit);
    assert!(cancel.load(Ordering::Relaxed), "the worker is told to stop");
}

#[test]
fn ctrl_c_always_quits() {
    // In the path field.
    let mut h = Harness::new(config(None), UI, 80, 24);
    h.ctrl('c');
    assert!(h.app.should_quit);
    // With help open.
    let mut h = on_map();
    h.key(KeyCode::Char('?')).ctrl('c');
    assert!(h.app.should_quit);
    // While loading, without asking.
    let mut h = Harness::new_held(config(Some(CUSTOMERS)), UI, 80, 24);
    let cancel = h.app.jobs[0].cancel.clone().unwrap();
    h.ctrl('c');
    assert!(h.app.should_quit);
    assert!(h.app.overlay.is_none());
    assert!(cancel.load(Ordering::Relaxed));
    // On the too-small screen.
    let mut h = loaded();
    h.resize(40, 10).ctrl('c');
    assert!(h.app.should_quit);
}

#[test]
fn esc_cancels_loading_and_a_late_result_is_ignored() {
    let mut h = Harness::new_held(config(Some(CUSTOMERS)), UI, 80, 24);
    let job = h.app.jobs[0].id;
    let cancel = h.app.jobs[0].cancel.clone().unwrap();
    h.key(KeyCode::Esc);
    assert!(cancel.load(Ordering::Relaxed));
    assert!(h.app.jobs.is_empty());
    assert!(h.app.status.as_ref().unwrap().text.contains("cancelled"));
    // The worker's answer arrives after all: it must not change anything.
    h.act(Action::Worker(WorkerEvent::Done {
        job,
        output: JobOutput::Loaded(Err(Error::Cancelled)),
    }));
    assert!(h.app.data.table.is_none());
    assert!(h.app.overlay.is_none());
}

#[test]
fn keys_work_while_loading() {
    let mut h = Harness::new_held(config(Some(CUSTOMERS)), UI, 80, 24);
    let job = h.app.jobs[0].id;
    h.key(KeyCode::Tab);
    assert_eq!(h.app.load.focus, Pane::Path);
    h.key(KeyCode::Tab).key(KeyCode::Down);
    assert_eq!(h.app.load.focus, Pane::Files);
    h.act(Action::Worker(WorkerEvent::Progress {
        job,
        fraction: 0.5,
        message: "half".into(),
    }));
    assert_eq!(h.app.jobs[0].fraction, 0.5);
    h.key(KeyCode::Char('?'));
    assert!(matches!(h.app.overlay, Some(Overlay::Help { .. })));
}

#[test]
fn the_worker_reports_progress_and_honours_cancel() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.csv");
    let mut text = String::from("id,balance,age\n");
    for i in 0..100_000 {
        text.push_str(&format!("C{i},{}.5,{}\n", i % 9000, 20 + i % 60));
    }
    std::fs::write(&path, text).unwrap();

    let events = Mutex::new(Vec::new());
    let job = Job::Load {
        id: 7,
        path: path.clone(),
        options: LoadOptions::default(),
        cancel: Arc::new(AtomicBool::new(false)),
    };
    run_job(job, &|ev| events.lock().unwrap().push(ev));
    let events = events.into_inner().unwrap();
    assert!(
        events
            .iter()
            .any(|e| matches!(e, WorkerEvent::Progress { job: 7, .. })),
        "progress is reported"
    );
    assert!(matches!(
        events.last(),
        Some(WorkerEvent::Done {
            job: 7,
            output: JobOutput::Loaded(Ok(t))
        }) if t.n_rows == 100_000
    ));

    let cancelled = Mutex::new(None);
    let job = Job::Load {
        id: 8,
        path,
        options: LoadOptions::default(),
        cancel: Arc::new(AtomicBool::new(true)),
    };
    run_job(job, &|ev| {
        if let WorkerEvent::Done { output, .. } = ev {
            *cancelled.lock().unwrap() = Some(output);
        }
    });
    assert!(matches!(
        cancelled.into_inner().unwrap(),
        Some(JobOutput::Loaded(Err(Error::Cancelled)))
    ));
}

#[test]
fn going_back_and_forth_keeps_the_mapping_and_does_not_reload() {
    let mut h = on_map();
    select_column(&mut h, "CreditScore");
    h.key(KeyCode::Char('i'));
    assert_eq!(h.app.config.mapping.usage["CreditScore"], ColumnUse::Ignore);
    h.key(KeyCode::Esc);
    assert_eq!(h.app.stage, Stage::Load);
    h.key(KeyCode::Enter);
    assert_eq!(h.app.stage, Stage::Map);
    assert!(h.app.jobs.is_empty(), "nothing reloaded");
    assert_eq!(
        h.app.data.mapping.as_ref().unwrap().usage_of("CreditScore"),
        ColumnUse::Ignore
    );
}

#[test]
fn changing_a_load_option_reloads_and_maps_again_keeping_user_choices() {
    let mut h = on_map();
    select_column(&mut h, "CreditScore");
    h.key(KeyCode::Char('p'));
    h.key(KeyCode::Esc);
    // Options pane: Encoding -> utf-8 (explicit).
    while h.app.load.focus != Pane::Options {
        h.key(KeyCode::Tab);
    }
    h.key(KeyCode::Right);
    assert_eq!(h.app.config.load.encoding.as_deref(), Some("utf-8"));
    assert!(
        h.text().contains("Enter reloads"),
        "the preview says it is stale"
    );
    h.key(KeyCode::Enter);
    assert_eq!(h.app.stage, Stage::Load, "Enter reloads first");
    assert_eq!(h.app.jobs.len(), 1);
    h.settle();
    assert!(
        h.app.data.mapping.is_none(),
        "the new table invalidates the mapping"
    );
    h.key(KeyCode::Enter);
    assert_eq!(h.app.stage, Stage::Map);
    assert_eq!(
        h.app.data.mapping.as_ref().unwrap().usage_of("CreditScore"),
        ColumnUse::Profile,
        "the user's choice is in the RunConfig and applies again"
    );
}

#[test]
fn choosing_a_role_moves_it_and_writes_the_config() {
    let mut h = on_map();
    select_column(&mut h, "CreditScore");
    h.key(KeyCode::Char('r'));
    let Some(Overlay::RolePicker(p)) = &h.app.overlay else {
        panic!("no role list")
    };
    let balance = p
        .choices
        .iter()
        .position(|c| *c == Some(Role::Balance))
        .unwrap();
    assert!(
        !p.choices.contains(&Some(Role::LastDate)),
        "only roles a number column can take"
    );
    h.key(KeyCode::Home);
    for _ in 0..balance {
        h.key(KeyCode::Down);
    }
    h.key(KeyCode::Enter);
    assert!(h.app.overlay.is_none());
    let m = h.app.data.mapping.as_ref().unwrap();
    assert_eq!(m.column_for(Role::Balance), Some("CreditScore"));
    assert_ne!(m.role_of("AccountBalance"), Some(Role::Balance));
    assert_eq!(h.app.config.mapping.roles[&Role::Balance], "CreditScore");
    assert!(h.text().contains("set"), "user choices show as 'set'");

    // Back to automatic.
    h.key(KeyCode::Char('r'))
        .key(KeyCode::Home)
        .key(KeyCode::Enter);
    assert!(h.app.config.mapping.roles.is_empty());
    assert_eq!(
        h.app
            .data
            .mapping
            .as_ref()
            .unwrap()
            .column_for(Role::Balance),
        Some("AccountBalance")
    );
}

#[test]
fn esc_closes_the_role_list_without_changing_anything() {
    let mut h = on_map();
    let before = h.app.data.mapping.clone();
    h.key(KeyCode::Char('r'))
        .key(KeyCode::Down)
        .key(KeyCode::Esc);
    assert!(h.app.overlay.is_none());
    assert_eq!(h.app.stage, Stage::Map);
    assert_eq!(h.app.data.mapping, before);
}

#[test]
fn space_and_arrows_cycle_the_use() {
    let mut h = on_map();
    select_column(&mut h, "Age");
    let usage = |h: &Harness| h.app.data.mapping.as_ref().unwrap().usage_of("Age");
    assert_eq!(usage(&h), ColumnUse::Feature);
    h.key(KeyCode::Char(' '));
    assert_eq!(usage(&h), ColumnUse::Profile);
    h.key(KeyCode::Right);
    assert_eq!(usage(&h), ColumnUse::Ignore);
    h.key(KeyCode::Left);
    assert_eq!(usage(&h), ColumnUse::Profile);
    h.key(KeyCode::Char('f'));
    assert_eq!(usage(&h), ColumnUse::Feature);
}

#[test]
fn enter_on_map_stays_and_explains() {
    let mut h = on_map();
    h.key(KeyCode::Enter);
    assert_eq!(h.app.stage, Stage::Map);
    let s = h.app.status.as_ref().unwrap();
    assert_eq!(s.kind, StatusKind::Warn);
    assert!(s.text.contains("Clean is not available"), "{}", s.text);
}

#[test]
fn a_mapping_setting_that_does_not_fit_is_dropped_with_an_explanation() {
    let mut cfg = config(Some(CUSTOMERS));
    cfg.mapping
        .roles
        .insert(Role::Balance, "NoSuchColumn".into());
    let mut h = Harness::new(cfg, UI, 80, 24);
    h.settle().key(KeyCode::Enter);
    assert_eq!(h.app.stage, Stage::Map);
    let Some(Overlay::Error(e)) = &h.app.overlay else {
        panic!("no error shown: {:?}", h.app.overlay)
    };
    assert!(e.cause.contains("NoSuchColumn"), "{e:?}");
    assert!(h.app.config.mapping.roles.is_empty());
    assert!(h.app.data.mapping.is_some(), "the screen still works");
}

#[test]
fn a_load_error_keeps_you_where_you_were() {
    let mut h = loaded();
    let table = h.app.data.table.clone();
    while h.app.load.focus != Pane::Path {
        h.key(KeyCode::Tab);
    }
    h.ctrl('u').type_str("tests/fixtures/csv/../tui/nope.csv");
    h.key(KeyCode::Enter).settle();
    assert!(matches!(h.app.overlay, Some(Overlay::Error(_))));
    h.key(KeyCode::Enter);
    assert!(h.app.overlay.is_none());
    assert_eq!(h.app.stage, Stage::Load);
    assert_eq!(h.app.load.path.text(), "tests/fixtures/csv/../tui/nope.csv");
    assert!(
        Arc::ptr_eq(h.app.data.table.as_ref().unwrap(), table.as_ref().unwrap()),
        "the loaded table is kept"
    );
}

#[test]
fn typing_a_folder_and_enter_opens_it() {
    let mut h = Harness::new(config(None), UI, 80, 24);
    h.type_str("tests/fixtures/tui").key(KeyCode::Enter);
    assert_eq!(h.app.load.path.text(), "tests/fixtures/tui/");
    assert_eq!(h.app.load.focus, Pane::Files);
    let names: Vec<&str> = h
        .app
        .load
        .browser
        .shown
        .iter()
        .map(|&i| h.app.load.browser.entries[i].name.as_str())
        .collect();
    assert_eq!(names, ["..", "book.xlsx", "customers.csv"]);
    // ↓ to customers.csv, Enter loads it.
    h.key(KeyCode::Down).key(KeyCode::Down).key(KeyCode::Enter);
    assert_eq!(h.app.load.path.text(), CUSTOMERS);
    h.settle();
    assert!(h.app.data.table.is_some());
    // ← goes to the parent folder.
    while h.app.load.focus != Pane::Files {
        h.key(KeyCode::Tab);
    }
    h.key(KeyCode::Left);
    assert_eq!(h.app.load.path.text(), "tests/fixtures/");
}

#[test]
fn completion_extends_to_the_common_prefix() {
    let mut h = Harness::new(config(None), UI, 80, 24);
    h.type_str("tests/fix");
    h.key(KeyCode::End);
    assert_eq!(h.app.load.path.text(), "tests/fixtures/");
    h.type_str("tu").key(KeyCode::Right);
    assert_eq!(h.app.load.path.text(), "tests/fixtures/tui/");
}

#[test]
fn workbooks_offer_their_sheets() {
    let mut h = Harness::new(config(None), UI, 80, 24);
    h.type_str("tests/fixtures/tui/book.xlsx");
    h.settle();
    let (_, sheets) = h.app.load.sheets.clone().expect("sheet names listed");
    assert_eq!(sheets, ["Customers", "Notes"]);
    while h.app.load.focus != Pane::Options {
        h.key(KeyCode::Tab);
    }
    for _ in 0..3 {
        h.key(KeyCode::Down);
    }
    h.key(KeyCode::Right).key(KeyCode::Right);
    assert_eq!(h.app.config.load.sheet.as_deref(), Some("Notes"));
    assert!(h.text().contains("Notes"));
}

#[test]
fn sheet_option_is_not_offered_for_text_files() {
    let mut h = loaded();
    while h.app.load.focus != Pane::Options {
        h.key(KeyCode::Tab);
    }
    for _ in 0..3 {
        h.key(KeyCode::Down);
    }
    h.key(KeyCode::Right);
    assert_eq!(h.app.config.load.sheet, None);
    assert!(h.app.status.as_ref().unwrap().text.contains("workbooks"));
}

#[test]
fn too_small_ignores_keys_except_quit() {
    let mut h = loaded();
    h.resize(50, 12);
    assert!(h.text().contains("Terminal too small"));
    h.key(KeyCode::Enter).key(KeyCode::Char('?'));
    assert_eq!(h.app.stage, Stage::Load);
    assert!(h.app.overlay.is_none());
    h.resize(80, 24);
    assert!(!h.text().contains("Terminal too small"));
    h.key(KeyCode::Char('q'));
    assert!(h.app.should_quit);
}

#[test]
fn options_cycle_both_ways_through_auto() {
    let mut h = loaded();
    while h.app.load.focus != Pane::Options {
        h.key(KeyCode::Tab);
    }
    h.key(KeyCode::Left);
    assert_eq!(h.app.config.load.encoding.as_deref(), Some("shift_jis"));
    h.key(KeyCode::Right);
    assert_eq!(h.app.config.load.encoding, None);
    h.key(KeyCode::Down).key(KeyCode::Right);
    assert_eq!(h.app.config.load.delimiter, Some(','));
    h.key(KeyCode::Down).key(KeyCode::Char(' '));
    assert_eq!(h.app.config.load.header, Some(true));
    h.key(KeyCode::Char('j'))
        .key(KeyCode::Char('j'))
        .key(KeyCode::Char('l'));
    assert_eq!(
        h.app.config.load.date_order,
        custseg::pipeline::load::DateOrder::Mdy
    );
    h.key(KeyCode::Down).key(KeyCode::Right);
    assert!(h.app.config.load.skip_bad_rows);
}
