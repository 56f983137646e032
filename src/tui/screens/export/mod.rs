//! Stage 7, Export: the output folder (a text field), which files to write
//! (Space; scoring SQL for an engine and PMML too, see [`scoring`]), Enter to write them on the worker with progress (Esc cancels),
//! a question before writing into a folder that already holds files, then
//! the list of files written. `run.toml` is the RunConfig the outputs were
//! made with (input made absolute), so `custseg --no-tui --config
//! DIR/run.toml --out OTHER` replays the same segments.

mod scoring;

use super::{Ctx, DrawCtx, Screen};
use crate::config::RunConfig;
use crate::error::{Error, Result};
use crate::pipeline::export::Output as OutputFile;
use crate::pipeline::export::outset::{self, SetStatus, Target};
use crate::remedy::Remedy;
use crate::tui::action::{Action, Command, Move};
use crate::tui::data::{Change, Exported};
use crate::tui::jobs::{JobKind, Request, RunningJob};
use crate::tui::overlay::{Overlay, Question, StatusKind};
use crate::tui::stage::Stage;
use crate::tui::text::{self, TextInput};
use crate::tui::theme::Theme;
use crate::tui::widgets::file_browser::fs_path;
use crate::tui::widgets::{self, KeyHint, pane_block, progress};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use scoring::{ScoringChoice, ScoringRow};
use std::path::{Path, PathBuf};

/// The files the Export screen offers, in the order they are written.
pub const OUTPUT_FILES: [OutputFile; 6] = OutputFile::ALL;

/// What each part is, in a few words beside its name.
fn what(file: OutputFile) -> &'static str {
    match file {
        OutputFile::Results => "each customer's segment and label",
        OutputFile::Summary => "per segment: size, share, means",
        OutputFile::Charts => "elbow, sizes, radar, heatmap, PCA",
        OutputFile::Report => "the whole run explained, for people",
        OutputFile::Model => "scores new customers the same way",
        OutputFile::RunConfig => "replays this run: --no-tui --config",
    }
}

/// Rows: the folder field, one per [`OUTPUT_FILES`], the scoring rows.
const ROWS: usize = 1 + OUTPUT_FILES.len() + ScoringRow::ALL.len();

#[derive(Debug)]
pub struct ExportScreen {
    /// 0 = the folder field, then one row per [`OUTPUT_FILES`], then the
    /// scoring rows ([`ScoringRow::ALL`]).
    pub row: usize,
    pub folder: TextInput,
    pub chosen: [bool; OUTPUT_FILES.len()],
    /// Scoring SQL and PMML: taken from the run's options on first entry.
    pub scoring: ScoringChoice,
    scoring_seeded: bool,
    /// The folder field has the keys (after `e`, as every field): until
    /// then digits and letters keep their meaning (`2` goes to Map).
    pub editing: bool,
}

impl Default for ExportScreen {
    fn default() -> Self {
        ExportScreen {
            row: 0,
            folder: TextInput::default(),
            chosen: [true; OUTPUT_FILES.len()],
            scoring: ScoringChoice::default(),
            scoring_seeded: false,
            editing: false,
        }
    }
}

/// `<input name>_segments` next to where custseg runs.
pub fn default_folder(config: &RunConfig) -> String {
    let stem = config
        .input
        .as_ref()
        .and_then(|p| p.file_stem())
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "custseg".into());
    format!("{stem}_segments")
}

/// What is at `dir` now (the same check the writer makes).
fn target(dir: &Path) -> Option<Target> {
    outset::inspect_target(dir).ok()
}

impl ExportScreen {
    /// The folder field has the keys (letters are text there).
    pub fn editing_folder(&self, jobs: &[RunningJob]) -> bool {
        self.editing && self.row == 0 && crate::tui::jobs::find(jobs, &[JobKind::Export]).is_none()
    }

