//! Cation exchange by a dimeric acidic extractant, by mass action (`model = "mass_action"`,
//! docs/model.md section 3): P507 (HEHEHP, PC-88A) or D2EHPA in an aliphatic diluent.
//!
//! A rare earth is extracted as
//!
//! ```text
//! M3+ + 3 (HA)2(org) = M(A.HA)3(org) + 3 H+        D_M = K_M [(HA)2]^3 / [H+]^3
//! ```
//!
//! (Peppard's dimer stoichiometry; in kerosene P507 and D2EHPA are dimers at the loadings a
//! plant runs.) Every RE held ties up 6 HA. The organic's extractant is counted as monomer HA,
//! `extractant_mol_per_l` in total; the free dimer is half of what the loaded species leave.
//!
//! A saponified extractant (a share `saponification_fraction` of the HA turned into NaA or
//! NH4A by the base before the organic enters the cascade) is one more exchanging species,
//! carried in by the organic entering stage 1:
//!
//! ```text
//! Na+ + 1/2 (HA)2(org) = NaA(org) + H+             D_Na = K_Na [(HA)2]^(1/2) / [H+]
//! ```
//!
//! holding 1 HA and releasing 1 H+ per mol. With `K_Na` far below every `K_M` a rare earth
//! displaces the sodium first: RE3+ + 3 NaA + 3/2 (HA)2 = M(A.HA)3 + 3 Na+, which releases no
//! acid, the point of saponifying. Every species obeys one law, `D_i = K_i [(HA)2]^(n_i/2) /
//! [H+]^(z_i)` with `z_i` the H+ released and `n_i` the HA held per mol, so the acid solver's
//! H+ and extractant balances carry sodium as they carry the rare earths.
//!
//! `K_Na` defaults to an estimate from the extractant's acid constant: with the sodium salt
//! taken to partition into the organic as the acid does, Na+ + HA(org) = NaA(org) + H+ has the
//! constant Ka of HA + H2O = A- + H3O+, and writing HA(org) through the dimerisation
//! 2 HA(org) = (HA)2(org), K2, gives K_Na = Ka / K2^(1/2). P507's pKa 4.10 (difflow,
//! jkitchin/differentiable-flowsheets `src/difflow_ree/data/extractants.yaml`, record PC88A;
//! the same in joao-mbn/etr-optimization `static_values/_substances.py`) and log10 K2 = 4.53 in
//! kerosene (measured for D2EHPA, Ind. Eng. Chem. Res. 39 (2000) 155, K2 = 3.39e4 L/mol; ASSUMED
//! the same for P507) give log10 K_Na = -4.10 - 4.53 / 2 = -6.37. It is an order of magnitude,
//! which is all the model needs of it: RE displaces Na at any K_Na below K_M by ten orders.

use std::collections::BTreeMap;

use super::AcidEquilibrium;
use crate::elements::Element;

/// H+ released and HA held per mol of RE3+ extracted as M(A.HA)3.
pub const RE_ACID_RELEASED: f64 = 3.0;
pub const RE_EXTRACTANT_HELD: f64 = 6.0;

/// H+ released and HA held per mol of the saponified cation (Na+ or NH4+) as NaA.
pub const SAPONIFIED_ACID_RELEASED: f64 = 1.0;
pub const SAPONIFIED_EXTRACTANT_HELD: f64 = 1.0;

/// P507's acid constant, pKa (difflow's extractants.yaml, PC88A record).
pub const P507_PKA: f64 = 4.10;

/// log10 of the dimerisation constant of an alkylphosphorus acid in kerosene, L/mol
/// (D2EHPA's, Ind. Eng. Chem. Res. 39 (2000) 155; assumed for P507).
pub const DIMERISATION_LOG10_K: f64 = 4.53;

/// The default log10 K of the saponified cation: -pKa - log10 K2 / 2.
pub const SAPONIFIED_LOG10_K: f64 = -P507_PKA - 0.5 * DIMERISATION_LOG10_K;

/// A `mass_action` system's parameters as the flowsheet gives them.
#[derive(Debug, Clone, PartialEq)]
pub struct MassActionSystem {
    /// log10 K of each rare earth, K in mol/L units as in `D = K [(HA)2]^3 / [H+]^3`.
    pub log10_k: BTreeMap<Element, f64>,
    /// Total extractant of the organic, mol/L as monomer HA.
    pub extractant_mol_per_l: f64,
    /// Share of the HA saponified before the organic enters stage 1, 0 to 1.
    pub saponification_fraction: f64,
    /// log10 K of the saponified cation's exchange.
    pub saponified_log10_k: f64,
}

