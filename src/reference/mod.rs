//! Reference problems with known answers or fixed, documented inputs. Tests, benches and the
//! README all use these, so that a number quoted in one is checked by another.

mod plant;
pub mod survey;
mod uky_dehpa;

pub use plant::fourteen_cut_plant;
pub use uky_dehpa::uky_dehpa_coefficients;

use std::collections::BTreeMap;

use crate::cascade::{Cascade, FeedPhase, OperatingPoint, SystemModel};
use crate::elements::Element;
use crate::stream::Stream;

/// A cascade, its extractant system and its feed.
#[derive(Debug, Clone)]
pub struct Case {
    pub cascade: Cascade,
    pub model: SystemModel,
    pub feed: Stream,
}

/// Kremser's problem: one solute, constant distribution ratio, `stages` extraction stages,
/// barren organic, no scrub; extraction factor `e = D * O/A` (here D = e, O/A = 1).
pub fn kremser(e: f64, stages: usize) -> Case {
    Case {
        cascade: Cascade {
            extraction_stages: stages,
            scrub_stages: 0,
            feed_stage: None,
            feed_phase: FeedPhase::Aqueous,
            operating_point: OperatingPoint::Volumetric {
                oa_ratio: 1.0,
                scrub_oa_ratio: f64::NAN,
                reflux_ratio: 0.0,
            },
            side_draw: None,
            stage_efficiency: 1.0,
        },
        model: SystemModel::ConstantD {
            distribution_ratios: BTreeMap::from([(Element::Nd, e)]),
        },
        feed: Stream::new([(Element::Nd, 1.0)]),
    }
}

/// A binary Pr/Nd cascade in the saturated model: `beta` = beta(Nd/Pr), `nd_fraction` the
/// Nd mole fraction of a 1 mol/h feed.
pub fn binary(
    beta: f64,
    nd_fraction: f64,
    extraction_stages: usize,
    scrub_stages: usize,
    extraction_ratio: f64,
    reflux_ratio: f64,
) -> Case {
    Case {
        cascade: Cascade {
            extraction_stages,
            scrub_stages,
            feed_stage: None,
            feed_phase: FeedPhase::Aqueous,
            operating_point: OperatingPoint::from_reflux_ratio(extraction_ratio, reflux_ratio),
            side_draw: None,
            stage_efficiency: 1.0,
        },
        model: SystemModel::Saturated {
            separation_factors: BTreeMap::from([(Element::Pr, 1.0), (Element::Nd, beta)]),
        },
        feed: Stream::new([(Element::Pr, 1.0 - nd_fraction), (Element::Nd, nd_fraction)]),
    }
}

/// The shipped Pr/Nd cascade (flowsheets/prnd_binary.toml) without its plant basis: beta 1.5,
/// 76.7 % Nd, 20 + 33 stages at Xu's optimum S = 4.1711, R = 4.4495. About 45 stages: the
/// size the speed target for a binary refers to.
pub fn prnd_design() -> Case {
    binary(1.5, 0.767, 20, 33, 4.1711, 4.4495)
}

/// Separation factors of the fifteen rare earths in P507-HCl relative to La, as products of
/// adjacent-pair factors (flowsheets/README.md, "Separation factors": mid values of the
/// literature ranges, not verified against a primary table).
pub fn p507_separation_factors() -> BTreeMap<Element, f64> {
    let adjacent = [
        (Element::La, 1.0),
        (Element::Ce, 5.0),
        (Element::Pr, 2.0),
        (Element::Nd, 1.5),
        (Element::Sm, 10.0),
        (Element::Eu, 2.0),
        (Element::Gd, 1.5),
        (Element::Tb, 5.0),
        (Element::Dy, 2.5),
        (Element::Ho, 2.0),
        (Element::Y, 1.3),
        (Element::Er, 1.6),
        (Element::Tm, 3.3),
        (Element::Yb, 3.0),
        (Element::Lu, 1.8),
    ];
    let mut beta = 1.0;
    adjacent
        .into_iter()
        .map(|(e, step)| {
            beta *= step;
            (e, beta)
        })
        .collect()
}

/// Mole fractions of a 1 mol/h feed from oxide mass percentages.
fn feed_from_oxide_pct(oxide_pct: &[(Element, f64)]) -> Stream {
    let mol: Vec<(Element, f64)> = oxide_pct
        .iter()
        .map(|&(e, pct)| (e, e.mol_from_oxide_g(pct)))
        .collect();
    let total: f64 = mol.iter().map(|(_, m)| m).sum();
    Stream::new(mol.into_iter().map(|(e, m)| (e, m / total)))
}

/// A 15-element feed: Bayan Obo mixed bastnaesite-monazite concentrate (flowsheets/README.md,
/// "Feeds"), normalised, as mole fractions of a 1 mol/h feed.
pub fn bayan_obo_feed() -> Stream {
    feed_from_oxide_pct(&[
        (Element::La, 25.0),
        (Element::Ce, 50.1),
        (Element::Pr, 5.1),
        (Element::Nd, 16.6),
        (Element::Sm, 1.2),
        (Element::Eu, 0.18),
        (Element::Gd, 0.7),
        (Element::Tb, 0.06),
        (Element::Dy, 0.10),
        (Element::Ho, 0.03),
        (Element::Y, 0.30),
        (Element::Er, 0.03),
        (Element::Tm, 0.01),
        (Element::Yb, 0.01),
        (Element::Lu, 0.01),
    ])
}

