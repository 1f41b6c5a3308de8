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
        if feed.len() > 2
            && let Some(start) = self.pseudo_binary_start(&betas, &feed, options)
        {
            for profile in [&start.estimate, &start.lumped] {
                if let Ok(mut solved) = solver::solve_from_estimate(&problem, options, profile) {
                    solved.status.iterations += start.iterations;
                    return Ok(solved);
                }
            }
        }
        solver::solve(&problem, options).or_else(|_| {
            solver::solve_by_continuation(&problem, |t| eq.with_separation_power(t), options)
        })
    }

    /// Two starts for many elements from a binary: the feed lumped into the groups either side of
    /// the cut that the extract fraction `S - W` sets, each with its key element's separation
    /// factor (Xu's treatment of a multicomponent cut by its key pair).
    fn pseudo_binary_start(
        &self,
        betas: &[f64],
        feed: &[f64],
        options: &SolverOptions,
    ) -> Option<PseudoBinaryStart> {
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
        let light: f64 = feed[..cut].iter().sum();
        let mut lumped_betas = vec![betas[cut - 1], betas[cut]];
        lumped_betas.extend_from_slice(betas);
        let mut lumped_feed = vec![light, heavy];
        lumped_feed.extend_from_slice(feed);
        let lumped = SaturatedCascade {
            separation_factors: &lumped_betas,
            feed: &lumped_feed,
            ..*self
        };
        let eq =
            SaturatedSeparationFactors::new(lumped_betas[..2].to_vec(), self.organic_flux.to_vec());
        let binary = StageProblem {
            equilibrium: &eq,
            stages,
            feed_stage: self.feed_stage,
            feed: &lumped_feed[..2],
            reflux_fraction: self.reflux_fraction,
            side_draw: self.side_draw,
        };
        let solved = solver::solve(&binary, options).ok()?;
        let iterations = solved.status.iterations;
        // With its group's factor an element's balances are its group's, scaled to its share of
        // the group's feed.
        let group = |i: usize| if i < cut { (0, light) } else { (1, heavy) };
        let mut lumped_profile = Vec::with_capacity(stages * feed.len());
        for groups in solved.aqueous.chunks_exact(2) {
            lumped_profile.extend(feed.iter().enumerate().map(|(i, f)| {
                let (g, total) = group(i);
                groups[g] * f / total
            }));
        }
        let others: Vec<usize> = (2..lumped_feed.len()).collect();
        let all = lumped.linear_rest(solved, &[0, 1], &others);
        let c = lumped_feed.len();
        let mut estimate = Vec::with_capacity(stages * feed.len());
        for stage in all.aqueous.chunks_exact(c) {
            estimate.extend_from_slice(&stage[2..]);
        }
        Some(PseudoBinaryStart {
            estimate,
            lumped: lumped_profile,
            iterations,
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

/// Two starts for a cut of many elements from its pseudo-binary, each an aqueous profile
/// (stage-major, `N x C`).
struct PseudoBinaryStart {
    /// Every element by linear balances at the binary's stage loading, with its own factor:
    /// the better start for accelerated substitution on the stage scales (`solver/loading.rs`).
    estimate: Vec<f64>,
    /// Every element at its group's factor, which makes the binary's profile exact for all of
    /// them: the start for Newton's method when the estimate fails. On the 15-element,
    /// 500-stage reference cut Newton converges from it in 52 iterations, where from the
    /// estimate 100 did not and the cold solve took 236 by continuation (1.7 s, now 0.35 s in
    /// one A/B run).
    lumped: Vec<f64>,
    /// The binary's iterations.
    iterations: usize,
}

fn pick(values: &[f64], indices: &[usize]) -> Vec<f64> {
    indices.iter().map(|&i| values[i]).collect()
}
