//! The typed columnar table every stage after Load works on.
//!
//! Columns are stored compactly because bank exports run to millions of rows:
//! numbers as `f64` with NaN for missing, dates as days since 1970-01-01 with
//! [`MISSING_DATE`], text in one string arena with end offsets (an empty
//! string is a missing cell).

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// Marker for a missing date cell.
pub const MISSING_DATE: i32 = i32::MIN;

/// What a column holds, as decided by type inference.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnType {
    /// Numbers (thousands separators, currency signs and percents already removed).
    Number,
    /// Yes/no values stored as 1.0 / 0.0.
    Flag,
    /// Calendar dates.
    Date,
    /// Everything else.
    Text,
}

impl ColumnType {
    pub fn name(self) -> &'static str {
        match self {
            ColumnType::Number => "number",
            ColumnType::Flag => "flag",
            ColumnType::Date => "date",
            ColumnType::Text => "text",
        }
    }
    pub fn is_numeric(self) -> bool {
        matches!(self, ColumnType::Number | ColumnType::Flag)
    }
}

/// Strings of one column in a single arena; cell `i` is `bytes[ends[i-1]..ends[i]]`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TextColumn {
    bytes: String,
    ends: Vec<u32>,
}

impl TextColumn {
    pub fn with_capacity(rows: usize, bytes: usize) -> Self {
        let t = TextColumn {
            bytes: String::with_capacity(bytes),
            ends: Vec::with_capacity(rows),
        };
        advise_huge_pages(t.bytes.as_ptr(), t.bytes.capacity());
        advise_huge_pages(t.ends.as_ptr().cast(), t.ends.capacity() * 4);
        t
    }

    /// Appends a cell. Returns `false` if the arena would pass 4 GiB, which the
    /// caller turns into an error rather than silently wrapping offsets.
    #[must_use]
    pub fn push(&mut self, value: &str) -> bool {
        if self.bytes.len() + value.len() > u32::MAX as usize {
            return false;
        }
        self.bytes.push_str(value);
        self.ends.push(self.bytes.len() as u32);
        true
    }

    /// Appends all cells of `other`. Returns `false` (and changes nothing) if
    /// the arena would pass 4 GiB.
    #[must_use]
    pub fn append(&mut self, other: &TextColumn) -> bool {
        if self.bytes.len() + other.bytes.len() > u32::MAX as usize {
            return false;
        }
        let base = self.bytes.len() as u32;
        self.bytes.push_str(&other.bytes);
        self.ends.extend(other.ends.iter().map(|&e| e + base));
        true
    }

    /// Removes all cells, keeping the allocated memory.
    pub fn clear(&mut self) {
        self.bytes.clear();
        self.ends.clear();
    }

    pub fn push_missing(&mut self) {
        self.ends.push(self.bytes.len() as u32);
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The raw cell, `""` when missing.
    pub fn raw(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.bytes[start..self.ends[i] as usize]
    }

    /// The cell, `None` when missing.
    pub fn get(&self, i: usize) -> Option<&str> {
        let s = self.raw(i);
        (!s.is_empty()).then_some(s)
    }

    pub fn iter(&self) -> impl Iterator<Item = Option<&str>> + '_ {
        (0..self.len()).map(move |i| self.get(i))
    }

