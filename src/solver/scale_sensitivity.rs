//! How each stage's scale responds to the scales of the stages near it: the band of the
//! Jacobian of accelerated substitution's map (`loading.rs`), for its preconditioner.
//!
//! Substitution puts stage `j`'s scale `u_j = ln k_j` at `G_j(u) = t_j - ln(B_j / A_j)`, with
//! `A_j = sum_i a_ij` and `B_j = sum_i beta_i a_ij` from every element's tridiagonal balances
//! `T_i(u) a_i = -f_i` (`substitution.rs`). A scale `u_m` enters element `i`'s balances only
//! through the organic `o_im = e_im a_im` leaving stage `m` (`e_im = beta_i k_m`): out of
//! stage `m` with weight `w_m` (1, or `1 - r` on the top stage, whose reflux returns the rest)
//! and into stage `m + 1` with share `q_m` (1 but at an organic side draw). So
//!
//! ```text
//! da_i / du_m = o_im (w_m T_i^-1 e_m - q_m T_i^-1 e_(m+1)),
//! dG_j / du_m = -sum_i c_ij o_im (w_m T_i^-1(j, m) - q_m T_i^-1(j, m+1)),
//! c_ij = beta_i / B_j - 1 / A_j.
//! ```
//!
//! Along its band the inverse of a tridiagonal matrix follows from the forward elimination
//! that the sweep has just done. With pivots `pi_j`, `u_j = U_j / pi_j` and
//! `l_j = L_j / pi_(j-1)` (`D`, `L` and `U` the diagonal, sub- and superdiagonal), `T` is
//! `L' diag(pi) U'` with unit bidiagonal factors, whose inverses are running products; so
//! (Meurant, SIAM J. Matrix Anal. Appl. 13 (1992) 707, for the structure)
//!
//! ```text
//! z_j = T^-1(j, j) = 1 / pi_j + u_j l_(j+1) z_(j+1),    z_N = 1 / pi_N,
//! T^-1(j, m) = (-u_j) ... (-u_(m-1)) z_m      for j < m,
//! T^-1(j, m) = z_j (-l_j) ... (-l_(m+1))      for j > m,
//! ```
//!
//! every entry of the inverse a product, or a sum of terms of one sign (the pivots are
//! negative), of the reciprocal pivots that `substitution.rs` leaves behind and the matrix's
//! own entries: no division. The whole band of half-width `w` costs `O(N C w)`, about four
//! substitution sweeps.

use super::banded::BandLu;
use super::lanes::{Lanes, lanes, sum};
use super::{SideDraw, passed_on, passed_up};

/// The stage balances at one set of scales, as a substitution sweep left them: stage-major,
/// each stage in whole [`Lanes`] of elements, padded as `substitution::solve_scaled_rows`
/// pads them.
pub struct Sweep<'a> {
    /// The separation factors, a stage's lanes of them; 1 for the padding.
    pub separation_factors: &'a [Lanes],
    /// The stages' scales `k_j`, which make the factors `e_ij = beta_i k_j`.
    pub scales: &'a [f64],
    /// The aqueous profile solved at those factors, as many lanes a stage as
    /// `separation_factors`; zero in the padding, which has no feed.
    pub aqueous: &'a [Lanes],
    /// The reciprocal pivots `1 / pi_ij` of that solve, laid out as `aqueous`; finite in the
    /// padding too, whose responses are then zero.
    pub reciprocal_pivots: &'a [Lanes],
    /// Each stage's `A_j = sum_i a_ij` and `B_j = sum_i beta_i a_ij`, as the pass summed them.
    pub totals: &'a [f64],
    pub pulls: &'a [f64],
    pub reflux_fraction: f64,
    pub side_draw: Option<SideDraw>,
}

/// `I - G'` on the band `|j - m| <= half_width`, with `G'` the Jacobian of the substitution
/// map at `sweep`: the linearised map's residual operator, which the preconditioner inverts.
pub fn residual_jacobian_band(sweep: &Sweep<'_>, half_width: usize) -> BandLu {
    let n = sweep.scales.len();
    let mut band = BandLu::zeros(n, half_width, half_width);
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx") {
        // SAFETY: the CPU was just found to support AVX.
        unsafe { fill_avx(sweep, &mut band, half_width) };
        return band;
    }
    fill(sweep, &mut band, half_width);
    band
}

/// [`fill`] compiled for AVX: four elements to an instruction rather than SSE2's two. No fused
/// multiply-add, so the band is the same to the bit on every x86-64 CPU.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx")]
fn fill_avx(sweep: &Sweep<'_>, band: &mut BandLu, half_width: usize) {
    fill(sweep, band, half_width);
}

