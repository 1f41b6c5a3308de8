//! Linear systems whose matrix is quasiseparable with diagonal transitions, solved in
//! `O(N r^2)` without ever forming the `N x N` matrix.
//!
//! The reduced Jacobian of the saturated cascade's summation equations (`scale_newton.rs`) is
//! the identity plus, for every element, a diagonal times the inverse of that element's
//! tridiagonal balances times a bidiagonal: the inverse of a tridiagonal matrix is
//! semiseparable, each of its entries a product of ratios along the stages between its row
//! and column (`scale_sensitivity.rs`), so the sum over `r` elements is
//!
//! ```text
//! A_jj = d_j,
//! A_jm = p_j' a_(j-1) ... a_(m+1) q_m      for j > m,
//! A_jm = g_j' b_(j+1) ... b_(m-1) h_m      for j < m,
//! ```
//!
//! with `r`-vectors `p, q, g, h` and diagonal transitions `a, b` (each element's ratios): a
//! quasiseparable matrix of order `r` (Eidelman & Gohberg, Integral Equations Operator Theory
//! 34 (1999) 293). Its LU factors are quasiseparable with the same transitions, and Gaussian
//! elimination keeps what the eliminated stages did to the rest in one `r x r` matrix `M`
//! carried down the stages: after eliminating stages `0..k` the Schur complement is
//! `A_jm - p_j' a_(j-1) ... a_k M_k b_k ... b_(m-1) h_m`, so stage `k`'s pivot and its new
//! generators are
//!
//! ```text
//! pivot_k = d_k - p_k' M_k h_k,   q'_k = q_k - a_k M_k h_k,   g'_k = g_k - b_k M_k' p_k,
//! M_(k+1) = a_k M_k b_k + q'_k g'_k' / pivot_k,
//! ```
//!
//! `O(r^2)` a stage since the transitions are diagonal. Entries are products of the ratios,
//! never the exponentially growing or fading generators of the inverse themselves, so nothing
//! overflows on cascades of thousands of stages. There is no pivoting: the matrices solved
//! here are small perturbations of the identity near the answer, and a zero or non-finite
//! pivot is reported.

use super::lanes::{lanes, sum as lanes_sum};

/// The generators of one matrix, stage-major (`N x r` each), and the elimination's buffers.
pub struct Quasiseparable {
    rank: usize,
    /// The stride of every generator and of the state's rows: `r` rounded up to whole
    /// [`Lanes`](super::lanes::Lanes), the padding zero.
    width: usize,
    pub diagonal: Vec<f64>,
    /// `p_j`, `a_j`, `q_j`: the part below the diagonal (`a_j` is the transition from row
    /// `j` to `j + 1`; the last stage's is not used).
    pub lower_row: Vec<f64>,
    pub lower_transition: Vec<f64>,
    pub lower_column: Vec<f64>,
    /// `g_j`, `b_j`, `h_j`: the part above it (`b_j` the transition from column `j` to
    /// `j - 1`; the first stage's is not used).
    pub upper_row: Vec<f64>,
    pub upper_transition: Vec<f64>,
    pub upper_column: Vec<f64>,
    pivots: Vec<f64>,
    /// `M`, row-major `r x r`.
    state: Vec<f64>,
    applied: Vec<f64>,
    transposed: Vec<f64>,
    carried: Vec<f64>,
}

impl Quasiseparable {
    pub fn new(stages: usize, rank: usize) -> Self {
        let width = rank.div_ceil(4) * 4;
        let v = || vec![0.0; stages * width];
        Self {
            rank,
            width,
            diagonal: vec![0.0; stages],
            lower_row: v(),
            lower_transition: v(),
            lower_column: v(),
            upper_row: v(),
            upper_transition: v(),
            upper_column: v(),
            pivots: vec![0.0; stages],
            state: vec![0.0; rank * width],
            applied: vec![0.0; width],
            transposed: vec![0.0; width],
            carried: vec![0.0; width],
        }
    }

    /// The stride of the generators: stage `j`'s `r` entries start at `j * width()`, and the
    /// padding after them must be zero.
    pub fn width(&self) -> usize {
        self.width
    }

