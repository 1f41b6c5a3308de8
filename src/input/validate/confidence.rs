//! Uncertain separation factors (`separation_factor_sigma` of a system) and designs to a
//! confidence (`confidence_pct` and its sampling in `[cascades.design]`).

use std::collections::BTreeMap;

use super::Validator;
use crate::cascade::SystemModel;
use crate::design::{Confidence, DEFAULT_CONFIDENCE_SAMPLES, DEFAULT_CONFIDENCE_SEED};
use crate::elements::Element;
use crate::equilibrium::FactorUncertainty;
use crate::flowsheet::ExtractantSystem;
use crate::input::raw::{RawDesign, RawSystem};

/// Most samples a confidence design may draw: each is a simulation at every step of the
/// stage search.
const MAX_CONFIDENCE_SAMPLES: u64 = 100_000;

impl Validator {
    /// A system's `separation_factor_sigma` and `separation_factor_sigma_adjacent`: each
    /// sigma zero or positive and at most 5, each element one the system has a factor for
    /// (and, against its neighbour, not the first in extraction order); `None` on an error.
    pub(super) fn separation_factor_sigma(
        &mut self,
        name: &str,
        s: &RawSystem,
    ) -> Option<FactorUncertainty> {
        let factors: BTreeMap<Element, f64> = match (&s.separation_factors, &s.distribution_ratios)
        {
            (Some(f), _) | (None, Some(f)) => f
                .get_ref()
                .iter()
                .filter_map(|(k, v)| Some((k.parse().ok()?, *v.get_ref())))
                .collect(),
            (None, None) => BTreeMap::new(),
        };
        let first = factors
            .iter()
            .min_by(|a, b| a.1.total_cmp(b.1).then(a.0.cmp(b.0)))
            .map(|(&e, _)| e);
        let per_element = self.sigma_table(
            name,
            "separation_factor_sigma",
            &s.separation_factor_sigma,
            &factors,
            None,
        )?;
        let adjacent = self.sigma_table(
            name,
            "separation_factor_sigma_adjacent",
            &s.separation_factor_sigma_adjacent,
            &factors,
            first,
        )?;
        Some(FactorUncertainty {
            per_element,
            adjacent,
        })
    }

    fn sigma_table(
        &mut self,
        name: &str,
        field: &str,
        table: &Option<crate::input::raw::NamedValues>,
        factors: &BTreeMap<Element, f64>,
        first: Option<Element>,
    ) -> Option<BTreeMap<Element, f64>> {
        let Some(table) = table else {
            return Some(BTreeMap::new());
        };
        let sigma = self.element_values(table, field, |v, x, span| {
            let ok = x >= 0.0 && x.is_finite() && x <= 5.0;
            if !ok {
                v.error(
                    span,
                    format!(
                        "system `{name}`: `{field}` values are standard deviations of \
                         ln(factor): zero or positive, at most 5, got {x}"
                    ),
                );
            }
            ok
        })?;
        let mut ok = true;
        for (key, value) in table.get_ref() {
            let Ok(e) = key.parse::<Element>() else {
                continue;
            };
            let problem = if !factors.contains_key(&e) {
                Some(format!("gives {e}, which has no separation factor"))
            } else if Some(e) == first {
                Some(format!(
                    "gives {e}, the first element in extraction order: it has no neighbour below \
                     it (give the pair's spread to the element above it)"
                ))
            } else {
                None
            };
            if let Some(problem) = problem {
                self.error(
                    value.span(),
                    format!("system `{name}`: `{field}` {problem}"),
                );
                ok = false;
            }
        }
        ok.then_some(sigma)
    }

    /// The design's confidence, if it asks for one: a share in (0, 100) %, samples 1 to
    /// 100,000, a seed; the system must give `separation_factor_sigma`.
    pub(super) fn confidence(
        &mut self,
        owner: &str,
        d: &RawDesign,
        system: &ExtractantSystem,
    ) -> Option<Option<Confidence>> {
        let Some(pct) = &d.confidence_pct else {
            for (field, span) in [
                (
                    "confidence_samples",
                    d.confidence_samples.as_ref().map(|s| s.span()),
                ),
                (
                    "confidence_seed",
                    d.confidence_seed.as_ref().map(|s| s.span()),
                ),
            ] {
                if let Some(span) = span {
                    self.error(span, format!("{owner}: `{field}` without `confidence_pct`"));
                    return None;
                }
            }
            return Some(None);
        };
        let share = self.bounded(
            owner,
            "confidence_pct",
            pct,
            |x| x > 0.0 && x < 100.0,
            "must be in (0, 100): the share of factor samples the design must meet its targets in",
        )?;
        let samples = match &d.confidence_samples {
            Some(n) if (1..=MAX_CONFIDENCE_SAMPLES).contains(n.get_ref()) => *n.get_ref() as usize,
            Some(n) => {
                self.error(
                    n.span(),
                    format!(
                        "{owner}: `confidence_samples` = {} must be 1 to {MAX_CONFIDENCE_SAMPLES}",
                        n.get_ref()
                    ),
                );
                return None;
            }
            None => DEFAULT_CONFIDENCE_SAMPLES,
        };
        let saturated = matches!(system.model, SystemModel::Saturated { .. });
        if !system.separation_factor_sigma.is_uncertain() || !saturated {
            self.error(
                pct.span(),
                format!(
                    "{owner}: `confidence_pct` needs uncertain factors: give \
                     `separation_factor_sigma` or `separation_factor_sigma_adjacent` in \
                     `[systems.{}]`",
                    system.name
                ),
            );
            return None;
        }
        Some(Some(Confidence {
            pct: share,
            samples,
            seed: d
                .confidence_seed
                .as_ref()
                .map_or(DEFAULT_CONFIDENCE_SEED, |s| *s.get_ref()),
        }))
    }
}
