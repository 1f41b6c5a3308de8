//! sxcascade: steady-state simulation of countercurrent solvent-extraction cascades for
//! rare-earth separation.
//!
//! The library is the numerical core and knows no files: elements and oxides, equilibrium
//! models, one cascade and its solver, Xu Guangxian's closed-form theory. Flowsheet files and
//! the command line sit at the edge ([`flowsheet`]) and call it.

pub mod atomic;
pub mod cascade;
pub mod curves;
pub mod design;
pub mod economics;
pub mod elements;
pub mod equilibrium;
pub mod equipment;
pub mod error;
pub mod flowsheet;
pub mod input;
pub mod output_lock;
pub mod plot;
pub mod reference;
pub mod report;
pub mod solver;
pub mod stream;
pub mod sweep;
pub mod theory;

pub use cascade::{Cascade, CascadeSolution, FeedPhase, OperatingPoint, SystemModel};
pub use elements::Element;
pub use error::CascadeError;
pub use solver::SolverOptions;
pub use stream::Stream;
