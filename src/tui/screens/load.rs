//! Stage 1, Load: a path field with completion, a browser of the folder the
//! path points into, loading options (encoding, delimiter, header, sheet,
//! date order, bad rows), and a preview of the first rows with each
//! column's detected type. Loading runs on the worker with a progress bar;
//! Esc cancels it.

use crate::error::{Error, Result};
use crate::pipeline::load::{DateOrder, FileKind, file_kind};
use crate::pipeline::table::{ColumnData, Table};
use crate::remedy::Remedy;
use crate::tui::action::{Action, Move};
use crate::tui::app::{App, JobKind, LoadKey, RunningJob, Stage, StatusKind};
use crate::tui::text::{self, TextInput};
use crate::tui::widgets::{self, KeyHint, pane_block};
use crate::tui::worker::Job;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use std::cell::Cell;
use std::path::{Path, PathBuf};

/// The panes, in Tab order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pane {
    Path,
    Files,
    Options,
    Preview,
}

const PANES: [Pane; 4] = [Pane::Path, Pane::Files, Pane::Options, Pane::Preview];

/// File name extensions the browser lists (folders are always listed).
pub const DATA_EXTENSIONS: [&str; 8] = ["csv", "tsv", "txt", "xlsx", "xlsm", "xlsb", "xls", "ods"];

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub name: String,
    pub is_dir: bool,
    pub size: u64,
}

/// The folder the path field points into, filtered by the name being typed.
#[derive(Clone, Debug, Default)]
pub struct Browser {
    /// The folder part of the path, as typed ("" = the current folder).
    pub dir: String,
    pub entries: Vec<Entry>,
    /// Indices into `entries` matching the typed name.
    pub shown: Vec<usize>,
    pub selected: usize,
    pub offset: Cell<usize>,
    pub error: Option<String>,
    listed: bool,
}

impl Browser {
    pub fn selected_entry(&self) -> Option<&Entry> {
        self.shown.get(self.selected).map(|&i| &self.entries[i])
    }
}

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

/// What ←/→ offers on the Encoding row: every encoding detection knows
/// (any other label can still be set with `--encoding`).
const ENCODINGS: [&str; 15] = [
    "utf-8",
    "gbk",
    "gb18030",
    "big5",
    "latin1",
    "utf-16le",
    "shift_jis",
    "euc-jp",
    "euc-kr",
    "windows-1252",
    "windows-1250",
    "windows-1251",
    "koi8-r",
    "windows-1253",
    "utf-16be",
];
const DELIMITERS: [char; 4] = [',', ';', '\t', '|'];

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
        }
    }
}

/// (folder part including its trailing '/', name being typed).
fn split_path(text: &str) -> (&str, &str) {
    match text.rfind('/') {
        Some(i) => (&text[..=i], &text[i + 1..]),
        None => ("", text),
    }
}

/// The filesystem path for what the user typed (`~/` is their home).
pub fn fs_path(text: &str) -> PathBuf {
    let text = text.trim();
    if text.is_empty() {
        return PathBuf::from(".");
    }
    if let Some(rest) = text.strip_prefix("~/")
        && let Some(home) = std::env::var_os("HOME")
    {
        return PathBuf::from(home).join(rest);
    }
    PathBuf::from(text)
}

fn is_data_file(name: &str) -> bool {
    Path::new(name)
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .is_some_and(|e| DATA_EXTENSIONS.contains(&e.as_str()))
}

/// Folders first, then data files, each sorted by name; hidden files skipped.
pub fn list_dir(dir: &Path) -> Result<Vec<Entry>> {
    let read = std::fs::read_dir(dir).map_err(|e| Error::io_path("listing", dir, e))?;
    let mut entries = vec![Entry {
        name: "..".into(),
        is_dir: true,
        size: 0,
    }];
    let mut rest: Vec<Entry> = read
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') {
                return None;
            }
            // Follow symlinks, so a linked folder opens like a folder.
            let meta = std::fs::metadata(e.path()).ok()?;
            let is_dir = meta.is_dir();
            (is_dir || is_data_file(&name)).then_some(Entry {
                name,
                is_dir,
                size: meta.len(),
            })
        })
        .collect();
    rest.sort_by(|a, b| b.is_dir.cmp(&a.is_dir).then_with(|| a.name.cmp(&b.name)));
    entries.extend(rest);
    Ok(entries)
}

