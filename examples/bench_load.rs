//! Loads one file with custseg's loader and prints what the load benchmark
//! needs: rows, columns, seconds, and the table's size in memory.
//! Used by bench/load/compare.py; run it directly with
//! `cargo run --release --example bench_load -- FILE`.

use custseg::pipeline::load::{LoadOptions, load};
use custseg::pipeline::progress::NoProgress;
use std::time::Instant;

fn main() {
    let path = std::env::args().nth(1).expect("usage: bench_load FILE");
    let start = Instant::now();
    let table = match load(
        std::path::Path::new(&path),
        &LoadOptions::default(),
        &NoProgress,
    ) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("bench_load: {e}");
            std::process::exit(1);
        }
    };
    let secs = start.elapsed().as_secs_f64();
    let types: Vec<&str> = table.columns.iter().map(|c| c.ctype.name()).collect();
    println!(
        "{{\"rows\": {}, \"columns\": {}, \"seconds\": {secs:.4}, \"table_bytes\": {}, \"types\": {:?}}}",
        table.n_rows,
        table.columns.len(),
        table.heap_bytes(),
        types
    );
}
