//! The synthetic sample generator: determinism, formats, encodings, messy
//! mode, error paths, and that the planted segments are really there.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use custseg::Error;
use custseg::sample::{
    CUSTOMER_COLUMNS_CN, CUSTOMER_COLUMNS_EN, SampleEncoding, SampleFormat, SampleOptions,
    SampleSummary, Segment, TRANSACTION_COLUMNS_EN, default_as_of, write_sample,
};
use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::{Rng, SeedableRng};

fn opts(rows: usize, seed: u64) -> SampleOptions {
    SampleOptions {
        rows,
        seed,
        ..SampleOptions::default()
    }
}

fn gen_file(dir: &Path, name: &str, o: &SampleOptions) -> (PathBuf, SampleSummary, Vec<u8>) {
    let path = dir.join(name);
    let summary = write_sample(&path, o).expect("write_sample");
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(summary.bytes, bytes.len() as u64);
    assert_eq!(summary.path, path);
    (path, summary, bytes)
}

fn parse(text: &str, delim: u8) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::ReaderBuilder::new()
        .delimiter(delim)
        .has_headers(true)
        .from_reader(text.as_bytes());
    let headers = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r
        .records()
        .map(|rec| rec.unwrap().iter().map(String::from).collect())
        .collect();
    (headers, rows)
}

fn is_missing(s: &str) -> bool {
    matches!(s.trim(), "" | "NA" | "NULL" | "-")
}

#[test]
fn same_seed_same_bytes_different_seed_different_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let variants = [
        opts(500, 7),
        SampleOptions {
            chinese: true,
            encoding: SampleEncoding::Gbk,
            delimiter: b';',
            messy: true,
            ..opts(500, 7)
        },
        SampleOptions {
            format: SampleFormat::Transactions,
            messy: true,
            ..opts(800, 7)
        },
    ];
    for (i, o) in variants.iter().enumerate() {
        let (_, _, a) = gen_file(dir.path(), &format!("a{i}.csv"), o);
        let (_, _, b) = gen_file(dir.path(), &format!("b{i}.csv"), o);
        assert_eq!(a, b, "variant {i} not deterministic");
        let other = SampleOptions {
            seed: o.seed + 1,
            ..o.clone()
        };
        let (_, _, c) = gen_file(dir.path(), &format!("c{i}.csv"), &other);
        assert_ne!(a, c, "variant {i}: seed has no effect");
    }
    // XLSX too (fixed document creation date).
    let (_, _, a) = gen_file(dir.path(), "a.xlsx", &opts(300, 3));
    let (_, _, b) = gen_file(dir.path(), "b.xlsx", &opts(300, 3));
    assert_eq!(a, b, "xlsx not deterministic");
}

#[test]
fn messy_file_holds_the_same_customers_as_the_clean_one() {
    let dir = tempfile::tempdir().unwrap();
    let (_, clean, _) = gen_file(dir.path(), "clean.csv", &opts(1000, 9));
    let messy_opts = SampleOptions {
        messy: true,
        ..opts(1000, 9)
    };
    let (_, messy, _) = gen_file(dir.path(), "messy.csv", &messy_opts);
    let same = clean
        .segments
        .iter()
        .zip(&messy.segments)
        .filter(|(a, b)| a == b)
        .count();
    // Only the few duplicate rows may differ.
    assert!(same >= 990, "{same}");
}

#[test]
fn row_counts_and_english_headers() {
    let dir = tempfile::tempdir().unwrap();
    let (_, s, bytes) = gen_file(dir.path(), "c.csv", &opts(1234, 1));
    let text = String::from_utf8(bytes).unwrap();
    assert!(!text.starts_with('\u{feff}'), "no BOM");
    assert_eq!(text.lines().count(), 1235);
    assert!(!text.contains('\r'));
    let (headers, rows) = parse(&text, b',');
    assert_eq!(headers, CUSTOMER_COLUMNS_EN);
    assert_eq!(s.columns, CUSTOMER_COLUMNS_EN);
    assert_eq!(rows.len(), 1234);
    assert_eq!(s.rows, 1234);
    assert_eq!(s.customers, 1234);
    assert_eq!(s.segments.len(), 1234);
    assert_eq!(rows[0][0], "C0000001");
    assert_eq!(rows[1233][0], "C0001234");
    // Clean: every cell parses.
    for r in &rows {
        assert_eq!(r.len(), 10);
        let age: u32 = r[1].parse().unwrap();
        assert!((18..=90).contains(&age));
        assert!(r[2] == "M" || r[2] == "F");
        r[4].parse::<f64>().unwrap();
        r[5].parse::<u32>().unwrap();
        r[6].parse::<f64>().unwrap();
        let products: u32 = r[9].parse().unwrap();
        assert!((1..=8).contains(&products));
    }
    let counts = s.segment_counts();
    assert_eq!(counts.iter().sum::<usize>(), 1234);
    for seg in Segment::ALL {
        let share = counts[seg.index()] as f64 / 1234.0;
        assert!((share - seg.share()).abs() < 0.05, "{seg:?} {share}");
    }
}

