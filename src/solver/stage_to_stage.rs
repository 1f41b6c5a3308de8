//! Stage-to-stage solution of a saturated binary cascade.
//!
//! With two elements and Xu's saturated organic, one phase leaving a stage fixes the other:
//! the organic follows from the aqueous, `o_i = S_j beta_i a_i / sum_l beta_l a_l`, and the
//! aqueous from the organic, `a_i = A_j (o_i / beta_i) / sum_l (o_l / beta_l)`, with the
//! stage totals `S_j` and `A_j` fixed by the flows. The stage balances summed from either end
//! of the cascade give the rest: below the feed stage the aqueous entering stage `j` from
//! above is `a(j+1) = o(j) + raffinate`, above it the organic entering from below is
//! `o(j-1) = a(j) + extract`. So from the two products the profile can be marched stage by
//! stage to the feed stage (Lewis & Matheson, Ind. Eng. Chem. 24 (1932) 494, for binary
//! distillation: McCabe and Thiele's construction done in numbers), each march adding
//! positive fluxes only, so every flux, however small, keeps its relative accuracy. Each march
//! runs the way its product's impurity grows: the extract element up the extraction section,
//! the raffinate element down the scrub section.
//!
//! What is left is one unknown, the impurity of one product, which fixes the other's by the
//! overall balance: with `P` the extract, `F` the feed and `h` the more extractable element,
//! the raffinate's `h` is the extract's other element less `P - F_h`. It is the root of the
//! mismatch of the two marches at the organic leaving the feed stage, in log-ratio form,
//! which rises strictly with the impurity from minus to plus infinity across the feasible
//! range; safeguarded Newton's method on the logarithm of the impurity (the derivative
//! carried along both marches) finds it. The caller judges the profile on the stage balances
//! like any other solver's answer.

use super::StageProblem;
use crate::equilibrium::Equilibrium;

/// Root-finding iterations before the marches give up (the caller then solves the cascade
/// by Newton's method on all its stages).
const MAX_ITERATIONS: usize = 60;
/// Mismatch of the two marches' log ratios at which the root is taken. Each march carries a
/// relative rounding error of a few ulps a stage, so the mismatch cannot be resolved much
/// below `1e-14` on cascades of tens of stages; at `1e-13` the feed stage's balance is off by
/// less than `1e-13` of its organic flux.
const MISMATCH_TOLERANCE: f64 = 1e-13;
/// How far below the largest impurity, in `ln` (e-folds), the search for it stops: `e^-700`
/// is about `1e-304`, near the smallest normal double, where the profile's fluxes underflow.
const DEEPEST: f64 = 700.0;

/// The cut's products as functions of the impurity `x`: the raffinate's `h` is `x + r`, the
/// extract's `l` is `x + p`, where one of `r`, `p` is zero and the other is the excess of
/// the extract over the feed's `h` (or its shortfall), so neither is a small difference.
struct Products {
    /// Raffinate and extract totals.
    raffinate: f64,
    extract: f64,
    offsets: (f64, f64),
    /// Whether the impurity is the raffinate's `h` (the extract takes at least the feed's
    /// `h`), else the extract's `l`.
    raffinate_side: bool,
}

impl Products {
    /// Raffinate and extract fluxes `[l, h]` at impurity `x`.
    fn at(&self, x: f64) -> ([f64; 2], [f64; 2]) {
        let (r, p) = (x + self.offsets.0, x + self.offsets.1);
        ([self.raffinate - r, r], [p, self.extract - p])
    }
}

/// The saturated binary cascade as the marches see it, elements ordered `[l, h]`.
struct Marches<'a, E: Equilibrium> {
    p: &'a StageProblem<'a, E>,
    aqueous_totals: &'a [f64],
    beta: [f64; 2],
    /// Positions of `l` and `h` in the problem's element order.
    order: [usize; 2],
}

