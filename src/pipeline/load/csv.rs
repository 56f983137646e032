//! Delimited text files: any delimiter, encoding and quoting found in bank
//! exports. One streaming pass stores each column's cells in an arena; the
//! columns are then typed in parallel. The file itself is never held in memory.

mod chunked;
mod counting;
mod damage;
mod decoding;

use super::LoadOptions;
use super::compressed::{self, Compression, Watch};
use super::encoding;
use super::infer::InferOptions;
use super::lanes::{ColumnBuilder, Lane, lane_for_sample};
use super::sniff::{
    DetectedEncoding, binary_signature, clean_header_names, detect_header, sample_records,
    sniff_delimiter,
};
use crate::error::{Error, Remedy, Result};
use crate::pipeline::progress::Progress;
use crate::pipeline::table::{SourceInfo, Table};
use counting::{Counter, CountingReader, LineEnds, count_byte};
use damage::{BadCells, CutKind, CutOff, bad_header};
use decoding::DecodingReader;
use encoding_rs::Encoding;
use rayon::prelude::*;
use std::cell::Cell;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;
use std::rc::Rc;

const SAMPLE_BYTES: usize = 1 << 20;
/// More columns than this is not a customer table but a mis-read file.
const MAX_COLUMNS: usize = 16_384;
/// One record (a customer's row) longer than this is not read: the parser
/// keeps a whole record and 8 bytes per field of it in memory (twice, while
/// it grows), so a line of 100 MB of delimiters took 3 GB. No customer row
/// comes near it (16,384 cells of 256 bytes), and a 4 MB cell is beyond any
/// spreadsheet's 32,767-character limit.
const MAX_RECORD_BYTES: u64 = 4 << 20;
const PROGRESS_EVERY: usize = 1 << 15;

/// How the reader divides the work. Only tests and benchmarks change it, to
/// compare the parallel reader with the sequential one.
#[doc(hidden)]
#[derive(Clone, Debug)]
pub struct ReadTuning {
    /// UTF-8 files of at least this many bytes are read in parallel chunks.
    pub parallel_min_bytes: u64,
    /// Bytes per chunk, roughly.
    pub chunk_bytes: u64,
    /// Threads reading chunks; 0 = one per core.
    pub threads: usize,
}

impl Default for ReadTuning {
    fn default() -> Self {
        ReadTuning {
            parallel_min_bytes: 4 << 20,
            chunk_bytes: 4 << 20,
            threads: 0,
        }
    }
}

impl ReadTuning {
    /// Always the single-threaded reader.
    pub fn sequential() -> Self {
        ReadTuning {
            parallel_min_bytes: u64::MAX,
            ..ReadTuning::default()
        }
    }
}

/// Loads a delimited text file (see the module docs).
pub fn load_csv(path: &Path, opts: &LoadOptions, progress: &dyn Progress) -> Result<Table> {
    load_csv_tuned(path, opts, progress, &ReadTuning::default())
}

/// [`load_csv`] with the work divided as `tuning` says; the result does not
/// depend on it.
#[doc(hidden)]
pub fn load_csv_tuned(
    path: &Path,
    opts: &LoadOptions,
    progress: &dyn Progress,
    tuning: &ReadTuning,
) -> Result<Table> {
    let name = display_name(path);
    let file_bytes = std::fs::metadata(path)
        .map_err(|e| Error::io_path("reading", path, e))?
        .len();
    let raw = read_sample(path)?;
    let compression = Compression::from_magic(&raw);
    let (sample, complete) = match compression {
        None => {
            let complete = raw.len() as u64 >= file_bytes;
            (raw, complete)
        }
        Some(c) => compressed_sample(path, &name, c, file_bytes)?,
    };
    if sample.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(Error::data(format!("{name}: the file is empty")));
    }
    if let Some(what) = binary_signature(&sample) {
        let inside = match compression {
            Some(c) => format!(" (decompressed from {})", c.name()),
            None => String::new(),
        };
        return Err(Error::data(format!(
            "{name}: this is not a delimited text file; it looks like {what}{inside}"
        )));
    }
    let forced = match &opts.encoding {
        Some(label) => Some(forced_encoding(label, &sample)?),
        None => None,
    };
    let (encoding, report) = encoding::detect(&sample, complete, forced);
    let mut table = read_with_encoding(
        path,
        &name,
        file_bytes,
        &sample,
        (complete, compression),
        encoding,
        opts,
        progress,
        tuning,
    )?;
    table.source.encoding_report = Some(report);
    Ok(table)
}

