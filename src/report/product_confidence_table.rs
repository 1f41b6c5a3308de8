//! The part of the design table for a plant designed to a confidence: per product, the share
//! of joint samples of every system's factors in which it is on spec, at the nominal counts,
//! with each cut designed to its own confidence, and as designed; then the cut targets the
//! plant-level design raised.

use std::fmt::Write;

use super::columns::{Cell, Table};
use crate::design::PlantConfidence;

/// The table and its heading line; empty without a plant-level design.
pub fn product_confidence_table(plant: Option<&PlantConfidence>) -> String {
    let Some(p) = plant else {
        return String::new();
    };
    let mut table = Table::new(&[
        ("product", ""),
        ("nominal", "%"),
        ("per cut", "%"),
        ("designed", "%"),
    ]);
    let rows = p
        .products
        .iter()
        .map(|(name, s)| (name.as_str(), s))
        .chain([("all", &p.all)]);
    for (name, s) in rows {
        table.row(vec![
            Cell::text(name),
            Cell::number(s.nominal_pct, 1),
            Cell::number(s.per_cut_pct, 1),
            Cell::number(s.designed_pct, 1),
        ]);
    }
    let mut out = format!(
        "\nplant designed to a confidence: share of {} joint samples of the separation factors \
         (seed {}) with each product on spec, each to reach {:.1} % ({} % with two standard errors \
         to spare): at the nominal counts, with each cut designed to its own confidence, and as \
         designed\n{}",
        p.samples,
        p.seed,
        p.required_pct,
        p.pct,
        table.to_text()
    );
    for g in &p.grown {
        let products: Vec<String> = g
            .for_products
            .iter()
            .map(|(name, impurity)| format!("{name} (impurity {impurity})"))
            .collect();
        let _ = writeln!(
            out,
            "{}: {} stages {} -> {} for {}",
            g.cascade,
            g.section.as_str(),
            g.from_stages,
            g.to_stages,
            products.join(", ")
        );
    }
    for r in &p.raised {
        let products: Vec<String> = r
            .for_products
            .iter()
            .map(|(name, impurity)| format!("{name} (impurity {impurity})"))
            .collect();
        let _ = writeln!(
            out,
            "{}: `{}` raised from {} to {} % ({} times) for {}",
            r.cascade,
            r.side.field(),
            r.from_pct,
            r.to_pct,
            r.times,
            products.join(", ")
        );
    }
    let _ = writeln!(
        out,
        "{} rounds of changing cuts, {} samples of the whole plant solved",
        p.rounds, p.plant_samples_solved
    );
    out
}
