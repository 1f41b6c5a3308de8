//! The designed flowsheet as TOML: the input file with each designed cascade's stage counts
//! and ratios filled in, and a comment giving the closed-form numbers beside them. Everything
//! else in the file (comments, order, layout) is kept.

use toml_edit::{DocumentMut, Item, Table, value};

use super::{CascadeDesign, PlantConfidence};

/// `input` (the text of the flowsheet file `source`) with `designs` written into its
/// cascades, under a first line saying so.
pub fn designed_toml(
    source: &str,
    input: &str,
    designs: &[CascadeDesign],
) -> Result<String, toml_edit::TomlError> {
    designed_plant_toml(source, input, designs, None)
}

/// As [`designed_toml`], and, for a plant designed to a confidence, a comment at each cut
/// target the design raised and at each product saying how often it is on spec.
pub fn designed_plant_toml(
    source: &str,
    input: &str,
    designs: &[CascadeDesign],
    products: Option<&PlantConfidence>,
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
                if let Some(p) = products {
                    write_raised(table, d, p);
                }
            }
        }
    }
    if let (Some(p), Some(tables)) = (
        products,
        doc.get_mut("products")
            .and_then(Item::as_array_of_tables_mut),
    ) {
        for table in tables.iter_mut() {
            let name = table.get("name").and_then(Item::as_str).map(str::to_string);
            if let Some((_, s)) = p.products.iter().find(|x| Some(&x.0) == name.as_ref())
                && let Some(mut key) = table.key_mut("stream")
            {
                key.leaf_decor_mut().set_prefix(format!(
                    "# on spec in {:.1} % of {} samples of the factors (seed {}); {:.1} % with \
                     each cut designed to its own confidence, {:.1} % at the nominal counts\n",
                    s.designed_pct, p.samples, p.seed, s.per_cut_pct, s.nominal_pct
                ));
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

/// What marks the comment lines the plant-level design writes above a cascade's design table.
const PLANT_MARK: &str = "# for the plant's products";

/// Above the cascade's design table, the sections the plant-level design grew and the targets
/// it raised, and for which products (the file's own targets stay, so that designing it again
/// repeats the same steps). Lines an earlier design wrote there are replaced; other comments
/// are kept.
fn write_raised(table: &mut Table, d: &CascadeDesign, p: &PlantConfidence) {
    let listed = |products: &[(String, crate::elements::Element)]| {
        let named: Vec<String> = products
            .iter()
            .map(|(name, impurity)| format!("{name} (impurity {impurity})"))
            .collect();
        named.join(", ")
    };
    let head = format!(
        "{PLANT_MARK} (each on spec in {:.1} % of {} samples):",
        p.required_pct, p.samples
    );
    let grown = p.grown.iter().filter(|g| g.cascade == d.cascade).map(|g| {
        format!(
            "{head} {} section grown from {} to {} stages for {}\n",
            g.section.as_str(),
            g.from_stages,
            g.to_stages,
            listed(&g.for_products)
        )
    });
    let raised = p.raised.iter().filter(|r| r.cascade == d.cascade).map(|r| {
        format!(
            "{head} designed to {} = {} (raised from {}) for {}\n",
            r.side.field(),
            r.to_pct,
            r.from_pct,
            listed(&r.for_products)
        )
    });
    let lines: String = grown.chain(raised).collect();
    let Some(design) = table.get_mut("design").and_then(Item::as_table_mut) else {
        return;
    };
    let kept: String = design
        .decor()
        .prefix()
        .and_then(|p| p.as_str())
        .unwrap_or("")
        .split_inclusive('\n')
        .filter(|line| !line.starts_with(PLANT_MARK))
        .collect();
    if lines.is_empty() && kept.is_empty() {
        return;
    }
    let kept = if kept.is_empty() {
        "\n".to_string()
    } else {
        kept
    };
    design.decor_mut().set_prefix(format!("{kept}{lines}"));
}

/// Ratios to 6 significant digits: enough to reproduce the design, short enough to read.
fn round(x: f64) -> f64 {
    format!("{x:.6e}").parse().unwrap_or(x)
}