#[test]
fn dates_are_ordered_and_not_after_as_of() {
    let dir = tempfile::tempdir().unwrap();
    let as_of = NaiveDate::from_ymd_opt(2023, 12, 31).unwrap();
    let o = SampleOptions {
        as_of,
        ..opts(2000, 5)
    };
    let (_, _, bytes) = gen_file(dir.path(), "c.csv", &o);
    let (_, rows) = parse(std::str::from_utf8(&bytes).unwrap(), b',');
    for r in &rows {
        let last = NaiveDate::parse_from_str(&r[7], "%Y-%m-%d").unwrap();
        let open = NaiveDate::parse_from_str(&r[8], "%Y-%m-%d").unwrap();
        assert!(last <= as_of, "{r:?}");
        assert!(open < last, "{r:?}");
        let recency = (as_of - last).num_days();
        assert!(recency <= 700);
        let count: u32 = r[5].parse().unwrap();
        assert_eq!(count == 0, recency > 365, "{r:?}");
    }
}

#[test]
fn chinese_gbk_semicolon_messy() {
    let dir = tempfile::tempdir().unwrap();
    let o = SampleOptions {
        chinese: true,
        encoding: SampleEncoding::Gbk,
        delimiter: b';',
        messy: true,
        crlf: true,
        ..opts(2000, 42)
    };
    let (_, s, bytes) = gen_file(dir.path(), "cn.csv", &o);
    assert!(
        std::str::from_utf8(&bytes).is_err(),
        "GBK file must not be valid UTF-8"
    );
    let (text, had_errors) = encoding_rs::GBK.decode_without_bom_handling(&bytes);
    assert!(!had_errors);
    assert!(text.contains("\r\n"));
    assert!(text.contains("北京分行"));
    assert!(text.contains('男') && text.contains('女'));
    assert!(text.contains('￥'), "full-width yen in GBK money");
    let (headers, rows) = parse(&text, b';');
    let mut expected: Vec<&str> = CUSTOMER_COLUMNS_CN.to_vec();
    expected.push("月收入");
    assert_eq!(headers, expected);
    assert_eq!(s.columns, expected);
    assert_eq!(rows.len(), 2000);
    assert!(rows.iter().all(|r| r.len() == 11), "semicolon split");
    check_messy(&rows);
}

/// What the cleaning stage is promised by a messy customer table.
fn check_messy(rows: &[Vec<String>]) {
    let n = rows.len() as f64;
    let missing_in = |col: usize| rows.iter().filter(|r| is_missing(&r[col])).count() as f64 / n;
    // Several columns with a few % missing.
    let few: Vec<usize> = (1..10)
        .filter(|&c| (0.005..0.08).contains(&missing_in(c)))
        .collect();
    assert!(few.len() >= 5, "columns with a few % missing: {few:?}");
    // Every missing token shows up.
    for tok in ["NA", "NULL", "-"] {
        assert!(rows.iter().any(|r| r.iter().any(|c| c == tok)), "{tok}");
    }
    assert!(rows.iter().any(|r| r[4].is_empty()));
    // One column mostly empty.
    let income_missing = missing_in(10);
    assert!(income_missing > 0.3, "{income_missing}");
    // Money with separators / currency, invalid ages, text in numbers, padding.
    assert!(rows.iter().any(|r| r[4].contains(',')));
    assert!(
        rows.iter()
            .any(|r| r[1].trim() == "-1" || r[1].trim() == "150")
    );
    assert!(
        rows.iter()
            .any(|r| matches!(r[9].as_str(), "unknown" | "未知")
                || matches!(r[5].as_str(), "unknown" | "未知"))
    );
    assert!(rows.iter().flatten().any(|c| c != c.trim()));
    // Duplicate customer ids.
    let mut seen = HashMap::new();
    for r in rows {
        *seen.entry(r[0].trim().to_string()).or_insert(0) += 1;
    }
    assert!(seen.values().filter(|&&c| c > 1).count() >= 2);
}

