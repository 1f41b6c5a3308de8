//! A validated flowsheet: feeds, extractant systems, cascades in solve order and product
//! specifications, in plant units (mol/h). Built from a file by [`crate::input`]; solved by
//! [`Flowsheet::solve`].

mod solution;

use std::collections::BTreeMap;

use indexmap::IndexMap;

pub use solution::{CascadeOutcome, FlowsheetSolution, ProductResult};

use crate::cascade::{Cascade, SystemModel};
use crate::elements::Element;
use crate::stream::Stream;

/// Operating hours per year when a flowsheet does not say (330 days; MODEL.md section 1).
pub const DEFAULT_HOURS_PER_YEAR: f64 = 7920.0;

/// Plant scale: converts feed shares into flows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Basis {
    pub reo_t_per_year: f64,
    pub hours_per_year: f64,
}

impl Basis {
    /// Total REO mass flow, g/h.
    pub fn reo_g_per_h(&self) -> f64 {
        self.reo_t_per_year * 1e6 / self.hours_per_year
    }
}

/// An extractant system: its equilibrium model and parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct ExtractantSystem {
    pub name: String,
    pub model: SystemModel,
    /// mol of RE per litre of loaded organic, to report organic volumetric flows.
    pub organic_capacity_mol_per_l: Option<f64>,
}

/// A cascade placed in the flowsheet.
#[derive(Debug, Clone, PartialEq)]
pub struct CascadeUnit {
    pub name: String,
    /// Index into [`Flowsheet::systems`].
    pub system: usize,
    /// Streams mixed to feed the cascade.
    pub feeds: Vec<String>,
    pub cascade: Cascade,
    pub raffinate: String,
    pub extract: String,
}

/// A product and its specification.
#[derive(Debug, Clone, PartialEq)]
pub struct ProductSpec {
    pub name: String,
    pub stream: String,
    pub element: Element,
    pub min_purity_pct: Option<f64>,
    pub min_recovery_pct: Option<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Flowsheet {
    pub name: String,
    pub basis: Option<Basis>,
    pub systems: Vec<ExtractantSystem>,
    /// Streams entering the flowsheet, mol/h.
    pub feeds: IndexMap<String, Stream>,
    /// In an order where every cascade comes after the cascades that feed it.
    pub cascades: Vec<CascadeUnit>,
    pub products: Vec<ProductSpec>,
}

impl Flowsheet {
    /// Total of every element over all flowsheet feeds, mol/h.
    pub fn total_feed(&self) -> BTreeMap<Element, f64> {
        let mut total = BTreeMap::new();
        for stream in self.feeds.values() {
            for (e, f) in stream.flows() {
                *total.entry(e).or_insert(0.0) += f;
            }
        }
        total
    }
}
