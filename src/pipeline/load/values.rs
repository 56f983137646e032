//! Reading single cells: missing-value tokens, numbers as banks format them,
//! yes/no flags and the date spellings found in exports. Pure functions, no
//! allocation on the hot path (cells are parsed millions of times).

/// Cells that mean "no value" in exports from banks' systems and spreadsheets.
pub fn is_missing_token(cell: &str) -> bool {
    if cell.is_empty() {
        return true;
    }
    if cell.len() > 12 {
        return false;
    }
    // Most cells start with a letter or digit that no token starts with.
    let first = cell.as_bytes()[0];
    if first.is_ascii_alphanumeric() && !matches!(first | 0x20, b'n' | b'm') {
        return false;
    }
    let c = cell.trim();
    if c.is_empty() {
        return true;
    }
    matches!(
        c,
        "-" | "--" | "?" | "." | "无" | "空" | "缺失" | "不详" | "#N/A" | "(blank)"
    ) || [
        "na", "n/a", "nan", "null", "none", "nil", "missing", "#n/a", "#null!", "#value!",
        "#div/0!",
    ]
    .iter()
    .any(|t| c.eq_ignore_ascii_case(t))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NumberStyle {
    /// 1,234.56
    DotDecimal,
    /// 1.234,56
    CommaDecimal,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ParsedNumber {
    pub value: f64,
    pub percent: bool,
}

const CURRENCY_PREFIXES: [&str; 12] = [
    "¥", "￥", "$", "€", "£", "₹", "US$", "HK$", "RMB", "CNY", "USD", "INR",
];
const CURRENCY_SUFFIXES: [&str; 8] = ["元", "¥", "€", "RMB", "CNY", "USD", "EUR", "INR"];

/// The largest magnitude read as a number. Beyond it a value is no
/// believable amount, and the sum or square of a few such values overflows
/// to infinity (segment means of `inf`): such a cell is unparsed, counted
/// and reported with its line like any other cell that does not fit.
pub const MAX_MAGNITUDE: f64 = 1e100;

/// Whether `v` is a number custseg computes with (finite, within
/// [`MAX_MAGNITUDE`]).
#[inline]
pub fn believable(v: f64) -> bool {
    v.abs() <= MAX_MAGNITUDE
}

/// Whether `cell` is written as a number but beyond [`MAX_MAGNITUDE`]
/// (`1e308`, `-inf`): for telling the user why it was not read.
pub fn beyond_magnitude(cell: &str) -> bool {
    fast_trim(cell)
        .parse::<f64>()
        .is_ok_and(|v| !v.is_nan() && !believable(v))
}

/// Parses a number as it appears in bank exports: surrounding spaces,
/// thousands separators, currency signs, percents (as fractions),
/// accounting negatives `(1,000.00)`, and Chinese 万/亿 multipliers.
/// Values that are not [`believable`] (infinite, beyond ±1e100) are rejected.
pub fn parse_number(cell: &str, style: NumberStyle) -> Option<ParsedNumber> {
    let t = fast_trim(cell);
    // Fast path: plain numbers, the overwhelming majority of cells.
    if style == NumberStyle::DotDecimal
        && !t.is_empty()
        && t.bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'))
        && t.as_bytes()[0] != b'e'
        && let Ok(v) = t.parse::<f64>()
    {
        return believable(v).then_some(ParsedNumber {
            value: v,
            percent: false,
        });
    }
    if !could_be_number(t.as_bytes()) {
        return None;
    }
    parse_number_slow(t, style)
}

/// Cheap rejection of cells that cannot be numbers (ids, names, dates), which
/// would otherwise go through every prefix and suffix rule.
fn could_be_number(b: &[u8]) -> bool {
    let mut has_digit = false;
    let mut has_letter = false;
    for (i, &c) in b.iter().enumerate() {
        if c.is_ascii_digit() {
            has_digit = true;
        } else if c == b'/' || c == b':' {
            return false;
        } else if c == b'-' && i > 0 && i + 1 < b.len() && b[i - 1].is_ascii_digit() {
            // "2024-01-31": a dash between digits is a date, not a sign.
            return false;
        } else if c.is_ascii_alphabetic() && c != b'e' && c != b'E' {
            has_letter = true;
        }
    }
    if !has_digit {
        return false;
    }
    if has_letter {
        // Letters are only allowed as a currency code at either end.
        const CODES: [&[u8]; 7] = [b"RMB", b"CNY", b"USD", b"INR", b"EUR", b"US$", b"HK$"];
        let starts = CODES
            .iter()
            .any(|c| b.len() >= c.len() && b[..c.len()].eq_ignore_ascii_case(c));
        let ends = CODES
            .iter()
            .any(|c| b.len() >= c.len() && b[b.len() - c.len()..].eq_ignore_ascii_case(c));
        return starts || ends;
    }
    true
}

fn parse_number_slow(t: &str, style: NumberStyle) -> Option<ParsedNumber> {
    let mut s = t;
    let mut negative = false;
    if let Some(inner) = s.strip_prefix('(').and_then(|x| x.strip_suffix(')')) {
        negative = true;
        s = inner.trim();
    }
    let mut percent = false;
    let mut scale = 1.0;
    // Prefixes: signs and currency, in either order ("-$5", "$-5").
    loop {
        let before = s.len();
        if let Some(r) = s.strip_prefix('-').or_else(|| s.strip_prefix('−')) {
            negative = !negative;
            s = r.trim_start();
        } else if let Some(r) = s.strip_prefix('+') {
            s = r.trim_start();
        }
        for p in CURRENCY_PREFIXES {
            if s.len() >= p.len()
                && s.is_char_boundary(p.len())
                && s[..p.len()].eq_ignore_ascii_case(p)
            {
                s = s[p.len()..].trim_start();
                break;
            }
        }
        if s.len() == before {
            break;
        }
    }
    // Suffixes: percent, currency, Chinese multipliers.
    loop {
        let before = s.len();
        if let Some(r) = s.strip_suffix('%') {
            percent = true;
            s = r.trim_end();
        }
        for suf in CURRENCY_SUFFIXES {
            if s.len() >= suf.len()
                && s.is_char_boundary(s.len() - suf.len())
                && s[s.len() - suf.len()..].eq_ignore_ascii_case(suf)
            {
                s = s[..s.len() - suf.len()].trim_end();
                break;
            }
        }
        if let Some(r) = s.strip_suffix('万') {
            scale *= 1e4;
            s = r.trim_end();
        } else if let Some(r) = s.strip_suffix('亿') {
            scale *= 1e8;
            s = r.trim_end();
        }
        if let Some(r) = s.strip_suffix('-') {
            // Trailing minus, as some mainframe exports write it: "1,234.00-".
            negative = !negative;
            s = r.trim_end();
        }
        if s.len() == before {
            break;
        }
    }
    let (thousands, decimal) = match style {
        NumberStyle::DotDecimal => (b',', b'.'),
        NumberStyle::CommaDecimal => (b'.', b','),
    };
    let mut buf = [0u8; 64];
    let len = normalise_digits(s.as_bytes(), thousands, decimal, &mut buf)?;
    let body = std::str::from_utf8(&buf[..len]).ok()?;
    let mut value: f64 = body.parse().ok()?;
    if negative {
        value = -value;
    }
    value *= scale;
    if percent {
        value /= 100.0;
    }
    believable(value).then_some(ParsedNumber { value, percent })
}

/// Copies the digits of `s` into `out` with '.' as the decimal point,
/// checking that thousands separators sit every three digits.
fn normalise_digits(s: &[u8], thousands: u8, decimal: u8, out: &mut [u8; 64]) -> Option<usize> {
    if s.is_empty() || s.len() > 60 {
        return None;
    }
    let mut len = 0;
    let mut digits_in_group = 0usize;
    let mut seen_sep = false;
    let mut seen_decimal = false;
    let mut seen_digit = false;
    let mut i = 0;
    while i < s.len() {
        let b = s[i];
        if b.is_ascii_digit() {
            out[len] = b;
            len += 1;
            digits_in_group += 1;
            seen_digit = true;
        } else if (b == thousands || b == b' ' || b == b'\'') && !seen_decimal {
            // A separator must follow 1-3 digits (first group) or exactly 3.
            if !seen_digit
                || (seen_sep && digits_in_group != 3)
                || (!seen_sep && digits_in_group > 3)
            {
                return None;
            }
            seen_sep = true;
            digits_in_group = 0;
        } else if b == decimal && !seen_decimal {
            if seen_sep && digits_in_group != 3 {
                return None;
            }
            seen_decimal = true;
            out[len] = b'.';
            len += 1;
        } else if (b == b'e' || b == b'E') && seen_digit && !seen_sep {
            // Scientific notation: copy the rest verbatim and let the parser judge.
            for &c in &s[i..] {
                out[len] = c;
                len += 1;
            }
            return Some(len);
        } else {
            return None;
        }
        i += 1;
    }
    if !seen_digit || (seen_sep && !seen_decimal && digits_in_group != 3) {
        return None;
    }
    Some(len)
}

/// A number written with a leading zero like "000123": an identifier, not a quantity.
pub fn looks_like_id_with_leading_zero(cell: &str) -> bool {
    let b = cell.trim().as_bytes();
    b.len() >= 2 && b[0] == b'0' && b[1].is_ascii_digit() && b.iter().all(u8::is_ascii_digit)
}

pub fn parse_flag(cell: &str) -> Option<bool> {
    let c = cell.trim();
    const YES: [&str; 5] = ["y", "yes", "true", "t", "是"];
    const NO: [&str; 5] = ["n", "no", "false", "f", "否"];
    if YES.iter().any(|t| c.eq_ignore_ascii_case(t)) {
        Some(true)
    } else if NO.iter().any(|t| c.eq_ignore_ascii_case(t)) {
        Some(false)
    } else {
        None
    }
}

pub fn is_flag_token(cell: &str) -> bool {
    parse_flag(cell).is_some()
}

/// A date cell split into its parts; validity is checked by the caller.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DateToken {
    /// Year, month and day are known (ISO, 2024/01/31, 2024年1月31日, 31-Jan-2024).
    Full(i32, u32, u32),
    /// `a/b/year`: day/month or month/day, decided per column.
    Pair { a: u32, b: u32, year: i32 },
    /// 20240131
    Compact8(i32, u32, u32),
    /// 930101 (two-digit year)
    Compact6(i32, u32, u32),
}

/// Two-digit years: 00-30 are 2000-2030, 31-99 are 1931-1999. A fixed pivot,
/// never the wall clock, so a file reads the same way every year.
pub fn expand_two_digit_year(yy: u32) -> i32 {
    if yy <= 30 {
        2000 + yy as i32
    } else {
        1900 + yy as i32
    }
}

fn small_number(s: &str) -> Option<u32> {
    let s = s.trim();
    if s.is_empty() || s.len() > 4 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn year_part(s: &str) -> Option<i32> {
    let s = s.trim();
    match s.len() {
        4 => small_number(s).map(|y| y as i32),
        2 => small_number(s).map(expand_two_digit_year),
        _ => None,
    }
}

fn month_from_name(s: &str) -> Option<u32> {
    const NAMES: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let s = s.trim().trim_end_matches('.');
    if s.len() < 3 || !s.is_ascii() {
        return None;
    }
    let prefix = &s[..3];
    let m = NAMES.iter().position(|n| prefix.eq_ignore_ascii_case(n))? as u32 + 1;
    // "Sept", "March", "September" are fine; "Marx" is not.
    let full = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ][m as usize - 1];
    let lower = s.to_ascii_lowercase();
    (full.starts_with(&lower) || lower == "sept").then_some(m)
}

/// Splits a date cell into parts, ignoring a trailing time of day.
pub fn parse_date_token(cell: &str) -> Option<DateToken> {
    let mut s = fast_trim(cell);
    if s.len() < 6 || s.len() > 40 {
        return None;
    }
    // Fast path: ISO YYYY-MM-DD, by far the most common spelling in exports,
    // also with a time ("2024-01-31T08:26:00", "2024-01-31 08:26").
    let b = s.as_bytes();
    if b.len() >= 10
        && b[4] == b'-'
        && b[7] == b'-'
        && (b.len() == 10 || (b.len() >= 16 && matches!(b[10], b'T' | b' ') && b[13] == b':'))
    {
        let digits = |r: std::ops::Range<usize>| -> Option<u32> {
            b[r].iter().try_fold(0u32, |acc, &c| {
                c.is_ascii_digit().then(|| acc * 10 + (c - b'0') as u32)
            })
        };
        if let (Some(y), Some(m), Some(d)) = (digits(0..4), digits(5..7), digits(8..10)) {
            return Some(DateToken::Full(y as i32, m, d));
        }
    }
    s = without_time_of_day(s);
    if s.contains('年') {
        let (y, rest) = s.split_once('年')?;
        let (m, rest) = rest.split_once('月')?;
        let d = rest.trim_end_matches(['日', '号']);
        return Some(DateToken::Full(
            year_part(y)?,
            small_number(m)?,
            small_number(d)?,
        ));
    }
    let b = s.as_bytes();
    if b.iter().all(u8::is_ascii_digit) {
        return match b.len() {
            8 => Some(DateToken::Compact8(
                s[..4].parse().ok()?,
                s[4..6].parse().ok()?,
                s[6..8].parse().ok()?,
            )),
            6 => Some(DateToken::Compact6(
                expand_two_digit_year(s[..2].parse().ok()?),
                s[2..4].parse().ok()?,
                s[4..6].parse().ok()?,
            )),
            _ => None,
        };
    }
    // Separated forms; "Jan 31, 2024" first.
    let sep = s.chars().find(|c| matches!(c, '-' | '/' | '.' | ' '))?;
    let cleaned;
    let s = if sep == ' ' {
        cleaned = s.replace(',', " ");
        cleaned.as_str()
    } else {
        s
    };
    let mut parts = s.split(sep).filter(|p| !p.is_empty());
    let (p0, p1, p2) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    if p0.len() == 4 && p0.bytes().all(|c| c.is_ascii_digit()) {
        return Some(DateToken::Full(
            year_part(p0)?,
            small_number(p1)?,
            small_number(p2)?,
        ));
    }
    if let Some(m) = month_from_name(p1) {
        return Some(DateToken::Full(year_part(p2)?, m, small_number(p0)?));
    }
    if let Some(m) = month_from_name(p0) {
        return Some(DateToken::Full(year_part(p2)?, m, small_number(p1)?));
    }
    if p0.len() <= 2 && p1.len() <= 2 {
        return Some(DateToken::Pair {
            a: small_number(p0)?,
            b: small_number(p1)?,
            year: year_part(p2)?,
        });
    }
    None
}

/// A date cell without its trailing time of day: "12/1/2010 08:26",
/// "2024-01-31T10:00:00Z", "Jan 31, 2024 10:00 AM", "2024年1月31日 10:00" and
/// "2024年1月31日10:00" all keep only their date. The time starts after the
/// last space, `T` or `日` before the first colon; a cell that is only a time
/// ("14:32:07") is left as it is, so it never reads as a date.
fn without_time_of_day(s: &str) -> &str {
    let Some(colon) = s.find(':') else {
        return s;
    };
    let head = &s[..colon];
    match head.rfind([' ', 'T']) {
        Some(pos) if pos > 0 => s[..pos].trim_end(),
        _ => match head.rfind('日') {
            Some(pos) => &s[..pos + '日'.len_utf8()],
            None => s,
        },
    }
}

/// `str::trim`, skipped when neither end is whitespace (cells usually are trimmed).
fn fast_trim(s: &str) -> &str {
    match (s.as_bytes().first(), s.as_bytes().last()) {
        (Some(a), Some(b)) if a.is_ascii_graphic() && b.is_ascii_graphic() => s,
        _ => s.trim(),
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn numbers_beyond_any_amount_are_not_numbers() {
        for cell in ["1e308", "-1.7e308", "1e101", "inf", "(1e200)", "¥1e300"] {
            assert_eq!(parse_number(cell, NumberStyle::DotDecimal), None, "{cell}");
        }
        assert_eq!(
            parse_number("1e100", NumberStyle::DotDecimal).map(|p| p.value),
            Some(1e100)
        );
        assert!(beyond_magnitude(" 1e308 ") && beyond_magnitude("-inf"));
        assert!(!beyond_magnitude("12") && !beyond_magnitude("NaN") && !beyond_magnitude("abc"));
    }

    use super::*;

    #[test]
    fn missing_tokens() {
        for t in [
            "", " ", "NA", "n/a", "NaN", "NULL", "None", "nil", "Missing", "-", "--", "?", ".",
            "#N/A", "#DIV/0!", "(blank)", "无", "缺失", " na ",
        ] {
            assert!(is_missing_token(t), "{t:?}");
        }
        for t in [
            "N",
            "M",
            "Nanjing",
            "male",
            "0",
            "C0001",
            "-1",
            "none of it",
            "Ann",
        ] {
            assert!(!is_missing_token(t), "{t:?}");
        }
    }

    fn num(s: &str) -> Option<f64> {
        parse_number(s, NumberStyle::DotDecimal).map(|p| p.value)
    }

    #[test]
    fn number_spellings() {
        assert_eq!(num("42"), Some(42.0));
        assert_eq!(num(" -3.5 "), Some(-3.5));
        assert_eq!(num("1,234,567.5"), Some(1234567.5));
        assert_eq!(num("¥ 1,234"), Some(1234.0));
        assert_eq!(num("-$12.00"), Some(-12.0));
        assert_eq!(num("$-12.00"), Some(-12.0));
        assert_eq!(num("1,234.00-"), Some(-1234.0));
        assert_eq!(num("3.5万"), Some(35000.0));
        assert_eq!(num("100元"), Some(100.0));
        assert_eq!(num("1e3"), Some(1000.0));
        assert_eq!(num("50%"), Some(0.5));
        assert_eq!(num("1 234.5"), Some(1234.5));
    }

    #[test]
    fn not_numbers() {
        for s in [
            "",
            "abc",
            "1,23",
            "12,34,567",
            "1.2.3",
            "--5x",
            "inf",
            "NaN",
            "e5",
            "$",
            "1,2345",
        ] {
            assert_eq!(num(s), None, "{s}");
        }
    }

    #[test]
    fn comma_decimal_style() {
        let p = |s| parse_number(s, NumberStyle::CommaDecimal).map(|p| p.value);
        assert_eq!(p("1.234,56"), Some(1234.56));
        assert_eq!(p("12,5"), Some(12.5));
        assert_eq!(p("12.5"), None);
    }

    #[test]
    fn date_tokens() {
        assert_eq!(
            parse_date_token("2024-01-31"),
            Some(DateToken::Full(2024, 1, 31))
        );
        assert_eq!(
            parse_date_token("2024年1月31日"),
            Some(DateToken::Full(2024, 1, 31))
        );
        assert_eq!(
            parse_date_token("31/01/2024"),
            Some(DateToken::Pair {
                a: 31,
                b: 1,
                year: 2024
            })
        );
        assert_eq!(
            parse_date_token("Jan 31, 2024"),
            Some(DateToken::Full(2024, 1, 31))
        );
        assert_eq!(
            parse_date_token("15-MAR-23"),
            Some(DateToken::Full(2023, 3, 15))
        );
        assert_eq!(
            parse_date_token("20240131"),
            Some(DateToken::Compact8(2024, 1, 31))
        );
        assert_eq!(
            parse_date_token("930101"),
            Some(DateToken::Compact6(1993, 1, 1))
        );
        assert_eq!(parse_date_token("1,234.56"), None);
        // Date-times keep their date, wherever the time starts.
        for (cell, ymd) in [
            ("2024-01-31T08:26:00", (2024, 1, 31)),
            ("2024-01-31 08:26:00", (2024, 1, 31)),
            ("2024-01-31 08:26", (2024, 1, 31)),
            ("2024-01-31T08:26:00.123+08:00", (2024, 1, 31)),
            ("2024-01-31 8:26", (2024, 1, 31)),
            ("2024/01/31 08:26:00", (2024, 1, 31)),
            ("Jan 31, 2024 10:00 AM", (2024, 1, 31)),
            ("31 Jan 2024 10:00", (2024, 1, 31)),
            ("31-OCT-2024 08:26", (2024, 10, 31)),
            ("2024年1月31日 10:00", (2024, 1, 31)),
            ("2024年1月31日10:00", (2024, 1, 31)),
        ] {
            assert_eq!(
                parse_date_token(cell),
                Some(DateToken::Full(ymd.0, ymd.1, ymd.2)),
                "{cell}"
            );
        }
        assert_eq!(
            parse_date_token("12/1/2010 08:26"),
            Some(DateToken::Pair {
                a: 12,
                b: 1,
                year: 2010
            })
        );
        // A time of day alone is not a date.
        assert_eq!(parse_date_token("14:32:07"), None);
        assert_eq!(parse_date_token("08:26:00.5"), None);
        assert_eq!(parse_date_token("Beijing"), None);
        assert_eq!(expand_two_digit_year(30), 2030);
        assert_eq!(expand_two_digit_year(31), 1931);
    }
}
