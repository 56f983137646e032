//! A browser of the folder a typed path points into: folders and data
//! files, filtered by the name being typed, with the completion it allows
//! and the way up. The Load screen owns one and follows its path field.

use super::{highlight, pane_block, scroll_offset};
use crate::error::{Error, Result};
use crate::tui::text;
use crate::tui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use std::cell::Cell;
use std::path::{Path, PathBuf};

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

/// (folder part including its trailing '/', name being typed).
pub fn split_path(text: &str) -> (&str, &str) {
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

/// A custseg model (`model.json`, or a name ending so): listed so that Load
/// can pick it as the previous run to follow.
pub fn is_model_file(name: &str) -> bool {
    name.to_ascii_lowercase().ends_with("model.json")
}

/// Folders first, then data files and models, each sorted by name; hidden
/// files skipped.
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
            (is_dir || crate::pipeline::load::is_data_file_name(&name) || is_model_file(&name))
                .then_some(Entry {
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

impl Browser {
    pub fn selected_entry(&self) -> Option<&Entry> {
        self.shown.get(self.selected).map(|&i| &self.entries[i])
    }

    /// Follows the path being typed: lists its folder again when the path
    /// now points into another one, and shows what the typed name could
    /// complete to.
    pub fn follow(&mut self, path_text: &str) {
        let (dir, name) = split_path(path_text);
        if !self.listed || self.dir != dir {
            self.list(dir);
        }
        // While a name is being typed the list shows the names holding it
        // (the ghost completes only those it starts); once it names an
        // entry, the whole folder (that entry selected).
        let exact = self
            .entries
            .iter()
            .any(|e| e.name == name && e.name != "..");
        let lower = if exact {
            String::new()
        } else {
            name.to_lowercase()
        };
        let entries = &self.entries;
        self.shown = (0..entries.len())
            .filter(|&i| {
                let e = &entries[i];
                if e.name == ".." {
                    lower.is_empty()
                } else {
                    // Part of a name finds it (`/` on Load searches).
                    e.name.to_lowercase().contains(&lower)
                }
            })
            .collect();
        self.selected = self
            .shown
            .iter()
            .position(|&i| entries[i].name == name)
            .unwrap_or(0);
    }

    fn list(&mut self, dir: &str) {
        self.dir = dir.to_string();
        self.listed = true;
        match list_dir(&fs_path(dir)) {
            Ok(entries) => {
                self.entries = entries;
                self.error = None;
            }
            Err(e) => {
                self.entries.clear();
                self.error = Some(e.to_string());
            }
        }
        self.offset.set(0);
    }

    /// The completion of `path_text` (the cursor at its end): what all
    /// matching names share beyond what is typed (with '/' when it is one
    /// folder).
    pub fn completion(&self, path_text: &str) -> Option<String> {
        let (_, name) = split_path(path_text);
        let matches: Vec<&Entry> = self
            .shown
            .iter()
            .map(|&i| &self.entries[i])
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

    /// The path text of the folder above the one listed.
    pub fn parent(&self) -> String {
        let dir = self.dir.trim_end_matches('/').to_string();
        let last = dir.rsplit('/').next().unwrap_or("");
        let parent = if dir.is_empty() || last == ".." || last == "." || last == "~" {
            format!("{}../", self.dir)
        } else {
            match dir.rfind('/') {
                Some(i) => dir[..=i].to_string(),
                None => String::new(),
            }
        };
        if parent.is_empty() && self.dir.starts_with('/') {
            "/".to_string()
        } else {
            parent
        }
    }

    /// The pane: "Files in DIR", one entry a row with its size.
    pub fn draw(&self, frame: &mut Frame, area: Rect, t: &Theme, focused: bool) {
        let dir = if self.dir.is_empty() {
            "./"
        } else {
            self.dir.as_str()
        };
        let title_room = (area.width as usize).saturating_sub(14);
        let title = format!(
            " Files in {} ",
            text::truncate_left(dir, title_room, t.glyphs.ellipsis)
        );
        let block = pane_block(t, &title, focused);
        let inner = block.inner(area);
        frame.render_widget(block, area);
        if let Some(err) = &self.error {
            frame.render_widget(
                Paragraph::new(Line::styled(err.clone(), t.error())).wrap(Wrap { trim: true }),
                inner,
            );
            return;
        }
        if self.shown.is_empty() {
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
        let offset = scroll_offset(&self.offset, self.selected, height, self.shown.len());
        let lines: Vec<Line> = (offset..self.shown.len().min(offset + height))
            .map(|row| self.row(row, inner.width as usize, t, focused))
            .collect();
        frame.render_widget(Paragraph::new(lines), inner);
    }

    /// Row `row` of the list: the name (folders with '/') and the size.
    fn row(&self, row: usize, width: usize, t: &Theme, focused: bool) -> Line<'static> {
        let e = &self.entries[self.shown[row]];
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
        if row != self.selected {
            line
        } else if focused {
            highlight(line, t.selected())
        } else {
            highlight(line, t.selected_unfocused())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compressed_text_is_listed_and_other_archives_are_not() {
        for name in [
            "a.csv",
            "b.CSV.GZ",
            "c.tsv.gz",
            "d.csv.zst",
            "e.txt.zstd",
            "f.xlsx",
            "m.parquet",
            "n.Feather",
            "o.arrow",
            "p.ipc",
        ] {
            assert!(crate::pipeline::load::is_data_file_name(name), "{name}");
        }
        for name in ["g.gz", "h.tar.gz", "i.xlsx.gz", "j.zip", "k", "l.json"] {
            assert!(!crate::pipeline::load::is_data_file_name(name), "{name}");
        }
        let dir = tempfile::tempdir().unwrap();
        for name in ["x.csv.gz", "y.csv.zst", "z.log.gz"] {
            std::fs::write(dir.path().join(name), b"").unwrap();
        }
        let names: Vec<String> = list_dir(dir.path())
            .unwrap()
            .into_iter()
            .map(|e| e.name)
            .collect();
        assert_eq!(names, ["..", "x.csv.gz", "y.csv.zst"]);
    }
}
