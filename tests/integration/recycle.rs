//! Recycle loops: closed-form answers for linear (constant distribution ratio) loops, where the
//! recycle sums as a geometric series, and the balances of a converged nonlinear loop.

use sxcascade::SolverOptions;
use sxcascade::flowsheet::{Flowsheet, UnitId, sequence};
use sxcascade::input::parse_flowsheet;
use sxcascade::theory::kremser_raffinate_fraction;

/// Element, distribution ratio, fresh feed mol/h.
const D: [(&str, f64, f64); 3] = [("La", 0.4, 1.0), ("Ce", 1.0, 2.0), ("Pr", 2.5, 1.0)];

fn parse(text: &str) -> Flowsheet {
    parse_flowsheet("test.toml", text).unwrap_or_else(|e| panic!("{e}"))
}

/// A Kremser train (constant D, O/A = 1, `stages` stages, no scrub) on 1, 2 and 1 mol/h of
/// La, Ce and Pr, and whatever `network` adds.
fn kremser_flowsheet(stages: u32, network: &str) -> String {
    format!(
        r#"
name = "linear loop"
[systems.d]
model = "constant_d"
distribution_ratios = {{ La = 0.4, Ce = 1.0, Pr = 2.5 }}
[streams.fresh]
flow_mol_per_h = 4.0
composition_mol = {{ La = 0.25, Ce = 0.5, Pr = 0.25 }}
[[cascades]]
name = "A"
system = "d"
extraction_stages = {stages}
scrub_stages = 0
oa_ratio = 1.0
{network}
"#
    )
}

/// The Kremser train with a fraction `r` of its raffinate (`raff`) split back to its feed
/// (`back`); the rest leaves as `out`.
fn raffinate_recycle(stages: u32, r: f64) -> String {
    kremser_flowsheet(
        stages,
        &format!(
            r#"feed = ["fresh", "back"]
raffinate = "raff"
extract = "ext"
[[splitters]]
name = "split"
inlet = "raff"
outlets = {{ back = {r}, out = {} }}"#,
            1.0 - r
        ),
    )
}

fn assert_close(what: &str, got: f64, expected: f64) {
    let error = (got - expected).abs() / expected;
    assert!(
        error < 1e-10,
        "{what}: {got} vs {expected} (relative {error:.1e})"
    );
}

/// A fraction r of the raffinate returns to the feed. Per pass the cascade leaves phi (Kremser)
/// of an element in its raffinate, so the feed sums to F / (1 - r phi), the raffinate leaving
/// to (1 - r) phi F / (1 - r phi) and the extract to (1 - phi) F / (1 - r phi).
#[test]
fn raffinate_recycle_sums_as_a_geometric_series() {
    let stages = 4;
    for r in [0.1, 0.5, 0.9] {
        let text = raffinate_recycle(stages, r);
        let flowsheet = parse(&text);
        let solution = flowsheet.solve(&SolverOptions::default());
        assert!(solution.converged(), "{:?}", solution.recycles);
        assert!(solution.mass_balance_max_rel_error < 1e-10);
        let [recycle] = &solution.recycles[..] else {
            panic!("one loop")
        };
        assert_eq!(recycle.tears, ["back"]);
        for (symbol, d, fresh) in D {
            let e: sxcascade::Element = symbol.parse().unwrap();
            let phi = kremser_raffinate_fraction(d, stages);
            let fed = fresh / (1.0 - r * phi);
            assert_close(
                "out",
                solution.streams["out"].mol_per_h(e),
                (1.0 - r) * phi * fed,
            );
            assert_close(
                "ext",
                solution.streams["ext"].mol_per_h(e),
                (1.0 - phi) * fed,
            );
            assert_close("back", solution.streams["back"].mol_per_h(e), r * phi * fed);
        }
    }
}

/// A loop that returns 98 % of its La each pass (D_La = 0.01, 99 % of the raffinate back)
/// still converges in a few passes, to the geometric sum.
#[test]
fn a_loop_returning_nearly_everything_converges_to_its_sum() {
    let text = raffinate_recycle(4, 0.99).replace("La = 0.4,", "La = 0.01,");
    let solution = parse(&text).solve(&SolverOptions::default());
    assert!(solution.converged(), "{:?}", solution.recycles);
    assert!(
        solution.recycles[0].iterations <= 10,
        "{:?}",
        solution.recycles
    );
    let phi = kremser_raffinate_fraction(0.01, 4);
    assert!(0.99 * phi > 0.98);
    let fed = 1.0 / (1.0 - 0.99 * phi);
    let la: sxcascade::Element = "La".parse().unwrap();
    assert_close(
        "out",
        solution.streams["out"].mol_per_h(la),
        0.01 * phi * fed,
    );
}

