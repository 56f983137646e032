//! The saved model (`model.json`): everything needed to put new customers
//! through the same mapping, cleaning values, transforms, scaling and
//! centres, and to name their segments.

use crate::artefact;
use crate::config::RunConfig;
use crate::error::{Error, Result};
use crate::escape;
use crate::pipeline::aggregate::aggregate_with_plan;
use crate::pipeline::clean::{CleanParams, apply_clean};
use crate::pipeline::cluster::assign_nearest;
use crate::pipeline::features::{FeatureParams, apply_features};
use crate::pipeline::mapping::{Mapping, MappingOptions, map_columns};
use crate::pipeline::model_check;
use crate::pipeline::progress::Progress;
use crate::pipeline::run::RunOutput;
use crate::pipeline::table::Table;
use crate::pipeline::txn_meaning::LogPlan;
use ndarray::ArrayView2;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::Path;

pub const MODEL_FORMAT: &str = "custseg-model";
pub const MODEL_VERSION: u32 = 1;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InputFingerprint {
    pub file: String,
    pub sha256: String,
    pub bytes: u64,
    pub rows: usize,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelSegment {
    pub id: u32,
    pub label: String,
    pub action: String,
    pub size: usize,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Model {
    pub format: String,
    pub version: u32,
    pub created_by: String,
    pub input: InputFingerprint,
    pub config: RunConfig,
    /// The mapping of the file as loaded.
    pub mapping: Mapping,
    /// The input was a transaction log, aggregated to customers before cleaning.
    pub aggregated: bool,
    /// The mapping of the customer-level table the later stages saw.
    pub customer_mapping: Mapping,
    /// How the log's rows were read (amounts, invoice lines, flows) and the
    /// policies applied; scoring reads a new log the same way.
    #[serde(default)]
    pub log_plan: Option<LogPlan>,
    pub clean: CleanParams,
    pub features: FeatureParams,
    pub feature_names: Vec<String>,
    pub k: usize,
    /// k × d, in the scaled feature space.
    pub centres: Vec<f64>,
    pub segments: Vec<ModelSegment>,
}

/// SHA-256 of a file, streamed.
pub fn file_sha256(path: &Path) -> Result<String> {
    let mut file = std::fs::File::open(path).map_err(|e| Error::io_path("reading", path, e))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = file
            .read(&mut buf)
            .map_err(|e| Error::io_path("reading", path, e))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

impl Model {
    pub fn from_run(run: &RunOutput, cfg: &RunConfig) -> Result<Model> {
        let path = cfg.input.as_deref().unwrap_or(Path::new(""));
        let chosen = run.chosen();
        let mut model = Model {
            format: MODEL_FORMAT.into(),
            version: MODEL_VERSION,
            created_by: format!("custseg {}", env!("CARGO_PKG_VERSION")),
            input: InputFingerprint {
                file: run.table.source.file_name(),
                // Recorded by the export when it saved the config.
                sha256: match &cfg.input_sha256 {
                    Some(sha) => sha.clone(),
                    None => file_sha256(path)?,
                },
                bytes: run.table.source.file_bytes,
                rows: run.table.n_rows,
            },
            // Which extra files the export writes is no part of the model:
            // model.json is the same with or without them.
            config: RunConfig {
                export: Default::default(),
                ..cfg.clone()
            },
            mapping: (*run.mapping).clone(),
            aggregated: run.prepared.aggregated.is_some(),
            customer_mapping: run.customer_mapping().clone(),
            log_plan: run
                .prepared
                .aggregated
                .as_ref()
                .and_then(|a| a.report.policy.plan),
            clean: run.cleaned.params.clone(),
            features: run.features.params.clone(),
            feature_names: run.features.names.clone(),
            k: chosen.k,
            centres: chosen.fit.centres.clone(),
            segments: run
                .profiles
                .segments
                .iter()
                .map(|s| ModelSegment {
                    id: s.id,
                    label: s.label.clone(),
                    action: s.action.clone(),
                    size: s.size,
                })
                .collect(),
        };
        model.finite_clip_bounds();
        // Never write a model that `score` would refuse to read.
        model_check::validate(&model).map_err(|problem| {
            Error::data(format!(
                "the model cannot be saved: {}",
                escape::terminal(&problem)
            ))
        })?;
        Ok(model)
    }

    /// An open side of a clip (an infinite percentile) as the largest finite
    /// number: the same clamp for every finite value (features are filled
    /// before they are clipped), and a number JSON can hold (serde writes
    /// infinity as `null`, which then reads back as a damaged model).
    fn finite_clip_bounds(&mut self) {
        for f in &mut self.features.features {
            if let Some(clip) = &mut f.clip {
                for b in clip.iter_mut().filter(|b| b.is_infinite()) {
                    *b = f64::MAX.copysign(*b);
                }
            }
        }
    }

    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string_pretty(self)
            .map_err(|e| Error::data(format!("writing the model: {e}")))
    }

    /// Reads and validates a model: a regular file of bounded size, valid
    /// JSON of this format and version, every text bounded and every field
    /// checked ([`model_check`]); any problem is a one-line error.
    pub fn read(path: &Path) -> Result<Model> {
        let shown = artefact::shown(path);
        let text = artefact::read_text(path, artefact::MODEL_CAP, "model")?;
        Self::from_json(&text, &shown)
    }

    /// Reads and validates a model from its JSON text, as [`Model::read`]
    /// does (`shown` names where the text came from in errors).
    pub fn from_json(text: &str, shown: &str) -> Result<Model> {
        let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
            Error::data(format!("{shown}: not a custseg model (invalid JSON: {e})"))
        })?;
        if value.get("format").and_then(|f| f.as_str()) != Some(MODEL_FORMAT) {
            return Err(Error::data(format!("{shown}: not a custseg model file")));
        }
        let version = value.get("version").and_then(|v| v.as_u64()).unwrap_or(0);
        if version != MODEL_VERSION as u64 {
            return Err(Error::data(format!(
                "{shown}: model version {version} is not supported by this custseg (expects {MODEL_VERSION}); re-run the segmentation"
            )));
        }
        let damaged = |problem: &str| {
            Error::data(format!(
                "{shown}: the model is damaged or was edited: {}; re-run the segmentation to get a new one",
                escape::excerpt(problem, 300)
            ))
        };
        model_check::check_json(&value, &mut String::new()).map_err(|p| damaged(&p))?;
        let model: Model = serde_json::from_value(value).map_err(|e| damaged(&e.to_string()))?;
        model_check::validate(&model).map_err(|p| damaged(&p))?;
        Ok(model)
    }
}

