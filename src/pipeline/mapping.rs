//! Map columns: which column plays which role (customer id, age, balance ...),
//! found from an English/Chinese alias dictionary and the column's values,
//! each with a confidence; the user's `--map role=column` always wins.

use crate::error::{Error, Result};
pub use crate::pipeline::customer_key::{IdDecision, IdSource};
use crate::pipeline::customer_key::{key_shape, names_other_entity};
use crate::pipeline::excerpt;
use crate::pipeline::hygiene::{self, ColumnHygiene, HygieneOptions};
use crate::pipeline::table::{Column, ColumnData, ColumnType, Table};
use crate::pipeline::txn_meaning::direction_share;
use crate::remedy::{Notice, Remedy};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What a column means to the bank template.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    CustomerId,
    Age,
    BirthDate,
    Gender,
    Balance,
    TxnAmount,
    TxnCount,
    /// Date of the last transaction (customer tables).
    LastDate,
    /// Date of each transaction (transaction logs).
    TxnDate,
    OpenDate,
    /// Months (or years) as a customer, when given directly instead of an open date.
    Tenure,
    /// Days since the last transaction, when given directly.
    Recency,
    ProductCount,
    Branch,
    /// A transaction's or invoice's number (transaction logs): never the customer.
    TxnId,
    /// Units on an invoice line (retail logs).
    Quantity,
    /// Price of one unit on an invoice line (retail logs).
    UnitPrice,
    /// Money in or out: credit/debit, deposit/withdrawal, 收入/支出 (logs).
    Direction,
    /// The amount of money in, in its own column beside one of money out
    /// (`Credit Amount`, `Deposits`, `Paid in`, `贷方发生额`; logs).
    TxnInflow,
    /// The amount of money out, beside a money-in column (`Debit Amount`,
    /// `Withdrawals`, `Paid out`, `借方发生额`; logs).
    TxnOutflow,
}

impl Role {
    pub const ALL: [Role; 20] = [
        Role::CustomerId,
        Role::Age,
        Role::BirthDate,
        Role::Gender,
        Role::Balance,
        Role::TxnAmount,
        Role::TxnCount,
        Role::LastDate,
        Role::TxnDate,
        Role::OpenDate,
        Role::Tenure,
        Role::Recency,
        Role::ProductCount,
        Role::Branch,
        Role::TxnId,
        Role::Quantity,
        Role::UnitPrice,
        Role::Direction,
        Role::TxnInflow,
        Role::TxnOutflow,
    ];

