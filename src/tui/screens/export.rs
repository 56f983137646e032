//! Stage 7, Export: the output folder (a text field), which files to write
//! (Space), Enter to write them on the worker with progress (Esc cancels),
//! a question before writing into a folder that already holds files, then
//! the list of files written. `run.toml` is the RunConfig of this session
//! (input made absolute), so `custseg --no-tui --config DIR/run.toml --out
//! OTHER` replays the same segments.

use crate::error::{Error, Result};
use crate::pipeline::export::outset::{self, SetStatus, Target};
use crate::remedy::Remedy;
use crate::tui::action::{Action, Move};
use crate::tui::app::{App, Exported, JobKind, Overlay, Question, RunningJob, Stage, StatusKind};
use crate::tui::data::{ExportParts, ExportRequest, OUTPUT_FILES, OutputFile, OutputText};
use crate::tui::text::{self, TextInput};
use crate::tui::widgets::{self, KeyHint, pane_block, progress};
use crate::tui::worker::Job;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use std::path::{Path, PathBuf};

#[derive(Debug)]
pub struct ExportScreen {
    /// 0 = the folder field, then one row per [`OUTPUT_FILES`].
    pub row: usize,
    pub folder: TextInput,
    pub chosen: [bool; OUTPUT_FILES.len()],
}

impl Default for ExportScreen {
    fn default() -> Self {
        ExportScreen {
            row: 0,
            folder: TextInput::default(),
            chosen: [true; OUTPUT_FILES.len()],
        }
    }
}

/// The folder field has the keys (letters are text there).
pub fn editing_folder(app: &App) -> bool {
    app.export.row == 0 && app.job(JobKind::Export).is_none()
}

pub fn can_enter(app: &mut App) -> bool {
    if app.data.profiles.is_none() {
        app.set_status(
            StatusKind::Warn,
            "The segments are not profiled yet; Export opens when they are.",
        );
        return false;
    }
    true
}

/// `<input name>_segments` next to where custseg runs.
pub fn default_folder(app: &App) -> String {
    let stem = app
        .config
        .input
        .as_ref()
        .and_then(|p| p.file_stem())
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "custseg".into());
    format!("{stem}_segments")
}

pub fn enter(app: &mut App) {
    if app.export.folder.is_empty() {
        let f = default_folder(app);
        app.export.folder.set(&f);
    }
    if app.data.exported.is_none() {
        app.set_status(
            StatusKind::Info,
            "Check the folder and the files, then Enter writes them.",
        );
    }
}

fn chosen_files(app: &App) -> Vec<OutputFile> {
    OUTPUT_FILES
        .iter()
        .zip(app.export.chosen)
        .filter(|(_, on)| *on)
        .map(|(f, _)| *f)
        .collect()
}

fn folder(app: &App) -> PathBuf {
    crate::tui::screens::load::fs_path(app.export.folder.text())
}

/// What is at `dir` now (the same check the writer makes).
fn target(dir: &Path) -> Option<Target> {
    outset::inspect_target(dir).ok()
}

/// Enter: asks first when the folder holds files.
fn write(app: &mut App) {
    if app.export.folder.text().trim().is_empty() {
        app.set_status(StatusKind::Warn, "Type the folder to write into first.");
        return;
    }
    if chosen_files(app).is_empty() {
        app.set_status(StatusKind::Warn, "No file is checked; Space checks one.");
        return;
    }
    let dir = folder(app);
    let files = match target(&dir) {
        Some(Target::NotAFolder(what)) => {
            app.show_error(
                "Cannot write there",
                format!("{} is {what}, not a folder.", dir.display()),
                "Type another folder name.",
            );
            return;
        }
        Some(Target::Folder { entries, .. }) => entries,
        _ => 0,
    };
    if files > 0 {
        app.overlay = Some(Overlay::Confirm(Question::Overwrite { dir, files }));
    } else {
        start(app, false);
    }
}

