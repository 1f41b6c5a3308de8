//! Three-outlet cascades: part of one stage's aqueous drawn off as a third product. Checked
//! against the linear algebra of the constant-D balances solved independently, by mass
//! balance, by the limit of a vanishing draw, and by what a side draw is for: taking out a
//! middle element where it accumulates.

use nalgebra::{DMatrix, DVector};
use sxcascade::input::parse_flowsheet;
use sxcascade::{Element, SolverOptions};

use crate::support::SMEUGD;

/// A constant-D cascade: La, Ce, Pr at D = 0.5, 1.5, 4; 7 + 5 stages; O/A 1.2 and 2.0; R 1.5;
/// an aqueous side draw of 30 % at stage 5, in the extraction section.
const LINEAR: &str = r#"
name = "constant-D side draw"
[systems.d]
model = "constant_d"
distribution_ratios = { La = 0.5, Ce = 1.5, Pr = 4.0 }
[streams.feed]
flow_mol_per_h = 1.0
composition_mol = { La = 0.5, Ce = 0.3, Pr = 0.2 }
[[cascades]]
name = "C"
system = "d"
feed = "feed"
extraction_stages = 7
scrub_stages = 5
oa_ratio = 1.2
scrub_oa_ratio = 2.0
reflux_ratio = 1.5
raffinate = "raff"
extract = "ext"
side_draw = "middle"
side_draw_stage = 5
side_draw_fraction = 0.3
"#;

#[test]
fn a_linear_side_draw_cascade_is_its_balances_solved_directly() {
    linear_draw_is_its_balances_solved_directly(LINEAR, 5, false);
}

/// Solves the constant-D cascade of [`LINEAR`], with its draw of 30 % at `draw_stage` from the
/// aqueous or the organic, and checks every stage against the balances solved directly:
/// for stage j (1-based), `q(j-1) e(j-1) a(j-1) - (1 + e(j)) a(j) + p(j+1) a(j+1) = -f(j)`,
/// `p` (`q`) being 1 - fraction for the aqueous (organic) leaving the draw stage, with
/// `r e(N) a(N)` returned and `e = D O/A`; below an aqueous draw the aqueous volume, above an
/// organic one the organic volume, is 1 - fraction of what it was.
fn linear_draw_is_its_balances_solved_directly(text: &str, draw_stage: usize, organic: bool) {
    let flowsheet = parse_flowsheet("linear", text).unwrap();
    let solution = flowsheet.solve(&SolverOptions::default());
    let solved = solution.cascades[0].result.as_ref().unwrap();
    let (n, m, feed_stage, fraction) = (7, 5, 7, 0.3);
    let stages = n + m;
    let reflux = 1.5 / 2.5;
    for (i, (element, d, f)) in [
        (Element::La, 0.5, 0.5),
        (Element::Ce, 1.5, 0.3),
        (Element::Pr, 4.0, 0.2),
    ]
    .into_iter()
    .enumerate()
    {
        let e = |j: usize| {
            let oa = if j <= n { 1.2 } else { 2.0 };
            d * match organic {
                false if j < draw_stage => oa / (1.0 - fraction),
                true if j > draw_stage => oa * (1.0 - fraction),
                _ => oa,
            }
        };
        let at_draw = |j: usize, phase: bool| {
            if j == draw_stage && phase == organic {
                1.0 - fraction
            } else {
                1.0
            }
        };
        let mut a = DMatrix::zeros(stages, stages);
        let mut b = DVector::zeros(stages);
        for j in 1..=stages {
            let row = j - 1;
            a[(row, row)] = -(1.0 + e(j));
            if j > 1 {
                a[(row, row - 1)] = at_draw(j - 1, true) * e(j - 1);
            }
            if j < stages {
                a[(row, row + 1)] = at_draw(j + 1, false);
            } else {
                a[(row, row)] += reflux * e(j);
            }
            if j == feed_stage {
                b[row] = -f;
            }
        }
        let direct = a.lu().solve(&b).unwrap();
        for j in 0..stages {
            let got = solved.aqueous[(j, i)];
            assert!(
                (got - direct[j]).abs() <= 1e-12 * direct[j].abs().max(1e-3),
                "{element} stage {}: {got} vs {}",
                j + 1,
                direct[j]
            );
        }
        let leaving = direct[draw_stage - 1] * if organic { e(draw_stage) } else { 1.0 };
        let drawn = solution.streams["middle"].mol_per_h(element);
        assert!((drawn - fraction * leaving).abs() <= 1e-12, "{element}");
    }
    assert!(solution.mass_balance_max_rel_error < 1e-12);
}

