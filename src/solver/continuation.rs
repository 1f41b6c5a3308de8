//! Homotopy continuation in separation power, the fallback when Newton from a cold start
//! fails.
//!
//! With every separation factor raised to the power `t`, the cascade at `t = 0` separates
//! nothing and its solution is known exactly: every stage carries the feed composition. The
//! solution is followed from there to `t = 1` in steps that double while Newton converges
//! from the previous solution and halve when it does not (natural-parameter continuation;
//! Allgower & Georg, *Introduction to Numerical Continuation Methods*, SIAM 2003, ch. 1).

use super::scale_newton::{self, Step, Summation};
use super::{
    Convergence, SolveFailure, SolverOptions, StageProblem, StageSolution, Start, Workspace,
    aqueous_totals, unseparated_profile,
};
use crate::equilibrium::Equilibrium;

/// Smallest continuation step before the path is abandoned.
const MIN_STEP: f64 = 1.0 / 4096.0;
/// Newton iterations allowed for an intermediate point before its step is halved.
const STEP_ITERATIONS: usize = 100;

/// Solves `problem` by following the solutions of the same cascade with equilibrium `at(t)`
/// from `t = 0`, where `at(t)` has separation power `t`, `at(0.0)` does not separate and
/// `at(1.0)` is `problem.equilibrium`.
pub fn solve_by_continuation<E: Equilibrium>(
    problem: &StageProblem<'_, E>,
    at: impl Fn(f64) -> E,
    options: &SolverOptions,
) -> Result<StageSolution, SolveFailure> {
    let mut work = Workspace::new(problem.stages, problem.feed.len());
    // The last two points on the path: (t, aqueous profile).
    let mut previous: Option<(f64, Vec<f64>)> = None;
    let start = unseparated_profile(problem, aqueous_totals(problem).as_deref());
    let (mut t, mut profile) = (0.0, start);
    let mut guess = vec![0.0; profile.len()];
    let intermediate = SolverOptions {
        max_iterations: STEP_ITERATIONS,
        ..*options
    };
    let mut step: f64 = 0.125;
    let (mut iterations, mut sweeps) = (0, 0);
    loop {
        let next = (t + step).min(1.0);
        predict(&previous, t, &profile, next, &mut guess);
        let eq = at(next);
        let p = StageProblem {
            equilibrium: &eq,
            ..*problem
        };
        let last = next >= 1.0;
        let result = work.solve(
            &p,
            if last { options } else { &intermediate },
            Start::Guess(&guess),
        );
        match result {
            Ok(mut solution) => {
                iterations += solution.status.iterations;
                sweeps += solution.status.sweeps;
                if last {
                    solution.status.iterations = iterations;
                    solution.status.sweeps = sweeps;
                    return Ok(solution);
                }
                previous = Some((t, std::mem::replace(&mut profile, solution.aqueous)));
                t = next;
                step *= 2.0;
            }
            Err(failure) => {
                // Halve the step actually tried: halving a step that overshot t = 1 would
                // only try t = 1 again (near the minimum reflux, 400 iterations each time).
                step = 0.5 * step.min(1.0 - t);
                if step < MIN_STEP {
                    return Err(failure);
                }
            }
        }
    }
}

/// Secant predictor in the logarithm of the fluxes, which along the path change roughly
/// exponentially in `t` (a profile falling as `beta^(t j)` down the stages).
fn predict(
    previous: &Option<(f64, Vec<f64>)>,
    t: f64,
    profile: &[f64],
    next: f64,
    guess: &mut [f64],
) {
    match previous {
        Some((t0, before)) => {
            let ratio = (next - t) / (t - t0);
            for ((g, &a), &a0) in guess.iter_mut().zip(profile).zip(before) {
                *g = if a > 0.0 && a0 > 0.0 {
                    a * (a / a0).powf(ratio)
                } else {
                    a
                };
            }
        }
        None => guess.copy_from_slice(profile),
    }
}

/// Steps of [`solve_on_scales_by_continuation`] short of the real cascade stop after this many
/// iterations: a step that converges takes 4-25 on the dense cuts of issue 24, and one too
/// long is cheaper halved than iterated.
const SCALE_STEP_ITERATIONS: usize = 30;

/// The same path in separation power, each cascade on it solved by Newton's method on its
/// stage scales with the dense reduced Jacobian and Marquardt's damping
/// (`scale_newton.rs`), from the profile of the last: every iterate balances every element,
/// however sharp its profile, where Newton's method on the fluxes loses the trace levels of a
/// 300-stage cut at adjacent factor 2 (1e-40 of the feed) to rounding. `O(N^3)` an iteration:
/// the last resort for cascades of at most [`DENSE_MAX_STAGES`] stages.
pub fn solve_on_scales_by_continuation<E: Equilibrium>(
    problem: &StageProblem<'_, E>,
    at: impl Fn(f64) -> E,
    options: &SolverOptions,
) -> Result<StageSolution, SolveFailure> {
    let mut profile = unseparated_profile(problem, aqueous_totals(problem).as_deref());
    let intermediate = SolverOptions {
        max_iterations: SCALE_STEP_ITERATIONS,
        tolerance: SCALE_STEP_TOLERANCE.max(options.tolerance),
        ..*options
    };
    let (mut t, mut step): (f64, f64) = (0.0, 0.125);
    let mut iterations = 0;
    loop {
        let next = (t + step).min(1.0);
        let eq = at(next);
        let p = StageProblem {
            equilibrium: &eq,
            ..*problem
        };
        let last = next >= 1.0;
        let options = if last { options } else { &intermediate };
        let solve =
            |summation| scale_newton::solve(&p, options, Some(&profile), (summation, Step::Dense));
        let Some(mut result) = solve(Summation::PhaseRatio) else {
            return Err(SolveFailure::NotConverged {
                status: Convergence {
                    iterations: 0,
                    sweeps: 0,
                    residual: f64::INFINITY,
                    rounding_floor: 0.0,
                },
                tolerance: options.tolerance,
            });
        };
        if last
            && result.is_err()
            && let Some(finished) = solve(Summation::OrganicTotal)
        {
            result = finished;
        }
        match result {
            Ok(mut solution) => {
                iterations += solution.status.iterations;
                if last {
                    solution.status.iterations = iterations;
                    return Ok(solution);
                }
                profile = solution.aqueous;
                t = next;
                step *= 2.0;
            }
            Err(failure) => {
                step = 0.5 * step.min(1.0 - t);
                if step < MIN_STEP {
                    return Err(failure);
                }
            }
        }
    }
}

/// Tolerance of the steps of [`solve_on_scales_by_continuation`] short of the real cascade:
/// each only starts the next, and the phase-ratio summation of a sharp cut meets the balances
/// to 1e-10-1e-6 of the feed before its last bits stall (`scale_newton::Summation`).
const SCALE_STEP_TOLERANCE: f64 = 1e-6;

/// Most stages [`solve_on_scales_by_continuation`] is tried on: its dense `N x N` solve costs
/// about 0.1 s an iteration at 1,000 stages.
pub const DENSE_MAX_STAGES: usize = 1000;
