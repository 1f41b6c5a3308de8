//! The stream graph: unit names, who produces and who consumes each stream, splitters, the
//! elements each stream can carry, and recycle loops that have a way out.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use indexmap::IndexMap;
use toml::Spanned;

use super::Validator;
use crate::cascade::SystemModel;
use crate::elements::Element;
use crate::flowsheet::{CascadeUnit, ExtractantSystem, Flowsheet, SplitterUnit, UnitId, sequence};
use crate::input::raw::{RawFlowsheet, RawSplitter};
use crate::input::suggest::closest;

/// How far splitter fractions may sum from 1 (they are then rescaled to sum to 1 exactly, so
/// that the splitter closes its balance to rounding).
pub const SPLIT_SUM_TOLERANCE: f64 = 1e-6;

/// A cascade or splitter as the file gives it: names and where they are written.
pub(super) struct RawUnit<'a> {
    pub name: &'a Spanned<String>,
    pub inlets: Vec<(String, Range<usize>)>,
    pub outlets: Vec<(&'a str, Range<usize>)>,
}

impl<'a> RawUnit<'a> {
    /// Cascades first, then splitters: the order of [`Flowsheet::units`].
    pub fn all(raw: &'a RawFlowsheet) -> Vec<Self> {
        let cascades = raw.cascades.iter().map(|c| {
            let c = c.get_ref();
            RawUnit {
                name: &c.name,
                inlets: c
                    .feed
                    .get_ref()
                    .names()
                    .into_iter()
                    .map(|f| (f, c.feed.span()))
                    .collect(),
                outlets: [Some(&c.raffinate), Some(&c.extract), c.side_draw.as_ref()]
                    .into_iter()
                    .flatten()
                    .map(|s| (s.get_ref().as_str(), s.span()))
                    .collect(),
            }
        });
        let splitters = raw.splitters.iter().map(|s| {
            let s = s.get_ref();
            RawUnit {
                name: &s.name,
                inlets: vec![(s.inlet.get_ref().clone(), s.inlet.span())],
                outlets: s
                    .outlets
                    .get_ref()
                    .iter()
                    .map(|(name, fraction)| (name.as_str(), fraction.span()))
                    .collect(),
            }
        });
        cascades.chain(splitters).collect()
    }
}