pub(crate) fn display_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

fn read_sample(path: &Path) -> Result<Vec<u8>> {
    let file = File::open(path).map_err(|e| Error::io_path("opening", path, e))?;
    let mut sample = Vec::with_capacity(SAMPLE_BYTES);
    file.take(SAMPLE_BYTES as u64)
        .read_to_end(&mut sample)
        .map_err(|e| Error::io_path("reading", path, e))?;
    Ok(sample)
}

/// The first [`SAMPLE_BYTES`] of a compressed file's text, and whether that
/// is all of it.
fn compressed_sample(
    path: &Path,
    name: &str,
    compression: Compression,
    file_bytes: u64,
) -> Result<(Vec<u8>, bool)> {
    let (reader, watch) = compressed::open(path, compression, file_bytes)?;
    let mut sample = Vec::with_capacity(SAMPLE_BYTES);
    let mut reader = reader.take(SAMPLE_BYTES as u64 + 1);
    if let Err(e) = reader.read_to_end(&mut sample) {
        return Err(match watch.failure() {
            Some(f) => f.error(name, compression, None),
            None => Error::io_path("reading", path, e),
        });
    }
    let complete = sample.len() <= SAMPLE_BYTES;
    sample.truncate(SAMPLE_BYTES);
    Ok((sample, complete))
}

fn forced_encoding(label: &str, sample: &[u8]) -> Result<DetectedEncoding> {
    let lower = label.trim().to_ascii_lowercase();
    let encoding = match lower.as_str() {
        "latin1" | "latin-1" => Some(encoding_rs::WINDOWS_1252),
        "gbk" | "gb2312" | "cp936" => Some(encoding_rs::GB18030),
        "utf16" | "utf-16" => Some(encoding_rs::UTF_16LE),
        _ => Encoding::for_label(lower.as_bytes()),
    }
    .ok_or_else(|| {
        Error::usage(format!(
            "unknown encoding '{label}' (try utf-8, gbk, gb18030, big5, latin1, windows-1252, utf-16le)"
        ))
    })?;
    // Skip a BOM that agrees with the chosen encoding.
    let bom_len = match Encoding::for_bom(sample) {
        Some((e, len)) if e == encoding => len,
        _ => 0,
    };
    Ok(DetectedEncoding { encoding, bom_len })
}

/// What one pass over the records produced, before typing.
struct Parsed {
    names: Vec<String>,
    columns: Vec<ColumnBuilder>,
    row_origin: Vec<u32>,
    skipped_lines: Vec<u64>,
    empty_rows: usize,
    rows_read: usize,
    /// Cells read as missing because their bytes could not be decoded.
    bad_cells: BadCells,
    /// The last record, cut off by the end of the file (not in the columns).
    cut_off: Option<CutOff>,
    /// The header's line when a title block above it was skipped, else 0.
    header_line: u64,
}

/// The CSV parser settings every reader of a file shares.
fn csv_reader<R: Read>(delimiter: u8, source: R) -> csv::Reader<R> {
    csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .buffer_capacity(1 << 18)
        .from_reader(source)
}

/// Column names from the first record.
fn column_names(cells: &[String], has_header: bool) -> Vec<String> {
    if has_header {
        clean_header_names(cells)
    } else {
        (1..=cells.len()).map(|j| format!("column_{j}")).collect()
    }
}

