//! Integration tests: one crate, one module per area.

mod cli;
mod convergence;
mod design;
mod network;
mod plots;
mod properties;
mod recycle;
mod side_draw;
mod support;
mod survey;
mod survey_check;
mod sweep;
mod theory;
