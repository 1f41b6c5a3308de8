//! A process stream: the molar flux of each rare earth it carries, and the trade's measures
//! of it (total REO mass, purity on the oxide-mass basis).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::elements::Element;

/// Molar flux of each element, mol/h. Elements absent from the map carry nothing.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(transparent)]
pub struct Stream {
    mol_per_h: BTreeMap<Element, f64>,
}

impl Stream {
    pub fn new(flows: impl IntoIterator<Item = (Element, f64)>) -> Self {
        let mut mol_per_h = BTreeMap::new();
        for (e, f) in flows {
            *mol_per_h.entry(e).or_insert(0.0) += f;
        }
        // In a network every element reaches every stream, the far ones at levels down to
        // subnormal doubles, which have no relative precision left to balance: those are zero.
        // (Negative and non-finite flows are kept, for the checks that reject them.)
        mol_per_h.retain(|_, f: &mut f64| !(0.0..f64::MIN_POSITIVE).contains(f));
        Self { mol_per_h }
    }

    pub fn mol_per_h(&self, element: Element) -> f64 {
        self.mol_per_h.get(&element).copied().unwrap_or(0.0)
    }

    pub fn flows(&self) -> impl Iterator<Item = (Element, f64)> + '_ {
        self.mol_per_h.iter().map(|(&e, &f)| (e, f))
    }

    pub fn elements(&self) -> impl Iterator<Item = Element> + '_ {
        self.mol_per_h.keys().copied()
    }

    pub fn total_mol_per_h(&self) -> f64 {
        // A fold from +0.0: the sum of no flows is 0, not the -0.0 an empty `sum()` gives.
        self.mol_per_h.values().fold(0.0, |total, f| total + f)
    }

    /// Total rare-earth oxide (REO) mass flow, g/h.
    pub fn reo_g_per_h(&self) -> f64 {
        self.flows()
            .fold(0.0, |total, (e, f)| total + e.oxide_g_from_mol(f))
    }

    /// Oxide mass of `targets` over total REO mass, % (the trade's "X2O3/TREO").
    pub fn purity_pct(&self, targets: &[Element]) -> f64 {
        let target: f64 = targets
            .iter()
            .map(|&e| e.oxide_g_from_mol(self.mol_per_h(e)))
            .sum();
        100.0 * target / self.reo_g_per_h()
    }

    /// Mole fraction of `targets`, %.
    pub fn purity_mol_pct(&self, targets: &[Element]) -> f64 {
        let target: f64 = targets.iter().map(|&e| self.mol_per_h(e)).sum();
        100.0 * target / self.total_mol_per_h()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purity_is_on_oxide_mass_basis() {
        // Equal moles of Pr and Nd: Pr6O11 carries 1021.43/6 = 170.24 g per mol Pr, Nd2O3
        // 336.48/2 = 168.24 g per mol Nd, so Nd2O3/TREO = 168.24 / 338.48 = 49.70 %.
        let s = Stream::new([(Element::Pr, 1.0), (Element::Nd, 1.0)]);
        assert!((s.purity_mol_pct(&[Element::Nd]) - 50.0).abs() < 1e-12);
        let expected = 100.0 * Element::Nd.oxide_g_per_mol_element()
            / (Element::Nd.oxide_g_per_mol_element() + Element::Pr.oxide_g_per_mol_element());
        assert!((s.purity_pct(&[Element::Nd]) - expected).abs() < 1e-12);
        assert!((s.purity_pct(&[Element::Nd]) - 49.70).abs() < 0.01);
    }
}
