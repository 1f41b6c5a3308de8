//! Murphree stage efficiency: the closed form for constant D, the stage equations solved
//! independently for the saturated model, ideal stages to the bit, and the file's field.

use nalgebra::{DMatrix, DVector};
use sxcascade::cascade::{Cascade, CascadeSolution, Draw, DrawPhase, FeedPhase, SystemModel};
use sxcascade::reference;
use sxcascade::stream::Stream;
use sxcascade::theory::{kremser_murphree_raffinate_fraction, kremser_raffinate_fraction};
use sxcascade::{Element, SolverOptions};

use super::support::sxcascade;

fn with_efficiency(cascade: &Cascade, efficiency: f64) -> Cascade {
    Cascade {
        stage_efficiency: efficiency,
        ..cascade.clone()
    }
}

/// Kremser's equation with Murphree stages, `(E - 1) / (E r^N - 1)`, `r = 1 + eff (E - 1)`,
/// over extraction factors either side of 1 and 1 itself.
#[test]
fn constant_d_stages_follow_kremser_with_murphree_efficiency() {
    for e in [0.3, 0.8, 1.0, 1.5, 3.0] {
        for n in [1, 2, 5, 13, 40] {
            for efficiency in [0.3, 0.7, 0.9, 1.0] {
                let case = reference::kremser(e, n);
                let cascade = with_efficiency(&case.cascade, efficiency);
                let solved = cascade
                    .solve(&case.model, &case.feed, &SolverOptions::default())
                    .unwrap();
                let simulated = solved.raffinate.mol_per_h(Element::Nd);
                let exact = kremser_murphree_raffinate_fraction(e, efficiency, n as u32);
                let error = (simulated - exact).abs() / exact;
                assert!(
                    error < 1e-10,
                    "E = {e}, N = {n}, efficiency {efficiency}: {simulated} vs {exact} ({error:.1e})"
                );
            }
            // At efficiency 1 the closed form is Kremser's own.
            let ideal = kremser_raffinate_fraction(e, n as u32);
            let murphree = kremser_murphree_raffinate_fraction(e, 1.0, n as u32);
            assert!((ideal - murphree).abs() < 1e-12 * ideal, "E = {e}, N = {n}");
        }
    }
}

/// Efficiency 1 is the ideal cascade to the bit, on every model and with a side draw.
#[test]
fn ideal_stages_are_the_ideal_cascade_to_the_bit() {
    let cases = [
        reference::fifteen_element_cut(100),
        reference::prnd_design(),
        reference::kremser(1.5, 8),
    ];
    for case in cases {
        let options = SolverOptions::default();
        let ideal = case
            .cascade
            .solve(&case.model, &case.feed, &options)
            .unwrap();
        let one = with_efficiency(&case.cascade, 1.0)
            .solve(&case.model, &case.feed, &options)
            .unwrap();
        assert_eq!(ideal.aqueous, one.aqueous);
        assert_eq!(ideal.organic, one.organic);
    }
}

/// A four-element saturated cascade with an aqueous side draw: the stage equations
/// (balances of docs/model.md section 2, Murphree's relation with the saturated equilibrium
/// of section 3) are written out here and solved by plain Newton with a finite-difference
/// Jacobian and a dense LU, over all `2 N C` unknowns at once; the solver's profiles must
/// agree to 1e-9 of each element's feed.
#[test]
fn saturated_murphree_stages_match_the_stage_equations_solved_directly() {
    let betas = [1.0, 1.8, 2.9, 4.4];
    let elements = [Element::La, Element::Ce, Element::Pr, Element::Nd];
    let model = SystemModel::Saturated {
        separation_factors: elements.iter().copied().zip(betas).collect(),
    };
    let feed = Stream::new(elements.iter().copied().zip([0.3, 0.2, 0.1, 0.4]));
    for (efficiency, phase, draw) in [
        (0.8, FeedPhase::Aqueous, None),
        (0.55, FeedPhase::Aqueous, Some(Draw::aqueous(3, 0.3))),
        (0.7, FeedPhase::Organic, None),
        (
            0.9,
            FeedPhase::Aqueous,
            Some(Draw {
                stage: 9,
                fraction: 0.2,
                phase: DrawPhase::Organic,
            }),
        ),
    ] {
        let s = if phase == FeedPhase::Organic {
            1.9
        } else {
            1.1
        };
        let cascade = Cascade {
            extraction_stages: 6,
            scrub_stages: 6,
            feed_stage: None,
            feed_phase: phase,
            operating_point: sxcascade::cascade::OperatingPoint::from_reflux_ratio(s, 1.6),
            side_draw: draw,
            stage_efficiency: efficiency,
        };
        let options = SolverOptions::default();
        let solved = cascade.solve(&model, &feed, &options).unwrap();
        let direct = solve_directly(&cascade, &betas, &feed, &solved);
        let n = cascade.stages();
        for j in 0..n {
            for i in 0..4 {
                let f = feed.mol_per_h(elements[i]);
                let (a, o) = (solved.aqueous[[j, i]], solved.organic[[j, i]]);
                let (da, dox) = (direct[j * 8 + i], direct[j * 8 + 4 + i]);
                assert!(
                    (a - da).abs() < 1e-9 * f && (o - dox).abs() < 1e-9 * f,
                    "efficiency {efficiency}, {phase:?}, {draw:?}, stage {}, {}: {a} vs {da}, {o} vs {dox}",
                    j + 1,
                    elements[i]
                );
            }
        }
        assert!(
            solved.mass_balance.overall < 1e-10 && solved.mass_balance.worst_stage < 1e-10,
            "{:?}",
            solved.mass_balance
        );
    }
}

