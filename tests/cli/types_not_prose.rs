//! The library speaks in types, the faces word them (issue 13, "Types, not
//! prose"): no string in `src/pipeline` names a command-line flag (a remedy is
//! a `Remedy`, worded by each face), and no code in `src/tui` decides by
//! reading a message, reason, warning or note (it branches on the typed
//! field). Both are checked on the source text, outside comments and
//! `#[cfg(test)]` items; each check is first shown to catch a planted
//! violation, so it cannot pass by finding nothing.

use std::path::{Path, PathBuf};

/// The source with comments blanked and every string literal's contents
/// kept apart: `(code, strings)`. Code keeps its line structure.
fn split_source(src: &str) -> (String, Vec<(usize, String)>) {
    let b: Vec<char> = src.chars().collect();
    let mut code = String::with_capacity(src.len());
    let mut strings = Vec::new();
    let mut line = 1;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let next = b.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < b.len() && b[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < b.len() {
                if b[i] == '/' && b.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if b[i] == '*' && b.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    if b[i] == '\n' {
                        line += 1;
                        code.push('\n');
                    }
                    i += 1;
                }
            }
        } else if c == 'r' && (next == Some('"') || next == Some('#')) && !ident_before(&b, i) {
            // Raw string r"..." / r#"..."#.
            let mut j = i + 1;
            let mut hashes = 0;
            while b.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if b.get(j) != Some(&'"') {
                code.push(c);
                i += 1;
                continue;
            }
            j += 1;
            let start_line = line;
            let mut s = String::new();
            while j < b.len() {
                if b[j] == '"' && (0..hashes).all(|h| b.get(j + 1 + h) == Some(&'#')) {
                    j += 1 + hashes;
                    break;
                }
                if b[j] == '\n' {
                    line += 1;
                    code.push('\n');
                }
                s.push(b[j]);
                j += 1;
            }
            strings.push((start_line, s));
            code.push_str("\"\"");
            i = j;
        } else if c == '"' {
            let start_line = line;
            let mut s = String::new();
            let mut j = i + 1;
            while j < b.len() && b[j] != '"' {
                if b[j] == '\\' {
                    s.push(b[j]);
                    j += 1;
                }
                if j < b.len() {
                    if b[j] == '\n' {
                        line += 1;
                        code.push('\n');
                    }
                    s.push(b[j]);
                }
                j += 1;
            }
            strings.push((start_line, s));
            code.push_str("\"\"");
            i = j + 1;
        } else if c == '\'' && (b.get(i + 2) == Some(&'\'') || next == Some('\\')) {
            // A char literal ('"' must not open a string); lifetimes pass.
            let mut j = i + 1;
            if b[j] == '\\' {
                j += 1;
            }
            while j < b.len() && b[j] != '\'' {
                j += 1;
            }
            code.push_str("' '");
            i = j + 1;
        } else {
            if c == '\n' {
                line += 1;
            }
            code.push(c);
            i += 1;
        }
    }
    (code, strings)
}

fn ident_before(b: &[char], i: usize) -> bool {
    i > 0 && (b[i - 1].is_alphanumeric() || b[i - 1] == '_')
}

/// Line ranges (1-based, inclusive) of the items under `#[cfg(test)]`, found
/// in comment-free code by matching braces.
fn test_ranges(code: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(at) = code[from..].find("#[cfg(test)]") {
        let start = from + at;
        let Some(open) = code[start..].find('{').map(|o| start + o) else {
            break;
        };
        // An attribute on a `use` or a one-line item ends at ';' first.
        if let Some(semi) = code[start..open].find(';') {
            from = start + semi + 1;
            continue;
        }
        let mut depth = 0;
        let mut end = code.len();
        for (k, ch) in code[open..].char_indices() {
            match ch {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = open + k;
                        break;
                    }
                }
                _ => {}
            }
        }
        let line_of = |pos: usize| code[..pos].matches('\n').count() + 1;
        out.push((line_of(start), line_of(end)));
        from = end;
    }
    out
}

fn in_tests(ranges: &[(usize, usize)], line: usize) -> bool {
    ranges.iter().any(|&(a, b)| (a..=b).contains(&line))
}

/// `--flag` words in a string's text (a flag: two dashes, then a letter).
fn flags_in(s: &str) -> Vec<String> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    for i in 0..b.len().saturating_sub(2) {
        let before_ok = i == 0 || b[i - 1] != b'-';
        if before_ok && b[i] == b'-' && b[i + 1] == b'-' && b[i + 2].is_ascii_lowercase() {
            let end = (i + 2..b.len())
                .find(|&j| !(b[j].is_ascii_lowercase() || b[j] == b'-'))
                .unwrap_or(b.len());
            out.push(s[i..end].to_string());
        }
    }
    out
}

