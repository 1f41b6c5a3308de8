use std::collections::BTreeMap;

use indexmap::IndexMap;

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
    pub cascades: Vec<CascadeOutcome>,
    /// Every stream computed: feeds first, then cascade outputs in solve order.
    pub streams: IndexMap<String, Stream>,
    pub products: Vec<ProductResult>,
    /// Largest relative closure error: every stage of every cascade, every cascade overall,
    /// and the flowsheet overall (feeds against streams that leave it).
    pub mass_balance_max_rel_error: f64,
}

impl FlowsheetSolution {
    pub fn converged(&self) -> bool {
        self.cascades.iter().all(|c| c.result.is_ok())
    }

    pub fn all_products_meet_spec(&self) -> bool {
        self.products.iter().all(|p| p.meets_spec)
    }
}

impl Flowsheet {
    /// Solves the cascades in order, each on the mixture of its feeds. A cascade that fails
    /// is reported and its outputs are missing; cascades downstream of it are not solved.
    pub fn solve(&self, options: &SolverOptions) -> FlowsheetSolution {
        let mut streams: IndexMap<String, Stream> = self.feeds.clone();
        let mut cascades = Vec::with_capacity(self.cascades.len());
        for unit in &self.cascades {
            let feed: Option<Vec<&Stream>> = unit.feeds.iter().map(|f| streams.get(f)).collect();
            let result = match feed {
                None => Err(CascadeError::MissingFeed),
                Some(parts) => {
                    let feed = Stream::new(parts.into_iter().flat_map(Stream::flows));
                    let model = &self.systems[unit.system].model;
                    unit.cascade.solve(model, &feed, options)
                }
            };
            if let Ok(solution) = &result {
                streams.insert(unit.raffinate.clone(), solution.raffinate.clone());
                streams.insert(unit.extract.clone(), solution.extract.clone());
            }
            cascades.push(CascadeOutcome {
                name: unit.name.clone(),
                result,
            });
        }
        let total_feed = self.total_feed();
        let products = self
            .products
            .iter()
            .map(|spec| judge(spec, streams.get(&spec.stream), &total_feed))
            .collect();
        let mass_balance_max_rel_error = self.closure(&streams, &cascades, &total_feed);
        FlowsheetSolution {
            cascades,
            streams,
            products,
            mass_balance_max_rel_error,
        }
    }

    fn closure(
        &self,
        streams: &IndexMap<String, Stream>,
        cascades: &[CascadeOutcome],
        total_feed: &BTreeMap<Element, f64>,
    ) -> f64 {
        let mut worst: f64 = 0.0;
        for outcome in cascades {
            if let Ok(s) = &outcome.result {
                worst = nan_max(
                    nan_max(worst, s.mass_balance.overall),
                    s.mass_balance.worst_stage,
                );
            }
        }
        if cascades.iter().any(|c| c.result.is_err()) {
            return worst;
        }
        let consumed: Vec<&String> = self.cascades.iter().flat_map(|c| &c.feeds).collect();
        let mut out: BTreeMap<Element, f64> = BTreeMap::new();
        for (name, stream) in streams {
            if !consumed.contains(&name) {
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
    let Some(stream) = stream else {
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
    let meets_spec = spec.min_purity_pct.is_none_or(|min| purity >= min)
        && spec.min_recovery_pct.is_none_or(|min| recovery >= min);
    ProductResult {
        spec: spec.clone(),
        purity_pct: Some(purity),
        purity_mol_pct: Some(stream.purity_mol_pct(&targets)),
        recovery_pct: Some(recovery),
        meets_spec,
    }
}
