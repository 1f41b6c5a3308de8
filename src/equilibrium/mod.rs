//! Stage equilibrium models (docs/model.md section 3).
//!
//! Every model answers two questions about one ideal stage: how much of each element the
//! organic carries away for the aqueous fluxes leaving the stage (as extraction factors
//! `e_i = o_i / a_i`), and how that organic flux responds to the aqueous fluxes (the Jacobian
//! `do/da`, which for every model here is a diagonal plus a rank-one matrix). The solver sees
//! only this trait.

mod acid_equilibrium;
mod constant_d;
mod mass_action;
mod ph_correlation;
mod saturated;
mod uncertainty;

pub use acid_equilibrium::{AcidEquilibrium, free_extractant};
pub use constant_d::ConstantDistribution;
pub use mass_action::{
    MassAction, MassActionSystem, P507_PKA, RE_ACID_RELEASED, RE_EXTRACTANT_HELD,
    SAPONIFIED_ACID_RELEASED, SAPONIFIED_EXTRACTANT_HELD, SAPONIFIED_LOG10_K,
};
pub use ph_correlation::{
    ACID_RELEASED_PER_MOL, DEHPA_MOL_PER_L_PER_VOL_PCT, PhCoefficients, PhCorrelation,
};
pub use saturated::{SaturatedSeparationFactors, weighted_sum};
pub use uncertainty::FactorUncertainty;

/// `do/da` on one stage written as `diag(diag) + u vᵀ`; `u` and `v` are zero for linear models.
pub struct StageJacobian<'a> {
    pub diag: &'a mut [f64],
    pub u: &'a mut [f64],
    pub v: &'a mut [f64],
}

/// The equilibrium of every stage of one cascade at its operating point.
pub trait Equilibrium {
    /// Extraction factors `e_i = o_i / a_i` on `stage` (0-based) for the aqueous fluxes
    /// `aqueous` (mol/h per element) leaving it.
    fn extraction_factors(&self, stage: usize, aqueous: &[f64], factors: &mut [f64]);

    /// `do/da` on `stage` at `aqueous`.
    fn jacobian(&self, stage: usize, aqueous: &[f64], jacobian: StageJacobian<'_>);

    /// Total RE flux of the organic leaving `stage`, when the model fixes it (a saturated
    /// extractant); `None` when it follows from the equilibrium.
    fn organic_total(&self, stage: usize) -> Option<f64>;

    /// The separation factors when the model is Xu's saturated one, whose extraction factors
    /// are `beta_i k_j` with one scale `k_j` per stage; `None` for any other.
    fn separation_factors(&self) -> Option<&[f64]> {
        None
    }

    /// True when the extraction factors do not depend on the aqueous fluxes, so that one
    /// substitution sweep is already the exact solution.
    fn is_linear(&self) -> bool;
}
