//! A `mass_action` cascade: its species (the feed's rare earths, then the saponified cation
//! the organic brings in), the acid solver on them, and the rare earths' solution.

use super::{Cascade, CascadeSolution};
use crate::elements::Element;
use crate::equilibrium::MassActionSystem;
use crate::error::CascadeError;
use crate::solver::SolverOptions;

impl Cascade {
    pub(super) fn solve_mass_action(
        &self,
        _system: &MassActionSystem,
        (_elements, _feed): (Vec<Element>, Vec<f64>),
        (_oa_ratio, _feed_concentration, _feed_acid): (f64, f64, f64),
        _options: &SolverOptions,
    ) -> Result<CascadeSolution, CascadeError> {
        Err(CascadeError::infeasible(
            "model",
            f64::NAN,
            "the mass_action stage equations are not built yet",
        ))
    }
}
