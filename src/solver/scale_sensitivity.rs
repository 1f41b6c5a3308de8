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
//! Along its band the inverse of a tridiagonal matrix follows from the pivots of elimination
//! from either end, `pi_j` from the first stage and `sigma_j` from the last (Meurant, SIAM J.
//! Matrix Anal. Appl. 13 (1992) 707):
//!
//! ```text
//! T^-1(j, j) = 1 / (pi_j + sigma_j - D_j),
//! T^-1(j, l) = T^-1(l, l) prod_(k = j .. l-1) (-U_k / pi_k)       for j < l,
//! T^-1(j, l) = T^-1(l, l) prod_(k = l+1 .. j) (-L_k / sigma_k)    for j > l,
//! ```
//!
//! with `D`, `L` and `U` the diagonal, sub- and superdiagonal. The whole band of half-width
//! `w` costs `O(N C w)`, a few substitution sweeps' worth.

use super::banded::BandLu;
use super::dense::dot;
use super::{SideDraw, passed_on, passed_up};
use crate::equilibrium::weighted_sum;

/// The stage balances at one set of scales, as a substitution sweep left them.
pub struct Sweep<'a> {
    pub separation_factors: &'a [f64],
    /// `e_ij = beta_i k_j`, stage-major `N x C`.
    pub factors: &'a [f64],
    /// The aqueous profile solved at those factors, stage-major `N x C`.
    pub aqueous: &'a [f64],
    pub reflux_fraction: f64,
    pub side_draw: Option<SideDraw>,
}

/// `I - G'` on the band `|j - m| <= half_width`, with `G'` the Jacobian of the substitution
/// map at `sweep`: the linearised map's residual operator, which the preconditioner inverts.
pub fn residual_jacobian_band(sweep: &Sweep<'_>, half_width: usize) -> BandLu {
    let c = sweep.separation_factors.len();
    let n = sweep.factors.len() / c;
    let responses = Responses::new(sweep, n, c);
    let mut band = BandLu::zeros(n, half_width, half_width);
    // c_ij times the running product of the inverse's ratios from the diagonal out.
    let mut running = vec![0.0; c];
    let mut weights = vec![0.0; c];
    for j in 0..n {
        let aqueous = stage(sweep.aqueous, j, c);
        let total: f64 = aqueous.iter().sum();
        let pull = weighted_sum(sweep.separation_factors, aqueous);
        for (w, b) in weights.iter_mut().zip(sweep.separation_factors) {
            *w = b / pull - 1.0 / total;
        }
        running.copy_from_slice(&weights);
        for m in j..=(j + half_width).min(n - 1) {
            let sum = dot(&running, stage(&responses.ahead, m, c));
            band.set(j, m, if j == m { 1.0 + sum } else { sum });
            for (r, ratio) in running.iter_mut().zip(stage(&responses.up, m, c)) {
                *r *= ratio;
            }
        }
        running.copy_from_slice(&weights);
        for m in (j.saturating_sub(half_width)..j).rev() {
            band.set(j, m, dot(&running, stage(&responses.behind, m, c)));
            for (r, ratio) in running.iter_mut().zip(stage(&responses.down, m + 1, c)) {
                *r *= ratio;
            }
        }
    }
    band
}

/// Stage `j`'s entries of a stage-major `N x C` array.
fn stage(a: &[f64], j: usize, c: usize) -> &[f64] {
    &a[j * c..(j + 1) * c]
}

/// How every element's balances respond to each stage's scale, per unit of `c_ij` and of the
/// running product of the inverse's ratios:
///
/// ```text
/// o_m (w_m T^-1(j, m) - q_m T^-1(j, m+1)) = up_j ... up_(m-1) * ahead_m          for m >= j,
///                                         = down_(m+2) ... down_j * behind_m     for m < j,
/// ```
///
/// (`behind_m` holds the factor `down_(m+1)` of its first term); stage-major `N x C` like the
/// profiles.
struct Responses {
    ahead: Vec<f64>,
    behind: Vec<f64>,
    /// `-U_j / pi_j` and `-L_j / sigma_j`, the ratios of the module's formulas:
    /// `T^-1(j, l) = up_j T^-1(j + 1, l)` above the diagonal, `down_j T^-1(j - 1, l)` below.
    up: Vec<f64>,
    down: Vec<f64>,
}

