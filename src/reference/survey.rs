//! Seeded random cascades over the whole space the flowsheet file allows: saturated and
//! constant-D systems, 2-15 elements, dense or trace feeds, adjacent factors 1.02-10, reflux
//! from just above the minimum to 50 times it, 1 to `max_stages` stages, the feed on any stage,
//! side draws of either phase and organic feeds. The convergence surveys
//! (tests/integration/survey.rs, examples/survey.rs) solve them; only cases whose numbers pass
//! [`Cascade::check`] are drawn, so every one is well posed.

use std::collections::BTreeMap;

use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::{Rng as _, SeedableRng};

use super::Case;
use crate::cascade::{Cascade, Draw, DrawPhase, FeedPhase, OperatingPoint, SystemModel};
use crate::elements::Element;
use crate::stream::Stream;
use crate::theory::minimum_reflux_ratio;

/// One drawn case and the words that place it in the survey's space.
#[derive(Debug, Clone)]
pub struct SurveyCase {
    pub case: Case,
    /// `saturated` or `constant_d`.
    pub model: &'static str,
    /// `dense` (elements of comparable abundance) or `trace` (abundances over six decades).
    pub feed_kind: &'static str,
    /// The reflux ratio as a multiple of the key pair's minimum (saturated cascades).
    pub reflux_factor: f64,
}

impl SurveyCase {
    /// A one-line description: model, elements, stages, feed, reflux, draw.
    pub fn label(&self) -> String {
        let c = &self.case.cascade;
        let draw = match c.side_draw {
            Some(d) => format!(" draw {}@{} {:.2}", d.phase.as_str(), d.stage, d.fraction),
            None => String::new(),
        };
        format!(
            "{} C{} N{}({}+{}) f{}{} {} R{:.3}xmin{}",
            self.model,
            self.case.feed.flows().count(),
            c.stages(),
            c.extraction_stages,
            c.scrub_stages,
            c.feed_stage(),
            if c.feed_phase == FeedPhase::Organic {
                " org"
            } else {
                ""
            },
            self.feed_kind,
            self.reflux_factor,
            draw
        )
    }
}

/// `count` well-posed cascades of 1 to `max_stages` stages drawn from `seed`.
pub fn cases(seed: u64, count: usize, max_stages: usize) -> Vec<SurveyCase> {
    let mut rng = Draws(ChaCha8Rng::seed_from_u64(seed));
    let mut drawn = Vec::with_capacity(count);
    while drawn.len() < count {
        if let Some(case) = draw(&mut rng, max_stages)
            && case.case.cascade.check(&case.case.model).is_ok()
        {
            drawn.push(case);
        }
    }
    drawn
}

struct Draws(ChaCha8Rng);

