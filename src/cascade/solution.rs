use ndarray::{Array2, ArrayView1};

use crate::elements::Element;
use crate::solver::{
    Convergence, DrawPhase, SideDraw, StageSolution, nan_max, passed_on, passed_up,
};
use crate::stream::Stream;

/// Fluxes below this fraction of an element's own feed count as zero when judging the
/// closure of a single stage: they are far below one atom per year at any plant scale, and in
/// subnormal range for a normalised feed, where relative rounding error is meaningless.
const NEGLIGIBLE_FLUX: f64 = 1e-30;

/// The steady state of one cascade.
#[derive(Debug, Clone)]
pub struct CascadeSolution {
    /// Elements in the system's extraction order: the column order of the profiles.
    pub elements: Vec<Element>,
    /// Aqueous flux leaving each stage, mol/h (row = stage 1..N, column = element).
    pub aqueous: Array2<f64>,
    /// Organic flux leaving each stage, mol/h.
    pub organic: Array2<f64>,
    /// Aqueous product leaving stage 1 (the less extractable elements).
    pub raffinate: Stream,
    /// Stripped RE withdrawn as product (the more extractable elements).
    pub extract: Stream,
    /// Strip liquor returned to stage N as scrub.
    pub scrub_liquor: Stream,
    /// The third outlet: the aqueous drawn off at the side-draw stage, if there is one.
    pub side_draw: Option<Stream>,
    pub feed: Stream,
    pub convergence: Convergence,
    pub mass_balance: MassBalance,
    /// pH of the aqueous leaving each stage, where the model has an acid balance.
    pub ph: Option<Vec<f64>>,
    /// The acid fed and leaving, where the model has an acid balance.
    pub acid: Option<super::acid::AcidBalance>,
}

/// Mass-balance closure, max over elements of `|in - out| / in`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MassBalance {
    /// Over the whole cascade: feed against raffinate plus extract (plus the side draw).
    pub overall: f64,
    /// Over each stage (the worst stage).
    pub worst_stage: f64,
}

impl CascadeSolution {
    pub(crate) fn new(
        elements: Vec<Element>,
        feed: &[f64],
        feed_stage: usize,
        reflux_fraction: f64,
        draw: Option<SideDraw>,
        solved: StageSolution,
    ) -> Self {
        let c = elements.len();
        let n = solved.aqueous.len() / c;
        let mass_balance = closure(
            &solved.aqueous,
            &solved.organic,
            feed,
            feed_stage,
            reflux_fraction,
            draw,
        );
        let aqueous = Array2::from_shape_vec((n, c), solved.aqueous).expect("N x C profile");
        let organic = Array2::from_shape_vec((n, c), solved.organic).expect("N x C profile");
        let stream = |values: Vec<f64>| Stream::new(elements.iter().copied().zip(values));
        let loaded = organic.row(n - 1);
        let raffinate = stream(
            aqueous
                .row(0)
                .iter()
                .map(|a| passed_on(draw, 0) * a)
                .collect(),
        );
        let side_draw = draw.map(|d| {
            let profile = drawn_from(d, &aqueous, &organic);
            stream(
                profile
                    .row(d.stage)
                    .iter()
                    .map(|a| d.fraction * a)
                    .collect(),
            )
        });
        let extract = stream(loaded.iter().map(|o| (1.0 - reflux_fraction) * o).collect());
        let scrub_liquor = stream(loaded.iter().map(|o| reflux_fraction * o).collect());
        Self {
            raffinate,
            extract,
            scrub_liquor,
            side_draw,
            feed: stream(feed.to_vec()),
            elements,
            aqueous,
            organic,
            convergence: solved.status,
            mass_balance,
            ph: None,
            acid: None,
        }
    }

    /// The aqueous profile (stage-major) of `elements`, each column scaled from this
    /// solution's feed to `feed`: a start for a nearby solve. `None` if an element is missing.
    pub(crate) fn rescaled_profile(&self, elements: &[Element], feed: &[f64]) -> Option<Vec<f64>> {
        let columns: Vec<(usize, f64)> = elements
            .iter()
            .zip(feed)
            .map(|(e, f)| {
                let k = self.elements.iter().position(|x| x == e)?;
                Some((k, f / self.feed.mol_per_h(*e)))
            })
            .collect::<Option<_>>()?;
        let profile = self
            .aqueous
            .rows()
            .into_iter()
            .flat_map(|row| columns.iter().map(move |&(k, scale)| row[k] * scale))
            .collect();
        Some(profile)
    }

