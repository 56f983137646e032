//! Features: the numbers each customer is clustered on, transformed and
//! scaled, with the parameters needed to score new customers the same way
//! ([`apply_features`]).
//!
//! # Template mode and generic mode
//!
//! The bank template is [`TemplateFeature`]: Recency, Frequency, Monetary,
//! Tenure, Product_Depth, Age and Balance, each built from whatever mapped
//! columns exist. Where a feature can come from a date measured against the
//! as-of date or from a ready-made column, the date wins (all features then
//! share one reference day): Recency from the last transaction date, else a
//! transaction date, else a Recency column; Tenure (completed months) from the
//! open date, else a Tenure column; Age (completed years) from the birth date,
//! else an Age column.
//!
//! **Rule** (`mode = "auto"`, the default): *template mode* when at least two
//! template features can be built, otherwise *generic mode*.
//!
//! - Template mode: the template features that can be built (under their
//!   template names, in template order), then every other numeric column the
//!   mapping marks as a feature (under its own name, in table order). Columns
//!   consumed by a template feature, or superseded by a better source for it,
//!   are not added twice.
//! - Generic mode (e.g. a credit-card usage table of many behavioural
//!   numbers): the numeric columns marked as features (`usage = feature`, the
//!   default for every non-id numeric column), under their own names. Nothing
//!   is derived from dates.
//!
//! `select` (non-empty) replaces "every numeric column marked as a feature":
//! the extras in template mode, the whole set in generic mode. `drop_features`
//! then removes features by name. `mode = "template" | "generic"` forces a mode
//! (`--features`, `--select`, `--drop-feature` on the command line).
//!
//! Categorical columns (gender, branch) stay in the cleaned table for
//! profiling; with `one_hot = true` (`--one-hot`) those with at most
//! `one_hot_max_levels` values also become 0/1 indicator features (`Gender=F`).
//!
//! # Per feature, in order
//!
//! 1. Values that are still missing or not finite are filled with the
//!    feature's median, counted and stored. After Clean these are few,
//!    such as a sentinel the mapping reads as missing (-1 or 999).
//! 2. Optional winsorising at the chosen percentiles (bounds stored).
//! 3. Transform: `auto` applies `log1p` to a non-negative feature whose
//!    skewness (Fisher-Pearson, population moments) is above the threshold;
//!    `log` applies it to every non-negative feature; `none` to none;
//!    per-feature overrides win.
//! 4. Z-score with the population standard deviation (like scikit-learn's
//!    `StandardScaler`). A zero-variance feature is dropped with a notice
//!    (or, with `zero_variance = "keep_unscaled"`, centred and divided by 1).
//!
//! Then the correlation matrix of the scaled features (above
//! [`CORRELATION_ROWS`] customers on an even sample, said in the report);
//! pairs with |r| above the threshold are flagged (drop one with
//! `drop_features`).
//!
//! # Output
//!
//! [`Features`] holds `original` (after imputation, before winsorising and
//! transforms), one column per feature, shared with the table where a
//! column is used as it is, and `scaled`, `n x d` row-major `f64`, ready for
//! the K-Means kernel: never NaN, never infinite. Row `i` is row `i` of the
//! cleaned table, which keeps the customer ids and the profile columns.
//!
//! # Where each phase lives
//!
//! [`template`] (the template features and their sources), [`select`] (the
//! mode, the numeric columns, money and sentinel marks, the user's drops),
//! [`one_hot`] (categorical columns), [`values`] (reading a source),
//! [`process`] and [`transform`] (one feature, start to finish),
//! [`assemble`] (zero variance, correlation, the matrices) and [`apply`]
//! (scoring new customers with saved parameters).

mod apply;
mod assemble;
mod one_hot;
mod options;
mod params;
mod process;
mod report;
mod select;
mod template;
mod transform;
mod values;

pub use self::apply::{apply_features, original_value, scaled_value};
pub use self::options::{
    FeatureMode, FeatureOptions, Transform, TransformMode, Winsorize, ZeroVariance,
};
pub use self::params::{FeatureParams, FeatureSource, FeatureSpec};
pub use self::report::{
    CorrelatedPair, FeatureInfo, FeatureKind, FeatureReport, LeftOut, RuledColumn, WinsorReason,
};
pub use self::template::TemplateFeature;
pub use self::transform::{MAX_NEGATIVE_SHARE_FOR_LOG, MONEY_WINSOR, scale_value};
pub use self::values::FeatureValues;
/// Moved to [`crate::pipeline::stats`]; kept here for code that names it
/// through this stage.
pub use crate::pipeline::stats::moments;

