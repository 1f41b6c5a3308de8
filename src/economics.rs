//! What a flowsheet costs and what it makes: mixer-settler capital by a power law on box
//! volume, operating cost from reagents and organic make-up, product and inventory value.
//! Every price is an input of the flowsheet (`[prices]`); only the capital law has defaults,
//! each with its source.

use std::collections::BTreeMap;

use crate::elements::Element;

/// US gallons per cubic metre (1 gal = 3.785411784 L, exact by definition).
pub const GAL_PER_M3: f64 = 1000.0 / 3.785_411_784;

/// Mixer-settler capital cost `C = base_usd (V / base_volume)^exponent (index / base_index)`
/// per box of volume V (mixer and settler).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CapitalLaw {
    pub base_usd: f64,
    pub base_volume_gal: f64,
    pub exponent: f64,
    /// Cost index of the year `base_usd` is in.
    pub base_cost_index: f64,
}

/// PrOMMiS's mixer-settler account (prommis/prommis, src/prommis/uky/costing/
/// REE_costing_parameters.json, account 5.4 "UKy Rougher Solvent Extraction - Mixer Settler":
/// bare erected cost $1,285,343 in 2016 dollars at 61,107 gal, exponent 0.45; its cleaner
/// account 6.4, $303,517 at 2,444 gal, lies on the same law within 1 %). The base index is the
/// Chemical Engineering Plant Cost Index annual average of 2016, 541.7 (Chemical Engineering
/// magazine, CEPCI).
pub const PROMMIS_MIXER_SETTLER: CapitalLaw = CapitalLaw {
    base_usd: 1_285_343.0,
    base_volume_gal: 61_107.0,
    exponent: 0.45,
    base_cost_index: 541.7,
};

impl Default for CapitalLaw {
    fn default() -> Self {
        PROMMIS_MIXER_SETTLER
    }
}

impl CapitalLaw {
    /// Capital of one box of `volume_m3`, in the money of `cost_index` (the law's own year
    /// when `None`).
    pub fn box_usd(&self, volume_m3: f64, cost_index: Option<f64>) -> f64 {
        let scale = (volume_m3 * GAL_PER_M3 / self.base_volume_gal).powf(self.exponent);
        let escalation = cost_index.map_or(1.0, |i| i / self.base_cost_index);
        self.base_usd * scale * escalation
    }
}

/// Prices a flowsheet gives; each optional, and a cost whose price is missing is left out of
/// the totals and named as missing.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Prices {
    /// Cost index (CEPCI) of the year the prices are in: capital is escalated to it.
    pub cost_index: Option<f64>,
    /// HCl, 100 % basis, USD per tonne.
    pub hcl_usd_per_t: Option<f64>,
    /// NaOH, 100 % basis, USD per tonne.
    pub naoh_usd_per_t: Option<f64>,
    /// Anhydrous NH3, USD per tonne.
    pub nh3_usd_per_t: Option<f64>,
    /// Made-up organic phase (extractant and diluent as mixed), USD per m3.
    pub organic_usd_per_m3: Option<f64>,
    /// Organic lost by entrainment and solubility, litres per m3 of aqueous leaving the
    /// cascades (raffinate and strip liquor).
    pub organic_loss_l_per_m3_aqueous: Option<f64>,
    /// Product oxides, USD per kg of oxide.
    pub oxides_usd_per_kg: BTreeMap<Element, f64>,
    pub mixer_settler: CapitalLaw,
}

/// One line of operating cost, USD/yr; `None` when its price (or quantity) is not given.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct OperatingCost {
    pub hcl_usd_per_year: Option<f64>,
    pub naoh_usd_per_year: Option<f64>,
    pub nh3_usd_per_year: Option<f64>,
    pub organic_makeup_usd_per_year: Option<f64>,
}

impl OperatingCost {
    /// The lines that are known, summed.
    pub fn total_usd_per_year(&self) -> f64 {
        self.lines().iter().filter_map(|(_, v)| *v).sum()
    }

    /// The lines left out for want of a price.
    pub fn missing(&self) -> Vec<&'static str> {
        self.lines()
            .iter()
            .filter(|(_, v)| v.is_none())
            .map(|(name, _)| *name)
            .collect()
    }

    fn lines(&self) -> [(&'static str, Option<f64>); 4] {
        [
            ("hcl", self.hcl_usd_per_year),
            ("naoh", self.naoh_usd_per_year),
            ("nh3", self.nh3_usd_per_year),
            ("organic_makeup", self.organic_makeup_usd_per_year),
        ]
    }
}

