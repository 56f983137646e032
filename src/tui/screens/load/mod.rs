//! Stage 1, Load: a path field with completion, a browser of the folder the
//! path points into, loading options (encoding, delimiter, header, sheet,
//! date order, bad rows), and a preview of the first rows with each
//! column's detected type. Loading runs on the worker with a progress bar;
//! Esc cancels it.

mod bundled;
mod options;
mod preview;
mod previous;

use super::{Ctx, DrawCtx, Screen, Session};
use crate::error::{Error, Result};
use crate::pipeline::load::{FileKind, file_kind};
use crate::pipeline::table::{SourceInfo, Table};
use crate::tui::action::{Action, Command, Move};
use crate::tui::data::{Change, Output};
use crate::tui::jobs::{JobKind, Request, RunningJob, file_name};
use crate::tui::overlay::StatusKind;
use crate::tui::text::{self, TextInput};
use crate::tui::widgets::file_browser::{Browser, fs_path, split_path};
use crate::tui::widgets::{self, KeyHint, pane_block};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use bundled::{BundledNote, SampleDirs, empty_start_lines};

/// The panes, in Tab order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pane {
    Path,
    Files,
    Options,
    Preview,
}

const PANES: [Pane; 4] = [Pane::Path, Pane::Files, Pane::Options, Pane::Preview];

/// The rows of the Options pane.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OptionRow {
    Encoding,
    Delimiter,
    Header,
    Sheet,
    DateOrder,
    BadRows,
}

pub const OPTION_ROWS: [OptionRow; 6] = [
    OptionRow::Encoding,
    OptionRow::Delimiter,
    OptionRow::Header,
    OptionRow::Sheet,
    OptionRow::DateOrder,
    OptionRow::BadRows,
];

pub struct LoadScreen {
    pub focus: Pane,
    pub path: TextInput,
    pub browser: Browser,
    pub option_row: usize,
    /// Sheets of the workbook in the path field, once listed.
    pub sheets: Option<(PathBuf, Vec<String>)>,
    pub sheets_error: Option<String>,
    /// First column and first row shown in the preview.
    pub preview_col: usize,
    pub preview_row: usize,
    /// Where F2 writes the bundled sample.
    pub sample_dirs: SampleDirs,
    /// Where F2 put the sample, said once it is loaded.
    pub bundled_note: Option<BundledNote>,
}

impl LoadScreen {
    pub fn new(input: Option<&Path>) -> Self {
        LoadScreen {
            focus: if input.is_some() {
                Pane::Preview
            } else {
                Pane::Path
            },
            path: TextInput::new(&input.map(|p| p.display().to_string()).unwrap_or_default()),
            browser: Browser::default(),
            option_row: 0,
            sheets: None,
            sheets_error: None,
            preview_col: 0,
            preview_row: 0,
            sample_dirs: SampleDirs::default(),
            bundled_note: None,
        }
    }

    /// Re-lists the folder if the path now points into another one, filters
    /// the list by the typed name, and asks for the sheet names of a workbook.
    pub fn after_path_change(&mut self, cx: &mut Ctx) {
        self.browser.follow(self.path.text());
        self.request_sheets(cx);
    }

    fn request_sheets(&mut self, cx: &mut Ctx) {
        let path = fs_path(self.path.text());
        if file_kind(&path) != FileKind::Workbook || !path.is_file() {
            return;
        }
        if self.sheets.as_ref().is_some_and(|(p, _)| *p == path)
            || cx.job(JobKind::Sheets).is_some_and(|j| j.path == path)
        {
            return;
        }
        self.sheets_error = None;
        cx.start(Request::Sheets { path });
    }

    /// The completion offered after the cursor.
    pub fn completion(&self) -> Option<String> {
        if !self.path.at_end() {
            return None;
        }
        self.browser.completion(self.path.text())
    }

    /// The preview shows what the path and options describe (Enter goes on).
    pub fn is_current(&self, s: &impl Session) -> bool {
        let loaded = s.data().config();
        s.data().table().is_some()
            && loaded.input.as_deref() == Some(fs_path(self.path.text()).as_path())
            && loaded.load == s.config().load
    }

