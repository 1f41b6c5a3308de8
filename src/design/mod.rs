//! `sxcascade design`: sizes the cascades that give design targets instead of stage counts.
//!
//! Each cascade is treated, as in Xu Guangxian's theory, as a binary of its two groups (the
//! raffinate group B and the extract group A) around its key pair, the adjacent elements either
//! side of the split: Xu's product fractions and optimum ratios (or `reflux_factor` times the
//! minimum reflux) fix S and W, his stage formulas and Fenske's minimum give the start, and
//! rigorous simulation of every element then finds the smallest stage counts that meet every
//! target (docs/model.md section 5). Purity and recovery rise with stages in either section, so the
//! search grows the counts until the targets are met and then bisects each down.

mod confidence;
mod plant;
mod search;
mod write;

use thiserror::Error;

pub use confidence::{Confidence, DEFAULT_CONFIDENCE_SAMPLES, DEFAULT_CONFIDENCE_SEED, Tally};
pub use plant::{
    GrownSection, PlantConfidence, ProductShares, RaisedTarget, Section, Side, plant_confidence,
    required_pct, sample_plant,
};
pub use write::{designed_plant_toml, designed_toml};

use crate::equilibrium::FactorUncertainty;

use crate::cascade::{CascadeSolution, Draw, DrawPhase, OperatingPoint, SystemModel};
use crate::elements::Element;
use crate::error::CascadeError;
use crate::flowsheet::{DesignSpec, Flowsheet, UnitId, sequence};
use crate::solver::SolverOptions;
use crate::stream::Stream;
use crate::theory::{
    ProductFractions, StageEstimate, fenske_minimum_stages, minimum_reflux_ratio, optimum_ratios,
    product_fractions, stage_estimate,
};

/// How one cascade was designed.
#[derive(Debug, Clone, PartialEq)]
pub struct CascadeDesign {
    pub cascade: String,
    /// The last element of the raffinate group and the first of the extract group.
    pub key_pair: (Element, Element),
    pub separation_factor: f64,
    /// Mole fraction of the extract group in the cascade's feed.
    pub extract_fraction: f64,
    pub extraction_ratio: f64,
    pub scrub_ratio: f64,
    pub reflux_ratio: f64,
    pub minimum_reflux_ratio: f64,
    pub fenske_minimum_stages: f64,
    /// Xu's estimates at the chosen ratios.
    pub closed_form: Option<StageEstimate>,
    pub extraction_stages: usize,
    pub scrub_stages: usize,
    /// A three-outlet cascade's draw as designed: its stage and fraction.
    pub side_draw: Option<Draw>,
    /// What the designed cascade reaches, by rigorous simulation.
    pub achieved: Performance,
    /// Rigorous simulations the search ran (samples of a confidence design included).
    pub simulations: usize,
    /// A design to a confidence: how the samples fared, here and at the nominal design.
    pub confidence: Option<ConfidenceDesign>,
}

/// How a design to a confidence fared on its samples of the separation factors.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ConfidenceDesign {
    pub confidence: Confidence,
    /// The stage counts that meet the targets at the nominal factors alone, and how that
    /// design fares on the same samples.
    pub nominal_stages: (usize, usize),
    pub nominal: Tally,
    /// How the designed counts fare on every sample.
    pub designed: Tally,
}

/// Purity (oxide mass) and recovery of each group in its product, %.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Performance {
    pub raffinate_purity_pct: f64,
    pub extract_purity_pct: f64,
    pub raffinate_recovery_pct: f64,
    pub extract_recovery_pct: f64,
    /// The side draw's group in the draw (three-outlet cascades): purity and recovery, %.
    pub side_draw_purity_pct: Option<f64>,
    pub side_draw_recovery_pct: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Error)]
pub enum DesignError {
    /// Targets the cascade's feed cannot be designed for; `field` is the target to change,
    /// when one is to blame.
    #[error("cascade `{cascade}`: {reason}")]
    Infeasible {
        cascade: String,
        field: Option<&'static str>,
        reason: String,
    },
    #[error("cascade `{cascade}`: its feed is not available (a unit upstream failed)")]
    NoFeed { cascade: String },
    #[error(
        "the designs of the recycle loop's cascades still change after {rounds} rounds of \
         design and solve"
    )]
    Unsettled { rounds: usize },
    #[error(
        "cascade `{cascade}`: the targets are not met at R = {reflux_ratio:.4}: {limit} stages in \
         all reach raffinate {raffinate_purity_pct:.4} %, extract {extract_purity_pct:.4} %, and \
         more stages no longer help (or would pass the limit of 5000); raise `reflux_factor` or \
         relax a target"
    )]
    NotReached {
        cascade: String,
        limit: usize,
        reflux_ratio: f64,
        raffinate_purity_pct: f64,
        extract_purity_pct: f64,
    },
    /// A product the plant-level design cannot bring on spec in the asked share of samples.
    #[error(
        "product `{product}` is on spec in {share_pct:.1} % of {samples} samples of the \
         separation factors, short of the {required_pct:.1} % that shows {pct} % \
         (`confidence_pct`) with two standard errors to spare: {reason}"
    )]
    ProductConfidence {
        product: String,
        share_pct: f64,
        pct: f64,
        required_pct: f64,
        samples: usize,
        reason: String,
    },
    #[error("cascade `{cascade}` at {extraction_stages} + {scrub_stages} stages: {error}")]
    Solve {
        cascade: String,
        extraction_stages: usize,
        scrub_stages: usize,
        error: CascadeError,
    },
}

