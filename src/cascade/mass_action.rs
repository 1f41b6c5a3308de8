//! An acid-aware cascade of any [`AcidEquilibrium`] (the `ph_correlation` and `mass_action`
//! models): its phase volumes and liquors from the operating point, the acid solver on its
//! species (the feed's rare earths, then the saponified cation a mass-action organic brings
//! in), and the rare earths' solution with the acid balance beside it.

use super::acid::{AcidFlows, acid_solution};
use super::{Cascade, CascadeSolution, OperatingPoint, accept, failure_error};
use crate::elements::Element;
use crate::equilibrium::AcidEquilibrium;
use crate::error::CascadeError;
use crate::solver::{self, AcidProblem, SolverOptions};

impl Cascade {
    /// Solves the cascade fed `feed` (mol/h of `elements`, in extraction order) with `model`,
    /// whose species beyond the elements (at most one: a saponified cation) enter with the
    /// organic at stage 1, `saponified_mol_per_l` of it.
    pub(super) fn solve_acidic(
        &self,
        model: &dyn AcidEquilibrium,
        saponified_mol_per_l: f64,
        elements: Vec<Element>,
        feed: &[f64],
        options: &SolverOptions,
    ) -> Result<CascadeSolution, CascadeError> {
        let OperatingPoint::Acidic {
            oa_ratio,
            feed_concentration_mol_per_l,
            feed_acid_mol_per_l,
            scrub_oa_ratio,
            scrub_acid_mol_per_l,
            strip_stages,
            strip_oa_ratio,
            strip_acid_mol_per_l,
        } = self.operating_point
        else {
            unreachable!("called for the Acidic operating point only");
        };
        let total: f64 = feed.iter().sum();
        let aqueous_l_per_h = total / feed_concentration_mol_per_l;
        let organic_l_per_h = oa_ratio * aqueous_l_per_h;
        let flows = AcidFlows {
            extraction_stages: self.extraction_stages,
            scrub_stages: self.scrub_stages,
            strip_stages,
            feed_stage: self.feed_stage() - 1,
            feed_l_per_h: aqueous_l_per_h,
            organic_l_per_h,
            feed_acid_mol_per_h: feed_acid_mol_per_l * aqueous_l_per_h,
            // An absent section's liquor is none (its O/A is NaN).
            scrub_l_per_h: if self.scrub_stages > 0 {
                organic_l_per_h / scrub_oa_ratio
            } else {
                0.0
            },
            scrub_acid_mol_per_l,
            strip_l_per_h: if strip_stages > 0 {
                organic_l_per_h / strip_oa_ratio
            } else {
                0.0
            },
            strip_acid_mol_per_l,
        };
        let species = model.species();
        let mut feed_species = feed.to_vec();
        feed_species.resize(species, 0.0);
        let mut inlet = vec![0.0; species];
        if species > elements.len() {
            inlet[elements.len()] = saponified_mol_per_l * organic_l_per_h;
        }
        let problem = AcidProblem {
            equilibrium: model,
            feed: &feed_species,
            organic_inlet: &inlet,
            stages: self.extraction_stages,
            aqueous_l_per_h,
            organic_l_per_h,
            feed_acid_mol_per_h: flows.feed_acid_mol_per_h,
            efficiency: self.stage_efficiency,
            sections: flows.sections(),
        };
        let solved = solver::solve_acid(&problem, options)
            .map_err(|failure| failure_error(&elements, failure))?;
        let released: Vec<f64> = (0..species).map(|i| model.acid_released(i)).collect();
        accept(acid_solution(
            elements, feed, &flows, &released, &inlet, solved,
        ))
    }
}
