//! Export: results CSV, summary CSV, Markdown report, PNG charts, model.

pub mod write;