    /// The name used in `--map role=column` and config files.
    pub fn key(self) -> &'static str {
        match self {
            Role::CustomerId => "customer_id",
            Role::Age => "age",
            Role::BirthDate => "birth_date",
            Role::Gender => "gender",
            Role::Balance => "balance",
            Role::TxnAmount => "txn_amount",
            Role::TxnCount => "txn_count",
            Role::LastDate => "last_date",
            Role::TxnDate => "txn_date",
            Role::OpenDate => "open_date",
            Role::Tenure => "tenure",
            Role::Recency => "recency",
            Role::ProductCount => "product_count",
            Role::Branch => "branch",
            Role::TxnId => "txn_id",
            Role::Quantity => "quantity",
            Role::UnitPrice => "unit_price",
            Role::Direction => "direction",
            Role::TxnInflow => "inflow_amount",
            Role::TxnOutflow => "outflow_amount",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::CustomerId => "customer id",
            Role::Age => "age",
            Role::BirthDate => "birth date",
            Role::Gender => "gender",
            Role::Balance => "balance",
            Role::TxnAmount => "transaction amount",
            Role::TxnCount => "transaction count",
            Role::LastDate => "last transaction date",
            Role::TxnDate => "transaction date",
            Role::OpenDate => "account open date",
            Role::Tenure => "tenure",
            Role::Recency => "recency (days)",
            Role::ProductCount => "products held",
            Role::Branch => "branch",
            Role::TxnId => "transaction/invoice id",
            Role::Quantity => "quantity",
            Role::UnitPrice => "unit price",
            Role::Direction => "direction (in/out)",
            Role::TxnInflow => "amount in (credit)",
            Role::TxnOutflow => "amount out (debit)",
        }
    }

    pub fn from_key(key: &str) -> Option<Role> {
        let k = normalise(key);
        Role::ALL.into_iter().find(|r| normalise(r.key()) == k)
    }

    /// Column types a role accepts.
    pub fn accepts(self, t: ColumnType) -> bool {
        match self {
            Role::CustomerId | Role::TxnId => true,
            Role::Direction => t == ColumnType::Text,
            Role::Gender | Role::Branch => {
                matches!(t, ColumnType::Text | ColumnType::Flag | ColumnType::Number)
            }
            Role::BirthDate | Role::LastDate | Role::TxnDate | Role::OpenDate => {
                t == ColumnType::Date
            }
            Role::Age
            | Role::Balance
            | Role::TxnAmount
            | Role::TxnCount
            | Role::Tenure
            | Role::Recency
            | Role::ProductCount
            | Role::Quantity
            | Role::UnitPrice
            | Role::TxnInflow
            | Role::TxnOutflow => t == ColumnType::Number,
        }
    }

    /// Header spellings, already normalised (see [`normalise`]). English and Chinese.
    fn aliases(self) -> &'static [&'static str] {
        match self {
            Role::CustomerId => &[
                "customerid",
                "custid",
                "clientid",
                "customerno",
                "customernumber",
                "customercode",
                "cif",
                "cifno",
                "cifnumber",
                "userid",
                "memberid",
                "id",
                "accountid",
                "acctid",
                "accountno",
                "acctno",
                "accno",
                "acno",
                "accountnumber",
                "acctnumber",
                "accountnum",
                "account",
                "acct",
                "clientno",
                "clientnumber",
                "clientcode",
                "clientkey",
                "client",
                "customer",
                "customerkey",
                "custno",
                "custnumber",
                "custcode",
                "custkey",
                "cardno",
                "cardnumber",
                "cardid",
                "memberno",
                "membernumber",
                "partyid",
                "账号",
                "账户",
                "账户号",
                "账户号码",
                "账户编号",
                "客户账号",
                "卡号",
                "银行卡号",
                "会员号",
                "会员编号",
                "会员id",
                "用户编号",
                "户号",
                "客户id",
                "客户编号",
                "客户号",
                "客户代码",
                "客户编码",
                "用户id",
                "客户标识",
                "客户号码",
            ],
            Role::Age => &[
                "age",
                "custage",
                "customerage",
                "ageyears",
                "年龄",
                "客户年龄",
                "年纪",
            ],
            Role::BirthDate => &[
                "dob",
                "dateofbirth",
                "birthdate",
                "birthday",
                "customerdob",
                "custdob",
                "出生日期",
                "生日",
                "出生年月",
                "出生年月日",
            ],
            Role::Gender => &[
                "gender",
                "sex",
                "custgender",
                "customergender",
                "性别",
                "客户性别",
            ],
            Role::Balance => &[
                "balance",
                "accountbalance",
                "custaccountbalance",
                "acctbalance",
                "acctbal",
                "bal",
                "totalbalance",
                "currentbalance",
                "depositbalance",
                "aum",
                "assets",
                "totalassets",
                "资产余额",
                "账户余额",
                "余额",
                "存款余额",
                "总资产",
                "资产总额",
                "金融资产",
                "账户资产",
                "日均余额",
                "月均余额",
            ],
            Role::TxnAmount => &[
                "txnamount",
                "transactionamount",
                "transactionamountinr",
                "txnamt",
                "amount",
                "totalamount",
                "monetary",
                "spend",
                "totalspend",
                "totalspent",
                "amountspent",
                "spent",
                "monetaryvalue",
                "purchaseamount",
                "交易金额",
                "消费金额",
                "交易总额",
                "交易额",
                "累计交易金额",
            ],
            Role::TxnCount => &[
                "txncount",
                "transactioncount",
                "transactions",
                "numtransactions",
                "numberoftransactions",
                "txnnum",
                "ntxn",
                "frequency",
                "txnfrequency",
                "orders",
                "numorders",
                "ordercount",
                "numberoforders",
                "totalorders",
                "purchasecount",
                "numpurchases",
                "numberofpurchases",
                "交易次数",
                "交易笔数",
                "消费次数",
                "交易频次",
            ],
            Role::LastDate => &[
                "lasttxndate",
                "lasttransactiondate",
                "lastactivitydate",
                "lastdate",
                "lastvisitdate",
                "lasttransaction",
                "lastactivedate",
                "lastlogindate",
                "最近交易日期",
                "最后交易日期",
                "最近交易时间",
                "最近一次交易日期",
                "最近活动日期",
            ],
            Role::TxnDate => &[
                "transactiondate",
                "transactiondatetime",
                "transactiontime",
                "txndate",
                "txndatetime",
                "txntime",
                "trandate",
                "transdate",
                "date",
                "datetime",
                "timestamp",
                "invoicedate",
                "orderdate",
                "purchasedate",
                "postingdate",
                "postdate",
                "bookingdate",
                "valuedate",
                "交易日期",
                "交易时间",
                "交易日期时间",
                "订单日期",
                "订单时间",
                "下单时间",
                "发票日期",
                "开票日期",
                "购买日期",
                "记账日期",
                "入账日期",
                "发生日期",
            ],
            Role::OpenDate => &[
                "opendate",
                "accountopendate",
                "accountopeningdate",
                "opendt",
                "dateopened",
                "customersince",
                "joindate",
                "joiningdate",
                "registrationdate",
                "开户日期",
                "开户时间",
                "开户日",
                "开户年月",
            ],
            Role::Tenure => &[
                "tenure",
                "tenuremonths",
                "monthsonbook",
                "mob",
                "客户年限",
                "在网时长",
                "开户时长",
            ],
            Role::Recency => &[
                "recency",
                "recencydays",
                "dayssincelasttxn",
                "dayssincelasttransaction",
                "dayssincelastpurchase",
                "dayssincelastorder",
                "dayssincelastvisit",
                "最近交易间隔",
                "未交易天数",
            ],
            Role::ProductCount => &[
                "productcount",
                "numproducts",
                "numofproducts",
                "products",
                "productsheld",
                "nproducts",
                "持有产品数",
                "产品数",
                "产品数量",
                "持有产品数量",
            ],
            Role::Branch => &[
                "branch",
                "branchname",
                "branchcode",
                "location",
                "custlocation",
                "city",
                "region",
                "网点",
                "支行",
                "分行",
                "所属网点",
                "开户网点",
                "城市",
                "所属机构",
                "营业网点",
            ],
            Role::TxnId => &[
                "transactionid",
                "transid",
                "txnid",
                "tranid",
                "trxid",
                "transactionno",
                "transactionnumber",
                "transactionref",
                "txnref",
                "txnno",
                "invoiceno",
                "invoice",
                "invoiceid",
                "invoicenumber",
                "orderid",
                "orderno",
                "ordernumber",
                "receiptno",
                "receiptid",
                "billno",
                "voucherno",
                "交易流水号",
                "流水号",
                "交易编号",
                "交易号",
                "交易id",
                "订单号",
                "订单编号",
                "发票号",
                "发票号码",
                "单据号",
                "小票号",
            ],
            Role::Quantity => &[
                "quantity",
                "qty",
                "units",
                "quantitysold",
                "数量",
                "购买数量",
                "销售数量",
                "商品数量",
            ],
            Role::UnitPrice => &[
                "unitprice",
                "price",
                "unitcost",
                "priceperunit",
                "itemprice",
                "salesprice",
                "单价",
                "价格",
                "商品单价",
                "销售单价",
            ],
            Role::Direction => &[
                "type",
                "txntype",
                "transactiontype",
                "trantype",
                "transtype",
                "direction",
                "drcr",
                "crdr",
                "dc",
                "cd",
                "debitcredit",
                "creditdebit",
                "dbcr",
                "cdflag",
                "dcflag",
                "drcrflag",
                "inout",
                "借贷标志",
                "借贷方向",
                "借贷",
                "收支类型",
                "收支",
                "收支标志",
                "交易类型",
                "收付标志",
                "交易方向",
            ],
            // Exact names only (see `header_score`): "credit" inside
            // "CreditScore" or "CreditLimit" is no amount of money in.
            Role::TxnInflow => &[
                "credit",
                "credits",
                "creditamount",
                "creditamt",
                "cramount",
                "cramt",
                "deposit",
                "deposits",
                "depositamount",
                "depositamt",
                "paidin",
                "moneyin",
                "amountin",
                "inflow",
                "inflowamount",
                "receipts",
                "贷方",
                "贷方金额",
                "贷方发生额",
                "收入金额",
                "存入金额",
                "收入",
                "收入额",
            ],
            Role::TxnOutflow => &[
                "debit",
                "debits",
                "debitamount",
                "debitamt",
                "dramount",
                "dramt",
                "withdrawal",
                "withdrawals",
                "withdrawalamount",
                "withdrawalamt",
                "paidout",
                "moneyout",
                "amountout",
                "outflow",
                "outflowamount",
                "payments",
                "借方",
                "借方金额",
                "借方发生额",
                "支出金额",
                "支取金额",
                "支出",
                "支出额",
            ],
        }
    }
}