impl<E: Equilibrium> Marches<'_, E> {
    /// The impurity of a neighbouring solution's aqueous `profile`: its raffinate's `h`, or
    /// the `l` of the extract its last stage's aqueous is in equilibrium with.
    fn neighbour_impurity(&self, profile: &[f64], products: &Products) -> f64 {
        let [l, h] = self.order;
        if products.raffinate_side {
            products.raffinate * profile[h] / (profile[l] + profile[h])
        } else {
            let top = &profile[profile.len() - 2..];
            let (ol, oh) = (self.beta[0] * top[l], self.beta[1] * top[h]);
            products.extract * ol / (ol + oh)
        }
    }

    /// The impurity if it were dilute all the way from its product to the feed stage, whose
    /// aqueous had the feed's composition: Kremser's profiles, with the extraction factor of
    /// `h` from aqueous that is nearly all `l` below the feed (the raffinate's `h` then grows
    /// as `a(j+1) = E(j) a(j) + r`), or the stripping factor of `l` from organic nearly all `h`
    /// above it (`o(j-1) = U(j) o(j) + p`). Zero where that growth overflows.
    fn kremser_estimate(&self, products: &Products) -> f64 {
        let p = self.p;
        let (n, f) = (p.stages, p.feed_stage);
        let [bl, bh] = self.beta;
        let total: f64 = p.feed.iter().sum();
        let (zl, zh) = (p.feed[self.order[0]] / total, p.feed[self.order[1]] / total);
        let organic = |j| p.equilibrium.organic_total(j).unwrap_or(f64::NAN);
        let a = self.aqueous_totals;
        if products.raffinate_side {
            // a(f) / r for the raffinate's h.
            let growth = (0..f).fold(1.0, |y, j| organic(j) * bh / (a[j] * bl) * y + 1.0);
            a[f] * zh / growth
        } else {
            // o(f) / p for the extract's l, from o(N-1) = p / (1 - reflux fraction).
            let growth = (f + 1..n)
                .rev()
                .fold(1.0 / (1.0 - p.reflux_fraction), |w, j| {
                    a[j] * bh / (organic(j) * bl) * w + 1.0
                });
            organic(f) * (bl * zl / (bl * zl + bh * zh)) / growth
        }
    }

    /// Marches up from the raffinate through stages `0..=feed_stage`, writing their aqueous
    /// fluxes; the log ratio `ln(o_h / o_l)` of the organic leaving the feed stage and its
    /// derivative, for raffinate derivative `d_raffinate`.
    fn up(
        &self,
        raffinate: [f64; 2],
        d_raffinate: [f64; 2],
        profile: &mut [f64],
    ) -> Option<(f64, f64)> {
        let [bl, bh] = self.beta;
        let (mut a, mut da) = (raffinate, d_raffinate);
        for j in 0..=self.p.feed_stage {
            profile[2 * j + self.order[0]] = a[0];
            profile[2 * j + self.order[1]] = a[1];
            if j == self.p.feed_stage {
                // ln(o_h / o_l) = ln(beta_h a_h / beta_l a_l): the scale cancels.
                return Some((
                    (bh * a[1]).ln() - (bl * a[0]).ln(),
                    da[1] / a[1] - da[0] / a[0],
                ));
            }
            let s = bl * a[0] + bh * a[1];
            let ds = bl * da[0] + bh * da[1];
            let inverse = 1.0 / s;
            let k = self.p.equilibrium.organic_total(j)? * inverse;
            let dk = -k * ds * inverse;
            let o = [bl * a[0] * k, bh * a[1] * k];
            let d_o = [bl * (da[0] * k + a[0] * dk), bh * (da[1] * k + a[1] * dk)];
            a = [o[0] + raffinate[0], o[1] + raffinate[1]];
            da = [d_o[0] + d_raffinate[0], d_o[1] + d_raffinate[1]];
        }
        None
    }

    /// Marches down from the extract through stages `N-1..feed_stage+1`, writing their aqueous
    /// fluxes; the log ratio of the organic leaving the feed stage and its derivative.
    fn down(&self, extract: [f64; 2], d_extract: [f64; 2], profile: &mut [f64]) -> (f64, f64) {
        let [il, ih] = [1.0 / self.beta[0], 1.0 / self.beta[1]];
        let top = 1.0 / (1.0 - self.p.reflux_fraction);
        let (mut o, mut d_o) = (
            [extract[0] * top, extract[1] * top],
            [d_extract[0] * top, d_extract[1] * top],
        );
        for j in (self.p.feed_stage + 1..self.p.stages).rev() {
            let w = [o[0] * il, o[1] * ih];
            let dw = [d_o[0] * il, d_o[1] * ih];
            let inverse = 1.0 / (w[0] + w[1]);
            let k = self.aqueous_totals[j] * inverse;
            let dk = -k * (dw[0] + dw[1]) * inverse;
            let a = [w[0] * k, w[1] * k];
            let da = [dw[0] * k + w[0] * dk, dw[1] * k + w[1] * dk];
            profile[2 * j + self.order[0]] = a[0];
            profile[2 * j + self.order[1]] = a[1];
            o = [a[0] + extract[0], a[1] + extract[1]];
            d_o = [da[0] + d_extract[0], da[1] + d_extract[1]];
        }
        (o[1].ln() - o[0].ln(), d_o[1] / o[1] - d_o[0] / o[0])
    }
}

