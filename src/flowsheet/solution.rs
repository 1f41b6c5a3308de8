use std::collections::BTreeMap;

use indexmap::IndexMap;

use super::plant::PlantFlows;
use super::recycle::RecycleOutcome;
use super::sequence::{Block, UnitId, sequence};
use super::{Flowsheet, ProductSpec};
use crate::cascade::CascadeSolution;
use crate::elements::Element;
use crate::error::CascadeError;
use crate::solver::{SolverOptions, nan_max};
use crate::stream::Stream;

/// One cascade's result: solved, or why not (including "its feed was not available").
#[derive(Debug, Clone)]
pub struct CascadeOutcome {
    pub name: String,
    pub result: Result<CascadeSolution, CascadeError>,
}

/// A product's purity and recovery, judged against its specification.
#[derive(Debug, Clone, PartialEq)]
pub struct ProductResult {
    pub spec: ProductSpec,
    /// `None` when the stream was not computed (an upstream cascade failed).
    pub purity_pct: Option<f64>,
    pub purity_mol_pct: Option<f64>,
    /// Of the element in all flowsheet feeds.
    pub recovery_pct: Option<f64>,
    pub meets_spec: bool,
}

#[derive(Debug, Clone)]
pub struct FlowsheetSolution {
    /// One per cascade, in the order of [`Flowsheet::cascades`].
    pub cascades: Vec<CascadeOutcome>,
    /// One per recycle loop, in solve order.
    pub recycles: Vec<RecycleOutcome>,
    /// Every stream computed: feeds first, then unit outlets in solve order.
    pub streams: IndexMap<String, Stream>,
    pub products: Vec<ProductResult>,
    /// Largest relative closure error: every stage of every cascade, every cascade overall,
    /// and the flowsheet overall (feeds against streams that leave it); NaN (`null` in the
    /// JSON) when a cascade was not solved.
    pub mass_balance_max_rel_error: f64,
}

impl FlowsheetSolution {
    pub fn converged(&self) -> bool {
        self.cascades.iter().all(|c| c.result.is_ok()) && self.recycles.iter().all(|r| r.converged)
    }

    pub fn all_products_meet_spec(&self) -> bool {
        self.products.iter().all(|p| p.meets_spec)
    }

    /// The tear streams of every recycle loop.
    pub fn tear_streams(&self) -> Vec<String> {
        self.recycles.iter().flat_map(|r| r.tears.clone()).collect()
    }

    /// Volumetric flows and reagents of each cascade (in the order of
    /// [`Flowsheet::cascades`]), `None` where the cascade was not solved.
    pub fn plant_flows(&self, flowsheet: &Flowsheet) -> Vec<Option<PlantFlows>> {
        flowsheet
            .cascades
            .iter()
            .zip(&self.cascades)
            .map(|(unit, outcome)| {
                let solved = outcome.result.as_ref().ok()?;
                let system = &flowsheet.systems[unit.system];
                Some(unit.plant_flows(system, solved.feed.total_mol_per_h()))
            })
            .collect()
    }
}

/// What a solve has computed so far.
pub(super) struct State {
    pub streams: IndexMap<String, Stream>,
    /// The last result of each cascade, `None` until it is first solved.
    pub cascades: Vec<Option<Result<CascadeSolution, CascadeError>>>,
    /// Whether each cascade's last feed was empty (a recycle loop still filling).
    pub empty_feed: Vec<bool>,
    /// Whether `cascades` holds a neighbouring flowsheet's solutions to start from.
    pub warm: bool,
}

impl State {
    fn new(flowsheet: &Flowsheet) -> Self {
        let n = flowsheet.cascades.len();
        Self {
            streams: flowsheet.feeds.clone(),
            cascades: vec![None; n],
            empty_feed: vec![false; n],
            warm: false,
        }
    }

    /// Starts every cascade from its solution in `previous` (a neighbouring sweep case).
    fn near(flowsheet: &Flowsheet, previous: FlowsheetSolution) -> Self {
        let mut state = Self::new(flowsheet);
        let starts = state.cascades.iter_mut().zip(previous.cascades);
        for (start, outcome) in starts {
            if let Ok(solution) = outcome.result {
                *start = Some(Ok(solution));
            }
        }
        state.warm = true;
        state
    }
}

impl Flowsheet {
    /// Solves the units block by block in [`sequence`] order; recycle loops are iterated to
    /// convergence on their tear streams. A unit that fails is reported and its outlets are
    /// missing, so units downstream of it are not solved.
    pub fn solve(&self, options: &SolverOptions) -> FlowsheetSolution {
        self.solve_in(State::new(self), options)
    }