/// The fast lane of each column, from the sample rows (header excluded).
fn sample_lanes(sample_rows: &[Vec<String>], has_header: bool, width: usize) -> Vec<Lane> {
    let data_sample = if has_header {
        sample_rows.get(1..).unwrap_or(&[])
    } else {
        sample_rows
    };
    (0..width)
        .map(|j| {
            lane_for_sample(
                data_sample
                    .iter()
                    .filter_map(|r| r.get(j).map(String::as_str)),
            )
        })
        .collect()
}

/// What [`push_record`] did with a data record.
#[derive(Clone, Copy, Debug)]
enum RecordOutcome {
    /// Its cells were added to the columns (those in `bad` as missing).
    Row,
    /// Every field is blank; nothing was added.
    Empty,
    /// It has the wrong number of fields; nothing was added.
    Ragged,
    /// Column `column`'s text arena is full (earlier fields were added).
    Overflow { column: usize },
}

/// Adds one data record (the first row that is not a header included) to the
/// column builders, one trimmed cell per column. Fields that are not valid
/// UTF-8, or (with `check_replacement`) hold the decoder's replacement
/// character, are added as missing and listed in `bad`.
#[inline]
fn push_record(
    record: &csv::ByteRecord,
    width: usize,
    columns: &mut [ColumnBuilder],
    spans: &mut Vec<(usize, usize)>,
    check_replacement: bool,
    bad: &mut Vec<usize>,
) -> RecordOutcome {
    spans.clear();
    let mut start = 0;
    for field in record.iter() {
        spans.push((start, start + field.len()));
        start += field.len();
    }
    push_fields(
        RecordBytes::Unchecked(record.as_slice()),
        spans,
        width,
        columns,
        check_replacement,
        bad,
    )
}

/// The bytes of one record, and what is known of them.
#[derive(Clone, Copy)]
enum RecordBytes<'a> {
    /// Known to be ASCII, hence valid UTF-8 in every slice: no check needed.
    Ascii(AsciiBytes<'a>),
    /// Each field is checked for UTF-8.
    Unchecked(&'a [u8]),
}

impl<'a> RecordBytes<'a> {
    fn bytes(self) -> &'a [u8] {
        match self {
            RecordBytes::Ascii(s) => s.0,
            RecordBytes::Unchecked(b) => b,
        }
    }
}

/// Bytes that are all ASCII. A field is sliced out as text without the
/// UTF-8 and character-boundary checks of `&str` slicing, which cost about
/// 4% of a load's instructions when every cell paid them.
#[derive(Clone, Copy)]
struct AsciiBytes<'a>(&'a [u8]);

impl<'a> AsciiBytes<'a> {
    /// # Safety
    /// Every byte of `bytes` is below 0x80.
    unsafe fn new_unchecked(bytes: &'a [u8]) -> Self {
        debug_assert!(bytes.is_ascii());
        AsciiBytes(bytes)
    }

    /// The text of `a..b` (panics out of bounds, as slicing does).
    #[inline]
    fn field(self, a: usize, b: usize) -> &'a str {
        let bytes = &self.0[a..b];
        // SAFETY: every byte is ASCII (the constructor's contract), so any
        // slice of them is valid UTF-8.
        unsafe { std::str::from_utf8_unchecked(bytes) }
    }
}