#[test]
fn english_messy_comma_quotes_grouped_money() {
    let dir = tempfile::tempdir().unwrap();
    let o = SampleOptions {
        messy: true,
        ..opts(3000, 11)
    };
    let (_, s, bytes) = gen_file(dir.path(), "m.csv", &o);
    let text = String::from_utf8(bytes).unwrap();
    assert!(
        text.contains("\"¥"),
        "grouped money is quoted when the delimiter is a comma"
    );
    let (headers, rows) = parse(&text, b',');
    assert_eq!(headers.last().unwrap(), "Income");
    assert!(rows.iter().all(|r| r.len() == 11));
    check_messy(&rows);
    assert!(s.customers < s.rows);
}

#[test]
fn transaction_log() {
    let dir = tempfile::tempdir().unwrap();
    let as_of = default_as_of();
    let o = SampleOptions {
        format: SampleFormat::Transactions,
        ..opts(5000, 3)
    };
    let (_, s, bytes) = gen_file(dir.path(), "t.csv", &o);
    let (headers, rows) = parse(std::str::from_utf8(&bytes).unwrap(), b',');
    assert_eq!(headers, TRANSACTION_COLUMNS_EN);
    assert_eq!(rows.len(), 5000);
    assert_eq!(s.customers, 1000);
    let dmy = |t: &str| {
        let parts: Vec<u32> = t.split('/').map(|p| p.parse().unwrap()).collect();
        let year = 2000 + parts[2] as i32;
        NaiveDate::from_ymd_opt(year, parts[1], parts[0]).unwrap()
    };
    let mut per_customer: HashMap<String, (String, String, Vec<f64>)> = HashMap::new();
    let mut ids = std::collections::HashSet::new();
    let mut prev_date = None;
    for r in &rows {
        assert!(ids.insert(r[0].clone()), "transaction ids unique");
        let date = dmy(&r[6]);
        assert!(date <= as_of);
        if let Some(p) = prev_date {
            assert!(date >= p, "log is in date order");
        }
        prev_date = Some(date);
        let amount: f64 = r[7].parse().unwrap();
        assert!(amount > 0.0);
        let balance: f64 = r[5].parse().unwrap();
        let e = per_customer
            .entry(r[1].clone())
            .or_insert_with(|| (r[2].clone(), r[3].clone(), Vec::new()));
        assert_eq!(e.0, r[2], "DOB consistent for {}", r[1]);
        assert_eq!(e.1, r[3], "gender consistent for {}", r[1]);
        e.2.push(balance);
    }
    assert_eq!(per_customer.len(), 1000);
    let repeated = per_customer.values().filter(|v| v.2.len() > 1).count();
    assert!(repeated > 500, "{repeated}");
    // Balance varies a little, not a lot.
    let mut varied = 0;
    for (_, _, b) in per_customer.values() {
        let (lo, hi) = b
            .iter()
            .fold((f64::MAX, f64::MIN), |(lo, hi), &x| (lo.min(x), hi.max(x)));
        if hi > lo {
            varied += 1;
        }
        assert!(hi <= lo * 1.5 + 1.0, "balance jumps: {lo} {hi}");
    }
    assert!(varied > 400);
    // Highly active customers have more transactions than dormant ones.
    let mut per_seg = [0usize; 5];
    for seg in &s.segments {
        per_seg[seg.index()] += 1;
    }
    assert!(per_seg[Segment::HighlyActive.index()] > 3 * per_seg[Segment::Dormant.index()]);
}

#[test]
fn transaction_log_messy_and_tiny() {
    let dir = tempfile::tempdir().unwrap();
    let o = SampleOptions {
        format: SampleFormat::Transactions,
        messy: true,
        true_segment: true,
        ..opts(3000, 4)
    };
    let (_, s, bytes) = gen_file(dir.path(), "t.csv", &o);
    let (headers, rows) = parse(std::str::from_utf8(&bytes).unwrap(), b',');
    assert_eq!(headers.len(), 10);
    assert_eq!(headers[8], "Income");
    assert_eq!(headers[9], "TrueSegment");
    let income_missing = rows.iter().filter(|r| is_missing(&r[8])).count();
    assert!(income_missing as f64 > 0.3 * rows.len() as f64);
    assert!(rows.iter().any(|r| is_missing(&r[2])));
    assert!(rows.iter().any(|r| r[2] == "1/1/1800"));
    for (r, seg) in rows.iter().zip(&s.segments) {
        assert_eq!(r[9], seg.name());
    }
    // Fewer rows than five per customer still works.
    for n in [1, 3, 7] {
        let o = SampleOptions {
            format: SampleFormat::Transactions,
            ..opts(n, 1)
        };
        let (_, s, bytes) = gen_file(dir.path(), &format!("tiny{n}.csv"), &o);
        assert_eq!(s.rows, n);
        assert_eq!(std::str::from_utf8(&bytes).unwrap().lines().count(), n + 1);
    }
}

