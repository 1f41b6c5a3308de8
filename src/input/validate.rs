//! Raw records to a typed [`Flowsheet`]: every check a file can fail, each with the span of
//! the value to change. Errors are collected, not returned at the first, so one run reports
//! everything it can.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use indexmap::IndexMap;
use toml::Spanned;

use super::diagnostic::Diagnostic;
use super::raw::{NamedValues, RawCascade, RawFeed, RawFlowsheet, RawStream, RawSystem};
use crate::cascade::{Cascade, FeedPhase, OperatingPoint, SystemModel};
use crate::elements::Element;
use crate::error::CascadeError;
use crate::flowsheet::{
    Basis, CascadeUnit, DEFAULT_HOURS_PER_YEAR, ExtractantSystem, Flowsheet, ProductSpec,
};
use crate::stream::Stream;

/// Largest number of stages a cascade may have; real cascades have at most a few hundred.
pub const MAX_STAGES: u32 = 5000;
/// Relative tolerance on a composition's sum (to 1 or to 100 %).
pub const COMPOSITION_SUM_TOLERANCE: f64 = 1e-3;
/// Largest stream flow accepted: far above any plant (the world's REO output is of order
/// 1e5 mol/h), low enough that stage fluxes stay finite in doubles.
pub const MAX_FLOW_MOL_PER_H: f64 = 1e12;

pub fn validate(raw: RawFlowsheet, whole_file: Range<usize>) -> Result<Flowsheet, Vec<Diagnostic>> {
    let mut v = Validator::default();
    let flowsheet = v.flowsheet(raw, whole_file);
    if v.errors.is_empty() {
        Ok(flowsheet.expect("a flowsheet is built whenever no error was found"))
    } else {
        v.errors.sort_by_key(|d| d.span.start);
        Err(v.errors)
    }
}

