//! Plant-scale quantities of a solved cascade: volumetric flows of both phases and the reagent
//! demand of Xu's constant-flux system (docs/model.md section 3).
//!
//! Reagents are stoichiometric minima, one H+ or OH- per unit charge of RE3+:
//! - saponification: the fresh organic is saponified to load S mol RE per mol of feed (S - 1
//!   with an organic feed, which arrives loaded), so it takes 3 S mol of base;
//! - scrub: the scrub acid strips W mol RE from the organic at the scrub end: 3 W mol HCl;
//! - strip: the loaded organic then carries S - W, the extract product, with an organic side
//!   draw's share (stripped apart): 3 (S - W) mol HCl.
//!
//! Acid in all is 3 S per mol of feed. Plants run with excess acidity in scrub and strip
//! liquors, so real consumption is higher; these are the floor a flowsheet cannot go below.

use serde::Serialize;

use super::{CascadeUnit, ExtractantSystem};
use crate::cascade::{DrawPhase, FeedPhase, OperatingPoint, SystemModel};

/// Molar masses from the CIAAW 2021 standard atomic weights (abridged values: H 1.008,
/// N 14.007, O 15.999, Na 22.990, Cl 35.45), g/mol.
const HCL_G_PER_MOL: f64 = 1.008 + 35.45;
const NAOH_G_PER_MOL: f64 = 22.990 + 15.999 + 1.008;
const NH3_G_PER_MOL: f64 = 14.007 + 3.0 * 1.008;
/// Charge of a rare-earth ion: H+ or OH- exchanged per RE3+.
const RE_CHARGE: f64 = 3.0;

/// The base that saponifies the extractant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum SaponificationBase {
    NaOH,
    NH3,
}

impl SaponificationBase {
    pub fn g_per_mol(self) -> f64 {
        match self {
            SaponificationBase::NaOH => NAOH_G_PER_MOL,
            SaponificationBase::NH3 => NH3_G_PER_MOL,
        }
    }
}

/// Concentrations of a cascade's aqueous inlets, mol/L; each optional.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Concentrations {
    /// RE in the aqueous feed.
    pub feed_mol_per_l: Option<f64>,
    /// HCl in the scrub liquor.
    pub scrub_acid_mol_per_l: Option<f64>,
    /// HCl in the strip liquor.
    pub strip_acid_mol_per_l: Option<f64>,
}

/// Stoichiometric reagent demand of one cascade, mol/h.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Reagents {
    pub base: SaponificationBase,
    pub base_mol_per_h: f64,
    pub scrub_acid_mol_per_h: f64,
    pub strip_acid_mol_per_h: f64,
}

impl Reagents {
    pub fn acid_mol_per_h(&self) -> f64 {
        self.scrub_acid_mol_per_h + self.strip_acid_mol_per_h
    }

    pub fn base_t_per_year(&self, hours_per_year: f64) -> f64 {
        self.base_mol_per_h * self.base.g_per_mol() * hours_per_year / 1e6
    }

    pub fn acid_t_per_year(&self, hours_per_year: f64) -> f64 {
        self.acid_mol_per_h() * HCL_G_PER_MOL * hours_per_year / 1e6
    }
}

/// Volumetric flows and reagents of a cascade; each `None` when the flowsheet does not give
/// what it needs (a capacity, a concentration) or the model has no such flow.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct PlantFlows {
    /// Organic flow S F entering the first stage (the whole train's, but above an organic
    /// side draw, which takes its share of it).
    pub organic_l_per_h: Option<f64>,
    pub aqueous_feed_l_per_h: Option<f64>,
    pub scrub_l_per_h: Option<f64>,
    pub strip_l_per_h: Option<f64>,
    /// Aqueous feed plus scrub liquor (volume changes on mixing neglected).
    pub raffinate_l_per_h: Option<f64>,
    pub reagents: Option<Reagents>,
}