impl DesignError {
    /// Where in the flowsheet file the error is to be shown: the target to blame, else the
    /// cascade's `[cascades.design]` table (a dotted path, as `sxcascade sweep` takes).
    pub fn field_path(&self) -> Option<String> {
        let (cascade, field) = match self {
            DesignError::Infeasible { cascade, field, .. } => (cascade, *field),
            DesignError::NotReached { cascade, .. } | DesignError::Solve { cascade, .. } => {
                (cascade, None)
            }
            DesignError::NoFeed { .. }
            | DesignError::Unsettled { .. }
            | DesignError::ProductConfidence { .. } => return None,
        };
        Some(match field {
            Some(field) => format!("cascades.{cascade}.design.{field}"),
            None => format!("cascades.{cascade}.design"),
        })
    }

    /// Whether the error is the input's (targets no cascade can meet, exit 2) rather than the
    /// solver's (a trial that did not converge, exit 1).
    pub fn is_bad_input(&self) -> bool {
        match self {
            DesignError::Solve { error, .. } => matches!(error, CascadeError::Infeasible { .. }),
            _ => true,
        }
    }
}

/// Share of a cascade's feed (mol) below which an element is never a key, even when no element
/// of its group could spoil the other product alone: a part per billion, a thousand times below
/// the impurity allowance of the purest grade sold (99.9999 %).
const KEY_MIN_SHARE: f64 = 1e-9;

/// Rounds of design and solve before a flowsheet with recycles must have settled.
const MAX_DESIGN_ROUNDS: usize = 10;

/// A designed flowsheet: the flowsheet with every design filled in, each cascade's design, and,
/// when the cuts are designed to a confidence, how the plant's products fare.
#[derive(Debug, Clone)]
pub struct PlantDesign {
    pub flowsheet: Flowsheet,
    /// In solve order.
    pub cascades: Vec<CascadeDesign>,
    pub products: Option<PlantConfidence>,
}

/// Designs every cascade of `flowsheet` that has targets, as [`design_plant`] does; returns the
/// flowsheet with the designs filled in, and the designs.
pub fn design(
    flowsheet: &Flowsheet,
    options: &SolverOptions,
) -> Result<(Flowsheet, Vec<CascadeDesign>), DesignError> {
    design_plant(flowsheet, options).map(|d| (d.flowsheet, d.cascades))
}

/// Designs every cascade of `flowsheet` that has targets, in solve order, each on the feed its
/// upstream (designed) cascades produce; a cascade in a recycle loop first on the loop's first
/// pass (recycles empty). With recycles, the flowsheet is then solved and every cascade
/// designed again on its converged feed, until no design changes. When cascades are designed
/// to a confidence, the plant's products must then each be on spec in that share of joint
/// samples of the factors, with two standard errors to spare ([`plant_confidence`],
/// [`required_pct`]): the cuts their impurities come through gain stages, or have their targets
/// raised, until they are (`plant.rs`).
pub fn design_plant(
    flowsheet: &Flowsheet,
    options: &SolverOptions,
) -> Result<PlantDesign, DesignError> {
    let (mut designed, mut designs) = design_cuts(flowsheet, options)?;
    let products = match plant_confidence(flowsheet) {
        None => None,
        Some(c) => {
            let nominal = at_nominal_counts(&designed, &designs);
            Some(plant::design_to_products(
                &mut designed,
                &mut designs,
                &nominal,
                c,
                options,
            )?)
        }
    };
    Ok(PlantDesign {
        flowsheet: designed,
        cascades: designs,
        products,
    })
}

/// `designed` with every cut designed to a confidence set back to the counts that meet its
/// targets at the nominal factors (a side draw moved with its feed stage).
fn at_nominal_counts(designed: &Flowsheet, designs: &[CascadeDesign]) -> Flowsheet {
    let mut nominal = designed.clone();
    for d in designs {
        let (Some(c), Some(unit)) = (
            d.confidence,
            nominal.cascades.iter_mut().find(|u| u.name == d.cascade),
        ) else {
            continue;
        };
        let (n0, m0) = c.nominal_stages;
        let cascade = &mut unit.cascade;
        if let Some(draw) = &mut cascade.side_draw {
            draw.stage = draw.stage + n0 - cascade.extraction_stages;
        }
        cascade.extraction_stages = n0;
        cascade.scrub_stages = m0;
    }
    nominal
}

