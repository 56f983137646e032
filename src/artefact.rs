//! Reading custseg's own artefacts (`model.json`, `run.toml`): regular
//! files only, of a bounded size, UTF-8.
//!
//! A path to `/dev/zero` would otherwise grow memory without end, a FIFO
//! block for ever, a folder or a 10 GB file give a confusing failure late.
//! The file is checked before it is opened, checked again once open (the
//! path could have been swapped), and read through a limit of one byte
//! more than the cap, so even a file that grows while it is read cannot
//! pass the cap.

use crate::error::{Error, Result};
use crate::escape;
use std::io::Read;
use std::path::Path;

/// The largest `model.json` read: a model of thousands of columns and a
/// few hundred segments is a few MB.
pub const MODEL_CAP: u64 = 16 << 20;
/// The largest `run.toml` read.
pub const CONFIG_CAP: u64 = 1 << 20;

/// The path as shown in a message: safe for a terminal.
pub fn shown(path: &Path) -> String {
    escape::terminal(&path.display().to_string()).into_owned()
}

/// What a file that is not a regular file is, for messages.
pub fn kind(meta: &std::fs::Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let t = meta.file_type();
    if t.is_dir() {
        "a folder"
    } else if t.is_fifo() {
        "a FIFO (named pipe)"
    } else if t.is_char_device() || t.is_block_device() {
        "a device"
    } else if t.is_socket() {
        "a socket"
    } else {
        "not a regular file"
    }
}

/// Checks that `meta` is a regular file of at most `cap` bytes.
fn check(path: &Path, meta: &std::fs::Metadata, cap: u64, what: &str) -> Result<()> {
    if !meta.is_file() {
        return Err(Error::data(format!(
            "{}: is {}, not a {what} file",
            shown(path),
            kind(meta)
        )));
    }
    if meta.len() > cap {
        return Err(Error::data(format!(
            "{}: {} bytes is too large for a {what} (at most {cap}); is this the right file?",
            shown(path),
            meta.len()
        )));
    }
    Ok(())
}

/// The text of the `what` file at `path` (a regular file of at most `cap`
/// bytes, UTF-8), or a one-line error naming it.
pub fn read_text(path: &Path, cap: u64, what: &str) -> Result<String> {
    let meta = std::fs::metadata(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => Error::data(format!("{}: no such file", shown(path))),
        _ => Error::io(format!("reading {}", shown(path)), e),
    })?;
    check(path, &meta, cap, what)?;
    let file =
        std::fs::File::open(path).map_err(|e| Error::io(format!("reading {}", shown(path)), e))?;
    let meta = file
        .metadata()
        .map_err(|e| Error::io(format!("reading {}", shown(path)), e))?;
    check(path, &meta, cap, what)?;
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(cap + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(format!("reading {}", shown(path)), e))?;
    if bytes.len() as u64 > cap {
        return Err(Error::data(format!(
            "{}: the file grew past {cap} bytes while it was read",
            shown(path)
        )));
    }
    String::from_utf8(bytes).map_err(|e| {
        Error::data(format!(
            "{}: not a {what} (not UTF-8 text: byte {} is invalid)",
            shown(path),
            e.utf8_error().valid_up_to()
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devices_folders_and_big_files_are_refused() {
        let e = read_text(Path::new("/dev/zero"), 1024, "model")
            .unwrap_err()
            .to_string();
        assert_eq!(e, "/dev/zero: is a device, not a model file");
        let dir = tempfile::tempdir().unwrap();
        let e = read_text(dir.path(), 1024, "model")
            .unwrap_err()
            .to_string();
        assert!(e.ends_with(": is a folder, not a model file"), "{e}");
        let big = dir.path().join("big.json");
        std::fs::write(&big, vec![b' '; 2000]).unwrap();
        let e = read_text(&big, 1024, "model").unwrap_err().to_string();
        assert!(
            e.contains("2000 bytes is too large for a model (at most 1024)"),
            "{e}"
        );
        let ok = dir.path().join("ok.json");
        std::fs::write(&ok, "{}").unwrap();
        assert_eq!(read_text(&ok, 1024, "model").unwrap(), "{}");
        std::fs::write(&ok, b"\xff\xfe").unwrap();
        assert!(
            read_text(&ok, 1024, "model")
                .unwrap_err()
                .to_string()
                .contains("not UTF-8")
        );
    }

    #[test]
    fn a_fifo_is_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if !made.is_ok_and(|s| s.success()) {
            return; // no mkfifo here
        }
        let e = read_text(&fifo, 1024, "run configuration")
            .unwrap_err()
            .to_string();
        assert!(
            e.ends_with(": is a FIFO (named pipe), not a run configuration file"),
            "{e}"
        );
    }
}
