//! The parts of a ZIP-based workbook (`.xlsx`, `.xlsm`, `.xlsb`, `.ods`),
//! checked before any of them is inflated.
//!
//! The central directory declares each part's inflated size. The zip reader
//! that calamine (and our ODS reader) use stops with an error as soon as a
//! part inflates past its declared size, so a declared size is a bound that
//! holds while reading, not a claim taken on trust. [`check`] therefore
//! bounds the declared sizes: each part against the archive's size
//! ([`part_limit`]), the parts a reader holds whole in memory (shared
//! strings, styles, the workbook) against the memory budget, and the count
//! of shared strings calamine reserves room for against what its part can
//! hold. A part that inflates far more than normal XML does is also read
//! once, counting its longest run without a `<`: one text or tag the reader
//! would have to buffer whole.

use super::{MAX_CELL_CHARS, Refusal, memory_budget, size_text};
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;
use zip::ZipArchive;

/// Most parts an archive may have (real workbooks have tens to hundreds).
const MAX_PARTS: usize = 100_000;
/// Every part may inflate to this whatever the archive's size.
const PART_FLOOR: u64 = 64 << 20;
/// ...and to this many times the archive's size. Spreadsheet XML inflates
/// 5 to 20 times; deflate cannot go beyond about 1,030.
const PART_PER_ARCHIVE_BYTE: u64 = 100;
/// Parts inflating more than this many times their compressed size, and
/// larger than [`SCAN_FLOOR`], are read once for their longest token.
const SCAN_RATIO: u64 = 16;
const SCAN_FLOOR: u64 = 16 << 20;
/// The longest tag or text an XML reader may have to buffer: a cell of
/// 32,767 characters of 4 bytes each, with room for escapes.
pub const MAX_TOKEN_BYTES: u64 = 1 << 20;
const _: () = assert!(MAX_TOKEN_BYTES > 6 * MAX_CELL_CHARS as u64 * 4);
/// The smallest shared-string item, `<si/>`.
const MIN_SHARED_STRING_BYTES: u64 = 5;

/// The most one part of an archive of `archive_bytes` may inflate to.
pub fn part_limit(archive_bytes: u64) -> u64 {
    PART_FLOOR.max(archive_bytes.saturating_mul(PART_PER_ARCHIVE_BYTE))
}

/// Parts read whole into memory by calamine (their names end so).
fn held_whole(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [
        "sharedstrings.xml",
        "sharedstrings.bin",
        "styles.xml",
        "styles.bin",
        "workbook.xml",
        "workbook.bin",
    ]
    .iter()
    .any(|s| lower.ends_with(s))
}

/// Checks a ZIP workbook's parts. An archive the zip reader cannot open is
/// passed (the workbook reader then says what is wrong with it).
pub fn check(path: &Path, archive_bytes: u64) -> Result<(), Refusal> {
    let Ok(file) = File::open(path) else {
        return Ok(());
    };
    let Ok(mut zip) = ZipArchive::new(BufReader::new(file)) else {
        return Ok(());
    };
    if zip.len() > MAX_PARTS {
        return Err(Refusal::Damaged(format!(
            "the archive lists {} parts, more than any workbook has",
            zip.len()
        )));
    }
    let limit = part_limit(archive_bytes);
    let budget = memory_budget(archive_bytes);
    let mut held = 0u64;
    for i in 0..zip.len() {
        let (name, compressed, declared) = match zip.by_index_raw(i) {
            Ok(part) => (
                part.name().map(|n| n.into_owned()).unwrap_or_default(),
                part.compressed_size(),
                part.size(),
            ),
            Err(_) => continue,
        };
        if declared > limit {
            return Err(bomb(&name, declared, archive_bytes));
        }
        if held_whole(&name) {
            held = held.saturating_add(declared);
            if held > budget / 2 {
                return Err(bomb(&name, declared, archive_bytes));
            }
        }
        if name.to_ascii_lowercase().ends_with("sharedstrings.xml") {
            check_shared_string_count(&mut zip, i, &name, declared)?;
        }
        if declared > SCAN_FLOOR && declared > compressed.saturating_mul(SCAN_RATIO) {
            check_longest_token(&mut zip, i, &name)?;
        }
    }
    Ok(())
}

fn bomb(name: &str, declared: u64, archive_bytes: u64) -> Refusal {
    Refusal::TooLarge(format!(
        "its part '{}' inflates to {}, too much for a file of {} (a decompression bomb?)",
        shown_name(name),
        size_text(declared),
        size_text(archive_bytes)
    ))
}

