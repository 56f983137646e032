//! The TUI's export goes through the same output-set writer as `--no-tui`:
//! it says when a folder holds an incomplete export, replaces custseg's
//! earlier outputs as one set (removing those the new set leaves out,
//! keeping the user's files) and ends with a complete manifest.

use custseg::config::RunConfig;
use custseg::pipeline::export::outset::{self, SetStatus, Target};
use custseg::tui::harness::Harness;
use custseg::tui::{Stage, UiOptions};
use ratatui::crossterm::event::KeyCode;
use std::path::Path;

const CUSTOMERS: &str = "tests/fixtures/tui/customers.csv";
const UI: UiOptions = UiOptions {
    ascii: false,
    no_color: false,
};

fn at_export() -> Harness {
    let input = Path::new(env!("CARGO_MANIFEST_DIR")).join(CUSTOMERS);
    let cfg = RunConfig {
        input: Some(input),
        ..RunConfig::default()
    };
    let mut h = Harness::new(cfg, UI, 100, 30);
    h.settle();
    while h.app.stage != Stage::Export {
        let before = h.app.stage;
        h.key(if before == Stage::Inspect {
            KeyCode::Char('7')
        } else {
            KeyCode::Enter
        });
        h.settle();
        assert_ne!(h.app.stage, before, "stuck: {:?}", h.app.status);
    }
    h
}

fn export_into(h: &mut Harness, dir: &Path) {
    h.key(KeyCode::Char('e'));
    h.ctrl('u').type_str(dir.to_str().unwrap());
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn an_interrupted_export_is_reported_then_replaced_by_a_whole_set() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    // What a killed export leaves: a staging folder of a dead process and
    // files without a manifest.
    std::fs::create_dir_all(out.join(".custseg-stage-999999999-x")).unwrap();
    std::fs::write(out.join("model.json"), "{}").unwrap();
    std::fs::write(out.join("radar.png"), "old").unwrap();
    std::fs::write(out.join("notes.txt"), "mine").unwrap();

    let mut h = at_export();
    export_into(&mut h, &out);
    let text = h.text();
    assert!(text.contains("an incomplete export"), "{text}");
    assert!(
        text.contains("The folder holds an incomplete export: an export was interrupted"),
        "{text}"
    );

    h.key(KeyCode::Enter); // asks first: the folder holds files
    assert!(h.text().contains("Overwrite?"), "{}", h.text());
    h.key(KeyCode::Char('y'));
    h.settle();
    assert!(h.text().contains("manifest.json"), "{}", h.text());
    assert!(
        matches!(
            outset::inspect_target(&out).unwrap(),
            Target::Folder {
                set: SetStatus::Complete(_),
                ..
            }
        ),
        "{:?}",
        names(&out)
    );
    let listed = names(&out);
    assert!(
        listed.iter().all(|n| !n.starts_with(".custseg")),
        "{listed:?}"
    );
    assert!(listed.contains(&"notes.txt".to_string()));
}

#[test]
fn exporting_again_without_the_charts_removes_the_earlier_charts_only() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let mut h = at_export();
    export_into(&mut h, &out);
    h.key(KeyCode::Enter);
    h.settle();
    assert!(out.join("elbow.png").exists() && out.join("manifest.json").exists());
    std::fs::write(out.join("notes.txt"), "mine").unwrap();

    // Uncheck the charts (the third file row) and write again.
    h.key(KeyCode::Down).key(KeyCode::Down).key(KeyCode::Down);
    h.key(KeyCode::Char(' '));
    h.key(KeyCode::Enter);
    h.key(KeyCode::Char('y'));
    h.settle();
    let listed = names(&out);
    assert!(
        listed.iter().all(|n| !n.ends_with(".png")),
        "earlier charts left behind: {listed:?}"
    );
    assert!(
        listed.contains(&"notes.txt".to_string()) && listed.contains(&"model.json".to_string())
    );
    match outset::inspect_target(&out).unwrap() {
        Target::Folder {
            set: SetStatus::Complete(m),
            ..
        } => {
            // The five parts left, and the segment rules written with the
            // model (issue 15).
            assert_eq!(m.files.len(), 6, "{m:?}");
            assert!(
                m.files.iter().any(|f| f.name == "segment_rules.sql"),
                "{m:?}"
            );
        }
        other => panic!("{other:?}"),
    }
}

/// The Export screen's scoring rows: scoring SQL for an engine (←/→ picks
/// it, checking the row) and PMML, both off at first; written into the
/// same set, listed after the export, saved in run.toml.
#[test]
fn scoring_sql_and_pmml_are_chosen_on_the_export_screen_and_written() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let mut h = at_export();
    h.resize(80, 24);
    export_into(&mut h, &out);
    let text = h.text();
    assert!(
        text.contains("[ ] scoring_postgres.sql") && text.contains("[ ] model.pmml"),
        "both off at first:\n{text}"
    );
    for _ in 0..7 {
        h.key(KeyCode::Down);
    }
    h.key(KeyCode::Right);
    let text = h.text();
    assert!(
        text.contains("[x] scoring_sqlite.sql"),
        "→ picks the next engine:\n{text}"
    );
    h.key(KeyCode::Down).key(KeyCode::Char(' '));
    assert!(h.text().contains("[x] model.pmml"), "{}", h.text());
    h.key(KeyCode::Enter);
    h.settle();

    let text = h.text();
    for f in [
        "scoring_sqlite.sql",
        "model.pmml",
        "model.json",
        "run.toml",
        "manifest.json",
    ] {
        assert!(text.contains(f), "{f} not in the written list:\n{text}");
    }
    assert!(
        text.contains("charts (*.png)"),
        "the charts take one entry at 80x24:\n{text}"
    );
    let manifest = outset::Manifest::read(&out).unwrap().unwrap();
    for f in ["scoring_sqlite.sql", "model.pmml"] {
        assert!(
            manifest.files.iter().any(|m| m.name == f),
            "{f}: {manifest:?}"
        );
    }
    assert!(!out.join("scoring_postgres.sql").exists());

    // What custseg pmml writes for the model beside it; the statement
    // reads the table named after the input file.
    let model = custseg::pipeline::model::Model::read(&out.join("model.json")).unwrap();
    let doc = custseg::pipeline::pmml::pmml_document(&model, &Default::default()).unwrap();
    assert_eq!(
        std::fs::read_to_string(out.join("model.pmml")).unwrap(),
        doc.xml
    );
    let sql = std::fs::read_to_string(out.join("scoring_sqlite.sql")).unwrap();
    assert!(
        sql.contains("-- Table: \"customers\" (named after the input file customers.csv)."),
        "{sql}"
    );
    let saved = RunConfig::from_toml_file(&out.join("run.toml")).unwrap();
    assert_eq!(
        saved.export.sql_dialects,
        [custseg::pipeline::score_sql::Dialect::Sqlite]
    );
    assert!(saved.export.pmml);
}
