//! Successive substitution: with the extraction factors of every stage held fixed, each
//! element's stage balances form one tridiagonal linear system, solved by the Thomas algorithm.
//!
//! This is the structure of the Wang-Henke (1966) bubble-point method for distillation, the
//! exact analogue of a constant-flux cascade. One sweep is the exact answer for a linear
//! (constant-D) model; for the saturated model a few sweeps give the Newton solver a start
//! whose profiles are positive and balance every element.

use super::{SideDraw, passed_on};

/// Solves, for every element `i` and stage `j`,
/// `e(j-1) a(j-1) - (1 + e(j)) a(j) + p(j+1) a(j+1) = -feed(j)`, with no organic entering
/// stage 1, the reflux `r e(N) a(N)` entering stage N, and `p` the share of a stage's aqueous
/// passed on below (1 but at a side draw). `factors`, `aqueous` and `scratch` are stage-major
/// `N x C`.
pub fn solve_linear_balances(
    factors: &[f64],
    feed: &[f64],
    feed_stage: usize,
    reflux_fraction: f64,
    side_draw: Option<SideDraw>,
    aqueous: &mut [f64],
    scratch: &mut [f64],
) {
    let c = feed.len();
    let stages = factors.len() / c;
    // Forward elimination: scratch holds c'(j) = super(j) / m(j), aqueous holds d'(j).
    for j in 0..stages {
        let weight = if j + 1 == stages {
            1.0 - reflux_fraction
        } else {
            1.0
        };
        let upper = if j + 1 == stages {
            0.0
        } else {
            passed_on(side_draw, j + 1)
        };
        for (i, &fed) in feed.iter().enumerate() {
            let k = j * c + i;
            let mut pivot = -(1.0 + weight * factors[k]);
            let mut rhs = if j == feed_stage { -fed } else { 0.0 };
            if j > 0 {
                let lower = factors[k - c];
                pivot -= lower * scratch[k - c];
                rhs -= lower * aqueous[k - c];
            }
            let inverse = 1.0 / pivot;
            scratch[k] = upper * inverse;
            aqueous[k] = rhs * inverse;
        }
    }
    for k in (0..(stages - 1) * c).rev() {
        aqueous[k] -= scratch[k] * aqueous[k + c];
    }
}