/// Each cut designed to its own targets (and confidence), as [`design_plant`] says, without
/// the plant-level step that holds the products to the confidence.
pub fn design_cuts(
    flowsheet: &Flowsheet,
    options: &SolverOptions,
) -> Result<(Flowsheet, Vec<CascadeDesign>), DesignError> {
    let mut designed = flowsheet.clone();
    let blocks = sequence(flowsheet);
    let order: Vec<usize> = blocks
        .iter()
        .flat_map(|b| b.units.clone())
        .filter_map(|u| match u {
            UnitId::Cascade(k) => Some(k),
            UnitId::Splitter(_) => None,
        })
        .filter(|&k| flowsheet.cascades[k].design.is_some())
        .collect();
    let mut designs = Vec::new();
    for &k in &order {
        let feed = designed
            .feed_of(k, options)
            .ok_or_else(|| DesignError::NoFeed {
                cascade: designed.cascades[k].name.clone(),
            })?;
        designs.push(design_into(&mut designed, k, &feed, options)?);
    }
    if !blocks.iter().any(|b| b.is_recycle()) {
        return Ok((designed, designs));
    }
    for _ in 0..MAX_DESIGN_ROUNDS {
        let solution = designed.solve(options);
        let mut changed = false;
        for (d, &k) in designs.iter_mut().zip(&order) {
            let feed = match &solution.cascades[k].result {
                Ok(solved) => solved.feed.clone(),
                Err(_) => {
                    return Err(DesignError::NoFeed {
                        cascade: designed.cascades[k].name.clone(),
                    });
                }
            };
            let again = design_into(&mut designed, k, &feed, options)?;
            changed |= (again.extraction_stages, again.scrub_stages)
                != (d.extraction_stages, d.scrub_stages)
                || (again.extraction_ratio / d.extraction_ratio - 1.0).abs() > DESIGN_SETTLED
                || (again.scrub_ratio / d.scrub_ratio - 1.0).abs() > DESIGN_SETTLED;
            *d = again;
        }
        if !changed {
            return Ok((designed, designs));
        }
    }
    Err(DesignError::Unsettled {
        rounds: MAX_DESIGN_ROUNDS,
    })
}

/// Relative change of S and W below which a round of design and solve has settled, with the
/// stage counts unchanged. The ratios follow the loop's converged feed, which moves with them
/// and with the discrete counts; on the shipped recycle they settle to about 1e-4 and then
/// wander there, so a tighter test would never pass. The settled design is then solved and
/// judged against the product specifications like any flowsheet.
const DESIGN_SETTLED: f64 = 1e-3;

/// Designs cascade `k` of `designed` on `feed` and writes the design into it.
fn design_into(
    designed: &mut Flowsheet,
    k: usize,
    feed: &Stream,
    options: &SolverOptions,
) -> Result<CascadeDesign, DesignError> {
    let unit = &designed.cascades[k];
    let spec = unit
        .design
        .clone()
        .expect("only cascades with targets are designed");
    let system = &designed.systems[unit.system];
    let (model, sigma) = (system.model.clone(), system.separation_factor_sigma.clone());
    let result = design_cascade(&unit.name, &spec, &model, &sigma, feed, unit, options)?;
    let unit = &mut designed.cascades[k];
    unit.cascade.extraction_stages = result.extraction_stages;
    unit.cascade.scrub_stages = result.scrub_stages;
    unit.cascade.side_draw = result.side_draw;
    unit.cascade.operating_point = OperatingPoint::Fluxes {
        extraction_ratio: result.extraction_ratio,
        scrub_ratio: result.scrub_ratio,
    };
    Ok(result)
}

