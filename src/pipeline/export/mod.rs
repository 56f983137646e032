//! Export: results CSV, summary CSV, Markdown report, PNG charts, model.

pub mod charts;
pub mod fonts;
pub mod pca;
pub mod write;
