//! Parsing one chunk: records without quotes are split at the delimiter by
//! a fast scan, records with quotes go through `csv_core`.

use super::*;

/// The bytes of one chunk, read a buffer at a time.
pub(super) struct Source {
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
    /// The `len` bytes of the file at `path` from `begin`, in `buf`, with
    /// the first 3 read (to see a byte-order mark) unless the chunk is shorter.
    fn open(
        path: &Path,
        begin: u64,
        len: u64,
        mut buf: Vec<u8>,
    ) -> std::result::Result<Self, Abort> {
        let mut file = File::open(path).map_err(|_| Abort::Fallback)?;
        file.seek(SeekFrom::Start(begin))
            .map_err(|_| Abort::Fallback)?;
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
        Ok(src)
    }

    /// The unparsed record of `len` bytes, as text when it lies in the part
    /// known to be ASCII.
    fn record(&self, len: usize) -> RecordBytes<'_> {
        let bytes = &self.buf[self.pos..self.pos + len];
        if self.pos + len <= self.ascii_end {
            // SAFETY: `buf[..ascii_end]` is ASCII (the invariant `read_more`
            // keeps), and this slice lies within it.
            RecordBytes::Ascii(unsafe { AsciiBytes::new_unchecked(bytes) })
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
pub(super) fn find_special(bytes: &[u8], special: &[bool; 256], delimiter: u8) -> Option<usize> {
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
pub(super) enum Scan {
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
pub(super) fn parse_chunk(
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
    let mut src = Source::open(job.path, begin, len, std::mem::take(&mut spare.buf))?;
    if c == 0 && src.buf[..src.filled].starts_with(b"\xEF\xBB\xBF") {
        // A second byte-order mark: the parser would strip it; leave that to it.
        return Err(Abort::Fallback);
    }
    let (columns, lines) = chunk_builders(job, c, len, width, lanes, spare);
    let mut p = ChunkParser::new(job.delimiter, width, columns, lines);
    p.skip_header = c == 0 && job.has_header;
    p.last = last;
    p.ends_in_quote = ends_in_quote;

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
            p.line += p.line_ends.starts(first) as u64;
            src.pos += 1;
            continue;
        }
        let this_line = p.line;
        let step = match p.scan_unquoted(&mut src)? {
            (Scan::Quote, _) => p.quoted_record(&mut src, this_line)?,
            (Scan::LineEnd(at), field) => {
                p.unquoted_record(&mut src, at, false, field, this_line)?
            }
            (Scan::EndOfInput(at), field) => {
                p.unquoted_record(&mut src, at, true, field, this_line)?
            }
        };
        match step {
            Step::Cut(kind) => {
                p.cut = Some((this_line, kind));
                break;
            }
            Step::Header => p.skip_header = false,
            Step::Record(RecordOutcome::Row) => p.count_row(this_line, job, stop)?,
            Step::Record(RecordOutcome::Empty) => p.empty_rows += 1,
            Step::Record(_) => return Err(Abort::Fallback),
        }
    }
    if last && ends_in_quote && p.cut.is_none() {
        // The quotes did not pair as the count said (a quote inside an
        // unquoted field): let the sequential reader judge.
        return Err(Abort::Fallback);
    }
    Ok(Chunk {
        columns: p.columns,
        lines: p.lines,
        newlines: p.line - 1,
        empty_rows: p.empty_rows,
        bad: p.chunk_bad,
        cut: p.cut,
        buf: src.buf,
    })
}

/// The chunk's column builders and row lines: the spare ones when they are
/// in the right lanes, else new ones. The first chunk reserves room for the
/// whole file (untouched capacity costs no memory) so that later chunks are
/// appended without moving it.
pub(super) fn chunk_builders(
    job: &ChunkJob,
    c: usize,
    len: u64,
    width: usize,
    lanes: &[Lane],
    mut spare: Spare,
) -> (Vec<ColumnBuilder>, Vec<u32>) {
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
    let columns: Vec<ColumnBuilder> = if reuse {
        spare.columns.iter_mut().for_each(ColumnBuilder::clear);
        spare.columns
    } else {
        lanes
            .iter()
            .map(|&lane| ColumnBuilder::new(lane, rows_hint, bytes_hint))
            .collect()
    };
    let lines: Vec<u32> = if c > 0 {
        spare.lines.clear();
        spare.lines
    } else {
        Vec::with_capacity(rows_hint)
    };
    (columns, lines)
}

/// What one record did to the chunk.
pub(super) enum Step {
    /// It was the header, skipped.
    Header,
    Record(RecordOutcome),
    /// The end of the file cut it: noted, not read.
    Cut(CutKind),
}

/// The state of one chunk's parse: the columns filled, the line count and
/// the buffers reused from record to record.
pub(super) struct ChunkParser {
    width: usize,
    columns: Vec<ColumnBuilder>,
    lines: Vec<u32>,
    empty_rows: usize,
    skip_header: bool,
    /// The chunk is the file's last.
    last: bool,
    /// The file ends inside a quoted field (by the quote count).
    ends_in_quote: bool,
    delimiter: u8,
    /// The bytes an unquoted record stops at: line ends, quote, delimiter.
    special: [bool; 256],
    /// Reads records with quotes.
    core: csv_core::Reader,
    out: Vec<u8>,
    ends: Vec<usize>,
    /// Fields of the record being read, as byte ranges.
    spans: Vec<(usize, usize)>,
    /// The line of the next byte: 1 + the line ends before it in the chunk
    /// (which starts at the start of a line).
    line: u64,
    line_ends: LineEnds,
    /// Undecodable fields of the record being read.
    bad: Vec<usize>,
    chunk_bad: BadCells,
    cut: Option<(u64, CutKind)>,
}

impl ChunkParser {
    fn new(delimiter: u8, width: usize, columns: Vec<ColumnBuilder>, lines: Vec<u32>) -> Self {
        let mut special = [false; 256];
        for b in [b'\n', b'\r', b'"', delimiter] {
            special[b as usize] = true;
        }
        let mut core = csv_core::ReaderBuilder::new().delimiter(delimiter).build();
        // A parser strips a byte-order mark at the start of its first read; the
        // sequential one only does at the file's start. One blank line first.
        let _ = core.read_record(b"\n", &mut [0u8; 1], &mut [0usize; 1]);
        ChunkParser {
            width,
            columns,
            lines,
            empty_rows: 0,
            skip_header: false,
            last: false,
            ends_in_quote: false,
            delimiter,
            special,
            core,
            out: vec![0u8; 1 << 12],
            ends: vec![0usize; width + 2],
            spans: Vec::with_capacity(width + 2),
            line: 1,
            line_ends: LineEnds::default(),
            bad: Vec::new(),
            chunk_bad: BadCells::default(),
            cut: None,
        }
    }

    /// Scans a record for delimiters up to its line end, the end of the
    /// input, or a quote; returns how it ended and where its last field starts
    /// (both from `src.pos`).
    #[inline]
    fn scan_unquoted(&mut self, src: &mut Source) -> std::result::Result<(Scan, usize), Abort> {
        self.spans.clear();
        let mut field = 0;
        let mut i = 0;
        let scan = loop {
            let rest = &src.buf[src.pos..src.filled];
            match find_special(&rest[i..], &self.special, self.delimiter) {
                Some(k) => {
                    i += k;
                    match rest[i] {
                        b'\n' | b'\r' => break Scan::LineEnd(i),
                        b'"' => break Scan::Quote,
                        _ => {
                            self.spans.push((field, i));
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
        // `read_more` stops a record only while it grows (the buffer can hold
        // up to twice the limit): a whole over-long one is refused here, by the
        // sequential reader, which names its line.
        if i as u64 > MAX_RECORD_BYTES {
            return Err(Abort::Fallback);
        }
        Ok((scan, field))
    }

    /// Adds a record without quotes that `scan_unquoted` ended `at` a line
    /// end, or at the end of the input (`at_eof`).
    #[inline(always)]
    fn unquoted_record(
        &mut self,
        src: &mut Source,
        at: usize,
        at_eof: bool,
        field: usize,
        this_line: u64,
    ) -> std::result::Result<Step, Abort> {
        if at_eof && (!self.last || self.ends_in_quote) {
            // Cut inside a quoted field after all.
            return Err(Abort::Fallback);
        }
        self.spans.push((field, at));
        let record = src.record(at);
        let consumed = if at_eof {
            at
        } else {
            // After a byte that is no line end: starts one.
            self.line += 1;
            self.line_ends = LineEnds {
                after_cr: src.buf[src.pos + at] == b'\r',
            };
            at + 1
        };
        let outcome = if self.skip_header {
            None
        } else {
            self.bad.clear();
            let o = push_fields(
                record,
                &self.spans,
                self.width,
                &mut self.columns,
                false,
                &mut self.bad,
            );
            note_bad(
                &mut self.chunk_bad,
                &o,
                &self.bad,
                self.lines.len(),
                this_line,
                record.bytes(),
                &self.spans,
            );
            Some(o)
        };
        src.pos += consumed;
        if at_eof && short(&outcome, self.spans.len(), self.width) {
            return Ok(self.cut_short());
        }
        Ok(outcome.map_or(Step::Header, Step::Record))
    }

    /// Reads a record with quotes through `csv_core` and adds it.
    fn quoted_record(
        &mut self,
        src: &mut Source,
        this_line: u64,
    ) -> std::result::Result<Step, Abort> {
        self.spans.clear();
        let (nout, nend, hit_end) = self.read_quoted(src)?;
        let mut start = 0;
        for &e in &self.ends[..nend] {
            self.spans.push((start, e));
            start = e;
        }
        if hit_end && self.ends_in_quote {
            return Ok(Step::Cut(CutKind::InQuote));
        }
        if self.skip_header {
            return Ok(Step::Header);
        }
        self.bad.clear();
        let bytes = &self.out[..nout];
        let o = push_fields(
            RecordBytes::Unchecked(bytes),
            &self.spans,
            self.width,
            &mut self.columns,
            false,
            &mut self.bad,
        );
        note_bad(
            &mut self.chunk_bad,
            &o,
            &self.bad,
            self.lines.len(),
            this_line,
            bytes,
            &self.spans,
        );
        if hit_end && short(&Some(o), self.spans.len(), self.width) {
            return Ok(self.cut_short());
        }
        Ok(Step::Record(o))
    }

    /// Runs `csv_core` over one record into `out` and `ends`, growing them
    /// as needed; returns the bytes and field ends written and whether the
    /// record ended at the end of the input.
    fn read_quoted(
        &mut self,
        src: &mut Source,
    ) -> std::result::Result<(usize, usize, bool), Abort> {
        let (mut nout, mut nend) = (0, 0);
        loop {
            let input = &src.buf[src.pos..src.filled];
            let at_end = input.is_empty();
            let (res, nin, o, e) =
                self.core
                    .read_record(input, &mut self.out[nout..], &mut self.ends[nend..]);
            self.line += self.line_ends.count(&input[..nin]);
            src.pos += nin;
            nout += o;
            nend += e;
            match res {
                csv_core::ReadRecordResult::InputEmpty => src.read_more()?,
                csv_core::ReadRecordResult::OutputFull
                | csv_core::ReadRecordResult::OutputEndsFull
                    if (self.out.len() + self.ends.len()) as u64 > MAX_RECORD_BYTES =>
                {
                    return Err(Abort::Fallback);
                }
                csv_core::ReadRecordResult::OutputFull => {
                    self.out.resize(self.out.len() * 2, 0);
                }
                csv_core::ReadRecordResult::OutputEndsFull => {
                    self.ends.resize(self.ends.len() * 2, 0);
                }
                csv_core::ReadRecordResult::Record => {
                    if at_end && !self.last {
                        // Cut inside a quoted field after all.
                        return Err(Abort::Fallback);
                    }
                    return Ok((nout, nend, at_end));
                }
                csv_core::ReadRecordResult::End => return Err(Abort::Fallback),
            }
        }
    }

    /// The last record is short of the header's fields.
    fn cut_short(&self) -> Step {
        Step::Cut(CutKind::Short {
            found: self.spans.len(),
            expected: self.width,
        })
    }

    /// Notes the line of a row added; checks for cancel now and then.
    #[inline]
    fn count_row(
        &mut self,
        this_line: u64,
        job: &ChunkJob,
        stop: &AtomicBool,
    ) -> std::result::Result<(), Abort> {
        self.lines
            .push(u32::try_from(this_line).unwrap_or(u32::MAX));
        if self.lines.len().is_multiple_of(PROGRESS_EVERY) {
            if job.progress.is_cancelled() {
                return Err(Abort::Cancelled);
            }
            if stop.load(Ordering::Relaxed) {
                return Err(Abort::Fallback);
            }
        }
        Ok(())
    }
}

/// Whether a record with `found` fields that `outcome` refused is short of
/// the `width` the header has.
pub(super) fn short(outcome: &Option<RecordOutcome>, found: usize, width: usize) -> bool {
    matches!(outcome, Some(RecordOutcome::Ragged)) && found < width
}

/// Notes the undecodable cells of a row just added (`row` is its index in
/// the chunk).
#[allow(clippy::too_many_arguments)]
pub(super) fn note_bad(
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
