//! What a run hands on: the output set and formats (CSV, XLSX, Parquet),
//! scoring SQL in SQLite/PostgreSQL, PMML, comparing runs and edits that
//! follow a segment.
//!
//! One test binary for the modules below (each file was a binary of its
//! own; every one linked the whole library, so 48 binaries cost minutes of
//! linking and gigabytes of disk). Run this group, or one module of it:
//!
//! ```sh
//! cargo test --locked --test export
//! cargo test --locked --test export score_sql::
//! ```

#[path = "../sql_util/mod.rs"]
mod sql_util;

mod compare_runs;
mod edits_follow;
mod export_scoring;
mod output_formats;
mod output_set;
mod pmml;
mod score_sql;
