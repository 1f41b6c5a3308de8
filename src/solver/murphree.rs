//! Stages that do not reach equilibrium: Murphree's efficiency on the organic phase
//! (docs/model.md section 3; Murphree, Ind. Eng. Chem. 17 (1925) 747).
//!
//! On stage `j` the organic leaving carries `o(j) = o_in(j) + E (o*(j) - o_in(j))` of each
//! element, where `o_in(j)` is the organic entering the stage (what stage `j - 1` passes
//! up, plus an organic feed) and `o*(j)` the organic in equilibrium with the aqueous leaving
//! stage `j`, from the system's model. With constant phase volumes, fluxes stand for
//! concentrations. The organic no longer follows from the stage's aqueous alone, so the
//! unknowns of a stage are its aqueous and its organic fluxes, `2 C` of them, and the stage
//! equations (the balance of docs/model.md section 2 and the relation above) form a block
//! tridiagonal system of `2 C` blocks, solved by damped Newton from the ideal cascade's
//! solution (`E = 1`) and, where a step in `E` is too long for Newton, by continuation in `E`.
//! A last pass solves each element's now linear equations at the converged extraction
//! factors, so that trace profiles are accurate relative to themselves.

use super::murphree_system::{MurphreeSystem, StageTerms};
use super::{
    Convergence, FLUX_CUT, Norms, ROUNDING_FACTOR, SolveFailure, SolverOptions, StageProblem,
    StageSolution, TRACE_LEVEL, nan_max, passed_on, passed_up,
};
use crate::equilibrium::{Equilibrium, StageJacobian};

/// How the stages of a cascade fall short of equilibrium.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Efficiency {
    /// Murphree efficiency on the organic, `0 < E <= 1`.
    pub murphree: f64,
    /// True when the feed enters with the organic: it is then part of `o_in` on its stage.
    pub organic_feed: bool,
}

/// Newton iterations allowed at one value of `E` before the step in `E` is halved.
const STEP_MAX_ITERATIONS: usize = 40;
/// Halvings of the step in `E` before the solve is reported as failed.
const MAX_STEP_HALVINGS: usize = 12;
/// Share of the total feed below which an element's fluxes come from sweeps, not Newton's
/// step: the step is accurate to about 1e-15 of a stage's throughput, which is the 1e-11
/// tolerance relative to an element's own feed only down to a share of about 1e-4.
const MINOR_SHARE: f64 = 1e-4;

/// Solves `problem` with stages of efficiency `efficiency`, starting from `ideal`, its
/// solution with ideal stages. `E = 1` returns `ideal` itself.
pub fn solve_with_efficiency<E: Equilibrium>(
    problem: &StageProblem<'_, E>,
    efficiency: Efficiency,
    options: &SolverOptions,
    ideal: StageSolution,
) -> Result<StageSolution, SolveFailure> {
    if efficiency.murphree == 1.0 {
        return Ok(ideal);
    }
    let mut work = Murphree::new(problem, efficiency.organic_feed);
    work.start(&ideal);
    let target = efficiency.murphree;
    let mut reached = 1.0;
    let mut step = 1.0 - target;
    let mut iterations = ideal.status.iterations;
    let mut halvings = 0;
    loop {
        let next = if reached - step <= target {
            target
        } else {
            reached - step
        };
        match work.newton(next, options) {
            Ok(done) => {
                iterations += done;
                reached = next;
                if reached == target {
                    break;
                }
                step *= 2.0;
            }
            Err((done, residual)) => {
                iterations += done;
                work.restore();
                halvings += 1;
                step *= 0.5;
                if halvings > MAX_STEP_HALVINGS {
                    // Where the last attempt stopped, at the efficiency it was aiming for.
                    let floor = work.evaluate(next, Point::Current).rounding_floor;
                    return Err(SolveFailure::NotConverged {
                        status: Convergence {
                            iterations,
                            sweeps: ideal.status.sweeps,
                            residual,
                            rounding_floor: floor,
                        },
                        tolerance: options.tolerance,
                    });
                }
            }
        }
    }
    let norms = work.polish(target, options.tolerance);
    let (aqueous, organic) = work.profiles();
    Ok(StageSolution {
        aqueous,
        organic,
        status: Convergence {
            iterations,
            sweeps: ideal.status.sweeps,
            residual: norms.residual,
            rounding_floor: norms.rounding_floor,
        },
    })
}

