//! Trace elements of a saturated cascade. In a network every element reaches every cascade,
//! most at absurd levels (1e-100 of the feed and below, down to subnormal doubles) that no
//! assay could see. Such an element cannot change the organic's loading, so its stage balances
//! are linear: with the extraction factors the major elements set, `o = beta_i k_j a`, where
//! `k_j = S_j / sum_l beta_l a_lj` (docs/model.md section 3), each trace element's profile is one
//! tridiagonal solve. That is exact to rounding when the element's share of the loading,
//! `beta_i x_i / sum_l beta_l x_l`, is below double precision, and it keeps the
//! Newton solve of the major elements free of numbers it cannot scale.

use crate::solver::{SideDraw, StageSolution, solve_linear_balances};

/// Elements whose share of the feed's organic loading, `beta_i x_i / sum_l beta_l x_l`, is
/// below this are traces. Inside the cascade an element can concentrate above its feed level
/// (a middle element builds up around the feed stage), by factors of 1e3-1e5 in the stress
/// survey; from 1e-19 its share of any stage's loading stays under 1e-14, three decades below
/// the solver's tolerance, so leaving it out of the loading changes no other element. (1e-22
/// is no more exact and, on the bench plant, 20 % slower: more dilute heavies go through the
/// Newton tiers.)
pub const TRACE_LOADING_SHARE: f64 = 1e-19;

/// Indices of the major and the trace elements of `feed`, given their separation factors.
pub fn split(feed: &[f64], separation_factors: &[f64]) -> (Vec<usize>, Vec<usize>) {
    let loading: f64 = feed
        .iter()
        .zip(separation_factors)
        .map(|(x, b)| x * b)
        .sum();
    (0..feed.len()).partition(|&i| separation_factors[i] * feed[i] >= TRACE_LOADING_SHARE * loading)
}

/// The profiles of all elements (in `feed` order) from the solution for the `major` ones:
/// the trace elements' balances solved at the stage loading the major elements set.
pub fn with_traces(
    major_solution: StageSolution,
    (major, traces): (&[usize], &[usize]),
    separation_factors: &[f64],
    feed: &[f64],
    feed_stage: usize,
    reflux_fraction: f64,
    side_draw: Option<SideDraw>,
) -> StageSolution {
    if traces.is_empty() {
        // `major` is every element, in order.
        return major_solution;
    }
    let (cm, ct, c) = (major.len(), traces.len(), feed.len());
    let stages = major_solution.aqueous.len() / cm;
    let mut factors = vec![0.0; stages * ct];
    for j in 0..stages {
        let a = &major_solution.aqueous[j * cm..(j + 1) * cm];
        let o = &major_solution.organic[j * cm..(j + 1) * cm];
        let loading: f64 = o.iter().sum();
        let weighted: f64 = major
            .iter()
            .zip(a)
            .map(|(&i, a)| separation_factors[i] * a)
            .sum();
        for (t, &i) in traces.iter().enumerate() {
            factors[j * ct + t] = separation_factors[i] * loading / weighted;
        }
    }
    // Linear: solve for a unit feed and scale, so that no subnormal number enters the solve.
    let unit = vec![1.0; ct];
    let mut aqueous_per_unit = vec![0.0; stages * ct];
    let mut scratch = vec![0.0; stages * ct];
    solve_linear_balances(
        &factors,
        &unit,
        feed_stage,
        reflux_fraction,
        side_draw,
        &mut aqueous_per_unit,
        &mut scratch,
    );
    let mut aqueous = vec![0.0; stages * c];
    let mut organic = vec![0.0; stages * c];
    for j in 0..stages {
        for (p, &i) in major.iter().enumerate() {
            aqueous[j * c + i] = major_solution.aqueous[j * cm + p];
            organic[j * c + i] = major_solution.organic[j * cm + p];
        }
        for (t, &i) in traces.iter().enumerate() {
            let a = aqueous_per_unit[j * ct + t] * feed[i];
            aqueous[j * c + i] = a;
            organic[j * c + i] = factors[j * ct + t] * a;
        }
    }
    StageSolution {
        aqueous,
        organic,
        status: major_solution.status,
    }
}