#[test]
fn xlsx_has_two_sheets_real_dates_and_numbers() {
    use calamine::{Data, Reader, open_workbook_auto};
    let dir = tempfile::tempdir().unwrap();
    let (path, s, bytes) = gen_file(dir.path(), "c.xlsx", &opts(400, 8));
    assert_eq!(&bytes[..4], b"PK\x03\x04");
    assert_eq!(s.rows, 400);
    let mut wb = open_workbook_auto(&path).unwrap();
    assert_eq!(wb.sheet_names(), vec!["Customers", "Notes"]);
    let range = wb.worksheet_range("Customers").unwrap();
    assert_eq!(range.height(), 401);
    assert_eq!(range.width(), 10);
    let header: Vec<String> = range
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(header, CUSTOMER_COLUMNS_EN);
    let row = range.rows().nth(1).unwrap();
    assert_eq!(row[0], Data::String("C0000001".into()));
    assert!(matches!(row[1], Data::Float(_) | Data::Int(_)));
    assert!(matches!(row[4], Data::Float(_)));
    assert!(matches!(row[7], Data::DateTime(_)), "{:?}", row[7]);
    assert!(matches!(row[8], Data::DateTime(_)));
    let notes = wb.worksheet_range("Notes").unwrap();
    assert!(notes.height() >= 5);

    // Messy Chinese transaction log as XLSX: text where the value is messy.
    let o = SampleOptions {
        format: SampleFormat::Transactions,
        chinese: true,
        messy: true,
        ..opts(600, 8)
    };
    let (path, s, _) = gen_file(dir.path(), "t.xlsx", &o);
    let mut wb = open_workbook_auto(&path).unwrap();
    assert_eq!(wb.sheet_names(), vec!["Transactions", "Notes"]);
    let range = wb.worksheet_range("Transactions").unwrap();
    assert_eq!(range.height(), 601);
    assert_eq!(range.get((0, 1)), Some(&Data::String("客户ID".into())));
    assert_eq!(range.get((0, 8)), Some(&Data::String("月收入".into())));
    let genders: std::collections::HashSet<String> = range
        .rows()
        .skip(1)
        .map(|r| r[3].to_string().trim().to_string())
        .collect();
    assert!(
        genders.contains("男") && genders.contains("女"),
        "{genders:?}"
    );
    assert!(
        range
            .rows()
            .skip(1)
            .any(|r| matches!(r[6], Data::DateTime(_)))
    );
    assert!(
        range
            .rows()
            .skip(1)
            .any(|r| matches!(r[7], Data::String(_)))
    );
    assert_eq!(s.rows, 600);
}

#[test]
fn true_segment_column_matches_summary() {
    let dir = tempfile::tempdir().unwrap();
    let o = SampleOptions {
        true_segment: true,
        ..opts(300, 2)
    };
    let (_, s, bytes) = gen_file(dir.path(), "c.csv", &o);
    let (headers, rows) = parse(std::str::from_utf8(&bytes).unwrap(), b',');
    assert_eq!(headers.last().unwrap(), "TrueSegment");
    for (r, seg) in rows.iter().zip(&s.segments) {
        assert_eq!(r[10], seg.name());
    }
}

