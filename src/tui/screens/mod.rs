//! One module per pipeline stage. Each has its state struct (a field of
//! `App`), `update(app, action)`, `draw(frame, area, app)`, `footer_keys(app)`
//! and `HELP`; the later ones also `can_enter(app)` (what they need, said in
//! the status line when missing) and `enter(app)` (start the work they need).

pub mod clean;
pub mod cluster;
pub mod export;
pub mod features;
pub mod inspect;
pub mod load;
pub mod map;
