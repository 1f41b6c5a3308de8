//! Solve times of cascades beyond Xu's ideal model: Murphree stages and the acid-aware
//! `ph_correlation` and `mass_action` stage equations, each beside the 45-stage binary in the
//! same run so that the README can give them as ratios. `cargo bench --bench chemistry`

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};

use sxcascade::equilibrium::PhCorrelation;
use sxcascade::reference::{self, Case};
use sxcascade::solver::{AcidProblem, AcidSections, solve_acid};
use sxcascade::{Cascade, Element, SolverOptions};

fn solve(case: &Case) -> f64 {
    let solved = case
        .cascade
        .solve(&case.model, &case.feed, &SolverOptions::default())
        .expect("reference case converges");
    solved.mass_balance.overall
}

fn with_efficiency(case: &Case, efficiency: f64) -> Case {
    Case {
        cascade: Cascade {
            stage_efficiency: efficiency,
            ..case.cascade.clone()
        },
        ..case.clone()
    }
}

fn murphree(c: &mut Criterion) {
    let mut group = c.benchmark_group("murphree");
    let binary_45 = reference::binary(1.5, 0.75, 24, 21, 1.7086, 2.4142);
    group.bench_function("binary_45_stages_ideal", |b| {
        b.iter(|| solve(black_box(&binary_45)))
    });
    let binary = with_efficiency(&binary_45, 0.9);
    group.bench_function("binary_45_stages_e0.9", |b| {
        b.iter(|| solve(black_box(&binary)))
    });
    let cut = with_efficiency(&reference::fifteen_element_cut(100), 0.9);
    group.bench_function("15x100_e0.9", |b| b.iter(|| solve(black_box(&cut))));
    // The dense cut of `solver`'s bench (15 elements of equal feed, adjacent beta 1.6), unlike
    // the trace-dominated one above: every element is a major.
    let dense = with_efficiency(
        &reference::survey::dense_cut(15, 1.6, 50, 50, 1.2, 0.7),
        0.9,
    );
    group.bench_function("dense_15x100_e0.9", |b| b.iter(|| solve(black_box(&dense))));
    group.finish();
}

/// A PrOMMiS-style leach liquor (its default REE concentrations times 30, tests/data/prommis)
/// in 5 % DEHPA at O/A 1: La, Ce, Pr, Nd over 50 stages.
fn acid(c: &mut Criterion) {
    let coefficients = reference::uky_dehpa_coefficients();
    let elements = [Element::La, Element::Ce, Element::Pr, Element::Nd];
    let mg_per_l = [0.986, 2.277, 0.303, 0.946];
    let molar_mass = [138.905, 140.116, 140.907, 144.242];
    let flow = 62.01;
    let feed: Vec<f64> = mg_per_l
        .iter()
        .zip(molar_mass)
        .map(|(c, m)| 30.0 * c / 1000.0 / m * flow)
        .collect();
    let coefficients: Vec<_> = elements.iter().map(|e| coefficients[e]).collect();
    let inlet = vec![0.0; 4];
    let dose = 5.0;
    let model = PhCorrelation::dehpa(coefficients.clone(), dose);
    let problem = AcidProblem {
        equilibrium: &model,
        feed: &feed,
        organic_inlet: &inlet,
        stages: 50,
        aqueous_l_per_h: flow,
        organic_l_per_h: flow,
        feed_acid_mol_per_h: 0.01075 * flow,
        efficiency: 1.0,
        sections: AcidSections::default(),
    };
    let options = SolverOptions::default();
    let mut group = c.benchmark_group("ph_correlation");
    let binary_45 = reference::binary(1.5, 0.75, 24, 21, 1.7086, 2.4142);
    group.bench_function("binary_45_stages_ideal", |b| {
        b.iter(|| solve(black_box(&binary_45)))
    });
    group.bench_function("4x50", |b| {
        b.iter(|| {
            solve_acid(black_box(&problem), &options)
                .expect("converges")
                .status
                .residual
        })
    });
    group.finish();
}

/// Fifteen rare earths over 100 stages of saponified P507 by mass action
/// (`reference::mass_action_extraction`: 16 species with the sodium, 33 unknowns a stage),
/// beside the 45-stage binary.
fn mass_action(c: &mut Criterion) {
    let mut group = c.benchmark_group("mass_action");
    let binary_45 = reference::binary(1.5, 0.75, 24, 21, 1.7086, 2.4142);
    group.bench_function("binary_45_stages_ideal", |b| {
        b.iter(|| solve(black_box(&binary_45)))
    });
    let cut = reference::mass_action_extraction(100);
    group.bench_function("15x100", |b| b.iter(|| solve(black_box(&cut))));
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().without_plots().measurement_time(Duration::from_secs(3));
    targets = murphree, acid, mass_action
}
criterion_main!(benches);
