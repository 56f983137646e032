//! OpenDocument spreadsheets (`.ods`), read straight from `content.xml`.
//!
//! calamine parses every sheet of an ODS file into a dense grid when it is
//! opened and expands `table:number-rows-repeated` /
//! `table:number-columns-repeated` into real cells: an 865-byte file can ask
//! for 7 GB and a million customers that do not exist. This reader streams
//! only the chosen sheet and hands over its non-empty cells one by one:
//!
//! - a repeated empty cell or row only moves the position (LibreOffice
//!   writes `number-columns-repeated="16384"` after every row);
//! - a repeated cell or row *with content* is expanded, but every copy
//!   beyond the cells written in the file draws on a [`repeat_budget`]
//!   derived from the file's size, and columns stop at XFD, rows at
//!   1,048,576;
//! - a cell's text is capped at [`MAX_CELL_CHARS`] while it is assembled
//!   (a `text:s` of a billion spaces is refused, not allocated);
//! - `content.xml` cannot inflate past the size its archive declares (the
//!   zip reader enforces it; [`super::guard::zip`] bounds that size).
//!
//! Values are read as calamine reads them (`office:value`, the date, time,
//! boolean and string values, else the cell's paragraphs), and error cells
//! (`calcext:value-type="error"`) are error cells, not text.

use super::guard::MAX_CELL_CHARS;
use crate::error::Error;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::QName;
use quick_xml::{Reader, XmlVersion};
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};
use zip::ZipArchive;
use zip::result::ZipError;

const MIMETYPE: &[u8] = b"application/vnd.oasis.opendocument.spreadsheet";
/// Columns and rows a sheet can have (as in LibreOffice and Excel).
const MAX_COLUMNS: u64 = 16_384;
const MAX_ROWS: u64 = 1_048_576;
/// Copies of repeated content every file may make, whatever its size...
const REPEAT_FLOOR: u64 = 100_000;
/// ...and per byte of file: identical neighbouring rows of real data are
/// few; a file that is mostly repeats of a few cells is a bomb.
const REPEAT_PER_FILE_BYTE: u64 = 16;
/// The manifest is read whole (to find encryption); real ones are a few KB.
const MAX_MANIFEST_BYTES: u64 = 16 << 20;

/// Copies of repeated cells a file of `file_bytes` may expand to.
pub fn repeat_budget(file_bytes: u64) -> u64 {
    REPEAT_FLOOR.max(file_bytes.saturating_mul(REPEAT_PER_FILE_BYTE))
}

/// One sheet of the workbook, in file order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OdsSheet {
    pub name: String,
    pub visible: bool,
}

/// A cell's value as the file gives it.
#[derive(Debug, Clone, PartialEq)]
pub enum OdsValue {
    Float(f64),
    Text(String),
    Bool(bool),
    /// `office:date-value`, ISO 8601.
    Date(String),
    /// `office:time-value`, an ISO 8601 duration.
    Duration(String),
    /// An error cell and its text (`#DIV/0!`).
    Error(String),
}

/// Why a file could not be read.
#[derive(Debug)]
pub enum OdsFailure {
    Io(std::io::Error),
    Password,
    /// Not an ODS spreadsheet (no or another mimetype, missing parts).
    NotOds(String),
    /// An ODS file whose content is broken (the reader's words).
    Damaged(String),
    /// Repeats beyond the budget, a cell beyond Excel's limits.
    TooLarge(String),
    /// The cell callback stopped the read (cancelled, a memory budget).
    Stop(Error),
}

impl From<ZipError> for OdsFailure {
    fn from(e: ZipError) -> Self {
        match e {
            ZipError::Io(e) => OdsFailure::Damaged(format!("zip error: {e}")),
            ZipError::FileNotFound => OdsFailure::NotOds("a part is missing".into()),
            other => OdsFailure::Damaged(format!("zip error: {other}")),
        }
    }
}

