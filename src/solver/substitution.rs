//! Successive substitution: with the extraction factors of every stage held fixed, each
//! element's stage balances form one tridiagonal linear system, solved by the Thomas algorithm.
//!
//! This is the structure of the Wang-Henke (1966) bubble-point method for distillation, the
//! exact analogue of a constant-flux cascade. One sweep is the exact answer for a linear
//! (constant-D) model; for the saturated model a few sweeps give the Newton solver a start
//! whose profiles are positive and balance every element.

use super::lanes::{Lanes, lanes, sum};
use super::{SideDraw, passed_on, passed_up};

/// Solves, for every element `i` and stage `j`,
/// `q(j-1) e(j-1) a(j-1) - (1 + e(j)) a(j) + p(j+1) a(j+1) = -feed(j)`, with no organic
/// entering stage 1, the reflux `r e(N) a(N)` entering stage N, and `p` (`q`) the share of a
/// stage's aqueous (organic) passed on below (above): 1 but at a side draw. `factors`,
/// `aqueous` and `scratch` are stage-major `N x C`; `scratch` is left holding the reciprocal
/// pivots `1 / pi_j` of the forward elimination, from which `scale_sensitivity.rs` builds
/// the inverse's band without a division.
pub fn solve_linear_balances(
    factors: &[f64],
    feed: &[f64],
    feed_stage: usize,
    reflux_fraction: f64,
    side_draw: Option<SideDraw>,
    aqueous: &mut [f64],
    scratch: &mut [f64],
) {
    let args = (feed, feed_stage, reflux_fraction, side_draw);
    // Binaries and ternaries get the loops over a stage's elements compiled for their size.
    match feed.len() {
        2 => solve_sized::<2>(factors, args, aqueous, scratch),
        3 => solve_sized::<3>(factors, args, aqueous, scratch),
        _ => solve_sized::<0>(factors, args, aqueous, scratch),
    }
}

/// What sets the balances besides the factors: the feed (one entry per element), its stage,
/// the reflux fraction and the side draw.
pub type Flows<'a, T = f64> = (&'a [T], usize, f64, Option<SideDraw>);

/// [`solve_linear_balances`] for the saturated model's factors `e_ij = beta_i k_j`, formed
/// from the separation factors and each stage's scale `k_j` as they are used, on stages padded
/// to whole [`Lanes`] (the padding's feed zero and its separation factors positive, so its
/// aqueous is zero): the accelerated substitution's sweep. Each element's arithmetic is that of
/// [`solve_linear_balances`]. It also leaves each stage's `sum_i a_ij` in `totals` and
/// `sum_i beta_i a_ij` in `pulls`, summed as the back substitution finishes the stage: the
/// substitution map needs nothing else of the profile.
pub fn solve_scaled_rows(
    separation_factors: &[Lanes],
    scales: &[f64],
    flows: Flows<'_, Lanes>,
    aqueous: &mut [Lanes],
    reciprocal_pivots: &mut [Lanes],
    sums: (&mut [f64], &mut [f64]),
) {
    let args = (separation_factors, scales, flows);
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx") {
        // SAFETY: the CPU was just found to support AVX.
        return unsafe {
            super::substitution_avx::scaled_rows(args, aqueous, reciprocal_pivots, sums)
        };
    }
    scaled_rows(args, aqueous, reciprocal_pivots, sums);
}

/// The stage's separation factors, scales and flows, as [`solve_scaled_rows`] takes them.
pub(super) type ScaledArgs<'a> = (&'a [Lanes], &'a [f64], Flows<'a, Lanes>);

/// What stage `j`'s balances in [`solve_scaled_rows`] have in common for every element, for
/// the portable pass and the AVX one alike: the share of its organic leaving it (less the
/// reflux at the top stage), the sign of the feed's load (`-1` at the feed stage), and from
/// stage 1 on the share of the organic rising into it from below and that times the share
/// of its aqueous passed down (a side draw takes from one or the other).
pub(super) struct StageTerms {
    pub weight: f64,
    pub load: f64,
    pub rising: f64,
    pub coupling: f64,
}

#[inline(always)]
pub(super) fn stage_terms(
    j: usize,
    stages: usize,
    (_, feed_stage, reflux_fraction, side_draw): Flows<'_, Lanes>,
) -> StageTerms {
    let rising = if j > 0 {
        passed_up(side_draw, j - 1)
    } else {
        0.0
    };
    StageTerms {
        weight: if j + 1 == stages {
            1.0 - reflux_fraction
        } else {
            1.0
        },
        load: if j == feed_stage { -1.0 } else { 0.0 },
        rising,
        coupling: if j > 0 {
            rising * passed_on(side_draw, j)
        } else {
            0.0
        },
    }
}