/// Solves the stage balances of a saturated binary cascade without a side draw by marching
/// from both products, writing the aqueous profile (stage-major, `N x 2`) into `aqueous`;
/// `start` is a neighbour's profile to take the first impurity from. The root-finding
/// iterations when the marches met, `None` when they did not or the problem is of another
/// kind.
pub fn solve<E: Equilibrium>(
    p: &StageProblem<'_, E>,
    aqueous_totals: &[f64],
    start: Option<&[f64]>,
    aqueous: &mut [f64],
) -> Option<usize> {
    let betas = p.equilibrium.separation_factors()?;
    if p.feed.len() != 2 || p.side_draw.is_some() || betas[0] == betas[1] {
        return None;
    }
    // An infeasible operating point leaves a stage without aqueous (or organic): no march.
    let positive = |j| aqueous_totals[j] > 0.0 && p.equilibrium.organic_total(j) > Some(0.0);
    if !(0..p.stages).all(positive) {
        return None;
    }
    let order = if betas[0] < betas[1] { [0, 1] } else { [1, 0] };
    let feed = [p.feed[order[0]], p.feed[order[1]]];
    let extract = (1.0 - p.reflux_fraction) * p.equilibrium.organic_total(p.stages - 1)?;
    let raffinate = aqueous_totals[0];
    // The extract's excess over the feed's h is the least impurity it can carry; a shortfall
    // is the least the raffinate can.
    let excess = extract - feed[1];
    let offsets = if excess >= 0.0 {
        (0.0, excess)
    } else {
        (-excess, 0.0)
    };
    let products = Products {
        raffinate,
        extract,
        offsets,
        raffinate_side: excess >= 0.0,
    };
    // Where the impurity takes a product's other element to zero the mismatch is infinite.
    // The first and last bounds are equal in exact arithmetic, as are the middle two (the
    // totals balance); all four guard against their rounding.
    let largest = (raffinate - offsets.0)
        .min(feed[1] - offsets.0)
        .min(extract - offsets.1)
        .min(feed[0] - offsets.1);
    if !(largest > 0.0 && raffinate > 0.0 && extract > 0.0) {
        return None;
    }
    let marches = Marches {
        p,
        aqueous_totals,
        beta: [betas[order[0]], betas[order[1]]],
        order,
    };
    let estimate = match start {
        Some(profile) => marches.neighbour_impurity(profile, &products),
        None => marches.kremser_estimate(&products),
    };
    let (mut below, mut above) = (largest.ln() - DEEPEST, largest.ln());
    // An estimate may lie outside this problem's range: an underflow is a deep impurity.
    let mut t = match estimate.ln() {
        t if t > below && t < above => t,
        t if t <= below => below + 1.0,
        _ => above - 1.0,
    };
    for iteration in 1..=MAX_ITERATIONS {
        let x = t.exp();
        let (r, e) = products.at(x);
        let (up, d_up) = marches.up(r, [-x, x], aqueous)?;
        let (down, d_down) = marches.down(e, [x, -x], aqueous);
        let mismatch = up - down;
        // Where rounding keeps the mismatch above the tolerance, the bracket closes to a few
        // ulps instead; the caller judges the profile on the stage balances either way.
        if mismatch.abs() <= MISMATCH_TOLERANCE || above - below <= 4.0 * f64::EPSILON * t.abs() {
            return Some(iteration);
        }
        // NaN only where x rounds past the largest impurity (a product's other element
        // negative): too large.
        if mismatch > 0.0 || mismatch.is_nan() {
            above = above.min(t);
        } else {
            below = below.max(t);
        }
        let newton = t - mismatch / (d_up - d_down);
        t = if newton > below && newton < above {
            newton
        } else {
            0.5 * (below + above)
        };
    }
    None
}

#[cfg(test)]
mod tests {
    use super::super::{SolverOptions, Start, Target, Workspace, aqueous_totals};
    use super::*;
    use crate::equilibrium::SaturatedSeparationFactors;

