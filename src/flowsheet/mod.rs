//! A validated flowsheet: feeds, extractant systems, cascades in solve order and product
//! specifications, in plant units (mol/h). Built from a file by [`crate::input`]; solved by
//! [`Flowsheet::solve`].

mod equipment;
mod plant;
mod recycle;
mod sequence;
mod solution;
mod stage_flows;

use std::collections::{BTreeMap, BTreeSet};

use indexmap::IndexMap;

pub use equipment::{CascadeEquipment, PlantCost, PlantEquipment};
pub use plant::{Concentrations, PlantFlows, Reagents, SaponificationBase};
pub use recycle::{RECYCLE_MAX_ITERATIONS, RECYCLE_TOLERANCE, RecycleOutcome};
pub use sequence::{Block, UnitId, sequence};
pub use solution::{CascadeOutcome, FlowsheetSolution, ProductResult};

use crate::cascade::{Cascade, DrawPhase, SystemModel};
use crate::economics::Prices;
use crate::elements::Element;
use crate::equilibrium::FactorUncertainty;
use crate::equipment::MixerSettlerSpec;
use crate::stream::Stream;

/// Operating hours per year when a flowsheet does not say (330 days; docs/model.md section 1).
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
    pub saponification_base: SaponificationBase,
    /// How well the separation factors are known, for designs to a confidence.
    pub separation_factor_sigma: FactorUncertainty,
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
    /// The stream of the side draw, for a three-outlet cascade.
    pub side_draw: Option<String>,
    /// Of the aqueous inlets, to report aqueous volumetric flows.
    pub concentrations: Concentrations,
    /// What `sxcascade design` sizes this cascade for, if the file says.
    pub design: Option<DesignSpec>,
    /// How its mixer-settlers are sized, if the file says (equipment and inventory results).
    pub mixer_settlers: Option<MixerSettlerSpec>,
}

/// The split a cascade must make and how well.
#[derive(Debug, Clone, PartialEq)]
pub struct DesignSpec {
    /// The more extractable group, sent to the extract; the rest of the feed goes to the
    /// raffinate, but for the side draw's group of a three-outlet cascade.
    pub extract_elements: BTreeSet<Element>,
    /// A three-outlet cascade's middle group and where its draw is placed.
    pub side_draw: Option<DrawDesign>,
    /// Oxide-mass purity of each group in its product, %.
    pub raffinate_purity_pct: f64,
    pub extract_purity_pct: f64,
    /// Share of each group's feed that reaches its product, %.
    pub raffinate_recovery_pct: Option<f64>,
    pub extract_recovery_pct: Option<f64>,
    /// Reflux ratio as a multiple of the minimum; `None`: Xu's optimum.
    pub reflux_factor: Option<f64>,
    /// Meet the targets in a share of samples of the separation factors, not only at their
    /// nominal values.
    pub confidence: Option<crate::design::Confidence>,
}

/// The side draw of a three-outlet design: its group (the elements between the raffinate and
/// extract groups in extraction order), its phase, its place, counted from the feed stage
/// (down for an aqueous draw, up for an organic one) so that the stages the search adds go
/// between the draw and the product its group must be kept from, and its fraction, if the
/// file fixes it.
#[derive(Debug, Clone, PartialEq)]
pub struct DrawDesign {
    pub elements: BTreeSet<Element>,
    pub phase: DrawPhase,
    /// Stages between the feed stage and the draw: 0 draws from the feed stage itself.
    pub from_feed: usize,
    /// Share of the stage's outflow drawn; `None`: sized by mass balance from both recovery
    /// targets (the draw takes what the two products leave).
    pub fraction: Option<f64>,
}

/// Divides a stream into named fractions of the same composition: recycles and bleeds.
#[derive(Debug, Clone, PartialEq)]
pub struct SplitterUnit {
    pub name: String,
    pub inlet: String,
    /// Outlet stream names and their fractions of the inlet, summing to 1.
    pub outlets: Vec<(String, f64)>,
}

impl SplitterUnit {
    /// The outlet streams for `inlet`.
    pub fn split<'a>(&'a self, inlet: &'a Stream) -> impl Iterator<Item = (&'a str, Stream)> {
        self.outlets.iter().map(move |(name, fraction)| {
            let part = Stream::new(inlet.flows().map(|(e, f)| (e, fraction * f)));
            (name.as_str(), part)
        })
    }
}

