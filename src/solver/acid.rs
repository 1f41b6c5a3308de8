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

use super::stage_blocks::StageBlocks;
use super::{
    Convergence, FLUX_CUT, Norms, ROUNDING_FACTOR, SolveFailure, SolverOptions, nan_max, take_step,
};
use crate::equilibrium::{AcidEquilibrium, free_extractant};

/// The stage equations of one acid-aware cascade.
pub struct AcidProblem<'a> {
    pub equilibrium: &'a dyn AcidEquilibrium,
    /// Feed flux per species, mol/h, entering the feed stage with the aqueous.
    pub feed: &'a [f64],
    /// What the organic entering stage 1 carries, mol/h per species (a stripped organic
    /// returning, the Na+ of a saponified one); zeros for a barren one. What it carries holds
    /// extractant like what it loads.
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

/// The largest ratio of total to free extractant whose rounding the convergence test allows
/// for in the equilibria (a stage with a millionth of its extractant free).
const FREE_RESOLVED: f64 = 1e6;

/// The share of a stage's free extractant a Newton step keeps at least.
const FREE_KEPT: f64 = 0.01;

/// The least acidity a balanced start tries, log10 mol/L: pH 14.
const LOWEST_LOG10_H: f64 = -14.0;

/// Solves `p`: its stage balances, equilibria and acid balances.
///
/// Newton starts from the cascade at the feed's acidity; should that fail, it starts again from
/// the cascade at the one uniform acidity that balances the cascade's H+ overall
/// ([`Acid::balanced_start`]), the start that a saponified organic needs, whose sodium sets
/// the pH of stages the feed's acid never reaches. The first failure is the one reported.
pub fn solve_acid(
    p: &AcidProblem<'_>,
    options: &SolverOptions,
) -> Result<AcidSolution, SolveFailure> {
    newton(p, options, Start::FeedAcid).or_else(|first| {
        newton(p, options, Start::Balanced)
            .or_else(|_| newton(p, options, Start::BalancedDown))
            .map_err(|_| first)
    })
}

/// Where Newton starts: the constant-D cascade at the feed's acidity, or at the uniform acidity
/// that balances the cascade's H+, with that acidity on every stage or with each stage's from
/// the acid balances down from the feed (at least the uniform one).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Start {
    FeedAcid,
    Balanced,
    BalancedDown,
}

