//! Results for people and for scripts: the JSON object of FLOWSHEET.md and readable tables.
//! Builds strings and serde values; printing is the binary's job.

mod json;
mod table;

pub use json::{RunReport, run_report};
pub use table::{profiles, summary};

use crate::flowsheet::{DEFAULT_HOURS_PER_YEAR, Flowsheet};
use crate::stream::Stream;

/// REO mass flow of `stream` in t/yr at the flowsheet's operating hours.
fn reo_t_per_year(flowsheet: &Flowsheet, stream: &Stream) -> f64 {
    let hours = flowsheet
        .basis
        .map_or(DEFAULT_HOURS_PER_YEAR, |b| b.hours_per_year);
    stream.reo_g_per_h() * hours / 1e6
}
