//! The output folder written as one set.
//!
//! 1. A lock (`.custseg.lock`, an advisory `flock` released by the kernel
//!    even when the process is killed) stops two runs writing one folder;
//!    the second is told the first one's process id.
//! 2. Leftovers of a killed run (staging folders, temporary files of dead
//!    processes) are removed.
//! 3. Every file is written into a private staging folder inside the
//!    target folder (same file system, so moving is a rename) and flushed to
//!    disk; a full disk or a cancel here leaves the previous set untouched.
//! 4. The swap: the old `manifest.json` is removed first (from then on the
//!    folder reads as incomplete), the new files are renamed into place,
//!    custseg's own earlier outputs that the new set does not contain are
//!    removed (only regular files with custseg's names or listed in the old
//!    manifest; nothing else), and the new manifest (names, sizes, SHA-256)
//!    is renamed in last.
//!
//! A folder whose manifest is missing (while other custseg outputs or a
//! staging folder are there) or does not match its files is incomplete:
//! [`folder_status`] says so, for `score` and the TUI.

use super::write::{
    Existing, Hashing, InFlight, TEMP_PREFIX, create_private_dir, file_digest, sync_dir,
};
use crate::error::{Error, Result};
use crate::pipeline::progress::Progress;
use crate::remedy::Remedy;
use serde::{Deserialize, Serialize};
use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};

/// The list of the set's files, written last.
pub const MANIFEST_JSON: &str = "manifest.json";
/// The lock file of a folder being written.
pub const LOCK_FILE: &str = ".custseg.lock";
const MANIFEST_FORMAT: &str = "custseg-outputs";
/// Every name a custseg export can write (besides the manifest). A folder
/// written by an older custseg has no manifest; these are its outputs.
pub const KNOWN_OUTPUTS: [&str; 16] = [
    super::tables::RESULTS_CSV,
    super::formats::RESULTS_XLSX,
    super::formats::RESULTS_PARQUET,
    super::tables::SUMMARY_CSV,
    super::report::REPORT_MD,
    super::MODEL_JSON,
    super::RUN_TOML,
    super::charts::ELBOW_PNG,
    super::charts::SEGMENT_SIZES_PNG,
    super::charts::BALANCE_PNG,
    super::charts::RADAR_PNG,
    super::charts::HEATMAP_PNG,
    super::charts::SCATTER_PNG,
    super::charts::PCA_PNG,
    super::charts::STABILITY_PNG,
    crate::pipeline::rules::sql::RULES_SQL,
];
/// The combined chart, one more output.
const COMBINED: &str = super::charts::COMBINED_PNG;

fn is_known_output(name: &str) -> bool {
    name == COMBINED
        || name == MANIFEST_JSON
        || KNOWN_OUTPUTS.contains(&name)
        || super::scoring::output_names().any(|n| n == name)
        || crate::pipeline::compare::output_names().contains(&name)
}

/// One file of a set, as the manifest records it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestEntry {
    pub name: String,
    pub bytes: u64,
    pub sha256: String,
}

/// `manifest.json`: what a complete set holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub created_by: String,
    pub files: Vec<ManifestEntry>,
}

impl Manifest {
    /// Reads `dir/manifest.json`; `Ok(None)` when there is none. Only plain
    /// file names are accepted (a hostile manifest cannot point elsewhere).
    pub fn read(dir: &Path) -> Result<Option<Manifest>> {
        let path = dir.join(MANIFEST_JSON);
        let mut text = String::new();
        match File::open(&path) {
            Ok(f) => f
                .take(1 << 20)
                .read_to_string(&mut text)
                .map_err(|e| Error::io_path("reading", &path, e))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Error::io_path("reading", &path, e)),
        };
        let bad = |why: &str| Error::data(format!("{}: {why}", path.display()));
        let m: Manifest = serde_json::from_str(&text)
            .map_err(|_| bad("not a custseg manifest (damaged or cut short)"))?;
        if m.format != MANIFEST_FORMAT {
            return Err(bad("not a custseg manifest"));
        }
        if m.files.iter().any(|f| !is_plain_name(&f.name)) {
            return Err(bad("lists a file outside its folder"));
        }
        Ok(Some(m))
    }
}

