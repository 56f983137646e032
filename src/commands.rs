//! custseg's own commands as a reader types them, for the files that say
//! how to write them again (the header of an exported scoring statement,
//! the report). Like [`crate::remedy`], this is where the library's outputs
//! get their command-line words: the pipeline itself names no flag.

use crate::pipeline::score_sql::{AsOfSpec, Dialect};
use std::path::Path;

/// A word as a POSIX shell reads it back: as it is when it holds only
/// letters, digits and `_ . / : = @ % + , -`, else in single quotes.
pub fn shell_word(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_alphanumeric() || "_./:=@%+,-".contains(c));
    if plain {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// The `custseg sql` command that writes the scoring statement of `model`
/// for `dialect`, reading `table` with the as-of date `as_of`.
pub fn sql(model: &Path, dialect: Dialect, table: &str, as_of: &AsOfSpec) -> String {
    let mut line = format!(
        "custseg sql --model {} --dialect {} --table {}",
        shell_word(&model.display().to_string()),
        dialect.name(),
        shell_word(table)
    );
    match as_of {
        AsOfSpec::Latest => {}
        AsOfSpec::Date(d) => line.push_str(&format!(" --as-of {d}")),
        AsOfSpec::Sql(expr) => line.push_str(&format!(" --as-of-sql {}", shell_word(expr))),
    }
    line
}

/// What changes in that command to score another table or at another date.
pub const SQL_ELSEWHERE: &str = "--table NAME for another table (schema.table allowed); \
     --as-of YYYY-MM-DD or --as-of-sql EXPR (e.g. CURRENT_DATE) for another date";

/// The as-of options of `custseg sql`, as a usage line writes them.
pub const SQL_AS_OF_OPTIONS: &str = "[--as-of YYYY-MM-DD | --as-of-sql EXPR]";

/// The `custseg pmml` command that writes `out` from `model`.
pub fn pmml(model: &Path, out: &Path) -> String {
    format!(
        "custseg pmml --model {} --out {}",
        shell_word(&model.display().to_string()),
        shell_word(&out.display().to_string())
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::clean::IsoDate;

    #[test]
    fn words_are_quoted_only_when_a_shell_would_split_or_expand_them() {
        assert_eq!(shell_word("customers_en"), "customers_en");
        assert_eq!(shell_word("dw.客户表"), "dw.客户表");
        assert_eq!(shell_word("客户 表"), "'客户 表'");
        assert_eq!(shell_word("it's"), r"'it'\''s'");
        assert_eq!(shell_word("$HOME"), "'$HOME'");
        assert_eq!(shell_word(""), "''");
    }

    #[test]
    fn the_sql_command_names_every_choice() {
        let model = Path::new("/data/run one/model.json");
        assert_eq!(
            sql(model, Dialect::Sqlite, "customers", &AsOfSpec::Latest),
            "custseg sql --model '/data/run one/model.json' --dialect sqlite --table customers"
        );
        let d = "2024-06-30".parse::<IsoDate>().unwrap();
        assert!(
            sql(model, Dialect::Oracle, "DW.CUST", &AsOfSpec::Date(d))
                .ends_with("--dialect oracle --table DW.CUST --as-of 2024-06-30")
        );
        assert!(
            sql(
                model,
                Dialect::Postgres,
                "t",
                &AsOfSpec::Sql("CURRENT_DATE - 1".into())
            )
            .ends_with("--as-of-sql 'CURRENT_DATE - 1'")
        );
    }
}
