//! The solve strategy for the saturated model. Elements are solved in tiers by their weight in
//! the organic's loading: the ones that set it by Newton's method; the minor ones (a small
//! share of the loading) first by linear balances around those, as the start of a Newton solve
//! of all of them together; traces (too small to change the loading at all) by linear balances
//! alone. Each tier falls back to a cold solve of everything, so the answer is always the full
//! problem solved to tolerance.

use super::trace::{self, with_traces};
use crate::equilibrium::SaturatedSeparationFactors;
use crate::solver::{self, SideDraw, SolveFailure, SolverOptions, StageProblem, StageSolution};

/// Elements whose share of the feed's organic loading, `x_i beta_i / sum_l x_l beta_l`, is
/// below this are minor: a start that treats them as linear is within about this fraction of
/// the answer, and Newton's method finishes from there in a few steps.
const MINOR_LOADING_SHARE: f64 = 1e-6;

/// Least `N C^3`, the work of one Newton iteration on the fluxes, at which the stage-scale
/// path is tried (`solver::solve_on_scales_along_power`). On the long survey its wins are all
/// above 3e5 (the dense 15 x 100 cut 3.4e5, 5 ms -> 0.7 ms; #47, 14 x 241, 5.4 s -> 8 ms;
/// #80, 13 x 856, 2.2 s -> 12 ms), its losses of a few milliseconds below (#10, 3 x 533).
const SCALE_PATH_MIN_WORK: usize = 100_000;

/// One saturated cascade's stage equations, for every element of its feed.
pub struct SaturatedCascade<'a> {
    pub separation_factors: &'a [f64],
    pub feed: &'a [f64],
    /// Total RE flux of the organic leaving each stage.
    pub organic_flux: &'a [f64],
    pub feed_stage: usize,
    pub reflux_fraction: f64,
    pub side_draw: Option<SideDraw>,
}