    pub fn from_values<'a>(values: impl IntoIterator<Item = Option<&'a str>>) -> Self {
        let mut col = TextColumn::default();
        for v in values {
            match v {
                Some(s) => {
                    let _ = col.push(s);
                }
                None => col.push_missing(),
            }
        }
        col
    }

    /// Heap bytes used, for memory accounting.
    pub fn heap_bytes(&self) -> usize {
        self.bytes.capacity() + self.ends.capacity() * 4
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum ColumnData {
    /// NaN = missing. Also used for flags (1.0 / 0.0).
    Number(Vec<f64>),
    /// Days since 1970-01-01; [`MISSING_DATE`] = missing.
    Date(Vec<i32>),
    Text(TextColumn),
}

impl ColumnData {
    pub fn len(&self) -> usize {
        match self {
            ColumnData::Number(v) => v.len(),
            ColumnData::Date(v) => v.len(),
            ColumnData::Text(t) => t.len(),
        }
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    pub fn is_missing(&self, i: usize) -> bool {
        match self {
            ColumnData::Number(v) => v[i].is_nan(),
            ColumnData::Date(v) => v[i] == MISSING_DATE,
            ColumnData::Text(t) => t.raw(i).is_empty(),
        }
    }
    pub fn missing_count(&self) -> usize {
        match self {
            ColumnData::Number(v) => v.iter().filter(|x| x.is_nan()).count(),
            ColumnData::Date(v) => v.iter().filter(|&&x| x == MISSING_DATE).count(),
            ColumnData::Text(t) => (0..t.len()).filter(|&i| t.raw(i).is_empty()).count(),
        }
    }
    /// A cell as display text ("" when missing); dates as ISO.
    pub fn display(&self, i: usize) -> String {
        match self {
            ColumnData::Number(v) => format_number(v[i]),
            ColumnData::Date(v) => format_date(v[i]),
            ColumnData::Text(t) => t.raw(i).to_string(),
        }
    }
    pub fn heap_bytes(&self) -> usize {
        match self {
            ColumnData::Number(v) => v.capacity() * 8,
            ColumnData::Date(v) => v.capacity() * 4,
            ColumnData::Text(t) => t.heap_bytes(),
        }
    }
}

/// What inference noticed about a column; shown in the Load screen and report.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ColumnInfo {
    /// Cells that were empty or a missing-value token (NA, NULL, -, ...).
    pub missing: usize,
    /// Non-empty cells that did not fit the column's type and became missing.
    pub unparsed: usize,
    /// The first few unparsed cells: (data row index, raw value).
    pub unparsed_examples: Vec<(usize, String)>,
    /// Notes such as "percent values stored as fractions (12.5% -> 0.125)".
    pub notes: Vec<String>,
    /// A date column whose every day/month pair reads both ways (no day
    /// above 12): the order it was read in, taken from the option rather
    /// than from the data.
    #[serde(default)]
    pub date_order_guessed: Option<crate::pipeline::load::DateOrder>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Column {
    pub name: String,
    pub ctype: ColumnType,
    pub data: SharedData,
    pub info: ColumnInfo,
}

/// A column's cells, shared by the stages that do not change them: Clean
/// passes most columns on untouched, and a copy of each would cost as much
/// as the loaded table (0.6 GB at 10M customers). Changing the cells
/// (through `DerefMut`) copies them first if another stage holds them.
#[derive(Clone, Debug, PartialEq)]
pub struct SharedData(std::sync::Arc<ColumnData>);

impl std::ops::Deref for SharedData {
    type Target = ColumnData;
    fn deref(&self) -> &ColumnData {
        &self.0
    }
}

impl std::ops::DerefMut for SharedData {
    fn deref_mut(&mut self) -> &mut ColumnData {
        std::sync::Arc::make_mut(&mut self.0)
    }
}

impl From<ColumnData> for SharedData {
    fn from(data: ColumnData) -> Self {
        SharedData(std::sync::Arc::new(data))
    }
}

impl Column {
    pub fn number(name: &str, values: Vec<f64>) -> Self {
        Column {
            name: name.to_string(),
            ctype: ColumnType::Number,
            data: ColumnData::Number(values).into(),
            info: ColumnInfo::default(),
        }
    }
    pub fn date(name: &str, values: Vec<i32>) -> Self {
        Column {
            name: name.to_string(),
            ctype: ColumnType::Date,
            data: ColumnData::Date(values).into(),
            info: ColumnInfo::default(),
        }
    }
    pub fn text(name: &str, values: TextColumn) -> Self {
        Column {
            name: name.to_string(),
            ctype: ColumnType::Text,
            data: ColumnData::Text(values).into(),
            info: ColumnInfo::default(),
        }
    }
    pub fn numbers(&self) -> Option<&[f64]> {
        match &*self.data {
            ColumnData::Number(v) => Some(v),
            _ => None,
        }
    }
    pub fn dates(&self) -> Option<&[i32]> {
        match &*self.data {
            ColumnData::Date(v) => Some(v),
            _ => None,
        }
    }
    pub fn texts(&self) -> Option<&TextColumn> {
        match &*self.data {
            ColumnData::Text(t) => Some(t),
            _ => None,
        }
    }
}

/// Where the table came from and how it was read.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SourceInfo {
    pub path: PathBuf,
    /// "CSV", "XLSX", "XLS", ...
    pub format: String,
    pub encoding: Option<String>,
    /// How the encoding was decided and how sure that is (text files).
    #[serde(default)]
    pub encoding_report: Option<crate::pipeline::load::encoding::EncodingReport>,
    pub delimiter: Option<char>,
    pub sheet: Option<String>,
    pub has_header: bool,
    pub file_bytes: u64,
    /// Rows skipped by `--skip-bad-rows`.
    pub skipped_rows: usize,
    /// Excel error cells (#DIV/0!, #N/A, ...) read as missing.
    pub error_cells: usize,
    /// Everything the loader decided on the user's behalf and wants them to know.
    pub warnings: Vec<String>,
    /// Columns of a Parquet/Arrow file not read because the run does not
    /// use them (the headless projection).
    #[serde(default)]
    pub unread_columns: Vec<String>,
}

impl SourceInfo {
    /// A Parquet or Arrow file: its rows are records, not lines.
    pub fn is_columnar(&self) -> bool {
        self.format.starts_with("Parquet") || self.format.starts_with("Arrow")
    }
    pub fn file_name(&self) -> String {
        self.path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| self.path.display().to_string())
    }
}

