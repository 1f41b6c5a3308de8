//! In-place inversion of the small dense stage blocks.
//!
//! Written out rather than taken from nalgebra because it runs once per stage per Newton
//! iteration on blocks of runtime size: nalgebra's dynamic LU allocates on every call, which
//! would cost more than the arithmetic for the 2-element cascades sweeps run by the million.

/// Inverts the row-major `n x n` matrix `a` in place by Gauss-Jordan elimination with partial
/// pivoting (Press et al., *Numerical Recipes*, 3rd ed., section 2.1). `pivots` holds `n`
/// entries of scratch. Returns `false`, leaving `a` unspecified, if a pivot is zero or not
/// finite.
pub fn invert_in_place(a: &mut [f64], n: usize, pivots: &mut [usize]) -> bool {
    debug_assert_eq!(a.len(), n * n);
    for k in 0..n {
        let p = (k..n)
            .max_by(|&x, &y| a[x * n + k].abs().total_cmp(&a[y * n + k].abs()))
            .unwrap_or(k);
        pivots[k] = p;
        if p != k {
            for c in 0..n {
                a.swap(k * n + c, p * n + c);
            }
        }
        let pivot = a[k * n + k];
        if pivot == 0.0 || !pivot.is_finite() {
            return false;
        }
        let inv = 1.0 / pivot;
        a[k * n + k] = 1.0;
        for x in &mut a[k * n..(k + 1) * n] {
            *x *= inv;
        }
        let (before, rest) = a.split_at_mut(k * n);
        let (row_k, after) = rest.split_at_mut(n);
        for row in before.chunks_exact_mut(n).chain(after.chunks_exact_mut(n)) {
            let f = row[k];
            if f != 0.0 {
                row[k] = 0.0;
                for (x, &y) in row.iter_mut().zip(row_k.iter()) {
                    *x -= f * y;
                }
            }
        }
    }
    // Row interchanges of A are column interchanges of its inverse, undone in reverse order.
    for k in (0..n).rev() {
        let p = pivots[k];
        if p != k {
            for r in 0..n {
                a.swap(r * n + k, r * n + p);
            }
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inverse_times_matrix_is_identity() {
        // A matrix that needs pivoting: a zero in the leading position.
        let m = [0.0, 2.0, 1.0, 1.0, 1.0, 0.0, 3.0, -1.0, 4.0];
        let mut inv = m;
        assert!(invert_in_place(&mut inv, 3, &mut [0; 3]));
        for r in 0..3 {
            for c in 0..3 {
                let prod: f64 = (0..3).map(|k| m[r * 3 + k] * inv[k * 3 + c]).sum();
                let expected = if r == c { 1.0 } else { 0.0 };
                assert!((prod - expected).abs() < 1e-14, "({r},{c}) = {prod}");
            }
        }
    }

    #[test]
    fn singular_matrix_is_reported() {
        let mut m = [1.0, 2.0, 2.0, 4.0];
        assert!(!invert_in_place(&mut m, 2, &mut [0; 2]));
    }
}
