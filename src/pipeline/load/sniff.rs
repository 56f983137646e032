//! Guessing what the user did not say: the text encoding, the delimiter and
//! whether the first row is a header. Each guess works on a sample of the
//! file and can be overridden by an option.

use super::values::{NumberStyle, is_missing_token, parse_date_token, parse_number};
use encoding_rs::Encoding;

/// Candidates, in order of preference when the evidence ties.
pub const DELIMITERS: [u8; 4] = [b',', b';', b'\t', b'|'];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DetectedEncoding {
    pub encoding: &'static Encoding,
    /// Bytes of byte-order mark to skip.
    pub bom_len: usize,
}

impl DetectedEncoding {
    pub fn is_utf8(&self) -> bool {
        self.encoding == encoding_rs::UTF_8
    }
    /// Name shown to users ("UTF-8 (BOM)", "GBK", ...).
    pub fn display_name(&self) -> String {
        let base = if self.encoding == encoding_rs::GBK || self.encoding == encoding_rs::GB18030 {
            "GBK/GB18030"
        } else {
            self.encoding.name()
        };
        if self.bom_len > 0 {
            format!("{base} (BOM)")
        } else {
            base.to_string()
        }
    }
}

/// Looks for a byte-order mark; the mark wins over any guess.
pub fn bom(bytes: &[u8]) -> Option<DetectedEncoding> {
    let (encoding, bom_len) = Encoding::for_bom(bytes)?;
    Some(DetectedEncoding { encoding, bom_len })
}

/// Decides the encoding from a sample. `complete` says the sample is the whole file
/// (otherwise a multi-byte character cut at the end of the sample is fine).
/// See [`super::encoding`] for how, and for the report of how sure it is.
pub fn detect_encoding(sample: &[u8], complete: bool) -> DetectedEncoding {
    super::encoding::detect(sample, complete, None).0
}

/// Where the sample looks like something other than delimited text, say what it is.
pub fn binary_signature(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"PK\x03\x04") {
        return Some("a ZIP container (an .xlsx/.ods workbook?)");
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Some("an OLE container (an old .xls workbook, or an encrypted workbook?)");
    }
    if bytes.starts_with(b"%PDF") {
        return Some("a PDF document");
    }
    if bytes.starts_with(&[0x1F, 0x8B]) {
        return Some("gzip-compressed data");
    }
    if bytes.starts_with(&[0x28, 0xB5, 0x2F, 0xFD]) {
        return Some("zstd-compressed data");
    }
    let utf16 = bom(bytes).is_some_and(|b| b.encoding != encoding_rs::UTF_8)
        || utf16_without_bom(bytes).is_some();
    if !utf16 && bytes.iter().take(64 * 1024).any(|&b| b == 0) {
        return Some("binary data (it contains NUL bytes)");
    }
    None
}

/// UTF-16 written without a byte-order mark, told by its NUL bytes: every
/// ASCII character (digits, delimiters, line ends) has a NUL high byte, so
/// text has NULs at one parity of position and almost none at the other.
/// Binary data has NULs at both; CJK text still has ASCII digits and commas.
pub fn utf16_without_bom(bytes: &[u8]) -> Option<&'static Encoding> {
    let pairs = bytes.len().min(64 * 1024) / 2;
    if pairs < 2 {
        return None;
    }
    let (mut even, mut odd) = (0usize, 0usize);
    for pair in bytes[..pairs * 2].chunks_exact(2) {
        even += usize::from(pair[0] == 0);
        odd += usize::from(pair[1] == 0);
    }
    // Most of the pairs are ASCII in a delimited file, and a NUL on the
    // other side is at most a rare U+xx00 character. A few NULs in a few
    // bytes are binary data, not text.
    let one_sided = |nul: usize, other: usize| nul >= 8 && nul * 4 >= pairs && other * 50 <= nul;
    if one_sided(odd, even) {
        Some(encoding_rs::UTF_16LE)
    } else if one_sided(even, odd) {
        Some(encoding_rs::UTF_16BE)
    } else {
        None
    }
}