/// Sm, Eu, Gd in P507 (beta Eu/Sm 2.0, Gd/Eu 1.5: the design values of flowsheets/README.md),
/// the extract sized for the Gd alone (S - W = 0.45), so that Eu, the middle element, has
/// nowhere clean to go but a side draw.
fn smeugd(draw: Option<(u32, f64)>) -> String {
    let draw = draw.map_or(String::new(), |(stage, fraction)| {
        format!("side_draw = \"Eu_middle\"\nside_draw_stage = {stage}\nside_draw_fraction = {fraction:?}\n")
    });
    format!(
        r#"name = "SmEuGd three-outlet"
{SMEUGD}extraction_stages = 30
scrub_stages = 30
extract_product_ratio = 0.45
reflux_ratio = 3.0
{draw}"#
    )
}

fn solve(text: &str) -> sxcascade::flowsheet::FlowsheetSolution {
    let flowsheet = parse_flowsheet("smeugd", text).unwrap();
    let solution = flowsheet.solve(&SolverOptions::default());
    assert!(
        solution.converged(),
        "{:?}",
        solution.cascades[0].result.as_ref().err()
    );
    solution
}

#[test]
fn a_side_draw_takes_the_middle_element_out_where_it_accumulates() {
    let two = solve(&smeugd(None));
    // Where Eu peaks in the aqueous of the two-outlet cascade.
    let profile = &two.cascades[0].result.as_ref().unwrap().aqueous;
    let share = |j: usize| profile[(j, 1)] / profile.row(j).sum();
    let peak = (0..profile.nrows())
        .max_by(|&a, &b| share(a).total_cmp(&share(b)))
        .unwrap();
    // Draw about the feed's Eu (0.1 mol per mol of feed) there.
    let fraction = 0.1 / profile.row(peak).sum();
    let three = solve(&smeugd(Some((peak as u32 + 1, fraction))));
    let middle = &three.streams["Eu_middle"];
    let feed_share = 0.10;
    let drawn_share = middle.purity_mol_pct(&[Element::Eu]) / 100.0;
    assert!(
        drawn_share > 3.0 * feed_share,
        "Eu is {drawn_share} of the draw"
    );
    let eu_in = |s: &sxcascade::flowsheet::FlowsheetSolution, name: &str| {
        s.streams[name].purity_mol_pct(&[Element::Eu])
    };
    // The draw recovers a good part of the Eu (0.54 here), and the Sm product, where Eu went
    // without it, carries much less (18 % -> 9.9 %). The Gd product is not cleaner: less
    // aqueous below the draw extracts more Eu into it (0.26 -> 0.29 %).
    assert!(middle.mol_per_h(Element::Eu) > 0.4 * 0.1);
    assert!(eu_in(&three, "Sm_rich") < 0.66 * eu_in(&two, "Sm_rich"));
    // Every element leaves by one of three outlets.
    outlets_carry_the_feed(&three);
    assert!(three.mass_balance_max_rel_error < 1e-10);
}

#[test]
fn a_vanishing_draw_is_the_two_outlet_cascade() {
    let two = solve(&smeugd(None));
    let three = solve(&smeugd(Some((30, 1e-9))));
    same_outlets(
        &two,
        &three,
        &[
            ("Sm_rich", Element::Sm),
            ("Gd_rich", Element::Gd),
            ("Gd_rich", Element::Eu),
        ],
    );
}