#[test]
fn bad_options_and_unwritable_paths_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.csv");
    assert!(matches!(
        write_sample(&path, &opts(0, 1)),
        Err(Error::Usage(_))
    ));
    let bad_delim = SampleOptions {
        delimiter: b'"',
        ..opts(10, 1)
    };
    assert!(matches!(
        write_sample(&path, &bad_delim),
        Err(Error::Usage(_))
    ));
    let non_ascii = SampleOptions {
        delimiter: 0xA7,
        ..opts(10, 1)
    };
    assert!(matches!(
        write_sample(&path, &non_ascii),
        Err(Error::Usage(_))
    ));
    let huge_xlsx = opts(2_000_000, 1);
    assert!(matches!(
        write_sample(&dir.path().join("x.xlsx"), &huge_xlsx),
        Err(Error::Usage(_))
    ));
    let missing_dir = dir.path().join("no/such/dir/x.csv");
    let err = write_sample(&missing_dir, &opts(10, 1)).unwrap_err();
    assert!(matches!(err, Error::Io { .. }), "{err:?}");
    assert!(err.to_string().contains("no/such/dir"), "{err}");
    // Writing onto a directory fails at the rename, leaving nothing behind.
    let target = dir.path().join("a_dir");
    std::fs::create_dir(&target).unwrap();
    std::fs::write(target.join("keep"), b"x").unwrap();
    assert!(write_sample(&target, &opts(10, 1)).is_err());
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        left,
        vec![std::ffi::OsString::from("a_dir")],
        "no temp files left"
    );
    // Unusual but legal delimiters quote what needs it.
    let dot = SampleOptions {
        delimiter: b'.',
        ..opts(50, 1)
    };
    let (_, _, bytes) = gen_file(dir.path(), "dot.csv", &dot);
    let (_, rows) = parse(std::str::from_utf8(&bytes).unwrap(), b'.');
    assert!(rows.iter().all(|r| r.len() == 10));
    rows[0][4].parse::<f64>().unwrap();
}

// ---------------------------------------------------------------------------
// The planted segments.

/// Features a segmentation would use: log balance, log frequency, log amount,
/// log recency, tenure, age, products.
fn features(rows: &[Vec<String>], as_of: NaiveDate) -> Vec<[f64; 7]> {
    rows.iter()
        .map(|r| {
            let last = NaiveDate::parse_from_str(&r[7], "%Y-%m-%d").unwrap();
            let open = NaiveDate::parse_from_str(&r[8], "%Y-%m-%d").unwrap();
            let num = |i: usize| r[i].parse::<f64>().unwrap();
            [
                num(4).ln_1p(),
                num(5).ln_1p(),
                num(6).ln_1p(),
                ((as_of - last).num_days() as f64).ln_1p(),
                (as_of - open).num_days() as f64 / 365.25,
                num(1),
                num(9),
            ]
        })
        .collect()
}

fn standardise(x: &mut [[f64; 7]]) {
    let n = x.len() as f64;
    for j in 0..7 {
        let mean = x.iter().map(|r| r[j]).sum::<f64>() / n;
        let sd = (x.iter().map(|r| (r[j] - mean).powi(2)).sum::<f64>() / n).sqrt();
        for r in x.iter_mut() {
            r[j] = (r[j] - mean) / sd;
        }
    }
}

fn dist2(a: &[f64; 7], b: &[f64; 7]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y).powi(2)).sum()
}

/// Plain k-means++ / Lloyd, best of a few restarts (test-only; the real one
/// lives in the pipeline).
fn kmeans(x: &[[f64; 7]], k: usize, seed: u64) -> Vec<usize> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut unif = move || (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
    let mut best = (f64::MAX, Vec::new());
    for _ in 0..8 {
        let mut centres = vec![x[(unif() * x.len() as f64) as usize]];
        while centres.len() < k {
            let d: Vec<f64> = x
                .iter()
                .map(|p| centres.iter().map(|c| dist2(p, c)).fold(f64::MAX, f64::min))
                .collect();
            let total: f64 = d.iter().sum();
            let mut t = unif() * total;
            let mut pick = x.len() - 1;
            for (i, di) in d.iter().enumerate() {
                if t < *di {
                    pick = i;
                    break;
                }
                t -= di;
            }
            centres.push(x[pick]);
        }
        let mut labels = vec![0; x.len()];
        for _ in 0..100 {
            let mut changed = false;
            for (i, p) in x.iter().enumerate() {
                let l = (0..k)
                    .min_by(|&a, &b| dist2(p, &centres[a]).total_cmp(&dist2(p, &centres[b])))
                    .unwrap();
                if l != labels[i] {
                    labels[i] = l;
                    changed = true;
                }
            }
            let mut sums = vec![[0.0; 7]; k];
            let mut counts = vec![0usize; k];
            for (p, &l) in x.iter().zip(&labels) {
                counts[l] += 1;
                for j in 0..7 {
                    sums[l][j] += p[j];
                }
            }
            for c in 0..k {
                if counts[c] > 0 {
                    for j in 0..7 {
                        centres[c][j] = sums[c][j] / counts[c] as f64;
                    }
                }
            }
            if !changed {
                break;
            }
        }
        let inertia: f64 = x
            .iter()
            .zip(&labels)
            .map(|(p, &l)| dist2(p, &centres[l]))
            .sum();
        if inertia < best.0 {
            best = (inertia, labels);
        }
    }
    best.1
}

