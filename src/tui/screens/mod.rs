//! One module per pipeline stage. Each has its state struct (a field of
//! `App`), `update(app, action)`, `draw(frame, area, app)`, `footer_keys(app)`
//! and `HELP`. Stages without a screen in this build (Clean .. Export) have
//! no module: the header shows them as "not yet" and Enter on the last
//! available stage says so.

pub mod load;
pub mod map;
