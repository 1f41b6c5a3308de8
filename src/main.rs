//! The `sxcascade` command line: a thin shell over the library that reads files, prints
//! results and maps outcomes to exit codes (0 solved and on spec; 1 solved but off spec or
//! not converged; 2 bad input).

// Standard output goes through `cli::stdout`, which copes with a closed pipe or a full disk.
#![deny(clippy::print_stdout, clippy::print_stderr)]

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, Subcommand};

use sxcascade::SolverOptions;
use sxcascade::atomic::{create_output_dir, write_atomically};
use sxcascade::design::{DesignError, PlantDesign, designed_plant_toml};
use sxcascade::flowsheet::{Flowsheet, FlowsheetSolution};
use sxcascade::input::{
    Diagnostic, FieldPath, FlowsheetTemplate, InputErrors, parse_flowsheet,
    parse_flowsheet_for_design,
};
use sxcascade::report::{csv_files, design_table, run_report, summary};

#[derive(Parser)]
#[command(
    name = "sxcascade",
    version,
    about = "Steady-state simulation of solvent-extraction cascades for rare-earth separation"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Solve a flowsheet and report streams, products and convergence.
    Run {
        /// Flowsheet file (TOML).
        file: PathBuf,
        /// Print the result as one JSON object instead of tables.
        #[arg(long)]
        json: bool,
        /// Include stage profiles of both phases (in the JSON result, or as tables).
        #[arg(long)]
        profiles: bool,
        /// Also write streams.csv, products.csv, cascades.csv and profile_<cascade>.csv to
        /// this directory (created if missing; each file written whole or not at all).
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
    /// Size the cascades that give design targets ([cascades.design]) and print the design.
    Design {
        /// Flowsheet file (TOML) with design targets.
        file: PathBuf,
        /// Write the designed flowsheet (the input with stage counts and ratios filled in).
        #[arg(short, long, value_name = "DESIGNED.toml")]
        output: Option<PathBuf>,
    },
    /// Solve a flowsheet for every case of a parameter sweep, in parallel; one CSV row per case.
    Sweep(cli::sweep::SweepArgs),
    /// Merge the part files of a sharded sweep, checking every case is there exactly once.
    Merge {
        /// The sweep's output directory.
        dir: PathBuf,
        /// The merged CSV file.
        #[arg(short, long, value_name = "FILE")]
        output: PathBuf,
    },
    /// Write a plotted report: one self-contained HTML page (flowsheet diagram, tables,
    /// profiles and curves of every cascade), with PNG copies of the plots and CSV tables.
    Report {
        /// Flowsheet file (TOML).
        file: PathBuf,
        /// The report's directory (created if missing).
        #[arg(short, long, value_name = "DIR")]
        output: PathBuf,
    },
    /// Plot one cascade: purity and recovery against stages or reflux, or stage profiles.
    Plot(cli::plot::PlotArgs),
    /// Draw a sweep's results: a heatmap over two varied columns with the edge of the on-spec
    /// region, curves over one, or Monte Carlo histograms with percentiles.
    PlotSweep(cli::plot_sweep::PlotSweepArgs),
    /// Validate a flowsheet file without solving it.
    Check {
        /// Flowsheet file (TOML).
        file: PathBuf,
    },
}

mod cli;

const EXIT_OFF_SPEC: u8 = 1;
const EXIT_BAD_INPUT: u8 = 2;

fn main() -> ExitCode {
    let code = match Cli::parse().command {
        Command::Run {
            file,
            json,
            profiles,
            out,
        } => load(&file).map_or_else(|code| code, |f| run(&f, json, profiles, out.as_deref())),
        Command::Design { file, output } => design(&file, output.as_deref()),
        Command::Check { file } => check(&file),
        Command::Sweep(args) => cli::sweep::sweep(args),
        Command::Merge { dir, output } => cli::sweep::merge_parts(&dir, &output),
        Command::Report { file, output } => cli::report::report(&file, &output),
        Command::Plot(args) => cli::plot::plot(args),
        Command::PlotSweep(args) => cli::plot_sweep::plot_sweep(args),
    };
    cli::stdout::finish(code)
}

/// Reads and validates a flowsheet; on failure prints every error and gives exit code 2.
fn load(path: &Path) -> Result<Flowsheet, ExitCode> {
    read(path).and_then(|text| parse(path, &text, parse_flowsheet))
}

fn read(path: &Path) -> Result<String, ExitCode> {
    cli::read(path).map_err(|message| {
        crate::errln!("{message}");
        ExitCode::from(EXIT_BAD_INPUT)
    })
}

fn parse(
    path: &Path,
    text: &str,
    parser: fn(&str, &str) -> Result<Flowsheet, InputErrors>,
) -> Result<Flowsheet, ExitCode> {
    parser(&path.display().to_string(), text).map_err(|errors| {
        crate::errln!("{errors}");
        ExitCode::from(EXIT_BAD_INPUT)
    })
}

