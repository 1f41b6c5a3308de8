//! `sxcascade report`: one self-contained HTML page (plots inline as SVG, no external asset)
//! with the flowsheet diagram, the product, cascade and stream tables, and for every cascade
//! its stage profiles and its purity and recovery against stages and reflux; beside it a PNG
//! of every plot and the CSV tables the HTML tables are made from.

use rayon::prelude::*;

use super::csv::cascade_stems;
use super::csv_files;
use super::diagram::flowsheet_diagram;
use super::profile_plot::profile_figure;
use crate::curves::{CurveSource, Section, Vs};
use crate::flowsheet::{Flowsheet, FlowsheetSolution};
use crate::input::FlowsheetTemplate;
use crate::plot::{Figure, LinePlot, plain, render_png, render_svg};
use crate::solver::SolverOptions;

/// Points per curve in a report: enough for smooth curves, few enough for a 14-cascade plant
/// in a few seconds.
const REPORT_POINTS: usize = 25;

/// The report's files (name in the output directory, bytes), `report.html` first, and the
/// flowsheet's solution.
pub struct PlottedReport {
    pub files: Vec<(String, Vec<u8>)>,
    pub solution: FlowsheetSolution,
}

/// One plot: its file stem, heading, SVG text and PNG bytes.
struct Plot {
    stem: String,
    heading: String,
    svg: String,
    png: Vec<u8>,
}

fn plot(stem: String, heading: String, figure: &impl Figure) -> Result<Plot, String> {
    Ok(Plot {
        stem,
        heading,
        svg: render_svg(figure)?,
        png: render_png(figure)?,
    })
}

/// Solves `flowsheet` (parsed from `template`), draws every plot and writes the page.
pub fn plotted_report(
    template: &FlowsheetTemplate<'_>,
    flowsheet: &Flowsheet,
    options: SolverOptions,
) -> Result<PlottedReport, String> {
    let solution = flowsheet.solve(&options);
    let source = CurveSource {
        template,
        flowsheet,
        options,
    };
    let diagram = plot(
        "flowsheet".into(),
        "Flowsheet".into(),
        &flowsheet_diagram(flowsheet, &solution),
    )?;
    // Every cascade's three plots, the cascades in parallel (each curve's points are too).
    let stems = cascade_stems(flowsheet);
    let per_cascade: Vec<Vec<Plot>> = flowsheet
        .cascades
        .par_iter()
        .zip(&solution.cascades)
        .zip(&stems)
        .map(|((unit, outcome), safe)| -> Result<Vec<Plot>, String> {
            let Ok(solved) = &outcome.result else {
                return Ok(Vec::new());
            };
            let name = &unit.name;
            let mut plots = vec![plot(
                format!("profile_{safe}"),
                format!("{name}: stage profiles"),
                &profile_figure(unit, solved),
            )?];
            for (vs, kind, what) in [
                (Vs::Stages(Section::Both), "stages", "against stage count"),
                (Vs::Reflux, "reflux", "against reflux ratio"),
            ] {
                let curves = source.curves(name, vs, None, REPORT_POINTS)?;
                let figure: LinePlot =
                    curves.figure(&format!("{name}: purity and recovery {what}"));
                plots.push(plot(
                    format!("{kind}_{safe}"),
                    format!("{name}: purity and recovery {what}"),
                    &figure,
                )?);
            }
            Ok(plots)
        })
        .collect::<Result<_, _>>()?;
    let csv =
        csv_files(flowsheet, &solution).map_err(|e| format!("cannot build the tables: {e}"))?;
    let table = |name: &str| -> String {
        csv.iter()
            .find(|f| f.name == name)
            .and_then(|f| f.contents.as_deref())
            .map_or(String::new(), html_table)
    };
    let mut html = String::new();
    html.push_str(&head(&flowsheet.name));
    html.push_str(&status(flowsheet, &solution));
    html.push_str(&format!(
        "<h2>Flowsheet</h2>\n<figure>{}</figure>\n",
        diagram.svg
    ));
    html.push_str("<h2>Products</h2>\n");
    html.push_str(&table("products.csv"));
    html.push_str("<h2>Cascades</h2>\n");
    html.push_str(&table("cascades.csv"));
    for (unit, plots) in flowsheet.cascades.iter().zip(&per_cascade) {
        html.push_str(&format!("<h2>Cascade {}</h2>\n", escape(&unit.name)));
        if plots.is_empty() {
            html.push_str("<p class=\"bad\">did not solve: no plots</p>\n");
        }
        for p in plots {
            html.push_str(&format!(
                "<figure>{}<figcaption>{} ({}.png)</figcaption></figure>\n",
                p.svg,
                escape(&p.heading),
                p.stem
            ));
        }
    }
    html.push_str("<h2>Streams</h2>\n");
    html.push_str(&table("streams.csv"));
    html.push_str(&format!(
        "<footer>sxcascade {}: the tables are the CSV files beside this page, rounded to 6 \
         significant figures (values below 1e-3 to 3); every plot is also a PNG file.</footer>\n</body>\n</html>\n",
        env!("CARGO_PKG_VERSION")
    ));

    let mut files = vec![("report.html".to_string(), html.into_bytes())];
    for p in std::iter::once(diagram).chain(per_cascade.into_iter().flatten()) {
        files.push((format!("{}.png", p.stem), p.png));
    }
    files.extend(csv.into_iter().filter_map(|f| Some((f.name, f.contents?))));
    Ok(PlottedReport { files, solution })
}

