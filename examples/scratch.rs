use std::collections::BTreeMap;
use std::time::Instant;
use sxcascade::*;

fn main() {
    let args: Vec<f64> = std::env::args().skip(1).map(|s| s.parse().unwrap()).collect();
    let (c, n, m, beta, s, r) = (args[0] as usize, args[1] as usize, args[2] as usize, args[3], args[4], args[5]);
    let els = &Element::ALL[..c];
    let sf: BTreeMap<Element, f64> = els.iter().enumerate().map(|(k, &e)| (e, beta.powi(k as i32))).collect();
    let feed = Stream::new(els.iter().enumerate().map(|(k, &e)| (e, if k == c-1 && c > 2 {std::env::var("TRACE_FEED").map(|v| v.parse().unwrap()).unwrap_or(1e-12)} else {1.0})));
    let model = SystemModel::Saturated { separation_factors: sf };
    let casc = Cascade { extraction_stages: n, scrub_stages: m, feed_stage: None, feed_phase: FeedPhase::Aqueous,
        operating_point: OperatingPoint::from_reflux_ratio(s, r) };
    let t = Instant::now();
    let reps = 20;
    let mut sol = None;
    for _ in 0..reps { sol = Some(casc.solve(&model, &feed, &SolverOptions::default())); }
    let el = t.elapsed().as_secs_f64() / reps as f64;
    match sol.unwrap() {
        Ok(sol) => println!("{:.1} us  conv {:?} mb {:?}\n raff {:?}\n ext {:?}", el*1e6, sol.convergence, sol.mass_balance, sol.raffinate, sol.extract),
        Err(e) => println!("{:.1} us err {e}", el*1e6),
    }
}
#[allow(dead_code)]
fn unused() {}
