//! Four elements of a stage side by side, for the loops of accelerated substitution
//! (`loading.rs`) that run over every element of every stage: its Thomas pass
//! (`substitution.rs`) and the band of its map's Jacobian (`scale_sensitivity.rs`). Stages
//! are kept in whole rows of lanes, padded with elements of no feed, so that those loops
//! have no remainder and take four elements to an instruction where the CPU has AVX.

/// Four elements of a stage.
pub type Lanes = [f64; 4];

/// Four lanes computed side by side, each from its own operands: every operand is read before
/// the result is stored, so the compiler makes one vector operation of the four (written as
/// a plain loop over the lanes, with stores between, it stays scalar).
#[inline(always)]
pub fn lanes(f: impl Fn(usize) -> f64) -> Lanes {
    std::array::from_fn(f)
}

/// The sum of the four lanes: the vector's two halves added first (lane 0 to 2, 1 to 3), as
/// a vector unit adds them, then the two lanes left.
#[inline(always)]
pub fn sum(x: Lanes) -> f64 {
    (x[0] + x[2]) + (x[1] + x[3])
}

/// Loads and stores of [`Lanes`] in AVX registers, for the loops written out in AVX
/// instructions where LLVM splits the portable ones into 128-bit halves.
#[cfg(target_arch = "x86_64")]
pub mod avx {
    use std::arch::x86_64::{__m256d, _mm256_loadu_pd, _mm256_storeu_pd};

    use super::Lanes;

    #[target_feature(enable = "avx")]
    pub fn load(x: &Lanes) -> __m256d {
        // SAFETY: `x` is four readable doubles; the load needs no alignment.
        unsafe { _mm256_loadu_pd(x.as_ptr()) }
    }

    #[target_feature(enable = "avx")]
    pub fn store(x: &mut Lanes, value: __m256d) {
        // SAFETY: `x` is four writable doubles; the store needs no alignment.
        unsafe { _mm256_storeu_pd(x.as_mut_ptr(), value) }
    }

    /// The register's four lanes.
    #[target_feature(enable = "avx")]
    pub fn stored(x: __m256d) -> Lanes {
        let mut lanes = [0.0; 4];
        store(&mut lanes, x);
        lanes
    }
}
