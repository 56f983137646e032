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
    LineEnds, MAX_COLUMNS, MAX_RECORD_BYTES, PROGRESS_EVERY, Parsed, RecordBytes, RecordOutcome,
    column_names, count_byte, csv_reader, push_fields, sample_lanes,
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
        let result = append_in_order(
            job,
            bounds,
            names,
            lanes,
            rx,
            &stop,
            &appended,
            &spares,
            ends_in_quote,
        );
        stop.store(true, Ordering::Relaxed);
        result
    })
}

#[allow(clippy::too_many_arguments)]
fn append_in_order(
    job: &ChunkJob,
    bounds: &[u64],
    names: Vec<String>,
    lanes: &[Lane],
    rx: mpsc::Receiver<(usize, std::result::Result<Chunk, Abort>)>,
    stop: &AtomicBool,
    appended: &AtomicUsize,
    spares: &Mutex<Vec<Spare>>,
    ends_in_quote: bool,
) -> Result<Option<Parsed>> {
    let n = bounds.len() - 1;
    let width = names.len();
    let mut arrived: Vec<Option<std::result::Result<Chunk, Abort>>> =
        (0..n).map(|_| None).collect();
    let mut columns: Vec<ColumnBuilder> = Vec::new();
    let mut row_origin: Vec<u32> = Vec::new();
    let mut line_offset = 0u64;
    let mut empty_rows = 0usize;
    let mut bad_cells = BadCells::default();
    let mut cut_off = None;
    let mut done = 0usize;
    for (c, chunk) in rx.iter() {
        arrived[c] = Some(chunk);
        while done < n {
            let Some(chunk) = arrived[done].take() else {
                break;
            };
            let mut chunk = match chunk {
                Ok(chunk) => chunk,
                Err(Abort::Fallback) => return Ok(None),
                Err(Abort::Cancelled) => return Err(Error::Cancelled),
            };
            if done == 0 {
                columns = std::mem::take(&mut chunk.columns);
                row_origin = std::mem::take(&mut chunk.lines);
            } else {
                // Columns demoted to text before this chunk must get its raw text.
                let text_now: Vec<Lane> = columns
                    .iter()
                    .zip(lanes)
                    .map(|(b, &lane)| {
                        if b.lane() == Lane::Raw {
                            Lane::Raw
                        } else {
                            lane
                        }
                    })
                    .collect();
                let conflict = (0..width)
                    .any(|j| text_now[j] == Lane::Raw && chunk.columns[j].lane() != Lane::Raw);
                if conflict {
                    let again = parse_chunk(
                        job,
                        bounds,
                        done,
                        width,
                        &text_now,
                        stop,
                        None,
                        ends_in_quote,
                    );
                    chunk = match again {
                        Ok(chunk) => chunk,
                        Err(Abort::Fallback) => return Ok(None),
                        Err(Abort::Cancelled) => return Err(Error::Cancelled),
                    };
                }
                for (acc, more) in columns.iter_mut().zip(&mut chunk.columns) {
                    if !acc.append_from(more) {
                        return Ok(None);
                    }
                }
                row_origin.extend(
                    chunk
                        .lines
                        .iter()
                        .map(|&l| u32::try_from(l as u64 + line_offset).unwrap_or(u32::MAX)),
                );
            }
            let first_row = row_origin.len() - chunk.lines.len();
            for mut cell in std::mem::take(&mut chunk.bad.cells) {
                cell.row += first_row;
                cell.line += line_offset;
                bad_cells.cells.push(cell);
            }
            if let Some((line, kind)) = chunk.cut {
                cut_off = Some((line + line_offset, kind));
            }
            line_offset += chunk.newlines;
            empty_rows += chunk.empty_rows;
            if let Ok(mut spares) = spares.lock() {
                spares.push(Spare {
                    columns: chunk.columns,
                    lines: chunk.lines,
                    buf: chunk.buf,
                });
            }
            done += 1;
            appended.store(done, Ordering::Release);
            let fraction = (bounds[done] - job.start) as f64 / job.file_bytes.max(1) as f64;
            job.progress.report(
                0.9 * fraction,
                &format!("reading {}: {} rows", job.name, row_origin.len()),
            );
        }
        if done == n {
            break;
        }
    }
    if done < n || row_origin.is_empty() {
        return Ok(None);
    }
    let cut_off = cut_off.map(|(line, kind)| cut_at_end(job, line, line_offset, kind));
    Ok(Some(Parsed {
        names,
        columns,
        rows_read: row_origin.len(),
        row_origin,
        skipped_lines: Vec::new(),
        empty_rows,
        bad_cells,
        cut_off,
        header_line: 0,
    }))
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

/// The bytes of one chunk, read a buffer at a time.
struct Source {
    file: std::io::Take<File>,
    buf: Vec<u8>,
    /// Start of what is not parsed yet.
    pos: usize,
    /// End of what was read.
    filled: usize,
    eof: bool,
    /// `buf[..ascii_end]` is known to be ASCII (so valid UTF-8): records in
    /// it skip the per-record UTF-8 check.
    ascii_end: usize,
}

impl Source {
    /// The unparsed record of `len` bytes, as text when it lies in the part
    /// known to be ASCII.
    fn record(&self, len: usize) -> RecordBytes<'_> {
        let bytes = &self.buf[self.pos..self.pos + len];
        if self.pos + len <= self.ascii_end {
            // SAFETY: `buf[..ascii_end]` is ASCII (the invariant `read_more`
            // keeps), so this slice of it is valid UTF-8.
            RecordBytes::Ascii(unsafe { std::str::from_utf8_unchecked(bytes) })
        } else {
            RecordBytes::Unchecked(bytes)
        }
    }

    /// Reads more after the unparsed bytes (moved to the buffer's start;
    /// the buffer grows when they fill it). Sets `eof` when nothing came.
    fn read_more(&mut self) -> std::result::Result<(), Abort> {
        // `pos` is where the record being read starts: an overlong one is
        // left to the sequential reader, which names its line.
        if (self.filled - self.pos) as u64 > MAX_RECORD_BYTES {
            return Err(Abort::Fallback);
        }
        self.buf.copy_within(self.pos..self.filled, 0);
        self.filled -= self.pos;
        self.ascii_end = self.ascii_end.saturating_sub(self.pos);
        self.pos = 0;
        if self.filled == self.buf.len() {
            self.buf.resize(self.buf.len() * 2, 0);
        }
        let n = self
            .file
            .read(&mut self.buf[self.filled..])
            .map_err(|_| Abort::Fallback)?;
        // One check of the whole read (a few bytes per cycle) is much cheaper
        // than validating each record; text files are usually all ASCII.
        if self.ascii_end == self.filled && self.buf[self.filled..self.filled + n].is_ascii() {
            self.ascii_end += n;
        }
        self.filled += n;
        self.eof = n == 0;
        Ok(())
    }
}

