//! Issue 18: the key grammar and navigation, driven through the real keymap
//! (harness: real worker threads, real drawing into a test backend): the
//! README's key table is the code's, digits jump (running what is needed),
//! Enter typed during work is kept, q asks before losing edits, the Quit?
//! box shows its keys at every size, help scrolls and wraps, Space keeps
//! the Features row in place, stale status lines go, the file list shows
//! what the loader reads.

use custseg::config::RunConfig;
use custseg::tui::app::Overlay;
use custseg::tui::harness::Harness;
use custseg::tui::help_text;
use custseg::tui::keymap::{self, BINDINGS, Scope};
use custseg::tui::{Action, Stage, UiOptions};
use ratatui::crossterm::event::KeyCode;

const CUSTOMERS: &str = "tests/fixtures/tui/customers.csv";
const UI: UiOptions = UiOptions {
    ascii: false,
    no_color: false,
};
const ASCII: UiOptions = UiOptions {
    ascii: true,
    no_color: true,
};

fn config(input: Option<&str>) -> RunConfig {
    RunConfig {
        input: input.map(Into::into),
        ..RunConfig::default()
    }
}

fn loaded_at(w: u16, h: u16, ui: UiOptions) -> Harness {
    let mut h = Harness::new(config(Some(CUSTOMERS)), ui, w, h);
    h.settle();
    assert!(h.app.data.table().is_some(), "{:?}", h.app.status);
    h
}

fn loaded() -> Harness {
    loaded_at(80, 24, UI)
}

fn ch(h: &mut Harness, c: char) -> &mut Harness {
    h.key(KeyCode::Char(c))
}

// ---- the one table -------------------------------------------------------

#[test]
fn readme_key_table_is_the_one_help_shows() {
    let readme = std::fs::read_to_string("README.md").unwrap();
    let (begin, end) = ("<!-- keys:begin -->\n", "<!-- keys:end -->");
    let a = readme
        .find(begin)
        .expect("README has the keys:begin marker")
        + begin.len();
    let b = readme.find(end).expect("README has the keys:end marker");
    let want = keymap::markdown_table();
    if readme[a..b] != want {
        if std::env::var_os("CUSTSEG_UPDATE_README").is_some() {
            let updated = format!("{}{want}{}", &readme[..a], &readme[b..]);
            std::fs::write("README.md", updated).unwrap();
            return;
        }
        panic!(
            "README's key table differs from keymap::BINDINGS (CUSTSEG_UPDATE_README=1 rewrites it); expected:\n{want}"
        );
    }
    // Every row of the table is in the help of each screen it is for.
    for stage in Stage::ALL {
        let mut h = loaded_at(200, 60, UI);
        h.app.stage = stage;
        h.app.update(Action::Help);
        let lines = help_text::layout(h.app.screen(stage).help(), stage, false, 197);
        let all: String = lines
            .iter()
            .map(|l| format!("{}{}", l.key, l.text))
            .collect::<Vec<_>>()
            .join("\n");
        for b in BINDINGS.iter().filter(|b| b.scope.covers(stage)) {
            let shadowed = b.scope == Scope::Everywhere
                && BINDINGS.iter().any(|o| {
                    o.scope != Scope::Everywhere && o.scope.covers(stage) && o.keys == b.keys
                });
            if !shadowed {
                assert!(all.contains(b.keys), "{stage:?}: {}", b.keys);
                assert!(all.contains(b.meaning), "{stage:?}: {}", b.meaning);
            }
        }
        let text = h.text();
        assert!(text.contains(&format!("Help: {}", stage.title())), "{text}");
    }
}

// ---- digits jump ---------------------------------------------------------

#[test]
fn a_digit_runs_what_is_needed_and_one_key_goes_back() {
    let mut h = loaded();
    ch(&mut h, '6').settle();
    assert_eq!(h.app.stage, Stage::Inspect, "{:?}", h.app.status);
    assert!(h.app.data.profiles().is_some());
    assert!(h.app.jump.is_none());
    ch(&mut h, '7').settle();
    assert_eq!(h.app.stage, Stage::Export);
    // Export -> Map is one key, the mapping and results kept.
    ch(&mut h, '2');
    assert_eq!(h.app.stage, Stage::Map);
    assert!(h.app.data.profiles().is_some());
    ch(&mut h, '1');
    assert_eq!(h.app.stage, Stage::Load);
    ch(&mut h, '5').settle();
    assert_eq!(h.app.stage, Stage::Cluster);
}

