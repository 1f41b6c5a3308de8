//! LU factorisation with partial pivoting of a band matrix, and solves with it: LAPACK's
//! `dgbtf2` and `dgbtrs` (Anderson et al., *LAPACK Users' Guide*, 3rd ed., 1999, section
//! 5.3.2) written out for the small bands of `loading.rs`, where nothing else needs LAPACK.
//!
//! Storage is LAPACK's: column-major, `2 kl + ku + 1` entries per column, `A(i, j)` at row
//! `kl + ku + i - j` of column `j`; the top `kl` rows take the fill-in of the row interchanges.

/// A square band matrix with `lower` sub- and `upper` super-diagonals, and once factored, its
/// LU factors and pivots.
pub struct BandLu {
    n: usize,
    lower: usize,
    upper: usize,
    /// `2 lower + upper + 1` rows per column.
    entries: Vec<f64>,
    pivots: Vec<usize>,
    /// `1 / U(j, j)`, so that a solve multiplies where it would divide.
    reciprocals: Vec<f64>,
    /// Whether the factorisation interchanged any rows. If not (every pivot on the diagonal,
    /// as on the reference cuts' preconditioners), `L` and `U` are bands of `lower` and
    /// `upper`, and a solve reads them by rows (`lower_rows`, `upper_rows`).
    interchanged: bool,
    /// Without interchanges: row `i` of `L` left of its diagonal, `L(i, i - k)` at
    /// `row_width(lower) - k`, and row `i` of `U` right of its diagonal divided by the
    /// diagonal, `U(i, i + k) / U(i, i)` at `k - 1`; zero outside the matrix or the band.
    lower_rows: Vec<f64>,
    upper_rows: Vec<f64>,
    /// The rows of the second unknown of each pair that [`BandLu::solve_by_rows`] finds
    /// together, with the pair's first unknown eliminated from them: rows 1, 3, 5, ... of `L`
    /// (pairs from the top) and rows `n - 2`, `n - 4`, ... of `U` (pairs from the bottom).
    /// Their entries then multiply the unknowns before the pair, as the first row's do.
    lower_pairs: Vec<f64>,
    upper_pairs: Vec<f64>,
    /// The solve's unknowns, between `row_width(lower)` zeros before and `row_width(upper)`
    /// after, so that every row reads as many unknowns as it has entries.
    unknowns: Vec<f64>,
}

/// Entries in a row of `lower_rows` or `upper_rows`: the band's width, and at least the two
/// nearest unknowns that [`BandLu::solve_by_rows`] keeps in registers.
fn row_width(band: usize) -> usize {
    band.max(2)
}

impl BandLu {
    /// An `n x n` zero matrix of the given bandwidths.
    pub fn zeros(n: usize, lower: usize, upper: usize) -> Self {
        Self {
            n,
            lower,
            upper,
            entries: vec![0.0; n * (2 * lower + upper + 1)],
            pivots: vec![0; n],
            reciprocals: vec![0.0; n],
            interchanged: false,
            lower_rows: vec![0.0; n * row_width(lower)],
            upper_rows: vec![0.0; n * row_width(upper)],
            lower_pairs: vec![0.0; n * row_width(lower)],
            upper_pairs: vec![0.0; n * row_width(upper)],
            unknowns: vec![0.0; row_width(lower) + n + row_width(upper)],
        }
    }

    fn rows(&self) -> usize {
        2 * self.lower + self.upper + 1
    }

    /// Where `A(i, j)` is kept; `i - j` must lie in the band (or its fill-in, once factored).
    fn at(&self, i: usize, j: usize) -> usize {
        j * self.rows() + self.lower + self.upper + i - j
    }

    /// Sets `A(i, j)`, inside the band (`j <= i + upper`, `i <= j + lower`), before factoring.
    #[cfg(test)]
    pub fn set(&mut self, i: usize, j: usize, value: f64) {
        debug_assert!(j <= i + self.upper && i <= j + self.lower);
        let k = self.at(i, j);
        self.entries[k] = value;
    }