/// Queues the export of the checked files (`force`: into a folder that is not empty).
pub fn start(app: &mut App, force: bool) {
    let d = &app.data;
    let (
        Some(table),
        Some(mapping),
        Some(prepared),
        Some(cleaned),
        Some(features),
        Some(sweep),
        Some(k),
        Some(profiles),
    ) = (
        d.table.clone(),
        d.mapping.clone(),
        d.prepared.clone(),
        d.cleaned.clone(),
        d.features.clone(),
        d.sweep.clone(),
        d.k,
        d.profiles.clone(),
    )
    else {
        app.set_status(StatusKind::Warn, "Nothing to export yet.");
        return;
    };
    if super::cluster::pending(app) {
        app.show_error(
            "The sweep is out of date",
            "The Cluster options were changed after the sweep ran, so run.toml would not replay these segments.",
            "Go back to Cluster (Esc twice) and run the sweep (r), or set the options back.",
        );
        return;
    }
    let dir = folder(app);
    let parts = ExportParts {
        table,
        mapping,
        prepared,
        cleaned,
        features,
        sweep,
        k,
        profiles,
    };
    let request = Box::new(ExportRequest {
        run: parts.run_output(&app.config),
        config: app.config.clone(),
        dir: dir.clone(),
        force,
        files: chosen_files(app),
    });
    app.cancel_job(JobKind::Export);
    app.start_job(
        JobKind::Export,
        format!("Writing to {}", dir.display()),
        dir,
        None,
        move |id, cancel| Job::Export {
            id,
            request,
            cancel: cancel.unwrap_or_default(),
        },
    );
}

pub fn on_exported(app: &mut App, job: RunningJob, result: Result<Vec<PathBuf>>) {
    match result {
        Ok(files) => {
            let files: Vec<(PathBuf, u64)> = files
                .into_iter()
                .map(|p| {
                    let size = std::fs::metadata(&p).map_or(0, |m| m.len());
                    (p, size)
                })
                .collect();
            let n = files.len();
            let dir = job.path;
            let replay = if files
                .iter()
                .any(|(p, _)| p.ends_with(crate::pipeline::export::RUN_TOML))
            {
                format!(
                    " Replay: custseg --no-tui --config {} --out DIR",
                    dir.join(crate::pipeline::export::RUN_TOML).display()
                )
            } else {
                String::new()
            };
            app.set_status(
                StatusKind::Success,
                format!(
                    "{n} file{} written to {}.{replay}",
                    if n == 1 { "" } else { "s" },
                    dir.display()
                ),
            );
            app.data.exported = Some(Exported { dir, files });
            app.data.stale.remove(&Stage::Export);
        }
        Err(Error::Cancelled) => app.set_status(
            StatusKind::Warn,
            "Export cancelled; nothing was replaced: the folder keeps its earlier files.",
        ),
        Err(e) => {
            use std::io::ErrorKind;
            let msg = crate::tui::remedy::error_text(&e);
            let hint = match (e.remedy(), e.io_kind()) {
                (_, Some(ErrorKind::PermissionDenied | ErrorKind::ReadOnlyFilesystem)) => {
                    "Choose a folder you can write to (the folder field, at the top).".into()
                }
                (Some(Remedy::Force), _) => {
                    "Enter again and answer y to overwrite, or choose another folder.".into()
                }
                (_, Some(ErrorKind::StorageFull | ErrorKind::QuotaExceeded)) => {
                    "Free some disk space, or write to another disk.".into()
                }
                _ => crate::tui::remedy::hint_for(&e, "Check the folder, then Enter to try again."),
            };
            app.set_status(StatusKind::Error, format!("Export failed: {msg}"));
            app.show_error("Could not write the results", msg, hint);
        }
    }
}

pub fn update(app: &mut App, action: Action) {
    let rows = OUTPUT_FILES.len() + 1;
    if app.job(JobKind::Export).is_some() {
        match action {
            Action::Back => {
                app.cancel_job(JobKind::Export);
                app.set_status(
                    StatusKind::Warn,
                    "Export cancelled; nothing was replaced: the folder keeps its earlier files.",
                );
            }
            Action::Confirm => app.set_status(StatusKind::Info, "Still writing; Esc cancels."),
            _ => {}
        }
        return;
    }
    let on_folder = app.export.row == 0;
    match action {
        Action::Back => app.go_to(Stage::Inspect),
        Action::Confirm => write(app),
        Action::NextPane => app.export.row = (app.export.row + 1) % rows,
        Action::PrevPane => app.export.row = (app.export.row + rows - 1) % rows,
        Action::Move(Move::Up) => app.export.row = app.export.row.saturating_sub(1),
        Action::Move(Move::Down) => app.export.row = (app.export.row + 1).min(rows - 1),
        Action::Input(c) if on_folder => app.export.folder.insert(c),
        Action::Paste(s) if on_folder => app.export.folder.insert_str(s.trim()),
        Action::Backspace if on_folder => {
            app.export.folder.backspace();
        }
        Action::Delete if on_folder => {
            app.export.folder.delete();
        }
        Action::ClearInput if on_folder => app.export.folder.set(""),
        Action::Move(m) if on_folder => match m {
            Move::Left => app.export.folder.left(),
            Move::Right => app.export.folder.right(),
            Move::Home => app.export.folder.home(),
            Move::End => app.export.folder.end(),
            _ => {}
        },
        Action::Toggle | Action::Move(Move::Left | Move::Right) if !on_folder => {
            let i = app.export.row - 1;
            app.export.chosen[i] = !app.export.chosen[i];
        }
        Action::Move(Move::Home) => app.export.row = 0,
        Action::Move(Move::End) => app.export.row = rows - 1,
        _ => {}
    }
}

