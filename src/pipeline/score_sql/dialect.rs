//! What differs between SQL engines: quoting, number and date literals,
//! reading columns as doubles and dates, date arithmetic, integer division,
//! the minimum of several values, raising an error, and the fences that
//! keep an optimiser from copying a step's expressions into the next.

use crate::pipeline::clean::IsoDate;

/// The SQL engines `custseg sql` writes for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, strum::EnumString, strum::IntoStaticStr)]
#[strum(
    ascii_case_insensitive,
    parse_err_ty = String,
    parse_err_fn = unknown_dialect
)]
pub enum Dialect {
    #[strum(to_string = "postgres", serialize = "postgresql", serialize = "pg")]
    Postgres,
    #[strum(to_string = "sqlite", serialize = "sqlite3")]
    Sqlite,
    #[strum(to_string = "duckdb")]
    Duckdb,
    /// Spark SQL and Databricks.
    #[strum(to_string = "spark", serialize = "sparksql", serialize = "databricks")]
    Spark,
    #[strum(to_string = "hive")]
    Hive,
    /// Trino, Presto and Athena.
    #[strum(to_string = "trino", serialize = "presto", serialize = "athena")]
    Trino,
    #[strum(to_string = "oracle")]
    Oracle,
    #[strum(to_string = "sqlserver", serialize = "mssql", serialize = "tsql")]
    Sqlserver,
    #[strum(to_string = "teradata")]
    Teradata,
    #[strum(to_string = "bigquery")]
    Bigquery,
    #[strum(to_string = "snowflake")]
    Snowflake,
    #[strum(to_string = "mysql", serialize = "mariadb")]
    Mysql,
}

use Dialect::*;

fn unknown_dialect(s: &str) -> String {
    let names: Vec<&str> = Dialect::ALL.iter().map(|d| d.name()).collect();
    format!(
        "unknown SQL dialect '{s}' (use one of {})",
        names.join(", ")
    )
}

/// Saved by its name (run.toml's `export.sql_dialects`); read with the
/// same parser as the command line, so both refuse a name alike.
impl serde::Serialize for Dialect {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl<'de> serde::Deserialize<'de> for Dialect {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        name.parse().map_err(serde::de::Error::custom)
    }
}

impl Dialect {
    pub const ALL: [Dialect; 12] = [
        Postgres, Sqlite, Duckdb, Spark, Hive, Trino, Oracle, Sqlserver, Teradata, Bigquery,
        Snowflake, Mysql,
    ];