#[test]
fn esc_cancels_a_jump_and_its_running_step() {
    let mut h = loaded();
    h.hold_jobs(true);
    ch(&mut h, '6');
    // Map opened at once; Clean is running (held), the jump waits for it.
    assert_eq!(h.app.stage, Stage::Clean);
    assert_eq!(h.app.jump, Some(Stage::Inspect));
    assert!(h.app.is_busy());
    h.key(KeyCode::Esc);
    assert_eq!(h.app.jump, None);
    assert!(!h.app.is_busy(), "the clean was cancelled");
    h.hold_jobs(false).settle();
    assert_eq!(h.app.stage, Stage::Clean, "no step after Esc");
}

#[test]
fn a_jump_stops_where_a_stage_cannot_open_yet() {
    let mut h = Harness::new(config(None), UI, 80, 24);
    // Out of the path field (there a digit is text).
    while h.app.key_context().text_input {
        h.key(KeyCode::Tab);
    }
    ch(&mut h, '4');
    assert_eq!(h.app.stage, Stage::Load);
    assert!(h.app.jump.is_none());
    let status = h
        .app
        .status
        .as_ref()
        .map(|s| s.text.clone())
        .unwrap_or_default();
    assert!(status.contains("Load a file first"), "{status}");
}

#[test]
fn an_enter_typed_while_clean_runs_is_kept() {
    let mut h = loaded();
    h.key(KeyCode::Enter);
    assert_eq!(h.app.stage, Stage::Map);
    h.hold_jobs(true);
    h.key(KeyCode::Enter);
    assert_eq!(h.app.stage, Stage::Clean);
    assert!(h.app.is_busy());
    h.key(KeyCode::Enter);
    let text = h.text();
    assert!(text.contains("Cleaning"), "progress shown:\n{text}");
    h.hold_jobs(false).settle();
    assert_eq!(h.app.stage, Stage::Features, "the Enter was acted on");
}

// ---- quitting ------------------------------------------------------------

#[test]
fn q_asks_first_only_with_edits_not_exported() {
    let mut h = loaded();
    // The whole way with Enter only: nothing of the user's to lose.
    ch(&mut h, '6').settle();
    assert_eq!(h.app.stage, Stage::Inspect);
    assert!(!h.app.has_unsaved_edits(), "results are not edits");
    // Rename a label: now q asks.
    ch(&mut h, 'e');
    assert!(matches!(h.app.overlay, Some(Overlay::Input(_))));
    h.ctrl('u').type_str("VIP").key(KeyCode::Enter);
    assert!(h.app.has_unsaved_edits());
    ch(&mut h, 'q');
    assert!(matches!(h.app.overlay, Some(Overlay::ConfirmQuit)));
    assert!(!h.app.should_quit);
    let text = h.text();
    assert!(text.contains("not exported yet"), "{text}");
    ch(&mut h, 'n');
    assert!(h.app.overlay.is_none() && !h.app.should_quit);
    // Exported: nothing to lose again.
    let dir = tempfile::tempdir().unwrap();
    ch(&mut h, '7').settle();
    assert_eq!(h.app.stage, Stage::Export, "{:?}", h.app.status);
    ch(&mut h, 'e');
    h.ctrl('u')
        .type_str(dir.path().join("out").to_str().unwrap());
    h.key(KeyCode::Enter).settle();
    assert!(h.app.data.exported().is_some(), "{:?}", h.app.status);
    assert!(!h.app.has_unsaved_edits());
    h.key(KeyCode::Down);
    ch(&mut h, 'q');
    assert!(h.app.should_quit && !h.app.interrupted);
}

#[test]
fn ctrl_c_quits_from_the_quit_box_as_interrupted() {
    let mut h = loaded();
    h.hold_jobs(true);
    ch(&mut h, '5');
    ch(&mut h, 'q');
    assert!(matches!(h.app.overlay, Some(Overlay::ConfirmQuit)));
    h.ctrl('c');
    assert!(h.app.should_quit && h.app.interrupted);
}

