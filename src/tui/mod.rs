//! The keyboard-driven terminal UI: an editor of one [`RunConfig`] plus a
//! viewer of each pipeline stage's result.
//!
//! Layout of the module:
//!
//! - [`app`]: [`App`] state and `App::update(Action)`, a pure state machine
//!   (no terminal). Heavy work is never done there: it queues a [`worker::Job`].
//! - [`keymap`]: `KeyEvent` -> [`Action`], depending on the screen, overlay and
//!   whether a text field has the focus. Only key presses act.
//! - [`event`]: one channel for key presses, resizes and worker reports.
//! - [`worker`]: runs jobs (load, list sheets, clean, features, cluster,
//!   profile, export) on threads,
//!   forwarding progress and results as events; cancel through an `AtomicBool`.
//! - [`ui`]: `draw(frame, &App)`, a pure function of the state, so tests render
//!   into a `TestBackend`.
//! - [`screens`]: one module per stage; [`widgets`]: header stage bar, footer,
//!   help overlay, too-small screen, progress bar, dialogs.
//! - [`theme`]: 16 ANSI colours or `NO_COLOR`; Unicode or ASCII glyphs.
//! - [`harness`]: drives an `App` without a terminal (tests, screenshots).

pub mod action;
pub mod app;
pub mod data;
pub mod event;
pub mod harness;
pub mod keymap;
pub mod remedy;
pub mod screens;
pub mod terminal;
pub mod text;
pub mod theme;
pub mod ui;
pub mod widgets;
pub mod worker;

pub use action::{Action, Move};
pub use app::{App, Stage};

use crate::config::RunConfig;
use crate::error::{Error, Result};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How the UI draws, decided once at start-up.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct UiOptions {
    /// ASCII borders, bars and markers instead of box drawing and blocks.
    pub ascii: bool,
    /// No colours: selection and emphasis by reverse video, bold and underline.
    pub no_color: bool,
}

impl UiOptions {
    /// From the process environment: `ascii_flag` is `--ascii`; ASCII is also
    /// chosen when the locale (LC_ALL, LC_CTYPE, LANG) is not UTF-8, and
    /// `NO_COLOR` (set and not empty) turns colours off.
    pub fn from_env(ascii_flag: bool) -> Self {
        Self::from_vars(ascii_flag, |name| std::env::var(name).ok())
    }

    /// [`UiOptions::from_env`] with the variables looked up through `var`.
    pub fn from_vars(ascii_flag: bool, var: impl Fn(&str) -> Option<String>) -> Self {
        UiOptions {
            ascii: ascii_flag || !locale_is_utf8(&var),
            no_color: var("NO_COLOR").is_some_and(|v| !v.is_empty()),
        }
    }
}

/// The locale in force is the first non-empty of LC_ALL, LC_CTYPE, LANG
/// (POSIX precedence); none at all means the "C" locale, which is not UTF-8.
pub fn locale_is_utf8(var: &impl Fn(&str) -> Option<String>) -> bool {
    let locale = ["LC_ALL", "LC_CTYPE", "LANG"]
        .iter()
        .find_map(|name| var(name).filter(|v| !v.is_empty()));
    locale.is_some_and(|l| {
        let l = l.to_ascii_lowercase();
        l.contains("utf-8") || l.contains("utf8")
    })
}

/// Where the bundled sample lives, relative to a repository root.
pub const SAMPLE_RELATIVE: &str = "samples/customers_en.csv";

/// The bundled sample, looked up relative to the current directory and then
/// to each folder above the executable (`<repo>/target/release/custseg`).
/// `None` when it is not there: the Load screen then just asks for a path.
pub fn find_sample() -> Option<PathBuf> {
    let here = Path::new(SAMPLE_RELATIVE);
    if here.is_file() {
        return Some(here.to_path_buf());
    }
    let exe = std::env::current_exe().ok()?;
    exe.ancestors()
        .skip(1)
        .map(|dir| dir.join(SAMPLE_RELATIVE))
        .find(|p| p.is_file())
}

/// Runs the TUI until the user quits. `config.input`, when set (`custseg FILE`),
/// is filled in and loaded; otherwise the bundled sample is offered.
/// The terminal is restored on every exit path, panics included.
pub fn run_tui(config: RunConfig, ui: UiOptions) -> Result<()> {
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        return Err(Error::usage(
            "the interactive UI needs a terminal; for scripts and pipes use --no-tui FILE --out DIR",
        ));
    }
    let mut app = App::new(config, ui);
    if app.config.input.is_none() {
        if let Some(sample) = find_sample() {
            app.offer_sample(&sample);
        } else {
            app.no_sample_found();
        }
    }

    let mut session = terminal::Session::enter()?;
    let events = event::EventLoop::start();
    let worker = worker::Worker::new(events.sender());
    let size = terminal::Session::size()?;
    app.update(Action::Resize(size.0, size.1));

    let result = (|| -> Result<()> {
        loop {
            for job in app.take_jobs() {
                worker.spawn(job);
            }
            session.draw(&app)?;
            if app.should_quit {
                return Ok(());
            }
            // SIGTERM, SIGHUP (the SSH session went away) or SIGINT from
            // outside: stop the work and give the terminal back.
            if crate::signals::received().is_some() {
                return Err(Error::Cancelled);
            }
            let Some(first) = events.next(Duration::from_millis(500)) else {
                app.update(Action::Tick);
                continue;
            };
            // Apply everything already waiting before drawing again, so a burst
            // of progress reports or key repeats never lags behind.
            let mut pending = vec![first];
            pending.extend(events.drain());
            for ev in pending {
                if let Some(action) = event::to_action(ev, &app) {
                    app.update(action);
                }
            }
        }
    })();
    app.cancel_all_jobs();
    // An export cut short leaves nothing half-written (its staging folder
    // goes; the folder keeps its previous set).
    crate::pipeline::export::write::abandon_in_flight();
    events.stop();
    session.leave();
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn locale_decides_ascii() {
        assert!(!UiOptions::from_vars(false, vars(&[("LANG", "en_US.UTF-8")])).ascii);
        assert!(!UiOptions::from_vars(false, vars(&[("LANG", "zh_CN.utf8")])).ascii);
        assert!(UiOptions::from_vars(false, vars(&[("LANG", "C")])).ascii);
        assert!(
            UiOptions::from_vars(false, vars(&[])).ascii,
            "no locale = C"
        );
        // LC_ALL wins over LANG, LC_CTYPE over LANG; empty values are skipped.
        assert!(
            UiOptions::from_vars(false, vars(&[("LC_ALL", "C"), ("LANG", "en_US.UTF-8")])).ascii
        );
        assert!(
            !UiOptions::from_vars(false, vars(&[("LC_ALL", ""), ("LC_CTYPE", "C.UTF-8")])).ascii
        );
        assert!(UiOptions::from_vars(true, vars(&[("LANG", "en_US.UTF-8")])).ascii);
    }

    #[test]
    fn no_color_needs_a_non_empty_value() {
        let utf8 = ("LANG", "C.UTF-8");
        assert!(UiOptions::from_vars(false, vars(&[utf8, ("NO_COLOR", "1")])).no_color);
        assert!(!UiOptions::from_vars(false, vars(&[utf8, ("NO_COLOR", "")])).no_color);
        assert!(!UiOptions::from_vars(false, vars(&[utf8])).no_color);
    }
}