/// A name without folders that is not one of custseg's hidden files.
fn is_plain_name(name: &str) -> bool {
    !name.is_empty()
        && name != "."
        && name != ".."
        && !name.contains(['/', '\\'])
        && !name.chars().any(char::is_control)
        && !name.starts_with(TEMP_PREFIX)
        && name != LOCK_FILE
}

/// Whether an earlier export in a folder is whole.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SetStatus {
    /// No custseg outputs there.
    Empty,
    /// The manifest is there and every file it lists has its recorded size.
    Complete(Manifest),
    /// custseg outputs without a manifest and no sign of an interrupted
    /// export (written by an older custseg, or copied there).
    Unlisted,
    /// An export was interrupted or is running, or the files differ from
    /// the manifest; the reason in words.
    Incomplete(String),
}

/// What is in a folder an export is about to write into.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    Missing,
    NotAFolder(&'static str),
    /// Entries other than custseg's lock and temporary files, and the state
    /// of the custseg set among them.
    Folder {
        entries: usize,
        set: SetStatus,
    },
}

/// Looks at `dir` without changing anything (cheap: one listing, the
/// manifest and a `stat` per listed file). The one check behind the
/// headless "not empty" refusal, the TUI's question and `score`'s warning.
pub fn inspect_target(dir: &Path) -> Result<Target> {
    match Existing::of(dir)? {
        Existing::Nothing => return Ok(Target::Missing),
        Existing::Folder => {}
        // A symlink to a folder is a folder (`out -> /data/out`); the
        // files inside are what is never replaced unless regular.
        Existing::Special(_) if dir.is_dir() => {}
        Existing::RegularFile => return Ok(Target::NotAFolder("a file")),
        Existing::Special(what) => return Ok(Target::NotAFolder(what)),
    }
    let listing = std::fs::read_dir(dir).map_err(|e| Error::io_path("reading", dir, e))?;
    let (mut entries, mut outputs, mut staging) = (0, 0, false);
    for entry in listing.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name == LOCK_FILE || name.starts_with(TEMP_PREFIX) {
            staging |= name.starts_with(STAGE_PREFIX);
            continue;
        }
        entries += 1;
        outputs += usize::from(is_known_output(&name));
    }
    let set = if locked_by(dir).is_some() {
        SetStatus::Incomplete("another custseg run is writing it now".into())
    } else {
        set_status(dir, outputs, staging)
    };
    Ok(Target::Folder { entries, set })
}

fn set_status(dir: &Path, outputs: usize, staging: bool) -> SetStatus {
    let manifest = match Manifest::read(dir) {
        Ok(m) => m,
        Err(e) => return SetStatus::Incomplete(e.to_string()),
    };
    let Some(m) = manifest else {
        return if staging {
            SetStatus::Incomplete(
                "an export was interrupted (its staging folder is still there and manifest.json is missing)"
                    .into(),
            )
        } else if outputs > 0 {
            SetStatus::Unlisted
        } else {
            SetStatus::Empty
        };
    };
    for f in &m.files {
        match std::fs::symlink_metadata(dir.join(&f.name)) {
            Ok(meta) if meta.is_file() && meta.len() == f.bytes => {}
            Ok(_) => {
                return SetStatus::Incomplete(format!(
                    "{} differs from manifest.json (changed after the export)",
                    f.name
                ));
            }
            Err(_) => {
                return SetStatus::Incomplete(format!(
                    "{} is listed in manifest.json but missing",
                    f.name
                ));
            }
        }
    }
    SetStatus::Complete(m)
}

/// Checks one file of a folder against its manifest, SHA-256 included.
/// `None` when the folder's set is complete and the file matches, or when
/// the folder holds no manifest and no sign of an interrupted export (a
/// file copied on its own); otherwise the problem in words.
pub fn check_member(file: &Path) -> Result<Option<String>> {
    let dir = super::write::parent_dir(file);
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let status = match inspect_target(dir)? {
        Target::Folder { set, .. } => set,
        _ => return Ok(None),
    };
    let manifest = match status {
        SetStatus::Complete(m) => m,
        SetStatus::Incomplete(why) => {
            return Ok(Some(format!("{} is incomplete: {why}", folder_name(dir))));
        }
        SetStatus::Empty | SetStatus::Unlisted => return Ok(None),
    };
    let Some(entry) = manifest.files.iter().find(|f| f.name == name) else {
        return Ok(Some(format!(
            "{name} is not listed in {}/{MANIFEST_JSON}: it does not belong to that export",
            folder_name(dir)
        )));
    };
    let (sha, _) = file_digest(file)?;
    Ok((sha != entry.sha256).then(|| {
        format!(
            "{name} differs from the one the export wrote (SHA-256 does not match its manifest)"
        )
    }))
}

