//! Load -> Map columns -> Clean -> Features -> Cluster -> Inspect -> Export.
//! Every stage is a plain function: typed input, typed output, a report.
//! Nothing in here may depend on the terminal UI or its crates (see `src/tui`).

pub mod aggregate;
pub mod analysis;
pub mod as_of;
pub mod calendar;
pub mod clean;
pub mod cluster;
pub mod compare;
pub mod continuity;
pub mod correlation;
pub mod customer_key;
pub mod excerpt;
pub mod export;
pub mod features;
pub mod fxhash;
pub mod hanzi;
pub mod hygiene;
pub(crate) mod id_key;
pub(crate) mod id_repeats;
pub mod k_choice;
pub mod labels;
pub mod linalg;
pub mod load;
pub mod log_tenure;
pub mod mapping;
pub mod model;
pub mod model_check;
pub mod palette;
pub mod pmml;
pub mod profile;
pub mod progress;
pub mod projection;
pub mod rules;
pub mod run;
pub mod score_sql;
pub(crate) mod simd;
pub mod stats;
pub mod table;
pub mod trust;
pub mod txn_meaning;
