//! F2 on Load: the bundled sample, for a first start with no file (an
//! installed binary has no `samples/` folder beside it). The library
//! places a copy on disk (`sample::bundled`, never over a user's file);
//! this screen loads it and says where it went, so Export and `run.toml`
//! name a real file. Also the words of the empty Load screen: what the
//! loader reads (its own extension lists) and how to make a bigger sample.

use super::{Ctx, LoadScreen};
use crate::pipeline::load::{
    COMPRESSED_EXTENSIONS, TEXT_EXTENSIONS, WORKBOOK_EXTENSIONS, columnar,
};
use crate::sample::bundled::{BUNDLED_CUSTOMERS, PlacedSample, Placement, place_bundled};
use crate::tui::overlay::StatusKind;
use crate::tui::text;
use std::path::{Path, PathBuf};

/// Where F2 writes the sample: `here` (the folder custseg runs in), else a
/// new private folder under `temp` (the system's temporary directory).
/// Tests point both at folders of their own.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SampleDirs {
    pub here: PathBuf,
    pub temp: PathBuf,
}

impl Default for SampleDirs {
    fn default() -> Self {
        SampleDirs {
            // Absolute, so the path shown (and saved) names the file from anywhere.
            here: std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")),
            temp: std::env::temp_dir(),
        }
    }
}

/// The message that replaces "Loaded ..." once the sample is loaded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BundledNote {
    pub path: PathBuf,
    pub text: String,
}

impl LoadScreen {
    /// F2: places the sample (see [`place_bundled`]), fills in its path and
    /// loads it; the note saying where it went shows once it is loaded.
    pub(super) fn load_bundled_sample(&mut self, cx: &mut Ctx) {
        match place_bundled(&self.sample_dirs.here, &self.sample_dirs.temp) {
            Ok(placed) => {
                self.path.set(&placed.path.display().to_string());
                self.after_path_change(cx);
                self.bundled_note = Some(BundledNote {
                    text: placement_words(&placed),
                    path: placed.path,
                });
                self.start_load(cx);
            }
            Err(e) => {
                let msg = crate::tui::remedy::error_text(&e);
                cx.set_status(
                    StatusKind::Error,
                    format!("Could not write the bundled sample: {msg}"),
                );
                cx.show_error(
                    "Could not write the bundled sample",
                    msg,
                    format!(
                        "Type the path of a file of yours, or make a sample where you can write: {}",
                        bigger_sample_command()
                    ),
                );
            }
        }
    }

    /// The note for a finished load of `path`, if F2 placed it there.
    pub(super) fn take_bundled_note(&mut self, path: &Path) -> Option<String> {
        if self.bundled_note.as_ref().is_some_and(|n| n.path == path) {
            self.bundled_note.take().map(|n| n.text)
        } else {
            None
        }
    }
}

/// Where the sample went, most important first (the status line is one
/// line and cut at the terminal's width).
fn placement_words(placed: &PlacedSample) -> String {
    let path = crate::artefact::shown(&placed.path);
    match &placed.how {
        Placement::Written => format!("Bundled sample written to {path} and loaded."),
        Placement::AlreadyThere => {
            format!("{path} is the bundled sample already: loaded it as it is.")
        }
        Placement::NameTaken { taken } => format!(
            "{} is another file, left as it is: bundled sample written to {path} and loaded.",
            crate::artefact::shown(taken)
        ),
        Placement::Elsewhere { reason, .. } => format!(
            "Cannot write in this folder ({reason}): bundled sample written to {path} and loaded."
        ),
    }
}

/// The command that writes a larger sample.
fn bigger_sample_command() -> &'static str {
    "custseg sample --rows 100000 --out customers.csv"
}

/// The lines of the empty Preview pane, each with whether it stands out:
/// what to do, the sample key, a bigger sample, what is read (from the
/// loader's own lists).
pub fn empty_start_lines() -> Vec<(String, bool)> {
    vec![
        ("No file loaded yet.".to_string(), false),
        (
            "Type a path above, or pick a file in Files, and press Enter.".to_string(),
            false,
        ),
        (
            format!(
                "F2 writes the bundled sample ({} customers) to this folder and loads it.",
                text::thousands(BUNDLED_CUSTOMERS)
            ),
            true,
        ),
        (format!("A bigger one: {}", bigger_sample_command()), false),
        (readable_formats(), false),
    ]
}

/// "Reads .csv .tsv ... (also .gz ...), .xlsx ..., .parquet ...".
fn readable_formats() -> String {
    let dotted = |exts: &[&str]| {
        exts.iter()
            .map(|e| format!(".{e}"))
            .collect::<Vec<_>>()
            .join(" ")
    };
    format!(
        "Reads {} (also {}), {}, {}.",
        dotted(TEXT_EXTENSIONS),
        dotted(COMPRESSED_EXTENSIONS),
        dotted(WORKBOOK_EXTENSIONS),
        dotted(&columnar::EXTENSIONS)
    )
}
