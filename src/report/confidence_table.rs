//! The part of the design table for designs to a confidence: per product, the share of the
//! factor samples meeting its targets at the designed counts and at the nominal design's.

use std::fmt::Write;

use crate::design::{CascadeDesign, Tally};

/// One block per cascade designed to a confidence; empty when none was.
pub fn confidence_table(designs: &[CascadeDesign]) -> String {
    let mut out = String::new();
    let with: Vec<_> = designs
        .iter()
        .filter_map(|d| d.confidence.map(|c| (d, c)))
        .collect();
    if with.is_empty() {
        return out;
    }
    let _ = writeln!(
        out,
        "\ndesigned to a confidence: share of separation-factor samples meeting each product's \
         targets (purity and recovery), designed counts against the nominal design's"
    );
    let header = [
        "cascade",
        "confidence %",
        "samples",
        "seed",
        "n + m",
        "raffinate %",
        "extract %",
        "both %",
        "nominal n + m",
        "raffinate %",
        "extract %",
        "both %",
    ];
    let pct = |count: usize, t: &Tally| format!("{:.1}", 100.0 * Tally::share(count, t.judged));
    let rows: Vec<Vec<String>> = with
        .iter()
        .map(|(d, c)| {
            vec![
                d.cascade.clone(),
                format!("{}", c.confidence.pct),
                c.confidence.samples.to_string(),
                c.confidence.seed.to_string(),
                format!("{} + {}", d.extraction_stages, d.scrub_stages),
                pct(c.designed.raffinate, &c.designed),
                pct(c.designed.extract, &c.designed),
                pct(c.designed.both, &c.designed),
                format!("{} + {}", c.nominal_stages.0, c.nominal_stages.1),
                pct(c.nominal.raffinate, &c.nominal),
                pct(c.nominal.extract, &c.nominal),
                pct(c.nominal.both, &c.nominal),
            ]
        })
        .collect();
    let widths: Vec<usize> = (0..header.len())
        .map(|k| {
            rows.iter()
                .map(|r| r[k].len())
                .chain([header[k].len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut line = |cells: Vec<&str>| {
        let text: Vec<String> = cells
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(k, (c, &w))| {
                if k == 0 {
                    format!("{c:<w$}")
                } else {
                    format!("{c:>w$}")
                }
            })
            .collect();
        let _ = writeln!(out, "{}", text.join("  "));
    };
    line(header.to_vec());
    for r in &rows {
        line(r.iter().map(String::as_str).collect());
    }
    out
}
