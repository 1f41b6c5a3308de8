//! `sxcascade report`: one self-contained HTML page (plots inline as SVG, no external asset)
//! with the flowsheet diagram, the product, cascade and stream tables, and for every cascade
//! its stage profiles and its purity and recovery against stages and reflux; beside it a PNG
//! of every plot and the CSV tables the HTML tables are made from.

use rayon::prelude::*;

use super::columns::escape;
use super::csv::cascade_stems;
use super::csv_files;
use super::diagram::flowsheet_diagram;
use super::equipment_table::equipment_summary;
use super::html::{
    Contents, Provenance, contents, head, heading2, html_table, provenance_header, status,
};
use super::plant::{plant_table, reagent_notes};
use super::profile_plot::profile_figure;
use crate::curves::{CurveSource, Section, Vs};
use crate::flowsheet::{Flowsheet, FlowsheetSolution};
use crate::input::FlowsheetTemplate;
use crate::plot::{Figure, LinePlot, render_png, render_svg};
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

/// Solves `flowsheet` (parsed from `template`), draws every plot and writes the page, its
/// header naming `provenance`.
pub fn plotted_report(
    template: &FlowsheetTemplate<'_>,
    flowsheet: &Flowsheet,
    options: SolverOptions,
    provenance: &Provenance,
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
    let table = |name: &str, order: &[&str]| -> String {
        csv.iter()
            .find(|f| f.name == name)
            .and_then(|f| f.contents.as_deref())
            .map_or(String::new(), |bytes| html_table(bytes, order))
    };
    let plant = plant_table(flowsheet, &solution);
    let equipment = equipment_summary(flowsheet, &solution);

    let diagram_section = Contents::new("flowsheet", "Flowsheet diagram");
    let products = Contents::new("products", "Products");
    let plant_section = Contents::new("plant", "Plant flows and reagents");
    let equipment_section = Contents::new("equipment", "Mixer-settlers, inventory and cost");
    let cascades = Contents::new("cascades", "Cascades");
    let mut profiles = Contents::new("profiles", "Profiles and curves of each cascade");
    profiles.parts = flowsheet
        .cascades
        .iter()
        .zip(&stems)
        .map(|(unit, stem)| Contents::new(&format!("cascade-{stem}"), &unit.name))
        .collect();
    let streams = Contents::new("streams", "Streams");

    let mut html = String::new();
    html.push_str(&head(&flowsheet.name));
    html.push_str(&provenance_header(provenance));
    html.push_str(&status(flowsheet, &solution));
    let toc: Vec<Contents> = [
        Some(&diagram_section),
        Some(&products),
        plant.as_ref().map(|_| &plant_section),
        equipment.as_ref().map(|_| &equipment_section),
        Some(&cascades),
        Some(&profiles),
        Some(&streams),
    ]
    .into_iter()
    .flatten()
    .cloned()
    .collect();
    html.push_str(&contents(&toc));
    html.push_str(&heading2(&diagram_section));
    html.push_str(&format!(
        "<figure><div class=\"diagram\">{}</div><figcaption>Drawn at full size: scroll \
         sideways, or open flowsheet.png. Labels: stream, t/yr REO, main oxide and its \
         share.</figcaption></figure>\n",
        diagram.svg
    ));
    html.push_str(&heading2(&products));
    html.push_str(&table(
        "products.csv",
        &[
            "product",
            "stream",
            "oxide",
            "purity_pct",
            "min_purity_pct",
            "recovery_pct",
            "min_recovery_pct",
            "purity_mol_pct",
            "reo_t_per_year",
            "meets_spec",
        ],
    ));
    if let Some(plant) = &plant {
        html.push_str(&heading2(&plant_section));
        html.push_str(&plant.to_html());
        for note in reagent_notes(flowsheet) {
            html.push_str(&format!("<p class=\"note\">{}.</p>\n", escape(note)));
        }
    }
    if let Some(equipment) = &equipment {
        html.push_str(&heading2(&equipment_section));
        html.push_str(&equipment.table.to_html());
        for note in &equipment.notes {
            html.push_str(&format!("<p class=\"note\">{}.</p>\n", escape(note)));
        }
    }
    html.push_str(&heading2(&cascades));
    html.push_str(&table(
        "cascades.csv",
        &[
            "cascade",
            "extraction_stages",
            "scrub_stages",
            "feed_stage",
            "feed_mol_per_h",
            "extraction_ratio",
            "scrub_ratio",
            "reflux_ratio",
            "converged",
            "iterations",
            "residual",
            "error",
        ],
    ));
    html.push_str(&heading2(&profiles));
    for ((unit, plots), part) in flowsheet
        .cascades
        .iter()
        .zip(&per_cascade)
        .zip(&profiles.parts)
    {
        html.push_str(&format!(
            "<h3 id=\"{}\">Cascade {}</h3>\n",
            escape(&part.id),
            escape(&unit.name)
        ));
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
    html.push_str(&heading2(&streams));
    html.push_str(&table("streams.csv", &[]));
    html.push_str(&format!(
        "<footer class=\"note\">sxcascade {}: the tables are the CSV files beside this page \
         (there in full precision, with machine-readable headings), rounded here to 6 \
         significant figures (values below 1e-3 to 3); every plot is also a PNG file.</footer>\n\
         </body>\n</html>\n",
        env!("CARGO_PKG_VERSION")
    ));

    let mut files = vec![("report.html".to_string(), html.into_bytes())];
    for p in std::iter::once(diagram).chain(per_cascade.into_iter().flatten()) {
        files.push((format!("{}.png", p.stem), p.png));
    }
    files.extend(csv.into_iter().filter_map(|f| Some((f.name, f.contents?))));
    Ok(PlottedReport { files, solution })
}
