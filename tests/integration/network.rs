//! Flowsheets of several cascades.

use sxcascade::SolverOptions;
use sxcascade::input::parse_flowsheet;

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
