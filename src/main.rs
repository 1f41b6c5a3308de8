//! The `sxcascade` command line: a thin shell over the library that reads files, prints
//! results and maps outcomes to exit codes (0 solved and on spec; 1 solved but off spec or
//! not converged; 2 bad input).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, Subcommand};

use sxcascade::SolverOptions;
use sxcascade::flowsheet::{Flowsheet, FlowsheetSolution};
use sxcascade::input::parse_flowsheet;
use sxcascade::report::{csv_files, run_report, summary};

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
    /// Validate a flowsheet file without solving it.
    Check {
        /// Flowsheet file (TOML).
        file: PathBuf,
    },
}

const EXIT_OFF_SPEC: u8 = 1;
const EXIT_BAD_INPUT: u8 = 2;

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Run {
            file,
            json,
            profiles,
            out,
        } => load(&file).map_or_else(|code| code, |f| run(&f, json, profiles, out.as_deref())),
        Command::Check { file } => load(&file).map_or_else(
            |code| code,
            |f| {
                println!(
                    "{}: ok ({} cascades, {} products)",
                    file.display(),
                    f.cascades.len(),
                    f.products.len()
                );
                ExitCode::SUCCESS
            },
        ),
    }
}

/// Reads and validates a flowsheet; on failure prints every error and gives exit code 2.
fn load(path: &Path) -> Result<Flowsheet, ExitCode> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| {
        eprintln!("{name}: error: cannot read the file: {e}");
        ExitCode::from(EXIT_BAD_INPUT)
    })?;
    parse_flowsheet(&name, &text).map_err(|errors| {
        eprintln!("{errors}");
        ExitCode::from(EXIT_BAD_INPUT)
    })
}

fn run(flowsheet: &Flowsheet, json: bool, profiles: bool, out: Option<&Path>) -> ExitCode {
    let start = Instant::now();
    let solution = flowsheet.solve(&SolverOptions::default());
    let solve_seconds = start.elapsed().as_secs_f64();
    if let Some(dir) = out
        && let Err(message) = write_tables(dir, flowsheet, &solution)
    {
        eprintln!("error: {message}");
        return ExitCode::from(EXIT_BAD_INPUT);
    }
    if json {
        let report = run_report(flowsheet, &solution, solve_seconds, profiles);
        match serde_json::to_string_pretty(&report) {
            Ok(text) => println!("{text}"),
            Err(e) => {
                eprintln!("error: cannot write the JSON result: {e}");
                return ExitCode::from(EXIT_OFF_SPEC);
            }
        }
    } else {
        print!("{}", summary(flowsheet, &solution, solve_seconds));
        if profiles {
            print!("{}", sxcascade::report::profiles(flowsheet, &solution));
        }
    }
    for recycle in solution.recycles.iter().filter(|r| !r.converged) {
        eprintln!("error: {recycle}");
    }
    for outcome in &solution.cascades {
        if let Err(e) = &outcome.result {
            eprintln!("error: cascade `{}`: {e}", outcome.name);
        }
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
    std::fs::create_dir_all(dir)
        .map_err(|e| format!("cannot create the output directory {}: {e}", dir.display()))?;
    for file in files {
        let path = dir.join(&file.name);
        let written = tempfile::NamedTempFile::new_in(dir).and_then(|mut tmp| {
            tmp.write_all(&file.contents)?;
            tmp.as_file().sync_all()?;
            tmp.persist(&path).map_err(|e| e.error)?;
            Ok(())
        });
        written.map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(())
}
