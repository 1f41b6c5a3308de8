//! Survey of sharp binary cuts near the minimum reflux: the extract takes exactly the feed's
//! Nd, so both products approach 100 % and the profiles span tens of decades as the stages
//! grow. Not a test (it takes a few seconds); its count goes in the notes of issue 2.
//!
//! `cargo run --release --example sharp [all]`: prints the failures (with `all`, every case)
//! and the count.

use std::time::Instant;

use sxcascade::SolverOptions;
use sxcascade::reference;
use sxcascade::theory::minimum_reflux_ratio;

fn main() {
    let all = std::env::args().nth(1).is_some_and(|a| a == "all");
    let (mut failures, mut cases) = (0, 0);
    let start = Instant::now();
    for (beta, nd) in [(1.5, 0.5), (2.0, 0.3), (1.2, 0.4)] {
        for factor in [1.05, 1.1, 1.2, 1.5] {
            for stages in [20, 40, 60, 80, 100, 150, 200, 300] {
                let reflux = factor * minimum_reflux_ratio(beta, nd, 0.999, false);
                let case = reference::binary(beta, nd, stages, stages, nd * (1.0 + reflux), reflux);
                let timer = Instant::now();
                let solved = case
                    .cascade
                    .solve(&case.model, &case.feed, &SolverOptions::default());
                let label = format!("beta {beta}, {factor} R_min, {stages} + {stages} stages");
                cases += 1;
                match solved {
                    Ok(s) if all => println!(
                        "ok   {label}: {} iterations, {} sweeps ({:.1?})",
                        s.convergence.iterations,
                        s.convergence.sweeps,
                        timer.elapsed()
                    ),
                    Ok(_) => {}
                    Err(e) => {
                        failures += 1;
                        println!("FAIL {label}: {e} ({:.1?})", timer.elapsed());
                    }
                }
            }
        }
    }
    println!(
        "{failures} of {cases} did not converge ({:.1?})",
        start.elapsed()
    );
}