fn adjusted_rand_index(a: &[usize], b: &[usize]) -> f64 {
    let comb2 = |n: usize| (n * n.saturating_sub(1)) as f64 / 2.0;
    let mut table: HashMap<(usize, usize), usize> = HashMap::new();
    let mut ra: HashMap<usize, usize> = HashMap::new();
    let mut rb: HashMap<usize, usize> = HashMap::new();
    for (&x, &y) in a.iter().zip(b) {
        *table.entry((x, y)).or_default() += 1;
        *ra.entry(x).or_default() += 1;
        *rb.entry(y).or_default() += 1;
    }
    let index: f64 = table.values().map(|&n| comb2(n)).sum();
    let sa: f64 = ra.values().map(|&n| comb2(n)).sum();
    let sb: f64 = rb.values().map(|&n| comb2(n)).sum();
    let expected = sa * sb / comb2(a.len());
    let max = (sa + sb) / 2.0;
    (index - expected) / (max - expected)
}

#[test]
fn planted_segments_differ_as_described_and_are_recoverable() {
    let dir = tempfile::tempdir().unwrap();
    let as_of = default_as_of();
    let (_, s, bytes) = gen_file(dir.path(), "c.csv", &opts(3000, 42));
    let (_, rows) = parse(std::str::from_utf8(&bytes).unwrap(), b',');
    let seg = &s.segments;

    // Medians per segment of a column.
    let median = |col: usize, want: Segment| {
        let mut v: Vec<f64> = rows
            .iter()
            .zip(seg)
            .filter(|(_, s)| **s == want)
            .map(|(r, _)| {
                if col == 7 {
                    let d = NaiveDate::parse_from_str(&r[7], "%Y-%m-%d").unwrap();
                    (as_of - d).num_days() as f64
                } else {
                    r[col].parse::<f64>().unwrap()
                }
            })
            .collect();
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    use Segment::*;
    // Balance: high value >> stable > active > young > dormant.
    let bal = |s| median(4, s);
    assert!(bal(HighValue) > 4.0 * bal(Stable));
    assert!(bal(Stable) > bal(HighlyActive));
    assert!(bal(HighlyActive) > 3.0 * bal(YoungPotential));
    assert!(bal(YoungPotential) > 3.0 * bal(Dormant));
    // Frequency: highly active far ahead; dormant lowest.
    let cnt = |s| median(5, s);
    assert!(cnt(HighlyActive) > 3.0 * cnt(YoungPotential));
    assert!(cnt(Dormant) <= 3.0);
    // Recency: dormant 200+ days, active within days.
    assert!(median(7, Dormant) >= 200.0);
    assert!(median(7, HighlyActive) <= 3.0);
    // Age.
    assert!(median(1, YoungPotential) <= 32.0);
    assert!(median(1, HighValue) >= 45.0);
    // Products.
    assert!(median(9, HighValue) >= 5.0);
    assert!(median(9, Dormant) <= 2.0);

    // The top balance decile is dominated by the high-value segment.
    let mut order: Vec<usize> = (0..rows.len()).collect();
    order.sort_by(|&a, &b| {
        let fa: f64 = rows[a][4].parse().unwrap();
        let fb: f64 = rows[b][4].parse().unwrap();
        fb.total_cmp(&fa)
    });
    let top = &order[..rows.len() / 10];
    let hv = top.iter().filter(|&&i| seg[i] == HighValue).count();
    assert!(hv as f64 > 0.8 * top.len() as f64, "{hv} of {}", top.len());

    // Not trivially identical rows.
    let distinct: std::collections::HashSet<&[String]> = rows.iter().map(|r| &r[1..]).collect();
    assert_eq!(distinct.len(), rows.len());

    // K-Means on log / standardised features recovers them.
    let mut x = features(&rows, as_of);
    standardise(&mut x);
    let labels = kmeans(&x, 5, 1);
    let truth: Vec<usize> = seg.iter().map(|s| s.index()).collect();
    let ari = adjusted_rand_index(&labels, &truth);
    assert!(ari > 0.8, "ARI {ari}");
}

#[test]
fn committed_samples_are_what_the_generator_writes() {
    // The files under samples/ must be regenerated (examples/gen_samples.rs)
    // whenever the generator changes.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples");
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("customers_en.csv", opts(3000, 42)),
        (
            "customers_cn_gbk.csv",
            SampleOptions {
                chinese: true,
                encoding: SampleEncoding::Gbk,
                delimiter: b';',
                messy: true,
                crlf: true,
                ..opts(2000, 42)
            },
        ),
        ("customers.xlsx", opts(1500, 42)),
        (
            "transactions.csv",
            SampleOptions {
                format: SampleFormat::Transactions,
                ..opts(10_000, 42)
            },
        ),
    ];
    for (name, o) in &cases {
        let committed = std::fs::read(root.join(name)).unwrap();
        let (_, _, fresh) = gen_file(dir.path(), name, o);
        assert!(
            committed == fresh,
            "samples/{name} is stale: run `cargo run --release --example gen_samples`"
        );
    }
}

