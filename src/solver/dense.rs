//! In-place inversion of the small dense stage blocks.
//!
//! Written out rather than taken from nalgebra because it runs once per stage per Newton
//! iteration on blocks of runtime size: nalgebra's dynamic LU allocates on every call, which
//! would cost more than the arithmetic for the 2-element cascades sweeps run by the million.
//! Blocks of up to 16 elements are copied into rows of fixed width, zero-padded, so that the
//! compiler unrolls and vectorises the row operations that are nearly all of the work; the
//! padding takes part in no pivot and changes no entry, so the result is the same to the bit
//! (a 15-element block inverts about 4x faster, with 25 % more arithmetic).

/// Inverts the row-major `n x n` matrix `a` in place by Gauss-Jordan elimination with partial
/// pivoting (Press et al., *Numerical Recipes*, 3rd ed., section 2.1). `pivots` holds `n`
/// entries of scratch. Returns `false`, leaving `a` unspecified, if a pivot is zero or not
/// finite.
pub fn invert_in_place(a: &mut [f64], n: usize, pivots: &mut [usize]) -> bool {
    debug_assert_eq!(a.len(), n * n);
    #[cfg(target_arch = "x86_64")]
    if (5..=16).contains(&n) && std::arch::is_x86_feature_detected!("avx") {
        // SAFETY: the CPU was just found to support AVX.
        return unsafe { invert_padded_avx(a, n, pivots) };
    }
    match n {
        0..=4 => invert_padded::<4>(a, n, pivots),
        5..=8 => invert_padded::<8>(a, n, pivots),
        9..=16 => invert_padded::<16>(a, n, pivots),
        _ => invert_rows(a, n, pivots),
    }
}

/// [`invert_padded`] compiled for AVX: rows of 4 doubles per instruction rather than SSE2's 2.
/// No fused multiply-add (FMA rounds once where the portable code rounds twice), so the result
/// is the same to the bit on every x86-64 CPU.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx")]
fn invert_padded_avx(a: &mut [f64], n: usize, pivots: &mut [usize]) -> bool {
    if n <= 8 {
        invert_padded::<8>(a, n, pivots)
    } else {
        invert_padded::<16>(a, n, pivots)
    }
}

/// [`invert_in_place`] on a copy of `a` in rows of `W` entries, the same operations in the
/// same order as [`invert_rows`].
#[inline(always)]
fn invert_padded<const W: usize>(a: &mut [f64], n: usize, pivots: &mut [usize]) -> bool {
    let mut rows = [[0.0; W]; W];
    for (row, source) in rows.iter_mut().zip(a.chunks_exact(n)) {
        row[..n].copy_from_slice(source);
    }
    for k in 0..n {
        let p = (k..n)
            .max_by(|&x, &y| rows[x][k].abs().total_cmp(&rows[y][k].abs()))
            .unwrap_or(k);
        pivots[k] = p;
        rows.swap(k, p);
        let pivot = rows[k][k];
        if pivot == 0.0 || !pivot.is_finite() {
            return false;
        }
        let inv = 1.0 / pivot;
        rows[k][k] = 1.0;
        let mut pivot_row = rows[k];
        for x in &mut pivot_row {
            *x *= inv;
        }
        rows[k] = pivot_row;
        for (r, row) in rows[..n].iter_mut().enumerate() {
            let f = row[k];
            if r != k && f != 0.0 {
                for (x, y) in row.iter_mut().zip(pivot_row) {
                    *x -= f * y;
                }
                // Column k as if zeroed before the update, written after it: storing the one
                // entry first would stall the vector loads of the row that follow it.
                row[k] = 0.0 - f * pivot_row[k];
            }
        }
    }
    for k in (0..n).rev() {
        let p = pivots[k];
        for row in &mut rows[..n] {
            row.swap(k, p);
        }
    }
    for (row, target) in rows.iter().zip(a.chunks_exact_mut(n)) {
        target.copy_from_slice(&row[..n]);
    }
    true
}

/// `a . b`, summed in four interleaved partial sums: a single running sum must be added in
/// order, which keeps the compiler from using vector instructions.
#[inline]
pub fn dot(a: &[f64], b: &[f64]) -> f64 {
    let (a4, a_rest) = a.as_chunks::<4>();
    let (b4, b_rest) = b[..a.len()].as_chunks::<4>();
    let mut lanes = [0.0; 4];
    for (x, y) in a4.iter().zip(b4) {
        for ((lane, x), y) in lanes.iter_mut().zip(x).zip(y) {
            *lane += x * y;
        }
    }
    finish_dot(lanes, a_rest, b_rest)
}