impl From<quick_xml::Error> for OdsFailure {
    fn from(e: quick_xml::Error) -> Self {
        OdsFailure::Damaged(format!("XML error: {e}"))
    }
}

impl From<quick_xml::events::attributes::AttrError> for OdsFailure {
    fn from(e: quick_xml::events::attributes::AttrError) -> Self {
        OdsFailure::Damaged(format!("XML error: {e}"))
    }
}

/// An opened ODS workbook: its sheets, read again for each sheet's cells.
pub struct OdsBook {
    path: PathBuf,
    pub sheets: Vec<OdsSheet>,
}

fn archive(path: &Path) -> Result<ZipArchive<BufReader<File>>, OdsFailure> {
    let file = File::open(path).map_err(OdsFailure::Io)?;
    Ok(ZipArchive::new(BufReader::new(file))?)
}

/// Runs `f` over an XML reader of `content.xml`.
fn with_content<T>(
    path: &Path,
    f: impl FnOnce(&mut Reader<BufReader<&mut dyn Read>>) -> Result<T, OdsFailure>,
) -> Result<T, OdsFailure> {
    let mut zip = archive(path)?;
    let mut part = match zip.by_name("content.xml") {
        Ok(p) => p,
        Err(ZipError::FileNotFound) => {
            return Err(OdsFailure::NotOds("it has no content.xml".into()));
        }
        Err(e) => return Err(e.into()),
    };
    let read: &mut dyn Read = &mut part;
    let mut xml = Reader::from_reader(BufReader::new(read));
    let config = xml.config_mut();
    config.check_end_names = false;
    config.trim_text(false);
    config.check_comments = false;
    config.expand_empty_elements = true;
    f(&mut xml)
}

impl OdsBook {
    /// Checks the mimetype and the manifest, and lists the sheets.
    pub fn open(path: &Path) -> Result<OdsBook, OdsFailure> {
        let mut zip = archive(path)?;
        let mut mime = Vec::new();
        match zip.by_name("mimetype") {
            Ok(part) => {
                part.take(64)
                    .read_to_end(&mut mime)
                    .map_err(OdsFailure::Io)?;
            }
            Err(ZipError::FileNotFound) => {
                return Err(OdsFailure::NotOds("it has no mimetype".into()));
            }
            Err(e) => return Err(e.into()),
        }
        if !mime.starts_with(MIMETYPE) {
            return Err(OdsFailure::NotOds("not an OpenDocument spreadsheet".into()));
        }
        match zip.by_name("META-INF/manifest.xml") {
            Ok(part) => {
                let mut manifest = Vec::new();
                part.take(MAX_MANIFEST_BYTES)
                    .read_to_end(&mut manifest)
                    .map_err(|e| OdsFailure::Damaged(format!("zip error: {e}")))?;
                if manifest.windows(15).any(|w| w == b"encryption-data") {
                    return Err(OdsFailure::Password);
                }
            }
            Err(ZipError::FileNotFound) => {
                return Err(OdsFailure::NotOds("it has no META-INF/manifest.xml".into()));
            }
            Err(e) => return Err(e.into()),
        }
        drop(zip);
        let sheets = with_content(path, list_sheets)?;
        Ok(OdsBook {
            path: path.to_path_buf(),
            sheets,
        })
    }

    /// Streams the non-empty cells of sheet `name` (row, column, value),
    /// expanding repeats within `budget` copies.
    pub fn read_sheet(
        &self,
        name: &str,
        budget: u64,
        on_cell: &mut dyn FnMut(u32, u32, &OdsValue) -> Result<(), Error>,
    ) -> Result<(), OdsFailure> {
        with_content(&self.path, |xml| {
            let mut buf = Vec::new();
            loop {
                buf.clear();
                match xml.read_event_into(&mut buf)? {
                    Event::Start(e) if e.name() == QName("table:table") => {
                        if attr(&e, "table:name")?.as_deref() == Some(name) {
                            let mut table = Table {
                                xml,
                                budget,
                                on_cell,
                                row: 0,
                            };
                            return table.read();
                        }
                        xml.read_to_end_into(QName("table:table"), &mut buf)?;
                    }
                    Event::Eof => {
                        return Err(OdsFailure::Damaged(format!("sheet '{name}' is missing")));
                    }
                    _ => {}
                }
            }
        })
    }
}

