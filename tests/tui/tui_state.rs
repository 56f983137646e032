//! State transitions of the TUI, driven by key presses through the real
//! keymap and by worker results (real worker threads, waited for).

use custseg::config::RunConfig;
use custseg::error::Error;
use custseg::pipeline::load::LoadOptions;
use custseg::pipeline::mapping::{ColumnUse, Role};
use custseg::tui::app::{JobKind, Overlay, StageStatus, StatusKind};
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
    assert!(h.app.data.table().is_some(), "{:?}", h.app.status);
    h
}

fn on_map() -> Harness {
    let mut h = loaded();
    h.key(KeyCode::Enter);
    assert_eq!(h.app.stage, Stage::Map);
    h
}

fn job_kinds(h: &Harness) -> Vec<JobKind> {
    h.app.jobs.iter().map(|j| j.kind).collect()
}

fn select_column(h: &mut Harness, name: &str) {
    let i = h
        .app
        .data
        .mapping()
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
    assert_eq!(h.app.data.table().unwrap().n_rows, 30);
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
    assert!(h.app.data.table().is_some());
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
    assert!(h.app.data.table().is_none());
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
        expected_sha256: None,
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
        expected_sha256: None,
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
    h.key(KeyCode::Char(' '));
    assert_eq!(h.app.config.mapping.usage["CreditScore"], ColumnUse::Ignore);
    h.key(KeyCode::Esc);
    assert_eq!(h.app.stage, Stage::Load);
    h.key(KeyCode::Enter);
    assert_eq!(h.app.stage, Stage::Map);
    assert!(h.app.jobs.is_empty(), "nothing reloaded");
    assert_eq!(
        h.app.data.mapping().unwrap().usage_of("CreditScore"),
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
        h.app.data.mapping().is_none(),
        "the new table invalidates the mapping"
    );
    h.key(KeyCode::Enter);
    assert_eq!(h.app.stage, Stage::Map);
    assert_eq!(
        h.app.data.mapping().unwrap().usage_of("CreditScore"),
        ColumnUse::Profile,
        "the user's choice is in the RunConfig and applies again"
    );
}

#[test]
fn choosing_a_role_moves_it_and_writes_the_config() {
    let mut h = on_map();
    select_column(&mut h, "CreditScore");
    h.key(KeyCode::Char('e'));
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
    let m = h.app.data.mapping().unwrap();
    assert_eq!(m.column_for(Role::Balance), Some("CreditScore"));
    assert_ne!(m.role_of("AccountBalance"), Some(Role::Balance));
    assert_eq!(h.app.config.mapping.roles[&Role::Balance], "CreditScore");
    assert!(h.text().contains("set"), "user choices show as 'set'");

    // Back to automatic.
    h.key(KeyCode::Char('e'))
        .key(KeyCode::Home)
        .key(KeyCode::Enter);
    assert!(h.app.config.mapping.roles.is_empty());
    assert_eq!(
        h.app.data.mapping().unwrap().column_for(Role::Balance),
        Some("AccountBalance")
    );
}

#[test]
fn esc_closes_the_role_list_without_changing_anything() {
    let mut h = on_map();
    let before = h.app.data.mapping().cloned();
    h.key(KeyCode::Char('e'))
        .key(KeyCode::Down)
        .key(KeyCode::Esc);
    assert!(h.app.overlay.is_none());
    assert_eq!(h.app.stage, Stage::Map);
    assert_eq!(h.app.data.mapping().cloned(), before);
}

#[test]
fn space_includes_and_leaves_out_arrows_cycle_the_use() {
    // Issue 18: Space means include / leave out on Map as on Features
    // (it cycled the use before); the arrows still cycle.
    let mut h = on_map();
    select_column(&mut h, "Age");
    let usage = |h: &Harness| h.app.data.mapping().unwrap().usage_of("Age");
    assert_eq!(usage(&h), ColumnUse::Feature);
    h.key(KeyCode::Char(' '));
    assert_eq!(usage(&h), ColumnUse::Ignore);
    h.key(KeyCode::Char(' '));
    assert_eq!(usage(&h), ColumnUse::Feature, "numeric: back as a feature");
    h.key(KeyCode::Right);
    assert_eq!(usage(&h), ColumnUse::Profile);
    h.key(KeyCode::Right);
    assert_eq!(usage(&h), ColumnUse::Ignore);
    h.key(KeyCode::Left);
    assert_eq!(usage(&h), ColumnUse::Profile);
    h.key(KeyCode::Char('f'));
    assert_eq!(usage(&h), ColumnUse::Feature);
}