    /// Sets the `d`-th superdiagonal, `A(j, j + d)` for `j` from 0, before factoring.
    pub fn set_superdiagonal(&mut self, d: usize, values: &[f64]) {
        debug_assert!(d <= self.upper && values.len() + d <= self.n);
        let (rows, row) = (self.rows(), self.lower + self.upper - d);
        // `A(j, j + d)` is row `row` of column `j + d`.
        for (column, v) in self.entries[d * rows..].chunks_exact_mut(rows).zip(values) {
            column[row] = *v;
        }
    }

    /// Sets the `d`-th subdiagonal, `A(m + d, m)` for `m` from 0, before factoring.
    pub fn set_subdiagonal(&mut self, d: usize, values: &[f64]) {
        debug_assert!(d <= self.lower && values.len() + d <= self.n);
        let (rows, row) = (self.rows(), self.lower + self.upper + d);
        for (column, v) in self.entries.chunks_exact_mut(rows).zip(values) {
            column[row] = *v;
        }
    }

    /// `A(i, j)` inside the band, before factoring.
    #[cfg(test)]
    pub fn get(&self, i: usize, j: usize) -> f64 {
        debug_assert!(j <= i + self.upper && i <= j + self.lower);
        self.entries[self.at(i, j)]
    }

    /// Factors the matrix in place; `false` if a pivot is zero, too small to invert or not
    /// finite (the matrix is then unusable).
    pub fn factor(&mut self) -> bool {
        let (n, kl, ku) = (self.n, self.lower, self.upper);
        // The last column that the row interchanges so far have reached.
        let mut reach = 0;
        self.interchanged = false;
        for j in 0..n {
            let below = kl.min(n - 1 - j);
            let diagonal = self.at(j, j);
            let column = &self.entries[diagonal..=diagonal + below];
            // The first of equal largest entries, as LAPACK's `idamax` (`max_by` keeps the
            // last): a tie with the diagonal is no reason to interchange.
            let offset = (0..=below)
                .rev()
                .max_by(|&x, &y| column[x].abs().total_cmp(&column[y].abs()))
                .unwrap_or(0);
            let pivot = column[offset];
            // A subnormal pivot has no finite reciprocal.
            let reciprocal = 1.0 / pivot;
            if pivot == 0.0 || !pivot.is_finite() || !reciprocal.is_finite() {
                return false;
            }
            self.pivots[j] = j + offset;
            self.reciprocals[j] = reciprocal;
            reach = reach.max((j + ku + offset).min(n - 1));
            if offset != 0 {
                self.interchanged = true;
                for c in j..=reach {
                    let (a, b) = (self.at(j, c), self.at(j + offset, c));
                    self.entries.swap(a, b);
                }
            }
            // Column j below the diagonal becomes the multipliers; each later column the
            // pivot row reaches is updated by them. Within a column, rows j + 1 .. j + below
            // are stored one after another, after column j's.
            let rows = self.rows();
            let (done, later) = self.entries.split_at_mut(diagonal + below + 1);
            let multipliers = &mut done[diagonal + 1..];
            for l in multipliers.iter_mut() {
                *l *= reciprocal;
            }
            for c in j + 1..=reach {
                // `A(j, c)`, then `A(j + 1, c)` onwards, relative to the split.
                let pivot_row = c * rows + kl + ku + j - c - (diagonal + below + 1);
                let x = later[pivot_row];
                if x == 0.0 {
                    continue;
                }
                let column = &mut later[pivot_row + 1..pivot_row + 1 + below];
                for (a, l) in column.iter_mut().zip(multipliers.iter()) {
                    *a -= l * x;
                }
            }
        }
        if !self.interchanged {
            self.store_rows();
        }
        true
    }