/// A loaded table. `row_origin[i]` is the file line (CSV) or sheet row (Excel),
/// 1-based, of data row `i`, so errors can point at what the user sees.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    pub columns: Vec<Column>,
    pub n_rows: usize,
    pub row_origin: Vec<u32>,
    pub source: SourceInfo,
}

impl Table {
    pub fn new(columns: Vec<Column>, source: SourceInfo) -> Self {
        let n_rows = columns.first().map_or(0, |c| c.data.len());
        debug_assert!(columns.iter().all(|c| c.data.len() == n_rows));
        // Without better information, data row i sits on line i + 2 (after a header).
        let row_origin = (0..n_rows as u32).map(|i| i + 2).collect();
        Table {
            columns,
            n_rows,
            row_origin,
            source,
        }
    }

    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    pub fn column_index(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name == name)
    }

    pub fn names(&self) -> Vec<String> {
        self.columns.iter().map(|c| c.name.clone()).collect()
    }

    /// "line 1813" for CSV, "row 1813" for a sheet: how to point at data row `i`.
    pub fn row_label(&self, i: usize) -> String {
        let n = self.row_origin.get(i).copied().unwrap_or(i as u32 + 2);
        if self.source.sheet.is_some() || self.source.is_columnar() {
            format!("row {n}")
        } else {
            format!("line {n}")
        }
    }

    /// Approximate heap size of the data, for the memory benchmark.
    pub fn heap_bytes(&self) -> usize {
        self.columns
            .iter()
            .map(|c| c.data.heap_bytes())
            .sum::<usize>()
            + self.row_origin.len() * 4
    }
}

const EPOCH_DAYS_FROM_CE: i32 = 719_163;

/// Days since 1970-01-01 for a calendar date.
pub fn date_to_days(d: NaiveDate) -> i32 {
    d.num_days_from_ce() - EPOCH_DAYS_FROM_CE
}

/// The calendar date for days since 1970-01-01, `None` when missing.
pub fn days_to_date(days: i32) -> Option<NaiveDate> {
    if days == MISSING_DATE {
        return None;
    }
    NaiveDate::from_num_days_from_ce_opt(days.checked_add(EPOCH_DAYS_FROM_CE)?)
}

pub fn format_date(days: i32) -> String {
    days_to_date(days).map_or_else(String::new, |d| d.format("%Y-%m-%d").to_string())
}

/// Shortest exact text for a number; "" for missing.
pub fn format_number(x: f64) -> String {
    if x.is_nan() {
        String::new()
    } else if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

/// Asks the kernel to back a large, freshly reserved buffer with huge pages
/// (`MADV_HUGEPAGE`; on Linux with transparent huge pages in `madvise` mode,
/// the common default). Filling a loaded column otherwise takes one page fault
/// per 4 KiB (page faults were about a fifth of the CPU time of loading a
/// 67 MB CSV); a huge page takes one per 2 MiB. Buffers under
/// [`HUGE_PAGE_MIN`] are left alone: only reservations for a whole file are
/// that large, and a huge page only commits memory where it is written. The
/// advice is a hint: failure (or another system) changes nothing.
pub(crate) fn advise_huge_pages(ptr: *const u8, bytes: usize) {
    #[cfg(target_os = "linux")]
    {
        const PAGE: usize = 4096;
        if bytes < HUGE_PAGE_MIN {
            return;
        }
        // madvise wants a page-aligned start; the range stays inside the buffer.
        let start = (ptr as usize).next_multiple_of(PAGE);
        let end = (ptr as usize + bytes) / PAGE * PAGE;
        if end > start {
            // SAFETY: the range lies inside one live allocation of the caller;
            // MADV_HUGEPAGE changes how it is backed, never its contents.
            unsafe {
                libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_HUGEPAGE);
            }
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = (ptr, bytes);
}

/// Smallest buffer [`advise_huge_pages`] advises.
pub(crate) const HUGE_PAGE_MIN: usize = 4 << 20;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_column_distinguishes_missing_from_values() {
        let t = TextColumn::from_values([Some("a"), None, Some("客户"), Some("")]);
        assert_eq!(t.len(), 4);
        assert_eq!(t.get(0), Some("a"));
        assert_eq!(t.get(1), None);
        assert_eq!(t.get(2), Some("客户"));
        assert_eq!(t.get(3), None);
    }

    #[test]
    fn dates_round_trip_through_day_numbers() {
        let d = NaiveDate::from_ymd_opt(2024, 1, 31).unwrap();
        assert_eq!(
            date_to_days(NaiveDate::from_ymd_opt(1970, 1, 1).unwrap()),
            0
        );
        assert_eq!(days_to_date(date_to_days(d)), Some(d));
        assert_eq!(format_date(MISSING_DATE), "");
        assert_eq!(format_date(date_to_days(d)), "2024-01-31");
    }

    #[test]
    fn numbers_format_without_noise() {
        assert_eq!(format_number(12.0), "12");
        assert_eq!(format_number(-0.5), "-0.5");
        assert_eq!(format_number(f64::NAN), "");
    }
}
