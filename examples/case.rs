use std::collections::BTreeMap;
use sxcascade::*;
fn main() {
    // case 102 from stress
    let betas = [1.0, 3.03, 5.89, 19.13];
    let els = &Element::ALL[..4];
    let sf: BTreeMap<Element, f64> = els.iter().zip(&betas).map(|(&e, &b)| (e, b)).collect();
    let feed = Stream::new(els.iter().map(|&e| (e, 0.3)));
    let (p, r) = (0.879, 3.257);
    let w = r * p;
    let casc = Cascade { extraction_stages: 84, scrub_stages: 62, feed_stage: None, feed_phase: FeedPhase::Aqueous,
        operating_point: OperatingPoint::Fluxes { extraction_ratio: w + p, scrub_ratio: w } };
    let model = SystemModel::Saturated { separation_factors: sf };
    match casc.solve(&model, &feed, &SolverOptions::default()) {
        Ok(sol) => println!("ok {:?}\n{:?}\n{:?}", sol.convergence, sol.raffinate, sol.extract),
        Err(e) => println!("{e}"),
    }
}
