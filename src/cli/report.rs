//! `sxcascade report FILE -o DIR`: the plotted HTML report and its PNG and CSV files.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use sxcascade::SolverOptions;
use sxcascade::atomic::{create_output_dir, write_atomically};
use sxcascade::report::plotted_report;

use crate::outln;

use super::super::EXIT_OFF_SPEC;
use super::{exit_code, flowsheet_and_template, read};

pub fn report(file: &Path, dir: &Path) -> ExitCode {
    exit_code(write(file, dir).map(|(html, on_spec)| {
        outln!("report written to {}", html.display());
        if on_spec {
            ExitCode::SUCCESS
        } else {
            eprintln!("the flowsheet did not converge, or a product is off spec: see the report");
            ExitCode::from(EXIT_OFF_SPEC)
        }
    }))
}

/// Writes every file of the report into `dir` (each whole or not at all); returns the HTML's
/// path and whether the flowsheet solved with every product on spec.
fn write(file: &Path, dir: &Path) -> Result<(PathBuf, bool), String> {
    let text = read(file)?;
    let (flowsheet, template) = flowsheet_and_template(file, &text)?;
    let report = plotted_report(&template, &flowsheet, SolverOptions::default())
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
