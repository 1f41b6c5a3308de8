//! Whole files or none: every file sxcascade writes goes through a temporary file beside it,
//! synced and renamed into place, so an interrupted run (a killed job, a full disk) never
//! leaves a half-written result that looks like a finished one.

use std::io::Write;
use std::path::Path;

/// Writes `contents` to `path` atomically (rename is atomic within a directory on POSIX).
pub fn write_atomically(path: &Path, contents: &[u8]) -> Result<(), String> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let written = tempfile::NamedTempFile::new_in(dir).and_then(|mut tmp| {
        tmp.write_all(contents)?;
        tmp.as_file().sync_all()?;
        tmp.persist(path).map_err(|e| e.error)?;
        Ok(())
    });
    written.map_err(|e| format!("cannot write {}: {e}", path.display()))
}
