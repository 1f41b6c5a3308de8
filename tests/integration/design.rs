//! `sxcascade design`: designed cascades meet their targets with no stage to spare, never
//! below Fenske's minimum, and impossible targets are errors naming the cascade.

use sxcascade::cascade::{DrawPhase, OperatingPoint};
use sxcascade::design::{DesignError, design};
use sxcascade::input::parse_flowsheet_for_design;
use sxcascade::{Cascade, CascadeSolution, SolverOptions, Stream};

use crate::support::SMEUGD;

/// A binary Pr/Nd design problem: beta, Nd mole fraction, raffinate and extract purities, and
/// an optional reflux factor.
fn binary(beta: f64, nd: f64, pr_purity: f64, nd_purity: f64, reflux: Option<f64>) -> String {
    let reflux = reflux.map_or(String::new(), |f| format!("reflux_factor = {f}"));
    format!(
        r#"
name = "design test"
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
[cascades.design]
split_after = "Pr"
raffinate_purity_pct = {pr_purity}
extract_purity_pct = {nd_purity}
{reflux}
"#,
        1.0 - nd
    )
}

#[test]
fn designed_binaries_meet_their_targets_with_no_stage_to_spare() {
    let options = SolverOptions::default();
    for (beta, nd, pr_purity, nd_purity, reflux) in [
        (1.5, 0.767, 99.0, 99.9, None),
        (1.5, 0.5, 99.9, 99.9, Some(1.5)),
        (2.0, 0.2, 99.99, 99.0, None),
        (1.3, 0.6, 99.0, 99.5, Some(2.0)),
        (5.0, 0.05, 99.99, 99.9, None),
    ] {
        let text = binary(beta, nd, pr_purity, nd_purity, reflux);
        let flowsheet = parse_flowsheet_for_design("design.toml", &text).unwrap();
        let (designed, designs) = design(&flowsheet, &options).unwrap();
        let d = &designs[0];
        let case = format!(
            "beta {beta}, Nd {nd}: {} + {}",
            d.extraction_stages, d.scrub_stages
        );
        // Never below Fenske's minimum at total reflux.
        assert!(
            (d.extraction_stages + d.scrub_stages) as f64 >= d.fenske_minimum_stages,
            "{case} vs N_min {}",
            d.fenske_minimum_stages
        );
        if let Some(factor) = reflux {
            assert!((d.reflux_ratio / d.minimum_reflux_ratio - factor).abs() < 1e-12);
        }
        let unit = &designed.cascades[0];
        let model = &designed.systems[0].model;
        let feed = &designed.feeds["feed"];
        let meets = |n: usize, m: usize| {
            let mut c = unit.cascade.clone();
            c.extraction_stages = n;
            c.scrub_stages = m;
            let s = c.solve(model, feed, &options).unwrap();
            s.raffinate.purity_pct(&[sxcascade::Element::Pr]) >= pr_purity
                && s.extract.purity_pct(&[sxcascade::Element::Nd]) >= nd_purity
        };
        let (n, m) = (d.extraction_stages, d.scrub_stages);
        assert!(meets(n, m), "{case} meets");
        assert!(
            !meets(n - 1, m),
            "{case}: one extraction stage fewer also meets"
        );
        if m > 0 {
            assert!(!meets(n, m - 1), "{case}: one scrub stage fewer also meets");
        }
        assert!(matches!(
            unit.cascade.operating_point,
            OperatingPoint::Fluxes { .. }
        ));
    }
}

/// Minimum purities and recoveries below 100 % can always be met together (a sharp enough
/// cut meets them all): a recovery target beyond what Xu's product fraction gives at the
/// purities moves the cut, and the design meets every target.
#[test]
fn recovery_targets_move_the_cut_and_are_met() {
    let options = SolverOptions::default();
    let text = binary(1.5, 0.5, 99.0, 99.0, None).replace(
        "extract_purity_pct = 99\n",
        "extract_purity_pct = 99\nextract_recovery_pct = 99.5\n",
    );
    assert!(text.contains("extract_recovery_pct"));
    let flowsheet = parse_flowsheet_for_design("design.toml", &text).unwrap();
    let (_, designs) = design(&flowsheet, &options).unwrap();
    let achieved = designs[0].achieved;
    assert!(achieved.extract_recovery_pct >= 99.5, "{achieved:?}");
    assert!(achieved.extract_purity_pct >= 99.0 && achieved.raffinate_purity_pct >= 99.0);
}

