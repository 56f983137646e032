//! Load: a CSV, Excel, Parquet or Arrow file into a typed [`Table`].

pub mod columnar;
pub mod compressed;
pub mod csv;
pub mod encoding;
pub mod excel;
pub mod guard;
pub mod infer;
pub mod lanes;
pub mod ods;
pub mod sniff;
pub mod values;

use crate::error::{Error, Result};
use crate::pipeline::progress::Progress;
use crate::pipeline::table::Table;
pub use infer::DateOrder;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Every loading choice the user can make; `None` means "detect it".
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LoadOptions {
    /// Field delimiter for text files (`,` `;` tab `|` are sniffed).
    pub delimiter: Option<char>,
    /// Text encoding label (utf-8, gbk, gb18030, latin1, utf-16le, ...).
    pub encoding: Option<String>,
    /// Whether the first row is a header; detected when unset.
    pub header: Option<bool>,
    /// Workbook sheet, by name or 0-based index; the first non-empty sheet when unset.
    pub sheet: Option<String>,
    /// How to read dates like 03/04/2024 when the column does not decide it.
    pub date_order: DateOrder,
    /// Skip rows with the wrong number of fields instead of failing.
    pub skip_bad_rows: bool,
    /// A headless run of a Parquet/Arrow file reads every column, not only
    /// those the run uses (see [`crate::pipeline::projection`]).
    pub all_columns: bool,
}

/// Which loader a file needs, from its extension (and, for text, its content).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    Delimited,
    Workbook,
}

/// Workbook extensions: these files go to the workbook reader.
pub const WORKBOOK_EXTENSIONS: &[&str] = &["xlsx", "xlsm", "xlsb", "xls", "ods", "xla", "xlam"];
/// Extensions delimited text usually has (any other file is read as text
/// too; these are the names a file list offers).
pub const TEXT_EXTENSIONS: &[&str] = &["csv", "tsv", "txt", "asc", "dat", "psv", "tab"];
/// Extensions of compressed text (`customers.csv.gz`); the compression is
/// told by the first bytes, the name only lists it.
pub const COMPRESSED_EXTENSIONS: &[&str] = &["gz", "gzip", "zst", "zstd"];

fn extension(path: &Path) -> Option<String> {
    path.extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
}

pub fn file_kind(path: &Path) -> FileKind {
    match extension(path) {
        Some(e) if WORKBOOK_EXTENSIONS.contains(&e.as_str()) => FileKind::Workbook,
        _ => FileKind::Delimited,
    }
}

/// Whether a file named `name` is one the loader reads by its name: a
/// workbook, delimited text, or compressed text (`.csv.gz`, `.dat.zst`).
pub fn is_data_file_name(name: &str) -> bool {
    let path = Path::new(name);
    match extension(path) {
        Some(e) if COMPRESSED_EXTENSIONS.contains(&e.as_str()) => path
            .file_stem()
            .and_then(|stem| extension(Path::new(stem)))
            .is_some_and(|inner| TEXT_EXTENSIONS.contains(&inner.as_str())),
        Some(e) => {
            TEXT_EXTENSIONS.contains(&e.as_str())
                || WORKBOOK_EXTENSIONS.contains(&e.as_str())
                || columnar::EXTENSIONS.contains(&e.as_str())
        }
        None => false,
    }
}

/// Loads `path` with the loader its kind needs. Errors name the file and,
/// where it applies, the line/row and column.
pub fn load(path: &Path, opts: &LoadOptions, progress: &dyn Progress) -> Result<Table> {
    // The common failures keep their io::ErrorKind (each face words what to
    // do from it) and a short message.
    let short = |kind: std::io::ErrorKind, what: &str| {
        Error::io(
            path.display().to_string(),
            std::io::Error::new(kind, what.to_string()),
        )
    };
    let meta = std::fs::metadata(path).map_err(|e| match e.kind() {
        k @ std::io::ErrorKind::NotFound => short(k, "no such file"),
        k @ std::io::ErrorKind::PermissionDenied => short(k, "permission denied"),
        _ => Error::io_path("reading", path, e),
    })?;
    if meta.is_dir() {
        return Err(short(
            std::io::ErrorKind::IsADirectory,
            "is a directory, not a data file",
        ));
    }
    if !meta.is_file() {
        // A device or FIFO: /dev/zero never ends, a FIFO may never start.
        return Err(Error::data(format!(
            "{}: is {}, not a data file",
            path.display(),
            crate::artefact::kind(&meta)
        )));
    }
    if meta.len() == 0 {
        return Err(Error::data(format!(
            "{}: the file is empty",
            path.display()
        )));
    }
    if let Some(format) = columnar::detect(path)? {
        return columnar::load_columnar(path, format, opts, progress);
    }
    if columnar::has_columnar_extension(path) {
        return Err(Error::data(format!(
            "{}: the name says Parquet or Arrow, but the file does not start like one (PAR1 or ARROW1): damaged, or another format renamed; give its real extension",
            path.display()
        )));
    }
    let table = match file_kind(path) {
        FileKind::Delimited => csv::load_csv(path, opts, progress)?,
        FileKind::Workbook => excel::load_workbook(path, opts, progress)?,
    };
    Ok(table)
}