/// [`push_record`] for a record given as the spans of its fields in `record`
/// (in order; what lies between them is ASCII, such as delimiters). An ASCII
/// record skips the UTF-8 check.
#[inline]
fn push_fields(
    record: RecordBytes,
    spans: &[(usize, usize)],
    width: usize,
    columns: &mut [ColumnBuilder],
    check_replacement: bool,
    bad: &mut Vec<usize>,
) -> RecordOutcome {
    let bytes = record.bytes();
    let blank = |&(a, b): &(usize, usize)| bytes[a..b].iter().all(u8::is_ascii_whitespace);
    let mut len = spans.len();
    // A line of only spaces or tabs is a blank line, as an empty one is.
    if len == 1 && blank(&spans[0]) {
        return RecordOutcome::Empty;
    }
    // A trailing delimiter on every line gives one extra empty field: harmless.
    if len == width + 1 && blank(&spans[width]) {
        len = width;
    }
    if len != width || width == 0 {
        return RecordOutcome::Ragged;
    }
    let spans = &spans[..width];
    if spans.iter().all(blank) {
        return RecordOutcome::Empty;
    }
    if let RecordBytes::Ascii(text) = record {
        for (j, &(a, b)) in spans.iter().enumerate() {
            if !columns[j].push(trim_cell(text.field(a, b))) {
                return RecordOutcome::Overflow { column: j };
            }
        }
        return RecordOutcome::Row;
    }
    // One UTF-8 check for the record; a field is then valid on its own when
    // both its ends fall on character boundaries.
    let lo = spans[0].0;
    let hi = spans[width - 1].1;
    let all = std::str::from_utf8(&bytes[lo..hi]).ok();
    let replaced = check_replacement && all.is_some_and(|t| t.contains('\u{FFFD}'));
    for (j, &(a, b)) in spans.iter().enumerate() {
        let text = match all.and_then(|s| s.get(a - lo..b - lo)) {
            Some(t) if replaced && t.contains('\u{FFFD}') => None,
            Some(t) => Some(t),
            None => std::str::from_utf8(&bytes[a..b]).ok(),
        };
        let text = text.unwrap_or_else(|| {
            bad.push(j);
            ""
        });
        if !columns[j].push(trim_cell(text)) {
            return RecordOutcome::Overflow { column: j };
        }
    }
    RecordOutcome::Row
}

/// `str::trim`, skipping the work when both ends are visible ASCII.
#[inline]
fn trim_cell(text: &str) -> &str {
    let b = text.as_bytes();
    match (b.first(), b.last()) {
        (Some(&f), Some(&l)) if (0x21..0x7f).contains(&f) && (0x21..0x7f).contains(&l) => text,
        _ => text.trim(),
    }
}

/// How the records of a file are laid out.
#[derive(Clone, Copy)]
struct Layout {
    encoding: DetectedEncoding,
    delimiter: u8,
    has_header: bool,
    /// Records of a bank export's title block above the table ("Account
    /// statement", "Period: ..."), skipped.
    title_records: usize,
    /// How the file's bytes are compressed, if they are.
    compression: Option<Compression>,
}

/// Delimiter and header, from the options or the decoded sample.
fn sniff_layout(
    sample: &[u8],
    complete: bool,
    encoding: DetectedEncoding,
    opts: &LoadOptions,
) -> Result<(Layout, Vec<Vec<String>>, Option<String>)> {
    let (sample_text, _) = encoding
        .encoding
        .decode_without_bom_handling(&sample[encoding.bom_len..]);
    let delimiter = match opts.delimiter {
        Some(d) if !d.is_ascii() => {
            return Err(Error::usage(format!(
                "the delimiter must be a single ASCII character, not '{d}'"
            )));
        }
        Some(d) => d as u8,
        None => sniff_delimiter(&sample_text, complete).unwrap_or(b','),
    };
    let mut sample_rows = sample_records(&sample_text, delimiter, complete, 200);
    let title_records = if opts.header == Some(false) {
        0
    } else {
        title_block(&sample_rows)
    };
    let title = (title_records > 0).then(|| {
        let first = sample_rows[0].iter().find(|c| !c.trim().is_empty());
        format!(
            "'{}'",
            crate::pipeline::excerpt::cell(first.map_or("", |c| c.trim()))
        )
    });
    sample_rows.drain(..title_records);
    let has_header = opts.header.unwrap_or_else(|| detect_header(&sample_rows));
    let layout = Layout {
        encoding,
        delimiter,
        has_header,
        title_records,
        compression: None,
    };
    Ok((layout, sample_rows, title))
}

