//! Flowsheets of several cascades.

use sxcascade::input::parse_flowsheet;
use sxcascade::{Element, SolverOptions};

#[test]
fn series_network_equals_its_cascades_run_one_by_one() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/flowsheets/light_series.toml");
    let flowsheet = parse_flowsheet(path, &std::fs::read_to_string(path).unwrap()).unwrap();
    let options = SolverOptions::default();
    let network = flowsheet.solve(&options);
    assert!(network.converged() && network.all_products_meet_spec());
    assert!(network.mass_balance_max_rel_error < 1e-10);

    let [first, second] = &flowsheet.cascades[..] else {
        panic!("two cascades")
    };
    let model = |unit: &sxcascade::flowsheet::CascadeUnit| &flowsheet.systems[unit.system].model;
    let alone = first
        .cascade
        .solve(model(first), &flowsheet.feeds["feed"], &options)
        .unwrap();
    let then = second
        .cascade
        .solve(model(second), &alone.extract, &options)
        .unwrap();
    assert_eq!(network.streams["LaCe"], alone.raffinate);
    assert_eq!(network.streams["PrNd"], alone.extract);
    assert_eq!(network.streams["Pr_rich"], then.raffinate);
    assert_eq!(network.streams["Nd_rich"], then.extract);
}

/// 5,000 t/yr of REO over 7,920 h is 5e9 g / 7920 h = 631,313.13 g/h. As pure Nd2O3
/// (2 x 144.242 + 3 x 15.999 = 336.481 g/mol, 2 Nd each) that is 2 x 631,313.13 / 336.481
/// = 3,752.44 mol/h of Nd, 3.75 kmol/h. Half La2O3 (325.808 g/mol), half CeO2
/// (172.114 g/mol) by mass: La 315,656.57 x 2 / 325.808 = 1,937.68 mol/h and Ce
/// 315,656.57 / 172.114 = 1,834.00 mol/h. (Hand-checked; atomic weights CIAAW 2021.)
#[test]
fn plant_basis_gives_the_hand_checked_kmol_per_hour() {
    let flowsheet = |composition: &str| {
        let text = format!(
            r#"
name = "basis"
[basis]
reo_t_per_year = 5000.0
hours_per_year = 7920.0
[systems.p507]
separation_factors = {{ La = 1.0, Ce = 5.0, Nd = 15.0 }}
[streams.feed]
share_of_basis = 1.0
composition_oxide_pct = {composition}
[[cascades]]
name = "cut"
system = "p507"
feed = "feed"
extraction_stages = 10
scrub_stages = 10
extraction_ratio = 1.5
reflux_ratio = 2.0
raffinate = "r"
extract = "e"
"#
        );
        parse_flowsheet("basis.toml", &text).unwrap()
    };
    let close = |got: f64, hand: f64| (got - hand).abs() < 0.005;
    let nd = flowsheet("{ Nd2O3 = 100.0 }");
    assert!(close(nd.feeds["feed"].mol_per_h(Element::Nd), 3752.44));
    let lace = flowsheet("{ La2O3 = 50.0, CeO2 = 50.0 }");
    assert!(close(lace.feeds["feed"].mol_per_h(Element::La), 1937.68));
    assert!(close(lace.feeds["feed"].mol_per_h(Element::Ce), 1834.00));
    // And back: the stream's REO mass is the basis.
    let g_per_h = lace.feeds["feed"].reo_g_per_h();
    assert!((g_per_h - 5e9 / 7920.0).abs() < 1e-9 * g_per_h);
}

/// Solve order follows the streams, not the file: the series flowsheet with its cascades
/// written downstream-first gives the same streams.
#[test]
fn solve_order_follows_the_streams_not_the_file() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/flowsheets/light_series.toml");
    let text = std::fs::read_to_string(path).unwrap();
    let blocks: Vec<&str> = text.split("[[cascades]]").collect();
    let [head, first, second] = &blocks[..] else {
        panic!("two cascades")
    };
    let (second, tail) = second.split_at(second.find("[[products]]").unwrap());
    let reversed = format!("{head}[[cascades]]{second}[[cascades]]{first}{tail}");
    let options = SolverOptions::default();
    let written = parse_flowsheet(path, &text).unwrap().solve(&options);
    let swapped = parse_flowsheet(path, &reversed).unwrap();
    assert_eq!(swapped.cascades[0].name, "PrNd");
    let swapped = swapped.solve(&options);
    assert!(written.converged() && swapped.converged());
    assert_eq!(written.streams.len(), swapped.streams.len());
    for (name, stream) in &written.streams {
        assert_eq!(&swapped.streams[name], stream, "{name}");
    }
}
