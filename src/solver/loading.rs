//! Accelerated substitution on the stages' extraction scales, for the saturated model.
//!
//! In Xu's saturated model the organic leaving stage `j` carries `o_ij = beta_i k_j a_ij`, one
//! scale `k_j` per stage (docs/model.md section 3). For given scales every element's stage balances
//! are linear and tridiagonal, and one Thomas sweep per element solves them exactly
//! (`substitution.rs`, the Wang & Henke structure). What is left is one condition per stage:
//! the organic must carry its fixed share of the stage's RE, `O_j / A_j = S_j / A_j*`, with
//! `A_j*` the aqueous total that the saturated flows fix (`aqueous_totals`). When every element
//! balances and every stage has that ratio, the stage totals are the fixed ones too: their own
//! balances are one more tridiagonal system with a unique solution.
//!
//! Substitution puts each stage's scale where that ratio would be met at the compositions just
//! found, `u_j <- ln(S_j / A_j*) - ln(sum_i beta_i a_ij / sum_i a_ij)` in `u = ln k`. On its
//! own that map does not contract on long multicomponent cascades; Anderson acceleration
//! (Anderson, J. ACM 12 (1965) 547; Walker & Ni, SIAM J. Numer. Anal. 49 (2011) 1715) mixes
//! the last few iterates so as to minimise the linearised residual. The `N` unknowns are only
//! the stage scales: however many elements there are and however dilute, the elements never
//! leave their exact balances.
//!
//! The map's Jacobian is dense, and its spectrum slow for acceleration: on the 15-element,
//! 100-stage reference cut 30 of its 100 eigenvalues lie above 0.3 in modulus, 6 outside the
//! unit circle. Its entries fade away from the diagonal, though, and its band is cheap to find
//! exactly (`scale_sensitivity.rs`). Once the iterates are close enough for one linearisation
//! to hold, each residual is solved with that band (`I - G'`, half-width 8), which leaves 4
//! eigenvalues above 0.3. From there the iterate is `k` itself rather than `ln k` (to first
//! order the same iteration, without an `exp` and a `ln` per stage and sweep). The reference
//! cut converges in 27 sweeps of `O(N C)` each (55 without the band), where Newton on the
//! stage balances needs about 24 `O(N C^3)` block eliminations.
//!
//! It is a start, not the answer, and only from a good estimate: from the two-group starts
//! (`cascade/saturated.rs`) it converges on the reference cuts of 100 and 200 stages and on
//! many of the random cuts of `examples/stress.rs`, but seldom on the design-mode cuts and
//! hardly ever from the unseparated profile. When it stalls or diverges it says so (on the
//! surveys after about a dozen sweeps); the caller then tries another start, or goes on with
//! sweeps and Newton's method, and judges whatever profile it is handed on the stage
//! balances like any other.

use super::StageProblem;
use super::banded::BandLu;
use super::dense::{cholesky_solve, dots};
use super::lanes::Lanes;
use super::scale_sensitivity::{Sweep, residual_jacobian_band};
use super::substitution::solve_scaled_rows;
use crate::equilibrium::{Equilibrium, weighted_sum};

