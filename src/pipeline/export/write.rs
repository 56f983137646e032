//! Safe output: every file goes to a temporary file in the target folder and
//! is renamed into place (readers never see half a file), created owner-only
//! (customer data), and an existing non-empty folder is only reused with
//! `--force`.

use crate::error::{Error, Result};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// An output folder that has passed the overwrite check.
#[derive(Clone, Debug)]
pub struct OutputDir {
    path: PathBuf,
}

impl OutputDir {
    /// Creates `path` (owner-only) if needed. A folder that exists and is not
    /// empty is refused unless `force`.
    pub fn prepare(path: &Path, force: bool) -> Result<OutputDir> {
        if path.exists() {
            if !path.is_dir() {
                return Err(Error::usage(format!(
                    "{}: exists and is not a folder",
                    path.display()
                )));
            }
            let non_empty = std::fs::read_dir(path)
                .map_err(|e| Error::io_path("reading", path, e))?
                .next()
                .is_some();
            if non_empty && !force {
                return Err(Error::usage(format!(
                    "{}: the output folder is not empty; use --force to overwrite its files",
                    path.display()
                )));
            }
        } else {
            create_private_dir(path)?;
        }
        Ok(OutputDir {
            path: path.to_path_buf(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn file(&self, name: &str) -> PathBuf {
        self.path.join(name)
    }

    /// Writes `name` atomically through a buffered writer.
    pub fn write_with(
        &self,
        name: &str,
        fill: impl FnOnce(&mut dyn Write) -> Result<()>,
    ) -> Result<PathBuf> {
        write_atomic(&self.file(name), fill)
    }

    pub fn write_bytes(&self, name: &str, bytes: &[u8]) -> Result<PathBuf> {
        self.write_with(name, |w| {
            w.write_all(bytes)
                .map_err(|e| Error::io(format!("writing {name}"), e))
        })
    }
}

fn create_private_dir(path: &Path) -> Result<()> {
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

/// Writes `target` via a temporary file in the same folder (created 0600 by
/// tempfile) and renames it into place only when `fill` succeeded.
pub fn write_atomic(
    target: &Path,
    fill: impl FnOnce(&mut dyn Write) -> Result<()>,
) -> Result<PathBuf> {
    let dir = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let tmp = tempfile::Builder::new()
        .prefix(".custseg-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|e| Error::io(format!("creating a temporary file in {}", dir.display()), e))?;
    {
        let mut writer = BufWriter::with_capacity(1 << 16, tmp.as_file());
        fill(&mut writer)?;
        writer
            .flush()
            .map_err(|e| Error::io_path("writing", target, e))?;
    }
    tmp.as_file()
        .sync_all()
        .map_err(|e| Error::io_path("writing", target, e))?;
    tmp.persist(target)
        .map_err(|e| Error::io_path("writing", target, e.error))?;
    Ok(target.to_path_buf())
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

    #[test]
    fn non_empty_folders_need_force() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let o = OutputDir::prepare(&out, false).unwrap();
        o.write_bytes("a.txt", b"hello").unwrap();
        let e = OutputDir::prepare(&out, false).unwrap_err().to_string();
        assert!(e.contains("not empty") && e.contains("--force"), "{e}");
        assert!(OutputDir::prepare(&out, true).is_ok());
        assert_eq!(std::fs::read(out.join("a.txt")).unwrap(), b"hello");
    }

    #[cfg(unix)]
    #[test]
    fn files_and_folders_are_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let o = OutputDir::prepare(&out, false).unwrap();
        let f = o.write_bytes("x.csv", b"1").unwrap();
        assert_eq!(
            std::fs::metadata(&f).unwrap().permissions().mode() & 0o777,
            0o600
        );
        assert_eq!(
            std::fs::metadata(&out).unwrap().permissions().mode() & 0o777,
            0o700
        );
    }

    #[test]
    fn a_failed_write_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let o = OutputDir::prepare(dir.path(), true).unwrap();
        let r = o.write_with("half.csv", |w| {
            w.write_all(b"partial").unwrap();
            Err(Error::data("boom"))
        });
        assert!(r.is_err());
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            0,
            "no temp file, no target"
        );
    }
}
