//! The table against the model before a statement is written (`--schema
//! FILE`): the columns the statement reads must be there under the same
//! name, numbers in a numeric or text column, dates in a date, timestamp or
//! text column. The file is the engine's own description of the table, one
//! column a line as `name,type` (a `DESCRIBE` or `information_schema.columns`
//! export; a header line is skipped).

use super::columns::Kind;
use super::log_shape::{Origin, Reader, shape};
use super::{SqlRequest, Unsupported, id_column, log_columns, sources};
use crate::pipeline::model::Model;
use crate::pipeline::table::ColumnType;

/// A column of the table as the engine describes it.
#[derive(Clone, Debug, PartialEq)]
pub struct TableColumn {
    pub name: String,
    pub sql_type: String,
}

/// Reads `name,type` lines (CSV quoting allowed); `what` names the file.
pub fn parse(text: &str, what: &str) -> Result<Vec<TableColumn>, String> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut out = Vec::new();
    for (i, rec) in r.records().enumerate() {
        let rec = rec.map_err(|e| format!("{what}: line {}: {e}", i + 1))?;
        let name = rec.get(0).unwrap_or("").trim();
        if name.is_empty() {
            continue;
        }
        let Some(sql_type) = rec.get(1).map(str::trim).filter(|t| !t.is_empty()) else {
            return Err(format!(
                "{what}: line {}: '{name}' has no type (one column a line: name,type)",
                i + 1
            ));
        };
        let header = ["column_name", "name", "col_name", "column"]
            .contains(&name.to_ascii_lowercase().as_str());
        if i == 0 && header {
            continue;
        }
        out.push(TableColumn {
            name: name.to_string(),
            sql_type: sql_type.to_string(),
        });
    }
    if out.is_empty() {
        return Err(format!("{what}: no columns (one column a line: name,type)"));
    }
    Ok(out)
}

/// What an engine's type holds, from its name.
fn family(sql_type: &str) -> Option<Kind> {
    let t = sql_type.to_ascii_uppercase();
    let has = |words: &[&str]| words.iter().any(|w| t.contains(w));
    if has(&["CHAR", "TEXT", "STRING", "CLOB"]) {
        Some(Kind::Text)
    } else if has(&["DATE", "TIME"]) {
        Some(Kind::Date)
    } else if has(&[
        "INT", "DEC", "NUM", "FLOAT", "DOUBLE", "REAL", "MONEY", "BYTE",
    ]) {
        Some(Kind::Number)
    } else {
        None
    }
}

fn kind_of(ctype: ColumnType) -> Kind {
    match ctype {
        ColumnType::Text => Kind::Text,
        ColumnType::Date => Kind::Date,
        ColumnType::Number | ColumnType::Flag => Kind::Number,
    }
}

/// The raw columns the statement reads, and as what.
pub fn read_columns(model: &Model, req: &SqlRequest) -> Result<Vec<(String, Kind)>, Unsupported> {
    let id = id_column(model)?;
    let src = sources(model);
    let mut out: Vec<(String, Kind)> = Vec::new();
    let mut add = |name: &str, kind: Kind| {
        if !out.iter().any(|(n, _)| n == name) {
            out.push((name.to_string(), kind));
        }
    };
    if !model.aggregated {
        let ctype = model.mapping.columns.iter().find(|c| c.column == id);
        add(id, ctype.map_or(Kind::Text, |c| kind_of(c.ctype)));
        for (name, kind) in &src.columns {
            add(name, *kind);
        }
        for &r in &crate::pipeline::clean::ACTIVITY_ROLES {
            if let Some(c) = model.customer_mapping.column_for(r) {
                add(c, Kind::Date);
            }
        }
        return Ok(out);
    }
    let s = shape(model)?;
    add(&s.id, if s.id_text { Kind::Text } else { Kind::Number });
    if let Some(d) = &s.date {
        add(d, Kind::Date);
    }
    match &s.reader {
        Reader::Amounts(a) => a.iter().for_each(|a| add(a, Kind::Number)),
        Reader::Invoice {
            qty,
            price,
            invoice,
            ..
        } => {
            add(qty, Kind::Number);
            add(price, Kind::Number);
            if let Some((c, text)) = invoice {
                add(c, if *text { Kind::Text } else { Kind::Number });
            }
        }
        Reader::SignedFlows(a) => add(a, Kind::Number),
        Reader::DirectedFlows { amount, direction } => {
            add(amount, Kind::Number);
            add(direction, Kind::Text);
        }
        Reader::SplitFlows { inflow, outflow } => {
            add(inflow, Kind::Number);
            add(outflow, Kind::Number);
        }
    }
    for name in log_columns(model, id, &src) {
        match s.origin(model, &name)? {
            Origin::LastBalance => s.balance.iter().for_each(|b| add(b, Kind::Number)),
            Origin::Attribute { source, ctype } => add(source, kind_of(*ctype)),
            _ => {}
        }
    }
    if req.row_order.is_none()
        && let Some(t) = &s.txn_id
    {
        let ctype = model.mapping.columns.iter().find(|c| c.column == *t);
        add(t, ctype.map_or(Kind::Text, |c| kind_of(c.ctype)));
    }
    Ok(out)
}