    /// Solves as [`Flowsheet::solve`], each cascade starting from its solution in `previous`:
    /// the solution of this flowsheet with slightly different numbers (a neighbouring case of
    /// a sweep). The same steady state, in fewer iterations when the cases are close.
    pub fn solve_near(
        &self,
        options: &SolverOptions,
        previous: FlowsheetSolution,
    ) -> FlowsheetSolution {
        self.solve_in(State::near(self, previous), options)
    }

    fn solve_in(&self, mut state: State, options: &SolverOptions) -> FlowsheetSolution {
        let blocks = sequence(self);
        let mut recycles = Vec::new();
        for block in &blocks {
            if let Some(recycle) = self.run_block(block, &mut state, options) {
                recycles.push(recycle);
            }
        }
        let streams = self.in_solve_order(&blocks, state.streams);
        let cascades: Vec<CascadeOutcome> = self
            .cascades
            .iter()
            .zip(state.cascades)
            .map(|(unit, result)| CascadeOutcome {
                name: unit.name.clone(),
                result: result.unwrap_or(Err(CascadeError::MissingFeed)),
            })
            .collect();
        let total_feed = self.total_feed();
        let products = self
            .products
            .iter()
            .map(|spec| judge(spec, streams.get(&spec.stream), &total_feed))
            .collect();
        let complete = cascades.iter().all(|c| c.result.is_ok());
        let mass_balance_max_rel_error =
            self.closure(&streams, &cascades, complete.then_some(&total_feed));
        FlowsheetSolution {
            cascades,
            recycles,
            streams,
            products,
            mass_balance_max_rel_error,
        }
    }

    /// The mixed feed of cascade `k`, solving only what comes before it: the blocks before its
    /// own and, in a recycle loop, the loop's units before it in one pass with the recycle
    /// streams empty (the loop's first pass). `None` if a unit upstream fails.
    pub fn feed_of(&self, k: usize, options: &SolverOptions) -> Option<Stream> {
        let mut state = State::new(self);
        for block in sequence(self) {
            if let Some(position) = block.units.iter().position(|&u| u == UnitId::Cascade(k)) {
                for tear in &block.tears {
                    state.streams.insert(tear.clone(), Stream::default());
                }
                for &unit in &block.units[..position] {
                    self.run_unit(unit, &mut state, options, block.is_recycle());
                }
                let parts: Option<Vec<&Stream>> = self.cascades[k]
                    .feeds
                    .iter()
                    .map(|f| state.streams.get(f))
                    .collect();
                return Some(Stream::new(parts?.into_iter().flat_map(Stream::flows)));
            }
            self.run_block(&block, &mut state, options);
        }
        None
    }

    /// Solves a block: its one unit, or its recycle loop to convergence (reported).
    fn run_block(
        &self,
        block: &Block,
        state: &mut State,
        options: &SolverOptions,
    ) -> Option<RecycleOutcome> {
        if block.is_recycle() {
            return Some(self.converge(block, state, options));
        }
        for &unit in &block.units {
            self.run_unit(unit, state, options, false);
        }
        None
    }

    /// Solves one unit on the streams computed so far and records its outlets, or removes
    /// them if it cannot be solved. `in_loop`: a cascade of a recycle loop starts from its last
    /// solution, and with an empty feed (the loop still filling) produces empty outlets.
    pub(super) fn run_unit(
        &self,
        unit: UnitId,
        state: &mut State,
        options: &SolverOptions,
        in_loop: bool,
    ) {
        let inlets: Option<Vec<&Stream>> = self
            .inlets(unit)
            .iter()
            .map(|s| state.streams.get(s))
            .collect();
        let outlets: Option<Vec<(String, Stream)>> = match (unit, inlets) {
            (_, None) => {
                if let UnitId::Cascade(k) = unit {
                    state.cascades[k] = Some(Err(CascadeError::MissingFeed));
                }
                None
            }
            (UnitId::Splitter(k), Some(inlet)) => Some(
                self.splitters[k]
                    .split(inlet[0])
                    .map(|(name, s)| (name.to_string(), s))
                    .collect(),
            ),
            (UnitId::Cascade(k), Some(parts)) => {
                let c = &self.cascades[k];
                let feed = Stream::new(parts.into_iter().flat_map(Stream::flows));
                let empty = feed.total_mol_per_h() == 0.0;
                let previous = match &state.cascades[k] {
                    Some(Ok(solution)) if in_loop || state.warm => Some(solution),
                    _ => None,
                };
                let model = &self.systems[c.system].model;
                let result = c.cascade.solve_near(model, &feed, options, previous);
                let outlets = match (&result, in_loop && empty) {
                    (Ok(s), _) => Some(
                        [
                            Some((c.raffinate.clone(), s.raffinate.clone())),
                            Some((c.extract.clone(), s.extract.clone())),
                            c.side_draw.clone().zip(s.side_draw.clone()),
                        ]
                        .into_iter()
                        .flatten()
                        .collect(),
                    ),
                    (Err(_), true) => Some(
                        [Some(&c.raffinate), Some(&c.extract), c.side_draw.as_ref()]
                            .into_iter()
                            .flatten()
                            .map(|name| (name.clone(), Stream::default()))
                            .collect(),
                    ),
                    (Err(_), false) => None,
                };
                state.empty_feed[k] = empty;
                // A failed pass keeps the last good solution as the next pass's start.
                if result.is_ok() || !in_loop || !empty {
                    state.cascades[k] = Some(result);
                }
                outlets
            }
        };
        match outlets {
            Some(outlets) => state.streams.extend(outlets),
            None => {
                for name in self.outlets(unit) {
                    state.streams.shift_remove(name);
                }
            }
        }
    }