fn design_cascade(
    name: &str,
    spec: &DesignSpec,
    model: &SystemModel,
    sigma: &FactorUncertainty,
    feed: &Stream,
    unit: &crate::flowsheet::CascadeUnit,
    options: &SolverOptions,
) -> Result<CascadeDesign, DesignError> {
    let infeasible = |reason: String| DesignError::Infeasible {
        cascade: name.to_string(),
        field: None,
        reason,
    };
    let blame = |field: &'static str, reason: String| DesignError::Infeasible {
        cascade: name.to_string(),
        field: Some(field),
        reason,
    };
    let SystemModel::Saturated { separation_factors } = model else {
        return Err(infeasible(
            "only the saturated model can be designed".into(),
        ));
    };
    let groups = Groups::of(spec, feed);
    // A purity target at or below the group's share of the feed asks for no separation (the
    // feed meets it as it is): Xu's product fractions then fall outside (0, 1) and the trial
    // cascades cannot run.
    for (field, target, group, side) in [
        (
            "raffinate_purity_pct",
            spec.raffinate_purity_pct,
            &groups.raffinate,
            "raffinate",
        ),
        (
            "extract_purity_pct",
            spec.extract_purity_pct,
            &groups.extract,
            "extract",
        ),
    ] {
        let in_feed = groups.oxide_mass_pct(feed, group);
        if target <= in_feed {
            let names: Vec<&str> = group.iter().map(|e| e.symbol()).collect();
            return Err(blame(
                field,
                format!(
                    "`{field}` = {target} is no purer than the feed, whose {side} group ({}) is \
                     already {in_feed:.4} % of its oxide mass: give a target above {in_feed:.4} \
                     % and below 100 %",
                    names.join(", ")
                ),
            ));
        }
    }
    // A key must be able to spoil the other product on its own: an element rarer than that
    // product's impurity allowance (its group's share of the feed times 1 - purity) meets the
    // purity wherever it goes. In a second extractant an element removed upstream to 1e-100
    // can sit right next to the cut (La beside Y in naphthenic acid), and an impurity a cut
    // upstream let through (22 ppm of Y before Ho | Er-Lu in P507) could otherwise set a far
    // harder cut than the one the products need.
    let total = feed.total_mol_per_h();
    let allowance = |purity_pct: f64, group: &[Element]| {
        (1.0 - purity_pct / 100.0) * share(feed, group) * total
    };
    let spoils_extract = allowance(spec.extract_purity_pct, &groups.extract);
    let spoils_raffinate = allowance(spec.raffinate_purity_pct, &groups.raffinate);
    let able = |group: &[Element], floor: f64| -> Vec<Element> {
        let over = |floor: f64| -> Vec<Element> {
            group
                .iter()
                .copied()
                .filter(|&e| feed.mol_per_h(e) >= floor)
                .collect()
        };
        let keys = over(floor);
        if keys.is_empty() {
            over(KEY_MIN_SHARE * total)
        } else {
            keys
        }
    };
    let strongest = |group: &[Element]| {
        group
            .iter()
            .copied()
            .max_by(|a, b| separation_factors[a].total_cmp(&separation_factors[b]))
    };
    let weakest = |group: &[Element]| {
        group
            .iter()
            .copied()
            .min_by(|a, b| separation_factors[a].total_cmp(&separation_factors[b]))
    };
    // The key pair is at the extract end: the extract group against what lies below it, the
    // side draw's group in a three-outlet cascade. S and W are set for that cut; the stages
    // below the draw, which part the draw's group from the raffinate's, are found by the
    // search.
    let below_extract = if groups.middle.is_empty() {
        &groups.raffinate
    } else {
        &groups.middle
    };
    let (Some(light_key), Some(heavy_key), false) = (
        strongest(&able(below_extract, spoils_extract)),
        weakest(&able(&groups.extract, spoils_raffinate)),
        groups.raffinate.is_empty(),
    ) else {
        return Err(infeasible(
            "the feed does not carry every group of the split: there is nothing to split".into(),
        ));
    };
    let beta = separation_factors[&heavy_key] / separation_factors[&light_key];
    // The raffinate's impurity is mostly the least extractable element above its group.
    let raffinate_impurity = weakest(&able(&groups.middle, spoils_raffinate)).unwrap_or(heavy_key);
    let f_a = groups.extract_fraction(feed);
    // Xu's formulas take mole purities; the targets are oxide-mass purities. The impurity of
    // each product is mostly the other group's key element, so its mole share is its mass share
    // times the product group's mean oxide mass per mole over the key's. (This matters: the
    // product fraction S - W caps the purity, and a Y-rich extract, light per mole, would
    // otherwise be set 30 % short of a 99.99 % target.)
    let extract_mass = groups.mean_oxide_mass(feed, &groups.extract);
    let raffinate_mass = groups.mean_oxide_mass(feed, &groups.raffinate);
    let p_a = mole_purity(spec.extract_purity_pct, extract_mass, light_key);
    let p_b = mole_purity(
        spec.raffinate_purity_pct,
        raffinate_mass,
        raffinate_impurity,
    );
    // The side draw's share of the feed: its group's, by mole.
    let d = groups.middle_fraction(feed);
    // The extract fraction P = S - W: Xu's, which meets both purities exactly, moved into
    // the range every target allows. Purities need P <= f_A / p_A (the extract's A cannot
    // exceed the feed's) and 1 - P <= f_B / p_B; recoveries need P >= r_A f_A and
    // 1 - P >= r_B f_B. An empty range is a true contradiction. With a side draw the
    // raffinate is what the extract and the draw leave, and only the extract's bounds hold.
    let f_b = 1.0 - f_a - d;
    let r_a = spec.extract_recovery_pct.unwrap_or(0.0) / 100.0;
    let r_b = spec.raffinate_recovery_pct.unwrap_or(0.0) / 100.0;
    let (lowest, highest) = if spec.side_draw.is_some() {
        (r_a * f_a, f_a / p_a)
    } else {
        (
            (1.0 - f_b / p_b).max(r_a * f_a),
            (f_a / p_a).min(1.0 - r_b * f_b),
        )
    };
    if !(lowest < highest && lowest < 1.0 && highest > 0.0) {
        return Err(infeasible(format!(
            "the targets contradict each other for a feed with {:.4} % (mol) of the extract \
             group: they need the extract to be at least {:.4} and at most {:.4} of the feed \
             (extract purity {} %, raffinate purity {} %, recoveries {:?} / {:?} %): relax one",
            100.0 * f_a,
            lowest,
            highest,
            spec.extract_purity_pct,
            spec.raffinate_purity_pct,
            spec.extract_recovery_pct,
            spec.raffinate_recovery_pct,
        )));
    }
    // A three-outlet cascade whose file does not fix the draw's fraction has both recovery
    // targets (validation sees to it): each product is then its group's feed times recovery
    // over purity, and the draw takes the rest.
    let sized_by_recoveries = spec
        .side_draw
        .as_ref()
        .is_some_and(|d| d.fraction.is_none());
    let xu = if sized_by_recoveries {
        r_a * f_a / p_a
    } else {
        product_fractions(f_a, p_a, p_b).a
    };
    let fractions = ProductFractions {
        a: xu.clamp(lowest, highest),
        b: 1.0 - xu.clamp(lowest, highest),
    };
    let organic_feed = unit.cascade.feed_phase == crate::cascade::FeedPhase::Organic;
    let reflux_min = minimum_reflux_ratio(beta, f_a, p_a, organic_feed);
    let (s, w) = match spec.reflux_factor {
        Some(_) if reflux_min <= 0.0 => {
            return Err(blame(
                "reflux_factor",
                format!(
                    "`reflux_factor` has no minimum to multiply: at these purities Underwood's \
                 minimum reflux is {reflux_min:.4} (no reflux needed); remove `reflux_factor`"
                ),
            ));
        }
        Some(factor) => {
            let w = factor * reflux_min * fractions.a;
            (w + fractions.a, w)
        }
        None => {
            let optimum = optimum_ratios(beta, fractions);
            (optimum.extraction_ratio, optimum.scrub_ratio)
        }
    };
    let closed_form = stage_estimate(beta, f_a, p_a, p_b, s, w);
    // Near a pinch the closed form runs to millions of stages: start no higher than a
    // quarter of the limit each (the search grows from there if it must).
    let cap = f64::from(crate::input::MAX_STAGES / 4);
    let count = |x: f64| {
        if x.is_finite() {
            x.ceil().clamp(1.0, cap) as usize
        } else {
            1
        }
    };
    let start = closed_form.map_or((1, 1), |e| {
        (count(e.extraction_stages), count(e.scrub_stages))
    });
    // The draw's fraction, and S: the organic entering stage 1, which an organic draw must
    // raise so that P + W still reaches the top.
    let (draw, extraction_ratio) = match &spec.side_draw {
        None => (None, s),
        Some(draw) => {
            // Mass balance from both recoveries: the flux the two products leave.
            let flux = || {
                let flux = 1.0 - fractions.a - r_b * f_b / p_b;
                if flux > 0.0 {
                    Ok(flux)
                } else {
                    Err(infeasible(format!(
                        "the recovery targets leave nothing for the side draw: the products \
                         take {:.4} and {:.4} mol of each mol of feed; lower a recovery or give \
                         `side_draw_fraction`",
                        fractions.a,
                        r_b * f_b / p_b
                    )))
                }
            };
            let fraction = match (draw.fraction, draw.phase) {
                (Some(given), _) => given,
                // With the feed on stage n, the aqueous leaving any stage from 2 to n carries
                // 1 + W per mol of feed (the total-RE balance down from the scrub liquor W: the
                // feed adds 1, and each stage's organic takes from it what the stage below's
                // gives back). The draw stays on stage 2 or above, so its fraction holds for
                // every stage count.
                (None, DrawPhase::Aqueous) => flux()? / (1.0 + w),
                // The saturated organic carries S per mol of feed up to the draw, which takes D
                // of it and leaves P + W: S = P + W + D.
                (None, DrawPhase::Organic) => flux()? / (s + flux()?),
            };
            let extraction_ratio = match draw.phase {
                DrawPhase::Aqueous => s,
                DrawPhase::Organic => s / (1.0 - fraction),
            };
            (
                Some((draw.phase, draw.from_feed, fraction)),
                extraction_ratio,
            )
        }
    };
    // An aqueous draw `from_feed` stages under the feed stage (n), at least on stage 2; an
    // organic one that many above it, below the last stage.
    let fewest = match draw {
        Some((DrawPhase::Aqueous, from_feed, _)) => (from_feed + 2, 0),
        Some((DrawPhase::Organic, from_feed, _)) => (1, from_feed + 1),
        None => (1, 0),
    };
    let placed = |n: usize| {
        draw.map(|(phase, from_feed, fraction)| Draw {
            stage: match phase {
                DrawPhase::Aqueous => n - from_feed,
                DrawPhase::Organic => n + from_feed,
            },
            fraction,
            phase,
        })
    };
    let mut trial = unit.cascade.clone();
    trial.operating_point = OperatingPoint::Fluxes {
        extraction_ratio,
        scrub_ratio: w,
    };
    let base = trial.clone();
    let mut simulations = 0;
    let mut evaluate = |n: usize, m: usize| {
        simulations += 1;
        trial.extraction_stages = n;
        trial.scrub_stages = m;
        trial.side_draw = placed(n);
        let solved = trial
            .solve(model, feed, options)
            .map_err(|error| DesignError::Solve {
                cascade: name.to_string(),
                extraction_stages: n,
                scrub_stages: m,
                error,
            })?;
        Ok(groups.performance(feed, &solved))
    };
    let judge = |p: &Performance| judge_targets(spec, p);
    let meets = |p: &Performance| {
        let j = judge(p);
        search::Met {
            extraction: j.extraction,
            scrub: j.scrub,
            shortfall: j.shortfall,
        }
    };
    let not_reached = |limit: usize, at: Performance| DesignError::NotReached {
        cascade: name.to_string(),
        limit,
        reflux_ratio: w / (s - w),
        raffinate_purity_pct: at.raffinate_purity_pct,
        extract_purity_pct: at.extract_purity_pct,
    };
    let (n, m, achieved) =
        search::smallest_stages(start, fewest, &mut evaluate, meets).map_err(|failure| {
            match failure {
                search::Failure::Solve(e) => e,
                search::Failure::Limit { limit, at } => not_reached(limit, at),
            }
        })?;
    let (n, m, achieved, confidence) = match spec.confidence {
        None => (n, m, achieved, None),
        Some(c) => {
            // Sample k of the factors, solved at counts (n, m) and judged; a sample whose
            // simulation fails meets nothing.
            let judge_at = |n: usize, m: usize, k: usize| {
                let factors = sigma.sample(separation_factors, c.seed, k);
                let sampled = SystemModel::Saturated {
                    separation_factors: factors,
                };
                let mut cascade = base.clone();
                cascade.extraction_stages = n;
                cascade.scrub_stages = m;
                cascade.side_draw = placed(n);
                let solved = cascade.solve(&sampled, feed, options).ok()?;
                Some(judge(&groups.performance(feed, &solved)))
            };
            let nominal = confidence::tally(c.samples, c.pct, false, |k| judge_at(n, m, k));
            let needed = (c.pct / 100.0 * c.samples as f64).ceil() as usize;
            let mut sampled_simulations = c.samples;
            let mut evaluate_sampled = |n: usize, m: usize| {
                let p = evaluate(n, m)?;
                let t = confidence::tally(c.samples, c.pct, true, |k| judge_at(n, m, k));
                sampled_simulations += t.judged;
                Ok((p, t))
            };
            // The nominal targets, and every target in `pct` % of the samples; a section
            // whose own share falls short is the one to grow, and where both reach it but
            // not together, the one further from it.
            let meets_sampled = |(p, t): &(Performance, Tally)| {
                let j = judge(p);
                let joint = t.both >= needed;
                let wanted = c.pct / 100.0;
                let mut extraction = joint || Tally::share(t.extraction, t.judged) >= wanted;
                let mut scrub = joint || Tally::share(t.scrub, t.judged) >= wanted;
                if extraction && scrub && !joint {
                    if t.extraction <= t.scrub {
                        extraction = false;
                    } else {
                        scrub = false;
                    }
                }
                search::Met {
                    extraction: j.extraction && extraction,
                    scrub: j.scrub && scrub,
                    shortfall: j.shortfall + t.shortfall / t.judged.max(1) as f64,
                }
            };
            let (n2, m2, (achieved, _)) =
                search::smallest_stages((n, m), fewest, &mut evaluate_sampled, meets_sampled)
                    .map_err(|failure| match failure {
                        search::Failure::Solve(e) => e,
                        search::Failure::Limit { limit, at } => not_reached(limit, at.0),
                    })?;
            let designed = confidence::tally(c.samples, c.pct, false, |k| judge_at(n2, m2, k));
            sampled_simulations += c.samples;
            simulations += sampled_simulations;
            let result = ConfidenceDesign {
                confidence: c,
                nominal_stages: (n, m),
                nominal,
                designed,
            };
            (n2, m2, achieved, Some(result))
        }
    };
    Ok(CascadeDesign {
        cascade: name.to_string(),
        key_pair: (light_key, heavy_key),
        separation_factor: beta,
        extract_fraction: f_a,
        extraction_ratio,
        scrub_ratio: w,
        reflux_ratio: w / (s - w),
        minimum_reflux_ratio: reflux_min,
        fenske_minimum_stages: fenske_minimum_stages(beta, p_a, p_b),
        closed_form,
        extraction_stages: n,
        scrub_stages: m,
        side_draw: placed(n),
        achieved,
        simulations,
        confidence,
    })
}

