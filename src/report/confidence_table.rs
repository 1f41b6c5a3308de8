//! The part of the design table for designs to a confidence: per product, the share of the
//! separation-factor samples meeting its targets at the designed counts and at the nominal
//! design's.

use super::columns::{Cell, Table};
use crate::design::{CascadeDesign, Tally};

/// The table and its heading line; empty when no cascade was designed to a confidence.
pub fn confidence_table(designs: &[CascadeDesign]) -> String {
    let with: Vec<_> = designs
        .iter()
        .filter_map(|d| d.confidence.map(|c| (d, c)))
        .collect();
    if with.is_empty() {
        return String::new();
    }
    let mut table = Table::new(&[
        ("cascade", ""),
        ("confidence", "%"),
        ("samples", ""),
        ("seed", ""),
        ("designed", "n + m"),
        ("raffinate on spec", "%"),
        ("extract on spec", "%"),
        ("both", "%"),
        ("nominal", "n + m"),
        ("raffinate on spec", "%"),
        ("extract on spec", "%"),
        ("both", "%"),
    ]);
    let pct = |count: usize, t: &Tally| Cell::number(100.0 * Tally::share(count, t.judged), 1);
    for (d, c) in &with {
        table.row(vec![
            Cell::text(&d.cascade),
            Cell::number(c.confidence.pct, 1),
            Cell::number(c.confidence.samples as f64, 0),
            Cell::text(c.confidence.seed.to_string()),
            Cell::text(format!("{} + {}", d.extraction_stages, d.scrub_stages)),
            pct(c.designed.raffinate, &c.designed),
            pct(c.designed.extract, &c.designed),
            pct(c.designed.both, &c.designed),
            Cell::text(format!("{} + {}", c.nominal_stages.0, c.nominal_stages.1)),
            pct(c.nominal.raffinate, &c.nominal),
            pct(c.nominal.extract, &c.nominal),
            pct(c.nominal.both, &c.nominal),
        ]);
    }
    format!(
        "\ndesigned to a confidence: share of separation-factor samples (lognormal, \
         separation_factor_sigma) meeting each product's targets, at the designed counts and at \
         the nominal design's\n{}",
        table.to_text()
    )
}
