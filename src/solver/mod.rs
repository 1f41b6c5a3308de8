//! Steady state of one countercurrent cascade: all stages and all elements at once.
//!
//! 0. A saturated binary without a side draw is marched stage by stage from both products to
//!    the feed stage (`stage_to_stage.rs`): one unknown, found by Newton's method on the two
//!    marches' mismatch. Where that fails, or for any other cascade:
//! 1. From an estimate of a saturated cascade of six or more elements, accelerated
//!    substitution on the stages' extraction scales (`loading.rs`) may converge on its own,
//!    at `O(N C)` a sweep; it is judged on the stage balances like Newton's answer.
//!    Otherwise successive-substitution sweeps (`substitution.rs`), until the residual is
//!    small enough for Newton, give a start whose profiles are positive and balance every
//!    element.
//! 2. Damped Newton on the stage balances of the whole cascade (the Naphtali & Sandholm, AIChE
//!    J. 17 (1971) 148, formulation of the analogous distillation problem) converges
//!    quadratically. The Newton system is block tridiagonal and is solved by block Thomas
//!    elimination (`block_tridiagonal.rs`). A flux the step would take negative is cut by a
//!    fixed factor instead, so profiles stay positive without shortening every other element's
//!    step.
//! 3. Where damped Newton finds no descent, pseudo-transient continuation (Kelley & Keyes,
//!    SIAM J. Numer. Anal. 35 (1998) 508) takes implicit steps in a pseudo-time whose step
//!    grows as the residual falls, back to Newton near the solution: the cascade is walked
//!    towards steady state as a plant would be, but with ever longer time steps.
//!    Where Newton's method runs out of iterations or stalls, substitution sweeps from its
//!    best iterate may still finish (`Workspace::rescue`): near a pinch its steps are thrown
//!    about by the rounding of an ill-conditioned system, sweeps are not.
//! 4. A last substitution sweep at the converged extraction factors makes trace profiles
//!    accurate relative to themselves, not only to the majors.
//! 5. If all that fails from the cold start, [`solve_by_continuation`] follows the solution from
//!    a cascade that does not separate to the real one.
//!
//! Convergence is judged on the feed-scaled residual (see [`DEFAULT_TOLERANCE`]), or on its
//! rounding floor when the balances cannot be evaluated more accurately than the tolerance.

mod acid;
mod acid_equations;
mod acid_layout;
mod banded;
mod block_tridiagonal;
mod continuation;
mod dense;
mod lanes;
mod loading;
mod murphree;
mod murphree_system;
mod quasiseparable;
mod scale_continuation;
mod scale_newton;
mod scale_sensitivity;
mod stage_blocks;
mod stage_to_stage;
mod substitution;
#[cfg(target_arch = "x86_64")]
mod substitution_avx;

pub use acid::{
    AcidLiquor, AcidProblem, AcidSections, AcidSolution, EXHAUSTED_FREE_FRACTION, solve_acid,
};
use block_tridiagonal::BlockTridiagonal;
pub use continuation::{DENSE_MAX_STAGES, solve_by_continuation, solve_on_scales_by_continuation};
pub use murphree::{Efficiency, solve_with_efficiency};
use scale_newton::Summation;
pub use substitution::solve_linear_balances;

use crate::equilibrium::Equilibrium;

/// Default convergence tolerance on the scaled residual: the largest, over elements, of the
/// summed absolute stage imbalance divided by the element's feed flux. It bounds the
/// mass-balance closure of every element, whose target is 1e-10.
pub const DEFAULT_TOLERANCE: f64 = 1e-11;
/// Rounding error of a stage balance in units of machine epsilon times the element's
/// throughput summed over stages: each balance adds five terms, and the Newton solution
/// itself carries the rounding of the block elimination.
const ROUNDING_FACTOR: f64 = 16.0;
/// Default cap on Newton and pseudo-transient iterations. Well-posed cascades of 2-500 stages
/// converge in under 20; cascades where an element accumulates to many times its feed can
/// need a few hundred pseudo-time steps.
pub const DEFAULT_MAX_ITERATIONS: usize = 400;
/// Default cap on successive-substitution sweeps before Newton takes over.
pub const DEFAULT_MAX_SWEEPS: usize = 8;
/// Scaled residual below which substitution sweeps hand over to Newton's method: sweeps gain
/// a constant factor each (about 3 on a binary), Newton squares the residual. On the 45-stage
/// binary, 3 sweeps and 2 Newton iterations instead of 8 and 1: 19.2 -> 15.8 µs in one A/B
/// run (8 % in a noisier one); the stress surveys' failures and closures are unchanged.
const SWEEP_HANDOFF: f64 = 1e-2;
/// Sweeps [`Workspace::rescue`] may take from Newton's best iterate, each `O(N C)`: about a
/// third of a Newton iteration on a binary, far less with more elements. On a survey of 96
/// sharp binary cuts near the minimum reflux solved by Newton's method (the cuts of
/// `sharp_binary_cuts_near_minimum_reflux_converge`, then `examples/sharp.rs` at 4fbfdf1,
/// before binaries were marched stage to stage) the 31 rescues that converged (continuation
/// steps included) took 2 to 179; a cap of 1000 rescued no more cuts.
const RESCUE_MAX_SWEEPS: usize = 200;
/// Halvings of a Newton step before pseudo-transient continuation takes over.
pub const DEFAULT_MAX_BACKTRACKS: usize = 12;
/// `1/dt` at which pseudo-transient continuation starts: one stage hold-up time.
const PTC_INITIAL_SHIFT: f64 = 1.0;
/// Below this `1/dt` a pseudo-transient step is Newton's.
const PTC_NEWTON_SHIFT: f64 = 1e-6;
/// A pseudo-time step may raise the residual by at most this factor, else `dt` shrinks by it.
const PTC_MAX_GROWTH: f64 = 10.0;
/// Newton iterations allowed from a neighbour's solution before giving up for a cold solve
/// (after the rescue's sweeps, which stop at the first that does not lower the residual).
const NEARBY_MAX_ITERATIONS: usize = 30;
/// The same from an estimate (the pseudo-binary start), which lies farther out: on the stress
/// survey 100 beat both 30 and 400 (examples/stress.rs; a 15-element, 200-stage cut takes 31
/// from it, against 378 cold).
const ESTIMATE_MAX_ITERATIONS: usize = 100;