/// Iterates kept by the acceleration. On the 15-element, 100-stage reference cut 10 took 33
/// sweeps from the key pair's estimate; with 5 (or 3) once the preconditioner is in, 37 (45),
/// and 6, 15 or 20 throughout, 37, 33 and 33 (44 at 200 stages against 47 for 10) at more
/// cost a sweep. Without a preconditioner 10 took 55, 5 about 70 and 20 about 50.
const MEMORY: usize = 10;
/// Largest stage ratio error `|ln(O_j / A_j) - ln(S_j / A_j*)|` at which the iteration stops
/// (with the preconditioner, `|G_j / k_j - 1|`, the same to within its square).
/// The stage balances are then off by about this fraction of each element's organic flux,
/// summed over the stages a flux passes through: 1e-13 leaves the feed-scaled residual near
/// 1e-12, under the solver's tolerance of 1e-11.
const TOLERANCE: f64 = 1e-13;
/// Sweeps before the iteration gives up for sweeps and Newton's method. On the stress
/// surveys a failed attempt ended on a stall or a rise after about a dozen; one that keeps
/// improving slowly may take all of these.
const MAX_SWEEPS: usize = 100;
/// Sweeps without a new smallest error before it gives up.
const MAX_STALL: usize = 10;
/// An error this many times the smallest so far is divergence.
const DIVERGED: f64 = 10.0;
/// Stage ratio error below which the map is preconditioned by the band of its Jacobian
/// (`scale_sensitivity.rs`). Further out the map is too far from linear for its Jacobian at
/// one point to help: on the 15-element, 100-stage reference cut a band taken at the first
/// sweep, where the error is 2.8, makes the iteration diverge (and one taken at 0.55, the
/// first error from a better start, throws it to 76); taken where it first falls below 0.1
/// to 0.7 it converged in 33 to 37 sweeps from the key pair's estimate, against 55 without,
/// and in 26 to 31 from the harmonic groups' profile (27 at 0.3, 26 at 0.35 and 0.5; at 200
/// stages 36, 36 and 38).
const PRECONDITION_BELOW: f64 = 0.3;
/// Half-width of that band. The Jacobian is dense, but its entries fade away from the
/// diagonal: on the reference cut, inverting a band of half-width 8 leaves 4 of the 100
/// eigenvalues of the preconditioned map above 0.3 (the map alone has 30, 6 of them outside
/// the unit circle), half-width 3 leaves 10. From the harmonic groups' profile, half-width 5,
/// 8, 12 and 16 take 29, 27, 26 and 24 sweeps (38, 36, 35 and 33 at 200 stages); the band's
/// construction grows with the width and its factorisation with the square.
const BAND_HALF_WIDTH: usize = 8;
/// Tikhonov term of the least-squares problem, relative to the mean diagonal of its normal
/// matrix, so that nearly parallel residual differences do not blow the mixture up.
const RIDGE: f64 = 1e-12;

/// The cascade as this iteration sees it: its stage equations, and the saturated model's
/// separation factors and fixed organic and aqueous totals.
pub struct LoadingProblem<'a, 'b, E: Equilibrium> {
    pub cascade: &'a StageProblem<'b, E>,
    pub separation_factors: &'a [f64],
    /// Total RE flux of the organic leaving each stage, `S_j`.
    pub organic_total: &'a [f64],
    /// Total RE flux of the aqueous leaving each stage, `A_j*`.
    pub aqueous_total: &'a [f64],
}

/// Workspace of the iteration, sized for one cascade.
pub struct LoadingIteration {
    /// The iterate: the stage scales `u_j = ln k_j` before the preconditioner, `k_j` after.
    scale: Vec<f64>,
    /// Before the preconditioner, `k_j = exp(u_j)` of the last sweep.
    stage_scales: Vec<f64>,
    /// The separation factors and the feed in whole [`Lanes`], padded with elements of no
    /// feed and a factor of 1 (`substitution::solve_scaled_rows`).
    separation_factors: Vec<Lanes>,
    feed: Vec<Lanes>,
    /// The last sweep's profile and reciprocal pivots, stage-major, padded the same way (as
    /// many lanes to a stage as `separation_factors` has).
    profile: Vec<Lanes>,
    reciprocal_pivots: Vec<Lanes>,
    /// The last sweep's stage sums `sum_i a_ij` and `sum_i beta_i a_ij`, and stage ratio
    /// errors: `G_j - u_j` in the logarithms, `(G_j - k_j) / k_j` with the preconditioner (the
    /// right-hand side its band is solved for).
    totals: Vec<f64>,
    pulls: Vec<f64>,
    errors: Vec<f64>,
    /// Each stage's target ratio `S_j / A_j*`, and its logarithm.
    target_ratio: Vec<f64>,
    target: Vec<f64>,
    /// The smallest and largest `beta_i`: a stage's mean `beta` lies between them.
    spread: (f64, f64),
    /// Where each stage's iterate can lie, so where the map's values can: the stage's mean
    /// `beta` between the smallest and the largest `beta_i`.
    bounds: Vec<(f64, f64)>,
    /// The substitution map's value `G(u)` and residual `G(u) - u` at the current sweep.
    mapped: Vec<f64>,
    residual: Vec<f64>,
    /// The same at the sweep before, to form differences.
    last_mapped: Vec<f64>,
    last_residual: Vec<f64>,
    /// Differences of residuals and of map values, `MEMORY` rows of `N`, used as a ring.
    residual_steps: Vec<f64>,
    mapped_steps: Vec<f64>,
    /// `residual_steps` times its transpose, `MEMORY x MEMORY`, kept up to date row by row.
    gram: Vec<f64>,
    normal: Vec<f64>,
    preconditioner: Preconditioner,
}

