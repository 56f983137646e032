//! Export: results CSV, summary CSV, Markdown report, PNG charts, the model
//! and the RunConfig, all written safely into one output folder.

pub mod analysis_md;
pub mod charts;
pub mod fonts;
pub mod pca;
pub mod report;
pub mod tables;
pub mod write;

use crate::config::RunConfig;
use crate::error::Result;
use crate::pipeline::model::Model;
use crate::pipeline::profile::names;
use crate::pipeline::progress::Progress;
use crate::pipeline::run::RunOutput;
use charts::{ChartInput, SegmentInfo, SweepPoint};
use std::path::{Path, PathBuf};
use write::OutputDir;

pub const MODEL_JSON: &str = "model.json";
pub const RUN_TOML: &str = "run.toml";

/// Column `j` of a row-major n × d matrix.
fn column(m: &[f64], d: usize, j: usize) -> Vec<f64> {
    m.iter().skip(j).step_by(d).copied().collect()
}

/// The chart inputs of a run: the money feature is Balance (else Monetary),
/// the scatter is money × Frequency.
pub fn chart_input<'a>(run: &'a RunOutput) -> ChartInput<'a> {
    let f = &run.features;
    let chosen = run.chosen();
    let find = |name: &str| f.names.iter().position(|n| n == name);
    let money = find(names::BALANCE).or_else(|| find(names::MONETARY));
    let money_feature = money.map(|j| (f.names[j].clone(), column(&f.original, f.d, j)));
    let scatter = match (money, find(names::FREQUENCY)) {
        (Some(x), Some(y)) => Some((
            (f.names[x].clone(), column(&f.original, f.d, x)),
            (f.names[y].clone(), column(&f.original, f.d, y)),
        )),
        _ => None,
    };
    let centroid_z = run
        .profiles
        .segments
        .iter()
        .map(|s| s.features.iter().map(|x| x.z).collect())
        .collect();
    ChartInput {
        title_suffix: run.table.source.file_name(),
        feature_names: f.names.clone(),
        segments: run
            .profiles
            .segments
            .iter()
            .map(|s| SegmentInfo {
                id: s.id,
                label: s.label.clone(),
                size: s.size,
            })
            .collect(),
        sweep: run
            .sweep
            .results
            .iter()
            .map(|r| SweepPoint {
                k: r.k,
                sse: r.fit.inertia,
                silhouette: r.metrics.silhouette,
            })
            .collect(),
        chosen_k: chosen.k,
        centroid_z,
        scaled: &f.scaled,
        n: f.n,
        d: f.d,
        labels: &chosen.fit.labels,
        money_feature,
        scatter,
    }
}

/// Writes every output of `run` into `dir` (refused if not empty unless `force`).
pub fn write_all(
    run: &RunOutput,
    cfg: &RunConfig,
    dir: &Path,
    force: bool,
    progress: &dyn Progress,
) -> Result<Vec<PathBuf>> {
    let out = OutputDir::prepare(dir, force)?;
    let mut written = Vec::new();
    let mapping = run.customer_mapping();
    let ids = tables::customer_ids(&run.cleaned.table, mapping);
    progress.report(0.05, "writing segmentation_results.csv");
    written.push(tables::write_results(
        &out,
        &tables::ResultsInput {
            ids: &ids,
            labels: &run.chosen().fit.labels,
            profiles: &run.profiles,
            feature_names: &run.features.names,
            original: &run.features.original,
        },
    )?);
    written.push(tables::write_summary(&out, &run.profiles)?);
    progress.report(0.3, "drawing charts");
    let charts = charts::write_charts(out.path(), &chart_input(run))?;
    let chart_names: Vec<String> = charts
        .iter()
        .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .collect();
    written.extend(charts);
    progress.report(0.8, "writing the report and the model");
    written.push(out.write_bytes(
        report::REPORT_MD,
        report::render(run, cfg, &chart_names).as_bytes(),
    )?);
    written.push(out.write_bytes(MODEL_JSON, Model::from_run(run, cfg)?.to_json()?.as_bytes())?);
    written.push(out.write_bytes(RUN_TOML, cfg.to_toml_string()?.as_bytes())?);
    progress.report(1.0, "done");
    Ok(written)
}
