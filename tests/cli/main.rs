//! The headless face and the command line: end to end runs, input policies,
//! option names, `--ascii`, the panic report, `--as-of` sources, and the
//! checks that pipeline strings carry types, not prose.
//!
//! One test binary for the modules below (each file was a binary of its
//! own; every one linked the whole library, so 48 binaries cost minutes of
//! linking and gigabytes of disk). Run this group, or one module of it:
//!
//! ```sh
//! cargo test --locked --test cli
//! cargo test --locked --test cli headless_e2e::
//! ```

mod as_of_source;
mod headless_ascii;
mod headless_e2e;
mod headless_input_policies;
mod option_names;
mod panic_report;
mod test_layout;
mod types_not_prose;
