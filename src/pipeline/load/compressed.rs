//! gzip and zstd compressed text (`.csv.gz`, `.tsv.gz`, `.csv.zst`), told by
//! the first bytes of the file whatever its name, and streamed: the text is
//! decompressed as the CSV reader asks for it, never held whole.
//!
//! A compressed file may decompress to far more than it holds (a gzip of a
//! gigabyte of one repeated row is a megabyte). The loader keeps every cell
//! of the text, so the text a file may decompress to is bounded by its size
//! on disk, as the parts of a workbook are ([`super::guard::zip`]): at most
//! [`RATIO`] times the file, and at least [`FLOOR`] whatever its size. Real
//! tables compress 3 to 20 times; a file that goes past the bound is refused
//! with its name, and the user can still decompress it and load the plain
//! file, which has no such bound.

use super::guard::size_text;
use crate::error::{Error, Result};
use std::cell::{Cell, RefCell};
use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::Path;
use std::rc::Rc;

/// Every compressed file may decompress to this whatever its size.
pub const FLOOR: u64 = 64 << 20;
/// ...and to this many times its size on disk.
pub const RATIO: u64 = 100;

/// How a file's bytes are compressed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compression {
    Gzip,
    Zstd,
}

impl Compression {
    /// The compression the first bytes of a file announce, if any.
    pub fn from_magic(head: &[u8]) -> Option<Self> {
        if head.starts_with(&[0x1F, 0x8B]) {
            Some(Compression::Gzip)
        } else if head.starts_with(&[0x28, 0xB5, 0x2F, 0xFD]) {
            Some(Compression::Zstd)
        } else {
            None
        }
    }

    /// The name users know it by.
    pub fn name(self) -> &'static str {
        match self {
            Compression::Gzip => "gzip",
            Compression::Zstd => "zstd",
        }
    }
}

/// The most text a compressed file of `file_bytes` may decompress to.
pub fn text_limit(file_bytes: u64) -> u64 {
    FLOOR.max(file_bytes.saturating_mul(RATIO))
}

/// What the text of a compressed file probably weighs, to size buffers:
/// four times the file (what tables compress by), within the limit.
pub fn expected_text_bytes(file_bytes: u64) -> u64 {
    file_bytes.saturating_mul(4).min(text_limit(file_bytes))
}

/// What stopped the decompression. The CSV parser only sees an I/O error;
/// the loader words this instead, with the file's name and line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Failure {
    /// The compressed data ends before its end mark.
    Truncated,
    /// The compressed data is not valid (the decoder's words).
    Damaged(String),
    /// The text went past [`text_limit`].
    TooLarge { limit: u64, file_bytes: u64 },
}

impl Failure {
    /// The one-line error for `name`; `line` is where the reader was, when known.
    pub fn error(&self, name: &str, compression: Compression, line: Option<u64>) -> Error {
        let what = compression.name();
        let at = line.map_or_else(String::new, |l| format!(" at line {l}"));
        match self {
            Failure::Truncated => Error::data(format!(
                "{name}: the {what} data ends early{at}: the file is cut off (an interrupted copy or download?); copy it again"
            )),
            Failure::Damaged(why) => Error::data(format!(
                "{name}: the {what} data is damaged{at} ({why}); copy the file again"
            )),
            Failure::TooLarge { limit, file_bytes } => Error::data(format!(
                "{name}: the {what} data decompresses to more than {} ({RATIO} times the file's {}, or at least {}): a decompression bomb or not a table; if the data is real, decompress it and load the plain file",
                size_text(*limit),
                size_text(*file_bytes),
                size_text(FLOOR)
            )),
        }
    }
}

#[derive(Default)]
struct WatchState {
    /// Compressed bytes read from the file so far.
    compressed: Cell<u64>,
    failure: RefCell<Option<Failure>>,
}

/// What a [`open`] stream has read from the file and why it stopped, if it did.
#[derive(Clone, Default)]
pub struct Watch(Rc<WatchState>);

impl Watch {
    /// Bytes of the file read so far (for progress).
    pub fn compressed_bytes(&self) -> u64 {
        self.0.compressed.get()
    }
    /// Why the decompression stopped, if it did.
    pub fn failure(&self) -> Option<Failure> {
        self.0.failure.borrow().clone()
    }
    fn fail(&self, failure: Failure) -> io::Error {
        *self.0.failure.borrow_mut() = Some(failure);
        io::Error::new(io::ErrorKind::InvalidData, "decompression stopped")
    }
}

/// Counts the bytes the decoder reads from the file.
struct CountedFile {
    file: File,
    watch: Watch,
}

impl Read for CountedFile {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.file.read(buf)?;
        let c = &self.watch.0.compressed;
        c.set(c.get() + n as u64);
        Ok(n)
    }
}

/// The decoder's output, stopped at the limit; its errors become a [`Failure`].
struct Bounded<D> {
    decoder: D,
    produced: u64,
    limit: u64,
    file_bytes: u64,
    watch: Watch,
}

