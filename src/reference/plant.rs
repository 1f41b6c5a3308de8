//! A whole-plant network for benches and tests: the fifteen rare earths of the Bayan Obo feed
//! split into single elements by fourteen P507 cascades, each designed around its key pair by
//! Xu's closed forms, with one recycle loop. Not a shipped design (issue 4's reference plant
//! is made by `sxcascade design`), but the same shape and size: about 1,000 stages.

use indexmap::IndexMap;

use super::{bayan_obo_feed, p507_separation_factors};
use crate::cascade::{Cascade, FeedPhase, OperatingPoint, SystemModel};
use crate::elements::Element;
use crate::flowsheet::{
    CascadeUnit, Concentrations, ExtractantSystem, Flowsheet, ProductSpec, SaponificationBase,
    SplitterUnit,
};
use crate::stream::Stream;
use crate::theory::{optimum_ratios, product_fractions, stage_estimate};

/// Purity each cut is designed for, on both sides.
const CUT_PURITY: f64 = 0.99999;
/// Stages above Xu's estimates, as designers add them.
const STAGE_MARGIN: f64 = 1.2;
/// Fraction of the Pr product returned to the LaCe | PrNd cascade's feed.
const PR_REWORK: f64 = 0.2;

/// The cuts in P507 extraction order, as (group, elements in its raffinate): each cascade
/// splits a contiguous group of elements after its raffinate part.
const CUTS: [(&[Element], usize); 14] = {
    use Element::*;
    [
        (
            &[La, Ce, Pr, Nd, Sm, Eu, Gd, Tb, Dy, Ho, Y, Er, Tm, Yb, Lu],
            4,
        ),
        (&[La, Ce, Pr, Nd], 2),
        (&[La, Ce], 1),
        (&[Pr, Nd], 1),
        (&[Sm, Eu, Gd, Tb, Dy, Ho, Y, Er, Tm, Yb, Lu], 3),
        (&[Sm, Eu, Gd], 1),
        (&[Eu, Gd], 1),
        (&[Tb, Dy, Ho, Y, Er, Tm, Yb, Lu], 2),
        (&[Tb, Dy], 1),
        (&[Ho, Y, Er, Tm, Yb, Lu], 2),
        (&[Ho, Y], 1),
        (&[Er, Tm, Yb, Lu], 2),
        (&[Er, Tm], 1),
        (&[Yb, Lu], 1),
    ]
};

/// The fourteen-cascade plant for `feed_mol_per_h` of Bayan Obo concentrate.
pub fn fourteen_cut_plant(feed_mol_per_h: f64) -> Flowsheet {
    let fresh = bayan_obo_feed();
    let betas = p507_separation_factors();
    let name = |group: &[Element]| group.iter().map(|e| e.symbol()).collect::<String>();
    let mut cascades = Vec::new();
    let mut products = Vec::new();
    for (group, split) in CUTS {
        let (light, heavy) = group.split_at(split);
        let amount = |part: &[Element]| part.iter().map(|&e| fresh.mol_per_h(e)).sum::<f64>();
        let heavy_fraction = amount(heavy) / amount(group);
        // Both products must exist: an impurity allowance of at most half the smaller group.
        let purity = CUT_PURITY.max(1.0 - 0.5 * heavy_fraction.min(1.0 - heavy_fraction));
        let fractions = product_fractions(heavy_fraction, purity, purity);
        let key = betas[&heavy[0]] / betas[&light[split - 1]];
        let optimum = optimum_ratios(key, fractions);
        let (s, w) = (optimum.extraction_ratio, optimum.scrub_ratio);
        let estimate = stage_estimate(key, heavy_fraction, purity, purity, s, w)
            .expect("Xu's optimum can purify in both sections");
        let stages = |x: f64| ((STAGE_MARGIN * x).ceil() as usize).max(1);
        let group_name = name(group);
        let feed = if cascades.is_empty() {
            vec!["feed".to_string()]
        } else {
            vec![group_name.clone()]
        };
        cascades.push(CascadeUnit {
            name: format!("{}|{}", name(light), name(heavy)),
            system: 0,
            feeds: feed,
            cascade: Cascade {
                extraction_stages: stages(estimate.extraction_stages),
                scrub_stages: stages(estimate.scrub_stages),
                feed_stage: None,
                feed_phase: FeedPhase::Aqueous,
                operating_point: OperatingPoint::Fluxes {
                    extraction_ratio: s,
                    scrub_ratio: w,
                },
                side_draw: None,
                stage_efficiency: 1.0,
            },
            raffinate: name(light),
            extract: name(heavy),
            side_draw: None,
            concentrations: Concentrations::default(),
            design: None,
            mixer_settlers: None,
        });
        for part in [light, heavy] {
            if let [single] = part {
                products.push(ProductSpec {
                    name: single.oxide_name(),
                    stream: single.symbol().to_string(),
                    element: *single,
                    min_purity_pct: None,
                    min_recovery_pct: None,
                });
            }
        }
    }
    // The Pr product is split: PR_REWORK of it back to the LaCe | PrNd cascade.
    let prnd = cascades
        .iter()
        .position(|c| c.name == "Pr|Nd")
        .expect("a Pr | Nd cut");
    cascades[prnd].raffinate = "Pr_raffinate".into();
    let lace_prnd = cascades
        .iter()
        .position(|c| c.name == "LaCe|PrNd")
        .expect("a LaCe | PrNd cut");
    cascades[lace_prnd].feeds.push("Pr_rework".into());
    Flowsheet {
        name: "fourteen-cut Bayan Obo plant (bench)".into(),
        basis: None,
        systems: vec![ExtractantSystem {
            name: "p507".into(),
            model: SystemModel::Saturated {
                separation_factors: betas,
            },
            organic_capacity_mol_per_l: None,
            saponification_base: SaponificationBase::NaOH,
            separation_factor_sigma: Default::default(),
        }],
        feeds: IndexMap::from([(
            "feed".to_string(),
            Stream::new(fresh.flows().map(|(e, x)| (e, x * feed_mol_per_h))),
        )]),
        cascades,
        splitters: vec![SplitterUnit {
            name: "Pr_split".into(),
            inlet: "Pr_raffinate".into(),
            outlets: vec![
                ("Pr_rework".into(), PR_REWORK),
                ("Pr".into(), 1.0 - PR_REWORK),
            ],
        }],
        products,
        prices: None,
    }
}