    /// Copies the factors of a factorisation without interchanges into `lower_rows` and
    /// `upper_rows`, and forms their pairs' rows, for [`BandLu::solve`].
    fn store_rows(&mut self) {
        let (n, kl, ku) = (self.n, self.lower, self.upper);
        let (wl, wu) = (row_width(kl), row_width(ku));
        for i in 0..n {
            for k in 1..=kl.min(i) {
                self.lower_rows[i * wl + wl - k] = self.entries[self.at(i, i - k)];
            }
            for k in 1..=ku.min(n - 1 - i) {
                self.upper_rows[i * wu + k - 1] =
                    self.entries[self.at(i, i + k)] * self.reciprocals[i];
            }
        }
        // `y_(i+1) = b_(i+1) - l y_i - ...` with `y_i = b_i - ...`: entry `q` (unknown
        // `i - wl + q`) of the second row becomes its entry `q - 1` less `l` times the first
        // row's entry `q`.
        for i in (0..n.saturating_sub(1)).step_by(2) {
            let (first, second) = self.lower_rows[i * wl..(i + 2) * wl].split_at(wl);
            let l = second[wl - 1];
            let paired = &mut self.lower_pairs[(i + 1) * wl..(i + 2) * wl];
            for (q, entry) in paired.iter_mut().enumerate() {
                let own = if q > 0 { second[q - 1] } else { 0.0 };
                *entry = own - l * first[q];
            }
        }
        // Likewise up `U` from its last row: entry `k - 1` (unknown `top + k`) of the second
        // row (`top - 1`) becomes its entry `k` less `u` times the first row's entry `k - 1`.
        for top in (1..n).rev().step_by(2) {
            let (second, first) = self.upper_rows[(top - 1) * wu..(top + 1) * wu].split_at(wu);
            let u = second[0];
            let paired = &mut self.upper_pairs[(top - 1) * wu..top * wu];
            for (k, entry) in (1..=wu).zip(paired.iter_mut()) {
                let own = if k < wu { second[k] } else { 0.0 };
                *entry = own - u * first[k - 1];
            }
        }
    }

    /// Overwrites `b` with the solution of `A x = b`, by the factors of [`BandLu::factor`].
    pub fn solve(&mut self, b: &mut [f64]) {
        if self.interchanged {
            self.solve_interchanged(b);
        } else {
            self.solve_by_rows(b);
        }
    }

    /// [`BandLu::solve`] without interchanges, row by row and two unknowns at a time: each
    /// unknown is its row's right-hand side less the row's products with the unknowns already
    /// found, subtracted farthest first, with the nearest two held in registers. With the
    /// first unknown of a pair eliminated from the second's row (`lower_pairs`,
    /// `upper_pairs`), both depend only on the unknowns before the pair, so the chain from
    /// one pair to the next is one product and one subtraction: half the chain of a solve a
    /// row at a time, which is what bounds it. The unknowns are padded with zeros so that
    /// every row has as many entries. On the 15-element, 100-stage reference cut's
    /// preconditioner (half-width 8), solved over and over in one run: 0.69 µs a solve
    /// against 1.0 µs a row at a time and 2.35 µs by columns (LAPACK's order). The pairs'
    /// rows round differently: there the solution agrees with a row at a time's to 8e-16 of
    /// its largest entry.
    fn solve_by_rows(&mut self, b: &mut [f64]) {
        let (wl, wu) = (row_width(self.lower), row_width(self.upper));
        // The preconditioner's width (`loading::BAND_HALF_WIDTH`) as a constant: each row's
        // products are then unrolled, where a runtime width leaves an inner loop a row (the
        // same operations in the same order; a row at a time, 0.95 µs a solve against 1.2).
        if (wl, wu) == (8, 8) {
            self.solve_rows_of(b, 8, 8);
        } else {
            self.solve_rows_of(b, wl, wu);
        }
    }

