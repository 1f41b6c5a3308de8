//! Newton's method on the stage scales of a saturated cascade, followed in separation power
//! from the cascade that does not separate: the main tier for dense multicomponent cuts.
//!
//! With every separation factor raised to the power `t`, the cascade at `t = 0` carries the
//! feed's composition on every stage, and its scales are known exactly,
//! `k_j = S_j / A_j*` (docs/model.md section 3). Each point of the path is solved by Newton's
//! method on the `N` summation equations with every element's balances met exactly
//! (`scale_newton.rs`); the reduced Jacobian is quasiseparable, so a step costs `O(N C^2)`
//! (`quasiseparable.rs`), and the balances `O(N C)`. The predictor is the secant in `ln k`
//! through the last two points (natural-parameter continuation; Allgower & Georg,
//! *Introduction to Numerical Continuation Methods*, SIAM 2003, ch. 1).
//!
//! From the two-group estimates Newton's method on the scales alone meets near-singular
//! Jacobians on dense cuts (15 elements of equal feed at adjacent factor 1.6 over 100 stages:
//! steps of 1e5 in `ln k`, stalling at a summation residual of 0.1-1.4); along the path it
//! converges in 3-6 iterations a point. On the 15 x 100 cut the path takes 5 points and 19
//! iterations in all, where Newton's method on the fluxes took 42 `O(N C^3)` iterations
//! after the substitution tiers. On very long cuts (15 x 1000) the path stalls near
//! `t = 0.25`, where the sections pinch over hundreds of stages and the first Newton step
//! from ever closer predictions fails: the iteration budget then hands over to the next tier
//! at the cost of about 60 iterations.

use super::scale_newton::{self, ScaleNewton, Step, Summation};
use super::{
    Convergence, SolveFailure, SolverOptions, StageProblem, StageSolution, aqueous_totals,
};
use crate::equilibrium::Equilibrium;

/// First step in `t`. On the dense cuts of issue 24 a quarter converges at once at 100
/// stages; steps double after a point that took at most [`QUICK_POINT`] iterations.
const FIRST_STEP: f64 = 0.25;
const QUICK_POINT: usize = 3;
/// Smallest step before the path is abandoned.
const MIN_STEP: f64 = 1.0 / 256.0;
/// Iterations the whole path may take before it is abandoned for the next tier: a path that
/// converges on the surveys takes 10-30.
const MAX_PATH_ITERATIONS: usize = 60;
/// Largest summation residual `|g_j|` at which a point short of `t = 1` is taken as solved:
/// each only starts the next.
const POINT_TOLERANCE: f64 = 1e-6;
/// Newton iterations a point may take before its step is halved: from a secant prediction
/// close enough, Newton's method converges in 3-6.
const POINT_ITERATIONS: usize = 8;
/// Halvings of one Newton step before its point's step in `t` is halved instead.
const POINT_HALVINGS: usize = 2;
/// Largest change of `ln k_j` one step may make.
const MAX_LOG_STEP: f64 = 2.0;