impl Validator {
    /// Unit names are unique; every stream is produced once (a feed or one unit's outlet),
    /// consumed by at most one unit, and consumed only if produced; no unit feeds itself.
    pub(super) fn topology(&mut self, raw: &RawFlowsheet, units: &[RawUnit<'_>]) {
        let mut names = BTreeSet::new();
        let mut producer: BTreeMap<&str, Option<usize>> =
            raw.streams.keys().map(|k| (k.as_str(), None)).collect();
        for (k, unit) in units.iter().enumerate() {
            if unit.name.get_ref().trim().is_empty() {
                self.error(unit.name.span(), "`name` is empty: give the unit a name");
            }
            for (stream, span) in unit.outlets.iter().filter(|(s, _)| s.trim().is_empty()) {
                self.error(
                    span.clone(),
                    format!("an outlet stream's name is empty (\"{stream}\"): give it a name"),
                );
            }
            if !names.insert(unit.name.get_ref()) {
                self.error(
                    unit.name.span(),
                    format!(
                        "duplicate unit name `{}`: cascades and splitters need unique names",
                        unit.name.get_ref()
                    ),
                );
            }
            for (stream, span) in &unit.outlets {
                if producer.insert(stream, Some(k)).is_some() {
                    self.error(
                        span.clone(),
                        format!(
                            "stream `{stream}` is defined twice: every stream name must be unique"
                        ),
                    );
                }
            }
        }
        let mut consumer: BTreeMap<&str, usize> = BTreeMap::new();
        for (k, unit) in units.iter().enumerate() {
            let name = unit.name.get_ref();
            if unit.inlets.is_empty() {
                self.error(
                    unit.name.span(),
                    format!("`{name}`: `feed` lists no stream"),
                );
            }
            for (stream, span) in &unit.inlets {
                match producer.get(stream.as_str()) {
                    None => {
                        let advice = match closest(stream, producer.keys().copied()) {
                            Some(meant) => format!(": did you mean `{meant}`?"),
                            None => format!(
                                "; define `[streams.{stream}]` or name a cascade's raffinate or \
                                 extract or a splitter's outlet"
                            ),
                        };
                        self.error(
                            span.clone(),
                            format!(
                                "`{name}`: `{stream}` is not a stream of the flowsheet{advice}"
                            ),
                        )
                    }
                    Some(Some(p)) if *p == k => self.error(
                        span.clone(),
                        format!(
                            "`{name}` is fed by its own outlet `{stream}`; to recycle part of it, \
                             divide it with a `[[splitters]]` unit and feed back one outlet"
                        ),
                    ),
                    _ => {}
                }
                if let Some(previous) = consumer.insert(stream, k) {
                    let message = if previous == k {
                        format!("`{name}` lists `{stream}` twice: name each stream once")
                    } else {
                        format!(
                            "stream `{stream}` feeds both `{}` and `{name}`: a stream feeds one \
                             unit; divide it with a `[[splitters]]` unit",
                            units[previous].name.get_ref()
                        )
                    };
                    self.error(span.clone(), message);
                }
            }
        }
    }

    pub(super) fn splitter(&mut self, raw: &Spanned<RawSplitter>) -> Option<SplitterUnit> {
        let s = raw.get_ref();
        let name = s.name.get_ref();
        let mut outlets = Vec::new();
        let mut ok = true;
        for (outlet, fraction) in s.outlets.get_ref() {
            let x = *fraction.get_ref();
            if (0.0..=1.0).contains(&x) {
                outlets.push((outlet.clone(), x));
            } else {
                self.error(
                    fraction.span(),
                    format!(
                        "splitter `{name}`: outlet `{outlet}` = {x} must be a fraction from 0 to 1"
                    ),
                );
                ok = false;
            }
        }
        if outlets.is_empty() && ok {
            self.error(
                s.outlets.span(),
                format!("splitter `{name}`: `outlets` is empty; give `{{ name = fraction, ... }}`"),
            );
            return None;
        }
        let sum: f64 = outlets.iter().map(|(_, x)| x).sum();
        if ok && (sum - 1.0).abs() > SPLIT_SUM_TOLERANCE {
            self.error(
                s.outlets.span(),
                format!("splitter `{name}`: outlet fractions sum to {sum}, not 1"),
            );
            ok = false;
        }
        outlets.iter_mut().for_each(|(_, x)| *x /= sum);
        ok.then(|| SplitterUnit {
            name: name.clone(),
            inlet: s.inlet.get_ref().clone(),
            outlets,
        })
    }

    /// Every element reaching a cascade must have a parameter in its system, and every
    /// product's element must reach its stream. What a stream can carry is propagated round
    /// the graph (recycles included) until nothing changes. Run on a flowsheet without other
    /// errors, so that every stream's definition is known.
    pub(super) fn check_elements(&mut self, raw: &RawFlowsheet, flowsheet: &Flowsheet) {
        let mut carried: BTreeMap<&str, BTreeSet<Element>> = flowsheet
            .feeds
            .iter()
            .map(|(name, s)| {
                let present = s.flows().filter(|(_, f)| *f > 0.0).map(|(e, _)| e);
                (name.as_str(), present.collect())
            })
            .collect();
        let inflow = |carried: &BTreeMap<&str, BTreeSet<Element>>, unit| {
            let inlets = flowsheet.inlets(unit).iter();
            let sets = inlets.filter_map(|s| carried.get(s.as_str()));
            sets.flatten().copied().collect::<BTreeSet<Element>>()
        };
        // Each pass can only add elements, and there are 15 of them: this ends.
        let mut changed = true;
        while changed {
            changed = false;
            for unit in flowsheet.units() {
                let elements = inflow(&carried, unit);
                let live = flowsheet.live_outlets(unit);
                for outlet in flowsheet.outlets(unit) {
                    let carries = if live.contains(&outlet) {
                        elements.clone()
                    } else {
                        BTreeSet::new()
                    };
                    if carried.get(outlet) != Some(&carries) {
                        carried.insert(outlet, carries);
                        changed = true;
                    }
                }
            }
        }
        for (k, unit) in flowsheet.cascades.iter().enumerate() {
            let elements = inflow(&carried, UnitId::Cascade(k));
            if elements.is_empty() {
                self.error(
                    raw.cascades[k].get_ref().feed.span(),
                    format!(
                        "cascade `{}`: no rare earth can reach it (its feeds carry nothing: a \
                         splitter outlet of fraction 0?)",
                        unit.name
                    ),
                );
                continue;
            }
            let span = raw.cascades[k].get_ref().system.span();
            self.check_parameters(unit, &flowsheet.systems[unit.system], &elements, span);
        }
        for p in &raw.products {
            let p = p.get_ref();
            if let (Some(elements), Ok(e)) = (
                carried.get(p.stream.get_ref().as_str()),
                p.element.get_ref().parse::<Element>(),
            ) && !elements.contains(&e)
            {
                self.error(
                    p.element.span(),
                    format!(
                        "product `{}`: stream `{}` carries no {e}",
                        p.name.get_ref(),
                        p.stream.get_ref()
                    ),
                );
            }
        }
    }

    fn check_parameters(
        &mut self,
        unit: &CascadeUnit,
        system: &ExtractantSystem,
        elements: &BTreeSet<Element>,
        span: Range<usize>,
    ) {
        let (has, field): (&dyn Fn(&Element) -> bool, _) = match &system.model {
            SystemModel::Saturated { separation_factors } => {
                (&|e| separation_factors.contains_key(e), "separation factor")
            }
            SystemModel::ConstantD {
                distribution_ratios,
            } => (
                &|e| distribution_ratios.contains_key(e),
                "distribution ratio",
            ),
            SystemModel::PhCorrelation { coefficients, .. } => {
                (&|e| coefficients.contains_key(e), "pH coefficients")
            }
            SystemModel::MassAction(m) => (&|e| m.log10_k.contains_key(e), "log10_k"),
        };
        let missing: Vec<String> = elements
            .iter()
            .filter(|e| !has(e))
            .map(|e| e.to_string())
            .collect();
        if missing.is_empty() {
            return;
        }
        self.error(
            span,
            format!(
                "cascade `{}`: its feed carries {} but system `{}` has no {field} for {}",
                unit.name,
                missing.join(", "),
                system.name,
                if missing.len() == 1 { "it" } else { "them" }
            ),
        );
    }

    /// A recycle loop must let material out: if every stream its units produce is fed back
    /// into the loop, rare earths accumulate without bound and there is no steady state.
    pub(super) fn check_loops(&mut self, flowsheet: &Flowsheet, units: &[RawUnit<'_>]) {
        let ids: IndexMap<_, usize> = flowsheet.units().zip(0..).collect();
        for block in sequence(flowsheet).iter().filter(|b| b.is_recycle()) {
            let inside: BTreeSet<&str> = block
                .units
                .iter()
                .flat_map(|&u| flowsheet.inlets(u))
                .map(String::as_str)
                .collect();
            // A way out is an outlet that carries something and is not fed back.
            let leaves = block
                .units
                .iter()
                .flat_map(|&u| flowsheet.live_outlets(u))
                .any(|s| !inside.contains(s));
            if !leaves {
                let names: Vec<&str> = block
                    .units
                    .iter()
                    .map(|&u| flowsheet.unit_name(u))
                    .collect();
                self.error(
                    units[ids[&block.units[0]]].name.span(),
                    format!(
                        "units {} form a closed loop: everything they produce is fed back, so rare \
                         earths accumulate without a steady state; send one outlet out of the loop \
                         (a splitter outlet or a product)",
                        names.join(", ")
                    ),
                );
            }
        }
    }
}