/// Fewest elements for which an estimate of a saturated cascade is first improved by
/// accelerated substitution on the stage scales (`loading.rs`). Where that fails it has cost
/// about a dozen sweeps of `O(N C)` (the random and design surveys of `examples/stress.rs`),
/// against Newton iterations of `O(N C^3)`: from six elements up that is at most about one
/// iteration's work, and on the random survey it pays for itself.
const LOADING_MIN_ELEMENTS: usize = 6;

/// Whether a saturated cascade of `elements` elements is first iterated on its stage scales
/// (`loading.rs`) from an estimate: six or more elements, and sweeps allowed.
pub(crate) fn accelerates(elements: usize, options: &SolverOptions) -> bool {
    elements >= LOADING_MIN_ELEMENTS && options.max_sweeps > 0
}

/// Above this `1/dt` the pseudo-time steps no longer move: the solve has stalled.
const PTC_MAX_SHIFT: f64 = 1e12;

/// Settings of the cascade solver, with the defaults above.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SolverOptions {
    pub tolerance: f64,
    pub max_iterations: usize,
    pub max_sweeps: usize,
    pub max_backtracks: usize,
    /// Passes round a flowsheet's recycle loop before it is reported as not converged.
    pub recycle_max_iterations: usize,
}

impl Default for SolverOptions {
    fn default() -> Self {
        Self {
            tolerance: DEFAULT_TOLERANCE,
            max_iterations: DEFAULT_MAX_ITERATIONS,
            max_sweeps: DEFAULT_MAX_SWEEPS,
            max_backtracks: DEFAULT_MAX_BACKTRACKS,
            recycle_max_iterations: crate::flowsheet::RECYCLE_MAX_ITERATIONS,
        }
    }
}

/// The stage equations of one cascade, ready to solve.
pub struct StageProblem<'a, E: Equilibrium> {
    pub equilibrium: &'a E,
    pub stages: usize,
    /// 0-based stage receiving the feed.
    pub feed_stage: usize,
    /// Feed flux per element, mol/h; every entry positive.
    pub feed: &'a [f64],
    /// Fraction of the loaded organic's RE returned to the last stage as scrub liquor.
    pub reflux_fraction: f64,
    /// A third outlet: part of one stage's aqueous or organic drawn off.
    pub side_draw: Option<SideDraw>,
}

/// A side draw: `fraction` of one phase leaving `stage` (0-based) is withdrawn as a third
/// product instead of flowing on to the next stage, as plants take a middle element (Eu, Sm)
/// out where it accumulates: from the aqueous flowing down, or from the loaded organic
/// flowing up.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SideDraw {
    pub stage: usize,
    pub fraction: f64,
    pub phase: DrawPhase,
}

/// The phase a side draw takes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DrawPhase {
    Aqueous,
    Organic,
}

impl DrawPhase {
    /// The phase as the flowsheet file and the JSON result spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Aqueous => "aqueous",
            Self::Organic => "organic",
        }
    }
}

/// The share of the aqueous leaving `stage` that flows on to `stage - 1`.
pub fn passed_on(side_draw: Option<SideDraw>, stage: usize) -> f64 {
    share(side_draw, DrawPhase::Aqueous, stage)
}

/// The share of the organic leaving `stage` that flows on to `stage + 1`.
pub fn passed_up(side_draw: Option<SideDraw>, stage: usize) -> f64 {
    share(side_draw, DrawPhase::Organic, stage)
}

fn share(side_draw: Option<SideDraw>, phase: DrawPhase, stage: usize) -> f64 {
    match side_draw {
        Some(d) if d.phase == phase && d.stage == stage => 1.0 - d.fraction,
        _ => 1.0,
    }
}

/// Stage profiles (stage-major, `N x C`, mol/h) and how the solve went.
#[derive(Debug, Clone)]
pub struct StageSolution {
    pub aqueous: Vec<f64>,
    pub organic: Vec<f64>,
    pub status: Convergence,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Convergence {
    pub iterations: usize,
    pub sweeps: usize,
    /// Scaled residual at the returned point (see [`DEFAULT_TOLERANCE`]).
    pub residual: f64,
    /// Smallest scaled residual that rounding lets the balances be evaluated to at this point.
    pub rounding_floor: f64,
}

/// Why a solve stopped without converging, with where it stood.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SolveFailure {
    NotConverged {
        status: Convergence,
        tolerance: f64,
    },
    Stalled {
        status: Convergence,
    },
    SingularJacobian {
        stage: usize,
        iteration: usize,
    },
    /// An acid-aware solve whose continuation path stopped at `feed_fraction` of the feed's RE
    /// with a stage's organic nearly out of free extractant (`stage` 1-based, `species` the one
    /// whose `D` climbs most as it runs out), the free extractant there at that point.
    ExtractantExhausted {
        stage: usize,
        species: usize,
        free_mol_per_l: f64,
        total_mol_per_l: f64,
        feed_fraction: f64,
        iterations: usize,
    },
}

/// Solves the stage balances of `problem`.
pub fn solve<E: Equilibrium>(
    problem: &StageProblem<'_, E>,
    options: &SolverOptions,
) -> Result<StageSolution, SolveFailure> {
    let mut work = Workspace::new(problem.stages, problem.feed.len());
    if let Some(solved) = work.march(problem, options, None) {
        return Ok(solved);
    }
    work.solve(problem, options, Start::Unseparated)
}

/// Solves the stage balances of `problem` from `initial`, the aqueous profile (stage-major,
/// `N x C`) of a neighbouring solution: a recycle iteration or a sweep case. A binary marched
/// stage to stage takes only its first impurity from it and is solved afresh (agreeing with
/// a cold march to about 1e-13). Otherwise the profile is rescaled to the problem's known
/// stage totals, and at least one Newton step is taken, so the answer is as accurate as a
/// cold solve's even when the start already meets the tolerance.
pub fn solve_from<E: Equilibrium>(
    problem: &StageProblem<'_, E>,
    options: &SolverOptions,
    initial: &[f64],
) -> Result<StageSolution, SolveFailure> {
    let mut work = Workspace::new(problem.stages, problem.feed.len());
    if let Some(solved) = work.march(problem, options, Some(initial)) {
        return Ok(solved);
    }
    work.solve(problem, options, Start::Neighbour(initial))
}

