//! Newton's method on the stage scales of a saturated cascade: the summation equations of the
//! bubble-point (Wang-Henke) formulation solved simultaneously, as Holland's theta method and
//! the Naphtali-Sandholm method do for constant-relative-volatility distillation columns.
//!
//! With the extraction factors `e_ij = beta_i k_j`, one unknown scale `k_j` a stage, each
//! element's balances are linear and tridiagonal in its aqueous fluxes `a_i` (`substitution.rs`
//! solves them exactly). What is left are the `N` summation equations: the organic of stage
//! `j` carries its fixed total, `g_j = k_j sum_i beta_i a_ij / O_j - 1 = 0`. Their Jacobian in
//! `x_j = ln k_j` follows from the bilinear form of the balances, with unknowns `(a_j, x_j)` per
//! stage: the component balances are linear in `a` at fixed `k` and `o_ij = k_j beta_i a_ij`
//! is bilinear, so the Newton system is block tridiagonal with `(C + 1) x (C + 1)` blocks,
//! `O(N C^3)` to solve. With the component balances met exactly at every iterate (their rows'
//! residual zero) the step in `x` is the exact Newton step of the reduced equations `g(x) = 0`.
//! Unlike Newton on the aqueous fluxes with the rational equilibrium substituted (the rest of
//! this solver), the reduced equations are nearly linear in `ln k` and every iterate balances
//! every element with positive fluxes: on dense cuts of many elements and long cascades it
//! converges in a handful of iterations where the rational form took hundreds or none
//! (examples/survey.rs).

use super::quasiseparable::Quasiseparable;
use super::substitution::{solve_linear_balances, solve_linear_balances_textbook};
use super::{
    Convergence, SolveFailure, SolverOptions, StageProblem, StageSolution, Target, Workspace,
    aqueous_totals, passed_on, passed_up,
};
use crate::equilibrium::Equilibrium;

/// Iteration cap. The survey's cascades converge in at most about 20 (examples/survey.rs).
const MAX_ITERATIONS: usize = 200;
/// Halvings of a step before the iteration gives up.
const MAX_GROWTH: f64 = 10.0;
const MIN_SHIFT: f64 = 1e-8;
const MAX_SHIFT: f64 = 1e12;
/// Largest change of `ln k_j` one step may make: far from the answer a full step can
/// overshoot by decades.
const MAX_LOG_STEP: f64 = 2.0;
/// Halvings of a quasiseparable Newton step before the shift takes over.
const LINE_SEARCH_HALVINGS: usize = 12;