/// New customers scored with a model.
pub struct Scored {
    pub table: Table,
    pub mapping: Mapping,
    pub ids: Vec<String>,
    pub segments: Vec<u32>,
    /// What the user must know: transactions left out, values replaced.
    pub warnings: Vec<String>,
    /// The date these customers were measured against (see [`crate::pipeline::as_of`]).
    pub as_of: crate::pipeline::clean::AsOf,
}

/// Maps, cleans, featurises and assigns `table` exactly as the model's run
/// did, with its dates measured against the scoring as-of date: `as_of`, or
/// the latest activity date in `table` (see [`crate::pipeline::as_of`]).
pub fn score_table(
    model: &Model,
    table: Table,
    as_of: Option<crate::pipeline::clean::IsoDate>,
    progress: &dyn Progress,
) -> Result<Scored> {
    let file = table.source.file_name();
    // The model's role columns are required by name; check them all at once.
    let missing: Vec<String> = model
        .mapping
        .roles()
        .into_values()
        .filter(|c| table.column(c).is_none())
        .collect();
    if !missing.is_empty() {
        return Err(Error::data(format!(
            "{file}: the model needs column(s) {} that this file does not have (its columns: {})",
            missing
                .iter()
                .map(|c| format!("'{c}'"))
                .collect::<Vec<_>>()
                .join(", "),
            table.names().join(", ")
        )));
    }
    let opts = MappingOptions {
        roles: model.mapping.roles(),
        usage: model
            .mapping
            .columns
            .iter()
            .filter(|c| table.column(&c.column).is_some())
            .map(|c| (c.column.clone(), c.usage))
            .collect(),
        // The saved uses are the truth; the rules need not run again.
        hygiene: crate::pipeline::hygiene::HygieneOptions {
            enabled: false,
            ..Default::default()
        },
    };
    let mapping = map_columns(&table, &opts)?;
    let mut warnings = Vec::new();
    let (table, mapping) = if model.aggregated {
        let agg = aggregate_with_plan(
            &table,
            &mapping,
            &model.config.aggregate,
            as_of,
            model.log_plan,
            progress,
        )?;
        warnings.extend(agg.report.warnings);
        (agg.table, agg.mapping)
    } else {
        (table, mapping)
    };
    let scoring = crate::pipeline::as_of::for_scoring(
        &model.clean,
        &model.features,
        &model.config.clean,
        &table,
        &mapping,
        as_of,
    )?;
    warnings.extend(scoring.warnings.iter().map(crate::remedy::Notice::cli_line));
    let applied = apply_clean(&table, &mapping, &scoring.clean)?;
    warnings.extend(applied.notes);
    let cleaned = applied.table;
    let scaled = apply_features(&cleaned, &mapping, &scoring.features)?;
    let d = model.feature_names.len();
    let n = cleaned.n_rows;
    let scaled = ArrayView2::from_shape((n, d), &scaled).map_err(|_| {
        Error::data(format!(
            "{file}: the features do not match the model's {d} features"
        ))
    })?;
    let centres = ArrayView2::from_shape((model.k, d), &model.centres).map_err(|_| {
        Error::usage(format!(
            "centres have {} values, expected K={} x {d} features",
            model.centres.len(),
            model.k
        ))
    })?;
    let segments = assign_nearest(scaled, centres)?;
    let ids = crate::pipeline::export::tables::customer_ids(&cleaned, &mapping);
    Ok(Scored {
        table: cleaned,
        mapping,
        ids,
        segments,
        warnings,
        as_of: scoring.as_of,
    })
}
