//! A block tridiagonal system with dense `m x m` blocks, one block row per stage, solved by
//! block Thomas elimination.
//!
//! The ideal cascade's Newton system (`block_tridiagonal.rs`) has element-sized blocks with a
//! known structure (identities above the diagonal, diagonal plus rank-one blocks elsewhere) and
//! is solved with that structure. A stage model with more unknowns per stage than the aqueous
//! fluxes (the organic fluxes of a Murphree stage, an acid balance) couples them in ways that
//! differ from model to model; this is the general form they share. Cost `O(N m^3)`: one dense
//! inversion and two dense products per stage.

use super::dense::invert_in_place;

pub use super::block_tridiagonal::SingularStage;

/// `L(j) x(j-1) + D(j) x(j) + U(j) x(j+1) = r(j)`, `j = 0..N`, blocks row-major.
pub struct StageBlocks {
    stages: usize,
    size: usize,
    lower: Vec<f64>,
    diag: Vec<f64>,
    upper: Vec<f64>,
    pivots: Vec<usize>,
    product: Vec<f64>,
    column: Vec<f64>,
}

impl StageBlocks {
    /// A system of `stages` block rows of `size` unknowns, every block zero.
    pub fn new(stages: usize, size: usize) -> Self {
        let blocks = stages * size * size;
        Self {
            stages,
            size,
            lower: vec![0.0; blocks],
            diag: vec![0.0; blocks],
            upper: vec![0.0; blocks],
            pivots: vec![0; size],
            product: vec![0.0; size * size],
            column: vec![0.0; size],
        }
    }

    /// Sets every block to zero, for the next system of the same shape.
    pub fn clear(&mut self) {
        self.lower.fill(0.0);
        self.diag.fill(0.0);
        self.upper.fill(0.0);
    }

    /// The block coupling row `j` to the unknowns of stage `j - 1`.
    pub fn lower_mut(&mut self, j: usize) -> &mut [f64] {
        let m2 = self.size * self.size;
        &mut self.lower[j * m2..(j + 1) * m2]
    }

    /// The block coupling row `j` to the unknowns of stage `j`.
    pub fn diag_mut(&mut self, j: usize) -> &mut [f64] {
        let m2 = self.size * self.size;
        &mut self.diag[j * m2..(j + 1) * m2]
    }

    /// The block coupling row `j` to the unknowns of stage `j + 1`.
    pub fn upper_mut(&mut self, j: usize) -> &mut [f64] {
        let m2 = self.size * self.size;
        &mut self.upper[j * m2..(j + 1) * m2]
    }

    /// Solves the system for `rhs` (stage-major, `N x m`), which becomes the solution. The
    /// blocks are consumed by the elimination: set them again before the next solve.
    ///
    /// Forward: `D'(j) = D(j) - L(j) C(j-1)`, `C(j) = D'(j)^-1 U(j)`,
    /// `y(j) = D'(j)^-1 (r(j) - L(j) y(j-1))`; back: `x(j) = y(j) - C(j) x(j+1)`.
    pub fn solve(&mut self, rhs: &mut [f64]) -> Result<(), SingularStage> {
        let (n, m) = (self.stages, self.size);
        let m2 = m * m;
        debug_assert_eq!(rhs.len(), n * m);
        for j in 0..n {
            let (done, rest) = self.upper.split_at_mut(j * m2);
            let diag = &mut self.diag[j * m2..(j + 1) * m2];
            if j > 0 {
                let lower = &self.lower[j * m2..(j + 1) * m2];
                let previous = &done[(j - 1) * m2..];
                // D'(j) = D(j) - L(j) C(j-1)
                for r in 0..m {
                    for k in 0..m {
                        let l = lower[r * m + k];
                        if l != 0.0 {
                            for (d, c) in diag[r * m..(r + 1) * m]
                                .iter_mut()
                                .zip(&previous[k * m..(k + 1) * m])
                            {
                                *d -= l * c;
                            }
                        }
                    }
                }
                // r(j) - L(j) y(j-1)
                let (solved, here) = rhs.split_at_mut(j * m);
                let y = &solved[(j - 1) * m..];
                for (r, x) in here[..m].iter_mut().enumerate() {
                    *x -= dot(&lower[r * m..(r + 1) * m], &y[..m]);
                }
            }
            if !invert_in_place(diag, m, &mut self.pivots) {
                return Err(SingularStage(j + 1));
            }
            // y(j) = D'(j)^-1 (...)
            let here = &mut rhs[j * m..(j + 1) * m];
            self.column.copy_from_slice(here);
            for (r, x) in here.iter_mut().enumerate() {
                *x = dot(&diag[r * m..(r + 1) * m], &self.column);
            }
            // C(j) = D'(j)^-1 U(j), in place of U(j)
            if j + 1 < n {
                let upper = &mut rest[..m2];
                self.product.fill(0.0);
                for r in 0..m {
                    for k in 0..m {
                        let g = diag[r * m + k];
                        if g != 0.0 {
                            for (p, u) in self.product[r * m..(r + 1) * m]
                                .iter_mut()
                                .zip(&upper[k * m..(k + 1) * m])
                            {
                                *p += g * u;
                            }
                        }
                    }
                }
                upper.copy_from_slice(&self.product);
            }
        }
        for j in (0..n.saturating_sub(1)).rev() {
            let c = &self.upper[j * m2..(j + 1) * m2];
            let (here, above) = rhs.split_at_mut((j + 1) * m);
            let x_above = &above[..m];
            for (r, x) in here[j * m..].iter_mut().enumerate() {
                *x -= dot(&c[r * m..(r + 1) * m], x_above);
            }
        }
        Ok(())
    }

