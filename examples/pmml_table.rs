//! Writes the table a `custseg pmml` document reads, as a warehouse would
//! hold it: FILE loaded the way `custseg score` loads it (numbers as
//! numbers, dates as dates — custseg's reading of the cells), and for a
//! model trained on a transaction log aggregated per customer up to the
//! as-of date, as `score` does. UTF-8 CSV: the first column is the customer
//! id as `custseg score` writes it (`custseg:customer_id`), then every
//! column of the table; numbers in round-trip digits, dates `YYYY-MM-DD`,
//! missing cells empty. Used by `bench/score/verify_pmml.sh`.
//!
//! ```text
//! cargo run --example pmml_table -- MODEL.json FILE OUT.csv [YYYY-MM-DD]
//! ```

use custseg::pipeline::aggregate::aggregate_with_plan;
use custseg::pipeline::clean::IsoDate;
use custseg::pipeline::export::tables::customer_ids;
use custseg::pipeline::hygiene::HygieneOptions;
use custseg::pipeline::load::load;
use custseg::pipeline::mapping::{MappingOptions, map_columns};
use custseg::pipeline::model::Model;
use custseg::pipeline::progress::NoProgress;
use custseg::pipeline::table::{ColumnData, MISSING_DATE, Table, format_date};
use std::path::Path;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if !(3..=4).contains(&args.len()) {
        eprintln!("usage: pmml_table MODEL.json FILE OUT.csv [YYYY-MM-DD]");
        std::process::exit(2);
    }
    let as_of = args
        .get(3)
        .map(|d| d.parse::<IsoDate>().unwrap_or_else(|e| fail(&e)));
    if let Err(e) = run(Path::new(&args[0]), Path::new(&args[1]), &args[2], as_of) {
        fail(&e.to_string());
    }
}

fn fail(msg: &str) -> ! {
    eprintln!("pmml_table: {msg}");
    std::process::exit(1);
}

fn run(model: &Path, file: &Path, out: &str, as_of: Option<IsoDate>) -> custseg::Result<()> {
    let model = Model::read(model)?;
    let mut opts = model.config.load.clone();
    // As `custseg score`: the file's shape is detected, not assumed.
    opts.delimiter = None;
    opts.encoding = None;
    opts.header = None;
    opts.sheet = None;
    let table = load(file, &opts, &NoProgress)?;
    let mapping = map_columns(
        &table,
        &MappingOptions {
            roles: model.mapping.roles(),
            usage: model
                .mapping
                .columns
                .iter()
                .filter(|c| table.column(&c.column).is_some())
                .map(|c| (c.column.clone(), c.usage))
                .collect(),
            hygiene: HygieneOptions {
                enabled: false,
                ..Default::default()
            },
        },
    )?;
    let (table, mapping) = if model.aggregated {
        let agg = aggregate_with_plan(
            &table,
            &mapping,
            &model.config.aggregate,
            as_of,
            model.log_plan,
            &NoProgress,
        )?;
        (agg.table, agg.mapping)
    } else {
        (table, mapping)
    };
    let ids = customer_ids(&table, &mapping);
    write_csv(&table, &ids, out)
}

fn write_csv(table: &Table, ids: &[String], out: &str) -> custseg::Result<()> {
    let io = |e: csv::Error| custseg::Error::data(format!("writing {out}: {e}"));
    let mut w = csv::Writer::from_path(out).map_err(io)?;
    let mut header = vec!["custseg:customer_id".to_string()];
    header.extend(table.columns.iter().map(|c| c.name.clone()));
    w.write_record(&header).map_err(io)?;
    for (i, id) in ids.iter().enumerate() {
        let mut row = vec![id.clone()];
        row.extend(table.columns.iter().map(|c| match &*c.data {
            ColumnData::Number(v) if v[i].is_nan() => String::new(),
            ColumnData::Number(v) => format!("{:?}", v[i]),
            ColumnData::Date(v) if v[i] == MISSING_DATE => String::new(),
            ColumnData::Date(v) => format_date(v[i]),
            ColumnData::Text(t) => t.get(i).unwrap_or("").to_string(),
        }));
        w.write_record(&row).map_err(io)?;
    }
    w.flush()
        .map_err(|e| custseg::Error::data(format!("writing {out}: {e}")))
}