#[test]
fn enter_on_map_goes_to_clean_which_cleans_then_builds_the_features() {
    let mut h = on_map();
    h.key(KeyCode::Enter);
    assert_eq!(h.app.stage, Stage::Clean);
    assert_eq!(
        job_kinds(&h),
        [JobKind::Clean],
        "cleaning runs on the worker"
    );
    h.settle();
    assert!(h.app.data.cleaned().is_some());
    assert!(h.app.data.features().is_some(), "Features follows Clean");
    assert!(
        h.app.data.sweep().is_none(),
        "the sweep waits for the Cluster screen"
    );
    let s = h.app.status.as_ref().unwrap();
    assert!(
        s.text.starts_with("Cleaned: 30 rows in, 30 out"),
        "{}",
        s.text
    );
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
    assert!(h.app.data.mapping().is_some(), "the screen still works");
}

#[test]
fn a_load_error_keeps_you_where_you_were() {
    let mut h = loaded();
    let table = h.app.data.table().cloned();
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
        Arc::ptr_eq(h.app.data.table().unwrap(), table.as_ref().unwrap()),
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
    assert_eq!(names, ["..", "book.xlsx", "customers.csv", "messy.csv"]);
    // ↓ to customers.csv, Enter loads it.
    h.key(KeyCode::Down).key(KeyCode::Down).key(KeyCode::Enter);
    assert_eq!(h.app.load.path.text(), CUSTOMERS);
    h.settle();
    assert!(h.app.data.table().is_some());
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
    assert_eq!(h.app.config.load.encoding.as_deref(), Some("utf-16be"));
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

// ------------------------------------------------ Clean .. Export

const MESSY: &str = "tests/fixtures/tui/messy.csv";

/// `input` loaded and driven with Enter (and `e` on Inspect) up to `stage`,
/// every job finished on the way.
fn on_stage(input: &str, stage: Stage) -> Harness {
    let mut h = Harness::new(config(Some(input)), UI, 80, 24);
    h.settle();
    while h.app.stage != stage {
        let before = h.app.stage;
        if before == Stage::Inspect {
            h.key(KeyCode::Char('7'));
        } else {
            h.key(KeyCode::Enter);
        }
        h.settle();
        assert_ne!(
            h.app.stage, before,
            "stuck on {before:?}: {:?} {:?}",
            h.app.status, h.app.overlay
        );
    }
    h
}

fn column_action(h: &Harness, name: &str) -> custseg::pipeline::clean::ColumnAction {
    h.app
        .data
        .cleaned()
        .unwrap()
        .report
        .column(name)
        .unwrap()
        .action
}

#[test]
fn the_threshold_reruns_clean_and_features_only_and_marks_cluster_and_inspect_stale() {
    use custseg::pipeline::clean::ColumnAction;
    let mut h = on_stage(MESSY, Stage::Inspect);
    assert!(h.app.data.profiles().is_some());
    let prepared = h.app.data.prepared().cloned().unwrap();
    h.key(KeyCode::Esc).key(KeyCode::Esc).key(KeyCode::Esc);
    assert_eq!(h.app.stage, Stage::Clean);
    assert_eq!(column_action(&h, "MonthlyIncome"), ColumnAction::Dropped);
    h.key(KeyCode::End);
    let text = h.text();
    assert!(text.contains("41.4%") && text.contains("DROPPED"), "{text}");

    // 30% -> 45%: three presses, each one replacing the clean before it.
    h.hold_jobs(true);
    h.key(KeyCode::Right)
        .key(KeyCode::Right)
        .key(KeyCode::Right);
    assert_eq!(job_kinds(&h), [JobKind::Clean], "only Clean runs, once");
    assert!(
        h.app.data.sweep().is_some(),
        "nothing is dropped until the new result is there"
    );
    h.hold_jobs(false).settle();
    assert_eq!(h.app.config.clean.max_missing, 0.45);
    assert_eq!(column_action(&h, "MonthlyIncome"), ColumnAction::Imputed);
    assert!(
        Arc::ptr_eq(&prepared, h.app.data.prepared().unwrap()),
        "Prepare did not run again"
    );
    let features = h.app.data.features().expect("Features ran again");
    // Kept, and profiled: the table has Recency, Frequency and Monetary, so
    // its other numeric columns are profile only (a hygiene rule).
    assert!(
        features
            .report
            .profile_columns
            .contains(&"MonthlyIncome".to_string()),
        "the kept column is profiled now"
    );
    assert!(h.app.data.sweep().is_none() && h.app.data.profiles().is_none());
    assert_eq!(h.app.stage_status(Stage::Cluster), StageStatus::Stale);
    assert_eq!(h.app.stage_status(Stage::Inspect), StageStatus::Stale);
    assert_eq!(h.app.stage_status(Stage::Features), StageStatus::Done);
    assert!(h.text().lines().next().unwrap().contains("↻ Cluster"));

    // The sweep runs when Cluster is reached again, and the marks go.
    h.key(KeyCode::Enter).key(KeyCode::Enter);
    assert_eq!(h.app.stage, Stage::Cluster);
    assert!(job_kinds(&h).contains(&JobKind::Cluster));
    h.settle();
    assert!(h.app.data.sweep().is_some() && h.app.data.profiles().is_some());
    assert_eq!(h.app.stage_status(Stage::Inspect), StageStatus::Done);
}

#[test]
fn moving_k_reprofiles_without_a_new_sweep_and_auto_goes_back() {
    let mut h = on_stage(CUSTOMERS, Stage::Cluster);
    let sweep = h.app.data.sweep().cloned().unwrap();
    let k0 = h.app.data.k().unwrap();
    assert_eq!(h.app.config.cluster.k, None);
    h.key(KeyCode::Right);
    assert_eq!(job_kinds(&h), [JobKind::Profile], "a profile, no sweep");
    assert_eq!(h.app.config.cluster.k, Some(k0 + 1));
    assert!(h.app.data.profiles().is_none(), "the old segments are gone");
    h.settle();
    assert!(Arc::ptr_eq(&sweep, h.app.data.sweep().unwrap()));
    let p = h.app.data.profiles().unwrap();
    assert_eq!(
        (h.app.data.k().unwrap(), p.segments.len()),
        (k0 + 1, k0 + 1)
    );
    assert!(h.text().contains(&format!("K={}", k0 + 1)));
    // Right, then left, then auto: the sweep's own choice again (issue 15
    // made the fixture's automatic K the smallest, 2, so this no longer
    // goes below it).
    h.key(KeyCode::Right).key(KeyCode::Left).settle();
    assert_eq!(h.app.data.k(), Some(k0 + 1));
    h.key(KeyCode::Delete).settle();
    assert_eq!(h.app.data.k(), Some(k0));
    assert_eq!(h.app.config.cluster.k, None);
    assert!(Arc::ptr_eq(&sweep, h.app.data.sweep().unwrap()));
    // K = 1 and K beyond the sweep cannot be chosen.
    h.key(KeyCode::Home).settle();
    assert_eq!(h.app.data.k(), Some(2));
    h.key(KeyCode::Left);
    assert_eq!(h.app.data.k(), Some(2));
    assert!(h.app.status.as_ref().unwrap().text.contains("smallest K"));
}

#[test]
fn the_auto_choice_after_a_fixed_k_is_the_sweeps_own() {
    // The sweep run with a fixed K reports "fixed"; `a` must find the K the
    // pipeline would choose by itself.
    let auto = on_stage(CUSTOMERS, Stage::Cluster).app.data.k();
    let mut cfg = config(Some(CUSTOMERS));
    cfg.cluster.k = Some(3);
    let mut h = Harness::new(cfg, UI, 80, 24);
    h.settle();
    for _ in 0..4 {
        h.key(KeyCode::Enter).settle();
    }
    assert_eq!(h.app.stage, Stage::Cluster);
    assert_eq!(h.app.data.k(), Some(3));
    h.key(KeyCode::Delete).settle();
    assert_eq!(h.app.data.k(), auto);
}

#[test]
fn sweep_options_make_the_sweep_out_of_date_and_enter_runs_it_again() {
    let mut h = on_stage(CUSTOMERS, Stage::Cluster);
    h.key(KeyCode::Tab).key(KeyCode::Down).key(KeyCode::Left);
    assert_eq!(h.app.config.cluster.k_max, 9);
    assert!(custseg::tui::screens::cluster::pending(&h.app));
    assert!(h.text().contains("changed: r runs it"));
    assert!(h.app.jobs.is_empty(), "nothing runs until asked");
    h.key(KeyCode::Enter);
    assert_eq!(h.app.stage, Stage::Cluster, "Enter runs the sweep first");
    assert_eq!(job_kinds(&h), [JobKind::Cluster]);
    h.settle();
    // Issue 18: then on to Inspect, as the help says; 5 comes back.
    assert_eq!(h.app.stage, Stage::Inspect, "{:?}", h.app.status);
    h.key(KeyCode::Char('5'));
    assert!(!custseg::tui::screens::cluster::pending(&h.app));
    let s = h.app.data.sweep().unwrap();
    assert_eq!(s.results.last().unwrap().k, 9);
    // Typing a value: e on the seed row.
    h.key(KeyCode::Down).key(KeyCode::Down).key(KeyCode::Down);
    h.key(KeyCode::Char('e')).ctrl('u').type_str("x");
    h.key(KeyCode::Enter);
    let Some(Overlay::Input(b)) = &h.app.overlay else {
        panic!("the box stays open: {:?}", h.app.overlay)
    };
    assert!(b.error.as_ref().unwrap().contains("not a whole number"));
    h.ctrl('u').type_str("7").key(KeyCode::Enter);
    assert!(h.app.overlay.is_none());
    assert_eq!(h.app.config.seed, 7);
    assert!(custseg::tui::screens::cluster::pending(&h.app));
}

#[test]
fn esc_cancels_the_sweep_and_r_runs_it_again() {
    let mut h = on_stage(CUSTOMERS, Stage::Features);
    h.hold_jobs(true);
    h.key(KeyCode::Enter);
    assert_eq!(h.app.stage, Stage::Cluster);
    let job = h.app.jobs[0].id;
    let cancel = h.app.jobs[0].cancel.clone().unwrap();
    h.act(Action::Worker(WorkerEvent::Progress {
        job,
        fraction: 0.3,
        message: "K=4: restart 2 of 10".into(),
    }));
    assert!(h.text().contains("K=4: restart 2 of 10"));
    h.key(KeyCode::Char('q'));
    assert_eq!(
        h.app.overlay,
        Some(Overlay::ConfirmQuit),
        "q asks while sweeping"
    );
    h.key(KeyCode::Char('n'));
    h.key(KeyCode::Esc);
    assert!(cancel.load(Ordering::Relaxed));
    assert!(h.app.jobs.is_empty());
    assert_eq!(
        h.app.stage,
        Stage::Cluster,
        "Esc cancels; it does not leave"
    );
    assert!(h.app.status.as_ref().unwrap().text.contains("cancelled"));
    h.key(KeyCode::Char('r'));
    assert_eq!(job_kinds(&h), [JobKind::Cluster]);
    h.hold_jobs(false).settle();
    assert!(h.app.data.sweep().is_some());
}

#[test]
fn rename_writes_the_override_and_it_follows_its_segment_to_another_k() {
    let mut h = on_stage(CUSTOMERS, Stage::Inspect);
    h.key(KeyCode::Down);
    h.key(KeyCode::Char('e'));
    assert!(matches!(h.app.overlay, Some(Overlay::Input(_))));
    h.ctrl('u').type_str("Premier clients").key(KeyCode::Enter);
    assert!(h.app.overlay.is_none());
    let o = &h.app.config.labels.overrides[&1];
    assert_eq!(o.label.as_deref(), Some("Premier clients"));
    h.settle();
    let p = h.app.data.profiles().unwrap();
    assert_eq!(p.segments[1].label, "Premier clients");
    assert!(h.text().contains("Premier clients"));
    // An action edit in the drill-down.
    h.key(KeyCode::Enter).key(KeyCode::Char('a'));
    h.ctrl('u')
        .type_str("Call them")
        .key(KeyCode::Enter)
        .settle();
    assert_eq!(
        h.app.config.labels.overrides[&1].action.as_deref(),
        Some("Call them")
    );
    assert!(h.text().contains("Call them"));
    // Empty: the automatic label again.
    h.key(KeyCode::Char('e'))
        .ctrl('u')
        .key(KeyCode::Enter)
        .settle();
    assert_eq!(h.app.config.labels.overrides[&1].label, None);
    // Another K: the edit was saved with its segment's identity, so it is
    // kept and follows that segment (or is reported when none continues it).
    h.key(KeyCode::Esc).key(KeyCode::Esc);
    assert_eq!(h.app.stage, Stage::Cluster);
    h.key(KeyCode::Right);
    let kept = &h.app.config.labels.overrides[&1];
    assert!(kept.centre.is_some(), "{kept:?}");
    assert!(
        h.app
            .status
            .as_ref()
            .unwrap()
            .text
            .contains("follow their segments")
    );
    h.settle();
    let edits = &h.app.data.profiles().unwrap().edits;
    assert_eq!(edits.applied.len() + edits.unused.len(), 1, "{edits:?}");
    if let Some(&seg) = edits.applied.keys().next() {
        let p = h.app.data.profiles().unwrap();
        assert_eq!(p.segments[seg as usize].action, "Call them");
    }
}

#[test]
fn search_finds_a_customer_and_their_segment() {
    use custseg::tui::screens::inspect::View;
    let mut h = on_stage(CUSTOMERS, Stage::Inspect);
    h.key(KeyCode::Char('/'))
        .type_str("c0007")
        .key(KeyCode::Enter);
    assert!(h.app.overlay.is_none());
    assert_eq!(h.app.inspect.view, View::Customer);
    let found = h.app.inspect.customer.clone().unwrap();
    assert_eq!((found.id.as_str(), found.row), ("C0007", 6));
    let text = h.text();
    assert!(text.contains("Customer C0007"), "{text}");
    assert!(text.contains("line 8"), "{text}");
    // Enter opens their segment.
    let k = h.app.data.k().unwrap();
    let label = h.app.data.sweep().unwrap().get(k).unwrap().fit.labels[6];
    h.key(KeyCode::Enter);
    assert_eq!(h.app.inspect.view, View::Segment);
    assert_eq!(h.app.inspect.selected, label as usize);
    // Unknown ids keep the box open with the reason.
    h.key(KeyCode::Esc);
    h.key(KeyCode::Char('/'))
        .type_str("nope")
        .key(KeyCode::Enter);
    let Some(Overlay::Input(b)) = &h.app.overlay else {
        panic!("box closed")
    };
    assert!(
        b.error
            .as_ref()
            .unwrap()
            .contains("no customer id contains 'nope'")
    );
    assert!(h.text().contains("Ids look like C0001"));
    h.key(KeyCode::Esc);
    assert!(h.app.overlay.is_none());
    assert_eq!(h.app.inspect.view, View::Segments);
}

#[test]
fn export_asks_before_overwriting_and_lists_what_it_wrote() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("keep.txt"), "mine").unwrap();
    let mut h = on_stage(CUSTOMERS, Stage::Export);
    h.key(KeyCode::Char('e'));
    assert!(
        h.app.key_context().text_input,
        "the folder field has the keys"
    );
    h.ctrl('u').type_str(out.to_str().unwrap());
    assert!(h.text().contains("holds 1 file"));
    h.key(KeyCode::Enter);
    assert!(matches!(
        h.app.overlay,
        Some(Overlay::Confirm(custseg::tui::app::Question::Overwrite {
            files: 1,
            ..
        }))
    ));
    assert!(h.text().contains("Overwrite?"));
    h.key(KeyCode::Char('n'));
    assert!(h.app.overlay.is_none() && h.app.jobs.is_empty());
    assert_eq!(
        std::fs::read_dir(&out).unwrap().count(),
        1,
        "nothing written"
    );
    h.key(KeyCode::Enter).key(KeyCode::Char('y'));
    assert_eq!(job_kinds(&h), [JobKind::Export]);
    h.settle();
    let done = h.app.data.exported().cloned().expect("written");
    let names: Vec<String> = done
        .files
        .iter()
        .map(|(p, _)| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    for want in [
        "segmentation_results.csv",
        "cluster_summary.csv",
        "elbow.png",
        "segmentation_report.md",
        "model.json",
        "run.toml",
    ] {
        assert!(names.iter().any(|n| n == want), "{want} not in {names:?}");
        assert!(out.join(want).is_file());
    }
    assert_eq!(
        std::fs::read_to_string(out.join("keep.txt")).unwrap(),
        "mine"
    );
    assert_eq!(h.app.stage_status(Stage::Export), StageStatus::Current);
    let text = h.text();
    assert!(text.contains("run.toml") && text.contains("segmentation_results.csv"));
    assert!(h.app.status.as_ref().unwrap().text.contains("--config"));

    // Unchecked files are not written.
    let other = dir.path().join("only-csv");
    h.key(KeyCode::Down).key(KeyCode::Down).key(KeyCode::Down);
    h.key(KeyCode::Char(' '));
    assert!(!h.app.export.chosen[2], "charts unchecked");
    h.key(KeyCode::Home)
        .key(KeyCode::Char('e'))
        .ctrl('u')
        .type_str(other.to_str().unwrap());
    h.key(KeyCode::Enter);
    assert!(h.app.overlay.is_none(), "a new folder needs no question");
    h.settle();
    assert!(other.join("segmentation_results.csv").is_file());
    assert!(!other.join("elbow.png").exists());
}

