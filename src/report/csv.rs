//! The tables of `sxcascade run --out DIR` as CSV: streams, products, cascades and one stage
//! profile per cascade. Built in memory; the binary writes each file atomically.

use std::collections::BTreeSet;

use super::reo_t_per_year;
use crate::cascade::OperatingPoint;
use crate::elements::Element;
use crate::flowsheet::{Flowsheet, FlowsheetSolution};

/// A CSV file: its name in the output directory and its bytes; `None` for the profile of a
/// cascade that was not solved, whose file from an earlier run must not be left to look
/// current.
pub struct CsvFile {
    pub name: String,
    pub contents: Option<Vec<u8>>,
}

/// Every CSV table of a solved flowsheet. Numbers are written in full precision (shortest
/// text that reads back to the same double); a missing value is an empty field.
pub fn csv_files(flowsheet: &Flowsheet, solution: &FlowsheetSolution) -> csv::Result<Vec<CsvFile>> {
    let mut files = vec![
        CsvFile {
            name: "streams.csv".into(),
            contents: Some(streams(flowsheet, solution)?),
        },
        CsvFile {
            name: "products.csv".into(),
            contents: Some(products(flowsheet, solution)?),
        },
        CsvFile {
            name: "cascades.csv".into(),
            contents: Some(cascades(flowsheet, solution)?),
        },
    ];
    let stems = cascade_stems(flowsheet);
    for ((unit, outcome), stem) in flowsheet.cascades.iter().zip(&solution.cascades).zip(stems) {
        let name = format!("profile_{stem}.csv");
        let Ok(s) = &outcome.result else {
            files.push(CsvFile {
                name,
                contents: None,
            });
            continue;
        };
        let mut w = csv::Writer::from_writer(Vec::new());
        let mut header = vec!["stage".to_string(), "section".to_string()];
        header.extend(s.elements.iter().map(|e| format!("aqueous_{e}_mol_per_h")));
        header.extend(s.elements.iter().map(|e| format!("organic_{e}_mol_per_h")));
        if s.ph.is_some() {
            header.push("ph".to_string());
        }
        w.write_record(&header)?;
        let n = unit.cascade.extraction_stages;
        for (j, (a, o)) in s.stage_rows().enumerate() {
            let section = if j < n { "extraction" } else { "scrub" };
            let mut row = vec![(j + 1).to_string(), section.to_string()];
            row.extend(a.iter().chain(o.iter()).map(|x| number(Some(*x))));
            if let Some(ph) = &s.ph {
                row.push(number(Some(ph[j])));
            }
            w.write_record(&row)?;
        }
        files.push(CsvFile {
            name,
            contents: Some(into_bytes(w)?),
        });
    }
    Ok(files)
}

fn streams(flowsheet: &Flowsheet, solution: &FlowsheetSolution) -> csv::Result<Vec<u8>> {
    let present: BTreeSet<Element> = solution
        .streams
        .values()
        .flat_map(|s| s.elements())
        .collect();
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<String> = [
        "stream",
        "role",
        "total_mol_per_h",
        "reo_kg_per_h",
        "reo_t_per_year",
    ]
    .map(String::from)
    .to_vec();
    header.extend(present.iter().map(|e| format!("{e}_mol_per_h")));
    w.write_record(&header)?;
    let tears = solution.tear_streams();
    for (name, s) in &solution.streams {
        let mut row = vec![
            name.clone(),
            flowsheet.stream_role(name, &tears).to_string(),
            number(Some(s.total_mol_per_h())),
            number(Some(s.reo_g_per_h() / 1e3)),
            number(Some(reo_t_per_year(flowsheet, s))),
        ];
        row.extend(present.iter().map(|&e| number(Some(s.mol_per_h(e)))));
        w.write_record(&row)?;
    }
    into_bytes(w)
}

fn products(flowsheet: &Flowsheet, solution: &FlowsheetSolution) -> csv::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "product",
        "stream",
        "element",
        "oxide",
        "purity_pct",
        "purity_mol_pct",
        "recovery_pct",
        "min_purity_pct",
        "min_recovery_pct",
        "meets_spec",
        // Columns added later go last, so that readers by position keep working.
        "reo_t_per_year",
    ])?;
    for p in &solution.products {
        w.write_record([
            p.spec.name.clone(),
            p.spec.stream.clone(),
            p.spec.element.to_string(),
            p.spec.element.oxide_name(),
            number(p.purity_pct),
            number(p.purity_mol_pct),
            number(p.recovery_pct),
            number(p.spec.min_purity_pct),
            number(p.spec.min_recovery_pct),
            p.meets_spec.to_string(),
            number(
                solution
                    .streams
                    .get(&p.spec.stream)
                    .map(|s| reo_t_per_year(flowsheet, s)),
            ),
        ])?;
    }
    into_bytes(w)
}