impl MassActionSystem {
    /// The equilibrium of a cascade carrying `elements` (in the cascade's order), with the
    /// saponified cation as the last species when any HA is saponified.
    pub fn equilibrium(&self, elements: &[Element]) -> MassAction {
        let k = elements.iter().map(|e| self.log10_k[e]).collect::<Vec<_>>();
        let saponified = (self.saponification_fraction > 0.0).then_some(self.saponified_log10_k);
        MassAction::new(&k, self.extractant_mol_per_l, saponified)
    }

    /// The saponified cation the organic entering stage 1 carries, mol/L.
    pub fn saponified_mol_per_l(&self) -> f64 {
        self.saponification_fraction * self.extractant_mol_per_l
    }
}

/// The stage equilibrium of one cascade's species: its rare earths, then the saponified
/// cation if there is one.
#[derive(Debug, Clone, PartialEq)]
pub struct MassAction {
    k: Vec<f64>,
    acid: Vec<f64>,
    held: Vec<f64>,
    total: f64,
}

impl MassAction {
    /// `log10_k` of each rare earth, the organic's total extractant (mol/L as HA) and, with
    /// saponification, the saponified cation's log10 K.
    pub fn new(log10_k: &[f64], extractant_mol_per_l: f64, saponified: Option<f64>) -> Self {
        let mut k: Vec<f64> = log10_k.iter().map(|l| 10f64.powf(*l)).collect();
        let mut acid = vec![RE_ACID_RELEASED; k.len()];
        let mut held = vec![RE_EXTRACTANT_HELD; k.len()];
        if let Some(l) = saponified {
            k.push(10f64.powf(l));
            acid.push(SAPONIFIED_ACID_RELEASED);
            held.push(SAPONIFIED_EXTRACTANT_HELD);
        }
        Self {
            k,
            acid,
            held,
            total: extractant_mol_per_l,
        }
    }

    /// The free HA of an organic holding `loaded` mol/L of each species.
    pub fn free_at_loading(&self, loaded: &[f64]) -> f64 {
        self.total
            - loaded
                .iter()
                .zip(&self.held)
                .map(|(c, n)| c * n)
                .sum::<f64>()
    }

    /// Separation factor of `i` over `j` on any stage: `K_i / K_j` (same `h`, same free
    /// extractant, same power for two rare earths).
    pub fn separation_factor(&self, i: usize, j: usize) -> f64 {
        self.k[i] / self.k[j]
    }
}

impl AcidEquilibrium for MassAction {
    /// Rare earths plus the saponified cation, if any.
    fn species(&self) -> usize {
        self.k.len()
    }

    /// H+ released per mol of species `i` extracted.
    fn acid_released(&self, i: usize) -> f64 {
        self.acid[i]
    }

    /// HA held per mol of species `i` in the organic.
    fn extractant_held(&self, i: usize) -> f64 {
        self.held[i]
    }

    fn total_extractant_mol_per_l(&self) -> f64 {
        self.total
    }

