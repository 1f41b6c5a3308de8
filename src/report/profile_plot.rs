//! A cascade's stage profiles drawn: the mole fraction of each element in each phase leaving
//! every stage, on decades, with the feed stage and the extraction/scrub boundary marked.

use crate::cascade::CascadeSolution;
use crate::flowsheet::CascadeUnit;
use crate::plot::{LinePlot, Panel, Scale, Series, element_colour};

/// Fractions below this are left off the log axis: they are numerical dust, not composition.
const SMALLEST_SHOWN: f64 = 1e-12;

/// The pH line: black, apart from every element's colour.
const PH_COLOUR: plotters::style::RGBColor = plotters::style::RGBColor(0, 0, 0);

/// The profile figure of `unit`, solved as `solved`.
pub fn profile_figure(unit: &CascadeUnit, solved: &CascadeSolution) -> LinePlot {
    let panel = |phase: &ndarray::Array2<f64>, title: &str| {
        let series = solved
            .elements
            .iter()
            .enumerate()
            .map(|(j, &e)| Series {
                label: e.symbol().to_string(),
                colour: element_colour(e),
                points: phase
                    .rows()
                    .into_iter()
                    .enumerate()
                    .filter_map(|(stage, row)| {
                        let total: f64 = row.sum();
                        let x = row[j] / total;
                        (total > 0.0 && x >= SMALLEST_SHOWN).then_some(((stage + 1) as f64, x))
                    })
                    .collect(),
                dashed: false,
                on_spec: None,
            })
            .filter(|s| !s.points.is_empty())
            .collect();
        Panel {
            y_title: title.to_string(),
            scale: Scale::Log,
            series,
            specs: Vec::new(),
        }
    };
    let c = &unit.cascade;
    let n = c.extraction_stages;
    let feed_stage = c.feed_stage();
    LinePlot {
        title: format!(
            "Stage profiles of cascade {}: {} extraction + {} scrub stages",
            unit.name, n, c.scrub_stages
        ),
        x_title: "stage (1 = raffinate end, barren organic in)".into(),
        panels: [
            panel(&solved.aqueous, "aqueous leaving the stage, mole fraction"),
            panel(&solved.organic, "organic leaving the stage, mole fraction"),
        ]
        .into_iter()
        .chain(solved.ph.as_ref().map(|ph| Panel {
            y_title: "pH of the aqueous leaving the stage".to_string(),
            scale: Scale::Linear,
            series: vec![Series {
                label: "pH".to_string(),
                colour: PH_COLOUR,
                points: ph
                    .iter()
                    .enumerate()
                    .map(|(j, &p)| ((j + 1) as f64, p))
                    .collect(),
                dashed: false,
                on_spec: None,
            }],
            specs: Vec::new(),
        }))
        .collect(),
        marks: std::iter::once((format!("feed stage {feed_stage}"), feed_stage as f64))
            .chain(c.side_draw.map(|d| {
                (
                    format!(
                        "side draw, stage {} ({:.3} of its aqueous)",
                        d.stage, d.fraction
                    ),
                    d.stage as f64,
                )
            }))
            .chain((c.scrub_stages > 0).then(|| {
                (
                    format!("extraction | scrub ({n} | {})", n + 1),
                    n as f64 + 0.5,
                )
            }))
            .collect(),
        legend_title: "element".into(),
    }
}
