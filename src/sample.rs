//! Synthetic bank customers with planted segments, for demos, tests and
//! benchmarks.
//!
//! [`write_sample`] writes either a customer table (one row per customer) or
//! a transaction log (one row per transaction, in the style of the well-known
//! Kaggle "bank customer transactions" data set), as CSV (UTF-8 or GBK, any
//! ASCII delimiter) or XLSX. Everything is drawn from a ChaCha8 generator
//! seeded with [`SampleOptions::seed`]: the same options give a byte-identical
//! file.
//!
//! Every customer belongs to one of five planted [`Segment`]s, mixed
//! 10/20/30/20/20 %. The segments differ clearly on balance, activity,
//! recency, tenure, age and product count (all money and counts log-normal,
//! right-skewed as in real bank data), so K-Means on log-scaled, standardised
//! features recovers them; the planted segment of every written row is
//! returned in [`SampleSummary::segments`] and can be written as a hidden
//! `TrueSegment` column ([`SampleOptions::true_segment`]).
//!
//! With [`SampleOptions::messy`] the file also gets what real exports have:
//! missing cells (empty, `NA`, `NULL`, `-`), money with currency signs and
//! thousands separators, impossible ages, `unknown` in numeric columns,
//! whitespace around values, a few dates in another format, duplicated
//! customer ids and an `Income` column that is mostly empty.

use std::fmt::Write as _;
use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{Datelike, Days, NaiveDate};
use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::{Rng, SeedableRng};

use crate::{Error, Result};

/// What kind of table to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SampleFormat {
    /// One row per customer (`CustomerID`, `Age`, `AccountBalance`, ...).
    #[default]
    Customers,
    /// One row per transaction (`TransactionID`, `CustomerID`, `CustomerDOB`, ...),
    /// about five transactions per customer on average.
    Transactions,
}

/// Text encoding of a CSV sample (XLSX files ignore it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SampleEncoding {
    /// UTF-8 without BOM.
    #[default]
    Utf8,
    /// GBK, as many Chinese bank systems still export.
    Gbk,
}

/// Options for [`write_sample`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SampleOptions {
    /// Data rows to write (customers, or transactions), header excluded. Must be > 0.
    pub rows: usize,
    /// Seed of every random choice.
    pub seed: u64,
    /// Chinese headers and values (客户ID, 男/女, 北京分行, ...).
    pub chinese: bool,
    /// CSV text encoding.
    pub encoding: SampleEncoding,
    /// CSV field delimiter; any ASCII byte except `"`, CR and LF.
    pub delimiter: u8,
    /// Customer table or transaction log.
    pub format: SampleFormat,
    /// Inject missing and messy values (see the module docs).
    pub messy: bool,
    /// The extraction date: every date in the file is on or before it.
    pub as_of: NaiveDate,
    /// Append a `TrueSegment` column holding the planted segment (off by default).
    pub true_segment: bool,
    /// End CSV lines with CRLF instead of LF.
    pub crlf: bool,
}

/// The default extraction date, 2024-06-30.
pub fn default_as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 6, 30).expect("valid date")
}

impl Default for SampleOptions {
    fn default() -> Self {
        SampleOptions {
            rows: 1000,
            seed: 42,
            chinese: false,
            encoding: SampleEncoding::Utf8,
            delimiter: b',',
            format: SampleFormat::Customers,
            messy: false,
            as_of: default_as_of(),
            true_segment: false,
            crlf: false,
        }
    }
}

/// A planted customer segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Segment {
    /// High balance (~800k), moderate activity, long tenure, many products, age 45-65.
    HighValue = 0,
    /// Age 22-32, low balance, fairly active, short tenure, few products.
    YoungPotential = 1,
    /// Middle age, medium balance, long tenure, steady medium-low activity.
    Stable = 2,
    /// Very many and large transactions, medium balance, very recent.
    HighlyActive = 3,
    /// Last transaction 200-700 days ago, hardly any activity, low balance.
    Dormant = 4,
}

impl Segment {
    /// All segments, in index order.
    pub const ALL: [Segment; 5] = [
        Segment::HighValue,
        Segment::YoungPotential,
        Segment::Stable,
        Segment::HighlyActive,
        Segment::Dormant,
    ];

    /// 0..5, the position in [`Segment::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// Machine name, as written in the `TrueSegment` column.
    pub fn name(self) -> &'static str {
        match self {
            Segment::HighValue => "high_value",
            Segment::YoungPotential => "young_potential",
            Segment::Stable => "stable",
            Segment::HighlyActive => "highly_active",
            Segment::Dormant => "dormant",
        }
    }

    /// Chinese name.
    pub fn name_cn(self) -> &'static str {
        match self {
            Segment::HighValue => "高价值客户",
            Segment::YoungPotential => "年轻潜力客户",
            Segment::Stable => "稳定客户",
            Segment::HighlyActive => "高活跃客户",
            Segment::Dormant => "沉睡客户",
        }
    }

    /// Expected share of customers in this segment.
    pub fn share(self) -> f64 {
        params(self).share
    }
}

/// What [`write_sample`] wrote.
#[derive(Debug, Clone)]
pub struct SampleSummary {
    /// The file written.
    pub path: PathBuf,
    /// Data rows written (header excluded).
    pub rows: usize,
    /// Distinct customer ids in the file.
    pub customers: usize,
    /// Header names, in file order.
    pub columns: Vec<String>,
    /// Planted segment of every data row, in file order.
    pub segments: Vec<Segment>,
    /// Size of the file in bytes.
    pub bytes: u64,
}

impl SampleSummary {
    /// Rows per segment, indexed by [`Segment::index`].
    pub fn segment_counts(&self) -> [usize; 5] {
        let mut counts = [0; 5];
        for s in &self.segments {
            counts[s.index()] += 1;
        }
        counts
    }
}

/// One generated customer, before any messy formatting.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SampleCustomer {
    /// 1-based number; the id is `C` followed by it, zero-padded to 7 digits.
    pub number: u64,
    pub segment: Segment,
    pub age: u32,
    pub male: bool,
    /// Index into [`BRANCHES`].
    pub branch: usize,
    pub balance_cents: i64,
    pub txn_count_12m: u32,
    pub txn_amount_12m_cents: i64,
    pub last_txn: NaiveDate,
    pub open_date: NaiveDate,
    pub products: u32,
    /// Monthly income.
    pub income_cents: i64,
}