impl Draws {
    fn unit(&mut self) -> f64 {
        (self.0.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn range(&mut self, a: f64, b: f64) -> f64 {
        a + (b - a) * self.unit()
    }
    fn log_range(&mut self, a: f64, b: f64) -> f64 {
        (a.ln() + (b.ln() - a.ln()) * self.unit()).exp()
    }
    /// An integer in `a..=b`.
    fn int(&mut self, a: usize, b: usize) -> usize {
        a + (self.unit() * (b - a + 1) as f64) as usize
    }
    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
}

fn draw(rng: &mut Draws, max_stages: usize) -> Option<SurveyCase> {
    let elements = rng.int(2, 15);
    // Dense: every adjacent factor moderate; otherwise anywhere in 1.02-10.
    let dense_factors = rng.chance(0.5);
    let mut beta = 1.0;
    let mut betas = Vec::with_capacity(elements);
    for i in 0..elements {
        if i > 0 {
            beta *= if dense_factors {
                rng.log_range(1.1, 3.0)
            } else {
                rng.log_range(1.02, 10.0)
            };
        }
        betas.push(beta);
    }
    let dense_feed = rng.chance(0.6);
    let feed: Vec<f64> = (0..elements)
        .map(|_| {
            if dense_feed {
                rng.range(0.5, 1.5)
            } else {
                rng.log_range(1e-6, 1.0)
            }
        })
        .collect();
    let total: f64 = feed.iter().sum();
    let feed: Vec<f64> = feed.iter().map(|x| x / total).collect();
    // Stages log-uniform in 1..=max_stages, split anywhere, the feed on any stage.
    let stages = (rng.log_range(1.0, max_stages as f64 + 1.0) as usize).clamp(1, max_stages);
    let extraction_stages = rng.int(1, stages);
    let scrub_stages = stages - extraction_stages;
    let feed_stage = if rng.chance(0.5) {
        None
    } else {
        Some(rng.int(1, stages))
    };
    let cut = rng.int(1, elements - 1);
    let heavy: f64 = feed[cut..].iter().sum();
    let key = betas[cut] / betas[cut - 1];
    let element_list = &Element::ALL[..elements];
    let stream = Stream::new(element_list.iter().copied().zip(feed.iter().copied()));
    let side_draw = if stages >= 3 && rng.chance(0.25) {
        Some(Draw {
            stage: rng.int(1, stages),
            fraction: rng.log_range(0.02, 0.4),
            phase: if rng.chance(0.5) {
                DrawPhase::Aqueous
            } else {
                DrawPhase::Organic
            },
        })
    } else {
        None
    };
    if rng.chance(0.8) {
        // Saturated: the extract takes about the heavy group, at a reflux from just above
        // the key pair's minimum (Underwood, for the sharp split) to 50 times it.
        let product = (heavy * rng.range(0.9, 1.1)).clamp(0.02, 0.98);
        let minimum = minimum_reflux_ratio(key, heavy, 0.99, false).max(0.05);
        let reflux_factor = rng.log_range(1.02, 50.0);
        let reflux = reflux_factor * minimum;
        let organic_feed = rng.chance(0.15) && product * (1.0 + reflux) > 1.05;
        let cascade = Cascade {
            extraction_stages,
            scrub_stages,
            feed_stage,
            feed_phase: if organic_feed {
                FeedPhase::Organic
            } else {
                FeedPhase::Aqueous
            },
            operating_point: OperatingPoint::from_reflux_ratio(product * (1.0 + reflux), reflux),
            side_draw,
            stage_efficiency: 1.0,
        };
        let model = SystemModel::Saturated {
            separation_factors: element_list.iter().copied().zip(betas).collect(),
        };
        Some(SurveyCase {
            case: Case {
                cascade,
                model,
                feed: stream,
            },
            model: "saturated",
            feed_kind: if dense_feed { "dense" } else { "trace" },
            reflux_factor,
        })
    } else {
        // Constant D: the key pair's extraction factors straddle 1.
        let oa = rng.range(0.6, 1.6) / (betas[cut] * betas[cut - 1]).sqrt();
        let d: BTreeMap<Element, f64> = element_list.iter().copied().zip(betas).collect();
        let cascade = Cascade {
            extraction_stages,
            scrub_stages,
            feed_stage,
            feed_phase: FeedPhase::Aqueous,
            operating_point: OperatingPoint::Volumetric {
                oa_ratio: oa,
                scrub_oa_ratio: oa * rng.range(0.5, 1.5),
                reflux_ratio: rng.log_range(0.01, 20.0),
            },
            side_draw,
            stage_efficiency: 1.0,
        };
        Some(SurveyCase {
            case: Case {
                cascade,
                model: SystemModel::ConstantD {
                    distribution_ratios: d,
                },
                feed: stream,
            },
            model: "constant_d",
            feed_kind: if dense_feed { "dense" } else { "trace" },
            reflux_factor: f64::NAN,
        })
    }
}

/// A dense cut: `elements` elements of equal feed, each `adjacent` times as extractable as the
/// one before, `n + m` stages, the feed on stage `n`, at `S` and `W` per mol of feed.
pub fn dense_cut(elements: usize, adjacent: f64, n: usize, m: usize, s: f64, w: f64) -> Case {
    let list = &Element::ALL[..elements];
    Case {
        cascade: Cascade {
            extraction_stages: n,
            scrub_stages: m,
            feed_stage: None,
            feed_phase: FeedPhase::Aqueous,
            operating_point: OperatingPoint::Fluxes {
                extraction_ratio: s,
                scrub_ratio: w,
            },
            side_draw: None,
            stage_efficiency: 1.0,
        },
        model: SystemModel::Saturated {
            separation_factors: list
                .iter()
                .enumerate()
                .map(|(i, &e)| (e, adjacent.powi(i as i32)))
                .collect(),
        },
        feed: Stream::new(list.iter().map(|&e| (e, 1.0 / elements as f64))),
    }
}

/// A dense cut of equal feeds whose extract takes the heavier half (`elements / 2`) at reflux
/// ratio `reflux`, stages split evenly.
pub fn dense_half_cut(elements: usize, adjacent: f64, stages: usize, reflux: f64) -> Case {
    let product = (elements / 2) as f64 / elements as f64;
    let s = product * (1.0 + reflux);
    dense_cut(
        elements,
        adjacent,
        stages / 2,
        stages - stages / 2,
        s,
        s - product,
    )
}

/// The cascades issue 24 reports as slow or not converging, by name: dense 15-element cuts,
/// the reference 15-element cut at 300 to 3000 stages, beta-2 cuts of 8 and 15 elements at
/// 300 stages and a 2,506-stage binary.
pub fn reported_cases() -> Vec<(&'static str, Case)> {
    vec![
        ("dense_15x100", dense_cut(15, 1.6, 50, 50, 1.2, 0.7)),
        ("dense_15x1000", dense_cut(15, 1.6, 500, 500, 1.2, 0.7)),
        ("reference_15x300", super::fifteen_element_cut(300)),
        ("reference_15x700", super::fifteen_element_cut(700)),
        ("reference_15x3000", super::fifteen_element_cut(3000)),
        ("beta2_8x100_R3", dense_half_cut(8, 2.0, 100, 3.0)),
        ("beta2_8x300_R3", dense_half_cut(8, 2.0, 300, 3.0)),
        ("beta2_15x300_R3", dense_half_cut(15, 2.0, 300, 3.0)),
        (
            "binary_2499+7",
            super::binary(1.5, 0.75, 2499, 7, 1.7086, 2.4142),
        ),
    ]
}