fn kind_name(k: Kind) -> &'static str {
    match k {
        Kind::Number => "a number",
        Kind::Date => "a date",
        Kind::Text => "text",
    }
}

/// Every column the statement reads that the table lacks or holds in a
/// type it cannot be read from, as one line; `None` when the table fits.
pub fn mismatch(reads: &[(String, Kind)], table: &[TableColumn]) -> Option<String> {
    let mut problems = Vec::new();
    for (name, kind) in reads {
        let Some(col) = table.iter().find(|c| c.name == *name) else {
            let near = table.iter().find(|c| c.name.eq_ignore_ascii_case(name));
            problems.push(match near {
                Some(c) => format!(
                    "no column '{name}' (read as {}), but '{}': quoted names must match exactly; rename it or create a view",
                    kind_name(*kind),
                    c.name
                ),
                None => format!("no column '{name}' (read as {})", kind_name(*kind)),
            });
            continue;
        };
        match (kind, family(&col.sql_type)) {
            (Kind::Number, Some(Kind::Date)) | (Kind::Date, Some(Kind::Number)) => {
                problems.push(format!(
                    "'{name}' is {} in the table, but the model reads {}",
                    col.sql_type,
                    kind_name(*kind)
                ));
            }
            _ => {}
        }
    }
    (!problems.is_empty()).then(|| problems.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cols(s: &str) -> Vec<TableColumn> {
        parse(s, "schema.csv").unwrap()
    }

    #[test]
    fn engine_descriptions_parse() {
        let t = cols(
            "column_name,data_type\nCustomerID,VARCHAR(20)\n\"Amount (INR)\",\"DECIMAL(18,2)\"\n年龄,integer\n",
        );
        assert_eq!(t.len(), 3);
        assert_eq!(t[1].name, "Amount (INR)");
        assert_eq!(t[2].sql_type, "integer");
        assert!(
            parse("a\n", "s.csv")
                .unwrap_err()
                .contains("'a' has no type")
        );
        assert!(parse("\n", "s.csv").unwrap_err().contains("no columns"));
    }

    #[test]
    fn missing_and_mistyped_columns_are_named() {
        let reads = vec![
            ("CustomerID".to_string(), Kind::Text),
            ("LastTxnDate".to_string(), Kind::Date),
            ("Balance".to_string(), Kind::Number),
            ("OpenDate".to_string(), Kind::Date),
            ("年龄".to_string(), Kind::Number),
        ];
        let t = cols(
            "CUSTOMERID,VARCHAR2(20)\nLastTxnDate,TIMESTAMP\nBalance,DATE\nOpenDate,INTEGER\n年龄,string\n",
        );
        let m = mismatch(&reads, &t).unwrap();
        assert!(
            m.contains("no column 'CustomerID' (read as text), but 'CUSTOMERID'"),
            "{m}"
        );
        assert!(
            m.contains("'Balance' is DATE in the table, but the model reads a number"),
            "{m}"
        );
        assert!(
            m.contains("'OpenDate' is INTEGER in the table, but the model reads a date"),
            "{m}"
        );
        assert!(!m.contains("LastTxnDate") && !m.contains("年龄"), "{m}");
        let fits =
            cols("CustomerID,text\nLastTxnDate,date\nBalance,double\nOpenDate,date\n年龄,bigint\n");
        assert_eq!(mismatch(&reads, &fits), None);
    }
}