pub use self::assemble::CORRELATION_ROWS;
use self::assemble::{assemble, flag_correlations, keep_varying, process_into_matrix};
use self::one_hot::plan_categorical;
use self::select::{
    annotate, apply_drops, choose_mode, no_feature_error, numeric_columns, plan_numeric,
    profile_numeric, ruled_columns,
};
use self::template::template_features;
use crate::error::{Error, Result};
use crate::pipeline::calendar::IsoDate;
use crate::pipeline::mapping::{Mapping, Role};
use crate::pipeline::table::Table;
use ndarray::ArrayView2;

/// The output of [`build_features`].
#[derive(Clone, Debug)]
pub struct Features {
    pub names: Vec<String>,
    /// Rows (customers); row `i` is row `i` of the table the features were built from.
    pub n: usize,
    /// Features per row.
    pub d: usize,
    /// One column per feature, original units, after imputation, before
    /// transforms. A table column used as it is is shared, not copied.
    pub original: Vec<FeatureValues>,
    /// `n x d` row-major, transformed and z-scored: what K-Means clusters.
    pub scaled: Vec<f64>,
    pub report: FeatureReport,
    pub params: FeatureParams,
}

impl Features {
    /// The scaled matrix (what K-Means clusters), `n × d`, in standard layout.
    ///
    /// # Panics
    /// If `scaled` does not hold `n × d` values, which [`build_features`]
    /// never allows.
    pub fn view(&self) -> ArrayView2<'_, f64> {
        ArrayView2::from_shape((self.n, self.d), &self.scaled)
            .expect("the scaled matrix holds n × d values")
    }
    /// Customer `i`'s features in original units.
    pub fn original_row(&self, i: usize) -> Vec<f64> {
        self.original.iter().map(|c| c[i]).collect()
    }
    /// Column `j` of the scaled matrix.
    pub fn scaled_column(&self, j: usize) -> impl Iterator<Item = f64> + '_ {
        self.scaled.iter().skip(j).step_by(self.d.max(1)).copied()
    }
    /// Column `j` in original units.
    pub fn original_column(&self, j: usize) -> &[f64] {
        &self.original[j]
    }
}

/// Builds the features of a cleaned table (see the module docs). `as_of` is
/// the date Clean resolved ([`crate::pipeline::clean::Cleaned::as_of`]).
pub fn build_features(
    table: &Table,
    mapping: &Mapping,
    opts: &FeatureOptions,
    as_of: Option<IsoDate>,
) -> Result<Features> {
    opts.validate()?;
    check_rows(table)?;
    let mut report = FeatureReport {
        as_of,
        rows: table.n_rows,
        correlation_threshold: opts.correlation_threshold,
        indicator_weight: opts.indicator_weight,
        ruled: ruled_columns(table, mapping),
        ..FeatureReport::default()
    };
    let template = template_features(table, mapping, as_of);
    let (mode, mode_reason) = choose_mode(opts.mode, template.built.len());
    report.mode = mode;
    report.mode_reason = mode_reason;
    let id_col = mapping.column_for(Role::CustomerId);
    let numeric_cols = numeric_columns(table, mapping, opts, id_col)?;
    // Kept for the "no usable feature" error in generic mode, where listing
    // seven unbuildable template features in the report would be noise.
    let template_reasons = template.missing.clone();
    let mut planned = plan_numeric(
        mode,
        template,
        numeric_cols,
        table,
        mapping,
        as_of,
        &mut report,
    );
    plan_categorical(&mut planned, table, mapping, opts, as_of, &mut report);
    annotate(&mut planned, mapping);
    profile_numeric(table, mapping, &planned, &mut report);
    apply_drops(&mut planned, opts, &mut report)?;
    if planned.is_empty() {
        return Err(no_feature_error(
            table,
            mapping,
            &report,
            &template_reasons,
            mode,
        ));
    }
    let (done, matrix) = process_into_matrix(planned, table.n_rows, opts, as_of)?;
    let (kept, matrix) = keep_varying(done, matrix, opts, &mut report);
    if kept.is_empty() {
        return Err(no_feature_error(
            table,
            mapping,
            &report,
            &template_reasons,
            mode,
        ));
    }
    flag_correlations(&kept, &matrix, opts, &mut report);
    Ok(assemble(kept, matrix, mode, as_of, report))
}

/// Segmentation needs at least two customers.
fn check_rows(table: &Table) -> Result<()> {
    let file = table.source.file_name();
    match table.n_rows {
        0 => Err(Error::data(format!(
            "{file}: no customer rows to build features from"
        ))),
        1 => Err(Error::data(format!(
            "{file}: only 1 customer row; segmentation needs at least 2 customers"
        ))),
        _ => Ok(()),
    }
}