/// The first cut of a light-REE plant, all fifteen elements: La-Nd to the raffinate, Sm-Lu
/// and Y to the extract, from the Bayan Obo feed in P507 (key pair Nd/Sm, beta 10). The
/// extract product is Xu's product fraction for 99 % purity of both groups; the reflux ratio
/// is 1, twice Xu's scrub-controlled optimum `1 / (sqrt(10) - 1) = 0.46`. `stages` are split
/// evenly.
pub fn fifteen_element_cut(stages: usize) -> Case {
    let feed = bayan_obo_feed();
    let light = [Element::La, Element::Ce, Element::Pr, Element::Nd];
    let heavy = 1.0 - light.iter().map(|&e| feed.mol_per_h(e)).sum::<f64>();
    let product = crate::theory::product_fractions(heavy, 0.99, 0.99).a;
    let scrub = product;
    Case {
        cascade: Cascade {
            extraction_stages: stages / 2,
            scrub_stages: stages - stages / 2,
            feed_stage: None,
            feed_phase: FeedPhase::Aqueous,
            operating_point: OperatingPoint::Fluxes {
                extraction_ratio: scrub + product,
                scrub_ratio: scrub,
            },
            side_draw: None,
            stage_efficiency: 1.0,
        },
        model: SystemModel::Saturated {
            separation_factors: p507_separation_factors(),
        },
        feed,
    }
}

/// A multicomponent cascade as an engineer would set it up around one key pair, for random
/// surveys (tests/integration/properties.rs, examples/stress.rs).
#[derive(Debug, Clone)]
pub struct DesignedCut {
    /// Separation factors, ascending, one per element (the first `len` of [`Element::ALL`]).
    pub separation_factors: Vec<f64>,
    /// Feed amounts, normalised to 1 mol/h.
    pub feed_fractions: Vec<f64>,
    /// The key pair is elements `cut - 1` and `cut`.
    pub cut: usize,
    /// Target purity of both groups (clamped so that both products exist).
    pub purity: f64,
    /// Reflux ratio as a multiple of Xu's optimum for the key pair.
    pub reflux_factor: f64,
    pub extraction_stages: usize,
    pub scrub_stages: usize,
}

impl DesignedCut {
    /// The cascade: extract product = Xu's product fraction of the heavier group at `purity`,
    /// reflux = `reflux_factor` times Xu's optimum.
    pub fn case(&self) -> Case {
        let betas = &self.separation_factors;
        let elements = &Element::ALL[..betas.len()];
        let sum: f64 = self.feed_fractions.iter().sum();
        let heavy = self.feed_fractions[self.cut..].iter().sum::<f64>() / sum;
        // An impurity allowance of at most half the smaller group, so both products exist.
        let purity = self.purity.max(1.0 - 0.5 * heavy.min(1.0 - heavy));
        let fractions = crate::theory::product_fractions(heavy, purity, purity);
        let key = betas[self.cut] / betas[self.cut - 1];
        let optimum = crate::theory::optimum_ratios(key, fractions);
        let scrub = self.reflux_factor * optimum.reflux_ratio() * fractions.a;
        Case {
            cascade: Cascade {
                extraction_stages: self.extraction_stages,
                scrub_stages: self.scrub_stages,
                feed_stage: None,
                feed_phase: FeedPhase::Aqueous,
                operating_point: OperatingPoint::Fluxes {
                    extraction_ratio: scrub + fractions.a,
                    scrub_ratio: scrub,
                },
                side_draw: None,
                stage_efficiency: 1.0,
            },
            model: SystemModel::Saturated {
                separation_factors: elements
                    .iter()
                    .copied()
                    .zip(betas.iter().copied())
                    .collect(),
            },
            feed: Stream::new(
                elements
                    .iter()
                    .zip(&self.feed_fractions)
                    .map(|(&e, x)| (e, x / sum)),
            ),
        }
    }
}

/// Fifteen elements in equal shares extracted in `stages` stages of saponified P507 by mass
/// action (docs/model.md section 3): K_i proportional to the P507 separation factors,
/// log10 K_La = -3; 1.5 mol/L extractant, 20 % saponified, O/A 4, a 1 mol/L feed of 0.01 mol/L
/// acid: the organic could hold the whole feed, the acid it releases holds it to 55 %. The
/// benches' mass-action case.
pub fn mass_action_extraction(stages: usize) -> Case {
    let log10_k = p507_separation_factors()
        .into_iter()
        .map(|(e, beta)| (e, -3.0 + beta.log10()))
        .collect();
    Case {
        cascade: Cascade {
            extraction_stages: stages,
            scrub_stages: 0,
            feed_stage: None,
            feed_phase: FeedPhase::Aqueous,
            operating_point: OperatingPoint::acidic_extraction(4.0, 1.0, 0.01),
            side_draw: None,
            stage_efficiency: 1.0,
        },
        model: SystemModel::MassAction(crate::equilibrium::MassActionSystem {
            log10_k,
            extractant_mol_per_l: 1.5,
            saponification_fraction: 0.2,
            saponified_log10_k: crate::equilibrium::SAPONIFIED_LOG10_K,
        }),
        feed: Stream::new(Element::ALL.iter().map(|&e| (e, 1.0 / 15.0))),
    }
}
