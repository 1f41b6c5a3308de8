//! `sxcascade sweep` and `sxcascade merge`: the command-line edge of [`sxcascade::sweep`].

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use sxcascade::SolverOptions;
use sxcascade::atomic::write_atomically;
use sxcascade::input::{FieldPath, FlowsheetTemplate};
use sxcascade::sweep::{
    Axis, Manifest, RunOptions, RunSummary, Sweep, SweepError, SweepPlan, block_count, fingerprint,
    is_sweep_file, merge, parse_sweep_file, run_to_file,
};

use crate::outln;

use super::super::{EXIT_BAD_INPUT, EXIT_OFF_SPEC};
use super::shard::{Shards, parse_shards, shard_of};
use super::{exit_code, read};

/// The sweep command's arguments.
#[derive(clap::Args)]
pub struct SweepArgs {
    /// Flowsheet file, or sweep file (TOML naming a `flowsheet`, with [[vary]] axes and
    /// optionally [monte_carlo]).
    pub file: PathBuf,
    /// PATH=SPEC: a field of the flowsheet (e.g. cascades.PrNd.reflux_ratio) and its values,
    /// START:STOP:COUNT, log:START:STOP:COUNT or a,b,c. Several make a full grid, the last
    /// varying fastest.
    #[arg(long, value_name = "PATH=SPEC")]
    pub vary: Vec<String>,
    /// Results: a CSV file; with shards, a directory of part-K-of-N.csv files.
    #[arg(short, long, value_name = "OUT")]
    pub output: PathBuf,
    /// Run only shard K (0 to N-1) of the N given by --shards.
    #[arg(long, value_name = "K")]
    pub shard: Option<usize>,
    /// How many shards the cases are split into (contiguous slices, by warm-start blocks), or
    /// `slurm`: shard SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN of SLURM_ARRAY_TASK_COUNT,
    /// this task's share of a whole job array. Without --shards the sweep is whole, in a job
    /// array or not.
    #[arg(long, value_name = "N|slurm", value_parser = parse_shards)]
    pub shards: Option<Shards>,
    /// Worker threads (default: RAYON_NUM_THREADS, else every core).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Run a shard again even if its part file exists.
    #[arg(long)]
    pub force: bool,
    /// Add each case's wall time (a column that differs from run to run).
    #[arg(long)]
    pub timing: bool,
    /// Solve every case from scratch instead of from its neighbour's solution.
    #[arg(long)]
    pub cold: bool,
}

pub fn sweep(args: SweepArgs) -> ExitCode {
    exit_code(run(args))
}

fn run(args: SweepArgs) -> Result<ExitCode, String> {
    let (flowsheet_path, mut plan, mut origins) = plan_of(&args.file)?;
    for vary in &args.vary {
        let axis = Axis::parse(vary).map_err(|e| format!("error: --vary {e}"))?;
        origins.push((axis.path.clone(), format!("error: --vary `{vary}`")));
        plan.axes.push(axis);
    }
    let text = read(&flowsheet_path)?;
    let name = flowsheet_path.display().to_string();
    let template = FlowsheetTemplate::parse(&name, &text).map_err(|e| e.to_string())?;
    let sweep = Sweep::new(template, plan, SolverOptions::default()).map_err(|e| match e {
        // Blame the field where the user wrote it: its `--vary` or its line of the sweep file.
        SweepError::Field { path, message } => {
            let origin = origins.iter().rev().find(|(p, _)| *p == path);
            let origin = origin.map_or("error".to_string(), |(_, o)| o.clone());
            format!("{origin}: {message}")
        }
        other => other.to_string(),
    })?;
    if let Some(threads) = args.threads {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build_global()
            .map_err(|e| format!("error: --threads {threads}: {e}"))?;
    }
    let options = RunOptions {
        warm: !args.cold,
        timing: args.timing,
    };
    let print = fingerprint(&sweep, &text, options);
    let cases = sweep.plan.cases().map_err(|e| format!("error: {e}"))?;
    let blocks = block_count(cases);
    // Sharded (asked for): OUT is a directory of parts.
    let (blocks, target) = match shard_of(args.shard, args.shards, |name| std::env::var(name).ok())?
    {
        None => (0..blocks, args.output.clone()),
        Some(shard) => {
            let manifest = Manifest::new(&sweep, &name, &print, shard.count, args.timing)
                .map_err(|e| format!("error: {e}"))?;
            manifest
                .install(&args.output)
                .map_err(|e| format!("error: {e}"))?;
            let target = args.output.join(shard.file_name());
            if target.exists() && !args.force {
                crate::errln!(
                    "{} exists: shard {} of {} is done (--force to redo it)",
                    target.display(),
                    shard.index,
                    shard.count
                );
                return Ok(ExitCode::SUCCESS);
            }
            (shard.blocks(blocks), target)
        }
    };
    let share = sxcascade::sweep::block_cases(&blocks, cases).len();
    let bar = progress_bar(share);
    let summary = run_to_file(&sweep, blocks, &target, &print, options, &|n| {
        bar.inc(n as u64)
    })
    .map_err(|e| format!("error: {e}"))?;
    bar.finish_and_clear();
    report(&summary, &target);
    Ok(ExitCode::SUCCESS)
}

