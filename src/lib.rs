//! custseg: bank customer segmentation. The library holds the whole pipeline
//! (`pipeline`), free of any terminal code; `tui` and `headless` are its two faces.

pub mod artefact;
pub mod cli;
pub mod commands;
pub mod compare_command;
pub mod config;
pub mod crash;
pub mod error;
pub mod escape;
pub mod headless;
pub mod headless_scoring;
pub mod headless_trust;
pub mod pipeline;
pub mod pmml_command;
pub mod remedy;
pub mod sample;
pub mod shell_command;
pub mod signals;
pub mod sql_command;
pub mod tui;

pub use error::{Error, Remedy, Result};
