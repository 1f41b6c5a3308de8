//! TOML and serde errors in the words of the file's reader. serde speaks of Rust types
//! ("invalid type: string \"4.4\", expected f64"); an engineer editing a flowsheet needs "expected
//! a number, found the text \"4.4\"", the key it is about, and for a misspelt key the one that
//! was meant. Every reader of a TOML file in the crate (flowsheets, sweep files, sweep
//! templates) turns its errors into messages here.

use std::ops::Range;

use super::diagnostic::Diagnostic;
use super::suggest::closest;

/// A TOML parse or read error of `text` as a located message in plain words.
pub fn toml_diagnostic(text: &str, error: &toml::de::Error) -> Diagnostic {
    let span = error.span().unwrap_or(0..0);
    let message = error.message().trim_end().replace('\n', " ");
    Diagnostic::new(span.clone(), plain(&message, text, span))
}

/// serde's `message` about the value at `span` of `text`, reworded; a message of another
/// shape (TOML syntax) is kept as it is.
fn plain(message: &str, text: &str, span: Range<usize>) -> String {
    let mismatch = message
        .strip_prefix("invalid type: ")
        .or_else(|| message.strip_prefix("invalid value: "))
        .and_then(|rest| rest.rsplit_once(", expected "));
    if let Some((found, expected)) = mismatch {
        let value = text.get(span.clone()).unwrap_or_default();
        let said = format!(
            "expected {}, found {}",
            expected_words(expected, found),
            found_words(found, expected, value)
        );
        return match key_before(text, span.start) {
            Some(key) => format!("`{key}`: {said}"),
            None => said,
        };
    }
    if let Some(rest) = message.strip_prefix("unknown field `")
        && let Some((name, known)) = rest.split_once('`')
    {
        let known = backticked(known);
        return match closest(name, known.iter().copied()) {
            Some(meant) => format!("unknown field `{name}`: did you mean `{meant}`?"),
            None if known.is_empty() => format!("unknown field `{name}`: this table has none"),
            None => format!(
                "unknown field `{name}`; the fields here are {}",
                known.join(", ")
            ),
        };
    }
    if let Some(rest) = message.strip_prefix("missing field `") {
        let name = rest.trim_end_matches('`');
        // The span is the table's: its `[header]` line, or an inline `{ ... }`.
        let header = text
            .get(span.start..)
            .filter(|t| t.starts_with('['))
            .and_then(|t| t.lines().next())
            .and_then(|l| l.split('#').next())
            .map(str::trim);
        return match header {
            Some(header) => format!("`{header}` lacks `{name}`: add `{name} = ...` to it"),
            // The whole file's table starts at its first byte.
            None if span.start == 0 => {
                format!("the file lacks `{name}`: add `{name} = ...` before the first [table]")
            }
            None => format!("this table lacks `{name}`: add `{name} = ...` to it"),
        };
    }
    if let Some(rest) = message.strip_prefix("unknown variant `")
        && let Some((name, known)) = rest.split_once('`')
    {
        let known = backticked(known);
        return match closest(name, known.iter().copied()) {
            Some(meant) => format!("`{name}` is not allowed here: did you mean `{meant}`?"),
            None => format!(
                "`{name}` is not allowed here; use one of {}",
                known.join(", ")
            ),
        };
    }
    message.to_string()
}

/// What serde's `expected` (a Rust type or a `expecting` text) asks for, in words; `found`
/// tells a negative whole number from one too large.
fn expected_words(expected: &str, found: &str) -> String {
    let unsigned_max = match expected {
        "u8" => Some(u64::from(u8::MAX)),
        "u16" => Some(u64::from(u16::MAX)),
        "u32" => Some(u64::from(u32::MAX)),
        "u64" | "usize" => Some(u64::MAX),
        _ => None,
    };
    if let Some(max) = unsigned_max {
        let negative = found.starts_with("integer `-");
        return if found.starts_with("integer `") && !negative {
            format!("a whole number no larger than {max}")
        } else {
            "a whole number (0 or more)".to_string()
        };
    }
    match expected {
        "f64" | "f32" => "a number".into(),
        "i8" | "i16" | "i32" | "i64" | "isize" => "a whole number".into(),
        "a boolean" => "true or false".into(),
        "a string" | "a borrowed string" | "string" | "a character" => {
            "text in double quotes".into()
        }
        "a sequence" => "a list in brackets, [...]".into(),
        "a map" => "a table".into(),
        other if other.starts_with("struct ") => "a table".into(),
        other => other.into(),
    }
}