/// Offset of the first byte of `bytes` that `special` marks (line ends, the
/// quote, the delimiter `delimiter`). On x86_64, 16 bytes are compared at a
/// time (SSE2 is part of the architecture); the rest one by one.
#[inline]
fn find_special(bytes: &[u8], special: &[bool; 256], delimiter: u8) -> Option<usize> {
    #[allow(unused_mut)]
    let mut i = 0;
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{
            __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128,
            _mm_set1_epi8,
        };
        // SAFETY: SSE2 is part of every x86_64 CPU; each load reads the 16
        // bytes at `i`, which lie inside `bytes` (the loop condition), and has
        // no alignment requirement.
        unsafe {
            let splat = |b: u8| _mm_set1_epi8(b as i8);
            let (lf, cr, quote, delim) =
                (splat(b'\n'), splat(b'\r'), splat(b'"'), splat(delimiter));
            while i + 16 <= bytes.len() {
                let v = _mm_loadu_si128(bytes.as_ptr().add(i).cast::<__m128i>());
                let hits = _mm_or_si128(
                    _mm_or_si128(_mm_cmpeq_epi8(v, lf), _mm_cmpeq_epi8(v, cr)),
                    _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, delim)),
                );
                let mask = _mm_movemask_epi8(hits) as u32;
                if mask != 0 {
                    return Some(i + mask.trailing_zeros() as usize);
                }
                i += 16;
            }
        }
    }
    let _ = delimiter;
    bytes[i..]
        .iter()
        .position(|&b| special[b as usize])
        .map(|k| i + k)
}

/// How the scan of a record without quotes ended.
enum Scan {
    /// At a line end (`\n` or `\r`), at this offset from the record's start.
    LineEnd(usize),
    /// At the end of the chunk, this many bytes after the record's start.
    EndOfInput(usize),
    /// The record has a quote: `csv_core` must read it.
    Quote,
}

