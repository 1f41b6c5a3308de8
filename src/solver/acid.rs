//! An extraction cascade whose distribution ratios follow each stage's acidity and free
//! extractant (an [`AcidEquilibrium`]: the `ph_correlation` model, a mass-action law): the H+
//! concentration of each stage's aqueous is an unknown of its own, set by an acid balance in
//! which every mol of species `i` extracted releases `nu_i` H+, and the free extractant falls
//! with what the organic holds.
//!
//! Per stage `j` (aqueous flowing N -> 1 with the feed at stage N, the organic entering
//! stage 1; `A`, `O` the constant phase flows in L/h, `R = O / A`):
//!
//! ```text
//! balance of i:   o(i,j-1) + a(i,j+1) + F(i,j) - o(i,j) - a(i,j) = 0
//! equilibrium:    o(i,j) - (1 - E) o(i,j-1) - E R D_i(h_j, free_j) a(i,j) = 0
//! acid:           A h(j+1) + H_F(j) + sum_i nu_i (o(i,j) - o(i,j-1)) - A h(j) = 0
//! ```
//!
//! with `free_j = total - sum_i held_i o(i,j) / O`: the extractant every species the organic
//! carries holds is not free, what it carried in with it included (a stripped organic returning
//! in a closed loop holds extractant with its RE). Murphree's efficiency `E` is on the organic
//! as in `murphree.rs`. The unknowns of a stage, `2 C + 1`, form a block tridiagonal Newton
//! system (`stage_blocks.rs`). Started from the cascade at the feed's acidity and the inlet's
//! free extractant (constant D, one tridiagonal solve per species), then damped Newton keeping
//! fluxes and h positive.

use super::acid_equations::Acid;
use super::{Convergence, Norms, SolveFailure, SolverOptions, take_step};
use crate::equilibrium::AcidEquilibrium;

/// The stage equations of one acid-aware cascade.
pub struct AcidProblem<'a> {
    pub equilibrium: &'a dyn AcidEquilibrium,
    /// Feed flux per species, mol/h, entering the feed stage with the aqueous.
    pub feed: &'a [f64],
    /// What the organic entering stage 1 carries, mol/h per species (a stripped organic
    /// returning, the Na+ of a saponified one); zeros for a barren one. What it carries holds
    /// extractant like what it loads. In a closed loop, what is added to the returning organic
    /// before it re-enters (the Na+ of its saponification).
    pub organic_inlet: &'a [f64],
    /// Extraction stages (all the stages when `sections` is the default).
    pub stages: usize,
    /// The feed's aqueous flow, L/h.
    pub aqueous_l_per_h: f64,
    pub organic_l_per_h: f64,
    /// H+ entering with the feed, mol/h.
    pub feed_acid_mol_per_h: f64,
    pub efficiency: f64,
    /// Scrub and strip sections and the feed stage; the default is an extraction cascade fed at
    /// its last stage.
    pub sections: AcidSections,
}

/// The sections of an acid-aware cascade beyond extraction (docs/model.md section 2).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct AcidSections {
    /// 1-based stage the feed enters; `None` for the last extraction stage.
    pub feed_stage: Option<usize>,
    /// Scrub stages above the extraction stages, fed an acid liquor at the last.
    pub scrub: Option<AcidLiquor>,
    /// Strip stages the loaded organic passes through before it returns to stage 1.
    pub strip: Option<AcidLiquor>,
}

/// An acid liquor fed countercurrent to the organic through `stages` stages.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AcidLiquor {
    pub stages: usize,
    pub liquor_l_per_h: f64,
    pub acid_mol_per_l: f64,
}

/// Profiles (stage-major, `N x C`, mol/h), each stage's H+ (mol/L) and free extractant
/// (mol/L of organic).
#[derive(Debug, Clone)]
pub struct AcidSolution {
    pub aqueous: Vec<f64>,
    pub organic: Vec<f64>,
    pub hydrogen_mol_per_l: Vec<f64>,
    pub free_extractant_mol_per_l: Vec<f64>,
    pub status: Convergence,
}

/// Solves `p`: its stage balances, equilibria and acid balances, and the returning organic's
/// balance when a strip section closes the loop.
///
/// Damped Newton from the constant-D start (fitted to the extractant's capacity); where that
/// fails and no closed loop returns the organic, again from the cascade at the one uniform
/// acidity that balances its H+ overall, the start a saponified organic needs (its sodium
/// sets the pH of stages the feed's acid never reaches), with that acidity on every stage and
/// then with each stage's from the acid balances. Where all fail, the solution is followed from
/// a millionth of the feed's RE up to all of it (steps growing fourfold while they converge,
/// shrinking otherwise), as a plant would be brought up to feed. Where that path stops short
/// of the whole feed with some stage's organic nearly out of free extractant, the failure is
/// [`SolveFailure::ExtractantExhausted`], with the share of the feed reached; otherwise the
/// first start's failure is reported.
pub fn solve_acid(
    p: &AcidProblem<'_>,
    options: &SolverOptions,
) -> Result<AcidSolution, SolveFailure> {
    let mut work = Acid::new(p);
    work.start();
    let failure = match newton(&mut work, options, options.max_iterations) {
        Ok((iterations, norms)) => return Ok(work.finish(iterations, &norms)),
        Err(failure) => failure,
    };
    if work.has_balanced_start() {
        for down in [false, true] {
            let mut work = Acid::new(p);
            work.balanced_start(down);
            if let Ok((iterations, norms)) = newton(&mut work, options, options.max_iterations) {
                return Ok(work.finish(iterations, &norms));
            }
        }
    }
    // From a thousandth of a thousandth of the feed; where that path stops, once more from a
    // direct solve at the share it reached, which can lie on another branch of steady states.
    let mut best: Option<(Acid<'_, '_>, f64)> = None;
    let mut iterations = 0;
    let mut from = CONTINUATION_FIRST;
    for _ in 0..2 {
        let mut work = Acid::new(p);
        work.scale_feed(from);
        work.start();
        let Ok((taken, _)) = newton(&mut work, options, options.max_iterations) else {
            break;
        };
        iterations += taken;
        match follow(&mut work, from, options, &mut iterations) {
            Ok(norms) => return Ok(work.finish(iterations, &norms)),
            Err(reached) => {
                from = reached;
                if best.as_ref().is_none_or(|(_, r)| reached > *r) {
                    best = Some((work, reached));
                }
            }
        }
    }
    Err(best
        .and_then(|(work, reached)| work.exhausted(iterations, reached))
        .unwrap_or(failure))
}