/// Re-lists the folder if the path now points into another one, filters the
/// list by the typed name, and asks for the sheet names of a workbook.
pub fn after_path_change(app: &mut App) {
    let text = app.load.path.text().to_string();
    let (dir, name) = split_path(&text);
    let b = &mut app.load.browser;
    if !b.listed || b.dir != dir {
        b.dir = dir.to_string();
        b.listed = true;
        match list_dir(&fs_path(dir)) {
            Ok(entries) => {
                b.entries = entries;
                b.error = None;
            }
            Err(e) => {
                b.entries.clear();
                b.error = Some(e.to_string());
            }
        }
        b.offset.set(0);
    }
    // While a name is being typed the list shows what it could complete to;
    // once it names an entry, the whole folder (with that entry selected).
    let exact = b.entries.iter().any(|e| e.name == name && e.name != "..");
    let lower = if exact {
        String::new()
    } else {
        name.to_lowercase()
    };
    b.shown = (0..b.entries.len())
        .filter(|&i| {
            let e = &b.entries[i];
            if e.name == ".." {
                lower.is_empty()
            } else {
                e.name.to_lowercase().starts_with(&lower)
            }
        })
        .collect();
    b.selected = b
        .shown
        .iter()
        .position(|&i| b.entries[i].name == name)
        .unwrap_or(0);
    request_sheets(app);
}