/// An attribute's unescaped value.
fn attr(e: &BytesStart<'_>, key: &str) -> Result<Option<String>, OdsFailure> {
    for a in e.attributes().with_checks(false) {
        let a = a?;
        if a.key.0 == key {
            return Ok(Some(
                a.normalized_value(XmlVersion::Implicit1_0)?.into_owned(),
            ));
        }
    }
    Ok(None)
}

/// A repeat count attribute (1 when absent); 0 or garbage is damage.
fn repeats(e: &BytesStart<'_>, key: &str) -> Result<u64, OdsFailure> {
    match attr(e, key)? {
        None => Ok(1),
        Some(v) => match v.trim().parse::<u64>() {
            Ok(n) if n > 0 => Ok(n),
            _ => Err(OdsFailure::Damaged(format!(
                "{key}=\"{}\" is not a count",
                crate::escape::excerpt(&v, 20)
            ))),
        },
    }
}

/// The sheets in file order, with visibility from their table styles.
fn list_sheets(xml: &mut Reader<BufReader<&mut dyn Read>>) -> Result<Vec<OdsSheet>, OdsFailure> {
    let mut buf = Vec::new();
    let mut hidden_styles: Vec<String> = Vec::new();
    let mut style: Option<String> = None;
    let mut sheets = Vec::new();
    loop {
        buf.clear();
        match xml.read_event_into(&mut buf)? {
            Event::Start(e) if e.name() == QName("style:style") => style = attr(&e, "style:name")?,
            Event::Start(e) if e.name() == QName("style:table-properties") => {
                if let (Some(s), Some(d)) = (&style, attr(&e, "table:display")?)
                    && d.trim() == "false"
                {
                    hidden_styles.push(s.clone());
                }
            }
            Event::Start(e) if e.name() == QName("table:table") => {
                if let Some(name) = attr(&e, "table:name")? {
                    let hidden =
                        attr(&e, "table:style-name")?.is_some_and(|s| hidden_styles.contains(&s));
                    sheets.push(OdsSheet {
                        name,
                        visible: !hidden,
                    });
                }
                xml.read_to_end_into(QName("table:table"), &mut buf)?;
            }
            Event::Eof => return Ok(sheets),
            _ => {}
        }
    }
}

/// Reading one `table:table`.
struct Table<'x, 'r, 'c> {
    xml: &'x mut Reader<BufReader<&'r mut dyn Read>>,
    budget: u64,
    on_cell: &'c mut dyn FnMut(u32, u32, &OdsValue) -> Result<(), Error>,
    /// The sheet row of the next `table:table-row`.
    row: u64,
}

