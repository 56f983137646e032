//! `custseg compare OLD NEW --out DIR`: reads two runs, compares them
//! ([`crate::pipeline::compare`]), writes migration.csv, migration.md and
//! migration.png as one output set and says what it found (text or `--json`).

use crate::error::{Error, Result};
use crate::escape;
use crate::pipeline::compare::{Comparison, compare, flows, psi_band, read_pair, write_comparison};
use crate::pipeline::export::tables::rounded;
use crate::pipeline::progress::NoProgress;
use clap::Args;
use serde_json::json;
use std::path::{Path, PathBuf};

#[derive(Debug, Args)]
pub struct CompareArgs {
    /// The earlier run: its output folder (segmentation_results.csv and
    /// model.json), or a file written by `custseg score`.
    pub old: PathBuf,
    /// The later run: an output folder (a refit), or a file `custseg score`
    /// wrote with the earlier run's model (next month's customers).
    pub new: PathBuf,
    /// Folder for migration.csv, migration.md and migration.png.
    #[arg(long)]
    pub out: PathBuf,
    /// Replace the contents of an existing non-empty output folder.
    #[arg(long)]
    pub force: bool,
    /// Print one JSON object on stdout instead of the text summary.
    #[arg(long)]
    pub json: bool,
}

pub fn run_compare(args: &CompareArgs) -> Result<()> {
    for input in [&args.old, &args.new] {
        if same_place(input, &args.out) {
            return Err(Error::usage(format!(
                "--out {}: is the folder of a run being compared; write the comparison elsewhere",
                crate::artefact::shown(&args.out)
            )));
        }
    }
    crate::pipeline::export::outset::check_target(&args.out, args.force)?;
    let (old, new) = read_pair(&args.old, &args.new)?;
    let c = compare(old, new)?;
    let written = write_comparison(&args.out, args.force, &c, &NoProgress)?;
    if args.json {
        println!("{}", escape::json(&to_json(&c, &written).to_string()));
    } else {
        print!("{}", summary(&c, &written));
    }
    Ok(())
}

fn same_place(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

fn summary(c: &Comparison, written: &[PathBuf]) -> String {
    use std::fmt::Write as _;
    let t = |s: &str| escape::terminal(s).into_owned();
    let both = c.moved + c.stayed;
    let mut s = format!(
        "compared {} ({} customers) with {} ({} customers), matched by '{}'\n",
        t(&c.old.shown),
        c.old.len(),
        t(&c.new.shown),
        c.new.len(),
        t(&c.old.id_column)
    );
    let share = |a: usize| {
        if both == 0 {
            "–".to_string()
        } else {
            format!("{:.1}%", 100.0 * a as f64 / both as f64)
        }
    };
    let _ = writeln!(
        s,
        "  moved: {} ({}), stayed: {}, left: {}, entered: {}",
        c.moved,
        share(c.moved),
        c.stayed,
        c.left_total(),
        c.entered_total()
    );
    if both == 0 {
        let _ = writeln!(
            s,
            "  warning: no customer is in both runs; check that both use the same customer ids"
        );
    }
    match c.psi {
        Some(p) => {
            let _ = writeln!(s, "  segment sizes: PSI {} ({})", rounded(p), psi_band(p));
        }
        None => s.push_str("  segment sizes: PSI not defined (a run has no customers)\n"),
    }
    if !c.same_model {
        for id in &c.identities {
            match (&id.old, &id.new) {
                (Some(_), None) => {
                    let _ = writeln!(s, "  vanished: {}", t(&id.name()));
                }
                (None, Some(_)) => {
                    let _ = writeln!(s, "  new segment: {}", t(&id.name()));
                }
                _ => {}
            }
        }
    }
    for f in flows(c).iter().take(5) {
        let _ = writeln!(
            s,
            "  {} -> {}: {} ({}): {}",
            t(&c.identities[f.from].name()),
            t(&c.identities[f.to].name()),
            f.count,
            f.kind.meaning(),
            f.kind.action()
        );
    }
    for p in written {
        let _ = writeln!(s, "written: {}", t(&p.display().to_string()));
    }
    s
}

fn to_json(c: &Comparison, written: &[PathBuf]) -> serde_json::Value {
    let segments: Vec<serde_json::Value> = c
        .identities
        .iter()
        .enumerate()
        .map(|(i, id)| {
            json!({
                "name": id.name(),
                "old": id.old.as_ref().map(|(n, l)| json!({"segment": n, "label": l})),
                "new": id.new.as_ref().map(|(n, l)| json!({"segment": n, "label": l})),
                "status": match (&id.old, &id.new) {
                    (Some(_), Some(_)) => "matched",
                    (Some(_), None) => "vanished",
                    _ => "new",
                },
                "distance": id.distance,
                "old_size": c.old_sizes[i],
                "new_size": c.new_sizes[i],
            })
        })
        .collect();
    let shares: Vec<Vec<f64>> = c
        .counts
        .iter()
        .zip(&c.old_sizes)
        .map(|(row, &n)| {
            row.iter()
                .map(|&x| if n == 0 { 0.0 } else { x as f64 / n as f64 })
                .collect()
        })
        .collect();
    let flows: Vec<serde_json::Value> = flows(c)
        .iter()
        .map(|f| {
            json!({"from": f.from, "to": f.to, "customers": f.count, "share": f.share,
                   "kind": f.kind, "meaning": f.kind.meaning(), "action": f.kind.action()})
        })
        .collect();
    let drift: Vec<serde_json::Value> = c
        .drift
        .iter()
        .map(|d| {
            json!({"segment": d.identity, "features": d.features.iter().map(|f| json!({
                "feature": f.feature, "old_mean": f.old_mean, "new_mean": f.new_mean, "change_sd": f.effect
            })).collect::<Vec<_>>()})
        })
        .collect();
    json!({
        "old": c.old.shown, "new": c.new.shown, "id_column": c.old.id_column,
        "customers": {"old": c.old.len(), "new": c.new.len(), "in_both": c.moved + c.stayed},
        "moved": c.moved, "stayed": c.stayed,
        "left": c.left_total(), "entered": c.entered_total(),
        "same_model": c.same_model,
        "matched_on": c.matched_on,
        "segments": segments,
        "matrix": {"counts": c.counts, "shares": shares, "left": c.left, "entered": c.entered},
        "psi": c.psi.map(|p| json!({"value": p, "band": psi_band(p)})),
        "flows": flows,
        "feature_drift": drift,
        "written": written,
    })
}
