//! What differs between SQL engines: quoting, number and date literals,
//! date arithmetic, integer division and the minimum of several values.

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
}

fn unknown_dialect(s: &str) -> String {
    format!(
        "unknown SQL dialect '{s}' (this custseg writes postgres, sqlite or duckdb; \
         spark, hive, trino, oracle, sqlserver, teradata, bigquery, snowflake and mysql are not supported yet)"
    )
}

impl Dialect {
    pub fn name(self) -> &'static str {
        self.into()
    }

    /// A quoted identifier: `"name"` with `"` doubled (all three engines).
    pub fn ident(self, name: &str) -> String {
        format!("\"{}\"", name.replace('"', "\"\""))
    }

    /// A table name, quoted part by part (`schema.table`).
    pub fn table(self, name: &str) -> String {
        name.split('.')
            .map(|p| self.ident(p))
            .collect::<Vec<_>>()
            .join(".")
    }

    /// A string literal, `'` doubled.
    pub fn string(self, s: &str) -> String {
        format!("'{}'", s.replace('\'', "''"))
    }

    /// A double-precision constant that the engine reads back to the same
    /// bits: the shortest round-trip digits, converted from text by the
    /// engine's correctly rounded parser (not through a DECIMAL, whose
    /// conversion to double may be off by one unit in the last place).
    pub fn num(self, x: f64) -> String {
        let digits = format!("{x:?}");
        match self {
            Dialect::Postgres => format!("CAST('{digits}' AS DOUBLE PRECISION)"),
            Dialect::Duckdb => format!("CAST('{digits}' AS DOUBLE)"),
            // `{:?}` always writes a `.` or an exponent: SQLite reads a REAL.
            Dialect::Sqlite => format!("({digits})"),
        }
    }

    /// A numeric expression as a double.
    pub fn double(self, expr: &str) -> String {
        match self {
            Dialect::Postgres => format!("CAST({expr} AS DOUBLE PRECISION)"),
            Dialect::Duckdb => format!("CAST({expr} AS DOUBLE)"),
            Dialect::Sqlite => format!("CAST({expr} AS REAL)"),
        }
    }

    /// A date constant.
    pub fn date(self, d: IsoDate) -> String {
        match self {
            Dialect::Postgres | Dialect::Duckdb => format!("DATE '{d}'"),
            // SQLite keeps dates as ISO text, which orders as the dates do.
            Dialect::Sqlite => format!("'{d}'"),
        }
    }

    /// A SQL expression given by the user, as a date.
    pub fn date_of(self, expr: &str) -> String {
        match self {
            Dialect::Postgres | Dialect::Duckdb => format!("CAST(({expr}) AS DATE)"),
            Dialect::Sqlite => format!("date({expr})"),
        }
    }

    /// Whole days from date `from` to date `to`, as a double.
    pub fn days_between(self, from: &str, to: &str) -> String {
        match self {
            Dialect::Postgres => format!("CAST({to} - {from} AS DOUBLE PRECISION)"),
            Dialect::Duckdb => format!("CAST(date_diff('day', {from}, {to}) AS DOUBLE)"),
            Dialect::Sqlite => format!("(julianday({to}) - julianday({from}))"),
        }
    }

    /// `date` plus `days` days.
    pub fn add_days(self, date: &str, days: i32) -> String {
        match self {
            Dialect::Postgres | Dialect::Duckdb => format!("({date} + {days})"),
            Dialect::Sqlite => format!("date({date}, '{days:+} days')"),
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
            Dialect::Postgres | Dialect::Duckdb => {
                format!("CAST(EXTRACT({word} FROM {date}) AS INTEGER)")
            }
            Dialect::Sqlite => format!("CAST(strftime('{fmt}', {date}) AS INTEGER)"),
        }
    }

    /// Integer division of two integer expressions (truncating).
    pub fn int_div(self, a: &str, b: &str) -> String {
        match self {
            Dialect::Postgres | Dialect::Sqlite => format!("({a}) / ({b})"),
            Dialect::Duckdb => format!("({a}) // ({b})"),
        }
    }

    /// Text without leading and trailing white space, as Rust's `str::trim`
    /// (Unicode White_Space: tabs, no-break and ideographic spaces too),
    /// which is how custseg reads every cell.
    pub fn trim(self, x: &str) -> String {
        let ws: String = WHITE_SPACE.iter().collect();
        let ws = self.string(&ws);
        match self {
            Dialect::Postgres => format!("btrim({x}, {ws})"),
            Dialect::Sqlite | Dialect::Duckdb => format!("trim({x}, {ws})"),
        }
    }

    /// What ends a per-row step's SELECT so that the engine computes it once
    /// per row: PostgreSQL inlines a CTE used once, and then substitutes its
    /// expressions into every use, which grows exponentially through steps
    /// that use a value several times (a clip reads it three times);
    /// `OFFSET 0` keeps the step a subquery, streamed, not materialised.
    pub fn step_fence(self) -> &'static str {
        match self {
            Dialect::Postgres => "\n  OFFSET 0",
            Dialect::Sqlite | Dialect::Duckdb => "",
        }
    }

    /// The smallest of several doubles (none NULL).
    pub fn least(self, values: &[String]) -> String {
        match (self, values) {
            (_, [one]) => one.clone(),
            (Dialect::Sqlite, _) => format!("MIN({})", values.join(", ")),
            _ => format!("LEAST({})", values.join(", ")),
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
        let d = Dialect::Postgres;
        assert_eq!(d.ident("客户ID"), "\"客户ID\"");
        assert_eq!(d.ident("a\"b"), "\"a\"\"b\"");
        assert_eq!(d.table("s.t x"), "\"s\".\"t x\"");
        assert_eq!(d.string("it's"), "'it''s'");
    }

    #[test]
    fn numbers_keep_every_bit() {
        let x = 0.1 + 0.2;
        assert_eq!(
            Dialect::Postgres.num(x),
            "CAST('0.30000000000000004' AS DOUBLE PRECISION)"
        );
        assert_eq!(Dialect::Sqlite.num(3.0), "(3.0)");
        assert_eq!(Dialect::Sqlite.num(-1e300), "(-1e300)");
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
        assert_eq!("PostgreSQL".parse::<Dialect>(), Ok(Dialect::Postgres));
        assert_eq!("duckdb".parse::<Dialect>(), Ok(Dialect::Duckdb));
        let err = "oracle".parse::<Dialect>().unwrap_err();
        assert!(err.contains("not supported yet"), "{err}");
    }
}
