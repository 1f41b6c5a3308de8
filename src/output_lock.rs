//! One writer per output: a long run (a sweep) takes an advisory lock on `.NAME.lock` beside
//! its output `NAME` before it touches the output or its checkpoints, and a second run to the
//! same output is refused at once instead of racing the first for the checkpoints.
//!
//! The lock is `flock(2)` through [`File::try_lock`]: the kernel drops it when its holder
//! dies, so a killed run never leaves a lock that blocks the next one. The file is removed by
//! its holder when done, while still locked; a run that locked a file just removed sees that
//! its path no longer names it and takes the lock again.

use std::fs::{self, File, OpenOptions, TryLockError};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use crate::atomic::{same_file, split};

/// Attempts at a lock file that is not removed under us by a finishing holder.
const ATTEMPTS: usize = 8;

/// The lock on one output, held until dropped.
#[derive(Debug)]
pub struct OutputLock {
    path: PathBuf,
    /// `None` on a filesystem that does not support locks.
    file: Option<File>,
}

impl OutputLock {
    /// Takes the lock of `output`. Fails at once, naming the output, if another process holds
    /// it. On a filesystem without locks (some cluster filesystems mounted without `flock`)
    /// it succeeds unlocked: see [`OutputLock::is_held`].
    pub fn take(output: &Path) -> Result<Self, String> {
        let (_, name) = split(output)?;
        let mut file_name = std::ffi::OsString::from(".");
        file_name.push(name);
        file_name.push(".lock");
        let path = output.with_file_name(file_name);
        for _ in 0..ATTEMPTS {
            let file = OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .mode(0o666)
                .open(&path)
                .map_err(|e| format!("cannot create the lock file {}: {e}", path.display()))?;
            match file.try_lock() {
                Ok(()) if same_file(&path, &file) => {
                    return Ok(Self {
                        path,
                        file: Some(file),
                    });
                }
                Ok(()) => continue,
                Err(TryLockError::WouldBlock) => {
                    return Err(format!(
                        "{} is being written by another sxcascade (it holds {}): wait for it \
                         to finish, or write to another output",
                        output.display(),
                        path.display()
                    ));
                }
                Err(TryLockError::Error(_)) => {
                    // Not removed: another run may be relying on the same (absent) lock.
                    return Ok(Self { path, file: None });
                }
            }
        }
        Err(format!(
            "cannot take the lock {}: it keeps being replaced",
            path.display()
        ))
    }

    /// Whether the lock is held: false on a filesystem that does not support locks, where
    /// two runs writing one output are not detected.
    pub fn is_held(&self) -> bool {
        self.file.is_some()
    }
}

impl Drop for OutputLock {
    fn drop(&mut self) {
        if self.file.is_some() {
            let _ = fs::remove_file(&self.path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_on_one_output_is_refused_until_the_first_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let output = dir.path().join("out.csv");
        let first = OutputLock::take(&output).unwrap();
        assert!(first.is_held());
        let refused = OutputLock::take(&output).unwrap_err();
        assert!(
            refused.contains("being written by another sxcascade"),
            "{refused}"
        );
        // Another output in the same directory has its own lock.
        let other = OutputLock::take(&dir.path().join("other.csv")).unwrap();
        drop(first);
        assert!(
            !dir.path().join(".out.csv.lock").exists(),
            "removed when done"
        );
        assert!(OutputLock::take(&output).is_ok());
        drop(other);
    }
}