fn request_sheets(app: &mut App) {
    let path = fs_path(app.load.path.text());
    if file_kind(&path) != FileKind::Workbook || !path.is_file() {
        return;
    }
    if app.load.sheets.as_ref().is_some_and(|(p, _)| *p == path)
        || app.job(JobKind::Sheets).is_some_and(|j| j.path == path)
    {
        return;
    }
    app.cancel_job(JobKind::Sheets);
    app.load.sheets_error = None;
    let job_path = path.clone();
    app.start_job(
        JobKind::Sheets,
        format!("Reading the sheet names of {}", file_name(&path)),
        path,
        None,
        |id, _| Job::Sheets { id, path: job_path },
    );
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// The completion offered after the cursor: what all matching names share
/// beyond what is typed (with '/' when it is one folder).
pub fn completion(app: &App) -> Option<String> {
    let input = &app.load.path;
    if !input.at_end() {
        return None;
    }
    let (_, name) = split_path(input.text());
    let b = &app.load.browser;
    let matches: Vec<&Entry> = b
        .shown
        .iter()
        .map(|&i| &b.entries[i])
        .filter(|e| e.name != ".." && e.name.starts_with(name))
        .collect();
    let first = matches.first()?;
    let mut common: &str = &first.name;
    for e in &matches[1..] {
        let n = common
            .char_indices()
            .zip(e.name.chars())
            .take_while(|((_, a), b)| a == b)
            .last()
            .map_or(0, |((i, c), _)| i + c.len_utf8());
        common = &common[..n];
    }
    let mut ghost = common[name.len()..].to_string();
    if matches.len() == 1 && first.is_dir {
        ghost.push('/');
    }
    (!ghost.is_empty()).then_some(ghost)
}

/// The load that the path field and options describe now.
pub fn current_key(app: &App) -> LoadKey {
    LoadKey {
        path: fs_path(app.load.path.text()),
        options: app.config.load.clone(),
    }
}

/// The preview shows what the path and options describe (Enter goes on).
pub fn is_current(app: &App) -> bool {
    app.data.loaded.as_ref() == Some(&current_key(app))
}

/// Starts loading what the path field names (a folder is opened instead).
pub fn start_load(app: &mut App) {
    let text = app.load.path.text().trim().to_string();
    if text.is_empty() {
        app.set_status(
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
        app.load.path.set(&dir);
        after_path_change(app);
        app.load.focus = Pane::Files;
        app.set_status(StatusKind::Info, "That is a folder: pick a file in it.");
        return;
    }
    app.cancel_job(JobKind::Load);
    let key = current_key(app);
    if app.config.input.as_ref() != Some(&path) {
        // Another file than a replayed run's: its fingerprint does not apply.
        app.config.input_sha256 = None;
    }
    app.config.input = Some(path.clone());
    app.status = None;
    let options = key.options.clone();
    let expected_sha256 = app.config.input_sha256.clone();
    let job_path = path.clone();
    app.start_job(
        JobKind::Load,
        format!("Loading {}", file_name(&path)),
        path,
        Some(key),
        move |id, cancel| Job::Load {
            id,
            path: job_path,
            options,
            expected_sha256,
            cancel: cancel.unwrap_or_default(),
        },
    );
}

/// Enter: load what is described, or go on to Map when it is loaded already.
fn proceed(app: &mut App) {
    if app.job(JobKind::Load).is_some() {
        app.set_status(StatusKind::Info, "Still loading; Esc cancels.");
    } else if is_current(app) {
        app.go_to(Stage::Map);
    } else {
        start_load(app);
    }
}

pub fn on_loaded(app: &mut App, job: RunningJob, result: Result<Table>) {
    let name = file_name(&job.path);
    match result {
        Ok(table) => {
            let rows = table.n_rows;
            let cols = table.columns.len();
            let warnings =
                table.source.warnings.len() + usize::from(encoding_note(&table.source).is_some());
            app.data.table = Some(std::sync::Arc::new(table));
            app.data.loaded = job.load_key;
            app.data.invalidate_after(Stage::Load);
            app.load.preview_col = 0;
            app.load.preview_row = 0;
            if app.load.focus == Pane::Path {
                // Out of the text field, so q and ? work again.
                app.load.focus = Pane::Preview;
            }
            let mut msg = format!(
                "Loaded {} rows {} {} columns from {name}.",
                text::thousands(rows),
                if app.ui.ascii { "x" } else { "×" },
                cols
            );
            if warnings > 0 {
                msg.push_str(&format!(
                    " {warnings} warning{} in the preview.",
                    if warnings == 1 { "" } else { "s" }
                ));
            }
            msg.push_str(" Enter: map columns.");
            app.set_status(
                if warnings > 0 {
                    StatusKind::Warn
                } else {
                    StatusKind::Success
                },
                msg,
            );
        }
        Err(Error::Cancelled) => {
            app.set_status(
                StatusKind::Warn,
                format!("Loading {name} cancelled; nothing was changed."),
            );
        }
        Err(e) => {
            let hint = App::load_hint(&e, &job.path);
            let msg = crate::tui::remedy::error_text(&e);
            app.set_status(StatusKind::Error, format!("Could not load {name}: {msg}"));
            app.show_error(format!("Could not load {name}"), msg, hint);
        }
    }
}

pub fn on_sheets(app: &mut App, job: RunningJob, result: Result<Vec<String>>) {
    match result {
        Ok(names) => {
            if let Some(sheet) = &app.config.load.sheet {
                let is_index = sheet.parse::<usize>().is_ok_and(|i| i < names.len());
                if !is_index && !names.contains(sheet) {
                    app.config.load.sheet = None;
                }
            }
            app.load.sheets = Some((job.path, names));
            app.load.sheets_error = None;
        }
        Err(e) => {
            app.load.sheets = None;
            app.load.sheets_error = Some(e.to_string());
        }
    }
}

fn cycle<T: Clone + PartialEq>(values: &[T], current: &T, step: isize) -> T {
    let n = values.len() as isize;
    let i = values.iter().position(|v| v == current).unwrap_or(0) as isize;
    values[(i + step).rem_euclid(n) as usize].clone()
}

/// ←/→ on an option row: the next value (`None` = automatic).
fn change_option(app: &mut App, row: OptionRow, step: isize) {
    let o = &mut app.config.load;
    match row {
        OptionRow::Encoding => {
            let mut values: Vec<Option<String>> = std::iter::once(None)
                .chain(ENCODINGS.iter().map(|e| Some(e.to_string())))
                .collect();
            if !values.contains(&o.encoding) {
                values.push(o.encoding.clone());
            }
            o.encoding = cycle(&values, &o.encoding, step);
        }
        OptionRow::Delimiter => {
            let mut values: Vec<Option<char>> =
                std::iter::once(None).chain(DELIMITERS.map(Some)).collect();
            if !values.contains(&o.delimiter) {
                values.push(o.delimiter);
            }
            o.delimiter = cycle(&values, &o.delimiter, step);
        }
        OptionRow::Header => o.header = cycle(&[None, Some(true), Some(false)], &o.header, step),
        OptionRow::Sheet => {
            let Some((_, names)) = &app.load.sheets else {
                app.set_status(
                    StatusKind::Info,
                    "Sheets are for workbooks (xlsx, xls, ods); this is a text file.",
                );
                return;
            };
            let values: Vec<Option<String>> = std::iter::once(None)
                .chain(names.iter().cloned().map(Some))
                .collect();
            o.sheet = cycle(&values, &o.sheet, step);
        }
        OptionRow::DateOrder => {
            o.date_order = cycle(&[DateOrder::Dmy, DateOrder::Mdy], &o.date_order, step);
        }
        OptionRow::BadRows => o.skip_bad_rows = !o.skip_bad_rows,
    }
}

/// Opens the browser entry: a folder becomes the path's folder, a file is loaded.
fn open_entry(app: &mut App) {
    let Some(entry) = app.load.browser.selected_entry().cloned() else {
        return;
    };
    let dir = app.load.browser.dir.clone();
    if entry.name == ".." {
        go_to_parent(app);
    } else if entry.is_dir {
        app.load.path.set(&format!("{dir}{}/", entry.name));
        after_path_change(app);
    } else {
        app.load.path.set(&format!("{dir}{}", entry.name));
        after_path_change(app);
        start_load(app);
    }
}

fn go_to_parent(app: &mut App) {
    let dir = app.load.browser.dir.trim_end_matches('/').to_string();
    let last = dir.rsplit('/').next().unwrap_or("");
    let parent = if dir.is_empty() || last == ".." || last == "." || last == "~" {
        format!("{}../", app.load.browser.dir)
    } else {
        match dir.rfind('/') {
            Some(i) => dir[..=i].to_string(),
            None => String::new(),
        }
    };
    let parent = if parent.is_empty() && app.load.browser.dir.starts_with('/') {
        "/".to_string()
    } else {
        parent
    };
    app.load.path.set(&parent);
    after_path_change(app);
}

pub fn update(app: &mut App, action: Action) {
    match action {
        Action::NextPane | Action::PrevPane => {
            let i = PANES.iter().position(|&p| p == app.load.focus).unwrap_or(0);
            let step = if matches!(action, Action::NextPane) {
                1
            } else {
                PANES.len() - 1
            };
            app.load.focus = PANES[(i + step) % PANES.len()];
            return;
        }
        Action::Back if app.job(JobKind::Load).is_some() => {
            let label = app.job(JobKind::Load).map(|j| j.label.clone());
            app.cancel_job(JobKind::Load);
            app.set_status(
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
    match app.load.focus {
        Pane::Path => update_path(app, action),
        Pane::Files => update_files(app, action),
        Pane::Options => update_options(app, action),
        Pane::Preview => update_preview(app, action),
    }
}

fn update_path(app: &mut App, action: Action) {
    let input = &mut app.load.path;
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
        Action::Complete => changed = accept_completion(app),
        Action::Move(Move::Left) => input.left(),
        Action::Move(Move::Right | Move::End) if input.at_end() => {
            changed = accept_completion(app);
        }
        Action::Move(Move::Right) => input.right(),
        Action::Move(Move::Home) => input.home(),
        Action::Move(Move::End) => input.end(),
        Action::Move(Move::Down) => app.load.focus = Pane::Files,
        Action::Confirm => proceed(app),
        Action::Back => app.load.focus = Pane::Files,
        _ => {}
    }
    if changed {
        after_path_change(app);
    }
}

fn accept_completion(app: &mut App) -> bool {
    match completion(app) {
        Some(ghost) => {
            app.load.path.insert_str(&ghost);
            true
        }
        None => false,
    }
}

fn update_files(app: &mut App, action: Action) {
    let b = &mut app.load.browser;
    match action {
        Action::Move(Move::Left) => go_to_parent(app),
        Action::Move(Move::Right) if b.selected_entry().is_some_and(|e| e.is_dir) => {
            open_entry(app);
        }
        Action::Move(Move::Right) => {}
        Action::Move(m) => {
            if m == Move::Up && b.selected == 0 {
                app.load.focus = Pane::Path;
            } else {
                b.selected = widgets::move_in_list(b.selected, b.shown.len(), m, 8);
            }
        }
        Action::Confirm | Action::Toggle => open_entry(app),
        Action::Back => {
            if is_current(app) || app.data.table.is_some() {
                app.load.focus = Pane::Preview;
            } else {
                app.load.focus = Pane::Path;
            }
        }
        _ => {}
    }
}

fn update_options(app: &mut App, action: Action) {
    let row = OPTION_ROWS[app.load.option_row];
    match action {
        Action::Move(Move::Left) => change_option(app, row, -1),
        Action::Move(Move::Right) | Action::Toggle => change_option(app, row, 1),
        Action::Move(m) => {
            app.load.option_row =
                widgets::move_in_list(app.load.option_row, OPTION_ROWS.len(), m, 6);
        }
        Action::Confirm => proceed(app),
        Action::Back => app.load.focus = Pane::Files,
        _ => {}
    }
}

fn update_preview(app: &mut App, action: Action) {
    let (rows, cols) = app
        .data
        .table
        .as_ref()
        .map_or((0, 0), |t| (t.n_rows, t.columns.len()));
    let l = &mut app.load;
    match action {
        Action::Move(Move::Left) => l.preview_col = l.preview_col.saturating_sub(1),
        Action::Move(Move::Right) => {
            l.preview_col = (l.preview_col + 1).min(cols.saturating_sub(1))
        }
        Action::Move(m) => l.preview_row = widgets::move_in_list(l.preview_row, rows, m, 10),
        Action::Confirm => proceed(app),
        Action::Back => {
            app.set_status(
                StatusKind::Info,
                "Load is the first stage. q quits; Tab moves between panes.",
            );
        }
        _ => {}
    }
}

// ---------------------------------------------------------------- drawing

pub fn footer_keys(app: &App) -> Vec<KeyHint> {
    let g = &app.theme.glyphs;
    let mut keys = Vec::new();
    let loading = app.job(JobKind::Load).is_some();
    if loading {
        keys.push(KeyHint::new("Esc", "cancel"));
    }
    let enter = if is_current(app) {
        "map columns"
    } else {
        "load"
    };
    let enter = if loading { "" } else { enter };
    match app.load.focus {
        Pane::Path => {
            if !enter.is_empty() {
                keys.push(KeyHint::new("Enter", enter));
            }
            if completion(app).is_some() {
                keys.push(KeyHint::new(g.right, "complete"));
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

pub const HELP: &[(&str, &str)] = &[
    (
        "",
        "Load reads a customer file (CSV, TSV, XLSX, XLS, ODS) into a typed table.",
    ),
    (
        "",
        "Options override what is detected; the preview shows each column's type.",
    ),
    ("", ""),
    ("Tab / S-Tab", "panes: File, Files, Options, Preview"),
    ("Enter", "load the file; once loaded, go on to Map columns"),
    ("Esc", "cancel loading; leave the path field"),
    (
        "File: → End",
        "accept the completion shown after the cursor",
    ),
    (
        "File: ↓ Ctrl-U",
        "go down to the file list / clear the path",
    ),
    ("Files: ↑↓ Enter", "select; open a folder or load a file"),
    ("Files: ← →", "parent folder / open the selected folder"),
    ("Options: ↑↓", "choose an option"),
    (
        "Options: ←→ Spc",
        "change it (auto = detect); Enter reloads",
    ),
    ("Preview: ↑↓←→", "scroll rows and columns"),
];

pub fn draw(frame: &mut Frame, area: Rect, app: &App) {
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
    draw_path(frame, path_area, app);
    draw_files(frame, files_area, app);
    draw_options(frame, options_area, app);
    draw_preview(frame, preview_area, app);
}

fn draw_path(frame: &mut Frame, area: Rect, app: &App) {
    let t = &app.theme;
    let focused = app.load.focus == Pane::Path;
    let kind = match file_kind(&fs_path(app.load.path.text())) {
        _ if app.load.path.is_empty() => "",
        FileKind::Workbook => " workbook ",
        FileKind::Delimited => " text file ",
    };
    let block = pane_block(t, " File ", focused).title_bottom(Line::from(kind).right_aligned());
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let input = &app.load.path;
    let (before, at, after) = input.split();
    let mut spans = vec![Span::styled(t.glyphs.pointer.to_string(), t.dim())];
    let room = (inner.width as usize).saturating_sub(3);
    if focused {
        // Keep the cursor in view: cut the start of long paths.
        let before_shown = text::truncate_left(before, room.saturating_sub(1), t.glyphs.ellipsis);
        spans.push(Span::styled(before_shown, t.input()));
        match completion(app) {
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

fn draw_files(frame: &mut Frame, area: Rect, app: &App) {
    let t = &app.theme;
    let b = &app.load.browser;
    let focused = app.load.focus == Pane::Files;
    let dir = if b.dir.is_empty() {
        "./"
    } else {
        b.dir.as_str()
    };
    let title_room = (area.width as usize).saturating_sub(14);
    let title = format!(
        " Files in {} ",
        text::truncate_left(dir, title_room, t.glyphs.ellipsis)
    );
    let block = pane_block(t, &title, focused);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if let Some(err) = &b.error {
        frame.render_widget(
            Paragraph::new(Line::styled(err.clone(), t.error()))
                .wrap(ratatui::widgets::Wrap { trim: true }),
            inner,
        );
        return;
    }
    if b.shown.is_empty() {
        frame.render_widget(
            Paragraph::new(Line::styled(
                " no matching CSV/TSV/XLSX/XLS/ODS files",
                t.dim(),
            )),
            inner,
        );
        return;
    }
    let height = inner.height as usize;
    let offset = widgets::scroll_offset(&b.offset, b.selected, height, b.shown.len());
    let width = inner.width as usize;
    let lines: Vec<Line> = b
        .shown
        .iter()
        .enumerate()
        .skip(offset)
        .take(height)
        .map(|(row, &i)| {
            let e = &b.entries[i];
            let selected = row == b.selected;
            let (name, style, size) = if e.is_dir {
                (format!("{}/", e.name), t.directory(), String::new())
            } else {
                (e.name.clone(), t.text(), text::bytes(e.size))
            };
            let size_w = text::width(&size);
            let name_w = width.saturating_sub(size_w + 3);
            let line = Line::from(vec![
                Span::styled(
                    format!(" {}", text::fit(&name, name_w, t.glyphs.ellipsis)),
                    style,
                ),
                Span::styled(format!(" {size} "), t.dim()),
            ]);
            if selected {
                widgets::highlight(
                    line,
                    if focused {
                        t.selected()
                    } else {
                        t.selected_unfocused()
                    },
                )
            } else {
                line
            }
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}

/// The text of an option's value, with what was detected for "auto".
fn option_value(app: &App, row: OptionRow) -> (String, bool) {
    let o = &app.config.load;
    let src = app
        .data
        .table
        .as_ref()
        .filter(|_| is_current(app))
        .map(|t| &t.source);
    let auto = |detected: Option<String>| match detected {
        Some(d) => format!("auto ({d})"),
        None => "auto".to_string(),
    };
    let delim_name = |c: char| match c {
        '\t' => "tab".to_string(),
        ' ' => "space".to_string(),
        c => format!("'{c}'"),
    };
    match row {
        OptionRow::Encoding => match &o.encoding {
            Some(e) => (e.clone(), true),
            None => (
                auto(src.and_then(|s| {
                    s.encoding_report
                        .as_ref()
                        .map(|r| r.brief())
                        .or_else(|| s.encoding.clone())
                })),
                true,
            ),
        },
        OptionRow::Delimiter => match o.delimiter {
            Some(c) => (delim_name(c), true),
            None => (auto(src.and_then(|s| s.delimiter.map(delim_name))), true),
        },
        OptionRow::Header => match o.header {
            Some(true) => ("first row is the header".into(), true),
            Some(false) => ("no header row".into(), true),
            None => (
                auto(src.map(|s| if s.has_header { "yes" } else { "no" }.to_string())),
                true,
            ),
        },
        OptionRow::Sheet => {
            if let Some((_, names)) = &app.load.sheets {
                match &o.sheet {
                    Some(s) => (s.clone(), true),
                    None => (auto(names.first().map(|n| format!("first: {n}"))), true),
                }
            } else if app.job(JobKind::Sheets).is_some() {
                ("reading sheet names…".into(), false)
            } else if let Some(e) = &app.load.sheets_error {
                (e.clone(), false)
            } else {
                ("n/a (text file)".into(), false)
            }
        }
        OptionRow::DateOrder => match o.date_order {
            DateOrder::Dmy => ("dd/mm (03/04 = 3 Apr)".into(), true),
            DateOrder::Mdy => ("mm/dd (03/04 = Mar 4)".into(), true),
        },
        OptionRow::BadRows => (
            if o.skip_bad_rows {
                "skip and count them"
            } else {
                "stop with an error"
            }
            .into(),
            true,
        ),
    }
}

fn draw_options(frame: &mut Frame, area: Rect, app: &App) {
    let t = &app.theme;
    let focused = app.load.focus == Pane::Options;
    let block = pane_block(t, " Options ", focused);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let width = inner.width as usize;
    let label_w = 10;
    let offset = app
        .load
        .option_row
        .saturating_sub((inner.height as usize).saturating_sub(1));
    let lines: Vec<Line> = OPTION_ROWS
        .iter()
        .enumerate()
        .skip(offset)
        .take(inner.height as usize)
        .map(|(i, &row)| {
            let label = match row {
                OptionRow::Encoding => "Encoding",
                OptionRow::Delimiter => "Delimiter",
                OptionRow::Header => "Header",
                OptionRow::Sheet => "Sheet",
                OptionRow::DateOrder => "Dates",
                OptionRow::BadRows => "Bad rows",
            };
            let (value, editable) = option_value(app, row);
            let selected = i == app.load.option_row;
            // "< value >" on the selected row, the value in the same column
            // either way.
            let arrows = selected && focused && editable;
            let value_w = width.saturating_sub(1 + label_w + 4);
            let value = text::truncate(&value, value_w, t.glyphs.ellipsis);
            let pad = " ".repeat(value_w.saturating_sub(text::width(&value)));
            let line = Line::from(vec![
                Span::styled(format!(" {}", text::fit(label, label_w, "")), t.text()),
                Span::styled(if arrows { "< " } else { "  " }, t.key()),
                Span::styled(value, if editable { t.input() } else { t.dim() }),
                Span::styled(if arrows { " >" } else { "  " }, t.key()),
                Span::raw(pad),
            ]);
            if selected && focused {
                widgets::highlight(line, t.selected())
            } else {
                line
            }
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}

/// One preview column: its cells, width and alignment.
struct PreviewColumn {
    name: String,
    kind: String,
    style: Style,
    cells: Vec<Option<String>>,
    width: usize,
    right: bool,
}

fn preview_columns(app: &App, table: &Table, rows: std::ops::Range<usize>) -> Vec<PreviewColumn> {
    let t = &app.theme;
    table
        .columns
        .iter()
        .map(|c| {
            let cells: Vec<Option<String>> = rows
                .clone()
                .map(|i| (!c.data.is_missing(i)).then(|| c.data.display(i)))
                .collect();
            let widest = cells
                .iter()
                .flatten()
                .map(|s| text::width(s))
                .max()
                .unwrap_or(0);
            let kind = c.ctype.name().to_string();
            let width = text::width(&c.name)
                .max(kind.len())
                .max(widest)
                .clamp(4, 20);
            PreviewColumn {
                name: c.name.clone(),
                kind,
                style: t.column_type(c.ctype),
                cells,
                width,
                right: matches!(c.data, ColumnData::Number(_)),
            }
        })
        .collect()
}

fn draw_preview(frame: &mut Frame, area: Rect, app: &App) {
    let t = &app.theme;
    let focused = app.load.focus == Pane::Preview;
    if let Some(job) = app.job(JobKind::Load) {
        let block = pane_block(t, " Preview ", focused);
        let inner = block.inner(area);
        frame.render_widget(block, area);
        widgets::progress::draw_job(frame, inner, app, job);
        return;
    }
    let Some(table) = &app.data.table else {
        let block = pane_block(t, " Preview ", focused);
        let inner = block.inner(area);
        frame.render_widget(block, area);
        frame.render_widget(
            Paragraph::new(vec![
                Line::default(),
                Line::styled("No file loaded yet.", t.dim()).centered(),
                Line::styled(
                    "Type a path above, or pick a file, and press Enter.",
                    t.dim(),
                )
                .centered(),
            ]),
            inner,
        );
        return;
    };
    let s = &table.source;
    let times = if app.ui.ascii { "x" } else { "×" };
    let mut title = format!(
        " {} {} {} rows {times} {} cols ",
        s.file_name(),
        t.glyphs.sep,
        text::thousands(table.n_rows),
        table.columns.len()
    );
    if let Some(sheet) = &s.sheet {
        title = format!("{title}{} sheet {sheet} ", t.glyphs.sep);
    }
    let stale = !is_current(app);
    let mut block = pane_block(t, &title, focused);
    if stale {
        block = block.title_bottom(
            Line::styled(" path or options changed: Enter reloads ", t.warn()).right_aligned(),
        );
    }
    let inner = block.inner(area);
    frame.render_widget(block, area);

    // Notes worth seeing before going on: doubts about the encoding, loader
    // warnings, unparsed cells.
    let mut notes: Vec<String> = encoding_note(s).into_iter().collect();
    let doubt = !notes.is_empty();
    notes.extend(s.warnings.iter().cloned());
    // A header the loader decided against: how to say there is one.
    if !s.has_header && app.config.load.header.is_none() {
        notes.push(crate::tui::remedy::key_sentence(&Remedy::Header));
    }
    for c in &table.columns {
        if c.info.unparsed > 0 {
            let example = c
                .info
                .unparsed_examples
                .first()
                .map(|(_, v)| format!(", e.g. '{v}'"))
                .unwrap_or_default();
            notes.push(format!(
                "{}: {} value{} not read as {}{example}",
                c.name,
                c.info.unparsed,
                if c.info.unparsed == 1 { "" } else { "s" },
                c.ctype.name()
            ));
        }
        notes.extend(c.info.notes.iter().map(|n| format!("{}: {n}", c.name)));
    }
    let note_lines = notes
        .len()
        .min(2)
        .min((inner.height as usize).saturating_sub(3)) as u16;
    let [grid_area, notes_area] =
        Layout::vertical([Constraint::Min(1), Constraint::Length(note_lines)]).areas(inner);
    if note_lines > 0 {
        let lines = note_rows(
            &notes,
            doubt,
            note_lines as usize,
            notes_area.width as usize,
            t,
        );
        frame.render_widget(Paragraph::new(lines), notes_area);
    }

    let data_rows = (grid_area.height as usize).saturating_sub(2);
    let first_row = app.load.preview_row.min(table.n_rows.saturating_sub(1));
    let rows = first_row..(first_row + data_rows).min(table.n_rows);
    let cols = preview_columns(app, table, rows.clone());
    let first_col = app.load.preview_col.min(cols.len().saturating_sub(1));
    let width = grid_area.width as usize;
    // Columns that fit from `first_col`; the last may be cut.
    let mut shown = Vec::new();
    let mut used = 1;
    for (j, c) in cols.iter().enumerate().skip(first_col) {
        if used >= width {
            break;
        }
        let w = c.width.min(width - used);
        shown.push((j, w));
        used += w + 2;
    }
    let hidden_right = cols.len() - first_col - shown.len()
        + usize::from(shown.last().is_some_and(|&(j, w)| w < cols[j].width));
    let cell = |s: &str, w: usize, right: bool| {
        if right {
            text::fit_right(s, w, t.glyphs.ellipsis)
        } else {
            text::fit(s, w, t.glyphs.ellipsis)
        }
    };
    let mut lines = Vec::new();
    let mut header = vec![Span::raw(" ")];
    let mut types = vec![Span::raw(" ")];
    for &(j, w) in &shown {
        let c = &cols[j];
        header.push(Span::styled(cell(&c.name, w, c.right), t.title()));
        header.push(Span::raw("  "));
        types.push(Span::styled(cell(&c.kind, w, c.right), c.style));
        types.push(Span::raw("  "));
    }
    lines.push(Line::from(header));
    lines.push(Line::from(types));
    for (r, _) in rows.clone().enumerate() {
        let mut spans = vec![Span::raw(" ")];
        for &(j, w) in &shown {
            let c = &cols[j];
            match &c.cells[r] {
                Some(v) => spans.push(Span::styled(cell(v, w, c.right), t.text())),
                None => spans.push(Span::styled(cell(t.glyphs.missing, w, c.right), t.dim())),
            }
            spans.push(Span::raw("  "));
        }
        lines.push(Line::from(spans));
    }
    frame.render_widget(Paragraph::new(lines), grid_area);

    // Where we are, when there is more than fits.
    let mut pos = Vec::new();
    if first_col > 0 || hidden_right > 0 {
        let arrows = format!(
            "{}{}",
            if first_col > 0 { t.glyphs.left } else { "" },
            if hidden_right > 0 { t.glyphs.right } else { "" }
        );
        pos.push(format!(
            "{arrows} col {}-{} of {}",
            first_col + 1,
            first_col + shown.len(),
            cols.len()
        ));
    }
    if table.n_rows > rows.len() {
        pos.push(format!(
            "rows {}-{} of {}",
            text::thousands(rows.start + 1),
            text::thousands(rows.end),
            text::thousands(table.n_rows)
        ));
    }
    if !pos.is_empty() && !stale {
        let label = format!(" {} ", pos.join(&format!(" {} ", t.glyphs.sep)));
        let w = text::width(&label) as u16;
        if w + 2 < area.width {
            let at = Rect::new(area.x + area.width - w - 1, area.y + area.height - 1, w, 1);
            frame.render_widget(Paragraph::new(Line::styled(label, t.dim())), at);
        }
    }
}

/// The preview's note lines: one note a line, cut to the width, the last
/// saying how many more there are; a doubt about the encoding (`doubt`:
/// the first note) wraps onto every line, since what it names, the
/// runner-up and the cell the two read apart, comes last.
fn note_rows(
    notes: &[String],
    doubt: bool,
    rows: usize,
    width: usize,
    t: &crate::tui::theme::Theme,
) -> Vec<Line<'static>> {
    let mut shown: Vec<String> = Vec::new();
    let mut used = 0;
    for (i, n) in notes.iter().enumerate() {
        if shown.len() == rows {
            break;
        }
        let n = format!("{} {n}", t.glyphs.warn);
        if i == 0 && doubt && text::width(&n) > width {
            let wrapped = text::wrap(&n, width);
            shown.extend(wrapped.into_iter().take(rows));
        } else {
            shown.push(n);
        }
        used = i + 1;
    }
    let more = notes.len() - used;
    let last = shown.len().saturating_sub(1);
    shown
        .into_iter()
        .enumerate()
        .map(|(i, n)| {
            let suffix = if more > 0 && i == last {
                format!(" (+{more} more)")
            } else {
                String::new()
            };
            let room = width.saturating_sub(text::width(&suffix));
            let n = text::truncate(&n, room, t.glyphs.ellipsis) + &suffix;
            Line::styled(n, t.warn())
        })
        .collect()
}

/// What custseg doubts about the encoding, with where to settle it.
fn encoding_note(s: &crate::pipeline::table::SourceInfo) -> Option<String> {
    let report = s.encoding_report.as_ref()?;
    let problem = report.problem()?;
    Some(match report.suggested_label() {
        Some(label) => {
            format!("{problem}: set Encoding to {label} in Options if the text looks wrong")
        }
        None => format!("{problem}: set Encoding in Options"),
    })
}