impl Responses {
    fn new(sweep: &Sweep<'_>, n: usize, c: usize) -> Self {
        let e = sweep.factors;
        // The balances of `substitution.rs` at stage j: D = -(1 + w_j e_j) on the diagonal,
        // L = q_(j-1) e_(j-1) below it, U = p_(j+1) above it.
        let out = |j: usize| {
            if j + 1 == n {
                1.0 - sweep.reflux_fraction
            } else {
                1.0
            }
        };
        let rising = |j: usize| passed_up(sweep.side_draw, j);
        let falling = |j: usize| {
            if j + 1 < n {
                passed_on(sweep.side_draw, j + 1)
            } else {
                0.0
            }
        };
        let main = |j: usize, k: usize| -(1.0 + out(j) * e[k]);
        let mut forward = vec![0.0; n * c];
        let mut up = vec![0.0; n * c];
        for j in 0..n {
            let (rising, falling) = (if j > 0 { rising(j - 1) } else { 0.0 }, falling(j));
            for k in j * c..(j + 1) * c {
                forward[k] = main(j, k);
                if j > 0 {
                    forward[k] += rising * e[k - c] * up[k - c];
                }
                up[k] = -falling / forward[k];
            }
        }
        let mut backward = vec![0.0; n * c];
        let mut down = vec![0.0; n * c];
        for j in (0..n).rev() {
            let (rising, falling) = (if j > 0 { rising(j - 1) } else { 0.0 }, falling(j));
            for k in j * c..(j + 1) * c {
                backward[k] = main(j, k);
                if j + 1 < n {
                    backward[k] += falling * down[k + c];
                }
                if j > 0 {
                    down[k] = -rising * e[k - c] / backward[k];
                }
            }
        }
        // The diagonal of the inverse, into `forward`.
        for j in 0..n {
            for k in j * c..(j + 1) * c {
                forward[k] = 1.0 / (forward[k] + backward[k] - main(j, k));
            }
        }
        let diagonal = forward;
        let mut ahead = backward;
        let mut behind = vec![0.0; n * c];
        for j in 0..n {
            let rising = rising(j);
            for k in j * c..(j + 1) * c {
                let organic = e[k] * sweep.aqueous[k];
                let here = out(j) * diagonal[k];
                ahead[k] = organic * here;
                if j + 1 < n {
                    ahead[k] -= organic * rising * diagonal[k + c] * up[k];
                    behind[k] = organic * (here * down[k + c] - rising * diagonal[k + c]);
                }
            }
        }
        Self {
            ahead,
            behind,
            up,
            down,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::solver::{DrawPhase, solve_linear_balances};

    /// The substitution map `G(u)` of `loading.rs` at scales `u`, with its sweep's factors and
    /// profile.
    fn map(
        betas: &[f64],
        feed: &[f64],
        feed_stage: usize,
        reflux: f64,
        draw: Option<SideDraw>,
        u: &[f64],
    ) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
        let c = betas.len();
        let factors: Vec<f64> = u
            .iter()
            .flat_map(|u| betas.iter().map(move |b| b * u.exp()))
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
        (g, factors, aqueous)
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
            // Scales that vary along the cascade, as a solve's do.
            let u: Vec<f64> = (0..n).map(|j| -1.2 + 0.05 * j as f64).collect();
            let (_, factors, aqueous) = map(&betas, &feed, 10, 0.6, draw, &u);
            let sweep = Sweep {
                separation_factors: &betas,
                factors: &factors,
                aqueous: &aqueous,
                reflux_fraction: 0.6,
                side_draw: draw,
            };
            let half_width = 4;
            let band = residual_jacobian_band(&sweep, half_width);
            // Central differences of `I - G`, column by column.
            let h = 1e-6;
            let columns: Vec<Vec<f64>> = (0..n)
                .map(|m| {
                    let (mut up, mut down) = (u.clone(), u.clone());
                    up[m] += h;
                    down[m] -= h;
                    let plus = map(&betas, &feed, 10, 0.6, draw, &up).0;
                    let minus = map(&betas, &feed, 10, 0.6, draw, &down).0;
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
                        "{draw:?}: ({j}, {m}) analytic {got}, finite differences {expected}"
                    );
                }
            }
        }
    }
}
