//! Parallel reading of large UTF-8 files.
//!
//! The file is cut into chunks at line ends that are record boundaries, each
//! chunk is parsed on a worker thread into its own column builders, and the
//! chunks are appended in file order as they arrive. The result is exactly
//! what the sequential reader (the `csv` crate) produces:
//!
//! - **Cut points.** A `\n` is a record boundary when the number of `"`
//!   before it is even (RFC 4180 quoting). One parallel pass counts the quotes
//!   of each region; a cut point is then the first such `\n` after each
//!   region's start: the chunk starts right after it, at the start of a line
//!   (never right before a UTF-8 byte-order mark, which the parser would strip
//!   at the start of a chunk).
//! - **Line numbers.** A record's line is where its first byte is: one plus
//!   the line ends before it (`\n`, `\r\n` or a lone `\r`, one each, blank
//!   lines and line breaks inside quoted fields included), as the sequential
//!   reader numbers it. Each chunk counts its own line ends; the chunks before
//!   it give the offset.
//! - **Parsing.** A record without any `"` is split on the delimiter right in
//!   the read buffer, which is what `csv_core` does with it (line ends are
//!   `\n`, `\r` or both, blank lines are skipped); a record with a quote is
//!   handed to `csv_core` itself, the parser the `csv` crate drives.
//! - **Verified cuts.** A literal quote inside an unquoted field (`ab"c`)
//!   fools the quote count. A chunk whose last record is not ended by a line
//!   end inside the chunk was cut inside a quoted field; then the whole file
//!   is read again sequentially.
//! - **Lanes.** Every chunk starts its columns in the lanes chosen from the
//!   sample. A column demoted to text in one chunk must hold the raw text of
//!   every later cell, as it would sequentially; a later chunk that kept the
//!   fast lane for it is parsed again with that column as text.
//! - **Anything unusual** (a ragged row, bytes that are not UTF-8, an odd
//!   number of quotes, a text arena overflow, an I/O error) makes
//!   [`read_chunks`] return `None`, and the caller reads the file
//!   sequentially, so errors and messages are the sequential reader's.

use super::damage::{BadCells, CutKind, CutOff};
use super::{
    AsciiBytes, LineEnds, MAX_COLUMNS, MAX_RECORD_BYTES, PROGRESS_EVERY, Parsed, RecordBytes,
    RecordOutcome, column_names, count_byte, csv_reader, push_fields, sample_lanes,
};
use crate::error::{Error, Result};
use crate::pipeline::load::lanes::{ColumnBuilder, Lane};
use crate::pipeline::progress::Progress;
use rayon::prelude::*;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Mutex, mpsc};
use std::time::Duration;

mod parse;

use parse::parse_chunk;

/// Read buffer of a chunk parser (grows for longer records).
const CHUNK_BUFFER: usize = 1 << 18;
/// Bytes read at a time while counting quotes.
const SCAN_BLOCK: usize = 1 << 20;
/// Bytes looked at, at first, for a cut point after a region's start.
const CUT_WINDOW: u64 = 1 << 16;

pub(super) struct ChunkJob<'a> {
    pub path: &'a Path,
    pub name: &'a str,
    pub file_bytes: u64,
    /// Where the records start (after a byte-order mark).
    pub start: u64,
    pub delimiter: u8,
    pub has_header: bool,
    pub sample_rows: &'a [Vec<String>],
    pub chunk_bytes: u64,
    pub workers: usize,
    pub progress: &'a dyn Progress,
}

/// Why a chunk was not read to the end.
enum Abort {
    /// Read the file sequentially instead.
    Fallback,
    Cancelled,
}

/// One parsed chunk.
struct Chunk {
    columns: Vec<ColumnBuilder>,
    /// Line of each row, counted from the chunk's start (1-based).
    lines: Vec<u32>,
    /// Line ends in the chunk (see [`LineEnds`]).
    newlines: u64,
    empty_rows: usize,
    /// The read buffer, to be reused by a later chunk.
    buf: Vec<u8>,
    /// Undecodable cells, rows and lines counted from the chunk's start.
    bad: BadCells,
    /// The last chunk's last record, cut off by the end of the file: its
    /// line (from the chunk's start) and how it is cut.
    cut: Option<(u64, CutKind)>,
}

/// Buffers of an appended chunk, handed back to the workers: a later chunk
/// that fills them writes to memory that is already mapped, where fresh
/// memory costs a page fault per 4 KiB (about a tenth of the load's time).
#[derive(Default)]
struct Spare {
    columns: Vec<ColumnBuilder>,
    lines: Vec<u32>,
    buf: Vec<u8>,
}