#[test]
fn features_transform_and_exclusion_are_written_to_the_config() {
    use custseg::pipeline::features::Transform;
    let mut h = on_stage(CUSTOMERS, Stage::Features);
    let names = h.app.data.features().unwrap().names.clone();
    let j = names.iter().position(|n| n == "Balance").unwrap();
    for _ in 0..j {
        h.key(KeyCode::Down);
    }
    let info = |h: &Harness| {
        h.app
            .data
            .features()
            .unwrap()
            .report
            .feature("Balance")
            .cloned()
    };
    assert_eq!(info(&h).unwrap().transform, Transform::Log1p);
    h.key(KeyCode::Char('t'));
    assert_eq!(job_kinds(&h), [JobKind::Features], "Features only");
    h.settle();
    assert_eq!(
        h.app.config.features.transform_overrides["Balance"],
        Transform::None
    );
    assert_eq!(info(&h).unwrap().transform, Transform::None);
    assert!(h.text().contains("none set"));
    h.key(KeyCode::Char(' ')).settle();
    assert_eq!(h.app.config.features.drop_features, ["Balance"]);
    assert!(info(&h).is_none());
    assert!(
        h.app.config.features.transform_overrides.is_empty(),
        "no setting for a feature that is not there"
    );
    assert!(h.text().contains("excluded by you"));
    assert_eq!(h.app.data.features().unwrap().d, names.len() - 1);
    // The excluded row stays where it is selected... at the end of the
    // list, before the columns a hygiene rule keeps out.
    let ruled = h
        .app
        .data
        .features()
        .unwrap()
        .report
        .ruled
        .iter()
        .filter(|r| r.applied)
        .count();
    h.key(KeyCode::End);
    for _ in 0..ruled {
        h.key(KeyCode::Up);
    }
    h.key(KeyCode::Char(' ')).settle();
    assert!(h.app.config.features.drop_features.is_empty());
    assert_eq!(h.app.data.features().unwrap().d, names.len());
}