/// The element flows of `outlets` agree in `a` and `b` to 1e-7: a vanishing draw's cascade and
/// the two-outlet one.
/// Every element of the Sm/Eu/Gd feed leaves by one of the three outlets.
fn outlets_carry_the_feed(three: &sxcascade::flowsheet::FlowsheetSolution) {
    for e in [Element::Sm, Element::Eu, Element::Gd] {
        let out: f64 = ["Sm_rich", "Gd_rich", "Eu_middle"]
            .iter()
            .map(|s| three.streams[*s].mol_per_h(e))
            .sum();
        let fed = three.streams["feed"].mol_per_h(e);
        assert!((out - fed).abs() < 1e-10 * fed, "{e}: {out} vs {fed}");
    }
}

fn same_outlets(
    a: &sxcascade::flowsheet::FlowsheetSolution,
    b: &sxcascade::flowsheet::FlowsheetSolution,
    outlets: &[(&str, Element)],
) {
    for &(stream, e) in outlets {
        let (x, y) = (
            a.streams[stream].mol_per_h(e),
            b.streams[stream].mol_per_h(e),
        );
        assert!((x - y).abs() < 1e-7 * x, "{stream} {e}: {x} vs {y}");
    }
}

#[test]
fn bad_side_draws_are_errors_naming_the_field() {
    for (edit, says) in [
        (smeugd(Some((61, 0.5))), "side_draw_stage"),
        (smeugd(Some((30, 1.0))), "side_draw_fraction"),
        (
            smeugd(Some((10, 0.95))),
            "takes more than the cascade has to give",
        ),
        (
            smeugd(Some((30, 0.5))).replace("side_draw_stage = 30\n", ""),
            "missing side_draw_stage",
        ),
        (
            LINEAR.replace("side_draw_stage = 5", "side_draw_stage = 9"),
            "at or below the feed stage",
        ),
    ] {
        let errors = parse_flowsheet("smeugd", &edit).unwrap_err().to_string();
        assert!(errors.contains(says), "{says}: {errors}");
        assert!(errors.contains("smeugd:"), "{errors}");
    }
}

#[test]
fn a_side_draw_is_the_third_curve_of_its_cascade() {
    use sxcascade::curves::{CurveSource, Vs};
    let text = smeugd(Some((7, 0.0425)));
    let flowsheet = parse_flowsheet("smeugd", &text).unwrap();
    let template = sxcascade::input::FlowsheetTemplate::parse("smeugd", &text).unwrap();
    let source = CurveSource {
        template: &template,
        flowsheet: &flowsheet,
        options: SolverOptions::default(),
    };
    let curves = source
        .curves("SmGd", Vs::Reflux, Some((2.0, 6.0)), 5)
        .unwrap();
    let sides: Vec<(&str, Vec<Element>)> = curves
        .outlets
        .iter()
        .map(|o| (o.side, o.elements.clone()))
        .collect();
    assert_eq!(
        sides,
        [
            ("raffinate", vec![Element::Sm]),
            ("extract", vec![Element::Gd]),
            ("side draw", vec![Element::Eu]),
        ]
    );
    // At R = 3 the curve's draw is the file's draw, solved directly.
    let direct = solve(&text);
    let at_file = curves.points.iter().find(|p| p.x == 3.0).unwrap();
    let purity = at_file.values.as_ref().unwrap()[2].0;
    let expected = direct.streams["Eu_middle"].purity_pct(&[Element::Eu]);
    assert!(
        (purity - expected).abs() < 1e-9 * expected,
        "{purity} vs {expected}"
    );
}

/// The constant-D cascade of [`LINEAR`] with its draw taken from the organic instead: 30 % of
/// the organic leaving stage 9, in the scrub section.
#[test]
fn a_linear_organic_draw_is_its_balances_solved_directly() {
    let text = LINEAR
        .replace("side_draw_stage = 5", "side_draw_stage = 9")
        .replace(
            "side_draw_fraction = 0.3",
            "side_draw_fraction = 0.3\nside_draw_phase = \"organic\"",
        );
    assert!(text.contains("side_draw_phase"));
    linear_draw_is_its_balances_solved_directly(&text, 9, true);
}

