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

use std::path::PathBuf;

use chrono::NaiveDate;

pub mod bundled;
mod draw;
mod format;
mod messy;
mod sink;
#[cfg(test)]
mod tests;
mod transactions;
mod write;

use draw::params;
use format::push_customer_id;

pub use draw::{SampleCustomers, sample_customers};
pub use write::{write_sample, write_sample_with};

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