impl SampleCustomer {
    /// `C0000001` style id.
    pub fn id(&self) -> String {
        let mut s = String::new();
        push_customer_id(&mut s, self.number);
        s
    }
}

/// Branch cities: (English, Chinese branch name, relative weight).
pub const BRANCHES: [(&str, &str, u32); 10] = [
    ("Beijing", "北京分行", 16),
    ("Shanghai", "上海分行", 16),
    ("Shenzhen", "深圳分行", 12),
    ("Guangzhou", "广州分行", 12),
    ("Hangzhou", "杭州分行", 9),
    ("Chengdu", "成都分行", 9),
    ("Wuhan", "武汉分行", 7),
    ("Nanjing", "南京分行", 7),
    ("Xi'an", "西安分行", 6),
    ("Tianjin", "天津分行", 6),
];

/// Customer table headers, English.
pub const CUSTOMER_COLUMNS_EN: [&str; 10] = [
    "CustomerID",
    "Age",
    "Gender",
    "Branch",
    "AccountBalance",
    "TxnCount12M",
    "TxnAmount12M",
    "LastTxnDate",
    "OpenDate",
    "ProductCount",
];

/// Customer table headers, Chinese.
pub const CUSTOMER_COLUMNS_CN: [&str; 10] = [
    "客户ID",
    "年龄",
    "性别",
    "网点",
    "资产余额",
    "交易次数",
    "交易金额",
    "最近交易日期",
    "开户日期",
    "持有产品数",
];

/// Transaction log headers, English (as in the Kaggle data set).
pub const TRANSACTION_COLUMNS_EN: [&str; 8] = [
    "TransactionID",
    "CustomerID",
    "CustomerDOB",
    "CustGender",
    "CustLocation",
    "CustAccountBalance",
    "TransactionDate",
    "TransactionAmount (INR)",
];

/// Transaction log headers, Chinese.
pub const TRANSACTION_COLUMNS_CN: [&str; 8] = [
    "交易编号",
    "客户ID",
    "出生日期",
    "性别",
    "所在城市",
    "账户余额",
    "交易日期",
    "交易金额",
];

/// Extra column written in messy mode only, with more than 30 % missing.
pub const INCOME_COLUMN_EN: &str = "Income";
/// Chinese name of the messy-mode income column.
pub const INCOME_COLUMN_CN: &str = "月收入";
/// Name of the optional planted-segment column.
pub const TRUE_SEGMENT_COLUMN: &str = "TrueSegment";

/// Largest number of data rows an XLSX sheet can hold (one row is the header).
pub const XLSX_MAX_ROWS: usize = 1_048_575;

// ---------------------------------------------------------------------------
// Random numbers: only ChaCha8's raw stream is used, so the output does not
// depend on how `rand` maps words to floats or ranges.

struct Draw {
    rng: ChaCha8Rng,
    spare: Option<f64>,
}

impl Draw {
    fn new(seed: u64, stream: u64) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(stream);
        Draw { rng, spare: None }
    }

    /// Uniform in [0, 1).
    fn uniform(&mut self) -> f64 {
        (self.rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in lo..hi (floats).
    fn between(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.uniform()
    }

    /// Uniform integer in 0..n (n > 0).
    fn below(&mut self, n: u64) -> u64 {
        ((self.rng.next_u64() as u128 * n as u128) >> 64) as u64
    }

    fn chance(&mut self, p: f64) -> bool {
        self.uniform() < p
    }

    /// Standard normal (Box-Muller).
    fn normal(&mut self) -> f64 {
        if let Some(z) = self.spare.take() {
            return z;
        }
        let u1 = 1.0 - self.uniform(); // (0, 1]
        let u2 = self.uniform();
        let r = (-2.0 * u1.ln()).sqrt();
        let (s, c) = (std::f64::consts::TAU * u2).sin_cos();
        self.spare = Some(r * s);
        r * c
    }

    fn gauss(&mut self, mean: f64, sd: f64) -> f64 {
        mean + sd * self.normal()
    }

    /// Log-normal with the given median and log-scale sigma.
    fn lognormal(&mut self, median: f64, sigma: f64) -> f64 {
        median * (sigma * self.normal()).exp()
    }

    fn exponential(&mut self, mean: f64) -> f64 {
        -mean * (1.0 - self.uniform()).ln()
    }

    /// Index drawn with the given integer weights.
    fn weighted(&mut self, weights: impl Iterator<Item = u32> + Clone) -> usize {
        let total: u64 = weights.clone().map(u64::from).sum();
        let mut x = self.below(total);
        for (i, w) in weights.enumerate() {
            let w = u64::from(w);
            if x < w {
                return i;
            }
            x -= w;
        }
        unreachable!("weights are positive")
    }
}

// ---------------------------------------------------------------------------
// Segment parameters.

enum Recency {
    /// Exponential with this mean in days, capped.
    Exp { mean: f64, max: f64 },
    /// Uniform in lo..hi days.
    Uniform { lo: f64, hi: f64 },
}

struct SegParams {
    share: f64,
    age: (f64, f64, f64, f64), // mean, sd, min, max
    male: f64,
    balance: (f64, f64), // median, sigma
    count: (f64, f64),   // median, sigma (transactions in 12 months)
    ticket: (f64, f64),  // median, sigma (average transaction amount)
    recency: Recency,
    tenure: (f64, f64, f64, f64), // years: mean, sd, min, max
    products: (f64, f64, u32, u32),
    income: (f64, f64),
    /// Relative number of transactions in the transaction log.
    txn_weight: f64,
}

fn params(s: Segment) -> &'static SegParams {
    static P: [SegParams; 5] = [
        SegParams {
            share: 0.10,
            age: (55.0, 5.5, 42.0, 72.0),
            male: 0.56,
            balance: (800_000.0, 0.45),
            count: (55.0, 0.35),
            ticket: (12_000.0, 0.5),
            recency: Recency::Exp {
                mean: 15.0,
                max: 120.0,
            },
            tenure: (15.0, 4.0, 6.0, 30.0),
            products: (5.6, 1.1, 4, 8),
            income: (60_000.0, 0.5),
            txn_weight: 5.0,
        },
        SegParams {
            share: 0.20,
            age: (27.0, 2.8, 22.0, 32.0),
            male: 0.5,
            balance: (15_000.0, 0.7),
            count: (75.0, 0.4),
            ticket: (350.0, 0.5),
            recency: Recency::Exp {
                mean: 8.0,
                max: 60.0,
            },
            tenure: (1.5, 0.8, 0.25, 3.5),
            products: (1.6, 0.7, 1, 3),
            income: (8_000.0, 0.4),
            txn_weight: 6.0,
        },
        SegParams {
            share: 0.30,
            age: (46.0, 6.0, 33.0, 62.0),
            male: 0.5,
            balance: (120_000.0, 0.5),
            count: (28.0, 0.35),
            ticket: (1_800.0, 0.5),
            recency: Recency::Exp {
                mean: 25.0,
                max: 150.0,
            },
            tenure: (12.0, 3.0, 6.0, 25.0),
            products: (3.2, 0.8, 2, 5),
            income: (15_000.0, 0.4),
            txn_weight: 3.0,
        },
        SegParams {
            share: 0.20,
            age: (36.0, 5.5, 24.0, 52.0),
            male: 0.52,
            balance: (80_000.0, 0.5),
            count: (420.0, 0.35),
            ticket: (1_400.0, 0.5),
            recency: Recency::Exp {
                mean: 2.0,
                max: 14.0,
            },
            tenure: (5.0, 1.5, 2.0, 10.0),
            products: (3.5, 0.8, 2, 6),
            income: (22_000.0, 0.45),
            txn_weight: 15.0,
        },
        SegParams {
            share: 0.20,
            age: (50.0, 13.0, 22.0, 80.0),
            male: 0.48,
            balance: (2_000.0, 1.0),
            count: (2.0, 0.6),
            ticket: (500.0, 0.7),
            recency: Recency::Uniform {
                lo: 200.0,
                hi: 700.0,
            },
            tenure: (9.0, 4.0, 2.0, 30.0),
            products: (1.2, 0.5, 1, 2),
            income: (5_000.0, 0.6),
            txn_weight: 0.6,
        },
    ];
    &P[s.index()]
}