#[derive(Clone, Copy)]
enum Point {
    Current,
    Trial,
}

/// The stage equations of one cascade with Murphree stages, and Newton's workspace. Unknowns
/// stage-major: stage `j` holds its `C` aqueous fluxes, then its `C` organic fluxes.
struct Murphree<'p, 'a, E: Equilibrium> {
    p: &'p StageProblem<'a, E>,
    organic_feed: bool,
    c: usize,
    x: Vec<f64>,
    /// The last point that met the tolerance at the `E` reached so far.
    saved: Vec<f64>,
    trial: Vec<f64>,
    residual: Vec<f64>,
    step: Vec<f64>,
    factors: Vec<f64>,
    jacobian: [Vec<f64>; 3],
    imbalance: Vec<f64>,
    throughput: Vec<f64>,
    system: MurphreeSystem,
    major_terms: [Vec<f64>; 3],
    step_organic: Vec<f64>,
    trial_aqueous: Vec<f64>,
    rhs: [Vec<f64>; 2],
    /// The other elements, whose fluxes Newton's method steps, in order.
    majors: Vec<usize>,
    /// Elements whose feed is below [`MINOR_SHARE`] of the total: Newton's step resolves
    /// them only relative to the majors, so each step takes them from a sweep instead.
    minor: Vec<bool>,
    sweep_factors: Vec<f64>,
    element_scratch: Vec<f64>,
}

impl<'p, 'a, E: Equilibrium> Murphree<'p, 'a, E> {
    fn new(p: &'p StageProblem<'a, E>, organic_feed: bool) -> Self {
        let c = p.feed.len();
        let size = 2 * c * p.stages;
        let total: f64 = p.feed.iter().sum();
        let minor: Vec<bool> = p.feed.iter().map(|&f| f < MINOR_SHARE * total).collect();
        let majors = minor.iter().filter(|&&m| !m).count();
        Self {
            p,
            organic_feed,
            c,
            x: vec![0.0; size],
            saved: vec![0.0; size],
            trial: vec![0.0; size],
            residual: vec![0.0; size],
            step: vec![0.0; 2 * majors * p.stages],
            factors: vec![0.0; c],
            jacobian: [vec![0.0; c], vec![0.0; c], vec![0.0; c]],
            imbalance: vec![0.0; c],
            throughput: vec![0.0; c],
            system: MurphreeSystem::new(p.stages, majors),
            major_terms: [vec![0.0; majors], vec![0.0; majors], vec![0.0; majors]],
            step_organic: vec![0.0; majors * p.stages],
            trial_aqueous: vec![0.0; majors * p.stages],
            rhs: [vec![0.0; majors], vec![0.0; majors]],
            majors: (0..c).filter(|&i| !minor[i]).collect(),
            minor: minor.clone(),
            sweep_factors: vec![0.0; p.stages * c],
            element_scratch: vec![0.0; 4 * p.stages],
        }
    }

    fn start(&mut self, ideal: &StageSolution) {
        let c = self.c;
        for (j, stage) in self.x.chunks_exact_mut(2 * c).enumerate() {
            stage[..c].copy_from_slice(&ideal.aqueous[j * c..(j + 1) * c]);
            stage[c..].copy_from_slice(&ideal.organic[j * c..(j + 1) * c]);
        }
        self.saved.copy_from_slice(&self.x);
    }

    fn restore(&mut self) {
        self.x.copy_from_slice(&self.saved);
    }

    fn profiles(&self) -> (Vec<f64>, Vec<f64>) {
        let c = self.c;
        let mut aqueous = Vec::with_capacity(self.x.len() / 2);
        let mut organic = Vec::with_capacity(self.x.len() / 2);
        for stage in self.x.chunks_exact(2 * c) {
            aqueous.extend_from_slice(&stage[..c]);
            organic.extend_from_slice(&stage[c..]);
        }
        (aqueous, organic)
    }