/// Reads the file in parallel chunks; `Ok(None)` means "read it sequentially".
pub(super) fn read_chunks(job: &ChunkJob) -> Result<Option<Parsed>> {
    if matches!(job.delimiter, b'"' | b'\n' | b'\r') {
        return Ok(None);
    }
    let Some(names) = first_record_names(job) else {
        return Ok(None);
    };
    let Some((bounds, ends_in_quote)) = cut_points(job) else {
        return Ok(None);
    };
    let lanes = sample_lanes(job.sample_rows, job.has_header, names.len());
    job.progress.report(
        0.0,
        &format!("reading {} in {} chunks", job.name, bounds.len() - 1),
    );
    let parsed = read_between(job, &bounds, names, &lanes, ends_in_quote)?;
    if parsed.is_none() {
        job.progress
            .report(0.0, &format!("reading {} again, in one pass", job.name));
    }
    Ok(parsed)
}

/// The column names, from the first record as the sequential reader reads it;
/// `None` when that reader would complain about the record.
fn first_record_names(job: &ChunkJob) -> Option<Vec<String>> {
    let mut file = File::open(job.path).ok()?;
    file.seek(SeekFrom::Start(job.start)).ok()?;
    // An overlong first record is left to the sequential reader to refuse.
    let mut reader = csv_reader(job.delimiter, file.take(MAX_RECORD_BYTES));
    let mut record = csv::ByteRecord::new();
    if !reader.read_byte_record(&mut record).ok()?
        || record.len() > MAX_COLUMNS
        || reader.position().byte() >= MAX_RECORD_BYTES
    {
        return None;
    }
    let cells = record
        .iter()
        .map(|f| std::str::from_utf8(f).ok().map(str::to_string))
        .collect::<Option<Vec<String>>>()?;
    Some(column_names(&cells, job.has_header))
}

/// Chunk boundaries: `start`, the cut points, the file's end; and whether
/// the file ends inside a quoted field (an odd number of quotes: then every
/// line end after the last quote is inside it, so the open record lies
/// whole in the last chunk). `None` when there would be a single chunk.
fn cut_points(job: &ChunkJob) -> Option<(Vec<u64>, bool)> {
    let span = job.file_bytes.checked_sub(job.start)?;
    let regions = (span / job.chunk_bytes).clamp(1, 1 << 16);
    if regions < 2 {
        return None;
    }
    let region = span / regions;
    let nominal: Vec<u64> = (0..regions)
        .map(|i| job.start + i * region)
        .chain([job.file_bytes])
        .collect();
    let quotes: Vec<u64> = (0..regions as usize)
        .into_par_iter()
        .map(|i| count_quotes(job.path, nominal[i], nominal[i + 1]))
        .collect::<Option<_>>()?;
    let ends_in_quote = quotes.iter().sum::<u64>() % 2 == 1;
    let mut parity = 0;
    let mut wanted = Vec::with_capacity(regions as usize);
    for (i, q) in quotes.iter().enumerate() {
        if i > 0 {
            wanted.push((i, parity));
        }
        parity = (parity + q) % 2;
    }
    let cuts: Vec<Option<u64>> = wanted
        .into_par_iter()
        .map(|(i, parity)| find_cut(job, nominal[i], nominal[i + 1], parity))
        .collect::<Option<_>>()?;
    let mut bounds = vec![job.start];
    bounds.extend(cuts.into_iter().flatten());
    bounds.push(job.file_bytes);
    (bounds.len() > 2).then_some((bounds, ends_in_quote))
}

fn count_quotes(path: &Path, from: u64, to: u64) -> Option<u64> {
    let mut file = File::open(path).ok()?;
    file.seek(SeekFrom::Start(from)).ok()?;
    let mut rest = file.take(to - from);
    let mut buf = vec![0u8; SCAN_BLOCK.min((to - from) as usize)];
    let mut quotes = 0;
    loop {
        let n = rest.read(&mut buf).ok()?;
        if n == 0 {
            return Some(quotes);
        }
        quotes += count_byte(&buf[..n], b'"');
    }
}

