//! User text made safe to show: one module for every place a file name,
//! header, cell, sheet name or label reaches a terminal, a CSV or the
//! Markdown report.
//!
//! - [`terminal`]: control characters (C0 including newline and tab, DEL,
//!   C1) and the invisible Unicode characters that reorder or hide text
//!   (bidirectional overrides and isolates, zero-width joiners, BOM) are
//!   written as visible escapes (`\n`, `\u{1b}`, `\u{202e}`), so an escape sequence
//!   in a cell can neither clear the screen nor retitle the window, and a
//!   message stays on one line. [`terminal_lines`] keeps line breaks (for
//!   multi-line output such as the summary).
//! - [`markdown`]: the same, plus HTML and Markdown syntax escaped, so text
//!   from the data cannot add a tag, a link or a remote image to the report.
//!
//! Clean text (the usual case) is returned borrowed, without copying.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Characters never shown raw: they act on the terminal, or make text read
/// differently from what it is.
fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{200B}'..='\u{200F}'
                | '\u{2028}'..='\u{202E}'
                | '\u{2060}'..='\u{2069}'
                | '\u{FEFF}'
                | '\u{FFF9}'..='\u{FFFB}'
        )
}

/// Rust's notation: `\n`, `\r`, `\t`, else `\u{1b}`.
fn push_escaped(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c => {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        }
    }
}

/// `s` with every unsafe character written as a visible escape; one line.
pub fn terminal(s: &str) -> Cow<'_, str> {
    escape_if(s, is_unsafe)
}

/// Like [`terminal`] but keeps `\n` line breaks (for multi-line output).
pub fn terminal_lines(s: &str) -> Cow<'_, str> {
    escape_if(s, |c| c != '\n' && is_unsafe(c))
}

/// For data written to a file (CSV cells): like [`terminal`] but keeps
/// tab and line breaks, which the CSV format quotes and which are part of
/// a customer's data (an address on two lines).
pub fn data(s: &str) -> Cow<'_, str> {
    escape_if(s, |c| !matches!(c, '\t' | '\n' | '\r') && is_unsafe(c))
}

fn escape_if(s: &str, unsafe_char: impl Fn(char) -> bool) -> Cow<'_, str> {
    let Some(first) = s.char_indices().find(|&(_, c)| unsafe_char(c)) else {
        return Cow::Borrowed(s);
    };
    let mut out = String::with_capacity(s.len() + 8);
    out.push_str(&s[..first.0]);
    for c in s[first.0..].chars() {
        if unsafe_char(c) {
            push_escaped(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Characters with a meaning in Markdown or HTML, escaped with a backslash
/// (`<`, `>` and `&` as entities, which every renderer honours). With `[`
/// and `]` escaped no link or image can form, so `(`, `)` and `!` stay.
fn markdown_special(c: char) -> bool {
    matches!(
        c,
        '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '<' | '>' | '&'
    )
}

/// `s` as literal text in a Markdown document (a paragraph, list item or
/// table cell): no tag, link, image, emphasis or table break can come from it.
pub fn markdown(s: &str) -> Cow<'_, str> {
    if !s.chars().any(|c| is_unsafe(c) || markdown_special(c)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            c if markdown_special(c) => {
                out.push('\\');
                out.push(c);
            }
            c if is_unsafe(c) => push_escaped(&mut out, c),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Serialized JSON made safe to print: serde already writes control
/// characters below U+0020 as `\u00XX`; the other unsafe characters (DEL,
/// C1 controls, bidirectional overrides) become `\uXXXX` escapes too. The
/// JSON means the same.
pub fn json(serialized: &str) -> Cow<'_, str> {
    if !serialized.chars().any(is_unsafe_raw_json) {
        return Cow::Borrowed(serialized);
    }
    let mut out = String::with_capacity(serialized.len() + 16);
    for c in serialized.chars() {
        if is_unsafe_raw_json(c) {
            let _ = write!(out, "\\u{:04x}", c as u32);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Unsafe characters that may appear raw in serde's JSON (its structure
/// uses newlines and spaces; it escapes the rest of C0 itself).
fn is_unsafe_raw_json(c: char) -> bool {
    c != '\n' && is_unsafe(c)
}

/// At most `max` characters of `s`, made safe for a terminal, and when cut
/// an ellipsis with the whole length: for quoting a cell or name inside a
/// one-line message ("abc… (6 characters)").
pub fn excerpt(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        None => terminal(s).into_owned(),
        Some((cut, _)) => format!(
            "{}… ({} characters)",
            terminal(&s[..cut]),
            s.chars().count()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_text_is_borrowed() {
        assert!(matches!(
            terminal("客户 ID, 余额 1,234.5"),
            Cow::Borrowed(_)
        ));
        assert!(matches!(
            markdown("High-Value customers 42"),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn escape_sequences_and_line_breaks_become_visible() {
        assert_eq!(terminal("a\x1b[2Jb"), "a\\u{1b}[2Jb");
        assert_eq!(terminal("\x1b]0;owned\x07"), "\\u{1b}]0;owned\\u{7}");
        assert_eq!(terminal("one\ntwo\r\t"), "one\\ntwo\\r\\t");
        assert_eq!(terminal("\u{9b}31m"), "\\u{9b}31m");
        assert_eq!(terminal("abc\u{202e}fdp.exe"), "abc\\u{202e}fdp.exe");
        assert_eq!(terminal_lines("one\ntwo\x1b"), "one\ntwo\\u{1b}");
        assert_eq!(data("a\tb\nc\x1b[2J\u{9b}"), "a\tb\nc\\u{1b}[2J\\u{9b}");
    }

    #[test]
    fn markdown_cannot_carry_tags_links_or_images() {
        assert_eq!(
            markdown("<script>alert(1)</script>"),
            "&lt;script&gt;alert(1)&lt;/script&gt;"
        );
        assert_eq!(
            markdown("![x](http://evil/p.png)"),
            "!\\[x\\](http://evil/p.png)"
        );
        assert_eq!(markdown("a|b"), "a\\|b");
        assert_eq!(markdown("x\x1b[31m"), "x\\u{1b}\\[31m");
    }

    #[test]
    fn excerpts_are_short_and_safe() {
        assert_eq!(excerpt("abcdef", 3), "abc… (6 characters)");
        assert_eq!(excerpt("ab", 3), "ab");
        assert_eq!(excerpt("\x1bxyz", 2), "\\u{1b}x… (4 characters)");
        assert_eq!(excerpt("客户客户", 2), "客户… (4 characters)");
    }

    #[test]
    fn json_stays_json() {
        let v = serde_json::json!({"label": "a\u{1b}[2J\u{9b}b\u{202e}c\u{7f}"});
        let text = serde_json::to_string_pretty(&v).unwrap();
        let safe = json(&text);
        assert!(!safe.chars().any(|c| c != '\n' && is_unsafe(c)), "{safe}");
        let back: serde_json::Value = serde_json::from_str(&safe).unwrap();
        assert_eq!(back, v);
    }
}
