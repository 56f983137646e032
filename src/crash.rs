//! If anything ever panics, the user sees one line and an exit code, not a
//! backtrace: `custseg: error: internal error: <what> at <file:line>;
//! please report`, exit code [`EXIT_CODE`]. The TUI restores the terminal
//! before the line is printed (its own hook wraps this one). Set
//! `CUSTSEG_BACKTRACE=1` to get the full report as well (`RUST_BACKTRACE`
//! alone does not: it is often set for other programs).

use std::panic::PanicHookInfo;
use std::sync::atomic::{AtomicBool, Ordering};

/// Exit code of an internal error (BSD's EX_SOFTWARE).
pub const EXIT_CODE: i32 = 70;

/// Only the first panic is reported (a panic on a worker thread is raised
/// again where the work was waited for).
static REPORTED: AtomicBool = AtomicBool::new(false);

/// Installs the hook (once, at start-up).
pub fn install() {
    let backtrace = std::env::var_os("CUSTSEG_BACKTRACE").is_some_and(|v| v != "0");
    if backtrace {
        let _ = color_eyre::install();
    }
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        // A panic inside the workbook reader is caught and becomes a
        // "damaged workbook" error naming the file.
        if crate::pipeline::load::excel::panic_is_contained() {
            return;
        }
        if !REPORTED.swap(true, Ordering::SeqCst) {
            eprintln!("custseg: error: {}", line(info));
        }
        if backtrace {
            previous(info);
        }
    }));
}

/// `internal error: <message> at <file:line>; please report`, the message
/// cut short and with control characters escaped.
pub fn line(info: &PanicHookInfo) -> String {
    let payload = info.payload();
    let what = payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("unknown cause");
    let at = info
        .location()
        .map(|l| format!(" at {}:{}", l.file(), l.line()))
        .unwrap_or_default();
    format!(
        "internal error: {}{at}; please report",
        crate::pipeline::excerpt::excerpt(what, 200)
    )
}

/// Test hook: with `CUSTSEG_PANIC_FOR_TEST` set, panic on a worker thread
/// of the parallel pool (as a bug in a stage would), so tests can check
/// what the user sees. Only in builds with the `test-hooks` feature, which
/// the tests turn on (a dev-dependency of the crate on itself); never in a
/// release build.
#[cfg(feature = "test-hooks")]
pub fn panic_if_asked() {
    if let Some(what) = std::env::var_os("CUSTSEG_PANIC_FOR_TEST") {
        let what = what.to_string_lossy().into_owned();
        rayon::join(|| fail(&what), || ());
    }
}

#[cfg(feature = "test-hooks")]
fn fail(what: &str) {
    panic!("{what}")
}
