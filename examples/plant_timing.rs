//! Solves the fourteen-cascade bench plant once and prints each cascade's size, iterations and
//! the time of the whole solve (a quick look; the criterion bench is the measurement).

use std::time::Instant;

use sxcascade::SolverOptions;
use sxcascade::reference::fourteen_cut_plant;

fn main() {
    let plant = fourteen_cut_plant(3700.0);
    let options = SolverOptions::default();
    let start = Instant::now();
    let solution = plant.solve(&options);
    let elapsed = start.elapsed();
    let mut stages = 0;
    for (unit, outcome) in plant.cascades.iter().zip(&solution.cascades) {
        let c = &unit.cascade;
        stages += c.stages();
        let t = Instant::now();
        let feed = outcome.result.as_ref().map(|s| s.feed.clone());
        let alone = feed.as_ref().ok().map(|f| {
            let _ = c.solve(&plant.systems[0].model, f, &options);
            t.elapsed()
        });
        match &outcome.result {
            Ok(s) => println!(
                "{:<22} {:>2} el {:>3}+{:<3} iter {:>4} sweeps {} alone {:?}",
                unit.name,
                s.elements.len(),
                c.extraction_stages,
                c.scrub_stages,
                s.convergence.iterations,
                s.convergence.sweeps,
                alone.unwrap()
            ),
            Err(e) => println!("{:<22} FAILED {e}", unit.name),
        }
    }
    for r in &solution.recycles {
        println!("{r}");
    }
    for p in &solution.products {
        println!(
            "{:<8} {:>10.4} %",
            p.spec.name,
            p.purity_pct.unwrap_or(f64::NAN)
        );
    }
    println!(
        "{} cascades, {stages} stages, closure {:.1e}, solved in {elapsed:?}",
        plant.cascades.len(),
        solution.mass_balance_max_rel_error
    );
}