/// serde's description of the value found (`string "4.4"`, `floating point `33.5``, `map`),
/// in words; `value` is its text in the file.
fn found_words(found: &str, expected: &str, value: &str) -> String {
    let numeric = matches!(
        expected,
        "f64" | "f32" | "u8" | "u16" | "u32" | "u64" | "usize" | "i8" | "i16" | "i32" | "i64"
    );
    if let Some(quoted) = found.strip_prefix("string ") {
        let unquoted = quoted.trim_matches('"');
        return if numeric && unquoted.trim().parse::<f64>().is_ok() {
            format!("the text {quoted} (remove the quotes to give a number)")
        } else {
            format!("the text {quoted}")
        };
    }
    let inner = |prefix: &str| {
        found
            .strip_prefix(prefix)
            .map(|rest| rest.trim_matches('`').to_string())
    };
    if let Some(x) = inner("floating point ") {
        // As written (serde prints 1e308 with all its digits).
        let x = if value.trim().parse::<f64>().is_ok() {
            value.trim().to_string()
        } else {
            x
        };
        return if numeric {
            x
        } else {
            format!("the number {x}")
        };
    }
    if let Some(x) = inner("integer ") {
        return if numeric {
            x
        } else {
            format!("the number {x}")
        };
    }
    if let Some(x) = inner("boolean ") {
        return x;
    }
    match found {
        "sequence" => "a list".into(),
        // TOML dates and times reach serde as tables.
        "map" if value.starts_with(|c: char| c.is_ascii_digit()) => "a date or time".into(),
        "map" => "a table".into(),
        other => other.into(),
    }
}

/// The bare key written before the value that starts at byte `start` (`key = value`).
fn key_before(text: &str, start: usize) -> Option<&str> {
    let before = text.get(..start)?.trim_end().strip_suffix('=')?.trim_end();
    let from = before
        .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        .map_or(0, |i| i + 1);
    let key = &before[from..];
    (!key.is_empty()).then_some(key)
}

/// The names between backticks in serde's "expected one of `a`, `b`".
fn backticked(text: &str) -> Vec<&str> {
    text.split('`').skip(1).step_by(2).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn said(message: &str, text: &str, value: &str) -> String {
        let start = text.find(value).unwrap();
        plain(message, text, start..start + value.len())
    }

    #[test]
    fn type_mismatches_name_the_key_and_no_rust_type() {
        let cases = [
            (
                "invalid type: string \"4.4\", expected f64",
                "reflux_ratio = \"4.4\"",
                "\"4.4\"",
                "`reflux_ratio`: expected a number, found the text \"4.4\" (remove the quotes",
            ),
            (
                "invalid type: floating point `33.5`, expected u32",
                "scrub_stages = 33.5",
                "33.5",
                "`scrub_stages`: expected a whole number (0 or more), found 33.5",
            ),
            (
                "invalid value: integer `-3`, expected u32",
                "scrub_stages = -3",
                "-3",
                "expected a whole number (0 or more), found -3",
            ),
            (
                "invalid value: integer `99999999999`, expected u32",
                "scrub_stages = 99999999999",
                "99999999999",
                "expected a whole number no larger than 4294967295, found 99999999999",
            ),
            (
                "invalid type: integer `3`, expected a string",
                "name = 3",
                "3",
                "`name`: expected text in double quotes, found the number 3",
            ),
            (
                "invalid type: boolean `true`, expected f64",
                "x = { Nd = true }",
                "true",
                "`Nd`: expected a number, found true",
            ),
            (
                "invalid type: sequence, expected f64",
                "reflux_ratio = [4.4]",
                "[4.4]",
                "expected a number, found a list",
            ),
            (
                "invalid type: map, expected a sequence",
                "raffinate_elements = { a = 1 }",
                "{ a = 1 }",
                "expected a list in brackets, [...], found a table",
            ),
            (
                "invalid type: map, expected f64",
                "reflux_ratio = 1979-05-27",
                "1979-05-27",
                "expected a number, found a date or time",
            ),
        ];
        for (message, text, value, expected) in cases {
            let got = said(message, text, value);
            assert!(got.contains(expected), "{got}");
            for rust in [
                "f64",
                "u32",
                "sequence",
                "map",
                "floating point",
                "invalid type",
            ] {
                assert!(!got.contains(rust), "{got}");
            }
        }
    }

    #[test]
    fn an_unknown_field_gets_the_close_one_or_the_list() {
        let message = "unknown field `scrub_stage`, expected one of `name`, `scrub_stages`";
        assert_eq!(
            plain(message, "", 0..0),
            "unknown field `scrub_stage`: did you mean `scrub_stages`?"
        );
        let message = "unknown field `colour`, expected one of `name`, `scrub_stages`";
        assert_eq!(
            plain(message, "", 0..0),
            "unknown field `colour`; the fields here are name, scrub_stages"
        );
    }
}
