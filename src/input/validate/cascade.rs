//! One cascade's stages and operating point, checked against its extractant system's model.

use toml::Spanned;

use super::{Either, MAX_STAGES, Validator, not_a_choice};

/// Largest flow ratio (S, P, R, W, O/A) a file may give; see `ratios_in_range`.
pub const MAX_RATIO: f64 = 1e6;
use crate::cascade::{Cascade, Draw, DrawPhase, FeedPhase, OperatingPoint, SystemModel};
use crate::error::CascadeError;
use crate::flowsheet::Concentrations;
use crate::input::raw::RawCascade;

impl Validator {
    /// `design_valid`: the cascade's design table, if any, passed validation.
    pub(super) fn cascade(
        &mut self,
        c: &RawCascade,
        model: &SystemModel,
        design_valid: bool,
    ) -> Option<Cascade> {
        let name = c.name.get_ref();
        let feed_phase = match c
            .feed_phase
            .as_ref()
            .map(|p| (p.get_ref().as_str(), p.span()))
        {
            None | Some(("aqueous", _)) => FeedPhase::Aqueous,
            Some(("organic", _)) => FeedPhase::Organic,
            Some((other, span)) => {
                let owner = format!("cascade `{name}`");
                let message = not_a_choice(&owner, "feed_phase", other, &["aqueous", "organic"]);
                self.error(span, message);
                return None;
            }
        };
        if !self.ratios_in_range(name, c) {
            return None;
        }
        let stage_efficiency = self.stage_efficiency(name, c)?;
        let sized = c.extraction_stages.is_some()
            && c.scrub_stages.is_some()
            && (c.extraction_ratio.is_some()
                || c.extract_product_ratio.is_some()
                || c.oa_ratio.is_some());
        if let (Some(_), Some(stage), false) = (&c.design, &c.side_draw_stage, sized) {
            self.error(
                stage.span(),
                format!(
                    "cascade `{name}`: `sxcascade design` places the side draw \
                     (`side_draw_below_feed` or `side_draw_above_feed` in the design table) and \
                     writes `side_draw_stage`; \
                     remove it"
                ),
            );
            return None;
        }
        if !sized && c.design.is_some() {
            if self.design_mode {
                // `design` sizes it before anything solves it; what it will write must hold.
                self.unsized_draw(c)?;
                return Some(Cascade {
                    stage_efficiency,
                    ..Cascade::unsized_placeholder(feed_phase)
                });
            }
            if !design_valid {
                return None;
            }
            self.error(
                c.name.span(),
                format!(
                    "cascade `{name}` has design targets but no stage counts or ratios: run \
                     `sxcascade design FILE -o DESIGNED.toml` and run the designed file"
                ),
            );
            return None;
        }
        let mut missing = |field: &str, value: &Option<Spanned<u32>>| {
            if value.is_none() {
                self.error(
                    c.name.span(),
                    format!("cascade `{name}`: missing field `{field}`"),
                );
            }
            value.as_ref().map(|v| (*v.get_ref(), v.span()))
        };
        let n = missing("extraction_stages", &c.extraction_stages);
        let m = missing("scrub_stages", &c.scrub_stages);
        let ((n, n_span), (m, _)) = (n?, m?);
        let total = u64::from(n) + u64::from(m);
        if total > u64::from(MAX_STAGES) {
            self.error(
                n_span.clone(),
                format!(
                    "cascade `{name}`: {total} stages in all is above the limit of {MAX_STAGES}"
                ),
            );
            return None;
        }
        let side_draw = self.side_draw(c)?;
        // The organic an organic draw leaves to the stages above it, per unit of S.
        let kept = side_draw.map_or(1.0, Draw::organic_kept);
        if !matches!(
            model,
            SystemModel::PhCorrelation { .. } | SystemModel::MassAction(_)
        ) {
            let spans = [
                c.strip_stages.as_ref().map(|v| ("strip_stages", v.span())),
                c.strip_oa_ratio
                    .as_ref()
                    .map(|v| ("strip_oa_ratio", v.span())),
            ];
            for (field, span) in spans.into_iter().flatten() {
                self.error(
                    span,
                    format!(
                        "cascade `{name}`: `{field}` belongs to a model with an acid balance \
                         (\"ph_correlation\" or \"mass_action\"); this system's strip \
                         section is not simulated"
                    ),
                );
            }
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
                self.saturated_operating_point(name, c, kept)?
            }
            SystemModel::ConstantD { .. } => {
                self.forbid(
                    name,
                    "extraction_ratio",
                    &c.extraction_ratio,
                    "the constant_d model",
                );
                self.forbid(name, "scrub_ratio", &c.scrub_ratio, "the constant_d model");
                self.forbid(
                    name,
                    "extract_product_ratio",
                    &c.extract_product_ratio,
                    "the constant_d model",
                );
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
            SystemModel::PhCorrelation { .. } | SystemModel::MassAction(_) => {
                let model = match model {
                    SystemModel::MassAction(_) => "the mass_action model",
                    _ => "the ph_correlation model",
                };
                self.forbid(name, "extraction_ratio", &c.extraction_ratio, model);
                self.forbid(name, "scrub_ratio", &c.scrub_ratio, model);
                self.forbid(
                    name,
                    "extract_product_ratio",
                    &c.extract_product_ratio,
                    model,
                );
                self.forbid(name, "reflux_ratio", &c.reflux_ratio, model);
                let sections = self.acid_sections(name, c, m)?;
                let mut required = |field: &str, value: &Option<Spanned<f64>>| {
                    if value.is_none() {
                        self.error(
                            c.name.span(),
                            format!(
                                "cascade `{name}`: missing field `{field}` ({model} needs the \
                                 phase volumes and the feed's acidity)"
                            ),
                        );
                    }
                    value.as_ref().map(|v| *v.get_ref())
                };
                let oa = required("oa_ratio", &c.oa_ratio);
                let concentration = required(
                    "feed_concentration_mol_per_l",
                    &c.feed_concentration_mol_per_l,
                );
                let acid = required("feed_acid_mol_per_l", &c.feed_acid_mol_per_l);
                OperatingPoint::Acidic {
                    oa_ratio: oa?,
                    feed_concentration_mol_per_l: concentration?,
                    feed_acid_mol_per_l: acid?,
                    scrub_oa_ratio: sections.0,
                    scrub_acid_mol_per_l: sections.1,
                    strip_stages: sections.2,
                    strip_oa_ratio: sections.3,
                    strip_acid_mol_per_l: sections.4,
                }
            }
        };
        let cascade = Cascade {
            extraction_stages: n as usize,
            scrub_stages: m as usize,
            feed_stage: c.feed_stage.as_ref().map(|f| *f.get_ref() as usize),
            feed_phase,
            operating_point,
            side_draw,
            stage_efficiency,
        };
        match cascade.check(model) {
            Ok(()) => Some(cascade),
            Err(CascadeError::Infeasible {
                parameter,
                value,
                requirement,
            }) => {
                let span = match parameter {
                    "extraction_stages" => Some(n_span.clone()),
                    "feed_stage" => c.feed_stage.as_ref().map(Spanned::span),
                    "feed_phase" => c.feed_phase.as_ref().map(Spanned::span),
                    "extraction_ratio" => c
                        .extraction_ratio
                        .as_ref()
                        .or(c.extract_product_ratio.as_ref())
                        .map(Spanned::span),
                    "scrub_ratio" => c
                        .scrub_ratio
                        .as_ref()
                        .or(c.reflux_ratio.as_ref())
                        .map(Spanned::span),
                    "reflux_ratio" => c.reflux_ratio.as_ref().map(Spanned::span),
                    "oa_ratio" => c.oa_ratio.as_ref().map(Spanned::span),
                    "scrub_oa_ratio" => c.scrub_oa_ratio.as_ref().map(Spanned::span),
                    "side_draw_stage" => c.side_draw_stage.as_ref().map(Spanned::span),
                    "side_draw_fraction" => c.side_draw_fraction.as_ref().map(Spanned::span),
                    "side_draw_phase" => c.side_draw_phase.as_ref().map(Spanned::span),
                    "scrub_stages" => c.scrub_stages.as_ref().map(Spanned::span),
                    "feed_concentration_mol_per_l" => {
                        c.feed_concentration_mol_per_l.as_ref().map(Spanned::span)
                    }
                    "feed_acid_mol_per_l" => c.feed_acid_mol_per_l.as_ref().map(Spanned::span),
                    "scrub_acid_mol_per_l" => c.scrub_acid_mol_per_l.as_ref().map(Spanned::span),
                    "strip_acid_mol_per_l" => c.strip_acid_mol_per_l.as_ref().map(Spanned::span),
                    "strip_oa_ratio" => c.strip_oa_ratio.as_ref().map(Spanned::span),
                    "strip_stages" => c.strip_stages.as_ref().map(Spanned::span),
                    _ => None,
                };
                let shown = if parameter == "scrub_ratio" && c.scrub_ratio.is_none() {
                    format!("scrub_ratio W = {value} (from reflux_ratio)")
                } else if parameter == "extraction_ratio" && c.extraction_ratio.is_none() {
                    format!("extraction_ratio S = {value} (from extract_product_ratio)")
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

    /// The stages' Murphree efficiency: 1 (ideal stages) unless given, and then above 0 and
    /// at most 1.
    fn stage_efficiency(&mut self, name: &str, c: &RawCascade) -> Option<f64> {
        let Some(e) = &c.stage_efficiency else {
            return Some(1.0);
        };
        let value = *e.get_ref();
        if value > 0.0 && value <= 1.0 {
            return Some(value);
        }
        self.error(
            e.span(),
            format!(
                "cascade `{name}`: `stage_efficiency` = {value}: the Murphree efficiency of a \
                 stage must be above 0 and at most 1 (1 is an ideal stage)"
            ),
        );
        None
    }

    /// No flow ratio the file gives is beyond [`MAX_RATIO`]: a number that large is a slip
    /// (a unit, an exponent), and S - W, the extract product, would be lost to rounding in it
    /// and reported against a field the user never wrote.
    fn ratios_in_range(&mut self, name: &str, c: &RawCascade) -> bool {
        let mut ok = true;
        for (field, value) in [
            ("extraction_ratio", &c.extraction_ratio),
            ("extract_product_ratio", &c.extract_product_ratio),
            ("reflux_ratio", &c.reflux_ratio),
            ("scrub_ratio", &c.scrub_ratio),
            ("oa_ratio", &c.oa_ratio),
            ("scrub_oa_ratio", &c.scrub_oa_ratio),
        ] {
            if let Some(v) = value
                && *v.get_ref() > MAX_RATIO
            {
                self.error(
                    v.span(),
                    format!(
                        "cascade `{name}`: `{field}` = {:e} is above {MAX_RATIO:e}: flow ratios \
                         are per mol of feed (or per volume of aqueous), and past a million \
                         the product S - W is lost to rounding; check the number",
                        v.get_ref()
                    ),
                );
                ok = false;
            }
        }
        ok
    }

    /// S and W of the saturated model, from `extraction_ratio` S with `reflux_ratio` R or
    /// `scrub_ratio` W, or from `extract_product_ratio` P = S - W with R: S = P (1 + R),
    /// W = P R (docs/model.md section 2). P with R is how reflux is varied at a fixed product
    /// split, as a plant raises organic and scrub flows together. With an organic draw that
    /// leaves `kept` of the organic to the stages above it, the extract is P = kept S - W and
    /// R = W / P still: W = kept S R / (1 + R), or S = P (1 + R) / kept.
    fn saturated_operating_point(
        &mut self,
        name: &str,
        c: &RawCascade,
        kept: f64,
    ) -> Option<OperatingPoint> {
        let owner = format!("cascade `{name}`");
        let s = self.one_of(
            &owner,
            ("extraction_ratio", &c.extraction_ratio),
            ("extract_product_ratio", &c.extract_product_ratio),
            c.name.span(),
            "has neither `extraction_ratio` (S) nor `extract_product_ratio` (P = S - W): give one",
        )?;
        let reflux = |me: &mut Self, r: &Spanned<f64>| {
            let reflux = *r.get_ref();
            if reflux >= 0.0 && reflux.is_finite() {
                Some(reflux)
            } else {
                me.error(
                    r.span(),
                    format!("{owner}: `reflux_ratio` = {reflux} must be zero or positive"),
                );
                None
            }
        };
        match s {
            Either::First(s) => {
                let s = *s.get_ref();
                match self.one_of(
                    &owner,
                    ("reflux_ratio", &c.reflux_ratio),
                    ("scrub_ratio", &c.scrub_ratio),
                    c.name.span(),
                    "has neither `reflux_ratio` (R = W / (S - W)) nor `scrub_ratio` (W): give one",
                )? {
                    Either::First(r) => {
                        let r = reflux(self, r)?;
                        Some(OperatingPoint::Fluxes {
                            extraction_ratio: s,
                            scrub_ratio: kept * s * r / (1.0 + r),
                        })
                    }
                    Either::Second(w) => Some(OperatingPoint::Fluxes {
                        extraction_ratio: s,
                        scrub_ratio: *w.get_ref(),
                    }),
                }
            }
            Either::Second(p) => {
                if let Some(w) = &c.scrub_ratio {
                    self.error(
                        w.span(),
                        format!(
                            "{owner}: `extract_product_ratio` goes with `reflux_ratio`, not \
                             `scrub_ratio`: give R, or give S and W"
                        ),
                    );
                    return None;
                }
                let Some(r) = &c.reflux_ratio else {
                    self.error(
                        c.name.span(),
                        format!("{owner}: `extract_product_ratio` needs `reflux_ratio` (R)"),
                    );
                    return None;
                };
                let p = self.positive("extract_product_ratio", p)?;
                let r = reflux(self, r)?;
                Some(OperatingPoint::Fluxes {
                    extraction_ratio: p * (1.0 + r) / kept,
                    scrub_ratio: p * r,
                })
            }
        }
    }

    /// The side draw: its stream, stage and fraction all given, or none of them. `Some(None)`
    /// for a two-outlet cascade; `None` after reporting an error.
    fn side_draw(&mut self, c: &RawCascade) -> Option<Option<Draw>> {
        let name = c.name.get_ref();
        let phase = self.draw_phase(c)?;
        match (&c.side_draw, &c.side_draw_stage, &c.side_draw_fraction) {
            (None, None, None) => match &c.side_draw_phase {
                Some(p) => {
                    self.error(
                        p.span(),
                        format!("cascade `{name}`: `side_draw_phase` without a side draw"),
                    );
                    None
                }
                None => Some(None),
            },
            (Some(_), Some(stage), Some(fraction)) => Some(Some(Draw {
                stage: *stage.get_ref() as usize,
                fraction: *fraction.get_ref(),
                phase,
            })),
            (given, stage, fraction) => {
                let missing: Vec<&str> = [
                    ("side_draw (the stream's name)", given.is_none()),
                    ("side_draw_stage", stage.is_none()),
                    ("side_draw_fraction", fraction.is_none()),
                ]
                .into_iter()
                .filter_map(|(field, absent)| absent.then_some(field))
                .collect();
                self.error(
                    c.name.span(),
                    format!(
                        "cascade `{name}`: a side draw needs `side_draw`, `side_draw_stage` and \
                         `side_draw_fraction`; missing {}",
                        missing.join(", ")
                    ),
                );
                None
            }
        }
    }

    /// `side_draw_phase`, "aqueous" when not given; `None` after reporting an error.
    fn draw_phase(&mut self, c: &RawCascade) -> Option<DrawPhase> {
        match c
            .side_draw_phase
            .as_ref()
            .map(|p| (p.get_ref().as_str(), p.span()))
        {
            None | Some(("aqueous", _)) => Some(DrawPhase::Aqueous),
            Some(("organic", _)) => Some(DrawPhase::Organic),
            Some((other, span)) => {
                let owner = format!("cascade `{}`", c.name.get_ref());
                let message =
                    not_a_choice(&owner, "side_draw_phase", other, &["aqueous", "organic"]);
                self.error(span, message);
                None
            }
        }
    }

    /// The draw fields of a design cascade before sizing (its stage is the design's to
    /// place): a phase that parses, and no draw field without the draw.
    fn unsized_draw(&mut self, c: &RawCascade) -> Option<()> {
        self.draw_phase(c)?;
        if c.side_draw.is_some() {
            return Some(());
        }
        let stray = (c
            .side_draw_phase
            .as_ref()
            .map(|p| ("side_draw_phase", p.span())))
        .or(c
            .side_draw_fraction
            .as_ref()
            .map(|f| ("side_draw_fraction", f.span())));
        match stray {
            Some((field, span)) => {
                self.error(
                    span,
                    format!(
                        "cascade `{}`: `{field}` without a side draw (`side_draw`)",
                        c.name.get_ref()
                    ),
                );
                None
            }
            None => Some(()),
        }
    }

    /// Concentrations of the aqueous inlets; a bad one is reported and left out.
    pub(super) fn concentrations(&mut self, c: &RawCascade) -> Concentrations {
        let mut read = |field: &str, value: &Option<Spanned<f64>>| {
            value.as_ref().and_then(|v| self.positive(field, v))
        };
        Concentrations {
            feed_mol_per_l: read(
                "feed_concentration_mol_per_l",
                &c.feed_concentration_mol_per_l,
            ),
            scrub_acid_mol_per_l: read("scrub_acid_mol_per_l", &c.scrub_acid_mol_per_l),
            strip_acid_mol_per_l: read("strip_acid_mol_per_l", &c.strip_acid_mol_per_l),
        }
    }

    /// The scrub and strip liquors of an acid-aware cascade with `scrub` scrub stages: scrub
    /// O/A and acid, strip stages, strip O/A and acid (NaN for an absent section). A missing
    /// field is reported; a bad acid was reported by [`Self::concentrations`].
    fn acid_sections(
        &mut self,
        name: &str,
        c: &RawCascade,
        scrub: u32,
    ) -> Option<(f64, f64, usize, f64, f64)> {
        let strip = c.strip_stages.as_ref().map_or(0, |s| *s.get_ref());
        let mut ok = true;
        let mut field =
            |section: &str, stages: u32, field: &str, value: &Option<Spanned<f64>>| match value {
                _ if stages == 0 => f64::NAN,
                Some(v) if *v.get_ref() > 0.0 => *v.get_ref(),
                Some(v) => {
                    // A bad acid is reported with the other concentrations.
                    if field.ends_with("oa_ratio") {
                        self.error(
                            v.span(),
                            format!(
                                "cascade `{name}`: `{field}` = {} must be a positive number \
                                 (organic / {section} liquor by volume)",
                                v.get_ref()
                            ),
                        );
                    }
                    ok = false;
                    f64::NAN
                }
                None => {
                    self.error(
                        c.name.span(),
                        format!(
                            "cascade `{name}`: missing field `{field}` (a {section} section of \
                             the ph_correlation model needs its liquor's volume and acid)"
                        ),
                    );
                    ok = false;
                    f64::NAN
                }
            };
        let sections = (
            field("scrub", scrub, "scrub_oa_ratio", &c.scrub_oa_ratio),
            field(
                "scrub",
                scrub,
                "scrub_acid_mol_per_l",
                &c.scrub_acid_mol_per_l,
            ),
            strip as usize,
            field("strip", strip, "strip_oa_ratio", &c.strip_oa_ratio),
            field(
                "strip",
                strip,
                "strip_acid_mol_per_l",
                &c.strip_acid_mol_per_l,
            ),
        );
        if !ok {
            return None;
        }
        if u64::from(scrub)
            + u64::from(strip)
            + u64::from(c.extraction_stages.as_ref().map_or(0, |n| *n.get_ref()))
            > u64::from(MAX_STAGES)
        {
            self.error(
                c.strip_stages.as_ref().map_or(c.name.span(), Spanned::span),
                format!("cascade `{name}`: its stages with the strip section are above the limit of {MAX_STAGES}"),
            );
            return None;
        }
        Some(sections)
    }

    fn forbid(&mut self, cascade: &str, field: &str, value: &Option<Spanned<f64>>, model: &str) {
        if let Some(v) = value {
            self.error(
                v.span(),
                format!("cascade `{cascade}`: `{field}` does not apply to {model}"),
            );
        }
    }
}
