//! Entering and leaving the full-screen terminal mode. The terminal is given
//! back on every exit path: normal return, error (`Drop`), and panics (a hook
//! that restores first, then chains to the hook that was there before, so
//! `color_eyre`'s report prints on a sane terminal).

use super::app::App;
use super::worker::WORKER_THREAD_NAME;
use crate::error::{Error, Result};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::{
    cursor, event,
    terminal::{self, EnterAlternateScreen, LeaveAlternateScreen},
};
use std::io::{Stdout, Write};
use std::sync::Once;
use std::sync::atomic::{AtomicBool, Ordering};

/// Whether we changed the terminal and have not given it back yet.
static ACTIVE: AtomicBool = AtomicBool::new(false);
static HOOK: Once = Once::new();

fn io_err(what: &str, e: std::io::Error) -> Error {
    Error::io(format!("terminal: {what}"), e)
}

/// Puts the terminal back: leave the alternate screen, show the cursor,
/// cooked mode. Safe to call more than once and from the panic hook.
pub fn restore() {
    if ACTIVE.swap(false, Ordering::SeqCst) {
        let mut out = std::io::stdout();
        let _ = ratatui::crossterm::execute!(
            out,
            event::DisableBracketedPaste,
            LeaveAlternateScreen,
            cursor::Show
        );
        let _ = terminal::disable_raw_mode();
        let _ = out.flush();
    }
}

fn install_panic_hook() {
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            // A panic in a worker thread is caught and shown in the UI as an
            // error, so the hook neither restores nor prints.
            if crate::pipeline::load::excel::panic_is_contained()
                || std::thread::current().name() == Some(WORKER_THREAD_NAME)
                    && ACTIVE.load(Ordering::SeqCst)
            {
                // Caught by the worker and reported in the UI; printing here
                // would scribble over the screen.
                return;
            }
            restore();
            previous(info);
        }));
    });
}

/// The terminal in full-screen mode, for as long as this value lives.
///
/// The viewport is a fixed rectangle the size of the screen, rebuilt (after
/// clearing the screen) when the size changes. ratatui's own full-screen
/// resize asks the terminal for the cursor position, which some terminals
/// and old SSH clients never answer; this way nothing is ever asked.
pub struct Session {
    terminal: Terminal<CrosstermBackend<Stdout>>,
    size: (u16, u16),
}

fn fixed_terminal(size: (u16, u16)) -> std::io::Result<Terminal<CrosstermBackend<Stdout>>> {
    Terminal::with_options(
        CrosstermBackend::new(std::io::stdout()),
        ratatui::TerminalOptions {
            viewport: ratatui::Viewport::Fixed(ratatui::layout::Rect::new(0, 0, size.0, size.1)),
        },
    )
}

impl Session {
    pub fn enter() -> Result<Session> {
        install_panic_hook();
        terminal::enable_raw_mode().map_err(|e| io_err("switching to raw mode", e))?;
        ACTIVE.store(true, Ordering::SeqCst);
        let mut out = std::io::stdout();
        let entered = ratatui::crossterm::execute!(
            out,
            EnterAlternateScreen,
            // Mouse off: never ask for mouse reports (copy/paste keeps working).
            event::DisableMouseCapture,
            event::EnableBracketedPaste,
            cursor::Hide
        );
        if let Err(e) = entered {
            restore();
            return Err(io_err("entering the alternate screen", e));
        }
        let opened = Self::size().and_then(|size| {
            let terminal = fixed_terminal(size).map_err(|e| io_err("opening", e))?;
            Ok(Session { terminal, size })
        });
        if opened.is_err() {
            restore();
        }
        opened
    }

    /// The terminal's size now (columns, rows).
    pub fn size() -> Result<(u16, u16)> {
        terminal::size().map_err(|e| io_err("reading the size", e))
    }

    /// Draws a frame; after a size change, clears the screen first and
    /// repaints every cell.
    pub fn draw(&mut self, app: &App) -> Result<()> {
        let size = Self::size()?;
        if size != self.size {
            ratatui::crossterm::execute!(
                std::io::stdout(),
                terminal::Clear(terminal::ClearType::All)
            )
            .map_err(|e| io_err("clearing", e))?;
            self.terminal = fixed_terminal(size).map_err(|e| io_err("resizing", e))?;
            self.size = size;
        }
        self.terminal
            .draw(|frame| super::ui::draw(frame, app))
            .map_err(|e| io_err("drawing", e))?;
        Ok(())
    }

    pub fn leave(self) {
        drop(self);
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        restore();
    }
}