/// The stage equations of a saturated Murphree cascade, written from docs/model.md and
/// solved by Newton's method with a finite-difference Jacobian from the solver's answer
/// perturbed by 5 %. Unknowns stage-major: 4 aqueous, then 4 organic fluxes.
fn solve_directly(
    cascade: &Cascade,
    betas: &[f64; 4],
    feed: &Stream,
    start: &CascadeSolution,
) -> Vec<f64> {
    let n = cascade.stages();
    let f = cascade.feed_stage() - 1;
    let fed: Vec<f64> = start.elements.iter().map(|e| feed.mol_per_h(*e)).collect();
    let sxcascade::cascade::OperatingPoint::Fluxes {
        extraction_ratio: s,
        scrub_ratio: w,
    } = cascade.operating_point
    else {
        unreachable!()
    };
    let draw = cascade.side_draw;
    let kept_up = |j: usize| match draw {
        Some(d) if d.phase == DrawPhase::Organic && d.stage == j + 1 => 1.0 - d.fraction,
        _ => 1.0,
    };
    let kept_down = |j: usize| match draw {
        Some(d) if d.phase == DrawPhase::Aqueous && d.stage == j + 1 => 1.0 - d.fraction,
        _ => 1.0,
    };
    let organic_feed = cascade.feed_phase == FeedPhase::Organic;
    // The organic's RE flux at equilibrium on stage j: S, less the organic feed's 1 below the
    // feed stage, less an organic draw's share above it.
    let capacity = |j: usize| {
        let base = if organic_feed && j < f { s - 1.0 } else { s };
        match draw {
            Some(d) if d.phase == DrawPhase::Organic && j + 1 > d.stage => {
                (1.0 - d.fraction) * base
            }
            _ => base,
        }
    };
    let top = capacity(n - 1);
    let reflux = w / top;
    let e = cascade.stage_efficiency;
    let residual = |x: &[f64]| -> Vec<f64> {
        let mut r = vec![0.0; 8 * n];
        for j in 0..n {
            let a = &x[j * 8..j * 8 + 4];
            let o = &x[j * 8 + 4..j * 8 + 8];
            let pull: f64 = (0..4).map(|i| betas[i] * a[i]).sum();
            for i in 0..4 {
                let below = if j > 0 {
                    kept_up(j - 1) * x[(j - 1) * 8 + 4 + i]
                } else {
                    0.0
                };
                let above = if j + 1 < n {
                    kept_down(j + 1) * x[(j + 1) * 8 + i]
                } else {
                    reflux * o[i]
                };
                let feed_here = if j == f { fed[i] } else { 0.0 };
                let entering = below + if organic_feed { feed_here } else { 0.0 };
                let equilibrium = capacity(j) * betas[i] * a[i] / pull;
                r[j * 8 + i] = below + above + feed_here - o[i] - a[i];
                r[j * 8 + 4 + i] = o[i] - entering - e * (equilibrium - entering);
            }
        }
        r
    };
    let mut x: Vec<f64> = (0..n)
        .flat_map(|j| {
            let row: Vec<f64> = (0..4)
                .map(|i| start.aqueous[[j, i]])
                .chain((0..4).map(|i| start.organic[[j, i]]))
                .collect();
            row
        })
        .enumerate()
        .map(|(k, v)| v * if k % 2 == 0 { 1.05 } else { 0.95 })
        .collect();
    let size = 8 * n;
    for _ in 0..30 {
        let r = residual(&x);
        let norm = r.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
        if norm < 1e-15 {
            break;
        }
        let mut jacobian = DMatrix::<f64>::zeros(size, size);
        for k in 0..size {
            let h = 1e-7 * x[k].abs().max(1e-12);
            let mut xp = x.clone();
            xp[k] += h;
            let mut xm = x.clone();
            xm[k] -= h;
            let (rp, rm) = (residual(&xp), residual(&xm));
            for row in 0..size {
                jacobian[(row, k)] = (rp[row] - rm[row]) / (2.0 * h);
            }
        }
        let step = jacobian
            .lu()
            .solve(&DVector::from_vec(r.iter().map(|v| -v).collect()))
            .expect("a regular Jacobian");
        for (xk, dk) in x.iter_mut().zip(step.iter()) {
            *xk += dk;
        }
    }
    x
}