fn folder_name(dir: &Path) -> String {
    dir.display().to_string()
}

// ---------------------------------------------------------------------------
// The lock

/// An exclusive advisory lock on `dir/.custseg.lock`, which holds the
/// owner's process id. Released (and the file removed) on drop; the kernel
/// releases it when the process dies, so a killed run never blocks a later one.
pub struct FolderLock {
    file: File,
    path: PathBuf,
}

impl FolderLock {
    pub fn acquire(dir: &Path) -> Result<FolderLock> {
        let path = dir.join(LOCK_FILE);
        loop {
            let file = open_lock_file(&path)?;
            match file.try_lock() {
                Ok(()) => {}
                Err(std::fs::TryLockError::WouldBlock) => {
                    return Err(busy(dir, &read_owner(&path)));
                }
                Err(std::fs::TryLockError::Error(e)) => {
                    return Err(Error::io_path("locking", &path, e));
                }
            }
            // The file may have been removed by its previous owner between
            // our open and our lock: then lock the new one instead.
            if !same_file(&file, &path) {
                continue;
            }
            let mut lock = FolderLock { file, path };
            lock.write_pid()?;
            return Ok(lock);
        }
    }

    fn write_pid(&mut self) -> Result<()> {
        let pid = std::process::id();
        self.file
            .set_len(0)
            .and_then(|()| self.file.write_all(format!("{pid}\n").as_bytes()))
            .map_err(|e| Error::io_path("writing", &self.path, e))
    }
}

impl Drop for FolderLock {
    fn drop(&mut self) {
        // Remove while still holding the lock; a waiter that opened the old
        // file notices it is gone (`same_file`) and starts again.
        let _ = std::fs::remove_file(&self.path);
        let _ = self.file.unlock();
    }
}

fn open_lock_file(path: &Path) -> Result<File> {
    let mut opts = std::fs::OpenOptions::new();
    opts.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // A symlink planted as the lock file is not followed.
        opts.mode(0o600).custom_flags(libc::O_NOFOLLOW);
    }
    opts.open(path)
        .map_err(|e| Error::io_path("opening", path, e))
}

fn same_file(file: &File, path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        match (file.metadata(), std::fs::symlink_metadata(path)) {
            (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = file;
        path.exists()
    }
}

fn read_owner(path: &Path) -> String {
    match owner_pid(path) {
        Some(pid) => format!("pid {pid}"),
        None => "pid unknown".into(),
    }
}

fn owner_pid(path: &Path) -> Option<u32> {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|t| t.trim().parse::<u32>().ok())
}

/// "pid N" of another process holding `dir`'s lock (this process's own
/// export does not count).
pub fn locked_by(dir: &Path) -> Option<String> {
    let path = dir.join(LOCK_FILE);
    let file = File::open(&path).ok()?;
    match file.try_lock_shared() {
        Ok(()) => {
            let _ = file.unlock();
            None
        }
        Err(_) if owner_pid(&path) == Some(std::process::id()) => None,
        Err(_) => Some(read_owner(&path)),
    }
}

// ---------------------------------------------------------------------------
// Leftovers

const STAGE_PREFIX: &str = ".custseg-stage-";

/// Whether process `pid` is alive (`kill(pid, 0)`); elsewhere assumed
/// alive, so nothing of a live run is ever removed.
fn process_alive(pid: u32) -> bool {
    if pid == std::process::id() {
        return true;
    }
    #[cfg(unix)]
    {
        let Ok(pid) = i32::try_from(pid) else {
            return false;
        };
        // SAFETY: kill with signal 0 sends nothing; it only checks the pid.
        let r = unsafe { libc::kill(pid, 0) };
        r == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
    }
    #[cfg(not(unix))]
    {
        true
    }
}

/// `.custseg-<pid>-…` → pid.
fn temp_owner(name: &str) -> Option<u32> {
    let rest = name
        .strip_prefix(STAGE_PREFIX)
        .or_else(|| name.strip_prefix(TEMP_PREFIX))?;
    rest.split(['-', '.']).next()?.parse().ok()
}

