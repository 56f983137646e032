//! Opening a workbook: the format decided by the file's content, the
//! container checked first, the readers' failures worded as errors.

use super::*;

pub(super) type FileReader = BufReader<File>;

/// What the workbook actually is (its content decides, not its extension).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Format {
    Xlsx,
    Xlsm,
    Xlsb,
    Xls,
    Ods,
}

impl Format {
    pub(super) fn label(self) -> &'static str {
        match self {
            Format::Xlsx => "XLSX",
            Format::Xlsm => "XLSM",
            Format::Xlsb => "XLSB",
            Format::Xls => "XLS",
            Format::Ods => "ODS",
        }
    }
}

pub(super) enum Book {
    Xlsx(Xlsx<FileReader>),
    Xlsb(Xlsb<FileReader>),
    Xls(Xls<FileReader>),
    Ods(OdsBook),
}

impl Book {
    pub(super) fn sheets(&self) -> Vec<Sheet> {
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
pub(super) enum Failure {
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

pub(super) fn password_error(name: &str) -> Error {
    Error::data(format!(
        "{name}: the workbook is password-protected; save an unprotected copy and load that"
    ))
}

/// The error for a failure while opening the workbook.
pub(super) fn open_error(path: &Path, name: &str, format: Format, failure: Failure) -> Error {
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
pub(super) fn sheet_error(path: &Path, name: &str, sheet: &str, failure: Failure) -> Error {
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

pub(super) fn check_container(
    name: &str,
    path: &Path,
    candidates: &[Format],
    file_bytes: u64,
) -> Result<()> {
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
pub(super) fn too_large(at: &str, why: &str) -> Error {
    Error::data(format!(
        "{at}: the workbook is too large to read safely: {why}; if the data is genuine, save the sheet as CSV"
    ))
}

pub(super) fn display_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

pub(super) fn read_head(path: &Path, len: u64) -> Result<Vec<u8>> {
    let file = File::open(path).map_err(|e| Error::io_path("opening", path, e))?;
    let mut head = Vec::new();
    file.take(len)
        .read_to_end(&mut head)
        .map_err(|e| Error::io_path("reading", path, e))?;
    Ok(head)
}

pub(super) enum Container {
    /// `ods_mime`: `Some(true)` an OpenDocument spreadsheet, `Some(false)`
    /// another OpenDocument file, `None` no OpenDocument mimetype.
    Zip {
        ods_mime: Option<bool>,
    },
    Ole,
    Other,
}

pub(super) fn container(head: &[u8]) -> Container {
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
pub(super) fn not_a_workbook(
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

pub(super) fn open_book(path: &Path, name: &str, candidates: &[Format]) -> Result<(Book, Format)> {
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
