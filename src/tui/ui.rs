//! `draw(frame, &App)`: the whole screen as a pure function of the state.
//!
//! ```text
//! row 0       header: the seven stages, done / current / not yet
//! rows 1..h-2 the current stage's screen
//! row h-2     status: the last message, or the running job's progress
//! row h-1     footer: this screen's keys; help and quit at the right
//! ```

use super::app::{App, Overlay, Stage};
use super::screens;
use super::widgets::{self, KeyHint};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout};

pub fn draw(frame: &mut Frame, app: &App) {
    if app.too_small()
        || frame.area().width < super::app::MIN_WIDTH
        || frame.area().height < super::app::MIN_HEIGHT
    {
        widgets::too_small::draw(frame, app);
        if let Some(Overlay::ConfirmQuit) = &app.overlay {
            widgets::dialog::draw_confirm_quit(frame, frame.area(), app);
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
    widgets::header::draw(frame, header, app);
    let keys: Vec<KeyHint> = match app.stage {
        Stage::Load => {
            screens::load::draw(frame, body, app);
            screens::load::footer_keys(app)
        }
        Stage::Map => {
            screens::map::draw(frame, body, app);
            screens::map::footer_keys(app)
        }
        Stage::Clean => {
            screens::clean::draw(frame, body, app);
            screens::clean::footer_keys(app)
        }
        Stage::Features => {
            screens::features::draw(frame, body, app);
            screens::features::footer_keys(app)
        }
        Stage::Cluster => {
            screens::cluster::draw(frame, body, app);
            screens::cluster::footer_keys(app)
        }
        Stage::Inspect => {
            screens::inspect::draw(frame, body, app);
            screens::inspect::footer_keys(app)
        }
        Stage::Export => {
            screens::export::draw(frame, body, app);
            screens::export::footer_keys(app)
        }
    };
    widgets::footer::draw_status(frame, status, app);
    widgets::footer::draw(frame, footer, app, &keys);
    match &app.overlay {
        Some(Overlay::Help { scroll }) => widgets::help::draw(frame, body, app, *scroll),
        Some(Overlay::Error(report)) => widgets::dialog::draw_error(frame, body, app, report),
        Some(Overlay::ConfirmQuit) => widgets::dialog::draw_confirm_quit(frame, body, app),
        Some(Overlay::Input(b)) => widgets::dialog::draw_input(frame, body, app, b),
        Some(Overlay::Confirm(q)) => widgets::dialog::draw_question(frame, body, app, q),
        // Drawn by the Map screen, over its table.
        Some(Overlay::RolePicker(_)) | None => {}
    }
}
