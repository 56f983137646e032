//! Damage a file can carry that the loader reads around, and reports:
//! cells whose bytes the encoding cannot decode (read as missing), and a
//! last record cut off by an interrupted copy (skipped with
//! skip-bad-rows, an error otherwise).

use crate::error::{Error, Remedy, Result};
use crate::pipeline::load::encoding;
use crate::pipeline::load::sniff::DetectedEncoding;
use crate::pipeline::table::Column;

/// Raw bytes kept from this many undecodable cells, to name the likely encoding.
const RAW_KEPT: usize = 64;
/// Undecodable cells read as missing, at most: this many, or one in a
/// thousand rows if more. Beyond that the file is not in the encoding.
const BAD_CELLS_TOLERATED: usize = 20;

/// A cell whose bytes the encoding cannot decode; read as missing.
#[derive(Clone, Debug)]
pub(crate) struct BadCell {
    /// Data row index.
    pub row: usize,
    pub line: u64,
    pub column: usize,
    /// Its bytes (only for the first few cells).
    pub raw: Vec<u8>,
}

/// Collects the undecodable cells of a read.
#[derive(Debug, Default)]
pub(crate) struct BadCells {
    pub cells: Vec<BadCell>,
}

impl BadCells {
    pub fn note(&mut self, row: usize, line: u64, column: usize, raw: &[u8]) {
        let raw = if self.cells.len() < RAW_KEPT {
            raw.to_vec()
        } else {
            Vec::new()
        };
        self.cells.push(BadCell {
            row,
            line,
            column,
            raw,
        });
    }

    /// Counts each cell as unreadable in its (typed) column, as a cell that
    /// did not fit the column's type is, so Clean reports it with its line.
    pub fn mark(&self, columns: &mut [Column], encoding: DetectedEncoding) {
        for c in &self.cells {
            let Some(col) = columns.get_mut(c.column) else {
                continue;
            };
            col.info.missing = col.info.missing.saturating_sub(1);
            col.info.unparsed += 1;
            if col.info.unparsed_examples.len() < 5 {
                col.info.unparsed_examples.push((
                    c.row,
                    format!("bytes that are not valid {}", encoding.display_name()),
                ));
            }
        }
    }

    /// The warning listing the cells, if any.
    pub fn warning(&self, names: &[String], encoding: DetectedEncoding) -> Option<String> {
        let first = self.cells.first()?;
        let at = |c: &BadCell| {
            format!(
                "line {}, column '{}'",
                c.line,
                names.get(c.column).map_or("?", String::as_str)
            )
        };
        let enc = encoding.display_name();
        if self.cells.len() == 1 {
            return Some(format!(
                "{}: bytes that are not valid {enc}; the cell is read as missing",
                at(first)
            ));
        }
        let shown: Vec<String> = self.cells.iter().take(5).map(at).collect();
        Some(format!(
            "{} cells hold bytes that are not valid {enc} and are read as missing ({}{})",
            self.cells.len(),
            shown.join("; "),
            if self.cells.len() > 5 { "; ..." } else { "" }
        ))
    }

    /// An error when so many cells cannot be decoded that the file is not in
    /// `encoding` after all.
    pub fn check(
        &self,
        name: &str,
        rows: usize,
        encoding: DetectedEncoding,
        names: &[String],
    ) -> Result<()> {
        if self.cells.len() <= BAD_CELLS_TOLERATED.max(rows / 1000) {
            return Ok(());
        }
        let first = &self.cells[0];
        let raw: Vec<u8> = self
            .cells
            .iter()
            .flat_map(|c| c.raw.iter().copied().chain([b'\n']))
            .collect();
        let suggested = suggest(&raw, encoding);
        Err(Error::with_remedy(
            format!(
                "{name}: {} cells hold bytes that are not valid {} (the first on line {}, column '{}'); the file is not in that encoding{}",
                self.cells.len(),
                encoding.display_name(),
                first.line,
                names.get(first.column).map_or("?", String::as_str),
                suggested
                    .as_ref()
                    .map(|s| format!(" (they read as {s})"))
                    .unwrap_or_default()
            ),
            Remedy::Encoding { suggested },
        ))
    }
}

/// The encoding the evidence favours for `raw` bytes that `wrong` could not
/// decode.
pub(crate) fn suggest(raw: &[u8], wrong: DetectedEncoding) -> Option<String> {
    let (found, report) = encoding::detect(raw, true, None);
    (found.encoding != wrong.encoding && !report.name.is_empty()).then_some(report.label)
}

/// The header cannot be decoded: the encoding is wrong.
pub(crate) fn bad_header(name: &str, line: u64, raw: &[u8], encoding: DetectedEncoding) -> Error {
    let suggested = suggest(raw, encoding);
    Error::with_remedy(
        format!(
            "{name}: line {line}: the header holds bytes that are not valid {}{}",
            encoding.display_name(),
            suggested
                .as_ref()
                .map(|s| format!("; it reads as {s}"))
                .unwrap_or_default()
        ),
        Remedy::Encoding { suggested },
    )
}

/// How the last record of a file is cut.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CutKind {
    /// The file ends inside a quoted field.
    InQuote,
    /// The last line ends without a line end, with fewer fields than the header.
    Short { found: usize, expected: usize },
}

/// A last record cut off by the end of the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct CutOff {
    /// Where the record starts.
    pub line: u64,
    /// The file's last line.
    pub last_line: u64,
    pub kind: CutKind,
}

impl CutOff {
    fn what(&self) -> String {
        match self.kind {
            CutKind::InQuote => format!(
                "it ends inside a quoted field that starts on line {}",
                self.line
            ),
            CutKind::Short { found, expected } => format!(
                "it ends in the middle of line {}, which has {found} of {expected} fields",
                self.line
            ),
        }
    }

    fn swallowed(&self) -> String {
        if self.kind == CutKind::InQuote && self.last_line > self.line {
            format!(
                " (it runs to the end of the file, lines {}-{}: if its quote is simply never closed, those lines were taken into it)",
                self.line, self.last_line
            )
        } else {
            String::new()
        }
    }

    /// Without skip-bad-rows: the file looks cut off.
    pub fn error(&self, name: &str) -> Error {
        Error::with_remedy(
            format!(
                "{name}: line {}: the file looks cut off: {}{}; everything before this last record loads if it is skipped",
                self.line,
                self.what(),
                self.swallowed()
            ),
            Remedy::SkipBadRows,
        )
    }

    /// With skip-bad-rows: the record was skipped.
    pub fn warning(&self) -> String {
        let what = match self.kind {
            CutKind::InQuote => "the file ends inside a quoted field".to_string(),
            CutKind::Short { found, expected } => {
                format!("the file ends in the middle of this record ({found} of {expected} fields)")
            }
        };
        format!(
            "line {}: {what}; this last record was skipped{}",
            self.line,
            self.swallowed()
        )
    }
}
