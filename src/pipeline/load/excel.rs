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
use crate::pipeline::table::{SourceInfo, Table, TextColumn};
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

type FileReader = BufReader<File>;

/// What the workbook actually is (its content decides, not its extension).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Xlsx,
    Xlsm,
    Xlsb,
    Xls,
    Ods,
}

impl Format {
    fn label(self) -> &'static str {
        match self {
            Format::Xlsx => "XLSX",
            Format::Xlsm => "XLSM",
            Format::Xlsb => "XLSB",
            Format::Xls => "XLS",
            Format::Ods => "ODS",
        }
    }
}

enum Book {
    Xlsx(Xlsx<FileReader>),
    Xlsb(Xlsb<FileReader>),
    Xls(Xls<FileReader>),
    Ods(OdsBook),
}

impl Book {
    fn sheets(&self) -> Vec<Sheet> {
        match self {
            Book::Xlsx(b) => b.sheets_metadata().to_vec(),
            Book::Xlsb(b) => b.sheets_metadata().to_vec(),
            Book::Xls(b) => b.sheets_metadata().to_vec(),
            Book::Ods(b) => b
                .sheets
                .iter()
                .map(|s| Sheet {
                    name: s.name.clone(),
                    typ: SheetType::WorkSheet,
                    visible: if s.visible {
                        SheetVisible::Visible
                    } else {
                        SheetVisible::Hidden
                    },
                })
                .collect(),
        }
    }
}

/// A calamine error, sorted by what the user should be told.
enum Failure {
    Password,
    Io(std::io::Error),
    /// The file is not this format (try another, or say what it is not).
    WrongFormat(String),
    /// The file is this format but broken; the reader's own words.
    Damaged(String),
    SheetNotFound,
    NotAWorksheet(String),
    /// Reading it would take more than a file of its size may (a bomb).
    TooLarge(String),
    /// Our own cell handling stopped the read (cancelled, a budget).
    Stopped(Error),
}

impl From<XlsxError> for Failure {
    fn from(e: XlsxError) -> Self {
        match e {
            XlsxError::Password => Failure::Password,
            XlsxError::Io(e) => Failure::Io(e),
            XlsxError::Zip(z) => Failure::Damaged(format!("Zip error: {z}")),
            XlsxError::FileNotFound(_) | XlsxError::RelationshipNotFound => {
                Failure::WrongFormat(e.to_string())
            }
            XlsxError::WorksheetNotFound(_) => Failure::SheetNotFound,
            XlsxError::NotAWorksheet(typ) => Failure::NotAWorksheet(typ),
            other => Failure::Damaged(other.to_string()),
        }
    }
}

impl From<XlsbError> for Failure {
    fn from(e: XlsbError) -> Self {
        match e {
            XlsbError::Password => Failure::Password,
            XlsbError::Io(e) => Failure::Io(e),
            XlsbError::Zip(z) => Failure::Damaged(format!("Zip error: {z}")),
            XlsbError::FileNotFound(_) => Failure::WrongFormat(e.to_string()),
            XlsbError::WorksheetNotFound(_) => Failure::SheetNotFound,
            other => Failure::Damaged(other.to_string()),
        }
    }
}

impl From<XlsError> for Failure {
    fn from(e: XlsError) -> Self {
        match e {
            XlsError::Password => Failure::Password,
            XlsError::Io(e) => Failure::Io(e),
            XlsError::Cfb(ref c) if c.to_string().starts_with("Cannot find") => {
                Failure::WrongFormat(e.to_string())
            }
            XlsError::WorksheetNotFound(_) => Failure::SheetNotFound,
            other => Failure::Damaged(other.to_string()),
        }
    }
}

impl From<OdsFailure> for Failure {
    fn from(e: OdsFailure) -> Self {
        match e {
            OdsFailure::Password => Failure::Password,
            OdsFailure::Io(e) => Failure::Io(e),
            OdsFailure::NotOds(why) => Failure::WrongFormat(why),
            OdsFailure::Damaged(why) => Failure::Damaged(why),
            OdsFailure::TooLarge(why) => Failure::TooLarge(why),
            OdsFailure::Stop(e) => Failure::Stopped(e),
        }
    }
}

fn password_error(name: &str) -> Error {
    Error::data(format!(
        "{name}: the workbook is password-protected; save an unprotected copy and load that"
    ))
}

/// The error for a failure while opening the workbook.
fn open_error(path: &Path, name: &str, format: Format, failure: Failure) -> Error {
    match failure {
        Failure::Password => password_error(name),
        Failure::Io(e) => Error::io_path("reading", path, e),
        Failure::WrongFormat(detail) => Error::data(format!(
            "{name}: this is not an Excel or OpenDocument workbook ({detail}); another kind of document with a workbook's name?"
        )),
        Failure::Damaged(detail) => Error::data(format!(
            "{name}: the {} workbook is damaged or incomplete and cannot be read ({detail}); was it cut off while copying?",
            format.label()
        )),
        Failure::TooLarge(why) => too_large(name, &why),
        Failure::Stopped(e) => e,
        Failure::SheetNotFound | Failure::NotAWorksheet(_) => {
            Error::data(format!("{name}: the workbook's list of sheets is damaged"))
        }
    }
}

