//! Snapshots of the TUI at 80x24, rendered by the real `draw` into a
//! `TestBackend`, driven only through key presses and worker results.
//! Review changes with `cargo insta review`, or regenerate with
//! `INSTA_UPDATE=always cargo test --test tui tui_snapshots::` and read the diff.

use custseg::config::RunConfig;
use custseg::tui::harness::Harness;
use custseg::tui::worker::WorkerEvent;
use custseg::tui::{Action, Stage, UiOptions};
use ratatui::crossterm::event::KeyCode;
use ratatui::style::{Color, Modifier};

const CUSTOMERS: &str = "tests/fixtures/tui/customers.csv";
const GBK: &str = "tests/fixtures/csv/semicolon_gbk.csv";
const MESSY: &str = "tests/fixtures/tui/messy.csv";

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
    no_color: false,
};

fn config(input: Option<&str>) -> RunConfig {
    RunConfig {
        input: input.map(Into::into),
        ..RunConfig::default()
    }
}

/// The Load screen with `input` loaded.
fn loaded(input: &str, ui: UiOptions) -> Harness {
    let mut h = Harness::new(config(Some(input)), ui, 80, 24);
    h.settle();
    h
}

/// The Map screen for `input`.
fn mapped(input: &str, ui: UiOptions) -> Harness {
    let mut h = loaded(input, ui);
    h.key(KeyCode::Enter);
    assert_eq!(h.app.stage, custseg::tui::Stage::Map);
    h
}

#[test]
fn load_screen_with_a_file_loaded() {
    let mut h = loaded(CUSTOMERS, COLOR);
    insta::assert_snapshot!(h.text());
}

#[test]
fn load_screen_chinese_gbk_semicolon() {
    let mut h = loaded(GBK, COLOR);
    insta::assert_snapshot!(h.text());
}

#[test]
fn load_screen_empty_start_then_typing_a_path_offers_completion() {
    let mut h = Harness::new(config(None), COLOR, 80, 24);
    h.app.no_sample_found();
    // (No snapshot: the file list shows the repository root, which changes.)
    let text = h.text();
    assert!(text.contains("No file loaded yet."), "{text}");
    // The way on without a file of one's own (issue 17).
    assert!(text.contains("No file given"), "{text}");
    assert!(text.contains("F2 writes the bundled sample"), "{text}");
    assert!(
        text.contains("F1 help") && text.contains("Ctrl-C quit"),
        "{text}"
    );
    h.type_str("tests/fixtures/tui/cu");
    let text = h.text();
    assert!(text.contains("stomers.csv"), "completion shown:\n{text}");
    insta::assert_snapshot!("load_screen_typing_path", text);
    // → at the end accepts the completion.
    h.key(KeyCode::Right);
    assert_eq!(h.app.load.path.text(), CUSTOMERS);
}

#[test]
fn load_screen_while_loading_shows_progress_and_how_to_cancel() {
    let mut h = Harness::new_held(config(Some(CUSTOMERS)), COLOR, 80, 24);
    let job = h.app.jobs[0].id;
    h.act(Action::Worker(WorkerEvent::Progress {
        job,
        fraction: 0.42,
        message: "reading customers.csv: 420,000 rows".into(),
    }));
    insta::assert_snapshot!(h.text());
}

#[test]
fn load_error_is_shown_with_cause_and_what_to_do() {
    let mut h = loaded("tests/fixtures/tui/missing.csv", COLOR);
    let text = h.text();
    assert!(text.contains("no such file"), "{text}");
    assert!(text.contains("What to do"), "{text}");
    insta::assert_snapshot!(text);
    // Closing the error leaves you where you were, path intact.
    h.key(KeyCode::Esc);
    assert!(h.app.overlay.is_none());
    assert_eq!(h.app.load.path.text(), "tests/fixtures/tui/missing.csv");
    assert_eq!(h.app.stage, custseg::tui::Stage::Load);
}

#[test]
fn load_help_overlay() {
    let mut h = loaded(CUSTOMERS, COLOR);
    h.key(KeyCode::Char('?'));
    insta::assert_snapshot!(h.text());
}

