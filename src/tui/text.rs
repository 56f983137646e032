//! Text measured in terminal cells (CJK characters take two), and the
//! single-line text field used for paths.

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

pub fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

fn char_width(c: char) -> usize {
    UnicodeWidthChar::width(c).unwrap_or(0)
}

/// `s` cut to at most `max` cells, ending in `ellipsis` when cut. Control
/// characters and escape sequences from the data are shown as visible
/// escapes (`crate::escape`), never sent to the terminal.
pub fn truncate(s: &str, max: usize, ellipsis: &str) -> String {
    let s = &*crate::escape::terminal(s);
    if width(s) <= max {
        return s.to_string();
    }
    let room = max.saturating_sub(width(ellipsis));
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = char_width(c);
        if used + w > room {
            break;
        }
        used += w;
        out.push(c);
    }
    if max >= width(ellipsis) {
        out.push_str(ellipsis);
    }
    out
}

/// `s` cut from the left to at most `max` cells (for paths: the end matters).
pub fn truncate_left(s: &str, max: usize, ellipsis: &str) -> String {
    let s = &*crate::escape::terminal(s);
    if width(s) <= max {
        return s.to_string();
    }
    let room = max.saturating_sub(width(ellipsis));
    let mut tail: Vec<char> = Vec::new();
    let mut used = 0;
    for c in s.chars().rev() {
        let w = char_width(c);
        if used + w > room {
            break;
        }
        used += w;
        tail.push(c);
    }
    let mut out = ellipsis.to_string();
    out.extend(tail.into_iter().rev());
    out
}

/// `s` truncated and padded with spaces to exactly `cells` cells.
pub fn fit(s: &str, cells: usize, ellipsis: &str) -> String {
    let mut t = truncate(s, cells, ellipsis);
    let w = width(&t);
    t.extend(std::iter::repeat_n(' ', cells.saturating_sub(w)));
    t
}

/// `s` right-aligned in `cells` cells.
pub fn fit_right(s: &str, cells: usize, ellipsis: &str) -> String {
    let t = truncate(s, cells, ellipsis);
    let pad = cells.saturating_sub(width(&t));
    format!("{}{t}", " ".repeat(pad))
}

/// `s` broken into lines of at most `width` cells, at spaces where it can
/// (a word longer than a line is cut).
pub fn wrap(s: &str, width: usize) -> Vec<String> {
    let s = &*crate::escape::terminal(s);
    let width = width.max(1);
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in s.split(' ') {
        let w = self::width(word);
        let used = self::width(&line);
        if used > 0 && used + 1 + w > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        let mut word = word.to_string();
        while self::width(&line) + self::width(&word) > width {
            let room = width - self::width(&line);
            let head = truncate(&word, room, "");
            if head.is_empty() {
                break;
            }
            word = word[head.len()..].to_string();
            line.push_str(&head);
            lines.push(std::mem::take(&mut line));
        }
        line.push_str(&word);
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

pub use crate::pipeline::excerpt::thousands;

/// 12345 -> "12.1 KB".
pub fn bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KB", "MB", "GB", "TB"];
    let mut v = n as f64;
    let mut unit = 0;
    while v >= 1024.0 && unit + 1 < UNITS.len() {
        v /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[unit])
    }
}

/// A one-line editable text with a cursor (a char index).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TextInput {
    text: String,
    cursor: usize,
}

impl TextInput {
    pub fn new(text: &str) -> Self {
        TextInput {
            text: text.to_string(),
            cursor: text.chars().count(),
        }
    }
    pub fn text(&self) -> &str {
        &self.text
    }
    pub fn cursor(&self) -> usize {
        self.cursor
    }
    pub fn len(&self) -> usize {
        self.text.chars().count()
    }
    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }
    pub fn at_end(&self) -> bool {
        self.cursor == self.len()
    }
    fn byte_at(&self, char_idx: usize) -> usize {
        self.text
            .char_indices()
            .nth(char_idx)
            .map_or(self.text.len(), |(b, _)| b)
    }
    pub fn set(&mut self, text: &str) {
        self.text = text.to_string();
        self.cursor = self.len();
    }
    pub fn insert(&mut self, c: char) {
        let b = self.byte_at(self.cursor);
        self.text.insert(b, c);
        self.cursor += 1;
    }
    pub fn insert_str(&mut self, s: &str) {
        for c in s.chars().filter(|c| !c.is_control()) {
            self.insert(c);
        }
    }
    pub fn backspace(&mut self) -> bool {
        if self.cursor == 0 {
            return false;
        }
        self.cursor -= 1;
        let b = self.byte_at(self.cursor);
        self.text.remove(b);
        true
    }
    pub fn delete(&mut self) -> bool {
        if self.at_end() {
            return false;
        }
        let b = self.byte_at(self.cursor);
        self.text.remove(b);
        true
    }
    pub fn left(&mut self) {
        self.cursor = self.cursor.saturating_sub(1);
    }
    pub fn right(&mut self) {
        self.cursor = (self.cursor + 1).min(self.len());
    }
    pub fn home(&mut self) {
        self.cursor = 0;
    }
    pub fn end(&mut self) {
        self.cursor = self.len();
    }
    /// (before cursor, char under cursor or "", after it).
    pub fn split(&self) -> (&str, &str, &str) {
        let a = self.byte_at(self.cursor);
        let b = self.byte_at(self.cursor + 1);
        (&self.text[..a], &self.text[a..b], &self.text[b..])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_count_cjk_as_two() {
        assert_eq!(width("客户ID"), 6);
        assert_eq!(truncate("客户编号abc", 5, "~"), "客户~");
        assert_eq!(fit("ab", 4, "~"), "ab  ");
        assert_eq!(truncate_left("/a/long/path.csv", 9, "~"), "~path.csv");
        assert_eq!(fit_right("7", 3, "~"), "  7");
    }

    #[test]
    fn wrapping_breaks_at_spaces() {
        assert_eq!(wrap("one two three", 7), ["one two", "three"]);
        assert_eq!(wrap("abcdefghij", 4), ["abcd", "efgh", "ij"]);
        assert_eq!(wrap("", 4), [""]);
        assert_eq!(wrap("客户 编号", 4), ["客户", "编号"]);
    }

    #[test]
    fn numbers_read_well() {
        assert_eq!(thousands(1234567), "1,234,567");
        assert_eq!(thousands(999), "999");
        assert_eq!(bytes(512), "512 B");
        assert_eq!(bytes(2048), "2.0 KB");
    }

    #[test]
    fn text_input_edits_at_the_cursor() {
        let mut t = TextInput::new("客户.csv");
        t.home();
        t.right();
        t.insert('x');
        assert_eq!(t.text(), "客x户.csv");
        assert!(t.backspace());
        t.end();
        assert!(!t.delete());
        assert!(t.backspace());
        assert_eq!(t.text(), "客户.cs");
        assert_eq!(t.split(), ("客户.cs", "", ""));
        t.home();
        assert_eq!(t.split(), ("", "客", "户.cs"));
    }
}