/// Targets that only a perfect cut meets (every mole of both groups in its product) are an
/// error naming the cascade, not an endless search.
#[test]
fn targets_only_a_perfect_cut_meets_are_errors_naming_the_cascade() {
    let options = SolverOptions::default();
    let text = binary(1.5, 0.5, 99.0, 99.0, None).replace(
        "extract_purity_pct = 99\n",
        "extract_purity_pct = 99\nextract_recovery_pct = 100\nraffinate_recovery_pct = 100\n",
    );
    assert!(text.contains("raffinate_recovery_pct"));
    let flowsheet = parse_flowsheet_for_design("design.toml", &text).unwrap();
    let error = design(&flowsheet, &options).unwrap_err();
    assert!(matches!(error, DesignError::Infeasible { .. }), "{error}");
    let message = error.to_string();
    assert!(
        message.contains("PrNd") && message.contains("contradict"),
        "{message}"
    );
}

/// The shipped reference plant is what `design` makes of its design file: the same stage
/// counts, and the same ratios to the six digits written.
#[test]
fn shipped_reference_plant_is_the_design_of_its_design_file() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/flowsheets/");
    let read = |name: &str| std::fs::read_to_string(format!("{dir}{name}")).unwrap();
    let problem =
        parse_flowsheet_for_design("design.toml", &read("reference_plant_design.toml")).unwrap();
    let (_, designs) = design(&problem, &SolverOptions::default()).unwrap();
    let shipped =
        sxcascade::input::parse_flowsheet("plant.toml", &read("reference_plant.toml")).unwrap();
    assert_eq!(designs.len(), shipped.cascades.len());
    for d in &designs {
        let unit = shipped
            .cascades
            .iter()
            .find(|c| c.name == d.cascade)
            .unwrap();
        let c = &unit.cascade;
        assert_eq!(
            (c.extraction_stages, c.scrub_stages),
            (d.extraction_stages, d.scrub_stages),
            "{}",
            d.cascade
        );
        let OperatingPoint::Fluxes {
            extraction_ratio,
            scrub_ratio,
        } = c.operating_point
        else {
            panic!("saturated")
        };
        assert!((extraction_ratio / d.extraction_ratio - 1.0).abs() < 1e-5);
        let reflux = scrub_ratio / (extraction_ratio - scrub_ratio);
        assert!(
            (reflux / d.reflux_ratio - 1.0).abs() < 1e-5,
            "{}",
            d.cascade
        );
    }
}

/// flowsheets/light_recycle.toml with its cascades given as targets: the loop is designed by
/// rounds of design and solve until the designs settle, and the designed flowsheet meets its
/// product specifications. (The extract of the first cut must be 99.99 % PrNd: its Ce ends
/// in the Pr product, where it is 3.3 times as concentrated.)
#[test]
fn a_recycle_loop_is_designed_until_its_designs_settle() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/flowsheets/light_recycle.toml");
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines: Vec<String> = Vec::new();
    let mut cascade = 0;
    for line in text.lines() {
        let sized = [
            "extraction_stages",
            "scrub_stages",
            "extraction_ratio",
            "reflux_ratio",
        ]
        .iter()
        .any(|k| line.starts_with(k));
        if sized {
            continue;
        }
        lines.push(line.to_string());
        if line.starts_with("extract = ") {
            let (split, raffinate, extract) = if cascade == 0 {
                ("Ce", 99.9, 99.99)
            } else {
                ("Pr", 99.2, 99.95)
            };
            cascade += 1;
            lines.push(format!(
                "[cascades.design]\nsplit_after = \"{split}\"\nraffinate_purity_pct = \
                 {raffinate}\nextract_purity_pct = {extract}"
            ));
        }
    }
    assert_eq!(cascade, 2);
    let problem = parse_flowsheet_for_design("recycle.toml", &lines.join("\n")).unwrap();
    let options = SolverOptions::default();
    let (designed, designs) = design(&problem, &options).unwrap();
    let solution = designed.solve(&options);
    assert!(solution.converged() && solution.all_products_meet_spec());
    assert!(solution.mass_balance_max_rel_error < 1e-10);
    // Settled: designing again on the converged feeds gives the same stage counts.
    let (again, redesigns) = design(&designed, &options).unwrap();
    for (d, r) in designs.iter().zip(&redesigns) {
        assert_eq!(
            (d.extraction_stages, d.scrub_stages),
            (r.extraction_stages, r.scrub_stages),
            "{}",
            d.cascade
        );
    }
    assert_eq!(again.cascades.len(), 2);
}