impl<D: Read> Read for Bounded<D> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.watch.failure().is_some() {
            // Asked again after a failure: the same answer, never more text.
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "decompression stopped",
            ));
        }
        let n = match self.decoder.read(buf) {
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
                return Err(self.watch.fail(Failure::Truncated));
            }
            Err(e) => return Err(self.watch.fail(Failure::Damaged(e.to_string()))),
        };
        self.produced += n as u64;
        if self.produced > self.limit {
            return Err(self.watch.fail(Failure::TooLarge {
                limit: self.limit,
                file_bytes: self.file_bytes,
            }));
        }
        Ok(n)
    }
}

/// The decompressed text of `path`, streamed, and the [`Watch`] on it.
pub fn open(
    path: &Path,
    compression: Compression,
    file_bytes: u64,
) -> Result<(Box<dyn Read>, Watch)> {
    let file = File::open(path).map_err(|e| Error::io_path("opening", path, e))?;
    let watch = Watch::default();
    let counted = BufReader::with_capacity(
        1 << 16,
        CountedFile {
            file,
            watch: watch.clone(),
        },
    );
    let bound = |decoder| Bounded {
        decoder,
        produced: 0,
        limit: text_limit(file_bytes),
        file_bytes,
        watch: watch.clone(),
    };
    let reader: Box<dyn Read> = match compression {
        // Multi-member: `cat a.gz b.gz` and pigz/bgzip output are one text.
        Compression::Gzip => Box::new(bound(
            Box::new(flate2::bufread::MultiGzDecoder::new(counted)) as Box<dyn Read>,
        )),
        // Concatenated and skippable frames (zstd -T, pzstd) are one text too.
        Compression::Zstd => {
            let decoder = zstd::stream::read::Decoder::with_buffer(counted)
                .map_err(|e| Error::io_path("reading", path, e))?;
            Box::new(bound(Box::new(decoder) as Box<dyn Read>))
        }
    };
    Ok((reader, watch))
}

/// Why the compressed data of `path` cannot be read to its end, if it
/// cannot (read once more, the text thrown away).
pub fn damage(path: &Path, compression: Compression, file_bytes: u64) -> Option<Failure> {
    let (mut reader, watch) = open(path, compression, file_bytes).ok()?;
    let _ = io::copy(&mut reader, &mut io::sink());
    watch.failure()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(bytes).unwrap();
        e.finish().unwrap()
    }

    fn read_all(bytes: &[u8], compression: Compression) -> (io::Result<Vec<u8>>, Watch) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x");
        std::fs::write(&path, bytes).unwrap();
        let (mut r, watch) = open(&path, compression, bytes.len() as u64).unwrap();
        let mut out = Vec::new();
        let res = r.read_to_end(&mut out).map(|_| out);
        (res, watch)
    }

    #[test]
    fn magic_bytes_decide() {
        assert_eq!(
            Compression::from_magic(b"\x1f\x8b\x08"),
            Some(Compression::Gzip)
        );
        assert_eq!(
            Compression::from_magic(b"\x28\xb5\x2f\xfd\x00"),
            Some(Compression::Zstd)
        );
        assert_eq!(Compression::from_magic(b"id,age\n"), None);
        assert_eq!(Compression::from_magic(b"\x1f"), None);
    }

    #[test]
    fn members_and_frames_concatenated_are_one_text() {
        let mut two = gzip(b"a,b\n1,2\n");
        two.extend(gzip(b"3,4\n"));
        let (text, _) = read_all(&two, Compression::Gzip);
        assert_eq!(text.unwrap(), b"a,b\n1,2\n3,4\n");
        let mut z = zstd::encode_all(&b"a,b\n"[..], 1).unwrap();
        z.extend(zstd::encode_all(&b"5,6\n"[..], 3).unwrap());
        let (text, watch) = read_all(&z, Compression::Zstd);
        assert_eq!(text.unwrap(), b"a,b\n5,6\n");
        assert_eq!(watch.compressed_bytes(), z.len() as u64);
    }

    #[test]
    fn a_cut_stream_is_truncated_and_garbage_is_damaged() {
        let full = gzip(&b"id,x\n1,2\n".repeat(1000));
        let (res, watch) = read_all(&full[..full.len() / 2], Compression::Gzip);
        assert!(res.is_err());
        assert_eq!(watch.failure(), Some(Failure::Truncated));
        let z = zstd::encode_all(&b"id,x\n1,2\n".repeat(1000)[..], 3).unwrap();
        let (res, watch) = read_all(&z[..z.len() - 5], Compression::Zstd);
        assert!(res.is_err());
        assert_eq!(watch.failure(), Some(Failure::Truncated));
        let mut bad = full.clone();
        bad[20] ^= 0xFF;
        bad[21] ^= 0xFF;
        let (res, watch) = read_all(&bad, Compression::Gzip);
        assert!(res.is_err());
        assert!(
            matches!(watch.failure(), Some(Failure::Damaged(_))),
            "{:?}",
            watch.failure()
        );
    }

    #[test]
    fn the_text_is_bounded_by_the_file_size() {
        assert_eq!(text_limit(1000), FLOOR);
        assert_eq!(text_limit(10 << 20), 1000 << 20);
        let bomb = gzip(&vec![b'\n'; (FLOOR + (1 << 20)) as usize]);
        let (res, watch) = read_all(&bomb, Compression::Gzip);
        assert!(res.is_err());
        assert!(matches!(watch.failure(), Some(Failure::TooLarge { limit, .. }) if limit == FLOOR));
    }
}
