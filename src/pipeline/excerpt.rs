//! Short, printable excerpts of user text (cells, names, messages) for
//! error messages: at most a given number of characters, control
//! characters written as escapes, so one huge or hostile cell cannot flood
//! a terminal or a log line.

/// Characters of a cell quoted in an error message.
pub const CELL_CHARS: usize = 40;

/// `text` cut to at most `max_chars` characters (an ellipsis and the total
/// length mark a cut), control characters shown as `\n`, `\t`, `\u{1b}`
/// (the crate's one escaping module, [`crate::escape`]).
pub fn excerpt(text: &str, max_chars: usize) -> String {
    crate::escape::excerpt(text, max_chars)
}

/// A cell for an error message: [`excerpt`] of [`CELL_CHARS`] characters.
pub fn cell(text: &str) -> String {
    excerpt(text, CELL_CHARS)
}

/// 1234567 -> "1,234,567": counts in messages and on screen.
pub fn thousands(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_and_hostile_text_is_cut_and_escaped() {
        assert_eq!(excerpt("abc", 5), "abc");
        assert_eq!(excerpt("abcdef", 3), "abc… (6 characters)");
        assert_eq!(excerpt("a\x1b[2Jb\nc", 20), "a\\u{1b}[2Jb\\nc");
        assert_eq!(excerpt("客户客户", 2), "客户… (4 characters)");
        assert!(cell(&"x".repeat(1_000_000)).chars().count() < 70);
    }
}