/// Solves a saturated cascade by Newton's method on its stage scales, from the scales of
/// `estimate` (an aqueous profile, stage-major `N x C`) or from the unseparated profile.
/// `None` for a model that is not saturated.
pub(crate) fn solve<E: Equilibrium>(
    p: &StageProblem<'_, E>,
    options: &SolverOptions,
    estimate: Option<&[f64]>,
    (summation, kind): (Summation, Step),
) -> Option<Result<StageSolution, SolveFailure>> {
    let betas = p.equilibrium.separation_factors()?;
    let organic: Vec<f64> = (0..p.stages)
        .map(|j| p.equilibrium.organic_total(j))
        .collect::<Option<_>>()?;
    let totals = aqueous_totals(p)?;
    let (n, c) = (p.stages, p.feed.len());
    let start = match estimate {
        Some(profile) => profile.to_vec(),
        None => super::unseparated_profile(p, Some(&totals)),
    };
    let mut log_k: Vec<f64> = start
        .chunks_exact(c)
        .zip(&organic)
        .map(|(a, o)| {
            let pull: f64 = betas.iter().zip(a).map(|(b, a)| b * a).sum();
            (o / pull).ln()
        })
        .collect();
    // The summation equations as the ratio of the phases' totals: `ln(sum_i o_ij / sum_i a_ij)
    // = ln(O_j / A_j)`. With the total balance of every stage (the sum of its elements'), this
    // fixes both totals; where the organic's total alone saturates as `k_j` grows (the stage's
    // organic can carry no more than reaches it) and the aqueous's alone as `k_j` falls, their
    // ratio moves with `k_j` at every scale, so Newton's steps stay in proportion.
    let ratios: Vec<f64> = organic
        .iter()
        .zip(&totals)
        .map(|(o, a)| match summation {
            Summation::PhaseRatio => (o / a).ln(),
            Summation::OrganicTotal => o.ln(),
        })
        .collect();
    let mut newton = ScaleNewton::new(n, c, (summation, kind));
    let mut trial_k = vec![0.0; n];
    let mut merit = newton.balance(p, betas, &ratios, &log_k);
    let mut work = Workspace::new(n, c);
    let mut iterations = 0;
    let mut norms = newton.judge(&mut work, p);
    let status = |norms: &super::Norms, iterations| Convergence {
        iterations,
        sweeps: 0,
        residual: norms.residual,
        rounding_floor: norms.rounding_floor,
    };
    // Converged once the balances meet the tolerance and one more step has been taken (Newton
    // then squares the error, so the answer is as accurate as rounding allows) or the
    // residual is already far below the tolerance.
    let settled = |norms: &super::Norms, previous_converged: bool| {
        norms.converged(options.tolerance)
            && (previous_converged
                || norms.residual <= 1e-3 * options.tolerance
                || norms.residual <= 2.0 * norms.rounding_floor)
    };
    let mut previous_converged = false;
    let mut shift = 0.0;
    // The dense step's Jacobian at the current scales, kept while steps from it are rejected.
    let mut jacobian: Option<Vec<f64>> = None;
    while !settled(&norms, previous_converged) {
        if iterations == options.max_iterations.min(MAX_ITERATIONS) {
            return Some(Err(SolveFailure::NotConverged {
                status: status(&norms, iterations),
                tolerance: options.tolerance,
            }));
        }
        iterations += 1;
        previous_converged = norms.converged(options.tolerance);
        let step = match kind {
            Step::Block => newton.step(p, betas, &log_k, shift),
            Step::Dense => {
                let jacobian = jacobian.get_or_insert_with(|| newton.jacobian(p));
                newton.marquardt_step(jacobian, shift)
            }
            Step::Quasiseparable => newton.quasiseparable_step(p, shift),
        };
        let Some(step) = step else {
            return Some(Err(SolveFailure::SingularJacobian {
                stage: 0,
                iteration: iterations,
            }));
        };
        let largest = step.iter().fold(0.0f64, |m, d| m.max(d.abs()));
        let mut length = if largest > MAX_LOG_STEP {
            MAX_LOG_STEP / largest
        } else {
            1.0
        };
        let halvings = if kind == Step::Quasiseparable && shift == 0.0 {
            LINE_SEARCH_HALVINGS
        } else {
            0
        };
        let mut trial = f64::INFINITY;
        for _ in 0..=halvings {
            for ((t, x), d) in trial_k.iter_mut().zip(&log_k).zip(&step) {
                *t = x + length * d;
            }
            trial = newton.balance(p, betas, &ratios, &trial_k);
            if trial < (1.0 - 1e-4 * length) * merit {
                break;
            }
            length *= 0.5;
        }
        if trial < merit {
            // Switched evolution relaxation (Mulder & van Leer 1985), as in the solver's
            // pseudo-transient continuation: the shift falls with the residual.
            if shift > 0.0 {
                shift *= trial / merit;
                if shift < MIN_SHIFT {
                    shift = 0.0;
                }
            }
            std::mem::swap(&mut log_k, &mut trial_k);
            jacobian = None;
            merit = trial;
            norms = newton.judge(&mut work, p);
        } else {
            newton.balance(p, betas, &ratios, &log_k);
            norms = newton.judge(&mut work, p);
            if norms.converged(options.tolerance) {
                break;
            }
            shift = (shift * MAX_GROWTH).max(1.0);
            if shift > MAX_SHIFT {
                return Some(Err(SolveFailure::Stalled {
                    status: status(&norms, iterations),
                }));
            }
        }
    }
    // The organic the balances were solved with, the scales' factors times the aqueous: every
    // element's stage balances and overall balance then close to the rounding of its own
    // flows, and the organic's loading is met to the summation's residual, relative to itself.
    // The model's factors at this aqueous differ by that residual; in a cascade whose organic
    // carries 1e6 times the feed, enough to open the balances by 1e-10 of the feed (the
    // residual reported, judged against its rounding floor).
    let organic = newton
        .factors
        .iter()
        .zip(&newton.aqueous)
        .map(|(e, a)| e * a)
        .collect();
    Some(Ok(StageSolution {
        aqueous: std::mem::take(&mut newton.aqueous),
        organic,
        status: status(&norms, iterations),
    }))
}

