//! An acid-aware cascade (the `ph_correlation` model): its sections as the acid solver takes
//! them, and its solution as a [`CascadeSolution`] with the acid balance beside it
//! (docs/model.md section 2 numbering: extraction, scrub, then the strip stages in the order
//! the organic passes them; the strip liquor leaving stage N+1 is the extract).

use ndarray::Array2;

use super::solution::{CascadeSolution, MassBalance};
use crate::elements::Element;
use crate::solver::{AcidLiquor, AcidSections, AcidSolution, nan_max};
use crate::stream::Stream;

/// The phase volumes and acids of an acid-aware cascade, all per hour.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AcidFlows {
    pub extraction_stages: usize,
    pub scrub_stages: usize,
    pub strip_stages: usize,
    /// 0-based feed stage.
    pub feed_stage: usize,
    pub feed_l_per_h: f64,
    pub organic_l_per_h: f64,
    pub feed_acid_mol_per_h: f64,
    pub scrub_l_per_h: f64,
    pub scrub_acid_mol_per_l: f64,
    pub strip_l_per_h: f64,
    pub strip_acid_mol_per_l: f64,
}

impl AcidFlows {
    pub fn sections(&self) -> AcidSections {
        let liquor = |stages, l, acid| {
            (stages > 0).then_some(AcidLiquor {
                stages,
                liquor_l_per_h: l,
                acid_mol_per_l: acid,
            })
        };
        AcidSections {
            feed_stage: Some(self.feed_stage + 1),
            scrub: liquor(
                self.scrub_stages,
                self.scrub_l_per_h,
                self.scrub_acid_mol_per_l,
            ),
            strip: liquor(
                self.strip_stages,
                self.strip_l_per_h,
                self.strip_acid_mol_per_l,
            ),
        }
    }

    fn main(&self) -> usize {
        self.extraction_stages + self.scrub_stages
    }
}

/// The H+ that enters and leaves an acid-aware cascade, mol/h: HCl actually fed with the scrub
/// and strip liquors, and the acid leaving with the raffinate and the strip liquor (the
/// extract), from the solved acid balance.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AcidBalance {
    pub feed_acid_mol_per_h: f64,
    pub scrub_acid_mol_per_h: f64,
    pub strip_acid_mol_per_h: f64,
    pub raffinate_acid_mol_per_h: f64,
    pub extract_acid_mol_per_h: f64,
    /// H+ the organic releases (positive) or takes up (negative) over the cascade: per mol of
    /// each species its `acid_released` times what the organic gained between entering and
    /// leaving (without a strip section); around a closed loop, only what the saponified cation
    /// added to the organic takes up (its RE returns).
    pub released_mol_per_h: f64,
    /// `|in + released - out| / (in + |released|)`.
    pub closure: f64,
    pub scrub_l_per_h: f64,
    pub strip_l_per_h: f64,
    /// Strip stages at the end of the profiles (stages N+1..N+t).
    pub strip_stages: usize,
}

