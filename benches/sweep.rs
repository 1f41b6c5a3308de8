//! Sweep throughput: the README's "Sweeps" rows. `cargo bench --bench sweep`
//!
//! - The file format's example binary (Pr/Nd, beta 1.5, 24 + 21 stages, S 1.7086), reflux swept
//!   from 2.2 to 2.8: cases per second on 1 and on 2 threads (target 100,000 /s on 2; their
//!   ratio is the parallel efficiency, target >= 85 %), warm-started and cold;
//! - the reference plant, Pr_Nd scrub stages x reflux: time per case (a 10,000-case grid
//!   in under 60 s needs under 12 ms per case on two cores).

use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

use sxcascade::SolverOptions;
use sxcascade::input::FlowsheetTemplate;
use sxcascade::sweep::{Axis, Sweep, SweepPlan, block_count};

/// The file format's example flowsheet (its splitter left out).
const BINARY_45: &str = r#"
name = "Pr/Nd split, P507-HCl (file format example)"
[systems.p507]
separation_factors = { Pr = 1.0, Nd = 1.5 }
[streams.feed]
flow_mol_per_h = 1.0
composition_mol = { Pr = 0.25, Nd = 0.75 }
[[cascades]]
name = "PrNd"
system = "p507"
feed = "feed"
extraction_stages = 24
scrub_stages = 21
extraction_ratio = 1.7086
reflux_ratio = 2.4142
raffinate = "Pr_rich"
extract = "Nd_rich"
[[products]]
name = "Nd2O3"
stream = "Nd_rich"
element = "Nd"
min_purity_pct = 99.9
"#;

fn sweep<'a>(template: FlowsheetTemplate<'a>, vary: &[&str]) -> Sweep<'a> {
    let plan = SweepPlan {
        axes: vary.iter().map(|v| Axis::parse(v).unwrap()).collect(),
        monte_carlo: None,
    };
    Sweep::new(template, plan, SolverOptions::default()).unwrap()
}

fn binary(c: &mut Criterion) {
    let template = FlowsheetTemplate::parse("binary_45", BINARY_45).unwrap();
    let sweep = sweep(template, &["cascades.PrNd.reflux_ratio=2.2:2.8:4096"]);
    let blocks = block_count(sweep.plan.cases().unwrap());
    let mut group = c.benchmark_group("sweep_binary_45");
    group.throughput(Throughput::Elements(4096));
    group.measurement_time(Duration::from_secs(10));
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        for (warm, label) in [(true, "warm"), (false, "cold")] {
            group.bench_function(format!("{threads}_threads_{label}"), |b| {
                b.iter(|| pool.install(|| sweep.run_blocks(0..blocks, warm, &|_| {})))
            });
        }
    }
    group.finish();
}

fn plant(c: &mut Criterion) {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("flowsheets/reference_plant.toml"),
    )
    .unwrap();
    let template = FlowsheetTemplate::parse("reference_plant", &text).unwrap();
    // 4 x 16 cases of the 100 x 100 grid the README times with the command line.
    let sweep = sweep(
        template,
        &[
            "cascades.Pr_Nd.scrub_stages=20,45,70,95",
            "cascades.Pr_Nd.reflux_ratio=3.5:4.5:16",
        ],
    );
    let blocks = block_count(sweep.plan.cases().unwrap());
    let mut group = c.benchmark_group("sweep_reference_plant");
    group.throughput(Throughput::Elements(64));
    group.sample_size(10);
    group.bench_function("2_threads_warm", |b| {
        b.iter(|| sweep.run_blocks(0..blocks, true, &|_| {}))
    });
    group.finish();
}

criterion_group! {
    name = benches;
    // No HTML plots: criterion would draw them with plotters' text, which here is set in the
    // font sxcascade registers (src/plot), not a system font.
    config = Criterion::default().without_plots();
    targets = binary, plant
}
criterion_main!(benches);