/// How a column takes part in the run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnUse {
    /// Feeds the clustering (directly, or through a derived feature).
    Feature,
    /// Shown in segment profiles, not clustered.
    Profile,
    Ignore,
}

/// The user's choices, stored in the RunConfig.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MappingOptions {
    /// role -> column overrides (`--map balance=资产余额`).
    pub roles: BTreeMap<Role, String>,
    /// column -> use overrides.
    pub usage: BTreeMap<String, ColumnUse>,
    /// Feature hygiene: which columns describe the customer (see [`hygiene`]).
    pub hygiene: HygieneOptions,
}

/// One column's place in the mapping.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ColumnMapping {
    pub column: String,
    pub ctype: ColumnType,
    pub role: Option<Role>,
    /// 0..=1; 1.0 for a user choice or an exact alias.
    pub confidence: f64,
    /// Why the role was chosen (or why it was not).
    pub reason: String,
    pub usage: ColumnUse,
    /// What the hygiene rules found (why the column is not a feature, a
    /// sentinel value).
    #[serde(default)]
    pub hygiene: ColumnHygiene,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Mapping {
    pub columns: Vec<ColumnMapping>,
    /// Things the user should know ("'Age' looks like age but holds text").
    pub notes: Vec<Notice>,
    /// Which column is the customer, how sure, and why (or why none).
    #[serde(default)]
    pub id: IdDecision,
}