/// The box grows with its wrapped text; the y / n line is always drawn.
#[test]
fn the_quit_box_shows_its_keys_at_every_size() {
    for (w, hgt) in [
        (60, 18),
        (64, 20),
        (80, 24),
        (120, 40),
        (200, 60),
        (40, 12),
        (30, 8),
    ] {
        let mut h = loaded();
        h.key(KeyCode::Enter); // Map
        h.key(KeyCode::Down);
        ch(&mut h, ' '); // an edit not exported
        h.hold_jobs(true);
        ch(&mut h, '6'); // work running
        h.resize(w, hgt);
        ch(&mut h, 'q');
        assert!(
            matches!(h.app.overlay, Some(Overlay::ConfirmQuit)),
            "{w}x{hgt}: {:?}",
            h.app.overlay
        );
        let text = h.text();
        assert!(text.contains("y quit"), "{w}x{hgt}:\n{text}");
        assert!(text.contains("n/Esc stay"), "{w}x{hgt}:\n{text}");
        if hgt >= 18 {
            assert!(text.contains("Quit anyway?"), "{w}x{hgt}:\n{text}");
        }
        h.key(KeyCode::Esc);
        assert!(h.app.overlay.is_none());
        h.hold_jobs(false);
    }
}

// ---- help ----------------------------------------------------------------

fn help_more_marks(text: &str) -> (bool, bool) {
    let bottom = text
        .lines()
        .rfind(|l| l.contains("Esc close"))
        .unwrap_or("")
        .to_string();
    (bottom.contains("↑"), bottom.contains("↓"))
}

#[test]
fn help_scroll_is_clamped_and_more_shows_only_where_there_is_more() {
    let mut h = loaded_at(60, 18, UI);
    ch(&mut h, '?');
    let Some(Overlay::Help { scroll: 0 }) = h.app.overlay else {
        panic!("{:?}", h.app.overlay)
    };
    assert_eq!(help_more_marks(&h.text()), (false, true), "{}", h.text());
    for _ in 0..3 {
        h.key(KeyCode::PageDown);
    }
    let Some(Overlay::Help { scroll: end }) = h.app.overlay else {
        panic!()
    };
    assert!(end > 0);
    // At the end: no more below, the last key shown.
    let text = h.text();
    assert_eq!(help_more_marks(&text), (true, false), "{text}");
    assert!(text.contains("Ctrl-C"), "{text}");
    h.key(KeyCode::PageDown);
    assert!(matches!(h.app.overlay, Some(Overlay::Help { scroll }) if scroll == end));
    // One ↑ moves at once.
    h.key(KeyCode::Up);
    assert!(matches!(h.app.overlay, Some(Overlay::Help { scroll }) if scroll == end - 1));
    for _ in 0..end {
        h.key(KeyCode::Up);
    }
    assert!(matches!(h.app.overlay, Some(Overlay::Help { scroll: 0 })));
    // Everything fits at 200x60: no marks.
    h.resize(200, 60);
    assert_eq!(help_more_marks(&h.text()), (false, false));
}

/// At 60x18 every word of every meaning is on screen somewhere while
/// scrolling (wrapped, not cut); in ASCII a key name never touches its
/// meaning.
#[test]
fn help_wraps_at_60x18_and_ascii_keeps_keys_apart() {
    for ui in [UI, ASCII] {
        for stage in Stage::ALL {
            let mut h = loaded_at(60, 18, ui);
            h.app.stage = stage;
            ch(&mut h, '?');
            // Scroll to the end: the scroll is clamped, so the frame stops
            // changing there.
            let mut seen = String::new();
            let mut last = String::new();
            for _ in 0..200 {
                let frame = h.text();
                if frame == last {
                    break;
                }
                seen.push_str(&frame);
                last = frame;
                h.key(KeyCode::Down);
            }
            let words: String = seen.split_whitespace().collect::<Vec<_>>().join(" ");
            let (own, everywhere) = keymap::rows_for(stage);
            for b in own.into_iter().chain(everywhere) {
                let meaning = if ui.ascii {
                    help_text::ascii_keys(b.meaning)
                } else {
                    b.meaning.to_string()
                };
                for word in meaning.split_whitespace() {
                    assert!(
                        words.contains(word),
                        "{stage:?} ascii={}: {word:?} of {meaning:?}",
                        ui.ascii
                    );
                }
            }
            for l in help_text::layout(h.app.screen(stage).help(), stage, ui.ascii, 57) {
                if !l.key.trim().is_empty() && !l.text.is_empty() {
                    assert!(l.key.ends_with("  "), "{stage:?}: {l:?}");
                }
            }
        }
    }
}

// ---- screens -------------------------------------------------------------

