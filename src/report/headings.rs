//! The report's column headings: a CSV column's machine name (`hcl_t_per_year`, kept in the
//! CSV files for scripts) as a person reads it, with its unit (`HCl, t/yr`).

/// The heading of CSV column `name`.
pub fn heading(name: &str) -> String {
    let known = match name {
        "total_mol_per_h" => "total, mol/h",
        "reo_kg_per_h" => "REO, kg/h",
        "reo_t_per_year" => "REO, t/yr",
        "purity_pct" => "purity, % of REO",
        "purity_mol_pct" => "purity, mol %",
        "recovery_pct" => "recovery, %",
        "min_purity_pct" => "min. purity, % of REO",
        "min_recovery_pct" => "min. recovery, %",
        "meets_spec" => "meets spec",
        "extraction_stages" => "extraction stages n",
        "scrub_stages" => "scrub stages m",
        "feed_stage" => "feed stage",
        "feed_mol_per_h" => "feed, mol/h",
        "organic_l_per_h" => "loaded organic, L/h",
        "aqueous_feed_l_per_h" => "aqueous feed, L/h",
        "scrub_l_per_h" => "scrub liquor, L/h",
        "raffinate_l_per_h" => "raffinate, L/h",
        "base" => "saponification base",
        "base_t_per_year" => "base, t/yr",
        "hcl_t_per_year" => "HCl, t/yr",
        "extraction_ratio" => "extraction ratio S, mol/mol feed",
        "scrub_ratio" => "scrub ratio W, mol/mol feed",
        "reflux_ratio" => "reflux ratio R",
        _ => "",
    };
    if !known.is_empty() {
        return known.to_string();
    }
    // An element's flow (`Nd_mol_per_h`), or any other column: its unit after a comma.
    for (suffix, unit) in [
        ("_mol_per_h", "mol/h"),
        ("_kg_per_h", "kg/h"),
        ("_l_per_h", "L/h"),
        ("_t_per_year", "t/yr"),
        ("_pct", "%"),
    ] {
        if let Some(what) = name.strip_suffix(suffix) {
            return format!("{}, {unit}", what.replace('_', " "));
        }
    }
    name.replace('_', " ")
}

#[cfg(test)]
mod tests {
    use super::heading;

    #[test]
    fn headings_name_their_units() {
        assert_eq!(heading("hcl_t_per_year"), "HCl, t/yr");
        assert_eq!(heading("Nd_mol_per_h"), "Nd, mol/h");
        assert_eq!(heading("organic_l_per_h"), "loaded organic, L/h");
        assert_eq!(heading("aqueous_Nd_mol_per_h"), "aqueous Nd, mol/h");
        assert_eq!(heading("stream"), "stream");
    }
}