/// Fields kept per sampled record: one more than any table may have, so a
/// line of a million delimiters still reads as "too many columns" without
/// a `String` per field (a 1 MB line of commas cost ~100 MB per candidate).
const SAMPLED_FIELDS: usize = 16_385;

/// Splits a decoded sample into records with `delimiter`, quote-aware. The last
/// record is dropped when the sample is a prefix of the file (it may be cut).
pub fn sample_records(text: &str, delimiter: u8, complete: bool, max: usize) -> Vec<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut out: Vec<Vec<String>> = Vec::new();
    for rec in reader.records().take(max + 1) {
        match rec {
            Ok(r) => out.push(
                r.iter()
                    .take(SAMPLED_FIELDS)
                    .map(|f| f.trim().to_string())
                    .collect(),
            ),
            Err(_) => break,
        }
    }
    if !complete && out.len() > 1 {
        out.pop();
    }
    out.truncate(max);
    out
}

/// Picks the delimiter that splits the sample into the most consistent number
/// of fields (more than one). `None` when no candidate splits anything: a
/// single-column file, for which any delimiter is as good as `,`.
pub fn sniff_delimiter(text: &str, complete: bool) -> Option<u8> {
    let mut best: Option<(u8, f64, usize)> = None;
    for &d in &DELIMITERS {
        let records = sample_records(text, d, complete, 100);
        if records.is_empty() {
            continue;
        }
        let mut counts: Vec<usize> = records.iter().map(Vec::len).collect();
        counts.sort_unstable();
        // Mode of the field counts.
        let (mut mode, mut mode_n, mut i) = (0, 0, 0);
        while i < counts.len() {
            let j = counts[i..].iter().take_while(|&&c| c == counts[i]).count();
            if j > mode_n {
                mode = counts[i];
                mode_n = j;
            }
            i += j;
        }
        if mode < 2 {
            continue;
        }
        let consistency = mode_n as f64 / records.len() as f64;
        let better = match best {
            None => true,
            Some((_, c, m)) => {
                consistency > c + 1e-9 || ((consistency - c).abs() <= 1e-9 && mode > m)
            }
        };
        if better {
            best = Some((d, consistency, mode));
        }
    }
    best.map(|(d, _, _)| d)
}

fn is_value_like(cell: &str) -> bool {
    parse_number(cell, NumberStyle::DotDecimal).is_some()
        || parse_number(cell, NumberStyle::CommaDecimal).is_some()
        || parse_date_token(cell).is_some()
}

/// Is the first record a header? Yes when none of its cells reads as a value
/// and either some column is values below a text cell, or its cells are
/// distinct non-empty names.
pub fn detect_header(records: &[Vec<String>]) -> bool {
    let Some(first) = records.first() else {
        return false;
    };
    if first.iter().any(|c| !c.is_empty() && is_value_like(c)) {
        return false;
    }
    let rest = &records[1..];
    let column_turns_to_values = (0..first.len()).any(|j| {
        let cells: Vec<&str> = rest
            .iter()
            .filter_map(|r| r.get(j).map(String::as_str))
            .filter(|c| !is_missing_token(c))
            .collect();
        !cells.is_empty()
            && cells.iter().filter(|c| is_value_like(c)).count() * 10 >= cells.len() * 8
    });
    let mut names: Vec<&String> = first.iter().collect();
    names.sort();
    names.dedup();
    let distinct_names = names.len() == first.len() && first.iter().all(|c| !c.is_empty());
    column_turns_to_values || distinct_names
}

