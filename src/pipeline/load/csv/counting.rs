//! What the sequential reader has handed the CSV parser: bytes, quotes and
//! line ends, so that every record gets the line a text editor shows and a
//! record that runs on too long is stopped.

use super::MAX_RECORD_BYTES;
use super::damage::{CutKind, CutOff};
use std::cell::RefCell;
use std::collections::VecDeque;
use std::io::{self, Read};
use std::rc::Rc;

/// Line ends as a text editor counts them: `\n`, `\r\n` and a lone `\r`
/// (each of which ends a record) are one line end each. A line end is counted
/// at its first byte, so a `\n` right after a `\r` adds nothing.
#[derive(Clone, Copy, Default)]
pub(super) struct LineEnds {
    pub(super) after_cr: bool,
}

impl LineEnds {
    /// Whether `b`, the byte after those seen so far, starts a line end.
    #[inline]
    pub(super) fn starts(&mut self, b: u8) -> bool {
        let starts = b == b'\r' || (b == b'\n' && !self.after_cr);
        self.after_cr = b == b'\r';
        starts
    }

    /// Line ends starting in `bytes`, the bytes after those seen so far.
    pub(super) fn count(&mut self, bytes: &[u8]) -> u64 {
        bytes.iter().map(|&b| self.starts(b) as u64).sum()
    }
}

/// What the CSV parser has been given so far: bytes (for progress), double
/// quotes (an odd total means the file ends inside a quoted field, which the
/// parser accepts silently) and the line breaks, to number the records.
#[derive(Default)]
struct Tally {
    bytes: u64,
    quotes: u64,
    /// The runs of `\r` and `\n` bytes from the one holding the start of
    /// the last record numbered: one entry per run, so a run of blank lines
    /// of any length costs one.
    breaks: VecDeque<BreakRun>,
    /// Line ends before those in `breaks`.
    passed: u64,
    ends: LineEnds,
    /// The first bytes given are a UTF-8 byte-order mark (the parser strips it).
    bom: bool,
    /// Line ends in all the bytes given.
    line_ends: u64,
    /// The source has said it has no more bytes.
    eof: bool,
    /// Where the record being read starts (the parser's offset).
    record_start: u64,
    /// The parser was refused bytes: the record from `record_start` ran on
    /// past [`MAX_RECORD_BYTES`].
    overlong: bool,
}

impl Tally {
    fn see(&mut self, bytes: &[u8]) {
        if bytes.is_empty() {
            self.eof = true;
            return;
        }
        if self.bytes == 0 && bytes.starts_with(b"\xEF\xBB\xBF") {
            self.bom = true;
        }
        self.quotes += count_byte(bytes, b'"');
        for (i, &b) in bytes.iter().enumerate() {
            if b == b'\n' || b == b'\r' {
                let after_cr = match i {
                    0 => self.ends.after_cr,
                    _ => bytes[i - 1] == b'\r',
                };
                let starts = (b == b'\r' || !after_cr) as u64;
                self.line_ends += starts;
                let at = self.bytes + i as u64;
                match self.breaks.back_mut() {
                    Some(run) if run.end == at => {
                        run.end += 1;
                        run.line_ends += starts;
                    }
                    _ => self.breaks.push_back(BreakRun {
                        start: at,
                        end: at + 1,
                        line_ends: starts,
                    }),
                }
            }
        }
        if let Some(&last) = bytes.last() {
            self.ends.after_cr = last == b'\r';
        }
        self.bytes += bytes.len() as u64;
    }

    /// The line on which the record that the parser read from offset `start`
    /// (its position: where the previous record's reading stopped) begins.
    /// Only line breaks lie between the two: the rest of the previous line
    /// end and blank lines, which the parser skips; at the start, also a
    /// byte-order mark. Records must be numbered in order.
    pub(super) fn line_at(&mut self, start: u64) -> u64 {
        let first = if start == 0 && self.bom { 3 } else { start };
        // The runs before the record's first byte: those ending before
        // `first` and the one holding it (which ends where the record begins).
        while let Some(run) = self.breaks.front() {
            if run.start > first {
                break;
            }
            self.passed += run.line_ends;
            self.breaks.pop_front();
        }
        self.passed + 1
    }

    /// Where the record the parser is reading (from `record_start`) has its
    /// first byte that is not a line break: the blank lines before it are no
    /// part of it. While only line breaks have come, the end of what was seen.
    fn content_start(&self) -> u64 {
        let at = self.record_start;
        let i = self.breaks.partition_point(|run| run.end <= at);
        match self.breaks.get(i) {
            Some(run) if run.start <= at => run.end,
            _ => at,
        }
    }
}

/// Consecutive `\r` and `\n` bytes at offsets `start..end`, in which
/// `line_ends` line ends start.
#[derive(Clone, Copy)]
struct BreakRun {
    start: u64,
    end: u64,
    line_ends: u64,
}

/// A shared [`Tally`] of what a [`CountingReader`] gave the CSV parser.
#[derive(Clone, Default)]
pub(super) struct Counter(Rc<RefCell<Tally>>);

impl Counter {
    /// The next record starts at parser offset `at`.
    pub(super) fn record_starts(&self, at: u64) {
        self.0.borrow_mut().record_start = at;
    }
    pub(super) fn record_start(&self) -> u64 {
        self.0.borrow().record_start
    }
    pub(super) fn overlong(&self) -> bool {
        self.0.borrow().overlong
    }
    pub(super) fn bytes(&self) -> u64 {
        self.0.borrow().bytes
    }
    pub(super) fn quotes(&self) -> u64 {
        self.0.borrow().quotes
    }
    /// See [`Tally::line_at`].
    pub(super) fn line_at(&self, start: u64) -> u64 {
        self.0.borrow_mut().line_at(start)
    }
    /// Whether a record that ends at parser offset `end` is the last one,
    /// ended by the end of the file rather than by a line end.
    pub(super) fn is_final(&self, end: u64) -> bool {
        let t = self.0.borrow();
        t.eof && end >= t.bytes
    }
    /// The record starting on `line` runs to the end of the file.
    pub(super) fn cut_off(&self, line: u64, kind: CutKind) -> CutOff {
        let t = self.0.borrow();
        // The last line is the one after the last line end, unless nothing follows it.
        let ends_with_break = t.breaks.back().is_some_and(|run| run.end == t.bytes);
        let last_line = (t.line_ends + u64::from(!ends_with_break)).max(line);
        CutOff {
            line,
            last_line,
            kind,
        }
    }
}

/// Keeps the [`Tally`] of the bytes read through it.
pub(super) struct CountingReader<R> {
    pub(super) inner: R,
    pub(super) counter: Counter,
}

impl<R: Read> Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut tally = self.counter.0.borrow_mut();
        tally.see(&buf[..n]);
        // Counted from the record's first byte: any number of blank lines
        // may come before it (the parser skips them as it reads on).
        if tally.bytes - tally.content_start().min(tally.bytes) > MAX_RECORD_BYTES {
            tally.overlong = true;
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "record too long",
            ));
        }
        Ok(n)
    }
}

/// How many times `needle` occurs in `haystack`. Written so that it
/// vectorises: a byte-wide sum per 64 bytes (at most 64, no overflow).
pub(super) fn count_byte(haystack: &[u8], needle: u8) -> u64 {
    let mut blocks = haystack.chunks_exact(64);
    let mut total = 0u64;
    for block in &mut blocks {
        let mut n = 0u8;
        for &b in block {
            n += (b == needle) as u8;
        }
        total += n as u64;
    }
    total + blocks.remainder().iter().filter(|&&b| b == needle).count() as u64
}