/// Which of two alternative fields a file gave.
enum Either<'a, A, B> {
    First(&'a Spanned<A>),
    Second(&'a Spanned<B>),
}

#[derive(Default)]
struct Validator {
    errors: Vec<Diagnostic>,
}

impl Validator {
    fn error(&mut self, span: Range<usize>, message: impl Into<String>) {
        self.errors.push(Diagnostic::new(span, message));
    }

    fn flowsheet(&mut self, raw: RawFlowsheet, whole_file: Range<usize>) -> Option<Flowsheet> {
        if raw.name.get_ref().trim().is_empty() {
            self.error(
                raw.name.span(),
                "`name` is empty: give the flowsheet a name",
            );
        }
        let basis = raw.basis.as_ref().and_then(|b| {
            let b = b.get_ref();
            let reo = self.positive("reo_t_per_year", &b.reo_t_per_year)?;
            let hours = match &b.hours_per_year {
                Some(h) => self.positive("hours_per_year", h)?,
                None => DEFAULT_HOURS_PER_YEAR,
            };
            Some(Basis {
                reo_t_per_year: reo,
                hours_per_year: hours,
            })
        });
        let mut systems = Vec::new();
        let mut system_index = BTreeMap::new();
        for (name, system) in &raw.systems {
            if let Some(s) = self.system(name, system) {
                system_index.insert(name.clone(), systems.len());
                systems.push(s);
            }
        }
        let mut feeds = IndexMap::new();
        for (name, stream) in &raw.streams {
            if let Some(s) = self.stream(name, stream, basis, raw.basis.is_some()) {
                feeds.insert(name.clone(), s);
            }
        }
        for splitter in &raw.splitters {
            self.error(
                splitter.span(),
                "`[[splitters]]` (and so recycles) are not supported by this version of \
                 sxcascade; remove the splitter and feed each stream to one cascade",
            );
        }
        let cascades = self.cascades(&raw, &system_index, &systems, &feeds, whole_file.clone());
        let products = self.products(&raw);
        if raw.cascades.is_empty() {
            self.error(
                whole_file.start..whole_file.start,
                "the flowsheet has no `[[cascades]]`: add at least one",
            );
        }
        Some(Flowsheet {
            name: raw.name.into_inner(),
            basis,
            systems,
            feeds,
            cascades: cascades?,
            products: products?,
        })
    }

    /// Exactly one of two alternative fields of `owner`: giving both is reported at the
    /// second, giving neither at `missing_at` with the message `missing`.
    fn one_of<'a, A, B>(
        &mut self,
        owner: &str,
        (first_key, first): (&str, &'a Option<Spanned<A>>),
        (second_key, second): (&str, &'a Option<Spanned<B>>),
        missing_at: Range<usize>,
        missing: &str,
    ) -> Option<Either<'a, A, B>> {
        match (first, second) {
            (Some(a), None) => Some(Either::First(a)),
            (None, Some(b)) => Some(Either::Second(b)),
            (Some(_), Some(b)) => {
                self.error(
                    b.span(),
                    format!("{owner}: give `{first_key}` or `{second_key}`, not both"),
                );
                None
            }
            (None, None) => {
                self.error(missing_at, format!("{owner} {missing}"));
                None
            }
        }
    }

    fn positive(&mut self, field: &str, value: &Spanned<f64>) -> Option<f64> {
        let x = *value.get_ref();
        if x > 0.0 && x.is_finite() {
            Some(x)
        } else {
            self.error(
                value.span(),
                format!("`{field}` = {x} must be a positive number"),
            );
            None
        }
    }

    fn system(&mut self, name: &str, raw: &Spanned<RawSystem>) -> Option<ExtractantSystem> {
        let s = raw.get_ref();
        let model = s
            .model
            .as_ref()
            .map_or("saturated", |m| m.get_ref().as_str());
        let (wanted, other, other_name) = match model {
            "saturated" => (
                &s.separation_factors,
                &s.distribution_ratios,
                "distribution_ratios",
            ),
            "constant_d" => (
                &s.distribution_ratios,
                &s.separation_factors,
                "separation_factors",
            ),
            unknown => {
                let span = s.model.as_ref().map_or(raw.span(), Spanned::span);
                self.error(
                    span,
                    format!(
                        "system `{name}`: unknown `model` \"{unknown}\"; use \"saturated\" or \"constant_d\""
                    ),
                );
                return None;
            }
        };
        let field = if model == "saturated" {
            "separation_factors"
        } else {
            "distribution_ratios"
        };
        if let Some(o) = other {
            self.error(
                o.span(),
                format!("system `{name}`: `{other_name}` does not belong to model \"{model}\"; give `{field}`"),
            );
        }
        let Some(values) = wanted else {
            self.error(
                raw.span(),
                format!(
                    "system `{name}`: model \"{model}\" needs `{field} = {{ La = ..., Ce = ... }}`"
                ),
            );
            return None;
        };
        let parameters = self.element_values(values, field, |me, v, span| {
            if v > 0.0 && v.is_finite() {
                true
            } else {
                me.error(
                    span,
                    format!("system `{name}`: `{field}` must be positive, got {v}"),
                );
                false
            }
        })?;
        if parameters.is_empty() {
            self.error(
                values.span(),
                format!("system `{name}`: `{field}` is empty"),
            );
            return None;
        }
        let organic_capacity_mol_per_l = match &s.organic_capacity_mol_per_l {
            Some(c) => Some(self.positive("organic_capacity_mol_per_l", c)?),
            None => None,
        };
        let model = match model {
            "saturated" => SystemModel::Saturated {
                separation_factors: parameters,
            },
            _ => SystemModel::ConstantD {
                distribution_ratios: parameters,
            },
        };
        Some(ExtractantSystem {
            name: name.to_string(),
            model,
            organic_capacity_mol_per_l,
        })
    }

    /// A table keyed by element symbols, each value passing `check`.
    fn element_values(
        &mut self,
        values: &NamedValues,
        field: &str,
        mut check: impl FnMut(&mut Self, f64, Range<usize>) -> bool,
    ) -> Option<BTreeMap<Element, f64>> {
        let mut out = BTreeMap::new();
        let mut ok = true;
        for (key, value) in values.get_ref() {
            match key.parse::<Element>() {
                Ok(e) => {
                    if check(self, *value.get_ref(), value.span()) {
                        out.insert(e, *value.get_ref());
                    } else {
                        ok = false;
                    }
                }
                Err(unknown) => {
                    let hint = Element::from_oxide_name(key)
                        .map(|e| format!(" (`{key}` is an oxide: write `{e}` here)"))
                        .unwrap_or_default();
                    self.error(value.span(), format!("`{field}`: {unknown}{hint}"));
                    ok = false;
                }
            }
        }
        ok.then_some(out)
    }

    fn stream(
        &mut self,
        name: &str,
        raw: &Spanned<RawStream>,
        basis: Option<Basis>,
        basis_declared: bool,
    ) -> Option<Stream> {
        let s = raw.get_ref();
        let composition = match self.one_of(
            &format!("stream `{name}`"),
            ("composition_mol", &s.composition_mol),
            ("composition_oxide_pct", &s.composition_oxide_pct),
            raw.span(),
            "has no composition: add `composition_mol = { ... }` (mole fractions) or \
             `composition_oxide_pct = { ... }` (% of REO mass)",
        )? {
            Either::First(mol) => self.composition_mol(name, mol)?,
            Either::Second(pct) => self.composition_oxide(name, pct)?,
        };
        // Fluxes for 1 mol/h of RE in total, then scaled to the stream's flow.
        let total_mol_per_h = match self.one_of(
            &format!("stream `{name}`"),
            ("flow_mol_per_h", &s.flow_mol_per_h),
            ("share_of_basis", &s.share_of_basis),
            raw.span(),
            "has no flow: add `flow_mol_per_h` or `share_of_basis`",
        )? {
            Either::First(flow) => self.positive("flow_mol_per_h", flow)?,
            Either::Second(share) => {
                let share_value = self.positive("share_of_basis", share)?;
                let Some(basis) = basis else {
                    if basis_declared {
                        // The [basis] table itself is wrong and already reported.
                        return None;
                    }
                    self.error(
                        share.span(),
                        format!("stream `{name}`: `share_of_basis` needs a `[basis]` table with `reo_t_per_year`"),
                    );
                    return None;
                };
                let g_per_mol = composition.reo_g_per_h();
                share_value * basis.reo_g_per_h() / g_per_mol
            }
        };
        if total_mol_per_h.is_nan() || total_mol_per_h > MAX_FLOW_MOL_PER_H {
            let span = s
                .flow_mol_per_h
                .as_ref()
                .or(s.share_of_basis.as_ref())
                .map_or(raw.span(), Spanned::span);
            self.error(
                span,
                format!(
                    "stream `{name}`: {total_mol_per_h:e} mol/h is above the limit of \
                     {MAX_FLOW_MOL_PER_H:e} mol/h (check the flow and the [basis])"
                ),
            );
            return None;
        }
        Some(Stream::new(
            composition.flows().map(|(e, x)| (e, x * total_mol_per_h)),
        ))
    }

    /// Mole fractions summing to 1, as a stream of 1 mol/h.
    fn composition_mol(&mut self, name: &str, values: &NamedValues) -> Option<Stream> {
        let fractions = self.element_values(values, "composition_mol", |me, v, span| {
            non_negative(me, name, "composition_mol", v, span)
        })?;
        let sum: f64 = fractions.values().sum();
        self.check_sum(name, "composition_mol", values.span(), sum, 1.0)?;
        Some(Stream::new(
            fractions.into_iter().map(|(e, x)| (e, x / sum)),
        ))
    }

    /// Oxide mass % summing to 100, as a stream of 1 mol/h.
    fn composition_oxide(&mut self, name: &str, values: &NamedValues) -> Option<Stream> {
        let field = "composition_oxide_pct";
        let mut mol = BTreeMap::new();
        let mut ok = true;
        let mut sum = 0.0;
        for (key, value) in values.get_ref() {
            let pct = *value.get_ref();
            match Element::from_oxide_name(key) {
                Ok(e) => {
                    if non_negative(self, name, field, pct, value.span()) {
                        sum += pct;
                        mol.insert(e, e.mol_from_oxide_g(pct));
                    } else {
                        ok = false;
                    }
                }
                Err(unknown) => {
                    let hint = key
                        .parse::<Element>()
                        .map(|e| {
                            format!(
                                " (`{key}` is an element: write its oxide `{}` here)",
                                e.oxide_name()
                            )
                        })
                        .unwrap_or_default();
                    self.error(value.span(), format!("`{field}`: {unknown}{hint}"));
                    ok = false;
                }
            }
        }
        if !ok {
            return None;
        }
        self.check_sum(name, field, values.span(), sum, 100.0)?;
        let total: f64 = mol.values().sum();
        Some(Stream::new(mol.into_iter().map(|(e, m)| (e, m / total))))
    }

    fn check_sum(
        &mut self,
        name: &str,
        field: &str,
        span: Range<usize>,
        sum: f64,
        target: f64,
    ) -> Option<()> {
        if (sum - target).abs() <= COMPOSITION_SUM_TOLERANCE * target {
            Some(())
        } else {
            self.error(
                span,
                format!("stream `{name}`: `{field}` sums to {sum}, not {target} (within 0.1 %)"),
            );
            None
        }
    }

    fn cascades(
        &mut self,
        raw: &RawFlowsheet,
        system_index: &BTreeMap<String, usize>,
        systems: &[ExtractantSystem],
        feeds: &IndexMap<String, Stream>,
        whole_file: Range<usize>,
    ) -> Option<Vec<CascadeUnit>> {
        let errors_before = self.errors.len();
        // Where each stream name is produced, and by whom.
        let mut producer: BTreeMap<String, Option<usize>> =
            raw.streams.keys().map(|k| (k.clone(), None)).collect();
        let mut names = BTreeSet::new();
        for (k, c) in raw.cascades.iter().enumerate() {
            let c = c.get_ref();
            if !names.insert(c.name.get_ref().clone()) {
                self.error(
                    c.name.span(),
                    format!("duplicate cascade name `{}`", c.name.get_ref()),
                );
            }
            for out in [&c.raffinate, &c.extract] {
                if producer.insert(out.get_ref().clone(), Some(k)).is_some() {
                    self.error(
                        out.span(),
                        format!(
                            "stream `{}` is defined twice: every stream name must be unique",
                            out.get_ref()
                        ),
                    );
                }
            }
        }
        let mut consumer: BTreeMap<String, usize> = BTreeMap::new();
        let mut units = Vec::new();
        for (k, spanned) in raw.cascades.iter().enumerate() {
            let c = spanned.get_ref();
            let feed_names = match c.feed.get_ref() {
                RawFeed::One(s) => vec![s.clone()],
                RawFeed::Many(v) => v.clone(),
            };
            if feed_names.is_empty() {
                self.error(
                    c.feed.span(),
                    format!("cascade `{}`: `feed` lists no stream", c.name.get_ref()),
                );
            }
            for f in &feed_names {
                match producer.get(f) {
                    None => self.error(
                        c.feed.span(),
                        format!(
                            "cascade `{}`: feed `{f}` is not a stream of the flowsheet; define `[streams.{f}]` \
                             or name another cascade's raffinate or extract",
                            c.name.get_ref()
                        ),
                    ),
                    Some(Some(p)) if *p == k => self.error(
                        c.feed.span(),
                        format!("cascade `{}` is fed by its own output `{f}`", c.name.get_ref()),
                    ),
                    _ => {}
                }
                if let Some(previous) = consumer.insert(f.clone(), k) {
                    self.error(
                        c.feed.span(),
                        format!(
                            "stream `{f}` feeds both `{}` and `{}`: a stream can feed one cascade only",
                            raw.cascades[previous].get_ref().name.get_ref(),
                            c.name.get_ref()
                        ),
                    );
                }
            }
            let Some(&system) = system_index.get(c.system.get_ref()) else {
                if !raw.systems.contains_key(c.system.get_ref()) {
                    self.error(
                        c.system.span(),
                        format!(
                            "cascade `{}`: no system `{}`; define `[systems.{}]`",
                            c.name.get_ref(),
                            c.system.get_ref(),
                            c.system.get_ref()
                        ),
                    );
                }
                continue;
            };
            if let Some(cascade) = self.cascade(c, &systems[system].model) {
                units.push(CascadeUnit {
                    name: c.name.get_ref().clone(),
                    system,
                    feeds: feed_names,
                    cascade,
                    raffinate: c.raffinate.get_ref().clone(),
                    extract: c.extract.get_ref().clone(),
                });
            }
        }
        if self.errors.len() > errors_before {
            return None;
        }
        let ordered = self.solve_order(units, whole_file)?;
        self.check_elements(raw, &ordered, systems, feeds);
        Some(ordered)
    }

    fn cascade(&mut self, c: &RawCascade, model: &SystemModel) -> Option<Cascade> {
        let name = c.name.get_ref();
        let feed_phase = match c
            .feed_phase
            .as_ref()
            .map(|p| (p.get_ref().as_str(), p.span()))
        {
            None | Some(("aqueous", _)) => FeedPhase::Aqueous,
            Some(("organic", _)) => FeedPhase::Organic,
            Some((other, span)) => {
                self.error(span, format!("cascade `{name}`: `feed_phase` \"{other}\" must be \"aqueous\" or \"organic\""));
                return None;
            }
        };
        let (n, m) = (*c.extraction_stages.get_ref(), *c.scrub_stages.get_ref());
        let total = u64::from(n) + u64::from(m);
        if total > u64::from(MAX_STAGES) {
            self.error(
                c.extraction_stages.span(),
                format!(
                    "cascade `{name}`: {total} stages in all is above the limit of {MAX_STAGES}"
                ),
            );
            return None;
        }
        let operating_point = match model {
            SystemModel::Saturated { .. } => {
                self.forbid(name, "oa_ratio", &c.oa_ratio, "the saturated model");
                self.forbid(
                    name,
                    "scrub_oa_ratio",
                    &c.scrub_oa_ratio,
                    "the saturated model",
                );
                let Some(s) = &c.extraction_ratio else {
                    self.error(
                        c.name.span(),
                        format!("cascade `{name}`: missing field `extraction_ratio` (S)"),
                    );
                    return None;
                };
                let s = *s.get_ref();
                match self.one_of(
                    &format!("cascade `{name}`"),
                    ("reflux_ratio", &c.reflux_ratio),
                    ("scrub_ratio", &c.scrub_ratio),
                    c.name.span(),
                    "has neither `reflux_ratio` (R = W / (S - W)) nor `scrub_ratio` (W): give one",
                )? {
                    Either::First(r) => {
                        let reflux = *r.get_ref();
                        if !(reflux >= 0.0 && reflux.is_finite()) {
                            self.error(
                                r.span(),
                                format!("cascade `{name}`: `reflux_ratio` = {reflux} must be zero or positive"),
                            );
                            return None;
                        }
                        OperatingPoint::from_reflux_ratio(s, reflux)
                    }
                    Either::Second(w) => OperatingPoint::Fluxes {
                        extraction_ratio: s,
                        scrub_ratio: *w.get_ref(),
                    },
                }
            }
            SystemModel::ConstantD { .. } => {
                self.forbid(
                    name,
                    "extraction_ratio",
                    &c.extraction_ratio,
                    "the constant_d model",
                );
                self.forbid(name, "scrub_ratio", &c.scrub_ratio, "the constant_d model");
                let Some(oa) = &c.oa_ratio else {
                    self.error(c.name.span(), format!("cascade `{name}`: missing field `oa_ratio` (organic/aqueous flow ratio)"));
                    return None;
                };
                let scrub_oa = match (&c.scrub_oa_ratio, m) {
                    (Some(x), _) => *x.get_ref(),
                    (None, 0) => f64::NAN,
                    (None, _) => {
                        self.error(c.name.span(), format!("cascade `{name}`: missing field `scrub_oa_ratio` (O/A of the scrub section)"));
                        return None;
                    }
                };
                OperatingPoint::Volumetric {
                    oa_ratio: *oa.get_ref(),
                    scrub_oa_ratio: scrub_oa,
                    reflux_ratio: c.reflux_ratio.as_ref().map_or(0.0, |r| *r.get_ref()),
                }
            }
        };
        let cascade = Cascade {
            extraction_stages: n as usize,
            scrub_stages: m as usize,
            feed_stage: c.feed_stage.as_ref().map(|f| *f.get_ref() as usize),
            feed_phase,
            operating_point,
        };
        match cascade.check(model) {
            Ok(()) => Some(cascade),
            Err(CascadeError::Infeasible {
                parameter,
                value,
                requirement,
            }) => {
                let span = match parameter {
                    "extraction_stages" => Some(c.extraction_stages.span()),
                    "feed_stage" => c.feed_stage.as_ref().map(Spanned::span),
                    "feed_phase" => c.feed_phase.as_ref().map(Spanned::span),
                    "extraction_ratio" => c.extraction_ratio.as_ref().map(Spanned::span),
                    "scrub_ratio" => c
                        .scrub_ratio
                        .as_ref()
                        .or(c.reflux_ratio.as_ref())
                        .map(Spanned::span),
                    "reflux_ratio" => c.reflux_ratio.as_ref().map(Spanned::span),
                    "oa_ratio" => c.oa_ratio.as_ref().map(Spanned::span),
                    "scrub_oa_ratio" => c.scrub_oa_ratio.as_ref().map(Spanned::span),
                    _ => None,
                };
                let shown = if parameter == "scrub_ratio" && c.scrub_ratio.is_none() {
                    format!("scrub_ratio W = {value} (from reflux_ratio)")
                } else if value.is_nan() {
                    format!("`{parameter}`")
                } else {
                    format!("`{parameter}` = {value}")
                };
                self.error(
                    span.unwrap_or(c.name.span()),
                    format!("cascade `{name}`: {shown}: {requirement}"),
                );
                None
            }
            Err(other) => {
                self.error(c.name.span(), format!("cascade `{name}`: {other}"));
                None
            }
        }
    }

    fn forbid(&mut self, cascade: &str, field: &str, value: &Option<Spanned<f64>>, model: &str) {
        if let Some(v) = value {
            self.error(
                v.span(),
                format!("cascade `{cascade}`: `{field}` does not apply to {model}"),
            );
        }
    }

    /// Orders cascades so that each follows those producing its feeds; a cycle is a recycle,
    /// which this version cannot solve.
    fn solve_order(
        &mut self,
        units: Vec<CascadeUnit>,
        whole_file: Range<usize>,
    ) -> Option<Vec<CascadeUnit>> {
        let mut remaining = units;
        let mut ordered: Vec<CascadeUnit> = Vec::with_capacity(remaining.len());
        let mut available: BTreeSet<String> = BTreeSet::new();
        let outputs: BTreeSet<String> = remaining
            .iter()
            .flat_map(|u| [u.raffinate.clone(), u.extract.clone()])
            .collect();
        loop {
            let ready = remaining.iter().position(|u| {
                u.feeds
                    .iter()
                    .all(|f| !outputs.contains(f) || available.contains(f))
            });
            match ready {
                Some(k) => {
                    let u = remaining.remove(k);
                    available.insert(u.raffinate.clone());
                    available.insert(u.extract.clone());
                    ordered.push(u);
                }
                None if remaining.is_empty() => return Some(ordered),
                None => {
                    let names: Vec<&str> = remaining.iter().map(|u| u.name.as_str()).collect();
                    self.error(
                        whole_file.start..whole_file.start,
                        format!(
                            "cascades {} feed each other in a loop (a recycle), which this version \
                             of sxcascade cannot solve",
                            names.join(", ")
                        ),
                    );
                    return None;
                }
            }
        }
    }

    /// Every element reaching a cascade must have a parameter in its system, and every
    /// product's element must reach its stream. Streams whose own definition failed carry an
    /// unknown set of elements and are not judged, so one mistake is reported once.
    fn check_elements(
        &mut self,
        raw: &RawFlowsheet,
        ordered: &[CascadeUnit],
        systems: &[ExtractantSystem],
        feeds: &IndexMap<String, Stream>,
    ) {
        let mut carried: BTreeMap<String, Option<BTreeSet<Element>>> = raw
            .streams
            .keys()
            .map(|k| {
                let elements = feeds.get(k).map(|s| {
                    s.flows()
                        .filter(|(_, f)| *f > 0.0)
                        .map(|(e, _)| e)
                        .collect()
                });
                (k.clone(), elements)
            })
            .collect();
        for unit in ordered {
            let elements: Option<BTreeSet<Element>> = unit
                .feeds
                .iter()
                .map(|f| carried.get(f).cloned().flatten())
                .collect::<Option<Vec<_>>>()
                .map(|sets| sets.into_iter().flatten().collect());
            if let Some(elements) = &elements {
                self.check_parameters(raw, unit, &systems[unit.system], elements);
            }
            carried.insert(unit.raffinate.clone(), elements.clone());
            carried.insert(unit.extract.clone(), elements);
        }
        for p in &raw.products {
            let p = p.get_ref();
            if let (Some(Some(elements)), Ok(e)) = (
                carried.get(p.stream.get_ref()),
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
        raw: &RawFlowsheet,
        unit: &CascadeUnit,
        system: &ExtractantSystem,
        elements: &BTreeSet<Element>,
    ) {
        let (parameters, field) = match &system.model {
            SystemModel::Saturated { separation_factors } => {
                (separation_factors, "separation factor")
            }
            SystemModel::ConstantD {
                distribution_ratios,
            } => (distribution_ratios, "distribution ratio"),
        };
        let missing: Vec<String> = elements
            .iter()
            .filter(|e| !parameters.contains_key(e))
            .map(|e| e.to_string())
            .collect();
        if missing.is_empty() {
            return;
        }
        let span = raw
            .cascades
            .iter()
            .find(|c| *c.get_ref().name.get_ref() == unit.name)
            .map_or(0..0, |c| c.get_ref().system.span());
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

    fn products(&mut self, flowsheet: &RawFlowsheet) -> Option<Vec<ProductSpec>> {
        let raw = &flowsheet.products;
        let declared: BTreeSet<&String> = flowsheet
            .streams
            .keys()
            .chain(flowsheet.cascades.iter().flat_map(|c| {
                let c = c.get_ref();
                [c.raffinate.get_ref(), c.extract.get_ref()]
            }))
            .collect();
        let mut out = Vec::new();
        let mut ok = true;
        let mut names = BTreeSet::new();
        for p in raw {
            let p = p.get_ref();
            let name = p.name.get_ref();
            if !names.insert(name.clone()) {
                self.error(p.name.span(), format!("duplicate product name `{name}`"));
                ok = false;
            }
            let stream = p.stream.get_ref();
            if !declared.contains(stream) {
                self.error(
                    p.stream.span(),
                    format!("product `{name}`: no stream `{stream}` in the flowsheet"),
                );
                ok = false;
            }
            let element = match p.element.get_ref().parse::<Element>() {
                Ok(e) => Some(e),
                Err(unknown) => {
                    self.error(p.element.span(), format!("product `{name}`: {unknown}"));
                    ok = false;
                    None
                }
            };
            let mut percent = |field: &str, v: &Option<Spanned<f64>>| -> Option<f64> {
                let v = v.as_ref()?;
                let x = *v.get_ref();
                if x > 0.0 && x <= 100.0 {
                    Some(x)
                } else {
                    self.error(
                        v.span(),
                        format!("product `{name}`: `{field}` = {x} must be in (0, 100]"),
                    );
                    ok = false;
                    None
                }
            };
            let min_purity_pct = percent("min_purity_pct", &p.min_purity_pct);
            let min_recovery_pct = percent("min_recovery_pct", &p.min_recovery_pct);
            if let Some(element) = element {
                out.push(ProductSpec {
                    name: name.clone(),
                    stream: stream.clone(),
                    element,
                    min_purity_pct,
                    min_recovery_pct,
                });
            }
        }
        ok.then_some(out)
    }
}

fn non_negative(v: &mut Validator, stream: &str, field: &str, x: f64, span: Range<usize>) -> bool {
    if x >= 0.0 && x.is_finite() {
        true
    } else {
        v.error(
            span,
            format!("stream `{stream}`: `{field}` values must be zero or positive, got {x}"),
        );
        false
    }
}