/// Makes header names usable: trimmed, never empty, never duplicated.
pub fn clean_header_names(raw: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(raw.len());
    for (j, name) in raw.iter().enumerate() {
        let base = name
            .trim()
            .trim_start_matches('\u{feff}')
            .trim()
            .to_string();
        let base = if base.is_empty() {
            format!("column_{}", j + 1)
        } else {
            base
        };
        let mut candidate = base.clone();
        let mut n = 2;
        while out.contains(&candidate) {
            candidate = format!("{base}_{n}");
            n += 1;
        }
        out.push(candidate);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delimiters_are_sniffed() {
        assert_eq!(sniff_delimiter("a,b,c\n1,2,3\n4,5,6\n", true), Some(b','));
        assert_eq!(sniff_delimiter("a;b;c\n1,5;2;3\n4;5;6\n", true), Some(b';'));
        assert_eq!(sniff_delimiter("a\tb\n1\t2\n", true), Some(b'\t'));
        assert_eq!(sniff_delimiter("a|b|c\n1|2|3\n", true), Some(b'|'));
        // A comma inside quotes does not fool it.
        assert_eq!(
            sniff_delimiter("name;amount\n\"Li, Wei\";3\n\"Wang, Fang\";4\n", true),
            Some(b';')
        );
        assert_eq!(sniff_delimiter("only\n1\n2\n", true), None);
    }

    #[test]
    fn headers_are_detected() {
        let rec = |rows: &[&[&str]]| -> Vec<Vec<String>> {
            rows.iter()
                .map(|r| r.iter().map(|s| s.to_string()).collect())
                .collect()
        };
        assert!(detect_header(&rec(&[&["id", "age"], &["1", "30"]])));
        assert!(detect_header(&rec(&[&["客户ID", "年龄"], &["C1", "30"]])));
        assert!(!detect_header(&rec(&[&["1", "30"], &["2", "40"]])));
        assert!(!detect_header(&rec(&[&["C1", "30"], &["C2", "40"]])));
    }

    #[test]
    fn header_names_are_made_unique() {
        let raw: Vec<String> = ["\u{feff}id", "", "x", "x"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(clean_header_names(&raw), ["id", "column_2", "x", "x_2"]);
    }

    #[test]
    fn encodings_are_detected() {
        assert!(detect_encoding("客户ID,年龄\n".as_bytes(), true).is_utf8());
        let (gbk, _, _) = encoding_rs::GBK
            .encode("客户ID;年龄;性别;资产余额\nC001;35;男;12000\nC002;41;女;56000\n");
        let e = detect_encoding(&gbk, true);
        assert_eq!(e.display_name(), "GBK/GB18030");
        let e = detect_encoding(b"\xEF\xBB\xBFid\n", true);
        assert_eq!((e.is_utf8(), e.bom_len), (true, 3));
        let e = detect_encoding(b"\xFF\xFEi\x00d\x00", true);
        assert_eq!(e.encoding, encoding_rs::UTF_16LE);
        let e = detect_encoding(b"name,city\nJos\xE9,S\xE3o Paulo\n", true);
        assert_eq!(e.encoding, encoding_rs::WINDOWS_1252);
    }

    #[test]
    fn binary_files_are_recognised() {
        assert!(binary_signature(b"PK\x03\x04rest").is_some());
        assert!(binary_signature(b"abc\x00def").is_some());
        assert!(binary_signature(b"\xFF\xFEa\x00").is_none());
        assert!(binary_signature(b"a,b\n1,2\n").is_none());
        // UTF-16 without a byte-order mark is text, in either byte order.
        let le: Vec<u8> = "id,金额\n1,2\n"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        let be: Vec<u8> = "id,金额\n1,2\n"
            .encode_utf16()
            .flat_map(u16::to_be_bytes)
            .collect();
        assert!(binary_signature(&le).is_none());
        assert!(binary_signature(&be).is_none());
        assert_eq!(utf16_without_bom(&le), Some(encoding_rs::UTF_16LE));
        assert_eq!(utf16_without_bom(&be), Some(encoding_rs::UTF_16BE));
        // NULs on both sides are binary data.
        assert!(binary_signature(b"a\x00\x00b\x00\x00c\x00\x00d\x00").is_some());
        assert_eq!(utf16_without_bom(b"a,b\n1,2\n"), None);
    }
}