    pub fn name(self) -> &'static str {
        self.into()
    }

    /// A quoted identifier, exactly as named in the training file (Chinese
    /// and mixed-case names included; the engines that fold unquoted names
    /// keep quoted ones as written).
    pub fn ident(self, name: &str) -> String {
        match self {
            Spark | Hive | Mysql => format!("`{}`", name.replace('`', "``")),
            Bigquery => format!("`{}`", name.replace('\\', "\\\\").replace('`', "\\`")),
            Sqlserver => format!("[{}]", name.replace(']', "]]")),
            _ => format!("\"{}\"", name.replace('"', "\"\"")),
        }
    }

    /// A table name, quoted part by part (`schema.table`).
    pub fn table(self, name: &str) -> String {
        name.split('.')
            .map(|p| self.ident(p))
            .collect::<Vec<_>>()
            .join(".")
    }

    /// A string literal. Spark, Hive and BigQuery read backslash escapes in
    /// literals (and Spark joins `'a' 'b'` into one), so their quote and
    /// backslash are escaped with a backslash; MySQL does too unless
    /// NO_BACKSLASH_ESCAPES is set, so a MySQL text with a backslash is
    /// written in hexadecimal, which reads the same in either mode.
    pub fn string(self, s: &str) -> String {
        match self {
            Spark | Hive | Bigquery => {
                format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"))
            }
            Mysql if s.contains('\\') => {
                let hex: String = s.bytes().map(|b| format!("{b:02X}")).collect();
                format!("_utf8mb4 X'{hex}'")
            }
            _ => format!("'{}'", s.replace('\'', "''")),
        }
    }

    /// A double-precision constant that the engine reads back to the same
    /// bits: the shortest round-trip digits, read by the engine's correctly
    /// rounded text-to-double conversion as a double (never through a
    /// DECIMAL, whose conversion to double may be off by one unit in the
    /// last place).
    pub fn num(self, x: f64) -> String {
        let digits = format!("{x:?}");
        match self {
            // `{:?}` always writes a `.` or an exponent: SQLite reads a REAL.
            Sqlite => format!("({digits})"),
            // Literals with an exponent are doubles in these engines.
            Mysql | Sqlserver | Teradata => format!("({x:e})"),
            Oracle => format!("({x:e}d)"),
            _ => format!("CAST('{digits}' AS {})", self.double_type()),
        }
    }

    fn double_type(self) -> &'static str {
        match self {
            Postgres => "DOUBLE PRECISION",
            Sqlite => "REAL",
            Oracle => "BINARY_DOUBLE",
            Sqlserver | Teradata => "FLOAT",
            Bigquery => "FLOAT64",
            _ => "DOUBLE",
        }
    }

    /// A numeric (or numeric text) expression as a double.
    pub fn double(self, expr: &str) -> String {
        format!("CAST({expr} AS {})", self.double_type())
    }

    /// A column read as a date: DATE columns as they are, timestamps cut to
    /// their day (as custseg reads date-time cells), ISO text parsed.
    /// SQLite has no date type: its dates are ISO text, kept as they are.
    pub fn as_date(self, expr: &str) -> String {
        match self {
            Sqlite => expr.to_string(),
            _ => format!("CAST({expr} AS DATE)"),
        }
    }

    /// A date constant.
    pub fn date(self, d: IsoDate) -> String {
        match self {
            // SQLite keeps dates as ISO text, which orders as the dates do.
            Sqlite => format!("'{d}'"),
            Sqlserver => format!("CAST('{d}' AS DATE)"),
            _ => format!("DATE '{d}'"),
        }
    }

    /// A SQL expression given by the user, as a date.
    pub fn date_of(self, expr: &str) -> String {
        match self {
            Sqlite => format!("date({expr})"),
            _ => format!("CAST(({expr}) AS DATE)"),
        }
    }

    /// Whole days from date `from` to date `to`, as a double.
    pub fn days_between(self, from: &str, to: &str) -> String {
        let days = match self {
            Postgres | Oracle | Teradata => format!("({to} - {from})"),
            Duckdb | Trino => format!("date_diff('day', {from}, {to})"),
            Sqlite => return format!("(julianday({to}) - julianday({from}))"),
            Spark | Hive | Mysql => format!("datediff({to}, {from})"),
            Sqlserver | Snowflake => format!("DATEDIFF(day, {from}, {to})"),
            Bigquery => format!("DATE_DIFF({to}, {from}, DAY)"),
        };
        self.double(&days)
    }

    /// `date` plus `days` days.
    pub fn add_days(self, date: &str, days: i32) -> String {
        match self {
            Postgres | Duckdb | Oracle | Teradata => format!("({date} + {days})"),
            Sqlite => format!("date({date}, '{days:+} days')"),
            Spark | Hive => format!("date_add({date}, {days})"),
            Trino => format!("date_add('day', {days}, {date})"),
            Sqlserver | Snowflake => format!("DATEADD(day, {days}, {date})"),
            Bigquery | Mysql => format!("DATE_ADD({date}, INTERVAL {days} DAY)"),
        }
    }

    /// `date` minus `months` calendar months, the day kept or moved back to
    /// the end of a shorter month (2023-03-31 minus one month is
    /// 2023-02-28), as custseg (chrono's `checked_sub_months`) does.
    pub fn sub_months(self, date: &str, months: u32) -> String {
        let m = i64::from(months);
        match self {
            Postgres => format!("CAST({date} - INTERVAL '{m} months' AS DATE)"),
            Duckdb => format!("CAST({date} - INTERVAL {m} MONTH AS DATE)"),
            Spark => format!("add_months({date}, -{m})"),
            Trino => format!("date_add('month', -{m}, {date})"),
            Sqlserver | Snowflake => format!("DATEADD(month, -{m}, {date})"),
            Bigquery | Mysql => format!("DATE_SUB({date}, INTERVAL {m} MONTH)"),
            // ADD_MONTHS moves a month's last day to the last day of the
            // other month: start from the first of the month instead.
            Oracle | Teradata | Hive => {
                let first = match self {
                    Hive => format!("add_months(trunc({date}, 'MM'), -{m})"),
                    _ => format!("ADD_MONTHS(TRUNC({date}, 'MM'), -{m})"),
                };
                let day = self.part(DatePart::Day, date);
                let moved = match self {
                    Hive => format!("date_add({first}, {day} - 1)"),
                    _ => format!("({first} + ({day} - 1))"),
                };
                let last = match self {
                    Hive => format!("CAST(last_day({first}) AS DATE)"),
                    _ => format!("LAST_DAY({first})"),
                };
                format!("CASE WHEN {moved} < {last} THEN {moved} ELSE {last} END")
            }
            Sqlite => {
                let (y, mo, d) = (
                    self.part(DatePart::Year, date),
                    self.part(DatePart::Month, date),
                    self.part(DatePart::Day, date),
                );
                // Months since year 0, moved back, as year and month.
                let k = format!("(({y}) * 12 + ({mo}) - 1 - {m})");
                let first = format!("printf('%04d-%02d-01', {k} / 12, {k} % 12 + 1)");
                let last =
                    format!("CAST(strftime('%d', date({first}, '+1 month', '-1 day')) AS INTEGER)");
                format!("date({first}, '+' || (MIN({d}, {last}) - 1) || ' days')")
            }
        }
    }

    /// The year, month or day of a date as an integer.
    pub fn part(self, part: DatePart, date: &str) -> String {
        let (word, fmt) = match part {
            DatePart::Year => ("YEAR", "%Y"),
            DatePart::Month => ("MONTH", "%m"),
            DatePart::Day => ("DAY", "%d"),
        };
        match self {
            Sqlite => format!("CAST(strftime('{fmt}', {date}) AS INTEGER)"),
            Sqlserver => format!("DATEPART({word}, {date})"),
            Mysql | Oracle | Bigquery | Snowflake | Trino | Teradata => {
                format!("EXTRACT({word} FROM {date})")
            }
            Spark | Hive => format!("CAST(EXTRACT({word} FROM {date}) AS INT)"),
            Postgres | Duckdb => format!("CAST(EXTRACT({word} FROM {date}) AS INTEGER)"),
        }
    }

    /// Integer division of two non-negative integer expressions (truncating).
    pub fn int_div(self, a: &str, b: &str) -> String {
        match self {
            Postgres | Sqlite | Sqlserver | Teradata | Trino => format!("({a}) / ({b})"),
            Duckdb => format!("({a}) // ({b})"),
            Spark | Hive | Mysql => format!("({a}) DIV ({b})"),
            Bigquery => format!("DIV({a}, {b})"),
            Oracle | Snowflake => format!("TRUNC(({a}) / ({b}))"),
        }
    }

    /// The first `len` characters of `x` from `start` (1-based).
    pub fn substr(self, x: &str, start: u32, len: u32) -> String {
        match self {
            Sqlserver => format!("SUBSTRING({x}, {start}, {len})"),
            _ => format!("SUBSTR({x}, {start}, {len})"),
        }
    }

    /// The natural logarithm.
    pub fn ln(self, x: &str) -> String {
        match self {
            Sqlserver => format!("LOG({x})"),
            _ => format!("LN({x})"),
        }
    }

    /// Text without leading and trailing white space, as Rust's `str::trim`
    /// (Unicode White_Space: tabs, no-break and ideographic spaces too),
    /// which is how custseg reads every cell.
    pub fn trim(self, x: &str) -> String {
        let ws: String = WHITE_SPACE.iter().collect();
        let set = self.string(&ws);
        match self {
            Postgres => format!("btrim({x}, {set})"),
            Sqlite | Duckdb | Bigquery | Snowflake => format!("trim({x}, {set})"),
            Spark | Trino | Sqlserver => format!("TRIM(BOTH {set} FROM {x})"),
            Oracle | Teradata => format!("LTRIM(RTRIM({x}, {set}), {set})"),
            // Java's and ICU's regular expressions know the property.
            Hive => format!(
                "regexp_replace({x}, '^\\\\p{{IsWhite_Space}}+|\\\\p{{IsWhite_Space}}+$', '')"
            ),
            Mysql => {
                format!("REGEXP_REPLACE({x}, '^\\\\p{{White_Space}}+|\\\\p{{White_Space}}+$', '')")
            }
        }
    }

    /// Words put after `SELECT` of a per-row step (see [`Self::step_fence`]).
    pub fn step_head(self) -> &'static str {
        match self {
            Oracle => "/*+ NO_MERGE */ ",
            Sqlserver => "TOP (9223372036854775807) ",
            _ => "",
        }
    }

    /// What ends a per-row step's SELECT so that the engine computes it once
    /// per row: an optimiser that merges a step into the next substitutes
    /// its expressions into every use, which grows exponentially through
    /// steps that use a value several times (a clip reads it three times).
    /// PostgreSQL does not merge a subquery with `OFFSET 0`, MySQL one with
    /// a `LIMIT`; SQL Server keeps a `TOP` and Oracle a `NO_MERGE` hint
    /// ([`Self::step_head`]). The step is streamed, not sorted.
    pub fn step_fence(self) -> &'static str {
        match self {
            Postgres => "\n  OFFSET 0",
            Mysql => "\n  LIMIT 18446744073709551615",
            _ => "",
        }
    }

    /// A query of one row without a table.
    pub fn one_row(self, columns: &str) -> String {
        match self {
            Oracle => format!("SELECT {columns} FROM DUAL"),
            _ => format!("SELECT {columns}"),
        }
    }

    /// The smallest of several doubles (none NULL).
    pub fn least(self, values: &[String]) -> String {
        match (self, values) {
            (_, [one]) => one.clone(),
            (Sqlite, _) => format!("MIN({})", values.join(", ")),
            // LEAST arrived only in SQL Server 2022.
            (Sqlserver, _) => format!(
                "(SELECT MIN(cs_v) FROM (VALUES ({})) AS cs_vs(cs_v))",
                values.join("), (")
            ),
            _ => format!("LEAST({})", values.join(", ")),
        }
    }

    /// An expression that stops the statement with an error carrying
    /// `message` (text that varies by row, so no engine folds it into a
    /// constant when it plans the query); it is evaluated only where a
    /// CASE reaches it.
    pub fn fail(self, message: &str) -> String {
        match self {
            Duckdb => format!("CAST(error({message}) AS INTEGER)"),
            Spark => format!("CAST(raise_error({message}) AS INT)"),
            Bigquery => format!("CAST(ERROR({message}) AS INT64)"),
            Trino => format!("CAST(fail({message}) AS INTEGER)"),
            Hive => format!("CAST(assert_true({message} IS NULL) AS INT)"),
            // A JSON path that is not one: the engine names it in its error.
            Sqlite => format!("json_extract('{{}}', {message})"),
            Mysql => format!("JSON_EXTRACT('{{}}', {message})"),
            // The failed conversion's error quotes the text.
            Postgres | Sqlserver | Snowflake | Teradata => format!("CAST({message} AS INTEGER)"),
            Oracle => format!("TO_NUMBER({message})"),
        }
    }

    /// Text concatenation of two text expressions.
    pub fn concat(self, a: &str, b: &str) -> String {
        match self {
            Sqlserver | Mysql | Spark | Hive | Bigquery => format!("CONCAT({a}, {b})"),
            _ => format!("({a} || {b})"),
        }
    }

    /// A date as ISO text.
    pub fn date_text(self, d: &str) -> String {
        match self {
            Sqlite => d.to_string(),
            Sqlserver => format!("CONVERT(VARCHAR(10), {d}, 23)"),
            Oracle | Teradata => format!("TO_CHAR({d}, 'YYYY-MM-DD')"),
            Spark | Hive => format!("CAST({d} AS STRING)"),
            Bigquery => format!("CAST({d} AS STRING)"),
            Mysql => format!("CAST({d} AS CHAR)"),
            _ => format!("CAST({d} AS VARCHAR)"),
        }
    }
}

