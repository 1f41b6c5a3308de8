//! Extractant systems and feed streams: their parameters, compositions and flows.

use std::collections::BTreeMap;
use std::ops::Range;

use toml::Spanned;

use super::{
    COMPOSITION_SUM_TOLERANCE, Either, MAX_FLOW_MOL_PER_H, Validator, non_negative, not_a_choice,
};
use crate::cascade::SystemModel;
use crate::elements::Element;
use crate::flowsheet::{Basis, ExtractantSystem, SaponificationBase};
use crate::input::raw::{NamedValues, RawStream, RawSystem};
use crate::stream::Stream;

impl Validator {
    /// The base that saponifies the extractant: NaOH unless the file says NH3.
    fn saponification_base(&mut self, name: &str, s: &RawSystem) -> Option<SaponificationBase> {
        let Some(b) = s.saponification_base.as_ref() else {
            return Some(SaponificationBase::NaOH);
        };
        match b.get_ref().as_str() {
            "NaOH" => Some(SaponificationBase::NaOH),
            "NH3" => Some(SaponificationBase::NH3),
            other => {
                self.error(
                    b.span(),
                    not_a_choice(
                        &format!("system `{name}`"),
                        "saponification_base",
                        other,
                        &["NaOH", "NH3"],
                    ),
                );
                None
            }
        }
    }

    pub(super) fn system(
        &mut self,
        name: &str,
        raw: &Spanned<RawSystem>,
    ) -> Option<ExtractantSystem> {
        let s = raw.get_ref();
        let model = s
            .model
            .as_ref()
            .map_or("saturated", |m| m.get_ref().as_str());
        if model == "ph_correlation" {
            let model = self.ph_correlation(name, raw)?;
            return Some(ExtractantSystem {
                name: name.to_string(),
                model,
                organic_capacity_mol_per_l: None,
                saponification_base: SaponificationBase::NaOH,
                separation_factor_sigma: Default::default(),
            });
        }
        if model == "mass_action" {
            let model = self.mass_action(name, raw);
            let saponification_base = self.saponification_base(name, s);
            return Some(ExtractantSystem {
                name: name.to_string(),
                model: model?,
                organic_capacity_mol_per_l: None,
                saponification_base: saponification_base?,
                separation_factor_sigma: Default::default(),
            });
        }
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
                    not_a_choice(
                        &format!("system `{name}`"),
                        "model",
                        unknown,
                        &["saturated", "constant_d", "ph_correlation", "mass_action"],
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
        let saponification_base = self.saponification_base(name, s)?;
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
            saponification_base,
            separation_factor_sigma: self.separation_factor_sigma(name, s)?,
        })
    }

    pub(super) fn stream(
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
}