impl Mapping {
    pub fn column_for(&self, role: Role) -> Option<&str> {
        self.columns
            .iter()
            .find(|c| c.role == Some(role))
            .map(|c| c.column.as_str())
    }
    pub fn role_of(&self, column: &str) -> Option<Role> {
        self.columns
            .iter()
            .find(|c| c.column == column)
            .and_then(|c| c.role)
    }
    pub fn usage_of(&self, column: &str) -> ColumnUse {
        self.columns
            .iter()
            .find(|c| c.column == column)
            .map_or(ColumnUse::Ignore, |c| c.usage)
    }
    /// role -> column, for reports and the saved model.
    pub fn roles(&self) -> BTreeMap<Role, String> {
        self.columns
            .iter()
            .filter_map(|c| c.role.map(|r| (r, c.column.clone())))
            .collect()
    }
}

/// Lower-case, without spaces, punctuation, underscores or a bracketed unit
/// suffix, so "Cust_Account Balance (INR)" and "custaccountbalance" meet.
/// Traditional Chinese characters are folded to simplified ones, so a Big5
/// header `客戶編號` meets the alias `客户编号`.
pub fn normalise(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .map(crate::pipeline::hanzi::fold_traditional)
        .collect()
}

/// The role a header names by the alias dictionary alone, with the match
/// score (1.0 for an exact alias); `None` when it names none. Encoding
/// detection asks this of each candidate decoding of a header.
pub fn role_for_header(header: &str) -> Option<(Role, f64)> {
    Role::ALL
        .iter()
        .map(|&r| (r, header_score(r, header)))
        .filter(|&(_, s)| s > 0.0)
        .max_by(|a, b| a.1.total_cmp(&b.1))
}

/// Strips a trailing unit/period qualifier: "txncount12m" -> "txncount".
fn without_qualifiers(n: &str) -> &str {
    let mut s = n;
    for suffix in [
        "inr", "cny", "rmb", "usd", "eur", "12m", "1y", "ytd", "total", "元", "个",
    ] {
        if let Some(r) = s.strip_suffix(suffix)
            && !r.is_empty()
        {
            s = r;
        }
    }
    s
}