/// Two cascades feeding each other with no splitter: A's raffinate feeds B, B's extract
/// returns to A. A's feed sums to F / (1 - phi_A (1 - phi_B)).
#[test]
fn loop_of_two_cascades_matches_its_closed_form() {
    let (n_a, n_b) = (3, 5);
    let text = kremser_flowsheet(
        n_a,
        &format!(
            r#"feed = ["fresh", "B_ext"]
raffinate = "A_raff"
extract = "A_ext"
[[cascades]]
name = "B"
system = "d"
feed = "A_raff"
extraction_stages = {n_b}
scrub_stages = 0
oa_ratio = 0.7
raffinate = "B_raff"
extract = "B_ext""#
        ),
    );
    let flowsheet = parse(&text);
    let blocks = sequence(&flowsheet);
    assert_eq!(blocks.len(), 1);
    assert_eq!(blocks[0].units, [UnitId::Cascade(0), UnitId::Cascade(1)]);
    assert_eq!(blocks[0].tears, ["B_ext"]);
    let solution = flowsheet.solve(&SolverOptions::default());
    assert!(solution.converged(), "{:?}", solution.recycles);
    for (symbol, d, fresh) in D {
        let e: sxcascade::Element = symbol.parse().unwrap();
        let phi_a = kremser_raffinate_fraction(d, n_a);
        let phi_b = kremser_raffinate_fraction(d * 0.7, n_b);
        let fed = fresh / (1.0 - phi_a * (1.0 - phi_b));
        assert_close(
            "A_ext",
            solution.streams["A_ext"].mol_per_h(e),
            (1.0 - phi_a) * fed,
        );
        assert_close(
            "B_raff",
            solution.streams["B_raff"].mol_per_h(e),
            phi_a * phi_b * fed,
        );
    }
}

fn light_recycle() -> Flowsheet {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/flowsheets/light_recycle.toml");
    parse_flowsheet(path, &std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The shipped nonlinear loop: every stage of every cascade and the flowsheet as a whole
/// balance, and the torn stream is what its splitter makes of its inlet.
#[test]
fn shipped_recycle_converges_with_every_balance_closed() {
    let flowsheet = light_recycle();
    let solution = flowsheet.solve(&SolverOptions::default());
    assert!(solution.converged() && solution.all_products_meet_spec());
    assert!(
        solution.mass_balance_max_rel_error < 1e-10,
        "{}",
        solution.mass_balance_max_rel_error
    );
    let [recycle] = &solution.recycles[..] else {
        panic!("one loop")
    };
    assert_eq!(recycle.tears, ["Pr_rework"]);
    assert!(recycle.residual <= sxcascade::flowsheet::RECYCLE_TOLERANCE);
    for outcome in &solution.cascades {
        let s = outcome.result.as_ref().unwrap();
        assert!(s.mass_balance.worst_stage < 1e-10 && s.mass_balance.overall < 1e-10);
    }
    let first = solution.cascades[0].result.as_ref().unwrap();
    let fed = |e| flowsheet.feeds["feed"].mol_per_h(e) + solution.streams["Pr_rework"].mol_per_h(e);
    for (e, f) in first.feed.flows() {
        assert!(
            (f - fed(e)).abs() <= 1e-12 * f,
            "{e}: the loop's cascade was fed its mix"
        );
    }
    for (e, f) in solution.streams["Pr_raffinate"].flows() {
        let split =
            solution.streams["Pr_rework"].mol_per_h(e) + solution.streams["Pr_rich"].mol_per_h(e);
        assert!((split - f).abs() <= 1e-14 * f);
    }
}

#[test]
fn a_loop_out_of_passes_is_reported_with_its_stream_and_residual() {
    let options = SolverOptions {
        recycle_max_iterations: 3,
        ..SolverOptions::default()
    };
    let solution = light_recycle().solve(&options);
    assert!(!solution.converged());
    let recycle = &solution.recycles[0];
    assert!(!recycle.converged);
    assert_eq!(
        (recycle.iterations, recycle.worst_tear.as_str()),
        (3, "Pr_rework")
    );
    assert!(recycle.residual > sxcascade::flowsheet::RECYCLE_TOLERANCE);
    // Nothing computed from unconverged flows is shown as a result.
    assert!(!solution.streams.contains_key("Nd_rich"));
    assert!(
        solution
            .products
            .iter()
            .all(|p| !p.meets_spec && p.purity_pct.is_none())
    );
}
