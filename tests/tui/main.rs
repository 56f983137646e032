//! The TUI: state and keys on the harness, insta snapshots of every screen
//! (in `snapshots/` here), replay, the output set from the Export screen, and
//! end to end in a pseudo-terminal.
//!
//! One test binary for the modules below (each file was a binary of its
//! own; every one linked the whole library, so 48 binaries cost minutes of
//! linking and gigabytes of disk). Run this group, or one module of it:
//!
//! ```sh
//! cargo test --locked --test tui
//! cargo test --locked --test tui tui_keys::
//! ```

#[path = "../cluster_util/mod.rs"]
mod cluster_util;

mod tui_analysis;
mod tui_e2e;
mod tui_explore;
mod tui_keys;
mod tui_output_set;
mod tui_replay;
mod tui_snapshots;
mod tui_state;
mod tui_trust;
