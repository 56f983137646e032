//! Panics (bugs, never user data) are reported by `color_eyre`'s panic
//! hook, with custseg's own message: one line,
//! `custseg: error: internal error: <what> at <file:line>; please report`,
//! and exit code [`EXIT_CODE`]. The TUI gives the terminal back before the
//! report prints (its own hook wraps this one, see `tui::terminal`).
//!
//! Errors on user data are not panics: they are `crate::Error` values that
//! `main` prints as one line naming the file, row and column, with exit
//! code 1 or 2; scripts and tests rely on that line, so no report decorates
//! it.
//!
//! With `CUSTSEG_BACKTRACE=1` (or `full`) the report adds `color_eyre`'s
//! backtrace, filtered to the frames that matter. `RUST_BACKTRACE` alone
//! does not: it is often set for other programs, and a bank's operator
//! should see one line unless asked.

use color_eyre::config::{HookBuilder, Theme};
use color_eyre::section::PanicMessage;
use std::fmt;
use std::io::IsTerminal;
use std::panic::PanicHookInfo;
use std::sync::atomic::{AtomicBool, Ordering};

/// Exit code of an internal error (BSD's EX_SOFTWARE).
pub const EXIT_CODE: i32 = 70;

/// Only the first panic is reported (a panic on a worker thread is raised
/// again where the work was waited for).
static REPORTED: AtomicBool = AtomicBool::new(false);

/// The backtrace asked for by `CUSTSEG_BACKTRACE`: `None`, `"1"` or `"full"`.
fn backtrace_wanted() -> Option<&'static str> {
    match std::env::var("CUSTSEG_BACKTRACE") {
        Ok(v) if v == "full" => Some("full"),
        Ok(v) if !v.is_empty() && v != "0" => Some("1"),
        _ => None,
    }
}

/// Installs the hooks (once, at start-up): `color_eyre`'s panic hook with
/// custseg's one-line message, behind the checks below, and its report
/// hook for `eyre` errors.
///
/// # Safety
///
/// Sets `RUST_BACKTRACE` (which `color_eyre` reads when a panic is
/// reported) from `CUSTSEG_BACKTRACE`, so it must run before any other
/// thread exists: the first thing in `main`.
pub unsafe fn install() {
    match backtrace_wanted() {
        // SAFETY: the caller guarantees no other thread is running.
        Some(level) => unsafe { std::env::set_var("RUST_BACKTRACE", level) },
        // SAFETY: as above.
        None => unsafe { std::env::remove_var("RUST_BACKTRACE") },
    }
    let plain = std::env::var_os("NO_COLOR").is_some() || !std::io::stderr().is_terminal();
    let built = HookBuilder::blank()
        .add_default_filters()
        .add_frame_filter(Box::new(|frames| frames.retain(|f| !runtime_frame(f))))
        .theme(if plain { Theme::new() } else { Theme::dark() })
        .display_env_section(false)
        .panic_message(OneLine)
        .try_into_hooks();
    let Ok((panic_hook, eyre_hook)) = built else {
        return;
    };
    let _ = eyre_hook.install();
    let report = panic_hook.into_panic_hook();
    std::panic::set_hook(Box::new(move |info| {
        // A panic inside the workbook reader is caught and becomes a
        // "damaged workbook" error naming the file.
        if crate::pipeline::load::excel::panic_is_contained() {
            return;
        }
        if !REPORTED.swap(true, Ordering::SeqCst) {
            report(info);
        }
    }));
}

/// A frame of the runtime rather than of custseg: the standard library,
/// the panic machinery, rayon's scheduler. `color_eyre`'s own filters match
/// the legacy symbol names only (`std::panicking::...`), not the
/// `std[1a2b]::panicking::...` of today's symbols.
fn runtime_frame(frame: &color_eyre::config::Frame) -> bool {
    let Some(name) = frame.name.as_deref() else {
        return true;
    };
    let name = name.trim_start_matches('<');
    [
        "std::",
        "std[",
        "core::",
        "core[",
        "alloc::",
        "alloc[",
        "__rustc",
        "rayon_core",
        "color_eyre",
        "backtrace",
    ]
    .iter()
    .any(|p| name.starts_with(p))
}

/// custseg's panic message in `color_eyre`'s report: [`line`], prefixed as
/// every error line is.
struct OneLine;

impl PanicMessage for OneLine {
    fn display(&self, info: &PanicHookInfo<'_>, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "custseg: error: {}", line(info))
    }
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
/// what the user sees; with a value starting `tui:`, panic on this thread
/// with the terminal in full-screen mode (as a bug in the TUI would). Only
/// in builds with the `test-hooks` feature, which the tests turn on (a
/// dev-dependency of the crate on itself); never in a release build.
#[cfg(feature = "test-hooks")]
pub fn panic_if_asked() {
    if let Some(what) = std::env::var_os("CUSTSEG_PANIC_FOR_TEST") {
        let what = what.to_string_lossy().into_owned();
        if let Some(what) = what.strip_prefix("tui:") {
            if let Ok(session) = crate::tui::terminal::Session::enter() {
                // Only the panic hooks can give the terminal back now.
                std::mem::forget(session);
            }
            fail(what);
        }
        rayon::join(|| fail(&what), || ());
    }
}

#[cfg(feature = "test-hooks")]
fn fail(what: &str) {
    panic!("{what}")
}
