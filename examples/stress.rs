use std::collections::BTreeMap;
use std::time::Instant;
use sxcascade::*;

struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> f64 { self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407); (self.0 >> 11) as f64 / (1u64 << 53) as f64 }
    fn range(&mut self, a: f64, b: f64) -> f64 { a + (b - a) * self.next() }
    fn log_range(&mut self, a: f64, b: f64) -> f64 { (a.ln() + (b.ln() - a.ln()) * self.next()).exp() }
}

fn main() {
    let cases: usize = std::env::args().nth(1).map(|s| s.parse().unwrap()).unwrap_or(200);
    let max_beta: f64 = std::env::args().nth(2).map(|s| s.parse().unwrap()).unwrap_or(20.0);
    let mut rng = Lcg(12345);
    let (mut fails, mut total_it, mut worst_mb) = (0, 0, 0.0f64);
    let t0 = Instant::now();
    for case in 0..cases {
        let c = 2 + (rng.next() * 14.0) as usize;
        let n_total = 1 + (rng.next() * 300.0) as usize;
        let n = 1 + (rng.next() * n_total as f64) as usize;
        let n = n.min(n_total);
        let m = n_total - n;
        let els = &Element::ALL[..c];
        let mut betas: Vec<f64> = (0..c).map(|k| if k == 0 { 1.0 } else { rng.log_range(1.05, max_beta) }).collect();
        betas.sort_by(|a, b| a.total_cmp(b));
        let sf: BTreeMap<Element, f64> = els.iter().zip(&betas).map(|(&e, &b)| (e, b)).collect();
        let feed = Stream::new(els.iter().map(|&e| (e, rng.log_range(1e-3, 1.0))));
        let p = rng.range(0.05, 0.95);
        let r = rng.log_range(0.1, 20.0);
        let w = r * p;
        let casc = Cascade { extraction_stages: n, scrub_stages: m, feed_stage: None, feed_phase: FeedPhase::Aqueous,
            operating_point: OperatingPoint::Fluxes { extraction_ratio: w + p, scrub_ratio: w } };
        let model = SystemModel::Saturated { separation_factors: sf };
        if let Ok(k) = std::env::var("ONLY") { if k.parse::<usize>().unwrap() != case { continue; } }
        let t = Instant::now();
        match casc.solve(&model, &feed, &SolverOptions::default()) {
            Ok(sol) => { if std::env::var("ONLY").is_ok() {
                let (nn, cc) = sol.aqueous.dim();
                let r = sol.scrub_liquor.total_mol_per_h() / sol.organic.row(nn-1).sum();
                let fs = n - 1; let fv: Vec<f64> = sol.elements.iter().map(|&e| feed.mol_per_h(e)).collect();
                for i in 0..cc { for j in 0..nn {
                    let inflow = if j > 0 { sol.organic[(j-1,i)] } else {0.0} + if j+1 < nn { sol.aqueous[(j+1,i)] } else { r * sol.organic[(nn-1,i)] } + if j == fs { fv[i] } else {0.0};
                    let out = sol.aqueous[(j,i)] + sol.organic[(j,i)];
                    let rel = (inflow-out).abs() / inflow.max(1e-30*fv[i]);
                    if rel > 1e-8 { println!("el {i} stage {j}: in {inflow:.3e} out {out:.3e} a {:.3e} o {:.3e} rel {rel:.2e}", sol.aqueous[(j,i)], sol.organic[(j,i)]); }
                }}
            } total_it += sol.convergence.iterations; worst_mb = worst_mb.max(sol.mass_balance.overall.max(sol.mass_balance.worst_stage));
                if sol.mass_balance.overall > 1e-10 || sol.mass_balance.worst_stage > 1e-10 { println!("case {case}: C={c} n={n} m={m} P={p:.3} R={r:.3} betas={betas:?} MB {:?} {:?}", sol.mass_balance, sol.convergence); } }
            Err(e) => { fails += 1; if std::env::var("ONLY").is_ok() { println!("feed {:?}", feed); } println!("case {case}: C={c} n={n} m={m} betas={:?} P={p:.3} R={r:.3}: {e} ({:.1} ms)", betas.iter().map(|b| (b*100.0).round()/100.0).collect::<Vec<_>>(), t.elapsed().as_secs_f64()*1e3); }
        }
    }
    println!("{cases} cases, {fails} failures, mean iterations {:.1}, worst closure {worst_mb:.2e}, {:.2} s", total_it as f64 / cases as f64, t0.elapsed().as_secs_f64());
}