/// [`solve_scaled_rows`] in portable code: the pass on CPUs without AVX, and the reference
/// that `substitution_avx.rs` is tested against.
fn scaled_rows(
    (separation_factors, scales, flows): ScaledArgs<'_>,
    aqueous: &mut [Lanes],
    reciprocal_pivots: &mut [Lanes],
    (totals, pulls): (&mut [f64], &mut [f64]),
) {
    let (feed, _, _, side_draw) = flows;
    let g = separation_factors.len();
    let stages = scales.len();
    for (j, &k) in scales.iter().enumerate() {
        let StageTerms {
            weight,
            load,
            rising,
            coupling,
        } = stage_terms(j, stages, flows);
        let (done_a, rest_a) = aqueous.split_at_mut(j * g);
        let (done_r, rest_r) = reciprocal_pivots.split_at_mut(j * g);
        let rows = rest_a[..g].iter_mut().zip(&mut rest_r[..g]);
        let columns = separation_factors.iter().zip(feed);
        if j == 0 {
            for ((a, r), (b, f)) in rows.zip(columns) {
                *r = lanes(|l| 1.0 / -(1.0 + weight * (b[l] * k)));
                *a = lanes(|l| load * f[l] * r[l]);
            }
        } else {
            let below = (j - 1) * g..j * g;
            let k_below = scales[j - 1];
            let before = done_a[below.clone()].iter().zip(&done_r[below]);
            for (((a, r), (b, f)), (a_below, r_below)) in rows.zip(columns).zip(before) {
                let lower = lanes(|l| b[l] * k_below);
                let pivot =
                    lanes(|l| -(1.0 + weight * (b[l] * k)) - coupling * lower[l] * r_below[l]);
                *r = lanes(|l| 1.0 / pivot[l]);
                *a = lanes(|l| (load * f[l] - rising * lower[l] * a_below[l]) * r[l]);
            }
        }
    }
    let Some(top) = stages.checked_sub(1) else {
        return;
    };
    // Four partial sums a total, combined by `lanes::sum`.
    let (mut total, mut pull) = ([0.0; 4], [0.0; 4]);
    for (a, b) in aqueous[top * g..].iter().zip(separation_factors) {
        total = lanes(|l| total[l] + a[l]);
        pull = lanes(|l| pull[l] + b[l] * a[l]);
    }
    (totals[top], pulls[top]) = (sum(total), sum(pull));
    for j in (0..top).rev() {
        let upper = passed_on(side_draw, j + 1);
        let (head, tail) = aqueous.split_at_mut((j + 1) * g);
        let rows = head[j * g..]
            .iter_mut()
            .zip(&reciprocal_pivots[j * g..(j + 1) * g]);
        let (mut total, mut pull) = ([0.0; 4], [0.0; 4]);
        for ((a, r), (above, b)) in rows.zip(tail[..g].iter().zip(separation_factors)) {
            *a = lanes(|l| a[l] - upper * r[l] * above[l]);
            total = lanes(|l| total[l] + a[l]);
            pull = lanes(|l| pull[l] + b[l] * a[l]);
        }
        (totals[j], pulls[j]) = (sum(total), sum(pull));
    }
}