#[test]
fn the_as_of_date_is_checked_and_cleans_again() {
    use custseg::pipeline::clean::IsoDate;
    let mut h = on_stage(CUSTOMERS, Stage::Features);
    h.key(KeyCode::Char('e'));
    h.type_str("31/01/2025").key(KeyCode::Enter);
    let Some(Overlay::Input(b)) = &h.app.overlay else {
        panic!("box closed")
    };
    assert!(b.error.as_ref().unwrap().contains("YYYY-MM-DD"), "{b:?}");
    h.ctrl('u').type_str("2025-01-31").key(KeyCode::Enter);
    assert!(h.app.overlay.is_none());
    assert_eq!(
        job_kinds(&h),
        [JobKind::Clean],
        "Clean first, then Features"
    );
    h.settle();
    let want = IsoDate::from_ymd(2025, 1, 31);
    assert_eq!(h.app.config.clean.as_of, want);
    assert_eq!(h.app.data.features().unwrap().report.as_of, want);
    assert!(h.text().contains("as-of 2025-01-31 (set)"));
}

#[test]
fn a_clean_error_is_shown_and_the_option_is_put_back() {
    use custseg::pipeline::clean::DuplicatePolicy;
    let mut h = on_stage(MESSY, Stage::Clean);
    h.key(KeyCode::Tab)
        .key(KeyCode::Down)
        .key(KeyCode::Right)
        .settle();
    assert_eq!(h.app.config.clean.duplicates, DuplicatePolicy::KeepLast);
    h.key(KeyCode::Right).settle();
    let Some(Overlay::Error(e)) = &h.app.overlay else {
        panic!("no error: {:?}", h.app.overlay)
    };
    assert!(e.cause.contains("M003"), "{e:?}");
    assert!(e.hint.contains("keep-first or keep-last"), "{e:?}");
    assert_eq!(
        h.app.config.clean.duplicates,
        DuplicatePolicy::KeepLast,
        "the config matches the result shown again"
    );
    h.key(KeyCode::Esc);
    assert_eq!(h.app.stage, Stage::Clean);
    assert!(h.app.data.cleaned().is_some() && h.app.data.features().is_some());
}

