//! The `sxcascade` command line: a thin shell over the library that reads files, prints
//! results and maps outcomes to exit codes (0 solved and on spec; 1 solved but off spec or
//! not converged; 2 bad input).

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, Subcommand};

use sxcascade::SolverOptions;
use sxcascade::flowsheet::Flowsheet;
use sxcascade::input::parse_flowsheet;
use sxcascade::report::{run_report, summary};

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
        } => load(&file).map_or_else(|code| code, |f| run(&f, json, profiles)),
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

fn run(flowsheet: &Flowsheet, json: bool, profiles: bool) -> ExitCode {
    let start = Instant::now();
    let solution = flowsheet.solve(&SolverOptions::default());
    let solve_seconds = start.elapsed().as_secs_f64();
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