/// Each swept field and the start of an error line that blames it where it was written:
/// `error: --vary `...``, or `sweep.toml:LINE:COLUMN: error`.
type Origins = Vec<(FieldPath, String)>;

/// The flowsheet and plan that FILE stands for: a sweep file, or a flowsheet (with the plan
/// all in `--vary`); and where each swept field is written, as the start of an error line.
fn plan_of(file: &Path) -> Result<(PathBuf, SweepPlan, Origins), String> {
    let text = read(file)?;
    if is_sweep_file(&text) {
        let sweep = parse_sweep_file(file, &text).map_err(|e| e.to_string())?;
        if let Err(e) = std::fs::metadata(&sweep.flowsheet) {
            let (line, column) = sweep.flowsheet_at;
            return Err(format!(
                "{}:{line}:{column}: error: cannot read the flowsheet {}: {e}",
                file.display(),
                sweep.flowsheet.display()
            ));
        }
        let origins = sweep
            .origins
            .into_iter()
            .map(|(path, line, column)| {
                let at = format!("{}:{line}:{column}: error", file.display());
                (path, at)
            })
            .collect();
        Ok((sweep.flowsheet, sweep.plan, origins))
    } else {
        Ok((file.to_path_buf(), SweepPlan::default(), Vec::new()))
    }
}

fn progress_bar(cases: usize) -> ProgressBar {
    let bar = ProgressBar::new(cases as u64);
    if std::io::stderr().is_terminal() {
        bar.set_style(
            ProgressStyle::with_template(
                "{bar:40} {human_pos}/{human_len} cases  {per_sec}  ETA {eta}",
            )
            .expect("a valid template"),
        );
    } else {
        bar.set_draw_target(ProgressDrawTarget::hidden());
    }
    bar
}

fn report(summary: &RunSummary, target: &Path) {
    if !summary.locked {
        crate::errln!(
            "warning: {}'s filesystem does not support file locks: a second sweep writing it at \
             the same time would not have been refused",
            target.display()
        );
    }
    let statuses: Vec<String> = summary
        .statuses
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(s, n)| format!("{n} {s}"))
        .collect();
    let resumed = if summary.resumed > 0 {
        format!(", {} resumed from checkpoints", summary.resumed)
    } else {
        String::new()
    };
    outln!(
        "{} cases ({}){resumed}: written to {}",
        summary.cases,
        statuses.join(", "),
        target.display()
    );
}

/// `sxcascade merge OUT -o FILE`: exit 1 naming what is missing if the parts are incomplete.
pub fn merge_parts(dir: &Path, output: &Path) -> ExitCode {
    match merge(dir) {
        Err(message) => {
            crate::errln!("error: {message}");
            ExitCode::from(EXIT_BAD_INPUT)
        }
        Ok(Err(incomplete)) => {
            crate::errln!("{}: error: {incomplete}", dir.display());
            ExitCode::from(EXIT_OFF_SPEC)
        }
        Ok(Ok(text)) => match write_atomically(output, text.as_bytes()) {
            Ok(()) => {
                let rows = text.lines().count() - 1;
                outln!("{rows} cases merged into {}", output.display());
                ExitCode::SUCCESS
            }
            Err(message) => {
                crate::errln!("error: {message}");
                ExitCode::from(EXIT_BAD_INPUT)
            }
        },
    }
}
