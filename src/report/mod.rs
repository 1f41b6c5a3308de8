//! Results for people and for scripts: the JSON object of docs/file-format.md and readable tables.
//! Builds strings and serde values; printing is the binary's job.

mod columns;
mod confidence_table;
mod csv;
mod design;
mod diagram;
mod equipment;
mod equipment_table;
mod headings;
mod html;
mod json;
mod plant;
mod plotted;
mod product_confidence_table;
mod profile_plot;
mod table;

pub use csv::{CsvFile, csv_files};
pub use design::design_table;
pub use diagram::flowsheet_diagram;
pub use equipment_table::equipment_table;
pub use html::Provenance;
pub use json::{RunReport, run_report};
pub use plotted::{PlottedReport, plotted_report};
pub use profile_plot::profile_figure;
pub use table::{profiles, summary};

use crate::flowsheet::Flowsheet;
use crate::stream::Stream;

/// REO mass flow of `stream` in t/yr at the flowsheet's operating hours.
fn reo_t_per_year(flowsheet: &Flowsheet, stream: &Stream) -> f64 {
    stream.reo_g_per_h() * flowsheet.hours_per_year() / 1e6
}
