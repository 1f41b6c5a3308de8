//! Designs the plant, not only its cuts, to a confidence: every product of the flowsheet must be
//! on spec in at least the asked share of joint samples of all systems' separation factors.
//!
//! Each cut designed to a confidence meets its own targets in that share of samples, but a
//! product carries the impurities of every cut on its path (Gd2O3 takes Eu from Eu | Gd and Tb
//! from Sm-Gd | Tb-Lu), so a product whose cut targets leave it no margin over its spec is off
//! spec whenever either cut is at the weak end of its factors' range. The plant is therefore
//! sampled whole (sample k of every system drawn from stream k of the seed, the samples the
//! cuts were designed on, so that the rounds compare designs and not draws). Each product
//! short of the share is traced, through its main impurity in the samples where it is off
//! spec, to the cut that parts the two elements. That cut gains a stage in the section that,
//! tried on those samples, brings more of its short products on spec; where neither does, the
//! impurity is let through by the product fraction S - W and not by the stages, and the cut's
//! target on the product's side is raised to let half the impurity through: the cut is designed
//! again to it at the nominal factors (new S, W and counts) and keeps the stages it had above
//! its nominal counts. The samples where a short product was off spec are solved again, round
//! after round, until every product reaches the share; the whole plant is then sampled again
//! to confirm it.
//!
//! Why both: Gd2O3's Eu is the second kind. The Eu | Gd extract takes more than the Gd and Tb
//! of its feed and the rest is Eu whatever the stages (ten more scrub stages leave its Eu at
//! 0.046 mol/h); Lu2O3's Yb is the first kind, though its extract takes nearly all the Lu: the
//! Yb in it is the Lu the extraction section loses, so stages there, not a purer extract
//! target, mend it. Raising targets alone and designing each raised cut again to its own
//! confidence reached the products too, twenty times slower (over three minutes for the
//! reference plant, against seconds).

use std::collections::{BTreeMap, VecDeque};

use rayon::prelude::*;

use super::{CascadeDesign, Confidence, DEFAULT_CONFIDENCE_SAMPLES, DesignError};
use crate::cascade::SystemModel;
use crate::elements::Element;
use crate::flowsheet::{DesignSpec, Flowsheet, UnitId};
use crate::solver::SolverOptions;
use crate::stream::Stream;

/// The share each product must reach on the design's samples, %: the asked share plus two
/// standard errors of a share that size estimated from `samples` (97.2 % for 95 % on 400).
/// The samples are a finite draw, and the design stops at the first counts that reach the
/// share on them, so a design that reached only the asked share would fall short of it on
/// another seed's samples about half the time (the cuts designed to 95 % on 200 samples are on
/// spec in 92-95 % of 1,000 others); with two standard errors to spare a product's true share
/// is the asked one or more unless its estimate is off by more than two standard errors.
pub fn required_pct(pct: f64, samples: usize) -> f64 {
    let p = pct / 100.0;
    (pct + 200.0 * (p * (1.0 - p) / samples.max(1) as f64).sqrt()).min(100.0)
}

/// Rounds of raising cut targets before a product still short of the share is an error.
const MAX_PLANT_ROUNDS: usize = 40;

/// Rounds in a row a short product may have a target raised for it without its share rising
/// before more raising is taken as futile.
const FUTILE_ROUNDS: usize = 6;

/// A cut target is not raised above this purity, %: an impurity of a part per billion of
/// oxide mass, a thousand times below the allowance of the purest grade sold (99.9999 %).
const MAX_TARGET_PCT: f64 = 99.999_999_9;

/// Which product of a cut a target belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    Raffinate,
    Extract,
}

impl Side {
    /// The `[cascades.design]` field of this side's purity target.
    pub fn field(self) -> &'static str {
        match self {
            Side::Raffinate => "raffinate_purity_pct",
            Side::Extract => "extract_purity_pct",
        }
    }
}

/// A section of a cut: the extraction section keeps the extract group out of the raffinate,
/// the scrub section the raffinate group out of the extract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Section {
    Extraction,
    Scrub,
}

