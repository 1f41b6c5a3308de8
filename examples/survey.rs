//! The long convergence survey of issue 24: the cascades reported as slow or failing, then
//! seeded random cascades over the whole space the file allows (src/reference/survey.rs), each
//! solved once and timed; every product flow of the cases up to `CHECK_STAGES` stages is
//! checked against a dense solve of the element balances (tests/integration/survey_check.rs).
//!
//! `cargo run --release --example survey -- [CASES] [MAX_STAGES] [SEED] [ONLY...]`
//! (defaults 400, 5000, 24). Prints one line a case, then a summary by class; exit 1 if any
//! case failed. `ONLY` names cases to run alone: a drawn case by its index (`53`) or a
//! reported one by its name (`beta2_8x300_R3`); the others are drawn but not solved.

#[path = "../tests/integration/survey_check.rs"]
mod survey_check;

use std::time::Instant;

use sxcascade::SolverOptions;
use sxcascade::reference::Case;
use sxcascade::reference::survey::{self, SurveyCase};

/// Largest cascade whose products are checked by the dense solve (`O(N^3)` an element).
const CHECK_STAGES: usize = 400;
/// Largest accepted difference from the dense solve, per unit of the element's feed.
const CHECK_TOLERANCE: f64 = 1e-9;

struct Outcome {
    class: String,
    ok: bool,
    seconds: f64,
}

fn run(name: &str, class: String, case: &Case) -> Outcome {
    let start = Instant::now();
    let solved = case
        .cascade
        .solve(&case.model, &case.feed, &SolverOptions::default());
    let seconds = start.elapsed().as_secs_f64();
    let (ok, detail) = match &solved {
        Ok(s) => {
            let closure = s.mass_balance.overall.max(s.mass_balance.worst_stage);
            let check = if case.cascade.stages() <= CHECK_STAGES {
                match survey_check::product_error(case, s) {
                    Ok(e) => (e <= CHECK_TOLERANCE, format!(" dense {e:.1e}")),
                    Err(e) => (false, format!(" dense: {e}")),
                }
            } else {
                (true, String::new())
            };
            (
                check.0 && closure < 1e-10,
                format!(
                    "it {} sw {} res {:.1e} closure {closure:.1e}{}",
                    s.convergence.iterations, s.convergence.sweeps, s.convergence.residual, check.1
                ),
            )
        }
        Err(e) => (false, format!("FAILED: {e}")),
    };
    println!(
        "{} {name}: {:.2} ms {detail}",
        if ok { "ok  " } else { "FAIL" },
        seconds * 1e3
    );
    Outcome { class, ok, seconds }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |k: usize, default: u64| {
        args.get(k)
            .map_or(default, |a| a.parse().expect("a number"))
    };
    let (count, max_stages, seed) = (arg(1, 400) as usize, arg(2, 5000) as usize, arg(3, 24));
    let only: Vec<&str> = args.iter().skip(4).map(String::as_str).collect();
    let wanted = |name: &str| only.is_empty() || only.contains(&name);
    let mut outcomes = Vec::new();
    for (name, case) in survey::reported_cases() {
        if wanted(name) {
            outcomes.push(run(name, "reported".into(), &case));
        }
    }
    for (k, drawn) in survey::cases(seed, count, max_stages).iter().enumerate() {
        if !wanted(&k.to_string()) {
            continue;
        }
        outcomes.push(run(
            &format!("#{k} {}", drawn.label()),
            class(drawn),
            &drawn.case,
        ));
    }
    let mut classes: Vec<String> = outcomes.iter().map(|o| o.class.clone()).collect();
    classes.sort();
    classes.dedup();
    println!("\nclass: cases, failures, median ms, worst ms");
    for class in classes {
        let mut times: Vec<f64> = outcomes
            .iter()
            .filter(|o| o.class == class)
            .map(|o| o.seconds * 1e3)
            .collect();
        times.sort_by(f64::total_cmp);
        let failures = outcomes
            .iter()
            .filter(|o| o.class == class && !o.ok)
            .count();
        println!(
            "{class}: {}, {failures}, {:.2}, {:.2}",
            times.len(),
            times[times.len() / 2],
            times[times.len() - 1]
        );
    }
    let failures = outcomes.iter().filter(|o| !o.ok).count();
    println!("total: {} cases, {failures} failures", outcomes.len());
    if failures > 0 {
        std::process::exit(1);
    }
}

/// Model, feed kind, element-count band and stage band of a drawn case.
fn class(drawn: &SurveyCase) -> String {
    let c = drawn.case.feed.flows().count();
    let n = drawn.case.cascade.stages();
    let elements = if c <= 3 {
        "2-3"
    } else if c <= 8 {
        "4-8"
    } else {
        "9-15"
    };
    let stages = if n <= 100 {
        "1-100"
    } else if n <= 1000 {
        "101-1000"
    } else {
        "1001-5000"
    };
    format!("{} {} C{elements} N{stages}", drawn.model, drawn.feed_kind)
}
