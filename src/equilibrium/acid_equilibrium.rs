//! The equilibrium an acid-aware cascade sees (docs/model.md section 3): distribution ratios
//! that follow each stage's free H+ and free extractant, and the stoichiometry that ties both
//! to what the organic carries. The acid solver (`solver/acid.rs`) sees a model only through
//! this trait, so that any cation-exchange model (an empirical pH correlation, a mass-action
//! law with a saponified organic) runs in the same cascades.

/// One acid-aware equilibrium: its species (the rare earths, then any other cation the organic
/// exchanges, e.g. the Na+ of a saponified extractant), the H+ each releases when extracted, the
/// extractant each holds in the organic, and its distribution ratios.
pub trait AcidEquilibrium: Sync {
    /// Species, rare earths first.
    fn species(&self) -> usize;

    /// H+ released into the aqueous per mol of species `i` extracted (3 for an RE3+ on an acidic
    /// extractant, 1 for Na+).
    fn acid_released(&self, i: usize) -> f64;

    /// Extractant, in the units of the free extractant of [`Self::distribution`] (mol per L of
    /// organic), held per mol of species `i` carried by the organic.
    fn extractant_held(&self, i: usize) -> f64;

    /// Extractant of the fresh organic, mol per L of organic: what is free when it holds nothing.
    fn total_extractant_mol_per_l(&self) -> f64;

    /// `D_i` at free H+ `h` (mol/L of aqueous) and free extractant `free` (mol/L of organic),
    /// with its derivatives by `h` and by `free`. Called only with `h > 0` and `free > 0`.
    fn distribution(&self, i: usize, h: f64, free: f64) -> (f64, f64, f64);
}

/// The free extractant of an organic flowing at `organic_l_per_h` that carries `organic`
/// (mol/h per species): the fresh organic's less what every species it carries holds.
pub fn free_extractant(model: &dyn AcidEquilibrium, organic: &[f64], organic_l_per_h: f64) -> f64 {
    let held: f64 = organic
        .iter()
        .enumerate()
        .map(|(i, o)| model.extractant_held(i) * o)
        .sum();
    model.total_extractant_mol_per_l() - held / organic_l_per_h
}
