//! The tables `sxcascade run` prints: cascades, plant flows, streams, products, and with
//! `--profiles` every cascade's stage profiles.

use std::fmt::Write;

use super::columns::{Align, Cell, Table};
use super::plant::{plant_table, reagent_notes};
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
            "\nstage profiles of {}: each element's flow leaving the stage in each phase \
             (stage 1 takes the fresh organic)\n",
            unit.name
        );
        let mut table = Table::new(&[("stage", ""), ("section", "")]);
        table.align(0, Align::Right).align(1, Align::Left);
        let elements = s.elements.len();
        for _phase in 0..2 {
            for e in &s.elements {
                table.column(&e.to_string(), "", Align::Right);
            }
        }
        table.group("aqueous phase, mol/h", 2, elements);
        table.group("organic phase, mol/h", 2 + elements, elements);
        let n = unit.cascade.extraction_stages;
        for (j, (a, o)) in s.stage_rows().enumerate() {
            let section = if j < n { "extraction" } else { "scrub" };
            let mut row = vec![Cell::text((j + 1).to_string()), Cell::text(section)];
            row.extend(a.iter().chain(o.iter()).map(|&x| Cell::significant(x, 4)));
            table.row(row);
        }
        out.push_str(&table.to_text());
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
        "solved in {:.3} ms, {}\n",
        solve_seconds * 1e3,
        closure_words(solution.mass_balance_max_rel_error)
    );
    w.push_str(&cascade_table(flowsheet, solution).to_text());
    let volumetric = flowsheet
        .cascades
        .iter()
        .any(|c| matches!(c.cascade.operating_point, OperatingPoint::Volumetric { .. }));
    let _ = writeln!(
        w,
        "S, W: extraction and scrub ratios, mol of rare earth per mol of feed; R: reflux ratio \
         W/P, P = S - W the extract product{}",
        if volumetric {
            "; O/A: organic to aqueous volume ratio"
        } else {
            ""
        }
    );
    for recycle in &solution.recycles {
        let _ = writeln!(w, "{recycle}");
    }
    for outcome in &solution.cascades {
        if let Some(note) = outcome.result.as_ref().ok().and_then(|s| s.closure_note()) {
            let _ = writeln!(w, "cascade {}: {note}", outcome.name);
        }
    }
    if let Some(plant) = plant_table(flowsheet, solution) {
        let _ = writeln!(w, "\nplant flows and reagents");
        w.push_str(&plant.to_text());
        for note in reagent_notes(flowsheet) {
            let _ = writeln!(w, "{note}");
        }
    }
    w.push_str(&super::equipment_table(flowsheet, solution));
    let _ = writeln!(w);
    w.push_str(&stream_table(flowsheet, solution).to_text());
    if !solution.products.is_empty() {
        let _ = writeln!(w);
        w.push_str(&product_table(solution).to_text());
    }
    out
}

fn cascade_table(flowsheet: &Flowsheet, solution: &FlowsheetSolution) -> Table {
    let mut table = Table::new(&[
        ("cascade", ""),
        ("extraction", "stages"),
        ("scrub", "stages"),
        ("feed", "stage"),
        ("extraction", "ratio S"),
        ("scrub", "ratio W"),
        ("O/A", "extraction"),
        ("O/A", "scrub"),
        ("reflux", "ratio R"),
        ("stage", "efficiency"),
        ("iterations", ""),
        ("residual", ""),
        ("status", ""),
    ]);
    table.align(12, Align::Left);
    for (unit, outcome) in flowsheet.cascades.iter().zip(&solution.cascades) {
        let c = &unit.cascade;
        let (s, w, oa, scrub_oa) = match c.operating_point {
            OperatingPoint::Fluxes {
                extraction_ratio,
                scrub_ratio,
            } => (Some(extraction_ratio), Some(scrub_ratio), None, None),
            OperatingPoint::Volumetric {
                oa_ratio,
                scrub_oa_ratio,
                ..
            } => (None, None, Some(oa_ratio), Some(scrub_oa_ratio)),
            OperatingPoint::Acidic { oa_ratio, .. } => (None, None, Some(oa_ratio), None),
        };
        let (iterations, residual, status) = match &outcome.result {
            Ok(sol) => (
                Cell::text(sol.convergence.iterations.to_string()),
                Cell::text(format!("{:.1e}", sol.convergence.residual)),
                "converged".to_string(),
            ),
            Err(e) => (Cell::Blank, Cell::Blank, format!("FAILED: {e}")),
        };
        table.row(vec![
            Cell::text(&unit.name),
            Cell::text(c.extraction_stages.to_string()),
            Cell::text(c.scrub_stages.to_string()),
            Cell::text(c.feed_stage().to_string()),
            Cell::maybe(s, 4),
            Cell::maybe(w, 4),
            Cell::maybe(oa, 4),
            Cell::maybe(scrub_oa, 4),
            Cell::number(c.reflux_ratio(), 4),
            // Ideal stages leave the cell, and a plant of ideal stages the column, empty.
            Cell::maybe((c.stage_efficiency < 1.0).then_some(c.stage_efficiency), 2),
            iterations,
            residual,
            Cell::text(status),
        ]);
    }
    table
}

fn stream_table(flowsheet: &Flowsheet, solution: &FlowsheetSolution) -> Table {
    let mut table = Table::new(&[
        ("stream", ""),
        ("role", ""),
        ("total", "mol/h"),
        ("REO", "kg/h"),
        ("REO", "t/yr"),
        ("composition", "mol %"),
    ]);
    table.align(1, Align::Left).align(5, Align::Left);
    let tears = solution.tear_streams();
    for (name, s) in &solution.streams {
        let total = s.total_mol_per_h();
        let composition: Vec<String> = s
            .flows()
            .filter(|(_, f)| *f >= 1e-4 * total)
            .map(|(e, f)| format!("{e} {:.2}", 100.0 * f / total))
            .collect();
        table.row(vec![
            Cell::text(name),
            Cell::text(flowsheet.stream_role(name, &tears).to_string()),
            Cell::number(total, 4),
            Cell::number(s.reo_g_per_h() / 1e3, 3),
            Cell::number(reo_t_per_year(flowsheet, s), 1),
            Cell::text(composition.join(", ")),
        ]);
    }
    table
}

fn product_table(solution: &FlowsheetSolution) -> Table {
    let mut table = Table::new(&[
        ("product", ""),
        ("oxide", ""),
        ("purity", "% REO"),
        ("min purity", "% REO"),
        ("recovery", "%"),
        ("min recovery", "%"),
        ("spec", ""),
    ]);
    table.align(1, Align::Left).align(6, Align::Left);
    for p in &solution.products {
        table.row(vec![
            Cell::text(&p.spec.name),
            Cell::text(p.spec.element.oxide_name()),
            Cell::maybe(p.purity_pct, 4),
            Cell::maybe(p.spec.min_purity_pct, 2),
            Cell::maybe(p.recovery_pct, 2),
            Cell::maybe(p.spec.min_recovery_pct, 2),
            Cell::text(if p.meets_spec { "met" } else { "NOT MET" }),
        ]);
    }
    table
}

/// The flowsheet's closure in words: a number, or why there is none.
pub(super) fn closure_words(closure: f64) -> String {
    if closure.is_nan() {
        "mass-balance closure not available: a cascade did not solve".to_string()
    } else {
        format!("mass-balance closure {closure:.1e} (max relative error)")
    }
}