/// Solves a saturated cascade along the path; `None` for a model that is not saturated.
pub(crate) fn solve<E: Equilibrium>(
    p: &StageProblem<'_, E>,
    options: &SolverOptions,
) -> Option<Result<StageSolution, SolveFailure>> {
    let betas = p.equilibrium.separation_factors()?;
    let organic: Vec<f64> = (0..p.stages)
        .map(|j| p.equilibrium.organic_total(j))
        .collect::<Option<_>>()?;
    let totals = aqueous_totals(p)?;
    let (n, c) = (p.stages, p.feed.len());
    // The organic-total summation, `ln(sum_i o_ij) = ln S_j`: on the long survey the path in
    // this form reached t = 1 on cuts where the phase ratio's stopped short (#4, 9 elements
    // over 227 stages: 0.6 s -> 40 ms; #62), and took 19 iterations on the dense 15 x 100
    // cut against 23.
    let targets: Vec<f64> = organic.iter().map(|o| o.ln()).collect();
    let mut newton = ScaleNewton::new(n, c, (Summation::OrganicTotal, Step::Quasiseparable));
    // At t = 0 every stage carries the feed's composition: `k_j = S_j / A_j*`.
    let mut x: Vec<f64> = organic
        .iter()
        .zip(&totals)
        .map(|(o, a)| (o / a).ln())
        .collect();
    let mut t = 0.0;
    let mut previous: Option<(f64, Vec<f64>)> = None;
    let mut step = FIRST_STEP;
    let mut iterations = 0;
    let mut guess = vec![0.0; n];
    let mut powered = vec![0.0; c];
    let failed = |iterations| {
        Some(Err(SolveFailure::Stalled {
            status: Convergence {
                iterations,
                sweeps: 0,
                residual: f64::INFINITY,
                rounding_floor: 0.0,
            },
        }))
    };
    while t < 1.0 {
        let next = (t + step).min(1.0);
        match &previous {
            Some((t0, x0)) => {
                let ratio = (next - t) / (t - t0);
                for ((g, x), x0) in guess.iter_mut().zip(&x).zip(x0) {
                    *g = x + ratio * (x - x0);
                }
            }
            None => guess.copy_from_slice(&x),
        }
        for (b, beta) in powered.iter_mut().zip(betas) {
            *b = beta.powf(next);
        }
        let outcome = correct(&mut newton, p, (&powered, &targets), &mut guess);
        let (Ok(taken) | Err(taken)) = outcome;
        iterations += taken;
        if iterations > MAX_PATH_ITERATIONS {
            return failed(iterations);
        }
        match outcome {
            Ok(taken) => {
                previous = Some((t, std::mem::replace(&mut x, guess.clone())));
                t = next;
                if taken <= QUICK_POINT {
                    step *= 2.0;
                }
            }
            Err(_) => {
                step = 0.5 * step.min(1.0 - t);
                if step < MIN_STEP {
                    return failed(iterations);
                }
            }
        }
    }
    // The real cascade from the path's end, to the solver's tolerance on the stage balances;
    // the phase-ratio form where the organic total's fails.
    newton.balance(p, betas, &targets, &x);
    let profile = std::mem::take(&mut newton.aqueous);
    let finish =
        |form| scale_newton::solve(p, options, Some(&profile), (form, Step::Quasiseparable));
    let mut solved = finish(Summation::OrganicTotal)?;
    if solved.is_err() {
        solved = finish(Summation::PhaseRatio)?;
    }
    if let Ok(s) = &mut solved {
        s.status.iterations += iterations;
    }
    Some(solved)
}

/// Newton's method at one point of the path from `x`, which it leaves at the last iterate;
/// the iterations taken, `Ok` once every summation residual is below [`POINT_TOLERANCE`].
fn correct<E: Equilibrium>(
    newton: &mut ScaleNewton,
    p: &StageProblem<'_, E>,
    (betas, targets): (&[f64], &[f64]),
    x: &mut [f64],
) -> Result<usize, usize> {
    let mut merit = newton.balance(p, betas, targets, x);
    let mut trial = vec![0.0; x.len()];
    let largest = |v: &[f64]| v.iter().fold(0.0f64, |m, g| m.max(g.abs()));
    for taken in 0..POINT_ITERATIONS {
        if largest(&newton.summation) <= POINT_TOLERANCE {
            return Ok(taken);
        }
        let Some(step) = newton.quasiseparable_step(p, 0.0) else {
            return Err(taken + 1);
        };
        let mut length = (MAX_LOG_STEP / largest(&step)).min(1.0);
        let mut accepted = false;
        for _ in 0..=POINT_HALVINGS {
            for ((t, x), d) in trial.iter_mut().zip(&*x).zip(&step) {
                *t = x + length * d;
            }
            let moved = newton.balance(p, betas, targets, &trial);
            if moved < (1.0 - 1e-4 * length) * merit {
                merit = moved;
                accepted = true;
                break;
            }
            length *= 0.5;
        }
        if !accepted {
            return Err(taken + 1);
        }
        x.copy_from_slice(&trial);
    }
    if largest(&newton.summation) <= POINT_TOLERANCE {
        Ok(POINT_ITERATIONS)
    } else {
        Err(POINT_ITERATIONS)
    }
}