fn cents(x: f64) -> i64 {
    (x * 100.0).round() as i64
}

fn days_before(as_of: NaiveDate, days: u64) -> NaiveDate {
    as_of
        .checked_sub_days(Days::new(days))
        .unwrap_or(NaiveDate::MIN)
}

/// The clean customer stream behind the customer table: the `n`th customer
/// depends only on the seed, `as_of` and `n`'s predecessors.
pub struct SampleCustomers {
    draw: Draw,
    as_of: NaiveDate,
    next_number: u64,
    remaining: usize,
}

/// `count` clean customers drawn from `seed` (the same customers, in the same
/// order, as a clean customer table written with that seed).
pub fn sample_customers(count: usize, seed: u64, as_of: NaiveDate) -> SampleCustomers {
    SampleCustomers {
        draw: Draw::new(seed, 0),
        as_of,
        next_number: 1,
        remaining: count,
    }
}

impl SampleCustomers {
    fn generate(&mut self) -> SampleCustomer {
        let d = &mut self.draw;
        let u = d.uniform();
        let mut acc = 0.0;
        let mut segment = Segment::Dormant;
        for s in Segment::ALL {
            acc += params(s).share;
            if u < acc {
                segment = s;
                break;
            }
        }
        let p = params(segment);

        let age = d.gauss(p.age.0, p.age.1).clamp(p.age.2, p.age.3).round() as u32;
        let male = d.chance(p.male);
        let branch = d.weighted(BRANCHES.iter().map(|b| b.2));
        let balance = d.lognormal(p.balance.0, p.balance.1);

        let recency = match p.recency {
            Recency::Exp { mean, max } => d.exponential(mean).min(max),
            Recency::Uniform { lo, hi } => d.between(lo, hi),
        }
        .floor() as u64;

        let (count, amount) = if recency > 365 {
            // Nothing in the last twelve months.
            (0, 0)
        } else {
            let count = d.lognormal(p.count.0, p.count.1).round().max(1.0) as u32;
            let ticket = d.lognormal(p.ticket.0, p.ticket.1);
            (count, cents(ticket * f64::from(count)))
        };

        // Tenure: at most (age - 18) years, and the account was opened at
        // least 30 days before the last transaction.
        let max_years = (f64::from(age) - 18.0).max(0.5);
        let years = d
            .gauss(p.tenure.0, p.tenure.1)
            .clamp(p.tenure.2, p.tenure.3)
            .min(max_years);
        let tenure_days = ((years * 365.25) as u64).max(recency + 30 + d.below(120));

        let products = d
            .gauss(p.products.0, p.products.1)
            .round()
            .clamp(f64::from(p.products.2), f64::from(p.products.3)) as u32;
        let income = d.lognormal(p.income.0, p.income.1);

        let number = self.next_number;
        self.next_number += 1;
        SampleCustomer {
            number,
            segment,
            age,
            male,
            branch,
            balance_cents: cents(balance),
            txn_count_12m: count,
            txn_amount_12m_cents: amount,
            last_txn: days_before(self.as_of, recency),
            open_date: days_before(self.as_of, tenure_days),
            products,
            income_cents: cents(income),
        }
    }
}

impl Iterator for SampleCustomers {
    type Item = SampleCustomer;

    fn next(&mut self) -> Option<SampleCustomer> {
        if self.remaining == 0 {
            return None;
        }
        self.remaining -= 1;
        Some(self.generate())
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.remaining, Some(self.remaining))
    }
}

// ---------------------------------------------------------------------------
// Formatting helpers (no allocation).