/// Removes staging folders (only the lock holder stages, and that is us)
/// and temporary files of dead processes. Returns how many were removed.
fn remove_leftovers(dir: &Path) -> usize {
    let Ok(listing) = std::fs::read_dir(dir) else {
        return 0;
    };
    let mut removed = 0;
    for entry in listing.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = entry.path();
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        let gone = if name.starts_with(STAGE_PREFIX) && meta.is_dir() {
            std::fs::remove_dir_all(&path).is_ok()
        } else if name.starts_with(TEMP_PREFIX)
            && name.ends_with(".tmp")
            && meta.is_file()
            && temp_owner(&name).is_some_and(|pid| !process_alive(pid))
        {
            std::fs::remove_file(&path).is_ok()
        } else {
            false
        };
        removed += usize::from(gone);
    }
    removed
}

// ---------------------------------------------------------------------------
// The set

/// An export in progress: files are staged, then [`OutputSet::commit`]
/// moves them into place. Dropped without commit, it removes its staging
/// folder and releases the lock: the folder keeps its previous set.
pub struct OutputSet<'p> {
    dir: PathBuf,
    stage: PathBuf,
    files: Vec<ManifestEntry>,
    progress: &'p dyn Progress,
    _in_flight: InFlight,
    _lock: FolderLock,
}