    /// `D_i = K_i (free / 2)^(n_i / 2) / h^(z_i)` with its derivatives by `h` and by `free`:
    /// `h` the aqueous H+ and `free` the organic's free HA (as monomer), both mol/L.
    fn distribution(&self, i: usize, h: f64, free: f64) -> (f64, f64, f64) {
        let dimer = 0.5 * free.max(0.0);
        let power = 0.5 * self.held[i];
        let d = self.k[i] * dimer.powf(power) / h.powf(self.acid[i]);
        let by_free = if dimer > 0.0 { power * d / free } else { 0.0 };
        (d, -self.acid[i] * d / h, by_free)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One batch contact of `aqueous` L (RE `re` mol/L, H+ `h0`) with `organic` L of
    /// extractant `c` mol/L saponified `s`: the pH and D of the rare earth at equilibrium,
    /// by nested bisection on log h (H+ balance) and free HA (extractant balance).
    fn batch(
        m: &MassAction,
        c: f64,
        s: f64,
        (aqueous, organic): (f64, f64),
        re: f64,
        h0: f64,
    ) -> (f64, f64) {
        let partition = |h: f64| {
            let (mut lo, mut hi) = (0.0, c);
            let mut loaded = [0.0, 0.0];
            for _ in 0..200 {
                let free = 0.5 * (lo + hi);
                let d_re = m.distribution(0, h, free).0;
                let d_na = m.distribution(1, h, free).0;
                loaded = [
                    re * aqueous * d_re / (aqueous + d_re * organic),
                    s * c * organic * d_na / (aqueous + d_na * organic),
                ];
                if m.free_at_loading(&loaded) < free {
                    hi = free;
                } else {
                    lo = free;
                }
            }
            (loaded, m.distribution(0, h, 0.5 * (lo + hi)).0)
        };
        let (mut lo, mut hi) = (-14.0, 2.0);
        for _ in 0..200 {
            let log_h = 0.5 * (lo + hi);
            let h = 10f64.powf(log_h);
            let (loaded, _) = partition(h);
            let released = 3.0 * loaded[0] + loaded[1] - s * c;
            if aqueous * h > aqueous * h0 + organic * released {
                hi = log_h;
            } else {
                lo = log_h;
            }
        }
        let h = 10f64.powf(0.5 * (lo + hi));
        (-h.log10(), partition(h).1)
    }

    /// At trace loading the free extractant is the total, so D_i / D_j is K_i / K_j to the
    /// rounding and log D rises by exactly 3 per pH unit, whatever the loading of the rest.
    #[test]
    fn trace_loading_gives_k_ratios_and_slope_three() {
        let m = MassAction::new(&[-0.9, -0.723909], 1.0, None);
        for (h, free) in [(0.5, 1.0), (1e-2, 0.999_999), (3e-4, 0.2)] {
            let (pr, _, _) = m.distribution(0, h, free);
            let (nd, by_h, _) = m.distribution(1, h, free);
            assert!((nd / pr / 10f64.powf(0.176091) - 1.0).abs() < 1e-12);
            assert!((nd / pr / m.separation_factor(1, 0) - 1.0).abs() < 1e-15);
            // d log10 D / d pH = -h dD/dh / D.
            assert!((-h * by_h / nd - 3.0).abs() < 1e-12, "{}", -h * by_h / nd);
            let (d10, _, _) = m.distribution(1, h / 10.0, free);
            assert!((d10.log10() - nd.log10() - 3.0).abs() < 1e-12);
        }
    }

    #[test]
    fn derivatives_match_differences() {
        let m = MassAction::new(&[-0.7], 1.5, Some(SAPONIFIED_LOG10_K));
        for i in 0..2 {
            let (h, free) = (2e-3, 0.4);
            let (d, by_h, by_free) = m.distribution(i, h, free);
            let dh = h * 1e-6;
            let df = free * 1e-6;
            let num_h = (m.distribution(i, h + dh, free).0 - m.distribution(i, h - dh, free).0)
                / (2.0 * dh);
            let num_f = (m.distribution(i, h, free + df).0 - m.distribution(i, h, free - df).0)
                / (2.0 * df);
            assert!((num_h / by_h - 1.0).abs() < 1e-8 && (num_f / by_free - 1.0).abs() < 1e-8);
            assert!(d > 0.0);
        }
    }

    /// The default constant puts sodium ten orders below a light rare earth in exchange with
    /// it: RE3+ + 3 NaA + 3/2 (HA)2 = M(A.HA)3 + 3 Na+ has K_M / K_Na^3.
    #[test]
    fn rare_earths_displace_the_saponified_cation() {
        let m = MassAction::new(&[-0.9], 1.5, Some(SAPONIFIED_LOG10_K));
        assert!((SAPONIFIED_LOG10_K + 6.365).abs() < 1e-12);
        assert!(m.k[0] / m.k[1].powi(3) > 1e10);
        assert_eq!(m.species(), 2);
        assert_eq!(m.free_at_loading(&[0.1, 0.2]), 1.5 - 0.6 - 0.2);
    }

    /// Saponified batches: an organic of 1 mol/L P507 against a Nd chloride in excess of its
    /// capacity, saponified 0 to 0.45. The more saponified, the higher the equilibrium pH,
    /// but D hardly follows it: the apparent slope d log D / d pH falls far below 3 (the
    /// acid the RE releases is neutralised by the sodium it displaces). Literature: about 0.3
    /// per pH unit over pH 4.0-5.4 for a saponified acidic extractant (Zhang, Zhao & Schreiner
    /// 2016, Table 4.36, naphthenic acid, as cited by difflow).
    #[test]
    fn saponification_flattens_the_apparent_ph_slope() {
        let m = MassAction::new(&[-0.723909], 1.0, Some(SAPONIFIED_LOG10_K));
        let points: Vec<(f64, f64)> = [0.0, 0.15, 0.3, 0.45]
            .iter()
            .map(|&s| {
                let (ph, d) = batch(&m, 1.0, s, (1.0, 1.0), 0.3, 1e-3);
                (ph, d.log10())
            })
            .collect();
        let slopes: Vec<f64> = points
            .windows(2)
            .map(|w| (w[1].1 - w[0].1) / (w[1].0 - w[0].0))
            .collect();
        assert!(points.windows(2).all(|w| w[1].0 > w[0].0), "{points:?}");
        assert!(
            slopes.iter().all(|&s| s > 0.0 && s < 1.0),
            "{points:?} {slopes:?}"
        );
        assert!(slopes.windows(2).all(|w| w[1] < w[0]), "{slopes:?}");
    }
}