#[test]
fn a_column_a_rule_keeps_out_is_listed_with_its_reason_and_space_clusters_on_it() {
    use custseg::pipeline::mapping::ColumnUse;
    let mut h = on_stage(CUSTOMERS, Stage::Features);
    let f = h.app.data.features().unwrap();
    assert!(!f.names.contains(&"CreditScore".to_string()));
    assert!(
        f.report
            .ruled
            .iter()
            .any(|r| r.column == "CreditScore" && r.applied)
    );
    // The ruled column is the last row; its reason is shown.
    h.key(KeyCode::End);
    let text = h.text();
    assert!(
        text.contains("CreditScore") && text.contains("Space: cluster on it"),
        "{text}"
    );
    assert!(text.contains("Recency, Frequency and Monetary"), "{text}");
    h.key(KeyCode::Char(' ')).settle();
    assert_eq!(
        h.app.config.mapping.usage.get("CreditScore"),
        Some(&ColumnUse::Feature),
        "written as the user's use of the column"
    );
    let f = h.app.data.features().expect("built again");
    assert!(
        f.names.contains(&"CreditScore".to_string()),
        "{:?}",
        f.names
    );
}

// ---- an empty start offers the bundled sample (issue 17) -----------------

mod empty_start {
    use super::*;
    use custseg::sample::bundled::{BUNDLED_CSV, BUNDLED_CUSTOMERS};
    use custseg::tui::screens::load::SampleDirs;
    use std::path::{Path, PathBuf};

