//! Successive substitution: with the extraction factors of every stage held fixed, each
//! element's stage balances form one tridiagonal linear system, solved by the Thomas algorithm.
//!
//! This is the structure of the Wang-Henke (1966) bubble-point method for distillation, the
//! exact analogue of a constant-flux cascade. One sweep is the exact answer for a linear
//! (constant-D) model; for the saturated model a few sweeps give the Newton solver a start
//! whose profiles are positive and balance every element.

use super::{SideDraw, passed_on, passed_up};

/// Solves, for every element `i` and stage `j`,
/// `q(j-1) e(j-1) a(j-1) - (1 + e(j)) a(j) + p(j+1) a(j+1) = -feed(j)`, with no organic
/// entering stage 1, the reflux `r e(N) a(N)` entering stage N, and `p` (`q`) the share of a
/// stage's aqueous (organic) passed on below (above): 1 but at a side draw. `factors`,
/// `aqueous` and `scratch` are stage-major `N x C`; `scratch` is left holding the reciprocal
/// pivots `1 / pi_j` of the forward elimination, from which `scale_sensitivity.rs` builds
/// the inverse's band without a division.
pub fn solve_linear_balances(
    factors: &[f64],
    feed: &[f64],
    feed_stage: usize,
    reflux_fraction: f64,
    side_draw: Option<SideDraw>,
    aqueous: &mut [f64],
    scratch: &mut [f64],
) {
    let stored = |c| Stored { factors, c };
    let args = (feed, feed_stage, reflux_fraction, side_draw);
    // Binaries and ternaries get the loops over a stage's elements compiled for their size.
    match feed.len() {
        2 => solve_sized::<2, _>(stored(2), args, aqueous, scratch),
        3 => solve_sized::<3, _>(stored(3), args, aqueous, scratch),
        c => solve_sized::<0, _>(stored(c), args, aqueous, scratch),
    }
}

/// [`solve_linear_balances`] for the saturated model's factors `e_ij = beta_i k_j`, from the
/// separation factors and each stage's scale `k_j`: the accelerated substitution's sweep
/// (`loading.rs`), which need not store the factors only to read them back.
pub fn solve_scaled_balances(
    separation_factors: &[f64],
    scales: &[f64],
    flows: Flows<'_>,
    aqueous: &mut [f64],
    scratch: &mut [f64],
) {
    let scaled = Scaled {
        separation_factors,
        scales,
    };
    solve_sized::<0, _>(scaled, flows, aqueous, scratch);
}

/// What sets the balances besides the factors: the feed (one entry per element), its stage,
/// the reflux fraction and the side draw.
pub type Flows<'a> = (&'a [f64], usize, f64, Option<SideDraw>);

/// Where a sweep finds each stage's extraction factors.
trait StageFactors: Copy {
    fn stage(self, j: usize) -> impl Iterator<Item = f64>;
}

/// Factors stored stage-major, `C` a stage.
#[derive(Clone, Copy)]
struct Stored<'a> {
    factors: &'a [f64],
    c: usize,
}

impl StageFactors for Stored<'_> {
    #[inline(always)]
    fn stage(self, j: usize) -> impl Iterator<Item = f64> {
        self.factors[j * self.c..(j + 1) * self.c].iter().copied()
    }
}

/// Factors `beta_i k_j`, found as they are used.
#[derive(Clone, Copy)]
struct Scaled<'a> {
    separation_factors: &'a [f64],
    scales: &'a [f64],
}

impl StageFactors for Scaled<'_> {
    #[inline(always)]
    fn stage(self, j: usize) -> impl Iterator<Item = f64> {
        let k = self.scales[j];
        self.separation_factors.iter().map(move |b| b * k)
    }
}

/// [`solve_linear_balances`] for stages of `C` elements (`C = 0`: any number).
fn solve_sized<const C: usize, F: StageFactors>(
    factors: F,
    (feed, feed_stage, reflux_fraction, side_draw): Flows<'_>,
    aqueous: &mut [f64],
    scratch: &mut [f64],
) {
    let c = if C == 0 { feed.len() } else { C };
    let stages = aqueous.len() / c;
    // Forward elimination: scratch holds 1 / m(j), aqueous holds d'(j); c'(j) = super(j) / m(j)
    // is `upper(j)` times the first. The branches are taken per stage, so the loop over
    // elements is straight-line code.
    for j in 0..stages {
        let last = j + 1 == stages;
        let weight = if last { 1.0 - reflux_fraction } else { 1.0 };
        // The right-hand side is `load * feed`: a multiply costs less than zeroing the stage
        // first (a `memset` call per stage was a quarter of the pass), and is exact for the
        // finite feeds a cascade has.
        let load = if j == feed_stage { -1.0 } else { 0.0 };
        let (done_a, rest_a) = aqueous.split_at_mut(j * c);
        let (done_s, rest_s) = scratch.split_at_mut(j * c);
        let (a, reciprocal) = (&mut rest_a[..c], &mut rest_s[..c]);
        let e = factors.stage(j);
        if j == 0 {
            for (((a, reciprocal), e), f) in
                a.iter_mut().zip(reciprocal.iter_mut()).zip(e).zip(feed)
            {
                *reciprocal = 1.0 / -(1.0 + weight * e);
                *a = load * f * *reciprocal;
            }
        } else {
            let below = (j - 1) * c..j * c;
            // The organic rising from the stage below, times the share of this stage's aqueous
            // passed down to it: the sub-diagonal times the super-diagonal above it.
            let rising = passed_up(side_draw, j - 1);
            let coupling = rising * passed_on(side_draw, j);
            let (lower, a_below, r_below) =
                (factors.stage(j - 1), &done_a[below.clone()], &done_s[below]);
            for ((((((a, reciprocal), e), lower), a_below), r_below), f) in a
                .iter_mut()
                .zip(reciprocal.iter_mut())
                .zip(e)
                .zip(lower)
                .zip(a_below)
                .zip(r_below)
                .zip(feed)
            {
                let pivot = -(1.0 + weight * e) - coupling * lower * r_below;
                *reciprocal = 1.0 / pivot;
                *a = (load * f - rising * lower * a_below) * *reciprocal;
            }
        }
    }
    for j in (0..stages.saturating_sub(1)).rev() {
        let upper = passed_on(side_draw, j + 1);
        let (head, tail) = aqueous.split_at_mut((j + 1) * c);
        for ((a, reciprocal), above) in head[j * c..]
            .iter_mut()
            .zip(&scratch[j * c..(j + 1) * c])
            .zip(&tail[..c])
        {
            *a -= upper * reciprocal * above;
        }
    }
}