#[test]
fn map_screen() {
    let mut h = mapped(CUSTOMERS, COLOR);
    insta::assert_snapshot!(h.text());
}

#[test]
fn map_screen_chinese_headers() {
    let mut h = mapped(GBK, COLOR);
    insta::assert_snapshot!(h.text());
}

#[test]
fn map_role_picker() {
    let mut h = mapped(CUSTOMERS, COLOR);
    // CreditScore: a number without a role.
    for _ in 0..10 {
        h.key(KeyCode::Down);
    }
    h.key(KeyCode::Char('e'));
    insta::assert_snapshot!(h.text());
}

#[test]
fn map_help_overlay() {
    let mut h = mapped(CUSTOMERS, COLOR);
    h.key(KeyCode::F(1));
    insta::assert_snapshot!(h.text());
}

#[test]
fn too_small_screen() {
    let mut h = loaded(CUSTOMERS, COLOR);
    h.resize(50, 15);
    insta::assert_snapshot!(h.text());
    // And back: the screen comes back whole.
    h.resize(80, 24);
    let text = h.text();
    assert!(
        text.contains("Preview") || text.contains("customers.csv"),
        "{text}"
    );
}

#[test]
fn ascii_load_and_map() {
    let mut h = loaded(CUSTOMERS, ASCII);
    let text = h.text();
    assert!(text.is_ascii(), "ASCII mode drew non-ASCII:\n{text}");
    insta::assert_snapshot!("ascii_load", text);
    h.key(KeyCode::Enter);
    let text = h.text();
    assert!(text.is_ascii(), "ASCII mode drew non-ASCII:\n{text}");
    insta::assert_snapshot!("ascii_map", text);
    h.key(KeyCode::Char('?'));
    let text = h.text();
    assert!(text.is_ascii(), "ASCII help drew non-ASCII:\n{text}");
}

#[test]
fn narrow_minimum_size_still_renders() {
    let mut h = loaded(CUSTOMERS, COLOR);
    h.resize(60, 18);
    insta::assert_snapshot!("load_60x18", h.text());
    h.key(KeyCode::Enter);
    insta::assert_snapshot!("map_60x18", h.text());
}

/// Every cell of row `y` between `x0` and `x1`.
fn row_cells(buf: &ratatui::buffer::Buffer, y: u16) -> Vec<&ratatui::buffer::Cell> {
    (0..buf.area.width).map(|x| &buf[(x, y)]).collect()
}

fn find_row(buf: &ratatui::buffer::Buffer, needle: &str) -> u16 {
    let text = custseg::tui::harness::buffer_text(buf);
    text.lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("no row with {needle:?} in\n{text}")) as u16
}

#[test]
fn no_color_selection_is_reverse_video_and_nothing_is_coloured() {
    let mut h = mapped(CUSTOMERS, NO_COLOR);
    let buf = h.buffer();
    for cell in buf.content() {
        assert_eq!(
            cell.fg,
            Color::Reset,
            "a foreground colour with NO_COLOR: {cell:?}"
        );
        assert_eq!(
            cell.bg,
            Color::Reset,
            "a background colour with NO_COLOR: {cell:?}"
        );
    }
    let y = find_row(&buf, "CustomerID");
    for cell in &row_cells(&buf, y)[2..70] {
        assert!(
            cell.modifier.contains(Modifier::REVERSED),
            "selected row not reversed: {cell:?}"
        );
    }
    // The header shows the current stage in reverse too.
    let text = custseg::tui::harness::buffer_text(&buf);
    let x = text.lines().next().unwrap().find("Map columns").unwrap() as u16;
    assert!(buf[(x, 0)].modifier.contains(Modifier::REVERSED));
    insta::assert_snapshot!(text);
}