/// Solves the stage balances of `problem` from `estimate`, an approximate aqueous profile
/// (stage-major, `N x C`): for a saturated cascade of six or more elements accelerated
/// substitution on its stage scales first, then, as from the unseparated start, sweeps and
/// Newton.
pub fn solve_from_estimate<E: Equilibrium>(
    problem: &StageProblem<'_, E>,
    options: &SolverOptions,
    estimate: &[f64],
) -> Result<StageSolution, SolveFailure> {
    let mut work = Workspace::new(problem.stages, problem.feed.len());
    work.solve(problem, options, Start::Estimate(estimate))
}

/// Solves the stage balances of a saturated cascade of six or more elements from `estimate`
/// by accelerated substitution on its stage scales: a cheap first attempt. Where the
/// substitution fails, so does the solve (reporting the start's residual and the sweeps spent)
/// rather than going on to Newton's method; where it converges but the balances miss the
/// tolerance, Newton's method finishes as from any estimate.
pub(crate) fn solve_by_substitution<E: Equilibrium>(
    problem: &StageProblem<'_, E>,
    options: &SolverOptions,
    estimate: &[f64],
) -> Result<StageSolution, SolveFailure> {
    let mut work = Workspace::new(problem.stages, problem.feed.len());
    work.solve(problem, options, Start::Substitution(estimate))
}

/// Solves a saturated cascade by Newton's method on its stage scales, followed in separation
/// power from the cascade that does not separate (`scale_continuation.rs`); `None` for a
/// model that is not saturated.
pub(crate) fn solve_on_scales_along_power<E: Equilibrium>(
    problem: &StageProblem<'_, E>,
    options: &SolverOptions,
) -> Option<Result<StageSolution, SolveFailure>> {
    scale_continuation::solve(problem, options)
}

