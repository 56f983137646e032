//! Export: results CSV, summary CSV, Markdown report, PNG charts, the model
//! and the RunConfig (and, when asked, scoring SQL and PMML), written into one output folder as one set
//! ([`outset`]: staged, moved into place, `manifest.json` last).

pub mod analysis_md;
pub mod charts;
pub mod fonts;
pub mod formats;
pub mod outset;
pub mod pca;
pub mod report;
pub mod results_parquet;
pub mod results_xlsx;
pub mod scoring;
pub mod tables;
pub mod trust_md;
pub mod write;

use crate::config::RunConfig;
use crate::error::Result;
use crate::pipeline::model::Model;
use crate::pipeline::profile::names;
use crate::pipeline::progress::Progress;
use crate::pipeline::run::RunOutput;
use charts::{ChartInput, SegmentInfo, SweepPoint};
use formats::ResultFormat;
use outset::OutputSet;
use std::path::{Path, PathBuf};

pub const MODEL_JSON: &str = "model.json";
pub const RUN_TOML: &str = "run.toml";

/// The chart inputs of a run: the money feature is Balance (else Monetary),
/// the scatter is money × Frequency.
pub fn chart_input<'a>(run: &'a RunOutput) -> ChartInput<'a> {
    let f = &run.features;
    let chosen = run.chosen();
    let find = |name: &str| f.names.iter().position(|n| n == name);
    let money = find(names::BALANCE).or_else(|| find(names::MONETARY));
    let money_feature = money.map(|j| (f.names[j].clone(), f.original_column(j)));
    let scatter = match (money, find(names::FREQUENCY)) {
        (Some(x), Some(y)) => Some((
            (f.names[x].clone(), f.original_column(x)),
            (f.names[y].clone(), f.original_column(y)),
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
        scaled: f.view(),
        labels: &chosen.fit.labels,
        money_feature,
        scatter,
        stability: stability_of_segments(run),
    }
}

/// Each segment's stability, in the order of the profiles (empty when not
/// measured).
fn stability_of_segments(run: &RunOutput) -> Vec<f64> {
    let Some(trust) = &run.profiles.trust else {
        return Vec::new();
    };
    run.profiles
        .segments
        .iter()
        .map(|s| trust.stability_of(s.id as usize).map(|x| x.jaccard))
        .collect::<Option<Vec<f64>>>()
        .unwrap_or_default()
}

/// The parts of an export (the charts are one part of several files).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Output {
    Results,
    Summary,
    Charts,
    Report,
    Model,
    RunConfig,
}

impl Output {
    /// Every part, in the order they are written.
    pub const ALL: [Output; 6] = [
        Output::Results,
        Output::Summary,
        Output::Charts,
        Output::Report,
        Output::Model,
        Output::RunConfig,
    ];

    /// The file name, or a pattern for the charts.
    pub fn file_name(self) -> &'static str {
        match self {
            Output::Results => tables::RESULTS_CSV,
            Output::Summary => tables::SUMMARY_CSV,
            Output::Charts => "charts (*.png)",
            Output::Report => report::REPORT_MD,
            Output::Model => MODEL_JSON,
            Output::RunConfig => RUN_TOML,
        }
    }
}

/// The RunConfig as saved with the outputs: the input made absolute and
/// its SHA-256 recorded, so `--config run.toml` replays from any folder and
/// says when the input changed since.
pub fn config_to_save(cfg: &RunConfig) -> Result<RunConfig> {
    let mut saved = cfg.clone();
    if let Some(input) = &cfg.input {
        let abs = std::fs::canonicalize(input)
            .map_err(|e| crate::error::Error::io_path("reading", input, e))?;
        saved.input_sha256 = Some(write::file_digest(&abs)?.0);
        saved.input = Some(abs);
    }
    Ok(saved)
}

/// Writes every output of `run` into `dir` as one set (see [`outset`]);
/// a folder that is not empty is refused unless `force`.
pub fn write_all(
    run: &RunOutput,
    cfg: &RunConfig,
    dir: &Path,
    force: bool,
    progress: &dyn Progress,
) -> Result<Vec<PathBuf>> {
    write_outputs(run, cfg, dir, force, &Output::ALL, progress)
}