fn push_u64(buf: &mut String, mut n: u64) {
    let mut tmp = [0u8; 20];
    let mut i = tmp.len();
    loop {
        i -= 1;
        tmp[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &b in &tmp[i..] {
        buf.push(b as char);
    }
}

fn push_i64(buf: &mut String, n: i64) {
    if n < 0 {
        buf.push('-');
    }
    push_u64(buf, n.unsigned_abs());
}

fn push_padded(buf: &mut String, n: u64, width: usize) {
    let mut digits = 1;
    let mut m = n;
    while m >= 10 {
        m /= 10;
        digits += 1;
    }
    for _ in digits..width {
        buf.push('0');
    }
    push_u64(buf, n);
}

fn push_money(buf: &mut String, cents: i64) {
    if cents < 0 {
        buf.push('-');
    }
    let c = cents.unsigned_abs();
    push_u64(buf, c / 100);
    buf.push('.');
    push_padded(buf, c % 100, 2);
}

/// `1,234,567.89`
fn push_money_grouped(buf: &mut String, cents: i64) {
    if cents < 0 {
        buf.push('-');
    }
    let c = cents.unsigned_abs();
    let mut whole = String::new();
    push_u64(&mut whole, c / 100);
    let len = whole.len();
    for (i, ch) in whole.chars().enumerate() {
        if i > 0 && (len - i).is_multiple_of(3) {
            buf.push(',');
        }
        buf.push(ch);
    }
    buf.push('.');
    push_padded(buf, c % 100, 2);
}

fn push_customer_id(buf: &mut String, number: u64) {
    buf.push('C');
    push_padded(buf, number, 7);
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DateStyle {
    /// 2024-06-30
    Iso,
    /// 30/6/24 (day/month/two-digit year, as in the Kaggle transactions)
    Dmy,
    /// 2024/6/30 (messy mode only)
    Slash,
}

fn push_date(buf: &mut String, d: NaiveDate, style: DateStyle) {
    let (y, m, day) = (d.year(), d.month(), d.day());
    match style {
        DateStyle::Iso => {
            push_padded(buf, y.max(0) as u64, 4);
            buf.push('-');
            push_padded(buf, u64::from(m), 2);
            buf.push('-');
            push_padded(buf, u64::from(day), 2);
        }
        DateStyle::Dmy => {
            push_u64(buf, u64::from(day));
            buf.push('/');
            push_u64(buf, u64::from(m));
            buf.push('/');
            push_padded(buf, y.rem_euclid(100) as u64, 2);
        }
        DateStyle::Slash => {
            push_u64(buf, y.max(0) as u64);
            buf.push('/');
            push_u64(buf, u64::from(m));
            buf.push('/');
            push_u64(buf, u64::from(day));
        }
    }
}

// ---------------------------------------------------------------------------
// Sinks: where cells go (CSV line or XLSX worksheet).

trait Sink {
    fn int(&mut self, v: i64);
    fn money(&mut self, cents: i64);
    fn date(&mut self, d: NaiveDate, style: DateStyle);
    /// Free text; an empty string is an empty cell.
    fn text(&mut self, s: &str);
    fn end_row(&mut self) -> Result<()>;
}

/// GBK output. GBK is stateless and leaves ASCII as it is, so a line is its
/// ASCII bytes plus the encoding of each non-ASCII run, and those runs come
/// from a small set (headers, branch names, 男/女, ￥): they are memoised,
/// since encoding_rs' Hanzi lookup would otherwise double the writing time.
struct Gbk {
    encoder: encoding_rs::Encoder,
    out: Vec<u8>,
    memo: std::collections::HashMap<String, Vec<u8>>,
}

impl Gbk {
    const MEMO_LIMIT: usize = 1024;

    fn new() -> Self {
        Gbk {
            encoder: encoding_rs::GBK.new_encoder(),
            out: Vec::with_capacity(256),
            memo: std::collections::HashMap::new(),
        }
    }

    fn encode_run(encoder: &mut encoding_rs::Encoder, run: &str, dst: &mut Vec<u8>) -> Result<()> {
        let need = encoder
            .max_buffer_length_from_utf8_without_replacement(run.len())
            .unwrap_or(run.len() * 2 + 16);
        dst.reserve(need);
        let (result, _read) = encoder.encode_from_utf8_to_vec_without_replacement(run, dst, false);
        match result {
            encoding_rs::EncoderResult::InputEmpty => Ok(()),
            encoding_rs::EncoderResult::Unmappable(c) => Err(Error::data(format!(
                "the character {c:?} cannot be written in GBK"
            ))),
            encoding_rs::EncoderResult::OutputFull => {
                Err(Error::data("GBK encoder ran out of buffer space"))
            }
        }
    }

    fn encode_line(&mut self, line: &str) -> Result<&[u8]> {
        self.out.clear();
        let bytes = line.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            let ascii = bytes[i].is_ascii();
            let j = i + bytes[i..]
                .iter()
                .position(|b| b.is_ascii() != ascii)
                .unwrap_or(bytes.len() - i);
            if ascii {
                self.out.extend_from_slice(&bytes[i..j]);
            } else {
                // A run of non-ASCII bytes lies between ASCII bytes (or the
                // ends), so it starts and ends on char boundaries.
                let run = &line[i..j];
                if let Some(enc) = self.memo.get(run) {
                    self.out.extend_from_slice(enc);
                } else if self.memo.len() < Self::MEMO_LIMIT {
                    let mut enc = Vec::new();
                    Self::encode_run(&mut self.encoder, run, &mut enc)?;
                    self.out.extend_from_slice(&enc);
                    self.memo.insert(run.to_string(), enc);
                } else {
                    Self::encode_run(&mut self.encoder, run, &mut self.out)?;
                }
            }
            i = j;
        }
        Ok(&self.out)
    }
}

struct CsvSink<W: Write> {
    out: W,
    line: String,
    delim: char,
    first: bool,
    eol: &'static str,
    gbk: Option<Gbk>,
    bytes: u64,
}

impl<W: Write> CsvSink<W> {
    fn new(out: W, opts: &SampleOptions) -> Self {
        CsvSink {
            out,
            line: String::with_capacity(256),
            delim: opts.delimiter as char,
            first: true,
            eol: if opts.crlf { "\r\n" } else { "\n" },
            gbk: match opts.encoding {
                SampleEncoding::Utf8 => None,
                SampleEncoding::Gbk => Some(Gbk::new()),
            },
            bytes: 0,
        }
    }

    fn sep(&mut self) {
        if self.first {
            self.first = false;
        } else {
            self.line.push(self.delim);
        }
    }

    /// Numbers and dates may need quoting too when the delimiter is `.`, `-`, `/` or a digit.
    fn quote_if_needed(&mut self, start: usize) {
        let d = self.delim;
        let field = &self.line[start..];
        if field
            .chars()
            .any(|c| c == d || c == '"' || c == '\n' || c == '\r')
        {
            let quoted = format!("\"{}\"", field.replace('"', "\"\""));
            self.line.truncate(start);
            self.line.push_str(&quoted);
        }
    }

    fn finish(mut self) -> Result<(W, u64)> {
        self.out
            .flush()
            .map_err(|e| Error::io("writing the sample", e))?;
        Ok((self.out, self.bytes))
    }
}

impl<W: Write> Sink for CsvSink<W> {
    fn int(&mut self, v: i64) {
        self.sep();
        let start = self.line.len();
        push_i64(&mut self.line, v);
        self.quote_if_needed(start);
    }

    fn money(&mut self, cents: i64) {
        self.sep();
        let start = self.line.len();
        push_money(&mut self.line, cents);
        self.quote_if_needed(start);
    }

    fn date(&mut self, d: NaiveDate, style: DateStyle) {
        self.sep();
        let start = self.line.len();
        push_date(&mut self.line, d, style);
        self.quote_if_needed(start);
    }

    fn text(&mut self, s: &str) {
        self.sep();
        let start = self.line.len();
        self.line.push_str(s);
        self.quote_if_needed(start);
    }

    fn end_row(&mut self) -> Result<()> {
        self.line.push_str(self.eol);
        let io = |e| Error::io("writing the sample", e);
        match &mut self.gbk {
            None => {
                self.out.write_all(self.line.as_bytes()).map_err(io)?;
                self.bytes += self.line.len() as u64;
            }
            Some(gbk) => {
                let bytes = gbk.encode_line(&self.line)?;
                self.out.write_all(bytes).map_err(io)?;
                self.bytes += bytes.len() as u64;
            }
        }
        self.line.clear();
        self.first = true;
        Ok(())
    }
}

struct XlsxSink {
    workbook: rust_xlsxwriter::Workbook,
    row: u32,
    col: u16,
    date_format: rust_xlsxwriter::Format,
    money_format: rust_xlsxwriter::Format,
    error: Option<rust_xlsxwriter::XlsxError>,
}

impl XlsxSink {
    fn new(sheet_name: &str, as_of: NaiveDate) -> Result<Self> {
        let mut workbook = rust_xlsxwriter::Workbook::new();
        // A fixed creation date keeps the file byte-identical for a seed.
        let properties = rust_xlsxwriter::DocProperties::new()
            .set_title("custseg synthetic bank customers")
            .set_comment("Synthetic data with planted segments; not real customers.")
            .set_creation_datetime(&as_of);
        workbook.set_properties(&properties);
        workbook
            .add_worksheet()
            .set_name(sheet_name)
            .map_err(xlsx_error)?;
        Ok(XlsxSink {
            workbook,
            row: 0,
            col: 0,
            date_format: rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd"),
            money_format: rust_xlsxwriter::Format::new().set_num_format("#,##0.00"),
            error: None,
        })
    }

    fn cell(
        &mut self,
        f: impl FnOnce(
            &mut rust_xlsxwriter::Worksheet,
            u32,
            u16,
            &XlsxFormats,
        ) -> std::result::Result<(), rust_xlsxwriter::XlsxError>,
    ) {
        let (row, col) = (self.row, self.col);
        self.col += 1;
        if self.error.is_some() {
            return;
        }
        let formats = XlsxFormats {
            date: &self.date_format,
            money: &self.money_format,
        };
        let result = match self.workbook.worksheet_from_index(0) {
            Ok(ws) => f(ws, row, col, &formats),
            Err(e) => Err(e),
        };
        if let Err(e) = result {
            self.error = Some(e);
        }
    }
}

struct XlsxFormats<'a> {
    date: &'a rust_xlsxwriter::Format,
    money: &'a rust_xlsxwriter::Format,
}

fn xlsx_error(e: rust_xlsxwriter::XlsxError) -> Error {
    Error::data(format!("writing the XLSX sample: {e}"))
}

impl Sink for XlsxSink {
    fn int(&mut self, v: i64) {
        self.cell(|ws, r, c, _| ws.write_number(r, c, v as f64).map(|_| ()));
    }

    fn money(&mut self, cents: i64) {
        self.cell(|ws, r, c, f| {
            ws.write_number_with_format(r, c, cents as f64 / 100.0, f.money)
                .map(|_| ())
        });
    }

    fn date(&mut self, d: NaiveDate, _style: DateStyle) {
        self.cell(|ws, r, c, f| ws.write_date_with_format(r, c, d, f.date).map(|_| ()));
    }

    fn text(&mut self, s: &str) {
        if s.is_empty() {
            self.col += 1;
        } else {
            self.cell(|ws, r, c, _| ws.write_string(r, c, s).map(|_| ()));
        }
    }

    fn end_row(&mut self) -> Result<()> {
        if let Some(e) = self.error.take() {
            return Err(xlsx_error(e));
        }
        self.row += 1;
        self.col = 0;
        Ok(())
    }
}

// ---------------------------------------------------------------------------
// Messy mode: every decision comes from its own stream, so a messy file holds
// the same customers as the clean file with the same seed.

const MISSING_TOKENS: [&str; 4] = ["", "NA", "NULL", "-"];

struct Messy {
    on: bool,
    draw: Draw,
    scratch: String,
    currency: &'static str,
    unknown: &'static str,
}

impl Messy {
    fn new(opts: &SampleOptions) -> Self {
        Messy {
            on: opts.messy,
            draw: Draw::new(opts.seed, 1),
            scratch: String::new(),
            // U+00A5 is not in GBK; the full-width sign is.
            currency: match opts.encoding {
                SampleEncoding::Utf8 => "¥",
                SampleEncoding::Gbk => "￥",
            },
            unknown: if opts.chinese { "未知" } else { "unknown" },
        }
    }

    fn chance(&mut self, p: f64) -> bool {
        self.on && self.draw.chance(p)
    }

    /// With probability `p`, writes a missing-value token and returns true.
    fn missing<S: Sink>(&mut self, sink: &mut S, p: f64) -> bool {
        if self.chance(p) {
            let t = MISSING_TOKENS[self.draw.below(MISSING_TOKENS.len() as u64) as usize];
            sink.text(t);
            true
        } else {
            false
        }
    }

    fn pad(&mut self) -> bool {
        self.chance(0.015)
    }

    fn padded<S: Sink>(&mut self, sink: &mut S, fill: impl FnOnce(&mut String)) {
        self.scratch.clear();
        let spaces = ["  ", " ", "\t"];
        let left = spaces[self.draw.below(3) as usize];
        let right = spaces[self.draw.below(3) as usize];
        self.scratch.push_str(left);
        fill(&mut self.scratch);
        self.scratch.push_str(right);
        sink.text(&self.scratch);
    }

    fn int<S: Sink>(&mut self, sink: &mut S, v: i64) {
        if self.pad() {
            self.padded(sink, |s| push_i64(s, v));
        } else {
            sink.int(v);
        }
    }

    fn money<S: Sink>(&mut self, sink: &mut S, cents: i64, currency_p: f64) {
        if self.chance(currency_p) {
            self.scratch.clear();
            match self.draw.below(4) {
                0 | 1 => {
                    self.scratch.push_str(self.currency);
                    push_money_grouped(&mut self.scratch, cents);
                }
                2 => push_money_grouped(&mut self.scratch, cents),
                _ => {
                    self.scratch.push_str("CNY ");
                    push_money_grouped(&mut self.scratch, cents);
                }
            }
            sink.text(&self.scratch);
        } else if self.pad() {
            self.padded(sink, |s| push_money(s, cents));
        } else {
            sink.money(cents);
        }
    }

    fn date<S: Sink>(&mut self, sink: &mut S, d: NaiveDate, style: DateStyle) {
        if style == DateStyle::Iso && self.chance(0.02) {
            self.scratch.clear();
            push_date(&mut self.scratch, d, DateStyle::Slash);
            sink.text(&self.scratch);
        } else if self.pad() {
            self.padded(sink, |s| push_date(s, d, style));
        } else {
            sink.date(d, style);
        }
    }

    fn text<S: Sink>(&mut self, sink: &mut S, s: &str) {
        if self.pad() {
            self.padded(sink, |buf| buf.push_str(s));
        } else {
            sink.text(s);
        }
    }
}

// ---------------------------------------------------------------------------
// Writing.

fn validate(path: &Path, opts: &SampleOptions) -> Result<bool> {
    if opts.rows == 0 {
        return Err(Error::usage("the sample needs at least one row (--rows)"));
    }
    let xlsx = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
    if xlsx && opts.rows > XLSX_MAX_ROWS {
        return Err(Error::usage(format!(
            "an XLSX sheet holds at most {XLSX_MAX_ROWS} data rows, {} asked for",
            opts.rows
        )));
    }
    if !xlsx && (!opts.delimiter.is_ascii() || matches!(opts.delimiter, b'"' | b'\r' | b'\n')) {
        return Err(Error::usage(format!(
            "the delimiter must be an ASCII character other than a quote or a line break (got byte {:#04x})",
            opts.delimiter
        )));
    }
    Ok(xlsx)
}

/// Writes a synthetic sample to `path`: XLSX when the path ends with `.xlsx`,
/// CSV otherwise. The file is written to a temporary file in the same folder
/// and renamed into place (an existing file is replaced), so nothing is left
/// half-written on error.
///
/// Errors: `Usage` for bad options (0 rows, bad delimiter, too many rows for
/// XLSX), `Io` when the folder cannot be written, `Data` when a value cannot
/// be encoded.
pub fn write_sample(path: &Path, opts: &SampleOptions) -> Result<SampleSummary> {
    write_sample_with(path, opts, &crate::pipeline::progress::NoProgress)
}

/// [`write_sample`] through custseg's one atomic writer
/// (`pipeline::export::write::write_atomic`): 0600, flushed to disk, only
/// a regular file replaced, stopped (and the temporary file removed) when
/// `progress` says cancelled.
pub fn write_sample_with(
    path: &Path,
    opts: &SampleOptions,
    progress: &dyn crate::pipeline::progress::Progress,
) -> Result<SampleSummary> {
    let xlsx = validate(path, opts)?;
    let mut summary = None;
    let written = crate::pipeline::export::write::write_atomic(path, progress, |out| {
        summary = Some(if xlsx {
            let mut sink = XlsxSink::new(
                match opts.format {
                    SampleFormat::Customers => "Customers",
                    SampleFormat::Transactions => "Transactions",
                },
                opts.as_of,
            )?;
            let summary = write_rows(&mut sink, opts)?;
            add_notes_sheet(&mut sink.workbook, opts, &summary)?;
            let buf = sink.workbook.save_to_buffer().map_err(xlsx_error)?;
            out.write_all(&buf)
                .map_err(|e| Error::io_path("writing", path, e))?;
            summary
        } else {
            let mut sink = CsvSink::new(out, opts);
            let summary = write_rows(&mut sink, opts)?;
            sink.finish()?;
            summary
        });
        Ok(())
    })?;
    let mut summary = summary.ok_or_else(|| Error::data("the sample writer wrote nothing"))?;
    summary.path = path.to_path_buf();
    summary.bytes = written.bytes;
    Ok(summary)
}

fn write_rows<S: Sink>(sink: &mut S, opts: &SampleOptions) -> Result<SampleSummary> {
    let mut columns: Vec<String> = match (opts.format, opts.chinese) {
        (SampleFormat::Customers, false) => CUSTOMER_COLUMNS_EN.map(String::from).to_vec(),
        (SampleFormat::Customers, true) => CUSTOMER_COLUMNS_CN.map(String::from).to_vec(),
        (SampleFormat::Transactions, false) => TRANSACTION_COLUMNS_EN.map(String::from).to_vec(),
        (SampleFormat::Transactions, true) => TRANSACTION_COLUMNS_CN.map(String::from).to_vec(),
    };
    if opts.messy {
        columns.push(
            if opts.chinese {
                INCOME_COLUMN_CN
            } else {
                INCOME_COLUMN_EN
            }
            .to_string(),
        );
    }
    if opts.true_segment {
        columns.push(TRUE_SEGMENT_COLUMN.to_string());
    }
    for c in &columns {
        sink.text(c);
    }
    sink.end_row()?;

    let (segments, customers) = match opts.format {
        SampleFormat::Customers => write_customers(sink, opts)?,
        SampleFormat::Transactions => write_transactions(sink, opts)?,
    };
    Ok(SampleSummary {
        path: PathBuf::new(),
        rows: segments.len(),
        customers,
        columns,
        segments,
        bytes: 0,
    })
}

fn gender_text(male: bool, chinese: bool) -> &'static str {
    match (male, chinese) {
        (true, false) => "M",
        (false, false) => "F",
        (true, true) => "男",
        (false, true) => "女",
    }
}

