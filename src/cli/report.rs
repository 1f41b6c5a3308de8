//! `sxcascade report FILE -o DIR`: the plotted HTML report and its PNG and CSV files.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use sxcascade::SolverOptions;
use sxcascade::atomic::{create_output_dir, write_atomically};
use sxcascade::report::{Provenance, plotted_report};

use crate::outln;

use super::super::EXIT_OFF_SPEC;
use super::{exit_code, flowsheet_and_template, read};

pub fn report(file: &Path, dir: &Path) -> ExitCode {
    exit_code(write(file, dir).map(|(html, on_spec)| {
        outln!("report written to {}", html.display());
        if on_spec {
            ExitCode::SUCCESS
        } else {
            crate::errln!(
                "the flowsheet did not converge, or a product is off spec: see the report"
            );
            ExitCode::from(EXIT_OFF_SPEC)
        }
    }))
}

/// Writes every file of the report into `dir` (each whole or not at all); returns the HTML's
/// path and whether the flowsheet solved with every product on spec.
fn write(file: &Path, dir: &Path) -> Result<(PathBuf, bool), String> {
    let text = read(file)?;
    let (flowsheet, template) = flowsheet_and_template(file, &text)?;
    // The input's full path, so that a report handed on says which file it came from.
    let input = std::fs::canonicalize(file).unwrap_or_else(|_| file.to_path_buf());
    let provenance = Provenance {
        input: input.display().to_string(),
        written: utc_now(),
    };
    let report = plotted_report(&template, &flowsheet, SolverOptions::default(), &provenance)
        .map_err(|e| format!("error: {e}"))?;
    create_output_dir(dir).map_err(|e| format!("error: {e}"))?;
    // The page last, so that a report.html present means its files are too.
    for (name, bytes) in report.files.iter().rev() {
        write_atomically(&dir.join(name), bytes).map_err(|e| format!("error: {e}"))?;
    }
    let solution = &report.solution;
    Ok((
        dir.join("report.html"),
        solution.converged() && solution.all_products_meet_spec(),
    ))
}

/// The time now as `2026-12-07 19:40 UTC`.
fn utc_now() -> String {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (days, rest) = (seconds / 86_400, seconds % 86_400);
    let (year, month, day) = civil_from_days(days as i64);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02} UTC",
        rest / 3600,
        rest % 3600 / 60
    )
}

/// The proleptic Gregorian date of `days` since 1970-01-01 (H. Hinnant, "chrono-compatible
/// low-level date algorithms", `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::civil_from_days;

    #[test]
    fn dates_from_days() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert_eq!(civil_from_days(20_794), (2026, 12, 7));
    }
}
