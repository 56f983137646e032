//! `custseg sql`: one SQL statement that scores a customer table where it
//! lives, step by step as [`crate::pipeline::model::score_table`] does:
//! the as-of date, Clean (invalid values, the model's fill values), the
//! features (date differences, fill, winsorising bounds, transform,
//! z-score), the k squared distances, then the nearest centre with
//! custseg's tie rule (the lowest segment number), its label and action.
//!
//! One CTE per step, k distance columns and one minimum: the statement
//! grows as k·d, not k². Constants are written with round-trip digits so
//! that the engine's doubles are custseg's.

mod as_of;
mod columns;
mod dialect;
mod direction;
mod features;
mod log;
mod log_shape;
mod schema;

pub use dialect::Dialect;
pub use schema::{TableColumn, parse as parse_schema};

use crate::error::{Error, Result};
use crate::pipeline::clean::IsoDate;
use crate::pipeline::mapping::Role;
use crate::pipeline::model::Model;
use columns::Kind;
use std::fmt::Write;

/// Name of the as-of date column (in the CTE aliased `a`).
pub(crate) const AS_OF: &str = "cs_as_of";
/// Name of the oldest valid birth date column (beside [`AS_OF`]).
pub(crate) const BORN_AFTER: &str = "cs_born_after";

/// A step of the model the SQL cannot express yet.
#[derive(Debug)]
pub struct Unsupported(pub String);

/// The date customers are measured against.
#[derive(Clone, Debug, PartialEq)]
pub enum AsOfSpec {
    /// The latest activity date in the table, as `custseg score` does.
    Latest,
    Date(IsoDate),
    /// An SQL expression of the target engine (e.g. `CURRENT_DATE`).
    Sql(String),
}

/// What to write.
#[derive(Clone, Debug)]
pub struct SqlRequest {
    pub dialect: Dialect,
    /// The raw customer table or transaction log (`schema.table` allowed).
    pub table: String,
    pub as_of: AsOfSpec,
    /// An SQL expression that orders a log's rows as the file did.
    pub row_order: Option<String>,
}

/// The scoring statement for `model`, or a one-line error naming what the
/// SQL cannot express yet.
pub fn scoring_sql(model: &Model, req: &SqlRequest) -> Result<String> {
    build(model, req).map_err(|Unsupported(what)| {
        Error::usage(format!(
            "custseg sql cannot write this model for {}: {what} are not supported yet; score it with `custseg score`",
            req.dialect.name()
        ))
    })
}

/// How a log model's statement orders the log's rows when custseg had to
/// choose (the transaction number, or no order): the note its header
/// carries. `None` for customer tables and a given order.
pub fn guessed_row_order(model: &Model, req: &SqlRequest) -> Option<String> {
    if !model.aggregated {
        return None;
    }
    let order = log::row_order(model, req).ok()?;
    order.guessed.then_some(order.note)
}

/// Checks the table's columns (the engine's description of it) against
/// what the statement reads: a one-line list of every missing column and
/// every column of a type the model cannot read, or `Ok`.
pub fn check_table(
    model: &Model,
    req: &SqlRequest,
    table: &[TableColumn],
) -> std::result::Result<(), String> {
    let reads = schema::read_columns(model, req).map_err(|Unsupported(what)| what)?;
    match schema::mismatch(&reads, table) {
        Some(problems) => Err(problems),
        None => Ok(()),
    }
}

/// The cleaned columns the features read, each once, in first-use order.
struct Sources {
    columns: Vec<(String, Kind)>,
    /// Per feature: index into `columns`.
    of_feature: Vec<usize>,
}

fn sources(model: &Model) -> Sources {
    let mut columns: Vec<(String, Kind)> = Vec::new();
    let mut of_feature = Vec::new();
    for spec in &model.features.features {
        let key = features::source_column(&spec.source);
        let i = columns.iter().position(|c| *c == key).unwrap_or_else(|| {
            columns.push(key);
            columns.len() - 1
        });
        of_feature.push(i);
    }
    Sources {
        columns,
        of_feature,
    }
}

fn id_column(model: &Model) -> std::result::Result<&str, Unsupported> {
    model
        .customer_mapping
        .column_for(Role::CustomerId)
        .ok_or_else(|| Unsupported("models without a customer id column".into()))
}