// ---------------------------------------------------------------- drawing

/// The few words beside the folder field.
fn folder_note(state: Option<&Target>) -> String {
    let files = |n: usize| format!("{n} file{}", if n == 1 { "" } else { "s" });
    match state {
        None => "cannot be read".into(),
        Some(Target::Missing) => "new folder".into(),
        Some(Target::NotAFolder(what)) => format!("is {what}!"),
        Some(Target::Folder { entries: 0, .. }) => "exists, empty".into(),
        Some(Target::Folder { entries, set }) => match set {
            SetStatus::Incomplete(_) => {
                format!(
                    "{}, an incomplete export: Enter asks first",
                    files(*entries)
                )
            }
            SetStatus::Complete(_) => {
                format!("an earlier export, {}: Enter asks first", files(*entries))
            }
            _ => format!("holds {}: Enter asks first", files(*entries)),
        },
    }
}

pub fn footer_keys(app: &App) -> Vec<KeyHint> {
    let g = &app.theme.glyphs;
    if app.job(JobKind::Export).is_some() {
        return vec![KeyHint::new("Esc", "cancel")];
    }
    let mut keys = vec![KeyHint::new("Enter", "write")];
    if app.export.row == 0 {
        keys.push(KeyHint::new(g.down, "files"));
        keys.push(KeyHint::new("Ctrl-U", "clear"));
    } else {
        keys.push(KeyHint::new(g.up_down, "row"));
        keys.push(KeyHint::new("Spc", "check"));
    }
    keys.push(KeyHint::new("Esc", "back"));
    keys
}

pub const HELP: &[(&str, &str)] = &[
    (
        "",
        "Export writes the results into one folder: the customers with their",
    ),
    (
        "",
        "segment, a summary per segment, charts, a Markdown report, the model",
    ),
    (
        "",
        "(to score new customers) and run.toml, which replays this exact run:",
    ),
    (
        "",
        "  custseg --no-tui --config FOLDER/run.toml --out OTHER",
    ),
    (
        "",
        "Written as one set (manifest.json last), readable by you only;",
    ),
    (
        "",
        "custseg's earlier outputs there are replaced, your files stay.",
    ),
    ("", ""),
    (
        "Folder",
        "type it (relative to where custseg runs); Ctrl-U clears",
    ),
    ("↑↓ Tab", "move between the folder and the files"),
    ("Space ←→", "check / uncheck a file"),
    (
        "Enter",
        "write; asks first if the folder already holds files",
    ),
    ("Esc", "cancel the writing; else back to Inspect"),
];

