//! Hostile inputs in a sandbox and the fuzz harness: every test here runs
//! custseg as a child process under limits and checks its peak memory.
//!
//! A binary of its own, with nothing else in it: a child's peak RSS
//! (`wait4`'s `ru_maxrss`) includes the memory of the test process it was
//! spawned from, so tests loading big tables in the same process made the
//! children look 700 MB large.
//!
//! ```sh
//! cargo test --locked --test limits
//! cargo test --locked --test limits fuzz::
//! ```

#[path = "../fuzzer/mod.rs"]
mod fuzzer;
#[path = "../hostile/mod.rs"]
mod hostile;
#[path = "../sandbox/mod.rs"]
mod sandbox;

mod fuzz;
mod input_safety;
