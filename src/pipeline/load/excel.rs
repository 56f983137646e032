//! Workbooks (xlsx, xlsm, xlsb, xls through calamine; ods through our own reader).
//!
//! Every cell becomes the text a CSV export of it would hold (numbers exact,
//! dates as ISO `YYYY-MM-DD`, booleans `true`/`false`, error cells missing),
//! and the columns then go through the same type inference as CSV, so a
//! workbook and its CSV export load into the same table.
//!
//! The format is decided by the file's content, not its name: a ZIP holding
//! an OpenDocument mimetype is ODS, another ZIP is XLSX/XLSM or XLSB, an OLE
//! container is XLS (or, holding `EncryptedPackage`, a password-protected
//! OOXML workbook). Text saved with an `.xls` name, as many web systems
//! export "Excel" files, is read as delimited text when it is one.
//!
//! # Memory and hostile files
//!
//! Before any reader opens the file, [`super::guard`] checks its container:
//! an OLE2 `.xls` has its compound-file chains checked (a chain that loops
//! made calamine grow without end) and the memory calamine will take for its
//! records estimated; a ZIP has each part's inflated size bounded by the
//! archive's size (the zip reader enforces declared sizes while inflating).
//! Reading is then held to [`guard::memory_budget`] of the file's size.
//!
//! Cells are stored sparsely, per column (row number + text), never as a
//! dense rows x columns grid of the sheet's "used range", and entirely empty
//! rows and columns are dropped before the dense table is built. So a stray
//! value at XFD1048576 costs one cell, not 17 billion. The stored cells are
//! capped by the memory budget, and a cell longer than a spreadsheet's
//! 32,767 characters is an error.
//!
//! - XLSX/XLSM and XLSB are streamed cell by cell (calamine's cells readers):
//!   memory is proportional to the non-empty cells, and both the number of
//!   stored cells and the final table (rows x columns) are capped at
//!   [`MAX_CELLS`].
//! - ODS is streamed by our own reader ([`super::ods`]): only the chosen
//!   sheet, repeated empty cells and rows skipped, repeated content expanded
//!   within a budget of the file's size.
//! - XLS has no streaming reader in calamine: it parses every sheet into a
//!   dense grid of its used area when the workbook is opened. The guard's
//!   estimate of those grids must fit the memory budget first.
//!
//! # Known gaps (calamine's)
//!
//! - XLSB cells written in the "short" record form (no column; SheetJS and
//!   some Aspose settings write them, Excel never does) are skipped by
//!   calamine without an error.
//! - Error kinds newer than calamine (#SPILL!, #CALC!, ...) in XLSX are
//!   counted but their position is unknown; a row holding nothing else is
//!   dropped as empty.

use super::LoadOptions;
use super::csv::load_csv;
use super::guard::{self, MAX_CELL_CHARS, Refusal};
use super::infer::{InferOptions, infer_column};
use super::ods::{OdsBook, OdsFailure, OdsValue};
use super::sniff::{binary_signature, clean_header_names, detect_header, sniff_delimiter};
use super::values::{NumberStyle, parse_date_token, parse_number};
use crate::error::{Error, Result};
use crate::pipeline::progress::Progress;
use crate::pipeline::table::{Column, SourceInfo, Table, TextColumn};
use calamine::{
    CellErrorType, Data, DataRef, ExcelDateTime, Reader, Sheet, SheetType, SheetVisible, Xls,
    XlsError, Xlsb, XlsbError, Xlsx, XlsxError,
};
use rayon::prelude::*;
use std::cell::Cell;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs::File;
use std::io::{BufReader, Read};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

mod cells;
mod open;
mod sheets;
mod table;

use cells::*;
use open::*;
use sheets::*;
use table::*;

pub(super) use table::cell_ref;

