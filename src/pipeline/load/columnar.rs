//! Parquet and Arrow IPC (file "Feather v2" and stream) input, told by their
//! magic bytes whatever the file's name, typed column by column (see
//! [`convert`] for how each Arrow type lands in the table).
//!
//! # Hostile files
//!
//! The readers trust the sizes written in a file, so:
//! - every byte range the Parquet reader asks for is checked against the
//!   file's length before anything is allocated for it ([`BoundedFile`]),
//!   so a footer or column chunk claiming terabytes is an error, not an
//!   allocation;
//! - what is loaded is held to [`guard::memory_budget`] of the file's size
//!   (a run-length encoded page can claim billions of rows in a few bytes),
//!   checked after every batch;
//! - nested columns (lists, structs, maps) are never decoded (the reader
//!   projects them away) and named in a warning; a file with nothing else
//!   is refused;
//! - a panic inside the readers is caught (as for workbooks) and becomes a
//!   "damaged file" error.
//!
//! Errors name the file, the row group (Parquet) or record batch (Arrow)
//! with its rows, and the column.

pub mod convert;
mod ipc;
mod parquet_file;

use super::LoadOptions;
use super::guard::{self, size_text};
use super::infer::InferOptions;
use super::sniff::clean_header_names;
use crate::error::{Error, Result};
use crate::pipeline::progress::Progress;
use crate::pipeline::table::{SourceInfo, Table};
use arrow_array::RecordBatch;
use arrow_schema::Schema;
use convert::{ColumnAcc, Plan, Refused};
use std::io::Read;
use std::path::Path;

/// The columnar formats custseg reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Columnar {
    Parquet,
    /// The Arrow IPC file format (Feather v2): `ARROW1` at both ends.
    ArrowFile,
    /// The Arrow IPC stream format: messages from the first byte.
    ArrowStream,
}

impl Columnar {
    /// The format the first bytes announce.
    pub fn from_magic(head: &[u8]) -> Option<Self> {
        if head.starts_with(b"PAR1") {
            Some(Columnar::Parquet)
        } else if head.starts_with(b"ARROW1") {
            Some(Columnar::ArrowFile)
        } else if head.len() >= 8 && head[..4] == [0xFF; 4] {
            // A stream's first message: the continuation marker, then the
            // length of a schema message (small, positive).
            let len = i32::from_le_bytes([head[4], head[5], head[6], head[7]]);
            (len > 0 && len < (16 << 20)).then_some(Columnar::ArrowStream)
        } else {
            None
        }
    }

    /// The name shown in the Load screen and errors.
    pub fn label(self) -> &'static str {
        match self {
            Columnar::Parquet => "Parquet",
            Columnar::ArrowFile => "Arrow IPC",
            Columnar::ArrowStream => "Arrow IPC stream",
        }
    }

    /// What a part of the file is called ("row group", "record batch").
    fn part(self) -> &'static str {
        match self {
            Columnar::Parquet => "row group",
            _ => "record batch",
        }
    }
}

/// The file extensions of the columnar formats (the file list shows them).
pub const EXTENSIONS: [&str; 6] = ["parquet", "parq", "arrow", "feather", "ipc", "arrows"];

/// Whether `path`'s name says it is a columnar file.
pub fn has_columnar_extension(path: &Path) -> bool {
    path.extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .is_some_and(|e| EXTENSIONS.contains(&e.as_str()))
}

/// The columnar format of `path` by its first bytes, if it is one.
pub fn detect(path: &Path) -> Result<Option<Columnar>> {
    let mut head = Vec::with_capacity(8);
    std::fs::File::open(path)
        .and_then(|f| f.take(8).read_to_end(&mut head))
        .map_err(|e| Error::io_path("reading", path, e))?;
    Ok(Columnar::from_magic(&head))
}

/// What of a columnar file to read.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Selection {
    /// Every usable column, every row.
    #[default]
    All,
    /// Every usable column of the first part (row group, record batch), at
    /// most [`PREVIEW_ROWS`] rows of it: enough to map the columns.
    Preview,
    /// Only the columns of these (cleaned) names, every row; the others are
    /// listed in [`SourceInfo::unread_columns`].
    Columns(Vec<String>),
}

/// Rows of a [`Selection::Preview`].
pub const PREVIEW_ROWS: usize = 100_000;

/// Loads a Parquet or Arrow IPC file.
pub fn load_columnar(
    path: &Path,
    format: Columnar,
    opts: &LoadOptions,
    progress: &dyn Progress,
) -> Result<Table> {
    load_selected(path, format, opts, progress, Selection::All)
}

