//! The designed flowsheet as TOML: the input file with each designed cascade's stage counts
//! and ratios filled in, and a comment giving the closed-form numbers beside them. Everything
//! else in the file (comments, order, layout) is kept.

use toml_edit::{DocumentMut, Item, Table, value};

use super::CascadeDesign;

/// `input` (the text of the flowsheet file `source`) with `designs` written into its
/// cascades, under a first line saying so.
pub fn designed_toml(
    source: &str,
    input: &str,
    designs: &[CascadeDesign],
) -> Result<String, toml_edit::TomlError> {
    let mut doc: DocumentMut = input.parse()?;
    if let Some(cascades) = doc
        .get_mut("cascades")
        .and_then(Item::as_array_of_tables_mut)
    {
        for table in cascades.iter_mut() {
            let name = table.get("name").and_then(Item::as_str).map(str::to_string);
            if let Some(d) = designs.iter().find(|d| Some(&d.cascade) == name.as_ref()) {
                write_design(table, d);
            }
        }
    }
    let stamp = format!(
        "# Written by `sxcascade design {source}`: that file with each designed cascade's stage\n\
         # counts and ratios filled in. Change the design file and design again.\n"
    );
    Ok(stamp + &doc.to_string())
}

fn write_design(table: &mut Table, d: &CascadeDesign) {
    for stale in [
        "scrub_ratio",
        "extraction_stages",
        "scrub_stages",
        "extraction_ratio",
        "extract_product_ratio",
        "reflux_ratio",
    ] {
        table.remove(stale);
    }
    table.insert("extraction_stages", value(d.extraction_stages as i64));
    table.insert("scrub_stages", value(d.scrub_stages as i64));
    table.insert("extraction_ratio", value(round(d.extraction_ratio)));
    table.insert("reflux_ratio", value(round(d.reflux_ratio)));
    if let Some(draw) = d.side_draw {
        table.insert("side_draw_stage", value(draw.stage as i64));
        table.insert("side_draw_fraction", value(round(draw.fraction)));
    }
    let closed_form = d
        .closed_form
        .map_or("none (a section cannot purify)".into(), |e| {
            format!("n = {:.1}, m = {:.1}", e.extraction_stages, e.scrub_stages)
        });
    let comment = format!(
        "\n# designed by `sxcascade design`: key pair {}/{} (beta {:.4}), extract group {:.4} mol \
         of the feed; R_min = {:.4}; Fenske N_min = {:.1}; Xu's closed form {closed_form}; \
         simulated: raffinate {:.4} %, extract {:.4} %\n",
        d.key_pair.1,
        d.key_pair.0,
        d.separation_factor,
        d.extract_fraction,
        d.minimum_reflux_ratio,
        d.fenske_minimum_stages,
        d.achieved.raffinate_purity_pct,
        d.achieved.extract_purity_pct,
    );
    let comment = match (
        d.side_draw,
        d.achieved.side_draw_purity_pct,
        d.achieved.side_draw_recovery_pct,
    ) {
        (Some(draw), Some(purity), Some(recovery)) => format!(
            "{}# the side draw at stage {} takes {:.4} of its {}: {purity:.4} % its group, \
             {recovery:.2} % of the group's feed\n",
            comment,
            draw.stage,
            draw.fraction,
            draw.phase.as_str()
        ),
        _ => comment,
    };
    if let Some(mut key) = table.key_mut("extraction_stages") {
        key.leaf_decor_mut().set_prefix(comment);
    }
}

/// Ratios to 6 significant digits: enough to reproduce the design, short enough to read.
fn round(x: f64) -> f64 {
    format!("{x:.6e}").parse().unwrap_or(x)
}
