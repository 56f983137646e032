//! The bundled sample, `samples/customers_en.csv`, built into the binary so
//! an installed `custseg` (no repository next to it) can still offer it:
//! the TUI writes it to a file and loads it (a real file, so Export's
//! `run.toml` replays it), and `custseg sample --bundled` writes it for
//! scripts. Embedded rather than generated again, so the bytes are the
//! committed file's on every platform, whatever its maths library.
//!
//! [`place_bundled`] decides where the copy goes: never over a user's file.

use crate::error::{Error, Result};
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};

/// The committed sample, byte for byte.
pub const BUNDLED_CSV: &[u8] = include_bytes!("../../samples/customers_en.csv");
/// Its file name, also the name a copy is written under.
pub const BUNDLED_NAME: &str = "customers_en.csv";
/// Customers (data rows) in it.
pub const BUNDLED_CUSTOMERS: usize = 3000;
/// Other names tried when `customers_en.csv` is another file:
/// `customers_en-2.csv` up to this number.
const MAX_SUFFIX: usize = 20;

/// Where the copy of the sample went, and why there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlacedSample {
    pub path: PathBuf,
    pub how: Placement,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Placement {
    /// Written under [`BUNDLED_NAME`] in the folder asked for.
    Written,
    /// A file holding exactly the sample was there already: used as it is.
    AlreadyThere,
    /// `taken` (the sample's name) is another file, left as it is: the
    /// sample was written under the next free name beside it.
    NameTaken { taken: PathBuf },
    /// The folder asked for could not take the file (`reason`): written
    /// into `folder`, a new owner-only folder in the temporary directory.
    Elsewhere { folder: PathBuf, reason: ErrorKind },
}

/// Puts a copy of the bundled sample in `dir` and returns where it is. A
/// file already there is never replaced: one holding the sample's bytes is
/// used as it is, any other keeps its name and the copy takes the next free
/// one (`customers_en-2.csv` ...). When `dir` cannot be written (read-only,
/// full, gone), the copy goes into a new private folder under `temp_root`.
/// The file is written through a temporary file and renamed into place
/// without replacing anything, so no reader sees half of it.
pub fn place_bundled(dir: &Path, temp_root: &Path) -> Result<PlacedSample> {
    let reason = match place_in(dir) {
        Ok(placed) => return Ok(placed),
        Err(kind) => kind,
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix("custseg-sample-");
    // Owner-only: the temporary directory is shared with other users.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o700));
    }
    let folder = builder
        .tempdir_in(temp_root)
        .map_err(|e| cannot_write(dir, reason, temp_root, e))?
        .keep();
    let path = folder.join(BUNDLED_NAME);
    write_new(&path).map_err(|e| cannot_write(dir, reason, &folder, e))?;
    Ok(PlacedSample {
        path,
        how: Placement::Elsewhere { folder, reason },
    })
}

/// The sample in `dir` under its name or the next free one; the error kind
/// of the first write that failed otherwise.
fn place_in(dir: &Path) -> std::result::Result<PlacedSample, ErrorKind> {
    let first = dir.join(BUNDLED_NAME);
    for n in 1..=MAX_SUFFIX {
        let path = if n == 1 {
            first.clone()
        } else {
            dir.join(format!("customers_en-{n}.csv"))
        };
        if holds_the_sample(&path) {
            let how = if n == 1 {
                Placement::AlreadyThere
            } else {
                Placement::NameTaken { taken: first }
            };
            return Ok(PlacedSample { path, how });
        }
        if std::fs::symlink_metadata(&path).is_ok() {
            continue;
        }
        match write_new(&path) {
            Ok(()) => {
                let how = if n == 1 {
                    Placement::Written
                } else {
                    Placement::NameTaken { taken: first }
                };
                return Ok(PlacedSample { path, how });
            }
            // Someone made the file meanwhile: look at it again as taken.
            Err(e) if e.kind() == ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e.kind()),
        }
    }
    Err(ErrorKind::AlreadyExists)
}

/// `path` is a regular file (not a link) with exactly the sample's bytes.
fn holds_the_sample(path: &Path) -> bool {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.is_file() && m.len() == BUNDLED_CSV.len() as u64 => {
            std::fs::read(path).is_ok_and(|bytes| bytes == BUNDLED_CSV)
        }
        _ => false,
    }
}

/// Writes the sample to `target`, which must not exist: through a
/// temporary file (owner-only) in the same folder, renamed into place
/// without replacing anything.
fn write_new(target: &Path) -> std::io::Result<()> {
    let dir = crate::pipeline::export::write::parent_dir(target);
    let prefix = format!(
        "{}{}-",
        crate::pipeline::export::write::TEMP_PREFIX,
        std::process::id()
    );
    let mut tmp = tempfile::Builder::new()
        .prefix(&prefix)
        .suffix(".tmp")
        .tempfile_in(dir)?;
    tmp.write_all(BUNDLED_CSV)?;
    tmp.as_file().sync_all()?;
    tmp.persist_noclobber(target).map_err(|e| e.error)?;
    Ok(())
}

/// Writes the sample to `out` (`custseg sample --bundled`): an existing
/// regular file only with `force`, never anything else.
pub fn write_bundled(out: &Path, force: bool) -> Result<()> {
    use crate::pipeline::export::write::{check_file_target, write_atomic};
    check_file_target(out, force)?;
    write_atomic(out, &crate::pipeline::progress::NoProgress, |w| {
        w.write_all(BUNDLED_CSV)
            .map_err(|e| Error::io_path("writing", out, e))
    })?;
    Ok(())
}

fn cannot_write(dir: &Path, first: ErrorKind, other: &Path, e: std::io::Error) -> Error {
    Error::io(
        format!(
            "writing the bundled sample into {} ({first}) or into {}",
            dir.display(),
            other.display()
        ),
        e,
    )
}
