//! Writes a customer file or transaction log as a warehouse holds it, for
//! `bench/score/verify.sh`: UTF-8, comma-separated, numbers with
//! round-trip digits, dates as ISO dates, text as custseg reads the cell
//! (trimmed; missing markers empty). The engines load it as text columns
//! and the `custseg sql` statement casts them.
//!
//! ```text
//! cargo run --example warehouse_table -- FILE OUT.csv
//! ```

use custseg::pipeline::load::{LoadOptions, load};
use custseg::pipeline::progress::NoProgress;
use custseg::pipeline::table::{ColumnData, MISSING_DATE};
use std::path::{Path, PathBuf};

fn main() {
    let args: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    let [input, output] = args.as_slice() else {
        eprintln!("usage: warehouse_table FILE OUT.csv");
        std::process::exit(2);
    };
    if let Err(e) = run(input, output) {
        eprintln!("warehouse_table: {e}");
        std::process::exit(1);
    }
}

fn run(input: &Path, output: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let table = load(input, &LoadOptions::default(), &NoProgress)?;
    let mut w = csv::Writer::from_path(output)?;
    w.write_record(table.columns.iter().map(|c| c.name.as_str()))?;
    for i in 0..table.n_rows {
        let row = table.columns.iter().map(|c| match &*c.data {
            ColumnData::Number(v) if v[i].is_finite() => format!("{:?}", v[i]),
            ColumnData::Number(_) => String::new(),
            ColumnData::Date(v) if v[i] == MISSING_DATE => String::new(),
            data => data.display(i),
        });
        w.write_record(row)?;
    }
    w.flush()?;
    Ok(())
}