    /// Damped Newton at efficiency `e` from the current point; where no Newton step lowers the
    /// residual, a sweep (see [`Murphree::sweep`]) that does. `Ok(iterations)` when
    /// the tolerance is met (the point is then saved), else the iterations and the residual
    /// where it stopped.
    fn newton(&mut self, e: f64, options: &SolverOptions) -> Result<usize, (usize, f64)> {
        let mut norms = self.evaluate(e, Point::Current);
        for iteration in 0..STEP_MAX_ITERATIONS {
            if norms.converged(options.tolerance) && iteration > 0 {
                self.saved.copy_from_slice(&self.x);
                return Ok(iteration);
            }
            let stepped = self.damped_step(e, &norms, options);
            if let Some(trial) = &stepped {
                std::mem::swap(&mut self.x, &mut self.trial);
                norms = *trial;
            }
            if stepped.is_none() {
                match self.sweep(e) {
                    Some(swept) if swept.residual < norms.residual => {
                        std::mem::swap(&mut self.x, &mut self.trial);
                        norms = swept;
                    }
                    _ => return Err((iteration + 1, norms.residual)),
                }
            }
        }
        if norms.converged(options.tolerance) {
            self.saved.copy_from_slice(&self.x);
            Ok(STEP_MAX_ITERATIONS)
        } else {
            Err((STEP_MAX_ITERATIONS, norms.residual))
        }
    }

    /// A Newton step from the current point (whose norms are `norms`), halved until the
    /// residual falls; the trial point holds it. `None` if no length does.
    fn damped_step(&mut self, e: f64, norms: &Norms, options: &SolverOptions) -> Option<Norms> {
        // `residual` holds the current point's: `newton` evaluated it, or it was the trial's
        // when the point was accepted.
        let (c, cm) = (self.c, self.majors.len());
        self.newton_direction(e)?;
        let mut length = 1.0;
        for _ in 0..=options.max_backtracks {
            self.trial.copy_from_slice(&self.x);
            for (j, step) in self.step.chunks_exact(2 * cm).enumerate() {
                let (x, t) = (&self.x[j * 2 * c..], &mut self.trial[j * 2 * c..]);
                for (li, &i) in self.majors.iter().enumerate() {
                    for (k, d) in [(i, step[li]), (c + i, step[cm + li])] {
                        let next = x[k] + length * d;
                        t[k] = if next <= 0.0 { FLUX_CUT * x[k] } else { next };
                    }
                }
            }
            let trial = if self.majors.len() < self.c {
                self.sweep_trial(e, true)?
            } else {
                self.evaluate(e, Point::Trial)
            };
            if trial.residual < norms.residual || trial.converged(options.tolerance) {
                return Some(trial);
            }
            length *= 0.5;
        }
        None
    }

    /// The stage equations' residuals at the current or trial point (left in `residual`),
    /// their feed-scaled norm (per element, the summed absolute residuals of its balances and
    /// efficiency relations over its feed) and that norm's rounding floor.
    fn evaluate(&mut self, e: f64, point: Point) -> Norms {
        let (p, c) = (self.p, self.c);
        let n = p.stages;
        let x = match point {
            Point::Current => &self.x,
            Point::Trial => &self.trial,
        };
        self.imbalance.fill(0.0);
        self.throughput.fill(0.0);
        for j in 0..n {
            let stage = &x[j * 2 * c..(j + 1) * 2 * c];
            let (a, o) = stage.split_at(c);
            p.equilibrium.extraction_factors(j, a, &mut self.factors);
            let rising = if j > 0 {
                passed_up(p.side_draw, j - 1)
            } else {
                0.0
            };
            let below = if j > 0 {
                &x[(j - 1) * 2 * c + c..j * 2 * c]
            } else {
                o
            };
            let r = &mut self.residual[j * 2 * c..(j + 1) * 2 * c];
            for i in 0..c {
                let from_below = rising * below[i];
                let from_above = if j + 1 < n {
                    passed_on(p.side_draw, j + 1) * x[(j + 1) * 2 * c + i]
                } else {
                    p.reflux_fraction * o[i]
                };
                let fed = if j == p.feed_stage { p.feed[i] } else { 0.0 };
                let entering = from_below + if self.organic_feed { fed } else { 0.0 };
                let equilibrium = self.factors[i] * a[i];
                r[i] = from_below + from_above + fed - o[i] - a[i];
                r[c + i] = o[i] - (entering + e * (equilibrium - entering));
                self.imbalance[i] += r[i].abs() + r[c + i].abs();
                self.throughput[i] +=
                    from_below + from_above + fed + 2.0 * o[i] + a[i] + entering + equilibrium;
            }
        }
        let scaled = |v: &[f64]| v.iter().zip(p.feed).map(|(x, f)| x / f).fold(0.0, nan_max);
        let residual = scaled(&self.imbalance);
        Norms {
            residual: if residual.is_nan() {
                f64::INFINITY
            } else {
                residual
            },
            rounding_floor: ROUNDING_FACTOR * f64::EPSILON * scaled(&self.throughput),
        }
    }