fn is_cjk(s: &str) -> bool {
    s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

/// How well a header matches a role's aliases: 1.0 exact, less for partial.
fn header_score(role: Role, header: &str) -> f64 {
    let n = normalise(header);
    if n.is_empty() {
        return 0.0;
    }
    let q = without_qualifiers(&n);
    let mut best: f64 = 0.0;
    for alias in role.aliases() {
        if n == *alias || q == *alias {
            return 1.0;
        }
        // Contained matches only for aliases long enough not to match by accident
        // ("age" is in "vintage", "bal" in "global"); never for the columns
        // of money in and out.
        let long_enough = if matches!(role, Role::TxnInflow | Role::TxnOutflow) {
            false
        } else if is_cjk(alias) {
            alias.chars().count() >= 2
        } else {
            alias.len() >= 6
        };
        if long_enough
            && n.contains(alias)
            && !rest_names_another_role(role, &n.replacen(alias, "", 1))
        {
            let coverage = alias.chars().count() as f64 / n.chars().count() as f64;
            best = best.max(0.6 + 0.3 * coverage);
        }
    }
    best
}

/// Whether what is left of a header around a contained alias is itself
/// another role's word: "BALANCE_FREQUENCY" is a ratio about the balance,
/// not a transaction count.
///
/// Identifier words do not count: an account's balance is a balance and an
/// invoice's amount an amount ("AccountAvgBalance", "InvoiceAmount").
fn rest_names_another_role(role: Role, rest: &str) -> bool {
    !rest.is_empty()
        && Role::ALL
            .iter()
            .filter(|r| {
                **r != role
                    && !matches!(
                        r,
                        Role::CustomerId | Role::TxnId | Role::TxnInflow | Role::TxnOutflow
                    )
            })
            .any(|r| {
                r.aliases()
                    .iter()
                    .any(|a| a.chars().count() >= 3 && rest.contains(a))
            })
}

/// Roles read from values when the header says nothing.
fn value_score(role: Role, table: &Table, j: usize) -> f64 {
    let col = &table.columns[j];
    match role {
        Role::Gender => {
            let Some(text) = col.texts() else { return 0.0 };
            let mut seen = 0usize;
            let mut matched = 0usize;
            for v in text.iter().flatten().take(2000) {
                seen += 1;
                let l = v.to_lowercase();
                if ["m", "f", "male", "female", "男", "女", "man", "woman"].contains(&l.as_str())
                {
                    matched += 1;
                }
            }
            if seen > 0 && matched * 100 >= seen * 95 {
                0.7
            } else {
                0.0
            }
        }
        Role::Direction => {
            let (share, both) = direction_share(col);
            if share >= 0.95 && both { 0.8 } else { 0.0 }
        }
        _ => 0.0,
    }
}

/// Why a column's values cannot be what a partial header match says, if
/// they cannot: counts are whole numbers (a few stray fractions allowed), a
/// customer id holds key-like values and is not named after another entity.
/// Asked only of partial header matches; an exact header or `--map` is
/// trusted.
fn implausible_values(role: Role, col: &Column) -> Option<String> {
    match role {
        Role::TxnCount | Role::ProductCount => {
            (!whole_numbers(col)).then(|| "its values are not whole numbers".to_string())
        }
        Role::CustomerId if names_other_entity(&col.name) => {
            Some("the rest of its name says it is not the customer".to_string())
        }
        Role::CustomerId if key_shape(col).is_none() => {
            Some("its values do not look like ids (whole numbers or codes)".to_string())
        }
        _ => None,
    }
}

fn whole_numbers(col: &Column) -> bool {
    let Some(values) = col.numbers() else {
        return true;
    };
    let (mut seen, mut fractional) = (0usize, 0usize);
    for &v in values.iter().filter(|v| v.is_finite()).take(5000) {
        seen += 1;
        fractional += (v.fract() != 0.0) as usize;
    }
    fractional * 10 <= seen
}

/// Names that mark a numeric column as a code, not a quantity to cluster on.
fn looks_like_code(name: &str) -> bool {
    let n = normalise(name);
    [
        "id", "no", "code", "zip", "postcode", "phone", "mobile", "编号", "代码", "电话", "手机",
        "邮编", "序号",
    ]
    .iter()
    .any(|k| n == *k || n.ends_with(k) && (k.len() > 2 || is_cjk(k)))
        || n.ends_with("id")
        || n == "rownumber"
        || n == "index"
}

/// Builds the mapping for `table`: the user's overrides first, then the best
/// remaining header/value matches, each role used at most once.
/// The option that gives `role` to `column`.
fn role_remedy(role: Role, column: &str) -> Remedy {
    Remedy::SetRole {
        role: role.key().to_string(),
        column: Some(column.to_string()),
    }
}

pub fn map_columns(table: &Table, opts: &MappingOptions) -> Result<Mapping> {
    let file = table.source.file_name();
    let mut mapping = Mapping::default();
    let mut assigned: BTreeMap<Role, (usize, f64, String)> = BTreeMap::new();
    let mut taken = vec![false; table.columns.len()];

    for (role, column) in &opts.roles {
        let Some(j) = table.column_index(column) else {
            return Err(Error::bad_setting(
                role_remedy(*role, column),
                format!(
                    "{file} has no column '{column}'; its columns are: {}",
                    table.names().join(", ")
                ),
            ));
        };
        let col = &table.columns[j];
        let ctype = col.ctype;
        if !role.accepts(ctype) {
            let wanted = if matches!(
                role,
                Role::BirthDate | Role::LastDate | Role::TxnDate | Role::OpenDate
            ) {
                "dates"
            } else {
                "numbers"
            };
            let found = if col.data.missing_count() == table.n_rows {
                format!("is empty, but {} needs {wanted}", role.label())
            } else {
                format!(
                    "holds {} values{}, but {} needs {wanted}; fewer than 90% of its cells \
                     read as {wanted}, so fix the values in the file",
                    ctype.name(),
                    sample_values(table, col),
                    role.label()
                )
            };
            return Err(Error::bad_setting(
                role_remedy(*role, column),
                format!("column '{column}' {found}"),
            ));
        }
        if taken[j] {
            return Err(Error::bad_setting(
                role_remedy(*role, column),
                format!("column '{column}' is given two roles"),
            ));
        }
        taken[j] = true;
        assigned.insert(*role, (j, 1.0, "set by the user".to_string()));
    }

    // All (score, role, column) candidates, best first; ties keep column order.
    let mut candidates: Vec<(f64, Role, usize, String)> = Vec::new();
    let mut id_candidates: Vec<(f64, usize)> = Vec::new();
    for role in Role::ALL {
        if assigned.contains_key(&role) {
            continue;
        }
        for (j, col) in table.columns.iter().enumerate() {
            if taken[j] {
                continue;
            }
            let h = header_score(role, &col.name);
            let v = value_score(role, table, j);
            let (score, why) = if h >= v {
                (h, format!("header '{}' matches {}", col.name, role.label()))
            } else {
                (v, format!("values look like {}", role.label()))
            };
            if score <= 0.0 {
                continue;
            }
            if !role.accepts(col.ctype) {
                if h >= 0.9 {
                    let what = if col.data.missing_count() == table.n_rows {
                        "every cell is empty".to_string()
                    } else {
                        format!(
                            "holds {} values{}",
                            col.ctype.name(),
                            sample_values(table, col)
                        )
                    };
                    mapping.notes.push(
                        Notice::new(format!(
                            "'{}' looks like {} but {what}; not used as {}",
                            col.name,
                            role.label(),
                            role.label()
                        ))
                        .about(&col.name),
                    );
                }
                continue;
            }
            if h < 1.0
                && h >= v
                && let Some(why_not) = implausible_values(role, col)
            {
                // "PURCHASES_FREQUENCY" holds ratios in 0..1, not a count.
                mapping.notes.push(
                    Notice::new(format!(
                        "'{}' is named like {} but {why_not}; not used as {}",
                        col.name,
                        role.label(),
                        role.label()
                    ))
                    .about(&col.name),
                );
                continue;
            }
            if role == Role::Direction && h >= v {
                // "Type" is a direction only when its values say in or out.
                let (share, _) = direction_share(col);
                if share < crate::pipeline::txn_meaning::DIRECTION_SHARE {
                    // Said once, by `note_unread_direction`, in a log.
                    continue;
                }
            }
            if role == Role::CustomerId {
                id_candidates.push((score, j));
            }
            candidates.push((score, role, j, why));
        }
    }
    keep_flow_columns_in_pairs(&mut candidates, &assigned);
    candidates.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.2.cmp(&b.2)).then(a.1.cmp(&b.1)));
    for (score, role, j, why) in candidates {
        if assigned.contains_key(&role) || taken[j] {
            continue;
        }
        taken[j] = true;
        assigned.insert(role, (j, score, why));
    }
    mapping.id = crate::pipeline::customer_key::settle(
        table,
        &mut assigned,
        &id_candidates,
        opts.roles.contains_key(&Role::CustomerId),
    );

    let role_of: BTreeMap<usize, (Role, f64, String)> = assigned
        .into_iter()
        .map(|(r, (j, s, why))| (j, (r, s, why)))
        .collect();
    for (j, col) in table.columns.iter().enumerate() {
        let (role, confidence, reason) = match role_of.get(&j) {
            Some((r, s, why)) => (Some(*r), *s, why.clone()),
            None => (None, 0.0, String::new()),
        };
        let default_use = match role {
            Some(Role::CustomerId | Role::TxnId) => ColumnUse::Ignore,
            Some(Role::Gender | Role::Branch | Role::Direction) => ColumnUse::Profile,
            Some(_) => ColumnUse::Feature,
            None if col.ctype.is_numeric() && !looks_like_code(&col.name) => ColumnUse::Feature,
            None if col.ctype == ColumnType::Text => ColumnUse::Profile,
            None => ColumnUse::Ignore,
        };
        let usage = opts.usage.get(&col.name).copied().unwrap_or(default_use);
        mapping.columns.push(ColumnMapping {
            column: col.name.clone(),
            ctype: col.ctype,
            role,
            confidence,
            reason,
            usage,
            hygiene: ColumnHygiene::default(),
        });
    }
    note_unread_direction(table, &mut mapping);
    hygiene::apply(table, &mut mapping, opts);
    for name in &opts.hygiene.after_the_fact {
        if table.column_index(name).is_none() {
            return Err(Error::usage(format!(
                "{file} has no column '{name}' (in the after-the-fact columns); its columns are: {}",
                table.names().join(", ")
            )));
        }
    }
    for name in opts.usage.keys() {
        if table.column_index(name).is_none() {
            return Err(Error::usage(format!(
                "{file} has no column '{name}' (in the column-use settings)"
            )));
        }
    }
    Ok(mapping)
}