/// Unicode White_Space, what `char::is_whitespace` matches.
const WHITE_SPACE: [char; 25] = [
    '\u{9}', '\u{a}', '\u{b}', '\u{c}', '\u{d}', ' ', '\u{85}', '\u{a0}', '\u{1680}', '\u{2000}',
    '\u{2001}', '\u{2002}', '\u{2003}', '\u{2004}', '\u{2005}', '\u{2006}', '\u{2007}', '\u{2008}',
    '\u{2009}', '\u{200a}', '\u{2028}', '\u{2029}', '\u{202f}', '\u{205f}', '\u{3000}',
];

#[derive(Clone, Copy, Debug)]
pub enum DatePart {
    Year,
    Month,
    Day,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_and_strings_are_quoted_with_doubling() {
        let d = Postgres;
        assert_eq!(d.ident("客户ID"), "\"客户ID\"");
        assert_eq!(d.ident("a\"b"), "\"a\"\"b\"");
        assert_eq!(d.table("s.t x"), "\"s\".\"t x\"");
        assert_eq!(d.string("it's"), "'it''s'");
        assert_eq!(Spark.ident("a`b"), "`a``b`");
        assert_eq!(Sqlserver.ident("a]b"), "[a]]b]");
        assert_eq!(Bigquery.ident("a`b"), "`a\\`b`");
        assert_eq!(Spark.string("it's \\"), "'it\\'s \\\\'");
        assert_eq!(Mysql.string("it's"), "'it''s'");
        assert_eq!(Mysql.string("a\\"), "_utf8mb4 X'615C'");
    }