/// Sm, Eu, Gd in P507 (beta Eu/Sm 2.0, Gd/Eu 1.5; flowsheets/README.md) as a three-outlet
/// design: Sm to the raffinate, Gd to the extract and the Eu between them to an aqueous side
/// draw `below` stages under the feed stage, with the draw sized by mass balance from the two
/// recovery targets.
/// `cascade` with `n + m` stages and its side draw on `draw_stage`.
fn resized(cascade: &Cascade, n: usize, m: usize, draw_stage: usize) -> Cascade {
    let mut c = cascade.clone();
    c.extraction_stages = n;
    c.scrub_stages = m;
    c.side_draw.as_mut().expect("a draw").stage = draw_stage;
    c
}

/// The Sm raffinate and the Gd extract of `s` both at `purity` % (oxide mass) and `recovery` %
/// of their element in `feed`.
fn sm_gd_meet(s: &CascadeSolution, feed: &Stream, purity: f64, recovery: f64) -> bool {
    use sxcascade::Element::{Gd, Sm};
    let recovered = |stream: &Stream, e| 100.0 * stream.mol_per_h(e) / feed.mol_per_h(e);
    s.raffinate.purity_pct(&[Sm]) >= purity
        && s.extract.purity_pct(&[Gd]) >= purity
        && recovered(&s.raffinate, Sm) >= recovery
        && recovered(&s.extract, Gd) >= recovery
}

fn three_outlet(below: u32, recovery: f64, reflux_factor: f64) -> String {
    format!(
        r#"name = "SmEuGd three-outlet design"
{SMEUGD}side_draw = "Eu_middle"
[cascades.design]
raffinate_elements = ["Sm"]
extract_elements = ["Gd"]
raffinate_purity_pct = 99.0
extract_purity_pct = 99.0
raffinate_recovery_pct = {recovery}
extract_recovery_pct = {recovery}
side_draw_below_feed = {below}
reflux_factor = {reflux_factor}
"#
    )
}

/// The designed three-outlet cascade meets every target with no stage to spare in either
/// section (the draw kept `below` stages under the feed), its draw takes what the two
/// products leave, and that draw is rich in the middle element.
#[test]
fn a_three_outlet_cascade_is_designed_around_its_draw() {
    use sxcascade::Element::Eu;
    let options = SolverOptions::default();
    for (below, recovery, reflux_factor) in [(10, 95.0, 3.0), (4, 90.0, 1.5)] {
        let text = three_outlet(below, recovery, reflux_factor);
        let flowsheet = parse_flowsheet_for_design("three.toml", &text).unwrap();
        let (designed, designs) = design(&flowsheet, &options).unwrap();
        let d = &designs[0];
        let (n, m) = (d.extraction_stages, d.scrub_stages);
        let case = format!("{below} below, {recovery} %: {n} + {m}");
        let draw = d.side_draw.expect("a draw");
        assert_eq!(draw.stage, n - below as usize, "{case}");
        let unit = &designed.cascades[0];
        let (model, feed) = (&designed.systems[0].model, &designed.feeds["feed"]);
        let solve = |n: usize, m: usize| {
            resized(&unit.cascade, n, m, n - below as usize)
                .solve(model, feed, &options)
                .unwrap()
        };
        let meets = |n: usize, m: usize| sm_gd_meet(&solve(n, m), feed, 99.0, recovery);
        assert!(meets(n, m), "{case} meets");
        assert!(
            !meets(n - 1, m),
            "{case}: one extraction stage fewer also meets"
        );
        assert!(!meets(n, m - 1), "{case}: one scrub stage fewer also meets");
        // The draw takes what the products leave: each product is its group's feed times
        // recovery over (mole) purity, and the three outlets carry the feed.
        let s = solve(n, m);
        let drawn = s.side_draw.as_ref().unwrap();
        let outlets =
            s.raffinate.total_mol_per_h() + s.extract.total_mol_per_h() + drawn.total_mol_per_h();
        assert!((outlets - 1.0).abs() < 1e-10, "{case}: {outlets}");
        assert!(
            (s.extract.total_mol_per_h() - (d.extraction_ratio - d.scrub_ratio)).abs() < 1e-10,
            "{case}"
        );
        // Eu, 10 % of the feed, is most of the draw, and most of the Eu is drawn.
        assert!(drawn.purity_mol_pct(&[Eu]) > 45.0, "{case}: {drawn:?}");
        assert!(drawn.mol_per_h(Eu) > 0.85 * 0.10, "{case}: {drawn:?}");
        assert!(s.mass_balance.overall < 1e-10);
    }
}

