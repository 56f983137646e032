//! Safe output of one file: the one helper every writer of custseg goes
//! through (the output set in [`super::outset`], `score`, `sample`). A file
//! is written to a temporary file in its target folder (owner-only, 0600),
//! flushed to disk and renamed into place, so a reader never sees half a
//! file; a write can be cancelled (the temporary file is then removed); and
//! only a regular file is ever replaced, never a FIFO, a device, a folder or
//! a symlink.

use crate::error::{Error, Result};
use crate::pipeline::progress::Progress;
use crate::remedy::Remedy;
use sha2::{Digest, Sha256};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Prefix of every temporary file and folder custseg creates next to its
/// outputs; the process id follows, so a later run can tell a dead run's
/// leftovers from a live run's work.
pub const TEMP_PREFIX: &str = ".custseg-";

/// Bytes written between two cancel checks.
const CANCEL_CHECK_BYTES: usize = 4 << 20;

/// What is at a path custseg is asked to write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Existing {
    Nothing,
    RegularFile,
    Folder,
    /// A symlink, FIFO, socket or device node: never replaced.
    Special(&'static str),
}

impl Existing {
    pub fn of(path: &Path) -> Result<Existing> {
        let meta = match std::fs::symlink_metadata(path) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Existing::Nothing),
            Err(e) => return Err(Error::io_path("checking", path, e)),
        };
        let t = meta.file_type();
        Ok(if t.is_file() {
            Existing::RegularFile
        } else if t.is_dir() {
            Existing::Folder
        } else if t.is_symlink() {
            Existing::Special("a symbolic link")
        } else {
            Existing::Special(special_kind(&t))
        })
    }
}

#[cfg(unix)]
fn special_kind(t: &std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if t.is_fifo() {
        "a FIFO (named pipe)"
    } else if t.is_socket() {
        "a socket"
    } else if t.is_char_device() || t.is_block_device() {
        "a device node"
    } else {
        "not a regular file"
    }
}

#[cfg(not(unix))]
fn special_kind(_: &std::fs::FileType) -> &'static str {
    "not a regular file"
}

/// The check before writing one output file: a missing path is fine, an
/// existing regular file needs `force`, anything else is refused.
pub fn check_file_target(path: &Path, force: bool) -> Result<()> {
    match Existing::of(path)? {
        Existing::Nothing => Ok(()),
        Existing::RegularFile if force => Ok(()),
        Existing::RegularFile => Err(Error::usage_with_remedy(
            format!("{} already exists", path.display()),
            Remedy::Force,
        )),
        Existing::Folder => Err(Error::usage(format!(
            "{} is a folder; give a file name",
            path.display()
        ))),
        Existing::Special(what) => Err(Error::usage(format!(
            "{} is {what}; custseg only ever replaces regular files, so give another file name",
            path.display()
        ))),
    }
}

/// Temporary files and folders being written now, removed by
/// [`abandon_in_flight`] when the process must stop at once (a second
/// Ctrl-C): nothing half-written outlives the process.
static IN_FLIGHT: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Registers `path` as in flight until the guard is dropped.
pub(crate) struct InFlight(PathBuf);

impl InFlight {
    pub(crate) fn new(path: PathBuf) -> InFlight {
        IN_FLIGHT
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(path.clone());
        InFlight(path)
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        let mut list = IN_FLIGHT.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(i) = list.iter().position(|p| *p == self.0) {
            list.swap_remove(i);
        }
    }
}

/// Removes every temporary file or staging folder still being written
/// (best effort; used just before the process exits on a signal).
pub fn abandon_in_flight() {
    let list = std::mem::take(&mut *IN_FLIGHT.lock().unwrap_or_else(|e| e.into_inner()));
    for path in list {
        match std::fs::symlink_metadata(&path) {
            Ok(m) if m.is_dir() => {
                let _ = std::fs::remove_dir_all(&path);
            }
            Ok(_) => {
                let _ = std::fs::remove_file(&path);
            }
            Err(_) => {}
        }
    }
}

/// A writer that hashes what passes through it, counts the bytes and stops
/// with an error when the work is cancelled.
pub(crate) struct Hashing<'a, W: Write> {
    inner: W,
    hasher: Sha256,
    bytes: u64,
    since_check: usize,
    progress: &'a dyn Progress,
}

impl<'a, W: Write> Hashing<'a, W> {
    pub(crate) fn new(inner: W, progress: &'a dyn Progress) -> Self {
        Hashing {
            inner,
            hasher: Sha256::new(),
            bytes: 0,
            since_check: 0,
            progress,
        }
    }

    /// The SHA-256 (hex) and length of everything written.
    pub(crate) fn finish(self) -> (W, String, u64) {
        (self.inner, hex(&self.hasher.finalize()), self.bytes)
    }
}

impl<W: Write> Write for Hashing<'_, W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.since_check >= CANCEL_CHECK_BYTES {
            self.since_check = 0;
            if self.progress.is_cancelled() {
                return Err(std::io::Error::other("cancelled"));
            }
        }
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        self.since_check += n;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// SHA-256 (hex) and length of a file, streamed.
pub fn file_digest(path: &Path) -> Result<(String, u64)> {
    let mut file = std::fs::File::open(path).map_err(|e| Error::io_path("reading", path, e))?;
    let mut sink = Hashing::new(std::io::sink(), &crate::pipeline::progress::NoProgress);
    std::io::copy(&mut file, &mut sink).map_err(|e| Error::io_path("reading", path, e))?;
    let (_, sha, bytes) = sink.finish();
    Ok((sha, bytes))
}

/// A file written by [`write_atomic`]: where, its SHA-256 and its length.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Written {
    pub path: PathBuf,
    pub sha256: String,
    pub bytes: u64,
}

