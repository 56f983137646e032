//! `custseg pmml`: reads a model and writes it as a PMML 4.4 document
//! ([`crate::pipeline::pmml`]), then says what the document reads and how
//! to compare it with `custseg score`.

use crate::error::{Error, Result};
use crate::escape;
use crate::pipeline::clean::IsoDate;
use crate::pipeline::export::write::{check_file_target, write_atomic};
use crate::pipeline::model::Model;
use crate::pipeline::pmml::{AsOfSource, Kind, PmmlRequest, pmml_document};
use crate::pipeline::progress::NoProgress;
use clap::Args;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct PmmlArgs {
    /// model.json written by a run.
    #[arg(long)]
    pub model: PathBuf,
    /// The PMML file to write (e.g. model.pmml).
    #[arg(long)]
    pub out: PathBuf,
    /// Replace an existing output file.
    #[arg(long)]
    pub force: bool,
    /// Measure dates against this date (default: the model's as-of date);
    /// it is fixed inside the document.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub as_of: Option<IsoDate>,
}

pub fn run_pmml(args: &PmmlArgs) -> Result<()> {
    check_file_target(&args.out, args.force)?;
    let model = Model::read(&args.model)?;
    let doc = pmml_document(&model, &PmmlRequest { as_of: args.as_of })?;
    write_atomic(&args.out, &NoProgress, |w| {
        w.write_all(doc.xml.as_bytes())
            .map_err(|e| Error::io_path("writing", &args.out, e))
    })?;
    let shown = |s: &str| escape::terminal(s).into_owned();
    println!(
        "PMML 4.4 ClusteringModel: {} segments, {} features",
        model.k,
        model.feature_names.len()
    );
    let inputs: Vec<String> = doc
        .inputs
        .iter()
        .map(|i| {
            let kind = match i.kind {
                Kind::Number => "number",
                Kind::Date => "date",
                Kind::Text => "text",
            };
            format!("{} ({kind})", shown(&i.name))
        })
        .collect();
    println!("  reads: {}", inputs.join(", "));
    if let Some((d, source)) = doc.as_of {
        let whose = match source {
            AsOfSource::Model => "the model's; --as-of moves it",
            AsOfSource::Given => "--as-of",
        };
        println!(
            "  as-of {d} ({whose}); compare with `custseg score --as-of {d}`, which otherwise measures against the latest date of the scored file"
        );
    }
    if doc.as_of.is_none() && args.as_of.is_some() {
        println!("  as-of: not used (no feature of this model measures a date)");
    }
    if doc.aggregated {
        println!(
            "  note: the model was trained on a transaction log; PMML cannot group rows, so the document reads one row per customer with the aggregated columns above (its header says how each is aggregated); `custseg score` scores the log itself"
        );
    }
    println!(
        "  outputs: {}, {}, {}, {}, {}",
        doc.outputs.segment,
        doc.outputs.label,
        doc.outputs.action,
        doc.outputs.affinity,
        doc.outputs.distance
    );
    println!("written: {}", shown(&args.out.display().to_string()));
    Ok(())
}
