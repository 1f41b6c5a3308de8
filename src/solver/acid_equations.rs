//! The stage equations of an acid-aware cascade (`acid.rs`), their Jacobian and the Newton
//! step, for any [`AcidEquilibrium`](crate::equilibrium::AcidEquilibrium).
//!
//! Unknowns stage-major, `C` aqueous fluxes, `C` organic fluxes and `h` per stage, then, when a
//! strip section returns the organic to stage 1, the `C` fluxes of that returning organic `u`
//! with the equations `u - o(last stage) = 0`. Without them the system is block tridiagonal;
//! with them it is bordered: `B dx + E du = -r_x`, `du - S dx = -r_u` (`E` how stage 1 takes
//! its inlet organic, `S` picks the last stage's organic), solved from one factorisation of
//! `B` as `dx = z - Y du`, `(I + S Y) du = S z - r_u`, with `z = -B^-1 r_x`, `Y = B^-1 E`.

use super::acid::{AcidProblem, AcidSolution, EXHAUSTED_FREE_FRACTION};
use super::acid_layout::Layout;
use super::dense::invert_in_place;
use super::stage_blocks::StageBlocks;
use super::{Convergence, FLUX_CUT, Norms, ROUNDING_FACTOR, SolveFailure, nan_max};
use crate::equilibrium::free_extractant;

/// Newton's workspace.
pub(super) struct Acid<'p, 'a> {
    p: &'p AcidProblem<'a>,
    layout: Layout,
    c: usize,
    pub x: Vec<f64>,
    pub trial: Vec<f64>,
    residual: Vec<f64>,
    pub step: Vec<f64>,
    blocks: StageBlocks,
    /// `Y = B^-1 E`, column-major `C x (M w)`, and `I + S Y`, for the returning organic.
    bordered: Vec<f64>,
    schur: Vec<f64>,
    pivots: Vec<usize>,
    imbalance: Vec<f64>,
    throughput: Vec<f64>,
    scales: Vec<f64>,
    /// The RE fed, mol/h per species: the problem's, or a fraction of it on a continuation path.
    feed: Vec<f64>,
    /// `d free / d o_k` per species: the extractant each holds over the organic's flow.
    free_by_organic: Vec<f64>,
    total_extractant: f64,
}

impl<'p, 'a> Acid<'p, 'a> {
    pub fn new(p: &'p AcidProblem<'a>) -> Self {
        let c = p.equilibrium.species();
        let layout = Layout::new(p);
        let w = 2 * c + 1;
        let size = w * layout.stages + if layout.ring { c } else { 0 };
        let mut work = Self {
            p,
            c,
            x: vec![0.0; size],
            trial: vec![0.0; size],
            residual: vec![0.0; size],
            step: vec![0.0; size],
            blocks: StageBlocks::new(layout.stages, w),
            bordered: if layout.ring {
                vec![0.0; c * w * layout.stages]
            } else {
                Vec::new()
            },
            schur: vec![0.0; c * c],
            pivots: vec![0; c],
            imbalance: vec![0.0; c + 1],
            throughput: vec![0.0; c + 1],
            scales: vec![0.0; c + 1],
            feed: p.feed.to_vec(),
            free_by_organic: (0..c)
                .map(|k| -p.equilibrium.extractant_held(k) / p.organic_l_per_h)
                .collect(),
            total_extractant: p.equilibrium.total_extractant_mol_per_l(),
            layout,
        };
        work.scale_feed(1.0);
        work
    }

