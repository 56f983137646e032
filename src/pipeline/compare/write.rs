//! A comparison's files, written as one output set (staged, 0600,
//! `manifest.json` last, one set per folder): migration.csv, migration.md,
//! migration.png.

use super::Comparison;
use crate::error::{Error, Result};
use crate::pipeline::export::charts::{MigrationChart, write_migration_png};
use crate::pipeline::export::outset::OutputSet;
use crate::pipeline::export::write::neutralise_cell;
use crate::pipeline::progress::Progress;
use std::path::{Path, PathBuf};

pub const MIGRATION_CSV: &str = "migration.csv";
pub const MIGRATION_MD: &str = "migration.md";
pub use crate::pipeline::export::charts::MIGRATION_PNG;

/// The names a comparison writes (besides the manifest).
pub fn output_names() -> [&'static str; 3] {
    [MIGRATION_CSV, MIGRATION_MD, MIGRATION_PNG]
}

/// Writes the comparison into `dir`; returns the files written.
pub fn write_comparison(
    dir: &Path,
    force: bool,
    c: &Comparison,
    progress: &dyn Progress,
) -> Result<Vec<PathBuf>> {
    let mut out = OutputSet::begin(dir, force, progress)?;
    out.write_with(MIGRATION_CSV, |w| write_csv(w, c))?;
    out.write_bytes(MIGRATION_MD, super::report::migration_md(c).as_bytes())?;
    write_migration_png(out.stage_dir(), &chart(c)).map_err(|e| out.not_replaced(e))?;
    out.add_staged(&[MIGRATION_PNG.to_string()])?;
    out.commit()
}

/// One row per customer: OLD's customers in OLD's order, then those who
/// entered in NEW's order. `from`/`to` are each run's own segment numbers;
/// `status` says whether the customer stayed in the same segment (by
/// identity), moved, left or entered.
fn write_csv(w: &mut dyn std::io::Write, c: &Comparison) -> Result<()> {
    let io = |e: csv::Error| {
        Error::io(
            format!("writing {MIGRATION_CSV}"),
            std::io::Error::other(e.to_string()),
        )
    };
    let mut csv = csv::Writer::from_writer(w);
    csv.write_record([
        "customer_id",
        "from",
        "to",
        "from_label",
        "to_label",
        "status",
    ])
    .map_err(io)?;
    let seg = |model: &crate::pipeline::model::Model, s: u32| {
        (
            s.to_string(),
            neutralise_cell(&model.segments[s as usize].label).into_owned(),
        )
    };
    let none = || (String::new(), String::new());
    for (i, id) in c.old.ids.iter().enumerate() {
        let from = c.old.segments[i];
        let (to, status) = match c.new_row_of_old[i] {
            Some(r) => {
                let to = c.new.segments[r];
                let same = c.old_identity[from as usize] == c.new_identity[to as usize];
                (seg(&c.new.model, to), if same { "stayed" } else { "moved" })
            }
            None => (none(), "left"),
        };
        let from = seg(&c.old.model, from);
        csv.write_record([
            neutralise_cell(id).as_ref(),
            &from.0,
            &to.0,
            &from.1,
            &to.1,
            status,
        ])
        .map_err(io)?;
    }
    for &r in &c.entered_rows {
        let to = seg(&c.new.model, c.new.segments[r]);
        csv.write_record([
            neutralise_cell(&c.new.ids[r]).as_ref(),
            "",
            &to.0,
            "",
            &to.1,
            "entered",
        ])
        .map_err(io)?;
    }
    csv.flush()
        .map_err(|e| Error::io(format!("writing {MIGRATION_CSV}"), e))
}

fn chart(c: &Comparison) -> MigrationChart {
    let k_old = c.old.model.k as u32;
    let mut extra = 0;
    let segments = c
        .identities
        .iter()
        .map(|id| {
            // Colour follows identity: OLD's number, then fresh ones.
            let colour = match &id.old {
                Some((n, _)) => *n,
                None => {
                    extra += 1;
                    k_old + extra - 1
                }
            };
            (id.name(), colour)
        })
        .collect();
    MigrationChart {
        subtitle: format!(
            "{} → {}: share of each earlier segment's customers (count below); {} moved, {} left, {} entered",
            c.old.shown,
            c.new.shown,
            c.moved,
            c.left_total(),
            c.entered_total()
        ),
        segments,
        counts: c.counts.clone(),
        left: c.left.clone(),
        entered: c.entered.clone(),
    }
}
