//! A `mass_action` cascade: its species (the feed's rare earths, then the saponified cation
//! the organic brings in), the acid solver on them, and the rare earths' solution.

use super::{Cascade, CascadeSolution, finish};
use crate::elements::Element;
use crate::equilibrium::{AcidEquilibrium, MassActionSystem};
use crate::error::CascadeError;
use crate::solver::{self, AcidProblem, AcidSections, SolverOptions, StageSolution};

impl Cascade {
    /// Solves the extraction section fed `feed` (mol/h of `elements`, in extraction order) at
    /// `oa_ratio`, the feed's RE and acid concentrations as given (mol/L). The saponified
    /// cation enters with the organic at stage 1, `saponification_fraction` of its extractant.
    pub(super) fn solve_mass_action(
        &self,
        system: &MassActionSystem,
        (elements, feed): (Vec<Element>, Vec<f64>),
        (oa_ratio, feed_concentration, feed_acid): (f64, f64, f64),
        options: &SolverOptions,
    ) -> Result<CascadeSolution, CascadeError> {
        let total: f64 = feed.iter().sum();
        let aqueous_l_per_h = total / feed_concentration;
        let organic_l_per_h = oa_ratio * aqueous_l_per_h;
        let model = system.equilibrium(&elements);
        let (c, species) = (elements.len(), model.species());
        let mut feed_species = feed.clone();
        feed_species.resize(species, 0.0);
        let mut inlet = vec![0.0; species];
        if species > c {
            inlet[c] = system.saponified_mol_per_l() * organic_l_per_h;
        }
        let problem = AcidProblem {
            equilibrium: &model,
            feed: &feed_species,
            organic_inlet: &inlet,
            stages: self.stages(),
            aqueous_l_per_h,
            organic_l_per_h,
            feed_acid_mol_per_h: feed_acid * aqueous_l_per_h,
            efficiency: self.stage_efficiency,
            sections: AcidSections::default(),
        };
        let solved = solver::solve_acid(&problem, options);
        let ph = solved
            .as_ref()
            .ok()
            .map(|s| s.hydrogen_mol_per_l.iter().map(|h| -h.log10()).collect());
        // The rare earths' columns: the saponified cation is reported by the acid solver only.
        let rare_earths = |profile: Vec<f64>| -> Vec<f64> {
            profile
                .chunks_exact(species)
                .flat_map(|stage| stage[..c].iter().copied())
                .collect()
        };
        let stages = solved.map(|s| StageSolution {
            aqueous: rare_earths(s.aqueous),
            organic: rare_earths(s.organic),
            status: s.status,
        });
        let mut solution = finish(elements, &feed, self.stages() - 1, 0.0, None, stages)?;
        solution.ph = ph;
        Ok(solution)
    }
}
