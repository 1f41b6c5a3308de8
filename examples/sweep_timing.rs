//! Throughput of a sweep of the binary Pr/Nd flowsheet at 45 stages (24 + 21), reflux varied:
//! cases per second, warm and cold, one thread and all.
use std::time::Instant;

use sxcascade::SolverOptions;
use sxcascade::input::FlowsheetTemplate;
use sxcascade::sweep::{Axis, Sweep, SweepPlan, block_count};

fn main() {
    let text = std::fs::read_to_string("flowsheets/prnd_binary.toml").unwrap();
    let template = FlowsheetTemplate::parse("prnd_binary.toml", &text).unwrap();
    let plan = SweepPlan {
        axes: vec![
            Axis::parse("cascades.PrNd.extraction_stages=24").unwrap(),
            Axis::parse("cascades.PrNd.scrub_stages=21").unwrap(),
            Axis::parse("cascades.PrNd.reflux_ratio=3:6:20000").unwrap(),
        ],
        monte_carlo: None,
    };
    let sweep = Sweep::new(template, plan, SolverOptions::default()).unwrap();
    let blocks = block_count(sweep.plan.cases().unwrap());
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        for warm in [false, true] {
            let t = Instant::now();
            let rows = pool.install(|| sweep.run_blocks(0..blocks, warm, &|_| {}));
            let s = t.elapsed().as_secs_f64();
            let it: usize = rows.iter().map(|r| r.iterations).sum();
            println!(
                "threads {threads} warm {warm}: {:.0} cases/s ({} cases, {:.2} it/case)",
                rows.len() as f64 / s,
                rows.len(),
                it as f64 / rows.len() as f64
            );
        }
    }
}
