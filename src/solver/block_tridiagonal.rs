//! The Newton system of a whole cascade, solved by block Thomas elimination.
//!
//! Ordering unknowns stage by stage, the Jacobian of the stage balances
//! `o(j-1) + a(j+1) + feed(j) - o(j) - a(j) = 0` is block tridiagonal with element-sized
//! blocks: `J(j-1)` below the diagonal, `-I - J(j)` on it and the identity above it, where an
//! aqueous side draw on stage `j` scales the upper block of row `j-1` by `1 - fraction` and an
//! organic one the lower block of row `j+1`, and
//! `J(j) = do(j)/da(j)`. The last stage also receives the reflux `r * o(N)`, so its diagonal
//! block is `-I - (1 - r) J(N)`. Block Thomas costs one dense `C x C` inversion per stage,
//! `O(N C^3)`, against `O((N C)^3)` for a dense solve; because the upper blocks are the
//! identity and each `J` is a diagonal plus a rank-one matrix, every other product is `O(C^2)`.

use super::dense::{dot, invert_in_place};
use super::{SideDraw, passed_on, passed_up};
use crate::equilibrium::StageJacobian;

pub struct BlockTridiagonal {
    stages: usize,
    elements: usize,
    diag: Vec<f64>,
    u: Vec<f64>,
    v: Vec<f64>,
    /// Inverses of the eliminated diagonal blocks, `G(j) = D'(j)^-1`, one `C x C` per stage.
    inverse: Vec<f64>,
    /// `G(j) y(j)` from the forward sweep.
    forward: Vec<f64>,
    y: Vec<f64>,
    /// `vᵀ G(j-1)` of the elimination, one row.
    w: Vec<f64>,
    pivots: Vec<usize>,
    /// The side draw of the last `factor` call: the upper block of row `j` is `p(j+1) I`.
    side_draw: Option<SideDraw>,
}

/// A stage whose eliminated diagonal block is singular (1-based stage number).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SingularStage(pub usize);

impl BlockTridiagonal {
    pub fn new(stages: usize, elements: usize) -> Self {
        let per_stage = stages * elements;
        Self {
            stages,
            elements,
            diag: vec![0.0; per_stage],
            u: vec![0.0; per_stage],
            v: vec![0.0; per_stage],
            inverse: vec![0.0; per_stage * elements],
            forward: vec![0.0; per_stage],
            y: vec![0.0; elements],
            w: vec![0.0; elements],
            pivots: vec![0; elements],
            side_draw: None,
        }
    }

    /// Stages the factorisation is sized for.
    pub fn stages(&self) -> usize {
        self.stages
    }

