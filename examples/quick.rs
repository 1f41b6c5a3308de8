use std::collections::BTreeMap;
use sxcascade::*;
fn main() {
    let model = SystemModel::Saturated { separation_factors: BTreeMap::from([(Element::La, 1.0), (Element::Ce, 11.239531900183087)]) };
    let feed = Stream::new([(Element::La, 0.5), (Element::Ce, 0.5)]);
    let c = Cascade { extraction_stages: 43, scrub_stages: 17, feed_stage: None, feed_phase: FeedPhase::Aqueous, operating_point: OperatingPoint::Fluxes { extraction_ratio: std::env::var("P").map(|v| v.parse::<f64>().unwrap()).unwrap_or(0.5) + 0.36, scrub_ratio: 0.36 } };
    match c.solve(&model, &feed, &SolverOptions::default()) { Ok(s) => println!("{:?} {:?} {:?}", s.convergence, s.raffinate, s.extract), Err(e) => println!("{e}") }
}