/// Where an iteration starts.
#[derive(Clone, Copy)]
enum Start<'a> {
    /// The feed's composition on every stage, scaled to the known stage totals.
    Unseparated,
    /// A prediction, used as given (a continuation step).
    Guess(&'a [f64]),
    /// The solution of a nearby problem: rescaled to this problem's stage totals, and always
    /// improved by at least one Newton step.
    Neighbour(&'a [f64]),
    /// An approximate profile: its stage scales iterated by accelerated substitution (a
    /// saturated cascade of six or more elements); failing that, rescaled to the stage totals
    /// and improved by substitution sweeps, like the unseparated start.
    Estimate(&'a [f64]),
    /// The same, but where accelerated substitution fails, so does the solve (Newton's
    /// method only finishes what it converged on).
    Substitution(&'a [f64]),
}

struct Workspace {
    aqueous: Vec<f64>,
    trial: Vec<f64>,
    factors: Vec<f64>,
    organic: Vec<f64>,
    residual: Vec<f64>,
    step: Vec<f64>,
    scratch: Vec<f64>,
    imbalance: Vec<f64>,
    throughput: Vec<f64>,
    /// `C` zeros: the organic entering the first stage, the feed of every other stage.
    no_flux: Vec<f64>,
    /// The Newton iterate with the smallest residual so far, and that residual.
    best: Vec<f64>,
    best_residual: f64,
    newton: BlockTridiagonal,
}

#[derive(Clone, Copy)]
struct Norms {
    residual: f64,
    rounding_floor: f64,
}

impl Workspace {
    fn new(stages: usize, elements: usize) -> Self {
        let n = stages * elements;
        Self {
            aqueous: vec![0.0; n],
            trial: Vec::new(),
            factors: vec![0.0; n],
            organic: vec![0.0; n],
            residual: vec![0.0; n],
            step: Vec::new(),
            scratch: Vec::new(),
            imbalance: vec![0.0; elements],
            throughput: vec![0.0; elements],
            no_flux: vec![0.0; elements],
            best: Vec::new(),
            best_residual: f64::INFINITY,
            newton: BlockTridiagonal::new(0, elements),
        }
    }

    /// Sizes the buffers that only sweeps and Newton's method use, on their first use: a
    /// binary marched from both ends (`stage_to_stage.rs`) never needs them.
    fn size_iteration_buffers(&mut self, stages: usize, elements: usize) {
        let n = stages * elements;
        if self.trial.len() != n {
            self.trial = vec![0.0; n];
            self.step = vec![0.0; n];
            self.scratch = vec![0.0; n];
        }
    }

    /// Sizes the block factorisation on Newton's first iteration: a cut that accelerated
    /// substitution solves never needs its `N C^2` doubles (180 kB for 15 x 100, about 3 %
    /// of that solve in allocation and page faults).
    fn size_newton(&mut self, stages: usize, elements: usize) {
        if self.newton.stages() != stages {
            self.newton = BlockTridiagonal::new(stages, elements);
        }
    }

    fn solve<E: Equilibrium>(
        &mut self,
        p: &StageProblem<'_, E>,
        options: &SolverOptions,
        start: Start<'_>,
    ) -> Result<StageSolution, SolveFailure> {
        let c = p.feed.len();
        // A workspace solved with before (continuation) handed its profiles over; every other
        // buffer keeps the size the workspace was made for.
        debug_assert_eq!(self.factors.len(), p.stages * c);
        self.aqueous.resize(p.stages * c, 0.0);
        self.organic.resize(p.stages * c, 0.0);
        let totals = aqueous_totals(p);
        self.best_residual = f64::INFINITY;
        self.size_iteration_buffers(p.stages, c);
        match start {
            Start::Unseparated => self.aqueous = unseparated_profile(p, totals.as_deref()),
            Start::Guess(profile) => self.aqueous.copy_from_slice(profile),
            Start::Neighbour(profile) | Start::Estimate(profile) | Start::Substitution(profile) => {
                self.aqueous.copy_from_slice(profile);
                if let Some(totals) = &totals {
                    normalize(&mut self.aqueous, totals);
                }
            }
        }
        let mut max_sweeps = match start {
            Start::Unseparated | Start::Estimate(_) => options.max_sweeps,
            _ => 0,
        };
        // From an estimate, the saturated model's stage scales are iterated first when they are
        // few against the unknowns of Newton's method (`loading.rs`); failing that, the path
        // below runs as if they had not been.
        let accelerated = match start {
            Start::Estimate(profile) | Start::Substitution(profile)
                if accelerates(p.feed.len(), options) =>
            {
                self.trial.copy_from_slice(profile);
                self.loading_iteration(p, totals.as_deref())
            }
            _ => Err(0),
        };
        // Sweeps of the other kind taken, and those of a failed accelerated attempt.
        let (mut sweeps, mut spent) = (0, 0);
        match accelerated {
            Ok(taken) => {
                std::mem::swap(&mut self.aqueous, &mut self.trial);
                sweeps = taken;
                max_sweeps = 0;
            }
            Err(taken) => spent = taken,
        }
        let mut norms = self.evaluate(p, Target::Current);
        if accelerated.is_err() && matches!(start, Start::Substitution(_)) {
            return Err(SolveFailure::NotConverged {
                status: Convergence {
                    iterations: 0,
                    sweeps: spent,
                    residual: norms.residual,
                    rounding_floor: norms.rounding_floor,
                },
                tolerance: options.tolerance,
            });
        }
        // One sweep is a linear model's exact answer.
        while sweeps < max_sweeps
            && !norms.converged(options.tolerance)
            && (norms.residual > SWEEP_HANDOFF || p.equilibrium.is_linear())
        {
            let next = self.sweep(p, totals.as_deref());
            sweeps += 1;
            // A linear model's sweep is its answer, even where its residual is larger than the
            // start's: an element trapped between the sections builds up to 1e56 times its
            // feed, and its balances are met only to the rounding of flows that large.
            if next.residual >= norms.residual && !p.equilibrium.is_linear() {
                // Keep the current point and the evaluation Newton needs at it.
                norms = self.evaluate(p, Target::Current);
                break;
            }
            let improved = next.residual < 0.5 * norms.residual;
            std::mem::swap(&mut self.aqueous, &mut self.trial);
            norms = next;
            if !improved || p.equilibrium.is_linear() {
                break;
            }
        }
        // The start may be better than anything Newton's method reaches.
        self.keep_if_best(norms.residual);
        let mut iterations = 0;
        let status = |norms: &Norms, iterations, sweeps| Convergence {
            iterations,
            sweeps: sweeps + spent,
            residual: norms.residual,
            rounding_floor: norms.rounding_floor,
        };
        // 0 while damped Newton makes progress; then 1/dt of pseudo-transient continuation,
        // with `merit` the feed-scaled residual it last reached.
        let mut shift: f64 = 0.0;
        let mut merit = 0.0;
        // A linear model's sweep was exact: Newton's method only starts where it missed the
        // tolerance and its rounding floor (it never has yet).
        let mut previous = if p.equilibrium.is_linear() && sweeps > 0 {
            0.0
        } else {
            f64::INFINITY
        };
        // A neighbour's solution may meet the tolerance only as well as that solution did: one
        // Newton step makes it as accurate as a cold solve.
        let must_step = matches!(start, Start::Neighbour(_));
        // From a start near the answer Newton converges in a few steps or not at all; the
        // caller's fallback (a cold solve) is then cheaper than iterating on.
        let max_iterations = match start {
            Start::Neighbour(_) => options.max_iterations.min(NEARBY_MAX_ITERATIONS),
            Start::Estimate(_) | Start::Substitution(_) => {
                options.max_iterations.min(ESTIMATE_MAX_ITERATIONS)
            }
            _ => options.max_iterations,
        };
        while norms.residual > options.tolerance || (must_step && iterations == 0) {
            // Down at the rounding floor, iterate only while it still halves the residual.
            if norms.converged(options.tolerance) && norms.residual > 0.5 * previous {
                break;
            }
            previous = norms.residual;
            if iterations == max_iterations {
                match self.rescue(p, options.tolerance, totals.as_deref(), start) {
                    Ok((taken, rescued)) => {
                        (sweeps, norms) = (sweeps + taken, rescued);
                        break;
                    }
                    Err(taken) => sweeps += taken,
                }
                if let Some(solved) = self.finish_on_scales(p, options, iterations, sweeps) {
                    return Ok(solved);
                }
                return Err(SolveFailure::NotConverged {
                    status: status(&norms, iterations, sweeps),
                    tolerance: options.tolerance,
                });
            }
            iterations += 1;
            self.size_newton(p.stages, c);
            // evaluate() left factors, organic and residual at the current point.
            for j in 0..p.stages {
                let a = &self.aqueous[j * c..(j + 1) * c];
                p.equilibrium.jacobian(j, a, self.newton.stage_jacobian(j));
            }
            self.newton
                .factor(p.reflux_fraction, p.side_draw, shift)
                .map_err(|s| SolveFailure::SingularJacobian {
                    stage: s.0,
                    iteration: iterations,
                })?;
            self.newton.solve(&self.residual, &mut self.step);
            let next = if shift == 0.0 {
                let found = self.damped_step(p, options.max_backtracks);
                if found.is_none() {
                    // Newton has no descent here: continue in pseudo-time.
                    shift = PTC_INITIAL_SHIFT;
                    merit = scaled_norm(&self.residual, p.feed);
                }
                found
            } else if shift > PTC_MAX_SHIFT {
                match self.rescue(p, options.tolerance, totals.as_deref(), start) {
                    Ok((taken, rescued)) => {
                        (sweeps, norms) = (sweeps + taken, rescued);
                        break;
                    }
                    Err(taken) => sweeps += taken,
                }
                if let Some(solved) = self.finish_on_scales(p, options, iterations, sweeps) {
                    return Ok(solved);
                }
                return Err(SolveFailure::Stalled {
                    status: status(&norms, iterations, sweeps),
                });
            } else {
                take_step(&self.aqueous, &self.step, 1.0, &mut self.trial);
                let trial = self.evaluate(p, Target::Trial);
                let trial_merit = scaled_norm(&self.residual, p.feed);
                if trial.residual.is_finite() && trial_merit < PTC_MAX_GROWTH * merit {
                    // Switched evolution relaxation (Mulder & van Leer 1985): the time step
                    // grows as the residual falls, until the step is Newton's.
                    shift *= trial_merit / merit;
                    merit = trial_merit;
                    if shift < PTC_NEWTON_SHIFT {
                        shift = 0.0;
                    }
                    Some(trial)
                } else {
                    shift *= PTC_MAX_GROWTH;
                    None
                }
            };
            match next {
                // The accepted trial was evaluated last: factors, organic fluxes and residuals
                // now belong to the new current point.
                Some(next) => {
                    std::mem::swap(&mut self.aqueous, &mut self.trial);
                    norms = next;
                    self.keep_if_best(norms.residual);
                }
                None => norms = self.evaluate(p, Target::Current),
            }
        }
        // Accelerated substitution's answer is a sweep already: every element balances on its
        // own at the last scales, and another sweep would only repeat it.
        if !(accelerated.is_ok() && iterations == 0) {
            iterations += self.polish(p, &mut norms, options);
        }
        // The profiles are handed over, not copied; a continuation that solves again with this
        // workspace gets them resized at the start of `solve`.
        Ok(StageSolution {
            aqueous: std::mem::take(&mut self.aqueous),
            organic: std::mem::take(&mut self.organic),
            status: status(&norms, iterations, sweeps),
        })
    }

    /// A saturated binary without a side draw, cold or from a neighbour's profile: the
    /// profile marched from both products (`stage_to_stage.rs`), if the marches meet and the
    /// stage balances then meet the tolerance.
    fn march<E: Equilibrium>(
        &mut self,
        p: &StageProblem<'_, E>,
        options: &SolverOptions,
        neighbour: Option<&[f64]>,
    ) -> Option<StageSolution> {
        if p.feed.len() != 2 {
            return None;
        }
        let totals = aqueous_totals(p)?;
        let iterations = stage_to_stage::solve(p, &totals, neighbour, &mut self.aqueous)?;
        let norms = self.evaluate(p, Target::Current);
        norms.converged(options.tolerance).then(|| StageSolution {
            aqueous: std::mem::take(&mut self.aqueous),
            organic: std::mem::take(&mut self.organic),
            status: Convergence {
                iterations,
                sweeps: 0,
                residual: norms.residual,
                rounding_floor: norms.rounding_floor,
            },
        })
    }

    /// Accelerated substitution on the stage scales of a saturated model from the profile in
    /// `trial` (as estimated: its scales, not its totals, are what the estimate knows), leaving
    /// its answer there; the sweeps it took, `Ok` if it converged (`Err(0)` if the model is not
    /// saturated).
    fn loading_iteration<E: Equilibrium>(
        &mut self,
        p: &StageProblem<'_, E>,
        totals: Option<&[f64]>,
    ) -> Result<usize, usize> {
        let organic_total: Option<Vec<f64>> = (0..p.stages)
            .map(|j| p.equilibrium.organic_total(j))
            .collect();
        let (Some(betas), Some(aqueous_total), Some(organic_total)) =
            (p.equilibrium.separation_factors(), totals, organic_total)
        else {
            return Err(0);
        };
        let problem = loading::LoadingProblem {
            cascade: p,
            separation_factors: betas,
            organic_total: &organic_total,
            aqueous_total,
        };
        loading::LoadingIteration::new(p.stages, p.feed.len()).solve(&problem, &mut self.trial)
    }

    /// One substitution sweep from the current point (whose extraction factors `evaluate` left
    /// in place) into the trial point, rescaled to the stage `totals` if given; returns the
    /// trial point's norms.
    fn sweep<E: Equilibrium>(&mut self, p: &StageProblem<'_, E>, totals: Option<&[f64]>) -> Norms {
        // A linear model's sweep is its answer: the accurate solve. A nonlinear model's sweeps
        // are iterated on, and its polishing sweep judged by the residual it leaves: the
        // textbook pass, on which the solver's Newton paths were found (with the accurate
        // solve in the polishing sweep, the survey's case #22, 650 stages, lost its way in
        // the tier whose answer starts the next).
        let solve = if p.equilibrium.is_linear() {
            substitution::solve_linear_balances
        } else {
            substitution::solve_linear_balances_textbook
        };
        solve(
            &self.factors,
            p.feed,
            p.feed_stage,
            p.reflux_fraction,
            p.side_draw,
            &mut self.trial,
            &mut self.step,
        );
        if let Some(totals) = totals {
            normalize(&mut self.trial, totals);
        }
        self.evaluate(p, Target::Trial)
    }

    /// When Newton's method has run out of iterations or stalled: substitution sweeps from its
    /// best iterate, for as long as each lowers the residual. Near a pinch (a sharp cut close
    /// to the minimum reflux) the Newton system is so ill-conditioned that the rounding of
    /// the residual alone throws its steps between residuals of 1e-11 and 1e-5
    /// (`tests::newton_stalled_at_a_pinch_is_rescued_by_substitution`); a sweep solves each
    /// element's balances on its own, a diagonally dominant system, and keeps closing in.
    /// `Ok` with the sweeps taken and the converged norms, or `Err` with the sweeps spent.
    ///
    /// Not for a continuation's step (`Start::Guess`), which is halved instead: on the
    /// 15-element, 500-stage reference cut a step rescued early (t = 0.125 to 0.375) led the
    /// path into a stretch near t = 0.667 that no step of 1/4096 could cross, where the
    /// halved steps reach t = 1 in 236 iterations.
    fn rescue<E: Equilibrium>(
        &mut self,
        p: &StageProblem<'_, E>,
        tolerance: f64,
        totals: Option<&[f64]>,
        start: Start<'_>,
    ) -> Result<(usize, Norms), usize> {
        // Only an iterate of this solve (a continuation reuses the workspace).
        if !self.best_residual.is_finite() || matches!(start, Start::Guess(_)) {
            return Err(0);
        }
        std::mem::swap(&mut self.aqueous, &mut self.best);
        let mut norms = self.evaluate(p, Target::Current);
        for taken in 1..=RESCUE_MAX_SWEEPS {
            let next = self.sweep(p, totals);
            // `evaluate` reports a non-finite point as an infinite residual, never NaN.
            if next.residual >= norms.residual {
                return Err(taken);
            }
            std::mem::swap(&mut self.aqueous, &mut self.trial);
            norms = next;
            if norms.converged(tolerance) {
                return Ok((taken, norms));
            }
        }
        Err(RESCUE_MAX_SWEEPS)
    }

    /// Where Newton's method on the fluxes has stopped short (out of iterations, or stalled,
    /// and the rescue's sweeps failed): Newton's method on the stage scales of a saturated
    /// model (`scale_newton.rs`) from the scales of the best iterate, which near the answer
    /// converges quadratically where the fluxes' Newton steps are thrown about. The work of
    /// both is counted.
    fn finish_on_scales<E: Equilibrium>(
        &mut self,
        p: &StageProblem<'_, E>,
        options: &SolverOptions,
        iterations: usize,
        sweeps: usize,
    ) -> Option<StageSolution> {
        if !self.best_residual.is_finite() || self.best.len() != self.aqueous.len() {
            return None;
        }
        let mut solved = scale_newton::solve(
            p,
            options,
            Some(&self.best),
            (Summation::PhaseRatio, scale_newton::Step::Block),
        )?
        .ok()?;
        solved.status.iterations += iterations;
        solved.status.sweeps += sweeps;
        Some(solved)
    }

    /// Keeps the current point as the best iterate if its residual is the smallest so far.
    fn keep_if_best(&mut self, residual: f64) {
        if residual < self.best_residual {
            self.best_residual = residual;
            self.best.clear();
            self.best.extend_from_slice(&self.aqueous);
        }
    }

    /// One substitution sweep at the converged extraction factors. Newton's linear solve mixes
    /// all elements on a stage, so a flux far below the stage's total is accurate only to
    /// rounding relative to that total; each element's own tridiagonal system has no
    /// cancellation, so the sweep makes every flux, however small, balance its stage to
    /// rounding relative to itself. The whole sweep is kept if the point still meets the
    /// tolerance; failing that (a sweep can amplify the errors of the major elements), only its
    /// values for fluxes below [`TRACE_LEVEL`] of their stage's total.
    ///
    /// A kept sweep's organic is the one its balances were solved with, the converged factors
    /// times its aqueous, so every element's stage balances and overall balance close to the
    /// rounding of its own flows, whatever the cascade's throughput. The
    /// factors the model gives at the sweep's aqueous differ from those by the residual
    /// reported with it: in a cascade whose organic carries 1e5-1e6 times the feed, enough to
    /// open every stage's balance by 1e-10 of the feed, though the organic's loading is met
    /// to 1e-16 of itself.
    ///
    /// Where the sweep is not kept and the point met only its rounding floor, not the
    /// tolerance, Newton's method on the stage scales (`scale_newton.rs`) finishes from it,
    /// its answer kept if it converges: its organic is likewise the one its balances were
    /// solved with. Returns the iterations that took.
    fn polish<E: Equilibrium>(
        &mut self,
        p: &StageProblem<'_, E>,
        norms: &mut Norms,
        options: &SolverOptions,
    ) -> usize {
        let c = p.feed.len();
        let tolerance = options.tolerance.max(norms.rounding_floor);
        // The converged factors, which the sweep's evaluation replaces.
        self.scratch.copy_from_slice(&self.factors);
        // Not rescaled: the sweep's point balances every element exactly.
        let mut polished = self.sweep(p, None);
        if polished.converged(tolerance) {
            for ((o, e), a) in self.organic.iter_mut().zip(&self.scratch).zip(&self.trial) {
                *o = e * a;
            }
        } else {
            if norms.residual > options.tolerance
                && let Some(Ok(solved)) = scale_newton::solve(
                    p,
                    options,
                    Some(&self.aqueous),
                    (Summation::OrganicTotal, scale_newton::Step::Block),
                )
            {
                self.aqueous = solved.aqueous;
                self.organic = solved.organic;
                *norms = Norms {
                    residual: solved.status.residual,
                    rounding_floor: solved.status.rounding_floor,
                };
                return solved.status.iterations;
            }
            for (newton, sweep) in self
                .aqueous
                .chunks_exact(c)
                .zip(self.trial.chunks_exact_mut(c))
            {
                let total: f64 = newton.iter().sum();
                for (a, t) in newton.iter().zip(sweep) {
                    if *a >= TRACE_LEVEL * total {
                        *t = *a;
                    }
                }
            }
            polished = self.evaluate(p, Target::Trial);
        }
        if polished.converged(tolerance) {
            std::mem::swap(&mut self.aqueous, &mut self.trial);
            *norms = polished;
        } else {
            *norms = self.evaluate(p, Target::Current);
        }
        0
    }

    /// Damping of the Newton step: the length is halved until the step either reduces the
    /// feed-scaled residual (Armijo) or passes Deuflhard's restricted monotonicity test
    /// (NLEQ-ERR; Deuflhard, *Newton Methods for Nonlinear Problems*, Springer 2004, section
    /// 3.3): the simplified Newton correction at the trial point, computed with the factors
    /// already in hand, is shorter than `1 - length/4` of the full correction. The second test
    /// is affine invariant, so blind to how badly the balances of elements at very different
    /// levels are scaled against one another; on random cascades (`examples/stress.rs`) the
    /// pair fails least often. `None` if no length down to `2^-max_backtracks` passes.
    fn damped_step<E: Equilibrium>(
        &mut self,
        p: &StageProblem<'_, E>,
        max_backtracks: usize,
    ) -> Option<Norms> {
        let full = scaled_norm(&self.step, p.feed);
        let merit = scaled_norm(&self.residual, p.feed);
        let mut length = 1.0;
        for _ in 0..=max_backtracks {
            take_step(&self.aqueous, &self.step, length, &mut self.trial);
            let trial = self.evaluate(p, Target::Trial);
            if scaled_norm(&self.residual, p.feed) < (1.0 - 1e-4 * length) * merit {
                return Some(trial);
            }
            if trial.residual.is_finite() {
                self.newton.solve(&self.residual, &mut self.scratch);
                if scaled_norm(&self.scratch, p.feed) <= (1.0 - 0.25 * length) * full {
                    return Some(trial);
                }
            }
            length *= 0.5;
        }
        None
    }

    /// Extraction factors, organic fluxes and stage residuals at the current point or at the
    /// trial point; returns the scaled residual norm and its rounding floor.
    fn evaluate<E: Equilibrium>(&mut self, p: &StageProblem<'_, E>, target: Target) -> Norms {
        // Binaries and ternaries, the cascades sweeps solve by the million, get the loops over
        // a stage's elements compiled for their size.
        match p.feed.len() {
            2 => self.evaluate_sized::<2, E>(p, target),
            3 => self.evaluate_sized::<3, E>(p, target),
            _ => self.evaluate_sized::<0, E>(p, target),
        }
    }

    /// [`Workspace::evaluate`] for stages of `C` elements (`C = 0`: any number).
    fn evaluate_sized<const C: usize, E: Equilibrium>(
        &mut self,
        p: &StageProblem<'_, E>,
        target: Target,
    ) -> Norms {
        let c = if C == 0 { p.feed.len() } else { C };
        let n = p.stages;
        let aqueous = match target {
            Target::Current => &self.aqueous,
            Target::Trial => &self.trial,
        };
        // Sized stages sum their imbalances and throughputs in registers.
        let mut sized = [[0.0; C]; 2];
        let [sized_imbalance, sized_throughput] = &mut sized;
        let (imbalance, throughput): (&mut [f64], &mut [f64]) = if C == 0 {
            self.imbalance.fill(0.0);
            self.throughput.fill(0.0);
            (&mut self.imbalance, &mut self.throughput)
        } else {
            (sized_imbalance, sized_throughput)
        };
        let none = &self.no_flux[..c];
        // One pass up the cascade: stage j's organic, then its balance, whose inflows are the
        // organic from j-1, the aqueous from j+1 (the reflux on the last stage) and the feed.
        // Every slice has the stage's length, so the loops over elements are straight-line
        // code for sized stages.
        for j in 0..n {
            let here = j * c..(j + 1) * c;
            let a = &aqueous[here.clone()];
            let e = &mut self.factors[here.clone()];
            p.equilibrium.extraction_factors(j, a, e);
            let (done, rest) = self.organic.split_at_mut(j * c);
            for ((o, e), a) in rest[..c].iter_mut().zip(&*e).zip(a) {
                *o = e * a;
            }
            let o = &rest[..c];
            let (from_below, rising) = if j > 0 {
                (&done[(j - 1) * c..], passed_up(p.side_draw, j - 1))
            } else {
                (none, 1.0)
            };
            let (from_above, share) = if j + 1 < n {
                (
                    &aqueous[(j + 1) * c..(j + 2) * c],
                    passed_on(p.side_draw, j + 1),
                )
            } else {
                (o, p.reflux_fraction)
            };
            let fed = if j == p.feed_stage {
                &p.feed[..c]
            } else {
                none
            };
            let inflows = from_below[..c].iter().zip(from_above).zip(fed);
            let outflows = self.residual[here].iter_mut().zip(o).zip(a);
            let sums = imbalance[..c].iter_mut().zip(&mut throughput[..c]);
            for ((((below, above), fed), ((r, o), a)), (imbalance, throughput)) in
                inflows.zip(outflows).zip(sums)
            {
                let inflow = rising * below + share * above + fed;
                let outflow = o + a;
                *r = inflow - outflow;
                *imbalance += r.abs();
                *throughput += inflow + outflow;
            }
        }
        let scaled = |v: &[f64]| v.iter().zip(p.feed).map(|(x, f)| x / f).fold(0.0, nan_max);
        let residual = scaled(imbalance);
        Norms {
            // NaN (from a non-finite trial point) must never pass as converged or as a decrease.
            residual: if residual.is_nan() {
                f64::INFINITY
            } else {
                residual
            },
            rounding_floor: ROUNDING_FACTOR * f64::EPSILON * scaled(throughput),
        }
    }
}

/// Total aqueous flux leaving each stage when the model fixes the organic totals (the
/// saturated model): from the stage balance of total RE, `A(j) = O(j-1) + A(j+1) + F(j) - O(j)`,
/// down from the reflux `A(N+1) = r O(N)`.
fn aqueous_totals<E: Equilibrium>(p: &StageProblem<'_, E>) -> Option<Vec<f64>> {
    let organic = |j| p.equilibrium.organic_total(j);
    let fed: f64 = p.feed.iter().sum();
    let mut totals = vec![0.0; p.stages];
    let mut from_above = p.reflux_fraction * organic(p.stages - 1)?;
    for j in (0..p.stages).rev() {
        let from_below = if j > 0 {
            passed_up(p.side_draw, j - 1) * organic(j - 1)?
        } else {
            0.0
        };
        let feed = if j == p.feed_stage { fed } else { 0.0 };
        totals[j] = from_below + from_above + feed - organic(j)?;
        from_above = passed_on(p.side_draw, j) * totals[j];
    }
    Some(totals)
}

/// The feed composition on every stage, at the stage's aqueous total where the model fixes
/// it (`totals`, from [`aqueous_totals`]): the exact solution when nothing separates.
fn unseparated_profile<E: Equilibrium>(
    p: &StageProblem<'_, E>,
    totals: Option<&[f64]>,
) -> Vec<f64> {
    let mut profile = p.feed.repeat(p.stages);
    if let Some(totals) = totals {
        normalize(&mut profile, totals);
    }
    profile
}

/// Scales each stage's aqueous fluxes to the stage's known total (Wang & Henke's
/// normalisation of the compositions between sweeps).
fn normalize(aqueous: &mut [f64], totals: &[f64]) {
    let c = aqueous.len() / totals.len();
    for (stage, &total) in aqueous.chunks_exact_mut(c).zip(totals) {
        let sum: f64 = stage.iter().sum();
        if sum > 0.0 {
            stage.iter_mut().for_each(|a| *a *= total / sum);
        }
    }
}

#[derive(Clone, Copy)]
enum Target {
    Current,
    Trial,
}

impl Norms {
    /// Converged when the residual meets the tolerance, or when it is already down at the
    /// rounding error of the balances themselves, which no iteration can improve on.
    fn converged(&self, tolerance: f64) -> bool {
        self.rounding_floor.is_finite() && self.residual <= tolerance.max(self.rounding_floor)
    }
}

/// The larger of two numbers, NaN if either is: a NaN flux must never hide in a norm.
pub fn nan_max(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else {
        a.max(b)
    }
}

/// Euclidean norm of stage-major fluxes, each divided by its element's feed flux.
fn scaled_norm(fluxes: &[f64], feed: &[f64]) -> f64 {
    fluxes
        .chunks_exact(feed.len())
        .flat_map(|stage| stage.iter().zip(feed).map(|(x, f)| (x / f).powi(2)))
        .sum::<f64>()
        .sqrt()
}

/// `trial = aqueous + length * step`, except that a flux the step would make zero or negative
/// is cut to [`FLUX_CUT`] of its value instead, so that profiles stay positive while trace
/// elements fall by three decades an iteration towards values far below the majors.
fn take_step(aqueous: &[f64], step: &[f64], length: f64, trial: &mut [f64]) {
    for ((t, &a), &d) in trial.iter_mut().zip(aqueous).zip(step) {
        let next = a + length * d;
        *t = if next <= 0.0 { FLUX_CUT * a } else { next };
    }
}

/// Fraction of a stage's total aqueous flux below which an element's flux is taken from the
/// polishing sweep rather than from Newton: below it Newton keeps fewer than ten of sixteen
/// digits.
const TRACE_LEVEL: f64 = 1e-6;

/// Largest factor by which one Newton step may cut a flux it would otherwise take negative.
const FLUX_CUT: f64 = 1e-3;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::equilibrium::SaturatedSeparationFactors;
    use nalgebra::{DMatrix, DVector};

    /// The block Thomas step equals a dense LU solve of the finite-difference Jacobian, with
    /// and without a side draw (aqueous on a middle stage and on the last; organic on the
    /// first and on a middle stage).
    #[test]
    fn newton_step_matches_dense_solve_of_finite_difference_jacobian() {
        let (n, c) = (6, 4);
        let betas = vec![1.0, 1.7, 3.1, 9.0];
        let eq = SaturatedSeparationFactors::new(betas, vec![1.4; n]);
        let feed = [0.3, 0.3, 0.2, 0.2];
        for side_draw in [
            None,
            Some(SideDraw {
                stage: 3,
                fraction: 0.3,
                phase: DrawPhase::Aqueous,
            }),
            Some(SideDraw {
                stage: n - 1,
                fraction: 0.5,
                phase: DrawPhase::Aqueous,
            }),
            Some(SideDraw {
                stage: 0,
                fraction: 0.4,
                phase: DrawPhase::Organic,
            }),
            Some(SideDraw {
                stage: 3,
                fraction: 0.3,
                phase: DrawPhase::Organic,
            }),
        ] {
            let p = StageProblem {
                equilibrium: &eq,
                stages: n,
                feed_stage: 2,
                feed: &feed,
                reflux_fraction: 0.6,
                side_draw,
            };
            let mut w = Workspace::new(n, c);
            w.size_iteration_buffers(n, c);
            w.size_newton(n, c);
            for (k, a) in w.aqueous.iter_mut().enumerate() {
                *a = 0.1 + 0.05 * ((k * 7) % 5) as f64;
            }
            w.evaluate(&p, Target::Current);
            let r0 = w.residual.clone();
            for j in 0..n {
                let a = w.aqueous[j * c..(j + 1) * c].to_vec();
                eq.jacobian(j, &a, w.newton.stage_jacobian(j));
            }
            w.newton.factor(p.reflux_fraction, side_draw, 0.0).unwrap();
            let mut step = vec![0.0; n * c];
            w.newton.solve(&r0, &mut step);

            let h = 1e-7;
            let mut jac = DMatrix::zeros(n * c, n * c);
            let base = w.aqueous.clone();
            for k in 0..n * c {
                w.aqueous.copy_from_slice(&base);
                w.aqueous[k] += h;
                w.evaluate(&p, Target::Current);
                for (row, (r, r0)) in w.residual.iter().zip(&r0).enumerate() {
                    jac[(row, k)] = (r - r0) / h;
                }
            }
            let dense = jac.lu().solve(&-DVector::from_vec(r0)).unwrap();
            for (a, b) in step.iter().zip(dense.iter()) {
                assert!(
                    (a - b).abs() < 1e-5 * (1.0 + b.abs()),
                    "{side_draw:?}: {a} vs {b}"
                );
            }
        }
    }

    /// Sharp binary cuts just above Underwood's minimum reflux (the extract takes exactly the
    /// feed's Nd), solved without the stage-to-stage march: Newton's steps there are thrown
    /// about by the rounding of an ill-conditioned system, and these three converge only by
    /// the substitution sweeps of `Workspace::rescue` from Newton's best iterate.
    #[test]
    fn newton_stalled_at_a_pinch_is_rescued_by_substitution() {
        use crate::theory::minimum_reflux_ratio;
        let options = SolverOptions::default();
        for (beta, nd, factor, stages) in [
            (2.0, 0.3, 1.5, 80),
            (1.5, 0.5, 1.1, 150),
            (1.2, 0.4, 1.5, 300),
        ] {
            let reflux = factor * minimum_reflux_ratio(beta, nd, 0.999, false);
            let s = nd * (1.0 + reflux);
            let eq = SaturatedSeparationFactors::new(vec![1.0, beta], vec![s; 2 * stages]);
            let p = StageProblem {
                equilibrium: &eq,
                stages: 2 * stages,
                feed_stage: stages - 1,
                feed: &[1.0 - nd, nd],
                reflux_fraction: reflux / (1.0 + reflux),
                side_draw: None,
            };
            let mut work = Workspace::new(p.stages, 2);
            let solved = work.solve(&p, &options, Start::Unseparated);
            let status = solved
                .unwrap_or_else(|e| panic!("beta {beta}, {factor} R_min: {e:?}"))
                .status;
            assert!(status.residual <= options.tolerance.max(status.rounding_floor));
        }
    }
}
