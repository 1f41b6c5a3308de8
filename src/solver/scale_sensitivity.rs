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
use super::{SideDraw, passed_on, passed_up};
use crate::equilibrium::weighted_sum;

/// The stage balances at one set of scales, as a substitution sweep left them.
pub struct Sweep<'a> {
    pub separation_factors: &'a [f64],
    /// The stages' scales `k_j`, which make the factors `e_ij = beta_i k_j`.
    pub scales: &'a [f64],
    /// The aqueous profile solved at those factors, stage-major, `stride` entries a stage of
    /// which the first `C` are the elements'.
    pub aqueous: &'a [f64],
    /// The reciprocal pivots `1 / pi_ij` of that solve, laid out as `aqueous`: what
    /// [`super::solve_linear_balances`] leaves in its scratch, or the padded pass in its own.
    pub reciprocal_pivots: &'a [f64],
    /// Entries a stage in `aqueous` and `reciprocal_pivots`: `C`, or more where the stages are
    /// padded to whole lanes (`substitution::solve_scaled_rows`).
    pub stride: usize,
    pub reflux_fraction: f64,
    pub side_draw: Option<SideDraw>,
}

/// `I - G'` on the band `|j - m| <= half_width`, with `G'` the Jacobian of the substitution
/// map at `sweep`: the linearised map's residual operator, which the preconditioner inverts.
///
/// Built one element and one diagonal at a time: along a diagonal each element's running
/// product of ratios is one multiplication a stage, over stages stored next to each other,
/// which the compiler vectorises.
pub fn residual_jacobian_band(sweep: &Sweep<'_>, half_width: usize) -> BandLu {
    let c = sweep.separation_factors.len();
    let n = sweep.scales.len();
    let r = Responses::new(sweep, n, c);
    let width = half_width.min(n.saturating_sub(1));
    // `above[d N + j]` is entry `(j, j + d)`, `below[d N + m]` entry `(m + d, m)` (`d = 0` of
    // `below` unused).
    let mut above = vec![0.0; (width + 1) * n];
    let mut below = vec![0.0; (width + 1) * n];
    let mut running = vec![0.0; n];
    for i in 0..c {
        let rows = i * n..(i + 1) * n;
        let (ahead, behind) = (&r.ahead[rows.clone()], &r.behind[rows.clone()]);
        let (up, down) = (&r.up[rows.clone()], &r.down[rows.clone()]);
        // Entry (j, j + d): c_ij up_j ... up_(j+d-1) ahead_(j+d).
        running.copy_from_slice(&r.weights[rows.clone()]);
        for (d, diagonal) in above.chunks_exact_mut(n).enumerate() {
            if d > 0 {
                for (x, u) in running[..n - d].iter_mut().zip(&up[d - 1..]) {
                    *x *= u;
                }
            }
            for ((entry, x), a) in diagonal[..n - d].iter_mut().zip(&running).zip(&ahead[d..]) {
                *entry += x * a;
            }
        }
        // Entry (j, j - d), d >= 1: c_ij z_ij down_j ... down_(j-d+2) behind_(j-d).
        running.copy_from_slice(&r.row_weights[rows]);
        for (d, diagonal) in below.chunks_exact_mut(n).enumerate().skip(1) {
            if d > 1 {
                for (x, l) in running[d..].iter_mut().zip(&down[2..]) {
                    *x *= l;
                }
            }
            for ((entry, x), b) in diagonal[..n - d].iter_mut().zip(&running[d..]).zip(behind) {
                *entry += x * b;
            }
        }
    }
    for x in &mut above[..n] {
        *x += 1.0;
    }
    let mut band = BandLu::zeros(n, half_width, half_width);
    for (d, diagonal) in above.chunks_exact(n).enumerate() {
        band.set_superdiagonal(d, &diagonal[..n - d]);
    }
    for (d, diagonal) in below.chunks_exact(n).enumerate().skip(1) {
        band.set_subdiagonal(d, &diagonal[..n - d]);
    }
    band
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
/// Element-major, `C x N`: the band is built along its diagonals, one element at a time.
struct Responses {
    weights: Vec<f64>,
    row_weights: Vec<f64>,
    ahead: Vec<f64>,
    behind: Vec<f64>,
    up: Vec<f64>,
    /// `down_j` at `j`; `down_0` is not defined and is left 0.
    down: Vec<f64>,
}

impl Responses {
    fn new(sweep: &Sweep<'_>, n: usize, c: usize) -> Self {
        let reciprocal = sweep.reciprocal_pivots;
        let mut r = Self {
            weights: vec![0.0; n * c],
            row_weights: vec![0.0; n * c],
            ahead: vec![0.0; n * c],
            behind: vec![0.0; n * c],
            up: vec![0.0; n * c],
            down: vec![0.0; n * c],
        };
        // `z_(j+1)` of every element.
        let mut z_above = vec![0.0; c];
        // Stage-major, from the top, so that a stage's elements are independent chains; the
        // results are stored element-major, element `i` of stage `j` at `i N + j`.
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
            let here = j * sweep.stride..j * sweep.stride + c;
            let aqueous = &sweep.aqueous[here.clone()];
            let per_total = 1.0 / aqueous.iter().sum::<f64>();
            let per_pull = 1.0 / weighted_sum(sweep.separation_factors, aqueous);
            let scale = sweep.scales[j];
            for (i, k) in here.enumerate() {
                let t = i * n + j;
                let e = sweep.separation_factors[i] * scale;
                let up = -falling * reciprocal[k];
                let organic = e * sweep.aqueous[k];
                let weight = sweep.separation_factors[i] * per_pull - per_total;
                let (z, ahead) = if top {
                    (reciprocal[k], organic * out * reciprocal[k])
                } else {
                    let down = -rising * e * reciprocal[k];
                    r.down[t + 1] = down;
                    r.behind[t] = organic * (out * down - rising);
                    let z = reciprocal[k] + up * down * z_above[i];
                    (z, organic * (out * z - rising * up * z_above[i]))
                };
                z_above[i] = z;
                r.up[t] = up;
                r.ahead[t] = ahead;
                r.weights[t] = weight;
                r.row_weights[t] = weight * z;
            }
        }
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::solver::{DrawPhase, solve_linear_balances};

    /// The substitution map `G(u)` of `loading.rs` at scales `u`, with its sweep's scales `k`,
    /// profile and reciprocal pivots.
    fn map(
        betas: &[f64],
        feed: &[f64],
        feed_stage: usize,
        reflux: f64,
        draw: Option<SideDraw>,
        u: &[f64],
    ) -> (Vec<f64>, Vec<f64>, Vec<f64>, Vec<f64>) {
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
        let g = aqueous
            .chunks_exact(c)
            .map(|a| -(weighted_sum(betas, a) / a.iter().sum::<f64>()).ln())
            .collect();
        (g, scales, aqueous, scratch)
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
        let (_, scales, aqueous, reciprocal_pivots) =
            map(betas, feed, feed_stage, reflux, draw, &u);
        // The stages as accelerated substitution lays them out, padded (here with NaN, which
        // the band must not read) to a stride longer than the elements.
        let stride = betas.len() + 2;
        let pad = |x: &[f64]| -> Vec<f64> {
            x.chunks_exact(betas.len())
                .flat_map(|stage| stage.iter().copied().chain([f64::NAN; 2]))
                .collect()
        };
        let (aqueous, reciprocal_pivots) = (pad(&aqueous), pad(&reciprocal_pivots));
        let sweep = Sweep {
            separation_factors: betas,
            scales: &scales,
            aqueous: &aqueous,
            reciprocal_pivots: &reciprocal_pivots,
            stride,
            reflux_fraction: reflux,
            side_draw: draw,
        };
        let band = residual_jacobian_band(&sweep, half_width);
        let h = 1e-6;
        let columns: Vec<Vec<f64>> = (0..n)
            .map(|m| {
                let (mut up, mut down) = (u.clone(), u.clone());
                up[m] += h;
                down[m] -= h;
                let plus = map(betas, feed, feed_stage, reflux, draw, &up).0;
                let minus = map(betas, feed, feed_stage, reflux, draw, &down).0;
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