    /// Starts loading what the path field names (a folder is opened instead).
    pub fn start_load(&mut self, cx: &mut Ctx) {
        let text = self.path.text().trim().to_string();
        if text.is_empty() {
            cx.set_status(
                StatusKind::Warn,
                "Type a file path first, or Tab to Files and pick one.",
            );
            return;
        }
        let path = fs_path(&text);
        if path.is_dir() {
            let mut dir = text.clone();
            if !dir.ends_with('/') {
                dir.push('/');
            }
            self.path.set(&dir);
            self.after_path_change(cx);
            self.focus = Pane::Files;
            cx.set_status(StatusKind::Info, "That is a folder: pick a file in it.");
            return;
        }
        if cx.config.input.as_ref() != Some(&path) {
            // Another file than a replayed run's: its fingerprint does not apply.
            cx.config.input_sha256 = None;
        }
        cx.config.input = Some(path.clone());
        cx.clear_status();
        cx.start(Request::Load { path });
    }

    /// Enter: load what is described, or go on to Map when it is loaded already.
    fn proceed(&mut self, cx: &mut Ctx) {
        if cx.job(JobKind::Load).is_some() {
            cx.set_status(StatusKind::Info, "Still loading; Esc cancels.");
        } else if self.is_current(cx) {
            cx.go_to(crate::tui::stage::Stage::Map);
        } else if previous::is_model_file(self.path.text()) {
            // A model typed in the path: the previous run, not data.
            previous::choose(cx, &fs_path(self.path.text()));
            let input = cx.config.input.as_ref().map(|p| p.display().to_string());
            self.path.set(&input.unwrap_or_default());
            self.after_path_change(cx);
        } else {
            self.start_load(cx);
        }
    }

    pub fn on_loaded(&mut self, cx: &mut Ctx, job: RunningJob, result: Result<Table>) {
        let name = file_name(&job.path);
        let note = self.take_bundled_note(&job.path);
        match result {
            Ok(table) => {
                let rows = table.n_rows;
                let cols = table.columns.len();
                let warnings = table.source.warnings.len()
                    + usize::from(encoding_note(&table.source).is_some());
                cx.change(Change::Put {
                    config: job.config,
                    output: Output::Table(Arc::new(table)),
                });
                self.preview_col = 0;
                self.preview_row = 0;
                if self.focus == Pane::Path {
                    // Out of the text field, so q and ? work again.
                    self.focus = Pane::Preview;
                }
                let mut msg = note.unwrap_or_else(|| {
                    format!(
                        "Loaded {} rows {} {} columns from {name}.",
                        text::thousands(rows),
                        if cx.ascii { "x" } else { "×" },
                        cols
                    )
                });
                if warnings > 0 {
                    msg.push_str(&format!(
                        " {warnings} warning{} in the preview.",
                        if warnings == 1 { "" } else { "s" }
                    ));
                }
                msg.push_str(" Enter: map columns.");
                let kind = if warnings > 0 {
                    StatusKind::Warn
                } else {
                    StatusKind::Success
                };
                cx.set_status(kind, msg);
            }
            Err(Error::Cancelled) => {
                cx.set_status(
                    StatusKind::Warn,
                    format!("Loading {name} cancelled; nothing was changed."),
                );
            }
            Err(e) => {
                let hint = load_hint(&e, &job.path);
                let msg = crate::tui::remedy::error_text(&e);
                cx.set_status(StatusKind::Error, format!("Could not load {name}: {msg}"));
                cx.show_error(format!("Could not load {name}"), msg, hint);
            }
        }
    }

    pub fn on_sheets(&mut self, cx: &mut Ctx, job: RunningJob, result: Result<Vec<String>>) {
        match result {
            Ok(names) => {
                if let Some(sheet) = &cx.config.load.sheet {
                    let is_index = sheet.parse::<usize>().is_ok_and(|i| i < names.len());
                    if !is_index && !names.contains(sheet) {
                        cx.config.load.sheet = None;
                    }
                }
                self.sheets = Some((job.path, names));
                self.sheets_error = None;
            }
            Err(e) => {
                self.sheets = None;
                self.sheets_error = Some(e.to_string());
            }
        }
    }

    /// Opens the browser entry: a folder becomes the path's folder, a file
    /// is loaded.
    fn open_entry(&mut self, cx: &mut Ctx) {
        let Some(entry) = self.browser.selected_entry().cloned() else {
            return;
        };
        let dir = self.browser.dir.clone();
        if entry.name == ".." {
            self.go_to_parent(cx);
        } else if entry.is_dir {
            self.path.set(&format!("{dir}{}/", entry.name));
            self.after_path_change(cx);
        } else if previous::is_model_file(&entry.name) {
            previous::choose(cx, &fs_path(&format!("{dir}{}", entry.name)));
        } else {
            self.path.set(&format!("{dir}{}", entry.name));
            self.after_path_change(cx);
            self.start_load(cx);
        }
    }

