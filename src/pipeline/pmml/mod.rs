//! `custseg pmml`: the saved model as a PMML 4.4 document — a
//! `ClusteringModel` (center-based, squared Euclidean, `absDiff`) with every
//! step of `custseg score` inside it, so a PMML engine gives each customer
//! custseg's segment:
//!
//! 1. **Clean** ([`fields`]): the `DataDictionary` declares the input
//!    columns with their valid values (intervals); the `MiningSchema`
//!    treats invalid values as missing and replaces missing values with the
//!    model's fill values; derived fields apply the date rules (no date
//!    before the first valid year or after the as-of date) and read text as
//!    custseg does (trimmed, its missing markers missing).
//! 2. **Features** ([`steps`]): days, completed months and years to the
//!    as-of date ([`dates`] defines the calendar functions PMML lacks), the
//!    training median where missing, winsorising bounds, log1p, z-scores.
//! 3. **Assignment** ([`output`]): the centres, nearest by squared Euclidean
//!    distance, ties to the lowest segment number; outputs segment, label,
//!    action, affinity (squared distance) and distance.
//!
//! The as-of date is a constant of the document: the model's (the training
//! run's) or one given. PMML scores one row at a time, so it cannot take
//! the latest date of a table, nor group a transaction log: a model trained
//! on a log reads the per-customer table custseg aggregates it to (the
//! header's annotations name those columns and how each is aggregated).
//!
//! The input contract is the one of `custseg sql`: numbers as numbers and
//! dates as dates (custseg's reading of a file's cells), text as held.

mod dates;
mod expr;
mod fields;
mod output;
mod plan;
mod steps;
mod xml;

#[cfg(test)]
mod tests;

pub use output::OutputNames;
pub use plan::{AsOfSource, Kind};

use crate::error::{Error, Result};
use crate::pipeline::clean::IsoDate;
use crate::pipeline::model::Model;
use xml::Node;

/// The PMML namespace of version 4.4.
pub const PMML_NAMESPACE: &str = "http://www.dmg.org/PMML-4_4";

/// What to write.
#[derive(Clone, Debug, Default)]
pub struct PmmlRequest {
    /// Measure dates against this date instead of the model's as-of date.
    pub as_of: Option<IsoDate>,
}

/// One column the document reads.
#[derive(Clone, Debug, PartialEq)]
pub struct PmmlInput {
    pub name: String,
    pub kind: Kind,
}

/// The document and what a user must know about it.
#[derive(Clone, Debug)]
pub struct PmmlDocument {
    pub xml: String,
    /// The as-of date inside the document (`None`: no feature reads a date).
    pub as_of: Option<(IsoDate, AsOfSource)>,
    pub inputs: Vec<PmmlInput>,
    pub outputs: OutputNames,
    /// The model was trained on a transaction log: the document reads the
    /// per-customer aggregated table.
    pub aggregated: bool,
}

/// The model as a PMML document.
pub fn pmml_document(model: &Model, req: &PmmlRequest) -> Result<PmmlDocument> {
    let plan = plan::plan(model, req.as_of)?;
    let taken = |n: &str| plan.sources.iter().any(|s| s.name == n);
    let columns: Vec<&str> = plan.sources.iter().map(|s| s.name.as_str()).collect();
    let prefix = derived_prefix(&columns);
    let outputs = OutputNames::avoiding(&|n| taken(n) || n.starts_with(&prefix));
    let dates = dates::DateFunctions::new(&prefix);
    let (derived, z_fields) = derived_fields(&plan, &prefix, &dates);
    let model_node = Node::new("ClusteringModel")
        .attr("modelName", "custseg")
        .attr("functionName", "clustering")
        .attr("algorithmName", "K-Means")
        .attr("modelClass", "centerBased")
        .attr("numberOfClusters", model.k.to_string())
        .child(Node::new("MiningSchema").children(plan.sources.iter().map(fields::mining_field)))
        .child(output::output(model, &outputs))
        .child(Node::new("LocalTransformations").children(derived))
        .children(output::clustering(model, &z_fields));
    let needs_calendar = plan.features.features.iter().any(|f| {
        matches!(
            f.source,
            crate::pipeline::features::FeatureSource::MonthsSince { .. }
                | crate::pipeline::features::FeatureSource::YearsSince { .. }
        )
    });
    let dictionary = Node::new("DataDictionary")
        .attr("numberOfFields", plan.sources.len().to_string())
        .children(plan.sources.iter().map(fields::data_field));
    let transformations = Node::new("TransformationDictionary").children(if needs_calendar {
        dates.definitions()
    } else {
        Vec::new()
    });
    let body = [dictionary, transformations, model_node];
    if let Some((c, text)) = body.iter().find_map(Node::first_unwritable) {
        return Err(Error::data(format!(
            "'{}' holds the control character U+{:04X}, which a PMML (XML) document cannot hold; rename the column or the label",
            crate::escape::excerpt(text, 40),
            u32::from(c)
        )));
    }
    let root = Node::new("PMML")
        .attr("xmlns", PMML_NAMESPACE)
        .attr("version", "4.4")
        .child(header(model, &plan, &outputs))
        .children(body);
    Ok(PmmlDocument {
        xml: root.document(),
        as_of: plan.as_of,
        inputs: plan
            .sources
            .iter()
            .map(|s| PmmlInput {
                name: s.name.clone(),
                kind: s.kind,
            })
            .collect(),
        outputs,
        aggregated: model.aggregated,
    })
}