/// A three-outlet design must say where its draw goes, how big it is, and what it draws from.
#[test]
fn three_outlet_designs_without_a_place_or_size_for_the_draw_are_errors() {
    let base = three_outlet(10, 95.0, 2.0);
    for (edit, says) in [
        (
            base.replace("side_draw_below_feed = 10\n", ""),
            "needs `side_draw_below_feed`",
        ),
        (
            base.replace("raffinate_recovery_pct = 95\n", ""),
            "needs the draw's size",
        ),
        (
            base.replace("raffinate_elements = [\"Sm\"]\n", "split_after = \"Sm\"\n"),
            "names both `raffinate_elements` and `extract_elements`",
        ),
        (
            base.replace(
                "extract_elements = [\"Gd\"]",
                "extract_elements = [\"Eu\", \"Gd\"]",
            ),
            "splits the extraction order",
        ),
        (
            base.replace(
                "side_draw = \"Eu_middle\"\n",
                "side_draw = \"Eu_middle\"\nside_draw_stage = 5\n",
            ),
            "places the side draw",
        ),
        (
            base.replace(
                "side_draw_below_feed = 10",
                "side_draw_below_feed = 4000000000",
            ),
            "leaves no room for the draw",
        ),
        (
            base.replace(
                "side_draw = \"Eu_middle\"\n",
                "side_draw = \"Eu_middle\"\nside_draw_phase = \"organc\"\n",
            ),
            "must be \"aqueous\" or \"organic\"",
        ),
        (
            base.replace("side_draw_below_feed = 10", "side_draw_above_feed = 10"),
            "does not place an aqueous draw",
        ),
    ] {
        assert!(edit != base, "the edit for `{says}` applies");
        let error = parse_flowsheet_for_design("three.toml", &edit).unwrap_err();
        assert!(error.to_string().contains(says), "{says}: {error}");
    }
}

/// An element removed upstream to far below any grade's allowance cannot be a key, even when
/// the second extractant puts it next to the cut (La beside Y in naphthenic acid): the key pair
/// is that of the elements the feed carries.
#[test]
fn trace_elements_next_to_the_cut_are_not_keys() {
    use sxcascade::Element::{Lu, Y};
    let text = r#"
name = "Y from Lu, La at 1e-15"
[systems.naphthenic]
separation_factors = { Y = 1.0, La = 1.222, Lu = 1.982 }
[streams.feed]
flow_mol_per_h = 1.0
composition_mol = { Y = 0.9, Lu = 0.1, La = 1e-15 }
[[cascades]]
name = "Y_Lu"
system = "naphthenic"
feed = "feed"
raffinate = "Y"
extract = "Lu"
[cascades.design]
split_after = "Y"
raffinate_purity_pct = 99.99
extract_purity_pct = 99.0
"#;
    let flowsheet = parse_flowsheet_for_design("trace.toml", text).unwrap();
    let (_, designs) = design(&flowsheet, &SolverOptions::default()).unwrap();
    let d = &designs[0];
    assert_eq!(d.key_pair, (Y, Lu));
    assert!((d.separation_factor - 1.982).abs() < 1e-12);
    assert!(d.achieved.raffinate_purity_pct >= 99.99 && d.achieved.extract_purity_pct >= 99.0);
}

