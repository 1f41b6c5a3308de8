use std::fmt::Write;

use super::reo_t_per_year;
use crate::cascade::OperatingPoint;
use crate::flowsheet::{Flowsheet, FlowsheetSolution};

/// Aqueous and organic flux of every element on every stage, one table per cascade.
pub fn profiles(flowsheet: &Flowsheet, solution: &FlowsheetSolution) -> String {
    let mut out = String::new();
    for (unit, outcome) in flowsheet.cascades.iter().zip(&solution.cascades) {
        let Ok(s) = &outcome.result else { continue };
        let _ = writeln!(
            out,
            "\nstage profiles of {} (mol/h; aqueous | organic)",
            unit.name
        );
        let names: Vec<String> = s.elements.iter().map(|e| format!("{e:>10}")).collect();
        let _ = writeln!(
            out,
            "{:>5} {} | {}",
            "stage",
            names.join(""),
            names.join("")
        );
        for (j, (a, o)) in s.stage_rows().enumerate() {
            let row = |r: ndarray::ArrayView1<f64>| {
                r.iter().map(|x| format!("{x:>10.3e}")).collect::<String>()
            };
            let _ = writeln!(out, "{:>5} {} | {}", j + 1, row(a), row(o));
        }
    }
    out
}

/// The readable summary printed by `sxcascade run`: cascades, streams, products.
pub fn summary(flowsheet: &Flowsheet, solution: &FlowsheetSolution, solve_seconds: f64) -> String {
    let mut out = String::new();
    let w = &mut out;
    let _ = writeln!(w, "{}", flowsheet.name);
    let _ = writeln!(
        w,
        "solved in {:.3} ms, mass-balance closure {:.1e} (max relative error)\n",
        solve_seconds * 1e3,
        solution.mass_balance_max_rel_error
    );
    let _ = writeln!(
        w,
        "{:<14} {:>5} {:>5} {:>5} {:>9} {:>9} {:>8} {:>6} {:>9}  status",
        "cascade", "n", "m", "feed", "S | O/A", "W", "R", "iter", "residual"
    );
    for (unit, outcome) in flowsheet.cascades.iter().zip(&solution.cascades) {
        let c = &unit.cascade;
        let (s, wr, r) = match c.operating_point {
            OperatingPoint::Fluxes {
                extraction_ratio,
                scrub_ratio,
            } => (
                extraction_ratio,
                format!("{scrub_ratio:.4}"),
                c.reflux_ratio(),
            ),
            OperatingPoint::Volumetric {
                oa_ratio,
                reflux_ratio,
                ..
            } => (oa_ratio, "-".to_string(), reflux_ratio),
        };
        let (iter, residual, status) = match &outcome.result {
            Ok(sol) => (
                sol.convergence.iterations.to_string(),
                format!("{:.1e}", sol.convergence.residual),
                "converged".to_string(),
            ),
            Err(e) => ("-".into(), "-".into(), format!("FAILED: {e}")),
        };
        let _ = writeln!(
            w,
            "{:<14} {:>5} {:>5} {:>5} {:>9.4} {:>9} {:>8.4} {:>6} {:>9}  {status}",
            unit.name,
            c.extraction_stages,
            c.scrub_stages,
            c.feed_stage(),
            s,
            wr,
            r,
            iter,
            residual
        );
    }
    for recycle in &solution.recycles {
        let _ = writeln!(w, "{recycle}");
    }
    plant_table(w, flowsheet, solution);
    w.push_str(&super::equipment_table(flowsheet, solution));
    let _ = writeln!(
        w,
        "\n{:<16} {:<12} {:>12} {:>10} {:>10}  composition (mol %)",
        "stream", "role", "mol/h", "kg/h REO", "t/yr REO"
    );
    let tears = solution.tear_streams();
    for (name, s) in &solution.streams {
        let total = s.total_mol_per_h();
        let composition: Vec<String> = s
            .flows()
            .filter(|(_, f)| *f >= 1e-4 * total)
            .map(|(e, f)| format!("{e} {:.2}", 100.0 * f / total))
            .collect();
        let _ = writeln!(
            w,
            "{:<16} {:<12} {:>12.4} {:>10.3} {:>10.1}  {}",
            name,
            flowsheet.stream_role(name, &tears).to_string(),
            total,
            s.reo_g_per_h() / 1e3,
            reo_t_per_year(flowsheet, s),
            composition.join(", ")
        );
    }
    if !solution.products.is_empty() {
        let _ = writeln!(
            w,
            "\n{:<12} {:<8} {:>11} {:>9} {:>10} {:>9}  spec",
            "product", "oxide", "purity %", "min %", "recovery %", "min %"
        );
        for p in &solution.products {
            let num = |x: Option<f64>, digits: usize| {
                x.map_or("-".to_string(), |v| format!("{v:.digits$}"))
            };
            let _ = writeln!(
                w,
                "{:<12} {:<8} {:>11} {:>9} {:>10} {:>9}  {}",
                p.spec.name,
                p.spec.element.oxide_name(),
                num(p.purity_pct, 4),
                num(p.spec.min_purity_pct, 2),
                num(p.recovery_pct, 2),
                num(p.spec.min_recovery_pct, 2),
                if p.meets_spec { "met" } else { "NOT MET" }
            );
        }
    }
    out
}

/// Volumetric flows and stoichiometric reagent demand per cascade, when the flowsheet gives
/// what they need.
fn plant_table(w: &mut String, flowsheet: &Flowsheet, solution: &FlowsheetSolution) {
    let flows = solution.plant_flows(flowsheet);
    if flows.iter().flatten().all(|p| p.reagents.is_none()) {
        return;
    }
    let hours = flowsheet.hours_per_year();
    let _ = writeln!(
        w,
        "\n{:<14} {:>11} {:>11} {:>11} {:>11} {:>13} {:>11}",
        "cascade", "organic L/h", "feed L/h", "scrub L/h", "raff. L/h", "base t/yr", "HCl t/yr"
    );
    let litres = |x: Option<f64>| x.map_or("-".to_string(), |v| format!("{v:.0}"));
    for (unit, plant) in flowsheet.cascades.iter().zip(&flows) {
        let Some(p) = plant else { continue };
        let (base, acid) = p.reagents.map_or(("-".into(), "-".into()), |r| {
            (
                format!("{:.1} {:?}", r.base_t_per_year(hours), r.base),
                format!("{:.1}", r.acid_t_per_year(hours)),
            )
        });
        let _ = writeln!(
            w,
            "{:<14} {:>11} {:>11} {:>11} {:>11} {:>13} {:>11}",
            unit.name,
            litres(p.organic_l_per_h),
            litres(p.aqueous_feed_l_per_h),
            litres(p.scrub_l_per_h),
            litres(p.raffinate_l_per_h),
            base,
            acid
        );
    }
    let _ = writeln!(
        w,
        "reagents are stoichiometric minima (3 mol per mol RE: base 3 S, scrub HCl 3 W, strip HCl 3 (S - W))"
    );
}