fn head(title: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>{t}</title>\n<style>\n\
         body {{ font-family: \"DejaVu Sans\", Verdana, sans-serif; margin: 2em auto; \
         max-width: 1200px; color: #222; }}\n\
         h1 {{ font-size: 1.6em; }} h2 {{ margin-top: 1.6em; border-bottom: 1px solid #ccc; }}\n\
         figure {{ margin: 1em 0; }} figure svg {{ max-width: 100%; height: auto; }}\n\
         figcaption {{ color: #555; font-size: 0.9em; }}\n\
         .table {{ overflow-x: auto; }}\n\
         table {{ border-collapse: collapse; font-size: 0.85em; }}\n\
         th, td {{ border: 1px solid #ddd; padding: 0.25em 0.5em; text-align: right; }}\n\
         th {{ background: #f0f0f0; }} td:first-child, th:first-child {{ text-align: left; }}\n\
         .good {{ color: #1a7f1a; }} .bad {{ color: #c62828; }}\n\
         </style>\n</head>\n<body>\n<h1>{t}</h1>\n",
        t = escape(title)
    )
}

/// Convergence, closure and specs in one paragraph.
fn status(flowsheet: &Flowsheet, solution: &FlowsheetSolution) -> String {
    let met = solution.products.iter().filter(|p| p.meets_spec).count();
    let (class, verdict) = if solution.converged() && solution.all_products_meet_spec() {
        ("good", "solved; every product meets its specification")
    } else if solution.converged() {
        ("bad", "solved; some products miss their specification")
    } else {
        ("bad", "NOT CONVERGED: see the cascade table's error column")
    };
    format!(
        "<p class=\"{class}\"><strong>{verdict}</strong></p>\n<p>{} cascades, {} stages in all; \
         {met} of {} products on spec; mass-balance closure {:.1e} (largest relative error); \
         {} recycle loops.</p>\n",
        flowsheet.cascades.len(),
        flowsheet
            .cascades
            .iter()
            .map(|c| c.cascade.extraction_stages + c.cascade.scrub_stages)
            .sum::<usize>(),
        solution.products.len(),
        solution.mass_balance_max_rel_error,
        solution.recycles.len(),
    )
}

/// A CSV table as an HTML table, numbers to 6 significant figures.
fn html_table(bytes: &[u8]) -> String {
    let mut reader = csv::Reader::from_reader(bytes);
    let mut out = String::from("<div class=\"table\"><table>\n<tr>");
    if let Ok(header) = reader.headers() {
        for h in header {
            out.push_str(&format!("<th>{}</th>", escape(&h.replace('_', " "))));
        }
    }
    out.push_str("</tr>\n");
    for record in reader.records().flatten() {
        out.push_str("<tr>");
        for cell in &record {
            let shown = match cell.parse::<f64>() {
                Ok(v) if cell.contains(['.', 'e']) => display(v),
                _ => cell.to_string(),
            };
            let class = match cell {
                "true" => " class=\"good\"",
                "false" => " class=\"bad\"",
                _ => "",
            };
            out.push_str(&format!("<td{class}>{}</td>", escape(&shown)));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</table></div>\n");
    out
}

/// 6 significant figures; tiny numbers (residuals, traces) in exponent form.
fn display(v: f64) -> String {
    if v != 0.0 && v.abs() < 1e-3 {
        format!("{v:.2e}")
    } else {
        plain(v)
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