/// The first cut point in `from..to`, given the parity of the quotes before
/// `from`; `Ok(None)` if the region has none (it joins the previous chunk),
/// `None` on an I/O error.
fn find_cut(job: &ChunkJob, from: u64, to: u64, parity: u64) -> Option<Option<u64>> {
    let mut window = CUT_WINDOW;
    loop {
        // And a few bytes past the searched range: a byte-order mark may
        // follow a `\n` at its end.
        let search_end = to.min(from.saturating_add(window));
        let hi = search_end.saturating_add(4).min(job.file_bytes);
        let mut file = File::open(job.path).ok()?;
        file.seek(SeekFrom::Start(from)).ok()?;
        let mut buf = Vec::with_capacity((hi - from) as usize);
        file.take(hi - from).read_to_end(&mut buf).ok()?;
        if buf.len() as u64 != hi - from {
            return None;
        }
        let at = |pos: u64| buf[(pos - from) as usize];
        let mut quotes = parity;
        for p in from..search_end {
            let b = at(p);
            if b == b'"' {
                quotes += 1;
                continue;
            }
            if b != b'\n' || quotes % 2 == 1 {
                continue;
            }
            let cut = p + 1;
            if cut >= to || cut >= job.file_bytes {
                continue;
            }
            let bom = cut + 3 <= hi && (cut..cut + 3).map(at).eq([0xEF, 0xBB, 0xBF]);
            if !bom {
                return Some(Some(cut));
            }
        }
        if search_end >= to {
            return Some(None);
        }
        window = window.saturating_mul(4);
    }
}

/// Parses the chunks between `bounds` on worker threads and appends them in
/// order on this one.
fn read_between(
    job: &ChunkJob,
    bounds: &[u64],
    names: Vec<String>,
    lanes: &[Lane],
    ends_in_quote: bool,
) -> Result<Option<Parsed>> {
    let n = bounds.len() - 1;
    let stop = AtomicBool::new(false);
    let next = AtomicUsize::new(0);
    let appended = AtomicUsize::new(0);
    // Chunks parsed ahead of the one being appended; bounds the memory held
    // by chunks that arrive out of order.
    let ahead = job.workers + 1;
    let width = names.len();
    let (tx, rx) = mpsc::channel::<(usize, std::result::Result<Chunk, Abort>)>();
    let spares: Mutex<Vec<Spare>> = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..job.workers.min(n) {
            let tx = tx.clone();
            let (stop, next, appended, spares) = (&stop, &next, &appended, &spares);
            scope.spawn(move || {
                loop {
                    let c = next.fetch_add(1, Ordering::Relaxed);
                    if c >= n {
                        break;
                    }
                    while c >= appended.load(Ordering::Acquire) + ahead {
                        if stop.load(Ordering::Relaxed) {
                            return;
                        }
                        std::thread::sleep(Duration::from_micros(200));
                    }
                    if stop.load(Ordering::Relaxed) {
                        return;
                    }
                    let spare = spares.lock().ok().and_then(|mut s| s.pop());
                    let chunk =
                        parse_chunk(job, bounds, c, width, lanes, stop, spare, ends_in_quote);
                    if tx.send((c, chunk)).is_err() {
                        return;
                    }
                }
            });
        }
        drop(tx);
        let reading = Reading {
            job,
            bounds,
            width,
            lanes,
            stop: &stop,
            ends_in_quote,
        };
        let result = append_in_order(&reading, names, rx, &appended, &spares);
        stop.store(true, Ordering::Relaxed);
        result
    })
}

/// Receives the parsed chunks and appends them in file order; the chunks
/// that arrive early wait in `arrived`.
fn append_in_order(
    reading: &Reading,
    names: Vec<String>,
    rx: mpsc::Receiver<(usize, std::result::Result<Chunk, Abort>)>,
    appended: &AtomicUsize,
    spares: &Mutex<Vec<Spare>>,
) -> Result<Option<Parsed>> {
    let job = reading.job;
    let n = reading.bounds.len() - 1;
    let mut arrived: Vec<Option<std::result::Result<Chunk, Abort>>> =
        (0..n).map(|_| None).collect();
    let mut table = Appended::default();
    let mut done = 0usize;
    for (c, chunk) in rx.iter() {
        arrived[c] = Some(chunk);
        while done < n {
            let Some(chunk) = arrived[done].take() else {
                break;
            };
            let Some(mut chunk) = settled(chunk)? else {
                return Ok(None);
            };
            if done > 0 {
                match table.in_its_lanes(chunk, reading, done)? {
                    Some(again) => chunk = again,
                    None => return Ok(None),
                }
            }
            let Some(spare) = table.append(chunk) else {
                return Ok(None);
            };
            if let Ok(mut spares) = spares.lock() {
                spares.push(spare);
            }
            done += 1;
            appended.store(done, Ordering::Release);
            let fraction = (reading.bounds[done] - job.start) as f64 / job.file_bytes.max(1) as f64;
            job.progress.report(
                0.9 * fraction,
                &format!("reading {}: {} rows", job.name, table.row_origin.len()),
            );
        }
        if done == n {
            break;
        }
    }
    if done < n || table.row_origin.is_empty() {
        return Ok(None);
    }
    Ok(Some(table.into_parsed(job, names)))
}

/// What the workers share about the reading of one file.
struct Reading<'a> {
    job: &'a ChunkJob<'a>,
    bounds: &'a [u64],
    /// Columns of every record.
    width: usize,
    /// The lanes chosen from the sample.
    lanes: &'a [Lane],
    stop: &'a AtomicBool,
    ends_in_quote: bool,
}