    /// The scoring row under the cursor, if it is on one.
    fn scoring_row(&self) -> Option<ScoringRow> {
        self.row
            .checked_sub(1 + OUTPUT_FILES.len())
            .and_then(|i| ScoringRow::ALL.get(i).copied())
    }

    /// Space or ←/→ on a file or scoring row.
    fn toggle(&mut self, action: &Action) {
        let step = match action {
            Action::Move(Move::Left) => -1,
            _ => 1,
        };
        match (self.scoring_row(), action) {
            (Some(row), Action::Toggle) => self.scoring.toggle(row),
            (Some(row), _) => self.scoring.step(row, step),
            (None, _) => {
                let i = self.row - 1;
                self.chosen[i] = !self.chosen[i];
            }
        }
    }

    fn chosen_files(&self) -> Vec<OutputFile> {
        OUTPUT_FILES
            .iter()
            .zip(self.chosen)
            .filter(|(_, on)| *on)
            .map(|(f, _)| *f)
            .collect()
    }

    fn folder(&self) -> PathBuf {
        fs_path(self.folder.text())
    }

    /// Enter: asks first when the folder holds files.
    fn write(&mut self, cx: &mut Ctx) {
        if self.folder.text().trim().is_empty() {
            cx.set_status(StatusKind::Warn, "Type the folder to write into first.");
            return;
        }
        if self.chosen_files().is_empty() && !self.scoring.options(None).any() {
            cx.set_status(StatusKind::Warn, "No file is checked; Space checks one.");
            return;
        }
        let dir = self.folder();
        let files = match target(&dir) {
            Some(Target::NotAFolder(what)) => {
                cx.show_error(
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
            cx.open(Overlay::Confirm(Question::Overwrite { dir, files }));
        } else {
            self.start(cx, false);
        }
    }

    /// Queues the export of the checked files (`force`: into a folder that
    /// is not empty).
    pub fn start(&mut self, cx: &mut Ctx, force: bool) {
        if cx.data.output().is_none() {
            cx.set_status(StatusKind::Warn, "Nothing to export yet.");
            return;
        }
        if cx.data.sweep_pending(cx.config) {
            cx.show_error(
                "The sweep is out of date",
                "The Cluster options were changed after the sweep ran, so run.toml would not replay these segments.",
                "Go back to Cluster (Esc twice) and run the sweep (r), or set the options back.",
            );
            return;
        }
        let table = cx.config.export.sql_table.clone();
        cx.start(Request::Export {
            dir: self.folder(),
            force,
            files: self.chosen_files(),
            export: self.scoring.options(table),
        });
    }

    pub fn on_exported(&mut self, cx: &mut Ctx, job: RunningJob, result: Result<Vec<PathBuf>>) {
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
                let run_toml = crate::pipeline::export::RUN_TOML;
                let replay = if files.iter().any(|(p, _)| p.ends_with(run_toml)) {
                    format!(
                        " Replay: custseg --no-tui --config {} --out DIR",
                        dir.join(run_toml).display()
                    )
                } else {
                    String::new()
                };
                cx.set_status(
                    StatusKind::Success,
                    format!(
                        "{n} file{} written to {}.{replay}",
                        if n == 1 { "" } else { "s" },
                        dir.display()
                    ),
                );
                cx.change(Change::Exported(Exported { dir, files }));
            }
            Err(Error::Cancelled) => cx.set_status(
                StatusKind::Warn,
                "Export cancelled; nothing was replaced: the folder keeps its earlier files.",
            ),
            Err(e) => export_failed(cx, &e),
        }
    }