#[test]
fn space_on_features_keeps_the_row_in_place() {
    let mut h = loaded();
    ch(&mut h, '4').settle();
    assert_eq!(h.app.stage, Stage::Features);
    assert_eq!(h.app.features.selected, 0);
    let first = h.app.data.features().unwrap().report.features[0]
        .name
        .clone();
    ch(&mut h, ' ').settle();
    assert!(h.app.config.features.drop_features.contains(&first));
    assert_eq!(h.app.features.selected, 0);
    // The first row of the list is still that feature, now excluded.
    let text = h.text();
    let row = text
        .lines()
        .find(|l| l.contains(&first) || l.contains("Excluded") || l.contains("excluded"))
        .unwrap_or_default()
        .to_string();
    assert!(row.contains(&first), "first row is {first}:\n{text}");
    // A second Space takes back the same feature, not another one.
    ch(&mut h, ' ').settle();
    assert!(
        h.app.config.features.drop_features.is_empty(),
        "{:?}",
        h.app.config.features.drop_features
    );
    assert_eq!(
        h.app.data.features().unwrap().report.features[0].name,
        first
    );
}

#[test]
fn a_new_key_clears_the_last_status_line() {
    let mut h = loaded();
    h.key(KeyCode::Enter);
    h.key(KeyCode::Down);
    ch(&mut h, ' ');
    assert!(h.app.status.is_some());
    h.key(KeyCode::Down);
    assert!(h.app.status.is_none(), "{:?}", h.app.status);
}

#[test]
fn too_small_says_ctrl_c_while_a_text_field_has_the_keys() {
    let mut h = Harness::new(config(None), UI, 80, 24);
    assert!(
        h.app.key_context().text_input,
        "the path field has the keys"
    );
    h.resize(50, 14);
    let text = h.text();
    assert!(text.contains("Ctrl-C quits."), "{text}");
    assert!(!text.contains("q quits"), "{text}");
    let mut h = loaded();
    h.key(KeyCode::Enter);
    h.resize(50, 14);
    assert!(h.text().contains("q quits."));
}

#[test]
fn the_file_list_shows_what_the_loader_reads() {
    let dir = tempfile::tempdir().unwrap();
    let listed = [
        "a.csv",
        "b.TSV",
        "c.txt",
        "d.asc",
        "e.dat",
        "f.psv",
        "g.tab",
        "h.csv.gz",
        "i.dat.zst",
        "j.xlsx",
        "k.xls",
        "l.ods",
        "m.xlsm",
    ];
    let hidden = ["n.exe", "o.json", "p.gz", "q", ".r.csv"];
    for name in listed.iter().chain(hidden.iter()) {
        std::fs::write(dir.path().join(name), "x").unwrap();
    }
    let entries = custseg::tui::widgets::file_browser::list_dir(dir.path()).unwrap();
    let names: Vec<&str> = entries.iter().map(|e| e.name.as_str()).collect();
    for name in listed {
        assert!(names.contains(&name), "{name} missing from {names:?}");
    }
    for name in hidden {
        assert!(!names.contains(&name), "{name} listed: {names:?}");
    }
    // The list is the loader's: workbooks by name go to the workbook reader.
    for name in ["j.xlsx", "k.xls", "l.ods", "m.xlsm"] {
        assert_eq!(
            custseg::pipeline::load::file_kind(std::path::Path::new(name)),
            custseg::pipeline::load::FileKind::Workbook
        );
    }
}

#[test]
fn slash_on_load_filters_the_list_by_part_of_a_name() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["march_customers.csv", "april_customers.csv", "branches.csv"] {
        std::fs::write(dir.path().join(name), "id,x\n1,2\n").unwrap();
    }
    let path = dir.path().join("branches.csv");
    let mut h = Harness::new(config(Some(path.to_str().unwrap())), UI, 100, 30);
    h.settle();
    h.key(KeyCode::Tab); // off the path field
    while h.app.key_context().text_input {
        h.key(KeyCode::Tab);
    }
    ch(&mut h, '/');
    assert!(
        h.app.key_context().text_input,
        "the path field has the keys"
    );
    h.type_str("customers");
    let shown: Vec<String> = h
        .app
        .load
        .browser
        .shown
        .iter()
        .map(|&i| h.app.load.browser.entries[i].name.clone())
        .collect();
    assert_eq!(shown, vec!["april_customers.csv", "march_customers.csv"]);
}