    /// Feeds `fraction` of the problem's RE (its acid unchanged), with the norm's scales to
    /// match: the continuation parameter of `acid.rs`.
    pub fn scale_feed(&mut self, fraction: f64) {
        let (p, c) = (self.p, self.c);
        for (f, &full) in self.feed.iter_mut().zip(p.feed) {
            *f = fraction * full;
        }
        let fed: f64 = self.feed.iter().sum();
        for i in 0..c {
            let s = self.feed[i] + p.organic_inlet[i];
            self.scales[i] = if s > 0.0 { s } else { fed };
        }
        self.scales[c] = self.layout.acid_fed.iter().sum::<f64>()
            + (0..c)
                .map(|i| p.equilibrium.acid_released(i) * (self.feed[i] + p.organic_inlet[i]))
                .sum::<f64>();
    }

    /// Multiplies every flux of the current point by `factor` (H+ unchanged): a start for a
    /// feed `factor` times the last.
    pub fn scale_fluxes(&mut self, factor: f64) {
        let w = self.width();
        let c = self.c;
        for (k, v) in self.x.iter_mut().enumerate() {
            if k >= self.layout.stages * w || k % w != 2 * c {
                *v *= factor;
            }
        }
    }

    fn width(&self) -> usize {
        2 * self.c + 1
    }

    /// The free extractant (mol/L) of the organic leaving a stage that carries `organic`.
    fn free(&self, organic: &[f64]) -> f64 {
        // free_extractant(), with the extractant held per flux looked up once.
        let held: f64 = organic
            .iter()
            .zip(&self.free_by_organic)
            .map(|(o, f)| o * f)
            .sum();
        self.total_extractant + held
    }

    /// The organic entering stage `j` (0-based) at `x`: the stage below's, or at stage 1 the
    /// inlet's or, in a closed loop, the returning organic.
    fn below<'x>(&'x self, x: &'x [f64], j: usize) -> &'x [f64] {
        let (c, w) = (self.c, self.width());
        if j > 0 {
            &x[(j - 1) * w + c..(j - 1) * w + 2 * c]
        } else if self.layout.ring {
            &x[self.layout.stages * w..]
        } else {
            self.p.organic_inlet
        }
    }

    /// Each species' cascade at its section's fed acidity and the inlet's free extractant
    /// (constant D, ideal stages, a barren organic returning in a closed loop), then each
    /// stage's H+ from the acid balances down each aqueous stream.
    pub fn start(&mut self) {
        let (p, c, w) = (self.p, self.c, self.width());
        let l = &self.layout;
        let m = l.stages;
        let inlet: &[f64] = if l.ring {
            &vec![0.0; c]
        } else {
            p.organic_inlet
        };
        let inlet_free = self.free(inlet);
        let mut e = vec![0.0; m];
        let mut a = vec![0.0; m];
        let mut pivot = vec![0.0; m];
        for i in 0..c {
            for (j, e) in e.iter_mut().enumerate() {
                *e = p.organic_l_per_h / l.aqueous_l_per_h[j]
                    * p.equilibrium.distribution(i, l.guess_h[j], inlet_free).0;
            }
            // e(j-1) a(j-1) - (1 + e(j)) a(j) + [from above] a(j+1) = -fed(j), by Thomas's
            // algorithm up the chain and back.
            for j in 0..m {
                let fed = if j == l.feed_stage { self.feed[i] } else { 0.0 }
                    + if j == 0 { inlet[i] } else { 0.0 };
                let (mut diag, mut rhs) = (1.0 + e[j], fed);
                if j > 0 {
                    let up = if l.fed_from_above(j - 1) { 1.0 } else { 0.0 };
                    diag -= e[j - 1] * up / pivot[j - 1];
                    rhs += e[j - 1] * a[j - 1] / pivot[j - 1];
                }
                pivot[j] = diag;
                a[j] = rhs;
            }
            for j in (0..m).rev() {
                let above = if l.fed_from_above(j) { a[j + 1] } else { 0.0 };
                a[j] = (a[j] + above) / pivot[j];
            }
            for (j, z) in self.x.chunks_exact_mut(w).take(m).enumerate() {
                z[i] = a[j];
                z[c + i] = e[j] * a[j];
            }
            if l.ring {
                self.x[m * w + i] = e[m - 1] * a[m - 1];
            }
        }
        // A species the extraction stages extract and the scrub strips accumulates between
        // them; at constant D without limit. Where the start's organic would hold more than
        // START_MAX_HELD of the extractant, the stage's fluxes are scaled down to it.
        let total = p.equilibrium.total_extractant_mol_per_l();
        for z in self.x.chunks_exact_mut(w).take(m) {
            let held = total - free_extractant(p.equilibrium, &z[c..2 * c], p.organic_l_per_h);
            if held > START_MAX_HELD * total {
                let factor = START_MAX_HELD * total / held;
                z[..2 * c].iter_mut().for_each(|v| *v *= factor);
            }
        }
        if l.ring {
            let last = (m - 1) * w + c;
            let (chain, ring) = self.x.split_at_mut(m * w);
            ring.copy_from_slice(&chain[last..last + c]);
        }
        for j in (0..m).rev() {
            let below = self.below(&self.x, j);
            let released: f64 = (0..c)
                .map(|i| p.equilibrium.acid_released(i) * (self.x[j * w + c + i] - below[i]))
                .sum();
            let above = if l.fed_from_above(j) {
                l.aqueous_l_per_h[j + 1] * self.x[(j + 1) * w + 2 * c]
            } else {
                0.0
            };
            let h = (above + l.acid_fed[j] + released) / l.aqueous_l_per_h[j];
            self.x[j * w + 2 * c] = h.max(FLUX_CUT * l.guess_h[j]);
        }
    }

