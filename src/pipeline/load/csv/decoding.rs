//! Any encoding streamed as UTF-8 for the CSV parser, undecodable bytes
//! marked and counted.

use encoding_rs::{CoderResult, Decoder};
use std::cell::Cell;
use std::io::{self, Read};
use std::rc::Rc;

/// Streams any encoding as UTF-8. Bytes the encoding cannot decode become
/// the replacement character, counted in `replaced`; the loader then reads
/// the cells that hold one as missing and reports them with their lines.
pub(super) struct DecodingReader<R> {
    inner: R,
    decoder: Decoder,
    input: Vec<u8>,
    start: usize,
    end: usize,
    eof: bool,
    /// The decoder was told the input ended: it must not be called again.
    finished: bool,
    output: Vec<u8>,
    out_start: usize,
    out_end: usize,
    replaced: Rc<Cell<u64>>,
}

impl<R: Read> DecodingReader<R> {
    pub(super) fn new(inner: R, decoder: Decoder, _name: &str, replaced: Rc<Cell<u64>>) -> Self {
        DecodingReader {
            inner,
            decoder,
            input: vec![0; 1 << 16],
            start: 0,
            end: 0,
            eof: false,
            finished: false,
            output: vec![0; 3 * (1 << 16) + 16],
            out_start: 0,
            out_end: 0,
            replaced,
        }
    }

    fn fill(&mut self) -> io::Result<()> {
        while self.out_start == self.out_end {
            if self.finished {
                // Read again after the end (the parser does when it looks past
                // a last record ended by the end of the file).
                return Ok(());
            }
            if self.start == self.end && !self.eof {
                self.start = 0;
                self.end = self.inner.read(&mut self.input)?;
                self.eof = self.end == 0;
            }
            let (result, read, mut written, mut replaced) = self.decoder.decode_to_utf8(
                &self.input[self.start..self.end],
                &mut self.output,
                self.eof,
            );
            if self.decoder.encoding().is_single_byte() {
                let (len, marked) = mark_c1_controls(&mut self.output, written);
                written = len;
                replaced |= marked;
            }
            self.start += read;
            self.out_start = 0;
            self.out_end = written;
            if replaced {
                self.replaced.set(self.replaced.get() + 1);
            }
            if result == CoderResult::InputEmpty && self.eof {
                self.finished = true;
                return Ok(());
            }
        }
        Ok(())
    }
}

/// Single-byte code pages decode the bytes they leave undefined (0x81 in
/// windows-1252, 0x98 in windows-1251) to C1 control characters, which no
/// text holds: such a byte is stray, as an undecodable byte is in a
/// multi-byte encoding, and is marked the same way (U+FFFD) so that its
/// cell is read as missing and reported with its line. Returns the new
/// length of `out[..written]` and whether anything was marked. Each input
/// byte still takes at most 3 output bytes, which the buffer has room for.
fn mark_c1_controls(out: &mut [u8], written: usize) -> (usize, bool) {
    let is_c1 = |w: &[u8]| w[0] == 0xC2 && (0x80..=0x9F).contains(&w[1]);
    if !out[..written].windows(2).any(is_c1) {
        return (written, false);
    }
    let text = out[..written].to_vec();
    let mut n = 0;
    let mut i = 0;
    while i < text.len() {
        if i + 1 < text.len() && is_c1(&text[i..i + 2]) {
            out[n..n + 3].copy_from_slice("\u{FFFD}".as_bytes());
            n += 3;
            i += 2;
        } else {
            out[n] = text[i];
            n += 1;
            i += 1;
        }
    }
    (n, true)
}

impl<R: Read> Read for DecodingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.out_start == self.out_end {
            self.fill()?;
        }
        let n = (self.out_end - self.out_start).min(buf.len());
        buf[..n].copy_from_slice(&self.output[self.out_start..self.out_start + n]);
        self.out_start += n;
        Ok(n)
    }
}