/// How the Newton step in `ln k` is found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step {
    /// Block Thomas elimination of the bilinear system, `O(N C^3)`; where a step does not
    /// lower the summation residual, a pseudo-transient shift on the scales' diagonal.
    Block,
    /// The reduced `N x N` Jacobian from every element's Green's functions, solved densely,
    /// `O(N^2 C + N^3)`; where a step does not lower the residual, Marquardt's damping, whose
    /// step is a descent direction of `|g|^2` however far from the answer.
    Dense,
    /// The reduced `N x N` Jacobian in quasiseparable form, from every element's ratios of
    /// its tridiagonal inverse (`quasiseparable.rs`), `O(N C^2)`; where a step does not lower
    /// the summation residual, a pseudo-transient shift on the diagonal.
    Quasiseparable,
}

/// The form of the summation equation of each stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Summation {
    /// The organic's RE over the aqueous's, `ln(sum_i o_ij / sum_i a_ij) = ln(O_j / A_j)`: in
    /// proportion at every scale, the form for a start far from the answer.
    PhaseRatio,
    /// The organic's RE alone, `ln(sum_i o_ij) = ln O_j`: the finisher's form. The ratio fixes
    /// the totals only through the total balance of the whole cascade, which at a reflux that
    /// returns all but 1e-7 of the loaded organic amplifies its last bit a millionfold: met to
    /// the bit, it left stage totals 1e-10 off their own (survey seed 7, case 50).
    OrganicTotal,
}

/// The buffers of the iteration: the profile at the current scales and the block elimination.
pub(super) struct ScaleNewton {
    form: Summation,
    kind: Step,
    elements: usize,
    factors: Vec<f64>,
    pub(super) aqueous: Vec<f64>,
    scratch: Vec<f64>,
    /// `g_j` at the current scales.
    pub(super) summation: Vec<f64>,
    /// Per stage, the eliminated diagonal block (LU factors), `(C+1)^2`.
    blocks: Vec<f64>,
    pivots: Vec<usize>,
    /// Per stage, `D'^-1 U`, `(C+1)^2`.
    couplings: Vec<f64>,
    /// Per stage, the forward-eliminated right-hand side, `C+1`.
    rhs: Vec<f64>,
    /// The reduced Jacobian's generators, for [`Step::Quasiseparable`].
    reduced: Option<Quasiseparable>,
}

impl ScaleNewton {
    pub(super) fn new(stages: usize, elements: usize, (form, kind): (Summation, Step)) -> Self {
        let m = elements + 1;
        // Only the block elimination needs its `N (C+1)^2` buffers.
        let block = if kind == Step::Block { stages } else { 0 };
        Self {
            form,
            kind,
            elements,
            factors: vec![0.0; stages * elements],
            aqueous: vec![0.0; stages * elements],
            scratch: vec![0.0; stages * elements],
            summation: vec![0.0; stages],
            blocks: vec![0.0; block * m * m],
            pivots: vec![0; block * m],
            couplings: vec![0.0; block * m * m],
            rhs: vec![0.0; block * m],
            reduced: None,
        }
    }

