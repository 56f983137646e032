//! Regenerates the committed sample files under `samples/`:
//!
//! ```text
//! cargo run --release --example gen_samples            # writes samples/
//! cargo run --release --example gen_samples -- OUTDIR  # writes elsewhere
//! cargo run --release --example gen_samples -- --bench 1000000 /tmp/big.csv [messy] [cn] [gbk] [tx]
//! ```

use std::path::{Path, PathBuf};
use std::time::Instant;

use custseg::sample::{SampleEncoding, SampleFormat, SampleOptions, write_sample};

fn main() {
    if let Err(e) = run() {
        eprintln!("gen_samples: {e}");
        std::process::exit(1);
    }
}

fn run() -> custseg::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--bench") {
        let rows: usize = args
            .get(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| custseg::Error::usage("--bench ROWS PATH"))?;
        let path = PathBuf::from(args.get(2).map(String::as_str).unwrap_or("big_sample.csv"));
        let flags = &args[args.len().min(3)..];
        let has = |f: &str| flags.iter().any(|a| a == f);
        let opts = SampleOptions {
            rows,
            messy: has("messy"),
            chinese: has("cn"),
            encoding: if has("gbk") {
                SampleEncoding::Gbk
            } else {
                SampleEncoding::Utf8
            },
            format: if has("tx") {
                SampleFormat::Transactions
            } else {
                SampleFormat::Customers
            },
            ..SampleOptions::default()
        };
        let start = Instant::now();
        let s = write_sample(&path, &opts)?;
        let secs = start.elapsed().as_secs_f64();
        println!(
            "{}: {} rows, {:.1} MB in {:.2} s",
            s.path.display(),
            s.rows,
            s.bytes as f64 / 1e6,
            secs
        );
        return Ok(());
    }

    let dir = PathBuf::from(args.first().map(String::as_str).unwrap_or("samples"));
    let files: [(&str, SampleOptions); 4] = [
        (
            "customers_en.csv",
            SampleOptions {
                rows: 3000,
                seed: 42,
                ..SampleOptions::default()
            },
        ),
        (
            "customers_cn_gbk.csv",
            SampleOptions {
                rows: 2000,
                seed: 42,
                chinese: true,
                encoding: SampleEncoding::Gbk,
                delimiter: b';',
                messy: true,
                crlf: true,
                ..SampleOptions::default()
            },
        ),
        (
            "customers.xlsx",
            SampleOptions {
                rows: 1500,
                seed: 42,
                ..SampleOptions::default()
            },
        ),
        (
            "transactions.csv",
            SampleOptions {
                rows: 10_000,
                seed: 42,
                format: SampleFormat::Transactions,
                ..SampleOptions::default()
            },
        ),
    ];
    for (name, opts) in &files {
        let path = dir.join(name);
        let s = write_sample(Path::new(&path), opts)?;
        let c = s.segment_counts();
        println!(
            "{}: {} rows, {} customers, {} bytes, segments {:?}",
            s.path.display(),
            s.rows,
            s.customers,
            s.bytes,
            c
        );
    }
    Ok(())
}
