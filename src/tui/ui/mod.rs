//! `draw(frame, &App)`: the whole screen as a pure function of the state:
//! the App's chrome (header, status, footer, help, dialogs) here, the
//! stage's body by its screen (`Screen::draw`).
//!
//! ```text
//! row 0       header: the seven stages, done / current / not yet
//! rows 1..h-2 the current stage's screen
//! row h-2     status: the last message, or the running job's progress
//! row h-1     footer: this screen's keys; help and quit at the right
//! ```

pub mod dialog;
pub mod footer;
pub mod header;
pub mod help;
pub mod too_small;

use super::app::{App, MIN_HEIGHT, MIN_WIDTH};
use super::overlay::Overlay;
use super::widgets::KeyHint;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout};

pub fn draw(frame: &mut Frame, app: &App) {
    if app.too_small() || frame.area().width < MIN_WIDTH || frame.area().height < MIN_HEIGHT {
        too_small::draw(frame, app);
        if let Some(Overlay::ConfirmQuit) = &app.overlay {
            dialog::draw_confirm_quit(frame, frame.area(), app);
        }
        return;
    }
    let [header, body, status, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(frame.area());
    header::draw(frame, header, app);
    let screen = app.screen(app.stage);
    let view = app.draw_ctx();
    screen.draw(frame, body, &view);
    let keys: Vec<KeyHint> = screen.footer_keys(&view);
    footer::draw_status(frame, status, app);
    footer::draw(frame, footer, app, &keys);
    match &app.overlay {
        Some(Overlay::Help { scroll }) => help::draw(frame, body, app, *scroll),
        Some(Overlay::Error(report)) => dialog::draw_error(frame, body, app, report),
        Some(Overlay::ConfirmQuit) => dialog::draw_confirm_quit(frame, body, app),
        Some(Overlay::Input(b)) => dialog::draw_input(frame, body, app, b),
        Some(Overlay::Confirm(q)) => dialog::draw_question(frame, body, app, q),
        // Drawn by the Map screen, over its table.
        Some(Overlay::RolePicker(_)) | None => {}
    }
}