    /// Solves every element's balances at the scales `exp(log_k)`, leaving the profile and
    /// the summation residuals; returns their Euclidean norm (infinite if not finite).
    pub(super) fn balance<E: Equilibrium>(
        &mut self,
        p: &StageProblem<'_, E>,
        betas: &[f64],
        ratios: &[f64],
        log_k: &[f64],
    ) -> f64 {
        let c = self.elements;
        for (stage, &x) in self.factors.chunks_exact_mut(c).zip(log_k) {
            let k = x.exp();
            for (e, b) in stage.iter_mut().zip(betas) {
                *e = b * k;
            }
        }
        // The accurate solve (`substitution.rs`) where what is sought is only there: trace
        // levels of 1e-40 of the feed along the dense step's path, a closure to rounding at a
        // reflux of 1e8 in the organic-total finish. The phase-ratio finisher of the flux
        // iterations keeps the textbook pass its paths were found with (with the accurate one,
        // the 3,000-stage reference cut, which Newton's method solves in about 600 iterations
        // through a tier this finishes, lost its way).
        let solve = match (self.form, self.kind) {
            (Summation::PhaseRatio, Step::Block) => solve_linear_balances_textbook,
            _ => solve_linear_balances,
        };
        solve(
            &self.factors,
            p.feed,
            p.feed_stage,
            p.reflux_fraction,
            p.side_draw,
            &mut self.aqueous,
            &mut self.scratch,
        );
        let mut norm = 0.0;
        for (j, (g, (e, a))) in self
            .summation
            .iter_mut()
            .zip(
                self.factors
                    .chunks_exact(c)
                    .zip(self.aqueous.chunks_exact(c)),
            )
            .enumerate()
        {
            let carried: f64 = e.iter().zip(a).map(|(e, a)| e * a).sum();
            *g = match self.form {
                Summation::PhaseRatio => (carried / a.iter().sum::<f64>()).ln(),
                Summation::OrganicTotal => carried.ln(),
            } - ratios[j];
            norm += *g * *g;
        }
        if norm.is_finite() {
            norm.sqrt()
        } else {
            f64::INFINITY
        }
    }

    /// The current profile judged as any other solve's: the feed-scaled stage residual with
    /// the model's own extraction factors.
    fn judge<E: Equilibrium>(&self, work: &mut Workspace, p: &StageProblem<'_, E>) -> super::Norms {
        work.aqueous.copy_from_slice(&self.aqueous);
        work.evaluate(p, Target::Current)
    }

    /// The Newton step in `ln k` from the reduced Jacobian `dg/d ln k`, `N x N`, assembled from
    /// every element's Green's functions (its profile for a unit feed on each stage, by the
    /// defect-carrying solve of `substitution.rs`, accurate relative to itself) and solved
    /// densely: `O(N^2 C + N^3)`.
    fn jacobian<E: Equilibrium>(&self, p: &StageProblem<'_, E>) -> Vec<f64> {
        let (n, c) = (p.stages, self.elements);
        let mut jacobian = vec![0.0; n * n];
        for j in 0..n {
            jacobian[j * n + j] = 1.0;
        }
        // dg_j / da_ij.
        let mut weight = vec![0.0; n * c];
        for j in 0..n {
            let e = &self.factors[j * c..(j + 1) * c];
            let a = &self.aqueous[j * c..(j + 1) * c];
            let carried: f64 = e.iter().zip(a).map(|(e, a)| e * a).sum();
            let passed = match self.form {
                Summation::PhaseRatio => 1.0 / a.iter().sum::<f64>(),
                Summation::OrganicTotal => 0.0,
            };
            for i in 0..c {
                weight[j * c + i] = e[i] / carried - passed;
            }
        }
        let mut e_i = vec![0.0; n];
        let (mut column, mut next, mut scratch) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
        let green = |e: &[f64], stage: usize, out: &mut [f64], scratch: &mut [f64]| {
            solve_linear_balances(
                e,
                &[1.0],
                stage,
                p.reflux_fraction,
                p.side_draw,
                out,
                scratch,
            );
        };
        for i in 0..c {
            for (j, e) in e_i.iter_mut().enumerate() {
                *e = self.factors[j * c + i];
            }
            green(&e_i, 0, &mut column, &mut scratch);
            for l in 0..n {
                let o = e_i[l] * self.aqueous[l * c + i];
                if l + 1 < n {
                    green(&e_i, l + 1, &mut next, &mut scratch);
                    let q = passed_up(p.side_draw, l);
                    for j in 0..n {
                        jacobian[j * n + l] += weight[j * c + i] * o * (q * next[j] - column[j]);
                    }
                    std::mem::swap(&mut column, &mut next);
                } else {
                    let w = 1.0 - p.reflux_fraction;
                    for j in 0..n {
                        jacobian[j * n + l] -= weight[j * c + i] * o * w * column[j];
                    }
                }
            }
        }
        jacobian
    }