/// Parses chunk `c` with its columns starting in `lanes`, in the buffers of
/// `spare` when given (and in the right lanes). The last record of the last
/// chunk, when the end of the file cuts it (inside a quoted field, or short
/// of fields on a last line without a line end), is not read but noted.
#[allow(clippy::too_many_arguments)]
fn parse_chunk(
    job: &ChunkJob,
    bounds: &[u64],
    c: usize,
    width: usize,
    lanes: &[Lane],
    stop: &AtomicBool,
    spare: Option<Spare>,
    ends_in_quote: bool,
) -> std::result::Result<Chunk, Abort> {
    let mut spare = spare.unwrap_or_default();
    let (begin, end) = (bounds[c], bounds[c + 1]);
    let last = c + 2 == bounds.len();
    let len = end - begin;
    let mut file = File::open(job.path).map_err(|_| Abort::Fallback)?;
    file.seek(SeekFrom::Start(begin))
        .map_err(|_| Abort::Fallback)?;
    let mut buf = std::mem::take(&mut spare.buf);
    buf.clear();
    buf.resize(CHUNK_BUFFER.min(len as usize + 1), 0);
    let mut src = Source {
        file: file.take(len),
        buf,
        pos: 0,
        filled: 0,
        eof: false,
        ascii_end: 0,
    };
    while src.filled < 3 && !src.eof {
        src.read_more()?;
    }
    if c == 0 && src.buf[..src.filled].starts_with(b"\xEF\xBB\xBF") {
        // A second byte-order mark: the parser would strip it; leave that to it.
        return Err(Abort::Fallback);
    }

    // The first chunk reserves room for the whole file (untouched capacity
    // costs no memory) so that later chunks are appended without moving it.
    let (rows_hint, bytes_hint) = if c == 0 {
        (
            (job.file_bytes / 64) as usize,
            (job.file_bytes as usize / width.max(1)).min(1 << 30),
        )
    } else {
        ((len / 64) as usize, len as usize / width.max(1))
    };
    let reuse = c > 0
        && spare.columns.len() == width
        && spare.columns.iter().zip(lanes).all(|(b, &l)| b.lane() == l);
    let mut columns: Vec<ColumnBuilder> = if reuse {
        spare.columns.iter_mut().for_each(ColumnBuilder::clear);
        spare.columns
    } else {
        lanes
            .iter()
            .map(|&lane| ColumnBuilder::new(lane, rows_hint, bytes_hint))
            .collect()
    };
    let mut lines: Vec<u32> = if c > 0 {
        spare.lines.clear();
        spare.lines
    } else {
        Vec::with_capacity(rows_hint)
    };
    let mut empty_rows = 0;
    let mut skip_header = c == 0 && job.has_header;

    let mut special = [false; 256];
    for b in [b'\n', b'\r', b'"', job.delimiter] {
        special[b as usize] = true;
    }
    let mut core = csv_core::ReaderBuilder::new()
        .delimiter(job.delimiter)
        .build();
    // A parser strips a byte-order mark at the start of its first read; the
    // sequential one only does at the file's start. One blank line first.
    let _ = core.read_record(b"\n", &mut [0u8; 1], &mut [0usize; 1]);
    let mut out = vec![0u8; 1 << 12];
    let mut ends = vec![0usize; width + 2];
    let mut spans: Vec<(usize, usize)> = Vec::with_capacity(width + 2);
    // The line of the next byte: 1 + the line ends before it in the chunk
    // (which starts at the start of a line).
    let mut line = 1u64;
    let mut line_ends = LineEnds::default();
    let mut bad = Vec::new();
    let mut chunk_bad = BadCells::default();
    let mut cut = None;

    loop {
        if src.pos == src.filled {
            if src.eof {
                break;
            }
            src.read_more()?;
            continue;
        }
        // Line ends where a record would start are blank lines: skipped.
        let first = src.buf[src.pos];
        if first == b'\n' || first == b'\r' {
            line += line_ends.starts(first) as u64;
            src.pos += 1;
            continue;
        }
        let this_line = line;
        spans.clear();
        let mut field = 0;
        let mut i = 0;
        let scan = loop {
            let rest = &src.buf[src.pos..src.filled];
            match find_special(&rest[i..], &special, job.delimiter) {
                Some(k) => {
                    i += k;
                    match rest[i] {
                        b'\n' | b'\r' => break Scan::LineEnd(i),
                        b'"' => break Scan::Quote,
                        _ => {
                            spans.push((field, i));
                            i += 1;
                            field = i;
                        }
                    }
                }
                None if src.eof => break Scan::EndOfInput(rest.len()),
                None => {
                    i = rest.len();
                    src.read_more()?;
                }
            }
        };
        let outcome = match scan {
            Scan::LineEnd(at) | Scan::EndOfInput(at) => {
                let at_eof = matches!(scan, Scan::EndOfInput(_));
                if at_eof && (!last || ends_in_quote) {
                    // Cut inside a quoted field after all.
                    return Err(Abort::Fallback);
                }
                spans.push((field, at));
                let record = src.record(at);
                let consumed = match scan {
                    Scan::LineEnd(_) => {
                        // After a byte that is no line end: starts one.
                        line += 1;
                        line_ends = LineEnds {
                            after_cr: src.buf[src.pos + at] == b'\r',
                        };
                        at + 1
                    }
                    _ => at,
                };
                let outcome = if skip_header {
                    None
                } else {
                    bad.clear();
                    let o = push_fields(record, &spans, width, &mut columns, false, &mut bad);
                    note_bad(
                        &mut chunk_bad,
                        &o,
                        &bad,
                        lines.len(),
                        this_line,
                        record.bytes(),
                        &spans,
                    );
                    Some(o)
                };
                src.pos += consumed;
                if at_eof && short(&outcome, spans.len(), width) {
                    cut = Some((
                        this_line,
                        CutKind::Short {
                            found: spans.len(),
                            expected: width,
                        },
                    ));
                    break;
                }
                outcome
            }
            Scan::Quote => {
                spans.clear();
                let (mut nout, mut nend) = (0, 0);
                let hit_end;
                loop {
                    let input = &src.buf[src.pos..src.filled];
                    let at_end = input.is_empty();
                    let (res, nin, o, e) =
                        core.read_record(input, &mut out[nout..], &mut ends[nend..]);
                    line += line_ends.count(&input[..nin]);
                    src.pos += nin;
                    nout += o;
                    nend += e;
                    match res {
                        csv_core::ReadRecordResult::InputEmpty => src.read_more()?,
                        csv_core::ReadRecordResult::OutputFull
                        | csv_core::ReadRecordResult::OutputEndsFull
                            if (out.len() + ends.len()) as u64 > MAX_RECORD_BYTES =>
                        {
                            return Err(Abort::Fallback);
                        }
                        csv_core::ReadRecordResult::OutputFull => {
                            out.resize(out.len() * 2, 0);
                        }
                        csv_core::ReadRecordResult::OutputEndsFull => {
                            ends.resize(ends.len() * 2, 0);
                        }
                        csv_core::ReadRecordResult::Record => {
                            if at_end && !last {
                                // Cut inside a quoted field after all.
                                return Err(Abort::Fallback);
                            }
                            hit_end = at_end;
                            break;
                        }
                        csv_core::ReadRecordResult::End => return Err(Abort::Fallback),
                    }
                }
                let mut start = 0;
                for &e in &ends[..nend] {
                    spans.push((start, e));
                    start = e;
                }
                if hit_end && ends_in_quote {
                    cut = Some((this_line, CutKind::InQuote));
                    break;
                }
                if skip_header {
                    None
                } else {
                    bad.clear();
                    let bytes = &out[..nout];
                    let o = push_fields(
                        RecordBytes::Unchecked(bytes),
                        &spans,
                        width,
                        &mut columns,
                        false,
                        &mut bad,
                    );
                    note_bad(
                        &mut chunk_bad,
                        &o,
                        &bad,
                        lines.len(),
                        this_line,
                        bytes,
                        &spans,
                    );
                    if hit_end && short(&Some(o), spans.len(), width) {
                        cut = Some((
                            this_line,
                            CutKind::Short {
                                found: spans.len(),
                                expected: width,
                            },
                        ));
                        break;
                    }
                    Some(o)
                }
            }
        };
        match outcome {
            None => skip_header = false,
            Some(RecordOutcome::Row) => {
                lines.push(u32::try_from(this_line).unwrap_or(u32::MAX));
                if lines.len().is_multiple_of(PROGRESS_EVERY) {
                    if job.progress.is_cancelled() {
                        return Err(Abort::Cancelled);
                    }
                    if stop.load(Ordering::Relaxed) {
                        return Err(Abort::Fallback);
                    }
                }
            }
            Some(RecordOutcome::Empty) => empty_rows += 1,
            Some(_) => return Err(Abort::Fallback),
        }
    }
    if last && ends_in_quote && cut.is_none() {
        // The quotes did not pair as the count said (a quote inside an
        // unquoted field): let the sequential reader judge.
        return Err(Abort::Fallback);
    }
    Ok(Chunk {
        columns,
        lines,
        newlines: line - 1,
        empty_rows,
        bad: chunk_bad,
        cut,
        buf: src.buf,
    })
}

/// Whether a record with `found` fields that `outcome` refused is short of
/// the `width` the header has.
fn short(outcome: &Option<RecordOutcome>, found: usize, width: usize) -> bool {
    matches!(outcome, Some(RecordOutcome::Ragged)) && found < width
}

/// Notes the undecodable cells of a row just added (`row` is its index in
/// the chunk).
#[allow(clippy::too_many_arguments)]
fn note_bad(
    bad_cells: &mut BadCells,
    outcome: &RecordOutcome,
    bad: &[usize],
    row: usize,
    line: u64,
    bytes: &[u8],
    spans: &[(usize, usize)],
) {
    if matches!(outcome, RecordOutcome::Row) {
        for &j in bad {
            let (a, b) = spans[j];
            bad_cells.note(row, line, j, &bytes[a..b]);
        }
    }
}
