//! How well a system's separation factors are known, and samples of them.
//!
//! Two ways to say it, which combine: `separation_factor_sigma` gives the standard deviation
//! of ln(beta) of an element against the system's reference, each drawn on its own;
//! `separation_factor_sigma_adjacent` gives it for an element against the one before it in
//! extraction order (the way the literature quotes ranges: Nd/Pr 1.4-1.6), each adjacent ratio
//! drawn on its own, so that an element's factor carries the draws of every pair below it and
//! each adjacent ratio keeps exactly its own spread. With per-element sigmas alone the ratio of
//! two neighbours spreads by sqrt(sigma_i^2 + sigma_j^2), wider than either.

use std::collections::BTreeMap;

use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::SeedableRng;
use rand_distr::{Distribution, StandardNormal};

use crate::elements::Element;

/// Standard deviations of ln(separation factor); empty maps when the factors are taken as
/// exact.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FactorUncertainty {
    /// Per element, against the system's reference.
    pub per_element: BTreeMap<Element, f64>,
    /// Per element, against the element before it in extraction order.
    pub adjacent: BTreeMap<Element, f64>,
}

impl FactorUncertainty {
    /// Whether any factor is uncertain.
    pub fn is_uncertain(&self) -> bool {
        self.per_element
            .values()
            .chain(self.adjacent.values())
            .any(|&s| s > 0.0)
    }

    /// Sample `k` of `nominal` (the sweep's Monte Carlo convention: ChaCha8 seeded `seed`,
    /// stream k): one standard normal per per-element sigma in element order, then one per
    /// adjacent sigma in extraction order, each factor times exp of its sigmas' draws.
    pub fn sample(
        &self,
        nominal: &BTreeMap<Element, f64>,
        seed: u64,
        k: usize,
    ) -> BTreeMap<Element, f64> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(k as u64);
        let mut factors = nominal.clone();
        for (e, &s) in &self.per_element {
            let z: f64 = StandardNormal.sample(&mut rng);
            if let Some(beta) = factors.get_mut(e) {
                *beta *= (s * z).exp();
            }
        }
        if !self.adjacent.is_empty() {
            let mut order: Vec<(f64, Element)> = nominal.iter().map(|(&e, &b)| (b, e)).collect();
            order.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            let mut shift = 0.0;
            for (_, e) in order {
                if let Some(&s) = self.adjacent.get(&e) {
                    let z: f64 = StandardNormal.sample(&mut rng);
                    shift += s * z;
                }
                if let Some(beta) = factors.get_mut(&e) {
                    *beta *= shift.exp();
                }
            }
        }
        factors
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stats(x: &[f64]) -> (f64, f64) {
        let mean = x.iter().sum::<f64>() / x.len() as f64;
        let sd = (x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / x.len() as f64).sqrt();
        (mean, sd)
    }

    #[test]
    fn per_element_samples_are_reproducible_lognormal_about_the_nominal() {
        let nominal = BTreeMap::from([(Element::Pr, 1.0), (Element::Nd, 1.5)]);
        let u = FactorUncertainty {
            per_element: BTreeMap::from([(Element::Nd, 0.05)]),
            ..Default::default()
        };
        assert_eq!(u.sample(&nominal, 7, 3), u.sample(&nominal, 7, 3));
        let logs: Vec<f64> = (0..4000)
            .map(|k| (u.sample(&nominal, 7, k)[&Element::Nd] / 1.5).ln())
            .collect();
        let (mean, sd) = stats(&logs);
        // Four standard errors: 0.05 / sqrt(4000) = 8e-4 for the mean, ~6e-4 for the sd.
        assert!(mean.abs() < 3.2e-3, "{mean}");
        assert!((sd - 0.05).abs() < 2.4e-3, "{sd}");
        assert!((0..100).all(|k| u.sample(&nominal, 7, k)[&Element::Pr] == 1.0));
    }

    /// Adjacent sigmas keep each neighbouring ratio's own spread, and an element above carries
    /// the draws below it: ln(Sm/La) spreads by sqrt(0.2^2 + 0.03^2 + 0.1^2), ln(Nd/Pr) by 0.03
    /// alone; the reference (La) never moves.
    #[test]
    fn adjacent_sigmas_keep_each_ratio_and_accumulate_upwards() {
        let nominal = BTreeMap::from([
            (Element::La, 1.0),
            (Element::Pr, 5.0),
            (Element::Nd, 7.5),
            (Element::Sm, 75.0),
        ]);
        let u = FactorUncertainty {
            adjacent: BTreeMap::from([(Element::Pr, 0.2), (Element::Nd, 0.03), (Element::Sm, 0.1)]),
            ..Default::default()
        };
        let samples: Vec<_> = (0..4000).map(|k| u.sample(&nominal, 11, k)).collect();
        let log_ratio = |a: Element, b: Element| -> Vec<f64> {
            samples
                .iter()
                .map(|f| (f[&a] / f[&b] / (nominal[&a] / nominal[&b])).ln())
                .collect()
        };
        let (_, nd_pr) = stats(&log_ratio(Element::Nd, Element::Pr));
        assert!((nd_pr - 0.03).abs() < 0.0015, "{nd_pr}");
        let (_, sm_la) = stats(&log_ratio(Element::Sm, Element::La));
        let expected = (0.2f64.powi(2) + 0.03f64.powi(2) + 0.1f64.powi(2)).sqrt();
        assert!((sm_la - expected).abs() < 0.01, "{sm_la} vs {expected}");
        assert!(samples.iter().all(|f| f[&Element::La] == 1.0));
    }
}