    /// Levenberg-Marquardt step on `|g|^2` with the reduced Jacobian (Marquardt, J. SIAM 11
    /// (1963) 431): Newton's step for `mu = 0`, otherwise `(J'J + mu diag(J'J)) d = -J'g`.
    fn marquardt_step(&self, jacobian: &[f64], mu: f64) -> Option<Vec<f64>> {
        let n = self.summation.len();
        let mut step: Vec<f64> = self.summation.iter().map(|g| -g).collect();
        let mut pivots = vec![0; n];
        let mut a = if mu == 0.0 {
            jacobian.to_vec()
        } else {
            let mut normal = vec![0.0; n * n];
            for r in 0..n {
                for k in 0..n {
                    let jr = jacobian[k * n + r];
                    if jr != 0.0 {
                        for col in 0..n {
                            normal[r * n + col] += jr * jacobian[k * n + col];
                        }
                    }
                }
            }
            let mut rhs = vec![0.0; n];
            for k in 0..n {
                for r in 0..n {
                    rhs[r] += jacobian[k * n + r] * step[k];
                }
            }
            step = rhs;
            for r in 0..n {
                normal[r * n + r] *= 1.0 + mu;
            }
            normal
        };
        if !lu_factor(n, &mut a, &mut pivots) {
            return None;
        }
        lu_solve(n, &a, &pivots, &mut step);
        step.iter().all(|d| d.is_finite()).then_some(step)
    }

