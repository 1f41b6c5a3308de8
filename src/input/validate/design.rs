//! `[cascades.design]`: the split and the targets `sxcascade design` sizes a cascade for.

use std::collections::BTreeSet;

use toml::Spanned;

use super::Validator;
use crate::cascade::SystemModel;
use crate::elements::Element;
use crate::flowsheet::{DesignSpec, ExtractantSystem};
use crate::input::raw::{RawCascade, RawDesign};

impl Validator {
    /// What `design` cannot size yet: a feed stage other than the last extraction stage (the
    /// search moves it), and an organic feed (Xu's closed forms here are the aqueous-feed
    /// ones).
    pub(super) fn designable(&mut self, c: &RawCascade) {
        let name = c.name.get_ref();
        if let Some(stage) = &c.feed_stage {
            self.error(
                stage.span(),
                format!(
                    "cascade `{name}`: a designed cascade's feed enters its last extraction stage; \
                     remove `feed_stage`"
                ),
            );
        }
        if let Some(phase) = c.feed_phase.as_ref().filter(|p| p.get_ref() == "organic") {
            self.error(
                phase.span(),
                format!("cascade `{name}`: design sizes aqueous-feed cascades only, for now"),
            );
        }
    }

    pub(super) fn design_spec(
        &mut self,
        cascade: &str,
        raw: &Spanned<RawDesign>,
        system: &ExtractantSystem,
    ) -> Option<DesignSpec> {
        let d = raw.get_ref();
        let owner = format!("cascade `{cascade}` design");
        let SystemModel::Saturated { separation_factors } = &system.model else {
            self.error(
                raw.span(),
                format!("{owner}: only the saturated model can be designed"),
            );
            return None;
        };
        // The system's elements in extraction order.
        let mut order: Vec<(f64, Element)> =
            separation_factors.iter().map(|(&e, &b)| (b, e)).collect();
        order.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let order: Vec<Element> = order.into_iter().map(|(_, e)| e).collect();
        let extract = self.extract_group(&owner, d, raw.span(), &order)?;
        let mut percent = |field: &str, value: &Option<Spanned<f64>>, upper_inclusive: bool| {
            let v = value.as_ref()?;
            let x = *v.get_ref();
            let ok = x > 0.0 && (x < 100.0 || (upper_inclusive && x == 100.0));
            if !ok {
                let range = if upper_inclusive {
                    "(0, 100]"
                } else {
                    "(0, 100)"
                };
                self.error(
                    v.span(),
                    format!("{owner}: `{field}` = {x} must be in {range}"),
                );
            }
            ok.then_some(x)
        };
        let raffinate_purity = percent("raffinate_purity_pct", &d.raffinate_purity_pct, false);
        let extract_purity = percent("extract_purity_pct", &d.extract_purity_pct, false);
        let raffinate_recovery_pct =
            percent("raffinate_recovery_pct", &d.raffinate_recovery_pct, true);
        let extract_recovery_pct = percent("extract_recovery_pct", &d.extract_recovery_pct, true);
        let reflux_factor = match &d.reflux_factor {
            Some(f) if !(*f.get_ref() > 1.0 && f.get_ref().is_finite()) => {
                self.error(
                    f.span(),
                    format!(
                        "{owner}: `reflux_factor` = {} must exceed 1 (it multiplies the minimum reflux)",
                        f.get_ref()
                    ),
                );
                return None;
            }
            other => other.as_ref().map(|f| *f.get_ref()),
        };
        let missing = |field: &str, given: &Option<Spanned<f64>>| {
            given
                .is_none()
                .then(|| format!("{owner}: give `{field}` (oxide-mass %)"))
        };
        for message in [
            missing("raffinate_purity_pct", &d.raffinate_purity_pct),
            missing("extract_purity_pct", &d.extract_purity_pct),
        ]
        .into_iter()
        .flatten()
        {
            self.error(raw.span(), message);
        }
        Some(DesignSpec {
            extract_elements: extract,
            raffinate_purity_pct: raffinate_purity?,
            extract_purity_pct: extract_purity?,
            raffinate_recovery_pct,
            extract_recovery_pct,
            reflux_factor,
        })
    }

    /// The extract group from `split_after`, `extract_elements` or `raffinate_elements`
    /// (exactly one), checked to be a contiguous, non-empty run of the extraction order that
    /// leaves a non-empty raffinate group.
    fn extract_group(
        &mut self,
        owner: &str,
        d: &RawDesign,
        table: std::ops::Range<usize>,
        order: &[Element],
    ) -> Option<BTreeSet<Element>> {
        let given = [
            d.split_after.as_ref().map(|s| s.span()),
            d.extract_elements.as_ref().map(|s| s.span()),
            d.raffinate_elements.as_ref().map(|s| s.span()),
        ];
        if given.iter().flatten().count() != 1 {
            let span = given.iter().flatten().nth(1).cloned().unwrap_or(table);
            self.error(
                span,
                format!("{owner}: give exactly one of `split_after`, `extract_elements`, `raffinate_elements`"),
            );
            return None;
        }
        let mut element = |name: &str, span: std::ops::Range<usize>| match name.parse::<Element>() {
            Ok(e) if order.contains(&e) => Some(e),
            Ok(e) => {
                self.error(
                    span,
                    format!("{owner}: the system has no separation factor for {e}"),
                );
                None
            }
            Err(unknown) => {
                self.error(span, format!("{owner}: {unknown}"));
                None
            }
        };
        let (positions, span): (Vec<usize>, _) = if let Some(split) = &d.split_after {
            let e = element(split.get_ref(), split.span())?;
            let k = order.iter().position(|&x| x == e)?;
            ((k + 1..order.len()).collect(), split.span())
        } else {
            let (list, extract_side) = match (&d.extract_elements, &d.raffinate_elements) {
                (Some(list), _) => (list, true),
                (None, Some(list)) => (list, false),
                (None, None) => unreachable!("one is given"),
            };
            let named: Option<BTreeSet<Element>> = list
                .get_ref()
                .iter()
                .map(|n| element(n, list.span()))
                .collect();
            let named = named?;
            let positions = (0..order.len())
                .filter(|&k| named.contains(&order[k]) == extract_side)
                .collect();
            (positions, list.span())
        };
        let contiguous_to_the_end = positions.windows(2).all(|w| w[1] == w[0] + 1)
            && positions.last() == Some(&(order.len() - 1));
        if positions.is_empty() || positions.len() == order.len() || !contiguous_to_the_end {
            let names: Vec<&str> = order.iter().map(|e| e.symbol()).collect();
            self.error(
                span,
                format!(
                    "{owner}: one cascade splits the extraction order ({}) in two: the extract \
                     group must be the more extractable end of it, the raffinate group the rest, \
                     neither empty",
                    names.join(" < ")
                ),
            );
            return None;
        }
        Some(positions.into_iter().map(|k| order[k]).collect())
    }
}
