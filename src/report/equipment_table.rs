//! The text table of mixer-settlers, inventory and cost, for `sxcascade run`.

use std::fmt::Write;

use crate::flowsheet::{Flowsheet, FlowsheetSolution, PlantCost};

/// Mixer-settlers per cascade, plant totals and, with `[prices]`, the cost; empty when the
/// file sizes no mixer-settlers.
pub fn equipment_table(flowsheet: &Flowsheet, solution: &FlowsheetSolution) -> String {
    let equipment = solution.equipment(flowsheet);
    let Some(plant) = solution.plant_equipment(flowsheet, &equipment) else {
        return String::new();
    };
    let header = [
        "cascade",
        "stages",
        "mixer m3/stage",
        "settler m2/stage",
        "settler m3/stage",
        "organic held m3",
        "REO held kg",
        "capital USD",
    ];
    let mut rows: Vec<Vec<String>> = Vec::new();
    for (unit, e) in flowsheet.cascades.iter().zip(&equipment) {
        let Some(e) = e else { continue };
        let b = &e.boxes;
        rows.push(vec![
            unit.name.clone(),
            b.stages.to_string(),
            format!("{:.2}", b.mixer_m3_per_stage),
            format!("{:.2}", b.settler_m2_per_stage),
            format!("{:.2}", b.settler_m3_per_stage),
            format!("{:.1}", b.organic_inventory_m3),
            format!("{:.0}", e.inventory_kg().map(|(_, kg)| kg).sum::<f64>()),
            e.capital_usd.map_or("-".into(), money),
        ]);
    }
    let held: f64 = plant.inventory_kg.iter().map(|(_, kg)| kg).sum();
    rows.push(vec![
        "plant".into(),
        equipment
            .iter()
            .flatten()
            .map(|e| e.boxes.stages)
            .sum::<usize>()
            .to_string(),
        format!("{:.2}", plant.mixer_m3),
        format!("{:.2}", plant.settler_m2),
        format!("{:.2}", plant.settler_m3),
        format!("{:.1}", plant.organic_inventory_m3),
        format!("{held:.0}"),
        plant
            .cost
            .as_ref()
            .map_or("-".into(), |c| money(c.capital_usd)),
    ]);
    let mut out = String::from("\n");
    aligned(&mut out, &header, &rows);
    let _ = writeln!(
        out,
        "plant row: totals over all stages (mixer, settler area and volume summed over every box)"
    );
    let composition: Vec<String> = plant
        .inventory_kg
        .iter()
        .filter(|(_, kg)| *kg >= 1e-3 * held)
        .map(|(e, kg)| format!("{} {kg:.0}", e.oxide_name()))
        .collect();
    let _ = writeln!(out, "REO held, kg: {}", composition.join(", "));
    if let Some(cost) = &plant.cost {
        cost_lines(&mut out, cost);
    }
    out
}

fn cost_lines(out: &mut String, c: &PlantCost) {
    let o = &c.operating;
    let line = |x: Option<f64>| x.map_or("no price".to_string(), money);
    let _ = writeln!(
        out,
        "operating, USD/yr: HCl {}, NaOH {}, NH3 {}, organic make-up {}; total {}{}",
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
    );
    if let Some(fill) = c.organic_fill_usd {
        let _ = writeln!(out, "first organic fill: {} USD", money(fill));
    }
    let _ = writeln!(
        out,
        "products: {:.1} t/yr of oxide worth {} USD/yr; rare earths held worth {} USD",
        c.products_t_per_year,
        money(c.product_value_usd_per_year),
        money(c.inventory_value_usd)
    );
    if !c.unpriced_oxides.is_empty() {
        let names: Vec<String> = c.unpriced_oxides.iter().map(|e| e.oxide_name()).collect();
        let _ = writeln!(out, "(no price given, not valued: {})", names.join(", "));
    }
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
    if x < 0.0 {
        format!("-{grouped}")
    } else {
        grouped
    }
}

/// Columns as wide as their widest cell, text left and numbers right, two spaces apart.
fn aligned(out: &mut String, header: &[&str], rows: &[Vec<String>]) {
    let widths: Vec<usize> = (0..header.len())
        .map(|k| {
            rows.iter()
                .map(|r| r[k].chars().count())
                .chain([header[k].chars().count()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut line = |cells: Vec<&str>| {
        let text: Vec<String> = cells
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(k, (cell, &w))| {
                if k == 0 {
                    format!("{cell:<w$}")
                } else {
                    format!("{cell:>w$}")
                }
            })
            .collect();
        let _ = writeln!(out, "{}", text.join("  ").trim_end());
    };
    line(header.to_vec());
    for r in rows {
        line(r.iter().map(String::as_str).collect());
    }
}

#[cfg(test)]
mod tests {
    use super::money;

    #[test]
    fn money_groups_thousands() {
        assert_eq!(money(0.4), "0");
        assert_eq!(money(999.0), "999");
        assert_eq!(money(1234.5), "1,235");
        assert_eq!(money(-1_234_567.0), "-1,234,567");
    }
}