impl Table<'_, '_, '_> {
    fn read(&mut self) -> Result<(), OdsFailure> {
        let mut buf = Vec::new();
        loop {
            buf.clear();
            match self.xml.read_event_into(&mut buf)? {
                Event::Start(e) if e.name() == QName("table:table-row") => {
                    let times = repeats(&e, "table:number-rows-repeated")?;
                    self.read_row(times)?;
                    self.row = self.row.saturating_add(times);
                }
                Event::End(e) if e.name() == QName("table:table") => return Ok(()),
                Event::Eof => {
                    return Err(OdsFailure::Damaged(
                        "content.xml ends inside a sheet".into(),
                    ));
                }
                _ => {}
            }
        }
    }

    /// One row element: its content cells, given once per repeat.
    fn read_row(&mut self, times: u64) -> Result<(), OdsFailure> {
        let mut buf = Vec::new();
        let mut col = 0u64;
        let mut cells: Vec<(u64, OdsValue)> = Vec::new();
        loop {
            buf.clear();
            match self.xml.read_event_into(&mut buf)? {
                Event::Start(e)
                    if e.name() == QName("table:table-cell")
                        || e.name() == QName("table:covered-table-cell") =>
                {
                    let n = repeats(&e, "table:number-columns-repeated")?;
                    let end = e.name().0.to_string();
                    let value = cell_value(self.xml, &e, &end).map_err(|f| self.at(f, col))?;
                    if let Some(value) = value {
                        if col.saturating_add(n) > MAX_COLUMNS {
                            return Err(OdsFailure::Damaged(format!(
                                "row {} has cells beyond the last column a sheet can have (XFD)",
                                self.row + 1
                            )));
                        }
                        self.spend(n - 1)?;
                        for k in 0..n {
                            cells.push((col + k, value.clone()));
                        }
                    }
                    col = col.saturating_add(n);
                }
                Event::End(e) if e.name() == QName("table:table-row") => break,
                Event::Eof => {
                    return Err(OdsFailure::Damaged("content.xml ends inside a row".into()));
                }
                _ => {}
            }
        }
        if cells.is_empty() {
            return Ok(());
        }
        if self.row.saturating_add(times) > MAX_ROWS {
            return Err(OdsFailure::Damaged(format!(
                "row {} is beyond the last row a sheet can have ({MAX_ROWS})",
                self.row.saturating_add(times)
            )));
        }
        self.spend((times - 1).saturating_mul(cells.len() as u64))?;
        for r in 0..times {
            for (c, value) in &cells {
                (self.on_cell)((self.row + r) as u32, *c as u32, value)
                    .map_err(OdsFailure::Stop)?;
            }
        }
        Ok(())
    }

    /// `f` with the cell it happened in.
    fn at(&self, f: OdsFailure, col: u64) -> OdsFailure {
        let cell = super::excel::cell_ref(
            self.row.min(u64::from(u32::MAX)) as u32,
            col.min(u64::from(u32::MAX)) as u32,
        );
        match f {
            OdsFailure::Damaged(why) => OdsFailure::Damaged(format!("cell {cell}: {why}")),
            OdsFailure::TooLarge(why) => OdsFailure::TooLarge(format!("cell {cell}: {why}")),
            other => other,
        }
    }

    /// Takes `copies` from the repeat budget.
    fn spend(&mut self, copies: u64) -> Result<(), OdsFailure> {
        if copies > self.budget {
            return Err(OdsFailure::TooLarge(format!(
                "row {} repeats its cells (table:number-rows-repeated / number-columns-repeated) into more copies than a file of this size can hold",
                self.row + 1
            )));
        }
        self.budget -= copies;
        Ok(())
    }
}

/// A cell's value from its attributes, or from its paragraphs for a string
/// or error cell; the reader ends after the cell's end tag. `None`: empty.
fn cell_value(
    xml: &mut Reader<BufReader<&mut dyn Read>>,
    e: &BytesStart<'_>,
    end: &str,
) -> Result<Option<OdsValue>, OdsFailure> {
    let mut value: Option<OdsValue> = None;
    let mut is_string = false;
    let mut is_error = false;
    for a in e.attributes().with_checks(false) {
        let a = a?;
        let text = || {
            a.normalized_value(XmlVersion::Implicit1_0)
                .map(|v| v.into_owned())
        };
        match a.key.0 {
            "office:value" if value.is_none() => {
                let v = text()?;
                let x = v.trim().parse::<f64>().map_err(|_| {
                    OdsFailure::Damaged(format!(
                        "office:value=\"{}\" is not a number",
                        crate::escape::excerpt(&v, 20)
                    ))
                })?;
                value = Some(OdsValue::Float(x));
            }
            "office:string-value" if value.is_none() => value = Some(OdsValue::Text(text()?)),
            "office:date-value" if value.is_none() => value = Some(OdsValue::Date(text()?)),
            "office:time-value" if value.is_none() => value = Some(OdsValue::Duration(text()?)),
            "office:boolean-value" if value.is_none() => {
                let v = text()?;
                value = Some(OdsValue::Bool(v == "true" || v == "TRUE"));
            }
            "office:value-type" if value.is_none() => is_string = a.value == "string",
            "calcext:value-type" => is_error = a.value == "error",
            _ => {}
        }
    }
    let from_text = (value.is_none() && is_string) || is_error;
    if !from_text {
        skip_to_end(xml, end)?;
        return Ok(value.filter(|v| !matches!(v, OdsValue::Text(t) if t.is_empty())));
    }
    let text = paragraphs(xml, end)?;
    Ok(Some(if is_error {
        OdsValue::Error(text)
    } else {
        OdsValue::Text(text)
    })
    .filter(|v| !matches!(v, OdsValue::Text(t) if t.is_empty())))
}

