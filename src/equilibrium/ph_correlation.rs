//! Distribution ratios that follow the stage's acidity and the extractant's free dose: the
//! empirical correlation of PrOMMiS's solvent-extraction reaction package for DEHPA + TBP
//! (`log10 D = (m0 + m1 dose) pH + b0 + b1 log10(dose)`, dose in % v/v of the diluent; the
//! coefficients are the University of Kentucky's, PrOMMiS
//! `solvent_extraction_reaction_package.py`, as tabulated in tests/data/prommis/EQUATIONS.md).

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
