//! Input errors located in the file: `file:line:column: message`.

use std::fmt;
use std::ops::Range;

/// One problem in a flowsheet file, at a byte range of its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub span: Range<usize>,
    pub message: String,
}

impl Diagnostic {
    pub fn new(span: Range<usize>, message: impl Into<String>) -> Self {
        Self {
            span,
            message: message.into(),
        }
    }
}

/// Every problem found in one file, rendered with line and column numbers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputErrors {
    pub file: String,
    pub located: Vec<(usize, usize, String)>,
}

impl InputErrors {
    pub fn new(file: &str, text: &str, diagnostics: Vec<Diagnostic>) -> Self {
        let located = diagnostics
            .into_iter()
            .map(|d| {
                let (line, column) = line_column(text, d.span.start);
                (line, column, d.message)
            })
            .collect();
        Self {
            file: file.to_string(),
            located,
        }
    }
}

impl fmt::Display for InputErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (k, (line, column, message)) in self.located.iter().enumerate() {
            if k > 0 {
                writeln!(f)?;
            }
            write!(f, "{}:{line}:{column}: error: {message}", self.file)?;
        }
        Ok(())
    }
}

impl std::error::Error for InputErrors {}

/// 1-based line and column (in characters) of byte `offset` in `text`.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_columns_are_one_based() {
        let text = "a = 1\nbb = 2\n";
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, 6), (2, 1));
        assert_eq!(line_column(text, 11), (2, 6));
    }
}