impl SaturatedCascade<'_> {
    /// Solves the cascade; `start` gives a neighbour's profile for the elements at the given
    /// indices, when there is one.
    pub fn solve(
        &self,
        options: &SolverOptions,
        start: impl Fn(&[usize]) -> Option<Vec<f64>>,
    ) -> Result<StageSolution, SolveFailure> {
        let (rest, traces) = trace::split(self.feed, self.separation_factors);
        let solved = match start(&rest) {
            Some(initial) => self
                .solve_subset(&rest, options, Some(&initial))
                .or_else(|_| self.solve_subset(&rest, options, None)),
            None => self.solve_subset(&rest, options, None),
        }?;
        Ok(self.linear_rest(solved, &rest, &traces))
    }

    /// The elements at `indices` (the traces left out), from `initial` or from minor-element
    /// start, falling back to a cold solve and then to continuation in separation power.
    fn solve_subset(
        &self,
        indices: &[usize],
        options: &SolverOptions,
        initial: Option<&[f64]>,
    ) -> Result<StageSolution, SolveFailure> {
        let betas = pick(self.separation_factors, indices);
        let feed = pick(self.feed, indices);
        let eq = SaturatedSeparationFactors::new(betas.clone(), self.organic_flux.to_vec());
        let problem = StageProblem {
            equilibrium: &eq,
            stages: self.organic_flux.len(),
            feed_stage: self.feed_stage,
            feed: &feed,
            reflux_fraction: self.reflux_fraction,
            side_draw: self.side_draw,
        };
        if let Some(initial) = initial {
            return solver::solve_from(&problem, options, initial);
        }
        let loading: f64 = betas.iter().zip(&feed).map(|(b, x)| b * x).sum();
        let (major, minor): (Vec<usize>, Vec<usize>) =
            (0..indices.len()).partition(|&i| betas[i] * feed[i] >= MINOR_LOADING_SHARE * loading);
        if !minor.is_empty() {
            let sub = SaturatedCascade {
                separation_factors: &betas,
                feed: &feed,
                ..*self
            };
            if let Ok(major_solution) = sub.solve_subset(&major, options, None) {
                let guess = sub.linear_rest(major_solution, &major, &minor);
                if let Ok(mut solved) = solver::solve_from(&problem, options, &guess.aqueous) {
                    // Count the work of both tiers.
                    solved.status.iterations += guess.status.iterations;
                    solved.status.sweeps += guess.status.sweeps;
                    return Ok(solved);
                }
            }
        }
        // First the cheapest attempt: the stage scales alone, from the cut lumped with harmonic
        // group factors. Where the substitution fails it has cost the binary and a few dozen
        // sweeps of `O(N C)`, about one Newton iteration's work on fifteen elements.
        if solver::accelerates(feed.len(), options)
            && let Some(binary) = self.pseudo_binary(&betas, &feed, options, GroupFactor::Harmonic)
            && let Ok(mut solved) =
                solver::solve_by_substitution(&problem, options, &binary.lumped_profile(&feed))
        {
            solved.status.iterations += binary.iterations();
            return Ok(solved);
        }
        // Newton's method on the stage scales, followed from the cascade that does not
        // separate (`solver::solve_on_scales_along_power`): `O(N C^2)` an iteration, where
        // Newton's method on the fluxes costs `O(N C^3)`. Tried only where that is heavy: on
        // the short group cuts of the fourteen-cascade plant (at most 16 x 15^3) the path fails
        // near t = 0.55 and the tiers below solve them in 12-61 cheap iterations.
        if problem.stages * feed.len().pow(3) >= SCALE_PATH_MIN_WORK
            && let Some(Ok(solved)) = solver::solve_on_scales_along_power(&problem, options)
        {
            return Ok(solved);
        }
        if feed.len() > 2
            && let Some(binary) = self.pseudo_binary(&betas, &feed, options, GroupFactor::KeyPair)
        {
            let attempt = |profile: &[f64]| solver::solve_from_estimate(&problem, options, profile);
            let estimate = binary.estimate(self, &betas, &feed);
            // The lumped profile only where the estimate fails.
            if let Ok(mut solved) =
                attempt(&estimate).or_else(|_| attempt(&binary.lumped_profile(&feed)))
            {
                solved.status.iterations += binary.iterations();
                return Ok(solved);
            }
        }
        let along = |t| eq.with_separation_power(t);
        solver::solve(&problem, options)
            .or_else(|_| solver::solve_by_continuation(&problem, along, options))
            .or_else(|failure| {
                if problem.stages > solver::DENSE_MAX_STAGES {
                    return Err(failure);
                }
                solver::solve_on_scales_by_continuation(&problem, along, options)
            })
    }

    /// The cut lumped into the groups either side of the cut that the extract fraction `S - W`
    /// sets, each group one element with the factor `factor` gives it, and solved as a binary.
    fn pseudo_binary(
        &self,
        betas: &[f64],
        feed: &[f64],
        options: &SolverOptions,
        factor: GroupFactor,
    ) -> Option<PseudoBinary> {
        let stages = self.organic_flux.len();
        let extract = self.organic_flux[stages - 1] * (1.0 - self.reflux_fraction);
        // The cut: the heaviest elements that together come closest to the extract flux.
        let mut heavy = 0.0;
        let mut cut = feed.len();
        while cut > 1 && (heavy + feed[cut - 1] - extract).abs() < (heavy - extract).abs() {
            cut -= 1;
            heavy += feed[cut];
        }
        if cut == feed.len() {
            return None;
        }
        let groups = [0..cut, cut..feed.len()];
        let group_factors = match factor {
            GroupFactor::KeyPair => vec![betas[cut - 1], betas[cut]],
            GroupFactor::Harmonic => groups
                .iter()
                .map(|g| {
                    let total: f64 = feed[g.clone()].iter().sum();
                    total
                        / feed[g.clone()]
                            .iter()
                            .zip(&betas[g.clone()])
                            .map(|(f, b)| f / b)
                            .sum::<f64>()
                })
                .collect(),
        };
        let group_feed = vec![feed[..cut].iter().sum(), heavy];
        let eq = SaturatedSeparationFactors::new(group_factors.clone(), self.organic_flux.to_vec());
        let problem = StageProblem {
            equilibrium: &eq,
            stages,
            feed_stage: self.feed_stage,
            feed: &group_feed,
            reflux_fraction: self.reflux_fraction,
            side_draw: self.side_draw,
        };
        let solution = solver::solve(&problem, options).ok()?;
        Some(PseudoBinary {
            cut,
            group_factors,
            group_feed,
            solution,
        })
    }

    /// All elements, from the solution for those at `solved`: the `others` by linear balances.
    fn linear_rest(
        &self,
        solution: StageSolution,
        solved: &[usize],
        others: &[usize],
    ) -> StageSolution {
        with_traces(
            solution,
            (solved, others),
            self.separation_factors,
            self.feed,
            self.feed_stage,
            self.reflux_fraction,
            self.side_draw,
        )
    }
}