    fn go_to_parent(&mut self, cx: &mut Ctx) {
        let parent = self.browser.parent();
        self.path.set(&parent);
        self.after_path_change(cx);
    }

    fn update_path(&mut self, cx: &mut Ctx, action: Action) {
        let input = &mut self.path;
        let mut changed = false;
        match action {
            Action::Input(c) => {
                input.insert(c);
                changed = true;
            }
            Action::Paste(s) => {
                input.insert_str(s.trim());
                changed = true;
            }
            Action::Backspace => changed = input.backspace(),
            Action::Delete => changed = input.delete(),
            Action::ClearInput => {
                input.set("");
                changed = true;
            }
            Action::Complete => changed = self.accept_completion(),
            Action::Move(Move::Left) => input.left(),
            Action::Move(Move::Right | Move::End) if input.at_end() => {
                changed = self.accept_completion();
            }
            Action::Move(Move::Right) => input.right(),
            Action::Move(Move::Home) => input.home(),
            Action::Move(Move::End) => input.end(),
            Action::Move(Move::Down) => self.focus = Pane::Files,
            Action::Confirm => self.proceed(cx),
            Action::Back => self.focus = Pane::Files,
            _ => {}
        }
        if changed {
            self.after_path_change(cx);
        }
    }

    fn accept_completion(&mut self) -> bool {
        match self.completion() {
            Some(ghost) => {
                self.path.insert_str(&ghost);
                true
            }
            None => false,
        }
    }

    fn update_files(&mut self, cx: &mut Ctx, action: Action) {
        let b = &mut self.browser;
        match action {
            Action::Move(Move::Left) => self.go_to_parent(cx),
            Action::Move(Move::Right) if b.selected_entry().is_some_and(|e| e.is_dir) => {
                self.open_entry(cx);
            }
            Action::Move(Move::Right) => {}
            Action::Move(m) => {
                if m == Move::Up && b.selected == 0 {
                    self.focus = Pane::Path;
                } else {
                    b.selected = widgets::move_in_list(b.selected, b.shown.len(), m, 8);
                }
            }
            Action::Confirm | Action::Toggle => self.open_entry(cx),
            Action::Back => {
                if self.is_current(cx) || cx.data.table().is_some() {
                    self.focus = Pane::Preview;
                } else {
                    self.focus = Pane::Path;
                }
            }
            _ => {}
        }
    }

    fn update_options(&mut self, cx: &mut Ctx, action: Action) {
        let row = OPTION_ROWS[self.option_row];
        match action {
            Action::Move(Move::Left) => self.change_option(cx, row, -1),
            Action::Move(Move::Right) | Action::Toggle => self.change_option(cx, row, 1),
            Action::Move(m) => {
                self.option_row = widgets::move_in_list(self.option_row, OPTION_ROWS.len(), m, 6);
            }
            Action::Confirm => self.proceed(cx),
            Action::Back => self.focus = Pane::Files,
            _ => {}
        }
    }

    fn update_preview(&mut self, cx: &mut Ctx, action: Action) {
        let (rows, cols) = cx
            .data
            .table()
            .map_or((0, 0), |t| (t.n_rows, t.columns.len()));
        match action {
            Action::Move(Move::Left) => self.preview_col = self.preview_col.saturating_sub(1),
            Action::Move(Move::Right) => {
                self.preview_col = (self.preview_col + 1).min(cols.saturating_sub(1))
            }
            Action::Move(m) => {
                self.preview_row = widgets::move_in_list(self.preview_row, rows, m, 10)
            }
            Action::Confirm => self.proceed(cx),
            Action::Back => {
                cx.set_status(
                    StatusKind::Info,
                    "Load is the first stage. q quits; Tab moves between panes.",
                );
            }
            _ => {}
        }
    }

