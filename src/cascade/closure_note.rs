//! Why a converged cascade's closure misses its target (docs/model.md section 4: 1e-10).
//! Between that target and the limit past which a solve is refused ([`MAX_ACCEPTED_CLOSURE`])
//! the result is kept, and the result says why: the stage balances are met only to their
//! rounding floor, which an element that accumulates inside the cascade to many times its
//! feed raises (its balances are sums of terms that large).
//!
//! [`MAX_ACCEPTED_CLOSURE`]: super::MAX_ACCEPTED_CLOSURE

use super::CascadeSolution;

/// Closure every converged solve is meant to reach (docs/model.md section 4).
pub const CLOSURE_TARGET: f64 = 1e-10;

impl CascadeSolution {
    /// `None` when the closure meets [`CLOSURE_TARGET`]; otherwise why it does not, with the
    /// numbers: the closure, the residual against its rounding floor, and the element that
    /// accumulates most (largest flux on a stage over its feed).
    pub fn closure_note(&self) -> Option<String> {
        let closure = self.mass_balance.overall.max(self.mass_balance.worst_stage);
        if closure <= CLOSURE_TARGET {
            return None;
        }
        let (element, accumulation) = self
            .elements
            .iter()
            .enumerate()
            .filter_map(|(i, &e)| {
                let fed = self.feed.mol_per_h(e);
                let peak = (0..self.aqueous.nrows())
                    .map(|j| self.aqueous[[j, i]] + self.organic[[j, i]])
                    .fold(0.0, f64::max);
                (fed > 0.0).then_some((e, peak / fed))
            })
            .max_by(|a, b| a.1.total_cmp(&b.1))?;
        Some(format!(
            "closure {closure:.1e} is above the {CLOSURE_TARGET:.0e} target: the stage balances \
             are met only to their rounding floor (scaled residual {:.1e}, floor {:.1e}); {element} \
             accumulates to {accumulation:.1e} times its feed on a stage",
            self.convergence.residual, self.convergence.rounding_floor
        ))
    }
}