    /// The Newton step in `ln k` from the reduced Jacobian in quasiseparable form, at the
    /// scales whose profile and reciprocal pivots `balance` left in place: with the ratios of
    /// `scale_sensitivity.rs`, element `i`'s response of stage `j` to the scale of stage `m` is
    /// `c_ij up_ij ... up_i(m-1) ahead_im` on and above the diagonal and
    /// `c_ij z_ij down_ij ... down_i(m+2) behind_im` below it, `c_ij` the weight of `a_ij` in
    /// `g_j`. `O(N C^2)`.
    pub(super) fn quasiseparable_step<E: Equilibrium>(
        &mut self,
        p: &StageProblem<'_, E>,
        shift: f64,
    ) -> Option<Vec<f64>> {
        let (n, c) = (p.stages, self.elements);
        let m = self
            .reduced
            .get_or_insert_with(|| Quasiseparable::new(n, c));
        let w = m.width();
        // `z_(j+1)` of every element, from the top down.
        let mut z_above = vec![0.0; c];
        for j in (0..n).rev() {
            let top = j + 1 == n;
            let out = if top { 1.0 - p.reflux_fraction } else { 1.0 };
            let rising = passed_up(p.side_draw, j);
            let falling = if top {
                0.0
            } else {
                passed_on(p.side_draw, j + 1)
            };
            let here = j * c..(j + 1) * c;
            let (e, a) = (&self.factors[here.clone()], &self.aqueous[here.clone()]);
            let carried: f64 = e.iter().zip(a).map(|(e, a)| e * a).sum();
            let (per_carried, passed) = (
                1.0 / carried,
                match self.form {
                    Summation::PhaseRatio => 1.0 / a.iter().sum::<f64>(),
                    Summation::OrganicTotal => 0.0,
                },
            );
            let mut diagonal = 1.0 + shift;
            for i in 0..c {
                let (s, t) = (j * c + i, j * w + i);
                let reciprocal = self.scratch[s];
                let organic = e[i] * a[i];
                let weight = e[i] * per_carried - passed;
                let up = -falling * reciprocal;
                let (z, ahead) = if top {
                    (reciprocal, organic * out * reciprocal)
                } else {
                    let down = -rising * e[i] * reciprocal;
                    m.lower_transition[t] = down;
                    m.lower_column[t] = organic * (out * down - rising);
                    let z = reciprocal + up * down * z_above[i];
                    (z, organic * (out * z - rising * up * z_above[i]))
                };
                z_above[i] = z;
                diagonal += weight * ahead;
                m.upper_row[t] = weight * up;
                m.upper_transition[t] = up;
                m.upper_column[t] = ahead;
                m.lower_row[t] = weight * z;
            }
            m.diagonal[j] = diagonal;
        }
        let mut step: Vec<f64> = self.summation.iter().map(|g| -g).collect();
        m.solve(&mut step).then_some(step)
    }

    /// The Newton step in `ln k` at the scales `log_k` (whose profile `balance` left in place):
    /// block Thomas elimination of the bilinear system, `(C+1)`-blocks, the component rows'
    /// residuals zero.
    fn step<E: Equilibrium>(
        &mut self,
        p: &StageProblem<'_, E>,
        betas: &[f64],
        log_k: &[f64],
        shift: f64,
    ) -> Option<Vec<f64>> {
        let (n, c) = (p.stages, self.elements);
        let m = c + 1;
        let mut product = vec![0.0; m * m];
        let mut lowered = vec![0.0; m];
        for j in 0..n {
            let k = log_k[j].exp();
            let a = &self.aqueous[j * c..(j + 1) * c];
            let top = j + 1 == n;
            let reflux = if top { p.reflux_fraction } else { 0.0 };
            let (block, rest) = self.blocks[j * m * m..].split_at_mut(m * m);
            let _ = rest;
            block.fill(0.0);
            // g_j = ln(sum_i o_ij) - ln(sum_i a_ij) - ln(O_j / A_j), or ln(sum_i o_ij) - ln O_j.
            let carried: f64 = a.iter().zip(betas).map(|(a, b)| b * k * a).sum();
            let passed = match self.form {
                Summation::PhaseRatio => 1.0 / a.iter().sum::<f64>(),
                Summation::OrganicTotal => 0.0,
            };
            for i in 0..c {
                let e = betas[i] * k;
                let o = e * a[i];
                block[i * m + i] = -(e + 1.0) + reflux * e;
                block[i * m + c] = -o * (1.0 - reflux);
                block[c * m + i] = e / carried - passed;
            }
            block[c * m + c] = 1.0 + shift;
            let rhs = &mut self.rhs[j * m..(j + 1) * m];
            rhs.fill(0.0);
            rhs[c] = -self.summation[j];
            if j > 0 {
                // L_j: stage j's balances take the organic of stage j - 1.
                let rising = passed_up(p.side_draw, j - 1);
                let k_below = log_k[j - 1].exp();
                let below = &self.aqueous[(j - 1) * c..j * c];
                let x = &self.couplings[(j - 1) * m * m..j * m * m];
                let y = &self.rhs[(j - 1) * m..j * m];
                lower_times(betas, rising, k_below, below, x, m, &mut product);
                lower_times(betas, rising, k_below, below, y, 1, &mut lowered);
                let block = &mut self.blocks[j * m * m..(j + 1) * m * m];
                for (b, l) in block.iter_mut().zip(&product) {
                    *b -= l;
                }
                let rhs = &mut self.rhs[j * m..(j + 1) * m];
                for (r, l) in rhs.iter_mut().zip(&lowered) {
                    *r -= l;
                }
            }
            let block = &mut self.blocks[j * m * m..(j + 1) * m * m];
            let pivots = &mut self.pivots[j * m..(j + 1) * m];
            if !lu_factor(m, block, pivots) {
                return None;
            }
            lu_solve(m, block, pivots, &mut self.rhs[j * m..(j + 1) * m]);
            if j + 1 < n {
                // U_j: stage j's balances take the aqueous of stage j + 1.
                let share = passed_on(p.side_draw, j + 1);
                let x = &mut self.couplings[j * m * m..(j + 1) * m * m];
                x.fill(0.0);
                let mut column = vec![0.0; m];
                for i in 0..c {
                    column.fill(0.0);
                    column[i] = share;
                    lu_solve(m, block, pivots, &mut column);
                    for (r, v) in column.iter().enumerate() {
                        x[r * m + i] = *v;
                    }
                }
            }
        }
        // Back substitution, keeping only the scales' part.
        let mut next = vec![0.0; m];
        let mut step = vec![0.0; n];
        for j in (0..n).rev() {
            let y = &self.rhs[j * m..(j + 1) * m];
            let mut z = y.to_vec();
            if j + 1 < n {
                let x = &self.couplings[j * m * m..(j + 1) * m * m];
                for r in 0..m {
                    let dot: f64 = x[r * m..(r + 1) * m]
                        .iter()
                        .zip(&next)
                        .map(|(a, b)| a * b)
                        .sum();
                    z[r] -= dot;
                }
            }
            step[j] = z[c];
            next.copy_from_slice(&z);
        }
        step.iter().all(|d| d.is_finite()).then_some(step)
    }
}