/// Less efficient stages separate less: at the same stages and reflux both products'
/// impurities rise as the efficiency falls.
#[test]
fn lower_efficiency_separates_less() {
    let case = reference::prnd_design();
    let options = SolverOptions::default();
    let impurity = |solved: &CascadeSolution| {
        let extract = &solved.extract;
        let raffinate = &solved.raffinate;
        (
            extract.mol_per_h(Element::Pr) / extract.total_mol_per_h(),
            raffinate.mol_per_h(Element::Nd) / raffinate.total_mol_per_h(),
        )
    };
    let mut last = (0.0, 0.0);
    for efficiency in [1.0, 0.95, 0.9, 0.8, 0.7] {
        let solved = with_efficiency(&case.cascade, efficiency)
            .solve(&case.model, &case.feed, &options)
            .unwrap();
        let now = impurity(&solved);
        assert!(
            now.0 > last.0 && now.1 > last.1,
            "efficiency {efficiency}: impurities {now:?} after {last:?}"
        );
        last = now;
    }
}

/// `stage_efficiency` in the file: in the JSON result, and out of range an error at its line.
#[test]
fn stage_efficiency_is_read_reported_and_checked() {
    let dir = super::support::scratch("efficiency");
    let template = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("flowsheets/prnd_binary.toml"),
    )
    .unwrap();
    let line = template
        .lines()
        .position(|l| l.starts_with("extraction_stages"))
        .unwrap()
        + 1;
    for (value, good) in [("0.9", true), ("1.0", true), ("0.0", false), ("1.2", false)] {
        let text = template.replacen(
            "extraction_stages",
            &format!("stage_efficiency = {value}\nextraction_stages"),
            1,
        );
        let file = dir.path().join(format!("e{value}.toml"));
        std::fs::write(&file, text).unwrap();
        let out = sxcascade(&["run", file.to_str().unwrap(), "--json"]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        if good {
            let result: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            let cascade = &result["cascades"][0];
            assert_eq!(cascade["stage_efficiency"].as_f64(), value.parse().ok());
            assert_eq!(cascade["converged"], true, "{stderr}");
        } else {
            assert_eq!(out.status.code(), Some(2), "{stderr}");
            let first = stderr.lines().next().unwrap_or_default();
            assert!(
                first.contains(&format!(":{line}:")) && first.contains("stage_efficiency"),
                "{first}"
            );
            assert!(out.stdout.is_empty());
        }
    }
}