impl CascadeUnit {
    /// Plant flows for a feed of `feed_mol_per_h` mol/h of RE in `system`.
    pub fn plant_flows(&self, system: &ExtractantSystem, feed_mol_per_h: f64) -> PlantFlows {
        let (s, w) = match self.cascade.operating_point {
            OperatingPoint::Fluxes {
                extraction_ratio,
                scrub_ratio,
            } => (extraction_ratio, scrub_ratio),
            // The acid-aware model's phases are given by volume: the feed's, O/A times it, and
            // the liquors' from their own O/A; the HCl is what the liquors carry in (the acid
            // leaving is the solution's, `CascadeSolution::acid`).
            OperatingPoint::Acidic {
                oa_ratio,
                feed_concentration_mol_per_l,
                scrub_oa_ratio,
                scrub_acid_mol_per_l,
                strip_stages,
                strip_oa_ratio,
                strip_acid_mol_per_l,
                ..
            } => {
                let aqueous = feed_mol_per_h / feed_concentration_mol_per_l;
                let organic = oa_ratio * aqueous;
                let scrub = (self.cascade.scrub_stages > 0).then(|| organic / scrub_oa_ratio);
                let strip = (strip_stages > 0).then(|| organic / strip_oa_ratio);
                return PlantFlows {
                    organic_l_per_h: Some(organic),
                    aqueous_feed_l_per_h: Some(aqueous),
                    scrub_l_per_h: scrub,
                    strip_l_per_h: strip,
                    raffinate_l_per_h: Some(aqueous + scrub.unwrap_or(0.0)),
                    reagents: Some(Reagents {
                        base: system.saponification_base,
                        // A saponified mass-action organic: the base that neutralised its
                        // share of the extractant, one per HA, fed with the organic.
                        base_mol_per_h: match &system.model {
                            SystemModel::MassAction(m) => organic * m.saponified_mol_per_l(),
                            _ => 0.0,
                        },
                        scrub_acid_mol_per_h: scrub.map_or(0.0, |l| l * scrub_acid_mol_per_l),
                        strip_acid_mol_per_h: strip.map_or(0.0, |l| l * strip_acid_mol_per_l),
                    }),
                };
            }
            OperatingPoint::Volumetric { .. } => return PlantFlows::default(),
        };
        let f = feed_mol_per_h;
        let aqueous_feed = self.cascade.feed_phase == FeedPhase::Aqueous;
        let loaded_on_fresh_organic = if aqueous_feed { s } else { s - 1.0 };
        let reagents = Reagents {
            base: system.saponification_base,
            base_mol_per_h: RE_CHARGE * loaded_on_fresh_organic * f,
            scrub_acid_mol_per_h: RE_CHARGE * w * f,
            strip_acid_mol_per_h: RE_CHARGE * (s - w) * f,
        };
        let c = self.concentrations;
        let litres = |mol_per_h: f64, mol_per_l: Option<f64>| mol_per_l.map(|c| mol_per_h / c);
        let aqueous_feed_l_per_h = litres(f, c.feed_mol_per_l.filter(|_| aqueous_feed));
        let scrub_l_per_h = litres(reagents.scrub_acid_mol_per_h, c.scrub_acid_mol_per_l);
        let raffinate_l_per_h = match (aqueous_feed, aqueous_feed_l_per_h, scrub_l_per_h) {
            (true, Some(feed), Some(scrub)) => Some(feed + scrub),
            (false, _, scrub) => scrub,
            _ => None,
        };
        // An aqueous draw takes its share of the aqueous leaving its stage: the scrub liquor above
        // the feed stage, scrub and feed from the feed stage down. The raffinate is the rest.
        let aqueous_draw = (self.cascade.side_draw).filter(|d| d.phase == DrawPhase::Aqueous);
        let drawn_l_per_h = aqueous_draw.and_then(|d| {
            let below_feed = d.stage <= self.cascade.feed_stage();
            let passing = match (below_feed, aqueous_feed) {
                (true, true) => raffinate_l_per_h,
                _ => scrub_l_per_h,
            };
            passing.map(|v| d.fraction * v)
        });
        let raffinate_l_per_h = raffinate_l_per_h.map(|v| v - drawn_l_per_h.unwrap_or(0.0));
        PlantFlows {
            organic_l_per_h: litres(s * f, system.organic_capacity_mol_per_l),
            aqueous_feed_l_per_h,
            scrub_l_per_h,
            strip_l_per_h: litres(reagents.strip_acid_mol_per_h, c.strip_acid_mol_per_l),
            raffinate_l_per_h,
            reagents: Some(reagents),
        }
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::cascade::{Cascade, Draw, SystemModel};
    use std::collections::BTreeMap;

    /// A Pr/Nd cascade of `stages` (n, m) at S = 4, W = 3 with every concentration given (feed
    /// 1.25, scrub 4.5, strip 6 mol/L) in a system of capacity 0.2 mol/L, saponified by NH3.
    pub(in crate::flowsheet) fn unit(
        feed_phase: FeedPhase,
        (n, m): (usize, usize),
        side_draw: Option<Draw>,
    ) -> (CascadeUnit, ExtractantSystem) {
        let unit = CascadeUnit {
            name: "PrNd".into(),
            system: 0,
            feeds: vec!["feed".into()],
            cascade: Cascade {
                extraction_stages: n,
                scrub_stages: m,
                feed_stage: None,
                feed_phase,
                operating_point: OperatingPoint::Fluxes {
                    extraction_ratio: 4.0,
                    scrub_ratio: 3.0,
                },
                side_draw,
                stage_efficiency: 1.0,
            },
            raffinate: "Pr".into(),
            extract: "Nd".into(),
            side_draw: None,
            concentrations: Concentrations {
                feed_mol_per_l: Some(1.25),
                scrub_acid_mol_per_l: Some(4.5),
                strip_acid_mol_per_l: Some(6.0),
            },
            design: None,
            mixer_settlers: None,
        };
        let system = ExtractantSystem {
            name: "p507".into(),
            model: SystemModel::Saturated {
                separation_factors: BTreeMap::new(),
            },
            organic_capacity_mol_per_l: Some(0.2),
            separation_factor_sigma: Default::default(),
            saponification_base: SaponificationBase::NH3,
        };
        (unit, system)
    }

    /// By hand, 100 mol/h of feed RE at S = 4, W = 3: base 3 x 4 x 100 = 1200 mol/h; scrub HCl
    /// 900 mol/h in 900 / 4.5 = 200 L/h; strip HCl 3 x 1 x 100 = 300 mol/h in 50 L/h; feed
    /// 100 / 1.25 = 80 L/h; raffinate 80 + 200 = 280 L/h; organic 400 / 0.2 = 2000 L/h.
    /// NH3 1200 x 17.031 g x 7920 h = 161.86 t/yr; HCl 1200 x 36.458 x 7920 = 346.50 t/yr.
    #[test]
    fn volumes_and_reagents_by_hand() {
        let (unit, system) = unit(FeedPhase::Aqueous, (20, 33), None);
        let p = unit.plant_flows(&system, 100.0);
        let r = p.reagents.unwrap();
        assert_eq!(
            (
                r.base_mol_per_h,
                r.scrub_acid_mol_per_h,
                r.strip_acid_mol_per_h
            ),
            (1200.0, 900.0, 300.0)
        );
        assert_eq!(p.scrub_l_per_h, Some(200.0));
        assert_eq!(p.strip_l_per_h, Some(50.0));
        assert_eq!(p.aqueous_feed_l_per_h, Some(80.0));
        assert_eq!(p.raffinate_l_per_h, Some(280.0));
        assert_eq!(p.organic_l_per_h, Some(2000.0));
        assert!((r.base_t_per_year(7920.0) - 161.86).abs() < 0.01);
        assert!((r.acid_t_per_year(7920.0) - 346.50).abs() < 0.01);
    }

    /// An aqueous side draw takes its share of the aqueous passing its stage: 10 % of 280 L/h
    /// below the feed stage (20), 10 % of the 200 L/h of scrub liquor above it. An organic
    /// draw takes none.
    #[test]
    fn a_side_draw_takes_its_share_of_the_raffinate_volume() {
        let (mut unit, system) = unit(FeedPhase::Aqueous, (20, 33), None);
        for (stage, phase, raffinate) in [
            (10, DrawPhase::Aqueous, 252.0),
            (30, DrawPhase::Aqueous, 260.0),
            (30, DrawPhase::Organic, 280.0),
        ] {
            unit.cascade.side_draw = Some(Draw {
                stage,
                fraction: 0.1,
                phase,
            });
            let p = unit.plant_flows(&system, 100.0);
            assert!(
                (p.raffinate_l_per_h.unwrap() - raffinate).abs() < 1e-9,
                "stage {stage}"
            );
        }
    }

    /// An organic feed arrives loaded: the fresh organic loads S - 1, and there is no aqueous
    /// feed volume.
    #[test]
    fn organic_feed_saponifies_only_the_fresh_organic() {
        let (unit, system) = unit(FeedPhase::Organic, (20, 33), None);
        let p = unit.plant_flows(&system, 100.0);
        assert_eq!(p.reagents.unwrap().base_mol_per_h, 900.0);
        assert_eq!(p.aqueous_feed_l_per_h, None);
        assert_eq!(p.raffinate_l_per_h, Some(200.0));
    }

    /// Hand-checked: HCl 36.458, NaOH 39.997, NH3 17.031 g/mol.
    #[test]
    fn reagent_molar_masses() {
        assert!((HCL_G_PER_MOL - 36.458).abs() < 1e-12);
        assert!((NAOH_G_PER_MOL - 39.997).abs() < 1e-12);
        assert!((NH3_G_PER_MOL - 17.031).abs() < 1e-12);
    }
}