    /// Feeds first, then every unit's outlets in solve order.
    fn in_solve_order(
        &self,
        blocks: &[Block],
        mut computed: IndexMap<String, Stream>,
    ) -> IndexMap<String, Stream> {
        let mut ordered: IndexMap<String, Stream> = IndexMap::with_capacity(computed.len());
        let names = self.feeds.keys().map(String::as_str).chain(
            blocks
                .iter()
                .flat_map(|b| &b.units)
                .flat_map(|&u| self.outlets(u)),
        );
        for name in names {
            if let Some(stream) = computed.shift_remove(name) {
                ordered.insert(name.to_string(), stream);
            }
        }
        ordered
    }

    /// Worst closure of any cascade (overall and per stage) and, when every unit was solved
    /// (`total_feed` given), of the flowsheet: its feeds against the streams leaving it. NaN
    /// when a cascade was not solved: its balances are not met, and the closure of the others
    /// says nothing of the flowsheet's (a failed solve never reports a closure of 0).
    fn closure(
        &self,
        streams: &IndexMap<String, Stream>,
        cascades: &[CascadeOutcome],
        total_feed: Option<&BTreeMap<Element, f64>>,
    ) -> f64 {
        if cascades.iter().any(|c| c.result.is_err()) {
            return f64::NAN;
        }
        let mut worst: f64 = 0.0;
        for outcome in cascades {
            if let Ok(s) = &outcome.result {
                worst = nan_max(
                    nan_max(worst, s.mass_balance.overall),
                    s.mass_balance.worst_stage,
                );
            }
        }
        let Some(total_feed) = total_feed else {
            return worst;
        };
        let mut out: BTreeMap<Element, f64> = BTreeMap::new();
        for (name, stream) in streams {
            if self.consumer(name).is_none() {
                for (e, f) in stream.flows() {
                    *out.entry(e).or_insert(0.0) += f;
                }
            }
        }
        for (e, fed) in total_feed {
            if *fed > 0.0 {
                let left = out.get(e).copied().unwrap_or(0.0);
                worst = nan_max(worst, (fed - left).abs() / fed);
            }
        }
        worst
    }
}

fn judge(
    spec: &ProductSpec,
    stream: Option<&Stream>,
    total_feed: &BTreeMap<Element, f64>,
) -> ProductResult {
    // No stream (not computed) or an empty one: nothing to judge, and not on spec.
    let Some(stream) = stream.filter(|s| s.total_mol_per_h() > 0.0) else {
        return ProductResult {
            spec: spec.clone(),
            purity_pct: None,
            purity_mol_pct: None,
            recovery_pct: None,
            meets_spec: false,
        };
    };
    let targets = [spec.element];
    let purity = stream.purity_pct(&targets);
    let fed = total_feed.get(&spec.element).copied().unwrap_or(0.0);
    let recovery = 100.0 * stream.mol_per_h(spec.element) / fed;
    let meets_spec = purity.is_finite()
        && recovery.is_finite()
        && spec.min_purity_pct.is_none_or(|min| purity >= min)
        && spec.min_recovery_pct.is_none_or(|min| recovery >= min);
    ProductResult {
        spec: spec.clone(),
        purity_pct: Some(purity),
        purity_mol_pct: Some(stream.purity_mol_pct(&targets)),
        recovery_pct: Some(recovery),
        meets_spec,
    }
}
