//! One channel into the UI thread: key presses and resizes from an input
//! thread, progress and results from worker threads.

use super::action::Action;
use super::app::App;
use super::keymap;
use super::worker::WorkerEvent;
use ratatui::crossterm::event::{self as ct, KeyEvent};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::thread::JoinHandle;
use std::time::Duration;

// Carries a worker result once per job; boxing it would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum Event {
    Key(KeyEvent),
    Paste(String),
    Resize(u16, u16),
    Worker(WorkerEvent),
}

/// What an event means to the app now (keys depend on the screen and focus).
pub fn to_action(event: Event, app: &App) -> Option<Action> {
    match event {
        Event::Key(key) => keymap::map_key(app.key_context(), key),
        Event::Paste(text) => app.key_context().text_input.then_some(Action::Paste(text)),
        Event::Resize(w, h) => Some(Action::Resize(w, h)),
        Event::Worker(ev) => Some(Action::Worker(ev)),
    }
}

pub struct EventLoop {
    tx: Sender<Event>,
    rx: Receiver<Event>,
    stop: Arc<AtomicBool>,
    input: Option<JoinHandle<()>>,
}

impl EventLoop {
    /// Starts the input thread, which polls the terminal (so it notices `stop`).
    pub fn start() -> Self {
        let (tx, rx) = channel();
        let stop = Arc::new(AtomicBool::new(false));
        let input = {
            let tx = tx.clone();
            let stop = stop.clone();
            std::thread::Builder::new()
                .name("custseg-input".into())
                .spawn(move || {
                    while !stop.load(Ordering::Relaxed) {
                        match ct::poll(Duration::from_millis(100)) {
                            Ok(false) => continue,
                            Ok(true) => {}
                            Err(_) => break,
                        }
                        let event = match ct::read() {
                            Ok(ct::Event::Key(k)) => Event::Key(k),
                            Ok(ct::Event::Paste(s)) => Event::Paste(s),
                            Ok(ct::Event::Resize(w, h)) => Event::Resize(w, h),
                            Ok(_) => continue,
                            Err(_) => break,
                        };
                        if tx.send(event).is_err() {
                            break;
                        }
                    }
                })
                .ok()
        };
        EventLoop {
            tx,
            rx,
            stop,
            input,
        }
    }

    /// A sender for workers.
    pub fn sender(&self) -> Sender<Event> {
        self.tx.clone()
    }

    /// The next event, or `None` after `timeout` without one.
    pub fn next(&self, timeout: Duration) -> Option<Event> {
        self.rx.recv_timeout(timeout).ok()
    }

    /// Everything already waiting, without blocking.
    pub fn drain(&self) -> impl Iterator<Item = Event> + '_ {
        self.rx.try_iter()
    }

    /// Stops the input thread and waits for it (at most one poll interval).
    pub fn stop(mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(h) = self.input.take() {
            let _ = h.join();
        }
    }
}
