//! Solve times of reference cascades (src/reference/); the README's performance table.
//! `cargo bench --bench solver`

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};

use sxcascade::SolverOptions;
use sxcascade::reference::{self, Case};

fn solve(case: &Case) -> f64 {
    let solved = case
        .cascade
        .solve(&case.model, &case.feed, &SolverOptions::default())
        .expect("reference case converges");
    solved.mass_balance.overall
}

fn cascades(c: &mut Criterion) {
    let mut group = c.benchmark_group("solve");
    // The file format's example: Pr/Nd, beta 1.5, 24 + 21 stages, S 1.7086, R 2.4142.
    let binary_45 = reference::binary(1.5, 0.75, 24, 21, 1.7086, 2.4142);
    group.bench_function("binary_45_stages", |b| {
        b.iter(|| solve(black_box(&binary_45)))
    });
    let prnd = reference::prnd_design();
    group.bench_function("binary_53_stages_xu_design", |b| {
        b.iter(|| solve(black_box(&prnd)))
    });
    let kremser = reference::kremser(1.5, 60);
    group.bench_function("kremser_60_stages", |b| {
        b.iter(|| solve(black_box(&kremser)))
    });
    let close = reference::binary(1.05, 0.5, 250, 250, 50.5, 100.0);
    group.bench_function("binary_500_stages_beta_1.05", |b| {
        b.iter(|| solve(black_box(&close)))
    });
    group.finish();

    let mut heavy = c.benchmark_group("solve_15_elements");
    heavy
        .sample_size(10)
        .measurement_time(Duration::from_secs(20));
    for stages in [100, 200, 500] {
        let case = reference::fifteen_element_cut(stages);
        heavy.bench_function(format!("{stages}_stages"), |b| {
            b.iter(|| solve(black_box(&case)))
        });
    }
    heavy.finish();

    // Issue 24's dense cuts: 15 elements of equal feed, adjacent factor 1.6, S 1.2, W 0.7.
    // Ratios are taken against binary_45_stages of the same run.
    let mut dense = c.benchmark_group("solve_dense");
    dense
        .sample_size(10)
        .measurement_time(Duration::from_secs(5));
    let dense_100 = reference::survey::dense_cut(15, 1.6, 50, 50, 1.2, 0.7);
    dense.bench_function("15x100", |b| b.iter(|| solve(black_box(&dense_100))));
    let dense_1000 = reference::survey::dense_cut(15, 1.6, 500, 500, 1.2, 0.7);
    dense.bench_function("15x1000", |b| b.iter(|| solve(black_box(&dense_1000))));
    dense.finish();
}

/// Issue 3's target: a plant-sized network, 14 cascades and about 1,000 stages with one
/// recycle loop, in under 20 ms.
fn flowsheets(c: &mut Criterion) {
    let mut group = c.benchmark_group("flowsheet");
    group
        .sample_size(20)
        .measurement_time(Duration::from_secs(10));
    let plant = reference::fourteen_cut_plant(3700.0);
    let stages: usize = plant.cascades.iter().map(|u| u.cascade.stages()).sum();
    group.bench_function(
        format!("plant_14_cascades_{stages}_stages_1_recycle"),
        |b| {
            b.iter(|| {
                let solution = black_box(&plant).solve(&SolverOptions::default());
                assert!(solution.converged());
                solution.mass_balance_max_rel_error
            })
        },
    );
    group.finish();
}

criterion_group! {
    name = benches;
    // No HTML plots: criterion would draw them with plotters' text, which here is set in the
    // font sxcascade registers (src/plot), not a system font.
    config = Criterion::default().without_plots();
    targets = cascades, flowsheets
}
criterion_main!(benches);