    /// Where the equilibrium model writes `do/da` of `stage`.
    pub fn stage_jacobian(&mut self, stage: usize) -> StageJacobian<'_> {
        let span = stage * self.elements..(stage + 1) * self.elements;
        StageJacobian {
            diag: &mut self.diag[span.clone()],
            u: &mut self.u[span.clone()],
            v: &mut self.v[span],
        }
    }

    /// Eliminates the lower blocks once the stage Jacobians are in place.
    pub fn factor(
        &mut self,
        reflux_fraction: f64,
        side_draw: Option<SideDraw>,
        shift: f64,
    ) -> Result<(), SingularStage> {
        self.side_draw = side_draw;
        // Binaries and ternaries, the cascades sweeps solve by the million, get code compiled
        // for their block size (loops unrolled, 2 x 2 inverses in closed form): ~2x faster.
        match self.elements {
            2 => self.factor_sized::<2>(reflux_fraction, shift),
            3 => self.factor_sized::<3>(reflux_fraction, shift),
            _ => self.factor_sized::<0>(reflux_fraction, shift),
        }
    }

    /// Solves `M step = -residual` with the factors of the last `factor` call (which may be
    /// reused for chord steps).
    pub fn solve(&mut self, residual: &[f64], step: &mut [f64]) {
        match self.elements {
            2 => self.solve_sized::<2>(residual, step),
            3 => self.solve_sized::<3>(residual, step),
            _ => self.solve_sized::<0>(residual, step),
        }
    }

    /// [`BlockTridiagonal::factor`] for blocks of `C` elements (`C = 0`: any size).
    fn factor_sized<const C: usize>(
        &mut self,
        reflux_fraction: f64,
        shift: f64,
    ) -> Result<(), SingularStage> {
        let c = if C == 0 { self.elements } else { C };
        let cc = c * c;
        let w = &mut self.w[..c];
        for j in 0..self.stages {
            let (done, rest) = self.inverse.split_at_mut(j * cc);
            let block = &mut rest[..cc];
            // block = -L(j) G(j-1) U(j-1), with L(j) = q(j-1) J(j-1), J = diag(d) + u vᵀ, and
            // U(j-1) = p(j) I: p the share of stage j's aqueous passed on, q that of stage
            // j-1's organic (1 but at a draw).
            if j == 0 {
                block.fill(0.0);
            } else {
                let passed = passed_on(self.side_draw, j) * passed_up(self.side_draw, j - 1);
                let g = &done[(j - 1) * cc..];
                let s = (j - 1) * c..j * c;
                let (d, u, v) = (&self.diag[s.clone()], &self.u[s.clone()], &self.v[s]);
                w.fill(0.0);
                for (row, &vi) in g.chunks_exact(c).zip(v) {
                    for (wk, &gk) in w.iter_mut().zip(row) {
                        *wk += vi * gk;
                    }
                }
                for (i, (out, row)) in block.chunks_exact_mut(c).zip(g.chunks_exact(c)).enumerate()
                {
                    for ((o, &gk), &wk) in out.iter_mut().zip(row).zip(&*w) {
                        *o = -passed * (d[i] * gk + u[i] * wk);
                    }
                }
            }
            // block -= I + c_j J(j), c_j = 1 but on the reflux stage.
            let weight = shift
                + if j + 1 == self.stages {
                    1.0 - reflux_fraction
                } else {
                    1.0
                };
            let s = j * c..(j + 1) * c;
            let (d, u, v) = (&self.diag[s.clone()], &self.u[s.clone()], &self.v[s]);
            for (i, row) in block.chunks_exact_mut(c).enumerate() {
                let ui = weight * u[i];
                for (x, &vk) in row.iter_mut().zip(v) {
                    *x -= ui * vk;
                }
                row[i] -= 1.0 + shift + weight * d[i];
            }
            let inverted = if c == 2 {
                invert_2x2(block)
            } else {
                invert_in_place(block, c, &mut self.pivots)
            };
            if !inverted {
                return Err(SingularStage(j + 1));
            }
        }
        Ok(())
    }

    /// [`BlockTridiagonal::solve`] for blocks of `C` elements (`C = 0`: any size).
    fn solve_sized<const C: usize>(&mut self, residual: &[f64], step: &mut [f64]) {
        let c = if C == 0 { self.elements } else { C };
        let cc = c * c;
        for j in 0..self.stages {
            let s = j * c..(j + 1) * c;
            for (y, r) in self.y.iter_mut().zip(&residual[s.clone()]) {
                *y = -r;
            }
            if j > 0 {
                // y -= L(j) z(j-1)
                let p = (j - 1) * c..j * c;
                let z = &self.forward[p.clone()];
                let vz = product::<C>(&self.v[p.clone()], z);
                let rising = passed_up(self.side_draw, j - 1);
                for (((y, &d), &u), &zi) in self
                    .y
                    .iter_mut()
                    .zip(&self.diag[p.clone()])
                    .zip(&self.u[p])
                    .zip(z)
                {
                    *y -= rising * (d * zi + u * vz);
                }
            }
            let g = &self.inverse[j * cc..(j + 1) * cc];
            for (out, row) in self.forward[s].iter_mut().zip(g.chunks_exact(c)) {
                *out = product::<C>(row, &self.y);
            }
        }
        let last = (self.stages - 1) * c;
        step[last..].copy_from_slice(&self.forward[last..]);
        for j in (0..self.stages - 1).rev() {
            let g = &self.inverse[j * cc..(j + 1) * cc];
            let (head, tail) = step.split_at_mut((j + 1) * c);
            let next = &tail[..c];
            let passed = passed_on(self.side_draw, j + 1);
            for ((out, row), &z) in head[j * c..]
                .iter_mut()
                .zip(g.chunks_exact(c))
                .zip(&self.forward[j * c..(j + 1) * c])
            {
                *out = z - passed * product::<C>(row, next);
            }
        }
    }
}

