//! Reading a sheet's cells: each rendered as the text a CSV export holds,
//! stored sparsely by column within the memory budget.

use super::*;

/// A cell as calamine hands it over, from either of its value types.
pub(super) enum CellRef<'a> {
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

pub(super) enum Rendered<'a> {
    Empty,
    Text(&'a str),
    Error(String),
}

/// The text a cell stands for; `buf` holds it when it had to be formatted.
pub(super) fn render<'a>(cell: CellRef<'a>, buf: &'a mut String) -> Rendered<'a> {
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
pub(super) fn write_number(buf: &mut String, x: f64) {
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
pub(super) fn write_datetime(buf: &mut String, d: ExcelDateTime) {
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
pub(super) struct SparseColumn {
    pub(super) rows: Vec<u32>,
    pub(super) text: TextColumn,
    pub(super) bytes: usize,
    pub(super) unsorted: bool,
}

impl SparseColumn {
    /// The cell at `row`, if the column has one.
    pub(super) fn get(&self, row: u32) -> Option<&str> {
        self.rows.binary_search(&row).ok().map(|i| self.text.raw(i))
    }

    /// Puts the cells in row order (streams are row-major, so this is rare);
    /// of two cells for one row, the first is kept.
    pub(super) fn sort(&mut self) {
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
pub(super) struct SheetCells {
    /// Bytes the stored cells may take ([`guard::memory_budget`] share);
    /// 0 means no limit (tests).
    pub(super) budget: u64,
    pub(super) stored: u64,
    /// By absolute column index; `None` for columns without cells.
    pub(super) columns: Vec<Option<SparseColumn>>,
    /// Rows holding at least one cell, in order once `finish`ed.
    pub(super) rows: Vec<u32>,
    pub(super) rows_unsorted: bool,
    pub(super) cells: u64,
    /// Error cells by kind ("#DIV/0!": 3).
    pub(super) errors: BTreeMap<String, usize>,
    pub(super) first_error: Option<(u32, u32)>,
}

pub(super) enum PushError {
    CellLimit,
    /// The stored cells passed the memory budget of the file's size.
    MemoryBudget,
    /// A cell longer than Excel allows (row, column, characters).
    CellTooLong(u32, u32, usize),
    BeyondXfd(u32),
    TextLimit(u32),
}

impl SheetCells {
    pub(super) fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Cells held to a quarter of `file_bytes`'s memory budget: the table
    /// built from them takes about as much again, twice while it is typed.
    pub(super) fn for_file(file_bytes: u64) -> Self {
        SheetCells {
            budget: guard::memory_budget(file_bytes) / 4,
            ..SheetCells::default()
        }
    }

    pub(super) fn push(
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
    pub(super) fn unplaced_error(&mut self, kind: String) {
        *self.errors.entry(kind).or_default() += 1;
    }

    pub(super) fn finish(&mut self) {
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
    pub(super) fn count_in_row(&self, row: u32) -> usize {
        self.columns
            .iter()
            .flatten()
            .filter(|c| c.get(row).is_some())
            .count()
    }
}

pub(super) fn push_error(name: &str, sheet: &str, e: PushError) -> Error {
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
pub(super) fn read_sheet(
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
            wb.read_sheet(
                sheet,
                crate::pipeline::load::ods::repeat_budget(file_bytes),
                &mut on_cell,
            )
            .map_err(|f| fail(f.into()))?;
        }
    }
    cells.finish();
    Ok(cells)
}

pub(super) enum RangeError {
    Push(PushError),
    Stop(Error),
}

pub(super) fn read_range(
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
