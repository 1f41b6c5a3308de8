//! Designs to a confidence on seeded random cuts unlike the Pr/Nd and reference-plant cases
//! they were first run on: 2-8 elements of dense feed, adjacent factors 1.2-3, the split
//! anywhere, purities 99-99.95 %, reflux from 1.1 times the minimum or Xu's optimum, adjacent
//! spreads 0.01-0.05, confidence 90 or 95 % of 200 samples. Prints each design's time, counts
//! and shares (designed and nominal), and a summary; a design whose own tally misses its share
//! is a failure, as is an error other than "targets not reached" (a pinch at that reflux).
//!
//! `cargo run --release --example confidence_survey -- [CASES=40] [SEED=7]`

use std::time::Instant;

use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::{Rng, SeedableRng};

use sxcascade::SolverOptions;
use sxcascade::design::{DesignError, Tally, design};
use sxcascade::elements::Element;
use sxcascade::input::parse_flowsheet_for_design;

fn uniform(rng: &mut ChaCha8Rng, lo: f64, hi: f64) -> f64 {
    lo + (hi - lo) * (rng.next_u64() as f64 / u64::MAX as f64)
}

fn problem(rng: &mut ChaCha8Rng) -> (String, String) {
    let c = 2 + (rng.next_u64() % 7) as usize;
    let elements = &Element::ALL[..c];
    let (mut beta, mut factors, mut feed, mut sigma) = (1.0, vec![], vec![], vec![]);
    for (k, e) in elements.iter().enumerate() {
        if k > 0 {
            beta *= uniform(rng, 1.2, 3.0);
            sigma.push(format!("{e} = {:.4}", uniform(rng, 0.01, 0.05)));
        }
        factors.push(format!("{e} = {beta:.6}"));
        feed.push(format!("{e} = {:.4}", uniform(rng, 0.5, 1.5)));
    }
    let split = elements[(rng.next_u64() % (c as u64 - 1)) as usize];
    let purity = |rng: &mut ChaCha8Rng| [99.0, 99.5, 99.9, 99.95][(rng.next_u64() % 4) as usize];
    let (p_raffinate, p_extract) = (purity(rng), purity(rng));
    let reflux = if rng.next_u64().is_multiple_of(2) {
        format!("reflux_factor = {:.3}", uniform(rng, 1.1, 2.0))
    } else {
        String::new()
    };
    let confidence = [90.0, 95.0][(rng.next_u64() % 2) as usize];
    let label = format!(
        "C{c} split after {split}, {p_raffinate}/{p_extract} %, {}, {confidence} %",
        if reflux.is_empty() {
            "Xu's optimum".to_string()
        } else {
            reflux.clone()
        }
    );
    let text = format!(
        r#"
name = "confidence survey"
[systems.s]
separation_factors = {{ {} }}
separation_factor_sigma_adjacent = {{ {} }}
[streams.feed]
flow_mol_per_h = 100.0
composition_mol = {{ {} }}
[[cascades]]
name = "cut"
system = "s"
feed = "feed"
raffinate = "r"
extract = "e"
[cascades.design]
split_after = "{split}"
raffinate_purity_pct = {p_raffinate}
extract_purity_pct = {p_extract}
confidence_pct = {confidence}
confidence_samples = 200
{reflux}
"#,
        factors.join(", "),
        sigma.join(", "),
        {
            let total: f64 = feed
                .iter()
                .map(|f| f.split(" = ").nth(1).unwrap().parse::<f64>().unwrap())
                .sum();
            feed.iter()
                .map(|f| {
                    let (e, x) = f.split_once(" = ").unwrap();
                    format!("{e} = {:.6}", x.parse::<f64>().unwrap() / total)
                })
                .collect::<Vec<_>>()
                .join(", ")
        }
    );
    (label, text)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let cases: usize = args.get(1).map_or(40, |a| a.parse().expect("a count"));
    let seed: u64 = args.get(2).map_or(7, |a| a.parse().expect("a seed"));
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let options = SolverOptions::default();
    let (mut designed, mut pinched, mut failed, mut times) = (0, 0, 0, Vec::new());
    for k in 0..cases {
        let (label, text) = problem(&mut rng);
        let flowsheet = parse_flowsheet_for_design("survey.toml", &text).expect("valid problem");
        let start = Instant::now();
        let outcome = design(&flowsheet, &options);
        let seconds = start.elapsed().as_secs_f64();
        match outcome {
            Ok((_, designs)) => {
                let d = &designs[0];
                let c = d.confidence.expect("a confidence design");
                let needed = (c.confidence.pct / 100.0 * c.confidence.samples as f64).ceil();
                let share = |t: &Tally| 100.0 * Tally::share(t.both, t.judged);
                let ok = c.designed.both as f64 >= needed;
                println!(
                    "#{k:2} {label}: {} + {} ({:.1} %), nominal {} + {} ({:.1} %), {:.2} s{}",
                    d.extraction_stages,
                    d.scrub_stages,
                    share(&c.designed),
                    c.nominal_stages.0,
                    c.nominal_stages.1,
                    share(&c.nominal),
                    seconds,
                    if ok { "" } else { "  FAILED: share missed" }
                );
                times.push(seconds);
                if ok {
                    designed += 1;
                } else {
                    failed += 1;
                }
            }
            Err(e @ DesignError::NotReached { .. }) => {
                println!("#{k:2} {label}: not reached ({e}), {seconds:.2} s");
                pinched += 1;
            }
            Err(e) => {
                println!("#{k:2} {label}: FAILED: {e}");
                failed += 1;
            }
        }
    }
    times.sort_by(f64::total_cmp);
    let median = times.get(times.len() / 2).copied().unwrap_or(f64::NAN);
    let worst = times.last().copied().unwrap_or(f64::NAN);
    println!(
        "\n{cases} cases (seed {seed}): {designed} designed, {pinched} not reachable at their \
         reflux, {failed} failed; design time median {median:.2} s, worst {worst:.2} s"
    );
    if failed > 0 {
        std::process::exit(1);
    }
}