#[test]
fn colour_selection_is_white_on_blue_and_other_rows_are_plain() {
    let mut h = mapped(CUSTOMERS, COLOR);
    let buf = h.buffer();
    let y = find_row(&buf, "CustomerID");
    for cell in &row_cells(&buf, y)[2..70] {
        assert_eq!(cell.bg, Color::Blue, "{cell:?}");
    }
    let other = find_row(&buf, "AccountBalance");
    for cell in &row_cells(&buf, other)[2..70] {
        assert_eq!(cell.bg, Color::Reset, "{cell:?}");
        assert!(!cell.modifier.contains(Modifier::REVERSED));
    }
    // Only the 16 ANSI colours are used.
    for cell in buf.content() {
        for c in [cell.fg, cell.bg] {
            assert!(
                !matches!(c, Color::Rgb(..) | Color::Indexed(_)),
                "not one of the 16 colours: {c:?}"
            );
        }
    }
}

// ------------------------------------------------ Clean .. Export

/// `input` driven with Enter (and `e` on Inspect) up to `stage`, at 80x24,
/// every job finished.
fn at(input: &str, ui: UiOptions, stage: Stage) -> Harness {
    let mut h = Harness::new(config(Some(input)), ui, 80, 24);
    h.settle();
    while h.app.stage != stage {
        let before = h.app.stage;
        if before == Stage::Inspect {
            h.key(KeyCode::Char('7'));
        } else {
            h.key(KeyCode::Enter);
        }
        h.settle();
        assert_ne!(h.app.stage, before, "stuck: {:?}", h.app.status);
    }
    h
}

fn assert_plain(h: &mut Harness) {
    let buf = h.buffer();
    for cell in buf.content() {
        assert_eq!(cell.fg, Color::Reset, "a colour with NO_COLOR: {cell:?}");
        assert_eq!(cell.bg, Color::Reset, "a colour with NO_COLOR: {cell:?}");
    }
}

fn assert_ascii(h: &mut Harness) -> String {
    let text = h.text();
    assert!(text.is_ascii(), "ASCII mode drew non-ASCII:\n{text}");
    text
}

#[test]
fn clean_screen_with_a_dropped_column() {
    let mut h = at(MESSY, COLOR, Stage::Clean);
    h.key(KeyCode::End);
    insta::assert_snapshot!(h.text());
}