    /// Marched binaries agree flux by flux with Newton's method on all stages (the same
    /// problems solved with the march skipped) to 1e-11 of each flux, except on a sharp cut
    /// where Newton's is the less accurate answer; they balance every stage to 1e-13 of the
    /// feed, and every flux, down to ones below 1e-17 of the feed, to the rounding of its own
    /// flows on the stage. Either element the more extractable, aqueous and organic feeds,
    /// feed stages from the first to the last (no scrub section), extracts short of and beyond
    /// the feed's more extractable element, sharp and loose cuts.
    #[test]
    fn marched_binaries_match_newton_on_all_stages() {
        let options = SolverOptions::default();
        let mut marched_cases = 0;
        for (betas, feed, n, f, s, w, organic_feed) in [
            ([1.0, 1.5], [0.7, 0.3], 45, 24, 1.7, 1.0, false),
            ([1.5, 1.0], [0.3, 0.7], 45, 24, 1.7, 1.0, false),
            ([1.0, 2.0], [0.5, 0.5], 30, 15, 1.5, 1.0, false),
            ([1.0, 2.0], [0.5, 0.5], 30, 15, 1.5, 1.0, true),
            ([1.0, 1.2], [0.5, 0.5], 120, 60, 3.0, 2.5, false),
            ([1.0, 3.0], [0.9, 0.1], 12, 0, 0.6, 0.4, false),
            ([1.0, 3.0], [0.9, 0.1], 12, 11, 0.4, 0.0, false),
            ([1.0, 1.8], [0.2, 0.8], 40, 20, 2.0, 1.3, true),
            ([1.0, 1.5], [0.5, 0.5], 60, 30, 2.2, 1.7, false),
            // A sharp cut: the extract is the feed's h, each impurity near 1e-17 of its feed.
            ([1.0, 2.0], [0.7, 0.3], 200, 100, 2.3, 2.0, false),
        ] {
            let total: f64 = feed.iter().sum();
            let organic: Vec<f64> = (0..n)
                .map(|j| total * if organic_feed && j < f { s - 1.0 } else { s })
                .collect();
            let eq = SaturatedSeparationFactors::new(betas.to_vec(), organic);
            let p = StageProblem {
                equilibrium: &eq,
                stages: n,
                feed_stage: f,
                feed: &feed,
                reflux_fraction: w / s,
                side_draw: None,
            };
            let totals = aqueous_totals(&p).unwrap();
            let mut marched = vec![0.0; 2 * n];
            let Some(iterations) = solve(&p, &totals, None, &mut marched) else {
                panic!("{betas:?} {feed:?} n {n} f {f}: the marches did not meet");
            };
            assert!(iterations <= 12, "{iterations} iterations");
            marched_cases += 1;
            // From its own answer as a neighbour's, the first marches already meet (to the
            // rounding of the impurity's exp(ln x)).
            let mut again = vec![0.0; 2 * n];
            assert_eq!(solve(&p, &totals, Some(&marched), &mut again), Some(1));
            for (a, m) in again.iter().zip(&marched) {
                assert!((a - m).abs() <= 1e-14 * m, "{a:e} against {m:e}");
            }
            let mut work = Workspace::new(n, 2);
            work.aqueous.copy_from_slice(&marched);
            let norms = work.evaluate(&p, Target::Current);
            assert!(norms.residual <= 1e-13, "residual {:e}", norms.residual);
            // Every flux, however small, balances its stage to rounding of its own flows.
            let (a, o) = (&work.aqueous, &work.organic);
            for (k, r) in work.residual.iter().enumerate() {
                let (j, i) = (k / 2, k % 2);
                let below = if j > 0 { o[k - 2] } else { 0.0 };
                let above = if j + 1 < n {
                    a[k + 2]
                } else {
                    p.reflux_fraction * o[k]
                };
                let fed = if j == f { feed[i] } else { 0.0 };
                let flows = below + above + fed + o[k] + a[k];
                assert!(
                    r.abs() <= 64.0 * f64::EPSILON * flows,
                    "stage {j}: {r:e} of {flows:e}"
                );
            }
            // The workspace alone is sweeps and Newton's method, without the march.
            let mut work = Workspace::new(n, 2);
            let newton = work.solve(&p, &options, Start::Unseparated).unwrap();
            assert!(newton.status.iterations > 0);
            if n == 200 {
                let smallest = marched.iter().copied().fold(f64::INFINITY, f64::min);
                assert!(
                    smallest < 1e-17,
                    "the sharp cut's smallest flux {smallest:e}"
                );
                // Here Newton's answer, within its tolerance of 1e-11 of the feed, is the less
                // accurate: its raffinate's h is 2.1e-15 where the overall balance allows no
                // less than 2.2e-16 (the rounding of S - W), the marched one, and its large
                // fluxes differ by up to 1.5e-9 of themselves. The flux-by-flux balances above
                // are this case's check.
                continue;
            }
            for (j, (m, a)) in marched.iter().zip(&newton.aqueous).enumerate() {
                assert!(
                    (m - a).abs() <= 1e-11 * a,
                    "{betas:?} n {n} f {f}, flux {j}: {m:e} marched, {a:e} by Newton"
                );
            }
        }
        assert_eq!(marched_cases, 10);
    }

    /// Equal separation factors separate nothing: not a case for the marches.
    #[test]
    fn equal_separation_factors_are_left_to_newton() {
        let eq = SaturatedSeparationFactors::new(vec![1.3, 1.3], vec![1.5; 10]);
        let p = StageProblem {
            equilibrium: &eq,
            stages: 10,
            feed_stage: 5,
            feed: &[0.5, 0.5],
            reflux_fraction: 0.5,
            side_draw: None,
        };
        let totals = aqueous_totals(&p).unwrap();
        assert_eq!(solve(&p, &totals, None, &mut [0.0; 20]), None);
    }
}
