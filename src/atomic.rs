//! Whole files or none: every file sxcascade writes goes through a temporary file beside it,
//! synced and renamed into place, so an interrupted run (a killed job, a full disk) never
//! leaves a half-written result that looks like a finished one.
//!
//! Results are files like any other program's: created with mode 0666 less the umask (0644
//! under umask 022, 0664 under 002), as `open(O_CREAT, 0666)` would, so that colleagues on a
//! shared cluster filesystem can read them. The temporary of `DIR/NAME` is
//! `DIR/.NAME.XXXXXX.tmp` and is locked while it is written; one left by a killed run is
//! removed by the next write of `DIR/NAME`, once its lock shows no live process holds it.

use std::ffi::OsStr;
use std::fs::{self, File, TryLockError};
use std::io::Write;
use std::path::Path;

use tempfile::NamedTempFile;

/// Random characters in a temporary's name.
const RANDOM_LEN: usize = 6;
/// Attempts at a temporary that no cleaner removes between its creation and its lock.
const ATTEMPTS: usize = 8;

/// Writes `contents` to `path` atomically (rename is atomic within a directory on POSIX).
pub fn write_atomically(path: &Path, contents: &[u8]) -> Result<(), String> {
    check_output_file(path)?;
    let (dir, name) = split(path)?;
    remove_stale_temporaries(dir, name);
    let written = temporary(dir, name).and_then(|mut tmp| {
        tmp.write_all(contents)?;
        tmp.as_file().sync_all()?;
        tmp.persist(path).map_err(|e| e.error)?;
        Ok(())
    });
    written.map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Refuses an output file that exists and is not a regular file: renaming over a device, a
/// pipe or a directory (`-o /dev/null`) would replace it.
pub fn check_output_file(path: &Path) -> Result<(), String> {
    match fs::metadata(path) {
        Ok(m) if !m.is_file() => Err(format!(
            "{} exists and is not a regular file ({}): give the path of a new or a regular file",
            path.display(),
            kind(&m)
        )),
        _ => Ok(()),
    }
}

/// Creates the output directory `dir` (and its parents) unless it exists; refuses a path
/// that exists and is not a directory.
pub fn create_output_dir(dir: &Path) -> Result<(), String> {
    match fs::metadata(dir) {
        Ok(m) if m.is_dir() => Ok(()),
        Ok(m) => Err(format!(
            "cannot create the output directory {}: it exists and is a {}",
            dir.display(),
            kind(&m)
        )),
        Err(_) => fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create the output directory {}: {e}", dir.display())),
    }
}

fn kind(m: &fs::Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let t = m.file_type();
    if t.is_dir() {
        "directory"
    } else if t.is_char_device() || t.is_block_device() {
        "device"
    } else if t.is_fifo() {
        "named pipe"
    } else if t.is_socket() {
        "socket"
    } else if t.is_file() {
        "regular file"
    } else {
        "special file"
    }
}

/// The directory and the file name of an output path.
pub(crate) fn split(path: &Path) -> Result<(&Path, &OsStr), String> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .ok_or_else(|| format!("{}: not a file name", path.display()))?;
    Ok((dir, name))
}

/// A new temporary for `dir/name`, locked, and still at its path once locked (a cleaner may
/// have taken it for stale between its creation and the lock: then another is made).
fn temporary(dir: &Path, name: &OsStr) -> std::io::Result<NamedTempFile> {
    let mut prefix = std::ffi::OsString::from(".");
    prefix.push(name);
    prefix.push(".");
    for _ in 0..ATTEMPTS {
        let tmp = tempfile::Builder::new()
            .prefix(&prefix)
            .suffix(".tmp")
            .rand_bytes(RANDOM_LEN)
            .permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666))
            .tempfile_in(dir)?;
        match tmp.as_file().try_lock() {
            // A filesystem without locks: nothing can be told stale there, so nothing is
            // removed as stale either.
            Err(TryLockError::Error(_)) => return Ok(tmp),
            Err(TryLockError::WouldBlock) => continue,
            Ok(()) if same_file(tmp.path(), tmp.as_file()) => return Ok(tmp),
            Ok(()) => continue,
        }
    }
    Err(std::io::Error::other(
        "no temporary file could be kept: another process keeps removing them",
    ))
}

/// Whether `path` still names the open `file` (not removed or replaced).
pub(crate) fn same_file(path: &Path, file: &File) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (fs::metadata(path), file.metadata()) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

/// Removes the temporaries of `dir/name` that a killed run left: those whose lock can be
/// taken. A temporary being written is locked by its writer and left alone. Best effort: a
/// temporary that cannot be removed is no reason not to write the output.
pub fn remove_stale_temporaries(dir: &Path, name: &OsStr) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        if is_temporary_of(&entry.file_name(), name) {
            remove_if_unlocked(&entry.path());
        }
    }
}

/// Whether `file` is a temporary of the output `name`: `.NAME.XXXXXX.tmp`.
fn is_temporary_of(file: &OsStr, name: &OsStr) -> bool {
    let (Some(file), Some(name)) = (file.to_str(), name.to_str()) else {
        return false;
    };
    file.strip_prefix('.')
        .and_then(|f| f.strip_prefix(name))
        .and_then(|f| f.strip_prefix('.'))
        .and_then(|f| f.strip_suffix(".tmp"))
        .is_some_and(|r| r.len() == RANDOM_LEN && r.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// Removes `path` if no process holds its lock (removed while this one holds it, so a writer
/// that locks it afterwards sees it gone: [`same_file`]).
fn remove_if_unlocked(path: &Path) {
    if let Ok(file) = File::open(path)
        && file.try_lock().is_ok()
    {
        let _ = fs::remove_file(path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temporaries_are_told_by_their_output_name() {
        let name = OsStr::new("out.csv");
        assert!(is_temporary_of(OsStr::new(".out.csv.Ab3dE9.tmp"), name));
        for other in [
            ".out.csv.x.Ab3dE9.tmp",
            ".out.csv.Ab3dE.tmp",
            "out.csv.Ab3dE9.tmp",
            ".out.csvAb3dE9.tmp",
            ".out.csv.Ab-dE9.tmp",
            ".tmpAb3dE9",
        ] {
            assert!(!is_temporary_of(OsStr::new(other), name), "{other}");
        }
    }
}
