//! Integration tests: one crate, one module per area.

mod cli;
mod convergence;
mod properties;
mod theory;