    fn status(h: &Harness) -> String {
        h.app
            .status
            .as_ref()
            .map(|s| s.text.clone())
            .unwrap_or_default()
    }

    /// The header of the embedded file, read here, not by custseg.
    fn sample_header() -> Vec<String> {
        let text = std::str::from_utf8(BUNDLED_CSV).unwrap();
        let first = text.lines().next().unwrap();
        first.split(',').map(str::to_string).collect()
    }

    /// A session as an installed binary starts it: no file given, no
    /// `samples/` folder beside the working folder or above the executable.
    fn installed_start(here: &Path, temp: &Path) -> Harness {
        let exe = here.join("bin").join("custseg");
        std::fs::create_dir_all(exe.parent().unwrap()).unwrap();
        assert_eq!(custseg::tui::find_sample_from(here, Some(&exe)), None);
        let mut h = Harness::new(config(None), UI, 80, 24);
        custseg::tui::start_without_input(&mut h.app, None);
        h.app.load.sample_dirs = SampleDirs {
            here: here.to_path_buf(),
            temp: temp.to_path_buf(),
        };
        h
    }

    /// F2 (in the path field, where the session starts), then the load.
    fn press_f2(h: &mut Harness) {
        assert!(h.app.key_context().text_input, "F2 works in the path field");
        h.key(KeyCode::F(2)).settle();
    }

