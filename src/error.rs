//! Errors of the numerical core. Each variant carries the numbers a user needs to act on it.

use thiserror::Error;

use crate::elements::Element;

/// A name that is not one of the fifteen rare earths or their product oxides, with the name
/// probably meant (a wrong case, a slip of one letter) when there is one.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("unknown {kind} `{name}`{advice}")]
pub struct UnknownName {
    pub kind: &'static str,
    pub name: String,
    /// ": did you mean `Nd`?", or the list of names: "; expected one of La, Ce, ...".
    pub advice: String,
}

impl UnknownName {
    pub fn element(name: &str) -> Self {
        Self::among("element", name, &Element::ALL.map(Element::symbol))
    }

    pub fn oxide(name: &str) -> Self {
        Self::among("oxide", name, &Element::ALL.map(Element::oxide_name))
    }

    fn among(kind: &'static str, name: &str, known: &[impl AsRef<str>]) -> Self {
        let known: Vec<&str> = known.iter().map(AsRef::as_ref).collect();
        let advice = match crate::input::suggest::closest(name, known.iter().copied()) {
            Some(meant) => format!(": did you mean `{meant}`?"),
            None => format!("; expected one of {}", known.join(", ")),
        };
        Self {
            kind,
            name: name.to_string(),
            advice,
        }
    }
}

/// Why a cascade cannot be built or solved.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum CascadeError {
    /// An operating parameter outside the region where the cascade can run.
    #[error("{parameter} = {value}: {requirement}")]
    Infeasible {
        parameter: &'static str,
        value: f64,
        requirement: String,
    },
    /// An element fed to the cascade that its extractant system gives no parameter for.
    #[error("element {element} is in the feed but the extractant system has no {parameter} for it")]
    MissingParameter {
        element: Element,
        parameter: &'static str,
    },
    /// Newton stopped at its iteration cap.
    #[error(
        "did not converge in {iterations} Newton iterations (after {sweeps} substitution sweeps): \
         scaled residual {residual:.3e} > tolerance {tolerance:.1e}"
    )]
    NotConverged {
        iterations: usize,
        sweeps: usize,
        residual: f64,
        tolerance: f64,
    },
    /// Neither Newton nor pseudo-time steps reduce the residual any more.
    #[error(
        "did not converge: stalled at scaled residual {residual:.3e} after {iterations} \
         iterations (rounding floor {rounding_floor:.1e})"
    )]
    Stalled {
        iterations: usize,
        residual: f64,
        rounding_floor: f64,
    },
    #[error("did not converge: singular Newton matrix at stage {stage} in iteration {iteration}")]
    SingularJacobian { stage: usize, iteration: usize },
    /// An acid-aware cascade whose organic must carry more than its extractant can hold: its
    /// solution, followed up from a small share of the feed, stops at `feed_percent` of it with
    /// a stage's free extractant nearly gone, and the model's `D` of `species` keeps climbing as
    /// it falls, so no steady state exists within the model's range.
    #[error(
        "no steady state: the organic runs out of extractant. Followed up from a small share \
         of the feed, the cascade's solution stops at {feed_percent:.2}% of it, where the \
         organic on stage {stage} keeps only {free_mol_per_l:.3e} mol/L of free extractant \
         ({free_percent:.3}% of the fresh organic's {total_mol_per_l:.3} mol/L) and the model's \
         D of {species} rises without limit as the free extractant falls ({iterations} Newton \
         iterations). The rare earth the organic would have to carry exceeds what its extractant \
         holds: give it more capacity (a higher O/A or dose) or return less rare earth to it \
         (weaker scrub acid, a higher scrub O/A)"
    )]
    ExtractantExhausted {
        stage: usize,
        species: String,
        free_mol_per_l: f64,
        free_percent: f64,
        total_mol_per_l: f64,
        feed_percent: f64,
        iterations: usize,
    },
    /// The solve met its tolerance but the stages do not balance (a non-finite result).
    #[error("solved, but the mass balance closes only to {closure:.1e}: the result is not usable")]
    MassBalance { closure: f64 },
    /// The cascade is in a recycle loop that did not converge: its last pass is no result.
    #[error("not solved: its recycle loop did not converge (see the loop's report)")]
    RecycleNotConverged,
    /// A feed stream was not computed because the cascade producing it failed.
    #[error("not solved: a unit or recycle loop upstream failed, so its feed is missing")]
    MissingFeed,
}

impl CascadeError {
    pub(crate) fn infeasible(
        parameter: &'static str,
        value: f64,
        requirement: impl Into<String>,
    ) -> Self {
        Self::Infeasible {
            parameter,
            value,
            requirement: requirement.into(),
        }
    }
}
