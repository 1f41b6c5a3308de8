//! Standard output as a Unix tool treats it: everything the commands print goes through
//! [`out!`](crate::out) and [`outln!`](crate::outln), and [`finish`] decides the exit.
//!
//! A reader that stops reading (`sxcascade run --json F | head -c 10`) closes the pipe: the
//! rest of the output is dropped without a word, as `cat` would stop, and the command's own
//! exit code stands. Any other failure (`> /dev/full`, a disk that fills) is an error the user
//! must see: one message on stderr and exit 2, since the output asked for was not written.
//! `println!` would panic (exit 101) in both cases, and is denied in the binary.

use std::io::{self, ErrorKind, Write};
use std::process::ExitCode;
use std::sync::{Mutex, PoisonError};

use super::super::EXIT_BAD_INPUT;

enum State {
    Open,
    /// The reader went away: the rest is dropped.
    Closed,
    /// Writing failed: reported by [`finish`].
    Failed(io::Error),
}

static STATE: Mutex<State> = Mutex::new(State::Open);

/// Writes `text` to standard output, unless an earlier write found it closed or failing.
pub fn write(text: &str) {
    let mut state = STATE.lock().unwrap_or_else(PoisonError::into_inner);
    if let State::Open = *state
        && let Err(e) = io::stdout().lock().write_all(text.as_bytes())
    {
        *state = failure(e);
    }
}

/// The exit code once everything is printed: `code`, or 2 after a message if standard output
/// could not take what was written to it (checked after a last flush, which Rust's own exit
/// would do silently).
pub fn finish(code: ExitCode) -> ExitCode {
    let mut state = STATE.lock().unwrap_or_else(PoisonError::into_inner);
    if let State::Open = *state
        && let Err(e) = io::stdout().lock().flush()
    {
        *state = failure(e);
    }
    match &*state {
        State::Failed(e) => {
            crate::errln!("error: cannot write the output to standard output: {e}");
            ExitCode::from(EXIT_BAD_INPUT)
        }
        State::Open | State::Closed => code,
    }
}

fn failure(e: io::Error) -> State {
    if e.kind() == ErrorKind::BrokenPipe {
        State::Closed
    } else {
        State::Failed(e)
    }
}

/// `print!` through [`write`].
#[macro_export]
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::cli::stdout::write(&format!($($arg)*))
    };
}

/// `println!` through [`write`].
#[macro_export]
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::cli::stdout::write(&format!("{}\n", format_args!($($arg)*)))
    };
}