/// Rows (in 1..rows) that repeat the previous customer's id in messy mode.
fn duplicate_rows(messy: &mut Messy, rows: usize) -> Vec<usize> {
    if !messy.on || rows < 4 {
        return Vec::new();
    }
    let n = (rows / 500).max(2);
    let mut at: Vec<usize> = (0..n)
        .map(|_| 1 + messy.draw.below(rows as u64 - 1) as usize)
        .collect();
    at.sort_unstable();
    at.dedup();
    at
}

fn write_customers<S: Sink>(sink: &mut S, opts: &SampleOptions) -> Result<(Vec<Segment>, usize)> {
    let mut messy = Messy::new(opts);
    let dups = duplicate_rows(&mut messy, opts.rows);
    let mut next_dup = dups.iter().copied().peekable();
    let mut stream = sample_customers(opts.rows, opts.seed, opts.as_of);
    let mut segments = Vec::with_capacity(opts.rows);
    let mut prev: Option<SampleCustomer> = None;
    let mut dup_count = 0usize;
    let cn = opts.chinese;

    for i in 0..opts.rows {
        let mut c = stream.generate();
        if next_dup.peek() == Some(&i) {
            next_dup.next();
            if let Some(p) = prev {
                // Alternate between an exact re-export and an id clash.
                if dup_count.is_multiple_of(2) {
                    c = p;
                } else {
                    c.number = p.number;
                }
                dup_count += 1;
            }
        }
        let m = &mut messy;

        // CustomerID
        m.scratch.clear();
        push_customer_id(&mut m.scratch, c.number);
        if m.pad() {
            let id = std::mem::take(&mut m.scratch);
            m.padded(sink, |s| s.push_str(&id));
        } else {
            sink.text(&m.scratch);
        }
        // Age
        if !m.missing(sink, 0.03) {
            if m.chance(0.007) {
                let bad = [-1, 150, 0, 999][m.draw.below(4) as usize];
                sink.int(bad);
            } else {
                m.int(sink, i64::from(c.age));
            }
        }
        // Gender
        if !m.missing(sink, 0.02) {
            let g = gender_text(c.male, cn);
            if !cn && m.chance(0.01) {
                sink.text(if c.male { "Male" } else { "female" });
            } else {
                m.text(sink, g);
            }
        }
        // Branch
        if !m.missing(sink, 0.02) {
            let b = &BRANCHES[c.branch];
            m.text(sink, if cn { b.1 } else { b.0 });
        }
        // AccountBalance
        if !m.missing(sink, 0.02) {
            m.money(sink, c.balance_cents, 0.05);
        }
        // TxnCount12M
        if !m.missing(sink, 0.015) {
            if m.chance(0.003) {
                sink.text(m.unknown);
            } else {
                m.int(sink, i64::from(c.txn_count_12m));
            }
        }
        // TxnAmount12M
        if !m.missing(sink, 0.015) {
            m.money(sink, c.txn_amount_12m_cents, 0.05);
        }
        // LastTxnDate
        if !m.missing(sink, 0.02) {
            m.date(sink, c.last_txn, DateStyle::Iso);
        }
        // OpenDate
        if !m.missing(sink, 0.01) {
            m.date(sink, c.open_date, DateStyle::Iso);
        }
        // ProductCount
        if !m.missing(sink, 0.03) {
            if m.chance(0.005) {
                sink.text(m.unknown);
            } else {
                m.int(sink, i64::from(c.products));
            }
        }
        // Income (messy only): mostly empty.
        if m.on && !m.missing(sink, 0.42) {
            m.money(sink, c.income_cents, 0.05);
        }
        if opts.true_segment {
            sink.text(c.segment.name());
        }
        sink.end_row()?;
        segments.push(c.segment);
        prev = Some(c);
    }
    let distinct = opts.rows - dup_count;
    Ok((segments, distinct))
}