/// `L_j M` for `M` of `cols` columns (row-major, `C+1` rows): the component rows take
/// `q beta_i k a_i` of `M`'s row `i` and `q o_i` of its scale row; the summation row nothing.
fn lower_times(
    betas: &[f64],
    rising: f64,
    k: f64,
    below: &[f64],
    matrix: &[f64],
    cols: usize,
    out: &mut [f64],
) {
    let c = betas.len();
    let scale_row = &matrix[c * cols..(c + 1) * cols];
    for i in 0..c {
        let diagonal = rising * betas[i] * k;
        let column = diagonal * below[i];
        let row = &matrix[i * cols..(i + 1) * cols];
        for ((o, r), s) in out[i * cols..(i + 1) * cols]
            .iter_mut()
            .zip(row)
            .zip(scale_row)
        {
            *o = diagonal * r + column * s;
        }
    }
    out[c * cols..(c + 1) * cols].fill(0.0);
}

/// LU factorisation with partial pivoting of the `m x m` row-major `a`, in place; false if
/// singular.
fn lu_factor(m: usize, a: &mut [f64], pivots: &mut [usize]) -> bool {
    for col in 0..m {
        let mut best = col;
        for r in col + 1..m {
            if a[r * m + col].abs() > a[best * m + col].abs() {
                best = r;
            }
        }
        pivots[col] = best;
        if a[best * m + col] == 0.0 || !a[best * m + col].is_finite() {
            return false;
        }
        if best != col {
            for k in 0..m {
                a.swap(col * m + k, best * m + k);
            }
        }
        let inverse = 1.0 / a[col * m + col];
        for r in col + 1..m {
            let factor = a[r * m + col] * inverse;
            a[r * m + col] = factor;
            if factor != 0.0 {
                for k in col + 1..m {
                    a[r * m + k] -= factor * a[col * m + k];
                }
            }
        }
    }
    true
}

