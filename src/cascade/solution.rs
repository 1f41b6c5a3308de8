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
        let mass_balance = closure(&aqueous, &organic, feed, feed_stage, reflux_fraction, draw);
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
fn drawn_from<'a>(
    draw: SideDraw,
    aqueous: &'a Array2<f64>,
    organic: &'a Array2<f64>,
) -> &'a Array2<f64> {
    match draw.phase {
        DrawPhase::Aqueous => aqueous,
        DrawPhase::Organic => organic,
    }
}

/// Closure of every stage and of the whole cascade, recomputed from the profiles.
fn closure(
    aqueous: &Array2<f64>,
    organic: &Array2<f64>,
    feed: &[f64],
    feed_stage: usize,
    reflux_fraction: f64,
    draw: Option<SideDraw>,
) -> MassBalance {
    let (n, c) = aqueous.dim();
    let mut overall: f64 = 0.0;
    let mut worst_stage: f64 = 0.0;
    for i in 0..c {
        let drawn = draw.map_or(0.0, |d| {
            d.fraction * drawn_from(d, aqueous, organic)[(d.stage, i)]
        });
        let out = passed_on(draw, 0) * aqueous[(0, i)]
            + (1.0 - reflux_fraction) * organic[(n - 1, i)]
            + drawn;
        overall = nan_max(overall, (feed[i] - out).abs() / feed[i]);
        for j in 0..n {
            let from_below = if j > 0 {
                passed_up(draw, j - 1) * organic[(j - 1, i)]
            } else {
                0.0
            };
            let from_above = if j + 1 < n {
                passed_on(draw, j + 1) * aqueous[(j + 1, i)]
            } else {
                reflux_fraction * organic[(n - 1, i)]
            };
            let fed = if j == feed_stage { feed[i] } else { 0.0 };
            let inflow = from_below + from_above + fed;
            let outflow = aqueous[(j, i)] + organic[(j, i)];
            let scale = inflow.max(NEGLIGIBLE_FLUX * feed[i]).max(f64::MIN_POSITIVE);
            worst_stage = nan_max(worst_stage, (inflow - outflow).abs() / scale);
        }
    }
    MassBalance {
        overall,
        worst_stage,
    }
}
