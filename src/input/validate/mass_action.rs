//! Mass-action extractant systems (`model = "mass_action"`): each element's log10 K, the
//! organic's extractant and its saponification (docs/file-format.md, "mass_action").

use toml::Spanned;

use super::Validator;
use crate::cascade::SystemModel;
use crate::equilibrium::{MassActionSystem, SAPONIFIED_LOG10_K};
use crate::input::raw::RawSystem;

/// log10 K beyond which a constant is a unit or sign slip: D = K [(HA)2]^3 / [H+]^3 spans
/// 60 decades inside it, more than any acid or extractant a plant runs at.
const LOG10_K_RANGE: f64 = 30.0;

impl Validator {
    pub(super) fn mass_action(
        &mut self,
        name: &str,
        raw: &Spanned<RawSystem>,
    ) -> Option<SystemModel> {
        let s = raw.get_ref();
        for (field, present) in [
            (
                "separation_factors",
                s.separation_factors.as_ref().map(Spanned::span),
            ),
            (
                "distribution_ratios",
                s.distribution_ratios.as_ref().map(Spanned::span),
            ),
            ("coefficients", s.coefficients.as_ref().map(Spanned::span)),
            (
                "extractant_dose_vol_pct",
                s.extractant_dose_vol_pct.as_ref().map(Spanned::span),
            ),
            (
                "extractant_mol_per_l_per_vol_pct",
                s.extractant_mol_per_l_per_vol_pct
                    .as_ref()
                    .map(Spanned::span),
            ),
            (
                "acid_released_per_mol",
                s.acid_released_per_mol.as_ref().map(Spanned::span),
            ),
            (
                "organic_capacity_mol_per_l",
                s.organic_capacity_mol_per_l.as_ref().map(Spanned::span),
            ),
            (
                "separation_factor_sigma",
                s.separation_factor_sigma.as_ref().map(Spanned::span),
            ),
            (
                "separation_factor_sigma_adjacent",
                s.separation_factor_sigma_adjacent
                    .as_ref()
                    .map(Spanned::span),
            ),
        ] {
            if let Some(span) = present {
                self.error(
                    span,
                    format!(
                        "system `{name}`: `{field}` does not belong to model \"mass_action\" \
                         (its D follow log10_k, the stage's pH and the free extractant; the \
                         organic's capacity is extractant_mol_per_l / 6)"
                    ),
                );
            }
        }
        let Some(values) = &s.log10_k else {
            self.error(
                raw.span(),
                format!(
                    "system `{name}`: model \"mass_action\" needs `log10_k = {{ Pr = ..., Nd = \
                     ... }}` (K of D = K [(HA)2]^3 / [H+]^3, mol/L)"
                ),
            );
            return None;
        };
        let log10_k = self.element_values(values, "log10_k", |me, v, span| {
            if v.is_finite() && v.abs() <= LOG10_K_RANGE {
                true
            } else {
                me.error(
                    span,
                    format!(
                        "system `{name}`: `log10_k` = {v} must be a number from -{LOG10_K_RANGE} \
                         to {LOG10_K_RANGE}"
                    ),
                );
                false
            }
        })?;
        if log10_k.is_empty() {
            self.error(
                values.span(),
                format!("system `{name}`: `log10_k` is empty"),
            );
            return None;
        }
        let Some(extractant) = &s.extractant_mol_per_l else {
            self.error(
                raw.span(),
                format!(
                    "system `{name}`: model \"mass_action\" needs `extractant_mol_per_l` (the \
                     organic's total extractant, mol/L as monomer HA)"
                ),
            );
            return None;
        };
        let extractant_mol_per_l = self.positive("extractant_mol_per_l", extractant)?;
        let saponification_fraction = match &s.saponification_fraction {
            None => 0.0,
            Some(f) => {
                let x = *f.get_ref();
                if !(0.0..=1.0).contains(&x) {
                    self.error(
                        f.span(),
                        format!(
                            "system `{name}`: `saponification_fraction` = {x} must be from 0 to \
                             1 (the share of the extractant's HA the base neutralises)"
                        ),
                    );
                    return None;
                }
                x
            }
        };
        let saponified_log10_k = match &s.saponification_log10_k {
            None => SAPONIFIED_LOG10_K,
            Some(l) => {
                let x = *l.get_ref();
                if !(x.is_finite() && x.abs() <= LOG10_K_RANGE) {
                    self.error(
                        l.span(),
                        format!(
                            "system `{name}`: `saponification_log10_k` = {x} must be a number \
                             from -{LOG10_K_RANGE} to {LOG10_K_RANGE}"
                        ),
                    );
                    return None;
                }
                x
            }
        };
        Some(SystemModel::MassAction(MassActionSystem {
            log10_k,
            extractant_mol_per_l,
            saponification_fraction,
            saponified_log10_k,
        }))
    }
}
