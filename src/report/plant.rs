//! The plant's flows and reagents: per cascade the loaded organic, the aqueous inlets and
//! outlet in L/h and the stoichiometric saponification base and hydrochloric acid in t/yr,
//! then the plant's totals. `run` prints it, the report shows it.

use super::columns::{Cell, Table};
use crate::flowsheet::{Flowsheet, FlowsheetSolution, SaponificationBase};

/// How the reagent figures are reckoned (docs/model.md): said under the table.
pub const REAGENT_NOTE: &str = "reagents are stoichiometric minima, 3 mol per mol of rare \
    earth: saponification base 3 S, scrub HCl 3 W, strip HCl 3 (S - W) (S, W in mol per mol \
    of feed)";

/// How an acid-aware cascade's reagents are reckoned: said under the table when there is one.
pub const ACID_REAGENT_NOTE: &str = "acid-aware cascades (ph_correlation): HCl is what their \
    scrub and strip liquors carry in; the JSON `reagents` add the acid leaving with raffinate \
    and strip liquor, from the solved acid balance";

/// The notes under the plant table for `flowsheet`'s cascades: the stoichiometric note when a
/// cascade is reckoned so, the acid-balance note when one has an acid balance.
pub fn reagent_notes(flowsheet: &Flowsheet) -> Vec<&'static str> {
    let acid = |u: &crate::flowsheet::CascadeUnit| {
        matches!(
            u.cascade.operating_point,
            crate::cascade::OperatingPoint::Acidic { .. }
        )
    };
    let mut notes = Vec::new();
    if flowsheet.cascades.iter().any(|u| !acid(u)) {
        notes.push(REAGENT_NOTE);
    }
    if flowsheet.cascades.iter().any(acid) {
        notes.push(ACID_REAGENT_NOTE);
    }
    notes
}

/// The table, or `None` when no cascade has the capacities and concentrations it needs.
pub fn plant_table(flowsheet: &Flowsheet, solution: &FlowsheetSolution) -> Option<Table> {
    let flows = solution.plant_flows(flowsheet);
    if flows.iter().flatten().all(|p| p.reagents.is_none()) {
        return None;
    }
    let hours = flowsheet.hours_per_year();
    let mut table = Table::new(&[
        ("cascade", ""),
        ("loaded organic", "L/h"),
        ("aqueous feed", "L/h"),
        ("scrub liquor", "L/h"),
        ("strip liquor", "L/h"),
        ("raffinate", "L/h"),
        ("saponification base", "t/yr"),
        ("base", ""),
        ("HCl", "t/yr"),
    ]);
    table.align(7, super::columns::Align::Left);
    // Sums over the cascades that give each figure; a column no cascade gives stays blank.
    let mut sums = [None::<f64>; 5];
    let mut base_sums: Vec<(SaponificationBase, f64)> = Vec::new();
    let mut acid_sum = None::<f64>;
    for (unit, plant) in flowsheet.cascades.iter().zip(&flows) {
        let Some(p) = plant else { continue };
        let litres = [
            p.organic_l_per_h,
            p.aqueous_feed_l_per_h,
            p.scrub_l_per_h,
            p.strip_l_per_h,
            p.raffinate_l_per_h,
        ];
        for (sum, x) in sums.iter_mut().zip(litres) {
            if let Some(x) = x {
                *sum = Some(sum.unwrap_or(0.0) + x);
            }
        }
        let mut row = vec![Cell::text(&unit.name)];
        row.extend(litres.map(|x| Cell::maybe(x, 0)));
        match p.reagents {
            Some(r) => {
                let base = r.base_t_per_year(hours);
                match base_sums.iter_mut().find(|(b, _)| *b == r.base) {
                    Some((_, sum)) => *sum += base,
                    None => base_sums.push((r.base, base)),
                }
                let acid = r.acid_t_per_year(hours);
                acid_sum = Some(acid_sum.unwrap_or(0.0) + acid);
                row.push(Cell::number(base, 1));
                row.push(Cell::text(format!("{:?}", r.base)));
                row.push(Cell::number(acid, 1));
            }
            None => row.extend([Cell::Blank, Cell::Blank, Cell::Blank]),
        }
        table.row(row);
    }
    // One cascade is its own total.
    if table.rows() < 2 {
        return Some(table);
    }
    // One base: its total on the total row. Several: the total row has none, and a row per
    // base gives each one's (tonnes of NaOH and of NH3 do not add up to anything bought).
    let mut total = vec![Cell::text("plant total")];
    total.extend(sums.map(|x| Cell::maybe(x, 0)));
    match base_sums.as_slice() {
        [(base, sum)] => {
            total.push(Cell::number(*sum, 1));
            total.push(Cell::text(format!("{base:?}")));
        }
        _ => total.extend([Cell::Blank, Cell::Blank]),
    }
    total.push(Cell::maybe(acid_sum, 1));
    table.total(total);
    if base_sums.len() > 1 {
        for (base, sum) in &base_sums {
            let mut row = vec![Cell::text(format!("plant total {base:?}"))];
            row.extend(std::iter::repeat_n(Cell::Blank, 5));
            row.push(Cell::number(*sum, 1));
            row.push(Cell::text(format!("{base:?}")));
            row.push(Cell::Blank);
            table.total(row);
        }
    }
    Some(table)
}
