//! Plots, headless: SVG and PNG drawn by plotters, text set in the bundled DejaVu Sans
//! (`font/`, with its license) through ab_glyph, so no font or graphics library of the machine
//! is used. A figure is data first (series, panels, cells) built by the caller from solver
//! results, then drawn: the numbers in a plot are the numbers the solver returned.
//!
//! - [`LinePlot`]: panels of curves against one x (purity on a "nines" axis), spec lines and
//!   an operating point: purity and recovery against stages or reflux, one-axis sweeps,
//!   stage profiles;
//! - [`Heatmap`]: a value over a two-axis grid with the edge of the on-spec region;
//! - [`Histogram`]: distributions of Monte Carlo results with percentiles;
//! - [`Diagram`]: a flowsheet as boxes and labelled arrows.

mod canvas;
mod diagram;
mod heatmap;
mod histogram;
mod legend;
mod lines;
mod nines;
mod palette;
mod ticks;

pub use canvas::{Figure, Format, render_png, render_svg, write_figure};
pub use diagram::{Diagram, Edge, Node, NodeKind};
pub use heatmap::{Heatmap, Region};
pub use histogram::{Histogram, HistogramGroup, percentile};
pub use lines::{LinePlot, Panel, Scale, Series, SpecLine};
pub use nines::{nines, percent_of_nines};
pub use palette::{element_colour, series_colour};
pub use ticks::plain;