    /// [`BandLu::solve_by_rows`] for rows of `wl` and `wu` entries.
    #[inline(always)]
    fn solve_rows_of(&mut self, b: &mut [f64], wl: usize, wu: usize) {
        let n = self.n;
        let unknowns = &mut self.unknowns;
        unknowns[wl..wl + n].copy_from_slice(b);
        // `right - row . unknowns`, the two nearest unknowns taken from registers.
        let reduce = |right: f64, row: &[f64], far: &[f64], next: f64, near: f64| {
            let w = row.len();
            row[..w - 2]
                .iter()
                .zip(far)
                .fold(right, |y, (l, y_k)| y - l * y_k)
                - row[w - 2] * next
                - row[w - 1] * near
        };
        // Forward: `L y = b`, with `L` unit lower triangular, pairs (i, i + 1) from the top.
        let (mut near, mut next) = (0.0, 0.0);
        let pairs = self.lower_rows.chunks_exact(2 * wl);
        let single = pairs.remainder();
        for (p, (rows, paired)) in pairs.zip(self.lower_pairs.chunks_exact(2 * wl)).enumerate() {
            let i = 2 * p;
            let (first, second) = rows.split_at(wl);
            let far = &unknowns[i..i + wl - 2];
            let right = unknowns[i + wl + 1] - second[wl - 1] * unknowns[i + wl];
            let y = reduce(unknowns[i + wl], first, far, next, near);
            let z = reduce(right, &paired[wl..], far, next, near);
            (unknowns[i + wl], unknowns[i + wl + 1]) = (y, z);
            (next, near) = (y, z);
        }
        if !single.is_empty() {
            let i = n - 1;
            unknowns[i + wl] = reduce(unknowns[i + wl], single, &unknowns[i..], next, near);
        }
        // Backward: `U x = y`, with `U`'s rows divided by their diagonals, pairs (top,
        // top - 1) from the bottom; a row's entries start nearest, so they are taken reversed.
        for (y, reciprocal) in unknowns[wl..wl + n].iter_mut().zip(&self.reciprocals) {
            *y *= reciprocal;
        }
        let reduce_up = |right: f64, row: &[f64], far: &[f64], next: f64, near: f64| {
            row[2..]
                .iter()
                .zip(far)
                .rev()
                .fold(right, |x, (u, x_k)| x - u * x_k)
                - row[1] * next
                - row[0] * near
        };
        let (mut near, mut next) = (0.0, 0.0);
        let mut top = n;
        while top >= 2 {
            top -= 1;
            let (first, paired) = (
                &self.upper_rows[top * wu..(top + 1) * wu],
                &self.upper_pairs[(top - 1) * wu..top * wu],
            );
            let far = &unknowns[wl + top + 3..wl + top + 1 + wu];
            let right =
                unknowns[wl + top - 1] - self.upper_rows[(top - 1) * wu] * unknowns[wl + top];
            let x = reduce_up(unknowns[wl + top], first, far, next, near);
            let w = reduce_up(right, paired, far, next, near);
            (unknowns[wl + top], unknowns[wl + top - 1]) = (x, w);
            (next, near) = (x, w);
            top -= 1;
        }
        if top == 1 {
            let far = &unknowns[wl + 3..wl + 1 + wu];
            unknowns[wl] = reduce_up(unknowns[wl], &self.upper_rows[..wu], far, next, near);
        }
        b.copy_from_slice(&unknowns[wl..wl + n]);
    }