/// The dot product of a block row: in order for the compiled small sizes (whose results sweeps
/// must reproduce to the bit), in vector lanes for the rest.
#[inline(always)]
fn product<const C: usize>(a: &[f64], b: &[f64]) -> f64 {
    if C == 0 {
        dot(a, b)
    } else {
        a.iter().zip(b).map(|(a, b)| a * b).sum()
    }
}

/// Inverts the row-major 2 x 2 matrix `a` in place; `false` if singular. The operations of
/// [`invert_in_place`] (Gauss-Jordan, partial pivoting) written out in the same order, so that
/// the result is the same to the last bit: near the minimum reflux whether a sharp cut
/// converges can turn on the rounding of these inverses (an adjugate formula loses some).
fn invert_2x2(a: &mut [f64]) -> bool {
    // `max_by` takes the last of equal candidates: the second row on a tie.
    let swap = a[2].abs() >= a[0].abs();
    let [p, q, r, t] = if swap {
        [a[2], a[3], a[0], a[1]]
    } else {
        [a[0], a[1], a[2], a[3]]
    };
    if p == 0.0 || !p.is_finite() {
        return false;
    }
    let inv = 1.0 / p;
    let (r0, r1) = (inv, q * inv);
    let (s0, s1) = if r != 0.0 {
        (-(r * r0), t - r * r1)
    } else {
        (0.0, t)
    };
    if s1 == 0.0 || !s1.is_finite() {
        return false;
    }
    let inv = 1.0 / s1;
    let (s0, s1) = (s0 * inv, inv);
    let (r0, r1) = if r1 != 0.0 {
        (r0 - r1 * s0, -(r1 * s1))
    } else {
        (r0, 0.0)
    };
    // Row interchanges of the matrix are column interchanges of its inverse.
    let inverse = if swap {
        [r1, r0, s1, s0]
    } else {
        [r0, r1, s0, s1]
    };
    a.copy_from_slice(&inverse);
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_written_out_2x2_inverse_is_gauss_jordan_to_the_bit() {
        let mut x = 0.123_f64;
        let mut next = || {
            // A logistic-map sequence: deterministic, spread over many magnitudes.
            x = 3.99 * x * (1.0 - x);
            (x - 0.5) * 10f64.powi((x * 40.0) as i32 - 20)
        };
        let mut cases: Vec<[f64; 4]> = (0..2000)
            .map(|_| [next(), next(), next(), next()])
            .collect();
        cases.extend([
            [1.0, 2.0, -1.0, 3.0], // a tie in the pivot column
            [0.0, 1.0, 1.0, 0.0],  // a zero pivot
            [1.0, 2.0, 0.0, 3.0],  // nothing to eliminate
            [1.0, 2.0, 2.0, 4.0],  // singular
        ]);
        for m in cases {
            let (mut closed, mut general) = (m, m);
            let ok = invert_2x2(&mut closed);
            assert_eq!(ok, invert_in_place(&mut general, 2, &mut [0; 2]), "{m:?}");
            if ok {
                assert_eq!(closed.map(f64::to_bits), general.map(f64::to_bits), "{m:?}");
            }
        }
    }
}
