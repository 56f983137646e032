//! Reading files: CSV/TSV in every encoding and shape, compressed text,
//! Parquet/Arrow, workbooks, line numbers in errors, transaction logs,
//! real-world shapes and the sample generator (hostile inputs in a sandbox
//! and the fuzz harness are in `tests/limits`).
//!
//! One test binary for the modules below (each file was a binary of its
//! own; every one linked the whole library, so 48 binaries cost minutes of
//! linking and gigabytes of disk). Run this group, or one module of it:
//!
//! ```sh
//! cargo test --locked --test load
//! cargo test --locked --test load load_csv::
//! ```

mod load_bad_inputs;
mod load_columnar;
mod load_compressed;
mod load_csv;
mod load_encoding;
mod load_excel;
mod load_line_numbers;
mod load_parallel;
mod logs_shapes;
mod real_shapes;
mod sample_gen;
