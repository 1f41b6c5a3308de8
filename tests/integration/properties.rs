//! Properties over random cascades (proptest).

use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};

use sxcascade::reference::{Case, DesignedCut};
use sxcascade::{Element, SolverOptions};

/// Fixed seed: CI runs the same cases every time; `examples/stress.rs` surveys many more.
fn config(cases: u32) -> Config {
    Config {
        cases,
        rng_seed: RngSeed::Fixed(20261123),
        failure_persistence: None,
        ..Config::default()
    }
}

/// A random multicomponent cascade an engineer could run: 2-15 elements with separation
/// factors 1.05-20 relative to the least extractable, a key pair, an extract that is Xu's
/// product fraction for purities of 95-99.9 % of the two groups, a reflux ratio 1.2-4 times
/// Xu's optimum for that pair, and 1-300 stages.
fn cascades() -> impl Strategy<Value = Case> {
    (2usize..=15)
        .prop_flat_map(|c| {
            (
                prop::collection::vec(1.05f64..20.0, c - 1),
                prop::collection::vec(1e-2f64..1.0, c),
                1usize..c,
                1usize..=300,
                0.0f64..1.0,
                1.2f64..4.0,
                0.95f64..0.999,
            )
        })
        .prop_map(
            |(mut betas, fractions, cut, total, split, factor, purity)| {
                betas.push(1.0);
                betas.sort_by(f64::total_cmp);
                let n = ((split * total as f64) as usize).clamp(1, total);
                DesignedCut {
                    feed_fractions: fractions[..betas.len()].to_vec(),
                    separation_factors: betas,
                    cut,
                    purity,
                    reflux_factor: factor,
                    extraction_stages: n,
                    scrub_stages: total - n,
                }
                .case()
            },
        )
}

proptest! {
    #![proptest_config(config(32))]

    /// Reflux ratios up to 1e4, a hundred times any plant's: beyond, the internal flux
    /// (1 + R) P F puts the rounding of each stage's balance, 1e-16 (1 + R) of the feed, above
    /// what hundreds of stages can sum to within 1e-10 (the seeded set has one such case, R =
    /// 2.9e5 over 266 stages, closing to 1.04e-10; examples/stress.rs and the README's
    /// robustness table report those).
    #[test]
    fn mass_balance_closes_on_random_cascades(case in cascades()) {
        if let sxcascade::OperatingPoint::Fluxes { extraction_ratio: s, scrub_ratio: w } =
            case.cascade.operating_point
        {
            prop_assume!(w / (s - w) <= 1e4);
        }
        let solved = case.cascade.solve(&case.model, &case.feed, &SolverOptions::default());
        let solved = solved.map_err(|e| TestCaseError::fail(format!("{e}")))?;
        prop_assert!(solved.mass_balance.overall < 1e-10, "{:?}", solved.mass_balance);
        prop_assert!(solved.mass_balance.worst_stage < 1e-10, "{:?}", solved.mass_balance);
    }
}

fn purities(beta: f64, f: f64, n: usize, m: usize, s: f64, w: f64) -> (f64, f64) {
    let case = sxcascade::reference::binary(beta, f, n, m, s, w / (s - w));
    let solved = case
        .cascade
        .solve(&case.model, &case.feed, &SolverOptions::default())
        .unwrap();
    (
        solved.extract.purity_mol_pct(&[Element::Nd]),
        solved.raffinate.purity_mol_pct(&[Element::Pr]),
    )
}

proptest! {
    #![proptest_config(config(48))]

    /// At fixed S and W the products' fluxes are fixed, so a further stage in either section
    /// can only sharpen the split: neither purity may fall.
    #[test]
    fn binary_purity_never_falls_when_a_stage_is_added(
        beta in 1.1f64..5.0,
        f in 0.1f64..0.9,
        p in 0.1f64..0.9,
        r in 0.3f64..10.0,
        n in 1usize..40,
        m in 1usize..40,
    ) {
        let (s, w) = (r * p + p, r * p);
        let (a0, b0) = purities(beta, f, n, m, s, w);
        for (a, b) in [purities(beta, f, n + 1, m, s, w), purities(beta, f, n, m + 1, s, w)] {
            prop_assert!(a >= a0 - 1e-9 && b >= b0 - 1e-9, "({a0}, {b0}) -> ({a}, {b})");
        }
    }
}