    /// Solves the system last solved by [`Self::solve`] for another `rhs`, from the
    /// factorisation that solve left in the blocks (`D'(j)^-1` in the diagonal, `C(j)` above).
    pub fn solve_again(&self, rhs: &mut [f64]) {
        let (n, m) = (self.stages, self.size);
        let m2 = m * m;
        let mut column = vec![0.0; m];
        for j in 0..n {
            let (solved, here) = rhs.split_at_mut(j * m);
            let here = &mut here[..m];
            if j > 0 {
                let lower = &self.lower[j * m2..(j + 1) * m2];
                let y = &solved[(j - 1) * m..];
                for (r, x) in here.iter_mut().enumerate() {
                    *x -= dot(&lower[r * m..(r + 1) * m], &y[..m]);
                }
            }
            column.copy_from_slice(here);
            let inverse = &self.diag[j * m2..(j + 1) * m2];
            for (r, x) in here.iter_mut().enumerate() {
                *x = dot(&inverse[r * m..(r + 1) * m], &column);
            }
        }
        for j in (0..n.saturating_sub(1)).rev() {
            let c = &self.upper[j * m2..(j + 1) * m2];
            let (here, above) = rhs.split_at_mut((j + 1) * m);
            let x_above = &above[..m];
            for (r, x) in here[j * m..].iter_mut().enumerate() {
                *x -= dot(&c[r * m..(r + 1) * m], x_above);
            }
        }
    }
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use nalgebra::{DMatrix, DVector};

    /// A random diagonally dominant system of 7 stages of 3 unknowns agrees with a dense LU.
    #[test]
    fn block_thomas_matches_a_dense_solve() {
        let (n, m) = (7, 3);
        let mut seed = 12345_u64;
        let mut next = || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 11) as f64 / (1u64 << 53) as f64 - 0.5
        };
        let mut dense = DMatrix::<f64>::zeros(n * m, n * m);
        let mut blocks = StageBlocks::new(n, m);
        for j in 0..n {
            for r in 0..m {
                for k in 0..m {
                    let d = next() + if r == k { 4.0 } else { 0.0 };
                    blocks.diag_mut(j)[r * m + k] = d;
                    dense[(j * m + r, j * m + k)] = d;
                    if j > 0 {
                        let l = next();
                        blocks.lower_mut(j)[r * m + k] = l;
                        dense[(j * m + r, (j - 1) * m + k)] = l;
                    }
                    if j + 1 < n {
                        let u = next();
                        blocks.upper_mut(j)[r * m + k] = u;
                        dense[(j * m + r, (j + 1) * m + k)] = u;
                    }
                }
            }
        }
        let rhs: Vec<f64> = (0..n * m).map(|_| next()).collect();
        let other: Vec<f64> = (0..n * m).map(|_| next()).collect();
        let lu = dense.lu();
        let expected = lu.solve(&DVector::from_vec(rhs.clone())).unwrap();
        let expected_other = lu.solve(&DVector::from_vec(other.clone())).unwrap();
        let mut x = rhs;
        blocks.solve(&mut x).unwrap();
        for (a, b) in x.iter().zip(expected.iter()) {
            assert!((a - b).abs() < 1e-13, "{a} against {b}");
        }
        // A second right-hand side from the same factorisation.
        let mut y = other;
        blocks.solve_again(&mut y);
        for (a, b) in y.iter().zip(expected_other.iter()) {
            assert!((a - b).abs() < 1e-13, "{a} against {b}");
        }
    }
}
