//! Distribution ratios that follow the stage's acidity and the extractant's free dose: the
//! empirical correlation of PrOMMiS's solvent-extraction reaction package for DEHPA + TBP
//! (`log10 D = (m0 + m1 dose) pH + b0 + b1 log10(dose)`, dose in % v/v of the diluent; the
//! coefficients are the University of Kentucky's, PrOMMiS
//! `solvent_extraction_reaction_package.py`, as tabulated in tests/data/prommis/EQUATIONS.md).

use super::AcidEquilibrium;

/// One element's coefficients.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PhCoefficients {
    pub m0: f64,
    pub m1: f64,
    pub b0: f64,
    pub b1: f64,
}

impl PhCoefficients {
    /// `D` at `ph` and `dose` (% v/v), with its derivatives by pH and by dose.
    pub fn distribution(&self, ph: f64, dose: f64) -> (f64, f64, f64) {
        let log10_d = (self.m0 + self.m1 * dose) * ph + self.b0 + self.b1 * dose.log10();
        let d = 10f64.powf(log10_d);
        let ln10 = std::f64::consts::LN_10;
        let by_ph = d * ln10 * (self.m0 + self.m1 * dose);
        let by_dose = d * ln10 * (self.m1 * ph + self.b1 / (dose * ln10));
        (d, by_ph, by_dose)
    }
}

/// Free DEHPA per % v/v of dose: 975.8 g/L (its density) / 322.431 g/mol / 100, PrOMMiS's
/// conversion (`ree_og_distribution.py`, the dose of a stage from its free DEHPA).
pub const DEHPA_MOL_PER_L_PER_VOL_PCT: f64 = 975.8 / 322.431 / 100.0;

/// H+ released per mol of RE3+ extracted by an acidic extractant (M3+ + 3 HA = MA3 + 3 H+).
pub const ACID_RELEASED_PER_MOL: f64 = 3.0;

/// The `ph_correlation` model of one cascade's elements as an [`AcidEquilibrium`]: the dose a
/// stage's correlation sees is its free extractant over `mol_per_l_per_vol_pct`, and each RE3+
/// extracted releases `acid_released_per_mol` H+ and holds as many mol of extractant (PrOMMiS's
/// stoichiometry, `ree_og_distribution.py`).
#[derive(Debug, Clone, PartialEq)]
pub struct PhCorrelation {
    pub coefficients: Vec<PhCoefficients>,
    /// Dose of the fresh organic, % v/v.
    pub dose_vol_pct: f64,
    pub mol_per_l_per_vol_pct: f64,
    pub acid_released_per_mol: f64,
}

impl PhCorrelation {
    /// DEHPA's correlation at `dose_vol_pct` with PrOMMiS's defaults: DEHPA's free extractant
    /// per % v/v and 3 H+ released per RE3+.
    pub fn dehpa(coefficients: Vec<PhCoefficients>, dose_vol_pct: f64) -> Self {
        Self {
            coefficients,
            dose_vol_pct,
            mol_per_l_per_vol_pct: DEHPA_MOL_PER_L_PER_VOL_PCT,
            acid_released_per_mol: ACID_RELEASED_PER_MOL,
        }
    }

    /// The dose, % v/v, of an organic with `free` mol/L of free extractant.
    pub fn dose(&self, free: f64) -> f64 {
        free / self.mol_per_l_per_vol_pct
    }
}

impl AcidEquilibrium for PhCorrelation {
    fn species(&self) -> usize {
        self.coefficients.len()
    }

    fn acid_released(&self, _: usize) -> f64 {
        self.acid_released_per_mol
    }

    fn extractant_held(&self, _: usize) -> f64 {
        self.acid_released_per_mol
    }

    fn total_extractant_mol_per_l(&self) -> f64 {
        self.dose_vol_pct * self.mol_per_l_per_vol_pct
    }

    fn distribution(&self, i: usize, h: f64, free: f64) -> (f64, f64, f64) {
        let (d, by_ph, by_dose) = self.coefficients[i].distribution(-h.log10(), self.dose(free));
        let ph_by_h = -1.0 / (h * std::f64::consts::LN_10);
        (d, by_ph * ph_by_h, by_dose / self.mol_per_l_per_vol_pct)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::equilibrium::free_extractant;

    fn model() -> PhCorrelation {
        // The UKy coefficients of Nd and Dy (b1 < 0 and > 0).
        let c = |m0, m1, b0, b1| PhCoefficients { m0, m1, b0, b1 };
        PhCorrelation {
            coefficients: vec![c(1.0e-1, 1.0e-2, -1.5, -0.5), c(7.6e-1, 1.0e-2, -0.1, 1.5)],
            dose_vol_pct: 5.0,
            mol_per_l_per_vol_pct: DEHPA_MOL_PER_L_PER_VOL_PCT,
            acid_released_per_mol: ACID_RELEASED_PER_MOL,
        }
    }

    /// The derivatives by free H+ and by free extractant match central differences.
    #[test]
    fn derivatives_by_h_and_free_extractant_match_differences() {
        let m = model();
        let (h, free) = (0.02, 0.1);
        for i in 0..2 {
            let (d, by_h, by_free) = m.distribution(i, h, free);
            let dh = 1e-6 * h;
            let df = 1e-6 * free;
            let fd_h = (m.distribution(i, h + dh, free).0 - m.distribution(i, h - dh, free).0)
                / (2.0 * dh);
            let fd_f = (m.distribution(i, h, free + df).0 - m.distribution(i, h, free - df).0)
                / (2.0 * df);
            assert!((by_h - fd_h).abs() <= 1e-7 * fd_h.abs(), "{by_h} {fd_h}");
            assert!(
                (by_free - fd_f).abs() <= 1e-7 * fd_f.abs(),
                "{by_free} {fd_f}"
            );
            // The dose the correlation sees is the free extractant over mol/L per % v/v.
            let direct =
                m.coefficients[i].distribution(-h.log10(), free / DEHPA_MOL_PER_L_PER_VOL_PCT);
            assert_eq!(d, direct.0);
        }
    }

    /// An organic carrying 0.01 mol/L of RE3+ has 0.03 mol/L less free DEHPA than the fresh.
    #[test]
    fn what_the_organic_carries_holds_extractant() {
        let m = model();
        let total = 5.0 * DEHPA_MOL_PER_L_PER_VOL_PCT;
        assert_eq!(free_extractant(&m, &[0.0, 0.0], 10.0), total);
        let free = free_extractant(&m, &[0.06, 0.04], 10.0);
        assert!((free - (total - 0.03)).abs() < 1e-15, "{free}");
    }
}