/// Stages the per-customer results in each chosen format.
fn write_results(
    set: &mut OutputSet,
    run: &RunOutput,
    cfg: &RunConfig,
    formats: &[ResultFormat],
    progress: &dyn Progress,
) -> Result<()> {
    let ids = tables::CustomerIds::of(&run.cleaned.table, run.customer_mapping());
    let input = tables::ResultsInput {
        ids: &ids,
        actions: cfg.export.results_actions,
        bom: cfg.export.csv_bom,
        labels: &run.chosen().fit.labels,
        profiles: &run.profiles,
        feature_names: &run.features.names,
        original: run.features.original.iter().map(|c| &**c).collect(),
    };
    for f in formats {
        progress.report(0.05, &format!("writing {}", f.file_name()));
        match f {
            ResultFormat::Csv => tables::write_results(set, &input)?,
            ResultFormat::Parquet => results_parquet::write_results_parquet(set, &input)?,
            ResultFormat::Xlsx => {
                results_xlsx::write_results_xlsx(set, &input, &run.sweep, run.chosen().k)?
            }
        }
    }
    Ok(())
}

/// Writes the chosen parts of `run` into `dir` as one set: staged, then
/// moved into place with `manifest.json` last; custseg's earlier outputs
/// that the set does not contain are removed. The one writer of both faces.
pub fn write_outputs(
    run: &RunOutput,
    cfg: &RunConfig,
    dir: &Path,
    force: bool,
    parts: &[Output],
    progress: &dyn Progress,
) -> Result<Vec<PathBuf>> {
    let want = |p: Output| parts.contains(&p);
    let formats = cfg.export.result_formats();
    if want(Output::Results) && formats.contains(&ResultFormat::Xlsx) {
        // Refused before the folder is touched.
        results_xlsx::check_fits(run.cleaned.table.n_rows)?;
    }
    let mut set = OutputSet::begin(dir, force, progress)?;
    // The charts and the input's digest (for run.toml) need nothing the
    // tables write: they are made while the results file is written, which
    // at a million customers is most of the export. The charts are
    // announced before they start, so the bar never steps back when the
    // tables report after them.
    let stage = set.stage_dir().to_path_buf();
    if want(Output::Charts) {
        progress.report(0.05, "drawing charts");
    }
    let (beside, tables) = rayon::join(
        || {
            let saved = config_to_save(cfg);
            let charts =
                want(Output::Charts).then(|| charts::write_charts(&stage, &chart_input(run)));
            (saved, charts)
        },
        || -> Result<()> {
            if want(Output::Results) {
                write_results(&mut set, run, cfg, &formats, progress)?;
            }
            if want(Output::Summary) {
                progress.report(0.25, "writing cluster_summary.csv");
                tables::write_summary(&mut set, &run.profiles, cfg.export.csv_bom)?;
            }
            Ok(())
        },
    );
    tables?;
    let (saved, charts) = beside;
    let cfg = &saved?;
    let mut chart_names = Vec::new();
    if let Some(charts) = charts {
        chart_names = charts
            .map_err(|e| set.not_replaced(e))?
            .iter()
            .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .collect();
        set.add_staged(&chart_names)?;
    }
    if want(Output::Report) {
        progress.report(0.8, "writing the report");
        set.write_bytes(
            report::REPORT_MD,
            report::render(run, cfg, &chart_names).as_bytes(),
        )?;
    }
    if want(Output::Model) {
        progress.report(0.9, "writing the model");
        set.write_bytes(MODEL_JSON, Model::from_run(run, cfg)?.to_json()?.as_bytes())?;
        // The segment rules as SQL travel with the model they explain.
        if let Some(rules) = run.profiles.trust.as_ref().and_then(|t| t.rules.as_ref()) {
            let mut labels = vec![String::new(); rules.segments.len()];
            for s in &run.profiles.segments {
                if let Some(l) = labels.get_mut(s.id as usize) {
                    l.clone_from(&s.label);
                }
            }
            let sql = crate::pipeline::rules::sql::rules_sql(rules, &run.features, &labels);
            set.write_bytes(crate::pipeline::rules::sql::RULES_SQL, sql.as_bytes())?;
        }
    }
    if want(Output::RunConfig) {
        progress.report(0.95, "writing run.toml");
        // Each label edit saved with the identity of the segment it applies
        // to, so a replay on next month's data still finds that segment.
        let mut saved = cfg.clone();
        let chosen = run.chosen();
        saved.labels.overrides = crate::pipeline::labels::identity::rekeyed(
            &cfg.labels.overrides,
            &run.features.params.features,
            &chosen.fit.centres,
            chosen.k,
        );
        set.write_bytes(RUN_TOML, saved.to_toml_string()?.as_bytes())?;
    }
    // Scoring SQL and PMML, when the run's export options ask for them.
    scoring::write_scoring(&mut set, run, cfg, want(Output::Model), progress)?;
    let written = set.commit()?;
    progress.report(1.0, "done");
    Ok(written)
}
