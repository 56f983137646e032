//! Map columns: which column plays which role (customer id, age, balance ...),
//! found from an English/Chinese alias dictionary and the column's values,
//! each with a confidence; the user's `--map role=column` always wins.
//!
//! The alias dictionary is in [`aliases`], the header and value scores in
//! [`score`], the assignment of roles to columns in [`assign`].

mod aliases;
mod assign;
mod score;
#[cfg(test)]
mod tests;

pub use crate::pipeline::customer_key::{IdDecision, IdSource};
pub use assign::map_columns;

use crate::pipeline::hygiene::{ColumnHygiene, HygieneOptions};
use crate::pipeline::table::ColumnType;
use crate::remedy::Notice;
use score::header_score;
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