    /// Residuals at the current (or trial) point, their scaled norm and its floor: per species
    /// its balances' and equilibria's absolute residuals over its feed (and inlet), and the acid
    /// balances' over the H+ fed and that can be released.
    pub fn evaluate(&mut self, trial: bool) -> Norms {
        let (p, c, w) = (self.p, self.c, self.width());
        let l = &self.layout;
        let m = l.stages;
        let x = if trial { &self.trial } else { &self.x };
        let e = p.efficiency;
        let mut imbalance = std::mem::take(&mut self.imbalance);
        let mut throughput = std::mem::take(&mut self.throughput);
        let mut residual = std::mem::take(&mut self.residual);
        imbalance.fill(0.0);
        throughput.fill(0.0);
        let mut free_ok = true;
        for j in 0..m {
            let z = &x[j * w..(j + 1) * w];
            let (a, rest) = z.split_at(c);
            let (o, h) = (&rest[..c], rest[c]);
            let free = self.free(o);
            free_ok &= free > 0.0;
            let ratio = p.organic_l_per_h / l.aqueous_l_per_h[j];
            let below = self.below(x, j);
            let r = &mut residual[j * w..(j + 1) * w];
            let mut released = 0.0;
            let mut released_abs = 0.0;
            for i in 0..c {
                let above = if l.fed_from_above(j) {
                    x[(j + 1) * w + i]
                } else {
                    0.0
                };
                let fed = if j == l.feed_stage { self.feed[i] } else { 0.0 };
                let equilibrium = ratio * p.equilibrium.distribution(i, h, free).0 * a[i];
                r[i] = below[i] + above + fed - o[i] - a[i];
                r[c + i] = o[i] - (1.0 - e) * below[i] - e * equilibrium;
                imbalance[i] += r[i].abs() + r[c + i].abs();
                throughput[i] += below[i] + above + fed + 2.0 * o[i] + a[i] + equilibrium;
                let nu = p.equilibrium.acid_released(i);
                released += nu * (o[i] - below[i]);
                released_abs += nu * (o[i] - below[i]).abs();
            }
            let from_above = if l.fed_from_above(j) {
                l.aqueous_l_per_h[j + 1] * x[(j + 1) * w + 2 * c]
            } else {
                0.0
            };
            let volume = l.aqueous_l_per_h[j] * h;
            r[2 * c] = from_above + l.acid_fed[j] + released - volume;
            imbalance[c] += r[2 * c].abs();
            throughput[c] += from_above + l.acid_fed[j] + released_abs + volume;
        }
        if l.ring {
            for i in 0..c {
                let (u, o) = (x[m * w + i], x[(m - 1) * w + c + i]);
                residual[m * w + i] = u - o;
                imbalance[i] += (u - o).abs();
                throughput[i] += u + o;
            }
        }
        let scaled = |v: &[f64]| {
            v.iter()
                .zip(&self.scales)
                .map(|(x, f)| x / f)
                .fold(0.0, nan_max)
        };
        let norm = scaled(&imbalance);
        let norms = Norms {
            residual: if norm.is_nan() || !free_ok {
                f64::INFINITY
            } else {
                norm
            },
            rounding_floor: ROUNDING_FACTOR * f64::EPSILON * scaled(&throughput),
        };
        self.imbalance = imbalance;
        self.throughput = throughput;
        self.residual = residual;
        norms
    }