/// How [`SaturatedCascade::pseudo_binary`] gives each group its one factor.
#[derive(Debug, Clone, Copy)]
enum GroupFactor {
    /// The key pair's: the light group at the heaviest light element's factor, the heavy group
    /// at the lightest heavy one's (Xu's treatment of a multicomponent cut by its key pair).
    KeyPair,
    /// The group's feed-weighted harmonic mean, `sum_i f_i / sum_i (f_i / beta_i)`: the mean
    /// factor `sum_i beta_i a_i / sum_i a_i` of an aqueous phase in equilibrium with a saturated
    /// organic that carries the group at its feed composition (`a_i` proportional to
    /// `f_i / beta_i`), as the scrub section's organic carries the extract. The key pair's
    /// factors set a stage's scale by its least extractable heavy element, where the heavier
    /// ones, however dilute in the aqueous, weigh in by their factors: on the 15-element
    /// reference cut the scrub section's scales came out 7.5 times too high.
    Harmonic,
}

/// A cut of many elements solved as a binary of its two groups.
struct PseudoBinary {
    /// The first heavy element.
    cut: usize,
    group_factors: Vec<f64>,
    group_feed: Vec<f64>,
    solution: StageSolution,
}

impl PseudoBinary {
    fn iterations(&self) -> usize {
        self.solution.status.iterations
    }

    /// Every element at its group's factor, which makes the binary's profile exact for all of
    /// them (each element's balances are its group's, scaled to its share of the group's
    /// feed); stage-major `N x C`. With harmonic group factors, the start for accelerated
    /// substitution: on the 15-element reference cut it converges in 27 sweeps from it at 100
    /// stages, 36 at 200 (34 and 47 from the key pair's `estimate`). With the key pair's, the
    /// start for Newton's method when the estimate fails: on the 500-stage reference cut Newton
    /// converges from it in 52 iterations, where from the estimate 100 did not and the cold
    /// solve took 236 by continuation.
    fn lumped_profile(&self, feed: &[f64]) -> Vec<f64> {
        let mut profile = Vec::with_capacity(self.solution.aqueous.len() / 2 * feed.len());
        for groups in self.solution.aqueous.chunks_exact(2) {
            profile.extend(feed.iter().enumerate().map(|(i, f)| {
                let g = usize::from(i >= self.cut);
                groups[g] * f / self.group_feed[g]
            }));
        }
        profile
    }

    /// Every element by linear balances at the binary's stage loading, with its own factor;
    /// stage-major `N x C`. With the key pair's factors, the second start for accelerated
    /// substitution, then Newton's method.
    fn estimate(&self, cascade: &SaturatedCascade<'_>, betas: &[f64], feed: &[f64]) -> Vec<f64> {
        let mut lumped_betas = self.group_factors.clone();
        lumped_betas.extend_from_slice(betas);
        let mut lumped_feed = self.group_feed.clone();
        lumped_feed.extend_from_slice(feed);
        let lumped = SaturatedCascade {
            separation_factors: &lumped_betas,
            feed: &lumped_feed,
            ..*cascade
        };
        let others: Vec<usize> = (2..lumped_feed.len()).collect();
        let all = lumped.linear_rest(self.solution.clone(), &[0, 1], &others);
        let c = lumped_feed.len();
        let mut estimate = Vec::with_capacity(all.aqueous.len() / c * feed.len());
        for stage in all.aqueous.chunks_exact(c) {
            estimate.extend_from_slice(&stage[2..]);
        }
        estimate
    }
}

fn pick(values: &[f64], indices: &[usize]) -> Vec<f64> {
    indices.iter().map(|&i| values[i]).collect()
}
