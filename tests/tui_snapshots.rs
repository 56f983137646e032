//! Snapshots of the TUI at 80x24, rendered by the real `draw` into a
//! `TestBackend`, driven only through key presses and worker results.
//! Review changes with `cargo insta review`, or regenerate with
//! `INSTA_UPDATE=always cargo test --test tui_snapshots` and read the diff.

use custseg::config::RunConfig;
use custseg::tui::harness::Harness;
use custseg::tui::worker::WorkerEvent;
use custseg::tui::{Action, UiOptions};
use ratatui::crossterm::event::KeyCode;
use ratatui::style::{Color, Modifier};

const CUSTOMERS: &str = "tests/fixtures/tui/customers.csv";
const GBK: &str = "tests/fixtures/csv/semicolon_gbk.csv";

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
    assert!(text.contains("Type a file path"), "{text}");
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
    h.key(KeyCode::Char('r'));
    insta::assert_snapshot!(h.text());
}

#[test]
fn map_help_overlay() {
    let mut h = mapped(CUSTOMERS, COLOR);
    h.key(KeyCode::F(1));
    insta::assert_snapshot!(h.text());
}

#[test]
fn map_enter_says_the_next_stage_is_not_in_this_build() {
    let mut h = mapped(CUSTOMERS, COLOR);
    h.key(KeyCode::Enter);
    assert_eq!(h.app.stage, custseg::tui::Stage::Map);
    let text = h.text();
    assert!(
        text.contains("Clean is not available in this build"),
        "{text}"
    );
    insta::assert_snapshot!(text);
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
