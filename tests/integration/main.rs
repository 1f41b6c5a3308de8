//! Integration tests: one crate, one module per area.

mod acid;
mod acid_sections;
mod cli;
mod confidence;
mod convergence;
mod design;
mod efficiency;
mod equipment;
mod mass_action;
mod mass_action_survey;
mod network;
mod outputs;
mod plots;
mod prommis;
mod properties;
mod recycle;
mod report_page;
mod side_draw;
mod support;
mod survey;
mod survey_check;
mod sweep;
mod tables;
mod theory;
