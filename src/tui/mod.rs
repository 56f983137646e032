//! The keyboard-driven terminal UI: an editor of one [`RunConfig`] plus a
//! viewer of each pipeline stage's result.
//!
//! Layout of the module (docs/ARCHITECTURE.md draws it; imports point
//! down only, `bench/refactor/tui_cycle.py` checks):
//!
//! - [`app`]: [`App`] state and `App::update(Action)`, a pure state machine
//!   (no terminal). It owns the config being edited, the stage outputs
//!   ([`data::PipelineData`], holding the pipeline's `Analysis`), the
//!   running jobs, overlay and status, and one state per screen; it
//!   applies the [`effect::Effect`]s screens return.
//! - [`screens`]: one module per stage, each an `impl Screen` over its own
//!   state; they never import the App or each other.
//! - [`jobs`]: what a screen asks to run ([`jobs::Request`]) and how it
//!   runs; [`worker`]: runs one analysis step per job on a thread,
//!   forwarding progress and results; cancel through an `AtomicBool`.
//! - [`keymap`]: `KeyEvent` -> [`Action`], depending on the screen, overlay and
//!   whether a text field has the focus. Only key presses act.
//! - [`event`]: one channel for key presses, resizes and worker reports.
//! - [`ui`]: `draw(frame, &App)`, a pure function of the state (so tests
//!   render into a `TestBackend`), with the App's chrome: header, footer,
//!   status line, help, dialogs, too-small screen.
//! - [`widgets`]: drawing pieces the screens share (panes, lists, charts,
//!   progress bar, file browser); [`overlay`]: what is drawn over a screen.
//! - [`theme`]: 16 ANSI colours or `NO_COLOR`; Unicode or ASCII glyphs.
//! - [`harness`]: drives an `App` without a terminal (tests, screenshots).

pub mod action;
pub mod app;
pub mod data;
pub mod effect;
pub mod event;
pub mod harness;
pub mod help_text;
pub mod jobs;
pub mod keymap;
pub mod navigate;
pub mod overlay;
pub mod remedy;
pub mod screens;
pub mod stage;
pub mod terminal;
pub mod text;
pub mod theme;
pub mod ui;
pub mod widgets;
pub mod worker;

pub use action::{Action, Move};
pub use app::App;
pub use stage::Stage;
pub use theme::{UiOptions, locale_is_utf8};

use crate::config::RunConfig;
use crate::error::{Error, Result};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Where the bundled sample lives, relative to a repository root.
pub const SAMPLE_RELATIVE: &str = "samples/customers_en.csv";

/// The bundled sample, looked up relative to the current directory and then
/// to each folder above the executable (`<repo>/target/release/custseg`).
/// `None` when it is not there (an installed binary): the Load screen then
/// offers the copy built into the binary (F2).
pub fn find_sample() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok();
    find_sample_from(Path::new("."), exe.as_deref())
}

/// [`find_sample`] from the folder `cwd` and the executable `exe`.
pub fn find_sample_from(cwd: &Path, exe: Option<&Path>) -> Option<PathBuf> {
    let here = cwd.join(SAMPLE_RELATIVE);
    if here.is_file() {
        // `samples/customers_en.csv` as before when run from the repository.
        return Some(if cwd == Path::new(".") {
            PathBuf::from(SAMPLE_RELATIVE)
        } else {
            here
        });
    }
    exe?.ancestors()
        .skip(1)
        .map(|dir| dir.join(SAMPLE_RELATIVE))
        .find(|p| p.is_file())
}

/// What a session started without a file shows: the sample found on disk,
/// loaded; else the Load screen's offer of the bundled one.
pub fn start_without_input(app: &mut App, sample: Option<&Path>) {
    match sample {
        Some(sample) => app.offer_sample(sample),
        None => app.no_sample_found(),
    }
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
        start_without_input(&mut app, find_sample().as_deref());
    }

    let mut session = terminal::Session::enter()?;
    let events = event::EventLoop::start();
    let sender = events.sender();
    let worker = worker::Worker::new(move |ev| {
        let _ = sender.send(event::Event::Worker(ev));
    });
    let size = terminal::Session::size()?;
    app.update(Action::Resize(size.0, size.1));

    let result = (|| -> Result<()> {
        loop {
            for job in app.take_jobs() {
                worker.spawn(job);
            }
            session.draw(&app)?;
            if app.should_quit {
                // Ctrl-C: the work is dropped, as on SIGINT (exit 130).
                return if app.interrupted {
                    Err(Error::Cancelled)
                } else {
                    Ok(())
                };
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