/// The factored band of `I - G'` that the iteration solves each residual with, once the error
/// is below [`PRECONDITION_BELOW`].
enum Preconditioner {
    NotYet,
    Band(Box<BandLu>),
    /// The band was singular: the iteration goes on without.
    Singular,
}

impl LoadingIteration {
    pub fn new(stages: usize, elements: usize) -> Self {
        let rows = elements.div_ceil(4);
        Self {
            scale: vec![0.0; stages],
            stage_scales: vec![0.0; stages],
            separation_factors: vec![[1.0; 4]; rows],
            feed: vec![[0.0; 4]; rows],
            profile: vec![[0.0; 4]; rows * stages],
            reciprocal_pivots: vec![[0.0; 4]; rows * stages],
            totals: vec![0.0; stages],
            pulls: vec![0.0; stages],
            errors: vec![0.0; stages],
            target_ratio: vec![0.0; stages],
            target: vec![0.0; stages],
            spread: (0.0, 0.0),
            bounds: vec![(0.0, 0.0); stages],
            mapped: vec![0.0; stages],
            residual: vec![0.0; stages],
            last_mapped: vec![0.0; stages],
            last_residual: vec![0.0; stages],
            residual_steps: vec![0.0; MEMORY * stages],
            mapped_steps: vec![0.0; MEMORY * stages],
            gram: vec![0.0; MEMORY * MEMORY],
            normal: vec![0.0; MEMORY * MEMORY],
            preconditioner: Preconditioner::NotYet,
        }
    }

    /// Iterates from the aqueous profile `aqueous` (stage-major `N x C`), which it overwrites
    /// with the last one found. The number of sweeps (tridiagonal passes) taken: `Ok` when
    /// the stage ratios meet [`TOLERANCE`], `Err` when the iteration diverged, stalled or ran
    /// out of sweeps.
    pub fn solve<E: Equilibrium>(
        &mut self,
        p: &LoadingProblem<'_, '_, E>,
        aqueous: &mut [f64],
    ) -> Result<usize, usize> {
        let c = p.cascade.feed.len();
        let padded = |to: &mut [Lanes], from: &[f64]| {
            to.as_flattened_mut()[..c].copy_from_slice(from);
        };
        padded(&mut self.separation_factors, p.separation_factors);
        padded(&mut self.feed, p.cascade.feed);
        let betas = p.separation_factors.iter();
        self.spread = (
            betas.clone().fold(f64::INFINITY, |m, &b| m.min(b)),
            betas.fold(f64::NEG_INFINITY, |m, &b| m.max(b)),
        );
        let (low, high) = (self.spread.0.ln(), self.spread.1.ln());
        for (j, stage) in aqueous.chunks_exact(c).enumerate() {
            self.target_ratio[j] = p.organic_total[j] / p.aqueous_total[j];
            self.target[j] = self.target_ratio[j].ln();
            self.bounds[j] = (self.target[j] - high, self.target[j] - low);
            self.scale[j] = (p.organic_total[j] / weighted_sum(p.separation_factors, stage)).ln();
        }
        let taken = self.sweeps(p);
        for (stage, row) in aqueous
            .chunks_exact_mut(c)
            .zip(self.profile.chunks_exact(self.separation_factors.len()))
        {
            stage.copy_from_slice(&row.as_flattened()[..c]);
        }
        taken
    }