/// Sets the band of [`residual_jacobian_band`] in `band`, a diagonal at a time. Along a
/// diagonal each element's running product of ratios is one multiplication a stage; an
/// entry's terms are summed in their lanes over the stage's groups of elements, stored next
/// to each other, and the lanes added once.
#[inline(always)]
fn fill(sweep: &Sweep<'_>, band: &mut BandLu, half_width: usize) {
    let n = sweep.scales.len();
    let mut r = Responses::new(sweep);
    let width = half_width.min(n.saturating_sub(1));
    // Groups of elements a stage as a constant where there are few (6 to 16 elements), so
    // that the loops over a stage's groups are unrolled (the same band to the bit; 15 x 100
    // solves 1.7 % faster, in-process A/B).
    match sweep.separation_factors.len() {
        2 => diagonals::<2>(&mut r, band, n, width),
        3 => diagonals::<3>(&mut r, band, n, width),
        4 => diagonals::<4>(&mut r, band, n, width),
        g => diagonals_of(g, &mut r, band, n, width),
    }
}

/// [`fill`]'s diagonals for `G` groups of elements a stage.
#[inline(always)]
fn diagonals<const G: usize>(r: &mut Responses, band: &mut BandLu, n: usize, width: usize) {
    diagonals_of(G, r, band, n, width);
}

/// [`fill`]'s diagonals for `g` groups of elements a stage.
#[inline(always)]
fn diagonals_of(g: usize, r: &mut Responses, band: &mut BandLu, n: usize, width: usize) {
    let mut entries = vec![0.0; n];
    // Entry (j, j + d): sum_i c_ij up_j ... up_(j+d-1) ahead_(j+d). The weights become the
    // running products in place: nothing else needs them.
    for d in 0..=width {
        let m = n - d;
        let identity = if d == 0 { 1.0 } else { 0.0 };
        let stages = r
            .weights
            .chunks_exact_mut(g)
            .zip(r.ahead[d * g..].chunks_exact(g));
        if d == 0 {
            for (entry, (running, ahead)) in entries.iter_mut().zip(stages) {
                *entry = identity + sum(products(running, ahead));
            }
        } else {
            let ups = r.up[(d - 1) * g..].chunks_exact(g);
            for ((entry, (running, ahead)), up) in entries.iter_mut().zip(stages).zip(ups) {
                for (x, u) in running.iter_mut().zip(up) {
                    *x = lanes(|l| x[l] * u[l]);
                }
                *entry = identity + sum(products(running, ahead));
            }
        }
        band.set_superdiagonal(d, &entries[..m]);
    }
    // Entry (j, j - d), d >= 1: sum_i c_ij z_ij down_j ... down_(j-d+2) behind_(j-d), the
    // row weights likewise becoming the running products.
    for d in 1..=width {
        let m = n - d;
        let stages = r.row_weights[d * g..]
            .chunks_exact_mut(g)
            .zip(r.behind.chunks_exact(g));
        if d == 1 {
            for (entry, (running, behind)) in entries.iter_mut().zip(stages) {
                *entry = sum(products(running, behind));
            }
        } else {
            let downs = r.down[2 * g..].chunks_exact(g);
            for ((entry, (running, behind)), down) in entries.iter_mut().zip(stages).zip(downs) {
                for (x, f) in running.iter_mut().zip(down) {
                    *x = lanes(|l| x[l] * f[l]);
                }
                *entry = sum(products(running, behind));
            }
        }
        band.set_subdiagonal(d, &entries[..m]);
    }
}

/// `sum_g x_g b_g` over a stage's groups, in lanes, from zero.
#[inline(always)]
fn products(x: &[Lanes], b: &[Lanes]) -> Lanes {
    x.iter()
        .zip(b)
        .fold([0.0; 4], |s, (x, b)| lanes(|l| s[l] + x[l] * b[l]))
}

/// How every element's balances respond to each stage's scale, per unit of the running
/// products of the inverse's ratios `up_j = -u_j` and `down_j = -l_j`:
///
/// ```text
/// c_ij o_m (w_m T^-1(j, m) - q_m T^-1(j, m+1))
///     = weight_j up_j ... up_(m-1) ahead_m                     for m >= j,
///     = row_weight_j down_j ... down_(m+2) behind_m            for m < j,
/// ahead_m = o_m (w_m z_m - q_m up_m z_(m+1)),   behind_m = o_m (w_m down_(m+1) - q_m),
/// weight_j = c_ij,   row_weight_j = c_ij z_j.
/// ```
///
/// In lanes, a group of four elements at a time: group `g` of stage `j` at `j G + g`, so that
/// each entry's terms are stored next to each other.
struct Responses {
    weights: Vec<Lanes>,
    row_weights: Vec<Lanes>,
    ahead: Vec<Lanes>,
    behind: Vec<Lanes>,
    up: Vec<Lanes>,
    /// `down_j` at `j`; `down_0` is not defined and is left 0.
    down: Vec<Lanes>,
}