/// A part name as shown in a message: printable, and short.
fn shown_name(name: &str) -> String {
    crate::escape::excerpt(name, 80)
}

/// calamine reserves room for the `uniqueCount` the shared strings declare;
/// a count the part could not hold is a damaged (or hostile) file.
fn check_shared_string_count<R: Read + std::io::Seek>(
    zip: &mut ZipArchive<R>,
    index: usize,
    name: &str,
    declared: u64,
) -> Result<(), Refusal> {
    let Ok(part) = zip.by_index(index) else {
        return Ok(());
    };
    let mut head = Vec::with_capacity(4096);
    if part.take(4096).read_to_end(&mut head).is_err() {
        return Ok(());
    }
    let Some(digits) = declared_unique_count(&String::from_utf8_lossy(&head)) else {
        return Ok(());
    };
    let Ok(count) = digits.parse::<u64>() else {
        return if digits.is_empty() {
            Ok(())
        } else {
            Err(Refusal::Damaged(format!(
                "its part '{}' declares an impossible number of shared strings",
                shown_name(name)
            )))
        };
    };
    if count > declared / MIN_SHARED_STRING_BYTES + 1 {
        return Err(Refusal::Damaged(format!(
            "its part '{}' declares {count} shared strings but can hold at most {}",
            shown_name(name),
            declared / MIN_SHARED_STRING_BYTES + 1
        )));
    }
    Ok(())
}

/// The digits of the `uniqueCount` attribute of the `<sst>` tag in the
/// start of a shared-strings part, if it has one.
fn declared_unique_count(text: &str) -> Option<String> {
    let sst = text.find("<sst").or_else(|| text.find(":sst"))?;
    let tag = &text[sst..];
    let tag = &tag[..tag.find('>').unwrap_or(tag.len())];
    let value = &tag[tag.find("uniqueCount=")? + "uniqueCount=".len()..];
    Some(
        value
            .trim_start_matches(['"', '\''])
            .chars()
            .take_while(char::is_ascii_digit)
            .collect(),
    )
}

/// Inflates one part, refusing a run of more than [`MAX_TOKEN_BYTES`]
/// without a `<` (a tag or text a reader would buffer whole).
fn check_longest_token<R: Read + std::io::Seek>(
    zip: &mut ZipArchive<R>,
    index: usize,
    name: &str,
) -> Result<(), Refusal> {
    let Ok(mut part) = zip.by_index(index) else {
        return Ok(());
    };
    let mut buf = vec![0u8; 1 << 16];
    // Bytes since the last '<', carried across reads.
    let mut run = 0u64;
    loop {
        let n = match part.read(&mut buf) {
            Ok(0) | Err(_) => return Ok(()),
            Ok(n) => n,
        };
        let mut rest = &buf[..n];
        while let Some(p) = rest.iter().position(|&b| b == b'<') {
            if run + p as u64 > MAX_TOKEN_BYTES {
                return Err(token_refusal(name));
            }
            run = 0;
            rest = &rest[p + 1..];
        }
        run += rest.len() as u64;
        if run > MAX_TOKEN_BYTES {
            return Err(token_refusal(name));
        }
    }
}

fn token_refusal(name: &str) -> Refusal {
    Refusal::TooLarge(format!(
        "its part '{}' holds a single text or tag of more than {} (a decompression bomb?)",
        shown_name(name),
        size_text(MAX_TOKEN_BYTES)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shared_string_count_is_found_in_any_shape_of_tag() {
        let count = |t: &str| declared_unique_count(t);
        assert_eq!(
            count(r#"<?xml?><sst xmlns="x" count="3" uniqueCount="2">"#).as_deref(),
            Some("2")
        );
        assert_eq!(count("<x:sst uniqueCount='17'/>").as_deref(), Some("17"));
        assert_eq!(count("<sst uniqueCount=").as_deref(), Some(""));
        assert_eq!(count("<sst uniqueCount=>").as_deref(), Some(""));
        assert_eq!(count("<sst count=\"1\">"), None);
        assert_eq!(count("no table"), None);
    }

    #[test]
    fn the_part_limit_grows_with_the_archive() {
        assert_eq!(part_limit(1000), 64 << 20);
        assert_eq!(part_limit(10 << 20), 1000 << 20);
    }
}
