//! The reference plant's design to a confidence: `cargo bench --bench plant_confidence_design`
//!
//! `sxcascade design flowsheets/reference_plant_design.toml`, as the library runs it: every cut
//! to its own targets in 95 % of 200 samples of its factors, then the plant until every product
//! is on spec in 95 % of 400 joint samples with two standard errors to spare (docs/design.md,
//! "Designs to a confidence"). One design takes seconds, so criterion's fewest samples (10),
//! one design each, and no warm-up beyond one design: about two minutes on two free cores.

use std::time::Duration;

use criterion::{Criterion, SamplingMode, criterion_group, criterion_main};

use sxcascade::SolverOptions;
use sxcascade::design::design_plant;
use sxcascade::input::parse_flowsheet_for_design;

fn reference_plant(c: &mut Criterion) {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/flowsheets/reference_plant_design.toml"
    );
    let text = std::fs::read_to_string(path).unwrap();
    let flowsheet = parse_flowsheet_for_design(path, &text).unwrap();
    let options = SolverOptions::default();
    let mut group = c.benchmark_group("plant_confidence_design");
    group.sample_size(10);
    group.sampling_mode(SamplingMode::Flat);
    group.warm_up_time(Duration::from_millis(1));
    group.measurement_time(Duration::from_secs(60));
    group.bench_function("reference_plant", |b| {
        b.iter(|| {
            let design = design_plant(&flowsheet, &options).unwrap();
            assert!(design.products.is_some());
            design
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    // No HTML plots, as in benches/sweep.rs.
    config = Criterion::default().without_plots();
    targets = reference_plant
}
criterion_main!(benches);