/// Records of a title block above the table, if the sample starts with one:
/// up to 10 leading records, each with fewer fields than the table's rows,
/// above a header and a run of records that nearly all have the table's
/// width (its most common number of fields, 2 or more). Such a file could
/// not be read otherwise (the first record sets the width), so this only
/// turns an error into a table; a short header above wider data rows is no
/// title (the data row below it is not a header).
fn title_block(rows: &[Vec<String>]) -> usize {
    let mut counts: Vec<(usize, usize)> = Vec::new();
    for r in rows {
        match counts.iter_mut().find(|(w, _)| *w == r.len()) {
            Some((_, n)) => *n += 1,
            None => counts.push((r.len(), 1)),
        }
    }
    let Some(&(width, _)) = counts.iter().max_by_key(|&&(w, n)| (n, w)) else {
        return 0;
    };
    if width < 2 {
        return 0;
    }
    let Some(k) = rows.iter().take(11).position(|r| r.len() == width) else {
        return 0;
    };
    let table = &rows[k..];
    let same = table.iter().filter(|r| r.len() == width).count();
    let is_title = k > 0
        && rows[..k].iter().all(|r| r.len() < width)
        && table.len() >= 2
        && same * 10 >= table.len() * 9
        && detect_header(table);
    if is_title { k } else { 0 }
}

#[allow(clippy::too_many_arguments)]
fn read_with_encoding(
    path: &Path,
    name: &str,
    file_bytes: u64,
    sample: &[u8],
    (complete, compression): (bool, Option<Compression>),
    encoding: DetectedEncoding,
    opts: &LoadOptions,
    progress: &dyn Progress,
    tuning: &ReadTuning,
) -> Result<Table> {
    let (mut layout, sample_rows, title) = sniff_layout(sample, complete, encoding, opts)?;
    layout.compression = compression;
    let workers = if tuning.threads == 0 {
        rayon::current_num_threads()
    } else {
        tuning.threads
    };
    let mut parsed = None;
    // A title block is rare and small: the sequential reader steps over it.
    // Compressed text cannot be cut into chunks without reading it all.
    if encoding.is_utf8()
        && compression.is_none()
        && file_bytes >= tuning.parallel_min_bytes
        && workers > 1
        && layout.title_records == 0
    {
        // Any trouble in there (bad rows, odd quoting) returns `None`, and
        // the sequential reader below reads the file again and says exactly
        // what it always says.
        parsed = chunked::read_chunks(&chunked::ChunkJob {
            path,
            name,
            file_bytes,
            start: encoding.bom_len as u64,
            delimiter: layout.delimiter,
            has_header: layout.has_header,
            sample_rows: &sample_rows,
            chunk_bytes: tuning.chunk_bytes.max(1),
            workers,
            progress,
        })?;
    }
    let parsed = match parsed {
        Some(p) => p,
        None => read_sequential(path, name, file_bytes, layout, &sample_rows, opts, progress)?,
    };
    if let Some(cut) = parsed.cut_off.filter(|_| !opts.skip_bad_rows) {
        return Err(cut.error(name));
    }
    if parsed.rows_read == 0 {
        return Err(Error::data(format!(
            "{name}: the file has a header row but no data rows"
        )));
    }
    parsed
        .bad_cells
        .check(name, parsed.rows_read, encoding, &parsed.names)?;
    Ok(build_table(
        path, file_bytes, layout, title, parsed, opts, progress,
    ))
}