/// [`smeugd`] with its draw taken from the loaded organic.
fn smeugd_organic(stage: u32, fraction: f64) -> String {
    smeugd(Some((stage, fraction))).replace(
        "side_draw_fraction",
        "side_draw_phase = \"organic\"\nside_draw_fraction",
    )
}

/// In the saturated model an organic draw leaves the organic above it as loaded as before, with
/// less of it: drawn from where Eu peaks in the organic it takes an Eu-rich stream, the three
/// outlets carry the feed, and a vanishing draw is the two-outlet cascade.
#[test]
fn an_organic_draw_takes_the_middle_element_from_the_loaded_organic() {
    let two = solve(&smeugd(None));
    let organic = &two.cascades[0].result.as_ref().unwrap().organic;
    let share = |j: usize| organic[(j, 1)] / organic.row(j).sum();
    let peak = (0..organic.nrows() - 1)
        .max_by(|&a, &b| share(a).total_cmp(&share(b)))
        .unwrap();
    // Draw about the feed's Eu (0.1 mol per mol of feed) from the organic there. The file
    // holds the extract at P = 0.45 with R = 3, so S = P (1 + R) / (1 - f), which the
    // saturated organic carries up to the draw: f S = 0.1 for f = 0.1 / 1.9.
    let three = solve(&smeugd_organic(peak as u32 + 1, 0.1 / 1.9));
    let middle = &three.streams["Eu_middle"];
    assert!(
        middle.purity_mol_pct(&[Element::Eu]) > 3.0 * 10.0,
        "{middle:?}"
    );
    assert!((middle.total_mol_per_h() - 0.1).abs() < 1e-9, "{middle:?}");
    outlets_carry_the_feed(&three);
    // The extract is what the draw leaves of the organic, less the scrub liquor: P.
    let extract = three.streams["Gd_rich"].total_mol_per_h();
    assert!((extract - 0.45).abs() < 1e-9, "{extract}");
    assert!(three.mass_balance_max_rel_error < 1e-10);

    let vanishing = solve(&smeugd_organic(peak as u32 + 1, 1e-9));
    same_outlets(
        &two,
        &vanishing,
        &[("Sm_rich", Element::Sm), ("Gd_rich", Element::Gd)],
    );
}

#[test]
fn bad_organic_draws_are_errors_naming_the_field() {
    for (edit, says) in [
        (smeugd_organic(60, 0.1), "organic draw must be below it"),
        (
            smeugd(Some((40, 0.5))).replace(
                "extract_product_ratio = 0.45\nreflux_ratio = 3.0",
                "extraction_ratio = 1.8\nscrub_ratio = 1.35\nside_draw_phase = \"organic\"",
            ),
            "must exceed the scrub ratio",
        ),
        (
            smeugd(Some((30, 0.1))).replace(
                "side_draw_fraction",
                "side_draw_phase = \"vapour\"\nside_draw_fraction",
            ),
            "must be \"aqueous\" or \"organic\"",
        ),
        (
            smeugd(None).replace(
                "extract = \"Gd_rich\"",
                "extract = \"Gd_rich\"\nside_draw_phase = \"organic\"",
            ),
            "`side_draw_phase` without a side draw",
        ),
        (
            smeugd_organic(20, 0.1).replace(
                "feed = \"feed\"",
                "feed = \"feed\"\nfeed_phase = \"organic\"\nfeed_stage = 30",
            ),
            "must be at or above the feed stage",
        ),
    ] {
        let errors = parse_flowsheet("smeugd", &edit).unwrap_err().to_string();
        assert!(errors.contains(says), "{says}: {errors}");
        assert!(errors.contains("smeugd:"), "{errors}");
    }
}
