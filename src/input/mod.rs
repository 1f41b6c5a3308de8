//! Flowsheet files: TOML text to a validated [`crate::flowsheet::Flowsheet`]. Parse
//! into raw records with spans ([`raw`]), then validate (`validate.rs`); every error names
//! `file:line:column`. This module reads text, not files: the caller owns the IO.

mod diagnostic;
mod plain_words;
pub mod raw;
pub mod suggest;
mod template;
mod validate;

pub use diagnostic::{Diagnostic, InputErrors, line_column};
pub use plain_words::toml_diagnostic;
pub use template::{FieldPath, FieldValue, FlowsheetTemplate};
pub use validate::{COMPOSITION_SUM_TOLERANCE, MAX_STAGES};

use crate::flowsheet::Flowsheet;

/// The text of a file given as `bytes`, read from `file` (used only in messages): UTF-8, or an
/// error at the line and column of the first byte that is not (a file saved as Latin-1 or
/// Windows-1252, say, with a degree sign or an accented name in a comment).
pub fn decode(file: &str, bytes: Vec<u8>) -> Result<String, InputErrors> {
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let bytes = e.as_bytes();
        let before = std::str::from_utf8(&bytes[..at]).expect("valid up to `at`");
        let message = format!(
            "the file is not UTF-8 text: byte 0x{:02X} here is not a character in UTF-8; save \
             the file as UTF-8",
            bytes[at]
        );
        InputErrors::new(file, before, vec![Diagnostic::new(at..at, message)])
    })
}

/// Parses and validates the flowsheet `text`, read from `file` (used only in messages).
pub fn parse_flowsheet(file: &str, text: &str) -> Result<Flowsheet, InputErrors> {
    parse(file, text, false)
}

/// As [`parse_flowsheet`], but cascades with design targets may leave out their stage counts
/// and ratios: the input of `sxcascade design`.
pub fn parse_flowsheet_for_design(file: &str, text: &str) -> Result<Flowsheet, InputErrors> {
    parse(file, text, true)
}

fn parse(file: &str, text: &str, design_mode: bool) -> Result<Flowsheet, InputErrors> {
    let raw: raw::RawFlowsheet = toml::from_str(text)
        .map_err(|e| InputErrors::new(file, text, vec![toml_diagnostic(text, &e)]))?;
    validate::validate(raw, 0..text.len(), design_mode).map_err(|d| InputErrors::new(file, text, d))
}