    /// The folder field, the files to write and the replay command.
    fn draw_form(
        &self,
        frame: &mut Frame,
        area: Rect,
        v: &DrawCtx,
        state: Option<&Target>,
        compact: bool,
    ) {
        let t = v.theme;
        let block = pane_block(t, " Export ", true);
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let padded = Rect::new(
            inner.x + 1,
            inner.y,
            inner.width.saturating_sub(2),
            inner.height,
        );
        let width = padded.width as usize;
        let editing = self.editing_folder(v.jobs);
        let mut lines = vec![self.folder_line(t, width, editing, &folder_note(state))];
        if !compact {
            lines.push(Line::default());
        }
        let scoring = ScoringRow::ALL
            .iter()
            .map(|r| self.scoring.row(*r, t.glyphs.left_right));
        let rows = OUTPUT_FILES
            .iter()
            .enumerate()
            .map(|(i, f)| {
                (
                    self.chosen[i],
                    f.file_name().to_string(),
                    what(*f).to_string(),
                )
            })
            .chain(scoring);
        for (i, (on, name, what)) in rows.enumerate() {
            let line = file_line(t, width, i == 0, on, &name, &what);
            lines.push(if self.row == i + 1 {
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
                        self.folder.text().trim_end_matches('/')
                    ),
                    width.saturating_sub(8),
                    t.glyphs.ellipsis,
                ),
                t.text(),
            ),
        ]));
        frame.render_widget(Paragraph::new(lines), padded);
    }

    /// "Folder  out_segments▏            (new folder)": the cursor shown
    /// while editing, the start cut to keep it in view.
    fn folder_line(&self, t: &Theme, width: usize, editing: bool, note: &str) -> Line<'static> {
        let field_w = width.saturating_sub(10 + text::width(note) + 3).max(10);
        let (before, at, after) = self.folder.split();
        let shown_before = text::truncate_left(
            before,
            field_w.saturating_sub(1 + text::width(after).min(field_w / 2)),
            t.glyphs.ellipsis,
        );
        let mut spans = vec![
            Span::styled(
                text::fit("Folder", 9, ""),
                if editing { t.key() } else { t.text() },
            ),
            Span::styled(shown_before.clone(), t.input()),
        ];
        if editing {
            let cursor = if at.is_empty() { " " } else { at };
            spans.push(Span::styled(cursor.to_string(), t.cursor()));
        } else {
            spans.push(Span::styled(at.to_string(), t.input()));
        }
        let after_shown = text::truncate(
            after,
            field_w.saturating_sub(text::width(&shown_before) + 1),
            t.glyphs.ellipsis,
        );
        spans.push(Span::styled(after_shown.clone(), t.input()));
        let used = 9 + text::width(&shown_before) + 1 + text::width(&after_shown);
        spans.push(Span::raw(
            " ".repeat(width.saturating_sub(used + text::width(note) + 2)),
        ));
        spans.push(Span::styled(format!("({note})"), t.dim()));
        Line::from(spans)
    }
}

/// A file row: checked or not, its name, what it is.
fn file_line(
    t: &Theme,
    width: usize,
    first: bool,
    on: bool,
    name: &str,
    what: &str,
) -> Line<'static> {
    let name_w = 26;
    Line::from(vec![
        Span::styled(
            if first {
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
            text::fit(name, name_w, ""),
            if on { t.text() } else { t.dim() },
        ),
        Span::styled(
            text::fit(
                what,
                width.saturating_sub(9 + 4 + name_w),
                t.glyphs.ellipsis,
            ),
            t.dim(),
        ),
    ])
}

/// What to do about a failed export, by its cause.
fn export_failed(cx: &mut Ctx, e: &Error) {
    use std::io::ErrorKind;
    let msg = crate::tui::remedy::error_text(e);
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
        _ => crate::tui::remedy::hint_for(e, "Check the folder, then Enter to try again."),
    };
    cx.set_status(StatusKind::Error, format!("Export failed: {msg}"));
    cx.show_error("Could not write the results", msg, hint);
}

