//! Converging a recycle loop on its tear streams by Wegstein's method (Wegstein, Comm. ACM 1
//! (1958) 9-13): direct substitution with a secant-estimated acceleration per tear variable,
//! bounded as process simulators bound it (Westerberg et al. 1979, section 3.4).
//!
//! Why Wegstein rather than Newton on the tear variables: a tear carries up to 15 element
//! fluxes, and a finite-difference Newton step would cost 15 passes round the loop; a loop
//! of cascades is close to linear in its tear flows (exactly linear for constant distribution
//! ratios) and its elements nearly decoupled, which is the case Wegstein's per-variable secant
//! handles well. The bench flowsheets' loops converge in tens of passes (README, performance).

use super::sequence::Block;
use super::solution::State;
use super::{Flowsheet, UnitId};
use crate::elements::Element;
use crate::error::CascadeError;
use crate::solver::SolverOptions;
use crate::stream::Stream;

/// A loop is converged when no tear flux changes by more than this fraction of its element's
/// total flowsheet feed in a pass: two decades below the 1e-10 closure target (docs/model.md
/// section 4), so that the flowsheet's overall balance meets it.
pub const RECYCLE_TOLERANCE: f64 = 1e-12;
/// Passes round a loop before it is reported as not converged (the default of
/// [`SolverOptions::recycle_max_iterations`]).
pub const RECYCLE_MAX_ITERATIONS: usize = 500;
/// Bounds of Wegstein's acceleration factor q: 0 is direct substitution, -q - 1 the factor by
/// which a step is extrapolated. Flowsheeting practice bounds q at -5; a loop that returns
/// nearly all of an element each pass (a gain s near 1 needs q = s / (s - 1) far below -5)
/// then crawls, so the bound is wider here: on the shipped loop and the linear test loops the
/// passes are the same or fewer (README, "Networks and recycles").
const Q_MIN: f64 = -50.0;
const Q_MAX: f64 = 0.0;
/// Direct-substitution passes before the first acceleration, so that the secant slopes come
/// from passes where every unit of the loop already carries flow.
const SUBSTITUTION_PASSES: usize = 2;

/// How a recycle loop's tear streams converged.
#[derive(Debug, Clone, PartialEq)]
pub struct RecycleOutcome {
    /// Units of the loop, in solve order.
    pub units: Vec<String>,
    pub tears: Vec<String>,
    pub iterations: usize,
    /// Largest change of a tear flux in the last pass, relative to its element's total feed.
    pub residual: f64,
    /// The tear stream where that change was largest.
    pub worst_tear: String,
    pub converged: bool,
    /// Why iteration stopped early (a unit of the loop failed), if it did.
    pub failure: Option<String>,
}

impl std::fmt::Display for RecycleOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let units = self.units.join(" -> ");
        let tears = self.tears.join(", ");
        if self.converged {
            write!(
                f,
                "recycle loop {units}: tear {tears} converged in {} passes (largest change {:.1e} of its element's feed)",
                self.iterations, self.residual
            )
        } else if let Some(failure) = &self.failure {
            write!(
                f,
                "recycle loop {units}: stopped in pass {}: {failure}",
                self.iterations
            )
        } else {
            write!(
                f,
                "recycle loop {units} did not converge in {} passes: tear stream `{}` still changes by {:.3e} of its element's feed per pass (tolerance {RECYCLE_TOLERANCE:.0e})",
                self.iterations, self.worst_tear, self.residual
            )
        }
    }
}

impl Flowsheet {
    /// Iterates `block` until its tear streams reproduce themselves, starting from empty tear
    /// streams (a loop filling from its fresh feeds). On success the tear streams hold their
    /// last computed values; on failure every stream the loop produces is removed, so that no
    /// unit downstream is solved on unconverged flows.
    pub(super) fn converge(
        &self,
        block: &Block,
        state: &mut State,
        options: &SolverOptions,
    ) -> RecycleOutcome {
        let scale = self.total_feed();
        let scale: Vec<f64> = Element::ALL
            .iter()
            .map(|e| scale.get(e).copied().unwrap_or(0.0))
            .collect();
        let mut outcome = RecycleOutcome {
            units: block
                .units
                .iter()
                .map(|&u| self.unit_name(u).into())
                .collect(),
            tears: block.tears.clone(),
            iterations: 0,
            residual: f64::INFINITY,
            worst_tear: block.tears[0].clone(),
            converged: false,
            failure: None,
        };
        let mut guess = vec![0.0; Element::ALL.len() * block.tears.len()];
        let mut wegstein = Wegstein::default();
        while outcome.iterations < options.recycle_max_iterations {
            outcome.iterations += 1;
            for (name, values) in block
                .tears
                .iter()
                .zip(guess.chunks_exact(Element::ALL.len()))
            {
                let flows = Element::ALL.iter().copied().zip(values.iter().copied());
                let stream = Stream::new(flows.filter(|(_, f)| *f > 0.0));
                state.streams.insert(name.clone(), stream);
            }
            for &unit in &block.units {
                self.run_unit(unit, state, options, true);
            }
            if let Some(failure) = self.first_failure(block, state) {
                outcome.failure = Some(failure);
                break;
            }
            let computed: Vec<f64> = block
                .tears
                .iter()
                .flat_map(|t| Element::ALL.map(|e| state.streams[t].mol_per_h(e)))
                .collect();
            let (residual, worst) = change(&guess, &computed, &scale);
            outcome.residual = residual;
            outcome.worst_tear = block.tears[worst / Element::ALL.len()].clone();
            if residual <= RECYCLE_TOLERANCE {
                outcome.converged = true;
                return outcome;
            }
            guess = wegstein.next(&guess, &computed);
        }
        for &unit in &block.units {
            for stream in self.outlets(unit) {
                state.streams.shift_remove(stream);
            }
            // A cascade that failed keeps its own error; the others' last pass is no result.
            if let UnitId::Cascade(k) = unit
                && !matches!(state.cascades[k], Some(Err(_)))
            {
                state.cascades[k] = Some(Err(CascadeError::RecycleNotConverged));
            }
        }
        outcome
    }

