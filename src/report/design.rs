//! The table `sxcascade design` prints: each designed cascade's ratios, stage counts, the
//! closed-form numbers they came from, and its plant flows; then the designed flowsheet's
//! summary.

use std::fmt::Write;

use super::columns::{Cell, Table};
use super::summary;
use crate::design::{CascadeDesign, PlantConfidence};
use crate::flowsheet::{Flowsheet, FlowsheetSolution};

pub fn design_table(
    designed: &Flowsheet,
    designs: &[CascadeDesign],
    products: Option<&PlantConfidence>,
    solution: &FlowsheetSolution,
    seconds: f64,
) -> String {
    let mut out = String::new();
    let w = &mut out;
    let _ = writeln!(
        w,
        "design: {} cascade{} sized in {:.3} s (rigorous simulation from Xu's closed forms)\n",
        designs.len(),
        if designs.len() == 1 { "" } else { "s" },
        seconds
    );
    let mut table = Table::new(&[
        ("cascade", ""),
        ("key", "pair"),
        ("separation", "factor"),
        ("extraction", "ratio S"),
        ("scrub", "ratio W"),
        ("reflux", "ratio R"),
        ("minimum", "R_min"),
        ("extraction", "stages n"),
        ("scrub", "stages m"),
        ("Xu n", "closed form"),
        ("Xu m", "closed form"),
        ("N_min", "Fenske"),
        ("organic", "L/h"),
        ("base", "t/yr"),
        ("HCl", "t/yr"),
        ("simulations", ""),
    ]);
    let plant = solution.plant_flows(designed);
    let hours = designed.hours_per_year();
    let mut side_draws = Vec::new();
    for d in designs {
        let k = designed.cascades.iter().position(|c| c.name == d.cascade);
        let flows = k.and_then(|k| plant[k]);
        let reagents = flows.and_then(|p| p.reagents);
        table.row(vec![
            Cell::text(&d.cascade),
            Cell::text(format!("{}/{}", d.key_pair.1, d.key_pair.0)),
            Cell::number(d.separation_factor, 4),
            Cell::number(d.extraction_ratio, 4),
            Cell::number(d.scrub_ratio, 4),
            Cell::number(d.reflux_ratio, 4),
            Cell::number(d.minimum_reflux_ratio, 4),
            Cell::text(d.extraction_stages.to_string()),
            Cell::text(d.scrub_stages.to_string()),
            Cell::maybe(d.closed_form.map(|e| e.extraction_stages), 1),
            Cell::maybe(d.closed_form.map(|e| e.scrub_stages), 1),
            Cell::number(d.fenske_minimum_stages, 1),
            Cell::maybe(flows.and_then(|p| p.organic_l_per_h), 0),
            Cell::maybe(reagents.map(|r| r.base_t_per_year(hours)), 1),
            Cell::maybe(reagents.map(|r| r.acid_t_per_year(hours)), 1),
            Cell::text(d.simulations.to_string()),
        ]);
        if let (Some(draw), Some(purity), Some(recovery)) = (
            d.side_draw,
            d.achieved.side_draw_purity_pct,
            d.achieved.side_draw_recovery_pct,
        ) {
            side_draws.push(format!(
                "{}: {} side draw at stage {}, fraction {:.4}: {purity:.3} % its group, \
                 {recovery:.2} % of the group's feed",
                d.cascade,
                draw.phase.as_str(),
                draw.stage,
                draw.fraction
            ));
        }
    }
    w.push_str(&table.to_text());
    let _ = writeln!(
        w,
        "key pair: the extract group's first element / the raffinate group's last; R_min: the least reflux \
         that can make the cut; Xu n, m: Xu's closed-form stage counts; N_min: Fenske's \
         minimum stages at total reflux"
    );
    for line in side_draws {
        let _ = writeln!(w, "{line}");
    }
    out.push_str(&super::confidence_table::confidence_table(designs));
    out.push_str(&super::product_confidence_table::product_confidence_table(
        products,
    ));
    out.push('\n');
    out.push_str(&summary(designed, solution, seconds));
    out
}