/// The customer-level columns a log's aggregation must build: the id, the
/// features' sources and the activity dates the as-of date reads.
fn log_columns(model: &Model, id: &str, src: &Sources) -> Vec<String> {
    let mut needed = vec![id.to_string()];
    let activity = crate::pipeline::clean::ACTIVITY_ROLES
        .iter()
        .filter_map(|&r| model.customer_mapping.column_for(r));
    for c in src.columns.iter().map(|(c, _)| c.as_str()).chain(activity) {
        if !needed.iter().any(|n| n == c) {
            needed.push(c.to_string());
        }
    }
    needed
}

fn build(model: &Model, req: &SqlRequest) -> std::result::Result<String, Unsupported> {
    let id = id_column(model)?;
    let d = req.dialect;
    let src = sources(model);
    let mut ctes: Vec<(String, String)> = Vec::new();
    let given = as_of::given(req);
    let cut = given.as_ref().map(|_| (as_of::BASE, AS_OF));
    ctes.extend(given.clone());
    let (source, row_note) = if model.aggregated {
        let needed = log_columns(model, id, &src);
        ctes.extend(log::ctes(model, req, &needed, cut)?);
        let note = log::row_order(model, req)?.note;
        (log::CUSTOMERS.to_string(), Some(note))
    } else {
        (d.table(&req.table), None)
    };
    // A given date is checked against the table's dates (a log's rows are
    // checked as they are cut); the date features need the date itself.
    let guarded = given.is_some() && !model.aggregated && as_of::first(model, d, &source).is_some();
    let needs_as_of = guarded || src.columns.iter().any(|(_, k)| *k == Kind::Date);
    let mut from = format!("{source} t");
    if needs_as_of {
        if given.is_none() {
            ctes.extend(as_of::latest(model, d, &source));
        }
        if guarded {
            ctes.extend(as_of::first(model, d, &source));
        }
        ctes.push(as_of::complete(model, d, guarded));
        from.push_str(" CROSS JOIN custseg_as_of a");
        if guarded {
            let _ = write!(from, "\n  WHERE a.{} = 0", as_of::GUARD);
        }
    }
    // Clean: one column per source column.
    let mut sel = vec![format!("{} AS cs_id", columns::id(d, &model.clean, id))];
    for (i, (name, kind)) in src.columns.iter().enumerate() {
        let e = columns::cleaned(d, &model.clean, &model.config.clean, name, *kind)?;
        sel.push(format!("{e} AS cs_c{i}"));
    }
    ctes.push(("custseg_clean".into(), select(&sel, &from)));
    let from_as_of = if needs_as_of {
        " CROSS JOIN custseg_as_of a"
    } else {
        ""
    };
    feature_ctes(model, d, &src, from_as_of, &mut ctes);
    assign_ctes(model, d, &mut ctes);
    Ok(statement(model, d, id, &ctes, row_note.as_deref()))
}

/// Raw value, fill, clip, transform, z-score: one CTE per step.
fn feature_ctes(
    model: &Model,
    d: Dialect,
    src: &Sources,
    from_as_of: &str,
    ctes: &mut Vec<(String, String)>,
) {
    let specs = &model.features.features;
    let step = |f: &dyn Fn(usize) -> String| -> Vec<String> {
        std::iter::once("cs_id".to_string())
            .chain((0..specs.len()).map(f))
            .collect()
    };
    let raw = step(&|j| {
        let c = format!("cs_c{}", src.of_feature[j]);
        format!("{} AS cs_r{j}", features::raw(d, &specs[j].source, &c))
    });
    ctes.push((
        "custseg_source".into(),
        select(&raw, &format!("custseg_clean{from_as_of}")),
    ));
    let filled = step(&|j| {
        let r = format!("cs_r{j}");
        format!("{} AS cs_f{j}", features::filled(d, &specs[j], &r))
    });
    ctes.push(("custseg_filled".into(), select(&filled, "custseg_source")));
    let clipped = step(&|j| {
        let x = features::clipped(d, &specs[j], &format!("cs_f{j}"));
        let m = features::magnitude(d, &specs[j], &format!("({x})"));
        format!("{x} AS cs_x{j}, {m} AS cs_m{j}")
    });
    ctes.push(("custseg_clipped".into(), select(&clipped, "custseg_filled")));
    let transformed = step(&|j| {
        let (x, m) = (format!("cs_x{j}"), format!("cs_m{j}"));
        format!("{} AS cs_t{j}", features::transformed(d, &specs[j], &x, &m))
    });
    ctes.push((
        "custseg_transformed".into(),
        select(&transformed, "custseg_clipped"),
    ));
    let z = step(&|j| {
        format!(
            "{} AS cs_s{j}",
            features::z(d, &specs[j], &format!("cs_t{j}"))
        )
    });
    ctes.push(("custseg_z".into(), select(&z, "custseg_transformed")));
    let limited = step(&|j| format!("{} AS cs_z{j}", features::z_limited(d, &format!("cs_s{j}"))));
    ctes.push(("custseg_scaled".into(), select(&limited, "custseg_z")));
}