    /// Each stage's aqueous and organic fluxes, stage 1 first, in [`Self::elements`] order.
    pub fn stage_rows(&self) -> impl Iterator<Item = (ArrayView1<'_, f64>, ArrayView1<'_, f64>)> {
        self.aqueous.rows().into_iter().zip(self.organic.rows())
    }

    pub fn stages(&self) -> usize {
        self.aqueous.nrows()
    }
}

/// The profile of the phase `draw` takes from.
fn drawn_from<T>(draw: SideDraw, aqueous: T, organic: T) -> T {
    match draw.phase {
        DrawPhase::Aqueous => aqueous,
        DrawPhase::Organic => organic,
    }
}

/// Closure of every stage and of the whole cascade, recomputed from the profiles (stage-major
/// `N x C`).
fn closure(
    aqueous: &[f64],
    organic: &[f64],
    feed: &[f64],
    feed_stage: usize,
    reflux_fraction: f64,
    draw: Option<SideDraw>,
) -> MassBalance {
    let c = feed.len();
    let n = aqueous.len() / c;
    let top = stage(organic, c, n - 1);
    let drawn = draw.map(|d| {
        (
            d.fraction,
            stage(drawn_from(d, aqueous, organic), c, d.stage),
        )
    });
    let mut overall: f64 = 0.0;
    let mut worst_stage: f64 = 0.0;
    // Element by element, down its column of the stage-major profiles: a stage at a time, each
    // stage's few elements of a binary cost more in loop overhead than in arithmetic.
    for (i, f) in feed.iter().enumerate() {
        let drawn = drawn.map_or(0.0, |(fraction, row)| fraction * row[i]);
        let out = passed_on(draw, 0) * aqueous[i] + (1.0 - reflux_fraction) * top[i] + drawn;
        overall = nan_max(overall, (f - out).abs() / f);
        for j in 0..n {
            let from_below = if j > 0 {
                passed_up(draw, j - 1) * organic[(j - 1) * c + i]
            } else {
                0.0
            };
            let from_above = if j + 1 < n {
                passed_on(draw, j + 1) * aqueous[(j + 1) * c + i]
            } else {
                reflux_fraction * top[i]
            };
            let fed = if j == feed_stage { *f } else { 0.0 };
            let inflow = from_below + from_above + fed;
            let outflow = aqueous[j * c + i] + organic[j * c + i];
            let scale = inflow.max(NEGLIGIBLE_FLUX * f).max(f64::MIN_POSITIVE);
            worst_stage = nan_max(worst_stage, (inflow - outflow).abs() / scale);
        }
    }
    MassBalance {
        overall,
        worst_stage,
    }
}

/// Stage `j`'s entries of a stage-major profile of `c` elements.
fn stage(profile: &[f64], c: usize, j: usize) -> &[f64] {
    &profile[j * c..(j + 1) * c]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One element in two stages, fed 1 at stage 1 with reflux 0.4: organic 1 and 1.5 leave
    /// the stages, so the aqueous leaving stage 2 is `1 + 0.4 * 1.5 - 1.5 = 0.1` and leaving
    /// stage 1 `0.1 + 1 - 1 = 0.1`; every balance closes.
    const AQUEOUS: [f64; 2] = [0.1, 0.1];
    const ORGANIC: [f64; 2] = [1.0, 1.5];

    #[test]
    fn closure_finds_a_stage_out_of_balance_and_the_cascade_in_balance() {
        let closed = closure(&AQUEOUS, &ORGANIC, &[1.0], 0, 0.4, None);
        assert!(
            closed.overall < 1e-15 && closed.worst_stage < 1e-15,
            "{closed:?}"
        );
        // 1e-3 more aqueous leaving stage 2: stage 2 puts out 1.601 for 1.6 in, stage 1
        // takes in 1.101 for 1.1 out; the products are untouched.
        let off = closure(&[0.1, 0.101], &ORGANIC, &[1.0], 0, 0.4, None);
        assert!(off.overall < 1e-15, "{off:?}");
        assert!((off.worst_stage - 1e-3 / 1.101).abs() < 1e-12, "{off:?}");
        // The same profile with half the aqueous leaving stage 2 drawn off: stage 1 gets the
        // other half, 0.05, and the draw's 0.05 joins the products.
        let draw = SideDraw {
            stage: 1,
            phase: DrawPhase::Aqueous,
            fraction: 0.5,
        };
        let drawn = closure(&AQUEOUS, &ORGANIC, &[1.0], 0, 0.4, Some(draw));
        assert!((drawn.worst_stage - 0.05 / 1.05).abs() < 1e-12, "{drawn:?}");
        assert!((drawn.overall - 0.05).abs() < 1e-12, "{drawn:?}");
    }
}
