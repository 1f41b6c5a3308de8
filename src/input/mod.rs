//! Flowsheet files: TOML text to a validated [`crate::flowsheet::Flowsheet`]. Parse
//! into raw records with spans ([`raw`]), then validate (`validate.rs`); every error names
//! `file:line:column`. This module reads text, not files: the caller owns the IO.

mod diagnostic;
pub mod raw;
mod template;
mod validate;

pub use diagnostic::{Diagnostic, InputErrors, line_column};
pub use template::{FieldPath, FieldValue, FlowsheetTemplate};
pub use validate::{COMPOSITION_SUM_TOLERANCE, MAX_STAGES};

use crate::flowsheet::Flowsheet;

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
    let raw: raw::RawFlowsheet = toml::from_str(text).map_err(|e| {
        let span = e.span().unwrap_or(0..0);
        let message = e.message().trim_end().replace('\n', " ");
        InputErrors::new(file, text, vec![Diagnostic::new(span, message)])
    })?;
    validate::validate(raw, 0..text.len(), design_mode).map_err(|d| InputErrors::new(file, text, d))
}