/// Columns of money in and of money out come in pairs: a lone `Deposits`
/// or `Debit` column is left to the other roles (a deposit-only log's
/// amount, say), unless the user named its partner.
fn keep_flow_columns_in_pairs(
    candidates: &mut Vec<(f64, Role, usize, String)>,
    assigned: &BTreeMap<Role, (usize, f64, String)>,
) {
    let has = |role: Role, c: &[(f64, Role, usize, String)]| {
        assigned.contains_key(&role) || c.iter().any(|(_, r, ..)| *r == role)
    };
    if !(has(Role::TxnInflow, candidates) && has(Role::TxnOutflow, candidates)) {
        candidates.retain(|(_, r, ..)| !matches!(r, Role::TxnInflow | Role::TxnOutflow));
    }
}

/// In a log (an amount and a transaction date or id) without a direction:
/// a column named like one whose few values are not read as in or out.
fn note_unread_direction(table: &Table, mapping: &mut Mapping) {
    let log = mapping.column_for(Role::TxnAmount).is_some()
        && (mapping.column_for(Role::TxnDate).is_some()
            || mapping.column_for(Role::TxnId).is_some());
    // Columns of money in and out say the direction themselves.
    let split = mapping.column_for(Role::TxnInflow).is_some();
    if !log || split || mapping.column_for(Role::Direction).is_some() {
        return;
    }
    for col in &table.columns {
        if header_score(Role::Direction, &col.name) >= 0.9 && mapping.role_of(&col.name).is_none() {
            mapping
                .notes
                .extend(crate::pipeline::txn_meaning::unread_direction_note(col));
        }
    }
}

