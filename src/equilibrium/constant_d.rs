use super::{Equilibrium, StageJacobian};

/// Constant distribution ratios: `o_i = D_i * (O/A)_j * a_i`, linear and decoupled per element.
/// It is the model for which Kremser (1930) gives the exact answer.
#[derive(Debug, Clone)]
pub struct ConstantDistribution {
    distribution_ratios: Vec<f64>,
    oa_ratio: Vec<f64>,
}

impl ConstantDistribution {
    /// `distribution_ratios` one per element; `oa_ratio[j]` the organic/aqueous volumetric flow
    /// ratio on stage `j`.
    pub fn new(distribution_ratios: Vec<f64>, oa_ratio: Vec<f64>) -> Self {
        Self {
            distribution_ratios,
            oa_ratio,
        }
    }
}

impl Equilibrium for ConstantDistribution {
    fn extraction_factors(&self, stage: usize, _aqueous: &[f64], factors: &mut [f64]) {
        let oa = self.oa_ratio[stage];
        for (e, d) in factors.iter_mut().zip(&self.distribution_ratios) {
            *e = d * oa;
        }
    }

    fn jacobian(&self, stage: usize, aqueous: &[f64], jac: StageJacobian<'_>) {
        self.extraction_factors(stage, aqueous, jac.diag);
        jac.u.fill(0.0);
        jac.v.fill(0.0);
    }

    fn organic_total(&self, _stage: usize) -> Option<f64> {
        None
    }

    fn is_linear(&self) -> bool {
        true
    }
}