/// A chunk's parse as the loader's answer: `Ok(None)` means "read the
/// file sequentially".
fn settled(chunk: std::result::Result<Chunk, Abort>) -> Result<Option<Chunk>> {
    match chunk {
        Ok(chunk) => Ok(Some(chunk)),
        Err(Abort::Fallback) => Ok(None),
        Err(Abort::Cancelled) => Err(Error::Cancelled),
    }
}

/// The table so far: the chunks appended in file order.
#[derive(Default)]
struct Appended {
    columns: Vec<ColumnBuilder>,
    row_origin: Vec<u32>,
    /// Line ends in the chunks appended so far.
    line_offset: u64,
    empty_rows: usize,
    bad_cells: BadCells,
    cut_off: Option<(u64, CutKind)>,
    /// Whether the first chunk is in.
    started: bool,
}

impl Appended {
    /// `chunk`, or chunk `c` parsed again when a column the table has
    /// demoted to text is still in a fast lane in it (a later cell must hold
    /// its raw text, as it would sequentially). `Ok(None)`: read the file
    /// sequentially.
    fn in_its_lanes(&self, chunk: Chunk, reading: &Reading, c: usize) -> Result<Option<Chunk>> {
        let text_now: Vec<Lane> = self
            .columns
            .iter()
            .zip(reading.lanes)
            .map(|(b, &lane)| {
                if b.lane() == Lane::Raw {
                    Lane::Raw
                } else {
                    lane
                }
            })
            .collect();
        let conflict = (0..reading.width)
            .any(|j| text_now[j] == Lane::Raw && chunk.columns[j].lane() != Lane::Raw);
        if !conflict {
            return Ok(Some(chunk));
        }
        settled(parse_chunk(
            reading.job,
            reading.bounds,
            c,
            reading.width,
            &text_now,
            reading.stop,
            None,
            reading.ends_in_quote,
        ))
    }

    /// Appends the next chunk in file order; returns its buffers for reuse,
    /// or `None` when a column cannot take it (read the file sequentially).
    fn append(&mut self, mut chunk: Chunk) -> Option<Spare> {
        if !self.started {
            self.started = true;
            self.columns = std::mem::take(&mut chunk.columns);
            self.row_origin = std::mem::take(&mut chunk.lines);
        } else {
            for (acc, more) in self.columns.iter_mut().zip(&mut chunk.columns) {
                if !acc.append_from(more) {
                    return None;
                }
            }
            let offset = self.line_offset;
            self.row_origin.extend(
                chunk
                    .lines
                    .iter()
                    .map(|&l| u32::try_from(l as u64 + offset).unwrap_or(u32::MAX)),
            );
        }
        let first_row = self.row_origin.len() - chunk.lines.len();
        for mut cell in std::mem::take(&mut chunk.bad.cells) {
            cell.row += first_row;
            cell.line += self.line_offset;
            self.bad_cells.cells.push(cell);
        }
        if let Some((line, kind)) = chunk.cut {
            self.cut_off = Some((line + self.line_offset, kind));
        }
        self.line_offset += chunk.newlines;
        self.empty_rows += chunk.empty_rows;
        Some(Spare {
            columns: chunk.columns,
            lines: chunk.lines,
            buf: chunk.buf,
        })
    }

    fn into_parsed(self, job: &ChunkJob, names: Vec<String>) -> Parsed {
        let line_ends = self.line_offset;
        let cut_off = self
            .cut_off
            .map(|(line, kind)| cut_at_end(job, line, line_ends, kind));
        Parsed {
            names,
            columns: self.columns,
            rows_read: self.row_origin.len(),
            row_origin: self.row_origin,
            skipped_lines: Vec::new(),
            empty_rows: self.empty_rows,
            bad_cells: self.bad_cells,
            cut_off,
            header_line: 0,
        }
    }
}

/// The last record, starting on `line`, runs to the end of the file, which
/// has `line_ends` line ends.
fn cut_at_end(job: &ChunkJob, line: u64, line_ends: u64, kind: CutKind) -> CutOff {
    // The file's last line: the last line end counts unless the file ends with it.
    let last_byte = File::open(job.path).ok().and_then(|mut f| {
        f.seek(SeekFrom::Start(job.file_bytes.checked_sub(1)?))
            .ok()?;
        let mut b = [0u8];
        f.read_exact(&mut b).ok().map(|_| b[0])
    });
    let ends_with_break = matches!(last_byte, Some(b'\n' | b'\r'));
    CutOff {
        line,
        last_line: (line_ends + u64::from(!ends_with_break)).max(line),
        kind,
    }
}
