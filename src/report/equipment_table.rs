//! Mixer-settlers, inventory and cost: one table per cascade with plant totals, and the notes
//! on what the plant holds and costs. `run` prints them, the report shows them.

use super::columns::{Cell, Table};
use crate::flowsheet::{Flowsheet, FlowsheetSolution, PlantCost, PlantEquipment};

/// The mixer-settler table and the lines under it, or `None` when the file sizes no
/// mixer-settlers.
pub struct EquipmentSummary {
    pub table: Table,
    pub notes: Vec<String>,
}

pub fn equipment_summary(
    flowsheet: &Flowsheet,
    solution: &FlowsheetSolution,
) -> Option<EquipmentSummary> {
    let equipment = solution.equipment(flowsheet);
    let plant = solution.plant_equipment(flowsheet, &equipment)?;
    let mut table = Table::new(&[
        ("cascade", ""),
        ("stages", ""),
        ("mixer", "m3/stage"),
        ("settler", "m2/stage"),
        ("settler", "m3/stage"),
        ("organic held", "m3"),
        ("rare earths held", "kg REO"),
        ("capital", "USD"),
    ]);
    let mut stages = 0;
    for (unit, e) in flowsheet.cascades.iter().zip(&equipment) {
        let Some(e) = e else { continue };
        let b = &e.boxes;
        stages += b.stages;
        table.row(vec![
            Cell::text(&unit.name),
            Cell::number(b.stages as f64, 0),
            Cell::number(b.mixer_m3_per_stage, 3),
            Cell::number(b.settler_m2_per_stage, 2),
            Cell::number(b.settler_m3_per_stage, 2),
            Cell::number(b.organic_inventory_m3, 1),
            Cell::number(e.inventory_kg().map(|(_, kg)| kg).sum(), 0),
            e.capital_usd.map_or(Cell::Blank, |c| Cell::text(money(c))),
        ]);
    }
    let held: f64 = plant.inventory_kg.iter().map(|(_, kg)| kg).sum();
    if table.rows() > 1 {
        table.total(vec![
            Cell::text("plant total"),
            Cell::number(stages as f64, 0),
            Cell::Blank,
            Cell::Blank,
            Cell::Blank,
            Cell::number(plant.organic_inventory_m3, 1),
            Cell::number(held, 0),
            plant
                .cost
                .as_ref()
                .map_or(Cell::Blank, |c| Cell::text(money(c.capital_usd))),
        ]);
    }
    Some(EquipmentSummary {
        table,
        notes: notes(&plant),
    })
}

/// Text for `run`: the table and its notes; empty when nothing is sized.
pub fn equipment_table(flowsheet: &Flowsheet, solution: &FlowsheetSolution) -> String {
    equipment_summary(flowsheet, solution).map_or(String::new(), |s| {
        let mut out = String::from("\nmixer-settlers, inventory and cost\n");
        out.push_str(&s.table.to_text());
        for note in &s.notes {
            out.push_str(note);
            out.push('\n');
        }
        out
    })
}

fn notes(plant: &PlantEquipment) -> Vec<String> {
    let held: f64 = plant.inventory_kg.iter().map(|(_, kg)| kg).sum();
    let composition: Vec<String> = plant
        .inventory_kg
        .iter()
        .filter(|(_, kg)| *kg >= 1e-3 * held)
        .map(|(e, kg)| format!("{} {kg:.0}", e.oxide_name()))
        .collect();
    let mut notes = vec![
        format!(
            "boxes sized for each cascade's largest stage flow, each phase filling its share of \
             the flow (strip section and tanks not counted); in all {} cascades: mixers {:.1} \
             m3, settlers {:.1} m2 and {:.1} m3",
            plant.cascades_sized, plant.mixer_m3, plant.settler_m2, plant.settler_m3
        ),
        format!("rare earths held, kg of oxide: {}", composition.join(", ")),
    ];
    if let Some(cost) = &plant.cost {
        notes.extend(cost_lines(cost));
    }
    notes
}

fn cost_lines(c: &PlantCost) -> Vec<String> {
    let o = &c.operating;
    let line = |x: Option<f64>| x.map_or("no price".to_string(), money);
    let mut lines = vec![format!(
        "operating cost, USD/yr: HCl {}, NaOH {}, NH3 {}, organic make-up {}; total {}{}",
        line(o.hcl_usd_per_year),
        line(o.naoh_usd_per_year),
        line(o.nh3_usd_per_year),
        line(o.organic_makeup_usd_per_year),
        money(o.total_usd_per_year()),
        c.operating_usd_per_t_reo()
            .map_or(String::new(), |v| format!(
                " ({} per t of product oxide)",
                money(v)
            ))
    )];
    if let Some(fill) = c.organic_fill_usd {
        lines.push(format!("first organic fill: {} USD", money(fill)));
    }
    lines.push(format!(
        "products: {:.1} t/yr of oxide worth {} USD/yr; rare earths held worth {} USD",
        c.products_t_per_year,
        money(c.product_value_usd_per_year),
        money(c.inventory_value_usd)
    ));
    if !c.unpriced_oxides.is_empty() {
        let names: Vec<String> = c.unpriced_oxides.iter().map(|e| e.oxide_name()).collect();
        lines.push(format!("no price given, not valued: {}", names.join(", ")));
    }
    lines
}

/// Whole dollars with thousands separators.
fn money(x: f64) -> String {
    let digits = format!("{:.0}", x.abs());
    let mut grouped = String::new();
    for (k, ch) in digits.chars().enumerate() {
        if k > 0 && (digits.len() - k) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    if x < 0.0 && digits != "0" {
        format!("-{grouped}")
    } else {
        grouped
    }
}

#[cfg(test)]
mod tests {
    use super::money;

    #[test]
    fn money_groups_thousands() {
        assert_eq!(money(0.4), "0");
        assert_eq!(money(999.0), "999");
        assert_eq!(money(1234.6), "1,235");
        assert_eq!(money(-1_234_567.0), "-1,234,567");
    }
}