/// A prefix for the document's own field and function names that no input
/// column starts with: `custseg:`, else `custseg2:` ...
fn derived_prefix(columns: &[&str]) -> String {
    (1..)
        .map(|i| match i {
            1 => "custseg:".to_string(),
            i => format!("custseg{i}:"),
        })
        .find(|p| !columns.iter().any(|c| c.starts_with(p.as_str())))
        .unwrap_or_default()
}

/// Clean's derived fields per input column, then each feature's steps;
/// the z-score field of each feature in order.
fn derived_fields(
    plan: &plan::Plan,
    prefix: &str,
    dates: &dates::DateFunctions,
) -> (Vec<Node>, Vec<String>) {
    let mut nodes = Vec::new();
    let mut clean_names = Vec::new();
    for s in &plan.sources {
        let name = |step: &str| format!("{prefix}{step}[{}]", s.name);
        let (n, clean) = fields::cleaned(s, &name);
        nodes.extend(n);
        clean_names.push(clean);
    }
    let mut z_fields = Vec::new();
    for (spec, &i) in plan.features.features.iter().zip(&plan.of_feature) {
        let inputs = steps::Inputs {
            column: &clean_names[i],
            as_of: plan.as_of.map(|(d, _)| d),
            dates,
        };
        let name = |step: &str| format!("{prefix}{step}[{}]", spec.name);
        let (n, z) = steps::feature_fields(spec, &inputs, &name);
        nodes.extend(n);
        z_fields.push(z);
    }
    (nodes, z_fields)
}

/// `Header`: the application and annotations saying what the document
/// expects and returns.
fn header(model: &Model, plan: &plan::Plan, outputs: &OutputNames) -> Node {
    let shown = |s: &str| crate::escape::terminal(s).into_owned();
    let mut notes = vec![format!(
        "K-Means segmentation by custseg: {} segments on {} features ({}), trained on {} ({} rows, SHA-256 {}).",
        model.k,
        model.feature_names.len(),
        shown(&model.feature_names.join(", ")),
        shown(&model.input.file),
        model.input.rows,
        model.input.sha256.get(..12).unwrap_or(""),
    )];
    notes.push(
        "Input: one row per customer with the columns of the DataDictionary; numbers as numbers (the file's '1,234.50' as 1234.5), dates as dates, text as held (custseg's missing markers such as NULL, n/a and 无 count as missing). Invalid values count as missing; missing values get the MiningSchema's fill values.".into(),
    );
    if let Some((d, source)) = plan.as_of {
        let whose = match source {
            AsOfSource::Model => "the model's as-of date",
            AsOfSource::Given => "given when this document was written",
        };
        notes.push(format!(
            "As-of date {d} ({whose}): days, months and years are measured to it and activity dates after it are invalid. It is fixed in this document; write the document again to move it."
        ));
    }
    if model.aggregated {
        notes.push(aggregated_note(model, plan));
    }
    notes.push(format!(
        "Output: {} (custseg's segment number, the nearest centre; a tie goes to the lowest number), {}, {}, {} (squared Euclidean distance to the centre in the scaled feature space), {} (its square root).",
        outputs.segment, outputs.label, outputs.action, outputs.affinity, outputs.distance
    ));
    Node::new("Header")
        .attr(
            "description",
            "custseg customer segmentation: K-Means with its cleaning and feature steps",
        )
        .child(
            Node::new("Application")
                .attr("name", "custseg")
                .attr("version", env!("CARGO_PKG_VERSION")),
        )
        .children(notes.into_iter().map(|n| Node::new("Annotation").text(n)))
}

/// A log model: which per-customer columns the document reads and how
/// custseg aggregates each, since PMML cannot group rows.
fn aggregated_note(model: &Model, plan: &plan::Plan) -> String {
    let columns: Vec<String> = plan
        .sources
        .iter()
        .map(|s| {
            let why = model
                .customer_mapping
                .columns
                .iter()
                .find(|c| c.column == s.name)
                .map(|c| c.reason.clone())
                .unwrap_or_default();
            crate::escape::terminal(&format!("{}: {why}", s.name)).into_owned()
        })
        .collect();
    format!(
        "Trained on a transaction log, aggregated to one row per customer before cleaning (transactions after the as-of date left out). PMML scores one row at a time and cannot group rows, so this document reads the per-customer table: {}.",
        columns.join("; ")
    )
}
