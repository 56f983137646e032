//! custseg: bank customer segmentation. The library holds the whole pipeline
//! (`pipeline`), free of any terminal code; `tui` and `headless` are its two faces.

pub mod error;
pub mod pipeline;
pub mod sample;

pub use error::{Error, Result};