    fn draw_path(&self, frame: &mut Frame, area: Rect, v: &DrawCtx) {
        let t = v.theme;
        let focused = self.focus == Pane::Path;
        let kind = match file_kind(&fs_path(self.path.text())) {
            _ if self.path.is_empty() => "",
            FileKind::Workbook => " workbook ",
            FileKind::Delimited => " text file ",
        };
        let mut block =
            pane_block(t, " File ", focused).title_bottom(Line::from(kind).right_aligned());
        if let Some(p) = v.config.cluster.previous.as_deref() {
            // The earlier run this one follows (chosen with Enter on its model.json).
            let room = (area.width as usize).saturating_sub(kind.len() + 14);
            let shown = text::truncate_left(&crate::artefact::shown(p), room, t.glyphs.ellipsis);
            block = block.title_bottom(Line::styled(format!(" follows {shown} "), t.dim()));
        }
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let input = &self.path;
        let (before, at, after) = input.split();
        let mut spans = vec![Span::styled(t.glyphs.pointer.to_string(), t.dim())];
        let room = (inner.width as usize).saturating_sub(3);
        if focused {
            // Keep the cursor in view: cut the start of long paths.
            let before_shown =
                text::truncate_left(before, room.saturating_sub(1), t.glyphs.ellipsis);
            spans.push(Span::styled(before_shown, t.input()));
            match self.completion() {
                // At the end with a completion: the cursor sits on its first character.
                Some(ghost) if at.is_empty() => {
                    let mut chars = ghost.chars();
                    let first = chars.next().map(String::from).unwrap_or_default();
                    spans.push(Span::styled(first, t.ghost().patch(t.cursor())));
                    spans.push(Span::styled(chars.as_str().to_string(), t.ghost()));
                }
                _ => {
                    spans.push(Span::styled(
                        if at.is_empty() { " " } else { at }.to_string(),
                        t.cursor(),
                    ));
                    spans.push(Span::styled(after.to_string(), t.input()));
                }
            }
        } else if input.is_empty() {
            spans.push(Span::styled(
                "type a path, or pick a file in Files",
                t.dim(),
            ));
        } else {
            spans.push(Span::styled(
                text::truncate_left(input.text(), room, t.glyphs.ellipsis),
                t.input(),
            ));
        }
        frame.render_widget(Paragraph::new(Line::from(spans)), inner);
    }
}

impl Screen for LoadScreen {
    fn update(&mut self, cx: &mut Ctx, action: Action) {
        match action {
            Action::NextPane | Action::PrevPane => {
                let i = PANES.iter().position(|&p| p == self.focus).unwrap_or(0);
                let step = if matches!(action, Action::NextPane) {
                    1
                } else {
                    PANES.len() - 1
                };
                self.focus = PANES[(i + step) % PANES.len()];
                return;
            }
            Action::Command(Command::EditValue) => {
                self.focus = Pane::Path;
                self.path.end();
                return;
            }
            Action::Command(Command::BundledSample) => {
                self.load_bundled_sample(cx);
                return;
            }
            Action::Command(Command::Search) => {
                // Keep the folder, drop the name: what is typed filters the list.
                let dir = split_path(self.path.text()).0.to_string();
                self.path.set(&dir);
                self.focus = Pane::Path;
                self.after_path_change(cx);
                cx.set_status(
                    StatusKind::Info,
                    "Type part of a file name: the list shows the files holding it.",
                );
                return;
            }
            Action::Back if cx.job(JobKind::Load).is_some() => {
                let label = cx.job(JobKind::Load).map(|j| j.label.clone());
                cx.cancel(JobKind::Load);
                cx.set_status(
                    StatusKind::Warn,
                    format!(
                        "{} cancelled; nothing was changed.",
                        label.unwrap_or_default()
                    ),
                );
                return;
            }
            _ => {}
        }
        match self.focus {
            Pane::Path => self.update_path(cx, action),
            Pane::Files => self.update_files(cx, action),
            Pane::Options => self.update_options(cx, action),
            Pane::Preview => self.update_preview(cx, action),
        }
    }

