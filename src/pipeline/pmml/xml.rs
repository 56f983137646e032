//! A small XML element tree and its writer.
//!
//! Written by hand rather than with quick-xml's writer because names and
//! values here must survive a round trip exactly: quick-xml escapes
//! `& < > ' "` but leaves tabs and line breaks in attribute values, which a
//! reader normalises to spaces (a column name holding a line break would no
//! longer match), and it writes control characters that XML 1.0 cannot hold
//! at all. Here tab, LF and CR become character references and the other
//! control characters are refused, naming what held them.

use std::fmt::Write;

/// One element: name, attributes in order, then text or children.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub name: &'static str,
    pub attrs: Vec<(&'static str, String)>,
    pub text: Option<String>,
    pub children: Vec<Node>,
}

impl Node {
    pub fn new(name: &'static str) -> Node {
        Node {
            name,
            attrs: Vec::new(),
            text: None,
            children: Vec::new(),
        }
    }

    pub fn attr(mut self, key: &'static str, value: impl Into<String>) -> Node {
        self.attrs.push((key, value.into()));
        self
    }

    pub fn text(mut self, text: impl Into<String>) -> Node {
        self.text = Some(text.into());
        self
    }

    pub fn child(mut self, child: Node) -> Node {
        self.children.push(child);
        self
    }

    pub fn children(mut self, children: impl IntoIterator<Item = Node>) -> Node {
        self.children.extend(children);
        self
    }

    /// The first character XML 1.0 cannot hold, anywhere in this tree.
    pub fn first_unwritable(&self) -> Option<(char, &str)> {
        let here = self
            .attrs
            .iter()
            .map(|(_, v)| v.as_str())
            .chain(self.text.as_deref())
            .find_map(|s| unwritable(s).map(|c| (c, s)));
        here.or_else(|| self.children.iter().find_map(Node::first_unwritable))
    }

    /// The document: declaration, then the tree indented by two spaces.
    /// Characters XML cannot hold must have been ruled out
    /// ([`Node::first_unwritable`]); any left are written as U+FFFD.
    pub fn document(&self) -> String {
        let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        self.write(&mut out, 0);
        out
    }

    fn write(&self, out: &mut String, depth: usize) {
        let pad = "  ".repeat(depth);
        let _ = write!(out, "{pad}<{}", self.name);
        for (k, v) in &self.attrs {
            let _ = write!(out, " {k}=\"{}\"", escape(v));
        }
        match (&self.text, self.children.is_empty()) {
            (None, true) => out.push_str("/>\n"),
            (Some(t), true) => {
                let _ = writeln!(out, ">{}</{}>", escape(t), self.name);
            }
            (text, false) => {
                out.push_str(">\n");
                if let Some(t) = text {
                    let _ = writeln!(out, "{pad}  {}", escape(t));
                }
                for c in &self.children {
                    c.write(out, depth + 1);
                }
                let _ = writeln!(out, "{pad}</{}>", self.name);
            }
        }
    }
}

/// The first character of `s` that XML 1.0 cannot hold, even escaped:
/// control characters other than tab, LF and CR, and U+FFFE / U+FFFF.
pub fn unwritable(s: &str) -> Option<char> {
    s.chars().find(|&c| {
        (c < ' ' && !matches!(c, '\t' | '\n' | '\r')) || c == '\u{fffe}' || c == '\u{ffff}'
    })
}

/// Text as attribute value or element content: markup characters as
/// entities, tab / LF / CR as character references (so readers keep them).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c if unwritable(c.encode_utf8(&mut [0; 4])).is_some() => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_and_white_space_are_escaped() {
        assert_eq!(escape("a&b<c>\"d'"), "a&amp;b&lt;c&gt;&quot;d'");
        assert_eq!(escape("x\ty\nz\r"), "x&#9;y&#10;z&#13;");
        assert_eq!(escape("客户ID"), "客户ID");
    }

    #[test]
    fn control_characters_are_found_not_written() {
        assert_eq!(unwritable("ok\tfine\n"), None);
        assert_eq!(unwritable("a\u{1b}[2J"), Some('\u{1b}'));
        assert_eq!(unwritable("\u{ffff}"), Some('\u{ffff}'));
        let n = Node::new("a").child(Node::new("b").attr("name", "x\u{0}y"));
        assert_eq!(n.first_unwritable(), Some(('\u{0}', "x\u{0}y")));
        assert!(!n.document().contains('\u{0}'));
    }

    #[test]
    fn tree_is_indented_and_closed() {
        let doc = Node::new("A")
            .attr("k", "v")
            .child(Node::new("B").text("t"))
            .child(Node::new("C"))
            .document();
        assert_eq!(
            doc,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<A k=\"v\">\n  <B>t</B>\n  <C/>\n</A>\n"
        );
    }
}
