//! A direction cell read as money in or out in SQL, as
//! [`crate::pipeline::txn_meaning::DirectionWords::classify`] reads it: the
//! user's own words first (trimmed, any case), then custseg's built-in words
//! compared in lower case without spaces and punctuation, with traditional
//! Chinese characters as well as simplified ones.

use super::dialect::Dialect;
use crate::pipeline::hanzi::fold_traditional;
use crate::pipeline::txn_meaning::DirectionWords;

/// custseg's words for money in (`txn_meaning::classify_direction`).
pub const INFLOW: [&str; 28] = [
    "c",
    "cr",
    "credit",
    "credits",
    "credited",
    "deposit",
    "deposits",
    "dep",
    "in",
    "inflow",
    "incoming",
    "income",
    "received",
    "receipt",
    "cashin",
    "transferin",
    "收入",
    "存入",
    "收",
    "贷",
    "贷方",
    "转入",
    "入账",
    "入",
    "存款",
    "收款",
    "进账",
    "来账",
];

/// custseg's words for money out.
pub const OUTFLOW: [&str; 29] = [
    "d",
    "dr",
    "db",
    "debit",
    "debits",
    "debited",
    "withdrawal",
    "withdrawals",
    "withdraw",
    "wd",
    "out",
    "outflow",
    "outgoing",
    "expense",
    "payment",
    "cashout",
    "transferout",
    "支出",
    "支取",
    "取款",
    "付",
    "借",
    "借方",
    "转出",
    "出账",
    "出",
    "付款",
    "消费",
    "往账",
];

/// Characters dropped before the built-in words are compared: the spaces
/// and punctuation of real exports ("Cash-In", "CASH_IN", "Transfer in").
const DROPPED: [&str; 14] = [
    " ", "-", "_", ".", "/", "(", ")", ":", ",", ";", "'", "&", "+", "\u{3000}",
];

/// `'I'`, `'O'` or `'U'` (neither) for the trimmed direction text `v`
/// (NULL when missing).
pub fn kind(d: Dialect, v: &str, words: &DirectionWords) -> String {
    let list = |ws: Vec<String>| {
        ws.iter()
            .map(|w| d.string(w))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut arms = vec![format!("WHEN {v} IS NULL THEN 'U'")];
    let own = |ws: &[String]| -> Vec<String> {
        ws.iter().map(|w| w.trim().to_ascii_lowercase()).collect()
    };
    for (ws, k) in [(own(&words.inflow), "'I'"), (own(&words.outflow), "'O'")] {
        if !ws.is_empty() {
            arms.push(format!("WHEN LOWER({v}) IN ({}) THEN {k}", list(ws)));
        }
    }
    let mut norm = format!("LOWER({v})");
    for c in DROPPED {
        norm = format!("REPLACE({norm}, {}, '')", d.string(c));
    }
    arms.push(format!(
        "WHEN {norm} IN ({}) THEN 'I'",
        list(with_traditional(&INFLOW))
    ));
    arms.push(format!(
        "WHEN {norm} IN ({}) THEN 'O'",
        list(with_traditional(&OUTFLOW))
    ));
    format!("CASE {} ELSE 'U' END", arms.join(" "))
}

/// Each word, and its spellings with traditional characters that custseg
/// folds to the word's simplified ones (贷 -> 貸, 转入 -> 轉入).
fn with_traditional(words: &[&str]) -> Vec<String> {
    let traditional: Vec<(char, char)> = ('\u{4e00}'..='\u{9fff}')
        .filter_map(|t| {
            let s = fold_traditional(t);
            (s != t).then_some((t, s))
        })
        .collect();
    let mut out: Vec<String> = Vec::new();
    for w in words {
        let mut forms = vec![String::new()];
        for c in w.chars() {
            let mut next = Vec::new();
            for f in &forms {
                next.push(format!("{f}{c}"));
                for (t, _) in traditional.iter().filter(|(_, s)| *s == c) {
                    next.push(format!("{f}{t}"));
                }
            }
            forms = next;
        }
        for f in forms {
            if !out.contains(&f) {
                out.push(f);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::txn_meaning::{Flow, classify_direction};

    #[test]
    fn the_words_are_custsegs() {
        for w in with_traditional(&INFLOW) {
            assert_eq!(classify_direction(&w), Some(Flow::In), "{w}");
        }
        for w in with_traditional(&OUTFLOW) {
            assert_eq!(classify_direction(&w), Some(Flow::Out), "{w}");
        }
        let both = with_traditional(&["贷", "转入"]);
        assert!(both.contains(&"貸".to_string()) && both.contains(&"轉入".to_string()));
    }

    #[test]
    fn dropped_characters_are_not_alphanumeric() {
        for c in DROPPED {
            assert!(!c.chars().any(char::is_alphanumeric), "{c}");
        }
    }
}
