//! The value parsers of flags whose values clap cannot read by itself: a
//! K range, winsorising percentiles, a feature's transform, a delimiter,
//! on/off.

use crate::pipeline::features::{Transform, Winsorize};

pub(super) fn parse_on_off(s: &str) -> std::result::Result<bool, String> {
    match s.trim().to_ascii_lowercase().as_str() {
        "on" | "yes" | "true" => Ok(true),
        "off" | "no" | "false" => Ok(false),
        _ => Err(format!("'{s}' is not on or off")),
    }
}

pub(super) fn parse_k_range(s: &str) -> std::result::Result<(usize, usize), String> {
    let (a, b) = s
        .split_once("..=")
        .or_else(|| s.split_once(".."))
        .or_else(|| s.split_once('-'))
        .ok_or_else(|| format!("'{s}' is not a range like 2..10"))?;
    let a: usize = a
        .trim()
        .parse()
        .map_err(|_| format!("'{a}' is not a number"))?;
    let b: usize = b
        .trim()
        .parse()
        .map_err(|_| format!("'{b}' is not a number"))?;
    if a == 0 || b < a {
        return Err(format!("'{s}' is empty or starts at 0; use e.g. 2..10"));
    }
    Ok((a, b))
}

/// `--winsorize`: the percentiles, or `None` for `off`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct WinsorizeArg(pub Option<Winsorize>);

/// `LO,HI` as percents when HI is above 1 (`1,99`), as fractions when it is
/// below 1 (`0.01,0.99`); HI = 1 could be either and is refused.
pub(super) fn parse_winsorize(s: &str) -> std::result::Result<WinsorizeArg, String> {
    let t = s.trim();
    if t.eq_ignore_ascii_case("off") || t.eq_ignore_ascii_case("none") {
        return Ok(WinsorizeArg(None));
    }
    let (a, b) = t.split_once(',').ok_or_else(|| {
        format!(
            "'{s}' is not two percentiles LO,HI such as 1,99 (percents) or 0.01,0.99 (fractions)"
        )
    })?;
    let num = |x: &str| {
        x.trim()
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .ok_or_else(|| format!("'{}' is not a number", x.trim()))
    };
    let (lo, hi) = (num(a)?, num(b)?);
    if lo < 0.0 || lo >= hi {
        return Err(format!(
            "'{s}': the lower percentile must be at least 0 and below the upper one (e.g. 1,99)"
        ));
    }
    let (lower, upper) = if hi > 1.0 {
        if hi > 100.0 {
            return Err(format!(
                "'{s}': percents go up to 100 (e.g. 1,99 or 0.01,0.99)"
            ));
        }
        (lo / 100.0, hi / 100.0)
    } else if hi < 1.0 {
        (lo, hi)
    } else {
        return Err(format!(
            "'{s}' is ambiguous: an upper bound of 1 could mean 1% or 100%; write percents (e.g. 1,100 to clip only the low end) or fractions below 1"
        ));
    };
    Ok(WinsorizeArg(Some(Winsorize { lower, upper })))
}

/// `NAME=none|log`; the name may itself contain `=` (`Gender=F=none`).
pub(super) fn parse_transform_feature(s: &str) -> std::result::Result<(String, Transform), String> {
    let (name, t) = s
        .rsplit_once('=')
        .filter(|(n, _)| !n.trim().is_empty())
        .ok_or_else(|| format!("'{s}' is not NAME=none|log (e.g. Balance=log)"))?;
    Ok((name.trim().to_string(), t.trim().parse()?))
}

pub(super) fn parse_delimiter(s: &str) -> std::result::Result<char, String> {
    match s {
        "\\t" | "tab" | "TAB" | "\t" => Ok('\t'),
        _ => {
            let mut chars = s.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) if c.is_ascii() => Ok(c),
                _ => Err(format!("'{s}' is not a single ASCII character")),
            }
        }
    }
}
