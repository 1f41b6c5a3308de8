//! How often each product of a flowsheet is on spec over samples of its systems' separation
//! factors (their `separation_factor_sigma` and `separation_factor_sigma_adjacent`): the check
//! of a plant designed to a confidence (`sxcascade design`, whose products must each be on spec
//! in `confidence_pct` of samples) on another seed's samples, drawn by the design's sampler.
//!
//! `cargo run --release --example plant_confidence -- [FILE] [SAMPLES] [SEED]`
//! (defaults: flowsheets/reference_plant.toml, 400, 99: another seed than the design's).

use sxcascade::SolverOptions;
use sxcascade::design::sample_plant;
use sxcascade::input::parse_flowsheet;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let file = args
        .get(1)
        .map_or("flowsheets/reference_plant.toml", String::as_str);
    let samples: usize = args.get(2).map_or(400, |a| a.parse().expect("a count"));
    let seed: u64 = args.get(3).map_or(99, |a| a.parse().expect("a seed"));
    let text = std::fs::read_to_string(file).expect("the flowsheet can be read");
    let flowsheet = parse_flowsheet(file, &text).expect("a valid flowsheet");
    let options = SolverOptions::default();
    // The design's own sampler: every system's factors drawn jointly, the plant solved.
    let outcomes: Vec<Option<Vec<bool>>> = sample_plant(&flowsheet, samples, seed, &options)
        .into_iter()
        .map(|sampled| sampled.map(|products| products.iter().map(|p| p.0).collect()))
        .collect();
    let solved: Vec<&Vec<bool>> = outcomes.iter().flatten().collect();
    println!(
        "{file}: {samples} samples (seed {seed}), {} solved",
        solved.len()
    );
    println!("{:<10} {:>10}", "product", "on spec %");
    for (k, spec) in flowsheet.products.iter().enumerate() {
        let on = solved.iter().filter(|o| o[k]).count();
        println!(
            "{:<10} {:>10.1}",
            spec.name,
            100.0 * on as f64 / samples as f64
        );
    }
    let all = solved.iter().filter(|o| o.iter().all(|&m| m)).count();
    println!(
        "{:<10} {:>10.1}",
        "all",
        100.0 * all as f64 / samples as f64
    );
}
