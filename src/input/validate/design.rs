//! `[cascades.design]`: the split and the targets `sxcascade design` sizes a cascade for.

use std::collections::BTreeSet;

use toml::Spanned;

use super::{MAX_STAGES, Validator};
use crate::cascade::{DrawPhase, SystemModel};
use crate::elements::Element;
use crate::flowsheet::{DesignSpec, DrawDesign, ExtractantSystem};
use crate::input::raw::{RawCascade, RawDesign};

/// Largest `reflux_factor`: see the message where it is checked.
pub const MAX_REFLUX_FACTOR: f64 = 100.0;

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
        c: &RawCascade,
        raw: &Spanned<RawDesign>,
        system: &ExtractantSystem,
    ) -> Option<DesignSpec> {
        let cascade = c.name.get_ref();
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
        let (extract, side_draw) = if c.side_draw.is_some() {
            let (extract, middle) = self.three_groups(&owner, d, raw.span(), &order)?;
            let draw = self.draw_design(&owner, c, d, raw.span(), middle)?;
            (extract, Some(draw))
        } else {
            for (field, place) in [
                ("side_draw_below_feed", &d.side_draw_below_feed),
                ("side_draw_above_feed", &d.side_draw_above_feed),
            ] {
                if let Some(place) = place {
                    self.error(
                        place.span(),
                        format!(
                            "{owner}: `{field}` places a side draw, and the cascade has none: \
                             give its stream as `side_draw`"
                        ),
                    );
                }
            }
            (self.extract_group(&owner, d, raw.span(), &order)?, None)
        };
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
            Some(f) => Some(self.bounded(
                &owner,
                "reflux_factor",
                f,
                |x| x > 1.0 && x <= MAX_REFLUX_FACTOR,
                "must be above 1 and at most 100: it multiplies the minimum reflux, where the \
                 stages needed grow without bound; 1.1 to 2 is usual, and past 100 the flows \
                 are beyond any plant's and the product S - W is lost to rounding",
            )?),
            None => None,
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
            side_draw,
            raffinate_purity_pct: raffinate_purity?,
            extract_purity_pct: extract_purity?,
            raffinate_recovery_pct,
            extract_recovery_pct,
            reflux_factor,
            confidence: self.confidence(&owner, d, system)?,
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
        let (positions, span): (Vec<usize>, _) = if let Some(split) = &d.split_after {
            let e = self.element(owner, split.get_ref(), split.span(), order)?;
            let k = order.iter().position(|&x| x == e)?;
            ((k + 1..order.len()).collect(), split.span())
        } else {
            let (list, extract_side) = match (&d.extract_elements, &d.raffinate_elements) {
                (Some(list), _) => (list, true),
                (None, Some(list)) => (list, false),
                (None, None) => unreachable!("one is given"),
            };
            let named = self.elements(owner, list, order)?;
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

    /// The extract group and the side draw's group of a three-outlet cascade: both end groups
    /// named, each a contiguous end of the extraction order, with at least one element between.
    fn three_groups(
        &mut self,
        owner: &str,
        d: &RawDesign,
        table: std::ops::Range<usize>,
        order: &[Element],
    ) -> Option<(BTreeSet<Element>, BTreeSet<Element>)> {
        let (Some(extract), Some(raffinate), None) =
            (&d.extract_elements, &d.raffinate_elements, &d.split_after)
        else {
            let span = d.split_after.as_ref().map_or(table, |s| s.span());
            self.error(
                span,
                format!(
                    "{owner}: a three-outlet cascade names both `raffinate_elements` and \
                     `extract_elements` (and no `split_after`): the elements between them in \
                     extraction order go to the side draw"
                ),
            );
            return None;
        };
        let (ext, raf) = (
            self.elements(owner, extract, order),
            self.elements(owner, raffinate, order),
        );
        let (ext, raf) = (ext?, raf?);
        let (low, high) = (raf.len(), order.len().saturating_sub(ext.len()));
        let ends_fit = low < high
            && order[..low].iter().all(|e| raf.contains(e))
            && order[high..].iter().all(|e| ext.contains(e));
        if !ends_fit {
            let names: Vec<&str> = order.iter().map(|e| e.symbol()).collect();
            self.error(
                extract.span(),
                format!(
                    "{owner}: a three-outlet cascade splits the extraction order ({}) in three: \
                     the raffinate group its least extractable end, the extract group its most \
                     extractable end, and at least one element between them for the side draw",
                    names.join(" < ")
                ),
            );
            return None;
        }
        Some((ext, order[low..high].iter().copied().collect()))
    }

    /// Where the design places a three-outlet cascade's draw, and its fraction if fixed.
    fn draw_design(
        &mut self,
        owner: &str,
        c: &RawCascade,
        d: &RawDesign,
        table: std::ops::Range<usize>,
        elements: BTreeSet<Element>,
    ) -> Option<DrawDesign> {
        // An aqueous draw sits under the feed stage, an organic one above it.
        let organic = c
            .side_draw_phase
            .as_ref()
            .is_some_and(|p| p.get_ref() == "organic");
        let (phase, (field, place), (other, misplaced), direction) = if organic {
            (
                DrawPhase::Organic,
                ("side_draw_above_feed", &d.side_draw_above_feed),
                ("side_draw_below_feed", &d.side_draw_below_feed),
                "up",
            )
        } else {
            (
                DrawPhase::Aqueous,
                ("side_draw_below_feed", &d.side_draw_below_feed),
                ("side_draw_above_feed", &d.side_draw_above_feed),
                "down",
            )
        };
        if let Some(misplaced) = misplaced {
            self.error(
                misplaced.span(),
                format!(
                    "{owner}: `{other}` does not place an {} draw: give `{field}`",
                    if organic { "organic" } else { "aqueous" }
                ),
            );
            return None;
        }
        let Some(place) = place else {
            self.error(
                table,
                format!(
                    "{owner}: a three-outlet cascade needs `{field}`, the stages from the feed \
                     stage {direction} to the draw (0: the feed stage); design places the draw \
                     there and writes `side_draw_stage`"
                ),
            );
            return None;
        };
        // The draw and a stage beyond it fit within the stage limit.
        let from_feed = *place.get_ref() as usize;
        if from_feed + 2 > MAX_STAGES as usize {
            self.error(
                place.span(),
                format!(
                    "{owner}: `{field}` = {from_feed} leaves no room for the draw within \
                     {MAX_STAGES} stages"
                ),
            );
            return None;
        }
        let recoveries = d.raffinate_recovery_pct.is_some() && d.extract_recovery_pct.is_some();
        // A sized cascade with both recoveries is a designed file: the fraction written there
        // is the last design's, sized again by mass balance.
        let sized = c.extraction_stages.is_some() && c.scrub_stages.is_some();
        let given = c
            .side_draw_fraction
            .as_ref()
            .filter(|_| !(sized && recoveries));
        let fraction = match given {
            Some(f) => Some(self.bounded(
                owner,
                "side_draw_fraction",
                f,
                |x| x > 0.0 && x < 1.0,
                "must be in (0, 1)",
            )?),
            None => None,
        };
        if fraction.is_none() && !recoveries {
            self.error(
                table,
                format!(
                    "{owner}: a three-outlet design needs the draw's size: give \
                     `side_draw_fraction` in the cascade, or both `raffinate_recovery_pct` and \
                     `extract_recovery_pct` (the draw then takes what the two products leave, by \
                     mass balance)"
                ),
            );
            return None;
        }
        Some(DrawDesign {
            elements,
            phase,
            from_feed,
            fraction,
        })
    }

    fn element(
        &mut self,
        owner: &str,
        name: &str,
        span: std::ops::Range<usize>,
        order: &[Element],
    ) -> Option<Element> {
        match name.parse::<Element>() {
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
        }
    }

    fn elements(
        &mut self,
        owner: &str,
        list: &Spanned<Vec<String>>,
        order: &[Element],
    ) -> Option<BTreeSet<Element>> {
        list.get_ref()
            .iter()
            .map(|n| self.element(owner, n, list.span(), order))
            .collect()
    }
}
