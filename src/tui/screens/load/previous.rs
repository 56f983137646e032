//! Enter on a custseg model.json in the file list: this run follows that
//! previous run (`cluster.previous`, as `--previous`): its segments keep
//! the previous model's numbers, labels, actions and colours. Enter on the
//! same file again stops following it.

use super::Ctx;
use crate::pipeline::continuity::read_previous;
use crate::tui::overlay::StatusKind;
pub use crate::tui::widgets::file_browser::is_model_file;
use std::path::Path;

/// Follows (or stops following) the model at `path`.
pub fn choose(cx: &mut Ctx, path: &Path) {
    let path = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let shown = crate::artefact::shown(&path);
    if cx.config.cluster.previous.as_deref() == Some(path.as_path()) {
        cx.config.cluster.previous = None;
        cx.set_status(
            StatusKind::Info,
            format!("No longer following {shown}: segments get their own numbers and labels."),
        );
        return;
    }
    match read_previous(&path) {
        Ok(model) => {
            cx.config.cluster.previous = Some(path);
            cx.set_status(
                StatusKind::Success,
                format!(
                    "Segments will follow {shown} ({} segments): matched ones keep its numbers, labels, actions and colours (saved in run.toml as cluster.previous). Enter on it again to stop.",
                    model.k
                ),
            );
        }
        Err(e) => cx.set_status(
            StatusKind::Error,
            format!("{e}. Pick the model.json of a custseg output folder."),
        ),
    }
}
