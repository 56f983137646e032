//! Benchmark of the Clean, Features and Aggregate stages on synthetic bank
//! data built in memory with a seeded RNG (no files needed).
//!
//! ```text
//! cargo run --release --example bench_features            # full size
//! cargo run --release --example bench_features -- --quick # 10x smaller
//! ```
//!
//! Prints wall-clock timings (best and median of a few runs) and, for the
//! aggregation, the extra heap it needed, measured by a counting global
//! allocator: the peak above what was allocated before the call (the loaded
//! transaction table itself is not counted), and what stays allocated after it
//! (the customer table it returns).

use custseg::pipeline::aggregate::{
    AggregateOptions, InputKind, aggregate_transactions, decide_input,
};
use custseg::pipeline::clean::{CleanOptions, clean};
use custseg::pipeline::features::{FeatureOptions, build_features};
use custseg::pipeline::mapping::{MappingOptions, map_columns};
use custseg::pipeline::progress::NoProgress;
use custseg::pipeline::table::{Column, MISSING_DATE, SourceInfo, Table, TextColumn};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

// ---------------------------------------------------------------------------
// Counting allocator
// ---------------------------------------------------------------------------

struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is passed on to the system allocator unchanged; the
// counters only observe sizes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        // SAFETY: the caller's contract for `alloc`, passed on.
        let p = unsafe { System.alloc(l) };
        if !p.is_null() {
            let now = CURRENT.fetch_add(l.size(), Ordering::Relaxed) + l.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        // SAFETY: `p` came from `alloc`/`realloc` above with layout `l`.
        unsafe { System.dealloc(p, l) };
        CURRENT.fetch_sub(l.size(), Ordering::Relaxed);
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
        // SAFETY: `p` came from the system allocator with layout `l`.
        let q = unsafe { System.realloc(p, l, new) };
        if !q.is_null() {
            if new > l.size() {
                let now = CURRENT.fetch_add(new - l.size(), Ordering::Relaxed) + new - l.size();
                PEAK.fetch_max(now, Ordering::Relaxed);
            } else {
                CURRENT.fetch_sub(l.size() - new, Ordering::Relaxed);
            }
        }
        q
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn current() -> usize {
    CURRENT.load(Ordering::Relaxed)
}

fn reset_peak() -> usize {
    let now = current();
    PEAK.store(now, Ordering::Relaxed);
    now
}

fn peak() -> usize {
    PEAK.load(Ordering::Relaxed)
}

fn mib(b: usize) -> String {
    format!("{:.1} MiB", b as f64 / (1024.0 * 1024.0))
}

/// CPU time (user + system) of the whole process so far, from
/// /proc/self/stat (Linux; clock ticks of 10 ms). Wall time on a shared
/// machine includes time spent waiting for a core; CPU time does not.
fn cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

// ---------------------------------------------------------------------------
// Synthetic data
// ---------------------------------------------------------------------------

const AS_OF: i32 = 19_904; // 2024-06-30

fn normal(rng: &mut ChaCha8Rng) -> f64 {
    let u1: f64 = rng.random::<f64>().max(1e-300);
    let u2: f64 = rng.random();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

fn text_col(name: &str, n: usize, mut f: impl FnMut(usize) -> Option<String>) -> Column {
    let mut t = TextColumn::with_capacity(n, n * 8);
    for i in 0..n {
        match f(i) {
            Some(s) => assert!(t.push(&s)),
            None => t.push_missing(),
        }
    }
    Column::text(name, t)
}

/// A customer-level table like a core-banking extract.
fn customers(n: usize, seed: u64) -> Table {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let miss =
        |rng: &mut ChaCha8Rng, p: f64, x: f64| if rng.random::<f64>() < p { f64::NAN } else { x };
    let mut age = Vec::with_capacity(n);
    let mut balance = Vec::with_capacity(n);
    let mut products = Vec::with_capacity(n);
    let mut count = Vec::with_capacity(n);
    let mut amount = Vec::with_capacity(n);
    let mut score = Vec::with_capacity(n);
    let mut last = Vec::with_capacity(n);
    let mut open = Vec::with_capacity(n);
    for _ in 0..n {
        let a = (45.0 + 15.0 * normal(&mut rng)).round().clamp(18.0, 95.0);
        // 0.1% invalid ages (typos like 450)
        let a = if rng.random::<f64>() < 0.001 {
            a * 10.0
        } else {
            a
        };
        age.push(miss(&mut rng, 0.01, a));
        let b = (8.0 + 2.0 * normal(&mut rng)).exp();
        balance.push(miss(&mut rng, 0.02, b));
        products.push(f64::from(rng.random_range(1..7u32)));
        let c = (2.5 + normal(&mut rng)).exp().round();
        count.push(c);
        let x = c * (4.0 + normal(&mut rng)).exp();
        amount.push(miss(&mut rng, 0.01, x));
        score.push((650.0 + 80.0 * normal(&mut rng)).round());
        let r = (-(rng.random::<f64>().max(1e-12)).ln() * 45.0) as i32;
        last.push(if rng.random::<f64>() < 0.01 {
            MISSING_DATE
        } else {
            AS_OF - r.min(700)
        });
        open.push(AS_OF - rng.random_range(30..15 * 365));
    }
    let genders = ["M", "F"];
    let branches: Vec<String> = (0..40).map(|i| format!("Branch {i:02}")).collect();
    let mut rng2 = ChaCha8Rng::seed_from_u64(seed ^ 0x5eed);
    let cols = vec![
        text_col("customer_id", n, |i| Some(format!("C{i:08}"))),
        Column::number("age", age),
        text_col("gender", n, |_| {
            (rng2.random::<f64>() >= 0.005).then(|| genders[rng2.random_range(0..2)].to_string())
        }),
        text_col("branch", n, |_| {
            Some(branches[rng2.random_range(0..40)].clone())
        }),
        Column::number("balance", balance),
        Column::date("last_txn_date", last),
        Column::date("open_date", open),
        Column::number("num_products", products),
        Column::number("txn_count", count),
        Column::number("txn_amount", amount),
        Column::number("credit_score", score),
    ];
    Table::new(cols, SourceInfo::default())
}

/// A transaction log: `rows` transactions of `n_customers` customers, shaped
/// like the public "bank customer segmentation" dataset.
fn transactions(rows: usize, n_customers: usize, seed: u64) -> Table {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let cities: Vec<String> = (0..200).map(|i| format!("CITY{i:03}")).collect();
    let mut cust = Vec::with_capacity(rows);
    for _ in 0..rows {
        cust.push(rng.random_range(0..n_customers as u32));
    }
    let dob = |c: u32| -> i32 { -3650 + (c.wrapping_mul(2_654_435_761) % 18_000) as i32 };
    let mut txn_id = TextColumn::with_capacity(rows, rows * 9);
    let mut cust_id = TextColumn::with_capacity(rows, rows * 8);
    let mut gender = TextColumn::with_capacity(rows, rows);
    let mut city = TextColumn::with_capacity(rows, rows * 7);
    let mut birth = Vec::with_capacity(rows);
    let mut balance = Vec::with_capacity(rows);
    let mut date = Vec::with_capacity(rows);
    let mut amount = Vec::with_capacity(rows);
    for (i, &c) in cust.iter().enumerate() {
        assert!(txn_id.push(&format!("T{i}")));
        assert!(cust_id.push(&format!("C{c:07}")));
        // 2% of rows disagree on gender or city
        let flip = rng.random::<f64>() < 0.02;
        assert!(gender.push(if (c % 2 == 0) ^ flip { "M" } else { "F" }));
        let k = if flip {
            rng.random_range(0..200)
        } else {
            (c % 200) as usize
        };
        assert!(city.push(&cities[k]));
        birth.push(if rng.random::<f64>() < 0.01 {
            MISSING_DATE
        } else {
            dob(c)
        });
        balance.push(if rng.random::<f64>() < 0.01 {
            f64::NAN
        } else {
            (9.0 + 1.5 * normal(&mut rng)).exp()
        });
        date.push(AS_OF - rng.random_range(0..180));
        amount.push((6.0 + 1.2 * normal(&mut rng)).exp());
    }
    let cols = vec![
        Column::text("TransactionID", txn_id),
        Column::text("CustomerID", cust_id),
        Column::date("CustomerDOB", birth),
        Column::text("CustGender", gender),
        Column::text("CustLocation", city),
        Column::number("CustAccountBalance", balance),
        Column::date("TransactionDate", date),
        Column::number("TransactionAmount (INR)", amount),
    ];
    Table::new(cols, SourceInfo::default())
}

// ---------------------------------------------------------------------------

fn stats(mut v: Vec<Duration>) -> (Duration, Duration) {
    v.sort();
    (v[0], v[v.len() / 2])
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let quick = args.iter().any(|a| a == "--quick");
    let only = |what: &str| {
        let picked: Vec<&String> = args.iter().filter(|a| a.starts_with("--only=")).collect();
        picked.is_empty()
            || picked
                .iter()
                .any(|a| a.trim_start_matches("--only=") == what)
    };
    let scale = if quick { 10 } else { 1 };
    let runs = 5;
    println!(
        "custseg bench_features: {} threads (rayon), {} runs each, best / median",
        rayon::current_num_threads(),
        runs
    );

    // --- Clean + Features on a customer table ---
    if only("customers") {
        bench_customers(1_000_000 / scale, runs);
    }

    // --- Aggregation of transaction logs ---
    let cases: &[(&str, usize, usize)] = &[
        ("agg5m1m", 5_000_000 / scale, 1_000_000 / scale),
        ("agg5m100k", 5_000_000 / scale, 100_000 / scale),
        ("agg1m100k", 1_000_000 / scale, 100_000 / scale),
    ];
    for &(name, rows, customers_n) in cases {
        if only(name) {
            bench_aggregate(rows, customers_n);
        }
    }
}

fn bench_customers(n: usize, runs: usize) {
    let t0 = Instant::now();
    let table = customers(n, 42);
    println!(
        "\n[customers] {n} rows x {} columns built in {} ({} of column data)",
        table.columns.len(),
        ms(t0.elapsed()),
        mib(table.heap_bytes())
    );
    let mapping = map_columns(&table, &MappingOptions::default()).expect("mapping");
    let (mut tc, mut tf, mut tt) = (Vec::new(), Vec::new(), Vec::new());
    let mut last = None;
    let cpu0 = cpu_time();
    for _ in 0..runs {
        let s = Instant::now();
        let c = clean(&table, &mapping, &CleanOptions::default()).expect("clean");
        let mid = Instant::now();
        let f = build_features(&c.table, &mapping, &FeatureOptions::default(), c.as_of.date)
            .expect("features");
        let end = Instant::now();
        tc.push(mid - s);
        tf.push(end - mid);
        tt.push(end - s);
        last = Some((c, f));
    }
    let cpu = cpu_time().zip(cpu0).map(|(a, b)| (a - b) / runs as u32);
    let (c, f) = last.expect("ran");
    let (b, m) = stats(tc);
    println!("  clean            {} / {}", ms(b), ms(m));
    let (b, m) = stats(tf);
    println!("  features         {} / {}", ms(b), ms(m));
    let (b, m) = stats(tt);
    println!("  clean + features {} / {}", ms(b), ms(m));
    if let Some(cpu) = cpu {
        println!(
            "  clean + features CPU time per run (all threads): {}",
            ms(cpu)
        );
    }
    println!(
        "  -> {} features ({} mode): {}",
        f.d,
        f.report.mode.name(),
        f.names.join(", ")
    );
    let invalid: usize = c.report.columns.iter().map(|c| c.invalid).sum();
    let imputed = c
        .report
        .columns
        .iter()
        .filter(|c| c.missing_before > c.missing_after)
        .count();
    println!("  -> {invalid} invalid values made missing, {imputed} columns imputed");
    assert!(f.scaled.iter().all(|x| x.is_finite()));
}

fn bench_aggregate(rows: usize, customers_n: usize) {
    {
        let t0 = Instant::now();
        let log = transactions(rows, customers_n, 7);
        let mapping = map_columns(&log, &MappingOptions::default()).expect("mapping");
        println!(
            "\n[transactions] {rows} rows, {customers_n} customers: built in {}, table {} of column data",
            ms(t0.elapsed()),
            mib(log.heap_bytes())
        );
        let s = Instant::now();
        let d = decide_input(&log, &mapping, InputKind::Auto).expect("decide");
        println!(
            "  auto input decision {}: aggregate = {} ({})",
            ms(s.elapsed()),
            d.aggregate,
            d.reason
        );
        let mut times = Vec::new();
        let mut cpus = Vec::new();
        let mut extra_peak = 0;
        let mut retained = 0;
        let mut out = None;
        for _ in 0..3 {
            drop(out.take()); // the previous run's output is not part of this one's baseline
            let base = reset_peak();
            let c0 = cpu_time();
            let s = Instant::now();
            let a = aggregate_transactions(
                &log,
                &mapping,
                &AggregateOptions::default(),
                None,
                &NoProgress,
            )
            .expect("aggregate");
            times.push(s.elapsed());
            if let (Some(a), Some(b)) = (cpu_time(), c0) {
                cpus.push(a - b);
            }
            extra_peak = peak() - base;
            retained = current().saturating_sub(base);
            out = Some(a);
        }
        let a = out.expect("ran");
        let (b, m) = stats(times);
        println!("  aggregate        {} / {}", ms(b), ms(m));
        if !cpus.is_empty() {
            let (b, m) = stats(cpus);
            println!("  aggregate CPU time (all threads) {} / {}", ms(b), ms(m));
        }
        println!(
            "  extra heap: peak {} during the call, {} kept (the customer table, {} of column data)",
            mib(extra_peak),
            mib(retained),
            mib(a.table.heap_bytes())
        );
        println!(
            "  -> {} customers; peak extra per customer {:.0} bytes, per transaction {:.1} bytes",
            a.report.customers_out,
            extra_peak as f64 / a.report.customers_out as f64,
            extra_peak as f64 / rows as f64
        );
        println!(
            "  -> disagreements: {}; not carried: {}",
            a.report
                .disagreements
                .iter()
                .map(|d| format!("{} {}", d.column, d.customers))
                .collect::<Vec<_>>()
                .join(", "),
            a.report
                .not_carried
                .iter()
                .map(|(c, _)| c.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
        let s = Instant::now();
        let c = clean(&a.table, &a.mapping, &CleanOptions::default()).expect("clean");
        let f = build_features(
            &c.table,
            &a.mapping,
            &FeatureOptions::default(),
            c.as_of.date,
        )
        .expect("features");
        println!(
            "  then clean + features {}: {}",
            ms(s.elapsed()),
            f.names.join(", ")
        );
    }
}