impl<'p> OutputSet<'p> {
    /// Locks `dir` (created owner-only if missing) and opens a staging
    /// folder in it. A folder holding anything but custseg's own hidden
    /// files is refused unless `force`.
    pub fn begin(dir: &Path, force: bool, progress: &'p dyn Progress) -> Result<OutputSet<'p>> {
        check_target(dir, force)?;
        if Existing::of(dir)? == Existing::Nothing {
            create_private_dir(dir)?;
        }
        let lock = FolderLock::acquire(dir)?;
        remove_leftovers(dir);
        // Checked again under the lock: the folder may have filled meanwhile.
        check_contents(dir, force)?;
        let stage = tempfile::Builder::new()
            .prefix(&format!("{STAGE_PREFIX}{}-", std::process::id()))
            .tempdir_in(dir)
            .map_err(|e| Error::io(format!("creating a staging folder in {}", dir.display()), e))?
            .keep();
        Ok(OutputSet {
            dir: dir.to_path_buf(),
            _in_flight: InFlight::new(stage.clone()),
            stage,
            files: Vec::new(),
            progress,
            _lock: lock,
        })
    }

    /// The target folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The private folder files are staged in (for writers that need a
    /// path, such as the chart renderer; register what they write with
    /// [`OutputSet::add_staged`]).
    pub fn stage_dir(&self) -> &Path {
        &self.stage
    }

    /// Stages `name`, written through a buffered, hashing writer.
    pub fn write_with(
        &mut self,
        name: &str,
        fill: impl FnOnce(&mut dyn Write) -> Result<()>,
    ) -> Result<()> {
        self.check_cancel()?;
        let path = self.stage.join(name);
        let file = create_owner_only(&path)?;
        let mut w = Hashing::new(BufWriter::with_capacity(1 << 16, &file), self.progress);
        let filled = fill(&mut w).and_then(|()| {
            w.flush()
                .map_err(|e| Error::io(format!("writing {name}"), e))
        });
        self.check_cancel()?;
        filled.map_err(|e| self.not_replaced(e))?;
        let (_, sha256, bytes) = w.finish();
        file.sync_all()
            .map_err(|e| self.not_replaced(Error::io(format!("writing {name}"), e)))?;
        self.files.push(ManifestEntry {
            name: name.to_string(),
            bytes,
            sha256,
        });
        Ok(())
    }

    pub fn write_bytes(&mut self, name: &str, bytes: &[u8]) -> Result<()> {
        self.write_with(name, |w| {
            w.write_all(bytes)
                .map_err(|e| Error::io(format!("writing {name}"), e))
        })
    }

    /// Stages `name` through a writer that wants a file of its own (the
    /// Parquet and workbook writers): the file is created owner-only first,
    /// `fill` writes it, then it is hashed into the manifest.
    pub fn write_file_with(
        &mut self,
        name: &str,
        fill: impl FnOnce(File) -> Result<()>,
    ) -> Result<()> {
        self.check_cancel()?;
        let path = self.stage.join(name);
        let file = create_owner_only(&path)?;
        fill(file).map_err(|e| self.not_replaced(e))?;
        self.check_cancel()?;
        self.add_staged(&[name.to_string()])
    }

    /// Adds files another writer put into [`OutputSet::stage_dir`].
    pub fn add_staged(&mut self, names: &[String]) -> Result<()> {
        for name in names {
            let path = self.stage.join(name);
            let synced = File::open(&path).and_then(|f| f.sync_all());
            synced.map_err(|e| self.not_replaced(Error::io(format!("writing {name}"), e)))?;
            let (sha256, bytes) = file_digest(&path)?;
            self.files.push(ManifestEntry {
                name: name.clone(),
                bytes,
                sha256,
            });
        }
        self.check_cancel()
    }

    /// An error while staging, with the promise that nothing was replaced.
    pub fn not_replaced(&self, e: Error) -> Error {
        match e {
            Error::Io { context, source } => Error::Io {
                context: format!(
                    "{context} (nothing was replaced: {} keeps its previous outputs)",
                    self.dir.display()
                ),
                source,
            },
            other => other,
        }
    }

    fn check_cancel(&self) -> Result<()> {
        if self.progress.is_cancelled() {
            Err(Error::Cancelled)
        } else {
            Ok(())
        }
    }

    /// Moves the staged files into place, removes custseg's own outputs of
    /// an earlier set that this one does not contain, writes the manifest
    /// last; returns the paths of the set's files, manifest included.
    pub fn commit(self) -> Result<Vec<PathBuf>> {
        self.check_cancel()?;
        let manifest = Manifest {
            format: MANIFEST_FORMAT.into(),
            created_by: format!("custseg {}", env!("CARGO_PKG_VERSION")),
            files: self.files.clone(),
        };
        let text = serde_json::to_string_pretty(&manifest)
            .map_err(|e| Error::data(format!("writing the manifest: {e}")))?;
        let staged_manifest = self.stage.join(MANIFEST_JSON);
        let mut f = create_owner_only(&staged_manifest)?;
        f.write_all(text.as_bytes())
            .and_then(|()| f.sync_all())
            .map_err(|e| self.not_replaced(Error::io_path("writing", &staged_manifest, e)))?;
        sync_dir(&self.stage);
        for entry in &self.files {
            self.refuse_special(&entry.name)?;
        }
        let earlier = Manifest::read(&self.dir).ok().flatten();
        self.swap(&manifest, earlier)?;
        let _ = std::fs::remove_dir_all(&self.stage);
        let mut paths: Vec<PathBuf> = self.files.iter().map(|f| self.dir.join(&f.name)).collect();
        paths.push(self.dir.join(MANIFEST_JSON));
        Ok(paths)
    }

    /// Step 4 of the module doc. From the removal of the old manifest on,
    /// an error leaves the folder without a manifest: incomplete, and said so.
    fn swap(&self, new: &Manifest, earlier: Option<Manifest>) -> Result<()> {
        let incomplete = |e: std::io::Error, what: String| {
            Error::io(
                format!(
                    "{what} (the folder {} is now incomplete: it has no manifest.json; export again)",
                    self.dir.display()
                ),
                e,
            )
        };
        let old_manifest = self.dir.join(MANIFEST_JSON);
        match std::fs::remove_file(&old_manifest) {
            Ok(()) => sync_dir(&self.dir),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::io_path("replacing", &old_manifest, e)),
        }
        for f in &new.files {
            let to = self.dir.join(&f.name);
            std::fs::rename(self.stage.join(&f.name), &to)
                .map_err(|e| incomplete(e, format!("moving {} into place", f.name)))?;
        }
        self.remove_stale(new, earlier);
        std::fs::rename(self.stage.join(MANIFEST_JSON), &old_manifest)
            .map_err(|e| incomplete(e, format!("writing {MANIFEST_JSON}")))?;
        sync_dir(&self.dir);
        Ok(())
    }

    /// Removes earlier custseg outputs (named in the old manifest, or with a
    /// custseg output name) that the new set does not hold; regular files only.
    fn remove_stale(&self, new: &Manifest, earlier: Option<Manifest>) {
        let mut old: Vec<String> = earlier
            .map(|m| m.files.into_iter().map(|f| f.name).collect())
            .unwrap_or_default();
        old.extend(KNOWN_OUTPUTS.iter().map(|s| s.to_string()));
        old.push(COMBINED.to_string());
        old.extend(super::scoring::output_names());
        old.extend(crate::pipeline::compare::output_names().map(String::from));
        for name in old {
            if new.files.iter().any(|f| f.name == name) || !is_plain_name(&name) {
                continue;
            }
            let path = self.dir.join(&name);
            if Existing::of(&path).ok() == Some(Existing::RegularFile) {
                let _ = std::fs::remove_file(&path);
            }
        }
    }

