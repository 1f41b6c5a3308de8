//! The range each positive quantity of a flowsheet must lie in, checked in one place
//! ([`Validator::positive`](super::Validator)). A value can be positive and finite and still
//! make a derived quantity infinite: organic litres are flux / `organic_capacity_mol_per_l`,
//! so a capacity of 1e-320 gave infinite litres; an `hours_per_year` of 1e-300 an infinite
//! feed. The ranges are wide enough for any plant or laboratory and narrow enough that every
//! quantity computed from them stays finite (with flows below [`MAX_FLOW_MOL_PER_H`]).

use super::MAX_FLOW_MOL_PER_H;

/// Where a positive field's value must lie, inclusive.
pub(super) struct Limit {
    pub min: f64,
    pub max: f64,
    pub unit: &'static str,
}

/// Concentrations of liquors and loaded organic: a micromole per litre is far below any
/// solvent-extraction liquor, 100 mol/L above any liquid (water is 55 mol/L); a value outside
/// is a unit mistake (g/L for mol/L).
const CONCENTRATION: Limit = Limit {
    min: 1e-6,
    max: 100.0,
    unit: "mol/L",
};

/// A stream's rare-earth flux: down to 1e-12 mol/h (well below a laboratory rig), up to the
/// limit the stage fluxes stay finite under.
const FLOW: Limit = Limit {
    min: 1e-12,
    max: MAX_FLOW_MOL_PER_H,
    unit: "mol/h",
};

/// The limit of `field`, if it has one; every other positive field need only be positive.
pub(super) fn limit(field: &str) -> Option<Limit> {
    Some(match field {
        "organic_capacity_mol_per_l"
        | "feed_concentration_mol_per_l"
        | "scrub_acid_mol_per_l"
        | "strip_acid_mol_per_l"
        | "extractant_mol_per_l" => CONCENTRATION,
        "flow_mol_per_h" => FLOW,
        // A share of the basis flux: the flow's own limit then applies to the product.
        "share_of_basis" => Limit {
            min: 1e-12,
            max: 1e6,
            unit: "",
        },
        // Up to a leap year of operation.
        "hours_per_year" => Limit {
            min: 1.0,
            max: 8784.0,
            unit: "h",
        },
        // A gram a year to a thousand times the world's output.
        "reo_t_per_year" => Limit {
            min: 1e-6,
            max: 1e9,
            unit: "t",
        },
        _ => return None,
    })
}