impl Responses {
    #[inline(always)]
    fn new(sweep: &Sweep<'_>) -> Self {
        let (n, g) = (sweep.scales.len(), sweep.separation_factors.len());
        let zeros = || vec![[0.0; 4]; n * g];
        let mut r = Self {
            weights: zeros(),
            row_weights: zeros(),
            ahead: zeros(),
            behind: zeros(),
            up: zeros(),
            down: zeros(),
        };
        // `z_(j+1)` of every element.
        let mut z_above = vec![[0.0; 4]; g];
        // From the top, for the recurrence of `z`.
        for j in (0..n).rev() {
            let top = j + 1 == n;
            // The balances of `substitution.rs`: at stage j, U = p_(j+1), the share of the
            // aqueous above passed on; at stage j + 1, L = q_j e_j, the organic rising into it.
            let out = if top {
                1.0 - sweep.reflux_fraction
            } else {
                1.0
            };
            let rising = passed_up(sweep.side_draw, j);
            let falling = if top {
                0.0
            } else {
                passed_on(sweep.side_draw, j + 1)
            };
            let (per_total, per_pull) = (1.0 / sweep.totals[j], 1.0 / sweep.pulls[j]);
            let scale = sweep.scales[j];
            let here = j * g..(j + 1) * g;
            let stage = sweep.aqueous[here.clone()]
                .iter()
                .zip(&sweep.reciprocal_pivots[here]);
            let columns = sweep.separation_factors.iter().zip(&mut z_above);
            for (group, ((a, reciprocal), (b, z_above))) in stage.zip(columns).enumerate() {
                let t = j * g + group;
                let e = lanes(|l| b[l] * scale);
                let up = lanes(|l| -falling * reciprocal[l]);
                let organic = lanes(|l| e[l] * a[l]);
                let weight = lanes(|l| b[l] * per_pull - per_total);
                let (z, ahead) = if top {
                    (*reciprocal, lanes(|l| organic[l] * out * reciprocal[l]))
                } else {
                    let down = lanes(|l| -rising * e[l] * reciprocal[l]);
                    r.down[t + g] = down;
                    r.behind[t] = lanes(|l| organic[l] * (out * down[l] - rising));
                    let z = lanes(|l| reciprocal[l] + up[l] * down[l] * z_above[l]);
                    let ahead = lanes(|l| organic[l] * (out * z[l] - rising * up[l] * z_above[l]));
                    (z, ahead)
                };
                *z_above = z;
                r.up[t] = up;
                r.ahead[t] = ahead;
                r.weights[t] = weight;
                r.row_weights[t] = lanes(|l| weight[l] * z[l]);
            }
        }
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::equilibrium::weighted_sum;
    use crate::solver::substitution::solve_scaled_rows;
    use crate::solver::{DrawPhase, solve_linear_balances};

    /// The substitution map `G(u)` of `loading.rs` at scales `u`, by the plain Thomas pass.
    fn map(
        betas: &[f64],
        feed: &[f64],
        feed_stage: usize,
        reflux: f64,
        draw: Option<SideDraw>,
        u: &[f64],
    ) -> Vec<f64> {
        let c = betas.len();
        let scales: Vec<f64> = u.iter().map(|u| u.exp()).collect();
        let factors: Vec<f64> = scales
            .iter()
            .flat_map(|k| betas.iter().map(move |b| b * k))
            .collect();
        let mut aqueous = vec![0.0; factors.len()];
        let mut scratch = vec![0.0; factors.len()];
        solve_linear_balances(
            &factors,
            feed,
            feed_stage,
            reflux,
            draw,
            &mut aqueous,
            &mut scratch,
        );
        aqueous
            .chunks_exact(c)
            .map(|a| -(weighted_sum(betas, a) / a.iter().sum::<f64>()).ln())
            .collect()
    }

    #[test]
    fn jacobian_band_matches_finite_differences_of_the_map() {
        let betas = [1.0, 1.6, 2.3, 4.1, 9.0, 30.0];
        let feed = [0.3, 0.25, 0.2, 0.15, 0.07, 0.03];
        let n = 24;
        let draws = [
            None,
            Some(SideDraw {
                stage: 7,
                phase: DrawPhase::Organic,
                fraction: 0.3,
            }),
            Some(SideDraw {
                stage: 15,
                phase: DrawPhase::Aqueous,
                fraction: 0.2,
            }),
            // At either end, where the shares enter the first and the last rows.
            Some(SideDraw {
                stage: 0,
                phase: DrawPhase::Organic,
                fraction: 0.25,
            }),
            Some(SideDraw {
                stage: n - 1,
                phase: DrawPhase::Aqueous,
                fraction: 0.4,
            }),
        ];
        for draw in draws {
            assert_band_matches_differences(&betas, &feed, 10, 0.6, draw, n, 4);
        }
    }

    /// Cascades no longer than the band is wide, where the band is the whole Jacobian, with
    /// no reflux, some and nearly total.
    #[test]
    fn jacobian_band_matches_differences_for_three_to_five_groups_of_elements() {
        // 11, 15 and 18 elements: three and four groups a stage (their loops unrolled) and
        // five (the general loops).
        for c in [11, 15, 18] {
            let betas: Vec<f64> = (0..c).map(|i| 1.3_f64.powi(i)).collect();
            let feed: Vec<f64> = (0..c).map(|i| 1.0 / (1.0 + i as f64)).collect();
            let draw = SideDraw {
                stage: 9,
                phase: DrawPhase::Aqueous,
                fraction: 0.2,
            };
            for draw in [None, Some(draw)] {
                assert_band_matches_differences(&betas, &feed, 8, 0.6, draw, 20, 4);
            }
        }
    }

    #[test]
    fn jacobian_band_matches_differences_on_cascades_shorter_than_its_width() {
        let betas = [1.0, 1.6, 2.3, 4.1, 9.0, 30.0];
        let feed = [0.3, 0.25, 0.2, 0.15, 0.07, 0.03];
        for n in [1, 2, 5, 9] {
            for reflux in [0.0, 0.6, 0.95] {
                assert_band_matches_differences(&betas, &feed, n / 2, reflux, None, n, 8);
            }
        }
    }

    /// The band of half-width `half_width` against central differences of `I - G` at scales
    /// that vary along the cascade, as a solve's do.
    fn assert_band_matches_differences(
        betas: &[f64],
        feed: &[f64],
        feed_stage: usize,
        reflux: f64,
        draw: Option<SideDraw>,
        n: usize,
        half_width: usize,
    ) {
        let u: Vec<f64> = (0..n).map(|j| -1.2 + 0.05 * j as f64).collect();
        let scales: Vec<f64> = u.iter().map(|u| u.exp()).collect();
        // The sweep as accelerated substitution solves it, on stages padded to whole lanes.
        let groups = betas.len().div_ceil(4);
        let pad = |x: &[f64], padding: f64| {
            let mut padded = vec![[padding; 4]; groups];
            padded.as_flattened_mut()[..x.len()].copy_from_slice(x);
            padded
        };
        let (factors, padded_feed) = (pad(betas, 1.0), pad(feed, 0.0));
        let (mut aqueous, mut reciprocal_pivots) =
            (vec![[0.0; 4]; groups * n], vec![[0.0; 4]; groups * n]);
        let (mut totals, mut pulls) = (vec![0.0; n], vec![0.0; n]);
        solve_scaled_rows(
            &factors,
            &scales,
            (&padded_feed, feed_stage, reflux, draw),
            &mut aqueous,
            &mut reciprocal_pivots,
            (&mut totals, &mut pulls),
        );
        let sweep = Sweep {
            separation_factors: &factors,
            scales: &scales,
            aqueous: &aqueous,
            reciprocal_pivots: &reciprocal_pivots,
            totals: &totals,
            pulls: &pulls,
            reflux_fraction: reflux,
            side_draw: draw,
        };
        let band = residual_jacobian_band(&sweep, half_width);
        // The portable build, against the AVX one where the CPU has AVX: the same to the bit.
        let mut portable = BandLu::zeros(n, half_width, half_width);
        fill(&sweep, &mut portable, half_width);
        for j in 0..n {
            for m in j.saturating_sub(half_width)..(j + half_width + 1).min(n) {
                assert_eq!(band.get(j, m).to_bits(), portable.get(j, m).to_bits());
            }
        }
        let h = 1e-6;
        let columns: Vec<Vec<f64>> = (0..n)
            .map(|m| {
                let (mut up, mut down) = (u.clone(), u.clone());
                up[m] += h;
                down[m] -= h;
                let plus = map(betas, feed, feed_stage, reflux, draw, &up);
                let minus = map(betas, feed, feed_stage, reflux, draw, &down);
                let unit = |j: usize| if j == m { 1.0 } else { 0.0 };
                (0..n)
                    .map(|j| unit(j) - (plus[j] - minus[j]) / (2.0 * h))
                    .collect()
            })
            .collect();
        let largest = columns
            .iter()
            .flatten()
            .fold(0.0, |m: f64, x| m.max(x.abs()));
        assert!(largest > 0.1, "the map must respond: {largest}");
        for (m, column) in columns.iter().enumerate() {
            let lo = m.saturating_sub(half_width);
            for (j, expected) in column.iter().enumerate().take(m + half_width + 1).skip(lo) {
                let got = band.get(j, m);
                assert!(
                    (got - expected).abs() < 1e-7,
                    "n {n}, reflux {reflux}, {draw:?}: ({j}, {m}) analytic {got}, \
                     finite differences {expected}"
                );
            }
        }
    }
}