    /// The Newton step at the current point (whose residuals `evaluate` left), for the major
    /// elements, into `step` (stage-major: a stage's aqueous steps, then its organic ones).
    fn newton_direction(&mut self, e: f64) -> Option<()> {
        let (p, c) = (self.p, self.c);
        let n = p.stages;
        let cm = self.majors.len();
        let [diag, u, v] = &mut self.jacobian;
        for j in 0..n {
            let a = &self.x[j * 2 * c..j * 2 * c + c];
            p.equilibrium.jacobian(
                j,
                a,
                StageJacobian {
                    diag: diag.as_mut_slice(),
                    u: u.as_mut_slice(),
                    v: v.as_mut_slice(),
                },
            );
            let [md, mu, mv] = &mut self.major_terms;
            let [rb, re] = &mut self.rhs;
            let r = &self.residual[j * 2 * c..(j + 1) * 2 * c];
            for (li, &i) in self.majors.iter().enumerate() {
                md[li] = diag[i];
                mu[li] = u[i];
                mv[li] = v[i];
                rb[li] = -r[i];
                re[li] = -r[c + i];
            }
            let terms = StageTerms {
                diag: md,
                u: mu,
                v: mv,
                kept_organic: if j + 1 == n {
                    1.0 - p.reflux_fraction
                } else {
                    1.0
                },
                rising: if j > 0 {
                    passed_up(p.side_draw, j - 1)
                } else {
                    0.0
                },
                falling: if j + 1 < n {
                    passed_on(p.side_draw, j + 1)
                } else {
                    0.0
                },
            };
            self.system.eliminate(j, e, terms, rb, re).ok()?;
        }
        let (da, d_organic) = (&mut self.trial_aqueous, &mut self.step_organic);
        self.system.back_substitute(da, d_organic);
        for j in 0..n {
            let step = &mut self.step[j * 2 * cm..(j + 1) * 2 * cm];
            step[..cm].copy_from_slice(&da[j * cm..(j + 1) * cm]);
            step[cm..].copy_from_slice(&d_organic[j * cm..(j + 1) * cm]);
        }
        Some(())
    }

    /// Solves each element's equations at the extraction factors of the current point, into
    /// the trial point: with the factors fixed they are linear and the elements independent,
    /// so each element's fluxes balance to rounding relative to themselves (a successive-
    /// substitution sweep). `None` if an element's system is singular.
    fn sweep(&mut self, e: f64) -> Option<Norms> {
        self.trial.copy_from_slice(&self.x);
        self.sweep_trial(e, false)
    }

    /// [`Murphree::sweep`] at the trial point's factors, in place, for every element or
    /// (`minors_only`) for the minor elements only.
    fn sweep_trial(&mut self, e: f64, minors_only: bool) -> Option<Norms> {
        let (p, c) = (self.p, self.c);
        let n = p.stages;
        let factors = &mut self.sweep_factors;
        for j in 0..n {
            let a = &self.trial[j * 2 * c..j * 2 * c + c];
            p.equilibrium
                .extraction_factors(j, a, &mut factors[j * c..(j + 1) * c]);
        }
        for i in 0..c {
            if minors_only && !self.minor[i] {
                continue;
            }
            let fed = p.feed[i];
            if !element_profile(
                p,
                (e, self.organic_feed),
                (i, c, factors),
                fed,
                &mut self.element_scratch,
                &mut self.trial,
            ) {
                return None;
            }
        }
        Some(self.evaluate(e, Point::Trial))
    }

