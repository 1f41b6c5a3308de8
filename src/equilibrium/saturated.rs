use super::{Equilibrium, StageJacobian};

/// Xu Guangxian's saturated separation-factor model (the constant-flux system).
///
/// A saponified acidic extractant runs fully loaded, so the organic leaving stage `j` carries a
/// fixed total RE flux `O_j` and divides it among the elements in proportion to
/// `beta_i * a_i`:
///
/// `o_i = O_j * beta_i * a_i / sum_l beta_l * a_l`
///
/// (Xu Guangxian, theory of countercurrent extraction; Zhang, Zhao & Schreiner, *Separation
/// Hydrometallurgy of Rare Earth Elements*, Springer 2016, ch. 5).
#[derive(Debug, Clone)]
pub struct SaturatedSeparationFactors {
    separation_factors: Vec<f64>,
    organic_flux: Vec<f64>,
}

impl SaturatedSeparationFactors {
    /// `separation_factors` relative to any reference, one per element; `organic_flux[j]` is the
    /// total RE flux (mol/h) of the organic leaving stage `j`.
    pub fn new(separation_factors: Vec<f64>, organic_flux: Vec<f64>) -> Self {
        // Only ratios matter; scaling the largest to 1 keeps sum(beta a) in range whatever
        // reference the user chose.
        let largest = separation_factors.iter().copied().fold(0.0, f64::max);
        Self {
            separation_factors: separation_factors.iter().map(|b| b / largest).collect(),
            organic_flux,
        }
    }

    /// The same system with every separation factor raised to the power `t` (continuation).
    pub fn with_separation_power(&self, t: f64) -> Self {
        Self {
            separation_factors: self.separation_factors.iter().map(|b| b.powf(t)).collect(),
            organic_flux: self.organic_flux.clone(),
        }
    }

    fn weighted_sum(&self, aqueous: &[f64]) -> f64 {
        weighted_sum(&self.separation_factors, aqueous)
    }
}

/// `sum_i beta_i a_i` over one stage: the organic's pull on the stage's aqueous.
pub fn weighted_sum(separation_factors: &[f64], aqueous: &[f64]) -> f64 {
    separation_factors
        .iter()
        .zip(aqueous)
        .map(|(b, a)| b * a)
        .sum()
}

impl Equilibrium for SaturatedSeparationFactors {
    fn extraction_factors(&self, stage: usize, aqueous: &[f64], factors: &mut [f64]) {
        let scale = self.organic_flux[stage] / self.weighted_sum(aqueous);
        for (e, b) in factors.iter_mut().zip(&self.separation_factors) {
            *e = scale * b;
        }
    }

    fn jacobian(&self, stage: usize, aqueous: &[f64], jac: StageJacobian<'_>) {
        // o = O * diag(beta) a / s with s = beta . a, so do/da = (O/s) diag(beta) - (O/s^2) (beta∘a) betaᵀ.
        let s = self.weighted_sum(aqueous);
        let scale = self.organic_flux[stage] / s;
        for (i, &b) in self.separation_factors.iter().enumerate() {
            jac.diag[i] = scale * b;
            jac.u[i] = -scale / s * b * aqueous[i];
            jac.v[i] = b;
        }
    }

    fn organic_total(&self, stage: usize) -> Option<f64> {
        Some(self.organic_flux[stage])
    }

    fn separation_factors(&self) -> Option<&[f64]> {
        Some(&self.separation_factors)
    }

    fn is_linear(&self) -> bool {
        false
    }
}