    /// The Jacobian of the stage equations at the current point, into `blocks`.
    fn jacobian(&mut self) {
        let (p, c, w) = (self.p, self.c, self.width());
        let l = &self.layout;
        let e = p.efficiency;
        self.blocks.clear();
        for j in 0..l.stages {
            let z = &self.x[j * w..(j + 1) * w];
            let (a, rest) = z.split_at(c);
            let (o, h) = (&rest[..c], rest[c]);
            let free = self.free(o);
            let ratio = p.organic_l_per_h / l.aqueous_l_per_h[j];
            let block = self.blocks.diag_mut(j);
            for i in 0..c {
                let (d, by_h, by_free) = p.equilibrium.distribution(i, h, free);
                block[i * w + i] = -1.0;
                block[i * w + c + i] = -1.0;
                let row = &mut block[(c + i) * w..(c + i + 1) * w];
                row[i] = -e * ratio * d;
                let by_organic = e * ratio * a[i] * by_free;
                for (r, f) in row[c..2 * c].iter_mut().zip(&self.free_by_organic) {
                    *r = -by_organic * f;
                }
                row[c + i] += 1.0;
                row[2 * c] = -e * ratio * a[i] * by_h;
            }
            let acid = &mut block[2 * c * w..(2 * c + 1) * w];
            for k in 0..c {
                acid[c + k] = p.equilibrium.acid_released(k);
            }
            acid[2 * c] = -l.aqueous_l_per_h[j];
            if j > 0 {
                inlet_organic(p, c, self.blocks.lower_mut(j));
            }
            if l.fed_from_above(j) {
                let upper = self.blocks.upper_mut(j);
                for i in 0..c {
                    upper[i * w + i] = 1.0;
                }
                upper[2 * c * w + 2 * c] = l.aqueous_l_per_h[j + 1];
            }
        }
    }

    /// The Newton step at the current point, into `step`; `Err(stage)` (1-based) when the
    /// system is singular there.
    pub fn newton_step(&mut self) -> Result<(), usize> {
        self.jacobian();
        let (c, w) = (self.c, self.width());
        let m = self.layout.stages;
        for (s, r) in self.step.iter_mut().zip(&self.residual) {
            *s = -r;
        }
        self.blocks
            .solve(&mut self.step[..m * w])
            .map_err(|stage| stage.0)?;
        if !self.layout.ring {
            return Ok(());
        }
        // Y = B^-1 E, one column per species of the returning organic.
        let mut stage_one = vec![0.0; w * w];
        inlet_organic(self.p, c, &mut stage_one);
        for k in 0..c {
            let column = &mut self.bordered[k * m * w..(k + 1) * m * w];
            column.fill(0.0);
            for (r, v) in column[..w].iter_mut().enumerate() {
                *v = stage_one[r * w + c + k];
            }
            self.blocks.solve_again(column);
        }
        // (I + S Y) du = S z - r_u
        let last = (m - 1) * w + c;
        for i in 0..c {
            for k in 0..c {
                self.schur[i * c + k] =
                    if i == k { 1.0 } else { 0.0 } + self.bordered[k * m * w + last + i];
            }
        }
        if !invert_in_place(&mut self.schur, c, &mut self.pivots) {
            return Err(1);
        }
        let rhs: Vec<f64> = (0..c)
            .map(|i| self.step[last + i] - self.residual[m * w + i])
            .collect();
        for i in 0..c {
            self.step[m * w + i] = (0..c).map(|k| self.schur[i * c + k] * rhs[k]).sum();
        }
        for k in 0..c {
            let du = self.step[m * w + k];
            let column = &self.bordered[k * m * w..(k + 1) * m * w];
            for (s, y) in self.step[..m * w].iter_mut().zip(column) {
                *s -= y * du;
            }
        }
        Ok(())
    }