    /// A last sweep at the converged point, kept whole if the point still meets the
    /// tolerance, else only for fluxes below [`TRACE_LEVEL`] of their stage's aqueous (a sweep
    /// can amplify the errors of the major elements).
    fn polish(&mut self, e: f64, tolerance: f64) -> Norms {
        let (p, c) = (self.p, self.c);
        let n = p.stages;
        let before = self.evaluate(e, Point::Current);
        let tolerance = tolerance.max(before.rounding_floor);
        let Some(mut polished) = self.sweep(e) else {
            return before;
        };
        if !polished.converged(tolerance) {
            for j in 0..n {
                let stage = j * 2 * c;
                let total: f64 = self.x[stage..stage + c].iter().sum();
                for i in 0..c {
                    if self.x[stage + i] >= TRACE_LEVEL * total {
                        self.trial[stage + i] = self.x[stage + i];
                        self.trial[stage + c + i] = self.x[stage + c + i];
                    }
                }
            }
            polished = self.evaluate(e, Point::Trial);
        }
        if polished.converged(tolerance) {
            std::mem::swap(&mut self.x, &mut self.trial);
            polished
        } else {
            self.evaluate(e, Point::Current)
        }
    }
}

/// Element `i`'s aqueous and organic fluxes on every stage at fixed extraction factors
/// (`factors`, stage-major `N x C`), written into `x` (stage-major, `2 C` a stage): its
/// balances and Murphree relations are then linear, a block tridiagonal system of 2 x 2
/// blocks, eliminated here in closed form. Row `j`: the balance
/// `r o(j-1) + s a(j+1) + F - o(j) - a(j) = 0` (the reflux on the last stage) and the relation
/// `o(j) - (1 - E) (r o(j-1) + F_org) - E f(j) a(j) = 0`, with `r` the organic passed up and
/// `s` the aqueous passed on. Only the upper block's `a` entry and the lower block's `o`
/// column are non-zero, so the elimination's `C(j) = D'(j)^-1 U(j)` is one column
/// (`scratch`: two entries of it and `y(j)` per stage). `false` if a pivot is not finite or
/// zero.
fn element_profile<E: Equilibrium>(
    p: &StageProblem<'_, E>,
    (e, organic_feed): (f64, bool),
    (i, c, factors): (usize, usize, &[f64]),
    fed: f64,
    scratch: &mut [f64],
    x: &mut [f64],
) -> bool {
    let n = p.stages;
    // Per stage: C(j) column (c0, c1) and y(j) (y0, y1).
    let mut previous = (0.0, 0.0, 0.0, 0.0);
    for j in 0..n {
        let f = factors[j * c + i];
        let rising = if j > 0 {
            passed_up(p.side_draw, j - 1)
        } else {
            0.0
        };
        let (mut d00, d01, mut d10, d11) = (
            -1.0,
            if j + 1 == n {
                p.reflux_fraction - 1.0
            } else {
                -1.0
            },
            -e * f,
            1.0,
        );
        let (mut r0, mut r1) = if j == p.feed_stage {
            (-fed, if organic_feed { (1.0 - e) * fed } else { 0.0 })
        } else {
            (0.0, 0.0)
        };
        if j > 0 {
            // L(j) = [[0, rising], [0, -(1 - E) rising]] against C(j-1) and y(j-1).
            let (_, c1, _, y1) = previous;
            d00 -= rising * c1;
            d10 += (1.0 - e) * rising * c1;
            r0 -= rising * y1;
            r1 += (1.0 - e) * rising * y1;
        }
        let det = d00 * d11 - d01 * d10;
        if det == 0.0 || !det.is_finite() {
            return false;
        }
        let (g00, g01, g10, g11) = (d11 / det, -d01 / det, -d10 / det, d00 / det);
        let y = (g00 * r0 + g01 * r1, g10 * r0 + g11 * r1);
        let share = if j + 1 < n {
            passed_on(p.side_draw, j + 1)
        } else {
            0.0
        };
        previous = (g00 * share, g10 * share, y.0, y.1);
        scratch[4 * j..4 * j + 4].copy_from_slice(&[previous.0, previous.1, y.0, y.1]);
    }
    let mut above = 0.0;
    for j in (0..n).rev() {
        let [c0, c1, y0, y1] = [
            scratch[4 * j],
            scratch[4 * j + 1],
            scratch[4 * j + 2],
            scratch[4 * j + 3],
        ];
        let a = y0 - c0 * above;
        let o = y1 - c1 * above;
        x[j * 2 * c + i] = a;
        x[j * 2 * c + c + i] = o;
        above = a;
    }
    true
}