    /// Solves `A x = b` in place, overwriting the lower column and upper row generators with
    /// those of the factors; `false` if a pivot is zero or not finite.
    pub fn solve(&mut self, x: &mut [f64]) -> bool {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx") {
            // SAFETY: the CPU was just found to support AVX.
            return unsafe { self.solve_avx(x) };
        }
        self.solve_in(x)
    }

    /// [`Quasiseparable::solve`] compiled for AVX: four of the state's entries to an
    /// instruction rather than SSE2's two.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx")]
    fn solve_avx(&mut self, x: &mut [f64]) -> bool {
        self.solve_in(x)
    }

    #[inline(always)]
    fn solve_in(&mut self, x: &mut [f64]) -> bool {
        let (r, w) = (self.rank, self.width);
        let n = self.diagonal.len();
        self.state.fill(0.0);
        self.carried.fill(0.0);
        // `applied = M_k h_k` and `transposed = M_k' p_k`, for `M_0 = 0`.
        self.applied.fill(0.0);
        self.transposed.fill(0.0);
        // Elimination and forward substitution, stage by stage: `carried` is
        // `sum_(m<k) a_(k-1) ... a_(m+1) q'_m y_m / pivot_m`.
        for (k, x_k) in x.iter_mut().enumerate() {
            let here = k * w..(k + 1) * w;
            let p = &self.lower_row[here.clone()];
            let pivot = self.diagonal[k] - dot(p, &self.applied);
            if pivot == 0.0 || !pivot.is_finite() {
                return false;
            }
            self.pivots[k] = pivot;
            let y = *x_k - dot(p, &self.carried);
            *x_k = y;
            let b = &self.upper_transition[here.clone()];
            let g = &mut self.upper_row[here.clone()];
            for ((g, b), s) in g.iter_mut().zip(b).zip(&self.transposed) {
                *g -= b * s;
            }
            if k + 1 == n {
                break;
            }
            let a = &self.lower_transition[here.clone()];
            let q = &mut self.lower_column[here.clone()];
            let inverse = 1.0 / pivot;
            for ((q, a), t) in q.iter_mut().zip(a).zip(&self.applied) {
                *q = (*q - a * t) * inverse;
            }
            for ((c, a), q) in self.carried.iter_mut().zip(a).zip(&*q) {
                *c = a * *c + q * y;
            }
            // `M_(k+1) = a_k M_k b_k + q'_k g'_k' / pivot_k`, and in the same pass over it
            // the products the next stage needs.
            let next = (k + 1) * w..(k + 2) * w;
            let (h, p) = (&self.upper_column[next.clone()], &self.lower_row[next]);
            self.transposed.fill(0.0);
            for (i, row) in self.state.chunks_exact_mut(w).enumerate().take(r) {
                let (a_i, q_i, p_i) = (a[i], q[i], p[i]);
                let mut sum = [0.0; 4];
                let parts = row
                    .as_chunks_mut::<4>()
                    .0
                    .iter_mut()
                    .zip(b.as_chunks::<4>().0)
                    .zip(g.as_chunks::<4>().0)
                    .zip(h.as_chunks::<4>().0)
                    .zip(self.transposed.as_chunks_mut::<4>().0);
                for ((((m, b), g), h), s) in parts {
                    *m = lanes(|l| a_i * m[l] * b[l] + q_i * g[l]);
                    sum = lanes(|l| sum[l] + m[l] * h[l]);
                    *s = lanes(|l| s[l] + p_i * m[l]);
                }
                self.applied[i] = lanes_sum(sum);
            }
        }
        // Back substitution: `carried` is `sum_(m>k) b_(k+1) ... b_(m-1) h_m x_m`.
        self.carried.fill(0.0);
        for k in (0..n).rev() {
            let here = k * w..(k + 1) * w;
            let g = &self.upper_row[here.clone()];
            let value = (x[k] - dot(g, &self.carried)) / self.pivots[k];
            x[k] = value;
            let (b, h) = (
                &self.upper_transition[here.clone()],
                &self.upper_column[here],
            );
            for ((c, b), h) in self.carried.iter_mut().zip(b).zip(h) {
                *c = b * *c + h * value;
            }
        }
        x.iter().all(|v| v.is_finite())
    }
}

/// `u . v` for slices of whole lanes, summed in four lanes.
#[inline(always)]
fn dot(u: &[f64], v: &[f64]) -> f64 {
    let mut sum = [0.0; 4];
    for (u, v) in u.as_chunks::<4>().0.iter().zip(v.as_chunks::<4>().0) {
        sum = lanes(|l| sum[l] + u[l] * v[l]);
    }
    lanes_sum(sum)
}

#[cfg(test)]
mod tests {
    use super::*;
    use nalgebra::{DMatrix, DVector};

    /// The dense matrix the generators describe.
    fn dense(m: &Quasiseparable) -> DMatrix<f64> {
        let (n, r, w) = (m.diagonal.len(), m.rank, m.width);
        let mut a = DMatrix::zeros(n, n);
        for j in 0..n {
            a[(j, j)] = m.diagonal[j];
            for l in 0..j {
                // Lower: p_j' a_(j-1) ... a_(l+1) q_l.
                let mut sum = 0.0;
                for i in 0..r {
                    let mut v = m.lower_row[j * w + i] * m.lower_column[l * w + i];
                    for k in l + 1..j {
                        v *= m.lower_transition[k * w + i];
                    }
                    sum += v;
                }
                a[(j, l)] = sum;
                // Upper, entry (l, j): g_l' b_(l+1) ... b_(j-1) h_j.
                let mut sum = 0.0;
                for i in 0..r {
                    let mut v = m.upper_row[l * w + i] * m.upper_column[j * w + i];
                    for k in l + 1..j {
                        v *= m.upper_transition[k * w + i];
                    }
                    sum += v;
                }
                a[(l, j)] = sum;
            }
        }
        a
    }

    #[test]
    fn solve_matches_dense_lu() {
        for (n, r) in [(1, 3), (2, 1), (7, 3), (40, 15), (33, 6)] {
            let mut m = Quasiseparable::new(n, r);
            let mut seed = 12345_u64 + n as u64;
            let mut next = || {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                (seed >> 11) as f64 / (1u64 << 53) as f64 - 0.5
            };
            for j in 0..n {
                m.diagonal[j] = 2.0 + next();
                for i in 0..r {
                    let t = j * m.width + i;
                    m.lower_row[t] = 0.3 * next();
                    m.lower_column[t] = 0.3 * next();
                    m.upper_row[t] = 0.3 * next();
                    m.upper_column[t] = 0.3 * next();
                    m.lower_transition[t] = 0.95 * next() + 0.5;
                    m.upper_transition[t] = 0.95 * next() + 0.5;
                }
            }
            let a = dense(&m);
            let b: Vec<f64> = (0..n).map(|_| next()).collect();
            let expected = a.lu().solve(&DVector::from_vec(b.clone())).unwrap();
            let mut x = b;
            assert!(m.solve(&mut x));
            for (x, e) in x.iter().zip(expected.iter()) {
                assert!(
                    (x - e).abs() < 1e-12 * (1.0 + e.abs()),
                    "{n} {r}: {x} vs {e}"
                );
            }
        }
    }
}
