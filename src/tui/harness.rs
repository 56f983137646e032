//! Drives an [`App`] without a terminal: key presses through the real
//! keymap, jobs through the real worker (on threads, waited for), frames
//! through the real `draw` into a `TestBackend`. Used by the snapshot tests
//! and by `examples/screenshots.rs`.

use super::action::Action;
use super::app::App;
use super::event::{self, Event};
use super::theme::UiOptions;
use super::ui;
use super::worker::Worker;
use crate::config::RunConfig;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

pub struct Harness {
    pub app: App,
    worker: Worker,
    rx: Receiver<Event>,
    terminal: Terminal<TestBackend>,
    /// Jobs kept back instead of run (see [`Harness::hold_jobs`]).
    pub held: Vec<super::worker::Job>,
    holding: bool,
}

impl Harness {
    /// An app of `width` x `height` cells; jobs queued by `App::new` (a
    /// given input file) are started but not waited for (see [`Harness::settle`]).
    pub fn new(config: RunConfig, ui: UiOptions, width: u16, height: u16) -> Self {
        Self::from_app(App::new(config, ui), width, height)
    }

    pub fn from_app(mut app: App, width: u16, height: u16) -> Self {
        let (tx, rx) = channel();
        app.update(Action::Resize(width, height));
        let terminal =
            Terminal::new(TestBackend::new(width, height)).expect("a test backend never fails");
        let mut h = Harness {
            app,
            worker: Worker::new(move |ev| {
                let _ = tx.send(Event::Worker(ev));
            }),
            rx,
            terminal,
            held: Vec::new(),
            holding: false,
        };
        h.spawn_jobs();
        h
    }

    fn spawn_jobs(&mut self) {
        for job in self.app.take_jobs() {
            if self.holding {
                self.held.push(job);
            } else {
                self.worker.spawn(job);
            }
        }
    }

    /// Keeps jobs queued from now on in `held` instead of running them, so a
    /// test can look at the UI while work is "running" (and feed it progress
    /// with [`Harness::act`]). `false` runs the held jobs and later ones.
    pub fn hold_jobs(&mut self, hold: bool) -> &mut Self {
        self.holding = hold;
        if !hold {
            for job in std::mem::take(&mut self.held) {
                self.worker.spawn(job);
            }
        }
        self
    }

    /// Like [`Harness::new`], with the jobs `App::new` queues held back.
    pub fn new_held(config: RunConfig, ui: UiOptions, width: u16, height: u16) -> Self {
        let mut app = App::new(config, ui);
        let held = app.take_jobs();
        let mut h = Self::from_app(app, width, height);
        h.held = held;
        h.holding = true;
        h
    }

    /// Applies an action, then starts any job it queued.
    pub fn act(&mut self, action: Action) -> &mut Self {
        self.app.update(action);
        self.spawn_jobs();
        self
    }

    /// A key press, through the keymap as the terminal would deliver it.
    pub fn key_event(&mut self, key: KeyEvent) -> &mut Self {
        if let Some(action) = event::to_action(Event::Key(key), &self.app) {
            self.act(action);
        }
        self
    }

    pub fn key(&mut self, code: KeyCode) -> &mut Self {
        self.key_event(KeyEvent::new(code, KeyModifiers::NONE))
    }

    pub fn ctrl(&mut self, c: char) -> &mut Self {
        self.key_event(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
    }

    /// Types `s` one key press per character.
    pub fn type_str(&mut self, s: &str) -> &mut Self {
        for c in s.chars() {
            self.key(KeyCode::Char(c));
        }
        self
    }

    /// Changes the terminal size (as a resize event would).
    pub fn resize(&mut self, width: u16, height: u16) -> &mut Self {
        self.terminal.backend_mut().resize(width, height);
        self.act(Action::Resize(width, height))
    }

    /// Feeds worker events to the app until no job is running.
    /// Panics after `timeout` (a test must not hang).
    pub fn settle_within(&mut self, timeout: Duration) -> &mut Self {
        let deadline = Instant::now() + timeout;
        while !self.app.jobs.is_empty() {
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(
                !left.is_zero(),
                "jobs still running after {timeout:?}: {:?}",
                self.app.jobs
            );
            if let Ok(ev) = self.rx.recv_timeout(left)
                && let Some(action) = event::to_action(ev, &self.app)
            {
                self.act(action);
            }
        }
        self
    }

    pub fn settle(&mut self) -> &mut Self {
        self.settle_within(Duration::from_secs(30))
    }

    /// Draws a frame and returns it: the whole frame as drawn, not the
    /// backend's copy (which keeps cells that a wide character covered in
    /// an earlier frame; a real terminal clears those).
    pub fn buffer(&mut self) -> Buffer {
        let app = &self.app;
        let frame = self
            .terminal
            .draw(|f| ui::draw(f, app))
            .expect("a test backend never fails");
        frame.buffer.clone()
    }

    /// Draws a frame and returns it as text, one line per row, trailing
    /// spaces removed (wide characters count once).
    pub fn text(&mut self) -> String {
        buffer_text(&self.buffer())
    }
}

/// A buffer as text: the symbols of each row, skipping the cells hidden
/// behind wide characters; trailing spaces removed.
pub fn buffer_text(buf: &Buffer) -> String {
    let mut out = String::new();
    for y in 0..buf.area.height {
        let mut line = String::new();
        let mut skip = 0;
        for x in 0..buf.area.width {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            let sym = buf[(x, y)].symbol();
            line.push_str(sym);
            skip = super::text::width(sym).saturating_sub(1);
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}