    /// The first cascade of the loop that failed for a reason other than an empty feed (which
    /// is expected while a loop fills).
    fn first_failure(&self, block: &Block, state: &State) -> Option<String> {
        block.units.iter().find_map(|&unit| match unit {
            UnitId::Cascade(k) => match &state.cascades[k] {
                Some(Err(e)) if !state.empty_feed[k] => {
                    Some(format!("cascade `{}`: {e}", self.cascades[k].name))
                }
                _ => None,
            },
            UnitId::Splitter(_) => None,
        })
    }
}

/// Largest `|computed - guess|` relative to the element's scale, and where it is. Elements
/// not fed to the flowsheet have zero scale and no flux.
fn change(guess: &[f64], computed: &[f64], scale: &[f64]) -> (f64, usize) {
    let mut worst = (0.0, 0);
    for (k, (g, c)) in guess.iter().zip(computed).enumerate() {
        let s = scale[k % scale.len()];
        if s > 0.0 {
            let r = (c - g).abs() / s;
            // A NaN change is the worst of all.
            if r > worst.0 || r.is_nan() {
                worst = (r, k);
            }
        }
    }
    worst
}

/// Wegstein's accelerated substitution, one factor per tear variable.
#[derive(Debug, Default)]
struct Wegstein {
    passes: usize,
    /// The previous guess and what the loop computed from it.
    previous: Option<(Vec<f64>, Vec<f64>)>,
}

impl Wegstein {
    /// The next guess after the loop computed `computed` from `guess`.
    fn next(&mut self, guess: &[f64], computed: &[f64]) -> Vec<f64> {
        self.passes += 1;
        let next = match &self.previous {
            Some((x0, g0)) if self.passes > SUBSTITUTION_PASSES => guess
                .iter()
                .zip(computed)
                .zip(x0.iter().zip(g0))
                .map(|((&x1, &g1), (&x0, &g0))| {
                    let dx = x1 - x0;
                    // Slope of the loop's response to this variable; q = s / (s - 1).
                    let s = (g1 - g0) / dx;
                    let q = (s / (s - 1.0)).clamp(Q_MIN, Q_MAX);
                    let q = if dx == 0.0 || q.is_nan() { 0.0 } else { q };
                    (q * x1 + (1.0 - q) * g1).max(0.0)
                })
                .collect(),
            _ => computed.to_vec(),
        };
        self.previous = Some((guess.to_vec(), computed.to_vec()));
        next
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// On a linear map `g(x) = a x + b` the secant slope is exact, so one accelerated step
    /// lands on the fixed point `b / (1 - a)` whenever the bounded q allows it.
    #[test]
    fn wegstein_solves_a_linear_loop_in_one_accelerated_step() {
        let (a, b) = (0.8, 1.0);
        let g = |x: &[f64]| vec![a * x[0] + b];
        let mut w = Wegstein::default();
        let mut x = vec![0.0];
        for _ in 0..=SUBSTITUTION_PASSES {
            let gx = g(&x);
            x = w.next(&x, &gx);
        }
        // q = s / (s - 1) = -4 is inside the bounds.
        assert!((x[0] - b / (1.0 - a)).abs() < 1e-12, "{x:?}");
    }

    #[test]
    fn wegstein_bounds_its_extrapolation() {
        // Slope 0.999: the exact q = -999 is clamped to Q_MIN.
        let g = |x: &[f64]| vec![0.999 * x[0] + 1.0];
        let mut w = Wegstein::default();
        let mut x = vec![0.0];
        let mut before = 0.0;
        for _ in 0..=SUBSTITUTION_PASSES {
            before = x[0];
            let gx = g(&x);
            x = w.next(&x, &gx);
        }
        let direct = g(&[before])[0];
        let expected = Q_MIN * before + (1.0 - Q_MIN) * direct;
        assert!((x[0] - expected).abs() < 1e-12, "{} vs {expected}", x[0]);
    }
}