/// What the plant uses a year, in the units prices are given in.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct AnnualUse {
    pub hcl_t: f64,
    pub naoh_t: f64,
    pub nh3_t: f64,
    /// Aqueous leaving the cascades (raffinate and strip liquor), m3/yr; `None` where a volume
    /// is unknown.
    pub aqueous_m3: Option<f64>,
}

impl Prices {
    /// Operating cost of `used`; a reagent the plant does not use costs 0 whatever its price.
    pub fn operating(&self, used: &AnnualUse) -> OperatingCost {
        let line = |t: f64, price: Option<f64>| {
            if t == 0.0 {
                Some(0.0)
            } else {
                price.map(|p| t * p)
            }
        };
        let makeup = match (
            used.aqueous_m3,
            self.organic_loss_l_per_m3_aqueous,
            self.organic_usd_per_m3,
        ) {
            (Some(aqueous), Some(loss), Some(price)) => Some(aqueous * loss / 1000.0 * price),
            _ => None,
        };
        OperatingCost {
            hcl_usd_per_year: line(used.hcl_t, self.hcl_usd_per_t),
            naoh_usd_per_year: line(used.naoh_t, self.naoh_usd_per_t),
            nh3_usd_per_year: line(used.nh3_t, self.nh3_usd_per_t),
            organic_makeup_usd_per_year: makeup,
        }
    }

    /// Value of `kg` of `element`'s oxide, if its price is given.
    pub fn oxide_usd(&self, element: Element, kg: f64) -> Option<f64> {
        self.oxides_usd_per_kg.get(&element).map(|p| p * kg)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// At the base volume and index the law returns its base cost; at 2.2 times the volume
    /// 2.2^0.45 = 1.4256 times it; doubling the index doubles it.
    #[test]
    fn capital_law_by_hand() {
        let law = PROMMIS_MIXER_SETTLER;
        let base_m3 = 61_107.0 / GAL_PER_M3;
        assert!((law.box_usd(base_m3, None) - 1_285_343.0).abs() < 1e-6);
        assert!((law.box_usd(base_m3, Some(541.7)) - 1_285_343.0).abs() < 1e-6);
        let bigger = law.box_usd(2.2 * base_m3, Some(2.0 * 541.7));
        assert!((bigger / 1_285_343.0 - 2.0 * 2.2f64.powf(0.45)).abs() < 1e-12);
        // PrOMMiS's cleaner account lies on the rougher's law within 1 %.
        let cleaner = law.box_usd(2_444.0 / GAL_PER_M3, None);
        assert!((cleaner / 303_516.833 - 1.0).abs() < 0.01, "{cleaner}");
    }

    #[test]
    fn gallons_per_cubic_metre() {
        assert!((GAL_PER_M3 - 264.172_052).abs() < 1e-6);
    }

    /// 1,000 t HCl at $200/t, 500 t NaOH at $400/t, no NH3 used (costs 0 with no price), 1e6
    /// m3 of aqueous losing 0.1 L/m3 of organic at $3,000/m3 = $300,000.
    #[test]
    fn operating_cost_by_hand() {
        let prices = Prices {
            hcl_usd_per_t: Some(200.0),
            naoh_usd_per_t: Some(400.0),
            organic_usd_per_m3: Some(3000.0),
            organic_loss_l_per_m3_aqueous: Some(0.1),
            ..Prices::default()
        };
        let used = AnnualUse {
            hcl_t: 1000.0,
            naoh_t: 500.0,
            nh3_t: 0.0,
            aqueous_m3: Some(1e6),
        };
        let cost = prices.operating(&used);
        assert_eq!(cost.hcl_usd_per_year, Some(200_000.0));
        assert_eq!(cost.naoh_usd_per_year, Some(200_000.0));
        assert_eq!(cost.nh3_usd_per_year, Some(0.0));
        assert!((cost.organic_makeup_usd_per_year.unwrap() - 300_000.0).abs() < 1e-6);
        assert!((cost.total_usd_per_year() - 700_000.0).abs() < 1e-6);
        assert!(cost.missing().is_empty());
        let unpriced = Prices::default().operating(&used);
        assert_eq!(unpriced.missing(), vec!["hcl", "naoh", "organic_makeup"]);
    }
}