impl Section {
    pub fn as_str(self) -> &'static str {
        match self {
            Section::Extraction => "extraction",
            Section::Scrub => "scrub",
        }
    }
}

/// Stages the plant-level design added to one section of a cut, and for which products.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct GrownSection {
    pub cascade: String,
    pub section: Section,
    pub from_stages: usize,
    pub to_stages: usize,
    /// Each product that asked for it and its main impurity where it was off spec.
    pub for_products: Vec<(String, Element)>,
}

/// A cut target the plant-level design raised, first and last value, and for which products.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RaisedTarget {
    pub cascade: String,
    pub side: Side,
    pub from_pct: f64,
    pub to_pct: f64,
    /// Times it was raised (each halves the impurity the target lets through).
    pub times: usize,
    /// Each product that asked for it and its main impurity in the samples where it was off
    /// spec.
    pub for_products: Vec<(String, Element)>,
}

/// How often one product is on spec over the plant's samples.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct ProductShares {
    /// Every cut at the counts that meet its targets at the nominal factors alone.
    pub nominal_pct: f64,
    /// Every cut designed to its own confidence, before any target was raised.
    pub per_cut_pct: f64,
    /// The final design.
    pub designed_pct: f64,
}

/// The plant-level design to a confidence: its sampling, each product's shares on spec and the
/// cut targets it raised.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PlantConfidence {
    /// Share each product must be on spec in, %; the share it must reach on the samples
    /// ([`required_pct`]); the samples and their seed.
    pub pct: f64,
    pub required_pct: f64,
    pub samples: usize,
    pub seed: u64,
    /// In the order of the flowsheet's `[[products]]`.
    pub products: Vec<(String, ProductShares)>,
    /// Share of samples with every product on spec: nominal, per cut and designed, %.
    pub all: ProductShares,
    /// The sections grown and the targets raised, each in the order first changed.
    pub grown: Vec<GrownSection>,
    pub raised: Vec<RaisedTarget>,
    /// Rounds of changes, and samples of the whole plant solved in all.
    pub rounds: usize,
    pub plant_samples_solved: usize,
}

/// The plant-level confidence of a flowsheet: the largest `confidence_pct` any cascade asks,
/// on the largest `confidence_samples` but at least [`DEFAULT_CONFIDENCE_SAMPLES`] (a sample
/// of the plant is one flowsheet solve, cheap beside a cut's search; the first samples are
/// the ones the cuts were designed on), with the seed of the first cascade asking that share;
/// `None` when no cascade asks one or the flowsheet has no products to judge.
pub fn plant_confidence(flowsheet: &Flowsheet) -> Option<Confidence> {
    if flowsheet.products.is_empty() {
        return None;
    }
    let asked: Vec<Confidence> = flowsheet
        .cascades
        .iter()
        .filter_map(|c| c.design.as_ref()?.confidence)
        .collect();
    let most = asked
        .iter()
        .copied()
        .reduce(|a, b| if b.pct > a.pct { b } else { a })?;
    let samples = asked
        .iter()
        .map(|c| c.samples)
        .max()?
        .max(DEFAULT_CONFIDENCE_SAMPLES);
    Some(Confidence { samples, ..most })
}

/// What sample k of the plant gives: per product, whether it is on spec, whether its purity is
/// (when it has a purity spec), and its stream; `None` when the sampled plant did not solve.
type Sampled = Option<Vec<(bool, bool, Option<Stream>)>>;

/// Solves `flowsheet` on `samples` joint samples of its systems' factors (seed `seed`), in
/// parallel.
pub fn sample_plant(
    flowsheet: &Flowsheet,
    samples: usize,
    seed: u64,
    options: &SolverOptions,
) -> Vec<Sampled> {
    let all: Vec<usize> = (0..samples).collect();
    sample_plant_at(flowsheet, &all, seed, options)
}

