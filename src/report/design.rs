//! The table `sxcascade design` prints: each designed cascade's ratios, stage counts, the
//! closed-form numbers they came from, and its plant flows; then the designed flowsheet's
//! summary.

use std::fmt::Write;

use super::summary;
use crate::design::CascadeDesign;
use crate::flowsheet::{Flowsheet, FlowsheetSolution};

pub fn design_table(
    designed: &Flowsheet,
    designs: &[CascadeDesign],
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
    let _ = writeln!(
        w,
        "{:<14} {:>7} {:>7} {:>8} {:>8} {:>8} {:>8} {:>4} {:>4} {:>6} {:>6} {:>6} {:>11} {:>10} {:>9} {:>5}",
        "cascade",
        "key",
        "beta",
        "S",
        "W",
        "R",
        "R_min",
        "n",
        "m",
        "Xu n",
        "Xu m",
        "N_min",
        "organic L/h",
        "base t/yr",
        "HCl t/yr",
        "sims"
    );
    let plant = solution.plant_flows(designed);
    let hours = designed.hours_per_year();
    for d in designs {
        let k = designed.cascades.iter().position(|c| c.name == d.cascade);
        let flows = k.and_then(|k| plant[k]);
        let number =
            |x: Option<f64>, digits: usize| x.map_or("-".into(), |v| format!("{v:.digits$}"));
        let reagents = flows.and_then(|p| p.reagents);
        let _ = writeln!(
            w,
            "{:<14} {:>7} {:>7.4} {:>8.4} {:>8.4} {:>8.4} {:>8.4} {:>4} {:>4} {:>6} {:>6} {:>6.1} {:>11} {:>10} {:>9} {:>5}",
            d.cascade,
            format!("{}/{}", d.key_pair.1, d.key_pair.0),
            d.separation_factor,
            d.extraction_ratio,
            d.scrub_ratio,
            d.reflux_ratio,
            d.minimum_reflux_ratio,
            d.extraction_stages,
            d.scrub_stages,
            number(d.closed_form.map(|e| e.extraction_stages), 1),
            number(d.closed_form.map(|e| e.scrub_stages), 1),
            d.fenske_minimum_stages,
            number(flows.and_then(|p| p.organic_l_per_h), 0),
            number(reagents.map(|r| r.base_t_per_year(hours)), 1),
            number(reagents.map(|r| r.acid_t_per_year(hours)), 1),
            d.simulations
        );
        if let (Some(draw), Some(purity), Some(recovery)) = (
            d.side_draw,
            d.achieved.side_draw_purity_pct,
            d.achieved.side_draw_recovery_pct,
        ) {
            let _ = writeln!(
                w,
                "{:<14} {} side draw at stage {}, fraction {:.4}: {purity:.3} % its group, \
                 {recovery:.2} % of the group's feed",
                "",
                draw.phase.as_str(),
                draw.stage,
                draw.fraction
            );
        }
    }
    out.push_str(&super::confidence_table::confidence_table(designs));
    out.push('\n');
    out.push_str(&summary(designed, solution, seconds));
    out
}