/// `R` dot products at once: entry `r` is `dot(row r of rows, v)` to the bit, for the
/// row-major `R x v.len()` matrix `rows`. One call per row would wait on each row's single
/// running sum of four lanes in turn; here the `R` sums are independent, so the additions of
/// one row overlap those of the others (ten rows of 100 compiled for AVX: 0.14 µs against
/// 0.40 µs by [`dot`] a row at a time).
#[inline]
pub fn dots<const R: usize>(rows: &[f64], v: &[f64]) -> [f64; R] {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx") {
        // SAFETY: the CPU was just found to support AVX.
        return unsafe { dots_avx(rows, v) };
    }
    dots_portable(rows, v)
}

/// [`dots`] written out in AVX instructions, a row's four lanes to a register: the same
/// operations in the same order. From the portable loop, LLVM assembled each row's lanes out
/// of 128-bit halves (ten rows of 100, alone: 0.10 µs against 0.14 µs).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx")]
fn dots_avx<const R: usize>(rows: &[f64], v: &[f64]) -> [f64; R] {
    use super::lanes::avx::{load, stored};
    use std::arch::x86_64::{_mm256_add_pd, _mm256_mul_pd, _mm256_setzero_pd};
    let n = v.len();
    let (v4, v_rest) = v.as_chunks::<4>();
    // Each row's whole fours, sliced once rather than at every step of the loop below.
    let mut fours: [&[[f64; 4]]; R] = [&[]; R];
    for (fours, row) in fours.iter_mut().zip(rows.chunks_exact(n.max(1))) {
        *fours = &row.as_chunks::<4>().0[..v4.len()];
    }
    let mut lanes = [_mm256_setzero_pd(); R];
    for (c, y) in v4.iter().enumerate() {
        let y = load(y);
        for (lanes, fours) in lanes.iter_mut().zip(fours) {
            *lanes = _mm256_add_pd(*lanes, _mm256_mul_pd(load(&fours[c]), y));
        }
    }
    // Filled in a loop: `array::from_fn` was left a call that moved its array by `memmove`.
    let mut products = [0.0; R];
    for (r, (product, lanes)) in products.iter_mut().zip(lanes).enumerate() {
        let rest = &rows[r * n + 4 * v4.len()..(r + 1) * n];
        *product = finish_dot(stored(lanes), rest, v_rest);
    }
    products
}

/// [`dots`] in portable code.
#[inline(always)]
fn dots_portable<const R: usize>(rows: &[f64], v: &[f64]) -> [f64; R] {
    let n = v.len();
    let rows: [&[f64]; R] = std::array::from_fn(|r| &rows[r * n..(r + 1) * n]);
    let (v4, v_rest) = v.as_chunks::<4>();
    let mut lanes = [[0.0; 4]; R];
    for (c, y) in v4.iter().enumerate() {
        for (lanes, row) in lanes.iter_mut().zip(rows) {
            let x = &row[4 * c..4 * c + 4];
            // Written out rather than a loop over lanes, which LLVM vectorises across rows.
            *lanes = [
                lanes[0] + x[0] * y[0],
                lanes[1] + x[1] * y[1],
                lanes[2] + x[2] * y[2],
                lanes[3] + x[3] * y[3],
            ];
        }
    }
    std::array::from_fn(|r| finish_dot(lanes[r], &rows[r][4 * v4.len()..], v_rest))
}

/// A dot product's four lanes and its last entries, added as [`dot`] adds them.
#[inline(always)]
fn finish_dot(lanes: [f64; 4], a_rest: &[f64], b_rest: &[f64]) -> f64 {
    let rest: f64 = a_rest.iter().zip(b_rest).map(|(x, y)| x * y).sum();
    (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]) + rest
}

/// Solves `a x = b` in place of `b` for the symmetric positive definite `n x n` matrix `a`,
/// which it overwrites with its Cholesky factor (Golub & Van Loan, *Matrix Computations*,
/// 4th ed., algorithm 4.2.1): about `n^3 / 6` multiply-adds, where inverting the normal
/// matrix took several times that. `false` if a pivot is not positive.
pub fn cholesky_solve(a: &mut [f64], n: usize, b: &mut [f64]) -> bool {
    for j in 0..n {
        let pivot = a[j * n + j] - dot(&a[j * n..j * n + j], &a[j * n..j * n + j]);
        if pivot.is_nan() || pivot <= 0.0 {
            return false;
        }
        let diagonal = pivot.sqrt();
        a[j * n + j] = diagonal;
        for i in j + 1..n {
            let (upper, lower) = a.split_at_mut(i * n);
            let sum = dot(&lower[..j], &upper[j * n..j * n + j]);
            lower[j] = (lower[j] - sum) / diagonal;
        }
    }
    // L y = b, then L^T x = y.
    for i in 0..n {
        b[i] = (b[i] - dot(&a[i * n..i * n + i], &b[..i])) / a[i * n + i];
    }
    for i in (0..n).rev() {
        let sum: f64 = (i + 1..n).map(|k| a[k * n + i] * b[k]).sum();
        b[i] = (b[i] - sum) / a[i * n + i];
    }
    true
}