    /// The iteration from the scales that [`LoadingIteration::solve`] set.
    fn sweeps<E: Equilibrium>(&mut self, p: &LoadingProblem<'_, '_, E>) -> Result<usize, usize> {
        let n = p.cascade.stages;
        let (mut best, mut best_sweep) = (f64::INFINITY, 0);
        let mut stored = 0;
        for sweep in 1..=MAX_SWEEPS {
            let error = self.substitute(p);
            if error <= TOLERANCE {
                return Ok(sweep);
            }
            if error < best {
                (best, best_sweep) = (error, sweep);
            } else if error.is_nan() || error > DIVERGED * best || sweep - best_sweep > MAX_STALL {
                return Err(sweep);
            }
            // Differences need the sweep before, under the same preconditioner.
            let slot = if self.precondition(p, error) {
                stored = 0;
                None
            } else if sweep > 1 {
                stored += 1;
                Some((stored - 1) % MEMORY)
            } else {
                None
            };
            self.accelerate(slot, stored.min(MEMORY), n);
        }
        Err(MAX_SWEEPS)
    }

    /// One substitution sweep at the current scales: the profile, and the map's value and
    /// residual; returns the largest stage ratio error.
    fn substitute<E: Equilibrium>(&mut self, p: &LoadingProblem<'_, '_, E>) -> f64 {
        let q = p.cascade;
        let linear = self.linear();
        if !linear {
            for (k, u) in self.stage_scales.iter_mut().zip(&self.scale) {
                *k = u.exp();
            }
        }
        solve_scaled_rows(
            &self.separation_factors,
            if linear {
                &self.scale
            } else {
                &self.stage_scales
            },
            (&self.feed, q.feed_stage, q.reflux_fraction, q.side_draw),
            &mut self.profile,
            &mut self.reciprocal_pivots,
            (&mut self.totals, &mut self.pulls),
        );
        std::mem::swap(&mut self.mapped, &mut self.last_mapped);
        std::mem::swap(&mut self.residual, &mut self.last_residual);
        let stages = self
            .mapped
            .iter_mut()
            .zip(&mut self.residual)
            .zip(&mut self.errors)
            .zip(self.totals.iter().zip(&self.pulls))
            .zip(&self.scale);
        if linear {
            // `|G_j / k_j - 1|`, which is the logarithm's error to within its square.
            for (((((g, r), e), (total, pull)), k), t) in stages.zip(&self.target_ratio) {
                *g = t * total / pull;
                *r = *g - k;
                *e = *r / k;
            }
        } else {
            for (((((g, r), e), (total, pull)), u), t) in stages.zip(&self.target) {
                *g = t - (pull / total).ln();
                *r = *g - u;
                *e = *r;
            }
        }
        largest(&self.errors)
    }

    /// Whether the iterate is the scales themselves (with the preconditioner), not their
    /// logarithms.
    fn linear(&self) -> bool {
        matches!(self.preconditioner, Preconditioner::Band(_))
    }

