//! Subcommands of the binary that have more to do than fit in `main.rs`.

pub mod plot;
pub mod plot_sweep;
pub mod report;
pub mod sweep;