#[test]
fn clean_threshold_raised_keeps_the_column() {
    let mut h = at(MESSY, COLOR, Stage::Clean);
    h.key(KeyCode::End);
    for _ in 0..3 {
        h.key(KeyCode::Right);
    }
    h.settle();
    let text = h.text();
    assert!(text.contains("imputed") && text.contains("45%"), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn clean_options_pane_and_help() {
    let mut h = at(MESSY, COLOR, Stage::Clean);
    h.key(KeyCode::Tab).key(KeyCode::Down);
    insta::assert_snapshot!("clean_options_pane", h.text());
    h.key(KeyCode::Char('?'));
    insta::assert_snapshot!("clean_help_overlay", h.text());
}

#[test]
fn features_screen() {
    let mut h = at(CUSTOMERS, COLOR, Stage::Features);
    insta::assert_snapshot!(h.text());
}

#[test]
fn features_with_an_excluded_feature_and_a_transform_set() {
    let mut h = at(CUSTOMERS, COLOR, Stage::Features);
    h.key(KeyCode::Down).key(KeyCode::Char('t')).settle();
    h.key(KeyCode::Down).key(KeyCode::Char(' ')).settle();
    insta::assert_snapshot!(h.text());
}

#[test]
fn features_as_of_box_and_help() {
    let mut h = at(CUSTOMERS, COLOR, Stage::Features);
    h.key(KeyCode::Char('e'))
        .type_str("2024-13-01")
        .key(KeyCode::Enter);
    insta::assert_snapshot!("features_as_of_box_with_an_error", h.text());
    h.key(KeyCode::Esc).key(KeyCode::Char('?'));
    insta::assert_snapshot!("features_help_overlay", h.text());
}

#[test]
fn cluster_screen() {
    let mut h = at(CUSTOMERS, COLOR, Stage::Cluster);
    insta::assert_snapshot!(h.text());
}

#[test]
fn cluster_k_moved() {
    let mut h = at(CUSTOMERS, COLOR, Stage::Cluster);
    // The fixture's automatic K is the smallest of the range since issue 15
    // (thirty random customers have no natural groups): move K up.
    h.key(KeyCode::Right).settle();
    insta::assert_snapshot!(h.text());
}

#[test]
fn cluster_options_changed_after_the_sweep() {
    let mut h = at(CUSTOMERS, COLOR, Stage::Cluster);
    h.key(KeyCode::Tab).key(KeyCode::Down).key(KeyCode::Left);
    insta::assert_snapshot!(h.text());
}

#[test]
fn cluster_while_the_sweep_runs() {
    let mut h = at(CUSTOMERS, COLOR, Stage::Features);
    h.hold_jobs(true);
    h.key(KeyCode::Enter);
    let job = h.app.jobs[0].id;
    h.act(Action::Worker(WorkerEvent::Progress {
        job,
        fraction: 0.37,
        message: "K=4: restart 3 of 10".into(),
    }));
    insta::assert_snapshot!(h.text());
}

#[test]
fn cluster_help_overlay() {
    let mut h = at(CUSTOMERS, COLOR, Stage::Cluster);
    h.key(KeyCode::F(1));
    insta::assert_snapshot!(h.text());
}

#[test]
fn cluster_no_color_and_ascii() {
    let mut h = at(CUSTOMERS, NO_COLOR, Stage::Cluster);
    assert_plain(&mut h);
    // The selected K row and the current stage are reversed instead.
    let buf = h.buffer();
    let y = find_row(&buf, "▶");
    assert!(buf[(3, y)].modifier.contains(Modifier::REVERSED));
    insta::assert_snapshot!("cluster_no_color", h.text());
    let mut h = at(CUSTOMERS, ASCII, Stage::Cluster);
    let text = assert_ascii(&mut h);
    insta::assert_snapshot!("cluster_ascii", text);
    // At 80x24 the Structure pane takes the right; v shows the chart.
    h.key(KeyCode::Char('v'));
    let text = assert_ascii(&mut h);
    assert!(text.contains('X'), "the chosen K is marked:\n{text}");
    insta::assert_snapshot!("cluster_ascii_chart", text);
    h.key(KeyCode::Char('?'));
    assert_ascii(&mut h);
}

#[test]
fn inspect_screen() {
    let mut h = at(CUSTOMERS, COLOR, Stage::Inspect);
    insta::assert_snapshot!(h.text());
}

#[test]
fn inspect_segment_drill_down() {
    let mut h = at(CUSTOMERS, COLOR, Stage::Inspect);
    h.key(KeyCode::Down).key(KeyCode::Enter);
    insta::assert_snapshot!(h.text());
}

#[test]
fn inspect_rename_box_then_the_new_label() {
    let mut h = at(CUSTOMERS, COLOR, Stage::Inspect);
    h.key(KeyCode::Char('e'))
        .ctrl('u')
        .type_str("Premier clients");
    insta::assert_snapshot!("inspect_rename_box", h.text());
    h.key(KeyCode::Enter).settle();
    insta::assert_snapshot!("inspect_renamed", h.text());
}

#[test]
fn inspect_customer_found() {
    let mut h = at(CUSTOMERS, COLOR, Stage::Inspect);
    h.key(KeyCode::Char('/'))
        .type_str("C0017")
        .key(KeyCode::Enter);
    insta::assert_snapshot!(h.text());
}

#[test]
fn inspect_pca_scatter() {
    let mut h = at(CUSTOMERS, COLOR, Stage::Inspect);
    h.key(KeyCode::Char('p'));
    insta::assert_snapshot!(h.text());
}

#[test]
fn inspect_help_overlay() {
    let mut h = at(CUSTOMERS, COLOR, Stage::Inspect);
    h.key(KeyCode::Char('?'));
    insta::assert_snapshot!(h.text());
}

#[test]
fn inspect_no_color_and_ascii() {
    let mut h = at(CUSTOMERS, NO_COLOR, Stage::Inspect);
    assert_plain(&mut h);
    insta::assert_snapshot!("inspect_no_color", h.text());
    h.key(KeyCode::Char('p'));
    assert_plain(&mut h);
    let text = h.text();
    assert!(
        text.contains('0') && text.contains('4'),
        "segments drawn as their numbers:\n{text}"
    );
    insta::assert_snapshot!("inspect_pca_no_color", text);
    let mut h = at(CUSTOMERS, ASCII, Stage::Inspect);
    insta::assert_snapshot!("inspect_ascii", assert_ascii(&mut h));
    h.key(KeyCode::Enter);
    insta::assert_snapshot!("inspect_segment_ascii", assert_ascii(&mut h));
    h.key(KeyCode::Esc).key(KeyCode::Char('p'));
    assert_ascii(&mut h);
}

#[test]
fn export_screen() {
    let mut h = at(CUSTOMERS, COLOR, Stage::Export);
    insta::assert_snapshot!(h.text());
    h.key(KeyCode::F(1));
    insta::assert_snapshot!("export_help_overlay", h.text());
}

#[test]
fn export_asks_before_writing_into_a_folder_with_files() {
    let mut h = at(CUSTOMERS, COLOR, Stage::Export);
    h.key(KeyCode::Char('e'))
        .ctrl('u')
        .type_str("tests/fixtures/tui");
    h.key(KeyCode::Enter);
    insta::assert_snapshot!(h.text());
}

#[test]
fn export_lists_the_files_written() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let mut h = at(CUSTOMERS, COLOR, Stage::Export);
    h.key(KeyCode::Char('e'))
        .ctrl('u')
        .type_str(out.to_str().unwrap())
        .key(KeyCode::Enter);
    h.settle();
    let text = h.text();
    for f in [
        "segmentation_results.csv",
        "cluster_summary.csv",
        "segmentation_report.md",
        "model.json",
        "run.toml",
    ] {
        assert!(text.contains(f), "{f} not listed:\n{text}");
    }
    // The charts by name, or as one entry when the files outnumber the rows.
    assert!(
        text.contains("elbow.png") || text.contains("charts (*.png)"),
        "charts not listed:\n{text}"
    );
    assert!(text.contains("Written to"), "{text}");
}

#[test]
fn every_new_screen_at_the_minimum_size() {
    for (stage, name) in [
        (Stage::Clean, "clean_60x18"),
        (Stage::Features, "features_60x18"),
        (Stage::Cluster, "cluster_60x18"),
        (Stage::Inspect, "inspect_60x18"),
        (Stage::Export, "export_60x18"),
    ] {
        let mut h = at(CUSTOMERS, COLOR, stage);
        h.resize(60, 18);
        insta::assert_snapshot!(name, h.text());
    }
}

#[test]
fn every_new_screen_without_colour_and_in_ascii() {
    for stage in [
        Stage::Clean,
        Stage::Features,
        Stage::Cluster,
        Stage::Inspect,
        Stage::Export,
    ] {
        let mut h = at(MESSY, NO_COLOR, stage);
        assert_plain(&mut h);
        h.key(KeyCode::Char('?'));
        assert_plain(&mut h);
        let mut h = at(MESSY, ASCII, stage);
        assert_ascii(&mut h);
        h.key(KeyCode::F(1));
        assert_ascii(&mut h);
    }
}

const ACCOUNT_LOG: &str = "tests/fixtures/logs/account_log.csv";

/// A log whose account column is named like nothing: the key is proposed
/// from its values, and the screen says to check it.
#[test]
fn map_screen_customer_key_from_values() {
    let mut h = mapped(ACCOUNT_LOG, COLOR);
    let text = h.text();
    assert!(
        text.contains("'acc' is the customer id from its values"),
        "{text}"
    );
    insta::assert_snapshot!(text);
}

/// The id column of an aggregated debit/credit log shows how rows were read.
#[test]
fn clean_screen_shows_the_log_policy_on_the_id_column() {
    let mut h = mapped(ACCOUNT_LOG, COLOR);
    h.key(KeyCode::Enter);
    h.settle();
    assert_eq!(h.app.stage, Stage::Clean);
    let text = h.text();
    assert!(text.contains("Policy: money in and out"), "{text}");
    insta::assert_snapshot!(text);
}
