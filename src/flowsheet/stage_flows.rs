//! Volumetric flows of both phases stage by stage, for sizing mixer-settlers and finding what
//! they hold (`crate::equipment`).
//!
//! A saturated organic is fully loaded, so its volume is its RE flux over the system's
//! capacity, stage by stage (docs/model.md section 3): S times the feed above an organic feed
//! stage, S - 1 below it, and what an organic draw leaves above the draw. The aqueous leaving a
//! stage is every aqueous inlet at or above it (the scrub liquor at the top, an aqueous feed at
//! the feed stage), less what an aqueous draw between took. Volume changes on mixing are
//! neglected, as in the plant flows of `plant.rs`.

use super::{CascadeUnit, ExtractantSystem};
use crate::cascade::{DrawPhase, FeedPhase, OperatingPoint};
use crate::equipment::StageFlows;

impl CascadeUnit {
    /// Phase flows of every stage for a feed of `feed_mol_per_h`; `None` unless the model is
    /// saturated and the file gives the system's organic capacity, the scrub acid and, for an
    /// aqueous feed, its concentration.
    pub fn stage_flows(
        &self,
        system: &ExtractantSystem,
        feed_mol_per_h: f64,
    ) -> Option<StageFlows> {
        let OperatingPoint::Fluxes {
            extraction_ratio: s,
            ..
        } = self.cascade.operating_point
        else {
            return None;
        };
        let capacity = system.organic_capacity_mol_per_l?;
        let f = feed_mol_per_h;
        let stages = self.cascade.stages();
        let feed_stage = self.cascade.feed_stage(); // 1-based
        // The inlets' volumes as the plant flows reckon them.
        let plant = self.plant_flows(system, f);
        let scrub_l_per_h = plant.scrub_l_per_h?;
        let feed_l_per_h = match self.cascade.feed_phase {
            FeedPhase::Aqueous => plant.aqueous_feed_l_per_h?,
            FeedPhase::Organic => 0.0,
        };
        let draw = self
            .cascade
            .side_draw
            .filter(|d| d.phase == DrawPhase::Aqueous);
        // The share of an inlet entering at stage `from` left in the aqueous leaving `stage`
        // (both 1-based): less an aqueous draw taken from a stage between, above `stage`.
        let kept = |from: usize, stage: usize| match draw {
            Some(d) if d.stage > stage && d.stage <= from => 1.0 - d.fraction,
            _ => 1.0,
        };
        let organic_l_per_h = (0..stages)
            .map(|j| self.cascade.organic_per_feed(s, j) * f / capacity)
            .collect();
        let aqueous_l_per_h = (1..=stages)
            .map(|stage| {
                let fed = if stage <= feed_stage {
                    feed_l_per_h * kept(feed_stage, stage)
                } else {
                    0.0
                };
                scrub_l_per_h * kept(stages, stage) + fed
            })
            .collect();
        Some(StageFlows {
            organic_l_per_h,
            aqueous_l_per_h,
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::cascade::{Draw, DrawPhase, FeedPhase};
    use crate::flowsheet::plant::tests::unit;

    /// 100 mol/h at S = 4, W = 3 (as plant.rs's hand check) on 3 + 2 stages: organic 2,000
    /// L/h everywhere, scrub 200 L/h above the feed stage (3), 200 + 80 L/h from it down.
    #[test]
    fn aqueous_feed_joins_at_the_feed_stage() {
        let (unit, system) = unit(FeedPhase::Aqueous, (3, 2), None);
        let flows = unit.stage_flows(&system, 100.0).unwrap();
        assert_eq!(flows.organic_l_per_h, vec![2000.0; 5]);
        assert_eq!(
            flows.aqueous_l_per_h,
            vec![280.0, 280.0, 280.0, 200.0, 200.0]
        );
    }

    /// An aqueous draw of 10 % at stage 2 leaves 252 L/h to stage 1; one at stage 4 takes 10 %
    /// of the scrub liquor from stage 3 down, not of the feed.
    #[test]
    fn an_aqueous_draw_thins_the_aqueous_below_it() {
        for (stage, expected) in [
            (2, vec![252.0, 280.0, 280.0, 200.0, 200.0]),
            (4, vec![260.0, 260.0, 260.0, 200.0, 200.0]),
        ] {
            let draw = Draw {
                stage,
                fraction: 0.1,
                phase: DrawPhase::Aqueous,
            };
            let (unit, system) = unit(FeedPhase::Aqueous, (3, 2), Some(draw));
            let flows = unit.stage_flows(&system, 100.0).unwrap();
            for (got, want) in flows.aqueous_l_per_h.iter().zip(&expected) {
                assert!((got - want).abs() < 1e-9, "draw at {stage}: {flows:?}");
            }
        }
    }

    /// An organic feed: the fresh organic carries S - 1 below the feed stage (1,500 L/h), S
    /// from it up; the aqueous is the scrub liquor alone.
    #[test]
    fn organic_feed_loads_the_organic_at_the_feed_stage() {
        let (unit, system) = unit(FeedPhase::Organic, (3, 2), None);
        let flows = unit.stage_flows(&system, 100.0).unwrap();
        assert_eq!(
            flows.organic_l_per_h,
            vec![1500.0, 1500.0, 2000.0, 2000.0, 2000.0]
        );
        assert_eq!(flows.aqueous_l_per_h, vec![200.0; 5]);
    }
}
