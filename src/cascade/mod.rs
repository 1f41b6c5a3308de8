//! One fractional-extraction cascade (docs/model.md section 2): `n` extraction stages, `m` scrub
//! stages, a feed, barren organic entering stage 1, and ideal stripping whose liquor returns
//! to stage `N = n + m` as scrub (reflux).

mod acid;
mod closure_note;
mod mass_action;
mod saturated;
mod solution;
mod trace;

use std::collections::BTreeMap;

pub use crate::solver::DrawPhase;
pub use acid::{AcidBalance, AcidFlows};
pub use closure_note::CLOSURE_TARGET;
pub use solution::{CascadeSolution, MassBalance};

use crate::elements::Element;
use crate::equilibrium::{
    ConstantDistribution, Equilibrium, MassActionSystem, PhCoefficients, PhCorrelation,
    SaturatedSeparationFactors,
};
use crate::error::CascadeError;
use crate::solver::{
    self, Efficiency, SideDraw, SolveFailure, SolverOptions, StageProblem, StageSolution, nan_max,
    passed_on, passed_up,
};
use crate::stream::Stream;
use saturated::SaturatedCascade;

/// The equilibrium model of an extractant system and its per-element parameters.
#[derive(Debug, Clone, PartialEq)]
pub enum SystemModel {
    /// Xu's saturated model: separation factors relative to any reference element.
    Saturated {
        separation_factors: BTreeMap<Element, f64>,
    },
    /// Constant distribution ratios `D_i`.
    ConstantD {
        distribution_ratios: BTreeMap<Element, f64>,
    },
    /// Distribution ratios from each stage's pH and free extractant (docs/model.md section 3).
    PhCorrelation {
        coefficients: BTreeMap<Element, PhCoefficients>,
        /// Dose of the organic entering stage 1, % v/v.
        extractant_dose_vol_pct: f64,
        /// Free extractant per % v/v of dose, mol/L.
        extractant_mol_per_l_per_vol_pct: f64,
        /// H+ released per mol of RE extracted.
        acid_released_per_mol: f64,
    },
    /// Cation exchange by a dimeric acidic extractant, by mass action, saponified or not
    /// (docs/model.md section 3).
    MassAction(MassActionSystem),
}

impl SystemModel {
    /// The model as a message names it.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Saturated { .. } => "the saturated model",
            Self::ConstantD { .. } => "the constant_d model",
            Self::PhCorrelation { .. } => "the ph_correlation model",
            Self::MassAction(_) => "the mass_action model",
        }
    }
}

/// How the cascade is run. Must match the system's model.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum OperatingPoint {
    /// Saturated model: extraction ratio `S` (RE flux of the loaded organic leaving stage N)
    /// and scrub ratio `W` (RE flux returned as scrub), both per mol of feed.
    Fluxes {
        extraction_ratio: f64,
        scrub_ratio: f64,
    },
    /// `ph_correlation` model: an extraction section at organic/aqueous ratio `oa_ratio`, fed
    /// an aqueous liquor of `feed_concentration_mol_per_l` RE and `feed_acid_mol_per_l` H+;
    /// with scrub stages, a scrub liquor of `scrub_acid_mol_per_l` HCl at organic/scrub liquor
    /// `scrub_oa_ratio`; with strip stages, a strip liquor of `strip_acid_mol_per_l` HCl at
    /// organic/strip liquor `strip_oa_ratio`, the stripped organic returning to stage 1. The
    /// fields of an absent section are NaN.
    Acidic {
        oa_ratio: f64,
        feed_concentration_mol_per_l: f64,
        feed_acid_mol_per_l: f64,
        scrub_oa_ratio: f64,
        scrub_acid_mol_per_l: f64,
        strip_stages: usize,
        strip_oa_ratio: f64,
        strip_acid_mol_per_l: f64,
    },
    /// Constant-D model: volumetric organic/aqueous ratios of the two sections, and the reflux
    /// ratio `R = W / P` of the stripped RE (0 for a scrub of fresh acid).
    Volumetric {
        oa_ratio: f64,
        scrub_oa_ratio: f64,
        reflux_ratio: f64,
    },
}

