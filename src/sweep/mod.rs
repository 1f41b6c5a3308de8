//! Parameter sweeps: a flowsheet solved for a grid of values of some of its numbers, or for
//! Monte Carlo samples of uncertain ones, on every core and in shards for cluster job arrays.
//!
//! A case is the flowsheet file with its fields set ([`crate::input::FlowsheetTemplate`]):
//! validated and solved exactly as `sxcascade run` would the edited file. Results are one row
//! per case ([`table`]), in case order; long sweeps checkpoint to disk and resume ([`store`]).

mod axis;
mod case;
mod figure;
mod file;
mod monte_carlo;
mod plan;
mod run;
mod store;
mod table;

pub use axis::{Axis, values};
pub use case::{CaseResult, Status, Sweep, SweepError};
pub use figure::{SweepFigure, SweepPlotSpec, SweepTable, describe, sweep_figure};
pub use file::{SweepFile, is_sweep_file, parse_sweep_file};
pub use monte_carlo::{Distribution, MonteCarlo, Uncertain};
pub use plan::{MAX_CASES, SweepPlan};
pub use run::{WARM_BLOCK, block_cases, block_count};
pub use store::{
    Incomplete, Manifest, RunOptions, RunSummary, Shard, fingerprint, merge, partial_dir,
    run_to_file,
};
pub use table::{csv_text, header};