    /// Replaces the sweep's residual and map value by the preconditioned ones, first building
    /// and factoring the band of `I - G'` when the error has just fallen below
    /// [`PRECONDITION_BELOW`]; `true` on that sweep, after which the iterates before no longer
    /// compare with the new ones.
    fn precondition<E: Equilibrium>(&mut self, p: &LoadingProblem<'_, '_, E>, error: f64) -> bool {
        let mut fresh = false;
        if matches!(self.preconditioner, Preconditioner::NotYet) && error <= PRECONDITION_BELOW {
            let sweep = Sweep {
                separation_factors: &self.separation_factors,
                // Still the logarithms' iteration: its sweep's scales.
                scales: &self.stage_scales,
                aqueous: &self.profile,
                reciprocal_pivots: &self.reciprocal_pivots,
                totals: &self.totals,
                pulls: &self.pulls,
                reflux_fraction: p.cascade.reflux_fraction,
                side_draw: p.cascade.side_draw,
            };
            let mut band = residual_jacobian_band(&sweep, BAND_HALF_WIDTH);
            fresh = band.factor();
            self.preconditioner = if fresh {
                Preconditioner::Band(Box::new(band))
            } else {
                Preconditioner::Singular
            };
            if fresh {
                // From here the iterate is `k`: near the answer the logarithms buy nothing, and
                // two transcendental calls a stage are a tenth of a sweep.
                for (((s, g), r), e) in self
                    .scale
                    .iter_mut()
                    .zip(&mut self.mapped)
                    .zip(&mut self.residual)
                    .zip(&mut self.errors)
                {
                    (*s, *g) = (s.exp(), g.exp());
                    *r = *g - *s;
                    *e = *r / *s;
                }
                let (low, high) = self.spread;
                for (bounds, t) in self.bounds.iter_mut().zip(&self.target_ratio) {
                    *bounds = (t / high, t / low);
                }
            }
        }
        if let Preconditioner::Band(band) = &mut self.preconditioner {
            // The band is `I - G'` in `ln k`: `dk = k (I - G')^-1 ((G - k) / k)`, the last
            // factor the sweep's stage errors.
            self.residual.copy_from_slice(&self.errors);
            band.solve(&mut self.residual);
            for ((g, k), r) in self
                .mapped
                .iter_mut()
                .zip(&self.scale)
                .zip(&mut self.residual)
            {
                *r *= k;
                *g = k + *r;
            }
        }
        fresh
    }

    /// Anderson's step: stores the differences from the sweep before in row `slot` of the
    /// ring, if any, then mixes the next scales from the `rows` stored.
    fn accelerate(&mut self, slot: Option<usize>, rows: usize, n: usize) {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx") {
            // SAFETY: the CPU was just found to support AVX.
            return unsafe { self.accelerate_avx(slot, rows, n) };
        }
        self.accelerate_in(slot, rows, n);
    }

    /// [`LoadingIteration::accelerate`] compiled for AVX: its differences, products and
    /// mixture take four stages to an instruction rather than SSE2's two. No fused
    /// multiply-add, so the scales are the same to the bit on every x86-64 CPU.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx")]
    fn accelerate_avx(&mut self, slot: Option<usize>, rows: usize, n: usize) {
        self.accelerate_in(slot, rows, n);
    }

    #[inline(always)]
    fn accelerate_in(&mut self, slot: Option<usize>, rows: usize, n: usize) {
        if let Some(slot) = slot {
            self.remember(slot, n);
        }
        self.mix(rows, n);
    }

    /// Stores the differences from the sweep before in row `slot` of the ring.
    #[inline(always)]
    fn remember(&mut self, slot: usize, n: usize) {
        let row = slot * n..(slot + 1) * n;
        for (((df, dg), (f, g)), (f0, g0)) in self.residual_steps[row.clone()]
            .iter_mut()
            .zip(&mut self.mapped_steps[row.clone()])
            .zip(self.residual.iter().zip(&self.mapped))
            .zip(self.last_residual.iter().zip(&self.last_mapped))
        {
            *df = f - f0;
            *dg = g - g0;
        }
        let products = dots::<MEMORY>(&self.residual_steps, &self.residual_steps[row]);
        for (other, d) in products.into_iter().enumerate() {
            self.gram[slot * MEMORY + other] = d;
            self.gram[other * MEMORY + slot] = d;
        }
    }

    /// The next scales: the map's value less the mixture of the stored map differences whose
    /// residual differences best cancel the current residual (least squares, by its normal
    /// equations: `rows` is at most [`MEMORY`]); the plain substitution step while nothing is
    /// stored. Each scale is kept where the map's values can lie ([`LoadingIteration::bounds`]):
    /// a stage's mean `beta` is between the smallest and the largest `beta_i`.
    #[inline(always)]
    fn mix(&mut self, rows: usize, n: usize) {
        let mut mixture = [0.0; MEMORY];
        if rows > 0 {
            let mean_diagonal =
                (0..rows).map(|r| self.gram[r * MEMORY + r]).sum::<f64>() / rows as f64;
            let normal = &mut self.normal[..rows * rows];
            for (a, row) in normal.chunks_exact_mut(rows).enumerate() {
                row.copy_from_slice(&self.gram[a * MEMORY..a * MEMORY + rows]);
                row[a] += RIDGE * mean_diagonal;
            }
            // All the ring's rows, stored or not: one pass is cheaper than choosing.
            let products = dots::<MEMORY>(&self.residual_steps, &self.residual);
            mixture[..rows].copy_from_slice(&products[..rows]);
            if !cholesky_solve(normal, rows, &mut mixture[..rows]) {
                mixture = [0.0; MEMORY];
            }
        }
        self.scale.copy_from_slice(&self.mapped);
        for (a, &gamma) in mixture[..rows].iter().enumerate() {
            let steps = &self.mapped_steps[a * n..(a + 1) * n];
            for (u, step) in self.scale.iter_mut().zip(steps) {
                *u -= gamma * step;
            }
        }
        for (u, &(low, high)) in self.scale.iter_mut().zip(&self.bounds) {
            // max/min rather than clamp: NaN-safe whatever reaches here.
            *u = u.max(low).min(high);
        }
    }
}