/// Most cells one sheet may hold, stored or in the final table: far above any
/// customer table (1,048,576 rows x 190 columns), far below what would
/// exhaust a server.
pub const MAX_CELLS: u64 = 200_000_000;
/// The widest sheet Excel and LibreOffice allow (A..XFD).
const MAX_SHEET_COLUMNS: u32 = 16_384;
/// Cells read between progress reports and cancellation checks.
const CHECK_EVERY: u64 = 1 << 15;
/// Rows shown to header detection.
const SAMPLE_ROWS: usize = 200;
/// Leading one-cell rows above a table ("Customer list, 30 June") skipped at most.
const MAX_TITLE_ROWS: usize = 5;
/// A data row this many empty rows below the previous one is probably a stray cell.
const STRAY_ROW_GAP: u32 = 1_000;
/// A column this many empty columns right of the previous one is probably a stray cell.
const STRAY_COLUMN_GAP: u32 = 100;

thread_local! {
    static CONTAINED: Cell<bool> = const { Cell::new(false) };
}

/// True while this thread runs the workbook reader, where a panic (calamine
/// meeting malformed data it did not expect) is caught and becomes a "the
/// workbook is damaged" error. A panic hook that restores the terminal or
/// prints a crash report can check this and stay quiet.
pub fn panic_is_contained() -> bool {
    CONTAINED.with(Cell::get)
}

struct Contained(bool);

impl Contained {
    fn enter() -> Self {
        Contained(CONTAINED.with(|c| c.replace(true)))
    }
}

impl Drop for Contained {
    fn drop(&mut self) {
        CONTAINED.with(|c| c.set(self.0));
    }
}

/// Runs calamine code, turning a panic inside it (a malformed file it did
/// not expect) into an error instead of taking the whole program down.
fn guarded<T>(name: &str, f: impl FnOnce() -> Result<T>) -> Result<T> {
    contained(name, "workbook", f)
}

/// Runs a third-party reader of a `what` file (a workbook, a Parquet
/// file), a panic inside it becoming a "damaged" error.
pub(crate) fn contained<T>(name: &str, what: &str, f: impl FnOnce() -> Result<T>) -> Result<T> {
    let _contained = Contained::enter();
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|_| {
        Err(Error::data(format!(
            "{name}: the {what} is damaged and cannot be read (the reader stopped on malformed data)"
        )))
    })
}

/// Loads the chosen sheet of a workbook (see the module docs).
pub fn load_workbook(path: &Path, opts: &LoadOptions, progress: &dyn Progress) -> Result<Table> {
    let name = display_name(path);
    let file_bytes = std::fs::metadata(path)
        .map_err(|e| Error::io_path("reading", path, e))?
        .len();
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let head = read_head(path, 64 * 1024)?;
    if head.is_empty() {
        return Err(Error::data(format!("{name}: the file is empty")));
    }

    let candidates = match container(&head) {
        Container::Zip { ods_mime } => match ods_mime {
            Some(true) => vec![Format::Ods],
            Some(false) => {
                return Err(Error::data(format!(
                    "{name}: this is an OpenDocument file but not a spreadsheet (a text document or presentation?)"
                )));
            }
            None => match ext.as_str() {
                "xlsb" => vec![Format::Xlsb, Format::Xlsx, Format::Ods],
                "ods" => vec![Format::Ods, Format::Xlsx, Format::Xlsb],
                "xlsm" | "xlam" => vec![Format::Xlsm, Format::Xlsb, Format::Ods],
                _ => vec![Format::Xlsx, Format::Xlsb, Format::Ods],
            },
        },
        Container::Ole => vec![Format::Xls],
        Container::Other => return not_a_workbook(path, &name, &ext, &head, opts, progress),
    };

    progress.report(0.0, &format!("opening {name}"));
    guarded(&name, || {
        check_container(&name, path, &candidates, file_bytes)
    })?;
    let (mut book, format) = guarded(&name, || open_book(path, &name, &candidates))?;
    let mut warnings = Vec::new();
    let expected = match ext.as_str() {
        "xlsx" => Some(Format::Xlsx),
        "xlsm" | "xlam" => Some(Format::Xlsm),
        "xlsb" => Some(Format::Xlsb),
        "xls" | "xla" => Some(Format::Xls),
        "ods" => Some(Format::Ods),
        _ => None,
    };
    let same = |a: Format, b: Format| a == b || matches!((a, b), (Format::Xlsx, Format::Xlsm));
    if expected.is_some_and(|e| !same(format, e) && !same(e, format)) {
        warnings.push(format!(
            "the file is really {} despite its .{ext} name; read it as {}",
            format.label(),
            format.label()
        ));
    }

    if progress.is_cancelled() {
        return Err(Error::Cancelled);
    }
    let sheets = book.sheets();
    if sheets.is_empty() {
        return Err(Error::data(format!("{name}: the workbook has no sheets")));
    }
    let (sheet, cells) = match &opts.sheet {
        Some(wanted) => {
            let index = resolve_sheet(&name, &sheets, wanted)?;
            let sheet = &sheets[index];
            if sheet.typ != SheetType::WorkSheet {
                return Err(Error::data(format!(
                    "{name}: sheet '{}' is a {}, not a table of cells; choose another sheet",
                    sheet.name,
                    sheet_type_name(sheet.typ)
                )));
            }
            let cells = guarded(&name, || {
                read_sheet(&mut book, path, &name, &sheet.name, progress)
            })?;
            if cells.is_empty() {
                return Err(Error::data(format!(
                    "{name}: sheet '{}' is empty{}",
                    sheet.name,
                    others_hint(&sheets, index)
                )));
            }
            (sheet.name.clone(), cells)
        }
        None => first_non_empty(&mut book, path, &name, &sheets, progress, &mut warnings)?,
    };

    build_table(
        path, &name, format, file_bytes, &sheet, cells, opts, progress, warnings,
    )
}