impl OperatingPoint {
    /// An acid-aware extraction section alone: no scrub or strip liquor.
    pub fn acidic_extraction(
        oa_ratio: f64,
        feed_concentration_mol_per_l: f64,
        feed_acid_mol_per_l: f64,
    ) -> Self {
        Self::Acidic {
            oa_ratio,
            feed_concentration_mol_per_l,
            feed_acid_mol_per_l,
            scrub_oa_ratio: f64::NAN,
            scrub_acid_mol_per_l: f64::NAN,
            strip_stages: 0,
            strip_oa_ratio: f64::NAN,
            strip_acid_mol_per_l: f64::NAN,
        }
    }

    /// The saturated model's operating point from `S` and a reflux ratio `R = W / (S - W)`
    /// (with an organic side draw P is less than S - W: see [`Cascade::reflux_ratio`]).
    pub fn from_reflux_ratio(extraction_ratio: f64, reflux_ratio: f64) -> Self {
        Self::Fluxes {
            extraction_ratio,
            scrub_ratio: extraction_ratio * reflux_ratio / (1.0 + reflux_ratio),
        }
    }

    /// The reflux ratio: `R = W / (S - W)` (docs/model.md section 2), or the constant-D model's own;
    /// [`Cascade::reflux_ratio`] also counts an organic side draw.
    pub fn reflux_ratio(&self) -> f64 {
        match *self {
            Self::Fluxes {
                extraction_ratio,
                scrub_ratio,
            } => scrub_ratio / (extraction_ratio - scrub_ratio),
            Self::Volumetric { reflux_ratio, .. } => reflux_ratio,
            Self::Acidic { .. } => 0.0,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FeedPhase {
    #[default]
    Aqueous,
    Organic,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Cascade {
    pub extraction_stages: usize,
    pub scrub_stages: usize,
    /// 1-based; `None` means the last extraction stage, `n`.
    pub feed_stage: Option<usize>,
    pub feed_phase: FeedPhase,
    pub operating_point: OperatingPoint,
    /// A third outlet, if any.
    pub side_draw: Option<Draw>,
    /// Murphree efficiency of every stage on the organic phase, `0 < E <= 1` (1: ideal
    /// stages; docs/model.md section 3).
    pub stage_efficiency: f64,
}

/// A side draw: `fraction` of the aqueous or organic leaving `stage` (1-based) taken off as a
/// third product, where a middle element accumulates (a three-outlet cascade).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Draw {
    pub stage: usize,
    pub fraction: f64,
    pub phase: DrawPhase,
}

impl Draw {
    /// The share of the organic an organic draw leaves to the stages above it (1 for an
    /// aqueous draw).
    pub fn organic_kept(self) -> f64 {
        match self.phase {
            DrawPhase::Organic => 1.0 - self.fraction,
            DrawPhase::Aqueous => 1.0,
        }
    }

    /// An aqueous draw, the kind plants use most.
    pub fn aqueous(stage: usize, fraction: f64) -> Self {
        Self {
            stage,
            fraction,
            phase: DrawPhase::Aqueous,
        }
    }

    /// The solver's form: 0-based stage.
    fn for_solver(self) -> SideDraw {
        SideDraw {
            stage: self.stage - 1,
            fraction: self.fraction,
            phase: self.phase,
        }
    }
}

impl Cascade {
    pub fn stages(&self) -> usize {
        self.extraction_stages + self.scrub_stages
    }

    /// A stand-in for a cascade `sxcascade design` has yet to size: one stage in each section
    /// at a feasible operating point. Never solved as a result.
    pub fn unsized_placeholder(feed_phase: FeedPhase) -> Self {
        Self {
            extraction_stages: 1,
            scrub_stages: 1,
            feed_stage: None,
            side_draw: None,
            stage_efficiency: 1.0,
            feed_phase,
            operating_point: OperatingPoint::Fluxes {
                extraction_ratio: 1.5,
                scrub_ratio: 1.0,
            },
        }
    }

    pub fn feed_stage(&self) -> usize {
        self.feed_stage.unwrap_or(self.extraction_stages)
    }

    /// Solves the steady state of this cascade for `feed` in an extractant system described by
    /// `model`.
    pub fn solve(
        &self,
        model: &SystemModel,
        feed: &Stream,
        options: &SolverOptions,
    ) -> Result<CascadeSolution, CascadeError> {
        self.solve_near(model, feed, options, None)
    }

    /// Solves as [`Cascade::solve`], starting from `previous`: this cascade's solution for a
    /// nearby feed (the last pass of a recycle loop, a neighbouring sweep case). The start is
    /// used when it has the same elements; if the solve from it fails, a cold solve follows.
    pub fn solve_near(
        &self,
        model: &SystemModel,
        feed: &Stream,
        options: &SolverOptions,
        previous: Option<&CascadeSolution>,
    ) -> Result<CascadeSolution, CascadeError> {
        self.check(model)?;
        let (elements, feed_flux) = self.components(model, feed)?;
        let total = feed.total_mol_per_h();
        let (n, f) = (self.stages(), self.feed_stage() - 1);
        let side_draw = self.side_draw.map(Draw::for_solver);
        match (model, self.operating_point) {
            (
                SystemModel::Saturated { separation_factors },
                OperatingPoint::Fluxes {
                    extraction_ratio: s,
                    scrub_ratio: w,
                },
            ) => {
                let organic_flux: Vec<f64> = (0..n)
                    .map(|j| total * self.organic_per_feed(s, j))
                    .collect();
                let betas: Vec<f64> = elements.iter().map(|e| separation_factors[e]).collect();
                let reflux_fraction = self.reflux_fraction(s, w);
                let cascade = SaturatedCascade {
                    separation_factors: &betas,
                    feed: &feed_flux,
                    organic_flux: &organic_flux,
                    feed_stage: f,
                    reflux_fraction,
                    side_draw,
                };
                let solved = cascade.solve(options, |indices| {
                    // No neighbour: nothing to rescale, so no subset to build.
                    previous?;
                    let subset: Vec<Element> = indices.iter().map(|&i| elements[i]).collect();
                    let fluxes: Vec<f64> = indices.iter().map(|&i| feed_flux[i]).collect();
                    self.start(previous, &subset, &fluxes)
                });
                // Only stages short of equilibrium need the stage equations built again: sweeps
                // solve ideal binaries by the million.
                let solved = solved.and_then(|ideal| {
                    if self.stage_efficiency == 1.0 {
                        return Ok(ideal);
                    }
                    let eq = SaturatedSeparationFactors::new(betas, organic_flux);
                    let problem = StageProblem {
                        equilibrium: &eq,
                        stages: n,
                        feed_stage: f,
                        feed: &feed_flux,
                        reflux_fraction,
                        side_draw,
                    };
                    self.with_efficiency(&problem, options, ideal)
                });
                finish(elements, &feed_flux, f, reflux_fraction, side_draw, solved)
            }
            (
                SystemModel::ConstantD {
                    distribution_ratios,
                },
                OperatingPoint::Volumetric {
                    oa_ratio,
                    scrub_oa_ratio,
                    reflux_ratio,
                },
            ) => {
                // Below an aqueous draw the aqueous volume is (1 - fraction) of what it was, so
                // the organic meets less aqueous: O/A / (1 - fraction) there. Above an organic
                // draw the organic volume is: O/A (1 - fraction).
                let oa = (0..n)
                    .map(|j| {
                        let section = if j < self.extraction_stages {
                            oa_ratio
                        } else {
                            scrub_oa_ratio
                        };
                        match side_draw {
                            Some(d) if d.phase == DrawPhase::Aqueous && j < d.stage => {
                                section / (1.0 - d.fraction)
                            }
                            Some(d) if d.phase == DrawPhase::Organic && j > d.stage => {
                                section * (1.0 - d.fraction)
                            }
                            _ => section,
                        }
                    })
                    .collect();
                let d = elements.iter().map(|e| distribution_ratios[e]).collect();
                let eq = ConstantDistribution::new(d, oa);
                let reflux_fraction = reflux_ratio / (1.0 + reflux_ratio);
                let problem = StageProblem {
                    equilibrium: &eq,
                    stages: n,
                    feed_stage: f,
                    feed: &feed_flux,
                    reflux_fraction,
                    side_draw,
                };
                let start = self.start(previous, &elements, &feed_flux);
                let solved = solve_warm_or_cold(&problem, options, start.as_deref())
                    .and_then(|ideal| self.with_efficiency(&problem, options, ideal));
                finish(elements, &feed_flux, f, reflux_fraction, side_draw, solved)
            }
            (
                SystemModel::PhCorrelation {
                    coefficients,
                    extractant_dose_vol_pct,
                    extractant_mol_per_l_per_vol_pct,
                    acid_released_per_mol,
                },
                OperatingPoint::Acidic { .. },
            ) => {
                let model = PhCorrelation {
                    coefficients: elements.iter().map(|e| coefficients[e]).collect(),
                    dose_vol_pct: *extractant_dose_vol_pct,
                    mol_per_l_per_vol_pct: *extractant_mol_per_l_per_vol_pct,
                    acid_released_per_mol: *acid_released_per_mol,
                };
                Ok(self.solve_acidic(&model, 0.0, elements, &feed_flux, options)?)
            }
            (SystemModel::MassAction(system), OperatingPoint::Acidic { .. }) => {
                let model = system.equilibrium(&elements);
                let saponified = system.saponified_mol_per_l();
                Ok(self.solve_acidic(&model, saponified, elements, &feed_flux, options)?)
            }
            _ => unreachable!("check() rejects an operating point of the wrong model"),
        }
    }

    /// The solution with this cascade's stage efficiency, from `ideal`, the solution with
    /// ideal stages (itself when the stages are ideal).
    fn with_efficiency<E: Equilibrium>(
        &self,
        problem: &StageProblem<'_, E>,
        options: &SolverOptions,
        ideal: StageSolution,
    ) -> Result<StageSolution, SolveFailure> {
        let efficiency = Efficiency {
            murphree: self.stage_efficiency,
            organic_feed: self.feed_phase == FeedPhase::Organic,
        };
        solver::solve_with_efficiency(problem, efficiency, options, ideal)
    }

    /// A start from `previous` for a solve of `elements` fed `feed`, if it has them all.
    fn start(
        &self,
        previous: Option<&CascadeSolution>,
        elements: &[Element],
        feed: &[f64],
    ) -> Option<Vec<f64>> {
        previous
            .filter(|p| p.stages() == self.stages())
            .and_then(|p| p.rescaled_profile(elements, feed))
    }

    /// Checks the cascade's own numbers against the model, before any feed is known: stage
    /// counts, the feed stage, and an operating point the model can run at.
    pub fn check(&self, model: &SystemModel) -> Result<(), CascadeError> {
        if self.extraction_stages == 0 {
            return Err(CascadeError::infeasible(
                "extraction_stages",
                0.0,
                "a cascade needs at least one extraction stage",
            ));
        }
        let n = self.stages();
        if !(1..=n).contains(&self.feed_stage()) {
            return Err(CascadeError::infeasible(
                "feed_stage",
                self.feed_stage() as f64,
                format!("must be a stage of the cascade, 1 to {n}"),
            ));
        }
        if !(self.stage_efficiency > 0.0 && self.stage_efficiency <= 1.0) {
            return Err(CascadeError::infeasible(
                "stage_efficiency",
                self.stage_efficiency,
                "the Murphree efficiency of a stage must be above 0 and at most 1",
            ));
        }
        if let Some(draw) = self.side_draw {
            if !(1..=n).contains(&draw.stage) {
                return Err(CascadeError::infeasible(
                    "side_draw_stage",
                    draw.stage as f64,
                    format!("must be a stage of the cascade, 1 to {n}"),
                ));
            }
            if !(draw.fraction > 0.0 && draw.fraction < 1.0) {
                return Err(CascadeError::infeasible(
                    "side_draw_fraction",
                    draw.fraction,
                    "the share of the stage's outflow drawn off must be between 0 and 1",
                ));
            }
            if draw.phase == DrawPhase::Organic
                && self.feed_phase == FeedPhase::Organic
                && draw.stage < self.feed_stage()
            {
                // Above the feed stage the organic feed's own RE joins what the draw left.
                return Err(CascadeError::infeasible(
                    "side_draw_stage",
                    draw.stage as f64,
                    format!(
                        "with an organic feed an organic draw must be at or above the feed \
                         stage ({})",
                        self.feed_stage()
                    ),
                ));
            }
            if draw.phase == DrawPhase::Organic && draw.stage == n {
                return Err(CascadeError::infeasible(
                    "side_draw_stage",
                    draw.stage as f64,
                    format!(
                        "the organic leaving the last stage ({n}) is the loaded extract: an \
                         organic draw must be below it (to take less extract, lower S)"
                    ),
                ));
            }
        }
        match (model, self.operating_point) {
            (
                SystemModel::Saturated { .. },
                OperatingPoint::Fluxes {
                    extraction_ratio,
                    scrub_ratio,
                },
            ) => {
                self.check_fluxes(extraction_ratio, scrub_ratio)?;
                self.check_draw(extraction_ratio, scrub_ratio)
            }
            (
                SystemModel::ConstantD { .. },
                OperatingPoint::Volumetric {
                    oa_ratio,
                    scrub_oa_ratio,
                    reflux_ratio,
                },
            ) => {
                if self.feed_phase == FeedPhase::Organic {
                    return Err(CascadeError::infeasible(
                        "feed_phase",
                        f64::NAN,
                        "the constant_d model takes an aqueous feed only",
                    ));
                }
                positive("oa_ratio", oa_ratio)?;
                // Volumetric O/A ratios are given per section: a draw above the feed would
                // change the extraction section's by the feed's share of the aqueous, which
                // the file does not give.
                if let Some(draw) = self.side_draw
                    && draw.phase == DrawPhase::Aqueous
                    && draw.stage > self.feed_stage()
                {
                    return Err(CascadeError::infeasible(
                        "side_draw_stage",
                        draw.stage as f64,
                        format!(
                            "the constant_d model takes a side draw at or below the feed stage \
                             ({}) only for aqueous draws",
                            self.feed_stage()
                        ),
                    ));
                }
                if self.scrub_stages > 0 {
                    positive("scrub_oa_ratio", scrub_oa_ratio)?;
                }
                if !(reflux_ratio >= 0.0 && reflux_ratio.is_finite()) {
                    return Err(CascadeError::infeasible(
                        "reflux_ratio",
                        reflux_ratio,
                        "must be zero or positive",
                    ));
                }
                Ok(())
            }
            (SystemModel::Saturated { .. }, _) => Err(CascadeError::infeasible(
                "oa_ratio",
                f64::NAN,
                "the saturated model takes extraction_ratio and reflux_ratio or scrub_ratio",
            )),
            (SystemModel::ConstantD { .. }, _) => Err(CascadeError::infeasible(
                "extraction_ratio",
                f64::NAN,
                "the constant_d model takes oa_ratio (and scrub_oa_ratio with scrub stages)",
            )),
            (
                SystemModel::PhCorrelation { .. } | SystemModel::MassAction(_),
                OperatingPoint::Acidic {
                    oa_ratio,
                    feed_concentration_mol_per_l,
                    feed_acid_mol_per_l,
                    scrub_oa_ratio,
                    scrub_acid_mol_per_l,
                    strip_stages,
                    strip_oa_ratio,
                    strip_acid_mol_per_l,
                },
            ) => {
                positive("oa_ratio", oa_ratio)?;
                positive("feed_concentration_mol_per_l", feed_concentration_mol_per_l)?;
                positive("feed_acid_mol_per_l", feed_acid_mol_per_l)?;
                if self.scrub_stages > 0 {
                    positive("scrub_oa_ratio", scrub_oa_ratio)?;
                    positive("scrub_acid_mol_per_l", scrub_acid_mol_per_l)?;
                }
                if strip_stages > 0 {
                    positive("strip_oa_ratio", strip_oa_ratio)?;
                    positive("strip_acid_mol_per_l", strip_acid_mol_per_l)?;
                }
                // The sections converge for the pH correlation (the seeded section survey);
                // for mass action, whose D spans decades between a loaded extraction and a
                // liquor of strong acid, Newton does not yet converge on them (docs/solver.md).
                if matches!(model, SystemModel::MassAction(_)) {
                    let (field, stages) = if self.scrub_stages > 0 {
                        ("scrub_stages", self.scrub_stages)
                    } else {
                        ("strip_stages", strip_stages)
                    };
                    if stages > 0 {
                        return Err(CascadeError::infeasible(
                            field,
                            stages as f64,
                            "the mass_action model solves extraction sections only for now: \
                             give scrub_stages = 0 and no strip section",
                        ));
                    }
                }
                if self.side_draw.is_some() || self.feed_phase == FeedPhase::Organic {
                    return Err(CascadeError::infeasible(
                        "feed_phase",
                        f64::NAN,
                        format!("{} takes an aqueous feed and no side draw", model.name()),
                    ));
                }
                // Without a scrub liquor nothing aqueous flows above the feed stage.
                if self.scrub_stages == 0 && self.feed_stage() != self.stages() {
                    return Err(CascadeError::infeasible(
                        "feed_stage",
                        self.feed_stage() as f64,
                        format!(
                            "without scrub stages {} feeds the last stage ({})",
                            model.name(),
                            self.stages()
                        ),
                    ));
                }
                Ok(())
            }
            (SystemModel::MassAction(_), _) => Err(CascadeError::infeasible(
                "oa_ratio",
                f64::NAN,
                "the mass_action model takes oa_ratio, feed_concentration_mol_per_l and \
                 feed_acid_mol_per_l",
            )),
            (SystemModel::PhCorrelation { .. }, _) => Err(CascadeError::infeasible(
                "oa_ratio",
                f64::NAN,
                "the ph_correlation model takes oa_ratio, feed_concentration_mol_per_l and \
                 feed_acid_mol_per_l",
            )),
        }
    }

    /// The elements present in the feed, in the system's extraction order, with their fluxes.
    fn components(
        &self,
        model: &SystemModel,
        feed: &Stream,
    ) -> Result<(Vec<Element>, Vec<f64>), CascadeError> {
        // Each element's parameter, by which the elements are put in extraction order: for the
        // pH correlation, log10 D at pH 1 and the inlet dose.
        let ordering: BTreeMap<Element, f64>;
        let (parameters, name) = match model {
            SystemModel::Saturated { separation_factors } => {
                (separation_factors, "separation_factors")
            }
            SystemModel::ConstantD {
                distribution_ratios,
            } => (distribution_ratios, "distribution_ratios"),
            SystemModel::PhCorrelation {
                coefficients,
                extractant_dose_vol_pct,
                ..
            } => {
                ordering = coefficients
                    .iter()
                    .map(|(e, c)| (*e, c.distribution(1.0, *extractant_dose_vol_pct).0))
                    .collect();
                (&ordering, "coefficients")
            }
            SystemModel::MassAction(m) => {
                ordering = m
                    .log10_k
                    .iter()
                    .map(|(e, l)| (*e, 10f64.powf(*l)))
                    .collect();
                (&ordering, "log10_k")
            }
        };
        let mut present = Vec::new();
        for (e, flux) in feed.flows() {
            if !(flux >= 0.0 && flux.is_finite()) {
                return Err(CascadeError::infeasible(
                    "feed flow",
                    flux,
                    format!("the feed's {e} flux must be zero or positive"),
                ));
            }
            if flux == 0.0 {
                continue;
            }
            let p = *parameters.get(&e).ok_or(CascadeError::MissingParameter {
                element: e,
                parameter: name,
            })?;
            if !(p > 0.0 && p.is_finite()) {
                return Err(CascadeError::infeasible(
                    name,
                    p,
                    format!("the value for {e} must be positive"),
                ));
            }
            present.push((p, e, flux));
        }
        if present.is_empty() {
            return Err(CascadeError::infeasible(
                "feed flow",
                0.0,
                "the feed carries no rare earth",
            ));
        }
        present.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        Ok(present.into_iter().map(|(_, e, f)| (e, f)).unzip())
    }

    /// RE flux of the fully loaded organic leaving 0-based stage `j`, per mol of feed: S on
    /// every stage, less the organic feed's 1 below the feed stage, and (1 - fraction) of it
    /// above an organic draw (the organic left runs as loaded as before).
    pub(crate) fn organic_per_feed(&self, s: f64, j: usize) -> f64 {
        let below_organic_feed = self.feed_phase == FeedPhase::Organic && j + 1 < self.feed_stage();
        let flux = if below_organic_feed { s - 1.0 } else { s };
        match self.side_draw {
            Some(d) if j + 1 > d.stage => d.organic_kept() * flux,
            _ => flux,
        }
    }

    /// The extract product per mol of feed, P: `S - W`, or what an organic draw leaves of S
    /// less W (the saturated model).
    pub fn extract_product_ratio(&self) -> Option<f64> {
        match self.operating_point {
            OperatingPoint::Fluxes {
                extraction_ratio,
                scrub_ratio,
            } => Some(self.organic_per_feed(extraction_ratio, self.stages() - 1) - scrub_ratio),
            OperatingPoint::Volumetric { .. } | OperatingPoint::Acidic { .. } => None,
        }
    }

    /// The reflux ratio `R = W / P` (docs/model.md section 2); the constant-D model's own.
    pub fn reflux_ratio(&self) -> f64 {
        match self.operating_point {
            OperatingPoint::Fluxes {
                extraction_ratio,
                scrub_ratio,
            } => {
                let top = self.organic_per_feed(extraction_ratio, self.stages() - 1);
                scrub_ratio / (top - scrub_ratio)
            }
            OperatingPoint::Volumetric { reflux_ratio, .. } => reflux_ratio,
            OperatingPoint::Acidic { .. } => 0.0,
        }
    }

    /// The share of the loaded organic leaving the last stage that returns as scrub liquor:
    /// W over that organic's flux (S, or what an organic draw leaves of it).
    fn reflux_fraction(&self, s: f64, w: f64) -> f64 {
        w / self.organic_per_feed(s, self.stages() - 1)
    }

    /// With a side draw in the saturated model the aqueous fluxes below it fall by what it
    /// takes: per mol of feed, every stage must still pass aqueous on, the raffinate included.
    /// The stage totals follow from the total-RE balances, down from the reflux W.
    fn check_draw(&self, s: f64, w: f64) -> Result<(), CascadeError> {
        let Some(draw) = self.side_draw else {
            return Ok(());
        };
        let (n, f) = (self.stages(), self.feed_stage() - 1);
        let solver_draw = Some(draw.for_solver());
        let organic = |j: usize| self.organic_per_feed(s, j);
        let mut from_above = w;
        for j in (0..n).rev() {
            let from_below = if j > 0 {
                passed_up(solver_draw, j - 1) * organic(j - 1)
            } else {
                0.0
            };
            let fed = if j == f { 1.0 } else { 0.0 };
            let total = from_below + from_above + fed - organic(j);
            if total <= 0.0 {
                return Err(CascadeError::infeasible(
                    "side_draw_fraction",
                    draw.fraction,
                    format!(
                        "the {} draw at stage {} takes more than the cascade has to give: \
                         stage {} would pass on {total:.4} of aqueous per mol of feed (the \
                         raffinate without a draw is 1 - (S - W) = {:.4})",
                        draw.phase.as_str(),
                        draw.stage,
                        j + 1,
                        1.0 - (s - w)
                    ),
                ));
            }
            from_above = passed_on(solver_draw, j) * total;
        }
        Ok(())
    }

    /// Feasibility of Xu's constant-flux operating point, per mol of feed: the extract product
    /// `P = S - W` and the raffinate `1 - P` must both be positive, the scrub section needs
    /// aqueous to run, and with an organic feed the extraction section's organic carries `S - 1`.
    fn check_fluxes(&self, s: f64, w: f64) -> Result<(), CascadeError> {
        positive("extraction_ratio", s)?;
        if !(w >= 0.0 && w.is_finite()) {
            return Err(CascadeError::infeasible(
                "scrub_ratio",
                w,
                "must be zero or positive",
            ));
        }
        if w == 0.0 && self.feed_stage() < self.stages() {
            return Err(CascadeError::infeasible(
                "scrub_ratio",
                w,
                "stages above the feed stage need scrub liquor: give a positive scrub or reflux ratio",
            ));
        }
        // The organic reaching the last stage: S, less what an organic draw takes.
        let top = self.organic_per_feed(s, self.stages() - 1);
        let (parameter, value) = match self.side_draw {
            Some(d) if d.phase == DrawPhase::Organic && top <= w => {
                ("side_draw_fraction", d.fraction)
            }
            _ => ("extraction_ratio", s),
        };
        if top <= w {
            return Err(CascadeError::infeasible(
                parameter,
                value,
                format!(
                    "the organic reaching the last stage, {top}, must exceed the scrub ratio \
                     W = {w}: their difference is the extract product"
                ),
            ));
        }
        // What leaves the other end: 1 - (S - W) per mol of feed, an organic draw's share
        // included (the drawn organic is RE the raffinate does not carry either).
        if s - w >= 1.0 {
            return Err(CascadeError::infeasible(
                "extraction_ratio",
                s,
                format!(
                    "S - W = {} takes all the feed to the organic: it must be below 1 so that \
                     the raffinate flux 1 - (S - W) is positive",
                    s - w
                ),
            ));
        }
        if self.feed_phase == FeedPhase::Organic && s <= 1.0 {
            return Err(CascadeError::infeasible(
                "extraction_ratio",
                s,
                "with an organic feed S must exceed 1: the extraction section's organic carries S - 1",
            ));
        }
        Ok(())
    }
}

/// From `start` when there is one, falling back to a cold solve.
fn solve_warm_or_cold<E: Equilibrium>(
    problem: &StageProblem<'_, E>,
    options: &SolverOptions,
    start: Option<&[f64]>,
) -> Result<StageSolution, SolveFailure> {
    match start {
        Some(initial) => solver::solve_from(problem, options, initial)
            .or_else(|_| solver::solve(problem, options)),
        None => solver::solve(problem, options),
    }
}

fn finish(
    elements: Vec<Element>,
    feed: &[f64],
    feed_stage: usize,
    reflux_fraction: f64,
    side_draw: Option<SideDraw>,
    solved: Result<StageSolution, SolveFailure>,
) -> Result<CascadeSolution, CascadeError> {
    let solved = solved.map_err(|failure| failure_error(&elements, failure))?;
    accept(CascadeSolution::new(
        elements,
        feed,
        feed_stage,
        reflux_fraction,
        side_draw,
        solved,
    ))
}

/// `solution` if its mass balance closes to [`MAX_ACCEPTED_CLOSURE`].
fn accept(solution: CascadeSolution) -> Result<CascadeSolution, CascadeError> {
    let closure = nan_max(
        solution.mass_balance.overall,
        solution.mass_balance.worst_stage,
    );
    if closure <= MAX_ACCEPTED_CLOSURE {
        Ok(solution)
    } else {
        Err(CascadeError::MassBalance { closure })
    }
}

/// The cascade's own words for a solver's failure on `elements`.
fn failure_error(elements: &[Element], failure: SolveFailure) -> CascadeError {
    match failure {
        SolveFailure::NotConverged { status, tolerance } => CascadeError::NotConverged {
            iterations: status.iterations,
            sweeps: status.sweeps,
            residual: status.residual,
            tolerance,
        },
        SolveFailure::Stalled { status } => CascadeError::Stalled {
            iterations: status.iterations,
            residual: status.residual,
            rounding_floor: status.rounding_floor,
        },
        SolveFailure::SingularJacobian { stage, iteration } => {
            CascadeError::SingularJacobian { stage, iteration }
        }
        SolveFailure::ExtractantExhausted {
            stage,
            species,
            free_mol_per_l,
            total_mol_per_l,
            feed_fraction,
            iterations,
        } => CascadeError::ExtractantExhausted {
            stage,
            species: elements
                .get(species)
                .map_or_else(|| format!("species {}", species + 1), |e| e.to_string()),
            free_mol_per_l,
            free_percent: 100.0 * free_mol_per_l / total_mol_per_l,
            total_mol_per_l,
            feed_percent: 100.0 * feed_fraction,
            iterations,
        },
    }
}

/// A converged solve whose mass balance closes worse than this is reported as failed: the
/// balances were met only to a rounding floor that no longer means anything (docs/model.md
/// section 4 targets 1e-10; between the two, the closure is reported and the result kept).
pub const MAX_ACCEPTED_CLOSURE: f64 = 1e-6;

fn positive(parameter: &'static str, value: f64) -> Result<(), CascadeError> {
    if value > 0.0 && value.is_finite() {
        Ok(())
    } else {
        Err(CascadeError::infeasible(
            parameter,
            value,
            "must be positive",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::equilibrium::SaturatedSeparationFactors;
    use crate::solver::{StageProblem, solve_by_continuation};

    /// The last resort, continuation in separation power from the unseparated profile, on the
    /// 500-stage reference cut (236 iterations, about 1.5 s): a rescue of one early step by
    /// substitution once stranded its path at t = 0.667. The cut itself is now solved from its
    /// pseudo-binary profile, so this path is tested here on its own.
    #[test]
    fn continuation_solves_the_five_hundred_stage_reference_cut() {
        let case = crate::reference::fifteen_element_cut(500);
        let (
            SystemModel::Saturated { separation_factors },
            OperatingPoint::Fluxes {
                extraction_ratio: s,
                scrub_ratio: w,
            },
        ) = (&case.model, case.cascade.operating_point)
        else {
            panic!("the reference cut is saturated, with S and W given");
        };
        let cascade = &case.cascade;
        let (elements, feed) = cascade.components(&case.model, &case.feed).unwrap();
        let total = case.feed.total_mol_per_h();
        let organic = (0..cascade.stages())
            .map(|j| total * cascade.organic_per_feed(s, j))
            .collect();
        let betas = elements.iter().map(|e| separation_factors[e]).collect();
        let eq = SaturatedSeparationFactors::new(betas, organic);
        let problem = StageProblem {
            equilibrium: &eq,
            stages: cascade.stages(),
            feed_stage: cascade.feed_stage() - 1,
            feed: &feed,
            reflux_fraction: cascade.reflux_fraction(s, w),
            side_draw: None,
        };
        let options = SolverOptions::default();
        let solved =
            solve_by_continuation(&problem, |t| eq.with_separation_power(t), &options).unwrap();
        assert!(
            solved.status.residual <= options.tolerance && solved.status.iterations > 100,
            "{:?}",
            solved.status
        );
    }
}