/// The commands samples/README.md gives write the committed files byte for
/// byte, so a user can regenerate any of them with the CLI alone.
#[test]
fn the_readme_commands_write_the_committed_samples() {
    let dir = tempfile::tempdir().unwrap();
    let readme = std::fs::read_to_string("samples/README.md").unwrap();
    let commands: Vec<&str> = readme
        .lines()
        .filter(|l| l.starts_with("custseg sample "))
        .collect();
    assert_eq!(commands.len(), 4, "{commands:?}");
    for line in commands {
        let mut args: Vec<String> = line
            .split_whitespace()
            .skip(1)
            .map(|a| a.trim_matches('\'').to_string())
            .collect();
        let at = args.iter().position(|a| a == "--out").unwrap() + 1;
        let committed = PathBuf::from(&args[at]);
        let written = dir.path().join(committed.file_name().unwrap());
        args[at] = written.to_str().unwrap().to_string();
        let status = std::process::Command::new(env!("CARGO_BIN_EXE_custseg"))
            .args(&args)
            .stderr(std::process::Stdio::null())
            .status()
            .unwrap();
        assert!(status.success(), "{line}");
        assert!(
            std::fs::read(&written).unwrap() == std::fs::read(&committed).unwrap(),
            "{line} does not write {}",
            committed.display()
        );
    }
}

// ---- the bundled sample (issue 17: an installed binary started with no file)

mod bundled {
    use custseg::sample::bundled::{
        BUNDLED_CSV, BUNDLED_CUSTOMERS, BUNDLED_NAME, Placement, place_bundled,
    };
    use std::path::Path;

    const COMMITTED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/samples/customers_en.csv");