/// [`load_columnar`] of what `selection` says: the columns a run does not
/// use are not decoded (a wide lake extract costs what its used columns do).
pub fn load_selected(
    path: &Path,
    format: Columnar,
    opts: &LoadOptions,
    progress: &dyn Progress,
    selection: Selection,
) -> Result<Table> {
    let name = super::csv::display_name(path);
    let file_bytes = std::fs::metadata(path)
        .map_err(|e| Error::io_path("reading", path, e))?
        .len();
    let mut reading = Reading::new(&name, format, file_bytes, progress);
    reading.selection = selection;
    super::excel::contained(&name, format.label(), || match format {
        Columnar::Parquet => parquet_file::read(path, &mut reading),
        Columnar::ArrowFile | Columnar::ArrowStream => ipc::read(path, format, &mut reading),
    })?;
    reading.finish(path, opts)
}

/// One load in progress: the columns being filled and what to tell the user.
pub(crate) struct Reading<'a> {
    name: &'a str,
    format: Columnar,
    file_bytes: u64,
    budget: u64,
    progress: &'a dyn Progress,
    /// Every field of the file's schema, kept or not.
    plans: Vec<Plan>,
    columns: Vec<ColumnAcc>,
    rows: usize,
    warnings: Vec<String>,
    selection: Selection,
    /// Usable columns left unread by the selection.
    unread: Vec<String>,
}

impl<'a> Reading<'a> {
    fn new(name: &'a str, format: Columnar, file_bytes: u64, progress: &'a dyn Progress) -> Self {
        Reading {
            name,
            format,
            file_bytes,
            budget: guard::memory_budget(file_bytes),
            progress,
            plans: Vec::new(),
            columns: Vec::new(),
            rows: 0,
            warnings: Vec::new(),
            selection: Selection::All,
            unread: Vec::new(),
        }
    }

    /// Decides what to read of `schema`; returns the indices of the fields
    /// to read (the projection). Refuses a file with nothing to read.
    pub(crate) fn start(&mut self, schema: &Schema, expected_rows: u64) -> Result<Vec<usize>> {
        let raw: Vec<String> = schema.fields().iter().map(|f| f.name().clone()).collect();
        let names = clean_header_names(&raw);
        let mut keep = Vec::new();
        let mut skipped = Vec::new();
        for (i, field) in schema.fields().iter().enumerate() {
            let (plan, warning) = convert::plan(field.data_type());
            if let Some(w) = warning {
                self.warnings.push(format!("column '{}': {w}", names[i]));
            }
            match &plan {
                Plan::Skip(what) => skipped.push(format!("'{}' ({what})", names[i])),
                _ if !self.selects(&names[i]) => self.unread.push(names[i].clone()),
                _ => {
                    keep.push(i);
                    let rows = usize::try_from(expected_rows.min(1 << 24)).unwrap_or(0);
                    self.columns
                        .push(ColumnAcc::new(names[i].clone(), &plan, rows));
                }
            }
            self.plans.push(plan);
        }
        if !skipped.is_empty() {
            self.warnings.push(format!(
                "{} column(s) not loaded, of types a customer table cannot use: {}",
                skipped.len(),
                crate::pipeline::excerpt::excerpt(&skipped.join(", "), 300)
            ));
        }
        if keep.is_empty() {
            return Err(Error::data(format!(
                "{}: no column of this {} file can be loaded (only nested or binary columns: {})",
                self.name,
                self.format.label(),
                crate::pipeline::excerpt::excerpt(&skipped.join(", "), 200)
            )));
        }
        self.check_claimed_rows(expected_rows)?;
        Ok(keep)
    }

    /// Whether the selection reads the column named `name`.
    fn selects(&self, name: &str) -> bool {
        match &self.selection {
            Selection::Columns(names) => names.iter().any(|n| n == name),
            _ => true,
        }
    }

    /// The most rows to read: all, or a preview's.
    pub(crate) fn row_limit(&self) -> usize {
        match self.selection {
            Selection::Preview => PREVIEW_ROWS,
            _ => usize::MAX,
        }
    }

    /// Whether a preview has all the rows it reads.
    pub(crate) fn preview_done(&self) -> bool {
        self.selection == Selection::Preview && self.rows > 0
    }

    /// A file whose metadata claims more rows than its size allows is
    /// refused before reading (8 bytes per cell at least once loaded).
    fn check_claimed_rows(&self, rows: u64) -> Result<()> {
        let need = rows
            .saturating_mul(self.columns.len() as u64)
            .saturating_mul(8);
        if need > self.budget {
            return Err(self.too_large(need, &format!("{rows} rows")));
        }
        Ok(())
    }

    fn too_large(&self, need: u64, what: &str) -> Error {
        Error::data(format!(
            "{}: loading it would take more than {} of memory ({what} x {} columns), more than the {} allowed for a {} file of {}: a damaged file or a bomb",
            self.name,
            size_text(need),
            self.columns.len(),
            size_text(self.budget),
            self.format.label(),
            size_text(self.file_bytes)
        ))
    }

