//! Robustness survey: solves many random cascades and reports how many fail to converge and
//! the worst mass-balance closure. Not a test (it takes seconds to minutes); the numbers go in
//! the README.
//!
//! `cargo run --release --example stress -- CASES MAX_BETA MODE`
//! `cargo run --release --example stress -- CASES MAX_BETA MODE relative`
//! - MAX_BETA: the largest adjacent-pair separation factor (pairs are drawn in [1.05, MAX_BETA]);
//!   with `relative`, each element's factor relative to the least extractable is drawn instead;
//! - MODE `design`: a key pair is drawn, the extract fraction is Xu's product fraction for
//!   purities of 95-99.9 % of the two groups, and the reflux ratio 1.2-4 times Xu's optimum
//!   for that key pair (what an engineer would run); `random`: extract fraction and reflux
//!   ratio drawn at random (0.05-0.95 and 0.1-20), cuts inside an element included.

use std::time::Instant;

use sxcascade::reference::{Case, DesignedCut};
use sxcascade::*;

/// A small deterministic generator (PCG-style LCG), so runs are repeatable.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
    fn range(&mut self, a: f64, b: f64) -> f64 {
        a + (b - a) * self.next()
    }
    fn log_range(&mut self, a: f64, b: f64) -> f64 {
        (a.ln() + (b.ln() - a.ln()) * self.next()).exp()
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let cases: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(300);
    let max_beta: f64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(5.0);
    let design = args.get(3).is_none_or(|m| m == "design");
    let relative = args.get(4).is_some_and(|m| m == "relative");
    let mut rng = Lcg(12345);
    let (mut failures, mut iterations, mut worst) = (0, 0, 0.0f64);
    let start = Instant::now();
    for case in 0..cases {
        let c = 2 + (rng.next() * 14.0) as usize;
        let total = 1 + (rng.next() * 300.0) as usize;
        let n = (1 + (rng.next() * total as f64) as usize).min(total);
        let mut beta = 1.0;
        let mut betas: Vec<f64> = (0..c)
            .map(|k| {
                if k > 0 {
                    beta = if relative {
                        rng.log_range(1.05, max_beta)
                    } else {
                        beta * rng.log_range(1.05, max_beta)
                    };
                }
                beta
            })
            .collect();
        betas.sort_by(f64::total_cmp);
        let fractions: Vec<f64> = (0..c).map(|_| rng.log_range(1e-3, 1.0)).collect();
        let designed = DesignedCut {
            separation_factors: betas,
            feed_fractions: fractions,
            cut: 1 + (rng.next() * (c - 1) as f64) as usize,
            purity: rng.range(0.95, 0.999),
            reflux_factor: rng.range(1.2, 4.0),
            extraction_stages: n,
            scrub_stages: total - n,
        };
        let mut survey = designed.case();
        if !design {
            let p = rng.range(0.05, 0.95);
            let w = p * rng.log_range(0.1, 20.0);
            survey.cascade.operating_point = OperatingPoint::Fluxes {
                extraction_ratio: w + p,
                scrub_ratio: w,
            };
        }
        let Case {
            cascade,
            model,
            feed,
        } = survey;
        let t = Instant::now();
        let OperatingPoint::Fluxes {
            extraction_ratio: s,
            scrub_ratio: w,
        } = cascade.operating_point
        else {
            unreachable!("the survey uses the saturated model")
        };
        let (p, r) = (s - w, w / (s - w));
        match cascade.solve(&model, &feed, &SolverOptions::default()) {
            Ok(s) => {
                iterations += s.convergence.iterations;
                worst = worst
                    .max(s.mass_balance.overall)
                    .max(s.mass_balance.worst_stage);
            }
            Err(e) => {
                failures += 1;
                println!(
                    "case {case}: {c} elements, {n} + {} stages, P {p:.3}, R {r:.3}: {e} ({:.0} ms)",
                    total - n,
                    t.elapsed().as_secs_f64() * 1e3
                );
            }
        }
    }
    println!(
        "{cases} cases, {failures} did not converge, mean Newton iterations {:.1}, worst closure {worst:.1e}, {:.1} s",
        iterations as f64 / (cases - failures).max(1) as f64,
        start.elapsed().as_secs_f64()
    );
}
