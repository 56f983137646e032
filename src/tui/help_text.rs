//! The help overlay's text, laid out for a width: what the screen is for
//! (its prose, wrapped), its keys, then the keys that work everywhere, all
//! from the key table (`keymap::BINDINGS`). Key names get a column as wide
//! as the widest name (a name too wide for it gets a line of its own), and
//! meanings wrap under their column, so nothing is cut or run together at
//! any width or in ASCII mode. The App uses the line count to keep the
//! scroll offset in range; the overlay draws the lines.

use super::keymap::{self, Binding};
use super::stage::Stage;
use super::text;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HelpStyle {
    Title,
    Text,
    /// `key` in the key style, then `text`.
    Key,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HelpLine {
    pub style: HelpStyle,
    /// The key column, padded to its width (empty on continuation lines).
    pub key: String,
    pub text: String,
}

impl HelpLine {
    fn new(style: HelpStyle, key: String, text: String) -> Self {
        HelpLine { style, key, text }
    }
}

/// ASCII replacements for the arrows and marks in help text (the marks
/// as ASCII mode draws them: ✓ +, ✗ x, the sort's ▲▼ ^ v, the hidden
/// columns' ◀▶ < >).
pub fn ascii_keys(s: &str) -> String {
    s.replace("↑↓←→", "arrows")
        .replace("↑↓", "Up/Dn")
        .replace("←→", "Lt/Rt")
        .replace('↑', "Up")
        .replace('↓', "Dn")
        .replace('←', "Lt")
        .replace('→', "Rt")
        .replace('✓', "+")
        .replace('✗', "x")
        .replace('▲', "^")
        .replace('▼', "v")
        .replace('◀', "<")
        .replace('▶', ">")
}

/// The screen's prose: consecutive lines are one paragraph, wrapped at
/// `width`; an indented line (a command) stays a line of its own.
fn prose(rows: &[(&str, &str)], width: usize, fix: &dyn Fn(&str) -> String) -> Vec<HelpLine> {
    let mut out = Vec::new();
    let mut para = String::new();
    let flush = |para: &mut String, out: &mut Vec<HelpLine>| {
        if !para.is_empty() {
            for l in text::wrap(para, width) {
                out.push(HelpLine::new(HelpStyle::Text, String::new(), l));
            }
            para.clear();
        }
    };
    for (_, v) in rows {
        let v = fix(v);
        if v.is_empty() || v.starts_with(' ') {
            flush(&mut para, &mut out);
            out.push(HelpLine::new(HelpStyle::Text, String::new(), v));
        } else {
            if !para.is_empty() {
                para.push(' ');
            }
            para.push_str(&v);
        }
    }
    flush(&mut para, &mut out);
    out
}

/// Key rows: the key column, then the meaning wrapped beside it.
fn key_rows(
    rows: &[&Binding],
    key_w: usize,
    width: usize,
    fix: &dyn Fn(&str) -> String,
) -> Vec<HelpLine> {
    let text_w = width.saturating_sub(key_w).max(8);
    let mut out = Vec::new();
    for b in rows {
        let key = fix(b.keys);
        let mut meaning = text::wrap(&fix(b.meaning), text_w).into_iter();
        if text::width(&key) + 2 > key_w {
            // Too wide for the column: the name on a line of its own.
            out.push(HelpLine::new(HelpStyle::Key, key, String::new()));
        } else {
            let first = meaning.next().unwrap_or_default();
            out.push(HelpLine::new(
                HelpStyle::Key,
                text::fit(&key, key_w, ""),
                first,
            ));
        }
        for l in meaning {
            out.push(HelpLine::new(HelpStyle::Key, " ".repeat(key_w), l));
        }
    }
    out
}

/// The whole help of `stage` for a body `width` columns wide.
pub fn layout(
    prose_rows: &[(&str, &str)],
    stage: Stage,
    ascii: bool,
    width: usize,
) -> Vec<HelpLine> {
    let fix = |s: &str| if ascii { ascii_keys(s) } else { s.to_string() };
    let (own, everywhere) = keymap::rows_for(stage);
    let widest = own
        .iter()
        .chain(everywhere.iter())
        .map(|b| text::width(&fix(b.keys)) + 2)
        .max()
        .unwrap_or(0);
    // Room for the meanings first: a wide name gets a line of its own.
    let key_w = widest.min(width / 3).clamp(6, 20);
    let mut out = prose(prose_rows, width, &fix);
    let title = |s: &str| HelpLine::new(HelpStyle::Title, String::new(), s.to_string());
    out.push(HelpLine::new(HelpStyle::Text, String::new(), String::new()));
    out.push(title("Keys on this screen"));
    out.extend(key_rows(&own, key_w, width, &fix));
    out.push(HelpLine::new(HelpStyle::Text, String::new(), String::new()));
    out.push(title("Everywhere"));
    out.extend(key_rows(&everywhere, key_w, width, &fix));
    out
}

/// Columns of text in a help box drawn in a body `width` wide (borders and
/// a space of padding off).
pub fn text_width(width: u16) -> usize {
    usize::from(width.saturating_sub(3))
}

/// The body rows the help box shows of `lines` in a body `height` rows high.
pub fn visible_rows(lines: usize, height: u16) -> usize {
    (lines + 2).min(height as usize).saturating_sub(2)
}

/// The largest scroll offset: the last page ends on the last line.
pub fn max_scroll(lines: usize, height: u16) -> usize {
    lines.saturating_sub(visible_rows(lines, height))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_line_fits_and_keys_never_touch_their_meaning() {
        for stage in Stage::ALL {
            for ascii in [false, true] {
                for width in [20, 40, 57, 77, 117, 197] {
                    for l in layout(&[("", "Some prose about the screen.")], stage, ascii, width) {
                        let w = text::width(&l.key) + text::width(&l.text);
                        assert!(w <= width.max(8 + width / 3), "{stage:?} {width}: {l:?}");
                        if l.style == HelpStyle::Key
                            && !l.text.is_empty()
                            && !l.key.trim().is_empty()
                        {
                            assert!(
                                l.key.ends_with("  "),
                                "{stage:?} {width} ascii={ascii}: {l:?}"
                            );
                        }
                    }
                }
            }
        }
    }
}