    fn refuse_special(&self, name: &str) -> Result<()> {
        let path = self.dir.join(name);
        match Existing::of(&path)? {
            Existing::Nothing | Existing::RegularFile => Ok(()),
            Existing::Folder => Err(Error::usage(format!(
                "{} is a folder; custseg only ever replaces regular files (nothing was replaced)",
                path.display()
            ))),
            Existing::Special(what) => Err(Error::usage(format!(
                "{} is {what}; custseg only ever replaces regular files (nothing was replaced)",
                path.display()
            ))),
        }
    }
}

impl Drop for OutputSet<'_> {
    fn drop(&mut self) {
        // After a commit the staging folder is already gone.
        let _ = std::fs::remove_dir_all(&self.stage);
    }
}

fn create_owner_only(path: &Path) -> Result<File> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    opts.open(path)
        .map_err(|e| Error::io_path("creating", path, e))
}

/// The folder is being written by another run (`owner` says which).
fn busy(dir: &Path, owner: &str) -> Error {
    Error::usage_with_remedy(
        format!(
            "{} is being written by another custseg run ({owner})",
            dir.display()
        ),
        Remedy::WaitForOtherRun,
    )
}

/// The overwrite check, before any work: a missing folder is fine, one that
/// holds anything but custseg's hidden files needs `force`, a file or
/// special node in its place is refused.
pub fn check_target(dir: &Path, force: bool) -> Result<()> {
    check_contents(dir, force)?;
    match locked_by(dir) {
        Some(owner) => Err(busy(dir, &owner)),
        None => Ok(()),
    }
}