/// Days a transaction log covers, up to the as-of date.
const LOG_WINDOW_DAYS: u64 = 3 * 365;

struct Txn {
    date: NaiveDate,
    customer: u32,
    amount_cents: i64,
    balance_cents: i64,
}

fn write_transactions<S: Sink>(
    sink: &mut S,
    opts: &SampleOptions,
) -> Result<(Vec<Segment>, usize)> {
    let n_customers = (opts.rows / 5).max(1);
    let customers: Vec<SampleCustomer> =
        sample_customers(n_customers, opts.seed, opts.as_of).collect();
    let mut d = Draw::new(opts.seed, 2);

    // Date of birth and whether the income is known, per customer.
    let dobs: Vec<NaiveDate> = customers
        .iter()
        .map(|c| {
            let back = u64::from(c.age) * 365 + c.age as u64 / 4 + d.below(365);
            days_before(opts.as_of, back)
        })
        .collect();

    // Transactions per customer: one each, the rest shared by weight.
    let weights: Vec<f64> = customers
        .iter()
        .map(|c| params(c.segment).txn_weight * d.lognormal(1.0, 0.4))
        .collect();
    let total_w: f64 = weights.iter().sum();
    let extra = opts.rows - n_customers.min(opts.rows);
    let mut counts: Vec<usize> = weights
        .iter()
        .map(|w| 1 + (extra as f64 * w / total_w).floor() as usize)
        .collect();
    let mut assigned: usize = counts.iter().sum();
    let mut i = 0;
    while assigned < opts.rows {
        counts[i % n_customers] += 1;
        assigned += 1;
        i += 1;
    }
    // rows < 5 gives one customer; trim if rounding overshot (it cannot, but be safe).
    while assigned > opts.rows {
        let j = counts.iter().position(|&c| c > 1).unwrap_or(0);
        counts[j] -= 1;
        assigned -= 1;
    }

    // One window for the whole log, like a bank's export of the last three
    // years: a customer who was there before it transacts from its first
    // day on, a newer one from their open date.
    let log_start = days_before(opts.as_of, LOG_WINDOW_DAYS);
    let mut txns: Vec<Txn> = Vec::with_capacity(opts.rows);
    for (ci, c) in customers.iter().enumerate() {
        let p = params(c.segment);
        let last = c.last_txn;
        let span_start = c.open_date.max(log_start).min(last);
        let span = (last - span_start).num_days().max(0) as u64;
        for k in 0..counts[ci] {
            let date = if k == 0 {
                last
            } else {
                days_before(last, d.below(span + 1))
            };
            let amount = cents(d.lognormal(p.ticket.0, p.ticket.1 + 0.3));
            let balance = cents(c.balance_cents as f64 / 100.0 * d.lognormal(1.0, 0.04));
            txns.push(Txn {
                date,
                customer: ci as u32,
                amount_cents: amount.max(1),
                balance_cents: balance,
            });
        }
    }
    // A log is in date order; the sort is stable, so ties keep customer order.
    txns.sort_by_key(|t| t.date);

    let mut messy = Messy::new(opts);
    let income_known: Vec<bool> = customers.iter().map(|_| !messy.chance(0.42)).collect();
    let cn = opts.chinese;
    // Kaggle style: upper-case city names.
    let upper_cities: Vec<String> = BRANCHES.iter().map(|b| b.0.to_ascii_uppercase()).collect();
    let mut segments = Vec::with_capacity(txns.len());
    for (ti, t) in txns.iter().enumerate() {
        let c = &customers[t.customer as usize];
        let m = &mut messy;
        // TransactionID
        m.scratch.clear();
        m.scratch.push('T');
        push_padded(&mut m.scratch, ti as u64 + 1, 7);
        sink.text(&m.scratch);
        // CustomerID
        m.scratch.clear();
        push_customer_id(&mut m.scratch, c.number);
        sink.text(&m.scratch);
        // CustomerDOB
        if !m.missing(sink, 0.02) {
            if m.chance(0.005) {
                sink.text("1/1/1800");
            } else {
                m.date(sink, dobs[t.customer as usize], DateStyle::Dmy);
            }
        }
        // CustGender
        if !m.missing(sink, 0.01) {
            m.text(sink, gender_text(c.male, cn));
        }
        // CustLocation
        if !m.missing(sink, 0.01) {
            let b = &BRANCHES[c.branch];
            let city = if cn {
                b.1.trim_end_matches("分行")
            } else {
                upper_cities[c.branch].as_str()
            };
            m.text(sink, city);
        }
        // CustAccountBalance
        if !m.missing(sink, 0.015) {
            m.money(sink, t.balance_cents, 0.03);
        }
        // TransactionDate
        m.date(sink, t.date, DateStyle::Dmy);
        // TransactionAmount
        m.money(sink, t.amount_cents, 0.02);
        // CustIncome (messy only)
        if m.on {
            if income_known[t.customer as usize] {
                m.money(sink, c.income_cents, 0.0);
            } else {
                let tok = MISSING_TOKENS[(t.customer % 4) as usize];
                sink.text(tok);
            }
        }
        if opts.true_segment {
            sink.text(c.segment.name());
        }
        sink.end_row()?;
        segments.push(c.segment);
    }
    Ok((segments, n_customers))
}

