//! Standard error for messages: written whole or not at all. `eprintln!` panics (exit 101)
//! when stderr cannot be written (`2>/dev/full`, a closed terminal); a message that cannot be
//! shown is dropped instead, and the exit code still says what happened.

use std::io::Write;

/// Writes `text` to standard error, ignoring a failure to write it.
pub fn write(text: &str) {
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}

/// `eprintln!` through [`write`].
#[macro_export]
macro_rules! errln {
    ($($arg:tt)*) => {
        $crate::cli::stderr::write(&format!("{}\n", format_args!($($arg)*)))
    };
}