/// Below the form before anything is written: why the folder matters, or
/// that the results changed since the last export.
fn draw_not_written(frame: &mut Frame, area: Rect, v: &DrawCtx, state: Option<&Target>) {
    let t = v.theme;
    let block = pane_block(t, " Written ", false);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let msg = match state {
        Some(Target::Folder {
            set: SetStatus::Incomplete(why),
            ..
        }) => format!(
            "{} The folder holds an incomplete export: {why}. Writing replaces it.",
            t.glyphs.warn
        ),
        _ if v.data.is_stale(Stage::Export) => {
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
}

/// The files written, with their sizes, in two columns when they do not
/// fit in one.
fn draw_written(frame: &mut Frame, area: Rect, t: &Theme, done: &Exported) {
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
        &text::truncate(&title, area.width as usize - 2, t.glyphs.ellipsis),
        false,
    )
    .border_style(t.ok());
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let rows = inner.height as usize;
    let cols = if done.files.len() > rows && inner.width >= 60 {
        2
    } else {
        1
    };
    let col_w = (inner.width as usize - 1) / cols;
    let entries: Vec<String> = written_entries(done, rows * cols)
        .into_iter()
        .map(|(name, size)| {
            let size = text::bytes(size);
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

/// Each file written with its size; when they are more than `room`, the
/// charts as one entry (as the Files list shows them), so the others stay
/// in view.
fn written_entries(done: &Exported, room: usize) -> Vec<(String, u64)> {
    let all: Vec<(String, u64)> = done
        .files
        .iter()
        .map(|(p, size)| {
            let name = p
                .file_name()
                .map_or(String::new(), |n| n.to_string_lossy().into_owned());
            (name, *size)
        })
        .collect();
    let is_chart = |name: &str| name.ends_with(".png");
    let charts = all.iter().filter(|(n, _)| is_chart(n)).count();
    if all.len() <= room || charts < 2 {
        return all;
    }
    let chart_bytes = all.iter().filter(|(n, _)| is_chart(n)).map(|f| f.1).sum();
    let mut grouped = Vec::with_capacity(all.len() - charts + 1);
    let mut charts_listed = false;
    for (name, size) in all {
        if !is_chart(&name) {
            grouped.push((name, size));
        } else if !charts_listed {
            grouped.push((format!("{charts} charts (*.png)"), chart_bytes));
            charts_listed = true;
        }
    }
    grouped
}

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

impl Screen for ExportScreen {
    fn can_enter(&mut self, cx: &mut Ctx) -> bool {
        if cx.data.profiles().is_none() {
            cx.set_status(
                StatusKind::Warn,
                "The segments are not profiled yet; Export opens when they are.",
            );
            return false;
        }
        true
    }

    fn enter(&mut self, cx: &mut Ctx) {
        if self.folder.is_empty() {
            let f = default_folder(cx.config);
            self.folder.set(&f);
        }
        if !self.scoring_seeded {
            self.scoring = ScoringChoice::from_options(&cx.config.export);
            self.scoring_seeded = true;
        }
        if cx.data.exported().is_none() {
            cx.set_status(
                StatusKind::Info,
                "Check the folder (e edits it) and the files, then Enter writes them.",
            );
        }
    }

    fn update(&mut self, cx: &mut Ctx, action: Action) {
        let rows = ROWS;
        if cx.job(JobKind::Export).is_some() {
            match action {
                Action::Back => {
                    cx.cancel(JobKind::Export);
                    cx.set_status(
                        StatusKind::Warn,
                        "Export cancelled; nothing was replaced: the folder keeps its earlier files.",
                    );
                }
                Action::Confirm => cx.set_status(StatusKind::Info, "Still writing; Esc cancels."),
                _ => {}
            }
            return;
        }
        let on_folder = self.row == 0 && self.editing;
        if !matches!(
            action,
            Action::Input(_)
                | Action::Paste(_)
                | Action::Backspace
                | Action::Delete
                | Action::ClearInput
                | Action::Move(_)
        ) {
            self.editing = false;
        }
        match action {
            Action::Command(Command::EditValue) if self.row == 0 => {
                self.editing = true;
                self.folder.end();
            }
            Action::Back if on_folder => {}
            Action::Back => cx.go_to(Stage::Inspect),
            Action::Confirm => self.write(cx),
            Action::NextPane => self.row = (self.row + 1) % rows,
            Action::PrevPane => self.row = (self.row + rows - 1) % rows,
            Action::Move(Move::Up) => self.row = self.row.saturating_sub(1),
            Action::Move(Move::Down) => {
                self.editing = false;
                self.row = (self.row + 1).min(rows - 1);
            }
            Action::Input(c) if on_folder => self.folder.insert(c),
            Action::Paste(s) if on_folder => self.folder.insert_str(s.trim()),
            Action::Backspace if on_folder => {
                self.folder.backspace();
            }
            Action::Delete if on_folder => {
                self.folder.delete();
            }
            Action::ClearInput if on_folder => self.folder.set(""),
            Action::Move(m) if on_folder => match m {
                Move::Left => self.folder.left(),
                Move::Right => self.folder.right(),
                Move::Home => self.folder.home(),
                Move::End => self.folder.end(),
                _ => {}
            },
            Action::Toggle | Action::Move(Move::Left | Move::Right) if !on_folder => {
                self.toggle(&action);
            }
            Action::Move(Move::Home) => self.row = 0,
            Action::Move(Move::End) => self.row = rows - 1,
            _ => {}
        }
    }

    fn draw(&self, frame: &mut Frame, area: Rect, v: &DrawCtx) {
        let t = v.theme;
        // Blank lines around the files only when the written list keeps
        // room for every file (80x24 has none to spare).
        let compact = area.height < 24;
        let top_h = if compact {
            ROWS as u16 + 3
        } else {
            ROWS as u16 + 5
        };
        let [top, bottom] =
            Layout::vertical([Constraint::Length(top_h), Constraint::Min(3)]).areas(area);
        let state = target(&self.folder());
        self.draw_form(frame, top, v, state.as_ref(), compact);
        // Below: progress, or what was written.
        if let Some(job) = v.job(JobKind::Export) {
            let block = pane_block(t, " Writing ", false);
            let inner = block.inner(bottom);
            frame.render_widget(block, bottom);
            progress::draw_job(frame, inner, t, job);
            return;
        }
        match v.data.exported() {
            Some(done) => draw_written(frame, bottom, t, done),
            None => draw_not_written(frame, bottom, v, state.as_ref()),
        }
    }

    fn footer_keys(&self, v: &DrawCtx) -> Vec<KeyHint> {
        let g = &v.theme.glyphs;
        if v.job(JobKind::Export).is_some() {
            return vec![KeyHint::new("Esc", "cancel")];
        }
        let mut keys = vec![KeyHint::new("Enter", "write")];
        if self.row == 0 && self.editing {
            keys.push(KeyHint::new(g.down, "files"));
            keys.push(KeyHint::new("Ctrl-U", "clear"));
        } else if self.row == 0 {
            keys.push(KeyHint::new("e", "edit folder"));
            keys.push(KeyHint::new(g.down, "files"));
        } else {
            keys.push(KeyHint::new(g.up_down, "row"));
            keys.push(KeyHint::new("Spc", "check"));
            if self.scoring_row() == Some(ScoringRow::Sql) {
                keys.push(KeyHint::new(g.left_right, "engine"));
            }
        }
        keys.push(KeyHint::new("Esc", "back"));
        keys
    }

    fn help(&self) -> &'static [(&'static str, &'static str)] {
        HELP
    }

    fn text_input(&self, jobs: &[RunningJob]) -> bool {
        self.editing_folder(jobs)
    }
}

/// What the screen is for (its keys: `keymap::BINDINGS`).
pub const HELP: &[(&str, &str)] = &[
    (
        "",
        "Export writes the results into one folder: the customers with their",
    ),
    (
        "",
        "segment, a summary per segment, charts, a Markdown report, the model,",
    ),
    (
        "",
        "scoring SQL and PMML when checked, and run.toml, which replays the run:",
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
];