/// What a cascade's performance meets of its targets, and how far it falls short.
fn judge_targets(spec: &DesignSpec, p: &Performance) -> confidence::Judged {
    // Percentage points short of each target.
    let short = |target: Option<f64>, reached: f64| target.map_or(0.0, |t| (t - reached).max(0.0));
    let raffinate_purity = short(Some(spec.raffinate_purity_pct), p.raffinate_purity_pct);
    let extract_recovery = short(spec.extract_recovery_pct, p.extract_recovery_pct);
    let extract_purity = short(Some(spec.extract_purity_pct), p.extract_purity_pct);
    let raffinate_recovery = short(spec.raffinate_recovery_pct, p.raffinate_recovery_pct);
    confidence::Judged {
        extraction: raffinate_purity + extract_recovery == 0.0,
        scrub: extract_purity + raffinate_recovery == 0.0,
        raffinate: raffinate_purity + raffinate_recovery == 0.0,
        extract: extract_purity + extract_recovery == 0.0,
        shortfall: raffinate_purity + extract_recovery + extract_purity + raffinate_recovery,
    }
}

/// Cascade `k` of `designed` at the counts it has now (which the plant-level design grew), on
/// `feed`: what it reaches at the nominal factors and, designed to a confidence, how its own
/// targets fare on its samples. Updates `d` to say so.
fn rejudge(
    designed: &Flowsheet,
    k: usize,
    feed: &Stream,
    options: &SolverOptions,
    d: &mut CascadeDesign,
) -> Result<(), DesignError> {
    let unit = &designed.cascades[k];
    let spec = unit
        .design
        .as_ref()
        .expect("only designed cascades are judged");
    let system = &designed.systems[unit.system];
    let groups = Groups::of(spec, feed);
    let cascade = &unit.cascade;
    let solved = cascade
        .solve(&system.model, feed, options)
        .map_err(|error| DesignError::Solve {
            cascade: unit.name.clone(),
            extraction_stages: cascade.extraction_stages,
            scrub_stages: cascade.scrub_stages,
            error,
        })?;
    d.achieved = groups.performance(feed, &solved);
    d.extraction_stages = cascade.extraction_stages;
    d.scrub_stages = cascade.scrub_stages;
    d.side_draw = cascade.side_draw;
    d.simulations += 1;
    if let (Some(c), Some(result), SystemModel::Saturated { separation_factors }) =
        (spec.confidence, d.confidence.as_mut(), &system.model)
    {
        let sigma = &system.separation_factor_sigma;
        result.designed = confidence::tally(c.samples, c.pct, false, |s| {
            let sampled = SystemModel::Saturated {
                separation_factors: sigma.sample(separation_factors, c.seed, s),
            };
            let solved = cascade.solve(&sampled, feed, options).ok()?;
            Some(judge_targets(spec, &groups.performance(feed, &solved)))
        });
        d.simulations += c.samples;
    }
    Ok(())
}