    #[test]
    fn numbers_keep_every_bit() {
        let x = 0.1 + 0.2;
        assert_eq!(
            Postgres.num(x),
            "CAST('0.30000000000000004' AS DOUBLE PRECISION)"
        );
        assert_eq!(Sqlite.num(3.0), "(3.0)");
        assert_eq!(Sqlite.num(-1e300), "(-1e300)");
        assert_eq!(Mysql.num(x), "(3.0000000000000004e-1)");
        assert_eq!(Oracle.num(3.0), "(3e0d)");
        // The exponent form reads back to the same bits.
        for v in [x, 1e-300, f64::MAX, -123.456, 5e-324] {
            let s = format!("{v:e}");
            assert_eq!(s.parse::<f64>().unwrap().to_bits(), v.to_bits(), "{s}");
        }
    }

    #[test]
    fn the_trim_set_is_rusts() {
        let all: String = WHITE_SPACE.iter().collect();
        assert!(all.trim().is_empty());
        let n = (0..=0x10FFFFu32)
            .filter_map(char::from_u32)
            .filter(|c| c.is_whitespace())
            .count();
        assert_eq!(n, WHITE_SPACE.len());
    }

    #[test]
    fn dialect_names_parse() {
        assert_eq!("PostgreSQL".parse::<Dialect>(), Ok(Postgres));
        assert_eq!("duckdb".parse::<Dialect>(), Ok(Duckdb));
        assert_eq!("Databricks".parse::<Dialect>(), Ok(Spark));
        assert_eq!("athena".parse::<Dialect>(), Ok(Trino));
        for d in Dialect::ALL {
            assert_eq!(d.name().parse::<Dialect>(), Ok(d));
        }
        let err = "db2".parse::<Dialect>().unwrap_err();
        assert!(err.contains("db2") && err.contains("snowflake"), "{err}");
    }
}