    /// Where `part` (0-based) of the file is, for errors.
    fn at(&self, part: usize, first_row: usize, rows: usize) -> String {
        let last = first_row + rows.max(1);
        format!(
            "{}: {} {} (rows {}..{})",
            self.name,
            self.format.part(),
            part + 1,
            first_row + 1,
            last
        )
    }

    /// A reader's error in `part`, worded for the user.
    pub(crate) fn damaged(
        &self,
        part: usize,
        column: Option<&str>,
        why: impl std::fmt::Display,
    ) -> Error {
        let col = column.map_or_else(String::new, |c| format!(", column '{c}'"));
        let why = crate::pipeline::excerpt::excerpt(&why.to_string(), 300);
        Error::data(format!(
            "{}: {} {} (from row {}){col}: the file is damaged or cut off and cannot be read ({why})",
            self.name,
            self.format.part(),
            part + 1,
            self.rows + 1
        ))
    }

    /// Adds one column's array of `part` (the `k`-th kept column).
    pub(crate) fn push_column(
        &mut self,
        part: usize,
        k: usize,
        array: &dyn arrow_array::Array,
    ) -> Result<()> {
        let pushed = self.columns[k].push(array);
        let why = match pushed {
            Ok(()) => return self.check_budget(),
            Err(Refused::TextTooLarge) => {
                "the column's text passes 4 GiB, more than custseg holds in one column".to_string()
            }
            Err(Refused::TypeChanged(why)) => why,
        };
        Err(Error::data(format!(
            "{}, column '{}': {why}",
            self.at(part, self.rows, array.len()),
            self.columns[k].name
        )))
    }

    /// Adds a batch holding every kept column, in order.
    pub(crate) fn push_batch(&mut self, part: usize, batch: &RecordBatch) -> Result<()> {
        for k in 0..self.columns.len() {
            self.push_column(part, k, batch.column(k).as_ref())?;
        }
        self.end_rows(part, batch.num_rows())
    }

    /// Counts `rows` more rows read (every column has them now), checks the
    /// budget and cancellation, reports progress at `fraction`.
    pub(crate) fn end_rows(&mut self, part: usize, rows: usize) -> Result<()> {
        if let Some(c) = self.columns.iter().find(|c| c.len() != self.rows + rows) {
            return Err(Error::data(format!(
                "{}, column '{}': the column has {} rows where the others have {}",
                self.at(part, self.rows, rows),
                c.name,
                c.len() - self.rows,
                rows
            )));
        }
        self.rows += rows;
        self.check_budget()
    }

    /// Refuses to hold more than the budget; stops when cancelled.
    fn check_budget(&self) -> Result<()> {
        let held: u64 = self.columns.iter().map(ColumnAcc::heap_bytes).sum();
        if held > self.budget {
            return Err(self.too_large(held, &format!("{}+ rows", self.rows)));
        }
        if self.progress.is_cancelled() {
            return Err(Error::Cancelled);
        }
        Ok(())
    }

    pub(crate) fn report(&self, fraction: f64) {
        self.progress.report(
            fraction.clamp(0.0, 0.95),
            &format!("read {} rows", self.rows),
        );
    }

    fn finish(self, path: &Path, opts: &LoadOptions) -> Result<Table> {
        if self.rows == 0 {
            return Err(Error::data(format!(
                "{}: the {} file holds no rows",
                self.name,
                self.format.label()
            )));
        }
        self.progress.report(0.96, "typing columns");
        let infer = InferOptions {
            date_order: opts.date_order,
        };
        let columns = self.columns.into_iter().map(|c| c.finish(&infer)).collect();
        let source = SourceInfo {
            path: path.to_path_buf(),
            format: self.format.label().into(),
            encoding: None,
            encoding_report: None,
            delimiter: None,
            sheet: None,
            has_header: true,
            file_bytes: self.file_bytes,
            skipped_rows: 0,
            error_cells: 0,
            warnings: self.warnings,
            unread_columns: self.unread,
        };
        let mut table = Table::new(columns, source);
        // Data row i is the file's row i + 1: there is no header line.
        table.row_origin = (1..=table.n_rows as u32).collect();
        self.progress
            .report(1.0, &format!("loaded {} rows", table.n_rows));
        Ok(table)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn magic_bytes_decide() {
        assert_eq!(
            Columnar::from_magic(b"PAR1\x15\x04"),
            Some(Columnar::Parquet)
        );
        assert_eq!(
            Columnar::from_magic(b"ARROW1\0\0"),
            Some(Columnar::ArrowFile)
        );
        assert_eq!(
            Columnar::from_magic(b"\xFF\xFF\xFF\xFF\x78\x00\x00\x00"),
            Some(Columnar::ArrowStream)
        );
        assert_eq!(
            Columnar::from_magic(b"\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF"),
            None
        );
        assert_eq!(Columnar::from_magic(b"id,age\n1,2"), None);
        assert_eq!(Columnar::from_magic(b"PAR"), None);
    }
}