    fn draw(&self, frame: &mut Frame, area: Rect, v: &DrawCtx) {
        // The preview keeps at least 3 data rows; Files/Options get up to 6.
        let middle = area.height.saturating_sub(3 + 7).clamp(4, 8);
        let [path_area, mid_area, preview_area] = Layout::vertical([
            Constraint::Length(3),
            Constraint::Length(middle),
            Constraint::Min(3),
        ])
        .areas(area);
        let [files_area, options_area] =
            Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)])
                .areas(mid_area);
        self.draw_path(frame, path_area, v);
        let files_focused = self.focus == Pane::Files;
        self.browser.draw(frame, files_area, v.theme, files_focused);
        self.draw_options(frame, options_area, v);
        self.draw_preview(frame, preview_area, v);
    }

    fn footer_keys(&self, v: &DrawCtx) -> Vec<KeyHint> {
        let g = &v.theme.glyphs;
        let mut keys = Vec::new();
        let loading = v.job(JobKind::Load).is_some();
        if loading {
            keys.push(KeyHint::new("Esc", "cancel"));
        }
        let enter = if self.is_current(v) {
            "map columns"
        } else {
            "load"
        };
        let enter = if loading { "" } else { enter };
        match self.focus {
            Pane::Path => {
                if !enter.is_empty() {
                    keys.push(KeyHint::new("Enter", enter));
                }
                if self.completion().is_some() {
                    keys.push(KeyHint::new(g.right, "complete"));
                }
                if self.path.is_empty() && v.data.table().is_none() && !loading {
                    keys.push(KeyHint::new("F2", "sample"));
                }
                keys.push(KeyHint::new(g.down, "files"));
                keys.push(KeyHint::new("Tab", "pane"));
                keys.push(KeyHint::new("Ctrl-U", "clear"));
            }
            Pane::Files => {
                keys.push(KeyHint::new(g.up_down, "select"));
                keys.push(KeyHint::new("Enter", "open"));
                keys.push(KeyHint::new(g.left, "parent"));
                keys.push(KeyHint::new("Tab", "pane"));
            }
            Pane::Options => {
                keys.push(KeyHint::new(g.up_down, "option"));
                keys.push(KeyHint::new(g.left_right, "change"));
                if !enter.is_empty() {
                    keys.push(KeyHint::new("Enter", enter));
                }
                keys.push(KeyHint::new("Tab", "pane"));
            }
            Pane::Preview => {
                if !enter.is_empty() {
                    keys.push(KeyHint::new("Enter", enter));
                }
                keys.push(KeyHint::new(g.arrows, "scroll"));
                keys.push(KeyHint::new("Tab", "pane"));
            }
        }
        keys
    }

    fn help(&self) -> &'static [(&'static str, &'static str)] {
        HELP
    }

    fn text_input(&self, _jobs: &[RunningJob]) -> bool {
        self.focus == Pane::Path
    }
}

/// What custseg doubts about the encoding, with where to settle it.
fn encoding_note(s: &SourceInfo) -> Option<String> {
    let report = s.encoding_report.as_ref()?;
    let problem = report.problem()?;
    Some(match report.suggested_label() {
        Some(label) => {
            format!("{problem}: set Encoding to {label} in Options if the text looks wrong")
        }
        None => format!("{problem}: set Encoding in Options"),
    })
}

/// What to tell the user to do about a loading error, in this UI's
/// terms: from the error's remedy, its I/O kind, or the kind of file.
pub fn load_hint(err: &Error, path: &Path) -> String {
    use std::io::ErrorKind;
    if let Some(r) = err.remedy() {
        return format!(
            "{} Then Enter to load again.",
            crate::tui::remedy::key_sentence(r)
        );
    }
    let workbook = file_kind(path) == FileKind::Workbook;
    match err.io_kind() {
        Some(ErrorKind::NotFound) => {
            "Check the path, or Tab to Files and pick the file from the list.".into()
        }
        Some(ErrorKind::PermissionDenied) => {
            "Ask for read access to the file, or copy it somewhere you can read.".into()
        }
        Some(ErrorKind::IsADirectory) => {
            "Pick a file inside it: Tab to Files, then Enter on a folder opens it.".into()
        }
        _ if workbook => {
            "Pick another Sheet in Options, or save the sheet as CSV and load that.".into()
        }
        _ if err.exit_code() == 2 => "Fix the setting in Options, then Enter to load again.".into(),
        _ => "Check the file and the Options (encoding, delimiter, header), then Enter to load again."
            .into(),
    }
}

/// What the screen is for (its keys: `keymap::BINDINGS`).
pub const HELP: &[(&str, &str)] = &[
    (
        "",
        "Load reads a customer file (delimited text, plain or gzip/zstd; a workbook; Parquet or Arrow) into a typed table.",
    ),
    (
        "",
        "Options override what is detected; the preview shows each column's type.",
    ),
    (
        "",
        "No file of your own yet? F2 loads the bundled sample; custseg sample --rows N --out FILE makes a bigger one.",
    ),
];