/// What a stream is to the flowsheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StreamRole {
    /// Enters the flowsheet.
    Feed,
    /// Flows from one unit to another.
    Intermediate,
    /// A tear stream of a recycle loop.
    Recycle,
    /// Leaves the flowsheet and is judged as a product.
    Product,
    /// Leaves the flowsheet without a product specification.
    Effluent,
}

impl std::fmt::Display for StreamRole {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let name = match self {
            StreamRole::Feed => "feed",
            StreamRole::Intermediate => "intermediate",
            StreamRole::Recycle => "recycle",
            StreamRole::Product => "product",
            StreamRole::Effluent => "effluent",
        };
        f.write_str(name)
    }
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
    /// In file order; [`sequence`] gives the order they are solved in.
    pub cascades: Vec<CascadeUnit>,
    pub splitters: Vec<SplitterUnit>,
    pub products: Vec<ProductSpec>,
    /// Prices for the plant's cost, if the file gives them.
    pub prices: Option<Prices>,
}

impl Flowsheet {
    /// Operating hours per year: the basis's, or [`DEFAULT_HOURS_PER_YEAR`].
    pub fn hours_per_year(&self) -> f64 {
        self.basis
            .map_or(DEFAULT_HOURS_PER_YEAR, |b| b.hours_per_year)
    }

    /// Every unit: cascades, then splitters.
    pub fn units(&self) -> impl Iterator<Item = UnitId> + '_ {
        let cascades = (0..self.cascades.len()).map(UnitId::Cascade);
        cascades.chain((0..self.splitters.len()).map(UnitId::Splitter))
    }

    pub fn unit_name(&self, unit: UnitId) -> &str {
        match unit {
            UnitId::Cascade(k) => &self.cascades[k].name,
            UnitId::Splitter(k) => &self.splitters[k].name,
        }
    }

    /// Streams the unit consumes.
    pub fn inlets(&self, unit: UnitId) -> &[String] {
        match unit {
            UnitId::Cascade(k) => &self.cascades[k].feeds,
            UnitId::Splitter(k) => std::slice::from_ref(&self.splitters[k].inlet),
        }
    }

    /// Streams the unit produces.
    pub fn outlets(&self, unit: UnitId) -> Vec<&str> {
        match unit {
            UnitId::Cascade(k) => {
                let c = &self.cascades[k];
                [Some(&c.raffinate), Some(&c.extract), c.side_draw.as_ref()]
                    .into_iter()
                    .flatten()
                    .map(String::as_str)
                    .collect()
            }
            UnitId::Splitter(k) => self.splitters[k]
                .outlets
                .iter()
                .map(|(n, _)| n.as_str())
                .collect(),
        }
    }

    /// The outlets of `unit` that can carry anything: all but a splitter's outlets of
    /// fraction 0.
    pub fn live_outlets(&self, unit: UnitId) -> Vec<&str> {
        match unit {
            UnitId::Splitter(k) => self.splitters[k]
                .outlets
                .iter()
                .filter(|(_, fraction)| *fraction > 0.0)
                .map(|(n, _)| n.as_str())
                .collect(),
            UnitId::Cascade(_) => self.outlets(unit),
        }
    }

    /// The unit that consumes `stream`; `None` if the stream leaves the flowsheet.
    pub fn consumer(&self, stream: &str) -> Option<UnitId> {
        self.units()
            .find(|&u| self.inlets(u).iter().any(|s| s == stream))
    }

    /// What `stream` is to the flowsheet; `tears` are the recycle streams of [`sequence`].
    pub fn stream_role(&self, stream: &str, tears: &[String]) -> StreamRole {
        if self.feeds.contains_key(stream) {
            StreamRole::Feed
        } else if tears.iter().any(|t| t == stream) {
            StreamRole::Recycle
        } else if self.consumer(stream).is_some() {
            StreamRole::Intermediate
        } else if self.products.iter().any(|p| p.stream == stream) {
            StreamRole::Product
        } else {
            StreamRole::Effluent
        }
    }

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
