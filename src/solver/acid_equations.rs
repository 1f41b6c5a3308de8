//! The stage equations of an acid-aware cascade (`acid.rs`), their Jacobian and the Newton
//! step, for any [`AcidEquilibrium`](crate::equilibrium::AcidEquilibrium).
//!
//! Unknowns stage-major, `C` aqueous fluxes, `C` organic fluxes and `h` per stage, then, when a
//! strip section returns the organic to stage 1, the `C` fluxes of the organic entering stage 1
//! `u` with the equations `u - o(last stage) - inlet = 0` (the returning organic, and what is
//! added to it before it re-enters: the Na+ of the saponification it gets again). Without them the system is block tridiagonal;
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
    /// inlet's or, in a closed loop, the returning organic with what is added to it.
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
    /// (constant D, ideal stages, a barren organic returning in a closed loop), fitted to the
    /// extractant's capacity where it would overload it, then each stage's H+ from the acid
    /// balances down each aqueous stream.
    pub fn start(&mut self) {
        let guess = self.layout.guess_h.clone();
        self.constant_d_profiles(&guess, 1.0);
        // An extraction section alone is fitted whole; beyond it, the stages that would hold
        // too much are cut back one by one (limit_held): the fit, which keeps the D ratios,
        // starts a scrubbed cascade worse (the seeded section survey).
        if self.extraction_only() {
            if !self.within_capacity() {
                self.fit_to_capacity(&guess);
            }
        } else {
            self.limit_held();
        }
        let floor: Vec<f64> = guess.iter().map(|h| FLUX_CUT * h).collect();
        self.acid_down(&floor);
    }

    /// An extraction section alone: no scrub liquor, no strip section.
    fn extraction_only(&self) -> bool {
        self.layout.main == self.p.stages && !self.layout.ring
    }

    /// Whether the cascade balances its H+ overall through its raffinate alone (no strip
    /// section returning the organic): where [`Self::balanced_start`] applies.
    pub fn has_balanced_start(&self) -> bool {
        !self.layout.ring
    }

    /// The constant-D cascade (fitted to the capacity) at the one acidity `h`, the same on
    /// every stage, at which the H+ leaving with the raffinate is what is fed plus what the
    /// species the organic carries away released (bisection on log h: the more acid, the less
    /// released); every stage at that `h`, or (`down`) at least that `h` with each stage's own
    /// from the acid balances. The start a saponified organic needs, whose sodium sets the pH
    /// of stages the feed's acid never reaches. Only without a closed loop.
    pub fn balanced_start(&mut self, down: bool) {
        let (p, c, w) = (self.p, self.c, self.width());
        let l = &self.layout;
        let (m, top) = (l.stages, (l.main - 1) * w);
        let fed_acid: f64 = l.acid_fed.iter().sum();
        let raffinate_l_per_h = l.aqueous_l_per_h[0];
        let most = (fed_acid
            + (0..c)
                .map(|i| p.equilibrium.acid_released(i) * self.feed[i])
                .sum::<f64>())
            / raffinate_l_per_h;
        // Down to pH 14: below it water's own ions, which the model leaves out, would count.
        let (mut low, mut high) = (LOWEST_LOG10_H, most.log10());
        let at = |work: &mut Self, log_h: f64| {
            let h = vec![10f64.powf(log_h); m];
            work.constant_d_profiles(&h, 1.0);
            if !work.within_capacity() {
                work.fit_to_capacity(&h);
            }
            let released: f64 = (0..c)
                .map(|i| {
                    p.equilibrium.acid_released(i) * (work.x[top + c + i] - p.organic_inlet[i])
                })
                .sum();
            raffinate_l_per_h * h[0] - fed_acid - released
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
            self.acid_down(&vec![h; m]);
        } else {
            for z in self.x.chunks_exact_mut(w).take(m) {
                z[2 * c] = h;
            }
        }
    }

    /// Each species' constant-D cascade at each stage's `h` and the inlet's free extractant,
    /// its extraction factors times `scale` (ideal stages: one tridiagonal solve per species).
    fn constant_d_profiles(&mut self, h: &[f64], scale: f64) {
        let (p, c, w) = (self.p, self.c, self.width());
        let l = &self.layout;
        let m = l.stages;
        // In a closed loop the start takes the returning organic barren: only what is added.
        let inlet = p.organic_inlet;
        let inlet_free = self.free(inlet);
        let mut e = vec![0.0; m];
        let mut a = vec![0.0; m];
        let mut pivot = vec![0.0; m];
        for i in 0..c {
            for (j, e) in e.iter_mut().enumerate() {
                *e = scale * p.organic_l_per_h / l.aqueous_l_per_h[j]
                    * p.equilibrium.distribution(i, h[j], inlet_free).0;
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
                self.x[m * w + i] = e[m - 1] * a[m - 1] + inlet[i];
            }
        }
    }

    /// Whether every stage of the start leaves a tenth of the extractant free.
    fn within_capacity(&self) -> bool {
        let (c, w) = (self.c, self.width());
        let total = self.p.equilibrium.total_extractant_mol_per_l();
        self.x
            .chunks_exact(w)
            .take(self.layout.stages)
            .all(|z| self.free(&z[c..2 * c]) >= 0.1 * total)
    }

    /// A start whose organic fits the extractant: when the inlet's D would load it beyond its
    /// capacity (a strong extractant, little acid: the mass-action model near full loading),
    /// every extraction factor is scaled down by one factor, found by bisection on its log, so
    /// that the start keeps the D ratios (the saturated model's profile) and some free
    /// extractant on every stage.
    fn fit_to_capacity(&mut self, h: &[f64]) {
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

    /// A species the extraction stages extract and the scrub strips accumulates between them;
    /// at constant D without limit. Where the start's organic would hold more than
    /// START_MAX_HELD of the extractant, the stage's fluxes are scaled down to it.
    fn limit_held(&mut self) {
        let (p, c, w) = (self.p, self.c, self.width());
        let m = self.layout.stages;
        let total = p.equilibrium.total_extractant_mol_per_l();
        for z in self.x.chunks_exact_mut(w).take(m) {
            let held = total - free_extractant(p.equilibrium, &z[c..2 * c], p.organic_l_per_h);
            if held > START_MAX_HELD * total {
                let factor = START_MAX_HELD * total / held;
                z[..2 * c].iter_mut().for_each(|v| *v *= factor);
            }
        }
        if self.layout.ring {
            let last = (m - 1) * w + c;
            let (chain, ring) = self.x.split_at_mut(m * w);
            for ((u, o), added) in ring
                .iter_mut()
                .zip(&chain[last..last + c])
                .zip(p.organic_inlet)
            {
                *u = o + added;
            }
        }
    }

    /// Each stage's H+ from the acid balances down each aqueous stream, given the start's
    /// fluxes, at least `floor`.
    fn acid_down(&mut self, floor: &[f64]) {
        let (p, c, w) = (self.p, self.c, self.width());
        let l = &self.layout;
        for j in (0..l.stages).rev() {
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
            self.x[j * w + 2 * c] = h.max(floor[j]);
        }
    }

    /// The longest fraction of the Newton step, at most 1, that leaves every stage at least
    /// [`FREE_KEPT`] of its free extractant: near full loading the full step would often take
    /// it below zero, where no D is defined, and halving from there creeps.
    pub fn longest_step(&self) -> f64 {
        let (p, c, w) = (self.p, self.c, self.width());
        let mut length: f64 = 1.0;
        let m = self.layout.stages;
        for (z, s) in self
            .x
            .chunks_exact(w)
            .zip(self.step.chunks_exact(w))
            .take(m)
        {
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

    /// Each species' fluxes again from its own balances and equilibria at the converged
    /// stages' H+ and free extractant, which fix its D: linear, one 2 x 2 block tridiagonal
    /// solve per species. Newton resolves a flux only to the residual's share of the feed;
    /// this keeps the relative accuracy of a species that falls to 1e-20 of its feed down a
    /// long cascade (a heavy RE in the raffinate), so every stage's own balance closes. Not in
    /// a closed loop, whose returning organic ties the last stage to the first.
    pub fn polish_traces(&mut self) {
        let (p, c, w) = (self.p, self.c, self.width());
        let l = &self.layout;
        if l.ring {
            return;
        }
        let n = l.stages;
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
                let ratio = p.organic_l_per_h / l.aqueous_l_per_h[j];
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
                if l.fed_from_above(j) {
                    blocks.upper_mut(j).copy_from_slice(&[1.0, 0.0, 0.0, 0.0]);
                }
                let fed = if j == l.feed_stage { self.feed[i] } else { 0.0 };
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
        let total = p.equilibrium.total_extractant_mol_per_l();
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
                let (d, _, by_free) = p.equilibrium.distribution(i, h, free);
                let equilibrium = ratio * d * a[i];
                r[i] = below[i] + above + fed - o[i] - a[i];
                r[c + i] = o[i] - (1.0 - e) * below[i] - e * equilibrium;
                imbalance[i] += r[i].abs() + r[c + i].abs();
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
                throughput[i] +=
                    below[i] + above + fed + 2.0 * o[i] + a[i] + equilibrium + free_rounding;
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
                let added = p.organic_inlet[i];
                residual[m * w + i] = u - o - added;
                imbalance[i] += residual[m * w + i].abs();
                throughput[i] += u + o + added;
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

    /// The solution at the converged point, its trace species polished.
    pub fn finish(&mut self, iterations: usize, norms: &Norms) -> AcidSolution {
        self.polish_traces();
        self.solution(iterations, norms)
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

/// Largest share of the extractant the start lets a stage's organic hold beyond an extraction
/// section.
const START_MAX_HELD: f64 = 0.5;

/// The largest ratio of total to free extractant whose rounding the convergence test allows
/// for in the equilibria (a stage with a millionth of its extractant free).
const FREE_RESOLVED: f64 = 1e6;

/// The share of a stage's free extractant a Newton step keeps at least.
const FREE_KEPT: f64 = 0.01;

/// The least acidity a balanced start tries, log10 mol/L: pH 14.
const LOWEST_LOG10_H: f64 = -14.0;

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