/// Designs cascade `k` of `designed` again, on `feed`, to the raised targets `spec` at the
/// nominal factors (its S, W and the counts that meet them), and keeps the stages its design to
/// a confidence had above the counts that met its previous targets, `nominal_counts`: the
/// plant-level design's step (`plant.rs`). Writes the design into the flowsheet and `d` (all
/// but its confidence, which [`rejudge`] brings up to date); returns the new nominal counts.
fn redesign_to(
    designed: &mut Flowsheet,
    k: usize,
    feed: &Stream,
    spec: &DesignSpec,
    nominal_counts: (usize, usize),
    options: &SolverOptions,
    d: &mut CascadeDesign,
) -> Result<(usize, usize), DesignError> {
    let unit = &designed.cascades[k];
    let system = &designed.systems[unit.system];
    let nominal_only = DesignSpec {
        confidence: None,
        ..spec.clone()
    };
    let (model, sigma) = (&system.model, &system.separation_factor_sigma);
    let new = design_cascade(&unit.name, &nominal_only, model, sigma, feed, unit, options)?;
    let margin = (
        d.extraction_stages.saturating_sub(nominal_counts.0),
        d.scrub_stages.saturating_sub(nominal_counts.1),
    );
    let counts = (
        new.extraction_stages + margin.0,
        new.scrub_stages + margin.1,
    );
    let unit = &mut designed.cascades[k];
    unit.cascade.extraction_stages = counts.0;
    unit.cascade.scrub_stages = counts.1;
    unit.cascade.side_draw = new.side_draw.map(|mut draw| {
        draw.stage += margin.0;
        draw
    });
    unit.cascade.operating_point = OperatingPoint::Fluxes {
        extraction_ratio: new.extraction_ratio,
        scrub_ratio: new.scrub_ratio,
    };
    let nominal = (new.extraction_stages, new.scrub_stages);
    *d = CascadeDesign {
        extraction_stages: counts.0,
        scrub_stages: counts.1,
        side_draw: unit.cascade.side_draw,
        confidence: d.confidence,
        simulations: d.simulations + new.simulations,
        ..new
    };
    Ok(nominal)
}