/// Solves `a x = b` in place from [`lu_factor`]'s factors.
fn lu_solve(m: usize, a: &[f64], pivots: &[usize], b: &mut [f64]) {
    // The rows were swapped whole, multipliers included: all swaps first, then forward.
    for (col, &pivot) in pivots.iter().enumerate().take(m) {
        b.swap(col, pivot);
    }
    for col in 0..m {
        let v = b[col];
        if v != 0.0 {
            for r in col + 1..m {
                b[r] -= a[r * m + col] * v;
            }
        }
    }
    for col in (0..m).rev() {
        b[col] /= a[col * m + col];
        let v = b[col];
        for r in 0..col {
            b[r] -= a[r * m + col] * v;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::equilibrium::SaturatedSeparationFactors;
    use crate::solver::{DrawPhase, SideDraw};

    /// The Newton step `d` in `ln k` satisfies `g(x + h d) - g(x) = -h g(x)` to first order:
    /// the block elimination is the Jacobian of the summation equations (with and without side
    /// draws of either phase, in both forms of the summation); the dense reduced Jacobian
    /// gives the same step.
    #[test]
    fn step_is_newtons_for_the_summation_equations() {
        let (n, c) = (7, 4);
        let betas = vec![1.0, 1.7, 3.1, 9.0];
        let organic: Vec<f64> = (0..n).map(|j| 1.2 + 0.05 * j as f64).collect();
        let eq = SaturatedSeparationFactors::new(betas, organic.clone());
        let betas = eq.separation_factors().unwrap().to_vec();
        let feed = [0.3, 0.3, 0.2, 0.2];
        for side_draw in [
            None,
            Some(SideDraw {
                stage: 3,
                fraction: 0.3,
                phase: DrawPhase::Aqueous,
            }),
            Some(SideDraw {
                stage: 2,
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
            let log_k: Vec<f64> = (0..n).map(|j| 0.3 + 0.1 * (j % 3) as f64).collect();
            let ratios: Vec<f64> = organic.iter().map(|o| o.ln()).collect();
            for summation in [Summation::PhaseRatio, Summation::OrganicTotal] {
                let mut newton = ScaleNewton::new(n, c, (summation, Step::Block));
                newton.balance(&p, &betas, &ratios, &log_k);
                let g0 = newton.summation.clone();
                let step = newton.step(&p, &betas, &log_k, 0.0).unwrap();
                let jacobian = newton.jacobian(&p);
                let dense = newton.marquardt_step(&jacobian, 0.0).unwrap();
                // The quasiseparable step needs the accurate solve's reciprocal pivots.
                newton.kind = Step::Quasiseparable;
                newton.balance(&p, &betas, &ratios, &log_k);
                let structured = newton.quasiseparable_step(&p, 0.0).unwrap();
                newton.kind = Step::Block;
                for ((a, b), s) in step.iter().zip(&dense).zip(&structured) {
                    assert!(
                        (a - b).abs() < 1e-9 * (1.0 + b.abs()),
                        "{side_draw:?} {summation:?}: block {a} vs dense {b}"
                    );
                    assert!(
                        (s - b).abs() < 1e-9 * (1.0 + b.abs()),
                        "{side_draw:?} {summation:?}: quasiseparable {s} vs dense {b}"
                    );
                }
                let h = 1e-6;
                let moved: Vec<f64> = log_k.iter().zip(&step).map(|(x, d)| x + h * d).collect();
                newton.balance(&p, &betas, &ratios, &moved);
                for (g1, g0) in newton.summation.iter().zip(&g0) {
                    let derivative = (g1 - g0) / h;
                    assert!(
                        (derivative + g0).abs() < 1e-5 * (1.0 + g0.abs()),
                        "{side_draw:?} {summation:?}: {derivative} vs {}",
                        -g0
                    );
                }
            }
        }
    }
}