/// flowsheets/seg_three_outlet_design.toml with its Eu concentrate drawn from the loaded
/// organic 3 stages above the feed stage instead, at 2 R_min: the design meets every target
/// with no stage to spare, keeps the draw 3 above the feed and below the last stage, holds
/// the extract at P with S raised for what the draw takes, and the three outlets carry the
/// feed.
#[test]
fn an_organic_three_outlet_draw_is_designed_above_the_feed() {
    use sxcascade::Element::Eu;
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/flowsheets/seg_three_outlet_design.toml"
    );
    let text = std::fs::read_to_string(path)
        .unwrap()
        .replace("side_draw_below_feed = 8 ", "side_draw_above_feed = 3 ")
        .replace("reflux_factor = 1.5 ", "reflux_factor = 2.0 ")
        .replace(
            "side_draw = \"Eu_concentrate\"",
            "side_draw = \"Eu_concentrate\"\nside_draw_phase = \"organic\"",
        );
    assert!(text.contains("side_draw_above_feed = 3") && text.contains("reflux_factor = 2.0"));
    let options = SolverOptions::default();
    let flowsheet = parse_flowsheet_for_design("seg.toml", &text).unwrap();
    let (designed, designs) = design(&flowsheet, &options).unwrap();
    let d = &designs[0];
    let (n, m) = (d.extraction_stages, d.scrub_stages);
    let draw = d.side_draw.expect("a draw");
    assert_eq!((draw.stage, draw.phase), (n + 3, DrawPhase::Organic));
    assert!(draw.stage < n + m);
    let unit = &designed.cascades[0];
    let (model, feed) = (&designed.systems[0].model, &designed.feeds["seg"]);
    let solve =
        |n: usize, m: usize| resized(&unit.cascade, n, m, n + 3).solve(model, feed, &options);
    let meets = |n: usize, m: usize| solve(n, m).is_ok_and(|s| sm_gd_meet(&s, feed, 99.5, 95.0));
    assert!(meets(n, m), "{n} + {m} meets");
    assert!(
        !meets(n - 1, m),
        "{n} + {m}: one extraction stage fewer also meets"
    );
    assert!(
        !meets(n, m - 1),
        "{n} + {m}: one scrub stage fewer also meets"
    );
    let s = solve(n, m).unwrap();
    let total = feed.total_mol_per_h();
    let p = d.extraction_ratio * (1.0 - draw.fraction) - d.scrub_ratio;
    assert!((s.extract.total_mol_per_h() - p * total).abs() < 1e-9 * total);
    assert!((d.reflux_ratio - d.scrub_ratio / p).abs() < 1e-12);
    let drawn = s.side_draw.as_ref().unwrap();
    let outlets =
        s.raffinate.total_mol_per_h() + s.extract.total_mol_per_h() + drawn.total_mol_per_h();
    assert!((outlets - total).abs() < 1e-10 * total);
    assert!(drawn.purity_mol_pct(&[Eu]) > 30.0, "{drawn:?}");
}

/// Designing a designed three-outlet file gives the same design: the fraction it carries is
/// the last design's, sized again from the recovery targets.
#[test]
fn a_designed_three_outlet_file_designs_to_itself() {
    let options = SolverOptions::default();
    let text = three_outlet(10, 95.0, 3.0);
    let flowsheet = parse_flowsheet_for_design("three.toml", &text).unwrap();
    let (_, first) = design(&flowsheet, &options).unwrap();
    let written = sxcascade::design::designed_toml("three.toml", &text, &first).unwrap();
    let flowsheet = parse_flowsheet_for_design("designed.toml", &written).unwrap();
    let (_, again) = design(&flowsheet, &options).unwrap();
    let key = |d: &sxcascade::design::CascadeDesign| {
        (
            d.extraction_stages,
            d.scrub_stages,
            d.side_draw.map(|x| x.stage),
        )
    };
    assert_eq!(key(&first[0]), key(&again[0]));
    let (a, b) = (first[0].side_draw.unwrap(), again[0].side_draw.unwrap());
    assert!((a.fraction - b.fraction).abs() < 1e-6 * a.fraction);
}