/// The container checks of [`guard`] before any reader opens the file.
#[cfg(test)]
mod tests {
    use super::*;
    use calamine::ExcelDateTimeType;

    fn text(cell: CellRef<'_>) -> String {
        let mut buf = String::new();
        match render(cell, &mut buf) {
            Rendered::Empty => String::new(),
            Rendered::Text(t) => t.to_string(),
            Rendered::Error(e) => format!("error {e}"),
        }
    }

    #[test]
    fn numbers_render_exactly() {
        assert_eq!(text(CellRef::Float(12.0)), "12");
        assert_eq!(text(CellRef::Float(-0.5)), "-0.5");
        assert_eq!(text(CellRef::Float(0.1 + 0.2)), "0.30000000000000004");
        assert_eq!(text(CellRef::Float(1234567.89)), "1234567.89");
        assert_eq!(text(CellRef::Float(6.2e18)), "6200000000000000000");
        assert_eq!(text(CellRef::Int(-42)), "-42");
        assert_eq!(text(CellRef::Bool(true)), "true");
        assert_eq!(text(CellRef::Str("  C001 ")), "C001");
        assert_eq!(text(CellRef::Str("   ")), "");
        assert_eq!(text(CellRef::Error(&CellErrorType::Div0)), "error #DIV/0!");
    }

    #[test]
    fn dates_render_as_iso() {
        let dt = |v: f64, is_1904: bool| {
            text(CellRef::DateTime(ExcelDateTime::new(
                v,
                ExcelDateTimeType::DateTime,
                is_1904,
            )))
        };
        assert_eq!(dt(45322.0, false), "2024-01-31");
        assert_eq!(dt(45322.75, false), "2024-01-31");
        assert_eq!(dt(45322.0 - 1462.0, true), "2024-01-31");
        assert_eq!(dt(0.5, false), "12:00:00");
        let dur = ExcelDateTime::new(1.5, ExcelDateTimeType::TimeDelta, false);
        assert_eq!(text(CellRef::DateTime(dur)), "36:00:00");
    }

    #[test]
    fn column_letters_match_excel() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(16_383), "XFD");
        assert_eq!(cell_ref(1_048_575, 16_383), "XFD1048576");
    }

    #[test]
    fn sparse_cells_sort_and_densify() {
        let mut cells = SheetCells::default();
        let mut buf = String::new();
        for (r, c, v) in [(5, 2, "b"), (2, 2, "a"), (9, 0, "x"), (5, 2, "dup")] {
            assert!(cells.push(r, c, CellRef::Str(v), &mut buf).is_ok());
        }
        cells.finish();
        assert_eq!(cells.rows, vec![2, 5, 9]);
        let col = cells.columns[2].take().unwrap();
        let dense = densify(col, &[2, 5, 9]);
        assert_eq!(
            dense.iter().collect::<Vec<_>>(),
            vec![Some("a"), Some("b"), None]
        );
    }
}
