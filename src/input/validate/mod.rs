//! Raw records to a typed [`Flowsheet`]: every check a file can fail, each with the span of
//! the value to change. Errors are collected, not returned at the first, so one run reports
//! everything it can.

use std::collections::BTreeMap;
use std::ops::Range;

use indexmap::IndexMap;
use toml::Spanned;

use network::RawUnit;

mod cascade;
mod chemistry;
mod confidence;
mod design;
mod equipment;
mod limits;
mod mass_action;
mod materials;
mod network;
mod products;

use super::diagnostic::Diagnostic;
use super::raw::{NamedValues, RawFlowsheet};
use super::suggest::closest;
use crate::elements::Element;
use crate::flowsheet::{Basis, CascadeUnit, DEFAULT_HOURS_PER_YEAR, ExtractantSystem, Flowsheet};

/// Largest number of stages a cascade may have; real cascades have at most a few hundred.
pub const MAX_STAGES: u32 = 5000;
/// Relative tolerance on a composition's sum (to 1 or to 100 %).
pub const COMPOSITION_SUM_TOLERANCE: f64 = 1e-3;
/// Largest stream flow accepted: far above any plant (the world's REO output is of order
/// 1e5 mol/h), low enough that stage fluxes stay finite in doubles.
pub const MAX_FLOW_MOL_PER_H: f64 = 1e12;

/// `design_mode`: cascades with design targets may leave out their stage counts and ratios
/// (for `sxcascade design`, which fills them in).
pub fn validate(
    raw: RawFlowsheet,
    whole_file: Range<usize>,
    design_mode: bool,
) -> Result<Flowsheet, Vec<Diagnostic>> {
    let mut v = Validator {
        design_mode,
        ..Validator::default()
    };
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
    design_mode: bool,
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
        let units = RawUnit::all(&raw);
        self.topology(&raw, &units);
        let cascades = self.cascades(&raw, &system_index, &systems);
        let splitters: Option<Vec<_>> = raw.splitters.iter().map(|s| self.splitter(s)).collect();
        let products = self.products(&raw, &units);
        let prices = match &raw.prices {
            Some(p) => self.prices(p.get_ref()).map(Some),
            None => Some(None),
        };
        if raw.cascades.is_empty() {
            self.error(
                whole_file.start..whole_file.start,
                "the flowsheet has no `[[cascades]]`: add at least one",
            );
        }
        let flowsheet = Flowsheet {
            name: raw.name.get_ref().clone(),
            basis,
            systems,
            feeds,
            cascades: cascades?,
            splitters: splitters?,
            products: products?,
            prices: prices?,
        };
        if self.errors.is_empty() {
            self.check_elements(&raw, &flowsheet);
            self.check_loops(&flowsheet, &units);
        }
        Some(flowsheet)
    }

    /// The cascades that can be built, in file order; `None` if any cannot.
    fn cascades(
        &mut self,
        raw: &RawFlowsheet,
        system_index: &BTreeMap<String, usize>,
        systems: &[ExtractantSystem],
    ) -> Option<Vec<CascadeUnit>> {
        let mut units = Vec::new();
        let mut ok = true;
        for c in &raw.cascades {
            let c = c.get_ref();
            let Some(&system) = system_index.get(c.system.get_ref()) else {
                if !raw.systems.contains_key(c.system.get_ref()) {
                    let name = c.system.get_ref();
                    let advice = match closest(name, raw.systems.keys().map(String::as_str)) {
                        Some(meant) => format!(": did you mean `{meant}`?"),
                        None => format!("; define `[systems.{name}]`"),
                    };
                    self.error(
                        c.system.span(),
                        format!("cascade `{}`: no system `{name}`{advice}", c.name.get_ref()),
                    );
                }
                ok = false;
                continue;
            };
            let errors_before = self.errors.len();
            let design = c
                .design
                .as_ref()
                .and_then(|d| self.design_spec(c, d, &systems[system]));
            if c.design.is_some() {
                self.designable(c);
            }
            // A design table with errors is reported as such, not also as "run design first".
            let design_valid = self.errors.len() == errors_before;
            let concentrations = self.concentrations(c);
            let defaults = raw.equipment.as_ref().map(|e| e.get_ref());
            let mixer_settlers = self.mixer_settlers(c, defaults, &systems[system], concentrations);
            match self.cascade(c, &systems[system].model, design_valid) {
                Some(cascade) => units.push(CascadeUnit {
                    name: c.name.get_ref().clone(),
                    system,
                    feeds: c.feed.get_ref().names(),
                    cascade,
                    raffinate: c.raffinate.get_ref().clone(),
                    extract: c.extract.get_ref().clone(),
                    side_draw: c.side_draw.as_ref().map(|s| s.get_ref().clone()),
                    concentrations,
                    design,
                    mixer_settlers,
                }),
                None => ok = false,
            }
        }
        ok.then_some(units)
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

    /// A positive number, within its field's range if it has one ([`limits`]).
    fn positive(&mut self, field: &str, value: &Spanned<f64>) -> Option<f64> {
        let x = *value.get_ref();
        if !(x > 0.0 && x.is_finite()) {
            self.error(
                value.span(),
                format!("`{field}` = {x} must be a positive number"),
            );
            return None;
        }
        match limits::limit(field) {
            Some(l) if !(l.min..=l.max).contains(&x) => {
                let unit = if l.unit.is_empty() {
                    String::new()
                } else {
                    format!(" {}", l.unit)
                };
                self.error(
                    value.span(),
                    format!(
                        "`{field}` = {}{unit} is outside its range, {} to {}{unit} \
                         (check the value and its unit)",
                        readable(x),
                        readable(l.min),
                        readable(l.max)
                    ),
                );
                None
            }
            _ => Some(x),
        }
    }

    /// `value` when `ok(value)`; otherwise an error at its span: "`field` = x `wanted`".
    fn bounded(
        &mut self,
        owner: &str,
        field: &str,
        value: &Spanned<f64>,
        ok: impl Fn(f64) -> bool,
        wanted: &str,
    ) -> Option<f64> {
        let x = *value.get_ref();
        if ok(x) {
            Some(x)
        } else {
            self.error(value.span(), format!("{owner}: `{field}` = {x} {wanted}"));
            None
        }
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
}

/// `x` as written by hand: plainly from 0.001 to a million, else in exponent form.
fn readable(x: f64) -> String {
    if (1e-3..1e6).contains(&x.abs()) {
        format!("{x}")
    } else {
        format!("{x:e}")
    }
}

/// "`field` "x" must be "a" or "b"", with the word probably meant.
fn not_a_choice(owner: &str, field: &str, given: &str, allowed: &[&str]) -> String {
    let quoted: Vec<String> = allowed.iter().map(|a| format!("\"{a}\"")).collect();
    let list = match quoted.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        _ => quoted.join(""),
    };
    let meant = closest(given, allowed.iter().copied())
        .map(|m| format!(": did you mean \"{m}\"?"))
        .unwrap_or_default();
    format!("{owner}: `{field}` \"{given}\" must be {list}{meant}")
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