/// Gauss-Jordan inversion of the row-major `n x n` matrix `a`, for blocks of any size.
fn invert_rows(a: &mut [f64], n: usize, pivots: &mut [usize]) -> bool {
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
    use rand_chacha::ChaCha8Rng;
    use rand_chacha::rand_core::SeedableRng;
    use rand_distr::{Distribution, Uniform};

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

    /// The padded, vectorised inversion (AVX where the CPU has it) is the general one to the
    /// bit, for every size it serves, and agrees with it on which blocks are singular.
    #[test]
    fn padded_inversion_is_the_general_one_to_the_bit() {
        let mut x = 0.377_f64;
        let mut next = || {
            x = 3.99 * x * (1.0 - x);
            x - 0.5
        };
        for n in 1..=16 {
            for case in 0..50 {
                let mut m: Vec<f64> = (0..n * n).map(|_| next()).collect();
                if case % 10 == 9 {
                    // A repeated row: singular.
                    let first = m[..n].to_vec();
                    m[(n - 1) * n..].copy_from_slice(&first);
                }
                let (mut padded, mut general) = (m.clone(), m.clone());
                let ok = invert_in_place(&mut padded, n, &mut vec![0; n]);
                assert_eq!(ok, invert_rows(&mut general, n, &mut vec![0; n]), "n = {n}");
                if ok {
                    let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                    assert_eq!(bits(&padded), bits(&general), "n = {n}");
                }
            }
        }
    }

    #[test]
    fn dot_in_lanes_is_the_dot_product() {
        for len in 0..20 {
            let a: Vec<f64> = (0..len).map(|i| 1.0 + i as f64).collect();
            let b: Vec<f64> = (0..len).map(|i| 0.5 - i as f64).collect();
            let exact: f64 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
            // Small integers and halves: every partial sum is exact in either order.
            assert_eq!(dot(&a, &b), exact, "len = {len}");
        }
    }

    #[test]
    fn dots_at_once_are_the_dots_one_row_at_a_time_to_the_bit_on_avx_and_without() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let uniform = Uniform::new(-1.0, 1.0).expect("a finite, non-empty range");
        for len in 1..20 {
            let rows: Vec<f64> = (0..3 * len).map(|_| uniform.sample(&mut rng)).collect();
            let v: Vec<f64> = (0..len).map(|_| uniform.sample(&mut rng)).collect();
            let one_at_a_time: Vec<u64> = rows
                .chunks_exact(len)
                .map(|row| dot(row, &v).to_bits())
                .collect();
            let at_once = dots::<3>(&rows, &v).map(f64::to_bits);
            assert_eq!(at_once.as_slice(), one_at_a_time, "len = {len}");
            let portable = dots_portable::<3>(&rows, &v).map(f64::to_bits);
            assert_eq!(portable.as_slice(), one_at_a_time, "len = {len}");
        }
    }

    #[test]
    fn singular_matrix_is_reported() {
        let mut m = [1.0, 2.0, 2.0, 4.0];
        assert!(!invert_in_place(&mut m, 2, &mut [0; 2]));
    }

    /// The normal equations' solve: `A x = b` to rounding for a symmetric positive definite
    /// `A` (a Gram matrix of independent rows plus a ridge), and a refusal for an indefinite one.
    #[test]
    fn cholesky_solves_positive_definite_systems_and_refuses_others() {
        let n = 6;
        let rows: Vec<Vec<f64>> = (0..n)
            .map(|i| {
                (0..9)
                    .map(|k| ((i * 7 + k * 3) % 11) as f64 - 4.0 + (i == k) as u8 as f64)
                    .collect()
            })
            .collect();
        let gram: Vec<f64> = (0..n * n)
            .map(|ij| {
                rows[ij / n]
                    .iter()
                    .zip(&rows[ij % n])
                    .map(|(a, b)| a * b)
                    .sum::<f64>()
                    + if ij / n == ij % n { 1e-3 } else { 0.0 }
            })
            .collect();
        let b: Vec<f64> = (0..n).map(|i| 1.0 + i as f64).collect();
        let (mut factor, mut x) = (gram.clone(), b.clone());
        assert!(cholesky_solve(&mut factor, n, &mut x));
        for i in 0..n {
            let ax: f64 = (0..n).map(|k| gram[i * n + k] * x[k]).sum();
            assert!(
                (ax - b[i]).abs() <= 1e-12 * b[i],
                "row {i}: {ax} against {}",
                b[i]
            );
        }
        let mut indefinite = vec![1.0, 2.0, 2.0, 1.0];
        assert!(!cholesky_solve(&mut indefinite, 2, &mut [1.0, 1.0]));
    }
}