/// The seeded survey's cascades (both models, 2-15 elements, dense and trace feeds, draws of
/// both phases, organic feeds) with stages of efficiency 0.5-0.99: every one converges with
/// closure below 1e-10, and on every stage of a saturated one the organic each element gains
/// towards equilibrium, `(o - (1 - E) o_in) / E`, is proportional to `beta_i a_i`, as
/// Murphree's relation with Xu's equilibrium says (to 1e-9 of the stage's largest share).
#[test]
fn seeded_survey_converges_with_murphree_stages() {
    let mut failures = Vec::new();
    for (k, drawn) in sxcascade::reference::survey::cases(11, 40, 150)
        .iter()
        .enumerate()
    {
        let case = &drawn.case;
        let efficiency = 0.5 + 0.49 * ((k as f64 * 0.618_034) % 1.0);
        let cascade = with_efficiency(&case.cascade, efficiency);
        let solved = match cascade.solve(&case.model, &case.feed, &SolverOptions::default()) {
            Ok(s) => s,
            Err(e) => {
                failures.push(format!("#{k} {} E {efficiency:.2}: {e}", drawn.label()));
                continue;
            }
        };
        let closure = solved
            .mass_balance
            .overall
            .max(solved.mass_balance.worst_stage);
        if closure.is_nan() || closure >= 1e-10 {
            failures.push(format!("#{k} {}: closure {closure:.1e}", drawn.label()));
        }
        if let SystemModel::Saturated { separation_factors } = &case.model {
            let worst = murphree_composition_error(&cascade, &solved, separation_factors);
            if worst.is_nan() || worst >= 1e-9 {
                failures.push(format!("#{k} {}: composition {worst:.1e}", drawn.label()));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Largest departure, over stages, of `(o - (1 - E) o_in) / (E beta_i a_i)` from its stage's
/// common value, relative to that value's share of the stage's organic; fluxes below 1e-12
/// of the stage's aqueous are left out (their ratio carries rounding only).
fn murphree_composition_error(
    cascade: &Cascade,
    solved: &CascadeSolution,
    betas: &std::collections::BTreeMap<Element, f64>,
) -> f64 {
    let e = cascade.stage_efficiency;
    let n = solved.stages();
    let f = cascade.feed_stage() - 1;
    let organic_feed = cascade.feed_phase == FeedPhase::Organic;
    let mut worst: f64 = 0.0;
    for j in 0..n {
        let kept = match cascade.side_draw {
            Some(d) if d.phase == DrawPhase::Organic && j > 0 && d.stage == j => 1.0 - d.fraction,
            _ => 1.0,
        };
        let total_a: f64 = solved.aqueous.row(j).sum();
        let gains: Vec<(f64, f64)> = solved
            .elements
            .iter()
            .enumerate()
            .map(|(i, el)| {
                let below = if j > 0 {
                    kept * solved.organic[[j - 1, i]]
                } else {
                    0.0
                };
                let fed = if organic_feed && j == f {
                    solved.feed.mol_per_h(*el)
                } else {
                    0.0
                };
                let entering = below + fed;
                let gain = (solved.organic[[j, i]] - (1.0 - e) * entering) / e;
                (gain, betas[el] * solved.aqueous[[j, i]])
            })
            .collect();
        let load: f64 = gains.iter().map(|g| g.0).sum();
        let pull: f64 = gains.iter().map(|g| g.1).sum();
        for (i, (gain, beta_a)) in gains.iter().enumerate() {
            if solved.aqueous[[j, i]] < 1e-12 * total_a {
                continue;
            }
            let expected = load * beta_a / pull;
            worst = worst.max((gain - expected).abs() / load);
        }
    }
    worst
}

/// `design` with `stage_efficiency`: the designed cascade meets its targets with stages of
/// that efficiency and has no stage to spare, and it needs more stages than the ideal design
/// of the same problem.
#[test]
fn designs_with_stage_efficiency_meet_targets_with_no_stage_to_spare() {
    use sxcascade::design::design;
    use sxcascade::input::parse_flowsheet_for_design;
    let options = SolverOptions::default();
    for (beta, nd, pr_purity, nd_purity, efficiency) in
        [(1.5, 0.767, 99.0, 99.9, 0.9), (2.0, 0.3, 99.99, 99.0, 0.75)]
    {
        let problem = |efficiency: f64| {
            format!(
                r#"
name = "efficiency design test"
[systems.p507]
separation_factors = {{ Pr = 1.0, Nd = {beta} }}
[streams.feed]
flow_mol_per_h = 100.0
composition_mol = {{ Pr = {}, Nd = {nd} }}
[[cascades]]
name = "PrNd"
system = "p507"
feed = "feed"
raffinate = "Pr_rich"
extract = "Nd_rich"
stage_efficiency = {efficiency}
[cascades.design]
split_after = "Pr"
raffinate_purity_pct = {pr_purity}
extract_purity_pct = {nd_purity}
"#,
                1.0 - nd
            )
        };
        let sized = |efficiency: f64| {
            let flowsheet =
                parse_flowsheet_for_design("design.toml", &problem(efficiency)).unwrap();
            design(&flowsheet, &options).unwrap()
        };
        let (designed, designs) = sized(efficiency);
        let (_, ideal) = sized(1.0);
        let d = &designs[0];
        let (n, m) = (d.extraction_stages, d.scrub_stages);
        let unit = &designed.cascades[0];
        assert_eq!(unit.cascade.stage_efficiency, efficiency);
        let meets = |n: usize, m: usize| {
            let c = Cascade {
                extraction_stages: n,
                scrub_stages: m,
                ..unit.cascade.clone()
            };
            let s = c
                .solve(
                    &designed.systems[0].model,
                    &designed.feeds["feed"],
                    &options,
                )
                .unwrap();
            s.raffinate.purity_pct(&[Element::Pr]) >= pr_purity
                && s.extract.purity_pct(&[Element::Nd]) >= nd_purity
        };
        let case = format!("beta {beta}, efficiency {efficiency}: {n} + {m}");
        assert!(meets(n, m), "{case} meets");
        assert!(!meets(n - 1, m), "{case}: one extraction stage fewer meets");
        assert!(!meets(n, m - 1), "{case}: one scrub stage fewer meets");
        let ideal_total = ideal[0].extraction_stages + ideal[0].scrub_stages;
        assert!(n + m > ideal_total, "{case} against {ideal_total} ideal");
    }
}