fn check_contents(dir: &Path, force: bool) -> Result<()> {
    match inspect_target(dir)? {
        Target::Missing => Ok(()),
        Target::NotAFolder(what) => Err(Error::usage(format!(
            "{}: exists and is {what}, not a folder",
            dir.display()
        ))),
        Target::Folder { entries, .. } if entries > 0 && !force => Err(Error::usage_with_remedy(
            format!("{}: the output folder is not empty", dir.display()),
            Remedy::Force,
        )),
        Target::Folder { .. } => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::progress::NoProgress;

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    fn write_set(dir: &Path, files: &[(&str, &str)], force: bool) -> Result<Vec<PathBuf>> {
        let mut set = OutputSet::begin(dir, force, &NoProgress)?;
        for (name, text) in files {
            set.write_bytes(name, text.as_bytes())?;
        }
        set.commit()
    }

    #[test]
    fn a_set_is_written_with_its_manifest_and_replaces_only_custseg_files() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("out");
        write_set(&dir, &[("model.json", "{1}"), ("radar.png", "r")], false).unwrap();
        assert_eq!(names(&dir), ["manifest.json", "model.json", "radar.png"]);
        let m = Manifest::read(&dir).unwrap().unwrap();
        assert_eq!(m.files.len(), 2);
        assert_eq!(m.files[0].bytes, 3);
        std::fs::write(dir.join("notes.txt"), "mine").unwrap();
        // Not empty: refused without force, and nothing changed.
        let e = write_set(&dir, &[("model.json", "{2}")], false).unwrap_err();
        assert_eq!(e.remedy(), Some(&Remedy::Force), "{e}");
        assert_eq!(
            std::fs::read_to_string(dir.join("model.json")).unwrap(),
            "{1}"
        );
        // The new set drops radar.png; the user's file stays.
        write_set(&dir, &[("model.json", "{2}")], true).unwrap();
        assert_eq!(names(&dir), ["manifest.json", "model.json", "notes.txt"]);
        assert!(matches!(
            inspect_target(&dir).unwrap(),
            Target::Folder {
                entries: 3,
                set: SetStatus::Complete(_)
            }
        ));
    }

    #[test]
    fn a_failed_or_cancelled_set_leaves_the_previous_one() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("out");
        write_set(&dir, &[("model.json", "old")], false).unwrap();
        let before = names(&dir);
        {
            let mut set = OutputSet::begin(&dir, true, &NoProgress).unwrap();
            set.write_bytes("model.json", b"new").unwrap();
            let e = set
                .write_with("run.toml", |_| {
                    Err(Error::io(
                        "writing run.toml",
                        std::io::Error::other("disk full"),
                    ))
                })
                .unwrap_err();
            assert!(e.to_string().contains("keeps its previous outputs"), "{e}");
        }
        assert_eq!(names(&dir), before);
        assert_eq!(
            std::fs::read_to_string(dir.join("model.json")).unwrap(),
            "old"
        );
        assert!(matches!(
            inspect_target(&dir).unwrap(),
            Target::Folder {
                set: SetStatus::Complete(_),
                ..
            }
        ));
    }

    #[test]
    fn a_second_writer_is_refused_with_the_first_ones_pid() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("out");
        let first = OutputSet::begin(&dir, false, &NoProgress).unwrap();
        let e = match OutputSet::begin(&dir, true, &NoProgress) {
            Err(e) => e.to_string(),
            Ok(_) => panic!("two writers"),
        };
        assert!(
            e.contains("another custseg run") && e.contains(&std::process::id().to_string()),
            "{e}"
        );
        drop(first);
        assert_eq!(names(&dir), Vec::<String>::new(), "lock and stage removed");
        assert!(OutputSet::begin(&dir, false, &NoProgress).is_ok());
    }

    #[test]
    fn leftovers_of_a_dead_run_are_removed_and_reported_until_then() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("out");
        write_set(&dir, &[("model.json", "old")], false).unwrap();
        // A killed run: staging folder, no manifest, a temp file of a dead pid.
        std::fs::create_dir(dir.join(".custseg-stage-999999999-abc")).unwrap();
        std::fs::write(dir.join(".custseg-stage-999999999-abc/model.json"), "x").unwrap();
        std::fs::write(dir.join(".custseg-999999999-zz.tmp"), "x").unwrap();
        std::fs::remove_file(dir.join(MANIFEST_JSON)).unwrap();
        let status = inspect_target(&dir).unwrap();
        assert!(
            matches!(&status, Target::Folder { entries: 1, set: SetStatus::Incomplete(why) } if why.contains("interrupted")),
            "{status:?}"
        );
        write_set(&dir, &[("model.json", "new")], true).unwrap();
        assert_eq!(names(&dir), ["manifest.json", "model.json"]);
    }

    #[test]
    fn a_changed_member_is_reported() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("out");
        write_set(&dir, &[("model.json", "abc"), ("run.toml", "x")], false).unwrap();
        assert_eq!(check_member(&dir.join("model.json")).unwrap(), None);
        std::fs::write(dir.join("model.json"), "abd").unwrap();
        let why = check_member(&dir.join("model.json")).unwrap().unwrap();
        assert!(why.contains("SHA-256"), "{why}");
        std::fs::write(dir.join("run.toml"), "longer").unwrap();
        let why = check_member(&dir.join("model.json")).unwrap().unwrap();
        assert!(
            why.contains("incomplete") && why.contains("run.toml"),
            "{why}"
        );
        // A model copied on its own is fine.
        let alone = tmp.path().join("alone");
        std::fs::create_dir(&alone).unwrap();
        std::fs::write(alone.join("model.json"), "abc").unwrap();
        assert_eq!(check_member(&alone.join("model.json")).unwrap(), None);
    }

    #[test]
    fn hostile_manifest_names_are_refused() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(
            tmp.path().join(MANIFEST_JSON),
            r#"{"format":"custseg-outputs","created_by":"x","files":[{"name":"../etc","bytes":1,"sha256":""}]}"#,
        )
        .unwrap();
        assert!(Manifest::read(tmp.path()).is_err());
    }

    #[cfg(unix)]
    #[test]
    fn special_files_in_the_folder_are_never_replaced() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("out");
        std::fs::create_dir(&dir).unwrap();
        std::os::unix::fs::symlink("/etc/hostname", dir.join("model.json")).unwrap();
        let e = write_set(&dir, &[("model.json", "x")], true).unwrap_err();
        assert!(e.to_string().contains("symbolic link"), "{e}");
        assert!(
            std::fs::symlink_metadata(dir.join("model.json"))
                .unwrap()
                .is_symlink()
        );
        assert_eq!(names(&dir), ["model.json"]);
    }
}
