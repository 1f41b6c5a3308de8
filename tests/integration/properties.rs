//! Properties over random cascades (proptest).

use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};

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

fn purities(beta: f64, f: f64, n: usize, m: usize, s: f64, w: f64) -> (f64, f64) {
    let case = sxcascade::reference::binary(beta, f, n, m, s, w / (s - w));
    let solved = case.cascade.solve(&case.model, &case.feed, &SolverOptions::default()).unwrap();
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