pub fn draw(frame: &mut Frame, area: Rect, app: &App) {
    let t = &app.theme;
    let compact = area.height < 20;
    let top_h = if compact { 10 } else { 12 };
    let [top, bottom] =
        Layout::vertical([Constraint::Length(top_h), Constraint::Min(3)]).areas(area);
    let block = pane_block(t, " Export ", true);
    let inner = block.inner(top);
    frame.render_widget(block, top);
    let padded = Rect::new(
        inner.x + 1,
        inner.y,
        inner.width.saturating_sub(2),
        inner.height,
    );
    let width = padded.width as usize;

    let dir = folder(app);
    let state = target(&dir);
    let note = folder_note(state.as_ref());
    let editing = editing_folder(app);
    let field_w = width.saturating_sub(10 + text::width(&note) + 3).max(10);
    let (before, at, after) = app.export.folder.split();
    let shown_before = text::truncate_left(
        before,
        field_w.saturating_sub(1 + text::width(after).min(field_w / 2)),
        t.glyphs.ellipsis,
    );
    let mut folder_spans = vec![
        Span::styled(
            text::fit("Folder", 9, ""),
            if editing { t.key() } else { t.text() },
        ),
        Span::styled(shown_before.clone(), t.input()),
    ];
    if editing {
        folder_spans.push(Span::styled(
            if at.is_empty() {
                " ".to_string()
            } else {
                at.to_string()
            },
            t.cursor(),
        ));
    } else {
        folder_spans.push(Span::styled(at.to_string(), t.input()));
    }
    let after_shown = text::truncate(
        after,
        field_w.saturating_sub(text::width(&shown_before) + 1),
        t.glyphs.ellipsis,
    );
    folder_spans.push(Span::styled(after_shown.clone(), t.input()));
    let used = 9 + text::width(&shown_before) + 1 + text::width(&after_shown);
    folder_spans.push(Span::raw(
        " ".repeat(width.saturating_sub(used + text::width(&note) + 2)),
    ));
    folder_spans.push(Span::styled(format!("({note})"), t.dim()));
    let mut lines = vec![Line::from(folder_spans)];
    if !compact {
        lines.push(Line::default());
    }
    for (i, f) in OUTPUT_FILES.iter().enumerate() {
        let selected = app.export.row == i + 1;
        let on = app.export.chosen[i];
        let name_w = 26;
        let line = Line::from(vec![
            Span::styled(
                if i == 0 {
                    text::fit("Files", 9, "")
                } else {
                    " ".repeat(9)
                },
                t.text(),
            ),
            Span::styled(
                if on { "[x] " } else { "[ ] " },
                if on { t.ok() } else { t.dim() },
            ),
            Span::styled(
                text::fit(f.name(), name_w, ""),
                if on { t.text() } else { t.dim() },
            ),
            Span::styled(
                text::fit(
                    f.what(),
                    width.saturating_sub(9 + 4 + name_w),
                    t.glyphs.ellipsis,
                ),
                t.dim(),
            ),
        ]);
        lines.push(if selected {
            widgets::highlight(line, t.selected())
        } else {
            line
        });
    }
    if !compact {
        lines.push(Line::default());
    }
    lines.push(Line::from(vec![
        Span::styled("Replay: ", t.dim()),
        Span::styled(
            text::truncate(
                &format!(
                    "custseg --no-tui --config {}/run.toml --out DIR",
                    app.export.folder.text().trim_end_matches('/')
                ),
                width.saturating_sub(8),
                t.glyphs.ellipsis,
            ),
            t.text(),
        ),
    ]));
    frame.render_widget(Paragraph::new(lines), padded);

    // Below: progress, or what was written.
    if let Some(job) = app.job(JobKind::Export) {
        let block = pane_block(t, " Writing ", false);
        let inner = block.inner(bottom);
        frame.render_widget(block, bottom);
        progress::draw_job(frame, inner, app, job);
        return;
    }
    let Some(done) = &app.data.exported else {
        let block = pane_block(t, " Written ", false);
        let inner = block.inner(bottom);
        frame.render_widget(block, bottom);
        let msg = match &state {
            Some(Target::Folder {
                set: SetStatus::Incomplete(why),
                ..
            }) => format!(
                "{} The folder holds an incomplete export: {why}. Writing replaces it.",
                t.glyphs.warn
            ),
            _ if app.data.stale.contains(&Stage::Export) => {
                "The results changed since the last export: Enter writes them again.".into()
            }
            _ => "Nothing written yet. Enter writes the checked files.".into(),
        };
        frame.render_widget(
            Paragraph::new(Line::styled(msg, t.dim())).wrap(Wrap { trim: false }),
            Rect::new(
                inner.x + 1,
                inner.y,
                inner.width.saturating_sub(2),
                inner.height,
            ),
        );
        return;
    };
    let total: u64 = done.files.iter().map(|f| f.1).sum();
    let title = format!(
        " Written to {} {} {} files, {} ",
        done.dir.display(),
        t.glyphs.sep,
        done.files.len(),
        text::bytes(total)
    );
    let block = pane_block(
        t,
        &text::truncate(&title, bottom.width as usize - 2, t.glyphs.ellipsis),
        false,
    )
    .border_style(t.ok());
    let inner = block.inner(bottom);
    frame.render_widget(block, bottom);
    let rows = inner.height as usize;
    let cols = if done.files.len() > rows && inner.width >= 60 {
        2
    } else {
        1
    };
    let col_w = (inner.width as usize - 1) / cols;
    let entries: Vec<String> = done
        .files
        .iter()
        .map(|(p, size)| {
            let name = p
                .file_name()
                .map_or(String::new(), |n| n.to_string_lossy().into_owned());
            let size = text::bytes(*size);
            let name_w = col_w.saturating_sub(size.len() + 4);
            format!(
                "{} {}{}",
                t.glyphs.done,
                text::fit(&name, name_w, t.glyphs.ellipsis),
                text::fit_right(&size, size.len() + 1, "")
            )
        })
        .collect();
    let mut lines = Vec::new();
    for r in 0..rows {
        let mut spans = vec![Span::raw(" ")];
        for c in 0..cols {
            if let Some(e) = entries.get(c * rows + r) {
                spans.push(Span::styled(text::fit(e, col_w, ""), t.text()));
            }
        }
        lines.push(Line::from(spans));
    }
    if entries.len() > rows * cols {
        lines.pop();
        lines.push(Line::styled(
            format!(" ... and {} more", entries.len() - (rows * cols - 1)),
            t.dim(),
        ));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}
