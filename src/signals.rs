//! SIGINT, SIGTERM and SIGHUP stop custseg cleanly: the first one asks the
//! running work to stop (every stage checks [`received`] through its
//! progress sink, an export removes its staging folder and keeps the
//! previous output set), and the process exits with 128 + the signal
//! (130, 143, 129). Work that does not stop within [`GRACE`], or a second
//! signal, ends the process at once after removing what is half-written and
//! giving the terminal back.
//!
//! SIGXFSZ (a file-size limit, `ulimit -f`) is caught too, so such a limit
//! makes a write fail with an error that says so instead of killing the
//! process with a core dump.

use std::sync::atomic::{AtomicI32, Ordering};
use std::time::Duration;

/// How long the work has to stop after the first signal.
pub const GRACE: Duration = Duration::from_secs(5);

static RECEIVED: AtomicI32 = AtomicI32::new(0);

/// The signal that asked custseg to stop, if one did.
pub fn received() -> Option<i32> {
    match RECEIVED.load(Ordering::SeqCst) {
        0 => None,
        s => Some(s),
    }
}

/// The exit code for a stop by `signal`: 128 + its number.
pub fn exit_code(signal: i32) -> i32 {
    128 + signal
}

/// The signal's name, for the one line printed on the way out.
pub fn name(signal: i32) -> &'static str {
    match signal {
        signal_hook::consts::SIGINT => "SIGINT",
        signal_hook::consts::SIGTERM => "SIGTERM",
        signal_hook::consts::SIGHUP => "SIGHUP",
        _ => "a signal",
    }
}

/// Installs the handlers (once, at start-up). A failure is not fatal: the
/// default behaviour (the process ends) remains.
pub fn install() {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM, SIGXFSZ};
    // SAFETY: the handler does nothing, which is async-signal-safe.
    let _ = unsafe { signal_hook::low_level::register(SIGXFSZ, || {}) };
    let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) else {
        return;
    };
    let _ = std::thread::Builder::new()
        .name("custseg-signals".into())
        .spawn(move || {
            for signal in signals.forever() {
                if RECEIVED
                    .compare_exchange(0, signal, Ordering::SeqCst, Ordering::SeqCst)
                    .is_err()
                {
                    stop_now(signal);
                }
                let _ = std::thread::Builder::new()
                    .name("custseg-grace".into())
                    .spawn(move || {
                        std::thread::sleep(GRACE);
                        stop_now(signal);
                    });
            }
        });
}

/// Ends the process: half-written files removed, terminal restored.
fn stop_now(signal: i32) -> ! {
    crate::pipeline::export::write::abandon_in_flight();
    crate::tui::terminal::restore();
    eprintln!("custseg: stopped by {}", name(signal));
    std::process::exit(exit_code(signal))
}