/// Types the columns and assembles the table with what the loader has to say.
#[allow(clippy::too_many_arguments)]
fn build_table(
    path: &Path,
    file_bytes: u64,
    layout: Layout,
    title: Option<String>,
    parsed: Parsed,
    opts: &LoadOptions,
    progress: &dyn Progress,
) -> Table {
    let Parsed {
        names,
        columns,
        row_origin,
        mut skipped_lines,
        empty_rows,
        rows_read,
        bad_cells,
        cut_off,
        header_line,
    } = parsed;

    progress.report(0.9, &format!("typing {} columns", names.len()));
    let infer_opts = InferOptions {
        date_order: opts.date_order,
    };
    let mut typed: Vec<_> = columns
        .into_par_iter()
        .zip(names.par_iter())
        .map(|(builder, n)| builder.finish(n, &infer_opts))
        .collect();
    bad_cells.mark(&mut typed, layout.encoding);

    let mut warnings = Vec::new();
    if !layout.has_header {
        warnings.push(format!(
            "no header row found; columns are named column_1..column_{}",
            names.len()
        ));
    }
    if !skipped_lines.is_empty() {
        let shown: Vec<String> = skipped_lines.iter().take(5).map(u64::to_string).collect();
        warnings.push(format!(
            "skipped {} rows with the wrong number of fields (lines {}{})",
            skipped_lines.len(),
            shown.join(", "),
            if skipped_lines.len() > 5 { ", ..." } else { "" }
        ));
    }
    if let Some(cut) = cut_off {
        warnings.push(cut.warning());
        skipped_lines.push(cut.line);
    }
    warnings.extend(bad_cells.warning(&names, layout.encoding));
    if empty_rows > 0 {
        warnings.push(format!("ignored {empty_rows} empty rows"));
    }
    if let Some(title) = title.filter(|_| header_line > 1) {
        warnings.push(format!(
            "lines 1-{} above the header (line {header_line}) are a title block, not the table \
             ({title}); they were skipped",
            header_line - 1
        ));
    }
    let format = match layout.compression {
        Some(c) => format!("CSV, {}", c.name()),
        None => "CSV".into(),
    };
    let source = SourceInfo {
        path: path.to_path_buf(),
        format,
        encoding: Some(layout.encoding.display_name()),
        encoding_report: None,
        delimiter: Some(layout.delimiter as char),
        sheet: None,
        has_header: layout.has_header,
        file_bytes,
        skipped_rows: skipped_lines.len(),
        error_cells: 0,
        warnings,
        unread_columns: Vec::new(),
    };
    let mut table = Table::new(typed, source);
    table.row_origin = row_origin;
    progress.report(1.0, &format!("loaded {rows_read} rows"));
    table
}

/// The parser's input, its [`Tally`], how many times the decoder met
/// bytes it could not decode, and the watch on a compressed file.
type Source = (Box<dyn Read>, Counter, Rc<Cell<u64>>, Watch);

/// The parser's input: the file (UTF-8, after a byte-order mark) or the file
/// decoded to UTF-8, counted by a [`Tally`]; a compressed file's text.
fn open_source(path: &Path, name: &str, layout: Layout, file_bytes: u64) -> Result<Source> {
    let encoding = layout.encoding;
    let (mut file, watch): (Box<dyn Read>, Watch) = match layout.compression {
        None => (
            Box::new(File::open(path).map_err(|e| Error::io_path("opening", path, e))?),
            Watch::default(),
        ),
        Some(c) => compressed::open(path, c, file_bytes)?,
    };
    let mut skip = [0u8; 4];
    file.read_exact(&mut skip[..encoding.bom_len])
        .map_err(|e| Error::io_path("reading", path, e))?;
    let counter = Counter::default();
    let replaced = Rc::new(Cell::new(0));
    let source: Box<dyn Read> = if encoding.is_utf8() {
        // The CSV reader buffers; no second buffer in between.
        Box::new(CountingReader {
            inner: file,
            counter: counter.clone(),
        })
    } else {
        Box::new(CountingReader {
            inner: DecodingReader::new(
                BufReader::with_capacity(1 << 16, file),
                encoding.encoding.new_decoder_without_bom_handling(),
                name,
                replaced.clone(),
            ),
            counter: counter.clone(),
        })
    };
    Ok((source, counter, replaced, watch))
}