/// The cascade solution of an acid-aware solve: profiles over every stage (strip stages
/// last), the raffinate leaving stage 1, the extract (the strip liquor leaving stage N+1, or
/// without a strip section the loaded organic leaving stage N), pH and the acid balance.
pub(super) fn acid_solution(
    elements: Vec<Element>,
    feed: &[f64],
    flows: &AcidFlows,
    acid_released: &[f64],
    organic_inlet: &[f64],
    solved: AcidSolution,
) -> CascadeSolution {
    let c = elements.len();
    let species = acid_released.len();
    let m = solved.hydrogen_mol_per_l.len();
    let main = flows.main();
    let strip = flows.strip_stages > 0;
    // H+ the organic released between entering stage 1 and leaving the main section: every
    // species, a saponified cation included (what it brought in it gives up for H+).
    // Around a closed loop the organic's RE returns; what is added to it (a saponified
    // cation) leaves with the aqueous, giving up its H+ uptake.
    let released = if strip {
        -(0..species)
            .map(|i| acid_released[i] * organic_inlet[i])
            .sum::<f64>()
    } else {
        (0..species)
            .map(|i| {
                acid_released[i] * (solved.organic[(main - 1) * species + i] - organic_inlet[i])
            })
            .sum()
    };
    // The rare earths' columns; a saponified cation is in the acid balance only.
    let rare_earths = |profile: &[f64]| -> Vec<f64> {
        profile
            .chunks_exact(species)
            .flat_map(|stage| stage[..c].iter().copied())
            .collect()
    };
    let solved = AcidSolution {
        aqueous: rare_earths(&solved.aqueous),
        organic: rare_earths(&solved.organic),
        ..solved
    };
    let mass_balance = closure(&solved, feed, flows);
    let aqueous = Array2::from_shape_vec((m, c), solved.aqueous).expect("M x C profile");
    let organic = Array2::from_shape_vec((m, c), solved.organic).expect("M x C profile");
    let stream = |values: Vec<f64>| Stream::new(elements.iter().copied().zip(values));
    let extract = if strip {
        aqueous.row(main).to_vec()
    } else {
        organic.row(main - 1).to_vec()
    };
    let h = &solved.hydrogen_mol_per_l;
    let raffinate_l = flows.feed_l_per_h + flows.scrub_l_per_h;
    let scrub_acid = flows.scrub_acid_mol_per_l * flows.scrub_l_per_h;
    let strip_acid = flows.strip_acid_mol_per_l * flows.strip_l_per_h;
    let (scrub_acid, strip_acid) = (
        if flows.scrub_stages > 0 {
            scrub_acid
        } else {
            0.0
        },
        if strip { strip_acid } else { 0.0 },
    );
    let acid_in = flows.feed_acid_mol_per_h + scrub_acid + strip_acid;
    let raffinate_acid = h[0] * raffinate_l;
    let extract_acid = if strip {
        h[main] * flows.strip_l_per_h
    } else {
        0.0
    };
    let acid = AcidBalance {
        feed_acid_mol_per_h: flows.feed_acid_mol_per_h,
        scrub_acid_mol_per_h: scrub_acid,
        strip_acid_mol_per_h: strip_acid,
        raffinate_acid_mol_per_h: raffinate_acid,
        extract_acid_mol_per_h: extract_acid,
        released_mol_per_h: released,
        closure: (acid_in + released - raffinate_acid - extract_acid).abs()
            / (acid_in + released.abs()),
        scrub_l_per_h: if flows.scrub_stages > 0 {
            flows.scrub_l_per_h
        } else {
            0.0
        },
        strip_l_per_h: if strip { flows.strip_l_per_h } else { 0.0 },
        strip_stages: flows.strip_stages,
    };
    CascadeSolution {
        raffinate: stream(aqueous.row(0).to_vec()),
        extract: stream(extract),
        scrub_liquor: stream(vec![0.0; c]),
        side_draw: None,
        feed: stream(feed.to_vec()),
        elements,
        aqueous,
        organic,
        convergence: solved.status,
        mass_balance,
        ph: Some(h.iter().map(|h| -h.log10()).collect()),
        acid: Some(acid),
    }
}

/// Closure of every stage and of the whole cascade from the profiles, the returning organic
/// of a closed loop included.
fn closure(s: &AcidSolution, feed: &[f64], flows: &AcidFlows) -> MassBalance {
    let c = feed.len();
    let m = s.hydrogen_mol_per_l.len();
    let main = flows.main();
    let strip = flows.strip_stages > 0;
    let (a, o) = (&s.aqueous, &s.organic);
    let mut overall: f64 = 0.0;
    let mut worst_stage: f64 = 0.0;
    for (i, f) in feed.iter().enumerate() {
        let out = a[i]
            + if strip {
                a[main * c + i]
            } else {
                o[(main - 1) * c + i]
            };
        overall = nan_max(overall, (f - out).abs() / f);
        for j in 0..m {
            let below = match j {
                0 if strip => o[(m - 1) * c + i],
                0 => 0.0,
                _ => o[(j - 1) * c + i],
            };
            let above = if j + 1 < m && j + 1 != main {
                a[(j + 1) * c + i]
            } else {
                0.0
            };
            let fed = if j == flows.feed_stage { *f } else { 0.0 };
            let inflow = below + above + fed;
            let outflow = a[j * c + i] + o[j * c + i];
            let scale = inflow.max(1e-30 * f).max(f64::MIN_POSITIVE);
            worst_stage = nan_max(worst_stage, (inflow - outflow).abs() / scale);
        }
    }
    MassBalance {
        overall,
        worst_stage,
    }
}
