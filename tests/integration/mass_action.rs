//! The `mass_action` model from the flowsheet file: its bad inputs (exit 2, file:line:column
//! of the value to change, nothing on stdout).

use std::collections::BTreeMap;

use sxcascade::equilibrium::{MassActionSystem, SAPONIFIED_LOG10_K};
use sxcascade::{Cascade, Element, FeedPhase, OperatingPoint, SolverOptions, Stream, SystemModel};

use crate::support::{scratch, sxcascade};

const SHIPPED: &str = "flowsheets/prnd_mass_action.toml";

/// The shipped mass-action flowsheet with `from` replaced by `to`, run and checked: both
/// exit 2 with the first line of stderr at `line` of the file and containing `word`.
fn rejected(from: &str, to: &str, line: usize, word: &str) {
    let text = std::fs::read_to_string(SHIPPED).unwrap();
    assert!(text.contains(from), "`{from}` is in {SHIPPED}");
    let dir = scratch("mass-action");
    let file = dir.path().join("variant.toml");
    std::fs::write(&file, text.replacen(from, to, 1)).unwrap();
    let path = file.to_str().unwrap();
    for command in ["run", "check"] {
        let out = sxcascade(&[command, path]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{command} `{to}`: {stderr}");
        assert!(out.stdout.is_empty(), "{command} `{to}`: nothing on stdout");
        let first = stderr.lines().next().unwrap_or_default();
        assert!(
            first.starts_with(&format!("{path}:{line}:")),
            "`{to}`: {first}"
        );
        assert!(first.contains(word), "`{to}`: `{word}` not in {first}");
    }
}

#[test]
fn saponification_outside_zero_to_one_is_bad_input() {
    for bad in ["1.36", "-0.1"] {
        rejected(
            "saponification_fraction = 0.36",
            &format!("saponification_fraction = {bad}"),
            23,
            "from 0 to 1",
        );
    }
}

#[test]
fn non_positive_extractant_is_bad_input() {
    for bad in ["0.0", "-1.5"] {
        rejected(
            "extractant_mol_per_l = 1.5",
            &format!("extractant_mol_per_l = {bad}"),
            22,
            "extractant_mol_per_l",
        );
    }
}

#[test]
fn a_feed_element_without_its_k_is_bad_input() {
    rejected(
        "log10_k = { Pr = -0.9, Nd = -0.723909 }",
        "log10_k = { Pr = -0.9 }",
        38,
        "carries Nd but system `p507` has no log10_k",
    );
}

#[test]
fn a_mass_action_cascade_needs_its_volumes() {
    rejected(
        "oa_ratio = 3.0 ",
        "# no oa_ratio ",
        37,
        "missing field `oa_ratio`",
    );
    rejected(
        "feed_concentration_mol_per_l = 1.0",
        "# no feed concentration",
        37,
        "feed_concentration_mol_per_l",
    );
}

#[test]
fn fields_of_other_models_and_unknown_bases_are_bad_input() {
    rejected(
        "saponification_fraction = 0.36",
        "saponification_fraction = 0.36\norganic_capacity_mol_per_l = 0.18",
        24,
        "does not belong to model \"mass_action\"",
    );
    rejected(
        "saponification_base = \"NaOH\"",
        "saponification_base = \"KOH\"",
        24,
        "saponification_base",
    );
}

/// A Pr/Nd extraction section in unsaponified extractant at `log10_k_pr` (Nd 1.5 times
/// higher), `stages` stages, O/A 2, 1.5 mol/L extractant, a 1 mol/L feed of 0.01 mol/L acid:
/// capacity 1.5 / 6 x 2 = 0.5 mol RE per mol fed.
fn loaded_cascade(log10_k_pr: f64, stages: usize) -> (Cascade, SystemModel, Stream) {
    let cascade = Cascade {
        extraction_stages: stages,
        scrub_stages: 0,
        feed_stage: None,
        feed_phase: FeedPhase::Aqueous,
        operating_point: OperatingPoint::acidic_extraction(2.0, 1.0, 0.01),
        side_draw: None,
        stage_efficiency: 1.0,
    };
    let model = SystemModel::MassAction(MassActionSystem {
        log10_k: BTreeMap::from([
            (Element::Pr, log10_k_pr),
            (Element::Nd, log10_k_pr + 1.5f64.log10()),
        ]),
        extractant_mol_per_l: 1.5,
        saponification_fraction: 0.0,
        saponified_log10_k: SAPONIFIED_LOG10_K,
    });
    let feed = Stream::new([(Element::Pr, 0.25), (Element::Nd, 0.75)]);
    (cascade, model, feed)
}

/// The largest relative difference between the mass-action cascade's raffinate (per element)
/// and that of Xu's saturated cascade with beta = K_Nd / K_Pr at the same S.
fn difference_from_saturated(log10_k_pr: f64, stages: usize) -> f64 {
    let (cascade, model, feed) = loaded_cascade(log10_k_pr, stages);
    let options = SolverOptions::default();
    let mass_action = cascade.solve(&model, &feed, &options).unwrap();
    let saturated = Cascade {
        operating_point: OperatingPoint::Fluxes {
            extraction_ratio: 1.5 / 6.0 * 2.0 / 1.0,
            scrub_ratio: 0.0,
        },
        ..cascade
    }
    .solve(
        &SystemModel::Saturated {
            separation_factors: BTreeMap::from([(Element::Pr, 1.0), (Element::Nd, 1.5)]),
        },
        &feed,
        &options,
    )
    .unwrap();
    [Element::Pr, Element::Nd]
        .iter()
        .map(|&e| {
            let m = mass_action.raffinate.mol_per_h(e);
            let s = saturated.raffinate.mol_per_h(e);
            (m - s).abs() / s
        })
        .fold(0.0, f64::max)
}

/// At full loading the mass-action cascade is Xu's saturated one with beta = K_Nd / K_Pr
/// (docs/model.md section 3): every stage's D_i / D_j is K_i / K_j, and its organic carries
/// the capacity less the free extractant's share, epsilon = 2 [(HA)2] / C. With D of order 1,
/// [(HA)2] = h (D / K)^(1/3): the difference falls as K^(-1/3), ten times per 10^3 in K.
#[test]
fn full_loading_reduces_to_the_saturated_model() {
    let mut last = f64::INFINITY;
    for log10_k in [6.0, 9.0, 12.0, 15.0] {
        for stages in [5, 20] {
            let difference = difference_from_saturated(log10_k, stages);
            eprintln!("log10 K {log10_k}, {stages} stages: {difference:.3e}");
        }
        let difference = difference_from_saturated(log10_k, 20);
        assert!(difference < last / 5.0, "{difference} after {last}");
        last = difference;
    }
    assert!(last < 1e-4, "{last}");
}

/// The benches' case, fifteen elements over 100 stages of saponified P507, converges and
/// closes on every stage (the heavies fall to 1e-20 of their feed in the raffinate); its
/// organic carries 55 % of the feed.
#[test]
fn the_fifteen_element_bench_case_converges() {
    let case = sxcascade::reference::mass_action_extraction(100);
    let solved = case
        .cascade
        .solve(&case.model, &case.feed, &SolverOptions::default())
        .unwrap();
    assert!(
        solved.mass_balance.overall < 1e-10 && solved.mass_balance.worst_stage < 1e-10,
        "{:?}",
        solved.mass_balance
    );
    let loaded = solved.extract.total_mol_per_h() / case.feed.total_mol_per_h();
    eprintln!(
        "loaded {loaded:.4}, {} iterations, pH {:?}",
        solved.convergence.iterations,
        solved.ph.as_ref().map(|p| (p[0], p[99]))
    );
    assert!((0.5..0.6).contains(&loaded), "{loaded}");
}

/// The shipped mass-action flowsheet is prnd_binary.toml's Pr/Nd system at full loading:
/// K_Nd / K_Pr is its separation factor, and the feed is the same.
#[test]
fn the_shipped_flowsheet_has_the_saturated_flowsheets_factor() {
    let load = |file: &str| {
        let text = std::fs::read_to_string(file).unwrap();
        sxcascade::input::parse_flowsheet(file, &text).unwrap()
    };
    let saturated = load("flowsheets/prnd_binary.toml");
    let mass_action = load(SHIPPED);
    let SystemModel::Saturated { separation_factors } = &saturated.systems[0].model else {
        panic!("prnd_binary.toml is saturated");
    };
    let SystemModel::MassAction(system) = &mass_action.systems[0].model else {
        panic!("{SHIPPED} is mass_action");
    };
    let beta = separation_factors[&Element::Nd] / separation_factors[&Element::Pr];
    let k_ratio = 10f64.powf(system.log10_k[&Element::Nd] - system.log10_k[&Element::Pr]);
    assert!(
        (k_ratio / beta - 1.0).abs() < 1e-6,
        "{k_ratio} against {beta}"
    );
    assert_eq!(saturated.feeds["feed"], mass_action.feeds["feed"]);
    let out = sxcascade(&["run", SHIPPED]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Scrub and strip sections of a mass-action cascade are not solved yet: an error at the
/// field (a seeded survey of strip loops converged in 20 of 60 cases, docs/solver.md).
#[test]
fn scrubbed_or_stripped_mass_action_cascades_are_errors_at_their_field() {
    rejected(
        "scrub_stages = 0",
        "scrub_stages = 10\nscrub_oa_ratio = 10.0\nscrub_acid_mol_per_l = 1.5",
        41,
        "extraction sections only",
    );
    rejected(
        "scrub_stages = 0",
        "scrub_stages = 0\nstrip_stages = 6\nstrip_oa_ratio = 5.0\nstrip_acid_mol_per_l = 5.0",
        42,
        "extraction sections only",
    );
}