/// Solves `flowsheet` on samples `which` (in that order) of its systems' factors.
fn sample_plant_at(
    flowsheet: &Flowsheet,
    which: &[usize],
    seed: u64,
    options: &SolverOptions,
) -> Vec<Sampled> {
    which
        .par_iter()
        .map(|&k| {
            let mut sampled = flowsheet.clone();
            for system in &mut sampled.systems {
                if let SystemModel::Saturated { separation_factors } = &system.model {
                    let factors =
                        system
                            .separation_factor_sigma
                            .sample(separation_factors, seed, k);
                    system.model = SystemModel::Saturated {
                        separation_factors: factors,
                    };
                }
            }
            let solution = sampled.solve(options);
            solution.converged().then(|| {
                solution
                    .products
                    .iter()
                    .map(|p| {
                        let purity_met = match (p.spec.min_purity_pct, p.purity_pct) {
                            (Some(min), Some(got)) => got >= min,
                            (None, _) => true,
                            (Some(_), None) => false,
                        };
                        (
                            p.meets_spec,
                            purity_met,
                            solution.streams.get(&p.spec.stream).cloned(),
                        )
                    })
                    .collect()
            })
        })
        .collect()
}

/// Share of `sampled` in which product `j` is on spec (unsolved samples count as off spec), %.
fn share_pct(sampled: &[Sampled], j: usize) -> f64 {
    let on = sampled
        .iter()
        .filter(|s| s.as_ref().is_some_and(|p| p[j].0))
        .count();
    100.0 * on as f64 / sampled.len().max(1) as f64
}

/// Share of `sampled` with every product on spec, %.
fn all_pct(sampled: &[Sampled]) -> f64 {
    let on = sampled
        .iter()
        .filter(|s| s.as_ref().is_some_and(|p| p.iter().all(|x| x.0)))
        .count();
    100.0 * on as f64 / sampled.len().max(1) as f64
}

/// The impurity of product `j` (element `element`) that weighs most, by oxide mass summed over
/// the samples where the product's purity is off spec; `None` when in most samples where the
/// product is off spec its purity is not (its recovery is what falls short).
fn main_impurity(sampled: &[Sampled], j: usize, element: Element) -> Option<Element> {
    let off: Vec<&(bool, bool, Option<Stream>)> = sampled
        .iter()
        .flatten()
        .map(|p| &p[j])
        .filter(|p| !p.0)
        .collect();
    let impure = off.iter().filter(|p| !p.1).count();
    if 2 * impure < off.len() {
        return None;
    }
    let mut weight: BTreeMap<Element, f64> = BTreeMap::new();
    for (_, _, stream) in off.into_iter().filter(|p| !p.1) {
        let Some(stream) = stream else { continue };
        let total = stream.reo_g_per_h();
        for (e, mol) in stream.flows().filter(|&(e, _)| e != element) {
            *weight.entry(e).or_insert(0.0) += e.oxide_g_from_mol(mol) / total;
        }
    }
    weight
        .into_iter()
        .filter(|&(_, w)| w > 0.0)
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(e, _)| e)
}

/// The designed cascade nearest upstream of `stream` that parts `element` from `impurity`, and
/// the side `element` leaves it by: the cut whose target on that side lets the impurity
/// through. A cascade without targets is looked through (its split is not known here).
fn parting_cut(
    flowsheet: &Flowsheet,
    stream: &str,
    element: Element,
    impurity: Element,
) -> Result<(usize, Side), String> {
    let mut queue = VecDeque::from([stream.to_string()]);
    let mut seen = vec![stream.to_string()];
    while let Some(s) = queue.pop_front() {
        let Some(unit) = flowsheet
            .units()
            .find(|&u| flowsheet.outlets(u).contains(&s.as_str()))
        else {
            continue;
        };
        if let UnitId::Cascade(k) = unit
            && let Some(spec) = &flowsheet.cascades[k].design
        {
            let group = |e: Element| {
                if spec.extract_elements.contains(&e) {
                    2
                } else if spec
                    .side_draw
                    .as_ref()
                    .is_some_and(|d| d.elements.contains(&e))
                {
                    1
                } else {
                    0
                }
            };
            match (group(element), group(impurity)) {
                (a, b) if a == b => {}
                (1, _) => {
                    return Err(format!(
                        "{impurity} enters it at `{}`, whose side draw carries {element}: a \
                         side draw has no purity target to raise",
                        flowsheet.cascades[k].name
                    ));
                }
                (0, _) => return Ok((k, Side::Raffinate)),
                _ => return Ok((k, Side::Extract)),
            }
        }
        for inlet in flowsheet.inlets(unit) {
            if !seen.contains(inlet) {
                seen.push(inlet.clone());
                queue.push_back(inlet.clone());
            }
        }
    }
    Err(format!(
        "no cascade with design targets upstream of stream `{stream}` parts {element} from \
         {impurity}"
    ))
}