/// k squared distances, their minimum, the first segment that reaches it.
fn assign_ctes(model: &Model, d: Dialect, ctes: &mut Vec<(String, String)>) {
    let dim = model.feature_names.len();
    let mut sel = vec!["cs_id".to_string()];
    for c in 0..model.k {
        // Summed in feature order, as custseg's `sq_dist` does.
        let terms: Vec<String> = (0..dim)
            .map(|j| {
                let diff = format!("(cs_z{j} - {})", d.num(model.centres[c * dim + j]));
                format!("{diff} * {diff}")
            })
            .collect();
        sel.push(format!("{} AS cs_d{c}", terms.join(" + ")));
    }
    ctes.push(("custseg_distance".into(), select(&sel, "custseg_scaled")));
    let all: Vec<String> = (0..model.k).map(|c| format!("cs_d{c}")).collect();
    let mut best = String::from("CASE");
    for (c, dc) in all.iter().enumerate() {
        let _ = write!(best, " WHEN {dc} = cs_best THEN {c}");
    }
    best.push_str(" END");
    ctes.push((
        "custseg_nearest".into(),
        select(
            &[
                "cs_id".into(),
                format!("{} AS cs_best", d.least(&all)),
                all.join(", "),
            ],
            "custseg_distance",
        ),
    ));
    ctes.push((
        "custseg_assigned".into(),
        select(
            &[
                "cs_id".into(),
                format!("{best} AS cs_segment"),
                "cs_best".into(),
            ],
            "custseg_nearest",
        ),
    ));
}

/// The WITH clause and the final projection: id, segment, label, action,
/// distance (Euclidean, in the scaled feature space).
fn statement(
    model: &Model,
    d: Dialect,
    id: &str,
    ctes: &[(String, String)],
    row_note: Option<&str>,
) -> String {
    let case = |f: &dyn Fn(usize) -> String| {
        let mut s = String::from("CASE cs_segment");
        for c in 0..model.k {
            let _ = write!(s, " WHEN {c} THEN {}", d.string(&f(c)));
        }
        s + " END"
    };
    let mut out = format!(
        "-- custseg {} scoring: {} segments, {} features, model {} ({}).\n",
        env!("CARGO_PKG_VERSION"),
        model.k,
        model.feature_names.len(),
        model.input.file.replace(['\n', '\r'], " "),
        &model.input.sha256.get(..12).unwrap_or(""),
    );
    let _ = writeln!(
        out,
        "-- Dialect {}; reads {} ({}).",
        d.name(),
        if model.aggregated {
            "the raw transaction log"
        } else {
            "the raw customer table"
        },
        reads(model, d)
    );
    if let Some(note) = row_note {
        let _ = writeln!(out, "-- Log {}.", note.replace(['\n', '\r'], " "));
    }
    out.push_str("WITH\n");
    let body: Vec<String> = ctes
        .iter()
        .map(|(name, q)| {
            let q = match q.strip_prefix("SELECT ") {
                Some(rest) => format!("SELECT {}{rest}", d.step_head()),
                None => q.clone(),
            };
            format!("{name} AS (\n  {q}{}\n)", d.step_fence())
        })
        .collect();
    out.push_str(&body.join(",\n"));
    let _ = write!(
        out,
        "\nSELECT cs_id AS {}, cs_segment AS {}, {} AS {}, {} AS {}, SQRT(cs_best) AS {}\nFROM custseg_assigned;\n",
        d.ident(id),
        d.ident("segment"),
        case(&|c| model.segments[c].label.clone()),
        d.ident("label"),
        case(&|c| model.segments[c].action.clone()),
        d.ident("action"),
        d.ident("distance"),
    );
    out
}

fn select(columns: &[String], from: &str) -> String {
    format!("SELECT {}\n  FROM {from}", columns.join(",\n    "))
}

/// The raw columns the statement reads, with the type it reads them as
/// (the columns of the training file, named as there).
fn reads(model: &Model, d: Dialect) -> String {
    let used: Vec<String> = model
        .mapping
        .columns
        .iter()
        .filter(|c| c.role.is_some() || c.usage != crate::pipeline::mapping::ColumnUse::Ignore)
        .map(|c| format!("{} {}", d.ident(&c.column), c.ctype.name()))
        .collect();
    used.join(", ").replace(['\n', '\r'], " ")
}