    fn read(p: &Path) -> Vec<u8> {
        std::fs::read(p).unwrap()
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn the_embedded_bytes_are_the_committed_sample() {
        assert_eq!(BUNDLED_CSV, read(Path::new(COMMITTED)).as_slice());
        assert_eq!(BUNDLED_NAME, "customers_en.csv");
        // Header plus one line per customer, as the Load screen says.
        let lines = BUNDLED_CSV.iter().filter(|&&b| b == b'\n').count();
        assert_eq!(lines, BUNDLED_CUSTOMERS + 1);
    }

    #[test]
    fn written_under_its_name_in_an_empty_folder_then_reused() {
        let here = tempfile::tempdir().unwrap();
        let temp = tempfile::tempdir().unwrap();
        let placed = place_bundled(here.path(), temp.path()).unwrap();
        assert_eq!(placed.path, here.path().join(BUNDLED_NAME));
        assert_eq!(placed.how, Placement::Written);
        assert_eq!(read(&placed.path), BUNDLED_CSV);
        // Nothing else is left behind (no temporary file), nothing in temp.
        assert_eq!(names(here.path()), [BUNDLED_NAME]);
        assert!(names(temp.path()).is_empty());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&placed.path)
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "owner-only like every output");
        }
        // Again: the same file is used, no second copy.
        let again = place_bundled(here.path(), temp.path()).unwrap();
        assert_eq!(again.path, placed.path);
        assert_eq!(again.how, Placement::AlreadyThere);
        assert_eq!(names(here.path()), [BUNDLED_NAME]);
    }

    /// Whatever already holds the name (the user's own file, a truncated or
    /// altered copy of the sample, a folder, a link, a FIFO) is left exactly
    /// as it was; the sample takes the next free name.
    #[test]
    fn nothing_already_there_is_ever_replaced() {
        let mut altered = BUNDLED_CSV.to_vec();
        let last = altered.len() - 2;
        altered[last] = if altered[last] == b'1' { b'2' } else { b'1' };
        let contents: Vec<(&str, Vec<u8>)> = vec![
            ("the user's own customers", b"id,balance\n1,2\n".to_vec()),
            ("empty", Vec::new()),
            (
                "truncated sample",
                BUNDLED_CSV[..BUNDLED_CSV.len() / 2].to_vec(),
            ),
            ("same size, one byte differs", altered),
        ];
        for (what, bytes) in &contents {
            let here = tempfile::tempdir().unwrap();
            let temp = tempfile::tempdir().unwrap();
            let mine = here.path().join(BUNDLED_NAME);
            std::fs::write(&mine, bytes).unwrap();
            let placed = place_bundled(here.path(), temp.path()).unwrap();
            assert_eq!(read(&mine), *bytes, "{what}: left as it was");
            assert_eq!(
                placed.path,
                here.path().join("customers_en-2.csv"),
                "{what}"
            );
            assert_eq!(
                placed.how,
                Placement::NameTaken {
                    taken: mine.clone()
                },
                "{what}"
            );
            assert_eq!(read(&placed.path), BUNDLED_CSV, "{what}");
            // A second time: the copy made the first time, no third file.
            let again = place_bundled(here.path(), temp.path()).unwrap();
            assert_eq!(again.path, placed.path, "{what}");
            assert_eq!(
                names(here.path()).len(),
                2,
                "{what}: {:?}",
                names(here.path())
            );
        }
        // Not regular files: a folder, a dangling link, a link to the sample, a FIFO.
        let here = tempfile::tempdir().unwrap();
        let temp = tempfile::tempdir().unwrap();
        std::fs::create_dir(here.path().join(BUNDLED_NAME)).unwrap();
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(
                "/nonexistent/x.csv",
                here.path().join("customers_en-2.csv"),
            )
            .unwrap();
            std::os::unix::fs::symlink(COMMITTED, here.path().join("customers_en-3.csv")).unwrap();
            let fifo =
                std::ffi::CString::new(here.path().join("customers_en-4.csv").to_str().unwrap())
                    .unwrap();
            // SAFETY: a valid NUL-terminated path; mkfifo only creates a node.
            assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o600) }, 0);
        }
        let placed = place_bundled(here.path(), temp.path()).unwrap();
        assert!(here.path().join(BUNDLED_NAME).is_dir());
        #[cfg(unix)]
        {
            assert_eq!(placed.path, here.path().join("customers_en-5.csv"));
            let link = std::fs::read_link(here.path().join("customers_en-2.csv")).unwrap();
            assert_eq!(link, Path::new("/nonexistent/x.csv"), "the link is kept");
            assert_eq!(
                read(Path::new(COMMITTED)),
                BUNDLED_CSV,
                "never written through a link"
            );
        }
        assert_eq!(read(&placed.path), BUNDLED_CSV);
    }

    /// A folder that cannot take the file (here: a path under a regular
    /// file, which fails for root too): a new private folder in temp.
    #[test]
    fn an_unwritable_folder_sends_it_to_a_private_temp_folder() {
        let base = tempfile::tempdir().unwrap();
        let temp = tempfile::tempdir().unwrap();
        let not_a_dir = base.path().join("file.txt");
        std::fs::write(&not_a_dir, "x").unwrap();
        let gone = base.path().join("removed");
        for here in [not_a_dir.clone(), gone] {
            let placed = place_bundled(&here, temp.path()).unwrap();
            let Placement::Elsewhere { folder, reason } = &placed.how else {
                panic!("{here:?}: {placed:?}");
            };
            assert_eq!(folder.parent(), Some(temp.path()));
            assert!(
                folder
                    .file_name()
                    .unwrap()
                    .to_str()
                    .unwrap()
                    .starts_with("custseg-sample-"),
                "{folder:?}"
            );
            assert_eq!(placed.path, folder.join(BUNDLED_NAME));
            assert_eq!(read(&placed.path), BUNDLED_CSV);
            assert!(
                matches!(
                    reason,
                    std::io::ErrorKind::NotADirectory | std::io::ErrorKind::NotFound
                ),
                "{reason:?}"
            );
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let mode = std::fs::metadata(folder).unwrap().permissions().mode();
                assert_eq!(mode & 0o777, 0o700, "a folder only the user can read");
            }
        }
        assert_eq!(read(&not_a_dir), b"x");
        assert_eq!(names(temp.path()).len(), 2, "one new folder per placement");
        // Neither writable: an error naming both places, nothing written.
        let err = place_bundled(&not_a_dir, &not_a_dir)
            .unwrap_err()
            .to_string();
        assert!(err.contains("writing the bundled sample"), "{err}");
        assert!(err.contains("file.txt"), "{err}");
        assert_eq!(read(&not_a_dir), b"x");
    }
}
