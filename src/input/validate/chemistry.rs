//! Acid-aware extractant systems (`model = "ph_correlation"`): the correlation's coefficients
//! per element, the extractant's dose and the acid each RE3+ releases.

use std::collections::BTreeMap;

use toml::Spanned;

use super::Validator;
use crate::cascade::SystemModel;
use crate::elements::Element;
use crate::equilibrium::{ACID_RELEASED_PER_MOL, DEHPA_MOL_PER_L_PER_VOL_PCT, PhCoefficients};
use crate::input::raw::RawSystem;

/// Doses the correlation is used at: PrOMMiS's UKy data span a few % v/v; outside 0.01-100 %
/// the log10(dose) term is meaningless.
const DOSE_RANGE: (f64, f64) = (0.01, 100.0);

impl Validator {
    pub(super) fn ph_correlation(
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
            (
                "organic_capacity_mol_per_l",
                s.organic_capacity_mol_per_l.as_ref().map(Spanned::span),
            ),
        ] {
            if let Some(span) = present {
                self.error(
                    span,
                    format!(
                        "system `{name}`: `{field}` does not belong to model \"ph_correlation\" \
                         (its D follow the coefficients, the stage's pH and the dose)"
                    ),
                );
            }
        }
        let Some(table) = &s.coefficients else {
            self.error(
                raw.span(),
                format!(
                    "system `{name}`: model \"ph_correlation\" needs `coefficients = {{ La = {{ \
                     m0 = ..., b0 = ... }}, ... }}`"
                ),
            );
            return None;
        };
        let mut coefficients = BTreeMap::new();
        let mut ok = true;
        for (key, value) in table.get_ref() {
            let c = value.get_ref();
            match key.parse::<Element>() {
                Ok(e) if [c.m0, c.m1, c.b0, c.b1].iter().all(|x| x.is_finite()) => {
                    coefficients.insert(
                        e,
                        PhCoefficients {
                            m0: c.m0,
                            m1: c.m1,
                            b0: c.b0,
                            b1: c.b1,
                        },
                    );
                }
                Ok(_) => {
                    self.error(
                        value.span(),
                        format!("system `{name}`: `coefficients` of {key} must be finite"),
                    );
                    ok = false;
                }
                Err(unknown) => {
                    self.error(value.span(), format!("`coefficients`: {unknown}"));
                    ok = false;
                }
            }
        }
        if coefficients.is_empty() && ok {
            self.error(
                table.span(),
                format!("system `{name}`: `coefficients` is empty"),
            );
            return None;
        }
        let Some(dose) = &s.extractant_dose_vol_pct else {
            self.error(
                raw.span(),
                format!(
                    "system `{name}`: model \"ph_correlation\" needs `extractant_dose_vol_pct` \
                     (% v/v of extractant in the diluent)"
                ),
            );
            return None;
        };
        let dose_value = *dose.get_ref();
        if !(DOSE_RANGE.0..=DOSE_RANGE.1).contains(&dose_value) {
            self.error(
                dose.span(),
                format!(
                    "system `{name}`: `extractant_dose_vol_pct` = {dose_value} must be from {} to \
                     {} % v/v",
                    DOSE_RANGE.0, DOSE_RANGE.1
                ),
            );
            return None;
        }
        let per_pct = match &s.extractant_mol_per_l_per_vol_pct {
            Some(v) => self.positive("extractant_mol_per_l_per_vol_pct", v)?,
            None => DEHPA_MOL_PER_L_PER_VOL_PCT,
        };
        let acid = match &s.acid_released_per_mol {
            Some(v) => self.positive("acid_released_per_mol", v)?,
            None => ACID_RELEASED_PER_MOL,
        };
        ok.then_some(SystemModel::PhCorrelation {
            coefficients,
            extractant_dose_vol_pct: dose_value,
            extractant_mol_per_l_per_vol_pct: per_pct,
            acid_released_per_mol: acid,
        })
    }
}