/// Parses `role=column` as given to `--map`.
pub fn parse_map_arg(arg: &str) -> std::result::Result<(Role, String), String> {
    let (role, column) = arg
        .split_once('=')
        .ok_or_else(|| format!("'{arg}' is not role=column"))?;
    let role = Role::from_key(role.trim()).ok_or_else(|| {
        format!(
            "unknown role '{}'; roles are: {}",
            role.trim(),
            Role::ALL
                .iter()
                .map(|r| r.key())
                .collect::<Vec<_>>()
                .join(", ")
        )
    })?;
    Ok((role, column.trim().to_string()))
}

/// " (e.g. line 9: 'abc', line 12: 'n/a')": the first values of a column
/// that read neither as a number nor as a date (the first values when all
/// do), for notes about a column that cannot take a role.
fn sample_values(table: &Table, col: &Column) -> String {
    use crate::pipeline::load::values::{NumberStyle, parse_date_token, parse_number};
    let odd = |v: &str| {
        parse_date_token(v).is_none() && parse_number(v, NumberStyle::DotDecimal).is_none()
    };
    let shown: Vec<String> = match &col.data {
        ColumnData::Text(t) => {
            let present = || (0..t.len()).filter_map(|i| t.get(i).map(|v| (i, v)));
            let first_odd: Vec<(usize, &str)> = present().filter(|(_, v)| odd(v)).take(3).collect();
            let chosen = if first_odd.is_empty() {
                present().take(3).collect()
            } else {
                first_odd
            };
            chosen
                .into_iter()
                .map(|(i, v)| format!("{}: '{}'", table.row_label(i), excerpt::cell(v)))
                .collect()
        }
        _ => col
            .info
            .unparsed_examples
            .iter()
            .take(3)
            .map(|(i, v)| format!("{}: '{}'", table.row_label(*i), excerpt::cell(v)))
            .collect(),
    };
    if shown.is_empty() {
        String::new()
    } else {
        format!(" (e.g. {})", shown.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::table::{Column, SourceInfo, TextColumn};

    fn table(cols: Vec<Column>) -> Table {
        Table::new(cols, SourceInfo::default())
    }

    #[test]
    fn normalise_ignores_case_space_and_punctuation() {
        assert_eq!(
            normalise("Cust_Account Balance (INR)"),
            "custaccountbalanceinr"
        );
        assert_eq!(normalise("客户 ID"), "客户id");
    }

    #[test]
    fn header_scores() {
        assert_eq!(header_score(Role::CustomerId, "CUST_ID"), 1.0);
        assert_eq!(header_score(Role::CustomerId, "客户编号"), 1.0);
        assert_eq!(
            header_score(Role::TxnAmount, "TransactionAmount (INR)"),
            1.0
        );
        assert_eq!(header_score(Role::TxnCount, "TxnCount12M"), 1.0);
        assert!(header_score(Role::Balance, "CustAccountBalance") == 1.0);
        assert!(header_score(Role::Balance, "月末资产余额") > 0.6);
        assert_eq!(header_score(Role::Age, "Vintage"), 0.0);
        // A ratio about the balance is not a transaction count.
        assert_eq!(header_score(Role::TxnCount, "BALANCE_FREQUENCY"), 0.0);
        assert_eq!(header_score(Role::Balance, "GlobalRank"), 0.0);
    }

    #[test]
    fn chinese_and_english_tables_map() {
        let t = table(vec![
            Column::text("客户ID", TextColumn::from_values([Some("C1"), Some("C2")])),
            Column::number("年龄", vec![30.0, 40.0]),
            Column::text("性别", TextColumn::from_values([Some("男"), Some("女")])),
            Column::number("资产余额", vec![1.0, 2.0]),
            Column::date("最近交易日期", vec![1, 2]),
            Column::number("信用分", vec![600.0, 700.0]),
        ]);
        let m = map_columns(&t, &MappingOptions::default()).unwrap();
        assert_eq!(m.column_for(Role::CustomerId), Some("客户ID"));
        assert_eq!(m.column_for(Role::Age), Some("年龄"));
        assert_eq!(m.column_for(Role::Gender), Some("性别"));
        assert_eq!(m.column_for(Role::Balance), Some("资产余额"));
        assert_eq!(m.column_for(Role::LastDate), Some("最近交易日期"));
        assert_eq!(m.usage_of("信用分"), ColumnUse::Feature);
        assert_eq!(m.usage_of("客户ID"), ColumnUse::Ignore);
        assert_eq!(m.usage_of("性别"), ColumnUse::Profile);
    }

    #[test]
    fn overrides_win_and_bad_overrides_are_explained() {
        let t = table(vec![
            Column::number("a", vec![1.0]),
            Column::number("Balance", vec![2.0]),
            Column::text("g", TextColumn::from_values([Some("M")])),
        ]);
        let mut opts = MappingOptions::default();
        opts.roles.insert(Role::Balance, "a".into());
        let m = map_columns(&t, &opts).unwrap();
        assert_eq!(m.column_for(Role::Balance), Some("a"));
        assert_eq!(m.role_of("Balance"), None);
        assert_eq!(m.column_for(Role::Gender), Some("g"), "gender from values");

        opts.roles.insert(Role::Age, "nope".into());
        let e = map_columns(&t, &opts).unwrap_err().to_string();
        assert!(
            e.contains("no column 'nope'") && e.contains("Balance"),
            "{e}"
        );

        let mut opts = MappingOptions::default();
        opts.roles.insert(Role::LastDate, "a".into());
        let e = map_columns(&t, &opts).unwrap_err().to_string();
        assert!(e.contains("needs dates"), "{e}");
    }

    #[test]
    fn text_age_column_is_noted_not_mapped() {
        let mut c = Column::text("Age", TextColumn::from_values([Some("old"), Some("young")]));
        c.info.unparsed_examples.push((0, "old".into()));
        let m = map_columns(&table(vec![c]), &MappingOptions::default()).unwrap();
        assert_eq!(m.column_for(Role::Age), None);
        assert!(m.notes[0].text.contains("looks like age"), "{:?}", m.notes);
        assert!(m.notes[0].is_about("Age"), "{:?}", m.notes);
    }

    #[test]
    fn map_args_parse() {
        assert_eq!(
            parse_map_arg("balance=资产余额").unwrap(),
            (Role::Balance, "资产余额".to_string())
        );
        assert_eq!(
            parse_map_arg("Customer ID = id").unwrap(),
            (Role::CustomerId, "id".to_string())
        );
        assert!(
            parse_map_arg("wealth=x")
                .unwrap_err()
                .contains("unknown role")
        );
        assert!(parse_map_arg("balance").is_err());
    }

    #[test]
    fn a_ratio_named_like_a_count_is_not_the_transaction_count() {
        let t = table(vec![
            Column::number("PURCHASES_FREQUENCY", vec![0.25, 1.0, 0.083333, 0.5]),
            Column::number("PURCHASES_TRX", vec![3.0, 12.0, 1.0, 0.0]),
        ]);
        let m = map_columns(&t, &MappingOptions::default()).unwrap();
        assert_eq!(m.column_for(Role::TxnCount), None, "{:?}", m.roles());
        assert!(
            m.notes
                .iter()
                .any(|n| n.text.contains("'PURCHASES_FREQUENCY' is named like")),
            "{:?}",
            m.notes
        );
        // Whole numbers under a partial name still map.
        let t = table(vec![Column::number(
            "MONTHLY_FREQUENCY",
            vec![3.0, 12.0, 1.0],
        )]);
        let m = map_columns(&t, &MappingOptions::default()).unwrap();
        assert_eq!(m.column_for(Role::TxnCount), Some("MONTHLY_FREQUENCY"));
    }

    #[test]
    fn code_like_numeric_columns_are_not_features() {
        let t = table(vec![
            Column::number("ZipCode", vec![1.0]),
            Column::number("RowNumber", vec![1.0]),
        ]);
        let m = map_columns(&t, &MappingOptions::default()).unwrap();
        assert_eq!(m.usage_of("ZipCode"), ColumnUse::Ignore);
        assert_eq!(m.usage_of("RowNumber"), ColumnUse::Ignore);
    }
}