/// Follows the solution of `work`, converged at `reached` of the feed, up to the whole feed:
/// its norms there, or the share it stopped at (with `work` at its solution there).
fn follow(
    work: &mut Acid<'_, '_>,
    mut reached: f64,
    options: &SolverOptions,
    iterations: &mut usize,
) -> Result<Norms, f64> {
    // The rise of the next step: up to fourfold the share, at most CONTINUATION_MAX_RISE;
    // doubled after a step that converges, quartered after one that does not.
    let limit = |reached: f64| ((CONTINUATION_GROWTH - 1.0) * reached).min(CONTINUATION_MAX_RISE);
    let mut rise = limit(reached);
    loop {
        let next = (reached + rise).min(1.0);
        let saved = work.x.clone();
        work.scale_feed(next);
        work.scale_fluxes(next / reached);
        match newton(work, options, CONTINUATION_MAX_ITERATIONS) {
            Ok((taken, norms)) => {
                *iterations += taken;
                if next == 1.0 {
                    return Ok(norms);
                }
                reached = next;
                rise = (2.0 * rise).min(limit(reached));
            }
            Err(_) => {
                *iterations += CONTINUATION_MAX_ITERATIONS;
                work.x = saved;
                rise /= 4.0;
                if rise < CONTINUATION_MIN_STEP * reached {
                    work.scale_feed(reached);
                    return Err(reached);
                }
            }
        }
    }
}

/// Share of the feed's RE the continuation path starts from: low enough that the organic
/// holds next to nothing, so that D is the fresh organic's and the constant-D start is close.
const CONTINUATION_FIRST: f64 = 1e-6;
/// Largest factor by which one continuation step raises the share of the feed.
const CONTINUATION_GROWTH: f64 = 4.0;
/// Largest rise of the share of the feed in one continuation step: near full loading the
/// steady states need not be unique, and a long step can land on another branch than the one
/// followed. Measured on the strong-scrub case of tests/integration/acid_sections.rs: with
/// steps of up to 4x and 1e-4 the smallest, the path from 1e-6 of the feed stopped at 67 %
/// (0.003 % of stage 15's extractant free); rises of at most 0.01 and 1e-6 the smallest, the
/// second route (from a direct solve at 60 %) reaches 97.5 %, where a direct solve's branch
/// ends too (0.15 % free).
const CONTINUATION_MAX_RISE: f64 = 0.01;
/// Smallest relative rise of the feed a continuation step may take before the path is given
/// up: there the solution turns back or leaves the model's range.
const CONTINUATION_MIN_STEP: f64 = 1e-6;
/// Newton iterations allowed to one continuation step before it is shortened.
const CONTINUATION_MAX_ITERATIONS: usize = 30;

/// Damped Newton from the current point of `work`: iterations taken and the final norms.
fn newton(
    work: &mut Acid<'_, '_>,
    options: &SolverOptions,
    max_iterations: usize,
) -> Result<(usize, Norms), SolveFailure> {
    let mut norms = work.evaluate(false);
    let mut iterations = 0;
    while !norms.converged(options.tolerance) {
        if iterations >= max_iterations {
            return Err(SolveFailure::NotConverged {
                status: work.status(iterations, &norms),
                tolerance: options.tolerance,
            });
        }
        iterations += 1;
        if let Err(stage) = work.newton_step() {
            return Err(SolveFailure::SingularJacobian {
                stage,
                iteration: iterations,
            });
        }
        let mut length = work.longest_step();
        let mut accepted = None;
        for _ in 0..=options.max_backtracks {
            take_step(&work.x, &work.step, length, &mut work.trial);
            let trial = work.evaluate(true);
            if trial.residual < norms.residual {
                accepted = Some(trial);
                break;
            }
            length *= 0.5;
        }
        let Some(trial) = accepted else {
            return Err(SolveFailure::Stalled {
                status: work.status(iterations, &norms),
            });
        };
        std::mem::swap(&mut work.x, &mut work.trial);
        norms = trial;
        // The residual left by `evaluate` is the accepted point's.
    }
    Ok((iterations, norms))
}

/// Fraction of the fresh organic's extractant below which a failed solve is put down to the
/// extractant running out: the organic there carries over 99 % of what it can hold.
pub const EXHAUSTED_FREE_FRACTION: f64 = 0.01;