    /// [`BandLu::solve`] after a factorisation with interchanges: LAPACK's `dgbtrs`.
    fn solve_interchanged(&self, b: &mut [f64]) {
        let (n, rows) = (self.n, self.rows());
        // Row of the diagonal within a column.
        let diagonal = self.lower + self.upper;
        for j in 0..n {
            b.swap(j, self.pivots[j]);
            let below = self.lower.min(n - 1 - j);
            let x = b[j];
            let multipliers = &self.entries[j * rows + diagonal + 1..][..below];
            for (b, l) in b[j + 1..=j + below].iter_mut().zip(multipliers) {
                *b -= l * x;
            }
        }
        for j in (0..n).rev() {
            let column = &self.entries[j * rows..j * rows + diagonal];
            b[j] *= self.reciprocals[j];
            let x = b[j];
            // Interchanges fill `U` up to `lower + upper` above its diagonal.
            let above = diagonal.min(j);
            for (b, u) in b[j - above..j]
                .iter_mut()
                .zip(&column[diagonal - above..diagonal])
            {
                *b -= u * x;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_chacha::ChaCha8Rng;
    use rand_chacha::rand_core::SeedableRng;
    use rand_distr::{Distribution, Uniform};

    /// `A x - b` for the band matrix `a` given densely.
    fn residual(a: &[Vec<f64>], x: &[f64], b: &[f64]) -> f64 {
        a.iter()
            .zip(b)
            .map(|(row, b)| (row.iter().zip(x).map(|(a, x)| a * x).sum::<f64>() - b).abs())
            .fold(0.0, f64::max)
    }

    /// Solves `band x = b` and checks `x` against the dense system; `x` and its largest
    /// magnitude (at least 1), the scale of its rounding.
    fn assert_solves(dense: &[Vec<f64>], band: &mut BandLu, b: &[f64]) -> (Vec<f64>, f64) {
        let mut x = b.to_vec();
        band.solve(&mut x);
        let scale = x.iter().fold(1.0, |m: f64, v| m.max(v.abs()));
        let error = residual(dense, &x, b);
        assert!(
            error < 1e-12 * scale,
            "n {}, kl {}, ku {}: residual {error:e}",
            band.n,
            band.lower,
            band.upper
        );
        (x, scale)
    }

    fn band_system(n: usize, kl: usize, ku: usize, seed: u64) -> (Vec<Vec<f64>>, BandLu) {
        // Reproducible entries in [-1, 1).
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let uniform = Uniform::new(-1.0, 1.0).expect("a finite, non-empty range");
        let mut next = || uniform.sample(&mut rng);
        let mut dense = vec![vec![0.0; n]; n];
        let mut band = BandLu::zeros(n, kl, ku);
        for (i, row) in dense.iter_mut().enumerate() {
            let lo = i.saturating_sub(kl);
            for (j, entry) in row.iter_mut().enumerate().take(i + ku + 1).skip(lo) {
                // Every third diagonal entry zero: only pivoting gets past those.
                *entry = if i == j && i % 3 == 0 { 0.0 } else { next() };
                band.set(i, j, *entry);
            }
        }
        (dense, band)
    }

    #[test]
    fn band_solves_match_their_systems_where_pivoting_is_needed() {
        for (n, kl, ku, seed) in [(7, 1, 1, 2), (40, 3, 2, 3), (100, 8, 8, 4), (30, 2, 5, 5)] {
            let (dense, mut band) = band_system(n, kl, ku, seed);
            assert!(band.factor());
            assert!(band.interchanged);
            let b: Vec<f64> = (0..n).map(|i| (i as f64).sin() + 0.5).collect();
            assert_solves(&dense, &mut band, &b);
        }
    }

    /// A diagonally dominant band needs no interchange; its solve then reads the factors by
    /// rows, and must agree with the dense system all the same, whatever the bandwidths.
    #[test]
    fn a_band_factored_without_interchanges_solves_its_system() {
        for (n, kl, ku, seed) in [(60, 4, 3, 7), (30, 1, 1, 8), (25, 2, 5, 9), (100, 8, 8, 10)] {
            let (mut dense, _) = band_system(n, kl, ku, seed);
            let mut band = BandLu::zeros(n, kl, ku);
            for (i, row) in dense.iter_mut().enumerate() {
                row[i] = 10.0 + i as f64 % 3.0;
                for (j, entry) in row.iter().enumerate() {
                    if j + kl >= i && i + ku >= j {
                        band.set(i, j, *entry);
                    }
                }
            }
            assert!(band.factor());
            assert!(!band.interchanged);
            let b: Vec<f64> = (0..n).map(|i| (i as f64).cos() - 0.25).collect();
            let (x, scale) = assert_solves(&dense, &mut band, &b);
            // The same factors solved column by column, as after interchanges.
            let mut by_columns = b.clone();
            band.solve_interchanged(&mut by_columns);
            for (x, y) in x.iter().zip(&by_columns) {
                assert!((x - y).abs() <= 1e-13 * scale, "{x} vs {y}");
            }
        }
    }

    #[test]
    fn a_singular_band_is_refused() {
        let mut band = BandLu::zeros(3, 1, 1);
        band.set(0, 0, 1.0);
        band.set(1, 0, 1.0);
        band.set(0, 1, 1.0);
        band.set(1, 1, 1.0);
        band.set(2, 2, 1.0);
        assert!(!band.factor());
    }
}