/// Validates a flowsheet, or a design problem (cascades with targets and no stage counts).
fn check(path: &Path) -> ExitCode {
    let checked = read(path).and_then(|text| parse(path, &text, parse_flowsheet_for_design));
    let flowsheet = match checked {
        Ok(f) => f,
        Err(code) => return code,
    };
    let to_design = flowsheet
        .cascades
        .iter()
        .filter(|c| c.design.is_some())
        .count();
    outln!(
        "{}: ok ({} cascades, {} with design targets, {} products)",
        path.display(),
        flowsheet.cascades.len(),
        to_design,
        flowsheet.products.len()
    );
    ExitCode::SUCCESS
}

/// Designs, prints the design table and the designed flowsheet's results, and writes the
/// designed file. Infeasible or unreachable targets are bad input (2); a design whose
/// flowsheet then misses a product specification exits 1.
fn design(path: &Path, output: Option<&Path>) -> ExitCode {
    let text = match read(path) {
        Ok(text) => text,
        Err(code) => return code,
    };
    let flowsheet = match parse(path, &text, parse_flowsheet_for_design) {
        Ok(f) => f,
        Err(code) => return code,
    };
    let options = SolverOptions::default();
    let start = Instant::now();
    let plant = match sxcascade::design::design_plant(&flowsheet, &options) {
        Ok(done) => done,
        Err(e) => {
            crate::errln!("{}", design_error(path, &text, &e));
            let code = if e.is_bad_input() {
                EXIT_BAD_INPUT
            } else {
                EXIT_OFF_SPEC
            };
            return ExitCode::from(code);
        }
    };
    let PlantDesign {
        flowsheet: designed,
        cascades: designs,
        products,
    } = plant;
    let solution = designed.solve(&options);
    let seconds = start.elapsed().as_secs_f64();
    if let Some(output) = output {
        let source = path.display().to_string();
        let written = designed_plant_toml(&source, &text, &designs, products.as_ref())
            .map_err(|e| format!("cannot edit the flowsheet: {e}"))
            .and_then(|toml| write_atomically(output, toml.as_bytes()));
        if let Err(message) = written {
            crate::errln!("error: {message}");
            return ExitCode::from(EXIT_BAD_INPUT);
        }
    }
    out!(
        "{}",
        design_table(&designed, &designs, products.as_ref(), &solution, seconds)
    );
    if let Some(output) = output {
        outln!("designed flowsheet written to {}", output.display());
    }
    if solution.converged() && solution.all_products_meet_spec() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_OFF_SPEC)
    }
}

/// A design error at the line of the target to change (or of the cascade's design table).
fn design_error(path: &Path, text: &str, error: &DesignError) -> String {
    let name = path.display().to_string();
    let span = error.field_path().and_then(|field| {
        let field = FieldPath::parse(&field).ok()?;
        FlowsheetTemplate::parse(&name, text).ok()?.span_of(&field)
    });
    match span {
        Some(span) => InputErrors::new(&name, text, vec![Diagnostic::new(span, error.to_string())])
            .to_string(),
        None => format!("{name}: error: {error}"),
    }
}

fn run(flowsheet: &Flowsheet, json: bool, profiles: bool, out: Option<&Path>) -> ExitCode {
    let start = Instant::now();
    let solution = flowsheet.solve(&SolverOptions::default());
    let solve_seconds = start.elapsed().as_secs_f64();
    if let Some(dir) = out
        && let Err(message) = write_tables(dir, flowsheet, &solution)
    {
        crate::errln!("error: {message}");
        return ExitCode::from(EXIT_BAD_INPUT);
    }
    if json {
        let report = run_report(flowsheet, &solution, solve_seconds, profiles);
        match serde_json::to_string_pretty(&report) {
            Ok(text) => outln!("{text}"),
            Err(e) => {
                crate::errln!("error: cannot write the JSON result: {e}");
                return ExitCode::from(EXIT_OFF_SPEC);
            }
        }
    } else {
        out!("{}", summary(flowsheet, &solution, solve_seconds));
        if profiles {
            out!("{}", sxcascade::report::profiles(flowsheet, &solution));
        }
    }
    for line in cli::off_spec::reasons(&solution) {
        crate::errln!("{line}");
    }
    if solution.converged() && solution.all_products_meet_spec() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_OFF_SPEC)
    }
}

/// Writes the CSV tables into `dir`, each through a temporary file renamed into place, so that
/// an interrupted run leaves whole files or none.
fn write_tables(
    dir: &Path,
    flowsheet: &Flowsheet,
    solution: &FlowsheetSolution,
) -> Result<(), String> {
    let files =
        csv_files(flowsheet, solution).map_err(|e| format!("cannot build the CSV tables: {e}"))?;
    create_output_dir(dir)?;
    for file in files {
        let path = dir.join(&file.name);
        match &file.contents {
            Some(contents) => write_atomically(&path, contents)?,
            None => match std::fs::remove_file(&path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    return Err(format!("cannot remove the stale {}: {e}", path.display()));
                }
                _ => {}
            },
        }
    }
    Ok(())
}
