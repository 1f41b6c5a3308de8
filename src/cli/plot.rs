//! `sxcascade plot`: one cascade's purity and recovery against stages or reflux, or its stage
//! profiles, as SVG or PNG.

use std::path::PathBuf;
use std::process::ExitCode;

use sxcascade::SolverOptions;
use sxcascade::curves::{CurveSource, Section, Vs};
use sxcascade::input::suggest::did_you_mean;
use sxcascade::plot::{Format, write_figure};
use sxcascade::report::profile_figure;

use crate::outln;

use super::{exit_code, flowsheet_and_template, read};

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Against {
    Stages,
    Reflux,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Sections {
    Extraction,
    Scrub,
    Both,
}

#[derive(clap::Args)]
pub struct PlotArgs {
    /// Flowsheet file (TOML).
    pub file: PathBuf,
    /// The cascade to plot (its `name`).
    #[arg(long)]
    pub cascade: String,
    /// Purity and recovery of the cascade's outlets against stage count or reflux ratio.
    #[arg(long, value_enum, required_unless_present = "profile")]
    pub vs: Option<Against>,
    /// With --vs stages: which section's stages vary (both: scaled together).
    #[arg(long, value_enum, default_value = "both")]
    pub section: Sections,
    /// The x range, A:B (default: stages 40 % to 200 % of the file's; reflux from just above
    /// the minimum to three times the file's).
    #[arg(long, value_name = "A:B")]
    pub range: Option<String>,
    /// Points on the curve (stage counts: whole numbers, so at most one per stage).
    #[arg(long, default_value_t = 41)]
    pub points: usize,
    /// The composition of both phases stage by stage instead.
    #[arg(long, conflicts_with = "vs")]
    pub profile: bool,
    /// The plot: .svg or .png (default: in the current directory, FILE's name, the cascade
    /// and the plot kind, .svg).
    #[arg(short, long, value_name = "OUT")]
    pub output: Option<PathBuf>,
}

pub fn plot(args: PlotArgs) -> ExitCode {
    exit_code(draw(&args).map(|path| {
        outln!("plot written to {}", path.display());
        ExitCode::SUCCESS
    }))
}

fn draw(args: &PlotArgs) -> Result<PathBuf, String> {
    let text = read(&args.file)?;
    let name = args.file.display().to_string();
    let (flowsheet, template) = flowsheet_and_template(&args.file, &text)?;
    let kind = match (args.profile, args.vs) {
        (true, _) => "profile",
        (_, Some(Against::Reflux)) => "reflux",
        _ => "stages",
    };
    let output = args.output.clone().unwrap_or_else(|| {
        let stem = args.file.file_stem().unwrap_or_default().to_string_lossy();
        PathBuf::from(format!("{stem}.{}.{kind}.svg", args.cascade))
    });
    Format::of(&output).map_err(|e| format!("error: {e}"))?;
    let options = SolverOptions::default();
    if args.profile {
        let k = flowsheet
            .cascades
            .iter()
            .position(|c| c.name == args.cascade)
            .ok_or_else(|| {
                let names = flowsheet.cascades.iter().map(|c| c.name.as_str());
                format!(
                    "error: no cascade `{}` in {name}{}",
                    args.cascade,
                    did_you_mean(&args.cascade, names)
                )
            })?;
        let solution = flowsheet.solve(&options);
        let solved = solution.cascades[k]
            .result
            .as_ref()
            .map_err(|e| format!("error: cascade `{}` did not solve: {e}", args.cascade))?;
        write_figure(&profile_figure(&flowsheet.cascades[k], solved), &output)
            .map_err(|e| format!("error: {e}"))?;
        return Ok(output);
    }
    let vs = match args.vs {
        Some(Against::Reflux) => Vs::Reflux,
        _ => Vs::Stages(match args.section {
            Sections::Extraction => Section::Extraction,
            Sections::Scrub => Section::Scrub,
            Sections::Both => Section::Both,
        }),
    };
    let range = args.range.as_deref().map(parse_range).transpose()?;
    let source = CurveSource {
        template: &template,
        flowsheet: &flowsheet,
        options,
    };
    let curves = source
        .curves(&args.cascade, vs, range, args.points)
        .map_err(|e| format!("error: {e}"))?;
    let failed = curves.points.iter().filter(|p| p.values.is_none()).count();
    if failed == curves.points.len() {
        let first = curves.points.first().map_or("", |p| p.message.as_str());
        return Err(format!(
            "error: no point of the curve could be solved; the first says: {first}"
        ));
    }
    if failed > 0 {
        crate::errln!(
            "{failed} of {} points have no result (infeasible or not converged); the curves \
             skip them",
            curves.points.len()
        );
    }
    let title = format!("{} — {}", flowsheet.name, args.cascade);
    write_figure(&curves.figure(&title), &output).map_err(|e| format!("error: {e}"))?;
    Ok(output)
}

fn parse_range(text: &str) -> Result<(f64, f64), String> {
    let parsed = text
        .split_once(':')
        .and_then(|(a, b)| Some((a.trim().parse::<f64>().ok()?, b.trim().parse::<f64>().ok()?)));
    match parsed {
        Some((a, b)) if a.is_finite() && b.is_finite() && b > a => Ok((a, b)),
        _ => Err(format!("error: --range `{text}`: write A:B with A < B")),
    }
}