fn cascades(flowsheet: &Flowsheet, solution: &FlowsheetSolution) -> csv::Result<Vec<u8>> {
    let hours = flowsheet.hours_per_year();
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "cascade",
        "extraction_stages",
        "scrub_stages",
        "feed_stage",
        "feed_mol_per_h",
        "converged",
        "iterations",
        "residual",
        "organic_l_per_h",
        "aqueous_feed_l_per_h",
        "scrub_l_per_h",
        "raffinate_l_per_h",
        "base",
        "base_t_per_year",
        "hcl_t_per_year",
        "error",
        // Columns added later go last, so that readers by position keep working.
        "extraction_ratio",
        "scrub_ratio",
        "reflux_ratio",
    ])?;
    let plant = solution.plant_flows(flowsheet);
    for ((unit, outcome), plant) in flowsheet.cascades.iter().zip(&solution.cascades).zip(plant) {
        let c = &unit.cascade;
        let solved = outcome.result.as_ref().ok();
        let plant = plant.unwrap_or_default();
        let reagents = plant.reagents;
        // S and W of the saturated model; the constant-D model has O/A ratios instead.
        let r = Some(c.reflux_ratio());
        let (s, w_ratio) = match c.operating_point {
            OperatingPoint::Fluxes {
                extraction_ratio,
                scrub_ratio,
            } => (Some(extraction_ratio), Some(scrub_ratio)),
            OperatingPoint::Volumetric { .. } | OperatingPoint::Acidic { .. } => (None, None),
        };
        w.write_record([
            unit.name.clone(),
            c.extraction_stages.to_string(),
            c.scrub_stages.to_string(),
            c.feed_stage().to_string(),
            number(solved.map(|s| s.feed.total_mol_per_h())),
            solved.is_some().to_string(),
            solved.map_or(String::new(), |s| s.convergence.iterations.to_string()),
            number(solved.map(|s| s.convergence.residual)),
            number(plant.organic_l_per_h),
            number(plant.aqueous_feed_l_per_h),
            number(plant.scrub_l_per_h),
            number(plant.raffinate_l_per_h),
            reagents.map_or(String::new(), |r| format!("{:?}", r.base)),
            number(reagents.map(|r| r.base_t_per_year(hours))),
            number(reagents.map(|r| r.acid_t_per_year(hours))),
            outcome
                .result
                .as_ref()
                .err()
                .map_or(String::new(), ToString::to_string),
            number(s),
            number(w_ratio),
            number(r),
        ])?;
    }
    into_bytes(w)
}

/// Shortest round-trip text; very small or large magnitudes in exponent form (`8.3e-54`),
/// which spreadsheets and CSV readers parse, rather than fifty zeros.
fn number(x: Option<f64>) -> String {
    match x {
        None => String::new(),
        Some(v) if v != 0.0 && !(1e-4..1e15).contains(&v.abs()) => format!("{v:e}"),
        Some(v) => v.to_string(),
    }
}

fn into_bytes(w: csv::Writer<Vec<u8>>) -> csv::Result<Vec<u8>> {
    w.into_inner().map_err(|e| e.into_error().into())
}

/// Each cascade's name as part of a file name, distinct even where two names map to the same
/// characters (the second gets its position in the file appended).
pub(super) fn cascade_stems(flowsheet: &Flowsheet) -> Vec<String> {
    let mut used = BTreeSet::new();
    let mut stems = Vec::new();
    for (k, unit) in flowsheet.cascades.iter().enumerate() {
        let mut stem = file_safe(&unit.name);
        if !used.insert(stem.clone()) {
            stem = format!("{stem}_{}", k + 1);
            used.insert(stem.clone());
        }
        stems.push(stem);
    }
    stems
}

/// A cascade name as a file name: letters, digits, `-`, `_` and `.` kept, the rest `_`.
fn file_safe(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect()
}