/// The largest magnitude in `errors`, or NaN if any is (which a comparison would pass over):
/// in four lanes, so that no comparison waits on the one before.
fn largest(errors: &[f64]) -> f64 {
    let (fours, rest) = errors.as_chunks::<4>();
    let (mut top, mut nan) = ([0.0_f64; 4], false);
    for e in fours {
        for l in 0..4 {
            let e = e[l].abs();
            top[l] = if e > top[l] { e } else { top[l] };
            nan |= e.is_nan();
        }
    }
    let mut largest = 0.0_f64;
    for e in top.iter().chain(rest).map(|e| e.abs()) {
        largest = if e > largest { e } else { largest };
        nan |= e.is_nan();
    }
    if nan { f64::NAN } else { largest }
}

#[cfg(all(test, target_arch = "x86_64"))]
mod tests {
    use super::*;
    use rand_chacha::ChaCha8Rng;
    use rand_chacha::rand_core::SeedableRng;
    use rand_distr::{Distribution, Uniform};

    /// An iteration partway through: every stored difference, the residual and the map's
    /// values drawn in [-0.5, 0.5), and the Gram matrix built by `remember`.
    fn partway(n: usize) -> LoadingIteration {
        let mut it = LoadingIteration::new(n, 15);
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let uniform = Uniform::new(-0.5, 0.5).expect("a finite, non-empty range");
        let mut next = || uniform.sample(&mut rng);
        it.bounds.fill((-10.0, 10.0));
        for slot in 0..MEMORY {
            for x in it.residual.iter_mut().chain(&mut it.mapped) {
                *x = next();
            }
            it.remember(slot, n);
        }
        for x in it.residual.iter_mut().chain(&mut it.mapped) {
            *x = next();
        }
        it
    }

    #[test]
    fn acceleration_compiled_for_avx_is_the_portable_one_to_the_bit() {
        if !std::arch::is_x86_feature_detected!("avx") {
            return;
        }
        let n = 37;
        let bits = |x: &[f64]| x.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        for (slot, rows) in [(None, 0), (Some(0), 1), (Some(3), 4), (Some(9), MEMORY)] {
            let (mut portable, mut avx) = (partway(n), partway(n));
            portable.accelerate_in(slot, rows, n);
            // SAFETY: the CPU was just found to support AVX.
            unsafe { avx.accelerate_avx(slot, rows, n) };
            assert_eq!(bits(&portable.gram), bits(&avx.gram));
            assert_eq!(bits(&portable.scale), bits(&avx.scale));
            // With differences stored, the mixture moved the scales off the map's values.
            let moved = portable
                .scale
                .iter()
                .zip(&portable.mapped)
                .any(|(u, g)| u != g);
            assert_eq!(rows > 0, moved);
        }
    }
}