/// The folder a file lives in (`.` for a bare name).
pub(crate) fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Writes `target` through a temporary file in the same folder (0600,
/// named `.custseg-<pid>-…`) and renames it into place once `fill` has
/// succeeded and the data is on disk. On error or cancel the temporary file
/// is removed and `target` is untouched; an existing `target` that is not a
/// regular file is refused (checked again just before the rename).
pub fn write_atomic(
    target: &Path,
    progress: &dyn Progress,
    fill: impl FnOnce(&mut dyn Write) -> Result<()>,
) -> Result<Written> {
    refuse_special(target)?;
    let dir = parent_dir(target);
    let tmp = tempfile::Builder::new()
        .prefix(&format!("{TEMP_PREFIX}{}-", std::process::id()))
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|e| Error::io(format!("creating a temporary file in {}", dir.display()), e))?;
    let _registered = InFlight::new(tmp.path().to_path_buf());
    let mut hashing = Hashing::new(BufWriter::with_capacity(1 << 16, tmp.as_file()), progress);
    let filled = fill(&mut hashing).and_then(|()| {
        hashing
            .flush()
            .map_err(|e| Error::io_path("writing", target, e))
    });
    if progress.is_cancelled() {
        return Err(Error::Cancelled);
    }
    filled?;
    let (_, sha256, bytes) = hashing.finish();
    tmp.as_file()
        .sync_all()
        .map_err(|e| Error::io_path("writing", target, e))?;
    refuse_special(target)?;
    tmp.persist(target)
        .map_err(|e| Error::io_path("writing", target, e.error))?;
    sync_dir(dir);
    Ok(Written {
        path: target.to_path_buf(),
        sha256,
        bytes,
    })
}

fn refuse_special(target: &Path) -> Result<()> {
    match Existing::of(target)? {
        Existing::Nothing | Existing::RegularFile => Ok(()),
        _ => check_file_target(target, true),
    }
}

/// Flushes a folder's entries (new names, renames) to disk; best effort
/// (some file systems do not support it).
pub(crate) fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

/// Creates `path` and its parents, the new folders owner-only (0700).
pub(crate) fn create_private_dir(path: &Path) -> Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder
        .create(path)
        .map_err(|e| Error::io_path("creating", path, e))
}

/// CSV text cells that a spreadsheet would run as a formula get a leading
/// apostrophe. Numbers, including negative balances, stay numbers.
/// Terminal control sequences in text are written as visible escapes
/// (`crate::escape::data`), so `cat` of a CSV cannot clear a screen.
pub fn neutralise_cell(cell: &str) -> std::borrow::Cow<'_, str> {
    let cell = crate::escape::data(cell);
    let risky = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && !is_plain_number(&cell) {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        cell
    }
}

fn is_plain_number(cell: &str) -> bool {
    let t = cell.trim();
    !t.is_empty()
        && t.bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'))
        && t.parse::<f64>().is_ok_and(f64::is_finite)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::progress::NoProgress;

    #[test]
    fn formulas_are_neutralised_and_numbers_are_not() {
        assert_eq!(neutralise_cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(neutralise_cell("+1+1"), "'+1+1");
        assert_eq!(neutralise_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(neutralise_cell("\tcmd"), "'\tcmd");
        assert_eq!(neutralise_cell("\rcmd"), "'\rcmd");
        assert_eq!(neutralise_cell("-cmd|' /C calc'!A0"), "'-cmd|' /C calc'!A0");
        assert_eq!(neutralise_cell("-1234.5"), "-1234.5");
        assert_eq!(neutralise_cell("+3"), "+3");
        assert_eq!(neutralise_cell("C0001"), "C0001");
        assert_eq!(neutralise_cell("高价值客户"), "高价值客户");
    }

    #[cfg(unix)]
    #[test]
    fn files_are_owner_only_and_hashed() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("x.csv");
        let w = write_atomic(&f, &NoProgress, |w| {
            w.write_all(b"abc").map_err(|e| Error::io("x", e))
        })
        .unwrap();
        assert_eq!(
            std::fs::metadata(&f).unwrap().permissions().mode() & 0o777,
            0o600
        );
        // SHA-256("abc"), computed independently.
        assert_eq!(
            w.sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(w.bytes, 3);
        assert_eq!(file_digest(&f).unwrap(), (w.sha256, 3));
    }

    #[test]
    fn a_failed_write_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("half.csv");
        std::fs::write(&target, b"before").unwrap();
        let r = write_atomic(&target, &NoProgress, |w| {
            w.write_all(b"partial").unwrap();
            Err(Error::data("boom"))
        });
        assert!(r.is_err());
        assert_eq!(std::fs::read(&target).unwrap(), b"before");
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temp file"
        );
    }

    #[cfg(unix)]
    #[test]
    fn special_files_are_never_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("sub");
        std::fs::create_dir(&sub).unwrap();
        let link = dir.path().join("link.csv");
        std::os::unix::fs::symlink(dir.path().join("elsewhere"), &link).unwrap();
        for (path, needle) in [(&sub, "is a folder"), (&link, "symbolic link")] {
            let e = check_file_target(path, true).unwrap_err();
            assert_eq!(e.exit_code(), 2);
            assert!(e.to_string().contains(needle), "{e}");
            let e = write_atomic(path, &NoProgress, |_| Ok(())).unwrap_err();
            assert!(e.to_string().contains(needle), "{e}");
        }
        assert!(std::fs::symlink_metadata(&link).unwrap().is_symlink());
        let file = dir.path().join("f.csv");
        std::fs::write(&file, "x").unwrap();
        assert!(check_file_target(&file, false).is_err());
        assert!(check_file_target(&file, true).is_ok());
    }
}