    fn files_in(dir: &Path) -> Vec<PathBuf> {
        let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn the_sample_on_disk_is_found_from_the_folder_or_above_the_executable() {
        let repo = tempfile::tempdir().unwrap();
        let sample = repo.path().join("samples/customers_en.csv");
        std::fs::create_dir_all(sample.parent().unwrap()).unwrap();
        std::fs::write(&sample, BUNDLED_CSV).unwrap();
        let elsewhere = tempfile::tempdir().unwrap();
        let exe = repo.path().join("target/release/custseg");
        assert_eq!(
            custseg::tui::find_sample_from(repo.path(), None),
            Some(sample.clone())
        );
        assert_eq!(
            custseg::tui::find_sample_from(elsewhere.path(), Some(&exe)),
            Some(sample)
        );
        let installed = elsewhere.path().join("opt/custseg/bin/custseg");
        assert_eq!(
            custseg::tui::find_sample_from(elsewhere.path(), Some(&installed)),
            None
        );
    }

    #[test]
    fn an_installed_start_offers_the_bundled_sample_in_words() {
        let here = tempfile::tempdir().unwrap();
        let temp = tempfile::tempdir().unwrap();
        let mut h = installed_start(here.path(), temp.path());
        assert!(h.app.data.table().is_none() && h.app.jobs.is_empty());
        let text = h.text();
        assert!(status(&h).contains("F2 for the bundled sample"), "{text}");
        for words in [
            "No file loaded yet.",
            "F2 writes the bundled sample (3,000 customers) to this folder and loads it.",
            "F2 sample",
            "custseg sample --rows 100000 --out customers.csv",
        ] {
            assert!(text.contains(words), "{words}:\n{text}");
        }
        // What loads, from the loader's own lists (not the old "CSV, TSV,
        // XLSX, XLS, ODS"): compressed text, workbooks, Parquet and Arrow.
        for ext in [
            ".csv", ".tsv", ".gz", ".zst", ".xlsx", ".ods", ".parquet", ".arrow",
        ] {
            assert!(text.contains(ext), "{ext}:\n{text}");
        }
        // Nothing is written before the key is pressed.
        assert!(files_in(here.path()).iter().all(|p| p.ends_with("bin")));
        assert!(files_in(temp.path()).is_empty());
    }

    #[test]
    fn f2_writes_the_sample_here_loads_it_and_map_shows_its_columns() {
        let here = tempfile::tempdir().unwrap();
        let temp = tempfile::tempdir().unwrap();
        let mut h = installed_start(here.path(), temp.path());
        press_f2(&mut h);
        let written = here.path().join("customers_en.csv");
        assert_eq!(std::fs::read(&written).unwrap(), BUNDLED_CSV);
        assert!(files_in(temp.path()).is_empty(), "nothing in temp");
        // The path field, the run's input (what run.toml saves) and the
        // status all name the real file.
        assert_eq!(h.app.load.path.text(), written.to_str().unwrap());
        assert_eq!(h.app.config.input.as_deref(), Some(written.as_path()));
        let s = status(&h);
        assert!(
            s.starts_with(&format!("Bundled sample written to {}", written.display())),
            "{s}"
        );
        let table = h.app.data.table().expect("loaded");
        assert_eq!(table.n_rows, BUNDLED_CUSTOMERS);
        h.key(KeyCode::Enter);
        assert_eq!(h.app.stage, Stage::Map, "{:?}", h.app.status);
        let mapped: Vec<String> = h
            .app
            .data
            .mapping()
            .unwrap()
            .columns
            .iter()
            .map(|c| c.column.clone())
            .collect();
        assert_eq!(mapped, sample_header());
        let text = h.text();
        for column in ["CustomerID", "AccountBalance", "LastTxnDate"] {
            assert!(text.contains(column), "{column}:\n{text}");
        }
        let mapping = h.app.data.mapping().unwrap();
        assert_eq!(mapping.column_for(Role::CustomerId), Some("CustomerID"));
    }

    #[test]
    fn f2_never_overwrites_a_customers_en_csv_already_here() {
        let here = tempfile::tempdir().unwrap();
        let temp = tempfile::tempdir().unwrap();
        let mine = here.path().join("customers_en.csv");
        let my_bytes = b"CustomerID,Balance\nA1,10\nA2,20\n";
        std::fs::write(&mine, my_bytes).unwrap();
        let mut h = installed_start(here.path(), temp.path());
        press_f2(&mut h);
        assert_eq!(
            std::fs::read(&mine).unwrap(),
            my_bytes,
            "the user's file is kept"
        );
        let copy = here.path().join("customers_en-2.csv");
        assert_eq!(std::fs::read(&copy).unwrap(), BUNDLED_CSV);
        assert_eq!(h.app.config.input.as_deref(), Some(copy.as_path()));
        assert_eq!(h.app.data.table().unwrap().n_rows, BUNDLED_CUSTOMERS);
        let s = status(&h);
        assert!(
            s.contains("customers_en.csv is another file, left as it is"),
            "{s}"
        );
        assert!(s.contains("customers_en-2.csv"), "{s}");
        // Again (e.g. the next session): the copy is used, no third file.
        h.key(KeyCode::F(2)).settle();
        assert_eq!(h.app.config.input.as_deref(), Some(copy.as_path()));
        assert_eq!(files_in(here.path()).len(), 3, "bin, mine, the copy");
        assert_eq!(std::fs::read(&mine).unwrap(), my_bytes);
    }

    #[test]
    fn f2_in_a_folder_it_cannot_write_uses_a_temp_folder_and_says_where() {
        let base = tempfile::tempdir().unwrap();
        let temp = tempfile::tempdir().unwrap();
        // A "folder" that is a regular file fails for every user, root too.
        let not_a_folder = base.path().join("notes.txt");
        std::fs::write(&not_a_folder, "x").unwrap();
        let mut cases = vec![not_a_folder];
        #[cfg(unix)]
        {
            // Read-only folder: only refused to a user other than root.
            // SAFETY: geteuid has no preconditions.
            if unsafe { libc::geteuid() } != 0 {
                use std::os::unix::fs::PermissionsExt;
                let ro = base.path().join("read-only");
                std::fs::create_dir(&ro).unwrap();
                std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o500)).unwrap();
                cases.push(ro);
            }
        }
        for here in cases {
            let mut h = Harness::new(config(None), UI, 80, 24);
            custseg::tui::start_without_input(&mut h.app, None);
            h.app.load.sample_dirs = SampleDirs {
                here: here.clone(),
                temp: temp.path().to_path_buf(),
            };
            press_f2(&mut h);
            let input = h.app.config.input.clone().expect("an input");
            assert!(input.starts_with(temp.path()), "{input:?}");
            assert_eq!(std::fs::read(&input).unwrap(), BUNDLED_CSV);
            assert_eq!(h.app.data.table().unwrap().n_rows, BUNDLED_CUSTOMERS);
            let s = status(&h);
            assert!(s.starts_with("Cannot write in this folder ("), "{s}");
            assert!(s.contains(&input.display().to_string()), "{s}");
        }
    }

    #[test]
    fn f2_with_nowhere_to_write_says_so_and_loads_nothing() {
        let base = tempfile::tempdir().unwrap();
        let not_a_folder = base.path().join("notes.txt");
        std::fs::write(&not_a_folder, "x").unwrap();
        let mut h = Harness::new(config(None), UI, 80, 24);
        h.app.load.sample_dirs = SampleDirs {
            here: not_a_folder.clone(),
            temp: not_a_folder.clone(),
        };
        press_f2(&mut h);
        assert!(h.app.data.table().is_none());
        assert!(h.app.config.input.is_none());
        assert!(matches!(h.app.overlay, Some(Overlay::Error(_))));
        let text = h.text();
        assert!(
            text.contains("Could not write the bundled sample"),
            "{text}"
        );
        assert!(text.contains("custseg sample"), "{text}");
        assert_eq!(std::fs::read(&not_a_folder).unwrap(), b"x");
    }

    #[test]
    fn f2_means_nothing_past_load() {
        let mut h = on_map();
        let before = h.app.config.input.clone();
        h.key(KeyCode::F(2));
        assert_eq!(h.app.stage, Stage::Map);
        assert_eq!(h.app.config.input, before);
        assert!(h.app.jobs.is_empty());
    }
}
