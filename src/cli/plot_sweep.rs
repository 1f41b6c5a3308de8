//! `sxcascade plot-sweep`: a sweep's CSV drawn as a heatmap, curves or histograms.

use std::path::PathBuf;
use std::process::ExitCode;

use sxcascade::sweep::{SweepPlotSpec, SweepTable, sweep_figure};

use crate::outln;

use super::exit_code;

#[derive(clap::Args)]
pub struct PlotSweepArgs {
    /// The sweep's CSV (from `sxcascade sweep` or `merge`).
    pub csv: PathBuf,
    /// The result to draw: a column, e.g. Nd2O3.purity_pct (or Nd2O3.purity), Nd2O3.recovery,
    /// iterations.
    #[arg(long, value_name = "COLUMN")]
    pub z: String,
    /// A varied column for the x axis. With --y: a heatmap; alone: curves; neither: histograms.
    #[arg(long, value_name = "COLUMN")]
    pub x: Option<String>,
    /// A varied column for the y axis of a heatmap.
    #[arg(long, value_name = "COLUMN")]
    pub y: Option<String>,
    /// A varied column whose values make separate curves or histograms.
    #[arg(long, value_name = "COLUMN")]
    pub by: Option<String>,
    /// Keep only the rows where COLUMN = VALUE (repeatable).
    #[arg(long = "where", value_name = "COLUMN=VALUE")]
    pub filters: Vec<String>,
    /// The plot: .svg or .png (default: the CSV's name with the column and .svg).
    #[arg(short, long, value_name = "OUT")]
    pub output: Option<PathBuf>,
}

pub fn plot_sweep(args: PlotSweepArgs) -> ExitCode {
    exit_code(
        draw(args)
            .map(|path| {
                outln!("plot written to {}", path.display());
                ExitCode::SUCCESS
            })
            .map_err(|message| format!("error: {message}")),
    )
}

fn draw(args: PlotSweepArgs) -> Result<PathBuf, String> {
    let text = std::fs::read_to_string(&args.csv)
        .map_err(|e| format!("{}: cannot read the file: {e}", args.csv.display()))?;
    let name = args.csv.file_name().map_or_else(
        || args.csv.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let mut table = SweepTable::parse(&name, &text)?;
    for condition in &args.filters {
        table.filter(condition)?;
    }
    let output = args.output.clone().unwrap_or_else(|| {
        let stem = args.csv.file_stem().unwrap_or_default().to_string_lossy();
        args.csv.with_file_name(format!("{stem}.{}.svg", args.z))
    });
    // The format is checked before anything is drawn.
    sxcascade::plot::Format::of(&output)?;
    let spec = SweepPlotSpec {
        z: args.z,
        x: args.x,
        y: args.y,
        by: args.by,
    };
    sweep_figure(&table, &spec)?.write(&output)?;
    Ok(output)
}