/// The mole purity at which a product of mean oxide mass `group_g_per_mol` (per mole of
/// element) holds `mass_pct` % by oxide mass, its impurity being `impurity`: the odds of
/// group to impurity by mole are their odds by mass times the impurity's oxide mass over the
/// group's.
fn mole_purity(mass_pct: f64, group_g_per_mol: f64, impurity: Element) -> f64 {
    let mass = mass_pct / 100.0;
    let odds = mass / (1.0 - mass) * impurity.oxide_g_per_mol_element() / group_g_per_mol;
    odds / (1.0 + odds)
}

/// The groups of a cascade's feed: two, or three with a side draw.
struct Groups {
    raffinate: Vec<Element>,
    extract: Vec<Element>,
    /// The side draw's group; empty for a two-outlet cascade.
    middle: Vec<Element>,
}

impl Groups {
    fn of(spec: &DesignSpec, feed: &Stream) -> Self {
        let mut groups = Self {
            raffinate: Vec::new(),
            extract: Vec::new(),
            middle: Vec::new(),
        };
        for (e, f) in feed.flows() {
            let group = if spec.extract_elements.contains(&e) {
                &mut groups.extract
            } else if spec
                .side_draw
                .as_ref()
                .is_some_and(|d| d.elements.contains(&e))
            {
                &mut groups.middle
            } else {
                &mut groups.raffinate
            };
            if f > 0.0 {
                group.push(e);
            }
        }
        groups
    }