/// Reads the records one after the other on this thread; the reference
/// behaviour, and the only reader for encodings other than UTF-8 and for
/// compressed text.
fn read_sequential(
    path: &Path,
    name: &str,
    file_bytes: u64,
    layout: Layout,
    sample_rows: &[Vec<String>],
    opts: &LoadOptions,
    progress: &dyn Progress,
) -> Result<Parsed> {
    let source = open_source(path, name, layout, file_bytes)?;
    let watch = source.3.clone();
    let result = read_records(
        source,
        name,
        file_bytes,
        layout,
        sample_rows,
        opts,
        progress,
    );
    match (result, layout.compression) {
        // Damaged compressed data can decode to text for a while (its
        // checksum is at the end): an error in that text is the damage's.
        (Err(e), Some(c)) if watch.failure().is_none() && !matches!(e, Error::Cancelled) => {
            Err(match compressed::damage(path, c, file_bytes) {
                Some(failure) => failure.error(name, c, None),
                None => e,
            })
        }
        (result, _) => result,
    }
}

/// [`read_sequential`] from an open source.
fn read_records(
    (source, stats, replaced, watch): Source,
    name: &str,
    file_bytes: u64,
    layout: Layout,
    sample_rows: &[Vec<String>],
    opts: &LoadOptions,
    progress: &dyn Progress,
) -> Result<Parsed> {
    // What the columns are sized for, and progress is measured against.
    let text_bytes = match layout.compression {
        Some(_) => compressed::expected_text_bytes(file_bytes),
        None => file_bytes,
    };
    let mut reader = csv_reader(layout.delimiter, source);
    let mut record = csv::ByteRecord::new();
    let mut spans = Vec::new();
    let mut bad = Vec::new();
    let mut p = Parsed {
        names: Vec::new(),
        columns: Vec::new(),
        row_origin: Vec::new(),
        skipped_lines: Vec::new(),
        empty_rows: 0,
        rows_read: 0,
        bad_cells: BadCells::default(),
        cut_off: None,
        header_line: 0,
    };
    let mut first = true;
    let mut title = layout.title_records;
    while reader.read_byte_record(&mut record).map_err(|e| {
        let line = || stats.line_at(stats.record_start());
        match (watch.failure(), layout.compression) {
            (Some(f), Some(c)) => f.error(name, c, Some(line())),
            _ if stats.overlong() => overlong_record(name, line()),
            _ => csv_error(name, e),
        }
    })? {
        stats.record_starts(reader.position().byte());
        if title > 0 {
            title -= 1;
            continue;
        }
        // Not `p.line()`: the parser counts `\n` bytes up to where it stopped
        // reading the previous record, which is before the `\n` of a CRLF
        // and before any blank lines; and it counts no lone `\r`.
        let line = stats.line_at(record.position().map_or(0, |p| p.byte()));
        if first {
            first = false;
            if layout.title_records > 0 {
                p.header_line = line;
            }
            start_columns(&mut p, &record, line, name, layout, sample_rows, text_bytes)?;
            if layout.has_header {
                continue;
            }
        }
        let width = p.names.len();
        // The final record, ended by the end of the file rather than a line end.
        let at_end = stats.is_final(reader.position().byte());
        if at_end && stats.quotes() % 2 == 1 {
            p.cut_off = Some(stats.cut_off(line, CutKind::InQuote));
            break;
        }
        bad.clear();
        let check = replaced.get() > 0;
        match push_record(&record, width, &mut p.columns, &mut spans, check, &mut bad) {
            RecordOutcome::Row => {}
            RecordOutcome::Empty => {
                p.empty_rows += 1;
                continue;
            }
            RecordOutcome::Ragged if at_end && record.len() < width => {
                let kind = CutKind::Short {
                    found: record.len(),
                    expected: width,
                };
                p.cut_off = Some(stats.cut_off(line, kind));
                break;
            }
            RecordOutcome::Ragged if opts.skip_bad_rows => {
                p.skipped_lines.push(line);
                continue;
            }
            RecordOutcome::Ragged => {
                return Err(Error::with_remedy(
                    format!(
                        "{name}: line {line}: expected {width} fields (as in the first row), found {}; a delimiter inside an unquoted value? Fix the row or skip such rows",
                        record.len()
                    ),
                    Remedy::SkipBadRows,
                ));
            }
            RecordOutcome::Overflow { column } => {
                return Err(Error::data(format!(
                    "{name}: column '{}' holds more than 4 GiB of text",
                    p.names[column]
                )));
            }
        }
        for &j in &bad {
            p.bad_cells
                .note(p.rows_read, line, j, record.get(j).unwrap_or_default());
        }
        p.row_origin.push(u32::try_from(line).unwrap_or(u32::MAX));
        p.rows_read += 1;
        if p.rows_read.is_multiple_of(PROGRESS_EVERY) {
            if progress.is_cancelled() {
                return Err(Error::Cancelled);
            }
            let done = match layout.compression {
                Some(_) => watch.compressed_bytes() as f64 / file_bytes.max(1) as f64,
                None => stats.bytes() as f64 / file_bytes.max(1) as f64,
            };
            progress.report(0.9 * done, &format!("reading {name}: {} rows", p.rows_read));
        }
    }
    if p.names.is_empty() {
        return Err(Error::data(format!("{name}: the file is empty")));
    }
    if p.cut_off.is_none() && stats.quotes() % 2 == 1 {
        // The header itself is the open record.
        return Err(stats.cut_off(1, CutKind::InQuote).error(name));
    }
    Ok(p)
}