fn skip_to_end(xml: &mut Reader<BufReader<&mut dyn Read>>, end: &str) -> Result<(), OdsFailure> {
    let mut buf = Vec::new();
    xml.read_to_end_into(QName(end), &mut buf)?;
    Ok(())
}

/// A cell's text: its paragraphs joined by line breaks, `text:s` spaces,
/// tabs and line breaks, without annotations; at most [`MAX_CELL_CHARS`].
fn paragraphs(xml: &mut Reader<BufReader<&mut dyn Read>>, end: &str) -> Result<String, OdsFailure> {
    let mut buf = Vec::new();
    let mut s = CellText::default();
    let mut first_paragraph = true;
    loop {
        buf.clear();
        match xml.read_event_into(&mut buf)? {
            Event::Text(t) => s.push_str(&t.xml10_content())?,
            Event::CData(t) => s.push_str(&t)?,
            Event::GeneralRef(r) => {
                if let Some(x) = quick_xml::escape::resolve_xml_entity(&r) {
                    s.push_str(x)?;
                } else if let Ok(Some(c)) = r.resolve_char_ref() {
                    s.push(c, 1)?;
                }
            }
            Event::Start(e) if e.name() == QName("office:annotation") => {
                xml.read_to_end_into(QName("office:annotation"), &mut buf)?;
            }
            Event::Start(e)
                if e.name() == QName("text:p") && !std::mem::take(&mut first_paragraph) =>
            {
                s.push('\n', 1)?;
            }
            Event::Start(e) if e.name() == QName("text:s") => {
                let n = match attr(&e, "text:c")? {
                    None => 1,
                    Some(v) => v.trim().parse::<u64>().unwrap_or(u64::MAX),
                };
                s.push(' ', n)?;
            }
            Event::Start(e) if e.name() == QName("text:tab") => s.push('\t', 1)?,
            Event::Start(e) if e.name() == QName("text:line-break") => s.push('\n', 1)?,
            Event::End(e) if e.name().0 == end => return Ok(s.text),
            Event::Eof => return Err(OdsFailure::Damaged("content.xml ends inside a cell".into())),
            _ => {}
        }
    }
}

/// Text capped at [`MAX_CELL_CHARS`] characters as it grows.
#[derive(Default)]
struct CellText {
    text: String,
    chars: u64,
}

impl CellText {
    fn grow(&mut self, n: u64) -> Result<(), OdsFailure> {
        self.chars = self.chars.saturating_add(n);
        if self.chars > MAX_CELL_CHARS as u64 {
            return Err(OdsFailure::TooLarge(format!(
                "a cell holds more than {MAX_CELL_CHARS} characters, more than a spreadsheet cell can"
            )));
        }
        Ok(())
    }

    fn push_str(&mut self, s: &str) -> Result<(), OdsFailure> {
        self.grow(s.chars().count() as u64)?;
        self.text.push_str(s);
        Ok(())
    }

    fn push(&mut self, c: char, n: u64) -> Result<(), OdsFailure> {
        self.grow(n)?;
        self.text.extend(std::iter::repeat_n(c, n as usize));
        Ok(())
    }
}
