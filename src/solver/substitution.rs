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
/// `aqueous` and `scratch` are stage-major `N x C`.
pub fn solve_linear_balances(
    factors: &[f64],
    feed: &[f64],
    feed_stage: usize,
    reflux_fraction: f64,
    side_draw: Option<SideDraw>,
    aqueous: &mut [f64],
    scratch: &mut [f64],
) {
    let args = (factors, feed, feed_stage, reflux_fraction, side_draw);
    // Binaries and ternaries get the loops over a stage's elements compiled for their size.
    match feed.len() {
        2 => solve_sized::<2>(args, aqueous, scratch),
        3 => solve_sized::<3>(args, aqueous, scratch),
        _ => solve_sized::<0>(args, aqueous, scratch),
    }
}

/// [`solve_linear_balances`] for stages of `C` elements (`C = 0`: any number).
fn solve_sized<const C: usize>(
    (factors, feed, feed_stage, reflux_fraction, side_draw): (
        &[f64],
        &[f64],
        usize,
        f64,
        Option<SideDraw>,
    ),
    aqueous: &mut [f64],
    scratch: &mut [f64],
) {
    let c = if C == 0 { feed.len() } else { C };
    let stages = factors.len() / c;
    // Forward elimination: scratch holds c'(j) = super(j) / m(j), aqueous holds d'(j). The
    // branches are taken per stage, so the loop over elements is straight-line code.
    for j in 0..stages {
        let last = j + 1 == stages;
        let weight = if last { 1.0 - reflux_fraction } else { 1.0 };
        let upper = if last {
            0.0
        } else {
            passed_on(side_draw, j + 1)
        };
        let here = j * c..(j + 1) * c;
        let (done_a, rest_a) = aqueous.split_at_mut(j * c);
        let (done_s, rest_s) = scratch.split_at_mut(j * c);
        let (a, sc) = (&mut rest_a[..c], &mut rest_s[..c]);
        let e = &factors[here];
        if j == feed_stage {
            for (a, f) in a.iter_mut().zip(feed) {
                *a = -f;
            }
        } else {
            a.fill(0.0);
        }
        if j == 0 {
            for ((a, sc), e) in a.iter_mut().zip(sc.iter_mut()).zip(e) {
                let inverse = 1.0 / -(1.0 + weight * e);
                *sc = upper * inverse;
                *a *= inverse;
            }
        } else {
            let below = (j - 1) * c..j * c;
            let rising = passed_up(side_draw, j - 1);
            let (lower, a_below, s_below) = (
                &factors[below.clone()],
                &done_a[below.clone()],
                &done_s[below],
            );
            for (((((a, sc), e), lower), a_below), s_below) in a
                .iter_mut()
                .zip(sc.iter_mut())
                .zip(e)
                .zip(lower)
                .zip(a_below)
                .zip(s_below)
            {
                let lower = rising * lower;
                let pivot = -(1.0 + weight * e) - lower * s_below;
                let inverse = 1.0 / pivot;
                *sc = upper * inverse;
                *a = (*a - lower * a_below) * inverse;
            }
        }
    }
    for j in (0..stages.saturating_sub(1)).rev() {
        let (head, tail) = aqueous.split_at_mut((j + 1) * c);
        for ((a, sc), above) in head[j * c..]
            .iter_mut()
            .zip(&scratch[j * c..(j + 1) * c])
            .zip(&tail[..c])
        {
            *a -= sc * above;
        }
    }
}