/// The error for a failure while reading one sheet.
fn sheet_error(path: &Path, name: &str, sheet: &str, failure: Failure) -> Error {
    match failure {
        Failure::Password => password_error(name),
        Failure::Io(e) => Error::io_path("reading", path, e),
        Failure::NotAWorksheet(typ) => Error::data(format!(
            "{name}: sheet '{sheet}' is not a table of cells (it is a {typ}); choose another sheet"
        )),
        Failure::SheetNotFound => Error::data(format!(
            "{name}: sheet '{sheet}' is listed but missing from the file; the workbook is damaged"
        )),
        Failure::TooLarge(why) => too_large(&format!("{name}, sheet '{sheet}'"), &why),
        Failure::Stopped(e) => e,
        Failure::WrongFormat(detail) | Failure::Damaged(detail) => Error::data(format!(
            "{name}, sheet '{sheet}': the sheet data is damaged and cannot be read ({detail})"
        )),
    }
}

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
    let _contained = Contained::enter();
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|_| {
        Err(Error::data(format!(
            "{name}: the workbook is damaged and cannot be read (the reader stopped on malformed data)"
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
fn check_container(name: &str, path: &Path, candidates: &[Format], file_bytes: u64) -> Result<()> {
    let checked = if candidates == [Format::Xls] {
        guard::check_ole(path, file_bytes)
    } else {
        guard::check_zip(path, file_bytes)
    };
    checked.map_err(|refusal| match refusal {
        Refusal::Damaged(why) => Error::data(format!(
            "{name}: the workbook is damaged and cannot be read: {why}"
        )),
        Refusal::TooLarge(why) => too_large(name, &why),
    })
}

/// A file whose reading would take more than its size allows (a bomb).
fn too_large(at: &str, why: &str) -> Error {
    Error::data(format!(
        "{at}: the workbook is too large to read safely: {why}; if the data is genuine, save the sheet as CSV"
    ))
}

fn display_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

fn read_head(path: &Path, len: u64) -> Result<Vec<u8>> {
    let file = File::open(path).map_err(|e| Error::io_path("opening", path, e))?;
    let mut head = Vec::new();
    file.take(len)
        .read_to_end(&mut head)
        .map_err(|e| Error::io_path("reading", path, e))?;
    Ok(head)
}

enum Container {
    /// `ods_mime`: `Some(true)` an OpenDocument spreadsheet, `Some(false)`
    /// another OpenDocument file, `None` no OpenDocument mimetype.
    Zip {
        ods_mime: Option<bool>,
    },
    Ole,
    Other,
}

fn container(head: &[u8]) -> Container {
    if head.starts_with(b"PK\x03\x04") {
        // OpenDocument puts an uncompressed "mimetype" entry first.
        let ods_mime = (head.len() > 38 && &head[30..38] == b"mimetype").then(|| {
            let rest = &head[38..head.len().min(38 + 80)];
            rest.windows(24).any(|w| w == b"opendocument.spreadsheet")
        });
        return Container::Zip { ods_mime };
    }
    if head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        return Container::Ole;
    }
    Container::Other
}

/// A file with a workbook's name that is no workbook: a clear error, except
/// delimited text named `.xls`, which web systems export as "Excel" and is
/// read as what it is.
fn not_a_workbook(
    path: &Path,
    name: &str,
    ext: &str,
    head: &[u8],
    opts: &LoadOptions,
    progress: &dyn Progress,
) -> Result<Table> {
    let text_start = String::from_utf8_lossy(&head[..head.len().min(2048)])
        .trim_start_matches('\u{feff}')
        .trim_start()
        .to_ascii_lowercase();
    if text_start.starts_with("<!doctype html")
        || text_start.starts_with("<html")
        || text_start.starts_with("<table")
        || (text_start.starts_with('<') && text_start.contains("<table"))
    {
        return Err(Error::data(format!(
            "{name}: this is a web page (HTML), not a workbook, as some systems export \"Excel\" files; open it in a spreadsheet and save it as .xlsx, or export CSV"
        )));
    }
    if text_start.starts_with("<?xml")
        && (text_start.contains("urn:schemas-microsoft-com:office:spreadsheet")
            || text_start.contains("<workbook"))
    {
        return Err(Error::data(format!(
            "{name}: this is an \"XML Spreadsheet 2003\" file, which cannot be read; open it in a spreadsheet and save it as .xlsx, or export CSV"
        )));
    }
    if let Some(what) = binary_signature(head) {
        return Err(Error::data(format!(
            "{name}: this is not an Excel or OpenDocument workbook; it looks like {what}"
        )));
    }
    let is_text = std::str::from_utf8(head).is_ok()
        || head
            .iter()
            .all(|&b| b >= 0x20 || matches!(b, b'\t' | b'\n' | b'\r') || b >= 0x80);
    if !is_text {
        return Err(Error::data(format!(
            "{name}: this is not an Excel or OpenDocument workbook (its content is neither); is the file damaged?"
        )));
    }
    let (text, _) = encoding_rs::UTF_8.decode_without_bom_handling(head);
    let delimited = sniff_delimiter(&text, false).is_some();
    if ext == "xls" && delimited {
        let mut table = load_csv(path, opts, progress)?;
        table.source.warnings.insert(
            0,
            format!("{name} is delimited text despite its .xls name (a web system's \"Excel\" export?); read it as text"),
        );
        return Ok(table);
    }
    Err(Error::data(format!(
        "{name}: this is not an Excel or OpenDocument workbook but a text file{}",
        if delimited {
            "; it looks like CSV, so rename it to .csv to load it"
        } else {
            ""
        }
    )))
}

fn open_book(path: &Path, name: &str, candidates: &[Format]) -> Result<(Book, Format)> {
    let mut first_failure: Option<(Format, Failure)> = None;
    for &format in candidates {
        let opened = match format {
            Format::Xlsx | Format::Xlsm => calamine::open_workbook::<Xlsx<_>, _>(path)
                .map(Book::Xlsx)
                .map_err(Failure::from),
            Format::Xlsb => calamine::open_workbook::<Xlsb<_>, _>(path)
                .map(Book::Xlsb)
                .map_err(Failure::from),
            Format::Xls => calamine::open_workbook::<Xls<_>, _>(path)
                .map(Book::Xls)
                .map_err(Failure::from),
            Format::Ods => OdsBook::open(path).map(Book::Ods).map_err(Failure::from),
        };
        match opened {
            Ok(book) => return Ok((book, format)),
            Err(Failure::Password) => return Err(password_error(name)),
            Err(Failure::Io(e)) => return Err(Error::io_path("reading", path, e)),
            Err(f) => {
                if first_failure.is_none() {
                    first_failure = Some((format, f));
                }
            }
        }
    }
    let Some((format, failure)) = first_failure else {
        return Err(Error::data(format!(
            "{name}: not a workbook this tool reads"
        )));
    };
    if format == Format::Xls {
        // An encrypted OOXML workbook is an OLE container too: the XLSX
        // reader recognises its EncryptedPackage stream.
        if let Err(XlsxError::Password) = calamine::open_workbook::<Xlsx<_>, _>(path) {
            return Err(password_error(name));
        }
        if let Failure::WrongFormat(_) = failure {
            return Err(Error::data(format!(
                "{name}: this is an Office (OLE) file but not an Excel workbook (a Word document or another Office file?)"
            )));
        }
    }
    Err(open_error(path, name, format, failure))
}

fn sheet_type_name(typ: SheetType) -> &'static str {
    match typ {
        SheetType::WorkSheet => "worksheet",
        SheetType::ChartSheet => "chart sheet",
        SheetType::DialogSheet => "dialog sheet",
        SheetType::MacroSheet => "macro sheet",
        SheetType::Vba => "VBA module",
    }
}

fn sheet_list(sheets: &[Sheet]) -> String {
    let mut names: Vec<&str> = sheets.iter().take(30).map(|s| s.name.as_str()).collect();
    if sheets.len() > 30 {
        names.push("...");
    }
    names.join(", ")
}

fn others_hint(sheets: &[Sheet], index: usize) -> String {
    if sheets.len() > 1 {
        let others: Vec<&str> = sheets
            .iter()
            .enumerate()
            .filter(|&(i, s)| i != index && s.typ == SheetType::WorkSheet)
            .map(|(_, s)| s.name.as_str())
            .take(30)
            .collect();
        if !others.is_empty() {
            return format!("; the other sheets are: {}", others.join(", "));
        }
    }
    String::new()
}

/// A sheet by name, or by 0-based index when no sheet has that name.
fn resolve_sheet(name: &str, sheets: &[Sheet], wanted: &str) -> Result<usize> {
    if let Some(i) = sheets.iter().position(|s| s.name == wanted) {
        return Ok(i);
    }
    let trimmed = wanted.trim();
    let loose: Vec<usize> = sheets
        .iter()
        .enumerate()
        .filter(|(_, s)| s.name.trim().to_lowercase() == trimmed.to_lowercase())
        .map(|(i, _)| i)
        .collect();
    if loose.len() == 1 {
        return Ok(loose[0]);
    }
    if let Ok(index) = trimmed.parse::<usize>() {
        if index < sheets.len() {
            return Ok(index);
        }
        return Err(Error::data(format!(
            "{name}: no sheet number {index} (sheets are numbered from 0); the workbook has {} sheet{}: {}",
            sheets.len(),
            if sheets.len() == 1 { "" } else { "s" },
            sheet_list(sheets)
        )));
    }
    Err(Error::data(format!(
        "{name}: no sheet named '{wanted}'; the workbook has: {}",
        sheet_list(sheets)
    )))
}

/// The first worksheet with any value: visible sheets first, then hidden ones.
fn first_non_empty(
    book: &mut Book,
    path: &Path,
    name: &str,
    sheets: &[Sheet],
    progress: &dyn Progress,
    warnings: &mut Vec<String>,
) -> Result<(String, SheetCells)> {
    let worksheets: Vec<&Sheet> = sheets
        .iter()
        .filter(|s| s.typ == SheetType::WorkSheet)
        .collect();
    if worksheets.is_empty() {
        return Err(Error::data(format!(
            "{name}: the workbook has no worksheets, only charts or macros ({})",
            sheet_list(sheets)
        )));
    }
    let visible = worksheets
        .iter()
        .filter(|s| s.visible == SheetVisible::Visible);
    let hidden = worksheets
        .iter()
        .filter(|s| s.visible != SheetVisible::Visible);
    let mut empty: Vec<&str> = Vec::new();
    for sheet in visible.chain(hidden) {
        if progress.is_cancelled() {
            return Err(Error::Cancelled);
        }
        let cells = guarded(name, || read_sheet(book, path, name, &sheet.name, progress))?;
        if cells.is_empty() {
            empty.push(&sheet.name);
            continue;
        }
        if !empty.is_empty() {
            let quoted: Vec<String> = empty.iter().map(|s| format!("'{s}'")).collect();
            warnings.push(format!(
                "{} {} empty; read sheet '{}'",
                if quoted.len() == 1 {
                    format!("sheet {}", quoted[0])
                } else {
                    format!("sheets {}", quoted.join(", "))
                },
                if quoted.len() == 1 { "is" } else { "are" },
                sheet.name
            ));
        }
        if sheet.visible != SheetVisible::Visible {
            warnings.push(format!(
                "read hidden sheet '{}' because every visible sheet is empty",
                sheet.name
            ));
        }
        return Ok((sheet.name.clone(), cells));
    }
    Err(Error::data(format!(
        "{name}: every sheet is empty ({})",
        sheet_list(sheets)
    )))
}

/// A cell as calamine hands it over, from either of its value types.
enum CellRef<'a> {
    Empty,
    Str(&'a str),
    Int(i64),
    Float(f64),
    Bool(bool),
    DateTime(ExcelDateTime),
    Iso(&'a str),
    Error(&'a CellErrorType),
    /// An error cell known by its text (ODS: `#DIV/0!`).
    ErrorText(&'a str),
}

impl<'a> From<&'a OdsValue> for CellRef<'a> {
    fn from(v: &'a OdsValue) -> Self {
        match v {
            OdsValue::Float(x) => CellRef::Float(*x),
            OdsValue::Text(s) => CellRef::Str(s),
            OdsValue::Bool(b) => CellRef::Bool(*b),
            OdsValue::Date(s) | OdsValue::Duration(s) => CellRef::Iso(s),
            OdsValue::Error(s) => CellRef::ErrorText(s),
        }
    }
}

impl<'a> From<&'a Data> for CellRef<'a> {
    fn from(d: &'a Data) -> Self {
        match d {
            Data::Empty => CellRef::Empty,
            Data::String(s) => CellRef::Str(s),
            Data::Int(i) => CellRef::Int(*i),
            Data::Float(f) => CellRef::Float(*f),
            Data::Bool(b) => CellRef::Bool(*b),
            Data::DateTime(d) => CellRef::DateTime(*d),
            Data::DateTimeIso(s) | Data::DurationIso(s) => CellRef::Iso(s),
            Data::Error(e) => CellRef::Error(e),
        }
    }
}

impl<'a> From<&'a DataRef<'_>> for CellRef<'a> {
    fn from(d: &'a DataRef<'_>) -> Self {
        match d {
            DataRef::Empty => CellRef::Empty,
            DataRef::String(s) => CellRef::Str(s),
            DataRef::SharedString(s) => CellRef::Str(s),
            DataRef::Int(i) => CellRef::Int(*i),
            DataRef::Float(f) => CellRef::Float(*f),
            DataRef::Bool(b) => CellRef::Bool(*b),
            DataRef::DateTime(d) => CellRef::DateTime(*d),
            DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => CellRef::Iso(s),
            DataRef::Error(e) => CellRef::Error(e),
        }
    }
}

enum Rendered<'a> {
    Empty,
    Text(&'a str),
    Error(String),
}

/// The text a cell stands for; `buf` holds it when it had to be formatted.
fn render<'a>(cell: CellRef<'a>, buf: &'a mut String) -> Rendered<'a> {
    buf.clear();
    match cell {
        CellRef::Empty => return Rendered::Empty,
        CellRef::Str(s) | CellRef::Iso(s) => {
            let t = s.trim();
            return if t.is_empty() {
                Rendered::Empty
            } else {
                Rendered::Text(t)
            };
        }
        CellRef::Error(e) => return Rendered::Error(e.to_string()),
        CellRef::ErrorText(t) => {
            let t = t.trim();
            return Rendered::Error(if t.is_empty() {
                "#ERR".into()
            } else {
                crate::escape::excerpt(t, 20)
            });
        }
        CellRef::Int(i) => {
            let _ = write!(buf, "{i}");
        }
        CellRef::Float(x) => write_number(buf, x),
        CellRef::Bool(b) => buf.push_str(if b { "true" } else { "false" }),
        CellRef::DateTime(d) => write_datetime(buf, d),
    }
    Rendered::Text(buf)
}

/// Exact text of a number: integers without ".0", others as Rust's shortest
/// round-trip form.
fn write_number(buf: &mut String, x: f64) {
    if !x.is_finite() {
        // "inf" / "NaN": present but not a number, so counted as unparsed.
        let _ = write!(buf, "{x}");
        return;
    }
    if x.fract() == 0.0 && x.abs() < 1e15 {
        let _ = write!(buf, "{}", x as i64);
    } else {
        let _ = write!(buf, "{x}");
    }
}

/// A date-formatted cell: ISO date (the date part of a date-time); a
/// time-of-day or a duration as `H:MM:SS`.
fn write_datetime(buf: &mut String, d: ExcelDateTime) {
    let value = d.as_f64();
    if !value.is_finite() || value < 0.0 {
        write_number(buf, value);
        return;
    }
    if d.is_duration() || value < 1.0 {
        let total = (value * 86_400.0).round() as u64;
        let _ = write!(
            buf,
            "{}:{:02}:{:02}",
            total / 3600,
            total / 60 % 60,
            total % 60
        );
        return;
    }
    let (y, m, day, ..) = d.to_ymd_hms_milli();
    let _ = write!(buf, "{y:04}-{m:02}-{day:02}");
}

/// One column's non-empty cells: their row numbers and texts (an error
/// cell is an empty text: present, but missing).
#[derive(Default)]
struct SparseColumn {
    rows: Vec<u32>,
    text: TextColumn,
    bytes: usize,
    unsorted: bool,
}

impl SparseColumn {
    /// The cell at `row`, if the column has one.
    fn get(&self, row: u32) -> Option<&str> {
        self.rows.binary_search(&row).ok().map(|i| self.text.raw(i))
    }

    /// Puts the cells in row order (streams are row-major, so this is rare);
    /// of two cells for one row, the first is kept.
    fn sort(&mut self) {
        if !self.unsorted {
            return;
        }
        let mut order: Vec<usize> = (0..self.rows.len()).collect();
        order.sort_by_key(|&i| self.rows[i]);
        let mut rows = Vec::with_capacity(order.len());
        let mut text = TextColumn::with_capacity(order.len(), self.bytes);
        for i in order {
            if rows.last() == Some(&self.rows[i]) {
                continue;
            }
            rows.push(self.rows[i]);
            let pushed = text.push(self.text.raw(i));
            debug_assert!(pushed);
        }
        self.rows = rows;
        self.text = text;
        self.unsorted = false;
    }
}

/// The non-empty cells of one sheet, sparse by column.
#[derive(Default)]
struct SheetCells {
    /// Bytes the stored cells may take ([`guard::memory_budget`] share);
    /// 0 means no limit (tests).
    budget: u64,
    stored: u64,
    /// By absolute column index; `None` for columns without cells.
    columns: Vec<Option<SparseColumn>>,
    /// Rows holding at least one cell, in order once `finish`ed.
    rows: Vec<u32>,
    rows_unsorted: bool,
    cells: u64,
    /// Error cells by kind ("#DIV/0!": 3).
    errors: BTreeMap<String, usize>,
    first_error: Option<(u32, u32)>,
}

enum PushError {
    CellLimit,
    /// The stored cells passed the memory budget of the file's size.
    MemoryBudget,
    /// A cell longer than Excel allows (row, column, characters).
    CellTooLong(u32, u32, usize),
    BeyondXfd(u32),
    TextLimit(u32),
}

impl SheetCells {
    fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Cells held to a quarter of `file_bytes`'s memory budget: the table
    /// built from them takes about as much again, twice while it is typed.
    fn for_file(file_bytes: u64) -> Self {
        SheetCells {
            budget: guard::memory_budget(file_bytes) / 4,
            ..SheetCells::default()
        }
    }

    fn push(
        &mut self,
        row: u32,
        col: u32,
        cell: CellRef<'_>,
        buf: &mut String,
    ) -> std::result::Result<(), PushError> {
        let text = match render(cell, buf) {
            Rendered::Empty => return Ok(()),
            Rendered::Text(t) => t,
            Rendered::Error(kind) => {
                *self.errors.entry(kind).or_default() += 1;
                if self.first_error.is_none() {
                    self.first_error = Some((row, col));
                }
                ""
            }
        };
        if col >= MAX_SHEET_COLUMNS {
            return Err(PushError::BeyondXfd(col));
        }
        if text.len() > MAX_CELL_CHARS && text.chars().count() > MAX_CELL_CHARS {
            return Err(PushError::CellTooLong(row, col, text.chars().count()));
        }
        self.cells += 1;
        if self.cells > MAX_CELLS {
            return Err(PushError::CellLimit);
        }
        // Text, its end offset, its row number.
        self.stored += text.len() as u64 + 12;
        if self.budget > 0 && self.stored > self.budget {
            return Err(PushError::MemoryBudget);
        }
        let c = col as usize;
        if self.columns.len() <= c {
            self.columns.resize_with(c + 1, || None);
        }
        let column = self.columns[c].get_or_insert_with(SparseColumn::default);
        match column.rows.last() {
            Some(&last) if last == row => return Ok(()), // a second value for one cell
            Some(&last) if last > row => column.unsorted = true,
            _ => {}
        }
        if !column.text.push(text) {
            return Err(PushError::TextLimit(col));
        }
        column.rows.push(row);
        column.bytes += text.len();
        match self.rows.last() {
            Some(&last) if last == row => {}
            Some(&last) if last > row => {
                self.rows_unsorted = true;
                self.rows.push(row);
            }
            _ => self.rows.push(row),
        }
        Ok(())
    }

    /// An error cell whose position the reader could not give (calamine
    /// fails on error kinds it does not know, like #SPILL!, and goes on).
    fn unplaced_error(&mut self, kind: String) {
        *self.errors.entry(kind).or_default() += 1;
    }

    fn finish(&mut self) {
        if self.rows_unsorted {
            self.rows.sort_unstable();
            self.rows.dedup();
            self.rows_unsorted = false;
        }
        for c in self.columns.iter_mut().flatten() {
            c.sort();
        }
    }

    /// Non-empty cells of `row` (counting error cells).
    fn count_in_row(&self, row: u32) -> usize {
        self.columns
            .iter()
            .flatten()
            .filter(|c| c.get(row).is_some())
            .count()
    }
}

fn push_error(name: &str, sheet: &str, e: PushError) -> Error {
    match e {
        PushError::CellLimit => Error::data(format!(
            "{name}, sheet '{sheet}': more than {MAX_CELLS} non-empty cells, more than this tool loads; save the customer table alone as CSV"
        )),
        PushError::MemoryBudget => Error::data(format!(
            "{name}, sheet '{sheet}': the cells take more memory than a file of this size can need (a decompression bomb or a damaged file?); if the data is genuine, save the sheet as CSV"
        )),
        PushError::CellTooLong(row, col, chars) => Error::data(format!(
            "{name}, sheet '{sheet}', cell {}: the cell holds {chars} characters, more than the {MAX_CELL_CHARS} a spreadsheet cell can; the workbook is damaged or was not written by a spreadsheet",
            cell_ref(row, col)
        )),
        PushError::BeyondXfd(col) => Error::data(format!(
            "{name}, sheet '{sheet}': a cell in column {} is beyond the last column a sheet can have (XFD); the workbook is damaged",
            col + 1
        )),
        PushError::TextLimit(col) => Error::data(format!(
            "{name}, sheet '{sheet}': column {} holds more than 4 GiB of text",
            column_letters(col)
        )),
    }
}

/// Reads one sheet's non-empty cells, reporting progress and honouring
/// cancellation every [`CHECK_EVERY`] cells.
fn read_sheet(
    book: &mut Book,
    path: &Path,
    name: &str,
    sheet: &str,
    progress: &dyn Progress,
) -> Result<SheetCells> {
    let file_bytes = std::fs::metadata(path).map_or(0, |m| m.len());
    let mut cells = SheetCells::for_file(file_bytes);
    let mut buf = String::new();
    let mut seen: u64 = 0;
    let mut tick = |row: u32, last_row: u32, seen: u64| -> Result<()> {
        if seen.is_multiple_of(CHECK_EVERY) {
            if progress.is_cancelled() {
                return Err(Error::Cancelled);
            }
            let done = if last_row > 0 {
                (row as f64 / last_row as f64).min(1.0)
            } else {
                0.0
            };
            progress.report(
                0.85 * done,
                &format!("reading {name}, sheet '{sheet}': row {}", row + 1),
            );
        }
        Ok(())
    };
    let fail = |f: Failure| sheet_error(path, name, sheet, f);
    let pushed = |e: PushError| push_error(name, sheet, e);
    match book {
        Book::Xlsx(wb) => {
            let mut reader = wb
                .worksheet_cells_reader(sheet)
                .map_err(|e| fail(e.into()))?;
            let last_row = reader.dimensions().end.0;
            loop {
                match reader.next_cell() {
                    Ok(Some(cell)) => {
                        let (row, col) = cell.get_position();
                        cells
                            .push(row, col, cell.get_value().into(), &mut buf)
                            .map_err(pushed)?;
                        seen += 1;
                        tick(row, last_row, seen)?;
                    }
                    Ok(None) => break,
                    // An error value calamine does not know (#SPILL!, #CALC!,
                    // ...): the reader has consumed it and can go on.
                    Err(XlsxError::CellError(kind)) => cells.unplaced_error(kind),
                    Err(e) => return Err(fail(e.into())),
                }
            }
        }
        Book::Xlsb(wb) => {
            let mut reader = wb
                .worksheet_cells_reader(sheet)
                .map_err(|e| fail(e.into()))?;
            let last_row = reader.dimensions().end.0;
            loop {
                match reader.next_cell() {
                    Ok(Some(cell)) => {
                        let (row, col) = cell.get_position();
                        cells
                            .push(row, col, cell.get_value().into(), &mut buf)
                            .map_err(pushed)?;
                        seen += 1;
                        tick(row, last_row, seen)?;
                    }
                    Ok(None) => break,
                    Err(XlsbError::CellError(code)) => {
                        cells.unplaced_error(format!("error code {code:#04x}"))
                    }
                    Err(e) => return Err(fail(e.into())),
                }
            }
        }
        Book::Xls(wb) => {
            let range = wb.worksheet_range(sheet).map_err(|e| fail(e.into()))?;
            read_range(&range, &mut cells, &mut buf, &mut tick).map_err(|e| match e {
                RangeError::Push(p) => pushed(p),
                RangeError::Stop(e) => e,
            })?;
        }
        Book::Ods(wb) => {
            let mut on_cell = |row: u32, col: u32, value: &OdsValue| -> Result<()> {
                cells
                    .push(row, col, value.into(), &mut buf)
                    .map_err(pushed)?;
                seen += 1;
                tick(row, 0, seen)
            };
            wb.read_sheet(sheet, super::ods::repeat_budget(file_bytes), &mut on_cell)
                .map_err(|f| fail(f.into()))?;
        }
    }
    cells.finish();
    Ok(cells)
}

enum RangeError {
    Push(PushError),
    Stop(Error),
}

fn read_range(
    range: &calamine::Range<Data>,
    cells: &mut SheetCells,
    buf: &mut String,
    tick: &mut dyn FnMut(u32, u32, u64) -> Result<()>,
) -> std::result::Result<(), RangeError> {
    let Some((row0, col0)) = range.start() else {
        return Ok(());
    };
    let last_row = range.end().map_or(0, |e| e.0);
    let mut seen = 0u64;
    for (r, c, value) in range.used_cells() {
        let row = row0 + r as u32;
        cells
            .push(row, col0 + c as u32, value.into(), buf)
            .map_err(RangeError::Push)?;
        seen += 1;
        tick(row, last_row, seen).map_err(RangeError::Stop)?;
    }
    Ok(())
}

/// Excel's letters for a 0-based column index: 0 -> A, 27 -> AB.
fn column_letters(col: u32) -> String {
    let mut n = col as u64 + 1;
    let mut out = Vec::new();
    while n > 0 {
        n -= 1;
        out.push(b'A' + (n % 26) as u8);
        n /= 26;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

pub(super) fn cell_ref(row: u32, col: u32) -> String {
    format!("{}{}", column_letters(col), row as u64 + 1)
}

fn is_value_like(cell: &str) -> bool {
    parse_number(cell, NumberStyle::DotDecimal).is_some() || parse_date_token(cell).is_some()
}

#[allow(clippy::too_many_arguments)]
fn build_table(
    path: &Path,
    name: &str,
    format: Format,
    file_bytes: u64,
    sheet: &str,
    cells: SheetCells,
    opts: &LoadOptions,
    progress: &dyn Progress,
    mut warnings: Vec<String>,
) -> Result<Table> {
    let rows = &cells.rows;

    // Title rows: a single text cell above a wider table ("Customers, June").
    let mut start = 0;
    while start + 1 < rows.len() && start < MAX_TITLE_ROWS {
        let row = rows[start];
        let only = cells
            .columns
            .iter()
            .flatten()
            .filter_map(|c| c.get(row))
            .collect::<Vec<_>>();
        let title_like = only.len() == 1 && !only[0].is_empty() && !is_value_like(only[0]);
        if title_like && cells.count_in_row(rows[start + 1]) >= 2 {
            start += 1;
        } else {
            break;
        }
    }
    if start > 0 {
        let shown: Vec<String> = rows[..start].iter().map(|r| (r + 1).to_string()).collect();
        warnings.push(format!(
            "skipped {} title row{} above the table (row {})",
            start,
            if start == 1 { "" } else { "s" },
            shown.join(", ")
        ));
    }
    let first_row = rows[start];

    // Columns with any cell from the table's first row on.
    let kept: Vec<u32> = cells
        .columns
        .iter()
        .enumerate()
        .filter_map(|(j, c)| {
            c.as_ref()
                .filter(|c| c.rows.last().is_some_and(|&r| r >= first_row))
                .map(|_| j as u32)
        })
        .collect();
    let first_col = kept[0];
    let inner_empty = (kept[kept.len() - 1] - first_col + 1) as usize - kept.len();
    if inner_empty > 0 {
        let gaps: Vec<String> = kept
            .windows(2)
            .flat_map(|w| (w[0] + 1..w[1]).map(column_letters))
            .take(5)
            .collect();
        warnings.push(format!(
            "ignored {inner_empty} empty column{} ({}{})",
            if inner_empty == 1 { "" } else { "s" },
            gaps.join(", "),
            if inner_empty > 5 { ", ..." } else { "" }
        ));
    }
    for w in kept.windows(2) {
        if w[1] - w[0] > STRAY_COLUMN_GAP {
            warnings.push(format!(
                "column {} is {} columns right of the rest of the table; a stray cell?",
                column_letters(w[1]),
                w[1] - w[0] - 1
            ));
        }
    }

    let cell = |col: u32, row: u32| -> &str {
        cells.columns[col as usize]
            .as_ref()
            .and_then(|c| c.get(row))
            .unwrap_or("")
    };
    let sample: Vec<Vec<String>> = rows[start..]
        .iter()
        .take(SAMPLE_ROWS)
        .map(|&r| kept.iter().map(|&c| cell(c, r).to_string()).collect())
        .collect();
    let has_header = opts.header.unwrap_or_else(|| detect_header(&sample));
    let names = if has_header {
        let raw: Vec<String> = kept
            .iter()
            .map(|&c| match cell(c, first_row) {
                "" => format!("column_{}", column_letters(c)),
                s => s.to_string(),
            })
            .collect();
        clean_header_names(&raw)
    } else {
        kept.iter()
            .map(|&c| format!("column_{}", column_letters(c)))
            .collect()
    };
    let data_rows = &rows[start + has_header as usize..];
    if data_rows.is_empty() {
        return Err(Error::data(format!(
            "{name}, sheet '{sheet}': the sheet has a header row but no data rows"
        )));
    }
    let dense = data_rows.len() as u64 * kept.len() as u64;
    if dense > MAX_CELLS {
        return Err(Error::data(format!(
            "{name}, sheet '{sheet}': the table spans {} rows x {} columns ({dense} cells), more than the {MAX_CELLS} this tool loads; delete stray cells far from the table, or save it alone as CSV",
            data_rows.len(),
            kept.len()
        )));
    }
    let span = data_rows[data_rows.len() - 1] - data_rows[0] + 1;
    let empty_rows = span as usize - data_rows.len();
    if empty_rows > 0 {
        warnings.push(format!(
            "ignored {empty_rows} empty row{}",
            if empty_rows == 1 { "" } else { "s" }
        ));
    }
    for w in data_rows.windows(2) {
        if w[1] - w[0] > STRAY_ROW_GAP {
            warnings.push(format!(
                "row {} is {} rows below the rest of the data; a stray cell? (it is loaded as a data row)",
                w[1] + 1,
                w[1] - w[0] - 1
            ));
        }
    }
    if !has_header {
        warnings.push(format!(
            "no header row found; columns are named after their sheet columns ({}..{})",
            names[0],
            names[names.len() - 1]
        ));
    }
    let error_cells: usize = cells.errors.values().sum();
    if error_cells > 0 {
        let kinds: Vec<&str> = cells.errors.keys().map(String::as_str).collect();
        warnings.push(format!(
            "{error_cells} error cell{} ({}) read as missing{}",
            if error_cells == 1 { "" } else { "s" },
            kinds.join(", "),
            cells
                .first_error
                .map(|(r, c)| format!(", the first at {}", cell_ref(r, c)))
                .unwrap_or_default()
        ));
    }

    if progress.is_cancelled() {
        return Err(Error::Cancelled);
    }
    progress.report(0.9, &format!("typing {} columns", names.len()));
    let infer_opts = InferOptions {
        date_order: opts.date_order,
    };
    let SheetCells { mut columns, .. } = cells;
    let sparse: Vec<SparseColumn> = kept
        .iter()
        .map(|&c| columns[c as usize].take().unwrap_or_default())
        .collect();
    drop(columns);
    let typed = sparse
        .into_par_iter()
        .zip(names.par_iter())
        .map(|(col, n)| infer_column(n, densify(col, data_rows), &infer_opts))
        .collect();

    let source = SourceInfo {
        path: path.to_path_buf(),
        format: format.label().into(),
        encoding: None,
        encoding_report: None,
        delimiter: None,
        sheet: Some(sheet.to_string()),
        has_header,
        file_bytes,
        skipped_rows: 0,
        error_cells,
        warnings,
    };
    let mut table = Table::new(typed, source);
    table.row_origin = data_rows.iter().map(|&r| r.saturating_add(1)).collect();
    progress.report(1.0, &format!("loaded {} rows", table.n_rows));
    Ok(table)
}

/// One dense column over `data_rows` (both sorted), missing where the sparse
/// column has no cell.
fn densify(col: SparseColumn, data_rows: &[u32]) -> TextColumn {
    let mut out = TextColumn::with_capacity(data_rows.len(), col.bytes);
    let mut p = col.rows.partition_point(|&r| r < data_rows[0]);
    for &r in data_rows {
        while p < col.rows.len() && col.rows[p] < r {
            p += 1;
        }
        if p < col.rows.len() && col.rows[p] == r {
            // Cannot fail: the sparse column already held this text.
            let pushed = out.push(col.text.raw(p));
            debug_assert!(pushed);
            p += 1;
        } else {
            out.push_missing();
        }
    }
    out
}

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
