//! The padded Thomas pass of accelerated substitution (`substitution::scaled_rows`) written
//! out in AVX instructions, one [`Lanes`] to a register: the same operations in the same
//! order, so the same result to the bit (`substitution.rs` tests it against the portable
//! pass). No fused multiply-add, which rounds once where the portable code rounds twice.
//!
//! Why not the portable code compiled for AVX: LLVM splits some of its lanes into halves.
//! The back substitution, whose two running sums are carried from one group of elements to
//! the next, and one of the forward elimination's unrolled copies ran two 128-bit
//! instructions to each operation. Written out, the 15-element, 100-stage reference cut
//! solves 6-7 % faster (in-process A/B, medians over 100-200 alternations), and the pass is
//! the division's throughput and little else.

use std::arch::x86_64::{
    __m256d, _mm256_add_pd, _mm256_div_pd, _mm256_mul_pd, _mm256_set1_pd, _mm256_setzero_pd,
    _mm256_sub_pd, _mm256_xor_pd,
};

use super::lanes::avx::{load, store, stored};
use super::lanes::{Lanes, sum};
use super::passed_on;
use super::substitution::{ScaledArgs, stage_terms};

/// The four lanes added as [`sum`] adds them.
#[target_feature(enable = "avx")]
fn lane_sum(x: __m256d) -> f64 {
    sum(stored(x))
}

/// `-x`: the sign bit flipped, as Rust's negation does.
#[target_feature(enable = "avx")]
fn negated(x: __m256d) -> __m256d {
    _mm256_xor_pd(x, _mm256_set1_pd(-0.0))
}

/// `substitution::scaled_rows`, operation for operation (see there for the arithmetic).
#[target_feature(enable = "avx")]
pub fn scaled_rows(
    (separation_factors, scales, flows): ScaledArgs<'_>,
    aqueous: &mut [Lanes],
    reciprocal_pivots: &mut [Lanes],
    (totals, pulls): (&mut [f64], &mut [f64]),
) {
    let (feed, _, _, side_draw) = flows;
    let g = separation_factors.len();
    let stages = scales.len();
    let one = _mm256_set1_pd(1.0);
    for (j, &k) in scales.iter().enumerate() {
        let terms = stage_terms(j, stages, flows);
        let weight = _mm256_set1_pd(terms.weight);
        let load_factor = _mm256_set1_pd(terms.load);
        let k = _mm256_set1_pd(k);
        let (done_a, rest_a) = aqueous.split_at_mut(j * g);
        let (done_r, rest_r) = reciprocal_pivots.split_at_mut(j * g);
        let rows = rest_a[..g].iter_mut().zip(&mut rest_r[..g]);
        let columns = separation_factors.iter().zip(feed);
        if j == 0 {
            for ((a, r), (b, f)) in rows.zip(columns) {
                let (b, f) = (load(b), load(f));
                let pivot = negated(_mm256_add_pd(
                    one,
                    _mm256_mul_pd(weight, _mm256_mul_pd(b, k)),
                ));
                let reciprocal = _mm256_div_pd(one, pivot);
                store(r, reciprocal);
                store(a, _mm256_mul_pd(_mm256_mul_pd(load_factor, f), reciprocal));
            }
        } else {
            let below = (j - 1) * g..j * g;
            let coupling = _mm256_set1_pd(terms.coupling);
            let rising = _mm256_set1_pd(terms.rising);
            let k_below = _mm256_set1_pd(scales[j - 1]);
            let before = done_a[below.clone()].iter().zip(&done_r[below]);
            for (((a, r), (b, f)), (a_below, r_below)) in rows.zip(columns).zip(before) {
                let (b, f) = (load(b), load(f));
                let lower = _mm256_mul_pd(b, k_below);
                let pivot = _mm256_sub_pd(
                    negated(_mm256_add_pd(
                        one,
                        _mm256_mul_pd(weight, _mm256_mul_pd(b, k)),
                    )),
                    _mm256_mul_pd(_mm256_mul_pd(coupling, lower), load(r_below)),
                );
                let reciprocal = _mm256_div_pd(one, pivot);
                store(r, reciprocal);
                let carried = _mm256_mul_pd(_mm256_mul_pd(rising, lower), load(a_below));
                let right = _mm256_sub_pd(_mm256_mul_pd(load_factor, f), carried);
                store(a, _mm256_mul_pd(right, reciprocal));
            }
        }
    }
    let Some(top) = stages.checked_sub(1) else {
        return;
    };
    let (mut total, mut pull) = (_mm256_setzero_pd(), _mm256_setzero_pd());
    for (a, b) in aqueous[top * g..].iter().zip(separation_factors) {
        let a = load(a);
        total = _mm256_add_pd(total, a);
        pull = _mm256_add_pd(pull, _mm256_mul_pd(load(b), a));
    }
    (totals[top], pulls[top]) = (lane_sum(total), lane_sum(pull));
    for j in (0..top).rev() {
        let upper = _mm256_set1_pd(passed_on(side_draw, j + 1));
        let (head, tail) = aqueous.split_at_mut((j + 1) * g);
        let rows = head[j * g..]
            .iter_mut()
            .zip(&reciprocal_pivots[j * g..(j + 1) * g]);
        let (mut total, mut pull) = (_mm256_setzero_pd(), _mm256_setzero_pd());
        for ((a, r), (above, b)) in rows.zip(tail[..g].iter().zip(separation_factors)) {
            let x = _mm256_sub_pd(
                load(a),
                _mm256_mul_pd(_mm256_mul_pd(upper, load(r)), load(above)),
            );
            store(a, x);
            total = _mm256_add_pd(total, x);
            pull = _mm256_add_pd(pull, _mm256_mul_pd(load(b), x));
        }
        (totals[j], pulls[j]) = (lane_sum(total), lane_sum(pull));
    }
}
