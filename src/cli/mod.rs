//! Subcommands of the binary that have more to do than fit in `main.rs`, and what they share:
//! reading a flowsheet as both a flowsheet and a template, and turning an error into exit 2.

pub mod off_spec;
pub mod plot;
pub mod plot_sweep;
pub mod report;
pub mod shard;
pub mod stderr;
pub mod stdout;
pub mod sweep;

use std::path::Path;
use std::process::ExitCode;

use sxcascade::flowsheet::Flowsheet;
use sxcascade::input::{FlowsheetTemplate, decode, parse_flowsheet};

use super::EXIT_BAD_INPUT;

/// The command's own exit code, or 2 (bad input) after printing its error. Messages located
/// in a file (`file:line:column: error: ...`) and the command line's own (`error: ...`) come
/// with their prefix; the library's bare sentences get `error: ` here, and nothing gets two.
pub fn exit_code(result: Result<ExitCode, String>) -> ExitCode {
    result.unwrap_or_else(|message| {
        let first = message.lines().next().unwrap_or_default();
        if first.starts_with("error: ") || first.contains(": error: ") {
            crate::errln!("{message}");
        } else {
            crate::errln!("error: {message}");
        }
        ExitCode::from(EXIT_BAD_INPUT)
    })
}

/// The file's text, or an error naming it (and the line and column of a byte that is not
/// UTF-8).
pub fn read(path: &Path) -> Result<String, String> {
    let name = path.display().to_string();
    let bytes =
        std::fs::read(path).map_err(|e| format!("{name}: error: cannot read the file: {e}"))?;
    decode(&name, bytes).map_err(|e| e.to_string())
}

/// `text` (read from `path`) validated as a flowsheet, and as a template whose numbers can be
/// set for curves and sweeps.
pub fn flowsheet_and_template<'a>(
    path: &Path,
    text: &'a str,
) -> Result<(Flowsheet, FlowsheetTemplate<'a>), String> {
    let name = path.display().to_string();
    let flowsheet = parse_flowsheet(&name, text).map_err(|e| e.to_string())?;
    let template = FlowsheetTemplate::parse(&name, text).map_err(|e| e.to_string())?;
    Ok((flowsheet, template))
}
