//! The Newton system of a cascade of Murphree stages, eliminated stage by stage at the cost of
//! one `C x C` inversion and one `C x C` product per stage.
//!
//! With `da`, `do` the steps of a stage's aqueous and organic fluxes, the linearised stage
//! equations of `murphree.rs` are, on stage `j`,
//!
//! ```text
//! balance:    -da(j) - k(j) do(j) + rho(j) do(j-1) + s(j) da(j+1) = rb(j)
//! efficiency: -E J(j) da(j) + do(j) - (1 - E) rho(j) do(j-1)      = re(j)
//! ```
//!
//! with `J(j) = do*/da` of the equilibrium, `k(j)` 1 (or `1 - r` on the last stage, which
//! also receives the reflux), `rho(j)` the share of stage `j-1`'s organic passed up and `s(j)`
//! the share of stage `j+1`'s aqueous passed on. As a block tridiagonal system of `2 C` blocks
//! its lower blocks touch only `do(j-1)` and its upper blocks only `da(j+1)`, so the forward
//! elimination can keep each stage as `da(j) = ya(j) + Ka(j) da(j+1)`,
//! `do(j) = yo(j) + Ko(j) da(j+1)`. Substituting `do(j-1)` into stage `j`'s equations, the
//! efficiency row gives `do(j) = q + Q da(j)` with
//! `q = re + (1 - E) rho yo(j-1)`, `Q = E J + (1 - E) rho Ko(j-1)`, and the balance
//! `M da(j) = s da(j+1) + rho yo(j-1) - k q - rb` with `M = I + k Q - rho Ko(j-1)`. Hence
//! `Ka = s M^-1`, `ya = M^-1 (rho yo(j-1) - k q - rb)`, `Ko = Q Ka`, `yo = q + Q ya`; the
//! back substitution runs down from the last stage. Against a general block Thomas
//! elimination of `2 C` blocks (`O(24 C^3)` a stage) this is `O(2 C^3)`.

use super::dense::invert_in_place;

pub use super::block_tridiagonal::SingularStage;

/// One stage's coefficients: `J = diag + u vᵀ` (majors only) and the flow shares.
pub struct StageTerms<'a> {
    pub diag: &'a [f64],
    pub u: &'a [f64],
    pub v: &'a [f64],
    /// `k(j)`: 1, or `1 - r` on the last stage.
    pub kept_organic: f64,
    /// `rho(j)`: the share of stage `j - 1`'s organic reaching stage `j` (0 on stage 1).
    pub rising: f64,
    /// `s(j)`: the share of stage `j + 1`'s aqueous reaching stage `j` (0 on the last).
    pub falling: f64,
}

pub struct MurphreeSystem {
    stages: usize,
    size: usize,
    ka: Vec<f64>,
    ko: Vec<f64>,
    ya: Vec<f64>,
    yo: Vec<f64>,
    m: Vec<f64>,
    q: Vec<f64>,
    big_q: Vec<f64>,
    pivots: Vec<usize>,
    previous_yo: Vec<f64>,
}

impl MurphreeSystem {
    pub fn new(stages: usize, size: usize) -> Self {
        let blocks = stages * size * size;
        Self {
            stages,
            size,
            ka: vec![0.0; blocks],
            ko: vec![0.0; blocks],
            ya: vec![0.0; stages * size],
            yo: vec![0.0; stages * size],
            m: vec![0.0; size * size],
            q: vec![0.0; size],
            big_q: vec![0.0; size * size],
            pivots: vec![0; size],
            previous_yo: vec![0.0; size],
        }
    }

    /// Eliminates stage `j` (called for `j = 0, 1, ...` in turn) with right-hand sides `rb`
    /// (balances) and `re` (efficiency relations).
    pub fn eliminate(
        &mut self,
        j: usize,
        e: f64,
        terms: StageTerms<'_>,
        rb: &[f64],
        re: &[f64],
    ) -> Result<(), SingularStage> {
        let c = self.size;
        let c2 = c * c;
        let rho = terms.rising;
        let k = terms.kept_organic;
        let (done_ko, rest_ko) = self.ko.split_at_mut(j * c2);
        let previous_ko: &[f64] = if j > 0 { &done_ko[(j - 1) * c2..] } else { &[] };
        let previous_yo = &mut self.previous_yo;
        if j > 0 {
            previous_yo.copy_from_slice(&self.yo[(j - 1) * c..j * c]);
        } else {
            previous_yo.fill(0.0);
        }
        // q = re + (1 - E) rho yo(j-1); Q = E J + (1 - E) rho Ko(j-1)
        for r in 0..c {
            self.q[r] = re[r] + (1.0 - e) * rho * previous_yo[r];
            for col in 0..c {
                let mut value = e * terms.u[r] * terms.v[col];
                if j > 0 {
                    value += (1.0 - e) * rho * previous_ko[r * c + col];
                }
                self.big_q[r * c + col] = value;
            }
            self.big_q[r * c + r] += e * terms.diag[r];
        }
        // M = I + k Q - rho Ko(j-1)
        for r in 0..c {
            for col in 0..c {
                let mut value = k * self.big_q[r * c + col];
                if j > 0 {
                    value -= rho * previous_ko[r * c + col];
                }
                self.m[r * c + col] = value;
            }
            self.m[r * c + r] += 1.0;
        }
        if !invert_in_place(&mut self.m, c, &mut self.pivots) {
            return Err(SingularStage(j + 1));
        }
        // ya = M^-1 (rho yo(j-1) - k q - rb); Ka = s M^-1
        let ya = &mut self.ya[j * c..(j + 1) * c];
        for (r, y) in ya.iter_mut().enumerate() {
            let row = &self.m[r * c..(r + 1) * c];
            *y = (0..c)
                .map(|col| row[col] * (rho * previous_yo[col] - k * self.q[col] - rb[col]))
                .sum();
        }
        let ka = &mut self.ka[j * c2..(j + 1) * c2];
        for (a, m) in ka.iter_mut().zip(&self.m) {
            *a = terms.falling * m;
        }
        // yo = q + Q ya; Ko = Q Ka
        let yo = &mut self.yo[j * c..(j + 1) * c];
        let ko = &mut rest_ko[..c2];
        for r in 0..c {
            let row = &self.big_q[r * c..(r + 1) * c];
            yo[r] = self.q[r] + row.iter().zip(ya.iter()).map(|(x, y)| x * y).sum::<f64>();
            for col in 0..c {
                ko[r * c + col] = row
                    .iter()
                    .enumerate()
                    .map(|(l, x)| x * ka[l * c + col])
                    .sum::<f64>();
            }
        }
        Ok(())
    }

    /// The steps, once every stage is eliminated: `da` and `do` stage-major, `C` a stage.
    pub fn back_substitute(&self, da: &mut [f64], d_organic: &mut [f64]) {
        let (n, c) = (self.stages, self.size);
        let c2 = c * c;
        for j in (0..n).rev() {
            for r in 0..c {
                let (mut a, mut o) = (self.ya[j * c + r], self.yo[j * c + r]);
                if j + 1 < n {
                    let above = &da[(j + 1) * c..(j + 2) * c];
                    let (ka, ko) = (
                        &self.ka[j * c2 + r * c..j * c2 + (r + 1) * c],
                        &self.ko[j * c2 + r * c..j * c2 + (r + 1) * c],
                    );
                    a += ka.iter().zip(above).map(|(x, y)| x * y).sum::<f64>();
                    o += ko.iter().zip(above).map(|(x, y)| x * y).sum::<f64>();
                }
                da[j * c + r] = a;
                d_organic[j * c + r] = o;
            }
        }
    }
}