/// Names the columns from the first record and sets up their builders.
fn start_columns(
    p: &mut Parsed,
    record: &csv::ByteRecord,
    line: u64,
    name: &str,
    layout: Layout,
    sample_rows: &[Vec<String>],
    file_bytes: u64,
) -> Result<()> {
    if record.len() > MAX_COLUMNS {
        return Err(Error::with_remedy(
            format!(
                "{name}: line {line} has {} fields; more than {MAX_COLUMNS} columns is not a customer table (wrong delimiter?)",
                record.len()
            ),
            Remedy::Delimiter,
        ));
    }
    let cells = record
        .iter()
        .map(|f| {
            std::str::from_utf8(f)
                .ok()
                .filter(|s| !s.contains('\u{FFFD}') || layout.encoding.is_utf8())
                .map(str::to_string)
        })
        .collect::<Option<Vec<String>>>();
    let Some(cells) = cells else {
        return Err(bad_header(name, line, record.as_slice(), layout.encoding));
    };
    let estimate = (file_bytes as usize / record.len().max(1)).min(1 << 30);
    p.columns = sample_lanes(sample_rows, layout.has_header, record.len())
        .into_iter()
        .map(|lane| ColumnBuilder::new(lane, (file_bytes / 64) as usize, estimate))
        .collect();
    p.names = column_names(&cells, layout.has_header);
    Ok(())
}

fn overlong_record(name: &str, line: u64) -> Error {
    Error::with_remedy(
        format!(
            "{name}: line {line}: a record runs on for more than {} MB, which no customer row does (a quote that never closes, a wrong delimiter, or not a table?)",
            MAX_RECORD_BYTES >> 20
        ),
        Remedy::Delimiter,
    )
}

fn csv_error(name: &str, e: csv::Error) -> Error {
    let line = e.position().map(|p| p.line());
    match e.into_kind() {
        csv::ErrorKind::Io(io) => Error::io(format!("reading {name}"), io),
        other => Error::data(format!(
            "{name}: line {}: {other:?}",
            line.map_or_else(|| "?".into(), |l| l.to_string())
        )),
    }
}