/// The products (indices into the flowsheet's) asking a cut for a change, each with its main
/// impurity.
type Asked = Vec<(usize, Element)>;

/// Changes cuts until every product of `designed` (whose cuts `designs` are in it, in solve
/// order) is on spec in the share `c` asks; returns how the products fared. `nominal` is the
/// flowsheet with every cut at its nominal counts.
pub(super) fn design_to_products(
    designed: &mut Flowsheet,
    designs: &mut [CascadeDesign],
    nominal: &Flowsheet,
    c: Confidence,
    options: &SolverOptions,
) -> Result<PlantConfidence, DesignError> {
    let (samples, seed) = (c.samples, c.seed);
    let required = required_pct(c.pct, samples);
    let at_nominal = sample_plant(nominal, samples, seed, options);
    let mut sampled = sample_plant(designed, samples, seed, options);
    let mut solved = 2 * samples;
    let per_cut = sampled.clone();
    let products = designed.products.clone();
    let mut grown: Vec<GrownSection> = Vec::new();
    let mut raised: Vec<RaisedTarget> = Vec::new();
    // Each raised cut's targets so far, and the counts that meet them at the nominal factors
    // (the file's targets and the nominal design's counts, to begin with).
    let mut targets: BTreeMap<usize, (DesignSpec, (usize, usize))> = BTreeMap::new();
    // Whether `sampled` holds samples solved before the last change (only those where a short
    // product was off spec are solved again each round; the whole plant at the end).
    let mut partial = false;
    // Per product: its best share so far and the rounds since it rose.
    let mut best: Vec<(f64, usize)> = vec![(-1.0, 0); products.len()];
    let mut rounds = 0;
    loop {
        let short: Vec<usize> = (0..products.len())
            .filter(|&j| share_pct(&sampled, j) < required)
            .collect();
        if short.is_empty() {
            if !partial {
                break;
            }
            sampled = sample_plant(designed, samples, seed, options);
            solved += samples;
            partial = false;
            continue;
        }
        let now: Vec<f64> = (0..products.len())
            .map(|j| share_pct(&sampled, j))
            .collect();
        let cannot = |j: usize, reason: String| DesignError::ProductConfidence {
            product: products[j].name.clone(),
            share_pct: now[j],
            pct: c.pct,
            required_pct: required,
            samples,
            reason,
        };
        rounds += 1;
        if rounds > MAX_PLANT_ROUNDS {
            return Err(cannot(
                short[0],
                format!("still short after {MAX_PLANT_ROUNDS} rounds of changing cuts"),
            ));
        }
        // Each cut to change, once a round, with the products that ask and their side.
        let mut to_change: Vec<(usize, Side, Asked)> = Vec::new();
        for &j in &short {
            let p = &products[j];
            let impurity = main_impurity(&sampled, j, p.element).ok_or_else(|| {
                cannot(
                    j,
                    "in most samples where it is off spec its purity is on spec: its recovery \
                     is short, which purer cuts cannot mend"
                        .into(),
                )
            })?;
            let (k, side) =
                parting_cut(designed, &p.stream, p.element, impurity).map_err(|r| cannot(j, r))?;
            if now[j] > best[j].0 {
                best[j] = (now[j], 0);
            } else {
                best[j].1 += 1;
            }
            if best[j].1 >= FUTILE_ROUNDS {
                return Err(cannot(
                    j,
                    format!(
                        "its share has not risen over the last {FUTILE_ROUNDS} changes of \
                         `{}` against its main impurity {impurity} (stages added and targets \
                         raised): the cut is pinched in the samples it fails; raise its \
                         `reflux_factor`",
                        designed.cascades[k].name
                    ),
                ));
            }
            match to_change.iter_mut().find(|r| r.0 == k) {
                Some(r) => r.2.push((j, impurity)),
                None => to_change.push((k, side, vec![(j, impurity)])),
            }
        }
        let at = |designs: &[CascadeDesign], k: usize| {
            designs
                .iter()
                .position(|d| d.cascade == designed.cascades[k].name)
                .expect("every designed cascade has its design")
        };
        let order: Vec<usize> = to_change.iter().map(|r| at(designs, r.0)).collect();
        let mut to_change: Vec<_> = order.into_iter().zip(to_change).collect();
        // In solve order, so that a cut is judged on what the cuts above it now make.
        to_change.sort_by_key(|r| r.0);
        for (at, (k, side, asked)) in to_change {
            // The samples where a product asking for this cut is off spec, and how many of
            // those products are on spec in them.
            let failing: Vec<usize> = (0..samples)
                .filter(|&s| {
                    sampled[s]
                        .as_ref()
                        .is_none_or(|p| asked.iter().any(|&(j, _)| !p[j].0))
                })
                .collect();
            let mended = |tried: &[Sampled]| -> usize {
                tried
                    .iter()
                    .flatten()
                    .map(|p| asked.iter().filter(|&&(j, _)| p[j].0).count())
                    .sum()
            };
            // One stage more in either section, on those samples: the one that mends more
            // products is kept.
            let mut best_try: Option<(Section, Flowsheet, Vec<Sampled>, usize)> = None;
            for section in [Section::Extraction, Section::Scrub] {
                let mut trial = designed.clone();
                grow(&mut trial.cascades[k].cascade, section);
                let tried = sample_plant_at(&trial, &failing, seed, options);
                solved += failing.len();
                let count = mended(&tried);
                if count > 0 && best_try.as_ref().is_none_or(|b| count > b.3) {
                    best_try = Some((section, trial, tried, count));
                }
            }
            let d = &mut designs[at];
            let name = d.cascade.clone();
            let (first, impurity) = asked[0];
            let resolved = match best_try {
                Some((section, trial, tried, _)) => {
                    let from = match section {
                        Section::Extraction => designed.cascades[k].cascade.extraction_stages,
                        Section::Scrub => designed.cascades[k].cascade.scrub_stages,
                    };
                    *designed = trial;
                    d.extraction_stages = designed.cascades[k].cascade.extraction_stages;
                    d.scrub_stages = designed.cascades[k].cascade.scrub_stages;
                    d.side_draw = designed.cascades[k].cascade.side_draw;
                    let record = match grown
                        .iter()
                        .position(|g| g.cascade == name && g.section == section)
                    {
                        Some(i) => &mut grown[i],
                        None => {
                            grown.push(GrownSection {
                                cascade: name,
                                section,
                                from_stages: from,
                                to_stages: from,
                                for_products: Vec::new(),
                            });
                            grown.last_mut().expect("just pushed")
                        }
                    };
                    record.to_stages = from + 1;
                    add_products(&mut record.for_products, &asked, &products);
                    tried
                }
                None => {
                    // No stage mends a sample: the impurity is let through by the product
                    // fraction S - W, which the target on the product's side sets.
                    let (spec, nominal_counts) = targets.entry(k).or_insert_with(|| {
                        let spec = designed.cascades[k]
                            .design
                            .clone()
                            .expect("only designed cascades are raised");
                        let counts = d
                            .confidence
                            .map_or((d.extraction_stages, d.scrub_stages), |c| c.nominal_stages);
                        (spec, counts)
                    });
                    let target = match side {
                        Side::Raffinate => &mut spec.raffinate_purity_pct,
                        Side::Extract => &mut spec.extract_purity_pct,
                    };
                    let from = *target;
                    // Rounded to 1e-9 %, so that the report reads as the number it is.
                    let to = ((100.0 - (100.0 - from) / 2.0) * 1e9).round() / 1e9;
                    if to > MAX_TARGET_PCT {
                        return Err(cannot(
                            first,
                            format!(
                                "its main impurity {impurity} comes from `{name}`, whose `{}` \
                                 would pass {MAX_TARGET_PCT} %",
                                side.field()
                            ),
                        ));
                    }
                    *target = to;
                    let solution = designed.solve(options);
                    let feed = match &solution.cascades[k].result {
                        Ok(solved) => solved.feed.clone(),
                        Err(_) => return Err(DesignError::NoFeed { cascade: name }),
                    };
                    let counts = *nominal_counts;
                    *nominal_counts = super::redesign_to(
                        designed, k, &feed, spec, counts, options, d,
                    )
                    .map_err(|e| {
                        cannot(
                            first,
                            format!(
                                "its main impurity {impurity} comes from `{name}`, whose \
                                         `{}` raised from {from} to {to} %: {e}",
                                side.field()
                            ),
                        )
                    })?;
                    let record = match raised
                        .iter()
                        .position(|r| r.cascade == name && r.side == side)
                    {
                        Some(i) => &mut raised[i],
                        None => {
                            raised.push(RaisedTarget {
                                cascade: name,
                                side,
                                from_pct: from,
                                to_pct: from,
                                times: 0,
                                for_products: Vec::new(),
                            });
                            raised.last_mut().expect("just pushed")
                        }
                    };
                    record.to_pct = to;
                    record.times += 1;
                    add_products(&mut record.for_products, &asked, &products);
                    solved += failing.len();
                    sample_plant_at(designed, &failing, seed, options)
                }
            };
            for (s, result) in failing.into_iter().zip(resolved) {
                sampled[s] = result;
            }
        }
        partial = true;
    }
    // The changed cuts, judged against the file's targets at their new counts and ratios on
    // their final feeds.
    let changed: Vec<&str> = grown
        .iter()
        .map(|g| g.cascade.as_str())
        .chain(raised.iter().map(|r| r.cascade.as_str()))
        .collect();
    if !changed.is_empty() {
        let solution = designed.solve(options);
        for d in designs
            .iter_mut()
            .filter(|d| changed.contains(&d.cascade.as_str()))
        {
            let k = designed
                .cascades
                .iter()
                .position(|u| u.name == d.cascade)
                .expect("every design names a cascade");
            let feed = match &solution.cascades[k].result {
                Ok(solved) => solved.feed.clone(),
                Err(_) => {
                    return Err(DesignError::NoFeed {
                        cascade: d.cascade.clone(),
                    });
                }
            };
            super::rejudge(designed, k, &feed, options, d)?;
        }
    }
    let shares = |j: usize| ProductShares {
        nominal_pct: share_pct(&at_nominal, j),
        per_cut_pct: share_pct(&per_cut, j),
        designed_pct: share_pct(&sampled, j),
    };
    Ok(PlantConfidence {
        pct: c.pct,
        required_pct: required,
        samples,
        seed,
        products: (0..products.len())
            .map(|j| (products[j].name.clone(), shares(j)))
            .collect(),
        all: ProductShares {
            nominal_pct: all_pct(&at_nominal),
            per_cut_pct: all_pct(&per_cut),
            designed_pct: all_pct(&sampled),
        },
        grown,
        raised,
        rounds,
        plant_samples_solved: solved,
    })
}

/// One stage more in `section`; a side draw keeps its place counted from the feed stage,
/// which moves with the extraction stages.
fn grow(cascade: &mut crate::cascade::Cascade, section: Section) {
    match section {
        Section::Extraction => {
            cascade.extraction_stages += 1;
            if let Some(draw) = &mut cascade.side_draw {
                draw.stage += 1;
            }
        }
        Section::Scrub => cascade.scrub_stages += 1,
    }
}

/// Adds the products of `asked` (indices into `products`, with their impurities) to `list`,
/// each once.
fn add_products(
    list: &mut Vec<(String, Element)>,
    asked: &[(usize, Element)],
    products: &[crate::flowsheet::ProductSpec],
) {
    for &(j, impurity) in asked {
        let entry = (products[j].name.clone(), impurity);
        if !list.contains(&entry) {
            list.push(entry);
        }
    }
}