/// Damped Newton on the stage equations from the feed's acidity, or from the balanced start.
fn newton(
    p: &AcidProblem<'_>,
    options: &SolverOptions,
    start: Start,
) -> Result<AcidSolution, SolveFailure> {
    let mut work = Acid::new(p);
    match start {
        Start::FeedAcid => work.start(),
        Start::Balanced => work.balanced_start(false),
        Start::BalancedDown => work.balanced_start(true),
    }
    let mut norms = work.evaluate(false);
    let mut iterations = 0;
    while !norms.converged(options.tolerance) {
        if iterations >= options.max_iterations {
            return Err(SolveFailure::NotConverged {
                status: work.status(iterations, &norms),
                tolerance: options.tolerance,
            });
        }
        iterations += 1;
        work.jacobian();
        work.step
            .iter_mut()
            .zip(&work.residual)
            .for_each(|(s, r)| *s = -r);
        if let Err(stage) = work.blocks.solve(&mut work.step) {
            return Err(SolveFailure::SingularJacobian {
                stage: stage.0,
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
    work.polish_traces();
    Ok(work.solution(iterations, &norms))
}

/// Newton's workspace. Unknowns stage-major: `C` aqueous fluxes, `C` organic fluxes, `h`.
struct Acid<'p, 'a> {
    p: &'p AcidProblem<'a>,
    c: usize,
    x: Vec<f64>,
    trial: Vec<f64>,
    residual: Vec<f64>,
    step: Vec<f64>,
    blocks: StageBlocks,
    imbalance: Vec<f64>,
    throughput: Vec<f64>,
}

impl<'p, 'a> Acid<'p, 'a> {
    fn new(p: &'p AcidProblem<'a>) -> Self {
        let c = p.equilibrium.species();
        let size = (2 * c + 1) * p.stages;
        Self {
            p,
            c,
            x: vec![0.0; size],
            trial: vec![0.0; size],
            residual: vec![0.0; size],
            step: vec![0.0; size],
            blocks: StageBlocks::new(p.stages, 2 * c + 1),
            imbalance: vec![0.0; c + 1],
            throughput: vec![0.0; c + 1],
        }
    }

    fn width(&self) -> usize {
        2 * self.c + 1
    }

    /// The free extractant (mol/L) of the organic leaving a stage that carries `organic`.
    fn free(&self, organic: &[f64]) -> f64 {
        free_extractant(self.p.equilibrium, organic, self.p.organic_l_per_h)
    }

    /// Each species' cascade at the feed's H+ and the inlet's free extractant (constant D, ideal
    /// stages), fitted to the extractant's capacity if it overloads it, then each stage's H+
    /// from the acid balances down from the feed.
    fn start(&mut self) {
        let (p, c, w) = (self.p, self.c, self.width());
        let n = p.stages;
        let feed_h = p.feed_acid_mol_per_h / p.aqueous_l_per_h;
        self.constant_d_profiles(feed_h, 1.0);
        if !self.within_capacity() {
            self.fit_to_capacity(feed_h);
        }
        let mut above = 0.0;
        for j in (0..n).rev() {
            let gained: f64 = (0..c)
                .map(|i| {
                    let below = if j > 0 {
                        self.x[(j - 1) * w + c + i]
                    } else {
                        p.organic_inlet[i]
                    };
                    p.equilibrium.acid_released(i) * (self.x[j * w + c + i] - below)
                })
                .sum();
            let fed = if j + 1 == n {
                p.feed_acid_mol_per_h
            } else {
                0.0
            };
            let h = (above + fed + gained) / p.aqueous_l_per_h;
            self.x[j * w + 2 * c] = h.max(FLUX_CUT * feed_h);
            above = p.aqueous_l_per_h * self.x[j * w + 2 * c];
        }
    }

    /// Each species' fluxes again from its own balances and equilibria at the converged
    /// stages' H+ and free extractant, which fix its D: linear, one 2 x 2 block tridiagonal
    /// solve per species. Newton resolves a flux only to the residual's share of the feed;
    /// this keeps the relative accuracy of a species that falls to 1e-20 of its feed down a
    /// long cascade (a heavy RE in the raffinate), so every stage's own balance closes.
    fn polish_traces(&mut self) {
        let (p, c, w) = (self.p, self.c, self.width());
        let n = p.stages;
        let ratio = p.organic_l_per_h / p.aqueous_l_per_h;
        let e = p.efficiency;
        let factors: Vec<(f64, f64)> = self
            .x
            .chunks_exact(w)
            .map(|z| (z[2 * c], self.free(&z[c..2 * c])))
            .collect();
        let mut blocks = StageBlocks::new(n, 2);
        let mut x = vec![0.0; 2 * n];
        for i in 0..c {
            blocks.clear();
            for (j, &(h, free)) in factors.iter().enumerate() {
                let extraction = ratio * p.equilibrium.distribution(i, h, free).0;
                // Rows: balance, equilibrium; unknowns: a(j), o(j).
                blocks
                    .diag_mut(j)
                    .copy_from_slice(&[-1.0, -1.0, -e * extraction, 1.0]);
                if j > 0 {
                    blocks
                        .lower_mut(j)
                        .copy_from_slice(&[0.0, 1.0, 0.0, -(1.0 - e)]);
                }
                if j + 1 < n {
                    blocks.upper_mut(j).copy_from_slice(&[1.0, 0.0, 0.0, 0.0]);
                }
                let fed = if j + 1 == n { p.feed[i] } else { 0.0 };
                let inlet = if j == 0 { p.organic_inlet[i] } else { 0.0 };
                x[2 * j] = -fed - inlet;
                x[2 * j + 1] = (1.0 - e) * inlet;
            }
            if blocks.solve(&mut x).is_err() || x.iter().any(|v| !(v.is_finite() && *v >= 0.0)) {
                continue;
            }
            for (z, pair) in self.x.chunks_exact_mut(w).zip(x.chunks_exact(2)) {
                z[i] = pair[0];
                z[c + i] = pair[1];
            }
        }
    }

    /// The longest fraction of the Newton step, at most 1, that leaves every stage at least
    /// [`FREE_KEPT`] of its free extractant: near full loading the full step would often take
    /// it below zero, where no D is defined, and halving from there creeps.
    fn longest_step(&self) -> f64 {
        let (p, c, w) = (self.p, self.c, self.width());
        let mut length: f64 = 1.0;
        for (z, s) in self.x.chunks_exact(w).zip(self.step.chunks_exact(w)) {
            let free = self.free(&z[c..2 * c]);
            let taken: f64 = (0..c)
                .map(|i| p.equilibrium.extractant_held(i) * s[c + i])
                .sum::<f64>()
                / p.organic_l_per_h;
            if taken > 0.0 && free > 0.0 {
                length = length.min((1.0 - FREE_KEPT) * free / taken);
            }
        }
        length
    }

    /// Each species' cascade at the feed's H+ and the inlet's free extractant, its extraction
    /// factors times `scale` (constant D, ideal stages: one tridiagonal solve per species).
    fn constant_d_profiles(&mut self, h: f64, scale: f64) {
        let (p, c, w) = (self.p, self.c, self.width());
        let n = p.stages;
        let ratio = p.organic_l_per_h / p.aqueous_l_per_h;
        let inlet_free = self.free(p.organic_inlet);
        let mut a = vec![0.0; n];
        let mut pivot = vec![0.0; n];
        for i in 0..c {
            let e = scale * ratio * p.equilibrium.distribution(i, h, inlet_free).0;
            // (1 + e) a(j) - a(j+1) - e a(j-1) = F(j), Thomas's algorithm up the cascade.
            let mut below_pivot = 0.0;
            let mut below_rhs = 0.0;
            for j in 0..n {
                let fed = if j + 1 == n { p.feed[i] } else { 0.0 }
                    + if j == 0 { p.organic_inlet[i] } else { 0.0 };
                let diag = 1.0 + e - if j > 0 { e / below_pivot } else { 0.0 };
                let rhs = fed
                    + if j > 0 {
                        e * below_rhs / below_pivot
                    } else {
                        0.0
                    };
                pivot[j] = diag;
                a[j] = rhs;
                below_pivot = diag;
                below_rhs = rhs;
            }
            for j in (0..n).rev() {
                let above = if j + 1 < n { a[j + 1] } else { 0.0 };
                a[j] = (a[j] + above) / pivot[j];
            }
            for (z, &a) in self.x.chunks_exact_mut(w).zip(&a) {
                z[i] = a;
                z[c + i] = e * a;
            }
        }
    }

    /// Whether every stage of the start leaves a tenth of the extractant free.
    fn within_capacity(&self) -> bool {
        let (c, w) = (self.c, self.width());
        let total = self.p.equilibrium.total_extractant_mol_per_l();
        self.x
            .chunks_exact(w)
            .all(|z| self.free(&z[c..2 * c]) >= 0.1 * total)
    }

    /// A start whose organic fits the extractant: when the inlet's D would load it beyond its
    /// capacity (a strong extractant, little acid: the mass-action model near full loading),
    /// every extraction factor is scaled down by one factor, found by bisection on its log, so
    /// that the start keeps the D ratios (the saturated model's profile) and some free
    /// extractant on every stage.
    fn fit_to_capacity(&mut self, h: f64) {
        let (mut fits, mut overloads) = (-1.0_f64, 0.0_f64);
        loop {
            self.constant_d_profiles(h, 10f64.powf(fits));
            if self.within_capacity() || fits < -300.0 {
                break;
            }
            overloads = fits;
            fits *= 2.0;
        }
        for _ in 0..60 {
            let middle = 0.5 * (fits + overloads);
            self.constant_d_profiles(h, 10f64.powf(middle));
            if self.within_capacity() {
                fits = middle;
            } else {
                overloads = middle;
            }
        }
        self.constant_d_profiles(h, 10f64.powf(fits));
    }

    /// The constant-D cascade (fitted to the capacity) at the one acidity `h`, the same on
    /// every stage, at which the H+ leaving with the raffinate is the feed's plus what the
    /// species the organic carries away released (bisection on log h: the more acid, the
    /// less released). Every stage starts at that `h`.
    fn balanced_start(&mut self, down: bool) {
        let (p, c, w) = (self.p, self.c, self.width());
        let n = p.stages;
        let top = (n - 1) * w;
        let most = (p.feed_acid_mol_per_h
            + (0..c)
                .map(|i| p.equilibrium.acid_released(i) * p.feed[i])
                .sum::<f64>())
            / p.aqueous_l_per_h;
        // Down to pH 14: below it water's own ions, which the model leaves out, would count.
        let (mut low, mut high) = (LOWEST_LOG10_H, most.log10());
        let at = |work: &mut Self, log_h: f64| {
            let h = 10f64.powf(log_h);
            work.constant_d_profiles(h, 1.0);
            if !work.within_capacity() {
                work.fit_to_capacity(h);
            }
            let released: f64 = (0..c)
                .map(|i| {
                    p.equilibrium.acid_released(i) * (work.x[top + c + i] - p.organic_inlet[i])
                })
                .sum();
            p.aqueous_l_per_h * h - p.feed_acid_mol_per_h - released
        };
        for _ in 0..60 {
            let middle = 0.5 * (low + high);
            if at(self, middle) > 0.0 {
                high = middle;
            } else {
                low = middle;
            }
        }
        at(self, high);
        let h = 10f64.powf(high);
        if down {
            self.acid_down_the_cascade(h);
        } else {
            for z in self.x.chunks_exact_mut(w) {
                z[2 * c] = h;
            }
        }
    }

    /// Each stage's H+ from the acid balances down from the feed, given the start's fluxes, at
    /// least `floor`.
    fn acid_down_the_cascade(&mut self, floor: f64) {
        let (p, c, w) = (self.p, self.c, self.width());
        let n = p.stages;
        let mut above = 0.0;
        for j in (0..n).rev() {
            let gained: f64 = (0..c)
                .map(|i| {
                    let below = if j > 0 {
                        self.x[(j - 1) * w + c + i]
                    } else {
                        p.organic_inlet[i]
                    };
                    p.equilibrium.acid_released(i) * (self.x[j * w + c + i] - below)
                })
                .sum();
            let fed = if j + 1 == n {
                p.feed_acid_mol_per_h
            } else {
                0.0
            };
            let h = (above + fed + gained) / p.aqueous_l_per_h;
            self.x[j * w + 2 * c] = h.max(floor);
            above = p.aqueous_l_per_h * self.x[j * w + 2 * c];
        }
    }

    /// Residuals at the current (or trial) point, their feed-scaled norm and its floor: per
    /// element its balances' and equilibria's absolute residuals over its feed, and the acid
    /// balances' over the H+ that enters and can be released.
    fn evaluate(&mut self, trial: bool) -> Norms {
        let (p, c, w) = (self.p, self.c, self.width());
        let n = p.stages;
        let x = if trial { &self.trial } else { &self.x };
        let ratio = p.organic_l_per_h / p.aqueous_l_per_h;
        let e = p.efficiency;
        self.imbalance.fill(0.0);
        self.throughput.fill(0.0);
        let mut free_ok = true;
        let total = p.equilibrium.total_extractant_mol_per_l();
        for j in 0..n {
            let z = &x[j * w..(j + 1) * w];
            let (a, rest) = z.split_at(c);
            let (o, h) = (&rest[..c], rest[c]);
            let free = self.free(o);
            free_ok &= free > 0.0;
            let r = &mut self.residual[j * w..(j + 1) * w];
            let mut released = 0.0;
            let mut released_abs = 0.0;
            for i in 0..c {
                let below = if j > 0 {
                    x[(j - 1) * w + c + i]
                } else {
                    p.organic_inlet[i]
                };
                let above = if j + 1 < n { x[(j + 1) * w + i] } else { 0.0 };
                let fed = if j + 1 == n { p.feed[i] } else { 0.0 };
                let (d, _, by_free) = p.equilibrium.distribution(i, h, free);
                let equilibrium = ratio * d * a[i];
                r[i] = below + above + fed - o[i] - a[i];
                r[c + i] = o[i] - (1.0 - e) * below - e * equilibrium;
                self.imbalance[i] += r[i].abs() + r[c + i].abs();
                // The free extractant is the total less what the organic holds: its rounding,
                // eps times the total, reaches D amplified by (free / D) dD/dfree times
                // total / free (3 total / free by mass action near full loading). Counted on
                // the organic flux, which is bounded where D a need not be, and only down to a
                // millionth of the extractant free. The closure (the balances) is unaffected:
                // the fluxes are polished from the converged D.
                let amplification = (free / d * by_free.abs()) * (total / free).min(FREE_RESOLVED);
                let free_rounding = if amplification.is_finite() {
                    amplification * o[i]
                } else {
                    0.0
                };
                self.throughput[i] +=
                    below + above + fed + 2.0 * o[i] + a[i] + equilibrium + free_rounding;
                let nu = p.equilibrium.acid_released(i);
                released += nu * (o[i] - below);
                released_abs += nu * (o[i] - below).abs();
            }
            let from_above = if j + 1 < n {
                p.aqueous_l_per_h * x[(j + 1) * w + 2 * c]
            } else {
                0.0
            };
            let fed = if j + 1 == n {
                p.feed_acid_mol_per_h
            } else {
                0.0
            };
            r[2 * c] = from_above + fed + released - p.aqueous_l_per_h * h;
            self.imbalance[c] += r[2 * c].abs();
            self.throughput[c] += from_above + fed + released_abs + p.aqueous_l_per_h * h;
        }
        let acid_scale = p.feed_acid_mol_per_h
            + (0..c)
                .map(|i| p.equilibrium.acid_released(i) * (p.feed[i] + p.organic_inlet[i]))
                .sum::<f64>();
        // A species the organic brings in (the Na+ of a saponified extractant) is scaled by
        // what enters of it, feed and inlet together.
        let scales = p
            .feed
            .iter()
            .zip(p.organic_inlet)
            .map(|(f, o)| f + o)
            .chain([acid_scale]);
        let scaled = |v: &[f64]| {
            v.iter()
                .zip(scales.clone())
                .map(|(x, f)| x / f)
                .fold(0.0, nan_max)
        };
        let residual = scaled(&self.imbalance);
        Norms {
            residual: if residual.is_nan() || !free_ok {
                f64::INFINITY
            } else {
                residual
            },
            rounding_floor: ROUNDING_FACTOR * f64::EPSILON * scaled(&self.throughput),
        }
    }

    /// The Jacobian of the stage equations at the current point, into `blocks`.
    fn jacobian(&mut self) {
        let (p, c, w) = (self.p, self.c, self.width());
        let n = p.stages;
        let ratio = p.organic_l_per_h / p.aqueous_l_per_h;
        let e = p.efficiency;
        self.blocks.clear();
        for j in 0..n {
            let z = &self.x[j * w..(j + 1) * w];
            let (a, rest) = z.split_at(c);
            let (o, h) = (&rest[..c], rest[c]);
            let free = self.free(o);
            let block = self.blocks.diag_mut(j);
            for i in 0..c {
                let (d, by_h, by_free) = p.equilibrium.distribution(i, h, free);
                block[i * w + i] = -1.0;
                block[i * w + c + i] = -1.0;
                let row = &mut block[(c + i) * w..(c + i + 1) * w];
                row[i] = -e * ratio * d;
                for k in 0..c {
                    let free_by_organic = -p.equilibrium.extractant_held(k) / p.organic_l_per_h;
                    row[c + k] = -e * ratio * a[i] * by_free * free_by_organic;
                }
                row[c + i] += 1.0;
                row[2 * c] = -e * ratio * a[i] * by_h;
            }
            let acid = &mut block[2 * c * w..(2 * c + 1) * w];
            for k in 0..c {
                acid[c + k] = p.equilibrium.acid_released(k);
            }
            acid[2 * c] = -p.aqueous_l_per_h;
            if j > 0 {
                let lower = self.blocks.lower_mut(j);
                for i in 0..c {
                    lower[i * w + c + i] = 1.0;
                    lower[(c + i) * w + c + i] = -(1.0 - e);
                    lower[2 * c * w + c + i] = -p.equilibrium.acid_released(i);
                }
            }
            if j + 1 < n {
                let upper = self.blocks.upper_mut(j);
                for i in 0..c {
                    upper[i * w + i] = 1.0;
                }
                upper[2 * c * w + 2 * c] = p.aqueous_l_per_h;
            }
        }
    }

    fn status(&self, iterations: usize, norms: &Norms) -> Convergence {
        Convergence {
            iterations,
            sweeps: 0,
            residual: norms.residual,
            rounding_floor: norms.rounding_floor,
        }
    }

    fn solution(&self, iterations: usize, norms: &Norms) -> AcidSolution {
        let (c, w) = (self.c, self.width());
        let mut solution = AcidSolution {
            aqueous: Vec::with_capacity(self.x.len()),
            organic: Vec::with_capacity(self.x.len()),
            hydrogen_mol_per_l: Vec::new(),
            free_extractant_mol_per_l: Vec::new(),
            status: self.status(iterations, norms),
        };
        for z in self.x.chunks_exact(w) {
            solution.aqueous.extend_from_slice(&z[..c]);
            solution.organic.extend_from_slice(&z[c..2 * c]);
            solution.hydrogen_mol_per_l.push(z[2 * c]);
            solution
                .free_extractant_mol_per_l
                .push(self.free(&z[c..2 * c]));
        }
        solution
    }
}