/// "line: --flag in \"...\"" for each string outside comments and tests that
/// names a flag.
fn flag_strings(src: &str) -> Vec<String> {
    let (code, strings) = split_source(src);
    let tests = test_ranges(&code);
    strings
        .iter()
        .filter(|(line, _)| !in_tests(&tests, *line))
        .flat_map(|(line, s)| {
            flags_in(s)
                .into_iter()
                .map(move |f| format!("{line}: {f} in \"{s}\""))
        })
        .collect()
}

/// Names under which the TUI holds library prose: messages, reasons,
/// warnings, notes (and an error turned into text).
const PROSE: [&str; 13] = [
    "msg",
    "message",
    "reason",
    "k_reason",
    "mode_reason",
    "transform_reason",
    "label_reason",
    "scheme_reason",
    "as_of_source",
    "warning",
    "note",
    "why",
    "to_string()",
];
const TEXT_TESTS: [&str; 6] = [
    ".contains(",
    ".starts_with(",
    ".ends_with(",
    ".find(",
    ".strip_prefix(",
    ".matches(",
];

/// "line: text" for each place outside comments and tests that tests the
/// text of a message, reason, warning or note.
fn prose_decisions(src: &str) -> Vec<String> {
    let (code, _) = split_source(src);
    let tests = test_ranges(&code);
    let mut out = Vec::new();
    for (k, text) in code.lines().enumerate() {
        let line = k + 1;
        if in_tests(&tests, line) {
            continue;
        }
        for name in PROSE {
            for test in TEXT_TESTS {
                let pattern = format!("{name}{test}");
                let hit = text.match_indices(&pattern).any(|(at, _)| {
                    // A whole name: `reason.contains(`, not `treason.contains(`.
                    name.ends_with(')')
                        || !text[..at]
                            .chars()
                            .next_back()
                            .is_some_and(|c| c.is_alphanumeric() || c == '_')
                });
                if hit {
                    out.push(format!("{line}: {}", text.trim()));
                }
            }
        }
    }
    out
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn scan(dir: &str, check: fn(&str) -> Vec<String>) -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let files = rust_files(&root);
    assert!(files.len() > 5, "too few files under {dir}: {files:?}");
    files
        .iter()
        .flat_map(|p| {
            let src = std::fs::read_to_string(p).unwrap();
            let name = p
                .strip_prefix(env!("CARGO_MANIFEST_DIR"))
                .unwrap()
                .display()
                .to_string();
            check(&src)
                .into_iter()
                .map(move |hit| format!("{name}:{hit}"))
        })
        .collect()
}

#[test]
fn the_flag_check_catches_a_flag_in_code_and_not_in_comments_or_tests() {
    let src = r##"
//! Module docs may name --as-of.
/// So may item docs: --map role=COLUMN.
fn f() -> String {
    // and comments: --force
    /* block --drop-feature */
    let sep = "|---|---:|";
    let c = '"';
    let life: &'static str = "ok";
    format!("raise --max-missing to keep it {sep}{c}{life}")
}
fn g() -> &'static str {
    r#"give "--select" a column"#
}
#[cfg(test)]
mod tests {
    #[test]
    fn t() {
        assert!(super::f().contains("--max-missing"));
    }
}
fn h() -> &'static str {
    "after the tests: --input customers"
}
"##;
    let hits = flag_strings(src);
    assert_eq!(hits.len(), 3, "{hits:#?}");
    assert!(hits[0].starts_with("10: --max-missing"), "{hits:#?}");
    assert!(hits[1].starts_with("13: --select"), "{hits:#?}");
    assert!(hits[2].starts_with("23: --input"), "{hits:#?}");
}

#[test]
fn no_pipeline_string_names_a_command_line_flag() {
    let hits = scan("src/pipeline", flag_strings);
    assert!(
        hits.is_empty(),
        "pipeline strings name CLI flags; carry a crate::remedy::Remedy instead and let \
         each face word it:\n{}",
        hits.join("\n")
    );
}

#[test]
fn the_prose_check_catches_a_decision_on_message_text() {
    let src = r#"
fn hint(e: &Error, col: &ColumnReport, names: &[String]) -> &'static str {
    let msg = e.to_string();
    if msg.contains("not empty") {
        return "a";
    }
    if col.reason.starts_with("constant") || e.to_string().contains("disk") {
        return "b";
    }
    // msg.contains("in a comment") is not code
    if names.contains(&col.name) && col.name.starts_with('x') {
        return "c";
    }
    "d"
}
"#;
    let hits = prose_decisions(src);
    assert_eq!(hits.len(), 3, "{hits:#?}");
    assert!(hits[0].starts_with("4: if msg.contains"), "{hits:#?}");
    assert!(
        hits[1].starts_with("7: ") && hits[2].starts_with("7: "),
        "{hits:#?}"
    );
}

#[test]
fn no_tui_code_decides_by_reading_message_text() {
    let hits = scan("src/tui", prose_decisions);
    assert!(
        hits.is_empty(),
        "TUI code tests the text of a library message; branch on its typed field \
         (Error::remedy/setting/io_kind, Notice::about, DropCause, Choice) instead:\n{}",
        hits.join("\n")
    );
}