    pub fn status(&self, iterations: usize, norms: &Norms) -> Convergence {
        Convergence {
            iterations,
            sweeps: 0,
            residual: norms.residual,
            rounding_floor: norms.rounding_floor,
        }
    }

    /// The extractant running out, when that is why the solve failed: the stage at the current
    /// point (the last solution on the continuation path, at `feed_fraction` of the feed) whose organic has the least free extractant, if under [`EXHAUSTED_FREE_FRACTION`]
    /// of the fresh organic's, and there the species whose `D` climbs fastest as the free
    /// extractant falls (weighted by what that stage's aqueous carries of it).
    pub fn exhausted(&self, iterations: usize, feed_fraction: f64) -> Option<SolveFailure> {
        let (p, c, w) = (self.p, self.c, self.width());
        let total = p.equilibrium.total_extractant_mol_per_l();
        let (stage, free) = self
            .x
            .chunks_exact(w)
            .take(self.layout.stages)
            .map(|z| self.free(&z[c..2 * c]))
            .enumerate()
            .min_by(|a, b| a.1.total_cmp(&b.1))?;
        if free >= EXHAUSTED_FREE_FRACTION * total {
            return None;
        }
        let z = &self.x[stage * w..(stage + 1) * w];
        let probe = free.max(f64::MIN_POSITIVE);
        let species = (0..c)
            .map(|i| (i, -p.equilibrium.distribution(i, z[2 * c], probe).2 * z[i]))
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .map_or(0, |(i, _)| i);
        Some(SolveFailure::ExtractantExhausted {
            stage: stage + 1,
            species,
            free_mol_per_l: free,
            total_mol_per_l: total,
            feed_fraction,
            iterations,
        })
    }

    pub fn solution(&self, iterations: usize, norms: &Norms) -> AcidSolution {
        let (c, w) = (self.c, self.width());
        let m = self.layout.stages;
        let mut solution = AcidSolution {
            aqueous: Vec::with_capacity(m * c),
            organic: Vec::with_capacity(m * c),
            hydrogen_mol_per_l: Vec::new(),
            free_extractant_mol_per_l: Vec::new(),
            status: self.status(iterations, norms),
        };
        for z in self.x.chunks_exact(w).take(m) {
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

/// Largest share of the extractant the start lets a stage's organic hold.
const START_MAX_HELD: f64 = 0.5;

/// How a stage's equations take the organic entering it (a `w x w` block, columns of the
/// organic fluxes): its balances gain it, its equilibria keep `1 - E` of it unmixed, its acid
/// balance loses what that organic carried in.
fn inlet_organic(p: &AcidProblem<'_>, c: usize, block: &mut [f64]) {
    let w = 2 * c + 1;
    for i in 0..c {
        block[i * w + c + i] = 1.0;
        block[(c + i) * w + c + i] = -(1.0 - p.efficiency);
        block[2 * c * w + c + i] = -p.equilibrium.acid_released(i);
    }
}