    /// Oxide mass per mole of element of `group` as the feed carries it, g/mol.
    fn mean_oxide_mass(&self, feed: &Stream, group: &[Element]) -> f64 {
        let moles: f64 = group.iter().map(|&e| feed.mol_per_h(e)).sum();
        let grams: f64 = group
            .iter()
            .map(|&e| e.oxide_g_from_mol(feed.mol_per_h(e)))
            .sum();
        grams / moles
    }

    /// Oxide mass of `group` in `feed`, % of the feed's oxide mass.
    fn oxide_mass_pct(&self, feed: &Stream, group: &[Element]) -> f64 {
        let grams = |e: Element| e.oxide_g_from_mol(feed.mol_per_h(e));
        let total: f64 = feed.flows().map(|(e, _)| grams(e)).sum();
        100.0 * group.iter().map(|&e| grams(e)).sum::<f64>() / total
    }

    fn extract_fraction(&self, feed: &Stream) -> f64 {
        share(feed, &self.extract)
    }

    fn middle_fraction(&self, feed: &Stream) -> f64 {
        share(feed, &self.middle)
    }

    fn performance(&self, feed: &Stream, solved: &CascadeSolution) -> Performance {
        let recovery = |product: &Stream, group: &[Element]| {
            let got: f64 = group.iter().map(|&e| product.mol_per_h(e)).sum();
            let fed: f64 = group.iter().map(|&e| feed.mol_per_h(e)).sum();
            100.0 * got / fed
        };
        let draw = solved.side_draw.as_ref();
        Performance {
            raffinate_purity_pct: solved.raffinate.purity_pct(&self.raffinate),
            extract_purity_pct: solved.extract.purity_pct(&self.extract),
            raffinate_recovery_pct: recovery(&solved.raffinate, &self.raffinate),
            extract_recovery_pct: recovery(&solved.extract, &self.extract),
            side_draw_purity_pct: draw.map(|s| s.purity_pct(&self.middle)),
            side_draw_recovery_pct: draw.map(|s| recovery(s, &self.middle)),
        }
    }
}

/// Mole fraction of `group` in `feed`.
fn share(feed: &Stream, group: &[Element]) -> f64 {
    let moles: f64 = group.iter().map(|&e| feed.mol_per_h(e)).sum();
    moles / feed.total_mol_per_h()
}