/// [`solve_linear_balances`] for stages of `C` elements (`C = 0`: any number).
fn solve_sized<const C: usize>(
    factors: &[f64],
    (feed, feed_stage, reflux_fraction, side_draw): Flows<'_>,
    aqueous: &mut [f64],
    scratch: &mut [f64],
) {
    let c = if C == 0 { feed.len() } else { C };
    let stages = aqueous.len() / c;
    // Forward elimination: scratch holds 1 / m(j), aqueous holds d'(j); c'(j) = super(j) / m(j)
    // is `upper(j)` times the first. The branches are taken per stage, so the loop over
    // elements is straight-line code.
    for j in 0..stages {
        let last = j + 1 == stages;
        let weight = if last { 1.0 - reflux_fraction } else { 1.0 };
        // The right-hand side is `load * feed`: a multiply costs less than zeroing the stage
        // first (a `memset` call per stage was a quarter of the pass), and is exact for the
        // finite feeds a cascade has.
        let load = if j == feed_stage { -1.0 } else { 0.0 };
        let (done_a, rest_a) = aqueous.split_at_mut(j * c);
        let (done_s, rest_s) = scratch.split_at_mut(j * c);
        let (a, reciprocal) = (&mut rest_a[..c], &mut rest_s[..c]);
        let e = &factors[j * c..(j + 1) * c];
        if j == 0 {
            for (((a, reciprocal), e), f) in
                a.iter_mut().zip(reciprocal.iter_mut()).zip(e).zip(feed)
            {
                *reciprocal = 1.0 / -(1.0 + weight * e);
                *a = load * f * *reciprocal;
            }
        } else {
            let below = (j - 1) * c..j * c;
            // The organic rising from the stage below, times the share of this stage's aqueous
            // passed down to it: the sub-diagonal times the super-diagonal above it.
            let rising = passed_up(side_draw, j - 1);
            let coupling = rising * passed_on(side_draw, j);
            let (lower, a_below, r_below) = (
                &factors[below.clone()],
                &done_a[below.clone()],
                &done_s[below],
            );
            for ((((((a, reciprocal), e), lower), a_below), r_below), f) in a
                .iter_mut()
                .zip(reciprocal.iter_mut())
                .zip(e)
                .zip(lower)
                .zip(a_below)
                .zip(r_below)
                .zip(feed)
            {
                let pivot = -(1.0 + weight * e) - coupling * lower * r_below;
                *reciprocal = 1.0 / pivot;
                *a = (load * f - rising * lower * a_below) * *reciprocal;
            }
        }
    }
    for j in (0..stages.saturating_sub(1)).rev() {
        let upper = passed_on(side_draw, j + 1);
        let (head, tail) = aqueous.split_at_mut((j + 1) * c);
        for ((a, reciprocal), above) in head[j * c..]
            .iter_mut()
            .zip(&scratch[j * c..(j + 1) * c])
            .zip(&tail[..c])
        {
            *a -= upper * reciprocal * above;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::solver::DrawPhase;

    /// The padded sweep against the plain one on factors `beta_i k_j`: the same profile and
    /// pivots to the bit, zero in the padding, the stage sums those of the profile; and the AVX
    /// build (where the CPU has it) the same to the bit as the portable one.
    #[test]
    fn scaled_rows_are_the_linear_balances_padded_to_whole_lanes() {
        let n = 30;
        let draws = [
            None,
            Some(SideDraw {
                stage: 11,
                phase: DrawPhase::Organic,
                fraction: 0.3,
            }),
            Some(SideDraw {
                stage: 20,
                phase: DrawPhase::Aqueous,
                fraction: 0.2,
            }),
        ];
        for c in [6, 7, 8, 15] {
            for draw in draws {
                let betas: Vec<f64> = (0..c).map(|i| 1.7_f64.powi(i as i32)).collect();
                let feed: Vec<f64> = (0..c).map(|i| 1.0 + (i % 3) as f64).collect();
                let scales: Vec<f64> = (0..n).map(|j| 0.05 * 1.04_f64.powi(j as i32)).collect();
                let factors: Vec<f64> = scales
                    .iter()
                    .flat_map(|k| betas.iter().map(move |b| b * k))
                    .collect();
                let (mut aqueous, mut pivots) = (vec![0.0; n * c], vec![0.0; n * c]);
                solve_linear_balances(&factors, &feed, 12, 0.6, draw, &mut aqueous, &mut pivots);

                let g = c.div_ceil(4);
                let padded = |x: &[f64], pad: f64| {
                    let mut rows = vec![[pad; 4]; g];
                    rows.as_flattened_mut()[..c].copy_from_slice(x);
                    rows
                };
                let (betas4, feed4) = (padded(&betas, 1.0), padded(&feed, 0.0));
                let args = (&betas4[..], &scales[..], (&feed4[..], 12, 0.6, draw));
                let run = |avx: bool| {
                    let (mut a, mut r) = (vec![[0.0; 4]; n * g], vec![[0.0; 4]; n * g]);
                    let (mut totals, mut pulls) = (vec![0.0; n], vec![0.0; n]);
                    let sums = (&mut totals[..], &mut pulls[..]);
                    if avx {
                        solve_scaled_rows(args.0, args.1, args.2, &mut a, &mut r, sums);
                    } else {
                        scaled_rows(args, &mut a, &mut r, sums);
                    }
                    (a, r, totals, pulls)
                };
                let (a, r, totals, pulls) = run(false);
                for j in 0..n {
                    let (row, pivot_row) = (a[j * g..(j + 1) * g].as_flattened(), &r[j * g..]);
                    for i in 0..c {
                        assert_eq!(
                            row[i].to_bits(),
                            aqueous[j * c + i].to_bits(),
                            "{c} {j} {i}"
                        );
                        let pivot = pivot_row.as_flattened()[i];
                        assert_eq!(pivot.to_bits(), pivots[j * c + i].to_bits());
                    }
                    assert!(row[c..].iter().all(|&x| x == 0.0), "padding of stage {j}");
                    let stage = &aqueous[j * c..(j + 1) * c];
                    let total: f64 = stage.iter().sum();
                    let pull: f64 = stage.iter().zip(&betas).map(|(a, b)| a * b).sum();
                    assert!((totals[j] - total).abs() <= 1e-14 * total);
                    assert!((pulls[j] - pull).abs() <= 1e-14 * pull);
                }
                let bits = |x: &[f64]| x.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
                let (a2, r2, totals2, pulls2) = run(true);
                assert_eq!(bits(a.as_flattened()), bits(a2.as_flattened()));
                assert_eq!(bits(r.as_flattened()), bits(r2.as_flattened()));
                assert_eq!(bits(&totals), bits(&totals2));
                assert_eq!(bits(&pulls), bits(&pulls2));
            }
        }
    }
}