fn add_notes_sheet(
    workbook: &mut rust_xlsxwriter::Workbook,
    opts: &SampleOptions,
    summary: &SampleSummary,
) -> Result<()> {
    let ws = workbook.add_worksheet();
    ws.set_name("Notes").map_err(xlsx_error)?;
    let mut lines = vec![
        "Synthetic bank customers generated by custseg (not real data).".to_string(),
        format!("seed: {}", opts.seed),
        format!("as of: {}", opts.as_of),
        format!("rows: {}", summary.rows),
        format!("messy: {}", opts.messy),
        "Planted segments (share of customers):".to_string(),
    ];
    let counts = summary.segment_counts();
    for s in Segment::ALL {
        let mut line = String::new();
        let _ = write!(
            line,
            "  {} / {}: {} rows (expected {:.0}%)",
            s.name(),
            s.name_cn(),
            counts[s.index()],
            s.share() * 100.0
        );
        lines.push(line);
    }
    for (r, line) in lines.iter().enumerate() {
        ws.write_string(r as u32, 0, line).map_err(xlsx_error)?;
    }
    ws.set_column_width(0, 60).map_err(xlsx_error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_formatting() {
        let mut s = String::new();
        push_money(&mut s, 123_456_789);
        assert_eq!(s, "1234567.89");
        s.clear();
        push_money_grouped(&mut s, 123_456_789);
        assert_eq!(s, "1,234,567.89");
        s.clear();
        push_money_grouped(&mut s, 5);
        assert_eq!(s, "0.05");
        s.clear();
        push_money_grouped(&mut s, 100_000);
        assert_eq!(s, "1,000.00");
    }

    #[test]
    fn date_formatting() {
        let d = NaiveDate::from_ymd_opt(1994, 1, 10).unwrap();
        let mut s = String::new();
        push_date(&mut s, d, DateStyle::Dmy);
        assert_eq!(s, "10/1/94");
        s.clear();
        push_date(&mut s, d, DateStyle::Iso);
        assert_eq!(s, "1994-01-10");
        s.clear();
        push_date(
            &mut s,
            NaiveDate::from_ymd_opt(2005, 3, 4).unwrap(),
            DateStyle::Dmy,
        );
        assert_eq!(s, "4/3/05");
    }

    #[test]
    fn memoised_gbk_matches_encoding_rs() {
        let mut gbk = Gbk::new();
        let lines = [
            "客户ID;年龄;性别;网点\r\n",
            "C0000001;24;女;上海分行;￥1,234.56;未知\r\n",
            "C0000002; 男 ;北京分行\t;NA;上海分行\n",
            "plain ascii only\n",
            "",
        ];
        for _ in 0..2 {
            for line in lines {
                let (expected, _, bad) = encoding_rs::GBK.encode(line);
                assert!(!bad);
                assert_eq!(gbk.encode_line(line).unwrap(), &expected[..], "{line}");
            }
        }
        assert!(matches!(gbk.encode_line("a¥b"), Err(Error::Data(_))));
    }

    #[test]
    fn customer_ids() {
        let mut s = String::new();
        push_customer_id(&mut s, 1);
        assert_eq!(s, "C0000001");
        s.clear();
        push_customer_id(&mut s, 12_345_678);
        assert_eq!(s, "C12345678");
    }

    #[test]
    fn customers_are_consistent() {
        let as_of = default_as_of();
        for c in sample_customers(5000, 7, as_of) {
            assert!(c.last_txn <= as_of);
            assert!(c.open_date < c.last_txn, "{c:?}");
            assert!((1..=8).contains(&c.products));
            assert!((18..=90).contains(&c.age));
            assert!(c.balance_cents >= 0);
            let recency = (as_of - c.last_txn).num_days();
            if recency > 365 {
                assert_eq!(c.txn_count_12m, 0);
            } else {
                assert!(c.txn_count_12m >= 1);
            }
        }
    }
}
